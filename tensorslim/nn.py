"""``tf.nn``: neural-network ops (activations, convolution, pooling, normalisation, losses).

A thin namespace: the ops live in ``tensorslim.core.ops.nn_ops`` (registered ops),
``nn_losses`` (cross entropies, l2_loss) and ``nn_impl`` (compositions such as dropout).
``sigmoid`` and ``tanh`` are the math ops ``tf.sigmoid`` and ``tf.tanh``, as in TF.
"""
from tensorslim.core.ops.math_ops import sigmoid, tanh
from tensorslim.core.ops.nn_impl import (batch_normalization, depthwise_conv2d, dropout,
                                         embedding_lookup, l2_normalize, moments, relu_layer,
                                         separable_conv2d, xw_plus_b, zero_fraction)
from tensorslim.core.ops.nn_losses import (l2_loss, sigmoid_cross_entropy_with_logits,
                                           softmax_cross_entropy_with_logits,
                                           softmax_cross_entropy_with_logits_v2,
                                           sparse_softmax_cross_entropy_with_logits,
                                           weighted_cross_entropy_with_logits)
from tensorslim.core.ops.nn_ops import (atrous_conv2d, avg_pool, bias_add, conv1d, conv2d,
                                        conv2d_backprop_filter, conv2d_backprop_input,
                                        conv2d_transpose, convolution,
                                        depthwise_conv2d_native,
                                        depthwise_conv2d_native_backprop_filter,
                                        depthwise_conv2d_native_backprop_input, elu,
                                        fused_batch_norm, in_top_k, leaky_relu,
                                        local_response_normalization, log_softmax, lrn,
                                        max_pool, max_pool_with_argmax, relu, relu6, selu,
                                        softmax, softplus, softsign, top_k)

__all__ = [
    "atrous_conv2d", "avg_pool", "batch_normalization", "bias_add", "conv1d", "conv2d",
    "conv2d_backprop_filter", "conv2d_backprop_input", "conv2d_transpose", "convolution",
    "depthwise_conv2d", "depthwise_conv2d_native", "depthwise_conv2d_native_backprop_filter",
    "depthwise_conv2d_native_backprop_input", "dropout", "elu", "embedding_lookup",
    "fused_batch_norm", "in_top_k", "l2_loss", "l2_normalize", "leaky_relu",
    "local_response_normalization", "log_softmax", "lrn", "max_pool", "max_pool_with_argmax",
    "moments", "relu", "relu6", "relu_layer", "selu", "separable_conv2d", "sigmoid",
    "sigmoid_cross_entropy_with_logits", "softmax", "softmax_cross_entropy_with_logits",
    "softmax_cross_entropy_with_logits_v2", "softplus", "softsign",
    "sparse_softmax_cross_entropy_with_logits", "tanh", "top_k",
    "weighted_cross_entropy_with_logits", "xw_plus_b", "zero_fraction",
]
