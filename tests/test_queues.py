"""Queues, queue runners, the Coordinator and the input producers / batching functions."""
import threading
import time

import numpy as np
import pytest

import tensorslim as tf
from tensorslim.data import queues as queues_module


@pytest.fixture
def short_grace(monkeypatch):
    monkeypatch.setattr(queues_module, "RUNNER_GRACE_SECS", 0.2)


def _join(coord, threads):
    coord.request_stop()
    coord.join(threads, stop_grace_period_secs=5)
    assert not any(t.is_alive() for t in threads)


# --------------------------------------------------------------------------- graph side

def test_fifo_queue_graph_names_and_shapes():
    q = tf.FIFOQueue(3, [tf.int32], shapes=[[2]])
    e = q.enqueue([[1, 2]])
    em = q.enqueue_many([[[1, 2], [3, 4]]])
    d = q.dequeue()
    dm = q.dequeue_many(2)
    du = q.dequeue_up_to(2)
    q.close()
    q.close(cancel_pending_enqueues=True)
    names = [op.name for op in tf.get_default_graph().get_operations()]
    assert names == ["fifo_queue", "fifo_queue_enqueue/component_0", "fifo_queue_enqueue",
                     "fifo_queue_EnqueueMany/component_0", "fifo_queue_EnqueueMany",
                     "fifo_queue_Dequeue", "fifo_queue_DequeueMany/n", "fifo_queue_DequeueMany",
                     "fifo_queue_DequeueUpTo/n", "fifo_queue_DequeueUpTo", "fifo_queue_Close",
                     "fifo_queue_Close_1"]
    assert q.queue_ref.op.type == "FIFOQueueV2" and e.type == "QueueEnqueueV2"
    assert em.type == "QueueEnqueueManyV2"
    assert q.queue_ref.op.get_attr("capacity") == 3
    assert d.shape.as_list() == [2]
    assert dm.shape.as_list() == [2, 2]
    assert du.shape.as_list() == [None, 2]
    assert q.size().shape.as_list() == [] and q.size().dtype == tf.int32
    assert q.name == "fifo_queue" and q.names is None and q.dtypes == [tf.int32]


def test_queue_construction_errors():
    q = tf.FIFOQueue(3, [tf.int32], shapes=[[2]])
    with pytest.raises(ValueError, match=r"Shapes \(3,\) and \(2,\) are incompatible"):
        q.enqueue([[1, 2, 3]])
    with pytest.raises(ValueError, match="rank 0"):
        q.enqueue_many([1])
    with pytest.raises(ValueError, match="All shapes must be fully defined"):
        tf.FIFOQueue(10, [tf.float32], shapes=[[None]])
    with pytest.raises(ValueError, match="same length"):
        tf.FIFOQueue(10, [tf.float32, tf.int32], shapes=[[1]])
    with pytest.raises(TypeError):
        tf.PaddingFIFOQueue(10, [tf.float32])  # pylint: disable=no-value-for-parameter
    with pytest.raises(ValueError, match="must have names"):
        q.enqueue({"a": [1, 2]})
    named = tf.FIFOQueue(3, [tf.int32, tf.float32], names=["a", "b"])
    with pytest.raises(ValueError, match="must enqueue a dictionary"):
        named.enqueue([1, 2.0])
    with pytest.raises(ValueError, match="do not match names"):
        named.enqueue({"a": 1, "c": 2.0})


def test_named_queue_round_trip():
    q = tf.FIFOQueue(3, [tf.int32, tf.string], names=["i", "s"])
    enq = q.enqueue({"i": 4, "s": "four"})
    out = q.dequeue()
    assert sorted(out) == ["i", "s"]
    with tf.Session() as sess:
        sess.run(enq)
        got = sess.run(out)
    assert got["i"] == 4 and got["s"] == b"four"


# --------------------------------------------------------------------------- run time

def test_fifo_semantics(device_mode):
    q = tf.FIFOQueue(10, [tf.float32, tf.int32], shapes=[[2], []])
    x = tf.placeholder(tf.float32, [None, 2])
    enq = q.enqueue_many([x, tf.range(tf.shape(x)[0])])
    one = q.dequeue()
    many = q.dequeue_many(2)
    up_to = q.dequeue_up_to(3)
    doubled = many[0] * 2.0   # consumer on the (strict) device
    with tf.Session() as sess:
        sess.run(enq, {x: np.arange(12, dtype=np.float32).reshape(6, 2)})
        assert sess.run(q.size()) == 6
        a, i = sess.run(one)
        np.testing.assert_array_equal(a, [0, 1])
        assert i == 0
        d, idx = sess.run([doubled, many[1]])
        np.testing.assert_array_equal(d, [[4, 6], [8, 10]])
        np.testing.assert_array_equal(idx, [1, 2])
        sess.run(q.close())
        assert sess.run(q.is_closed())
        vals, idx = sess.run(up_to)
        np.testing.assert_array_equal(idx, [3, 4, 5])
        with pytest.raises(tf.errors.OutOfRangeError,
                           match=r"FIFOQueue 'fifo_queue' is closed and has insufficient "
                                 r"elements \(requested 3, current size 0\)"):
            sess.run(up_to)
        with pytest.raises(tf.errors.CancelledError, match="'fifo_queue' is closed"):
            sess.run(enq, {x: np.zeros((1, 2), np.float32)})


def test_enqueued_feed_is_copied():
    q = tf.FIFOQueue(2, [tf.float32], shapes=[[3]])
    x = tf.placeholder(tf.float32, [3])
    enq = q.enqueue([x])
    with tf.Session() as sess:
        value = np.ones(3, np.float32)
        sess.run(enq, {x: value})
        value[:] = 7
        np.testing.assert_array_equal(sess.run(q.dequeue()), [1, 1, 1])


def test_runtime_shape_mismatch():
    q = tf.FIFOQueue(2, [tf.float32], shapes=[[3]])
    x = tf.placeholder(tf.float32)
    enq = q.enqueue([x])
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"Shape mismatch in tuple component 0. Expected \[3\], got \[2\]"):
            sess.run(enq, {x: [1.0, 2.0]})


def test_dequeue_timeout_is_deadline_exceeded():
    q = tf.FIFOQueue(2, [tf.float32])
    with tf.Session() as sess:
        start = time.monotonic()
        with pytest.raises(tf.errors.DeadlineExceededError, match="Timed out"):
            sess.run(q.dequeue(), options=tf.RunOptions(timeout_in_ms=100))
        assert time.monotonic() - start < 2


def test_full_queue_blocks_enqueue_until_timeout():
    q = tf.FIFOQueue(1, [tf.int32], shapes=[[]])
    enq = q.enqueue([1])
    with tf.Session() as sess:
        sess.run(enq)
        with pytest.raises(tf.errors.DeadlineExceededError):
            sess.run(enq, options=tf.RunOptions(timeout_in_ms=100))
        assert sess.run(q.size()) == 1


def _run_in_thread(sess, fetch):
    """Starts ``sess.run(fetch)`` in a thread; returns it and the list its OpError lands in."""
    caught = []

    def run():
        try:
            sess.run(fetch)
        except tf.errors.OpError as e:
            caught.append(e)
    t = threading.Thread(target=run)
    t.start()
    return t, caught


def test_session_close_cancels_pending_dequeue():
    q = tf.FIFOQueue(2, [tf.float32])
    deq = q.dequeue()
    sess = tf.Session()
    sess.run(q.size())   # the queue exists in the session
    t, caught = _run_in_thread(sess, deq)
    time.sleep(0.1)
    sess.close()
    t.join(5)
    assert not t.is_alive()
    assert isinstance(caught[0], tf.errors.CancelledError)
    assert "Dequeue operation was cancelled" in str(caught[0])


def test_close_cancel_pending_enqueues():
    q = tf.FIFOQueue(1, [tf.int32], shapes=[[]])
    enq = q.enqueue([1])
    with tf.Session() as sess:
        sess.run(enq)
        t, caught = _run_in_thread(sess, enq)
        time.sleep(0.1)
        sess.run(q.close(cancel_pending_enqueues=True))
        t.join(5)
        assert isinstance(caught[0], tf.errors.CancelledError)
        assert sess.run(q.dequeue()) == 1


def test_pending_enqueue_survives_plain_close():
    q = tf.FIFOQueue(1, [tf.int32], shapes=[[]])
    enq = q.enqueue_many([[1, 2]])
    with tf.Session() as sess:
        t = threading.Thread(target=sess.run, args=(enq,))
        t.start()
        time.sleep(0.1)
        sess.run(q.close())
        assert sess.run(q.dequeue()) == 1
        t.join(5)
        assert sess.run(q.dequeue()) == 2


def test_random_shuffle_queue(device_mode):
    tf.set_random_seed(3)
    q = tf.RandomShuffleQueue(20, 5, [tf.int32], shapes=[[]], seed=1)
    enq = q.enqueue_many([tf.range(10)])
    deq = q.dequeue_many(5)
    rest = q.dequeue_up_to(10)

    def run_once():
        with tf.Session() as sess:
            sess.run(enq)
            first = sess.run(deq)
            # Only 5 left = min_after_dequeue: an open queue keeps them.
            with pytest.raises(tf.errors.DeadlineExceededError):
                sess.run(q.dequeue(), options=tf.RunOptions(timeout_in_ms=50))
            sess.run(q.close())
            second = sess.run(rest)
            return list(first) + list(second)
    a, b = run_once(), run_once()
    assert sorted(a) == list(range(10))
    assert a == b   # seeded
    assert a != list(range(10))
    assert q.queue_ref.op.get_attr("min_after_dequeue") == 5


def test_padding_fifo_queue():
    q = tf.PaddingFIFOQueue(10, [tf.int32, tf.string], shapes=[[None], [None]])
    x = tf.placeholder(tf.int32, [None])
    s = tf.placeholder(tf.string, [None])
    enq = q.enqueue([x, s])
    deq = q.dequeue_many(2)
    assert deq[0].shape.as_list() == [2, None]
    with tf.Session() as sess:
        sess.run(enq, {x: [1], s: ["a"]})
        sess.run(enq, {x: [1, 2, 3], s: ["b", "c"]})
        ints, strs = sess.run(deq)
    np.testing.assert_array_equal(ints, [[1, 0, 0], [1, 2, 3]])
    assert strs.tolist() == [[b"a", b""], [b"b", b"c"]]


def test_dequeue_many_needs_shapes():
    q = tf.FIFOQueue(10, [tf.int32])
    with tf.Session() as sess:
        sess.run(q.enqueue([1]))
        with pytest.raises(tf.errors.InvalidArgumentError, match="specified shapes"):
            sess.run(q.dequeue_many(1))


def test_shared_name_shares_state():
    q1 = tf.FIFOQueue(5, [tf.int32], shapes=[[]], shared_name="shared", name="q1")
    q2 = tf.FIFOQueue(5, [tf.int32], shapes=[[]], shared_name="shared", name="q2")
    with tf.Session() as sess:
        sess.run(q1.enqueue([9]))
        assert sess.run(q2.dequeue()) == 9


# --------------------------------------------------------------------------- runners

def test_unstarted_runners_fail_fast(short_grace):
    q = tf.FIFOQueue(2, [tf.int32], shapes=[[]])
    tf.train.add_queue_runner(tf.train.QueueRunner(q, [q.enqueue([1])]))
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError,
                           match="tf.train.start_queue_runners"):
            sess.run(q.dequeue())
        # With a run deadline shorter than the grace period, the deadline wins (and says why).
        with pytest.raises(tf.errors.DeadlineExceededError, match="start_queue_runners"):
            sess.run(q.dequeue(), options=tf.RunOptions(timeout_in_ms=50))


def test_queue_without_runners_just_blocks():
    q = tf.FIFOQueue(2, [tf.int32], shapes=[[]])
    with tf.Session() as sess:
        with pytest.raises(tf.errors.DeadlineExceededError):
            sess.run(q.dequeue(), options=tf.RunOptions(timeout_in_ms=300))


def test_runner_failure_reaches_consumer():
    q = tf.FIFOQueue(2, [tf.int32], shapes=[[]])
    bad = tf.placeholder(tf.int32, [])   # never fed: the runner fails
    qr = tf.train.QueueRunner(q, [q.enqueue([bad])])
    tf.train.add_queue_runner(qr)
    with tf.Session() as sess:
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess, coord)
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match="queue runner thread filling it failed"):
            sess.run(q.dequeue())
        with pytest.raises(tf.errors.InvalidArgumentError, match="must feed a value"):
            coord.join(threads, stop_grace_period_secs=5)
    assert not any(t.is_alive() for t in threads)


def test_runner_threads_end_with_input_and_close_queue():
    q = tf.FIFOQueue(10, [tf.int32], shapes=[[]])
    counter = tf.Variable(0, trainable=False)
    inc = tf.count_up_to(counter, 3)
    qr = tf.train.QueueRunner(q, [q.enqueue([inc])] * 2)
    with tf.Session() as sess:
        sess.run(counter.initializer)
        threads = qr.create_threads(sess, start=True)
        assert len(threads) == 2
        for t in threads:
            t.join(5)
        assert sorted(sess.run(q.dequeue_up_to(10)).tolist()) == [0, 1, 2]
        assert sess.run(q.is_closed())
    assert qr.exceptions_raised == []


def test_start_queue_runners_errors():
    with pytest.raises(ValueError, match="No default session"):
        tf.train.start_queue_runners()
    with pytest.raises(TypeError, match="must be a `tf.Session`"):
        tf.train.start_queue_runners(sess=object())


# --------------------------------------------------------------------------- coordinator

def test_coordinator_reraises_first_exception():
    coord = tf.train.Coordinator()

    def worker(i):
        with coord.stop_on_exception():
            if i == 1:
                raise ValueError("worker %d broke" % i)
            coord.wait_for_stop()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    with pytest.raises(ValueError, match="worker 1 broke"):
        coord.join(threads, stop_grace_period_secs=5)
    assert coord.joined and coord.should_stop()
    with pytest.raises(ValueError, match="worker 1 broke"):
        coord.raise_requested_exception()
    coord.clear_stop()
    assert not coord.should_stop()
    coord.raise_requested_exception()


def test_coordinator_clean_stop_and_stragglers():
    coord = tf.train.Coordinator()
    coord.request_stop(tf.errors.OutOfRangeError(None, None, "done"))
    coord.join([])   # OutOfRange is a clean stop: nothing raised
    coord.clear_stop()
    release = threading.Event()
    t = threading.Thread(target=release.wait, args=(5,))
    t.start()
    coord.request_stop()
    with pytest.raises(RuntimeError, match="threads still running"):
        coord.join([t], stop_grace_period_secs=0.05)
    release.set()
    t.join()
    later = tf.train.Coordinator()
    later.request_stop()
    later.join([], ignore_live_threads=True)


def test_request_stop_after_join_raises():
    coord = tf.train.Coordinator()
    coord.request_stop()
    coord.join([])
    with pytest.raises(KeyError):
        coord.request_stop(KeyError("late"))


def test_looper_thread():
    coord = tf.train.Coordinator()
    calls = []
    looper = tf.train.LooperThread.loop(coord, 0.01, target=calls.append, args=(1,))
    time.sleep(0.1)
    coord.request_stop()
    coord.join([looper], stop_grace_period_secs=5)
    assert len(calls) >= 2
    failing = tf.train.Coordinator()

    def boom():
        raise RuntimeError("looper failed")
    tf.train.LooperThread.loop(failing, None, target=boom)
    with pytest.raises(RuntimeError, match="looper failed"):
        failing.join(stop_grace_period_secs=5)
    with pytest.raises(ValueError, match="require that you also pass"):
        tf.train.LooperThread(coord, 1, args=(1,))


# --------------------------------------------------------------------------- producers

def test_count_up_to():
    v = tf.Variable(0, name="cnt")
    c = v.count_up_to(2)
    assert c.op.type == "CountUpTo" and c.op.get_attr("limit") == 2
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert [sess.run(c), sess.run(c)] == [0, 1]
        with pytest.raises(tf.errors.OutOfRangeError, match="Reached limit of 2"):
            sess.run(c)


def test_string_input_producer_graph_matches_tf():
    q = tf.train.string_input_producer(["a", "b"], num_epochs=1)
    names = {op.name: op.type for op in tf.get_default_graph().get_operations()}
    assert names["input_producer"] == "FIFOQueueV2"
    assert names["input_producer/input_producer_EnqueueMany"] == "QueueEnqueueManyV2"
    assert names["input_producer/limit_epochs/epochs"] == "VariableV2"
    assert names["input_producer/limit_epochs/CountUpTo"] == "CountUpTo"
    assert q.name == "input_producer"
    assert [v.op.name for v in tf.local_variables()] == ["input_producer/limit_epochs/epochs"]
    qr, = tf.get_collection(tf.GraphKeys.QUEUE_RUNNERS)
    assert qr.queue is q
    with pytest.raises(ValueError, match="non-null input tensor"):
        tf.train.string_input_producer([])


def _drain(sess, tensor):
    out = []
    while True:
        try:
            out.append(sess.run(tensor))
        except tf.errors.OutOfRangeError:
            return out


def _drain_with_runners(tensor):
    """Every value of ``tensor`` in a new session, with its queue runners started."""
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess, coord)
        got = _drain(sess, tensor)
        _join(coord, threads)
    return got


def test_num_epochs_ends_with_out_of_range():
    q = tf.train.string_input_producer(["a", "b", "c"], num_epochs=2, shuffle=False)
    item = q.dequeue()
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess, coord)
        assert _drain(sess, item) == [b"a", b"b", b"c"] * 2
        _join(coord, threads)


def test_num_epochs_without_local_init_reports_the_cause():
    q = tf.train.string_input_producer(["a"], num_epochs=1, shuffle=False)
    with tf.Session() as sess:
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess, coord)
        with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized value"):
            sess.run(q.dequeue())
        with pytest.raises(tf.errors.FailedPreconditionError):
            coord.join(threads, stop_grace_period_secs=5)


def test_shuffled_epochs_are_permutations():
    q = tf.train.string_input_producer([str(i) for i in range(8)], num_epochs=3, seed=5)
    item = q.dequeue()
    got = _drain_with_runners(item)
    epochs = [sorted(got[i:i + 8]) for i in range(0, 24, 8)]
    assert all(e == sorted(str(i).encode() for i in range(8)) for e in epochs)
    assert got[:8] != [str(i).encode() for i in range(8)] or got[8:16] != got[:8]


def test_slice_and_range_input_producer():
    images = np.arange(10, dtype=np.float32).reshape(5, 2)
    labels = np.arange(5, dtype=np.int64)
    image, label = tf.train.slice_input_producer([images, labels], num_epochs=1,
                                                 shuffle=False)
    assert image.shape.as_list() == [2] and label.shape.as_list() == []
    got = _drain_with_runners([image, label])
    assert [int(lb) for _, lb in got] == [0, 1, 2, 3, 4]
    for img, lb in got:
        np.testing.assert_array_equal(img, images[lb])


def test_batch_with_final_smaller_batch():
    x = tf.train.range_input_producer(7, num_epochs=1, shuffle=False).dequeue()
    b = tf.train.batch([x], batch_size=3, allow_smaller_final_batch=True)
    assert isinstance(b, tf.Tensor) and b.shape.as_list() == [None]
    assert b.op.name == "batch" and b.op.type == "QueueDequeueUpToV2"
    got = [v.tolist() for v in _drain_with_runners(b)]
    assert got == [[0, 1, 2], [3, 4, 5], [6]]


def test_batch_drops_partial_batch_and_dict_round_trip():
    x = tf.train.range_input_producer(7, num_epochs=1, shuffle=False).dequeue()
    out = tf.train.batch({"x": x, "y": tf.cast(x, tf.float32) * 2.0}, batch_size=3)
    assert sorted(out) == ["x", "y"] and out["y"].shape.as_list() == [3]
    got = _drain_with_runners(out)
    assert [g["x"].tolist() for g in got] == [[0, 1, 2], [3, 4, 5]]
    np.testing.assert_allclose(got[1]["y"], [6, 8, 10])


def test_batch_argument_errors():
    x = tf.constant(1.0)
    with pytest.raises(TypeError, match="wrap a single tensor"):
        tf.train.batch(x, 2)
    with pytest.raises(ValueError, match="dynamic_pad=True"):
        tf.train.batch([tf.placeholder(tf.float32, [None])], 2)
    with pytest.raises(ValueError, match="Cannot infer Tensor's rank"):
        tf.train.batch([tf.placeholder(tf.float32)], 2)
    with pytest.raises(ValueError, match="capacity 10 must be bigger than min_after_dequeue"):
        tf.train.shuffle_batch([x], 2, capacity=10, min_after_dequeue=10)
    with pytest.raises(TypeError, match="Expected types to be consistent"):
        tf.train.batch_join([[x], [tf.constant(1)]], 2)


def test_shuffle_batch_two_threads_sees_every_record_once_per_epoch():
    n = 60
    value = tf.train.range_input_producer(n, num_epochs=2, shuffle=False).dequeue()
    batch = tf.train.shuffle_batch([value], batch_size=8, capacity=30, min_after_dequeue=10,
                                   num_threads=2, allow_smaller_final_batch=True, seed=2)
    qr = tf.get_collection(tf.GraphKeys.QUEUE_RUNNERS)[-1]
    assert len(qr.enqueue_ops) == 2
    got = np.concatenate(_drain_with_runners(batch)).tolist()
    assert sorted(got) == sorted(list(range(n)) * 2)
    assert got[:n] != list(range(n))


def test_batch_join_and_shuffle_batch_join():
    a = tf.train.range_input_producer(4, num_epochs=1, shuffle=False).dequeue()
    b = tf.train.range_input_producer(4, num_epochs=1, shuffle=False).dequeue() + 100
    joined = tf.train.batch_join([[a], [b]], batch_size=4, allow_smaller_final_batch=True)
    c = tf.train.range_input_producer(4, num_epochs=1, shuffle=False).dequeue()
    d = tf.train.range_input_producer(4, num_epochs=1, shuffle=False).dequeue() + 100
    shuffled = tf.train.shuffle_batch_join([[c], [d]], batch_size=4, capacity=20,
                                           min_after_dequeue=2, allow_smaller_final_batch=True)
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess, coord)
        got_joined = np.concatenate(_drain(sess, joined)).tolist()
        got_shuffled = np.concatenate(_drain(sess, shuffled)).tolist()
        _join(coord, threads)
    expected = [0, 1, 2, 3, 100, 101, 102, 103]
    assert sorted(got_joined) == expected and sorted(got_shuffled) == expected


def test_batch_enqueue_many_and_dynamic_pad():
    rows = tf.constant([[1, 2], [3, 4], [5, 6]])
    b = tf.train.batch([rows], batch_size=2, enqueue_many=True)
    assert b.shape.as_list() == [2, 2]
    ragged = tf.placeholder_with_default(tf.constant([1, 2, 3]), [None])
    padded = tf.train.batch([ragged], batch_size=2, dynamic_pad=True)
    assert padded.shape.as_list() == [2, None]
    with tf.Session() as sess:
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess, coord)
        np.testing.assert_array_equal(sess.run(b), [[1, 2], [3, 4]])
        np.testing.assert_array_equal(sess.run(padded), [[1, 2, 3], [1, 2, 3]])
        _join(coord, threads)


def test_maybe_batch_filters_examples():
    x = tf.train.range_input_producer(6, num_epochs=1, shuffle=False).dequeue()
    keep = tf.equal(tf.floormod(x, 2), 0)
    b = tf.train.maybe_batch([x], keep, batch_size=2, allow_smaller_final_batch=True)
    got = np.concatenate(_drain_with_runners(b)).tolist()
    assert got == [0, 2, 4]


def test_sparse_tensors_through_batch():
    serialized = tf.constant([
        tf.train.Example(features=tf.train.Features(feature={
            "v": tf.train.Feature(int64_list=tf.train.Int64List(value=list(range(k))))}))
        .SerializeToString() for k in (1, 3, 2)])
    record = tf.train.input_producer(serialized, num_epochs=1, shuffle=False).dequeue()
    parsed = tf.parse_single_example(record, {"v": tf.VarLenFeature(tf.int64)})
    batched = tf.train.batch([parsed["v"]], batch_size=3)
    assert isinstance(batched, tf.SparseTensor)
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess, coord)
        value = sess.run(batched)
        _join(coord, threads)
    assert isinstance(value, tf.SparseTensorValue)
    assert value.indices.tolist() == [[0, 0], [1, 0], [1, 1], [1, 2], [2, 0], [2, 1]]
    assert value.values.tolist() == [0, 0, 1, 2, 0, 1]
    assert value.dense_shape.tolist() == [3, 3]


def test_no_thread_outlives_join_after_session_work():
    q = tf.train.string_input_producer(["a", "b"])
    b = tf.train.batch([q.dequeue()], batch_size=4, num_threads=3)
    before = threading.active_count()
    with tf.Session() as sess:
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess, coord)
        assert len(threads) == 2 + 4   # (1 + close_on_stop) + (3 + close_on_stop)
        assert tf.train.start_queue_runners(sess, coord) == []   # already running
        assert sess.run(b).shape == (4,)
        coord.request_stop()
        coord.join(threads, stop_grace_period_secs=5)
    assert not any(t.is_alive() for t in threads)
    assert threading.active_count() <= before


def test_queue_runner_meta_graph_round_trip():
    q = tf.train.string_input_producer(["a", "b"], shuffle=False)
    qr, = tf.get_collection(tf.GraphKeys.QUEUE_RUNNERS)
    proto = qr.to_proto()
    assert proto.queue_name == "input_producer"
    assert list(proto.enqueue_op_name) == ["input_producer/input_producer_EnqueueMany"]
    assert list(proto.queue_closed_exception_types) == [tf.errors.OUT_OF_RANGE]
    meta = tf.train.export_meta_graph()
    assert "queue_runners" in meta.collection_def
    tf.reset_default_graph()
    tf.train.import_meta_graph(meta)
    restored, = tf.get_collection(tf.GraphKeys.QUEUE_RUNNERS)
    assert restored.name == q.name
    item = restored.queue.dequeue()
    with tf.Session() as sess:
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess, coord)
        assert [sess.run(item) for _ in range(3)] == [b"a", b"b", b"a"]
        _join(coord, threads)
