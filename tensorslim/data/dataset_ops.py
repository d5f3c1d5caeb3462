"""``tf.data.Dataset`` (TF1's ``DatasetV1``) and the reader datasets, as graph ops.

Building a dataset adds ops to the default graph, as in TF1's graph mode: every
transformation is one op (``TensorSliceDataset``, ``MapDataset``, ``BatchDatasetV2`` ...,
with TF's op types and attr names) whose output is a scalar ``variant`` tensor. Its value
in a session is a host-side dataset value (:mod:`tensorslim.data.dataset_runtime`);
iterators (:mod:`tensorslim.data.iterator_ops`) turn it into elements.

The Python :class:`Dataset` object keeps that tensor and the element structure: nested
tuples/dicts of components, each with a dtype and a static shape (``output_types``,
``output_shapes``, ``output_classes``). Functions given to ``map``, ``filter``,
``flat_map`` and ``interleave`` are traced into graph ops once
(:mod:`tensorslim.data.dataset_function`).
"""
import itertools
import threading
import weakref

import numpy as np

from tensorslim.core import dtypes as _dtypes
from tensorslim.core import errors
from tensorslim.core import random_seed
from tensorslim.core.graph import Tensor, convert_to_tensor, name_scope
from tensorslim.core.op_util import apply_op, constant_value
from tensorslim.core.registry import not_differentiable_marker, register_op
from tensorslim.core.tensor_shape import TensorShape, as_shape, unknown_shape
from tensorslim.data import dataset_runtime as runtime
from tensorslim.data import dataset_structure as structure
from tensorslim.data.dataset_function import StructuredFunction, get_function, keep_alive
from tensorslim.data.dataset_structure import ComponentSpec
from tensorslim.proto import attr_value_pb2

__all__ = ["Dataset", "DatasetV1", "TFRecordDataset", "TextLineDataset",
           "FixedLengthRecordDataset", "AUTOTUNE", "get_output_types", "get_output_shapes",
           "get_output_classes"]

AUTOTUNE = runtime.AUTOTUNE
_NO_GRAD = not_differentiable_marker()
_DEFAULT_READER_BUFFER_SIZE_BYTES = 256 * 1024


# --------------------------------------------------------------------------- shape functions

def _scalar_variant(op):
    return [TensorShape([])]


def _check_rank(op, index, rank, what):
    shape = op.inputs[index].shape
    if shape.ndims is not None and shape.ndims != rank:
        raise ValueError("Shape must be rank %d but is rank %d (input '%s')"
                         % (rank, shape.ndims, what))


def _scalar_inputs(*names, first=1):
    """A shape function checking that inputs ``first``.. are scalars named ``names``."""
    def shape_fn(op):
        for i, n in enumerate(names):
            _check_rank(op, first + i, 0, n)
        return [TensorShape([])]
    return shape_fn


def _trailing_scalars(*names):
    """As :func:`_scalar_inputs` for the last ``len(names)`` inputs (after captures)."""
    def shape_fn(op):
        base = len(op.inputs) - len(names)
        for i, n in enumerate(names):
            _check_rank(op, base + i, 0, n)
        return [TensorShape([])]
    return shape_fn


def _tensor_slice_shape(op):
    first = None
    for t in op.inputs:
        s = t.shape
        if s.ndims == 0:
            raise ValueError("Shape must be at least rank 1 but is rank 0")
        if s.ndims is not None:
            d = s.as_list()[0]
            if d is not None:
                if first is not None and d != first:
                    raise ValueError("Dimensions must be equal, but are %d and %d" % (first, d))
                first = d
    return [TensorShape([])]


def _file_dataset_shape(op):
    s = op.inputs[0].shape
    if s.ndims is not None and s.ndims > 1:
        raise ValueError("Shape must be at most rank 1 but is rank %d (input 'filenames')"
                         % s.ndims)
    for t in op.inputs[1:]:
        if t.shape.ndims not in (None, 0):
            raise ValueError("Shape must be rank 0 but is rank %d" % t.shape.ndims)
    return [TensorShape([])]


# --------------------------------------------------------------------------- kernels

def _scalar(value):
    v = np.asarray(value)
    v = v[()] if v.ndim == 0 else v
    if isinstance(v, bytes):
        return v
    return v.item() if isinstance(v, np.generic) else v


def _fn(ctx, attr):
    return get_function(ctx.attrs[attr].name)


def _map_kernel(ctx, input_value, *captured):
    return runtime.MapValue(input_value, _fn(ctx, "f"), captured)


def _parallel_map_kernel(ctx, input_value, *rest):
    return runtime.MapValue(input_value, _fn(ctx, "f"), rest[:-1], int(_scalar(rest[-1])))


def _filter_kernel(ctx, input_value, *captured):
    return runtime.FilterValue(input_value, _fn(ctx, "predicate"), captured)


def _flat_map_kernel(ctx, input_value, *captured):
    return runtime.InterleaveValue(input_value, _fn(ctx, "f"), captured, 1, 1, op=ctx.op)


def _interleave_kernel(ctx, input_value, *rest):
    cycle, block = int(_scalar(rest[-2])), int(_scalar(rest[-1]))
    return runtime.InterleaveValue(input_value, _fn(ctx, "f"), rest[:-2], cycle, block,
                                   op=ctx.op)


def _parallel_interleave_kernel(ctx, input_value, *rest):
    cycle, block, n = (int(_scalar(v)) for v in rest[-3:])
    return runtime.InterleaveValue(input_value, _fn(ctx, "f"), rest[:-3], cycle, block, n,
                                   op=ctx.op)


def _padded_batch_kernel(ctx, input_value, batch_size, *rest):
    n = ctx.attrs["N"]
    shapes = [np.asarray(s).reshape(-1).tolist() for s in rest[:n]]
    return runtime.PaddedBatchValue(input_value, int(_scalar(batch_size)), shapes,
                                    list(rest[n:2 * n]), bool(_scalar(rest[2 * n])), ctx.op)


def _generator_kernel(ctx, *args):
    entry = _generators.get(ctx.attrs["next_func"].name)
    if entry is None:
        raise errors.NotFoundError(None, ctx.op, "The generator of this from_generator dataset "
                                   "is not defined in this process.")
    generator, template = entry.generator, entry.template
    specs = [ComponentSpec(t, s) for t, s in zip(ctx.attrs["output_types"],
                                                 ctx.attrs["output_shapes"])]
    py_args = [a[()] if a.ndim == 0 else a for a in args]
    return runtime.GeneratorValue(generator, py_args, specs, template, ctx.op)


def _register(op_type, kernel, shape=_scalar_variant):
    register_op(op_type, shape=shape, kernel=kernel, host_only=True, grad=_NO_GRAD)


_register("TensorDataset", lambda ctx, *c: runtime.TensorValue(c))
_register("TensorSliceDataset", lambda ctx, *c: runtime.TensorSliceValue(c, ctx.op),
          _tensor_slice_shape)
_register("RangeDataset", lambda ctx, a, b, c: runtime.RangeValue(
    int(_scalar(a)), int(_scalar(b)), int(_scalar(c)), ctx.op),
    _scalar_inputs("start", "stop", "step", first=0))
_register("ZipDataset", lambda ctx, *ds: runtime.ZipValue(ds))
_register("ConcatenateDataset", lambda ctx, a, b: runtime.ConcatenateValue(a, b))
_register("MapDataset", _map_kernel)
_register("ParallelMapDataset", _parallel_map_kernel, _trailing_scalars("num_parallel_calls"))
_register("FilterDataset", _filter_kernel)
_register("FlatMapDataset", _flat_map_kernel)
_register("InterleaveDataset", _interleave_kernel,
          _trailing_scalars("cycle_length", "block_length"))
_register("ParallelInterleaveDatasetV2", _parallel_interleave_kernel,
          _trailing_scalars("cycle_length", "block_length", "num_parallel_calls"))
_register("ShuffleDataset", lambda ctx, d, n, s, s2: runtime.ShuffleValue(
    d, int(_scalar(n)), int(_scalar(s)), int(_scalar(s2)),
    ctx.attrs.get("reshuffle_each_iteration", True), ctx.op),
    _scalar_inputs("buffer_size", "seed", "seed2"))
_register("BatchDatasetV2", lambda ctx, d, n, drop: runtime.BatchValue(
    d, int(_scalar(n)), bool(_scalar(drop)), ctx.op),
    _scalar_inputs("batch_size", "drop_remainder"))
_register("PaddedBatchDatasetV2", _padded_batch_kernel)
_register("RepeatDataset", lambda ctx, d, n: runtime.RepeatValue(d, int(_scalar(n))),
          _scalar_inputs("count"))
_register("TakeDataset", lambda ctx, d, n: runtime.TakeValue(d, int(_scalar(n))),
          _scalar_inputs("count"))
_register("SkipDataset", lambda ctx, d, n: runtime.SkipValue(d, int(_scalar(n))),
          _scalar_inputs("count"))
_register("ShardDataset", lambda ctx, d, n, i: runtime.ShardValue(
    d, int(_scalar(n)), int(_scalar(i)), ctx.op), _scalar_inputs("num_shards", "index"))
_register("PrefetchDataset", lambda ctx, d, n: runtime.PrefetchValue(d, int(_scalar(n))),
          _scalar_inputs("buffer_size"))
_register("CacheDataset", lambda ctx, d, f: runtime.CacheValue(
    d, _scalar(f).decode("utf-8") if isinstance(_scalar(f), bytes) else str(_scalar(f))),
    _scalar_inputs("filename"))
_register("IgnoreErrorsDataset", lambda ctx, d: runtime.IgnoreErrorsValue(d))
_register("UnbatchDataset", lambda ctx, d: runtime.UnbatchValue(d, ctx.op))
_register("GeneratorDataset", _generator_kernel)
_register("TFRecordDataset", lambda ctx, f, c, b: runtime.tfrecord_value(
    f, _scalar(c), int(_scalar(b)), ctx.op), _file_dataset_shape)
_register("TextLineDataset", lambda ctx, f, c, b: runtime.text_line_value(
    f, _scalar(c), ctx.op), _file_dataset_shape)
_register("FixedLengthRecordDatasetV2", lambda ctx, f, h, r, ft, b, c: runtime.fixed_length_value(
    f, int(_scalar(h)), int(_scalar(r)), int(_scalar(ft)), _scalar(c), ctx.op),
    _file_dataset_shape)


# --------------------------------------------------------------------------- helpers

class _Generator:
    """A from_generator callable and its element structure (held by the graph)."""

    def __init__(self, generator, template):
        self.generator = generator
        self.template = template


_generators = weakref.WeakValueDictionary()
_generator_ids = itertools.count()
_generator_lock = threading.Lock()


def _int64(value, name):
    return convert_to_tensor(value, dtype=_dtypes.int64, name=name)


def _spec_attrs(specs, types_key="output_types"):
    flat = structure.flatten(specs)
    return {types_key: [s.dtype for s in flat], "output_shapes": [s.shape for s in flat]}


def _normalize_element(element):
    """Converts the leaves of an element structure to tensors (lists are values)."""
    if isinstance(element, Dataset):
        raise TypeError("A Dataset cannot be a component of a dataset element.")
    with name_scope("tensors"):
        flat = structure.flatten(element)
        tensors = []
        for i, leaf in enumerate(flat):
            if hasattr(leaf, "_fetch_components"):
                raise TypeError("tensorslim's tf.data does not support SparseTensor "
                                "components; densify them first.")
            tensors.append(convert_to_tensor(leaf, name="component_%d" % i))
    return structure.pack_sequence_as(element, tensors)


def _most_specific_compatible(a, b):
    if a.ndims is None or b.ndims is None or a.ndims != b.ndims:
        return unknown_shape()
    return TensorShape([x if x == y else None for x, y in zip(a.as_list(), b.as_list())])


def _check_no_capture_by_value(variant):
    """ValueError as TF1's make_one_shot_iterator: placeholders/variables can't be captured."""
    seen = set()
    stack = [variant.op]
    while stack:
        op = stack.pop()
        if op in seen:
            continue
        seen.add(op)
        if op.type in ("Placeholder", "PlaceholderV2"):
            raise ValueError("Cannot capture a placeholder (name:%s, type:%s) by value. A "
                             "one-shot iterator cannot be parameterized: use "
                             "make_initializable_iterator() and feed the placeholder when "
                             "running its initializer." % (op.name, op.type))
        if op.type in ("VariableV2", "Variable", "VarHandleOp"):
            raise ValueError("Cannot capture a stateful node (name:%s, type:%s) by value."
                             % (op.name, op.type))
        stack.extend(t.op for t in op.inputs)
        stack.extend(op.control_inputs)


# --------------------------------------------------------------------------- Dataset

class Dataset(structure._ElementSpecMixin):
    """A sequence of elements, each a nested structure of tensors (``tf.data.Dataset``).

    Datasets are built with the static constructors (:meth:`from_tensor_slices`,
    :meth:`range`, the reader classes ...) and transformed with methods that return new
    datasets; elements are read through an iterator (:meth:`make_one_shot_iterator`,
    :meth:`make_initializable_iterator`).
    """

    def __init__(self, variant_tensor, element_spec):
        self._variant_tensor = variant_tensor
        self._element_spec = element_spec

    # -- structure (output_types, output_shapes, output_classes, element_spec: the mixin's)
    def __repr__(self):
        return "<%s shapes: %s, types: %s>" % (
            type(self).__name__, structure.structure_str(self.output_shapes),
            structure.structure_str(self.output_types))

    def __iter__(self):
        """Iterates the elements as EagerTensors (only under eager execution).

        Raises:
          RuntimeError: in graph mode (use an iterator and ``get_next()`` in a Session).
        """
        value = getattr(self._variant_tensor, "_value", None)
        if not isinstance(value, runtime.DatasetValue):
            raise RuntimeError("dataset.__iter__() is only supported when eager execution is "
                               "enabled. Use dataset.make_one_shot_iterator() (or "
                               "make_initializable_iterator()) and get_next() in a Session.")
        return self._eager_elements(value)

    def _eager_elements(self, value):
        from tensorslim.core.ops import array_ops
        env = runtime.IterationEnv(self._variant_tensor.graph._runtime_session())
        try:
            for element in value.make_iterator(env):
                yield structure.pack_sequence_as(self._element_spec,
                                                 [array_ops.constant(c) for c in element])
        finally:
            env.close()

    def _op(self, op_type, extra_inputs, specs, attrs=None, name=None, types_key="output_types"):
        attrs = dict(attrs or {})
        attrs.update(_spec_attrs(specs, types_key))
        op = apply_op(op_type, [self._variant_tensor] + list(extra_inputs), [_dtypes.variant],
                      attrs=attrs, name=name or op_type)
        return Dataset(op.outputs[0], specs)

    # -- sources
    @staticmethod
    def from_tensors(tensors):
        """A dataset with the single element ``tensors`` (a nested structure).

        Args:
          tensors: a tensor, or a nested tuple/dict of tensor-likes.

        Returns:
          A Dataset.
        """
        element = _normalize_element(tensors)
        flat = structure.flatten(element)
        specs = structure.pack_sequence_as(element, [ComponentSpec(t.dtype, t.shape)
                                                     for t in flat])
        attrs = _spec_attrs(specs, "Toutput_types")
        op = apply_op("TensorDataset", flat, [_dtypes.variant], attrs=attrs,
                      name="TensorDataset")
        return Dataset(op.outputs[0], specs)

    @staticmethod
    def from_tensor_slices(tensors):
        """A dataset of the slices of ``tensors`` along their first dimension.

        Args:
          tensors: a tensor, or a nested tuple/dict of tensor-likes; every component must
            have rank >= 1 and the same size in dimension 0.

        Returns:
          A Dataset.

        Raises:
          ValueError: a component is a scalar or the first dimensions differ.
        """
        element = _normalize_element(tensors)
        flat = structure.flatten(element)
        specs = structure.pack_sequence_as(element, [
            ComponentSpec(t.dtype, t.shape[1:] if t.shape.ndims else unknown_shape())
            for t in flat])
        attrs = _spec_attrs(specs, "Toutput_types")
        op = apply_op("TensorSliceDataset", flat, [_dtypes.variant], attrs=attrs,
                      name="TensorSliceDataset")
        return Dataset(op.outputs[0], specs)

    @staticmethod
    def range(*args):  # noqa: A003 - TF's name
        """``range(stop)``, ``range(start, stop)`` or ``range(start, stop, step)`` (int64).

        Raises:
          ValueError: with no or more than three arguments.
        """
        if not 1 <= len(args) <= 3:
            raise ValueError("Invalid arguments to RangeDataset: %s" % (args,))
        start, stop, step = (0, args[0], 1) if len(args) == 1 else \
            (args[0], args[1], 1) if len(args) == 2 else args
        inputs = [_int64(start, "start"), _int64(stop, "stop"), _int64(step, "step")]
        spec = ComponentSpec(_dtypes.int64, TensorShape([]))
        op = apply_op("RangeDataset", inputs, [_dtypes.variant], attrs=_spec_attrs(spec),
                      name="RangeDataset")
        return Dataset(op.outputs[0], spec)

    @staticmethod
    def zip(datasets):  # noqa: A003 - TF's name
        """Zips a nested structure of datasets into one dataset of matching structure.

        Raises:
          TypeError: ``datasets`` is not a nested structure of Datasets.
        """
        flat = structure.flatten(datasets)
        if not flat or not all(isinstance(d, Dataset) for d in flat):
            raise TypeError("The argument to `Dataset.zip()` must be a nested structure of "
                            "`Dataset` objects.")
        specs = structure.pack_sequence_as(datasets, [d._element_spec for d in flat])
        attrs = _spec_attrs(specs)
        attrs["N"] = len(flat)
        op = apply_op("ZipDataset", [d._variant_tensor for d in flat], [_dtypes.variant],
                      attrs=attrs, name="ZipDataset")
        return Dataset(op.outputs[0], specs)

    @staticmethod
    def from_generator(generator, output_types, output_shapes=None, args=None):
        """A dataset whose elements are yielded by ``generator()``.

        Args:
          generator: a callable returning an iterator; called anew for each iteration,
            with ``args`` (as numpy values) when given.
          output_types: the nested structure of DTypes of each element.
          output_shapes: the nested structure of shapes (default: unknown).
          args: tensors whose values are passed to ``generator``.

        Returns:
          A Dataset. An element that does not match the types/shapes makes ``get_next``
          fail with InvalidArgumentError.

        Raises:
          TypeError: ``generator`` is not callable.
        """
        if not callable(generator):
            raise TypeError("`generator` must be callable.")
        specs = structure.specs_from_types_and_shapes(output_types, output_shapes)
        arg_tensors = [convert_to_tensor(a, name="generator_arg") for a in (args or ())]
        entry = _Generator(generator, structure.types_of(specs))
        with _generator_lock:
            token = "from_generator_%d" % next(_generator_ids)
            _generators[token] = entry
        attrs = _spec_attrs(specs)
        attrs.update({"init_func": attr_value_pb2.NameAttrList(name=token + "_init"),
                      "next_func": attr_value_pb2.NameAttrList(name=token),
                      "finalize_func": attr_value_pb2.NameAttrList(name=token + "_finalize"),
                      "Tinit_func_args": [t.dtype.base_dtype for t in arg_tensors],
                      "Tnext_func_args": [], "Tfinalize_func_args": []})
        op = apply_op("GeneratorDataset", arg_tensors, [_dtypes.variant], attrs=attrs,
                      name="GeneratorDataset")
        keep_alive(op.graph, entry)
        return Dataset(op.outputs[0], specs)

    @staticmethod
    def list_files(file_pattern, shuffle=None, seed=None):
        """A dataset of the filenames matching ``file_pattern`` (a glob or list of globs).

        Args:
          file_pattern: string(s) with glob wildcards.
          shuffle: shuffle the names (default True), reshuffling each epoch.
          seed: the shuffle's seed.

        Returns:
          A Dataset of scalar strings; iterating it raises InvalidArgumentError
          ("No files matched pattern") when nothing matches.
        """
        from tensorslim.core.ops import array_ops, check_ops, math_ops
        from tensorslim.data.readers import matching_files
        with name_scope("file_list"):
            pattern = convert_to_tensor(file_pattern, dtype=_dtypes.string, name="file_pattern")
            matching = matching_files(pattern)
            count = array_ops.size(matching, out_type=_dtypes.int64)
            condition = math_ops.greater(count, np.int64(0), name="match_not_empty")
            assert_not_empty = check_ops.Assert(
                condition, ["No files matched pattern: ", pattern], summarize=100,
                name="assert_not_empty")
            from tensorslim.core.graph import control_dependencies
            with control_dependencies([assert_not_empty]):
                matching = array_ops.identity(matching)
        dataset = Dataset.from_tensor_slices(matching)
        if shuffle is None or shuffle:
            dataset = dataset.shuffle(math_ops.maximum(count, np.int64(1)), seed=seed)
        return dataset

    # -- transformations
    def map(self, map_func, num_parallel_calls=None):  # noqa: A003 - TF's name
        """Applies ``map_func`` to each element (traced once into graph ops).

        Args:
          map_func: called with the element's components as arguments (a tuple element is
            unpacked, a dict is passed whole); returns a tensor or a nested tuple/dict.
          num_parallel_calls: elements processed in parallel on background threads
            (``tf.data.experimental.AUTOTUNE`` for the number of CPUs); order is kept.

        Returns:
          A Dataset.
        """
        fn = StructuredFunction(map_func, "Dataset.map()", self._element_spec,
                                self._variant_tensor.graph)
        attrs = {"f": fn.attr(), "Targuments": [t.dtype.base_dtype for t in fn.captured],
                 "use_inter_op_parallelism": True, "preserve_cardinality": False}
        captured = list(fn.captured)
        if num_parallel_calls is None:
            return self._op("MapDataset", captured, fn.output_specs, attrs)
        attrs["sloppy"] = False
        n = convert_to_tensor(num_parallel_calls, dtype=_dtypes.int32,
                              name="num_parallel_calls")
        return self._op("ParallelMapDataset", captured + [n], fn.output_specs, attrs)

    def filter(self, predicate):  # noqa: A003 - TF's name
        """Keeps the elements for which ``predicate`` returns True.

        Raises:
          ValueError: ``predicate`` does not return a scalar bool tensor.
        """
        fn = StructuredFunction(predicate, "Dataset.filter()", self._element_spec,
                                self._variant_tensor.graph)
        out = fn.output_specs
        if structure.is_sequence(out) or out.dtype != _dtypes.bool or \
                not out.shape.is_compatible_with(TensorShape([])):
            raise ValueError("`predicate` must return a scalar boolean tensor, but returned "
                             "%s." % structure.structure_str(out))
        attrs = {"predicate": fn.attr(), "Targuments": [t.dtype.base_dtype for t in fn.captured]}
        return self._op("FilterDataset", fn.captured, self._element_spec, attrs)

    def flat_map(self, map_func):
        """Maps each element to a dataset (``map_func`` returns a Dataset) and flattens."""
        fn = StructuredFunction(map_func, "Dataset.flat_map()", self._element_spec,
                                self._variant_tensor.graph, returns_dataset=True)
        attrs = {"f": fn.attr(), "Targuments": [t.dtype.base_dtype for t in fn.captured]}
        return self._op("FlatMapDataset", fn.captured, fn.output_specs, attrs)

    def interleave(self, map_func, cycle_length=AUTOTUNE, block_length=1,
                   num_parallel_calls=None):
        """Maps each element to a dataset and interleaves their elements.

        Args:
          map_func: returns a Dataset for an element.
          cycle_length: how many input elements are open at once.
          block_length: consecutive elements taken from each before moving on.
          num_parallel_calls: read the open datasets ahead on background threads (the
            output order stays deterministic).

        Returns:
          A Dataset.
        """
        fn = StructuredFunction(map_func, "Dataset.interleave()", self._element_spec,
                                self._variant_tensor.graph, returns_dataset=True)
        attrs = {"f": fn.attr(), "Targuments": [t.dtype.base_dtype for t in fn.captured]}
        inputs = list(fn.captured) + [_int64(cycle_length, "cycle_length"),
                                      _int64(block_length, "block_length")]
        if num_parallel_calls is None:
            return self._op("InterleaveDataset", inputs, fn.output_specs, attrs)
        attrs["sloppy"] = False
        inputs.append(_int64(num_parallel_calls, "num_parallel_calls"))
        return self._op("ParallelInterleaveDatasetV2", inputs, fn.output_specs, attrs)

    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=None):
        """Shuffles elements through a buffer of ``buffer_size`` elements.

        Args:
          buffer_size: the buffer's size (the dataset's size for a uniform shuffle).
          seed: the op seed (combined with the graph seed as for random ops).
          reshuffle_each_iteration: reshuffle on each pass (default True).

        Returns:
          A Dataset.
        """
        seed1, seed2 = random_seed.get_seed(seed)
        if seed1 is None and seed2 is None:
            seed1, seed2 = 0, 0
        inputs = [_int64(buffer_size, "buffer_size"), _int64(seed1, "seed"),
                  _int64(seed2, "seed2")]
        reshuffle = True if reshuffle_each_iteration is None else bool(reshuffle_each_iteration)
        return self._op("ShuffleDataset", inputs, self._element_spec,
                        {"reshuffle_each_iteration": reshuffle})

    def repeat(self, count=None):
        """Repeats the dataset ``count`` times (forever when None or -1)."""
        return self._op("RepeatDataset", [_int64(-1 if count is None else count, "count")],
                        self._element_spec)

    def take(self, count):
        """The first ``count`` elements (all of them when -1)."""
        return self._op("TakeDataset", [_int64(count, "count")], self._element_spec)

    def skip(self, count):
        """All but the first ``count`` elements (none when -1)."""
        return self._op("SkipDataset", [_int64(count, "count")], self._element_spec)

    def shard(self, num_shards, index):
        """Every ``num_shards``-th element, starting at ``index``."""
        return self._op("ShardDataset", [_int64(num_shards, "num_shards"),
                                         _int64(index, "index")], self._element_spec,
                        {"require_non_empty": False})

    def batch(self, batch_size, drop_remainder=False):
        """Stacks consecutive elements into batches of ``batch_size``.

        Args:
          batch_size: elements per batch.
          drop_remainder: drop a final smaller batch (then the batch dimension is static).

        Returns:
          A Dataset; batching elements of different shapes fails with
          InvalidArgumentError (use :meth:`padded_batch`).
        """
        n = _int64(batch_size, "batch_size")
        drop = convert_to_tensor(drop_remainder, dtype=_dtypes.bool, name="drop_remainder")
        dim = _static_batch_dim(n, drop)
        specs = structure.map_structure(
            lambda s: ComponentSpec(s.dtype, TensorShape([dim]).concatenate(s.shape)),
            self._element_spec)
        return self._op("BatchDatasetV2", [n, drop], specs, {"parallel_copy": False})

    def padded_batch(self, batch_size, padded_shapes=None, padding_values=None,
                     drop_remainder=False):
        """Batches elements, padding each component to ``padded_shapes``.

        Args:
          batch_size: elements per batch.
          padded_shapes: per component, a shape whose unknown (None or -1) dims are padded
            to the longest in the batch; default: the components' static shapes.
          padding_values: per component, the scalar to pad with (default 0 or b"").
          drop_remainder: drop a final smaller batch.

        Returns:
          A Dataset.

        Raises:
          ValueError: a padded shape is incompatible with its component's shape.
        """
        flat_specs = structure.flatten(self._element_spec)
        if padded_shapes is None:
            padded_shapes = structure.map_structure(lambda s: s.shape, self._element_spec)
        flat_shapes = _flat_padded_shapes(self._element_spec, padded_shapes)
        shape_tensors, out_shapes = [], []
        for i, (spec, shape) in enumerate(zip(flat_specs, flat_shapes)):
            if isinstance(shape, Tensor):
                t = convert_to_tensor(shape, dtype=_dtypes.int64, name="padded_shape")
                static = constant_value(t)
                shape = TensorShape(None if static is None else
                                    [None if d < 0 else int(d) for d in static])
            else:
                if isinstance(shape, (list, tuple)):   # -1 means "pad to the batch's longest"
                    shape = [None if isinstance(d, (int, np.integer)) and d == -1 else d
                             for d in shape]
                shape = as_shape(shape)
                if shape.ndims is None:
                    raise ValueError("Padded shape for component %d must have a known rank."
                                     % i)
                t = convert_to_tensor(np.array([-1 if d is None else d for d in shape.as_list()],
                                               dtype=np.int64), name="padded_shape")
            if spec.shape.ndims is not None and shape.ndims is not None and (
                    spec.shape.ndims != shape.ndims or any(
                        p is not None and s is not None and s > p
                        for s, p in zip(spec.shape.as_list(), shape.as_list()))):
                raise ValueError("The padded shape %s is not compatible with the shape %s of "
                                 "the corresponding input component." % (shape, spec.shape))
            shape_tensors.append(t)
            out_shapes.append(shape)
        if padding_values is None:
            flat_pads = [None] * len(flat_specs)
        else:
            flat_pads = structure.flatten(padding_values) if structure.is_sequence(
                self._element_spec) else [padding_values]
            if len(flat_pads) != len(flat_specs):
                raise ValueError("padding_values must match the structure of the dataset's "
                                 "elements.")
        pad_tensors = []
        for spec, pad in zip(flat_specs, flat_pads):
            if pad is None:
                pad = b"" if spec.dtype == _dtypes.string else 0
            t = convert_to_tensor(pad, dtype=spec.dtype, name="padding_value")
            if t.shape.ndims not in (None, 0):
                raise ValueError("Padding value must be a scalar, got shape %s" % t.shape)
            pad_tensors.append(t)
        n = _int64(batch_size, "batch_size")
        drop = convert_to_tensor(drop_remainder, dtype=_dtypes.bool, name="drop_remainder")
        dim = _static_batch_dim(n, drop)
        specs = structure.pack_sequence_as(self._element_spec, [
            ComponentSpec(s.dtype, TensorShape([dim]).concatenate(p))
            for s, p in zip(flat_specs, out_shapes)])
        attrs = {"parallel_copy": False, "N": len(flat_specs)}
        return self._op("PaddedBatchDatasetV2", [n] + shape_tensors + pad_tensors + [drop],
                        specs, attrs, types_key="Toutput_types")

    def unbatch(self):
        """Splits each element's components along dimension 0 into separate elements."""
        specs = structure.map_structure(
            lambda s: ComponentSpec(s.dtype, s.shape[1:] if s.shape.ndims else
                                    unknown_shape()), self._element_spec)
        return self._op("UnbatchDataset", [], specs)

    def prefetch(self, buffer_size):
        """Produces elements ahead on a background thread, up to ``buffer_size`` of them."""
        return self._op("PrefetchDataset", [_int64(buffer_size, "buffer_size")],
                        self._element_spec, {"slack_period": 0})

    def cache(self, filename=""):
        """Caches the elements of the first full pass, in memory or in ``filename``."""
        f = convert_to_tensor(filename, dtype=_dtypes.string, name="filename")
        return self._op("CacheDataset", [f], self._element_spec)

    def concatenate(self, dataset):
        """This dataset's elements followed by ``dataset``'s.

        Raises:
          TypeError: the element structures or types differ.
        """
        if structure.is_sequence(self.output_types) or structure.is_sequence(
                dataset.output_types):
            try:
                structure.assert_same_structure(self._element_spec, dataset._element_spec)
            except ValueError:
                raise TypeError("Two datasets to concatenate have different structures %s and "
                                "%s" % (structure.structure_str(self.output_types),
                                        structure.structure_str(dataset.output_types))) \
                    from None
        if structure.flatten(self.output_types) != structure.flatten(dataset.output_types):
            raise TypeError("Two datasets to concatenate have different types %s and %s"
                            % (structure.structure_str(self.output_types),
                               structure.structure_str(dataset.output_types)))
        specs = structure.pack_sequence_as(self._element_spec, [
            ComponentSpec(a.dtype, _most_specific_compatible(a.shape, b.shape))
            for a, b in zip(structure.flatten(self._element_spec),
                            structure.flatten(dataset._element_spec))])
        return self._op("ConcatenateDataset", [dataset._variant_tensor], specs)

    def enumerate(self, start=0):  # noqa: A003 - TF's name
        """Pairs each element with its int64 index, counting from ``start``."""
        return Dataset.zip((Dataset.range(start, np.iinfo(np.int64).max), self))

    def apply(self, transformation_func):
        """Returns ``transformation_func(self)`` (a Dataset).

        Raises:
          TypeError: the function does not return a Dataset.
        """
        dataset = transformation_func(self)
        if not isinstance(dataset, Dataset):
            raise TypeError("`transformation_func` must return a Dataset. Got %r." % (dataset,))
        return dataset

    # -- iterators
    def make_one_shot_iterator(self):
        """An iterator over this dataset that initializes itself on first use.

        Raises:
          ValueError: the dataset depends on a placeholder or a variable (use
            :meth:`make_initializable_iterator`).
        """
        from tensorslim.data import iterator_ops
        _check_graph_mode(self, "make_one_shot_iterator")
        return iterator_ops.make_one_shot_iterator(self)

    def make_initializable_iterator(self, shared_name=None):
        """An iterator with an ``initializer`` op that (re)starts it over this dataset."""
        from tensorslim.data import iterator_ops
        _check_graph_mode(self, "make_initializable_iterator")
        return iterator_ops.make_initializable_iterator(self, shared_name)


DatasetV1 = Dataset


def _check_graph_mode(dataset, what):
    if hasattr(dataset._variant_tensor.graph, "_runtime_session"):
        raise RuntimeError("dataset.%s is not supported when eager execution is enabled. Use "
                           "`for element in dataset` instead." % what)


def _static_batch_dim(n, drop):
    size = constant_value(n)
    drop_value = constant_value(drop)
    if size is not None and drop_value is not None and bool(drop_value):
        return int(size)
    return None


def _flat_padded_shapes(specs, padded_shapes):
    if not structure.is_sequence(specs):
        return [padded_shapes]
    flat = []

    def walk(spec, shapes):
        if not structure.is_sequence(spec):
            flat.append(shapes)
            return
        if isinstance(spec, dict):
            if not isinstance(shapes, dict) or sorted(shapes) != sorted(spec):
                raise ValueError("padded_shapes must match the structure of the dataset's "
                                 "elements: expected keys %s" % sorted(spec))
            for k in sorted(spec):
                walk(spec[k], shapes[k])
            return
        if not isinstance(shapes, (tuple, list)) or len(shapes) != len(spec):
            raise ValueError("padded_shapes must match the structure of the dataset's "
                             "elements (%d components at this level)." % len(spec))
        for sp, sh in zip(spec, shapes):
            walk(sp, sh)
    walk(specs, padded_shapes)
    return flat


def get_output_types(dataset_or_iterator):
    """``tf.data.get_output_types``."""
    return dataset_or_iterator.output_types


def get_output_shapes(dataset_or_iterator):
    """``tf.data.get_output_shapes``."""
    return dataset_or_iterator.output_shapes


def get_output_classes(dataset_or_iterator):
    """``tf.data.get_output_classes``."""
    return dataset_or_iterator.output_classes


# --------------------------------------------------------------------------- readers

_STRING_SPEC = ComponentSpec(_dtypes.string, TensorShape([]))


def _filenames_tensor(filenames):
    if isinstance(filenames, Tensor):
        if filenames.dtype.base_dtype != _dtypes.string:
            raise TypeError("`filenames` must be a `tf.Tensor` of `tf.string` elements.")
        t = filenames
    else:
        t = convert_to_tensor(filenames, dtype=_dtypes.string, name="filenames")
    if t.shape.ndims is not None and t.shape.ndims > 1:
        raise ValueError("`filenames` must be a scalar or vector of strings, got shape %s"
                         % t.shape)
    return t


def _buffer(buffer_size, default):
    return _int64(default if buffer_size is None else buffer_size, "buffer_size")


def _compression_tensor(compression_type):
    return convert_to_tensor("" if compression_type is None else compression_type,
                             dtype=_dtypes.string, name="compression_type")


class _ReaderDataset(Dataset):
    """Shared logic: a filenames tensor or dataset, optionally read in parallel."""

    def _build(self, filenames, num_parallel_reads, make_single):
        if isinstance(filenames, Dataset):
            if filenames.output_types != _dtypes.string:
                raise TypeError("`filenames` must be a `tf.data.Dataset` of `tf.string` "
                                "elements.")
            files = filenames
        elif num_parallel_reads is not None:
            files = Dataset.from_tensor_slices(_flat_names(_filenames_tensor(filenames)))
        else:
            variant = make_single(_filenames_tensor(filenames))
            Dataset.__init__(self, variant, _STRING_SPEC)
            return
        n = num_parallel_reads if num_parallel_reads is not None else 1
        ds = files.interleave(lambda f: Dataset(make_single(f), _STRING_SPEC),
                              cycle_length=n, block_length=1,
                              num_parallel_calls=n if num_parallel_reads is not None else None)
        Dataset.__init__(self, ds._variant_tensor, ds._element_spec)


def _flat_names(t):
    from tensorslim.core.ops import array_ops
    if t.shape.ndims == 1:
        return t
    return array_ops.reshape(t, [-1], name="flat_filenames")


class TFRecordDataset(_ReaderDataset):
    """The records of TFRecord files (``tf.data.TFRecordDataset``).

    Args:
      filenames: a string tensor (scalar or vector) or a Dataset of filenames.
      compression_type: ``""``, ``"ZLIB"`` or ``"GZIP"``.
      buffer_size: bytes read at a time.
      num_parallel_reads: read this many files at once (interleaved record by record).

    A corrupt or truncated record makes ``get_next`` raise DataLossError naming the file
    and offset.
    """

    def __init__(self, filenames, compression_type=None, buffer_size=None,
                 num_parallel_reads=None):
        def make(names):
            op = apply_op("TFRecordDataset", [names, _compression_tensor(compression_type),
                                              _buffer(buffer_size,
                                                      _DEFAULT_READER_BUFFER_SIZE_BYTES)],
                          [_dtypes.variant], name="TFRecordDataset")
            return op.outputs[0]
        self._build(filenames, num_parallel_reads, make)


class TextLineDataset(_ReaderDataset):
    """The lines of text files, without their line endings (``tf.data.TextLineDataset``).

    Args:
      filenames: a string tensor (scalar or vector) or a Dataset of filenames.
      compression_type: ``""``, ``"ZLIB"`` or ``"GZIP"``.
      buffer_size: bytes read at a time.
      num_parallel_reads: read this many files at once.
    """

    def __init__(self, filenames, compression_type=None, buffer_size=None,
                 num_parallel_reads=None):
        def make(names):
            op = apply_op("TextLineDataset", [names, _compression_tensor(compression_type),
                                              _buffer(buffer_size,
                                                      _DEFAULT_READER_BUFFER_SIZE_BYTES)],
                          [_dtypes.variant], name="TextLineDataset")
            return op.outputs[0]
        self._build(filenames, num_parallel_reads, make)


class FixedLengthRecordDataset(_ReaderDataset):
    """Fixed-size records of binary files (``tf.data.FixedLengthRecordDataset``).

    Args:
      filenames: a string tensor or a Dataset of filenames.
      record_bytes: bytes per record.
      header_bytes: bytes skipped at the start of each file.
      footer_bytes: bytes ignored at the end of each file.
      buffer_size: bytes read at a time.
      compression_type: ``""``, ``"ZLIB"`` or ``"GZIP"``.
      num_parallel_reads: read this many files at once.
    """

    def __init__(self, filenames, record_bytes, header_bytes=None, footer_bytes=None,
                 buffer_size=None, compression_type=None, num_parallel_reads=None):
        def make(names):
            inputs = [names, _int64(header_bytes or 0, "header_bytes"),
                      _int64(record_bytes, "record_bytes"),
                      _int64(footer_bytes or 0, "footer_bytes"),
                      _buffer(buffer_size, _DEFAULT_READER_BUFFER_SIZE_BYTES),
                      _compression_tensor(compression_type)]
            return apply_op("FixedLengthRecordDatasetV2", inputs, [_dtypes.variant],
                            name="FixedLengthRecordDataset").outputs[0]
        self._build(filenames, num_parallel_reads, make)
