"""``tf.gradients``: reverse-mode differentiation that builds the backward pass as graph ops.

The walk is deliberately small: find the ops between ``xs`` and ``ys``, visit them in reverse
topological order, sum the gradients arriving at each output, and ask the op's registered
gradient function for its inputs' gradients. Everything an op knows about its own gradient
lives in its registry entry, not here (control flow included: Switch, Merge and While have
gradient functions like any other op).

Names follow TF1: everything lives under ``gradients/`` (``gradients_1/``...), the default
``grad_ys`` are ``gradients/Shape``, ``gradients/grad_ys_0`` and ``gradients/Fill``, the
gradient ops of op ``foo`` under ``gradients/foo_grad/``, zeros for unused outputs are
``gradients/zeros_like`` and sums of several paths ``gradients/AddN``.
"""
import contextlib
import enum
import threading

from tensorslim.core import registry
from tensorslim.core.graph import Tensor, convert_to_tensor, name_scope

__all__ = ["gradients", "hessians", "AggregationMethod", "UnconnectedGradients"]


class AggregationMethod:
    """How gradients from several paths are summed (all methods give add_n here)."""

    ADD_N = 0
    DEFAULT = ADD_N
    EXPERIMENTAL_TREE = 1
    EXPERIMENTAL_ACCUMULATE_N = 2


class UnconnectedGradients(enum.Enum):
    """What ``tf.gradients`` returns for an x that the ys do not depend on."""

    NONE = "none"
    ZERO = "zero"


def _is_differentiable_dtype(dtype):
    base = dtype.base_dtype
    return base.is_floating or base.is_complex


def _as_list(x):
    if x is None:
        return []
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _null_context():
    import contextlib
    return contextlib.nullcontext()


_tape_walk = threading.local()


@contextlib.contextmanager
def allow_in_eager():
    """Lets GradientTape reuse this walk on the ops it recorded while executing eagerly."""
    saved = getattr(_tape_walk, "active", False)
    _tape_walk.active = True
    try:
        yield
    finally:
        _tape_walk.active = saved


def gradients(ys, xs, grad_ys=None, name="gradients", colocate_gradients_with_ops=False,
              gate_gradients=False, aggregation_method=None, stop_gradients=None,
              unconnected_gradients=UnconnectedGradients.NONE):
    """Symbolic derivatives of ``sum(ys)`` with respect to each tensor in ``xs``.

    Args:
      ys: a Tensor or list of Tensors to differentiate.
      xs: a Tensor, Variable, or list of them.
      grad_ys: optional initial gradients, one per y (default: ones shaped like each y).
      name: the name scope of the backward ops.
      colocate_gradients_with_ops: place each gradient op with the op it differentiates.
      gate_gradients: group the gradients of each op's inputs with ``tf.tuple``.
      aggregation_method: accepted for compatibility (sums always use add_n).
      stop_gradients: tensors treated as constants: gradients are computed for them but do
        not flow through them to their inputs.
      unconnected_gradients: ``"none"`` (return None) or ``"zero"`` (return zeros) for the
        xs that ``ys`` does not depend on (or a :class:`UnconnectedGradients`).

    Returns:
      A list with one Tensor (or None) per element of ``xs``: None also for integer xs.

    Raises:
      LookupError: an op on the path from an x to a y has no registered gradient.
      TypeError: a complex y has no ``grad_ys``.
      ValueError: ``grad_ys`` does not match ``ys``, a gradient function returns the wrong
        number of gradients or a gradient of the wrong shape, or ``unconnected_gradients``
        is unknown.
    """
    from tensorslim.eager import context as _eager_context
    if _eager_context.executing_eagerly() and not getattr(_tape_walk, "active", False):
        raise RuntimeError("tf.gradients is not supported when eager execution is enabled. "
                           "Use tf.GradientTape instead.")
    try:
        unconnected = UnconnectedGradients(getattr(unconnected_gradients, "value",
                                                   unconnected_gradients))
    except ValueError:
        raise ValueError("Unknown value for unconnected_gradients: %r"
                         % (unconnected_gradients,)) from None
    ys = [convert_to_tensor(y) for y in _as_list(ys)]
    xs_in = _as_list(xs)
    xs = [convert_to_tensor(x, as_ref=True) for x in xs_in]
    grad_ys = _as_list(grad_ys) if grad_ys is not None else [None] * len(ys)
    if len(grad_ys) != len(ys):
        raise ValueError("Passed %d grad_ys for %d ys" % (len(grad_ys), len(ys)))
    stop_ops = {convert_to_tensor(t, as_ref=True).op for t in _as_list(stop_gradients)}
    from tensorslim.core.ops import array_ops, math_ops
    with name_scope(name, "gradients", ys + xs):
        graph = ys[0].graph if ys else None
        to_ys = _reachable_backward([y.op for y in ys])
        from_xs = _reachable_forward([x.op for x in xs], to_ys)
        between = to_ys & from_xs
        grads = {}
        for i, (y, gy) in enumerate(zip(ys, grad_ys)):
            grads.setdefault(y, []).append(_default_grad_y(y, gy, i, array_ops))
        x_set = set(xs)
        for op in _reverse_topological(between, [y.op for y in ys]):
            out_grads = [_aggregate(grads.get(t), math_ops) for t in op._outputs]
            for t, g in zip(op._outputs, out_grads):
                if g is not None:
                    grads[t] = [g]
            if all(g is None for g in out_grads) or op in stop_ops:
                continue
            grad_fn = registry.get_gradient_function(op)
            if grad_fn is None:
                continue
            colocation = graph.colocate_with(op, ignore_existing=True) \
                if colocate_gradients_with_ops else _null_context()
            with colocation:
                for i, t in enumerate(op._outputs):
                    if out_grads[i] is None and _is_differentiable_dtype(t.dtype) and \
                            not t.dtype.is_ref_dtype:
                        out_grads[i] = _zeros_like_output(t, array_ops)
                with name_scope(op.name + "_grad"):
                    in_grads = _as_list(grad_fn(op, *out_grads))
                    if len(in_grads) != len(op._inputs):
                        raise ValueError("Num gradients %d generated for op %s do not match "
                                         "num inputs %d" % (len(in_grads), op.name,
                                                            len(op._inputs)))
                    _check_shapes(op, in_grads)
                    if gate_gradients and sum(g is not None for g in in_grads) > 1:
                        from tensorslim.core.ops import control_flow_ops
                        in_grads = control_flow_ops.tuple_(in_grads)
            for inp, g in zip(op._inputs, in_grads):
                if g is None or (inp.op not in between and inp not in x_set):
                    continue
                if not _is_differentiable_dtype(inp.dtype):
                    continue
                grads.setdefault(inp, []).append(g)
        result = [_aggregate(grads.get(x), math_ops) if _is_differentiable_dtype(x.dtype)
                  else None for x in xs]
    if unconnected is UnconnectedGradients.ZERO:
        result = [array_ops.zeros_like(x) if g is None else g for g, x in zip(result, xs)]
    return result


def _zeros_like_output(t, array_ops):
    """Zeros for an output no gradient reached. Inside a cond (and for Switch outputs) they
    must be a ZerosLike of the output itself, so that they are dead exactly when the output
    is: a constant would be live on the untaken branch and win the Merge."""
    if t.op.type in ("Switch", "RefSwitch") or \
            getattr(t.op, "_control_flow_context", None) is not None:
        from tensorslim.core.op_util import apply_op
        dt = t.dtype.base_dtype
        return apply_op("ZerosLike", [t], [dt], attrs={"T": dt}, name="zeros_like").outputs[0]
    return array_ops.zeros_like(t)


def _default_grad_y(y, grad_y, i, array_ops):
    """The initial gradient of ``y``: ``grad_y`` checked, or ones (Shape, Const, Fill)."""
    if grad_y is None:
        if y.dtype.base_dtype.is_complex:
            raise TypeError("Gradients of complex tensors must set grad_ys (y.dtype = %s)"
                            % y.dtype.base_dtype.name)
        shape = array_ops.shape(y)
        one = array_ops.constant(1, dtype=y.dtype.base_dtype, name="grad_ys_%d" % i)
        return array_ops.fill(shape, one)
    grad_y = convert_to_tensor(grad_y, dtype=y.dtype.base_dtype, name="grad_ys_%d" % i)
    if not y.shape.is_compatible_with(grad_y.shape):
        raise ValueError("Incompatible shapes between grad_ys and ys: grad_ys[%d] has shape "
                         "%s but %s has shape %s" % (i, grad_y.shape, y.name, y.shape))
    return grad_y


def _check_shapes(op, in_grads):
    for i, (t_in, g) in enumerate(zip(op._inputs, in_grads)):
        if isinstance(g, Tensor) and t_in.dtype.base_dtype.name != "resource":
            try:
                g.set_shape(t_in.shape)
            except ValueError:
                raise ValueError("Incompatible shapes between op input and calculated input "
                                 "gradient.  Forward operation: %s.  Input index: %d. "
                                 "Original input shape: %s.  Calculated input gradient "
                                 "shape: %s" % (op.name, i, t_in.shape, g.shape)) from None


def _aggregate(values, math_ops):
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return math_ops.add_n(values)


def _reachable_backward(ops):
    seen = set()
    stack = list(ops)
    while stack:
        op = stack.pop()
        if op in seen:
            continue
        seen.add(op)
        stack.extend(t.op for t in op._inputs)
    return seen


def _reachable_forward(ops, limit):
    seen = set()
    stack = [op for op in ops if op in limit]
    while stack:
        op = stack.pop()
        if op in seen:
            continue
        seen.add(op)
        for t in op._outputs:
            stack.extend(c for c in t._consumers if c in limit)
    return seen


def _reverse_topological(between, y_ops):
    order = []
    seen = set()
    for root in y_ops:
        if root not in between or root in seen:
            continue
        stack = [(root, False)]
        while stack:
            op, done = stack.pop()
            if done:
                order.append(op)
                continue
            if op in seen:
                continue
            seen.add(op)
            stack.append((op, True))
            for t in op._inputs:
                if t.op in between and t.op not in seen:
                    stack.append((t.op, False))
    order.reverse()
    return order


def hessians(ys, xs, name="hessians", colocate_gradients_with_ops=False,
             gate_gradients=False, aggregation_method=None):
    """``tf.hessians``: the matrix of second derivatives of ``sum(ys)`` for each x.

    Each x needs a fully defined static shape; the result for an x of shape ``s`` has shape
    ``s + s``. Rows are built one by one (one gradient per element of x), so this is meant
    for small xs.

    Args:
      ys: a Tensor or list of Tensors.
      xs: a Tensor or list of Tensors.
      name: the name scope.
      colocate_gradients_with_ops, gate_gradients, aggregation_method: as for
        :func:`gradients`.

    Returns:
      A list with one Hessian tensor per x.

    Raises:
      ValueError: an x has no fully defined shape.
    """
    from tensorslim.core.ops import array_ops, manip_ops
    xs = _as_list(xs)
    out = []
    kwargs = dict(colocate_gradients_with_ops=colocate_gradients_with_ops,
                  gate_gradients=gate_gradients, aggregation_method=aggregation_method)
    with name_scope(name, "hessians", xs):
        for x in xs:
            x_t = convert_to_tensor(x)
            n = x_t.shape.num_elements()
            if n is None:
                raise ValueError("tf.hessians needs a fully defined shape for %s, got %s"
                                 % (x_t.name, x_t.shape))
            grad = gradients(ys, x, **kwargs)[0]
            if grad is None:
                out.append(array_ops.zeros(x_t.shape.as_list() * 2, dtype=x_t.dtype.base_dtype))
                continue
            flat = array_ops.reshape(grad, [-1])
            rows = [gradients(manip_ops.gather(flat, i), x, **kwargs)[0] for i in range(n)]
            rows = [array_ops.zeros_like(x_t) if r is None else r for r in rows]
            h = array_ops.stack(rows)
            out.append(array_ops.reshape(h, x_t.shape.as_list() * 2))
    return out
