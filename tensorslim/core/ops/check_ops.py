"""Run-time checks and debugging prints: ``tf.Assert``, ``tf.check_numerics``,
``tf.add_check_numerics_ops``, ``tf.verify_tensor_all_finite`` and ``tf.Print``."""
import sys

import numpy as np

from tensorslim.core import dtypes as _dtypes
from tensorslim.core import errors
from tensorslim.core.graph import (Operation, Tensor, convert_to_tensor, get_default_graph,
                                   name_scope)
from tensorslim.core.op_util import apply_op, same_shape_fn
from tensorslim.core.ops import control_flow_ops as _cf
from tensorslim.core.registry import not_differentiable_marker, register_op

__all__ = ["Assert", "check_numerics", "verify_tensor_all_finite", "add_check_numerics_ops",
           "Print", "summarize_value", "assert_equal", "assert_none_equal", "assert_less",
           "assert_less_equal", "assert_greater", "assert_greater_equal", "assert_positive",
           "assert_negative", "assert_non_negative", "assert_non_positive", "assert_rank",
           "assert_rank_at_least", "assert_type", "assert_integer", "assert_scalar"]


# --------------------------------------------------------------------------- formatting

def _format_element(value):
    if isinstance(value, (bytes, np.bytes_)):
        return bytes(value).decode("utf-8", "backslashreplace").encode(
            "unicode_escape").decode("ascii")
    if isinstance(value, (bool, np.bool_)):
        return "1" if value else "0"
    if isinstance(value, np.floating) or isinstance(value, float):
        if isinstance(value, np.float64) or type(value) is float:
            short, long_ = "%.15g", "%.17g"
            as_type = float
        else:
            short, long_ = "%.6g", "%.9g"
            as_type = np.float32
        text = short % value
        return text if as_type(text) == value else long_ % value
    if isinstance(value, (np.complexfloating, complex)):
        return "(%s,%s)" % (_format_element(value.real), _format_element(value.imag))
    return str(value)


def summarize_value(array, max_entries=3):
    """Formats an array as TensorFlow's ``SummarizeValue`` does (used by Assert and Print).

    At most ``max_entries`` elements are printed, rows in nested brackets, ``...`` marking
    what was left out: ``[[1.5 2 3]...]``.

    Args:
      array: a numpy array (or a value numpy can convert).
      max_entries: how many elements to print (negative: all).

    Returns:
      A str, without the outer brackets Assert and Print add.
    """
    array = np.asarray(array)
    flat = array.reshape(-1)
    limit = flat.size if max_entries is None or max_entries < 0 else \
        min(int(max_entries), flat.size)
    if array.ndim == 0:
        return _format_element(flat[0]) if limit else "..."
    parts = []
    state = {"i": 0}

    def emit(dim):
        count = array.shape[dim]
        if dim == array.ndim - 1:
            for j in range(count):
                if state["i"] >= limit:
                    if dim != 0:
                        parts.append("...")
                    return
                if j:
                    parts.append(" ")
                parts.append(_format_element(flat[state["i"]]))
                state["i"] += 1
            return
        for _ in range(count):
            opened = state["i"] < limit
            if opened:
                parts.append("[")
            if state["i"] < limit:
                emit(dim + 1)
            if opened:
                parts.append("]")
    if state["i"] < limit:
        emit(0)
    if flat.size > limit:
        parts.append("...")
    return "".join(parts)


def _summaries(ctx, data, summarize):
    return ["[%s]" % summarize_value(ctx.to_host(d), summarize) for d in data]


# --------------------------------------------------------------------------- Assert

def _assert_shape(op):
    cond = op.inputs[0].shape
    if cond.ndims is not None and cond.ndims != 0:
        raise ValueError("Shape must be rank 0 but is rank %d" % cond.ndims)
    return []


def _assert_kernel(ctx, condition, *data):
    if bool(ctx.to_host(condition)):
        return ()
    summarize = ctx.attrs.get("summarize", 3)
    raise errors.InvalidArgumentError(
        None, ctx.op, "assertion failed: " + " ".join(_summaries(ctx, data, summarize)))


register_op("Assert", shape=_assert_shape, kernel=_assert_kernel, stateful=True,
            host_only=True, grad=not_differentiable_marker())


def Assert(condition, data, summarize=None, name=None):  # noqa: N802 - TF's name
    """``tf.Assert``: fails the run with InvalidArgumentError when ``condition`` is false.

    The error message lists each tensor of ``data`` (``assertion failed: [msg] [1 2 3...]``).
    As in TF, when ``data`` holds anything but strings and int32 tensors the Assert op runs
    inside a ``cond`` (``AssertGuard``) so the data is only computed when the check fails.

    Args:
      condition: a scalar bool tensor.
      data: tensors (or Python values) printed when the assertion fails.
      summarize: how many entries of each tensor to print (default 3).
      name: the name scope (default ``Assert``).

    Returns:
      The Operation to run (or depend on) for the check.

    Raises:
      TypeError: ``condition`` is not a bool tensor.
    """
    with name_scope(name, "Assert", [condition, data]):
        xs = [convert_to_tensor(d) for d in data]
        condition = convert_to_tensor(condition, name="Condition")
        if condition.dtype.base_dtype != _dtypes.bool:
            raise TypeError("Input 'condition' of 'Assert' Op has type %s that does not match "
                            "expected type of bool." % condition.dtype.base_dtype.name)
        attrs = {"T": [x.dtype.base_dtype for x in xs],
                 "summarize": 3 if summarize is None else int(summarize)}

        def make_assert():
            return apply_op("Assert", [condition] + xs, [], attrs=attrs, name="Assert")

        if all(x.dtype.base_dtype in (_dtypes.string, _dtypes.int32) for x in xs):
            return make_assert()
        from tensorslim.core.ops import cond_ops
        guarded = cond_ops.cond(condition, _cf.no_op, make_assert, name="AssertGuard")
        return guarded.op


# --------------------------------------------------------------------------- CheckNumerics

def _check_numerics_kernel(ctx, x):
    xp = ctx.xp
    with np.errstate(invalid="ignore"):
        has_nan = bool(ctx.to_host(xp.any(xp.isnan(x))))
        has_inf = bool(ctx.to_host(xp.any(xp.isinf(x))))
    if has_nan or has_inf:
        what = "Inf and NaN" if has_nan and has_inf else "NaN" if has_nan else "Inf"
        raise errors.InvalidArgumentError(
            None, ctx.op, "%s : Tensor had %s values" % (ctx.attrs["message"], what))
    return x


def _check_numerics_grad(op, grad):
    return [check_numerics(grad, "Not a number (NaN) or infinity (Inf) values detected in "
                           "gradient. " + op.get_attr("message"))]


register_op("CheckNumerics", shape=same_shape_fn, kernel=_check_numerics_kernel,
            stateful=True, grad=_check_numerics_grad)


def check_numerics(tensor, message, name=None):
    """``tf.check_numerics``: ``tensor``, or InvalidArgumentError if it has NaN or Inf values.

    Args:
      tensor: a floating-point tensor.
      message: the prefix of the error message (``message : Tensor had NaN values``).
      name: the op's name.

    Returns:
      A tensor equal to ``tensor``.

    Raises:
      TypeError: ``tensor`` is not floating point.
    """
    tensor = convert_to_tensor(tensor)
    dt = tensor.dtype.base_dtype
    if not dt.is_floating:
        raise TypeError("Value passed to parameter 'tensor' has DataType %s not in list of "
                        "allowed values: bfloat16, float16, float32, float64" % dt.name)
    return apply_op("CheckNumerics", [tensor], [dt], attrs={"T": dt, "message": str(message)},
                    name=name or "CheckNumerics").outputs[0]


def verify_tensor_all_finite(t, msg, name=None):
    """``tf.verify_tensor_all_finite``: ``t`` after a ``check_numerics`` with message ``msg``."""
    with name_scope(name, "VerifyFinite", [t]) as scope:
        t = convert_to_tensor(t, name="t")
        verify = check_numerics(t, message=msg)
        return _cf.with_dependencies([verify.op], t, name=scope)


def add_check_numerics_ops():
    """``tf.add_check_numerics_ops``: a ``check_numerics`` on every float tensor of the graph.

    The checks are chained with control dependencies, each named after the checked tensor
    (``op_name:index``).

    Returns:
      A group op running all the checks.

    Raises:
      ValueError: the graph uses ``tf.cond`` or ``tf.while_loop``, which this does not
        support (as TF).
    """
    check_op = []
    graph = get_default_graph()
    floats = (_dtypes.float16, _dtypes.float32, _dtypes.float64)
    for op in graph.get_operations():
        for output in op.outputs:
            if output.dtype in floats:
                if getattr(op, "_control_flow_context", None) is not None or \
                        getattr(op, "_while_owner", None) is not None or \
                        op.type in ("Switch", "Merge", "While"):
                    raise ValueError("`tf.add_check_numerics_ops() is not compatible with "
                                     "TensorFlow control flow operations such as `tf.cond()` "
                                     "or `tf.while_loop()`.")
                message = "%s:%d" % (op.name, output.value_index)
                with graph.control_dependencies(check_op):
                    check_op = [check_numerics(output, message=message)]
    return _cf.group(*check_op)


# --------------------------------------------------------------------------- Print

def _print_context(ctx):
    ctx.state = {"count": 0}


def _print_kernel(ctx, value, *data):
    first_n = ctx.attrs.get("first_n", -1)
    state = ctx.state
    if first_n < 0 or state["count"] < first_n:
        state["count"] += 1
        summarize = ctx.attrs.get("summarize", 3)
        sys.stderr.write(ctx.attrs.get("message", "") +
                         "".join(_summaries(ctx, data, summarize)) + "\n")
        sys.stderr.flush()
    return value


def _print_grad(op, *grads):
    return list(grads) + [None] * (len(op.inputs) - 1)


register_op("Print", shape=same_shape_fn, kernel=_print_kernel, make_context=_print_context,
            stateful=True, host_only=True, grad=_print_grad)


def Print(input_, data, message=None, first_n=None, summarize=None, name=None):  # noqa: N802
    """``tf.Print``: ``input_`` unchanged, printing ``message`` and ``data`` to stderr first.

    Only prints when the returned tensor is computed. The line is ``message`` followed by
    ``[values]`` for each tensor of ``data``.

    Args:
      input_: the tensor passed through.
      data: the tensors to print.
      message: a prefix string.
      first_n: print only the first ``first_n`` times (per session); negative or None
        prints every time.
      summarize: entries printed per tensor (default 3).
      name: the op's name.

    Returns:
      A tensor equal to ``input_``.
    """
    input_ = convert_to_tensor(input_)
    if isinstance(data, (Tensor, Operation)) or not isinstance(data, (list, tuple)):
        data = [data]
    xs = [convert_to_tensor(d) for d in data]
    dt = input_.dtype.base_dtype
    attrs = {"T": dt, "U": [x.dtype.base_dtype for x in xs], "message": message or "",
             "first_n": -1 if first_n is None else int(first_n),
             "summarize": 3 if summarize is None else int(summarize)}
    return apply_op("Print", [input_] + xs, [dt], attrs=attrs, name=name or "Print").outputs[0]


# --------------------------------------------------------------------------- tf.assert_*

def _binary_assert(x, y, data, summarize, message, name, default_name, relation, condition_fn,
                   static_fn=None):
    from tensorslim.core.ops import math_ops
    with name_scope(name, default_name, [x, y, data]):
        x = convert_to_tensor(x, name="x")
        y = convert_to_tensor(y, name="y", dtype=x.dtype.base_dtype)
        if data is None:
            data = ["Condition x %s y did not hold element-wise:" % relation,
                    "x (%s) = " % x.name, x, "y (%s) = " % y.name, y]
        if message is not None:
            data = [message] + list(data)
        condition = math_ops.reduce_all(condition_fn(x, y))
        if static_fn is not None:
            from tensorslim.core.op_util import constant_value
            xs, ys = constant_value(x), constant_value(y)
            if xs is not None and ys is not None and not np.all(static_fn(xs, ys)):
                raise errors.InvalidArgumentError(None, None, "\n".join(
                    _static_str(d) for d in data))
        return Assert(condition, data, summarize=summarize)


def _static_str(d):
    from tensorslim.core.op_util import constant_value
    if isinstance(d, Tensor):
        v = constant_value(d)
        return str(d) if v is None else str(v)
    return str(d)


def assert_equal(x, y, data=None, summarize=None, message=None, name=None):
    """``tf.assert_equal``: an op failing (InvalidArgumentError) unless ``x == y`` everywhere.

    When both values are known at graph construction the check happens immediately.

    Args:
      x, y: tensors (broadcast against each other).
      data: what to print on failure (default: both values, named).
      summarize: entries printed per tensor.
      message: a prefix for the error message.
      name: the name scope (default ``assert_equal``).

    Returns:
      The Assert op.

    Raises:
      InvalidArgumentError: both values are constants and differ.
    """
    from tensorslim.core.ops import math_ops
    return _binary_assert(x, y, data, summarize, message, name, "assert_equal", "==",
                          math_ops.equal, static_fn=lambda a, b: a == b)


def assert_none_equal(x, y, data=None, summarize=None, message=None, name=None):
    """``tf.assert_none_equal``: fails unless ``x != y`` everywhere."""
    from tensorslim.core.ops import math_ops
    return _binary_assert(x, y, data, summarize, message, name, "assert_none_equal", "!=",
                          math_ops.not_equal)


def assert_less(x, y, data=None, summarize=None, message=None, name=None):
    """``tf.assert_less``: fails unless ``x < y`` everywhere."""
    from tensorslim.core.ops import math_ops
    return _binary_assert(x, y, data, summarize, message, name, "assert_less", "<",
                          math_ops.less)


def assert_less_equal(x, y, data=None, summarize=None, message=None, name=None):
    """``tf.assert_less_equal``: fails unless ``x <= y`` everywhere."""
    from tensorslim.core.ops import math_ops
    return _binary_assert(x, y, data, summarize, message, name, "assert_less_equal", "<=",
                          math_ops.less_equal)


def assert_greater(x, y, data=None, summarize=None, message=None, name=None):
    """``tf.assert_greater``: fails unless ``x > y`` everywhere."""
    from tensorslim.core.ops import math_ops
    return _binary_assert(x, y, data, summarize, message, name, "assert_greater", ">",
                          math_ops.greater)


def assert_greater_equal(x, y, data=None, summarize=None, message=None, name=None):
    """``tf.assert_greater_equal``: fails unless ``x >= y`` everywhere."""
    from tensorslim.core.ops import math_ops
    return _binary_assert(x, y, data, summarize, message, name, "assert_greater_equal", ">=",
                          math_ops.greater_equal)


def _sign_assert(x, data, summarize, message, name, default_name, relation, zero_first,
                 strict):
    with name_scope(name, default_name, [x, data]):
        x = convert_to_tensor(x, name="x")
        if data is None:
            data = [message or "", "Condition x %s 0 did not hold element-wise:" % relation,
                    "x (%s) = " % x.name, x]
        from tensorslim.core.ops import array_ops
        zero = array_ops.constant(0, dtype=x.dtype.base_dtype)
        check = assert_less if strict else assert_less_equal
        a, b = (zero, x) if zero_first else (x, zero)
        return check(a, b, data=data, summarize=summarize)


def assert_positive(x, data=None, summarize=None, message=None, name=None):
    """``tf.assert_positive``: fails unless ``x > 0`` everywhere."""
    return _sign_assert(x, data, summarize, message, name, "assert_positive", ">", True, True)


def assert_negative(x, data=None, summarize=None, message=None, name=None):
    """``tf.assert_negative``: fails unless ``x < 0`` everywhere."""
    return _sign_assert(x, data, summarize, message, name, "assert_negative", "<", False, True)


def assert_non_negative(x, data=None, summarize=None, message=None, name=None):
    """``tf.assert_non_negative``: fails unless ``x >= 0`` everywhere."""
    return _sign_assert(x, data, summarize, message, name, "assert_non_negative", ">=", True,
                        False)


def assert_non_positive(x, data=None, summarize=None, message=None, name=None):
    """``tf.assert_non_positive``: fails unless ``x <= 0`` everywhere."""
    return _sign_assert(x, data, summarize, message, name, "assert_non_positive", "<=", False,
                        False)


def _rank_assert(x, rank, data, summarize, message, name, default_name, at_least):
    from tensorslim.core.op_util import constant_value
    from tensorslim.core.ops import array_ops, math_ops
    with name_scope(name, default_name, [x, rank] + list(data or [])):
        x = convert_to_tensor(x, name="x")
        rank = convert_to_tensor(rank, name="rank")
        prefix = "%s.  " % message if message else ""
        static_rank = constant_value(rank)
        what = "rank at least" if at_least else "rank"
        if static_rank is not None and x.shape.ndims is not None:
            ok = x.shape.ndims >= int(static_rank) if at_least else \
                x.shape.ndims == int(static_rank)
            if not ok:
                raise ValueError("%sTensor %s must have %s %d.  Received rank %d, shape %s"
                                 % (prefix, x.name, what, int(static_rank), x.shape.ndims,
                                    x.shape))
            return _cf.no_op(name="static_checks_determined_all_ok")
        if data is None:
            data = [message or "", "Tensor %s must have %s" % (x.name, what), rank,
                    "Received shape: ", array_ops.shape(x)]
        compare = math_ops.greater_equal if at_least else math_ops.equal
        return Assert(compare(array_ops.rank(x), rank), data, summarize=summarize)


def assert_rank(x, rank, data=None, summarize=None, message=None, name=None):
    """``tf.assert_rank``: checks ``x`` has rank ``rank``.

    Returns a no-op when the static shape already proves it.

    Raises:
      ValueError: the static rank is known and differs.
    """
    return _rank_assert(x, rank, data, summarize, message, name, "assert_rank", False)


def assert_rank_at_least(x, rank, data=None, summarize=None, message=None, name=None):
    """``tf.assert_rank_at_least``: checks ``x`` has at least rank ``rank``.

    Raises:
      ValueError: the static rank is known and too small.
    """
    return _rank_assert(x, rank, data, summarize, message, name, "assert_rank_at_least", True)


def assert_type(tensor, tf_type, message=None, name=None):
    """``tf.assert_type``: a static check of ``tensor``'s dtype (returns a no-op).

    Raises:
      TypeError: the dtype differs.
    """
    prefix = "%s.  " % message if message else ""
    tf_type = _dtypes.as_dtype(tf_type)
    with name_scope(name, "assert_type", [tensor]):
        tensor = convert_to_tensor(tensor, name="tensor")
        if tensor.dtype.base_dtype != tf_type.base_dtype:
            raise TypeError("%s%s must be of type %r; got %r"
                            % (prefix, tensor.name, tf_type, tensor.dtype.base_dtype))
        return _cf.no_op(name="statically_determined_correct_type")


def assert_integer(x, message=None, name=None):
    """``tf.assert_integer``: a static check that ``x`` has an integer dtype (a no-op).

    Raises:
      TypeError: ``x`` is not an integer tensor.
    """
    message = message or ""
    with name_scope(name, "assert_integer", [x]):
        x = convert_to_tensor(x, name="x")
        if not x.dtype.base_dtype.is_integer:
            raise TypeError("%sExpected \"x\" to be integer type.  Found: %s of dtype %s"
                            % (message, x.name, x.dtype.base_dtype))
        return _cf.no_op(name="statically_determined_was_integer")


def assert_scalar(tensor, name=None, message=None):
    """``tf.assert_scalar``: ``tensor`` after checking statically that it is a scalar.

    Raises:
      ValueError: the static shape is known and not a scalar.
    """
    with name_scope(name, "assert_scalar", [tensor]):
        tensor = convert_to_tensor(tensor, name="tensor")
        shape = tensor.shape
        if shape.ndims != 0:
            raise ValueError("%sExpected scalar shape for %s, saw shape: %s."
                             % (message or "", tensor.name, shape))
        return tensor
