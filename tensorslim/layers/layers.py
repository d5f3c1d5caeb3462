"""The TF-slim layers: plain functions that open a scope, create their variables with
``model_variable`` and return the output tensor.

Every layer is decorated with ``add_arg_scope``; names, defaults, variable names
(``scope/weights``, ``scope/biases``) and op names (``scope/Conv2D``, ``scope/BiasAdd``,
``scope/Relu``) are TF-slim's, so checkpoints written by TF-slim models load into the same
model built here. A layer with ``normalizer_fn`` applies it instead of adding biases, then
applies ``activation_fn``; its output is added to ``outputs_collections`` with the layer's
scope name as alias (``slim.utils.convert_collection_to_dict`` turns those into end points).
"""
import numbers

from tensorslim.core import init_ops
from tensorslim.core import variable_scope as _vs
from tensorslim.core.graph import Tensor, convert_to_tensor, name_scope
from tensorslim.core.ops import array_ops, nn_ops
from tensorslim.core.tensor_shape import TensorShape
from tensorslim.layers import initializers, utils
from tensorslim.layers.arg_scope import add_arg_scope
from tensorslim.layers.variables import model_variable

__all__ = [
    "convolution", "convolution1d", "convolution2d", "conv2d", "conv1d",
    "convolution2d_transpose", "conv2d_transpose", "separable_convolution2d",
    "separable_conv2d", "fully_connected", "max_pool2d", "avg_pool2d", "flatten", "dropout",
    "bias_add", "one_hot_encoding", "unit_norm", "softmax", "repeat", "stack",
    "DATA_FORMAT_NCHW", "DATA_FORMAT_NHWC",
]

DATA_FORMAT_NCHW = "NCHW"
DATA_FORMAT_NHWC = "NHWC"
_CONV_FORMATS = (None, "NWC", "NCW", "NHWC", "NCHW", "NDHWC", "NCDHW")
_relu = nn_ops.relu


def _tf():
    import tensorslim
    return tensorslim


def _padding(layer, padding):
    if not isinstance(padding, str) or padding.upper() not in ("SAME", "VALID"):
        raise ValueError("%s: padding must be 'SAME' or 'VALID', got %r." % (layer, padding))
    return padding.upper()


def _ints(layer, what, value, n):
    """``value`` as ``n`` positive ints (an int is repeated), with a layer-named error."""
    try:
        return list(utils.n_positive_integers(n, value))
    except (TypeError, ValueError):
        raise ValueError("%s: %s must be an int or a list of %d positive ints, got %r."
                         % (layer, what, n, value)) from None


def _channels(layer, inputs, data_format, rank):
    shape = inputs.get_shape()
    if shape.ndims is None:
        raise ValueError("%s: the rank of the input %s must be known." % (layer, inputs.name))
    if shape.ndims != rank:
        raise ValueError("%s expects an input of rank %d, got %s with shape %s."
                         % (layer, rank, inputs.name, shape))
    axis = 1 if data_format and data_format.startswith("NC") else -1
    channels = shape[axis].value
    if channels is None:
        raise ValueError("%s: the channel dimension of the input %s should be defined. Found "
                         "`None` (shape %s)." % (layer, inputs.name, shape))
    return channels


def _biases_and_activation(outputs, num_outputs, dtype, data_format, activation_fn,
                           normalizer_fn, normalizer_params, biases_initializer,
                           biases_regularizer, variables_collections, trainable):
    """normalizer_fn (instead of biases) or biases, then activation_fn, as slim layers do."""
    if normalizer_fn is not None:
        outputs = normalizer_fn(outputs, **(normalizer_params or {}))
    elif biases_initializer is not None:
        biases = model_variable(
            "biases", shape=[num_outputs], dtype=dtype, initializer=biases_initializer,
            regularizer=biases_regularizer,
            collections=utils.get_variable_collections(variables_collections, "biases"),
            trainable=trainable)
        outputs = nn_ops.bias_add(outputs, biases, data_format=data_format)
    if activation_fn is not None:
        outputs = activation_fn(outputs)
    return outputs


# --------------------------------------------------------------------------- convolution

@add_arg_scope
def convolution(inputs, num_outputs, kernel_size, stride=1, padding="SAME", data_format=None,
                rate=1, activation_fn=_relu, normalizer_fn=None, normalizer_params=None,
                weights_initializer=initializers.xavier_initializer(),
                weights_regularizer=None, biases_initializer=init_ops.zeros_initializer(),
                biases_regularizer=None, reuse=None, variables_collections=None,
                outputs_collections=None, trainable=True, scope=None, conv_dims=None):
    """A convolution layer: ``activation_fn(normalizer_fn(conv(inputs, weights)) or + biases)``.

    Creates ``weights`` of shape ``kernel_size + [in_channels, num_outputs]`` and, without
    a ``normalizer_fn``, ``biases`` of shape ``[num_outputs]``. 1-D (rank-3 input) and 2-D
    (rank-4 input) convolutions are supported.

    Args:
      inputs: a Tensor ``[batch, (height,) width, channels]`` (or channels first).
      num_outputs: the number of filters.
      kernel_size: an int or a list of ints, the filter's spatial size.
      stride: an int or list of ints.
      padding: "SAME" or "VALID".
      data_format: None / "NHWC" / "NWC" (channels last) or "NCHW" / "NCW".
      rate: the dilation rate (an int or list); stride must be 1 when it is above 1.
      activation_fn: applied last (default ``tf.nn.relu``; None for a linear layer).
      normalizer_fn: e.g. ``slim.batch_norm``; replaces the biases.
      normalizer_params: keyword arguments for ``normalizer_fn``.
      weights_initializer: initializer of the weights (default xavier).
      weights_regularizer: optional regularizer of the weights.
      biases_initializer: initializer of the biases; None for no biases.
      biases_regularizer: optional regularizer of the biases.
      reuse: reuse the layer's variables (needs ``scope``).
      variables_collections: extra collections for the variables (a list, or a dict keyed
        by "weights" / "biases").
      outputs_collections: collections to add the output to.
      trainable: add the variables to TRAINABLE_VARIABLES.
      scope: the variable scope (default "Conv").
      conv_dims: the number of spatial dimensions, checked against the input's rank.

    Returns:
      The output Tensor.

    Raises:
      ValueError: a bad data_format, an input of the wrong rank or with unknown channels,
        or bad kernel/stride/rate values.
    """
    if data_format not in _CONV_FORMATS:
        raise ValueError("Invalid data_format: %r" % (data_format,))
    with _vs.variable_scope(scope, "Conv", [inputs], reuse=reuse) as sc:
        inputs = convert_to_tensor(inputs)
        rank = inputs.get_shape().ndims
        if conv_dims is not None and rank is not None and conv_dims + 2 != rank:
            raise ValueError("Convolution expects input with rank %d, got %d (%s)"
                             % (conv_dims + 2, rank, inputs.name))
        if rank not in (3, 4):
            raise ValueError("Convolution not supported for input with rank %s (%s): "
                             "tensorslim's slim.convolution handles 1-D (rank 3) and 2-D "
                             "(rank 4) inputs." % (rank, inputs.name))
        n = rank - 2
        layer = "convolution%dd" % n
        nchw = bool(data_format) and data_format.startswith("NC")
        fmt = "NCHW" if nchw else "NHWC"
        if not isinstance(num_outputs, numbers.Integral):
            raise ValueError("%s: num_outputs must be an int, got %r." % (layer, num_outputs))
        kernel = _ints(layer, "kernel_size", kernel_size, n)
        strides = _ints(layer, "stride", stride, n)
        rates = _ints(layer, "rate", rate, n)
        padding = _padding(layer, padding)
        if any(r > 1 for r in rates) and any(s > 1 for s in strides):
            raise ValueError("%s: strides > 1 not supported in conjunction with rate > 1 "
                             "(stride %s, rate %s)." % (layer, strides, rates))
        channels = _channels(layer, inputs, data_format, rank)
        dtype = inputs.dtype.base_dtype
        weights = model_variable(
            "weights", shape=kernel + [channels, num_outputs], dtype=dtype,
            initializer=weights_initializer, regularizer=weights_regularizer,
            collections=utils.get_variable_collections(variables_collections, "weights"),
            trainable=trainable)
        x, w = inputs, weights
        if n == 1:  # a 1-D convolution is a 2-D one over a height of 1
            x = array_ops.expand_dims(inputs, 2 if nchw else 1)
            w = array_ops.expand_dims(weights, 0)
            strides, rates = [1] + strides, [1] + rates
        if nchw:
            st, dil = [1, 1] + strides, [1, 1] + rates
        else:
            st, dil = [1] + strides + [1], [1] + rates + [1]
        outputs = nn_ops.conv2d(x, w, strides=st, padding=padding, data_format=fmt,
                                dilations=dil)
        if n == 1:
            outputs = array_ops.squeeze(outputs, [2 if nchw else 1])
        outputs = _biases_and_activation(outputs, num_outputs, dtype, fmt if n == 2 else
                                         ("NCHW" if nchw else "NHWC"), activation_fn,
                                         normalizer_fn, normalizer_params, biases_initializer,
                                         biases_regularizer, variables_collections, trainable)
        return utils.collect_named_outputs(outputs_collections, sc.name, outputs)


@add_arg_scope
def convolution1d(inputs, num_outputs, kernel_size, stride=1, padding="SAME",
                  data_format=None, rate=1, activation_fn=_relu, normalizer_fn=None,
                  normalizer_params=None, weights_initializer=initializers.xavier_initializer(),
                  weights_regularizer=None, biases_initializer=init_ops.zeros_initializer(),
                  biases_regularizer=None, reuse=None, variables_collections=None,
                  outputs_collections=None, trainable=True, scope=None):
    """A 1-D convolution layer (``slim.conv1d``); see :func:`convolution`."""
    return convolution(inputs, num_outputs, kernel_size, stride, padding, data_format, rate,
                       activation_fn, normalizer_fn, normalizer_params, weights_initializer,
                       weights_regularizer, biases_initializer, biases_regularizer, reuse,
                       variables_collections, outputs_collections, trainable, scope,
                       conv_dims=1)


@add_arg_scope
def convolution2d(inputs, num_outputs, kernel_size, stride=1, padding="SAME",
                  data_format=None, rate=1, activation_fn=_relu, normalizer_fn=None,
                  normalizer_params=None, weights_initializer=initializers.xavier_initializer(),
                  weights_regularizer=None, biases_initializer=init_ops.zeros_initializer(),
                  biases_regularizer=None, reuse=None, variables_collections=None,
                  outputs_collections=None, trainable=True, scope=None):
    """A 2-D convolution layer (``slim.conv2d``); see :func:`convolution`.

    ``slim.conv2d(net, 32, [3, 3], scope='conv1')`` creates ``conv1/weights`` of shape
    ``[3, 3, in_channels, 32]`` and ``conv1/biases``, and returns ``conv1/Relu``.
    """
    return convolution(inputs, num_outputs, kernel_size, stride, padding, data_format, rate,
                       activation_fn, normalizer_fn, normalizer_params, weights_initializer,
                       weights_regularizer, biases_initializer, biases_regularizer, reuse,
                       variables_collections, outputs_collections, trainable, scope,
                       conv_dims=2)


conv1d = convolution1d
conv2d = convolution2d


def _deconv_length(size, k, s, padding):
    """The output length of a transposed convolution (a Python int or a Tensor)."""
    if padding == "SAME":
        return size * s
    return size * s + max(k - s, 0)


@add_arg_scope
def convolution2d_transpose(inputs, num_outputs, kernel_size, stride=1, padding="SAME",
                            data_format=DATA_FORMAT_NHWC, activation_fn=_relu,
                            normalizer_fn=None, normalizer_params=None,
                            weights_initializer=initializers.xavier_initializer(),
                            weights_regularizer=None,
                            biases_initializer=init_ops.zeros_initializer(),
                            biases_regularizer=None, reuse=None, variables_collections=None,
                            outputs_collections=None, trainable=True, scope=None):
    """A transposed 2-D convolution layer ("deconvolution", ``slim.conv2d_transpose``).

    Creates ``weights`` of shape ``[kh, kw, num_outputs, in_channels]``; the output is
    ``stride`` times larger (plus ``max(k - stride, 0)`` with VALID padding).

    Args: as for :func:`convolution2d` (``data_format`` "NHWC" or "NCHW"; scope default
      "Conv2d_transpose").

    Returns:
      The output Tensor.

    Raises:
      ValueError: a bad data_format, input rank or channel dimension.
    """
    layer = "conv2d_transpose"
    if data_format not in (DATA_FORMAT_NCHW, DATA_FORMAT_NHWC):
        raise ValueError("data_format has to be either NCHW or NHWC.")
    with _vs.variable_scope(scope, "Conv2d_transpose", [inputs], reuse=reuse) as sc:
        tf = _tf()
        inputs = convert_to_tensor(inputs)
        channels = _channels(layer, inputs, data_format, 4)
        kh, kw = _ints(layer, "kernel_size", kernel_size, 2)
        sh, sw = _ints(layer, "stride", stride, 2)
        padding = _padding(layer, padding)
        dtype = inputs.dtype.base_dtype
        weights = model_variable(
            "weights", shape=[kh, kw, num_outputs, channels], dtype=dtype,
            initializer=weights_initializer, regularizer=weights_regularizer,
            collections=utils.get_variable_collections(variables_collections, "weights"),
            trainable=trainable)
        nchw = data_format == DATA_FORMAT_NCHW
        h_axis, w_axis = (2, 3) if nchw else (1, 2)
        static = inputs.get_shape().as_list()
        dyn = None
        dims = []
        for axis in (0, h_axis, w_axis):
            if static[axis] is None:
                if dyn is None:
                    dyn = array_ops.shape(inputs)
                dims.append(dyn[axis])
            else:
                dims.append(static[axis])
        out_h = _deconv_length(dims[1], kh, sh, padding)
        out_w = _deconv_length(dims[2], kw, sw, padding)
        parts = [dims[0], num_outputs, out_h, out_w] if nchw else \
            [dims[0], out_h, out_w, num_outputs]
        if any(isinstance(p, Tensor) for p in parts):
            output_shape = tf.stack([p if isinstance(p, Tensor) else
                                     tf.constant(p, dtype=tf.int32) for p in parts])
        else:
            output_shape = parts
        strides = [1, 1, sh, sw] if nchw else [1, sh, sw, 1]
        outputs = nn_ops.conv2d_transpose(inputs, weights, output_shape, strides,
                                          padding=padding, data_format=data_format)
        outputs.set_shape(TensorShape([p if not isinstance(p, Tensor) else None
                                       for p in parts]))
        outputs = _biases_and_activation(outputs, num_outputs, dtype, data_format,
                                         activation_fn, normalizer_fn, normalizer_params,
                                         biases_initializer, biases_regularizer,
                                         variables_collections, trainable)
        return utils.collect_named_outputs(outputs_collections, sc.name, outputs)


conv2d_transpose = convolution2d_transpose


@add_arg_scope
def separable_convolution2d(inputs, num_outputs, kernel_size, depth_multiplier=1, stride=1,
                            padding="SAME", data_format=DATA_FORMAT_NHWC, rate=1,
                            activation_fn=_relu, normalizer_fn=None, normalizer_params=None,
                            weights_initializer=initializers.xavier_initializer(),
                            pointwise_initializer=None, weights_regularizer=None,
                            biases_initializer=init_ops.zeros_initializer(),
                            biases_regularizer=None, reuse=None, variables_collections=None,
                            outputs_collections=None, trainable=True, scope=None):
    """A depthwise-separable 2-D convolution layer (``slim.separable_conv2d``).

    Creates ``depthwise_weights`` ``[kh, kw, in_channels, depth_multiplier]`` and, when
    ``num_outputs`` is not None, ``pointwise_weights``
    ``[1, 1, in_channels * depth_multiplier, num_outputs]``; with ``num_outputs=None`` only
    the depthwise convolution is applied.

    Args: as for :func:`convolution2d`, plus ``depth_multiplier`` and
      ``pointwise_initializer`` (default: ``weights_initializer``); scope default
      "SeparableConv2d".

    Returns:
      The output Tensor.
    """
    layer = "separable_conv2d"
    if data_format not in (DATA_FORMAT_NCHW, DATA_FORMAT_NHWC):
        raise ValueError("data_format has to be either NCHW or NHWC.")
    with _vs.variable_scope(scope, "SeparableConv2d", [inputs], reuse=reuse) as sc:
        tf = _tf()
        inputs = convert_to_tensor(inputs)
        channels = _channels(layer, inputs, data_format, 4)
        kh, kw = _ints(layer, "kernel_size", kernel_size, 2)
        sh, sw = _ints(layer, "stride", stride, 2)
        rates = _ints(layer, "rate", rate, 2)
        padding = _padding(layer, padding)
        dtype = inputs.dtype.base_dtype
        weights_collections = utils.get_variable_collections(variables_collections, "weights")
        depthwise = model_variable(
            "depthwise_weights", shape=[kh, kw, channels, depth_multiplier], dtype=dtype,
            initializer=weights_initializer, regularizer=weights_regularizer,
            trainable=trainable, collections=weights_collections)
        nchw = data_format == DATA_FORMAT_NCHW
        strides = [1, 1, sh, sw] if nchw else [1, sh, sw, 1]
        if num_outputs is not None:
            pointwise = model_variable(
                "pointwise_weights", shape=[1, 1, channels * depth_multiplier, num_outputs],
                dtype=dtype, initializer=pointwise_initializer or weights_initializer,
                regularizer=weights_regularizer, trainable=trainable,
                collections=weights_collections)
            outputs = tf.nn.separable_conv2d(inputs, depthwise, pointwise, strides, padding,
                                             rate=rates, data_format=data_format)
        else:
            outputs = tf.nn.depthwise_conv2d(inputs, depthwise, strides, padding, rate=rates,
                                             data_format=data_format)
            num_outputs = depth_multiplier * channels
        outputs = _biases_and_activation(outputs, num_outputs, dtype, data_format,
                                         activation_fn, normalizer_fn, normalizer_params,
                                         biases_initializer, biases_regularizer,
                                         variables_collections, trainable)
        return utils.collect_named_outputs(outputs_collections, sc.name, outputs)


separable_conv2d = separable_convolution2d


# --------------------------------------------------------------------------- dense

@add_arg_scope
def fully_connected(inputs, num_outputs, activation_fn=_relu, normalizer_fn=None,
                    normalizer_params=None,
                    weights_initializer=initializers.xavier_initializer(),
                    weights_regularizer=None, biases_initializer=init_ops.zeros_initializer(),
                    biases_regularizer=None, reuse=None, variables_collections=None,
                    outputs_collections=None, trainable=True, scope=None):
    """A fully connected layer: ``activation_fn(inputs @ weights + biases)``.

    Creates ``weights`` ``[in, num_outputs]`` and (without ``normalizer_fn``) ``biases``
    ``[num_outputs]``. Inputs of rank above 2 are multiplied along their last dimension.
    Note that ``activation_fn`` defaults to ReLU, also for a logits layer: pass
    ``activation_fn=None`` there.

    Args: as for :func:`convolution2d`; scope default "fully_connected".

    Returns:
      The output Tensor, ``inputs.shape[:-1] + [num_outputs]``.

    Raises:
      ValueError: ``num_outputs`` is not an int, or the last input dimension is unknown.
    """
    if not isinstance(num_outputs, numbers.Integral) or isinstance(num_outputs, bool):
        raise ValueError("fully_connected: num_outputs type should be int, got %s."
                         % type(num_outputs))
    with _vs.variable_scope(scope, "fully_connected", [inputs], reuse=reuse) as sc:
        tf = _tf()
        inputs = convert_to_tensor(inputs)
        shape = inputs.get_shape()
        if shape.ndims is None or shape.ndims < 2:
            raise ValueError("fully_connected: the input %s must have rank 2 or more, got "
                             "shape %s." % (inputs.name, shape))
        in_dim = shape[-1].value
        if in_dim is None:
            raise ValueError("fully_connected: the last dimension of the inputs to `Dense` "
                             "should be defined. Found `None` (input %s, shape %s)."
                             % (inputs.name, shape))
        dtype = inputs.dtype.base_dtype
        weights = model_variable(
            "weights", shape=[in_dim, num_outputs], dtype=dtype,
            initializer=weights_initializer, regularizer=weights_regularizer,
            collections=utils.get_variable_collections(variables_collections, "weights"),
            trainable=trainable)
        if shape.ndims == 2:
            outputs = tf.matmul(inputs, weights)
        else:
            flat = array_ops.reshape(inputs, [-1, in_dim])
            outputs = tf.matmul(flat, weights)
            lead = shape.as_list()[:-1]
            if all(d is not None for d in lead):
                out_shape = lead + [num_outputs]
            else:
                out_shape = tf.concat([array_ops.shape(inputs)[:-1], [num_outputs]], 0)
            outputs = array_ops.reshape(outputs, out_shape)
            outputs.set_shape(TensorShape(lead + [num_outputs]))
        outputs = _biases_and_activation(outputs, num_outputs, dtype, None, activation_fn,
                                         normalizer_fn, normalizer_params, biases_initializer,
                                         biases_regularizer, variables_collections, trainable)
        return utils.collect_named_outputs(outputs_collections, sc.name, outputs)


# --------------------------------------------------------------------------- pooling

def _pool(op, layer, default_scope, inputs, kernel_size, stride, padding, data_format,
          outputs_collections, scope):
    if data_format not in (DATA_FORMAT_NCHW, DATA_FORMAT_NHWC):
        raise ValueError("data_format has to be either NCHW or NHWC.")
    with name_scope(scope, default_scope, [inputs]) as sc:
        inputs = convert_to_tensor(inputs)
        if inputs.get_shape().ndims not in (None, 4):
            raise ValueError("%s expects an input of rank 4, got %s with shape %s."
                             % (layer, inputs.name, inputs.get_shape()))
        kh, kw = _ints(layer, "kernel_size", kernel_size, 2)
        sh, sw = _ints(layer, "stride", stride, 2)
        padding = _padding(layer, padding)
        if data_format == DATA_FORMAT_NCHW:
            ksize, strides = [1, 1, kh, kw], [1, 1, sh, sw]
        else:
            ksize, strides = [1, kh, kw, 1], [1, sh, sw, 1]
        outputs = op(inputs, ksize, strides, padding, data_format=data_format)
        return utils.collect_named_outputs(outputs_collections, sc, outputs)


@add_arg_scope
def max_pool2d(inputs, kernel_size, stride=2, padding="VALID", data_format=DATA_FORMAT_NHWC,
               outputs_collections=None, scope=None):
    """2-D max pooling (``scope/MaxPool``; scope default "MaxPool2D").

    Args:
      inputs: a 4-D Tensor.
      kernel_size: an int or ``[kh, kw]``.
      stride: an int or ``[sh, sw]`` (default 2).
      padding: "VALID" (default) or "SAME".
      data_format: "NHWC" or "NCHW".
      outputs_collections: collections to add the output to.
      scope: the name scope.

    Returns:
      The pooled Tensor.

    Raises:
      ValueError: a bad data_format, rank, kernel or stride.
    """
    return _pool(nn_ops.max_pool, "max_pool2d", "MaxPool2D", inputs, kernel_size, stride,
                 padding, data_format, outputs_collections, scope)


@add_arg_scope
def avg_pool2d(inputs, kernel_size, stride=2, padding="VALID", data_format=DATA_FORMAT_NHWC,
               outputs_collections=None, scope=None):
    """2-D average pooling (``scope/AvgPool``; scope default "AvgPool2D"); see
    :func:`max_pool2d`."""
    return _pool(nn_ops.avg_pool, "avg_pool2d", "AvgPool2D", inputs, kernel_size, stride,
                 padding, data_format, outputs_collections, scope)


# --------------------------------------------------------------------------- reshaping

@add_arg_scope
def flatten(inputs, outputs_collections=None, scope=None):
    """Flattens every dimension but the first: ``[N, d1, ..., dk] -> [N, d1 * ... * dk]``.

    Args:
      inputs: a Tensor of rank 1 or more (rank 1 gives ``[N, 1]``).
      outputs_collections: collections to add the output to.
      scope: the name scope (default "Flatten").

    Returns:
      A 2-D Tensor.

    Raises:
      ValueError: the input is a scalar.
    """
    with name_scope(scope, "Flatten", [inputs]) as sc:
        tf = _tf()
        inputs = convert_to_tensor(inputs)
        shape = inputs.get_shape()
        if shape.ndims == 0:
            raise ValueError("flatten: inputs must have at least 1 dimension, got the scalar "
                             "%s." % inputs.name)
        with name_scope("flatten"):
            dims = shape.as_list() if shape.ndims is not None else None
            if dims is not None and all(d is not None for d in dims[1:]):
                k = 1
                for d in dims[1:]:
                    k *= d
                outputs = array_ops.reshape(inputs, [-1, k])
                outputs.set_shape([dims[0], k])
            else:
                batch = array_ops.shape(inputs)[0]
                outputs = array_ops.reshape(inputs, tf.stack([batch, -1]))
                if dims is not None:
                    outputs.set_shape([dims[0], None])
        return utils.collect_named_outputs(outputs_collections, sc, outputs)


@add_arg_scope
def dropout(inputs, keep_prob=0.5, noise_shape=None, is_training=True,
            outputs_collections=None, scope=None, seed=None):
    """Dropout while training: keeps each element with probability ``keep_prob``, scaled by
    ``1 / keep_prob``; the identity when ``is_training`` is False.

    Args:
      inputs: the Tensor.
      keep_prob: the probability of keeping an element (a float or scalar Tensor).
      noise_shape: the shape of the random keep/drop mask.
      is_training: a Python bool or a boolean Tensor (then a ``tf.cond`` picks at run time).
      outputs_collections: collections to add the output to.
      scope: the variable scope (default "Dropout").
      seed: the op seed.

    Returns:
      The output Tensor.
    """
    with _vs.variable_scope(scope, "Dropout", [inputs]) as sc:
        tf = _tf()
        inputs = convert_to_tensor(inputs)

        def dropped():
            return tf.nn.dropout(inputs, keep_prob=keep_prob, noise_shape=noise_shape,
                                 seed=seed)

        def kept():
            return array_ops.identity(inputs)
        outputs = utils.smart_cond(is_training, dropped, kept)
        return utils.collect_named_outputs(outputs_collections, sc.name, outputs)


@add_arg_scope
def bias_add(inputs, activation_fn=None, initializer=init_ops.zeros_initializer(),
             regularizer=None, reuse=None, variables_collections=None,
             outputs_collections=None, trainable=True, data_format=DATA_FORMAT_NHWC,
             scope=None):
    """Adds a ``biases`` variable (one per channel), then ``activation_fn``.

    Args:
      inputs: a Tensor of known rank with a known channel dimension.
      activation_fn: optional activation.
      initializer: the biases' initializer (zeros).
      regularizer: optional regularizer of the biases.
      reuse, variables_collections, outputs_collections, trainable: as for the other
        layers.
      data_format: "NHWC" (channels last) or "NCHW" (4-D only).
      scope: the variable scope (default "BiasAdd").

    Returns:
      The output Tensor.

    Raises:
      ValueError: a bad data_format, unknown rank or channel dimension.
    """
    if data_format not in (DATA_FORMAT_NCHW, DATA_FORMAT_NHWC):
        raise ValueError("data_format has to be either NCHW or NHWC.")
    with _vs.variable_scope(scope, "BiasAdd", [inputs], reuse=reuse) as sc:
        inputs = convert_to_tensor(inputs)
        shape = inputs.get_shape()
        if shape.ndims is None:
            raise ValueError("bias_add: Dims of shape must be known but is None (%s)."
                             % inputs.name)
        if shape.ndims != 4 and data_format == DATA_FORMAT_NCHW:
            raise ValueError("bias_add: Data format NCHW only supports 4D Tensor (%s has "
                             "shape %s)." % (inputs.name, shape))
        axis = 1 if data_format == DATA_FORMAT_NCHW else -1
        num_features = shape[axis].value
        if num_features is None:
            raise ValueError("bias_add: `C` dimension must be known but is None (%s has "
                             "shape %s)." % (inputs.name, shape))
        biases = model_variable(
            "biases", shape=[num_features], dtype=inputs.dtype.base_dtype,
            initializer=initializer, regularizer=regularizer,
            collections=utils.get_variable_collections(variables_collections, "biases"),
            trainable=trainable)
        outputs = nn_ops.bias_add(inputs, biases, data_format=data_format)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return utils.collect_named_outputs(outputs_collections, sc.name, outputs)


@add_arg_scope
def one_hot_encoding(labels, num_classes, on_value=1.0, off_value=0.0,
                     outputs_collections=None, scope=None):
    """One-hot encodes integer ``labels`` into ``num_classes`` columns.

    Args:
      labels: an integer Tensor.
      num_classes: the depth.
      on_value, off_value: the values for the hot and the other entries.
      outputs_collections: collections to add the output to.
      scope: the name scope (default "OneHotEncoding").

    Returns:
      A float Tensor ``labels.shape + [num_classes]``.
    """
    with name_scope(scope, "OneHotEncoding", [labels, num_classes]) as sc:
        tf = _tf()
        labels = convert_to_tensor(labels)
        if labels.dtype.base_dtype == tf.int32:
            labels = tf.cast(labels, tf.int64, name="ToInt64")
        outputs = tf.one_hot(labels, num_classes, on_value=on_value, off_value=off_value)
        return utils.collect_named_outputs(outputs_collections, sc, outputs)


@add_arg_scope
def unit_norm(inputs, dim, epsilon=1e-7, scope=None):
    """Normalizes ``inputs`` to unit length along dimension ``dim``.

    Args:
      inputs: a Tensor of known rank.
      dim: the dimension to normalize along.
      epsilon: added to the squared length.
      scope: the variable scope (default "UnitNorm").

    Returns:
      ``inputs / sqrt(epsilon + sum(inputs ** 2, dim))``.

    Raises:
      ValueError: unknown rank, or ``dim`` out of range.
    """
    with _vs.variable_scope(scope, "UnitNorm", [inputs]):
        tf = _tf()
        inputs = convert_to_tensor(inputs)
        rank = inputs.get_shape().ndims
        if rank is None:
            raise ValueError("unit_norm: The input rank must be known (%s)." % inputs.name)
        if dim < 0 or dim >= rank:
            raise ValueError("unit_norm: dim must be positive but smaller than the input rank "
                             "(dim %d, rank %d)." % (dim, rank))
        lengths = tf.sqrt(epsilon + tf.reduce_sum(tf.square(inputs), dim, keepdims=True))
        return tf.truediv(inputs, lengths)


@add_arg_scope
def softmax(logits, scope=None):
    """Softmax over the last dimension of an N-D ``logits`` Tensor.

    Args:
      logits: a Tensor of rank 2 or more with a known last dimension.
      scope: the variable scope (default "softmax").

    Returns:
      The probabilities, shaped like ``logits``.
    """
    with _vs.variable_scope(scope, "softmax", [logits]):
        logits = convert_to_tensor(logits)
        num_logits = utils.last_dimension(logits.get_shape(), min_rank=2)
        logits_2d = array_ops.reshape(logits, [-1, num_logits])
        predictions = nn_ops.softmax(logits_2d)
        predictions = array_ops.reshape(predictions, array_ops.shape(logits))
        predictions.set_shape(logits.get_shape())
        return predictions


# --------------------------------------------------------------------------- composition

def _layer_name(layer):
    if hasattr(layer, "__name__"):
        return layer.__name__
    if hasattr(layer, "func") and hasattr(layer.func, "__name__"):
        return layer.func.__name__
    return None


def repeat(inputs, repetitions, layer, *args, **kwargs):
    """Applies ``layer`` ``repetitions`` times, in scopes ``<scope>/<scope>_1``, ``_2``...

    ``slim.repeat(net, 3, slim.conv2d, 256, [3, 3], scope='conv3')`` makes
    ``conv3/conv3_1``, ``conv3/conv3_2``, ``conv3/conv3_3``.

    Args:
      inputs: the input Tensor.
      repetitions: how many times.
      layer: the layer function.
      *args: passed to every call.
      **kwargs: passed to every call; ``scope`` names the outer scope (default "Repeat";
        the inner scopes are then named after the layer function).

    Returns:
      The last output.
    """
    scope = kwargs.pop("scope", None)
    with _vs.variable_scope(scope, "Repeat", [inputs]):
        inputs = convert_to_tensor(inputs)
        if scope is None:
            scope = _layer_name(layer) or "repeat"
        outputs = inputs
        for i in range(repetitions):
            kwargs["scope"] = scope + "_" + str(i + 1)
            outputs = layer(outputs, *args, **kwargs)
        return outputs


def stack(inputs, layer, stack_args, **kwargs):
    """Applies ``layer`` once per entry of ``stack_args``, chaining the outputs.

    ``slim.stack(x, slim.fully_connected, [32, 64, 128], scope='fc')`` makes
    ``fc/fc_1``, ``fc/fc_2``, ``fc/fc_3``.

    Args:
      inputs: the input Tensor.
      layer: the layer function.
      stack_args: a list; each entry is the positional argument(s) of one call.
      **kwargs: passed to every call; ``scope`` as for :func:`repeat` (default "Stack").

    Returns:
      The last output.

    Raises:
      ValueError: ``stack_args`` is not a list or tuple.
    """
    scope = kwargs.pop("scope", None)
    if not isinstance(stack_args, (list, tuple)):
        raise ValueError("stack_args need to be a list or tuple, got %s."
                         % type(stack_args).__name__)
    with _vs.variable_scope(scope, "Stack", [inputs]):
        inputs = convert_to_tensor(inputs)
        if scope is None:
            scope = _layer_name(layer) or "stack"
        outputs = inputs
        for i, layer_args in enumerate(stack_args):
            kwargs["scope"] = scope + "_" + str(i + 1)
            if not isinstance(layer_args, (list, tuple)):
                layer_args = [layer_args]
            outputs = layer(outputs, *layer_args, **kwargs)
        return outputs
