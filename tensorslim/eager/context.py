"""The process-wide eager switch: ``enable_eager_execution`` and ``executing_eagerly``.

Eager execution is off until :func:`enable_eager_execution` is called (importing this
package changes nothing). Once on, the global default graph is an
:class:`~tensorslim.eager.execute.EagerGraph`: every op created in it runs at once and its
outputs are :class:`~tensorslim.eager.tensor.EagerTensor` values. A ``tf.Graph().as_default()``
block still builds an ordinary graph, so ``executing_eagerly()`` is False inside it.
"""
import threading

from tensorslim.core import graph as _graph

__all__ = ["enable_eager_execution", "executing_eagerly", "in_eager_mode", "in_graph_mode",
           "DEVICE_PLACEMENT_EXPLICIT", "DEVICE_PLACEMENT_WARN", "DEVICE_PLACEMENT_SILENT",
           "DEVICE_PLACEMENT_SILENT_FOR_INT32", "SYNC", "ASYNC"]

# Device policies and execution modes, accepted as TF's enable_eager_execution takes them.
# Eager ops run where their inputs live (or in a ``tf.device`` scope), copying inputs from
# other devices: the SILENT policy.
DEVICE_PLACEMENT_EXPLICIT = 0
DEVICE_PLACEMENT_WARN = 1
DEVICE_PLACEMENT_SILENT = 2
DEVICE_PLACEMENT_SILENT_FOR_INT32 = 3
SYNC = 0
ASYNC = 1

_lock = threading.Lock()
_eager_graph = None


def enable_eager_execution(config=None, device_policy=None, execution_mode=None):
    """Switches the process to eager execution: ops run as soon as they are created.

    Call it once, at program startup, before any op is built. Calling it again does
    nothing.

    Args:
      config: an optional ``tf.ConfigProto``; ``log_device_placement`` prints the device
        each op runs on, ``allow_soft_placement`` lets ``tf.device`` scopes naming a missing
        device fall back to another one.
      device_policy: accepted for compatibility (one of the ``DEVICE_PLACEMENT_*``
        constants); inputs are always copied to the op's device.
      execution_mode: accepted for compatibility (``SYNC`` or ``ASYNC``); ops always run
        synchronously.

    Raises:
      ValueError: ops were already built in graph mode, or a graph is made default with
        ``as_default()``; or ``device_policy`` / ``execution_mode`` is not a known value.
    """
    global _eager_graph
    if device_policy not in (None, DEVICE_PLACEMENT_EXPLICIT, DEVICE_PLACEMENT_WARN,
                             DEVICE_PLACEMENT_SILENT, DEVICE_PLACEMENT_SILENT_FOR_INT32):
        raise ValueError("device_policy must be one of tfe.DEVICE_PLACEMENT_*, got %r"
                         % (device_policy,))
    if execution_mode not in (None, SYNC, ASYNC):
        raise ValueError("execution_mode must be tfe.SYNC or tfe.ASYNC, got %r"
                         % (execution_mode,))
    with _lock:
        if _eager_graph is not None:
            return
        existing = _graph._global_default_graph
        if _graph._default_graph_stack.stack or (existing is not None and existing._ops):
            raise ValueError("tf.enable_eager_execution must be called at program startup "
                             "(before any op is built in graph mode).")
        from tensorslim.eager import execute
        _eager_graph = execute.EagerGraph(config)
        # reset_default_graph() keeps eager execution on, as in TensorFlow.
        _graph._default_graph_factory = lambda: _eager_graph
        _graph._global_default_graph = _eager_graph


def executing_eagerly():
    """``tf.executing_eagerly()``: whether ops created here run immediately.

    Returns:
      True after :func:`enable_eager_execution`, except inside a
      ``tf.Graph().as_default()`` block.
    """
    return _eager_graph is not None and _graph.get_default_graph() is _eager_graph


def in_eager_mode():
    """``tfe.in_eager_mode()``: the same as :func:`executing_eagerly`."""
    return executing_eagerly()


def in_graph_mode():
    """``tfe.in_graph_mode()``: ``not executing_eagerly()``."""
    return not executing_eagerly()


def eager_graph():
    """The eager graph, or None while eager execution is off."""
    return _eager_graph
