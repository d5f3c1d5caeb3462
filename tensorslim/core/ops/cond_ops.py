"""``tf.cond`` and ``tf.case``, built from TF1's Switch and Merge ops.

``cond(pred, true_fn, false_fn)`` builds, under a ``cond`` name scope, a ``Switch`` of the
predicate with itself, two pivots (``switch_t``/``switch_f``: Identity ops on its outputs) and
``pred_id``. Each branch function then runs inside a :class:`CondContext`: every tensor the
branch takes from outside is routed through a ``Switch`` on ``pred_id`` (named after the
consuming op, e.g. ``cond/mul/Switch``), and ops with no inputs get a control dependency on the
branch's pivot. At run time the executor marks the outputs of the untaken side of each Switch
DEAD, ops downstream of a dead value do not run, and the ``Merge`` of the two branch results
forwards the live one: only the taken branch executes.

Gradients follow TF: the gradient of Merge is a Switch of the incoming gradient on the cond's
predicate, the gradient of Switch a Merge of its two output gradients.
"""
import numpy as np

from tensorslim.core import dtypes as _dtypes
from tensorslim.core.executor import DEAD
from tensorslim.core.graph import Operation, convert_to_tensor, get_default_graph, name_scope
from tensorslim.core.op_util import apply_op
from tensorslim.core.ops import array_ops
from tensorslim.core.ops import control_flow_ops as _cf
from tensorslim.core.registry import register_op
from tensorslim.core.tensor_shape import TensorShape

__all__ = ["cond", "case", "switch", "merge", "CondContext", "ref_switch"]


# --------------------------------------------------------------------------- Switch / Merge

def _switch_shape(op):
    pred = op.inputs[1].shape
    if pred.ndims is not None and pred.ndims != 0:
        raise ValueError("Shape must be rank 0 but is rank %d" % pred.ndims)
    data = op.inputs[0].shape
    return [data, data]


def _switch_kernel(ctx, data, pred):
    host = ctx.to_host(pred)
    if host.ndim != 0:
        raise ValueError("The second input must be a scalar, but it has shape %s"
                         % list(host.shape))
    if bool(host):
        return DEAD, data
    return data, DEAD


def _switch_grad(op, grad_false, grad_true):
    context = getattr(op, "_control_flow_context", None)
    if isinstance(context, CondContext):
        if (grad_false, grad_true)[1 - context.branch] is None:
            return [None, None]
        return [merge([grad_false, grad_true], name="cond_grad")[0], None]
    if grad_false is None or grad_true is None:
        return [None, None]
    pred = op.inputs[1]
    false_grad = switch(grad_false, pred)[0]
    true_grad = switch(grad_true, pred)[1]
    return [merge([false_grad, true_grad])[0], None]


register_op("Switch", shape=_switch_shape, kernel=_switch_kernel, grad=_switch_grad)
register_op("RefSwitch", shape=_switch_shape, kernel=_switch_kernel, grad=_switch_grad,
            ref_inputs=(0,))


def _merge_shape(op):
    out = op.inputs[0].shape
    for t in op.inputs[1:]:
        out = out.most_specific_compatible_shape(t.shape)
    return [out, TensorShape([])]


def _merge_kernel(ctx, *inputs):
    for i, value in enumerate(inputs):
        if value is not DEAD:
            return value, ctx.asarray(i, np.int32)
    return DEAD, DEAD


def _merge_grad(op, grad, _):
    context = getattr(op.inputs[0].op, "_control_flow_context", None)
    if isinstance(context, CondContext):
        return list(_switch_ref_or_tensor(grad, context.pred, name="cond_grad"))
    from tensorslim.core.ops import math_ops
    if not hasattr(math_ops, "equal"):
        raise LookupError("No gradient defined for operation '%s' (op type: Merge) outside "
                          "of tf.cond" % op.name)
    return [_switch_ref_or_tensor(grad, math_ops.equal(op.outputs[1], i))[1]
            for i in range(len(op.inputs))]


register_op("Merge", shape=_merge_shape, kernel=_merge_kernel, grad=_merge_grad)
register_op("RefMerge", shape=_merge_shape, kernel=_merge_kernel, grad=_merge_grad,
            ref_inputs=(0, 1))


def switch(data, pred, dtype=None, name=None):
    """Forwards ``data`` to output 0 when ``pred`` is false, to output 1 when it is true.

    The other output is dead: ops that consume it do not run.

    Args:
      data: the tensor to forward.
      pred: a scalar bool tensor.
      dtype: optional dtype for ``data``.
      name: the op's name.

    Returns:
      ``(output_false, output_true)``.

    Raises:
      TypeError: ``pred`` is not a bool tensor.
    """
    with name_scope(name, "Switch", [data, pred]) as scope:
        data = convert_to_tensor(data, dtype=dtype, name="data")
        pred = convert_to_tensor(pred, name="pred")
        return _make_switch("Switch", data, pred, scope)


def ref_switch(data, pred, name=None):
    """``switch`` for a reference (variable) tensor: its outputs are references too."""
    with name_scope(name, "RefSwitch", [data, pred]) as scope:
        data = convert_to_tensor(data, as_ref=True, name="data")
        pred = convert_to_tensor(pred, name="pred")
        return _make_switch("RefSwitch", data, pred, scope)


def _make_switch(op_type, data, pred, scope):
    if pred.dtype.base_dtype != _dtypes.bool:
        raise TypeError("Input 'pred' of '%s' Op has type %s that does not match expected "
                        "type of bool." % (op_type, pred.dtype.base_dtype.name))
    dt = data.dtype if op_type == "RefSwitch" else data.dtype.base_dtype
    op = apply_op(op_type, [data, pred], [dt, dt], attrs={"T": data.dtype.base_dtype},
                  name=scope)
    return op.outputs[0], op.outputs[1]


def _switch_ref_or_tensor(data, pred, name="Switch"):
    if data.dtype.is_ref_dtype:
        return ref_switch(data, pred, name=name)
    return switch(data, pred, name=name)


def merge(inputs, name=None):
    """Forwards the one live tensor of ``inputs`` (the others come from untaken branches).

    Args:
      inputs: tensors of one dtype.
      name: the op's name.

    Returns:
      ``(output, value_index)``: the live value and the index of the input it came from.

    Raises:
      TypeError: the inputs' dtypes differ.
    """
    with name_scope(name, "Merge", inputs) as scope:
        inputs = [convert_to_tensor(t, as_ref=True) for t in inputs]
        dts = [t.dtype.base_dtype for t in inputs]
        if any(d != dts[0] for d in dts):
            raise TypeError("Tensors in list passed to 'inputs' of 'Merge' Op have types [%s] "
                            "that don't all match." % ", ".join(d.name for d in dts))
        all_ref = all(t.dtype.is_ref_dtype for t in inputs)
        op_type = "RefMerge" if all_ref else "Merge"
        out_dt = inputs[0].dtype if all_ref else dts[0]
        op = apply_op(op_type, inputs, [out_dt, _dtypes.int32],
                      attrs={"T": dts[0], "N": len(inputs)}, name=scope)
        return op.outputs[0], op.outputs[1]


# --------------------------------------------------------------------------- CondContext

class CondContext:
    """The context one branch of a ``cond`` is built in.

    While it is the graph's control flow context, every op created is passed to
    :meth:`add_op`, which routes tensors from outside the branch through a ``Switch`` on the
    predicate and makes input-less ops depend on the branch's pivot.

    Args:
      pred: the ``pred_id`` tensor (bool scalar).
      pivot: the ``switch_t`` or ``switch_f`` tensor of this branch.
      branch: 1 for the true branch, 0 for the false one.
    """

    def __init__(self, pred, pivot, branch):
        self._graph = pivot.graph
        self._outer_context = self._graph._get_control_flow_context()
        self._pred = pred
        self._pivot = pivot
        self._branch = branch
        self._values = {pred, pivot}
        self._external_values = {}
        self._ops = set()
        self._saved = []

    @property
    def pred(self):
        """The predicate tensor (``cond/pred_id``)."""
        return self._pred

    @property
    def pivot(self):
        """The branch's pivot tensor."""
        return self._pivot

    @property
    def branch(self):
        """1 for the true branch, 0 for the false branch."""
        return self._branch

    @property
    def outer_context(self):
        """The enclosing cond context, or None."""
        return self._outer_context

    def enter(self):
        """Makes this the graph's control flow context."""
        self._saved.append(self._graph._get_control_flow_context())
        self._graph._set_control_flow_context(self)

    def exit(self):
        """Restores the control flow context that was current before :meth:`enter`."""
        self._graph._set_control_flow_context(self._saved.pop())

    def _mark(self, op):
        ctx = self
        while ctx is not None:
            ctx._ops.add(op)
            ctx._values.update(op._outputs)
            ctx = ctx._outer_context

    def add_value(self, value):
        """Returns ``value`` as seen inside this branch (through a Switch when external)."""
        if value in self._values:
            return self._external_values.get(value, value)
        result = value
        if self._outer_context is not None:
            result = self._outer_context.add_value(value)
        with self._graph.control_dependencies(None):
            result = _switch_ref_or_tensor(result, self._pred)[self._branch]
        result.op._control_flow_context = self
        self._mark(result.op)
        self._values.add(value)
        self._external_values[value] = result
        return result

    def add_op(self, op):
        """Adds ``op`` (just created) to this branch; called by ``Graph.create_op``."""
        op._control_flow_context = self
        if not op._inputs:
            if not any(c in self._ops for c in op._control_inputs):
                op._add_control_input(self._pivot.op)
        else:
            with self._graph.name_scope(op.name + "/"):
                for i, x in enumerate(op._inputs):
                    real = self.add_value(x)
                    if real is not x:
                        op._update_input(i, real)
        self._mark(op)

    def build_branch(self, fn):
        """Calls ``fn`` in this context; returns ``(its result, the flat branch outputs)``."""
        original = fn()
        if original is None:
            return None, None
        flat = [self._build_cond_tensor(v) for v in _cf.flatten(original)]
        return original, flat

    def _build_cond_tensor(self, value):
        if isinstance(value, Operation):
            return _cf.with_dependencies([value], self._pivot)
        tensor = convert_to_tensor(value)
        return self.add_value(tensor)


# --------------------------------------------------------------------------- cond

def cond(pred, true_fn=None, false_fn=None, strict=False, name=None, fn1=None, fn2=None):
    """``tf.cond``: ``true_fn()`` if ``pred`` else ``false_fn()``; only that branch runs.

    Args:
      pred: a scalar bool tensor.
      true_fn: a callable returning the result when ``pred`` is true (a tensor, an op, or
        a nested list/tuple/dict of them).
      false_fn: the callable for false; its result must have the same structure and dtypes.
      strict: keep singleton lists/tuples instead of unpacking them.
      name: the name scope (default ``cond``).
      fn1, fn2: deprecated names of ``true_fn`` and ``false_fn``.

    Returns:
      The result of the taken branch, with ``true_fn``'s structure: one ``Merge`` output per
      leaf (a branch that returns an op yields a bool tensor whose evaluation runs the op).

    Raises:
      TypeError: a branch is not callable, ``pred`` is a Python bool or not a bool tensor, or
        both a new and a deprecated argument name are given.
      ValueError: a branch returns nothing, or the branches' structures or dtypes differ.
    """
    if fn1 is not None:
        if true_fn is not None:
            raise TypeError("cond(): true_fn and fn1 may not be set simultaneously.")
        true_fn = fn1
    if fn2 is not None:
        if false_fn is not None:
            raise TypeError("cond(): false_fn and fn2 may not be set simultaneously.")
        false_fn = fn2
    if not callable(true_fn):
        raise TypeError("true_fn must be callable.")
    if not callable(false_fn):
        raise TypeError("false_fn must be callable.")
    if isinstance(pred, bool):
        raise TypeError("pred must not be a Python bool")
    with name_scope(name, "cond", [pred]):
        pred = convert_to_tensor(pred)
        if pred.dtype.base_dtype != _dtypes.bool:
            raise TypeError("Input 'pred' of 'Switch' Op has type %s that does not match "
                            "expected type of bool." % pred.dtype.base_dtype.name)
        p_false, p_true = switch(pred, pred)
        pivot_t = array_ops.identity(p_true, name="switch_t")
        pivot_f = array_ops.identity(p_false, name="switch_f")
        pred = array_ops.identity(pred, name="pred_id")

        context_t = CondContext(pred, pivot_t, branch=1)
        context_t.enter()
        try:
            orig_t, res_t = context_t.build_branch(true_fn)
        finally:
            context_t.exit()
        if orig_t is None:
            raise ValueError("true_fn must have a return value.")
        context_f = CondContext(pred, pivot_f, branch=0)
        context_f.enter()
        try:
            orig_f, res_f = context_f.build_branch(false_fn)
        finally:
            context_f.exit()
        if orig_f is None:
            raise ValueError("false_fn must have a return value.")

        try:
            _cf.assert_same_structure(orig_t, orig_f)
        except (TypeError, ValueError) as e:
            raise ValueError("Outputs of true_fn and false_fn must have the same structure: "
                             "%s, %s (%s)" % (_structure_str(orig_t), _structure_str(orig_f),
                                              e)) from None
        for t, f in zip(res_t, res_f):
            if t.dtype.base_dtype != f.dtype.base_dtype:
                raise ValueError("Outputs of true_fn and false_fn must have the same type: "
                                 "%s, %s" % (t.dtype.base_dtype.name, f.dtype.base_dtype.name))
        merges = [merge([f, t])[0] for f, t in zip(res_f, res_t)]
        result = _cf.pack_sequence_as(orig_t, merges)
        if not strict:
            result = _unpack_if_singleton(result)
        return result


def _structure_str(structure):
    return str(_cf.pack_sequence_as(
        structure, [type(x).__name__ for x in _cf.flatten(structure)]))


def _unpack_if_singleton(result):
    if isinstance(result, (list, tuple)) and len(result) == 1:
        return result[0]
    return result


# --------------------------------------------------------------------------- case

def case(pred_fn_pairs, default=None, exclusive=False, strict=False, name="case"):
    """``tf.case``: the result of the first callable whose predicate is true.

    Built as nested ``cond`` ops, so only the selected callable runs.

    Args:
      pred_fn_pairs: a list of ``(pred, fn)`` pairs, or a dict ``{pred: fn}`` (its items are
        taken in insertion order).
      default: the callable used when no predicate is true. If None, the last pair's
        callable is the default and the run fails (InvalidArgumentError) if no predicate is
        true.
      exclusive: check at run time that at most one predicate is true.
      strict: passed to ``cond``.
      name: the name scope.

    Returns:
      The selected callable's result.

    Raises:
      TypeError: ``pred_fn_pairs`` is not a list or dict, a predicate is not a bool tensor,
        or a callable is not callable.
      InvalidArgumentError: at run time, when ``exclusive`` and several predicates are true,
        or without ``default`` when none is.
    """
    if default is not None and not callable(default):
        raise TypeError("default must be callable.")
    predicates, actions = _case_verify(pred_fn_pairs)
    with name_scope(name, "case", predicates):
        if not predicates:
            if default is None:
                raise ValueError("pred_fn_pairs is empty and no default was given.")
            return default()
        if default is None:
            default, predicates, actions = _case_default_action(predicates, actions)
        fn = default
        for pred, action in reversed(list(zip(predicates, actions))):
            fn = _bind_cond(pred, action, fn, strict)
        if exclusive and len(predicates) > 1:
            with get_default_graph().control_dependencies(
                    [_assert_at_most_n_true(predicates, 1, "Input error: exclusive=True")]):
                return fn()
        return fn()


def _bind_cond(pred, true_fn, false_fn, strict):
    return lambda: cond(pred, true_fn=true_fn, false_fn=false_fn, strict=strict)


def _case_verify(pred_fn_pairs):
    if isinstance(pred_fn_pairs, dict):
        pairs = list(pred_fn_pairs.items())
    elif isinstance(pred_fn_pairs, (list, tuple)):
        pairs = list(pred_fn_pairs)
    else:
        raise TypeError("fns must be a list, tuple, or dict")
    predicates, actions = [], []
    for pair in pairs:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise TypeError("Each entry in pred_fn_pairs must be a 2-tuple")
        pred, fn = pair
        if isinstance(pred, bool):
            raise TypeError("pred must not be a Python bool: %s" % (pred,))
        pred = convert_to_tensor(pred)
        if pred.dtype.base_dtype != _dtypes.bool:
            raise TypeError("pred must be Tensor of type bool: %s" % pred.name)
        if not callable(fn):
            raise TypeError("fn for pred %s must be callable." % pred.name)
        predicates.append(pred)
        actions.append(fn)
    return predicates, actions


def _case_default_action(predicates, actions):
    from tensorslim.core.ops import check_ops
    k = len(predicates) - 1
    predicate, action = predicates[k], actions[k]
    others = predicates[:k]

    def default_action():
        deps = [check_ops.Assert(predicate, ["Input error: None of conditions evaluated as "
                                             "True:", array_ops.stack(predicates,
                                                                      name="preds_c")])]
        if others:
            deps.append(_assert_at_most_n_true(
                others, 0, "Implementation error: selected default action #%d was called, "
                "but some of other predicates are True: " % k))
        with get_default_graph().control_dependencies(deps):
            return action()
    return default_action, predicates[:k], actions[:k]


def _assert_at_most_n_true(predicates, n, msg):
    from tensorslim.core.ops import check_ops, math_ops
    preds = array_ops.stack(predicates, name="preds_c")
    count = math_ops.reduce_sum(math_ops.cast(preds, _dtypes.int32), name="num_true_conds")
    ok = _less_equal(count, n)
    return check_ops.Assert(ok, [msg, preds], summarize=len(predicates))


def _less_equal(x, n):
    from tensorslim.core.ops import math_ops
    if hasattr(math_ops, "less_equal"):
        return math_ops.less_equal(x, n)
    # Comparison ops live in math_ops; until they exist, compare on the host.
    from tensorslim.core.ops import script_ops
    return script_ops.py_func(lambda c: np.asarray(c <= n), [x], _dtypes.bool,
                              stateful=False, name="LessEqual")
