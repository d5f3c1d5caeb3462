"""``tf.contrib.learn``: only its MNIST dataset reader survives here
(``tf.contrib.learn.datasets.mnist.read_data_sets``)."""
from tensorslim.contrib.learn.python import learn as _learn
from tensorslim.contrib.learn.python.learn import datasets

__all__ = ["datasets"]
del _learn
