"""``tensorflow.python.platform.flags``: the same module as :mod:`tensorslim.flags` (one
``FLAGS``)."""
import sys

from tensorslim import flags as _flags

sys.modules[__name__] = _flags
