"""TF-slim's ``nets.alexnet``: an alias of :mod:`tensorslim.models.alexnet`."""
from tensorslim.models.alexnet import alexnet_v2, alexnet_v2_arg_scope

__all__ = ["alexnet_v2", "alexnet_v2_arg_scope"]
