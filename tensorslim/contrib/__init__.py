"""``tf.contrib``: ``slim``, ``framework``, ``layers``, ``losses``, ``metrics`` (TF-slim,
from :mod:`tensorslim.layers`) and, when present, other contrib packages (``eager`` ...),
loaded on first use."""
import importlib
import sys

from tensorslim.contrib import framework, layers, slim
from tensorslim.layers import loss_ops as losses
from tensorslim.layers import metric_ops as metrics

__all__ = ["framework", "layers", "losses", "metrics", "slim"]

# ``import tensorslim.contrib.losses`` works like TF1's tf.contrib.losses.
sys.modules.setdefault(__name__ + ".losses", losses)
sys.modules.setdefault(__name__ + ".metrics", metrics)


def __getattr__(name):
    if name.startswith("_"):
        raise AttributeError(name)
    try:
        module = importlib.import_module(__name__ + "." + name)
    except ModuleNotFoundError as e:
        if e.name != __name__ + "." + name:
            raise
        raise AttributeError("tensorslim.contrib has no module %r" % name) from None
    globals()[name] = module
    return module
