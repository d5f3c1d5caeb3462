"""The fast paths of the input pipeline: block storage in queues, the per-element kernels of
tf.data map functions (DecodeRaw, Reshape, Cast, RealDiv) and the constants a tf.data
function's runner feeds instead of running."""
import threading
import warnings

import numpy as np
import pytest

import tensorslim as tf


def _rows_match(images, labels):
    # Element i was enqueued as (image filled with i, label i): components stay together.
    for img, lab in zip(images, labels):
        assert (img == lab).all()


# --------------------------------------------------------------------------- RandomShuffleQueue

def test_shuffle_queue_blocks_are_dequeued_once_with_components_together():
    q = tf.RandomShuffleQueue(200, 0, [tf.float32, tf.int64, tf.string],
                              shapes=[[2, 3], [], []], seed=7)
    img = tf.placeholder(tf.float32, [None, 2, 3])
    lab = tf.placeholder(tf.int64, [None])
    txt = tf.placeholder(tf.string, [None])
    enq = q.enqueue_many([img, lab, txt])
    one = q.enqueue([tf.fill([2, 3], 1000.0), tf.constant(1000, tf.int64), "s1000"])
    deq = q.dequeue_many(7)
    rest = q.dequeue_up_to(500)
    seen = []
    with tf.Session() as sess:
        for start in (0, 30, 95):   # blocks of 30, 65 and 5 (the pool grows past 64)
            n = {0: 30, 30: 65, 95: 5}[start]
            labels = np.arange(start, start + n)
            sess.run(enq, {img: np.broadcast_to(labels[:, None, None], (n, 2, 3)),
                           lab: labels, txt: [b"s%d" % i for i in labels]})
            sess.run(one)
            a, b, c = sess.run(deq)
            assert a.shape == (7, 2, 3) and a.dtype == np.float32
            _rows_match(a, b)
            assert list(c) == [b"s%d" % i for i in b]
            seen += list(b)
        assert sess.run(q.size()) == 103 - 21
        sess.run(q.close())
        a, b, c = sess.run(rest)
        _rows_match(a, b)
        assert list(c) == [b"s%d" % i for i in b]
        seen += list(b)
    assert sorted(seen) == sorted(list(range(100)) + [1000] * 3)


def test_shuffle_queue_seeded_order_repeats_and_is_shuffled():
    def order(seed):
        g = tf.Graph()
        with g.as_default():
            q = tf.RandomShuffleQueue(100, 10, [tf.int32], shapes=[[]], seed=seed)
            enq = q.enqueue_many([tf.range(50)])
            deq = q.dequeue_many(8)
            with tf.Session() as sess:
                sess.run(enq)
                sess.run(enq)
                return [int(v) for _ in range(11) for v in sess.run(deq)]
    a = order(3)
    assert a == order(3)
    assert a != order(4)
    assert a != sorted(a)


def test_shuffle_queue_draws_every_position_uniformly():
    # Ten elements, drained by one dequeue_many(10) each round: where element 0 lands is
    # uniform (a chi-square check far from its 0.1% critical value).
    q = tf.RandomShuffleQueue(10, 0, [tf.int32], shapes=[[]], seed=11)
    enq = q.enqueue_many([tf.range(10)])
    deq = q.dequeue_many(10)
    counts = np.zeros(10)
    with tf.Session() as sess:
        for _ in range(1000):
            sess.run(enq)
            counts[int(np.flatnonzero(sess.run(deq) == 0)[0])] += 1
    chi2 = ((counts - 100) ** 2 / 100).sum()
    assert chi2 < 27.9   # 9 degrees of freedom, p = 0.001


def test_shuffle_queue_batches_do_not_alias_the_pool():
    q = tf.RandomShuffleQueue(16, 0, [tf.int32], shapes=[[4]], seed=1)
    x = tf.placeholder(tf.int32, [None, 4])
    enq = q.enqueue_many([x])
    deq = q.dequeue_many(8)
    with tf.Session() as sess:
        fed = np.repeat(np.arange(8)[:, None], 4, axis=1).astype(np.int32)
        sess.run(enq, {x: fed})
        fed[:] = -1   # the queue copied the fed array
        first = sess.run(deq)
        kept = first.copy()
        sess.run(enq, {x: np.full((8, 4), 99, np.int32)})
        second = sess.run(deq)
    np.testing.assert_array_equal(first, kept)
    assert sorted(first[:, 0]) == list(range(8))
    assert (second == 99).all()


def test_shuffle_queue_blocked_producers_and_consumers_see_each_element_once():
    q = tf.RandomShuffleQueue(40, 8, [tf.int64, tf.float32], shapes=[[], [3]], seed=5)
    lab = tf.placeholder(tf.int64, [None])
    enq = q.enqueue_many([lab, tf.tile(tf.cast(lab, tf.float32)[:, None], [1, 3])])
    deq = q.dequeue_up_to(16)
    got = []
    with tf.Session() as sess:
        def produce(base):
            for k in range(10):
                start = base + 30 * k
                sess.run(enq, {lab: np.arange(start, start + 30)})
        producers = [threading.Thread(target=produce, args=(base,)) for base in (0, 1000)]
        for t in producers:
            t.start()
        while len(got) < 600 - 8:
            a, b = sess.run(deq)
            assert (b == a[:, None]).all()
            got += list(a)
        for t in producers:
            t.join(10)
        sess.run(q.close())
        while True:
            try:
                a, _ = sess.run(deq)
            except tf.errors.OutOfRangeError:
                break
            got += list(a)
    want = [b + 30 * k + i for b in (0, 1000) for k in range(10) for i in range(30)]
    assert sorted(got) == sorted(want)


def test_shuffle_queue_without_shapes_keeps_element_shapes():
    q = tf.RandomShuffleQueue(10, 0, [tf.int32], seed=2)
    x = tf.placeholder(tf.int32)
    enq = q.enqueue([x])
    deq = q.dequeue()
    with tf.Session() as sess:
        for n in (1, 2, 3):
            sess.run(enq, {x: np.arange(n)})
        got = sorted(sess.run(deq).tolist() for _ in range(3))
        with pytest.raises(tf.errors.InvalidArgumentError, match="specified shapes"):
            sess.run(q.dequeue_many(1))
    assert got == [[0], [0, 1], [0, 1, 2]]


# --------------------------------------------------------------------------- FIFO queues

def test_fifo_queue_blocks_keep_order_across_block_boundaries():
    q = tf.FIFOQueue(100, [tf.int32, tf.string], shapes=[[2], []])
    x = tf.placeholder(tf.int32, [None, 2])
    s = tf.placeholder(tf.string, [None])
    enq = q.enqueue_many([x, s])
    one = q.enqueue([[-1, -1], "one"])
    deq = q.dequeue_many(4)
    with tf.Session() as sess:
        fed = np.arange(10, dtype=np.int32).reshape(5, 2)
        sess.run(enq, {x: fed, s: ["a", "b", "c", "d", "e"]})
        fed[:] = 0   # enqueued values are copies
        sess.run(one)
        sess.run(enq, {x: [[20, 21], [22, 23]], s: ["f", "g"]})
        a1, s1 = sess.run(deq)
        a2, s2 = sess.run(deq)
        assert sess.run(q.size()) == 0
    np.testing.assert_array_equal(a1, [[0, 1], [2, 3], [4, 5], [6, 7]])
    assert list(s1) == [b"a", b"b", b"c", b"d"]
    np.testing.assert_array_equal(a2, [[8, 9], [-1, -1], [20, 21], [22, 23]])
    assert list(s2) == [b"e", b"one", b"f", b"g"]


def test_fifo_queue_single_dequeue_from_a_block_and_empty_timeout():
    q = tf.FIFOQueue(10, [tf.float32], shapes=[[]])
    enq = q.enqueue_many([[1.5, 2.5]])
    deq = q.dequeue()
    with tf.Session() as sess:
        sess.run(enq)
        first = sess.run(deq)
        assert first.shape == () and first == 1.5
        assert sess.run(deq) == 2.5
        with pytest.raises(tf.errors.DeadlineExceededError):
            sess.run(deq, options=tf.RunOptions(timeout_in_ms=50))


def test_padding_fifo_queue_pads_across_blocks():
    q = tf.PaddingFIFOQueue(10, [tf.int32], shapes=[[None]])
    x = tf.placeholder(tf.int32, [None, None])
    enq = q.enqueue_many([x])
    deq = q.dequeue_many(3)
    with tf.Session() as sess:
        sess.run(enq, {x: [[1], [2]]})
        sess.run(enq, {x: [[3, 4, 5]]})
        out = sess.run(deq)
    np.testing.assert_array_equal(out, [[1, 0, 0], [2, 0, 0], [3, 4, 5]])


# --------------------------------------------------------------------------- map kernels

def _run(t, feed=None):
    with tf.Session() as sess:
        return sess.run(t, feed)


def test_decode_raw_single_record_and_batch():
    data = np.arange(6, dtype="<u2").tobytes()
    one = tf.decode_raw(tf.constant(data), tf.uint16)
    big = tf.decode_raw(tf.constant(np.arange(3, dtype=">i4").tobytes()), tf.int32,
                        little_endian=False)
    many = tf.decode_raw(tf.constant([[data, data]]), tf.uint16)
    a, b, c = _run([one, big, many])
    np.testing.assert_array_equal(a, np.arange(6))
    assert a.dtype == np.uint16 and a.flags.writeable
    np.testing.assert_array_equal(b, [0, 1, 2])
    assert b.dtype == np.int32 and b.dtype.isnative
    assert c.shape == (1, 2, 6)
    s = tf.placeholder(tf.string, [None])
    with pytest.raises(tf.errors.InvalidArgumentError, match="element 2 has size 4 != 3"):
        _run(tf.decode_raw(s, tf.uint8), {s: [b"abcd", b"efgh", b"ijk"]})
    with pytest.raises(tf.errors.InvalidArgumentError, match="length 3 that is not a multiple "
                       "of 2, the size of uint16"):
        _run(tf.decode_raw(tf.constant(b"abc"), tf.uint16))


def test_decode_raw_in_a_dataset_map():
    recs = [np.full(4, i, np.uint8).tobytes() for i in range(5)]
    ds = tf.data.Dataset.from_tensor_slices(recs).map(
        lambda s: tf.cast(tf.reshape(tf.decode_raw(s, tf.uint8), [2, 2]), tf.float32) / 2.0)
    nxt = ds.batch(5).make_one_shot_iterator().get_next()
    out = _run(nxt)
    np.testing.assert_array_equal(out, np.arange(5)[:, None, None] / 2.0 * np.ones((5, 2, 2)))


def test_reshape_kernel_paths_and_errors():
    x = tf.placeholder(tf.float32)
    s = tf.placeholder(tf.int32, [None])
    r = tf.reshape(x, s)
    val = np.arange(6, dtype=np.float32)
    assert _run(r, {x: val, s: [2, 3]}).shape == (2, 3)
    assert _run(r, {x: val, s: [3, -1]}).shape == (3, 2)
    assert _run(r, {x: np.zeros(0, np.float32), s: [0, 5]}).shape == (0, 5)
    assert _run(r, {x: np.float32(2.0).reshape(1), s: []}).shape == ()
    with pytest.raises(tf.errors.InvalidArgumentError, match="6 values, but the requested "
                       "shape has 8"):
        _run(r, {x: val, s: [2, 4]})
    with pytest.raises(tf.errors.InvalidArgumentError, match="Only one input size may be -1"):
        _run(r, {x: val, s: [-1, -1]})
    with pytest.raises(tf.errors.InvalidArgumentError, match="Size 1 must be non-negative"):
        _run(r, {x: val, s: [2, -3]})


@pytest.mark.parametrize("src,dst,value,want", [
    (np.uint8, tf.float32, [0, 255], [0.0, 255.0]),
    (np.int64, tf.float64, [2 ** 40], [2.0 ** 40]),
    (np.float32, tf.int32, [np.nan, 1.7, -2.5], None),   # unsafe: no warning
    (np.float64, tf.float16, [1e300], [np.inf]),          # overflow: no warning
    (np.complex64, tf.float32, [1 + 2j], [1.0]),
    (np.int32, tf.int32, [3], [3]),
])
def test_cast_kernel_modes_warn_nothing(src, dst, value, want):
    x = tf.placeholder(tf.as_dtype(src))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = _run(tf.cast(x, dst), {x: np.array(value, src)})
    assert out.dtype == dst.as_numpy_dtype
    if want is not None:
        np.testing.assert_array_equal(out, want)


def test_cast_kernel_refuses_strings_every_time():
    x = tf.placeholder(tf.string)
    y = tf.cast(x, tf.float32)
    with tf.Session() as sess:
        for _ in range(2):   # the second run takes the cached cast mode
            with pytest.raises(tf.errors.InvalidArgumentError, match="string_to_number"):
                sess.run(y, {x: "a"})


@pytest.mark.parametrize("y", [255.0, -3.0, 1.0, 0.5, 0.0, np.inf, np.nan, 1e-40])
def test_real_div_matches_numpy_without_warnings(y):
    xv = np.array([0.0, 1.0, -7.5, np.inf, np.nan, 3e38], np.float32)
    x = tf.placeholder(tf.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = _run(x / tf.constant(y, tf.float32), {x: xv})
    with np.errstate(all="ignore"):
        want = xv / np.float32(y)
    np.testing.assert_array_equal(out, want)


# --------------------------------------------------------------------------- function runner

def test_map_function_constants_are_fed():
    c = tf.constant(10.0)
    ds = tf.data.Dataset.range(4).map(
        lambda i: (tf.cast(i, tf.float32) * 2.0 + c, tf.constant([1, 2]), tf.constant(b"k")))
    nxt = ds.batch(4).make_one_shot_iterator().get_next()
    a, b, s = _run(nxt)
    np.testing.assert_array_equal(a, [10.0, 12.0, 14.0, 16.0])
    np.testing.assert_array_equal(b, [[1, 2]] * 4)
    assert list(s) == [b"k"] * 4


def test_map_function_with_cond_and_control_dependencies():
    def f(i):
        small = tf.cond(i < 2, lambda: tf.constant(1, tf.int64), lambda: tf.constant(2, tf.int64))
        with tf.control_dependencies([tf.assert_non_negative(i)]):
            k = tf.constant(5, tf.int64)
        return small + k + i
    out = _run(tf.data.Dataset.range(4).map(f).batch(4).make_one_shot_iterator().get_next())
    np.testing.assert_array_equal(out, [6, 7, 9, 10])


def test_map_function_errors_still_name_the_op():
    ds = tf.data.Dataset.from_tensor_slices([b"abcd", b"abc"]).map(
        lambda s: tf.reshape(tf.decode_raw(s, tf.uint8), [2, 2]))
    nxt = ds.make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        assert sess.run(nxt).shape == (2, 2)
        with pytest.raises(tf.errors.InvalidArgumentError, match="3 values, but the requested "
                           "shape has 4"):
            sess.run(nxt)


def test_shuffle_queue_close_waits_for_an_enqueue_still_copying(monkeypatch):
    # The pool copies without the lock; an enqueue that began before close() is still
    # atomic: a dequeue_up_to after the close gets all of its elements, not a part or none.
    from tensorslim.data import queues as queues_module
    copying, go_on = threading.Event(), threading.Event()
    fill = queues_module._ShufflePool.fill

    def slow_fill(self, *args):
        copying.set()
        assert go_on.wait(10)
        return fill(self, *args)
    monkeypatch.setattr(queues_module._ShufflePool, "fill", slow_fill)
    q = tf.RandomShuffleQueue(20, 0, [tf.int32], shapes=[[]], seed=1)
    enq = q.enqueue_many([tf.range(10)])
    deq = q.dequeue_up_to(20)
    got = []
    with tf.Session() as sess:
        producer = threading.Thread(target=sess.run, args=(enq,))
        producer.start()
        assert copying.wait(10)
        sess.run(q.close())
        consumer = threading.Thread(target=lambda: got.append(sess.run(deq)))
        consumer.start()
        consumer.join(0.2)
        assert consumer.is_alive()   # waits for the copy instead of raising OutOfRange
        go_on.set()
        producer.join(10)
        consumer.join(10)
        with pytest.raises(tf.errors.OutOfRangeError):
            sess.run(deq)
    assert sorted(got[0]) == list(range(10))


# --------------------------------------------------------------------------- batching

def test_batch_of_mapped_elements_keeps_dtypes_strings_and_errors():
    def f(i, s):
        return tf.fill([2, 1], tf.cast(i, tf.float32)), s, i > 1, tf.reshape(i, [1, 1, 1])
    ds = tf.data.Dataset.from_tensor_slices((np.arange(5), [b"%d" % i for i in range(5)]))
    nxt = ds.map(f).batch(3).make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        a, s, flag, r = sess.run(nxt)
        assert a.dtype == np.float32 and a.shape == (3, 2, 1)
        np.testing.assert_array_equal(a[:, 0, 0], [0, 1, 2])
        assert s.dtype == object and list(s) == [b"0", b"1", b"2"]
        assert flag.dtype == np.bool_ and list(flag) == [False, False, True]
        assert r.dtype == np.int64 and r.shape == (3, 1, 1, 1)
        a, s, _, _ = sess.run(nxt)   # the short last batch
        assert a.shape == (2, 2, 1) and list(s) == [b"3", b"4"]
        with pytest.raises(tf.errors.OutOfRangeError):
            sess.run(nxt)
    ragged = tf.data.Dataset.range(4).map(lambda i: tf.range(i // 2)).batch(4)
    nxt = ragged.make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="component 0. First element "
                           r"had shape \[0\] and element 2 had shape \[1\]"):
            sess.run(nxt)


def test_batch_drops_the_partial_batch_of_a_failing_element_and_goes_on():
    ds = tf.data.Dataset.from_tensor_slices([b"ab", b"cd", b"e", b"fg", b"hi"]).map(
        lambda s: tf.decode_raw(s, tf.uint16))
    nxt = ds.batch(2).make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        assert sess.run(nxt).shape == (2, 1)
        with pytest.raises(tf.errors.InvalidArgumentError, match="length 1"):
            sess.run(nxt)   # "e" fails: the batch it was in is dropped
        assert sess.run(nxt).shape == (2, 1)   # fg, hi
        with pytest.raises(tf.errors.OutOfRangeError):
            sess.run(nxt)
