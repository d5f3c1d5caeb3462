"""Metric-learning losses (``slim.losses.metric_learning``)."""
from tensorslim.core.graph import convert_to_tensor, name_scope

__all__ = ["contrastive_loss"]


def contrastive_loss(labels, embeddings_anchor, embeddings_positive, margin=1.0):
    """Hadsell et al.'s contrastive loss for Siamese networks.

    ``mean(y * d ** 2 + (1 - y) * max(margin - d, 0) ** 2)`` with ``d`` the Euclidean
    distance between the two embeddings and ``y`` 1 for similar pairs.

    Args:
      labels: ``[batch]`` 0/1, 1 where the pair is similar.
      embeddings_anchor: ``[batch, dim]``.
      embeddings_positive: ``[batch, dim]``.
      margin: the margin of dissimilar pairs.

    Returns:
      A scalar Tensor.
    """
    import tensorslim as tf
    with name_scope(None, "contrastive_loss",
                    [labels, embeddings_anchor, embeddings_positive]):
        a = convert_to_tensor(embeddings_anchor)
        p = convert_to_tensor(embeddings_positive)
        distances = tf.sqrt(tf.reduce_sum(tf.square(a - p), 1))
        labels = tf.cast(labels, distances.dtype.base_dtype)
        return tf.reduce_mean(
            labels * tf.square(distances) +
            (1.0 - labels) * tf.square(tf.maximum(margin - distances, 0.0)),
            name="contrastive_loss")
