"""Stateful variable ops: VariableV2 and the assignment ops that write to it."""
import numpy as np

from tensorslim.core import dtypes as _dtypes
from tensorslim.core import errors
from tensorslim.core.executor import VarRef
from tensorslim.core.graph import Tensor, convert_to_tensor, get_default_graph
from tensorslim.core.op_util import apply_op, same_shape_fn
from tensorslim.core.registry import not_differentiable_marker, register_op
from tensorslim.core.tensor_shape import TensorShape, as_shape

__all__ = ["variable_op_v2", "assign", "assign_add", "assign_sub", "is_variable_initialized",
           "ref_input"]

_NO_GRAD = not_differentiable_marker()


def _variable_context(ctx):
    op = ctx.op
    name = op.get_attr("shared_name") or op.name
    ctx.state = VarRef(ctx.session._variables, name, op)


register_op("VariableV2", shape=lambda op: [op.get_attr("shape")],
            kernel=lambda ctx: ctx.state, make_context=_variable_context, stateful=True,
            grad=_NO_GRAD)


def variable_op_v2(shape, dtype, name="Variable", container="", shared_name=""):
    """Creates a VariableV2 op and returns its reference-typed output."""
    dtype = _dtypes.as_dtype(dtype).base_dtype
    op = get_default_graph().create_op(
        "VariableV2", [], [dtype._as_ref], name=name,
        attrs={"shape": as_shape(shape), "dtype": dtype, "container": container,
               "shared_name": shared_name})
    return op.outputs[0]


def _assign_shape(op):
    if op.get_attr("validate_shape"):
        ref, value = op.inputs
        if not ref.shape.is_compatible_with(value.shape):
            raise ValueError("Shapes must be equal rank, but are %s and %s"
                             % (ref.shape.ndims, value.shape.ndims)
                             if ref.shape.ndims != value.shape.ndims else
                             "Dimension mismatch: shapes %s and %s are incompatible"
                             % (ref.shape, value.shape))
        return [ref.shape.merge_with(value.shape)]
    return [op.inputs[1].shape]


def _assign_kernel(ctx, ref, value):
    if ctx.attrs["validate_shape"] and ref.is_initialized():
        old = ref.store[ref.name]
        if old.shape != value.shape:
            raise errors.InvalidArgumentError(
                None, ctx.op, "Assign requires shapes of both tensors to match. lhs shape= %s "
                "rhs shape= %s" % (list(old.shape), list(value.shape)))
    if isinstance(value, VarRef):
        value = value.get()
    if not hasattr(value, "copy"):
        value = ctx.xp.asarray(value)
    # A copy: the stored value must never alias an array the caller still holds.
    ref.set(value.copy() if ctx.op.inputs[1].op.type != "Const" else value)
    return ref


def _read_value_of(ref):
    return ref.get()


# Not differentiable, as in TF: tf.gradients through an assignment gives None.
register_op("Assign", shape=_assign_shape, kernel=_assign_kernel, ref_inputs=(0,),
            stateful=True, grad=_NO_GRAD)


def _update_kernel(fn):
    def kernel(ctx, ref, value):
        current = ref.get()
        ref.set(fn(current, value))
        return ref
    return kernel


register_op("AssignAdd", shape=same_shape_fn, kernel=_update_kernel(lambda a, b: a + b),
            ref_inputs=(0,), stateful=True, grad=_NO_GRAD)
register_op("AssignSub", shape=same_shape_fn, kernel=_update_kernel(lambda a, b: a - b),
            ref_inputs=(0,), stateful=True, grad=_NO_GRAD)


def ref_input(ref):
    """The reference tensor of a Variable (or a ref Tensor itself)."""
    if isinstance(ref, Tensor):
        if not ref.dtype.is_ref_dtype:
            raise TypeError("'%s' needs a reference (a tf.Variable), but got the value tensor "
                            "%s." % ("Assign", ref.name))
        return ref
    if hasattr(ref, "_ref"):
        return ref._ref()
    raise TypeError("Expected a tf.Variable or a reference Tensor, got %r" % (ref,))


def assign(ref, value, validate_shape=None, use_locking=None, name=None):
    """``tf.assign``: writes ``value`` into variable ``ref``; returns the new value.

    Raises:
      ValueError: ``value``'s shape does not match the variable's (unless
        ``validate_shape=False``).
    """
    r = ref_input(ref)
    value = convert_to_tensor(value, dtype=r.dtype.base_dtype)
    validate = True if validate_shape is None else bool(validate_shape)
    op = apply_op("Assign", [r, value], [r.dtype],
                  attrs={"T": r.dtype.base_dtype, "validate_shape": validate,
                         "use_locking": True if use_locking is None else bool(use_locking)},
                  name=name or "Assign")
    return op.outputs[0]


def _assign_update(op_type, ref, value, use_locking, name):
    r = ref_input(ref)
    value = convert_to_tensor(value, dtype=r.dtype.base_dtype)
    if not r.shape.is_compatible_with(value.shape):
        from tensorslim.core.op_util import broadcast_shapes
        broadcast_shapes(r.shape, value.shape)
    op = apply_op(op_type, [r, value], [r.dtype],
                  attrs={"T": r.dtype.base_dtype, "use_locking": bool(use_locking)},
                  name=name or op_type)
    return op.outputs[0]


def assign_add(ref, value, use_locking=None, name=None):
    """``tf.assign_add``: adds ``value`` to variable ``ref``; returns the new value."""
    return _assign_update("AssignAdd", ref, value, use_locking, name)


def assign_sub(ref, value, use_locking=None, name=None):
    """``tf.assign_sub``: subtracts ``value`` from variable ``ref``; returns the new value."""
    return _assign_update("AssignSub", ref, value, use_locking, name)


register_op("IsVariableInitialized", shape=lambda op: [TensorShape([])],
            kernel=lambda ctx, ref: np.array(ref.is_initialized()), ref_inputs=(0,),
            stateful=True, host_only=True, grad=_NO_GRAD)


def is_variable_initialized(ref, name=None):
    """``tf.is_variable_initialized``: a bool scalar, True once the variable has a value."""
    r = ref_input(ref)
    return apply_op("IsVariableInitialized", [r], [_dtypes.bool],
                    attrs={"dtype": r.dtype.base_dtype},
                    name=name or "IsVariableInitialized").outputs[0]
