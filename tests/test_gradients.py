"""tf.gradients: names, path sums, None/zero results, stop_gradient(s), grad_ys, higher
order, hessians, custom gradients and gradient overrides."""
import numpy as np
import pytest

import tensorslim as tf
from gradcheck import check_gradients
from tensorslim.core.registry import register_op


def _types():
    return {op.name: op.type for op in tf.get_default_graph().get_operations()}


def test_default_grad_ys_names_and_scopes():
    x = tf.placeholder(tf.float32, [2], name="x")
    y = x * x
    g = tf.gradients(y, x)[0]
    types = _types()
    assert types["gradients/grad_ys_0"] == "Const"
    assert types["gradients/Fill"] == "Fill"
    assert "gradients/Shape" in types
    assert g.name.startswith("gradients/")
    assert any(n.startswith("gradients/mul_grad/") for n in types)
    g2 = tf.gradients(y, x)[0]
    assert g2.name.startswith("gradients_1/")
    g3 = tf.gradients(y, x, name="my_grads")[0]
    assert g3.name.startswith("my_grads/")


def test_paths_are_summed_with_add_n():
    x = tf.placeholder(tf.float32, [], name="x")
    y = x * 2.0 + x * 3.0
    g = tf.gradients(y, x)[0]
    assert g.op.type == "AddN" and g.name == "gradients/AddN:0"
    with tf.Session() as sess:
        assert sess.run(g, {x: 1.0}) == 5.0


def test_unconnected_and_integer_inputs():
    x = tf.placeholder(tf.float32, [2])
    z = tf.placeholder(tf.float32, [2])
    n = tf.placeholder(tf.int32, [2])
    y = x * 2.0 + tf.cast(n, tf.float32)
    assert tf.gradients(y, [x, z, n])[1:] == [None, None]
    gz = tf.gradients(y, z, unconnected_gradients="zero")[0]
    gz2 = tf.gradients(y, z, unconnected_gradients=tf.UnconnectedGradients.ZERO)[0]
    assert tf.gradients(tf.cast(x, tf.int32), x) == [None]
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(gz, {z: [1, 2]}), [0, 0])
        np.testing.assert_allclose(sess.run(gz2, {z: [1, 2]}), [0, 0])
    with pytest.raises(ValueError, match="Unknown value for unconnected_gradients: 'blah'"):
        tf.gradients(y, x, unconnected_gradients="blah")


def test_gradient_of_x_wrt_itself_and_constants():
    x = tf.placeholder(tf.float32, [3])
    c = tf.constant(1.0)
    g, gc = tf.gradients(x, [x, c])
    assert gc is None
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(g, {x: [1, 2, 3]}), [1, 1, 1])


def test_stop_gradient_op_and_stop_gradients_argument():
    a = tf.constant(2.0)
    b = a * 3.0
    assert tf.gradients(tf.stop_gradient(a) * a, a)[0] is not None
    ga, gb = tf.gradients(a + b, [a, b], stop_gradients=[a, b])
    full = tf.gradients(a + b, a)[0]
    stopped = tf.gradients(a * tf.stop_gradient(a), a)[0]
    with tf.Session() as sess:
        assert sess.run([ga, gb]) == [1.0, 1.0]
        assert sess.run(full) == 4.0
        assert sess.run(stopped) == 2.0


def test_grad_ys():
    x = tf.placeholder(tf.float32, [2])
    y = x * 3.0
    g = tf.gradients(y, x, grad_ys=tf.constant([1.0, 10.0]))[0]
    g2 = tf.gradients([y, x], x, grad_ys=[[2.0, 2.0], None])[0]
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(g, {x: [1, 1]}), [3, 30])
        np.testing.assert_allclose(sess.run(g2, {x: [1, 1]}), [7, 7])
    with pytest.raises(ValueError, match="Passed 1 grad_ys for 2 ys"):
        tf.gradients([y, x], x, grad_ys=[None])
    with pytest.raises(ValueError, match="Incompatible shapes between grad_ys and ys"):
        tf.gradients(y, x, grad_ys=tf.constant([1.0, 2.0, 3.0]))
    with pytest.raises(TypeError, match="Gradients of complex tensors must set grad_ys"):
        tf.gradients(tf.cast(x, tf.complex64), x)


def test_options_accepted():
    x = tf.placeholder(tf.float32, [2])
    y = x * x * 2.0
    outs = [tf.gradients(y, x, gate_gradients=True)[0],
            tf.gradients(y, x, colocate_gradients_with_ops=True)[0],
            tf.gradients(y, x, aggregation_method=tf.AggregationMethod.EXPERIMENTAL_TREE)[0]]
    with tf.Session() as sess:
        for v in sess.run(outs, {x: [1, 2]}):
            np.testing.assert_allclose(v, [4, 8])


def test_missing_gradient_raises_lookup_error():
    register_op("TestGradientsNoGradOp", shape=lambda op: [op.inputs[0].shape],
                kernel=lambda ctx, x: x)
    x = tf.placeholder(tf.float32, [2])
    from tensorslim.core.op_util import apply_op
    y = apply_op("TestGradientsNoGradOp", [x], [tf.float32], name="nograd").outputs[0]
    with pytest.raises(LookupError, match=r"No gradient defined for operation 'nograd' "
                                          r"\(op type: TestGradientsNoGradOp\)"):
        tf.gradients(y * 2.0, x)
    # Not on a path from x: no error.
    z = tf.placeholder(tf.float32, [2])
    assert tf.gradients(y * z, z)[0] is not None


def test_not_differentiable_and_override_map():
    register_op("TestGradientsOpA", shape=lambda op: [op.inputs[0].shape],
                kernel=lambda ctx, x: x * 2)
    tf.NotDifferentiable("TestGradientsOpA")
    from tensorslim.core.op_util import apply_op
    x = tf.placeholder(tf.float32, [2])
    y = apply_op("TestGradientsOpA", [x], [tf.float32]).outputs[0]
    assert tf.gradients(y, x) == [None]

    @tf.RegisterGradient("TestGradientsTimesTen")
    def _times_ten(op, grad):
        return [grad * 10.0]
    with tf.get_default_graph().gradient_override_map({"TestGradientsOpA": "TestGradientsTimesTen",
                                                       "Identity": "TestGradientsTimesTen"}):
        y2 = apply_op("TestGradientsOpA", [x], [tf.float32]).outputs[0]
        y3 = tf.identity(x)
    assert y2.op.get_attr("_gradient_op_type") == "TestGradientsTimesTen"
    g2, g3 = tf.gradients(y2, x)[0], tf.gradients(y3, x)[0]
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run([g2, g3], {x: [1, 1]}), [[10, 10], [10, 10]])
    with pytest.raises(KeyError, match="Registering two gradient with name"):
        tf.RegisterGradient("TestGradientsTimesTen")(_times_ten)


def test_wrong_gradient_count_and_shape():
    register_op("TestGradientsBadGrad", shape=lambda op: [op.inputs[0].shape],
                kernel=lambda ctx, x: x)
    from tensorslim.core.op_util import apply_op
    x = tf.placeholder(tf.float32, [2])

    @tf.RegisterGradient("TestGradientsTwoGrads")
    def _two(op, grad):
        return [grad, grad]

    @tf.RegisterGradient("TestGradientsWrongShape")
    def _wrong(op, grad):
        return [tf.constant([1.0, 2.0, 3.0])]
    g = tf.get_default_graph()
    with g.gradient_override_map({"TestGradientsBadGrad": "TestGradientsTwoGrads"}):
        y = apply_op("TestGradientsBadGrad", [x], [tf.float32], name="bad").outputs[0]
    with pytest.raises(ValueError, match="Num gradients 2 generated for op bad do not match "
                                         "num inputs 1"):
        tf.gradients(y, x)
    with g.gradient_override_map({"TestGradientsBadGrad": "TestGradientsWrongShape"}):
        y = apply_op("TestGradientsBadGrad", [x], [tf.float32], name="bad2").outputs[0]
    with pytest.raises(ValueError, match="Incompatible shapes between op input and calculated "
                                         "input gradient.  Forward operation: bad2"):
        tf.gradients(y, x)


@pytest.mark.parametrize("shape", [[1], [3], [2, 2]])
def test_second_derivative_of_cube(shape, device_mode):
    x = tf.placeholder(tf.float32, shape)
    y = x * x * x
    g = tf.gradients(y, x)[0]
    gg = tf.gradients(g, x)[0]
    p = tf.gradients(tf.pow(x, 3.0), x)[0]
    pp = tf.gradients(p, x)[0]
    xv = np.random.RandomState(0).uniform(-2, 2, size=shape).astype(np.float32)
    with tf.Session() as sess:
        gv, ggv, ppv = sess.run([g, gg, pp], {x: xv})
    np.testing.assert_allclose(gv, 3 * xv ** 2, rtol=1e-5)
    np.testing.assert_allclose(ggv, 6 * xv, rtol=1e-5)
    np.testing.assert_allclose(ppv, 6 * xv, rtol=1e-4)


@pytest.mark.parametrize("pred", [True, False])
def test_double_backward_through_cond(pred):
    def build(x):
        g = tf.gradients(tf.cond(tf.constant(pred), lambda: x * x * x, lambda: x * x), x)[0]
        return g * x
    check_gradients(build, [np.array([0.7, -1.2])])


def test_hessians():
    x = tf.placeholder(tf.float64, [2])
    a = tf.constant([[2.0, 1.0], [1.0, 3.0]], tf.float64)
    y = tf.reduce_sum(x * tf.reshape(tf.matmul(a, tf.reshape(x, [2, 1])), [2])) + \
        tf.reduce_sum(x * x * x)
    h = tf.hessians(y, x)[0]
    assert h.shape.as_list() == [2, 2]
    with tf.Session() as sess:
        hv = sess.run(h, {x: [1.0, 2.0]})
    np.testing.assert_allclose(hv, 2 * np.array([[2, 1], [1, 3]]) + np.diag([6.0, 12.0]))
    with pytest.raises(ValueError, match="fully defined shape"):
        tf.hessians(y, tf.placeholder(tf.float64, [None]))


def test_gradients_of_variables():
    w = tf.Variable([1.0, 2.0], name="w")
    loss = tf.reduce_sum(w * w)
    g = tf.gradients(loss, w)[0]
    with tf.Session() as sess:
        sess.run(w.initializer)
        np.testing.assert_allclose(sess.run(g), [2, 4])


# --------------------------------------------------------------------------- custom_gradient

def test_custom_gradient_decorator():
    @tf.custom_gradient
    def clipped_identity(x):
        def grad(dy):
            return dy * 0.5
        return tf.identity(x), grad

    @tf.custom_gradient
    def two_inputs(a, b):
        def grad(dy):
            return [dy * 100.0, None]
        return a * b, grad

    x = tf.placeholder(tf.float32, [2])
    y = clipped_identity(x * 3.0)
    b = tf.constant(2.0)
    z = two_inputs(x, b)
    assert y.op.type == "IdentityN"
    gx = tf.gradients(y, x)[0]
    gz, gb = tf.gradients(z, [x, b])
    assert gb is None
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(y, {x: [1, 2]}), [3, 6])
        np.testing.assert_allclose(sess.run(gx, {x: [1, 2]}), [1.5, 1.5])
        np.testing.assert_allclose(sess.run(gz, {x: [1, 2]}), [100, 100])


def test_custom_gradient_structured_output_and_errors():
    @tf.custom_gradient
    def split(x):
        def grad(dy1, dy2):
            return dy1 + 2.0 * dy2
        return (x * 1.0, x * 2.0), grad

    @tf.custom_gradient
    def bad(x):
        return x * 1.0, lambda dy: [dy, dy]
    x = tf.placeholder(tf.float32, [])
    y1, y2 = split(x)
    g = tf.gradients(y1 + y2, x)[0]
    with tf.Session() as sess:
        assert sess.run(g, {x: 1.0}) == 3.0
    with pytest.raises(ValueError, match="expected to return 1 gradients but returned 2"):
        tf.gradients(bad(x), x)


def test_custom_gradient_numerically_stable_log1pexp():
    @tf.custom_gradient
    def log1pexp(x):
        e = tf.exp(x)

        def grad(dy):
            return dy * (1 - 1 / (1 + e))
        return tf.log(1 + e), grad
    x = tf.placeholder(tf.float64, [3])
    g = tf.gradients(log1pexp(x), x)[0]
    with tf.Session() as sess:
        xv = np.array([-1.0, 0.0, 2.0])
        np.testing.assert_allclose(sess.run(g, {x: xv}), 1 / (1 + np.exp(-xv)))
