"""``tf.contrib.eager`` (``import tensorslim.contrib.eager as tfe``): eager execution.

An alias of :mod:`tensorslim.eager`; importing it does not switch eager execution on.
"""
from tensorslim.eager import (ASYNC, DEVICE_PLACEMENT_EXPLICIT, DEVICE_PLACEMENT_SILENT,
                              DEVICE_PLACEMENT_SILENT_FOR_INT32, DEVICE_PLACEMENT_WARN, SYNC,
                              EagerTensor, GradientTape, Variable, defun,
                              enable_eager_execution, executing_eagerly, gradients_function,
                              implicit_gradients, implicit_value_and_gradients, in_eager_mode,
                              in_graph_mode, list_devices, num_gpus, py_func, run,
                              value_and_gradients_function)

__all__ = ["enable_eager_execution", "executing_eagerly", "in_eager_mode", "in_graph_mode",
           "EagerTensor", "Variable", "GradientTape", "gradients_function",
           "value_and_gradients_function", "implicit_gradients", "implicit_value_and_gradients",
           "defun", "num_gpus", "list_devices", "run", "py_func", "DEVICE_PLACEMENT_EXPLICIT",
           "DEVICE_PLACEMENT_WARN", "DEVICE_PLACEMENT_SILENT",
           "DEVICE_PLACEMENT_SILENT_FOR_INT32", "SYNC", "ASYNC"]
