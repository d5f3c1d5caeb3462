"""Control flow: cond/case (Switch/Merge), while_loop, Assert/check_numerics/Print, py_func."""
import collections

import numpy as np
import pytest

import tensorslim as tf
from gradcheck import check_gradients


def _op_types(graph=None):
    graph = graph or tf.get_default_graph()
    return {op.name: op.type for op in graph.get_operations()}


# --------------------------------------------------------------------------- cond

def test_cond_builds_tf1_switch_merge_graph():
    x = tf.placeholder(tf.float32, [2], name="x")
    y = tf.constant(3.0, name="y")
    p = tf.placeholder(tf.bool, [], name="p")
    r = tf.cond(p, lambda: x * y, lambda: x + 1.0)
    types = _op_types()
    assert types["cond/Switch"] == "Switch"
    assert types["cond/switch_t"] == "Identity" and types["cond/switch_f"] == "Identity"
    assert types["cond/pred_id"] == "Identity"
    assert types["cond/mul/Switch"] == "Switch" and types["cond/mul/Switch_1"] == "Switch"
    assert types["cond/Merge"] == "Merge"
    g = tf.get_default_graph()
    mul = g.get_operation_by_name("cond/mul")
    assert [t.name for t in mul.inputs] == ["cond/mul/Switch:1", "cond/mul/Switch_1:1"]
    assert [t.name for t in g.get_operation_by_name("cond/mul/Switch").inputs] == \
        ["x:0", "cond/pred_id:0"]
    # A constant in the false branch hangs on the branch's pivot.
    consts = [op for op in g.get_operations() if op.type == "Const" and
              op.name.startswith("cond/add")]
    assert consts and all(c.control_inputs[0].name == "cond/switch_f" for c in consts)
    assert r.name == "cond/Merge:0" and r.shape.as_list() == [2]


def test_cond_values(device_mode):
    x = tf.placeholder(tf.float32, [2])
    p = tf.placeholder(tf.bool, [])
    r = tf.cond(p, lambda: x * 2.0, lambda: x - 1.0)
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(r, {x: [1, 2], p: True}), [2, 4])
        np.testing.assert_allclose(sess.run(r, {x: [1, 2], p: False}), [0, 1])


def test_cond_runs_only_the_taken_branch():
    calls = []

    def record(tag):
        def f(v):
            calls.append(tag)
            return v
        return f

    x = tf.constant(1.0)
    p = tf.placeholder(tf.bool, [])
    r = tf.cond(p, lambda: tf.py_func(record("t"), [x], tf.float32),
                lambda: tf.py_func(record("f"), [x], tf.float32))
    with tf.Session() as sess:
        sess.run(r, {p: True})
        assert calls == ["t"]
        sess.run(r, {p: False})
        assert calls == ["t", "f"]


def test_cond_assign_only_in_taken_branch():
    v = tf.Variable(0.0, name="v")
    p = tf.placeholder(tf.bool, [])
    r = tf.cond(p, lambda: tf.assign(v, 10.0), lambda: tf.assign_add(v, 1.0))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(r, {p: False}) == 1.0
        assert sess.run(r, {p: False}) == 2.0
        assert sess.run(r, {p: True}) == 10.0
        assert sess.run(v) == 10.0


def test_cond_branches_returning_ops():
    v = tf.Variable(0, name="counter")
    p = tf.placeholder(tf.bool, [])
    r = tf.cond(p, lambda: tf.assign_add(v, 5).op, lambda: tf.no_op())
    assert r.dtype == tf.bool
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(r, {p: True})
        sess.run(r, {p: False})
        assert sess.run(v) == 5


def test_cond_nested_structures_and_strict():
    p = tf.placeholder(tf.bool, [])
    a, b = tf.constant(1.0), tf.constant([2, 3])
    out = tf.cond(p, lambda: {"s": a * 2, "pair": (b, a)},
                  lambda: {"s": a, "pair": (b * 2, a + 1)})
    assert set(out) == {"s", "pair"} and isinstance(out["pair"], tuple)
    single = tf.cond(p, lambda: [a], lambda: [a + 1])
    strict = tf.cond(p, lambda: [a], lambda: [a + 1], strict=True)
    assert isinstance(single, tf.Tensor) and isinstance(strict, list)
    with tf.Session() as sess:
        res = sess.run(out, {p: False})
        assert res["s"] == 1.0 and list(res["pair"][0]) == [4, 6] and res["pair"][1] == 2.0
        assert sess.run(single, {p: True}) == 1.0


def test_cond_python_values_and_deprecated_names():
    p = tf.placeholder(tf.bool, [])
    r = tf.cond(p, fn1=lambda: 1.0, fn2=lambda: 2.0)
    with tf.Session() as sess:
        assert sess.run(r, {p: False}) == 2.0


def test_nested_cond(device_mode):
    x = tf.placeholder(tf.float32, [])
    p = tf.placeholder(tf.bool, [])
    q = tf.placeholder(tf.bool, [])
    r = tf.cond(p, lambda: tf.cond(q, lambda: x * 2.0, lambda: x * 3.0), lambda: x - 1.0)
    with tf.Session() as sess:
        for pv, qv, want in [(True, True, 8.0), (True, False, 12.0), (False, True, 3.0)]:
            assert sess.run(r, {x: 4.0, p: pv, q: qv}) == want


def test_fetching_untaken_branch_tensor_fails():
    p = tf.placeholder(tf.bool, [])
    x = tf.constant(1.0)
    holder = []

    def true_fn():
        holder.append(x * 5.0)
        return holder[0]
    tf.cond(p, true_fn, lambda: x)
    with tf.Session() as sess:
        assert sess.run(holder[0], {p: True}) == 5.0
        with pytest.raises(tf.errors.InvalidArgumentError, match="Retval does not have value"):
            sess.run(holder[0], {p: False})


def test_cond_errors():
    p = tf.placeholder(tf.bool, [])
    x = tf.constant(1.0)
    with pytest.raises(TypeError, match="pred must not be a Python bool"):
        tf.cond(True, lambda: x, lambda: x)
    with pytest.raises(TypeError, match="true_fn must be callable"):
        tf.cond(p, x, lambda: x)
    with pytest.raises(TypeError, match="false_fn must be callable"):
        tf.cond(p, lambda: x, None)
    with pytest.raises(TypeError, match="true_fn and fn1 may not be set simultaneously"):
        tf.cond(p, lambda: x, lambda: x, fn1=lambda: x)
    with pytest.raises(TypeError, match="'pred' of 'Switch' Op has type float32"):
        tf.cond(tf.constant(1.0), lambda: x, lambda: x)
    with pytest.raises(ValueError, match="true_fn must have a return value"):
        tf.cond(p, lambda: None, lambda: x)
    with pytest.raises(ValueError, match="must have the same structure"):
        tf.cond(p, lambda: (x, x), lambda: x)
    with pytest.raises(ValueError, match="must have the same type: float32, int32"):
        tf.cond(p, lambda: x, lambda: tf.constant(1))
    with pytest.raises(ValueError, match="Shape must be rank 0 but is rank 1.*Switch"):
        tf.cond(tf.placeholder(tf.bool, [2]), lambda: x, lambda: x)


@pytest.mark.parametrize("pred", [True, False])
@pytest.mark.parametrize("shape", [[], [3], [2, 2]])
def test_cond_gradient_matches_finite_differences(pred, shape):
    rng = np.random.RandomState(1)
    x = rng.uniform(0.5, 1.5, size=shape)
    y = rng.uniform(0.5, 1.5, size=shape)

    def build(a, b):
        p = tf.constant(pred)
        return tf.cond(p, lambda: a * b * a, lambda: a - b * 3.0) + a * b
    check_gradients(build, [x, y])


@pytest.mark.parametrize("pred", [True, False])
def test_cond_gradient_strict_device(device_mode, pred):
    x = tf.placeholder(tf.float32, [3])
    w = tf.constant(2.0)
    p = tf.placeholder(tf.bool, [])
    r = tf.cond(p, lambda: tf.cond(p, lambda: x * w, lambda: x), lambda: x * x)
    g, gw = tf.gradients(tf.reduce_sum(r), [x, w])
    with tf.Session() as sess:
        gv, gwv = sess.run([g, gw], {x: [1, 2, 3], p: pred})
    if pred:
        np.testing.assert_allclose(gv, [2, 2, 2])
        assert gwv == 6.0
    else:
        np.testing.assert_allclose(gv, [2, 4, 6])
        assert gwv == 0.0


def test_cond_gradient_names():
    x = tf.placeholder(tf.float32, [2], name="x")
    p = tf.placeholder(tf.bool, [], name="p")
    r = tf.cond(p, lambda: x * 3.0, lambda: x)
    tf.gradients(r, x)
    types = _op_types()
    assert types["gradients/cond/Merge_grad/cond_grad"] == "Switch"
    assert types["gradients/cond/mul/Switch_grad/cond_grad"] == "Merge"


# --------------------------------------------------------------------------- case

def test_case_selects_first_true():
    x = tf.placeholder(tf.int32, [])
    r = tf.case([(tf.less(x, 0), lambda: tf.constant(-1)),
                 (tf.less(x, 10), lambda: tf.constant(1))], default=lambda: tf.constant(100))
    with tf.Session() as sess:
        assert [sess.run(r, {x: v}) for v in (-5, 5, 50)] == [-1, 1, 100]


def test_case_without_default_and_exclusive():
    x = tf.placeholder(tf.int32, [])
    r = tf.case({tf.less(x, 0): lambda: tf.constant(-1),
                 tf.greater(x, 0): lambda: tf.constant(1)})
    ex = tf.case([(tf.less(x, 10), lambda: tf.constant(1)),
                  (tf.less(x, 5), lambda: tf.constant(2))], default=lambda: tf.constant(0),
                 exclusive=True)
    with tf.Session() as sess:
        assert sess.run(r, {x: 3}) == 1 and sess.run(r, {x: -3}) == -1
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match="None of conditions evaluated as True"):
            sess.run(r, {x: 0})
        assert sess.run(ex, {x: 7}) == 1
        with pytest.raises(tf.errors.InvalidArgumentError, match="exclusive=True"):
            sess.run(ex, {x: 1})


def test_case_errors():
    with pytest.raises(TypeError, match="must be a list, tuple, or dict"):
        tf.case(lambda: 1)
    with pytest.raises(TypeError, match="pred must be Tensor of type bool"):
        tf.case([(tf.constant(1), lambda: 1)])
    with pytest.raises(TypeError, match="must be callable"):
        tf.case([(tf.constant(True), 1)])


# --------------------------------------------------------------------------- while_loop

def test_while_counter_and_graph(device_mode):
    i = tf.constant(0)
    r = tf.while_loop(lambda i: tf.less(i, 10), lambda i: i + 1, [i])
    assert isinstance(r, tf.Tensor) and r.op.type == "While"
    names = _op_types()
    assert names["while/Identity"] == "Identity" and names["while/add"] in ("Add", "AddV2")
    with tf.Session() as sess:
        assert sess.run(r) == 10


def test_while_power_recurrence(device_mode):
    x0 = tf.placeholder(tf.float32, [3])
    w = tf.placeholder(tf.float32, [])
    n = tf.placeholder(tf.int32, [])
    k, x = tf.while_loop(lambda k, x: k < n, lambda k, x: (k + 1, x * w), (0, x0))
    with tf.Session() as sess:
        kv, xv = sess.run([k, x], {x0: [1, 2, 3], w: 2.0, n: 5})
        assert kv == 5
        np.testing.assert_allclose(xv, [32, 64, 96])
        _, xv = sess.run([k, x], {x0: [1, 2, 3], w: 2.0, n: 0})
        np.testing.assert_allclose(xv, [1, 2, 3])


def test_while_shape_invariants_growing_tensor():
    i0 = tf.constant(0)
    acc0 = tf.zeros([0])
    i, acc = tf.while_loop(lambda i, a: i < 4,
                           lambda i, a: (i + 1, tf.concat([a, tf.cast([i], tf.float32)], 0)),
                           [i0, acc0],
                           shape_invariants=[i0.shape, tf.TensorShape([None])])
    assert acc.shape.as_list() == [None]
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(acc), [0, 1, 2, 3])


def test_while_nested_structures_and_maximum_iterations():
    Pair = collections.namedtuple("Pair", "a b")
    loop_vars = {"step": tf.constant(0), "p": Pair(tf.constant(1.0), tf.constant([1.0, 1.0]))}

    def body(v):
        return ({"step": v["step"] + 1, "p": Pair(v["p"].a * 2.0, v["p"].b + v["p"].a)},)
    (out,) = tf.while_loop(lambda v: v["step"] < 100, body, [loop_vars],
                           maximum_iterations=3)
    assert isinstance(out["p"], Pair)
    with tf.Session() as sess:
        res = sess.run(out)
    assert res["step"] == 3 and res["p"].a == 8.0
    np.testing.assert_allclose(res["p"].b, [8.0, 8.0])


def test_while_reads_and_assigns_variables():
    v = tf.Variable(1.0, name="v")
    total = tf.Variable(0.0, name="total")

    def body(i, acc):
        with tf.control_dependencies([tf.assign_add(total, v)]):
            return i + 1, acc + v * 2.0
    i, acc = tf.while_loop(lambda i, acc: i < 3, body, [0, 0.0])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(acc) == 6.0
        assert sess.run(total) == 3.0


def test_while_with_cond_inside_and_inside_cond(device_mode):
    def body(i, x):
        return i + 1, tf.cond(tf.equal(i % 2, 0), lambda: x * 2.0, lambda: x + 1.0)
    _, x = tf.while_loop(lambda i, x: i < 4, body, [0, tf.constant(1.0)])
    p = tf.placeholder(tf.bool, [])
    y = tf.cond(p, lambda: tf.while_loop(lambda k: k < 5, lambda k: k + 2, [0]),
                lambda: tf.constant(-1))
    with tf.Session() as sess:
        assert sess.run(x) == 7.0  # ((1*2)+1)*2+1
        assert sess.run(y, {p: True}) == 6 and sess.run(y, {p: False}) == -1


def test_nested_while():
    def outer_body(i, total):
        inner = tf.while_loop(lambda j, s: j < i, lambda j, s: (j + 1, s + j), [0, 0])[1]
        return i + 1, total + inner
    _, total = tf.while_loop(lambda i, t: i < 5, outer_body, [0, 0])
    with tf.Session() as sess:
        assert sess.run(total) == sum(sum(range(i)) for i in range(5))


def test_while_errors():
    i0, x0 = tf.constant(0), tf.constant([1.0])
    with pytest.raises(ValueError, match=r"enters the loop with shape \(1,\), but has shape "
                                         r"\(2,\) after one iteration"):
        tf.while_loop(lambda i, x: i < 3, lambda i, x: (i + 1, tf.concat([x, x], 0)),
                      [i0, x0])
    with pytest.raises(TypeError, match="enters the loop with dtype float32, but has dtype "
                                        "int32"):
        tf.while_loop(lambda i, x: i < 3, lambda i, x: (i + 1, tf.cast(x, tf.int32)),
                      [i0, x0])
    with pytest.raises(TypeError, match="'LoopCond' Op has type float32"):
        tf.while_loop(lambda i, x: x[0], lambda i, x: (i + 1, x), [i0, x0])
    with pytest.raises(ValueError, match="Shape must be rank 0 but is rank 1 for "
                                         "'while.*LoopCond'"):
        tf.while_loop(lambda i, x: tf.constant([True, False]), lambda i, x: (i + 1, x),
                      [i0, x0])
    with pytest.raises(ValueError, match="same number of elements"):
        tf.while_loop(lambda i, x: i < 3, lambda i, x: (i + 1, x, x), [i0, x0])
    with pytest.raises(ValueError, match="shape invariant specified for Const_1:0 is not "
                                         "compatible"):
        tf.while_loop(lambda i, x: i < 3, lambda i, x: (i + 1, x), [i0, x0],
                      shape_invariants=[i0.shape, tf.TensorShape([2])])
    with pytest.raises(ValueError, match="No loop variables provided"):
        tf.while_loop(lambda: True, lambda: (), [])
    with pytest.raises(TypeError, match="cond must be callable"):
        tf.while_loop(1, lambda i: i, [i0])
    with pytest.raises(TypeError, match="parallel_iterations must be a positive integer"):
        tf.while_loop(lambda i: i < 3, lambda i: i + 1, [i0], parallel_iterations=0)
    with pytest.raises(ValueError, match="maximum_iterations must be a scalar"):
        tf.while_loop(lambda i: i < 3, lambda i: i + 1, [i0], maximum_iterations=[2, 3])


def test_while_runtime_error_names_body_op():
    x = tf.placeholder(tf.float32, [None])
    out = tf.while_loop(lambda i, v: i < 2,
                        lambda i, v: (i + 1, tf.check_numerics(tf.log(v), "in body")), [0, x])
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="in body : Tensor had Inf"):
            sess.run(out, {x: [1.0, 0.0]})


@pytest.mark.parametrize("n", [0, 1, 4])
def test_while_gradient_power(n):
    def build(x, w):
        _, y = tf.while_loop(lambda k, y: k < n, lambda k, y: (k + 1, y * w), [0, x])
        return y
    check_gradients(build, [np.array([0.5, 1.5, -2.0]), np.array([1.3])])


def test_while_gradient_cumulative_sum_and_captured_tensor():
    def build(x, w):
        def body(k, s, acc):
            s = s + tf.gather(x, k) * w
            return k + 1, s, acc + s
        _, s, acc = tf.while_loop(lambda k, s, a: k < 4, body,
                                  [0, tf.zeros([1], tf.float64), tf.zeros([1], tf.float64)])
        return tf.concat([s, acc * acc], 0)
    check_gradients(build, [np.array([0.3, -1.0, 2.0, 0.7]), np.array([0.9])])


def test_while_gradient_with_variable_and_cond(device_mode):
    w = tf.Variable([1.5, 0.5], name="w")

    def body(i, x):
        return i + 1, tf.cond(i < 1, lambda: x * w, lambda: x * x)
    _, y = tf.while_loop(lambda i, x: i < 3, body, [0, tf.constant([1.0, 2.0])])
    gw = tf.gradients(tf.reduce_sum(y), w)[0]
    with tf.Session() as sess:
        sess.run(w.initializer)
        # y = (x * w) ** 4  =>  dy/dw = 4 x^4 w^3
        np.testing.assert_allclose(sess.run(gw), 4 * np.array([1, 16]) * [1.5 ** 3, 0.5 ** 3],
                                   rtol=1e-5)


def test_while_no_back_prop_and_second_order_unsupported():
    x = tf.placeholder(tf.float32, [])
    y = tf.while_loop(lambda i, v: i < 2, lambda i, v: (i + 1, v * x), [0, x],
                      back_prop=False)[1]
    assert tf.gradients(y, x) == [None]
    z = tf.while_loop(lambda i, v: i < 2, lambda i, v: (i + 1, v * x), [0, x])[1]
    g = tf.gradients(z, x)[0]
    with pytest.raises(LookupError, match="While"):
        tf.gradients(g, x)


# --------------------------------------------------------------------------- checks

def test_assert_passes_and_fails(device_mode):
    x = tf.placeholder(tf.float32, [None])
    check = tf.Assert(tf.reduce_all(x > 0) if hasattr(tf, "reduce_all") else x[0] > 0,
                      ["x must be positive:", x], summarize=2)
    assert check.type == "Merge" and check.name.startswith("Assert/AssertGuard")
    with tf.control_dependencies([check]):
        y = tf.identity(x)
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(y, {x: [1, 2]}), [1, 2])
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"assertion failed: \[x must be positive:\] \[-1 2\.\.\.\]"):
            sess.run(y, {x: [-1, 2, 3]})


def test_assert_int_and_string_data_is_unguarded():
    n = tf.placeholder(tf.int32, [])
    a = tf.Assert(n < 3, ["n too big", n])
    assert a.type == "Assert" and a.name == "Assert/Assert"
    with tf.Session() as sess:
        sess.run(a, {n: 1})
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[n too big\] \[7\]"):
            sess.run(a, {n: 7})


def test_summarize_value_formats_like_tf():
    from tensorslim.core.ops.check_ops import summarize_value
    m = np.array([[1.5, 2, 3], [4, 5, 6]], np.float32)
    assert summarize_value(m, 3) == "[1.5 2 3]..."
    assert summarize_value(m, 4) == "[1.5 2 3][4...]..."
    assert summarize_value(np.arange(5), 3) == "0 1 2..."
    assert summarize_value(np.array([True, False])) == "1 0"
    assert summarize_value(np.array([0.1, 123456789.0, 1 / 3], np.float32), 5) == \
        "0.1 123456792 0.333333343"
    assert summarize_value(np.array(1 / 3)) == "0.33333333333333331"
    assert summarize_value(np.array([b"a\nb"], dtype=object)) == "a\\nb"
    assert summarize_value(np.zeros((2, 0))) == ""


def test_check_numerics(device_mode):
    x = tf.placeholder(tf.float32, [None])
    y = tf.check_numerics(x, "my message")
    assert y.op.type == "CheckNumerics" and y.op.get_attr("message") == "my message"
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(y, {x: [1, 2]}), [1, 2])
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match="my message : Tensor had NaN values"):
            sess.run(y, {x: [1, np.nan]})
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match="my message : Tensor had Inf and NaN values"):
            sess.run(y, {x: [np.inf, np.nan]})
    with pytest.raises(TypeError, match="int32 not in list of allowed values"):
        tf.check_numerics(tf.constant(1), "m")


def test_check_numerics_gradient_and_verify():
    check_gradients(lambda a: tf.check_numerics(a * a, "m"), [np.array([1.0, -2.0])])
    x = tf.placeholder(tf.float32, [])
    v = tf.verify_tensor_all_finite(x, "bad x")
    with tf.Session() as sess:
        assert sess.run(v, {x: 2.0}) == 2.0
        with pytest.raises(tf.errors.InvalidArgumentError, match="bad x : Tensor had Inf"):
            sess.run(v, {x: np.inf})


def test_add_check_numerics_ops():
    x = tf.placeholder(tf.float32, [2], name="x")
    y = tf.log(x, name="log_x")
    check = tf.add_check_numerics_ops()
    with tf.Session() as sess:
        sess.run([y, check], {x: [1, 2]})
        with pytest.raises(tf.errors.InvalidArgumentError, match="log_x:0 : Tensor had Inf"):
            sess.run([y, check], {x: [0, 2]})
    tf.cond(tf.placeholder(tf.bool, []), lambda: x, lambda: x)
    with pytest.raises(ValueError, match="not compatible with TensorFlow control flow"):
        tf.add_check_numerics_ops()


def test_print_passes_through_and_prints(capsys):
    x = tf.constant([1.0, 2.0, 3.0, 4.0])
    p = tf.Print(x, [x, tf.constant("s")], message="hello: ", summarize=2, first_n=2)
    assert p.op.type == "Print"
    with tf.Session() as sess:
        for _ in range(3):
            np.testing.assert_allclose(sess.run(p), [1, 2, 3, 4])
    err = capsys.readouterr().err
    assert err.count("hello: [1 2...][s]\n") == 2
    check_gradients(lambda a: tf.Print(a * 2.0, [a]), [np.array([1.0, 3.0])])
    capsys.readouterr()


# --------------------------------------------------------------------------- py_func

def test_py_func_values(device_mode):
    x = tf.placeholder(tf.float32, [None])
    y = tf.py_func(lambda a: a * 2, [x], tf.float32)
    pair = tf.py_func(lambda a: (a.sum(), np.int64(a.size)), [x], [tf.float32, tf.int64])
    s = tf.py_func(lambda: np.array(["a", "bc"]), [], tf.string, stateful=False)
    assert y.op.type == "PyFunc" and s.op.type == "PyFuncStateless"
    assert y.op.get_attr("token").startswith("pyfunc_") and y.shape.ndims is None
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(y, {x: [1, 2]}), [2, 4])
        total, size = sess.run(pair, {x: [1, 2, 3]})
        assert total == 6.0 and size == 3
        assert list(sess.run(s)) == [b"a", b"bc"]


def test_py_func_scalar_arguments_are_numpy_scalars():
    seen = []

    def f(a, s):
        seen.append((type(a), type(s)))
        return a
    y = tf.py_func(f, [tf.constant(1.0), tf.constant("ab")], tf.float32)
    with tf.Session() as sess:
        sess.run(y)
    assert seen == [(np.float32, bytes)]


def test_py_func_errors():
    x = tf.constant(1.0)

    def boom(a):
        raise ValueError("boom")

    def stop(a):
        raise StopIteration("done")

    def crash(a):
        raise RuntimeError("crash")
    cases = [(tf.py_func(lambda a: 2.0, [x], tf.float32), tf.errors.InvalidArgumentError,
              r"0-th value returned by pyfunc_\d+ is double, but expects float"),
             (tf.py_func(lambda a: (a, a), [x], tf.float32), tf.errors.InvalidArgumentError,
              r"pyfunc_\d+ returns 2 values, but expects to see 1 values"),
             (tf.py_func(boom, [x], tf.float32), tf.errors.InvalidArgumentError,
              "ValueError: boom"),
             (tf.py_func(stop, [x], tf.float32), tf.errors.OutOfRangeError, "done"),
             (tf.py_func(crash, [x], tf.float32), tf.errors.UnknownError,
              "RuntimeError: crash")]
    with tf.Session() as sess:
        for t, cls, msg in cases:
            with pytest.raises(cls, match=msg):
                sess.run(t)
    with pytest.raises(TypeError, match="Expected func to be callable"):
        tf.py_func(1, [x], tf.float32)


def test_py_func_has_no_gradient_unless_overridden():
    x = tf.placeholder(tf.float32, [2])
    y = tf.py_func(np.square, [x], tf.float32)
    assert tf.gradients(y, x) == [None]

    @tf.RegisterGradient("TestControlFlowSquareGrad")
    def _square_grad(op, grad):
        return [grad * 2.0 * op.inputs[0]]
    with tf.get_default_graph().gradient_override_map({"PyFunc": "TestControlFlowSquareGrad"}):
        y2 = tf.py_func(np.square, [x], tf.float32)
    y2.set_shape([2])
    g = tf.gradients(y2, x)[0]
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(g, {x: [1, 3]}), [2, 6])


def test_py_func_empty_tout_returns_operation():
    calls = []
    op = tf.py_func(lambda: calls.append(1), [], [])
    assert isinstance(op, tf.Operation)
    with tf.Session() as sess:
        sess.run(op)
    assert calls == [1]


def test_while_variables_created_in_body_get_gradients():
    def body(i, x):
        w = tf.get_variable("w", [2], initializer=tf.constant_initializer(2.0),
                            dtype=tf.float32)
        return i + 1, x * w
    with tf.variable_scope("rnn", reuse=tf.AUTO_REUSE):
        _, y = tf.while_loop(lambda i, x: i < 3, body, [0, tf.constant([1.0, 3.0])])
    w = tf.trainable_variables()[0]
    assert w.name == "rnn/w:0"
    gw = tf.gradients(tf.reduce_sum(y), w)[0]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_allclose(sess.run(y), [8, 24])
        np.testing.assert_allclose(sess.run(gw), [12, 36])  # 3 w^2 x0


def test_while_stateful_body_ops_run_every_iteration():
    draws = tf.while_loop(lambda i, acc: i < 3,
                          lambda i, acc: (i + 1, tf.concat([acc, tf.random_uniform([1])], 0)),
                          [0, tf.zeros([0])],
                          shape_invariants=[tf.TensorShape([]), tf.TensorShape([None])])[1]
    const = tf.while_loop(lambda i, c: i < 2, lambda i, c: (i + 1, tf.constant(7.0)), [0, 1.0])
    with tf.Session() as sess:
        d = sess.run(draws)
        assert d.shape == (3,) and len(set(d.tolist())) == 3
        assert sess.run(const[1]) == 7.0


# --------------------------------------------------------------------------- tf.assert_*

def test_assert_equal_static_and_dynamic():
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"Condition x == y did not hold element-wise:\nx \(Const:0\) = "
                             r"\n\[1 2\]"):
        tf.assert_equal(tf.constant([1, 2]), tf.constant([1, 3]))
    x = tf.placeholder(tf.int32, [3], name="x")
    a = tf.assert_equal(x, [1, 2, 3], message="msg")
    assert a.name == "assert_equal_1/Assert/Assert" and a.type == "Assert"
    with tf.Session() as sess:
        sess.run(a, {x: [1, 2, 3]})
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"assertion failed: \[msg\] \[Condition x == y did not hold "
                                 r"element-wise:\] \[x \(x:0\) = \] \[1 2 4\]"):
            sess.run(a, {x: [1, 2, 4]})


@pytest.mark.parametrize("fn, good, bad, relation", [
    (tf.assert_positive, [1.0, 2.0], [1.0, -2.0], ">"),
    (tf.assert_negative, [-1.0], [0.0], "<"),
    (tf.assert_non_negative, [0.0, 2.0], [-1.0], ">="),
    (tf.assert_non_positive, [0.0, -2.0], [1.0], "<="),
])
def test_sign_asserts(fn, good, bad, relation):
    f = tf.placeholder(tf.float32, [None], name="f")
    check = fn(f)
    with tf.Session() as sess:
        sess.run(check, {f: good})
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"\[Condition x %s 0 did not hold element-wise:\] \[x \(f:0\) "
                                 % relation):
            sess.run(check, {f: bad})


def test_binary_asserts():
    x = tf.placeholder(tf.float32, [2])
    y = tf.constant([1.0, 1.0])
    checks = [(tf.assert_less(x, y), [0, 0], [0, 1]),
              (tf.assert_less_equal(x, y), [1, 1], [2, 0]),
              (tf.assert_greater(x, y), [2, 2], [1, 2]),
              (tf.assert_greater_equal(x, y), [1, 1], [0, 1]),
              (tf.assert_none_equal(x, y), [0, 2], [1, 2])]
    with tf.Session() as sess:
        for check, good, bad in checks:
            sess.run(check, {x: good})
            with pytest.raises(tf.errors.InvalidArgumentError, match="did not hold"):
                sess.run(check, {x: bad})


def test_rank_type_and_scalar_asserts():
    x = tf.placeholder(tf.int32, [3], name="x")
    with pytest.raises(ValueError, match=r"hey.  Tensor x:0 must have rank 2.  Received rank "
                                         r"1, shape \(3,\)"):
        tf.assert_rank(x, 2, message="hey")
    assert tf.assert_rank(x, 1).name == "assert_rank_1/static_checks_determined_all_ok"
    with pytest.raises(ValueError, match="must have rank at least 2"):
        tf.assert_rank_at_least(x, 2)
    u = tf.placeholder(tf.float32)
    dyn = tf.assert_rank(u, 2)
    with tf.Session() as sess:
        sess.run(dyn, {u: np.zeros((2, 2))})
        with pytest.raises(tf.errors.InvalidArgumentError, match="must have rank"):
            sess.run(dyn, {u: np.zeros(2)})
    with pytest.raises(TypeError, match="m.  x:0 must be of type tf.float32; got tf.int32"):
        tf.assert_type(x, tf.float32, message="m")
    assert tf.assert_type(x, tf.int32).type == "NoOp"
    with pytest.raises(TypeError, match="Expected \"x\" to be integer type"):
        tf.assert_integer(tf.constant(1.0))
    assert tf.assert_scalar(tf.constant(1.0)).shape.ndims == 0
    with pytest.raises(ValueError, match="Expected scalar shape for x:0, saw shape: \\(3,\\)"):
        tf.assert_scalar(x)


def test_while_respects_run_timeout():
    forever = tf.while_loop(lambda i: tf.constant(True), lambda i: i + 1, [0])
    with tf.Session() as sess:
        with pytest.raises(tf.errors.DeadlineExceededError, match="Timed out in while loop"):
            sess.run(forever, options=tf.RunOptions(timeout_in_ms=100))


def test_imported_cond_graph_runs_and_differentiates():
    x = tf.placeholder(tf.float32, [3], name="x")
    p = tf.placeholder(tf.bool, [], name="p")
    tf.cond(p, lambda: x * 2.0, lambda: x, name="c")
    graph_def = tf.get_default_graph().as_graph_def()
    g2 = tf.Graph()
    with g2.as_default():
        tf.import_graph_def(graph_def, name="")
        out = g2.get_tensor_by_name("c/Merge:0")
        grad = tf.gradients(out, g2.get_tensor_by_name("x:0"))[0]
        with tf.Session() as sess:
            feed = {"x:0": [1, 2, 3], "p:0": True}
            np.testing.assert_allclose(sess.run(out, feed), [2, 4, 6])
            np.testing.assert_allclose(sess.run(grad, feed), [2, 2, 2])
            feed["p:0"] = False
            np.testing.assert_allclose(sess.run(grad, feed), [1, 1, 1])


@pytest.mark.parametrize("pred", [True, False])
def test_while_inside_cond_gradient(pred):
    def build(x, w):
        loop = lambda: tf.while_loop(lambda i, y: i < 3, lambda i, y: (i + 1, y * w),  # noqa
                                     [0, x])[1]
        return tf.cond(tf.constant(pred), loop, lambda: x * 2.0)
    check_gradients(build, [np.array([0.5, 1.5]), np.array([0.7])])


def test_cond_branch_updates_outer_variable_by_reference():
    v = tf.Variable(5.0)
    p = tf.placeholder(tf.bool, [])
    r = tf.cond(p, lambda: tf.assign_sub(v, 1.0), lambda: tf.identity(v))
    switches = [op for op in tf.get_default_graph().get_operations() if op.type == "RefSwitch"]
    assert switches
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(r, {p: True}) == 4.0
        assert sess.run(r, {p: False}) == 4.0
