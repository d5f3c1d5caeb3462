"""``tf.nn`` functions built from other ops: dropout, normalisation helpers, embeddings,
depthwise/separable convolution wrappers, xw_plus_b.

Each is written the way TF1 writes it (same name scopes, same op sequence), so graphs and
gradients match TensorFlow's; none registers an op of its own.
"""
import numbers

import numpy as np

from tensorslim.core import dtypes as _dtypes
from tensorslim.core.graph import Tensor, colocate_with, convert_to_tensor, name_scope
from tensorslim.core.op_util import constant_value
from tensorslim.core.ops import array_ops, math_ops, nn_ops, random_ops
from tensorslim.core.ops.nn_ops import lazy_op
from tensorslim.core.tensor_shape import TensorShape, as_shape

__all__ = ["dropout", "l2_normalize", "moments", "batch_normalization", "embedding_lookup",
           "zero_fraction", "xw_plus_b", "relu_layer", "depthwise_conv2d", "separable_conv2d",
           "log_sigmoid"]


def log_sigmoid(x, name=None):
    """``tf.log_sigmoid`` / ``tf.math.log_sigmoid``: ``log(1 / (1 + exp(-x)))``, stably.

    Computed as ``-softplus(-x)``, as TF does.

    Args:
      x: a float Tensor.
      name: the op's name (default "LogSigmoid").
    """
    with name_scope(name, "LogSigmoid", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        return math_ops.negative(nn_ops.softplus(math_ops.negative(x)), name=scope)


# --------------------------------------------------------------------------- dropout

def _noise_shape(x, noise_shape):
    """TF's _get_noise_shape: None means x's shape; None entries take x's dimension."""
    if noise_shape is None:
        if x.shape.is_fully_defined():
            return x.shape.as_list()
        return array_ops.shape(x)
    if isinstance(noise_shape, Tensor):
        return noise_shape
    try:
        ns = as_shape(noise_shape)
    except (TypeError, ValueError):
        return noise_shape
    if x.shape.ndims is not None and ns.ndims == x.shape.ndims:
        dims = [x.shape[i].value if d is None else d for i, d in enumerate(ns.as_list())]
        ns = TensorShape(dims)
    if ns.is_fully_defined():
        return ns.as_list()
    return noise_shape


def dropout(x, keep_prob=None, noise_shape=None, seed=None, name=None, rate=None):
    """``tf.nn.dropout``: zeroes elements with probability ``1 - keep_prob`` and scales the
    others by ``1 / keep_prob``, so the expected sum is unchanged.

    As TF1 does it: ``floor(keep_prob + random_uniform(noise_shape))`` is the 0/1 mask.

    Args:
      x: a floating-point Tensor.
      keep_prob: the probability of keeping each element: a float in (0, 1] or a scalar
        Tensor (a placeholder, to switch dropout off at test time by feeding 1.0).
      noise_shape: the shape of the random mask (broadcast against ``x``); None entries take
        ``x``'s dimension. Default: ``x``'s shape.
      seed: the op seed (see ``tf.set_random_seed``).
      name: the name scope (default "dropout").
      rate: the probability of dropping, ``1 - keep_prob`` (the TF2 spelling).

    Returns:
      A Tensor shaped like ``x``.

    Raises:
      ValueError: both or neither of keep_prob and rate, a probability out of range, or a
        non-floating ``x``.
    """
    if keep_prob is not None and rate is not None:
        raise ValueError("Cannot specify both 'keep_prob' and 'rate'.")
    if keep_prob is None and rate is None:
        raise ValueError("You must provide a rate to dropout.")
    if isinstance(keep_prob, numbers.Real) and not 0 < keep_prob <= 1:
        raise ValueError("keep_prob must be a scalar tensor or a float in the range (0, 1], "
                         "got %g" % keep_prob)
    if isinstance(rate, numbers.Real) and not 0 <= rate < 1:
        raise ValueError("rate must be a scalar tensor or a float in the range [0, 1), got %g"
                         % rate)
    with name_scope(name, "dropout", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        if not x.dtype.base_dtype.is_floating:
            raise ValueError("x has to be a floating point tensor since it's going to be "
                             "scaled. Got a %s tensor instead." % x.dtype.base_dtype.name)
        if rate is not None:
            if isinstance(rate, numbers.Real):
                keep_prob = 1.0 - float(rate)
            else:
                rate = convert_to_tensor(rate, dtype=x.dtype.base_dtype, name="rate")
                keep_prob = math_ops.subtract(1.0, rate)
        if isinstance(keep_prob, numbers.Real) and float(keep_prob) == 1:
            return x
        keep_prob = convert_to_tensor(keep_prob, dtype=x.dtype.base_dtype, name="keep_prob")
        if not keep_prob.shape.is_compatible_with(TensorShape([])):
            raise ValueError("Shapes %s and () are incompatible" % keep_prob.shape)
        kv = constant_value(keep_prob)
        if kv is not None and float(kv) == 1:
            return x
        shape = _noise_shape(x, noise_shape)
        # Uniform in [keep_prob, 1 + keep_prob): its floor is 1 with probability keep_prob.
        random_tensor = keep_prob + random_ops.random_uniform(shape, seed=seed,
                                                              dtype=x.dtype.base_dtype)
        binary_tensor = lazy_op("floor")(random_tensor)
        ret = math_ops.realdiv(x, keep_prob, name="div") * binary_tensor
        ret.set_shape(x.shape)
        return ret


# --------------------------------------------------------------------------- normalisation

def l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None):
    """``tf.nn.l2_normalize``: ``x / sqrt(max(sum(x ** 2, axis), epsilon))``.

    Args:
      x: a floating-point Tensor.
      axis: the dimension(s) to normalise along.
      epsilon: the lower bound on the squared norm (avoids dividing by 0).
      name: the op's name (default "l2_normalize").
      dim: the deprecated name of ``axis``.
    """
    if dim is not None:
        if axis is not None:
            raise ValueError("Cannot specify both 'axis' and 'dim'.")
        axis = dim
    with name_scope(name, "l2_normalize", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        square_sum = math_ops.reduce_sum(lazy_op("square")(x), axis, keepdims=True)
        x_inv_norm = lazy_op("rsqrt")(lazy_op("maximum")(square_sum, epsilon))
        return math_ops.multiply(x, x_inv_norm, name=scope)


def moments(x, axes, shift=None, name=None, keep_dims=None, keepdims=None):
    """``tf.nn.moments``: the mean and (biased) variance of ``x`` over ``axes``.

    Args:
      x: a Tensor.
      axes: ints, the axes to reduce (``[0]`` for a batch of vectors, ``[0, 1, 2]`` for
        per-channel statistics of NHWC images).
      shift: unused, as in TF.
      name: the name scope (default "moments").
      keep_dims: keep the reduced axes with size 1.
      keepdims: the new name of ``keep_dims``.

    Returns:
      ``(mean, variance)``.
    """
    if keepdims is not None:
        if keep_dims is not None:
            raise ValueError("Cannot specify both 'keep_dims' and 'keepdims'.")
        keep_dims = keepdims
    keep_dims = bool(keep_dims)
    with name_scope(name, "moments", [x, axes]):
        x = convert_to_tensor(x, name="x")
        y = math_ops.cast(x, _dtypes.float32) if x.dtype.base_dtype == _dtypes.float16 else x
        reduce_mean = lazy_op("reduce_mean")
        mean = reduce_mean(y, axes, keepdims=True, name="mean")
        variance = reduce_mean(
            lazy_op("squared_difference")(y, array_ops.stop_gradient(mean)), axes,
            keepdims=True, name="variance")
        if not keep_dims:
            squeeze_axes = [int(a) for a in np.asarray(axes).reshape(-1)]
            mean = array_ops.squeeze(mean, squeeze_axes)
            variance = array_ops.squeeze(variance, squeeze_axes)
        if x.dtype.base_dtype == _dtypes.float16:
            return math_ops.cast(mean, _dtypes.float16), math_ops.cast(variance, _dtypes.float16)
        return mean, variance


def batch_normalization(x, mean, variance, offset, scale, variance_epsilon, name=None):
    """``tf.nn.batch_normalization``: ``scale * (x - mean) / sqrt(variance + eps) + offset``.

    Args:
      x: the input Tensor.
      mean, variance: Tensors broadcastable to ``x`` (e.g. from ``tf.nn.moments``).
      offset: beta, broadcastable to ``x``, or None.
      scale: gamma, broadcastable to ``x``, or None.
      variance_epsilon: a small float added to the variance.
      name: the name scope (default "batchnorm").
    """
    with name_scope(name, "batchnorm", [x, mean, variance, scale, offset]):
        x = convert_to_tensor(x)
        inv = lazy_op("rsqrt")(variance + variance_epsilon)
        if scale is not None:
            inv = inv * scale
        dt = x.dtype.base_dtype
        shift = offset - mean * inv if offset is not None else -mean * inv
        return x * math_ops.cast(inv, dt) + math_ops.cast(shift, dt)


# --------------------------------------------------------------------------- embeddings

def _partition_rows(sizes, strategy):
    """For ids 0..N-1, the row of ``concat(params)`` holding each id under ``strategy``."""
    n = len(sizes)
    total = sum(sizes)
    ids = np.arange(total, dtype=np.int64)
    if strategy == "mod":
        p, local = ids % n, ids // n
    else:
        per, extras = total // n, total % n
        p = np.maximum(ids // (per + 1), (ids - extras) // max(per, 1))
        local = np.where(p < extras, ids % (per + 1), (ids - extras) % max(per, 1))
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    return (offsets[p] + local).astype(np.int32)


def _clip(params, ids, max_norm):
    if max_norm is None:
        return params
    ids_rank = ids.shape.ndims
    params_rank = params.shape.ndims
    if ids_rank is None or params_rank is None:
        raise NotImplementedError("embedding_lookup with max_norm needs static ranks")
    return lazy_op("clip_by_norm")(params, max_norm, axes=list(range(ids_rank, params_rank)))


def embedding_lookup(params, ids, partition_strategy="mod", name=None, validate_indices=True,
                     max_norm=None):
    """``tf.nn.embedding_lookup``: the rows of ``params`` at ``ids`` (a gather).

    Args:
      params: a Tensor or Variable ``[vocab, dims...]``, or a list of shards of it (split
        along the first dimension; ids are assigned to shards by ``partition_strategy``).
      ids: int32/int64 ids, any shape.
      partition_strategy: "mod" (id ``i`` in shard ``i % n``) or "div" (contiguous ranges).
      name: the op's name (default "embedding_lookup").
      validate_indices: accepted for compatibility.
      max_norm: if given, embeddings are clipped to this L2 norm.

    Returns:
      ``ids.shape + params.shape[1:]``.

    Raises:
      ValueError: no params, or a bad partition_strategy.
    """
    if params is None:
        raise ValueError("params must be specified")
    if isinstance(params, (list, tuple)) and not params:
        raise ValueError("Need at least one param")
    if not isinstance(params, (list, tuple)):
        params = [params]
    params = list(params)
    if partition_strategy not in ("mod", "div"):
        raise ValueError("Unrecognized partition strategy: " + str(partition_strategy))
    with name_scope(name, "embedding_lookup", params + [ids]) as scope:
        params = [convert_to_tensor(p, name="params") for p in params]
        ids = convert_to_tensor(ids, name="ids")
        from tensorslim.core.ops import manip_ops
        if len(params) == 1:
            with colocate_with(params[0].op):
                result = _clip(manip_ops.gather(params[0], ids, name=scope), ids, max_norm)
            return array_ops.identity(result)
        sizes = [p.shape[0].value if p.shape.ndims else None for p in params]
        if None in sizes:
            raise NotImplementedError("embedding_lookup over several shards needs shards of "
                                      "static first dimension")
        rows = array_ops.constant(_partition_rows(sizes, partition_strategy),
                                  name="partition_rows")
        table = array_ops.concat(params, 0)
        result = manip_ops.gather(table, manip_ops.gather(rows, ids), name=scope)
        return array_ops.identity(_clip(result, ids, max_norm))


# --------------------------------------------------------------------------- misc

def zero_fraction(value, name=None):
    """``tf.nn.zero_fraction``: the fraction of zeros in ``value``, as a float32 scalar.

    Args:
      value: a numeric Tensor.
      name: the name scope (default "zero_fraction").
    """
    with name_scope(name, "zero_fraction", [value]):
        value = convert_to_tensor(value, name="value")
        zero = array_ops.constant(0, dtype=value.dtype.base_dtype, name="zero")
        return lazy_op("reduce_mean")(math_ops.cast(lazy_op("equal")(value, zero),
                                                    _dtypes.float32))


def xw_plus_b(x, weights, biases, name=None):
    """``tf.nn.xw_plus_b``: ``matmul(x, weights) + biases``.

    Args:
      x: a 2-D Tensor ``[batch, in]``.
      weights: ``[in, out]``.
      biases: ``[out]``.
      name: the op's name (default "xw_plus_b").
    """
    with name_scope(name, "xw_plus_b", [x, weights, biases]) as scope:
        x = convert_to_tensor(x, name="x")
        weights = convert_to_tensor(weights, name="weights")
        biases = convert_to_tensor(biases, name="biases")
        mm = math_ops.matmul(x, weights)
        return nn_ops.bias_add(mm, biases, name=scope)


def relu_layer(x, weights, biases, name=None):
    """``tf.nn.relu_layer``: ``relu(matmul(x, weights) + biases)``.

    Args:
      x: a 2-D Tensor ``[batch, in]``.
      weights: ``[in, out]``.
      biases: ``[out]``.
      name: the op's name (default "relu_layer").
    """
    with name_scope(name, "relu_layer", [x, weights, biases]) as scope:
        x = convert_to_tensor(x, name="x")
        weights = convert_to_tensor(weights, name="weights")
        biases = convert_to_tensor(biases, name="biases")
        xw_b = nn_ops.bias_add(math_ops.matmul(x, weights), biases)
        return nn_ops.relu(xw_b, name=scope)


# --------------------------------------------------------------------------- depthwise

def _rate_dilations(rate, strides, data_format):
    rate = [1, 1] if rate is None else [int(r) for r in np.broadcast_to(rate, (2,))]
    if any(r < 1 for r in rate):
        raise ValueError("dilation_rate must be positive")
    if any(r > 1 for r in rate) and any(int(s) > 1 for s in strides):
        raise ValueError("strides > 1 not supported in conjunction with dilation_rate > 1")
    if data_format == "NCHW":
        return [1, 1] + rate
    return [1] + rate + [1]


def depthwise_conv2d(input, filter, strides, padding, rate=None, name=None,  # noqa: A002
                     data_format=None, dilations=None):
    """``tf.nn.depthwise_conv2d``: each input channel convolved with its own
    ``channel_multiplier`` filters, outputs concatenated along channels.

    Args:
      input: a 4-D float Tensor (NHWC, or NCHW with ``data_format``).
      filter: ``[height, width, in_channels, channel_multiplier]``.
      strides: 4 ints in ``data_format`` order.
      padding: "SAME" or "VALID".
      rate: the dilation in height and width (strides must be 1 when above 1).
      name: the op's name (default "depthwise").
      data_format: "NHWC" (default) or "NCHW".
      dilations: the TF2 name of ``rate``.
    """
    if dilations is not None:
        if rate is not None:
            raise ValueError("Cannot specify both 'dilations' and 'rate'.")
        rate = dilations
    with name_scope(name, "depthwise", [input, filter]) as scope:
        input = convert_to_tensor(input, name="tensor_in")
        filter = convert_to_tensor(filter, name="filter_in")
        dil = _rate_dilations(rate, strides, data_format)
        return nn_ops.depthwise_conv2d_native(input, filter, strides, padding,
                                              data_format=data_format or "NHWC",
                                              dilations=dil, name=scope)


def separable_conv2d(input, depthwise_filter, pointwise_filter, strides, padding,  # noqa: A002
                     rate=None, name=None, data_format=None, dilations=None):
    """``tf.nn.separable_conv2d``: a depthwise convolution followed by a 1x1 convolution.

    Args:
      input: a 4-D float Tensor.
      depthwise_filter: ``[height, width, in_channels, channel_multiplier]``.
      pointwise_filter: ``[1, 1, in_channels * channel_multiplier, out_channels]``.
      strides: 4 ints for the depthwise convolution.
      padding: "SAME" or "VALID" (the pointwise step is always VALID).
      rate: the dilation of the depthwise convolution.
      name: the op's name (default "separable_conv2d").
      data_format: "NHWC" (default) or "NCHW".
      dilations: the TF2 name of ``rate``.

    Raises:
      ValueError: the pointwise filter is not 1x1.
    """
    if dilations is not None:
        rate = dilations
    with name_scope(name, "separable_conv2d",
                    [input, depthwise_filter, pointwise_filter]) as scope:
        input = convert_to_tensor(input, name="tensor_in")
        depthwise_filter = convert_to_tensor(depthwise_filter, name="depthwise_filter")
        pointwise_filter = convert_to_tensor(pointwise_filter, name="pointwise_filter")
        ps = pointwise_filter.shape
        if ps.ndims is not None:
            if ps.ndims != 4:
                raise ValueError("Shape %s must have rank 4" % ps)
            for i in (0, 1):
                if ps[i].value is not None and ps[i].value != 1:
                    raise ValueError("Dimensions %d and 1 are not compatible" % ps[i].value)
        dil = _rate_dilations(rate, strides, data_format)
        depthwise = nn_ops.depthwise_conv2d_native(input, depthwise_filter, strides, padding,
                                                   data_format=data_format or "NHWC",
                                                   dilations=dil, name="depthwise")
        return nn_ops.conv2d(depthwise, pointwise_filter, [1, 1, 1, 1], padding="VALID",
                             data_format=data_format or "NHWC", name=scope)
