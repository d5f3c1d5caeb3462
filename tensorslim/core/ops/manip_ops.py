"""Array manipulation ops: ranges, broadcasting, splitting, slicing (``tensor[...]``),
gathering and scattering, tiling, transposing, reversing, padding, masks, unique values and
clipping.

As in :mod:`array_ops`, user functions build nodes the way TF1's op wrappers do (name scope
named after the op, Python arguments converted to Consts named after the input).
"""
import builtins
import sys

import numpy as np

from tensorslim.core import dtypes as _dtypes
from tensorslim.core.graph import Tensor, colocate_with, convert_to_tensor, name_scope
from tensorslim.core.op_util import (apply_op, broadcast_shapes, constant_value,
                                     shape_from_shape_tensor)
from tensorslim.core.ops import array_ops
from tensorslim.core.ops.array_ops import check_dtype, int_list, shape_string, _index_input
from tensorslim.core.registry import not_differentiable_marker, register_op
from tensorslim.core.tensor_shape import TensorShape, unknown_shape

__all__ = ["broadcast_to", "broadcast_like", "reduced_shape", "range_", "linspace",
           "lin_space", "split", "slice", "strided_slice", "strided_slice_grad", "gather",
           "gather_nd", "scatter_nd", "tile", "transpose", "invert_permutation", "reverse",
           "reverse_v2", "pad", "mirror_pad_grad", "boolean_mask", "sequence_mask", "meshgrid",
           "unique", "unique_with_counts", "clip_by_value", "clip_by_norm", "global_norm",
           "clip_by_global_norm", "dynamic_stitch"]

_NO_GRAD = not_differentiable_marker()
_INDEX_DTYPES = (_dtypes.int32, _dtypes.int64)
builtin_slice = builtins.slice  # this module defines ``slice`` (tf.slice)


def _math():
    from tensorslim.core.ops import math_ops
    return math_ops


def _partial_values(t):
    """The statically known entries of a 1-D int tensor (None where unknown), or None."""
    v = constant_value(t)
    if v is not None:
        return [int(x) for x in np.asarray(v).reshape(-1)]
    if t.op.type == "Pack" and t.shape.ndims == 1:
        out = []
        for i in t.op.inputs:
            c = constant_value(i)
            out.append(None if c is None else int(c))
        return out
    if t.shape.ndims == 1 and t.shape[0].value is not None:
        return [None] * t.shape[0].value
    return None


def _require_rank(shape, n, what=None):
    if shape.ndims is not None and shape.ndims != n:
        raise ValueError("Shape must be rank %d but is rank %d%s"
                         % (n, shape.ndims, "" if what is None else " for %s" % what))


# --------------------------------------------------------------------------- broadcast_to

def _broadcast_to_shape(op):
    target = shape_from_shape_tensor(op.inputs[1])
    if target.ndims is None:
        return [target]
    x = op.inputs[0].shape
    if x.ndims is not None and x.ndims > target.ndims:
        raise ValueError("Rank of input (%d) must be no greater than rank of output shape "
                         "(%d)." % (x.ndims, target.ndims))
    try:
        broadcast_shapes(x, target)
    except ValueError:
        raise ValueError("Incompatible shapes: %s vs. %s" % (shape_string(x),
                                                             shape_string(target))) from None
    return [target]


def _broadcast_to_kernel(ctx, x, shape):
    dims = tuple(int_list(shape))
    try:
        return ctx.xp.broadcast_to(x, dims)
    except ValueError:
        raise ValueError("Unable to broadcast tensor of shape %s to tensor of shape %s"
                         % (shape_string(x.shape), shape_string(dims))) from None


def _broadcast_to_grad(op, grad):
    return [_math().reduce_sum_to_shape(grad, op.inputs[0]), None]


register_op("BroadcastTo", shape=_broadcast_to_shape, kernel=_broadcast_to_kernel,
            grad=_broadcast_to_grad)


def broadcast_to(input, shape, name=None):  # noqa: A002
    """``tf.broadcast_to``: ``input`` broadcast to ``shape`` (numpy rules).

    Raises:
      ValueError: the shapes are incompatible (statically).
    """
    with name_scope(name, "BroadcastTo", [input, shape]) as scope:
        input = convert_to_tensor(input, name="input")
        s = array_ops._shape_tensor(shape, "shape")
        return apply_op("BroadcastTo", [input, s], [input.dtype.base_dtype],
                        attrs={"T": input.dtype.base_dtype, "Tidx": s.dtype.base_dtype},
                        name=scope).outputs[0]


def broadcast_like(x, like):
    """``x`` broadcast to the (dynamic) shape of ``like``."""
    if like.shape.is_fully_defined():
        if x.shape.is_fully_defined() and x.shape.as_list() == like.shape.as_list():
            return x
        return broadcast_to(x, like.shape.as_list())
    return broadcast_to(x, array_ops.shape(like))


# --------------------------------------------------------------------------- dynamic_stitch

def _dynamic_stitch_kernel(ctx, *args):
    n = len(args) // 2
    indices, data = args[:n], args[n:]
    xp = ctx.xp
    size = max((int(i.max()) + 1 for i in indices if i.size), default=0)
    first = data[0]
    inner = first.shape[indices[0].ndim:]
    out = xp.zeros((size,) + tuple(inner), dtype=first.dtype)
    for idx, d in zip(indices, data):
        out[idx.reshape(-1)] = d.reshape((-1,) + tuple(inner))
    return out


def _dynamic_stitch_shape(op):
    n = len(op.inputs) // 2
    inner = op.inputs[n].shape[op.inputs[0].shape.ndims or 0:] \
        if op.inputs[0].shape.ndims is not None else unknown_shape()
    return [TensorShape([None]).concatenate(inner)]


def _dynamic_stitch_grad(op, grad):
    n = len(op.inputs) // 2
    indices = op.inputs[:n]
    return [None] * n + [gather(grad, i) for i in indices]


register_op("DynamicStitch", shape=_dynamic_stitch_shape, kernel=_dynamic_stitch_kernel,
            grad=_dynamic_stitch_grad)


def dynamic_stitch(indices, data, name=None):
    """``tf.dynamic_stitch``: interleaves ``data`` into one tensor at ``indices``."""
    with name_scope(name, "DynamicStitch", list(indices) + list(data)) as scope:
        indices = [convert_to_tensor(v, dtype=_dtypes.int32, name="indices_%d" % i)
                   for i, v in enumerate(indices)]
        data = array_ops._convert_list(list(data), "data", "DynamicStitch")
        dt = data[0].dtype.base_dtype
        return apply_op("DynamicStitch", indices + data, [dt],
                        attrs={"N": len(indices), "T": dt}, name=scope).outputs[0]


def reduced_shape(input_shape, axes):
    """The shape ``input_shape`` with the dims in ``axes`` set to 1, as graph ops (TF's way:
    DynamicStitch of ``range(rank)`` and ``axes``)."""
    math_ops = _math()
    input_shape = math_ops.cast(input_shape, _dtypes.int32)
    axes = math_ops.cast(convert_to_tensor(axes), _dtypes.int32)
    n = array_ops.size(input_shape)
    axes = math_ops.floormod(axes + n, n)
    ones = array_ops.fill(array_ops.shape(axes), 1)
    return dynamic_stitch([range_(n), axes], [input_shape, ones])


# --------------------------------------------------------------------------- range, linspace

def _range_size(start, limit, delta):
    if delta == 0:
        raise ValueError("Requires delta != 0")
    if delta > 0 and start > limit:
        raise ValueError("Requires start <= limit when delta > 0: %s/%s" % (start, limit))
    if delta < 0 and start < limit:
        raise ValueError("Requires start >= limit when delta < 0: %s/%s" % (start, limit))
    if isinstance(start, int) and isinstance(limit, int) and isinstance(delta, int):
        return (abs(limit - start) + abs(delta) - 1) // abs(delta)
    return int(np.ceil(abs((limit - start) / delta)))


def _range_shape(op):
    vals = [constant_value(t) for t in op.inputs]
    for t in op.inputs:
        _require_rank(t.shape, 0)
    if any(v is None for v in vals):
        return [TensorShape([None])]
    return [TensorShape([_range_size(*(v.item() for v in map(np.asarray, vals)))])]


def _range_kernel(ctx, start, limit, delta):
    dt = ctx.attrs["Tidx"].as_numpy_dtype
    start, limit, delta = start.item(), limit.item(), delta.item()
    n = _range_size(start, limit, delta)
    return ctx.xp.arange(n, dtype=dt) * dt(delta) + dt(start)


register_op("Range", shape=_range_shape, kernel=_range_kernel, grad=_NO_GRAD)


_RANGE_DTYPES = [_dtypes.int32, _dtypes.int64, _dtypes.float32, _dtypes.float64]


def range_(start, limit=None, delta=1, dtype=None, name="range"):
    """``tf.range``: a 1-D sequence from ``start`` up to (not including) ``limit``.

    Args:
      start: the first value (or the limit, when ``limit`` is None).
      limit: the bound, excluded.
      delta: the step (non-zero).
      dtype: the output dtype; by default the widest of the arguments'
        (int32 < int64 < float32 < float64).
      name: the op's name.

    Raises:
      ValueError: ``delta`` is 0 or points away from ``limit`` (statically).
    """
    if limit is None:
        start, limit = 0, start
    with name_scope(name, "Range", [start, limit, delta]) as scope:
        start = convert_to_tensor(start, dtype=dtype, name="start")
        limit = convert_to_tensor(limit, dtype=dtype, name="limit")
        delta = convert_to_tensor(delta, dtype=dtype, name="delta")
        if dtype is None:
            args = [start, limit, delta]
            for a in args:
                if a.dtype.base_dtype not in _RANGE_DTYPES:
                    raise TypeError("Value passed to parameter 'start' has DataType %s not in "
                                    "list of allowed values: %s" % (
                                        a.dtype.base_dtype.name,
                                        ", ".join(d.name for d in _RANGE_DTYPES)))
            inferred = max((a.dtype.base_dtype for a in args), key=_RANGE_DTYPES.index)
            start, limit, delta = (_math().cast(a, inferred) for a in args)
        return _range_op(start, limit, delta, scope)


def _range_op(start, limit, delta, name):
    dt = start.dtype.base_dtype
    return apply_op("Range", [start, limit, delta], [dt], attrs={"Tidx": dt},
                    name=name).outputs[0]


def _linspace_shape(op):
    for t in op.inputs:
        _require_rank(t.shape, 0)
    n = constant_value(op.inputs[2])
    if n is None:
        return [TensorShape([None])]
    if int(n) <= 0:
        raise ValueError("Requires num > 0: %d" % int(n))
    return [TensorShape([int(n)])]


def _linspace_kernel(ctx, start, stop, num):
    num = int(num)
    if num <= 0:
        raise ValueError("Requires num > 0: %d" % num)
    return ctx.xp.linspace(start.item(), stop.item(), num, dtype=ctx.attrs["T"].as_numpy_dtype)


register_op("LinSpace", shape=_linspace_shape, kernel=_linspace_kernel, grad=_NO_GRAD)


def linspace(start, stop, num, name=None):
    """``tf.linspace`` / ``tf.lin_space``: ``num`` evenly spaced values from ``start`` to
    ``stop`` (both included).

    Raises:
      TypeError: ``start``/``stop`` are not floating point (TF1's LinSpace op).
    """
    with name_scope(name, "LinSpace", [start, stop, num]) as scope:
        start = convert_to_tensor(start, name="start")
        check_dtype("LinSpace", "start", start, (_dtypes.float32, _dtypes.float64))
        stop = convert_to_tensor(stop, dtype=start.dtype.base_dtype, name="stop")
        num = _index_input(num, "num", "LinSpace")
        dt = start.dtype.base_dtype
        return apply_op("LinSpace", [start, stop, num], [dt],
                        attrs={"T": dt, "Tidx": num.dtype.base_dtype}, name=scope).outputs[0]


lin_space = linspace


# --------------------------------------------------------------------------- split

def _static_split_axis(split_dim, shape):
    """The non-negative split axis into ``shape``, or None if it or the rank is unknown."""
    axis = constant_value(split_dim)
    if axis is None or shape.ndims is None:
        return None
    axis = int(axis)
    r = shape.ndims
    if axis < -r or axis >= r:
        raise ValueError("Shape must be at least rank %d but is rank %d"
                         % (axis + 1 if axis >= 0 else -axis, r))
    return axis + r if axis < 0 else axis


def _split_shape(op):
    split_dim, value = op.inputs
    n = op.get_attr("num_split")
    _require_rank(split_dim.shape, 0)
    s = value.shape
    a = _static_split_axis(split_dim, s)
    if a is None:
        return [unknown_shape(s.ndims) for _ in range(n)]
    dims = s.as_list()
    if dims[a] is not None:
        if dims[a] % n:
            raise ValueError("Dimension size must be evenly divisible by %d but is %d\n\t"
                             "Number of ways to split should evenly divide the split "
                             "dimension" % (n, dims[a]))
        dims[a] //= n
    return [TensorShape(dims) for _ in range(n)]


def _runtime_split_axis(split_dim, value):
    """The non-negative split axis into the array ``value``."""
    axis = int(split_dim)
    r = value.ndim
    if axis < -r or axis >= r:
        raise ValueError("-input rank(-%d) <= split_dim < input rank (%d), but got %d"
                         % (r, r, axis))
    return axis + r if axis < 0 else axis


def _split_kernel(ctx, split_dim, value):
    n = ctx.attrs["num_split"]
    a = _runtime_split_axis(split_dim, value)
    if value.shape[a] % n:
        raise ValueError("Number of ways to split should evenly divide the split dimension, "
                         "but got split_dim %d (size = %d) and num_split %d"
                         % (a, value.shape[a], n))
    return tuple(ctx.xp.split(value, n, axis=a))


def _split_grad(op, *grads):
    return [None, array_ops.concat(list(grads), op.inputs[0])]


register_op("Split", shape=_split_shape, kernel=_split_kernel, grad=_split_grad)


def _resolve_sizes(sizes, total):
    if sizes.count(-1) > 1:
        raise ValueError("size_splits can only have one -1")
    known = sum(s for s in sizes if s != -1)
    if -1 in sizes:
        if known > total:
            raise ValueError("can't split axis of size %d into pieces of size %s"
                             % (total, shape_string(sizes)))
        sizes = [total - known if s == -1 else s for s in sizes]
    elif known != total:
        raise ValueError("can't split axis of size %d into pieces of size %s"
                         % (total, shape_string(sizes)))
    return sizes


def _split_v_shape(op):
    value, size_splits, split_dim = op.inputs
    n = op.get_attr("num_split")
    _require_rank(split_dim.shape, 0)
    sizes = _partial_values(size_splits)
    s = value.shape
    a = _static_split_axis(split_dim, s)
    if a is None:
        return [unknown_shape(s.ndims) for _ in range(n)]
    dims = s.as_list()
    if sizes is None or len(sizes) != n:
        if sizes is not None:
            raise ValueError("Shape must be rank %d but is rank %d" % (n, len(sizes)))
        return [TensorShape(dims[:a] + [None] + dims[a + 1:]) for _ in range(n)]
    if None not in sizes and any(v < -1 for v in sizes):
        raise ValueError("size_splits must be non-negative or -1, got %s"
                         % shape_string(sizes))
    if dims[a] is not None and None not in sizes:
        sizes = _resolve_sizes(sizes, dims[a])
    else:
        sizes = [None if v is None or v == -1 else v for v in sizes]
    return [TensorShape(dims[:a] + [v] + dims[a + 1:]) for v in sizes]


def _split_v_kernel(ctx, value, size_splits, split_dim):
    a = _runtime_split_axis(split_dim, value)
    sizes = _resolve_sizes(int_list(size_splits), value.shape[a])
    if len(sizes) != ctx.attrs["num_split"]:
        raise ValueError("size_splits has %d entries but num_split is %d"
                         % (len(sizes), ctx.attrs["num_split"]))
    return tuple(ctx.xp.split(value, [int(c) for c in np.cumsum(sizes[:-1])], axis=a))


def _split_v_grad(op, *grads):
    return [array_ops.concat(list(grads), op.inputs[2]), None, None]


register_op("SplitV", shape=_split_v_shape, kernel=_split_v_kernel, grad=_split_v_grad)


def split(value, num_or_size_splits, axis=0, num=None, name="split"):
    """``tf.split``: splits ``value`` along ``axis`` into equal parts or parts of given sizes.

    Args:
      value: the tensor to split.
      num_or_size_splits: an int (the number of equal parts: a Split op) or a 1-D list or
        tensor of sizes, one of which may be -1 (a SplitV op).
      axis: the dimension to split.
      num: the number of outputs, when it cannot be inferred from ``num_or_size_splits``.
      name: the op's name.

    Returns:
      A list of tensors.

    Raises:
      ValueError: the sizes cannot fit the dimension (statically) or ``num`` is unknown.
    """
    if isinstance(num_or_size_splits, (int, np.integer)) and \
            not isinstance(num_or_size_splits, bool):
        with name_scope(name, "Split", [value, axis]) as scope:
            split_dim = _index_input(axis, "split_dim", "Split", dtype=_dtypes.int32)
            value = convert_to_tensor(value, name="value")
            n = int(num_or_size_splits)
            dt = value.dtype.base_dtype
            return apply_op("Split", [split_dim, value], [dt] * n,
                            attrs={"T": dt, "num_split": n}, name=scope).outputs
    size_splits = convert_to_tensor(num_or_size_splits)
    if num is None:
        if size_splits.shape.ndims == 1:
            num = size_splits.shape[0].value
        if num is None:
            raise ValueError("Cannot infer num from shape %s" % (num_or_size_splits,))
    with name_scope(name, "SplitV", [value, size_splits, axis]) as scope:
        value = convert_to_tensor(value, name="value")
        check_dtype("SplitV", "size_splits", size_splits, _INDEX_DTYPES)
        split_dim = _index_input(axis, "split_dim", "SplitV", dtype=_dtypes.int32)
        dt = value.dtype.base_dtype
        return apply_op("SplitV", [value, size_splits, split_dim], [dt] * int(num),
                        attrs={"T": dt, "Tlen": size_splits.dtype.base_dtype,
                               "num_split": int(num)}, name=scope).outputs


# --------------------------------------------------------------------------- Slice

def _slice_check(begin, size, dims):
    for i, (b, s, d) in enumerate(zip(begin, size, dims)):
        if b is None or d is None:
            continue
        if b < 0 or b > d:
            raise ValueError("Expected begin[%d] in [0, %d], but got %d" % (i, d, b))
        if s is not None and s != -1 and (s < 0 or b + s > d):
            raise ValueError("Expected size[%d] in [0, %d], but got %d" % (i, d - b, s))


def _slice_shape(op):
    x, begin, size_t = op.inputs
    _require_rank(begin.shape, 1)
    _require_rank(size_t.shape, 1)
    b = _partial_values(begin)
    s = _partial_values(size_t)
    n = x.shape.ndims
    blen = begin.shape[0].value if begin.shape.ndims == 1 else None
    slen = size_t.shape[0].value if size_t.shape.ndims == 1 else None
    for length in (blen, slen):
        if n is not None and length is not None and length != n:
            raise ValueError("Expected begin and size arguments to be 1-D tensors of size %d, "
                             "but got shapes %s and %s instead."
                             % (n, shape_string(begin.shape), shape_string(size_t.shape)))
    if n is None:
        n = blen if blen is not None else slen
    if n is None:
        return [unknown_shape()]
    dims = x.shape.as_list() if x.shape.ndims is not None else [None] * n
    b = b or [None] * n
    s = s or [None] * n
    _slice_check(b, s, dims)
    out = []
    for bi, si, d in zip(b, s, dims):
        if si is not None and si != -1:
            out.append(si)
        elif si == -1 and bi is not None and d is not None:
            out.append(d - bi)
        else:
            out.append(None)
    return [TensorShape(out)]


def _slice_kernel(ctx, x, begin, size_t):
    b, s = int_list(begin), int_list(size_t)
    if len(b) != x.ndim or len(s) != x.ndim:
        raise ValueError("Expected begin and size arguments to be 1-D tensors of size %d, but "
                         "got shapes [%d] and [%d] instead." % (x.ndim, len(b), len(s)))
    _slice_check(b, s, x.shape)
    return x[tuple(builtin_slice(bi, x.shape[i] if si == -1 else bi + si)
                   for i, (bi, si) in enumerate(zip(b, s)))]


def _slice_grad(op, grad):
    x, begin = op.inputs[0], op.inputs[1]
    rank_shape = array_ops.stack([array_ops.rank(x), 1])
    before = array_ops.reshape(begin, rank_shape)
    after = array_ops.reshape(array_ops.shape(x, out_type=begin.dtype.base_dtype)
                              - array_ops.shape(op.outputs[0],
                                                out_type=begin.dtype.base_dtype) - begin,
                              rank_shape)
    paddings = array_ops.concat([before, after], 1)
    return [pad(grad, paddings), None, None]


register_op("Slice", shape=_slice_shape, kernel=_slice_kernel, grad=_slice_grad)


def slice(input_, begin, size, name=None):  # noqa: A001 - TF's function name
    """``tf.slice``: the block of ``input_`` starting at ``begin`` with extent ``size``.

    A size of -1 takes all remaining elements of that dimension.

    Raises:
      ValueError: ``begin``/``size`` do not fit the input (statically).
    """
    with name_scope(name, "Slice", [input_, begin, size]) as scope:
        input_ = convert_to_tensor(input_, name="input")
        begin = _index_input(begin, "begin", "Slice")
        size = _index_input(size, "size", "Slice", dtype=begin.dtype.base_dtype)
        dt = input_.dtype.base_dtype
        return apply_op("Slice", [input_, begin, size], [dt],
                        attrs={"T": dt, "Index": begin.dtype.base_dtype},
                        name=scope).outputs[0]


# --------------------------------------------------------------------------- StridedSlice

_MASKS = ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask")


def _dense_spec(rank, begin, end, strides, masks):
    """Expands a sparse strided-slice spec (TF's masks) into one entry per output position.

    Entries: ``("new",)``, ``("shrink", dim, index)`` or
    ``("slice", dim, begin, end, stride)`` with ``begin``/``end`` None when masked (full
    range); statically unknown values are ``_UNKNOWN``. Returns None when the rank is unknown
    and an ellipsis needs it.
    """
    begin_mask, end_mask, ellipsis_mask, new_axis_mask, shrink_mask = masks
    n = len(begin)
    ellipses = [i for i in range(n) if ellipsis_mask >> i & 1]
    if len(ellipses) > 1:
        raise ValueError("Multiple ellipses in slice spec not allowed")
    for i in range(n):
        if not (ellipsis_mask >> i & 1 or new_axis_mask >> i & 1) and \
                not isinstance(strides[i], _Unknown) and strides[i] == 0:
            raise ValueError("strides[%d] must be non-zero" % i)
    consumed = sum(1 for i in range(n)
                   if not (ellipsis_mask >> i & 1) and not (new_axis_mask >> i & 1))
    if rank is None:
        if ellipses:
            return None
        rank_for_fill = consumed
    else:
        if consumed > rank:
            raise ValueError("Index out of range using input dim %d; input has only %d dims"
                             % (rank, rank))
        rank_for_fill = rank
    entries = []
    dim = 0
    for i in range(n):
        bit = 1 << i
        if ellipsis_mask & bit:
            for _ in range(rank_for_fill - consumed):
                entries.append(("slice", dim, None, None, 1))
                dim += 1
        elif new_axis_mask & bit:
            entries.append(("new",))
        elif shrink_mask & bit:
            entries.append(("shrink", dim, begin[i]))
            dim += 1
        else:
            entries.append(("slice", dim, None if begin_mask & bit else begin[i],
                            None if end_mask & bit else end[i], strides[i]))
            dim += 1
    if not ellipses and rank is not None:
        while dim < rank:
            entries.append(("slice", dim, None, None, 1))
            dim += 1
    return entries


def _masks_of(attrs):
    return tuple(attrs[m] for m in _MASKS)


def _spec_masks(op):
    return tuple(op.get_attr(m) for m in _MASKS)


def _check_shrink(index, dim, size):
    i = index + size if index < 0 else index
    if i < 0 or i >= size:
        raise ValueError("slice index %d of dimension %d out of bounds." % (index, dim))
    return i


class _Unknown:
    """A statically unknown begin/end/stride value in a dense strided-slice spec."""

    def __repr__(self):
        return "?"


_UNKNOWN = _Unknown()


def _strided_slice_shape(op):
    x, begin, end, strides = op.inputs
    for t in (begin, end, strides):
        _require_rank(t.shape, 1)
    lens = {t.shape[0].value for t in (begin, end, strides)
            if t.shape.ndims == 1 and t.shape[0].value is not None}
    if len(lens) > 1:
        raise ValueError("Expected begin, end, and strides to be 1D equal size tensors, but "
                         "got shapes %s, %s, and %s instead."
                         % tuple(shape_string(t.shape) for t in (begin, end, strides)))
    vals = [_partial_values(t) for t in (begin, end, strides)]
    if any(v is None for v in vals):
        return [unknown_shape()]
    b, e, s = ([_UNKNOWN if v is None else v for v in vs] for vs in vals)
    entries = _dense_spec(x.shape.ndims, b, e, s, _spec_masks(op))
    if entries is None or x.shape.ndims is None:
        return [unknown_shape()]
    dims = x.shape.as_list()
    out = []
    for entry in entries:
        if entry[0] == "new":
            out.append(1)
            continue
        d = dims[entry[1]]
        if entry[0] == "shrink":
            if d is not None and entry[2] is not _UNKNOWN:
                _check_shrink(entry[2], entry[1], d)
            continue
        _, _, bi, ei, si = entry
        if d is None or _UNKNOWN in (bi, ei, si):
            out.append(None)
        else:
            out.append(len(range(*builtin_slice(bi, ei, si).indices(d))))
    return [TensorShape(out)]


def _index_tuple(entries, shape):
    idx = []
    for entry in entries:
        if entry[0] == "new":
            idx.append(None)
        elif entry[0] == "shrink":
            idx.append(_check_shrink(entry[2], entry[1], shape[entry[1]]))
        else:
            idx.append(builtin_slice(entry[2], entry[3], entry[4]))
    return tuple(idx)


def _kernel_entries(ctx, rank, begin, end, strides):
    return _dense_spec(rank, int_list(begin), int_list(end), int_list(strides),
                       _masks_of(ctx.attrs))


def _strided_slice_kernel(ctx, x, begin, end, strides):
    entries = _kernel_entries(ctx, x.ndim, begin, end, strides)
    return x[_index_tuple(entries, x.shape)]


def _strided_slice_grad_fn(op, grad):
    x, begin, end, strides = op.inputs
    s = array_ops.shape(x, out_type=begin.dtype.base_dtype)
    masks = {m: op.get_attr(m) for m in _MASKS}
    return [strided_slice_grad(s, begin, end, strides, grad, **masks), None, None, None]


register_op("StridedSlice", shape=_strided_slice_shape, kernel=_strided_slice_kernel,
            grad=_strided_slice_grad_fn)


def _strided_slice_grad_kernel(ctx, shape, begin, end, strides, dy):
    dims = tuple(int_list(shape))
    entries = _kernel_entries(ctx, len(dims), begin, end, strides)
    idx = tuple(i for i in _index_tuple(entries, dims) if i is not None)
    out = ctx.xp.zeros(dims, dtype=dy.dtype)
    target_shape = out[idx].shape
    out[idx] = dy.reshape(target_shape)
    return out


def _strided_slice_grad_grad(op, grad):
    _, begin, end, strides, _ = op.inputs
    masks = {m: op.get_attr(m) for m in _MASKS}
    return [None, None, None, None, strided_slice(grad, begin, end, strides, **masks)]


register_op("StridedSliceGrad", shape=lambda op: [shape_from_shape_tensor(op.inputs[0])],
            kernel=_strided_slice_grad_kernel, grad=_strided_slice_grad_grad)


def strided_slice(input_, begin, end, strides=None, begin_mask=0, end_mask=0,
                  ellipsis_mask=0, new_axis_mask=0, shrink_axis_mask=0, var=None, name=None):
    """``tf.strided_slice``: ``input_[begin:end:strides]`` per dimension, with TF's masks.

    Args:
      input_: the tensor to slice.
      begin, end, strides: 1-D int tensors of one length (``strides`` defaults to ones).
      begin_mask, end_mask: bit i set ignores ``begin[i]``/``end[i]`` (full range).
      ellipsis_mask: bit i set makes entry i an ellipsis.
      new_axis_mask: bit i set inserts a dimension of size 1.
      shrink_axis_mask: bit i set takes the single index ``begin[i]`` and drops the dim.
      var: unused (TF uses it for sliced assignment).
      name: the op's name.

    Raises:
      ValueError: an index is out of bounds or the spec is invalid (statically).
    """
    with name_scope(name, "StridedSlice", [input_, begin, end, strides]) as scope:
        input_ = convert_to_tensor(input_, name="input")
        begin = _index_input(begin, "begin", "StridedSlice")
        end = _index_input(end, "end", "StridedSlice", dtype=begin.dtype.base_dtype)
        if strides is None:
            strides = array_ops.ones_like(begin)
        strides = _index_input(strides, "strides", "StridedSlice",
                               dtype=begin.dtype.base_dtype)
        dt = input_.dtype.base_dtype
        attrs = {"T": dt, "Index": begin.dtype.base_dtype, "begin_mask": int(begin_mask),
                 "end_mask": int(end_mask), "ellipsis_mask": int(ellipsis_mask),
                 "new_axis_mask": int(new_axis_mask),
                 "shrink_axis_mask": int(shrink_axis_mask)}
        return apply_op("StridedSlice", [input_, begin, end, strides], [dt], attrs=attrs,
                        name=scope).outputs[0]


def strided_slice_grad(shape, begin, end, strides, dy, begin_mask=0, end_mask=0,
                       ellipsis_mask=0, new_axis_mask=0, shrink_axis_mask=0, name=None):
    """The gradient of StridedSlice: ``dy`` scattered into zeros of ``shape``."""
    with name_scope(name, "StridedSliceGrad", [shape, begin, end, strides, dy]) as scope:
        dy = convert_to_tensor(dy, name="dy")
        dt = dy.dtype.base_dtype
        attrs = {"T": dt, "Index": begin.dtype.base_dtype, "begin_mask": int(begin_mask),
                 "end_mask": int(end_mask), "ellipsis_mask": int(ellipsis_mask),
                 "new_axis_mask": int(new_axis_mask),
                 "shrink_axis_mask": int(shrink_axis_mask)}
        return apply_op("StridedSliceGrad", [shape, begin, end, strides, dy], [dt],
                        attrs=attrs, name=scope).outputs[0]


_SLICE_TYPE_ERROR = ("Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and "
                     "scalar tf.int32/tf.int64 tensors are valid indices")


def _check_index(idx):
    from tensorslim.core.tensor_shape import Dimension
    if isinstance(idx, (int, np.integer, Dimension)):
        return
    dtype = getattr(idx, "dtype", None)
    if dtype is None or _dtypes.as_dtype(dtype).base_dtype not in _INDEX_DTYPES or \
            (idx.shape and len(idx.shape) == 1):
        raise TypeError(_SLICE_TYPE_ERROR + ", got %r" % (idx,))


def _slice_helper(tensor, slice_spec, var=None):
    """``tensor[slice_spec]``: builds a StridedSlice named "strided_slice", as TF1 does.

    Supports ints, slices (with negative steps), Ellipsis, ``tf.newaxis`` (None) and scalar
    int32/int64 tensors as indices.

    Raises:
      TypeError: an index of another type.
      ValueError: an index out of bounds (statically).
    """
    if not isinstance(slice_spec, (list, tuple)):
        slice_spec = [slice_spec]
    begin, end, strides = [], [], []
    index = 0
    new_axis_mask = shrink_axis_mask = begin_mask = end_mask = ellipsis_mask = 0
    for s in slice_spec:
        if isinstance(s, builtin_slice):
            if s.start is not None and (isinstance(s.start, Tensor) or s.start != sys.maxsize):
                _check_index(s.start)
                begin.append(s.start)
            else:
                begin.append(0)
                begin_mask |= 1 << index
            if s.stop is not None and (isinstance(s.stop, Tensor) or s.stop != sys.maxsize):
                _check_index(s.stop)
                end.append(s.stop)
            else:
                end.append(0)
                end_mask |= 1 << index
            if s.step is not None:
                _check_index(s.step)
                strides.append(s.step)
            else:
                strides.append(1)
        elif s is Ellipsis:
            begin.append(0)
            end.append(0)
            strides.append(1)
            ellipsis_mask |= 1 << index
        elif s is None:
            begin.append(0)
            end.append(0)
            strides.append(1)
            new_axis_mask |= 1 << index
        else:
            _check_index(s)
            begin.append(s)
            end.append(s + 1)
            strides.append(1)
            shrink_axis_mask |= 1 << index
        index += 1
    with name_scope(None, "strided_slice", [tensor] + begin + end + strides) as name:
        if begin:
            packed = [array_ops.stack(v) for v in (begin, end, strides)]
            if any(p.dtype.base_dtype == _dtypes.int64 for p in packed):
                packed = [p if p.dtype.base_dtype == _dtypes.int64
                          else _math().cast(p, _dtypes.int64) for p in packed]
        else:
            empty = array_ops.constant([], dtype=_dtypes.int32)
            packed = [empty, empty, empty]
        return strided_slice(tensor, packed[0], packed[1], packed[2], begin_mask=begin_mask,
                             end_mask=end_mask, shrink_axis_mask=shrink_axis_mask,
                             new_axis_mask=new_axis_mask, ellipsis_mask=ellipsis_mask,
                             var=var, name=name)


Tensor._override_operator("__getitem__", _slice_helper)


# --------------------------------------------------------------------------- gather

def _gather_shape(op):
    params, indices, axis = op.inputs
    if op.get_attr("batch_dims") != 0:
        raise ValueError("batch_dims != 0 is not supported")
    a = constant_value(axis)
    if params.shape.ndims is None or indices.shape.ndims is None or a is None:
        return [unknown_shape()]
    a = int(a)
    n = params.shape.ndims
    if a < -n or a >= n:
        raise ValueError("Shape must be at least rank %d but is rank %d"
                         % (a + 1 if a >= 0 else -a, n))
    a = a + n if a < 0 else a
    dims = params.shape.as_list()
    return [TensorShape(dims[:a] + indices.shape.as_list() + dims[a + 1:])]


def _position(flat_index, shape):
    return ",".join(str(int(i)) for i in np.unravel_index(flat_index, shape)) if shape else ""


def _gather_kernel(ctx, params, indices, axis):
    xp = ctx.xp
    a = int(axis)
    if a < -params.ndim or a >= params.ndim:
        raise ValueError("Expected axis in the range [%d, %d), but got %d"
                         % (-params.ndim, params.ndim, a))
    a = a + params.ndim if a < 0 else a
    n = params.shape[a]
    bad = (indices < 0) | (indices >= n)
    if bad.any():
        first = int(xp.argmax(bad.reshape(-1)))
        raise ValueError("indices[%s] = %d is not in [0, %d)"
                         % (_position(first, indices.shape), int(indices.reshape(-1)[first]),
                            n))
    return xp.take(params, indices, axis=a)


def _gather_grad(op, grad):
    params, indices, axis = op.inputs
    with colocate_with(params):
        params_shape = array_ops.shape(params, out_type=_dtypes.int64)
        params_shape = _math().cast(params_shape, _dtypes.int32)
    indices_size = array_ops.expand_dims(array_ops.size(indices), 0)
    axis_static = constant_value(axis)
    if axis_static is not None and int(axis_static) == 0:
        values_shape = array_ops.concat([indices_size, params_shape[1:]], 0)
        values = array_ops.reshape(grad, values_shape)
        flat_indices = array_ops.reshape(indices, array_ops.stack([indices_size[0], 1]))
        return [scatter_nd(flat_indices, values, _math().cast(params_shape, indices.dtype)),
                None, None]
    outer_shape = params_shape[:axis]
    outer_dims = array_ops.size(outer_shape)
    inner_shape = params_shape[axis:][1:]
    inner_dims = array_ops.size(inner_shape)
    outer_axes = range_(outer_dims)
    inner_axes = range_(outer_dims + 1, outer_dims + 1 + inner_dims)
    values = array_ops.reshape(grad, array_ops.concat([outer_shape, indices_size,
                                                       inner_shape], 0))
    flat_indices = array_ops.reshape(indices, array_ops.stack([indices_size[0], 1]))
    perm = array_ops.concat([array_ops.stack([outer_dims]), outer_axes, inner_axes], 0)
    values_t = transpose(values, perm)
    num_segments = params_shape[axis]
    scattered_shape = array_ops.concat([array_ops.stack([num_segments]), outer_shape,
                                        inner_shape], 0)
    params_grad = scatter_nd(flat_indices, values_t,
                             _math().cast(scattered_shape, indices.dtype))
    inv_perm = array_ops.concat([outer_axes + 1, array_ops.constant([0]), inner_axes], 0)
    return [transpose(params_grad, inv_perm), None, None]


register_op("GatherV2", shape=_gather_shape, kernel=_gather_kernel, grad=_gather_grad)


def gather(params, indices, validate_indices=None, name=None, axis=0, batch_dims=0):
    """``tf.gather``: slices of ``params`` along ``axis`` at ``indices``.

    Args:
      params: the tensor to gather from.
      indices: an int32/int64 tensor of indices into dimension ``axis``.
      validate_indices: unused (indices are always validated, as on TF's CPU kernel).
      name: the op's name.
      axis: the dimension to gather along.
      batch_dims: must be 0.

    Raises:
      TypeError: ``indices`` is not an integer tensor.
      ValueError: ``axis`` is out of range (statically).
      InvalidArgumentError: (at run time) an index is out of range.
    """
    with name_scope(name, "GatherV2", [params, indices, axis]) as scope:
        params = convert_to_tensor(params, name="params")
        indices = convert_to_tensor(indices, name="indices")
        check_dtype("GatherV2", "indices", indices, _INDEX_DTYPES)
        a = _index_input(axis, "axis", "GatherV2")
        return apply_op("GatherV2", [params, indices, a], [params.dtype.base_dtype],
                        attrs={"Tparams": params.dtype.base_dtype,
                               "Tindices": indices.dtype.base_dtype,
                               "Taxis": a.dtype.base_dtype, "batch_dims": int(batch_dims)},
                        name=scope).outputs[0]


def _gather_nd_shape(op):
    params, indices = op.inputs
    ps, ix = params.shape, indices.shape
    if ix.ndims is not None and ix.ndims < 1:
        raise ValueError("Shape must be at least rank 1 but is rank %d" % ix.ndims)
    if ps.ndims is None or ix.ndims is None or ix[-1].value is None:
        return [unknown_shape()]
    k = ix[-1].value
    if k > ps.ndims:
        raise ValueError("indices.shape[-1] must be <= params.rank, but saw indices shape: %s "
                         "and params shape: %s" % (shape_string(ix), shape_string(ps)))
    return [TensorShape(ix.as_list()[:-1] + ps.as_list()[k:])]


def _nd_positions(ctx, indices, dims, what):
    """Flattened index columns (one per indexed dim), after a bounds check."""
    xp = ctx.xp
    k = indices.shape[-1]
    idx = indices.reshape(-1, k)
    if k and idx.shape[0]:
        bound = xp.asarray(np.array(dims[:k], dtype=idx.dtype))
        bad = ((idx < 0) | (idx >= bound)).any(axis=1)
        if bad.any():
            first = int(xp.argmax(bad))
            raise ValueError("indices[%s] = [%s] does not index into %s %s"
                             % (_position(first, indices.shape[:-1]),
                                ", ".join(str(v) for v in int_list(idx[first])), what,
                                shape_string(dims)))
    return tuple(idx[:, j] for j in range(k))


def _gather_nd_kernel(ctx, params, indices):
    k = indices.shape[-1]
    if k > params.ndim:
        raise ValueError("index innermost dimension length must be <= params rank; saw: %d "
                         "vs. %d" % (k, params.ndim))
    cols = _nd_positions(ctx, indices, params.shape, "param shape")
    out_shape = indices.shape[:-1] + params.shape[k:]
    if k == 0:
        n = int(np.prod(indices.shape[:-1]))
        return ctx.xp.broadcast_to(params, (n,) + params.shape).reshape(out_shape)
    return params[cols].reshape(out_shape)


def _gather_nd_grad(op, grad):
    params, indices = op.inputs
    s = array_ops.shape(params, out_type=indices.dtype.base_dtype)
    return [scatter_nd(indices, grad, s), None]


register_op("GatherNd", shape=_gather_nd_shape, kernel=_gather_nd_kernel, grad=_gather_nd_grad)


def gather_nd(params, indices, name=None, batch_dims=0):
    """``tf.gather_nd``: slices of ``params`` at the index vectors in ``indices``' last axis.

    Raises:
      ValueError: the index depth exceeds the rank of ``params`` (statically).
      InvalidArgumentError: (at run time) an index is out of range.
    """
    if batch_dims != 0:
        raise ValueError("batch_dims != 0 is not supported")
    with name_scope(name, "GatherNd", [params, indices]) as scope:
        params = convert_to_tensor(params, name="params")
        indices = convert_to_tensor(indices, name="indices")
        check_dtype("GatherNd", "indices", indices, _INDEX_DTYPES)
        return apply_op("GatherNd", [params, indices], [params.dtype.base_dtype],
                        attrs={"Tparams": params.dtype.base_dtype,
                               "Tindices": indices.dtype.base_dtype},
                        name=scope).outputs[0]


def _scatter_nd_shape(op):
    indices, updates, shape_t = op.inputs
    out = shape_from_shape_tensor(shape_t)
    ix, us = indices.shape, updates.shape
    if out.ndims is not None and ix.ndims is not None and us.ndims is not None and \
            ix[-1].value is not None:
        k = ix[-1].value
        if k > out.ndims:
            raise ValueError("The last dimension of indices (%d) must be <= the rank of shape "
                             "(%d)" % (k, out.ndims))
        expected = ix.as_list()[:-1] + out.as_list()[k:]
        if len(expected) != us.ndims or not TensorShape(expected).is_compatible_with(us):
            raise ValueError("The inner %d dimensions of output.shape=%s must match the inner "
                             "%d dimensions of updates.shape=%s" % (
                                 out.ndims - k, shape_string(out), us.ndims - ix.ndims + 1,
                                 shape_string(us)))
    return [out]


def _scatter_nd_kernel(ctx, indices, updates, shape_t):
    xp = ctx.xp
    dims = tuple(int_list(shape_t))
    k = indices.shape[-1]
    cols = _nd_positions(ctx, indices, dims, "output shape")
    out = xp.zeros(dims, dtype=updates.dtype)
    n = int(np.prod(indices.shape[:-1]))
    upd = updates.reshape((n,) + dims[k:])
    if k == 0:
        return out + upd.sum(axis=0)
    xp.add.at(out, cols, upd)
    return out


register_op("ScatterNd", shape=_scatter_nd_shape, kernel=_scatter_nd_kernel,
            grad=lambda op, grad: [None, gather_nd(grad, op.inputs[0]), None])


def scatter_nd(indices, updates, shape, name=None):
    """``tf.scatter_nd``: zeros of ``shape`` with ``updates`` added at ``indices`` (duplicate
    indices accumulate)."""
    with name_scope(name, "ScatterNd", [indices, updates, shape]) as scope:
        indices = convert_to_tensor(indices, name="indices")
        check_dtype("ScatterNd", "indices", indices, _INDEX_DTYPES)
        updates = convert_to_tensor(updates, name="updates")
        shape = convert_to_tensor(shape, dtype=indices.dtype.base_dtype, name="shape")
        dt = updates.dtype.base_dtype
        return apply_op("ScatterNd", [indices, updates, shape], [dt],
                        attrs={"T": dt, "Tindices": indices.dtype.base_dtype},
                        name=scope).outputs[0]


# --------------------------------------------------------------------------- tile

def _tile_shape(op):
    x, multiples = op.inputs
    _require_rank(multiples.shape, 1)
    m = _partial_values(multiples)
    n = x.shape.ndims
    if n is not None and m is not None and len(m) != n:
        raise ValueError("Shape must be rank %d but is rank %d" % (n, len(m)))
    if m is None:
        return [unknown_shape(n)]
    if any(v is not None and v < 0 for v in m):
        raise ValueError("Expected multiples argument to be non-negative, but got %s"
                         % shape_string([v for v in m]))
    dims = x.shape.as_list() if n is not None else [None] * len(m)
    return [TensorShape([None if d is None or v is None else d * v for d, v in zip(dims, m)])]


def _tile_kernel(ctx, x, multiples):
    m = int_list(multiples)
    if len(m) != x.ndim:
        raise ValueError("Expected multiples argument to be a vector of length %d but got "
                         "length %d" % (x.ndim, len(m)))
    if any(v < 0 for v in m):
        raise ValueError("Expected multiples argument to be non-negative, but got %s"
                         % shape_string(m))
    return ctx.xp.tile(x, tuple(m))


def _tile_grad(op, grad):
    x, multiples = op.inputs
    input_shape = array_ops.shape(x, out_type=multiples.dtype.base_dtype)
    split_shape = array_ops.reshape(transpose(array_ops.stack([multiples, input_shape])), [-1])
    axes = range_(0, array_ops.size(split_shape), 2)
    input_grad = _math().reduce_sum(array_ops.reshape(grad, split_shape), axes)
    input_grad.set_shape(x.shape)
    return [input_grad, None]


register_op("Tile", shape=_tile_shape, kernel=_tile_kernel, grad=_tile_grad)


def tile(input, multiples, name=None):  # noqa: A002
    """``tf.tile``: ``input`` repeated ``multiples[i]`` times along each dimension i.

    Raises:
      ValueError: ``multiples`` does not have one entry per dimension (statically).
    """
    with name_scope(name, "Tile", [input, multiples]) as scope:
        input = convert_to_tensor(input, name="input")
        multiples = _index_input(multiples, "multiples", "Tile")
        dt = input.dtype.base_dtype
        return apply_op("Tile", [input, multiples], [dt],
                        attrs={"T": dt, "Tmultiples": multiples.dtype.base_dtype},
                        name=scope).outputs[0]


# --------------------------------------------------------------------------- transpose

def _transpose_shape(op):
    x, perm = op.inputs
    _require_rank(perm.shape, 1)
    n = x.shape.ndims
    plen = perm.shape[0].value if perm.shape.ndims == 1 else None
    if n is not None and plen is not None and plen != n:
        raise ValueError("Dimension must be %d but is %d" % (n, plen))
    if n is None:
        n = plen
    if n is None:
        return [unknown_shape()]
    p = constant_value(perm)
    if p is None:
        return [unknown_shape(n)]
    p = [int(v) for v in np.asarray(p).reshape(-1)]
    for v in p:
        if v < -n or v >= n:
            raise ValueError("perm dim %d is out of range of input rank %d" % (v, n))
    if x.shape.ndims is None:
        return [unknown_shape(n)]
    dims = x.shape.as_list()
    return [TensorShape([dims[v] for v in p])]


def _check_permutation(p, n):
    if len(p) != n:
        raise ValueError("transpose expects a vector of size %d. But input(1) is a vector of "
                         "size %d" % (n, len(p)))
    norm = [v + n if v < 0 else v for v in p]
    for i in range(n):
        if i not in norm:
            raise ValueError("%d is missing from {%s}." % (i, ",".join(str(v) for v in p)))
    return norm


def _transpose_kernel(ctx, x, perm):
    return ctx.xp.transpose(x, _check_permutation(int_list(perm), x.ndim))


register_op("Transpose", shape=_transpose_shape, kernel=_transpose_kernel,
            grad=lambda op, grad: [transpose(grad, invert_permutation(op.inputs[1])), None])


def transpose(a, perm=None, name="transpose", conjugate=False):
    """``tf.transpose``: permutes the dimensions of ``a`` (reverses them when ``perm`` is None).

    Raises:
      ValueError: ``perm`` has the wrong length or an out-of-range entry (statically).
      InvalidArgumentError: (at run time) ``perm`` is not a permutation.
    """
    with name_scope(name, "transpose", [a]) as scope:
        a = convert_to_tensor(a, name="a")
        dt = a.dtype.base_dtype
        if perm is None:
            n = a.shape.ndims
            if n is None:
                r = array_ops.rank(a)
                perm = (r - 1) - range_(0, r, 1)
            else:
                perm = np.arange(n - 1, -1, -1, dtype=np.int32)
        perm = _index_input(perm, "perm", "Transpose")
        out = apply_op("Transpose", [a, perm], [dt],
                       attrs={"T": dt, "Tperm": perm.dtype.base_dtype}, name=scope).outputs[0]
        if a.shape.ndims is not None and out.shape.ndims is None:
            out.set_shape(a.shape.as_list()[::-1])
        if conjugate and dt.is_complex:
            out = _math().conj(out)
        return out


def _invert_permutation_kernel(ctx, p):
    xp = ctx.xp
    vals = int_list(p)
    n = len(vals)
    seen = set()
    for v in vals:
        if v < 0 or v >= n:
            raise ValueError("%d is not between 0 and %d" % (v, n))
        if v in seen:
            raise ValueError("%d is duplicated in the input." % v)
        seen.add(v)
    out = xp.empty_like(p)
    out[p] = xp.arange(n, dtype=p.dtype)
    return out


def _invert_permutation_shape(op):
    _require_rank(op.inputs[0].shape, 1)
    return [op.inputs[0].shape]


register_op("InvertPermutation", shape=_invert_permutation_shape,
            kernel=_invert_permutation_kernel, grad=_NO_GRAD)


def invert_permutation(x, name=None):
    """``tf.invert_permutation``: ``y`` with ``y[x[i]] = i``."""
    with name_scope(name, "InvertPermutation", [x]) as scope:
        x = _index_input(x, "x", "InvertPermutation")
        return apply_op("InvertPermutation", [x], [x.dtype.base_dtype],
                        attrs={"T": x.dtype.base_dtype}, name=scope).outputs[0]


# --------------------------------------------------------------------------- reverse

def _normalize_reverse_axes(axes, n):
    out = []
    for i, a in enumerate(axes):
        if a < -n or a >= n:
            raise ValueError("'axis'[%d] = %d is out of valid range [0, %d)" % (i, a, n))
        a = a + n if a < 0 else a
        if a in out:
            raise ValueError("axis %d specified more than once." % a)
        out.append(a)
    return out


def _reverse_shape(op):
    x, axis = op.inputs
    _require_rank(axis.shape, 1)
    a = constant_value(axis)
    if a is not None and x.shape.ndims is not None:
        _normalize_reverse_axes([int(v) for v in np.asarray(a).reshape(-1)], x.shape.ndims)
    return [x.shape]


def _reverse_kernel(ctx, x, axis):
    axes = _normalize_reverse_axes(int_list(axis), x.ndim)
    return ctx.xp.flip(x, axis=tuple(axes)) if axes else x


register_op("ReverseV2", shape=_reverse_shape, kernel=_reverse_kernel,
            grad=lambda op, grad: [reverse_v2(grad, op.inputs[1]), None])


def reverse_v2(tensor, axis, name=None):
    """``tf.reverse`` (``tf.reverse_v2``): ``tensor`` with the dimensions in ``axis`` reversed.

    Raises:
      ValueError: an axis is out of range or repeated (statically).
    """
    with name_scope(name, "ReverseV2", [tensor, axis]) as scope:
        tensor = convert_to_tensor(tensor, name="tensor")
        axis = _index_input(axis, "axis", "ReverseV2")
        dt = tensor.dtype.base_dtype
        return apply_op("ReverseV2", [tensor, axis], [dt],
                        attrs={"Tidx": axis.dtype.base_dtype, "T": dt}, name=scope).outputs[0]


reverse = reverse_v2


# --------------------------------------------------------------------------- pad

def _mirror_check(pairs, dims, mode):
    for (before, after), d in zip(pairs, dims):
        if d is None or before is None or after is None:
            continue
        if mode == "REFLECT" and (before >= d or after >= d):
            raise ValueError("paddings must be less than the dimension size: %d, %d not less "
                             "than %d" % (before, after, d))
        if mode == "SYMMETRIC" and (before > d or after > d):
            raise ValueError("paddings must be no greater than the dimension size: %d, %d "
                             "greater than %d" % (before, after, d))


def _pad_shape(op):
    x, paddings = op.inputs[0], op.inputs[1]
    ps = paddings.shape
    _require_rank(ps, 2)
    if ps.ndims == 2 and ps[1].value is not None and ps[1].value != 2:
        raise ValueError("Dimension must be 2 but is %d" % ps[1].value)
    if len(op.inputs) == 3:
        _require_rank(op.inputs[2].shape, 0)
    n = x.shape.ndims
    rows = ps[0].value if ps.ndims == 2 else None
    if n is not None and rows is not None and rows != n:
        raise ValueError("The first dimension of paddings must be the rank of inputs%s %s"
                         % (shape_string(ps), shape_string(x.shape)))
    if n is None:
        n = rows
    if n is None:
        return [unknown_shape()]
    pv = constant_value(paddings)
    if pv is None:
        return [unknown_shape(n)]
    pv = np.asarray(pv).reshape(-1, 2)
    if (pv < 0).any():
        raise ValueError("Paddings must be non-negative")
    pairs = [(int(b), int(a)) for b, a in pv]
    dims = x.shape.as_list() if x.shape.ndims is not None else [None] * n
    if op.type == "MirrorPad":
        _mirror_check(pairs, dims, op.get_attr("mode"))
    return [TensorShape([None if d is None else d + b + a for d, (b, a) in zip(dims, pairs)])]


def _pad_pairs(x, paddings):
    vals = int_list(paddings)
    if len(vals) != 2 * x.ndim:
        raise ValueError("The first dimension of paddings must be the rank of inputs[%d,2] %s"
                         % (len(vals) // 2, shape_string(x.shape)))
    pairs = [(vals[2 * i], vals[2 * i + 1]) for i in range(x.ndim)]
    for b, a in pairs:
        if b < 0 or a < 0:
            raise ValueError("Paddings must be non-negative: %d %d" % (b, a))
    return pairs


def _constant_pad(ctx, x, paddings, value):
    pairs = _pad_pairs(x, paddings)
    out_shape = tuple(d + b + a for d, (b, a) in zip(x.shape, pairs))
    out = ctx.xp.full(out_shape, value, dtype=x.dtype)
    out[tuple(builtin_slice(b, b + d) for d, (b, a) in zip(x.shape, pairs))] = x
    return out


def _pad_grad(op, grad):
    x, a = op.inputs[0], op.inputs[1]
    pad_before = slice(a, [0, 0], array_ops.stack([array_ops.rank(x), 1]))
    begin = array_ops.reshape(pad_before, [-1])
    sizes = array_ops.shape(x, out_type=begin.dtype.base_dtype)
    x_grad = slice(grad, begin, sizes)
    return [x_grad] + [None] * (len(op.inputs) - 1)


register_op("Pad", shape=_pad_shape, grad=_pad_grad,
            kernel=lambda ctx, x, p: _constant_pad(ctx, x, p, 0))
register_op("PadV2", shape=_pad_shape, grad=_pad_grad,
            kernel=lambda ctx, x, p, c: _constant_pad(ctx, x, p, c.item()))


def _mirror_pad_kernel(ctx, x, paddings):
    pairs = _pad_pairs(x, paddings)
    mode = ctx.attrs["mode"]
    _mirror_check(pairs, x.shape, mode)
    return ctx.xp.pad(x, pairs, mode="reflect" if mode == "REFLECT" else "symmetric")


register_op("MirrorPad", shape=_pad_shape, kernel=_mirror_pad_kernel,
            grad=lambda op, grad: [mirror_pad_grad(grad, op.inputs[1], op.get_attr("mode")),
                                   None])


def _mirror_pad_grad_shape(op):
    g, paddings = op.inputs
    pv = constant_value(paddings)
    if pv is None or g.shape.ndims is None:
        return [unknown_shape(g.shape.ndims)]
    pv = np.asarray(pv).reshape(-1, 2)
    return [TensorShape([None if d is None else d - int(b) - int(a)
                         for d, (b, a) in zip(g.shape.as_list(), pv)])]


def _axis_index(ndim, axis, start, stop):
    idx = [builtin_slice(None)] * ndim
    idx[axis] = builtin_slice(start, stop)
    return tuple(idx)


def _mirror_pad_grad_kernel(ctx, g, paddings):
    # Folds each mirrored border back onto the elements it copied, one axis at a time.
    xp = ctx.xp
    pairs = _pad_pairs(g, paddings)
    offset = 1 if ctx.attrs["mode"] == "REFLECT" else 0
    for axis, (b, a) in enumerate(pairs):
        n = g.shape[axis] - b - a
        core = g[_axis_index(g.ndim, axis, b, b + n)].copy()
        if b:
            core[_axis_index(g.ndim, axis, offset, offset + b)] += \
                xp.flip(g[_axis_index(g.ndim, axis, 0, b)], axis=axis)
        if a:
            core[_axis_index(g.ndim, axis, n - offset - a, n - offset)] += \
                xp.flip(g[_axis_index(g.ndim, axis, b + n, b + n + a)], axis=axis)
        g = core
    return g


register_op("MirrorPadGrad", shape=_mirror_pad_grad_shape, kernel=_mirror_pad_grad_kernel,
            grad=lambda op, grad: [_mirror_pad(grad, op.inputs[1], op.get_attr("mode")),
                                   None])


def _mirror_pad(tensor, paddings, mode, name=None):
    with name_scope(name, "MirrorPad", [tensor, paddings]) as scope:
        tensor = convert_to_tensor(tensor, name="input")
        paddings = _index_input(paddings, "paddings", "MirrorPad")
        dt = tensor.dtype.base_dtype
        return apply_op("MirrorPad", [tensor, paddings], [dt],
                        attrs={"T": dt, "Tpaddings": paddings.dtype.base_dtype, "mode": mode},
                        name=scope).outputs[0]


def mirror_pad_grad(input, paddings, mode, name=None):  # noqa: A002
    """The gradient of MirrorPad: the padded borders folded back onto the input."""
    with name_scope(name, "MirrorPadGrad", [input, paddings]) as scope:
        input = convert_to_tensor(input, name="input")
        paddings = _index_input(paddings, "paddings", "MirrorPadGrad")
        dt = input.dtype.base_dtype
        return apply_op("MirrorPadGrad", [input, paddings], [dt],
                        attrs={"T": dt, "Tpaddings": paddings.dtype.base_dtype, "mode": mode},
                        name=scope).outputs[0]


def _is_zero(value):
    try:
        return bool(np.all(np.asarray(value) == 0))
    except (TypeError, ValueError):
        return False


def pad(tensor, paddings, mode="CONSTANT", name=None, constant_values=0):
    """``tf.pad``: pads ``tensor`` with ``paddings[i] = [before, after]`` in each dimension.

    Args:
      tensor: the tensor to pad.
      paddings: an int [rank, 2] tensor or nested list.
      mode: "CONSTANT" (``constant_values``), "REFLECT" (mirror without the edge; padding must
        be smaller than the dimension) or "SYMMETRIC" (mirror with the edge; padding at most
        the dimension). Case-insensitive.
      name: the op's name.
      constant_values: the fill value of CONSTANT mode.

    Raises:
      ValueError: an unknown mode, or paddings that do not fit (statically).
      InvalidArgumentError: (at run time) paddings that do not fit.
    """
    mode = mode.upper()
    if mode == "CONSTANT":
        if not isinstance(constant_values, Tensor) and _is_zero(constant_values):
            with name_scope(name, "Pad", [tensor, paddings]) as scope:
                tensor = convert_to_tensor(tensor, name="input")
                paddings = _index_input(paddings, "paddings", "Pad")
                dt = tensor.dtype.base_dtype
                result = apply_op("Pad", [tensor, paddings], [dt],
                                  attrs={"T": dt, "Tpaddings": paddings.dtype.base_dtype},
                                  name=scope).outputs[0]
        else:
            with name_scope(name, "PadV2", [tensor, paddings, constant_values]) as scope:
                tensor = convert_to_tensor(tensor, name="input")
                paddings = _index_input(paddings, "paddings", "PadV2")
                dt = tensor.dtype.base_dtype
                cval = convert_to_tensor(constant_values, dtype=dt, name="constant_values")
                result = apply_op("PadV2", [tensor, paddings, cval], [dt],
                                  attrs={"T": dt, "Tpaddings": paddings.dtype.base_dtype},
                                  name=scope).outputs[0]
    elif mode in ("REFLECT", "SYMMETRIC"):
        result = _mirror_pad(tensor, paddings, mode, name)
    else:
        raise ValueError("Unknown padding mode: %s" % mode)
    return result


# --------------------------------------------------------------------------- masks

def boolean_mask(tensor, mask, name="boolean_mask", axis=None):
    """``tf.boolean_mask``: the elements (or slices) of ``tensor`` where ``mask`` is True.

    Args:
      tensor: an N-D tensor.
      mask: a K-D bool tensor, K <= N, matching ``tensor``'s dims ``axis .. axis+K``.
      name: the name scope.
      axis: the first dimension masked (default 0).

    Returns:
      The selected values, with dims ``axis .. axis+K`` flattened into one.

    Raises:
      ValueError: ``mask`` is a scalar, has unknown rank, or does not match ``tensor``.
    """
    math_ops = _math()
    with name_scope(name, "boolean_mask", [tensor, mask]):
        tensor = convert_to_tensor(tensor, name="tensor")
        mask = convert_to_tensor(mask, name="mask")
        shape_mask = mask.shape
        ndims_mask = shape_mask.ndims
        shape_tensor = tensor.shape
        if ndims_mask == 0:
            raise ValueError("mask cannot be scalar.")
        if ndims_mask is None:
            raise ValueError("Number of mask dimensions must be specified, even if some "
                             "dimensions are None.  E.g. shape=[None] is ok, but shape=None "
                             "is not.")
        axis = 0 if axis is None else axis
        shape_tensor[axis:axis + ndims_mask].assert_is_compatible_with(shape_mask)
        leading_size = math_ops.reduce_prod(
            array_ops.shape(tensor)[axis:axis + ndims_mask], [0])
        tensor = array_ops.reshape(tensor, array_ops.concat([
            array_ops.shape(tensor)[:axis], [leading_size],
            array_ops.shape(tensor)[axis + ndims_mask:]], 0))
        first_dim = shape_tensor[axis:axis + ndims_mask].num_elements()
        if shape_tensor.ndims is not None:
            tensor.set_shape(TensorShape(shape_tensor.as_list()[:axis]).concatenate(
                [first_dim]).concatenate(shape_tensor[axis + ndims_mask:]))
        mask = array_ops.reshape(mask, [-1])
        indices = array_ops.squeeze(math_ops.where(mask), axis=[1])
        return gather(tensor, indices, axis=axis)


def sequence_mask(lengths, maxlen=None, dtype=_dtypes.bool, name=None):
    """``tf.sequence_mask``: ``mask[i..., j] = j < lengths[i...]``.

    Args:
      lengths: an int tensor of lengths.
      maxlen: the size of the last dimension (default: the largest length).
      dtype: the output dtype.
      name: the name scope.

    Raises:
      ValueError: ``maxlen`` is not a scalar.
    """
    math_ops = _math()
    with name_scope(name, "SequenceMask", [lengths, maxlen]):
        lengths = convert_to_tensor(lengths)
        if maxlen is None:
            if lengths.shape.ndims is not None:
                axes = array_ops.constant(list(range(lengths.shape.ndims)), _dtypes.int32)
            else:
                axes = range_(0, array_ops.rank(lengths))
            maxlen = math_ops.reduce_max(lengths, axes)
            maxlen = math_ops.maximum(array_ops.constant(0, maxlen.dtype), maxlen)
        else:
            maxlen = convert_to_tensor(maxlen)
        if maxlen.shape.ndims is not None and maxlen.shape.ndims != 0:
            raise ValueError("maxlen must be scalar for sequence_mask")
        row_vector = _range_op(array_ops.constant(0, maxlen.dtype), maxlen,
                               array_ops.constant(1, maxlen.dtype), "Range")
        matrix = math_ops.cast(array_ops.expand_dims(lengths, -1), maxlen.dtype)
        result = math_ops.less(row_vector, matrix)
        dtype = _dtypes.as_dtype(dtype)
        if result.dtype.base_dtype == dtype.base_dtype:
            return result
        return math_ops.cast(result, dtype)


def meshgrid(*args, **kwargs):
    """``tf.meshgrid``: N-D coordinate grids from N 1-D tensors.

    Args:
      *args: 1-D tensors (or lists).
      **kwargs: ``indexing`` ("xy", Cartesian, the default; or "ij", matrix) and ``name``.

    Returns:
      A list of N tensors.

    Raises:
      TypeError: an unknown keyword argument.
      ValueError: an unknown ``indexing``.
    """
    indexing = kwargs.pop("indexing", "xy")
    name = kwargs.pop("name", "meshgrid")
    if kwargs:
        key = list(kwargs.keys())[0]
        raise TypeError("'{}' is an invalid keyword argument for this function".format(key))
    if indexing not in ("xy", "ij"):
        raise ValueError("indexing parameter must be either 'xy' or 'ij'")
    with name_scope(name, "meshgrid", list(args)):
        ndim = len(args)
        s0 = (1,) * ndim
        output = [array_ops.reshape(array_ops.stack(x), s0[:i] + (-1,) + s0[i + 1:])
                  for i, x in enumerate(args)]
        shapes = [array_ops.size(x) for x in args]
        output_dtype = convert_to_tensor(args[0]).dtype.base_dtype
        if indexing == "xy" and ndim > 1:
            output[0] = array_ops.reshape(output[0], (1, -1) + (1,) * (ndim - 2))
            output[1] = array_ops.reshape(output[1], (-1, 1) + (1,) * (ndim - 2))
            shapes[0], shapes[1] = shapes[1], shapes[0]
        mult_fact = array_ops.ones(shapes, output_dtype)
        return [x * mult_fact for x in output]


# --------------------------------------------------------------------------- unique

def _unique_parts(ctx, x):
    xp = ctx.xp
    if x.ndim != 1:
        raise ValueError("unique expects a 1D vector.")
    uniq, first, inverse, counts = xp.unique(x, return_index=True, return_inverse=True,
                                             return_counts=True)
    order = xp.argsort(first)
    rank_of = xp.empty_like(order)
    rank_of[order] = xp.arange(order.shape[0], dtype=order.dtype)
    idx = rank_of[inverse.reshape(-1)].astype(ctx.attrs["out_idx"].as_numpy_dtype)
    return uniq[order], idx, counts[order].astype(idx.dtype)


def _unique_shape(op):
    _require_rank(op.inputs[0].shape, 1)
    return [TensorShape([None]), op.inputs[0].shape] + \
        [TensorShape([None])] * (len(op.outputs) - 2)


register_op("Unique", shape=_unique_shape, kernel=lambda ctx, x: _unique_parts(ctx, x)[:2],
            grad=_NO_GRAD)
register_op("UniqueWithCounts", shape=_unique_shape, kernel=_unique_parts, grad=_NO_GRAD)


def _unique_op(op_type, x, out_idx, name, n_out):
    with name_scope(name, op_type, [x]) as scope:
        x = convert_to_tensor(x, name="x")
        out_idx = _dtypes.as_dtype(out_idx)
        dt = x.dtype.base_dtype
        return tuple(apply_op(op_type, [x], [dt] + [out_idx] * (n_out - 1),
                              attrs={"T": dt, "out_idx": out_idx}, name=scope).outputs)


def unique(x, out_idx=_dtypes.int32, name=None):
    """``tf.unique``: ``(y, idx)``, the distinct values of 1-D ``x`` in order of first
    appearance and, for each element of ``x``, its index in ``y``."""
    return _unique_op("Unique", x, out_idx, name, 2)


def unique_with_counts(x, out_idx=_dtypes.int32, name=None):
    """``tf.unique_with_counts``: ``(y, idx, count)``, as :func:`unique` plus how many times
    each value of ``y`` occurs."""
    return _unique_op("UniqueWithCounts", x, out_idx, name, 3)


# --------------------------------------------------------------------------- clipping

def _clip_shape(op):
    t, lo, hi = op.inputs
    for b in (lo, hi):
        if b.shape.ndims not in (None, 0) and not b.shape.is_compatible_with(t.shape):
            raise ValueError("clip_value_min and clip_value_max must be either scalars or have "
                             "the same shape as the input")
    return [t.shape]


def _clip_kernel(ctx, t, lo, hi):
    for b in (lo, hi):
        if b.ndim and b.shape != t.shape:
            raise ValueError("clip_value_min and clip_value_max must be either scalars or "
                             "have the same shape as the input: %s vs. %s"
                             % (shape_string(b.shape), shape_string(t.shape)))
    xp = ctx.xp
    return xp.maximum(xp.minimum(t, hi), lo).astype(t.dtype, copy=False)


def _clip_grad(op, grad):
    math_ops = _math()
    x, y, z = op.inputs
    zeros = array_ops.zeros_like(grad)
    xymask = math_ops.less(x, y)
    xzmask = math_ops.greater(x, z)
    xgrad = math_ops.where(math_ops.logical_or(xymask, xzmask), zeros, grad)
    ygrad = math_ops.where(xymask, grad, zeros)
    zgrad = math_ops.where(xzmask, grad, zeros)
    return [xgrad, math_ops.reduce_sum_to_shape(ygrad, y),
            math_ops.reduce_sum_to_shape(zgrad, z)]


register_op("ClipByValue", shape=_clip_shape, kernel=_clip_kernel, grad=_clip_grad)


def clip_by_value(t, clip_value_min, clip_value_max, name=None):
    """``tf.clip_by_value``: ``t`` with values below/above the bounds set to the bounds.

    Args:
      t: the tensor to clip.
      clip_value_min, clip_value_max: scalars or tensors that broadcast to ``t``'s shape.
      name: the op's name.

    Raises:
      ValueError: a bound does not broadcast to ``t``'s shape.
    """
    with name_scope(name, "clip_by_value", [t, clip_value_min, clip_value_max]) as scope:
        t = convert_to_tensor(t, name="t")
        dt = t.dtype.base_dtype
        lo = convert_to_tensor(clip_value_min, dtype=dt, name="clip_value_min")
        hi = convert_to_tensor(clip_value_max, dtype=dt, name="clip_value_max")
        # TF1 clips with Minimum/Maximum, so bounds may broadcast to ``t``'s shape.
        lo, hi = (b if b.shape.ndims == 0 or (b.shape == t.shape and t.shape.is_fully_defined())
                  else broadcast_to(b, array_ops.shape(t)) for b in (lo, hi))
        return apply_op("ClipByValue", [t, lo, hi], [dt], attrs={"T": dt},
                        name=scope).outputs[0]


def clip_by_norm(t, clip_norm, axes=None, name=None):
    """``tf.clip_by_norm``: ``t * clip_norm / max(l2norm(t), clip_norm)``.

    Args:
      t: the tensor to clip.
      clip_norm: the maximum L2 norm (a positive scalar).
      axes: the dimensions the norm is taken over (default: all).
      name: the op's name.
    """
    math_ops = _math()
    with name_scope(name, "clip_by_norm", [t, clip_norm]) as scope:
        values = convert_to_tensor(t, name="t")
        l2sum = math_ops.reduce_sum(values * values, axes, keepdims=True)
        pred = math_ops.greater(l2sum, 0)
        l2sum_safe = math_ops.where(pred, l2sum, array_ops.ones_like(l2sum))
        l2norm = math_ops.where(pred, math_ops.sqrt(l2sum_safe), l2sum)
        intermediate = values * clip_norm
        values.shape.merge_with(intermediate.shape)
        return array_ops.identity(intermediate / math_ops.maximum(l2norm, clip_norm),
                                  name=scope)


def _as_sequence(t_list):
    if isinstance(t_list, (str, bytes)) or not isinstance(t_list, (list, tuple)):
        raise TypeError("t_list should be a sequence")
    return list(t_list)


def global_norm(t_list, name=None):
    """``tf.global_norm``: ``sqrt(sum(l2norm(t) ** 2 for t in t_list))`` (None entries ignored).

    Raises:
      TypeError: ``t_list`` is not a sequence.
    """
    math_ops = _math()
    t_list = _as_sequence(t_list)
    with name_scope(name, "global_norm", [t for t in t_list if t is not None]):
        values = [convert_to_tensor(t, name="t_%d" % i) if t is not None else None
                  for i, t in enumerate(t_list)]
        half_squared_norms = []
        for v in values:
            if v is not None:
                with colocate_with(v):
                    half_squared_norms.append(_l2_loss(v))
        half_squared_norm = math_ops.reduce_sum(array_ops.stack(half_squared_norms))
        return math_ops.sqrt(half_squared_norm * array_ops.constant(
            2.0, dtype=half_squared_norm.dtype), name="global_norm")


def _l2_loss(v):
    from tensorslim.core.ops import nn_losses
    return nn_losses.l2_loss(v)


def clip_by_global_norm(t_list, clip_norm, use_norm=None, name=None):
    """``tf.clip_by_global_norm``: scales every tensor by ``clip_norm / max(global_norm,
    clip_norm)``.

    Args:
      t_list: a sequence of tensors (None entries are kept as None).
      clip_norm: the maximum global norm.
      use_norm: a precomputed global norm (default: computed here).
      name: the op's name.

    Returns:
      ``(list_clipped, global_norm)``; with an infinite or NaN norm every value is NaN.

    Raises:
      TypeError: ``t_list`` is not a sequence.
    """
    math_ops = _math()
    t_list = _as_sequence(t_list)
    if use_norm is None:
        use_norm = global_norm(t_list, name)
    with name_scope(name, "clip_by_global_norm",
                    [t for t in t_list if t is not None] + [clip_norm]) as scope:
        scale_for_finite = clip_norm * math_ops.minimum(
            1.0 / use_norm, array_ops.constant(1.0, dtype=use_norm.dtype) / clip_norm)
        scale = scale_for_finite + (use_norm - use_norm)
        values = [convert_to_tensor(t, name="t_%d" % i) if t is not None else None
                  for i, t in enumerate(t_list)]
        clipped = []
        for i, v in enumerate(values):
            if v is None:
                clipped.append(None)
                continue
            with colocate_with(v):
                clipped.append(array_ops.identity(
                    v * math_ops.cast(scale, v.dtype.base_dtype),
                    name="%s_%d" % (scope, i)))
        return clipped, use_norm
