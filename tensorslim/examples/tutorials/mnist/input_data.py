"""TF1's ``tensorflow.examples.tutorials.mnist.input_data``: an alias of
:mod:`tensorslim.data.mnist`, so ``input_data.read_data_sets("MNIST_data/", one_hot=True)``
works unchanged.
"""
from tensorslim.data.mnist import DataSet, maybe_download, read_data_sets

__all__ = ["read_data_sets", "DataSet", "maybe_download"]
