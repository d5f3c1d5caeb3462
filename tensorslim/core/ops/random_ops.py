"""Random ops, seeded as TensorFlow 1.x seeds them (graph seed + op seed).

Each op draws from its own generator, created once per session from its two seeds, so a
graph with ``tf.set_random_seed`` gives the same values in every new session. Values are
drawn on the host and moved to the op's device.
"""
import numpy as np

from tensorslim.core import dtypes as _dtypes
from tensorslim.core.graph import Tensor, convert_to_tensor, name_scope
from tensorslim.core.op_util import apply_op, shape_from_shape_tensor
from tensorslim.core.ops import array_ops, math_ops
from tensorslim.core.random_seed import get_seed
from tensorslim.core.registry import not_differentiable_marker, register_op

__all__ = ["random_uniform", "random_normal", "truncated_normal", "rng_for"]

_NO_GRAD = not_differentiable_marker()


def rng_for(ctx):
    """Creates the op's generator from its ``seed``/``seed2`` attrs (fresh entropy if 0)."""
    seed, seed2 = ctx.attrs.get("seed", 0), ctx.attrs.get("seed2", 0)
    if seed == 0 and seed2 == 0:
        return np.random.default_rng()
    return np.random.default_rng([int(seed) & 0xFFFFFFFF, int(seed2) & 0xFFFFFFFF])


def _rng_context(ctx):
    ctx.state = rng_for(ctx)


def _dims(shape):
    return tuple(int(d) for d in (shape.tolist() if hasattr(shape, "tolist") else shape))


def _np_float(ctx):
    return ctx.attrs["dtype"].as_numpy_dtype


def _uniform_kernel(ctx, shape):
    dt = _np_float(ctx)
    if dt in (np.float32, np.float64):
        v = ctx.state.random(_dims(shape), dtype=dt)
    else:
        v = ctx.state.random(_dims(shape)).astype(dt)
    return ctx.to_device(v)


def _normal_kernel(ctx, shape):
    dt = _np_float(ctx)
    if dt in (np.float32, np.float64):
        v = ctx.state.standard_normal(_dims(shape), dtype=dt)
    else:
        v = ctx.state.standard_normal(_dims(shape)).astype(dt)
    return ctx.to_device(v)


def _truncated_kernel(ctx, shape):
    dt = _np_float(ctx)
    dims = _dims(shape)
    v = ctx.state.standard_normal(dims)
    bad = np.abs(v) > 2.0
    while bad.any():
        v[bad] = ctx.state.standard_normal(int(bad.sum()))
        bad = np.abs(v) > 2.0
    return ctx.to_device(v.astype(dt))


def _uniform_int_kernel(ctx, shape, minval, maxval):
    dt = ctx.attrs["Tout"].as_numpy_dtype
    lo, hi = int(minval), int(maxval)
    if lo >= hi:
        raise ValueError("Need minval < maxval, got %d >= %d" % (lo, hi))
    return ctx.to_device(ctx.state.integers(lo, hi, size=_dims(shape)).astype(dt))


def _shape_fn(op):
    return [shape_from_shape_tensor(op.inputs[0])]


for _type, _kernel in (("RandomUniform", _uniform_kernel),
                       ("RandomStandardNormal", _normal_kernel),
                       ("TruncatedNormal", _truncated_kernel),
                       ("RandomUniformInt", _uniform_int_kernel)):
    register_op(_type, shape=_shape_fn, kernel=_kernel, make_context=_rng_context,
                stateful=True, grad=_NO_GRAD)


def _shape_input(shape):
    if isinstance(shape, Tensor):
        return shape
    return array_ops._shape_tensor(shape, "shape")


def _random_op(op_type, shape, dtype, seed, name, extra_inputs=(), dtype_attr="dtype"):
    seed1, seed2 = get_seed(seed)
    shape_t = _shape_input(shape)
    return apply_op(op_type, [shape_t] + list(extra_inputs), [dtype],
                    attrs={"seed": seed1 or 0, "seed2": seed2 or 0, dtype_attr: dtype,
                           "T": shape_t.dtype},
                    name=name).outputs[0]


def random_uniform(shape, minval=0, maxval=None, dtype=_dtypes.float32, seed=None, name=None):
    """``tf.random_uniform``: values uniform in ``[minval, maxval)``.

    For integer dtypes ``maxval`` is required and values are integers.
    """
    dtype = _dtypes.as_dtype(dtype).base_dtype
    if maxval is None:
        if dtype.is_integer:
            raise ValueError("Must specify maxval for integer dtype %r" % dtype)
        maxval = 1
    with name_scope(name, "random_uniform", [shape, minval, maxval]) as scope:
        if dtype.is_integer:
            lo = convert_to_tensor(minval, dtype=dtype, name="min")
            hi = convert_to_tensor(maxval, dtype=dtype, name="max")
            return _random_op("RandomUniformInt", shape, dtype, seed, scope, (lo, hi),
                              dtype_attr="Tout")
        lo = convert_to_tensor(minval, dtype=dtype, name="min")
        hi = convert_to_tensor(maxval, dtype=dtype, name="max")
        rnd = _random_op("RandomUniform", shape, dtype, seed, "RandomUniform")
        return math_ops.add(rnd * (hi - lo), lo, name=scope)


def random_normal(shape, mean=0.0, stddev=1.0, dtype=_dtypes.float32, seed=None, name=None):
    """``tf.random_normal``: normally distributed values."""
    dtype = _dtypes.as_dtype(dtype).base_dtype
    with name_scope(name, "random_normal", [shape, mean, stddev]) as scope:
        mean_t = convert_to_tensor(mean, dtype=dtype, name="mean")
        std_t = convert_to_tensor(stddev, dtype=dtype, name="stddev")
        rnd = _random_op("RandomStandardNormal", shape, dtype, seed, "RandomStandardNormal")
        mul = rnd * std_t
        return math_ops.add(mul, mean_t, name=scope)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=_dtypes.float32, seed=None,
                     name=None):
    """``tf.truncated_normal``: normal values, re-drawn when more than 2 stddevs out."""
    dtype = _dtypes.as_dtype(dtype).base_dtype
    with name_scope(name, "truncated_normal", [shape, mean, stddev]) as scope:
        mean_t = convert_to_tensor(mean, dtype=dtype, name="mean")
        std_t = convert_to_tensor(stddev, dtype=dtype, name="stddev")
        rnd = _random_op("TruncatedNormal", shape, dtype, seed, "TruncatedNormal")
        mul = rnd * std_t
        return math_ops.add(mul, mean_t, name=scope)
