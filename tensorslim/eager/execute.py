"""Eager execution: the graph whose ops run as soon as they are created.

:class:`EagerGraph` is the default graph while eager execution is on. ``create_op`` builds
the Operation as any graph does (so shape functions check the inputs, name scopes and
``tf.device`` apply), then :func:`execute` runs the op's registered kernel on its inputs'
values at once, with a :class:`~tensorslim.core.executor.KernelContext` on the op's device,
and turns its outputs into :class:`~tensorslim.core.tensor.EagerTensor` values.

The graph keeps no ops: an executed op drops its inputs (unless a gradient tape recorded
it), so a long eager loop holds only the tensors Python still references. Collections keep
variables only (``tf.global_variables()`` works; the losses and summaries that library code
adds on every call are dropped, as TF's library skips them when executing eagerly).

Placement: an op runs in its ``tf.device`` scope if it has one; ops updating a variable run
where the variable lives; other ops run on the GPU when one of their inputs is there (copied
with ``.gpu()``), else on the CPU; inputs on another device are copied. Host-only ops (strings,
files) always run on the CPU.
"""
import sys
import weakref

from tensorslim.core import devices as _devices
from tensorslim.core import errors
from tensorslim.core.executor import DEAD, KernelContext, VarRef
from tensorslim.core.graph import Graph, Tensor
from tensorslim.core.tensor_shape import TensorShape
from tensorslim.eager import backprop
from tensorslim.eager.tensor import EagerTensor

__all__ = ["EagerGraph", "execute"]

_MERGE_OPS = frozenset(["Merge", "RefMerge"])


class EagerGraph(Graph):
    """The global default graph under eager execution: ops run when created.

    Args:
      config: an optional ``ConfigProto`` (``log_device_placement``,
        ``allow_soft_placement``).
    """

    def __init__(self, config=None):
        super().__init__()
        from tensorslim.core.session import ConfigProto
        self._config = config if config is not None else ConfigProto()
        self._session = None
        # VariableV2 op -> Variable, for tapes that report the variables they read.
        self._variables_by_op = weakref.WeakValueDictionary()

    # -- what eager execution does not keep
    def unique_name(self, name, mark_as_used=True):
        """Names are not made unique: nothing is kept to clash with (as in TF eager)."""
        return self._name_stack + "/" + name if self._name_stack else name

    def _add_op(self, op):
        # Consumers are linked only while the op is built (a tf.cond context rewires the
        # inputs of branch ops through Switch ops); create_op unlinks them.
        for t in op._inputs:
            t._consumers.append(op)

    def add_to_collection(self, name, value):
        """Keeps variables only: the losses, summaries and update ops that library code
        adds on every call would pile up in an eager loop (TF's library skips them)."""
        variable = getattr(value, "_variable", None)
        if isinstance(variable, Tensor):
            self._variables_by_op[id(variable.op)] = value
            super().add_to_collection(name, value)

    def finalize(self):
        """Eager graphs are never finalized."""

    # -- creating an op runs it
    def create_op(self, op_type, inputs, dtypes=None, input_types=None, name=None, attrs=None,
                  op_def=None, compute_shapes=True, compute_device=True):
        """Builds the op, runs it at once and returns it; its outputs are EagerTensors.

        Raises:
          RuntimeError: ``op_type`` is Placeholder (feeding does not exist in eager mode).
          InvalidArgumentError: the inputs do not fit the op (shapes), or the kernel fails.
          OpError: the kernel fails otherwise.
        """
        if op_type in ("Placeholder", "PlaceholderV2"):
            raise RuntimeError("tf.placeholder() is not compatible with eager execution.")
        op = super().create_op(op_type, inputs, dtypes, input_types, name, attrs, op_def,
                               compute_shapes, compute_device)
        inputs = list(op._inputs)
        try:
            execute(op, self)
        finally:
            for t in inputs:
                t._consumers.remove(op)
        return op

    def _run_shape_function(self, op):
        try:
            super()._run_shape_function(op)
        except ValueError as e:  # eager ops fail when run, as TF's do
            raise errors.InvalidArgumentError(None, op, str(e)) from None

    # -- runtime
    def _runtime_session(self):
        """The session kernels see as ``ctx.session`` (variable and resource storage)."""
        if self._session is None:
            from tensorslim.core.session import Session
            self._session = Session(graph=Graph(), config=self._config)
        return self._session


def _device_for(op, graph):
    op_def = op._op_def
    if op_def.host_only:
        return _devices.local_devices()[0]
    if op.device:
        return _devices.find_device(op.device, graph._config.allow_soft_placement,
                                    op_name=op.name)
    for i in op_def.ref_inputs:  # updates run where the variable lives
        if i < len(op._inputs):
            return op._inputs[i]._where
    for t in op._inputs:
        if t._where.is_gpu:
            return t._where
    return _devices.local_devices()[0]


def _input_values(op, device):
    op_def = op._op_def
    args = []
    for i, t in enumerate(op._inputs):
        value = t._value
        if value is DEAD:
            args.append(value)
            continue
        if isinstance(value, VarRef):
            if i in op_def.ref_inputs or (op.type == "Identity" and t.dtype.is_ref_dtype):
                args.append(value)  # a reference (or a read that aliases the variable)
                continue
            value = value.get()
        src = t._where
        if src is not device and src.name != device.name and hasattr(value, "shape"):
            value = _devices.transfer(value, src, device)
        args.append(value)
    return args


def _is_dead(op, args):
    if any(getattr(c, "_eager_dead", False) for c in op._control_inputs):
        return True
    return op.type not in _MERGE_OPS and any(a is DEAD for a in args)


def execute(op, graph):
    """Runs ``op``'s kernel now and makes its outputs EagerTensors holding the results.

    Args:
      op: an Operation of ``graph`` whose inputs are EagerTensors.
      graph: the :class:`EagerGraph`.

    Raises:
      UnimplementedError: the op type has no kernel.
      InvalidArgumentError: the kernel rejected its inputs.
      OpError: the kernel failed.
    """
    op_def = op._op_def
    if op_def is None or op_def.kernel is None:
        raise errors.UnimplementedError(None, op, "No kernel registered for op type '%s' "
                                        "(node %s)." % (op.type, op._where()))
    for t in op._inputs:
        if not isinstance(t, EagerTensor):
            raise ValueError("Input %s of op %s is not an eager tensor." % (t, op._where()))
    device = _device_for(op, graph)
    if graph._config.log_device_placement:
        print("Executing op %s in device %s" % (op.type, device.name), file=sys.stderr)
    args = _input_values(op, device)
    outputs = op._outputs
    if _is_dead(op, args):  # on the untaken branch of a tf.cond: skipped, as in a graph
        op._eager_dead = True
        values = [DEAD] * len(outputs)
    else:
        values = _run_kernel(op, device, graph, args)
        if values and op.type in _MERGE_OPS and values[0] is DEAD:
            op._eager_dead = True
    for t, value in zip(outputs, values):
        t.__class__ = EagerTensor  # the same object, now holding its value
        t._value = value
        t._where = device
        if hasattr(value, "shape") and not isinstance(value, VarRef):
            t._shape = TensorShape(list(value.shape))
    recorded = backprop.record_operation(op)
    if not recorded and not any(isinstance(v, VarRef) for v in values):
        # Nothing will look back through this op: let its inputs go.
        op._inputs = []
        op._control_inputs = []


def _run_kernel(op, device, graph, args):
    op_def = op._op_def
    ctx = KernelContext(op, device, graph._runtime_session())
    try:
        if op_def.make_context is not None:
            op_def.make_context(ctx)
        if op.type == "VariableV2":  # each eager variable has storage of its own
            ctx.state = VarRef({}, op.name, op)
        res = op_def.kernel(ctx, *args)
    except errors.OpError as e:
        if e.op is not None:
            raise
        raise type(e)(None, op, "%s\n\t [[node %s ]]" % (e.message, op._where())) from None
    except (ValueError, TypeError, IndexError, ArithmeticError, KeyError) as e:
        raise errors.InvalidArgumentError(
            None, op, "%s\n\t [[node %s ]]" % (e, op._where())) from e
    n = len(op._outputs)
    if n == 1:
        return [res]
    return list(res) if n else []
