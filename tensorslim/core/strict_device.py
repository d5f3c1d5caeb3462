"""A strict stand-in for cupy, so the GPU code path is exercised on machines without a GPU.

``StrictArray`` wraps a host ``numpy.ndarray`` but follows cupy's rules about numpy:

* implicit conversion to numpy (``np.asarray(x)``, ``np.array(x)``) raises ``TypeError``;
* numpy ufuncs and functions that mix a ``numpy.ndarray`` with a ``StrictArray`` raise
  ``TypeError``; calls whose array arguments are all ``StrictArray`` (plus Python and numpy
  scalars) work and return ``StrictArray``, as numpy calls on cupy arrays return cupy arrays;
* reductions and scalar indexing return 0-d arrays rather than numpy scalars;
* ``.get()``, ``.item()``, ``.tolist()``, ``float()``, ``int()`` and ``bool()`` are the
  explicit ways back to the host.

``strict_xp`` is the matching array module: ``strict_xp.<name>`` is numpy's ``<name>`` with
``StrictArray`` arguments unwrapped and array results wrapped, and any plain
``numpy.ndarray`` argument rejected. Like ``cupy.asarray``, only ``strict_xp.asarray`` and
``strict_xp.array`` accept host arrays (they model the host-to-device copy).

Only :mod:`tensorslim.core.devices` imports this module, when the strict test device is
enabled; kernels reach it as ``ctx.xp`` or through ``devices.get_array_module``.
"""
import numbers
import types

import numpy as np
from numpy.lib.mixins import NDArrayOperatorsMixin

__all__ = ["StrictArray", "strict_xp", "get_array_module"]

_CONVERSION_MESSAGE = (
    "Implicit conversion to a NumPy array is not allowed. "
    "Please use `.get()` to construct a NumPy array explicitly.")


def _mixing_error(what, obj):
    return TypeError(
        f"Unsupported type {type(obj)} in {what}: arrays on the strict test device (a stand-in "
        f"for cupy) cannot be mixed with host values of this type. Move data explicitly "
        f"(Device.to_device / Device.to_host, xp.asarray, .get()).")


def _name_of(func):
    return getattr(func, "__name__", repr(func))


def _unwrap(obj, what):
    """Replaces StrictArrays by their numpy base; a plain numpy.ndarray raises TypeError."""
    if isinstance(obj, StrictArray):
        return obj._a
    if isinstance(obj, np.ndarray):
        raise _mixing_error(what, obj)
    if isinstance(obj, list):
        return [_unwrap(x, what) for x in obj]
    if isinstance(obj, tuple):
        items = [_unwrap(x, what) for x in obj]
        return type(obj)(*items) if hasattr(obj, "_fields") else tuple(items)
    if isinstance(obj, dict):
        return {k: _unwrap(v, what) for k, v in obj.items()}
    return obj


def _unwrap_lenient(obj):
    """Like ``_unwrap`` but host arrays pass (cupy copies them to the device)."""
    if isinstance(obj, StrictArray):
        return obj._a
    if isinstance(obj, list):
        return [_unwrap_lenient(x) for x in obj]
    if type(obj) is tuple:
        return tuple(_unwrap_lenient(x) for x in obj)
    return obj


def _unwrap_operand(obj, what):
    """A ufunc operand: StrictArray or scalar only (cupy rejects lists and numpy arrays)."""
    if isinstance(obj, StrictArray):
        return obj._a
    if isinstance(obj, (numbers.Number, np.generic)) and not isinstance(obj, np.ndarray):
        return obj
    raise _mixing_error(what, obj)


def _wrap(obj):
    """Wraps numpy arrays and numpy scalars (as 0-d arrays, like cupy) in results."""
    if isinstance(obj, np.ndarray):
        return StrictArray(obj)
    if isinstance(obj, np.generic):
        return StrictArray(np.asarray(obj))
    if isinstance(obj, tuple):
        items = [_wrap(x) for x in obj]
        return type(obj)(*items) if hasattr(obj, "_fields") else tuple(items)
    if isinstance(obj, list) and obj and isinstance(obj[0], (np.ndarray, np.generic)):
        return [_wrap(x) for x in obj]
    return obj


def _apply_ufunc(ufunc, method, inputs, kwargs):
    """Runs ``ufunc.method`` on unwrapped operands; results wrapped, ``out`` objects kept."""
    what = f"{ufunc.__name__}.{method}" if method != "__call__" else ufunc.__name__
    if method in ("__call__", "outer"):
        raw_inputs = [_unwrap_operand(x, what) for x in inputs]
    else:
        raw_inputs = [_unwrap_operand(inputs[0], what)]
        raw_inputs += [_unwrap(x, what) for x in inputs[1:]]
    out = kwargs.pop("out", None)
    raw_kwargs = _unwrap(kwargs, what)
    if out is not None:
        out = out if isinstance(out, tuple) else (out,)
        for o in out:
            if o is not None and not isinstance(o, StrictArray):
                raise _mixing_error(f"{what} (out=)", o)
        raw_kwargs["out"] = tuple(None if o is None else o._a for o in out)
    result = getattr(ufunc, method)(*raw_inputs, **raw_kwargs)
    if method == "at":
        return None
    if out is None:
        return _wrap(result)
    results = result if isinstance(result, tuple) else (result,)
    merged = tuple(o if o is not None else _wrap(r) for o, r in zip(out, results))
    return merged[0] if len(merged) == 1 else merged


class StrictArray(NDArrayOperatorsMixin):
    """A host array that behaves like a ``cupy.ndarray`` towards numpy (see the module doc).

    Args:
      array: the ``numpy.ndarray`` to wrap; it is not copied.
    """

    __slots__ = ("_a",)

    def __init__(self, array):
        if not isinstance(array, np.ndarray):
            raise TypeError(f"StrictArray wraps a numpy.ndarray, got {type(array)}")
        self._a = array

    # -- the numpy protocols: this is where mixing is caught
    def __array__(self, dtype=None, copy=None):
        raise TypeError(_CONVERSION_MESSAGE)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return _apply_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        if not all(issubclass(t, (StrictArray, np.ndarray)) for t in types):
            return NotImplemented
        what = _name_of(func)
        return _wrap(func(*_unwrap(args, what), **_unwrap(kwargs, what)))

    # -- explicit transfer to the host
    def get(self, stream=None, order="C", out=None):
        """Returns a numpy copy of the array (``cupy.ndarray.get``).

        Args:
          stream: ignored (cupy's CUDA stream).
          order: memory layout of the copy.
          out: an optional numpy array to copy into; it is returned.

        Returns:
          A new ``numpy.ndarray``, or ``out``.
        """
        if out is not None:
            np.copyto(out, self._a)
            return out
        return np.array(self._a, order=order, copy=True)

    def item(self, *args):
        """Returns one element as a Python scalar."""
        return self._a.item(*_unwrap(args, "item"))

    def tolist(self):
        """Returns the array as nested Python lists."""
        return self._a.tolist()

    def fill(self, value):
        """Fills the array with a scalar value, in place."""
        self._a.fill(_unwrap_operand(value, "fill"))

    # -- attributes
    shape = property(lambda self: self._a.shape, doc="Tuple of dimensions.")
    dtype = property(lambda self: self._a.dtype, doc="The element type.")
    ndim = property(lambda self: self._a.ndim, doc="Number of dimensions.")
    size = property(lambda self: self._a.size, doc="Number of elements.")
    itemsize = property(lambda self: self._a.itemsize, doc="Bytes per element.")
    nbytes = property(lambda self: self._a.nbytes, doc="Bytes of all elements.")
    strides = property(lambda self: self._a.strides, doc="Bytes to step in each dimension.")
    flags = property(lambda self: self._a.flags, doc="Memory layout flags.")
    T = property(lambda self: StrictArray(self._a.T), doc="The transposed array.")
    real = property(lambda self: StrictArray(self._a.real), doc="The real part.")
    imag = property(lambda self: StrictArray(self._a.imag), doc="The imaginary part.")

    # -- container protocol
    def __getitem__(self, key):
        return _wrap(self._a[_unwrap_lenient(key)])

    def __setitem__(self, key, value):
        # cupy accepts host index arrays and host values here (it copies them to the device).
        self._a[_unwrap_lenient(key)] = _unwrap_lenient(value)

    def __len__(self):
        if self._a.ndim == 0:
            raise TypeError("len() of unsized object")
        return len(self._a)

    def __iter__(self):
        if self._a.ndim == 0:
            raise TypeError("iteration over a 0-d array")
        return (StrictArray(row) if isinstance(row, np.ndarray) else _wrap(row)
                for row in self._a)

    # -- conversions cupy allows (they synchronise and copy to the host)
    def __bool__(self):
        return bool(self._a)

    def __int__(self):
        return int(self._a)

    def __float__(self):
        return float(self._a)

    def __complex__(self):
        return complex(self._a)

    # cupy.ndarray has no __index__, so neither do we: `range(x)` or a shape made of device
    # scalars fails here just as it fails on a GPU.

    def __repr__(self):
        return f"StrictArray({np.array_repr(self._a)})"

    def __str__(self):
        return str(self._a)

    def __format__(self, spec):
        return format(self._a, spec)

    def __copy__(self):
        return StrictArray(self._a.copy())

    def __deepcopy__(self, memo):
        return StrictArray(self._a.copy())

    def __reduce__(self):
        return StrictArray, (self._a,)


def _make_method(name):
    def method(self, *args, **kwargs):
        what = f"StrictArray.{name}"
        return _wrap(getattr(self._a, name)(*_unwrap(args, what), **_unwrap(kwargs, what)))

    method.__name__ = name
    method.__qualname__ = f"StrictArray.{name}"
    method.__doc__ = f"``numpy.ndarray.{name}`` on the wrapped array; the result is wrapped."
    return method


_METHODS = (
    "reshape", "astype", "sum", "mean", "max", "min", "argmax", "argmin", "prod", "any", "all",
    "transpose", "swapaxes", "ravel", "flatten", "copy", "squeeze", "clip", "dot", "cumsum",
    "cumprod", "std", "var", "round", "nonzero", "view", "take", "repeat", "sort", "argsort",
    "conj", "diagonal", "trace", "ptp", "put", "searchsorted", "argpartition", "partition",
    "choose", "compress", "conjugate",
)
for _name in _METHODS:
    if hasattr(np.ndarray, _name):
        setattr(StrictArray, _name, _make_method(_name))
del _name


_RANDOM_STATE_TYPES = (np.random.RandomState, np.random.Generator, np.random.BitGenerator)


class _StrictFunction:
    """A numpy function that accepts only device arrays and returns device arrays."""

    def __init__(self, func, proxy_results=False):
        self._func = func
        self._proxy_results = proxy_results
        self.__name__ = _name_of(func)
        self.__doc__ = getattr(func, "__doc__", None)
        self.__wrapped__ = func

    def __call__(self, *args, **kwargs):
        what = self.__name__
        result = self._func(*_unwrap(args, what), **_unwrap(kwargs, what))
        if self._proxy_results and isinstance(result, _RANDOM_STATE_TYPES):
            return _HostObject(result)
        return _wrap(result)

    def __repr__(self):
        return f"<strict_xp function {self.__name__}>"


class _StrictUfunc:
    """A numpy ufunc under cupy's operand rules; ``reduce``/``accumulate``/``outer``/``at``."""

    def __init__(self, ufunc):
        self._ufunc = ufunc
        self.__name__ = ufunc.__name__
        self.__doc__ = ufunc.__doc__

    def __call__(self, *args, **kwargs):
        return _apply_ufunc(self._ufunc, "__call__", args, kwargs)

    def reduce(self, *args, **kwargs):
        return _apply_ufunc(self._ufunc, "reduce", args, kwargs)

    def accumulate(self, *args, **kwargs):
        return _apply_ufunc(self._ufunc, "accumulate", args, kwargs)

    def reduceat(self, *args, **kwargs):
        return _apply_ufunc(self._ufunc, "reduceat", args, kwargs)

    def outer(self, *args, **kwargs):
        return _apply_ufunc(self._ufunc, "outer", args, kwargs)

    def at(self, *args, **kwargs):
        return _apply_ufunc(self._ufunc, "at", args, kwargs)

    def __getattr__(self, name):  # nin, nout, identity, types, signature...
        if name == "_ufunc":
            raise AttributeError(name)
        return getattr(self._ufunc, name)

    def __repr__(self):
        return f"<strict_xp ufunc {self.__name__}>"


class _HostObject:
    """Proxies a host object (a RandomState, a Generator) so its methods return device arrays."""

    __slots__ = ("_obj",)

    def __init__(self, obj):
        self._obj = obj

    def __getattr__(self, name):
        if name == "_obj":
            raise AttributeError(name)
        attr = getattr(self._obj, name)
        return _StrictFunction(attr) if callable(attr) else attr

    def __repr__(self):
        return f"<strict_xp proxy of {self._obj!r}>"


class _Namespace(types.ModuleType):
    """A module-like view of a numpy namespace whose functions follow the strict rules."""

    def __init__(self, name, np_module, overrides=None, proxy_classes=False):
        super().__init__(name, getattr(np_module, "__doc__", None))
        self._np_module = np_module
        self._proxy_classes = proxy_classes
        for key, value in (overrides or {}).items():
            setattr(self, key, value)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            obj = getattr(self._np_module, name)
        except AttributeError:
            raise AttributeError(f"module '{self.__name__}' has no attribute '{name}'") from None
        wrapped = self._convert(name, obj)
        setattr(self, name, wrapped)  # cache: later lookups skip __getattr__
        return wrapped

    def _convert(self, name, obj):
        if isinstance(obj, np.ufunc):
            return _StrictUfunc(obj)
        if isinstance(obj, types.ModuleType):
            return _Namespace(f"{self.__name__}.{name}", obj)
        if obj is np.ndarray:
            return StrictArray
        if isinstance(obj, type):
            # Scalar types, np.dtype, finfo, errstate... are the same objects in cupy; only the
            # random generator classes must hand back device arrays.
            return _StrictFunction(obj, proxy_results=True) if self._proxy_classes else obj
        if callable(obj):
            return _StrictFunction(obj, proxy_results=self._proxy_classes)
        return obj

    def __dir__(self):
        return sorted(set(dir(self._np_module)) | set(self.__dict__))


def _asarray(a, dtype=None, order=None):
    """Returns ``a`` on the strict device; host data (lists, numpy arrays) is copied over."""
    if isinstance(a, StrictArray):
        if dtype is None or np.dtype(dtype) == a.dtype:
            return a
        return StrictArray(a._a.astype(dtype))
    return StrictArray(np.array(_unwrap_lenient(a), dtype=dtype, order=order, copy=True))


def _array(obj, dtype=None, copy=True, order="K", subok=False, ndmin=0):
    """Returns a new array on the strict device (``cupy.array``); host data is accepted."""
    if isinstance(obj, StrictArray) and not copy:
        return _asarray(obj, dtype)
    return StrictArray(np.array(_unwrap_lenient(obj), dtype=dtype, copy=True, order=order,
                                ndmin=ndmin))


def _asnumpy(a, stream=None, order="C", out=None):
    """Returns a host numpy copy of ``a`` (``cupy.asnumpy``); host data passes through."""
    if isinstance(a, StrictArray):
        return a.get(order=order, out=out)
    return np.asarray(a, order=order)


def get_array_module(*args):
    """Returns ``strict_xp`` if any argument is a ``StrictArray``, else ``numpy``.

    Args:
      *args: arrays or other values.

    Returns:
      The array module to use for ``args``.
    """
    for arg in args:
        if isinstance(arg, StrictArray):
            return strict_xp
    return np


strict_xp = _Namespace(__name__ + ".strict_xp", np, overrides={
    "ndarray": StrictArray,
    "asarray": _asarray,
    "array": _array,
    "asnumpy": _asnumpy,
    "get_array_module": get_array_module,
})
strict_xp.random = _Namespace(strict_xp.__name__ + ".random", np.random, proxy_classes=True)
