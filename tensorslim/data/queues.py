"""TF1 queues as graph ops: ``tf.FIFOQueue``, ``tf.RandomShuffleQueue``, ``tf.PaddingFIFOQueue``.

A queue op (``FIFOQueueV2``...) outputs a resource handle; its value in a session is a
host-side :class:`_QueueState` created once per session (or per ``shared_name``), holding
elements (in blocks: one host array per component, elements along dimension 0; see
"storage" below) behind a condition variable.  The
enqueue/dequeue ops take the handle as their first input and block on real threads, so
queue runners fill a queue while the training loop drains it.

A blocked operation wakes up with

* ``DeadlineExceededError`` when the run's ``RunOptions(timeout_in_ms)`` expires,
* ``CancelledError`` when the session is closed (or the queue is closed with
  ``cancel_pending_enqueues`` while an enqueue waits),
* ``OutOfRangeError`` when the queue is closed and cannot supply the elements,
* the exception of a failed queue runner thread that was filling the queue, and
* ``FailedPreconditionError`` when the queue is empty, has queue runners registered in the
  graph, and none of them was ever started in this session (TF would hang forever).
"""
import collections
import threading
import time

import numpy as np

from tensorslim.core import dtypes as _dtypes
from tensorslim.core import errors
from tensorslim.core import random_seed
from tensorslim.core.executor import current_deadline
from tensorslim.core.graph import GraphKeys, convert_to_tensor, get_default_graph, name_scope
from tensorslim.core.op_util import apply_op, constant_value
from tensorslim.core.registry import not_differentiable_marker, register_op
from tensorslim.core.tensor_shape import TensorShape, as_shape, unknown_shape

__all__ = ["QueueBase", "FIFOQueue", "RandomShuffleQueue", "PaddingFIFOQueue",
           "queue_from_op", "session_queue", "mark_runners_started", "RUNNER_GRACE_SECS"]

_NO_GRAD = not_differentiable_marker()

# How long a dequeue waits on an empty queue whose runners were never started before it
# says so (a runner started meanwhile, or a user thread enqueuing, ends the wait).
RUNNER_GRACE_SECS = 1.0
# Blocked ops re-check deadlines and runner status this often (they are also notified).
_POLL_SECS = 0.1
_REGISTRY_KEY = "__tensorslim_queues__"


# --------------------------------------------------------------------------- per session

class _SessionQueues:
    """A session's queues (by shared_name or op name) and the queues whose runners started."""

    def __init__(self):
        self.lock = threading.Lock()
        self.queues = {}
        self.started = set()


def _registry(session):
    reg = session._resources.get(_REGISTRY_KEY)
    if reg is None:
        reg = session._resources.setdefault(_REGISTRY_KEY, _SessionQueues())
    return reg


def mark_runners_started(session, queue_op_name):
    """Records that queue runners for the queue op ``queue_op_name`` run in ``session``."""
    reg = _registry(session)
    with reg.lock:
        reg.started.add(queue_op_name)


def session_queue(session, queue_op):
    """The host-side state of ``queue_op`` in ``session``, created if needed."""
    with session._lock:
        return session._kernel_context(queue_op, session._place(queue_op)).state


def _shape_str(shape):
    return "[%s]" % ",".join("?" if d is None else str(d) for d in shape)


# --------------------------------------------------------------------------- storage
# A queue stores its elements in blocks, one array per component with the elements along
# dimension 0, as enqueue_many hands them over: no array per element, one copy in and one
# gather (or slice) out per component. ``take(n)`` returns, per component, the list of
# arrays ("pieces") holding the dequeued elements along dimension 0, aligned across
# components; pieces are never changed afterwards.
#
# The FIFO store and the list of the shape-less random queue work under the queue's lock
# (``put``/``take`` keep references). The random pool copies elements in and out: so that
# the lock is not held (and other threads do not queue up behind it, then behind the GIL)
# while numpy copies, it reserves rows under the lock, copies without it, and commits under
# it again (``deferred``).

class _FifoStore:
    """First-in first-out: a deque of enqueued blocks, each with a read cursor."""

    deferred = False
    pending = filling = 0

    def __init__(self, n_components):
        self.n_components = n_components
        self.chunks = collections.deque()   # [components, start, stop]
        self.size = 0

    def put(self, components, start, stop):
        self.chunks.append([components, start, stop])
        self.size += stop - start

    def take(self, n):
        pieces = [[] for _ in range(self.n_components)]
        self.size -= n
        chunks = self.chunks
        while n:
            chunk = chunks[0]
            components, start, stop = chunk
            k = min(n, stop - start)
            for parts, c in zip(pieces, components):
                parts.append(c[start:start + k])
            if start + k == stop:
                chunks.popleft()
            else:
                chunk[1] = start + k
            n -= k
        return pieces


class _ShufflePool:
    """Random order, components of fixed shapes: one buffer per component (grown as needed,
    up to the capacity). ``live`` lists the rows holding elements (a dequeue draws
    positions in it), ``free`` the rows enqueues fill next; ``pending`` counts the rows that
    copies in flight (without the lock) hold, ``filling`` those of them being enqueued."""

    deferred = True

    def __init__(self, rng, dtypes, shapes, capacity):
        self.rng = rng
        self.dtypes = [np.dtype(d.as_numpy_dtype) for d in dtypes]
        self.shapes = shapes
        self.capacity = capacity
        self.buffers = [np.empty((0,) + s, dtype=d) for d, s in zip(self.dtypes, shapes)]
        self.live = np.empty(0, dtype=np.intp)
        self.free = np.empty(0, dtype=np.intp)
        self.pending = self.filling = 0

    @property
    def size(self):
        return len(self.live)

    def _grow(self, rows):
        have = len(self.buffers[0])
        # Geometrically, but not past the capacity (elements may be large).
        rows = max(rows, 2 * have, 64)
        if self.capacity is not None:
            rows = min(rows, self.capacity)
        new = [np.empty((rows,) + s, dtype=d) for d, s in zip(self.dtypes, self.shapes)]
        for b, old in zip(new, self.buffers):
            b[:have] = old
        self.buffers = new
        self.free = np.concatenate([self.free, np.arange(have, rows, dtype=np.intp)])

    # Enqueue: reserve (lock held), fill (lock released), commit or unreserve (lock held).
    def reserve(self, k):
        """Rows for ``k`` new elements; None while the buffers must grow but copies are in
        flight (the caller waits for them)."""
        if k > len(self.free):
            if self.pending:
                return None
            self._grow(len(self.buffers[0]) + k - len(self.free))
        rows, self.free = self.free[:k], self.free[k:]
        self.pending += k
        self.filling += k
        return rows

    def fill(self, rows, components, start, stop):
        """Copies rows ``start:stop`` of ``components`` in; returns the rows, in order."""
        k = stop - start
        lo = int(rows.min())
        if int(rows.max()) - lo == k - 1:
            # Distinct rows spanning k are rows lo..lo+k-1: one block copy.
            rows, target = np.arange(lo, lo + k, dtype=np.intp), slice(lo, lo + k)
        else:
            target = rows
        for b, c in zip(self.buffers, components):
            b[target] = c[start:stop]
        return rows

    def commit(self, rows):
        self.live = np.concatenate([self.live, rows])
        self.pending -= len(rows)
        self.filling -= len(rows)

    def unreserve(self, rows):
        self.free = np.concatenate([self.free, rows])
        self.pending -= len(rows)
        self.filling -= len(rows)

    # Dequeue: claim (lock held), gather (lock released), release (lock held).
    def claim(self, n):
        """Draws ``n`` elements (each uniform among those left) and removes them."""
        live = self.live
        taken = self.rng.choice(len(live), n, replace=False)
        left = np.ones(len(live), dtype=bool)
        left[taken] = False
        self.live = live[left]
        self.pending += n
        return live[taken]

    def gather(self, rows):
        return [[b.take(rows, axis=0)] for b in self.buffers]

    def release(self, rows):
        for b in self.buffers:
            if b.dtype == object:
                b[rows] = None   # let go of the strings handed out
        self.free = np.concatenate([self.free, np.sort(rows)])
        self.pending -= len(rows)


class _ShuffleList:
    """Random order, component shapes unspecified (so elements are dequeued one at a time):
    a list of elements (tuples of arrays)."""

    deferred = False
    pending = filling = 0

    def __init__(self, rng, n_components):
        self.rng = rng
        self.n_components = n_components
        self.items = []

    @property
    def size(self):
        return len(self.items)

    def put(self, components, start, stop):
        # ``c[j, ...]`` keeps each element an array (0-d too), unlike iterating over ``c``.
        self.items.extend(tuple(c[j, ...] for c in components) for j in range(start, stop))

    def take(self, n):
        # Without shapes, dequeues take one element: a draw and a swap with the last.
        items = self.items
        out = []
        for _ in range(n):
            j = int(self.rng.integers(len(items)))
            items[j], items[-1] = items[-1], items[j]
            out.append(items.pop())
        return [[e[i][None, ...] for e in out] for i in range(self.n_components)]


class _QueueState:
    """One queue's elements and waiters in one session."""

    def __init__(self, kind, op, session, capacity, dtypes, shapes, min_after_dequeue=0,
                 seeds=(0, 0)):
        self.kind = kind
        self.name = op.name
        self.graph = op.graph
        self.op_names = {op.name}
        self.session = session
        self.capacity = capacity if capacity is not None and capacity >= 0 else None
        self.dtypes = list(dtypes)
        self.shapes = [tuple(s.as_list()) for s in shapes] if shapes else None
        self.min_after_dequeue = min_after_dequeue
        self.random = kind == "RandomShuffleQueue"
        if self.random:
            seed = None if seeds == (0, 0) else [int(seeds[0]) & 0xFFFFFFFF,
                                                 int(seeds[1]) & 0xFFFFFFFF]
            rng = np.random.default_rng(seed)
            if self.shapes is not None and all(None not in s for s in self.shapes):
                self.store = _ShufflePool(rng, self.dtypes, self.shapes, self.capacity)
            else:
                self.store = _ShuffleList(rng, len(self.dtypes))
        else:
            self.store = _FifoStore(len(self.dtypes))
        self.cv = threading.Condition()
        self.closed = False
        self.cancel_enqueues = False
        self.session_closed = False
        self.runner_error = None

    # -- lifetime
    def close(self, cancel_pending_enqueues):
        with self.cv:
            self.closed = True
            if cancel_pending_enqueues:
                self.cancel_enqueues = True
            self.cv.notify_all()

    def session_closing(self):
        with self.cv:
            self.session_closed = True
            self.cv.notify_all()

    def record_runner_error(self, exc):
        """Remembers why a runner filling this queue died; consumers get it, not a hang."""
        with self.cv:
            if self.runner_error is None:
                self.runner_error = exc
            self.cv.notify_all()

    def size(self):
        return self.store.size

    # -- waiting
    def _runners_never_started(self):
        mine = [qr for qr in self.graph.get_collection(GraphKeys.QUEUE_RUNNERS)
                if _runner_queue_name(qr) in self.op_names]
        if not mine:
            return False
        started = _registry(self.session).started
        return not any(_runner_queue_name(qr) in started for qr in mine)

    def _not_started_message(self):
        return ("%s '%s' is empty and none of its queue runners was started in this session, "
                "so nothing will ever fill it. Call tf.train.start_queue_runners(sess=sess, "
                "coord=coord) after building the input pipeline and before running ops that "
                "read from it." % (self.kind, self.name))

    def _wait(self, ctx, started_at, dequeue):
        """Waits (condition held) for a change; raises on deadline or unstarted runners."""
        now = time.monotonic()
        deadline = current_deadline()
        never_started = dequeue and not self.closed and not self.store.size and \
            self._runners_never_started()
        if deadline is not None and now >= deadline:
            hint = " (%s)" % self._not_started_message() if never_started else ""
            raise errors.DeadlineExceededError(
                None, ctx.op, "Timed out waiting for notification%s" % hint)
        timeout = _POLL_SECS
        if deadline is not None:
            timeout = min(timeout, deadline - now)
        if never_started:
            if now - started_at >= RUNNER_GRACE_SECS:
                raise errors.FailedPreconditionError(None, ctx.op, self._not_started_message())
            timeout = min(timeout, started_at + RUNNER_GRACE_SECS - now)
        self.cv.wait(max(timeout, 1e-4))

    def _runner_failure(self, ctx):
        exc = self.runner_error
        cls = type(exc) if isinstance(exc, errors.OpError) else errors.UnknownError
        detail = exc.message if isinstance(exc, errors.OpError) else \
            "%s: %s" % (type(exc).__name__, exc)
        return cls(None, ctx.op, "%s '%s' cannot supply more elements: a queue runner thread "
                   "filling it failed with:\n%s" % (self.kind, self.name, detail))

    # -- enqueue
    def check_element_shapes(self, ctx, components, many):
        lead = 1 if many else 0
        for i, c in enumerate(components):
            got = tuple(c.shape[lead:])
            if self.shapes is None:
                continue
            want = self.shapes[i]
            if len(want) != len(got) or any(w is not None and w != g
                                            for w, g in zip(want, got)):
                expected = ((None,) if many else ()) + want
                raise errors.InvalidArgumentError(
                    None, ctx.op, "Shape mismatch in tuple component %d. Expected %s, got %s "
                    "(enqueuing into %s '%s')" % (i, _shape_str(expected),
                                                   _shape_str(c.shape), self.kind, self.name))

    def enqueue(self, ctx, components, n):
        """Adds the ``n`` elements of ``components`` (arrays with the elements along
        dimension 0, which the queue may keep); blocks while the queue is full."""
        store = self.store
        with self.cv:
            if self.closed:
                raise errors.CancelledError(None, ctx.op, "%s '%s' is closed."
                                            % (self.kind, self.name))
            start = time.monotonic()
            i = 0
            while i < n:
                if self.session_closed or self.cancel_enqueues:
                    raise errors.CancelledError(None, ctx.op, "Enqueue operation was cancelled")
                room = n - i if self.capacity is None else \
                    self.capacity - store.size - store.pending
                if room > 0:
                    take = min(room, n - i)
                    if not store.deferred:
                        store.put(components, i, i + take)
                    else:
                        rows = store.reserve(take)
                        if rows is None:
                            self._wait(ctx, start, dequeue=False)
                            continue
                        filled = None
                        self.cv.release()
                        try:
                            filled = store.fill(rows, components, i, i + take)
                        finally:
                            self.cv.acquire()
                            if filled is None:
                                store.unreserve(rows)
                                self.cv.notify_all()
                        store.commit(filled)
                    i += take
                    self.cv.notify_all()
                    continue
                self._wait(ctx, start, dequeue=False)

    # -- dequeue
    def dequeue(self, ctx, n, up_to=False):
        """Takes ``n`` elements (fewer with ``up_to`` once closed); blocks until it can.

        Returns:
          The elements, each a tuple of arrays (one per component).
        """
        elements = []
        for blocks in zip(*self.dequeue_blocks(ctx, n, up_to)):
            elements += [tuple(b[j, ...] for b in blocks) for j in range(len(blocks[0]))]
        return elements

    def dequeue_blocks(self, ctx, n, up_to=False):
        """Like :meth:`dequeue`, but returns per component the list of arrays holding the
        elements along dimension 0 (aligned across components)."""
        with self.cv:
            start = time.monotonic()
            while True:
                if self.session_closed:
                    raise errors.CancelledError(None, ctx.op, "Dequeue operation was cancelled")
                store = self.store
                size = store.size
                if self.closed:
                    # Enqueues are atomic: one that started before the close and is still
                    # copying (``filling``) counts, so wait for it before giving fewer.
                    ready = size >= n or (up_to and size > 0 and not store.filling)
                else:
                    ready = size - (self.min_after_dequeue if self.random else 0) >= n
                if ready:
                    if not store.deferred:
                        taken = store.take(min(n, size))
                    else:
                        rows = store.claim(min(n, size))
                        self.cv.release()
                        try:
                            taken = store.gather(rows)
                        finally:
                            self.cv.acquire()
                            store.release(rows)
                    self.cv.notify_all()
                    return taken
                if self.runner_error is not None:
                    raise self._runner_failure(ctx)
                if self.closed and not store.filling:
                    raise errors.OutOfRangeError(
                        None, ctx.op, "%s '%s' is closed and has insufficient elements "
                        "(requested %d, current size %d)" % (self.kind, self.name, n, size))
                self._wait(ctx, start, dequeue=True)


def _runner_queue_name(qr):
    queue = getattr(qr, "queue", None)
    ref = getattr(queue, "queue_ref", None)
    return ref.op.name if ref is not None else None


# --------------------------------------------------------------------------- queue ops

def _queue_context(kind):
    def make_context(ctx):
        op, attrs = ctx.op, ctx.attrs
        reg = _registry(ctx.session)
        key = attrs.get("shared_name") or op.name
        with reg.lock:
            q = reg.queues.get(key)
            if q is None:
                seeds = (attrs.get("seed", 0), attrs.get("seed2", 0))
                q = _QueueState(kind, op, ctx.session, attrs["capacity"],
                                attrs["component_types"], attrs["shapes"],
                                attrs.get("min_after_dequeue", 0), seeds)
                reg.queues[key] = q
                ctx.session._add_close_callback(q.session_closing)
            elif q.kind != kind or q.dtypes != list(attrs["component_types"]):
                raise errors.InvalidArgumentError(
                    None, op, "Shared queue '%s' is a %s with component types %s, but %s asks "
                    "for a %s with component types %s" % (
                        key, q.kind, [d.name for d in q.dtypes], op.name, kind,
                        [d.name for d in attrs["component_types"]]))
            q.op_names.add(op.name)
        ctx.state = q
    return make_context


def _scalar_shape(op):
    return [TensorShape([])]


for _type, _kind in (("FIFOQueueV2", "FIFOQueue"), ("PaddingFIFOQueueV2", "PaddingFIFOQueue"),
                     ("RandomShuffleQueueV2", "RandomShuffleQueue")):
    register_op(_type, shape=_scalar_shape, kernel=lambda ctx: ctx.state,
                make_context=_queue_context(_kind), stateful=True, host_only=True,
                grad=_NO_GRAD)


def _queue_shapes(op):
    """The component shapes of the queue feeding ``op`` (unknown ones when unspecified)."""
    handle_op = op.inputs[0].op
    types = op.get_attr("component_types")
    try:
        shapes = handle_op.get_attr("shapes")
    except ValueError:
        shapes = None
    if not shapes:
        return [unknown_shape() for _ in types]
    return [as_shape(s) for s in shapes]


def _dequeue_shape(op):
    return _queue_shapes(op)


def _dequeue_many_shape(op):
    n = constant_value(op.inputs[1])
    batch = None if n is None else int(n)
    return [TensorShape([batch]).concatenate(s) for s in _queue_shapes(op)]


def _dequeue_up_to_shape(op):
    return [TensorShape([None]).concatenate(s) for s in _queue_shapes(op)]


def _no_outputs(op):
    return []


def _copy_host(ctx, array):
    # Enqueued values must not alias arrays the caller may change (fed numpy arrays).
    return ctx.xp.array(array, copy=True)


def _enqueue_kernel(ctx, queue, *components):
    queue.check_element_shapes(ctx, components, many=False)
    queue.enqueue(ctx, [_copy_host(ctx, c)[None, ...] for c in components], 1)


def _enqueue_many_kernel(ctx, queue, *components):
    sizes = []
    for i, c in enumerate(components):
        if c.ndim == 0:
            raise errors.InvalidArgumentError(
                None, ctx.op, "EnqueueMany into %s '%s': component %d is a scalar, but every "
                "component needs a leading batch dimension" % (queue.kind, queue.name, i))
        sizes.append(c.shape[0])
    if len(set(sizes)) > 1:
        raise errors.InvalidArgumentError(
            None, ctx.op, "EnqueueMany into %s '%s' requires the 0th dimension of all "
            "components to match, but got sizes %s" % (queue.kind, queue.name, sizes))
    queue.check_element_shapes(ctx, components, many=True)
    n = sizes[0] if sizes else 0
    # The random queue's pool copies what it keeps; the FIFO queues keep these copies.
    copies = components if isinstance(queue.store, _ShufflePool) else \
        [_copy_host(ctx, c) for c in components]
    queue.enqueue(ctx, copies, n)


def _assemble(ctx, queue, pieces):
    """One array per component from the dequeued pieces (padding for PaddingFIFOQueue)."""
    xp = ctx.xp
    out = []
    for i, dtype in enumerate(queue.dtypes):
        np_dtype = dtype.as_numpy_dtype
        parts = pieces[i]
        if not parts:
            out.append(xp.zeros((0,) + tuple(d or 0 for d in queue.shapes[i]), dtype=np_dtype))
            continue
        shapes = {p.shape[1:] for p in parts}
        if len(shapes) == 1:
            out.append(parts[0] if len(parts) == 1 else xp.concatenate(parts))
            continue
        if queue.kind != "PaddingFIFOQueue":
            raise errors.InvalidArgumentError(
                None, ctx.op, "%s '%s': cannot batch component %d, whose elements have "
                "different shapes %s" % (queue.kind, queue.name, i, sorted(shapes)))
        full = tuple(max(dims) for dims in zip(*shapes))
        rows = sum(len(p) for p in parts)
        batch = xp.full((rows,) + full, b"" if np_dtype is np.object_ else 0, dtype=np_dtype)
        row = 0
        for p in parts:
            batch[(slice(row, row + len(p)),) + tuple(slice(0, d) for d in p.shape[1:])] = p
            row += len(p)
        out.append(batch)
    return out


def _check_batchable(ctx, queue):
    if queue.shapes is None:
        raise errors.InvalidArgumentError(
            None, ctx.op, "%s's DequeueMany and DequeueUpTo require the components to have "
            "specified shapes (queue '%s')." % (queue.kind, queue.name))


def _result(values):
    return values[0] if len(values) == 1 else tuple(values)


def _dequeue_kernel(ctx, queue):
    pieces = queue.dequeue_blocks(ctx, 1)
    return _result([parts[0][0, ...] for parts in pieces])


def _dequeue_many_kernel(ctx, queue, n):
    _check_batchable(ctx, queue)
    n = int(n)
    if n < 0:
        raise errors.InvalidArgumentError(None, ctx.op, "DequeueMany: n must be >= 0, got %d"
                                          % n)
    pieces = queue.dequeue_blocks(ctx, n) if n else [[] for _ in queue.dtypes]
    return _result(_assemble(ctx, queue, pieces))


def _dequeue_up_to_kernel(ctx, queue, n):
    _check_batchable(ctx, queue)
    n = int(n)
    if n < 0:
        raise errors.InvalidArgumentError(None, ctx.op, "DequeueUpTo: n must be >= 0, got %d"
                                          % n)
    pieces = queue.dequeue_blocks(ctx, n, up_to=True) if n else [[] for _ in queue.dtypes]
    return _result(_assemble(ctx, queue, pieces))


def _close_kernel(ctx, queue):
    queue.close(ctx.attrs["cancel_pending_enqueues"])


register_op("QueueEnqueueV2", shape=_no_outputs, kernel=_enqueue_kernel, stateful=True,
            host_only=True, grad=_NO_GRAD)
register_op("QueueEnqueueManyV2", shape=_no_outputs, kernel=_enqueue_many_kernel,
            stateful=True, host_only=True, grad=_NO_GRAD)
register_op("QueueDequeueV2", shape=_dequeue_shape, kernel=_dequeue_kernel, stateful=True,
            host_only=True, grad=_NO_GRAD)
register_op("QueueDequeueManyV2", shape=_dequeue_many_shape, kernel=_dequeue_many_kernel,
            stateful=True, host_only=True, grad=_NO_GRAD)
register_op("QueueDequeueUpToV2", shape=_dequeue_up_to_shape, kernel=_dequeue_up_to_kernel,
            stateful=True, host_only=True, grad=_NO_GRAD)
register_op("QueueCloseV2", shape=_no_outputs, kernel=_close_kernel, stateful=True,
            host_only=True, grad=_NO_GRAD)
register_op("QueueSizeV2", shape=_scalar_shape,
            kernel=lambda ctx, q: ctx.asarray(q.size(), np.int32), stateful=True,
            host_only=True, grad=_NO_GRAD)
register_op("QueueIsClosedV2", shape=_scalar_shape,
            kernel=lambda ctx, q: ctx.asarray(q.closed, np.bool_), stateful=True,
            host_only=True, grad=_NO_GRAD)


# --------------------------------------------------------------------------- Python API

def _as_type_list(dtypes):
    if isinstance(dtypes, (list, tuple)):
        return [_dtypes.as_dtype(d).base_dtype for d in dtypes]
    return [_dtypes.as_dtype(dtypes).base_dtype]


def _as_shape_list(shapes, dtypes, unknown_dim_allowed=False, unknown_rank_allowed=False):
    if shapes is None:
        return None
    if isinstance(shapes, TensorShape):
        shapes = [shapes]
    if not isinstance(shapes, (tuple, list)):
        raise TypeError("shapes must be a TensorShape or a list or tuple of TensorShapes.")
    if all(s is None or isinstance(s, int) for s in shapes):
        shapes = [shapes]   # one shape given as a list of dims
    shapes = [as_shape(s) for s in shapes]
    if not unknown_dim_allowed and any(not s.is_fully_defined() for s in shapes):
        raise ValueError("All shapes must be fully defined: %s" % (shapes,))
    if not unknown_rank_allowed and any(s.ndims is None for s in shapes):
        raise ValueError("All shapes must have a defined rank: %s" % (shapes,))
    if len(shapes) != len(dtypes):
        raise ValueError("Queue shapes must have the same length as dtypes: %d shapes for %d "
                         "dtypes" % (len(shapes), len(dtypes)))
    return shapes


def _as_name_list(names, dtypes):
    if names is None:
        return None
    if not isinstance(names, (list, tuple)):
        names = [names]
    if len(names) != len(dtypes):
        raise ValueError("List of names must have the same length as the list of dtypes")
    return list(names)


class QueueBase:
    """Base class of the queues (``tf.QueueBase``): the ops on a queue handle.

    Args:
      dtypes: the component dtypes.
      shapes: the component shapes (TensorShapes), or None when unspecified.
      names: the component names (then elements are dicts), or None.
      queue_ref: the queue's resource handle Tensor.
    """

    def __init__(self, dtypes, shapes, names, queue_ref):
        self._dtypes = list(dtypes)
        self._shapes = list(shapes) if shapes is not None else \
            [unknown_shape() for _ in self._dtypes]
        self._names = names
        self._queue_ref = queue_ref
        self._name = queue_ref.op.name.split("/")[-1]

    @property
    def queue_ref(self):
        """The queue's resource handle."""
        return self._queue_ref

    @property
    def name(self):
        """The name of the queue op."""
        return self._queue_ref.op.name

    @property
    def dtypes(self):
        """The component dtypes."""
        return self._dtypes

    @property
    def shapes(self):
        """The component shapes (unknown shapes when none were given)."""
        return self._shapes

    @property
    def names(self):
        """The component names, or None."""
        return self._names

    def _check_enqueue_dtypes(self, vals):
        if isinstance(vals, dict):
            if not self._names:
                raise ValueError("Queue must have names to enqueue a dictionary")
            if sorted(self._names, key=str) != sorted(vals.keys(), key=str):
                raise ValueError("Keys in dictionary to enqueue do not match names of Queue.  "
                                 "Dictionary: (%s), Queue: (%s)"
                                 % (sorted(vals.keys(), key=str), sorted(self._names, key=str)))
            vals = [vals[k] for k in self._names]
        else:
            if self._names:
                raise ValueError("You must enqueue a dictionary in a Queue with names")
            if not isinstance(vals, (list, tuple)):
                vals = [vals]
        if len(vals) != len(self._dtypes):
            raise ValueError("Queue '%s' has %d components, but %d values were given to "
                             "enqueue" % (self.name, len(self._dtypes), len(vals)))
        return [convert_to_tensor(v, dtype=dt, name="component_%d" % i)
                for i, (v, dt) in enumerate(zip(vals, self._dtypes))]

    def _scope_vals(self, vals):
        if isinstance(vals, dict):
            return list(vals.values())
        if isinstance(vals, (list, tuple)):
            return list(vals)
        return [vals]

    def enqueue(self, vals, name=None):
        """Enqueues one element (a tensor, a list/tuple of tensors, or a dict with names).

        Returns:
          The enqueue Operation; it blocks while the queue is full.

        Raises:
          ValueError: a value's shape is incompatible with its component's shape.
        """
        with name_scope(name, "%s_enqueue" % self._name, self._scope_vals(vals)) as scope:
            vals = self._check_enqueue_dtypes(vals)
            for val, shape in zip(vals, self._shapes):
                _assert_compatible(val.shape, shape)
            return apply_op("QueueEnqueueV2", [self._queue_ref] + vals, [],
                            attrs={"Tcomponents": [v.dtype.base_dtype for v in vals],
                                   "timeout_ms": -1}, name=scope)

    def enqueue_many(self, vals, name=None):
        """Enqueues the slices of ``vals`` along dimension 0 as separate elements.

        Raises:
          ValueError: a value has rank 0, mismatching batch sizes, or incompatible shapes.
        """
        with name_scope(name, "%s_EnqueueMany" % self._name, self._scope_vals(vals)) as scope:
            vals = self._check_enqueue_dtypes(vals)
            batch_dim = None
            for val, shape in zip(vals, self._shapes):
                s = val.shape
                if s.ndims == 0:
                    raise ValueError("Shape must be at least rank 1 but is rank 0 (enqueue_many "
                                     "into queue '%s': every value needs a batch dimension)"
                                     % self.name)
                if s.ndims is not None:
                    _assert_compatible(s[1:], shape)
                    d = s.as_list()[0]
                    if d is not None:
                        if batch_dim is not None and d != batch_dim:
                            raise ValueError("Dimension 0 in both shapes must be equal, but "
                                             "are %d and %d (enqueue_many into queue '%s')"
                                             % (batch_dim, d, self.name))
                        batch_dim = d
            return apply_op("QueueEnqueueManyV2", [self._queue_ref] + vals, [],
                            attrs={"Tcomponents": [v.dtype.base_dtype for v in vals],
                                   "timeout_ms": -1}, name=scope)

    def _dequeue_return_value(self, tensors):
        if self._names:
            return {n: tensors[i] for i, n in enumerate(self._names)}
        if len(tensors) == 1:
            return tensors[0]
        return tensors

    def dequeue(self, name=None):
        """Dequeues one element; blocks until one is available.

        Returns:
          The element: a Tensor (one component), a list of Tensors, or a dict with names.
        """
        if name is None:
            name = "%s_Dequeue" % self._name
        op = apply_op("QueueDequeueV2", [self._queue_ref], self._dtypes,
                      attrs={"component_types": self._dtypes, "timeout_ms": -1}, name=name)
        return self._dequeue_return_value(op.outputs)

    def _dequeue_n(self, op_type, default, n, name):
        with name_scope(name, default, [n]) as scope:
            n = convert_to_tensor(n, dtype=_dtypes.int32, name="n")
            op = apply_op(op_type, [self._queue_ref, n], self._dtypes,
                          attrs={"component_types": self._dtypes, "timeout_ms": -1},
                          name=scope)
        return self._dequeue_return_value(op.outputs)

    def dequeue_many(self, n, name=None):
        """Dequeues ``n`` elements concatenated along a new dimension 0.

        Blocks until ``n`` elements are available; once the queue is closed with fewer,
        raises ``OutOfRangeError``.
        """
        return self._dequeue_n("QueueDequeueManyV2", "%s_DequeueMany" % self._name, n, name)

    def dequeue_up_to(self, n, name=None):
        """Like :meth:`dequeue_many`, but returns the remaining (fewer than ``n``) elements
        once the queue is closed, and ``OutOfRangeError`` only when it is closed and empty."""
        return self._dequeue_n("QueueDequeueUpToV2", "%s_DequeueUpTo" % self._name, n, name)

    def close(self, cancel_pending_enqueues=False, name=None):
        """Closes the queue: no more enqueues; pending ones are cancelled if asked.

        Dequeues then succeed while enough elements remain and raise ``OutOfRangeError``
        afterwards.
        """
        if name is None:
            name = "%s_Close" % self._name
        return apply_op("QueueCloseV2", [self._queue_ref], [],
                        attrs={"cancel_pending_enqueues": bool(cancel_pending_enqueues)},
                        name=name)

    def is_closed(self, name=None):
        """A bool scalar Tensor: whether the queue is closed."""
        if name is None:
            name = "%s_IsClosed" % self._name
        return apply_op("QueueIsClosedV2", [self._queue_ref], [_dtypes.bool],
                        name=name).outputs[0]

    def size(self, name=None):
        """An int32 scalar Tensor: the number of elements in the queue."""
        if name is None:
            name = "%s_Size" % self._name
        return apply_op("QueueSizeV2", [self._queue_ref], [_dtypes.int32],
                        name=name).outputs[0]


def queue_from_op(op):
    """A :class:`QueueBase` for an existing queue op (e.g. from an imported graph)."""
    if op.type not in ("FIFOQueueV2", "PaddingFIFOQueueV2", "RandomShuffleQueueV2"):
        raise TypeError("%s (op type %s) is not a queue op" % (op.name, op.type))
    shapes = op.get_attr("shapes")
    return QueueBase(list(op.get_attr("component_types")),
                     [as_shape(s) for s in shapes] if shapes else None, None, op.outputs[0])


def _assert_compatible(shape, expected):
    if not shape.is_compatible_with(expected):
        raise ValueError("Shapes %s and %s are incompatible" % (shape, expected))


def _create_queue(op_type, attrs, name):
    graph = get_default_graph()
    with graph.control_dependencies(None):
        return graph.create_op(op_type, [], [_dtypes.resource], name=name,
                               attrs=attrs).outputs[0]


def _shape_attr(shapes):
    return list(shapes) if shapes is not None else []


class FIFOQueue(QueueBase):
    """A queue handing out elements in first-in first-out order (``tf.FIFOQueue``).

    Args:
      capacity: the most elements it holds; enqueues block while it is full.
      dtypes: the component dtypes.
      shapes: optional fully defined component shapes (needed by ``dequeue_many``).
      names: optional component names; elements are then dicts.
      shared_name: share the queue between ops with this name in a session.
      name: the queue op's name.

    Raises:
      ValueError: a shape is not fully defined, or lengths of dtypes/shapes/names differ.
    """

    def __init__(self, capacity, dtypes, shapes=None, names=None, shared_name=None,
                 name="fifo_queue"):
        dtypes = _as_type_list(dtypes)
        shapes = _as_shape_list(shapes, dtypes)
        names = _as_name_list(names, dtypes)
        ref = _create_queue("FIFOQueueV2", {
            "component_types": dtypes, "shapes": _shape_attr(shapes), "capacity": int(capacity),
            "container": "", "shared_name": shared_name or ""}, name)
        super().__init__(dtypes, shapes, names, ref)


class PaddingFIFOQueue(QueueBase):
    """A FIFO queue whose ``dequeue_many`` pads elements to a common shape
    (``tf.PaddingFIFOQueue``).

    Component shapes may have unknown dimensions (None); a batch is padded with zeros (or
    empty strings) up to the largest element in each such dimension.

    Raises:
      ValueError: ``shapes`` does not give one shape of known rank per component.
    """

    def __init__(self, capacity, dtypes, shapes, names=None, shared_name=None,
                 name="padding_fifo_queue"):
        dtypes = _as_type_list(dtypes)
        shapes = _as_shape_list(shapes, dtypes, unknown_dim_allowed=True)
        names = _as_name_list(names, dtypes)
        if len(dtypes) != len(shapes):
            raise ValueError("Shapes must be provided for all components, but received %d "
                             "dtypes and %d shapes." % (len(dtypes), len(shapes)))
        ref = _create_queue("PaddingFIFOQueueV2", {
            "component_types": dtypes, "shapes": list(shapes), "capacity": int(capacity),
            "container": "", "shared_name": shared_name or ""}, name)
        super().__init__(dtypes, shapes, names, ref)


class RandomShuffleQueue(QueueBase):
    """A queue handing out its elements in random order (``tf.RandomShuffleQueue``).

    Args:
      capacity: the most elements it holds.
      min_after_dequeue: while open, a dequeue leaves at least this many elements behind
        (so the order is well mixed); ignored once the queue is closed.
      dtypes, shapes, names, shared_name, name: as for :class:`FIFOQueue`.
      seed: with the graph seed, makes the order reproducible.
    """

    def __init__(self, capacity, min_after_dequeue, dtypes, shapes=None, names=None,
                 seed=None, shared_name=None, name="random_shuffle_queue"):
        dtypes = _as_type_list(dtypes)
        shapes = _as_shape_list(shapes, dtypes)
        names = _as_name_list(names, dtypes)
        seed1, seed2 = random_seed.get_seed(seed)
        if seed1 is None and seed2 is None:
            seed1, seed2 = 0, 0
        ref = _create_queue("RandomShuffleQueueV2", {
            "component_types": dtypes, "shapes": _shape_attr(shapes), "capacity": int(capacity),
            "min_after_dequeue": int(min_after_dequeue), "seed": int(seed1),
            "seed2": int(seed2), "container": "", "shared_name": shared_name or ""}, name)
        super().__init__(dtypes, shapes, names, ref)
