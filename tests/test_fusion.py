"""Kernel fusion at plan compile time (core/fusion.py): same values, same errors, only when
the inner tensors are used by nothing else."""
import numpy as np
import pytest

import tensorslim as tf
from tensorslim.core import errors, fusion


def _session(fuse):
    if fuse:
        return tf.Session()
    level = tf.OptimizerOptions(opt_level=tf.OptimizerOptions.L0)
    return tf.Session(config=tf.ConfigProto(graph_options=tf.GraphOptions(
        optimizer_options=level)))


def _run_both(fetches, feed=None):
    """Runs ``fetches`` with fusion on and off; returns both results (lists of arrays)."""
    out = []
    for fuse in (True, False):
        with _session(fuse) as sess:
            sess.run(tf.global_variables_initializer())
            out.append(sess.run(fetches, feed))
    return out


def _assert_same(a, b, zero_signs=True):
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)   # NaNs in the same places count as equal
        assert x.dtype == y.dtype
        if zero_signs:   # bitwise, signs of zeros included
            assert np.array_equal(np.signbit(x), np.signbit(y))


def _fused_groups(fetches, feed_tensors=()):
    """The fusion groups a plan for ``fetches`` would use."""
    graph = tf.get_default_graph()
    fetches = list(fetches)
    needed, seen, stack = [], set(), [t.op for t in fetches]
    while stack:
        op = stack.pop()
        if op in seen or any(op is t.op for t in feed_tensors):
            continue
        seen.add(op)
        stack.extend(t.op for t in op.inputs)
    order = {op: i for i, op in enumerate(graph.get_operations())}
    needed = sorted(seen, key=order.get)
    devices = {op: None for op in needed}
    units = fusion.plan_units(needed, set(feed_tensors), set(fetches), devices)
    return [u for u in units if isinstance(u, fusion.Group)]


def _conv_net(x_value, data_format="NHWC", padding="SAME", strides=(1, 1), relu=True,
              cin=3, cout=5, seed=0):
    rng = np.random.default_rng(seed)
    w = tf.constant(rng.standard_normal((3, 3, cin, cout)).astype(np.float32))
    b = tf.constant(rng.standard_normal(cout).astype(np.float32))
    x = tf.constant(x_value)
    s = [1, 1] + list(strides) if data_format == "NCHW" else [1] + list(strides) + [1]
    y = tf.nn.bias_add(tf.nn.conv2d(x, w, s, padding, data_format=data_format), b,
                       data_format=data_format)
    return tf.nn.relu(y) if relu else y


@pytest.mark.parametrize("data_format", ["NHWC", "NCHW"])
@pytest.mark.parametrize("padding", ["SAME", "VALID"])
@pytest.mark.parametrize("strides", [(1, 1), (2, 1)])
@pytest.mark.parametrize("relu", [True, False])
def test_conv_bias_relu_matches_unfused(device_mode, data_format, padding, strides, relu):
    rng = np.random.default_rng(1)
    shape = (2, 3, 9, 7) if data_format == "NCHW" else (2, 9, 7, 3)
    x = rng.standard_normal(shape).astype(np.float32)
    x.flat[5] = np.nan
    x.flat[17] = np.inf
    y = _conv_net(x, data_format, padding, strides, relu)
    groups = _fused_groups([y])
    assert [[op.type for op in g.ops] for g in groups] == \
        [["Conv2D", "BiasAdd"] + (["Relu"] if relu else [])]
    fused, unfused = _run_both([y])
    _assert_same(fused, unfused)


def test_conv_with_one_input_channel_and_many_images():
    # The first layer of LeNet: one channel (the CNHW layout) and blocks of images.
    rng = np.random.default_rng(2)
    x = rng.standard_normal((70, 28, 28, 1)).astype(np.float32)
    y = _conv_net(x, cin=1, cout=32)
    fused, unfused = _run_both([y])
    _assert_same(fused, unfused)


def test_fetching_an_inner_tensor_stops_fusion():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 6, 6, 3)).astype(np.float32)
    y = _conv_net(x)
    pre = y.op.inputs[0]                       # the BiasAdd output
    # Conv2D -> BiasAdd still fuses; the Relu does not join (its input is fetched).
    assert [[op.type for op in g.ops] for g in _fused_groups([y, pre])] == \
        [["Conv2D", "BiasAdd"]]
    fused, unfused = _run_both([y, pre])
    _assert_same(fused, unfused)


def test_a_second_consumer_stops_fusion():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 6, 6, 3)).astype(np.float32)
    y = _conv_net(x)
    conv = y.op.inputs[0].op.inputs[0]
    other = conv * 2.0
    assert _fused_groups([y, other]) == []
    fused, unfused = _run_both([y, other])
    _assert_same(fused, unfused)


def test_a_control_edge_from_an_inner_op_stops_fusion():
    x = np.ones((1, 4, 4, 3), np.float32)
    y = _conv_net(x)
    conv_op = y.op.inputs[0].op.inputs[0].op
    with tf.control_dependencies([conv_op]):
        after = tf.identity(tf.constant(1.0))
    assert _fused_groups([y, after]) == []


def test_errors_name_the_op_that_failed():
    # A bias of the wrong size, known only when fed: the BiasAdd op must be named, as
    # without fusion, not the Conv2D or the fused step.
    x = tf.constant(np.ones((1, 4, 4, 3), np.float32))
    w = tf.constant(np.ones((3, 3, 3, 5), np.float32))
    b = tf.placeholder(tf.float32, [None], name="bias")
    y = tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME"), b,
                                  name="my_bias_add"))
    assert len(_fused_groups([y], [b])) == 1
    messages = []
    for fuse in (True, False):
        with _session(fuse) as sess:
            with pytest.raises(errors.InvalidArgumentError) as info:
                sess.run(y, {b: np.ones(4, np.float32)})
            assert info.value.op.name == "my_bias_add"
            messages.append(str(info.value))
    assert messages[0] == messages[1]


@pytest.mark.parametrize("data_format", ["NHWC", "NCHW"])
@pytest.mark.parametrize("ksize, strides, padding", [
    ((2, 2), (2, 2), "SAME"), ((2, 2), (2, 2), "VALID"), ((3, 3), (2, 2), "SAME")])
@pytest.mark.parametrize("batch", [3, 70, 0])
def test_conv_bias_relu_max_pool_matches_unfused(device_mode, data_format, ksize, strides,
                                                 padding, batch):
    rng = np.random.default_rng(9)
    shape = (batch, 3, 9, 7) if data_format == "NCHW" else (batch, 9, 7, 3)
    x = rng.standard_normal(shape).astype(np.float32)
    if batch:
        x.flat[4] = np.nan
    r = _conv_net(x, data_format)
    k = [1, 1] + list(ksize) if data_format == "NCHW" else [1] + list(ksize) + [1]
    s = [1, 1] + list(strides) if data_format == "NCHW" else [1] + list(strides) + [1]
    pooled = tf.nn.max_pool(r, k, s, padding, data_format=data_format)
    assert [[op.type for op in g.ops] for g in _fused_groups([pooled])] == \
        [["Conv2D", "BiasAdd", "Relu", "MaxPool"]]
    # The ReLU's output comes out of the step too: fetch it, and use it before the pool.
    before = tf.reduce_sum(r)
    fused, unfused = _run_both([before, pooled, r])  # the sum comes first in the plan
    _assert_same(fused, unfused)


def test_a_max_pool_with_a_control_input_is_not_moved():
    x = np.ones((1, 4, 4, 3), np.float32)
    r = _conv_net(x)
    with tf.control_dependencies([tf.no_op()]):
        pooled = tf.nn.max_pool(r, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
    assert [[op.type for op in g.ops] for g in _fused_groups([pooled])] == \
        [["Conv2D", "BiasAdd", "Relu"]]


def _pool_net(x_value, ksize, strides, padding, data_format="NHWC"):
    x = tf.Variable(x_value)
    r = tf.nn.relu(x)
    pooled = tf.nn.max_pool(r, ksize, strides, padding, data_format=data_format)
    loss = tf.reduce_sum(pooled * tf.constant(
        np.random.default_rng(5).standard_normal(pooled.shape.as_list()).astype(np.float32)))
    return x, tf.gradients(loss, x)[0]


@pytest.mark.parametrize("ksize, strides, padding", [
    ((2, 2), (2, 2), "SAME"), ((2, 2), (2, 2), "VALID"), ((3, 3), (2, 2), "SAME"),
    ((3, 3), (1, 1), "VALID")])
@pytest.mark.parametrize("data_format", ["NHWC", "NCHW"])
def test_max_pool_grad_relu_grad_matches_unfused(device_mode, ksize, strides, padding,
                                                 data_format):
    rng = np.random.default_rng(6)
    shape = (2, 3, 7, 8) if data_format == "NCHW" else (2, 7, 8, 3)
    # Integers: many ties, many zeros after the ReLU, whole windows of negatives.
    x = rng.integers(-3, 3, shape).astype(np.float32)
    k = [1, 1] + list(ksize) if data_format == "NCHW" else [1] + list(ksize) + [1]
    s = [1, 1] + list(strides) if data_format == "NCHW" else [1] + list(strides) + [1]
    _, grad = _pool_net(x, k, s, padding, data_format)
    groups = _fused_groups([grad])
    assert ["MaxPoolGrad", "ReluGrad"] in [[op.type for op in g.ops] for g in groups]
    fused, unfused = _run_both([grad])
    # Masking before routing can turn the sign of a zero gradient (-0.0 vs 0.0).
    _assert_same(fused, unfused, zero_signs=False)


def test_max_pool_grad_relu_grad_with_nan_windows():
    rng = np.random.default_rng(7)
    x = rng.standard_normal((1, 4, 4, 2)).astype(np.float32)
    x[0, 0, 0, 0] = np.nan          # a NaN maximum: routed to a window element that is not it
    x[0, 2:4, 2:4, 1] = -1.0        # a window with maximum 0 after the ReLU
    _, grad = _pool_net(x, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
    fused, unfused = _run_both([grad])
    _assert_same(fused, unfused, zero_signs=False)


def test_max_pool_of_a_non_relu_is_not_fused():
    x = tf.Variable(np.ones((1, 4, 4, 1), np.float32))
    pooled = tf.nn.max_pool(tf.nn.relu6(x), [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
    grad = tf.gradients(tf.reduce_sum(pooled), x)[0]
    assert _fused_groups([grad]) == []


def test_lenet_step_matches_unfused():
    # Both patterns in one training graph, with variables (reads through references).
    rng = np.random.default_rng(8)
    images = tf.constant(rng.standard_normal((4, 28, 28, 1)).astype(np.float32))
    labels = tf.constant(rng.integers(0, 10, 4).astype(np.int32))
    net = tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(
        images, tf.Variable(rng.standard_normal((5, 5, 1, 8)).astype(np.float32) * 0.1),
        [1, 1, 1, 1], "SAME"), tf.Variable(np.full(8, 0.1, np.float32))))
    net = tf.nn.max_pool(net, [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
    net = tf.reshape(net, [4, 14 * 14 * 8])
    logits = tf.matmul(net, tf.Variable(rng.standard_normal((14 * 14 * 8, 10))
                                        .astype(np.float32) * 0.01))
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=labels, logits=logits))
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    kinds = [[op.type for op in g.ops] for g in _fused_groups([loss] + [
        g for g in tf.gradients(loss, tf.trainable_variables())])]
    assert ["Conv2D", "BiasAdd", "Relu", "MaxPool"] in kinds
    assert ["MaxPoolGrad", "ReluGrad"] in kinds
    losses = []
    for fuse in (True, False):
        with _session(fuse) as sess:
            sess.run(tf.global_variables_initializer())
            losses.append([sess.run([loss, train])[0] for _ in range(3)])
    assert losses[0] == losses[1]


def test_the_debugger_sees_every_op():
    from tensorslim.debug import dumps
    x = np.ones((1, 4, 4, 3), np.float32)
    y = _conv_net(x)
    with tf.Session() as sess:
        _, dump = dumps.watched_run(sess, y)
    names = {d.node_name for d in dump.dumped_tensor_data}
    assert {"Conv2D", "BiasAdd", "Relu"} <= names
