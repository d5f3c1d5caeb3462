"""TF-slim's ``nets.lenet``: an alias of :mod:`tensorslim.models.lenet`."""
from tensorslim.models.lenet import lenet, lenet5, lenet_arg_scope

__all__ = ["lenet", "lenet_arg_scope", "lenet5"]
