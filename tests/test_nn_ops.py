"""Tests for tf.nn: op types and attrs, forward values against plain numpy, gradients by
central differences (tests/gradcheck.py), TF's errors, and the strict GPU stand-in."""
import numpy as np
import pytest

import tensorslim as tf
from tensorslim.core.op_util import apply_op
from tests.gradcheck import check_gradients
from tests.nn_reference import attr, ref_conv2d, ref_pool, to_nchw, to_nhwc

RNG = np.random.default_rng(7)


def run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


def rand(*shape, dtype=np.float64, low=-1.0, high=1.0):
    return RNG.uniform(low, high, size=shape).astype(dtype)


def away_from(values, points, margin=0.05):
    """``values`` nudged at least ``margin`` away from each of ``points`` (kinks)."""
    v = values.copy()
    for p in points:
        close = np.abs(v - p) < margin
        v[close] = p + np.where(v[close] >= p, margin, -margin) * 2
    return v


def distinct(*shape):
    """Values spaced 0.01 apart in random order: no ties for max pooling or top_k."""
    n = int(np.prod(shape))
    return (RNG.permutation(n) * 0.01 - n * 0.005).reshape(shape)


# --------------------------------------------------------------------------------------------
# Activations
# --------------------------------------------------------------------------------------------

SELU_A, SELU_S = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946

ACTIVATIONS = {
    "relu": (tf.nn.relu, lambda x: np.maximum(x, 0), "Relu", [0.0]),
    "relu6": (tf.nn.relu6, lambda x: np.clip(x, 0, 6), "Relu6", [0.0, 6.0]),
    "elu": (tf.nn.elu, lambda x: np.where(x < 0, np.expm1(x), x), "Elu", [0.0]),
    "selu": (tf.nn.selu, lambda x: SELU_S * np.where(x < 0, SELU_A * np.expm1(x), x), "Selu",
             [0.0]),
    "leaky_relu": (tf.nn.leaky_relu, lambda x: np.where(x > 0, x, 0.2 * x), "LeakyRelu",
                   [0.0]),
    "softplus": (tf.nn.softplus, lambda x: np.log1p(np.exp(x)), "Softplus", []),
    "softsign": (tf.nn.softsign, lambda x: x / (1 + np.abs(x)), "Softsign", []),
    "sigmoid": (tf.nn.sigmoid, lambda x: 1 / (1 + np.exp(-x)), "Sigmoid", []),
    "tanh": (tf.nn.tanh, np.tanh, "Tanh", []),
}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_forward(name, device_mode):
    fn, ref, op_type, kinks = ACTIVATIONS[name]
    x = away_from(rand(3, 5, low=-8, high=8), kinks).astype(np.float32)
    y = fn(tf.constant(x))
    assert y.op.type == op_type and y.op.name == op_type
    assert y.dtype == tf.float32 and y.shape.as_list() == [3, 5]
    out = run(y)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, ref(x.astype(np.float64)), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_gradient(name):
    fn, _, _, kinks = ACTIVATIONS[name]
    x = away_from(rand(2, 4, low=-7, high=7), kinks, margin=0.1)
    check_gradients(fn, [x])


# Which tensor each gradient op reads is TF's choice (tensorflow/python/ops/nn_grad.py):
# the output for Relu, Relu6, Elu and Selu.
@pytest.mark.parametrize("op_type, grad_type, out_arg", [
    ("Relu", "ReluGrad", True), ("Relu6", "Relu6Grad", True), ("Elu", "EluGrad", True),
    ("Selu", "SeluGrad", True), ("LeakyRelu", "LeakyReluGrad", False),
    ("Softplus", "SoftplusGrad", False), ("Softsign", "SoftsignGrad", False)])
def test_activation_gradient_op_types(op_type, grad_type, out_arg):
    x = tf.placeholder(tf.float32, [4])
    y = {"Relu": tf.nn.relu, "Relu6": tf.nn.relu6, "Elu": tf.nn.elu, "Selu": tf.nn.selu,
         "LeakyRelu": tf.nn.leaky_relu, "Softplus": tf.nn.softplus,
         "Softsign": tf.nn.softsign}[op_type](x)
    g = tf.gradients(y, x)[0]
    assert g.op.type == grad_type
    assert g.op.name == "gradients/%s_grad/%s" % (op_type, grad_type)
    assert g.op.inputs[1] is (y if out_arg else x)


def test_leaky_relu_alpha_attr_and_integer_input():
    y = tf.nn.leaky_relu(tf.constant([-2.0, 3.0]), alpha=0.1)
    assert y.op.get_attr("alpha") == pytest.approx(0.1)
    np.testing.assert_allclose(run(y), [-0.2, 3.0], rtol=1e-6)
    yi = tf.nn.leaky_relu(tf.constant([-2, 3]))
    assert yi.dtype == tf.float32
    np.testing.assert_allclose(run(yi), [-0.4, 3.0], rtol=1e-6)
    check_gradients(lambda x: tf.nn.leaky_relu(x, alpha=0.3), [np.array([-1.0, 0.5, 2.0])])


def test_activations_are_stable_for_large_inputs():
    x = tf.constant(np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0], np.float32))
    sp, sg, el = run([tf.nn.softplus(x), tf.nn.sigmoid(x), tf.nn.elu(x)])
    np.testing.assert_allclose(sp, [0, 1.9287e-22, np.log(2), 50, 1000], rtol=1e-4)
    np.testing.assert_allclose(sg, [0, 1.9287e-22, 0.5, 1, 1], rtol=1e-4)
    np.testing.assert_allclose(el, [-1, -1, 0, 50, 1000])


def test_relu_rejects_strings():
    with pytest.raises(TypeError, match="parameter 'features' has DataType string"):
        tf.nn.relu(tf.constant(["a"]))


def _raw(op_type, inputs, attrs=None):
    a = {"T": inputs[0].dtype.base_dtype}
    a.update(attrs or {})
    return apply_op(op_type, inputs, [inputs[0].dtype.base_dtype], attrs=a).outputs[0]


@pytest.mark.parametrize("op_type, ref", [
    ("SigmoidGrad", lambda y, dy: dy * y * (1 - y)),
    ("TanhGrad", lambda y, dy: dy * (1 - y * y)),
    ("ReluGrad", lambda dy, x: dy * (x > 0)),
    ("LeakyReluGrad", lambda dy, x: np.where(x > 0, dy, 0.2 * dy))])
def test_activation_grad_ops_and_their_gradients(op_type, ref, device_mode):
    a, b = away_from(rand(3, 4), [0.0]), rand(3, 4)
    attrs = {"alpha": 0.2} if op_type == "LeakyReluGrad" else None
    out = run(_raw(op_type, [tf.constant(a), tf.constant(b)], attrs))
    np.testing.assert_allclose(out, ref(a, b), rtol=1e-12)
    if device_mode == "cpu":
        check_gradients(lambda p, q: _raw(op_type, [p, q], attrs), [a, b])


# --------------------------------------------------------------------------------------------
# Softmax
# --------------------------------------------------------------------------------------------

def np_softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def test_softmax_and_log_softmax_forward(device_mode):
    x = rand(4, 6, low=-30, high=30).astype(np.float32)
    x[0, 0] = 1000.0  # stable: no overflow
    sm, lsm = tf.nn.softmax(tf.constant(x)), tf.nn.log_softmax(tf.constant(x))
    assert (sm.op.type, lsm.op.type) == ("Softmax", "LogSoftmax")
    a, b = run([sm, lsm])
    assert a.dtype == b.dtype == np.float32
    ref = np_softmax(x.astype(np.float64))
    np.testing.assert_allclose(a, ref, rtol=1e-5, atol=1e-30)
    np.testing.assert_allclose(b[1:], np.log(ref[1:]), rtol=1e-5, atol=1e-5)
    assert np.isfinite(b).all()


@pytest.mark.parametrize("fn", [tf.nn.softmax, tf.nn.log_softmax])
def test_softmax_gradients(fn):
    check_gradients(fn, [rand(3, 5, low=-3, high=3)])
    check_gradients(fn, [rand(2, 2, 3, low=-3, high=3)])


@pytest.mark.parametrize("fn", [tf.nn.softmax, tf.nn.log_softmax])
def test_softmax_over_other_axis(fn):
    if not hasattr(tf, "transpose"):
        pytest.skip("needs tf.transpose")
    x = rand(3, 4, 5)
    for kw in ({"axis": 1}, {"dim": 0}):
        axis = list(kw.values())[0]
        ref = np_softmax(x, axis)
        out = run(fn(tf.constant(x), **kw))
        np.testing.assert_allclose(out, ref if fn is tf.nn.softmax else np.log(ref),
                                   rtol=1e-10)
    check_gradients(lambda t: fn(t, axis=1), [x[:2, :3, :2]])


def test_softmax_errors():
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"Dimension \(2\) must be in the range \[-2, 2\)"):
        tf.nn.softmax(tf.zeros([2, 3]), axis=2)
    with pytest.raises(TypeError, match="parameter 'logits' has DataType int32"):
        tf.nn.softmax(tf.constant([1, 2]))
    with pytest.raises(ValueError, match="Shape must be at least rank 1 but is rank 0"):
        tf.nn.softmax(tf.constant(1.0))


# --------------------------------------------------------------------------------------------
# bias_add
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("data_format, shape, axis", [
    ("NHWC", (2, 3, 4, 5), 3), ("NCHW", (2, 5, 3, 4), 1), ("NHWC", (3, 5), 1),
    ("NCHW", (3, 5), 1), ("NCHW", (2, 5, 4), 1)])
def test_bias_add(data_format, shape, axis, device_mode):
    x, b = rand(*shape), rand(shape[axis])
    y = tf.nn.bias_add(tf.constant(x), tf.constant(b), data_format=data_format)
    assert y.op.type == "BiasAdd" and y.op.get_attr("data_format") == data_format
    bshape = [1] * len(shape)
    bshape[axis] = -1
    np.testing.assert_allclose(run(y), x + b.reshape(bshape))
    g = tf.gradients(y, y.op.inputs[1])[0]
    assert g.op.type == "BiasAddGrad"
    np.testing.assert_allclose(run(g), np.full(shape[axis], x.size / shape[axis]))


@pytest.mark.parametrize("data_format", ["NHWC", "NCHW"])
def test_bias_add_gradients(data_format):
    check_gradients(lambda x, b: tf.nn.bias_add(x, b, data_format=data_format),
                    [rand(2, 3, 2, 3), rand(3 if data_format == "NHWC" else 3)]
                    if data_format == "NHWC" else [rand(2, 3, 2, 2), rand(3)])
    # Second order: the gradient of BiasAddGrad broadcasts back.
    check_gradients(lambda x: _raw("BiasAddGrad", [x], {"data_format": data_format}),
                    [rand(2, 3, 2, 2)])


def test_bias_add_errors():
    with pytest.raises(ValueError, match=r"Dimensions must be equal, but are 3 and 4 for "
                                         r"'BiasAdd' \(op: 'BiasAdd'\)"):
        tf.nn.bias_add(tf.zeros([2, 3]), tf.zeros([4]))
    with pytest.raises(ValueError, match="Shape must be rank 1 but is rank 2"):
        tf.nn.bias_add(tf.zeros([2, 3]), tf.zeros([3, 1]))
    with pytest.raises(ValueError, match="Shape must be at least rank 2 but is rank 1"):
        tf.nn.bias_add(tf.zeros([3]), tf.zeros([3]))
    with pytest.raises(ValueError, match="Attr 'data_format' of 'BiasAdd' Op passed string "
                                         "'NWHC'"):
        tf.nn.bias_add(tf.zeros([2, 3]), tf.zeros([3]), data_format="NWHC")


# --------------------------------------------------------------------------------------------
# Convolution
# --------------------------------------------------------------------------------------------

CONV_CASES = [
    # (x NHWC, filter, strides, dilations)
    ((2, 6, 6, 3), (3, 3, 3, 4), (1, 1), (1, 1)),
    ((1, 7, 6, 2), (3, 2, 2, 3), (2, 2), (1, 1)),
    ((1, 7, 7, 2), (3, 3, 2, 2), (1, 1), (2, 2)),
    ((2, 5, 4, 1), (2, 3, 1, 2), (1, 2), (1, 1)),
]


@pytest.mark.parametrize("case", CONV_CASES)
@pytest.mark.parametrize("padding", ["SAME", "VALID"])
@pytest.mark.parametrize("data_format", ["NHWC", "NCHW"])
def test_conv2d_forward(case, padding, data_format, device_mode):
    xs, ws, st, dl = case
    x, w = rand(*xs).astype(np.float32), rand(*ws).astype(np.float32)
    ref = ref_conv2d(x.astype(np.float64), w.astype(np.float64), st, padding, dl)
    xin = to_nchw(x) if data_format == "NCHW" else x
    y = tf.nn.conv2d(tf.constant(xin), tf.constant(w), attr(*st, data_format), padding,
                     data_format=data_format, dilations=attr(*dl, data_format))
    expected_shape = list(to_nchw(ref).shape if data_format == "NCHW" else ref.shape)
    assert y.shape.as_list() == expected_shape
    out = run(y)
    assert out.dtype == np.float32
    np.testing.assert_allclose(to_nhwc(out) if data_format == "NCHW" else out, ref, rtol=1e-4,
                               atol=1e-5)


def test_conv2d_node_matches_tf():
    x = tf.placeholder(tf.float32, [None, 28, 28, 3], name="x")
    y = tf.nn.conv2d(x, tf.ones([5, 5, 3, 8]), [1, 1, 1, 1], "SAME")
    assert str(y) == 'Tensor("Conv2D:0", shape=(?, 28, 28, 8), dtype=float32)'
    op = y.op
    assert op.get_attr("strides") == [1, 1, 1, 1]
    assert op.get_attr("padding") == "SAME"
    assert op.get_attr("data_format") == "NHWC"
    assert op.get_attr("dilations") == [1, 1, 1, 1]
    assert op.get_attr("use_cudnn_on_gpu") is True
    assert op.get_attr("explicit_paddings") == []
    assert op.get_attr("T") == tf.float32
    gx, gw = tf.gradients(tf.reduce_sum(y), [x, op.inputs[1]])
    assert gx.op.type == "Conv2DBackpropInput" and gw.op.type == "Conv2DBackpropFilter"
    assert gx.op.name == "gradients/Conv2D_grad/Conv2DBackpropInput"
    assert gx.shape.as_list() == [None, 28, 28, 3] and gw.shape.as_list() == [5, 5, 3, 8]
    v = run([gx, gw], {x: np.ones((2, 28, 28, 3), np.float32)})
    assert v[0].shape == (2, 28, 28, 3) and v[1].shape == (5, 5, 3, 8)


@pytest.mark.parametrize("case", CONV_CASES)
@pytest.mark.parametrize("padding", ["SAME", "VALID"])
@pytest.mark.parametrize("data_format", ["NHWC", "NCHW"])
def test_conv2d_gradients(case, padding, data_format):
    xs, ws, st, dl = case
    xs = (1,) + xs[1:]
    x, w = rand(*xs), rand(*ws)
    if data_format == "NCHW":
        x = to_nchw(x)
    check_gradients(lambda a, b: tf.nn.conv2d(a, b, attr(*st, data_format), padding,
                                              data_format=data_format,
                                              dilations=attr(*dl, data_format)), [x, w])


def test_conv2d_second_order():
    """The backprop ops have gradients of their own (conv2d_transpose training needs them)."""
    x, w = rand(1, 4, 4, 2), rand(3, 3, 2, 2)

    def grad_of_conv(a, b):
        y = tf.nn.conv2d(a, b, [1, 2, 2, 1], "SAME")
        return tf.gradients(tf.reduce_sum(y * y), [a])[0]
    check_gradients(grad_of_conv, [x, w], rtol=1e-4, atol=1e-5)

    def filter_grad(a, b):
        y = tf.nn.conv2d(a, b, [1, 1, 1, 1], "VALID")
        return tf.gradients(tf.reduce_sum(y * y), [b])[0]
    check_gradients(filter_grad, [x, w], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("padding, strides, out_hw", [
    ("SAME", 2, (8, 8)), ("VALID", 2, (9, 9)), ("SAME", 1, (4, 4))])
def test_conv2d_transpose(padding, strides, out_hw, device_mode):
    v, w = rand(2, 4, 4, 3), rand(3, 3, 5, 3)
    out_shape = [2, out_hw[0], out_hw[1], 5]
    y = tf.nn.conv2d_transpose(tf.constant(v), tf.constant(w), out_shape,
                               [1, strides, strides, 1], padding)
    assert y.op.type == "Conv2DBackpropInput" and y.op.name == "conv2d_transpose"
    assert y.shape.as_list() == out_shape
    # conv2d_transpose is the adjoint of conv2d: <conv(x), v> == <x, conv_T(v)>.
    x = rand(*out_shape)
    conv = tf.nn.conv2d(tf.constant(x), tf.constant(w), [1, strides, strides, 1], padding)
    yv, cv = run([y, conv])
    assert cv.shape == v.shape
    np.testing.assert_allclose(np.sum(cv * v), np.sum(x * yv), rtol=1e-10)
    if device_mode == "cpu":
        check_gradients(lambda a, b: tf.nn.conv2d_transpose(
            a, b, [1, out_hw[0], out_hw[1], 2], [1, strides, strides, 1], padding),
            [v[:1], w[:, :, :2]])


def test_conv2d_transpose_errors():
    v = tf.zeros([1, 4, 4, 3])
    with pytest.raises(ValueError, match="input channels does not match filter's input "
                                         "channels, 3 != 4"):
        tf.nn.conv2d_transpose(v, tf.zeros([3, 3, 5, 4]), [1, 8, 8, 5], [1, 2, 2, 1])
    with pytest.raises(ValueError, match="output_shape does not match filter's output "
                                         "channels, 6 != 5"):
        tf.nn.conv2d_transpose(v, tf.zeros([3, 3, 5, 3]), [1, 8, 8, 6], [1, 2, 2, 1])
    with pytest.raises(ValueError, match=r"output_shape must have shape \(4,\)"):
        tf.nn.conv2d_transpose(v, tf.zeros([3, 3, 5, 3]), [8, 8, 5], [1, 2, 2, 1])
    with pytest.raises(ValueError, match="padding must be either VALID or SAME: FULL"):
        tf.nn.conv2d_transpose(v, tf.zeros([3, 3, 5, 3]), [1, 8, 8, 5], [1, 2, 2, 1], "FULL")


def test_conv2d_errors():
    x = tf.placeholder(tf.float32, [1, 8, 8, 3], name="images")
    with pytest.raises(ValueError, match="Attr 'padding' of 'Conv2D' Op passed string "
                                         "'SAMEX' not in: \"SAME\", \"VALID\""):
        tf.nn.conv2d(x, tf.zeros([3, 3, 3, 4]), [1, 1, 1, 1], "SAMEX")
    with pytest.raises(ValueError, match=r"Dimensions must be equal, but are 3 and 4 for "
                                         r"'Conv2D' \(op: 'Conv2D'\) with input shapes: "
                                         r"\[1,8,8,3\], \[3,3,4,4\]"):
        tf.nn.conv2d(x, tf.zeros([3, 3, 4, 4]), [1, 1, 1, 1], "SAME")
    with pytest.raises(ValueError, match="Shape must be rank 4 but is rank 3"):
        tf.nn.conv2d(tf.zeros([8, 8, 3]), tf.zeros([3, 3, 3, 4]), [1, 1, 1, 1], "SAME")
    with pytest.raises(ValueError, match="requires the stride attribute to contain 4 values"):
        tf.nn.conv2d(x, tf.zeros([3, 3, 3, 4]), [1, 1, 1], "SAME")
    with pytest.raises(ValueError, match="does not yet support strides in the batch"):
        tf.nn.conv2d(x, tf.zeros([3, 3, 3, 4]), [2, 1, 1, 1], "SAME")
    with pytest.raises(ValueError, match="Computed output size would be negative"):
        tf.nn.conv2d(x, tf.zeros([10, 10, 3, 4]), [1, 1, 1, 1], "VALID")
    assert tf.nn.conv2d(x, tf.zeros([9, 9, 3, 4]), [1, 1, 1, 1], "VALID").shape.as_list() == \
        [1, 0, 0, 4]
    with pytest.raises(TypeError, match="parameter 'input' has DataType int32"):
        tf.nn.conv2d(tf.zeros([1, 4, 4, 1], tf.int32), tf.zeros([1, 1, 1, 1], tf.int32),
                     [1, 1, 1, 1], "SAME")
    with pytest.raises(TypeError, match="Input 'filter' of 'Conv2D' Op has type float64"):
        tf.nn.conv2d(x, tf.zeros([3, 3, 3, 4], tf.float64), [1, 1, 1, 1], "SAME")
    with pytest.raises(TypeError, match="Expected list for attr strides"):
        tf.nn.conv2d(x, tf.zeros([3, 3, 3, 4]), 1, "SAME")


def test_conv2d_runtime_shape_error_names_the_op():
    x = tf.placeholder(tf.float32, [None, None, None, None], name="images")
    y = tf.nn.conv2d(x, tf.zeros([3, 3, 2, 4]), [1, 1, 1, 1], "SAME", name="myconv")
    with pytest.raises(tf.errors.InvalidArgumentError, match="myconv"):
        run(y, {x: np.zeros((1, 5, 5, 3), np.float32)})


def test_conv1d_convolution_and_atrous(device_mode):
    x, w = rand(2, 9, 3), rand(3, 3, 2)
    y = tf.nn.conv1d(tf.constant(x), tf.constant(w), 2, "SAME")
    ref = ref_conv2d(x[:, None], w[None], (1, 2), "SAME")[:, 0]
    assert y.shape.as_list() == list(ref.shape)
    np.testing.assert_allclose(run(y), ref, rtol=1e-10)
    x4, w4 = rand(1, 9, 9, 2), rand(3, 3, 2, 3)
    a = tf.nn.atrous_conv2d(tf.constant(x4), tf.constant(w4), 2, "SAME")
    c = tf.nn.convolution(tf.constant(x4), tf.constant(w4), "VALID", dilation_rate=[2, 1])
    assert a.op.type == "Conv2D" and a.op.get_attr("dilations") == [1, 2, 2, 1]
    av, cv = run([a, c])
    np.testing.assert_allclose(av, ref_conv2d(x4, w4, (1, 1), "SAME", (2, 2)), rtol=1e-10)
    np.testing.assert_allclose(cv, ref_conv2d(x4, w4, (1, 1), "VALID", (2, 1)), rtol=1e-10)
    with pytest.raises(ValueError, match="rate 0 cannot be less than one"):
        tf.nn.atrous_conv2d(tf.constant(x4), tf.constant(w4), 0, "SAME")
    with pytest.raises(ValueError, match="strides > 1 not supported in conjunction with "
                                         "dilation_rate > 1"):
        tf.nn.convolution(tf.constant(x4), tf.constant(w4), "SAME", strides=[2, 2],
                          dilation_rate=[2, 2])


# --------------------------------------------------------------------------------------------
# Depthwise and separable convolution
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("padding", ["SAME", "VALID"])
@pytest.mark.parametrize("data_format", ["NHWC", "NCHW"])
@pytest.mark.parametrize("strides, rate", [((1, 1), (1, 1)), ((2, 2), (1, 1)),
                                           ((1, 1), (2, 2))])
def test_depthwise_conv2d(padding, data_format, strides, rate, device_mode):
    x, w = rand(2, 7, 6, 3), rand(3, 3, 3, 2)
    ref = ref_conv2d(x, w, strides, padding, rate, depthwise=True)
    xin = to_nchw(x) if data_format == "NCHW" else x
    y = tf.nn.depthwise_conv2d(tf.constant(xin), tf.constant(w), attr(*strides, data_format),
                               padding, rate=rate if rate != (1, 1) else None,
                               data_format=data_format)
    assert y.op.type == "DepthwiseConv2dNative" and y.op.name == "depthwise"
    out = run(y)
    np.testing.assert_allclose(to_nhwc(out) if data_format == "NCHW" else out, ref, rtol=1e-10)
    if device_mode == "cpu":
        xs = x[:1, :5, :5]
        if data_format == "NCHW":
            xs = to_nchw(xs)
        check_gradients(lambda a, b: tf.nn.depthwise_conv2d(
            a, b, attr(*strides, data_format), padding,
            rate=rate if rate != (1, 1) else None, data_format=data_format), [xs, w[:2, :2]])


def test_separable_conv2d(device_mode):
    x, dw, pw = rand(2, 6, 6, 3), rand(3, 3, 3, 2), rand(1, 1, 6, 4)
    y = tf.nn.separable_conv2d(tf.constant(x), tf.constant(dw), tf.constant(pw), [1, 1, 1, 1],
                               "SAME")
    assert y.op.type == "Conv2D" and y.op.name == "separable_conv2d"
    assert y.op.inputs[0].op.name == "separable_conv2d/depthwise"
    ref = ref_conv2d(ref_conv2d(x, dw, (1, 1), "SAME", depthwise=True), pw, (1, 1), "VALID")
    np.testing.assert_allclose(run(y), ref, rtol=1e-10)
    with pytest.raises(ValueError, match="Dimensions 2 and 1 are not compatible"):
        tf.nn.separable_conv2d(tf.constant(x), tf.constant(dw), tf.zeros([2, 1, 6, 4],
                                                                          tf.float64),
                               [1, 1, 1, 1], "SAME")
    if device_mode == "cpu":
        check_gradients(lambda a, b, c: tf.nn.separable_conv2d(a, b, c, [1, 1, 1, 1], "VALID"),
                        [x[:1, :4, :4], dw[:2, :2], pw])


# --------------------------------------------------------------------------------------------
# Pooling
# --------------------------------------------------------------------------------------------

POOL_CASES = [((2, 2), (2, 2)), ((3, 3), (2, 2)), ((2, 3), (1, 2)), ((3, 2), (3, 3))]


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("ksize, strides", POOL_CASES)
@pytest.mark.parametrize("padding", ["SAME", "VALID"])
@pytest.mark.parametrize("data_format", ["NHWC", "NCHW"])
def test_pool_forward(kind, ksize, strides, padding, data_format, device_mode):
    x = distinct(2, 7, 6, 3).astype(np.float32)
    ref = ref_pool(x.astype(np.float64), ksize, strides, padding, kind)
    fn = tf.nn.max_pool if kind == "max" else tf.nn.avg_pool
    xin = to_nchw(x) if data_format == "NCHW" else x
    y = fn(tf.constant(xin), attr(*ksize, data_format), attr(*strides, data_format), padding,
           data_format=data_format)
    assert y.op.type == ("MaxPool" if kind == "max" else "AvgPool")
    out = run(y)
    assert out.dtype == np.float32
    np.testing.assert_allclose(to_nhwc(out) if data_format == "NCHW" else out, ref, rtol=1e-5,
                               atol=1e-6)


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("ksize, strides", POOL_CASES)
@pytest.mark.parametrize("padding", ["SAME", "VALID"])
@pytest.mark.parametrize("data_format", ["NHWC", "NCHW"])
def test_pool_gradients(kind, ksize, strides, padding, data_format):
    x = distinct(1, 5, 6, 2)
    if data_format == "NCHW":
        x = to_nchw(x)
    fn = tf.nn.max_pool if kind == "max" else tf.nn.avg_pool
    check_gradients(lambda a: fn(a, attr(*ksize, data_format), attr(*strides, data_format),
                                 padding, data_format=data_format), [x])


def test_pool_gradient_ops_and_second_order():
    x = tf.placeholder(tf.float32, [1, 4, 4, 1])
    gm = tf.gradients(tf.nn.max_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "SAME"), x)[0]
    ga = tf.gradients(tf.nn.avg_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "SAME"), x)[0]
    assert gm.op.type == "MaxPoolGrad" and ga.op.type == "AvgPoolGrad"
    assert gm.op.get_attr("ksize") == [1, 2, 2, 1]
    # AvgPoolGrad's own gradient is an AvgPool of the incoming gradient.
    check_gradients(_avg_grad, [rand(1, 2, 3, 1)])


@pytest.mark.parametrize("padding", ["SAME", "VALID"])
@pytest.mark.parametrize("data_format", ["NHWC", "NCHW"])
def test_max_pool_second_order(padding, data_format, device_mode):
    """MaxPoolGrad's gradient (MaxPoolGradGrad) routes back through the same maxima."""
    x = distinct(2, 5, 4, 2)
    if data_format == "NCHW":
        x = to_nchw(x)
    k, s = attr(3, 2, data_format), attr(2, 1, data_format)
    xt = tf.constant(x)
    y = tf.nn.max_pool(xt, k, s, padding, data_format=data_format)
    g = tf.placeholder(tf.float64, y.shape)
    dx = tf.gradients(y, xt, grad_ys=g)[0]
    h = tf.placeholder(tf.float64, x.shape)
    gg = tf.gradients(dx, g, grad_ys=h)[0]
    assert gg.op.type == "MaxPoolGradGrad"
    gv, hv = rand(*y.shape.as_list()), rand(*x.shape)
    dxv, ggv = run([dx, gg], {g: gv, h: hv})
    # <dx(g), h> == <g, gg(h)>: MaxPoolGradGrad is the adjoint of MaxPoolGrad in g.
    np.testing.assert_allclose(np.sum(dxv * hv), np.sum(gv * ggv), rtol=1e-10)
    if device_mode == "cpu":
        check_gradients(lambda a: _mp_grad(x, a, k, s, padding, data_format), [gv])


def _mp_grad(x, g, k, s, padding, data_format):
    xt = tf.constant(x)
    return tf.gradients(tf.nn.max_pool(xt, k, s, padding, data_format=data_format), xt,
                        grad_ys=g)[0]


def _avg_grad(g):
    return apply_op("AvgPoolGrad", [tf.constant(np.array([1, 4, 5, 1], np.int32)), g],
                    [tf.float64], attrs={"T": tf.float64, "ksize": [1, 2, 2, 1],
                                         "strides": [1, 2, 2, 1], "padding": "SAME",
                                         "data_format": "NHWC"}).outputs[0]


def test_pool_errors():
    x = tf.zeros([1, 4, 4, 1])
    with pytest.raises(ValueError, match="Attr 'padding' of 'MaxPool' Op passed string 'FOO'"):
        tf.nn.max_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "FOO")
    with pytest.raises(ValueError, match="Attr 'padding' of 'AvgPool' Op passed string 'same'"):
        tf.nn.avg_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "same")
    with pytest.raises(ValueError, match="MaxPool requires the ksize attribute to contain 4 "
                                         "values, but got: 2"):
        tf.nn.max_pool(x, [2, 2], [1, 2, 2, 1], "SAME")
    with pytest.raises(ValueError, match="Computed output size would be negative: -1 "
                                         r"\[input_size: 4, effective_filter_size: 6"):
        tf.nn.max_pool(x, [1, 6, 6, 1], [1, 1, 1, 1], "VALID")
    with pytest.raises(TypeError, match="parameter 'value' has DataType int32"):
        tf.nn.avg_pool(tf.zeros([1, 4, 4, 1], tf.int32), [1, 2, 2, 1], [1, 2, 2, 1], "SAME")


def test_max_pool_with_argmax(device_mode):
    x = distinct(2, 4, 5, 3)
    out = tf.nn.max_pool_with_argmax(tf.constant(x), [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
    assert out.argmax.dtype == tf.int64 and out.output.op.type == "MaxPoolWithArgmax"
    y, idx = run([out.output, out.argmax])
    np.testing.assert_allclose(y, ref_pool(x, (2, 2), (2, 2), "SAME", "max"))
    for b in range(2):
        np.testing.assert_array_equal(x[b].reshape(-1)[idx[b]], y[b])
    if device_mode == "cpu":
        check_gradients(lambda a: tf.nn.max_pool_with_argmax(a, [1, 2, 2, 1], [1, 1, 1, 1],
                                                             "VALID").output, [x[:1]])


# --------------------------------------------------------------------------------------------
# LRN
# --------------------------------------------------------------------------------------------

def ref_lrn(x, r, bias, alpha, beta):
    sq = np.zeros_like(x)
    c = x.shape[-1]
    for d in range(c):
        sq[..., d] = (x[..., max(0, d - r):min(c, d + r + 1)] ** 2).sum(-1)
    return x / (bias + alpha * sq) ** beta


@pytest.mark.parametrize("r, bias, alpha, beta", [(5, 1.0, 1.0, 0.5), (2, 2.0, 1e-4, 0.75),
                                                  (1, 1.0, 0.5, 1.0)])
def test_lrn(r, bias, alpha, beta, device_mode):
    x = rand(2, 3, 3, 6).astype(np.float32)
    y = tf.nn.lrn(tf.constant(x), r, bias, alpha, beta)
    assert y.op.type == "LRN" and y.op.get_attr("depth_radius") == r
    np.testing.assert_allclose(run(y), ref_lrn(x.astype(np.float64), r, bias, alpha, beta),
                               rtol=1e-5)
    assert tf.nn.local_response_normalization is tf.nn.lrn


def test_lrn_gradient():
    x = tf.placeholder(tf.float32, [1, 2, 2, 4])
    g = tf.gradients(tf.nn.lrn(x, 1, 1.0, 0.5, 0.75), x)[0]
    assert g.op.type == "LRNGrad"
    xv = rand(1, 2, 2, 4).astype(np.float32)
    # LRN is float32-only in TF: compare with float64 central differences on the numpy
    # reference instead of check_gradients' float64 graph.
    gv = run(g, {x: xv})
    num = np.zeros_like(xv, dtype=np.float64)
    x64 = xv.astype(np.float64)
    for i in range(x64.size):
        e = np.zeros(x64.size)
        e[i] = 1e-6
        e = e.reshape(x64.shape)
        num.reshape(-1)[i] = (ref_lrn(x64 + e, 1, 1.0, 0.5, 0.75).sum() -
                              ref_lrn(x64 - e, 1, 1.0, 0.5, 0.75).sum()) / 2e-6
    np.testing.assert_allclose(gv, num, rtol=1e-4, atol=1e-5)


# --------------------------------------------------------------------------------------------
# Batch normalisation and moments
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("data_format", ["NHWC", "NCHW"])
def test_fused_batch_norm_training(data_format, device_mode):
    x = rand(4, 3, 3, 2).astype(np.float32)
    scale, offset = rand(2).astype(np.float32), rand(2).astype(np.float32)
    xin = to_nchw(x) if data_format == "NCHW" else x
    y, m, v = tf.nn.fused_batch_norm(tf.constant(xin), tf.constant(scale), tf.constant(offset),
                                     epsilon=1e-3, data_format=data_format)
    assert y.op.type == "FusedBatchNormV3" and y.op.get_attr("is_training") is True
    assert m.shape.as_list() == [2]
    yv, mv, vv = run([y, m, v])
    x64 = x.astype(np.float64)
    mean, var = x64.mean((0, 1, 2)), x64.var((0, 1, 2))
    ref = (x64 - mean) / np.sqrt(var + 1e-3) * scale + offset
    np.testing.assert_allclose(to_nhwc(yv) if data_format == "NCHW" else yv, ref, rtol=1e-4,
                               atol=1e-5)
    np.testing.assert_allclose(mv, mean, rtol=1e-5)
    np.testing.assert_allclose(vv, var * 36 / 35, rtol=1e-5)  # Bessel-corrected


@pytest.mark.parametrize("data_format", ["NHWC", "NCHW"])
def test_fused_batch_norm_inference(data_format, device_mode):
    x = rand(2, 3, 3, 2)
    s, o, m, v = rand(2), rand(2), rand(2), rand(2, low=0.5, high=2)
    xin = to_nchw(x) if data_format == "NCHW" else x
    y, bm, bv = tf.nn.fused_batch_norm(tf.constant(xin), tf.constant(s), tf.constant(o),
                                       tf.constant(m), tf.constant(v), epsilon=1e-2,
                                       data_format=data_format, is_training=False)
    yv, bmv, bvv = run([y, bm, bv])
    ref = (x - m) / np.sqrt(v + 1e-2) * s + o
    np.testing.assert_allclose(to_nhwc(yv) if data_format == "NCHW" else yv, ref, rtol=1e-10)
    np.testing.assert_allclose(bmv, m)
    np.testing.assert_allclose(bvv, v)


@pytest.mark.parametrize("is_training", [True, False])
@pytest.mark.parametrize("data_format", ["NHWC", "NCHW"])
def test_fused_batch_norm_gradients(is_training, data_format):
    x = rand(3, 2, 2, 2)
    if data_format == "NCHW":
        x = to_nchw(x)
    s, o = rand(2, low=0.5, high=1.5), rand(2)
    m, v = rand(2), rand(2, low=0.5, high=2)

    def build(a, sc, off):
        if is_training:
            return tf.nn.fused_batch_norm(a, sc, off, epsilon=1e-3, data_format=data_format)[0]
        return tf.nn.fused_batch_norm(a, sc, off, tf.constant(m), tf.constant(v), epsilon=1e-3,
                                      data_format=data_format, is_training=False)[0]
    check_gradients(build, [x, s, o], rtol=1e-4, atol=1e-6)


def test_fused_batch_norm_grad_op_and_errors():
    x = tf.placeholder(tf.float32, [2, 3, 3, 4])
    y, _, _ = tf.nn.fused_batch_norm(x, tf.ones([4]), tf.zeros([4]))
    assert y.op.get_attr("epsilon") == pytest.approx(0.001)
    g = tf.gradients(y, x)[0]
    assert g.op.type == "FusedBatchNormGradV3"
    tiny = tf.nn.fused_batch_norm(x, tf.ones([4]), tf.zeros([4]), epsilon=1e-9)[0]
    assert tiny.op.get_attr("epsilon") == pytest.approx(1.001e-5)
    with pytest.raises(ValueError, match="Both 'mean' and 'variance' must be None if "
                                         "is_training is True."):
        tf.nn.fused_batch_norm(x, tf.ones([4]), tf.zeros([4]), tf.zeros([4]), tf.ones([4]))
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 4 and 3"):
        tf.nn.fused_batch_norm(x, tf.ones([3]), tf.zeros([3]))


def test_moments_and_batch_normalization(device_mode):
    x = rand(4, 3, 5)
    mean, var = tf.nn.moments(tf.constant(x), [0, 1])
    assert mean.op.name == "moments/Squeeze" and var.shape.as_list() == [5]
    mk, vk = tf.nn.moments(tf.constant(x), [0, 1], keep_dims=True)
    assert mk.shape.as_list() == [1, 1, 5]
    scale, offset = rand(5), rand(5)
    bn = tf.nn.batch_normalization(tf.constant(x), mean, var, tf.constant(offset),
                                   tf.constant(scale), 1e-3)
    mv, vv, mkv, bnv = run([mean, var, mk, bn])
    np.testing.assert_allclose(mv, x.mean((0, 1)), rtol=1e-12)
    np.testing.assert_allclose(vv, x.var((0, 1)), rtol=1e-12)
    assert mkv.shape == (1, 1, 5)
    ref = (x - x.mean((0, 1))) / np.sqrt(x.var((0, 1)) + 1e-3) * scale + offset
    np.testing.assert_allclose(bnv, ref, rtol=1e-10)


def test_moments_and_batch_normalization_gradients():
    check_gradients(lambda a: tf.nn.moments(a, [0])[1], [rand(4, 3)])
    check_gradients(lambda a: tf.nn.moments(a, [0, 2], keep_dims=True)[0], [rand(2, 3, 2)])

    def bn(a, sc, off):
        m, v = tf.nn.moments(a, [0])
        return tf.nn.batch_normalization(a, m, v, off, sc, 1e-3)
    check_gradients(bn, [rand(5, 3), rand(3), rand(3)])


# --------------------------------------------------------------------------------------------
# Losses
# --------------------------------------------------------------------------------------------

def test_l2_loss_and_l2_normalize(device_mode):
    x = rand(3, 4).astype(np.float32)
    l2 = tf.nn.l2_loss(tf.constant(x))
    assert l2.op.type == "L2Loss" and l2.shape.ndims == 0
    n1 = tf.nn.l2_normalize(tf.constant(x), 1)
    n0 = tf.nn.l2_normalize(tf.constant(x), dim=0)
    assert n1.op.name == "l2_normalize"
    a, b, c = run([l2, n1, n0])
    assert np.asarray(a).dtype == np.float32
    np.testing.assert_allclose(a, (x.astype(np.float64) ** 2).sum() / 2, rtol=1e-5)
    np.testing.assert_allclose(b, x / np.linalg.norm(x, axis=1, keepdims=True), rtol=1e-5)
    np.testing.assert_allclose(c, x / np.linalg.norm(x, axis=0, keepdims=True), rtol=1e-5)
    np.testing.assert_array_equal(run(tf.nn.l2_normalize(tf.zeros([2, 2]), 1)), np.zeros((2, 2)))


def test_l2_loss_and_l2_normalize_gradients():
    check_gradients(lambda a: tf.reshape(tf.nn.l2_loss(a), [1]), [rand(3, 2)])
    check_gradients(lambda a: tf.nn.l2_normalize(a, 1), [rand(2, 3)])


def np_xent(logits, labels):
    return -(labels * np.log(np_softmax(logits))).sum(-1)


def test_softmax_cross_entropy(device_mode):
    logits = rand(4, 5, low=-5, high=5).astype(np.float32)
    logits[0, 0] = 500.0
    labels = np_softmax(rand(4, 5, low=-2, high=2)).astype(np.float32)
    v1 = tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    v2 = tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)
    assert v1.op.type == "SoftmaxCrossEntropyWithLogits"
    assert v1.op.name == "softmax_cross_entropy_with_logits_sg"
    assert v1.op.inputs[1].op.name == "softmax_cross_entropy_with_logits_sg/" \
                                      "labels_stop_gradient"
    assert v2.op.name == "softmax_cross_entropy_with_logits"
    a, b = run([v1, v2])
    assert a.dtype == np.float32 and a.shape == (4,)
    shifted = logits.astype(np.float64)
    ref = np_xent(shifted, labels.astype(np.float64))
    np.testing.assert_allclose(a, ref, rtol=1e-4)
    np.testing.assert_allclose(b, ref, rtol=1e-4)


def test_softmax_cross_entropy_higher_rank_and_axis():
    logits, labels = rand(2, 3, 4), np_softmax(rand(2, 3, 4))
    out = tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)
    assert out.shape.as_list() == [2, 3]
    np.testing.assert_allclose(run(out), np_xent(logits, labels), rtol=1e-10)
    if hasattr(tf, "transpose"):
        out1 = tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits, axis=1)
        assert out1.shape.as_list() == [2, 4]
        ref = np_xent(logits.transpose(0, 2, 1), labels.transpose(0, 2, 1))
        np.testing.assert_allclose(run(out1), ref, rtol=1e-10)


def test_softmax_cross_entropy_gradients():
    logits, labels = rand(3, 4, low=-3, high=3), np_softmax(rand(3, 4))
    check_gradients(lambda lo, la: tf.nn.softmax_cross_entropy_with_logits_v2(
        labels=la, logits=lo), [logits, labels])
    # v1 stops the gradient into the labels.
    lo = tf.constant(logits)
    la = tf.constant(labels)
    g = tf.gradients(tf.nn.softmax_cross_entropy_with_logits(labels=la, logits=lo), [lo, la])
    assert g[1] is None
    np.testing.assert_allclose(run(g[0]), np_softmax(logits) - labels, rtol=1e-10)
    # Second order flows through the backprop output (Hessian of the loss).
    check_gradients(lambda lo2: tf.gradients(tf.nn.softmax_cross_entropy_with_logits_v2(
        labels=tf.constant(labels), logits=lo2), lo2)[0], [logits])
    # Rank 3 goes through reshapes to the rank-2 op. (Labels must be distributions: the op's
    # backprop is softmax - labels, as in TF.)
    labels3 = np_softmax(rand(1, 2, 3))
    check_gradients(lambda lo3: tf.nn.softmax_cross_entropy_with_logits_v2(
        labels=tf.constant(labels3), logits=lo3), [rand(1, 2, 3)])


def test_cross_entropy_requires_named_arguments():
    lo, la = tf.zeros([2, 3]), tf.zeros([2, 3])
    with pytest.raises(ValueError, match=r"Only call `softmax_cross_entropy_with_logits` with "
                                         r"named arguments \(labels=\.\.\., logits=\.\.\., "
                                         r"\.\.\.\)"):
        tf.nn.softmax_cross_entropy_with_logits(la, lo)
    with pytest.raises(ValueError, match="Only call `sparse_softmax_cross_entropy_with_logits`"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(la, lo)
    with pytest.raises(ValueError, match="Only call `sigmoid_cross_entropy_with_logits`"):
        tf.nn.sigmoid_cross_entropy_with_logits(la, lo)
    with pytest.raises(ValueError, match="Both labels and logits must be provided."):
        tf.nn.softmax_cross_entropy_with_logits(logits=lo)
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 3 and 4"):
        tf.nn.softmax_cross_entropy_with_logits(labels=tf.zeros([2, 4]), logits=lo)


def test_sparse_softmax_cross_entropy(device_mode):
    logits = rand(5, 4, low=-4, high=4).astype(np.float32)
    labels = np.array([0, 3, 1, 1, 2], np.int32)
    out = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    assert out.op.type == "SparseSoftmaxCrossEntropyWithLogits"
    assert out.op.name == "SparseSoftmaxCrossEntropyWithLogits/" \
                          "SparseSoftmaxCrossEntropyWithLogits"
    ref = np_xent(logits.astype(np.float64), np.eye(4)[labels])
    v = run(out)
    assert v.dtype == np.float32
    np.testing.assert_allclose(v, ref, rtol=1e-5)
    lab3 = np.array([[0, 1, 2], [3, 3, 0]], np.int64)
    lo3 = rand(2, 3, 4)
    out3 = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=lab3, logits=lo3)
    assert out3.shape.as_list() == [2, 3]
    np.testing.assert_allclose(run(out3), np_xent(lo3, np.eye(4)[lab3]), rtol=1e-10)


def test_sparse_softmax_cross_entropy_gradients():
    labels = np.array([2, 0, 1], np.int32)
    check_gradients(lambda lo: tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=tf.constant(labels), logits=lo), [rand(3, 4)])
    check_gradients(lambda lo: tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=tf.constant(labels.reshape(1, 3)), logits=lo), [rand(1, 3, 4)])


def test_sparse_softmax_cross_entropy_has_no_second_derivative():
    lo = tf.placeholder(tf.float64, [2, 3])
    loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[0, 2], logits=lo)
    g = tf.gradients(loss, lo)[0]
    with pytest.raises(LookupError, match="no way to take the second derivative of "
                                          "sparse_softmax_cross_entropy_with_logits"):
        tf.gradients(tf.reduce_sum(g * g), lo)


def test_sparse_softmax_cross_entropy_errors():
    lo = tf.zeros([2, 3])
    with pytest.raises(ValueError, match=r"Rank mismatch: Rank of labels \(received 2\) should "
                                         r"equal rank of logits minus 1 \(received 2\)\."):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.zeros([2, 3], tf.int32),
                                                       logits=lo)
    with pytest.raises(ValueError, match="Shape mismatch: The shape of labels"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.zeros([3], tf.int32),
                                                       logits=lo)
    with pytest.raises(ValueError, match="Logits cannot be scalars"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.zeros([], tf.int32),
                                                       logits=tf.constant(1.0))
    with pytest.raises(TypeError, match="parameter 'labels' has DataType float32"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.zeros([2]), logits=lo)
    labels = tf.placeholder(tf.int32, [2], name="labels")
    out = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=lo)
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"label value of 7 which is outside the valid range of \[0, 3\)"):
        run(out, {labels: np.array([1, 7], np.int32)})


def np_sigmoid_xent(x, z):
    return np.maximum(x, 0) - x * z + np.log1p(np.exp(-np.abs(x)))


def test_sigmoid_and_weighted_cross_entropy(device_mode):
    x = np.array([[-100.0, -2.0, 0.0], [0.5, 3.0, 100.0]], np.float32)
    z = np.array([[0.0, 1.0, 0.5], [1.0, 0.0, 1.0]], np.float32)
    s = tf.nn.sigmoid_cross_entropy_with_logits(labels=z, logits=x)
    w = tf.nn.weighted_cross_entropy_with_logits(labels=z, logits=x, pos_weight=2.5)
    wt = tf.nn.weighted_cross_entropy_with_logits(targets=z, logits=x, pos_weight=1.0)
    assert s.op.name == "logistic_loss" and w.op.name == "logistic_loss_1"
    sv, wv, wtv = run([s, w, wt])
    x64, z64 = x.astype(np.float64), z.astype(np.float64)
    np.testing.assert_allclose(sv, np_sigmoid_xent(x64, z64), rtol=1e-5, atol=1e-6)
    ref_w = (1 - z64) * x64 + (1 + 1.5 * z64) * (np.log1p(np.exp(-np.abs(x64))) +
                                                 np.maximum(-x64, 0))
    np.testing.assert_allclose(wv, ref_w, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(wtv, sv, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match=r"logits and labels must have the same shape "
                                         r"\(\(2, 3\) vs \(2, 4\)\)"):
        tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.zeros([2, 4]), logits=tf.zeros([2, 3]))


def test_sigmoid_and_weighted_cross_entropy_gradients():
    x, z = away_from(rand(2, 3, low=-4, high=4), [0.0], 0.1), rand(2, 3, low=0, high=1)
    check_gradients(lambda a, b: tf.nn.sigmoid_cross_entropy_with_logits(labels=b, logits=a),
                    [x, z])
    check_gradients(lambda a, b: tf.nn.weighted_cross_entropy_with_logits(
        labels=b, logits=a, pos_weight=3.0), [x, z])


# --------------------------------------------------------------------------------------------
# top_k, in_top_k
# --------------------------------------------------------------------------------------------

def test_top_k(device_mode):
    x = np.array([[1.0, 3.0, 3.0, 2.0, -1.0], [5.0, 4.0, 5.0, 5.0, 0.0]], np.float32)
    out = tf.nn.top_k(tf.constant(x), 3)
    assert out.values.op.type == "TopKV2" and out.values.op.name == "TopKV2"
    assert out.indices.dtype == tf.int32 and out.values.shape.as_list() == [2, 3]
    v, i = run([out.values, out.indices])
    np.testing.assert_array_equal(v, [[3, 3, 2], [5, 5, 5]])
    np.testing.assert_array_equal(i, [[1, 2, 3], [0, 2, 3]])  # ties: lowest index first
    v1 = run(tf.nn.top_k(tf.constant([4, 9, 1])).values)
    np.testing.assert_array_equal(v1, [9])
    with pytest.raises(ValueError, match="input must have last dimension >= k = 6 but is 5"):
        tf.nn.top_k(tf.constant(x), 6)
    k = tf.placeholder(tf.int32, [])
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="input must have at least k columns. Had 5, needed 7"):
        run(tf.nn.top_k(tf.constant(x), k).values, {k: 7})


def test_top_k_gradient():
    check_gradients(lambda a: tf.nn.top_k(a, 2).values, [distinct(3, 4)])


def test_in_top_k(device_mode):
    pred = np.array([[0.1, 0.9, 0.9, 0.0], [0.5, 0.2, 0.3, 0.0], [np.nan, 1.0, 0.0, 0.0],
                     [0.1, 0.2, 0.3, 0.4]], np.float32)
    targets = np.array([2, 1, 1, 7], np.int32)
    r1 = tf.nn.in_top_k(pred, targets, 1)
    assert r1.op.type == "InTopKV2" and r1.op.name == "in_top_k/InTopKV2"
    assert r1.dtype == tf.bool
    r2 = tf.nn.in_top_k(pred, targets.astype(np.int64), 3)
    a, b = run([r1, r2])
    np.testing.assert_array_equal(a, [True, False, False, False])
    np.testing.assert_array_equal(b, [True, True, False, False])


# --------------------------------------------------------------------------------------------
# dropout
# --------------------------------------------------------------------------------------------

def test_dropout_keep_prob(device_mode):
    x = np.ones((200, 50), np.float32)
    y = tf.nn.dropout(tf.constant(x), 0.25, seed=1)
    assert y.op.name == "dropout/mul" and y.op.type == "Mul"
    assert y.shape.as_list() == [200, 50] and y.dtype == tf.float32
    v = run(y)
    assert set(np.unique(v)) <= {0.0, 4.0}
    assert abs((v != 0).mean() - 0.25) < 0.02
    types = {op.type for op in tf.get_default_graph().get_operations()}
    assert {"RandomUniform", "Floor", "RealDiv"} <= types


def test_dropout_rate_noise_shape_and_seed():
    x = np.ones((100, 30))
    tf.set_random_seed(3)
    y = tf.nn.dropout(tf.constant(x), rate=0.5, noise_shape=[100, 1], seed=5)
    a, b = run(y), run(y)
    np.testing.assert_array_equal(a, b)  # same graph seed and op seed: same mask per session
    rows = a[:, 0]
    assert (a == rows[:, None]).all()  # the mask is broadcast along dimension 1
    assert set(np.unique(rows)) <= {0.0, 2.0} and 0.3 < (rows != 0).mean() < 0.7
    z = tf.nn.dropout(tf.constant(x), noise_shape=[None, 1], keep_prob=0.5)
    zv = run(z)
    assert (zv == zv[:, :1]).all()


def test_dropout_keep_prob_placeholder_and_identity():
    x = tf.constant(np.arange(12.0).reshape(3, 4))
    keep = tf.placeholder(tf.float64, name="keep_prob")
    y = tf.nn.dropout(x, keep)
    np.testing.assert_array_equal(run(y, {keep: 1.0}), np.arange(12.0).reshape(3, 4))
    assert tf.nn.dropout(x, 1.0) is x
    assert tf.nn.dropout(x, rate=0.0) is x


def test_dropout_gradient_matches_the_mask():
    x = tf.constant(rand(20, 10))
    y = tf.nn.dropout(x, 0.5)
    g = tf.gradients(y, x)[0]
    yv, gv = run([y, g])
    np.testing.assert_allclose(gv, (yv != 0) * 2.0)


def test_dropout_errors():
    x = tf.zeros([2, 2])
    with pytest.raises(ValueError, match="Cannot specify both 'keep_prob' and 'rate'"):
        tf.nn.dropout(x, 0.5, rate=0.5)
    with pytest.raises(ValueError, match=r"keep_prob must be a scalar tensor or a float in "
                                         r"the range \(0, 1\], got 1.5"):
        tf.nn.dropout(x, 1.5)
    with pytest.raises(ValueError, match=r"rate must be a scalar tensor or a float in the "
                                         r"range \[0, 1\), got 1"):
        tf.nn.dropout(x, rate=1.0)
    with pytest.raises(ValueError, match="x has to be a floating point tensor since it's "
                                         "going to be scaled. Got a int32 tensor instead."):
        tf.nn.dropout(tf.zeros([2], tf.int32), 0.5)
    with pytest.raises(ValueError, match="You must provide a rate to dropout."):
        tf.nn.dropout(x)


# --------------------------------------------------------------------------------------------
# embedding_lookup, zero_fraction, xw_plus_b, relu_layer
# --------------------------------------------------------------------------------------------

def test_embedding_lookup(device_mode):
    params = rand(5, 3)
    ids = np.array([[1, 4], [0, 0]], np.int32)
    out = tf.nn.embedding_lookup(tf.constant(params), ids)
    assert out.op.name == "embedding_lookup/Identity"
    assert out.op.inputs[0].op.type == "GatherV2"
    assert out.shape.as_list() == [2, 2, 3]
    np.testing.assert_array_equal(run(out), params[ids])
    mod = tf.nn.embedding_lookup([tf.constant(params[0::2]), tf.constant(params[1::2])], ids)
    div = tf.nn.embedding_lookup([tf.constant(params[:3]), tf.constant(params[3:])], ids,
                                 partition_strategy="div")
    a, b = run([mod, div])
    np.testing.assert_array_equal(a, params[ids])
    np.testing.assert_array_equal(b, params[ids])


def test_embedding_lookup_gradient_and_variable():
    v = tf.Variable(rand(4, 2), name="emb")
    out = tf.nn.embedding_lookup(v, [3, 1, 3])
    g = tf.gradients(tf.reduce_sum(out), v)[0]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        gv = sess.run(g)
    if hasattr(gv, "indices"):  # IndexedSlices, as TF returns for a gather
        dense = np.zeros((4, 2))
        np.add.at(dense, np.asarray(gv.indices), np.asarray(gv.values))
    else:
        dense = gv
    np.testing.assert_array_equal(dense, [[0, 0], [1, 1], [0, 0], [2, 2]])
    with pytest.raises(ValueError, match="Need at least one param"):
        tf.nn.embedding_lookup([], [0])


def test_zero_fraction_xw_plus_b_relu_layer(device_mode):
    x = np.array([[0.0, 1.0, -2.0], [0.0, 0.0, 3.0]], np.float32)
    w, b = rand(3, 2).astype(np.float32), rand(2).astype(np.float32)
    zf = tf.nn.zero_fraction(tf.constant(x))
    xw = tf.nn.xw_plus_b(tf.constant(x), tf.constant(w), tf.constant(b))
    rl = tf.nn.relu_layer(tf.constant(x), tf.constant(w), tf.constant(b))
    assert zf.dtype == tf.float32
    assert xw.op.type == "BiasAdd" and xw.op.name == "xw_plus_b"
    assert rl.op.type == "Relu" and rl.op.name == "relu_layer"
    a, c, d = run([zf, xw, rl])
    assert a == pytest.approx(0.5)
    np.testing.assert_allclose(c, x @ w + b, rtol=1e-5)
    np.testing.assert_allclose(d, np.maximum(x @ w + b, 0), rtol=1e-5)
    check_gradients(lambda p, q, r: tf.nn.relu_layer(p, q, r),
                    [x.astype(np.float64), w.astype(np.float64), np.array([0.3, -0.2])])


def test_graph_def_export_of_nn_ops():
    if not hasattr(tf.Graph, "as_graph_def"):
        pytest.skip("no GraphDef export")
    x = tf.placeholder(tf.float32, [1, 4, 4, 2])
    y = tf.nn.max_pool(tf.nn.relu(tf.nn.conv2d(x, tf.ones([3, 3, 2, 2]), [1, 1, 1, 1],
                                               "SAME")), [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
    tf.gradients(tf.nn.l2_loss(y), x)
    try:
        gd = tf.get_default_graph().as_graph_def()
    except NotImplementedError:
        pytest.skip("GraphDef export not available")
    nodes = {n.name: n for n in gd.node}
    assert nodes["Conv2D"].attr["padding"].s == b"SAME"
    assert list(nodes["MaxPool"].attr["ksize"].list.i) == [1, 2, 2, 1]
    assert nodes["gradients/MaxPool_grad/MaxPoolGrad"].op == "MaxPoolGrad"


def test_graph_def_round_trip_of_nn_ops_and_gradients():
    if not hasattr(tf, "import_graph_def"):
        pytest.skip("no tf.import_graph_def")
    x = tf.placeholder(tf.float32, [2, 6, 6, 3], name="x")
    w = tf.constant(rand(3, 3, 3, 4).astype(np.float32))
    y = tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME"), tf.ones([4])))
    y = tf.nn.max_pool(y, [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
    y = tf.nn.lrn(tf.nn.fused_batch_norm(y, tf.ones([4]), tf.zeros([4]))[0])
    loss = tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=tf.constant([1, 2]), logits=tf.reshape(y, [2, -1]))
    g = tf.gradients(loss, x)[0]
    xv = rand(2, 6, 6, 3).astype(np.float32)
    ref = run([loss, g], {x: xv})
    gd = tf.get_default_graph().as_graph_def()
    with tf.Graph().as_default() as g2:
        tf.import_graph_def(gd, name="")
        out = run([g2.get_tensor_by_name(loss.name), g2.get_tensor_by_name(g.name)],
                  {g2.get_tensor_by_name("x:0"): xv})
    np.testing.assert_allclose(out[0], ref[0], rtol=1e-6)
    np.testing.assert_allclose(out[1], ref[1], rtol=1e-6)
