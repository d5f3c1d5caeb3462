"""Streaming metrics (``tf.metrics``): each returns ``(value, update_op)``.

A metric keeps its running state in LOCAL_VARIABLES (also METRIC_VARIABLES) named inside
its scope (``accuracy/total``, ``accuracy/count``): run ``tf.local_variables_initializer()``
first, run ``update_op`` on every batch, and read ``value`` at the end. ``update_op``
returns the metric after the batch.
"""
from tensorslim.core import dtypes as _dtypes
from tensorslim.core import variable_scope as _vs
from tensorslim.core.graph import (GraphKeys, add_to_collections, control_dependencies,
                                   convert_to_tensor)
from tensorslim.core.variables import Variable

__all__ = ["metric_variable", "mean", "accuracy", "mean_absolute_error", "mean_squared_error",
           "root_mean_squared_error", "true_positives", "false_positives", "true_negatives",
           "false_negatives", "precision", "recall", "auc", "mean_iou", "mean_tensor"]


def _tf():
    import tensorslim
    return tensorslim


def metric_variable(shape, dtype, validate_shape=True, name=None):
    """A zero-initialized local variable for a metric's state (LOCAL and METRIC_VARIABLES)."""
    tf = _tf()
    return Variable(lambda: tf.zeros(shape, dtype), trainable=False,
                    collections=[GraphKeys.LOCAL_VARIABLES, GraphKeys.METRIC_VARIABLES],
                    validate_shape=validate_shape, name=name)


def _collect(collections, value):
    if collections:
        add_to_collections(collections, value)


def _remove_squeezable_dimensions(predictions, labels, weights):
    """Squeezes a trailing size-1 dimension that makes predictions and labels differ in rank
    by one, and brings ``weights`` to the predictions' rank."""
    tf = _tf()
    predictions = convert_to_tensor(predictions)
    if labels is not None:
        labels = convert_to_tensor(labels)
        pr, lr = predictions.get_shape().ndims, labels.get_shape().ndims
        if pr is not None and lr is not None:
            if pr - lr == 1 and predictions.get_shape()[-1].value in (1, None):
                predictions = tf.squeeze(predictions, [-1])
            elif lr - pr == 1 and labels.get_shape()[-1].value in (1, None):
                labels = tf.squeeze(labels, [-1])
    if weights is None:
        return predictions, labels, None
    weights = convert_to_tensor(weights)
    wr, pr = weights.get_shape().ndims, predictions.get_shape().ndims
    if wr is not None and pr is not None and wr > 0:
        if wr - pr == 1 and weights.get_shape()[-1].value in (1, None):
            weights = tf.squeeze(weights, [-1])
        elif pr - wr == 1:
            weights = tf.expand_dims(weights, -1)
    return predictions, labels, weights


def _check_compatible(metric, predictions, labels):
    if not predictions.get_shape().is_compatible_with(labels.get_shape()):
        hint = ""
        ps, ls = predictions.get_shape(), labels.get_shape()
        if ps.ndims is not None and ls.ndims is not None and ps.ndims == ls.ndims + 1:
            hint = (" (predictions look like scores per class: pass the predicted class, "
                    "tf.argmax(logits, 1))")
        raise ValueError("%s: predictions %s of shape %s are not compatible with labels %s of "
                         "shape %s%s." % (metric, predictions.name, ps, labels.name, ls, hint))


def _broadcast_weights(weights, values):
    tf = _tf()
    weights = tf.cast(weights, _dtypes.float32)
    if weights.get_shape().is_fully_defined() and values.get_shape().is_fully_defined() and \
            weights.get_shape() == values.get_shape():
        return weights
    return tf.multiply(weights, tf.ones_like(values))


def mean(values, weights=None, metrics_collections=None, updates_collections=None,
         name=None):
    """The (weighted) mean of ``values`` over every batch seen.

    Args:
      values: a Tensor.
      weights: None, or a Tensor broadcastable to ``values``.
      metrics_collections: collections to add the value to.
      updates_collections: collections to add the update op to.
      name: the variable scope (default "mean").

    Returns:
      ``(mean, update_op)``.
    """
    tf = _tf()
    with _vs.variable_scope(name, "mean", (values, weights)):
        values = tf.cast(values, _dtypes.float32)
        total = metric_variable([], _dtypes.float32, name="total")
        count = metric_variable([], _dtypes.float32, name="count")
        if weights is None:
            num_values = tf.cast(tf.size(values), _dtypes.float32)
        else:
            values, _, weights = _remove_squeezable_dimensions(values, None, weights)
            weights = _broadcast_weights(weights, values)
            values = tf.multiply(values, weights)
            num_values = tf.reduce_sum(weights)
        update_total = tf.assign_add(total, tf.reduce_sum(values))
        with control_dependencies([values]):
            update_count = tf.assign_add(count, num_values)
        value = tf.div_no_nan(total, tf.maximum(count, 0), name="value")
        update_op = tf.div_no_nan(update_total, tf.maximum(update_count, 0), name="update_op")
        _collect(metrics_collections, value)
        _collect(updates_collections, update_op)
        return value, update_op


def mean_tensor(values, weights=None, metrics_collections=None, updates_collections=None,
                name=None):
    """The element-wise (weighted) mean of ``values`` over every batch seen.

    Returns:
      ``(mean, update_op)``, shaped like ``values``.
    """
    tf = _tf()
    with _vs.variable_scope(name, "mean", (values, weights)):
        values = tf.cast(values, _dtypes.float32)
        shape = values.get_shape()
        if not shape.is_fully_defined():
            raise ValueError("mean_tensor needs values of fully defined shape, got %s."
                             % shape)
        total = metric_variable(shape.as_list(), _dtypes.float32, name="total_tensor")
        count = metric_variable(shape.as_list(), _dtypes.float32, name="count_tensor")
        num_values = tf.ones_like(values)
        if weights is not None:
            values, _, weights = _remove_squeezable_dimensions(values, None, weights)
            weights = _broadcast_weights(weights, values)
            values = tf.multiply(values, weights)
            num_values = tf.multiply(num_values, weights)
        update_total = tf.assign_add(total, values)
        with control_dependencies([values]):
            update_count = tf.assign_add(count, num_values)
        value = tf.div_no_nan(total, count, name="value")
        update_op = tf.div_no_nan(update_total, update_count, name="update_op")
        _collect(metrics_collections, value)
        _collect(updates_collections, update_op)
        return value, update_op


def accuracy(labels, predictions, weights=None, metrics_collections=None,
             updates_collections=None, name=None):
    """The fraction of ``predictions`` equal to ``labels`` (classes, not scores).

    Returns:
      ``(accuracy, update_op)``.

    Raises:
      ValueError: predictions and labels have incompatible shapes (e.g. logits passed
        instead of ``tf.argmax(logits, 1)``).
    """
    tf = _tf()
    predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels, weights)
    _check_compatible("accuracy", predictions, labels)
    if labels.dtype.base_dtype != predictions.dtype.base_dtype:
        predictions = tf.cast(predictions, labels.dtype.base_dtype)
    is_correct = tf.cast(tf.equal(predictions, labels), _dtypes.float32)
    return mean(is_correct, weights, metrics_collections, updates_collections,
                name or "accuracy")


def _float_pair(metric, labels, predictions, weights):
    tf = _tf()
    predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels, weights)
    _check_compatible(metric, predictions, labels)
    return (tf.cast(labels, _dtypes.float32), tf.cast(predictions, _dtypes.float32), weights)


def mean_absolute_error(labels, predictions, weights=None, metrics_collections=None,
                        updates_collections=None, name=None):
    """The mean of ``|predictions - labels|``; returns ``(value, update_op)``."""
    tf = _tf()
    labels, predictions, weights = _float_pair("mean_absolute_error", labels, predictions,
                                               weights)
    return mean(tf.abs(predictions - labels), weights, metrics_collections,
                updates_collections, name or "mean_absolute_error")


def mean_squared_error(labels, predictions, weights=None, metrics_collections=None,
                       updates_collections=None, name=None):
    """The mean of ``(predictions - labels) ** 2``; returns ``(value, update_op)``."""
    tf = _tf()
    labels, predictions, weights = _float_pair("mean_squared_error", labels, predictions,
                                               weights)
    return mean(tf.squared_difference(predictions, labels), weights, metrics_collections,
                updates_collections, name or "mean_squared_error")


def root_mean_squared_error(labels, predictions, weights=None, metrics_collections=None,
                            updates_collections=None, name=None):
    """The square root of :func:`mean_squared_error`; returns ``(value, update_op)``."""
    tf = _tf()
    mse, update_mse = mean_squared_error(labels, predictions, weights, None, None,
                                         name or "root_mean_squared_error")
    rmse = tf.sqrt(mse)
    update_op = tf.sqrt(update_mse)
    _collect(metrics_collections, rmse)
    _collect(updates_collections, update_op)
    return rmse, update_op


def _count_condition(values, weights, metrics_collections, updates_collections):
    tf = _tf()
    count = metric_variable([], _dtypes.float32, name="count")
    values = tf.cast(values, _dtypes.float32)
    if weights is not None:
        values = tf.multiply(values, _broadcast_weights(weights, values))
    value = tf.identity(count)
    update_op = tf.assign_add(count, tf.reduce_sum(values))
    _collect(metrics_collections, value)
    _collect(updates_collections, update_op)
    return value, update_op


def _bool_pair(metric, labels, predictions, weights):
    tf = _tf()
    predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels, weights)
    _check_compatible(metric, predictions, labels)
    return tf.cast(labels, _dtypes.bool), tf.cast(predictions, _dtypes.bool), weights


def _condition_metric(default_name, label_value, prediction_value):
    def metric(labels, predictions, weights=None, metrics_collections=None,
               updates_collections=None, name=None):
        tf = _tf()
        with _vs.variable_scope(name, default_name, (predictions, labels, weights)):
            labels, predictions, weights = _bool_pair(default_name, labels, predictions,
                                                      weights)
            cond = tf.logical_and(tf.equal(labels, label_value),
                                  tf.equal(predictions, prediction_value))
            return _count_condition(cond, weights, metrics_collections, updates_collections)
    metric.__name__ = default_name
    metric.__doc__ = ("The (weighted) count of %s: labels %s and predictions %s.\n\n"
                      "    Returns:\n      ``(count, update_op)``.\n"
                      % (default_name.replace("_", " "), label_value, prediction_value))
    return metric


true_positives = _condition_metric("true_positives", True, True)
false_positives = _condition_metric("false_positives", False, True)
true_negatives = _condition_metric("true_negatives", False, False)
false_negatives = _condition_metric("false_negatives", True, False)


def _ratio(tp, other, name):
    tf = _tf()
    return tf.where(tf.greater(tp + other, 0), tf.truediv(tp, tp + other),
                    tf.zeros_like(tp), name=name)


def _tp_ratio(default_name, other_metric, labels, predictions, weights, metrics_collections,
              updates_collections, name):
    """``tp / (tp + other)``, ``other`` counted by ``other_metric``: ``(value, update_op)``."""
    with _vs.variable_scope(name, default_name, (predictions, labels, weights)):
        labels, predictions, weights = _bool_pair(default_name, labels, predictions, weights)
        tp, tp_update = true_positives(labels, predictions, weights)
        other, other_update = other_metric(labels, predictions, weights)
        value = _ratio(tp, other, "value")
        update_op = _ratio(tp_update, other_update, "update_op")
        _collect(metrics_collections, value)
        _collect(updates_collections, update_op)
        return value, update_op


def precision(labels, predictions, weights=None, metrics_collections=None,
              updates_collections=None, name=None):
    """``tp / (tp + fp)`` of boolean predictions; returns ``(precision, update_op)``."""
    return _tp_ratio("precision", false_positives, labels, predictions, weights,
                     metrics_collections, updates_collections, name)


def recall(labels, predictions, weights=None, metrics_collections=None,
           updates_collections=None, name=None):
    """``tp / (tp + fn)`` of boolean predictions; returns ``(recall, update_op)``."""
    return _tp_ratio("recall", false_negatives, labels, predictions, weights,
                     metrics_collections, updates_collections, name)


def _confusion_at_thresholds(labels, predictions, thresholds, weights):
    """Accumulated tp/fn/tn/fp counts per threshold: ``(values, update_ops)`` dicts."""
    tf = _tf()
    predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels, weights)
    _check_compatible("auc", predictions, labels)
    predictions = tf.cast(predictions, _dtypes.float32)
    labels = tf.cast(labels, _dtypes.bool)
    n = len(thresholds)
    preds_2d = tf.reshape(predictions, [1, -1])
    labels_2d = tf.reshape(labels, [1, -1])
    thresh = tf.constant([[t] for t in thresholds], dtype=_dtypes.float32)
    pred_is_pos = tf.greater(preds_2d, thresh)           # [n, num_predictions]
    pred_is_neg = tf.logical_not(pred_is_pos)
    label_is_pos = tf.tile(labels_2d, [n, 1])
    label_is_neg = tf.logical_not(label_is_pos)
    weights_2d = None
    if weights is not None:
        weights_2d = tf.reshape(_broadcast_weights(weights, predictions), [1, -1])
    values, updates = {}, {}
    for key, name, a, b in (("tp", "true_positives", label_is_pos, pred_is_pos),
                            ("fn", "false_negatives", label_is_pos, pred_is_neg),
                            ("tn", "true_negatives", label_is_neg, pred_is_neg),
                            ("fp", "false_positives", label_is_neg, pred_is_pos)):
        acc = metric_variable([n], _dtypes.float32, name=name)
        hits = tf.cast(tf.logical_and(a, b), _dtypes.float32)
        if weights_2d is not None:
            hits = tf.multiply(hits, weights_2d)
        updates[key] = tf.assign_add(acc, tf.reduce_sum(hits, 1))
        values[key] = tf.identity(acc)
    return values, updates


def auc(labels, predictions, weights=None, num_thresholds=200, metrics_collections=None,
        updates_collections=None, curve="ROC", name=None, summation_method="trapezoidal",
        thresholds=None):
    """The area under the ROC (or PR) curve, approximated on ``num_thresholds`` thresholds.

    Args:
      labels: boolean (or 0/1) labels.
      predictions: scores in [0, 1].
      weights: optional weights.
      num_thresholds: the number of thresholds (evenly spaced in [0, 1]).
      metrics_collections, updates_collections, name: as for the other metrics.
      curve: "ROC" or "PR".
      summation_method: "trapezoidal", "careful_interpolation" (treated as trapezoidal),
        "minoring" or "majoring".
      thresholds: explicit thresholds instead of ``num_thresholds``.

    Returns:
      ``(auc, update_op)``.

    Raises:
      ValueError: an unknown curve or summation method.
    """
    tf = _tf()
    if curve not in ("ROC", "PR"):
        raise ValueError("auc: curve must be either ROC or PR, %s unknown" % (curve,))
    if summation_method not in ("trapezoidal", "careful_interpolation", "minoring",
                                "majoring"):
        raise ValueError("auc: Invalid summation_method: %s" % (summation_method,))
    with _vs.variable_scope(name, "auc", (labels, predictions, weights)):
        kepsilon = 1e-7
        if thresholds is not None:
            thresholds = sorted(float(t) for t in thresholds)
            num_thresholds = len(thresholds) + 2
        else:
            thresholds = [(i + 1) * 1.0 / (num_thresholds - 1)
                          for i in range(num_thresholds - 2)]
        thresholds = [0.0 - kepsilon] + thresholds + [1.0 + kepsilon]
        values, updates = _confusion_at_thresholds(labels, predictions, thresholds, weights)
        epsilon = 1.0e-6
        n = num_thresholds

        def compute(c, name):
            rec = tf.truediv(c["tp"] + epsilon, c["tp"] + c["fn"] + epsilon)
            if curve == "ROC":
                x, y = tf.truediv(c["fp"], c["fp"] + c["tn"] + epsilon), rec
            else:
                x, y = rec, tf.truediv(c["tp"] + epsilon, c["tp"] + c["fp"] + epsilon)
            dx = x[:n - 1] - x[1:]
            if summation_method == "minoring":
                height = tf.minimum(y[:n - 1], y[1:])
            elif summation_method == "majoring":
                height = tf.maximum(y[:n - 1], y[1:])
            else:
                height = (y[:n - 1] + y[1:]) / 2.0
            return tf.reduce_sum(tf.multiply(dx, height), name=name)
        value = compute(values, "value")
        update_op = compute(updates, "update_op")
        _collect(metrics_collections, value)
        _collect(updates_collections, update_op)
        return value, update_op


def mean_iou(labels, predictions, num_classes, weights=None, metrics_collections=None,
             updates_collections=None, name=None):
    """The mean intersection-over-union of the classes (semantic segmentation).

    Accumulates a ``[num_classes, num_classes]`` float64 confusion matrix
    (``mean_iou/total_confusion_matrix``); ``update_op`` returns that matrix, as in TF.

    Returns:
      ``(mean_iou, update_op)``.

    Raises:
      ValueError: incompatible shapes.
    """
    tf = _tf()
    with _vs.variable_scope(name, "mean_iou", (predictions, labels, weights)):
        predictions = convert_to_tensor(predictions)
        labels = convert_to_tensor(labels)
        _check_compatible("mean_iou", predictions, labels)
        total_cm = metric_variable([num_classes, num_classes], _dtypes.float64,
                                   name="total_confusion_matrix")
        preds = tf.reshape(tf.cast(predictions, _dtypes.int32), [-1])
        labs = tf.reshape(tf.cast(labels, _dtypes.int32), [-1])
        if weights is None:
            w = tf.ones_like(preds, dtype=_dtypes.float64)
        else:
            w = tf.reshape(tf.cast(_broadcast_weights(weights, predictions),
                                   _dtypes.float64), [-1])
        cells = tf.add(labs * num_classes, preds)
        current = tf.reshape(tf.unsorted_segment_sum(w, cells, num_classes * num_classes),
                             [num_classes, num_classes])
        update_op = tf.assign_add(total_cm, current)
        cm = tf.identity(total_cm)
        sum_over_row = tf.cast(tf.reduce_sum(cm, 0), _dtypes.float32)
        sum_over_col = tf.cast(tf.reduce_sum(cm, 1), _dtypes.float32)
        cm_diag = tf.cast(tf.diag_part(cm), _dtypes.float32)
        denominator = sum_over_row + sum_over_col - cm_diag
        num_valid = tf.reduce_sum(tf.cast(tf.not_equal(denominator, 0), _dtypes.float32))
        denominator = tf.where(tf.greater(denominator, 0), denominator,
                               tf.ones_like(denominator))
        iou = tf.truediv(cm_diag, denominator)
        value = tf.where(tf.greater(num_valid, 0),
                         tf.reduce_sum(iou, name="mean_iou") / num_valid,
                         tf.constant(0.0), name="value")
        _collect(metrics_collections, value)
        _collect(updates_collections, update_op)
        return value, update_op
