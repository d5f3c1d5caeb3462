"""Losses (``tf.losses``): weighted, reduced, and registered in the LOSSES collection.

Every loss is computed per element, multiplied by ``weights`` (a scalar, or a tensor that
broadcasts to the losses), reduced (by default: the sum divided by the number of non-zero
weights) and added to ``loss_collection`` so that :func:`get_total_loss` finds it with the
regularization losses. ``slim.losses`` (``tensorslim.layers.loss_ops``) exposes the same
implementation under TF-slim's older signatures (``logits`` / ``predictions`` first).

Diagnostic: a ``LogitsActivationWarning`` is issued when a cross-entropy loss receives
logits that come straight out of a ReLU, a sigmoid or a softmax: the loss applies its own
softmax/sigmoid and needs unbounded logits (slim layers default to ``activation_fn=relu``,
so a logits layer needs ``activation_fn=None``).
"""
import os
import sys
import warnings

from tensorslim.core import dtypes as _dtypes
from tensorslim.core.graph import (GraphKeys, add_to_collection, convert_to_tensor,
                                   format_location, get_collection, name_scope)

__all__ = [
    "Reduction", "add_loss", "get_losses", "get_regularization_loss",
    "get_regularization_losses", "get_total_loss", "compute_weighted_loss",
    "absolute_difference", "cosine_distance", "hinge_loss", "huber_loss", "log_loss",
    "mean_pairwise_squared_error", "mean_squared_error", "sigmoid_cross_entropy",
    "softmax_cross_entropy", "sparse_softmax_cross_entropy", "LogitsActivationWarning",
]

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _tf():
    import tensorslim
    return tensorslim


class Reduction:
    """How a weighted loss tensor is reduced (``tf.losses.Reduction``)."""

    NONE = "none"
    SUM = "weighted_sum"
    SUM_OVER_BATCH_SIZE = "weighted_sum_over_batch_size"
    MEAN = "weighted_mean"
    SUM_BY_NONZERO_WEIGHTS = "weighted_sum_by_nonzero_weights"
    SUM_OVER_NONZERO_WEIGHTS = SUM_BY_NONZERO_WEIGHTS

    @classmethod
    def all(cls):
        return (cls.NONE, cls.SUM, cls.MEAN, cls.SUM_OVER_BATCH_SIZE,
                cls.SUM_OVER_NONZERO_WEIGHTS, cls.SUM_BY_NONZERO_WEIGHTS)

    @classmethod
    def validate(cls, key):
        """Raises ValueError for an unknown reduction."""
        if key not in cls.all():
            raise ValueError("Invalid Reduction Key %s (expected one of %s)."
                             % (key, ", ".join(sorted(set(cls.all())))))


class LogitsActivationWarning(UserWarning):
    """A cross-entropy loss got logits that already went through an activation."""


# --------------------------------------------------------------------------- collections

def add_loss(loss, loss_collection=GraphKeys.LOSSES):
    """Adds ``loss`` (a scalar Tensor) to ``loss_collection`` (nothing when it is None)."""
    if loss_collection:
        add_to_collection(loss_collection, loss)


def get_losses(scope=None, loss_collection=GraphKeys.LOSSES):
    """The losses in ``loss_collection``, filtered by name ``scope``."""
    return get_collection(loss_collection, scope)


def get_regularization_losses(scope=None):
    """The REGULARIZATION_LOSSES (weight decay terms of the variables), filtered by scope."""
    return get_collection(GraphKeys.REGULARIZATION_LOSSES, scope)


def get_regularization_loss(scope=None, name="total_regularization_loss"):
    """The sum of the regularization losses (0.0 when there are none)."""
    tf = _tf()
    losses = get_regularization_losses(scope)
    if losses:
        return tf.add_n(losses, name=name)
    return tf.constant(0.0)


def get_total_loss(add_regularization_losses=True, name="total_loss", scope=None):
    """The sum of the LOSSES collection, plus the regularization losses by default.

    Args:
      add_regularization_losses: also add REGULARIZATION_LOSSES.
      name: the name of the sum.
      scope: only losses whose names match this scope.

    Returns:
      A scalar Tensor.

    Raises:
      ValueError: there is no loss to add up.
    """
    tf = _tf()
    losses = get_losses(scope=scope)
    if add_regularization_losses:
        losses = losses + get_regularization_losses(scope=scope)
    if not losses:
        raise ValueError("get_total_loss: no losses to add up: the tf.GraphKeys.LOSSES "
                         "collection%s is empty. Build a loss with tf.losses / slim.losses, "
                         "or register your own with add_loss(loss)."
                         % (" (and REGULARIZATION_LOSSES)" if add_regularization_losses
                            else ""))
    return tf.add_n(losses, name=name)


# --------------------------------------------------------------------------- weighting

def _check_broadcastable(weights, losses):
    ws, ls = weights.get_shape(), losses.get_shape()
    if ws.ndims is None or ls.ndims is None or ws.ndims == 0:
        return
    ok = ws.ndims == ls.ndims and all(
        w is None or l is None or w == 1 or w == l
        for w, l in zip(ws.as_list(), ls.as_list()))
    if not ok:
        raise ValueError("weights can not be broadcast to values. values.rank=%d. "
                         "weights.rank=%d. values.shape=%s. weights.shape=%s."
                         % (ls.ndims, ws.ndims, ls, ws))


def _num_elements(losses):
    tf = _tf()
    with name_scope(None, "num_elements", values=[losses]) as scope:
        return tf.cast(tf.size(losses, name=scope), dtype=losses.dtype)


def _num_present(losses, weights, per_batch=False):
    tf = _tf()
    if isinstance(weights, float) and weights != 0.0:
        return _num_elements(losses)
    with name_scope(None, "num_present", (losses, weights)) as scope:
        weights = tf.cast(weights, dtype=_dtypes.float32)
        present = tf.where(tf.equal(weights, 0.0), tf.zeros_like(weights),
                           tf.ones_like(weights))
        present = tf.multiply(present, tf.ones_like(losses))
        if per_batch:
            rank = present.get_shape().ndims
            return tf.reduce_sum(present, axis=list(range(1, rank)), keepdims=True,
                                 name=scope)
        return tf.reduce_sum(present, name=scope)


def _safe_mean(total, count):
    return _tf().div_no_nan(total, count, name="value")


def compute_weighted_loss(losses, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
                          reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Weights, reduces and registers a per-element loss tensor.

    Args:
      losses: the per-element losses.
      weights: a scalar or a tensor broadcastable to ``losses`` (same rank, dims 1 or equal).
      scope: the name scope (default "weighted_loss").
      loss_collection: where to add the result (None: nowhere).
      reduction: a :class:`Reduction` key.

    Returns:
      The loss: a scalar, or shaped like ``losses`` with ``Reduction.NONE``.

    Raises:
      ValueError: an unknown reduction, or weights that do not broadcast to the losses.
    """
    tf = _tf()
    Reduction.validate(reduction)
    with name_scope(scope, "weighted_loss", (losses, weights)):
        losses = convert_to_tensor(losses)
        input_dtype = losses.dtype.base_dtype
        losses = tf.cast(losses, dtype=_dtypes.float32)
        weights = tf.cast(weights, dtype=_dtypes.float32)
        _check_broadcastable(weights, losses)
        weighted = tf.multiply(losses, weights)
        if reduction == Reduction.NONE:
            loss = weighted
        else:
            loss = tf.reduce_sum(weighted)
            if reduction == Reduction.MEAN:
                loss = _safe_mean(loss, tf.reduce_sum(tf.ones_like(losses) * weights))
            elif reduction == Reduction.SUM_BY_NONZERO_WEIGHTS:
                loss = _safe_mean(loss, _num_present(losses, weights))
            elif reduction == Reduction.SUM_OVER_BATCH_SIZE:
                loss = _safe_mean(loss, _num_elements(losses))
        loss = tf.cast(loss, input_dtype)
        add_loss(loss, loss_collection)
        return loss


def _not_none(**kwargs):
    for name, value in kwargs.items():
        if value is None:
            raise ValueError("%s must not be None." % name)


def _float_pair(loss, labels, predictions, labels_name="labels",
                predictions_name="predictions"):
    tf = _tf()
    predictions = tf.cast(predictions, dtype=_dtypes.float32)
    labels = tf.cast(labels, dtype=_dtypes.float32)
    if not predictions.get_shape().is_compatible_with(labels.get_shape()):
        raise ValueError("%s: the shapes of %s %s and %s %s are incompatible."
                         % (loss, predictions_name, predictions.get_shape(), labels_name,
                            labels.get_shape()))
    return labels, predictions


# --------------------------------------------------------------------------- diagnostics

_ACTIVATIONS = {"Relu": "a ReLU", "Relu6": "a ReLU6", "Softmax": "a softmax",
                "Sigmoid": "a sigmoid"}


def _user_stacklevel():
    """The stacklevel of the first frame outside tensorslim, for ``warnings.warn``."""
    frame = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame = frame.f_back
        level += 1
    return level


def _check_logits(loss, logits):
    """Warns when ``logits`` were produced by an activation (through Identity ops)."""
    t = logits
    while t.op.type == "Identity" and t.op.inputs:
        t = t.op.inputs[0]
    kind = _ACTIVATIONS.get(t.op.type)
    if kind is None:
        return
    if t.op.type in ("Softmax", "Sigmoid"):
        why = ("%s applies the %s itself, so probabilities would be squashed twice"
               % (loss, "sigmoid" if loss.startswith("sigmoid") else "softmax"))
    else:
        why = ("the ReLU clips every negative logit to 0, so the model cannot push a class's "
               "probability down (slim.fully_connected and slim.conv2d default to "
               "activation_fn=tf.nn.relu: pass activation_fn=None to the logits layer)")
    warnings.warn(
        "%s received logits %s that come straight out of %s (op %s, created at %s): %s. "
        "Pass the pre-activation tensor as logits."
        % (loss, t.name, kind, t.op.name, format_location(t.op.location), why),
        LogitsActivationWarning, stacklevel=_user_stacklevel())


def _logits_and_labels(loss, logits, labels, labels_name):
    """``logits`` checked by ``_check_logits`` and ``labels`` cast to their dtype.

    Raises:
      ValueError: the shapes of the two are incompatible.
    """
    logits = convert_to_tensor(logits)
    _check_logits(loss, logits)
    labels = _tf().cast(labels, logits.dtype.base_dtype)
    if not logits.get_shape().is_compatible_with(labels.get_shape()):
        raise ValueError("%s: the shapes of logits %s and %s %s are incompatible."
                         % (loss, logits.get_shape(), labels_name, labels.get_shape()))
    return logits, labels


# --------------------------------------------------------------------------- losses

def _elementwise_loss(loss, default_scope, labels, predictions, weights, scope,
                      loss_collection, reduction, formula, predictions_name="predictions"):
    """``formula(tf, labels, predictions)`` on the float32 pair, weighted and reduced."""
    _not_none(**{"labels": labels, predictions_name: predictions})
    tf = _tf()
    with name_scope(scope, default_scope, (predictions, labels, weights)) as scope:
        labels, predictions = _float_pair(loss, labels, predictions, "labels",
                                          predictions_name)
        return compute_weighted_loss(formula(tf, labels, predictions), weights, scope,
                                     loss_collection, reduction=reduction)


def absolute_difference(labels, predictions, weights=1.0, scope=None,
                        loss_collection=GraphKeys.LOSSES,
                        reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """``|predictions - labels|``, weighted and reduced (see :func:`compute_weighted_loss`).

    Raises:
      ValueError: a None argument or incompatible shapes.
    """
    return _elementwise_loss("absolute_difference", "absolute_difference", labels, predictions,
                             weights, scope, loss_collection, reduction,
                             lambda tf, y, p: tf.abs(tf.subtract(p, y)))


def cosine_distance(labels, predictions, axis=None, weights=1.0, scope=None,
                    loss_collection=GraphKeys.LOSSES,
                    reduction=Reduction.SUM_BY_NONZERO_WEIGHTS, dim=None):
    """``1 - sum(predictions * labels, axis)`` for unit-normalized inputs.

    Raises:
      ValueError: no ``axis``, a None argument or incompatible shapes.
    """
    if dim is not None:
        if axis is not None:
            raise ValueError("Cannot specify both 'axis' and 'dim'.")
        axis = dim
    if axis is None:
        raise ValueError("cosine_distance: You must specify 'axis'.")
    return _elementwise_loss(
        "cosine_distance", "cosine_distance_loss", labels, predictions, weights, scope,
        loss_collection, reduction,
        lambda tf, y, p: 1 - tf.reduce_sum(tf.multiply(p, y), axis=(axis,), keepdims=True))


def hinge_loss(labels, logits, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
               reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """``max(0, 1 - (2 * labels - 1) * logits)`` for 0/1 ``labels``.

    Raises:
      ValueError: a None argument or incompatible shapes.
    """
    def formula(tf, labels, logits):
        all_ones = tf.ones_like(labels)
        labels = tf.subtract(2 * labels, all_ones)
        return tf.nn.relu(tf.subtract(all_ones, tf.multiply(labels, logits)))
    return _elementwise_loss("hinge_loss", "hinge_loss", labels, logits, weights, scope,
                             loss_collection, reduction, formula, predictions_name="logits")


def huber_loss(labels, predictions, weights=1.0, delta=1.0, scope=None,
               loss_collection=GraphKeys.LOSSES, reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Quadratic ``0.5 * e ** 2`` for ``|e| <= delta``, linear beyond
    (``e = predictions - labels``).

    Raises:
      ValueError: a None argument or incompatible shapes.
    """
    def formula(tf, labels, predictions):
        error = tf.subtract(predictions, labels)
        abs_error = tf.abs(error)
        quadratic = tf.minimum(abs_error, delta)
        linear = tf.subtract(abs_error, quadratic)
        return tf.add(tf.multiply(0.5, tf.multiply(quadratic, quadratic)),
                      tf.multiply(delta, linear))
    return _elementwise_loss("huber_loss", "huber_loss", labels, predictions, weights, scope,
                             loss_collection, reduction, formula)


def log_loss(labels, predictions, weights=1.0, epsilon=1e-7, scope=None,
             loss_collection=GraphKeys.LOSSES, reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Binary log loss of probabilities: ``-l log(p + eps) - (1 - l) log(1 - p + eps)``.

    Raises:
      ValueError: a None argument or incompatible shapes.
    """
    return _elementwise_loss(
        "log_loss", "log_loss", labels, predictions, weights, scope, loss_collection, reduction,
        lambda tf, y, p: -tf.multiply(y, tf.log(p + epsilon)) - tf.multiply(
            (1 - y), tf.log(1 - p + epsilon)))


def mean_squared_error(labels, predictions, weights=1.0, scope=None,
                       loss_collection=GraphKeys.LOSSES,
                       reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """``(predictions - labels) ** 2``, weighted and reduced.

    Raises:
      ValueError: a None argument or incompatible shapes.
    """
    return _elementwise_loss("mean_squared_error", "mean_squared_error", labels, predictions,
                             weights, scope, loss_collection, reduction,
                             lambda tf, y, p: tf.squared_difference(p, y))


def mean_pairwise_squared_error(labels, predictions, weights=1.0, scope=None,
                                loss_collection=GraphKeys.LOSSES):
    """The mean, over each example, of the squared differences between all pairs of
    ``predictions - labels`` entries (invariant to a constant shift).

    Args:
      labels, predictions: Tensors ``[batch, ...]`` of one shape.
      weights: a scalar or ``[batch]`` weights.
      scope: the name scope.
      loss_collection: where to add the loss.

    Returns:
      A scalar Tensor.
    """
    _not_none(labels=labels, predictions=predictions)
    tf = _tf()
    with name_scope(scope, "mean_pairwise_squared_error", (predictions, labels, weights)):
        labels, predictions = _float_pair("mean_pairwise_squared_error", labels, predictions)
        weights = tf.cast(weights, _dtypes.float32)
        rank = predictions.get_shape().ndims
        axes = list(range(1, rank))
        diffs = tf.subtract(predictions, labels)
        sum_sq = tf.reduce_sum(tf.square(diffs), axis=axes, keepdims=True)
        num = _num_present(diffs, weights, per_batch=True)
        term1 = 2.0 * tf.div_no_nan(sum_sq, tf.maximum(num - 1, 0))
        sum_diff = tf.reduce_sum(diffs, axis=axes, keepdims=True)
        term2 = 2.0 * tf.div_no_nan(tf.square(sum_diff),
                                    tf.maximum(tf.multiply(num, num - 1), 0))
        if weights.get_shape().ndims:
            weights = tf.reshape(weights, [-1] + [1] * (rank - 1))
        weighted = tf.multiply(term1 - term2, weights)
        loss = tf.reduce_sum(weighted)
        mean_loss = tf.where(tf.reduce_sum(num) > 0, loss, tf.zeros_like(loss), name="value")
        add_loss(mean_loss, loss_collection)
        return mean_loss


def sigmoid_cross_entropy(multi_class_labels, logits, weights=1.0, label_smoothing=0,
                          scope=None, loss_collection=GraphKeys.LOSSES,
                          reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Sigmoid cross-entropy of independent 0/1 labels (multi-label classification).

    With ``label_smoothing`` the labels become ``l * (1 - s) + 0.5 * s``.

    Raises:
      ValueError: a None argument or incompatible shapes.
    """
    _not_none(multi_class_labels=multi_class_labels, logits=logits)
    tf = _tf()
    with name_scope(scope, "sigmoid_cross_entropy_loss",
                    (logits, multi_class_labels, weights)) as scope:
        logits, multi_class_labels = _logits_and_labels(
            "sigmoid_cross_entropy", logits, multi_class_labels, "multi_class_labels")
        if label_smoothing > 0:
            multi_class_labels = (multi_class_labels * (1 - label_smoothing) +
                                  0.5 * label_smoothing)
        losses = tf.nn.sigmoid_cross_entropy_with_logits(labels=multi_class_labels,
                                                         logits=logits, name="xentropy")
        return compute_weighted_loss(losses, weights, scope, loss_collection,
                                     reduction=reduction)


def softmax_cross_entropy(onehot_labels, logits, weights=1.0, label_smoothing=0, scope=None,
                          loss_collection=GraphKeys.LOSSES,
                          reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Softmax cross-entropy of one-hot (or probability) labels ``[batch, classes]``.

    With ``label_smoothing`` the labels become ``l * (1 - s) + s / num_classes``.

    Raises:
      ValueError: a None argument or incompatible shapes.
    """
    _not_none(onehot_labels=onehot_labels, logits=logits)
    tf = _tf()
    with name_scope(scope, "softmax_cross_entropy_loss",
                    (logits, onehot_labels, weights)) as scope:
        logits, onehot_labels = _logits_and_labels("softmax_cross_entropy", logits,
                                                   onehot_labels, "onehot_labels")
        if label_smoothing > 0:
            num_classes = tf.cast(tf.shape(onehot_labels)[-1], logits.dtype.base_dtype)
            smooth_positives = 1.0 - label_smoothing
            smooth_negatives = label_smoothing / num_classes
            onehot_labels = onehot_labels * smooth_positives + smooth_negatives
        onehot_labels = tf.stop_gradient(onehot_labels, name="labels_stop_gradient")
        losses = tf.nn.softmax_cross_entropy_with_logits_v2(labels=onehot_labels,
                                                            logits=logits, name="xentropy")
        return compute_weighted_loss(losses, weights, scope, loss_collection,
                                     reduction=reduction)


def _remove_squeezable_labels(labels, logits, weights):
    """Squeezes a trailing 1 from labels/weights that have the logits' rank."""
    tf = _tf()
    lr, gr = labels.get_shape().ndims, logits.get_shape().ndims
    if lr is not None and gr is not None and lr == gr and \
            labels.get_shape()[-1].value in (1, None):
        labels = tf.squeeze(labels, [-1])
    weights = convert_to_tensor(weights)
    wr = weights.get_shape().ndims
    if wr is not None and wr == gr and wr > 0 and weights.get_shape()[-1].value == 1:
        weights = tf.squeeze(weights, [-1])
    return labels, logits, weights


def sparse_softmax_cross_entropy(labels, logits, weights=1.0, scope=None,
                                 loss_collection=GraphKeys.LOSSES,
                                 reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Softmax cross-entropy of integer class ``labels`` ``[batch]`` against ``logits``
    ``[batch, classes]``.

    Raises:
      ValueError: a None argument or incompatible shapes.
    """
    _not_none(labels=labels, logits=logits)
    tf = _tf()
    with name_scope(scope, "sparse_softmax_cross_entropy_loss",
                    (logits, labels, weights)) as scope:
        logits = convert_to_tensor(logits)
        _check_logits("sparse_softmax_cross_entropy", logits)
        labels = convert_to_tensor(labels)
        labels, logits, weights = _remove_squeezable_labels(labels, logits, weights)
        losses = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits,
                                                                name="xentropy")
        return compute_weighted_loss(losses, weights, scope, loss_collection,
                                     reduction=reduction)
