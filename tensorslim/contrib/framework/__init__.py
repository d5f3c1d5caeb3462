"""``tf.contrib.framework``: arg_scope and the variable helpers, aliases of
:mod:`tensorslim.layers`."""
from tensorslim import layers as _layers

__all__ = _layers._alias(globals(), _layers._ARG_SCOPE, ("arg_scope_func_key",),
                         _layers._VARIABLES)
