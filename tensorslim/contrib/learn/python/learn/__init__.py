"""TF1's ``tensorflow.contrib.learn.python.learn``: the ``datasets`` package."""
from tensorslim.contrib.learn.python.learn import datasets

__all__ = ["datasets"]
