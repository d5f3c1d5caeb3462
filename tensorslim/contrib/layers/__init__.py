"""``tf.contrib.layers``: the slim layers, initializers and regularizers (aliases of
:mod:`tensorslim.layers`)."""
from tensorslim import layers as _layers

__all__ = _layers._alias(globals(), ("utils",), _layers._INITIALIZERS, _layers._LAYERS,
                         _layers._NORMALIZATION, _layers._REGULARIZERS, _layers._SUMMARIES)
