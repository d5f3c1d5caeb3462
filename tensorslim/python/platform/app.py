"""``tensorflow.python.platform.app``: the same module as :mod:`tensorslim.app`."""
import sys

from tensorslim import app as _app

sys.modules[__name__] = _app
