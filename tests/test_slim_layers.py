"""The slim layers: variable and op names, shapes with an unknown batch size, collections,
reuse, numerics (on numpy and the strict device), errors, batch norm's moving statistics
and its diagnostic, and numerical gradients through the layers."""
import warnings

import numpy as np
import pytest

import tensorslim as tf
from tensorslim.contrib import slim
from tensorslim.layers import BatchNormStatisticsWarning
from tests.gradcheck import check_gradients


def _names(variables):
    return [v.op.name for v in variables]


def _conv_nhwc(x, w, stride=1, padding="SAME"):
    """Reference cross-correlation in numpy."""
    kh, kw = w.shape[:2]
    if padding == "SAME":
        oh, ow = -(-x.shape[1] // stride), -(-x.shape[2] // stride)
        ph = max((oh - 1) * stride + kh - x.shape[1], 0)
        pw = max((ow - 1) * stride + kw - x.shape[2], 0)
        x = np.pad(x, [(0, 0), (ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)])
    oh = (x.shape[1] - kh) // stride + 1
    ow = (x.shape[2] - kw) // stride + 1
    out = np.zeros((x.shape[0], oh, ow, w.shape[3]))
    for i in range(oh):
        for j in range(ow):
            patch = x[:, i * stride:i * stride + kh, j * stride:j * stride + kw, :]
            out[:, i, j, :] = np.tensordot(patch, w, axes=3)
    return out


# --------------------------------------------------------------------------- conv2d

def test_conv2d_variables_ops_and_collections():
    x = tf.placeholder(tf.float32, [None, 8, 8, 3])
    y = slim.conv2d(x, 4, [3, 3], scope="conv1",
                    weights_regularizer=slim.l2_regularizer(0.1),
                    outputs_collections="end_points")
    assert y.op.name == "conv1/Relu"
    assert y.op.inputs[0].op.name == "conv1/BiasAdd"
    assert y.op.inputs[0].op.inputs[0].op.name == "conv1/Conv2D"
    assert y.get_shape().as_list() == [None, 8, 8, 4]
    assert _names(tf.trainable_variables()) == ["conv1/weights", "conv1/biases"]
    assert _names(slim.get_model_variables()) == ["conv1/weights", "conv1/biases"]
    assert _names(tf.global_variables()) == ["conv1/weights", "conv1/biases"]
    reg = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    assert [r.op.name for r in reg] == ["conv1/weights/Regularizer/l2_regularizer"]
    end_points = slim.utils.convert_collection_to_dict("end_points")
    assert list(end_points) == ["conv1"] and end_points["conv1"] is y


def test_conv2d_default_scopes_are_uniquified():
    x = tf.zeros([1, 4, 4, 2])
    slim.conv2d(x, 1, 1)
    slim.conv2d(x, 1, 1)
    assert _names(tf.trainable_variables()) == ["Conv/weights", "Conv/biases",
                                                "Conv_1/weights", "Conv_1/biases"]


def test_conv2d_reuse_shares_variables():
    x = tf.placeholder(tf.float32, [None, 5, 5, 2])
    a = slim.conv2d(x, 3, [3, 3], scope="tower")
    b = slim.conv2d(x, 3, [3, 3], scope="tower", reuse=True)
    assert len(tf.global_variables()) == 2
    with tf.variable_scope("outer"):
        slim.conv2d(x, 3, [3, 3], scope="tower")
    with tf.variable_scope("outer", reuse=True):
        slim.conv2d(x, 3, [3, 3], scope="tower")
    assert _names(tf.global_variables())[2:] == ["outer/tower/weights", "outer/tower/biases"]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        av, bv = sess.run([a, b], {x: np.random.rand(2, 5, 5, 2)})
    np.testing.assert_array_equal(av, bv)
    with pytest.raises(ValueError, match="reuse=True cannot be used without a name_or_scope"):
        slim.conv2d(x, 3, [3, 3], reuse=True)
    with pytest.raises(ValueError, match="tower/weights already exists"):
        slim.conv2d(x, 3, [3, 3], scope="tower", reuse=False)


@pytest.mark.parametrize("stride,padding,rate", [(1, "SAME", 1), (2, "SAME", 1),
                                                 (1, "VALID", 1), (2, "VALID", 1),
                                                 (1, "SAME", 2)])
def test_conv2d_numerics(device_mode, stride, padding, rate):
    rng = np.random.RandomState(0)
    xv = rng.randn(2, 7, 7, 3).astype(np.float32)
    wv = rng.randn(3, 3, 3, 4).astype(np.float32)
    bv = rng.randn(4).astype(np.float32)
    x = tf.placeholder(tf.float32, [None, 7, 7, 3])
    y = slim.conv2d(x, 4, 3, stride=stride, padding=padding, rate=rate, activation_fn=None,
                    weights_initializer=tf.constant_initializer(wv),
                    biases_initializer=tf.constant_initializer(bv))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        out = sess.run(y, {x: xv})
    if rate == 2:  # a dilated 3x3 kernel is a 5x5 kernel with holes
        w5 = np.zeros((5, 5, 3, 4), np.float32)
        w5[::2, ::2] = wv
        ref = _conv_nhwc(xv, w5, stride, padding) + bv
    else:
        ref = _conv_nhwc(xv, wv, stride, padding) + bv
    assert y.get_shape().as_list() == [None] + list(ref.shape[1:])
    np.testing.assert_allclose(out, ref, rtol=1e-4, atol=1e-4)


def test_conv2d_nchw_matches_nhwc(device_mode):
    rng = np.random.RandomState(1)
    xv = rng.randn(2, 6, 6, 3).astype(np.float32)
    x = tf.constant(xv)
    init = tf.constant_initializer(rng.randn(3, 3, 3, 2).astype(np.float32))
    a = slim.conv2d(x, 2, 3, weights_initializer=init, stride=2, scope="nhwc")
    b = slim.conv2d(tf.transpose(x, [0, 3, 1, 2]), 2, 3, weights_initializer=init, stride=2,
                    data_format="NCHW", scope="nchw")
    assert b.get_shape().as_list() == [2, 2, 3, 3]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        av, bv = sess.run([a, b])
    np.testing.assert_allclose(av, bv.transpose(0, 2, 3, 1), rtol=1e-5, atol=1e-5)


def test_conv1d_and_errors():
    x = tf.placeholder(tf.float32, [None, 10, 3])
    y = slim.conv1d(x, 5, 3, scope="c1")
    assert y.get_shape().as_list() == [None, 10, 5]
    assert slim.get_variables("c1/weights")[0].get_shape().as_list() == [3, 3, 5]
    with pytest.raises(ValueError, match="rank 4, got 3"):
        slim.conv2d(x, 2, 3)
    with pytest.raises(ValueError, match="channel dimension .* should be defined"):
        slim.conv2d(tf.placeholder(tf.float32, [None, 4, 4, None]), 2, 3)
    with pytest.raises(ValueError, match="padding must be 'SAME' or 'VALID'"):
        slim.conv2d(tf.zeros([1, 4, 4, 1]), 2, 3, padding="FULL")
    with pytest.raises(ValueError, match="Invalid data_format"):
        slim.conv2d(tf.zeros([1, 4, 4, 1]), 2, 3, data_format="HWC")
    with pytest.raises(ValueError, match="strides > 1 not supported in conjunction with rate"):
        slim.conv2d(tf.zeros([1, 8, 8, 1]), 2, 3, stride=2, rate=2)


def test_conv2d_normalizer_replaces_biases():
    x = tf.placeholder(tf.float32, [None, 6, 6, 1])
    y = slim.conv2d(x, 2, 3, normalizer_fn=slim.batch_norm,
                    normalizer_params={"scale": True}, scope="c")
    assert y.op.name == "c/Relu"
    assert _names(tf.trainable_variables()) == ["c/weights", "c/BatchNorm/gamma",
                                                "c/BatchNorm/beta"]
    assert _names(slim.get_model_variables()) == [
        "c/weights", "c/BatchNorm/gamma", "c/BatchNorm/beta", "c/BatchNorm/moving_mean",
        "c/BatchNorm/moving_variance"]


def test_variables_collections_dict():
    x = tf.zeros([1, 3])
    slim.fully_connected(x, 2, variables_collections={"weights": ["W"], "biases": ["B"]})
    assert _names(tf.get_collection("W")) == ["fully_connected/weights"]
    assert _names(tf.get_collection("B")) == ["fully_connected/biases"]
    slim.fully_connected(x, 2, variables_collections=["ALL"], trainable=False, scope="nt")
    assert _names(tf.get_collection("ALL")) == ["nt/weights", "nt/biases"]
    assert "nt/weights" not in _names(tf.trainable_variables())


# --------------------------------------------------------------------------- others

def test_fully_connected(device_mode):
    rng = np.random.RandomState(2)
    xv = rng.randn(2, 3, 4).astype(np.float32)
    wv = rng.randn(4, 5).astype(np.float32)
    x = tf.placeholder(tf.float32, [None, 3, 4])
    y = slim.fully_connected(x, 5, weights_initializer=tf.constant_initializer(wv), scope="fc")
    assert y.op.name == "fc/Relu"
    assert y.get_shape().as_list() == [None, 3, 5]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        out = sess.run(y, {x: xv})
    np.testing.assert_allclose(out, np.maximum(xv.dot(wv), 0), rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match="num_outputs type should be int"):
        slim.fully_connected(x, 2.0)
    with pytest.raises(ValueError, match="last dimension of the inputs .* should be defined"):
        slim.fully_connected(tf.placeholder(tf.float32, [None, None]), 2)


def test_pooling_flatten_and_shapes(device_mode):
    xv = np.arange(2 * 4 * 4 * 2, dtype=np.float32).reshape(2, 4, 4, 2)
    x = tf.placeholder(tf.float32, [None, 4, 4, 2])
    mp = slim.max_pool2d(x, [2, 2], scope="pool1")
    ap = slim.avg_pool2d(x, 2, stride=1, padding="SAME")
    fl = slim.flatten(mp)
    fl_unknown = slim.flatten(tf.placeholder(tf.float32, [None, None, 3]))
    assert mp.op.name == "pool1/MaxPool"
    assert ap.op.name == "AvgPool2D/AvgPool"
    assert fl.op.name == "Flatten/flatten/Reshape"
    assert mp.get_shape().as_list() == [None, 2, 2, 2]
    assert ap.get_shape().as_list() == [None, 4, 4, 2]
    assert fl.get_shape().as_list() == [None, 8]
    assert fl_unknown.get_shape().as_list() == [None, None]
    with tf.Session() as sess:
        mv, fv = sess.run([mp, fl], {x: xv})
    ref = xv.reshape(2, 2, 2, 2, 2, 2).max(axis=(2, 4))
    np.testing.assert_array_equal(mv, ref)
    np.testing.assert_array_equal(fv, ref.reshape(2, -1))
    with pytest.raises(ValueError, match="data_format has to be either NCHW or NHWC"):
        slim.max_pool2d(x, 2, data_format="NWC")
    with pytest.raises(ValueError, match="max_pool2d expects an input of rank 4"):
        slim.max_pool2d(tf.zeros([2, 3]), 2)


def test_dropout_training_inference_and_tensor_switch():
    x = tf.ones([100, 100])
    train = slim.dropout(x, 0.5, scope="d1")
    test = slim.dropout(x, 0.5, is_training=False, scope="d2")
    is_training = tf.placeholder(tf.bool, [])
    switch = slim.dropout(x, 0.5, is_training=is_training, scope="d3")
    with tf.Session() as sess:
        tv, ev = sess.run([train, test])
        on = sess.run(switch, {is_training: True})
        off = sess.run(switch, {is_training: False})
    assert set(np.unique(tv)) <= {0.0, 2.0} and 0.4 < tv.mean() / 2 < 0.6
    np.testing.assert_array_equal(ev, np.ones((100, 100)))
    assert set(np.unique(on)) == {0.0, 2.0}
    np.testing.assert_array_equal(off, np.ones((100, 100)))


def test_small_layers(device_mode):
    x = tf.constant([[3.0, 4.0], [1.0, 0.0]])
    b = slim.bias_add(x, initializer=tf.constant_initializer(1.0), activation_fn=tf.nn.relu)
    oh = slim.one_hot_encoding(tf.constant([0, 2]), 3)
    un = slim.unit_norm(x, 1)
    sm = slim.softmax(tf.constant([[[1.0, 2.0], [0.0, 0.0]]]))
    assert b.op.name == "BiasAdd/Relu" and _names(tf.global_variables()) == ["BiasAdd/biases"]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        bv, ohv, unv, smv = sess.run([b, oh, un, sm])
    np.testing.assert_allclose(bv, [[4, 5], [2, 1]])
    np.testing.assert_array_equal(ohv, [[1, 0, 0], [0, 0, 1]])
    np.testing.assert_allclose(unv, [[0.6, 0.8], [1.0, 0.0]], rtol=1e-5)
    e = np.exp([1.0, 2.0])
    np.testing.assert_allclose(smv, [[e / e.sum(), [0.5, 0.5]]], rtol=1e-5)
    with pytest.raises(ValueError, match="dim must be positive but smaller"):
        slim.unit_norm(x, 2)
    with pytest.raises(ValueError, match="Data format NCHW only supports 4D"):
        slim.bias_add(x, data_format="NCHW")


def test_repeat_and_stack_scopes():
    x = tf.placeholder(tf.float32, [None, 8, 8, 3])
    y = slim.repeat(x, 3, slim.conv2d, 4, [3, 3], scope="conv3")
    assert y.op.name == "conv3/conv3_3/Relu"
    assert _names(tf.trainable_variables())[::2] == ["conv3/conv3_1/weights",
                                                    "conv3/conv3_2/weights",
                                                    "conv3/conv3_3/weights"]
    z = slim.stack(slim.flatten(y), slim.fully_connected, [32, 64, 10], scope="fc")
    assert z.op.name == "fc/fc_3/Relu" and z.get_shape().as_list() == [None, 10]
    w = slim.stack(x, slim.conv2d, [(8, [3, 3]), (4, [1, 1])])
    assert w.op.name == "Stack/convolution2d_2/Relu"
    with pytest.raises(ValueError, match="stack_args need to be a list or tuple"):
        slim.stack(x, slim.conv2d, 3)


def test_conv2d_transpose_and_separable_shapes():
    x = tf.placeholder(tf.float32, [None, 4, 5, 3])
    same = slim.conv2d_transpose(x, 2, 3, stride=2, scope="ts")
    valid = slim.conv2d_transpose(x, 2, 3, stride=2, padding="VALID", scope="tv")
    assert same.get_shape().as_list() == [None, 8, 10, 2]
    assert valid.get_shape().as_list() == [None, 9, 11, 2]
    assert slim.get_variables("ts/weights")[0].get_shape().as_list() == [3, 3, 2, 3]
    sep = slim.separable_conv2d(x, 6, [3, 3], depth_multiplier=2, scope="sep")
    dw = slim.separable_conv2d(x, None, [3, 3], depth_multiplier=2, scope="dw")
    assert sep.get_shape().as_list() == [None, 4, 5, 6]
    assert dw.get_shape().as_list() == [None, 4, 5, 6]
    assert _names(slim.get_model_variables("sep")) == ["sep/depthwise_weights",
                                                      "sep/pointwise_weights", "sep/biases"]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        out = sess.run([same, valid, sep, dw], {x: np.ones((2, 4, 5, 3), np.float32)})
    assert [o.shape for o in out] == [(2, 8, 10, 2), (2, 9, 11, 2), (2, 4, 5, 6),
                                      (2, 4, 5, 6)]


# --------------------------------------------------------------------------- batch norm

def test_batch_norm_variables_and_update_ops():
    x = tf.placeholder(tf.float32, [None, 4, 4, 3])
    y = slim.batch_norm(x, scale=True, scope="bn")
    assert y.get_shape().as_list() == [None, 4, 4, 3]
    assert y.op.type == "FusedBatchNormV3"
    assert _names(tf.trainable_variables()) == ["bn/gamma", "bn/beta"]
    assert _names(tf.global_variables()) == ["bn/gamma", "bn/beta", "bn/moving_mean",
                                             "bn/moving_variance"]
    assert _names(slim.get_model_variables()) == _names(tf.global_variables())
    ups = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    assert [u.name for u in ups] == ["bn/AssignMovingAvg", "bn/AssignMovingAvg_1"]
    # updates_collections=None: no UPDATE_OPS, the updates run with the output.
    slim.batch_norm(x, updates_collections=None, scope="bn_inplace")
    assert len(tf.get_collection(tf.GraphKeys.UPDATE_OPS)) == 2
    # inference: no updates at all; a 2-D input uses beta first, like TF-slim's fused path.
    slim.batch_norm(tf.zeros([2, 3]), is_training=False, scale=True, scope="bn2")
    assert len(tf.get_collection(tf.GraphKeys.UPDATE_OPS)) == 2
    assert _names(slim.get_variables("bn2"))[:2] == ["bn2/beta", "bn2/gamma"]


@pytest.mark.parametrize("fused", [True, False])
@pytest.mark.parametrize("shape,data_format", [((6, 3), "NHWC"), ((4, 3, 3, 2), "NHWC"),
                                               ((4, 2, 3, 3), "NCHW"), ((3, 4, 2), "NHWC")])
def test_batch_norm_training_normalizes(device_mode, fused, shape, data_format):
    rng = np.random.RandomState(3)
    xv = (rng.randn(*shape) * 3 + 2).astype(np.float32)
    gamma = rng.rand(shape[1] if data_format == "NCHW" else shape[-1]) + 0.5
    y = slim.batch_norm(tf.constant(xv), scale=True, fused=fused, data_format=data_format,
                        param_initializers={"gamma": tf.constant_initializer(gamma)})
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        out = sess.run(y)
    axes = tuple(i for i in range(len(shape)) if i != (1 if data_format == "NCHW" else
                                                       len(shape) - 1))
    bshape = [1] * len(shape)
    bshape[1 if data_format == "NCHW" else -1] = -1
    ref = (xv - xv.mean(axes, keepdims=True)) / np.sqrt(xv.var(axes, keepdims=True) + 1e-3)
    np.testing.assert_allclose(out, ref * gamma.reshape(bshape), rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("updates_collections", [tf.GraphKeys.UPDATE_OPS, None])
@pytest.mark.parametrize("fused", [True, False])
def test_batch_norm_moving_statistics_converge(updates_collections, fused):
    rng = np.random.RandomState(4)
    xv = (rng.randn(16, 2, 2, 3) * 2.0 + 5.0).astype(np.float32)
    x = tf.constant(xv)
    y = slim.batch_norm(x, decay=0.8, fused=fused, updates_collections=updates_collections,
                        scope="bn")
    infer = slim.batch_norm(x, is_training=False, scope="bn", reuse=True)
    mean, var = slim.get_variables("bn/moving_mean")[0], slim.get_variables(
        "bn/moving_variance")[0]
    step = tf.group(y, *tf.get_collection(tf.GraphKeys.UPDATE_OPS))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(60):
            sess.run(step)
        mv, vv, iv = sess.run([mean, var, infer])
    np.testing.assert_allclose(mv, xv.mean((0, 1, 2)), rtol=1e-3)
    n = 16 * 2 * 2  # fused keeps the unbiased variance, as TF's kernel returns it
    expected_var = xv.var((0, 1, 2)) * (n / (n - 1.0) if fused else 1.0)
    np.testing.assert_allclose(vv, expected_var, rtol=1e-3)
    # inference uses the moving statistics
    ref = (xv - mv) / np.sqrt(vv + 1e-3)
    np.testing.assert_allclose(iv, ref, rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("updates_collections", [tf.GraphKeys.UPDATE_OPS, None])
def test_batch_norm_is_training_tensor(updates_collections):
    rng = np.random.RandomState(5)
    xv = (rng.randn(8, 3) + 4.0).astype(np.float32)
    is_training = tf.placeholder(tf.bool, [])
    y = slim.batch_norm(tf.constant(xv), is_training=is_training, decay=0.5,
                        updates_collections=updates_collections, scope="bn")
    mean = slim.get_variables("bn/moving_mean")[0]
    fetch = [y] + tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        out_train = sess.run(fetch, {is_training: True})[0]
        m1 = sess.run(mean)
        out_infer = sess.run(fetch, {is_training: False})[0]
        m2 = sess.run(mean)
    np.testing.assert_allclose(m1, 0.5 * xv.mean(0), rtol=1e-5)
    np.testing.assert_array_equal(m1, m2)  # inference does not update
    np.testing.assert_allclose(out_train.mean(0), 0, atol=1e-5)
    moving_var = 0.5 + 0.5 * xv.var(0) * 8 / 7
    np.testing.assert_allclose(out_infer, (xv - m1) / np.sqrt(moving_var + 1e-3), rtol=1e-4)


def test_batch_norm_errors_and_reuse():
    with pytest.raises(ValueError, match="Inputs .* has undefined rank"):
        slim.batch_norm(tf.placeholder(tf.float32))
    with pytest.raises(ValueError, match="undefined channels dimension"):
        slim.batch_norm(tf.placeholder(tf.float32, [None, None]))
    with pytest.raises(ValueError, match="data_format has to be either NCHW or NHWC"):
        slim.batch_norm(tf.zeros([2, 3]), data_format="NC")
    with pytest.raises(NotImplementedError, match="renorm"):
        slim.batch_norm(tf.zeros([2, 3]), renorm=True)
    x = tf.zeros([2, 3])
    slim.batch_norm(x, scope="bn")
    slim.batch_norm(x, scope="bn", reuse=True, is_training=False)
    assert len(tf.global_variables()) == 3


def test_batch_norm_batch_weights_and_zero_debias():
    xv = np.array([[1.0], [3.0], [100.0]], np.float32)
    y = slim.batch_norm(tf.constant(xv), batch_weights=tf.constant([1.0, 1.0, 0.0]),
                        updates_collections=None, decay=0.0, zero_debias_moving_mean=True)
    mean = slim.get_variables("BatchNorm/moving_mean")[0]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        out = sess.run(y)
        np.testing.assert_allclose(sess.run(mean), [2.0], rtol=1e-6)
    np.testing.assert_allclose(out[:2, 0], [-1 / np.sqrt(1.001), 1 / np.sqrt(1.001)],
                               rtol=1e-4)


def test_batch_norm_inference_warns_when_statistics_never_updated():
    x = tf.placeholder(tf.float32, [None, 3])
    train_out = slim.batch_norm(x, scope="bn")
    infer = slim.batch_norm(x, is_training=False, scope="bn", reuse=True)
    loss = tf.reduce_sum(train_out)
    feed = {x: np.random.rand(4, 3)}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(loss, feed)  # training forward only: the updates never run
        with pytest.warns(BatchNormStatisticsWarning,
                          match=r"'bn' runs with is_training=False.*never updated") as record:
            sess.run(infer, feed)
        assert record[0].filename == __file__
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            sess.run(infer, feed)  # once per session and layer
    with tf.Session() as sess:  # a session that ran the updates does not warn
        sess.run(tf.global_variables_initializer())
        sess.run(tf.get_collection(tf.GraphKeys.UPDATE_OPS), feed)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            sess.run(infer, feed)


def test_batch_norm_no_warning_after_restore(tmp_path):
    x = tf.placeholder(tf.float32, [None, 3])
    infer = slim.batch_norm(x, is_training=False, scope="bn")
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        path = saver.save(sess, str(tmp_path / "model.ckpt"))
    with tf.Session() as sess:
        saver.restore(sess, path)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            sess.run(infer, {x: np.ones((2, 3))})


# --------------------------------------------------------------------------- other norms

def test_layer_instance_group_norm(device_mode):
    rng = np.random.RandomState(6)
    xv = rng.randn(2, 3, 3, 4).astype(np.float32)
    x = tf.constant(xv)
    ln = slim.layer_norm(x)
    inn = slim.instance_norm(x)
    gn = slim.group_norm(x, groups=2)
    inn_nchw = slim.instance_norm(tf.transpose(x, [0, 3, 1, 2]), data_format="NCHW")
    assert _names(slim.get_variables("LayerNorm")) == ["LayerNorm/beta", "LayerNorm/gamma"]
    assert slim.get_variables("LayerNorm/gamma")[0].get_shape().as_list() == [4]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        lv, iv, gv, nv = sess.run([ln, inn, gn, inn_nchw])

    def norm(a, axes, eps):
        return (a - a.mean(axes, keepdims=True)) / np.sqrt(a.var(axes, keepdims=True) + eps)
    np.testing.assert_allclose(lv, norm(xv, (1, 2, 3), 1e-12), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(iv, norm(xv, (1, 2), 1e-6), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(nv.transpose(0, 2, 3, 1), iv, rtol=1e-4, atol=1e-4)
    g = xv.reshape(2, 3, 3, 2, 2)
    np.testing.assert_allclose(gv, norm(g, (1, 2, 4), 1e-6).reshape(xv.shape), rtol=1e-4,
                               atol=1e-4)
    with pytest.raises(ValueError, match="4 channels is not commensurate with 3 groups"):
        slim.group_norm(x, groups=3)


# --------------------------------------------------------------------------- gradients

def _substitute(values):
    """A custom getter returning the given tensors instead of the named variables."""
    def getter(next_getter, name, *args, **kwargs):
        short = name.split("/", 1)[1] if "/" in name else name
        if short in values:
            return values[short]
        return next_getter(name, *args, **kwargs)
    return getter


def test_gradients_through_conv_batch_norm_fully_connected():
    rng = np.random.RandomState(7)
    xv = rng.randn(3, 4, 4, 2)
    w1 = rng.randn(3, 3, 2, 3) * 0.5
    gamma = rng.rand(3) + 0.5
    beta = rng.randn(3)
    w2 = rng.randn(12, 2) * 0.5
    b2 = rng.randn(2)

    def build(x, w1_, gamma_, beta_, w2_, b2_):
        mapping = {"conv/weights": w1_, "conv/BatchNorm/gamma": gamma_,
                   "conv/BatchNorm/beta": beta_, "fc/weights": w2_, "fc/biases": b2_}
        with tf.variable_scope("net", custom_getter=_substitute(mapping)):
            net = slim.conv2d(x, 3, 3, stride=2, normalizer_fn=slim.batch_norm,
                              normalizer_params={"scale": True}, activation_fn=tf.nn.tanh,
                              scope="conv")
            net = slim.flatten(net)
            return slim.fully_connected(net, 2, activation_fn=tf.nn.tanh, scope="fc")
    check_gradients(build, [xv, w1, gamma, beta, w2, b2], rtol=1e-3, atol=1e-5)


@pytest.mark.parametrize("layer", ["batch_norm_fused", "batch_norm_plain", "layer_norm",
                                   "instance_norm", "group_norm"])
def test_normalization_gradients(layer):
    rng = np.random.RandomState(8)
    xv = rng.randn(3, 2, 2, 4)

    def build(x):
        if layer == "batch_norm_fused":
            return slim.batch_norm(x, fused=True, epsilon=0.01, center=False)
        if layer == "batch_norm_plain":
            return slim.batch_norm(x, fused=False, epsilon=0.01, center=False)
        if layer == "layer_norm":
            return slim.layer_norm(x, center=False, scale=False)
        if layer == "instance_norm":
            return slim.instance_norm(x, center=False, scale=False)
        return slim.group_norm(x, groups=2, center=False, scale=False)
    check_gradients(build, [xv], rtol=1e-3, atol=1e-5)


@pytest.mark.parametrize("layer", ["conv2d_transpose", "separable_conv2d", "conv1d"])
def test_conv_layer_gradients(layer):
    rng = np.random.RandomState(9)
    if layer == "conv1d":
        xv, wv = rng.randn(2, 5, 2), rng.randn(3, 2, 3)
    elif layer == "conv2d_transpose":
        xv, wv = rng.randn(2, 3, 3, 2), rng.randn(3, 3, 3, 2)
    else:
        xv, wv = rng.randn(2, 4, 4, 2), rng.randn(3, 3, 2, 2)

    def build(x, w):
        name = "depthwise_weights" if layer == "separable_conv2d" else "weights"
        with tf.variable_scope("net", custom_getter=_substitute({"L/" + name: w})):
            if layer == "conv1d":
                return slim.conv1d(x, 3, 3, activation_fn=None, biases_initializer=None,
                                   scope="L")
            if layer == "conv2d_transpose":
                return slim.conv2d_transpose(x, 3, 3, stride=2, activation_fn=None,
                                             biases_initializer=None, scope="L")
            return slim.separable_conv2d(x, None, 3, depth_multiplier=2, activation_fn=None,
                                         biases_initializer=None, scope="L")
    check_gradients(build, [xv, wv], rtol=1e-3, atol=1e-5)


def test_batch_norm_no_warning_after_init_from_checkpoint(tmp_path):
    with tf.Graph().as_default():
        slim.batch_norm(tf.zeros([2, 3]), is_training=False, scope="bn")
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            path = saver.save(sess, str(tmp_path / "model.ckpt"))
    x = tf.placeholder(tf.float32, [None, 3])
    infer = slim.batch_norm(x, is_training=False, scope="bn")
    tf.train.init_from_checkpoint(path, {"bn/": "bn/"})
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            sess.run(infer, {x: np.ones((2, 3))})
