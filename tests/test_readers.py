"""Reader ops (TFRecord, text lines, whole files, fixed-length records) in queue pipelines,
against the golden TFRecords written by real TensorFlow."""
import base64
import gzip
import json
import os
import struct
import threading

import numpy as np
import pytest

import tensorslim as tf

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
FILES = [("examples.tfrecord", None), ("examples.tfrecord.gz", "GZIP"),
         ("examples.tfrecord.zlib", "ZLIB")]


@pytest.fixture(scope="module")
def expected():
    with open(os.path.join(DATA, "examples.json")) as f:
        return json.load(f)


def _start(sess):
    coord = tf.train.Coordinator()
    return coord, tf.train.start_queue_runners(sess, coord)


def _stop(coord, threads):
    coord.request_stop()
    coord.join(threads, stop_grace_period_secs=5)
    assert not any(t.is_alive() for t in threads)


def _drain(sess, fetches):
    out = []
    while True:
        try:
            out.append(sess.run(fetches))
        except tf.errors.OutOfRangeError:
            return out


_FEATURES = {
    "label": tf.FixedLenFeature([], tf.int64),
    "img_raw": tf.FixedLenFeature([], tf.string),
    "floats": tf.VarLenFeature(tf.float32),
    "names": tf.VarLenFeature(tf.string),
    "ids": tf.VarLenFeature(tf.int64),
}


@pytest.mark.parametrize("name,compression", FILES)
def test_golden_tfrecords_through_reader_and_parse(name, compression, expected, device_mode):
    path = os.path.join(DATA, name)
    queue = tf.train.string_input_producer([path], num_epochs=1, shuffle=False)
    options = tf.python_io.TFRecordOptions(compression) if compression else None
    key, value = tf.TFRecordReader(options=options).read(queue)
    features = tf.parse_single_example(value, _FEATURES)
    image = tf.reshape(tf.decode_raw(features["img_raw"], tf.uint8), [28, 28])
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        coord, threads = _start(sess)
        got = _drain(sess, [key, image, features])
        _stop(coord, threads)
    assert len(got) == expected["num_records"] == 20
    for (k, img, feats), rec in zip(got, expected["records"]):
        assert k == ("%s:%d" % (path, rec["uncompressed_file_offset"])).encode()
        assert img.dtype == np.uint8 and img.shape == (28, 28)
        assert img.tobytes() == base64.b64decode(rec["img_raw_b64"])
        assert feats["label"] == rec["label"] and feats["label"].dtype == np.int64
        floats = feats["floats"]
        hex_values = [struct.pack(">f", v).hex() for v in floats.values.tolist()]
        assert hex_values == rec["floats_hex"]
        assert floats.dense_shape.tolist() == [len(rec["floats"])]
        assert floats.indices.tolist() == [[i] for i in range(len(rec["floats"]))]
        assert feats["names"].values.tolist() == [base64.b64decode(b)
                                                  for b in rec["names_b64"]]
        assert feats["ids"].values.tolist() == rec["ids"]
    assert got[16][2]["floats"].values.shape == (0,)   # the empty float list


def test_read_up_to_and_counters():
    path = os.path.join(DATA, "examples.tfrecord")
    queue = tf.train.string_input_producer([path, path], num_epochs=1, shuffle=False)
    reader = tf.TFRecordReader()
    keys, values = reader.read_up_to(queue, 15)
    assert keys.shape.as_list() == [None] and keys.op.type == "ReaderReadUpToV2"
    produced = reader.num_records_produced()
    completed = reader.num_work_units_completed()
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        coord, threads = _start(sess)
        sizes = [len(k) for k, _ in _drain(sess, [keys, values])]
        assert sizes == [15, 15, 10]
        assert sess.run([produced, completed]) == [40, 2]
        sess.run(reader.reset())
        assert sess.run([produced, completed]) == [0, 0]
        _stop(coord, threads)


def _text_pipeline(paths, reader):
    queue = tf.train.string_input_producer(paths, num_epochs=1, shuffle=False)
    return reader.read(queue)


def test_text_line_reader(tmp_path):
    path = str(tmp_path / "a.txt")
    with open(path, "wb") as f:
        f.write(b"header\nline1\r\n\nline3")
    key, value = _text_pipeline([path], tf.TextLineReader(skip_header_lines=1))
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        coord, threads = _start(sess)
        got = _drain(sess, [key, value])
        _stop(coord, threads)
    assert got == [[(path + ":2").encode(), b"line1"], [(path + ":3").encode(), b""],
                   [(path + ":4").encode(), b"line3"]]


def test_whole_file_and_identity_readers(tmp_path):
    paths = []
    for i in range(2):
        paths.append(str(tmp_path / ("f%d.bin" % i)))
        with open(paths[-1], "wb") as f:
            f.write(bytes([i]) * (i + 3))
    key, value = _text_pipeline(paths, tf.WholeFileReader())
    ikey, ivalue = _text_pipeline(["x", "y"], tf.IdentityReader())
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        coord, threads = _start(sess)
        got = _drain(sess, [key, value])
        ident = _drain(sess, [ikey, ivalue])
        _stop(coord, threads)
    assert got == [[paths[0].encode(), b"\0\0\0"], [paths[1].encode(), b"\1\1\1\1"]]
    assert ident == [[b"x", b"x"], [b"y", b"y"]]


@pytest.mark.parametrize("encoding", [None, "GZIP"])
def test_fixed_length_record_reader(tmp_path, encoding):
    path = str(tmp_path / "b.bin")
    data = bytes(range(20))
    with open(path, "wb") as f:
        f.write(gzip.compress(data) if encoding else data)
    reader = tf.FixedLengthRecordReader(record_bytes=4, header_bytes=2, footer_bytes=3,
                                        encoding=encoding)
    key, value = _text_pipeline([path], reader)
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        coord, threads = _start(sess)
        got = _drain(sess, [key, value])
        _stop(coord, threads)
    assert [v for _, v in got] == [bytes(range(2, 6)), bytes(range(6, 10)),
                                   bytes(range(10, 14))]
    assert got[2][0] == (path + ":2").encode()


def test_fixed_length_record_reader_hop_bytes(tmp_path):
    path = str(tmp_path / "b.bin")
    with open(path, "wb") as f:
        f.write(bytes(range(20)))
    _, value = _text_pipeline([path], tf.FixedLengthRecordReader(record_bytes=4, hop_bytes=6))
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        coord, threads = _start(sess)
        got = _drain(sess, value)
        _stop(coord, threads)
    assert got == [bytes(range(0, 4)), bytes(range(6, 10)), bytes(range(12, 16))]


def test_missing_file_reaches_consumer(tmp_path):
    missing = str(tmp_path / "nope.tfrecord")
    queue = tf.train.string_input_producer([missing])
    _, value = tf.TFRecordReader().read(queue)
    batch = tf.train.batch([value], batch_size=2)
    with tf.Session() as sess:
        coord, threads = _start(sess)
        with pytest.raises(tf.errors.NotFoundError, match="nope.tfrecord"):
            sess.run(batch)
        with pytest.raises(tf.errors.NotFoundError):
            coord.join(threads, stop_grace_period_secs=5)
    assert not any(t.is_alive() for t in threads)


def test_zero_matched_files_reaches_consumer(tmp_path):
    files = tf.train.match_filenames_once(str(tmp_path / "*.tfrecord"))
    queue = tf.train.string_input_producer(files)
    _, value = tf.TFRecordReader().read(queue)
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        coord, threads = _start(sess)
        with pytest.raises(tf.errors.InvalidArgumentError, match="non-null input tensor"):
            sess.run(value)
        with pytest.raises(tf.errors.InvalidArgumentError):
            coord.join(threads, stop_grace_period_secs=5)


def test_corrupt_record_reaches_consumer(tmp_path):
    path = str(tmp_path / "bad.tfrecord")
    with tf.python_io.TFRecordWriter(path) as w:
        w.write(b"first")
        w.write(b"second")
    with open(path, "r+b") as f:
        f.seek(12 + 5 + 4 + 12)
        f.write(b"X")
    queue = tf.train.string_input_producer([path], shuffle=False)
    _, value = tf.TFRecordReader().read(queue)
    batch = tf.train.batch([value], batch_size=2)
    with tf.Session() as sess:
        coord, threads = _start(sess)
        with pytest.raises(tf.errors.DataLossError, match="corrupted record at 21"):
            sess.run(batch)
        with pytest.raises(tf.errors.DataLossError):
            coord.join(threads, stop_grace_period_secs=5)


def test_shuffle_batch_from_tfrecords_two_threads_every_record_once(tmp_path):
    paths = []
    for shard in range(3):
        paths.append(str(tmp_path / ("s%d.tfrecord" % shard)))
        with tf.python_io.TFRecordWriter(paths[-1]) as w:
            for i in range(shard * 10, shard * 10 + 10):
                ex = tf.train.Example(features=tf.train.Features(feature={
                    "i": tf.train.Feature(int64_list=tf.train.Int64List(value=[i])),
                    "x": tf.train.Feature(float_list=tf.train.FloatList(value=[i, -i]))}))
                w.write(ex.SerializeToString())
    queue = tf.train.string_input_producer(paths, num_epochs=2, seed=1)
    _, value = tf.TFRecordReader().read(queue)
    feats = tf.parse_single_example(value, {"i": tf.FixedLenFeature([], tf.int64),
                                            "x": tf.FixedLenFeature([2], tf.float32)})
    ids, xs = tf.train.shuffle_batch([feats["i"], feats["x"]], batch_size=7, capacity=25,
                                     min_after_dequeue=5, num_threads=2,
                                     allow_smaller_final_batch=True)
    assert xs.shape.as_list() == [None, 2]
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        coord, threads = _start(sess)
        batches = _drain(sess, [ids, xs])
        _stop(coord, threads)
    seen = np.concatenate([b[0] for b in batches]).tolist()
    assert sorted(seen) == sorted(list(range(30)) * 2)
    for i, x in batches:
        np.testing.assert_array_equal(x, np.stack([i, -i], axis=1).astype(np.float32))


def test_two_threads_share_one_reader(tmp_path):
    path = str(tmp_path / "r.tfrecord")
    with tf.python_io.TFRecordWriter(path) as w:
        for i in range(50):
            w.write(b"%d" % i)
    queue = tf.train.string_input_producer([path], num_epochs=1)
    _, value = tf.TFRecordReader().read(queue)
    batch = tf.train.batch([value], batch_size=10, num_threads=2,
                           allow_smaller_final_batch=True)
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        coord, threads = _start(sess)
        got = np.concatenate(_drain(sess, batch)).tolist()
        _stop(coord, threads)
    assert sorted(int(v) for v in got) == list(range(50))


def test_read_write_matching_files(tmp_path):
    target = str(tmp_path / "sub" / "out.txt")
    write = tf.write_file(target, "hello")
    read = tf.read_file(target)
    match = tf.matching_files(str(tmp_path / "sub" / "*.txt"))
    missing = tf.read_file(str(tmp_path / "missing.txt"))
    with tf.Session() as sess:
        sess.run(write)
        assert sess.run(read) == b"hello"
        assert sess.run(match).tolist() == [target.encode()]
        with pytest.raises(tf.errors.NotFoundError, match="missing.txt"):
            sess.run(missing)


def test_reader_graph():
    reader = tf.TFRecordReader(options=tf.python_io.TFRecordOptions("GZIP"))
    assert reader.reader_ref.op.type == "TFRecordReaderV2"
    assert reader.reader_ref.op.get_attr("compression_type") == "GZIP"
    queue = tf.FIFOQueue(2, [tf.string])
    key, value = reader.read(queue)
    assert key.op.name == "ReaderReadV2" and key.shape.as_list() == []
    text = tf.TextLineReader(skip_header_lines=2)
    assert text.reader_ref.op.get_attr("skip_header_lines") == 2
    assert not text.supports_serialize
    with pytest.raises(ValueError, match="record_bytes"):
        tf.FixedLengthRecordReader(0)


def test_reader_waits_for_unstarted_producer(monkeypatch):
    from tensorslim.data import queues
    monkeypatch.setattr(queues, "RUNNER_GRACE_SECS", 0.2)
    queue = tf.train.string_input_producer(["x"])
    _, value = tf.TFRecordReader().read(queue)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError, match="start_queue_runners"):
            sess.run(value)


def test_concurrent_consumers_do_not_lose_records():
    value = tf.train.range_input_producer(200, num_epochs=1, shuffle=False).dequeue()
    seen = []
    lock = threading.Lock()
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        coord, threads = _start(sess)

        def consume():
            for v in _drain(sess, value):
                with lock:
                    seen.append(int(v))
        workers = [threading.Thread(target=consume) for _ in range(3)]
        for w in workers:
            w.start()
        for w in workers:
            w.join(10)
        _stop(coord, threads)
    assert sorted(seen) == list(range(200))


def test_io_namespaces(tmp_path):
    assert tf.python_io.TFRecordWriter is tf.io.TFRecordWriter
    assert tf.io.parse_single_example is tf.parse_single_example
    assert tf.io.FixedLenFeature is tf.FixedLenFeature and tf.io.decode_raw is tf.decode_raw
    assert tf.io.gfile.Exists(str(tmp_path))
    path = str(tmp_path / "x.tfrecord")
    with tf.io.TFRecordWriter(path, tf.io.TFRecordOptions(
            tf.python_io.TFRecordCompressionType.GZIP)) as w:
        w.write(b"abc")
    assert list(tf.python_io.tf_record_iterator(path, "GZIP")) == [b"abc"]
