"""File formats and file system helpers (gfile, TFRecord, checkpoint bundles), and the
``tf.io`` namespace.

The ``tf.io`` names that build graph ops (``parse_single_example``, ``decode_raw``...) are
resolved lazily, so the file-format modules stay importable without the op library.
"""
import importlib

from tensorslim.io.tfrecord import (TFRecordCompressionType, TFRecordOptions, TFRecordWriter,
                                    tf_record_iterator)

_LAZY = {
    "parse_example": ("tensorslim.data.parsing", "parse_example"),
    "parse_single_example": ("tensorslim.data.parsing", "parse_single_example"),
    "parse_single_sequence_example": ("tensorslim.data.parsing",
                                      "parse_single_sequence_example"),
    "FixedLenFeature": ("tensorslim.data.parsing", "FixedLenFeature"),
    "VarLenFeature": ("tensorslim.data.parsing", "VarLenFeature"),
    "FixedLenSequenceFeature": ("tensorslim.data.parsing", "FixedLenSequenceFeature"),
    "decode_raw": ("tensorslim.data.strings", "decode_raw"),
    "decode_csv": ("tensorslim.data.strings", "decode_csv"),
    "read_file": ("tensorslim.data.readers", "read_file"),
    "write_file": ("tensorslim.data.readers", "write_file"),
    "matching_files": ("tensorslim.data.readers", "matching_files"),
    "gfile": ("tensorslim.io.gfile", None),
}

__all__ = ["TFRecordWriter", "tf_record_iterator", "TFRecordOptions",
           "TFRecordCompressionType"] + sorted(_LAZY)


def __getattr__(name):
    try:
        module, attr = _LAZY[name]
    except KeyError:
        raise AttributeError("module 'tensorslim.io' has no attribute %r" % name) from None
    value = importlib.import_module(module)
    if attr is not None:
        value = getattr(value, attr)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
