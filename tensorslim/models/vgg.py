"""VGG-11 (``vgg_a``), VGG-16 and VGG-19 as TF-slim's ``nets.vgg`` defines them.

Same scopes and variable names as TF-slim (``vgg_16/conv1/conv1_1/weights`` ...
``vgg_16/fc8/biases``), so the published TF-slim VGG checkpoints restore into them. The
fully connected layers are convolutions (``fc6`` is 7x7 on the 7x7 map of a 224x224 input)::

    with slim.arg_scope(vgg_arg_scope()):
        logits, end_points = vgg_16(images, num_classes=1000, is_training=False)
"""
from tensorslim.core import init_ops
from tensorslim.core import variable_scope as _vs
from tensorslim.core.ops import nn_ops
from tensorslim.layers import layers as _layers
from tensorslim.layers import regularizers as _regularizers
from tensorslim.layers.arg_scope import arg_scope as _arg_scope
from tensorslim.models._heads import conv_classifier_head

__all__ = ["vgg_arg_scope", "vgg_a", "vgg_16", "vgg_19", "vgg_d", "vgg_e"]


def vgg_arg_scope(weight_decay=0.0005):
    """VGG's layer defaults: ReLU, zero biases, L2 weight decay, SAME convolutions.

    Args:
      weight_decay: the L2 scale of the weights.

    Returns:
      An arg_scope dict.
    """
    with _arg_scope([_layers.conv2d, _layers.fully_connected], activation_fn=nn_ops.relu,
                    weights_regularizer=_regularizers.l2_regularizer(weight_decay),
                    biases_initializer=init_ops.zeros_initializer()):
        with _arg_scope([_layers.conv2d], padding="SAME") as sc:
            return sc


def _vgg(inputs, repeats, num_classes, is_training, dropout_keep_prob, spatial_squeeze,
         scope, default_scope, fc_conv_padding, global_pool):
    with _vs.variable_scope(scope, default_scope, [inputs]) as sc:
        collection = sc.original_name_scope + "_end_points"
        with _arg_scope([_layers.conv2d, _layers.fully_connected, _layers.max_pool2d],
                        outputs_collections=collection):
            net = inputs
            for i, (n, depth) in enumerate(zip(repeats, (64, 128, 256, 512, 512))):
                net = _layers.repeat(net, n, _layers.conv2d, depth, [3, 3],
                                     scope="conv%d" % (i + 1))
                net = _layers.max_pool2d(net, [2, 2], scope="pool%d" % (i + 1))
            return conv_classifier_head(net, sc, collection, [7, 7], fc_conv_padding,
                                        num_classes, is_training, dropout_keep_prob,
                                        spatial_squeeze, global_pool)


_DOC = """{title} (224x224 inputs; use with :func:`vgg_arg_scope`).

    Args:
      inputs: ``[batch, 224, 224, 3]`` images.
      num_classes: the number of classes; 0 or None returns the ``fc7`` features.
      is_training: a bool or boolean Tensor switching the dropout layers on.
      dropout_keep_prob: the keep probability of the dropout layers.
      spatial_squeeze: squeeze the logits' 1x1 spatial dimensions away.
      scope: the variable scope.
      fc_conv_padding: the padding of ``fc6`` ("VALID"; "SAME" for dense outputs).
      global_pool: average-pool ``fc7`` over its spatial dimensions.

    Returns:
      ``(net, end_points)``: the logits (or features) and a dict of every layer's output
      keyed by scope name.
    """


def vgg_a(inputs, num_classes=1000, is_training=True, dropout_keep_prob=0.5,
          spatial_squeeze=True, scope="vgg_a", fc_conv_padding="VALID", global_pool=False):
    return _vgg(inputs, (1, 1, 2, 2, 2), num_classes, is_training, dropout_keep_prob,
                spatial_squeeze, scope, "vgg_a", fc_conv_padding, global_pool)


def vgg_16(inputs, num_classes=1000, is_training=True, dropout_keep_prob=0.5,
           spatial_squeeze=True, scope="vgg_16", fc_conv_padding="VALID", global_pool=False):
    return _vgg(inputs, (2, 2, 3, 3, 3), num_classes, is_training, dropout_keep_prob,
                spatial_squeeze, scope, "vgg_16", fc_conv_padding, global_pool)


def vgg_19(inputs, num_classes=1000, is_training=True, dropout_keep_prob=0.5,
           spatial_squeeze=True, scope="vgg_19", fc_conv_padding="VALID", global_pool=False):
    return _vgg(inputs, (2, 2, 4, 4, 4), num_classes, is_training, dropout_keep_prob,
                spatial_squeeze, scope, "vgg_19", fc_conv_padding, global_pool)


vgg_a.__doc__ = _DOC.format(title="VGG-11, configuration A")
vgg_16.__doc__ = _DOC.format(title="VGG-16, configuration D")
vgg_19.__doc__ = _DOC.format(title="VGG-19, configuration E")
vgg_a.default_image_size = vgg_16.default_image_size = vgg_19.default_image_size = 224
vgg_d = vgg_16
vgg_e = vgg_19
