"""tf.data: Dataset sources and transformations, iterators, readers, errors, threads."""
import base64
import gzip
import json
import os
import threading
import time

import numpy as np
import pytest

import tensorslim as tf
from tensorslim.data import dataset_runtime


def _all(sess, tensor, feed=None, limit=10000):
    out = []
    for _ in range(limit):
        try:
            out.append(sess.run(tensor, feed))
        except tf.errors.OutOfRangeError:
            return out
    raise AssertionError("dataset did not end")


def _values(dataset, limit=10000):
    nxt = dataset.make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        return _all(sess, nxt, limit=limit)


# --------------------------------------------------------------------------- structure

def test_from_tensor_slices_structure_and_end_of_sequence():
    ds = tf.data.Dataset.from_tensor_slices(
        ({"a": np.arange(4), "b": np.ones((4, 2), np.float32)}, [b"w", b"x", b"y", b"z"]))
    assert ds.output_types == ({"a": tf.int64, "b": tf.float32}, tf.string)
    assert ds.output_shapes[0]["b"].as_list() == [2]
    assert ds.output_shapes[1].as_list() == []
    assert ds.output_classes == ({"a": tf.Tensor, "b": tf.Tensor}, tf.Tensor)
    it = ds.make_one_shot_iterator()
    nxt = it.get_next()
    assert nxt[0]["b"].shape.as_list() == [2]
    assert nxt[0]["a"].op.type == "IteratorGetNext" and it._iterator_resource.op.type == \
        "OneShotIterator"
    with tf.Session() as sess:
        got = _all(sess, nxt)
        with pytest.raises(tf.errors.OutOfRangeError, match="End of sequence"):
            sess.run(nxt)
    assert [g[0]["a"] for g in got] == [0, 1, 2, 3]
    assert [g[1] for g in got] == [b"w", b"x", b"y", b"z"]
    np.testing.assert_array_equal(got[2][0]["b"], [1, 1])


def test_list_is_a_value_and_mismatched_slices_fail():
    assert _values(tf.data.Dataset.from_tensor_slices([1, 2, 3])) == [1, 2, 3]
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 3 and 2"):
        tf.data.Dataset.from_tensor_slices(([1, 2, 3], [1, 2]))
    with pytest.raises(ValueError, match="at least rank 1"):
        tf.data.Dataset.from_tensor_slices(3)


def test_from_tensors_and_range_and_zip():
    assert len(_values(tf.data.Dataset.from_tensors(np.zeros((3, 2))))) == 1
    assert _values(tf.data.Dataset.range(5)) == [0, 1, 2, 3, 4]
    assert _values(tf.data.Dataset.range(2, 10, 3)) == [2, 5, 8]
    assert _values(tf.data.Dataset.range(5, 0, -2)) == [5, 3, 1]
    with pytest.raises(ValueError, match="Invalid arguments to RangeDataset"):
        tf.data.Dataset.range()
    z = tf.data.Dataset.zip((tf.data.Dataset.range(3), tf.data.Dataset.range(10, 20)))
    assert _values(z) == [(0, 10), (1, 11), (2, 12)]
    with pytest.raises(TypeError, match="nested structure of `Dataset`"):
        tf.data.Dataset.zip((1, 2))


# --------------------------------------------------------------------------- map & co

def test_map_captures_outer_tensors_and_initializable_iterator_feeds():
    offset = tf.constant(100, tf.int64)
    scale = tf.placeholder(tf.int64, [])
    ds = tf.data.Dataset.range(4).map(lambda x: offset + x).map(lambda x: (x * scale, -x))
    assert ds.output_types == (tf.int64, tf.int64)
    it = ds.make_initializable_iterator()
    a, b = it.get_next()
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError, match="not been initialized"):
            sess.run(a)
        sess.run(it.initializer, {scale: 2})
        assert sess.run([a, b]) == [200, -100]
        sess.run(it.initializer, {scale: 3})
        assert _all(sess, a) == [300, 303, 306, 309]
    with pytest.raises(ValueError, match="Cannot capture a placeholder"):
        ds.make_one_shot_iterator()


def test_map_unpacks_tuples_passes_dicts_and_lists_become_tuples():
    ds = tf.data.Dataset.from_tensor_slices(({"x": [1, 2]}, [3, 4]))
    ds = ds.map(lambda d, y: [d["x"] + y, y])
    assert ds.output_types == (tf.int32, tf.int32)
    assert _values(ds) == [(4, 3), (6, 4)]
    ds = tf.data.Dataset.from_tensor_slices({"x": [1, 2], "y": [10, 20]}).map(
        lambda d: {"s": d["x"] + d["y"]})
    assert _values(ds) == [{"s": 11}, {"s": 22}]


@pytest.mark.parametrize("parallel", [None, 3, tf.data.experimental.AUTOTUNE])
def test_parallel_map_keeps_order(parallel):
    ds = tf.data.Dataset.range(50).map(lambda x: x * x, num_parallel_calls=parallel)
    assert _values(ds.prefetch(4)) == [i * i for i in range(50)]


def test_map_error_fails_one_element_and_ignore_errors_skips_it():
    ds = tf.data.Dataset.from_tensor_slices([1.0, 0.0, 2.0]).map(
        lambda x: tf.check_numerics(1.0 / x, "boom"))
    nxt = ds.make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        assert sess.run(nxt) == 1.0
        with pytest.raises(tf.errors.InvalidArgumentError, match="boom"):
            sess.run(nxt)
        assert sess.run(nxt) == 0.5
    kept = _values(ds.apply(tf.data.experimental.ignore_errors()))
    assert kept == [1.0, 0.5]


def test_filter_flat_map_interleave():
    assert _values(tf.data.Dataset.range(10).filter(lambda x: x % 3 > 0)) == \
        [1, 2, 4, 5, 7, 8]
    with pytest.raises(ValueError, match="scalar boolean"):
        tf.data.Dataset.range(3).filter(lambda x: x)
    fm = tf.data.Dataset.range(3).flat_map(lambda x: tf.data.Dataset.range(x))
    assert _values(fm) == [0, 0, 1]
    # TF's documented interleave example.
    il = tf.data.Dataset.range(1, 6).interleave(
        lambda x: tf.data.Dataset.from_tensors(x).repeat(6), cycle_length=2, block_length=4)
    assert _values(il) == [1, 1, 1, 1, 2, 2, 2, 2, 1, 1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 3, 3,
                           4, 4, 5, 5, 5, 5, 5, 5]
    par = tf.data.Dataset.range(1, 6).interleave(
        lambda x: tf.data.Dataset.from_tensors(x).repeat(6), cycle_length=2, block_length=4,
        num_parallel_calls=2)
    assert _values(par) == _values(il)
    with pytest.raises(TypeError, match="must return a `Dataset`"):
        tf.data.Dataset.range(3).flat_map(lambda x: x)


# --------------------------------------------------------------------------- batching

def test_batch_shapes_remainder_and_shape_mismatch():
    ds = tf.data.Dataset.range(7).batch(3)
    assert ds.output_shapes.as_list() == [None]
    assert [list(v) for v in _values(ds)] == [[0, 1, 2], [3, 4, 5], [6]]
    dropped = tf.data.Dataset.range(7).batch(3, drop_remainder=True)
    assert dropped.output_shapes.as_list() == [3]
    assert len(_values(dropped)) == 2
    ragged = tf.data.Dataset.range(1, 4).map(lambda x: tf.fill([x], x)).batch(2)
    nxt = ragged.make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match="Cannot batch tensors with different shapes in component 0"):
            sess.run(nxt)


def test_padded_batch_and_unbatch():
    ds = tf.data.Dataset.range(1, 5).map(lambda x: (tf.fill([x], x), tf.as_string(x)
                                                     if hasattr(tf, "as_string") else
                                                     tf.constant(b"s")))
    pb = ds.padded_batch(2, ([None], []), padding_values=(np.int64(-1), b"?"))
    assert pb.output_shapes[0].as_list() == [None, None]
    (a1, _), (a2, _) = _values(pb)
    np.testing.assert_array_equal(a1, [[1, -1], [2, 2]])
    np.testing.assert_array_equal(a2, [[3, 3, 3, -1], [4, 4, 4, 4]])
    minus_one = tf.data.Dataset.range(1, 3).map(lambda x: tf.fill([x], x)).padded_batch(2, [-1])
    np.testing.assert_array_equal(_values(minus_one)[0], [[1, 0], [2, 2]])
    fixed = tf.data.Dataset.range(1, 3).map(lambda x: tf.fill([x], x)).padded_batch(2, [5])
    assert fixed.output_shapes.as_list() == [None, 5]
    np.testing.assert_array_equal(_values(fixed)[0], [[1, 0, 0, 0, 0], [2, 2, 0, 0, 0]])
    with pytest.raises(ValueError, match="not compatible"):
        tf.data.Dataset.from_tensors(tf.zeros([3])).padded_batch(2, [2, 2])
    assert _values(tf.data.Dataset.range(6).batch(4).unbatch()) == list(range(6))


# --------------------------------------------------------------------------- order & epochs

def test_shuffle_is_a_permutation_reproducible_and_reshuffles():
    def epochs(reshuffle, seed=7):
        tf.reset_default_graph()
        ds = tf.data.Dataset.range(20).shuffle(20, seed=seed,
                                               reshuffle_each_iteration=reshuffle).repeat(2)
        v = _values(ds)
        return v[:20], v[20:]
    e1, e2 = epochs(True)
    assert sorted(e1) == list(range(20)) and sorted(e2) == list(range(20))
    assert e1 != list(range(20)) and e1 != e2
    assert epochs(True) == (e1, e2)            # same seed, new session: same order
    f1, f2 = epochs(False)
    assert f1 == f2
    tf.reset_default_graph()
    tf.set_random_seed(3)
    a = _values(tf.data.Dataset.range(10).shuffle(10))
    tf.reset_default_graph()
    tf.set_random_seed(3)
    assert _values(tf.data.Dataset.range(10).shuffle(10)) == a


def test_repeat_take_skip_shard_concatenate_enumerate():
    r = tf.data.Dataset.range(3)
    assert _values(r.repeat(2)) == [0, 1, 2, 0, 1, 2]
    assert _values(r.repeat().take(7)) == [0, 1, 2, 0, 1, 2, 0]
    assert _values(r.skip(1)) == [1, 2]
    assert _values(r.skip(-1)) == []
    assert _values(r.take(-1)) == [0, 1, 2]
    assert _values(tf.data.Dataset.range(10).shard(3, 1)) == [1, 4, 7]
    assert _values(r.concatenate(tf.data.Dataset.range(7, 9))) == [0, 1, 2, 7, 8]
    with pytest.raises(TypeError, match="different types"):
        r.concatenate(tf.data.Dataset.from_tensors(1.0))
    assert _values(r.enumerate(5)) == [(5, 0), (6, 1), (7, 2)]
    assert _values(tf.data.Dataset.range(0).repeat()) == []   # an empty epoch ends it


def test_cache_replays_first_pass(tmp_path):
    calls = []

    def gen():
        calls.append(1)
        yield from range(3)
    ds = tf.data.Dataset.from_generator(gen, tf.int64, []).cache().repeat(3)
    assert _values(ds) == [0, 1, 2] * 3
    assert len(calls) == 1
    calls.clear()
    path = str(tmp_path / "cache")
    ds = tf.data.Dataset.from_generator(gen, tf.int64, []).cache(path)
    assert _values(ds) == [0, 1, 2]
    tf.reset_default_graph()
    ds = tf.data.Dataset.from_generator(gen, tf.int64, []).cache(path)
    assert _values(ds) == [0, 1, 2] and len(calls) == 1   # second run reads the file


def test_from_generator_checks_types_and_shapes():
    def gen(n):
        for i in range(int(n)):
            yield i, [float(i)] * 2
    ds = tf.data.Dataset.from_generator(gen, (tf.int32, tf.float32), ([], [2]), args=(3,))
    assert [v[0] for v in _values(ds)] == [0, 1, 2]
    bad_shape = tf.data.Dataset.from_generator(lambda: iter([[1, 2, 3]]), tf.int32, [2])
    bad_type = tf.data.Dataset.from_generator(lambda: iter(["x"]), tf.int32)
    failing = tf.data.Dataset.from_generator(lambda: (1 / 0 for _ in range(1)), tf.float32)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="shape"):
            sess.run(bad_shape.make_one_shot_iterator().get_next())
        with pytest.raises(tf.errors.InvalidArgumentError, match="could not be converted"):
            sess.run(bad_type.make_one_shot_iterator().get_next())
        with pytest.raises(tf.errors.UnknownError, match="ZeroDivisionError"):
            sess.run(failing.make_one_shot_iterator().get_next())


# --------------------------------------------------------------------------- iterators

def test_reinitializable_and_feedable_iterators():
    train = tf.data.Dataset.range(100)
    val = tf.data.Dataset.range(1000, 1003)
    it = tf.data.Iterator.from_structure(train.output_types, train.output_shapes)
    nxt = it.get_next()
    init_train, init_val = it.make_initializer(train), it.make_initializer(val)
    with pytest.raises(ValueError, match="does not have an initializer"):
        it.initializer
    with pytest.raises(TypeError, match="Expected output types"):
        it.make_initializer(tf.data.Dataset.from_tensors(1.0))
    handle = tf.placeholder(tf.string, [])
    feedable = tf.data.Iterator.from_string_handle(handle, train.output_types)
    fnext = feedable.get_next()
    a = train.make_one_shot_iterator()
    b = val.make_initializable_iterator()
    with tf.Session() as sess:
        sess.run(init_train)
        assert [sess.run(nxt) for _ in range(2)] == [0, 1]
        sess.run(init_val)
        assert _all(sess, nxt) == [1000, 1001, 1002]
        ha, hb = sess.run([a.string_handle(), b.string_handle()])
        sess.run(b.initializer)
        assert sess.run(fnext, {handle: ha}) == 0
        assert sess.run(fnext, {handle: hb}) == 1000
        assert sess.run(fnext, {handle: ha}) == 1
        with pytest.raises(tf.errors.InvalidArgumentError, match="Invalid iterator handle"):
            sess.run(fnext, {handle: b"nope"})


def test_iterator_state_is_per_session_and_threads_stop_on_close():
    ds = tf.data.Dataset.range(1000).map(lambda x: x + 1, num_parallel_calls=2).prefetch(3)
    nxt = ds.make_one_shot_iterator().get_next()
    before = threading.active_count()
    with tf.Session() as s1, tf.Session() as s2:
        assert [s1.run(nxt) for _ in range(3)] == [1, 2, 3]
        assert s2.run(nxt) == 1
    deadline = time.monotonic() + 5
    while threading.active_count() > before and time.monotonic() < deadline:
        time.sleep(0.02)
    assert threading.active_count() <= before


def test_prefetch_honours_run_timeout():
    def slow():
        time.sleep(2)
        yield 1
    nxt = tf.data.Dataset.from_generator(slow, tf.int64).prefetch(1) \
        .make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        with pytest.raises(tf.errors.DeadlineExceededError):
            sess.run(nxt, options=tf.RunOptions(timeout_in_ms=100))


def test_get_next_feeds_ops_on_the_device(device_mode):
    ds = tf.data.Dataset.from_tensor_slices(np.arange(6, dtype=np.float32).reshape(3, 2))
    x = ds.batch(3).make_one_shot_iterator().get_next()
    y = tf.reduce_sum(x * 2.0, axis=1)
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(y), [2, 10, 18])


def test_map_runs_image_ops_with_seeds_reproducibly():
    def build():
        tf.reset_default_graph()
        tf.set_random_seed(1)
        imgs = np.arange(4 * 2 * 3 * 1, dtype=np.float32).reshape(4, 2, 3, 1)
        ds = tf.data.Dataset.from_tensor_slices(imgs).map(tf.image.random_flip_left_right)
        return [v.tolist() for v in _values(ds)]
    assert build() == build()


# --------------------------------------------------------------------------- readers

def _golden(fixtures_dir):
    with open(os.path.join(fixtures_dir, "examples.json")) as f:
        return json.load(f)


@pytest.mark.parametrize("name,compression", [("examples.tfrecord", None),
                                              ("examples.tfrecord.gz", "GZIP"),
                                              ("examples.tfrecord.zlib", "ZLIB")])
def test_tfrecord_dataset_reads_tf_golden_files(fixtures_dir, name, compression):
    meta = _golden(fixtures_dir)
    ds = tf.data.TFRecordDataset(os.path.join(fixtures_dir, name), compression_type=compression)
    ds = ds.map(lambda r: tf.parse_single_example(r, {
        "label": tf.FixedLenFeature([], tf.int64),
        "img_raw": tf.FixedLenFeature([], tf.string)}))
    got = _values(ds)
    assert len(got) == meta["num_records"]
    for g, rec in zip(got, meta["records"]):
        assert g["label"] == rec["label"]
        assert g["img_raw"] == base64.b64decode(rec["img_raw_b64"])


def _write_records(path, records, compression=None):
    opts = tf.python_io.TFRecordOptions(compression) if compression else None
    with tf.python_io.TFRecordWriter(path, opts) as w:
        for r in records:
            w.write(r)


def test_tfrecord_dataset_many_files_parallel_reads_and_corruption(tmp_path):
    files = []
    for k in range(3):
        p = str(tmp_path / ("f%d.tfrecord" % k))
        _write_records(p, [b"%d-%d" % (k, i) for i in range(4)])
        files.append(p)
    seq = _values(tf.data.TFRecordDataset(files))
    assert seq == [b"%d-%d" % (k, i) for k in range(3) for i in range(4)]
    par = _values(tf.data.TFRecordDataset(files, num_parallel_reads=2))
    assert sorted(par) == sorted(seq) and par != seq
    from_ds = _values(tf.data.TFRecordDataset(tf.data.Dataset.from_tensor_slices(files)))
    assert from_ds == seq
    import pathlib
    data = bytearray(pathlib.Path(files[1]).read_bytes())
    data[1] ^= 0xFF
    pathlib.Path(files[1]).write_bytes(bytes(data))
    nxt = tf.data.TFRecordDataset(files).make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        got = [sess.run(nxt) for _ in range(4)]
        with pytest.raises(tf.errors.DataLossError, match="f1.tfrecord"):
            sess.run(nxt)
        rest = _all(sess, nxt)
    assert got == seq[:4] and rest == seq[8:]      # the damaged file is skipped after its error
    names = tf.placeholder(tf.string, [None])
    fed = tf.data.TFRecordDataset(names).make_initializable_iterator()
    with tf.Session() as sess:
        sess.run(fed.initializer, {names: files[2:]})
        assert _all(sess, fed.get_next()) == seq[8:]
    missing = tf.data.TFRecordDataset(str(tmp_path / "nope")).make_one_shot_iterator()
    with tf.Session() as sess:
        with pytest.raises(tf.errors.NotFoundError):
            sess.run(missing.get_next())


def test_text_line_and_fixed_length_datasets(tmp_path):
    p = tmp_path / "a.txt"
    p.write_bytes(b"one\r\ntwo\nthree")
    assert _values(tf.data.TextLineDataset(str(p))) == [b"one", b"two", b"three"]
    g = tmp_path / "a.txt.gz"
    g.write_bytes(gzip.compress(b"x\ny\n"))
    assert _values(tf.data.TextLineDataset(str(g), compression_type="GZIP")) == [b"x", b"y"]
    f = tmp_path / "rec.bin"
    f.write_bytes(b"HH" + b"abcdefgh" + b"F")
    ds = tf.data.FixedLengthRecordDataset(str(f), 3, header_bytes=2, footer_bytes=1)
    assert _values(ds) == [b"abc", b"def"]
    raw = ds.map(lambda r: tf.decode_raw(r, tf.uint8))
    np.testing.assert_array_equal(_values(raw)[0], [97, 98, 99])


def test_list_files(tmp_path):
    for n in ("b.txt", "a.txt", "c.dat"):
        (tmp_path / n).write_bytes(b"")
    pattern = str(tmp_path / "*.txt")
    names = _values(tf.data.Dataset.list_files(pattern, shuffle=False))
    assert [os.path.basename(n) for n in names] == [b"a.txt", b"b.txt"]
    shuffled = _values(tf.data.Dataset.list_files(pattern, seed=1))
    assert sorted(shuffled) == sorted(names)
    empty = tf.data.Dataset.list_files(str(tmp_path / "*.none"))
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="No files matched pattern"):
            sess.run(empty.make_one_shot_iterator().get_next())


def test_dataset_ops_have_tf_names_and_serialize():
    ds = tf.data.Dataset.range(10).map(lambda x: x + 1).shuffle(4).batch(2).prefetch(1)
    it = ds.make_initializable_iterator()
    it.get_next()
    types = [op.type for op in tf.get_default_graph().get_operations()]
    for t in ("RangeDataset", "MapDataset", "ShuffleDataset", "BatchDatasetV2",
              "PrefetchDataset", "IteratorV2", "MakeIterator", "IteratorGetNext"):
        assert t in types
    gd = tf.get_default_graph().as_graph_def()
    node = next(n for n in gd.node if n.op == "MapDataset")
    assert node.attr["f"].func.name.startswith("Dataset_map")
    assert node.attr["output_types"].list.type == [tf.int64.as_datatype_enum]


def test_autotune_value():
    assert tf.data.experimental.AUTOTUNE == dataset_runtime.AUTOTUNE == -1


def test_graph_def_round_trip_runs_in_the_same_process():
    g = tf.Graph()
    with g.as_default():
        ds = tf.data.Dataset.range(4).map(lambda x: x * 3).batch(2)
        it = ds.make_initializable_iterator()
        it.get_next(name="nxt")
    g2 = tf.Graph()
    with g2.as_default():
        tf.import_graph_def(g.as_graph_def(), name="")
        with tf.Session() as sess:
            sess.run(g2.get_operation_by_name("MakeIterator"))
            nxt = g2.get_tensor_by_name("nxt:0")
            assert [list(sess.run(nxt)) for _ in range(2)] == [[0, 3], [6, 9]]


def test_eager_iteration(tmp_path):
    import subprocess
    import sys
    script = (
        "import tensorslim as tf\n"
        "import tensorslim.contrib.eager as tfe\n"
        "tfe.enable_eager_execution()\n"
        "c = tf.constant(10, tf.int64)\n"
        "ds = tf.data.Dataset.range(5).map(lambda x: x * c).batch(2)\n"
        "print([x.numpy().tolist() for x in ds])\n"
        "try:\n"
        "    ds.make_one_shot_iterator()\n"
        "except RuntimeError as e:\n"
        "    print('refused', 'not supported when eager' in str(e))\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[:2] == ["[[0, 10], [20, 30], [40]]", "refused True"]
    with pytest.raises(RuntimeError, match="only supported when eager"):
        iter(tf.data.Dataset.range(2))


def test_closing_the_session_cancels_a_blocked_get_next():
    def slow():
        time.sleep(3)
        yield 1
    nxt = tf.data.Dataset.from_generator(slow, tf.int64).prefetch(1) \
        .make_one_shot_iterator().get_next()
    sess = tf.Session()
    caught = []

    def consume():
        try:
            sess.run(nxt)
        except tf.errors.OpError as e:
            caught.append(e)
    t = threading.Thread(target=consume)
    t.start()
    time.sleep(0.3)
    sess.close()
    t.join(2)
    assert not t.is_alive()
    assert isinstance(caught[0], tf.errors.CancelledError)
