"""Ready-made networks and a registry to pick them by name.

``tensorslim.models.get("lenet")`` returns the network function; ``get_network_fn`` wraps it
in its arg_scope the way TF-slim's ``nets_factory.get_network_fn`` does::

    network_fn = models.get_network_fn("lenet", num_classes=10, is_training=True)
    logits, end_points = network_fn(images)

Registered: ``lenet`` (TF-slim's LeNet, :mod:`tensorslim.models.lenet`), ``lenet5`` (the
classic LeNet-5), ``siamese`` (:func:`tensorslim.models.siamese.siamese_net` with the MNIST
tower), and TF-slim's ImageNet networks ``alexnet_v2``, ``vgg_a``, ``vgg_16`` and ``vgg_19``
(224x224 inputs). :func:`register` adds more.
"""
import collections
import functools

from tensorslim.layers.arg_scope import arg_scope as _arg_scope
from tensorslim.models import alexnet, siamese, vgg
from tensorslim.models.alexnet import alexnet_v2, alexnet_v2_arg_scope
from tensorslim.models.lenet import lenet, lenet5, lenet_arg_scope
from tensorslim.models.siamese import contrastive_loss, mnist_tower, siamese_net
from tensorslim.models.vgg import vgg_16, vgg_19, vgg_a, vgg_arg_scope

__all__ = ["ModelSpec", "get", "get_spec", "get_network_fn", "names", "register",
           "lenet", "lenet5", "lenet_arg_scope", "siamese", "siamese_net", "mnist_tower",
           "contrastive_loss", "alexnet", "alexnet_v2", "alexnet_v2_arg_scope", "vgg",
           "vgg_a", "vgg_16", "vgg_19", "vgg_arg_scope"]

ModelSpec = collections.namedtuple(
    "ModelSpec", ["name", "network_fn", "arg_scope_fn", "kind", "image_size", "description"])
ModelSpec.__doc__ = """A registered network.

Attributes:
  name: the registry name.
  network_fn: the network function.
  arg_scope_fn: ``arg_scope_fn(weight_decay=...)`` giving its layer defaults, or None.
  kind: "classifier" (``fn(images, num_classes, is_training) -> (logits, end_points)``) or
    "siamese" (``fn(left, right) -> (left_embeddings, right_embeddings)``).
  image_size: the input height and width the network expects.
  description: one line for listings.
"""

_REGISTRY = collections.OrderedDict()


def register(name, network_fn, arg_scope_fn=None, kind="classifier", image_size=None,
             description=""):
    """Adds a network to the registry (replacing one of the same name).

    Args:
      name: the registry name.
      network_fn: the network function.
      arg_scope_fn: a function returning its arg_scope, or None.
      kind: "classifier" or "siamese".
      image_size: its input size (default ``network_fn.default_image_size``).
      description: one line for listings.

    Returns:
      The :class:`ModelSpec`.

    Raises:
      ValueError: ``kind`` is unknown.
    """
    if kind not in ("classifier", "siamese"):
        raise ValueError("register: kind must be 'classifier' or 'siamese', got %r" % (kind,))
    if image_size is None:
        image_size = getattr(network_fn, "default_image_size", None)
    spec = ModelSpec(name, network_fn, arg_scope_fn, kind, image_size, description)
    _REGISTRY[name] = spec
    return spec


def names():
    """The registered model names, in registration order."""
    return list(_REGISTRY)


def get_spec(name):
    """The :class:`ModelSpec` registered as ``name``.

    Raises:
      ValueError: no such model; the message lists the known names.
    """
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):
        raise ValueError("Unknown model %r; known models: %s"
                         % (name, ", ".join(_REGISTRY))) from None


def get(name):
    """The network function registered as ``name`` (e.g. ``get("lenet") is lenet``).

    Raises:
      ValueError: no such model; the message lists the known names.
    """
    return get_spec(name).network_fn


def get_network_fn(name, num_classes=10, weight_decay=0.0, is_training=False):
    """A classifier's network function with its arg_scope and arguments bound.

    Args:
      name: a registered classifier ("lenet", "lenet5").
      num_classes: the number of classes.
      weight_decay: the L2 weight decay of its arg_scope.
      is_training: passed to the network (a bool or boolean Tensor).

    Returns:
      ``network_fn(images, **kwargs) -> (logits, end_points)``, with attribute
      ``default_image_size``.

    Raises:
      ValueError: unknown model, or a model that is not a classifier.
    """
    spec = get_spec(name)
    if spec.kind != "classifier":
        raise ValueError("get_network_fn: %r is a %s network, not a classifier"
                         % (name, spec.kind))

    @functools.wraps(spec.network_fn)
    def network_fn(images, **kwargs):
        if spec.arg_scope_fn is None:
            return spec.network_fn(images, num_classes, is_training=is_training, **kwargs)
        with _arg_scope(spec.arg_scope_fn(weight_decay=weight_decay)):
            return spec.network_fn(images, num_classes, is_training=is_training, **kwargs)
    network_fn.default_image_size = spec.image_size
    return network_fn


register("lenet", lenet, lenet_arg_scope, "classifier", 28,
         "TF-slim's LeNet: conv 32, conv 64, fc 1024, dropout, fc 10 (28x28 inputs)")
register("lenet5", lenet5, lenet_arg_scope, "classifier", 32,
         "LeCun's LeNet-5: conv 6, conv 16 (VALID), fc 120, fc 84, fc 10 (32x32 inputs)")
register("siamese", siamese_net, None, "siamese", 28,
         "Siamese net: two shared MNIST towers, 32-d embeddings, contrastive loss")
register("alexnet_v2", alexnet_v2, alexnet_v2_arg_scope, "classifier", 224,
         "TF-slim's AlexNet v2 (224x224 inputs)")
register("vgg_a", vgg_a, vgg_arg_scope, "classifier", 224, "TF-slim's VGG-11 (224x224 inputs)")
register("vgg_16", vgg_16, vgg_arg_scope, "classifier", 224, "TF-slim's VGG-16 (224x224 inputs)")
register("vgg_19", vgg_19, vgg_arg_scope, "classifier", 224, "TF-slim's VGG-19 (224x224 inputs)")
