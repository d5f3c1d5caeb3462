"""The host side of ``tf.data``: dataset values and their iterators.

A dataset op's kernel returns a *dataset value* (a :class:`DatasetValue`): an immutable
recipe holding the op's input values. ``make_iterator(env)`` starts an iteration over it;
iterators are plain Python objects whose ``__next__`` returns one element as the flat
tuple of its component arrays (numpy, on the host), raises ``StopIteration`` at the end and
an ``OpError`` for a bad element, after which iteration can go on with the next element
(as TF's iterators do; ``ignore_errors`` relies on it).

An :class:`IterationEnv` ties an iteration to its session: it runs traced functions through
the session's :class:`~tensorslim.data.dataset_function.FunctionRunner`, and owns the
background threads that ``prefetch``, parallel ``map`` and parallel ``interleave`` start;
re-initializing the iterator or closing the session cancels them.
"""
import collections
import concurrent.futures
import itertools
import os
import queue
import threading
import time
import zlib

import numpy as np

from tensorslim.core import errors
from tensorslim.core.executor import current_deadline
from tensorslim.data.dataset_function import as_element_array
from tensorslim.io import gfile as _gfile
from tensorslim.io.tfrecord import TFRecordFileReader

__all__ = ["DatasetValue", "IterationEnv", "AUTOTUNE"]

AUTOTUNE = -1
_POLL_SECS = 0.05


def _autotune(n):
    return max(os.cpu_count() or 1, 2) if n == AUTOTUNE else int(n)


def _scalar_bytes(value):
    out = np.empty((), dtype=object)
    out[()] = value
    return out


def _component(array, i):
    return array[i, ...]


class IterationEnv:
    """What an iteration needs from its session; cancels its threads when closed."""

    def __init__(self, session):
        self.session = session
        self.cancelled = threading.Event()
        self._closers = []
        self._lock = threading.Lock()

    def runner(self, function):
        return function.runner(self.session)

    def add_closer(self, closer):
        with self._lock:
            if self.cancelled.is_set():
                closer()
                return
            self._closers.append(closer)

    def close(self):
        """Cancels the iteration: background threads stop, blocked waits end."""
        with self._lock:
            self.cancelled.set()
            closers, self._closers = self._closers, []
        for closer in closers:
            closer()

    def check(self, op=None):
        if self.cancelled.is_set():
            raise errors.CancelledError(None, op, "The iterator was re-initialized or its "
                                        "session was closed.")


def wait_deadline(what):
    """Raises DeadlineExceededError when the calling run's deadline has passed."""
    deadline = current_deadline()
    if deadline is not None and time.monotonic() >= deadline:
        raise errors.DeadlineExceededError(None, None, "Timed out waiting for %s" % what)
    return deadline


class DatasetValue:
    """A dataset in a session: ``make_iterator(env)`` starts an iteration over it."""

    def make_iterator(self, env):
        raise NotImplementedError


# --------------------------------------------------------------------------- sources

class _ListIter:
    __slots__ = ("items", "i")

    def __init__(self, items):
        self.items = items
        self.i = 0

    def __iter__(self):
        return self

    def __next__(self):
        i = self.i
        if i >= len(self.items):
            raise StopIteration
        self.i = i + 1
        return self.items[i]


class TensorValue(DatasetValue):
    """``TensorDataset``: one element, the components themselves."""

    def __init__(self, components):
        self.components = tuple(as_element_array(c) for c in components)

    def make_iterator(self, env):
        return _ListIter([self.components])


class _SliceIter:
    __slots__ = ("components", "n", "i")

    def __init__(self, components, n):
        self.components = components
        self.n = n
        self.i = 0

    def __iter__(self):
        return self

    def __next__(self):
        i = self.i
        if i >= self.n:
            raise StopIteration
        self.i = i + 1
        return tuple(c[i, ...] for c in self.components)


class TensorSliceValue(DatasetValue):
    """``TensorSliceDataset``: the slices of the components along dimension 0."""

    def __init__(self, components, op=None):
        comps = tuple(as_element_array(c) for c in components)
        for c in comps:
            if c.ndim == 0:
                raise errors.InvalidArgumentError(None, op, "Input tensors to "
                                                  "from_tensor_slices must have rank >= 1 "
                                                  "(got a scalar)")
        sizes = [c.shape[0] for c in comps]
        if len(set(sizes)) > 1:
            raise errors.InvalidArgumentError(
                None, op, "Dimension 0 in both shapes must be equal, but are %d and %d: all "
                "components passed to from_tensor_slices need the same number of slices"
                % (sizes[0], next(s for s in sizes if s != sizes[0])))
        self.components = comps
        self.n = sizes[0] if sizes else 0

    def make_iterator(self, env):
        return _SliceIter(self.components, self.n)


class _RangeIter:
    __slots__ = ("next_value", "stop", "step")

    def __init__(self, start, stop, step):
        self.next_value, self.stop, self.step = start, stop, step

    def __iter__(self):
        return self

    def __next__(self):
        v = self.next_value
        if (self.step > 0 and v >= self.stop) or (self.step < 0 and v <= self.stop):
            raise StopIteration
        self.next_value = v + self.step
        return (np.array(v, dtype=np.int64),)


class RangeValue(DatasetValue):
    def __init__(self, start, stop, step, op=None):
        if step == 0:
            raise errors.InvalidArgumentError(None, op, "step must be a non-zero integer.")
        self.args = (start, stop, step)

    def make_iterator(self, env):
        return _RangeIter(*self.args)


class _GeneratorIter:
    def __init__(self, value):
        self.value = value
        self.gen = None
        self.done = False

    def __iter__(self):
        return self

    def __next__(self):
        if self.done:
            raise StopIteration
        v = self.value
        try:
            if self.gen is None:
                self.gen = iter(v.generator(*v.args))
            item = next(self.gen)
        except StopIteration:
            self.done = True
            raise
        except errors.OpError:
            raise
        except Exception as e:  # noqa: BLE001 - the generator's errors become op errors
            self.done = True
            cls = errors.InvalidArgumentError if isinstance(e, (TypeError, ValueError)) \
                else errors.UnknownError
            raise cls(None, v.op, "%s: %s (raised by the generator of from_generator)"
                      % (type(e).__name__, e)) from e
        return v.convert(item)


class GeneratorValue(DatasetValue):
    """``from_generator``: elements yielded by a Python generator, checked and converted."""

    def __init__(self, generator, args, specs_flat, structure_template, op=None):
        self.generator = generator
        self.args = args
        self.specs = specs_flat
        self.template = structure_template
        self.op = op

    def convert(self, item):
        from tensorslim.data import dataset_structure as structure
        if isinstance(item, list) and structure.is_sequence(self.template):
            item = tuple(item)
        try:
            if structure.is_sequence(self.template):
                structure.assert_same_structure(self.template, item)
            leaves = structure.flatten(item)
        except (ValueError, TypeError) as e:
            raise errors.InvalidArgumentError(
                None, self.op, "`generator` yielded an element that did not match the expected "
                "structure. The expected structure was %s, but the yielded element was %r. (%s)"
                % (structure.structure_str(self.template), item, e)) from None
        out = []
        for leaf, spec in zip(leaves, self.specs):
            np_dtype = spec.dtype.as_numpy_dtype
            try:
                if np_dtype is np.object_:
                    arr = _to_bytes_array(leaf)
                else:
                    src = np.asarray(leaf)
                    if src.dtype.kind in "SUO":
                        raise TypeError("not a number")
                    arr = src.astype(np_dtype)
                    if src.dtype.kind == "f" and spec.dtype.is_integer and \
                            np.any(arr != src):
                        raise TypeError("lossy conversion")
            except (TypeError, ValueError):
                raise errors.InvalidArgumentError(
                    None, self.op, "TypeError: `generator` yielded an element that could not "
                    "be converted to the expected type. The expected type was %s, but the "
                    "yielded element was %r." % (spec.dtype.name, leaf)) from None
            if not spec.shape.is_compatible_with(arr.shape):
                raise errors.InvalidArgumentError(
                    None, self.op, "`generator` yielded an element of shape %s where an element "
                    "of shape %s was expected." % (_shape_str(arr.shape), spec.shape))
            out.append(arr)
        return tuple(out)

    def make_iterator(self, env):
        return _GeneratorIter(self)


def _to_bytes_array(value):
    arr = np.array(value, dtype=object)
    flat = arr.reshape(-1)
    for i, v in enumerate(flat):
        if isinstance(v, str):
            flat[i] = v.encode("utf-8")
        elif isinstance(v, (bytes, np.bytes_)):
            flat[i] = bytes(v)
        else:
            raise TypeError("not a string")
    return arr


def _shape_str(shape):
    return "(%s)" % ", ".join(str(d) for d in shape) if len(shape) != 1 else "(%d,)" % shape[0]


# --------------------------------------------------------------------------- file sources

def _files(filenames, op):
    names = [f.decode("utf-8", "surrogateescape") if isinstance(f, bytes) else str(f)
             for f in np.asarray(filenames, dtype=object).reshape(-1)]
    return names


class _FileRecordsIter:
    """Records of several files in order; an unreadable file fails once, then is skipped."""

    def __init__(self, files, open_records):
        self.files = list(files)
        self.open_records = open_records
        self.current = None
        self.index = 0

    def __iter__(self):
        return self

    def __next__(self):
        while True:
            if self.current is None:
                if self.index >= len(self.files):
                    raise StopIteration
                name = self.files[self.index]
                self.index += 1
                self.current = self.open_records(name)
            try:
                record = next(self.current)
            except StopIteration:
                self.current = None
                continue
            except BaseException:
                self.current = None
                raise
            return (_scalar_bytes(record),)

    def take_records(self, n):
        """Up to ``n`` records as a list of bytes, fewer only at the end of the last file;
        what ``n`` calls of ``__next__`` would give, without an array per record."""
        out = []
        while len(out) < n:
            if self.current is None:
                if self.index >= len(self.files):
                    break
                name = self.files[self.index]
                self.index += 1
                self.current = self.open_records(name)
            want = n - len(out)
            try:
                got = list(itertools.islice(self.current, want))
            except BaseException:
                self.current = None
                raise
            if len(got) < want:
                self.current = None
            out += got
        return out


def _tfrecord_records(compression, buffer_size):
    def open_records(name):
        def gen():
            # TF's buffer_size default (256 KiB) makes records larger than a few KiB cost
            # a copy of the buffer each: read at least 1 MiB at a time.
            reader = TFRecordFileReader(name, compression or None,
                                        buffer_size=max(buffer_size or 0, 1 << 20))
            try:
                yield from reader._records(track=False)
            finally:
                reader.close()
        return gen()
    return open_records


def _read_file(name, compression):
    with _gfile._os_errors(name):
        with open(_gfile._path(name), "rb") as f:
            data = f.read()
    if compression:
        wbits = {"ZLIB": zlib.MAX_WBITS, "GZIP": zlib.MAX_WBITS | 16}[compression]
        try:
            data = zlib.decompress(data, wbits)
        except zlib.error as e:
            raise errors.DataLossError(None, None, "corrupted %s data in %s: %s"
                                       % (compression, name, e)) from None
    return data


def _text_lines(compression):
    def open_records(name):
        data = _read_file(name, compression)

        def gen():
            for line in data.splitlines(keepends=True):
                if line.endswith(b"\n"):
                    line = line[:-1]
                    if line.endswith(b"\r"):
                        line = line[:-1]
                yield line
        return gen()
    return open_records


def _fixed_length(header, record, footer, compression):
    def open_records(name):
        data = _read_file(name, compression)

        def gen():
            body = data[header:max(len(data) - footer, header)]
            for start in range(0, len(body) - record + 1, record):
                yield body[start:start + record]
        return gen()
    return open_records


class FileRecordsValue(DatasetValue):
    """``TFRecordDataset`` / ``TextLineDataset`` / ``FixedLengthRecordDataset``."""

    def __init__(self, files, open_records):
        self.files = files
        self.open_records = open_records

    def make_iterator(self, env):
        return _FileRecordsIter(self.files, self.open_records)


def tfrecord_value(filenames, compression, buffer_size, op=None):
    compression = _compression(compression, op)
    return FileRecordsValue(_files(filenames, op), _tfrecord_records(compression, buffer_size))


def text_line_value(filenames, compression, op=None):
    compression = _compression(compression, op)
    return FileRecordsValue(_files(filenames, op), _text_lines(compression))


def fixed_length_value(filenames, header, record, footer, compression, op=None):
    if record <= 0:
        raise errors.InvalidArgumentError(None, op, "record_bytes must be > 0, got %d" % record)
    if header < 0 or footer < 0:
        raise errors.InvalidArgumentError(None, op, "header_bytes and footer_bytes must be >= 0")
    compression = _compression(compression, op)
    return FileRecordsValue(_files(filenames, op),
                            _fixed_length(header, record, footer, compression))


def _compression(value, op):
    value = value.decode() if isinstance(value, bytes) else str(value or "")
    if value not in ("", "ZLIB", "GZIP"):
        raise errors.InvalidArgumentError(None, op, "Unsupported compression_type: %s "
                                          "(expected '', 'ZLIB' or 'GZIP')." % value)
    return value


# --------------------------------------------------------------------------- transformations

class _MapIter:
    __slots__ = ("input", "runner", "captured")

    def __init__(self, input_iter, runner, captured):
        self.input = input_iter
        self.runner = runner
        self.captured = captured

    def __iter__(self):
        return self

    def __next__(self):
        return self.runner(next(self.input), self.captured)


class MapValue(DatasetValue):
    """``MapDataset`` / ``ParallelMapDataset``."""

    def __init__(self, input_value, function, captured, num_parallel_calls=1):
        self.input = input_value
        self.function = function
        self.captured = tuple(captured)
        self.num_parallel_calls = num_parallel_calls

    def make_iterator(self, env):
        runner = env.runner(self.function)
        captured = self.captured

        def call(element):
            return runner(element, captured)
        upstream = self.input.make_iterator(env)
        n = _autotune(self.num_parallel_calls)
        if n <= 1:
            return _MapIter(upstream, runner, captured)
        return _ParallelMapIter(upstream, call, n, env)


class _ParallelMapIter:
    """Applies a function on a thread pool, ``n`` elements in flight, in input order."""

    def __init__(self, upstream, call, n, env):
        self.upstream = upstream
        self.call = call
        self.n = n
        self.env = env
        self.pending = collections.deque()
        self.input_done = False
        self.pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=n, thread_name_prefix="tf.data-map")
        env.add_closer(lambda: self.pool.shutdown(wait=False, cancel_futures=True))

    def __iter__(self):
        return self

    def _fill(self):
        while not self.input_done and len(self.pending) < self.n:
            try:
                element = next(self.upstream)
            except StopIteration:
                self.input_done = True
                break
            except errors.OpError as e:
                self.pending.append(_failed(e))
                continue
            self.pending.append(self.pool.submit(self.call, element))

    def __next__(self):
        self._fill()
        if not self.pending:
            # Done: free the threads now (a repeat() above starts a new pool each epoch).
            self.pool.shutdown(wait=False)
            raise StopIteration
        future = self.pending.popleft()
        while True:
            self.env.check()
            wait_deadline("the next element of a parallel map")
            try:
                return future.result(timeout=_POLL_SECS)
            except concurrent.futures.TimeoutError:
                continue
            except concurrent.futures.CancelledError:
                raise errors.CancelledError(None, None, "The map was cancelled.") from None


def _failed(exc):
    f = concurrent.futures.Future()
    f.set_exception(exc)
    return f


class _FilterIter:
    __slots__ = ("input", "call")

    def __init__(self, input_iter, call):
        self.input = input_iter
        self.call = call

    def __iter__(self):
        return self

    def __next__(self):
        while True:
            element = next(self.input)
            keep = self.call(element)[0]
            if bool(keep):
                return element


class FilterValue(DatasetValue):
    def __init__(self, input_value, function, captured):
        self.input = input_value
        self.function = function
        self.captured = tuple(captured)

    def make_iterator(self, env):
        runner = env.runner(self.function)
        captured = self.captured
        return _FilterIter(self.input.make_iterator(env), lambda e: runner(e, captured))


class _CountIter:
    __slots__ = ("input", "remaining")

    def __init__(self, input_iter, count):
        self.input = input_iter
        self.remaining = count

    def __iter__(self):
        return self

    def __next__(self):
        if self.remaining == 0:
            raise StopIteration
        element = next(self.input)
        if self.remaining > 0:
            self.remaining -= 1
        return element


class TakeValue(DatasetValue):
    def __init__(self, input_value, count):
        self.input = input_value
        self.count = count

    def make_iterator(self, env):
        return _CountIter(self.input.make_iterator(env), self.count)


class _SkipIter:
    __slots__ = ("input", "to_skip")

    def __init__(self, input_iter, count):
        self.input = input_iter
        self.to_skip = count

    def __iter__(self):
        return self

    def __next__(self):
        while self.to_skip != 0:
            next(self.input)
            if self.to_skip > 0:
                self.to_skip -= 1
        return next(self.input)


class SkipValue(DatasetValue):
    def __init__(self, input_value, count):
        self.input = input_value
        self.count = count

    def make_iterator(self, env):
        return _SkipIter(self.input.make_iterator(env), self.count)


class _ShardIter:
    __slots__ = ("input", "num", "index", "pos")

    def __init__(self, input_iter, num, index):
        self.input, self.num, self.index, self.pos = input_iter, num, index, 0

    def __iter__(self):
        return self

    def __next__(self):
        while True:
            element = next(self.input)
            pos = self.pos
            self.pos += 1
            if pos % self.num == self.index:
                return element


class ShardValue(DatasetValue):
    def __init__(self, input_value, num_shards, index, op=None):
        if num_shards <= 0:
            raise errors.InvalidArgumentError(None, op, "Number of shards must be greater than "
                                              "zero (currently num_shards = %d)." % num_shards)
        if not 0 <= index < num_shards:
            raise errors.InvalidArgumentError(None, op, "Index must be between 0 and %d "
                                              "(currently index = %d)."
                                              % (num_shards - 1, index))
        self.input, self.num, self.index = input_value, num_shards, index

    def make_iterator(self, env):
        return _ShardIter(self.input.make_iterator(env), self.num, self.index)


class _RepeatIter:
    def __init__(self, value, count, env):
        self.value = value
        self.count = count
        self.env = env
        self.epoch = 0
        self.produced = False
        self.current = value.make_iterator(env) if count != 0 else None

    def __iter__(self):
        return self

    def __next__(self):
        while True:
            if self.current is None:
                raise StopIteration
            try:
                element = next(self.current)
            except StopIteration:
                self.epoch += 1
                if (0 <= self.count <= self.epoch) or not self.produced:
                    self.current = None     # an empty epoch ends even an infinite repeat
                    raise
                self.produced = False
                self.current = self.value.make_iterator(self.env)
                continue
            self.produced = True
            return element


class RepeatValue(DatasetValue):
    def __init__(self, input_value, count):
        self.input = input_value
        self.count = count

    def make_iterator(self, env):
        return _RepeatIter(self.input, self.count, env)


class _ShuffleIter:
    def __init__(self, upstream, buffer_size, rng):
        self.upstream = upstream
        self.buffer_size = buffer_size
        self.rng = rng
        self.buffer = []
        self.input_done = False

    def __iter__(self):
        return self

    def __next__(self):
        buf = self.buffer
        while not self.input_done and len(buf) < self.buffer_size:
            try:
                buf.append(next(self.upstream))
            except StopIteration:
                self.input_done = True
        if not buf:
            raise StopIteration
        j = int(self.rng.integers(len(buf)))
        buf[j], buf[-1] = buf[-1], buf[j]
        return buf.pop()


class ShuffleValue(DatasetValue):
    """``ShuffleDataset``; each iteration (epoch) reshuffles unless told not to."""

    def __init__(self, input_value, buffer_size, seed, seed2, reshuffle, op=None):
        if buffer_size <= 0:
            raise errors.InvalidArgumentError(None, op, "buffer_size must be greater than zero.")
        self.input = input_value
        self.buffer_size = buffer_size
        self.reshuffle = reshuffle
        if seed == 0 and seed2 == 0:
            self.seeds = [int(s) for s in np.random.SeedSequence().generate_state(2)]
        else:
            self.seeds = [int(seed) & 0xFFFFFFFFFFFFFFFF, int(seed2) & 0xFFFFFFFFFFFFFFFF]
        self.epoch = 0
        self._lock = threading.Lock()

    def make_iterator(self, env):
        with self._lock:
            epoch = self.epoch
            self.epoch += 1
        key = self.seeds + [epoch] if self.reshuffle else self.seeds
        return _ShuffleIter(self.input.make_iterator(env), self.buffer_size,
                            np.random.default_rng(key))


def stack_components(elements, op=None):
    """Stacks elements (flat tuples) into one batch per component; shapes must agree."""
    out = []
    for i, parts in enumerate(zip(*elements)):
        first = parts[0].shape
        if len({p.shape for p in parts}) > 1:
            k = next(k for k, p in enumerate(parts) if p.shape != first)
            raise errors.InvalidArgumentError(
                None, op, "Cannot batch tensors with different shapes in component %d. "
                "First element had shape %s and element %d had shape %s."
                % (i, _tf_shape(first), k, _tf_shape(parts[k].shape)))
        if parts[0].dtype != object:
            # For equal shapes this is np.stack, without its per-element Python work.
            out.append(np.array(parts))
        else:   # strings: np.array could look into the elements
            batch = np.empty((len(parts),) + first, dtype=object)
            for k, p in enumerate(parts):
                batch[k, ...] = p
            out.append(batch)
    return tuple(out)


def _tf_shape(shape):
    return "[%s]" % ",".join(str(d) for d in shape)


class _BatchIter:
    """Batches of ``batch_size`` elements: ``take(n)`` gives up to ``n`` more elements (fewer
    at the end), ``assemble(items)`` makes them one batch."""

    def __init__(self, take, batch_size, drop_remainder, assemble):
        self.take = take
        self.batch_size = batch_size
        self.drop_remainder = drop_remainder
        self.assemble = assemble
        self.done = False

    def __iter__(self):
        return self

    def __next__(self):
        if self.done:
            raise StopIteration
        # An error from upstream drops the elements gathered so far, as TF's batch does.
        items = self.take(self.batch_size)
        if len(items) < self.batch_size:
            self.done = True
        if not items or (self.drop_remainder and len(items) < self.batch_size):
            raise StopIteration
        return self.assemble(items)


def _take_from(upstream):
    return lambda n: list(itertools.islice(upstream, n))


def _record_batch(records):
    """Records taken straight from files as one string array (no per-record element)."""
    out = np.empty((len(records),), dtype=object)
    out[:] = records
    return (out,)


class BatchValue(DatasetValue):
    def __init__(self, input_value, batch_size, drop_remainder, op=None):
        if batch_size <= 0:
            raise errors.InvalidArgumentError(None, op, "Batch size must be greater than zero.")
        self.input = input_value
        self.batch_size = batch_size
        self.drop_remainder = drop_remainder
        self.op = op

    def make_iterator(self, env):
        op = self.op
        upstream = self.input.make_iterator(env)
        if isinstance(upstream, _FileRecordsIter):
            return _BatchIter(upstream.take_records, self.batch_size, self.drop_remainder,
                              _record_batch)
        return _BatchIter(_take_from(upstream), self.batch_size, self.drop_remainder,
                          lambda items: stack_components(items, op))


class PaddedBatchValue(DatasetValue):
    """``PaddedBatchDatasetV2``: pads each component to ``padded_shapes`` (-1: batch max)."""

    def __init__(self, input_value, batch_size, padded_shapes, padding_values, drop_remainder,
                 op=None):
        if batch_size <= 0:
            raise errors.InvalidArgumentError(None, op, "Batch size must be greater than zero.")
        self.input = input_value
        self.batch_size = batch_size
        self.padded_shapes = [tuple(int(d) for d in s) for s in padded_shapes]
        self.padding_values = padding_values
        self.drop_remainder = drop_remainder
        self.op = op

    def _assemble(self, items):
        out = []
        for i, (pshape, pad) in enumerate(zip(self.padded_shapes, self.padding_values)):
            parts = [e[i] for e in items]
            ranks = {p.ndim for p in parts}
            if ranks != {len(pshape)}:
                raise errors.InvalidArgumentError(
                    None, self.op, "All elements in a batch must have the same rank as the "
                    "padded shape for component%d: expected rank %d but got element with rank %d"
                    % (i, len(pshape), next(r for r in ranks if r != len(pshape))))
            full = []
            for d, want in enumerate(pshape):
                biggest = max(p.shape[d] for p in parts)
                if want < 0:
                    full.append(biggest)
                elif biggest > want:
                    raise errors.InvalidArgumentError(
                        None, self.op, "Attempted to pad to a smaller size than the input "
                        "element: component %d has dimension %d of size %d, padded_shapes "
                        "asks for %d." % (i, d, biggest, want))
                else:
                    full.append(want)
            pad_value = pad[()] if isinstance(pad, np.ndarray) else pad
            batch = np.full((len(parts),) + tuple(full), pad_value, dtype=parts[0].dtype)
            for j, p in enumerate(parts):
                batch[(j,) + tuple(slice(0, s) for s in p.shape)] = p
            out.append(batch)
        return tuple(out)

    def make_iterator(self, env):
        return _BatchIter(_take_from(self.input.make_iterator(env)), self.batch_size,
                          self.drop_remainder, self._assemble)


class _UnbatchIter:
    def __init__(self, upstream, op):
        self.upstream = upstream
        self.current = None
        self.i = 0
        self.n = 0
        self.op = op

    def __iter__(self):
        return self

    def __next__(self):
        while self.i >= self.n:
            element = next(self.upstream)
            sizes = {c.shape[0] if c.ndim else None for c in element}
            if None in sizes or len(sizes) != 1:
                raise errors.InvalidArgumentError(None, self.op, "Input element must have a "
                                                  "non-scalar value in each component, with "
                                                  "the same leading dimension.")
            self.current, self.i, self.n = element, 0, sizes.pop()
        i = self.i
        self.i += 1
        return tuple(c[i, ...] for c in self.current)


class UnbatchValue(DatasetValue):
    def __init__(self, input_value, op=None):
        self.input = input_value
        self.op = op

    def make_iterator(self, env):
        return _UnbatchIter(self.input.make_iterator(env), self.op)


class _ZipIter:
    __slots__ = ("inputs",)

    def __init__(self, inputs):
        self.inputs = inputs

    def __iter__(self):
        return self

    def __next__(self):
        out = ()
        for it in self.inputs:
            out += next(it)
        return out


class ZipValue(DatasetValue):
    def __init__(self, inputs):
        self.inputs = inputs

    def make_iterator(self, env):
        return _ZipIter([v.make_iterator(env) for v in self.inputs])


class _ConcatIter:
    def __init__(self, values, env):
        self.values = list(values)
        self.env = env
        self.current = self.values.pop(0).make_iterator(env)

    def __iter__(self):
        return self

    def __next__(self):
        while True:
            try:
                return next(self.current)
            except StopIteration:
                if not self.values:
                    raise
                self.current = self.values.pop(0).make_iterator(self.env)


class ConcatenateValue(DatasetValue):
    def __init__(self, first, second):
        self.parts = (first, second)

    def make_iterator(self, env):
        return _ConcatIter(self.parts, env)


class _CacheIter:
    def __init__(self, owner, upstream):
        self.owner = owner
        self.upstream = upstream
        self.recorded = []

    def __iter__(self):
        return self

    def __next__(self):
        try:
            element = next(self.upstream)
        except StopIteration:
            self.owner.complete(self.recorded)
            raise
        self.recorded.append(element)
        return element


class CacheValue(DatasetValue):
    """``CacheDataset``: the first full pass is recorded (in memory, or in ``filename``)
    and later passes replay it."""

    def __init__(self, input_value, filename):
        self.input = input_value
        self.filename = filename
        self.elements = None
        self._lock = threading.Lock()

    def complete(self, elements):
        with self._lock:
            if self.elements is None:
                self.elements = elements
                if self.filename:
                    _write_cache_file(self.filename, elements)

    def make_iterator(self, env):
        with self._lock:
            if self.elements is None and self.filename and \
                    os.path.exists(_cache_path(self.filename)):
                self.elements = _read_cache_file(self.filename)
            if self.elements is not None:
                return _ListIter(self.elements)
        return _CacheIter(self, self.input.make_iterator(env))


def _cache_path(filename):
    return filename + ".tensorslim-cache.npz"


def _write_cache_file(filename, elements):
    arrays = {}
    for i, element in enumerate(elements):
        for j, c in enumerate(element):
            arrays["e%d_c%d" % (i, j)] = c
    path = _cache_path(filename)
    tmp = path + ".tmp%d.npz" % os.getpid()
    np.savez(tmp, count=np.array([len(elements), len(elements[0]) if elements else 0]),
             **arrays)
    os.replace(tmp, path)


def _read_cache_file(filename):
    with np.load(_cache_path(filename), allow_pickle=True) as data:
        n, k = (int(x) for x in data["count"])
        return [tuple(data["e%d_c%d" % (i, j)] for j in range(k)) for i in range(n)]


class _IgnoreErrorsIter:
    __slots__ = ("input",)

    def __init__(self, input_iter):
        self.input = input_iter

    def __iter__(self):
        return self

    def __next__(self):
        while True:
            try:
                return next(self.input)
            except errors.OpError:
                continue


class IgnoreErrorsValue(DatasetValue):
    def __init__(self, input_value):
        self.input = input_value

    def make_iterator(self, env):
        return _IgnoreErrorsIter(self.input.make_iterator(env))


# --------------------------------------------------------------------------- prefetch

_END = object()


class _PrefetchIter:
    """Fills a bounded buffer from ``upstream`` on a background thread."""

    def __init__(self, upstream, buffer_size, env):
        self.upstream = upstream
        self.queue = queue.Queue(maxsize=max(1, buffer_size))
        self.env = env
        self.stop = threading.Event()
        self.done = False
        self.thread = None

    def _start(self):
        self.thread = threading.Thread(target=self._run, name="tf.data-prefetch", daemon=True)
        self.env.add_closer(self.stop.set)
        self.thread.start()

    def _put(self, item):
        while not self.stop.is_set():
            try:
                self.queue.put(item, timeout=_POLL_SECS)
                return True
            except queue.Full:
                continue
        return False

    def _run(self):
        while not self.stop.is_set():
            try:
                item = (next(self.upstream), None)
            except StopIteration:
                self._put((_END, None))
                return
            except BaseException as e:  # noqa: BLE001 - handed to the consumer
                item = (None, e)
            if not self._put(item):
                return

    def __iter__(self):
        return self

    def __next__(self):
        if self.done:
            raise StopIteration
        if self.thread is None:
            self._start()
        while True:
            self.env.check()
            wait_deadline("the next element of a prefetch buffer")
            try:
                element, exc = self.queue.get(timeout=_POLL_SECS)
                break
            except queue.Empty:
                continue
        if exc is not None:
            raise exc
        if element is _END:
            self.done = True
            raise StopIteration
        return element


class PrefetchValue(DatasetValue):
    def __init__(self, input_value, buffer_size):
        self.input = input_value
        self.buffer_size = buffer_size

    def make_iterator(self, env):
        n = self.buffer_size
        n = 2 if n == AUTOTUNE else n
        upstream = self.input.make_iterator(env)
        if n == 0:
            return upstream
        return _PrefetchIter(upstream, n, env)


# --------------------------------------------------------------------------- interleave

class _InterleaveIter:
    """TF's interleave: ``cycle_length`` open sub-iterators, ``block_length`` each in turn."""

    def __init__(self, value, env, upstream, open_sub):
        self.cycle_length = value.cycle_length
        self.block_length = value.block_length
        self.upstream = upstream
        self.open_sub = open_sub
        self.current = [None] * self.cycle_length
        self.cycle_index = 0
        self.block_index = 0
        self.end_of_input = False
        self.num_open = 0

    def __iter__(self):
        return self

    def _advance_cycle(self):
        self.block_index = 0
        self.cycle_index = (self.cycle_index + 1) % self.cycle_length

    def __next__(self):
        while not self.end_of_input or self.num_open > 0:
            sub = self.current[self.cycle_index]
            if sub is not None:
                try:
                    element = next(sub)
                except StopIteration:
                    self.current[self.cycle_index] = None
                    self.num_open -= 1
                    self._advance_cycle()
                    continue
                self.block_index += 1
                if self.block_index == self.block_length:
                    self._advance_cycle()
                return element
            if not self.end_of_input:
                try:
                    args = next(self.upstream)
                except StopIteration:
                    self.end_of_input = True
                    continue
                self.current[self.cycle_index] = self.open_sub(args)
                self.num_open += 1
            else:
                self._advance_cycle()
        raise StopIteration


class InterleaveValue(DatasetValue):
    """``InterleaveDataset`` / ``ParallelInterleaveDatasetV2`` / ``FlatMapDataset``."""

    def __init__(self, input_value, function, captured, cycle_length, block_length,
                 num_parallel_calls=0, op=None):
        cycle_length = _autotune(cycle_length)
        if cycle_length <= 0:
            raise errors.InvalidArgumentError(None, op, "cycle_length must be greater than zero.")
        if block_length <= 0:
            raise errors.InvalidArgumentError(None, op, "block_length must be greater than zero.")
        self.input = input_value
        self.function = function
        self.captured = tuple(captured)
        self.cycle_length = cycle_length
        self.block_length = block_length
        self.parallel = num_parallel_calls not in (0, 1)

    def make_iterator(self, env):
        runner = env.runner(self.function)
        captured = self.captured
        parallel = self.parallel
        buffer = max(2 * self.block_length, 8)

        def open_sub(args):
            value = runner(args, captured)
            sub = value.make_iterator(env)
            return _PrefetchIter(sub, buffer, env) if parallel else sub
        return _InterleaveIter(self, env, self.input.make_iterator(env), open_sub)

