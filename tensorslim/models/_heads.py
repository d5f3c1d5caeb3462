"""The classifier head that AlexNet v2 and VGG share: fully connected layers as convolutions."""
from tensorslim.core.ops import array_ops, math_ops
from tensorslim.layers import layers as _layers
from tensorslim.layers import utils as _utils


def conv_classifier_head(net, sc, collection, fc6_size, fc6_padding, num_classes, is_training,
                         dropout_keep_prob, spatial_squeeze, global_pool, **fc8_kwargs):
    """``fc6`` (``fc6_size`` 2-D window), ``dropout6``, ``fc7``, then the optional global pool
    and the ``fc8`` logits (given ``fc8_kwargs``); returns ``(net, end_points)``."""
    net = _layers.conv2d(net, 4096, fc6_size, padding=fc6_padding, scope="fc6")
    net = _layers.dropout(net, dropout_keep_prob, is_training=is_training, scope="dropout6")
    net = _layers.conv2d(net, 4096, [1, 1], scope="fc7")
    end_points = _utils.convert_collection_to_dict(collection)
    if global_pool:
        net = math_ops.reduce_mean(net, [1, 2], keepdims=True, name="global_pool")
        end_points["global_pool"] = net
    if num_classes:
        net = _layers.dropout(net, dropout_keep_prob, is_training=is_training,
                              scope="dropout7")
        net = _layers.conv2d(net, num_classes, [1, 1], activation_fn=None, normalizer_fn=None,
                             scope="fc8", **fc8_kwargs)
        if spatial_squeeze:
            net = array_ops.squeeze(net, [1, 2], name="fc8/squeezed")
        end_points[sc.name + "/fc8"] = net
    return net, end_points
