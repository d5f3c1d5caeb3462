"""Session.run: fetch structures, feeds, errors, default sessions, placement, plans."""
import collections
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import tensorslim as tf
from tensorslim.core import devices


def test_fetch_structures():
    a = tf.constant(1.0, name="a")
    b = tf.constant([2, 3], name="b")
    Pair = collections.namedtuple("Pair", "x y")
    with tf.Session() as sess:
        out = sess.run({"a": a, "nested": [b, (a, {"deep": b})], "pair": Pair(a, b),
                        "op": a.op})
        assert out["a"] == 1.0 and isinstance(out["a"], np.float32)
        assert out["nested"][0].tolist() == [2, 3]
        assert isinstance(out["nested"][1], tuple) and out["nested"][1][1]["deep"].tolist() \
            == [2, 3]
        assert isinstance(out["pair"], Pair) and out["pair"].x == 1.0
        assert out["op"] is None
        assert sess.run("a:0") == 1.0 and sess.run("a") is None
        assert sess.run([]) == []


def test_bad_fetches():
    with tf.Session() as sess:
        with pytest.raises(TypeError, match="None"):
            sess.run(None)
        with pytest.raises(TypeError, match="Fetch argument 3"):
            sess.run(3)
        with pytest.raises(ValueError, match="cannot be interpreted as a Tensor"):
            sess.run("missing:0")


def test_feeds_by_tensor_name_and_values():
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    y = x * 2.0
    with tf.Session() as sess:
        assert sess.run(y, {x: [[1, 2]]}).tolist() == [[2.0, 4.0]]
        assert sess.run(y, {"x:0": np.ones((3, 2))}).shape == (3, 2)
        assert sess.run(y, {x: np.ones((1, 2), np.float64)}).dtype == np.float32
        # Feeding an intermediate tensor overrides its computation.
        z = y + 1.0
        assert sess.run(z, {y: [[10.0, 20.0]]}).tolist() == [[11.0, 21.0]]


def test_feed_shape_and_value_errors():
    x = tf.placeholder(tf.float32, [None, 4], name="x")
    with tf.Session() as sess:
        with pytest.raises(ValueError, match=r"Cannot feed value of shape \(2, 3\) for Tensor "
                                             r"'x:0', which has shape '\(\?, 4\)'"):
            sess.run(x, {x: np.ones((2, 3))})
        with pytest.raises(TypeError, match="feed cannot be a tf.Tensor"):
            sess.run(x, {x: tf.constant(np.ones((1, 4)))})
        with pytest.raises(ValueError, match="Cannot feed value to Tensor 'x:0'"):
            sess.run(x, {x: [["a", "b", "c", "d"]]})
        with pytest.raises(TypeError, match="Cannot interpret feed_dict key"):
            sess.run(x, {"nope:0": 1})


def test_unfed_placeholders_are_all_named_with_locations():
    a = tf.placeholder(tf.float32, [None, 2], name="a")
    b = tf.placeholder(tf.int32, name="b")
    s = tf.reduce_sum(a) + tf.cast(b, tf.float32)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError) as e:
            sess.run(s)
    msg = str(e.value)
    assert "You must feed a value for placeholder tensor 'a' with dtype float32" in msg
    assert "a:0" in msg and "b:0" in msg and "test_session.py" in msg
    assert e.value.op is a.op


def test_only_needed_subgraph_runs():
    x = tf.placeholder(tf.float32)
    unused = x + 1.0  # noqa: F841 - needs a feed, but is not fetched
    c = tf.constant(3.0) * 2.0
    with tf.Session() as sess:
        assert sess.run(c) == 6.0


def test_closed_session_and_context_manager():
    c = tf.constant(1)
    sess = tf.Session()
    sess.close()
    sess.close()
    with pytest.raises(RuntimeError, match="closed Session"):
        sess.run(c)
    with tf.Session() as s2:
        assert tf.get_default_session() is s2
    assert tf.get_default_session() is None


def test_eval_and_run_with_default_sessions():
    v = tf.Variable(3.0, name="v")
    double = v * 2.0
    with pytest.raises(ValueError, match="No default session"):
        double.eval()
    with tf.Session() as sess:
        v.initializer.run()
        assert double.eval() == 6.0
        assert v.eval() == 3.0
    other = tf.Session()
    other.run(v.initializer)
    assert double.eval(session=other) == 6.0
    with other.as_default():
        assert tf.get_default_session() is other
    other.close()
    g = tf.Graph()
    with g.as_default():
        w = tf.constant(1.0)
    with tf.Session() as sess:
        with pytest.raises(ValueError, match="graph is different"):
            w.eval()


def test_interactive_session():
    sess = tf.InteractiveSession()
    try:
        c = tf.constant(4.0) + 1.0
        assert c.eval() == 5.0
        assert tf.get_default_session() is sess
    finally:
        sess.close()
    assert tf.get_default_session() is None


def test_uninitialized_variable_error_names_variable():
    w = tf.Variable(tf.zeros([2]), name="weights")
    out = w + 1.0
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError,
                           match="Attempting to use uninitialized value weights"):
            sess.run(out)
        sess.run(tf.global_variables_initializer())
        assert sess.run(out).tolist() == [1.0, 1.0]


def test_variables_are_per_session():
    v = tf.Variable(1.0)
    inc = tf.assign_add(v, 1.0)
    s1, s2 = tf.Session(), tf.Session()
    s1.run(v.initializer)
    s2.run(v.initializer)
    s1.run(inc)
    assert s1.run(v) == 2.0 and s2.run(v) == 1.0
    s1.close()
    s2.close()


def test_plan_is_cached_and_replayed():
    x = tf.placeholder(tf.float32, [])
    y = x * x
    with tf.Session() as sess:
        sess.run(y, {x: 2.0})
        n = len(sess._plans)
        for i in range(5):
            assert sess.run(y, {x: float(i)}) == i * i
        assert len(sess._plans) == n
        sess.run([y, x], {x: 1.0})
        assert len(sess._plans) == n + 1


def test_intermediates_are_freed():
    x = tf.placeholder(tf.float32, [3])
    a = x + 1.0
    b = a * 2.0
    c = b - 1.0
    with tf.Session() as sess:
        sess.run(c, {x: np.ones(3)})
        plan = next(iter(sess._plans.values()))
        freed = {slot for step in plan.steps for slot in step[4]}
        assert len(freed) >= 2  # a's and b's buffers are released after their last use


def test_kernel_errors_name_op_and_location():
    x = tf.placeholder(tf.float32, None)
    r = tf.reshape(x, [2, 2])
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError) as e:
            sess.run(r, {x: np.ones(5)})
    assert "Reshape" in str(e.value) and "test_session.py" in str(e.value)


def test_config_objects():
    config = tf.ConfigProto(log_device_placement=False, allow_soft_placement=True,
                            gpu_options=tf.GPUOptions(allow_growth=True,
                                                      per_process_gpu_memory_fraction=0.5),
                            intra_op_parallelism_threads=2, inter_op_parallelism_threads=2,
                            device_count={"GPU": 0})
    assert config.gpu_options.per_process_gpu_memory_fraction == 0.5
    with tf.Session(config=config) as sess:
        assert sess.run(tf.constant(1)) == 1
        assert any("CPU:0" in d.name for d in sess.list_devices())
    opts = tf.RunOptions(timeout_in_ms=1000)
    meta = tf.RunMetadata()
    with tf.Session() as sess:
        assert sess.run(tf.constant(2), options=opts, run_metadata=meta) == 2


def test_hard_placement_error_and_soft_fallback():
    with tf.device("/gpu:7"):
        c = tf.constant(1.0) + 1.0
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="GPU:7"):
            sess.run(c)
    with tf.Session(config=tf.ConfigProto(allow_soft_placement=True)) as sess:
        assert sess.run(c) == 2.0


def test_log_device_placement_prints_tf_lines():
    code = textwrap.dedent("""
        import tensorslim as tf
        a = tf.constant([1.0, 2.0], name="a")
        b = tf.add(a, a, name="b")
        with tf.Session(config=tf.ConfigProto(log_device_placement=True)) as sess:
            sess.run(b)
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={"CUDA_VISIBLE_DEVICES": "", "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    assert "b: (Add): /job:localhost/replica:0/task:0/device:CPU:0" in proc.stderr
    assert "a: (Const): /job:localhost/replica:0/task:0/device:CPU:0" in proc.stderr


def test_strict_device_runs_graph_and_returns_numpy(device_mode):
    x = tf.placeholder(tf.float32, [None, 3])
    w = tf.Variable(np.arange(6, dtype=np.float32).reshape(3, 2))
    y = tf.matmul(x, w) + tf.constant([1.0, -1.0])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        out = sess.run(y, {x: np.ones((2, 3))})
        assert type(out) is np.ndarray
        np.testing.assert_allclose(out, np.ones((2, 3)) @ np.arange(6).reshape(3, 2) +
                                   [1, -1])
        placed = sess._place(y.op)
        if device_mode == "strict":
            assert placed.name.endswith("GPU:0")
            assert not isinstance(sess._variables[w.op.name], np.ndarray)
        else:
            assert placed.name.endswith("CPU:0")


def test_gpu_availability_helpers():
    assert tf.test.is_gpu_available() == devices.gpu_available() if hasattr(tf, "test") \
        else True
    with devices.strict_test_device():
        assert devices.gpu_available()


def test_uninitialized_error_lists_all_needed_variables_and_node_def():
    a = tf.Variable(1.0, name="conv1/weights")
    b = tf.Variable(2.0, name="conv1/biases")
    tf.Variable(3.0, name="unused")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError) as e:
            sess.run(a + b)
    msg = str(e.value)
    assert "2 uninitialized variables: conv1/weights, conv1/biases" in msg
    assert "unused" not in msg and "global_variables_initializer" in msg
    assert e.value.node_def.op == "VariableV2"
