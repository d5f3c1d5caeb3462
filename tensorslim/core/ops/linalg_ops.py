"""Linear algebra ops: batched matmul (``BatchMatMulV2``), ``Einsum`` (and tensordot built on
it), matrix inverse and determinant.

Kernels are written once against ``ctx.xp``; gradients are graph ops.
"""
import numpy as np

from tensorslim.core import dtypes as _dtypes
from tensorslim.core.graph import Tensor, convert_to_tensor, name_scope
from tensorslim.core.op_util import apply_op, broadcast_shapes, check_same_dtype
from tensorslim.core.ops import array_ops
from tensorslim.core.registry import register_op
from tensorslim.core.tensor_shape import TensorShape, unknown_shape

__all__ = ["batch_matmul", "einsum", "tensordot", "matrix_inverse", "matrix_determinant",
           "matrix_transpose", "adjoint", "trace"]


def _math():
    from tensorslim.core.ops import math_ops
    return math_ops


def _dims(shape):
    return None if shape.ndims is None else shape.as_list()


def _check_dim(a, b):
    if a is not None and b is not None and a != b:
        raise ValueError("Dimensions must be equal, but are %d and %d" % (a, b))


# --------------------------------------------------------------------------- BatchMatMulV2

def _batch_matmul_shape(op):
    x, y = op.inputs
    adj_x, adj_y = op.get_attr("adj_x"), op.get_attr("adj_y")
    for t in (x, y):
        if t.shape.ndims is not None and t.shape.ndims < 2:
            raise ValueError("Shape must be at least rank 2 but is rank %d" % t.shape.ndims)
    if x.shape.ndims is None or y.shape.ndims is None:
        return [unknown_shape()]
    xd, yd = x.shape.as_list(), y.shape.as_list()
    m, kx = (xd[-1], xd[-2]) if adj_x else (xd[-2], xd[-1])
    ky, n = (yd[-1], yd[-2]) if adj_y else (yd[-2], yd[-1])
    _check_dim(kx, ky)
    batch = broadcast_shapes(TensorShape(xd[:-2]), TensorShape(yd[:-2]))
    return [batch.concatenate(TensorShape([m, n]))]


def _adjoint(xp, a):
    a = xp.swapaxes(a, -1, -2)
    return xp.conj(a) if a.dtype.kind == "c" else a


def _batch_matmul_kernel(ctx, x, y):
    xp = ctx.xp
    if ctx.attrs["adj_x"]:
        x = _adjoint(xp, x)
    if ctx.attrs["adj_y"]:
        y = _adjoint(xp, y)
    if x.shape[:-2] != y.shape[:-2]:
        try:
            np.broadcast_shapes(x.shape[:-2], y.shape[:-2])
        except ValueError:
            raise ValueError("In[0] and In[1] must have compatible batch dimensions: %s vs. %s"
                             % (list(x.shape), list(y.shape))) from None
    if x.shape[-1] != y.shape[-2]:
        raise ValueError("Matrix size-incompatible: In[0]: %s, In[1]: %s"
                         % (list(x.shape), list(y.shape)))
    return xp.matmul(x, y)


def _batch_matmul_grad(op, grad):
    x, y = op.inputs
    adj_x, adj_y = op.get_attr("adj_x"), op.get_attr("adj_y")
    bmm = batch_matmul
    if not adj_x:
        if not adj_y:
            gx, gy = bmm(grad, y, adj_y=True), bmm(x, grad, adj_x=True)
        else:
            gx, gy = bmm(grad, y), bmm(grad, x, adj_x=True)
    else:
        if not adj_y:
            gx, gy = bmm(y, grad, adj_y=True), bmm(x, grad)
        else:
            gx, gy = bmm(y, grad, adj_x=True, adj_y=True), bmm(grad, x, adj_x=True, adj_y=True)
    m = _math()
    return [m.reduce_sum_to_shape(gx, x), m.reduce_sum_to_shape(gy, y)]


register_op("BatchMatMulV2", shape=_batch_matmul_shape, kernel=_batch_matmul_kernel,
            grad=_batch_matmul_grad)


def batch_matmul(x, y, adj_x=False, adj_y=False, name=None):
    """Batched matrix product over the last two dimensions (``BatchMatMulV2``).

    The leading (batch) dimensions broadcast; ``adj_x``/``adj_y`` take the conjugate transpose
    of the last two dimensions first. ``tf.matmul`` uses this for inputs of rank > 2.

    Raises:
      ValueError: a rank below 2, the inner dimensions differ, or the batch dimensions
        cannot broadcast.
      TypeError: the dtypes differ.
    """
    with name_scope(name, "MatMul", [x, y]) as scope:
        x = convert_to_tensor(x, name="x")
        y = convert_to_tensor(y, name="y")
        check_same_dtype("BatchMatMulV2", ["x", "y"], [x, y])
        dt = x.dtype.base_dtype
        return apply_op("BatchMatMulV2", [x, y], [dt],
                        attrs={"T": dt, "adj_x": bool(adj_x), "adj_y": bool(adj_y)},
                        name=scope).outputs[0]


# --------------------------------------------------------------------------- Einsum
# Subscripts are handled with "..." replaced by the single token "." internally.

def _parse_equation(equation, n_inputs):
    """Returns ``(input_subscripts, output_subscripts)`` with "..." as "."."""
    eq = equation.replace(" ", "")
    if eq.count("->") > 1:
        raise ValueError("Subscripts have more than one '->': %s" % equation)
    lhs, arrow, out = eq.partition("->")
    ins = [s.replace("...", ".") for s in lhs.split(",")]
    if len(ins) != n_inputs:
        raise ValueError("Expecting %d inputs to einsum but equation '%s' has %d"
                         % (n_inputs, equation, len(ins)))
    for s in ins + [out.replace("...", ".")]:
        body = s.replace(".", "")
        if s.count(".") > 1 or not all(c.isalpha() for c in body):
            raise ValueError("Invalid einsum subscripts '%s' in equation '%s'"
                             % (s.replace(".", "..."), equation))
    if arrow:
        out = out.replace("...", ".")
    else:
        letters = "".join(ins).replace(".", "")
        once = sorted(c for c in set(letters) if letters.count(c) == 1)
        out = ("." if any("." in s for s in ins) else "") + "".join(once)
    for c in out:
        if c != "." and out.count(c) > 1:
            raise ValueError("Output subscript '%s' appears more than once in '%s'"
                             % (c, equation))
        if c != "." and not any(c in s for s in ins):
            raise ValueError("Output subscript '%s' does not appear in the inputs of '%s'"
                             % (c, equation))
    if "." in out and not any("." in s for s in ins):
        raise ValueError("Output has an ellipsis but no input does: '%s'" % equation)
    return ins, out


def _canonical(ins, out):
    return ",".join(ins).replace(".", "...") + "->" + out.replace(".", "...")


def _einsum_shape(op):
    ins, out = _parse_equation(op.get_attr("equation"), len(op.inputs))
    sizes = {}
    ell = TensorShape([])
    for sub, t in zip(ins, op.inputs):
        dims = _dims(t.shape)
        if dims is None:
            if "." in sub:
                ell = None if ell is None else unknown_shape()
            continue
        n_letters = len(sub.replace(".", ""))
        if "." not in sub and len(dims) != n_letters:
            raise ValueError("Expected %d subscripts for an input of rank %d in einsum '%s'"
                             % (n_letters, len(dims), op.get_attr("equation")))
        if "." in sub and len(dims) < n_letters:
            raise ValueError("Input of rank %d has too few dimensions for subscripts '%s'"
                             % (len(dims), sub.replace(".", "...")))
        pos = sub.index(".") if "." in sub else len(sub)
        n_ell = len(dims) - n_letters
        head = dims[:pos]
        tail = dims[pos + n_ell:]
        if "." in sub and ell is not None:
            ell = broadcast_shapes(ell, TensorShape(dims[pos:pos + n_ell])) \
                if ell.ndims is not None else ell
        letters = sub.replace(".", "")
        for c, d in zip(letters, head + tail):
            if d is None:
                continue
            if sizes.get(c) is None:
                sizes[c] = d
            else:
                _check_dim(sizes[c], d)
    if ell is None or (ell.ndims is None and "." in out):
        return [unknown_shape()]
    result = []
    for c in out:
        if c == ".":
            result.extend(ell.as_list())
        else:
            result.append(sizes.get(c))
    return [TensorShape(result)]


def _einsum_kernel(ctx, *inputs):
    return ctx.xp.einsum(ctx.attrs["equation"], *inputs, optimize=len(inputs) > 1)


def _einsum_grad(op, grad):
    equation = op.get_attr("equation")
    ins, out = _parse_equation(equation, len(op.inputs))
    m = _math()
    grads = []
    for k, x in enumerate(op.inputs):
        sub = ins[k]
        others = [s for j, s in enumerate(ins) if j != k]
        other_tensors = [t for j, t in enumerate(op.inputs) if j != k]
        letters = sub.replace(".", "")
        if len(set(letters)) != len(letters):
            raise NotImplementedError(
                "The gradient of einsum '%s' with a repeated subscript in one input is not "
                "implemented." % equation)
        if "." in sub and "." not in out:
            raise NotImplementedError(
                "The gradient of einsum '%s', which sums over the ellipsis, is not "
                "implemented." % equation)
        avail = set(out) | set("".join(others))
        kept = "".join(c for c in sub if c in avail)
        g = _einsum_op(_canonical([out] + others, kept), [grad] + other_tensors, "Einsum")
        if kept != sub:
            # letters summed inside x alone: broadcast back over them with ones shaped like x
            g = _einsum_op(_canonical([kept, sub], sub),
                           [g, array_ops.ones_like(x)], "Einsum")
        if "." in sub:
            g = m.reduce_sum_to_shape(g, x)
        grads.append(g)
    return grads


register_op("Einsum", shape=_einsum_shape, kernel=_einsum_kernel, grad=_einsum_grad)


def _einsum_op(equation, inputs, name):
    dt = inputs[0].dtype.base_dtype
    return apply_op("Einsum", inputs, [dt],
                    attrs={"equation": equation, "N": len(inputs), "T": dt},
                    name=name).outputs[0]


def einsum(equation, *inputs, **kwargs):
    """``tf.einsum``: a tensor contraction written in Einstein summation notation.

    Supports numpy's notation: explicit (``"ij,jk->ik"``) or implicit (``"ij,jk"``) output,
    ``...`` for broadcast batch dimensions, traces and diagonals. Gradients are available for
    subscripts that do not repeat within one input.

    Args:
      equation: the subscripts.
      *inputs: the tensors, one per comma-separated term.
      **kwargs: ``name`` only.

    Raises:
      ValueError: malformed subscripts, or dimensions that disagree.
      TypeError: an unknown keyword, or inputs of different dtypes.
    """
    name = kwargs.pop("name", None)
    if kwargs:
        raise TypeError("invalid keyword arguments for this function: %s"
                        % ", ".join(sorted(kwargs)))
    with name_scope(name, "einsum", list(inputs)):
        tensors = [convert_to_tensor(t) for t in inputs]
        if not tensors:
            raise ValueError("einsum needs at least one input")
        dts = [t.dtype.base_dtype for t in tensors]
        if any(d != dts[0] for d in dts):
            raise TypeError("Tensors in list passed to 'inputs' of 'Einsum' Op have types [%s] "
                            "that don't all match." % ", ".join(d.name for d in dts))
        ins, out = _parse_equation(equation, len(tensors))
        return _einsum_op(_canonical(ins, out), tensors, "Einsum")


# --------------------------------------------------------------------------- tensordot

def _tensordot_axes(axes, rank_a, a):
    if isinstance(axes, Tensor):
        from tensorslim.core.op_util import constant_value
        value = constant_value(axes)
        if value is None:
            raise ValueError("tensordot needs 'axes' known at graph-construction time")
        axes = value.tolist()
    if isinstance(axes, (int, np.integer)):
        axes = int(axes)
        if axes < 0:
            raise ValueError("'axes' must be at least 0.")
        if axes > rank_a:
            raise ValueError("'axes' must not be larger than the number of dimensions of "
                             "tensor %s." % (a,))
        return list(range(rank_a - axes, rank_a)), list(range(axes))
    if not isinstance(axes, (list, tuple)) or len(axes) != 2:
        raise ValueError("'axes' must be an integer or have length 2.")
    a_axes, b_axes = axes
    a_axes = [int(a_axes)] if isinstance(a_axes, (int, np.integer)) else [int(i) for i in a_axes]
    b_axes = [int(b_axes)] if isinstance(b_axes, (int, np.integer)) else [int(i) for i in b_axes]
    if len(a_axes) != len(b_axes):
        raise ValueError("Different number of contraction axes 'a' and 'b', %s != %s."
                         % (len(a_axes), len(b_axes)))
    return a_axes, b_axes


def tensordot(a, b, axes, name=None):
    """``tf.tensordot``: sums the products of ``a`` and ``b`` over the given axes.

    Args:
      a, b: tensors of one dtype, with known ranks.
      axes: an int N (the last N axes of ``a`` with the first N of ``b``), or a pair of
        axis lists ``[a_axes, b_axes]`` of equal length.
      name: the name scope (default "Tensordot").

    Returns:
      A tensor with ``a``'s free axes followed by ``b``'s.

    Raises:
      ValueError: bad ``axes``, unknown ranks, or contracted dimensions that differ.
    """
    with name_scope(name, "Tensordot", [a, b]) as scope:
        a = convert_to_tensor(a, name="a")
        b = convert_to_tensor(b, name="b")
        check_same_dtype("Einsum", ["a", "b"], [a, b])
        ra, rb = a.shape.ndims, b.shape.ndims
        if ra is None or rb is None:
            raise ValueError("tensordot needs inputs of known rank, got %s and %s"
                             % (a.shape, b.shape))
        a_axes, b_axes = _tensordot_axes(axes, ra, a)
        for ax, r, t in ((a_axes, ra, a), (b_axes, rb, b)):
            for i in ax:
                if i < -r or i >= r:
                    raise ValueError("axis %d is out of range for %s of rank %d" % (i, t.name, r))
        a_axes = [i + ra if i < 0 else i for i in a_axes]
        b_axes = [i + rb if i < 0 else i for i in b_axes]
        letters = iter("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        sub_a = [next(letters) for _ in range(ra)]
        sub_b = [next(letters) for _ in range(rb)]
        for i, j in zip(a_axes, b_axes):
            sub_b[j] = sub_a[i]
        out = [c for i, c in enumerate(sub_a) if i not in a_axes] + \
              [c for j, c in enumerate(sub_b) if j not in b_axes]
        equation = "%s,%s->%s" % ("".join(sub_a), "".join(sub_b), "".join(out))
        return _einsum_op(equation, [a, b], scope)


# --------------------------------------------------------------------------- matrices

def _square_shape(op):
    s = op.inputs[0].shape
    if s.ndims is None:
        return None
    if s.ndims < 2:
        raise ValueError("Shape must be at least rank 2 but is rank %d" % s.ndims)
    d = s.as_list()
    _check_dim(d[-2], d[-1])
    return d


def _inverse_shape(op):
    d = _square_shape(op)
    return [unknown_shape() if d is None else TensorShape(d)]


def _inverse_kernel(ctx, x):
    xp = ctx.xp
    if ctx.attrs["adjoint"]:
        x = _adjoint(xp, x)
    try:
        return xp.linalg.inv(x)
    except ValueError:
        raise ValueError("Input is not invertible.") from None


def _inverse_grad(op, grad):
    ainv = op.outputs[0]
    if op.get_attr("adjoint"):
        return [_math().negative(batch_matmul(ainv, batch_matmul(grad, ainv, adj_x=True)))]
    return [_math().negative(batch_matmul(ainv, batch_matmul(grad, ainv, adj_y=True),
                                          adj_x=True))]


register_op("MatrixInverse", shape=_inverse_shape, kernel=_inverse_kernel, grad=_inverse_grad)

_LINALG_TYPES = (_dtypes.float16, _dtypes.float32, _dtypes.float64, _dtypes.complex64,
                 _dtypes.complex128)


def matrix_inverse(input, adjoint=False, name=None):  # noqa: A002 - TF's name
    """``tf.matrix_inverse``: the inverse of each square matrix in the last two dimensions.

    Raises:
      ValueError: the matrices are not square (here) or not invertible (when run).
    """
    with name_scope(name, "MatrixInverse", [input]) as scope:
        x = convert_to_tensor(input, name="input")
        _math()._check_type("input", x, _LINALG_TYPES)
        dt = x.dtype.base_dtype
        return apply_op("MatrixInverse", [x], [dt], attrs={"T": dt, "adjoint": bool(adjoint)},
                        name=scope).outputs[0]


def _det_shape(op):
    d = _square_shape(op)
    return [unknown_shape() if d is None else TensorShape(d[:-2])]


def _det_kernel(ctx, x):
    with np.errstate(all="ignore"):
        out = ctx.xp.linalg.det(x)
    return out.astype(x.dtype, copy=False) if hasattr(out, "astype") else out


def _det_grad(op, grad):
    a, c = op.inputs[0], op.outputs[0]
    a_adj_inv = matrix_inverse(a, adjoint=True)
    g = grad * c
    g = array_ops.expand_dims(array_ops.expand_dims(g, -1), -1)
    return [g * a_adj_inv]


register_op("MatrixDeterminant", shape=_det_shape, kernel=_det_kernel, grad=_det_grad)


def matrix_determinant(input, name=None):  # noqa: A002 - TF's name
    """``tf.matrix_determinant``: the determinant of each square matrix in the last two
    dimensions."""
    with name_scope(name, "MatrixDeterminant", [input]) as scope:
        x = convert_to_tensor(input, name="input")
        _math()._check_type("input", x, _LINALG_TYPES)
        dt = x.dtype.base_dtype
        return apply_op("MatrixDeterminant", [x], [dt], attrs={"T": dt},
                        name=scope).outputs[0]


# --------------------------------------------------------------------------- compositions

def matrix_transpose(a, name="matrix_transpose", conjugate=False):
    """``tf.matrix_transpose`` / ``tf.linalg.transpose``: swaps the last two dimensions.

    Args:
      a: a Tensor of rank >= 2 (a batch of matrices).
      name: the name scope.
      conjugate: also conjugate complex values (the adjoint).

    Returns:
      A ``Transpose`` of ``a`` with its last two dimensions swapped.

    Raises:
      ValueError: the static rank of ``a`` is below 2.
    """
    from tensorslim.core.ops import manip_ops
    with name_scope(name, "matrix_transpose", [a]):
        a = convert_to_tensor(a, name="a")
        ndims = a.shape.ndims
        if ndims is not None:
            if ndims < 2:
                raise ValueError("Argument 'a' should be a (batch) matrix, with rank >= 2.  "
                                 "Found: %s" % a.shape)
            perm = list(range(ndims - 2)) + [ndims - 1, ndims - 2]
        else:
            rank = array_ops.rank(a)
            perm = array_ops.concat([manip_ops.range_(rank - 2), [rank - 1, rank - 2]], 0)
        return manip_ops.transpose(a, perm, conjugate=conjugate)


def adjoint(matrix, name=None):
    """``tf.linalg.adjoint``: the conjugate transpose of the last two dimensions."""
    with name_scope(name, "adjoint", [matrix]):
        return matrix_transpose(matrix, conjugate=True)


def trace(x, name=None):
    """``tf.trace`` / ``tf.linalg.trace``: the sum of each matrix's main diagonal.

    Args:
      x: a Tensor of rank >= 2.
      name: the op's name (default "Trace").

    Returns:
      A Tensor of rank ``rank(x) - 2``.
    """
    with name_scope(name, "Trace", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        return _math().reduce_sum(array_ops.matrix_diag_part(x), [-1], name=scope)
