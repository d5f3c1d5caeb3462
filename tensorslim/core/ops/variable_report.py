"""The graph pieces behind ``tf.report_uninitialized_variables`` and
``tf.assert_variables_initialized``, built from ops as TF1 builds them."""
import os

from tensorslim.core import dtypes as _dtypes
from tensorslim.core.graph import colocate_with, convert_to_tensor, device, name_scope
from tensorslim.core.ops import array_ops, manip_ops, state_ops

__all__ = ["report_uninitialized", "assert_initialized"]


def report_uninitialized(var_list, name="report_uninitialized_variables"):
    """A 1-D string tensor with the op names of the uninitialized variables of ``var_list``.

    As in TF1: an IsVariableInitialized op per variable, stacked and negated (LogicalNot),
    masking a Const of the variables' names (boolean_mask); all but the
    IsVariableInitialized ops are placed on the CPU
    (``TF_DEVICE_FOR_UNINITIALIZED_VARIABLE_REPORTING`` overrides the device).

    Args:
      var_list: the variables (or ref tensors) to check.
      name: the name scope.

    Returns:
      A string tensor; empty when every variable is initialized (or ``var_list`` is empty).
    """
    from tensorslim.core.ops import math_ops
    var_list = list(var_list)
    with name_scope(name):
        init_vars = [state_ops.is_variable_initialized(v) for v in var_list]
        local_device = os.environ.get("TF_DEVICE_FOR_UNINITIALIZED_VARIABLE_REPORTING",
                                      "/cpu:0")
        with device(local_device):
            if not var_list:
                return array_ops.constant([], dtype=_dtypes.string)
            variables_mask = math_ops.logical_not(array_ops.stack(init_vars))
            names = array_ops.constant([_op_name(v) for v in var_list])
            return manip_ops.boolean_mask(names, variables_mask)


def _op_name(v):
    return v.op.name


def assert_initialized(var_list):
    """An op that fails with FailedPreconditionError naming an uninitialized variable.

    As in TF1, it reads each variable through a Rank op (colocated with the variable);
    reading an uninitialized variable fails. Returns the Rank (or a Pack of them), or None
    for an empty ``var_list``.
    """
    var_list = list(var_list)
    if not var_list:
        return None
    ranks = []
    for var in var_list:
        with colocate_with(var.op):
            ranks.append(array_ops._rank_op(convert_to_tensor(var), "Rank"))
    if len(ranks) == 1:
        return ranks[0]
    return array_ops.stack(ranks)
