"""Random ops: distributions, shapes and dtypes, and TF1's seeding rules (graph seed + op
seed), on the CPU and on the strict test device."""
import numpy as np
import pytest

import tensorslim as tf


def run(fetches, feed_dict=None, graph=None):
    with tf.Session(graph=graph) as sess:
        return sess.run(fetches, feed_dict=feed_dict)


def test_distributions_shapes_and_dtypes(device_mode):
    u = tf.random_uniform([2000], minval=10, maxval=11)
    n = tf.random_normal([4000], mean=3.0, stddev=0.5)
    t = tf.truncated_normal([4000], mean=5.0, stddev=0.5, dtype=tf.float64)
    i = tf.random_uniform([2, 3], minval=-2, maxval=3, dtype=tf.int64)
    h = tf.random_normal([3], dtype=tf.float16)
    assert u.shape.as_list() == [2000] and i.dtype == tf.int64 and t.dtype == tf.float64
    vu, vn, vt, vi, vh = run([u, n, t, i, h])
    assert vu.dtype == np.float32 and vn.dtype == np.float32 and vh.dtype == np.float16
    assert vu.min() >= 10 and vu.max() < 11 and abs(vu.mean() - 10.5) < 0.05
    assert abs(vn.mean() - 3.0) < 0.05 and abs(vn.std() - 0.5) < 0.05
    assert vt.min() >= 4.0 and vt.max() <= 6.0 and abs(vt.mean() - 5.0) < 0.05
    assert vi.shape == (2, 3) and vi.dtype == np.int64 and vi.min() >= -2 and vi.max() < 3


def test_names_follow_tf():
    tf.random_uniform([2, 3])
    tf.random_normal([2])
    tf.random_uniform([2], maxval=5, dtype=tf.int32)
    names = [(op.name, op.type) for op in tf.get_default_graph().get_operations()]
    assert ("random_uniform/RandomUniform", "RandomUniform") in names
    assert ("random_uniform", "Add") in names or ("random_uniform", "AddV2") in names
    assert ("random_normal/RandomStandardNormal", "RandomStandardNormal") in names
    assert names[0] == ("random_uniform/shape", "Const")
    assert ("random_uniform_1", "RandomUniformInt") in names


def test_unseeded_ops_differ_between_runs_and_sessions():
    x = tf.random_uniform([5])
    with tf.Session() as sess:
        a, b = sess.run(x), sess.run(x)
    with tf.Session() as sess:
        c = sess.run(x)
    assert not np.array_equal(a, b) and not np.array_equal(a, c)


def _build(seed_graph=None, op_seed=None):
    g = tf.Graph()
    with g.as_default():
        if seed_graph is not None:
            tf.set_random_seed(seed_graph)
        a = tf.random_uniform([4], seed=op_seed)
        b = tf.random_normal([4], seed=op_seed)
        c = tf.random_uniform([4], seed=op_seed)
    return g, (a, b, c)


@pytest.mark.parametrize("graph_seed,op_seed", [(42, None), (None, 7), (3, 7)])
def test_seeded_ops_repeat_across_sessions_and_graphs(graph_seed, op_seed):
    g, ts = _build(graph_seed, op_seed)
    with tf.Session(graph=g) as sess:
        first = sess.run(ts)
        second = sess.run(ts)
    with tf.Session(graph=g) as sess:
        again = sess.run(ts)
    g2, ts2 = _build(graph_seed, op_seed)
    other_graph = run(ts2, graph=g2)
    for x, y, z in zip(first, again, other_graph):
        np.testing.assert_array_equal(x, y)
        np.testing.assert_array_equal(x, z)
    assert not np.array_equal(first[0], second[0])
    if op_seed is None:
        assert not np.array_equal(first[0], first[2])  # distinct ops, distinct streams
    else:
        np.testing.assert_array_equal(first[0], first[2])  # same seeds, same stream


def test_seed_attrs():
    tf.set_random_seed(5)
    a = tf.random_uniform([1])
    b = tf.random_uniform([1], seed=3)
    tf.get_default_graph().seed = None
    c = tf.random_uniform([1], seed=9)
    d = tf.random_uniform([1])
    del a, b, c, d
    sa, sb, sc, sd = [op for op in tf.get_default_graph().get_operations()
                      if op.type == "RandomUniform"]
    assert sa.get_attr("seed") == 5 and sb.get_attr("seed") == 5 and sb.get_attr("seed2") == 3
    assert sc.get_attr("seed") == 87654321 and sc.get_attr("seed2") == 9
    assert sd.get_attr("seed") == 0 and sd.get_attr("seed2") == 0


def test_random_uniform_errors():
    with pytest.raises(ValueError, match="Must specify maxval for integer dtype"):
        tf.random_uniform([2], dtype=tf.int32)
    with pytest.raises(ValueError, match="Invalid dtype"):
        tf.random_uniform([2], dtype=tf.string)
    with pytest.raises(ValueError, match="Shape must be rank 1 but is rank 2"):
        tf.random_normal([[2]])
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"Need minval < maxval(.|\n)*random_uniform"):
        run(tf.random_uniform([2], 5, 3, dtype=tf.int32))
    n = tf.placeholder(tf.int32, [1])
    with pytest.raises(tf.errors.InvalidArgumentError, match="must be >= 0"):
        run(tf.random_normal(n), {n: [-1]})


def test_dynamic_shape(device_mode):
    p = tf.placeholder(tf.float32, [None, 3])
    r = tf.random_normal(tf.shape(p))
    assert r.shape.as_list() == [None, 3]
    assert run(r, {p: np.zeros((4, 3))}).shape == (4, 3)


def test_gradient_flows_to_mean_and_stddev_not_through_draws():
    mean = tf.placeholder(tf.float64, [])
    std = tf.placeholder(tf.float64, [])
    r = tf.random_normal([3], mean=mean, stddev=std, dtype=tf.float64)
    draws = tf.get_default_graph().get_operation_by_name(
        "random_normal/RandomStandardNormal").outputs[0]
    g_mean, g_std = tf.gradients(tf.reduce_sum(r), [mean, std])
    d, gm, gs = run([draws, g_mean, g_std], {mean: 0.5, std: 2.0})
    assert gm == 3.0
    np.testing.assert_allclose(gs, d.sum())
    shape = tf.constant([2.0])
    assert tf.gradients(tf.random_uniform(tf.cast(shape, tf.int32)), shape)[0] is None


def test_random_shuffle(device_mode):
    a1 = [[1, 2], [3, 4], [5, 6]]
    a2 = tf.random_shuffle(a1)
    assert a2.op.type == "RandomShuffle" and a2.shape.as_list() == [3, 2]
    orders = set()
    with tf.Session() as sess:
        for _ in range(20):
            out = sess.run(a2)
            assert sorted(map(tuple, out.tolist())) == [(1, 2), (3, 4), (5, 6)]
            orders.add(tuple(map(tuple, out.tolist())))
    assert len(orders) > 1
    seeded = tf.random_shuffle(np.arange(10), seed=4)
    np.testing.assert_array_equal(run(seeded), run(seeded))
    np.testing.assert_array_equal(run(tf.random_shuffle(7)), 7)


def test_multinomial(device_mode):
    logits = tf.log([[0.7, 0.2, 0.1], [0.0, 0.0, 1.0]])
    m = tf.multinomial(logits, 4000, seed=3)
    assert m.dtype == tf.int64 and m.shape.as_list() == [2, 4000]
    assert m.op.name == "multinomial/Multinomial"
    v = run(m)
    freq = np.bincount(v[0], minlength=3) / 4000.
    np.testing.assert_allclose(freq, [0.7, 0.2, 0.1], atol=0.03)
    assert (v[1] == 2).all()
    m32 = tf.multinomial([[1., 1.]], 3, output_dtype=tf.int32)
    assert run(m32).dtype == np.int32
    with pytest.raises(ValueError, match="Shape must be rank 2 but is rank 1"):
        tf.multinomial([1., 2.], 3)


def test_random_crop(device_mode):
    value = np.arange(30, dtype=np.float32).reshape(5, 6)
    crop = tf.random_crop(value, [2, 3], seed=1)
    assert crop.shape.as_list() == [2, 3]
    with tf.Session() as sess:
        for _ in range(5):
            out = sess.run(crop)
            r, c = divmod(int(out[0, 0]), 6)
            np.testing.assert_array_equal(out, value[r:r + 2, c:c + 3])
    p = tf.placeholder(tf.float32, [None, None])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Need value.shape >= size"):
        run(tf.random_crop(p, [2, 3]), {p: np.zeros((1, 6))})


def test_random_gamma(device_mode):
    g = tf.random_gamma([3000], [1.0, 4.0], beta=2.0, seed=2)
    assert g.shape.as_list() == [3000, 2] and g.dtype == tf.float32
    v = run(g)
    np.testing.assert_allclose(v.mean(axis=0), [0.5, 2.0], rtol=0.1)
    assert (v > 0).all()
