"""User functions of ``tf.data`` transformations, traced into graph ops as TensorFlow does.

``Dataset.map(f)`` calls ``f`` once, at graph-construction time, on placeholder-like
tensors inside a separate :class:`FunctionGraph`; the ops ``f`` creates form the function's
body. Tensors of an outer graph that ``f`` uses are *captured*: each becomes a placeholder
of the function graph and an extra input (``other_arguments``) of the dataset op, so its
value is taken when the iterator is initialized.

At run time the body runs once per element through a per-session :class:`FunctionRunner`:
a private Session on the function graph with a compiled plan, all on the host. The function
is named in the dataset op's ``f`` attr (a ``NameAttrList``) and kept in a process-wide
registry under that name, as ``py_func`` keeps its callables.
"""
import itertools
import re
import threading
import weakref

import numpy as np

from tensorslim.core import errors
from tensorslim.core import executor
from tensorslim.core.graph import Graph, Tensor, get_default_graph
from tensorslim.data import dataset_structure as structure
from tensorslim.proto import attr_value_pb2

__all__ = ["FunctionGraph", "StructuredFunction", "FunctionRunner", "get_function",
           "as_element_array", "keep_alive"]

# Functions live as long as the graph that uses them: the graph holds them, this registry
# only finds them by name.
_functions = weakref.WeakValueDictionary()
_counter = itertools.count(1)
_lock = threading.Lock()
_HOST = "/device:CPU:0"


class FunctionGraph(Graph):
    """A graph holding a traced function; tensors of outer graphs used in it are captured.

    Args:
      outer_graph: the graph the function is defined in (the dataset's graph).
    """

    def __init__(self, outer_graph):
        super().__init__()
        self.outer_graph = outer_graph
        self.captures = []          # (outer tensor, inner placeholder), in capture order
        self._capture_map = {}
        self._building_function = True
        self.seed = outer_graph.seed

    def _owns(self, graph):
        g = self.outer_graph
        while g is not None:
            if g is graph:
                return True
            g = getattr(g, "outer_graph", None)
        return False

    def capture(self, tensor):
        """The placeholder standing for outer ``tensor`` in this graph (created once)."""
        inner = self._capture_map.get(tensor)
        if inner is not None:
            return inner
        if not self._owns(tensor.graph):
            raise ValueError("Tensor %s must be from the same graph as the function being "
                             "traced (or an enclosing graph)." % tensor.name)
        source = tensor
        if tensor.graph is not self.outer_graph:
            source = self.outer_graph.capture(tensor)   # nested functions capture in turn
        saved = self._name_stack
        self._name_stack = ""
        try:
            with self.control_dependencies(None), self.as_default():
                op = Graph.create_op(self, "Placeholder", [], [tensor.dtype.base_dtype],
                                     name="captured_input",
                                     attrs={"dtype": tensor.dtype.base_dtype,
                                            "shape": tensor.shape})
        finally:
            self._name_stack = saved
        inner = op.outputs[0]
        self._capture_map[tensor] = inner
        self.captures.append((source, inner))
        return inner

    def create_op(self, op_type, inputs, dtypes=None, input_types=None, name=None, attrs=None,
                  op_def=None, compute_shapes=True, compute_device=True):
        inputs = [self.capture(t) if isinstance(t, Tensor) and t.graph is not self else t
                  for t in inputs]
        return super().create_op(op_type, inputs, dtypes, input_types, name, attrs, op_def,
                                 compute_shapes, compute_device)


def keep_alive(graph, obj):
    """Makes ``graph`` hold ``obj`` (a traced function, a generator, a dataset factory)."""
    held = graph.__dict__.get("_tf_data_objects")
    if held is None:
        held = graph.__dict__.setdefault("_tf_data_objects", [])
    held.append(obj)


def _sanitize(name):
    return re.sub(r"[^A-Za-z0-9_]", "_", name)


def get_function(name):
    """The :class:`StructuredFunction` registered under ``name``.

    Raises:
      NotFoundError: no function of that name was traced in this process.
    """
    fn = _functions.get(name)
    if fn is None:
        raise errors.NotFoundError(None, None, "Function %s is not defined (tf.data functions "
                                   "exist only in the process that traced them)." % name)
    return fn


class StructuredFunction:
    """A user function traced for a ``tf.data`` transformation.

    Args:
      func: the Python callable.
      transformation_name: e.g. ``"Dataset.map()"``, used in names and messages.
      input_specs: the structure of :class:`ComponentSpec` of the function's argument.
      outer_graph: the graph of the input dataset.
      returns_dataset: the function must return a ``Dataset`` (flat_map, interleave).

    Attributes:
      name: the registry name, stored in the op's function attr.
      graph: the :class:`FunctionGraph`.
      inputs: the argument placeholders, flat.
      outputs: the flat output tensors (one variant tensor when returning a dataset).
      output_specs: the structure of the outputs' ComponentSpecs (or the returned dataset's
        element specs).
      captured: the outer tensors captured, in order (the op's ``other_arguments``).
    """

    def __init__(self, func, transformation_name, input_specs, outer_graph,
                 returns_dataset=False):
        if not callable(func):
            raise TypeError("`%s` expects a callable, got %r." % (transformation_name, func))
        self.func = func
        self.transformation_name = transformation_name
        self.input_specs = input_specs
        fname = getattr(func, "__name__", type(func).__name__)
        with _lock:
            self.name = "%s_%s_%d" % (_sanitize(transformation_name.replace("()", "")),
                                      _sanitize(fname), next(_counter))
        graph = FunctionGraph(outer_graph)
        self.graph = graph
        with graph.as_default(), graph.device(_HOST):
            flat_specs = structure.flatten(input_specs)
            from tensorslim.core.ops import array_ops
            self.inputs = [array_ops.placeholder(s.dtype, s.shape, name="args_%d" % i)
                           for i, s in enumerate(flat_specs)]
            args = structure.pack_sequence_as(input_specs, self.inputs)
            if type(args) is tuple:     # a plain tuple is unpacked into arguments
                ret = func(*args)
            else:
                ret = func(args)
            self.returns_dataset = returns_dataset
            if returns_dataset:
                self._set_dataset_output(ret)
            else:
                self._set_tensor_outputs(ret)
        self.captured = [outer for outer, _ in graph.captures]
        self.capture_inputs = [inner for _, inner in graph.captures]
        _functions[self.name] = self
        keep_alive(outer_graph, self)

    def _set_dataset_output(self, ret):
        from tensorslim.data.dataset_ops import Dataset
        if not isinstance(ret, Dataset):
            raise TypeError("`map_func` of %s must return a `Dataset` object, got %r."
                            % (self.transformation_name, type(ret).__name__))
        variant = ret._variant_tensor
        if variant.graph is not self.graph:
            variant = self.graph.create_op("Identity", [variant], [variant.dtype],
                                           name="Identity", attrs={"T": variant.dtype}
                                           ).outputs[0]
        self.outputs = [variant]
        self.output_specs = ret._element_spec

    def _set_tensor_outputs(self, ret):
        from tensorslim.core.graph import convert_to_tensor
        if isinstance(ret, list):
            ret = tuple(ret)
        if ret is None:
            raise TypeError("The function passed to %s returned None; it must return a tensor "
                            "or a (nested) tuple/dict of tensors." % self.transformation_name)
        leaves = structure.flatten(ret)
        outputs = []
        for leaf in leaves:
            if hasattr(leaf, "_fetch_components"):
                raise TypeError("%s: SparseTensor results are not supported by tensorslim's "
                                "tf.data; convert with tf.sparse_tensor_to_dense first."
                                % self.transformation_name)
            t = convert_to_tensor(leaf)
            if t.graph is not self.graph:
                t = self.graph.create_op("Identity", [t], [t.dtype.base_dtype],
                                         name="Identity",
                                         attrs={"T": t.dtype.base_dtype}).outputs[0]
            outputs.append(t)
        self.outputs = outputs
        self.output_specs = structure.pack_sequence_as(
            ret, [structure.ComponentSpec(t.dtype, t.shape) for t in outputs])

    def attr(self):
        """The ``NameAttrList`` naming this function (the op's function attr)."""
        return attr_value_pb2.NameAttrList(name=self.name)

    def runner(self, session):
        """The :class:`FunctionRunner` of this function in ``session`` (created once)."""
        key = ("tf.data.function", self.name)
        res = session._resources.get(key)
        if res is None:
            with session._lock:
                res = session._resources.get(key)
                if res is None:
                    res = FunctionRunner(self, session)
                    session._resources[key] = res
                    session._add_close_callback(res.close)
        return res


def as_element_array(value):
    """A component value as a numpy array (0-d arrays for scalars, object arrays for bytes)."""
    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, bytes):
        out = np.empty((), dtype=object)
        out[()] = value
        return out
    return np.asarray(value)


class FunctionRunner:
    """Runs a traced function per element in one session (thread-safe)."""

    def __init__(self, function, session):
        from tensorslim.core.session import Session
        self.function = function
        self._session = sess = Session(graph=function.graph)
        outputs = list(function.outputs)
        feeds = function.inputs + function.capture_inputs
        plan = executor.compile_plan(sess, outputs, [], feeds)
        # The body runs once per element, so each step counts: the host constants it uses
        # are fed (their values, as their kernels would return them) rather than run.
        # Constants with control inputs, or in a plan with tf.cond, keep their steps.
        host = sess._host_device()
        consts = [op for op in plan.ops if op.type == "Const" and not op._control_inputs
                  and sess._place(op) is host]
        self._const_values = ()
        if consts and not plan.has_dead:
            self._const_values = tuple(sess._kernel_context(op, host).state for op in consts)
            plan = executor.compile_plan(sess, outputs, [], feeds + [op.outputs[0]
                                                                     for op in consts])
        self._plan = plan

    def __call__(self, args, captured):
        """Returns the function's flat outputs for flat ``args`` and captured values."""
        values = self._plan.run((*args, *captured, *self._const_values))
        if self.function.returns_dataset:
            return values[0]
        return tuple([v if type(v) is np.ndarray else as_element_array(v) for v in values])

    def close(self):
        self._session.close()


def current_graph_is_function():
    """Whether ops are being traced into a function graph right now."""
    return isinstance(get_default_graph(), FunctionGraph)
