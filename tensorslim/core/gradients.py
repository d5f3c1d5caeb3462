"""``tf.gradients``: reverse-mode differentiation that builds the backward pass as graph ops.

The walk is deliberately small: find the ops between ``xs`` and ``ys``, visit them in reverse
topological order, sum the gradients arriving at each output, and ask the op's registered
gradient function for its inputs' gradients. Everything an op knows about its own gradient
lives in its registry entry, not here.
"""
from tensorslim.core import dtypes as _dtypes
from tensorslim.core import registry
from tensorslim.core.graph import Operation, Tensor, convert_to_tensor, name_scope

__all__ = ["gradients", "hessians", "AggregationMethod"]


class AggregationMethod:
    """How gradients from several paths are summed (all methods give add_n here)."""

    ADD_N = 0
    DEFAULT = ADD_N
    EXPERIMENTAL_TREE = 1
    EXPERIMENTAL_ACCUMULATE_N = 2


def _is_differentiable_dtype(dtype):
    base = dtype.base_dtype
    return base.is_floating or base.is_complex


def _as_list(x):
    if x is None:
        return []
    return list(x) if isinstance(x, (list, tuple)) else [x]


def gradients(ys, xs, grad_ys=None, name="gradients", colocate_gradients_with_ops=False,
              gate_gradients=False, aggregation_method=None, stop_gradients=None,
              unconnected_gradients="none"):
    """Symbolic derivatives of ``sum(ys)`` with respect to each tensor in ``xs``.

    Args:
      ys: a Tensor or list of Tensors to differentiate.
      xs: a Tensor, Variable, or list of them.
      grad_ys: optional initial gradients for ``ys`` (default: ones).
      name: the name scope of the backward ops.
      colocate_gradients_with_ops, gate_gradients, aggregation_method: accepted for
        compatibility.
      stop_gradients: tensors through which no gradient flows.
      unconnected_gradients: "none" (return None) or "zero" (return zeros) for ``xs`` that
        ``ys`` does not depend on.

    Returns:
      A list with one Tensor (or None) per element of ``xs``.

    Raises:
      LookupError: an op on the path has no registered gradient.
      ValueError: ``grad_ys`` does not match ``ys``.
    """
    ys = [convert_to_tensor(y) for y in _as_list(ys)]
    xs_in = _as_list(xs)
    xs = [convert_to_tensor(x, as_ref=True) for x in xs_in]
    grad_ys = _as_list(grad_ys) if grad_ys is not None else [None] * len(ys)
    if len(grad_ys) != len(ys):
        raise ValueError("Passed %d grad_ys for %d ys" % (len(grad_ys), len(ys)))
    stop_ops = {t.op if isinstance(t, Tensor) else convert_to_tensor(t).op
                for t in _as_list(stop_gradients)}
    graph = ys[0].graph if ys else None
    with name_scope(name, "gradients", ys + xs):
        from tensorslim.core.ops import array_ops, math_ops
        # Ops reachable backwards from ys, and forwards from xs: their intersection matters.
        to_ys = _reachable_backward([y.op for y in ys])
        from_xs = _reachable_forward([x.op for x in xs], to_ys)
        between = to_ys & from_xs
        grads = {}
        for i, (y, gy) in enumerate(zip(ys, grad_ys)):
            if gy is None:
                if not _is_differentiable_dtype(y.dtype):
                    raise TypeError("Gradients of complex or integer tensors are not "
                                    "supported: %s has dtype %s" % (y.name, y.dtype.name))
                if y.shape.is_fully_defined():
                    gy = array_ops.fill(y.shape.as_list(), array_ops.constant(
                        1, dtype=y.dtype.base_dtype, name="grad_ys_%d" % i))
                else:
                    gy = array_ops.fill(array_ops.shape(y), array_ops.constant(
                        1, dtype=y.dtype.base_dtype, name="grad_ys_%d" % i))
            else:
                gy = convert_to_tensor(gy, dtype=y.dtype.base_dtype)
                if not y.shape.is_compatible_with(gy.shape):
                    raise ValueError("Incompatible shapes between op input and calculated "
                                     "input gradient for %s: %s vs %s" % (y.name, y.shape,
                                                                          gy.shape))
            grads.setdefault(y, []).append(gy)
        x_set = set(xs)
        for op in _reverse_topological(between, [y.op for y in ys]):
            out_grads = [_aggregate(grads.get(t), math_ops) for t in op._outputs]
            if all(g is None for g in out_grads):
                continue
            if op in stop_ops:
                continue
            grad_fn = registry.get_gradient_function(op)
            if grad_fn is None:
                continue
            with name_scope(op.name + "_grad"):
                for i, t in enumerate(op._outputs):
                    if out_grads[i] is None and _is_differentiable_dtype(t.dtype) and \
                            not t.dtype.is_ref_dtype:
                        out_grads[i] = array_ops.zeros_like(t)
                in_grads = grad_fn(op, *out_grads)
            in_grads = _as_list(in_grads)
            if len(in_grads) != len(op._inputs):
                raise ValueError("Num gradients %d generated for op %s do not match num inputs "
                                 "%d" % (len(in_grads), op.name, len(op._inputs)))
            for inp, g in zip(op._inputs, in_grads):
                if g is None or inp.op not in between and inp not in x_set:
                    continue
                if not _is_differentiable_dtype(inp.dtype):
                    continue
                if inp.op in stop_ops:
                    continue
                grads.setdefault(inp, []).append(g)
        result = []
        for x, x_in in zip(xs, xs_in):
            g = _aggregate(grads.get(x), math_ops)
            if g is None and unconnected_gradients == "zero":
                g = array_ops.zeros_like(x)
            result.append(g)
        return result


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
    """``tf.hessians``: the matrix of second derivatives of ``sum(ys)`` for each x."""
    from tensorslim.core.ops import array_ops
    xs = _as_list(xs)
    out = []
    with name_scope(name, "hessians", xs):
        for x in xs:
            x_t = convert_to_tensor(x)
            n = x_t.shape.num_elements()
            if n is None:
                raise ValueError("tf.hessians needs a fully defined shape for %s" % x_t.name)
            grad = gradients(ys, x)[0]
            flat = array_ops.reshape(grad, [-1])
            from tensorslim.core.ops import manip_ops
            rows = [gradients(manip_ops.gather(flat, i), x)[0] for i in range(n)]
            rows = [array_ops.zeros_like(x_t) if r is None else r for r in rows]
            h = array_ops.stack(rows)
            out.append(array_ops.reshape(h, x_t.shape.as_list() + x_t.shape.as_list()))
    return out
