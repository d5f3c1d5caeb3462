"""TensorFlow data types (``tf.float32`` and friends) mapped onto numpy dtypes."""
import builtins

import numpy as np

__all__ = [
    "DType", "as_dtype", "float16", "half", "float32", "float64", "double", "int8", "int16",
    "int32", "int64", "uint8", "uint16", "uint32", "uint64", "bool", "string", "complex64",
    "complex128", "resource", "variant", "float16_ref", "float32_ref", "float64_ref",
    "int8_ref", "int16_ref", "int32_ref", "int64_ref", "uint8_ref", "uint16_ref", "bool_ref",
    "string_ref",
]

_REF_OFFSET = 100


class DType:
    """A TensorFlow element type: its DataType enum value, name and numpy dtype."""

    __slots__ = ("_enum", "_name", "_np")

    def __init__(self, enum, name, np_dtype):
        self._enum = enum
        self._name = name
        self._np = np_dtype

    @property
    def as_datatype_enum(self):
        """The ``DataType`` enum value used in GraphDefs and checkpoints."""
        return self._enum

    @property
    def name(self):
        return self._name

    @property
    def is_ref_dtype(self):
        return self._enum > _REF_OFFSET

    @property
    def base_dtype(self):
        return _BY_ENUM[self._enum - _REF_OFFSET] if self.is_ref_dtype else self

    @property
    def real_dtype(self):
        base = self.base_dtype
        return {complex64: float32, complex128: float64}.get(base, base)

    @property
    def _as_ref(self):
        return self if self.is_ref_dtype else _BY_ENUM[self._enum + _REF_OFFSET]

    @property
    def as_numpy_dtype(self):
        """The numpy type (``np.float32``...); strings map to ``object`` holding bytes."""
        return self.base_dtype._np

    @property
    def is_floating(self):
        return self.base_dtype in (float16, float32, float64, bfloat16)

    @property
    def is_integer(self):
        return self.base_dtype in (int8, int16, int32, int64, uint8, uint16, uint32, uint64)

    @property
    def is_unsigned(self):
        return self.base_dtype in (uint8, uint16, uint32, uint64, bool)

    @property
    def is_bool(self):
        return self.base_dtype is bool

    @property
    def is_complex(self):
        return self.base_dtype in (complex64, complex128)

    @property
    def is_numpy_compatible(self):
        return self.base_dtype not in (resource, variant)

    @property
    def is_quantized(self):
        return False

    def _limit(self, which, sign, word):
        """The ``which`` ("min" or "max") value of the base dtype; ``sign`` is -1 or 1."""
        base = self.base_dtype
        if base.is_floating:
            if base is bfloat16:
                return sign * 3.38953139e38
            return float(getattr(np.finfo(base._np), which))
        if base.is_integer:
            return int(getattr(np.iinfo(base._np), which))
        if base is bool:
            return sign > 0
        raise TypeError("Cannot find %s value of %s." % (word, self._name))

    @property
    def min(self):
        return self._limit("min", -1, "minimum")

    @property
    def max(self):
        return self._limit("max", 1, "maximum")

    @property
    def size(self):
        return np.dtype(self.as_numpy_dtype).itemsize if self.is_numpy_compatible else 1

    def is_compatible_with(self, other):
        other = as_dtype(other)
        return self._enum in (other._enum, other.base_dtype._enum) or \
            self.base_dtype._enum == other._enum

    def __eq__(self, other):
        if other is None:
            return False
        if isinstance(other, DType):
            return self._enum == other._enum
        try:
            return self._enum == as_dtype(other)._enum
        except TypeError:
            return False

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return self._enum

    def __reduce__(self):
        return as_dtype, (self._name,)

    def __repr__(self):
        return "tf." + self._name

    def __str__(self):
        return "<dtype: %r>" % self._name


def _make(enum, name, np_dtype):
    dt = DType(enum, name, np_dtype)
    ref = DType(enum + _REF_OFFSET, name + "_ref", np_dtype)
    _BY_ENUM[enum] = dt
    _BY_ENUM[enum + _REF_OFFSET] = ref
    return dt, ref


_BY_ENUM = {}
float32, float32_ref = _make(1, "float32", np.float32)
float64, float64_ref = _make(2, "float64", np.float64)
int32, int32_ref = _make(3, "int32", np.int32)
uint8, uint8_ref = _make(4, "uint8", np.uint8)
int16, int16_ref = _make(5, "int16", np.int16)
int8, int8_ref = _make(6, "int8", np.int8)
string, string_ref = _make(7, "string", np.object_)
complex64, complex64_ref = _make(8, "complex64", np.complex64)
int64, int64_ref = _make(9, "int64", np.int64)
bool, bool_ref = _make(10, "bool", np.bool_)  # noqa: A001 - TF's name
bfloat16, bfloat16_ref = _make(14, "bfloat16", np.float32)
uint16, uint16_ref = _make(17, "uint16", np.uint16)
complex128, complex128_ref = _make(18, "complex128", np.complex128)
float16, float16_ref = _make(19, "float16", np.float16)
resource, resource_ref = _make(20, "resource", np.object_)
variant, variant_ref = _make(21, "variant", np.object_)
uint32, uint32_ref = _make(22, "uint32", np.uint32)
uint64, uint64_ref = _make(23, "uint64", np.uint64)
half = float16
double = float64

_BY_NAME = {dt.name: dt for dt in _BY_ENUM.values()}
_BY_NAME.update({"half": float16, "double": float64, "float": float32, "int": int32,
                 "long": int64, "complex": complex128, "str": string, "bytes": string})
_BY_NP = {np.dtype(t._np): t for t in
          (float32, float64, int32, uint8, int16, int8, int64, bool, uint16, float16,
           uint32, uint64, complex64, complex128)}
_BY_NP[np.dtype(np.object_)] = string
_BY_PY = {float: float32, int: int32, builtins.bool: bool, str: string, bytes: string,
          complex: complex128}


def as_dtype(type_value):
    """Converts a DType, numpy dtype, enum value, Python type or name to a :class:`DType`.

    Args:
      type_value: anything naming a type: ``tf.float32``, ``np.float32``, ``"float"``, ``1``.

    Returns:
      The :class:`DType`.

    Raises:
      TypeError: if ``type_value`` names no TensorFlow type.
    """
    if isinstance(type_value, DType):
        return type_value
    if isinstance(type_value, str):
        if type_value in _BY_NAME:
            return _BY_NAME[type_value]
    elif isinstance(type_value, int) and not isinstance(type_value, builtins.bool):
        if type_value in _BY_ENUM:
            return _BY_ENUM[type_value]
    elif type_value in _BY_PY:
        return _BY_PY[type_value]
    try:
        np_dtype = np.dtype(type_value)
    except TypeError:
        np_dtype = None
    if np_dtype is not None:
        if np_dtype in _BY_NP:
            return _BY_NP[np_dtype]
        if np_dtype.kind in "SU":
            return string
    raise TypeError("Cannot convert value %r to a TensorFlow DType." % (type_value,))
