"""``tf.train.QueueRunner``: threads that keep running enqueue ops to fill a queue.

``add_queue_runner`` registers a runner in the graph's ``QUEUE_RUNNERS`` collection and
``start_queue_runners`` starts the threads of every registered runner for a session.

When a runner thread fails (a missing file, a corrupt record, a parse error), the error is
handed to the coordinator, as in TF, and also recorded on the queue, so that the consumer
blocked on that queue gets the same exception instead of a bare ``OutOfRangeError``.
"""
import logging
import threading
import weakref


from tensorslim.core import errors
from tensorslim.core.graph import GraphKeys, add_to_collection, get_default_graph
from tensorslim.core.session import BaseSession, get_default_session
from tensorslim.data import queues as _queues
from tensorslim.proto.queue_runner_pb2 import QueueRunnerDef

__all__ = ["QueueRunner", "QueueRunnerDef", "add_queue_runner", "start_queue_runners"]

_log = logging.getLogger("tensorslim")



_ERROR_CLASSES = {cls(None, None, "").error_code: cls for cls in (
    getattr(errors, name) for name in errors.__all__ if name.endswith("Error")
    and name != "OpError")}


def _prepend(name, scope):
    return name if not scope else "%s/%s" % (scope.rstrip("/"), name)


def _strip(name, scope):
    if not scope:
        return name
    prefix = scope.rstrip("/") + "/"
    return name[len(prefix):] if name.startswith(prefix) else name


class QueueRunner:
    """Holds a queue and the enqueue ops that fill it; runs each op in its own thread.

    Args:
      queue: the :class:`~tensorslim.data.queues.QueueBase` to fill.
      enqueue_ops: the enqueue ops; one thread runs each (repeat an op to run it in
        several threads).
      close_op: the op closing the queue once every thread ended (default
        ``queue.close()``).
      cancel_op: the op run when the coordinator stops (default
        ``queue.close(cancel_pending_enqueues=True)``).
      queue_closed_exception_types: exceptions meaning "the input is exhausted", which end
        a thread quietly (default ``(tf.errors.OutOfRangeError,)``).
      queue_runner_def: not supported (QueueRunnerDef protos).
      import_scope: unused.

    Raises:
      ValueError: ``queue`` or ``enqueue_ops`` is missing.
      TypeError: ``queue_closed_exception_types`` is not a tuple of ``OpError`` types.
    """

    def __init__(self, queue=None, enqueue_ops=None, close_op=None, cancel_op=None,
                 queue_closed_exception_types=None, queue_runner_def=None, import_scope=None):
        self._lock = threading.Lock()
        self._runs_per_session = weakref.WeakKeyDictionary()
        self._exceptions_raised = []
        if queue_runner_def is not None:
            if queue or enqueue_ops:
                raise ValueError("queue_runner_def and queue are mutually exclusive.")
            self._init_from_proto(queue_runner_def, import_scope)
            return
        if not queue or not enqueue_ops:
            raise ValueError("Must provide queue and enqueue_ops.")
        if queue_closed_exception_types is not None:
            if not isinstance(queue_closed_exception_types, tuple) or not all(
                    isinstance(t, type) and issubclass(t, errors.OpError)
                    for t in queue_closed_exception_types):
                raise TypeError("queue_closed_exception_types, when provided, must be a tuple "
                                "of tf.error types, but saw: %s" % (queue_closed_exception_types,))
        self._queue = queue
        self._enqueue_ops = list(enqueue_ops)
        self._close_op = close_op if close_op is not None else queue.close()
        self._cancel_op = cancel_op if cancel_op is not None else \
            queue.close(cancel_pending_enqueues=True)
        self._queue_closed_exception_types = tuple(queue_closed_exception_types or
                                                   (errors.OutOfRangeError,))

    def _init_from_proto(self, queue_runner_def, import_scope=None):
        graph = get_default_graph()

        def element(name):
            return graph.as_graph_element(_prepend(name, import_scope))
        self._queue = _queues.queue_from_op(element(queue_runner_def.queue_name))
        self._enqueue_ops = [element(n) for n in queue_runner_def.enqueue_op_name]
        self._close_op = element(queue_runner_def.close_op_name)
        self._cancel_op = element(queue_runner_def.cancel_op_name)
        self._queue_closed_exception_types = tuple(
            _ERROR_CLASSES[code] for code in queue_runner_def.queue_closed_exception_types
        ) or (errors.OutOfRangeError,)

    @property
    def queue(self):
        """The queue the runner fills."""
        return self._queue

    @property
    def enqueue_ops(self):
        """The enqueue ops, one thread each."""
        return self._enqueue_ops

    @property
    def close_op(self):
        """The op closing the queue when the threads are done."""
        return self._close_op

    @property
    def cancel_op(self):
        """The op closing the queue and cancelling pending enqueues on a stop."""
        return self._cancel_op

    @property
    def queue_closed_exception_types(self):
        """Exceptions that end a thread quietly (the input is exhausted)."""
        return self._queue_closed_exception_types

    @property
    def exceptions_raised(self):
        """Exceptions raised by the threads when no coordinator was given."""
        return self._exceptions_raised

    @property
    def name(self):
        """The name of the queue's op."""
        return self._queue.name

    def _finish_thread(self, sess):
        """Counts a thread out; the last one of a session closes the queue."""
        with self._lock:
            self._runs_per_session[sess] -= 1
            last = self._runs_per_session[sess] == 0
        if last:
            try:
                sess.run(self._close_op)
            except Exception as e:  # noqa: BLE001 - the session may be gone already
                _log.debug("Ignored exception while closing queue %s: %s", self.name, e)

    def _report_to_queue(self, sess, coord, exc):
        if isinstance(exc, errors.CancelledError) or getattr(sess, "_closed", False) or \
                (coord is not None and coord.should_stop()):
            return   # shutting down, not a failure of the input
        try:
            _queues.session_queue(sess, self._queue.queue_ref.op).record_runner_error(exc)
        except Exception as e:  # noqa: BLE001 - reporting must not mask the real error
            _log.debug("Could not record the runner error on %s: %s", self.name, e)

    def _run(self, sess, enqueue_op, coord=None):
        counted_out = False
        try:
            run_enqueue = sess.make_callable(enqueue_op)
            while coord is None or not coord.should_stop():
                try:
                    run_enqueue()
                except self._queue_closed_exception_types:
                    counted_out = True
                    self._finish_thread(sess)
                    return
        except Exception as e:  # noqa: BLE001 - handed to the coordinator, as TF does
            self._report_to_queue(sess, coord, e)
            if coord is not None:
                coord.request_stop(e)
            else:
                _log.error("Exception in QueueRunner: %s", e)
                with self._lock:
                    self._exceptions_raised.append(e)
                raise
        finally:
            if not counted_out:
                self._finish_thread(sess)

    def _close_on_stop(self, sess, cancel_op, coord):
        coord.wait_for_stop()
        try:
            sess.run(cancel_op)
        except Exception as e:  # noqa: BLE001 - the session may be closed already
            _log.debug("Ignored exception while cancelling %s: %s", self.name, e)

    def create_threads(self, sess, coord=None, daemon=False, start=False):
        """Creates (and optionally starts) the threads running the enqueue ops in ``sess``.

        Calling it again for a session whose threads still run creates nothing.

        Args:
          sess: the Session.
          coord: an optional :class:`~tensorslim.data.coordinator.Coordinator`; the
            threads stop when it stops, and report their exceptions to it.
          daemon: make the threads daemons.
          start: start the threads.

        Returns:
          The list of threads (plus one that cancels the queue when ``coord`` stops).
        """
        with self._lock:
            if self._runs_per_session.get(sess, 0) > 0:
                return []
            self._runs_per_session[sess] = len(self._enqueue_ops)
            self._exceptions_raised = []
        _queues.mark_runners_started(sess, self._queue.queue_ref.op.name)
        threads = [threading.Thread(target=self._run, args=(sess, op, coord),
                                    name="QueueRunnerThread-%s-%s" % (self.name, op.name))
                   for op in self._enqueue_ops]
        if coord is not None:
            threads.append(threading.Thread(
                target=self._close_on_stop, args=(sess, self._cancel_op, coord),
                name="QueueRunnerThread-%s-close_on_stop" % self.name))
        for t in threads:
            if coord is not None:
                coord.register_thread(t)
            if daemon:
                t.daemon = True
            if start:
                t.start()
        return threads

    def to_proto(self, export_scope=None):
        """A ``QueueRunnerDef`` naming the queue and ops (relative to ``export_scope``), or
        None when the queue is outside that scope."""
        if export_scope and not self._queue.name.startswith(export_scope.rstrip("/") + "/"):
            return None
        return QueueRunnerDef(
            queue_name=_strip(self._queue.name, export_scope),
            enqueue_op_name=[_strip(op.name, export_scope) for op in self._enqueue_ops],
            close_op_name=_strip(self._close_op.name, export_scope),
            cancel_op_name=_strip(self._cancel_op.name, export_scope),
            queue_closed_exception_types=[cls(None, None, "").error_code
                                          for cls in self._queue_closed_exception_types])

    @staticmethod
    def from_proto(queue_runner_def, import_scope=None):
        """The QueueRunner described by a ``QueueRunnerDef`` in the default graph."""
        return QueueRunner(queue_runner_def=queue_runner_def, import_scope=import_scope)


def _register_proto_functions():
    try:
        from tensorslim.training.meta_graph import register_proto_function
    except ImportError:   # meta graph export not available
        return
    register_proto_function(GraphKeys.QUEUE_RUNNERS, QueueRunnerDef,
                            lambda qr, export_scope=None: qr.to_proto(export_scope),
                            QueueRunner.from_proto)


def add_queue_runner(qr, collection=GraphKeys.QUEUE_RUNNERS):
    """Adds ``qr`` to the graph collection ``collection`` (``tf.train.add_queue_runner``)."""
    add_to_collection(collection, qr)


def start_queue_runners(sess=None, coord=None, daemon=True, start=True,
                        collection=GraphKeys.QUEUE_RUNNERS):
    """Starts the threads of every queue runner in ``collection`` for ``sess``.

    Args:
      sess: the Session (default: the default session).
      coord: an optional Coordinator for the threads.
      daemon: make the threads daemons.
      start: start them (else the caller starts them).
      collection: the graph collection holding the runners.

    Returns:
      The list of threads.

    Raises:
      ValueError: no session given and no default session.
      TypeError: ``sess`` is not a Session.
    """
    if sess is None:
        sess = get_default_session()
        if sess is None:
            raise ValueError("Cannot start queue runners: No default session is registered. "
                             "Use `with sess.as_default()` or pass an explicit session to "
                             "tf.start_queue_runners(sess=sess)")
    if not isinstance(sess, BaseSession) and isinstance(getattr(sess, "_sess", None),
                                                         BaseSession):
        sess = sess._sess  # a wrapper session (tfdbg): run the runners on the wrapped one
    if not isinstance(sess, BaseSession):
        if type(sess).__name__ in ("MonitoredSession", "SingularMonitoredSession"):
            return []
        raise TypeError("sess must be a `tf.Session` object. Given class: %s" % type(sess))
    runners = sess.graph.get_collection(collection)
    if not runners:
        _log.warning("`tf.train.start_queue_runners()` was called when no queue runners were "
                     "defined. You can safely remove the call to this deprecated function.")
    threads = []
    with sess.graph.as_default():
        for qr in runners:
            threads.extend(qr.create_threads(sess, coord=coord, daemon=daemon, start=start))
    return threads


_register_proto_functions()
