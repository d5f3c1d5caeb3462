"""``tf.train.Coordinator`` and ``tf.train.LooperThread``: stopping a group of threads together.

Threads poll :meth:`Coordinator.should_stop`; any thread (or the main loop) calls
:meth:`Coordinator.request_stop`, optionally with the exception that made it stop; and
:meth:`Coordinator.join` waits for the threads, giving them a grace period after the stop
request, then re-raises the first reported exception.
"""
import contextlib
import logging
import sys
import threading
import time

from tensorslim.core import errors

__all__ = ["Coordinator", "LooperThread"]

_log = logging.getLogger("tensorslim")


class Coordinator:
    """Coordinates the termination of a set of threads (``tf.train.Coordinator``).

    Args:
      clean_stop_exception_types: exception types that stop the threads without being an
        error (default ``(tf.errors.OutOfRangeError,)``, the end of the input).
    """

    def __init__(self, clean_stop_exception_types=None):
        if clean_stop_exception_types is None:
            clean_stop_exception_types = (errors.OutOfRangeError,)
        self._clean_stop_exception_types = tuple(clean_stop_exception_types)
        self._lock = threading.Lock()
        self._stop_event = threading.Event()
        self._exc_info_to_raise = None
        self._joined = False
        self._registered_threads = set()

    def _as_exc_info(self, ex):
        """``(type, value, traceback)`` for ``ex``, or None when it is a clean stop."""
        if ex is None:
            return None
        if isinstance(ex, tuple):
            value = ex[1]
            info = ex
        else:
            value = ex
            current = sys.exc_info()
            info = current if current[1] is ex else (type(ex), ex, ex.__traceback__)
        if isinstance(value, self._clean_stop_exception_types):
            return None
        if len(info) != 3 or info[0] is None or info[1] is None:
            try:
                raise ValueError("ex must be a tuple or sys.exc_info must return the current "
                                 "exception: %s" % (info,))
            except ValueError:
                return sys.exc_info()
        return info

    def request_stop(self, ex=None):
        """Asks every coordinated thread to stop.

        Args:
          ex: an exception (or an ``exc_info`` tuple) explaining the stop; the first one
            reported (other than a clean-stop type) is re-raised by :meth:`join`.  Reports
            arriving after the stop was requested are ignored.
        """
        with self._lock:
            info = self._as_exc_info(ex)
            if self._joined and info is not None:
                raise info[1].with_traceback(info[2])
            if not self._stop_event.is_set():
                if info is not None and self._exc_info_to_raise is None:
                    _log.info("Error reported to Coordinator: %s: %s", info[0].__name__,
                              info[1])
                    self._exc_info_to_raise = info
                self._stop_event.set()

    def clear_stop(self):
        """Makes the coordinator reusable: clears the stop request and any exception."""
        with self._lock:
            self._joined = False
            self._exc_info_to_raise = None
            self._stop_event.clear()

    def should_stop(self):
        """True once a stop was requested."""
        return self._stop_event.is_set()

    @contextlib.contextmanager
    def stop_on_exception(self):
        """A context manager requesting a stop with any exception raised inside it.

        The exception is swallowed here and re-raised by :meth:`join`.
        """
        try:
            yield
        except BaseException:  # noqa: BLE001 - reported to the coordinator, as TF does
            self.request_stop(ex=sys.exc_info())

    def wait_for_stop(self, timeout=None):
        """Waits until a stop is requested (or ``timeout`` seconds); returns should_stop()."""
        return self._stop_event.wait(timeout)

    def register_thread(self, thread):
        """Adds ``thread`` to the threads :meth:`join` waits for."""
        with self._lock:
            self._registered_threads.add(thread)

    def join(self, threads=None, stop_grace_period_secs=120, ignore_live_threads=False):
        """Waits for the threads to end.

        Blocks until every thread has ended or a stop was requested; then gives the
        threads ``stop_grace_period_secs`` to end.

        Args:
          threads: the threads to wait for, besides the registered ones.
          stop_grace_period_secs: seconds the threads get after the stop request.
          ignore_live_threads: only log (instead of raising) threads still running.

        Raises:
          The first exception passed to :meth:`request_stop`, if any.
          RuntimeError: threads were still running after the grace period.
        """
        with self._lock:
            pending = set(self._registered_threads)
            if threads is not None:
                pending.update(threads)
            pending = list(pending)
        while any(t.is_alive() for t in pending) and not self.wait_for_stop(1.0):
            pass
        grace_end = time.monotonic() + max(stop_grace_period_secs, 0)
        nap = 0.001
        while any(t.is_alive() for t in pending):
            remaining = grace_end - time.monotonic()
            if remaining < 0:
                break
            # Joining a thread wakes up as soon as it ends; the nap grows to poll the rest.
            for t in pending:
                if t.is_alive():
                    t.join(min(nap, max(remaining, 0.0)))
                    break
            nap = min(nap * 2, 0.25)
        stragglers = [t.name for t in pending if t.is_alive()]
        with self._lock:
            self._joined = True
            self._registered_threads = set()
            if self._exc_info_to_raise is not None:
                info = self._exc_info_to_raise
                raise info[1].with_traceback(info[2])
            if stragglers:
                if ignore_live_threads:
                    _log.info("Coordinator stopped with threads still running: %s",
                              " ".join(stragglers))
                else:
                    raise RuntimeError("Coordinator stopped with threads still running: %s"
                                       % " ".join(stragglers))

    @property
    def joined(self):
        """Whether :meth:`join` has finished."""
        return self._joined

    def raise_requested_exception(self):
        """Raises the exception passed to :meth:`request_stop`, if there is one."""
        with self._lock:
            if self._exc_info_to_raise is not None:
                info = self._exc_info_to_raise
                raise info[1].with_traceback(info[2])


class LooperThread(threading.Thread):
    """A daemon thread calling a function repeatedly until its coordinator stops
    (``tf.train.LooperThread``).

    Either pass ``target`` (called with ``args``/``kwargs``) or subclass and override
    :meth:`run_loop`.  With ``timer_interval_secs`` the function runs every that many
    seconds, else back to back.  An exception stops the coordinator and is re-raised by
    its ``join``.

    Args:
      coord: the :class:`Coordinator`.
      timer_interval_secs: seconds between calls, or None.
      target: the function to call.
      args, kwargs: its arguments.

    Raises:
      ValueError: ``args``/``kwargs`` are given without ``target``.
    """

    def __init__(self, coord, timer_interval_secs, target=None, args=None, kwargs=None):
        if not isinstance(coord, Coordinator):
            raise ValueError("'coord' argument must be a Coordinator: %s" % (coord,))
        super().__init__()
        self.daemon = True
        self._coord = coord
        self._timer_interval_secs = timer_interval_secs
        self._target = target
        if self._target:
            self._args = args or ()
            self._kwargs = kwargs or {}
        elif args or kwargs:
            raise ValueError("'args' and 'kwargs' argument require that you also pass "
                             "'target'")
        self._coord.register_thread(self)

    @staticmethod
    def loop(coord, timer_interval_secs, target, args=None, kwargs=None):
        """Starts a LooperThread calling ``target`` and returns it."""
        looper = LooperThread(coord, timer_interval_secs, target=target, args=args,
                              kwargs=kwargs)
        looper.start()
        return looper

    def run(self):
        with self._coord.stop_on_exception():
            self.start_loop()
            if self._timer_interval_secs is None:
                while not self._coord.should_stop():
                    self.run_loop()
            else:
                next_time = time.monotonic()
                while not self._coord.wait_for_stop(max(next_time - time.monotonic(), 0)):
                    next_time += self._timer_interval_secs
                    self.run_loop()
            self.stop_loop()

    def start_loop(self):
        """Called once when the thread starts."""

    def stop_loop(self):
        """Called once before the thread ends."""

    def run_loop(self):
        """Called at each iteration; calls ``target`` unless overridden."""
        if self._target:
            self._target(*self._args, **self._kwargs)
