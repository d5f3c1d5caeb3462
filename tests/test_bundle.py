"""Tests for tensorslim.io.table and tensorslim.io.bundle (V2 checkpoint bundles).

Golden files: ``tests/data/tiny`` (copied from shared/fixtures/tf1/tiny) and, when present,
``$TF1_FIXTURES/ckpt`` (default ``../shared/fixtures/tf1`` relative to the repo root).
"""
import json
import os
import random
import shutil
import struct
import zlib

import numpy as np
import pytest

from tensorslim.core import dtypes, errors
from tensorslim.io import bundle, table
from tensorslim.io.bundle import BundleReader, merge_bundles, write_bundle
from tensorslim.io.crc import crc32c, masked_crc32c
from tensorslim.proto import tensor_bundle_pb2

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TINY = os.path.join(ROOT, "tests", "data", "tiny", "model.ckpt")
FIXTURES = os.path.join(ROOT, os.environ.get("TF1_FIXTURES", "../shared/fixtures/tf1"))
CKPT_DIR = os.path.join(FIXTURES, "ckpt")
needs_ckpt = pytest.mark.skipif(
    not os.path.isfile(os.path.join(CKPT_DIR, "model.ckpt-2.index")),
    reason="TF1 checkpoint fixtures not found (set TF1_FIXTURES)")

SUFFIXES = (".index", ".data-00000-of-00001")


def _read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def _copy_prefix(src_prefix, dst_prefix):
    for suffix in SUFFIXES:
        shutil.copyfile(src_prefix + suffix, dst_prefix + suffix)


def _read_all(prefix):
    reader = BundleReader(prefix)
    return {name: reader.get_tensor(name) for name in reader.keys()}


def _assert_same(got, want):
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    assert got.shape == want.shape
    if got.dtype == object:
        assert got.tolist() == want.tolist()
    else:
        # Bitwise, so -0.0 and NaN payloads count too.
        assert got.tobytes() == np.ascontiguousarray(want).tobytes()


# ----------------------------------------------------------------------------------------
# Table (SSTable) layer


def test_table_reads_tiny_index():
    reader = table.TableReader(TINY + ".index")
    assert reader.keys() == [b"", b"v1", b"v2"]
    assert reader.get("") == b"\x08\x01\x1a\x02\x08\x01"
    assert "v1" in reader and "v3" not in reader


def test_table_rebuild_is_byte_identical_to_tf():
    data = _read_bytes(TINY + ".index")
    assert table.build_table(table.read_table(TINY + ".index")) == data


def test_separators_match_tf_observations():
    assert table._short_successor(b"v2") == b"w"
    assert table._short_successor(b"global_step") == b"h"
    assert table._short_successor(b"\xff\xff") == b"\xff\xff"
    assert table._shortest_separator(b"abcd", b"abzz") == b"abd"
    assert table._shortest_separator(b"abc", b"abd") == b"abc"  # c+1 is not < d
    assert table._shortest_separator(b"ab", b"abc") == b"ab"  # prefix: unchanged


@pytest.mark.parametrize("block_size,restart_interval", [(64, 16), (200, 3), (1, 1)])
def test_table_multiple_blocks_round_trip(block_size, restart_interval, tmp_path):
    items = [(("key/%05d/%s" % (i, "x" * (i % 7))).encode(), bytes([i % 256]) * (i % 13))
             for i in range(500)]
    items.sort()
    data = table.build_table(items, block_size=block_size, restart_interval=restart_interval)
    path = str(tmp_path / "t.index")
    with open(path, "wb") as f:
        f.write(data)
    reader = table.TableReader(path)
    assert reader.items() == items
    index = reader._parse_block(reader._read_block(*_index_handle(data), "index"), "index")
    assert len(index) > 1  # really split into several data blocks


def _index_handle(data):
    pos = len(data) - table.FOOTER_SIZE
    for _ in range(2):  # skip the metaindex handle
        _, pos = table.decode_varint(data, pos)
    off, pos = table.decode_varint(data, pos)
    size, _ = table.decode_varint(data, pos)
    return off, size


def test_table_default_block_size_splits_near_256k():
    items = [(("%06d" % i).encode() + b"n" * 100, b"v" * 20) for i in range(6000)]
    data = table.build_table(items)
    reader = table.TableReader("mem", data=data)
    assert reader.items() == items
    index = reader._parse_block(reader._read_block(*_index_handle(data), "index"), "index")
    first_block_size = table.decode_varint(index[0][1], table.decode_varint(index[0][1], 0)[1])[0]
    assert len(index) >= 3
    # The block is cut at the first entry that takes it past 256 KiB (restarts included).
    assert table.DEFAULT_BLOCK_SIZE <= first_block_size < table.DEFAULT_BLOCK_SIZE + 200


def test_table_empty_and_errors(tmp_path):
    data = table.build_table([])
    assert table.TableReader("mem", data=data).items() == []
    with pytest.raises(ValueError, match="increasing"):
        table.build_table([(b"b", b""), (b"a", b"")])
    with pytest.raises(ValueError, match="increasing"):
        table.build_table([(b"a", b""), (b"a", b"")])
    with pytest.raises(errors.NotFoundError, match="missing.index"):
        table.TableReader(str(tmp_path / "missing.index"))
    with pytest.raises(errors.DataLossError, match="too short"):
        table.TableReader("short", data=b"\0" * 47)
    with pytest.raises(errors.DataLossError, match="magic"):
        table.TableReader("zeros", data=b"\0" * 48)


def test_snappy_decompressor():
    # literal "abc" then a copy of length 9 at offset 3 -> "abc" * 4
    assert table._snappy_decompress(b"\x0c\x08abc\x15\x03") == b"abc" * 4
    with pytest.raises(ValueError):
        table._snappy_decompress(b"\x0c\x08abc")
    with pytest.raises(ValueError):
        table._snappy_decompress(b"\x03\x15\x03")


# ----------------------------------------------------------------------------------------
# Reading TF's checkpoints


def test_tiny_checkpoint_values():
    reader = BundleReader(TINY)
    assert reader.keys() == ["v1", "v2"]
    assert reader.num_shards == 1
    assert reader.get_variable_to_shape_map() == {"v1": [1], "v2": [1]}
    assert reader.get_variable_to_dtype_map() == {"v1": dtypes.float32, "v2": dtypes.float32}
    _assert_same(reader.get_tensor("v1"), np.array([1.0], np.float32))
    _assert_same(reader.get_tensor(b"v2"), np.array([2.0], np.float32))
    assert reader.has_tensor("v1") and "v2" in reader and not reader.has_tensor("v3")
    assert reader.debug_string() == b"v1 (DT_FLOAT) [1]\nv2 (DT_FLOAT) [1]\n"
    entry = reader.get_entry("v2")
    assert (entry.offset, entry.size, entry.dtype) == (4, 4, 1)


def test_tiny_round_trip_is_byte_identical(tmp_path):
    prefix = str(tmp_path / "model.ckpt")
    names = write_bundle(prefix, {"v2": np.array([2.0], np.float32),
                                  "v1": np.array([1.0], np.float32)})
    assert names == ["v1", "v2"]
    for suffix in SUFFIXES:
        assert _read_bytes(prefix + suffix) == _read_bytes(TINY + suffix), suffix
    assert sorted(os.listdir(str(tmp_path))) == ["model.ckpt" + s for s in sorted(SUFFIXES)]


@needs_ckpt
def test_lenet_checkpoint_matches_npz_and_json():
    with open(os.path.join(FIXTURES, "ckpt.json")) as f:
        meta = json.load(f)
    expected = np.load(os.path.join(FIXTURES, "ckpt.npz"))
    reader = BundleReader(os.path.join(CKPT_DIR, "model.ckpt-3"))
    assert reader.keys() == [v["name"] for v in meta["variables"]]
    shapes = reader.get_variable_to_shape_map()
    dtype_map = reader.get_variable_to_dtype_map()
    for var in meta["variables"]:
        assert shapes[var["name"]] == var["shape"]
        assert dtype_map[var["name"]] == dtypes.as_dtype(var["dtype"])
    assert sorted(expected.files) == sorted(reader.keys())
    for name in reader.keys():
        _assert_same(reader.get_tensor(name), expected[name])
    header = reader.header
    assert header.num_shards == 1 and header.endianness == 0 and header.version.producer == 1
    gs = reader.get_entry("global_step")
    assert (gs.dtype, gs.offset, gs.size, gs.crc32c) == (9, 3717712, 8, 0x0E4999B0)


@needs_ckpt
@pytest.mark.parametrize("step", [2, 3])
def test_lenet_rewrite_is_byte_identical(step, tmp_path):
    src = os.path.join(CKPT_DIR, "model.ckpt-%d" % step)
    tensors = _read_all(src)
    prefix = str(tmp_path / ("model.ckpt-%d" % step))
    write_bundle(prefix, tensors)
    for suffix in SUFFIXES:
        assert _read_bytes(prefix + suffix) == _read_bytes(src + suffix), suffix


@needs_ckpt
def test_missing_key_lists_close_matches():
    reader = BundleReader(os.path.join(CKPT_DIR, "model.ckpt-2"))
    with pytest.raises(errors.NotFoundError, match="LeNet/fc3/weight.*not found.*"
                                                    "LeNet/fc3/weights"):
        reader.get_tensor("LeNet/fc3/weight")


# ----------------------------------------------------------------------------------------
# Round trips


ALL_NUMERIC = [np.float16, np.float32, np.float64, np.int8, np.int16, np.int32, np.int64,
               np.uint8, np.uint16, np.uint32, np.uint64, np.bool_, np.complex64,
               np.complex128]
DT_ENUMS = {np.float16: 19, np.float32: 1, np.float64: 2, np.int8: 6, np.int16: 5,
            np.int32: 3, np.int64: 9, np.uint8: 4, np.uint16: 17, np.uint32: 22,
            np.uint64: 23, np.bool_: 10, np.complex64: 8, np.complex128: 18}


@pytest.mark.parametrize("np_type", ALL_NUMERIC, ids=lambda t: np.dtype(t).name)
@pytest.mark.parametrize("shape", [(), (0,), (3,), (2, 0, 3), (2, 3, 4)])
def test_round_trip_numeric(np_type, shape, tmp_path):
    rng = np.random.RandomState(7)
    if np_type is np.bool_:
        value = rng.random_sample(shape) > 0.5
    elif np.issubdtype(np_type, np.complexfloating):
        value = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(np_type)
    elif np.issubdtype(np_type, np.floating):
        value = rng.standard_normal(shape).astype(np_type)
    else:
        info = np.iinfo(np_type)
        value = rng.randint(info.min, info.max, size=shape, dtype=np_type)
    value = np.asarray(value)
    prefix = str(tmp_path / "ckpt")
    write_bundle(prefix, {"x": value})
    reader = BundleReader(prefix)
    got = reader.get_tensor("x")
    _assert_same(got, value)
    entry = reader.get_entry("x")
    assert entry.dtype == DT_ENUMS[np_type]
    assert entry.size == value.size * value.itemsize
    assert entry.crc32c == masked_crc32c(value.tobytes())
    assert reader.get_variable_to_shape_map() == {"x": list(shape)}


def test_round_trip_special_floats_and_extremes(tmp_path):
    tensors = {
        "f": np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e-45, 3.4e38], np.float32),
        "i64": np.array([-2 ** 63, 2 ** 63 - 1, 0, -1], np.int64),
        "u64": np.array([2 ** 64 - 1, 0], np.uint64),
    }
    prefix = str(tmp_path / "ckpt")
    write_bundle(prefix, tensors)
    for name, value in _read_all(prefix).items():
        _assert_same(value, tensors[name])


def test_round_trip_big_endian_and_non_contiguous_input(tmp_path):
    base = np.arange(24, dtype=np.float32).reshape(4, 6)
    tensors = {"be": base.astype(">f4"), "strided": base[:, ::2],
               "fortran": np.asfortranarray(base)}
    prefix = str(tmp_path / "ckpt")
    write_bundle(prefix, tensors)
    got = _read_all(prefix)
    _assert_same(got["be"], base)
    _assert_same(got["strided"], np.ascontiguousarray(base[:, ::2]))
    _assert_same(got["fortran"], base)


def test_round_trip_strings(tmp_path):
    tensors = {
        "bytes": np.array([b"ab", b"", b"xyz", b"\x00\xff\x00"], dtype=object),
        "scalar": np.array(b"trailing nul\x00", dtype=object),
        "empty": np.array([], dtype=object),
        "empty2d": np.empty((0, 2), dtype=object),
        "matrix": np.array([[b"a" * 200, b"b"], [b"", b"c" * 70000]], dtype=object),
        "from_str_list": ["héllo", "x\x00"],
        "from_bytes_list": [b"p\x00", b"q"],
    }
    prefix = str(tmp_path / "ckpt")
    write_bundle(prefix, tensors)
    reader = BundleReader(prefix)
    assert set(reader.get_variable_to_dtype_map().values()) == {dtypes.string}
    got = {name: reader.get_tensor(name) for name in reader.keys()}
    for name in ("bytes", "scalar", "empty", "empty2d", "matrix"):
        _assert_same(got[name], tensors[name])
    assert got["from_str_list"].tolist() == ["héllo".encode(), b"x\x00"]
    assert got["from_bytes_list"].tolist() == [b"p\x00", b"q"]
    assert reader.get_entry("empty").size == 4  # just the length checksum, like TF


def test_string_layout_matches_formats_md(tmp_path):
    prefix = str(tmp_path / "ckpt")
    write_bundle(prefix, {"s": np.array([b"ab", b"", b"xyz"], dtype=object)})
    assert _read_bytes(prefix + ".data-00000-of-00001") == bytes.fromhex(
        "020003 1b428bca 6162 78797a")


def test_many_tensors_sorted_bytewise_and_concatenated(tmp_path):
    names = ["b", "a/b", "a", "A", "a/b/c", "é", "z" * 300, "global_step"]
    tensors = {n: np.full((i + 1,), i, np.int32) for i, n in enumerate(names)}
    prefix = str(tmp_path / "ckpt")
    stored = write_bundle(prefix, tensors)
    assert stored == sorted(names, key=lambda n: n.encode("utf-8"))
    reader = BundleReader(prefix)
    assert reader.keys() == stored
    offset = 0
    for n in stored:
        entry = reader.get_entry(n)
        assert entry.offset == offset
        offset += entry.size
        _assert_same(reader.get_tensor(n), tensors[n])
    assert os.path.getsize(prefix + ".data-00000-of-00001") == offset


def test_write_errors(tmp_path):
    prefix = str(tmp_path / "ckpt")
    with pytest.raises(TypeError, match="'x'"):
        write_bundle(prefix, {"x": np.array(["2020-01-01"], dtype="datetime64[D]")})
    with pytest.raises(TypeError, match="bytes or str"):
        write_bundle(prefix, {"x": np.array([1, b"a"], dtype=object)})
    with pytest.raises(errors.InvalidArgumentError, match="duplicate"):
        write_bundle(prefix, [("x", [1]), (b"x", [2])])
    with pytest.raises(errors.InvalidArgumentError, match="empty"):
        write_bundle(prefix, {"": [1]})
    assert os.listdir(str(tmp_path)) == []  # nothing written on a failed call
    with pytest.raises(errors.NotFoundError):
        write_bundle(str(tmp_path / "a" / "b" / "ckpt"), {"x": [1]})
    write_bundle(str(tmp_path / "new_dir" / "ckpt"), {"x": [1]})  # one level is created
    assert BundleReader(str(tmp_path / "new_dir" / "ckpt")).keys() == ["x"]


def test_overwrite_existing_bundle(tmp_path):
    prefix = str(tmp_path / "ckpt")
    write_bundle(prefix, {"a": np.zeros(1000, np.float32), "b": np.ones(3)})
    write_bundle(prefix, {"a": np.array([5], np.int8)})
    got = _read_all(prefix)
    assert list(got) == ["a"]
    _assert_same(got["a"], np.array([5], np.int8))
    assert sorted(os.listdir(str(tmp_path))) == ["ckpt" + s for s in sorted(SUFFIXES)]


# ----------------------------------------------------------------------------------------
# Multi-shard bundles, endianness


def test_merge_into_multi_shard_bundle(tmp_path):
    part0 = str(tmp_path / "tmp" / "part-0")
    part1 = str(tmp_path / "tmp" / "part-1")
    write_bundle(part0, {"a": np.arange(3, dtype=np.float32), "c": [b"s0", b"s1"]})
    write_bundle(part1, {"b": np.arange(4, dtype=np.int64), "d": np.array(True)})
    prefix = str(tmp_path / "model.ckpt")
    merge_bundles([part0, part1], prefix, delete_old_dirs=True)
    assert sorted(os.listdir(str(tmp_path))) == [
        "model.ckpt.data-00000-of-00002", "model.ckpt.data-00001-of-00002", "model.ckpt.index"]
    reader = BundleReader(prefix)
    assert reader.num_shards == 2
    assert [reader.get_entry(n).shard_id for n in "abcd"] == [0, 1, 0, 1]
    _assert_same(reader.get_tensor("a"), np.arange(3, dtype=np.float32))
    _assert_same(reader.get_tensor("b"), np.arange(4, dtype=np.int64))
    assert reader.get_tensor("c").tolist() == [b"s0", b"s1"]
    _assert_same(reader.get_tensor("d"), np.array(True))


def test_merge_rejects_duplicates(tmp_path):
    write_bundle(str(tmp_path / "p0"), {"a": [1]})
    write_bundle(str(tmp_path / "p1"), {"a": [2]})
    with pytest.raises(errors.InvalidArgumentError, match="Duplicate tensor"):
        merge_bundles([str(tmp_path / "p0"), str(tmp_path / "p1")], str(tmp_path / "m"))
    with pytest.raises(errors.InvalidArgumentError, match="does not exist"):
        merge_bundles([str(tmp_path / "nope")], str(tmp_path / "m"))


def _write_raw_bundle(prefix, header, entries, shards):
    items = [(b"", header.SerializeToString())]
    items += [(k, e.SerializeToString()) for k, e in sorted(entries.items())]
    with open(prefix + ".index", "wb") as f:
        f.write(table.build_table(items))
    for i, data in enumerate(shards):
        with open(bundle.data_filename(prefix, i, len(shards)), "wb") as f:
            f.write(data)


def _entry(dtype, shape, shard, offset, data):
    e = tensor_bundle_pb2.BundleEntryProto(dtype=dtype, shard_id=shard, offset=offset,
                                           size=len(data), crc32c=masked_crc32c(data))
    e.shape.SetInParent()
    for d in shape:
        e.shape.dim.add(size=d)
    return e


def test_hand_built_three_shard_bundle(tmp_path):
    # Layout as TF's MergeV2Checkpoints leaves it: entries point into different shards.
    x = np.arange(6, dtype="<f8").reshape(2, 3)
    y = np.array([7, 8], dtype="<i4")
    header = tensor_bundle_pb2.BundleHeaderProto(num_shards=3)
    header.version.producer = 1
    pad = b"junk"
    entries = {b"x": _entry(2, (2, 3), 2, len(pad), x.tobytes()),
               b"y": _entry(3, (2,), 0, 0, y.tobytes())}
    prefix = str(tmp_path / "ckpt")
    _write_raw_bundle(prefix, header, entries, [y.tobytes(), b"", pad + x.tobytes()])
    reader = BundleReader(prefix)
    _assert_same(reader.get_tensor("x"), x.astype(np.float64))
    _assert_same(reader.get_tensor("y"), y.astype(np.int32))
    os.remove(bundle.data_filename(prefix, 2, 3))
    with pytest.raises(errors.NotFoundError, match="data-00002-of-00003"):
        BundleReader(prefix).get_tensor("x")


def test_big_endian_bundle(tmp_path):
    x = np.array([1.5, -2.25, 3.0], dtype=">f4")
    s = [b"ab", b"", b"xyz"]
    lengths = b"\x02\x00\x03"
    length_crc = masked_crc32c(b"".join(struct.pack(">I", len(e)) for e in s))
    sdata = lengths + struct.pack(">I", length_crc) + b"".join(s)
    raw = crc32c(b"".join(struct.pack(">I", len(e)) for e in s))
    raw = crc32c(sdata[3:7], raw)
    raw = crc32c(b"".join(s), raw)
    s_entry = _entry(7, (3,), 0, 12, sdata)
    s_entry.crc32c = bundle._mask(raw)
    header = tensor_bundle_pb2.BundleHeaderProto(num_shards=1, endianness=1)
    header.version.producer = 1
    _write_raw_bundle(str(tmp_path / "be"), header,
                      {b"x": _entry(1, (3,), 0, 0, x.tobytes()), b"s": s_entry},
                      [x.tobytes() + sdata])
    reader = BundleReader(str(tmp_path / "be"))
    _assert_same(reader.get_tensor("x"), x.astype(np.float32))
    assert reader.get_tensor("s").tolist() == s


def test_version_checks(tmp_path):
    header = tensor_bundle_pb2.BundleHeaderProto(num_shards=1)
    header.version.producer = 5
    header.version.min_consumer = 2
    _write_raw_bundle(str(tmp_path / "v"), header, {}, [b""])
    with pytest.raises(errors.InvalidArgumentError, match="version"):
        BundleReader(str(tmp_path / "v"))
    header.version.min_consumer = 0
    header.version.bad_consumers.append(1)
    _write_raw_bundle(str(tmp_path / "v"), header, {}, [b""])
    with pytest.raises(errors.InvalidArgumentError, match="disallows"):
        BundleReader(str(tmp_path / "v"))


def test_unsupported_dtypes_and_slices(tmp_path):
    header = tensor_bundle_pb2.BundleHeaderProto(num_shards=1)
    header.version.producer = 1
    sliced = _entry(1, (4,), 0, 0, b"")
    sliced.slices.add()
    entries = {b"r": _entry(20, (), 0, 0, b"\0" * 8), b"p": sliced}
    _write_raw_bundle(str(tmp_path / "u"), header, entries, [b"\0" * 8])
    reader = BundleReader(str(tmp_path / "u"))
    assert reader.keys() == ["p", "r"]
    with pytest.raises(errors.UnimplementedError, match="DT_RESOURCE"):
        reader.get_tensor("r")
    with pytest.raises(errors.UnimplementedError, match="partitioned"):
        reader.get_tensor("p")


def test_bfloat16_is_widened(tmp_path):
    values = np.array([1.0, -2.5, 3.140625], np.float32)
    bits = (values.view(np.uint32) >> 16).astype("<u2").tobytes()
    header = tensor_bundle_pb2.BundleHeaderProto(num_shards=1)
    header.version.producer = 1
    _write_raw_bundle(str(tmp_path / "bf"), header, {b"b": _entry(14, (3,), 0, 0, bits)},
                      [bits])
    reader = BundleReader(str(tmp_path / "bf"))
    assert reader.get_variable_to_dtype_map() == {"b": dtypes.bfloat16}
    _assert_same(reader.get_tensor("b"), values)


# ----------------------------------------------------------------------------------------
# Missing files and corruption


def test_missing_files(tmp_path):
    with pytest.raises(errors.NotFoundError, match="nothing.index"):
        BundleReader(str(tmp_path / "nothing"))
    prefix = str(tmp_path / "ckpt")
    write_bundle(prefix, {"a": [1.0]})
    os.remove(prefix + ".data-00000-of-00001")
    reader = BundleReader(prefix)  # data files are opened lazily, as in TF
    with pytest.raises(errors.NotFoundError, match="data-00000-of-00001"):
        reader.get_tensor("a")


def _sample_bundle(prefix):
    tensors = {
        "LeNet/conv1/weights": np.random.RandomState(0).randn(5, 5, 1, 8).astype(np.float32),
        "LeNet/conv1/weights/ExponentialMovingAverage": np.arange(40, dtype=np.float64),
        "bool": np.array([True, False, True]),
        "global_step": np.array(1234, np.int64),
        "names": np.array([b"alpha", b"", b"\x00\x01gamma"], dtype=object),
        "scalar_str": np.array(b"s", dtype=object),
        "zero": np.zeros((0, 4), np.int32),
    }
    write_bundle(prefix, tensors)
    return tensors


def _check_corrupted(prefix, tensors):
    """Reads everything; returns True if a DataLossError was raised, else checks values."""
    try:
        reader = BundleReader(prefix)
        got = {name: reader.get_tensor(name) for name in tensors}
        reader.close()
    except errors.DataLossError as e:
        assert os.path.basename(prefix) in str(e)  # names the file
        return True
    assert sorted(got) == sorted(tensors)
    for name, value in tensors.items():
        _assert_same(got[name], np.asarray(value))
    return False


def _sources():
    yield "tiny", TINY, None
    if os.path.isfile(os.path.join(CKPT_DIR, "model.ckpt-2.index")):
        yield "lenet", os.path.join(CKPT_DIR, "model.ckpt-2"), None
    yield "sample", None, _sample_bundle


def _corruptible_copy(source, suffix, tmp_path):
    """``(tensors, bytes of the clean file with suffix, prefix of a copy to damage)``."""
    src = dict((name, (path, make)) for name, path, make in _sources())
    if source not in src:
        pytest.skip("TF1 checkpoint fixtures not found")
    path, make = src[source]
    clean = str(tmp_path / "clean")
    if make is not None:
        tensors = make(clean)
    else:
        _copy_prefix(path, clean)
        tensors = _read_all(clean)
    original = _read_bytes(clean + suffix)
    prefix = str(tmp_path / "corrupt")
    _copy_prefix(clean, prefix)
    return tensors, original, prefix


@pytest.mark.parametrize("suffix", SUFFIXES)
@pytest.mark.parametrize("source", ["tiny", "lenet", "sample"])
def test_random_byte_flips(source, suffix, tmp_path):
    tensors, original, prefix = _corruptible_copy(source, suffix, tmp_path)
    rng = random.Random(zlib.crc32((source + suffix).encode()) + 20240611)
    trials = 60 if len(original) < 10000 else 12
    detected = 0
    for trial in range(trials):
        pos = rng.randrange(len(original))
        damaged = bytearray(original)
        damaged[pos] ^= rng.randrange(1, 256)
        with open(prefix + suffix, "wb") as f:
            f.write(damaged)
        detected += _check_corrupted(prefix, tensors)
    # A single damaged byte is always caught: every byte is under a CRC, the magic
    # number or a check on the footer's handles and padding.
    assert detected == trials


@pytest.mark.parametrize("suffix", SUFFIXES)
@pytest.mark.parametrize("source", ["tiny", "lenet", "sample"])
def test_random_truncation(source, suffix, tmp_path):
    tensors, original, prefix = _corruptible_copy(source, suffix, tmp_path)
    rng = random.Random(len(original) + 7)
    cuts = sorted({0, len(original) - 1} | {rng.randrange(len(original)) for _ in range(12)})
    for cut in cuts:
        with open(prefix + suffix, "wb") as f:
            f.write(original[:cut])
        if suffix == ".index":
            with pytest.raises(errors.DataLossError, match="(?i)corrupt"):
                BundleReader(prefix)
            continue
        # A truncated data file: tensors wholly before the cut still read exactly; the
        # others raise DataLossError naming the file and the tensor.
        reader = BundleReader(prefix)
        for name, value in tensors.items():
            entry = reader.get_entry(name)
            if entry.offset + entry.size <= cut or entry.size == 0:
                _assert_same(reader.get_tensor(name), np.asarray(value))
            else:
                with pytest.raises(errors.DataLossError) as info:
                    reader.get_tensor(name)
                assert name in str(info.value) and "corrupt.data-00000" in str(info.value)
        reader.close()


def test_checksum_error_names_file_and_tensor(tmp_path):
    prefix = str(tmp_path / "ckpt")
    write_bundle(prefix, {"weights": np.arange(10, dtype=np.float32)})
    data = bytearray(_read_bytes(prefix + ".data-00000-of-00001"))
    data[5] ^= 0x40
    with open(prefix + ".data-00000-of-00001", "wb") as f:
        f.write(data)
    with pytest.raises(errors.DataLossError, match=r"weights.*ckpt\.data-00000-of-00001"):
        BundleReader(prefix).get_tensor("weights")


def test_appended_garbage_in_data_file_is_harmless(tmp_path):
    prefix = str(tmp_path / "ckpt")
    tensors = _sample_bundle(prefix)
    with open(prefix + ".data-00000-of-00001", "ab") as f:
        f.write(b"garbage")
    assert not _check_corrupted(prefix, tensors)
