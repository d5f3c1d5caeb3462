"""``tf.contrib.slim.nets``: TF-slim's model definitions (aliases of
:mod:`tensorslim.models`): ``lenet``, ``alexnet`` (``alexnet_v2``) and ``vgg`` (``vgg_a``,
``vgg_16``, ``vgg_19``)::

    from tensorslim.contrib.slim.nets import vgg
    with slim.arg_scope(vgg.vgg_arg_scope()):
        logits, end_points = vgg.vgg_16(images, num_classes=1000, is_training=False)
"""
from tensorslim.contrib.slim.nets import alexnet, lenet, vgg

__all__ = ["alexnet", "lenet", "vgg"]
