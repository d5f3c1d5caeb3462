"""``tf.contrib.layers``: the slim layers, initializers and regularizers (aliases of
:mod:`tensorslim.layers`)."""
from tensorslim.layers import utils
from tensorslim.layers.initializers import (variance_scaling_initializer, xavier_initializer,
                                            xavier_initializer_conv2d)
from tensorslim.layers.layers import (avg_pool2d, bias_add, conv1d, conv2d, conv2d_transpose,
                                      convolution, convolution1d, convolution2d,
                                      convolution2d_transpose, dropout, flatten,
                                      fully_connected, max_pool2d, one_hot_encoding, repeat,
                                      separable_conv2d, separable_convolution2d, softmax,
                                      stack, unit_norm)
from tensorslim.layers.normalization import batch_norm, group_norm, instance_norm, layer_norm
from tensorslim.layers.summaries import (summarize_activation, summarize_activations,
                                         summarize_biases, summarize_collection,
                                         summarize_tensor, summarize_tensors,
                                         summarize_variables, summarize_weights)
from tensorslim.layers.regularizers import (apply_regularization, l1_l2_regularizer,
                                            l1_regularizer, l2_regularizer, sum_regularizer)

__all__ = [
    "utils", "variance_scaling_initializer", "xavier_initializer",
    "xavier_initializer_conv2d", "avg_pool2d", "bias_add", "conv1d", "conv2d",
    "conv2d_transpose", "convolution", "convolution1d", "convolution2d",
    "convolution2d_transpose", "dropout", "flatten", "fully_connected", "max_pool2d",
    "one_hot_encoding", "repeat", "separable_conv2d", "separable_convolution2d", "softmax",
    "stack", "unit_norm", "batch_norm", "group_norm", "instance_norm", "layer_norm",
    "apply_regularization", "l1_l2_regularizer", "l1_regularizer", "l2_regularizer",
    "sum_regularizer",
    "summarize_activation", "summarize_activations", "summarize_biases",
    "summarize_collection", "summarize_tensor", "summarize_tensors", "summarize_variables",
    "summarize_weights",
]
