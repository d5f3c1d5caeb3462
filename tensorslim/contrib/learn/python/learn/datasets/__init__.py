"""TF1's ``tf.contrib.learn.datasets``: ``mnist`` and ``load_dataset("mnist")``."""
from tensorslim.contrib.learn.python.learn.datasets import mnist

__all__ = ["mnist", "load_dataset", "DATASETS"]

DATASETS = {"mnist": mnist.load_mnist}


def load_dataset(name, size="small", test_with_fake_data=False):
    """Loads a dataset by name (only ``"mnist"`` here).

    Args:
      name: the dataset name.
      size: unused (TF1 used it for dbpedia).
      test_with_fake_data: return fake data instead of reading files.

    Returns:
      ``Datasets(train, validation, test)``.

    Raises:
      ValueError: an unknown name.
    """
    del size
    if name not in DATASETS:
        raise ValueError("Name of dataset is not found: %s" % name)
    if test_with_fake_data:
        return mnist.read_data_sets(None, fake_data=True)
    return DATASETS[name]()
