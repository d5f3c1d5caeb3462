"""Eager execution (``tf.contrib.eager``, ``tfe``): ops that run as soon as they are called.

Example::

    import tensorslim as tf
    import tensorslim.contrib.eager as tfe

    tfe.enable_eager_execution()
    m = tf.matmul([[2.]], [[2.]])
    print(m)          # tf.Tensor([[4.]], shape=(1, 1), dtype=float32)
    m.numpy()         # array([[4.]], dtype=float32)

Importing this package does not switch eager execution on. How ops run is described in
:mod:`tensorslim.eager.execute`; gradients in :mod:`tensorslim.eager.backprop`.
"""
import functools
import sys

from tensorslim.core import devices as _devices
from tensorslim.core.ops.script_ops import py_func
from tensorslim.core.variables import Variable
from tensorslim.eager.backprop import (GradientTape, gradients_function, implicit_gradients,
                                       implicit_value_and_gradients,
                                       value_and_gradients_function)
from tensorslim.eager.context import (ASYNC, DEVICE_PLACEMENT_EXPLICIT,
                                      DEVICE_PLACEMENT_SILENT,
                                      DEVICE_PLACEMENT_SILENT_FOR_INT32, DEVICE_PLACEMENT_WARN,
                                      SYNC, enable_eager_execution, executing_eagerly,
                                      in_eager_mode, in_graph_mode)
from tensorslim.eager.tensor import EagerTensor

__all__ = ["enable_eager_execution", "executing_eagerly", "in_eager_mode", "in_graph_mode",
           "EagerTensor", "Variable", "GradientTape", "gradients_function",
           "value_and_gradients_function", "implicit_gradients", "implicit_value_and_gradients",
           "defun", "num_gpus", "list_devices", "run", "py_func", "DEVICE_PLACEMENT_EXPLICIT",
           "DEVICE_PLACEMENT_WARN", "DEVICE_PLACEMENT_SILENT",
           "DEVICE_PLACEMENT_SILENT_FOR_INT32", "SYNC", "ASYNC"]


def defun(func=None):
    """``tfe.defun``: TF compiles ``func`` into a graph function; here it runs eagerly.

    The decorated function computes the same values; only the speed-up of a compiled graph
    is missing.
    """
    if func is None:
        return defun

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return func(*args, **kwargs)
    return wrapper


def num_gpus():
    """The number of GPUs eager tensors can be copied to with ``.gpu(i)``."""
    return sum(1 for d in _devices.local_devices() if d.is_gpu)


def list_devices():
    """The names of the local devices (``/job:localhost/replica:0/task:0/device:CPU:0``...)."""
    return [d.name for d in _devices.local_devices()]


def run(main=None, argv=None):
    """``tfe.run``: enables eager execution, then runs ``main`` as ``tf.app.run`` does."""
    enable_eager_execution()
    try:
        from tensorslim import app
    except ImportError:
        app = None
    if app is not None and hasattr(app, "run"):
        return app.run(main, argv)
    main = main or sys.modules["__main__"].main
    sys.exit(main(list(sys.argv) if argv is None else argv))
