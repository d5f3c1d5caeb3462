"""Closes the op library's coverage gaps (found with ``tools/op_coverage.py``).

* numerical gradient checks (tests/gradcheck.py) for the differentiable op types no other test
  checked: AddV2, Div, FloorDiv, TruncateDiv, Rint, Cast, DynamicStitch, IdentityN,
  PlaceholderWithDefault, SparseToDense, FusedBatchNorm/V2, LRN, the activation gradient ops
  (Relu6Grad, EluGrad, SeluGrad, SoftplusGrad, SoftsignGrad), MaxPoolGradGrad, the depthwise
  backprops; and second derivatives of every activation (gradients of gradients);
* the ops that are not differentiable in TF (Assign, OneHot, TruncateMod) and the complex
  gradients (ComplexAbs, Conj), RefSwitch/RefMerge;
* forward and backward graphs of the ops no test ran on the strict device;
* NaN and inf flowing through the NN kernels;
* the ``tf.math``, ``tf.linalg`` and ``tf.random`` namespaces and their compositions.
"""
import numpy as np
import pytest

import tensorslim as tf
from tensorslim.core.op_util import apply_op
from tensorslim.core.ops import cond_ops
from tests.gradcheck import check_gradients

RNG = np.random.default_rng(11)
SELU_A, SELU_S = 1.6732632423543772, 1.0507009873554805


def run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


def rand(*shape, low=-1.0, high=1.0):
    return RNG.uniform(low, high, size=shape)


def distinct(*shape):
    """Values 0.01 apart in random order: no ties for max pooling."""
    n = int(np.prod(shape))
    return (RNG.permutation(n) * 0.01 - n * 0.005).reshape(shape)


def raw(op_type, inputs, attrs=None, n_out=1):
    """Builds ``op_type`` directly (T = the first input's dtype) and returns its outputs."""
    a = {"T": inputs[0].dtype.base_dtype}
    a.update(attrs or {})
    dt = inputs[0].dtype.base_dtype
    outs = apply_op(op_type, inputs, [dt] * n_out, attrs=a).outputs
    return outs[0] if n_out == 1 else outs


# --------------------------------------------------------------------------------------------
# Gradient checks for op types no other test checked
# --------------------------------------------------------------------------------------------

def _away_from_integers(v, margin=0.2):
    """Shifts ``v`` so that no element is within ``margin`` of an integer."""
    frac = v - np.floor(v)
    return np.floor(v) + np.clip(frac, margin, 1 - margin)


GRAD_CASES = {
    "AddV2": (lambda x, y: raw("AddV2", [x, y]), [rand(2, 3), rand(3)], {}),
    # tf.div builds RealDiv for floats (as TF1); Div itself comes from imported GraphDefs.
    "Div": (lambda x, y: raw("Div", [x, y]), [rand(2, 3), rand(3, low=0.5, high=2.0)], {}),
    # floor/trunc of a quotient: piecewise constant, so the gradients are zero (None in TF).
    "FloorDiv": (lambda x, y: tf.floordiv(x, y),
                 [_away_from_integers(rand(2, 3, low=-5, high=5)), np.ones((2, 3))], {}),
    "TruncateDiv": (lambda x, y: tf.truncatediv(x, y),
                    [_away_from_integers(rand(2, 3, low=-5, high=5)), np.ones((2, 3))], {}),
    "Rint": (lambda x: tf.rint(x), [_away_from_integers(rand(6, low=-4, high=4) + 0.5) - 0.5],
             {}),
    "Cast": (lambda x: tf.cast(x, tf.float32) * 2.0, [rand(2, 3)],
             {"delta": 1e-3, "rtol": 1e-3, "atol": 1e-4}),
    "DynamicStitch": (lambda a, b: tf.dynamic_stitch([[0, 3], [4, 1, 2]], [a, b]),
                      [rand(2, 3), rand(3, 3)], {}),
    "IdentityN": (lambda a, b: (lambda o: o[0] * 2.0 + o[1] * o[1])(tf.identity_n([a, b])),
                  [rand(2, 2), rand(2, 2)], {}),
    "PlaceholderWithDefault": (lambda x: tf.placeholder_with_default(x, [2, 3]) * x,
                               [rand(2, 3)], {}),
    "SparseToDense": (lambda v, d: tf.sparse_to_dense([[0, 1], [2, 0]], [3, 2], v, d),
                      [rand(2), np.array(0.3)], {}),
    "SparseToDense-scalar-value": (
        lambda v, d: tf.sparse_to_dense([[0, 1], [2, 0]], [3, 2], v, d),
        [np.array(1.5), np.array(0.3)], {}),
}


@pytest.mark.parametrize("name", sorted(GRAD_CASES))
def test_gradient(name):
    build, inputs, kwargs = GRAD_CASES[name]
    check_gradients(build, inputs, **kwargs)


def test_cast_to_integer_has_no_gradient():
    x = tf.placeholder(tf.float32, [3])
    assert tf.gradients(tf.cast(x, tf.int32), x) == [None]


@pytest.mark.parametrize("op_type", ["FusedBatchNorm", "FusedBatchNormV2"])
@pytest.mark.parametrize("is_training", [True, False])
def test_fused_batch_norm_v1_v2_forward_and_gradients(op_type, is_training):
    """The older FusedBatchNorm versions (imported GraphDefs) compute what V3 computes."""
    def build(x, scale, offset, mean, var):
        attrs = {"T": tf.float64, "epsilon": 0.001, "data_format": "NHWC",
                 "is_training": is_training}
        if op_type == "FusedBatchNormV2":
            attrs["U"] = tf.float64
        if is_training:
            mean = tf.constant(np.zeros(0))
            var = tf.constant(np.zeros(0))
        op = apply_op(op_type, [x, scale, offset, mean, var], [tf.float64] * 5, attrs=attrs)
        return op.outputs[0]
    x, scale, offset = rand(3, 2, 2, 2), rand(2, low=0.5, high=1.5), rand(2)
    mean, var = rand(2), rand(2, low=0.5, high=1.5)
    with tf.Graph().as_default():
        y = build(*[tf.constant(v) for v in (x, scale, offset, mean, var)])
        got = run(y)
    if is_training:
        mean, var = x.mean(axis=(0, 1, 2)), x.var(axis=(0, 1, 2))
    np.testing.assert_allclose(got, (x - mean) / np.sqrt(var + 0.001) * scale + offset,
                               rtol=1e-10)
    check_gradients(build, [x, scale, offset, mean, var], wrt=[0, 1, 2])


def ref_lrn(x, r, bias, alpha, beta):
    sq = np.pad(x * x, [(0, 0)] * 3 + [(r, r)])
    s = sum(sq[..., i:i + x.shape[-1]] for i in range(2 * r + 1))
    return x / (bias + alpha * s) ** beta


@pytest.mark.parametrize("r, bias, alpha, beta", [(2, 1.0, 0.5, 0.75), (1, 2.0, 1.0, 0.5)])
def test_lrn_gradient_float64(r, bias, alpha, beta):
    """LRN (and its LRNGrad kernel) built in float64 so central differences are exact."""
    attrs = {"depth_radius": r, "bias": bias, "alpha": alpha, "beta": beta}
    x = rand(2, 2, 3, 5)
    np.testing.assert_allclose(run(raw("LRN", [tf.constant(x)], attrs)),
                               ref_lrn(x, r, bias, alpha, beta), rtol=1e-12)
    check_gradients(lambda t: raw("LRN", [t], attrs), [x])


# Gradient ops of the activations: (op, numpy formula of its output, arguments' ranges).
ACT_GRAD_OPS = {
    "Relu6Grad": (lambda dy, x: dy * ((x > 0) & (x < 6)), (-1, 7)),
    "EluGrad": (lambda dy, y: np.where(y < 0, dy * (y + 1), dy), (-0.9, 2)),
    "SeluGrad": (lambda dy, y: np.where(y < 0, dy * (y + SELU_A * SELU_S), dy * SELU_S),
                 (-1.5, 2)),
    "SoftplusGrad": (lambda dy, x: dy / (1 + np.exp(-x)), (-4, 4)),
    "SoftsignGrad": (lambda dy, x: dy / (1 + np.abs(x)) ** 2, (-4, 4)),
}


def _second_arg(name):
    low, high = ACT_GRAD_OPS[name][1]
    v = rand(3, 4, low=low, high=high)
    for kink in (0.0, 6.0):
        v[np.abs(v - kink) < 0.05] = kink + 0.1
    return v


@pytest.mark.parametrize("name", sorted(ACT_GRAD_OPS))
def test_activation_gradient_op(name, device_mode):
    ref = ACT_GRAD_OPS[name][0]
    dy, b = rand(3, 4), _second_arg(name)
    out = run(raw(name, [tf.constant(dy), tf.constant(b)]))
    np.testing.assert_allclose(out, ref(dy, b), rtol=1e-12)
    if device_mode == "cpu":
        check_gradients(lambda p, q: raw(name, [p, q]), [dy, b])


ACTIVATIONS = {
    "relu": (tf.nn.relu, [0.0]), "relu6": (tf.nn.relu6, [0.0, 6.0]),
    "elu": (tf.nn.elu, [0.0]), "selu": (tf.nn.selu, [0.0]),
    "leaky_relu": (tf.nn.leaky_relu, [0.0]), "softplus": (tf.nn.softplus, []),
    "softsign": (tf.nn.softsign, [0.0]), "sigmoid": (tf.sigmoid, []), "tanh": (tf.tanh, []),
}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_second_derivative_of_activation(name):
    """Gradients of gradients: d/dx of (d/dx sum(f(x) * x)) through each activation."""
    fn, kinks = ACTIVATIONS[name]
    x = rand(2, 5, low=-7, high=7)
    for k in kinks:
        x[np.abs(x - k) < 0.1] = k + 0.3

    def build(t):
        return tf.gradients(tf.reduce_sum(fn(t) * t), t)[0]
    check_gradients(build, [x], rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("padding", ["SAME", "VALID"])
def test_max_pool_third_order(padding):
    """MaxPoolGradGrad's gradient routes ``grad`` back through the same maxima."""
    x = distinct(1, 4, 5, 2)

    def build(t, g):
        y = tf.nn.max_pool(t, [1, 2, 2, 1], [1, 2, 2, 1], padding)
        return raw("MaxPoolGradGrad", [t, y, g], {"ksize": [1, 2, 2, 1],
                                                  "strides": [1, 2, 2, 1],
                                                  "padding": padding,
                                                  "data_format": "NHWC"})
    check_gradients(build, [x, rand(1, 4, 5, 2)])


@pytest.mark.parametrize("padding", ["SAME", "VALID"])
@pytest.mark.parametrize("stride", [1, 2])
def test_depthwise_backprop_gradients(padding, stride):
    x_shape, w_shape = [2, 5, 5, 2], [3, 3, 2, 2]
    strides = [1, stride, stride, 1]
    with tf.Graph().as_default():
        dy_shape = tf.nn.depthwise_conv2d_native(tf.zeros(x_shape), tf.zeros(w_shape), strides,
                                                 padding).shape.as_list()
    w, dy, x = rand(*w_shape), rand(*dy_shape), rand(*x_shape)
    check_gradients(lambda a, b: tf.nn.depthwise_conv2d_native_backprop_input(
        x_shape, a, b, strides, padding), [w, dy])
    check_gradients(lambda a, b: tf.nn.depthwise_conv2d_native_backprop_filter(
        a, w_shape, b, strides, padding), [x, dy])


# --------------------------------------------------------------------------------------------
# Not differentiable (as in TF), complex gradients, reference switches
# --------------------------------------------------------------------------------------------

def test_assign_and_one_hot_are_not_differentiable():
    x = tf.placeholder(tf.float32, [3])
    v = tf.Variable([1.0, 2.0, 3.0])
    assert tf.gradients(tf.assign(v, 2.0 * x), x) == [None]
    on = tf.placeholder(tf.float32, [])
    assert tf.gradients(tf.one_hot([0, 2], 3, on_value=on), on) == [None]


def test_truncatemod_has_no_gradient_as_in_tf():
    x = tf.placeholder(tf.float32, [3])
    with pytest.raises(LookupError, match=r"No gradient defined for operation 'TruncateMod'"):
        tf.gradients(tf.truncatemod(x, 2.0), x)


def test_complex_abs_and_conj_gradients(device_mode):
    z = np.array([3 + 4j, -1 + 0j, 0j, 0.5 - 2j])
    zt = tf.constant(z)
    a, c = tf.abs(zt), tf.conj(zt)
    assert (a.op.type, a.dtype, c.op.type) == ("ComplexAbs", tf.float64, "Conj")
    g = np.array([2.0, 1.0, 1.0, -1.0])
    gc = np.array([1 + 1j, 2j, 1, -3 - 1j])
    ga = tf.gradients(a, zt, grad_ys=tf.constant(g))[0]
    gcc = tf.gradients(c, zt, grad_ys=tf.constant(gc))[0]
    out = run([a, c, ga, gcc])
    mag = np.abs(z)
    np.testing.assert_allclose(out[0], mag)
    np.testing.assert_allclose(out[1], np.conj(z))
    np.testing.assert_allclose(out[2], np.where(mag > 0, g * z / np.where(mag > 0, mag, 1), 0))
    np.testing.assert_allclose(out[3], np.conj(gc))
    assert tf.conj(tf.constant([1.0])).op.type == "Const"  # real input: returned as is


@pytest.mark.parametrize("pred", [True, False])
def test_ref_switch_and_ref_merge_gradients(pred, device_mode):
    x0 = np.array([1.0, -2.0, 3.0])
    v = tf.Variable(x0)
    f, t = cond_ops.ref_switch(v, tf.constant(pred))
    m = cond_ops.merge([f, t])[0]
    assert (f.op.type, m.op.type) == ("RefSwitch", "RefMerge")
    y = tf.reduce_sum(m * m * 1.5)
    g = tf.gradients(y, v)[0]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_allclose(sess.run(g), 3.0 * x0)


# --------------------------------------------------------------------------------------------
# Forward and backward graphs on the strict device (the ops no other test ran there)
# --------------------------------------------------------------------------------------------

def _fbn(training):
    def build(x):
        scale, offset = tf.constant([1.5, 0.5]), tf.constant([0.1, -0.2])
        if training:
            return tf.nn.fused_batch_norm(x, scale, offset, epsilon=1e-3)[0]
        return tf.nn.fused_batch_norm(x, scale, offset, tf.constant([0.1, 0.2]),
                                      tf.constant([1.0, 2.0]), is_training=False)[0]
    return build


def _fbn_old(op_type):
    def build(x):
        zeros = tf.zeros([0])
        attrs = {"T": tf.float32, "epsilon": 1e-3, "data_format": "NHWC", "is_training": True}
        if op_type == "FusedBatchNormV2":
            attrs["U"] = tf.float32
        op = apply_op(op_type, [x, x[0, 0, 0] + 1.0, tf.zeros([2]), zeros, zeros],
                      [tf.float32] * 5, attrs=attrs)
        return op.outputs[0]
    return build


def _filter_from(x, shape):
    """A filter made of ``x``'s first values, so the filter gradient is computed too."""
    return tf.reshape(tf.reshape(x, [-1])[:int(np.prod(shape))], shape)


STRICT_CASES = {
    "avg_pool": lambda x: tf.nn.avg_pool(x, [1, 2, 2, 1], [1, 1, 1, 1], "SAME"),
    "max_pool_with_argmax": lambda x: tf.nn.max_pool_with_argmax(
        x, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")[0],
    "conv2d": lambda x: tf.nn.conv2d(x, _filter_from(x, [2, 1, 2, 3]), [1, 1, 1, 1], "SAME"),
    "depthwise": lambda x: tf.nn.depthwise_conv2d_native(
        x, _filter_from(x, [2, 2, 2, 2]), [1, 2, 2, 1], "SAME"),
    "elu": tf.nn.elu, "selu": tf.nn.selu, "softplus": tf.nn.softplus,
    "softsign": tf.nn.softsign, "relu6": lambda x: tf.nn.relu6(x * 8.0),
    "lrn": lambda x: tf.nn.lrn(x, depth_radius=1, alpha=0.5, beta=0.75),
    "fused_batch_norm_training": _fbn(True),
    "fused_batch_norm_inference": _fbn(False),
    "fused_batch_norm_v1": _fbn_old("FusedBatchNorm"),
    "fused_batch_norm_v2": _fbn_old("FusedBatchNormV2"),
    "rint": lambda x: x * tf.rint(x * 3.0),
    "div": lambda x: raw("Div", [x, 2.0 + x * x]),
    "add_v2": lambda x: raw("AddV2", [x, tf.reduce_mean(x, axis=[0, 1])]),
    "identity_n": lambda x: tf.identity_n([x, x * 2.0])[1],
    "placeholder_with_default": lambda x: tf.placeholder_with_default(x, x.shape) * x,
    "sparse_to_dense": lambda x: tf.reshape(x, [-1])[:4] * tf.sparse_to_dense(
        [[0], [2]], [4], [1.5, -1.0], 0.5),
    "ones_like": lambda x: raw("OnesLike", [x]) * x,
    "complex_abs": lambda x: tf.abs(tf.cast(x, tf.complex64)) * x,
}


@pytest.mark.parametrize("name", sorted(STRICT_CASES))
def test_forward_and_backward_on_strict_device(name, device_mode):
    """Each graph gives the same values and gradients on numpy and on the strict device."""
    x = distinct(2, 4, 4, 2).astype(np.float32)
    results = {}
    for mode in ("cpu", device_mode):
        with tf.Graph().as_default():
            xt = tf.constant(x)
            y = STRICT_CASES[name](xt)
            g = tf.gradients(tf.reduce_sum(y * y), xt)[0]
            if mode == "cpu":
                with tf.Session(config=tf.ConfigProto(device_count={"GPU": 0})) as sess:
                    results[mode] = sess.run([y, g])
            else:
                results[mode] = run([y, g])
    for a, b in zip(results["cpu"], results[device_mode]):
        assert a.dtype == np.float32 and b.dtype == np.float32
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-5)


def test_in_top_k_and_variable_updates(device_mode):
    pred = tf.constant([[0.1, 0.9, 0.0], [0.5, 0.2, 0.3]])
    hits = tf.nn.in_top_k(pred, tf.constant([1, 2]), 1)
    # InTopK (k an attr) is the version-1 op found in older GraphDefs.
    hits_v1 = apply_op("InTopK", [pred, tf.constant([2, 2])], [tf.bool],
                       attrs={"T": tf.int32, "k": 2}).outputs[0]
    v = tf.Variable([1.0, 2.0])
    add, sub = tf.assign_add(v, [1.0, 1.0]), tf.assign_sub(v, [0.5, 0.5])
    with tf.Session() as sess:
        assert sess.run(hits).tolist() == [True, False]
        assert sess.run(hits_v1).tolist() == [False, True]
        sess.run(v.initializer)
        np.testing.assert_allclose(sess.run(add), [2.0, 3.0])
        np.testing.assert_allclose(sess.run(sub), [1.5, 2.5])


# --------------------------------------------------------------------------------------------
# NaN and inf flow through the NN kernels (warnings are errors in this test suite)
# --------------------------------------------------------------------------------------------

NAN_INF_CASES = {
    "relu": tf.nn.relu, "elu": tf.nn.elu, "softplus": tf.nn.softplus,
    "softsign": tf.nn.softsign, "sigmoid": tf.sigmoid,
    "softmax": tf.nn.softmax, "log_softmax": tf.nn.log_softmax,
    "bias_add": lambda x: tf.nn.bias_add(x, tf.constant([1.0, 2.0])),
    "conv2d": lambda x: tf.nn.conv2d(x, tf.ones([2, 2, 2, 3]), [1, 1, 1, 1], "SAME"),
    "max_pool": lambda x: tf.nn.max_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "VALID"),
    "avg_pool": lambda x: tf.nn.avg_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "VALID"),
    "l2_normalize": lambda x: tf.nn.l2_normalize(x, axis=-1),
    "lrn": tf.nn.lrn,
    "fused_batch_norm": lambda x: tf.nn.fused_batch_norm(x, tf.ones([2]), tf.zeros([2]))[0],
    "moments": lambda x: tf.nn.moments(x, [0, 1, 2])[1],
    "softmax_xent": lambda x: tf.nn.softmax_cross_entropy_with_logits_v2(
        labels=tf.fill(tf.shape(x), 0.5), logits=x),
    "sparse_softmax_xent": lambda x: tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=tf.zeros([2, 4, 4], tf.int32), logits=x),
    "sigmoid_xent": lambda x: tf.nn.sigmoid_cross_entropy_with_logits(
        labels=tf.ones_like(x), logits=x),
    "matmul": lambda x: tf.matmul(tf.reshape(x, [-1, 2]), tf.ones([2, 3])),
    "reduce_logsumexp": lambda x: tf.reduce_logsumexp(x, axis=-1),
}


@pytest.mark.parametrize("name", sorted(NAN_INF_CASES))
def test_nan_and_inf_flow_through(name, device_mode):
    x = rand(2, 4, 4, 2).astype(np.float32)
    x[0, 0, 0, 0], x[0, 1, 1, 1], x[1, 2, 2, 0] = np.nan, np.inf, -np.inf
    xt = tf.constant(x)
    y = NAN_INF_CASES[name](xt)
    g = tf.gradients(tf.reduce_sum(y), xt)[0]
    out, grad = run([y, g])
    assert out.dtype == np.float32 and grad.dtype == np.float32
    assert not np.isfinite(out).all() or not np.isfinite(grad).all()
    if name not in ("moments", "fused_batch_norm", "sparse_softmax_xent"):
        # Elements far from the bad ones stay finite (batch statistics mix everything).
        assert np.isfinite(out.reshape(-1)[-1])


# --------------------------------------------------------------------------------------------
# tf.math, tf.linalg, tf.random
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("namespace, alias, target", [
    ("math", "reduce_sum", "reduce_sum"), ("math", "add", "add"), ("math", "log1p", "log1p"),
    ("math", "argmax", "argmax"), ("math", "count_nonzero", "count_nonzero"),
    ("math", "divide_no_nan", "div_no_nan"), ("math", "segment_sum", "segment_sum"),
    ("math", "log_sigmoid", "log_sigmoid"), ("math", "conj", "conj"),
    ("math", "invert_permutation", "invert_permutation"), ("math", "is_nan", "is_nan"),
    ("math", "softmax", "nn.softmax"), ("math", "in_top_k", "nn.in_top_k"),
    ("math", "top_k", "nn.top_k"), ("math", "l2_normalize", "nn.l2_normalize"),
    ("math", "zero_fraction", "nn.zero_fraction"),
    ("linalg", "matmul", "matmul"), ("linalg", "einsum", "einsum"), ("linalg", "norm", "norm"),
    ("linalg", "tensordot", "tensordot"), ("linalg", "eye", "eye"),
    ("linalg", "diag", "matrix_diag"), ("linalg", "diag_part", "matrix_diag_part"),
    ("linalg", "set_diag", "matrix_set_diag"), ("linalg", "tensor_diag", "diag"),
    ("linalg", "tensor_diag_part", "diag_part"), ("linalg", "inv", "matrix_inverse"),
    ("linalg", "det", "matrix_determinant"), ("linalg", "transpose", "matrix_transpose"),
    ("linalg", "trace", "trace"), ("linalg", "global_norm", "global_norm"),
    ("linalg", "l2_normalize", "nn.l2_normalize"),
    ("random", "normal", "random_normal"), ("random", "uniform", "random_uniform"),
    ("random", "shuffle", "random_shuffle"), ("random", "truncated_normal",
                                              "truncated_normal"),
    ("random", "multinomial", "multinomial"), ("random", "gamma", "random_gamma"),
    ("random", "set_random_seed", "set_random_seed"), ("random", "get_seed", "get_seed"),
])
def test_namespace_aliases(namespace, alias, target):
    obj = tf
    for part in target.split("."):
        obj = getattr(obj, part)
    assert getattr(getattr(tf, namespace), alias) is obj
    assert alias in getattr(tf, namespace).__all__


def test_reduce_variance_std_euclidean_norm(device_mode):
    x = rand(3, 4)
    xt = tf.constant(x)
    outs = run([tf.math.reduce_variance(xt), tf.math.reduce_variance(xt, axis=1, keepdims=True),
                tf.math.reduce_std(xt, axis=0), tf.math.reduce_euclidean_norm(xt, axis=[0, 1])])
    np.testing.assert_allclose(outs[0], x.var())
    np.testing.assert_allclose(outs[1], x.var(axis=1, keepdims=True))
    np.testing.assert_allclose(outs[2], x.std(axis=0))
    np.testing.assert_allclose(outs[3], np.sqrt((x * x).sum()))
    assert tf.math.reduce_variance(xt, name="v").name.startswith("v/")
    with pytest.raises(TypeError, match="floating-point"):
        tf.math.reduce_variance(tf.constant([1, 2]))
    if device_mode == "cpu":
        check_gradients(lambda t: tf.math.reduce_variance(t, axis=0), [x])
        check_gradients(lambda t: tf.math.reduce_std(t, axis=1), [x])
        check_gradients(lambda t: tf.math.reduce_euclidean_norm(t, axis=1), [x])


def test_log_sigmoid_is_stable(device_mode):
    x = np.array([-1000.0, -20.0, 0.0, 3.0, 1000.0], np.float32)
    y = tf.log_sigmoid(tf.constant(x))
    assert y.op.type == "Neg" and y.op.name == "LogSigmoid"
    np.testing.assert_allclose(run(y), -np.logaddexp(0.0, -x.astype(np.float64)), rtol=1e-6)
    if device_mode == "cpu":
        check_gradients(tf.log_sigmoid, [rand(6, low=-5, high=5)])


def test_matrix_transpose_adjoint_trace(device_mode):
    x = rand(2, 3, 4)
    xt = tf.constant(x)
    t = tf.matrix_transpose(xt)
    assert t.op.type == "Transpose" and t.shape.as_list() == [2, 4, 3]
    assert t.op.name == "matrix_transpose/transpose"
    z = x + 1j * rand(2, 3, 4)
    sq = rand(2, 3, 3)
    outs = run([t, tf.linalg.adjoint(tf.constant(z)), tf.trace(tf.constant(sq)),
                tf.linalg.transpose(tf.placeholder_with_default(x, None))])
    np.testing.assert_allclose(outs[0], x.transpose(0, 2, 1))
    np.testing.assert_allclose(outs[1], np.conj(z.transpose(0, 2, 1)))
    np.testing.assert_allclose(outs[2], np.trace(sq, axis1=1, axis2=2))
    np.testing.assert_allclose(outs[3], x.transpose(0, 2, 1))
    with pytest.raises(ValueError, match="should be a \\(batch\\) matrix, with rank >= 2"):
        tf.matrix_transpose(tf.constant([1.0, 2.0]))
    if device_mode == "cpu":
        check_gradients(tf.trace, [sq])
        check_gradients(tf.linalg.transpose, [x])


def test_transpose_conjugate():
    z = np.array([[1 + 2j, 3 - 1j]])
    np.testing.assert_allclose(run(tf.transpose(tf.constant(z), conjugate=True)), np.conj(z.T))


def test_random_categorical():
    tf.set_random_seed(3)
    logits = tf.constant([[0.0, 10.0, -10.0], [10.0, -10.0, 0.0]])
    s = tf.random.categorical(logits, 50, dtype=tf.int32)
    assert s.dtype == tf.int32 and s.shape.as_list() == [2, 50]
    assert s.op.type == "Multinomial" and s.op.name == "categorical/Multinomial"
    out = run(s)
    assert (out[0] == 1).mean() > 0.9 and (out[1] == 0).mean() > 0.9
    assert tf.random.categorical(logits, 2).dtype == tf.int64


def test_session_run_leaves_numpy_error_state_alone():
    """Kernels run with floating-point warnings off (TF's silent IEEE semantics); the
    caller's numpy error state is restored afterwards, also when the run fails."""
    before = np.geterr()
    x = tf.placeholder(tf.float32)
    y = tf.log(x) - tf.log(x)
    assert np.isnan(run(y, {x: 0.0}))
    assert np.geterr() == before
    with pytest.raises(tf.errors.InvalidArgumentError):
        run(tf.check_numerics(y, "nan here"), {x: 0.0})
    assert np.geterr() == before
    with np.errstate(invalid="raise"):
        assert np.isnan(run(y, {x: 0.0}))
        assert np.geterr()["invalid"] == "raise"
