"""Siamese networks: one tower, two inputs, one set of weights.

A Siamese net maps two images through the *same* tower and compares the embeddings; the
contrastive loss pulls the embeddings of similar pairs together and pushes dissimilar pairs
at least ``margin`` apart. Sharing is done the TF1 way, with ``variable_scope`` reuse: the
left tower creates the variables, the right tower is built again under the same scope with
``reuse=True`` and gets the very same variables back, so there is exactly one set of weights
and gradients from both sides add up in it::

    left = tf.placeholder(tf.float32, [None, 28, 28, 1])
    right = tf.placeholder(tf.float32, [None, 28, 28, 1])
    same = tf.placeholder(tf.float32, [None])          # 1: same digit, 0: different
    emb_left, emb_right = siamese_net(left, right)
    loss = contrastive_loss(emb_left, emb_right, same, margin=1.0)

Pairs come from any labelled set (:func:`make_pairs`: balanced and seeded), and evaluation
is host-side numpy on embeddings computed with ``Session.run``: pair accuracy at a distance
threshold (:func:`pair_accuracy`), the threshold that maximises it (:func:`best_threshold`)
and classification through the embedding by the nearest class centroid
(:func:`centroid_accuracy`).
"""
import numpy as np

from tensorslim.core import variable_scope as _vs
from tensorslim.core.graph import GraphKeys, convert_to_tensor, name_scope
from tensorslim.core.ops import math_ops, nn_ops
from tensorslim.layers import layers as _layers
from tensorslim.layers import losses as _losses

__all__ = ["mnist_tower", "siamese_net", "contrastive_loss", "make_pairs",
           "pair_distances", "pair_accuracy", "best_threshold", "class_centroids",
           "centroid_accuracy", "compute_embeddings", "DEFAULT_EMBEDDING_SIZE"]

#: Embedding width of :func:`mnist_tower`.
DEFAULT_EMBEDDING_SIZE = 32


def mnist_tower(images, embedding_size=DEFAULT_EMBEDDING_SIZE, is_training=False):
    """A small convolutional tower for 28x28 digits (the layout of Caffe's MNIST siamese
    example, with a wider embedding).

    ``conv1`` 20 maps 5x5 VALID -> ``pool1`` -> ``conv2`` 50 maps 5x5 VALID -> ``pool2``
    -> ``fc3`` 500 ReLU -> ``embedding`` (linear, ``embedding_size`` units). It has no
    dropout or batch statistics, so identical inputs always give identical embeddings.

    Args:
      images: ``[batch, 28, 28, channels]`` float images.
      embedding_size: the width of the embedding.
      is_training: unused (the tower behaves the same in training and inference); accepted
        so that towers with dropout can be swapped in.

    Returns:
      The embeddings, ``[batch, embedding_size]``.
    """
    del is_training
    net = _layers.conv2d(images, 20, [5, 5], padding="VALID", scope="conv1")
    net = _layers.max_pool2d(net, [2, 2], 2, scope="pool1")
    net = _layers.conv2d(net, 50, [5, 5], padding="VALID", scope="conv2")
    net = _layers.max_pool2d(net, [2, 2], 2, scope="pool2")
    net = _layers.flatten(net)
    net = _layers.fully_connected(net, 500, scope="fc3")
    return _layers.fully_connected(net, embedding_size, activation_fn=None, scope="embedding")


mnist_tower.default_image_size = 28


def siamese_net(left, right, tower=mnist_tower, scope="siamese", reuse=None, **tower_kwargs):
    """Applies ``tower`` to both inputs with one shared set of variables.

    The left tower is built under ``variable_scope(scope, reuse=reuse)`` and creates the
    variables (``siamese/conv1/weights``...); the right tower is built under the same
    variable scope with ``reuse=True``, so every ``get_variable`` there returns the left
    tower's variable. Ops of the right tower live in their own name scope (``siamese_1/``).

    Args:
      left: the left inputs (a batch).
      right: the right inputs, shaped like ``left``.
      tower: ``tower(inputs, **tower_kwargs) -> embeddings``; it must create its variables
        with ``tf.get_variable`` (every slim layer does).
      scope: the variable scope name (or a ``VariableScope``).
      reuse: ``True`` to reuse variables created by an earlier call (e.g. an evaluation
        graph next to the training graph).
      **tower_kwargs: passed to ``tower`` on both sides.

    Returns:
      ``(left_embeddings, right_embeddings)``.
    """
    with _vs.variable_scope(scope, "siamese", [left, right], reuse=reuse) as sc:
        left_out = tower(left, **tower_kwargs)
    with _vs.variable_scope(sc, reuse=True):
        right_out = tower(right, **tower_kwargs)
    return left_out, right_out


def contrastive_loss(left, right, label, margin=1.0, scope=None,
                     loss_collection=GraphKeys.LOSSES):
    """The contrastive loss of Hadsell, Chopra and LeCun (2006), with label 1 = similar.

    With ``d`` the Euclidean distance between a pair's embeddings::

        loss = mean(label * d**2 + (1 - label) * max(margin - d, 0)**2)

    Similar pairs (``label == 1``) are pulled together; dissimilar pairs (``label == 0``)
    are pushed apart until they are ``margin`` away, and cost nothing beyond it. This is the
    convention of ``tf.contrib.losses.metric_learning.contrastive_loss`` (Hadsell et al.
    write ``Y = 0`` for similar pairs and halve both terms). The distance is computed with
    its square clamped away from zero, so identical embeddings give a zero gradient instead
    of NaN.

    Args:
      left: ``[batch, dim]`` embeddings of the left inputs.
      right: ``[batch, dim]`` embeddings of the right inputs.
      label: ``[batch]`` 1 for a similar pair, 0 for a dissimilar one (any numeric dtype).
      margin: how far apart dissimilar pairs must be before they stop costing.
      scope: the name scope (default "contrastive_loss").
      loss_collection: the collection the loss is added to (``tf.GraphKeys.LOSSES``, so
        ``slim.losses.get_total_loss()`` includes it); None adds it nowhere.

    Returns:
      The scalar loss.

    Raises:
      ValueError: the embeddings' shapes differ or are not ``[batch, dim]``.
    """
    with name_scope(scope, "contrastive_loss", [left, right, label]) as sc:
        left = convert_to_tensor(left, name="left")
        right = convert_to_tensor(right, name="right", dtype=left.dtype.base_dtype)
        if not left.shape.is_compatible_with(right.shape) or left.shape.ndims not in (None, 2):
            raise ValueError("contrastive_loss: the embeddings must both be [batch, dim], got "
                             "%s with shape %s and %s with shape %s"
                             % (left.name, left.shape, right.name, right.shape))
        dtype = left.dtype.base_dtype
        label = math_ops.cast(convert_to_tensor(label, name="label"), dtype)
        squared = math_ops.reduce_sum(math_ops.square(left - right), 1)
        distance = math_ops.sqrt(math_ops.maximum(squared, 1e-12))
        gap = nn_ops.relu(margin - distance)
        per_pair = label * squared + (1.0 - label) * math_ops.square(gap)
        loss = math_ops.reduce_mean(per_pair, name=sc)
        if loss_collection is not None:
            _losses.add_loss(loss, loss_collection)
        return loss


# --------------------------------------------------------------------------- pairs

def _class_indices(labels):
    labels = np.asarray(labels)
    if labels.ndim == 2:  # one-hot
        labels = labels.argmax(axis=1)
    if labels.ndim != 1:
        raise ValueError("make_pairs: labels must be [N] class ids or [N, classes] one-hot, "
                         "got shape %s" % (labels.shape,))
    classes, ids = np.unique(labels, return_inverse=True)
    return classes, ids.reshape(-1)


def make_pairs(images, labels, num_pairs, seed=None):
    """Draws a balanced, seeded set of image pairs: half similar, half dissimilar.

    Similar pairs join an image with a *different* image of the same class; dissimilar pairs
    join it with an image of another class, chosen uniformly among the other classes. The
    pairs come out shuffled. The same ``seed`` gives the same pairs.

    Args:
      images: ``[N, ...]`` array (e.g. ``mnist.train.images`` reshaped to 28x28x1).
      labels: ``[N]`` class ids, or ``[N, classes]`` one-hot rows.
      num_pairs: how many pairs to draw (``num_pairs // 2`` similar ones).
      seed: seed of the numpy random generator.

    Returns:
      ``(left, right, same)``: two ``[num_pairs, ...]`` arrays of images and ``[num_pairs]``
      float32 labels, 1.0 for a similar pair and 0.0 for a dissimilar one.

    Raises:
      ValueError: fewer than two classes, a class with a single image, or a length
        mismatch.
    """
    images = np.asarray(images)
    classes, ids = _class_indices(labels)
    if len(ids) != len(images):
        raise ValueError("make_pairs: %d images but %d labels" % (len(images), len(ids)))
    k = len(classes)
    counts = np.bincount(ids, minlength=k)
    if k < 2 or counts.min() < 2:
        raise ValueError("make_pairs needs at least two classes with two images each, got "
                         "class sizes %s" % dict(zip(classes.tolist(), counts.tolist())))
    rng = np.random.RandomState(seed)
    order = np.argsort(ids, kind="stable")
    starts = np.cumsum(counts) - counts
    position = np.empty(len(ids), dtype=np.int64)
    position[order] = np.arange(len(ids)) - np.repeat(starts, counts)

    n_same = num_pairs // 2
    n_diff = num_pairs - n_same
    a = rng.randint(len(ids), size=n_same)
    c = ids[a]
    offset = 1 + (rng.random_sample(n_same) * (counts[c] - 1)).astype(np.int64)
    b = order[starts[c] + (position[a] + offset) % counts[c]]

    a2 = rng.randint(len(ids), size=n_diff)
    c2 = (ids[a2] + rng.randint(1, k, size=n_diff)) % k
    b2 = order[starts[c2] + (rng.random_sample(n_diff) * counts[c2]).astype(np.int64)]

    left = np.concatenate([a, a2])
    right = np.concatenate([b, b2])
    same = np.concatenate([np.ones(n_same, np.float32), np.zeros(n_diff, np.float32)])
    perm = rng.permutation(num_pairs)
    return images[left[perm]], images[right[perm]], same[perm]


# --------------------------------------------------------------------------- evaluation

def compute_embeddings(sess, embeddings, inputs, images, batch_size=1000, feed_dict=None):
    """Runs ``embeddings`` over ``images`` in batches.

    Args:
      sess: the Session.
      embeddings: the embedding Tensor (e.g. the left output of :func:`siamese_net`).
      inputs: the placeholder it is computed from.
      images: the images to embed, ``[N, ...]``.
      batch_size: images per ``Session.run``.
      feed_dict: extra feeds for every run.

    Returns:
      A numpy array ``[N, dim]``.
    """
    out = []
    for start in range(0, len(images), batch_size):
        feed = dict(feed_dict or {})
        feed[inputs] = images[start:start + batch_size]
        out.append(sess.run(embeddings, feed))
    if not out:
        return np.zeros((0,) + tuple(embeddings.shape.as_list()[1:]), np.float32)
    return np.concatenate(out)


def pair_distances(left_embeddings, right_embeddings):
    """Euclidean distances between matching rows of two ``[N, dim]`` arrays."""
    diff = np.asarray(left_embeddings, np.float64) - np.asarray(right_embeddings, np.float64)
    return np.sqrt((diff * diff).sum(axis=1))


def pair_accuracy(distances, same, threshold):
    """The fraction of pairs classified right by "similar iff distance < threshold".

    Args:
      distances: ``[N]`` pair distances.
      same: ``[N]`` 1 for similar pairs, 0 for dissimilar ones.
      threshold: the decision threshold.

    Returns:
      A float in [0, 1] (0.0 for no pairs).
    """
    distances = np.asarray(distances)
    if distances.size == 0:
        return 0.0
    predicted = distances < threshold
    return float(np.mean(predicted == (np.asarray(same) > 0.5)))


def best_threshold(distances, same):
    """The threshold that maximises :func:`pair_accuracy` (search it on validation pairs).

    Every cut between two consecutive sorted distances is tried at once with cumulative
    counts; the threshold returned is the midpoint of the best cut.

    Args:
      distances: ``[N]`` pair distances.
      same: ``[N]`` 1 for similar pairs, 0 for dissimilar ones.

    Returns:
      ``(threshold, accuracy)``.

    Raises:
      ValueError: no pairs.
    """
    distances = np.asarray(distances, np.float64).reshape(-1)
    same = np.asarray(same).reshape(-1) > 0.5
    if distances.size == 0:
        raise ValueError("best_threshold needs at least one pair")
    order = np.argsort(distances, kind="stable")
    d = distances[order]
    s = same[order]
    # Cutting after the first i sorted pairs calls those i similar and the rest dissimilar.
    similar_below = np.concatenate([[0], np.cumsum(s)])
    dissimilar_above = (~s).sum() - np.concatenate([[0], np.cumsum(~s)])
    correct = similar_below + dissimilar_above
    # Only cut between distinct distances (or at the ends).
    valid = np.ones(len(d) + 1, bool)
    valid[1:-1] = d[1:] > d[:-1]
    correct = np.where(valid, correct, -1)
    i = int(np.argmax(correct))
    if i == 0:
        threshold = d[0] - 1e-6
    elif i == len(d):
        threshold = d[-1] + 1e-6
    else:
        threshold = 0.5 * (d[i - 1] + d[i])
    return float(threshold), float(correct[i]) / len(d)


def class_centroids(embeddings, labels):
    """The mean embedding of each class.

    Args:
      embeddings: ``[N, dim]``.
      labels: ``[N]`` class ids or ``[N, classes]`` one-hot.

    Returns:
      ``(classes, centroids)``: the sorted class ids and ``[len(classes), dim]`` means.
    """
    embeddings = np.asarray(embeddings, np.float64)
    classes, ids = _class_indices(labels)
    sums = np.zeros((len(classes), embeddings.shape[1]))
    np.add.at(sums, ids, embeddings)
    return classes, sums / np.bincount(ids, minlength=len(classes))[:, None]


def centroid_accuracy(train_embeddings, train_labels, test_embeddings, test_labels):
    """Classification through the embedding: each test image gets the class whose training
    centroid is nearest; returns the fraction classified right.

    Args:
      train_embeddings: ``[N, dim]`` embeddings the centroids are computed from.
      train_labels: their labels (ids or one-hot).
      test_embeddings: ``[M, dim]`` embeddings to classify.
      test_labels: their labels.

    Returns:
      The accuracy, a float in [0, 1].
    """
    classes, centroids = class_centroids(train_embeddings, train_labels)
    test = np.asarray(test_embeddings, np.float64)
    d2 = ((test[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2)
    predicted = classes[d2.argmin(axis=1)]
    truth = np.asarray(test_labels)
    if truth.ndim == 2:
        truth = truth.argmax(axis=1)
    return float(np.mean(predicted == truth)) if len(truth) else 0.0
