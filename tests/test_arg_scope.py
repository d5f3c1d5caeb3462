"""slim.arg_scope: defaults, nesting, re-entry, precedence of explicit arguments, and the
strict binding errors (TF-slim silently accepted unknown keywords in some paths)."""
import numpy as np
import pytest

import tensorslim as tf
from tensorslim.contrib import slim
from tensorslim.layers.arg_scope import arg_scope_func_key


@slim.add_arg_scope
def func1(*args, **kwargs):
    return args, kwargs


@slim.add_arg_scope
def func2(a, b=1, c=2, *, d=3):
    return a, b, c, d


def undecorated(a, b=1):
    return a, b


def test_scope_supplies_defaults_and_explicit_wins():
    with slim.arg_scope([func2], b=10, c=20):
        assert func2(0) == (0, 10, 20, 3)
        assert func2(0, c=5) == (0, 10, 5, 3)
        # Positional arguments win too (TF-slim raised "multiple values" here).
        assert func2(0, 7) == (0, 7, 20, 3)
        assert func2(0, 7, 8) == (0, 7, 8, 3)
    assert func2(0) == (0, 1, 2, 3)


def test_keyword_only_argument_in_scope():
    with slim.arg_scope([func2], d=30):
        assert func2(1) == (1, 1, 2, 30)
        assert func2(1, d=4) == (1, 1, 2, 4)


def test_var_keyword_functions_accept_any_scoped_argument():
    with slim.arg_scope([func1], a=1, b=2):
        args, kwargs = func1(0)
        assert args == (0,) and kwargs == {"a": 1, "b": 2}
        _, kwargs = func1(0, a=5)
        assert kwargs == {"a": 5, "b": 2}


def test_nesting_adds_and_overrides():
    with slim.arg_scope([func2], b=10, c=20):
        with slim.arg_scope([func2], c=30):
            assert func2(0) == (0, 10, 30, 3)
        assert func2(0) == (0, 10, 20, 3)


def test_nesting_for_different_functions():
    with slim.arg_scope([func1, func2], b=5):
        with slim.arg_scope([func2], c=6):
            assert func2(0) == (0, 5, 6, 3)
            assert func1()[1] == {"b": 5}


def test_reenter_captured_scope():
    with slim.arg_scope([func2], b=10) as sc:
        pass
    assert func2(0) == (0, 1, 2, 3)
    with slim.arg_scope(sc):
        assert func2(0) == (0, 10, 2, 3)
    with slim.arg_scope([func2], c=9):
        with slim.arg_scope(sc):  # a captured scope replaces the current one
            assert func2(0) == (0, 10, 2, 3)


def test_current_arg_scope_and_introspection():
    assert slim.has_arg_scope(func2)
    assert not slim.has_arg_scope(undecorated)
    assert slim.arg_scoped_arguments(func2) == ["b", "c"]
    with slim.arg_scope([func2], b=4):
        sc = slim.current_arg_scope()
        assert sc[arg_scope_func_key(func2)] == {"b": 4}
    assert func2.__name__ == "func2"
    assert slim.conv2d.__name__ == "convolution2d"


def test_unknown_argument_is_a_type_error_naming_layer_and_argument():
    with pytest.raises(TypeError, match=r"'weights_init'.*fully_connected"):
        with slim.arg_scope([slim.fully_connected], weights_init=None):
            pass
    # max_pool2d has no weights: listing it with conv2d and a weights argument fails.
    with pytest.raises(TypeError, match=r"'weights_initializer'.*max_pool2d"):
        with slim.arg_scope([slim.conv2d, slim.max_pool2d],
                            weights_initializer=tf.zeros_initializer()):
            pass


def test_unknown_argument_in_reentered_dict_fails_at_call():
    with slim.arg_scope({arg_scope_func_key(func2): {"e": 1}}):
        with pytest.raises(TypeError, match=r"'e'.*func2"):
            func2(0)


def test_bad_scopes():
    with pytest.raises(ValueError, match="undecorated is not decorated"):
        with slim.arg_scope([undecorated], b=1):
            pass
    with pytest.raises(ValueError, match="kwargs must be empty"):
        with slim.arg_scope({}, b=1):
            pass
    with pytest.raises(TypeError, match="list_ops_or_scope must either be a list/tuple"):
        with slim.arg_scope(func2, b=1):
            pass
    with pytest.raises(TypeError, match="func2"):
        with slim.arg_scope([func2], b=1):
            func2(0, 1, 2, 3)  # too many positional arguments


def test_conv2d_and_convolution_have_separate_scopes():
    x = tf.zeros([1, 4, 4, 1])
    with slim.arg_scope([slim.conv2d], activation_fn=None):
        a = slim.conv2d(x, 1, 1, scope="a")
        b = slim.convolution(x, 1, 1, scope="b")
    assert a.op.type == "BiasAdd"
    assert b.op.type == "Relu"


def test_scope_reaches_model_variable_inside_layers():
    x = tf.zeros([1, 3])
    with slim.arg_scope([slim.model_variable], device="/cpu:0"):
        slim.fully_connected(x, 2, scope="fc")
    assert all("CPU:0" in v.device.upper() for v in slim.get_model_variables())


def test_framework_and_slim_share_one_mechanism():
    assert tf.contrib.framework.arg_scope is slim.arg_scope
    assert tf.contrib.framework.add_arg_scope is slim.add_arg_scope
    x = tf.constant(np.ones((1, 2), np.float32))
    with tf.contrib.framework.arg_scope([slim.fully_connected], activation_fn=None,
                                        weights_initializer=tf.constant_initializer(-1.0)):
        y = slim.fully_connected(x, 1)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(y)[0, 0] == -2.0
