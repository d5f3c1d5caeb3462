"""Datasets for the tutorials: MNIST (:mod:`tensorslim.data.mnist`).

This package is also TF1's ``tf.data``: ``tf.data.Dataset``, ``TFRecordDataset``,
``TextLineDataset``, ``FixedLengthRecordDataset``, ``Iterator``,
``make_one_shot_iterator``, ``make_initializable_iterator`` and ``experimental`` are
attributes of it (imported on first use from :mod:`tensorslim.data.dataset_ops` and
:mod:`tensorslim.data.iterator_ops`).
"""
import importlib

# tf.data's public names -> the module defining them.
_TF_DATA = {
    "Dataset": "dataset_ops", "DatasetV1": "dataset_ops", "TFRecordDataset": "dataset_ops",
    "TextLineDataset": "dataset_ops", "FixedLengthRecordDataset": "dataset_ops",
    "get_output_types": "dataset_ops", "get_output_shapes": "dataset_ops",
    "get_output_classes": "dataset_ops",
    "Iterator": "iterator_ops", "make_one_shot_iterator": "iterator_ops",
    "make_initializable_iterator": "iterator_ops",
}


def __getattr__(name):
    if name == "experimental":
        return importlib.import_module("tensorslim.data.dataset_experimental")
    module = _TF_DATA.get(name)
    if module is None:
        raise AttributeError("module 'tensorslim.data' has no attribute %r" % name)
    return getattr(importlib.import_module("tensorslim.data." + module), name)


def __dir__():
    return sorted(list(globals()) + list(_TF_DATA) + ["experimental"])
