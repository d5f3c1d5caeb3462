"""Array manipulation ops: broadcasting, ranges, splitting, gathering, slicing."""
import numpy as np

from tensorslim.core import dtypes as _dtypes
from tensorslim.core.graph import Tensor, convert_to_tensor, name_scope
from tensorslim.core.op_util import (apply_op, broadcast_shapes, constant_value,
                                     shape_from_shape_tensor)
from tensorslim.core.ops import array_ops
from tensorslim.core.registry import not_differentiable_marker, register_op
from tensorslim.core.tensor_shape import TensorShape, unknown_shape

__all__ = ["broadcast_to", "broadcast_like", "reduced_shape", "range_", "gather",
           "dynamic_stitch"]

_NO_GRAD = not_differentiable_marker()


def _broadcast_to_shape(op):
    target = shape_from_shape_tensor(op.inputs[1])
    if target.ndims is None:
        return [target]
    broadcast_shapes(op.inputs[0].shape, target)
    return [target]


def _broadcast_to_kernel(ctx, x, shape):
    return ctx.xp.broadcast_to(x, tuple(int(d) for d in shape.tolist()))


def _broadcast_to_grad(op, grad):
    from tensorslim.core.ops import math_ops
    return [math_ops.reduce_sum_to_shape(grad, op.inputs[0]), None]


register_op("BroadcastTo", shape=_broadcast_to_shape, kernel=_broadcast_to_kernel,
            grad=_broadcast_to_grad)


def broadcast_to(input, shape, name=None):  # noqa: A002
    """``tf.broadcast_to``: ``input`` broadcast to ``shape`` (numpy rules)."""
    input = convert_to_tensor(input)
    s = shape if isinstance(shape, Tensor) else array_ops._shape_tensor(shape,
                                                                         "BroadcastTo/shape")
    return apply_op("BroadcastTo", [input, s], [input.dtype.base_dtype],
                    attrs={"T": input.dtype.base_dtype, "Tidx": s.dtype},
                    name=name or "BroadcastTo").outputs[0]


def broadcast_like(x, like):
    """``x`` broadcast to the (dynamic) shape of ``like``."""
    if like.shape.is_fully_defined():
        if x.shape.is_fully_defined() and x.shape.as_list() == like.shape.as_list():
            return x
        return broadcast_to(x, like.shape.as_list())
    return broadcast_to(x, array_ops.shape(like))


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
    indices = [convert_to_tensor(i, dtype=_dtypes.int32) for i in indices]
    data = [convert_to_tensor(d) for d in data]
    dt = data[0].dtype.base_dtype
    return apply_op("DynamicStitch", indices + data, [dt], attrs={"T": dt, "N": len(indices)},
                    name=name or "DynamicStitch").outputs[0]


def reduced_shape(input_shape, axes):
    """The shape ``input_shape`` with the dims in ``axes`` set to 1, as graph ops (TF's way:
    DynamicStitch of ``range(rank)`` and ``axes``)."""
    from tensorslim.core.ops import math_ops
    input_shape = math_ops.cast(input_shape, _dtypes.int32)
    axes = math_ops.cast(convert_to_tensor(axes), _dtypes.int32)
    n = array_ops.size(input_shape)
    axes = math_ops.floormod(axes + n, n)
    ones = array_ops.fill(array_ops.shape(axes), 1)
    return dynamic_stitch([range_(n), axes], [input_shape, ones])


def _gather_kernel(ctx, params, indices, axis):
    return ctx.xp.take(params, indices, axis=int(axis))


def _gather_shape(op):
    params, indices, axis = op.inputs
    a = constant_value(axis)
    if params.shape.ndims is None or indices.shape.ndims is None or a is None:
        return [unknown_shape()]
    a = int(a)
    n = params.shape.ndims
    if a < -n or a >= n:
        raise ValueError("Shape must be at least rank %d but is rank %d" % (a + 1, n))
    a = a + n if a < 0 else a
    dims = params.shape.as_list()
    return [TensorShape(dims[:a] + indices.shape.as_list() + dims[a + 1:])]


def _gather_grad(op, grad):
    params, indices, axis = op.inputs
    a = int(constant_value(axis))
    if a != 0:
        raise NotImplementedError("Gradient of gather with axis != 0 is not implemented.")
    from tensorslim.core.ops import math_ops
    return [math_ops.unsorted_segment_sum(grad, indices, array_ops.shape(params)[0])
            if hasattr(math_ops, "unsorted_segment_sum") else None, None, None]


register_op("GatherV2", shape=_gather_shape, kernel=_gather_kernel, grad=_gather_grad)


def gather(params, indices, validate_indices=None, name=None, axis=0):
    """``tf.gather``: slices of ``params`` along ``axis`` at ``indices``."""
    params = convert_to_tensor(params)
    indices = convert_to_tensor(indices)
    a = axis if isinstance(axis, Tensor) else array_ops.constant(axis, dtype=_dtypes.int32,
                                                                 name="GatherV2/axis")
    return apply_op("GatherV2", [params, indices, a], [params.dtype.base_dtype],
                    attrs={"Tparams": params.dtype.base_dtype, "Tindices": indices.dtype,
                           "Taxis": a.dtype, "batch_dims": 0},
                    name=name or "GatherV2").outputs[0]


def _range_kernel(ctx, start, limit, delta):
    return ctx.xp.arange(start, limit, delta, dtype=ctx.attrs["Tidx"].as_numpy_dtype)


def _range_shape(op):
    vals = [constant_value(t) for t in op.inputs]
    if any(v is None for v in vals):
        return [TensorShape([None])]
    start, limit, delta = (float(v) for v in vals)
    if delta == 0:
        raise ValueError("Requires delta != 0")
    n = max(0, int(np.ceil((limit - start) / delta)))
    return [TensorShape([n])]


register_op("Range", shape=_range_shape, kernel=_range_kernel, grad=_NO_GRAD)


def range_(start, limit=None, delta=1, dtype=None, name="range"):
    """``tf.range``: a 1-D sequence from ``start`` up to (not including) ``limit``."""
    if limit is None:
        start, limit = 0, start
    with name_scope(name, "Range", [start, limit, delta]) as scope:
        tensors = [t for t in (start, limit, delta) if isinstance(t, Tensor)]
        if dtype is None:
            kinds = [convert_to_tensor(t).dtype.base_dtype for t in tensors] + [
                array_ops.convert_to_numpy_value(v).dtype for v in (start, limit, delta)
                if not isinstance(v, Tensor)]
            order = [_dtypes.int32, _dtypes.int64, _dtypes.float32, _dtypes.float64]
            dtype = max((_dtypes.as_dtype(k) for k in kinds),
                        key=lambda d: order.index(d) if d in order else 0)
        dtype = _dtypes.as_dtype(dtype)
        start = convert_to_tensor(start, dtype=dtype, name="start") if not isinstance(
            start, Tensor) else start
        limit = convert_to_tensor(limit, dtype=dtype, name="limit") if not isinstance(
            limit, Tensor) else limit
        delta = convert_to_tensor(delta, dtype=dtype, name="delta") if not isinstance(
            delta, Tensor) else delta
        return apply_op("Range", [start, limit, delta], [dtype], attrs={"Tidx": dtype},
                        name=scope).outputs[0]
