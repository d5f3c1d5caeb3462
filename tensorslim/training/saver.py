"""``tf.train.Saver``: saves and restores variables in TensorFlow's V2 checkpoint format.

The Saver builds TF's ``save/`` subgraph (so ``as_saver_def()`` and exported meta graphs
name real nodes, and TensorFlow can drive a tensorslim graph's saver and vice versa)::

    save/filename/input  Const "model"
    save/filename        PlaceholderWithDefault
    save/Const           PlaceholderWithDefault        <- filename_tensor_name
    save/SaveV2          SaveV2(save/Const, tensor_names, shape_and_slices, v1, v2, ...)
    save/control_dependency  Identity(save/Const, ^save/SaveV2)  <- save_tensor_name
    save/RestoreV2       RestoreV2 on /device:CPU:0
    save/Assign ...      Assign(var, save/RestoreV2:i), colocated with the variable
    save/restore_all     NoOp(^save/Assign, ...)         <- restore_op_name

``SaveV2`` / ``RestoreV2`` / ``MergeV2Checkpoints`` are registered here (host-only stateful
ops whose kernels use :mod:`tensorslim.io.bundle`), with ``ShardedFilename`` /
``ShardedFilespec``, the file-name ops of TF's sharded savers. ``RestoreV2`` checks every requested
name, dtype and the shapes of the variables its outputs are assigned to before it returns
anything, so a failed restore reports all problems at once and assigns nothing.

Files are written to temporary names and renamed into place; a save writes the bundle and
the ``.meta`` file, then the ``checkpoint`` state file, and only then deletes checkpoints
beyond ``max_to_keep``, so a crash at any moment leaves the state file naming a complete
checkpoint.
"""
import difflib
import logging
import os
import re
import time

import numpy as np

from tensorslim.core import dtypes as _dtypes
from tensorslim.core import errors
from tensorslim.core import graph as _graph
from tensorslim.core.graph import GraphKeys, Tensor
from tensorslim.core.registry import not_differentiable_marker, register_op
from tensorslim.core.tensor_shape import TensorShape, unknown_shape
from tensorslim.io import bundle, gfile
from tensorslim.io import checkpoint_state as _state
from tensorslim.proto import saver_pb2
from tensorslim.training.meta_graph import _prepend as _prepend_name_scope
from tensorslim.training.meta_graph import _strip as _strip_name_scope

__all__ = ["Saver", "BaseSaverBuilder", "BulkSaverBuilder", "SaverDef", "save_v2",
           "restore_v2", "merge_v2_checkpoints", "sharded_filename", "sharded_filespec",
           "meta_graph_filename", "remove_checkpoint", "get_checkpoint_mtimes"]

SaverDef = saver_pb2.SaverDef
_logger = logging.getLogger("tensorslim")
_NO_GRAD = not_differentiable_marker()


# --------------------------------------------------------------------------- ops

def _as_text(value):
    if isinstance(value, np.ndarray):
        value = value.reshape(-1)[0] if value.size == 1 else value.item()
    if isinstance(value, (bytes, np.bytes_)):
        return bytes(value).decode("utf-8")
    return str(value)


def _text_list(values):
    return [_as_text(v) for v in np.asarray(values, dtype=object).reshape(-1)]


def _check_slices(ctx, slices):
    for s in slices:
        if s:
            raise errors.UnimplementedError(
                None, ctx.op, "%s: tensorslim does not save or restore slices of partitioned "
                "variables (shape_and_slices entry %r)" % (ctx.op.type, s))


def _save_v2_kernel(ctx, prefix, tensor_names, shape_and_slices, *tensors):
    prefix = _as_text(prefix)
    names = _text_list(tensor_names)
    slices = _text_list(shape_and_slices)
    if not (len(names) == len(slices) == len(tensors)):
        raise errors.InvalidArgumentError(
            None, ctx.op, "SaveV2: got %d tensor_names, %d shape_and_slices and %d tensors; "
            "they must be equal in number" % (len(names), len(slices), len(tensors)))
    _check_slices(ctx, slices)
    bundle.write_bundle(prefix, [(n, np.asarray(t)) for n, t in zip(names, tensors)])


def _save_v2_shape(op):
    for i, name in ((0, "prefix"), (1, "tensor_names"), (2, "shape_and_slices")):
        rank = op.inputs[i].shape.ndims
        if rank is not None and rank != (0 if i == 0 else 1):
            raise ValueError("Shape must be rank %d but is rank %d for input '%s'"
                             % (0 if i == 0 else 1, rank, name))
    return []


register_op("SaveV2", shape=_save_v2_shape, kernel=_save_v2_kernel, stateful=True,
            host_only=True, grad=_NO_GRAD)


def _assigned_shapes(op, index):
    """``(variable name, static shape, reshaped)`` for the variables output ``index`` of
    RestoreV2 is assigned to, directly or through a Reshape (``Saver(reshape=True)``)."""
    shapes = []
    for consumer in op.outputs[index].consumers():
        if consumer.type == "Reshape" and consumer.inputs[0] is op.outputs[index]:
            for assign in consumer.outputs[0].consumers():
                target = assign.inputs[0]
                if assign.type == "Assign" and target.shape.is_fully_defined():
                    shapes.append((target.op.name, target.shape.as_list(), True))
        elif consumer.type == "Assign" and consumer.inputs[1] is op.outputs[index]:
            target = consumer.inputs[0]
            if target.shape.is_fully_defined() and consumer._attrs.get("validate_shape", True):
                shapes.append((target.op.name, target.shape.as_list(), False))
    return shapes


def _fmt(shape):
    return "[%s]" % ",".join(str(d) for d in shape)


def _restore_v2_kernel(ctx, prefix, tensor_names, shape_and_slices):
    prefix = _as_text(prefix)
    names = _text_list(tensor_names)
    slices = _text_list(shape_and_slices)
    dtypes = ctx.attrs["dtypes"]
    if not (len(names) == len(slices) == len(dtypes)):
        raise errors.InvalidArgumentError(
            None, ctx.op, "RestoreV2: got %d tensor_names, %d shape_and_slices and %d dtypes"
            % (len(names), len(slices), len(dtypes)))
    _check_slices(ctx, slices)
    with bundle.BundleReader(prefix) as reader:
        known = reader.keys()
        shapes = reader.get_variable_to_shape_map()
        kinds = reader.get_variable_to_dtype_map()
        missing, mismatched = [], []
        for i, (name, dtype) in enumerate(zip(names, dtypes)):
            if not reader.has_tensor(name):
                close = difflib.get_close_matches(name, known, n=3)
                hint = " (did you mean %s?)" % ", ".join(repr(c) for c in close) if close \
                    else ""
                missing.append("Key %s not found in checkpoint%s" % (name, hint))
                continue
            stored = kinds[name]
            if stored != dtype.base_dtype:
                mismatched.append("%s: checkpoint has dtype %s, model expects %s"
                                  % (name, getattr(stored, "name", stored), dtype.name))
            for var_name, var_shape, reshaped in _assigned_shapes(ctx.op, i):
                stored_shape = list(shapes[name])
                if reshaped and np.prod(stored_shape) == np.prod(var_shape):
                    continue
                if stored_shape != var_shape:
                    mismatched.append("%s: checkpoint has %s, model has %s (variable %s%s)"
                                      % (name, _fmt(stored_shape), _fmt(var_shape), var_name,
                                         "; reshape=True needs as many elements"
                                         if reshaped else ""))
        if missing:
            extra = ("\nAlso mismatched:\n  " + "\n  ".join(mismatched)) if mismatched else ""
            raise errors.NotFoundError(
                None, ctx.op, "%d of %d tensors to restore are not in checkpoint %s:\n  %s%s"
                % (len(missing), len(names), prefix, "\n  ".join(missing), extra))
        if mismatched:
            raise errors.InvalidArgumentError(
                None, ctx.op, "%d tensors in checkpoint %s do not match the model:\n  %s"
                % (len(mismatched), prefix, "\n  ".join(mismatched)))
        values = tuple(reader.get_tensor(name) for name in names)
    # The executor takes a single output as the value itself, several as a tuple.
    return values[0] if len(values) == 1 else values


def _restore_v2_shape(op):
    for i, name in ((0, "prefix"), (1, "tensor_names"), (2, "shape_and_slices")):
        rank = op.inputs[i].shape.ndims
        if rank is not None and rank != (0 if i == 0 else 1):
            raise ValueError("Shape must be rank %d but is rank %d for input '%s'"
                             % (0 if i == 0 else 1, rank, name))
    return [unknown_shape() for _ in op.outputs]


register_op("RestoreV2", shape=_restore_v2_shape, kernel=_restore_v2_kernel, stateful=True,
            host_only=True, grad=_NO_GRAD)


def _merge_kernel(ctx, checkpoint_prefixes, destination_prefix):
    bundle.merge_bundles(_text_list(checkpoint_prefixes), _as_text(destination_prefix),
                         delete_old_dirs=ctx.attrs.get("delete_old_dirs", True))


register_op("MergeV2Checkpoints", shape=lambda op: [], kernel=_merge_kernel, stateful=True,
            host_only=True, grad=_NO_GRAD)


def _string_scalar(text):
    out = np.empty((), dtype=object)
    out[()] = text.encode("utf-8")
    return out


def _scalar_inputs_shape(op):
    for t in op.inputs:
        if t.shape.ndims not in (None, 0):
            raise ValueError("Shape must be rank 0 but is rank %d" % t.shape.ndims)
    return [TensorShape([])]


register_op("ShardedFilename", shape=_scalar_inputs_shape, host_only=True, grad=_NO_GRAD,
            kernel=lambda ctx, basename, shard, num_shards: _string_scalar(
                "%s-%05d-of-%05d" % (_as_text(basename), int(shard), int(num_shards))))
register_op("ShardedFilespec", shape=_scalar_inputs_shape, host_only=True, grad=_NO_GRAD,
            kernel=lambda ctx, basename, num_shards: _string_scalar(
                "%s-?????-of-%05d" % (_as_text(basename), int(num_shards))))


def sharded_filename(basename, shard, num_shards, name=None):
    """``basename-<shard>-of-<num_shards>`` (5 digits each), as a string Tensor
    (TF's ``ShardedFilename`` op, used by sharded savers)."""
    from tensorslim.core.op_util import apply_op
    inputs = [_graph.convert_to_tensor(basename, dtype=_dtypes.string),
              _graph.convert_to_tensor(shard, dtype=_dtypes.int32),
              _graph.convert_to_tensor(num_shards, dtype=_dtypes.int32)]
    return apply_op("ShardedFilename", inputs, [_dtypes.string], {},
                    name or "ShardedFilename").outputs[0]


def sharded_filespec(basename, num_shards, name=None):
    """``basename-?????-of-<num_shards>``, as a string Tensor (TF's ``ShardedFilespec``)."""
    from tensorslim.core.op_util import apply_op
    inputs = [_graph.convert_to_tensor(basename, dtype=_dtypes.string),
              _graph.convert_to_tensor(num_shards, dtype=_dtypes.int32)]
    return apply_op("ShardedFilespec", inputs, [_dtypes.string], {},
                    name or "ShardedFilespec").outputs[0]


def _string_const(value, name):
    from tensorslim.core.ops import array_ops
    return array_ops.constant(value, dtype=_dtypes.string, name=name)


def _build_io_op(op_type, fixed_inputs, tensors, out_dtypes, attrs, name):
    """Creates ``op_type`` in its own name scope, converting list inputs to Consts named
    after TF's input args (``SaveV2/tensor_names``)."""
    g = _graph.get_default_graph()
    with g.name_scope(name or op_type) as scope:
        inputs = []
        for arg_name, value in fixed_inputs:
            if not isinstance(value, Tensor):
                value = _string_const(value, arg_name)
            inputs.append(value)
        return g.create_op(op_type, inputs + list(tensors), out_dtypes, name=scope,
                           attrs=attrs)


def save_v2(prefix, tensor_names, shape_and_slices, tensors, name=None):
    """Adds a SaveV2 op writing ``tensors`` under ``tensor_names`` to checkpoint ``prefix``.

    Args:
      prefix: a scalar string Tensor (or str), the checkpoint prefix.
      tensor_names: the names (strings) to store the tensors under.
      shape_and_slices: one ``""`` per tensor (slices are not supported).
      tensors: the Tensors (or variable references) to save.
      name: the op's name (default "SaveV2").

    Returns:
      The SaveV2 Operation.
    """
    tensors = [_graph.convert_to_tensor(t, as_ref=True) for t in tensors]
    return _build_io_op("SaveV2", [("prefix", prefix), ("tensor_names", list(tensor_names)),
                                   ("shape_and_slices", list(shape_and_slices))],
                        tensors, [], {"dtypes": [t.dtype.base_dtype for t in tensors]}, name)


def restore_v2(prefix, tensor_names, shape_and_slices, dtypes, name=None):
    """Adds a RestoreV2 op reading ``tensor_names`` from checkpoint ``prefix``.

    Returns:
      The list of restored Tensors, one per name, of the given ``dtypes``.
    """
    dtypes = [_dtypes.as_dtype(d).base_dtype for d in dtypes]
    op = _build_io_op("RestoreV2", [("prefix", prefix), ("tensor_names", list(tensor_names)),
                                    ("shape_and_slices", list(shape_and_slices))],
                      [], dtypes, {"dtypes": dtypes}, name)
    return op.outputs


def merge_v2_checkpoints(checkpoint_prefixes, destination_prefix, delete_old_dirs=True,
                         name=None):
    """Adds a MergeV2Checkpoints op (merges bundles into one multi-shard checkpoint)."""
    return _build_io_op("MergeV2Checkpoints",
                        [("checkpoint_prefixes", list(checkpoint_prefixes)),
                         ("destination_prefix", destination_prefix)], [], [],
                        {"delete_old_dirs": bool(delete_old_dirs)}, name)


# --------------------------------------------------------------------------- file helpers

def meta_graph_filename(checkpoint_filename, meta_graph_suffix="meta"):
    """``model.ckpt-10`` -> ``model.ckpt-10.meta`` (shard suffixes are dropped)."""
    basename = re.sub(r"-[\d\?]+-of-\d+$", "", checkpoint_filename)
    return ".".join([basename, meta_graph_suffix])


def remove_checkpoint(checkpoint_prefix, checkpoint_format_version=SaverDef.V2,
                      meta_graph_suffix="meta"):
    """Deletes a checkpoint's ``.index``, ``.data-*`` and ``.meta`` files (missing ones are
    ignored)."""
    prefix = gfile._path(checkpoint_prefix)
    paths = [prefix + ".index", meta_graph_filename(prefix, meta_graph_suffix)]
    paths += gfile.Glob(prefix + ".data-?????-of-?????")
    if checkpoint_format_version != SaverDef.V2:
        paths.append(prefix)
    for path in paths:
        try:
            gfile.Remove(path)
        except errors.NotFoundError:
            pass


def get_checkpoint_mtimes(checkpoint_prefixes):
    """Modification times (seconds) of the checkpoints' ``.index`` files; checkpoints that
    do not exist are skipped."""
    out = []
    for prefix in checkpoint_prefixes:
        path = gfile._path(prefix) + ".index"
        if os.path.isfile(path):
            out.append(os.stat(path).st_mtime)
        elif os.path.isfile(gfile._path(prefix)):
            out.append(os.stat(gfile._path(prefix)).st_mtime)
    return out


# --------------------------------------------------------------------------- saveables

def _ref_of(var):
    """The reference tensor a saveable is read and assigned through."""
    if isinstance(var, Tensor):
        if not var.dtype.is_ref_dtype:
            raise TypeError("names_to_saveables must be a dict mapping string names to "
                            "Tensors/Variables. Not a variable: %s" % var)
        return var
    if hasattr(var, "_ref"):
        return var._ref()
    raise TypeError("Variable to save is not a Variable: %s" % (var,))


def _op_list_to_dict(var_list):
    """Names (``var.op.name``) to saveables for a list; a dict is checked and copied."""
    if isinstance(var_list, dict):
        for key in var_list:
            if not isinstance(key, str):
                raise TypeError("Keys of var_list must be strings, got %r" % (key,))
        return dict(var_list)
    if not isinstance(var_list, (list, tuple, set)):
        raise TypeError("Variables to save should be passed in a dict or a list: %s"
                        % (var_list,))
    names = {}
    for var in sorted(var_list, key=lambda v: _ref_of(v).op.name) \
            if isinstance(var_list, set) else var_list:
        ref = _ref_of(var)
        if getattr(var, "_save_slice_info", None) is not None:
            raise errors.UnimplementedError(
                None, None, "tensorslim cannot save partitioned variable %s" % ref.op.name)
        name = ref.op.name
        if name in names:
            if _ref_of(names[name]) is ref:
                continue
            raise ValueError("At least two variables have the same name: %s" % name)
        names[name] = var
    return names


def _saveables(names_to_vars):
    """``[(name, ref tensor)]`` sorted by name, each variable at most once."""
    out = []
    seen = {}
    for name in sorted(names_to_vars):
        ref = _ref_of(names_to_vars[name])
        if ref.op in seen:
            raise ValueError("The same saveable will be restored with two names: %s" % name)
        seen[ref.op] = name
        out.append((name, ref))
    return out


def _all_saveable_objects():
    graph = _graph.get_default_graph()
    return graph.get_collection(GraphKeys.GLOBAL_VARIABLES) + \
        graph.get_collection(GraphKeys.SAVEABLE_OBJECTS)


# --------------------------------------------------------------------------- builders

class BaseSaverBuilder:
    """Builds the ``save/`` subgraph of a Saver (``tf.train.BaseSaverBuilder``)."""

    def __init__(self, write_version=SaverDef.V2):
        self._write_version = write_version

    def save_op(self, filename_tensor, saveables):
        """A SaveV2 op writing ``saveables`` (``[(name, ref)]``)."""
        names = [n for n, _ in saveables]
        return save_v2(filename_tensor, names, [""] * len(names),
                       [ref for _, ref in saveables])

    def bulk_restore(self, filename_tensor, saveables, preferred_shard=-1,
                     restore_sequentially=False):
        """One RestoreV2 op on the CPU; returns its outputs."""
        names = [n for n, _ in saveables]
        with _graph.get_default_graph().device("/device:CPU:0"):
            return restore_v2(filename_tensor, names, [""] * len(names),
                              [ref.dtype.base_dtype for _, ref in saveables])

    def _add_save_ops(self, filename_tensor, saveables):
        g = _graph.get_default_graph()
        save = self.save_op(filename_tensor, saveables)
        with g.name_scope("control_dependency") as scope:
            with g.colocate_with(filename_tensor.op), g.control_dependencies([save]):
                return g.create_op("Identity", [filename_tensor], [_dtypes.string],
                                   name=scope, attrs={"T": _dtypes.string}).outputs[0]

    def _add_restore_ops(self, filename_tensor, saveables, restore_sequentially,
                         reshape=False, name="restore_all"):
        from tensorslim.core.ops import array_ops, control_flow_ops, state_ops
        g = _graph.get_default_graph()
        restored = self.bulk_restore(filename_tensor, saveables, -1, restore_sequentially)
        assigns = []
        for (_, ref), value in zip(saveables, restored):
            with g.colocate_with(ref.op):
                if reshape:
                    # As TF: the stored tensor takes the variable's shape (same number of
                    # elements), and the Assign does not validate shapes.
                    shape = ref.shape if ref.shape.is_fully_defined() else \
                        array_ops.shape(ref)
                    value = array_ops.reshape(
                        value, shape.as_list() if isinstance(shape, TensorShape) else shape)
                assigns.append(state_ops.assign(
                    ref, value,
                    validate_shape=not reshape and ref.shape.is_fully_defined()).op)
        return control_flow_ops.group(*assigns, name=name)

    def build(self, names_to_saveables, reshape=False, sharded=False, max_to_keep=5,
              keep_checkpoint_every_n_hours=10000.0, name=None, restore_sequentially=False,
              filename="model"):
        """Adds the save and restore ops; returns the ``SaverDef`` naming them.

        Args:
          names_to_saveables: a dict of checkpoint names to Variables, or a list.
          reshape: restore tensors into variables of another shape with as many elements
            (a Reshape before each Assign).
          sharded: recorded in the SaverDef (all variables live on one host, so there is
            one data shard, as TF writes for a single device).
          restore_sequentially: accepted; like TF's builders, one RestoreV2 op reads
            every tensor.
          max_to_keep, keep_checkpoint_every_n_hours: recorded in the SaverDef.
          name: the name scope (default "save", made unique).
          filename: the default of the filename placeholder.

        Returns:
          A ``SaverDef``.
        """
        from tensorslim.core.ops import array_ops
        saveables = _saveables(_op_list_to_dict(names_to_saveables))
        g = _graph.get_default_graph()
        refs = [ref for _, ref in saveables]
        with _graph.name_scope(name, "save", refs or None):
            with g.name_scope("filename") as scope:
                default = array_ops.constant(filename or "model", dtype=_dtypes.string,
                                             name="input")
                filename_tensor = g.create_op(
                    "PlaceholderWithDefault", [default], [_dtypes.string], name=scope,
                    attrs={"dtype": _dtypes.string, "shape": TensorShape([])}).outputs[0]
            with g.name_scope("Const") as scope:
                filename_tensor = g.create_op(
                    "PlaceholderWithDefault", [filename_tensor], [_dtypes.string],
                    name=scope,
                    attrs={"dtype": _dtypes.string, "shape": TensorShape([])}).outputs[0]
            save_tensor = self._add_save_ops(filename_tensor, saveables)
            restore_op = self._add_restore_ops(filename_tensor, saveables,
                                               restore_sequentially, reshape)
        return SaverDef(filename_tensor_name=filename_tensor.name,
                        save_tensor_name=save_tensor.name, restore_op_name=restore_op.name,
                        max_to_keep=max_to_keep, sharded=bool(sharded),
                        keep_checkpoint_every_n_hours=keep_checkpoint_every_n_hours,
                        version=self._write_version)


class BulkSaverBuilder(BaseSaverBuilder):
    """The default builder: all variables restored by one RestoreV2 op."""


# --------------------------------------------------------------------------- Saver

def _wrap_restore_error(err, verbiage):
    message = ("Restoring from checkpoint failed. This is most likely due to %s from the "
               "checkpoint. Please ensure that you have not altered the graph expected based "
               "on the checkpoint. Original error:\n\n%s" % (verbiage, err.message))
    return type(err)(err.node_def, err.op, message)


class Saver:
    """``tf.train.Saver``: saves and restores variables (TF's V2 checkpoint format).

    Args:
      var_list: the variables to save: a list (stored under ``var.op.name``), a dict of
        checkpoint names to variables, or None for every global variable and saveable.
      reshape: allow restoring a checkpoint tensor into a variable of a different shape
        with the same number of elements.
      sharded: recorded in the SaverDef; one shard is written (TF writes one per device,
        and tensorslim variables live on one host).
      max_to_keep: how many recent checkpoints to keep (None or 0: keep all, and do not
        record them in the state file).
      keep_checkpoint_every_n_hours: additionally keep one checkpoint every N hours.
      name: the name scope of the save ops (default "save").
      restore_sequentially: accepted; TF's builders ignore it too (one RestoreV2 op reads
        every tensor).
      saver_def: a SaverDef (from a meta graph) naming existing save/restore ops.
      builder: a :class:`BaseSaverBuilder`.
      defer_build: build the ops later, with :meth:`build`.
      allow_empty: allow a Saver with no variables (its save and restore do nothing).
      write_version: ``SaverDef.V2`` (the V1 format is not written by tensorslim).
      pad_step_number: name checkpoints ``model-00000010`` instead of ``model-10``.
      save_relative_paths: record paths relative to the directory in the state file.
      filename: the default filename placeholder value.

    Raises:
      ValueError: no variables to save (and not ``allow_empty``), or two variables with the
        same name.
      TypeError: ``var_list`` holds something that is not a variable.
    """

    def __init__(self, var_list=None, reshape=False, sharded=False, max_to_keep=5,
                 keep_checkpoint_every_n_hours=10000.0, name=None, restore_sequentially=False,
                 saver_def=None, builder=None, defer_build=False, allow_empty=False,
                 write_version=SaverDef.V2, pad_step_number=False, save_relative_paths=False,
                 filename=None):
        if defer_build and var_list:
            raise ValueError("If `var_list` is provided then build cannot be deferred. Either "
                             "set defer_build=False or var_list=None.")
        if write_version != SaverDef.V2:
            raise errors.UnimplementedError(
                None, None, "tensorslim writes only the V2 checkpoint format "
                "(write_version=tf.train.SaverDef.V2); got write_version=%r" % write_version)
        self._var_list = var_list
        self._reshape = reshape
        self._sharded = sharded
        self._max_to_keep = max_to_keep
        self._keep_checkpoint_every_n_hours = keep_checkpoint_every_n_hours
        self._name = name
        self._restore_sequentially = restore_sequentially
        self.saver_def = saver_def
        self._builder = builder
        self._is_built = False
        self._allow_empty = allow_empty
        self._is_empty = None
        self._write_version = write_version
        self._pad_step_number = pad_step_number
        self._filename = filename
        self._last_checkpoints = []
        self._checkpoints_to_be_deleted = []
        self._save_relative_paths = save_relative_paths
        self._next_checkpoint_time = time.time() + \
            (keep_checkpoint_every_n_hours or 0) * 3600
        if not defer_build:
            self.build()
        if self.saver_def:
            self._check_saver_def()
            self._write_version = self.saver_def.version

    def build(self):
        """Builds the save and restore ops (once; needed only with ``defer_build``)."""
        if self._is_built:
            return
        self._is_built = True
        if self.saver_def is None:
            if self._builder is None:
                self._builder = BulkSaverBuilder(self._write_version)
            var_list = self._var_list
            if var_list is None:
                var_list = [v for v in _all_saveable_objects() if _is_saveable(v)]
            if not var_list:
                if self._allow_empty:
                    self._is_empty = True
                    return
                raise ValueError("No variables to save")
            self._is_empty = False
            self.saver_def = self._builder.build(
                var_list, reshape=self._reshape, sharded=self._sharded,
                max_to_keep=self._max_to_keep,
                keep_checkpoint_every_n_hours=self._keep_checkpoint_every_n_hours,
                name=self._name, restore_sequentially=self._restore_sequentially,
                filename=self._filename)
        else:
            if self._name:
                d = self.saver_def
                d.filename_tensor_name = _prepend_name_scope(d.filename_tensor_name, self._name)
                d.save_tensor_name = _prepend_name_scope(d.save_tensor_name, self._name)
                d.restore_op_name = _prepend_name_scope(d.restore_op_name, self._name)
            self._is_empty = False
        self._check_saver_def()

    def _check_saver_def(self):
        if not isinstance(self.saver_def, SaverDef):
            raise ValueError("saver_def must be a saver_pb2.SaverDef: %s" % self.saver_def)
        if not self.saver_def.save_tensor_name:
            raise ValueError("saver_def must specify the save_tensor_name: %s"
                             % str(self.saver_def))
        if not self.saver_def.restore_op_name:
            raise ValueError("saver_def must specify the restore_op_name: %s"
                             % str(self.saver_def))

    # -- bookkeeping
    @property
    def last_checkpoints(self):
        """The kept checkpoint prefixes, oldest first."""
        return [p for p, _ in self._last_checkpoints]

    def set_last_checkpoints(self, last_checkpoints):
        """Deprecated: sets the kept checkpoints (their times are set to now)."""
        if not isinstance(last_checkpoints, list):
            raise AssertionError("last_checkpoints must be a list, got %r"
                                 % (last_checkpoints,))
        self._last_checkpoints = [(p, time.time()) for p in last_checkpoints]

    def set_last_checkpoints_with_time(self, last_checkpoints_with_time):
        """Sets the kept checkpoints as ``[(prefix, timestamp)]``, oldest first."""
        if not isinstance(last_checkpoints_with_time, list):
            raise AssertionError("last_checkpoints_with_time must be a list, got %r"
                                 % (last_checkpoints_with_time,))
        self._last_checkpoints = list(last_checkpoints_with_time)

    def recover_last_checkpoints(self, checkpoint_paths):
        """Adopts ``checkpoint_paths`` (e.g. a state file's list) as the kept checkpoints,
        with their files' modification times; missing checkpoints are skipped."""
        with_times = []
        for path in checkpoint_paths:
            mtimes = get_checkpoint_mtimes([path])
            if mtimes:
                with_times.append((path, mtimes[0]))
        self.set_last_checkpoints_with_time(with_times)

    def _record_last_checkpoint(self, latest_save_path):
        if not self.saver_def.max_to_keep:
            return
        self._last_checkpoints = [p for p in self._last_checkpoints
                                  if p[0] != latest_save_path]
        self._last_checkpoints.append((latest_save_path, time.time()))
        while len(self._last_checkpoints) > self.saver_def.max_to_keep:
            self._checkpoints_to_be_deleted.append(self._last_checkpoints.pop(0))

    def _maybe_delete_old_checkpoints(self, meta_graph_suffix="meta"):
        while self._checkpoints_to_be_deleted:
            path, stamp = self._checkpoints_to_be_deleted.pop(0)
            if stamp > self._next_checkpoint_time:
                self._next_checkpoint_time += \
                    self.saver_def.keep_checkpoint_every_n_hours * 3600
                continue
            try:
                remove_checkpoint(path, self.saver_def.version, meta_graph_suffix)
            except errors.OpError as e:
                _logger.warning("Ignoring: %s", e)

    def as_saver_def(self):
        """The ``SaverDef`` naming this Saver's ops."""
        return self.saver_def

    def to_proto(self, export_scope=None):
        """The SaverDef with names relative to ``export_scope``, or None if outside it."""
        if export_scope is None:
            return self.saver_def
        d = self.saver_def
        if not (d.filename_tensor_name.startswith(export_scope) and
                d.save_tensor_name.startswith(export_scope) and
                d.restore_op_name.startswith(export_scope)):
            return None
        out = SaverDef()
        out.CopyFrom(d)
        out.filename_tensor_name = _strip_name_scope(d.filename_tensor_name, export_scope)
        out.save_tensor_name = _strip_name_scope(d.save_tensor_name, export_scope)
        out.restore_op_name = _strip_name_scope(d.restore_op_name, export_scope)
        return out

    @staticmethod
    def from_proto(saver_def, import_scope=None):
        """A Saver driving the ops a SaverDef names (prefixed with ``import_scope``)."""
        return Saver(saver_def=saver_def, name=import_scope)

    # -- save / restore
    def save(self, sess, save_path, global_step=None, latest_filename=None,
             meta_graph_suffix="meta", write_meta_graph=True, write_state=True,
             strip_default_attrs=False, save_debug_info=False):
        """Saves the variables to checkpoint ``save_path`` (``save_path-<step>``).

        Writes ``prefix.index`` and ``prefix.data-00000-of-00001``, then ``prefix.meta``
        (unless ``write_meta_graph`` is False), then the ``checkpoint`` state file (unless
        ``write_state`` is False), and finally deletes checkpoints beyond ``max_to_keep``.

        Args:
          sess: the Session holding the variables' values.
          save_path: the checkpoint prefix, e.g. ``"ckpt/model.ckpt"``.
          global_step: an int, or a Tensor/Variable evaluated in ``sess``, appended as
            ``-<step>``.
          latest_filename: the state file's name (default "checkpoint").
          meta_graph_suffix: the meta graph file's suffix.
          write_meta_graph: whether to write ``prefix.meta``.
          write_state: whether to update the state file (and delete old checkpoints).
          strip_default_attrs: write the meta graph without attrs equal to their defaults.
          save_debug_info: not supported (a warning): no GraphDebugInfo is written.

        Returns:
          The checkpoint prefix written, or None for an empty Saver.

        Raises:
          RuntimeError: with ``defer_build``, before :meth:`build`.
          ValueError: ``latest_filename`` has directories or collides with ``save_path``,
            or the parent directory of ``save_path`` does not exist.
          TypeError: ``sess`` is not a Session.
        """
        if not self._is_built:
            raise RuntimeError("`build()` should be called before save if defer_build==True")
        if latest_filename is None:
            latest_filename = "checkpoint"
        if os.path.split(latest_filename)[0]:
            raise ValueError("'latest_filename' must not contain path components")
        if not hasattr(sess, "run") or not hasattr(sess, "graph"):
            raise TypeError("'sess' must be a Session; %s" % (sess,))
        save_path = gfile._path(save_path)
        if global_step is not None:
            if not isinstance(global_step, (int, np.integer)):
                global_step = int(sess.run(global_step))
            if self._pad_step_number:
                checkpoint_file = "%s-%s" % (save_path, "{:08d}".format(global_step))
            else:
                checkpoint_file = "%s-%d" % (save_path, global_step)
        else:
            checkpoint_file = save_path
            if os.path.basename(save_path) == latest_filename and not self._sharded:
                raise ValueError("'latest_filename' collides with 'save_path': '%s' and '%s'"
                                 % (latest_filename, save_path))
        save_path_parent = os.path.dirname(save_path)
        model_checkpoint_path = None
        if not self._is_empty:
            try:
                model_checkpoint_path = _as_text(sess.run(
                    self.saver_def.save_tensor_name,
                    {self.saver_def.filename_tensor_name: checkpoint_file}))
            except (errors.FailedPreconditionError, errors.NotFoundError) as exc:
                if save_path_parent and not gfile.IsDirectory(save_path_parent):
                    raise ValueError("Parent directory of %s doesn't exist, can't save."
                                     % save_path) from exc
                raise
        if write_meta_graph:
            with sess.graph.as_default():
                self.export_meta_graph(meta_graph_filename(checkpoint_file, meta_graph_suffix),
                                       strip_default_attrs=strip_default_attrs,
                                       save_debug_info=save_debug_info)
        if model_checkpoint_path is not None and write_state:
            self._record_last_checkpoint(model_checkpoint_path)
            _state.update_checkpoint_state(
                save_path_parent, model_checkpoint_path, self.last_checkpoints,
                latest_filename=latest_filename, save_relative_paths=self._save_relative_paths)
            self._maybe_delete_old_checkpoints(meta_graph_suffix)
        return model_checkpoint_path

    def restore(self, sess, save_path):
        """Restores the variables from checkpoint ``save_path`` (no initializer needed).

        Every name, dtype and shape is checked before any variable is assigned; all
        problems are reported in one error.

        Raises:
          ValueError: ``save_path`` is None or names no checkpoint.
          NotFoundError: variables missing from the checkpoint (all listed, with close
            matches).
          InvalidArgumentError: shapes or dtypes that differ between checkpoint and model.
        """
        if self._is_empty:
            return
        if save_path is None:
            raise ValueError("Can't load save_path when it is None.")
        prefix = gfile._path(save_path)
        if not _state.checkpoint_exists(prefix):
            raise ValueError("The passed save_path is not a valid checkpoint: " + prefix)
        _logger.info("Restoring parameters from %s", prefix)
        try:
            sess.run(self.saver_def.restore_op_name,
                     {self.saver_def.filename_tensor_name: prefix})
        except errors.NotFoundError as err:
            raise _wrap_restore_error(err, "a Variable name or other graph key that is "
                                           "missing") from None
        except errors.InvalidArgumentError as err:
            raise _wrap_restore_error(err, "a mismatch between the current graph and the "
                                           "graph") from None

    def export_meta_graph(self, filename=None, collection_list=None, as_text=False,
                          export_scope=None, clear_devices=False,
                          clear_extraneous_savers=False, strip_default_attrs=False,
                          save_debug_info=False):
        """Writes (and returns) a MetaGraphDef of the default graph with this SaverDef."""
        from tensorslim.training import meta_graph
        return meta_graph.export_meta_graph(
            filename=filename,
            graph_def=_graph.get_default_graph().as_graph_def(add_shapes=True),
            saver_def=self.saver_def, collection_list=collection_list, as_text=as_text,
            export_scope=export_scope, clear_devices=clear_devices,
            clear_extraneous_savers=clear_extraneous_savers,
            strip_default_attrs=strip_default_attrs, save_debug_info=save_debug_info)


def _is_saveable(v):
    try:
        _ref_of(v)
    except TypeError:
        return False
    return True
