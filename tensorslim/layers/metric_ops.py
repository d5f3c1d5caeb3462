"""``slim.metrics`` (``tf.contrib.metrics``): the streaming metrics of
:mod:`tensorslim.layers.metrics` under TF-slim's names and argument order
(``streaming_accuracy(predictions, labels)``), plus ``aggregate_metric_map``."""
from tensorslim.layers import metrics as _m

__all__ = [
    "aggregate_metrics", "aggregate_metric_map", "streaming_accuracy", "streaming_mean",
    "streaming_mean_tensor", "streaming_precision", "streaming_recall", "streaming_auc",
    "streaming_mean_iou", "streaming_mean_absolute_error", "streaming_mean_squared_error",
    "streaming_root_mean_squared_error", "streaming_true_positives",
    "streaming_false_positives", "streaming_true_negatives", "streaming_false_negatives",
]


def streaming_mean(values, weights=None, metrics_collections=None, updates_collections=None,
                   name=None):
    """The running mean of ``values``; ``(value, update_op)`` (see ``tf.metrics.mean``)."""
    return _m.mean(values, weights, metrics_collections, updates_collections, name)


def streaming_mean_tensor(values, weights=None, metrics_collections=None,
                          updates_collections=None, name=None):
    """The element-wise running mean; see ``tf.metrics.mean_tensor``."""
    return _m.mean_tensor(values, weights, metrics_collections, updates_collections, name)


def _swap(metric):
    def streaming(predictions, labels, weights=None, metrics_collections=None,
                  updates_collections=None, name=None):
        return metric(labels, predictions, weights, metrics_collections, updates_collections,
                      name)
    streaming.__name__ = "streaming_" + metric.__name__
    streaming.__doc__ = ("``tf.metrics.%s`` with the predictions first; returns "
                         "``(value, update_op)``." % metric.__name__)
    return streaming


streaming_accuracy = _swap(_m.accuracy)
streaming_precision = _swap(_m.precision)
streaming_recall = _swap(_m.recall)
streaming_mean_absolute_error = _swap(_m.mean_absolute_error)
streaming_mean_squared_error = _swap(_m.mean_squared_error)
streaming_root_mean_squared_error = _swap(_m.root_mean_squared_error)
streaming_true_positives = _swap(_m.true_positives)
streaming_false_positives = _swap(_m.false_positives)
streaming_true_negatives = _swap(_m.true_negatives)
streaming_false_negatives = _swap(_m.false_negatives)


def streaming_auc(predictions, labels, weights=None, num_thresholds=200,
                  metrics_collections=None, updates_collections=None, curve="ROC", name=None,
                  summation_method="trapezoidal"):
    """The approximate AUC (see ``tf.metrics.auc``); ``(value, update_op)``."""
    return _m.auc(labels, predictions, weights, num_thresholds, metrics_collections,
                  updates_collections, curve, name, summation_method)


def streaming_mean_iou(predictions, labels, num_classes, weights=None,
                       metrics_collections=None, updates_collections=None, name=None):
    """The mean IoU (see ``tf.metrics.mean_iou``); ``(value, update_op)``."""
    return _m.mean_iou(labels, predictions, num_classes, weights, metrics_collections,
                       updates_collections, name)


def aggregate_metrics(*value_update_tuples):
    """Splits ``(value, update_op)`` pairs into ``(list of values, list of update ops)``.

    Raises:
      ValueError: no pairs given.
    """
    if not value_update_tuples:
        raise ValueError("Expected at least one value_tensor/update_op pair")
    values, updates = zip(*value_update_tuples)
    return list(values), list(updates)


def aggregate_metric_map(names_to_tuples):
    """Splits ``{name: (value, update_op)}`` into ``({name: value}, {name: update_op})``.

    ``names_to_values, names_to_updates = slim.metrics.aggregate_metric_map({...})``; run
    ``list(names_to_updates.values())`` per batch (``slim.evaluation`` does).
    """
    names = list(names_to_tuples.keys())
    values, updates = aggregate_metrics(*[names_to_tuples[n] for n in names]) if names \
        else ([], [])
    return dict(zip(names, values)), dict(zip(names, updates))
