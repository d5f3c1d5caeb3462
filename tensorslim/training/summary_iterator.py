"""``tf.train.summary_iterator``: the ``Event`` protos of an event file, in order."""
from tensorslim.io.tfrecord import tf_record_iterator
from tensorslim.proto import Event

__all__ = ["summary_iterator"]


def summary_iterator(path):
    """Yields the ``tf.Event`` protos stored in the event file ``path``.

    Args:
      path: an ``events.out.tfevents.*`` file (a TFRecord file of serialized Events).

    Yields:
      ``Event`` messages, in file order.

    Raises:
      DataLossError: a record is truncated or fails its CRC.
    """
    for record in tf_record_iterator(path):
        yield Event.FromString(record)
