"""Parsing ``tf.train.Example`` / ``SequenceExample`` protos into tensors.

``tf.parse_single_example``, ``tf.parse_example`` (batched) and
``tf.parse_single_sequence_example`` take a dict of feature specs:

* :class:`FixedLenFeature` ``(shape, dtype, default_value)``: a dense tensor of ``shape``;
  without a default the feature is required.
* :class:`VarLenFeature` ``(dtype)``: a :class:`~tensorslim.core.sparse_tensor.SparseTensor`
  of however many values the record has.
* :class:`FixedLenSequenceFeature` ``(shape, dtype, allow_missing, default_value)``: a dense
  ``[n] + shape`` tensor (in ``parse_example`` padded to the longest record with
  ``default_value``).

A missing required feature, a wrong number of values, a value list of the wrong type or a
record that is not an Example is an ``InvalidArgumentError`` naming the feature and the record
(its entry in ``example_names``, and its index in the batch).
"""
import collections
import re

import numpy as np
from google.protobuf.message import DecodeError

from tensorslim.core import dtypes as _dtypes
from tensorslim.core.graph import Tensor, convert_to_tensor, name_scope
from tensorslim.core.op_util import apply_op
from tensorslim.core.ops import array_ops
from tensorslim.core.registry import not_differentiable_marker, register_op
from tensorslim.core.sparse_tensor import SparseTensor
from tensorslim.core.tensor_shape import TensorShape, as_shape
from tensorslim.io.table import decode_varint
from tensorslim.proto import example_pb2

__all__ = ["FixedLenFeature", "VarLenFeature", "FixedLenSequenceFeature", "parse_example",
           "parse_single_example", "parse_single_sequence_example"]

_NO_GRAD = not_differentiable_marker()
_LIST_OF = {_dtypes.float32: "float_list", _dtypes.int64: "int64_list",
            _dtypes.string: "bytes_list"}
# TF's DataTypeString names, used in its parse error messages.
_TYPE_NAME = {"float_list": "float", "int64_list": "int64", "bytes_list": "string"}
_ALLOWED = (_dtypes.float32, _dtypes.int64, _dtypes.string)


class FixedLenFeature(collections.namedtuple("FixedLenFeature",
                                             ["shape", "dtype", "default_value"])):
    """A dense feature of fixed ``shape``; required unless ``default_value`` is given."""

    __slots__ = ()

    def __new__(cls, shape, dtype, default_value=None):
        return super().__new__(cls, shape, dtype, default_value)


class VarLenFeature(collections.namedtuple("VarLenFeature", ["dtype"])):
    """A feature with any number of values, parsed into a SparseTensor."""

    __slots__ = ()


class FixedLenSequenceFeature(collections.namedtuple(
        "FixedLenSequenceFeature", ["shape", "dtype", "allow_missing", "default_value"])):
    """A feature holding a sequence of ``shape``-sized items (``[n] + shape`` dense).

    In ``parse_example``/``parse_single_example`` ``allow_missing`` must be True (a missing
    feature is an empty sequence); ``default_value`` is the padding scalar.
    """

    __slots__ = ()

    def __new__(cls, shape, dtype, allow_missing=False, default_value=None):
        return super().__new__(cls, shape, dtype, allow_missing, default_value)


# --------------------------------------------------------------------------- value extraction

def _show(data, limit=64):
    text = bytes(data)[:limit].decode("latin-1").encode("unicode_escape").decode("ascii")
    return text + ("..." if len(data) > limit else "")


def _empty(dtype):
    return np.empty((0,), dtype=dtype.as_numpy_dtype)


def _values(feature, dtype, where):
    """The values of one Feature as a 1-D numpy array of ``dtype``."""
    kind = feature.WhichOneof("kind")
    if kind is None:
        return _empty(dtype)
    want = _LIST_OF[dtype]
    if kind != want:
        raise ValueError("%s.  Data types don't match. Data type: %s but expected type: %s"
                         % (where, _TYPE_NAME[kind], _TYPE_NAME[want]))
    values = getattr(feature, kind).value
    if dtype is _dtypes.string:
        out = np.empty((len(values),), dtype=object)
        out[:] = list(values)
        return out
    return np.array(values, dtype=dtype.as_numpy_dtype)


def _shape_text(dims):
    return "[%s]" % ",".join(str(d) for d in dims)


class _Spec:
    """The attrs of a parse op, grouped and precomputed once per session."""

    def __init__(self, sparse_keys, sparse_types, dense_keys, dense_types, dense_shapes):
        self.sparse_keys = list(sparse_keys)
        self.sparse_types = list(sparse_types)
        self.dense_keys = list(dense_keys)
        self.dense_types = list(dense_types)
        self.dense_shapes = [as_shape(s).as_list() for s in dense_shapes]
        self.variable = [bool(s) and s[0] is None for s in self.dense_shapes]
        # Per dense feature: (key, dtype, variable, shape or row shape, values per item).
        self.dense = []
        for key, dtype, shape, variable in zip(self.dense_keys, self.dense_types,
                                               self.dense_shapes, self.variable):
            dims = tuple(shape[1:] if variable else shape)
            size = 1
            for d in dims:
                size *= d
            self.dense.append((key, dtype, variable, dims, size))
        # Compiled record layouts by record length (see _new_plan), shared by the threads
        # that run the op: plans are only ever added, each complete before it is.
        self.plans = {}
        self.plan_count = 0


def _record_label(names, b, batched):
    if not batched:
        return "", ""
    name = names[b] if names is not None and b < len(names) else None
    name = name.decode("utf-8", "replace") if isinstance(name, bytes) else name
    return "Name: %s, " % (name or "<unknown>"), ", Index: %d" % b


def _parse_features(features, spec, defaults, prefix, index):
    """Sparse and dense values of one Features message (lists of numpy arrays)."""
    sparse = []
    for key, dtype in zip(spec.sparse_keys, spec.sparse_types):
        if key in features:
            sparse.append(_values(features[key], dtype, "%sKey: %s%s" % (prefix, key, index)))
        else:
            sparse.append(_empty(dtype))
    dense = []
    for k, (key, dtype, variable, dims, size) in enumerate(spec.dense):
        if key not in features:
            if variable:
                dense.append(_empty(dtype).reshape((0,) + dims))
            elif defaults[k].size:
                dense.append(defaults[k].reshape(dims))
            else:
                raise ValueError("%sFeature: %s (data type: %s) is required but could not be "
                                 "found." % (prefix, key, _TYPE_NAME[_LIST_OF[dtype]]))
            continue
        values = _values(features[key], dtype, "%sKey: %s%s" % (prefix, key, index))
        if variable:
            if size and values.size % size:
                raise ValueError("%sKey: %s%s.  Number of %s values is not a multiple of stride "
                                 "length. Saw %d values but output shape is: %s"
                                 % (prefix, key, index, _TYPE_NAME[_LIST_OF[dtype]],
                                    values.size, _shape_text(["?"] + list(dims))))
            dense.append(values.reshape((-1,) + dims))
        else:
            if values.size != size:
                raise ValueError("%sKey: %s%s.  Number of %s values != expected.  Values size: "
                                 "%d but output shape: %s"
                                 % (prefix, key, index, _TYPE_NAME[_LIST_OF[dtype]],
                                    values.size, _shape_text(dims)))
            dense.append(values.reshape(dims))
    return sparse, dense


def _parse_example_proto(data, message, prefix):
    try:
        message.ParseFromString(bytes(data))
    except (DecodeError, TypeError, ValueError):
        raise ValueError("%sCould not parse example input, value: '%s'"
                         % (prefix, _show(data))) from None
    return message


def _sparse_outputs(ctx, per_record, dtype, batched):
    """SparseTensor components from the value arrays of each record."""
    xp = ctx.xp
    counts = [v.shape[0] for v in per_record]
    values = np.concatenate(per_record) if per_record else _empty(dtype)
    if not batched:
        if dtype is not _dtypes.string:
            values = ctx.to_device(values)
        indices = xp.arange(counts[0], dtype=np.int64).reshape(-1, 1)
        return indices, values, xp.asarray([counts[0]], dtype=np.int64)
    return _sparse_from_counts(ctx, values, np.asarray(counts, dtype=np.int64), dtype)


def _sparse_from_counts(ctx, values, counts, dtype):
    """Batched SparseTensor components from the values (in record order) and the number
    of values of each record."""
    xp = ctx.xp
    if dtype is not _dtypes.string:
        values = ctx.to_device(values)
    width = int(counts.max()) if counts.size else 0
    counts = xp.asarray(counts, dtype=np.int64)
    rows = xp.repeat(xp.arange(counts.shape[0], dtype=np.int64), counts)
    starts = xp.cumsum(counts) - counts
    cols = xp.arange(int(counts.sum()), dtype=np.int64) - xp.repeat(starts, counts)
    indices = xp.stack([rows, cols], axis=1)
    return indices, values, xp.asarray([counts.shape[0], width], dtype=np.int64)


def _dense_output(ctx, per_record, dtype, shape, variable, pad, batched):
    if not batched:
        out = per_record[0]
    elif not variable:
        out = np.stack(per_record) if per_record else \
            np.empty((0,) + tuple(shape), dtype=dtype.as_numpy_dtype)
    else:
        rows = max([v.shape[0] for v in per_record] or [0])
        out = np.empty((len(per_record), rows) + tuple(shape[1:]), dtype=dtype.as_numpy_dtype)
        out[...] = pad
        for b, v in enumerate(per_record):   # ragged copy, one slice per record
            out[b, :v.shape[0]] = v
    return out if dtype is _dtypes.string else ctx.to_device(np.asarray(out, order="C"))


def _padding(default, dtype):
    if default.size:
        return default.reshape(-1)[0]
    return b"" if dtype is _dtypes.string else 0


# --------------------------------------------------------------------------- fixed layouts
# The records of a dataset usually share one wire layout: the same keys in the same order
# with the same value counts and sizes, hence the same bytes everywhere but in the values.
# The first record of a layout is walked once in Python (`_Walk`) and compiled for the op's
# spec (`_Plan`); a record of the same length whose structural bytes (tags, lengths, keys,
# the continuation bits of varint values) equal that record's has its values at the same
# positions, so it is read by slicing them out: a whole batch at once with numpy.  Anything
# the walk does not take as plain (unknown, repeated or merged fields, duplicate keys, a
# tenth varint byte other than 0x01) and every record that does not fit a known layout goes
# through protobuf, which also makes every error message.

_KIND_OF_TAG = {0x0A: "bytes_list", 0x12: "float_list", 0x1A: "int64_list"}
_MAX_PLANS = 64   # layouts a parse op remembers; past that, new layouts take protobuf


class _Walk:
    """Walks one serialized Example of the plain form, recording where its bytes are.

    Attributes (after :meth:`example` returned True):
      exact: ``(start, end)`` ranges of structural bytes (tags, lengths, keys).
      flags: positions of varint value bytes, whose continuation bit is structural.
      features: key -> ``(kind, items)``; kind is a Feature oneof name or None (a Feature
        with no list); items are ``(start, size)``: a bytes value and its length, a varint
        value and its byte count, or a run of ``size`` little-endian floats.
    """

    def __init__(self, data):
        self.data = data
        self.exact = []
        self.flags = []
        self.features = {}

    def _field(self, pos, end):
        """The body ``(start, end)`` of the length-delimited field whose tag is at ``pos``."""
        try:
            got = decode_varint(self.data, pos + 1, end)
        except ValueError:   # cut off by ``end``, or longer than 10 bytes
            return None
        if got[1] + got[0] > end:
            return None
        self.exact.append((pos, got[1]))
        return got[1], got[1] + got[0]

    def _varint_value(self, pos, end):
        """Records the varint value at ``pos``; returns the position after it or None."""
        data, start = self.data, pos
        while pos < end and pos - start < 10:
            pos += 1
            if data[pos - 1] < 0x80:
                break
        else:
            return None
        if pos - start == 10:
            # Only a negative int64's last byte (0x01) is accepted: protobuf drops the other
            # bits of a tenth byte, which positional decoding would keep.
            if data[pos - 1] != 0x01:
                return None
            self.exact.append((pos - 1, pos))
            self.flags.extend(range(start, pos - 1))
        else:
            self.flags.extend(range(start, pos))
        return pos

    def _feature(self, start, end):
        """``(kind, items)`` of the Feature message in ``[start, end)``, or None."""
        if start == end:
            return None, []
        kind = _KIND_OF_TAG.get(self.data[start])
        body = self._field(start, end) if kind else None
        if body is None or body[1] != end:
            return None   # another field after the list (a second oneof member, ...)
        data, items = self.data, []
        pos, stop = body
        while pos < stop:
            tag = data[pos]
            if tag == 0x0A:   # a bytes value, or a packed run of floats or varints
                field = self._field(pos, stop)
                if field is None:
                    return None
                first, pos = field
                if kind == "bytes_list":
                    items.append((first, pos - first))
                elif kind == "float_list":
                    if (pos - first) % 4:
                        return None
                    if pos > first:
                        items.append((first, (pos - first) // 4))
                else:
                    while first < pos:
                        after = self._varint_value(first, pos)
                        if after is None:
                            return None
                        items.append((first, after - first))
                        first = after
            elif tag == 0x0D and kind == "float_list" and pos + 5 <= stop:   # one float
                self.exact.append((pos, pos + 1))
                items.append((pos + 1, 1))
                pos += 5
            elif tag == 0x08 and kind == "int64_list":   # one unpacked varint
                self.exact.append((pos, pos + 1))
                after = self._varint_value(pos + 1, stop)
                if after is None:
                    return None
                items.append((pos + 1, after - pos - 1))
                pos = after
            else:
                return None
        return kind, items

    def example(self):
        """Walks the whole record; False if it is not an Example of the plain form."""
        data, end = self.data, len(self.data)
        if not end:
            return True   # an empty Example: no features
        body = self._field(0, end) if data[0] == 0x0A else None
        if body is None or body[1] != end:
            return False  # other Example fields, or several Features messages to merge
        pos = body[0]
        while pos < end:
            entry = self._field(pos, end) if data[pos] == 0x0A else None
            if entry is None:
                return False
            pos, stop = entry
            key = value = None
            while pos < stop:
                tag = data[pos]
                field = self._field(pos, stop)
                if field is None:
                    return False
                if tag == 0x0A and key is None:
                    key = data[field[0]:field[1]]
                    self.exact.append(field)
                elif tag == 0x12 and value is None:
                    value = self._feature(*field)
                    if value is None:
                        return False
                else:
                    return False
                pos = field[1]
            if key is None or value is None:
                return False
            try:
                key = key.decode("utf-8")
            except UnicodeDecodeError:
                return False
            if key in self.features:
                return False   # a repeated map key: protobuf keeps the last one
            self.features[key] = value
        return True


def _ranges(spans):
    """Sorted, merged ``(start, end)`` ranges."""
    out = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return out


class _Values:
    """How to read one feature's values from the records of a layout.

    Attributes:
      kind: ``bytes_list``, ``float_list``, ``int64_list``, or None when the feature has no
        values (missing from the layout, or a Feature with no list).
      missing: whether the key is absent from the layout.
      count: the number of values per record.
    """

    def __init__(self, kind, items, missing=False):
        self.kind = kind
        self.items = items
        self.missing = missing
        if kind == "float_list":
            self.count = sum(n for _, n in items)
            self.cols = np.array([s + i for s, n in items for i in range(4 * n)],
                                 dtype=np.intp)
        else:
            self.count = len(items)
        if kind == "int64_list":
            self.single = all(n == 1 for _, n in items)
            self.cols = np.array([s + i for s, n in items for i in range(n)], dtype=np.intp)
            self.shifts = np.array([7 * i for _, n in items for i in range(n)],
                                   dtype=np.uint64)
            self.starts = np.cumsum([0] + [n for _, n in items[:-1]]).astype(np.intp)

    def scalar(self, data):
        """The one value of one record ``data`` as a 0-d array (the usual scalar feature:
        a label, an encoded image), without the 1-D array and reshape of :meth:`one`."""
        start, n = self.items[0]
        if self.kind == "bytes_list":
            out = np.empty((), dtype=object)
            out[()] = data[start:start + n]
            return out
        if self.kind == "int64_list" and n == 1:
            return np.array(data[start], dtype=np.int64)
        return self.one(data, None).reshape(())

    def one(self, data, dtype):
        """The values of one record ``data`` as a 1-D array of ``dtype``."""
        kind, items = self.kind, self.items
        if kind is None or not items:
            return _empty(dtype)
        if kind == "bytes_list":
            out = np.empty((len(items),), dtype=object)
            out[:] = [data[s:s + n] for s, n in items]
            return out
        if kind == "float_list":
            if len(items) == 1:
                start, n = items[0]
                return np.frombuffer(data, "<f4", n, start).astype(np.float32)
            return np.concatenate([np.frombuffer(data, "<f4", n, s) for s, n in items]) \
                .astype(np.float32)
        if self.single:
            return np.array([data[s] for s, _ in items], dtype=np.int64)
        values = []
        for start, n in items:
            value = 0
            for i in range(n):
                value |= (data[start + i] & 0x7F) << (7 * i)
            values.append(value - (1 << 64) if value >> 63 else value)
        return np.array(values, dtype=np.int64)

    def rows(self, rows, dtype):
        """The values of a ``[records, length]`` uint8 matrix: ``[records, count]``."""
        kind, items = self.kind, self.items
        g = rows.shape[0]
        if kind is None or not items:
            return np.empty((g, 0), dtype=dtype.as_numpy_dtype)
        if kind == "bytes_list":
            out = np.empty((g, len(items)), dtype=object)
            for j, (start, n) in enumerate(items):
                if n:
                    out[:, j] = np.ascontiguousarray(rows[:, start:start + n]) \
                        .view("V%d" % n).reshape(g).tolist()
                else:
                    out[:, j] = [b""] * g
            return out
        if kind == "float_list":
            raw = np.ascontiguousarray(rows[:, self.cols])
            return raw.view("<f4").astype(np.float32)
        if self.single:
            return rows[:, self.cols].astype(np.int64)
        parts = (rows[:, self.cols] & 0x7F).astype(np.uint64) << self.shifts
        return np.add.reduceat(parts, self.starts, axis=1).view(np.int64)


class _Plan:
    """A layout compiled for one parse op's spec: the checks that tell whether a record
    has the layout, and a :class:`_Values` per sparse and dense feature."""

    def __init__(self, length, data, walk, sparse, dense):
        self.length = length
        exact = _ranges(walk.exact)
        self.segments = [(s, e, data[s:e]) for s, e in exact]
        self.flags = [(p, data[p] & 0x80) for p in walk.flags]
        cols = [p for s, e in exact for p in range(s, e)] + list(walk.flags)
        mask = [0xFF] * (len(cols) - len(walk.flags)) + [0x80] * len(walk.flags)
        self.cols = np.array(cols, dtype=np.intp)
        self.mask = np.array(mask, dtype=np.uint8)
        self.want = np.frombuffer(data, np.uint8)[self.cols] & self.mask
        self.sparse = sparse
        self.dense = dense

    def matches(self, data):
        """Whether one record of this length has the layout."""
        for start, end, expected in self.segments:
            if data[start:end] != expected:
                return False
        for pos, bit in self.flags:
            if data[pos] & 0x80 != bit:
                return False
        return True

    def matching(self, rows):
        """A boolean per row of a ``[records, length]`` uint8 matrix: has the layout."""
        return ((rows[:, self.cols] & self.mask) == self.want).all(axis=1)


def _new_plan(data, spec):
    """A plan for the layout of record ``data``, remembered in ``spec``; None when the
    record is not plain, does not suit the spec (a type or count error, a missing required
    feature: protobuf reports those), or the spec knows enough layouts already."""
    if spec.plan_count >= _MAX_PLANS or not isinstance(data, bytes):
        return None
    spec.plan_count += 1
    walk = _Walk(data)
    if not walk.example():
        return None
    features = walk.features

    def values(key, dtype):
        if key not in features:
            return _Values(None, [], missing=True)
        kind, items = features[key]
        if kind is not None and kind != _LIST_OF[dtype]:
            return None
        return _Values(kind, items)

    sparse = [values(key, dtype) for key, dtype in zip(spec.sparse_keys, spec.sparse_types)]
    dense = []
    for key, dtype, variable, dims, size in spec.dense:
        v = values(key, dtype)
        if variable and not size:
            v = None   # rows of no values: left to the protobuf path
        elif v is not None and not v.missing and (v.count % size if variable
                                                  else v.count != size):
            v = None   # protobuf reports the wrong count
        dense.append(v)
    if None in sparse or None in dense:
        return None
    plan = _Plan(len(data), data, walk, sparse, dense)
    spec.plans.setdefault(len(data), []).append(plan)
    return plan


def _fast_features(data, spec, defaults):
    """:func:`_parse_features` of one record read by its layout, or None (use protobuf)."""
    for plan in spec.plans.get(len(data), ()):
        if plan.matches(data):
            break
    else:
        plan = _new_plan(data, spec)
        if plan is None:
            return None
    sparse = [v.one(data, dtype) for v, dtype in zip(plan.sparse, spec.sparse_types)]
    dense = []
    for k, (v, (key, dtype, variable, dims, size)) in enumerate(zip(plan.dense, spec.dense)):
        if v.missing and not variable:
            if not defaults[k].size:
                return None   # a required feature is missing: protobuf's error
            dense.append(defaults[k].reshape(dims))
        elif not dims and not variable:
            dense.append(v.scalar(data))
        else:
            dense.append(v.one(data, dtype).reshape(((-1,) if variable else ()) + dims))
    return sparse, dense


def _fast_batch(records, spec, defaults):
    """The sparse ``(values, counts)`` and dense outputs of a batch of records read by
    their layouts, or None unless every record has a known (or new, plain) layout."""
    total = len(records)
    if not total:
        return None
    lengths = np.fromiter(map(len, records), np.int64, total)
    if (lengths == lengths[0]).all():
        by_length = [(int(lengths[0]), None)]
    else:
        values, inverse = np.unique(lengths, return_inverse=True)
        by_length = [(int(n), np.flatnonzero(inverse == i)) for i, n in enumerate(values)]
    groups = []   # (plan, record indices or None for all, their rows)
    for length, index in by_length:
        recs = records if index is None else [records[i] for i in index]
        try:
            joined = b"".join(recs)
        except TypeError:
            return None   # not all bytes
        rows = np.frombuffer(joined, np.uint8).reshape(len(recs), length)
        left = None       # rows still without a plan (None: all of them)
        plans = spec.plans.get(length, [])
        tried = 0
        while left is None or left.size:
            if tried < len(plans):
                plan = plans[tried]
                tried += 1
            else:
                plan = _new_plan(recs[0 if left is None else int(left[0])], spec)
                if plan is None:
                    return None
                plans = spec.plans[length]
                tried = len(plans)
            ok = plan.matching(rows if left is None else rows[left])
            if ok.all():
                taken, left = left, np.empty((0,), dtype=np.intp)
            elif ok.any():
                if left is None:
                    left = np.arange(len(recs))
                taken, left = left[ok], left[~ok]
            else:
                continue
            if taken is None:
                groups.append((plan, index, rows))
            else:
                groups.append((plan, taken if index is None else index[taken], rows[taken]))
    dense = []
    for k, (key, dtype, variable, dims, size) in enumerate(spec.dense):
        parts = []
        for plan, index, rows in groups:
            v = plan.dense[k]
            if v.missing and not variable:
                if not defaults[k].size:
                    return None   # a required feature is missing: protobuf's error
                part = np.broadcast_to(defaults[k].reshape(dims), (rows.shape[0],) + dims)
            else:
                part = v.rows(rows, dtype).reshape((rows.shape[0],) + ((-1,) if variable
                                                                       else ()) + dims)
            parts.append((index, part))
        dense.append(_assemble_dense(parts, total, dtype, dims, variable,
                                     _padding(defaults[k], dtype)))
    sparse = []
    for k, dtype in enumerate(spec.sparse_types):
        parts = [(index, plan.sparse[k].rows(rows, dtype)) for plan, index, rows in groups]
        sparse.append(_assemble_sparse(parts, total, dtype))
    return sparse, dense


def _assemble_dense(parts, total, dtype, dims, variable, pad):
    """One dense output from ``(record indices or None, values)`` parts of a batch."""
    if len(parts) == 1 and parts[0][0] is None and not variable:
        return np.ascontiguousarray(parts[0][1])
    width = max(p.shape[1] for _, p in parts) if variable else None
    shape = (total,) + ((width,) if variable else ()) + dims
    out = np.empty(shape, dtype=dtype.as_numpy_dtype)
    if variable:
        out[...] = pad
    for index, part in parts:
        where = slice(None) if index is None else index
        if variable:
            out[where, :part.shape[1]] = part
        else:
            out[where] = part
    return out


def _assemble_sparse(parts, total, dtype):
    """``(values in record order, counts per record)`` from ``(indices, [n, count])``."""
    if len(parts) == 1 and parts[0][0] is None:
        values = parts[0][1]
        return values.reshape(-1), np.full((total,), values.shape[1], dtype=np.int64)
    counts = np.zeros((total,), dtype=np.int64)
    for index, part in parts:
        counts[index] = part.shape[1]
    starts = np.cumsum(counts) - counts
    values = np.empty((int(counts.sum()),), dtype=dtype.as_numpy_dtype)
    for index, part in parts:
        if part.shape[1]:
            where = starts[index][:, None] + np.arange(part.shape[1])
            values[where.reshape(-1)] = part.reshape(-1)
    return values, counts


def _run_single(ctx, serialized, spec, defaults):
    """One record (ParseSingleExample): no batching work at all."""
    data = serialized.item()
    parsed = _fast_features(data, spec, defaults) if isinstance(data, bytes) else None
    if parsed is None:
        example = _parse_example_proto(data, example_pb2.Example(), "")
        parsed = _parse_features(example.features.feature, spec, defaults, "", "")
    sparse, dense = parsed
    xp = ctx.xp
    outputs = [xp.arange(v.shape[0], dtype=np.int64).reshape(-1, 1) for v in sparse]
    outputs += [v if v.dtype == object else ctx.to_device(v) for v in sparse]
    outputs += [xp.asarray([v.shape[0]], dtype=np.int64) for v in sparse]
    outputs += [v if v.dtype == object else ctx.to_device(v) for v in dense]
    return outputs[0] if len(outputs) == 1 else tuple(outputs)


def _run_parse(ctx, serialized, names, spec, defaults, batched):
    if not batched:
        return _run_single(ctx, serialized, spec, defaults)
    records = serialized.reshape(-1).tolist()
    fast = _fast_batch(records, spec, defaults)
    if fast is not None:
        sparse, dense = fast
        outputs = []
        parts = [_sparse_from_counts(ctx, values, counts, dtype) for (values, counts), dtype
                 in zip(sparse, spec.sparse_types)]
        for j in range(3):
            outputs.extend(p[j] for p in parts)
        outputs += [v if dtype is _dtypes.string else ctx.to_device(v)
                    for v, dtype in zip(dense, spec.dense_types)]
        return outputs[0] if len(outputs) == 1 else tuple(outputs)
    sparse = [[] for _ in spec.sparse_keys]
    dense = [[] for _ in spec.dense_keys]
    # Records are decoded one by one: each is a separate protobuf message.
    for b, data in enumerate(records):
        prefix, index = _record_label(names, b, batched)
        example = _parse_example_proto(data, example_pb2.Example(), prefix)
        s, d = _parse_features(example.features.feature, spec, defaults, prefix, index)
        for out, v in zip(sparse, s):
            out.append(v)
        for out, v in zip(dense, d):
            out.append(v)
    outputs = []
    parts = [_sparse_outputs(ctx, sparse[k], dt, batched) for k, dt in
             enumerate(spec.sparse_types)]
    for j in range(3):
        outputs.extend(p[j] for p in parts)
    for k, dt in enumerate(spec.dense_types):
        outputs.append(_dense_output(ctx, dense[k], dt, spec.dense_shapes[k], spec.variable[k],
                                     _padding(defaults[k], dt), batched))
    return outputs[0] if len(outputs) == 1 else tuple(outputs)


def _host(ctx, arrays):
    return [ctx.to_host(a) if not isinstance(a, np.ndarray) else a for a in arrays]


def _single_context(ctx):
    a = ctx.attrs
    ctx.state = _Spec(a["sparse_keys"], a["sparse_types"], a["dense_keys"], a["Tdense"],
                      a["dense_shapes"])


def _single_kernel(ctx, serialized, *dense_defaults):
    return _run_parse(ctx, serialized, None, ctx.state, _host(ctx, dense_defaults),
                      batched=False)


def _example_kernel(ctx, serialized, names, *rest):
    a = ctx.attrs
    ns, nd = a["Nsparse"], a["Ndense"]
    keys = tuple(_key(k.item()) for k in rest[:ns + nd])
    if ctx.state is None or ctx.state[0] != keys:
        ctx.state = (keys, _Spec(keys[:ns], a["sparse_types"], keys[ns:], a["Tdense"],
                                 a["dense_shapes"]))
    spec = ctx.state[1]
    name_list = names.reshape(-1).tolist() if names.size else None
    if name_list is not None and len(name_list) != serialized.size:
        raise ValueError("Expected len(names) == len(serialized), but got: %d vs. %d"
                         % (len(name_list), serialized.size))
    return _run_parse(ctx, serialized, name_list, spec, _host(ctx, rest[ns + nd:]),
                      batched=True)


def _key(k):
    return k.decode("utf-8") if isinstance(k, bytes) else k


def _single_shape(op):
    ns = op.get_attr("num_sparse")
    return ([TensorShape([None, 1])] * ns + [TensorShape([None])] * ns +
            [TensorShape([1])] * ns + [as_shape(s) for s in op.get_attr("dense_shapes")])


def _example_shape(op):
    ns = op.get_attr("Nsparse")
    batch = op.inputs[0].shape
    if batch.ndims is not None and batch.ndims != 1:
        raise ValueError("Shape must be rank 1 but is rank %d" % batch.ndims)
    b = batch.as_list()[0] if batch.ndims == 1 else None
    return ([TensorShape([None, 2])] * ns + [TensorShape([None])] * ns +
            [TensorShape([2])] * ns +
            [TensorShape([b]).concatenate(as_shape(s)) for s in op.get_attr("dense_shapes")])


register_op("ParseSingleExample", shape=_single_shape, kernel=_single_kernel,
            make_context=_single_context, host_only=True, grad=_NO_GRAD)
register_op("ParseExample", shape=_example_shape, kernel=_example_kernel, host_only=True,
            grad=_NO_GRAD)


# --------------------------------------------------------------------------- Python API

def _check_dtype(key, dtype):
    dtype = _dtypes.as_dtype(dtype).base_dtype
    if dtype not in _ALLOWED:
        raise TypeError("Value passed to parameter 'dense_defaults' has DataType %s not in list "
                        "of allowed values: float32, int64, string (feature '%s')"
                        % (dtype.name, key))
    return dtype


def _features_to_spec(features, allow_sequence=True):
    """Splits a features dict into sparse and dense specs, keys sorted as TF does."""
    if not features:
        raise ValueError("Missing: features was %s." % (features,))
    sparse_keys, sparse_types = [], []
    dense_keys, dense_types, dense_shapes, dense_defaults = [], [], [], []
    for key in sorted(features):
        feature = features[key]
        if isinstance(feature, VarLenFeature):
            sparse_keys.append(key)
            sparse_types.append(_check_dtype(key, feature.dtype))
        elif isinstance(feature, FixedLenFeature):
            shape = as_shape(feature.shape)
            if not shape.is_fully_defined():
                raise ValueError("All dimensions of shape for feature %s need to be known but "
                                 "received %s." % (key, shape))
            dense_keys.append(key)
            dense_types.append(_check_dtype(key, feature.dtype))
            dense_shapes.append(shape)
            dense_defaults.append(feature.default_value)
        elif isinstance(feature, FixedLenSequenceFeature):
            if not allow_sequence or not feature.allow_missing:
                raise ValueError("Unsupported: FixedLenSequenceFeature requires allow_missing "
                                 "to be True.")
            shape = as_shape(feature.shape)
            if not shape.is_fully_defined():
                raise ValueError("All dimensions of shape for feature %s need to be known but "
                                 "received %s." % (key, shape))
            dense_keys.append(key)
            dense_types.append(_check_dtype(key, feature.dtype))
            dense_shapes.append(TensorShape([None]).concatenate(shape))
            dense_defaults.append(feature.default_value)
        else:
            raise ValueError("Invalid feature %s:%s." % (key, feature))
    return (sparse_keys, sparse_types, dense_keys, dense_types, dense_shapes, dense_defaults)


def _safe_key(key):
    return re.sub(r"[^A-Za-z0-9_.\-/]", "_", key)


def _default_tensors(dense_keys, dense_types, dense_shapes, dense_defaults):
    out = []
    for key, dtype, shape, default in zip(dense_keys, dense_types, dense_shapes,
                                          dense_defaults):
        variable = shape.ndims and shape[0].value is None
        if variable:
            if default is None:
                default = b"" if dtype is _dtypes.string else 0
            t = convert_to_tensor(default, dtype=dtype, name="padding_" + _safe_key(key))
            t = array_ops.reshape(t, [])
        elif default is None:
            t = array_ops.constant([], dtype=dtype)
        elif isinstance(default, Tensor):
            t = array_ops.reshape(default, shape.as_list())
        else:
            value = np.asarray(array_ops.convert_to_numpy_value(default, dtype))
            dims = shape.as_list()
            if value.size != int(np.prod(dims, dtype=np.int64)):
                raise ValueError("Default value of feature '%s' has %d elements, but its shape "
                                 "%s needs %d" % (key, value.size, shape,
                                                  int(np.prod(dims, dtype=np.int64))))
            t = array_ops.constant(value.reshape(dims), dtype=dtype,
                                   name="key_" + _safe_key(key))
        out.append(t)
    return out


def _outputs_to_dict(outputs, sparse_keys, dense_keys):
    ns = len(sparse_keys)
    result = {}
    for i, key in enumerate(sparse_keys):
        result[key] = SparseTensor(outputs[i], outputs[ns + i], outputs[2 * ns + i])
    for i, key in enumerate(dense_keys):
        result[key] = outputs[3 * ns + i]
    return result


def parse_example(serialized, features, name=None, example_names=None):
    """Parses a batch of serialized ``Example`` protos.

    Args:
      serialized: a 1-D string Tensor of serialized Examples.
      features: a dict mapping feature keys to :class:`FixedLenFeature`,
        :class:`VarLenFeature` or :class:`FixedLenSequenceFeature` specs.
      name: the name scope.
      example_names: optional 1-D string Tensor naming the records (used in errors).

    Returns:
      A dict from key to a Tensor with a leading batch dimension (dense features) or a
      2-D SparseTensor (``VarLenFeature``).

    Raises:
      ValueError: ``features`` is empty or holds an invalid spec.
      TypeError: a feature's dtype is not float32, int64 or string.
    """
    (sparse_keys, sparse_types, dense_keys, dense_types, dense_shapes,
     dense_defaults) = _features_to_spec(features)
    with name_scope(name, "ParseExample", [serialized, example_names]):
        serialized = convert_to_tensor(serialized, dtype=_dtypes.string, name="serialized")
        names = convert_to_tensor([] if example_names is None else example_names,
                                  dtype=_dtypes.string, name="names")
        defaults = _default_tensors(dense_keys, dense_types, dense_shapes, dense_defaults)
        sk = [convert_to_tensor(k, dtype=_dtypes.string, name="sparse_keys_%d" % i)
              for i, k in enumerate(sparse_keys)]
        dk = [convert_to_tensor(k, dtype=_dtypes.string, name="dense_keys_%d" % i)
              for i, k in enumerate(dense_keys)]
        op = apply_op("ParseExample", [serialized, names] + sk + dk + defaults,
                      [_dtypes.int64] * len(sparse_keys) + sparse_types +
                      [_dtypes.int64] * len(sparse_keys) + dense_types,
                      attrs={"Nsparse": len(sparse_keys), "Ndense": len(dense_keys),
                             "sparse_types": sparse_types, "Tdense": dense_types,
                             "dense_shapes": dense_shapes},
                      name="ParseExample")
    return _outputs_to_dict(op.outputs, sparse_keys, dense_keys)


def parse_single_example(serialized, features, name=None, example_names=None):
    """Parses one serialized ``Example`` proto.

    Args:
      serialized: a string scalar, e.g. the value from ``TFRecordReader.read``.
      features: a dict of feature specs (see :func:`parse_example`).
      name: the name scope.
      example_names: optional string scalar naming the record in error messages (for
        example the reader's key).

    Returns:
      A dict from key to a Tensor (dense features) or a 1-D SparseTensor.

    Raises:
      ValueError: ``serialized`` is not a scalar, or ``features`` is invalid.
    """
    if example_names is not None:
        return _parse_single_via_batch(serialized, features, name, example_names)
    (sparse_keys, sparse_types, dense_keys, dense_types, dense_shapes,
     dense_defaults) = _features_to_spec(features)
    with name_scope(name, "ParseSingleExample", [serialized]):
        serialized = convert_to_tensor(serialized, dtype=_dtypes.string, name="serialized")
        if serialized.shape.ndims is not None and serialized.shape.ndims != 0:
            raise ValueError("Input serialized must be a scalar")
        defaults = _default_tensors(dense_keys, dense_types, dense_shapes, dense_defaults)
        op = apply_op("ParseSingleExample", [serialized] + defaults,
                      [_dtypes.int64] * len(sparse_keys) + sparse_types +
                      [_dtypes.int64] * len(sparse_keys) + dense_types,
                      attrs={"num_sparse": len(sparse_keys), "sparse_keys": sparse_keys,
                             "dense_keys": dense_keys, "sparse_types": sparse_types,
                             "Tdense": dense_types, "dense_shapes": dense_shapes},
                      name="ParseSingleExample")
    return _outputs_to_dict(op.outputs, sparse_keys, dense_keys)


def _parse_single_via_batch(serialized, features, name, example_names):
    from tensorslim.core.ops import manip_ops
    with name_scope(name, "ParseSingleExample", [serialized, example_names]):
        serialized = convert_to_tensor(serialized, dtype=_dtypes.string, name="serialized")
        if serialized.shape.ndims is not None and serialized.shape.ndims != 0:
            raise ValueError("Input serialized must be a scalar")
        names = convert_to_tensor(example_names, dtype=_dtypes.string, name="example_names")
        batched = parse_example(array_ops.expand_dims(serialized, 0), features,
                                example_names=array_ops.expand_dims(names, 0))
        out = {}
        for key, value in batched.items():
            if isinstance(value, SparseTensor):
                out[key] = SparseTensor(manip_ops.gather(value.indices, [1], axis=1),
                                        value.values,
                                        manip_ops.gather(value.dense_shape, [1]))
            else:
                out[key] = array_ops.squeeze(value, [0])
        return out


# --------------------------------------------------------------------------- sequence examples

def _sequence_kernel(ctx, serialized, missing_empty, *rest):
    a = ctx.attrs
    ncs, ncd = a["Ncontext_sparse"], a["Ncontext_dense"]
    nfs, nfd = a["Nfeature_list_sparse"], a["Nfeature_list_dense"]
    pos = 0

    def take(n):
        nonlocal pos
        out = [_key(t.item()) for t in rest[pos:pos + n]]
        pos += n
        return out
    context_sparse, context_dense = take(ncs), take(ncd)
    list_sparse, list_dense = take(nfs), take(nfd)
    context_defaults = _host(ctx, rest[pos:pos + ncd])
    debug_name = _key(rest[pos + ncd].item()) if pos + ncd < len(rest) else ""
    prefix = "Name: %s, " % (debug_name or "<unknown>")
    assumed_empty = {_key(k) for k in missing_empty.reshape(-1).tolist()}
    message = _parse_example_proto(serialized.item(), example_pb2.SequenceExample(), prefix)

    spec = _Spec(context_sparse, a["context_sparse_types"], context_dense,
                 a["Tcontext_dense"], a["context_dense_shapes"])
    sparse, dense = _parse_features(message.context.feature, spec, context_defaults, prefix,
                                    "")
    outputs = []
    parts = [_sparse_outputs(ctx, [v], dt, False) for v, dt in zip(sparse, spec.sparse_types)]
    for j in range(3):
        outputs.extend(p[j] for p in parts)
    outputs.extend(_dense_output(ctx, [v], dt, None, False, None, False)
                   for v, dt in zip(dense, spec.dense_types))

    lists = message.feature_lists.feature_list
    sparse_parts = []
    for key, dtype in zip(list_sparse, a["feature_list_sparse_types"]):
        steps = [_values(f, dtype, "%sFeature list: %s" % (prefix, key))
                 for f in lists[key].feature] if key in lists else []
        sparse_parts.append(_sparse_outputs(ctx, steps, dtype, True) if steps else
                            (ctx.xp.zeros((0, 2), dtype=np.int64), _empty(dtype),
                             ctx.xp.asarray([0, 0], dtype=np.int64)))
    for j in range(3):
        outputs.extend(p[j] for p in sparse_parts)
    for key, dtype, shape in zip(list_dense, a["feature_list_dense_types"],
                                 a["feature_list_dense_shapes"]):
        dims = as_shape(shape).as_list()
        stride = int(np.prod(dims, dtype=np.int64))
        if key not in lists:
            if key not in assumed_empty:
                raise ValueError("%sFeature list '%s' is required but could not be found.  Did "
                                 "you mean to include it in feature_list_dense_missing_assumed_"
                                 "empty or feature_list_dense_defaults?" % (prefix, key))
            steps = []
        else:
            steps = [_values(f, dtype, "%sFeature list: %s, Index: %d" % (prefix, key, t))
                     for t, f in enumerate(lists[key].feature)]
        for t, v in enumerate(steps):
            if v.size != stride:
                raise ValueError("%sKey: %s, Index: %d.  Number of %s values != expected.  "
                                 "values size: %d but output shape: %s"
                                 % (prefix, key, t, _TYPE_NAME[_LIST_OF[dtype]], v.size,
                                    _shape_text(dims)))
        values = np.concatenate(steps) if steps else _empty(dtype)
        out = values.reshape((len(steps),) + tuple(dims))
        outputs.append(out if dtype is _dtypes.string else ctx.to_device(out))
    return outputs[0] if len(outputs) == 1 else tuple(outputs)


def _sequence_shape(op):
    g = op.get_attr
    ncs, nfs = g("Ncontext_sparse"), g("Nfeature_list_sparse")
    return ([TensorShape([None, 1])] * ncs + [TensorShape([None])] * ncs +
            [TensorShape([1])] * ncs + [as_shape(s) for s in g("context_dense_shapes")] +
            [TensorShape([None, 2])] * nfs + [TensorShape([None])] * nfs +
            [TensorShape([2])] * nfs +
            [TensorShape([None]).concatenate(as_shape(s))
             for s in g("feature_list_dense_shapes")])


register_op("ParseSingleSequenceExample", shape=_sequence_shape, kernel=_sequence_kernel,
            host_only=True, grad=_NO_GRAD)


def parse_single_sequence_example(serialized, context_features=None, sequence_features=None,
                                  example_name=None, name=None):
    """Parses one serialized ``SequenceExample`` proto.

    Args:
      serialized: a string scalar.
      context_features: a dict of :class:`FixedLenFeature` / :class:`VarLenFeature` specs
        for the context.
      sequence_features: a dict of :class:`FixedLenSequenceFeature` /
        :class:`VarLenFeature` specs for the feature lists.
      example_name: optional string scalar naming the record in error messages.
      name: the name scope.

    Returns:
      A pair of dicts ``(context, sequences)``: dense sequence features are ``[T] + shape``
      Tensors, VarLen ones 2-D SparseTensors ``[T, max_len]``.

    Raises:
      ValueError: both dicts are empty, or a spec is of the wrong kind.
    """
    context_features = context_features or {}
    sequence_features = sequence_features or {}
    if not context_features and not sequence_features:
        raise ValueError("Missing features.")
    ctx_spec = _features_to_spec(context_features, allow_sequence=False) if context_features \
        else ([], [], [], [], [], [])
    (c_sparse_keys, c_sparse_types, c_dense_keys, c_dense_types, c_dense_shapes,
     c_dense_defaults) = ctx_spec
    l_sparse_keys, l_sparse_types, l_dense_keys, l_dense_types, l_dense_shapes = \
        [], [], [], [], []
    missing_empty = []
    for key in sorted(sequence_features):
        feature = sequence_features[key]
        if isinstance(feature, VarLenFeature):
            l_sparse_keys.append(key)
            l_sparse_types.append(_check_dtype(key, feature.dtype))
        elif isinstance(feature, FixedLenSequenceFeature):
            shape = as_shape(feature.shape)
            if not shape.is_fully_defined():
                raise ValueError("All dimensions of shape for feature %s need to be known but "
                                 "received %s." % (key, shape))
            if feature.default_value is not None:
                raise ValueError("FixedLenSequenceFeature.default_value is not supported in "
                                 "sequence_features (feature '%s')." % key)
            l_dense_keys.append(key)
            l_dense_types.append(_check_dtype(key, feature.dtype))
            l_dense_shapes.append(shape)
            if feature.allow_missing:
                missing_empty.append(key)
        else:
            raise ValueError("Invalid sequence feature %s:%s (use FixedLenSequenceFeature or "
                             "VarLenFeature)." % (key, feature))
    with name_scope(name, "ParseSingleSequenceExample", [serialized, example_name]):
        serialized = convert_to_tensor(serialized, dtype=_dtypes.string, name="serialized")
        if serialized.shape.ndims is not None and serialized.shape.ndims != 0:
            raise ValueError("Input serialized must be a scalar")
        debug_name = convert_to_tensor("" if example_name is None else example_name,
                                       dtype=_dtypes.string, name="debug_name")
        missing = convert_to_tensor(np.array(missing_empty, dtype=object).reshape(-1)
                                    if missing_empty else np.empty((0,), dtype=object),
                                    dtype=_dtypes.string,
                                    name="feature_list_dense_missing_assumed_empty")
        keys = [convert_to_tensor(k, dtype=_dtypes.string, name="key_%d" % i)
                for i, k in enumerate(c_sparse_keys + c_dense_keys + l_sparse_keys +
                                      l_dense_keys)]
        defaults = _default_tensors(c_dense_keys, c_dense_types, c_dense_shapes,
                                    c_dense_defaults)
        out_types = ([_dtypes.int64] * len(c_sparse_keys) + c_sparse_types +
                     [_dtypes.int64] * len(c_sparse_keys) + c_dense_types +
                     [_dtypes.int64] * len(l_sparse_keys) + l_sparse_types +
                     [_dtypes.int64] * len(l_sparse_keys) + l_dense_types)
        op = apply_op("ParseSingleSequenceExample",
                      [serialized, missing] + keys + defaults + [debug_name], out_types,
                      attrs={"Ncontext_sparse": len(c_sparse_keys),
                             "Ncontext_dense": len(c_dense_keys),
                             "Nfeature_list_sparse": len(l_sparse_keys),
                             "Nfeature_list_dense": len(l_dense_keys),
                             "context_sparse_types": c_sparse_types,
                             "Tcontext_dense": c_dense_types,
                             "feature_list_dense_types": l_dense_types,
                             "context_dense_shapes": c_dense_shapes,
                             "feature_list_sparse_types": l_sparse_types,
                             "feature_list_dense_shapes": l_dense_shapes},
                      name="ParseSingleSequenceExample")
    outs = op.outputs
    nc = 3 * len(c_sparse_keys) + len(c_dense_keys)
    context = _outputs_to_dict(outs[:nc], c_sparse_keys, c_dense_keys)
    sequences = _outputs_to_dict(outs[nc:], l_sparse_keys, l_dense_keys)
    return context, sequences
