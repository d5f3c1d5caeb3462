"""Variables, initializers, variable_scope and get_variable, as TF1 does them."""
import numpy as np
import pytest

import tensorslim as tf
from tensorslim.core.variables import ScopeReuseWarning


def test_variable_ops_names_and_repr():
    v = tf.Variable([1.0, 2.0, 3.0])
    assert str(v) == "<tf.Variable 'Variable:0' shape=(3,) dtype=float32_ref>"
    assert v.name == "Variable:0" and v.op.type == "VariableV2"
    assert v.dtype == tf.float32_ref and v.dtype.base_dtype is tf.float32
    assert v.initializer.name == "Variable/Assign" and v.initializer.type == "Assign"
    assert v.value().name == "Variable/read:0"
    assert v.initial_value.name == "Variable/initial_value:0"
    assert v in tf.global_variables() and v in tf.trainable_variables()
    frozen = tf.Variable(1, trainable=False, name="frozen")
    assert frozen not in tf.trainable_variables() and frozen in tf.all_variables()
    local = tf.Variable(0, collections=[tf.GraphKeys.LOCAL_VARIABLES], name="loc")
    assert local in tf.local_variables() and local not in tf.global_variables()


def test_variable_initial_values_of_every_kind():
    a = tf.Variable(np.arange(4, dtype=np.float64).reshape(2, 2), name="a")
    b = tf.Variable(lambda: tf.ones([3]), name="b")
    c = tf.Variable(tf.zeros([2], tf.int64), name="c")
    d = tf.Variable(7, dtype=tf.float32, name="d")
    assert a.dtype.base_dtype is tf.float64 and b.shape.as_list() == [3]
    assert b.initial_value.op.name.startswith("b/Initializer/")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(a).tolist() == [[0, 1], [2, 3]]
        assert sess.run(b).tolist() == [1, 1, 1]
        assert sess.run(c).dtype == np.int64
        assert sess.run(d) == 7.0


def test_variable_errors():
    with pytest.raises(ValueError, match="initial_value must be specified"):
        tf.Variable()
    p = tf.placeholder(tf.float32, [None])
    with pytest.raises(ValueError, match="must have a shape specified"):
        tf.Variable(p)
    v = tf.Variable(p, validate_shape=False)
    assert v.shape.ndims is None
    with pytest.raises(ValueError, match="collections argument"):
        tf.Variable(1, collections="variables")


def test_assign_methods_and_functions():
    v = tf.Variable(10.0, name="v")
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(v.assign(3.0)) == 3.0
        assert sess.run(v.assign_add(2.0)) == 5.0
        assert sess.run(v.assign_sub(1.0)) == 4.0
        assert sess.run(tf.assign(v, 8.0)) == 8.0
        assert sess.run(tf.assign_add(v, 1.0)) == 9.0
        assert sess.run(tf.assign_sub(v, 9.0)) == 0.0
        v.load(42.0, sess)
        assert sess.run(v) == 42.0
        assert v.eval(session=sess) == 42.0
    with pytest.raises(ValueError):
        tf.assign(v, [1.0, 2.0])
    with pytest.raises(TypeError, match="reference"):
        tf.assign(tf.constant(1.0), 2.0)


def test_assign_then_read_in_same_run_uses_control_dependencies():
    v = tf.Variable(0, name="counter")
    inc = tf.assign_add(v, 1)
    with tf.control_dependencies([inc]):
        read = tf.identity(v)
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert [sess.run(read) for _ in range(3)] == [1, 2, 3]


def test_variable_operators_delegate_to_value():
    v = tf.Variable([1.0, 2.0])
    expr = (v + 1.0) * v - v / 2.0
    with tf.Session() as sess:
        sess.run(v.initializer)
        np.testing.assert_allclose(sess.run(expr), [1.5, 5.0])
        np.testing.assert_allclose(sess.run(-v), [-1.0, -2.0])


def test_initialized_queries():
    a = tf.Variable(1.0, name="a")
    tf.Variable(2.0, name="b")
    with tf.Session() as sess:
        assert not sess.run(tf.is_variable_initialized(a))
        sess.run(a.initializer)
        assert sess.run(tf.is_variable_initialized(a))
    assert tf.global_variables_initializer().name == "init"
    assert tf.variables_initializer([]).type == "NoOp"


@pytest.mark.parametrize("init,check", [
    (tf.zeros_initializer(), lambda x: np.all(x == 0)),
    (tf.ones_initializer(), lambda x: np.all(x == 1)),
    (tf.constant_initializer(0.5), lambda x: np.all(x == 0.5)),
    (tf.random_uniform_initializer(-1, 1), lambda x: -1 <= x.min() and x.max() < 1),
    (tf.random_normal_initializer(0, 1), lambda x: abs(x.mean()) < 0.2),
    (tf.truncated_normal_initializer(0, 1), lambda x: np.abs(x).max() <= 2),
    (tf.glorot_uniform_initializer(), lambda x: np.abs(x).max() <= np.sqrt(6 / 300)),
    (tf.glorot_normal_initializer(), lambda x: x.std() < 0.1),
    (tf.variance_scaling_initializer(2.0, "fan_in", "uniform"),
     lambda x: np.abs(x).max() <= np.sqrt(6 / 200)),
    (tf.uniform_unit_scaling_initializer(), lambda x: np.abs(x).max() <= np.sqrt(3 / 200)),
    (tf.orthogonal_initializer(), lambda x: np.allclose(x.T @ x, np.eye(100), atol=1e-4)),
])
def test_initializers(init, check):
    w = tf.get_variable("w", [200, 100], initializer=init)
    with tf.Session() as sess:
        sess.run(w.initializer)
        value = sess.run(w)
    assert value.dtype == np.float32 and value.shape == (200, 100)
    assert check(value)


def test_identity_initializer_and_seeds_reproduce():
    tf.set_random_seed(1234)
    w = tf.get_variable("w", [3, 3], initializer=tf.identity_initializer())
    r = tf.get_variable("r", [5], initializer=tf.random_normal_initializer(seed=7))
    with tf.Session() as s1:
        s1.run(tf.global_variables_initializer())
        w1, r1 = s1.run([w, r])
    with tf.Session() as s2:
        s2.run(tf.global_variables_initializer())
        r2 = s2.run(r)
    np.testing.assert_array_equal(w1, np.eye(3))
    np.testing.assert_array_equal(r1, r2)


def test_get_variable_default_initializers():
    f = tf.get_variable("f", [50, 50])
    i = tf.get_variable("i", [3], dtype=tf.int32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        fv, iv = sess.run([f, i])
    limit = np.sqrt(6.0 / 100)
    assert np.abs(fv).max() <= limit and fv.std() > limit / 3
    assert iv.tolist() == [0, 0, 0]
    with pytest.raises(ValueError, match="An initializer for variable s"):
        tf.get_variable("s", [1], dtype=tf.string)


def test_get_variable_value_initializers_and_shape_rules():
    a = tf.get_variable("a", initializer=[1.0, 2.0])
    b = tf.get_variable("b", initializer=tf.constant([[1, 2]]))
    assert a.shape.as_list() == [2] and b.dtype.base_dtype is tf.int32
    with pytest.raises(ValueError, match="do not specify shape"):
        tf.get_variable("c", [2], initializer=[1.0, 2.0])
    with pytest.raises(ValueError, match="must be fully defined"):
        tf.get_variable("d", [None, 3])


def test_reuse_errors_say_where_and_what_to_do():
    with tf.variable_scope("foo"):
        tf.get_variable("v", [1])
    with pytest.raises(ValueError) as e:
        with tf.variable_scope("foo"):
            tf.get_variable("v", [1])
    assert "Variable foo/v already exists, disallowed" in str(e.value)
    assert "test_variables.py" in str(e.value) and "reuse=True" in str(e.value)
    with pytest.raises(ValueError, match="Variable foo/w does not exist") as e:
        with tf.variable_scope("foo", reuse=True):
            tf.get_variable("w", [1])
    with pytest.raises(ValueError, match="specified shape \\(2,\\) and found shape \\(1,\\)"):
        with tf.variable_scope("foo", reuse=True):
            tf.get_variable("v", [2])
    with pytest.raises(ValueError, match="specified dtype int32"):
        with tf.variable_scope("foo", reuse=True):
            tf.get_variable("v", [1], dtype=tf.int32)


def test_auto_reuse_and_captured_scope():
    def tower(x):
        with tf.variable_scope("tower", reuse=tf.AUTO_REUSE):
            w = tf.get_variable("w", [2, 2], initializer=tf.ones_initializer())
            return tf.matmul(x, w)
    x = tf.constant([[1.0, 2.0]])
    tower(x)
    tower(x)
    assert [v.name for v in tf.global_variables()] == ["tower/w:0"]
    with tf.variable_scope("outer") as scope:
        a = tf.get_variable("a", [1])
    with tf.variable_scope(scope, reuse=True):
        assert tf.get_variable("a", [1]) is a
        assert tf.get_variable_scope().name == "outer"
    with tf.variable_scope(scope):
        n = tf.add(1, 2)
    assert n.op.name == "outer_2/Add"
    assert scope.original_name_scope == "outer/"


def test_default_name_scopes_are_uniquified():
    for expected in ("dense", "dense_1"):
        with tf.variable_scope(None, default_name="dense"):
            v = tf.get_variable("w", [1])
        assert v.op.name == expected + "/w"
    with pytest.raises(ValueError, match="reuse=True cannot be used without a name_or_scope"):
        with tf.variable_scope(None, default_name="x", reuse=True):
            pass
    with pytest.raises(TypeError, match="name_or_scope is required"):
        with tf.variable_scope(None):
            pass


def test_scope_initializer_regularizer_dtype_inheritance():
    with tf.variable_scope("s", initializer=tf.constant_initializer(2.0),
                           regularizer=lambda w: tf.reduce_sum(w), dtype=tf.float64):
        with tf.variable_scope("inner"):
            w = tf.get_variable("w", [3])
    assert w.dtype.base_dtype is tf.float64
    losses = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    assert len(losses) == 1 and losses[0].op.name.startswith("s/inner/w/Regularizer")
    with tf.Session() as sess:
        sess.run(w.initializer)
        assert sess.run(losses[0]) == 6.0


def test_custom_getter_wraps_creation():
    calls = []

    def getter(base, name, *args, **kwargs):
        calls.append(name)
        return base(name, *args, **kwargs)
    with tf.variable_scope("cg", custom_getter=getter):
        tf.get_variable("w", [1])
    assert calls == ["cg/w"]


def test_get_local_variable():
    v = tf.get_local_variable("count", [], dtype=tf.int64)
    assert v in tf.local_variables() and v not in tf.trainable_variables()


def test_warning_when_rerun_model_code_creates_second_weights():
    def build():
        with tf.name_scope("conv1"):
            return tf.Variable(tf.zeros([2]), name="weights")
    build()
    with pytest.warns(ScopeReuseWarning, match="conv1_1/weights.*conv1/weights"):
        build()
