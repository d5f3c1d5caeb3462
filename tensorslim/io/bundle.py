"""TF's V2 tensor bundle: the ``.index`` + ``.data-?????-of-?????`` pair of a checkpoint.

``prefix.index`` is an SSTable (:mod:`tensorslim.io.table`) whose empty key holds a
``BundleHeaderProto`` and whose other keys, the tensor names in bytewise order, hold a
``BundleEntryProto`` each (dtype, shape, shard, offset, size, masked CRC-32C).  The data
files hold the tensors back to back, in key order, without padding: numeric tensors as
their little-endian C-order bytes, string tensors as the varint64 lengths, a masked
CRC-32C of the lengths (each taken as a 4-byte little-endian integer) and the bytes.

:func:`write_bundle` writes files byte-identical to TF's ``BundleWriter``;
:class:`BundleReader` reads single- and multi-shard bundles and verifies every checksum.
"""
import difflib
import math
import os
import struct

import numpy as np
from google.protobuf.message import DecodeError

from tensorslim.core import dtypes as _dtypes
from tensorslim.core import errors
from tensorslim.io import gfile
from tensorslim.io.crc import MASK_DELTA, crc32c, unmask_crc32c
from tensorslim.io.table import TableReader, build_table, decode_varint, encode_varint
from tensorslim.proto import tensor_bundle_pb2, types_pb2

__all__ = [
    "BundleReader", "write_bundle", "merge_bundles", "data_filename", "index_filename",
    "BUNDLE_VERSION",
]

BUNDLE_VERSION = 1  # VersionDef.producer TF writes; readers accept consumers >= 0
_MIN_PRODUCER = 0
_HEADER_KEY = b""
_DT_STRING = 7
_DT_BFLOAT16 = 14

# DataType enum -> little-endian numpy storage dtype of one element.
_STORAGE = {
    1: "<f4", 2: "<f8", 3: "<i4", 4: "u1", 5: "<i2", 6: "i1", 8: "<c8", 9: "<i8", 10: "?",
    11: "i1", 12: "u1", 13: "<i4", 14: "<u2", 15: "<i2", 16: "<u2", 17: "<u2", 18: "<c16",
    19: "<f2", 22: "<u4", 23: "<u8",
}


def index_filename(prefix):
    """Returns the ``.index`` file name of a checkpoint prefix."""
    return "%s.index" % prefix


def data_filename(prefix, shard_id=0, num_shards=1):
    """Returns the name of data shard ``shard_id`` of ``num_shards`` for ``prefix``."""
    return "%s.data-%05d-of-%05d" % (prefix, shard_id, num_shards)


def _key_bytes(name):
    if isinstance(name, bytes):
        return name
    if isinstance(name, str):
        return name.encode("utf-8", "surrogateescape")
    raise TypeError("Tensor names must be str or bytes, got %r" % (name,))


def _key_str(key):
    return key.decode("utf-8", "surrogateescape")


def _as_array(value):
    """Converts a value to an ndarray, keeping byte strings as an object array of bytes."""
    if isinstance(value, np.ndarray):
        arr = value
    else:
        arr = np.asarray(value)
        if arr.dtype.kind in "SU":
            # np.asarray would give fixed-width 'S' arrays, which drop trailing NUL bytes.
            arr = _to_object_array(value, arr.shape)
    return arr


def _to_object_array(value, shape):
    out = np.empty(shape, dtype=object)
    for index in np.ndindex(*shape):
        item = value
        for i in index:
            item = item[i]
        out[index] = item
    return out


def _element_bytes(item, name):
    if isinstance(item, bytes):
        return item
    if isinstance(item, str):
        return item.encode("utf-8")
    if isinstance(item, (bytearray, memoryview)):
        return bytes(item)
    raise TypeError("Tensor %r: string tensors must hold bytes or str, got %r"
                    % (name, type(item).__name__))


def _encode_string_tensor(arr, name):
    """Returns (payload bytes, raw crc32c) in TF's on-disk string tensor layout."""
    elements = [_element_bytes(x, name) for x in arr.reshape(-1)]
    lengths = bytearray()
    crc = 0
    for elem in elements:
        n = len(elem)
        lengths += encode_varint(n)
        # The checksum covers each length as a fixed-width LE integer, not the varint.
        crc = crc32c(struct.pack("<I", n) if n <= 0xFFFFFFFF else struct.pack("<Q", n), crc)
    length_checksum = struct.pack("<I", _mask(crc))
    crc = crc32c(length_checksum, crc)
    body = b"".join(elements)
    crc = crc32c(body, crc)
    return bytes(lengths) + length_checksum + body, crc


def _mask(crc):
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + MASK_DELTA) & 0xFFFFFFFF


def _prepare(name, value):
    """Returns (key bytes, dtype enum, shape, payload, raw crc or None) for one tensor."""
    arr = _as_array(value)
    if arr.dtype.kind in "OSU":
        payload, crc = _encode_string_tensor(arr, name)
        return _key_bytes(name), _DT_STRING, arr.shape, payload, crc
    try:
        dtype = _dtypes.as_dtype(arr.dtype.newbyteorder("="))  # '>f4' is float32 too
    except TypeError:
        raise TypeError("Tensor %r: dtype %s cannot be stored in a checkpoint"
                        % (name, arr.dtype)) from None
    enum = dtype.as_datatype_enum
    if enum not in _STORAGE or enum == _DT_BFLOAT16:
        raise TypeError("Tensor %r: dtype %s cannot be stored in a checkpoint"
                        % (name, arr.dtype))
    # A flat byte view of the (little-endian, C-order) values: no copy when the array is
    # already laid out that way; the view is checksummed and written as it is.
    payload = np.ascontiguousarray(arr, dtype=np.dtype(_STORAGE[enum])).reshape(-1)
    # The checksum is taken when the payload is written (crc None here).
    return _key_bytes(name), enum, arr.shape, payload.view(np.uint8), None


def _entry_proto(enum, shape, shard_id, offset, size, crc):
    entry = tensor_bundle_pb2.BundleEntryProto()
    entry.dtype = enum
    entry.shape.SetInParent()  # scalars still carry an (empty) shape: bytes 12 00
    for d in shape:
        entry.shape.dim.add(size=int(d))
    entry.shard_id = shard_id
    entry.offset = offset
    entry.size = size
    entry.crc32c = _mask(crc)
    return entry


def _header_proto(num_shards, endianness=0, version=None):
    header = tensor_bundle_pb2.BundleHeaderProto()
    header.num_shards = num_shards
    header.endianness = endianness
    if version is None:
        header.version.producer = BUNDLE_VERSION
    else:
        header.version.CopyFrom(version)
    return header


def _ensure_parent_dir(prefix):
    # As TF's BundleWriter: create the prefix's directory, but not its ancestors.
    parent = os.path.dirname(prefix)
    if parent and not os.path.isdir(parent):
        try:
            gfile.MkDir(parent)
        except errors.AlreadyExistsError:
            pass


def write_bundle(prefix, tensors):
    """Writes ``tensors`` as a V2 checkpoint bundle at ``prefix``.

    Produces ``prefix.data-00000-of-00001`` then ``prefix.index``, each written to a
    temporary file and renamed into place, so readers never see a partial file.  The
    output is byte-identical to what TF's ``BundleWriter`` (``tf.train.Saver``) writes
    for the same tensors.

    Args:
      prefix: the checkpoint prefix, e.g. ``"/tmp/model.ckpt-3"``.
      tensors: a dict (or iterable of pairs) mapping names (``str``/``bytes``) to numpy
        arrays or array-likes.  Numeric dtypes are stored as is (int64 stays int64);
        object/``bytes``/``str`` arrays become ``DT_STRING`` tensors (``str`` is UTF-8
        encoded).

    Returns:
      The list of names written, in the order they are stored (bytewise sorted).

    Raises:
      TypeError: for an unsupported dtype or string element.
      errors.InvalidArgumentError: for an empty name or two names that are the same key.
      errors.NotFoundError: if the prefix's grandparent directory does not exist.
    """
    prefix = gfile._path(prefix)
    pairs = tensors.items() if hasattr(tensors, "items") else tensors
    prepared = {}
    for name, value in pairs:
        key, enum, shape, payload, crc = _prepare(name, value)
        if key == _HEADER_KEY:
            raise errors.InvalidArgumentError(
                None, None, "The empty tensor name is reserved for the bundle header")
        if key in prepared:
            raise errors.InvalidArgumentError(None, None, "Adding duplicate key: %r" % name)
        prepared[key] = (enum, shape, payload, crc)
    keys = sorted(prepared)
    _ensure_parent_dir(prefix)

    entries = []
    offset = 0
    data_file = gfile.AtomicFile(data_filename(prefix))
    try:
        for key in keys:
            enum, shape, payload, crc = prepared[key]
            if crc is None:
                crc = crc32c(payload)
            data_file.write(payload)
            entries.append((key, _entry_proto(enum, shape, 0, offset, len(payload), crc)))
            offset += len(payload)
        index = _index_bytes(_header_proto(1), entries)
    except BaseException:
        data_file.discard()
        raise
    # The data file is complete (fsynced and renamed) before the index that points into it
    # appears; one directory fsync then covers both renames.
    data_file.commit(sync_dir=False)
    _write_index_bytes(prefix, index)
    return [_key_str(k) for k in keys]


def _index_bytes(header, entries):
    items = [(_HEADER_KEY, header.SerializeToString())]
    items.extend((key, entry.SerializeToString()) for key, entry in entries)
    return build_table(items)


def _write_index_bytes(prefix, index):
    gfile.atomic_write(index_filename(prefix), index)


def _write_index(prefix, header, entries):
    _write_index_bytes(prefix, _index_bytes(header, entries))


def _num_elements(shape):
    return math.prod(shape)


class BundleReader:
    """Reads a V2 checkpoint bundle (``tf.train.NewCheckpointReader`` semantics).

    The index is read and validated when the reader is created; data files are opened
    on first use.  Every tensor read is checked against its stored CRC-32C.

    Args:
      prefix: the checkpoint prefix (the ``.index`` file name without ``.index``).

    Raises:
      errors.NotFoundError: if ``prefix.index`` does not exist.
      errors.DataLossError: if the index is truncated, corrupt or inconsistent.
      errors.InvalidArgumentError: if the bundle was written by an incompatible version.
    """

    def __init__(self, prefix):
        self._prefix = gfile._path(prefix)
        self._index_path = index_filename(self._prefix)
        if not os.path.isfile(self._index_path):
            raise errors.NotFoundError(
                None, None, "Unsuccessful TensorSliceReader constructor: Failed to find any "
                "matching files for %s (no file %s)" % (self._prefix, self._index_path))
        table = TableReader(self._index_path)
        items = table.items()
        if not items or items[0][0] != _HEADER_KEY:
            raise self._corrupt_index("no header entry")
        self._header = tensor_bundle_pb2.BundleHeaderProto()
        try:
            self._header.ParseFromString(items[0][1])
        except DecodeError:
            raise self._corrupt_index("unable to parse header") from None
        self._num_shards = self._header.num_shards
        if self._num_shards < 1:
            raise self._corrupt_index("header says num_shards = %d" % self._num_shards)
        if self._header.endianness not in (0, 1):
            raise self._corrupt_index("bad endianness %d" % self._header.endianness)
        self._check_version(self._header.version)
        self._order = ">" if self._header.endianness == 1 else "<"
        self._entries = {}
        self._names = []
        sliced = False
        for key, value in items[1:]:
            entry = tensor_bundle_pb2.BundleEntryProto()
            try:
                entry.ParseFromString(value)
            except DecodeError:
                raise self._corrupt_index("entry for key %r not parseable" % key) from None
            self._validate_entry(key, entry)
            sliced = sliced or bool(entry.slices)
            self._entries[key] = entry
        # Slices of partitioned variables are stored under encoded keys starting with a
        # NUL byte; the variable maps list only the full tensors, as TF's reader does.
        self._names = [_key_str(k) for k in self._entries
                       if not (sliced and k.startswith(b"\x00"))]
        self._files = {}

    def _corrupt_index(self, detail):
        return errors.DataLossError(
            None, None, "Unable to read checkpoint index %s: %s" % (self._index_path, detail))

    def _check_version(self, version):
        if version.producer < _MIN_PRODUCER:
            raise errors.InvalidArgumentError(
                None, None, "Checkpoint %s: producer version %d below the minimum %d"
                % (self._prefix, version.producer, _MIN_PRODUCER))
        if version.min_consumer > BUNDLE_VERSION:
            raise errors.InvalidArgumentError(
                None, None, "Checkpoint %s needs a reader of version >= %d; this one is %d"
                % (self._prefix, version.min_consumer, BUNDLE_VERSION))
        if BUNDLE_VERSION in version.bad_consumers:
            raise errors.InvalidArgumentError(
                None, None, "Checkpoint %s disallows reader version %d"
                % (self._prefix, BUNDLE_VERSION))

    def _validate_entry(self, key, entry):
        name = _key_str(key)
        if entry.dtype == 0 or entry.dtype not in types_pb2.DataType.values():
            raise self._corrupt_index("tensor %r has invalid dtype %d" % (name, entry.dtype))
        dims = [d.size for d in entry.shape.dim]
        if entry.shape.unknown_rank or any(d < 0 for d in dims):
            raise self._corrupt_index("tensor %r has invalid shape %s" % (name, dims))
        if entry.slices:
            return  # a partitioned variable's full-tensor entry holds no data itself
        if not 0 <= entry.shard_id < self._num_shards:
            raise self._corrupt_index("tensor %r has shard_id %d, but the bundle has %d "
                                      "shard(s)" % (name, entry.shard_id, self._num_shards))
        if entry.offset < 0 or entry.size < 0:
            raise self._corrupt_index("tensor %r has offset %d, size %d"
                                      % (name, entry.offset, entry.size))
        n = _num_elements(dims)
        if entry.dtype == _DT_STRING:
            if entry.size != 0 and entry.size < n + 4:
                raise self._corrupt_index("tensor %r: stored size %d, expected at least %d"
                                          % (name, entry.size, n + 4))
        elif entry.dtype in _STORAGE:
            expected = n * np.dtype(_STORAGE[entry.dtype]).itemsize
            if entry.size != expected:
                raise self._corrupt_index("tensor %r: stored size %d, expected %d"
                                          % (name, entry.size, expected))

    @property
    def prefix(self):
        """The checkpoint prefix."""
        return self._prefix

    @property
    def num_shards(self):
        """The number of data files."""
        return self._num_shards

    @property
    def header(self):
        """The ``BundleHeaderProto``."""
        return self._header

    def keys(self):
        """Returns the tensor names, in stored (bytewise sorted) order."""
        return list(self._names)

    def __iter__(self):
        return iter(self.keys())

    def __len__(self):
        return len(self._names)

    def __contains__(self, name):
        return self.has_tensor(name)

    def has_tensor(self, name):
        """Returns True if the bundle holds a tensor called ``name``."""
        try:
            return _key_bytes(name) in self._entries
        except TypeError:
            return False

    def get_entry(self, name):
        """Returns the ``BundleEntryProto`` stored for ``name``.

        Raises:
          errors.NotFoundError: if there is no such tensor.
        """
        key = _key_bytes(name)
        entry = self._entries.get(key)
        if entry is None:
            close = difflib.get_close_matches(_key_str(key), self._names, n=5)
            hint = (" Close matches: %s." % ", ".join(close)) if close else ""
            raise errors.NotFoundError(
                None, None, "Key %s not found in checkpoint %s.%s" % (_key_str(key),
                                                                       self._prefix, hint))
        return entry

    def get_variable_to_shape_map(self):
        """Returns ``{name: [dim, ...]}`` for every tensor."""
        return {n: [d.size for d in self._entries[_key_bytes(n)].shape.dim]
                for n in self._names}

    def get_variable_to_dtype_map(self):
        """Returns ``{name: DType}`` for every tensor (the raw enum if tensorslim lacks it)."""
        out = {}
        for n in self._names:
            enum = self._entries[_key_bytes(n)].dtype
            try:
                out[n] = _dtypes.as_dtype(enum)
            except TypeError:
                out[n] = enum
        return out

    def debug_string(self):
        """Returns TF's listing: one ``b"name (DT_FLOAT) [2,3]\\n"`` line per tensor."""
        lines = []
        for n in self._names:
            entry = self._entries[_key_bytes(n)]
            if entry.slices:
                continue
            dims = ",".join(str(d.size) for d in entry.shape.dim)
            lines.append("%s (%s) [%s]\n" % (n, types_pb2.DataType.Name(entry.dtype), dims))
        return "".join(lines).encode("utf-8", "surrogateescape")

    def _read(self, name, entry, into=None):
        path = data_filename(self._prefix, entry.shard_id, self._num_shards)
        f = self._files.get(path)
        if f is None:
            try:
                f = open(path, "rb")
            except FileNotFoundError:
                raise errors.NotFoundError(
                    None, None, "Data file %s of checkpoint %s not found (needed for tensor "
                    "%s)" % (path, self._prefix, name)) from None
            except OSError as e:
                raise errors.UnknownError(None, None, "%s; %s" % (path, e.strerror)) from e
            self._files[path] = f
        f.seek(entry.offset)
        if into is None:
            data = f.read(entry.size)
            got = len(data)
        else:
            data = into
            got = f.readinto(memoryview(into).cast("B")) if entry.size else 0
        if got != entry.size:
            raise errors.DataLossError(
                None, None, "Reading tensor %s from %s: expected %d bytes at offset %d, got %d "
                "(file truncated?)" % (name, path, entry.size, entry.offset, got))
        return path, data

    def get_tensor(self, name):
        """Reads one tensor.

        Args:
          name: the tensor name (``str`` or ``bytes``).

        Returns:
          A numpy array of the stored shape.  String tensors are object arrays of
          ``bytes``; bfloat16 tensors are widened to float32.

        Raises:
          errors.NotFoundError: if there is no such tensor (the message lists close
            matches) or its data file is missing.
          errors.DataLossError: if the data is truncated or its checksum does not match.
          errors.UnimplementedError: for partitioned variables and dtypes tensorslim
            cannot represent (resource, variant, float8, int4).
        """
        entry = self.get_entry(name)
        name = _key_str(_key_bytes(name))
        if entry.slices:
            raise errors.UnimplementedError(
                None, None, "Tensor %s of checkpoint %s is a partitioned variable (%d "
                "slices); reading slices is not implemented" % (name, self._prefix,
                                                                 len(entry.slices)))
        shape = tuple(d.size for d in entry.shape.dim)
        if entry.dtype != _DT_STRING and entry.dtype not in _STORAGE:
            raise errors.UnimplementedError(
                None, None, "Tensor %s of checkpoint %s has dtype %s, which tensorslim cannot "
                "read" % (name, self._prefix, types_pb2.DataType.Name(entry.dtype)))
        if entry.dtype == _DT_STRING:
            path, data = self._read(name, entry)
            return self._decode_strings(name, path, entry, shape, data)
        # Numeric tensors are read straight into the array that is returned (no copy).
        storage = np.dtype(_STORAGE[entry.dtype]).newbyteorder(self._order)
        flat = np.empty(_num_elements(shape), dtype=storage)
        path, _ = self._read(name, entry, into=flat.view(np.uint8))
        self._check_crc(name, path, entry, crc32c(flat.view(np.uint8)))
        if entry.dtype == _DT_BFLOAT16:
            return (flat.astype(np.uint32) << 16).view(np.float32).reshape(shape)
        if not storage.isnative:
            flat.byteswap(inplace=True)
            flat = flat.view(storage.newbyteorder("="))
        return flat.reshape(shape)

    def _check_crc(self, name, path, entry, actual):
        stored = unmask_crc32c(entry.crc32c)
        if stored != actual:
            raise errors.DataLossError(
                None, None, "Checksum does not match for tensor %s in %s (%d bytes at offset "
                "%d): stored %08x vs. calculated on the restored bytes %08x"
                % (name, path, entry.size, entry.offset, stored, actual))

    def _decode_strings(self, name, path, entry, shape, data):
        n = _num_elements(shape)
        out = np.empty(n, dtype=object)
        if entry.size == 0:
            # TF writes at least the length checksum, but reads a 0-byte entry as empties.
            self._check_crc(name, path, entry, 0)
            out[:] = [b""] * n
            return out.reshape(shape)

        def bad(detail):
            return errors.DataLossError(
                None, None, "String tensor %s in %s (offset %d) is corrupt: %s"
                % (name, path, entry.offset, detail))

        pos = 0
        crc = 0
        lengths = []
        fmt_wide = struct.Struct("<Q") if self._order == "<" else struct.Struct(">Q")
        fmt_narrow = struct.Struct("<I") if self._order == "<" else struct.Struct(">I")
        for _ in range(n):
            try:
                length, pos = decode_varint(data, pos)
            except ValueError as e:
                raise bad("bad length varint (%s)" % e) from None
            lengths.append(length)
            packed = fmt_narrow.pack(length) if length <= 0xFFFFFFFF else fmt_wide.pack(length)
            crc = crc32c(packed, crc)
        if pos + 4 > len(data):
            raise bad("lengths run past the entry's %d bytes" % entry.size)
        stored_checksum, = fmt_narrow.unpack_from(data, pos)
        if unmask_crc32c(stored_checksum) != crc:
            raise bad("the length checksum does not match")
        crc = crc32c(data[pos:pos + 4], crc)
        pos += 4
        if pos + sum(lengths) != len(data):
            raise bad("lengths add up to %d bytes, the entry holds %d"
                      % (pos + sum(lengths), len(data)))
        crc = crc32c(data[pos:], crc)
        self._check_crc(name, path, entry, crc)
        for i, length in enumerate(lengths):
            out[i] = data[pos:pos + length]
            pos += length
        return out.reshape(shape)

    def close(self):
        """Closes any open data files."""
        for f in self._files.values():
            f.close()
        self._files = {}

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def __del__(self):
        for f in getattr(self, "_files", {}).values():
            f.close()


def merge_bundles(prefixes, merged_prefix, delete_old_dirs=False):
    """Merges single-writer bundles into one multi-shard bundle (TF's MergeV2Checkpoints).

    Each source data file is renamed to ``merged_prefix.data-<i>-of-<n>`` and a merged
    index with ``num_shards = n`` is written; the source ``.index`` files are deleted.

    Args:
      prefixes: the source prefixes, e.g. the per-device temporary shards of a save.
      merged_prefix: the prefix of the result.
      delete_old_dirs: also remove the source prefixes' directories once empty.

    Raises:
      errors.InvalidArgumentError: if a source is missing, or two sources hold the same
        (non-partitioned) tensor, or their endianness or versions differ.
    """
    merged_prefix = gfile._path(merged_prefix)
    entries = {}
    shard_ids = {}
    header = None
    num_shards = 0
    for prefix in prefixes:
        prefix = gfile._path(prefix)
        if not os.path.isfile(index_filename(prefix)):
            raise errors.InvalidArgumentError(
                None, None, "Checkpoint prefix %s to merge does not exist" % prefix)
        reader = BundleReader(prefix)
        h = reader.header
        if header is None:
            header = h
        elif (h.endianness != header.endianness or
              h.version.SerializeToString() != header.version.SerializeToString()):
            raise errors.InvalidArgumentError(
                None, None, "Merging bundles with conflicting endianness or versions: %s"
                % prefix)
        num_shards += h.num_shards
        for key, entry in reader._entries.items():
            if key in entries:
                if not entry.slices or not entries[key].slices:
                    raise errors.InvalidArgumentError(
                        None, None, "Duplicate tensor keyed by %s encountered, when merging "
                        "prefix: %s" % (_key_str(key), prefix))
                entries[key].slices.extend(entry.slices)
                continue
            src = data_filename(prefix, entry.shard_id, h.num_shards)
            new = tensor_bundle_pb2.BundleEntryProto()
            new.CopyFrom(entry)
            if not entry.slices:
                new.shard_id = shard_ids.setdefault(src, len(shard_ids))
            entries[key] = new
        reader.close()
    if header is None:
        raise errors.InvalidArgumentError(
            None, None, "At least one prefix checkpoint file must exist, but none existed.")
    _ensure_parent_dir(merged_prefix)
    for src, shard in shard_ids.items():
        gfile.Rename(src, data_filename(merged_prefix, shard, len(shard_ids)), overwrite=True)
    # TF sums the sources' num_shards; counting the data files moved is the same for
    # non-empty sources and keeps the file names consistent when a source is empty.
    num_shards = max(1, len(shard_ids))
    _write_index(merged_prefix, _header_proto(num_shards, header.endianness, header.version),
                 sorted(entries.items()))
    for prefix in prefixes:
        prefix = gfile._path(prefix)
        if os.path.abspath(prefix) != os.path.abspath(merged_prefix):
            try:
                gfile.Remove(index_filename(prefix))
            except errors.NotFoundError:
                pass
        if delete_old_dirs:
            try:
                os.rmdir(os.path.dirname(prefix) or ".")
            except OSError:
                pass
