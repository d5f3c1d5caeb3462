"""``tf.train.Optimizer``: the base class of the optimizers, and their slot variables.

An optimizer turns ``(gradient, variable)`` pairs into update ops. ``minimize`` is
``compute_gradients`` followed by ``apply_gradients``; subclasses supply ``_create_slots``
(accumulators such as ``w/Momentum``), ``_prepare`` (hyperparameter tensors) and
``_apply_dense`` (one ``Apply*`` op per variable). Names follow TF1 exactly (``w/Adam``,
``w/Adam_1``, ``beta1_power``, ``Adam/update_w/ApplyAdam``), so optimizer state round-trips
through TensorFlow checkpoints.

This module also holds the run-time check for the classic batch-norm mistake: a training
step that runs while the graph's UPDATE_OPS (moving-average updates) are left out of the
run triggers a :class:`MissingUpdateOpsWarning` naming the layers.
"""
import warnings
import weakref

from tensorslim.core import dtypes as _dtypes
from tensorslim.core import gradients as _gradients
from tensorslim.core import graph as _graph
from tensorslim.core import session as _session
from tensorslim.core import variable_scope as _vs
from tensorslim.core import variables as _variables
from tensorslim.core.graph import (GraphKeys, Operation, Tensor, colocate_with,
                                   control_dependencies, convert_to_tensor, get_collection,
                                   get_collection_ref, get_default_graph, name_scope)
from tensorslim.core.graph import _reached_ops
from tensorslim.core.ops import control_flow_ops, math_ops, state_ops

__all__ = ["Optimizer", "MissingUpdateOpsWarning", "create_slot", "create_zeros_slot",
           "create_slot_with_initializer"]


# --------------------------------------------------------------------------- slots

def _create_slot_var(primary, val, shape, dtype, validate_shape):
    # Slots never take part in the enclosing scope's partitioning.
    scope = _vs.get_variable_scope()
    saved_partitioner = scope.partitioner
    scope.set_partitioner(None)
    try:
        return _vs.get_variable("", initializer=val, trainable=False,
                                shape=shape if callable(val) else None, dtype=dtype,
                                validate_shape=validate_shape)
    finally:
        scope.set_partitioner(saved_partitioner)


def create_slot(primary, val, name, colocate_with_primary=True):
    """Creates a slot variable for ``primary``, initialized to the Tensor ``val``.

    The slot is named ``<primary op name>/<name>`` (made unique: ``w/Adam``, ``w/Adam_1``),
    is not trainable and is placed with ``primary``.

    Args:
      primary: the Variable (or Tensor) the slot belongs to.
      val: a Tensor with the slot's initial value.
      name: the slot's name suffix (usually the optimizer's name).
      colocate_with_primary: place the slot with ``primary``.

    Returns:
      The slot Variable.
    """
    validate_shape = val.get_shape().is_fully_defined()
    with _vs.variable_scope(None, primary.op.name + "/" + name):
        if colocate_with_primary:
            with colocate_with(primary):
                return _create_slot_var(primary, val, None, None, validate_shape)
        return _create_slot_var(primary, val, None, None, validate_shape)


def create_slot_with_initializer(primary, initializer, shape, dtype, name,
                                 colocate_with_primary=True):
    """Creates a slot variable for ``primary`` from an initializer (see :func:`create_slot`).

    Args:
      primary: the Variable the slot belongs to.
      initializer: an initializer (``zeros_initializer()``...).
      shape: the slot's TensorShape.
      dtype: the slot's dtype.
      name: the slot's name suffix.
      colocate_with_primary: place the slot with ``primary``.

    Returns:
      The slot Variable.
    """
    validate_shape = shape.is_fully_defined()
    with _vs.variable_scope(None, primary.op.name + "/" + name):
        if colocate_with_primary:
            with colocate_with(primary):
                return _create_slot_var(primary, initializer, shape, dtype, validate_shape)
        return _create_slot_var(primary, initializer, shape, dtype, validate_shape)


def create_zeros_slot(primary, name, dtype=None, colocate_with_primary=True):
    """Creates a slot for ``primary`` initialized to zeros of its shape and dtype.

    Args:
      primary: the Variable (or Tensor) the slot belongs to.
      name: the slot's name suffix.
      dtype: the slot's dtype (default ``primary``'s).
      colocate_with_primary: place the slot with ``primary``.

    Returns:
      The slot Variable.
    """
    from tensorslim.core import init_ops
    from tensorslim.core.ops import array_ops
    dtype = (dtype or primary.dtype).base_dtype
    slot_shape = primary.get_shape()
    if slot_shape.is_fully_defined():
        return create_slot_with_initializer(primary, init_ops.zeros_initializer(), slot_shape,
                                            dtype, name, colocate_with_primary)
    source = primary.initial_value if isinstance(primary, _variables.Variable) else primary
    val = array_ops.zeros(array_ops.shape(source), dtype=dtype)
    return create_slot(primary, val, name, colocate_with_primary)


def _var_key(var):
    return (var.op.graph, var.op.name)


# --------------------------------------------------------------------------- processors

class _RefVariableProcessor:
    """Builds the update of one ``tf.Variable`` (applying its constraint afterwards)."""

    def __init__(self, v):
        self._v = v

    def target(self):
        return self._v._ref()

    def update_op(self, optimizer, g):
        update = optimizer._apply_dense(g, self._v)
        if self._v.constraint is not None:
            with control_dependencies([update]):
                return self._v.assign(self._v.constraint(self._v))
        return update


def _get_processor(v):
    if isinstance(v, _variables.Variable):
        return _RefVariableProcessor(v)
    raise NotImplementedError("Trying to optimize unsupported type %r: optimizers update "
                              "tf.Variable objects." % (v,))


def _as_op(x):
    if isinstance(x, Operation):
        return x
    if isinstance(x, Tensor):
        return x.op
    return None


# --------------------------------------------------------------------------- Optimizer

class Optimizer:
    """Base class of the optimizers (``tf.train.Optimizer``).

    Do not instantiate it; use a subclass such as ``GradientDescentOptimizer``.

    Args:
      use_locking: passed to the update ops (kept as their ``use_locking`` attr).
      name: the optimizer's name, used for its name scope and slot names.

    Raises:
      ValueError: ``name`` is empty.
    """

    GATE_NONE = 0
    GATE_OP = 1
    GATE_GRAPH = 2

    def __init__(self, use_locking, name):
        if not name:
            raise ValueError("Must specify the optimizer name")
        self._use_locking = use_locking
        self._name = name
        # slot name -> {(graph, var op name): slot Variable}
        self._slots = {}
        # (name, graph) -> Variable, for state shared by all variables (Adam's beta powers).
        self._non_slot_dict = {}

    def get_name(self):
        """The optimizer's name (its name scope and slot suffix)."""
        return self._name

    # -- the public API
    def minimize(self, loss, global_step=None, var_list=None, gate_gradients=GATE_OP,
                 aggregation_method=None, colocate_gradients_with_ops=False, name=None,
                 grad_loss=None):
        """Adds ops that update ``var_list`` to minimize ``loss``, and increment ``global_step``.

        Args:
          loss: the Tensor to minimize.
          global_step: an optional integer Variable incremented by one after the update.
          var_list: the variables to update (default: the trainable variables).
          gate_gradients: GATE_NONE, GATE_OP (each op's gradients are computed together
            before use) or GATE_GRAPH (all gradients before any is used).
          aggregation_method: how gradient terms are combined (see ``AggregationMethod``).
          colocate_gradients_with_ops: place gradients with their ops.
          name: the name of the returned op (default: the optimizer's name).
          grad_loss: optional gradient of ``loss``.

        Returns:
          The training Operation.

        Raises:
          ValueError: no variable has a gradient, or an argument is invalid.
        """
        grads_and_vars = self.compute_gradients(
            loss, var_list=var_list, gate_gradients=gate_gradients,
            aggregation_method=aggregation_method,
            colocate_gradients_with_ops=colocate_gradients_with_ops, grad_loss=grad_loss)
        vars_with_grad = [v for g, v in grads_and_vars if g is not None]
        if not vars_with_grad:
            raise ValueError(
                "No gradients provided for any variable, check your graph for ops that do not "
                "support gradients, between variables %s and loss %s."
                % ([str(v) for _, v in grads_and_vars], loss))
        return self.apply_gradients(grads_and_vars, global_step=global_step, name=name)

    def compute_gradients(self, loss, var_list=None, gate_gradients=GATE_OP,
                          aggregation_method=None, colocate_gradients_with_ops=False,
                          grad_loss=None):
        """Computes the gradients of ``loss`` for the variables in ``var_list``.

        Args:
          loss: the Tensor to differentiate (or a callable returning it).
          var_list: variables (default: TRAINABLE_VARIABLES and
            TRAINABLE_RESOURCE_VARIABLES).
          gate_gradients: GATE_NONE, GATE_OP or GATE_GRAPH.
          aggregation_method: how gradient terms are combined.
          colocate_gradients_with_ops: place gradients with their ops.
          grad_loss: optional gradient of ``loss``.

        Returns:
          A list of ``(gradient, variable)`` pairs; the gradient is None for variables
          ``loss`` does not depend on.

        Raises:
          ValueError: ``gate_gradients`` is invalid, ``loss`` is not floating point, or
            there are no variables to optimize.
        """
        if callable(loss) and not isinstance(loss, Tensor):
            loss = loss()
        if gate_gradients not in (Optimizer.GATE_NONE, Optimizer.GATE_OP,
                                  Optimizer.GATE_GRAPH):
            raise ValueError("gate_gradients must be one of: Optimizer.GATE_NONE, "
                             "Optimizer.GATE_OP, Optimizer.GATE_GRAPH.  Not %s"
                             % gate_gradients)
        loss = convert_to_tensor(loss)
        self._assert_valid_dtypes([loss])
        if grad_loss is not None:
            grad_loss = convert_to_tensor(grad_loss)
            self._assert_valid_dtypes([grad_loss])
        if var_list is None:
            var_list = (_variables.trainable_variables() +
                        get_collection(GraphKeys.TRAINABLE_RESOURCE_VARIABLES))
        else:
            var_list = list(var_list.values() if isinstance(var_list, dict) else var_list)
        if not var_list:
            raise ValueError("No variables to optimize.")
        processors = [_get_processor(v) for v in var_list]
        var_refs = [p.target() for p in processors]
        grads = _gradients.gradients(
            loss, var_refs, grad_ys=grad_loss,
            gate_gradients=(gate_gradients == Optimizer.GATE_OP),
            aggregation_method=aggregation_method,
            colocate_gradients_with_ops=colocate_gradients_with_ops)
        if gate_gradients == Optimizer.GATE_GRAPH:
            grads = control_flow_ops.tuple_(grads)
        grads_and_vars = list(zip(grads, var_list))
        self._assert_valid_dtypes([v for g, v in grads_and_vars if g is not None])
        return grads_and_vars

    def apply_gradients(self, grads_and_vars, global_step=None, name=None):
        """Adds the ops applying ``grads_and_vars``; the second half of :meth:`minimize`.

        Args:
          grads_and_vars: ``(gradient, variable)`` pairs, as ``compute_gradients`` returns;
            pairs whose gradient is None are skipped.
          global_step: an optional integer Variable incremented by one after the updates.
          name: the name of the returned op (default: the optimizer's name).

        Returns:
          The Operation that applies the updates (and increments ``global_step``).

        Raises:
          TypeError: a gradient is not a Tensor.
          ValueError: no pairs, or every gradient is None.
        """
        grads_and_vars = tuple(grads_and_vars)
        if not grads_and_vars:
            raise ValueError("No variables provided.")
        converted = []
        for g, v in grads_and_vars:
            if g is not None:
                try:
                    g = convert_to_tensor(g)
                except TypeError:
                    raise TypeError("Gradient must be convertible to a Tensor or "
                                    "IndexedSlices, or None: %s" % (g,)) from None
                if not isinstance(g, Tensor):
                    raise TypeError("Gradient must be a Tensor, IndexedSlices, or None: %s"
                                    % (g,))
            converted.append((g, v, _get_processor(v)))
        var_list = [v for g, v, _ in converted if g is not None]
        if not var_list:
            raise ValueError("No gradients provided for any variable: %s."
                             % ([str(v) for _, v, _ in converted],))
        graph = get_default_graph()
        # Slots are created outside any control-dependency context (TF's init_scope).
        with graph.control_dependencies(None):
            self._create_slots(var_list)
        update_ops = []
        with name_scope(name, self._name) as name:
            self._prepare()
            for grad, var, processor in converted:
                if grad is None:
                    continue
                with name_scope("update_" + var.op.name), colocate_with(var):
                    update_ops.append(processor.update_op(self, grad))
            if global_step is None:
                apply_updates = self._finish(update_ops, name)
            else:
                with control_dependencies([self._finish(update_ops, "update")]):
                    with colocate_with(global_step):
                        one = convert_to_tensor(1, dtype=global_step.dtype.base_dtype,
                                                name="value")
                        apply_updates = state_ops.assign_add(global_step, one, name=name)
            if isinstance(apply_updates, Tensor):
                apply_updates = apply_updates.op
            train_op = get_collection_ref(GraphKeys.TRAIN_OP)
            if apply_updates not in train_op:
                train_op.append(apply_updates)
            graph.get_collection_ref(_APPLY_OPS_KEY).append(apply_updates)
            return apply_updates

    def get_slot(self, var, name):
        """The slot ``name`` (e.g. ``"m"``) created for ``var``, or None."""
        named_slots = self._slots.get(name)
        if not named_slots:
            return None
        return named_slots.get(_var_key(var))

    def get_slot_names(self):
        """The sorted names of the slots this optimizer creates (``["m", "v"]`` for Adam)."""
        return sorted(self._slots.keys())

    def variables(self):
        """The optimizer's variables in the current graph (slots and accumulators), by name."""
        graph = get_default_graph()
        optimizer_variables = [v for (_, g), v in self._non_slot_dict.items() if g is graph]
        for variable_dict in self._slots.values():
            for slot in variable_dict.values():
                if slot.op.graph is graph:
                    optimizer_variables.append(slot)
        return sorted(optimizer_variables, key=lambda v: v.name)

    # -- for subclasses
    def _create_slots(self, var_list):
        """Creates the slot variables of ``var_list`` (none by default)."""

    def _prepare(self):
        """Creates the hyperparameter tensors, inside the optimizer's name scope."""

    def _apply_dense(self, grad, var):
        raise NotImplementedError()

    def _finish(self, update_ops, name_scope):
        """The op grouping ``update_ops`` (Adam also updates its beta powers here)."""
        return control_flow_ops.group(*update_ops, name=name_scope)

    def _valid_dtypes(self):
        return {_dtypes.float16, _dtypes.bfloat16, _dtypes.float32, _dtypes.float64}

    def _assert_valid_dtypes(self, tensors):
        valid = self._valid_dtypes()
        for t in tensors:
            dtype = t.dtype.base_dtype
            if dtype not in valid:
                raise ValueError("Invalid type %r for %s, expected: %s."
                                 % (dtype, t.name, [v for v in _ordered(valid)]))

    @staticmethod
    def _call_if_callable(param):
        return param() if callable(param) else param

    def _slot_dict(self, slot_name):
        return self._slots.setdefault(slot_name, {})

    def _get_or_make_slot(self, var, val, slot_name, op_name):
        named_slots = self._slot_dict(slot_name)
        if _var_key(var) not in named_slots:
            named_slots[_var_key(var)] = create_slot(var, val, op_name)
        return named_slots[_var_key(var)]

    def _get_or_make_slot_with_initializer(self, var, initializer, shape, dtype, slot_name,
                                           op_name):
        named_slots = self._slot_dict(slot_name)
        if _var_key(var) not in named_slots:
            named_slots[_var_key(var)] = create_slot_with_initializer(
                var, initializer, shape, dtype, op_name)
        return named_slots[_var_key(var)]

    def _zeros_slot(self, var, slot_name, op_name):
        named_slots = self._slot_dict(slot_name)
        if _var_key(var) not in named_slots:
            named_slots[_var_key(var)] = create_zeros_slot(var, op_name)
        return named_slots[_var_key(var)]

    def _create_non_slot_variable(self, initial_value, name, colocate_with):
        graph = colocate_with.graph
        key = (name, graph)
        v = self._non_slot_dict.get(key)
        if v is None:
            with graph.as_default(), _graph.colocate_with(colocate_with):
                v = _variables.Variable(initial_value, name=name, trainable=False)
            self._non_slot_dict[key] = v
        return v

    def _get_non_slot_variable(self, name, graph=None):
        return self._non_slot_dict.get((name, graph or get_default_graph()))

    def _cast_hyper(self, value, var):
        """A hyperparameter tensor in ``var``'s dtype (no op when it already is)."""
        return math_ops.cast(value, var.dtype.base_dtype)


def _ordered(dtypes):
    order = [_dtypes.float32, _dtypes.float64, _dtypes.float16, _dtypes.bfloat16]
    return [d for d in order if d in dtypes] + [d for d in dtypes if d not in order]


# --------------------------------------------------------------------------- UPDATE_OPS

class MissingUpdateOpsWarning(UserWarning):
    """A training step ran without the graph's UPDATE_OPS (batch norm's moving averages)."""


# A non-string key: the collection stays out of exported meta graphs.
_APPLY_OPS_KEY = ("tensorslim.training", "apply_gradients_ops")
_warned_graphs = weakref.WeakKeyDictionary()


def _layer_of(op):
    parts = op.name.split("/")
    for i, part in enumerate(parts):
        if part.startswith("AssignMovingAvg") and i > 0:
            return "/".join(parts[:i])
    return "/".join(parts[:-1]) or op.name


def _check_update_ops(session, fetch_tensors, target_ops, feed_tensors):
    """Plan hook: warns once per graph when a training step runs without UPDATE_OPS."""
    graph = session.graph
    update_ops = graph._collections.get(GraphKeys.UPDATE_OPS)
    if not update_ops or graph in _warned_graphs:
        return
    # Training ops: what apply_gradients built, and the TRAIN_OP collection (which survives
    # export_meta_graph / import_meta_graph and holds slim's create_train_op result).
    train_ops = list(graph._collections.get(_APPLY_OPS_KEY, ()))
    for item in graph._collections.get(GraphKeys.TRAIN_OP, ()):
        op = _as_op(item)
        if op is not None and op not in train_ops:
            train_ops.append(op)
    if not train_ops:
        return
    reached = _reached_ops(fetch_tensors, target_ops, feed_tensors)
    ran = [op for op in train_ops if op in reached]
    if not ran:
        return
    missing = [op for op in (_as_op(u) for u in update_ops)
               if op is not None and op not in reached]
    if not missing:
        return
    _warned_graphs[graph] = True
    layers = []
    for op in missing:
        layer = _layer_of(op)
        if layer not in layers:
            layers.append(layer)
    warnings.warn(
        "This run executes the training op '%s' but not %d of the graph's "
        "tf.GraphKeys.UPDATE_OPS (%s), from the layers %s: their moving statistics (batch "
        "norm's moving_mean / moving_variance) are never updated, so the model will behave "
        "differently at inference. Run them with the training step:\n"
        "    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)\n"
        "    with tf.control_dependencies(update_ops):\n"
        "        train_op = optimizer.minimize(loss)\n"
        "(slim.learning.create_train_op does this for you)."
        % (ran[0].name, len(missing), ", ".join(op.name for op in missing[:4]) +
           (", ..." if len(missing) > 4 else ""), layers),
        MissingUpdateOpsWarning, stacklevel=4)


_session.add_plan_hook(_check_update_ops)
