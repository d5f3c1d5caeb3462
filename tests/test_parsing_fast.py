"""The fixed-layout path of parse_example / parse_single_example against protobuf.

Records whose layout is known are read by position instead of through protobuf.  Every
result here is compared with the protobuf path (forced by allowing no layouts), on plain
records, on odd but valid encodings (unpacked lists, fields out of order, empty lists,
negative and over-long varints) and on records that must fall back (unknown fields,
repeated keys, merged messages), single and batched, errors included.
"""
import struct

import numpy as np
import pytest

import tensorslim as tf
from tensorslim.data import parsing


def _varint(n):
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _field(tag, payload):
    return bytes([tag]) + _varint(len(payload)) + payload


def _example(*entries):
    return _field(0x0A, b"".join(entries)) if entries else b""


def _entry(key, feature, value_first=False):
    key = _field(0x0A, key.encode() if isinstance(key, str) else key)
    value = _field(0x12, feature)
    return _field(0x0A, value + key if value_first else key + value)


def _bytes(*values):
    return _field(0x0A, b"".join(_field(0x0A, v) for v in values))


def _int64(*values, packed=True):
    if packed:
        return _field(0x1A, _field(0x0A, b"".join(_varint(v) for v in values)))
    return _field(0x1A, b"".join(b"\x08" + _varint(v) for v in values))


def _float(*values, packed=True):
    if packed:
        return _field(0x12, _field(0x0A, struct.pack("<%df" % len(values), *values)))
    return _field(0x12, b"".join(b"\x0d" + struct.pack("<f", v) for v in values))


SPEC = {
    "img": tf.FixedLenFeature([], tf.string),
    "label": tf.FixedLenFeature([], tf.int64),
    "f": tf.FixedLenFeature([2], tf.float32, default_value=[7.0, 8.0]),
    "ids": tf.VarLenFeature(tf.int64),
    "names": tf.VarLenFeature(tf.string),
    "seq": tf.FixedLenSequenceFeature([2], tf.float32, allow_missing=True,
                                      default_value=-1.0),
}


def _plain(i, n_ids=2):
    return _example(_entry("img", _bytes(bytes([i % 256]) * 5)),
                    _entry("label", _int64(i)),
                    _entry("f", _float(i + 0.5, -i)),
                    _entry("ids", _int64(*range(i, i + n_ids))),
                    _entry("names", _bytes(b"a", b"")),
                    _entry("seq", _float(1.0, 2.0, 3.0, 4.0)))


# Valid records in unusual encodings: each must parse to the same values either way.
ODD = [
    _example(_entry("label", _int64(3, packed=False)), _entry("img", _bytes(b"xy"))),
    _example(_entry("img", _bytes(b"xy"), value_first=True), _entry("label", _int64(-5))),
    _example(_entry("label", _int64(2 ** 63 - 1)), _entry("img", _bytes(b""))),
    _example(_entry("label", _int64(-(2 ** 63))), _entry("img", _bytes(b"q")),
             _entry("ids", _field(0x1A, _field(0x0A, _varint(1)) + b"\x08\x02" +
                                  _field(0x0A, _varint(300) + _varint(4))))),
    _example(_entry("label", _field(0x1A, _field(0x0A, b"\x85\x80\x00"))),   # over-long 5
             _entry("img", _bytes(b"z"))),
    _example(_entry("label", _int64(1)), _entry("img", _bytes(b"a")),
             _entry("f", _float(1.5, 2.5, packed=False)), _entry("ids", _int64()),
             _entry("names", _bytes()), _entry("seq", _field(0x12, b""))),
    _example(_entry("label", _int64(1)), _entry("img", _bytes(b"a")),
             _entry("f", _field(0x12, _field(0x0A, struct.pack("<f", 1.0)) + b"\x0d" +
                                struct.pack("<f", 2.0))),
             _entry("seq", _float(packed=False)), _entry("other", b"")),
    _example(_entry("label", _int64(4)), _entry("img", _bytes(b"b")),
             _entry("ids", b""), _entry("names", b"")),   # Features with no list at all
    # Must fall back to protobuf (and still agree):
    _example(_entry("label", _int64(1)), _entry("img", _bytes(b"a")),
             _entry("label", _int64(9))),                                  # repeated key
    _field(0x0A, _entry("label", _int64(1))) + _field(0x0A, _entry("img", _bytes(b"m"))),
    _example(_entry("label", _int64(1) + _int64(6)), _entry("img", _bytes(b"a"))),  # merged
    _example(_entry("label", _float(1.0) + _int64(6)), _entry("img", _bytes(b"a"))),
    _example(_entry("label", _int64(1)), _entry("img", _bytes(b"a"))) + b"\x10\x01",
    _example(_entry("label", _int64(1)), _entry("img", _bytes(b"a") + b"\x28\x00")),
    _example(_entry("label", _field(0x1A, _field(0x0A, _varint(1)) + b"\x10\x01")),
             _entry("img", _bytes(b"a"))),
    _example(_entry("label", _field(0x1A, _field(0x0A, b"\xff" * 9 + b"\x7f"))),
             _entry("img", _bytes(b"a"))),   # a tenth byte with more than bit 63
    _example(_field(0x0A, _field(0x0A, b"label") + _field(0x0A, b"img") +
                    _field(0x12, _bytes(b"k"))), _entry("label", _int64(3))),
]
NOT_PLAIN = ODD[8:]


def _run(records, spec, batched, allow_layouts, names=None):
    """The parse outputs (or the error text) with or without the layout path."""
    saved = parsing._MAX_PLANS
    parsing._MAX_PLANS = parsing._MAX_PLANS if allow_layouts else 0
    try:
        with tf.Graph().as_default():
            if batched:
                s = tf.placeholder(tf.string, [None])
                out = tf.parse_example(s, spec, example_names=names)
            else:
                s = tf.placeholder(tf.string, [])
                out = tf.parse_single_example(s, spec)
            with tf.Session() as sess:
                results = []
                for feed in records:
                    try:
                        results.append(_plain_values(sess.run(out, {s: feed})))
                    except tf.errors.InvalidArgumentError as e:
                        results.append(e.message.splitlines()[0])
                return results
    finally:
        parsing._MAX_PLANS = saved


def _plain_values(result):
    out = {}
    for key, value in result.items():
        if isinstance(value, tf.SparseTensorValue):
            out[key] = tuple(_plain_values({"": v})[""] for v in value)
        elif isinstance(value, np.ndarray):
            out[key] = (value.dtype.str, value.shape, value.tolist())
        else:   # a scalar (np.int64, bytes)
            out[key] = (type(value).__name__, (), value)
    return out


def _agree(records, spec, batched, names=None):
    fast = _run(records, spec, batched, True, names)
    slow = _run(records, spec, batched, False, names)
    assert fast == slow
    return fast


def test_walk_takes_plain_and_odd_encodings_only():
    for record in [_plain(i) for i in range(3)] + ODD[:8] + [b""]:
        assert parsing._Walk(record).example(), record
    for record in NOT_PLAIN:
        assert not parsing._Walk(record).example(), record


@pytest.mark.parametrize("batched", [False, True])
def test_plain_records_agree_and_use_layouts(batched, monkeypatch):
    records = [_plain(i) for i in range(300)]
    feeds = [[r] if batched else r for r in records[:20]]
    if batched:
        feeds += [records[:1], records, records[5:200]]
    got = _agree(feeds, SPEC, batched)
    assert got[3]["label"][2] == ([3] if batched else 3)
    assert got[3]["f"][2] == ([[3.5, -3.0]] if batched else [3.5, -3.0])
    protobuf = []
    monkeypatch.setattr(parsing, "_parse_example_proto",
                        lambda *a: protobuf.append(1) or pytest.fail("protobuf used"))
    _run(feeds, SPEC, batched, True)
    assert not protobuf


@pytest.mark.parametrize("batched", [False, True])
def test_odd_encodings_agree(batched):
    spec = {"img": tf.FixedLenFeature([], tf.string),
            "label": tf.FixedLenFeature([], tf.int64, default_value=-1),
            "f": tf.FixedLenFeature([2], tf.float32, default_value=[7.0, 8.0]),
            "ids": tf.VarLenFeature(tf.int64), "names": tf.VarLenFeature(tf.string),
            "seq": tf.FixedLenSequenceFeature([], tf.float32, allow_missing=True)}
    feeds = [[r] if batched else r for r in ODD]
    got = _agree(feeds, spec, batched)
    # ODD[10]: two int64_list fields in one Feature merge into one list of two values.
    assert "Values size: 2" in got[10]
    assert all(isinstance(g, dict) for i, g in enumerate(got) if i != 10), got
    label = [g["label"][2] if i != 10 else None for i, g in enumerate(got)]
    if batched:
        label = [v and v[0] for v in label]
    assert label[:5] == [3, -5, 2 ** 63 - 1, -(2 ** 63), 5]
    assert label[8] == 9   # the later duplicate key wins
    if batched:   # all of them in one batch: several layouts and protobuf records mixed
        _agree([ODD, ODD[::-1], ODD[:8] * 3], spec, True)


def test_mixed_lengths_and_layouts_in_one_batch():
    rng = np.random.RandomState(0)
    records = [_plain(i, n_ids=int(rng.randint(0, 4))) for i in range(200)]
    records[50] = _example(_entry("img", _bytes(b"x")), _entry("label", _int64(1)))
    _agree([records, records[::-1], records[:3] + records[100:130]], SPEC, True)
    _agree(records[:40], SPEC, False)


ERRORS = [
    _example(_entry("img", _bytes(b"x"))),                              # label missing
    _example(_entry("img", _bytes(b"x")), _entry("label", _int64(1, 2))),
    _example(_entry("img", _bytes(b"x")), _entry("label", _float(1.0))),
    _example(_entry("img", _bytes(b"x")), _entry("label", _int64(1)),
             _entry("f", _float(1.0))),
    _example(_entry("img", _bytes(b"x")), _entry("label", _int64(1)),
             _entry("seq", _float(1.0, 2.0, 3.0))),
    _example(_entry("img", _bytes(b"x")), _entry("label", _int64(1)),
             _entry("ids", _bytes(b"no"))),
    _example(_entry(b"\xff", _bytes(b"x")), _entry("label", _int64(1))),   # not UTF-8
    b"garbage",
]


@pytest.mark.parametrize("batched", [False, True])
def test_errors_are_protobufs(batched):
    good = [_plain(i) for i in range(6)]
    if batched:
        feeds = [good[:3] + [bad] + good[3:] for bad in ERRORS]
        got = _agree(feeds, SPEC, True, names=["r%d" % i for i in range(7)])
        assert "Name: r3, Feature: label (data type: int64) is required" in got[0]
    else:
        feeds = good[:1] + ERRORS
        got = _agree(feeds, SPEC, False)
        assert "Feature: label (data type: int64) is required" in got[1]
    assert all(isinstance(g, str) for g in got[-len(ERRORS):])


def test_damaged_records_of_a_known_layout():
    """Any byte of a record of a cached layout changed: the same result as protobuf."""
    base = _plain(7)
    rng = np.random.RandomState(1)
    feeds = [base]
    for _ in range(300):
        bad = bytearray(base)
        bad[rng.randint(len(bad))] ^= 1 << rng.randint(8)
        feeds.append(bytes(bad))
    got = _agree(feeds, SPEC, False)
    assert any(isinstance(g, str) for g in got) and any(isinstance(g, dict) for g in got[1:])
    _agree([[base] * 3 + feeds[i:i + 20] for i in range(0, 300, 20)], SPEC, True)


def test_layout_cache_is_bounded(monkeypatch):
    monkeypatch.setattr(parsing, "_MAX_PLANS", 3)
    records = [_example(_entry("img", _bytes(b"x" * n)), _entry("label", _int64(n)))
               for n in range(10)]
    assert _agree([records, records[:1], records[9:]], SPEC, True)[1]["label"][2] == [0]
