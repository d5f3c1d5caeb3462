"""``tf.Variable`` and the functions that initialize and list variables."""
import re
import threading
import warnings

import numpy as np

from tensorslim.core import dtypes as _dtypes
from tensorslim.core.graph import (GraphKeys, format_location, Operation, Tensor, colocate_with,
                                   convert_to_tensor, device, get_collection,
                                   get_default_graph, name_scope,
                                   register_tensor_conversion_function)
from tensorslim.core.ops import array_ops, control_flow_ops, state_ops
from tensorslim.core.tensor_shape import unknown_shape

__all__ = ["Variable", "VariableV1", "global_variables", "all_variables", "local_variables",
           "trainable_variables", "model_variables", "moving_average_variables",
           "variables_initializer", "initialize_variables", "global_variables_initializer",
           "initialize_all_variables", "local_variables_initializer",
           "initialize_local_variables", "is_variable_initialized",
           "report_uninitialized_variables", "assert_variables_initialized", "PartitionedVariable",
           "ScopeReuseWarning"]

_OVERLOADABLE_OPERATORS = (
    "__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__div__", "__rdiv__",
    "__truediv__", "__rtruediv__", "__floordiv__", "__rfloordiv__", "__mod__", "__rmod__",
    "__lt__", "__le__", "__gt__", "__ge__", "__and__", "__rand__", "__or__", "__ror__",
    "__xor__", "__rxor__", "__getitem__", "__pow__", "__rpow__", "__invert__", "__neg__",
    "__abs__", "__matmul__", "__rmatmul__")


class Variable:
    """``tf.Variable``: state that persists across ``Session.run`` calls.

    Creating a Variable adds a VariableV2 op (``name``), an Assign op initializing it
    (``name/Assign``) and an Identity reading it (``name/read``), in a name scope named after
    the variable, and adds the variable to the GLOBAL_VARIABLES (and TRAINABLE_VARIABLES)
    collections.

    Args:
      initial_value: a Tensor, a Python value, a numpy array, or a callable returning one.
      trainable: also add the variable to TRAINABLE_VARIABLES (what optimizers update).
      collections: the collections to add it to (default ``[GLOBAL_VARIABLES]``).
      validate_shape: require the initial value's shape to be known.
      caching_device: accepted for compatibility.
      name: the variable's name (default "Variable"), made unique.
      variable_def: a VariableDef proto to rebuild the variable from an imported graph.
      dtype: convert the initial value to this type.
      expected_shape, constraint, use_resource, synchronization, aggregation, import_scope:
        accepted for compatibility (``constraint`` is kept as ``.constraint``).

    Raises:
      ValueError: no initial value, or its shape is unknown while ``validate_shape``.
    """

    def __init__(self, initial_value=None, trainable=True, collections=None,
                 validate_shape=True, caching_device=None, name=None, variable_def=None,
                 dtype=None, expected_shape=None, import_scope=None, constraint=None,
                 use_resource=None, synchronization=None, aggregation=None, shape=None):
        self._constraint = constraint
        self._save_slice_info = None
        if variable_def is not None:
            self._init_from_proto(variable_def, import_scope)
            return
        if initial_value is None:
            raise ValueError("initial_value must be specified.")
        init_from_fn = callable(initial_value)
        if collections is None:
            collections = [GraphKeys.GLOBAL_VARIABLES]
        if not isinstance(collections, (list, tuple, set)):
            raise ValueError("collections argument to Variable constructor must be a list, "
                             "tuple, or set. Got %s of type %s" % (collections,
                                                                   type(collections)))
        collections = list(collections)
        if trainable and GraphKeys.TRAINABLE_VARIABLES not in collections:
            collections.append(GraphKeys.TRAINABLE_VARIABLES)
        self._trainable = trainable
        values = [] if init_from_fn or not isinstance(initial_value, Tensor) else [initial_value]
        # As TF's init_scope: a variable is created outside control dependencies and
        # control-flow contexts, so its initializer can always run.
        with get_default_graph().control_dependencies(None):
            with name_scope(name, "Variable", values) as scope:
                true_name = scope[:-1] if scope else "Variable"
                if init_from_fn:
                    with name_scope("Initializer"):
                        with get_default_graph().colocate_with(None):
                            self._initial_value = convert_to_tensor(
                                initial_value(), name="initial_value", dtype=dtype)
                else:
                    self._initial_value = convert_to_tensor(initial_value, name="initial_value",
                                                            dtype=dtype)
                if self._initial_value.dtype.is_ref_dtype:
                    self._initial_value = array_ops.identity(self._initial_value)
                shape_ = self._initial_value.shape
                if shape is not None:
                    shape_ = shape_.merge_with(shape) if validate_shape else \
                        __import__("tensorslim.core.tensor_shape",
                                   fromlist=["as_shape"]).as_shape(shape)
                if validate_shape and not shape_.is_fully_defined():
                    raise ValueError("initial_value must have a shape specified: %s (variable %s). "
                                     "Pass validate_shape=False to allow a variable whose shape "
                                     "changes." % (self._initial_value, true_name))
                var_shape = shape_ if validate_shape else unknown_shape()
                self._variable = state_ops.variable_op_v2(
                    var_shape, self._initial_value.dtype.base_dtype, name=scope or "Variable")
                with colocate_with(self._variable.op):
                    self._initializer_op = state_ops.assign(
                        self._variable, self._initial_value, validate_shape=validate_shape).op
                with device(self._variable.device or None):
                    self._snapshot = array_ops.identity(self._variable, name="read")
        if not getattr(_creation, "from_store", False):
            _warn_if_scope_was_renamed(true_name)
        get_default_graph().add_to_collections(collections, self)
        self._caching_device = caching_device

    def _init_from_proto(self, variable_def, import_scope=None):
        g = get_default_graph()

        def scoped(name):
            return name if not import_scope else import_scope + "/" + name
        self._variable = g.as_graph_element(scoped(variable_def.variable_name))
        self._initializer_op = g.as_graph_element(scoped(variable_def.initializer_name))
        snapshot = variable_def.snapshot_name
        self._snapshot = g.as_graph_element(scoped(snapshot)) if snapshot else \
            self._variable
        iv = variable_def.initial_value_name
        self._initial_value = g.as_graph_element(scoped(iv)) if iv else None
        self._trainable = getattr(variable_def, "trainable", True)
        self._caching_device = None

    # -- identity
    @property
    def name(self):
        return self._variable.name

    @property
    def op(self):
        return self._variable.op

    @property
    def graph(self):
        return self._variable.graph

    @property
    def dtype(self):
        return self._variable.dtype

    @property
    def device(self):
        return self._variable.device

    @property
    def shape(self):
        return self._variable.shape

    def get_shape(self):
        return self._variable.shape

    def set_shape(self, shape):
        self._variable.set_shape(shape)
        self._snapshot.set_shape(shape)

    @property
    def trainable(self):
        return self._trainable

    @property
    def constraint(self):
        return self._constraint

    @property
    def initializer(self):
        """The op that assigns the initial value."""
        return self._initializer_op

    @property
    def initial_value(self):
        return self._initial_value

    def _ref(self):
        return self._variable

    def _as_graph_element(self):
        return self._variable

    def value(self):
        """The variable's value as a Tensor (its ``name/read`` snapshot)."""
        return self._snapshot

    def read_value(self):
        """A new read of the variable's value (an Identity op)."""
        return array_ops.identity(self._variable, name="read")

    def initialized_value(self):
        """The value, after initializing the variable if needed (to initialize others)."""
        from tensorslim.core.ops import cond_ops
        with get_default_graph().control_dependencies(None):
            return cond_ops.cond(is_variable_initialized(self), self.read_value,
                                 lambda: self._initial_value)

    # -- updates
    def assign(self, value, use_locking=False, name=None, read_value=True):
        """Assigns ``value``; returns the new value (or the op if not ``read_value``)."""
        t = state_ops.assign(self._variable, value, use_locking=use_locking, name=name)
        return t if read_value else t.op

    def assign_add(self, delta, use_locking=False, name=None, read_value=True):
        t = state_ops.assign_add(self._variable, delta, use_locking=use_locking, name=name)
        return t if read_value else t.op

    def assign_sub(self, delta, use_locking=False, name=None, read_value=True):
        t = state_ops.assign_sub(self._variable, delta, use_locking=use_locking, name=name)
        return t if read_value else t.op

    def load(self, value, session=None):
        """Writes ``value`` into the variable in ``session`` without adding ops."""
        from tensorslim.core.session import get_default_session
        session = session or get_default_session()
        if session is None:
            raise ValueError("Either session argument should be provided or default session "
                             "should be established")
        session.run(self._initializer_op, {self._initializer_op.inputs[1]: value})

    def eval(self, session=None):
        """The variable's value in ``session`` or the default session."""
        return self._variable.eval(session=session)

    def count_up_to(self, limit):
        """Increments the variable until it reaches ``limit`` (``tf.count_up_to``)."""
        from tensorslim.data.input import count_up_to
        return count_up_to(self._variable, limit)

    # -- protos
    def to_proto(self, export_scope=None):
        """A VariableDef describing this variable (for MetaGraphDefs)."""
        from tensorslim.proto import variable_pb2

        def strip(name):
            if export_scope and name.startswith(export_scope + "/"):
                return name[len(export_scope) + 1:]
            return name
        proto = variable_pb2.VariableDef()
        proto.variable_name = strip(self._variable.name)
        if self._initial_value is not None:
            proto.initial_value_name = strip(self._initial_value.name)
        proto.initializer_name = strip(self._initializer_op.name)
        proto.snapshot_name = strip(self._snapshot.name)
        proto.trainable = bool(self._trainable)
        return proto

    @staticmethod
    def from_proto(variable_def, import_scope=None):
        return Variable(variable_def=variable_def, import_scope=import_scope)

    def numpy(self):
        """The variable's current value as a numpy array (eager execution only)."""
        if not hasattr(self._snapshot, "numpy"):
            raise NotImplementedError("numpy() is only available when eager execution is "
                                      "enabled.")
        return self._snapshot.numpy()

    # -- python
    def __repr__(self):
        if hasattr(self._snapshot, "numpy"):  # eager: TF shows the value too
            from tensorslim.eager.tensor import numpy_text
            return "<tf.Variable '%s' shape=%s dtype=%s, numpy=%s>" % (
                self.name, self.shape, self.dtype.base_dtype.name,
                numpy_text(self._snapshot, True))
        return "<tf.Variable '%s' shape=%s dtype=%s>" % (self.name, self.shape,
                                                         self.dtype.name)

    # Equality and hashing are identity (object's defaults), as in TF1.

    def __iter__(self):
        raise TypeError("'Variable' object is not iterable.")

    def __bool__(self):
        raise TypeError("Using a `tf.Variable` as a Python `bool` is not allowed.")

    __array_priority__ = 100


VariableV1 = Variable


def _make_delegate(name):
    def delegate(self, *args):
        return getattr(self.value(), name)(*args)
    delegate.__name__ = name
    return delegate


for _name in _OVERLOADABLE_OPERATORS:
    setattr(Variable, _name, _make_delegate(_name))


def _variable_to_tensor(v, dtype=None, name=None, as_ref=False):
    if dtype is not None and not dtype.is_compatible_with(v.dtype):
        raise ValueError("Incompatible type conversion requested to type '%s' for variable of "
                         "type '%s'" % (dtype.name, v.dtype.name))
    return v._ref() if as_ref else v.value()


register_tensor_conversion_function(Variable, _variable_to_tensor, priority=10)


class ScopeReuseWarning(UserWarning):
    """A variable was created beside one it was probably meant to share."""


_creation = threading.local()
_UNIQUIFIED = re.compile(r"^(.*)_\d+$")


def _warn_if_scope_was_renamed(name):
    """Warns when ``name`` lives in a scope renamed on re-entry (``conv1_1/weights``) while
    ``conv1/weights`` exists: running model code twice made a second set of weights instead
    of sharing them (the classic Siamese-tower mistake)."""
    parts = name.split("/")
    if len(parts) < 2:
        return
    candidates = []
    for i, part in enumerate(parts[:-1]):
        m = _UNIQUIFIED.match(part)
        if m:
            candidates.append("/".join(parts[:i] + [m.group(1)] + parts[i + 1:]))
    if not candidates:
        return
    existing = {v.op.name: v for v in global_variables() + local_variables()}
    for cand in candidates:
        if cand in existing:
            warnings.warn(
                "Variable %s was created in a scope that was renamed on re-entry, next to the "
                "existing variable %s (created at %s). Running model code twice with "
                "tf.Variable makes a second set of weights. To share them, create them with "
                "tf.get_variable inside tf.variable_scope(..., reuse=True) (or "
                "tf.AUTO_REUSE)." % (name, cand, format_location(existing[cand].op.location)),
                ScopeReuseWarning, stacklevel=3)
            return


class PartitionedVariable:
    """Placeholder type so ``isinstance`` checks in user code work; never created here."""


# --------------------------------------------------------------------------- listing

def global_variables(scope=None):
    """``tf.global_variables``: the GLOBAL_VARIABLES collection."""
    return get_collection(GraphKeys.GLOBAL_VARIABLES, scope)


def all_variables():
    """Deprecated name of :func:`global_variables`."""
    return global_variables()


def local_variables(scope=None):
    return get_collection(GraphKeys.LOCAL_VARIABLES, scope)


def trainable_variables(scope=None):
    return get_collection(GraphKeys.TRAINABLE_VARIABLES, scope)


def model_variables(scope=None):
    return get_collection(GraphKeys.MODEL_VARIABLES, scope)


def moving_average_variables(scope=None):
    return get_collection(GraphKeys.MOVING_AVERAGE_VARIABLES, scope)


# --------------------------------------------------------------------------- initializers

def variables_initializer(var_list, name="init"):
    """An op that runs the initializers of ``var_list`` (a no-op when empty)."""
    if var_list:
        return control_flow_ops.group(*[v.initializer for v in var_list], name=name)
    return control_flow_ops.no_op(name=name)


initialize_variables = variables_initializer


def global_variables_initializer():
    """``tf.global_variables_initializer``: initializes every global variable."""
    return variables_initializer(global_variables())


def initialize_all_variables():
    """Deprecated name of :func:`global_variables_initializer`."""
    return global_variables_initializer()


def local_variables_initializer():
    """Initializes every LOCAL_VARIABLES variable (epoch counters, metrics)."""
    return variables_initializer(local_variables(), name="init")


def initialize_local_variables():
    return local_variables_initializer()


def is_variable_initialized(variable):
    return state_ops.is_variable_initialized(variable)


def report_uninitialized_variables(var_list=None, name="report_uninitialized_variables"):
    """A 1-D string tensor with the names of the variables not yet initialized."""
    from tensorslim.core.ops import variable_report
    if var_list is None:
        var_list = global_variables() + local_variables()
    return variable_report.report_uninitialized(var_list, name)


def assert_variables_initialized(var_list=None):
    """An op that fails with FailedPreconditionError if any variable is uninitialized."""
    from tensorslim.core.ops import variable_report
    if var_list is None:
        var_list = global_variables() + local_variables()
    return variable_report.assert_initialized(var_list)
