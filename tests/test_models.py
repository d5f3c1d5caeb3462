"""tensorslim.models: LeNet (TF-slim's names), LeNet-5, the Siamese net and its helpers, the
registry, and (slow, with MNIST_DIR) LeNet trained to > 95% test accuracy."""
import numpy as np
import pytest

import tensorslim as tf
import tensorslim.contrib.slim as slim
from tensorslim import models
from tensorslim.models import siamese
from gradcheck import check_gradients

# TF-slim's nets/lenet.py variables, in creation order, with their shapes.
LENET_VARIABLES = [
    ("LeNet/conv1/weights", [5, 5, 1, 32]), ("LeNet/conv1/biases", [32]),
    ("LeNet/conv2/weights", [5, 5, 32, 64]), ("LeNet/conv2/biases", [64]),
    ("LeNet/fc3/weights", [3136, 1024]), ("LeNet/fc3/biases", [1024]),
    ("LeNet/fc4/weights", [1024, 10]), ("LeNet/fc4/biases", [10]),
]


def _lenet(images, **kwargs):
    with slim.arg_scope(models.lenet_arg_scope()):
        return models.lenet(images, **kwargs)


# --------------------------------------------------------------------------- LeNet

def test_lenet_variables_and_end_points_are_tf_slims():
    images = tf.placeholder(tf.float32, [None, 28, 28, 1])
    logits, end_points = _lenet(images)
    assert [(v.op.name, v.shape.as_list()) for v in tf.global_variables()] == LENET_VARIABLES
    assert [v.op.name for v in slim.get_model_variables()] == [n for n, _ in LENET_VARIABLES]
    assert sorted(end_points) == sorted(["conv1", "pool1", "conv2", "pool2", "Flatten", "fc3",
                                         "dropout3", "Logits", "Predictions"])
    assert logits.shape.as_list() == [None, 10]
    assert logits.op.name == "LeNet/fc4/BiasAdd"
    assert end_points["Predictions"].op.name == "Predictions/Reshape_1"
    assert end_points["pool2"].shape.as_list() == [None, 7, 7, 64]
    assert end_points["Flatten"].shape.as_list() == [None, 3136]
    assert models.lenet.default_image_size == 28


def test_lenet_without_classes_returns_fc3_features():
    images = tf.placeholder(tf.float32, [4, 28, 28, 1])
    net, end_points = _lenet(images, num_classes=0)
    assert net.shape.as_list() == [4, 1024]
    assert "Logits" not in end_points and "Predictions" not in end_points
    assert [v.op.name for v in tf.trainable_variables()][-1] == "LeNet/fc3/biases"


def test_lenet_arg_scope_weight_decay_and_initializer():
    images = tf.placeholder(tf.float32, [None, 28, 28, 1])
    _lenet(images)
    assert tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES) == []
    tf.reset_default_graph()
    images = tf.placeholder(tf.float32, [None, 28, 28, 1])
    with slim.arg_scope(models.lenet_arg_scope(weight_decay=0.01)):
        models.lenet(images)
    assert len(tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)) == 4
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        w = sess.run(tf.global_variables()[4])            # fc3/weights
    assert np.abs(w).max() <= 0.2 + 1e-6                  # truncated at 2 stddevs of 0.1
    assert 0.08 < w.std() < 0.1


def test_lenet_forward_and_dropout(device_mode):
    images = tf.placeholder(tf.float32, [None, 28, 28, 1])
    is_training = tf.placeholder_with_default(False, [])
    tf.set_random_seed(1)
    logits, end_points = _lenet(images, is_training=is_training)
    x = np.random.RandomState(0).rand(3, 28, 28, 1).astype(np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        a, probs = sess.run([logits, end_points["Predictions"]], {images: x})
        b = sess.run(logits, {images: x})
        c = sess.run(logits, {images: x, is_training: True})
    assert a.shape == (3, 10) and a.dtype == np.float32
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(a, b)                   # inference is deterministic
    assert not np.allclose(a, c)                          # dropout changes training outputs


def test_lenet5_architecture():
    images = tf.placeholder(tf.float32, [None, 32, 32, 1])
    with slim.arg_scope(models.lenet_arg_scope()):
        logits, end_points = models.lenet5(images)
    assert [(v.op.name, v.shape.as_list()) for v in tf.trainable_variables()] == [
        ("LeNet5/conv1/weights", [5, 5, 1, 6]), ("LeNet5/conv1/biases", [6]),
        ("LeNet5/conv2/weights", [5, 5, 6, 16]), ("LeNet5/conv2/biases", [16]),
        ("LeNet5/fc3/weights", [400, 120]), ("LeNet5/fc3/biases", [120]),
        ("LeNet5/fc4/weights", [120, 84]), ("LeNet5/fc4/biases", [84]),
        ("LeNet5/fc5/weights", [84, 10]), ("LeNet5/fc5/biases", [10])]
    assert end_points["conv1"].shape.as_list() == [None, 28, 28, 6]
    assert end_points["pool2"].shape.as_list() == [None, 5, 5, 16]
    assert logits.shape.as_list() == [None, 10]
    assert models.lenet5.default_image_size == 32
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        out = sess.run(logits, {images: np.zeros((2, 32, 32, 1), np.float32)})
    assert out.shape == (2, 10)


def test_lenet_rejects_wrong_input_rank():
    with pytest.raises(ValueError, match="rank 4, got 2"):
        _lenet(tf.placeholder(tf.float32, [None, 784]))


# --------------------------------------------------------------------------- other nets

def test_alexnet_and_vgg_variable_names_and_shapes():
    images = tf.placeholder(tf.float32, [1, 224, 224, 3])
    with slim.arg_scope(models.alexnet_v2_arg_scope()):
        logits, end_points = models.alexnet_v2(images, num_classes=7)
    assert logits.shape.as_list() == [1, 7] and logits.op.name == "alexnet_v2/fc8/squeezed"
    names = [v.op.name for v in tf.trainable_variables()]
    assert names[0] == "alexnet_v2/conv1/weights" and names[-1] == "alexnet_v2/fc8/biases"
    assert tf.trainable_variables()[10].shape.as_list() == [5, 5, 256, 4096]   # fc6
    assert "alexnet_v2/pool5" in end_points and "alexnet_v2/fc8" in end_points
    tf.reset_default_graph()
    images = tf.placeholder(tf.float32, [1, 224, 224, 3])
    with slim.arg_scope(models.vgg_arg_scope()):
        logits, end_points = models.vgg_16(images, num_classes=5)
    names = [v.op.name for v in tf.trainable_variables()]
    assert len(names) == 32
    assert names[:2] == ["vgg_16/conv1/conv1_1/weights", "vgg_16/conv1/conv1_1/biases"]
    assert "vgg_16/conv5/conv5_3/weights" in names
    assert tf.trainable_variables()[26].shape.as_list() == [7, 7, 512, 4096]   # fc6
    assert logits.shape.as_list() == [1, 5]
    assert list(end_points)[0] == "vgg_16/conv1/conv1_1"


def test_contrib_slim_nets_aliases():
    from tensorslim.contrib.slim import nets
    from tensorslim.contrib.slim.nets import lenet as nets_lenet
    assert nets_lenet.lenet is models.lenet
    assert nets.vgg.vgg_19 is models.vgg_19 and nets.alexnet.alexnet_v2 is models.alexnet_v2


# --------------------------------------------------------------------------- registry

def test_registry():
    assert models.get("lenet") is models.lenet
    assert models.get("siamese") is models.siamese_net
    assert models.names()[:3] == ["lenet", "lenet5", "siamese"]
    spec = models.get_spec("lenet5")
    assert spec.kind == "classifier" and spec.image_size == 32
    with pytest.raises(ValueError, match="Unknown model 'resnet'; known models: lenet, "):
        models.get("resnet")
    network_fn = models.get_network_fn("lenet", num_classes=3, weight_decay=0.001)
    logits, _ = network_fn(tf.placeholder(tf.float32, [None, 28, 28, 1]))
    assert logits.shape.as_list() == [None, 3]
    assert network_fn.default_image_size == 28
    assert len(tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)) == 4
    with pytest.raises(ValueError, match="not a classifier"):
        models.get_network_fn("siamese")
    models.register("tiny", lambda images, num_classes, is_training=False: (images, {}),
                    image_size=5)
    try:
        assert models.get_spec("tiny").image_size == 5
    finally:
        models._REGISTRY.pop("tiny")


# --------------------------------------------------------------------------- siamese

def _small_tower(images, width=3):
    net = slim.conv2d(images, 2, [3, 3], scope="conv")
    return slim.fully_connected(slim.flatten(net), width, activation_fn=None, scope="fc")


def test_siamese_shares_one_set_of_variables():
    left = tf.placeholder(tf.float32, [None, 28, 28, 1])
    right = tf.placeholder(tf.float32, [None, 28, 28, 1])
    emb_left, emb_right = models.siamese_net(left, right)
    names = [v.op.name for v in tf.trainable_variables()]
    assert names == ["siamese/conv1/weights", "siamese/conv1/biases", "siamese/conv2/weights",
                     "siamese/conv2/biases", "siamese/fc3/weights", "siamese/fc3/biases",
                     "siamese/embedding/weights", "siamese/embedding/biases"]
    assert emb_left.op.name.startswith("siamese/")
    assert emb_right.op.name.startswith("siamese_1/")
    assert emb_left.shape.as_list() == [None, siamese.DEFAULT_EMBEDDING_SIZE]
    x = np.random.RandomState(0).rand(4, 28, 28, 1).astype(np.float32)
    y = np.random.RandomState(1).rand(4, 28, 28, 1).astype(np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        a, b = sess.run([emb_left, emb_right], {left: x, right: x})
        c = sess.run(emb_right, {right: y})
    np.testing.assert_array_equal(a, b)          # identical inputs, identical outputs
    assert not np.allclose(a, c)
    # Calling again with reuse=True adds no variables.
    models.siamese_net(left, right, reuse=True)
    assert len(tf.trainable_variables()) == 8


def test_siamese_gradients_from_both_sides_accumulate():
    left = tf.placeholder(tf.float64, [2, 6, 6, 1])
    right = tf.placeholder(tf.float64, [2, 6, 6, 1])
    emb_left, emb_right = models.siamese_net(left, right, tower=_small_tower, width=4)
    variables = tf.trainable_variables()
    assert len(variables) == 4
    rng = np.random.RandomState(0)
    c_left, c_right = rng.rand(2, 4), rng.rand(2, 4)
    f_left = tf.reduce_sum(emb_left * c_left)
    f_right = tf.reduce_sum(emb_right * c_right)
    both = tf.gradients(f_left + f_right, variables)
    only_left = tf.gradients(f_left, variables)
    only_right = tf.gradients(f_right, variables)
    feed = {left: rng.rand(2, 6, 6, 1), right: rng.rand(2, 6, 6, 1)}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        g_both, g_left, g_right = sess.run([both, only_left, only_right], feed)
    for gb, gl, gr in zip(g_both, g_left, g_right):
        assert np.abs(gl).sum() > 0 and np.abs(gr).sum() > 0
        np.testing.assert_allclose(gb, gl + gr, rtol=1e-10, atol=1e-12)


def test_contrastive_loss_value_and_collection():
    a = np.array([[0., 0.], [1., 1.], [0., 0.], [3., 4.]], np.float32)
    b = np.array([[0., 1.], [1., 1.], [0.3, 0.4], [0., 0.]], np.float32)
    same = np.array([1, 1, 0, 0], np.float32)
    loss = models.contrastive_loss(a, b, same, margin=1.0)
    assert loss.op.name == "contrastive_loss"
    assert tf.get_collection(tf.GraphKeys.LOSSES) == [loss]
    d = np.sqrt(((a - b) ** 2).sum(1))
    expected = np.mean(same * d ** 2 + (1 - same) * np.maximum(1.0 - d, 0) ** 2)
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(loss), expected, rtol=1e-6)
    with pytest.raises(ValueError, match="contrastive_loss: the embeddings must both be"):
        models.contrastive_loss(tf.zeros([2, 3]), tf.zeros([2, 4]), [1, 0])


@pytest.mark.parametrize("margin", [0.5, 2.0])
@pytest.mark.parametrize("dim", [1, 3])
def test_contrastive_loss_gradients(margin, dim):
    rng = np.random.RandomState(dim)
    a, b = rng.randn(4, dim), rng.randn(4, dim)
    same = np.array([1., 0., 1., 0.])
    check_gradients(lambda x, y: models.contrastive_loss(x, y, same, margin=margin,
                                                         loss_collection=None), [a, b])


def test_contrastive_loss_identical_embeddings_have_finite_gradients():
    x = tf.placeholder(tf.float32, [2, 3])
    loss = models.contrastive_loss(x, x * 1.0, [1., 0.])
    grad, = tf.gradients(loss, [x])
    with tf.Session() as sess:
        value, g = sess.run([loss, grad], {x: np.ones((2, 3), np.float32)})
    assert np.isfinite(g).all()
    np.testing.assert_allclose(value, 0.5, rtol=1e-5)   # the dissimilar pair: margin**2 / 2


def test_make_pairs_is_balanced_seeded_and_correct():
    rng = np.random.RandomState(0)
    labels = rng.randint(0, 10, size=300)
    images = np.arange(300)
    left, right, same = siamese.make_pairs(images, labels, 101, seed=3)
    assert left.shape == right.shape == same.shape == (101,)
    assert same.dtype == np.float32 and same.sum() == 50
    assert (labels[left][same == 1] == labels[right][same == 1]).all()
    assert (left[same == 1] != right[same == 1]).all()
    assert (labels[left][same == 0] != labels[right][same == 0]).all()
    again = siamese.make_pairs(images, labels, 101, seed=3)
    for x, y in zip((left, right, same), again):
        np.testing.assert_array_equal(x, y)
    other = siamese.make_pairs(images, labels, 101, seed=4)
    assert not np.array_equal(left, other[0])
    onehot = np.eye(10)[labels]
    np.testing.assert_array_equal(siamese.make_pairs(images, onehot, 101, seed=3)[0], left)
    # Dissimilar partners are spread over the other classes.
    _, r, s = siamese.make_pairs(images, labels, 4000, seed=0)
    assert len(np.unique(labels[r][s == 0])) == 10


def test_make_pairs_errors():
    with pytest.raises(ValueError, match="at least two classes with two images each"):
        siamese.make_pairs(np.zeros(3), [0, 0, 1], 4)
    with pytest.raises(ValueError, match="3 images but 2 labels"):
        siamese.make_pairs(np.zeros(3), [0, 1], 4)


def test_threshold_search_and_accuracies():
    distances = np.array([0.1, 0.2, 0.3, 0.9, 1.0, 0.25])
    same = np.array([1, 1, 0, 0, 0, 1])
    threshold, acc = siamese.best_threshold(distances, same)
    assert 0.25 < threshold < 0.3 and acc == 1.0
    assert siamese.pair_accuracy(distances, same, threshold) == 1.0
    assert siamese.pair_accuracy(distances, same, 0.15) == pytest.approx(4 / 6)
    # Ties at one distance are never split.
    threshold, acc = siamese.best_threshold([0.5, 0.5, 0.5, 0.5], [1, 0, 1, 0])
    assert acc == 0.5
    with pytest.raises(ValueError, match="at least one pair"):
        siamese.best_threshold([], [])
    emb = np.array([[0., 0.], [0.2, 0.], [5., 5.], [5.2, 5.]])
    assert siamese.centroid_accuracy(emb, [3, 3, 7, 7], [[0.1, 0.1], [4.9, 5.]], [3, 7]) == 1.0
    assert siamese.centroid_accuracy(emb, [3, 3, 7, 7], [[0.1, 0.1]], [7]) == 0.0
    np.testing.assert_allclose(siamese.pair_distances([[0., 0.]], [[3., 4.]]), [5.0])


def test_compute_embeddings_in_batches():
    x = tf.placeholder(tf.float32, [None, 3])
    emb = x * 2.0
    data = np.arange(21, dtype=np.float32).reshape(7, 3)
    with tf.Session() as sess:
        out = siamese.compute_embeddings(sess, emb, x, data, batch_size=3)
    np.testing.assert_array_equal(out, data * 2)


# --------------------------------------------------------------------------- training

@pytest.mark.slow
def test_lenet_trains_to_95_percent_on_mnist(mnist_dir):
    from tensorslim.data import mnist
    data = mnist.read_data_sets(mnist_dir, reshape=False, seed=0, download=False)
    tf.set_random_seed(0)
    images = tf.placeholder(tf.float32, [None, 28, 28, 1])
    labels = tf.placeholder(tf.int64, [None])
    is_training = tf.placeholder_with_default(False, [])
    logits, _ = _lenet(images, is_training=is_training)
    loss = tf.losses.sparse_softmax_cross_entropy(labels=labels, logits=logits)
    train_op = slim.learning.create_train_op(loss, tf.train.AdamOptimizer(1e-3),
                                             gate_gradients=0)
    correct = tf.reduce_sum(tf.cast(tf.equal(tf.argmax(logits, 1), labels), tf.int32))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(250):
            x, y = data.train.next_batch(64)
            sess.run(train_op, {images: x, labels: y, is_training: True})
        x, y = data.test.images[:2000], data.test.labels[:2000].astype(np.int64)
        right = sum(sess.run(correct, {images: x[i:i + 250], labels: y[i:i + 250]})
                    for i in range(0, 2000, 250))
    assert right / 2000.0 > 0.95
