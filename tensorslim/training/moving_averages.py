"""Exponential moving averages: ``tf.train.ExponentialMovingAverage`` and
``assign_moving_average`` (what batch norm's moving statistics use).

The update is TF1's ``shadow -= (1 - decay) * (shadow - value)``, an ``AssignSub`` named
``AssignMovingAvg``; shadow variables are slots named ``<var>/ExponentialMovingAverage``.
"""
from tensorslim.core import dtypes as _dtypes
from tensorslim.core import init_ops
from tensorslim.core import variable_scope as _vs
from tensorslim.core.graph import (GraphKeys, add_to_collection, colocate_with,
                                   control_dependencies, convert_to_tensor, get_default_graph,
                                   get_name_scope, name_scope)
from tensorslim.core.ops import control_flow_ops, math_ops, state_ops
from tensorslim.core.variables import (Variable, global_variables, moving_average_variables,
                                       trainable_variables)
from tensorslim.training.optimizer import create_slot, create_zeros_slot

__all__ = ["ExponentialMovingAverage", "assign_moving_average"]

_FLOAT_TYPES = (_dtypes.float16, _dtypes.bfloat16, _dtypes.float32, _dtypes.float64)


def assign_moving_average(variable, value, decay, zero_debias=True, name=None):
    """Updates ``variable`` towards ``value``: ``variable -= (1 - decay) * (variable - value)``.

    Args:
      variable: the Variable holding the average.
      value: a Tensor of the same shape: the new observation.
      decay: a float or scalar Tensor, typically close to 1.
      zero_debias: correct the bias of an average that starts at zero (Adam's trick), with
        the extra variables ``<variable>/biased`` and ``<variable>/local_step``.
      name: the name scope (default "AssignMovingAvg"); the update op takes its name.

    Returns:
      The updated value of ``variable`` (a reference Tensor).
    """
    with name_scope(name, "AssignMovingAvg", [variable, value, decay]) as scope:
        with colocate_with(variable):
            # 1 - decay is computed in the graph, in decay's dtype, as TF1 does (so a
            # float32 0.99 gives 0.0099999905, not 0.01).
            decay = convert_to_tensor(1.0 - decay, name="decay")
            if decay.dtype.base_dtype != variable.dtype.base_dtype:
                decay = math_ops.cast(decay, variable.dtype.base_dtype)
            if zero_debias:
                return _zero_debias_update(variable, value, decay)
            update_delta = (variable - value) * decay
            return state_ops.assign_sub(variable, update_delta, name=scope)


def _unique_in_scope(name):
    scope = _vs.get_variable_scope()
    if scope.reuse:
        return name
    existing = {v.op.name for v in global_variables()}
    full = scope.name + "/" + name
    if full not in existing:
        return name
    idx = 1
    while "%s_%d" % (full, idx) in existing:
        idx += 1
    return "%s_%d" % (name, idx)


def _zero_debias_update(unbiased_var, value, decay):
    """Assigns the bias-corrected average ``biased / (1 - (1 - decay) ** t)``."""
    with _vs.variable_scope(unbiased_var.op.name, values=[unbiased_var, value, decay]):
        with control_dependencies(None), colocate_with(unbiased_var):
            dtype = unbiased_var.dtype.base_dtype
            biased_var = _vs.get_variable(
                _unique_in_scope("biased"), shape=unbiased_var.get_shape(), dtype=dtype,
                initializer=init_ops.zeros_initializer(), trainable=False)
            local_step = _vs.get_variable(
                _unique_in_scope("local_step"), shape=[], dtype=dtype,
                initializer=init_ops.zeros_initializer(), trainable=False)
    update_biased = state_ops.assign_sub(biased_var, (biased_var - value) * decay)
    update_local_step = local_step.assign_add(1)
    bias_factor = 1 - math_ops.pow(1.0 - decay, update_local_step)
    return state_ops.assign(unbiased_var, update_biased / bias_factor,
                            name=get_name_scope() + "/")


def _initialized_value(var):
    try:
        return var.initialized_value()
    except ImportError:  # no tf.cond yet: the initial value is what it would give anyway
        return var.initial_value


class ExponentialMovingAverage:
    """Maintains moving averages of variables (``tf.train.ExponentialMovingAverage``).

    ``apply(var_list)`` creates a shadow variable per variable (``v/ExponentialMovingAverage``,
    not trainable, starting at the variable's initial value) and returns the op updating them
    all: ``shadow -= (1 - decay) * (shadow - v)``.

    Args:
      decay: the decay, a float or scalar Tensor (e.g. 0.999).
      num_updates: optional step count; the decay used is then
        ``min(decay, (1 + num_updates) / (10 + num_updates))`` (faster early on).
      zero_debias: debias the averages of Tensors (not Variables), which start at zero.
      name: the name scope of the update ops and the shadow variables' suffix.
    """

    def __init__(self, decay, num_updates=None, zero_debias=False,
                 name="ExponentialMovingAverage"):
        self._decay = decay
        self._num_updates = num_updates
        self._zero_debias = zero_debias
        self._name = name
        self._averages = {}

    @property
    def name(self):
        """The name of this object (the shadow variables' suffix)."""
        return self._name

    def apply(self, var_list=None):
        """Creates the shadow variables of ``var_list`` and returns the op updating them.

        Args:
          var_list: Variables or Tensors of a floating type (default: the trainable
            variables). Variables are added to MOVING_AVERAGE_VARIABLES.

        Returns:
          The Operation updating every average in ``var_list``.

        Raises:
          TypeError: a variable is not half, float or double.
        """
        if var_list is None:
            var_list = trainable_variables()
        var_list = list(var_list)
        zero_debias_true = set()
        for var in var_list:
            if var.dtype.base_dtype not in _FLOAT_TYPES:
                raise TypeError("The variables must be half, float, or double: %s" % var.name)
            if var in self._averages:
                continue
            with control_dependencies(None):
                if isinstance(var, Variable):
                    avg = create_slot(var, _initialized_value(var), self._name,
                                      colocate_with_primary=True)
                    # Only Variables (not Tensors) join MOVING_AVERAGE_VARIABLES.
                    add_to_collection(GraphKeys.MOVING_AVERAGE_VARIABLES, var)
                else:
                    avg = create_zeros_slot(
                        var, self._name,
                        colocate_with_primary=var.op.type in ("Variable", "VariableV2",
                                                              "VarHandleOp"))
                    if self._zero_debias:
                        zero_debias_true.add(avg)
            self._averages[var] = avg
        with name_scope(self._name) as scope:
            decay = convert_to_tensor(self._decay, name="decay")
            if self._num_updates is not None:
                num_updates = math_ops.cast(self._num_updates, _dtypes.float32,
                                            name="num_updates")
                decay = math_ops.minimum(decay, (1.0 + num_updates) / (10.0 + num_updates))
            updates = []
            for var in var_list:
                avg = self._averages[var]
                updates.append(assign_moving_average(avg, var, decay,
                                                     zero_debias=avg in zero_debias_true))
            return control_flow_ops.group(*updates, name=scope)

    def average(self, var):
        """The shadow Variable of ``var``, or None if ``var`` is not averaged."""
        return self._averages.get(var)

    def average_name(self, var):
        """The name of ``var``'s shadow variable (what a checkpoint stores it as).

        Works before ``apply``: it is the name the shadow variable would get.
        """
        if var in self._averages:
            return self._averages[var].op.name
        return get_default_graph().unique_name(var.op.name + "/" + self._name,
                                               mark_as_used=False)

    def variables_to_restore(self, moving_avg_variables=None):
        """The Saver mapping that restores the averages into the variables themselves.

        Maps ``average_name(v)`` to ``v`` for the averaged variables (default: the
        trainable and MOVING_AVERAGE_VARIABLES ones), and every other global variable to
        itself by name, so ``tf.train.Saver(ema.variables_to_restore())`` evaluates with
        the averaged weights.

        Returns:
          A dict from checkpoint names to Variables.
        """
        if moving_avg_variables is None:
            moving_avg_variables = trainable_variables() + moving_average_variables()
        averaged = []
        for v in moving_avg_variables:
            if v not in averaged:
                averaged.append(v)
        name_map = {}
        for v in averaged:
            name_map[self.average_name(v)] = v
        averaged_names = {v.name for v in averaged}
        for v in global_variables():
            if v.name not in averaged_names and v.op.name not in name_map:
                name_map[v.op.name] = v
        return name_map
