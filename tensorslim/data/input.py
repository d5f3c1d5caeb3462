"""TF1 input pipelines: ``tf.train.string_input_producer`` and friends, and the batching
functions ``tf.train.batch`` / ``shuffle_batch`` / ``batch_join`` / ``shuffle_batch_join``.

Every function builds a queue plus a :class:`~tensorslim.data.queue_runner.QueueRunner`
registered in ``QUEUE_RUNNERS``; ``tf.train.start_queue_runners`` then fills the queues on
threads.  ``num_epochs`` is counted by a LOCAL variable ``epochs`` (so
``tf.local_variables_initializer()`` must run, as in TF); after the last epoch the producer
queue closes and consumers get ``OutOfRangeError`` once the remaining full batches (or, with
``allow_smaller_final_batch``, the last partial one) are taken.
"""
import threading
import warnings

import numpy as np

from tensorslim.core import dtypes as _dtypes
from tensorslim.core import errors
from tensorslim.core.graph import (GraphKeys, Tensor, colocate_with, control_dependencies,
                                   convert_to_tensor, name_scope)
from tensorslim.core.op_util import apply_op, constant_value
from tensorslim.core.ops import (array_ops, check_ops, cond_ops, control_flow_ops, manip_ops,
                                 math_ops, random_ops, state_ops)
from tensorslim.core.registry import not_differentiable_marker, register_op
from tensorslim.core.sparse_tensor import SparseTensor, convert_to_tensor_or_sparse_tensor
from tensorslim.core.tensor_shape import TensorShape, as_shape
from tensorslim.core.variables import ScopeReuseWarning, Variable
from tensorslim.data import queues as _queues
from tensorslim.data.queue_runner import QueueRunner, add_queue_runner
from tensorslim.data.readers import matching_files

__all__ = ["count_up_to", "limit_epochs", "input_producer", "string_input_producer",
           "range_input_producer", "slice_input_producer", "match_filenames_once", "batch",
           "maybe_batch", "batch_join", "maybe_batch_join", "shuffle_batch",
           "maybe_shuffle_batch", "shuffle_batch_join", "maybe_shuffle_batch_join"]

_NO_GRAD = not_differentiable_marker()


# --------------------------------------------------------------------------- CountUpTo

def _count_up_to_kernel(ctx, ref):
    limit = ctx.attrs["limit"]
    with ctx.state:
        value = ref.get()
        current = int(ctx.to_host(value))
        if current >= limit:
            raise errors.OutOfRangeError(None, ctx.op, "Reached limit of %d" % limit)
        ref.set(ctx.to_device(np.asarray(current + 1, dtype=ctx.attrs["T"].as_numpy_dtype)))
    return value


def _count_up_to_context(ctx):
    ctx.state = threading.Lock()


register_op("CountUpTo", shape=lambda op: [op.inputs[0].shape], kernel=_count_up_to_kernel,
            make_context=_count_up_to_context, ref_inputs=(0,), stateful=True, grad=_NO_GRAD)


def count_up_to(ref, limit, name=None):
    """``tf.count_up_to``: increments variable ``ref`` until it reaches ``limit``.

    Returns:
      The value before the increment; running it once the variable equals ``limit``
      raises ``OutOfRangeError``.
    """
    r = state_ops.ref_input(ref)
    if r.dtype.base_dtype not in (_dtypes.int32, _dtypes.int64):
        raise TypeError("Value passed to parameter 'ref' has DataType %s not in list of allowed "
                        "values: int32, int64" % r.dtype.base_dtype.name)
    with colocate_with(r.op):
        return apply_op("CountUpTo", [r], [r.dtype.base_dtype],
                        attrs={"limit": int(limit), "T": r.dtype.base_dtype},
                        name=name or "CountUpTo").outputs[0]


# --------------------------------------------------------------------------- producers

def limit_epochs(tensor, num_epochs=None, name=None):
    """Returns ``tensor``, but raises ``OutOfRangeError`` after ``num_epochs`` evaluations.

    The count lives in a LOCAL variable named ``epochs``.

    Raises:
      ValueError: ``num_epochs`` is not positive.
    """
    if num_epochs is None:
        return tensor
    if num_epochs <= 0:
        raise ValueError("num_epochs must be > 0 not %d." % num_epochs)
    with name_scope(name, "limit_epochs", [tensor]) as scope:
        zero64 = array_ops.constant(0, dtype=_dtypes.int64)
        with warnings.catch_warnings():
            # Each producer has its own counter by design; not a weight-sharing mistake.
            warnings.simplefilter("ignore", ScopeReuseWarning)
            epochs = Variable(zero64, name="epochs", trainable=False,
                              collections=[GraphKeys.LOCAL_VARIABLES])
        counter = count_up_to(epochs, num_epochs)
        with control_dependencies([counter]):
            return array_ops.identity(tensor, name=scope)


def _add_summary(name, value_fn):
    """Adds TF's queue-fullness scalar summary once tf.summary's ops exist."""
    from tensorslim import summary   # imported late: tf.summary builds on the op library
    scalar = getattr(summary, "scalar", None)
    if scalar is not None:
        scalar(name, value_fn())


def input_producer(input_tensor, element_shape=None, num_epochs=None, shuffle=True, seed=None,
                   capacity=32, shared_name=None, summary_name=None, name=None,
                   cancel_op=None):
    """Outputs the rows of ``input_tensor`` to a queue, epoch after epoch.

    Args:
      input_tensor: a Tensor with at least one dimension.
      element_shape: the shape of a row, when ``input_tensor``'s is not fully known.
      num_epochs: stop after this many passes (OutOfRangeError), or cycle forever (None).
      shuffle: shuffle the rows within each epoch.
      seed: the shuffling seed.
      capacity: the queue's capacity.
      shared_name: share the queue across sessions under this name.
      summary_name: add a scalar summary of the queue's fullness under this name.
      name: the name scope.
      cancel_op: the op cancelling the queue (default: close it, cancelling enqueues).

    Returns:
      The FIFOQueue of rows (its runner is added to QUEUE_RUNNERS).

    Raises:
      ValueError: the row shape is unknown.
    """
    with name_scope(name, "input_producer", [input_tensor]) as scope:
        input_tensor = convert_to_tensor(input_tensor, name="input_tensor")
        row_shape = input_tensor.shape[1:] if input_tensor.shape.ndims is not None \
            else TensorShape(None)
        if element_shape is not None:
            row_shape = row_shape.merge_with(as_shape(element_shape))
        if not row_shape.is_fully_defined():
            raise ValueError("Either `input_tensor` must have a fully defined shape or "
                             "`element_shape` must be specified")
        if shuffle:
            input_tensor = _random_shuffle(input_tensor, seed)
        input_tensor = limit_epochs(input_tensor, num_epochs)
        queue = _queues.FIFOQueue(capacity=capacity, dtypes=[input_tensor.dtype.base_dtype],
                                  shapes=[row_shape], shared_name=shared_name,
                                  name=scope or "input_producer")
        enqueue = queue.enqueue_many([input_tensor])
        add_queue_runner(QueueRunner(queue, [enqueue], cancel_op=cancel_op))
        if summary_name is not None:
            _add_summary(summary_name, lambda: math_ops.multiply(
                math_ops.cast(queue.size(), _dtypes.float32), 1.0 / capacity))
        return queue


def _random_shuffle(tensor, seed):
    return random_ops.random_shuffle(tensor, seed=seed)


def _assert_not_empty(tensor, message):
    """``tensor``, checked at run time to have at least one element (as TF's Assert)."""
    size = array_ops.size(tensor)
    with control_dependencies([check_ops.Assert(math_ops.greater(size, 0), [message])]):
        return array_ops.identity(tensor)


def string_input_producer(string_tensor, num_epochs=None, shuffle=True, seed=None, capacity=32,
                          shared_name=None, name=None, cancel_op=None):
    """Outputs strings (usually filenames) to a queue for a reader.

    Args:
      string_tensor: a 1-D string Tensor or list of strings.
      num_epochs: pass over the strings this many times (then OutOfRangeError), or
        forever (None).  The counter is a local variable: run
        ``tf.local_variables_initializer()``.
      shuffle: shuffle the strings within each epoch.
      seed, capacity, shared_name, name, cancel_op: as for :func:`input_producer`.

    Returns:
      A FIFOQueue of string scalars.

    Raises:
      ValueError: ``string_tensor`` is an empty list (an empty Tensor fails at run time,
        in the runner thread, and the reader gets that error).
    """
    not_null_err = "string_input_producer requires a non-null input tensor"
    if not isinstance(string_tensor, Tensor) and not hasattr(string_tensor, "_as_graph_element") \
            and not len(string_tensor):
        raise ValueError(not_null_err)
    with name_scope(name, "input_producer", [string_tensor]) as scope:
        string_tensor = convert_to_tensor(string_tensor, dtype=_dtypes.string)
        string_tensor = _assert_not_empty(string_tensor, not_null_err)
        return input_producer(input_tensor=string_tensor, element_shape=[],
                              num_epochs=num_epochs, shuffle=shuffle, seed=seed,
                              capacity=capacity, shared_name=shared_name, name=scope,
                              summary_name="fraction_of_%d_full" % capacity,
                              cancel_op=cancel_op)


def range_input_producer(limit, num_epochs=None, shuffle=True, seed=None, capacity=32,
                         shared_name=None, name=None):
    """Outputs the integers ``0 .. limit-1`` to a queue, epoch after epoch.

    Returns:
      A FIFOQueue of int32 scalars.
    """
    with name_scope(name, "input_producer", [limit]) as scope:
        range_tensor = manip_ops.range_(limit)
        return input_producer(range_tensor, [], num_epochs, shuffle, seed, capacity,
                              shared_name, "fraction_of_%d_full" % capacity, scope)


def slice_input_producer(tensor_list, num_epochs=None, shuffle=True, seed=None, capacity=32,
                         shared_name=None, name=None):
    """Produces slices (rows) of each tensor in ``tensor_list``, the same row of each.

    Returns:
      A list of Tensors, the current row of each input (run through a queue of indices).

    Raises:
      ValueError: ``tensor_list`` is empty.
    """
    with name_scope(name, "input_producer", list(tensor_list)):
        tensor_list = [convert_to_tensor(t) for t in tensor_list]
        if not tensor_list:
            raise ValueError("Expected at least one tensor in slice_input_producer().")
        first = tensor_list[0].shape
        if first.ndims is not None and first.ndims > 0 and first[0].value is not None:
            range_size = first[0].value
        else:
            range_size = manip_ops.gather(array_ops.shape(tensor_list[0]), 0)
        for t in tensor_list[1:]:
            if t.shape.ndims and first.ndims and t.shape[0].value is not None and \
                    first[0].value is not None and t.shape[0].value != first[0].value:
                raise ValueError("slice_input_producer: all tensors must have the same size "
                                 "in dimension 0, but %s has %d and %s has %d"
                                 % (tensor_list[0].name, first[0].value, t.name,
                                    t.shape[0].value))
        queue = range_input_producer(range_size, num_epochs=num_epochs, shuffle=shuffle,
                                     seed=seed, capacity=capacity, shared_name=shared_name)
        index = queue.dequeue()
        return [manip_ops.gather(t, index) for t in tensor_list]


def match_filenames_once(pattern, name=None):
    """A LOCAL variable holding the files matching ``pattern``, computed when initialized.

    Run ``tf.local_variables_initializer()`` before use.
    """
    with name_scope(name, "matching_filenames", [pattern]) as scope:
        return Variable(matching_files(pattern), name=scope or "matching_filenames",
                        trainable=False, validate_shape=False,
                        collections=[GraphKeys.LOCAL_VARIABLES])


# --------------------------------------------------------------------------- batching helpers

def _as_tensor_list(tensors, fn_name):
    if isinstance(tensors, dict):
        return [tensors[k] for k in sorted(tensors, key=str)]
    if isinstance(tensors, (Tensor, SparseTensor)) or hasattr(tensors, "_as_graph_element"):
        raise TypeError("%s() takes a list, tuple or dict of tensors, got %s; wrap a single "
                        "tensor in a list." % (fn_name, tensors))
    return list(tensors)


def _as_original_type(original, tensor_list):
    if isinstance(original, dict):
        if len(original) == 1:
            tensor_list = [tensor_list]   # a one-component dequeue is a bare tensor
        return {k: tensor_list[i] for i, k in enumerate(sorted(original, key=str))}
    return tensor_list


def _validate(tensor_list, fn_name):
    tensor_list = [convert_to_tensor_or_sparse_tensor(t) for t in tensor_list]
    if not tensor_list:
        raise ValueError("Expected at least one tensor in %s()." % fn_name)
    return tensor_list


def _validate_join(tensor_list_list, fn_name):
    tensor_list_list = [[convert_to_tensor_or_sparse_tensor(t) for t in tl]
                        for tl in tensor_list_list]
    if not tensor_list_list:
        raise ValueError("Expected at least one input in %s()." % fn_name)
    return tensor_list_list


def _validate_keep_input(keep_input, enqueue_many):
    if isinstance(keep_input, (bool, np.bool_)):
        return bool(keep_input)
    keep_input = convert_to_tensor(keep_input, dtype=_dtypes.bool)
    value = constant_value(keep_input)
    if keep_input.shape.ndims is None:
        raise ValueError("keep_input dimensions must be known at graph construction.")
    if not enqueue_many and keep_input.shape.ndims == 1:
        raise ValueError("`keep_input` cannot be a vector when `enqueue_many=False`.")
    if keep_input.shape.ndims > 1:
        raise ValueError("`keep_input` must be 0 or 1 dimensions.")
    if value is not None and np.ndim(value) == 0:
        return bool(value)
    return keep_input


def _dtypes_of(tensor_list_list):
    types = [t.dtype.base_dtype for t in tensor_list_list[0]]
    for other in tensor_list_list[1:]:
        other_types = [t.dtype.base_dtype for t in other]
        if other_types != types:
            raise TypeError("Expected types to be consistent: %s vs. %s."
                            % (", ".join(t.name for t in types),
                               ", ".join(t.name for t in other_types)))
    return types


def _merge_shapes(shapes, enqueue_many):
    shapes = [as_shape(s) for s in shapes]
    if enqueue_many:
        shapes = [s.with_rank_at_least(1)[1:] for s in shapes]
    merged = shapes[0]
    for s in shapes[1:]:
        merged = merged.merge_with(s)
    return merged


def _shapes(tensor_list_list, shapes, enqueue_many):
    if shapes is not None:
        return shapes
    n = len(tensor_list_list[0])
    for tl in tensor_list_list:
        if len(tl) != n:
            raise ValueError("Expecting all the lists of tensors to have the same length, got "
                             "%d and %d" % (n, len(tl)))
        for t in tl:
            if t.shape.ndims is None:
                raise ValueError("Cannot infer Tensor's rank: %s" % (t,))
    return [_merge_shapes([tl[i].shape for tl in tensor_list_list], enqueue_many)
            for i in range(n)]


def _make_queue(make, fn_name):
    try:
        return make()
    except ValueError as e:
        if "fully defined" not in str(e):
            raise
        raise ValueError("%s (%s() needs the shape of every input: pass shapes=..., set "
                         "them with tensor.set_shape(), or use dynamic_pad=True in batch())"
                         % (e, fn_name)) from None


def _enqueue_op(queue, tensor_list, enqueue_many, keep_input):
    enqueue_fn = queue.enqueue_many if enqueue_many else queue.enqueue
    if keep_input is True:
        return enqueue_fn(tensor_list)
    if keep_input is False:
        return control_flow_ops.no_op()
    if keep_input.shape.ndims == 1:
        raise NotImplementedError("A vector `keep_input` (per-example filtering with "
                                  "enqueue_many=True) is not supported by tensorslim.")
    return cond_ops.cond(keep_input, lambda: enqueue_fn(tensor_list), control_flow_ops.no_op)


def _enqueue(queue, tensor_list, threads, enqueue_many, keep_input):
    op = _enqueue_op(queue, tensor_list, enqueue_many, keep_input)
    add_queue_runner(QueueRunner(queue, [op] * threads))


def _enqueue_join(queue, tensor_list_list, enqueue_many, keep_input):
    ops = [_enqueue_op(queue, tl, enqueue_many, keep_input) for tl in tensor_list_list]
    add_queue_runner(QueueRunner(queue, ops))


def _dequeue(queue, batch_size, allow_smaller_final_batch, name):
    if allow_smaller_final_batch:
        return queue.dequeue_up_to(batch_size, name=name)
    return queue.dequeue_many(batch_size, name=name)


def _dequeue_batch(queue, batch_size, allow_smaller_final_batch, name, sparse_info, template):
    """The dequeued batch, sparse tensors restored, in the structure of ``template``."""
    dequeued = _dequeue(queue, batch_size, allow_smaller_final_batch, name)
    dequeued = _restore_sparse_tensors(dequeued, sparse_info)
    return _as_original_type(template, dequeued)


# --------------------------------------------------------------------------- sparse in batches
# A SparseTensor goes through a queue as an int64 handle into a per-session map
# (AddSparseToTensorsMap); the batch is rebuilt from the dequeued handles
# (TakeManySparseFromTensorsMap), as TF does.

_SPARSE_MAPS_KEY = "__tensorslim_sparse_maps__"


class _SparseMap:
    def __init__(self):
        self.lock = threading.Lock()
        self.entries = {}
        self.next_handle = 1


def _sparse_map(ctx, shared_name):
    maps = ctx.session._resources.setdefault(_SPARSE_MAPS_KEY, {})
    return maps.setdefault(shared_name, _SparseMap())


def _map_name(op):
    return op.get_attr("shared_name") or op.name


def _add_sparse_kernel(ctx, indices, values, shape):
    smap = _sparse_map(ctx, _map_name(ctx.op))
    with smap.lock:
        handle = smap.next_handle
        smap.next_handle += 1
        smap.entries[handle] = (indices, values, shape)
    return ctx.asarray(handle, np.int64)


def _add_many_sparse_kernel(ctx, indices, values, shape):
    xp = ctx.xp
    if shape.shape[0] < 2:
        raise errors.InvalidArgumentError(None, ctx.op, "Rank of input SparseTensor should be "
                                          "> 1, but saw rank: %d" % shape.shape[0])
    n = int(shape[0])
    rows = indices[:, 0]
    order = xp.argsort(rows, kind="stable")
    bounds = xp.searchsorted(rows[order], xp.arange(n + 1)).tolist()
    smap = _sparse_map(ctx, _map_name(ctx.op))
    with smap.lock:
        first = smap.next_handle
        smap.next_handle += n
        # One map entry per minibatch row (bookkeeping, as TF's map does).
        smap.entries.update(
            (first + i, (indices[order[lo:hi], 1:], values[order[lo:hi]], shape[1:]))
            for i, (lo, hi) in enumerate(zip(bounds[:-1], bounds[1:])))
    return xp.arange(first, first + n, dtype=np.int64)


def _take_many_kernel(ctx, handles):
    xp = ctx.xp
    smap = _sparse_map(ctx, ctx.attrs["shared_name"])
    keys = handles.reshape(-1).tolist()
    with smap.lock:
        missing = [h for h in keys if h not in smap.entries]
        if missing:
            raise errors.InvalidArgumentError(
                None, ctx.op, "Unable to find SparseTensor: %d in map: %s"
                % (missing[0], ctx.attrs["shared_name"]))
        parts = [smap.entries.pop(h) for h in keys]
    ranks = {p[2].shape[0] for p in parts}
    if len(ranks) > 1:
        raise errors.InvalidArgumentError(None, ctx.op, "Inconsistent rank across "
                                          "SparseTensors: %s" % sorted(ranks))
    if not parts:
        raise errors.InvalidArgumentError(None, ctx.op, "No SparseTensor handles to take")
    rank = ranks.pop()
    counts = xp.asarray([p[1].shape[0] for p in parts], dtype=np.int64)
    batch_col = xp.repeat(xp.arange(len(parts), dtype=np.int64), counts)
    inner = xp.concatenate([p[0].reshape(-1, rank).astype(np.int64) for p in parts])
    out_indices = xp.concatenate([batch_col[:, None], inner], axis=1)
    out_values = xp.concatenate([p[1] for p in parts])
    dense = xp.max(xp.stack([p[2] for p in parts]), axis=0)
    out_shape = xp.concatenate([xp.asarray([len(parts)], dtype=np.int64),
                                dense.astype(np.int64)])
    return out_indices, out_values, out_shape


register_op("AddSparseToTensorsMap", shape=lambda op: [TensorShape([])],
            kernel=_add_sparse_kernel, stateful=True, host_only=True, grad=_NO_GRAD)
register_op("AddManySparseToTensorsMap", shape=lambda op: [TensorShape([None])],
            kernel=_add_many_sparse_kernel, stateful=True, host_only=True, grad=_NO_GRAD)
register_op("TakeManySparseFromTensorsMap",
            shape=lambda op: [TensorShape([None, None]), TensorShape([None]),
                              TensorShape([None])],
            kernel=_take_many_kernel, stateful=True, host_only=True, grad=_NO_GRAD)


def _store_sparse_tensors(tensor_list, enqueue_many):
    """Replaces SparseTensors by int64 handles; returns (list, info for restoring)."""
    info = []
    out = []
    for i, t in enumerate(tensor_list):
        if not isinstance(t, SparseTensor):
            out.append(t)
            info.append(None)
            continue
        op_type = "AddManySparseToTensorsMap" if enqueue_many else "AddSparseToTensorsMap"
        with name_scope(None, "store_sparse", [t.indices, t.values, t.dense_shape]) as scope:
            op = apply_op(op_type, [t.indices, t.values, t.dense_shape], [_dtypes.int64],
                          attrs={"T": t.dtype.base_dtype, "container": "", "shared_name": ""},
                          name=scope)
        rank = t.shape.ndims
        if enqueue_many and rank is not None:
            rank -= 1
        out.append(op.outputs[0])
        info.append((op, rank, t.dtype.base_dtype))
    return out, info


def _restore_sparse_tensors(dequeued, info):
    if not any(i is not None for i in info):
        return dequeued
    single = not isinstance(dequeued, (list, tuple))
    items = [dequeued] if single else list(dequeued)
    restored = []
    for t, entry in zip(items, info):
        if entry is None:
            restored.append(t)
            continue
        map_op, rank, dtype = entry
        with colocate_with(map_op), name_scope(None, "restore_sparse", [t]) as scope:
            op = apply_op("TakeManySparseFromTensorsMap", [t],
                          [_dtypes.int64, dtype, _dtypes.int64],
                          attrs={"dtype": dtype, "container": "",
                                 "shared_name": _map_name(map_op)}, name=scope)
        indices, values, shape = op.outputs
        if rank is not None:
            indices.set_shape([None, rank + 1])
            shape.set_shape([rank + 1])
        restored.append(SparseTensor(indices, values, shape))
    return restored[0] if single else restored


# --------------------------------------------------------------------------- batch

def _batch(tensors, batch_size, keep_input, num_threads=1, capacity=32, enqueue_many=False,
           shapes=None, dynamic_pad=False, allow_smaller_final_batch=False, shared_name=None,
           name=None, fn_name="batch"):
    tensor_list = _as_tensor_list(tensors, fn_name)
    with name_scope(name, "batch", [t for t in tensor_list if not isinstance(t, SparseTensor)]) \
            as scope:
        tensor_list = _validate(tensor_list, fn_name)
        keep_input = _validate_keep_input(keep_input, enqueue_many)
        tensor_list, sparse_info = _store_sparse_tensors(tensor_list, enqueue_many)
        types = _dtypes_of([tensor_list])
        shapes = _shapes([tensor_list], shapes, enqueue_many)
        queue_cls = _queues.PaddingFIFOQueue if dynamic_pad else _queues.FIFOQueue
        queue = _make_queue(lambda: queue_cls(capacity=capacity, dtypes=types, shapes=shapes,
                                              shared_name=shared_name), fn_name)
        _enqueue(queue, tensor_list, num_threads, enqueue_many, keep_input)
        _add_summary("fraction_of_%d_full" % capacity, lambda: math_ops.multiply(
            math_ops.cast(queue.size(), _dtypes.float32), 1.0 / capacity))
        return _dequeue_batch(queue, batch_size, allow_smaller_final_batch, scope,
                              sparse_info, tensors)


def _prepare_join(tensor_list_list, keep_input, enqueue_many, shapes, fn_name):
    """The validated inputs of a join, sparse tensors stored:
    ``(tensor_list_list, keep_input, sparse_info, types, shapes)``."""
    tensor_list_list = _validate_join(tensor_list_list, fn_name)
    keep_input = _validate_keep_input(keep_input, enqueue_many)
    stored = [_store_sparse_tensors(tl, enqueue_many) for tl in tensor_list_list]
    tensor_list_list = [s[0] for s in stored]
    sparse_info = stored[0][1]
    types = _dtypes_of(tensor_list_list)
    shapes = _shapes(tensor_list_list, shapes, enqueue_many)
    return tensor_list_list, keep_input, sparse_info, types, shapes


def _batch_join(tensors_list, batch_size, keep_input, capacity=32, enqueue_many=False,
                shapes=None, dynamic_pad=False, allow_smaller_final_batch=False,
                shared_name=None, name=None, fn_name="batch_join"):
    tensor_list_list = [_as_tensor_list(t, fn_name) for t in tensors_list]
    flat = [t for tl in tensor_list_list for t in tl if not isinstance(t, SparseTensor)]
    with name_scope(name, "batch_join", flat) as scope:
        tensor_list_list, keep_input, sparse_info, types, shapes = _prepare_join(
            tensor_list_list, keep_input, enqueue_many, shapes, fn_name)
        queue_cls = _queues.PaddingFIFOQueue if dynamic_pad else _queues.FIFOQueue
        queue = _make_queue(lambda: queue_cls(capacity=capacity, dtypes=types, shapes=shapes,
                                              shared_name=shared_name), fn_name)
        _enqueue_join(queue, tensor_list_list, enqueue_many, keep_input)
        _add_summary("fraction_of_%d_full" % capacity, lambda: math_ops.multiply(
            math_ops.cast(queue.size(), _dtypes.float32), 1.0 / capacity))
        return _dequeue_batch(queue, batch_size, allow_smaller_final_batch, scope,
                              sparse_info, tensors_list[0])


def _shuffle_fullness(queue, capacity, min_after_dequeue):
    def value():
        over = math_ops.maximum(0, math_ops.subtract(queue.size(), min_after_dequeue))
        return math_ops.multiply(math_ops.cast(over, _dtypes.float32),
                                 1.0 / (capacity - min_after_dequeue))
    _add_summary("fraction_over_%d_of_%d_full" % (min_after_dequeue,
                                                  capacity - min_after_dequeue), value)


def _shuffle_batch(tensors, batch_size, capacity, min_after_dequeue, keep_input, num_threads=1,
                   seed=None, enqueue_many=False, shapes=None, allow_smaller_final_batch=False,
                   shared_name=None, name=None, fn_name="shuffle_batch"):
    tensor_list = _as_tensor_list(tensors, fn_name)
    with name_scope(name, "shuffle_batch",
                    [t for t in tensor_list if not isinstance(t, SparseTensor)]) as scope:
        if capacity <= min_after_dequeue:
            raise ValueError("capacity %d must be bigger than min_after_dequeue %d."
                             % (capacity, min_after_dequeue))
        tensor_list = _validate(tensor_list, fn_name)
        keep_input = _validate_keep_input(keep_input, enqueue_many)
        tensor_list, sparse_info = _store_sparse_tensors(tensor_list, enqueue_many)
        types = _dtypes_of([tensor_list])
        shapes = _shapes([tensor_list], shapes, enqueue_many)
        queue = _make_queue(lambda: _queues.RandomShuffleQueue(
            capacity=capacity, min_after_dequeue=min_after_dequeue, seed=seed, dtypes=types,
            shapes=shapes, shared_name=shared_name), fn_name)
        _enqueue(queue, tensor_list, num_threads, enqueue_many, keep_input)
        _shuffle_fullness(queue, capacity, min_after_dequeue)
        return _dequeue_batch(queue, batch_size, allow_smaller_final_batch, scope,
                              sparse_info, tensors)


def _shuffle_batch_join(tensors_list, batch_size, capacity, min_after_dequeue, keep_input,
                        seed=None, enqueue_many=False, shapes=None,
                        allow_smaller_final_batch=False, shared_name=None, name=None,
                        fn_name="shuffle_batch_join"):
    tensor_list_list = [_as_tensor_list(t, fn_name) for t in tensors_list]
    flat = [t for tl in tensor_list_list for t in tl if not isinstance(t, SparseTensor)]
    with name_scope(name, "shuffle_batch_join", flat) as scope:
        if capacity <= min_after_dequeue:
            raise ValueError("capacity %d must be bigger than min_after_dequeue %d."
                             % (capacity, min_after_dequeue))
        tensor_list_list, keep_input, sparse_info, types, shapes = _prepare_join(
            tensor_list_list, keep_input, enqueue_many, shapes, fn_name)
        queue = _make_queue(lambda: _queues.RandomShuffleQueue(
            capacity=capacity, min_after_dequeue=min_after_dequeue, seed=seed, dtypes=types,
            shapes=shapes, shared_name=shared_name), fn_name)
        _enqueue_join(queue, tensor_list_list, enqueue_many, keep_input)
        _shuffle_fullness(queue, capacity, min_after_dequeue)
        return _dequeue_batch(queue, batch_size, allow_smaller_final_batch, scope,
                              sparse_info, tensors_list[0])


def batch(tensors, batch_size, num_threads=1, capacity=32, enqueue_many=False, shapes=None,
          dynamic_pad=False, allow_smaller_final_batch=False, shared_name=None, name=None):
    """Batches tensors in the order they are produced (``tf.train.batch``).

    A FIFOQueue of ``capacity`` elements is filled by ``num_threads`` threads running the
    ops computing ``tensors``; the result dequeues ``batch_size`` of them.

    Args:
      tensors: a list, tuple or dict of Tensors (or SparseTensors), one example (or, with
        ``enqueue_many``, a batch of examples along dimension 0).
      batch_size: the batch size.
      num_threads: the number of enqueuing threads (more threads: order not guaranteed).
      capacity: the queue's capacity.
      enqueue_many: each tensor is a batch of examples.
      shapes: the shapes of one example of each tensor (default: inferred).
      dynamic_pad: pad examples with unknown dimensions to the batch's largest.
      allow_smaller_final_batch: let the last batch be smaller instead of dropping it.
      shared_name: share the queue under this name.
      name: the name scope.

    Returns:
      Tensors like ``tensors``, each with a leading batch dimension.

    Raises:
      ValueError: shapes cannot be inferred or are not fully defined.
      TypeError: ``tensors`` is a bare Tensor.
    """
    return _batch(tensors, batch_size, True, num_threads, capacity, enqueue_many, shapes,
                  dynamic_pad, allow_smaller_final_batch, shared_name, name)


def maybe_batch(tensors, keep_input, batch_size, num_threads=1, capacity=32,
                enqueue_many=False, shapes=None, dynamic_pad=False,
                allow_smaller_final_batch=False, shared_name=None, name=None):
    """:func:`batch`, enqueuing an example only when the bool ``keep_input`` is true."""
    return _batch(tensors, batch_size, keep_input, num_threads, capacity, enqueue_many,
                  shapes, dynamic_pad, allow_smaller_final_batch, shared_name, name,
                  fn_name="maybe_batch")


def batch_join(tensors_list, batch_size, capacity=32, enqueue_many=False, shapes=None,
               dynamic_pad=False, allow_smaller_final_batch=False, shared_name=None, name=None):
    """Batches examples from several lists of tensors, one enqueuing thread per list
    (``tf.train.batch_join``).

    Returns:
      Tensors like ``tensors_list[0]``, each with a leading batch dimension.

    Raises:
      TypeError: the lists' dtypes differ.
    """
    return _batch_join(tensors_list, batch_size, True, capacity, enqueue_many, shapes,
                       dynamic_pad, allow_smaller_final_batch, shared_name, name)


def maybe_batch_join(tensors_list, keep_input, batch_size, capacity=32, enqueue_many=False,
                     shapes=None, dynamic_pad=False, allow_smaller_final_batch=False,
                     shared_name=None, name=None):
    """:func:`batch_join`, enqueuing an example only when ``keep_input`` is true."""
    return _batch_join(tensors_list, batch_size, keep_input, capacity, enqueue_many, shapes,
                       dynamic_pad, allow_smaller_final_batch, shared_name, name,
                       fn_name="maybe_batch_join")


def shuffle_batch(tensors, batch_size, capacity, min_after_dequeue, num_threads=1, seed=None,
                  enqueue_many=False, shapes=None, allow_smaller_final_batch=False,
                  shared_name=None, name=None):
    """Batches examples in random order (``tf.train.shuffle_batch``).

    A RandomShuffleQueue of ``capacity`` elements is filled by ``num_threads`` threads;
    each batch takes ``batch_size`` random elements, leaving at least
    ``min_after_dequeue`` behind while the input lasts (so early batches are well mixed).

    Args:
      tensors, batch_size, num_threads, enqueue_many, shapes, allow_smaller_final_batch,
        shared_name, name: as for :func:`batch`.
      capacity: the queue's capacity; must exceed ``min_after_dequeue``.
      min_after_dequeue: elements kept in the queue after a dequeue.
      seed: the shuffling seed.

    Returns:
      Tensors like ``tensors``, each with a leading batch dimension.

    Raises:
      ValueError: ``capacity <= min_after_dequeue``, or shapes are not fully defined.
    """
    return _shuffle_batch(tensors, batch_size, capacity, min_after_dequeue, True, num_threads,
                          seed, enqueue_many, shapes, allow_smaller_final_batch, shared_name,
                          name)


def maybe_shuffle_batch(tensors, batch_size, capacity, min_after_dequeue, keep_input,
                        num_threads=1, seed=None, enqueue_many=False, shapes=None,
                        allow_smaller_final_batch=False, shared_name=None, name=None):
    """:func:`shuffle_batch`, enqueuing an example only when ``keep_input`` is true."""
    return _shuffle_batch(tensors, batch_size, capacity, min_after_dequeue, keep_input,
                          num_threads, seed, enqueue_many, shapes, allow_smaller_final_batch,
                          shared_name, name, fn_name="maybe_shuffle_batch")


def shuffle_batch_join(tensors_list, batch_size, capacity, min_after_dequeue, seed=None,
                       enqueue_many=False, shapes=None, allow_smaller_final_batch=False,
                       shared_name=None, name=None):
    """:func:`shuffle_batch` over several lists of tensors, one enqueuing thread per list
    (``tf.train.shuffle_batch_join``)."""
    return _shuffle_batch_join(tensors_list, batch_size, capacity, min_after_dequeue, True,
                               seed, enqueue_many, shapes, allow_smaller_final_batch,
                               shared_name, name)


def maybe_shuffle_batch_join(tensors_list, batch_size, capacity, min_after_dequeue, keep_input,
                             seed=None, enqueue_many=False, shapes=None,
                             allow_smaller_final_batch=False, shared_name=None, name=None):
    """:func:`shuffle_batch_join`, enqueuing an example only when ``keep_input`` is true."""
    return _shuffle_batch_join(tensors_list, batch_size, capacity, min_after_dequeue,
                               keep_input, seed, enqueue_many, shapes,
                               allow_smaller_final_batch, shared_name, name,
                               fn_name="maybe_shuffle_batch_join")
