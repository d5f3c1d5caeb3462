"""``tf.python_io``: writing and reading TFRecord files from Python."""
from tensorslim.io.tfrecord import (TFRecordCompressionType, TFRecordOptions, TFRecordWriter,
                                    tf_record_iterator)

__all__ = ["TFRecordWriter", "tf_record_iterator", "TFRecordOptions", "TFRecordCompressionType"]
