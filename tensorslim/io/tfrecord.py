"""TFRecord files: ``tf.python_io.TFRecordWriter``, ``tf_record_iterator`` and their options.

A TFRecord file is a plain concatenation of records, each framed as::

    uint64 length | uint32 masked_crc32c(length bytes) | data | uint32 masked_crc32c(data)

with every integer little-endian and no file header or trailer.  ``GZIP`` and ``ZLIB``
compression wrap the *whole* framed stream (one gzip member or one zlib stream), never
single records, so record offsets always refer to the uncompressed stream.

:class:`TFRecordFileReader` is the low-level reader: it reads from any record offset and
reports the offset of every record, which is what the queue-based ``TFRecordReader`` op
needs for its ``"filename:offset"`` keys.  Every record's length and data CRCs are
checked; corruption and truncation raise :class:`~tensorslim.core.errors.DataLossError`
naming the file and the byte offset of the bad record.
"""
import functools
import os
import struct
import zlib

import google_crc32c
import numpy as np

from tensorslim.core.errors import (DataLossError, FailedPreconditionError,
                                    InvalidArgumentError, NotFoundError, OutOfRangeError,
                                    PermissionDeniedError)
from tensorslim.io.crc import MASK_DELTA, masked_crc32c

__all__ = [
    "TFRecordCompressionType", "TFRecordOptions", "TFRecordWriter", "TFRecordFileReader",
    "tf_record_iterator",
]

_HEADER = struct.Struct("<QI")   # length, masked crc of the 8 length bytes
_LENGTH = struct.Struct("<Q")
_CRC = struct.Struct("<I")
_HEADER_SIZE = 12
_FOOTER_SIZE = 4

_DEFAULT_READ_CHUNK = 1 << 20     # bytes asked of the file (or decompressor) per refill
_MAX_READ_PIECE = 1 << 26         # never ask for more at once, whatever a length field says
_DEFAULT_WRITE_BUFFER = 1 << 18

# The read loop calls the C CRC directly and masks inline: going through
# ``tensorslim.io.crc.masked_crc32c`` costs three times as much per record.  Masking is
# ``rotr15(crc) + MASK_DELTA`` mod 2**32; the bits above 32 that ``crc << 17`` leaves in the
# rotation cannot reach the low 32 bits of the sum, so one final ``& 0xFFFFFFFF`` suffices.
_crc32c_value = google_crc32c.value

# Iteration checks the buffered records a block at a time: the data CRCs are computed by
# one ``map`` over the records' bytes and compared with the stored ones in numpy.  Runs of
# one length (fixed-size Examples such as MNIST) need no Python step per record at all: one
# numpy view over the block compares every header with the first.  Records of other lengths
# have their headers walked in Python.  Long records gain nothing from blocks.
_BLOCK_RECORDS = 256      # at most this many records per block,
_BLOCK_BYTES = 1 << 18    # and this many bytes of them,
_BLOCK_MIN_RECORDS = 8    # and no block for fewer records than this
_BLOCK_MAX_LENGTH = _BLOCK_BYTES // _BLOCK_MIN_RECORDS - _HEADER_SIZE - _FOOTER_SIZE
_CHECKED_HEADERS = 4096   # distinct record headers whose CRC a reader remembers
_MASK_DELTA32 = np.uint32(MASK_DELTA)
_FOOTER_COLUMNS = np.arange(_FOOTER_SIZE, dtype=np.intp)


@functools.lru_cache(maxsize=16)
def _block_dtype(length):
    """The numpy record layout of one framed record holding ``length`` bytes of data."""
    return np.dtype([("length", "<u8"), ("length_crc", "<u4"), ("data", "V%d" % length),
                     ("crc", "<u4")])


class TFRecordCompressionType:
    """The compression applied to a whole TFRecord file (``tf.python_io``'s enum).

    Attributes:
      NONE: no compression (``0``).
      ZLIB: one zlib stream, RFC 1950 (``1``).
      GZIP: one gzip member, RFC 1952 (``2``).
    """

    NONE = 0
    ZLIB = 1
    GZIP = 2


class TFRecordOptions:
    """Options for :class:`TFRecordWriter` and :func:`tf_record_iterator`.

    Args:
      compression_type: a :class:`TFRecordCompressionType` value or one of the strings
        ``""``, ``"ZLIB"``, ``"GZIP"``; ``None`` means no compression.
      flush_mode: zlib flush mode used after every record written (default
        ``zlib.Z_NO_FLUSH``, i.e. a plain continuous stream).
      input_buffer_size: bytes read from the file per refill when reading.
      output_buffer_size: size of the file's write buffer when writing.
      window_bits: base-two log of the deflate window, 8..15 (default 15); GZIP adds the
        gzip wrapper itself.
      compression_level: 0..9, or -1 for zlib's default (the default).
      compression_method: only ``zlib.DEFLATED`` (8) exists.
      mem_level: zlib memory level 1..9 (default 9, as TensorFlow).
      compression_strategy: a zlib strategy constant (default ``zlib.Z_DEFAULT_STRATEGY``).

    Raises:
      ValueError: if ``compression_type`` is not a valid compression type.
    """

    compression_type_map = {
        TFRecordCompressionType.ZLIB: "ZLIB",
        TFRecordCompressionType.GZIP: "GZIP",
        TFRecordCompressionType.NONE: "",
    }

    def __init__(self, compression_type=None, flush_mode=None, input_buffer_size=None,
                 output_buffer_size=None, window_bits=None, compression_level=None,
                 compression_method=None, mem_level=None, compression_strategy=None):
        # Validate now, but keep the value as given (TF does the same for compatibility).
        self.get_compression_type_string(compression_type)
        if compression_method not in (None, zlib.DEFLATED):
            raise ValueError("compression_method must be zlib.DEFLATED (%d), got %r"
                             % (zlib.DEFLATED, compression_method))
        if window_bits is not None and not 8 <= window_bits <= 15:
            raise ValueError("window_bits must be in 8..15, got %r" % (window_bits,))
        self.compression_type = compression_type
        self.flush_mode = flush_mode
        self.input_buffer_size = input_buffer_size
        self.output_buffer_size = output_buffer_size
        self.window_bits = window_bits
        self.compression_level = compression_level
        self.compression_method = compression_method
        self.mem_level = mem_level
        self.compression_strategy = compression_strategy

    @classmethod
    def get_compression_type_string(cls, options):
        """Returns ``""``, ``"ZLIB"`` or ``"GZIP"`` for options or a compression type.

        Args:
          options: a :class:`TFRecordOptions`, a :class:`TFRecordCompressionType` value,
            one of the strings ``""``, ``"ZLIB"``, ``"GZIP"``, or ``None``.

        Returns:
          The compression type as a string; ``""`` means none.

        Raises:
          ValueError: if ``options`` names no valid compression type.
        """
        if options is None:
            return ""
        if isinstance(options, TFRecordOptions):
            return cls.get_compression_type_string(options.compression_type)
        if isinstance(options, int) and options in cls.compression_type_map:
            return cls.compression_type_map[options]
        if isinstance(options, str) and options in cls.compression_type_map.values():
            return options
        raise ValueError('Not a valid compression_type: "%s"; expected a '
                         'TFRecordCompressionType value, "", "ZLIB", "GZIP" or None' % (options,))

    def _compressobj(self):
        """A zlib compressor for this configuration, or None without compression."""
        kind = self.get_compression_type_string(self)
        if not kind:
            return None
        wbits = self.window_bits if self.window_bits is not None else zlib.MAX_WBITS
        if kind == "GZIP":
            wbits += 16
        return zlib.compressobj(
            -1 if self.compression_level is None else self.compression_level,
            zlib.DEFLATED, wbits,
            9 if self.mem_level is None else self.mem_level,
            zlib.Z_DEFAULT_STRATEGY if self.compression_strategy is None
            else self.compression_strategy)


def _as_options(options):
    """Normalizes ``options`` (None, type or TFRecordOptions) to a TFRecordOptions."""
    if isinstance(options, TFRecordOptions):
        return options
    return TFRecordOptions(options)


def _open(path, mode, buffering=-1):
    """Opens a local file, mapping OS errors to TensorFlow's error classes."""
    try:
        return open(path, mode, buffering=buffering)
    except FileNotFoundError:
        what = "NewRandomAccessFile" if "r" in mode else "NewWriteableFile"
        raise NotFoundError(None, None, "Failed to create a %s: %s : No such file or directory"
                            % (what, path)) from None
    except IsADirectoryError:
        raise FailedPreconditionError(None, None, "%s is a directory" % path) from None
    except PermissionError:
        raise PermissionDeniedError(None, None, "%s: Permission denied" % path) from None


class TFRecordWriter:
    """Writes records to a TFRecord file (``tf.python_io.TFRecordWriter``).

    Usable as a context manager, which closes the file on exit.

    Args:
      path: the file to create (truncated if it exists).
      options: a :class:`TFRecordOptions`, a :class:`TFRecordCompressionType` value or a
        compression string; ``None`` writes an uncompressed file.

    Raises:
      NotFoundError: if the directory of ``path`` does not exist.
      ValueError: if ``options`` is not valid.
    """

    def __init__(self, path, options=None):
        self._path = os.fspath(path)
        opts = _as_options(options)
        self._flush_mode = opts.flush_mode
        compressor = opts._compressobj()
        buffering = opts.output_buffer_size or _DEFAULT_WRITE_BUFFER
        self._file = _open(self._path, "wb", buffering)
        self._compressor = compressor

    def write(self, record):
        """Writes one record.

        Args:
          record: the record's bytes (``str`` is encoded as UTF-8).

        Raises:
          FailedPreconditionError: if the writer is closed.
        """
        if self._file is None:
            raise FailedPreconditionError(None, None, "Writer for %s is closed." % self._path)
        if isinstance(record, str):
            record = record.encode("utf-8")
        elif not isinstance(record, bytes):
            record = bytes(record)
        length = _LENGTH.pack(len(record))
        head = length + _CRC.pack(masked_crc32c(length))
        foot = _CRC.pack(masked_crc32c(record))
        comp = self._compressor
        if comp is None:
            write = self._file.write
            write(head)
            write(record)
            write(foot)
        else:
            self._file.write(comp.compress(head) + comp.compress(record) + comp.compress(foot))
            if self._flush_mode not in (None, zlib.Z_NO_FLUSH):
                self._file.write(comp.flush(self._flush_mode))

    def flush(self):
        """Flushes everything written so far to the file (a zlib sync point when compressed).

        Raises:
          FailedPreconditionError: if the writer is closed.
        """
        if self._file is None:
            raise FailedPreconditionError(None, None, "Writer for %s is closed." % self._path)
        if self._compressor is not None:
            self._file.write(self._compressor.flush(zlib.Z_SYNC_FLUSH))
        self._file.flush()

    def close(self):
        """Finishes the compressed stream, if any, and closes the file; idempotent."""
        f, self._file = self._file, None
        if f is None:
            return
        try:
            if self._compressor is not None:
                f.write(self._compressor.flush(zlib.Z_FINISH))
        finally:
            f.close()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # noqa: BLE001 - never raise from a finalizer
            pass


class _StreamError(Exception):
    """Raised by a byte source when the (compressed) stream itself is damaged.

    Args:
      kind: ``"truncated"`` or ``"corrupted"``.
      detail: what is wrong.
    """

    def __init__(self, kind, detail):
        super().__init__(detail)
        self.kind = kind


class _RawSource:
    """Bytes of an uncompressed file."""

    def __init__(self, f):
        self._f = f

    def read(self, n):
        return self._f.read(n)


class _ZlibSource:
    """Decompressed bytes of a zlib or gzip file; several concatenated members are allowed."""

    def __init__(self, f, wbits, chunk):
        self._f = f
        self._wbits = wbits
        self._chunk = chunk
        self._d = zlib.decompressobj(wbits)
        self._pending = b""      # compressed bytes not yet given to the decompressor
        self._in_member = False  # inside a started but unfinished member

    def read(self, n):
        out = []
        got = 0
        d = self._d
        while got < n:
            data = d.unconsumed_tail or self._pending
            self._pending = b""
            if not data:
                data = self._f.read(self._chunk)
                if not data:
                    if self._in_member and not out:
                        raise _StreamError("truncated", "the compressed stream ends "
                                           "before its end marker (truncated file)")
                    break
            self._in_member = True
            try:
                piece = d.decompress(data, n - got)
            except zlib.error as e:
                raise _StreamError("corrupted", "bad compressed data (%s)" % e) from None
            if piece:
                out.append(piece)
                got += len(piece)
            if d.eof:
                self._pending = d.unused_data
                self._d = d = zlib.decompressobj(self._wbits)
                self._in_member = False
        return b"".join(out)


def _good_prefix(records, stored):
    """How many of ``records``, from the first, match their ``stored`` masked CRC-32Cs
    (checked in one vectorized pass)."""
    crcs = np.fromiter(map(_crc32c_value, records), np.uint32, len(records))
    bad = ((crcs >> 15) | (crcs << 17)) + _MASK_DELTA32 != stored
    return int(bad.argmax()) if bad.any() else len(records)


class TFRecordFileReader:
    """Reads the records of one TFRecord file sequentially, from any record offset.

    Offsets are positions in the uncompressed record stream (for a compressed file, what
    the offset would be after decompressing), exactly as TensorFlow reports them.  Seeking
    in a compressed file decompresses from the start when going backwards.

    Usable as a context manager and as an iterator of record bytes.

    Args:
      path: the file.
      options: a :class:`TFRecordOptions`, a :class:`TFRecordCompressionType` value or a
        compression string; ``None`` for an uncompressed file.
      offset: the offset of the first record to read.
      buffer_size: bytes read per refill (default ``options.input_buffer_size`` or 1 MiB).

    Raises:
      NotFoundError: if the file does not exist.
      ValueError: if ``options`` is not valid.
    """

    def __init__(self, path, options=None, offset=0, buffer_size=None):
        self._path = os.fspath(path)
        opts = _as_options(options)
        kind = TFRecordOptions.get_compression_type_string(opts)
        if kind:
            wbits = opts.window_bits if opts.window_bits is not None else zlib.MAX_WBITS
            self._wbits = wbits + 16 if kind == "GZIP" else wbits
        else:
            self._wbits = None
        self._chunk = max(int(buffer_size or opts.input_buffer_size or _DEFAULT_READ_CHUNK),
                          _HEADER_SIZE + _FOOTER_SIZE)
        self._file = None
        # The (length, masked length CRC) headers whose CRC matched: records of one size
        # repeat theirs, so each one's CRC is computed once (a bounded cache).
        self._checked = set()
        self._reopen()
        if offset:
            self.seek(offset)

    @property
    def path(self):
        """The file's path."""
        return self._path

    @property
    def offset(self):
        """The offset of the next record to be read."""
        return self._base + self._pos

    def tell(self):
        """Returns the offset of the next record to be read."""
        return self._base + self._pos

    def _reopen(self):
        if self._file is not None:
            self._file.close()
        self._file = _open(self._path, "rb", buffering=0)
        if self._wbits is None:
            self._source = _RawSource(self._file)
        else:
            self._source = _ZlibSource(self._file, self._wbits, self._chunk)
        # The buffered stream bytes, the read position in them, and the stream offset of
        # the buffer's first byte: the next record's offset is always ``_base + _pos``.
        self._buf = b""
        self._pos = 0
        self._base = 0

    def _fill(self, need):
        """Buffers at least ``need`` bytes past the read position; returns how many it has."""
        buf, pos = self._buf, self._pos
        avail = len(buf) - pos
        if avail >= need:
            return avail
        if self._file is None:
            raise FailedPreconditionError(None, None, "Reader for %s is closed." % self._path)
        parts = [buf[pos:]] if avail else []
        read = self._source.read
        # With a partial record left over, read just the rest of it: joining the leftover
        # to a whole new chunk would copy the chunk once more.  The next fill, from an empty
        # buffer, reads a whole chunk and keeps it as it is.
        size = need - avail if avail else max(self._chunk, need)
        try:
            while avail < need:
                data = read(min(max(size, need - avail), _MAX_READ_PIECE))
                if not data:
                    break
                parts.append(data)
                avail += len(data)
        except _StreamError as e:
            raise self._error(e.kind + " record at %d", self._base + pos, str(e)) from None
        finally:
            self._buf = parts[0] if len(parts) == 1 else b"".join(parts)
            self._base += pos
            self._pos = 0
        return avail

    def _error(self, template, offset, detail):
        return DataLossError(None, None, "%s in %s: %s" % (template % offset, self._path,
                                                           detail))

    def read_record(self):
        """Reads the next record.

        Returns:
          The record's bytes, or ``None`` at the (clean) end of the file.

        Raises:
          DataLossError: if the record is corrupted (a CRC mismatch or damaged compressed
            data) or truncated; the message names the file and the record's offset.
        """
        avail = len(self._buf) - self._pos
        if avail < _HEADER_SIZE:
            avail = self._fill(_HEADER_SIZE)
            if avail == 0:
                return None
            if avail < _HEADER_SIZE:
                raise self._error("truncated record at %d", self._base + self._pos,
                                  "the file ends %d bytes into the 12-byte record header"
                                  % avail)
        buf, pos = self._buf, self._pos
        header = _HEADER.unpack_from(buf, pos)
        if header not in self._checked and not self._check_header(buf, pos, header):
            raise self._error("corrupted record at %d", self._base + pos, "length CRC mismatch")
        length = header[0]
        total = _HEADER_SIZE + length + _FOOTER_SIZE
        if avail < total:
            avail = self._fill(total)
            if avail < total:
                raise self._error("truncated record at %d", self._base + self._pos,
                                  "the record needs %d bytes but the file ends after %d"
                                  % (total, avail))
            buf, pos = self._buf, self._pos
        start = pos + _HEADER_SIZE
        end = start + length
        data = buf[start:end]
        crc = _crc32c_value(data)
        if ((crc >> 15 | crc << 17) + MASK_DELTA) & 0xFFFFFFFF != _CRC.unpack_from(buf, end)[0]:
            raise self._error("corrupted record at %d", self._base + pos, "data CRC mismatch")
        self._pos = end + _FOOTER_SIZE
        return data

    def _check_header(self, buf, pos, header):
        """Whether the header at ``pos``, unpacked as ``header``, has a matching CRC; a
        matching one is remembered."""
        crc = _crc32c_value(buf[pos:pos + 8])
        if ((crc >> 15 | crc << 17) + MASK_DELTA) & 0xFFFFFFFF != header[1]:
            return False
        if len(self._checked) >= _CHECKED_HEADERS:
            self._checked.clear()
        self._checked.add(header)
        return True

    def _records(self, keyed=False, track=True):
        """Yields the records from the read position on, exactly as repeated
        :meth:`read_record` calls would, at a fraction of the cost per record.

        Records are checked a block at a time over the buffered bytes (see
        :meth:`_fixed_block` and :meth:`_walk_block`), or one at a time inline; anything
        else (too few bytes buffered, a CRC mismatch, the end of the file) goes through
        :meth:`read_record` for that one record, so refills, errors and their offsets are
        exactly read_record's.

        Args:
          keyed: yield ``(offset, record)`` pairs instead of records.
          track: keep :attr:`offset` current between the records (and notice reads and
            seeks made in between); without it, and with ``keyed``, the offset is only
            current once iteration ends, which suits a reader nobody else sees.
        """
        unpack_header = _HEADER.unpack_from
        unpack_crc = _CRC.unpack_from
        value = _crc32c_value
        checked = self._checked
        read = self.read_record
        last = None   # the header of the record read last
        while True:
            buf, pos = self._buf, self._pos
            if pos + _HEADER_SIZE <= len(buf):
                header = unpack_header(buf, pos)
                block = None
                if header[0] <= _BLOCK_MAX_LENGTH:
                    if header == last:
                        block = self._fixed_block(header)
                    if block is None:
                        block = self._walk_block()
                if block:
                    records, ends, last = block
                    if keyed:
                        self._pos = ends[-1] + _FOOTER_SIZE
                        start = self._base - _HEADER_SIZE
                        yield from zip([start + e - len(r) for e, r in zip(ends, records)],
                                       records)
                    elif not track:
                        self._pos = ends[-1] + _FOOTER_SIZE
                        yield from records
                    else:
                        for data, end in zip(records, ends):
                            self._pos = after = end + _FOOTER_SIZE
                            yield data
                            if self._pos != after or self._buf is not buf:
                                break   # the caller read or sought in between
                    continue
                if header in checked or self._check_header(buf, pos, header):
                    start = pos + _HEADER_SIZE
                    end = start + header[0]
                    if end + _FOOTER_SIZE <= len(buf):
                        data = buf[start:end]
                        crc = value(data)
                        if ((crc >> 15 | crc << 17) + MASK_DELTA) & 0xFFFFFFFF == \
                                unpack_crc(buf, end)[0]:
                            self._pos = end + _FOOTER_SIZE
                            last = header
                            yield (self._base + pos, data) if keyed else data
                            continue
            # Everything else, with its refills and error reports, is read_record's.
            offset = self._base + self._pos
            data = read()
            if data is None:
                return
            last = None
            yield (offset, data) if keyed else data

    def _fixed_block(self, header):
        """Checks the records of ``header``'s length from the read position on in one
        vectorized pass, up to the first that differs (another header, a bad CRC) or is not
        wholly buffered.  Returns ``(records, the buffer position where each one's data
        ends, the last one's header)``, or None when fewer than a block's worth have that
        header or the first one is bad."""
        length = header[0]
        stride = length + _HEADER_SIZE + _FOOTER_SIZE
        buf, pos = self._buf, self._pos
        count = min((len(buf) - pos) // stride, _BLOCK_RECORDS, _BLOCK_BYTES // stride)
        if count < _BLOCK_MIN_RECORDS:
            return None
        rows = np.frombuffer(buf, _block_dtype(length), count, pos)
        same = (rows["length"] == length) & (rows["length_crc"] == header[1])
        if not same.all():
            count = int(same.argmin())
            if count < _BLOCK_MIN_RECORDS:
                return None
            rows = rows[:count]
        records = rows["data"].tolist()
        count = _good_prefix(records, rows["crc"])
        if not count:
            return None
        del records[count:]
        first = pos + _HEADER_SIZE + length
        return records, range(first, first + count * stride, stride), header

    def _walk_block(self):
        """Like :meth:`_fixed_block` for records of any lengths: their headers are walked
        one by one, their data CRCs checked in one pass.  None when fewer than a block's
        worth of records are buffered."""
        buf, pos = self._buf, self._pos
        # Every record taken ends, footer included, in the buffer and in the block's bytes.
        stop = min(len(buf), pos + _BLOCK_BYTES) - _FOOTER_SIZE
        unpack_header = _HEADER.unpack_from
        checked = self._checked
        records, ends = [], []
        p = pos
        for _ in range(_BLOCK_RECORDS):
            if p + _HEADER_SIZE > stop:
                break
            header = unpack_header(buf, p)
            end = p + _HEADER_SIZE + header[0]
            if end > stop or (header not in checked and
                              not self._check_header(buf, p, header)):
                break
            records.append(buf[p + _HEADER_SIZE:end])
            ends.append(end)
            p = end + _FOOTER_SIZE
        count = len(ends)
        if count < _BLOCK_MIN_RECORDS:
            return None
        at = np.array(ends, dtype=np.intp)[:, None] + _FOOTER_COLUMNS
        stored = np.frombuffer(buf, np.uint8)[at].view("<u4").reshape(count)
        count = _good_prefix(records, stored)
        if not count:
            return None
        del records[count:]
        del ends[count:]
        last = ends[-1] - len(records[-1]) - _HEADER_SIZE
        return records, ends, unpack_header(buf, last)

    def seek(self, offset):
        """Positions the reader so that the next record is read from ``offset``.

        Args:
          offset: a record offset, as reported by :attr:`offset` (a non-record offset makes
            the next read fail with ``DataLossError``).

        Raises:
          InvalidArgumentError: if ``offset`` is negative.
          DataLossError: if the compressed data before ``offset`` is damaged.
        """
        offset = int(offset)
        if offset < 0:
            raise InvalidArgumentError(None, None, "negative offset %d for %s"
                                       % (offset, self._path))
        current = self._base + self._pos
        if offset == current:
            return
        if self._wbits is None:
            self._file.seek(offset)
            self._buf, self._pos, self._base = b"", 0, offset
            return
        if offset < current:
            self._reopen()
        while self._base + self._pos < offset:
            want = offset - self._base - self._pos
            avail = self._fill(min(want, self._chunk))
            if avail == 0:
                break   # past the end: the next read reports end of file
            self._pos += min(avail, want)

    def read(self, offset):
        """Reads the record at ``offset`` (random access, as ``tf_record_random_reader``).

        Args:
          offset: the record's offset.

        Returns:
          A tuple ``(record, next_offset)``.

        Raises:
          OutOfRangeError: if ``offset`` is at or past the end of the file.
          DataLossError: if the record is corrupted or truncated.
        """
        self.seek(offset)
        record = self.read_record()
        if record is None:
            raise OutOfRangeError(None, None, "no record at offset %d in %s (end of file)"
                                  % (offset, self._path))
        return record, self._base + self._pos

    def close(self):
        """Closes the file; idempotent."""
        f, self._file = self._file, None
        if f is not None:
            f.close()

    def __iter__(self):
        return self._records()

    def __next__(self):
        record = self.read_record()
        if record is None:
            raise StopIteration
        return record

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        self.close()


def tf_record_iterator(path, options=None):
    """Yields the records of a TFRecord file (``tf.python_io.tf_record_iterator``).

    The file is opened when iteration starts, as in TensorFlow.

    Args:
      path: the file.
      options: a :class:`TFRecordOptions`, a :class:`TFRecordCompressionType` value or a
        compression string; ``None`` for an uncompressed file.

    Yields:
      Each record's bytes, in order.

    Raises:
      NotFoundError: if the file does not exist.
      DataLossError: on a corrupted or truncated record (the message names the file and the
        record's offset); the records before it are yielded first.
    """
    with TFRecordFileReader(path, options) as reader:
        yield from reader._records(track=False)
