"""``tf.py_func`` / ``tf.numpy_function``: a Python function run as an op (PyFunc).

The function is kept in a process-wide registry under a token (``pyfunc_0``...), which is
the op's ``token`` attr, as in TF. At run time it receives numpy values (numpy scalars for
rank-0 tensors, ``bytes`` for strings; read-only) and must return values of the declared
``Tout`` dtypes. PyFunc has no gradient; give it one with ``tf.RegisterGradient`` and
``Graph.gradient_override_map({"PyFunc": name})``.
"""
import itertools
import threading
import traceback

import numpy as np

from tensorslim.core import dtypes as _dtypes
from tensorslim.core import errors
from tensorslim.core.graph import convert_to_tensor, get_default_graph
from tensorslim.core.op_util import apply_op, unknown_shape_fn
from tensorslim.core.registry import not_differentiable_marker, register_op

__all__ = ["py_func", "numpy_function"]

_funcs = {}
_counter = itertools.count()
_lock = threading.Lock()

# TF's DataTypeString names, used in its PyFunc error messages.
_TF_TYPE_NAMES = {"float32": "float", "float64": "double", "float16": "half"}

_PY_ERRORS = ((ValueError, errors.InvalidArgumentError), (TypeError, errors.InvalidArgumentError),
              (StopIteration, errors.OutOfRangeError), (MemoryError, errors.ResourceExhaustedError),
              (NotImplementedError, errors.UnimplementedError))


def _register(func):
    with _lock:
        token = "pyfunc_%d" % next(_counter)
        _funcs[token] = func
    return token


def _type_name(dtype):
    return _TF_TYPE_NAMES.get(dtype.name, dtype.name)


def _as_argument(array):
    array = np.asarray(array)
    if array.ndim == 0:
        return array[()]
    view = array.view()
    view.flags.writeable = False
    return view


def _as_result(value):
    if isinstance(value, str):
        value = value.encode("utf-8")
    result = np.asarray(value, order="C")
    if result.dtype.kind in "SU":
        flat = [v.encode("utf-8") if isinstance(v, str) else bytes(v)
                for v in result.reshape(-1).tolist()]
        out = np.empty(len(flat), dtype=object)
        out[:] = flat
        result = out.reshape(result.shape)
    return result


def _numpy_dtype_of(result):
    if result.dtype == object:
        return _dtypes.string if all(isinstance(v, bytes) for v in result.reshape(-1)) \
            else None
    try:
        return _dtypes.as_dtype(result.dtype)
    except TypeError:
        return None


def _py_func_kernel(ctx, *args):
    token = ctx.attrs["token"]
    func = _funcs.get(token)
    if func is None:
        raise errors.InvalidArgumentError(None, ctx.op, "callback %s is not found" % token)
    try:
        ret = func(*[_as_argument(ctx.to_host(a)) for a in args])
    except Exception as e:  # noqa: BLE001 - every Python error becomes an OpError, as in TF
        cls = next((c for py, c in _PY_ERRORS if isinstance(e, py)), errors.UnknownError)
        message = "%s: %s\n%s" % (type(e).__name__, e, "".join(
            traceback.format_exception(type(e), e, e.__traceback__)))
        raise cls(None, ctx.op, message) from e
    tout = ctx.attrs["Tout"]
    if ret is None and not tout:
        return ()
    if isinstance(ret, bytes):
        ret = [ret]
    values = [_as_result(v) for v in ret] if isinstance(ret, (list, tuple)) else \
        [_as_result(ret)]
    if len(values) != len(tout):
        raise errors.InvalidArgumentError(
            None, ctx.op, "%s returns %d values, but expects to see %d values."
            % (token, len(values), len(tout)))
    for i, (value, dtype) in enumerate(zip(values, tout)):
        got = _numpy_dtype_of(value)
        if got != dtype:
            raise errors.InvalidArgumentError(
                None, ctx.op, "%d-th value returned by %s is %s, but expects %s"
                % (i, token, "object" if got is None else _type_name(got), _type_name(dtype)))
    values = [v if v.dtype == object else ctx.to_device(v) for v in values]
    return values[0] if len(values) == 1 else tuple(values)


_NO_GRAD = not_differentiable_marker()
register_op("PyFunc", shape=unknown_shape_fn, kernel=_py_func_kernel, stateful=True,
            host_only=True, grad=_NO_GRAD)
register_op("PyFuncStateless", shape=unknown_shape_fn, kernel=_py_func_kernel,
            host_only=True, grad=_NO_GRAD)


def py_func(func, inp, Tout, stateful=True, name=None):  # noqa: N803 - TF's argument name
    """``tf.py_func``: wraps the Python function ``func`` as an op.

    Args:
      func: a callable taking one numpy value per input and returning a numpy value (or a
        list/tuple of them when ``Tout`` is a list) of the ``Tout`` dtypes.
      inp: the input tensors.
      Tout: a dtype, or a list/tuple of dtypes (one per output).
      stateful: whether ``func`` has side effects (``PyFunc``; otherwise
        ``PyFuncStateless``).
      name: the op's name.

    Returns:
      A tensor when ``Tout`` is a single dtype; a list of tensors when it is a list (the
      Operation itself when that list is empty).

    Raises:
      TypeError: ``func`` is not callable.
    """
    if not callable(func):
        raise TypeError("Expected func to be callable, got func of type %s" % type(func))
    is_list = isinstance(Tout, (list, tuple))
    touts = [_dtypes.as_dtype(t).base_dtype for t in (Tout if is_list else [Tout])]
    inputs = [convert_to_tensor(x) for x in (inp or [])]
    token = _register(func)
    graph = inputs[0].graph if inputs else get_default_graph()
    graph._py_funcs_used_in_graph = getattr(graph, "_py_funcs_used_in_graph", []) + [func]
    op_type = "PyFunc" if stateful else "PyFuncStateless"
    attrs = {"token": token, "Tin": [t.dtype.base_dtype for t in inputs], "Tout": touts}
    op = apply_op(op_type, inputs, touts, attrs=attrs, name=name or op_type)
    if is_list:
        return list(op.outputs) if op.outputs else op
    return op.outputs[0]


def numpy_function(func, inp, Tout, name=None):  # noqa: N803 - TF's argument name
    """``tf.numpy_function``: ``py_func`` with ``stateful=True``."""
    return py_func(func, inp, Tout, stateful=True, name=name)
