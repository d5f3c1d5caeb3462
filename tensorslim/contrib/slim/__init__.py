"""``tf.contrib.slim``: TF-slim's namespace, an alias of :mod:`tensorslim.layers`.

``import tensorslim.contrib.slim as slim`` gives ``slim.arg_scope``, ``slim.conv2d``,
``slim.fully_connected``, ``slim.batch_norm``, ``slim.losses`` (TF-slim's signatures,
logits first), ``slim.metrics`` (``streaming_*``), ``slim.learning``, ``slim.evaluation``,
``slim.model_analyzer``, ``slim.get_variables``... The functions are the ones of
``tensorslim.layers``, so ``slim.conv2d is tf.contrib.layers.conv2d``.
"""
from tensorslim import layers as _layers
from tensorslim.layers import loss_ops as losses
from tensorslim.layers import metric_ops as metrics

__all__ = ["losses", "metrics"] + _layers._alias(
    globals(),
    ("evaluation", "initializers", "learning", "model_analyzer", "regularizers", "summaries",
     "utils"),
    _layers._SUMMARIES, _layers._ARG_SCOPE, _layers._INITIALIZERS, _layers._LAYERS,
    _layers._NORMALIZATION, _layers._REGULARIZERS, _layers._VARIABLES)


def __getattr__(name):
    # slim.nets comes from the models issue; it is found wherever it lands.
    import importlib
    if name == "nets":
        for target in (__name__ + ".nets", "tensorslim.models.nets", "tensorslim.models"):
            try:
                module = importlib.import_module(target)
            except ImportError:
                continue
            globals()[name] = module
            return module
    raise AttributeError("module 'tensorslim.contrib.slim' has no attribute %r" % name)
