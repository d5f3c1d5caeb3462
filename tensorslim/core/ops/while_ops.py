"""``tf.while_loop``: one ``While`` op that runs its loop body as a nested plan.

Design. TF1 builds loops from Enter/Merge/Switch/NextIteration/Exit frames, which need an
executor with frames. Here a loop is a single ``While`` op, like TF's functional While:

* ``cond`` and ``body`` are built once, in the same graph, under the ``while`` name scope, on
  Placeholder entry points (``while/loop_var``, read through ``while/Identity`` as in TF1).
  The ops they create that depend on a loop variable or are stateful form the loop's
  *region*; the others are loop invariant (constants, variables created in the body and
  their reads) and stay outside, computed once. Tensors the region takes from outside are
  *captured*: they become inputs of the While op (so the outer plan computes them first and
  gradients reach them), and the loop feeds their values into the region. Variables read or
  assigned in the body are not fed: the region reads them itself, so each iteration sees
  their current value. Control inputs from outside the region move to the While op.
* The While kernel compiles two plans over the region (cond -> bool, body -> next loop
  values), fed and fetched on the While op's device, and alternates them until ``cond`` is
  false or ``maximum_iterations`` is reached.

Gradients. With ``back_prop=True`` the While op has, after its loop outputs, one extra
``variant`` output per loop variable: the list of that variable's value at the start of
every iteration (recorded only when a gradient uses it). The gradient is a second While op
running backwards over that history: each reverse step feeds iteration ``i``'s values into
the forward region, recomputes the body and applies its gradient (built once with
``tf.gradients`` on the region), accumulating the gradients of captured tensors.

Limits: the body is re-executed during backprop, so stateful ops in the body (random ops,
assignments, py_func with side effects) run again and random values differ from the forward
pass; the gradient of the gradient loop (second derivatives through a loop) is not
supported; TensorArrays are not supported as loop variables; iterations run one after the
other (``parallel_iterations`` and ``swap_memory`` are accepted and ignored); a While op
imported from a GraphDef cannot run (its body functions are not imported).
"""
import time

import numpy as np

from tensorslim.core import dtypes as _dtypes
from tensorslim.core import errors
from tensorslim.core import executor
from tensorslim.core.graph import Tensor, convert_to_tensor, get_default_graph, name_scope
from tensorslim.core.ops import array_ops
from tensorslim.core.ops import control_flow_ops as _cf
from tensorslim.core.registry import register_op
from tensorslim.core.tensor_shape import TensorShape, as_shape, unknown_shape

__all__ = ["while_loop", "WhileSpec"]

_VARIABLE_OPS = frozenset(["VariableV2", "Variable", "VarHandleOp"])


class WhileSpec:
    """What a While op runs: its region's entry points, outputs and captured tensors.

    Attributes:
      placeholders: the entry tensors fed with the loop variables each iteration.
      cond_output: the bool tensor deciding whether to run the body (None for a reverse
        loop, which runs once per recorded forward iteration).
      body_outputs: the tensors holding the next values of the loop variables.
      captured: the outside tensors the region reads, in While input order.
      fed: for each captured tensor, whether its value is fed (False for variables and
        their reads, which the region computes itself).
      region: the set of ops of the loop.
      history_feeds: for a reverse loop, ``(tensor, k)`` pairs: ``tensor`` is fed element
        ``i`` of history input ``k`` at reverse step ``i``.
      n_history: how many history (accumulator) inputs follow the loop variables.
      has_max: whether a ``maximum_iterations`` input follows the loop variables.
      back_prop: whether the forward loop records history for gradients.
    """

    def __init__(self):
        self.placeholders = []
        self.cond_output = None
        self.body_outputs = []
        self.captured = []
        self.fed = []
        self.region = set()
        self.history_feeds = []
        self.n_history = 0
        self.has_max = False
        self.back_prop = True
        self.shapes = []

    @property
    def n_vars(self):
        return len(self.placeholders)

    @property
    def reverse(self):
        return self.cond_output is None


# --------------------------------------------------------------------------- the While op

def _while_shape(op):
    spec = getattr(op, "_while_spec", None)
    shapes = list(spec.shapes) if spec is not None else \
        list(op._attrs.get("output_shapes", []))
    return shapes + [TensorShape([])] * (len(op.outputs) - len(shapes))


def _while_context(ctx):
    ctx.state = {}


def _plans(ctx, spec):
    plans = ctx.state.get("plans")
    if plans is None:
        session = ctx.session
        with session._lock:
            return _compile_plans(ctx, spec, session)
    return plans


def _compile_plans(ctx, spec, session):
    plans = ctx.state.get("plans")
    if plans is None:
        feeds = list(spec.placeholders) + [t for t, _ in spec.history_feeds] + \
            [t for t, fed in zip(spec.captured, spec.fed) if fed]
        body_plan = executor.compile_plan(session, list(spec.body_outputs), [], feeds,
                                          feed_device=ctx.device, fetch_device=ctx.device)
        cond_plan = None
        if spec.cond_output is not None:
            cond_plan = executor.compile_plan(session, [spec.cond_output], [], feeds,
                                              feed_device=ctx.device,
                                              fetch_device=ctx.device)
        plans = ctx.state["plans"] = (cond_plan, body_plan)
    return plans


def _check_deadline(ctx):
    deadline = executor.current_deadline()
    if deadline is not None and time.monotonic() > deadline:
        raise errors.DeadlineExceededError(None, ctx.op, "Timed out in while loop %s"
                                           % ctx.op.name)


def _while_kernel(ctx, *inputs):
    op = ctx.op
    spec = getattr(op, "_while_spec", None)
    if spec is None:
        raise errors.UnimplementedError(
            None, op, "While op %s has no loop body in this process (it was imported from a "
            "GraphDef): rebuild the loop with tf.while_loop." % op.name)
    n = spec.n_vars
    values = list(inputs[:n])
    pos = n
    max_iter = None
    if spec.has_max:
        max_iter = int(ctx.to_host(inputs[pos]))
        pos += 1
    histories = inputs[pos:pos + spec.n_history]
    pos += spec.n_history
    captured = [v for v, fed in zip(inputs[pos:], spec.fed) if fed]
    cond_plan, body_plan = _plans(ctx, spec)
    to_device = ctx.device.to_device
    if spec.reverse:
        steps = len(histories[0]) if histories else 0
        for i in range(steps - 1, -1, -1):
            _check_deadline(ctx)
            hist = [to_device(histories[k][i]) for _, k in spec.history_feeds]
            values = body_plan.run(values + hist + captured)
        return tuple(values)
    record = spec.back_prop and any(t._consumers for t in op._outputs[n:])
    history = [[] for _ in range(n)] if record else [None] * n
    count = 0
    while max_iter is None or count < max_iter:
        _check_deadline(ctx)
        go = cond_plan.run(values + captured)[0]
        if not bool(ctx.to_host(go)):
            break
        if record:
            for h, v in zip(history, values):
                h.append(v)
        values = body_plan.run(values + captured)
        count += 1
    outs = tuple(values)
    if len(op._outputs) > n:
        outs += tuple(history)
    return outs


def _while_grad(op, *grads):
    spec = getattr(op, "_while_spec", None)
    if spec is None or spec.reverse:
        raise LookupError("No gradient defined for operation '%s' (op type: While): the "
                          "gradient of a while_loop's gradient loop (a second derivative "
                          "through tf.while_loop) is not supported." % op.name)
    n = spec.n_vars
    n_in = len(op.inputs)
    if not spec.back_prop or len(op.outputs) == n:
        return [None] * n_in
    cap_start = n + (1 if spec.has_max else 0)
    diff_vars = [j for j in range(n) if _differentiable(spec.placeholders[j].dtype)]
    diff_caps = [k for k, t in enumerate(spec.captured) if _differentiable(t.dtype)]
    grad_vars = [grads[j] for j in diff_vars]
    if not diff_vars or all(g is None for g in grad_vars):
        return [None] * n_in
    grad_vars = [array_ops.zeros_like(op.outputs[j]) if g is None else g
                 for j, g in zip(diff_vars, grad_vars)]
    graph = op.graph
    from tensorslim.core import gradients as _gradients
    with graph.control_dependencies(None):
        start = len(graph._ops)
        gy = [array_ops.placeholder(spec.placeholders[j].dtype.base_dtype,
                                    spec.placeholders[j].shape, name="grad_in")
              for j in diff_vars]
        acc = [array_ops.placeholder(spec.captured[k].dtype.base_dtype,
                                     spec.captured[k].shape, name="captured_grad_in")
               for k in diff_caps]
        xs = [spec.placeholders[j] for j in diff_vars] + [spec.captured[k] for k in diff_caps]
        ys = [spec.body_outputs[j] for j in diff_vars]
        dxs = _gradients.gradients(ys, xs, grad_ys=gy,
                                   stop_gradients=[spec.captured[k] for k in diff_caps])
        new_gy = [array_ops.zeros_like(g) if d is None else _same_shape(d, g)
                  for d, g in zip(dxs[:len(diff_vars)], gy)]
        new_acc = [a if d is None else a + _same_shape(d, a)
                   for d, a in zip(dxs[len(diff_vars):], acc)]
        new_ops = _unowned(graph._ops[start:])
    rspec = WhileSpec()
    rspec.placeholders = gy + acc
    rspec.body_outputs = new_gy + new_acc
    rspec.history_feeds = [(spec.placeholders[j], j) for j in range(n)]
    rspec.n_history = n
    rspec.region = set(spec.region) | set(new_ops)
    rspec.back_prop = False
    rspec.shapes = [t.shape for t in rspec.placeholders]
    fed = set(rspec.placeholders) | set(spec.placeholders)
    rspec.captured, rspec.fed = _captures(rspec.region, fed)
    _move_external_control_inputs(rspec.region)
    for new_op in new_ops:
        new_op._while_owner = rspec
    init = grad_vars + [array_ops.zeros_like(spec.captured[k]) for k in diff_caps]
    inputs = init + list(op.outputs[n:2 * n]) + rspec.captured
    outs = _make_while_op(rspec, inputs, name="while_grad")
    result = [None] * n_in
    for i, j in enumerate(diff_vars):
        result[j] = outs[i]
    for i, k in enumerate(diff_caps):
        result[cap_start + k] = outs[len(diff_vars) + i]
    return result


register_op("While", shape=_while_shape, kernel=_while_kernel, make_context=_while_context,
            grad=_while_grad)


def _same_shape(grad, like):
    if grad.shape.is_compatible_with(like.shape):
        return grad
    return array_ops.reshape(grad, array_ops.shape(like))


def _differentiable(dtype):
    base = dtype.base_dtype
    return base.is_floating or base.is_complex


def _is_variable_read(t):
    op = t.op
    if op.type in _VARIABLE_OPS:
        return True
    return op.type == "Identity" and op.inputs and op.inputs[0].op.type in _VARIABLE_OPS


def _captures(region, fed):
    """The tensors ops of ``region`` read from outside it (in order), and whether to feed."""
    captured = []
    seen = set(fed)
    for op in sorted(region, key=lambda o: o._id):
        for t in op._inputs:
            if t.op not in region and t not in seen:
                seen.add(t)
                captured.append(t)
    return captured, [not _is_variable_read(t) for t in captured]


def _move_external_control_inputs(region):
    """Control inputs from outside the region would re-run outside ops in the loop: drop
    them (the While op takes them instead); returns them."""
    moved = []
    for op in region:
        for c in list(op._control_inputs):
            if c not in region:
                op._control_inputs.remove(c)
                if op in c._control_outputs:
                    c._control_outputs.remove(op)
                if c not in moved:
                    moved.append(c)
    return moved


def _make_while_op(spec, inputs, name, control_inputs=(), parallel_iterations=10):
    out_dtypes = [t.dtype.base_dtype for t in spec.placeholders]
    if spec.back_prop:
        out_dtypes += [_dtypes.variant] * spec.n_vars
    attrs = {"T": [t.dtype.base_dtype for t in inputs],
             "output_shapes": list(spec.shapes),
             "parallel_iterations": int(parallel_iterations),
             "cond": name.rstrip("/") + "_cond", "body": name.rstrip("/") + "_body"}
    graph = inputs[0].graph if inputs else get_default_graph()
    with graph.control_dependencies(list(control_inputs)) if control_inputs else _null():
        op = _create_while(graph, inputs, out_dtypes, attrs, name, spec)
    return op.outputs


def _create_while(graph, inputs, out_dtypes, attrs, name, spec):
    # The spec must be on the op before its shape function runs: create it unshaped first.
    op = graph.create_op("While", list(inputs), out_dtypes, name=name, attrs=attrs,
                         compute_shapes=False)
    op._while_spec = spec
    graph._run_shape_function(op)
    return op


class _null:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


# --------------------------------------------------------------------------- while_loop

def _shape_less_or_equal(s1, s2):
    if s2.ndims is None:
        return True
    if s1.ndims != s2.ndims:
        return False
    return all(d2 is None or d1 == d2 for d1, d2 in zip(s1.as_list(), s2.as_list()))


def _shape_str(shape):
    if shape.ndims is None:
        return "<unknown>"
    dims = ["None" if d is None else str(d) for d in shape.as_list()]
    return "(%s)" % (dims[0] + "," if len(dims) == 1 else ", ".join(dims))


def while_loop(cond, body, loop_vars, shape_invariants=None, parallel_iterations=10,
               back_prop=True, swap_memory=False, maximum_iterations=None, name=None,
               return_same_structure=False):
    """``tf.while_loop``: repeats ``body`` while ``cond`` is true.

    Example::

        i, x = tf.while_loop(lambda i, x: i < 10, lambda i, x: (i + 1, x * w), [0, x0])

    Args:
      cond: a callable taking the loop variables and returning a scalar bool tensor.
      body: a callable taking the loop variables and returning their next values, with the
        structure of ``loop_vars`` (a single tensor is accepted for one variable).
      loop_vars: a (nested) list, tuple, namedtuple or dict of tensors (or values
        convertible to tensors).
      shape_invariants: shapes, structured like ``loop_vars``, that the variables keep
        across iterations (use ``None`` dimensions for shapes that change).
      parallel_iterations: accepted for compatibility (iterations run one after another);
        must be a positive integer.
      back_prop: whether gradients may flow through the loop.
      swap_memory: accepted for compatibility.
      maximum_iterations: an optional int scalar bounding the number of iterations.
      name: the name scope (default ``while``).
      return_same_structure: always return the structure of ``loop_vars`` (otherwise a
        single loop variable is returned unwrapped).

    Returns:
      The loop variables' final values.

    Raises:
      TypeError: ``cond`` or ``body`` is not callable, ``parallel_iterations`` is not a
        positive integer, ``cond`` does not return a bool, or the body changes a dtype.
      ValueError: no loop variables, a shape invariant is incompatible with a variable,
        the body changes a shape without a shape invariant allowing it, ``cond`` does not
        return a scalar, or the body returns a different structure.
    """
    from tensorslim.eager import context as _eager_context
    if _eager_context.executing_eagerly():
        from tensorslim.eager import control_flow as _eager_control_flow
        return _eager_control_flow.while_loop(cond, body, loop_vars, shape_invariants,
                                              maximum_iterations, return_same_structure)
    if not callable(cond):
        raise TypeError("cond must be callable.")
    if not callable(body):
        raise TypeError("body must be callable.")
    if parallel_iterations < 1 or int(parallel_iterations) != parallel_iterations:
        raise TypeError("parallel_iterations must be a positive integer.")
    single = not _cf.is_sequence(loop_vars)
    if single:
        if loop_vars is None:
            raise ValueError("No loop variables provided")
        loop_vars = [loop_vars]
        if shape_invariants is not None:
            shape_invariants = [shape_invariants]
    if not loop_vars:
        raise ValueError("No loop variables provided")
    with name_scope(name, "while", _cf.flatten(loop_vars)) as scope:
        flat = [convert_to_tensor(v) for v in _cf.flatten(loop_vars)]
        graph = flat[0].graph if flat else get_default_graph()
        if shape_invariants is not None:
            _cf.assert_same_structure(loop_vars, shape_invariants)
            invariants = [as_shape(s) if s is not None else unknown_shape()
                          for s in _cf.flatten(shape_invariants)]
            for t, inv in zip(flat, invariants):
                if not _shape_less_or_equal(t.shape, inv):
                    raise ValueError(
                        "The shape invariant specified for %s is not compatible with the "
                        "initial shape of the loop variable. It enters the loop with shape "
                        "%s, but the specified shape invariant is %s."
                        % (t.name, _shape_str(t.shape), _shape_str(inv)))
        else:
            invariants = [t.shape for t in flat]
        max_t = None
        if maximum_iterations is not None:
            max_t = convert_to_tensor(maximum_iterations, name="maximum_iterations")
            if max_t.shape.ndims not in (None, 0):
                raise ValueError("maximum_iterations must be a scalar, saw shape: %s"
                                 % _shape_str(max_t.shape))
            if not max_t.dtype.base_dtype.is_integer:
                raise TypeError("maximum_iterations must be an integer tensor, got %s"
                                % max_t.dtype.base_dtype.name)

        spec = WhileSpec()
        spec.back_prop = bool(back_prop)
        spec.has_max = max_t is not None
        with graph.control_dependencies(None):
            start = len(graph._ops)
            entries = [array_ops.placeholder(t.dtype.base_dtype, inv, name="loop_var")
                       for t, inv in zip(flat, invariants)]
            loop_tensors = [array_ops.identity(p, name="Identity") for p in entries]
            packed = _cf.pack_sequence_as(loop_vars, loop_tensors)
            cond_out = _check_cond_output(cond(*packed), scope)
            body_out = body(*packed)
            if not _cf.is_sequence(body_out):
                body_out = [body_out]
            _cf.assert_same_structure(packed, body_out)
            body_flat = [v if isinstance(v, Tensor) else
                         convert_to_tensor(v, preferred_dtype=t.dtype.base_dtype)
                         for v, t in zip(_cf.flatten(body_out), flat)]
            window = _unowned(graph._ops[start:])
            region = _loop_region(window, entries + loop_tensors, [cond_out] + body_flat)
            cond_out = _as_region_tensor(cond_out, region)
            body_flat = [_as_region_tensor(b, region) for b in body_flat]
        for t, b, inv in zip(flat, body_flat, invariants):
            if b.dtype.base_dtype != t.dtype.base_dtype:
                raise TypeError("Input tensor '%s' enters the loop with dtype %s, but has dtype "
                                "%s after one iteration." % (t.name, t.dtype.base_dtype.name,
                                                             b.dtype.base_dtype.name))
            if not _shape_less_or_equal(b.shape, inv):
                raise ValueError(
                    "Input tensor '%s' enters the loop with shape %s, but has shape %s after "
                    "one iteration. To allow the shape to vary across iterations, use the "
                    "`shape_invariants` argument of tf.while_loop to specify a less-specific "
                    "shape." % (t.name, _shape_str(inv), _shape_str(b.shape)))
        spec.placeholders = entries
        spec.cond_output = cond_out
        spec.body_outputs = body_flat
        spec.region = region
        spec.shapes = list(invariants)
        spec.captured, spec.fed = _captures(region, set(entries))
        moved = _move_external_control_inputs(region)
        for op in region:
            op._while_owner = spec
        inputs = list(flat) + ([max_t] if max_t is not None else []) + spec.captured
        outs = _make_while_op(spec, inputs, name=scope or "while", control_inputs=moved,
                              parallel_iterations=parallel_iterations)
        result_flat = outs[:len(flat)]
        structure = body_out if not single else [body_out[0]]
        result = _cf.pack_sequence_as(structure, result_flat)
        if single and not return_same_structure:
            return result[0]
        if not return_same_structure and isinstance(result, (list, tuple)) and \
                len(result_flat) == 1 and len(result) == 1:
            return result[0]
        return result


def _as_region_tensor(t, region):
    """A loop output must be computed inside the loop: wrap outside tensors in an Identity."""
    if t.op in region:
        return t
    t = array_ops.identity(t)
    region.add(t.op)
    return t


def _unowned(ops):
    """``ops`` less those that belong to the regions of loops nested in this one."""
    return [op for op in ops if getattr(op, "_while_owner", None) is None]


def _hoistable(op):
    # Stateful ops (random draws, assignments, py_funcs, prints) run every iteration; nested
    # loops too. Variables and their reads are not state that changes per iteration.
    if op.type == "While":
        return False
    op_def = op._op_def
    return op_def is None or not op_def.stateful or op.type in _VARIABLE_OPS


def _loop_region(window, entries, outputs):
    """The ops of a loop: those of ``window`` (the ops built by cond and body) that the
    outputs need and that depend on a loop variable or a stateful op. The other ops of the
    window are loop invariant (constants, variables created in the body and their reads):
    they stay outside and are computed once, before the loop.
    """
    in_window = set(window)
    needed = set()
    stack = [t.op for t in outputs]
    while stack:
        op = stack.pop()
        if op in needed or op not in in_window:
            continue
        needed.add(op)
        stack.extend(t.op for t in op._inputs)
        stack.extend(op._control_inputs)
    region = set()
    stack = [t.op for t in entries] + [op for op in needed if not _hoistable(op)]
    while stack:
        op = stack.pop()
        if op in region:
            continue
        region.add(op)
        for t in op._outputs:
            stack.extend(c for c in t._consumers if c in needed)
        stack.extend(c for c in op._control_outputs if c in needed)
    return region


def _check_cond_output(value, scope):
    if isinstance(value, (bool, np.bool_)):
        value = array_ops.constant(bool(value))
    value = convert_to_tensor(value)
    if value.dtype.base_dtype != _dtypes.bool:
        raise TypeError("Input 'input' of 'LoopCond' Op has type %s that does not match "
                        "expected type of bool." % value.dtype.base_dtype.name)
    if value.shape.ndims not in (None, 0):
        raise ValueError("Shape must be rank 0 but is rank %d for '%sLoopCond' (op: "
                         "'LoopCond') with input shapes: [%s]."
                         % (value.shape.ndims, scope,
                            ",".join("?" if d is None else str(d)
                                     for d in value.shape.as_list())))
    return value
