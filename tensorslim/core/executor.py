"""Compiles the part of a graph that a ``Session.run`` needs into a plan, and replays it.

A plan is computed once per (fetches, feeds, targets) signature: the ops the fetches need,
in topological order, each bound to its kernel and a per-session :class:`KernelContext`,
with inputs and outputs assigned to slots of a flat value list, adapters where a value must
be dereferenced (variables) or moved between devices, and the slots that can be freed after
each step. Replaying a plan is one tight loop.
"""
import threading
import time

import numpy as np

from tensorslim.core import errors, fusion
from tensorslim.core.graph import format_location

__all__ = ["Plan", "KernelContext", "VarRef", "DEAD", "compile_plan", "current_deadline"]


class _Dead:
    """The value of a tensor on the branch a ``cond`` did not take."""

    def __repr__(self):
        return "<dead>"


DEAD = _Dead()
_run_state = threading.local()


def current_deadline():
    """The wall-clock deadline (time.monotonic) of the run in this thread, or None."""
    return getattr(_run_state, "deadline", None)


def current_run_state():
    return getattr(_run_state, "state", None)


class VarRef:
    """The value of a reference-typed tensor: a handle on a variable's storage."""

    __slots__ = ("store", "name", "op")

    def __init__(self, store, name, op):
        self.store = store
        self.name = name
        self.op = op

    def get(self):
        try:
            return self.store[self.name]
        except KeyError:
            raise errors.FailedPreconditionError(
                None, self.op, "Attempting to use uninitialized value %s" % self.name) from None

    def set(self, value):
        self.store[self.name] = value

    def is_initialized(self):
        return self.name in self.store


class KernelContext:
    """What a kernel may know: its op's attrs, its device's array module, its session.

    One context exists per (session, op); ``state`` holds whatever per-session state the op
    keeps (a random generator, a queue, a reader).
    """

    __slots__ = ("op", "attrs", "device", "xp", "session", "state")

    def __init__(self, op, device, session):
        self.op = op
        self.attrs = op._attrs
        self.device = device
        self.xp = device.xp
        self.session = session
        self.state = None

    def to_device(self, array):
        """Moves a host (numpy) array to this kernel's device."""
        return self.device.to_device(array)

    def to_host(self, array):
        return self.device.to_host(array)

    def asarray(self, value, dtype=None):
        """A device array from a host value (numpy or Python)."""
        return self.device.to_device(np.asarray(value, dtype=dtype))


class Plan:
    """A compiled, replayable execution of part of a graph."""

    __slots__ = ("steps", "n_slots", "feed_slots", "fetch_slots", "fetch_adapters",
                 "ops", "has_dead", "stateful")

    def run(self, feed_values):
        vals = [None] * self.n_slots
        for slot, value in zip(self.feed_slots, feed_values):
            vals[slot] = value
        step = None
        try:
            if self.has_dead:
                self._run_with_dead(vals)
            else:
                for step in self.steps:
                    kernel, ctx, ins, outs, frees, adapters = step[:6]
                    if adapters is None:
                        res = kernel(ctx, *[vals[i] for i in ins])
                    else:
                        res = kernel(ctx, *[vals[i] if a is None else a(vals[i])
                                            for i, a in zip(ins, adapters)])
                    if len(outs) == 1:
                        vals[outs[0]] = res
                    elif outs:
                        for o, r in zip(outs, res):
                            vals[o] = r
                    for i in frees:
                        vals[i] = None
            results = []
            for slot, adapter in zip(self.fetch_slots, self.fetch_adapters):
                v = vals[slot]
                if v is DEAD:
                    raise errors.InvalidArgumentError(
                        None, None, "Retval does not have value: the fetched tensor is on a "
                        "branch of tf.cond that was not taken.")
                results.append(adapter(v) if adapter is not None else v)
            return results
        except errors.OpError as e:
            raise _with_op(e, step, self) from None
        except (ValueError, TypeError, IndexError, ArithmeticError, KeyError) as e:
            if step is None:
                raise
            op = step[1].op
            raise errors.InvalidArgumentError(
                None, op, "%s\n\t [[node %s ]]" % (e, op._where())) from e

    def _run_with_dead(self, vals):
        dead_ops = set()
        for step in self.steps:
            kernel, ctx, ins, outs, frees, adapters, may_dead, handles_dead = step
            if may_dead:
                op = ctx.op
                dead = any(vals[i] is DEAD for i in ins) if not handles_dead else False
                if not dead:
                    dead = any(c in dead_ops for c in op._control_inputs)
                if dead:
                    dead_ops.add(op)
                    for o in outs:
                        vals[o] = DEAD
                    continue
            args = [vals[i] if a is None or vals[i] is DEAD else a(vals[i])
                    for i, a in zip(ins, adapters or [None] * len(ins))]
            res = kernel(ctx, *args)
            if handles_dead and res[0] is DEAD:
                # A Merge of dead inputs is dead: so are ops with a control edge from it.
                dead_ops.add(ctx.op)
            if len(outs) == 1:
                vals[outs[0]] = res
            elif outs:
                for o, r in zip(outs, res):
                    vals[o] = r
            for i in frees:
                vals[i] = None


def _with_op(e, step, plan=None):
    """Attaches the failing op, its NodeDef and its user location to a kernel's OpError.

    For an uninitialized variable, lists every variable this run needs that has no value.
    """
    op = e.op or (step[1].op if step is not None else None)
    if op is None:
        return e
    message = e.message
    if isinstance(e, errors.FailedPreconditionError) and plan is not None and \
            message.startswith("Attempting to use uninitialized value"):
        missing = _uninitialized_in(plan)
        if len(missing) > 1:
            message += ("\nThis run needs %d uninitialized variables: %s. Run "
                        "tf.global_variables_initializer() (or restore a checkpoint) first."
                        % (len(missing), ", ".join(missing)))
        else:
            message += ("\nRun tf.global_variables_initializer() (or restore a checkpoint) "
                        "before using it.")
    if "[[node" not in message:
        message = "%s\n\t [[node %s ]]" % (message, op._where())
    try:
        node_def = op.node_def
    except Exception:  # noqa: BLE001 - an error report must not fail on its NodeDef
        node_def = None
    return type(e)(node_def, op, message)


def _uninitialized_in(plan):
    names = []
    for step in plan.steps:
        ctx = step[1]
        if ctx.op.type == "VariableV2" and isinstance(ctx.state, VarRef) and \
                not ctx.state.is_initialized():
            names.append(ctx.state.name)
    return names


_ALIASING_OPS = frozenset(["Identity"])


def _deref(value):
    return value.get() if isinstance(value, VarRef) else value


def compile_plan(session, fetch_tensors, target_ops, feed_tensors, feed_device=None,
                 fetch_device=None, fuse=True):
    """Builds the :class:`Plan` computing ``fetch_tensors`` and running ``target_ops``.

    Args:
      session: the Session (for placement and per-session kernel contexts).
      fetch_tensors: Tensors whose values are returned, in order.
      target_ops: Operations to run for their effects.
      feed_tensors: Tensors whose values are supplied by the caller, in order.
      feed_device: the device fed values live on (default: the host). Loops set it.
      fetch_device: the device fetched values are moved to (default: the host, as numpy).
      fuse: whether chains of ops may run as fused kernels (see ``core/fusion.py``).

    Raises:
      InvalidArgumentError: a placeholder that the fetches need is not fed, or an op cannot
        be placed.
    """
    fed = set(feed_tensors)
    needed_ops = []
    seen = set()
    # Iterative DFS giving a topological order (inputs before consumers).
    stack = [(t.op, False) for t in reversed(fetch_tensors) if t not in fed]
    stack += [(op, False) for op in reversed(target_ops)]
    while stack:
        op, expanded = stack.pop()
        if expanded:
            needed_ops.append(op)
            continue
        if op in seen:
            continue
        seen.add(op)
        stack.append((op, True))
        for c in reversed(op._control_inputs):
            if c not in seen:
                stack.append((c, False))
        for t in reversed(op._inputs):
            if t not in fed and t.op not in seen:
                stack.append((t.op, False))

    missing = [op for op in needed_ops if op.type == "Placeholder"]
    if missing:
        details = "\n".join("  %s (%s, shape %s) defined at %s"
                            % (op.name + ":0", op.outputs[0].dtype.name,
                               op.outputs[0].shape, format_location(op.location))
                            for op in missing)
        raise errors.InvalidArgumentError(
            None, missing[0],
            "You must feed a value for placeholder tensor '%s' with dtype %s%s\n"
            "Placeholders this run needs but that were not fed (pass them in feed_dict):\n%s"
            % (missing[0].name, missing[0].outputs[0].dtype.name,
               _shape_suffix(missing[0].outputs[0].shape), details))

    slot_of = {}
    for t in feed_tensors:
        slot_of[t] = len(slot_of)
    feed_slots = [slot_of[t] for t in feed_tensors]
    for op in needed_ops:
        for t in op._outputs:
            slot_of[t] = len(slot_of)

    devices = {op: session._place(op) for op in needed_ops}
    feed_device = feed_device or session._host_device()

    def device_of_tensor(t):
        return devices.get(t.op, feed_device) if t not in fed else feed_device

    # Dead-value analysis: only ops downstream of a Switch can see dead inputs.
    may_dead = set()
    for op in needed_ops:
        if op.type in ("Switch", "RefSwitch") or any(t.op in may_dead for t in op._inputs) \
                or any(c in may_dead for c in op._control_inputs):
            may_dead.add(op)
    has_dead = bool(may_dead)

    fetch_set = set(fetch_tensors)
    if fuse and not has_dead:
        units = fusion.plan_units(needed_ops, fed, fetch_set, devices)
    else:
        units = needed_ops

    # Last use of each slot, for freeing.
    last_use = {}
    for idx, unit in enumerate(units):
        for t in _unit_inputs(unit):
            last_use[slot_of[t]] = idx

    # Tensors that may hold a VarRef: refs themselves, and Identity reads of them. As in TF,
    # a read aliases the variable, so its value is taken when a consumer runs (after that
    # consumer's control dependencies), not when the Identity runs.
    may_ref = set()
    for op in needed_ops:
        for t in op._outputs:
            if t.dtype.is_ref_dtype:
                may_ref.add(t)
        if op.type in _ALIASING_OPS and op._inputs and op._inputs[0] in may_ref:
            may_ref.add(op._outputs[0])

    def adapter_for(op, i, t):
        """What input ``i`` (tensor ``t``) of ``op`` needs before its kernel sees it."""
        op_def = op._op_def
        device = devices[op]
        is_ref = t in may_ref and i not in op_def.ref_inputs and \
            op.type not in _ALIASING_OPS
        src = device_of_tensor(t)
        moves = src is not device and src.name != device.name
        if is_ref and moves:
            return _compose(_deref, _mover(src, device))
        if is_ref:
            return _deref
        if moves and i not in op_def.ref_inputs:
            return _mover(src, device)
        return None

    steps = []
    for idx, unit in enumerate(units):
        members = unit.ops if isinstance(unit, fusion.Group) else (unit,)
        for op in members:
            if op._op_def is None or op._op_def.kernel is None:
                raise errors.UnimplementedError(
                    None, op, "No kernel registered for op type '%s' (node %s)."
                    % (op.type, op._where()))
        ctxs = [session._kernel_context(op, devices[op]) for op in members]
        if isinstance(unit, fusion.Group):
            op = unit.ops[-1]
            kernel = unit.make_kernel(ctxs)
            inputs = unit.inputs
            outputs = unit.outputs
        else:
            op = unit
            kernel = op._op_def.kernel
            inputs = [(t, op, i) for i, t in enumerate(op._inputs)]
            outputs = op._outputs
        ins = tuple(slot_of[t] for t, _, _ in inputs)
        outs = tuple(slot_of[t] for t in outputs)
        adapters = [adapter_for(member, i, t) for t, member, i in inputs]
        adapters = tuple(adapters) if any(a is not None for a in adapters) else None
        frees = tuple(s for s in set(ins) if last_use.get(s) == idx
                      and s not in feed_slots and not _is_fetched(s, fetch_set, slot_of))
        step = (kernel, ctxs[-1], ins, outs, frees, adapters)
        if has_dead:
            step += (op in may_dead, op.type in ("Merge", "RefMerge"))
        steps.append(step)

    plan = Plan()
    plan.steps = steps
    plan.n_slots = len(slot_of)
    plan.feed_slots = feed_slots
    plan.fetch_slots = [slot_of[t] for t in fetch_tensors]
    if fetch_device is None:
        host = session._host_device()
        plan.fetch_adapters = [_fetch_adapter(device_of_tensor(t), host, t in may_ref)
                               for t in fetch_tensors]
    else:
        plan.fetch_adapters = [_device_fetch_adapter(device_of_tensor(t), fetch_device,
                                                     t in may_ref) for t in fetch_tensors]
    plan.ops = needed_ops
    plan.has_dead = has_dead
    plan.stateful = any(op._op_def.stateful for op in needed_ops if op._op_def)
    return plan


def _unit_inputs(unit):
    if isinstance(unit, fusion.Group):
        return [t for t, _, _ in unit.inputs]
    return unit._inputs


def _is_fetched(slot, fetch_set, slot_of):
    for t in fetch_set:
        if slot_of.get(t) == slot:
            return True
    return False


def _shape_suffix(shape):
    if shape.ndims is None:
        return ""
    return " and shape [%s]" % ",".join("?" if d is None else str(d) for d in shape.as_list())


def _compose(f, g):
    return lambda v: g(f(v))


def _mover(src, dst):
    if src.xp is dst.xp:
        return None if src.xp is np else (lambda v: v)
    def move(v):
        if v is DEAD or not hasattr(v, "shape"):
            return v
        return dst.to_device(src.to_host(v))
    return move


def _device_fetch_adapter(src, dst, is_ref):
    move = None if src is dst or src.name == dst.name else _mover(src, dst)
    if is_ref:  # _mover gives None for host-to-host
        return _deref if move is None else _compose(_deref, move)
    return move


def _fetch_adapter(src, host, is_ref):
    on_host = src.xp is np
    if on_host and not is_ref:
        return None
    if on_host:
        return _deref

    def fetch(v):
        v = _deref(v)
        return src.to_host(v) if hasattr(v, "shape") and not isinstance(v, np.ndarray) else v
    return fetch


class Deadline:
    """Context manager installing a per-thread run deadline for blocking kernels."""

    def __init__(self, timeout_in_ms):
        self._deadline = None if not timeout_in_ms or timeout_in_ms <= 0 else \
            time.monotonic() + timeout_in_ms / 1000.0

    def __enter__(self):
        self._saved = getattr(_run_state, "deadline", None)
        _run_state.deadline = self._deadline
        return self

    def __exit__(self, *exc):
        _run_state.deadline = self._saved
        return False
