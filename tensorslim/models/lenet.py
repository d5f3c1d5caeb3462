"""LeNet for MNIST: TF-slim's ``nets.lenet`` variant and the classic LeNet-5.

:func:`lenet` is the network of TF-slim's model zoo (``nets/lenet.py``): the same layers, the
same scopes and therefore the same variable names (``LeNet/conv1/weights``,
``LeNet/fc4/biases``...), so a checkpoint written by TF-slim's LeNet restores into it and the
other way round::

    conv1  5x5x32 SAME, ReLU   -> pool1 2x2/2 -> 14x14x32
    conv2  5x5x64 SAME, ReLU   -> pool2 2x2/2 ->  7x7x64 -> Flatten (3136)
    fc3    1024, ReLU          -> dropout3
    fc4    num_classes (logits)             -> Predictions (softmax)

:func:`lenet5` is LeCun's LeNet-5 as tutorials teach it: 32x32 inputs (MNIST padded by 2),
two VALID 5x5 convolutions with 6 and 16 maps, each followed by 2x2 pooling, then fully
connected layers of 120, 84 and ``num_classes`` units.

Both take their layer defaults from :func:`lenet_arg_scope`::

    with slim.arg_scope(lenet_arg_scope(weight_decay=5e-4)):
        logits, end_points = lenet(images, is_training=True)
"""
from tensorslim.core import init_ops
from tensorslim.core import variable_scope as _vs
from tensorslim.core.ops import nn_ops
from tensorslim.layers.arg_scope import arg_scope as _arg_scope
from tensorslim.layers import layers as _layers
from tensorslim.layers import regularizers as _regularizers

__all__ = ["lenet", "lenet_arg_scope", "lenet5"]


def lenet(images, num_classes=10, is_training=False, dropout_keep_prob=0.5,
          prediction_fn=_layers.softmax, scope="LeNet"):
    """TF-slim's LeNet variant: two 5x5 convolutions, a 1024-unit layer and the logits.

    Args:
      images: ``[batch, 28, 28, channels]`` float images (``lenet.default_image_size``).
      num_classes: the number of classes. If 0 or None the logits layer (and dropout) are
        left out and the 1024 features of ``fc3`` are returned instead of logits.
      is_training: a Python bool or a boolean scalar Tensor; switches dropout on.
      dropout_keep_prob: the fraction of ``fc3`` activations kept while training.
      prediction_fn: turns the logits into ``end_points['Predictions']`` (slim.softmax).
      scope: the variable scope (default "LeNet").

    Returns:
      ``(logits, end_points)``: logits ``[batch, num_classes]`` (or the ``fc3`` features)
      and a dict of the intermediate tensors, keyed ``conv1``, ``pool1``, ``conv2``,
      ``pool2``, ``Flatten``, ``fc3``, ``dropout3``, ``Logits`` and ``Predictions``.
    """
    end_points = {}
    with _vs.variable_scope(scope, "LeNet", [images]):
        net = end_points["conv1"] = _layers.conv2d(images, 32, [5, 5], scope="conv1")
        net = end_points["pool1"] = _layers.max_pool2d(net, [2, 2], 2, scope="pool1")
        net = end_points["conv2"] = _layers.conv2d(net, 64, [5, 5], scope="conv2")
        net = end_points["pool2"] = _layers.max_pool2d(net, [2, 2], 2, scope="pool2")
        net = end_points["Flatten"] = _layers.flatten(net)
        net = end_points["fc3"] = _layers.fully_connected(net, 1024, scope="fc3")
        if not num_classes:
            return net, end_points
        net = end_points["dropout3"] = _layers.dropout(
            net, dropout_keep_prob, is_training=is_training, scope="dropout3")
        logits = end_points["Logits"] = _layers.fully_connected(
            net, num_classes, activation_fn=None, scope="fc4")
    # Outside the LeNet scope, as in TF-slim: the op is "Predictions/Reshape_1".
    end_points["Predictions"] = prediction_fn(logits, scope="Predictions")
    return logits, end_points


lenet.default_image_size = 28


def lenet_arg_scope(weight_decay=0.0):
    """The layer defaults of :func:`lenet` and :func:`lenet5`.

    Convolutions and fully connected layers get ReLU activations, weights drawn from a
    truncated normal with standard deviation 0.1 and, when ``weight_decay`` is positive, an
    L2 penalty of that scale in the REGULARIZATION_LOSSES collection.

    Args:
      weight_decay: the scale of the L2 weight penalty (0 disables it).

    Returns:
      An arg_scope dict, to be entered with ``slim.arg_scope(lenet_arg_scope())``.
    """
    with _arg_scope(
            [_layers.conv2d, _layers.fully_connected],
            weights_regularizer=_regularizers.l2_regularizer(weight_decay),
            weights_initializer=init_ops.truncated_normal_initializer(stddev=0.1),
            activation_fn=nn_ops.relu) as sc:
        return sc


def lenet5(images, num_classes=10, is_training=False, dropout_keep_prob=1.0,
           prediction_fn=_layers.softmax, scope="LeNet5"):
    """The classic LeNet-5 (LeCun et al., 1998) on 32x32 inputs.

    ``conv1`` 6 maps 5x5 VALID (28x28), ``pool1`` (14x14), ``conv2`` 16 maps 5x5 VALID
    (10x10), ``pool2`` (5x5x16 = 400 features), ``fc3`` 120, ``fc4`` 84 and ``fc5`` the
    logits. MNIST's 28x28 digits are padded by 2 pixels on each side to fit
    (``tf.pad(images, [[0, 0], [2, 2], [2, 2], [0, 0]])``), which is what the original paper
    did.

    Args:
      images: ``[batch, 32, 32, channels]`` float images (``lenet5.default_image_size``).
      num_classes: the number of classes; 0 or None returns the 84 ``fc4`` features.
      is_training: a Python bool or boolean Tensor; only matters with dropout.
      dropout_keep_prob: keep probability of a dropout after ``fc4`` (1.0: no dropout
        layer, as in the paper).
      prediction_fn: turns the logits into ``end_points['Predictions']``.
      scope: the variable scope (default "LeNet5").

    Returns:
      ``(logits, end_points)`` with end points ``conv1``, ``pool1``, ``conv2``,
      ``pool2``, ``Flatten``, ``fc3``, ``fc4``, ``Logits`` and ``Predictions``.
    """
    end_points = {}
    with _vs.variable_scope(scope, "LeNet5", [images]):
        net = end_points["conv1"] = _layers.conv2d(images, 6, [5, 5], padding="VALID",
                                                   scope="conv1")
        net = end_points["pool1"] = _layers.max_pool2d(net, [2, 2], 2, scope="pool1")
        net = end_points["conv2"] = _layers.conv2d(net, 16, [5, 5], padding="VALID",
                                                   scope="conv2")
        net = end_points["pool2"] = _layers.max_pool2d(net, [2, 2], 2, scope="pool2")
        net = end_points["Flatten"] = _layers.flatten(net)
        net = end_points["fc3"] = _layers.fully_connected(net, 120, scope="fc3")
        net = end_points["fc4"] = _layers.fully_connected(net, 84, scope="fc4")
        if not num_classes:
            return net, end_points
        if dropout_keep_prob is not None and dropout_keep_prob < 1.0:
            net = end_points["dropout4"] = _layers.dropout(
                net, dropout_keep_prob, is_training=is_training, scope="dropout4")
        logits = end_points["Logits"] = _layers.fully_connected(
            net, num_classes, activation_fn=None, scope="fc5")
    end_points["Predictions"] = prediction_fn(logits, scope="Predictions")
    return logits, end_points


lenet5.default_image_size = 32
