"""ExponentialMovingAverage and assign_moving_average: names, collections, update values,
num_updates, zero debiasing, variables_to_restore."""
import numpy as np
import pytest

import tensorslim as tf
from tensorslim.training.moving_averages import assign_moving_average


def test_shadow_variables_names_and_collections():
    v = tf.Variable(0.0, name="v")
    w = tf.Variable([1.0, 2.0], name="w", trainable=False)
    ema = tf.train.ExponentialMovingAverage(0.99)
    assert ema.name == "ExponentialMovingAverage"
    assert ema.average(v) is None
    assert ema.average_name(v) == "v/ExponentialMovingAverage"
    op = ema.apply([v, w])
    assert op.name == "ExponentialMovingAverage" and op.type == "NoOp"
    assert [x.op.name for x in tf.global_variables()] == [
        "v", "w", "v/ExponentialMovingAverage", "w/ExponentialMovingAverage"]
    assert [x.op.name for x in tf.trainable_variables()] == ["v"]
    # TF1 puts the averaged variables themselves (not the shadows) in this collection.
    assert tf.moving_average_variables() == [v, w]
    assert ema.average(w).op.name == "w/ExponentialMovingAverage"
    assert ema.average(w).get_shape().as_list() == [2]
    assert ema.average(w).op.get_attr("_class") == ["loc:@w"]
    assert ema.average_name(w) == "w/ExponentialMovingAverage"
    g = tf.get_default_graph()
    upd = g.get_operation_by_name("ExponentialMovingAverage/AssignMovingAvg")
    assert upd.type == "AssignSub"
    assert upd.inputs[0].name == "v/ExponentialMovingAverage:0"
    assert g.get_operation_by_name("ExponentialMovingAverage/AssignMovingAvg_1").type == \
        "AssignSub"


def test_values_follow_tf1_update(device_mode):
    v = tf.Variable([2.0, -1.0], name="v")
    ema = tf.train.ExponentialMovingAverage(0.75)
    op = ema.apply([v])
    shadow = ema.average(v)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_array_equal(sess.run(shadow), [2.0, -1.0])  # starts at v's value
        expected = np.array([2.0, -1.0])
        for target in ([10.0, 0.0], [4.0, 4.0], [-2.0, 1.0]):
            sess.run(tf.assign(v, target))
            sess.run(op)
            expected = expected - (1 - 0.75) * (expected - np.array(target))
            np.testing.assert_allclose(sess.run(shadow), expected, rtol=1e-6)


def test_float32_decay_rounding_matches_tf1():
    v = tf.Variable(0, dtype=tf.float32, name="v")
    ema = tf.train.ExponentialMovingAverage(0.99)
    op = ema.apply(tf.global_variables())
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(tf.assign(v, 10))
        sess.run(op)
        # 1 - 0.99 in float32 is 0.0099999905.
        assert np.float32(sess.run(ema.average(v))) == np.float32(0.099999905)


def test_num_updates_caps_the_decay():
    v = tf.Variable(0.0, name="v")
    step = tf.Variable(0, trainable=False, name="step")
    ema = tf.train.ExponentialMovingAverage(0.99, num_updates=step)
    op = ema.apply([v])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(tf.assign(v, 10.0))
        sess.run(op)  # decay = min(0.99, 1/10) = 0.1
        np.testing.assert_allclose(sess.run(ema.average(v)), 9.0, rtol=1e-6)
        sess.run(tf.assign(step, 9990))
        sess.run(op)  # decay = min(0.99, 9991/10000) = 0.99
        np.testing.assert_allclose(sess.run(ema.average(v)), 9.0 + 0.01 * 1.0, rtol=1e-5)


def test_tensor_average_with_zero_debias():
    x = tf.placeholder(tf.float32, [2], name="x")
    t = tf.identity(x * 1.0, name="t")
    ema = tf.train.ExponentialMovingAverage(0.9, zero_debias=True)
    op = ema.apply([t])
    avg = ema.average(t)
    assert avg.op.name == "t/ExponentialMovingAverage"
    names = [v.op.name for v in tf.global_variables()]
    assert names == ["t/ExponentialMovingAverage", "t/ExponentialMovingAverage/biased",
                     "t/ExponentialMovingAverage/local_step"]
    assert tf.moving_average_variables() == []
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        biased = np.zeros(2)
        for i, value in enumerate(([1.0, 2.0], [3.0, -1.0], [2.0, 2.0]), start=1):
            sess.run(op, {x: value})
            biased = 0.9 * biased + 0.1 * np.array(value)
            np.testing.assert_allclose(sess.run(avg), biased / (1 - 0.9 ** i), rtol=1e-5)


def test_tensor_average_without_debias_starts_at_zero():
    x = tf.placeholder(tf.float32, [], name="x")
    ema = tf.train.ExponentialMovingAverage(0.5)
    op = ema.apply([x])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(op, {x: 4.0})
        assert sess.run(ema.average(x)) == 2.0


def test_apply_rejects_integer_variables_and_reapplies():
    i = tf.Variable(1, name="i")
    ema = tf.train.ExponentialMovingAverage(0.9)
    with pytest.raises(TypeError, match="The variables must be half, float, or double: i:0"):
        ema.apply([i])
    v = tf.Variable(1.0, name="v")
    ema.apply([v])
    ema.apply([v])  # a second update op, the same shadow variable
    assert [x.op.name for x in tf.global_variables()] == ["i", "v",
                                                          "v/ExponentialMovingAverage"]


def test_variables_to_restore():
    v = tf.Variable(0.0, name="v")
    frozen = tf.Variable(0.0, name="frozen", trainable=False)
    ema = tf.train.ExponentialMovingAverage(0.99)
    assert ema.variables_to_restore() == {"v/ExponentialMovingAverage": v, "frozen": frozen}
    ema.apply([v, frozen])
    mapping = ema.variables_to_restore()
    assert mapping == {"v/ExponentialMovingAverage": v,
                       "frozen/ExponentialMovingAverage": frozen}
    assert ema.variables_to_restore([v]) == {
        "v/ExponentialMovingAverage": v, "frozen": frozen,
        "frozen/ExponentialMovingAverage": ema.average(frozen)}


def test_assign_moving_average():
    var = tf.Variable([1.0, 1.0], name="moving_mean", trainable=False)
    value = tf.constant([3.0, 5.0])
    with tf.name_scope("bn"):
        update = assign_moving_average(var, value, 0.75, zero_debias=False)
    assert update.op.name == "bn/AssignMovingAvg" and update.op.type == "AssignSub"
    assert tf.get_default_graph().get_operation_by_name("bn/AssignMovingAvg/decay").type == \
        "Const"
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_allclose(sess.run(update), [1.5, 2.0])
        np.testing.assert_allclose(sess.run(update), [1.875, 2.75])


def test_ema_after_training_step():
    w = tf.Variable(5.0, name="w")
    train = tf.train.GradientDescentOptimizer(0.1).minimize(w * w)
    ema = tf.train.ExponentialMovingAverage(decay=0.5)
    with tf.control_dependencies([train]):
        train_op = tf.group(ema.apply(tf.trainable_variables()))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train_op)
        assert sess.run(w) == pytest.approx(4.0)
        assert 4.0 <= sess.run(ema.average(w)) <= 5.0
