"""TFRecord reading and writing against files written by TensorFlow 1.x (tests/data)."""
import base64
import gzip
import hashlib
import json
import os
import random
import struct
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tensorslim.core.errors import (DataLossError, FailedPreconditionError, NotFoundError,
                                    OutOfRangeError)
from tensorslim.io.crc import masked_crc32c
from tensorslim.io.tfrecord import (TFRecordCompressionType, TFRecordFileReader,
                                    TFRecordOptions, TFRecordWriter, tf_record_iterator)
from tensorslim.proto import example_pb2

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
FILES = {
    "examples.tfrecord": None,
    "examples.tfrecord.gz": TFRecordOptions(TFRecordCompressionType.GZIP),
    "examples.tfrecord.zlib": TFRecordOptions(TFRecordCompressionType.ZLIB),
}
COMPRESSIONS = [None, "", "GZIP", "ZLIB", TFRecordCompressionType.NONE,
                TFRecordCompressionType.GZIP, TFRecordCompressionType.ZLIB,
                TFRecordOptions("GZIP"), TFRecordOptions(TFRecordCompressionType.ZLIB)]


@pytest.fixture(scope="module")
def expected():
    with open(os.path.join(DATA, "examples.json")) as f:
        return json.load(f)


@pytest.fixture(scope="module")
def payloads(expected):
    return [base64.b64decode(r["record_b64"]) for r in expected["records"]]


def _read_bytes(name):
    with open(os.path.join(DATA, name), "rb") as f:
        return f.read()


def _write(path, records, options=None):
    with TFRecordWriter(path, options) as writer:
        for r in records:
            writer.write(r)
    return path


def _put(path, raw):
    with open(path, "wb") as f:
        f.write(raw)


def _outcome(path, options=None):
    """(records read before any error, the DataLossError or None)."""
    got = []
    try:
        for r in tf_record_iterator(path, options):
            got.append(r)
    except DataLossError as e:
        return got, e
    return got, None


# --- reading TF's files -------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(FILES))
def test_reads_tf_written_files(name, expected, payloads):
    records = list(tf_record_iterator(os.path.join(DATA, name), FILES[name]))
    assert len(records) == expected["num_records"] == 20
    assert records == payloads


@pytest.mark.parametrize("name", sorted(FILES))
def test_offsets_match_tf(name, expected):
    with TFRecordFileReader(os.path.join(DATA, name), FILES[name]) as reader:
        offsets, lengths = [], []
        while True:
            offset = reader.offset
            record = reader.read_record()
            if record is None:
                break
            offsets.append(offset)
            lengths.append(len(record))
    assert offsets == [r["uncompressed_file_offset"] for r in expected["records"]]
    assert lengths == [r["serialized_length"] for r in expected["records"]]


def test_decoded_examples_match_tf(expected):
    records = list(tf_record_iterator(os.path.join(DATA, "examples.tfrecord")))
    for i, (raw, want) in enumerate(zip(records, expected["records"])):
        feature = example_pb2.Example.FromString(raw).features.feature
        assert sorted(feature) == ["floats", "ids", "img_raw", "label", "names"]
        assert list(feature["label"].int64_list.value) == [want["label"]]
        img = feature["img_raw"].bytes_list.value
        assert len(img) == 1
        assert hashlib.sha256(img[0]).hexdigest() == want["img_raw_sha256"]
        assert img[0] == base64.b64decode(want["img_raw_b64"])
        image = np.frombuffer(img[0], np.uint8).reshape(expected["img_raw_shape"])
        assert image.tobytes() == img[0]
        assert feature["floats"].WhichOneof("kind") == "float_list"
        floats = list(feature["floats"].float_list.value)
        assert [struct.pack(">f", v).hex() for v in floats] == want["floats_hex"], i
        assert list(feature["names"].bytes_list.value) == [
            base64.b64decode(n) for n in want["names_b64"]]
        assert list(feature["ids"].int64_list.value) == want["ids"]
    empty = example_pb2.Example.FromString(records[expected["record_with_empty_floats"]])
    assert empty.features.feature["floats"].WhichOneof("kind") == "float_list"
    assert list(empty.features.feature["floats"].float_list.value) == []
    # The tricky values the README promises are really there.
    first = example_pb2.Example.FromString(records[0]).features.feature
    assert struct.pack(">f", first["floats"].float_list.value[0]).hex() == "80000000"
    assert list(example_pb2.Example.FromString(records[1]).features.feature[
        "ids"].int64_list.value)[-2:] == [2 ** 63 - 1, -2 ** 63]
    assert example_pb2.Example.FromString(records[3]).features.feature[
        "label"].int64_list.value[0] == -7


def test_compressed_fixtures_are_whole_stream():
    plain = _read_bytes("examples.tfrecord")
    assert gzip.decompress(_read_bytes("examples.tfrecord.gz")) == plain
    assert zlib.decompress(_read_bytes("examples.tfrecord.zlib")) == plain


# --- writing ------------------------------------------------------------------------------

def test_writer_framing_is_byte_identical(tmp_path, payloads):
    path = _write(str(tmp_path / "out.tfrecord"), payloads)
    with open(path, "rb") as f:
        assert f.read() == _read_bytes("examples.tfrecord")


def test_writer_framing_by_hand(tmp_path):
    path = _write(str(tmp_path / "one.tfrecord"), [b"hello"])
    with open(path, "rb") as f:
        raw = f.read()
    length = struct.pack("<Q", 5)
    assert raw == (length + struct.pack("<I", masked_crc32c(length)) + b"hello"
                   + struct.pack("<I", masked_crc32c(b"hello")))


@pytest.mark.parametrize("kind,ext", [("GZIP", "gz"), ("ZLIB", "zlib")])
def test_compressed_writer_is_one_stream(tmp_path, payloads, kind, ext):
    path = _write(str(tmp_path / ("out." + ext)), payloads, kind)
    with open(path, "rb") as f:
        raw = f.read()
    plain = _read_bytes("examples.tfrecord")
    if kind == "GZIP":
        assert raw[:3] == b"\x1f\x8b\x08"
        assert gzip.decompress(raw) == plain
    else:
        assert raw[:1] == b"\x78"
        assert zlib.decompress(raw) == plain


@pytest.mark.parametrize("options", COMPRESSIONS, ids=repr)
def test_round_trip(tmp_path, options):
    records = [b"", b"a", bytes(range(256)) * 40, b"\x00" * 7, "caf\u00e9"]
    path = _write(str(tmp_path / "rt.tfrecord"), records, options)
    want = [r.encode("utf-8") if isinstance(r, str) else r for r in records]
    assert list(tf_record_iterator(path, options)) == want
    # A tiny read buffer exercises records spanning several refills.
    with TFRecordFileReader(path, options, buffer_size=16) as reader:
        assert list(reader) == want


@pytest.mark.parametrize("options", [None, "GZIP", "ZLIB"])
def test_large_records_round_trip(tmp_path, options):
    rng = np.random.RandomState(0)
    records = [rng.bytes(n) for n in (3 << 20, 1, 1 << 20, 0, 5 << 20)]
    path = _write(str(tmp_path / "big.tfrecord"), records, options)
    assert list(tf_record_iterator(path, options)) == records


@settings(max_examples=60, deadline=None, database=None)
@given(records=st.lists(st.binary(max_size=300), max_size=20),
       kind=st.sampled_from(["", "GZIP", "ZLIB"]))
def test_round_trip_property(tmp_path_factory, records, kind):
    path = str(tmp_path_factory.mktemp("prop") / "p.tfrecord")
    _write(path, records, kind)
    assert list(tf_record_iterator(path, kind)) == records


@pytest.mark.parametrize("level", [0, 1, 9])
def test_compression_options_are_used(tmp_path, payloads, level):
    options = TFRecordOptions("ZLIB", compression_level=level, mem_level=8, window_bits=12)
    path = _write(str(tmp_path / "o.zlib"), payloads, options)
    with open(path, "rb") as f:
        raw = f.read()
    assert zlib.decompress(raw) == _read_bytes("examples.tfrecord")
    assert list(tf_record_iterator(path, options)) == payloads
    if level == 0:
        assert len(raw) > len(_read_bytes("examples.tfrecord"))


def test_writer_flush_and_close(tmp_path):
    path = str(tmp_path / "f.tfrecord")
    writer = TFRecordWriter(path)
    writer.write(b"one")
    writer.flush()
    assert list(tf_record_iterator(path)) == [b"one"]
    writer.write(b"two")
    writer.close()
    writer.close()  # idempotent
    assert list(tf_record_iterator(path)) == [b"one", b"two"]
    with pytest.raises(FailedPreconditionError, match="closed"):
        writer.write(b"three")


def test_gzip_flush_makes_records_readable(tmp_path):
    path = str(tmp_path / "f.gz")
    writer = TFRecordWriter(path, "GZIP")
    writer.write(b"one")
    writer.flush()
    got, err = _outcome(path, "GZIP")
    assert got == [b"one"]
    assert err is not None and "truncated" in str(err)  # the stream is not finished yet
    writer.close()
    assert list(tf_record_iterator(path, "GZIP")) == [b"one"]


def test_concatenated_gzip_members(tmp_path):
    a = _write(str(tmp_path / "a.gz"), [b"1", b"2"], "GZIP")
    b = _write(str(tmp_path / "b.gz"), [b"3"], "GZIP")
    both = str(tmp_path / "ab.gz")
    with open(a, "rb") as fa, open(b, "rb") as fb:
        _put(both, fa.read() + fb.read())
    assert list(tf_record_iterator(both, "GZIP")) == [b"1", b"2", b"3"]


def test_empty_files(tmp_path):
    for kind in ("", "GZIP", "ZLIB"):
        path = _write(str(tmp_path / ("e" + kind)), [], kind)
        assert list(tf_record_iterator(path, kind)) == []
    empty = str(tmp_path / "zero-bytes")
    open(empty, "wb").close()
    for kind in ("", "GZIP", "ZLIB"):
        assert list(tf_record_iterator(empty, kind)) == []


# --- options ------------------------------------------------------------------------------

def test_compression_type_strings():
    get = TFRecordOptions.get_compression_type_string
    assert TFRecordCompressionType.NONE == 0
    assert TFRecordCompressionType.ZLIB == 1
    assert TFRecordCompressionType.GZIP == 2
    assert get(None) == ""
    assert get("") == ""
    assert get("GZIP") == "GZIP"
    assert get("ZLIB") == "ZLIB"
    assert get(TFRecordCompressionType.NONE) == ""
    assert get(TFRecordCompressionType.ZLIB) == "ZLIB"
    assert get(TFRecordCompressionType.GZIP) == "GZIP"
    assert get(TFRecordOptions()) == ""
    assert get(TFRecordOptions(TFRecordCompressionType.GZIP)) == "GZIP"
    assert get(TFRecordOptions("ZLIB")) == "ZLIB"
    assert TFRecordOptions(TFRecordCompressionType.GZIP).compression_type == 2
    for bad in ("gzip", "BZ2", 7):
        with pytest.raises(ValueError, match="Not a valid compression_type"):
            get(bad)
        with pytest.raises(ValueError, match="Not a valid compression_type"):
            TFRecordOptions(bad)
    with pytest.raises(ValueError, match="compression_method"):
        TFRecordOptions("ZLIB", compression_method=3)


# --- errors -------------------------------------------------------------------------------

def test_missing_file_is_not_found(tmp_path):
    path = str(tmp_path / "nope.tfrecord")
    iterator = tf_record_iterator(path)
    with pytest.raises(NotFoundError, match="nope.tfrecord"):
        next(iterator)
    with pytest.raises(NotFoundError, match="nope.tfrecord"):
        TFRecordFileReader(path)


def test_writer_in_missing_directory_is_not_found(tmp_path):
    path = str(tmp_path / "no" / "such" / "dir" / "x.tfrecord")
    with pytest.raises(NotFoundError, match=r"no/such/dir/x\.tfrecord"):
        TFRecordWriter(path)


def test_corrupt_length_crc(tmp_path, expected):
    raw = bytearray(_read_bytes("examples.tfrecord"))
    offset = expected["records"][4]["uncompressed_file_offset"]
    raw[offset + 9] ^= 0x01  # inside the length CRC of record 4
    path = str(tmp_path / "bad.tfrecord")
    _put(path, bytes(raw))
    got, err = _outcome(path)
    assert len(got) == 4
    assert "corrupted record at %d" % offset in str(err)
    assert "length CRC" in str(err)
    assert path in str(err)


def test_corrupt_data(tmp_path, expected):
    raw = bytearray(_read_bytes("examples.tfrecord"))
    offset = expected["records"][7]["uncompressed_file_offset"]
    raw[offset + 12 + 100] ^= 0x80
    path = str(tmp_path / "bad.tfrecord")
    _put(path, bytes(raw))
    with pytest.raises(DataLossError, match=r"corrupted record at %d .*data CRC" % offset):
        list(tf_record_iterator(path))


def test_truncated_final_record_is_reported(tmp_path, expected):
    raw = _read_bytes("examples.tfrecord")
    last = expected["records"][-1]["uncompressed_file_offset"]
    for cut in (1, 4, 5, 100):
        path = str(tmp_path / ("cut%d.tfrecord" % cut))
        _put(path, raw[:-cut])
        got, err = _outcome(path)
        assert len(got) == 19
        assert err is not None and "truncated record at %d" % last in str(err), cut
        assert path in str(err)
    path = str(tmp_path / "header.tfrecord")
    _put(path, raw[:last + 5])
    with pytest.raises(DataLossError, match="truncated record at %d" % last):
        list(tf_record_iterator(path))


def test_wrong_compression_is_data_loss(tmp_path):
    for name, options in (("examples.tfrecord.gz", None), ("examples.tfrecord", "GZIP"),
                          ("examples.tfrecord.zlib", "GZIP"), ("examples.tfrecord", "ZLIB")):
        with pytest.raises(DataLossError, match=name.replace(".", r"\.")):
            list(tf_record_iterator(os.path.join(DATA, name), options))


def _record_at(offsets, position):
    """The offset of the record whose bytes include ``position``."""
    return max(o for o in offsets if o <= position)


def test_fuzz_uncompressed_corruption_always_data_loss(tmp_path, expected, payloads):
    raw = _read_bytes("examples.tfrecord")
    offsets = [r["uncompressed_file_offset"] for r in expected["records"]]
    rng = random.Random(1234)
    path = str(tmp_path / "fuzz.tfrecord")
    for _ in range(300):
        position = rng.randrange(len(raw))
        bad = bytearray(raw)
        bad[position] ^= rng.randrange(1, 256)
        _put(path, bytes(bad))
        got, err = _outcome(path)
        start = _record_at(offsets, position)
        assert err is not None, position
        assert got == payloads[:offsets.index(start)]
        assert ("corrupted record at %d" % start in str(err)
                or "truncated record at %d" % start in str(err)), (position, str(err))


def test_fuzz_uncompressed_truncation(tmp_path, expected, payloads):
    raw = _read_bytes("examples.tfrecord")
    offsets = [r["uncompressed_file_offset"] for r in expected["records"]]
    rng = random.Random(99)
    path = str(tmp_path / "trunc.tfrecord")
    for size in [0] + offsets + [len(raw)] + [rng.randrange(len(raw)) for _ in range(200)]:
        _put(path, raw[:size])
        got, err = _outcome(path)
        if size in offsets or size in (0, len(raw)):
            assert err is None and got == payloads[:sum(o < size for o in offsets)]
        else:
            start = _record_at(offsets, size)
            assert got == payloads[:offsets.index(start)]
            assert "truncated record at %d" % start in str(err), (size, str(err))


@pytest.mark.parametrize("name", ["examples.tfrecord.gz", "examples.tfrecord.zlib"])
def test_fuzz_compressed_damage_only_data_loss(tmp_path, name, payloads):
    raw = _read_bytes(name)
    options = FILES[name]
    rng = random.Random(name)
    path = str(tmp_path / name)
    errors = 0
    for trial in range(250):
        bad = bytearray(raw)
        if trial % 2:
            position = rng.randrange(len(raw))
            bad[position] ^= rng.randrange(1, 256)
        else:
            del bad[rng.randrange(len(raw)):]
        _put(path, bytes(bad))
        got, err = _outcome(path, options)  # any other exception fails the test
        assert got == payloads[:len(got)]
        if err is None:
            assert got == payloads  # only header bytes zlib ignores (gzip mtime, OS)
        else:
            errors += 1
            assert path in str(err)
    assert errors > 200


@settings(max_examples=150, deadline=None, database=None)
@given(data=st.data())
def test_fuzz_property_only_data_loss(tmp_path_factory, data):
    kind = data.draw(st.sampled_from(["", "GZIP", "ZLIB"]))
    records = data.draw(st.lists(st.binary(max_size=64), min_size=1, max_size=8))
    path = str(tmp_path_factory.mktemp("fz") / "f")
    _write(path, records, kind)
    with open(path, "rb") as f:
        raw = bytearray(f.read())
    edits = data.draw(st.lists(st.tuples(st.integers(0, len(raw) - 1), st.integers(1, 255)),
                               max_size=3))
    for position, xor in edits:
        raw[position] ^= xor
    cut = data.draw(st.integers(0, len(raw)))
    _put(path, bytes(raw[:cut]))
    got, err = _outcome(path, kind)  # any other exception fails the test
    assert got == records[:len(got)]
    if err is None and kind == "":
        # Without an error the cut fell on a record boundary and the kept records are whole.
        assert cut == sum(16 + len(r) for r in got)


# --- random access ------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(FILES))
def test_random_access(name, expected, payloads):
    offsets = [r["uncompressed_file_offset"] for r in expected["records"]]
    with TFRecordFileReader(os.path.join(DATA, name), FILES[name]) as reader:
        for i in (5, 2, 19, 0, 11):
            record, next_offset = reader.read(offsets[i])
            assert record == payloads[i]
            if i < 19:
                assert next_offset == offsets[i + 1]
        end = offsets[19] + 16 + len(payloads[19])
        assert reader.read(offsets[19])[1] == end
        with pytest.raises(OutOfRangeError):
            reader.read(end)
        with pytest.raises(DataLossError, match="corrupted record at %d" % (offsets[3] + 1)):
            reader.read(offsets[3] + 1)
    with TFRecordFileReader(os.path.join(DATA, name), FILES[name], offset=offsets[18]) as r:
        assert r.offset == offsets[18]
        assert list(r) == payloads[18:]
    with pytest.raises(FailedPreconditionError, match="closed"):
        r.read_record()
