"""TF1's ``tensorflow.contrib.learn.python.learn.datasets.mnist``: an alias of
:mod:`tensorslim.data.mnist` (``read_data_sets``, ``DataSet``, ``load_mnist``...)."""
from tensorslim.data.mnist import (DEFAULT_SOURCE_URL, DataSet, Datasets, dense_to_one_hot,
                                   extract_images, extract_labels, load_mnist, maybe_download,
                                   read_data_sets)

__all__ = ["read_data_sets", "load_mnist", "DataSet", "Datasets", "extract_images",
           "extract_labels", "dense_to_one_hot", "maybe_download", "DEFAULT_SOURCE_URL"]
