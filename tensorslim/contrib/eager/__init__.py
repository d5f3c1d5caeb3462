"""``tf.contrib.eager`` (``import tensorslim.contrib.eager as tfe``): eager execution.

An alias of :mod:`tensorslim.eager`; importing it does not switch eager execution on.
"""
from tensorslim import eager as _eager

__all__ = list(_eager.__all__)
globals().update((name, getattr(_eager, name)) for name in __all__)
