"""``slim.losses`` (``tf.contrib.losses``): the losses of :mod:`tensorslim.layers.losses`
under TF-slim's signatures, where the model's output comes first
(``slim.losses.softmax_cross_entropy(logits, onehot_labels)``,
``slim.losses.mean_squared_error(predictions, labels)``).

The semantics are tf.losses': per-element losses times ``weights``, summed and divided by
the number of non-zero weights, added to the LOSSES collection.
"""
from tensorslim.layers import losses as _losses
from tensorslim.layers import metric_learning
from tensorslim.layers.losses import (add_loss, get_losses, get_regularization_losses,
                                      LogitsActivationWarning)

__all__ = [
    "absolute_difference", "add_loss", "compute_weighted_loss", "cosine_distance",
    "get_losses", "get_regularization_losses", "get_total_loss", "hinge_loss", "log_loss",
    "mean_pairwise_squared_error", "mean_squared_error", "sigmoid_cross_entropy",
    "softmax_cross_entropy", "sparse_softmax_cross_entropy", "sum_of_squares",
    "sum_of_pairwise_squares", "metric_learning", "LogitsActivationWarning",
]


def compute_weighted_loss(losses, weights=1.0, scope=None):
    """Weights ``losses``, averages over the non-zero weights, adds it to LOSSES."""
    return _losses.compute_weighted_loss(losses, weights, scope)


def get_total_loss(add_regularization_losses=True, name="total_loss"):
    """The sum of LOSSES, plus REGULARIZATION_LOSSES by default.

    Raises:
      ValueError: there is no loss to add up.
    """
    return _losses.get_total_loss(add_regularization_losses, name)


def absolute_difference(predictions, labels=None, weights=1.0, scope=None):
    """``|predictions - labels|``, weighted and averaged (see ``tf.losses``)."""
    return _losses.absolute_difference(labels, predictions, weights, scope)


def cosine_distance(predictions, labels=None, axis=None, weights=1.0, scope=None, dim=None):
    """``1 - sum(predictions * labels, axis)`` for unit vectors (see ``tf.losses``)."""
    return _losses.cosine_distance(labels, predictions, axis, weights, scope, dim=dim)


def hinge_loss(logits, labels=None, scope=None):
    """The per-element hinge loss ``max(0, 1 - (2 * labels - 1) * logits)``, unreduced and
    not added to LOSSES (as TF-slim's).

    Raises:
      ValueError: a None argument or incompatible shapes.
    """
    return _losses.hinge_loss(labels, logits, scope=scope, loss_collection=None,
                              reduction=_losses.Reduction.NONE)


def log_loss(predictions, labels=None, weights=1.0, epsilon=1e-7, scope=None):
    """The binary log loss of probabilities ``predictions`` (see ``tf.losses``)."""
    return _losses.log_loss(labels, predictions, weights, epsilon, scope)


def mean_squared_error(predictions, labels=None, weights=1.0, scope=None):
    """``(predictions - labels) ** 2``, weighted and averaged (see ``tf.losses``)."""
    return _losses.mean_squared_error(labels, predictions, weights, scope)


sum_of_squares = mean_squared_error


def mean_pairwise_squared_error(predictions, labels=None, weights=1.0, scope=None):
    """The mean pairwise squared error (see ``tf.losses``)."""
    return _losses.mean_pairwise_squared_error(labels, predictions, weights, scope)


sum_of_pairwise_squares = mean_pairwise_squared_error


def sigmoid_cross_entropy(logits, multi_class_labels, weights=1.0, label_smoothing=0,
                          scope=None):
    """Sigmoid cross-entropy of 0/1 labels (see ``tf.losses``)."""
    return _losses.sigmoid_cross_entropy(multi_class_labels, logits, weights,
                                         label_smoothing, scope)


def softmax_cross_entropy(logits, onehot_labels, weights=1.0, label_smoothing=0, scope=None):
    """Softmax cross-entropy of one-hot labels (see ``tf.losses``)."""
    return _losses.softmax_cross_entropy(onehot_labels, logits, weights, label_smoothing,
                                         scope)


def sparse_softmax_cross_entropy(logits, labels, weights=1.0, scope=None):
    """Softmax cross-entropy of integer labels (see ``tf.losses``)."""
    return _losses.sparse_softmax_cross_entropy(labels, logits, weights, scope)

