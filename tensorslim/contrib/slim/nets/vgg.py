"""TF-slim's ``nets.vgg``: an alias of :mod:`tensorslim.models.vgg`."""
from tensorslim.models.vgg import vgg_16, vgg_19, vgg_a, vgg_arg_scope, vgg_d, vgg_e

__all__ = ["vgg_arg_scope", "vgg_a", "vgg_16", "vgg_19", "vgg_d", "vgg_e"]
