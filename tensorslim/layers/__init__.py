"""TF-slim, implemented once: arg_scope, layers, normalization, initializers, regularizers,
variables, losses, metrics, learning, evaluation and model analysis.

Reached as ``tf.contrib.slim`` (``tensorslim.contrib.slim``), ``tf.contrib.layers`` and
``tf.contrib.framework`` -- all aliases of these modules, never copies.
"""
from tensorslim.layers import (evaluation, initializers, learning, loss_ops, losses,
                               metric_learning, metric_ops, metrics, model_analyzer,
                               regularizers, summaries, utils)
from tensorslim.layers.arg_scope import (add_arg_scope, arg_scope, arg_scope_func_key,
                                         arg_scoped_arguments, current_arg_scope,
                                         has_arg_scope)
from tensorslim.layers.initializers import (variance_scaling_initializer, xavier_initializer,
                                            xavier_initializer_conv2d)
from tensorslim.layers.layers import (DATA_FORMAT_NCHW, DATA_FORMAT_NHWC, avg_pool2d,
                                      bias_add, conv1d, conv2d, conv2d_transpose, convolution,
                                      convolution1d, convolution2d, convolution2d_transpose,
                                      dropout, flatten, fully_connected, max_pool2d,
                                      one_hot_encoding, repeat, separable_conv2d,
                                      separable_convolution2d, softmax, stack, unit_norm)
from tensorslim.layers.normalization import (BatchNormStatisticsWarning, batch_norm,
                                             group_norm, instance_norm, layer_norm)
from tensorslim.layers.regularizers import (apply_regularization, l1_l2_regularizer,
                                            l1_regularizer, l2_regularizer, sum_regularizer)
from tensorslim.layers.losses import LogitsActivationWarning
from tensorslim.layers.summaries import (summarize_activation, summarize_activations,
                                         summarize_biases, summarize_collection,
                                         summarize_tensor, summarize_tensors,
                                         summarize_variables, summarize_weights)
from tensorslim.layers.variables import (VariableDeviceChooser, add_model_variable,
                                         assert_global_step, assert_or_get_global_step,
                                         assign_from_checkpoint, assign_from_checkpoint_fn,
                                         assign_from_values, assign_from_values_fn,
                                         create_global_step, filter_variables,
                                         get_global_step, get_local_variables,
                                         get_model_variables, get_or_create_global_step,
                                         get_trainable_variables, get_unique_variable,
                                         get_variable_full_name, get_variables,
                                         get_variables_by_name, get_variables_by_suffix,
                                         get_variables_to_restore, global_variable,
                                         local_variable, model_variable, variable,
                                         zero_initializer)

# The groups of names that the ``tf.contrib`` alias modules re-export (see ``_alias``).
_ARG_SCOPE = ("add_arg_scope", "arg_scope", "arg_scoped_arguments", "current_arg_scope",
              "has_arg_scope")
_LAYERS = ("avg_pool2d", "bias_add", "conv1d", "conv2d", "conv2d_transpose", "convolution",
           "convolution1d", "convolution2d", "convolution2d_transpose", "dropout", "flatten",
           "fully_connected", "max_pool2d", "one_hot_encoding", "repeat", "separable_conv2d",
           "separable_convolution2d", "softmax", "stack", "unit_norm")
_NORMALIZATION = ("batch_norm", "group_norm", "instance_norm", "layer_norm")
_INITIALIZERS = ("variance_scaling_initializer", "xavier_initializer",
                 "xavier_initializer_conv2d")
_REGULARIZERS = ("apply_regularization", "l1_l2_regularizer", "l1_regularizer",
                 "l2_regularizer", "sum_regularizer")
_VARIABLES = (
    "VariableDeviceChooser", "add_model_variable", "assert_global_step",
    "assert_or_get_global_step", "assign_from_checkpoint", "assign_from_checkpoint_fn",
    "assign_from_values", "assign_from_values_fn", "create_global_step", "filter_variables",
    "get_global_step", "get_local_variables", "get_model_variables",
    "get_or_create_global_step", "get_trainable_variables", "get_unique_variable",
    "get_variable_full_name", "get_variables", "get_variables_by_name",
    "get_variables_by_suffix", "get_variables_to_restore", "global_variable",
    "local_variable", "model_variable", "variable", "zero_initializer")
_SUMMARIES = ("summarize_activation", "summarize_activations", "summarize_biases",
              "summarize_collection", "summarize_tensor", "summarize_tensors",
              "summarize_variables", "summarize_weights")

__all__ = [
    # modules
    "evaluation", "initializers", "learning", "loss_ops", "losses", "metric_learning",
    "metric_ops", "metrics", "model_analyzer", "regularizers", "summaries", "utils",
    *_ARG_SCOPE, "arg_scope_func_key",
    "DATA_FORMAT_NCHW", "DATA_FORMAT_NHWC", *_LAYERS, *_NORMALIZATION,
    *_INITIALIZERS, *_REGULARIZERS, *_VARIABLES, *_SUMMARIES,
    # diagnostics
    "BatchNormStatisticsWarning", "LogitsActivationWarning",
]


def _alias(namespace, *groups):
    """Binds the names in ``groups`` to this package's objects in ``namespace`` (the globals
    of a ``tf.contrib`` alias module), so the alias holds the same objects, never copies;
    returns the names, for its ``__all__``."""
    names = [name for group in groups for name in group]
    namespace.update((name, globals()[name]) for name in names)
    return names
