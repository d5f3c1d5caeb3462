"""``tf.losses``: weighted losses registered in the LOSSES collection (the implementation is
:mod:`tensorslim.layers.losses`, shared with ``slim.losses``)."""
from tensorslim.layers.losses import (LogitsActivationWarning, Reduction, absolute_difference,
                                      add_loss, compute_weighted_loss, cosine_distance,
                                      get_losses, get_regularization_loss,
                                      get_regularization_losses, get_total_loss, hinge_loss,
                                      huber_loss, log_loss, mean_pairwise_squared_error,
                                      mean_squared_error, sigmoid_cross_entropy,
                                      softmax_cross_entropy, sparse_softmax_cross_entropy)

__all__ = [
    "LogitsActivationWarning", "Reduction", "absolute_difference", "add_loss",
    "compute_weighted_loss", "cosine_distance", "get_losses", "get_regularization_loss",
    "get_regularization_losses", "get_total_loss", "hinge_loss", "huber_loss", "log_loss",
    "mean_pairwise_squared_error", "mean_squared_error", "sigmoid_cross_entropy",
    "softmax_cross_entropy", "sparse_softmax_cross_entropy",
]
