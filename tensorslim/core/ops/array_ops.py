"""Array ops: constants, placeholders, identity, shapes and reshaping."""
import numpy as np

from tensorslim.core import dtypes as _dtypes
from tensorslim.core import errors
from tensorslim.core.graph import Tensor, convert_to_tensor, get_default_graph, name_scope
from tensorslim.core.op_util import (apply_op, constant_value, same_shape_fn,
                                     shape_from_shape_tensor)
from tensorslim.core.registry import not_differentiable_marker, register_op
from tensorslim.core.tensor_shape import TensorShape, as_shape, unknown_shape

__all__ = ["constant", "placeholder", "placeholder_with_default", "identity", "shape", "size",
           "rank", "reshape", "fill", "zeros", "ones", "zeros_like", "ones_like", "expand_dims",
           "squeeze", "stack", "concat", "stop_gradient", "broadcast_gradient_args",
           "convert_to_numpy_value"]

_NO_GRAD = not_differentiable_marker()


# --------------------------------------------------------------------------- Const

def convert_to_numpy_value(value, dtype=None):
    """Converts a Python/numpy value to the numpy array a Const of ``dtype`` holds.

    Python floats become float32 and ints int32 (int64 when too large), as TF1 infers;
    numpy arrays keep their dtype unless ``dtype`` is given.
    """
    if dtype is not None:
        dtype = _dtypes.as_dtype(dtype).base_dtype
        np_dtype = dtype.as_numpy_dtype
        if np_dtype is np.object_:
            return _to_bytes_array(value)
        if isinstance(value, np.ndarray) and value.dtype == np_dtype:
            return value
        arr = np.asarray(value)
        if arr.dtype.kind in "SUO" and dtype is not _dtypes.string:
            raise TypeError("Expected %s, got %r of type '%s' instead."
                            % (dtype.name, value, type(value).__name__))
        if dtype.is_integer or dtype.is_bool:
            if arr.dtype.kind == "f" and np.any(arr != np.round(arr)):
                raise TypeError("Expected %s, got %r of type '%s' instead."
                                % (dtype.name, value, type(value).__name__))
            if arr.dtype.kind == "c":
                raise TypeError("Expected %s, got %r of type '%s' instead."
                                % (dtype.name, value, type(value).__name__))
            if dtype.is_integer and arr.size and arr.dtype.kind in "iu" and (
                    arr.max() > dtype.max or arr.min() < dtype.min):
                raise ValueError("Value %r out of range for %s" % (value, dtype.name))
        return arr.astype(np_dtype)
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "SUO":
            return _to_bytes_array(value)
        return value
    if isinstance(value, np.generic):
        return np.asarray(value)
    arr = np.asarray(value)
    kind = arr.dtype.kind
    if kind == "f":
        return arr.astype(np.float32)
    if kind in "iu":
        if arr.size and (arr.max() > 2 ** 31 - 1 or arr.min() < -2 ** 31):
            return arr.astype(np.int64)
        return arr.astype(np.int32)
    if kind == "b":
        return arr
    if kind == "c":
        return arr.astype(np.complex128)
    if kind in "SUO":
        return _to_bytes_array(value)
    raise TypeError("Failed to convert object of type %s to Tensor. Contents: %r."
                    % (type(value), value))


def _to_bytes_array(value):
    arr = np.asarray(value, dtype=object)
    flat = arr.reshape(-1)
    for i, v in enumerate(flat):
        if isinstance(v, str):
            flat[i] = v.encode("utf-8")
        elif isinstance(v, (bytes, np.bytes_)):
            flat[i] = bytes(v)
        else:
            raise TypeError("Expected string, got %r of type '%s' instead."
                            % (v, type(v).__name__))
    return flat.reshape(arr.shape)


def _const_context(ctx):
    value = ctx.attrs["value"]
    ctx.state = value if value.dtype == object else ctx.to_device(value)


def _const_kernel(ctx):
    return ctx.state


register_op("Const", kernel=_const_kernel, make_context=_const_context, grad=_NO_GRAD)


def constant(value, dtype=None, shape=None, name="Const", verify_shape=False):
    """``tf.constant``: a tensor whose value is fixed in the graph.

    Args:
      value: a Python value or numpy array.
      dtype: the element type; inferred from ``value`` when None.
      shape: optional shape; a scalar or short list is broadcast/extended with its last
        value to fill it, as TF1 does.
      name: the op's name.
      verify_shape: require ``value``'s shape to equal ``shape``.

    Raises:
      TypeError: ``value`` cannot be represented in ``dtype``.
      ValueError: ``value`` does not fit ``shape``.
    """
    arr = convert_to_numpy_value(value, dtype)
    if shape is not None:
        shape = [int(d) for d in as_shape(shape).as_list()]
        n = int(np.prod(shape)) if shape else 1
        if verify_shape and list(arr.shape) != shape:
            raise TypeError("Expected Tensor's shape: %s, got %s." % (tuple(shape), arr.shape))
        if arr.size == n:
            arr = arr.reshape(shape)
        elif arr.size == 1:
            arr = np.full(shape, arr.reshape(()), dtype=arr.dtype)
        elif 0 < arr.size < n:
            flat = arr.reshape(-1)
            arr = np.concatenate([flat, np.repeat(flat[-1:], n - flat.size)]).reshape(shape)
        else:
            raise ValueError("Too many elements provided. Needed at most %d, but received %d"
                             % (n, arr.size))
    arr.setflags(write=False) if isinstance(arr, np.ndarray) and arr.flags.owndata else None
    dt = _dtypes.as_dtype(arr.dtype) if dtype is None else _dtypes.as_dtype(dtype).base_dtype
    g = get_default_graph()
    op = g.create_op("Const", [], [dt], name=name, attrs={"value": arr, "dtype": dt})
    out = op.outputs[0]
    out._shape = TensorShape(arr.shape)
    return out


# --------------------------------------------------------------------------- placeholders

def _placeholder_kernel(ctx):
    op = ctx.op
    raise errors.InvalidArgumentError(
        None, op, "You must feed a value for placeholder tensor '%s' with dtype %s"
        % (op.name, op.outputs[0].dtype.name))


def _placeholder_shape(op):
    return [op.get_attr("shape")]


register_op("Placeholder", shape=_placeholder_shape, kernel=_placeholder_kernel, grad=_NO_GRAD)


def placeholder(dtype, shape=None, name=None):
    """``tf.placeholder``: a tensor whose value must be fed to ``Session.run``.

    Args:
      dtype: the element type (a DType, numpy type or name such as ``"float"``).
      shape: the shape; None for any shape, None entries for any size in that dimension.
      name: the op's name.
    """
    dtype = _dtypes.as_dtype(dtype).base_dtype
    shape = unknown_shape() if shape is None else as_shape(shape)
    op = get_default_graph().create_op("Placeholder", [], [dtype], name=name or "Placeholder",
                                       attrs={"dtype": dtype, "shape": shape})
    return op.outputs[0]


register_op("PlaceholderWithDefault", shape=_placeholder_shape,
            kernel=lambda ctx, x: x, grad=lambda op, grad: [None])


def placeholder_with_default(input, shape, name=None):  # noqa: A002 - TF's argument name
    """A placeholder that yields ``input`` when it is not fed."""
    input = convert_to_tensor(input)
    shape = as_shape(shape)
    if not shape.is_compatible_with(input.shape):
        raise ValueError("Shapes %s and %s are incompatible" % (input.shape, shape))
    op = apply_op("PlaceholderWithDefault", [input], [input.dtype.base_dtype],
                  attrs={"dtype": input.dtype.base_dtype, "shape": shape},
                  name=name or "PlaceholderWithDefault")
    return op.outputs[0]


# --------------------------------------------------------------------------- identity

register_op("Identity", shape=same_shape_fn, kernel=lambda ctx, x: x,
            grad=lambda op, grad: [grad])
register_op("StopGradient", shape=same_shape_fn, kernel=lambda ctx, x: x, grad=_NO_GRAD)


def identity(input, name=None):  # noqa: A002
    """``tf.identity``: a new tensor with the same value (and a name you choose)."""
    if hasattr(input, "_as_graph_element") and not isinstance(input, Tensor) and \
            hasattr(input, "value"):
        input = input.value()
    input = convert_to_tensor(input)
    dt = input.dtype.base_dtype
    op = apply_op("Identity", [input], [dt], attrs={"T": dt}, name=name or "Identity")
    return op.outputs[0]


def stop_gradient(input, name=None):  # noqa: A002
    """``tf.stop_gradient``: the same value, but gradients do not flow through it."""
    input = convert_to_tensor(input)
    dt = input.dtype.base_dtype
    return apply_op("StopGradient", [input], [dt], attrs={"T": dt},
                    name=name or "StopGradient").outputs[0]


# --------------------------------------------------------------------------- shapes

def _shape_kernel(ctx, x):
    return np.array(x.shape, dtype=ctx.state)


def _out_type_context(ctx):
    ctx.state = ctx.attrs["out_type"].as_numpy_dtype


def _shape_shape(op):
    return [TensorShape([op.inputs[0].shape.ndims])]


def _host_int(ctx, value):
    return ctx.to_device(value) if ctx.xp is not np else value


register_op("Shape", shape=_shape_shape, make_context=_out_type_context,
            kernel=lambda ctx, x: _host_int(ctx, np.array(x.shape, dtype=ctx.state)),
            grad=_NO_GRAD)
register_op("Size", shape=lambda op: [TensorShape([])], make_context=_out_type_context,
            kernel=lambda ctx, x: _host_int(ctx, np.array(x.size, dtype=ctx.state)),
            grad=_NO_GRAD)
register_op("Rank", shape=lambda op: [TensorShape([])],
            kernel=lambda ctx, x: _host_int(ctx, np.array(x.ndim, dtype=np.int32)),
            grad=_NO_GRAD)


def shape(input, name=None, out_type=_dtypes.int32):  # noqa: A002
    """``tf.shape``: the dynamic shape of ``input`` as a 1-D int tensor."""
    input = convert_to_tensor(input)
    out_type = _dtypes.as_dtype(out_type)
    return apply_op("Shape", [input], [out_type], attrs={"T": input.dtype.base_dtype,
                                                         "out_type": out_type},
                    name=name or "Shape").outputs[0]


def size(input, name=None, out_type=_dtypes.int32):  # noqa: A002
    """``tf.size``: the number of elements of ``input``."""
    input = convert_to_tensor(input)
    out_type = _dtypes.as_dtype(out_type)
    n = input.shape.num_elements()
    if n is not None:
        return constant(n, dtype=out_type, name=name or "Size")
    return apply_op("Size", [input], [out_type], attrs={"T": input.dtype.base_dtype,
                                                        "out_type": out_type},
                    name=name or "Size").outputs[0]


def rank(input, name=None):  # noqa: A002
    """``tf.rank``: the number of dimensions of ``input``."""
    input = convert_to_tensor(input)
    if input.shape.ndims is not None:
        return constant(input.shape.ndims, dtype=_dtypes.int32, name=name or "Rank")
    return apply_op("Rank", [input], [_dtypes.int32], attrs={"T": input.dtype.base_dtype},
                    name=name or "Rank").outputs[0]


def _reshape_shape(op):
    x, s = op.inputs
    target = shape_from_shape_tensor(s)
    if target.ndims is None:
        return [target]
    dims = target.as_list()
    value = constant_value(s)
    if value is not None:
        dims = [int(d) for d in np.asarray(value).reshape(-1)]
        if sum(1 for d in dims if d == -1) > 1:
            raise ValueError("Cannot infer multiple unknown dimensions in shape %s" % dims)
        n = x.shape.num_elements()
        if -1 in dims:
            known = int(np.prod([d for d in dims if d != -1])) if len(dims) > 1 else 1
            if n is not None:
                if known == 0 or n % known:
                    raise ValueError("Cannot reshape a tensor with %d elements to shape %s "
                                     "(%d elements)" % (n, dims, known))
                dims = [n // known if d == -1 else d for d in dims]
            else:
                dims = [None if d == -1 else d for d in dims]
        elif n is not None and n != int(np.prod(dims)):
            raise ValueError("Cannot reshape a tensor with %d elements to shape %s (%d "
                             "elements)" % (n, dims, int(np.prod(dims))))
    return [TensorShape(dims)]


def _reshape_kernel(ctx, x, s):
    try:
        return x.reshape(tuple(int(d) for d in (s.tolist() if hasattr(s, "tolist") else s)))
    except ValueError:
        raise errors.InvalidArgumentError(
            None, ctx.op, "Input to reshape is a tensor with %d values, but the requested "
            "shape has %d" % (x.size, abs(int(np.prod([int(d) for d in s.tolist()])))))


def _reshape_grad(op, grad):
    return [reshape(grad, shape(op.inputs[0])), None]


register_op("Reshape", shape=_reshape_shape, kernel=_reshape_kernel, grad=_reshape_grad)


def _shape_tensor(s, name="shape"):
    if isinstance(s, Tensor):
        return s
    if isinstance(s, TensorShape):
        s = s.as_list()
    return constant(s, dtype=_dtypes.int32 if not _needs_int64(s) else _dtypes.int64, name=name)


def _needs_int64(s):
    try:
        return any(int(d) > 2 ** 31 - 1 for d in np.asarray(s).reshape(-1))
    except (TypeError, ValueError):
        return False


def reshape(tensor, shape, name=None):  # noqa: F811 - TF's argument name
    """``tf.reshape``: the same values in a new shape (one dimension may be -1)."""
    tensor = convert_to_tensor(tensor)
    if not isinstance(shape, Tensor) and isinstance(shape, (list, tuple)) and any(
            isinstance(d, Tensor) for d in shape):
        shape = stack(list(shape))
    s = _shape_tensor(shape, "Reshape/shape")
    return apply_op("Reshape", [tensor, s], [tensor.dtype.base_dtype],
                    attrs={"T": tensor.dtype.base_dtype, "Tshape": s.dtype},
                    name=name or "Reshape").outputs[0]


def _fill_kernel(ctx, dims, value):
    xp = ctx.xp
    return xp.full(tuple(int(d) for d in dims.tolist()), value, dtype=value.dtype)


register_op("Fill", shape=lambda op: [shape_from_shape_tensor(op.inputs[0])],
            kernel=_fill_kernel,
            grad=lambda op, grad: [None, _sum_all(grad)])


def _sum_all(grad):
    from tensorslim.core.ops import math_ops
    return math_ops.reduce_sum(grad)


def fill(dims, value, name=None):
    """``tf.fill``: a tensor of shape ``dims`` filled with ``value``."""
    value = convert_to_tensor(value)
    dims = _shape_tensor(dims, "Fill/dims") if not isinstance(dims, Tensor) else dims
    dt = value.dtype.base_dtype
    return apply_op("Fill", [dims, value], [dt], attrs={"T": dt, "index_type": dims.dtype},
                    name=name or "Fill").outputs[0]


def zeros(shape, dtype=_dtypes.float32, name=None):
    """``tf.zeros``: a tensor of zeros."""
    dtype = _dtypes.as_dtype(dtype).base_dtype
    with name_scope(name, "zeros", [shape]) as scope:
        if not isinstance(shape, Tensor):
            s = as_shape(shape) if not isinstance(shape, (int, np.integer)) else \
                TensorShape([shape])
            if s.is_fully_defined() and s.num_elements() < 1000:
                return _named_const(np.zeros(s.as_list(), dtype.as_numpy_dtype), dtype, scope)
        return fill(shape, constant(0, dtype=dtype), name=scope)


def ones(shape, dtype=_dtypes.float32, name=None):
    """``tf.ones``: a tensor of ones."""
    dtype = _dtypes.as_dtype(dtype).base_dtype
    with name_scope(name, "ones", [shape]) as scope:
        if not isinstance(shape, Tensor):
            s = as_shape(shape) if not isinstance(shape, (int, np.integer)) else \
                TensorShape([shape])
            if s.is_fully_defined() and s.num_elements() < 1000:
                return _named_const(np.ones(s.as_list(), dtype.as_numpy_dtype), dtype, scope)
        return fill(shape, constant(1, dtype=dtype), name=scope)


def _named_const(value, dtype, scope):
    # name_scope(...) yielded "zeros/"; the op itself takes the scope's name, as TF does.
    return constant(value, dtype=dtype, name=scope)


register_op("ZerosLike", shape=same_shape_fn, kernel=lambda ctx, x: ctx.xp.zeros_like(x),
            grad=_NO_GRAD)
register_op("OnesLike", shape=same_shape_fn, kernel=lambda ctx, x: ctx.xp.ones_like(x),
            grad=_NO_GRAD)


def zeros_like(tensor, dtype=None, name=None, optimize=True):
    """``tf.zeros_like``."""
    tensor = convert_to_tensor(tensor)
    if dtype is not None and _dtypes.as_dtype(dtype) != tensor.dtype.base_dtype:
        return zeros(shape(tensor), dtype=dtype, name=name)
    dt = tensor.dtype.base_dtype
    return apply_op("ZerosLike", [tensor], [dt], attrs={"T": dt},
                    name=name or "zeros_like").outputs[0]


def ones_like(tensor, dtype=None, name=None, optimize=True):
    """``tf.ones_like``."""
    tensor = convert_to_tensor(tensor)
    if dtype is not None and _dtypes.as_dtype(dtype) != tensor.dtype.base_dtype:
        return ones(shape(tensor), dtype=dtype, name=name)
    dt = tensor.dtype.base_dtype
    return apply_op("OnesLike", [tensor], [dt], attrs={"T": dt},
                    name=name or "ones_like").outputs[0]


# --------------------------------------------------------------------------- expand/squeeze

def _expand_dims_shape(op):
    x = op.inputs[0]
    axis = constant_value(op.inputs[1])
    if x.shape.ndims is None or axis is None:
        return [unknown_shape()]
    axis = int(np.asarray(axis).reshape(-1)[0])
    n = x.shape.ndims
    if axis < -n - 1 or axis > n:
        raise ValueError("Tried to expand dim index %d for tensor with %d dimensions" % (axis,
                                                                                         n))
    if axis < 0:
        axis += n + 1
    dims = x.shape.as_list()
    return [TensorShape(dims[:axis] + [1] + dims[axis:])]


register_op("ExpandDims", shape=_expand_dims_shape,
            kernel=lambda ctx, x, a: ctx.xp.expand_dims(x, int(a)),
            grad=lambda op, grad: [reshape(grad, shape(op.inputs[0])), None])


def expand_dims(input, axis=None, name=None, dim=None):  # noqa: A002
    """``tf.expand_dims``: inserts a dimension of size 1 at ``axis``."""
    if axis is None:
        axis = dim
    if axis is None:
        raise ValueError("Must specify an axis argument to tf.expand_dims()")
    input = convert_to_tensor(input)
    a = axis if isinstance(axis, Tensor) else constant(axis, dtype=_dtypes.int32,
                                                       name="ExpandDims/dim")
    return apply_op("ExpandDims", [input, a], [input.dtype.base_dtype],
                    attrs={"T": input.dtype.base_dtype, "Tdim": a.dtype},
                    name=name or "ExpandDims").outputs[0]


def _squeeze_shape(op):
    x = op.inputs[0]
    dims = op.get_attr("squeeze_dims")
    if x.shape.ndims is None:
        return [unknown_shape()]
    n = x.shape.ndims
    shp = x.shape.as_list()
    if dims:
        norm = []
        for d in dims:
            if d < -n or d >= n:
                raise ValueError("Tried to squeeze dim index %d for tensor with %d dimensions."
                                 % (d, n))
            d = d + n if d < 0 else d
            if shp[d] is not None and shp[d] != 1:
                raise ValueError("Can not squeeze dim[%d], expected a dimension of 1, got %d"
                                 % (d, shp[d]))
            norm.append(d)
        return [TensorShape([s for i, s in enumerate(shp) if i not in norm])]
    if any(s is None for s in shp):
        return [unknown_shape()]
    return [TensorShape([s for s in shp if s != 1])]


def _squeeze_kernel(ctx, x):
    dims = ctx.attrs["squeeze_dims"]
    if dims:
        return ctx.xp.squeeze(x, axis=tuple(dims))
    return ctx.xp.squeeze(x)


register_op("Squeeze", shape=_squeeze_shape, kernel=_squeeze_kernel,
            grad=lambda op, grad: [reshape(grad, shape(op.inputs[0]))])


def squeeze(input, axis=None, name=None, squeeze_dims=None):  # noqa: A002
    """``tf.squeeze``: removes dimensions of size 1 (all, or those in ``axis``)."""
    if axis is None:
        axis = squeeze_dims
    if isinstance(axis, int):
        axis = [axis]
    input = convert_to_tensor(input)
    return apply_op("Squeeze", [input], [input.dtype.base_dtype],
                    attrs={"T": input.dtype.base_dtype, "squeeze_dims": list(axis or [])},
                    name=name or "Squeeze").outputs[0]


# --------------------------------------------------------------------------- stack/concat

def _pack_shape(op):
    axis = op.get_attr("axis")
    shape = TensorShape(None)
    for t in op.inputs:
        try:
            shape = shape.merge_with(t.shape)
        except ValueError:
            raise ValueError("Shapes %s and %s are incompatible" % (op.inputs[0].shape,
                                                                     t.shape)) from None
    if shape.ndims is None:
        return [unknown_shape()]
    n = shape.ndims
    if axis < -(n + 1) or axis > n:
        raise ValueError("Argument `axis` = %d not in range [%d, %d)" % (axis, -(n + 1), n + 1))
    if axis < 0:
        axis += n + 1
    dims = shape.as_list()
    return [TensorShape(dims[:axis] + [len(op.inputs)] + dims[axis:])]


def _pack_grad(op, grad):
    from tensorslim.core.ops import manip_ops
    return manip_ops.unstack(grad, num=len(op.inputs), axis=op.get_attr("axis"))


register_op("Pack", shape=_pack_shape,
            kernel=lambda ctx, *xs: ctx.xp.stack(xs, axis=ctx.attrs["axis"]),
            grad=_pack_grad)


def stack(values, axis=0, name="stack"):
    """``tf.stack`` (``tf.pack``): joins tensors of one shape along a new axis."""
    vals = [v for v in values]
    tensors = [v for v in vals if isinstance(v, Tensor) or hasattr(v, "_as_graph_element")]
    dtype = convert_to_tensor(tensors[0]).dtype.base_dtype if tensors else None
    if dtype is None:
        value = convert_to_numpy_value(np.stack([convert_to_numpy_value(v) for v in vals],
                                                axis=axis))
        return constant(value, name=name)
    vals = [convert_to_tensor(v, dtype=dtype) for v in vals]
    return apply_op("Pack", vals, [dtype], attrs={"T": dtype, "N": len(vals), "axis": axis},
                    name=name).outputs[0]


def _concat_shape(op):
    values = op.inputs[:-1]
    axis = constant_value(op.inputs[-1])
    ranks = [v.shape.ndims for v in values if v.shape.ndims is not None]
    if not ranks:
        return [unknown_shape()]
    n = ranks[0]
    for v in values:
        if v.shape.ndims is not None and v.shape.ndims != n:
            raise ValueError("Shape must be rank %d but is rank %d" % (n, v.shape.ndims))
    if axis is None:
        return [unknown_shape(n)]
    axis = int(axis)
    if axis < -n or axis >= n:
        raise ValueError("ConcatOp : Expected concatenating dimensions in the range [%d, %d), "
                         "but got %d" % (-n, n, axis))
    if axis < 0:
        axis += n
    out = [None] * n
    total = 0
    for v in values:
        if v.shape.ndims is None:
            total = None
            continue
        dims = v.shape.as_list()
        for i, d in enumerate(dims):
            if i == axis:
                continue
            if out[i] is None:
                out[i] = d
            elif d is not None and d != out[i]:
                raise ValueError("Dimension %d in both shapes must be equal, but are %d and %d"
                                 % (i, out[i], d))
        if total is not None:
            total = None if dims[axis] is None else total + dims[axis]
    out[axis] = total
    return [TensorShape(out)]


def _concat_kernel(ctx, *args):
    return ctx.xp.concatenate(args[:-1], axis=int(args[-1]))


def _concat_grad(op, grad):
    from tensorslim.core.ops import manip_ops
    values = op.inputs[:-1]
    axis = op.inputs[-1]
    if len(values) == 1:
        return [grad, None]
    sizes = stack([shape(v) for v in values])
    parts = manip_ops.split_by_sizes(grad, values, axis)
    return list(parts) + [None]


register_op("ConcatV2", shape=_concat_shape, kernel=_concat_kernel, grad=_concat_grad)


def concat(values, axis, name="concat"):
    """``tf.concat``: joins tensors along an existing ``axis``."""
    if not isinstance(values, (list, tuple)):
        values = [values]
    values = list(values)
    if len(values) == 1:
        with name_scope(name) as scope:
            t = convert_to_tensor(values[0])
            return identity(t, name=scope)
    tensors = [v for v in values if isinstance(v, Tensor) or hasattr(v, "_as_graph_element")]
    dtype = convert_to_tensor(tensors[0]).dtype.base_dtype if tensors else None
    vals = [convert_to_tensor(v, dtype=dtype) for v in values]
    dtype = vals[0].dtype.base_dtype
    from tensorslim.core.op_util import check_same_dtype
    check_same_dtype("ConcatV2", ["values"] * len(vals), vals)
    a = axis if isinstance(axis, Tensor) else constant(axis, dtype=_dtypes.int32,
                                                       name=name + "/axis")
    return apply_op("ConcatV2", vals + [a], [dtype],
                    attrs={"T": dtype, "N": len(vals), "Tidx": a.dtype},
                    name=name).outputs[0]


# --------------------------------------------------------------------------- broadcasting

def _bcast_args_kernel(ctx, s0, s1):
    s0 = [int(d) for d in s0.tolist()]
    s1 = [int(d) for d in s1.tolist()]
    n = max(len(s0), len(s1))
    p0 = [1] * (n - len(s0)) + s0
    p1 = [1] * (n - len(s1)) + s1
    r0, r1 = [], []
    for i, (a, b) in enumerate(zip(p0, p1)):
        if a == b:
            if a == 1:
                r0.append(i)
                r1.append(i)
            continue
        if a == 1:
            r0.append(i)
        elif b == 1:
            r1.append(i)
        else:
            raise errors.InvalidArgumentError(None, ctx.op, "Incompatible shapes: %s vs. %s"
                                              % (s0, s1))
    dt = ctx.attrs["T"].as_numpy_dtype
    return (_host_int(ctx, np.array(r0, dtype=dt)), _host_int(ctx, np.array(r1, dtype=dt)))


register_op("BroadcastGradientArgs", kernel=_bcast_args_kernel,
            shape=lambda op: [TensorShape([None]), TensorShape([None])], grad=_NO_GRAD)


def broadcast_gradient_args(s0, s1, name=None):
    """The axes to reduce gradients over for each side of a broadcasting binary op."""
    return apply_op("BroadcastGradientArgs", [s0, s1], [s0.dtype, s0.dtype],
                    attrs={"T": s0.dtype}, name=name or "BroadcastGradientArgs").outputs
