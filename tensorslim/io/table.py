"""The LevelDB-format sorted string table (SSTable) that checkpoint ``.index`` files use.

Layout (see ``shared/fixtures/FORMATS.md`` section 4.3)::

    [data block]... [metaindex block] [index block] [footer: 48 bytes]

A block holds prefix-compressed entries (``varint shared, varint unshared, varint
value_len, key delta, value``) followed by the uint32 restart offsets and their count;
each block is followed by a 5-byte trailer (compression type, masked CRC-32C of the
contents plus the type byte).  The index block maps a separator key to each data
block's handle (``varint offset, varint size``).  The footer holds the metaindex and
index handles, zero padding to 40 bytes, and the magic number.

:func:`build_table` / :class:`TableBuilder` write tables byte-identical to TF's (no
compression, 256 KiB blocks, a restart every 16 keys, LevelDB's separator shortening);
:class:`TableReader` reads them and verifies every checksum, raising
:class:`~tensorslim.core.errors.DataLossError` naming the file for any inconsistency.
"""
import struct

from tensorslim.core import errors
from tensorslim.io.crc import crc32c, masked_crc32c, unmask_crc32c

__all__ = [
    "TableBuilder", "TableReader", "build_table", "read_table", "TABLE_MAGIC",
    "FOOTER_SIZE", "DEFAULT_BLOCK_SIZE", "DEFAULT_RESTART_INTERVAL",
    "encode_varint", "decode_varint",
]

TABLE_MAGIC = 0xDB4775248B80FB57
FOOTER_SIZE = 48  # two handles padded to 2 * 20 bytes, then the 8-byte magic
DEFAULT_BLOCK_SIZE = 256 * 1024  # TF's table::Options default (LevelDB's is 4 KiB)
DEFAULT_RESTART_INTERVAL = 16
_TRAILER_SIZE = 5
_NO_COMPRESSION = 0
_SNAPPY_COMPRESSION = 1
_MAX_HANDLE_LEN = 20  # two varint64s


def encode_varint(value):
    """Returns the protobuf/LevelDB varint encoding of a non-negative integer."""
    if value < 0:
        raise ValueError("varint values must be non-negative, got %d" % value)
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def decode_varint(buf, pos, limit=None, max_bytes=10):
    """Decodes a varint from ``buf[pos:limit]``.

    Returns:
      ``(value, new_pos)``.

    Raises:
      ValueError: if the varint is truncated or longer than ``max_bytes``.
    """
    limit = len(buf) if limit is None else limit
    result = shift = 0
    for i in range(max_bytes):
        if pos >= limit:
            raise ValueError("truncated varint")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            if max_bytes == 5 and result > 0xFFFFFFFF:
                raise ValueError("varint32 overflow")
            return result, pos
        shift += 7
    raise ValueError("varint longer than %d bytes" % max_bytes)


def _shared_prefix_len(a, b):
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


def _shortest_separator(start, limit):
    """LevelDB's FindShortestSeparator: a short key k with start <= k < limit."""
    i = _shared_prefix_len(start, limit)
    if i >= min(len(start), len(limit)):
        return start  # one is a prefix of the other: no shortening
    byte = start[i]
    if byte < 0xFF and byte + 1 < limit[i]:
        return start[:i] + bytes([byte + 1])
    return start


def _short_successor(key):
    """LevelDB's FindShortSuccessor: a short key >= key."""
    for i, byte in enumerate(key):
        if byte != 0xFF:
            return key[:i] + bytes([byte + 1])
    return key


class _BlockBuilder:
    def __init__(self, restart_interval):
        self._interval = restart_interval
        self.reset()

    def reset(self):
        self._buf = bytearray()
        self._restarts = [0]
        self._counter = 0
        self._last_key = b""
        self.empty = True

    def add(self, key, value):
        shared = 0
        if self._counter < self._interval:
            shared = _shared_prefix_len(self._last_key, key)
        else:
            self._restarts.append(len(self._buf))
            self._counter = 0
        self._buf += encode_varint(shared)
        self._buf += encode_varint(len(key) - shared)
        self._buf += encode_varint(len(value))
        self._buf += key[shared:]
        self._buf += value
        self._last_key = key
        self._counter += 1
        self.empty = False

    def size_estimate(self):
        return len(self._buf) + 4 * len(self._restarts) + 4

    def finish(self):
        out = bytes(self._buf) + struct.pack(
            "<%dI" % (len(self._restarts) + 1), *self._restarts, len(self._restarts))
        self.reset()
        return out


class TableBuilder:
    """Builds an SSTable in memory, byte-identical to what TF's table builder writes.

    Keys must be added in strictly increasing bytewise order.

    Args:
      block_size: start a new data block once the current one reaches this many bytes.
      restart_interval: store a full key every this many entries.
    """

    def __init__(self, block_size=DEFAULT_BLOCK_SIZE,
                 restart_interval=DEFAULT_RESTART_INTERVAL):
        self._block_size = block_size
        self._out = bytearray()
        self._data = _BlockBuilder(restart_interval)
        self._index = _BlockBuilder(1)
        self._last_key = None
        self._pending_handle = None
        self._finished = False

    def _write_block(self, contents):
        handle = encode_varint(len(self._out)) + encode_varint(len(contents))
        trailer_type = bytes([_NO_COMPRESSION])
        self._out += contents
        self._out += trailer_type
        self._out += struct.pack("<I", masked_crc32c(contents + trailer_type))
        return handle

    def _flush(self):
        if self._data.empty:
            return
        self._pending_handle = self._write_block(self._data.finish())

    def add(self, key, value):
        """Appends one entry.

        Args:
          key: ``bytes`` (``str`` is encoded as UTF-8), greater than the previous key.
          value: ``bytes``.

        Raises:
          ValueError: if ``key`` is not greater than the previous key, or after finish().
        """
        if self._finished:
            raise ValueError("TableBuilder.add() called after finish()")
        key = key.encode("utf-8") if isinstance(key, str) else bytes(key)
        if self._last_key is not None and key <= self._last_key:
            raise ValueError("Table keys must be added in strictly increasing order: %r "
                             "after %r" % (key, self._last_key))
        if self._pending_handle is not None:
            self._index.add(_shortest_separator(self._last_key, key), self._pending_handle)
            self._pending_handle = None
        self._data.add(key, bytes(value))
        self._last_key = key
        if self._data.size_estimate() >= self._block_size:
            self._flush()

    def finish(self):
        """Writes the metaindex block, index block and footer.

        Returns:
          The complete table as ``bytes``.
        """
        if not self._finished:
            self._finished = True
            self._flush()
            meta_handle = self._write_block(_BlockBuilder(DEFAULT_RESTART_INTERVAL).finish())
            if self._pending_handle is not None:
                self._index.add(_short_successor(self._last_key), self._pending_handle)
                self._pending_handle = None
            index_handle = self._write_block(self._index.finish())
            handles = meta_handle + index_handle
            self._out += handles + b"\0" * (2 * _MAX_HANDLE_LEN - len(handles))
            self._out += struct.pack("<Q", TABLE_MAGIC)
        return bytes(self._out)


def build_table(items, block_size=DEFAULT_BLOCK_SIZE,
                restart_interval=DEFAULT_RESTART_INTERVAL):
    """Returns the bytes of an SSTable holding ``items``.

    Args:
      items: iterable of ``(key, value)`` pairs in strictly increasing key order.
      block_size: data block size threshold in bytes.
      restart_interval: entries between restart points.
    """
    builder = TableBuilder(block_size, restart_interval)
    for key, value in items:
        builder.add(key, value)
    return builder.finish()


def _snappy_decompress(data):
    """Decompresses a raw Snappy block (TF tables may use Snappy; bundles never do)."""
    size, pos = decode_varint(data, 0)
    out = bytearray()
    n = len(data)
    while pos < n:
        tag = data[pos]
        pos += 1
        kind = tag & 3
        if kind == 0:  # literal
            length = tag >> 2
            if length >= 60:
                extra = length - 59
                if pos + extra > n:
                    raise ValueError("truncated snappy literal length")
                length = int.from_bytes(data[pos:pos + extra], "little")
                pos += extra
            length += 1
            if pos + length > n:
                raise ValueError("truncated snappy literal")
            out += data[pos:pos + length]
            pos += length
            continue
        if kind == 1:
            if pos >= n:
                raise ValueError("truncated snappy copy")
            length = ((tag >> 2) & 7) + 4
            offset = ((tag >> 5) << 8) | data[pos]
            pos += 1
        else:
            width = 2 if kind == 2 else 4
            if pos + width > n:
                raise ValueError("truncated snappy copy")
            length = (tag >> 2) + 1
            offset = int.from_bytes(data[pos:pos + width], "little")
            pos += width
        if offset == 0 or offset > len(out):
            raise ValueError("bad snappy copy offset")
        for _ in range(length):  # copies may overlap their own output
            out.append(out[-offset])
    if len(out) != size:
        raise ValueError("snappy output size %d, header says %d" % (len(out), size))
    return bytes(out)


class TableReader:
    """Reads a whole SSTable, verifying the footer, every block checksum and key order.

    Args:
      path: the file to read (used in error messages).
      data: the file's bytes; read from ``path`` when None.

    Raises:
      errors.NotFoundError: if ``path`` does not exist.
      errors.DataLossError: on any truncation, checksum mismatch or inconsistency.
    """

    def __init__(self, path, data=None):
        self._path = str(path)
        if data is None:
            try:
                with open(self._path, "rb") as f:
                    data = f.read()
            except FileNotFoundError as e:
                raise errors.NotFoundError(
                    None, None, "%s; No such file or directory" % self._path) from e
            except OSError as e:
                raise errors.UnknownError(
                    None, None, "%s; %s" % (self._path, e.strerror or e)) from e
        self._data = bytes(data)
        self._keys = []
        self._values = []
        self._parse()
        self._lookup = dict(zip(self._keys, self._values))

    def _corrupt(self, detail):
        return errors.DataLossError(
            None, None, "Corrupted table file %s: %s" % (self._path, detail))

    def _decode_handle(self, buf, pos, limit, what):
        try:
            offset, pos = decode_varint(buf, pos, limit)
            size, pos = decode_varint(buf, pos, limit)
        except ValueError as e:
            raise self._corrupt("bad %s block handle (%s)" % (what, e)) from None
        return offset, size, pos

    def _read_block(self, offset, size, what):
        end = len(self._data) - FOOTER_SIZE
        if offset + size + _TRAILER_SIZE > end:
            raise self._corrupt("%s block (offset %d, size %d) extends past the end of the "
                                "block area (%d bytes); file truncated?"
                                % (what, offset, size, end))
        contents = self._data[offset:offset + size]
        ctype = self._data[offset + size]
        stored, = struct.unpack_from("<I", self._data, offset + size + 1)
        actual = crc32c(contents + bytes([ctype]))
        if unmask_crc32c(stored) != actual:
            raise self._corrupt("block checksum mismatch in %s block at offset %d"
                                % (what, offset))
        if ctype == _SNAPPY_COMPRESSION:
            try:
                contents = _snappy_decompress(contents)
            except ValueError as e:
                raise self._corrupt("bad snappy %s block at offset %d (%s)"
                                    % (what, offset, e)) from None
        elif ctype != _NO_COMPRESSION:
            raise self._corrupt("unknown block compression type %d at offset %d"
                                % (ctype, offset))
        return contents

    def _parse_block(self, block, what):
        if len(block) < 4:
            raise self._corrupt("%s block too short (%d bytes)" % (what, len(block)))
        num_restarts, = struct.unpack_from("<I", block, len(block) - 4)
        restarts_at = len(block) - 4 * (num_restarts + 1)
        if num_restarts == 0 or restarts_at < 0:
            raise self._corrupt("bad restart count %d in %s block" % (num_restarts, what))
        restarts = struct.unpack_from("<%dI" % num_restarts, block, restarts_at)
        entries = []
        starts = []
        pos = 0
        key = b""
        while pos < restarts_at:
            starts.append(pos)
            try:
                shared, pos = decode_varint(block, pos, restarts_at, 5)
                unshared, pos = decode_varint(block, pos, restarts_at, 5)
                vlen, pos = decode_varint(block, pos, restarts_at, 5)
            except ValueError as e:
                raise self._corrupt("bad entry header in %s block (%s)" % (what, e)) from None
            if shared > len(key) or pos + unshared + vlen > restarts_at:
                raise self._corrupt("bad entry in %s block" % what)
            key = key[:shared] + block[pos:pos + unshared]
            pos += unshared
            entries.append((key, block[pos:pos + vlen]))
            pos += vlen
        start_set = set(starts)
        for r in restarts:
            if entries and (r not in start_set or
                            block[r] != 0):  # a restart entry stores its full key
                raise self._corrupt("bad restart point %d in %s block" % (r, what))
        if entries and restarts[0] != 0:
            raise self._corrupt("first restart point of %s block is not 0" % what)
        return entries

    def _parse(self):
        data = self._data
        if len(data) < FOOTER_SIZE:
            raise self._corrupt("file is too short (%d bytes) to be an sstable" % len(data))
        footer = len(data) - FOOTER_SIZE
        magic, = struct.unpack_from("<Q", data, footer + 2 * _MAX_HANDLE_LEN)
        if magic != TABLE_MAGIC:
            raise self._corrupt("not an sstable (bad magic number)")
        handles_end = footer + 2 * _MAX_HANDLE_LEN
        meta_off, meta_size, pos = self._decode_handle(data, footer, handles_end, "metaindex")
        index_off, index_size, pos = self._decode_handle(data, pos, handles_end, "index")
        if any(data[pos:handles_end]):
            raise self._corrupt("non-zero footer padding")
        self._parse_block(self._read_block(meta_off, meta_size, "metaindex"), "metaindex")
        index = self._parse_block(self._read_block(index_off, index_size, "index"), "index")
        prev_end = 0
        prev_sep = None
        for sep, handle in index:
            off, size, hpos = self._decode_handle(handle, 0, len(handle), "data")
            if hpos != len(handle):
                raise self._corrupt("trailing bytes after a data block handle")
            if off < prev_end:
                raise self._corrupt("overlapping data blocks at offset %d" % off)
            prev_end = off + size + _TRAILER_SIZE
            entries = self._parse_block(self._read_block(off, size, "data"), "data")
            if not entries:
                raise self._corrupt("empty data block at offset %d" % off)
            for key, value in entries:
                if self._keys and key <= self._keys[-1]:
                    raise self._corrupt("keys out of order (%r after %r)"
                                        % (key, self._keys[-1]))
                if prev_sep is not None and key <= prev_sep:
                    raise self._corrupt("key %r not above the previous block's separator"
                                        % (key,))
                self._keys.append(key)
                self._values.append(value)
            if sep < self._keys[-1]:
                raise self._corrupt("index key %r is below its block's last key %r"
                                    % (sep, self._keys[-1]))
            prev_sep = sep
        if prev_end > min(meta_off, index_off):
            raise self._corrupt("data blocks overlap the metaindex/index blocks")

    @property
    def path(self):
        """The file name."""
        return self._path

    def keys(self):
        """Returns all keys (``bytes``) in order."""
        return list(self._keys)

    def items(self):
        """Returns all ``(key, value)`` pairs (``bytes``) in key order."""
        return list(zip(self._keys, self._values))

    def get(self, key, default=None):
        """Returns the value stored for ``key`` (``bytes`` or ``str``), or ``default``."""
        key = key.encode("utf-8") if isinstance(key, str) else key
        return self._lookup.get(key, default)

    def __contains__(self, key):
        key = key.encode("utf-8") if isinstance(key, str) else key
        return key in self._lookup

    def __len__(self):
        return len(self._keys)

    def __iter__(self):
        return iter(self.items())


def read_table(path):
    """Returns the ``(key, value)`` pairs of the SSTable at ``path`` (see TableReader)."""
    return TableReader(path).items()
