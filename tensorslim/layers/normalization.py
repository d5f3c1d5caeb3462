"""Normalization layers: batch_norm (with moving statistics), layer_norm, instance_norm,
group_norm.

``batch_norm`` creates ``beta`` (and ``gamma`` with ``scale=True``) plus the non-trainable
``moving_mean`` / ``moving_variance`` in its scope (``conv1/BatchNorm/...``). In training
it normalizes with the batch statistics and builds the moving-average updates
(``AssignMovingAvg``): into ``tf.GraphKeys.UPDATE_OPS`` by default (run them with the
training step), or run in place before the output with ``updates_collections=None``. In
inference (``is_training=False``) it normalizes with the moving statistics; a Tensor
``is_training`` picks at run time with ``tf.cond``.

Diagnostic: a ``BatchNormStatisticsWarning`` is issued when a ``batch_norm`` layer built with
``is_training=False`` runs in a session that has never updated (nor restored, nor
assigned) its moving statistics, which then still hold their initial 0 / 1 and leave the
inputs unnormalized -- the silent result of forgetting UPDATE_OPS.
"""
import warnings
import weakref

from tensorslim.core import dtypes as _dtypes
from tensorslim.core import init_ops
from tensorslim.core import session as _session
from tensorslim.core import variable_scope as _vs
from tensorslim.core.graph import (GraphKeys, add_to_collections, control_dependencies,
                                   convert_to_tensor, get_default_graph, name_scope)
from tensorslim.core.graph import _reached_ops
from tensorslim.core.ops import array_ops, nn_ops
from tensorslim.layers import utils
from tensorslim.layers.arg_scope import add_arg_scope
from tensorslim.layers.losses import _user_stacklevel
from tensorslim.layers.variables import model_variable

__all__ = ["batch_norm", "layer_norm", "instance_norm", "group_norm",
           "BatchNormStatisticsWarning"]

DATA_FORMAT_NCHW = "NCHW"
DATA_FORMAT_NHWC = "NHWC"


class BatchNormStatisticsWarning(UserWarning):
    """A batch_norm layer ran in inference mode with moving statistics never updated."""


def _tf():
    import tensorslim
    return tensorslim


def _param(name, shape, dtype, initializers, regularizers, collections, trainable, default):
    return model_variable(
        name, shape=shape, dtype=dtype, initializer=initializers.get(name, default),
        regularizer=regularizers.get(name),
        collections=utils.get_variable_collections(collections, name), trainable=trainable)


def _assign_moving_average(variable, value, decay, zero_debias):
    from tensorslim.training.moving_averages import assign_moving_average
    return assign_moving_average(variable, value, decay, zero_debias=zero_debias)


def _weighted_moments(x, axes, weights, keep_dims):
    tf = _tf()
    with name_scope("weighted_moments", values=[x, axes, weights]):
        w = tf.cast(weights, x.dtype.base_dtype)
        w = tf.reshape(w, [-1] + [1] * (x.get_shape().ndims - 1))
        total = tf.reduce_sum(w * tf.ones_like(x), axes, keepdims=True)
        mean = tf.reduce_sum(x * w, axes, keepdims=True) / total
        variance = tf.reduce_sum(tf.squared_difference(x, mean) * w, axes,
                                 keepdims=True) / total
        if not keep_dims:
            mean = tf.squeeze(mean, axes)
            variance = tf.squeeze(variance, axes)
        return mean, variance


def _with_known_rank(layer, inputs):
    """``(inputs as a Tensor, its static shape, its rank)``; the rank must be known."""
    inputs = convert_to_tensor(inputs)
    shape = inputs.get_shape()
    if shape.ndims is None:
        raise ValueError("%s: Inputs %s has undefined rank." % (layer, inputs.name))
    return inputs, shape, shape.ndims


@add_arg_scope
def batch_norm(inputs, decay=0.999, center=True, scale=False, epsilon=0.001,
               activation_fn=None, param_initializers=None, param_regularizers=None,
               updates_collections=GraphKeys.UPDATE_OPS, is_training=True, reuse=None,
               variables_collections=None, outputs_collections=None, trainable=True,
               batch_weights=None, fused=None, data_format=DATA_FORMAT_NHWC,
               zero_debias_moving_mean=False, scope=None, renorm=False,
               renorm_clipping=None, renorm_decay=0.99, adjustment=None):
    """Batch normalization (Ioffe & Szegedy): ``gamma * (x - mean) / sqrt(var + eps) + beta``.

    The statistics are per channel (the last dimension, or dimension 1 with NCHW). In
    training they are the batch's, and the moving averages
    ``moving = moving - (1 - decay) * (moving - batch)`` are built; in inference the moving
    statistics are used.

    Args:
      inputs: a Tensor of known rank (2 or more), channels known.
      decay: the moving averages' decay (0.999; lower, e.g. 0.9, for short training runs).
      center: add ``beta``.
      scale: multiply by ``gamma`` (off by default: a following ReLU does not need it).
      epsilon: added to the variance.
      activation_fn: optional activation applied to the output.
      param_initializers: ``{"beta", "gamma", "moving_mean", "moving_variance"}`` ->
        initializer.
      param_regularizers: ``{"beta", "gamma"}`` -> regularizer.
      updates_collections: collections receiving the moving-average updates (default
        UPDATE_OPS); None runs them in place, as control dependencies of the output.
      is_training: a Python bool or a boolean Tensor.
      reuse: reuse the variables (needs ``scope``).
      variables_collections: extra collections (a list, or a dict keyed by variable name).
      outputs_collections: collections to add the output to.
      trainable: add beta and gamma to TRAINABLE_VARIABLES.
      batch_weights: optional ``[batch]`` weights of the examples in the statistics.
      fused: use the fused kernel (``FusedBatchNormV3``) for 2-D and 4-D inputs (default).
      data_format: "NHWC" or "NCHW".
      zero_debias_moving_mean: debias the moving mean (Adam-style).
      scope: the variable scope (default "BatchNorm").
      renorm, renorm_clipping, renorm_decay, adjustment: batch renormalization, not
        implemented by tensorslim (raises NotImplementedError when used).

    Returns:
      The normalized Tensor.

    Raises:
      ValueError: unknown rank or channels, a bad data_format.
      NotImplementedError: ``renorm`` or ``adjustment``.
    """
    if renorm or adjustment is not None:
        raise NotImplementedError("batch_norm: renorm and adjustment are not implemented by "
                                  "tensorslim.")
    if data_format not in (DATA_FORMAT_NCHW, DATA_FORMAT_NHWC):
        raise ValueError("data_format has to be either NCHW or NHWC.")
    if fused is None:
        fused = True
    tf = _tf()
    inputs, shape, rank = _with_known_rank("batch_norm", inputs)
    if rank < 2:
        raise ValueError("batch_norm: Inputs %s has rank %d; it needs at least 2 (batch and "
                         "channels)." % (inputs.name, rank))
    nchw = data_format == DATA_FORMAT_NCHW
    axis = 1 if nchw else rank - 1
    channels = shape[axis].value
    if channels is None:
        raise ValueError("batch_norm: Inputs %s has undefined channels dimension %s."
                         % (inputs.name, shape[axis:axis + 1]))
    use_fused = fused and batch_weights is None and rank in (2, 4)
    updates_default = updates_collections is not None and \
        list(updates_collections if isinstance(updates_collections, (list, tuple))
             else [updates_collections]) == [GraphKeys.UPDATE_OPS]
    # TF-slim builds this common case with the Keras layer (gamma before beta, updates
    # collected as operations); the other cases with its own code (beta first, tensors).
    layer_path = batch_weights is None and updates_default and not zero_debias_moving_mean \
        and not (use_fused and rank == 2)
    param_initializers = param_initializers or {}
    param_regularizers = param_regularizers or {}
    dtype = inputs.dtype.base_dtype
    pdtype = _dtypes.float32 if dtype == _dtypes.float16 else dtype

    with _vs.variable_scope(scope, "BatchNorm", [inputs], reuse=reuse) as sc:
        params = [channels]
        beta = gamma = None

        def make_beta():
            return _param("beta", params, pdtype, param_initializers, param_regularizers,
                          variables_collections, trainable, init_ops.zeros_initializer())

        def make_gamma():
            return _param("gamma", params, pdtype, param_initializers, param_regularizers,
                          variables_collections, trainable, init_ops.ones_initializer())
        if layer_path:
            gamma = make_gamma() if scale else None
            beta = make_beta() if center else None
        else:
            beta = make_beta() if center else None
            gamma = make_gamma() if scale else None
        moving_mean = _param("moving_mean", params, pdtype, param_initializers, {},
                             variables_collections, False, init_ops.zeros_initializer())
        moving_variance = _param("moving_variance", params, pdtype, param_initializers, {},
                                 variables_collections, False, init_ops.ones_initializer())

        training_value = utils.constant_value(is_training)
        need_updates = training_value is None or bool(training_value)

        def updates(mean, variance):
            return (_assign_moving_average(moving_mean, mean, decay, zero_debias_moving_mean),
                    _assign_moving_average(moving_variance, variance, decay, False))

        def moving_stats():
            return array_ops.identity(moving_mean), array_ops.identity(moving_variance)

        if use_fused:
            x = inputs
            if rank == 2:
                x = array_ops.reshape(inputs, [-1, channels, 1, 1] if nchw
                                      else [-1, 1, 1, channels])
            g = gamma if gamma is not None else tf.constant(1.0, dtype=pdtype, shape=params)
            b = beta if beta is not None else tf.constant(0.0, dtype=pdtype, shape=params)

            def fused_training():
                return nn_ops.fused_batch_norm(x, g, b, epsilon=epsilon,
                                               data_format=data_format)

            def fused_inference():
                return nn_ops.fused_batch_norm(x, g, b, mean=moving_mean,
                                               variance=moving_variance, epsilon=epsilon,
                                               is_training=False, data_format=data_format)
            outputs, mean, variance = utils.smart_cond(is_training, fused_training,
                                                       fused_inference)
            stats_reader = outputs.op
            if need_updates:
                if updates_collections is None:
                    def force_updates():
                        with control_dependencies(list(updates(mean, variance))):
                            return array_ops.identity(outputs)
                    outputs = utils.smart_cond(is_training, force_updates,
                                               lambda: array_ops.identity(outputs))
                else:
                    _collect_updates(updates_collections, is_training, training_value,
                                     lambda: updates(mean, variance), moving_stats,
                                     layer_path)
            if rank == 2:
                outputs = array_ops.reshape(outputs, array_ops.shape(inputs))
        else:
            axes = [i for i in range(rank) if i != axis]
            if batch_weights is None:
                mean, variance = tf.nn.moments(inputs, axes, keep_dims=nchw)
            else:
                mean, variance = _weighted_moments(inputs, axes, batch_weights, nchw)
            if nchw:
                mean = array_ops.reshape(mean, [-1])
                variance = array_ops.reshape(variance, [-1])
            if need_updates:
                if updates_collections is None:
                    def force_updates():
                        with control_dependencies(list(updates(mean, variance))):
                            return array_ops.identity(mean), array_ops.identity(variance)
                    mean, variance = utils.smart_cond(is_training, force_updates,
                                                      moving_stats)
                else:
                    _collect_updates(updates_collections, is_training, training_value,
                                     lambda: updates(mean, variance), moving_stats,
                                     layer_path)
                    batch = (mean, variance)
                    mean, variance = utils.smart_cond(
                        is_training, lambda: batch, moving_stats)
            else:
                mean, variance = moving_mean, moving_variance
            b, g = beta, gamma
            if nchw and rank > 2:
                bshape = [1, channels] + [1] * (rank - 2)
                mean = array_ops.reshape(mean, bshape)
                variance = array_ops.reshape(variance, bshape)
                b = array_ops.reshape(beta, bshape) if beta is not None else None
                g = array_ops.reshape(gamma, bshape) if gamma is not None else None
            outputs = tf.nn.batch_normalization(inputs, mean, variance, b, g, epsilon)
            stats_reader = outputs.op
        outputs.set_shape(shape)
        if training_value is not None and not training_value:
            _register_inference(stats_reader, moving_mean, moving_variance, sc.name)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return utils.collect_named_outputs(outputs_collections, sc.name, outputs)


def _collect_updates(collections, is_training, training_value, make_updates, moving_stats,
                     as_ops):
    """Adds the moving-average updates to ``collections`` (built under a cond when
    ``is_training`` is a Tensor)."""
    if training_value is not None:
        update_mean, update_variance = make_updates()
        if as_ops:
            update_mean, update_variance = update_mean.op, update_variance.op
    else:
        update_mean, update_variance = utils.smart_cond(
            is_training, lambda: tuple(array_ops.identity(u) for u in make_updates()),
            moving_stats)
    add_to_collections(collections, update_mean)
    add_to_collections(collections, update_variance)


@add_arg_scope
def layer_norm(inputs, center=True, scale=True, activation_fn=None, reuse=None,
               variables_collections=None, outputs_collections=None, trainable=True,
               begin_norm_axis=1, begin_params_axis=-1, scope=None):
    """Layer normalization (Ba et al.): normalizes each example over
    ``[begin_norm_axis, rank)``, with ``beta``/``gamma`` of shape
    ``inputs.shape[begin_params_axis:]``.

    Args:
      inputs: a Tensor of known rank.
      center: add ``beta``.
      scale: multiply by ``gamma``.
      activation_fn: optional activation.
      reuse, variables_collections, outputs_collections, trainable: as for other layers.
      begin_norm_axis: the first normalized dimension (negative counts from the end).
      begin_params_axis: the first dimension of the parameters' shape.
      scope: the variable scope (default "LayerNorm").

    Returns:
      The normalized Tensor.

    Raises:
      ValueError: unknown rank, axes out of range, or parameter dimensions unknown.
    """
    tf = _tf()
    with _vs.variable_scope(scope, "LayerNorm", [inputs], reuse=reuse) as sc:
        inputs, shape, rank = _with_known_rank("layer_norm", inputs)
        dtype = inputs.dtype.base_dtype
        if begin_norm_axis < 0:
            begin_norm_axis = rank + begin_norm_axis
        if begin_params_axis >= rank or begin_norm_axis >= rank:
            raise ValueError("layer_norm: begin_params_axis (%d) and begin_norm_axis (%d) must "
                             "be < rank(inputs) (%d)" % (begin_params_axis, begin_norm_axis,
                                                         rank))
        params_shape = shape[begin_params_axis:]
        if not params_shape.is_fully_defined():
            raise ValueError("layer_norm: Inputs %s: shape(inputs)[%s:] is not fully defined: "
                             "%s" % (inputs.name, begin_params_axis, shape))
        dims = params_shape.as_list()
        beta = gamma = None
        if center:
            beta = _param("beta", dims, dtype, {}, {}, variables_collections, trainable,
                          init_ops.zeros_initializer())
        if scale:
            gamma = _param("gamma", dims, dtype, {}, {}, variables_collections, trainable,
                           init_ops.ones_initializer())
        norm_axes = list(range(begin_norm_axis, rank))
        mean, variance = tf.nn.moments(inputs, norm_axes, keep_dims=True)
        eps = 1e-12 if dtype != _dtypes.float16 else 1e-3
        outputs = tf.nn.batch_normalization(inputs, mean, variance, beta, gamma, eps)
        outputs.set_shape(shape)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return utils.collect_named_outputs(outputs_collections, sc.name, outputs)


@add_arg_scope
def instance_norm(inputs, center=True, scale=True, epsilon=1e-6, activation_fn=None,
                  param_initializers=None, reuse=None, variables_collections=None,
                  outputs_collections=None, trainable=True, data_format=DATA_FORMAT_NHWC,
                  scope=None):
    """Instance normalization: normalizes each example and channel over the spatial axes.

    Args:
      inputs: a Tensor of rank 3 or more with known channels.
      center, scale: add ``beta`` / multiply by ``gamma`` (per channel).
      epsilon: added to the variance.
      activation_fn: optional activation.
      param_initializers: ``{"beta", "gamma"}`` -> initializer.
      reuse, variables_collections, outputs_collections, trainable: as for other layers.
      data_format: "NHWC" or "NCHW".
      scope: the variable scope (default "InstanceNorm").

    Returns:
      The normalized Tensor.

    Raises:
      ValueError: unknown rank or channels, a bad data_format.
    """
    tf = _tf()
    inputs, shape, rank = _with_known_rank("instance_norm", inputs)
    if data_format not in (DATA_FORMAT_NCHW, DATA_FORMAT_NHWC):
        raise ValueError("data_format has to be either NCHW or NHWC.")
    with _vs.variable_scope(scope, "InstanceNorm", [inputs], reuse=reuse) as sc:
        axis = 1 if data_format == DATA_FORMAT_NCHW else rank - 1
        channels = shape[axis].value
        if channels is None:
            raise ValueError("instance_norm: Inputs %s has undefined channels dimension %s."
                             % (inputs.name, shape[axis:axis + 1]))
        moments_axes = [i for i in range(1, rank) if i != axis]
        param_initializers = param_initializers or {}
        dtype = inputs.dtype.base_dtype
        bshape = [1, channels] + [1] * (rank - 2) if axis == 1 else None
        beta = gamma = None
        if center:
            beta = _param("beta", [channels], dtype, param_initializers, {},
                          variables_collections, trainable, init_ops.zeros_initializer())
            if bshape:
                beta = array_ops.reshape(beta, bshape)
        if scale:
            gamma = _param("gamma", [channels], dtype, param_initializers, {},
                           variables_collections, trainable, init_ops.ones_initializer())
            if bshape:
                gamma = array_ops.reshape(gamma, bshape)
        with name_scope("instancenorm", values=[inputs]):
            mean, variance = tf.nn.moments(inputs, moments_axes, keep_dims=True)
            outputs = tf.nn.batch_normalization(inputs, mean, variance, beta, gamma, epsilon,
                                                name="instancenorm")
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return utils.collect_named_outputs(outputs_collections, sc.name, outputs)


@add_arg_scope
def group_norm(inputs, groups=32, channels_axis=-1, reduction_axes=(-3, -2), center=True,
               scale=True, epsilon=1e-6, activation_fn=None, param_initializers=None,
               reuse=None, variables_collections=None, outputs_collections=None,
               trainable=True, scope=None, mean_close_to_zero=False):
    """Group normalization (Wu & He): channels split into ``groups``, each normalized over
    the group's channels and ``reduction_axes``.

    Args:
      inputs: a Tensor of known rank with known channels.
      groups: the number of groups (must divide the channels).
      channels_axis: the channel dimension.
      reduction_axes: the (spatial) axes normalized over as well.
      center, scale, epsilon, activation_fn, param_initializers, reuse,
        variables_collections, outputs_collections, trainable: as for instance_norm.
      scope: the variable scope (default "GroupNorm").
      mean_close_to_zero: accepted for compatibility (the statistics are computed the same
        way).

    Returns:
      The normalized Tensor.

    Raises:
      ValueError: unknown rank or channels, bad axes, or channels not divisible by groups.
    """
    tf = _tf()
    inputs, shape, rank = _with_known_rank("group_norm", inputs)
    if channels_axis < 0:
        channels_axis += rank
    if not 0 <= channels_axis < rank:
        raise ValueError("group_norm: channels_axis %d is out of range for rank %d."
                         % (channels_axis, rank))
    reduction_axes = [a + rank if a < 0 else a for a in reduction_axes]
    if channels_axis in reduction_axes:
        raise ValueError("group_norm: channels_axis %d must not be in reduction_axes %s."
                         % (channels_axis, reduction_axes))
    if any(a < 1 or a >= rank for a in reduction_axes):
        raise ValueError("group_norm: reduction_axes %s are out of range for rank %d (the "
                         "batch dimension 0 cannot be reduced)." % (reduction_axes, rank))
    channels = shape[channels_axis].value
    if channels is None:
        raise ValueError("group_norm: Inputs %s has undefined channel dimension: %d."
                         % (inputs.name, channels_axis))
    if groups > channels:
        raise ValueError("group_norm: Invalid groups %d for %d channels." % (groups, channels))
    if channels % groups != 0:
        raise ValueError("group_norm: %d channels is not commensurate with %d groups."
                         % (channels, groups))
    with _vs.variable_scope(scope, "GroupNorm", [inputs], reuse=reuse) as sc:
        dims = shape.as_list()
        grouped = dims[:channels_axis] + [groups, channels // groups] + dims[channels_axis + 1:]
        if any(d is None for d in grouped):
            dyn = array_ops.shape(inputs)
            parts = [dyn[i] if dims[i] is None else dims[i] for i in range(channels_axis)]
            parts += [groups, channels // groups]
            parts += [dyn[i] if dims[i] is None else dims[i]
                      for i in range(channels_axis + 1, rank)]
            grouped_shape = tf.stack([p if not isinstance(p, int) else tf.constant(p)
                                      for p in parts])
        else:
            grouped_shape = grouped
        x = array_ops.reshape(inputs, grouped_shape)
        moments_axes = [channels_axis + 1] + [a if a < channels_axis else a + 1
                                              for a in reduction_axes]
        param_initializers = param_initializers or {}
        dtype = inputs.dtype.base_dtype
        bshape = [1] * channels_axis + [groups, channels // groups] + \
            [1] * (rank - channels_axis - 1)
        beta = gamma = None
        if center:
            beta = array_ops.reshape(
                _param("beta", [channels], dtype, param_initializers, {},
                       variables_collections, trainable, init_ops.zeros_initializer()), bshape)
        if scale:
            gamma = array_ops.reshape(
                _param("gamma", [channels], dtype, param_initializers, {},
                       variables_collections, trainable, init_ops.ones_initializer()), bshape)
        mean, variance = tf.nn.moments(x, moments_axes, keep_dims=True)
        outputs = tf.nn.batch_normalization(x, mean, variance, beta, gamma, epsilon)
        outputs = array_ops.reshape(outputs, array_ops.shape(inputs))
        outputs.set_shape(shape)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return utils.collect_named_outputs(outputs_collections, sc.name, outputs)


# --------------------------------------------------------------------------- diagnostic

# Non-string key: stays out of exported meta graphs.
_INFERENCE_KEY = ("tensorslim.layers", "batch_norm_inference")
_written = weakref.WeakKeyDictionary()   # session -> moving-statistic refs ever written
_warned = weakref.WeakKeyDictionary()    # session -> layer names already warned about
_REF_PASSTHROUGH = frozenset(["RefSwitch", "RefMerge", "RefIdentity", "Identity", "Switch"])


def _register_inference(reader_op, moving_mean, moving_variance, layer):
    get_default_graph().add_to_collection(
        _INFERENCE_KEY, (reader_op, moving_mean, moving_variance, layer))


def _variable_ref(tensor):
    while tensor.op.type in _REF_PASSTHROUGH and tensor.dtype.is_ref_dtype and \
            tensor.op._inputs:
        tensor = tensor.op._inputs[0]
    return tensor


def _from_checkpoint(tensor):
    """Whether ``tensor`` is read from a checkpoint (``tf.train.init_from_checkpoint``)."""
    while tensor.op.type == "Identity" and tensor.op._inputs:
        tensor = tensor.op._inputs[0]
    return tensor.op.type in ("RestoreV2", "Restore", "RestoreSlice")


def _check_moving_statistics(session, fetch_tensors, target_ops, feed_tensors):
    """Plan hook: notes writes to moving statistics; warns when an inference-mode batch_norm
    runs before any of them."""
    entries = session.graph._collections.get(_INFERENCE_KEY)
    if not entries:
        return
    watched = {}
    for _, mean_var, var_var, _ in entries:
        for v in (mean_var, var_var):
            watched[v._ref()] = (v.initializer, v.initial_value)
    reached = _reached_ops(fetch_tensors, target_ops, feed_tensors)
    fed = set(feed_tensors)
    written = _written.setdefault(session, set())
    for op in reached:
        op_def = op._op_def
        if op_def is None or not op_def.ref_inputs:
            continue
        for i in op_def.ref_inputs:
            if i >= len(op._inputs):
                continue
            ref = _variable_ref(op._inputs[i])
            if ref not in watched:
                continue
            init, initial_value = watched[ref]
            if op is init and len(op._inputs) > 1 and op._inputs[1] is initial_value and \
                    initial_value not in fed and not _from_checkpoint(initial_value):
                continue  # the initializer writes the initial 0 / 1, not statistics
            written.add(ref)  # updates, restores, init_from_checkpoint, Variable.load
    warned = _warned.setdefault(session, set())
    for reader, mean_var, var_var, layer in entries:
        if reader not in reached or layer in warned:
            continue
        if mean_var._ref() in written or var_var._ref() in written:
            continue
        warned.add(layer)
        warnings.warn(
            "batch_norm layer '%s' runs with is_training=False, but its moving statistics "
            "(%s, %s) were never updated in this session: they still hold their initial "
            "values (by default mean 0, variance 1), so the layer does not normalize its "
            "inputs. Train with the moving-average updates (run tf.GraphKeys.UPDATE_OPS with "
            "the training step -- slim.learning.create_train_op does -- or build batch_norm "
            "with updates_collections=None), or restore a checkpoint holding trained "
            "statistics."
            % (layer, mean_var.op.name, var_var.op.name), BatchNormStatisticsWarning,
            stacklevel=_user_stacklevel())


_session.add_plan_hook(_check_moving_statistics)
