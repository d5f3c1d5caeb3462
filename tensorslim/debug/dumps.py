"""Debug dumps: every intermediate tensor of one ``Session.run``, in execution order.

:func:`watched_run` runs fetches like ``Session.run`` does (same plan compiler, same
kernels, same per-session state) but wraps each step's kernel so that its outputs are
copied to the host as they are produced. The result is a :class:`DebugDumpDir` (TF's name:
TF writes dumps to a directory; here they stay in memory unless
:meth:`DebugDumpDir.save` writes them, as ``DumpingDebugWrapperSession`` does).

Normal runs are untouched: the executor knows nothing about debugging.
"""
import json
import linecache
import os
import re
import time

import numpy as np

from tensorslim.core import executor
from tensorslim.core import session as _session
from tensorslim.core.executor import DEAD, VarRef
from tensorslim.core.graph import Operation

__all__ = ["DebugTensorDatum", "DebugDumpDir", "WatchOptions", "watched_run",
           "has_inf_or_nan"]

DEBUG_OP = "DebugIdentity"


def has_inf_or_nan(datum, tensor):
    """The tensor filter flagging tensors that contain an infinity or a NaN.

    Args:
      datum: the :class:`DebugTensorDatum` (unused; filters receive it).
      tensor: the dumped value (a numpy array), or None for an uninitialized value.

    Returns:
      True for floating-point or complex tensors with any inf or nan element.
    """
    del datum  # the value alone decides
    if tensor is None:
        return False
    arr = np.asarray(tensor) if not hasattr(tensor, "dtype") else tensor
    if not (np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype,
                                                                    np.complexfloating)):
        return False
    return bool(np.any(~np.isfinite(arr)))


class WatchOptions:
    """Which tensors a debug run dumps (all by default).

    Args:
      debug_ops: accepted for compatibility (``"DebugIdentity"`` is the only debug op).
      node_name_regex_whitelist: dump only nodes whose name matches this regex.
      op_type_regex_whitelist: dump only ops whose type matches this regex.
      tensor_dtype_regex_whitelist: dump only tensors whose dtype name matches this regex.
      tolerate_debug_op_creation_failures: accepted for compatibility.
    """

    def __init__(self, debug_ops=None, node_name_regex_whitelist=None,
                 op_type_regex_whitelist=None, tensor_dtype_regex_whitelist=None,
                 tolerate_debug_op_creation_failures=False):
        self.debug_ops = debug_ops or [DEBUG_OP]
        self.node_name_regex_whitelist = node_name_regex_whitelist
        self.op_type_regex_whitelist = op_type_regex_whitelist
        self.tensor_dtype_regex_whitelist = tensor_dtype_regex_whitelist
        self.tolerate_debug_op_creation_failures = tolerate_debug_op_creation_failures

    def watches(self, op, slot):
        """Whether output ``slot`` of ``op`` is dumped."""
        if self.node_name_regex_whitelist and \
                not re.match(self.node_name_regex_whitelist, op.name):
            return False
        if self.op_type_regex_whitelist and not re.match(self.op_type_regex_whitelist, op.type):
            return False
        if self.tensor_dtype_regex_whitelist and not re.match(
                self.tensor_dtype_regex_whitelist, op._outputs[slot].dtype.base_dtype.name):
            return False
        return True


class DebugTensorDatum:
    """One dumped tensor: which node and output slot, when, where, and its value.

    Attributes:
      node_name: the op's name.
      output_slot: the output index.
      debug_op: always ``"DebugIdentity"``.
      device_name: the canonical name of the device the op ran on.
      timestamp: when the value was produced, in microseconds since the epoch.
      dump_size_bytes: the value's size in bytes.
      file_path: the ``.npy`` file holding the value, for dumps saved to disk (else None).
    """

    def __init__(self, node_name, output_slot, device_name, timestamp, value,
                 debug_op=DEBUG_OP, file_path=None, dump_size_bytes=None):
        self.node_name = node_name
        self.output_slot = output_slot
        self.debug_op = debug_op
        self.device_name = device_name
        self.timestamp = timestamp
        self._value = value
        self.file_path = file_path
        self.dump_size_bytes = dump_size_bytes if dump_size_bytes is not None else \
            int(getattr(value, "nbytes", 0))

    @property
    def tensor_name(self):
        """``node_name:output_slot``."""
        return "%s:%d" % (self.node_name, self.output_slot)

    @property
    def watch_key(self):
        """``node_name:output_slot:debug_op``."""
        return "%s:%s" % (self.tensor_name, self.debug_op)

    def get_tensor(self):
        """The dumped value (a numpy array; None for an uninitialized variable)."""
        if self._value is None and self.file_path is not None:
            return np.load(self.file_path, allow_pickle=True)
        return self._value

    def __repr__(self):
        return "{DebugTensorDatum (%s) %s:%d @ %d}" % (self.device_name, self.node_name,
                                                       self.output_slot, self.timestamp)


class _NodeInfo:
    """What a dump keeps about one node of the run's graph."""

    __slots__ = ("name", "op_type", "device", "inputs", "control_inputs", "recipients",
                 "control_recipients", "traceback", "attrs")

    @classmethod
    def from_op(cls, op, device_name):
        info = cls()
        info.name = op.name
        info.op_type = op.type
        info.device = device_name
        info.inputs = [t.name if t.value_index else t.op.name for t in op._inputs]
        info.control_inputs = [c.name for c in op._control_inputs]
        consumers = []
        for t in op._outputs:
            for c in t._consumers:
                if c.name not in consumers:
                    consumers.append(c.name)
        info.recipients = consumers
        info.control_recipients = [c.name for c in op._control_outputs]
        info.traceback = [tuple(loc) for loc in op.traceback if loc]
        info.attrs = {k: _attr_text(v) for k, v in op._attrs.items()
                      if not k.startswith("_")}
        return info

    def to_json(self):
        return {k: getattr(self, k) for k in self.__slots__}

    @classmethod
    def from_json(cls, data):
        info = cls()
        for k in cls.__slots__:
            setattr(info, k, data.get(k))
        info.traceback = [tuple(loc) for loc in info.traceback or []]
        return info


def _attr_text(value):
    if isinstance(value, np.ndarray):
        text = np.array2string(value, threshold=10)
        return text if len(text) < 200 else text[:197] + "..."
    return str(value)


class DebugDumpDir:
    """The dumped tensors of one run and the graph they came from (TF's ``DebugDumpDir``).

    Built by :func:`watched_run`, or loaded with ``DebugDumpDir(dump_root)`` from a directory
    written by :meth:`save` (``DumpingDebugWrapperSession`` writes one per run).

    Args:
      dump_root: a directory written by :meth:`save`.

    Raises:
      IOError: ``dump_root`` holds no dump.
    """

    def __init__(self, dump_root=None, partition_graphs=None, validate=True):
        self._dump_root = dump_root
        self._data = []
        self._nodes = {}
        self.run_fetches_info = []
        self.run_feed_keys_info = []
        self.run_call_count = 0
        if dump_root is not None:
            self._load(dump_root)

    # -- building
    def _add_node(self, op, device_name):
        if op.name not in self._nodes:
            self._nodes[op.name] = _NodeInfo.from_op(op, device_name)

    def _add(self, datum):
        self._data.append(datum)

    # -- saving and loading
    def save(self, dump_root):
        """Writes the dump to ``dump_root`` (``index.json`` and one ``.npy`` per tensor)."""
        os.makedirs(dump_root, exist_ok=True)
        entries = []
        for i, d in enumerate(self._data):
            rel = "tensor_%05d.npy" % i
            value = d.get_tensor()
            if value is not None:
                np.save(os.path.join(dump_root, rel), np.asarray(value), allow_pickle=True)
            entries.append({"node_name": d.node_name, "output_slot": d.output_slot,
                            "debug_op": d.debug_op, "device_name": d.device_name,
                            "timestamp": d.timestamp, "dump_size_bytes": d.dump_size_bytes,
                            "file": rel if value is not None else None})
        index = {"fetches": self.run_fetches_info, "feeds": self.run_feed_keys_info,
                 "run_call_count": self.run_call_count, "tensors": entries,
                 "nodes": [n.to_json() for n in self._nodes.values()]}
        with open(os.path.join(dump_root, "index.json"), "w") as f:
            json.dump(index, f)
        self._dump_root = dump_root

    def _load(self, dump_root):
        path = os.path.join(dump_root, "index.json")
        if not os.path.exists(path):
            raise IOError("Dump root directory %s does not hold a tensorslim debug dump "
                          "(no index.json)." % dump_root)
        with open(path) as f:
            index = json.load(f)
        self.run_fetches_info = index.get("fetches", [])
        self.run_feed_keys_info = index.get("feeds", [])
        self.run_call_count = index.get("run_call_count", 0)
        for n in index.get("nodes", []):
            info = _NodeInfo.from_json(n)
            self._nodes[info.name] = info
        for e in index.get("tensors", []):
            file_path = os.path.join(dump_root, e["file"]) if e.get("file") else None
            self._data.append(DebugTensorDatum(
                e["node_name"], e["output_slot"], e["device_name"], e["timestamp"], None,
                e.get("debug_op", DEBUG_OP), file_path, e.get("dump_size_bytes", 0)))

    # -- tensors
    @property
    def dump_root(self):
        return self._dump_root

    @property
    def dumped_tensor_data(self):
        """Every :class:`DebugTensorDatum`, in execution order."""
        return list(self._data)

    @property
    def size(self):
        """The number of dumped tensors."""
        return len(self._data)

    @property
    def t0(self):
        """The first dump's timestamp (microseconds), or None for an empty dump."""
        return min(d.timestamp for d in self._data) if self._data else None

    def devices(self):
        return sorted({n.device for n in self._nodes.values() if n.device})

    def loaded_partition_graphs(self):
        return bool(self._nodes)

    def _matching(self, node_name, output_slot=None, debug_op=DEBUG_OP):
        return [d for d in self._data if d.node_name == node_name and
                (output_slot is None or d.output_slot == output_slot) and
                (debug_op is None or d.debug_op == debug_op)]

    def get_tensors(self, node_name, output_slot, debug_op=DEBUG_OP, device_name=None):
        """The values dumped for ``node_name:output_slot`` (several if it ran several times).

        Raises:
          WatchKeyDoesNotExistInDebugDumpDirError: nothing was dumped for it.
        """
        data = self._matching(node_name, output_slot, debug_op)
        if not data:
            raise WatchKeyDoesNotExistInDebugDumpDirError(
                "Watch key \"%s:%d:%s\" does not exist in the debug dump"
                % (node_name, output_slot, debug_op))
        return [d.get_tensor() for d in data]

    def get_rel_timestamps(self, node_name, output_slot, debug_op=DEBUG_OP, device_name=None):
        t0 = self.t0
        return [d.timestamp - t0 for d in self._matching(node_name, output_slot, debug_op)]

    def get_dump_sizes_bytes(self, node_name, output_slot, debug_op=DEBUG_OP,
                             device_name=None):
        return [d.dump_size_bytes for d in self._matching(node_name, output_slot, debug_op)]

    def watch_key_to_data(self, debug_watch_key, device_name=None):
        """The data of a watch key ``node:slot:debug_op`` (an empty list if none)."""
        node_slot, _, debug_op = debug_watch_key.rpartition(":")
        node, _, slot = node_slot.rpartition(":")
        return self._matching(node, int(slot), debug_op)

    def debug_watch_keys(self, node_name, device_name=None):
        keys = []
        for d in self._matching(node_name, None, None):
            if d.watch_key not in keys:
                keys.append(d.watch_key)
        return keys

    def find(self, predicate, first_n=0, device_name=None, exclude_node_names=None):
        """The data whose value passes ``predicate(datum, tensor)``, in execution order.

        Args:
          predicate: a filter such as :func:`has_inf_or_nan`.
          first_n: stop after this many (0: no limit).
          device_name: only data from this device.
          exclude_node_names: a regex of node names to skip.
        """
        exclude = re.compile(exclude_node_names) if exclude_node_names else None
        found = []
        for d in self._data:
            if device_name is not None and d.device_name != device_name:
                continue
            if exclude is not None and exclude.match(d.node_name):
                continue
            if predicate(d, d.get_tensor()):
                found.append(d)
                if first_n and len(found) >= first_n:
                    break
        return found

    # -- the graph
    def _node(self, node_name):
        try:
            return self._nodes[node_name]
        except KeyError:
            raise ValueError("None of the partition graphs contains node named \"%s\"."
                             % node_name) from None

    def nodes(self, device_name=None):
        return [n for n, info in self._nodes.items()
                if device_name is None or info.device == device_name]

    def node_exists(self, node_name, device_name=None):
        return node_name in self._nodes

    def node_op_type(self, node_name, device_name=None):
        return self._node(node_name).op_type

    def node_device(self, node_name):
        return self._node(node_name).device

    def node_attributes(self, node_name, device_name=None):
        return dict(self._node(node_name).attrs)

    def node_inputs(self, node_name, is_control=False, device_name=None):
        info = self._node(node_name)
        return list(info.control_inputs if is_control else info.inputs)

    def node_recipients(self, node_name, is_control=False, device_name=None):
        info = self._node(node_name)
        return list(info.control_recipients if is_control else info.recipients)

    def node_traceback(self, element_name):
        """``[(file, line, function, source text), ...]`` where the op was created."""
        name = element_name.split(":")[0] if ":" in element_name and \
            element_name.split(":")[0] in self._nodes else element_name
        out = []
        for loc in self._node(name).traceback:
            filename, lineno, func = loc[:3]
            out.append((filename, lineno, func, linecache.getline(filename, lineno).strip()))
        return out

    def transitive_inputs(self, node_name, include_control=True, device_name=None):
        """The names of every node ``node_name`` depends on (within the run's graph)."""
        seen = []
        stack = [node_name]
        while stack:
            info = self._nodes.get(stack.pop())
            if info is None:
                continue
            deps = [i.split(":")[0] for i in info.inputs]
            if include_control:
                deps += info.control_inputs
            for d in deps:
                if d not in seen and d != node_name:
                    seen.append(d)
                    stack.append(d)
        return seen


class WatchKeyDoesNotExistInDebugDumpDirError(ValueError):
    """A tensor that the dump does not hold was asked for."""


# --------------------------------------------------------------------------- running

def _host_value(value, device):
    """A host copy of a kernel output for the dump (None: uninitialized; DEAD: skipped)."""
    if isinstance(value, VarRef):
        if not value.is_initialized():
            return None
        value = value.get()
    if value is DEAD:
        return DEAD
    if hasattr(value, "shape") and not isinstance(value, np.ndarray):
        return device.to_host(value, copy=True)
    try:
        return np.array(value, copy=True)
    except Exception:  # noqa: BLE001 - a handle or other object: dumped as it is
        return value


def _watching_kernel(kernel, op, device, dump, watch):
    n = len(op._outputs)
    slots = [i for i in range(n) if watch is None or watch.watches(op, i)]

    def watched(ctx, *args):
        res = kernel(ctx, *args)
        if not slots:
            return res
        outs = (res,) if n == 1 else tuple(res)
        now = int(time.time() * 1e6)
        for i in slots:
            value = _host_value(outs[i], device)
            if value is DEAD:
                continue
            dump._add(DebugTensorDatum(op.name, i, device.name, now, value))
        return res
    return watched


def watched_run(sess, fetches, feed_dict=None, options=None, run_metadata=None, watch=None):
    """Runs ``fetches`` in ``sess`` as ``sess.run`` does, dumping every intermediate tensor.

    Args:
      sess: a ``tf.Session``.
      fetches, feed_dict, options, run_metadata: as for ``Session.run``.
      watch: an optional :class:`WatchOptions` restricting what is dumped.

    Returns:
      ``(result, dump)``: what ``sess.run`` returns, and a :class:`DebugDumpDir` holding the
      dumped tensors in execution order. If an op fails, the error propagates; the tensors
      dumped before it are in the error's ``debug_dump`` attribute.

    Raises:
      RuntimeError: the session is closed.
      OpError, TypeError, ValueError: as ``Session.run``.
    """
    if sess._closed:
        raise RuntimeError("Attempted to use a closed Session.")
    graph = sess.graph
    mapper = _session._FetchMapper(graph, fetches)
    elements = mapper.elements
    feed_tensors, feed_values = sess._process_feeds(feed_dict) if feed_dict else ((), ())
    fetch_tensors = [e for e in elements if not isinstance(e, Operation)]
    target_ops = [e for e in elements if isinstance(e, Operation)]
    # Unfused, so that every op's output is there to dump.
    plan = sess._compile(fetch_tensors, target_ops, feed_tensors, fuse=False)
    dump = DebugDumpDir()
    dump.run_fetches_info = [e.name for e in elements]
    dump.run_feed_keys_info = [t.name for t in feed_tensors]
    for t in feed_tensors:
        dump._add_node(t.op, sess._host_device().name)
    for step in plan.steps:
        ctx = step[1]
        dump._add_node(ctx.op, ctx.device.name)
    watched = executor.Plan()
    for name in executor.Plan.__slots__:
        setattr(watched, name, getattr(plan, name))
    watched.steps = [(_watching_kernel(step[0], step[1].op, step[1].device, dump, watch),)
                     + tuple(step[1:]) for step in plan.steps]
    timeout = getattr(options, "timeout_in_ms", 0) if options is not None else 0
    timeout = timeout or sess._config.operation_timeout_in_ms
    try:
        if timeout:
            with executor.Deadline(timeout):
                values = watched.run(feed_values)
        else:
            values = watched.run(feed_values)
    except Exception as e:
        e.debug_dump = dump
        raise
    it = iter(values)
    results = [None if isinstance(e, Operation) else _session._to_numpy_result(next(it))
               for e in elements]
    return mapper.rebuild(results), dump
