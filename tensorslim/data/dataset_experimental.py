"""``tf.data.experimental``: transformations applied with ``Dataset.apply``, and AUTOTUNE."""
from tensorslim.data.dataset_ops import AUTOTUNE

__all__ = ["AUTOTUNE", "ignore_errors", "shuffle_and_repeat", "map_and_batch",
           "parallel_interleave", "unbatch", "enumerate_dataset"]


def ignore_errors():
    """A transformation dropping the elements whose computation fails.

    Returns:
      A function for ``Dataset.apply``.
    """
    def apply(dataset):
        return dataset._op("IgnoreErrorsDataset", [], dataset._element_spec)
    return apply


def shuffle_and_repeat(buffer_size, count=None, seed=None):
    """``dataset.shuffle(buffer_size, seed).repeat(count)`` as one transformation."""
    def apply(dataset):
        return dataset.shuffle(buffer_size, seed=seed).repeat(count)
    return apply


def map_and_batch(map_func, batch_size, num_parallel_batches=None, drop_remainder=False,
                  num_parallel_calls=None):
    """``dataset.map(map_func, num_parallel_calls).batch(batch_size, drop_remainder)``."""
    if num_parallel_batches is not None and num_parallel_calls is not None:
        raise ValueError("The `num_parallel_batches` and `num_parallel_calls` arguments are "
                         "mutually exclusive.")
    if num_parallel_batches is not None:
        num_parallel_calls = num_parallel_batches * batch_size

    def apply(dataset):
        return dataset.map(map_func, num_parallel_calls).batch(batch_size, drop_remainder)
    return apply


def parallel_interleave(map_func, cycle_length, block_length=1, sloppy=False,
                        buffer_output_elements=None, prefetch_input_elements=None):
    """``interleave`` reading ``cycle_length`` datasets ahead on background threads."""
    def apply(dataset):
        return dataset.interleave(map_func, cycle_length, block_length,
                                  num_parallel_calls=cycle_length)
    return apply


def unbatch():
    """A transformation splitting batched elements (``Dataset.unbatch``)."""
    return lambda dataset: dataset.unbatch()


def enumerate_dataset(start=0):
    """A transformation pairing elements with their index (``Dataset.enumerate``)."""
    return lambda dataset: dataset.enumerate(start)
