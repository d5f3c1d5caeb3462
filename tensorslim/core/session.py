"""``tf.Session``: runs parts of a graph, holding variable values between runs."""
import collections
import contextlib
import sys
import threading
import warnings

import numpy as np

from tensorslim.core import devices as _devices
from tensorslim.core import errors
from tensorslim.core import executor
from tensorslim.core.fp_errors import ignore_fp_errors as _ignore_fp_errors
from tensorslim.core.fp_errors import restore_fp_errors as _restore_fp_errors
from tensorslim.core.graph import (Graph, Operation, Tensor, format_location,
                                   get_default_graph)


__all__ = ["Session", "InteractiveSession", "get_default_session", "ConfigProto", "GPUOptions",
           "RunOptions", "RunMetadata", "GraphOptions", "OptimizerOptions"]


# --------------------------------------------------------------------------- config

class GPUOptions:
    """``tf.GPUOptions``: how the GPU's memory is used (mapped onto cupy's memory pool)."""

    def __init__(self, per_process_gpu_memory_fraction=0.0, allow_growth=False,
                 allocator_type="", visible_device_list="", **kwargs):
        self.per_process_gpu_memory_fraction = per_process_gpu_memory_fraction
        self.allow_growth = allow_growth
        self.allocator_type = allocator_type
        self.visible_device_list = visible_device_list
        for k, v in kwargs.items():
            setattr(self, k, v)


class OptimizerOptions:
    """``tf.OptimizerOptions``; ``opt_level=L0`` turns off kernel fusion (see core/fusion.py),
    the other fields are accepted for compatibility."""

    L1, L0 = 0, -1
    DEFAULT, OFF, ON_1, ON_2 = 0, 1, 2, 3

    def __init__(self, do_common_subexpression_elimination=False, do_constant_folding=False,
                 opt_level=0, global_jit_level=0, **kwargs):
        self.do_common_subexpression_elimination = do_common_subexpression_elimination
        self.do_constant_folding = do_constant_folding
        self.opt_level = opt_level
        self.global_jit_level = global_jit_level


class GraphOptions:
    """``tf.GraphOptions`` (accepted for compatibility)."""

    def __init__(self, optimizer_options=None, build_cost_model=0, infer_shapes=False,
                 place_pruned_graph=False, enable_bfloat16_sendrecv=False, **kwargs):
        self.optimizer_options = optimizer_options or OptimizerOptions()
        self.build_cost_model = build_cost_model
        self.infer_shapes = infer_shapes
        self.place_pruned_graph = place_pruned_graph


class ConfigProto:
    """``tf.ConfigProto``: session options (placement, logging, GPU memory, threads)."""

    def __init__(self, device_count=None, intra_op_parallelism_threads=0,
                 inter_op_parallelism_threads=0, use_per_session_threads=False,
                 allow_soft_placement=False, log_device_placement=False, gpu_options=None,
                 graph_options=None, operation_timeout_in_ms=0, **kwargs):
        self.device_count = dict(device_count or {})
        self.intra_op_parallelism_threads = intra_op_parallelism_threads
        self.inter_op_parallelism_threads = inter_op_parallelism_threads
        self.use_per_session_threads = use_per_session_threads
        self.allow_soft_placement = allow_soft_placement
        self.log_device_placement = log_device_placement
        self.gpu_options = gpu_options if gpu_options is not None else GPUOptions()
        self.graph_options = graph_options if graph_options is not None else GraphOptions()
        self.operation_timeout_in_ms = operation_timeout_in_ms
        for k, v in kwargs.items():
            setattr(self, k, v)


class RunOptions:
    """``tf.RunOptions``: per-run options; ``timeout_in_ms`` bounds blocking ops."""

    NO_TRACE, SOFTWARE_TRACE, HARDWARE_TRACE, FULL_TRACE = 0, 1, 2, 3

    def __init__(self, trace_level=0, timeout_in_ms=0, inter_op_thread_pool=0,
                 output_partition_graphs=False, report_tensor_allocations_upon_oom=False,
                 **kwargs):
        self.trace_level = trace_level
        self.timeout_in_ms = timeout_in_ms
        self.inter_op_thread_pool = inter_op_thread_pool
        self.output_partition_graphs = output_partition_graphs
        self.report_tensor_allocations_upon_oom = report_tensor_allocations_upon_oom


class RunMetadata:
    """``tf.RunMetadata``: filled with the step's timing when tracing is requested."""

    def __init__(self):
        self.step_stats = None
        self.partition_graphs = []
        self.cost_graph = None


# --------------------------------------------------------------------------- defaults

class _SessionStack(threading.local):
    def __init__(self):
        super().__init__()
        self.stack = []


_default_session_stack = _SessionStack()


def get_default_session():
    """The innermost session entered with ``with sess:`` / ``as_default()``, or None."""
    stack = _default_session_stack.stack
    return stack[-1] if stack else None


def _clear_default_session_for_reset():
    pass


def _eval_using_default_session(tensor, feed_dict, graph, session=None):
    if session is None:
        session = get_default_session()
        if session is None:
            raise ValueError("Cannot evaluate tensor using `eval()`: No default session is "
                             "registered. Use `with sess.as_default()` or pass an explicit "
                             "session to `eval(session=sess)`")
        if session.graph is not graph:
            raise ValueError("Cannot use the default session to evaluate tensor: the "
                             "tensor's graph is different from the session's graph. Pass an "
                             "explicit session to `eval(session=sess)`.")
    elif session.graph is not graph:
        raise ValueError("Cannot use the given session to evaluate tensor: the tensor's graph "
                         "is different from the session's graph.")
    return session.run(tensor, feed_dict)


def _run_using_default_session(operation, feed_dict, graph, session=None):
    if session is None:
        session = get_default_session()
        if session is None:
            raise ValueError("Cannot execute operation using `run()`: No default session is "
                             "registered. Use `with sess.as_default():` or pass an explicit "
                             "session to `run(session=sess)`")
        if session.graph is not graph:
            raise ValueError("Cannot use the default session to execute operation: the "
                             "operation's graph is different from the session's graph. Pass "
                             "an explicit session to run(session=sess).")
    elif session.graph is not graph:
        raise ValueError("Cannot use the given session to execute operation: the operation's "
                         "graph is different from the session's graph.")
    session.run(operation, feed_dict)


# --------------------------------------------------------------------------- fetches

class _FetchMapper:
    """Flattens a nested fetch structure to graph elements and rebuilds the results."""

    __slots__ = ("elements", "rebuild")

    def __init__(self, graph, fetches):
        self.elements = []
        self.rebuild = self._build(graph, fetches)

    def _build(self, graph, fetch):
        if fetch is None:
            raise TypeError("Fetch argument None has invalid type <class 'NoneType'>")
        if isinstance(fetch, (list, tuple)) and not hasattr(fetch, "_as_graph_element"):
            subs = [self._build(graph, f) for f in fetch]
            if isinstance(fetch, tuple) and hasattr(fetch, "_fields"):
                cls = type(fetch)
                return lambda vals: cls(*[s(vals) for s in subs])
            cls = type(fetch) if isinstance(fetch, tuple) else list
            return lambda vals: cls([s(vals) for s in subs])
        if isinstance(fetch, collections.abc.Mapping):
            keys = list(fetch.keys())
            subs = [self._build(graph, fetch[k]) for k in keys]
            cls = type(fetch)

            def rebuild_dict(vals):
                out = cls() if cls is not collections.defaultdict else \
                    collections.defaultdict(fetch.default_factory)
                for k, s in zip(keys, subs):
                    out[k] = s(vals)
                return out
            return rebuild_dict
        if hasattr(fetch, "_fetch_components"):  # SparseTensor: fetched as its parts
            parts, combine = fetch._fetch_components()
            part_subs = [self._build(graph, p) for p in parts]
            return lambda vals: combine([s(vals) for s in part_subs])
        element = _as_fetch_element(graph, fetch)
        index = len(self.elements)
        self.elements.append(element)
        if isinstance(element, Operation):
            return lambda vals: None
        return lambda vals: vals[index]


def _as_fetch_element(graph, fetch):
    try:
        return graph.as_graph_element(fetch, allow_tensor=True, allow_operation=True)
    except TypeError as e:
        raise TypeError("Fetch argument %r has invalid type %r, must be a string or Tensor. "
                        "(%s)" % (fetch, type(fetch), e)) from None
    except ValueError as e:
        raise ValueError("Fetch argument %r cannot be interpreted as a Tensor. (%s)"
                         % (fetch, e)) from None
    except KeyError as e:
        raise ValueError("Fetch argument %r cannot be interpreted as a Tensor. (%s)"
                         % (fetch, e.args[0])) from None


def _to_numpy_result(value):
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return value[()]
        return value
    if isinstance(value, (np.generic, bytes)):
        return value
    return value


# --------------------------------------------------------------------------- session

class BaseSession:
    """What Session and InteractiveSession share: placement, plans, variable storage."""

    def __init__(self, target="", graph=None, config=None):
        if graph is None:
            graph = get_default_graph()
        if not isinstance(graph, Graph):
            raise TypeError("graph must be a tf.Graph, but got %s" % type(graph))
        if target not in ("", None) and not str(target).startswith(("grpc://localhost",
                                                                   "local")):
            raise errors.UnimplementedError(
                None, None, "tensorslim runs in-process only; cannot connect to target %r."
                % (target,))
        self._graph = graph
        self._config = config if config is not None else ConfigProto()
        self._closed = False
        self._plans = {}
        self._contexts = {}
        self._placement = {}
        self._placement_logged = set()
        self._variables = {}
        self._resources = {}
        self._lock = threading.RLock()
        self._default_session_context = None
        self._close_callbacks = []
        gpu = self._config.gpu_options
        _devices.configure_gpu_memory(gpu.allow_growth, gpu.per_process_gpu_memory_fraction)

    @property
    def graph(self):
        return self._graph

    @property
    def graph_def(self):
        return self._graph.as_graph_def()

    @property
    def sess_str(self):
        return ""

    def list_devices(self):
        return [_DeviceAttributes(d) for d in _devices.local_devices()]

    def as_default(self):
        """Makes this session the default one inside a ``with`` block."""
        return _default_session(self)

    # -- placement
    def _host_device(self):
        return _devices.find_device("/device:CPU:0", True)

    def _place(self, op):
        device = self._placement.get(op)
        if device is not None:
            return device
        op_def = op._op_def
        requested = op.device
        if op_def is not None and op_def.host_only:
            if requested and "GPU" in requested.upper() and not \
                    self._config.allow_soft_placement:
                # TF would refuse: no GPU kernel. Placing on the CPU is what users want.
                pass
            device = self._host_device()
        else:
            colocated = op._attrs.get("_class")
            if colocated:
                target = colocated[0]
                target = target.decode() if isinstance(target, bytes) else target
                target_op = self._graph._nodes_by_name.get(target[5:]) \
                    if target.startswith("loc:@") else None
                if target_op is not None and target_op is not op:
                    device = self._place(target_op)
            if device is None:
                device = _devices.find_device(requested, self._config.allow_soft_placement,
                                              op_name=op.name)
        self._placement[op] = device
        if self._config.log_device_placement and op not in self._placement_logged:
            self._placement_logged.add(op)
            print("%s: (%s): %s" % (op.name, op.type, device.name), file=sys.stderr)
        return device

    def _kernel_context(self, op, device):
        ctx = self._contexts.get(op)
        if ctx is None or ctx.device is not device:
            ctx = executor.KernelContext(op, device, self)
            op_def = op._op_def
            if op_def is not None and op_def.make_context is not None:
                op_def.make_context(ctx)
            self._contexts[op] = ctx
        return ctx

    # -- running
    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        """Runs the ops and computes the tensors in ``fetches``.

        Args:
          fetches: a graph element (Tensor, Operation, Variable, or a name like "add:0"),
            or a list, tuple, namedtuple or dict of them, nested any way.
          feed_dict: maps Tensors, Variables or names to values overriding them for this run.
          options: a :class:`RunOptions`.
          run_metadata: a :class:`RunMetadata`.

        Returns:
          The values, shaped like ``fetches``: numpy arrays (scalars for rank 0), None for
          operations.

        Raises:
          RuntimeError: the session is closed or its graph is empty.
          TypeError / ValueError: a fetch or feed is not valid for this graph.
          OpError: running an op failed.
        """
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        graph = self._graph
        if isinstance(fetches, Tensor) and fetches.graph is graph:
            single = True
            elements = [fetches]
            mapper = None
        else:
            single = False
            mapper = _FetchMapper(graph, fetches)
            elements = mapper.elements
        feed_tensors, feed_values = self._process_feeds(feed_dict) if feed_dict else ((), ())
        fetch_tensors = []
        target_ops = []
        for e in elements:
            if isinstance(e, Operation):
                target_ops.append(e)
            else:
                fetch_tensors.append(e)
        key = (tuple(fetch_tensors), tuple(target_ops), feed_tensors, graph._version)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._compile(fetch_tensors, target_ops, feed_tensors)
            self._plans[key] = plan
        timeout = getattr(options, "timeout_in_ms", 0) if options is not None else 0
        if not timeout:
            timeout = self._config.operation_timeout_in_ms
        # IEEE semantics, as TF: NaN and inf flow through kernels silently (numpy would warn).
        fp_state = _ignore_fp_errors()
        try:
            if timeout:
                with executor.Deadline(timeout):
                    values = plan.run(feed_values)
            else:
                values = plan.run(feed_values)
        finally:
            _restore_fp_errors(fp_state)
        if single:
            return _to_numpy_result(values[0])
        results = []
        it = iter(values)
        for e in elements:
            results.append(None if isinstance(e, Operation) else _to_numpy_result(next(it)))
        return mapper.rebuild(results)

    def _compile(self, fetch_tensors, target_ops, feed_tensors, fuse=None):
        """The Plan for a run; ``fuse=None`` fuses kernels unless the config's
        ``graph_options.optimizer_options.opt_level`` is ``OptimizerOptions.L0``."""
        if fuse is None:
            fuse = self._fusion_enabled()
        with self._lock:
            for hook in _plan_hooks:
                hook(self, fetch_tensors, target_ops, feed_tensors)
            return executor.compile_plan(self, list(fetch_tensors), list(target_ops),
                                         list(feed_tensors), fuse=fuse)

    def _fusion_enabled(self):
        graph_options = getattr(self._config, "graph_options", None)
        optimizer_options = getattr(graph_options, "optimizer_options", None)
        return getattr(optimizer_options, "opt_level", OptimizerOptions.L1) != \
            OptimizerOptions.L0

    def _process_feeds(self, feed_dict):
        graph = self._graph
        tensors = []
        values = []
        for key, value in feed_dict.items():
            if isinstance(key, Tensor) and key.graph is graph:
                tensors.append(key)
                values.append(_feed_value(key, value))
                continue
            for tensor, val in _expand_feed(graph, key, value):
                tensors.append(tensor)
                values.append(_feed_value(tensor, val))
        return tuple(tensors), values

    # -- lifetime
    def close(self):
        """Releases the session's resources; using it afterwards raises RuntimeError."""
        if self._closed:
            return
        self._closed = True
        for cb in list(self._close_callbacks):
            try:
                cb()
            except Exception:  # noqa: BLE001 - closing must not fail half-way
                pass
        self._plans.clear()
        self._contexts.clear()
        self._variables.clear()
        self._resources.clear()

    def _add_close_callback(self, cb):
        self._close_callbacks.append(cb)

    def __enter__(self):
        if self._default_session_context is None:
            self._default_session_context = []
        ctx = _default_session(self)
        ctx.__enter__()
        self._default_session_context.append(ctx)
        return self

    def __exit__(self, exc_type, exc_value, tb):
        ctx = self._default_session_context.pop()
        ctx.__exit__(exc_type, exc_value, tb)
        self.close()
        return False

    def __del__(self):
        try:
            if not self._closed:
                self._closed = True
                for cb in list(self._close_callbacks):
                    cb()
        except Exception:  # noqa: BLE001 - best effort in a finalizer
            pass

    def make_callable(self, fetches, feed_list=None, accept_options=False):
        """Returns a function running ``fetches`` with values for ``feed_list`` as arguments."""
        feed_list = list(feed_list or [])

        def call(*args, **kwargs):
            return self.run(fetches, dict(zip(feed_list, args)), kwargs.get("options"),
                            kwargs.get("run_metadata"))
        return call

    def partial_run_setup(self, fetches, feeds=None):
        raise errors.UnimplementedError(None, None, "partial_run is not supported by "
                                        "tensorslim; use Session.run.")


_plan_hooks = []


def add_plan_hook(hook):
    """Registers ``hook(session, fetch_tensors, target_ops, feed_tensors)`` run per new plan."""
    _plan_hooks.append(hook)


class _DeviceAttributes:
    def __init__(self, device):
        self.name = device.name
        self.device_type = device.device_type
        self.memory_limit_bytes = 0
        self.incarnation = 0


def _expand_feed(graph, key, value):
    if hasattr(key, "_feed_pairs"):  # SparseTensor and friends
        return key._feed_pairs(value)
    try:
        tensor = graph.as_graph_element(key, allow_tensor=True, allow_operation=False)
    except (TypeError, ValueError, KeyError) as e:
        raise TypeError("Cannot interpret feed_dict key as Tensor: %s" % (e,)) from None
    if tensor.dtype.is_ref_dtype and hasattr(key, "_variable"):
        pass
    return ((tensor, value),)


def _feed_spec(tensor):
    """(numpy dtype, dims tuple with None for unknown, or None for unknown rank), cached on
    the tensor (``Tensor.set_shape`` clears it)."""
    spec = tensor._feed_spec
    if spec is None:
        dims = tensor._shape.as_list() if tensor._shape.ndims is not None else None
        spec = (tensor.dtype.base_dtype.as_numpy_dtype, None if dims is None else tuple(dims))
        tensor._feed_spec = spec
    return spec


def _feed_value(tensor, value):
    np_dtype, dims = _feed_spec(tensor)
    if type(value) is np.ndarray and value.dtype == np_dtype:
        np_val = value
    else:
        np_val = _convert_feed(tensor, value, np_dtype)
    if dims is not None:
        shape = np_val.shape
        if len(shape) != len(dims) or any(d is not None and d != s
                                           for d, s in zip(dims, shape)):
            raise ValueError("Cannot feed value of shape %r for Tensor %r, which has shape %r"
                             % (shape, tensor.name, str(tensor._shape)))
    return np_val


def _convert_feed(tensor, value, np_dtype):
    if type(value) is float and np_dtype is not np.object_:
        return np.asarray(value, dtype=np_dtype)
    if isinstance(value, Tensor) or hasattr(value, "_as_graph_element"):
        raise TypeError("The value of a feed cannot be a tf.Tensor object. Acceptable feed "
                        "values include Python scalars, strings, lists, numpy ndarrays, or "
                        "TensorHandles. For reference, the tensor object was %s which was "
                        "passed to the feed with key %s." % (value, tensor))
    dtype = tensor.dtype.base_dtype
    try:
        if np_dtype is np.object_:
            np_val = np.asarray(value, dtype=object)
            if np_val.size:
                np_val = np.vectorize(_to_bytes, otypes=[object])(np_val)
            return np_val
        np_val = np.asarray(value, dtype=np_dtype)
        if isinstance(value, int) and not isinstance(value, bool) and dtype.is_integer and \
                np_val != value:
            raise TypeError("Type of feed value %r with type %s is not compatible with Tensor "
                            "type %s. Try explicitly setting the type of the feed tensor to a "
                            "larger type (e.g. int64)." % (value, type(value), dtype))
        return np_val
    except (ValueError, OverflowError) as e:
        raise ValueError("Cannot feed value to Tensor '%s' of dtype %s: %s"
                         % (tensor.name, dtype.name, e)) from None


def _to_bytes(v):
    return v.encode("utf-8") if isinstance(v, str) else v


@contextlib.contextmanager
def _default_session(session):
    _default_session_stack.stack.append(session)
    try:
        with session.graph.as_default():
            yield session
    finally:
        _default_session_stack.stack.remove(session) if session in \
            _default_session_stack.stack else None


class Session(BaseSession):
    """``tf.Session(target='', graph=None, config=None)``.

    Runs the graph (the default graph unless ``graph`` is given) in this process, on the
    CPU with numpy and on NVIDIA GPUs with cupy. Variable values live in the session.
    """

    @staticmethod
    def reset(target, containers=None, config=None):
        return None


class InteractiveSession(BaseSession):
    """A Session that makes itself the default session when created (for shells/notebooks)."""

    _active_session_count = 0

    def __init__(self, target="", graph=None, config=None):
        super().__init__(target, graph, config)
        self._explicitly_closed = False
        self._ctx = _default_session(self)
        self._ctx.__enter__()

    def close(self):
        if not self._closed:
            super().close()
            try:
                self._ctx.__exit__(None, None, None)
            except Exception:  # noqa: BLE001 - already popped
                pass
