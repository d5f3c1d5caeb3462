"""Random ops, seeded as TensorFlow 1.x seeds them (graph seed + op seed).

Each op draws from its own generator, created once per session from its ``seed``/``seed2``
attrs, so a graph with ``tf.set_random_seed`` (or ops with explicit seeds) gives the same
values in every new session, successive runs of one op give new values, and two ops of one
graph draw different streams. Without any seed every session starts from fresh entropy.
Draws are made on the host and moved to the op's device.
"""
import numpy as np

from tensorslim.core import dtypes as _dtypes
from tensorslim.core.graph import convert_to_tensor, name_scope
from tensorslim.core.op_util import apply_op, constant_value, shape_from_shape_tensor
from tensorslim.core.ops import array_ops, math_ops
from tensorslim.core.ops.array_ops import check_dtype, int_list, shape_string
from tensorslim.core.random_seed import get_seed
from tensorslim.core.registry import not_differentiable_marker, register_op
from tensorslim.core.tensor_shape import TensorShape, unknown_shape

__all__ = ["random_uniform", "random_normal", "truncated_normal", "random_shuffle",
           "multinomial", "categorical", "random_crop", "random_gamma", "rng_for"]

_NO_GRAD = not_differentiable_marker()
_FLOAT_DTYPES = (_dtypes.float16, _dtypes.float32, _dtypes.float64)


def rng_for(ctx):
    """Creates the op's generator from its ``seed``/``seed2`` attrs (fresh entropy if 0)."""
    seed, seed2 = ctx.attrs.get("seed", 0), ctx.attrs.get("seed2", 0)
    if seed == 0 and seed2 == 0:
        return np.random.default_rng()
    return np.random.default_rng([int(seed) & 0xFFFFFFFF, int(seed2) & 0xFFFFFFFF])


def _rng_context(ctx):
    ctx.state = rng_for(ctx)


def _dims(shape):
    dims = tuple(int_list(shape))
    for d in dims:
        if d < 0:
            raise ValueError("Dimension %d must be >= 0" % d)
    return dims


def _draw(ctx, fn, dims):
    dt = ctx.attrs["dtype"].as_numpy_dtype
    if dt in (np.float32, np.float64):
        v = fn(dims, dtype=dt)
    else:
        v = fn(dims).astype(dt)
    return ctx.to_device(v)


def _uniform_kernel(ctx, shape):
    return _draw(ctx, ctx.state.random, _dims(shape))


def _normal_kernel(ctx, shape):
    return _draw(ctx, ctx.state.standard_normal, _dims(shape))


def _truncated_kernel(ctx, shape):
    # Re-draws the values beyond two standard deviations until none is left.
    dims = _dims(shape)
    v = ctx.state.standard_normal(dims)
    bad = np.abs(v) > 2.0
    while bad.any():
        v[bad] = ctx.state.standard_normal(int(bad.sum()))
        bad = np.abs(v) > 2.0
    return ctx.to_device(v.astype(ctx.attrs["dtype"].as_numpy_dtype))


def _uniform_int_kernel(ctx, shape, minval, maxval):
    dt = ctx.attrs["Tout"].as_numpy_dtype
    lo, hi = int(minval), int(maxval)
    dims = _dims(shape)
    if lo >= hi:
        raise ValueError("Need minval < maxval, got %d >= %d" % (lo, hi))
    return ctx.to_device(ctx.state.integers(lo, hi, size=dims).astype(dt))


def _shape_fn(op):
    s = op.inputs[0].shape
    if s.ndims is not None and s.ndims != 1:
        raise ValueError("Shape must be rank 1 but is rank %d" % s.ndims)
    for t in op.inputs[1:]:
        if t.shape.ndims not in (None, 0):
            raise ValueError("Shape must be rank 0 but is rank %d" % t.shape.ndims)
    v = constant_value(op.inputs[0])
    if v is not None and any(int(d) < 0 for d in np.asarray(v).reshape(-1)):
        raise ValueError("Dimension %d must be >= 0" % min(int(d) for d in
                                                           np.asarray(v).reshape(-1)))
    return [shape_from_shape_tensor(op.inputs[0])]


for _type, _kernel in (("RandomUniform", _uniform_kernel),
                       ("RandomStandardNormal", _normal_kernel),
                       ("TruncatedNormal", _truncated_kernel),
                       ("RandomUniformInt", _uniform_int_kernel)):
    register_op(_type, shape=_shape_fn, kernel=_kernel, make_context=_rng_context,
                stateful=True, grad=_NO_GRAD)


def _seed_attrs(seed):
    seed1, seed2 = get_seed(seed)
    return {"seed": seed1 or 0, "seed2": seed2 or 0}


def _float_dtype(dtype, what):
    dtype = _dtypes.as_dtype(dtype).base_dtype
    if dtype not in _FLOAT_DTYPES:
        raise ValueError("Invalid dtype %r for %s" % (dtype, what))
    return dtype


def random_uniform(shape, minval=0, maxval=None, dtype=_dtypes.float32, seed=None, name=None):
    """``tf.random_uniform``: values uniform in ``[minval, maxval)``.

    Args:
      shape: the output shape (a list or 1-D int tensor).
      minval: the lower bound, included.
      maxval: the upper bound, excluded (default 1 for floats; required for integers).
      dtype: float16/32/64 or int32/64.
      seed: the op seed (combined with the graph seed, see ``tf.set_random_seed``).
      name: the op's name.

    Raises:
      ValueError: an integer dtype without ``maxval``, or an unsupported dtype.
    """
    dtype = _dtypes.as_dtype(dtype).base_dtype
    if dtype not in _FLOAT_DTYPES + (_dtypes.int32, _dtypes.int64):
        raise ValueError("Invalid dtype %r" % dtype)
    if maxval is None:
        if dtype.is_integer:
            raise ValueError("Must specify maxval for integer dtype %r" % dtype)
        maxval = 1
    with name_scope(name, "random_uniform", [shape, minval, maxval]) as scope:
        shape_t = array_ops._shape_tensor(shape, "shape")
        lo = convert_to_tensor(minval, dtype=dtype, name="min")
        hi = convert_to_tensor(maxval, dtype=dtype, name="max")
        attrs = _seed_attrs(seed)
        if dtype.is_integer:
            attrs.update({"Tout": dtype, "T": shape_t.dtype.base_dtype})
            return apply_op("RandomUniformInt", [shape_t, lo, hi], [dtype], attrs=attrs,
                            name=scope).outputs[0]
        attrs.update({"dtype": dtype, "T": shape_t.dtype.base_dtype})
        rnd = apply_op("RandomUniform", [shape_t], [dtype], attrs=attrs,
                       name="RandomUniform").outputs[0]
        return math_ops.add(rnd * (hi - lo), lo, name=scope)


def _normal_like(op_type, default_name, shape, mean, stddev, dtype, seed, name):
    dtype = _float_dtype(dtype, default_name)
    with name_scope(name, default_name, [shape, mean, stddev]) as scope:
        shape_t = array_ops._shape_tensor(shape, "shape")
        mean_t = convert_to_tensor(mean, dtype=dtype, name="mean")
        std_t = convert_to_tensor(stddev, dtype=dtype, name="stddev")
        attrs = _seed_attrs(seed)
        attrs.update({"dtype": dtype, "T": shape_t.dtype.base_dtype})
        rnd = apply_op(op_type, [shape_t], [dtype], attrs=attrs, name=op_type).outputs[0]
        return math_ops.add(rnd * std_t, mean_t, name=scope)


def random_normal(shape, mean=0.0, stddev=1.0, dtype=_dtypes.float32, seed=None, name=None):
    """``tf.random_normal``: normally distributed values with ``mean`` and ``stddev``.

    Args:
      shape: the output shape (a list or 1-D int tensor).
      mean, stddev: the distribution's parameters (scalars or broadcastable tensors).
      dtype: a floating dtype.
      seed: the op seed (combined with the graph seed).
      name: the op's name.
    """
    return _normal_like("RandomStandardNormal", "random_normal", shape, mean, stddev, dtype,
                        seed, name)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=_dtypes.float32, seed=None,
                     name=None):
    """``tf.truncated_normal``: normal values, re-drawn when more than 2 stddevs from the mean.

    Arguments as :func:`random_normal`.
    """
    return _normal_like("TruncatedNormal", "truncated_normal", shape, mean, stddev, dtype,
                        seed, name)


# --------------------------------------------------------------------------- shuffle

def _shuffle_kernel(ctx, x):
    if x.ndim == 0 or x.shape[0] <= 1:
        return x
    perm = ctx.state.permutation(x.shape[0])
    if isinstance(x, np.ndarray):
        return x[perm]
    return x[ctx.to_device(perm)]


register_op("RandomShuffle", shape=lambda op: [op.inputs[0].shape], kernel=_shuffle_kernel,
            make_context=_rng_context, stateful=True, grad=_NO_GRAD)


def random_shuffle(value, seed=None, name=None):
    """``tf.random_shuffle``: ``value`` with its first dimension randomly permuted.

    Args:
      value: the tensor to shuffle (rows, i.e. slices along dimension 0, stay intact).
      seed: the op seed (combined with the graph seed).
      name: the op's name.
    """
    with name_scope(name, "RandomShuffle", [value]) as scope:
        value = convert_to_tensor(value, name="value")
        attrs = _seed_attrs(seed)
        attrs["T"] = value.dtype.base_dtype
        return apply_op("RandomShuffle", [value], [value.dtype.base_dtype], attrs=attrs,
                        name=scope).outputs[0]


# --------------------------------------------------------------------------- multinomial

def _multinomial_shape(op):
    logits, num = op.inputs
    s = logits.shape
    if s.ndims is not None and s.ndims != 2:
        raise ValueError("Shape must be rank 2 but is rank %d" % s.ndims)
    if num.shape.ndims not in (None, 0):
        raise ValueError("Shape must be rank 0 but is rank %d" % num.shape.ndims)
    n = constant_value(num)
    if n is not None and int(n) < 0:
        raise ValueError("num_samples should be nonnegative, got %d" % int(n))
    batch = s[0].value if s.ndims == 2 else None
    return [TensorShape([batch, None if n is None else int(n)])]


def _multinomial_kernel(ctx, logits, num_samples):
    # Inverse-CDF sampling of every row at once: the rows' CDFs are offset by their row
    # index and concatenated, so one searchsorted serves the whole batch.
    xp = ctx.xp
    ns = int(num_samples)
    if ns < 0:
        raise ValueError("num_samples should be nonnegative, got %d" % ns)
    if logits.ndim != 2:
        raise ValueError("logits should be a matrix, got shape %s" % shape_string(logits.shape))
    batch, classes = logits.shape
    out_dt = ctx.attrs["output_dtype"].as_numpy_dtype
    if batch == 0 or ns == 0:
        return xp.zeros((batch, ns), dtype=out_dt)
    if classes == 0:
        raise ValueError("num_classes should be positive, got %d" % classes)
    lg = logits.astype(np.float64)
    p = xp.exp(lg - lg.max(axis=1, keepdims=True))
    cdf = xp.cumsum(p, axis=1)
    cdf = cdf / cdf[:, -1:]
    rows = xp.arange(batch, dtype=np.float64)[:, None]
    u = ctx.to_device(ctx.state.random((batch, ns)))
    pos = xp.searchsorted((cdf + rows).reshape(-1), (u + rows).reshape(-1), side="right")
    idx = pos.reshape(batch, ns) - xp.arange(batch)[:, None] * classes
    return xp.clip(idx, 0, classes - 1).astype(out_dt)


register_op("Multinomial", shape=_multinomial_shape, kernel=_multinomial_kernel,
            make_context=_rng_context, stateful=True, grad=_NO_GRAD)


def multinomial(logits, num_samples, seed=None, name=None, output_dtype=None):
    """``tf.multinomial``: ``num_samples`` class indices per row, drawn from the categorical
    distribution ``softmax(logits[i])``.

    Args:
      logits: a [batch, num_classes] float tensor of unnormalized log-probabilities.
      num_samples: the number of draws per row (a scalar).
      seed: the op seed (combined with the graph seed).
      name: the name scope.
      output_dtype: int32 or int64 (the default).
    """
    with name_scope(name, "multinomial", [logits]):
        return _multinomial(logits, num_samples, seed, output_dtype)


def categorical(logits, num_samples, dtype=None, seed=None, name=None):
    """``tf.random.categorical``: :func:`multinomial` with the ``dtype`` argument name.

    Args:
      logits: a [batch, num_classes] float tensor of unnormalized log-probabilities.
      num_samples: the number of draws per row (a scalar).
      dtype: int32 or int64 (the default).
      seed: the op seed (combined with the graph seed).
      name: the name scope (default "categorical").
    """
    with name_scope(name, "categorical", [logits]):
        return _multinomial(logits, num_samples, seed, dtype)


def _multinomial(logits, num_samples, seed, output_dtype):
    logits = convert_to_tensor(logits, name="logits")
    check_dtype("Multinomial", "logits", logits, _FLOAT_DTYPES)
    attrs = _seed_attrs(seed)
    output_dtype = _dtypes.int64 if output_dtype is None else _dtypes.as_dtype(output_dtype)
    with name_scope(None, "Multinomial", [logits]) as scope:
        num = convert_to_tensor(num_samples, dtype=_dtypes.int32, name="num_samples")
        attrs.update({"T": logits.dtype.base_dtype, "output_dtype": output_dtype})
        return apply_op("Multinomial", [logits, num], [output_dtype], attrs=attrs,
                        name=scope).outputs[0]


# --------------------------------------------------------------------------- crop, gamma

def random_crop(value, size, seed=None, name=None):
    """``tf.random_crop``: a random ``size``-shaped slice of ``value``.

    Raises:
      InvalidArgumentError: (at run time) ``size`` exceeds ``value``'s shape.
    """
    from tensorslim.core.ops import check_ops, control_flow_ops, manip_ops
    with name_scope(name, "random_crop", [value, size]) as scope:
        value = convert_to_tensor(value, name="value")
        size = convert_to_tensor(size, dtype=_dtypes.int32, name="size")
        shape = array_ops.shape(value)
        check = check_ops.Assert(math_ops.reduce_all(math_ops.greater_equal(shape, size)),
                                 ["Need value.shape >= size, got ", shape, size],
                                 summarize=1000)
        shape = control_flow_ops.with_dependencies([check], shape)
        limit = shape - size + 1
        offset = math_ops.floormod(
            random_uniform(array_ops.shape(shape), dtype=size.dtype, maxval=size.dtype.max,
                           seed=seed), limit)
        return manip_ops.slice(value, offset, size, name=scope)


def _gamma_shape(op):
    s = shape_from_shape_tensor(op.inputs[0])
    a = op.inputs[1].shape
    if s.ndims is None or a.ndims is None:
        return [unknown_shape()]
    return [s.concatenate(a)]


def _gamma_kernel(ctx, shape, alpha):
    dims = _dims(shape)
    a = ctx.to_host(alpha)
    v = ctx.state.standard_gamma(a, size=dims + a.shape)
    return ctx.to_device(v.astype(ctx.attrs["T"].as_numpy_dtype))


register_op("RandomGamma", shape=_gamma_shape, kernel=_gamma_kernel, make_context=_rng_context,
            stateful=True)


def random_gamma(shape, alpha, beta=None, dtype=_dtypes.float32, seed=None, name=None):
    """``tf.random_gamma``: Gamma(alpha, beta) samples of shape ``shape + broadcast(alpha,
    beta).shape`` (``beta`` is the inverse scale, default 1).

    Not differentiable (TF's implicit reparameterization gradient is not implemented).
    """
    dtype = _float_dtype(dtype, "random_gamma")
    with name_scope(name, "random_gamma", [shape, alpha, beta]):
        shape = convert_to_tensor(shape, name="shape", dtype=_dtypes.int32)
        alpha = convert_to_tensor(alpha, name="alpha", dtype=dtype)
        beta = convert_to_tensor(beta if beta is not None else 1, name="beta", dtype=dtype)
        alpha_broadcast = alpha + array_ops.zeros_like(beta)
        attrs = _seed_attrs(seed)
        attrs.update({"S": shape.dtype.base_dtype, "T": dtype})
        sample = apply_op("RandomGamma", [shape, alpha_broadcast], [dtype], attrs=attrs,
                          name="RandomGamma").outputs[0]
        return math_ops.maximum(np.finfo(dtype.as_numpy_dtype).tiny, sample / beta)
