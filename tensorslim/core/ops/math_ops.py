"""Math ops: elementwise arithmetic with broadcasting, comparisons and logic, casts, reductions,
scans, segment sums and matmul. Also installs the Python operator overloads on Tensor.

Every op is registered once, with TensorFlow's op type and attr names, a shape function, one
kernel written against ``ctx.xp`` (numpy, cupy or the strict test device) and a gradient built
from graph ops. The user functions follow TF1's names, signatures, defaults and node names:
``tf.add(x, 1.0)`` makes ``Add/y`` (Const) and ``Add``; ``x + 1.0`` makes ``add/y`` and ``add``.
"""
import builtins
import math

import numpy as np

from tensorslim.core import dtypes as _dtypes
from tensorslim.core.fp_errors import ignoring_fp_errors as _ignoring_fp_errors
from tensorslim.core.graph import Tensor, convert_to_tensor, name_scope
from tensorslim.core.op_util import (apply_op, broadcast_shape_fn, broadcast_shapes,
                                     check_same_dtype, constant_value, same_shape_fn)
from tensorslim.core.ops import array_ops
from tensorslim.core.registry import not_differentiable_marker, register_op
from tensorslim.core.tensor_shape import TensorShape, as_shape, unknown_shape

__all__ = [
    # arithmetic
    "add", "subtract", "multiply", "divide", "div", "truediv", "realdiv", "floordiv", "floor_div",
    "mod", "floormod", "truncatediv", "truncatemod", "pow", "negative", "abs", "sign", "square",
    "sqrt", "rsqrt", "reciprocal", "exp", "log", "log1p", "expm1", "sin", "cos", "tan", "asin",
    "acos", "atan", "tanh", "sigmoid", "erf", "erfc", "lgamma", "digamma", "polygamma",
    "maximum", "minimum", "squared_difference", "add_n", "accumulate_n", "scalar_mul",
    "multiply_no_nan", "div_no_nan", "conj", "matmul", "tensordot", "einsum", "cumsum", "cumprod",
    "round", "rint", "floor", "ceil",
    # comparison and logic
    "equal", "not_equal", "less", "less_equal", "greater", "greater_equal", "logical_and",
    "logical_or", "logical_not", "logical_xor", "where", "where_v2", "is_nan", "is_inf",
    "is_finite",
    # casts
    "cast", "to_float", "to_double", "to_int32", "to_int64", "to_bfloat16", "saturate_cast",
    "bitcast",
    # reductions
    "reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod", "reduce_all",
    "reduce_any", "reduce_logsumexp", "reduce_variance", "reduce_std",
    "reduce_euclidean_norm", "argmax", "argmin", "count_nonzero", "norm",
    "unsorted_segment_sum", "segment_sum",
    # helpers other op modules use
    "reduce_sum_to_shape", "resolve_axis", "reduction_op", "reduction_axes_shape",
    "reduction_kernel", "broadcast_reduced_grad",
]

_NO_GRAD = not_differentiable_marker()
_D = _dtypes

# TF's allowed-type lists (OpDef "T: {...}"), in the order TF prints them.
_FLOATS = (_D.bfloat16, _D.float16, _D.float32, _D.float64)
_COMPLEX = (_D.complex64, _D.complex128)
_SIGNED = (_D.int8, _D.int16, _D.int32, _D.int64)
_UNSIGNED = (_D.uint8, _D.uint16, _D.uint32, _D.uint64)
_FLOAT_COMPLEX = _FLOATS + _COMPLEX
_REAL = _FLOATS + _SIGNED + _UNSIGNED
_NUMERIC = _REAL + _COMPLEX
_SUM_TYPES = (_D.float32, _D.float64, _D.int32, _D.uint8, _D.int16, _D.int8, _D.complex64,
              _D.int64, _D.bfloat16, _D.uint16, _D.complex128, _D.float16, _D.uint32, _D.uint64)
_TRUEDIV_TARGET = {_D.int8: _D.float32, _D.uint8: _D.float32, _D.int16: _D.float32,
                   _D.uint16: _D.float32, _D.int32: _D.float64, _D.int64: _D.float64,
                   _D.uint32: _D.float64, _D.uint64: _D.float64}


# --------------------------------------------------------------------------- helpers

def _is_tensorlike(v):
    return isinstance(v, Tensor) or (hasattr(v, "_as_graph_element") and
                                     not isinstance(v, (list, tuple)))


def _check_type(param, tensor, allowed):
    """TypeError as TF's op builder raises for a dtype outside the op's type list."""
    dt = tensor.dtype.base_dtype
    if allowed is not None and dt not in allowed:
        raise TypeError("Value passed to parameter '%s' has DataType %s not in list of allowed "
                        "values: %s" % (param, dt.name, ", ".join(a.name for a in allowed)))


def _check_fixed_type(op_type, param, tensor, expected):
    if tensor.dtype.base_dtype != expected:
        raise TypeError("Input '%s' of '%s' Op has type %s that does not match expected type of "
                        "%s." % (param, op_type, tensor.dtype.base_dtype.name, expected.name))


def _convert_same(op_type, values, names):
    """Converts inputs that share TF's attr ``T``, in order, as TF's op builder does.

    The first input fixes the dtype (a Python value takes its default dtype); later Python
    values are converted to it. Mismatches raise TF's TypeError naming both arguments.
    """
    tensors = []
    dtype = None
    for v, n in zip(values, names):
        if _is_tensorlike(v):
            t = convert_to_tensor(v)
        elif dtype is None:
            t = convert_to_tensor(v, name=n)
        else:
            try:
                t = convert_to_tensor(v, dtype=dtype, name=n)
            except (TypeError, ValueError):
                t = convert_to_tensor(v, name=n)
        if dtype is None:
            dtype = t.dtype.base_dtype
        tensors.append(t)
    check_same_dtype(op_type, names, tensors)
    return tensors


def _const_like(value, tensor, name="Const"):
    return array_ops.constant(value, dtype=tensor.dtype.base_dtype, name=name)


def _ew(fn):
    """A kernel computing ``fn(xp, *arrays)``; NaN and inf flow through without warnings."""
    def kernel(ctx, *args):
        return _ignoring_fp_errors(fn, ctx.xp, *args)
    kernel.__name__ = getattr(fn, "__name__", "kernel")
    return kernel


def _int_division_guard(xp, x, y):
    if y.dtype.kind in "iu" and x.size and y.size and bool(xp.any(y == 0)):
        raise ValueError("Integer division by zero")


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
        axes += list(builtins.range(n - len(xl)))
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


# --------------------------------------------------------------------------- op tables

_ALLOWED = {}
_NO_GRADIENT_DEFINED = "no gradient defined"  # tf.gradients raises LookupError, as in TF


def _binary(op_type, fn, grad, allowed=_NUMERIC, out_bool=False):
    grad = _NO_GRAD if grad is None else None if grad is _NO_GRADIENT_DEFINED else grad
    register_op(op_type, shape=broadcast_shape_fn, kernel=_ew(fn), grad=grad)
    _ALLOWED[op_type] = (allowed, out_bool)


def _apply_binary(op_type, x, y, name, names=("x", "y")):
    allowed, out_bool = _ALLOWED[op_type]
    with name_scope(name, op_type, [x, y]) as scope:
        x, y = _convert_same(op_type, [x, y], names)
        _check_type(names[0], x, allowed)
        dt = x.dtype.base_dtype
        return apply_op(op_type, [x, y], [_D.bool if out_bool else dt], attrs={"T": dt},
                        name=scope).outputs[0]


def _unary(op_type, fn, grad, allowed=_FLOAT_COMPLEX, out_bool=False):
    register_op(op_type, shape=same_shape_fn, kernel=_ew(fn),
                grad=_NO_GRAD if grad is None else grad)
    _ALLOWED[op_type] = (allowed, out_bool)


def _apply_unary(op_type, x, name):
    allowed, out_bool = _ALLOWED[op_type]
    with name_scope(name, op_type, [x]) as scope:
        x = convert_to_tensor(x, name="x")
        _check_type("x", x, allowed)
        dt = x.dtype.base_dtype
        return apply_op(op_type, [x], [_D.bool if out_bool else dt], attrs={"T": dt},
                        name=scope).outputs[0]


def _none_grads(n):
    return lambda op, *grads: [None] * n


# --------------------------------------------------------------------------- arithmetic

_binary("Add", lambda xp, x, y: x + y, lambda op, grad: _binary_grads(op, grad, grad),
        allowed=_NUMERIC + (_D.string,))
_binary("AddV2", lambda xp, x, y: x + y, lambda op, grad: _binary_grads(op, grad, grad))
_binary("Sub", lambda xp, x, y: x - y,
        lambda op, grad: _binary_grads(op, grad, negative(grad)))
_binary("Mul", lambda xp, x, y: x * y,
        lambda op, grad: _binary_grads(op, multiply(grad, op.inputs[1]),
                                       multiply(op.inputs[0], grad)))


def _div_grad(op, grad):
    x, y = op.inputs
    return _binary_grads(op, realdiv(grad, y), grad * realdiv(realdiv(negative(x), y), y))


def _truncate_div(xp, x, y):
    if x.dtype.kind in "iu":
        _int_division_guard(xp, x, y)
        q = xp.floor_divide(x, y)
        # floor and truncation differ when the signs differ and the division is inexact
        fix = (xp.remainder(x, y) != 0) & ((x < 0) != (y < 0))
        return q + fix.astype(q.dtype)
    return xp.trunc(x / y)


def _floor_div(xp, x, y):
    if x.dtype.kind in "iu":
        _int_division_guard(xp, x, y)
        return xp.floor_divide(x, y)
    return xp.floor(x / y)


def _floor_mod(xp, x, y):
    if x.dtype.kind in "iu":
        _int_division_guard(xp, x, y)
    return xp.remainder(x, y)


def _truncate_mod(xp, x, y):
    if x.dtype.kind in "iu":
        _int_division_guard(xp, x, y)
    return xp.fmod(x, y)


def _floormod_grad(op, grad):
    x, y = op.inputs
    return _binary_grads(op, grad, grad * negative(floordiv(x, y)))


_binary("RealDiv", lambda xp, x, y: x / y, _div_grad)
_binary("Div", lambda xp, x, y: _truncate_div(xp, x, y) if x.dtype.kind in "iu" else x / y,
        _div_grad)
_binary("FloorDiv", _floor_div, _none_grads(2))
_binary("FloorMod", _floor_mod, _floormod_grad, allowed=_REAL)
_binary("TruncateDiv", _truncate_div, _none_grads(2))
# TF defines no TruncateMod gradient; zeros would be wrong (d/dx is 1), so none here either.
_binary("TruncateMod", _truncate_mod, _NO_GRADIENT_DEFINED, allowed=_REAL)


def _pow_kernel(xp, x, y):
    if x.dtype.kind in "iu" and bool(xp.any(y < 0)):
        raise ValueError("Integers to negative integer powers are not allowed")
    return xp.power(x, y)


def _pow_grad(op, grad):
    x, y = op.inputs
    z = op.outputs[0]
    gx = grad * y * pow(x, y - 1)
    mask = not_equal(x, 0) if x.dtype.base_dtype.is_complex else greater(x, 0)
    safe_x = where(mask, x, array_ops.ones_like(x))
    log_x = where(mask, log(safe_x), array_ops.zeros_like(x))
    return _binary_grads(op, gx, grad * z * log_x)


_binary("Pow", _pow_kernel, _pow_grad,
        allowed=_FLOATS + (_D.int32, _D.int64) + _COMPLEX)


def _max_min_grad(selector):
    def grad_fn(op, grad):
        x, y = op.inputs
        xmask = selector(x, y)
        zeros = array_ops.zeros_like(grad)
        return _binary_grads(op, where_v2(xmask, grad, zeros), where_v2(xmask, zeros, grad))
    return grad_fn


_binary("Maximum", lambda xp, x, y: xp.maximum(x, y),
        _max_min_grad(lambda x, y: greater_equal(x, y)), allowed=_REAL)
_binary("Minimum", lambda xp, x, y: xp.minimum(x, y),
        _max_min_grad(lambda x, y: less_equal(x, y)), allowed=_REAL)


def _sqdiff_kernel(xp, x, y):
    d = x - y
    return d * xp.conj(d) if d.dtype.kind == "c" else d * d


def _sqdiff_grad(op, grad):
    x, y = op.inputs
    gx = grad * 2 * (x - y)
    return _binary_grads(op, gx, negative(gx))


_binary("SquaredDifference", _sqdiff_kernel, _sqdiff_grad)


def _mul_no_nan_kernel(xp, x, y):
    return xp.where(y == 0, xp.zeros_like(x), x * y)


def _div_no_nan_kernel(xp, x, y):
    safe = xp.where(y == 0, xp.ones_like(y), y)
    return xp.where(y == 0, xp.zeros_like(x), x / safe)


def _mul_no_nan_grad(op, grad):
    x, y = op.inputs
    return _binary_grads(op, multiply_no_nan(grad, y), multiply_no_nan(x, grad))


def _div_no_nan_grad(op, grad):
    x, y = op.inputs
    return _binary_grads(op, div_no_nan(grad, y),
                         grad * div_no_nan(div_no_nan(negative(x), y), y))


_binary("MulNoNan", _mul_no_nan_kernel, _mul_no_nan_grad, allowed=_FLOAT_COMPLEX)
_binary("DivNoNan", _div_no_nan_kernel, _div_no_nan_grad, allowed=_FLOAT_COMPLEX)


def add(x, y, name=None):
    """``tf.add``: x + y elementwise, with numpy broadcasting (the ``Add`` op).

    Args:
      x: a Tensor, Variable or Python/numpy value.
      y: the same; Python values take the dtype of the first input.
      name: the op's name (default "Add").

    Raises:
      TypeError: the dtypes differ.
      ValueError: the shapes cannot broadcast.
    """
    return _apply_binary("Add", x, y, name)


def subtract(x, y, name=None):
    """``tf.subtract``: x - y elementwise, with broadcasting (``Sub``)."""
    return _apply_binary("Sub", x, y, name)


def multiply(x, y, name=None):
    """``tf.multiply``: x * y elementwise, with broadcasting (``Mul``)."""
    return _apply_binary("Mul", x, y, name)


def realdiv(x, y, name=None):
    """``tf.realdiv``: x / y for floating tensors (``RealDiv``)."""
    return _apply_binary("RealDiv", x, y, name)


def floordiv(x, y, name=None):
    """``tf.floordiv``: the floor of x / y (``FloorDiv``); integer division by zero fails."""
    with name_scope(name, "floordiv", [x, y]) as scope:
        return _apply_binary("FloorDiv", x, y, scope)


def floor_div(x, y, name=None):
    """``tf.floor_div``: the raw ``FloorDiv`` op."""
    return _apply_binary("FloorDiv", x, y, name)


def floormod(x, y, name=None):
    """``tf.floormod`` / ``tf.mod``: the remainder of floor division (it has ``y``'s sign)."""
    return _apply_binary("FloorMod", x, y, name)


mod = floormod


def truncatediv(x, y, name=None):
    """``tf.truncatediv``: x / y rounded toward zero (C semantics)."""
    return _apply_binary("TruncateDiv", x, y, name)


def truncatemod(x, y, name=None):
    """``tf.truncatemod``: the remainder of truncating division (it has ``x``'s sign)."""
    return _apply_binary("TruncateMod", x, y, name)


def truediv(x, y, name=None):
    """``tf.truediv``: x / y, casting integers to floating point first (as Python 3 does).

    int8/uint8/int16/uint16 become float32, int32/int64 float64.

    Raises:
      TypeError: ``x`` and ``y`` have different dtypes.
    """
    with name_scope(name, "truediv", [x, y]) as scope:
        x = convert_to_tensor(x, name="x")
        y = convert_to_tensor(y, name="y", preferred_dtype=x.dtype.base_dtype)
        x_dtype, y_dtype = x.dtype.base_dtype, y.dtype.base_dtype
        if x_dtype != y_dtype:
            raise TypeError("x and y must have the same dtype, got %r != %r"
                            % (x_dtype, y_dtype))
        target = _TRUEDIV_TARGET.get(x_dtype)
        if target is not None:
            x = cast(x, target)
            y = cast(y, target)
        return realdiv(x, y, name=scope)


def divide(x, y, name=None):
    """``tf.divide``: x / y (true division, as the ``/`` operator); op named "truediv"."""
    if not _is_tensorlike(x) and _is_tensorlike(y):
        with name_scope(name, "truediv", [x, y]) as scope:
            x = convert_to_tensor(x, dtype=convert_to_tensor(y).dtype.base_dtype, name="x")
            return truediv(x, y, name=scope)
    return truediv(x, y, name=name)


def div(x, y, name=None):
    """``tf.div`` (deprecated): Python 2 division: floor division for integers."""
    with name_scope(name, "div", [x, y]) as scope:
        x = convert_to_tensor(x, name="x")
        y = convert_to_tensor(y, name="y", dtype=x.dtype.base_dtype) \
            if not _is_tensorlike(y) else convert_to_tensor(y)
        if x.dtype.base_dtype != y.dtype.base_dtype:
            raise TypeError("x and y must have the same dtype, got %r != %r"
                            % (x.dtype.base_dtype, y.dtype.base_dtype))
        if x.dtype.base_dtype.is_floating or x.dtype.base_dtype.is_complex:
            return realdiv(x, y, name=scope)
        return _apply_binary("FloorDiv", x, y, scope)


def pow(x, y, name=None):  # noqa: A001 - TF's name
    """``tf.pow``: x ** y elementwise, with broadcasting (``Pow``).

    Integer tensors raised to negative integer powers fail when run.
    """
    return _apply_binary("Pow", x, y, name)


def maximum(x, y, name=None):
    """``tf.maximum``: the elementwise maximum (NaN propagates), with broadcasting."""
    return _apply_binary("Maximum", x, y, name)


def minimum(x, y, name=None):
    """``tf.minimum``: the elementwise minimum (NaN propagates), with broadcasting."""
    return _apply_binary("Minimum", x, y, name)


def squared_difference(x, y, name=None):
    """``tf.squared_difference``: (x - y) ** 2 elementwise, with broadcasting."""
    return _apply_binary("SquaredDifference", x, y, name)


def multiply_no_nan(x, y, name=None):
    """``tf.math.multiply_no_nan``: x * y, but 0 where y is 0 even if x is inf or NaN."""
    return _apply_binary("MulNoNan", x, y, name)


def div_no_nan(x, y, name=None):
    """``tf.div_no_nan``: x / y, but 0 where y is 0."""
    return _apply_binary("DivNoNan", x, y, name)


def scalar_mul(scalar, x, name=None):
    """``tf.scalar_mul``: multiplies ``x`` by a 0-D ``scalar`` (``Mul``).

    Raises:
      ValueError: ``scalar`` is not 0-D.
    """
    x = convert_to_tensor(x, name="x")
    scalar = convert_to_tensor(scalar, dtype=x.dtype.base_dtype, name="scalar")
    if scalar.shape.ndims != 0:
        raise ValueError("Only scalar multiply works, got shape %s" % (scalar.shape,))
    return multiply(scalar, x, name=name)


# --------------------------------------------------------------------------- AddN

def _merge_all_shapes(tensors):
    """TF's shape merge over a list (AddN): errors name the first conflicting dimension."""
    s = TensorShape(None)
    for t in tensors:
        s = _merge_two(s, t.shape)
    return s


def _merge_two(a, b):
    """TF's ``InferenceContext::Merge`` with its error messages (AddN, the Apply* ops)."""
    if a.ndims is None:
        return b
    if b.ndims is None:
        return a
    if a.ndims != b.ndims:
        raise ValueError("Shapes must be equal rank, but are %d and %d" % (a.ndims, b.ndims))
    out = []
    for i, (da, db) in enumerate(zip(a.as_list(), b.as_list())):
        if da is not None and db is not None and da != db:
            raise ValueError("Dimension %d in both shapes must be equal, but are %d and %d. "
                             "Shapes are %s and %s." % (i, da, db, _shape_str(a), _shape_str(b)))
        out.append(da if da is not None else db)
    return TensorShape(out)


def _shape_str(s):
    if s.ndims is None:
        return "?"
    return "[%s]" % ",".join("?" if d is None else str(d) for d in s.as_list())


def _add_n_kernel(ctx, *xs):
    out = xs[0] + xs[1] if len(xs) > 1 else xs[0].copy()
    for x in xs[2:]:
        out += x
    return out


register_op("AddN", shape=lambda op: [_merge_all_shapes(op.inputs)], kernel=_add_n_kernel,
            grad=lambda op, grad: [grad] * len(op.inputs))


def add_n(inputs, name=None):
    """``tf.add_n``: the elementwise sum of a list of tensors of one shape and dtype.

    Raises:
      ValueError: ``inputs`` is empty or not a list, or the shapes differ.
      TypeError: the dtypes differ.
    """
    if not inputs or not isinstance(inputs, (list, tuple)):
        raise ValueError("inputs must be a list of at least one Tensor/IndexedSlices with the "
                         "same dtype and shape")
    inputs = [convert_to_tensor(i) for i in inputs]
    if len(inputs) == 1:
        return array_ops.identity(inputs[0], name=name) if name else inputs[0]
    dts = [t.dtype.base_dtype for t in inputs]
    if any(d != dts[0] for d in dts):
        raise TypeError("Tensors in list passed to 'inputs' of 'AddN' Op have types [%s] that "
                        "don't all match." % ", ".join(d.name for d in dts))
    dt = dts[0]
    return apply_op("AddN", inputs, [dt], attrs={"T": dt, "N": len(inputs)},
                    name=name or "AddN").outputs[0]


def accumulate_n(inputs, shape=None, tensor_dtype=None, name=None):
    """``tf.accumulate_n``: the elementwise sum of ``inputs`` (computed as ``add_n``).

    Args:
      inputs: a list of tensors of one shape and dtype.
      shape: the expected shape of each input, or None.
      tensor_dtype: the expected dtype of the inputs, or None.
      name: the op's name.

    Raises:
      ValueError: empty ``inputs``, mixed dtypes or incompatible shapes.
      TypeError: ``tensor_dtype`` differs from the inputs' dtype.
    """
    if not inputs or not isinstance(inputs, (list, tuple)):
        raise ValueError("inputs must be a list of at least one Tensor/IndexedSlices with the "
                         "same dtype and shape")
    inputs = [convert_to_tensor(i) for i in inputs]
    if not builtins.all(t.dtype == inputs[0].dtype for t in inputs):
        raise ValueError("inputs must be a list of at least one Tensor with the same dtype and "
                         "shape")
    s = unknown_shape() if shape is None else as_shape(shape)
    for t in inputs:
        try:
            s = s.merge_with(t.shape)
        except ValueError:
            raise ValueError("Shapes %s and %s are not compatible" % (s, t.shape)) from None
    if tensor_dtype is not None and _D.as_dtype(tensor_dtype) != inputs[0].dtype:
        raise TypeError("tensor_dtype is {}, but input is of type {}".format(
            tensor_dtype, inputs[0].dtype))
    return add_n(inputs, name=name)


# --------------------------------------------------------------------------- unary

register_op("Neg", shape=same_shape_fn, kernel=_ew(lambda xp, x: -x),
            grad=lambda op, grad: [negative(grad)])
_ALLOWED["Neg"] = (_NUMERIC, False)

_SQRT_PI_2 = 2.0 / math.sqrt(math.pi)


def _unary_grads():
    def g(fn):
        return lambda op, grad: [fn(op.inputs[0], op.outputs[0], grad)]
    return {
        "Abs": g(lambda x, y, dy: dy * sign(x)),
        "Sign": g(lambda x, y, dy: array_ops.zeros_like(x)),
        "Square": g(lambda x, y, dy: multiply(dy, multiply(x, _const_like(2.0, x)))),
        "Sqrt": g(lambda x, y, dy: realdiv(dy * 0.5, y)),
        "Rsqrt": g(lambda x, y, dy: dy * (y * y * y) * -0.5),
        "Reciprocal": g(lambda x, y, dy: negative(dy) * (y * y)),
        "Exp": g(lambda x, y, dy: dy * y),
        "Expm1": g(lambda x, y, dy: dy * exp(x)),
        "Log": g(lambda x, y, dy: dy * reciprocal(x)),
        "Log1p": g(lambda x, y, dy: dy * reciprocal(x + 1)),
        "Sin": g(lambda x, y, dy: dy * cos(x)),
        "Cos": g(lambda x, y, dy: negative(dy) * sin(x)),
        "Tan": g(lambda x, y, dy: dy * square(reciprocal(cos(x)))),
        "Asin": g(lambda x, y, dy: dy * rsqrt(1 - square(x))),
        "Acos": g(lambda x, y, dy: negative(dy) * rsqrt(1 - square(x))),
        "Atan": g(lambda x, y, dy: dy * reciprocal(1 + square(x))),
        "Tanh": g(lambda x, y, dy: dy * (1 - y * y)),
        "Sigmoid": g(lambda x, y, dy: dy * (y * (1 - y))),
        "Erf": g(lambda x, y, dy: dy * (exp(negative(square(x))) * _SQRT_PI_2)),
        "Erfc": g(lambda x, y, dy: dy * (exp(negative(square(x))) * -_SQRT_PI_2)),
        "Lgamma": g(lambda x, y, dy: dy * digamma(x)),
        "Digamma": g(lambda x, y, dy: dy * polygamma(_const_like(1, x), x)),
    }


def _sigmoid_kernel(xp, x):
    if x.dtype.kind == "c":
        return 1 / (1 + xp.exp(-x))
    # exp of a non-positive argument only: no overflow at either end.
    e = xp.exp(-xp.abs(x))
    return xp.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _sign_kernel(xp, x):
    if x.dtype.kind == "c":
        mag = xp.abs(x)
        return xp.where(mag == 0, xp.zeros_like(x), x / xp.where(mag == 0, 1, mag))
    return xp.sign(x)


def _abs_kernel(xp, x):
    return xp.abs(x)


_UNARY_KERNELS = {
    "Abs": (_abs_kernel, _FLOATS + _SIGNED),
    "Sign": (_sign_kernel, _NUMERIC),
    "Square": (lambda xp, x: x * x, _NUMERIC),
    "Sqrt": (lambda xp, x: xp.sqrt(x), _FLOAT_COMPLEX),
    "Rsqrt": (lambda xp, x: 1 / xp.sqrt(x), _FLOAT_COMPLEX),
    "Reciprocal": (lambda xp, x: 1 / x, _FLOAT_COMPLEX),
    "Exp": (lambda xp, x: xp.exp(x), _FLOAT_COMPLEX),
    "Expm1": (lambda xp, x: xp.expm1(x), _FLOAT_COMPLEX),
    "Log": (lambda xp, x: xp.log(x), _FLOAT_COMPLEX),
    "Log1p": (lambda xp, x: xp.log1p(x), _FLOAT_COMPLEX),
    "Sin": (lambda xp, x: xp.sin(x), _FLOAT_COMPLEX),
    "Cos": (lambda xp, x: xp.cos(x), _FLOAT_COMPLEX),
    "Tan": (lambda xp, x: xp.tan(x), _FLOAT_COMPLEX),
    "Asin": (lambda xp, x: xp.arcsin(x), _FLOAT_COMPLEX),
    "Acos": (lambda xp, x: xp.arccos(x), _FLOAT_COMPLEX),
    "Atan": (lambda xp, x: xp.arctan(x), _FLOAT_COMPLEX),
    "Tanh": (lambda xp, x: xp.tanh(x), _FLOAT_COMPLEX),
    "Sigmoid": (_sigmoid_kernel, _FLOAT_COMPLEX),
    "Erf": (lambda xp, x: _special(xp, x, _erf64), _FLOATS),
    "Erfc": (lambda xp, x: _special(xp, x, _erfc64), _FLOATS),
    "Lgamma": (lambda xp, x: _special(xp, x, _lgamma64), _FLOATS),
    "Digamma": (lambda xp, x: _special(xp, x, _digamma64), _FLOATS),
    "Floor": (lambda xp, x: xp.floor(x), _FLOATS),
    "Ceil": (lambda xp, x: xp.ceil(x), _FLOATS),
    "Round": (lambda xp, x: xp.rint(x) if x.dtype.kind in "fc" else x, _NUMERIC),
    "Rint": (lambda xp, x: xp.rint(x), _FLOATS),
}


def _register_unaries():
    grads = _unary_grads()
    for op_type, (fn, allowed) in _UNARY_KERNELS.items():
        grad = grads.get(op_type)
        if op_type in ("Floor", "Ceil", "Round", "Rint"):
            grad = _none_grads(1)
        _unary(op_type, fn, grad, allowed)
    _unary("IsNan", lambda xp, x: xp.isnan(x), None, _FLOATS, out_bool=True)
    _unary("IsInf", lambda xp, x: xp.isinf(x), None, _FLOATS, out_bool=True)
    _unary("IsFinite", lambda xp, x: xp.isfinite(x), None, _FLOATS, out_bool=True)


_register_unaries()


def negative(x, name=None):
    """``tf.negative``: -x (``Neg``)."""
    return _apply_unary("Neg", x, name)


def abs(x, name=None):  # noqa: A001 - TF's name
    """``tf.abs``: |x| elementwise (``Abs``); the magnitude of complex inputs, as a real
    tensor (``ComplexAbs``)."""
    with name_scope(name, "Abs", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        if x.dtype.base_dtype.is_complex:
            dt, real = x.dtype.base_dtype, x.dtype.base_dtype.real_dtype
            return apply_op("ComplexAbs", [x], [real], attrs={"T": dt, "Tout": real},
                            name=scope).outputs[0]
        return _apply_unary("Abs", x, scope)


def _complex_abs_grad(op, grad):
    x, y = op.inputs[0], op.outputs[0]
    dt = x.dtype.base_dtype
    return [div_no_nan(cast(grad, dt) * x, cast(y, dt))]


register_op("ComplexAbs", shape=same_shape_fn, kernel=_ew(lambda xp, x: xp.abs(x)),
            grad=_complex_abs_grad)


def sign(x, name=None):
    """``tf.sign``: -1, 0 or 1 by the sign of each element (``Sign``)."""
    return _apply_unary("Sign", x, name)


def square(x, name=None):
    """``tf.square``: x * x elementwise (``Square``)."""
    return _apply_unary("Square", x, name)


def sqrt(x, name=None):
    """``tf.sqrt``: the square root (``Sqrt``); NaN for negative inputs."""
    return _apply_unary("Sqrt", x, name)


def rsqrt(x, name=None):
    """``tf.rsqrt``: 1 / sqrt(x) (``Rsqrt``)."""
    return _apply_unary("Rsqrt", x, name)


def reciprocal(x, name=None):
    """``tf.reciprocal``: 1 / x (``Reciprocal``)."""
    return _apply_unary("Reciprocal", x, name)


def exp(x, name=None):
    """``tf.exp``: e ** x (``Exp``)."""
    return _apply_unary("Exp", x, name)


def expm1(x, name=None):
    """``tf.expm1``: e ** x - 1, accurate near 0 (``Expm1``)."""
    return _apply_unary("Expm1", x, name)


def log(x, name=None):
    """``tf.log``: the natural logarithm (``Log``); -inf at 0, NaN below."""
    return _apply_unary("Log", x, name)


def log1p(x, name=None):
    """``tf.log1p``: log(1 + x), accurate near 0 (``Log1p``)."""
    return _apply_unary("Log1p", x, name)


def sin(x, name=None):
    """``tf.sin`` (``Sin``)."""
    return _apply_unary("Sin", x, name)


def cos(x, name=None):
    """``tf.cos`` (``Cos``)."""
    return _apply_unary("Cos", x, name)


def tan(x, name=None):
    """``tf.tan`` (``Tan``)."""
    return _apply_unary("Tan", x, name)


def asin(x, name=None):
    """``tf.asin`` (``Asin``)."""
    return _apply_unary("Asin", x, name)


def acos(x, name=None):
    """``tf.acos`` (``Acos``)."""
    return _apply_unary("Acos", x, name)


def atan(x, name=None):
    """``tf.atan`` (``Atan``)."""
    return _apply_unary("Atan", x, name)


def tanh(x, name=None):
    """``tf.tanh`` / ``tf.nn.tanh`` (``Tanh``)."""
    return _apply_unary("Tanh", x, name)


def sigmoid(x, name=None):
    """``tf.sigmoid`` / ``tf.nn.sigmoid``: 1 / (1 + exp(-x)), without overflow (``Sigmoid``)."""
    return _apply_unary("Sigmoid", x, name)


def erf(x, name=None):
    """``tf.erf``: the Gauss error function (``Erf``)."""
    return _apply_unary("Erf", x, name)


def erfc(x, name=None):
    """``tf.erfc``: 1 - erf(x), accurate in the tails (``Erfc``)."""
    return _apply_unary("Erfc", x, name)


def lgamma(x, name=None):
    """``tf.lgamma``: log |Gamma(x)| (``Lgamma``); inf at the poles."""
    return _apply_unary("Lgamma", x, name)


def digamma(x, name=None):
    """``tf.digamma``: the derivative of lgamma (``Digamma``); NaN at the poles."""
    return _apply_unary("Digamma", x, name)


def floor(x, name=None):
    """``tf.floor``: the largest integer not greater than x (``Floor``), for floats."""
    return _apply_unary("Floor", x, name)


def ceil(x, name=None):
    """``tf.ceil``: the smallest integer not less than x (``Ceil``), for floats."""
    return _apply_unary("Ceil", x, name)


def round(x, name=None):  # noqa: A001 - TF's name
    """``tf.round``: rounds half to even, as TF (banker's rounding); integers pass through."""
    x = convert_to_tensor(x, name="x")
    if x.dtype.base_dtype.is_integer:
        return x
    return _apply_unary("Round", x, name)


def rint(x, name=None):
    """``tf.rint``: rounds to the nearest integer, half to even (``Rint``)."""
    return _apply_unary("Rint", x, name)


def is_nan(x, name=None):
    """``tf.is_nan``: which elements are NaN (``IsNan``)."""
    return _apply_unary("IsNan", x, name)


def is_inf(x, name=None):
    """``tf.is_inf``: which elements are +inf or -inf (``IsInf``)."""
    return _apply_unary("IsInf", x, name)


def is_finite(x, name=None):
    """``tf.is_finite``: which elements are neither inf nor NaN (``IsFinite``)."""
    return _apply_unary("IsFinite", x, name)


# --------------------------------------------------------------------------- special functions
# numpy has no erf/lgamma/digamma; these are vectorised series and continued fractions written
# against xp (so they run on cupy too), evaluated in float64 and cast back.

def _special(xp, x, fn):
    out = fn(xp, x.astype(np.float64))
    return out.astype(x.dtype, copy=False)


def _erf_series(xp, x):
    # erf(x) = 2/sqrt(pi) exp(-x^2) sum_n (2x^2)^n x / (1*3*...*(2n+1)); no cancellation.
    x2 = 2.0 * x * x
    term = x
    total = x
    for n in builtins.range(1, 45):
        term = term * x2 / (2 * n + 1)
        total = total + term
    return _SQRT_PI_2 * xp.exp(-x * x) * total


def _erfc_fraction(xp, x):
    # erfc(x) = exp(-x^2)/sqrt(pi) / (x + 1/2 / (x + 1 / (x + 3/2 / (x + ...)))), x >= 2.5
    f = x
    for k in builtins.range(40, 0, -1):
        f = x + (k / 2.0) / f
    return xp.exp(-x * x) / (math.sqrt(math.pi) * f)


def _erf64(xp, x):
    a = xp.abs(x)
    small = a < 2.5
    series = _erf_series(xp, xp.where(small, a, 0.0))
    tail = 1.0 - _erfc_fraction(xp, xp.where(small, 2.5, a))
    return xp.sign(x) * xp.where(small, series, tail)


def _erfc64(xp, x):
    a = xp.abs(x)
    small = a < 2.5
    series = _erf_series(xp, xp.where(small, a, 0.0))
    frac = _erfc_fraction(xp, xp.where(small, 2.5, a))
    pos = xp.where(small, 1.0 - series, frac)  # erfc(|x|)
    return xp.where(x >= 0, pos, 2.0 - pos)


_LANCZOS = (0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012,
            9.9843695780195716e-6, 1.5056327351493116e-7)


def _lgamma_pos(xp, x):
    # Lanczos (g = 7) for x >= 0.5.
    z = x - 1.0
    a = _LANCZOS[0]
    for i in builtins.range(1, 9):
        a = a + _LANCZOS[i] / (z + i)
    t = z + 7.5
    return 0.5 * math.log(2 * math.pi) + (z + 0.5) * xp.log(t) - t + xp.log(a)


def _lgamma64(xp, x):
    refl = x < 0.5
    big = xp.abs(x) > 1e7
    mid = xp.where(big, 2.0, x)
    pos = _lgamma_pos(xp, xp.where(refl, 1.0 - mid, mid))
    s = xp.abs(xp.sin(math.pi * mid))
    reflected = math.log(math.pi) - xp.log(s) - pos
    out = xp.where(refl, reflected, pos)
    # Stirling's series where Lanczos would overflow (inf - inf).
    a = xp.where(big, xp.where(x > 0, x, 1.0 - x), 2.0)
    stirling = (a - 0.5) * xp.log(a) - a + 0.5 * math.log(2 * math.pi) + 1.0 / (12.0 * a)
    big_refl = math.log(math.pi) - xp.log(xp.abs(xp.sin(math.pi * x))) - stirling
    out = xp.where(big, xp.where(x > 0, stirling, big_refl), out)
    out = xp.where((x == 1.0) | (x == 2.0), 0.0, out)
    return xp.where((x <= 0) & (x == xp.floor(x)) | xp.isinf(x), xp.inf, out)


def _digamma_pos(xp, x):
    # recurrence up to x + 10, then the asymptotic series.
    acc = 0.0
    for k in builtins.range(10):
        acc = acc + 1.0 / (x + k)
    y = x + 10.0
    y2 = 1.0 / (y * y)
    series = y2 * (1 / 12.0 - y2 * (1 / 120.0 - y2 * (1 / 252.0 - y2 * (
        1 / 240.0 - y2 * (1 / 132.0)))))
    return xp.log(y) - 0.5 / y - series - acc


def _digamma64(xp, x):
    refl = x < 0.5
    pos = _digamma_pos(xp, xp.where(refl, 1.0 - x, x))
    reflected = pos - math.pi / xp.tan(math.pi * x)
    out = xp.where(refl, reflected, pos)
    return xp.where((x <= 0) & (x == xp.floor(x)), xp.nan, out)


# Bernoulli numbers B2..B20 for the Euler-Maclaurin tail of the Hurwitz zeta function.
_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510,
              43867 / 798, -174611 / 330)


def _hurwitz_zeta(xp, s, q, shift):
    """zeta(s, q) for integer s > 1 (as floats), by Euler-Maclaurin after ``shift`` terms."""
    total = 0.0
    for k in builtins.range(shift):
        total = total + (q + k) ** (-s)
    a = q + shift
    total = total + a ** (1 - s) / (s - 1) + 0.5 * a ** (-s)
    fact = 1.0
    rising = s
    apow = a ** (-s - 1)
    for j, b in enumerate(_BERNOULLI, start=1):
        fact = fact * (2 * j - 1) * (2 * j) if j > 1 else 2.0
        total = total + b / fact * rising * apow
        rising = rising * (s + 2 * j - 1) * (s + 2 * j)
        apow = apow / (a * a)
    return total


def _polygamma_kernel(ctx, a, x):
    xp = ctx.xp
    with np.errstate(all="ignore"):
        a64, x64 = xp.broadcast_arrays(a.astype(np.float64), x.astype(np.float64))
        # shift far enough that q + shift is large, even for negative q
        lowest = float(xp.min(x64)) if x64.size else 0.0
        shift = 12 + (int(math.ceil(-lowest)) if lowest < 0 and math.isfinite(lowest) else 0)
        n = xp.where(a64 >= 1, a64, 1.0)
        fact = xp.exp(_lgamma64(xp, n + 1.0))
        sgn = xp.where(xp.remainder(n, 2.0) == 0, -1.0, 1.0)
        zeta = _hurwitz_zeta(xp, n + 1.0, x64, builtins.min(shift, 1000))
        pg = sgn * fact * zeta
        pole = (x64 <= 0) & (x64 == xp.floor(x64))
        pg = xp.where(pole, xp.inf, pg)
        out = xp.where(a64 == 0, _digamma64(xp, x64), pg)
        out = xp.where((a64 < 0) | (a64 != xp.floor(a64)), xp.nan, out)
        return out.astype(x.dtype, copy=False)


def _polygamma_grad(op, grad):
    a, x = op.inputs
    return [None, grad * polygamma(a + 1, x)]


register_op("Polygamma", shape=broadcast_shape_fn, kernel=_polygamma_kernel,
            grad=_polygamma_grad)
_ALLOWED["Polygamma"] = ((_D.float32, _D.float64), False)


def polygamma(a, x, name=None):
    """``tf.polygamma``: the ``a``-th derivative of digamma at ``x`` (``a`` a whole number)."""
    return _apply_binary("Polygamma", a, x, name, names=("a", "x"))


# --------------------------------------------------------------------------- comparison, logic

def _compare(op_type, fn, allowed):
    _binary(op_type, fn, None, allowed=allowed, out_bool=True)


_compare("Equal", lambda xp, x, y: x == y, None)
_compare("NotEqual", lambda xp, x, y: x != y, None)
_compare("Less", lambda xp, x, y: x < y, _REAL)
_compare("LessEqual", lambda xp, x, y: x <= y, _REAL)
_compare("Greater", lambda xp, x, y: x > y, _REAL)
_compare("GreaterEqual", lambda xp, x, y: x >= y, _REAL)


def equal(x, y, name=None):
    """``tf.equal``: x == y elementwise, with broadcasting; a bool tensor."""
    return _apply_binary("Equal", x, y, name)


def not_equal(x, y, name=None):
    """``tf.not_equal``: x != y elementwise, with broadcasting."""
    return _apply_binary("NotEqual", x, y, name)


def less(x, y, name=None):
    """``tf.less``: x < y elementwise, with broadcasting."""
    return _apply_binary("Less", x, y, name)


def less_equal(x, y, name=None):
    """``tf.less_equal``: x <= y elementwise, with broadcasting."""
    return _apply_binary("LessEqual", x, y, name)


def greater(x, y, name=None):
    """``tf.greater``: x > y elementwise, with broadcasting."""
    return _apply_binary("Greater", x, y, name)


def greater_equal(x, y, name=None):
    """``tf.greater_equal``: x >= y elementwise, with broadcasting."""
    return _apply_binary("GreaterEqual", x, y, name)


register_op("LogicalAnd", shape=broadcast_shape_fn,
            kernel=lambda ctx, x, y: ctx.xp.logical_and(x, y), grad=_NO_GRAD)
register_op("LogicalOr", shape=broadcast_shape_fn,
            kernel=lambda ctx, x, y: ctx.xp.logical_or(x, y), grad=_NO_GRAD)
register_op("LogicalNot", shape=same_shape_fn,
            kernel=lambda ctx, x: ctx.xp.logical_not(x), grad=_NO_GRAD)


def _apply_logical(op_type, values, names, name):
    with name_scope(name, op_type, values) as scope:
        tensors = []
        for v, n in zip(values, names):
            t = convert_to_tensor(v) if _is_tensorlike(v) else \
                convert_to_tensor(v, dtype=_D.bool, name=n)
            _check_fixed_type(op_type, n, t, _D.bool)
            tensors.append(t)
        return apply_op(op_type, tensors, [_D.bool], name=scope).outputs[0]


def logical_and(x, y, name=None):
    """``tf.logical_and``: x AND y for bool tensors, with broadcasting."""
    return _apply_logical("LogicalAnd", [x, y], ["x", "y"], name)


def logical_or(x, y, name=None):
    """``tf.logical_or``: x OR y for bool tensors, with broadcasting."""
    return _apply_logical("LogicalOr", [x, y], ["x", "y"], name)


def logical_not(x, name=None):
    """``tf.logical_not``: NOT x for a bool tensor."""
    return _apply_logical("LogicalNot", [x], ["x"], name)


def logical_xor(x, y, name="LogicalXor"):
    """``tf.logical_xor``: (x OR y) AND NOT (x AND y), as TF composes it."""
    return logical_and(logical_or(x, y), logical_not(logical_and(x, y)), name=name)


# --------------------------------------------------------------------------- where / select

def _where_kernel(ctx, x):
    return ctx.xp.argwhere(x).astype(np.int64)


def _where_shape(op):
    x = op.inputs[0]
    return [TensorShape([None, x.shape.ndims])]


register_op("Where", shape=_where_shape, kernel=_where_kernel, grad=_NO_GRAD)


def _select_shape(op):
    cond, x, y = op.inputs
    data = _merge_two(x.shape, y.shape)
    cs = cond.shape
    if cs.ndims is None or data.ndims is None:
        return [data]
    if cs.ndims == 0:
        return [data]
    if cs.ndims != 1 or data.ndims == 0:
        return [_merge_two(data, cs)]
    _merge_two(cs, TensorShape([data.as_list()[0]]))
    return [data]


def _select_kernel(ctx, cond, x, y):
    xp = ctx.xp
    if cond.ndim == 0:
        return (x if bool(cond) else y).copy()
    if cond.ndim == 1 and x.ndim > 1:
        if cond.shape[0] != x.shape[0]:
            raise ValueError("Number of batches of 'then' must match size of 'cond', but saw: "
                             "%d vs. %d" % (x.shape[0], cond.shape[0]))
        cond = cond.reshape(cond.shape + (1,) * (x.ndim - 1))
    elif cond.shape != x.shape or x.shape != y.shape:
        raise ValueError("'then' and 'else' must have the same size.  but received: %s vs. %s"
                         % (list(x.shape), list(y.shape)) if x.shape != y.shape else
                         "'cond' and 'then' must have the same size.  but received: %s vs. %s"
                         % (list(cond.shape), list(x.shape)))
    return xp.where(cond, x, y)


def _select_grad(op, grad):
    c = op.inputs[0]
    zeros = array_ops.zeros_like(op.inputs[1])
    return [None, where(c, grad, zeros), where(c, zeros, grad)]


register_op("Select", shape=_select_shape, kernel=_select_kernel, grad=_select_grad)


def _select_v2_shape(op):
    c, x, y = op.inputs
    return [broadcast_shapes(broadcast_shapes(c.shape, x.shape), y.shape)]


def _select_v2_grad(op, grad):
    c, x, y = op.inputs
    zeros = array_ops.zeros_like(grad)
    return [None, reduce_sum_to_shape(where_v2(c, grad, zeros), x),
            reduce_sum_to_shape(where_v2(c, zeros, grad), y)]


register_op("SelectV2", shape=_select_v2_shape,
            kernel=lambda ctx, c, x, y: ctx.xp.where(c, x, y), grad=_select_v2_grad)


def _select_inputs(op_type, condition, x, y):
    condition = convert_to_tensor(condition, dtype=_D.bool, name="condition") \
        if not _is_tensorlike(condition) else convert_to_tensor(condition)
    _check_fixed_type(op_type, "condition", condition, _D.bool)
    x, y = _convert_same(op_type, [x, y], ["t", "e"])
    return condition, x, y


def where(condition, x=None, y=None, name=None):
    """``tf.where``: the coordinates of true elements, or a choice between ``x`` and ``y``.

    With only ``condition``: a ``[num_true, rank]`` int64 tensor of the indices of its true
    (non-zero) elements (``Where``). With ``x`` and ``y``: ``x`` where ``condition`` is true,
    else ``y`` (``Select``); ``x`` and ``y`` have one shape, and ``condition`` has that shape,
    or is a scalar, or a vector over the first dimension (TF1's rules).

    Raises:
      ValueError: only one of ``x`` and ``y`` is given, or the shapes don't fit.
    """
    if x is None and y is None:
        with name_scope(name, "Where", [condition]) as scope:
            condition = convert_to_tensor(condition, preferred_dtype=_D.bool, name="condition")
            return apply_op("Where", [condition], [_D.int64],
                            attrs={"T": condition.dtype.base_dtype}, name=scope).outputs[0]
    if x is None or y is None:
        raise ValueError("x and y must both be non-None or both be None.")
    with name_scope(name, "Select", [condition, x, y]) as scope:
        condition, x, y = _select_inputs("Select", condition, x, y)
        dt = x.dtype.base_dtype
        return apply_op("Select", [condition, x, y], [dt], attrs={"T": dt},
                        name=scope).outputs[0]


def where_v2(condition, x=None, y=None, name=None):
    """``tf.where_v2``: like :func:`where`, but ``condition``, ``x`` and ``y`` broadcast
    (``SelectV2``)."""
    if x is None and y is None:
        return where(condition, name=name)
    if x is None or y is None:
        raise ValueError("x and y must both be non-None or both be None.")
    with name_scope(name, "SelectV2", [condition, x, y]) as scope:
        condition, x, y = _select_inputs("SelectV2", condition, x, y)
        dt = x.dtype.base_dtype
        return apply_op("SelectV2", [condition, x, y], [dt], attrs={"T": dt},
                        name=scope).outputs[0]


# --------------------------------------------------------------------------- cast

# How a source dtype casts to the op's DstT, worked out once per (op, source dtype): the
# per-element casts of tf.data functions are short enough for dtype checks to cost as much
# as the cast. A "safe" cast (numpy's sense) cannot overflow or meet NaN, so it needs no
# error state.
_CAST_SAME, _CAST_SAFE, _CAST_UNSAFE, _CAST_REAL_PART, _CAST_STRING = range(5)


def _cast_context(ctx):
    ctx.state = (ctx.attrs["DstT"].as_numpy_dtype, {})


def _cast_mode(src, dst):
    if src == dst:
        return _CAST_SAME
    if dst is np.object_ or src == object:
        return _CAST_STRING
    if src.kind == "c" and np.dtype(dst).kind != "c":
        return _CAST_REAL_PART
    return _CAST_SAFE if np.can_cast(src, dst, "safe") else _CAST_UNSAFE


def _cast_kernel(ctx, x):
    dst, modes = ctx.state
    mode = modes.get(x.dtype)
    if mode is None:
        mode = modes[x.dtype] = _cast_mode(x.dtype, dst)
    if mode == _CAST_SAME:
        return x
    if mode == _CAST_SAFE:
        return x.astype(dst)
    if mode == _CAST_STRING:
        raise TypeError("Cast between string and numeric types is not supported; use "
                        "tf.string_to_number / tf.as_string.")
    if mode == _CAST_REAL_PART:
        x = x.real
    return _ignoring_fp_errors(x.astype, dst)


def _cast_grad(op, grad):
    src = op.get_attr("SrcT")
    if src.is_floating or src.is_complex:
        if grad.dtype.base_dtype.is_floating or grad.dtype.base_dtype.is_complex:
            return [cast(grad, src)]
    return [None]


register_op("Cast", shape=same_shape_fn, kernel=_cast_kernel, make_context=_cast_context,
            grad=_cast_grad)


def cast(x, dtype, name=None):
    """``tf.cast``: converts ``x`` to ``dtype``.

    Floats to ints truncate toward zero; complex to real keeps the real part. Casting to the
    tensor's own dtype returns it unchanged.
    """
    base = _D.as_dtype(dtype).base_dtype
    if hasattr(x, "_as_graph_element") and not isinstance(x, Tensor) and hasattr(x, "value"):
        x = x.value()
    if isinstance(x, Tensor) and x.dtype.base_dtype == base:
        return x
    with name_scope(name, "Cast", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        if x.dtype.base_dtype == base:
            return x
        return apply_op("Cast", [x], [base], attrs={"SrcT": x.dtype.base_dtype, "DstT": base,
                                                    "Truncate": False},
                        name=scope).outputs[0]


def to_float(x, name="ToFloat"):
    """``tf.to_float`` (deprecated): ``cast(x, tf.float32)``."""
    return cast(x, _D.float32, name=name)


def to_double(x, name="ToDouble"):
    """``tf.to_double`` (deprecated): ``cast(x, tf.float64)``."""
    return cast(x, _D.float64, name=name)


def to_int32(x, name="ToInt32"):
    """``tf.to_int32`` (deprecated): ``cast(x, tf.int32)``."""
    return cast(x, _D.int32, name=name)


def to_int64(x, name="ToInt64"):
    """``tf.to_int64`` (deprecated): ``cast(x, tf.int64)``."""
    return cast(x, _D.int64, name=name)


def to_bfloat16(x, name="ToBFloat16"):
    """``tf.to_bfloat16`` (deprecated): ``cast(x, tf.bfloat16)``."""
    return cast(x, _D.bfloat16, name=name)


def _clamp_value(value, src):
    """``value`` as the nearest ``src`` value that does not overshoot it (toward zero)."""
    np_src = src.as_numpy_dtype
    v = np.asarray(value).astype(np_src)
    if src.is_floating and float(v) != value:
        direction = -np.inf if float(v) > value else np.inf
        v = np.nextafter(v, np.asarray(direction, np_src))
    return v


def saturate_cast(value, dtype, name=None):
    """``tf.saturate_cast``: clamps ``value`` into ``dtype``'s range, then casts.

    Raises:
      TypeError: a type has no finite range (strings, bool).
    """
    with name_scope(name, "saturate_cast", [value]) as scope:
        value = convert_to_tensor(value, name="value")
        dtype = _D.as_dtype(dtype).base_dtype
        src = value.dtype.base_dtype
        if src.min < dtype.min:
            value = maximum(value, array_ops.constant(_clamp_value(dtype.min, src), dtype=src,
                                                      name="min"))
        if src.max > dtype.max:
            value = minimum(value, array_ops.constant(_clamp_value(dtype.max, src), dtype=src,
                                                      name="max"))
        return cast(value, dtype, name=scope)


_BITCAST_TYPES = (_D.bfloat16, _D.float16, _D.float32, _D.float64, _D.int64, _D.int32,
                  _D.uint8, _D.uint16, _D.uint32, _D.uint64, _D.int8, _D.int16, _D.complex64,
                  _D.complex128)


def _itemsize(dt):
    return 2 if dt == _D.bfloat16 else np.dtype(dt.as_numpy_dtype).itemsize


def _bitcast_shape(op):
    x = op.inputs[0]
    src, dst = op.get_attr("T"), op.get_attr("type")
    si, so = _itemsize(src), _itemsize(dst)
    s = x.shape
    if s.ndims is None:
        return [unknown_shape()]
    dims = s.as_list()
    if si == so:
        return [s]
    if si > so:
        return [TensorShape(dims + [si // so])]
    if not dims:
        raise ValueError("Cannot bitcast from %d to %d due to shape. Input has no dimensions"
                         % (src.as_datatype_enum, dst.as_datatype_enum))
    if dims[-1] is not None and dims[-1] != so // si:
        raise ValueError("Cannot bitcast from %d to %d due to shape. %d does not match %d"
                         % (src.as_datatype_enum, dst.as_datatype_enum, dims[-1], so // si))
    return [TensorShape(dims[:-1])]


def _bitcast_kernel(ctx, x):
    xp = ctx.xp
    dst = np.dtype(ctx.attrs["type"].as_numpy_dtype)
    x = xp.ascontiguousarray(x)
    if x.dtype.itemsize >= dst.itemsize:
        out = x.reshape(x.shape + (1,)).view(dst)
        return out.reshape(x.shape) if x.dtype.itemsize == dst.itemsize else out
    if x.ndim == 0 or x.shape[-1] * x.dtype.itemsize != dst.itemsize:
        raise ValueError("Cannot bitcast from %s to %s: the last dimension of shape %s must be "
                         "%d" % (x.dtype, dst, list(x.shape), dst.itemsize // x.dtype.itemsize))
    return x.view(dst).reshape(x.shape[:-1])


register_op("Bitcast", shape=_bitcast_shape, kernel=_bitcast_kernel, grad=_NO_GRAD)


def bitcast(input, type, name=None):  # noqa: A002 - TF's argument names
    """``tf.bitcast``: reinterprets the bytes of ``input`` as ``type`` without copying data.

    A smaller ``type`` adds a last dimension of size ``input_size / type_size``; a larger one
    needs the last dimension to be ``type_size / input_size`` and removes it.

    Raises:
      TypeError: either type cannot be bitcast (bool, string).
      ValueError: the last dimension does not fit.
    """
    with name_scope(name, "Bitcast", [input]) as scope:
        input = convert_to_tensor(input, name="input")
        dst = _D.as_dtype(type).base_dtype
        _check_type("input", input, _BITCAST_TYPES)
        if dst not in _BITCAST_TYPES:
            raise TypeError("Value passed to parameter 'type' has DataType %s not in list of "
                            "allowed values: %s" % (dst.name, ", ".join(
                                t.name for t in _BITCAST_TYPES)))
        return apply_op("Bitcast", [input], [dst],
                        attrs={"T": input.dtype.base_dtype, "type": dst},
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


# For a row-major result OpenBLAS takes the result's columns as its "M" side; asking for the
# transposed product (b.T @ a.T) swaps the roles of the operands. For float32 with few rows m,
# many columns n and a long inner dimension k the swapped call is 5-25% faster on one thread,
# the transposing copy of the small [m, n] result included (LeNet's fc layer, [64, 3136] @
# [3136, 1024]: 9.3 -> 8.1 ms; [64, 1024] @ [1024, 3136] with b transposed: 8.1 -> 7.5 ms);
# when b is not k-contiguous, only up to n = 1024. Measured over square, tall, wide and LeNet
# shapes with every transpose combination; float64 is slower the swapped way. The choice
# depends on shapes, dtype and memory order only, never on timings, so results are the same
# run to run.
def _transposed_gemm_is_faster(a, b):
    """Whether numpy's float32 ``a @ b`` (2-D) runs faster as ``(b.T @ a.T).T``."""
    m, k = a.shape
    n = b.shape[1]
    if a.dtype != np.float32 or b.dtype != np.float32:
        return False
    if not (m <= 128 and n >= 2 * m and k >= 256):
        return False
    return b.flags.f_contiguous or (k >= 1024 and n <= 1024)


def _matmul_kernel(ctx, a, b):
    attrs = ctx.attrs
    xp = ctx.xp
    if attrs["transpose_a"]:
        a = a.T
    if attrs["transpose_b"]:
        b = b.T
    if xp is np and a.ndim == 2 and b.ndim == 2 and _transposed_gemm_is_faster(a, b):
        return xp.ascontiguousarray(xp.matmul(b.T, a.T).T)
    return xp.matmul(a, b)


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
_MATMUL_TYPES = _FLOATS + (_D.int32, _D.int64) + _COMPLEX


def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
           a_is_sparse=False, b_is_sparse=False, name=None):
    """``tf.matmul``: the matrix product of ``a`` and ``b``.

    Rank-2 inputs make a ``MatMul``; higher (or unknown) ranks a ``BatchMatMulV2`` whose
    batch dimensions broadcast.

    Args:
      a, b: tensors of one dtype.
      transpose_a, transpose_b: transpose the last two dimensions first.
      adjoint_a, adjoint_b: conjugate and transpose the last two dimensions first.
      a_is_sparse, b_is_sparse: hints, ignored.
      name: the op's name (default "MatMul").

    Raises:
      ValueError: the inner dimensions differ, or both transpose and adjoint are set.
      TypeError: the dtypes differ.
    """
    with name_scope(name, "MatMul", [a, b]) as scope:
        if transpose_a and adjoint_a:
            raise ValueError("Only one of transpose_a and adjoint_a can be True.")
        if transpose_b and adjoint_b:
            raise ValueError("Only one of transpose_b and adjoint_b can be True.")
        a = convert_to_tensor(a, name="a")
        b = convert_to_tensor(b, name="b") if _is_tensorlike(b) else \
            convert_to_tensor(b, name="b", preferred_dtype=a.dtype.base_dtype)
        check_same_dtype("MatMul", ["a", "b"], [a, b])
        _check_type("a", a, _MATMUL_TYPES)
        ra, rb = a.shape.ndims, b.shape.ndims
        if ra is None or rb is None or ra > 2 or rb > 2:
            from tensorslim.core.ops import linalg_ops
            if transpose_a:
                a = _conj(a)
            if transpose_b:
                b = _conj(b)
            return linalg_ops.batch_matmul(a, b, adj_x=bool(transpose_a or adjoint_a),
                                           adj_y=bool(transpose_b or adjoint_b), name=scope)
        if adjoint_a:
            a = _conj(a)
        if adjoint_b:
            b = _conj(b)
        dt = a.dtype.base_dtype
        return apply_op("MatMul", [a, b], [dt],
                        attrs={"T": dt, "transpose_a": bool(transpose_a or adjoint_a),
                               "transpose_b": bool(transpose_b or adjoint_b)},
                        name=scope).outputs[0]


register_op("Conj", shape=same_shape_fn, kernel=lambda ctx, x: ctx.xp.conj(x),
            grad=lambda op, grad: [_conj(grad)])


def _conj(x):
    if not x.dtype.base_dtype.is_complex:
        return x
    return apply_op("Conj", [x], [x.dtype.base_dtype], attrs={"T": x.dtype.base_dtype},
                    name="Conj").outputs[0]


def conj(x, name=None):
    """``tf.conj``: the complex conjugate of ``x``; real numeric tensors are returned as is.

    Args:
      x: a numeric Tensor.
      name: the op's name (default "Conj").

    Raises:
      TypeError: ``x`` is not numeric.
    """
    with name_scope(name, "Conj", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        dt = x.dtype.base_dtype
        if dt.is_complex:
            return apply_op("Conj", [x], [dt], attrs={"T": dt}, name=scope).outputs[0]
        if dt.is_floating or dt.is_integer:
            return x
        raise TypeError("Expected numeric or variant tensor, got dtype %r" % dt)


def tensordot(a, b, axes, name=None):
    """``tf.tensordot``: sums the products of ``a`` and ``b`` over the given axes.

    See :func:`tensorslim.core.ops.linalg_ops.tensordot`.
    """
    from tensorslim.core.ops import linalg_ops
    return linalg_ops.tensordot(a, b, axes, name=name)


def einsum(equation, *inputs, **kwargs):
    """``tf.einsum``: see :func:`tensorslim.core.ops.linalg_ops.einsum`."""
    from tensorslim.core.ops import linalg_ops
    return linalg_ops.einsum(equation, *inputs, **kwargs)


# --------------------------------------------------------------------------- reductions

def _static_axes(op):
    """The reduction's axes, normalised and sorted, or None when not known statically."""
    x = op.inputs[0]
    av = constant_value(op.inputs[1])
    n = x.shape.ndims
    if av is None or n is None:
        return None
    return sorted({int(a) + n if int(a) < 0 else int(a) for a in np.asarray(av).reshape(-1)})


def reduction_axes_shape(op, keep_dims):
    """The output shape of a reduction op (inputs: tensor, axes)."""
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


def _axes_context(ctx):
    """Caches a reduction's constant axes, so kernels need no device-to-host copy per run."""
    value = constant_value(ctx.op.inputs[1])
    ndim = ctx.op.inputs[0].shape.ndims
    ctx.state = None
    if value is not None and ndim is not None:
        try:
            ctx.state = (ndim, _normalize_axes(np.asarray(value).reshape(-1).tolist(), ndim))
        except ValueError:
            pass  # the kernel reports it, naming the op


def _normalize_axes(values, ndim):
    out = []
    for a in values:
        a = int(a)
        if a < -ndim or a >= ndim:
            raise ValueError("Invalid reduction dimension (%d for input with %d dimension(s)"
                             % (a, ndim))
        out.append(a + ndim if a < 0 else a)
    return tuple(sorted(set(out)))


def _host_axes(ctx, axes, ndim):
    cached = ctx.state
    if cached is not None and cached[0] == ndim:
        return cached[1]
    values = axes.tolist()
    return _normalize_axes(values if isinstance(values, list) else [values], ndim)


def _int_context(ctx):
    """Caches a constant scalar int input (ArgMax's dimension, Cumsum's axis)."""
    value = constant_value(ctx.op.inputs[1])
    ctx.state = None if value is None else int(np.asarray(value).reshape(-1)[0])


def _out_shape(x, axes, keep):
    if keep:
        return tuple(1 if i in axes else d for i, d in enumerate(x.shape))
    return tuple(d for i, d in enumerate(x.shape) if i not in axes)


def reduction_kernel(name):
    """A kernel applying ``xp.<name>(x, axis, keepdims)`` over the axes input."""
    def kernel(ctx, x, axes):
        axes = _host_axes(ctx, axes, x.ndim)
        return getattr(ctx.xp, name)(x, axis=axes, keepdims=ctx.attrs["keep_dims"])
    return kernel


def _sum_kernel(ctx, x, axes):
    axes = _host_axes(ctx, axes, x.ndim)
    with np.errstate(all="ignore"):
        out = ctx.xp.sum(x, axis=axes, keepdims=ctx.attrs["keep_dims"], dtype=x.dtype)
    return out


def _prod_kernel(ctx, x, axes):
    axes = _host_axes(ctx, axes, x.ndim)
    with np.errstate(all="ignore"):
        return ctx.xp.prod(x, axis=axes, keepdims=ctx.attrs["keep_dims"], dtype=x.dtype)


def _mean_kernel(ctx, x, axes):
    xp = ctx.xp
    axes = _host_axes(ctx, axes, x.ndim)
    keep = ctx.attrs["keep_dims"]
    count = 1
    for a in axes:
        count *= x.shape[a]
    with np.errstate(all="ignore"):
        if x.dtype.kind in "iu":
            acc = np.uint64 if x.dtype.kind == "u" else np.int64
            s = xp.sum(x, axis=axes, keepdims=keep, dtype=acc)
            if count == 0:
                return xp.zeros(s.shape, dtype=x.dtype)
            # C-style integer division (truncation toward zero), as TF's mean reducer.
            q = xp.abs(s) // count
            return xp.where(s < 0, -q, q).astype(x.dtype)
        if x.dtype.kind == "f" and x.dtype.itemsize < 4:
            return (xp.sum(x, axis=axes, keepdims=keep, dtype=np.float32) / count).astype(
                x.dtype)
        return (xp.sum(x, axis=axes, keepdims=keep) / count).astype(x.dtype, copy=False)


def _extreme_kernel(fn, pick_lowest):
    def kernel(ctx, x, axes):
        xp = ctx.xp
        axes = _host_axes(ctx, axes, x.ndim)
        keep = ctx.attrs["keep_dims"]
        if builtins.any(x.shape[a] == 0 for a in axes):
            if x.dtype.kind == "f":
                fill = -np.inf if pick_lowest else np.inf
            elif x.dtype.kind == "b":
                fill = not pick_lowest
            else:
                info = np.iinfo(x.dtype)
                fill = info.min if pick_lowest else info.max
            return xp.full(_out_shape(x, axes, keep), fill, dtype=x.dtype)
        return getattr(xp, fn)(x, axis=axes, keepdims=keep)
    return kernel


def _reshape_to_kept_dims(t, op):
    """Reshapes a reduction's output-shaped ``t`` to the input's rank (reduced dims = 1)."""
    if op.get_attr("keep_dims"):
        return t
    x, axes = op.inputs
    norm = _static_axes(op)
    if norm is not None:
        kept = [1 if i in norm else d for i, d in enumerate(x.shape.as_list())]
        if None not in kept:
            return array_ops.reshape(t, kept)
    from tensorslim.core.ops import manip_ops
    return array_ops.reshape(t, manip_ops.reduced_shape(array_ops.shape(x), axes))


def broadcast_reduced_grad(op, grad):
    """Broadcasts the gradient of a reduction back to the input's shape."""
    from tensorslim.core.ops import manip_ops
    return manip_ops.broadcast_like(_reshape_to_kept_dims(grad, op), op.inputs[0])


def _mean_grad(op, grad):
    sum_grad = broadcast_reduced_grad(op, grad)
    x, y = op.inputs[0], op.outputs[0]
    n_in, n_out = x.shape.num_elements(), y.shape.num_elements()
    if n_in is not None and n_out is not None:
        factor = _const_like(n_in // builtins.max(n_out, 1), sum_grad)
    else:
        factor = cast(floordiv(array_ops.size(x), maximum(array_ops.size(y), 1)),
                      sum_grad.dtype.base_dtype)
    return [realdiv(sum_grad, factor), None]


def _min_max_grad(op, grad):
    x = op.inputs[0]
    y = _reshape_to_kept_dims(op.outputs[0], op)
    grad = _reshape_to_kept_dims(grad, op)
    indicators = cast(equal(y, x), grad.dtype.base_dtype)
    num_selected = _reshape_to_kept_dims(
        apply_op("Sum", [indicators, op.inputs[1]], [indicators.dtype.base_dtype],
                 attrs={"T": indicators.dtype.base_dtype, "Tidx": op.inputs[1].dtype,
                        "keep_dims": op.get_attr("keep_dims")}, name="Sum").outputs[0], op)
    return [realdiv(indicators, num_selected) * grad, None]


def _prod_grad(op, grad):
    x = op.inputs[0]
    g = broadcast_reduced_grad(op, grad)
    axes = _static_axes(op)
    if axes is None:
        y = broadcast_reduced_grad(op, op.outputs[0])
        return [realdiv(g * y, x), None]
    # prod of all other elements of the reduced block = the product of exclusive scans,
    # axis by axis (exact with zeros, unlike y / x).
    others = None
    p = x
    for a in axes:
        e = cumprod(p, a, exclusive=True) * cumprod(p, a, exclusive=True, reverse=True)
        others = e if others is None else others * e
        p = reduce_prod(p, a, keepdims=True)
    return [g if others is None else others * g, None]


register_op("Sum", make_context=_axes_context,
            shape=lambda op: reduction_axes_shape(op, op.get_attr("keep_dims")),
            kernel=_sum_kernel, grad=lambda op, grad: [broadcast_reduced_grad(op, grad), None])
register_op("Mean", make_context=_axes_context,
            shape=lambda op: reduction_axes_shape(op, op.get_attr("keep_dims")),
            kernel=_mean_kernel, grad=_mean_grad)
register_op("Max", make_context=_axes_context,
            shape=lambda op: reduction_axes_shape(op, op.get_attr("keep_dims")),
            kernel=_extreme_kernel("max", True), grad=_min_max_grad)
register_op("Min", make_context=_axes_context,
            shape=lambda op: reduction_axes_shape(op, op.get_attr("keep_dims")),
            kernel=_extreme_kernel("min", False), grad=_min_max_grad)
register_op("Prod", make_context=_axes_context,
            shape=lambda op: reduction_axes_shape(op, op.get_attr("keep_dims")),
            kernel=_prod_kernel, grad=_prod_grad)
register_op("All", make_context=_axes_context,
            shape=lambda op: reduction_axes_shape(op, op.get_attr("keep_dims")),
            kernel=reduction_kernel("all"), grad=_NO_GRAD)
register_op("Any", make_context=_axes_context,
            shape=lambda op: reduction_axes_shape(op, op.get_attr("keep_dims")),
            kernel=reduction_kernel("any"), grad=_NO_GRAD)


def resolve_axis(axis, reduction_indices, keepdims, keep_dims):
    """Merges TF1's old argument names (``reduction_indices``, ``keep_dims``) into
    ``(axis, keepdims)``.

    Raises:
      ValueError: both spellings of one argument are given.
    """
    if reduction_indices is not None:
        if axis is not None:
            raise ValueError("Can not specify both 'axis' and 'reduction_indices'.")
        axis = reduction_indices
    if keep_dims is not None:
        if keepdims is not None:
            raise ValueError("Can not specify both 'keepdims' and 'keep_dims'.")
        keepdims = keep_dims
    return axis, bool(keepdims)


_REDUCTION_TYPES = {"Sum": _SUM_TYPES, "Prod": _SUM_TYPES, "Mean": _SUM_TYPES,
                    "Max": _REAL, "Min": _REAL}


def reduction_op(op_type, input_tensor, axis, keepdims, name):
    """Builds reduction ``op_type`` over ``axis`` (all axes when None), named as TF1 does:
    the all-axes constant is ``Const``; explicit axes become ``<op>/reduction_indices``."""
    x = convert_to_tensor(input_tensor)
    if op_type in ("All", "Any"):
        _check_fixed_type(op_type, "input", x, _D.bool)
    else:
        _check_type("input", x, _REDUCTION_TYPES.get(op_type))
    axes = None
    if axis is None:
        if x.shape.ndims is not None:
            axes = array_ops.constant(np.arange(x.shape.ndims, dtype=np.int32), name="Const")
        else:
            from tensorslim.core.ops import manip_ops
            axes = manip_ops.range_(0, array_ops.rank(x))
    elif _is_tensorlike(axis):
        axes = convert_to_tensor(axis)
    with name_scope(name, op_type, [x]) as scope:
        if axes is None:
            axes = array_ops.constant(np.asarray(axis, dtype=np.int32),
                                      name="reduction_indices")
        dt = x.dtype.base_dtype
        attrs = {"Tidx": axes.dtype.base_dtype, "keep_dims": bool(keepdims)}
        if op_type not in ("All", "Any"):
            attrs["T"] = dt
        out = apply_op(op_type, [x, axes], [_D.bool if op_type in ("All", "Any") else dt],
                       attrs=attrs, name=scope).outputs[0]
    if axis is None and not keepdims and out.shape.ndims is None:
        out.set_shape([])
    return out


def _reduce_fn(op_type, doc):
    def fn(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
           keep_dims=None):
        axis, keepdims = resolve_axis(axis, reduction_indices, keepdims, keep_dims)
        return reduction_op(op_type, input_tensor, axis, keepdims, name)
    fn.__doc__ = doc + """

    Args:
      input_tensor: the tensor to reduce.
      axis: an int, a list of ints or an int tensor (all axes when None); negative axes
        count from the end.
      keepdims: keep the reduced axes with size 1 (``keep_dims`` is the old spelling).
      name: the op's name.
      reduction_indices: the old name of ``axis``.
      keep_dims: the old name of ``keepdims``.

    Raises:
      ValueError: an axis is out of range, or both spellings of an argument are given.
      TypeError: the dtype is not supported.
    """
    return fn


reduce_sum = _reduce_fn("Sum", "``tf.reduce_sum``: the sum over ``axis`` (``Sum``).")
reduce_mean = _reduce_fn(
    "Mean", "``tf.reduce_mean``: the mean over ``axis`` (``Mean``); integer inputs give the "
    "integer quotient, rounded toward zero, as TF.")
reduce_max = _reduce_fn("Max", "``tf.reduce_max``: the maximum over ``axis`` (``Max``).")
reduce_min = _reduce_fn("Min", "``tf.reduce_min``: the minimum over ``axis`` (``Min``).")
reduce_prod = _reduce_fn("Prod", "``tf.reduce_prod``: the product over ``axis`` (``Prod``).")
reduce_all = _reduce_fn("All", "``tf.reduce_all``: logical AND over ``axis`` (``All``).")
reduce_any = _reduce_fn("Any", "``tf.reduce_any``: logical OR over ``axis`` (``Any``).")
for _f, _n in ((reduce_sum, "reduce_sum"), (reduce_mean, "reduce_mean"),
               (reduce_max, "reduce_max"), (reduce_min, "reduce_min"),
               (reduce_prod, "reduce_prod"), (reduce_all, "reduce_all"),
               (reduce_any, "reduce_any")):
    _f.__name__ = _f.__qualname__ = _n
del _f, _n


def reduce_logsumexp(input_tensor, axis=None, keepdims=None, name=None,
                     reduction_indices=None, keep_dims=None):
    """``tf.reduce_logsumexp``: log(sum(exp(x))) over ``axis``, computed stably.

    The (finite) maximum is subtracted before exponentiating; all -inf gives -inf.
    Arguments as :func:`reduce_sum`.
    """
    axis, keepdims = resolve_axis(axis, reduction_indices, keepdims, keep_dims)
    with name_scope(name, "ReduceLogSumExp", [input_tensor]) as scope:
        x = convert_to_tensor(input_tensor)
        raw_max = reduce_max(x, axis, keepdims=True)
        my_max = array_ops.stop_gradient(
            where_v2(is_finite(raw_max), raw_max, array_ops.zeros_like(raw_max)))
        result = log(reduce_sum(exp(subtract(x, my_max)), axis, keepdims=keepdims))
        if not keepdims:
            if result.shape.is_fully_defined():
                my_max = array_ops.reshape(my_max, result.shape.as_list())
            else:
                my_max = array_ops.reshape(my_max, array_ops.shape(result))
        return add(result, my_max, name=scope)


def reduce_variance(input_tensor, axis=None, keepdims=False, name=None):
    """``tf.math.reduce_variance``: the (population) variance over ``axis``.

    Args:
      input_tensor: a floating tensor.
      axis: the axes to reduce (all when None).
      keepdims: keep the reduced axes with size 1.
      name: the name scope (default "reduce_variance").

    Raises:
      TypeError: the input is not floating point.
    """
    with name_scope(name, "reduce_variance", [input_tensor]):
        x = convert_to_tensor(input_tensor, name="input_tensor")
        if not x.dtype.base_dtype.is_floating:
            raise TypeError("reduce_variance needs a floating-point input, got %s"
                            % x.dtype.base_dtype.name)
        means = reduce_mean(x, axis=axis, keepdims=True)
        return reduce_mean(square(subtract(x, means)), axis=axis, keepdims=keepdims)


def reduce_std(input_tensor, axis=None, keepdims=False, name=None):
    """``tf.math.reduce_std``: the standard deviation over ``axis``; as :func:`reduce_variance`.
    """
    with name_scope(name, "reduce_std", [input_tensor]):
        return sqrt(reduce_variance(input_tensor, axis=axis, keepdims=keepdims))


def reduce_euclidean_norm(input_tensor, axis=None, keepdims=False, name=None):
    """``tf.math.reduce_euclidean_norm``: ``sqrt(sum(x ** 2))`` over ``axis``.

    Arguments as :func:`reduce_variance` (default name "reduce_euclidean_norm").
    """
    with name_scope(name, "reduce_euclidean_norm", [input_tensor]):
        x = convert_to_tensor(input_tensor, name="input_tensor")
        return sqrt(reduce_sum(square(x), axis=axis, keepdims=keepdims))


register_op("ArgMax", shape=lambda op: _arg_shape(op), grad=_NO_GRAD, make_context=_int_context,
            kernel=lambda ctx, x, d: _arg_kernel(ctx, x, d, "argmax"))
register_op("ArgMin", shape=lambda op: _arg_shape(op), grad=_NO_GRAD, make_context=_int_context,
            kernel=lambda ctx, x, d: _arg_kernel(ctx, x, d, "argmin"))


def _arg_shape(op):
    x, dim = op.inputs
    d = constant_value(dim)
    if x.shape.ndims is None:
        return [unknown_shape()]
    n = x.shape.ndims
    if d is None:
        return [unknown_shape(builtins.max(n - 1, 0))]
    d = int(np.asarray(d).reshape(-1)[0])
    if d < -n or d >= n:
        raise ValueError("Dimension (%d) must be in the range [%d, %d), where %d is the number "
                         "of dimensions in the input" % (d, -n, n, n))
    d = d + n if d < 0 else d
    dims = x.shape.as_list()
    return [TensorShape(dims[:d] + dims[d + 1:])]


def _arg_kernel(ctx, x, dim, fn):
    d = ctx.state if ctx.state is not None else int(dim)
    d = d + x.ndim if d < 0 else d
    if x.shape[d] == 0:
        raise ValueError("Reduction axis %d is empty in shape %s"
                         % (d, "[%s]" % ",".join(str(s) for s in x.shape)))
    return getattr(ctx.xp, fn)(x, axis=d).astype(ctx.attrs["output_type"].as_numpy_dtype)


def _arg_op(op_type, input, axis, name, dimension, output_type):  # noqa: A002
    if dimension is not None:
        if axis is not None:
            raise ValueError("Cannot specify both 'axis' and 'dimension'")
        axis = dimension
    if axis is None:
        axis = 0
    output_type = _D.as_dtype(output_type).base_dtype
    if output_type not in (_D.int32, _D.int64):
        raise TypeError("Value passed to parameter 'output_type' has DataType %s not in list "
                        "of allowed values: int32, int64" % output_type.name)
    with name_scope(name, op_type, [input]) as scope:
        x = convert_to_tensor(input, name="input")
        _check_type("input", x, _NUMERIC + (_D.bool,))
        d = convert_to_tensor(axis) if _is_tensorlike(axis) else \
            array_ops.constant(axis, dtype=_D.int32, name="dimension")
        return apply_op(op_type, [x, d], [output_type],
                        attrs={"T": x.dtype.base_dtype, "Tidx": d.dtype.base_dtype,
                               "output_type": output_type}, name=scope).outputs[0]


def argmax(input, axis=None, name=None, dimension=None,  # noqa: A002 - TF's name
           output_type=_D.int64):
    """``tf.argmax``: the index of the largest value along ``axis`` (default 0).

    Args:
      input: the tensor.
      axis: the dimension to reduce; ``dimension`` is its old name.
      name: the op's name (default "ArgMax").
      dimension: the old name of ``axis``.
      output_type: int64 (default) or int32.

    Raises:
      ValueError: ``axis`` is out of range, or both ``axis`` and ``dimension`` are given.
    """
    return _arg_op("ArgMax", input, axis, name, dimension, output_type)


def argmin(input, axis=None, name=None, dimension=None,  # noqa: A002 - TF's name
           output_type=_D.int64):
    """``tf.argmin``: the index of the smallest value along ``axis``; as :func:`argmax`."""
    return _arg_op("ArgMin", input, axis, name, dimension, output_type)


def count_nonzero(input_tensor=None, axis=None, keepdims=None, dtype=_D.int64, name=None,
                  reduction_indices=None, keep_dims=None, input=None):  # noqa: A002
    """``tf.count_nonzero``: the number of non-zero elements over ``axis`` (as ``dtype``).

    Arguments as :func:`reduce_sum`; ``input`` is another name of ``input_tensor``.
    """
    if input_tensor is None:
        input_tensor = input
    axis, keepdims = resolve_axis(axis, reduction_indices, keepdims, keep_dims)
    with name_scope(name, "count_nonzero", [input_tensor]):
        input_tensor = convert_to_tensor(input_tensor, name="input_tensor")
        zero = array_ops.zeros([], dtype=input_tensor.dtype.base_dtype)
        return cast(reduce_sum(cast(not_equal(input_tensor, zero), _D.int64), axis=axis,
                               keepdims=keepdims), dtype=dtype)


def norm(tensor, ord="euclidean", axis=None, keepdims=None, name=None,  # noqa: A002
         keep_dims=None):
    """``tf.norm``: vector and matrix norms.

    Args:
      tensor: the tensor.
      ord: "euclidean" (or "fro" for matrices), 1, 2, ``np.inf`` or any positive real p.
      axis: None (the whole tensor as one vector), an int (vectors), or a pair of ints
        (matrices).
      keepdims: keep the reduced axes with size 1 (``keep_dims`` is the old spelling).
      name: the name scope (default "norm").
      keep_dims: the old name of ``keepdims``.

    Raises:
      ValueError: an unsupported ``ord`` or ``axis``.
      NotImplementedError: the matrix 2-norm (it needs an SVD).
    """
    if keep_dims is not None:
        if keepdims is not None:
            raise ValueError("Cannot specify both 'keep_dims' and 'keepdims'")
        keepdims = keep_dims
    keepdims = bool(keepdims)
    is_matrix = isinstance(axis, (tuple, list)) and len(axis) == 2
    if is_matrix:
        axis = tuple(axis)
        if (not isinstance(axis[0], int) or not isinstance(axis[1], int) or
                axis[0] == axis[1]):
            raise ValueError("'axis' must be None, an integer, or a tuple of 2 unique integers, "
                             "got %s" % (axis,))
        supported = ["euclidean", "fro", 1, 2, np.inf]
        if ord not in supported:
            raise ValueError("'ord' must be a supported matrix norm in %s, got %s"
                             % (supported, ord))
    else:
        if not (isinstance(axis, int) or axis is None):
            raise ValueError("'axis' must be None, an integer, or a tuple of 2 unique integers, "
                             "got %s" % (axis,))
        supported = ["euclidean", 1, 2, np.inf]
        if ord not in supported and (isinstance(ord, str) or not np.isreal(ord) or ord <= 0):
            raise ValueError("'ord' must be a supported vector norm, got %s" % (ord,))
        if axis is not None:
            axis = (axis,)
    with name_scope(name, "norm", [tensor]):
        tensor = convert_to_tensor(tensor)
        if ord in ["fro", "euclidean", 2, 2.0]:
            if is_matrix and ord in [2, 2.0]:
                raise NotImplementedError("tf.norm: the matrix 2-norm (largest singular value) "
                                          "is not implemented in tensorslim.")
            result = sqrt(reduce_sum(tensor * _conj(tensor), axis, keepdims=True))
        else:
            result = abs(tensor)
            if ord == 1:
                result = reduce_sum(result, None if axis is None else axis[0], keepdims=True)
                if is_matrix:
                    result = reduce_max(result, axis[-1], keepdims=True)
            elif ord == np.inf:
                if is_matrix:
                    result = reduce_sum(result, axis[1], keepdims=True)
                result = reduce_max(result, None if axis is None else axis[0], keepdims=True)
            else:
                result = pow(reduce_sum(pow(result, ord), axis, keepdims=True), 1.0 / ord)
        if not keepdims:
            result = array_ops.squeeze(result, list(axis) if axis is not None else None)
        return result


# --------------------------------------------------------------------------- scans

def _scan_shape(op):
    x, axis = op.inputs
    a = constant_value(axis)
    n = x.shape.ndims
    if a is not None and n is not None:
        a = int(np.asarray(a).reshape(-1)[0])
        if a < -n or a >= n:
            raise ValueError("ScanOp: Expected scan axis in the range [%d, %d), but got %d"
                             % (-n, n, a))
    return [x.shape]


def _scan_kernel(fn, identity):
    def kernel(ctx, x, axis):
        xp = ctx.xp
        a = ctx.state if ctx.state is not None else int(axis)
        if a < -x.ndim or a >= x.ndim:
            raise ValueError("ScanOp: Expected scan axis in the range [%d, %d), but got %d"
                             % (-x.ndim, x.ndim, a))
        a = a + x.ndim if a < 0 else a
        attrs = ctx.attrs
        if attrs["reverse"]:
            x = xp.flip(x, a)
        with np.errstate(all="ignore"):
            out = getattr(xp, fn)(x, axis=a, dtype=x.dtype)
        if attrs["exclusive"]:
            head = xp.full(x.shape[:a] + (1,) + x.shape[a + 1:], identity, dtype=x.dtype)
            body = out[(slice(None),) * a + (slice(0, x.shape[a] - 1),)]
            out = xp.concatenate([head, body], axis=a)
        if attrs["reverse"]:
            out = xp.flip(out, a)
        return out
    return kernel


def _cumsum_grad(op, grad):
    return [cumsum(grad, op.inputs[1], exclusive=op.get_attr("exclusive"),
                   reverse=not op.get_attr("reverse")), None]


def _cumprod_grad(op, grad):
    x, axis = op.inputs
    exclusive, reverse = op.get_attr("exclusive"), op.get_attr("reverse")
    prod = cumprod(x, axis, exclusive=exclusive, reverse=reverse)
    out = cumsum(prod * grad, axis, exclusive=exclusive, reverse=not reverse)
    return [realdiv(out, x), None]


register_op("Cumsum", shape=_scan_shape, kernel=_scan_kernel("cumsum", 0), grad=_cumsum_grad,
            make_context=_int_context)
register_op("Cumprod", shape=_scan_shape, kernel=_scan_kernel("cumprod", 1),
            grad=_cumprod_grad, make_context=_int_context)


def _scan(op_type, x, axis, exclusive, reverse, name):
    with name_scope(name, op_type, [x]) as scope:
        x = convert_to_tensor(x, name="x")
        _check_type("x", x, _NUMERIC)
        a = convert_to_tensor(axis) if _is_tensorlike(axis) else \
            array_ops.constant(axis, dtype=_D.int32, name="axis")
        dt = x.dtype.base_dtype
        return apply_op(op_type, [x, a], [dt],
                        attrs={"T": dt, "Tidx": a.dtype.base_dtype,
                               "exclusive": bool(exclusive), "reverse": bool(reverse)},
                        name=scope).outputs[0]


def cumsum(x, axis=0, exclusive=False, reverse=False, name=None):
    """``tf.cumsum``: the running sum along ``axis``.

    Args:
      x: the tensor.
      axis: the axis to scan (an int or int tensor).
      exclusive: each output excludes its own element (the first is 0).
      reverse: scan from the end.
      name: the op's name (default "Cumsum").
    """
    return _scan("Cumsum", x, axis, exclusive, reverse, name)


def cumprod(x, axis=0, exclusive=False, reverse=False, name=None):
    """``tf.cumprod``: the running product along ``axis``; arguments as :func:`cumsum`."""
    return _scan("Cumprod", x, axis, exclusive, reverse, name)


# --------------------------------------------------------------------------- segments

def _unsorted_segment_shape(op):
    data, ids, num = op.inputs
    ds, is_ = data.shape, ids.shape
    n = constant_value(num)
    n = None if n is None else int(n)
    if ds.ndims is None or is_.ndims is None:
        return [unknown_shape()]
    prefix = ds.as_list()[:is_.ndims]
    if is_.ndims > ds.ndims or not TensorShape(prefix).is_compatible_with(is_):
        raise ValueError("data.shape = %s does not start with segment_ids.shape = %s"
                         % (_shape_str(ds), _shape_str(is_)))
    return [TensorShape([n] + ds.as_list()[is_.ndims:])]


def _scatter_sum(xp, data, ids, n):
    """Sums rows of ``data`` (leading dims = ids' shape) into ``n`` segments; negative ids
    are dropped (they go to a spare row that is cut off)."""
    ids_flat = ids.reshape(-1)
    inner = tuple(data.shape[ids.ndim:])
    flat = data.reshape((ids_flat.size,) + inner)
    idx = xp.where(ids_flat < 0, n, ids_flat)
    out = xp.zeros((n + 1,) + inner, dtype=data.dtype)
    xp.add.at(out, idx, flat)
    return out[:n]


def _unsorted_segment_sum_kernel(ctx, data, ids, num):
    xp = ctx.xp
    n = int(num)
    if ids.size:
        over = ids.reshape(-1) >= n
        if bool(xp.any(over)):
            i = int(xp.argmax(over))
            raise ValueError("segment_ids[%d] = %d is out of range [0, %d)"
                             % (i, int(ids.reshape(-1)[i]), n))
    return _scatter_sum(xp, data, ids, n)


def _gather_drop_negatives(params, ids):
    """gather(params, ids) with zero rows where ids < 0 (the gradient of segment sums)."""
    from tensorslim.core.ops import manip_ops
    gathered = manip_ops.gather(params, maximum(ids, 0))
    is_positive = greater_equal(ids, 0)
    extra = (gathered.shape.ndims or 0) - (ids.shape.ndims or 0)
    for _ in builtins.range(builtins.max(extra, 0)):
        is_positive = array_ops.expand_dims(is_positive, -1)
    return where_v2(is_positive, gathered, array_ops.zeros_like(gathered))


def _unsorted_segment_sum_grad(op, grad):
    return [_gather_drop_negatives(grad, op.inputs[1]), None, None]


register_op("UnsortedSegmentSum", shape=_unsorted_segment_shape,
            kernel=_unsorted_segment_sum_kernel, grad=_unsorted_segment_sum_grad)


def unsorted_segment_sum(data, segment_ids, num_segments, name=None):
    """``tf.unsorted_segment_sum``: sums the slices of ``data`` that share a segment id.

    ``output[i] = sum(data[j...] for j with segment_ids[j...] == i)``; ids may come in any
    order, negative ids are dropped, and segments with no id are 0.

    Args:
      data: the tensor to sum.
      segment_ids: an int tensor whose shape is a prefix of ``data``'s.
      num_segments: the number of output rows.
      name: the op's name.

    Raises:
      ValueError: ``segment_ids``'s shape is not a prefix of ``data``'s.
    """
    with name_scope(name, "UnsortedSegmentSum", [data, segment_ids, num_segments]) as scope:
        data = convert_to_tensor(data, name="data")
        _check_type("data", data, _NUMERIC)
        ids = convert_to_tensor(segment_ids) if _is_tensorlike(segment_ids) else \
            array_ops.constant(segment_ids, name="segment_ids")
        _check_type("segment_ids", ids, (_D.int32, _D.int64))
        num = convert_to_tensor(num_segments) if _is_tensorlike(num_segments) else \
            array_ops.constant(num_segments, dtype=_D.int32, name="num_segments")
        dt = data.dtype.base_dtype
        return apply_op("UnsortedSegmentSum", [data, ids, num], [dt],
                        attrs={"T": dt, "Tindices": ids.dtype.base_dtype,
                               "Tnumsegments": num.dtype.base_dtype}, name=scope).outputs[0]


def _segment_sum_shape(op):
    data, ids = op.inputs
    if ids.shape.ndims is not None and ids.shape.ndims != 1:
        raise ValueError("Shape must be rank 1 but is rank %d" % ids.shape.ndims)
    if data.shape.ndims is None:
        return [unknown_shape()]
    if data.shape.ndims == 0:
        raise ValueError("Shape must be at least rank 1 but is rank 0")
    _merge_two(TensorShape([data.shape.as_list()[0]]), ids.shape)
    return [TensorShape([None] + data.shape.as_list()[1:])]


def _segment_sum_kernel(ctx, data, ids):
    xp = ctx.xp
    if ids.shape[0] != data.shape[0]:
        raise ValueError("segment_ids should be the same size as dimension 0 of input.")
    if ids.size == 0:
        return xp.zeros((0,) + tuple(data.shape[1:]), dtype=data.dtype)
    if bool(xp.any(ids[1:] < ids[:-1])):
        raise ValueError("segment ids are not increasing")
    if int(ids[0]) < 0:
        raise ValueError("segment ids must be >= 0")
    return _scatter_sum(xp, data, ids, int(ids[-1]) + 1)


def _segment_sum_grad(op, grad):
    from tensorslim.core.ops import manip_ops
    return [manip_ops.gather(grad, op.inputs[1]), None]


register_op("SegmentSum", shape=_segment_sum_shape, kernel=_segment_sum_kernel,
            grad=_segment_sum_grad)


def segment_sum(data, segment_ids, name=None):
    """``tf.segment_sum``: sums the rows of ``data`` with equal, sorted ``segment_ids``.

    The output has ``segment_ids[-1] + 1`` rows; ids must be non-negative and increasing
    (checked when run).
    """
    with name_scope(name, "SegmentSum", [data, segment_ids]) as scope:
        data = convert_to_tensor(data, name="data")
        _check_type("data", data, _REAL)
        ids = convert_to_tensor(segment_ids) if _is_tensorlike(segment_ids) else \
            array_ops.constant(segment_ids, name="segment_ids")
        _check_type("segment_ids", ids, (_D.int32, _D.int64))
        dt = data.dtype.base_dtype
        return apply_op("SegmentSum", [data, ids], [dt],
                        attrs={"T": dt, "Tindices": ids.dtype.base_dtype},
                        name=scope).outputs[0]


# --------------------------------------------------------------------------- operators

def _binary_operator(fn, op_name, dunder):
    def forward(self, other):
        with name_scope(None, op_name, [self, other]) as scope:
            if not _is_tensorlike(other):
                try:
                    other = convert_to_tensor(other, preferred_dtype=self.dtype.base_dtype,
                                              name="y")
                except TypeError:
                    if hasattr(type(other), "__r%s__" % dunder):
                        return NotImplemented
                    raise
            return fn(self, other, name=scope)

    def reverse(self, other):
        with name_scope(None, op_name, [other, self]) as scope:
            other = convert_to_tensor(other, dtype=self.dtype.base_dtype, name="x")
            return fn(other, self, name=scope)
    forward.__name__ = "__%s__" % dunder
    reverse.__name__ = "__r%s__" % dunder
    return forward, reverse


def _compare_operator(fn):
    def op(self, other):
        return fn(self, other)
    op.__name__ = fn.__name__
    return op


def _install_operators():
    table = [("add", add, "add"), ("sub", subtract, "sub"), ("mul", multiply, "mul"),
             ("truediv", truediv, "truediv"), ("div", div, "div"),
             ("floordiv", floordiv, "floordiv"), ("mod", floormod, "mod"),
             ("pow", pow, "pow"), ("matmul", matmul, "matmul"),
             ("and", logical_and, "and"), ("or", logical_or, "or"),
             ("xor", logical_xor, "xor")]
    for dunder, fn, op_name in table:
        fwd, rev = _binary_operator(fn, op_name, dunder)
        Tensor._override_operator("__%s__" % dunder, fwd)
        Tensor._override_operator("__r%s__" % dunder, rev)
    for dunder, fn in (("lt", less), ("le", less_equal), ("gt", greater),
                       ("ge", greater_equal)):
        Tensor._override_operator("__%s__" % dunder, _compare_operator(fn))
    Tensor._override_operator("__neg__", lambda self: negative(self))
    Tensor._override_operator("__abs__", lambda self: abs(self))
    Tensor._override_operator("__invert__", lambda self: logical_not(self))


_install_operators()
