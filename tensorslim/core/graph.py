"""Graphs, operations and tensors: TensorFlow 1.x's dataflow graph.

A :class:`Graph` holds :class:`Operation` nodes; each produces :class:`Tensor` outputs.
Every Operation maps one-to-one onto a TensorFlow NodeDef: its ``type`` is TF's op type,
its attrs carry TF's attr names, and its inputs are ``name:index`` plus ``^control`` edges.
Shapes are inferred when a node is created, through the op's shape function in the registry.
"""
import contextlib
import os
import re
import sys
import threading

import numpy as np

from tensorslim.core import dtypes as _dtypes
from tensorslim.core import registry
from tensorslim.core.tensor_shape import TensorShape, as_shape, unknown_shape

__all__ = [
    "Graph", "Operation", "Tensor", "GraphKeys", "get_default_graph", "reset_default_graph",
    "name_scope", "control_dependencies", "device", "colocate_with", "convert_to_tensor",
    "register_tensor_conversion_function", "add_to_collection", "add_to_collections",
    "get_collection", "get_collection_ref", "get_all_collection_keys", "user_location",
    "format_location", "is_tensor", "get_name_scope", "convert_n_to_tensor",
]

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_VALID_OP_NAME = re.compile(r"^[A-Za-z0-9.][A-Za-z0-9_.\-/>]*$")
_VALID_SCOPE_NAME = re.compile(r"^[A-Za-z0-9_.\-/>]*$")


def user_location():
    """Returns ``(filename, lineno, function)`` of the first caller outside tensorslim."""
    frame = sys._getframe(1)
    fallback = None
    while frame is not None:
        filename = frame.f_code.co_filename
        if fallback is None:
            fallback = frame
        if not filename.startswith(_PACKAGE_DIR) and "importlib" not in filename:
            return (filename, frame.f_lineno, frame.f_code.co_name)
        frame = frame.f_back
    if fallback is None:
        return ("<unknown>", 0, "<unknown>")
    return (fallback.f_code.co_filename, fallback.f_lineno, fallback.f_code.co_name)


def format_location(location):
    """Formats a location tuple as ``file.py:12``."""
    if not location:
        return "<unknown>"
    return "%s:%d" % (location[0], location[1])


class GraphKeys:
    """Standard names for graph collections (``tf.GraphKeys``)."""

    GLOBAL_VARIABLES = "variables"
    LOCAL_VARIABLES = "local_variables"
    METRIC_VARIABLES = "metric_variables"
    MODEL_VARIABLES = "model_variables"
    TRAINABLE_VARIABLES = "trainable_variables"
    SUMMARIES = "summaries"
    QUEUE_RUNNERS = "queue_runners"
    TABLE_INITIALIZERS = "table_initializer"
    ASSET_FILEPATHS = "asset_filepaths"
    MOVING_AVERAGE_VARIABLES = "moving_average_variables"
    REGULARIZATION_LOSSES = "regularization_losses"
    CONCATENATED_VARIABLES = "concatenated_variables"
    SAVERS = "savers"
    WEIGHTS = "weights"
    BIASES = "biases"
    ACTIVATIONS = "activations"
    UPDATE_OPS = "update_ops"
    LOSSES = "losses"
    SAVEABLE_OBJECTS = "saveable_objects"
    RESOURCES = "resources"
    LOCAL_RESOURCES = "local_resources"
    TRAINABLE_RESOURCE_VARIABLES = "trainable_resource_variables"
    INIT_OP = "init_op"
    LOCAL_INIT_OP = "local_init_op"
    READY_OP = "ready_op"
    READY_FOR_LOCAL_INIT_OP = "ready_for_local_init_op"
    SUMMARY_OP = "summary_op"
    GLOBAL_STEP = "global_step"
    EVAL_STEP = "eval_step"
    TRAIN_OP = "train_op"
    COND_CONTEXT = "cond_context"
    WHILE_CONTEXT = "while_context"
    VARIABLES = GLOBAL_VARIABLES
    _VARIABLE_COLLECTIONS = [GLOBAL_VARIABLES, LOCAL_VARIABLES, METRIC_VARIABLES,
                             MODEL_VARIABLES, TRAINABLE_VARIABLES, MOVING_AVERAGE_VARIABLES,
                             CONCATENATED_VARIABLES, TRAINABLE_RESOURCE_VARIABLES]


# --------------------------------------------------------------------------- Tensor

class Tensor:
    """A symbolic handle to one output of an :class:`Operation`.

    Its value exists only inside ``Session.run``; graph-side it carries the static
    ``dtype`` and ``shape``.
    """

    # Makes numpy defer to Tensor's reflected operators (np.float32(2) * t -> Tensor).
    __array_priority__ = 100

    def __init__(self, op, value_index, dtype):
        self._op = op
        self._value_index = value_index
        self._dtype = _dtypes.as_dtype(dtype)
        self._shape = unknown_shape()
        self._consumers = []
        self._id = op._graph._next_tensor_id()
        self._feed_spec = None

    @property
    def op(self):
        return self._op

    @property
    def value_index(self):
        return self._value_index

    @property
    def dtype(self):
        return self._dtype

    @property
    def graph(self):
        return self._op._graph

    @property
    def name(self):
        return "%s:%d" % (self._op.name, self._value_index)

    @property
    def device(self):
        return self._op.device

    @property
    def shape(self):
        return self._shape

    def get_shape(self):
        """Returns the static :class:`TensorShape` (``tensor.shape``)."""
        return self._shape

    def set_shape(self, shape):
        """Refines the static shape; ValueError if ``shape`` is incompatible."""
        self._feed_spec = None
        try:
            self._shape = self._shape.merge_with(as_shape(shape))
        except ValueError:
            raise ValueError("Tensor's shape %s is not compatible with supplied shape %s"
                             % (self._shape, as_shape(shape))) from None

    def consumers(self):
        """The operations that take this tensor as an input."""
        return list(self._consumers)

    def eval(self, feed_dict=None, session=None):
        """Computes this tensor in ``session`` or the default session.

        Raises:
          ValueError: if there is no session to use.
        """
        from tensorslim.core import session as _session
        return _session._eval_using_default_session(self, feed_dict, self.graph, session)

    def _shape_str(self):
        if self._shape.ndims is None:
            return "<unknown>"
        return str(self._shape)

    def __str__(self):
        return 'Tensor("%s", shape=%s, dtype=%s)' % (self.name, self._shape_str(),
                                                    self._dtype.name)

    def __repr__(self):
        return "<tf.Tensor '%s' shape=%s dtype=%s>" % (self.name, self._shape_str(),
                                                       self._dtype.name)

    # Equality and hashing are identity (object's defaults), as in TF1 graph mode.

    def __iter__(self):
        raise TypeError("Tensor objects are only iterable when eager execution is enabled. "
                        "To iterate over this tensor use tf.map_fn or tf.unstack.")

    def __bool__(self):
        raise TypeError("Using a `tf.Tensor` as a Python `bool` is not allowed. Use "
                        "`if t is not None:` instead of `if t:` to test if a tensor is "
                        "defined, and use TensorFlow ops such as tf.cond to execute "
                        "subgraphs conditioned on the value of a tensor.")

    def __len__(self):
        raise TypeError("len is not well defined for symbolic Tensors. (%s) Please call "
                        "`x.shape` rather than `len(x)` for shape information." % self.name)

    def __array__(self, dtype=None, copy=None):
        raise NotImplementedError(
            "Cannot convert a symbolic Tensor (%s) to a numpy array. Run it in a Session "
            "(sess.run(tensor)) to get its value." % self.name)

    def _as_node_def_input(self):
        if self._value_index == 0:
            return self._op.name
        return "%s:%d" % (self._op.name, self._value_index)

    @staticmethod
    def _override_operator(operator, func):
        setattr(Tensor, operator, func)


def is_tensor(x):
    return isinstance(x, Tensor)


# --------------------------------------------------------------------------- Operation

class Operation:
    """A node of the graph: a TF op type applied to input tensors, with attrs."""

    def __init__(self, graph, op_type, name, inputs, output_dtypes, attrs, control_inputs,
                 device, location):
        self._graph = graph
        self._type = op_type
        self._name = name
        self._inputs = list(inputs)
        self._attrs = dict(attrs) if attrs else {}
        self._control_inputs = list(control_inputs)
        self._device = device
        self._location = location
        self._id = graph._next_op_id()
        self._outputs = [Tensor(self, i, dt) for i, dt in enumerate(output_dtypes)]
        self._control_outputs = []
        self._op_def = registry._OPS.get(op_type)

    @property
    def name(self):
        return self._name

    @property
    def type(self):
        return self._type

    @property
    def graph(self):
        return self._graph

    @property
    def inputs(self):
        return tuple(self._inputs)

    @property
    def outputs(self):
        return list(self._outputs)

    @property
    def control_inputs(self):
        return list(self._control_inputs)

    @property
    def device(self):
        return self._device

    @property
    def location(self):
        """``(filename, lineno, function)`` in user code where this op was created."""
        return self._location

    @property
    def traceback(self):
        return [self._location]

    @property
    def node_def(self):
        from tensorslim.core import graph_io
        return graph_io.node_def_of(self)

    @property
    def op_def(self):
        return self._op_def

    def values(self):
        return tuple(self._outputs)

    def get_attr(self, name):
        """Returns the value of attr ``name``; ValueError if the op has no such attr."""
        try:
            return self._attrs[name]
        except KeyError:
            raise ValueError("Operation '%s' (op: '%s') has no attr named '%s'."
                             % (self._name, self._type, name)) from None

    def _set_attr(self, name, value):
        self._attrs[name] = value

    def _set_device(self, device_string):
        self._device = device_string or ""

    def _add_control_input(self, op):
        if op not in self._control_inputs:
            self._control_inputs.append(op)
            op._control_outputs.append(self)

    def _add_control_inputs(self, ops):
        for op in ops:
            self._add_control_input(op)

    def _update_input(self, index, tensor):
        old = self._inputs[index]
        old._consumers.remove(self)
        self._inputs[index] = tensor
        tensor._consumers.append(self)

    def colocation_groups(self):
        groups = self._attrs.get("_class")
        if groups:
            return [g.encode() if isinstance(g, str) else g for g in groups]
        return [("loc:@" + self._name).encode()]

    def run(self, feed_dict=None, session=None):
        """Runs this op in ``session`` or the default session."""
        from tensorslim.core import session as _session
        _session._run_using_default_session(self, feed_dict, self._graph, session)

    def _where(self):
        return "%s (defined at %s)" % (self._name, format_location(self._location))

    def __repr__(self):
        return "<tf.Operation '%s' type=%s>" % (self._name, self._type)

    def __str__(self):
        return str(self.node_def)


# --------------------------------------------------------------------------- Graph

class _DefaultStack(threading.local):
    def __init__(self):
        super().__init__()
        self.stack = []


_default_graph_stack = _DefaultStack()
_global_default_graph = None
_conversion_functions = []


class Graph:
    """A TensorFlow computation: operations, their tensors, collections and scopes."""

    def __init__(self):
        self._lock = threading.RLock()
        self._nodes_by_name = {}
        self._ops = []
        self._names_in_use = {}
        self._name_stack = ""
        self._control_dependencies_stack = []
        self._device_stack = []
        self._colocation_stack = []
        self._collections = {}
        self._finalized = False
        self._seed = None
        self._last_op_id = 0
        self._last_tensor_id = 0
        self._gradient_override_map = {}
        self._version = 0
        self._building_function = False
        # The innermost cond/while context ops are being built in (set by control flow ops).
        self._control_flow_context = None
        self._variable_store = None
        self._variable_scope_stack = []
        self._attr_scope_map = {}
        self._scope_locations = {}
        self._graph_def_versions = None
        self._session_state_key = object()

    # -- ids
    def _next_op_id(self):
        self._last_op_id += 1
        return self._last_op_id

    def _next_tensor_id(self):
        self._last_tensor_id += 1
        return self._last_tensor_id

    @property
    def _last_id(self):
        return self._last_op_id

    @property
    def version(self):
        return self._version

    @property
    def seed(self):
        return self._seed

    @seed.setter
    def seed(self, seed):
        self._seed = seed

    @property
    def finalized(self):
        return self._finalized

    def finalize(self):
        """Makes this graph read-only: creating an op afterwards raises RuntimeError."""
        self._finalized = True

    def _unsafe_unfinalize(self):
        self._finalized = False

    def _check_not_finalized(self):
        if self._finalized:
            raise RuntimeError("Graph is finalized and cannot be modified.")

    @property
    def building_function(self):
        return self._building_function

    # -- default graph
    @contextlib.contextmanager
    def as_default(self):
        """Makes this graph the default graph inside a ``with`` block (nestable)."""
        _default_graph_stack.stack.append(self)
        try:
            yield self
        finally:
            _default_graph_stack.stack.pop()

    # -- names
    def get_name_scope(self):
        return self._name_stack

    def unique_name(self, name, mark_as_used=True):
        """Returns ``name`` (inside the current name scope) made unique in this graph.

        Names are compared case-insensitively, as TensorFlow does; a name already used
        gets a ``_1``, ``_2``... suffix.
        """
        if self._name_stack:
            name = self._name_stack + "/" + name
        name_key = name.lower()
        i = self._names_in_use.get(name_key, 0)
        if mark_as_used:
            self._names_in_use[name_key] = i + 1
        if i > 0:
            base_name_key = name_key
            while name_key in self._names_in_use:
                name_key = "%s_%d" % (base_name_key, i)
                i += 1
            if mark_as_used:
                self._names_in_use[name_key] = 1
            name = "%s_%d" % (name, i - 1)
        return name

    @contextlib.contextmanager
    def name_scope(self, name):
        """Opens a name scope; ``"scope/"`` re-enters it exactly, None or "" clears it."""
        if name:
            if isinstance(name, str) and name[-1] == "/":
                new_stack = name[:-1]
            else:
                if not _VALID_SCOPE_NAME.match(str(name)):
                    raise ValueError("'%s' is not a valid scope name" % name)
                new_stack = self.unique_name(name)
        else:
            new_stack = ""
        old_stack = self._name_stack
        self._name_stack = new_stack
        try:
            yield "" if new_stack == "" else new_stack + "/"
        finally:
            self._name_stack = old_stack

    # -- devices
    @contextlib.contextmanager
    def device(self, device_name_or_function):
        """Places ops created in the block on a device; None clears outer device scopes."""
        from tensorslim.core import devices as _devices
        if device_name_or_function is not None and not callable(device_name_or_function):
            spec = _devices.DeviceSpec.from_string(str(device_name_or_function))
            device_name_or_function = spec.to_string()
        self._device_stack.append(device_name_or_function)
        try:
            yield
        finally:
            self._device_stack.pop()

    def _apply_device_functions(self, op):
        from tensorslim.core import devices as _devices
        current = ""
        for entry in self._device_stack:
            if entry is None:
                current = ""
            elif callable(entry):
                op._device = current
                current = entry(op) or ""
                if hasattr(current, "to_string"):
                    current = current.to_string()
            else:
                current = _devices.merge_device(current, entry)
        return current

    @contextlib.contextmanager
    def colocate_with(self, op, ignore_existing=False):
        """Places ops created in the block with ``op`` (a Tensor, Variable or Operation)."""
        if op is None:
            saved = self._colocation_stack
            self._colocation_stack = []
            try:
                yield
            finally:
                self._colocation_stack = saved
            return
        op = _as_operation(op)
        saved_devices = self._device_stack
        self._device_stack = []
        if ignore_existing:
            saved_coloc = self._colocation_stack
            self._colocation_stack = []
        self._colocation_stack.append(op)
        try:
            yield
        finally:
            self._colocation_stack.pop()
            self._device_stack = saved_devices
            if ignore_existing:
                self._colocation_stack = saved_coloc

    # -- control dependencies
    @contextlib.contextmanager
    def control_dependencies(self, control_inputs):
        """Ops created in the block run only after ``control_inputs``; None clears them."""
        if control_inputs is None:
            # As TF: None also leaves any cond/while context (variables made in a branch).
            saved = self._control_dependencies_stack
            saved_context = self._control_flow_context
            self._control_dependencies_stack = []
            self._control_flow_context = None
            try:
                yield
            finally:
                self._control_dependencies_stack = saved
                self._control_flow_context = saved_context
            return
        ops = []
        for c in control_inputs:
            if callable(c) and not isinstance(c, (Tensor, Operation)) \
                    and not hasattr(c, "_as_graph_element"):
                c = c()
            c = self.as_graph_element(c)
            if isinstance(c, Tensor):
                c = c.op
            if c not in ops:
                ops.append(c)
        self._control_dependencies_stack.append(ops)
        try:
            yield
        finally:
            self._control_dependencies_stack.pop()

    def _current_control_dependencies(self):
        deps = []
        for frame in self._control_dependencies_stack:
            for op in frame:
                if op not in deps:
                    deps.append(op)
        return deps

    def _get_control_flow_context(self):
        return self._control_flow_context

    def _set_control_flow_context(self, context):
        self._control_flow_context = context

    @contextlib.contextmanager
    def gradient_override_map(self, op_type_map):
        """Uses the gradient registered under another name for ops of the given types."""
        saved = dict(self._gradient_override_map)
        self._gradient_override_map.update(op_type_map)
        try:
            yield
        finally:
            self._gradient_override_map = saved

    # -- op creation
    def create_op(self, op_type, inputs, dtypes=None, input_types=None, name=None, attrs=None,
                  op_def=None, compute_shapes=True, compute_device=True):
        """Adds an op of TF type ``op_type`` to the graph and returns the Operation.

        Args:
          op_type: the TensorFlow op type (must be registered).
          inputs: the input Tensors.
          dtypes: the output dtypes.
          input_types: unused; accepted for TensorFlow compatibility.
          name: the op's name; made unique in the current name scope unless it ends in "/".
          attrs: dict of attr name to Python value (DType, int, float, bool, str, list,
            TensorShape or numpy array).
          op_def: unused; accepted for TensorFlow compatibility.
          compute_shapes: run the op's shape function.
          compute_device: apply the device scopes.

        Raises:
          RuntimeError: if the graph is finalized.
          ValueError: if the shape function rejects the inputs.
        """
        self._check_not_finalized()
        for i, t in enumerate(inputs):
            if not isinstance(t, Tensor):
                raise TypeError("Input %d of op '%s' must be a Tensor, got %r"
                                % (i, name or op_type, t))
            if t.graph is not self:
                raise ValueError("Tensor %s must be from the same graph as the op being "
                                 "created (%s)." % (t.name, name or op_type))
        if name is None:
            name = op_type
        if name and name[-1] == "/":
            name = name[:-1]
            # An explicit scope name: keep it, but mark it so later ops don't reuse it.
            self._names_in_use.setdefault(name.lower(), 1)
        else:
            name = self.unique_name(name)
        if name in self._nodes_by_name:
            raise ValueError("Duplicate node name in graph: '%s'" % name)
        location = user_location()
        input_ops = {t.op for t in inputs}
        control_inputs = [c for c in self._current_control_dependencies()
                          if c not in input_ops]
        attrs = dict(attrs) if attrs else {}
        if self._colocation_stack:
            attrs["_class"] = ["loc:@" + self._colocation_stack[-1]._colocation_target()]
        if op_type in self._gradient_override_map:
            attrs["_gradient_op_type"] = self._gradient_override_map[op_type]
        op = Operation(self, op_type, name, inputs, dtypes or [], attrs, control_inputs,
                       "", location)
        if compute_device:
            if self._colocation_stack:
                op._device = self._colocation_stack[-1].device
            else:
                op._device = self._apply_device_functions(op)
        if compute_shapes:
            self._run_shape_function(op)
        self._add_op(op)
        if self._control_flow_context is not None:
            self._control_flow_context.add_op(op)
        return op

    def _run_shape_function(self, op):
        op_def = op._op_def
        if op_def is None or op_def.shape_fn is None:
            return
        try:
            shapes = op_def.shape_fn(op)
        except ValueError as e:
            in_shapes = ", ".join(_shape_for_message(t.shape) for t in op._inputs)
            raise ValueError("%s for '%s' (op: '%s') with input shapes: %s. (defined at %s)"
                             % (str(e).rstrip("."), op.name, op.type, in_shapes,
                                format_location(op._location))) from None
        if shapes is not None:
            for t, s in zip(op._outputs, shapes):
                t._shape = as_shape(s)

    def _add_op(self, op):
        with self._lock:
            self._nodes_by_name[op.name] = op
            self._ops.append(op)
            for t in op._inputs:
                t._consumers.append(op)
            for c in op._control_inputs:
                c._control_outputs.append(op)
            self._version += 1

    def _colocation_target_of(self, op):
        return op._colocation_target()

    # -- lookup
    def get_operations(self):
        """All operations of the graph, in creation order."""
        return list(self._ops)

    def get_operation_by_name(self, name):
        if not isinstance(name, str):
            raise TypeError("Operation names are strings (or similar), not %s."
                            % type(name).__name__)
        return self.as_graph_element(name, allow_tensor=False, allow_operation=True)

    def get_tensor_by_name(self, name):
        if not isinstance(name, str):
            raise TypeError("Tensor names are strings (or similar), not %s."
                            % type(name).__name__)
        return self.as_graph_element(name, allow_tensor=True, allow_operation=False)

    def as_graph_element(self, obj, allow_tensor=True, allow_operation=True):
        """Resolves a Tensor, Operation, Variable or name string to an element of this graph.

        Raises:
          KeyError: the name is not in the graph.
          ValueError: the object belongs to another graph, or names the wrong kind.
          TypeError: the object cannot be an element of a graph.
        """
        if hasattr(obj, "_as_graph_element") and not isinstance(obj, (Tensor, Operation)):
            obj = obj._as_graph_element()
        if isinstance(obj, str):
            if ":" in obj:
                if not allow_tensor:
                    raise ValueError("Name '%s' appears to refer to a Tensor, not an Operation."
                                     % obj)
                op_name, _, index = obj.rpartition(":")
                try:
                    index = int(index)
                except ValueError:
                    raise ValueError("The name '%s' looks a like a Tensor name, but is not a "
                                     "valid one. Tensor names must be of the form "
                                     "\"<op_name>:<output_index>\"." % obj) from None
                if op_name not in self._nodes_by_name:
                    raise KeyError("The name '%s' refers to a Tensor which does not exist. The "
                                   "operation, '%s', does not exist in the graph."
                                   % (obj, op_name))
                op = self._nodes_by_name[op_name]
                if index >= len(op._outputs):
                    raise KeyError("The name '%s' refers to a Tensor which does not exist. The "
                                   "operation, '%s', exists but only has %d outputs."
                                   % (obj, op_name, len(op._outputs)))
                return op._outputs[index]
            if not allow_operation:
                if obj in self._nodes_by_name:
                    raise ValueError("The name '%s' refers to an Operation, not a Tensor. "
                                     "Tensor names must be of the form "
                                     "\"<op_name>:<output_index>\"." % obj)
                raise ValueError("The name '%s' looks like an (invalid) Operation name, not a "
                                 "Tensor. Tensor names must be of the form "
                                 "\"<op_name>:<output_index>\"." % obj)
            if obj not in self._nodes_by_name:
                raise KeyError("The name '%s' refers to an Operation not in the graph." % obj)
            return self._nodes_by_name[obj]
        if isinstance(obj, Tensor):
            if not allow_tensor:
                raise TypeError("Can not convert a Tensor into an Operation.")
            if obj.graph is not self:
                raise ValueError("Tensor %s is not an element of this graph." % obj)
            return obj
        if isinstance(obj, Operation):
            if not allow_operation:
                raise TypeError("Can not convert an Operation into a Tensor.")
            if obj.graph is not self:
                raise ValueError("Operation %s is not an element of this graph." % obj)
            return obj
        raise TypeError("Can not convert a %s into a %s." % (
            type(obj).__name__, "Tensor or Operation" if allow_tensor and allow_operation
            else "Tensor" if allow_tensor else "Operation"))

    # -- collections
    def add_to_collection(self, name, value):
        self._check_not_finalized()
        with self._lock:
            self._collections.setdefault(name, []).append(value)

    def add_to_collections(self, names, value):
        names = (names,) if isinstance(names, str) else set(names)
        for name in names:
            self.add_to_collection(name, value)

    def get_collection_ref(self, name):
        """The collection's list itself; changes to it change the graph."""
        with self._lock:
            return self._collections.setdefault(name, [])

    def get_collection(self, name, scope=None):
        """A copy of collection ``name``, filtered by ``scope`` (a regex matched at the start
        of each item's ``name``) when given."""
        with self._lock:
            items = self._collections.get(name)
            if items is None:
                return []
            if scope is None:
                return list(items)
            regex = re.compile(scope)
            return [item for item in items
                    if hasattr(item, "name") and regex.match(item.name)]

    def get_all_collection_keys(self):
        return [k for k, v in self._collections.items() if isinstance(k, str)]

    def clear_collection(self, name):
        with self._lock:
            self._collections.pop(name, None)

    # -- serialization (implemented in graph_io)
    def as_graph_def(self, from_version=None, add_shapes=False):
        from tensorslim.core import graph_io
        return graph_io.graph_to_graph_def(self, add_shapes=add_shapes)

    @property
    def graph_def_versions(self):
        from tensorslim.proto import versions_pb2
        return versions_pb2.VersionDef(producer=27, min_consumer=0)

    def is_fetchable(self, tensor_or_op):
        return True

    def is_feedable(self, tensor):
        return True

    def __repr__(self):
        return "<tensorslim.Graph object at 0x%x>" % id(self)


def _as_operation(obj):
    if hasattr(obj, "_as_graph_element") and not isinstance(obj, (Tensor, Operation)):
        obj = obj._as_graph_element()
    if isinstance(obj, Tensor):
        return obj.op
    if isinstance(obj, Operation):
        return obj
    raise TypeError("Cannot colocate with %r" % (obj,))


def _reached_ops(fetch_tensors, target_ops, feed_tensors):
    """The ops a run of these fetches and targets executes, stopping at fed tensors (what
    the session's plan hooks inspect)."""
    fed = set(feed_tensors)
    seen = set()
    stack = [t.op for t in fetch_tensors if t not in fed] + list(target_ops)
    while stack:
        op = stack.pop()
        if op in seen:
            continue
        seen.add(op)
        stack.extend(c for c in op._control_inputs if c not in seen)
        stack.extend(t.op for t in op._inputs if t not in fed and t.op not in seen)
    return seen


def _colocation_target(self):
    groups = self._attrs.get("_class")
    if groups:
        first = groups[0]
        first = first.decode() if isinstance(first, bytes) else first
        if first.startswith("loc:@"):
            return first[5:]
    return self._name


Operation._colocation_target = _colocation_target


def _shape_for_message(shape):
    if shape.ndims is None:
        return "?"
    return "[%s]" % ",".join("?" if d is None else str(d) for d in shape.as_list())


# --------------------------------------------------------------------------- defaults

# Makes the global default graph; tensorslim.eager installs one returning its eager graph.
_default_graph_factory = Graph


def get_default_graph():
    """Returns the innermost graph made default with ``as_default``, or the global one."""
    global _global_default_graph
    stack = _default_graph_stack.stack
    if stack:
        return stack[-1]
    if _global_default_graph is None:
        _global_default_graph = _default_graph_factory()
    return _global_default_graph


def reset_default_graph():
    """Clears the global default graph.

    Raises:
      AssertionError: inside a ``with graph.as_default()`` block.
    """
    global _global_default_graph
    if _default_graph_stack.stack:
        raise AssertionError("Do not use tf.reset_default_graph() to clear nested graphs. "
                             "If you need a cleared graph, exit the nesting and create a new "
                             "graph.")
    _global_default_graph = _default_graph_factory()
    from tensorslim.core import session as _session
    _session._clear_default_session_for_reset()


def get_name_scope():
    return get_default_graph().get_name_scope()


def _graph_from_values(values):
    if get_default_graph()._building_function:  # a traced function captures outer tensors
        return get_default_graph()
    graph = None
    for v in values or ():
        if hasattr(v, "_as_graph_element") and not isinstance(v, (Tensor, Operation)):
            v = v._as_graph_element()
        if isinstance(v, (Tensor, Operation)):
            if graph is None:
                graph = v.graph
            elif v.graph is not graph:
                raise ValueError("%s must be from the same graph as %s." % (v, values[0]))
    return graph or get_default_graph()


@contextlib.contextmanager
def name_scope(name, default_name=None, values=None):
    """``tf.name_scope(name, default_name=None, values=None)``.

    Opens ``name`` (or ``default_name`` when ``name`` is None) as a name scope in the graph
    of ``values`` (or the default graph). Yields the scope string, ending in "/".
    """
    n = default_name if name is None else name
    if not n and values is not None and default_name is None and name is None:
        raise ValueError("At least one of name (%s) and default_name (%s) must be provided."
                         % (name, default_name))
    g = _graph_from_values(values) if values is not None else get_default_graph()
    if g is get_default_graph():
        with g.name_scope(n) as scope:
            yield scope
    else:
        with g.as_default(), g.name_scope(n) as scope:
            yield scope


def control_dependencies(control_inputs):
    """``tf.control_dependencies`` on the default graph."""
    return get_default_graph().control_dependencies(control_inputs)


def device(device_name_or_function):
    """``tf.device`` on the default graph."""
    return get_default_graph().device(device_name_or_function)


def colocate_with(op, ignore_existing=False):
    return get_default_graph().colocate_with(op, ignore_existing)


def add_to_collection(name, value):
    get_default_graph().add_to_collection(name, value)


def add_to_collections(names, value):
    get_default_graph().add_to_collections(names, value)


def get_collection(key, scope=None):
    return get_default_graph().get_collection(key, scope)


def get_collection_ref(key):
    return get_default_graph().get_collection_ref(key)


def get_all_collection_keys():
    return get_default_graph().get_all_collection_keys()


# --------------------------------------------------------------------------- conversion

def register_tensor_conversion_function(base_type, conversion_func, priority=100):
    """Registers ``conversion_func(value, dtype=None, name=None, as_ref=False)`` for a type."""
    _conversion_functions.append((priority, len(_conversion_functions), base_type,
                                  conversion_func))
    _conversion_functions.sort(key=lambda e: (e[0], e[1]))


def convert_to_tensor(value, dtype=None, name=None, preferred_dtype=None, as_ref=False,
                      dtype_hint=None):
    """Converts a Tensor, Variable, numpy array or Python value to a Tensor.

    Raises:
      ValueError: a Tensor's dtype differs from the requested ``dtype``.
      TypeError: the value cannot be converted.
    """
    if dtype is not None:
        dtype = _dtypes.as_dtype(dtype)
    preferred_dtype = preferred_dtype or dtype_hint
    if isinstance(value, Tensor):
        if dtype is not None and not dtype.is_compatible_with(value.dtype):
            raise ValueError("Tensor conversion requested dtype %s for Tensor with dtype %s: %r"
                             % (dtype.name, value.dtype.name, value))
        if not as_ref and value.dtype.is_ref_dtype:
            return _read_ref(value)
        return value
    for _, _, base_type, func in _conversion_functions:
        if isinstance(value, base_type):
            if dtype is None and preferred_dtype is not None:
                try:
                    ret = func(value, dtype=_dtypes.as_dtype(preferred_dtype), name=name,
                               as_ref=as_ref)
                except (TypeError, ValueError):
                    ret = None
                if ret is not None and ret is not NotImplemented:
                    return ret
            ret = func(value, dtype=dtype, name=name, as_ref=as_ref)
            if ret is NotImplemented:
                continue
            if not isinstance(ret, Tensor):
                raise RuntimeError("%sConversion function %r for type %s returned non-Tensor: "
                                   "%r" % (_error_prefix(name), func, base_type, ret))
            if dtype is not None and not dtype.is_compatible_with(ret.dtype):
                raise RuntimeError("%sConversion function %r for type %s returned incompatible "
                                   "dtype: requested = %s, actual = %s"
                                   % (_error_prefix(name), func, base_type, dtype.name,
                                      ret.dtype.name))
            return ret
    raise TypeError("%sCannot convert %r with type %s to Tensor: no conversion function "
                    "registered." % (_error_prefix(name), value, type(value)))


def _error_prefix(name):
    return "" if name is None else "%s: " % name


def _read_ref(ref_tensor):
    # A ref used as a value: TF1 passes the ref straight through to value inputs; the
    # executor dereferences it. Keep the Tensor; ops see its base dtype.
    return ref_tensor


def convert_n_to_tensor(values, dtype=None, name=None, preferred_dtype=None):
    return [convert_to_tensor(v, dtype=dtype, preferred_dtype=preferred_dtype,
                              name=None if name is None else "%s_%d" % (name, i))
            for i, v in enumerate(values)]


def _constant_conversion(value, dtype=None, name=None, as_ref=False):
    from tensorslim.core.ops import array_ops
    return array_ops.constant(value, dtype=dtype, name=name or "Const")


register_tensor_conversion_function(
    (list, tuple, int, float, bool, complex, bytes, str, np.ndarray, np.generic),
    _constant_conversion, priority=100)
