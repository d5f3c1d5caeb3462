"""Neural-network ops (``tf.nn``): activations, softmax, bias_add, convolution, pooling,
local response normalisation, fused batch normalisation, top-k.

Every op is registered here under TensorFlow's type name with its attrs, a shape function
that rejects bad inputs at graph-construction time with TF's messages, a kernel (the array
code lives in :mod:`tensorslim.core.kernels.nn` and :mod:`tensorslim.core.kernels.nn_extra`)
and a gradient built from graph ops. The gradient ops (``ReluGrad``, ``Conv2DBackpropInput``,
``MaxPoolGrad`` ...) are ops of their own, as in TF, so a ``tf.gradients`` graph reads like
TensorFlow's and can be exported. Compositions (dropout, moments, the cross-entropy losses)
are in :mod:`tensorslim.core.ops.nn_impl` and :mod:`tensorslim.core.ops.nn_losses`.
"""
import collections
import numbers

import numpy as np

from tensorslim.core import dtypes as _dtypes
from tensorslim.core import errors
from tensorslim.core.graph import Tensor, convert_to_tensor, name_scope
from tensorslim.core.kernels import nn as _k
from tensorslim.core.kernels import nn_extra as _kx
from tensorslim.core.op_util import (apply_op, binary_inputs, constant_value, same_shape_fn,
                                     shape_from_shape_tensor)
from tensorslim.core.ops import array_ops, math_ops
from tensorslim.core.registry import has_op_def, not_differentiable_marker, register_op
from tensorslim.core.tensor_shape import TensorShape, unknown_shape

__all__ = [
    "relu", "relu6", "elu", "selu", "leaky_relu", "softplus", "softsign",
    "softmax", "log_softmax", "bias_add", "conv2d", "conv2d_backprop_input",
    "conv2d_backprop_filter", "conv2d_transpose", "conv1d", "convolution", "atrous_conv2d",
    "depthwise_conv2d_native", "depthwise_conv2d_native_backprop_input",
    "depthwise_conv2d_native_backprop_filter", "max_pool", "avg_pool", "max_pool_with_argmax",
    "lrn", "local_response_normalization", "fused_batch_norm", "in_top_k", "top_k",
    "lazy_op",
]

_NO_GRAD = not_differentiable_marker()
_FLOATS = (_dtypes.float16, _dtypes.bfloat16, _dtypes.float32, _dtypes.float64)
_REALS = _FLOATS + (_dtypes.int8, _dtypes.int16, _dtypes.int32, _dtypes.int64, _dtypes.uint8,
                    _dtypes.uint16, _dtypes.uint32, _dtypes.uint64)
_PADDINGS = ("SAME", "VALID")
_FORMATS = ("NHWC", "NCHW")


# --------------------------------------------------------------------------- helpers

def lazy_op(name):
    """The public function ``tf.<name>``, looked up when first needed.

    Ops from other modules (``exp``, ``transpose`` ...) are resolved at call time so that
    this module does not depend on their import order.

    Raises:
      NotImplementedError: tensorslim has no such function.
    """
    from tensorslim.core.ops import manip_ops
    for mod in (math_ops, array_ops, manip_ops):
        fn = getattr(mod, name, None)
        if callable(fn):
            return fn
    import tensorslim
    fn = getattr(tensorslim, name, None)
    if callable(fn):
        return fn
    raise NotImplementedError("tf.nn needs tf.%s, which tensorslim does not provide." % name)


def _as_str(value):
    return value.decode("ascii", "replace") if isinstance(value, bytes) else value


def _choice(op_type, attr, value, allowed):
    """Checks a string attr as TF's op builder does (ValueError naming the attr and op)."""
    value = _as_str(value)
    if value not in allowed:
        raise ValueError("Attr '%s' of '%s' Op passed string '%s' not in: %s."
                         % (attr, op_type, value, ", ".join('"%s"' % a for a in allowed)))
    return value


def _int_list(op_type, attr, value):
    if isinstance(value, (Tensor, str, bytes)) or not hasattr(value, "__iter__"):
        raise TypeError("Expected list for attr %s, got %r of type '%s' instead."
                        % (attr, value, type(value).__name__))
    try:
        return [int(v) for v in value]
    except (TypeError, ValueError):
        raise TypeError("Expected int for attr %s of '%s' Op, got %r." % (attr, op_type,
                                                                          list(value))) from None


def _check_dtype(op_type, param, tensor, allowed=_FLOATS):
    dt = tensor.dtype.base_dtype
    if dt not in allowed:
        raise TypeError("Value passed to parameter '%s' has DataType %s not in list of allowed "
                        "values: %s" % (param, dt.name, ", ".join(a.name for a in allowed)))
    return dt


def _unary(op_type, x, name, param="features", allowed=_FLOATS, attrs=None):
    x = convert_to_tensor(x)
    dt = _check_dtype(op_type, param, x, allowed)
    a = {"T": dt}
    a.update(attrs or {})
    return apply_op(op_type, [x], [dt], attrs=a, name=name or op_type).outputs[0]


def _with_rank(shape, rank):
    if shape.ndims is not None and shape.ndims != rank:
        raise ValueError("Shape must be rank %d but is rank %d" % (rank, shape.ndims))
    return shape.as_list() if shape.ndims is not None else [None] * rank


def _merge_dim(a, b):
    if a is not None and b is not None and a != b:
        raise ValueError("Dimensions must be equal, but are %d and %d" % (a, b))
    return a if a is not None else b


def _shape_of(t):
    """The shape of ``t`` as an int32 tensor: a constant when static, else a Shape op."""
    if t.shape.is_fully_defined():
        return array_ops.constant(np.array(t.shape.as_list(), np.int32), name="Shape")
    return array_ops.shape(t)


def _windowed(in_size, k, stride, dilation, padding):
    """TF's GetWindowedOutputSize for one spatial dimension (None when unknown)."""
    if in_size is None or k is None:
        return None
    eff = (k - 1) * dilation + 1
    if padding == "VALID":
        num = in_size - eff + stride
        out = num // stride if num >= 0 else -((-num) // stride)
        if out < 0:
            raise ValueError("Computed output size would be negative: %d [input_size: %d, "
                             "effective_filter_size: %d, stride: %d]"
                             % (out, in_size, eff, stride))
        return out
    return (in_size + stride - 1) // stride


def _spatial_attr(op, attr, nchw, what):
    vals = op.get_attr(attr)
    if len(vals) != 4:
        raise ValueError("%s requires the %s attribute to contain 4 values, but got: %d"
                         % (op.type, what, len(vals)))
    n, c = (vals[0], vals[1]) if nchw else (vals[0], vals[3])
    if n != 1 or c != 1:
        raise ValueError("Current implementation does not yet support %ss in the batch and "
                         "depth dimensions." % what)
    if any(v < 1 for v in vals):
        raise ValueError("%s requires positive %ss, got %s" % (op.type, what, list(vals)))
    return (vals[2], vals[3]) if nchw else (vals[1], vals[2])


def _nchw(op):
    return _as_str(op._attrs.get("data_format", "NHWC")) == "NCHW"


def _to_nhwc(dims, nchw):
    return [dims[0], dims[2], dims[3], dims[1]] if nchw else list(dims)


def _from_nhwc(dims, nchw):
    return TensorShape([dims[0], dims[3], dims[1], dims[2]] if nchw else dims)


def _copy_attrs(op, names):
    return {n: op.get_attr(n) for n in names if n in op._attrs}


# --------------------------------------------------------------------------- activations

def _activation(op_type, kernel, grad, grad_op=None, grad_kernel=None, grad_grad=None):
    if not has_op_def(op_type):
        register_op(op_type, shape=same_shape_fn, kernel=kernel, grad=grad)
    if grad_op is not None and not has_op_def(grad_op):
        register_op(grad_op, shape=_binary_same_shape, kernel=grad_kernel, grad=grad_grad)


def _binary_same_shape(op):
    a, b = op.inputs[0].shape, op.inputs[1].shape
    try:
        return [a.merge_with(b)]
    except ValueError:
        raise ValueError("Shapes %s and %s are not compatible" % (a, b)) from None


def _grad_op(op_type, a, b, attrs=None, name=None):
    dt = a.dtype.base_dtype
    full = {"T": dt}
    full.update(attrs or {})
    return apply_op(op_type, [a, b], [dt], attrs=full, name=name or op_type).outputs[0]


# As TF, ReluGrad and Relu6Grad get the activation's output (the same mask as its input).
_activation("Relu", lambda ctx, x: _kx.relu(ctx.xp, x),
            lambda op, g: [_grad_op("ReluGrad", g, op.outputs[0])],
            "ReluGrad", lambda ctx, dy, x: _kx.relu_grad(ctx.xp, dy, x),
            lambda op, g: [_grad_op("ReluGrad", g, op.inputs[1]),
                           array_ops.zeros_like(op.inputs[1])])
_activation("Relu6", lambda ctx, x: _kx.relu6(ctx.xp, x),
            lambda op, g: [_grad_op("Relu6Grad", g, op.outputs[0])],
            "Relu6Grad", lambda ctx, dy, x: _kx.relu6_grad(ctx.xp, dy, x),
            lambda op, g: [_grad_op("Relu6Grad", g, op.inputs[1]),
                           array_ops.zeros_like(op.inputs[1])])


def _negative_output_grad_grad(grad_type):
    # EluGrad/SeluGrad(dy, y) are dy * (y + c) where y < 0 and dy elsewhere (c a constant).
    def grad_grad(op, g):
        dy, y = op.inputs
        return [_grad_op(grad_type, g, y),
                math_ops.where(y < 0.0, g * dy, array_ops.zeros_like(dy))]
    return grad_grad


def _softplus_grad_grad(op, g):
    dy, x = op.inputs
    return [_grad_op("SoftplusGrad", g, x),
            g * dy / (math_ops.exp(-x) + 2.0 + math_ops.exp(x))]


def _softsign_grad_grad(op, g):
    dy, x = op.inputs
    d = 1.0 + math_ops.abs(x)
    return [_grad_op("SoftsignGrad", g, x), -2.0 * g * dy * math_ops.sign(x) / (d * d * d)]


_activation("Elu", lambda ctx, x: _kx.elu(ctx.xp, x),
            lambda op, g: [_grad_op("EluGrad", g, op.outputs[0])],
            "EluGrad", lambda ctx, dy, y: _kx.elu_grad(ctx.xp, dy, y),
            _negative_output_grad_grad("EluGrad"))
_activation("Selu", lambda ctx, x: _kx.selu(ctx.xp, x),
            lambda op, g: [_grad_op("SeluGrad", g, op.outputs[0])],
            "SeluGrad", lambda ctx, dy, y: _kx.selu_grad(ctx.xp, dy, y),
            _negative_output_grad_grad("SeluGrad"))
_activation("LeakyRelu", lambda ctx, x: _kx.leaky_relu(ctx.xp, x, ctx.attrs["alpha"]),
            lambda op, g: [_grad_op("LeakyReluGrad", g, op.inputs[0],
                                    {"alpha": op.get_attr("alpha")})],
            "LeakyReluGrad",
            lambda ctx, dy, x: _kx.leaky_relu_grad(ctx.xp, dy, x, ctx.attrs["alpha"]),
            lambda op, g: [_grad_op("LeakyReluGrad", g, op.inputs[1],
                                    {"alpha": op.get_attr("alpha")}),
                           array_ops.zeros_like(op.inputs[1])])
_activation("Softplus", lambda ctx, x: _kx.softplus(ctx.xp, x),
            lambda op, g: [_grad_op("SoftplusGrad", g, op.inputs[0])],
            "SoftplusGrad", lambda ctx, dy, x: _kx.softplus_grad(ctx.xp, dy, x),
            _softplus_grad_grad)
_activation("Softsign", lambda ctx, x: _kx.softsign(ctx.xp, x),
            lambda op, g: [_grad_op("SoftsignGrad", g, op.inputs[0])],
            "SoftsignGrad", lambda ctx, dy, x: _kx.softsign_grad(ctx.xp, dy, x),
            _softsign_grad_grad)


def _sigmoid_grad_grad(op, g):
    y, dy = op.inputs
    gb = g * dy
    return [gb - 2.0 * gb * y, _grad_op("SigmoidGrad", y, g)]


def _tanh_grad_grad(op, g):
    y, dy = op.inputs
    return [g * -2.0 * dy * y, _grad_op("TanhGrad", y, g)]


# Sigmoid and Tanh are math ops (math_ops.py). Their gradient ops, which TF graphs contain,
# are registered here; SigmoidGrad/TanhGrad take (y, dy): the op's output first, as in TF.
for _op_type, _kernel, _gg in (
        ("SigmoidGrad", lambda ctx, y, dy: _kx.sigmoid_grad(ctx.xp, y, dy), _sigmoid_grad_grad),
        ("TanhGrad", lambda ctx, y, dy: _kx.tanh_grad(ctx.xp, y, dy), _tanh_grad_grad)):
    if not has_op_def(_op_type):
        register_op(_op_type, shape=_binary_same_shape, kernel=_kernel, grad=_gg)


def relu(features, name=None):
    """``tf.nn.relu``: ``max(features, 0)``.

    Args:
      features: a real-valued Tensor.
      name: the op's name (default "Relu").

    Returns:
      A Tensor of the same type and shape.
    """
    return _unary("Relu", features, name, allowed=_REALS)


def relu6(features, name=None):
    """``tf.nn.relu6``: ``min(max(features, 0), 6)``.

    Args:
      features: a real-valued Tensor.
      name: the op's name (default "Relu6").

    Returns:
      A Tensor of the same type and shape.
    """
    with name_scope(name, "Relu6", [features]) as scope:
        return _unary("Relu6", features, scope, allowed=_REALS)


def elu(features, name=None):
    """``tf.nn.elu``: ``features`` if positive, ``exp(features) - 1`` otherwise.

    Args:
      features: a floating-point Tensor.
      name: the op's name (default "Elu").

    Returns:
      A Tensor of the same type and shape.
    """
    return _unary("Elu", features, name)


def selu(features, name=None):
    """``tf.nn.selu``: ``scale * elu(features)`` with SELU's alpha and scale constants.

    Args:
      features: a floating-point Tensor.
      name: the op's name (default "Selu").

    Returns:
      A Tensor of the same type and shape.
    """
    return _unary("Selu", features, name)


def leaky_relu(features, alpha=0.2, name=None):
    """``tf.nn.leaky_relu``: ``features`` if positive, ``alpha * features`` otherwise.

    Args:
      features: a floating-point Tensor (integers are cast to float32, as TF does).
      alpha: the slope for negative inputs.
      name: the name scope (default "LeakyRelu").
    """
    with name_scope(name, "LeakyRelu", [features, alpha]) as scope:
        features = convert_to_tensor(features, name="features")
        if features.dtype.base_dtype.is_integer:
            features = math_ops.cast(features, _dtypes.float32)
        if isinstance(alpha, np.ndarray):
            alpha = alpha.item()
        if not isinstance(alpha, numbers.Real):
            raise TypeError("Expected float for argument 'alpha' not %r." % (alpha,))
        return _unary("LeakyRelu", features, scope, attrs={"alpha": float(alpha)})


def softplus(features, name=None):
    """``tf.nn.softplus``: ``log(exp(features) + 1)``, computed without overflow.

    Args:
      features: a floating-point Tensor.
      name: the op's name (default "Softplus").

    Returns:
      A Tensor of the same type and shape.
    """
    return _unary("Softplus", features, name)


def softsign(features, name=None):
    """``tf.nn.softsign``: ``features / (abs(features) + 1)``.

    Args:
      features: a floating-point Tensor.
      name: the op's name (default "Softsign").

    Returns:
      A Tensor of the same type and shape.
    """
    return _unary("Softsign", features, name)


# --------------------------------------------------------------------------- softmax

def _softmax_shape(op):
    s = op.inputs[0].shape
    if s.ndims is not None and s.ndims < 1:
        raise ValueError("Shape must be at least rank 1 but is rank %d" % s.ndims)
    return [s]


def _softmax_grad(op, grad):
    y = op.outputs[0]
    sum_channels = math_ops.reduce_sum(grad * y, -1, keepdims=True)
    return [(grad - sum_channels) * y]


def _log_softmax_grad(op, grad):
    y = lazy_op("exp")(op.outputs[0])
    return [grad - math_ops.reduce_sum(grad, -1, keepdims=True) * y]


register_op("Softmax", shape=_softmax_shape, kernel=lambda ctx, x: _k.softmax(ctx.xp, x),
            grad=_softmax_grad)
register_op("LogSoftmax", shape=_softmax_shape,
            kernel=lambda ctx, x: _k.log_softmax(ctx.xp, x), grad=_log_softmax_grad)


def _softmax_op(op_type, logits, axis, name):
    logits = convert_to_tensor(logits)
    _check_dtype(op_type, "logits", logits)
    if axis is None:
        axis = -1
    ndims = logits.shape.ndims
    dim = constant_value(axis) if isinstance(axis, Tensor) else axis
    dt = logits.dtype.base_dtype
    if dim is not None and (int(dim) == -1 or (ndims is not None and int(dim) == ndims - 1)):
        return apply_op(op_type, [logits], [dt], attrs={"T": dt},
                        name=name or op_type).outputs[0]
    if dim is not None and ndims is not None and not -ndims <= int(dim) < ndims:
        raise errors.InvalidArgumentError(
            None, None, "Dimension (%d) must be in the range [%d, %d) where %d is the number "
            "of dimensions in the input." % (int(dim), -ndims, ndims, ndims))
    if dim is None or ndims is None:
        raise NotImplementedError("%s over a dynamic axis or of an input of unknown rank is "
                                  "not supported" % op_type)
    # Move the axis to the end, apply the op, move it back (a swap is its own inverse).
    dim = int(dim) % ndims
    perm = list(range(ndims))
    perm[dim], perm[-1] = perm[-1], perm[dim]
    transpose = lazy_op("transpose")
    out = apply_op(op_type, [transpose(logits, perm)], [dt], attrs={"T": dt},
                   name=op_type).outputs[0]
    return transpose(out, perm, name=name)


def softmax(logits, axis=None, name=None, dim=None):
    """``tf.nn.softmax``: ``exp(logits) / reduce_sum(exp(logits), axis)``, numerically stable.

    Args:
      logits: a non-empty floating-point Tensor.
      axis: the dimension softmax runs over (default -1, the last).
      name: the op's name.
      dim: the deprecated name of ``axis``.

    Raises:
      InvalidArgumentError: ``axis`` is out of range.
      TypeError: ``logits`` is not floating point.
    """
    if dim is not None:
        if axis is not None:
            raise ValueError("Cannot specify both 'axis' and 'dim'.")
        axis = dim
    return _softmax_op("Softmax", logits, axis, name)


def log_softmax(logits, axis=None, name=None, dim=None):
    """``tf.nn.log_softmax``: ``logits - log(reduce_sum(exp(logits), axis))``, stable.

    Args:
      logits: a non-empty floating-point Tensor.
      axis: the dimension to normalise over (default -1).
      name: the op's name.
      dim: the deprecated name of ``axis``.
    """
    if dim is not None:
        if axis is not None:
            raise ValueError("Cannot specify both 'axis' and 'dim'.")
        axis = dim
    return _softmax_op("LogSoftmax", logits, axis, name)


# --------------------------------------------------------------------------- bias_add

def _bias_add_shape(op):
    value, bias = op.inputs
    vs = value.shape
    if vs.ndims is not None and vs.ndims < 2:
        raise ValueError("Shape must be at least rank 2 but is rank %d" % vs.ndims)
    bdim = _with_rank(bias.shape, 1)[0]
    if vs.ndims is None:
        return [vs]
    dims = vs.as_list()
    axis = 1 if _nchw(op) and vs.ndims >= 3 else vs.ndims - 1
    dims[axis] = _merge_dim(dims[axis], bdim)
    return [TensorShape(dims)]


def _bias_add_grad_shape(op):
    s = op.inputs[0].shape
    if s.ndims is None:
        return [TensorShape([None])]
    if s.ndims < 2:
        raise ValueError("Shape must be at least rank 2 but is rank %d" % s.ndims)
    axis = 1 if _nchw(op) and s.ndims >= 3 else s.ndims - 1
    return [TensorShape([s.as_list()[axis]])]


def _bias_add_kernel(ctx, value, bias):
    return _k.bias_add(ctx.xp, value, bias, _bias_format(ctx.attrs, value.ndim))


def _bias_format(attrs, ndim):
    # TF treats NCHW on a rank-2 tensor as channels last.
    fmt = _as_str(attrs.get("data_format", "NHWC"))
    return "NHWC" if ndim < 3 else fmt


def _bias_add_grad_op(grad, data_format, name="BiasAddGrad"):
    dt = grad.dtype.base_dtype
    return apply_op("BiasAddGrad", [grad], [dt], attrs={"T": dt, "data_format": data_format},
                    name=name).outputs[0]


def _bias_add_grad_grad(op, grad):
    # BiasAddGrad sums over every axis but the channel one: its gradient broadcasts back.
    x = op.inputs[0]
    rank = x.shape.ndims
    if rank is None:
        raise NotImplementedError("The gradient of BiasAddGrad needs an input of known rank.")
    axis = 1 if _nchw(op) and rank >= 3 else rank - 1
    shape = [1] * rank
    shape[axis] = -1
    from tensorslim.core.ops import manip_ops
    return [manip_ops.broadcast_like(array_ops.reshape(grad, shape), x)]


register_op("BiasAdd", shape=_bias_add_shape, kernel=_bias_add_kernel,
            grad=lambda op, g: [g, _bias_add_grad_op(g, op._attrs.get("data_format",
                                                                        "NHWC"))])
register_op("BiasAddGrad", shape=_bias_add_grad_shape,
            kernel=lambda ctx, dy: _k.bias_add_grad(ctx.xp, dy,
                                                    _bias_format(ctx.attrs, dy.ndim)),
            grad=_bias_add_grad_grad)


def bias_add(value, bias, data_format=None, name=None):
    """``tf.nn.bias_add``: adds the 1-D ``bias`` along the channel dimension of ``value``.

    Args:
      value: a Tensor of rank at least 2.
      bias: a 1-D Tensor with as many entries as ``value`` has channels.
      data_format: "NHWC" (channels last, the default) or "NCHW" (channels in dimension 1).
      name: the name scope (default "BiasAdd").

    Raises:
      ValueError: ``bias`` is not 1-D or its size differs from the channel dimension.
    """
    with name_scope(name, "BiasAdd", [value, bias]) as scope:
        fmt = "NHWC" if data_format is None else _choice("BiasAdd", "data_format", data_format,
                                                         _FORMATS)
        value = convert_to_tensor(value, name="input")
        bias = convert_to_tensor(bias, dtype=value.dtype.base_dtype, name="bias")
        dt = _check_dtype("BiasAdd", "value", value, _REALS)
        return apply_op("BiasAdd", [value, bias], [dt], attrs={"T": dt, "data_format": fmt},
                        name=scope).outputs[0]


# --------------------------------------------------------------------------- convolution

_CONV_ATTRS = ("strides", "padding", "data_format", "dilations", "use_cudnn_on_gpu",
               "explicit_paddings")


def _conv_geometry(op, x_shape, kh, kw, nchw):
    """(oh, ow) for a 2-D window op over NHWC dims ``x_shape``."""
    sh, sw = _spatial_attr(op, "strides", nchw, "stride")
    dh, dw = (_spatial_attr(op, "dilations", nchw, "dilation") if "dilations" in op._attrs
              else (1, 1))
    padding = _as_str(op.get_attr("padding"))
    return (_windowed(x_shape[1], kh, sh, dh, padding), _windowed(x_shape[2], kw, sw, dw,
                                                                  padding))


def _conv2d_shape(op):
    nchw = _nchw(op)
    xd = _to_nhwc(_with_rank(op.inputs[0].shape, 4), nchw)
    kh, kw, ci, co = _with_rank(op.inputs[1].shape, 4)
    _merge_dim(xd[3], ci)
    oh, ow = _conv_geometry(op, xd, kh, kw, nchw)
    return [_from_nhwc([xd[0], oh, ow, co], nchw)]


def _conv_kernel_args(attrs):
    return (attrs["strides"], _as_str(attrs["padding"]), attrs.get("dilations", (1, 1, 1, 1)),
            _as_str(attrs.get("data_format", "NHWC")))


def _backprop_input_shape(op):
    s = shape_from_shape_tensor(op.inputs[0])
    if s.ndims is None:
        return [unknown_shape(4)]
    _with_rank(s, 4)
    _with_rank(op.inputs[1].shape, 4)
    _with_rank(op.inputs[2].shape, 4)
    return [s]


def _backprop_filter_shape(op):
    s = shape_from_shape_tensor(op.inputs[1])
    if s.ndims is None:
        return [unknown_shape(4)]
    _with_rank(s, 4)
    _with_rank(op.inputs[0].shape, 4)
    _with_rank(op.inputs[2].shape, 4)
    return [s]


def _register_conv_family(fwd, fwd_shape, attr_names, kernels):
    """Registers ``fwd`` and its ``<fwd>BackpropInput``/``<fwd>BackpropFilter`` ops.

    ``kernels`` are the forward, input-gradient and filter-gradient kernel functions; the
    gradients of all three ops are built from the other two, with the attrs in
    ``attr_names`` copied over.
    """
    bwd_input, bwd_filter = fwd + "BackpropInput", fwd + "BackpropFilter"
    fwd_kernel, input_kernel, filter_kernel = kernels

    def fwd_grad(op, grad):
        x, w = op.inputs
        attrs = _copy_attrs(op, attr_names)
        return [_conv_op(bwd_input, [_shape_of(x), w, grad], attrs),
                _conv_op(bwd_filter, [x, _shape_of(w), grad], attrs)]

    def input_grad(op, grad):
        unused_sizes, w, dy = op.inputs
        attrs = _copy_attrs(op, attr_names)
        return [None, _conv_op(bwd_filter, [grad, _shape_of(w), dy], attrs),
                _conv_op(fwd, [grad, w], attrs)]

    def filter_grad(op, grad):
        x, unused_sizes, dy = op.inputs
        attrs = _copy_attrs(op, attr_names)
        return [_conv_op(bwd_input, [_shape_of(x), grad, dy], attrs), None,
                _conv_op(fwd, [x, grad], attrs)]

    register_op(fwd, shape=fwd_shape,
                kernel=lambda ctx, x, w: fwd_kernel(
                    ctx.xp, x, w, *_conv_kernel_args(ctx.attrs)),
                grad=fwd_grad)
    register_op(bwd_input, shape=_backprop_input_shape,
                kernel=lambda ctx, sizes, w, dy: input_kernel(
                    ctx.xp, sizes.tolist(), w, dy, *_conv_kernel_args(ctx.attrs)),
                grad=input_grad)
    register_op(bwd_filter, shape=_backprop_filter_shape,
                kernel=lambda ctx, x, sizes, dy: filter_kernel(
                    ctx.xp, x, sizes.tolist(), dy, *_conv_kernel_args(ctx.attrs)),
                grad=filter_grad)


_register_conv_family("Conv2D", _conv2d_shape, _CONV_ATTRS,
                      (_k.conv2d, _k.conv2d_backprop_input, _k.conv2d_backprop_filter))


def _conv_op(op_type, inputs, attrs, name=None):
    """Builds a convolution-family op; T is the dtype of the floating inputs."""
    dt = inputs[-1].dtype.base_dtype
    full = {"T": dt}
    full.update(attrs)
    return apply_op(op_type, inputs, [dt], attrs=full, name=name or op_type).outputs[0]


def _conv_attrs(op_type, strides, padding, data_format, dilations, cudnn=True):
    attrs = {"strides": _int_list(op_type, "strides", strides),
             "padding": _choice(op_type, "padding", padding, _PADDINGS),
             "data_format": _choice(op_type, "data_format", data_format or "NHWC", _FORMATS),
             "dilations": _int_list(op_type, "dilations", dilations or [1, 1, 1, 1])}
    if cudnn is not None:
        attrs["use_cudnn_on_gpu"] = bool(cudnn)
        attrs["explicit_paddings"] = []
    return attrs


def _float_pair(op_type, a, b, names):
    a, b = binary_inputs(a, b, op_type, names=names)
    _check_dtype(op_type, names[0], a)
    return a, b


def _backprop_input_op(op_type, attrs, input_sizes, filter, out_backprop, name):  # noqa: A002
    sizes = array_ops._shape_tensor(input_sizes, "input_sizes")
    w, dy = _float_pair(op_type, filter, out_backprop, ("filter", "out_backprop"))
    return _conv_op(op_type, [sizes, w, dy], attrs, name)


def _backprop_filter_op(op_type, attrs, input, filter_sizes, out_backprop, name):  # noqa: A002
    x, dy = _float_pair(op_type, input, out_backprop, ("input", "out_backprop"))
    sizes = array_ops._shape_tensor(filter_sizes, "filter_sizes")
    return _conv_op(op_type, [x, sizes, dy], attrs, name)


def conv2d(input, filter=None, strides=None, padding=None, use_cudnn_on_gpu=True,  # noqa: A002
           data_format="NHWC", dilations=(1, 1, 1, 1), name=None, filters=None):
    """``tf.nn.conv2d``: 2-D convolution (cross-correlation, as in TF) of ``input``.

    Args:
      input: a 4-D float Tensor, ``[batch, height, width, in]`` (NHWC) or NCHW.
      filter: ``[filter_height, filter_width, in, out]``, the same dtype.
      strides: 4 ints in ``data_format`` order, 1 in the batch and depth positions.
      padding: "SAME" or "VALID".
      use_cudnn_on_gpu: accepted for compatibility.
      data_format: "NHWC" or "NCHW".
      dilations: 4 ints in ``data_format`` order, 1 in the batch and depth positions.
      name: the op's name (default "Conv2D").
      filters: the TF2 name of ``filter``.

    Returns:
      A 4-D Tensor of the dtype of ``input``.

    Raises:
      ValueError: a bad padding or data_format string, mismatched depths, bad strides.
      TypeError: the dtypes differ or are not floating point.
    """
    if filters is not None:
        if filter is not None:
            raise ValueError("Cannot specify both 'filter' and 'filters'.")
        filter = filters
    attrs = _conv_attrs("Conv2D", strides, padding, data_format, dilations, use_cudnn_on_gpu)
    x, w = _float_pair("Conv2D", input, filter, ("input", "filter"))
    return _conv_op("Conv2D", [x, w], attrs, name)


def conv2d_backprop_input(input_sizes, filter=None, out_backprop=None, strides=None,  # noqa: A002
                          padding=None, use_cudnn_on_gpu=True, data_format="NHWC",
                          dilations=(1, 1, 1, 1), name=None, filters=None):
    """``tf.nn.conv2d_backprop_input``: the gradient of conv2d with respect to its input.

    Args:
      input_sizes: 1-D int32, the shape of the convolution's input.
      filter: ``[filter_height, filter_width, in, out]``.
      out_backprop: the gradient of the convolution's output.
      strides, padding, use_cudnn_on_gpu, data_format, dilations: as for conv2d.
      name: the op's name (default "Conv2DBackpropInput").
      filters: the TF2 name of ``filter``.
    """
    filter = filters if filters is not None else filter
    attrs = _conv_attrs("Conv2DBackpropInput", strides, padding, data_format, dilations,
                        use_cudnn_on_gpu)
    return _backprop_input_op("Conv2DBackpropInput", attrs, input_sizes, filter, out_backprop,
                              name)


def conv2d_backprop_filter(input, filter_sizes, out_backprop, strides, padding,  # noqa: A002
                           use_cudnn_on_gpu=True, data_format="NHWC",
                           dilations=(1, 1, 1, 1), name=None):
    """``tf.nn.conv2d_backprop_filter``: the gradient of conv2d with respect to its filter.

    Args:
      input: the convolution's input.
      filter_sizes: 1-D int32, the filter's shape.
      out_backprop: the gradient of the convolution's output.
      strides, padding, use_cudnn_on_gpu, data_format, dilations: as for conv2d.
      name: the op's name (default "Conv2DBackpropFilter").
    """
    attrs = _conv_attrs("Conv2DBackpropFilter", strides, padding, data_format, dilations,
                        use_cudnn_on_gpu)
    return _backprop_filter_op("Conv2DBackpropFilter", attrs, input, filter_sizes,
                               out_backprop, name)


def conv2d_transpose(value, filter=None, output_shape=None, strides=None,  # noqa: A002
                     padding="SAME", data_format="NHWC", name=None, input=None,  # noqa: A002
                     filters=None, dilations=None):
    """``tf.nn.conv2d_transpose``: the transpose (gradient) of conv2d, "deconvolution".

    Args:
      value: a 4-D Tensor ``[batch, height, width, in_channels]`` (NHWC) or NCHW.
      filter: ``[height, width, output_channels, in_channels]``; its last dimension must
        match ``value``'s channels.
      output_shape: the 4-element shape of the result.
      strides: 4 ints in ``data_format`` order.
      padding: "SAME" or "VALID".
      data_format: "NHWC" or "NCHW".
      name: the op's name (default "conv2d_transpose").
      input, filters: TF2 names of ``value`` and ``filter``.
      dilations: 4 ints in ``data_format`` order.

    Raises:
      ValueError: mismatched channels, a bad ``output_shape`` or padding.
    """
    value = input if input is not None else value
    filter = filters if filters is not None else filter
    with name_scope(name, "conv2d_transpose", [value, filter, output_shape]) as scope:
        if data_format not in _FORMATS:
            raise ValueError("data_format has to be either NCHW or NHWC.")
        value = convert_to_tensor(value, name="value")
        filter = convert_to_tensor(filter, name="filter")
        axis = 3 if data_format == "NHWC" else 1
        vc = value.shape[axis].value if value.shape.ndims else None
        fc = filter.shape[3].value if filter.shape.ndims else None
        if vc is not None and fc is not None and vc != fc:
            raise ValueError("input channels does not match filter's input channels, %d != %d"
                             % (vc, fc))
        out_shape = output_shape if isinstance(output_shape, Tensor) else \
            convert_to_tensor(np.asarray(output_shape, np.int32), name="output_shape")
        if not out_shape.shape.is_compatible_with(TensorShape([4])):
            raise ValueError("output_shape must have shape (4,), got %s" % out_shape.shape)
        if isinstance(output_shape, (list, tuple, np.ndarray)):
            oc = filter.shape[2].value if filter.shape.ndims else None
            if oc is not None and int(output_shape[axis]) != oc:
                raise ValueError("output_shape does not match filter's output channels, "
                                 "%d != %d" % (int(output_shape[axis]), oc))
        if padding not in _PADDINGS:
            raise ValueError("padding must be either VALID or SAME: %s" % (padding,))
        attrs = _conv_attrs("Conv2DBackpropInput", strides, padding, data_format, dilations)
        w, dy = _float_pair("Conv2DBackpropInput", filter, value, ("filter", "out_backprop"))
        return _conv_op("Conv2DBackpropInput", [out_shape, w, dy], attrs, scope)


def conv1d(value=None, filters=None, stride=None, padding=None, use_cudnn_on_gpu=None,
           data_format=None, name=None, input=None, dilations=None):  # noqa: A002
    """``tf.nn.conv1d``: 1-D convolution, as a Conv2D over a height-1 image.

    Args:
      value: a 3-D Tensor ``[batch, width, in]`` ("NWC") or ``[batch, in, width]`` ("NCW").
      filters: ``[filter_width, in, out]``.
      stride: the step along the width.
      padding: "SAME" or "VALID".
      use_cudnn_on_gpu: accepted for compatibility.
      data_format: "NWC" (default) or "NCW".
      name: the name scope (default "conv1d").
      input: the TF2 name of ``value``.
      dilations: the dilation along the width (an int or a 1-element list).
    """
    value = input if input is not None else value
    with name_scope(name, "conv1d", [value, filters]) as scope:
        if data_format is None or data_format in ("NHWC", "NWC"):
            fmt, spatial_start, strides = "NHWC", 1, [1, 1, int(stride), 1]
        elif data_format in ("NCHW", "NCW"):
            fmt, spatial_start, strides = "NCHW", 2, [1, 1, 1, int(stride)]
        else:
            raise ValueError("data_format must be \"NWC\" or \"NCW\".")
        rate = 1 if dilations is None else int(np.asarray(dilations).reshape(-1)[-1])
        dil = [1, 1, rate, 1] if fmt == "NHWC" else [1, 1, 1, rate]
        value = array_ops.expand_dims(value, spatial_start)
        filters = array_ops.expand_dims(filters, 0)
        result = conv2d(value, filters, strides, padding, use_cudnn_on_gpu=True,
                        data_format=fmt, dilations=dil)
        return array_ops.squeeze(result, [spatial_start], name=scope)


def convolution(input, filter, padding, strides=None, dilation_rate=None,  # noqa: A002
                name=None, data_format=None, filters=None, dilations=None):
    """``tf.nn.convolution`` for 1-D and 2-D inputs (rank 3 or 4), with dilation.

    Args:
      input: ``[batch, spatial..., in]`` (channels last) or channels-first.
      filter: ``[spatial..., in, out]``.
      padding: "SAME" or "VALID".
      strides: one int per spatial dimension (default 1).
      dilation_rate: one int per spatial dimension (default 1).
      name: the op's name scope (default "convolution").
      data_format: "NWC"/"NCW" or "NHWC"/"NCHW".
      filters, dilations: TF2 names of ``filter`` and ``dilation_rate``.

    Raises:
      ValueError: strides and dilations both above 1, or a non-positive dilation.
      NotImplementedError: 3-D convolution.
    """
    filter = filters if filters is not None else filter
    dilation_rate = dilations if dilations is not None else dilation_rate
    input = convert_to_tensor(input, name="input")
    rank = input.shape.ndims
    if rank not in (3, 4):
        raise NotImplementedError("tf.nn.convolution supports 1-D and 2-D convolution "
                                  "(inputs of rank 3 or 4), got rank %s" % rank)
    nsp = rank - 2
    strides = [1] * nsp if strides is None else [int(s) for s in np.broadcast_to(strides,
                                                                                 (nsp,))]
    rate = [1] * nsp if dilation_rate is None else \
        [int(r) for r in np.broadcast_to(dilation_rate, (nsp,))]
    if any(r < 1 for r in rate):
        raise ValueError("dilation_rate must be positive")
    if any(r > 1 for r in rate) and any(s > 1 for s in strides):
        raise ValueError("strides > 1 not supported in conjunction with dilation_rate > 1")
    channels_first = data_format is not None and data_format.startswith("NC")
    with name_scope(name, "convolution", [input, filter]) as scope:
        if nsp == 1:
            return conv1d(input, filter, strides[0], padding,
                          data_format="NCW" if channels_first else "NWC", dilations=rate,
                          name=scope)
        fmt = "NCHW" if channels_first else "NHWC"
        s4 = [1, 1] + strides if channels_first else [1] + strides + [1]
        d4 = [1, 1] + rate if channels_first else [1] + rate + [1]
        return conv2d(input, filter, s4, padding, data_format=fmt, dilations=d4, name=scope)


def atrous_conv2d(value, filters, rate, padding, name=None):
    """``tf.nn.atrous_conv2d``: 2-D convolution with holes (dilation ``rate``), NHWC.

    Args:
      value: a 4-D NHWC float Tensor.
      filters: ``[height, width, in, out]``.
      rate: a positive int, the dilation in both spatial dimensions.
      padding: "SAME" or "VALID".
      name: the name scope (default "convolution").

    Raises:
      ValueError: ``rate`` is below 1.
    """
    if isinstance(rate, numbers.Integral) and rate < 1:
        raise ValueError("rate %d cannot be less than one" % rate)
    return convolution(value, filters, padding, dilation_rate=np.broadcast_to(rate, (2,)),
                       name=name)


# --------------------------------------------------------------------------- depthwise

_DW_ATTRS = ("strides", "padding", "data_format", "dilations", "explicit_paddings")


def _depthwise_shape(op):
    nchw = _nchw(op)
    xd = _to_nhwc(_with_rank(op.inputs[0].shape, 4), nchw)
    kh, kw, ci, mult = _with_rank(op.inputs[1].shape, 4)
    c = _merge_dim(xd[3], ci)
    oh, ow = _conv_geometry(op, xd, kh, kw, nchw)
    co = None if c is None or mult is None else c * mult
    return [_from_nhwc([xd[0], oh, ow, co], nchw)]


_register_conv_family("DepthwiseConv2dNative", _depthwise_shape, _DW_ATTRS,
                      (_k.depthwise_conv2d_native, _k.depthwise_conv2d_native_backprop_input,
                       _k.depthwise_conv2d_native_backprop_filter))


def depthwise_conv2d_native(input, filter, strides, padding, data_format="NHWC",  # noqa: A002
                            dilations=(1, 1, 1, 1), name=None):
    """``tf.nn.depthwise_conv2d_native``: each input channel convolved with its own filters.

    Args:
      input: a 4-D float Tensor (NHWC or NCHW).
      filter: ``[height, width, in_channels, channel_multiplier]``.
      strides, padding, data_format, dilations: as for conv2d.
      name: the op's name (default "DepthwiseConv2dNative").

    Returns:
      A Tensor with ``in_channels * channel_multiplier`` channels.
    """
    attrs = _conv_attrs("DepthwiseConv2dNative", strides, padding, data_format, dilations,
                        cudnn=None)
    x, w = _float_pair("DepthwiseConv2dNative", input, filter, ("input", "filter"))
    return _conv_op("DepthwiseConv2dNative", [x, w], attrs, name)


def depthwise_conv2d_native_backprop_input(input_sizes, filter, out_backprop,  # noqa: A002
                                           strides, padding, data_format="NHWC",
                                           dilations=(1, 1, 1, 1), name=None):
    """The gradient of depthwise_conv2d_native with respect to its input.

    Args:
      input_sizes: 1-D int32, the shape of the convolution's input.
      filter: ``[height, width, in_channels, channel_multiplier]``.
      out_backprop: the gradient of the convolution's output.
      strides, padding, data_format, dilations: as for depthwise_conv2d_native.
      name: the op's name (default "DepthwiseConv2dNativeBackpropInput").
    """
    attrs = _conv_attrs("DepthwiseConv2dNativeBackpropInput", strides, padding, data_format,
                        dilations, cudnn=None)
    return _backprop_input_op("DepthwiseConv2dNativeBackpropInput", attrs, input_sizes, filter,
                              out_backprop, name)


def depthwise_conv2d_native_backprop_filter(input, filter_sizes, out_backprop,  # noqa: A002
                                            strides, padding, data_format="NHWC",
                                            dilations=(1, 1, 1, 1), name=None):
    """The gradient of depthwise_conv2d_native with respect to its filter.

    Args:
      input: the convolution's input.
      filter_sizes: 1-D int32, the filter's shape.
      out_backprop: the gradient of the convolution's output.
      strides, padding, data_format, dilations: as for depthwise_conv2d_native.
      name: the op's name (default "DepthwiseConv2dNativeBackpropFilter").
    """
    attrs = _conv_attrs("DepthwiseConv2dNativeBackpropFilter", strides, padding, data_format,
                        dilations, cudnn=None)
    return _backprop_filter_op("DepthwiseConv2dNativeBackpropFilter", attrs, input,
                               filter_sizes, out_backprop, name)


# --------------------------------------------------------------------------- pooling

_POOL_ATTRS = ("ksize", "strides", "padding", "data_format")


def _pool_shape(op, nchw=None):
    nchw = _nchw(op) if nchw is None else nchw
    xd = _to_nhwc(_with_rank(op.inputs[0].shape, 4), nchw)
    ksize = op.get_attr("ksize")
    if len(ksize) != 4:
        raise ValueError("%s requires the ksize attribute to contain 4 values, but got: %d"
                         % (op.type, len(ksize)))
    kh, kw = _spatial_attr(op, "ksize", nchw, "pooling window")
    oh, ow = _conv_geometry(op, xd, kh, kw, nchw)
    return [_from_nhwc([xd[0], oh, ow, xd[3]], nchw)]


def _pool_args(attrs):
    return (attrs["ksize"], attrs["strides"], _as_str(attrs["padding"]),
            _as_str(attrs.get("data_format", "NHWC")))


def _max_pool_grad(op, grad):
    return [_pool_op("MaxPoolGrad", [op.inputs[0], op.outputs[0], grad],
                     _copy_attrs(op, _POOL_ATTRS))]


def _avg_pool_grad(op, grad):
    return [_pool_op("AvgPoolGrad", [_shape_of(op.inputs[0]), grad],
                     _copy_attrs(op, _POOL_ATTRS))]


register_op("MaxPool", shape=_pool_shape,
            kernel=lambda ctx, x: _k.max_pool(ctx.xp, x, *_pool_args(ctx.attrs)),
            grad=_max_pool_grad)
def _max_pool_grad_grad(op, grad):
    x, y = op.inputs[0], op.inputs[1]
    return [array_ops.zeros_like(x), array_ops.zeros_like(y),
            _pool_op("MaxPoolGradGrad", [x, y, grad], _copy_attrs(op, _POOL_ATTRS))]


def _max_pool_grad_grad_grad(op, grad):
    x, y = op.inputs[0], op.inputs[1]
    return [array_ops.zeros_like(x), array_ops.zeros_like(y),
            _pool_op("MaxPoolGrad", [x, y, grad], _copy_attrs(op, _POOL_ATTRS))]


register_op("MaxPoolGrad", shape=lambda op: [op.inputs[0].shape],
            kernel=lambda ctx, x, y, dy: _k.max_pool_grad(ctx.xp, x, y, dy,
                                                          *_pool_args(ctx.attrs)),
            grad=_max_pool_grad_grad)
register_op("MaxPoolGradGrad", shape=lambda op: [op.inputs[1].shape],
            kernel=lambda ctx, x, y, g: _kx.max_pool_grad_grad(ctx.xp, x, g,
                                                               *_pool_args(ctx.attrs)),
            grad=_max_pool_grad_grad_grad)
register_op("AvgPool", shape=_pool_shape,
            kernel=lambda ctx, x: _k.avg_pool(ctx.xp, x, *_pool_args(ctx.attrs)),
            grad=_avg_pool_grad)
register_op("AvgPoolGrad", shape=lambda op: [shape_from_shape_tensor(op.inputs[0])],
            kernel=lambda ctx, s, dy: _k.avg_pool_grad(ctx.xp, s.tolist(), dy,
                                                       *_pool_args(ctx.attrs)),
            grad=lambda op, g: [None, _pool_op("AvgPool", [g], _copy_attrs(op, _POOL_ATTRS))])


def _pool_op(op_type, inputs, attrs, name=None):
    dt = inputs[-1].dtype.base_dtype
    full = {"T": dt}
    full.update(attrs)
    return apply_op(op_type, inputs, [dt], attrs=full, name=name or op_type).outputs[0]


def _pool_attrs(op_type, ksize, strides, padding, data_format):
    return {"ksize": _int_list(op_type, "ksize", ksize),
            "strides": _int_list(op_type, "strides", strides),
            "padding": _choice(op_type, "padding", padding, _PADDINGS),
            "data_format": _choice(op_type, "data_format", data_format or "NHWC", _FORMATS)}


def max_pool(value, ksize, strides, padding, data_format="NHWC", name=None,
             input=None):  # noqa: A002
    """``tf.nn.max_pool``: the maximum over each window.

    Args:
      value: a 4-D Tensor (NHWC or NCHW).
      ksize: the window, 4 ints in ``data_format`` order (1 for batch and depth).
      strides: 4 ints in ``data_format`` order (1 for batch and depth).
      padding: "SAME" or "VALID".
      data_format: "NHWC" or "NCHW".
      name: the name scope (default "MaxPool").
      input: the TF2 name of ``value``.

    Raises:
      ValueError: a bad padding string or attribute, a window larger than a VALID input.
    """
    value = input if input is not None else value
    with name_scope(name, "MaxPool", [value]) as scope:
        attrs = _pool_attrs("MaxPool", ksize, strides, padding, data_format)
        value = convert_to_tensor(value, name="input")
        _check_dtype("MaxPool", "input", value, _REALS)
        return _pool_op("MaxPool", [value], attrs, scope)


def avg_pool(value, ksize, strides, padding, data_format="NHWC", name=None,
             input=None):  # noqa: A002
    """``tf.nn.avg_pool``: the mean over each window (SAME windows divide by the number of
    real, unpadded elements, as TF does).

    Args:
      value: a 4-D float Tensor (NHWC or NCHW).
      ksize, strides, padding, data_format: as for max_pool.
      name: the name scope (default "AvgPool").
      input: the TF2 name of ``value``.
    """
    value = input if input is not None else value
    with name_scope(name, "AvgPool", [value]) as scope:
        attrs = _pool_attrs("AvgPool", ksize, strides, padding, data_format)
        value = convert_to_tensor(value, name="input")
        _check_dtype("AvgPool", "value", value)
        return _pool_op("AvgPool", [value], attrs, scope)


MaxPoolWithArgmax = collections.namedtuple("MaxPoolWithArgmax", ["output", "argmax"])


def _max_pool_argmax_kernel(ctx, x):
    a = ctx.attrs
    y, argmax = _k.max_pool_with_argmax(ctx.xp, x, a["ksize"], a["strides"],
                                        _as_str(a["padding"]),
                                        a.get("include_batch_in_index", False))
    return y, argmax.astype(a["Targmax"].as_numpy_dtype, copy=False)


def _max_pool_argmax_grad(op, grad, unused_argmax_grad):
    attrs = _copy_attrs(op, ("ksize", "strides", "padding", "include_batch_in_index",
                             "Targmax"))
    dt = grad.dtype.base_dtype
    attrs["T"] = dt  # T is the value type; the argmax input's type is Targmax
    return [apply_op("MaxPoolGradWithArgmax", [op.inputs[0], grad, op.outputs[1]], [dt],
                     attrs=attrs, name="MaxPoolGradWithArgmax").outputs[0]]


def _argmax_pool_shape(op):
    s = _pool_shape(op, nchw=False)[0]
    return [s, s]


register_op("MaxPoolWithArgmax", shape=_argmax_pool_shape, kernel=_max_pool_argmax_kernel,
            grad=_max_pool_argmax_grad)
register_op("MaxPoolGradWithArgmax", shape=lambda op: [op.inputs[0].shape],
            kernel=lambda ctx, x, dy, argmax: _k.max_pool_grad_with_argmax(
                ctx.xp, x, dy, argmax, ctx.attrs.get("include_batch_in_index", False)))


def max_pool_with_argmax(input, ksize, strides, padding, Targmax=_dtypes.int64,  # noqa: A002,N803
                         name=None, output_dtype=None, include_batch_in_index=False):
    """``tf.nn.max_pool_with_argmax``: max pooling (NHWC) plus the flat index of each max.

    The index of ``[b, y, x, c]`` is ``((b * height + y) * width + x) * channels + c``, with
    the batch term only when ``include_batch_in_index``.

    Args:
      input: a 4-D NHWC Tensor.
      ksize, strides, padding: as for max_pool.
      Targmax: the index dtype (int32 or int64).
      name: the op's name (default "MaxPoolWithArgmax").
      output_dtype: the TF2 name of ``Targmax``.
      include_batch_in_index: include the batch in the flat index.

    Returns:
      A ``(output, argmax)`` named tuple.
    """
    targmax = _dtypes.as_dtype(output_dtype or Targmax)
    attrs = _pool_attrs("MaxPoolWithArgmax", ksize, strides, padding, "NHWC")
    del attrs["data_format"]
    attrs["Targmax"] = targmax
    attrs["include_batch_in_index"] = bool(include_batch_in_index)
    x = convert_to_tensor(input, name="input")
    dt = _check_dtype("MaxPoolWithArgmax", "input", x, _REALS)
    attrs["T"] = dt
    op = apply_op("MaxPoolWithArgmax", [x], [dt, targmax], attrs=attrs,
                  name=name or "MaxPoolWithArgmax")
    return MaxPoolWithArgmax(op.outputs[0], op.outputs[1])


# --------------------------------------------------------------------------- LRN

_LRN_ATTRS = ("depth_radius", "bias", "alpha", "beta")


def _lrn_shape(op):
    _with_rank(op.inputs[0].shape, 4)
    return [op.inputs[0].shape]


def _lrn_args(attrs):
    return (attrs["depth_radius"], attrs["bias"], attrs["alpha"], attrs["beta"])


def _lrn_grad(op, grad):
    x, y = op.inputs[0], op.outputs[0]
    attrs = _copy_attrs(op, _LRN_ATTRS)
    attrs["T"] = x.dtype.base_dtype
    return [apply_op("LRNGrad", [grad, x, y], [x.dtype.base_dtype], attrs=attrs,
                     name="LRNGrad").outputs[0]]


register_op("LRN", shape=_lrn_shape,
            kernel=lambda ctx, x: _k.lrn(ctx.xp, x, *_lrn_args(ctx.attrs)), grad=_lrn_grad)
register_op("LRNGrad", shape=lambda op: [op.inputs[1].shape],
            kernel=lambda ctx, dy, x, y: _k.lrn_grad(ctx.xp, dy, x, y, *_lrn_args(ctx.attrs)))


def lrn(input, depth_radius=5, bias=1.0, alpha=1.0, beta=0.5, name=None):  # noqa: A002
    """``tf.nn.lrn`` / ``tf.nn.local_response_normalization`` over the last dimension.

    ``output = input / (bias + alpha * sum(input[..., d - r : d + r + 1] ** 2)) ** beta``.

    Args:
      input: a 4-D float Tensor.
      depth_radius: the half-width ``r`` of the channel window.
      bias: the offset (usually positive).
      alpha: the scale.
      beta: the exponent.
      name: the op's name (default "LRN").
    """
    x = convert_to_tensor(input, name="input")
    dt = _check_dtype("LRN", "input", x, (_dtypes.float16, _dtypes.bfloat16, _dtypes.float32))
    return apply_op("LRN", [x], [dt],
                    attrs={"T": dt, "depth_radius": int(depth_radius), "bias": float(bias),
                           "alpha": float(alpha), "beta": float(beta)},
                    name=name or "LRN").outputs[0]


local_response_normalization = lrn


# --------------------------------------------------------------------------- batch norm

def _fbn_shape(op):
    nchw = _nchw(op)
    x = op.inputs[0].shape
    xd = _to_nhwc(_with_rank(x, 4), nchw)
    c = xd[3]
    for t in op.inputs[1:3]:
        c = _merge_dim(c, _with_rank(t.shape, 1)[0])
    if not op.get_attr("is_training"):
        for t in op.inputs[3:5]:
            c = _merge_dim(c, _with_rank(t.shape, 1)[0])
    xd[3] = c
    vec = TensorShape([c])
    out = [_from_nhwc(xd, nchw), vec, vec, vec, vec]
    if op.type == "FusedBatchNormV3":
        out.append(unknown_shape())
    return out


def _fbn_kernel(ctx, x, scale, offset, mean, variance):
    a = ctx.attrs
    outs = _k.fused_batch_norm(ctx.xp, x, scale, offset, mean, variance, a["epsilon"],
                               _as_str(a["data_format"]), a["is_training"],
                               a.get("exponential_avg_factor", 1.0))
    if ctx.op.type == "FusedBatchNormV3":
        return outs + (ctx.xp.zeros((0,), dtype=outs[1].dtype),)
    return outs


def _fbn_grad_fn(grad_type):
    def grad_fn(op, grad_y, *unused):
        x, scale = op.inputs[0], op.inputs[1]
        training = op.get_attr("is_training")
        if training:
            r1, r2 = op.outputs[3], op.outputs[4]
        else:
            r1, r2 = op.inputs[3], op.inputs[4]
        inputs = [grad_y, x, scale, r1, r2]
        if grad_type == "FusedBatchNormGradV3":
            inputs.append(op.outputs[5])
        attrs = _copy_attrs(op, ("T", "U", "epsilon", "data_format", "is_training"))
        u = scale.dtype.base_dtype
        g = apply_op(grad_type, inputs, [x.dtype.base_dtype, u, u, u, u], attrs=attrs,
                     name=grad_type)
        return [g.outputs[0], g.outputs[1], g.outputs[2], None, None]
    return grad_fn


def _fbn_grad_shape(op):
    x = op.inputs[1].shape
    c = _with_rank(op.inputs[2].shape, 1)[0]
    return [x, TensorShape([c]), TensorShape([c]), TensorShape([0]), TensorShape([0])]


def _fbn_grad_kernel(ctx, dy, x, scale, r1, r2, *unused):
    a = ctx.attrs
    dx, dscale, doffset = _k.fused_batch_norm_grad(ctx.xp, dy, x, scale, r1, r2, a["epsilon"],
                                                   _as_str(a["data_format"]),
                                                   a["is_training"])
    empty = ctx.xp.zeros((0,), dtype=dscale.dtype)
    return dx, dscale, doffset, empty, empty


for _fwd, _bwd in (("FusedBatchNorm", "FusedBatchNormGrad"),
                   ("FusedBatchNormV2", "FusedBatchNormGradV2"),
                   ("FusedBatchNormV3", "FusedBatchNormGradV3")):
    register_op(_fwd, shape=_fbn_shape, kernel=_fbn_kernel, grad=_fbn_grad_fn(_bwd))
    register_op(_bwd, shape=_fbn_grad_shape, kernel=_fbn_grad_kernel)


def fused_batch_norm(x, scale, offset, mean=None, variance=None, epsilon=0.001,
                     data_format="NHWC", is_training=True, name=None):
    """``tf.nn.fused_batch_norm``: batch normalisation of a 4-D tensor in one op.

    Training normalises with the batch statistics and returns them (the variance with
    Bessel's correction, for moving averages); inference uses ``mean`` and ``variance``.

    Args:
      x: a 4-D float Tensor (NHWC or NCHW).
      scale: 1-D float32, one gamma per channel.
      offset: 1-D float32, one beta per channel.
      mean: 1-D population mean for inference; must be None in training.
      variance: 1-D population variance for inference; must be None in training.
      epsilon: added to the variance; raised to at least 1.001e-5, as TF does (cuDNN's limit).
      data_format: "NHWC" or "NCHW".
      is_training: use batch statistics (True) or ``mean``/``variance`` (False).
      name: the op's name (default "FusedBatchNormV3").

    Returns:
      ``(y, batch_mean, batch_variance)``.

    Raises:
      ValueError: mean/variance given in training; shapes that do not match.
    """
    x = convert_to_tensor(x, name="input")
    scale = convert_to_tensor(scale, name="scale")
    offset = convert_to_tensor(offset, name="offset")
    if is_training and (mean is not None or variance is not None):
        raise ValueError("Both 'mean' and 'variance' must be None if is_training is True.")
    t = _check_dtype("FusedBatchNormV3", "x", x, (_dtypes.float16, _dtypes.bfloat16,
                                                   _dtypes.float32, _dtypes.float64))
    # TF's U is float32; float64 inputs (a tensorslim extension) keep float64 statistics.
    u = _dtypes.float64 if t == _dtypes.float64 else _dtypes.float32
    if mean is None:
        mean = array_ops.constant(np.zeros((0,), u.as_numpy_dtype))
    if variance is None:
        variance = array_ops.constant(np.zeros((0,), u.as_numpy_dtype))
    mean = convert_to_tensor(mean, name="mean")
    variance = convert_to_tensor(variance, name="variance")
    epsilon = max(float(epsilon), 1.001e-5)
    fmt = _choice("FusedBatchNormV3", "data_format", data_format, _FORMATS)
    for pname, p in (("scale", scale), ("offset", offset), ("mean", mean),
                     ("variance", variance)):
        if p.dtype.base_dtype != u:
            raise TypeError("Input '%s' of 'FusedBatchNormV3' Op has type %s that does not "
                            "match expected type of %s." % (pname, p.dtype.base_dtype.name,
                                                            u.name))
    op = apply_op("FusedBatchNormV3", [x, scale, offset, mean, variance], [t, u, u, u, u, u],
                  attrs={"T": t, "U": u, "epsilon": epsilon, "data_format": fmt,
                         "is_training": bool(is_training), "exponential_avg_factor": 1.0},
                  name=name or "FusedBatchNormV3")
    return op.outputs[0], op.outputs[1], op.outputs[2]


# --------------------------------------------------------------------------- top-k

def _top_k_shape(op):
    x = op.inputs[0].shape
    k = constant_value(op.inputs[1])
    _with_rank(op.inputs[1].shape, 0)
    if x.ndims is None:
        return [unknown_shape(), unknown_shape()]
    if x.ndims < 1:
        raise ValueError("Shape must be at least rank 1 but is rank 0")
    dims = x.as_list()
    if k is not None:
        k = int(k)
        if k < 0:
            raise ValueError("Need k >= 0, got %d" % k)
        if dims[-1] is not None and dims[-1] < k:
            raise ValueError("input must have last dimension >= k = %d but is %d"
                             % (k, dims[-1]))
    dims[-1] = k
    return [TensorShape(dims), TensorShape(dims)]


def _top_k_kernel(ctx, x, k):
    values, indices = _kx.top_k(ctx.xp, x, int(k), ctx.attrs["sorted"])
    return values, indices


def _top_k_grad(op, grad, unused_indices_grad):
    """Scatters each value's gradient back to the position it was taken from."""
    x, indices = op.inputs[0], op.outputs[1]
    if not x.shape.is_fully_defined() or not indices.shape.is_fully_defined():
        raise NotImplementedError("The gradient of top_k needs static shapes.")
    dims = x.shape.as_list()
    n = dims[-1]
    rows = int(np.prod(dims[:-1])) if len(dims) > 1 else 1
    k = indices.shape.as_list()[-1]
    offsets = array_ops.constant((np.arange(rows, dtype=np.int32) * n).reshape(rows, 1))
    flat_idx = array_ops.reshape(array_ops.reshape(indices, [rows, k]) + offsets, [-1])
    scattered = lazy_op("unsorted_segment_sum")(array_ops.reshape(grad, [-1]), flat_idx,
                                                rows * n)
    return [array_ops.reshape(scattered, dims), None]


register_op("TopKV2", shape=_top_k_shape, kernel=_top_k_kernel, grad=_top_k_grad)

TopKV2 = collections.namedtuple("TopKV2", ["values", "indices"])


def top_k(input, k=1, sorted=True, name=None):  # noqa: A002 - TF's argument names
    """``tf.nn.top_k``: the ``k`` largest entries of the last dimension, and their indices.

    Equal values keep index order (lowest first).

    Args:
      input: a real Tensor of rank >= 1 with at least ``k`` entries in its last dimension.
      k: a 0-D int32 Tensor or int.
      sorted: accepted; results are always sorted in descending order.
      name: the op's name (default "TopKV2").

    Returns:
      A ``(values, indices)`` named tuple; indices are int32.

    Raises:
      ValueError: ``k`` is negative or larger than the last dimension (when known).
    """
    x = convert_to_tensor(input, name="input")
    dt = _check_dtype("TopKV2", "input", x, _REALS)
    with name_scope(name, "TopKV2", [x]) as scope:
        k_t = k if isinstance(k, Tensor) else convert_to_tensor(k, dtype=_dtypes.int32,
                                                                name="k")
        op = apply_op("TopKV2", [x, k_t], [dt, _dtypes.int32],
                      attrs={"T": dt, "sorted": bool(sorted)}, name=scope)
    return TopKV2(op.outputs[0], op.outputs[1])


def _in_top_k_shape(op):
    p = _with_rank(op.inputs[0].shape, 2)
    t = _with_rank(op.inputs[1].shape, 1)
    _with_rank(op.inputs[2].shape, 0)
    return [TensorShape([_merge_dim(p[0], t[0])])]


register_op("InTopKV2", shape=_in_top_k_shape,
            kernel=lambda ctx, p, t, k: _kx.in_top_k(ctx.xp, p, t, int(k)), grad=_NO_GRAD)
register_op("InTopK", shape=lambda op: _in_top_k_shape_v1(op),
            kernel=lambda ctx, p, t: _kx.in_top_k(ctx.xp, p, t, ctx.attrs["k"]), grad=_NO_GRAD)


def _in_top_k_shape_v1(op):
    p = _with_rank(op.inputs[0].shape, 2)
    t = _with_rank(op.inputs[1].shape, 1)
    return [TensorShape([_merge_dim(p[0], t[0])])]


def in_top_k(predictions, targets, k, name=None):
    """``tf.nn.in_top_k``: whether each target is among the ``k`` largest predictions.

    Ties count in the target's favour; rows with non-finite predictions and out-of-range
    targets give False.

    Args:
      predictions: ``[batch, classes]`` float32.
      targets: ``[batch]`` int32 or int64 class ids.
      k: an int, the number of top elements to look at.
      name: the name scope (default "in_top_k").

    Returns:
      A ``[batch]`` bool Tensor.
    """
    with name_scope(name, "in_top_k"):
        p = convert_to_tensor(predictions, name="predictions")
        _check_dtype("InTopKV2", "predictions", p, (_dtypes.float32,))
        t = convert_to_tensor(targets, name="targets")
        tt = _check_dtype("InTopKV2", "targets", t, (_dtypes.int32, _dtypes.int64))
        with name_scope(name, "InTopKV2") as op_scope:
            k_t = k if isinstance(k, Tensor) else convert_to_tensor(k, dtype=tt, name="k")
            return apply_op("InTopKV2", [p, t, k_t], [_dtypes.bool], attrs={"T": tt},
                            name=op_scope).outputs[0]

