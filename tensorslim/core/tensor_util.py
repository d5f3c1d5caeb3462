"""Conversion between numpy arrays and ``TensorProto`` / ``TensorShapeProto`` messages.

``make_tensor_proto`` encodes the way TensorFlow does: numeric tensors of more than one
element go into ``tensor_content`` (little-endian, row-major bytes), scalars, one-element,
bool and complex tensors into the typed ``*_val`` field, strings into ``string_val``.
``MakeNdarray`` decodes every encoding TF writes, including the rule that a ``*_val``
field holding fewer values than the shape needs is padded with its last value.
"""
import operator

import numpy as np

from tensorslim.core import dtypes
from tensorslim.proto import tensor_pb2
from tensorslim.proto import tensor_shape_pb2

__all__ = [
    "make_tensor_proto", "MakeNdarray", "make_ndarray", "tensor_shape_proto",
    "shape_from_proto",
]

# DataType enum values (tensorslim/proto/types.proto).
_DT_FLOAT, _DT_DOUBLE, _DT_INT32, _DT_UINT8, _DT_INT16, _DT_INT8, _DT_STRING = 1, 2, 3, 4, 5, 6, 7
_DT_COMPLEX64, _DT_INT64, _DT_BOOL, _DT_BFLOAT16, _DT_UINT16 = 8, 9, 10, 14, 17
_DT_COMPLEX128, _DT_HALF, _DT_UINT32, _DT_UINT64 = 18, 19, 22, 23

# Types TF writes into tensor_content when the value has more than one element; bool and
# complex tensors always use their *_val field (TF's choice, kept for byte compatibility).
_CONTENT_TYPES = frozenset([_DT_FLOAT, _DT_DOUBLE, _DT_INT32, _DT_UINT8, _DT_INT16, _DT_INT8,
                            _DT_INT64, _DT_UINT16, _DT_HALF, _DT_BFLOAT16, _DT_UINT32,
                            _DT_UINT64])

# Typed field per DataType, and the numpy type its values are read back with.
_VAL_FIELD = {
    _DT_FLOAT: ("float_val", np.float32), _DT_DOUBLE: ("double_val", np.float64),
    _DT_INT32: ("int_val", np.int32), _DT_UINT8: ("int_val", np.int32),
    _DT_INT16: ("int_val", np.int32), _DT_INT8: ("int_val", np.int32),
    _DT_UINT16: ("int_val", np.int32), _DT_INT64: ("int64_val", np.int64),
    _DT_UINT32: ("uint32_val", np.uint32), _DT_UINT64: ("uint64_val", np.uint64),
    _DT_BOOL: ("bool_val", np.bool_), _DT_HALF: ("half_val", np.int32),
    _DT_BFLOAT16: ("half_val", np.int32), _DT_COMPLEX64: ("scomplex_val", np.float32),
    _DT_COMPLEX128: ("dcomplex_val", np.float64), _DT_STRING: ("string_val", object),
}


def _enum_name(enum):
    from tensorslim.proto import types_pb2  # local: only needed for error messages
    try:
        return types_pb2.DataType.Name(enum)
    except ValueError:
        return "DataType %d" % enum


def _to_bytes(value):
    """Encodes one string element the way TF does (str -> UTF-8)."""
    if isinstance(value, (bytes, np.bytes_)):
        return bytes(value)
    if isinstance(value, (str, np.str_)):
        return str(value).encode("utf-8")
    raise TypeError("Expected a string (bytes or str) element for a string tensor, got %r of "
                    "type %r." % (value, type(value).__name__))


def _string_array(values):
    """Returns an object array of ``bytes`` for nested lists / arrays of strings.

    Raises:
      ValueError: if the nesting is ragged.
      TypeError: if an element is not ``bytes`` or ``str``.
    """
    if isinstance(values, np.ndarray):
        flat = [_to_bytes(v) for v in values.ravel().tolist()]
        out = np.empty(len(flat), dtype=object)
        out[:] = flat
        return out.reshape(values.shape)

    def walk(v):
        if isinstance(v, (list, tuple, np.ndarray)):
            parts = [walk(x) for x in v]
            if any(p[0] != parts[0][0] for p in parts[1:]):
                raise ValueError("Expected a dense (non-ragged) tensor, but the elements of %r "
                                 "have different shapes." % (v,))
            sub = parts[0][0] if parts else ()
            return (len(parts),) + sub, [x for p in parts for x in p[1]]
        return (), [_to_bytes(v)]

    shape, flat = walk(values)
    out = np.empty(len(flat), dtype=object)
    out[:] = flat
    return out.reshape(shape)


def _check_compatible(kind, dtype, values):
    """Raises TypeError when Python ``values`` (numpy kind ``kind``) cannot become ``dtype``."""
    if dtype.is_bool:
        ok = kind == "b"
    elif dtype.is_integer:
        ok = kind in "biu"
    elif dtype.is_floating:
        ok = kind in "biuf"
    elif dtype.is_complex:
        ok = kind in "biufc"
    else:
        ok = False
    if not ok:
        raise TypeError("Expected %s, but got %r of type %r (numpy kind %r) which cannot be "
                        "converted without loss." % (dtype.name, values, type(values).__name__,
                                                     kind))


def _first_leaf(values):
    while isinstance(values, (list, tuple)) and values:
        values = values[0]
    return values


def _python_to_ndarray(values, dtype):
    """Converts nested Python values to an ndarray, inferring the type as TF does."""
    if (dtype is not None and dtype.base_dtype == dtypes.string) or \
            (dtype is None and isinstance(_first_leaf(values), (bytes, str))):
        return _string_array(values)
    try:
        probe = np.array(values)
    except ValueError as e:
        raise ValueError("Expected a dense (non-ragged) tensor value, got %r: %s"
                         % (values, e)) from None
    if probe.dtype.kind in "USO":
        if dtype is None:
            return _string_array(values)
        if probe.dtype.kind != "O":
            raise TypeError("Expected %s, but got string values %r." % (dtype.name, values))
        try:  # e.g. Python ints beyond int64 that numpy kept as objects
            return np.array(values, dtype=dtype.as_numpy_dtype)
        except (TypeError, ValueError, OverflowError) as e:
            raise TypeError("Cannot convert %r to a tensor of type %s: %s"
                            % (values, dtype.name, e)) from None
    if dtype is None:
        if probe.dtype == np.float64:
            return probe.astype(np.float32)  # TF: Python floats default to float32
        if probe.dtype == np.int64:
            info = np.iinfo(np.int32)
            if probe.size == 0 or (probe.min() >= info.min and probe.max() <= info.max):
                return probe.astype(np.int32)  # ...and Python ints to int32 when they fit
        return probe
    _check_compatible(probe.dtype.kind, dtype.base_dtype, values)
    try:
        return np.array(values, dtype=dtype.as_numpy_dtype)
    except OverflowError as e:
        raise ValueError("Value out of range for %s: %s" % (dtype.name, e)) from None


def _float32_to_bfloat16_bits(arr):
    """Rounds float32 values to bfloat16 (round to nearest even) and returns the bits."""
    bits = np.ascontiguousarray(arr, dtype=np.float32).view(np.uint32).astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
    nan = np.isnan(np.asarray(arr, dtype=np.float32))
    rounded = np.where(nan, (bits >> 16) | 0x40, rounded)  # keep NaNs NaN (quiet bit)
    return rounded.astype(np.uint16)


def _bfloat16_bits_to_float32(bits):
    return (np.asarray(bits).astype(np.uint32) << 16).view(np.float32)


def _as_shape_list(shape):
    """Turns a user ``shape`` argument into a list of non-negative ints."""
    if hasattr(shape, "as_list"):
        shape = shape.as_list()
    try:
        dims = list(shape)
    except TypeError:
        raise TypeError("shape must be a list/tuple of ints, got %r." % (shape,)) from None
    out = []
    for d in dims:
        d = getattr(d, "value", d)  # TF1 Dimension objects
        if d is None or (not isinstance(d, str) and _is_int(d) and operator.index(d) < 0):
            raise ValueError("make_tensor_proto needs a fully defined shape, got %r." % (shape,))
        try:
            out.append(operator.index(d))
        except TypeError:
            raise TypeError("shape must contain ints, got %r in %r." % (d, shape)) from None
    return out


def _is_int(x):
    try:
        operator.index(x)
    except TypeError:
        return False
    return True


def make_tensor_proto(values, dtype=None, shape=None, verify_shape=False,
                      allow_broadcast=False):
    """Builds a ``TensorProto`` holding ``values``.

    Numeric tensors with more than one element are stored in ``tensor_content`` (raw
    little-endian bytes), smaller, bool and complex ones in the typed ``*_val`` field, and
    strings in ``string_val``, as TensorFlow does.  When ``shape`` has more elements than
    ``values``, only the given values are stored and readers repeat the last one (so a scalar
    with ``shape=[2, 3]`` is a splat).

    Args:
      values: a numpy array or scalar, a Python scalar, ``bytes``/``str``, or nested lists
        of those.  A ``TensorProto`` is returned unchanged.
      dtype: optional element type (a tensorslim ``DType`` or anything ``as_dtype``
        accepts).  Python values must be convertible without loss (``1.5`` is not an
        int32); numpy values are cast with ``astype`` as in TF.  By default numpy arrays
        keep their type, Python floats become float32 and Python ints int32 (int64 when
        they do not fit).
      shape: optional fully defined shape.  Defaults to the shape of ``values``.
      verify_shape: if true, the shape of ``values`` must equal ``shape``.
      allow_broadcast: if true, a scalar or single-element ``values`` may fill ``shape``;
        any other size must match exactly.

    Returns:
      A ``tensorslim.proto.TensorProto``.

    Raises:
      TypeError: for unsupported or incompatible types, or when ``verify_shape`` fails.
      ValueError: for ragged values, a partially known ``shape``, more values than
        ``shape`` holds, or integers out of range.
    """
    if isinstance(values, tensor_pb2.TensorProto):
        return values
    if dtype is not None:
        dtype = dtypes.as_dtype(dtype).base_dtype
        if not dtype.is_numpy_compatible:
            raise TypeError("make_tensor_proto does not support dtype %s." % dtype.name)

    if isinstance(values, (np.ndarray, np.generic)):
        nparray = np.asarray(values)
        if nparray.dtype.kind in "USO" or (dtype is not None and dtype == dtypes.string):
            if dtype is not None and dtype != dtypes.string and nparray.dtype.kind in "US":
                raise TypeError("Expected %s, but got a numpy array of strings (%s)."
                                % (dtype.name, nparray.dtype))
            if dtype is None or dtype == dtypes.string:
                nparray = _string_array(nparray)
            else:
                nparray = _python_to_ndarray(nparray.tolist(), dtype)
        elif dtype is not None and dtype != dtypes.bfloat16:
            nparray = nparray.astype(dtype.as_numpy_dtype)
    else:
        nparray = _python_to_ndarray(values, dtype)

    if dtype is None:
        try:
            dtype = dtypes.as_dtype(nparray.dtype)
        except TypeError:
            raise TypeError("Unsupported numpy type %s for a tensor." % nparray.dtype) from None
    enum = dtype.as_datatype_enum
    if enum not in _VAL_FIELD:
        raise TypeError("make_tensor_proto does not support dtype %s." % dtype.name)

    if shape is None:
        shape = list(nparray.shape)
        is_same_size = True
    else:
        shape = _as_shape_list(shape)
        shape_size = int(np.prod(shape, dtype=np.int64))
        is_same_size = shape_size == nparray.size
        if allow_broadcast:
            if nparray.shape not in ((), (1,)) and not is_same_size:
                raise TypeError("Expected Tensor's shape: %s, but got %s."
                                % (tuple(shape), nparray.shape))
        else:
            if verify_shape and nparray.shape != tuple(shape):
                raise TypeError("Expected Tensor's shape: %s, but got %s."
                                % (tuple(shape), nparray.shape))
            if nparray.size > shape_size:
                raise ValueError("Too many elements provided. Takes at most %d, but got %d "
                                 "(shape %s)." % (shape_size, nparray.size, shape))

    proto = tensor_pb2.TensorProto(dtype=enum, tensor_shape=tensor_shape_proto(shape))
    flat = nparray.ravel()
    if enum == _DT_BFLOAT16:
        flat = _float32_to_bfloat16_bits(flat.astype(np.float32))
    if is_same_size and enum in _CONTENT_TYPES and flat.size > 1:
        raw = flat.view(np.uint16) if enum == _DT_BFLOAT16 else flat
        proto.tensor_content = raw.astype(raw.dtype.newbyteorder("<"), copy=False).tobytes()
        return proto

    field = _VAL_FIELD[enum][0]
    if enum == _DT_HALF:
        items = flat.astype(np.float16).view(np.uint16).astype(np.int32)
    elif enum == _DT_BFLOAT16:
        items = flat.astype(np.int32)
    elif enum == _DT_COMPLEX64:
        items = flat.astype(np.complex64).view(np.float32)
    elif enum == _DT_COMPLEX128:
        items = flat.astype(np.complex128).view(np.float64)
    else:
        items = flat
    getattr(proto, field).extend(items.tolist())
    return proto


def _read_varint(buf, pos):
    result = shift = 0
    while True:
        if pos >= len(buf):
            raise ValueError("Truncated varint in string tensor_content.")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7


def _decode_string_content(content, count):
    """Decodes TF's string-list encoding: ``count`` varint lengths, then the bytes."""
    lengths, pos = [], 0
    for _ in range(count):
        n, pos = _read_varint(content, pos)
        lengths.append(n)
    out = []
    for n in lengths:
        out.append(bytes(content[pos:pos + n]))
        pos += n
    if pos != len(content):
        raise ValueError("String tensor_content has %d bytes, expected %d for %d elements."
                         % (len(content), pos, count))
    return out


def MakeNdarray(tensor):  # noqa: N802 - TF's public name
    """Decodes a ``TensorProto`` into a numpy array.

    Args:
      tensor: a ``TensorProto`` (tensorslim's, or any message with the same fields).

    Returns:
      A new numpy array with the proto's shape.  Strings give an object array of
      ``bytes``; bfloat16 tensors are widened to float32 (numpy has no bfloat16).

    Raises:
      TypeError: if ``tensor`` is not a TensorProto or its dtype is not supported
        (resource, variant, quantized and float8 types).
      ValueError: if the shape is not fully defined or the stored data does not match it.
    """
    if not all(hasattr(tensor, a) for a in ("dtype", "tensor_shape", "tensor_content")):
        raise TypeError("MakeNdarray expects a TensorProto, got %r." % type(tensor).__name__)
    shape = shape_from_proto(tensor.tensor_shape)
    if shape is None or any(d is None for d in shape):
        raise ValueError("Cannot make an ndarray from a TensorProto with shape %s: the shape "
                         "must be fully defined." % (shape,))
    num_elements = int(np.prod(shape, dtype=np.int64))
    enum = tensor.dtype
    if enum > 100:  # *_REF types describe the same values
        enum -= 100
    if enum not in _VAL_FIELD:
        raise TypeError("MakeNdarray does not support tensors of type %s." % _enum_name(enum))
    np_dtype = dtypes.as_dtype(enum).as_numpy_dtype

    content = tensor.tensor_content
    if content:
        if enum == _DT_STRING:
            data = _decode_string_content(content, num_elements)
            out = np.empty(num_elements, dtype=object)
            out[:] = data
            return out.reshape(shape)
        stored = np.uint16 if enum == _DT_BFLOAT16 else np_dtype
        itemsize = np.dtype(stored).itemsize
        if len(content) != num_elements * itemsize:
            raise ValueError("tensor_content has %d bytes, but shape %s of %s needs %d."
                             % (len(content), shape, _enum_name(enum), num_elements * itemsize))
        arr = np.frombuffer(content, dtype=np.dtype(stored).newbyteorder("<"))
        if enum == _DT_BFLOAT16:
            arr = _bfloat16_bits_to_float32(arr)
        return arr.astype(np_dtype).reshape(shape)

    field, read_type = _VAL_FIELD[enum]
    if enum == _DT_STRING:
        values = np.empty(len(tensor.string_val), dtype=object)
        values[:] = [bytes(v) for v in tensor.string_val]
    else:
        values = np.array(list(getattr(tensor, field)), dtype=read_type)
        if enum in (_DT_COMPLEX64, _DT_COMPLEX128):
            if values.size % 2:
                raise ValueError("%s holds an odd number (%d) of floats; complex values need "
                                 "(real, imaginary) pairs." % (field, values.size))
            values = values.view(np.complex64 if enum == _DT_COMPLEX64 else np.complex128)
        elif enum == _DT_HALF:
            values = values.astype(np.uint16).view(np.float16)
        elif enum == _DT_BFLOAT16:
            values = _bfloat16_bits_to_float32(values.astype(np.uint16))
        else:
            values = values.astype(np_dtype)

    if values.size == num_elements:
        return values.reshape(shape)
    if values.size > num_elements:
        raise ValueError("TensorProto of type %s has %d values in %s, but shape %s holds only "
                         "%d." % (_enum_name(enum), values.size, field, shape, num_elements))
    if values.size == 0:
        if enum == _DT_STRING:
            out = np.empty(num_elements, dtype=object)
            out[:] = [b""] * num_elements
            return out.reshape(shape)
        return np.zeros(shape, dtype=np_dtype)
    # Fewer values than elements: TF repeats the last value to fill the shape.
    pad = np.full(num_elements - values.size, values[-1], dtype=values.dtype)
    return np.concatenate([values, pad]).reshape(shape)


make_ndarray = MakeNdarray


def tensor_shape_proto(dims):
    """Builds a ``TensorShapeProto``.

    Args:
      dims: ``None`` for an unknown rank, or a sequence whose entries are ints, ``None``
        (unknown dimension) or TF1-style ``Dimension`` objects with a ``.value``.  An
        object with ``as_proto()`` (a TensorShape) or a ``TensorShapeProto`` is also
        accepted.

    Returns:
      A ``tensorslim.proto.TensorShapeProto``; unknown dimensions have size -1 and an
      unknown rank sets ``unknown_rank``.

    Raises:
      TypeError: if ``dims`` is not a sequence of dimensions.
      ValueError: if a dimension is negative (other than -1 for unknown).
    """
    if isinstance(dims, tensor_shape_pb2.TensorShapeProto):
        return tensor_shape_pb2.TensorShapeProto.FromString(dims.SerializeToString())
    if dims is None:
        return tensor_shape_pb2.TensorShapeProto(unknown_rank=True)
    if hasattr(dims, "as_proto") and not isinstance(dims, (list, tuple)):
        proto = dims.as_proto()
        return tensor_shape_pb2.TensorShapeProto.FromString(proto.SerializeToString())
    if isinstance(dims, (str, bytes)) or not hasattr(dims, "__iter__"):
        raise TypeError("tensor_shape_proto expects a sequence of dimensions or None, got %r."
                        % (dims,))
    proto = tensor_shape_pb2.TensorShapeProto()
    for d in dims:
        d = getattr(d, "value", d)
        if d is None:
            size = -1
        else:
            try:
                size = operator.index(d)
            except TypeError:
                raise TypeError("Dimensions must be ints or None, got %r in %r."
                                % (d, dims)) from None
            if size < -1:
                raise ValueError("Dimension %d in %r is negative; use None or -1 for an "
                                 "unknown dimension." % (size, dims))
        proto.dim.add(size=size)
    return proto


def shape_from_proto(proto):
    """Reads a ``TensorShapeProto``.

    Args:
      proto: a ``TensorShapeProto``.

    Returns:
      ``None`` if the rank is unknown, otherwise a list of ints with ``None`` for unknown
      (-1) dimensions.  A scalar gives ``[]``.

    Raises:
      TypeError: if ``proto`` is not a TensorShapeProto.
      ValueError: if the proto is inconsistent (unknown rank with dimensions, or sizes
        below -1).
    """
    if not (hasattr(proto, "dim") and hasattr(proto, "unknown_rank")):
        raise TypeError("shape_from_proto expects a TensorShapeProto, got %r."
                        % type(proto).__name__)
    if proto.unknown_rank:
        if len(proto.dim):
            raise ValueError("TensorShapeProto has unknown_rank set but also %d dims."
                             % len(proto.dim))
        return None
    out = []
    for d in proto.dim:
        if d.size < -1:
            raise ValueError("TensorShapeProto has invalid dimension size %d." % d.size)
        out.append(None if d.size == -1 else int(d.size))
    return out
