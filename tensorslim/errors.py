"""``tf.errors``: alias of :mod:`tensorslim.core.errors`."""
from tensorslim.core.errors import *  # noqa: F401,F403 - the alias module re-exports it all
from tensorslim.core.errors import __all__  # noqa: F401
