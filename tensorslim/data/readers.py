"""TF1 reader ops: ``tf.TFRecordReader``, ``tf.TextLineReader``, ``tf.WholeFileReader``,
``tf.FixedLengthRecordReader``, ``tf.IdentityReader``, plus ``tf.read_file``,
``tf.write_file`` and ``tf.matching_files``.

A reader op outputs a resource handle whose value in a session is a host-side reader
state.  ``reader.read(queue)`` (op ``ReaderReadV2``) returns the next ``(key, value)``
record; when the current file (work unit) is exhausted it dequeues the next filename from
``queue`` (a string queue, usually from ``tf.train.string_input_producer``), blocking like
any dequeue, and raising ``OutOfRangeError`` once that queue is closed and empty.
"""
import collections
import itertools
import os
import threading
import zlib

import numpy as np

from tensorslim.core import dtypes as _dtypes
from tensorslim.core import errors
from tensorslim.core.graph import convert_to_tensor, name_scope
from tensorslim.core.op_util import apply_op
from tensorslim.core.registry import not_differentiable_marker, register_op
from tensorslim.core.tensor_shape import TensorShape
from tensorslim.io import gfile as _gfile
from tensorslim.io.tfrecord import TFRecordFileReader, TFRecordOptions

__all__ = ["ReaderBase", "TFRecordReader", "TextLineReader", "WholeFileReader",
           "FixedLengthRecordReader", "IdentityReader", "read_file", "write_file",
           "matching_files"]

_NO_GRAD = not_differentiable_marker()

ReaderReadResult = collections.namedtuple("ReaderReadV2", ["key", "value"])
ReaderReadUpToResult = collections.namedtuple("ReaderReadUpToV2", ["keys", "values"])


def _fs_path(name):
    return os.fsdecode(name) if isinstance(name, bytes) else str(name)


def _open_binary(filename):
    with _gfile._os_errors(filename):
        return open(_gfile._path(filename), "rb")


def _read_all(filename):
    with _open_binary(filename) as f, _gfile._os_errors(filename):
        return f.read()


def _decompress(data, encoding, filename):
    if not encoding:
        return data
    wbits = {"ZLIB": zlib.MAX_WBITS, "GZIP": zlib.MAX_WBITS | 16}.get(encoding)
    if wbits is None:
        raise errors.InvalidArgumentError(None, None, "Unsupported encoding '%s' (expected '', "
                                          "'ZLIB' or 'GZIP')" % encoding)
    try:
        return zlib.decompress(data, wbits)
    except zlib.error as e:
        raise errors.DataLossError(None, None, "corrupted %s data in %s: %s"
                                   % (encoding, filename, e)) from None


# --------------------------------------------------------------------------- record sources
# Each takes (work bytes, attrs) and yields (key bytes, value bytes) for one work unit.

def _tfrecord_records(work, attrs):
    filename = _fs_path(work)
    with TFRecordFileReader(filename, attrs.get("compression_type") or None) as reader:
        for offset, record in reader._records(keyed=True):
            yield b"%s:%d" % (work, offset), record


def _text_lines(work, attrs):
    skip = attrs.get("skip_header_lines", 0)
    filename = _fs_path(work)
    with _open_binary(filename) as f:
        for number, line in enumerate(f, 1):
            if number <= skip:
                continue
            if line.endswith(b"\n"):
                line = line[:-1]
            if line.endswith(b"\r"):
                line = line[:-1]
            yield b"%s:%d" % (work, number), line


def _whole_file(work, attrs):
    yield work, _read_all(_fs_path(work))


def _identity(work, attrs):
    yield work, work


def _fixed_length_records(work, attrs):
    filename = _fs_path(work)
    data = _decompress(_read_all(filename), attrs.get("encoding", ""), filename)
    header, footer = attrs["header_bytes"], attrs["footer_bytes"]
    size, hop = attrs["record_bytes"], attrs["hop_bytes"] or attrs["record_bytes"]
    body = data[header:max(len(data) - footer, header)]
    number, start = 0, 0
    while start + size <= len(body):
        yield b"%s:%d" % (work, number), body[start:start + size]
        number += 1
        start += hop


_SOURCES = {"TFRecordReaderV2": _tfrecord_records, "TextLineReaderV2": _text_lines,
            "WholeFileReaderV2": _whole_file, "IdentityReaderV2": _identity,
            "FixedLengthRecordReaderV2": _fixed_length_records}


class _ReaderState:
    """One reader's position in one session: the current work unit and its records."""

    def __init__(self, op):
        self.op_type = op.type
        self.name = op.name
        self.attrs = op._attrs
        self.source = _SOURCES[op.type]
        self.lock = threading.Lock()
        self.records = None
        self.produced = 0
        self.completed = 0

    def _next_work(self, ctx, queue):
        (element,) = queue.dequeue(ctx, 1)
        if len(element) != 1 or element[0].ndim != 0 or element[0].dtype != object:
            raise errors.InvalidArgumentError(
                None, ctx.op, "Expected to dequeue a one-element string tensor from the work "
                "queue of reader %s, got %d components" % (self.name, len(element)))
        work = element[0].item()
        return work.encode("utf-8") if isinstance(work, str) else bytes(work)

    def next_record(self, ctx, queue):
        """The next (key, value); dequeues work as needed.  Caller holds ``self.lock``."""
        while True:
            if self.records is None:
                self.records = self.source(self._next_work(ctx, queue), self.attrs)
            try:
                record = next(self.records)
            except StopIteration:
                self.records = None
                self.completed += 1
                continue
            except Exception:
                self.records = None   # a broken file: the next read starts on the next one
                raise
            self.produced += 1
            return record

    def next_records(self, ctx, queue, n):
        """Up to ``n`` records as lists ``(keys, values)``, as ``n`` calls of
        :meth:`next_record` would give them (fewer only when the queue is closed and
        empty), without a call per record.  Caller holds ``self.lock``."""
        got = []
        while len(got) < n:
            if self.records is None:
                try:
                    work = self._next_work(ctx, queue)
                except errors.OutOfRangeError:
                    if got:
                        break
                    raise
                self.records = self.source(work, self.attrs)
            want = n - len(got)
            before = len(got)
            try:
                got.extend(itertools.islice(self.records, want))
            except Exception:
                self.produced += len(got) - before
                self.records = None   # a broken file: the next read starts on the next one
                raise
            self.produced += len(got) - before
            if len(got) - before < want:
                self.records = None
                self.completed += 1
        return [k for k, _ in got], [v for _, v in got]

    def reset(self):
        with self.lock:
            if self.records is not None:
                self.records.close()
            self.records = None
            self.produced = 0
            self.completed = 0


def _reader_context(ctx):
    ctx.state = _ReaderState(ctx.op)


def _scalar(op):
    return [TensorShape([])]


for _type in _SOURCES:
    register_op(_type, shape=_scalar, kernel=lambda ctx: ctx.state, make_context=_reader_context,
                stateful=True, host_only=True, grad=_NO_GRAD)


def _string_scalar(value):
    out = np.empty((), dtype=object)
    out[()] = value
    return out


def _string_vector(values):
    out = np.empty((len(values),), dtype=object)
    out[:] = values
    return out


def _read_kernel(ctx, reader, queue):
    with reader.lock:
        key, value = reader.next_record(ctx, queue)
    return _string_scalar(key), _string_scalar(value)


def _read_up_to_kernel(ctx, reader, queue, num_records):
    n = int(num_records)
    if n <= 0:
        raise errors.InvalidArgumentError(None, ctx.op, "num_records must be positive, got %d"
                                          % n)
    with reader.lock:
        keys, values = reader.next_records(ctx, queue, n)
    return _string_vector(keys), _string_vector(values)


def _unsupported_state(ctx, reader, *state):
    raise errors.UnimplementedError(None, ctx.op, "Reader SerializeState/RestoreState is not "
                                    "implemented for %s" % reader.op_type)


def _reset_kernel(ctx, reader):
    reader.reset()


register_op("ReaderReadV2", shape=lambda op: [TensorShape([]), TensorShape([])],
            kernel=_read_kernel, stateful=True, host_only=True, grad=_NO_GRAD)
register_op("ReaderReadUpToV2", shape=lambda op: [TensorShape([None]), TensorShape([None])],
            kernel=_read_up_to_kernel, stateful=True, host_only=True, grad=_NO_GRAD)
register_op("ReaderNumRecordsProducedV2", shape=_scalar,
            kernel=lambda ctx, r: ctx.asarray(r.produced, np.int64), stateful=True,
            host_only=True, grad=_NO_GRAD)
register_op("ReaderNumWorkUnitsCompletedV2", shape=_scalar,
            kernel=lambda ctx, r: ctx.asarray(r.completed, np.int64), stateful=True,
            host_only=True, grad=_NO_GRAD)
register_op("ReaderResetV2", shape=lambda op: [], kernel=_reset_kernel, stateful=True,
            host_only=True, grad=_NO_GRAD)
register_op("ReaderSerializeStateV2", shape=_scalar, kernel=_unsupported_state, stateful=True,
            host_only=True, grad=_NO_GRAD)
register_op("ReaderRestoreStateV2", shape=lambda op: [], kernel=_unsupported_state,
            stateful=True, host_only=True, grad=_NO_GRAD)


# --------------------------------------------------------------------------- Python API

def _queue_ref(queue):
    return queue.queue_ref if hasattr(queue, "queue_ref") else queue


class ReaderBase:
    """Base class of the readers (``tf.ReaderBase``): ops on a reader handle.

    Args:
      reader_ref: the reader's resource handle.
      supports_serialize: whether ``serialize_state``/``restore_state`` work.
    """

    def __init__(self, reader_ref, supports_serialize=False):
        self._reader_ref = reader_ref
        self._supports_serialize = supports_serialize

    @property
    def reader_ref(self):
        """The reader's resource handle."""
        return self._reader_ref

    @property
    def supports_serialize(self):
        """Whether the reader can serialize its state (never, in tensorslim)."""
        return self._supports_serialize

    def read(self, queue, name=None):
        """The next record: ``(key, value)`` string scalars.

        Args:
          queue: a queue of filenames (a QueueBase or its handle).
          name: the op's name.

        Returns:
          A ``(key, value)`` namedtuple of string Tensors.
        """
        op = apply_op("ReaderReadV2", [self._reader_ref, _queue_ref(queue)],
                      [_dtypes.string, _dtypes.string], name=name or "ReaderReadV2")
        return ReaderReadResult(*op.outputs)

    def read_up_to(self, queue, num_records, name=None):
        """Up to ``num_records`` records as two 1-D string Tensors ``(keys, values)``.

        Fewer come back only when the filename queue is closed and exhausted.
        """
        with name_scope(name, "ReaderReadUpToV2", [num_records]) as scope:
            n = convert_to_tensor(num_records, dtype=_dtypes.int64, name="num_records")
            op = apply_op("ReaderReadUpToV2", [self._reader_ref, _queue_ref(queue), n],
                          [_dtypes.string, _dtypes.string], name=scope)
        return ReaderReadUpToResult(*op.outputs)

    def num_records_produced(self, name=None):
        """An int64 scalar: the records this reader has produced."""
        return apply_op("ReaderNumRecordsProducedV2", [self._reader_ref], [_dtypes.int64],
                        name=name or "ReaderNumRecordsProducedV2").outputs[0]

    def num_work_units_completed(self, name=None):
        """An int64 scalar: the files (work units) this reader has finished."""
        return apply_op("ReaderNumWorkUnitsCompletedV2", [self._reader_ref], [_dtypes.int64],
                        name=name or "ReaderNumWorkUnitsCompletedV2").outputs[0]

    def serialize_state(self, name=None):
        """Not supported by tensorslim's readers (UnimplementedError when run)."""
        return apply_op("ReaderSerializeStateV2", [self._reader_ref], [_dtypes.string],
                        name=name or "ReaderSerializeStateV2").outputs[0]

    def restore_state(self, state, name=None):
        """Not supported by tensorslim's readers (UnimplementedError when run)."""
        state = convert_to_tensor(state, dtype=_dtypes.string)
        return apply_op("ReaderRestoreStateV2", [self._reader_ref, state], [],
                        name=name or "ReaderRestoreStateV2")

    def reset(self, name=None):
        """Resets the reader: no current file, counters at zero."""
        return apply_op("ReaderResetV2", [self._reader_ref], [],
                        name=name or "ReaderResetV2")


def _make_reader(op_type, attrs, name):
    attrs = dict(attrs, container="", shared_name="")
    return apply_op(op_type, [], [_dtypes.resource], attrs=attrs, name=name or op_type).outputs[0]


class TFRecordReader(ReaderBase):
    """Reads the records of TFRecord files; keys are ``"filename:offset"``.

    Args:
      name: the op's name.
      options: a ``TFRecordOptions`` (or compression type) for compressed files.
    """

    def __init__(self, name=None, options=None):
        compression = TFRecordOptions.get_compression_type_string(options) if options \
            is not None else ""
        super().__init__(_make_reader("TFRecordReaderV2",
                                      {"compression_type": compression or ""}, name))


class TextLineReader(ReaderBase):
    """Reads text files line by line (without the newline); keys are ``"filename:line"``.

    Args:
      skip_header_lines: lines to skip at the start of each file.
      name: the op's name.
    """

    def __init__(self, skip_header_lines=None, name=None):
        super().__init__(_make_reader("TextLineReaderV2",
                                      {"skip_header_lines": int(skip_header_lines or 0)}, name))


class WholeFileReader(ReaderBase):
    """Reads each file whole: the key is the filename, the value its contents."""

    def __init__(self, name=None):
        super().__init__(_make_reader("WholeFileReaderV2", {}, name))


class IdentityReader(ReaderBase):
    """Returns each work item from the queue as both key and value."""

    def __init__(self, name=None):
        super().__init__(_make_reader("IdentityReaderV2", {}, name))


class FixedLengthRecordReader(ReaderBase):
    """Reads fixed-size records; keys are ``"filename:record_number"``.

    Args:
      record_bytes: bytes per record.
      header_bytes: bytes skipped at the start of each file.
      footer_bytes: bytes ignored at the end of each file.
      hop_bytes: distance between record starts (default ``record_bytes``).
      name: the op's name.
      encoding: ``""``, ``"ZLIB"`` or ``"GZIP"`` compression of the whole file.
    """

    def __init__(self, record_bytes, header_bytes=None, footer_bytes=None, hop_bytes=None,
                 name=None, encoding=None):
        if int(record_bytes) <= 0:
            raise ValueError("record_bytes must be positive, got %s" % (record_bytes,))
        super().__init__(_make_reader("FixedLengthRecordReaderV2", {
            "header_bytes": int(header_bytes or 0), "record_bytes": int(record_bytes),
            "footer_bytes": int(footer_bytes or 0), "hop_bytes": int(hop_bytes or 0),
            "encoding": encoding or ""}, name))


# --------------------------------------------------------------------------- file ops

def _read_file_kernel(ctx, filename):
    return _string_scalar(_read_all(_fs_path(filename.item())))


def _write_file_kernel(ctx, filename, contents):
    path = _gfile._path(_fs_path(filename.item()))
    directory = os.path.dirname(path)
    with _gfile._os_errors(path):
        if directory:
            os.makedirs(directory, exist_ok=True)
        with open(path, "wb") as f:
            f.write(contents.item())


def _matching_files_kernel(ctx, pattern):
    patterns = [_fs_path(p) for p in pattern.reshape(-1).tolist()]
    return _string_vector([os.fsencode(p) for p in _gfile.Glob(patterns)])


register_op("ReadFile", shape=_scalar, kernel=_read_file_kernel, stateful=True, host_only=True,
            grad=_NO_GRAD)
register_op("WriteFile", shape=lambda op: [], kernel=_write_file_kernel, stateful=True,
            host_only=True, grad=_NO_GRAD)
register_op("MatchingFiles", shape=lambda op: [TensorShape([None])],
            kernel=_matching_files_kernel, stateful=True, host_only=True, grad=_NO_GRAD)


def read_file(filename, name=None):
    """``tf.read_file``: the contents of ``filename`` as a string scalar."""
    filename = convert_to_tensor(filename, dtype=_dtypes.string)
    return apply_op("ReadFile", [filename], [_dtypes.string], name=name or "ReadFile").outputs[0]


def write_file(filename, contents, name=None):
    """``tf.write_file``: an op writing ``contents`` to ``filename`` (creating directories)."""
    filename = convert_to_tensor(filename, dtype=_dtypes.string)
    contents = convert_to_tensor(contents, dtype=_dtypes.string)
    return apply_op("WriteFile", [filename, contents], [], name=name or "WriteFile")


def matching_files(pattern, name=None):
    """``tf.matching_files``: the sorted filenames matching a glob (or a list of globs)."""
    pattern = convert_to_tensor(pattern, dtype=_dtypes.string)
    return apply_op("MatchingFiles", [pattern], [_dtypes.string],
                    name=name or "MatchingFiles").outputs[0]
