"""The fast TFRecord iteration paths give exactly what record-by-record reading gives.

``TFRecordFileReader._records`` checks blocks of buffered records at once (runs of one length
in numpy, other lengths walked), else records one by one inline; every unusual case falls
back to ``read_record``.  These tests compare it
(and the readers built on it) with plain ``read_record`` loops: records, offsets, errors and
the offsets named in them, over fixed-size runs, mixed sizes, damage and truncation.
"""
import random

import numpy as np
import pytest

import tensorslim as tf
from tensorslim.core.errors import DataLossError
from tensorslim.io import tfrecord
from tensorslim.io.tfrecord import TFRecordFileReader, TFRecordWriter, tf_record_iterator


def _write(path, records, options=None):
    with TFRecordWriter(path, options) as writer:
        for r in records:
            writer.write(r)
    return str(path)


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def _fixed(count, size, seed=0):
    rng = np.random.RandomState(seed)
    return [rng.bytes(size) for _ in range(count)]


def _mixed(count, seed=0):
    """Runs of equal sizes (long, short, single) with a few odd sizes in between."""
    rng = random.Random(seed)
    out = []
    while len(out) < count:
        size = rng.choice([0, 1, 7, 100, 100, 100, 333, 2000])
        out += [bytes(rng.randrange(256) for _ in range(size))] * rng.choice([1, 2, 3, 40, 300])
    return out[:count]


def _reference(path, options=None, buffer_size=None):
    """(offsets, records, error text or None) read one read_record call at a time."""
    offsets, records = [], []
    with TFRecordFileReader(path, options, buffer_size=buffer_size) as reader:
        try:
            while True:
                offset = reader.offset
                record = reader.read_record()
                if record is None:
                    return offsets, records, None
                offsets.append(offset)
                records.append(record)
        except DataLossError as e:
            return offsets, records, str(e)


def _fast(path, options=None, buffer_size=None, keyed=False, track=True):
    offsets, records = [], []
    with TFRecordFileReader(path, options, buffer_size=buffer_size) as reader:
        try:
            if keyed:
                for offset, record in reader._records(keyed=True):
                    offsets.append(offset)
                    records.append(record)
            else:
                offset = reader.offset
                for record in reader._records(track=track):
                    if track:
                        offsets.append(offset)
                        offset = reader.offset
                    records.append(record)
        except DataLossError as e:
            return offsets, records, str(e)
    return offsets, records, None


@pytest.mark.parametrize("buffer_size", [None, 16, 1000, 5000])
@pytest.mark.parametrize("options", [None, "GZIP"])
def test_same_records_and_offsets(tmp_path, buffer_size, options):
    for name, records in (("fixed", _fixed(700, 90)), ("mixed", _mixed(900))):
        path = _write(tmp_path / name, records, options)
        ref = _reference(path, options, buffer_size)
        assert ref[1] == records and ref[2] is None
        assert _fast(path, options, buffer_size) == ref
        assert _fast(path, options, buffer_size, keyed=True) == ref
        assert _fast(path, options, buffer_size, track=False)[1:] == ref[1:]
        assert list(tf_record_iterator(path, options)) == records


def test_iteration_uses_blocks_and_tracks_offset(tmp_path, monkeypatch):
    records = _fixed(600, 50)
    path = _write(tmp_path / "f", records)
    taken = {"_fixed_block": 0, "_walk_block": 0}

    def counting(name):
        check = getattr(TFRecordFileReader, name)

        def wrapper(self, *args):
            out = check(self, *args)
            taken[name] += len(out[0]) if out else 0
            return out
        return wrapper
    for name in taken:
        monkeypatch.setattr(TFRecordFileReader, name, counting(name))
    with TFRecordFileReader(path) as reader:
        seen = []
        for i, record in enumerate(reader):
            assert record == records[i]
            seen.append(reader.tell())
    assert seen == [66 * (i + 1) for i in range(600)]
    # read_record reads the first record (it fills the buffer), the next block is walked,
    # then the run of one length is seen and the rest is checked in numpy.
    assert taken == {"_walk_block": 256, "_fixed_block": 343}


def test_reads_and_seeks_between_iterated_records(tmp_path):
    records = _fixed(500, 30)
    path = _write(tmp_path / "f", records)
    with TFRecordFileReader(path) as reader:
        it = iter(reader)
        got = [next(it) for _ in range(10)]
        got.append(reader.read_record())           # record 10, between yields
        got.append(next(it))                       # record 11
        reader.seek(46 * 300)
        got.append(next(it))                       # record 300
        assert reader.offset == 46 * 301
        got += list(it)
    assert got == records[:12] + records[300:]


@pytest.mark.parametrize("kind", ["fixed40", "fixed300", "mixed"])
def test_damage_inside_a_block(tmp_path, kind):
    """A flipped byte anywhere: the same records first and the same error as read_record."""
    records = _mixed(500, seed=6) if kind == "mixed" else _fixed(400, int(kind[5:]), seed=3)
    raw = _read(_write(tmp_path / "good", records))
    rng = random.Random(5)
    path = str(tmp_path / "bad")
    for _ in range(60):
        position = rng.randrange(len(raw))
        bad = bytearray(raw)
        bad[position] ^= rng.randrange(1, 256)
        with open(path, "wb") as f:
            f.write(bytes(bad))
        ref = _reference(path)
        assert ref[2] is not None
        assert _fast(path) == ref
        assert _fast(path, keyed=True) == ref
        assert _fast(path, track=False)[1:] == ref[1:]
        assert _fast(path, buffer_size=1000) == _reference(path, buffer_size=1000)


def test_truncation_inside_a_block(tmp_path):
    records = _fixed(300, 64, seed=4)
    raw = _read(_write(tmp_path / "good", records))
    path = str(tmp_path / "cut")
    for size in [0, 80, 80 * 150, 80 * 150 + 5, 80 * 150 + 12, 80 * 299 + 79, len(raw)] + \
            [random.Random(size).randrange(len(raw)) for size in range(20)]:
        with open(path, "wb") as f:
            f.write(raw[:size])
        ref = _reference(path)
        assert _fast(path) == ref
        assert _fast(path, keyed=True) == ref
        assert _fast(path, track=False)[1:] == ref[1:]


def test_header_cache_is_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(tfrecord, "_CHECKED_HEADERS", 4)
    records = [b"x" * (i % 9) for i in range(100)]
    path = _write(tmp_path / "f", records)
    with TFRecordFileReader(path) as reader:
        assert list(reader) == records
        assert len(reader._checked) <= 4


def _batches(dataset):
    """Every get_next outcome until the end: arrays as lists, errors as their text."""
    nxt = dataset.make_one_shot_iterator().get_next()
    out = []
    with tf.Session() as sess:
        while True:
            try:
                out.append(sess.run(nxt).tolist())
            except tf.errors.OutOfRangeError:
                return out
            except (tf.errors.DataLossError, tf.errors.NotFoundError) as e:
                out.append(e.message.splitlines()[0])


@pytest.mark.parametrize("drop", [False, True])
def test_dataset_batches_across_files_and_errors(tmp_path, drop):
    """Batches straight from the files equal batches of the elements one by one (an
    identity map in between takes the element path), errors and recovery included."""
    a = _write(tmp_path / "a", _fixed(300, 20, seed=1))
    b = _write(tmp_path / "b", _fixed(5, 20, seed=2))
    raw = bytearray(_read(_write(tmp_path / "c", _fixed(50, 20, seed=3))))
    raw[36 * 10 + 20] ^= 1   # data of record 10
    c = str(tmp_path / "c")
    with open(c, "wb") as f:
        f.write(bytes(raw))
    files = [a, b, c, str(tmp_path / "missing"), a]
    direct = _batches(tf.data.TFRecordDataset(files).batch(64, drop_remainder=drop))
    by_element = _batches(tf.data.TFRecordDataset(files).map(lambda x: x)
                          .batch(64, drop_remainder=drop))
    assert direct == by_element
    assert sum(isinstance(x, str) for x in direct) == 2   # the damaged record, the missing file
    assert "corrupted record at 360" in [x for x in direct if isinstance(x, str)][0]
    assert direct[0] == _fixed(300, 20, seed=1)[:64]


def test_read_up_to_across_files(tmp_path):
    a = _write(tmp_path / "a", _fixed(150, 20, seed=1))
    b = _write(tmp_path / "b", _fixed(30, 20, seed=2))
    queue = tf.train.string_input_producer([a, b], num_epochs=1, shuffle=False)
    reader = tf.TFRecordReader()
    keys, values = reader.read_up_to(queue, 100)
    produced = reader.num_records_produced()
    done = reader.num_work_units_completed()
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess, coord)
        got_keys, got = [], []
        try:
            while True:
                k, v = sess.run([keys, values])
                got_keys += k.tolist()
                got += v.tolist()
        except tf.errors.OutOfRangeError:
            pass
        assert sess.run([produced, done]) == [180, 2]
        coord.request_stop()
        coord.join(threads)
    assert got == _fixed(150, 20, seed=1) + _fixed(30, 20, seed=2)
    assert got_keys[:2] == [("%s:0" % a).encode(), ("%s:36" % a).encode()]
    assert got_keys[150] == ("%s:0" % b).encode()
    assert got_keys[-1] == ("%s:%d" % (b, 36 * 29)).encode()


def test_truncation_of_mixed_sizes(tmp_path):
    raw = _read(_write(tmp_path / "good", _mixed(500, seed=8)))
    path = str(tmp_path / "cut")
    rng = random.Random(8)
    for size in [rng.randrange(len(raw)) for _ in range(40)]:
        with open(path, "wb") as f:
            f.write(raw[:size])
        ref = _reference(path)
        assert _fast(path) == ref
        assert _fast(path, keyed=True) == ref
