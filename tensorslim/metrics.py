"""``tf.metrics``: streaming metrics returning ``(value, update_op)`` (the implementation is
:mod:`tensorslim.layers.metrics`, shared with ``slim.metrics``)."""
from tensorslim.layers.metrics import (accuracy, auc, false_negatives, false_positives, mean,
                                       mean_absolute_error, mean_iou, mean_squared_error,
                                       mean_tensor, precision, recall, root_mean_squared_error,
                                       true_negatives, true_positives)

__all__ = [
    "accuracy", "auc", "false_negatives", "false_positives", "mean", "mean_absolute_error",
    "mean_iou", "mean_squared_error", "mean_tensor", "precision", "recall",
    "root_mean_squared_error", "true_negatives", "true_positives",
]
