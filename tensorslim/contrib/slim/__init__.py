"""``tf.contrib.slim``: TF-slim's namespace, an alias of :mod:`tensorslim.layers`.

``import tensorslim.contrib.slim as slim`` gives ``slim.arg_scope``, ``slim.conv2d``,
``slim.fully_connected``, ``slim.batch_norm``, ``slim.losses`` (TF-slim's signatures,
logits first), ``slim.metrics`` (``streaming_*``), ``slim.learning``, ``slim.evaluation``,
``slim.model_analyzer``, ``slim.get_variables``... The functions are the ones of
``tensorslim.layers``, so ``slim.conv2d is tf.contrib.layers.conv2d``.
"""
from tensorslim.layers import (evaluation, initializers, learning, model_analyzer,
                               regularizers, summaries, utils)
from tensorslim.layers import loss_ops as losses
from tensorslim.layers import metric_ops as metrics
from tensorslim.layers.arg_scope import (add_arg_scope, arg_scope, arg_scoped_arguments,
                                         current_arg_scope, has_arg_scope)
from tensorslim.layers.initializers import (variance_scaling_initializer, xavier_initializer,
                                            xavier_initializer_conv2d)
from tensorslim.layers.layers import (avg_pool2d, bias_add, conv1d, conv2d, conv2d_transpose,
                                      convolution, convolution1d, convolution2d,
                                      convolution2d_transpose, dropout, flatten,
                                      fully_connected, max_pool2d, one_hot_encoding, repeat,
                                      separable_conv2d, separable_convolution2d, softmax,
                                      stack, unit_norm)
from tensorslim.layers.normalization import batch_norm, group_norm, instance_norm, layer_norm
from tensorslim.layers.regularizers import (apply_regularization, l1_l2_regularizer,
                                            l1_regularizer, l2_regularizer, sum_regularizer)
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

__all__ = [
    "evaluation", "initializers", "learning", "losses", "metrics", "model_analyzer",
    "regularizers", "summaries", "utils",
    "summarize_activation", "summarize_activations", "summarize_biases",
    "summarize_collection", "summarize_tensor", "summarize_tensors", "summarize_variables",
    "summarize_weights",
    "add_arg_scope", "arg_scope", "arg_scoped_arguments", "current_arg_scope",
    "has_arg_scope",
    "variance_scaling_initializer", "xavier_initializer", "xavier_initializer_conv2d",
    "avg_pool2d", "bias_add", "conv1d", "conv2d", "conv2d_transpose", "convolution",
    "convolution1d", "convolution2d", "convolution2d_transpose", "dropout", "flatten",
    "fully_connected", "max_pool2d", "one_hot_encoding", "repeat", "separable_conv2d",
    "separable_convolution2d", "softmax", "stack", "unit_norm",
    "batch_norm", "group_norm", "instance_norm", "layer_norm",
    "apply_regularization", "l1_l2_regularizer", "l1_regularizer", "l2_regularizer",
    "sum_regularizer",
    "VariableDeviceChooser", "add_model_variable", "assert_global_step",
    "assert_or_get_global_step", "assign_from_checkpoint", "assign_from_checkpoint_fn",
    "assign_from_values", "assign_from_values_fn", "create_global_step", "filter_variables",
    "get_global_step", "get_local_variables", "get_model_variables",
    "get_or_create_global_step", "get_trainable_variables", "get_unique_variable",
    "get_variable_full_name", "get_variables", "get_variables_by_name",
    "get_variables_by_suffix", "get_variables_to_restore", "global_variable",
    "local_variable", "model_variable", "variable", "zero_initializer",
]


def __getattr__(name):
    # slim.nets comes from the models issue; it is found wherever it lands.
    import importlib
    if name == "nets":
        for target in (__name__ + ".nets", "tensorslim.models.nets", "tensorslim.models"):
            try:
                module = importlib.import_module(target)
            except ImportError:
                continue
            globals()[name] = module
            return module
    raise AttributeError("module 'tensorslim.contrib.slim' has no attribute %r" % name)
