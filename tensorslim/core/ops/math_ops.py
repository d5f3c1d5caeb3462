"""Math ops: elementwise arithmetic with broadcasting, matmul, casts and reductions.

Also installs the Python operator overloads on Tensor (``+ - * / @`` ...).
"""
import numpy as np

from tensorslim.core import dtypes as _dtypes
from tensorslim.core.graph import Tensor, convert_to_tensor, name_scope
from tensorslim.core.op_util import (apply_op, binary_inputs, broadcast_shape_fn,
                                     constant_value, same_shape_fn)
from tensorslim.core.ops import array_ops
from tensorslim.core.registry import not_differentiable_marker, register_op
from tensorslim.core.tensor_shape import TensorShape, unknown_shape

__all__ = ["add", "subtract", "multiply", "divide", "truediv", "realdiv", "negative", "matmul",
           "cast", "reduce_sum", "add_n", "reduce_sum_to_shape"]

_NO_GRAD = not_differentiable_marker()


# --------------------------------------------------------------------------- helpers

def reduce_sum_to_shape(grad, x):
    """Sums a broadcast gradient back down to ``x``'s shape (graph ops).

    Uses static shapes when both are known; otherwise Shape + BroadcastGradientArgs + Sum +
    Reshape, as TensorFlow's gradients do.
    """
    xs, gs = x.shape, grad.shape
    if xs.is_fully_defined() and gs.is_fully_defined():
        xl, gl = xs.as_list(), gs.as_list()
        if xl == gl:
            return grad
        n = len(gl)
        padded = [1] * (n - len(xl)) + xl
        axes = [i for i, (a, b) in enumerate(zip(padded, gl)) if a == 1 and b != 1]
        axes += [i for i in range(n - len(xl))]
        axes = sorted(set(axes))
        out = reduce_sum(grad, axes) if axes else grad
        if out.shape.as_list() != xl:
            out = array_ops.reshape(out, xl)
        return out
    sx = array_ops.shape(x)
    sg = array_ops.shape(grad)
    rx, _ = array_ops.broadcast_gradient_args(sx, sg)
    return array_ops.reshape(reduce_sum(grad, rx), sx)


def _binary_grads(op, gx, gy):
    x, y = op.inputs
    return [None if gx is None else reduce_sum_to_shape(gx, x),
            None if gy is None else reduce_sum_to_shape(gy, y)]


def _binary(op_type, kernel, grad):
    register_op(op_type, shape=broadcast_shape_fn, kernel=kernel, grad=grad)


def _apply_binary(op_type, x, y, name):
    x, y = binary_inputs(x, y, op_type)
    dt = x.dtype.base_dtype
    return apply_op(op_type, [x, y], [dt], attrs={"T": dt}, name=name or op_type).outputs[0]


# --------------------------------------------------------------------------- arithmetic

_binary("Add", lambda ctx, x, y: x + y,
        lambda op, grad: _binary_grads(op, grad, grad))
_binary("AddV2", lambda ctx, x, y: x + y,
        lambda op, grad: _binary_grads(op, grad, grad))
_binary("Sub", lambda ctx, x, y: x - y,
        lambda op, grad: _binary_grads(op, grad, negative(grad)))


def _mul_grad(op, grad):
    x, y = op.inputs
    return _binary_grads(op, multiply(grad, y), multiply(x, grad))


_binary("Mul", lambda ctx, x, y: x * y, _mul_grad)


def _realdiv_kernel(ctx, x, y):
    with np.errstate(divide="ignore", invalid="ignore"):
        return x / y


def _realdiv_grad(op, grad):
    x, y = op.inputs
    gx = realdiv(grad, y)
    gy = multiply(grad, realdiv(realdiv(negative(x), y), y))
    return _binary_grads(op, gx, gy)


_binary("RealDiv", _realdiv_kernel, _realdiv_grad)


def add(x, y, name=None):
    """``tf.add``: x + y elementwise, with broadcasting."""
    return _apply_binary("Add", x, y, name)


def subtract(x, y, name=None):
    """``tf.subtract``: x - y elementwise, with broadcasting."""
    return _apply_binary("Sub", x, y, name)


def multiply(x, y, name=None):
    """``tf.multiply``: x * y elementwise, with broadcasting."""
    return _apply_binary("Mul", x, y, name)


def realdiv(x, y, name=None):
    """x / y for floating tensors (the RealDiv op)."""
    return _apply_binary("RealDiv", x, y, name)


def truediv(x, y, name=None):
    """``tf.truediv``: x / y, casting integers to floating point first (as Python 3)."""
    with name_scope(name, "truediv", [x, y]) as scope:
        x, y = binary_inputs(x, y, "RealDiv")
        dt = x.dtype.base_dtype
        if dt.is_integer:
            target = _dtypes.float32 if dt in (_dtypes.int8, _dtypes.uint8, _dtypes.int16,
                                               _dtypes.uint16) else _dtypes.float64
            x = cast(x, target)
            y = cast(y, target)
        return realdiv(x, y, name=scope)


def divide(x, y, name=None):
    """``tf.divide``: x / y (true division)."""
    if name is not None:
        return truediv(x, y, name=name)
    return truediv(x, y)


register_op("Neg", shape=same_shape_fn, kernel=lambda ctx, x: -x,
            grad=lambda op, grad: [negative(grad)])


def negative(x, name=None):
    """``tf.negative``: -x."""
    x = convert_to_tensor(x)
    dt = x.dtype.base_dtype
    return apply_op("Neg", [x], [dt], attrs={"T": dt}, name=name or "Neg").outputs[0]


def _add_n_kernel(ctx, *xs):
    out = xs[0] + xs[1] if len(xs) > 1 else xs[0].copy()
    for x in xs[2:]:
        out += x
    return out


register_op("AddN", shape=lambda op: [_merge_shapes(op.inputs)], kernel=_add_n_kernel,
            grad=lambda op, grad: [grad] * len(op.inputs))


def _merge_shapes(tensors):
    s = TensorShape(None)
    for t in tensors:
        try:
            s = s.merge_with(t.shape)
        except ValueError:
            raise ValueError("Shapes %s and %s are incompatible" % (tensors[0].shape,
                                                                     t.shape)) from None
    return s


def add_n(inputs, name=None):
    """``tf.add_n``: the elementwise sum of a list of tensors of one shape and dtype."""
    if not inputs or not isinstance(inputs, (list, tuple)):
        raise ValueError("inputs must be a list of at least one Tensor/IndexedSlices with "
                         "the same dtype and shape")
    inputs = [convert_to_tensor(i) for i in inputs]
    if len(inputs) == 1:
        return array_ops.identity(inputs[0], name=name)
    dt = inputs[0].dtype.base_dtype
    from tensorslim.core.op_util import check_same_dtype
    check_same_dtype("AddN", ["inputs"] * len(inputs), inputs)
    return apply_op("AddN", inputs, [dt], attrs={"T": dt, "N": len(inputs)},
                    name=name or "AddN").outputs[0]


# --------------------------------------------------------------------------- cast

def _cast_context(ctx):
    ctx.state = ctx.attrs["DstT"].as_numpy_dtype


def _cast_kernel(ctx, x):
    dst = ctx.state
    if x.dtype == dst:
        return x
    if dst is np.object_ or x.dtype == object:
        raise TypeError("Cast between string and numeric types is not supported; use "
                        "tf.string_to_number / tf.as_string.")
    return x.astype(dst)


def _cast_grad(op, grad):
    src = op.get_attr("SrcT")
    if src.is_floating or src.is_complex:
        if grad.dtype.base_dtype.is_floating or grad.dtype.base_dtype.is_complex:
            return [cast(grad, src)]
    return [None]


register_op("Cast", shape=same_shape_fn, kernel=_cast_kernel, make_context=_cast_context,
            grad=_cast_grad)


def cast(x, dtype, name=None):
    """``tf.cast``: converts ``x`` to ``dtype`` (floats to ints truncate toward zero)."""
    base = _dtypes.as_dtype(dtype).base_dtype
    if hasattr(x, "_as_graph_element") and not isinstance(x, Tensor) and hasattr(x, "value"):
        x = x.value()
    if isinstance(x, Tensor) and x.dtype.base_dtype == base:
        return x
    with name_scope(name, "Cast", [x]) as scope:
        x = convert_to_tensor(x)
        if x.dtype.base_dtype == base:
            return x
        return apply_op("Cast", [x], [base], attrs={"SrcT": x.dtype.base_dtype, "DstT": base,
                                                    "Truncate": False},
                        name=scope).outputs[0]


# --------------------------------------------------------------------------- matmul

def _matmul_shape(op):
    a, b = op.inputs
    ta, tb = op.get_attr("transpose_a"), op.get_attr("transpose_b")
    sa, sb = a.shape, b.shape
    if sa.ndims is not None and sa.ndims != 2:
        raise ValueError("Shape must be rank 2 but is rank %d" % sa.ndims)
    if sb.ndims is not None and sb.ndims != 2:
        raise ValueError("Shape must be rank 2 but is rank %d" % sb.ndims)
    if sa.ndims is None or sb.ndims is None:
        return [unknown_shape(2)]
    m, ka = (sa.as_list()[::-1] if ta else sa.as_list())
    kb, n = (sb.as_list()[::-1] if tb else sb.as_list())
    if ka is not None and kb is not None and ka != kb:
        raise ValueError("Dimensions must be equal, but are %d and %d" % (ka, kb))
    return [TensorShape([m, n])]


def _matmul_kernel(ctx, a, b):
    attrs = ctx.attrs
    if attrs["transpose_a"]:
        a = a.T
    if attrs["transpose_b"]:
        b = b.T
    return ctx.xp.matmul(a, b)


def _matmul_grad(op, grad):
    a, b = op.inputs
    ta, tb = op.get_attr("transpose_a"), op.get_attr("transpose_b")
    if not ta and not tb:
        return [matmul(grad, b, transpose_b=True), matmul(a, grad, transpose_a=True)]
    if not ta and tb:
        return [matmul(grad, b), matmul(grad, a, transpose_a=True)]
    if ta and not tb:
        return [matmul(b, grad, transpose_b=True), matmul(a, grad)]
    return [matmul(b, grad, transpose_a=True, transpose_b=True),
            matmul(grad, a, transpose_a=True, transpose_b=True)]


register_op("MatMul", shape=_matmul_shape, kernel=_matmul_kernel, grad=_matmul_grad)


def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
           a_is_sparse=False, b_is_sparse=False, name=None):
    """``tf.matmul``: the matrix product of ``a`` and ``b`` (rank 2; higher ranks batch).

    Raises:
      ValueError: the inner dimensions differ.
      TypeError: the dtypes differ.
    """
    with name_scope(name, "MatMul", [a, b]) as scope:
        a, b = binary_inputs(a, b, "MatMul", names=("a", "b"))
        transpose_a = transpose_a or adjoint_a
        transpose_b = transpose_b or adjoint_b
        dt = a.dtype.base_dtype
        if (a.shape.ndims or 0) > 2 or (b.shape.ndims or 0) > 2:
            from tensorslim.core.ops import linalg_ops
            return linalg_ops.batch_matmul(a, b, adj_x=transpose_a, adj_y=transpose_b,
                                           name=scope)
        return apply_op("MatMul", [a, b], [dt],
                        attrs={"T": dt, "transpose_a": bool(transpose_a),
                               "transpose_b": bool(transpose_b)}, name=scope).outputs[0]


# --------------------------------------------------------------------------- reductions

def reduction_axes_shape(op, keep_dims):
    x = op.inputs[0]
    axes = constant_value(op.inputs[1])
    if x.shape.ndims is None:
        return [unknown_shape()]
    n = x.shape.ndims
    if axes is None:
        return [unknown_shape(n) if keep_dims else unknown_shape()]
    axes = [int(a) for a in np.asarray(axes).reshape(-1)]
    norm = set()
    for a in axes:
        if a < -n or a >= n:
            raise ValueError("Invalid reduction dimension %d for input with %d dimensions"
                             % (a, n))
        norm.add(a + n if a < 0 else a)
    dims = x.shape.as_list()
    if keep_dims:
        return [TensorShape([1 if i in norm else d for i, d in enumerate(dims)])]
    return [TensorShape([d for i, d in enumerate(dims) if i not in norm])]


def reduction_kernel(name):
    def kernel(ctx, x, axes):
        axes = tuple(int(a) for a in np.asarray(axes.tolist()).reshape(-1))
        return getattr(ctx.xp, name)(x, axis=axes, keepdims=ctx.attrs["keep_dims"])
    return kernel


def _sum_kernel(ctx, x, axes):
    axes = tuple(int(a) for a in np.asarray(axes.tolist()).reshape(-1))
    out = ctx.xp.sum(x, axis=axes, keepdims=ctx.attrs["keep_dims"])
    return out.astype(x.dtype, copy=False) if out.dtype != x.dtype else out


def broadcast_reduced_grad(op, grad):
    """Broadcasts the gradient of a reduction back to the input's shape."""
    x, axes = op.inputs
    if not op.get_attr("keep_dims"):
        xs = x.shape
        av = constant_value(axes)
        if xs.ndims is not None and av is not None:
            n = xs.ndims
            norm = {int(a) + n if int(a) < 0 else int(a) for a in np.asarray(av).reshape(-1)}
            kept = [1 if i in norm else d for i, d in enumerate(xs.as_list())]
            if None not in kept:
                grad = array_ops.reshape(grad, kept)
            else:
                grad = _reshape_keep(grad, x, axes)
        else:
            grad = _reshape_keep(grad, x, axes)
    from tensorslim.core.ops import manip_ops
    return manip_ops.broadcast_like(grad, x)


def _reshape_keep(grad, x, axes):
    from tensorslim.core.ops import manip_ops
    return array_ops.reshape(grad, manip_ops.reduced_shape(array_ops.shape(x), axes))


register_op("Sum", shape=lambda op: reduction_axes_shape(op, op.get_attr("keep_dims")),
            kernel=_sum_kernel, grad=lambda op, grad: [broadcast_reduced_grad(op, grad), None])


def resolve_axis(axis, reduction_indices, keepdims, keep_dims):
    if reduction_indices is not None:
        if axis is not None:
            raise ValueError("Can not specify both 'axis' and 'reduction_indices'.")
        axis = reduction_indices
    if keep_dims is not None:
        if keepdims is not None:
            raise ValueError("Can not specify both 'keepdims' and 'keep_dims'.")
        keepdims = keep_dims
    return axis, bool(keepdims)


def reduction_op(op_type, input_tensor, axis, keepdims, name):
    """Builds reduction ``op_type`` over ``axis`` (all axes when None)."""
    x = convert_to_tensor(input_tensor)
    if axis is None:
        if x.shape.ndims is not None:
            axis = list(range(x.shape.ndims))
            axes = array_ops.constant(np.array(axis, dtype=np.int32), name="Const")
        else:
            from tensorslim.core.ops import manip_ops
            axes = manip_ops.range_(0, array_ops.rank(x))
    elif isinstance(axis, Tensor):
        axes = axis
    else:
        axes = array_ops.constant(np.asarray(axis, dtype=np.int32), name="Const")
    dt = x.dtype.base_dtype
    return apply_op(op_type, [x, axes], [dt if op_type not in ("All", "Any") else _dtypes.bool],
                    attrs={"T": dt, "Tidx": axes.dtype, "keep_dims": keepdims},
                    name=name or op_type).outputs[0]


def reduce_sum(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
               keep_dims=None):
    """``tf.reduce_sum``: the sum over ``axis`` (all axes when None).

    Args:
      input_tensor: the tensor to reduce.
      axis: an int or list of ints; negative counts from the end.
      keepdims: keep reduced axes with size 1 (``keep_dims`` is the old spelling).
      name: the op's name.
      reduction_indices: the old name of ``axis``.
      keep_dims: the old name of ``keepdims``.
    """
    axis, keepdims = resolve_axis(axis, reduction_indices, keepdims, keep_dims)
    return reduction_op("Sum", input_tensor, axis, keepdims, name)


# --------------------------------------------------------------------------- operators

def _binary_operator(fn, op_name):
    def forward(self, other):
        with name_scope(None, op_name, [self, other]) as scope:
            return fn(self, other, name=scope)

    def reverse(self, other):
        with name_scope(None, op_name, [self, other]) as scope:
            return fn(other, self, name=scope)
    return forward, reverse


def _install_operators():
    table = [("add", add, "add"), ("sub", subtract, "sub"), ("mul", multiply, "mul"),
             ("truediv", truediv, "truediv"), ("matmul", matmul, "matmul")]
    for dunder, fn, op_name in table:
        fwd, rev = _binary_operator(fn, op_name)
        Tensor._override_operator("__%s__" % dunder, fwd)
        Tensor._override_operator("__r%s__" % dunder, rev)
    Tensor._override_operator("__neg__", lambda self: negative(self))


_install_operators()


def _floormod_kernel(ctx, x, y):
    with np.errstate(divide="ignore", invalid="ignore"):
        return ctx.xp.mod(x, y)


_binary("FloorMod", _floormod_kernel, not_differentiable_marker())


def floormod(x, y, name=None):
    """``tf.floormod`` / ``tf.mod``: the remainder of floor division (sign of ``y``)."""
    return _apply_binary("FloorMod", x, y, name)
