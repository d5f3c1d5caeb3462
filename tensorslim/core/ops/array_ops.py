"""Array ops: constants, placeholders, identity, shapes, reshaping, stacking, concatenation,
one-hot encoding and diagonals.

Each user function builds its node the way TF1's generated op wrappers do: it opens a name
scope named after the op (or the ``name`` argument), converts Python arguments to Consts named
after the op's input (``Reshape/shape``, ``concat/axis``) and gives the op the scope's name.
"""
import math

import numpy as np

from tensorslim.core import dtypes as _dtypes
from tensorslim.core import errors
from tensorslim.core.graph import (Tensor, convert_to_tensor, get_default_graph, name_scope,
                                   register_tensor_conversion_function)
from tensorslim.core.op_util import (apply_op, check_same_dtype, constant_value,
                                     same_shape_fn, shape_from_shape_tensor)
from tensorslim.core.registry import not_differentiable_marker, register_op
from tensorslim.core.tensor_shape import TensorShape, as_shape, unknown_shape

__all__ = ["constant", "placeholder", "placeholder_with_default", "identity", "shape",
           "shape_n", "size", "rank", "reshape", "fill", "zeros", "ones", "zeros_like",
           "ones_like", "expand_dims", "squeeze", "stack", "pack", "unstack", "unpack", "concat",
           "stop_gradient", "broadcast_gradient_args", "convert_to_numpy_value", "one_hot",
           "matrix_diag", "matrix_diag_part", "matrix_set_diag", "diag", "diag_part", "eye",
           "newaxis", "shape_string", "int_list"]

_NO_GRAD = not_differentiable_marker()
_INDEX_DTYPES = (_dtypes.int32, _dtypes.int64)

newaxis = None  # ``tf.newaxis``: inserts a dimension of size 1 in ``tensor[...]``.


# --------------------------------------------------------------------------- helpers

def shape_string(shape):
    """A static shape as TF writes it in error messages: ``[2,?]``, or ``?`` if unknown."""
    shape = as_shape(shape)
    if shape.ndims is None:
        return "?"
    return "[%s]" % ",".join("?" if d is None else str(d) for d in shape.as_list())


def int_list(array):
    """The values of a (host or device) integer array as a flat Python list of ints."""
    return [int(v) for v in array.reshape(-1).tolist()]


def check_dtype(op_type, arg, tensor, allowed):
    """TypeError, as TF's op builder raises it, when ``tensor``'s dtype is not allowed."""
    dt = tensor.dtype.base_dtype
    if dt not in allowed:
        raise TypeError("Value passed to parameter '%s' has DataType %s not in list of allowed "
                        "values: %s" % (arg, dt.name, ", ".join(d.name for d in allowed)))


def _index_input(value, name, op_type="", dtype=None):
    """An int32/int64 input (axis, shape, multiples...), converted as TF's builder does."""
    t = convert_to_tensor(value, dtype=dtype, name=name, preferred_dtype=_dtypes.int32)
    check_dtype(op_type, name, t, _INDEX_DTYPES)
    return t


def _host_int(ctx, value):
    return ctx.to_device(value) if ctx.xp is not np else value


def _out(op):
    return op.outputs[0]


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

    Returns:
      The Const's output Tensor.

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
    if isinstance(arr, np.ndarray) and arr.flags.owndata:
        arr.setflags(write=False)
    dt = _dtypes.as_dtype(arr.dtype) if dtype is None else _dtypes.as_dtype(dtype).base_dtype
    g = get_default_graph()
    op = g.create_op("Const", [], [dt], name=name, attrs={"value": arr, "dtype": dt})
    out = op.outputs[0]
    out._shape = TensorShape(arr.shape)
    return out


# --------------------------------------------------------------------------- autopacking

def _is_tensor_like(v):
    return isinstance(v, Tensor) or (hasattr(v, "_as_graph_element") and hasattr(v, "dtype")
                                     and not isinstance(v, (list, tuple)))


def _nested_dtype(values):
    for elem in values:
        if _is_tensor_like(elem):
            return elem.dtype.base_dtype
        if isinstance(elem, (list, tuple)):
            dt = _nested_dtype(elem)
            if dt is not None:
                return dt
    return None


def _flat_tensors(values):
    out = []
    for elem in values:
        if _is_tensor_like(elem):
            out.append(elem)
        elif isinstance(elem, (list, tuple)):
            out.extend(_flat_tensors(elem))
    return out


def _autopack(values, dtype, name):
    must_pack = False
    converted = []
    with name_scope(name, None, _flat_tensors(values)) as scope:
        for i, elem in enumerate(values):
            if _is_tensor_like(elem):
                t = convert_to_tensor(elem)
                if t.dtype.base_dtype != dtype:
                    raise TypeError("Cannot convert a list containing a tensor of dtype %s to "
                                    "%s (Tensor is: %r)" % (t.dtype.name, dtype.name, t))
                converted.append(t)
                must_pack = True
            elif isinstance(elem, (list, tuple)):
                c = _autopack(elem, dtype, str(i))
                must_pack = must_pack or isinstance(c, Tensor)
                converted.append(c)
            else:
                converted.append(elem)
        if not must_pack:
            return converted
        tensors = [e if isinstance(e, Tensor) else constant(e, dtype=dtype, name=str(i))
                   for i, e in enumerate(converted)]
        return _pack(tensors, 0, scope)


def _autopacking_conversion(value, dtype=None, name=None, as_ref=False):
    # A list holding Tensors becomes a Pack of them, as TF1 converts it.
    if as_ref:
        return NotImplemented
    inferred = _nested_dtype(value)
    if inferred is None:
        return NotImplemented
    dtype = inferred if dtype is None else _dtypes.as_dtype(dtype).base_dtype
    return _autopack(value, dtype, name or "packed")


register_tensor_conversion_function((list, tuple), _autopacking_conversion, priority=99)


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

    Returns:
      The Placeholder's output Tensor.
    """
    dtype = _dtypes.as_dtype(dtype).base_dtype
    shape = unknown_shape() if shape is None else as_shape(shape)
    op = get_default_graph().create_op("Placeholder", [], [dtype], name=name or "Placeholder",
                                       attrs={"dtype": dtype, "shape": shape})
    return op.outputs[0]


# The gradient passes through to the default, as TF's (_IdGrad).
register_op("PlaceholderWithDefault", shape=_placeholder_shape,
            kernel=lambda ctx, x: x, grad=lambda op, grad: [grad])


def placeholder_with_default(input, shape, name=None):  # noqa: A002 - TF's argument name
    """``tf.placeholder_with_default``: a placeholder that yields ``input`` when not fed.

    Raises:
      ValueError: ``shape`` is incompatible with ``input``'s shape.
    """
    with name_scope(name, "PlaceholderWithDefault", [input]) as scope:
        input = convert_to_tensor(input, name="input")
        shape = as_shape(shape)
        if not shape.is_compatible_with(input.shape):
            raise ValueError("Shapes %s and %s are incompatible" % (input.shape, shape))
        return apply_op("PlaceholderWithDefault", [input], [input.dtype.base_dtype],
                        attrs={"dtype": input.dtype.base_dtype, "shape": shape},
                        name=scope).outputs[0]


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

def _out_type_context(ctx):
    ctx.state = ctx.attrs["out_type"].as_numpy_dtype


def _shape_shape(op):
    return [TensorShape([op.inputs[0].shape.ndims])]


register_op("Shape", shape=_shape_shape, make_context=_out_type_context,
            kernel=lambda ctx, x: _host_int(ctx, np.array(x.shape, dtype=ctx.state)),
            grad=_NO_GRAD)
register_op("Size", shape=lambda op: [TensorShape([])], make_context=_out_type_context,
            kernel=lambda ctx, x: _host_int(ctx, np.array(x.size, dtype=ctx.state)),
            grad=_NO_GRAD)
register_op("Rank", shape=lambda op: [TensorShape([])],
            kernel=lambda ctx, x: _host_int(ctx, np.array(x.ndim, dtype=np.int32)),
            grad=_NO_GRAD)
register_op("ShapeN", shape=lambda op: [TensorShape([t.shape.ndims]) for t in op.inputs],
            make_context=_out_type_context,
            kernel=lambda ctx, *xs: tuple(_host_int(ctx, np.array(x.shape, dtype=ctx.state))
                                          for x in xs),
            grad=_NO_GRAD)


def shape(input, name=None, out_type=_dtypes.int32):  # noqa: A002
    """``tf.shape``: the shape of ``input`` as a 1-D int tensor.

    As in TF1, a fully known static shape is folded into a Const.
    """
    out_type = _dtypes.as_dtype(out_type)
    with name_scope(name, "Shape", [input]) as scope:
        input = convert_to_tensor(input)
        if input.shape.is_fully_defined():
            return constant(input.shape.as_list(), dtype=out_type, name=scope)
        return apply_op("Shape", [input], [out_type],
                        attrs={"T": input.dtype.base_dtype, "out_type": out_type},
                        name=scope).outputs[0]


def shape_n(input, out_type=_dtypes.int32, name=None):  # noqa: A002
    """``tf.shape_n``: the shapes of a list of tensors (one ShapeN op, never folded)."""
    out_type = _dtypes.as_dtype(out_type)
    with name_scope(name, "ShapeN", list(input)) as scope:
        tensors = [convert_to_tensor(t) for t in input]
        dt = tensors[0].dtype.base_dtype
        return apply_op("ShapeN", tensors, [out_type] * len(tensors),
                        attrs={"N": len(tensors), "T": dt, "out_type": out_type},
                        name=scope).outputs


def size(input, name=None, out_type=_dtypes.int32):  # noqa: A002
    """``tf.size``: the number of elements of ``input`` (a Const when statically known)."""
    out_type = _dtypes.as_dtype(out_type)
    with name_scope(name, "Size", [input]) as scope:
        input = convert_to_tensor(input)
        n = input.shape.num_elements()
        if n is None and input.shape.ndims and any(d == 0 for d in input.shape.as_list()):
            n = 0
        if n is not None:
            return constant(n, dtype=out_type, name=scope)
        return apply_op("Size", [input], [out_type],
                        attrs={"T": input.dtype.base_dtype, "out_type": out_type},
                        name=scope).outputs[0]


def rank(input, name=None):  # noqa: A002
    """``tf.rank``: the number of dimensions of ``input`` (a Const when statically known)."""
    with name_scope(name, "Rank", [input]) as scope:
        input = convert_to_tensor(input)
        if input.shape.ndims is not None:
            return constant(input.shape.ndims, dtype=_dtypes.int32, name=scope)
        return _rank_op(input, scope)


def _rank_op(input, name):  # noqa: A002
    return apply_op("Rank", [input], [_dtypes.int32], attrs={"T": input.dtype.base_dtype},
                    name=name).outputs[0]


# --------------------------------------------------------------------------- reshape

def _reshape_shape(op):
    # TF's shape function: infer the -1 (or one unknown output dim) from the input's known
    # elements, and reject element counts that cannot match.
    x, s = op.inputs
    target = shape_from_shape_tensor(s)
    if target.ndims is None:
        return [target]
    value = constant_value(s)
    if value is not None:
        dims = [int(d) for d in np.asarray(value).reshape(-1)]
        for i, d in enumerate(dims):
            if d < -1:
                raise ValueError("Size %d must be non-negative, not %d" % (i, d))
        if dims.count(-1) > 1:
            return [unknown_shape(len(dims))]
        out = [None if d == -1 else d for d in dims]
    else:
        out = target.as_list()
    if x.shape.ndims is None:
        return [TensorShape(out)]
    in_dims = x.shape.as_list()
    in_unknown = [i for i, d in enumerate(in_dims) if d is None]
    out_unknown = [i for i, d in enumerate(out) if d is None]
    if len(in_unknown) > 1 or len(out_unknown) > 1:
        return [TensorShape(out)]
    known_in = int(np.prod([d for d in in_dims if d is not None]))
    known_out = int(np.prod([d for d in out if d is not None]))
    if not in_unknown and not out_unknown:
        if known_in != known_out:
            raise ValueError("Cannot reshape a tensor with %d elements to shape %s (%d "
                             "elements)" % (known_in, shape_string(out), known_out))
    elif not in_unknown and known_out > 0:
        if known_in % known_out:
            raise ValueError("Dimension size must be evenly divisible by %d but is %d"
                             % (known_out, known_in))
        out[out_unknown[0]] = known_in // known_out
    elif not in_unknown and known_in:
        raise ValueError("Cannot reshape a tensor with %d elements to shape %s (0 elements)"
                         % (known_in, shape_string(out)))
    elif in_unknown and not out_unknown and known_in:
        if known_out % known_in:
            raise ValueError("Dimension size must be evenly divisible by %d but is %d"
                             % (known_in, known_out))
    return [TensorShape(out)]


def _reshape_kernel(ctx, x, s):
    # Per-element tf.data functions reshape small arrays: keep the common case (no -1, a
    # 1-D shape) to a list and an exact integer product.
    dims = s.tolist() if s.ndim == 1 else int_list(s)
    if min(dims, default=0) >= 0:
        known = math.prod(dims)
        if known != x.size:
            raise ValueError("Input to reshape is a tensor with %d values, but the requested "
                             "shape has %d" % (x.size, known))
        return x.reshape(dims)
    unknown = [i for i, d in enumerate(dims) if d == -1]
    for i, d in enumerate(dims):
        if d < -1:
            raise ValueError("Size %d must be non-negative, not %d" % (i, d))
    if len(unknown) > 1:
        raise ValueError("Only one input size may be -1, not both %d and %d"
                         % (unknown[0], unknown[1]))
    known = int(np.prod([d for d in dims if d != -1]))
    if unknown:
        if known == 0:
            raise ValueError("Reshape cannot infer the missing input size for an empty tensor "
                             "unless all specified input sizes are non-zero")
        if x.size % known:
            raise ValueError("Input to reshape is a tensor with %d values, but the requested "
                             "shape requires a multiple of %d" % (x.size, known))
    elif known != x.size:
        raise ValueError("Input to reshape is a tensor with %d values, but the requested "
                         "shape has %d" % (x.size, known))
    return x.reshape(tuple(dims))


def _reshape_grad(op, grad):
    return [reshape(grad, shape(op.inputs[0])), None]


register_op("Reshape", shape=_reshape_shape, kernel=_reshape_kernel, grad=_reshape_grad)


def _shape_tensor(s, name="shape"):
    """A 1-D int32 (int64 if needed) shape tensor from a list, TensorShape or Tensor."""
    if isinstance(s, Tensor):
        return s
    if isinstance(s, TensorShape):
        s = s.as_list()
    if isinstance(s, (list, tuple)) and any(_is_tensor_like(d) for d in s):
        return convert_to_tensor(list(s), name=name)
    return constant(s, dtype=_dtypes.int64 if _needs_int64(s) else _dtypes.int32, name=name)


def _needs_int64(s):
    try:
        return any(int(d) > 2 ** 31 - 1 for d in np.asarray(s).reshape(-1))
    except (TypeError, ValueError):
        return False


def reshape(tensor, shape, name=None):  # noqa: F811 - TF's argument name
    """``tf.reshape``: the same values in a new shape (one dimension may be -1).

    Raises:
      ValueError: the element counts differ, statically.
      InvalidArgumentError: (at run time) the element counts differ.
    """
    with name_scope(name, "Reshape", [tensor, shape]) as scope:
        tensor = convert_to_tensor(tensor, name="tensor")
        s = _shape_tensor(shape, "shape")
        check_dtype("Reshape", "shape", s, _INDEX_DTYPES)
        return apply_op("Reshape", [tensor, s], [tensor.dtype.base_dtype],
                        attrs={"T": tensor.dtype.base_dtype, "Tshape": s.dtype.base_dtype},
                        name=scope).outputs[0]


# --------------------------------------------------------------------------- fill, zeros, ones

def _fill_shape(op):
    dims, value = op.inputs
    if value.shape.ndims not in (None, 0):
        raise ValueError("Shape must be rank 0 but is rank %d" % value.shape.ndims)
    v = constant_value(dims)
    if v is not None and any(int(d) < 0 for d in np.asarray(v).reshape(-1)):
        raise ValueError("Fill dimensions must be >= 0")
    return [shape_from_shape_tensor(dims)]


def _fill_kernel(ctx, dims, value):
    dims = int_list(dims)
    if any(d < 0 for d in dims):
        raise ValueError("dims must be non-negative, got %s" % dims)
    return ctx.xp.full(tuple(dims), value, dtype=value.dtype)


def _fill_grad(op, grad):
    from tensorslim.core.ops import math_ops
    return [None, math_ops.reduce_sum(grad)]


register_op("Fill", shape=_fill_shape, kernel=_fill_kernel, grad=_fill_grad)


def fill(dims, value, name=None):
    """``tf.fill``: a tensor of shape ``dims`` filled with the scalar ``value``."""
    with name_scope(name, "Fill", [dims, value]) as scope:
        dims = _shape_tensor(dims, "dims")
        value = convert_to_tensor(value, name="value")
        dt = value.dtype.base_dtype
        return apply_op("Fill", [dims, value], [dt],
                        attrs={"T": dt, "index_type": dims.dtype.base_dtype},
                        name=scope).outputs[0]


def _fill_value(dtype, one):
    if dtype == _dtypes.bool:
        return one
    if dtype == _dtypes.string and not one:
        return b""
    return 1 if one else 0


def _constant_filled(shape, dtype, one, name, default_name):
    dtype = _dtypes.as_dtype(dtype).base_dtype
    value = _fill_value(dtype, one)
    with name_scope(name, default_name, [shape]) as scope:
        if not isinstance(shape, Tensor):
            try:
                s = TensorShape([shape]) if isinstance(shape, (int, np.integer)) \
                    else as_shape(shape)
            except (TypeError, ValueError):
                s = None
            if s is not None and s.is_fully_defined() and s.num_elements() < 1000:
                return constant(value, dtype=dtype, shape=s.as_list(), name=scope)
            if s is not None and s.is_fully_defined():
                shape = _shape_tensor(s.as_list(), "shape_as_tensor")
            else:
                shape = convert_to_tensor(shape, dtype=_dtypes.int32)
        if shape.shape.ndims == 0:
            shape = reshape(shape, [-1])
        return fill(shape, constant(value, dtype=dtype), name=scope)


def zeros(shape, dtype=_dtypes.float32, name=None):
    """``tf.zeros``: a tensor of zeros (a Const when small, else a Fill)."""
    return _constant_filled(shape, dtype, False, name, "zeros")


def ones(shape, dtype=_dtypes.float32, name=None):
    """``tf.ones``: a tensor of ones (a Const when small, else a Fill)."""
    return _constant_filled(shape, dtype, True, name, "ones")


register_op("ZerosLike", shape=same_shape_fn, kernel=lambda ctx, x: ctx.xp.zeros_like(x),
            grad=_NO_GRAD)
register_op("OnesLike", shape=same_shape_fn, kernel=lambda ctx, x: ctx.xp.ones_like(x),
            grad=_NO_GRAD)


def zeros_like(tensor, dtype=None, name=None, optimize=True):
    """``tf.zeros_like``: zeros with ``tensor``'s shape (and dtype unless given)."""
    with name_scope(name, "zeros_like", [tensor]) as scope:
        tensor = convert_to_tensor(tensor, name="tensor")
        dtype = None if dtype is None else _dtypes.as_dtype(dtype).base_dtype
        if optimize and tensor.shape.is_fully_defined():
            return zeros(tensor.shape.as_list(), dtype=dtype or tensor.dtype.base_dtype,
                         name=scope)
        if dtype is not None and dtype != tensor.dtype.base_dtype:
            return zeros(shape(tensor), dtype=dtype, name=scope)
        dt = tensor.dtype.base_dtype
        return apply_op("ZerosLike", [tensor], [dt], attrs={"T": dt}, name=scope).outputs[0]


def ones_like(tensor, dtype=None, name=None, optimize=True):
    """``tf.ones_like``: ones with ``tensor``'s shape (and dtype unless given)."""
    with name_scope(name, "ones_like", [tensor]) as scope:
        tensor = convert_to_tensor(tensor, name="tensor")
        if optimize and tensor.shape.is_fully_defined():
            ones_shape = constant(tensor.shape.as_list(), dtype=_dtypes.int32, name="Shape")
        else:
            ones_shape = shape(tensor)
        dtype = tensor.dtype.base_dtype if dtype is None else _dtypes.as_dtype(dtype)
        ret = ones(ones_shape, dtype=dtype, name=scope)
        ret.set_shape(tensor.shape)
        return ret


# --------------------------------------------------------------------------- expand/squeeze

def _expand_dims_shape(op):
    x = op.inputs[0]
    axis = constant_value(op.inputs[1])
    if axis is not None and np.asarray(axis).size != 1:
        raise ValueError("'dim' input must be a tensor with a single value")
    if x.shape.ndims is None or axis is None:
        return [unknown_shape()]
    axis = int(np.asarray(axis).reshape(-1)[0])
    n = x.shape.ndims
    if axis < -n - 1 or axis > n:
        raise ValueError("Tried to expand dim index %d for tensor with %d dimensions"
                         % (axis, n))
    if axis < 0:
        axis += n + 1
    dims = x.shape.as_list()
    return [TensorShape(dims[:axis] + [1] + dims[axis:])]


def _expand_dims_kernel(ctx, x, a):
    axis = int_list(a)
    if len(axis) != 1:
        raise ValueError("'dim' must be a tensor with a single value")
    axis = axis[0]
    if axis < -x.ndim - 1 or axis > x.ndim:
        raise ValueError("Tried to expand dim index %d for tensor with %d dimensions"
                         % (axis, x.ndim))
    return ctx.xp.expand_dims(x, axis)


register_op("ExpandDims", shape=_expand_dims_shape, kernel=_expand_dims_kernel,
            grad=lambda op, grad: [reshape(grad, shape(op.inputs[0])), None])


def expand_dims(input, axis=None, name=None, dim=None):  # noqa: A002
    """``tf.expand_dims``: inserts a dimension of size 1 at ``axis`` (``dim``: old name).

    Raises:
      ValueError: no axis, both ``axis`` and ``dim``, or an axis out of range.
    """
    if axis is not None and dim is not None:
        raise ValueError("Cannot specify both 'axis' and 'dim'")
    if axis is None:
        axis = dim
    if axis is None:
        raise ValueError("Must specify an axis argument to tf.expand_dims()")
    with name_scope(name, "ExpandDims", [input, axis]) as scope:
        input = convert_to_tensor(input, name="input")
        a = _index_input(axis, "dim", "ExpandDims")
        return apply_op("ExpandDims", [input, a], [input.dtype.base_dtype],
                        attrs={"T": input.dtype.base_dtype, "Tdim": a.dtype.base_dtype},
                        name=scope).outputs[0]


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
    if not dims:
        return x.reshape(tuple(d for d in x.shape if d != 1))
    norm = set()
    for d in dims:
        if d < -x.ndim or d >= x.ndim:
            raise ValueError("Tried to squeeze dim index %d for tensor with %d dimensions."
                             % (d, x.ndim))
        d = d + x.ndim if d < 0 else d
        if x.shape[d] != 1:
            raise ValueError("Can not squeeze dim[%d], expected a dimension of 1, got %d"
                             % (d, x.shape[d]))
        norm.add(d)
    return x.reshape(tuple(s for i, s in enumerate(x.shape) if i not in norm))


register_op("Squeeze", shape=_squeeze_shape, kernel=_squeeze_kernel,
            grad=lambda op, grad: [reshape(grad, shape(op.inputs[0]))])


def squeeze(input, axis=None, name=None, squeeze_dims=None):  # noqa: A002
    """``tf.squeeze``: removes dimensions of size 1 (all, or those in ``axis``).

    Raises:
      ValueError: both ``axis`` and ``squeeze_dims``, or a listed dim that is not 1.
    """
    if axis is not None and squeeze_dims is not None:
        raise ValueError("Cannot specify both 'axis' and 'squeeze_dims'.")
    if axis is None:
        axis = squeeze_dims
    if np.isscalar(axis):
        axis = [axis]
    with name_scope(name, "Squeeze", [input]) as scope:
        input = convert_to_tensor(input, name="input")
        return apply_op("Squeeze", [input], [input.dtype.base_dtype],
                        attrs={"T": input.dtype.base_dtype,
                               "squeeze_dims": [int(a) for a in (axis or [])]},
                        name=scope).outputs[0]


# --------------------------------------------------------------------------- stack/unstack

def _merge_dims(a, b, prefix=""):
    """Merges two static dim lists as TF's shape inference does, with its messages."""
    if len(a) != len(b):
        raise ValueError("%sShapes must be equal rank, but are %d and %d" % (prefix, len(a),
                                                                            len(b)))
    out = []
    for i, (x, y) in enumerate(zip(a, b)):
        if x is not None and y is not None and x != y:
            raise ValueError("%sDimension %d in both shapes must be equal, but are %d and %d. "
                             "Shapes are %s and %s." % (prefix, i, x, y, shape_string(a),
                                                        shape_string(b)))
        out.append(x if x is not None else y)
    return out


def _pack_shape(op):
    axis = op.get_attr("axis")
    cur = None
    for i in range(len(op.inputs) - 1, -1, -1):
        s = op.inputs[i].shape
        if s.ndims is None:
            continue
        if cur is None:
            cur = s.as_list()
            continue
        try:
            cur = _merge_dims(s.as_list(), cur)
        except ValueError as e:
            raise ValueError("%s\n\tFrom merging shape %d with other shapes." % (e, i)) from None
    if cur is None:
        return [unknown_shape()]
    n = len(cur)
    if axis < -(n + 1) or axis > n:
        raise ValueError("Invalid axis: %d; must be in [%d,%d)" % (axis, -(n + 1), n + 1))
    if axis < 0:
        axis += n + 1
    return [TensorShape(cur[:axis] + [len(op.inputs)] + cur[axis:])]


def _pack_kernel(ctx, *xs):
    first = xs[0].shape
    for i, x in enumerate(xs[1:], 1):
        if x.shape != first:
            raise ValueError("Shapes of all inputs must match: values[0].shape = %s != "
                             "values[%d].shape = %s" % (shape_string(first), i,
                                                        shape_string(x.shape)))
    return ctx.xp.stack(xs, axis=ctx.attrs["axis"])


def _pack_grad(op, grad):
    return unstack(grad, num=len(op.inputs), axis=op.get_attr("axis"))


register_op("Pack", shape=_pack_shape, kernel=_pack_kernel, grad=_pack_grad)


def _pack(tensors, axis, name):
    dt = tensors[0].dtype.base_dtype
    check_same_dtype("Pack", ["values"] * len(tensors), tensors)
    return apply_op("Pack", tensors, [dt], attrs={"N": len(tensors), "T": dt, "axis": axis},
                    name=name).outputs[0]


def _convert_list(values, arg, op_type):
    """Converts a list input of one dtype (the first Tensor's), as TF's op builder does."""
    dtype = None
    for v in values:
        if _is_tensor_like(v):
            dtype = v.dtype.base_dtype
            break
    out = []
    for i, v in enumerate(values):
        out.append(convert_to_tensor(v, dtype=dtype, name="%s_%d" % (arg, i)))
    if len({t.dtype.base_dtype for t in out}) > 1:
        raise TypeError("Tensors in list passed to '%s' of '%s' Op have types [%s] that don't "
                        "all match." % (arg, op_type, ", ".join(t.dtype.base_dtype.name
                                                                for t in out)))
    return out


def stack(values, axis=0, name="stack"):
    """``tf.stack`` (``tf.pack``): joins tensors of one shape along a new ``axis``.

    Args:
      values: a list of tensors (or values convertible to them) of one shape and dtype.
      axis: where the new dimension goes; negative counts from the end.
      name: the op's name.

    Returns:
      The stacked tensor (a Const when every value is a Python/numpy constant and axis=0).

    Raises:
      ValueError: the shapes differ or ``axis`` is out of range.
    """
    if axis == 0:
        try:
            return convert_to_tensor(values, name=name)
        except (TypeError, ValueError):
            pass
    value_shape = convert_to_tensor(values[0], name=name).shape
    if value_shape.ndims is not None:
        n = value_shape.ndims + 1
        if axis < -n or axis >= n:
            raise ValueError("axis = %d not in [%d, %d)" % (axis, -n, n))
    with name_scope(name, "Pack", _flat_tensors(values)) as scope:
        tensors = _convert_list(list(values), "values", "Pack")
        return _pack(tensors, axis, scope)


pack = stack


def _unpack_shape(op):
    x = op.inputs[0]
    axis, num = op.get_attr("axis"), op.get_attr("num")
    if x.shape.ndims is None:
        return [unknown_shape() for _ in range(num)]
    n = x.shape.ndims
    if axis < -n or axis >= n:
        raise ValueError("Invalid axis: %d; must be in [%d,%d)" % (axis, -n, n))
    axis = axis + n if axis < 0 else axis
    dims = x.shape.as_list()
    if dims[axis] is not None and dims[axis] != num:
        raise ValueError("Dimension must be %d but is %d" % (num, dims[axis]))
    out = TensorShape(dims[:axis] + dims[axis + 1:])
    return [out] * num


def _unpack_kernel(ctx, x):
    axis, num = ctx.attrs["axis"], ctx.attrs["num"]
    axis = axis + x.ndim if axis < 0 else axis
    if x.shape[axis] != num:
        raise ValueError("Input shape axis %d must equal %d, got shape %s"
                         % (axis, num, shape_string(x.shape)))
    moved = ctx.xp.moveaxis(x, axis, 0)
    return tuple(moved[i] for i in range(num))


def _unpack_grad(op, *grads):
    return [stack(list(grads), axis=op.get_attr("axis"))]


register_op("Unpack", shape=_unpack_shape, kernel=_unpack_kernel, grad=_unpack_grad)


def unstack(value, num=None, axis=0, name="unstack"):
    """``tf.unstack`` (``tf.unpack``): splits ``value`` along ``axis`` into rank-1 pieces.

    Raises:
      ValueError: ``num`` is None and the size of ``axis`` is not statically known, or
        ``axis`` is out of range.
    """
    value = convert_to_tensor(value)
    vs = value.shape
    if num is None:
        if vs.ndims is not None:
            if axis < -vs.ndims or axis >= vs.ndims:
                raise ValueError("axis = %d not in [%d, %d)" % (axis, -vs.ndims, vs.ndims))
            num = vs[axis].value
        if num is None:
            raise ValueError("Cannot infer num from shape %s" % vs)
    dt = value.dtype.base_dtype
    return apply_op("Unpack", [value], [dt] * num,
                    attrs={"num": int(num), "T": dt, "axis": int(axis)}, name=name).outputs


unpack = unstack


# --------------------------------------------------------------------------- concat

def _concat_shape(op):
    values = op.inputs[:-1]
    axis = constant_value(op.inputs[-1])
    ranks = [v.shape.ndims for v in values if v.shape.ndims is not None]
    if axis is None:
        if not ranks:
            return [unknown_shape()]
        for r in ranks[1:]:
            if r != ranks[0]:
                raise ValueError("Shape must be rank %d but is rank %d" % (ranks[0], r))
        return [unknown_shape(ranks[0])]
    axis = int(axis)
    min_rank = -axis if axis < 0 else axis + 1
    for r in ranks:
        if r < min_rank:
            raise ValueError("Shape must be at least rank %d but is rank %d" % (min_rank, r))
    for r in ranks[1:]:
        if r != ranks[0]:
            raise ValueError("Shape must be rank %d but is rank %d" % (ranks[0], r))
    if not ranks:
        return [unknown_shape()]
    n = ranks[0]
    a = axis + n if axis < 0 else axis
    before = after = None
    middle = 0
    for v in reversed(values):
        if v.shape.ndims is None:
            middle = None
            continue
        dims = v.shape.as_list()
        b, m, f = dims[:a], dims[a], dims[a + 1:]
        before = b if before is None else _merge_dims(b, before)
        after = f if after is None else _merge_dims(f, after)
        middle = None if middle is None or m is None else middle + m
    return [TensorShape(before + [middle] + after)]


def _concat_kernel(ctx, *args):
    values = args[:-1]
    axis = int(args[-1])
    n = values[0].ndim
    if axis < -n or axis >= n:
        raise ValueError("ConcatOp : Expected concatenating dimensions in the range [%d, %d), "
                         "but got %d" % (-n, n, axis))
    a = axis + n if axis < 0 else axis
    s0 = values[0].shape
    for i, v in enumerate(values[1:], 1):
        if v.ndim != n:
            raise ValueError("ConcatOp : Ranks of all input tensors should match: shape[0] = "
                             "%s vs. shape[%d] = %s" % (shape_string(s0), i,
                                                        shape_string(v.shape)))
        if v.shape[:a] != s0[:a] or v.shape[a + 1:] != s0[a + 1:]:
            raise ValueError("ConcatOp : Dimensions of inputs should match: shape[0] = %s vs. "
                             "shape[%d] = %s" % (shape_string(s0), i, shape_string(v.shape)))
    return ctx.xp.concatenate(values, axis=a)


def _concat_grad(op, grad):
    from tensorslim.core.ops import manip_ops, math_ops
    values = op.inputs[:-1]
    if len(values) == 1:
        return [grad, None]
    axis = op.inputs[-1]
    non_neg_axis = math_ops.floormod(axis, rank(values[0]))
    sizes = shape_n(values)
    offsets = concat_offset(non_neg_axis, sizes)
    return [manip_ops.slice(grad, b, s) for b, s in zip(offsets, sizes)] + [None]


register_op("ConcatV2", shape=_concat_shape, kernel=_concat_kernel, grad=_concat_grad)


def concat(values, axis, name="concat"):
    """``tf.concat``: joins tensors along an existing ``axis``.

    Args:
      values: a list of tensors of one dtype and rank, equal except along ``axis``.
      axis: the dimension to join along (negative counts from the end).
      name: the op's name.

    Raises:
      ValueError: ranks or dimensions differ, or ``axis`` is out of range (statically).
      InvalidArgumentError: the same, found at run time.
    """
    if not isinstance(values, (list, tuple)):
        values = [values]
    values = list(values)
    if len(values) == 1:
        with name_scope(name):
            a = convert_to_tensor(axis, name="concat_dim", dtype=_dtypes.int32)
            if a.shape.ndims not in (None, 0):
                raise ValueError("Shape %s must have rank 0" % a.shape)
            return identity(values[0], name=name)
    with name_scope(name, "ConcatV2", _flat_tensors(values) + [axis]) as scope:
        vals = _convert_list(values, "values", "ConcatV2")
        a = _index_input(axis, "axis", "ConcatV2")
        dt = vals[0].dtype.base_dtype
        return apply_op("ConcatV2", vals + [a], [dt],
                        attrs={"N": len(vals), "T": dt, "Tidx": a.dtype.base_dtype},
                        name=scope).outputs[0]


def _concat_offset_kernel(ctx, axis, *shapes):
    axis = int(axis)
    dims = [int_list(s) for s in shapes]
    offset = 0
    out = []
    for d in dims:
        o = [0] * len(d)
        o[axis] = offset
        offset += d[axis]
        out.append(_host_int(ctx, np.array(o, dtype=np.int32)))
    return tuple(out)


register_op("ConcatOffset", kernel=_concat_offset_kernel, grad=_NO_GRAD,
            shape=lambda op: [s.shape for s in op.inputs[1:]])


def concat_offset(concat_dim, shape, name=None):  # noqa: A002
    """The offset of each input of a concat along ``concat_dim`` (TF's ConcatOffset op)."""
    with name_scope(name, "ConcatOffset", [concat_dim] + list(shape)) as scope:
        concat_dim = convert_to_tensor(concat_dim, dtype=_dtypes.int32, name="concat_dim")
        shapes = [convert_to_tensor(s, dtype=_dtypes.int32) for s in shape]
        return apply_op("ConcatOffset", [concat_dim] + shapes, [_dtypes.int32] * len(shapes),
                        attrs={"N": len(shapes)}, name=scope).outputs


# --------------------------------------------------------------------------- broadcasting

def _bcast_args_kernel(ctx, s0, s1):
    s0 = int_list(s0)
    s1 = int_list(s1)
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
                                              % (shape_string(s0), shape_string(s1)))
    dt = ctx.attrs["T"].as_numpy_dtype
    return (_host_int(ctx, np.array(r0, dtype=dt)), _host_int(ctx, np.array(r1, dtype=dt)))


register_op("BroadcastGradientArgs", kernel=_bcast_args_kernel,
            shape=lambda op: [TensorShape([None]), TensorShape([None])], grad=_NO_GRAD)


def broadcast_gradient_args(s0, s1, name=None):
    """The axes to reduce gradients over for each side of a broadcasting binary op."""
    return apply_op("BroadcastGradientArgs", [s0, s1], [s0.dtype, s0.dtype],
                    attrs={"T": s0.dtype}, name=name or "BroadcastGradientArgs").outputs


# --------------------------------------------------------------------------- one_hot

def _one_hot_shape(op):
    indices, depth = op.inputs[0], op.inputs[1]
    axis = op.get_attr("axis")
    if axis < -1:
        raise ValueError("axis must be >= -1")
    d = constant_value(depth)
    if d is not None and int(d) < 0:
        raise ValueError("depth must be non-negative, got: %d" % int(d))
    d = None if d is None else int(d)
    if indices.shape.ndims is None:
        return [unknown_shape()]
    dims = indices.shape.as_list()
    if axis > len(dims):
        raise ValueError("axis must be in [-1, %d], got %d" % (len(dims), axis))
    pos = len(dims) if axis == -1 else axis
    return [TensorShape(dims[:pos] + [d] + dims[pos:])]


def _one_hot_kernel(ctx, indices, depth, on_value, off_value):
    xp = ctx.xp
    depth = int(depth)
    if depth < 0:
        raise ValueError("depth must be non-negative, got: %d" % depth)
    axis = ctx.attrs["axis"]
    hot = indices[..., None] == xp.arange(depth, dtype=indices.dtype)
    out = xp.where(hot, on_value, off_value).astype(on_value.dtype, copy=False)
    if axis != -1 and axis != indices.ndim:
        out = xp.moveaxis(out, -1, axis)
    return out


register_op("OneHot", shape=_one_hot_shape, kernel=_one_hot_kernel,
            grad=_NO_GRAD)


def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None):
    """``tf.one_hot``: ``on_value`` where ``indices`` selects a class, ``off_value`` elsewhere.

    Args:
      indices: an int tensor of class indices (out-of-range indices give all ``off_value``).
      depth: the number of classes.
      on_value: the value at the index (default 1).
      off_value: the value elsewhere (default 0).
      axis: where the new class axis goes (default -1, last).
      dtype: the output dtype (default: ``on_value``'s, else float32).
      name: the op's name.

    Raises:
      TypeError: ``on_value``, ``off_value`` and ``dtype`` disagree.
    """
    with name_scope(name, "one_hot", [indices, depth, on_value, off_value]) as scope:
        on_exists, off_exists = on_value is not None, off_value is not None
        on_value = convert_to_tensor(on_value) if on_exists else None
        off_value = convert_to_tensor(off_value) if off_exists else None
        on_dtype = on_value.dtype.base_dtype if on_exists else None
        off_dtype = off_value.dtype.base_dtype if off_exists else None
        dtype = None if dtype is None else _dtypes.as_dtype(dtype).base_dtype
        if on_exists or off_exists:
            if dtype is not None:
                if on_exists and on_dtype != dtype:
                    raise TypeError("dtype %r of on_value does not match dtype parameter %r"
                                    % (on_dtype, dtype))
                if off_exists and off_dtype != dtype:
                    raise TypeError("dtype %r of off_value does not match dtype parameter %r"
                                    % (off_dtype, dtype))
            else:
                dtype = on_dtype if on_exists else off_dtype
        elif dtype is None:
            dtype = _dtypes.float32
        if not on_exists:
            on_value = convert_to_tensor(1, dtype, name="on_value")
            on_dtype = dtype
        if not off_exists:
            off_value = convert_to_tensor(0, dtype, name="off_value")
            off_dtype = dtype
        if on_dtype != off_dtype:
            raise TypeError("dtype %r of on_value does not match dtype %r of off_value"
                            % (on_dtype, off_dtype))
        indices = convert_to_tensor(indices, name="indices")
        check_dtype("OneHot", "indices", indices,
                    (_dtypes.uint8, _dtypes.int32, _dtypes.int64))
        depth = convert_to_tensor(depth, dtype=_dtypes.int32, name="depth")
        return apply_op("OneHot", [indices, depth, on_value, off_value], [dtype],
                        attrs={"T": dtype, "TI": indices.dtype.base_dtype,
                               "axis": -1 if axis is None else int(axis)},
                        name=scope).outputs[0]


# --------------------------------------------------------------------------- diagonals

def _require_rank_at_least(s, n):
    if s.ndims is not None and s.ndims < n:
        raise ValueError("Shape must be at least rank %d but is rank %d" % (n, s.ndims))


def _matrix_diag_shape(op):
    s = op.inputs[0].shape
    _require_rank_at_least(s, 1)
    if s.ndims is None:
        return [unknown_shape()]
    dims = s.as_list()
    return [TensorShape(dims + [dims[-1]])]


def _matrix_diag_kernel(ctx, x):
    xp = ctx.xp
    n = x.shape[-1]
    out = xp.zeros(x.shape + (n,), dtype=x.dtype)
    i = xp.arange(n)
    out[..., i, i] = x
    return out


register_op("MatrixDiag", shape=_matrix_diag_shape, kernel=_matrix_diag_kernel,
            grad=lambda op, grad: [matrix_diag_part(grad)])


def matrix_diag(diagonal, name="diag"):
    """``tf.matrix_diag``: batched diagonal matrices with ``diagonal`` ([..., N] -> [..., N, N])."""
    with name_scope(name, "MatrixDiag", [diagonal]) as scope:
        diagonal = convert_to_tensor(diagonal, name="diagonal")
        dt = diagonal.dtype.base_dtype
        return apply_op("MatrixDiag", [diagonal], [dt], attrs={"T": dt},
                        name=scope).outputs[0]


def _matrix_diag_part_shape(op):
    s = op.inputs[0].shape
    _require_rank_at_least(s, 2)
    if s.ndims is None:
        return [unknown_shape()]
    dims = s.as_list()
    m, n = dims[-2:]
    return [TensorShape(dims[:-2] + [None if m is None or n is None else min(m, n)])]


register_op("MatrixDiagPart", shape=_matrix_diag_part_shape,
            kernel=lambda ctx, x: ctx.xp.diagonal(x, axis1=-2, axis2=-1).copy(),
            grad=lambda op, grad: [_matrix_diag_part_grad(op, grad)])


def _matrix_diag_part_grad(op, grad):
    s = op.inputs[0].shape
    if s.ndims is not None and s[-1].value is not None and s[-1].value == s[-2].value:
        return matrix_diag(grad)
    return matrix_set_diag(zeros_like(op.inputs[0]), grad)


def matrix_diag_part(input, name="diag_part"):  # noqa: A002
    """``tf.matrix_diag_part``: the main diagonals of a batch of matrices."""
    with name_scope(name, "MatrixDiagPart", [input]) as scope:
        input = convert_to_tensor(input, name="input")
        dt = input.dtype.base_dtype
        return apply_op("MatrixDiagPart", [input], [dt], attrs={"T": dt},
                        name=scope).outputs[0]


def _matrix_set_diag_shape(op):
    x, d = op.inputs[0].shape, op.inputs[1].shape
    _require_rank_at_least(x, 2)
    _require_rank_at_least(d, 1)
    if x.ndims is not None and d.ndims is not None:
        if d.ndims != x.ndims - 1:
            raise ValueError("Shape must be rank %d but is rank %d" % (x.ndims - 1, d.ndims))
        dims = x.as_list()
        m, n = dims[-2:]
        k = None if m is None or n is None else min(m, n)
        _merge_dims(dims[:-2] + [k], d.as_list())
    return [x]


def _matrix_set_diag_kernel(ctx, x, d):
    xp = ctx.xp
    k = min(x.shape[-2:])
    if d.shape != x.shape[:-2] + (k,):
        raise ValueError("must have diagonal.shape == input.shape[:-2] + [min(input.shape[-2:"
                         "])], but received input shape: %s and diagonal shape: %s"
                         % (shape_string(x.shape), shape_string(d.shape)))
    out = x.copy()
    i = xp.arange(k)
    out[..., i, i] = d
    return out


def _matrix_set_diag_grad(op, grad):
    d = op.inputs[1]
    return [matrix_set_diag(grad, zeros_like(d)), matrix_diag_part(grad)]


register_op("MatrixSetDiag", shape=_matrix_set_diag_shape, kernel=_matrix_set_diag_kernel,
            grad=_matrix_set_diag_grad)


def matrix_set_diag(input, diagonal, name="set_diag"):  # noqa: A002
    """``tf.matrix_set_diag``: ``input`` with its main diagonals replaced by ``diagonal``."""
    with name_scope(name, "MatrixSetDiag", [input, diagonal]) as scope:
        input = convert_to_tensor(input, name="input")
        diagonal = convert_to_tensor(diagonal, dtype=input.dtype.base_dtype, name="diagonal")
        dt = input.dtype.base_dtype
        return apply_op("MatrixSetDiag", [input, diagonal], [dt], attrs={"T": dt},
                        name=scope).outputs[0]


def _diag_shape(op):
    s = op.inputs[0].shape
    _require_rank_at_least(s, 1)
    if s.ndims is None:
        return [unknown_shape()]
    return [TensorShape(s.as_list() * 2)]


def _diag_kernel(ctx, x):
    xp = ctx.xp
    flat = x.reshape(-1)
    n = flat.shape[0]
    out = xp.zeros((n, n), dtype=x.dtype)
    i = xp.arange(n)
    out[i, i] = flat
    return out.reshape(x.shape * 2)


def _diag_part_shape(op):
    s = op.inputs[0].shape
    if s.ndims is None:
        return [unknown_shape()]
    if s.ndims % 2 or s.ndims == 0:
        raise ValueError("Input must have even rank <= 6, input rank is %d" % s.ndims)
    dims = s.as_list()
    h = len(dims) // 2
    return [TensorShape(_merge_dims(dims[:h], dims[h:]))]


def _diag_part_kernel(ctx, x):
    h = x.ndim // 2
    if x.ndim % 2 or x.ndim == 0 or x.shape[:h] != x.shape[h:]:
        raise ValueError("Invalid shape %s: dimensions must be of the form [D1,...,Dk,D1,...,"
                         "Dk]" % shape_string(x.shape))
    n = int(np.prod(x.shape[:h]))
    return ctx.xp.diagonal(x.reshape(n, n)).reshape(x.shape[:h]).copy()


register_op("Diag", shape=_diag_shape, kernel=_diag_kernel,
            grad=lambda op, grad: [diag_part(grad)])
register_op("DiagPart", shape=_diag_part_shape, kernel=_diag_part_kernel,
            grad=lambda op, grad: [diag(grad)])


def diag(diagonal, name=None):
    """``tf.diag``: the tensor with ``diagonal`` on its diagonal ([D] -> [D, D], any rank)."""
    with name_scope(name, "Diag", [diagonal]) as scope:
        diagonal = convert_to_tensor(diagonal, name="diagonal")
        dt = diagonal.dtype.base_dtype
        return apply_op("Diag", [diagonal], [dt], attrs={"T": dt}, name=scope).outputs[0]


def diag_part(input, name=None):  # noqa: A002
    """``tf.diag_part``: the diagonal of a [D1..Dk, D1..Dk] tensor, of shape [D1..Dk]."""
    with name_scope(name, "DiagPart", [input]) as scope:
        input = convert_to_tensor(input, name="input")
        dt = input.dtype.base_dtype
        return apply_op("DiagPart", [input], [dt], attrs={"T": dt}, name=scope).outputs[0]


def eye(num_rows, num_columns=None, batch_shape=None, dtype=_dtypes.float32, name=None):
    """``tf.eye``: an identity matrix (or a batch of them).

    Args:
      num_rows: the number of rows (a non-negative int or int32 scalar tensor).
      num_columns: the number of columns (default: ``num_rows``).
      batch_shape: leading batch dimensions (a list of ints).
      dtype: the element type.
      name: the op's name scope.

    Raises:
      TypeError: ``num_rows``/``num_columns`` are neither ints nor tensors.
    """
    with name_scope(name, "eye", [num_rows, num_columns, batch_shape]):
        is_square = num_columns is None
        batch_shape = [] if batch_shape is None else list(batch_shape)
        num_columns = num_rows if num_columns is None else num_columns
        if isinstance(num_rows, Tensor) or isinstance(num_columns, Tensor):
            from tensorslim.core.ops import math_ops
            diag_size = math_ops.minimum(num_rows, num_columns)
            diag_shape = concat([batch_shape, stack([diag_size])], 0)
            shape_ = None if is_square else concat([batch_shape, stack([num_rows,
                                                                         num_columns])], 0)
        else:
            if not isinstance(num_rows, (int, np.integer)) or \
                    not isinstance(num_columns, (int, np.integer)):
                raise TypeError("num_rows and num_columns must be positive integer values.")
            is_square = num_rows == num_columns
            diag_shape = batch_shape + [int(min(num_rows, num_columns))]
            shape_ = batch_shape + [int(num_rows), int(num_columns)]
        diag_ones = ones(diag_shape, dtype=dtype)
        if is_square:
            return matrix_diag(diag_ones)
        return matrix_set_diag(zeros(shape_, dtype=dtype), diag_ones)
