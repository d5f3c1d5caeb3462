"""``tf.data.Iterator``: reading dataset elements as graph tensors.

An iterator is a host-only stateful resource op (``IteratorV2`` or ``OneShotIterator``);
its state lives in the session (one per op, or per ``shared_name``). ``MakeIterator``
(the ``initializer``) starts an iteration over a dataset value, ``IteratorGetNext`` returns
the next element's components, and raises ``OutOfRangeError`` ("End of sequence") when the
dataset is exhausted. Re-running the initializer restarts the iteration (cancelling the
background threads of the previous one); closing the session cancels them too.
"""
import itertools
import threading
import weakref

import numpy as np

from tensorslim.core import dtypes as _dtypes
from tensorslim.core import errors
from tensorslim.core import executor
from tensorslim.core.graph import colocate_with, convert_to_tensor
from tensorslim.core.op_util import apply_op
from tensorslim.core.registry import not_differentiable_marker, register_op
from tensorslim.core.tensor_shape import TensorShape
from tensorslim.data import dataset_structure as structure
from tensorslim.data.dataset_function import keep_alive
from tensorslim.data.dataset_runtime import DatasetValue, IterationEnv
from tensorslim.proto import attr_value_pb2

__all__ = ["Iterator", "make_one_shot_iterator", "make_initializable_iterator"]

_NO_GRAD = not_differentiable_marker()
_REGISTRY_KEY = "__tensorslim_iterators__"
_handle_ids = itertools.count(1)
_factories = weakref.WeakValueDictionary()   # held by their graphs
_factory_ids = itertools.count(1)
_factory_lock = threading.Lock()

_NOT_INITIALIZED = ("GetNext() failed because the iterator has not been initialized. Ensure "
                    "that you have run the initializer operation for this iterator before "
                    "getting the next element.")


# --------------------------------------------------------------------------- session state

class _Registry:
    def __init__(self):
        self.lock = threading.Lock()
        self.by_name = {}
        self.by_handle = {}


def _registry(session):
    reg = session._resources.get(_REGISTRY_KEY)
    if reg is None:
        reg = session._resources.setdefault(_REGISTRY_KEY, _Registry())
    return reg


class _IteratorResource:
    """One iterator's state in one session."""

    def __init__(self, name, output_types, output_shapes):
        self.name = name
        self.output_types = list(output_types)
        self.output_shapes = list(output_shapes)
        self.handle = b"tensorslim-iterator-%d:%s" % (next(_handle_ids), name.encode())
        self.lock = threading.Lock()
        self.init_lock = threading.Lock()
        self.iterator = None
        self.env = None
        self.one_shot_started = False

    def initialize(self, value, session, op):
        if not isinstance(value, DatasetValue):
            raise errors.InvalidArgumentError(None, op, "MakeIterator expects a dataset "
                                              "(variant) as its first input.")
        env = IterationEnv(session)
        iterator = value.make_iterator(env)
        current = self.env
        if current is not None:
            current.close()     # first: wakes a get_next blocked on the old iteration
        with self.lock:
            old, self.env, self.iterator = self.env, env, iterator
        if old is not None and old is not current:
            old.close()

    def get_next(self, op):
        with self.lock:
            if self.iterator is None:
                raise errors.FailedPreconditionError(None, op, _NOT_INITIALIZED)
            try:
                return next(self.iterator)
            except StopIteration:
                raise errors.OutOfRangeError(None, op, "End of sequence") from None

    def close(self):
        env = self.env
        if env is not None:
            env.close()         # before taking the lock, which a blocked get_next holds
        with self.lock:
            env, self.env, self.iterator = self.env, None, None
        if env is not None:
            env.close()


def _iterator_context(ctx):
    reg = _registry(ctx.session)
    key = ctx.attrs.get("shared_name") or ("\0op:" + ctx.op.name)
    with reg.lock:
        res = reg.by_name.get(key)
        if res is None:
            res = _IteratorResource(ctx.op.name, ctx.attrs["output_types"],
                                    ctx.attrs["output_shapes"])
            reg.by_name[key] = res
            reg.by_handle[res.handle] = res
            ctx.session._add_close_callback(res.close)
    ctx.state = res


def _scalar_shape(op):
    return [TensorShape([])]


def _make_iterator_kernel(ctx, dataset, resource):
    resource.initialize(dataset, ctx.session, ctx.op)


def _own(component):
    # Slices of a source's arrays are views; the caller gets arrays it may modify.
    return component.copy() if component.base is not None else component


def _get_next_kernel(ctx, resource):
    element = resource.get_next(ctx.op)
    n = len(ctx.op._outputs)
    if len(element) != n:
        raise errors.InvalidArgumentError(
            None, ctx.op, "The iterator produced an element with %d components, but "
                          "get_next expects %d." % (len(element), n))
    if n == 1:
        return _own(element[0])
    return tuple(_own(c) for c in element)


def _one_shot_kernel(ctx):
    res = ctx.state
    with res.init_lock:
        if not res.one_shot_started:
            variant = _factories.get(ctx.attrs["dataset_factory"].name)
            if variant is None:
                raise errors.NotFoundError(None, ctx.op, "The dataset of this one-shot iterator "
                                           "is not defined in this process.")
            plan = executor.compile_plan(ctx.session, [variant], [], [])
            value = plan.run([])[0]
            res.initialize(value, ctx.session, ctx.op)
            res.one_shot_started = True
    return res


def _to_string_handle_kernel(ctx, resource):
    out = np.empty((), dtype=object)
    out[()] = resource.handle
    return out


def _from_string_handle_kernel(ctx, handle):
    h = np.asarray(handle, dtype=object)
    h = h[()] if h.ndim == 0 else None
    if not isinstance(h, bytes):
        raise errors.InvalidArgumentError(None, ctx.op, "string_handle must be a scalar string")
    res = _registry(ctx.session).by_handle.get(h)
    if res is None:
        raise errors.InvalidArgumentError(None, ctx.op, "Invalid iterator handle %r: it was not "
                                          "created by an iterator's string_handle() in this "
                                          "session." % h)
    types = ctx.attrs.get("output_types") or []
    if types and list(types) != res.output_types:
        raise errors.InvalidArgumentError(
            None, ctx.op, "Expected output types %s but got iterator with output types %s."
            % ([t.name for t in types], [t.name for t in res.output_types]))
    return res


register_op("IteratorV2", shape=_scalar_shape, kernel=lambda ctx: ctx.state,
            make_context=_iterator_context, stateful=True, host_only=True, grad=_NO_GRAD)
register_op("OneShotIterator", shape=_scalar_shape, kernel=_one_shot_kernel,
            make_context=_iterator_context, stateful=True, host_only=True, grad=_NO_GRAD)
register_op("MakeIterator", shape=lambda op: [], kernel=_make_iterator_kernel, stateful=True,
            host_only=True, grad=_NO_GRAD)
register_op("IteratorGetNext", shape=lambda op: list(op.get_attr("output_shapes")),
            kernel=_get_next_kernel, stateful=True, host_only=True, grad=_NO_GRAD)
register_op("IteratorToStringHandle", shape=_scalar_shape, kernel=_to_string_handle_kernel,
            stateful=True, host_only=True, grad=_NO_GRAD)
register_op("IteratorFromStringHandleV2", shape=_scalar_shape,
            kernel=_from_string_handle_kernel, stateful=True, host_only=True, grad=_NO_GRAD)


# --------------------------------------------------------------------------- Python API

def _flat_attrs(specs):
    flat = structure.flatten(specs)
    return {"output_types": [s.dtype for s in flat], "output_shapes": [s.shape for s in flat]}


def _check_dataset(dataset):
    from tensorslim.data.dataset_ops import Dataset
    if not isinstance(dataset, Dataset):
        raise TypeError("Expected a tf.data.Dataset, got %r." % (dataset,))


class Iterator(structure._ElementSpecMixin):
    """Reads the elements of a dataset (``tf.data.Iterator``).

    Build one with ``dataset.make_one_shot_iterator()``,
    ``dataset.make_initializable_iterator()``, :meth:`from_structure` or
    :meth:`from_string_handle`; ``get_next()`` returns the next element as tensors.

    Args:
      iterator_resource: the iterator's resource tensor.
      initializer: the op that (re)starts it, or None.
      output_types, output_shapes, output_classes: the element structure.
    """

    def __init__(self, iterator_resource, initializer, output_types, output_shapes,
                 output_classes=None):
        self._iterator_resource = iterator_resource
        self._initializer = initializer
        self._element_spec = structure.specs_from_types_and_shapes(output_types, output_shapes)

    @staticmethod
    def from_structure(output_types, output_shapes=None, shared_name=None,
                       output_classes=None):
        """An uninitialized iterator for elements of the given structure.

        Initialize it with ``make_initializer(dataset)`` for any dataset of that
        structure (so one ``get_next`` can read a training and a validation dataset).

        Args:
          output_types: the nested structure of DTypes.
          output_shapes: the nested structure of shapes (default: unknown).
          shared_name: share the iterator between sessions' graphs by this name.
          output_classes: accepted for compatibility (always ``tf.Tensor``).

        Returns:
          An Iterator.
        """
        specs = structure.specs_from_types_and_shapes(output_types, output_shapes)
        attrs = _flat_attrs(specs)
        attrs.update({"shared_name": shared_name or "", "container": ""})
        op = apply_op("IteratorV2", [], [_dtypes.resource], attrs=attrs, name="IteratorV2")
        return Iterator._from_specs(op.outputs[0], None, specs)

    @staticmethod
    def from_string_handle(string_handle, output_types, output_shapes=None,
                           output_classes=None):
        """An iterator that reads from whichever iterator ``string_handle`` names.

        Feed a ``string_handle()`` value of another iterator (of the same structure) to
        choose, per ``Session.run``, which one ``get_next`` reads from.

        Args:
          string_handle: a scalar string tensor (usually a placeholder).
          output_types, output_shapes, output_classes: the element structure.

        Returns:
          An Iterator (without initializer).
        """
        specs = structure.specs_from_types_and_shapes(output_types, output_shapes)
        handle = convert_to_tensor(string_handle, dtype=_dtypes.string)
        op = apply_op("IteratorFromStringHandleV2", [handle], [_dtypes.resource],
                      attrs=_flat_attrs(specs), name="IteratorFromStringHandleV2")
        return Iterator._from_specs(op.outputs[0], None, specs)

    @staticmethod
    def _from_specs(resource, initializer, specs):
        it = Iterator.__new__(Iterator)
        it._iterator_resource = resource
        it._initializer = initializer
        it._element_spec = specs
        return it

    @property
    def initializer(self):
        """The op that (re)initializes this iterator over its dataset.

        Raises:
          ValueError: the iterator has no initializer (one-shot iterators, and those made
            by ``from_structure``: use ``make_initializer``).
        """
        if self._initializer is None:
            raise ValueError("Iterator does not have an initializer.")
        return self._initializer

    def make_initializer(self, dataset, name=None):
        """An op that initializes this iterator over ``dataset``.

        Raises:
          TypeError: the dataset's element types or shapes do not match the iterator's.
        """
        _check_dataset(dataset)
        try:
            structure.assert_same_structure(self._element_spec, dataset._element_spec)
        except ValueError as e:
            raise TypeError("Expected output structure %s but got dataset with structure %s. "
                            "(%s)" % (structure.structure_str(self.output_types),
                                      structure.structure_str(dataset.output_types), e)) \
                from None
        mine = structure.flatten(self._element_spec)
        theirs = structure.flatten(dataset._element_spec)
        if [s.dtype for s in mine] != [s.dtype for s in theirs]:
            raise TypeError("Expected output types %s but got dataset with output types %s."
                            % (structure.structure_str(self.output_types),
                               structure.structure_str(dataset.output_types)))
        if not all(a.shape.is_compatible_with(b.shape) for a, b in zip(mine, theirs)):
            raise TypeError("Expected output shapes compatible with %s but got dataset with "
                            "output shapes %s."
                            % (structure.structure_str(self.output_shapes),
                               structure.structure_str(dataset.output_shapes)))
        with colocate_with(self._iterator_resource):
            return apply_op("MakeIterator", [dataset._variant_tensor, self._iterator_resource],
                            [], name=name or "MakeIterator")

    def get_next(self, name=None):
        """The next element, as a nested structure of tensors.

        Running them raises ``OutOfRangeError`` once the dataset is exhausted, and
        ``FailedPreconditionError`` when the iterator was never initialized.
        """
        flat = structure.flatten(self._element_spec)
        op = apply_op("IteratorGetNext", [self._iterator_resource], [s.dtype for s in flat],
                      attrs=_flat_attrs(self._element_spec), name=name or "IteratorGetNext")
        outputs = op.outputs
        for t, s in zip(outputs, flat):
            t.set_shape(s.shape)
        return structure.pack_sequence_as(self._element_spec, outputs)

    def string_handle(self, name=None):
        """A scalar string tensor naming this iterator, for :meth:`from_string_handle`."""
        return apply_op("IteratorToStringHandle", [self._iterator_resource], [_dtypes.string],
                        name=name or "IteratorToStringHandle").outputs[0]


def make_one_shot_iterator(dataset):
    """``tf.data.make_one_shot_iterator(dataset)``: an iterator that starts on first use.

    Raises:
      ValueError: the dataset depends on a placeholder or a variable.
    """
    from tensorslim.data.dataset_ops import _check_no_capture_by_value
    _check_dataset(dataset)
    variant = dataset._variant_tensor
    _check_no_capture_by_value(variant)
    with _factory_lock:
        name = "_make_dataset_%d" % next(_factory_ids)
        _factories[name] = variant
    keep_alive(variant.graph, variant)
    attrs = _flat_attrs(dataset._element_spec)
    attrs.update({"dataset_factory": attr_value_pb2.NameAttrList(name=name),
                  "container": "", "shared_name": ""})
    with variant.graph.as_default():
        op = variant.graph.create_op("OneShotIterator", [], [_dtypes.resource],
                                     name="OneShotIterator", attrs=attrs)
    return Iterator._from_specs(op.outputs[0], None, dataset._element_spec)


def make_initializable_iterator(dataset, shared_name=None):
    """``tf.data.make_initializable_iterator(dataset, shared_name=None)``.

    Returns:
      An Iterator whose ``initializer`` must run (with any placeholders the dataset uses
      fed) before ``get_next``.
    """
    _check_dataset(dataset)
    specs = dataset._element_spec
    attrs = _flat_attrs(specs)
    attrs.update({"shared_name": shared_name or "", "container": ""})
    graph = dataset._variant_tensor.graph
    with graph.as_default():
        resource = graph.create_op("IteratorV2", [], [_dtypes.resource], name="IteratorV2",
                                   attrs=attrs).outputs[0]
        with colocate_with(resource):
            init = apply_op("MakeIterator", [dataset._variant_tensor, resource], [],
                            name="MakeIterator")
    return Iterator._from_specs(resource, init, specs)
