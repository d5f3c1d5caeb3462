"""String decoding ops: ``tf.decode_raw``, ``tf.decode_csv`` and ``tf.string_to_number``.

String tensors live on the host (numpy object arrays of ``bytes``), so these ops are
host-only; their numeric outputs move to the consumer's device like any other value.
"""
import numpy as np

from tensorslim.core import dtypes as _dtypes
from tensorslim.core import errors
from tensorslim.core.graph import convert_to_tensor, name_scope
from tensorslim.core.op_util import apply_op
from tensorslim.core.registry import not_differentiable_marker, register_op
from tensorslim.core.tensor_shape import TensorShape

__all__ = ["decode_raw", "decode_csv", "string_to_number"]

_NO_GRAD = not_differentiable_marker()

_DECODE_RAW_TYPES = (_dtypes.float16, _dtypes.float32, _dtypes.float64, _dtypes.int32,
                     _dtypes.uint16, _dtypes.uint8, _dtypes.int16, _dtypes.int8, _dtypes.int64,
                     _dtypes.complex64, _dtypes.complex128, _dtypes.bool)
_CSV_TYPES = (_dtypes.float32, _dtypes.float64, _dtypes.int32, _dtypes.int64, _dtypes.string)
_NUMBER_TYPES = (_dtypes.float32, _dtypes.float64, _dtypes.int32, _dtypes.int64)


def _check_type(arg, dtype, allowed):
    if dtype not in allowed:
        raise TypeError("Value passed to parameter '%s' has DataType %s not in list of allowed "
                        "values: %s" % (arg, dtype.name, ", ".join(d.name for d in allowed)))


def _as_bytes(value):
    return value.encode("utf-8") if isinstance(value, str) else bytes(value)


def _show(value, limit=100):
    text = _as_bytes(value).decode("utf-8", "backslashreplace")
    return text if len(text) <= limit else text[:limit] + "..."


# --------------------------------------------------------------------------- DecodeRaw

def _decode_raw_shape(op):
    s = op.inputs[0].shape
    return [s.concatenate([None]) if s.ndims is not None else TensorShape(None)]


def _decode_raw_context(ctx):
    # The element types, worked out once per session: (native, stored byte order, itemsize).
    native = np.dtype(ctx.attrs["out_type"].as_numpy_dtype)
    stored = native.newbyteorder("<" if ctx.attrs["little_endian"] else ">")
    ctx.state = (native, stored, native.itemsize)


def _decode_raw_kernel(ctx, data):
    xp = ctx.xp
    native, stored, itemsize = ctx.state
    if data.ndim == 0:   # the common case: one record's bytes (tf.data map functions)
        raw = data[()]
        if type(raw) is not bytes:
            raw = _as_bytes(raw)
        if len(raw) % itemsize:
            raise errors.InvalidArgumentError(
                None, ctx.op, "Input to DecodeRaw has length %d that is not a multiple of %d, "
                "the size of %s" % (len(raw), itemsize, ctx.attrs["out_type"].name))
        values = xp.frombuffer(raw, dtype=stored)
        # Copy (frombuffer aliases the read-only record); convert when byte orders differ.
        return values.copy() if stored == native else values.astype(native)
    out_type = ctx.attrs["out_type"]
    flat = data.reshape(-1)
    if flat.size == 0:
        return xp.zeros(data.shape + (0,), dtype=native)
    if flat.size == 1:
        raw = _as_bytes(flat[0])
        if len(raw) % itemsize:
            raise errors.InvalidArgumentError(
                None, ctx.op, "Input to DecodeRaw has length %d that is not a multiple of %d, "
                "the size of %s" % (len(raw), itemsize, out_type.name))
        values = xp.frombuffer(raw, dtype=stored).astype(native)
        return values.reshape(data.shape + (len(raw) // itemsize,))
    strings = flat.tolist()
    try:
        joined = b"".join(strings)
    except TypeError:   # str elements
        strings = [_as_bytes(s) for s in strings]
        joined = b"".join(strings)
    lengths = list(map(len, strings))
    width = lengths[0]
    if lengths.count(width) != len(lengths):
        i = next(i for i, n in enumerate(lengths) if n != width)
        raise errors.InvalidArgumentError(
            None, ctx.op, "DecodeRaw requires input strings to all be the same size, but "
            "element %d has size %d != %d" % (i, width, lengths[i]))
    if width % itemsize:
        raise errors.InvalidArgumentError(
            None, ctx.op, "Input to DecodeRaw has length %d that is not a multiple of %d, the "
            "size of %s" % (width, itemsize, out_type.name))
    values = xp.frombuffer(joined, dtype=stored)
    values = values.copy() if stored == native else values.astype(native)
    return values.reshape(data.shape + (width // itemsize,))


register_op("DecodeRaw", shape=_decode_raw_shape, kernel=_decode_raw_kernel,
            make_context=_decode_raw_context, host_only=True, grad=_NO_GRAD)


def decode_raw(input_bytes=None, out_type=None, little_endian=True, name=None,
               bytes=None):  # noqa: A002 - TF's deprecated argument name
    """Reinterprets the bytes of each string as a vector of ``out_type`` numbers.

    Args:
      input_bytes: a string Tensor; every element must have the same length.
      out_type: the element type (a numeric dtype or bool).
      little_endian: whether the bytes are little-endian.
      name: the op's name.
      bytes: deprecated alias of ``input_bytes``.

    Returns:
      A Tensor of shape ``input_bytes.shape + [length / sizeof(out_type)]``.

    Raises:
      TypeError: ``out_type`` is not supported.
      ValueError: both or neither of ``input_bytes`` and ``bytes`` are given.
    """
    if input_bytes is None and bytes is None:
        raise ValueError("decode_raw needs input_bytes.")
    if input_bytes is not None and bytes is not None:
        raise ValueError("Cannot specify both 'input_bytes' and 'bytes'.")
    if input_bytes is None:
        input_bytes = bytes
    if out_type is None:
        raise TypeError("decode_raw() missing required argument 'out_type'")
    out_type = _dtypes.as_dtype(out_type).base_dtype
    _check_type("out_type", out_type, _DECODE_RAW_TYPES)
    input_bytes = convert_to_tensor(input_bytes, dtype=_dtypes.string)
    return apply_op("DecodeRaw", [input_bytes], [out_type],
                    attrs={"out_type": out_type, "little_endian": bool(little_endian)},
                    name=name or "DecodeRaw").outputs[0]


# --------------------------------------------------------------------------- DecodeCSV

def _split_quoted(record, delim, index):
    """Splits one CSV record with double-quote quoting (``""`` escapes a quote)."""
    fields = []
    i, n = 0, len(record)
    while True:
        if i < n and record[i] == '"':
            i += 1
            chunk = []
            while True:
                j = record.find('"', i)
                if j < 0:
                    raise ValueError("Quoted field has to end with quote followed by delim or "
                                     "end in record %d" % index)
                chunk.append(record[i:j])
                if j + 1 < n and record[j + 1] == '"':
                    chunk.append('"')
                    i = j + 2
                    continue
                i = j + 1
                break
            if i < n and record[i] != delim:
                raise ValueError("Quote inside a string has to be escaped by another quote "
                                 "(record %d)" % index)
            fields.append("".join(chunk))
        else:
            j = record.find(delim, i)
            field = record[i:] if j < 0 else record[i:j]
            if '"' in field:
                raise ValueError("Unquoted fields cannot have quotes/CRLFs inside (record %d)"
                                 % index)
            fields.append(field)
            i = n if j < 0 else j
        if i >= n:
            return fields
        i += 1   # skip the delimiter
        if i == n:
            fields.append("")
            return fields


def _split_record(record, delim, quoted, index):
    text = _as_bytes(record).decode("latin-1")
    if not quoted or '"' not in text:
        return text.split(delim)
    return _split_quoted(text, delim, index)


def _parse_field(text, dtype):
    if dtype is _dtypes.string:
        return text.encode("latin-1")
    if dtype.is_integer:
        value = int(text.strip())
        if not dtype.min <= value <= dtype.max:
            raise ValueError(text)
        return value
    return float(text)


def _decode_csv_kernel(ctx, records, *defaults):
    attrs = ctx.attrs
    types = attrs["OUT_TYPE"]
    delim = attrs["field_delim"]
    na_value = attrs["na_value"]
    select = list(attrs["select_cols"])
    flat = records.reshape(-1).tolist()
    n_fields = len(types)
    # One Python pass per record: CSV splitting is sequential text processing.
    rows = [_split_record(r, delim, attrs["use_quote_delim"], i) for i, r in enumerate(flat)]
    columns = [[] for _ in types]
    for index, fields in enumerate(rows):
        if select:
            if len(fields) <= select[-1]:
                raise ValueError("Expect %d fields but have %d in record %d"
                                 % (select[-1] + 1, len(fields), index))
            fields = [fields[c] for c in select]
        elif len(fields) != n_fields:
            raise ValueError("Expect %d fields but have %d in record %d"
                             % (n_fields, len(fields), index))
        for col, (text, dtype, default) in enumerate(zip(fields, types, defaults)):
            if text == "" or (na_value and text == na_value):
                if default.size == 0:
                    raise ValueError("Field %d is required but missing in record %d!"
                                     % (col, index))
                columns[col].append(default.reshape(-1)[0])
                continue
            try:
                columns[col].append(_parse_field(text, dtype))
            except ValueError:
                raise ValueError("Field %d in record %d is not a valid %s: %s"
                                 % (col, index, dtype.name, text)) from None
    outputs = []
    for col, dtype in enumerate(types):
        if dtype is _dtypes.string:
            arr = np.empty((len(flat),), dtype=object)
            arr[:] = [_as_bytes(v) for v in columns[col]]
        else:
            arr = ctx.to_device(np.asarray(columns[col], dtype=dtype.as_numpy_dtype))
        outputs.append(arr.reshape(records.shape))
    return outputs[0] if len(outputs) == 1 else tuple(outputs)


register_op("DecodeCSV", shape=lambda op: [op.inputs[0].shape for _ in op.outputs],
            kernel=_decode_csv_kernel, host_only=True, grad=_NO_GRAD)


def decode_csv(records, record_defaults, field_delim=",", use_quote_delim=True, name=None,
               na_value="", select_cols=None):
    """Parses CSV records into one Tensor per column.

    Args:
      records: a string Tensor of records (one line each).
      record_defaults: one default per column (a one-element list, or an empty list for a
        required column); its dtype (float32, float64, int32, int64, string) is the
        column's type.
      field_delim: the one-character field delimiter.
      use_quote_delim: treat double quotes as field quoting (RFC 4180).
      name: the op's name.
      na_value: a field equal to this string takes the default value.
      select_cols: the (increasing) indices of the columns to return.

    Returns:
      A list of Tensors shaped like ``records``, one per column.

    Raises:
      ValueError: ``select_cols`` is invalid or does not match ``record_defaults``.
      TypeError: a default has an unsupported dtype.
    """
    if select_cols is not None:
        select_cols = [int(c) for c in select_cols]
        if any(b <= a for a, b in zip(select_cols, select_cols[1:])):
            raise ValueError("select_cols is not strictly increasing.")
        if select_cols and select_cols[0] < 0:
            raise ValueError("select_cols contains negative values.")
        if len(select_cols) != len(record_defaults):
            raise ValueError("Length of select_cols and record_defaults do not match.")
    if len(field_delim) != 1:
        raise ValueError("field_delim should be only 1 char, got %r" % (field_delim,))
    with name_scope(name, "DecodeCSV", [records]) as scope:
        records = convert_to_tensor(records, dtype=_dtypes.string, name="records")
        defaults = []
        for i, d in enumerate(record_defaults):
            t = convert_to_tensor(d, name="record_defaults_%d" % i)
            _check_type("record_defaults", t.dtype.base_dtype, _CSV_TYPES)
            if t.shape.ndims is not None and t.shape.ndims > 1:
                raise ValueError("Shape of a default must be a length-0 or length-1 vector, "
                                 "or a scalar (record_defaults[%d] has shape %s)"
                                 % (i, t.shape))
            defaults.append(t)
        types = [t.dtype.base_dtype for t in defaults]
        op = apply_op("DecodeCSV", [records] + defaults, types,
                      attrs={"OUT_TYPE": types, "field_delim": field_delim,
                             "use_quote_delim": bool(use_quote_delim), "na_value": na_value,
                             "select_cols": select_cols or []}, name=scope)
    return op.outputs


# --------------------------------------------------------------------------- StringToNumber

def _string_to_number_kernel(ctx, strings):
    out_type = ctx.attrs["out_type"]
    np_type = out_type.as_numpy_dtype

    def parse(value):
        text = _as_bytes(value).decode("utf-8", "replace")
        try:
            number = _parse_field(text, out_type)
        except ValueError:
            raise errors.InvalidArgumentError(
                None, ctx.op, "StringToNumberOp could not correctly convert string: %s"
                % _show(value)) from None
        if out_type is _dtypes.float32 and abs(number) != float("inf") and \
                abs(number) > np.finfo(np.float32).max:
            raise errors.InvalidArgumentError(
                None, ctx.op, "StringToNumberOp could not correctly convert string: %s"
                % _show(value))
        return number

    if strings.size == 0:
        return ctx.xp.zeros(strings.shape, dtype=np_type)
    parsed = ctx.xp.frompyfunc(parse, 1, 1)(strings)
    return ctx.to_device(np.asarray(parsed, dtype=np_type).reshape(strings.shape))


register_op("StringToNumber", shape=lambda op: [op.inputs[0].shape],
            kernel=_string_to_number_kernel, host_only=True, grad=_NO_GRAD)


def string_to_number(string_tensor, out_type=_dtypes.float32, name=None):
    """Converts each string to a number of ``out_type`` (float32, float64, int32, int64).

    A string that is not a number makes the op fail with ``InvalidArgumentError``.
    """
    out_type = _dtypes.as_dtype(out_type).base_dtype
    _check_type("out_type", out_type, _NUMBER_TYPES)
    string_tensor = convert_to_tensor(string_tensor, dtype=_dtypes.string)
    return apply_op("StringToNumber", [string_tensor], [out_type], attrs={"out_type": out_type},
                    name=name or "StringToNumber").outputs[0]
