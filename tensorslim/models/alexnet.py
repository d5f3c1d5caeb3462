"""AlexNet v2 as TF-slim's ``nets.alexnet`` defines it ("One weird trick", Krizhevsky 2014).

Same layers, scopes and variable names as TF-slim (``alexnet_v2/conv1/weights`` ...
``alexnet_v2/fc8/biases``), so TF-slim checkpoints restore into it. The fully connected
layers are convolutions (``fc6`` is 5x5 VALID on the 5x5 map of a 224x224 input), and the
logits are squeezed from ``[batch, 1, 1, classes]`` to ``[batch, classes]``::

    with slim.arg_scope(alexnet_v2_arg_scope()):
        logits, end_points = alexnet_v2(images, num_classes=1000, is_training=False)
"""
from tensorslim.core import init_ops
from tensorslim.core import variable_scope as _vs
from tensorslim.core.ops import nn_ops
from tensorslim.layers import layers as _layers
from tensorslim.layers import regularizers as _regularizers
from tensorslim.layers.arg_scope import arg_scope as _arg_scope
from tensorslim.models._heads import conv_classifier_head

__all__ = ["alexnet_v2", "alexnet_v2_arg_scope"]


def _trunc_normal(stddev):
    return init_ops.truncated_normal_initializer(0.0, stddev)


def alexnet_v2_arg_scope(weight_decay=0.0005):
    """AlexNet v2's layer defaults: ReLU, biases 0.1, L2 weight decay, SAME convolutions and
    VALID pooling.

    Args:
      weight_decay: the L2 scale of the weights.

    Returns:
      An arg_scope dict.
    """
    with _arg_scope([_layers.conv2d, _layers.fully_connected], activation_fn=nn_ops.relu,
                    biases_initializer=init_ops.constant_initializer(0.1),
                    weights_regularizer=_regularizers.l2_regularizer(weight_decay)):
        with _arg_scope([_layers.conv2d], padding="SAME"):
            with _arg_scope([_layers.max_pool2d], padding="VALID") as sc:
                return sc


def alexnet_v2(inputs, num_classes=1000, is_training=True, dropout_keep_prob=0.5,
               spatial_squeeze=True, scope="alexnet_v2", global_pool=False):
    """AlexNet v2 (224x224 inputs; use with :func:`alexnet_v2_arg_scope`).

    Args:
      inputs: ``[batch, 224, 224, 3]`` images.
      num_classes: the number of classes; 0 or None returns the ``fc7`` features.
      is_training: a bool or boolean Tensor switching the dropout layers on.
      dropout_keep_prob: the keep probability of the dropout layers.
      spatial_squeeze: squeeze the logits' 1x1 spatial dimensions away.
      scope: the variable scope.
      global_pool: average-pool ``fc7`` over its spatial dimensions (for other input sizes).

    Returns:
      ``(net, end_points)``: the logits (or features) and a dict of every layer's output,
      keyed by scope name (``alexnet_v2/conv1`` ... ``alexnet_v2/fc8``).
    """
    with _vs.variable_scope(scope, "alexnet_v2", [inputs]) as sc:
        collection = sc.original_name_scope + "_end_points"
        with _arg_scope([_layers.conv2d, _layers.fully_connected, _layers.max_pool2d],
                        outputs_collections=[collection]):
            net = _layers.conv2d(inputs, 64, [11, 11], 4, padding="VALID", scope="conv1")
            net = _layers.max_pool2d(net, [3, 3], 2, scope="pool1")
            net = _layers.conv2d(net, 192, [5, 5], scope="conv2")
            net = _layers.max_pool2d(net, [3, 3], 2, scope="pool2")
            net = _layers.conv2d(net, 384, [3, 3], scope="conv3")
            net = _layers.conv2d(net, 384, [3, 3], scope="conv4")
            net = _layers.conv2d(net, 256, [3, 3], scope="conv5")
            net = _layers.max_pool2d(net, [3, 3], 2, scope="pool5")
            with _arg_scope([_layers.conv2d], weights_initializer=_trunc_normal(0.005),
                            biases_initializer=init_ops.constant_initializer(0.1)):
                return conv_classifier_head(
                    net, sc, collection, [5, 5], "VALID", num_classes, is_training,
                    dropout_keep_prob, spatial_squeeze, global_pool,
                    biases_initializer=init_ops.zeros_initializer())


alexnet_v2.default_image_size = 224
