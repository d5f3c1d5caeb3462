"""Nested element structures for ``tf.data``: flattening, packing and component specs.

A dataset element is a nested structure of tensors. As in TF1's ``tf.data``, tuples,
namedtuples and dicts are structure (dict items are ordered by sorted key), while lists are
*values*: ``from_tensor_slices([1, 2, 3])`` slices one tensor, and a list returned by a
``map`` function is turned into a tuple. Inside a session an element travels as the flat
tuple of its component arrays; the structure is kept Python-side, next to a
:class:`ComponentSpec` (dtype and static shape) per component.
"""
import collections

from tensorslim.core import dtypes as _dtypes
from tensorslim.core.tensor_shape import TensorShape, as_shape

__all__ = ["ComponentSpec", "is_sequence", "flatten", "pack_sequence_as", "map_structure",
           "assert_same_structure", "structure_str", "types_of", "shapes_of", "classes_of",
           "specs_from_types_and_shapes"]


class ComponentSpec(collections.namedtuple("ComponentSpec", ["dtype", "shape"])):
    """The static type of one component of a dataset element: a DType and a TensorShape."""

    __slots__ = ()

    def __new__(cls, dtype, shape):
        return super().__new__(cls, _dtypes.as_dtype(dtype).base_dtype, as_shape(shape))

    def __repr__(self):
        return "TensorSpec(shape=%s, dtype=%s)" % (self.shape, self.dtype.name)


def _is_namedtuple(x):
    return isinstance(x, tuple) and hasattr(x, "_fields")


def is_sequence(x):
    """Whether ``x`` is structure (tuple, namedtuple or dict) rather than a value."""
    return isinstance(x, (tuple, dict, collections.abc.Mapping)) and \
        not isinstance(x, ComponentSpec)


def _children(x):
    if isinstance(x, collections.abc.Mapping):
        return [x[k] for k in sorted(x)]
    return list(x)


def flatten(structure):
    """The leaves of ``structure`` in order (dict values by sorted key)."""
    if not is_sequence(structure):
        return [structure]
    out = []
    for child in _children(structure):
        out.extend(flatten(child))
    return out


def _rebuild(template, values):
    if isinstance(template, collections.abc.Mapping):
        keys = sorted(template)
        result = dict(zip(keys, values))
        cls = type(template)
        if cls is dict:
            return result
        if cls is collections.defaultdict:
            out = collections.defaultdict(template.default_factory)
            out.update(result)
            return out
        return cls((k, result[k]) for k in template)
    if _is_namedtuple(template):
        return type(template)(*values)
    return tuple(values)


def pack_sequence_as(structure, flat):
    """Packs the flat sequence ``flat`` into the shape of ``structure``.

    Raises:
      ValueError: the number of values does not match the structure's leaves.
    """
    flat = list(flat)
    n = len(flatten(structure))
    if n != len(flat):
        raise ValueError("Could not pack sequence. Structure had %d elements, but flat_sequence "
                         "had %d elements. Structure: %s" % (n, len(flat),
                                                             structure_str(structure)))
    it = iter(flat)

    def build(s):
        if not is_sequence(s):
            return next(it)
        return _rebuild(s, [build(c) for c in _children(s)])
    return build(structure)


def map_structure(func, *structures):
    """Applies ``func`` leaf-wise to structures of the same shape."""
    for s in structures[1:]:
        assert_same_structure(structures[0], s)
    flats = [flatten(s) for s in structures]
    return pack_sequence_as(structures[0], [func(*leaves) for leaves in zip(*flats)])


def _signature(structure):
    if not is_sequence(structure):
        return "."
    if isinstance(structure, collections.abc.Mapping):
        return ("dict", tuple((k, _signature(structure[k])) for k in sorted(structure)))
    return ("tuple", tuple(_signature(c) for c in structure))


def assert_same_structure(a, b):
    """Raises ValueError (naming both) when ``a`` and ``b`` are nested differently."""
    if _signature(a) != _signature(b):
        raise ValueError("The two structures don't have the same nested structure.\n\n"
                         "First structure: %s\n\nSecond structure: %s"
                         % (structure_str(a), structure_str(b)))


def structure_str(structure):
    """A readable rendering of a structure (DTypes by name)."""
    def leaf(x):
        if isinstance(x, _dtypes.DType):
            return "tf.%s" % x.name
        if isinstance(x, TensorShape):
            return str(x)
        return repr(x)
    if not is_sequence(structure):
        return leaf(structure)
    if isinstance(structure, collections.abc.Mapping):
        return "{%s}" % ", ".join("%r: %s" % (k, structure_str(structure[k]))
                                  for k in sorted(structure))
    inner = ", ".join(structure_str(c) for c in structure)
    return "(%s%s)" % (inner, "," if len(structure) == 1 else "")


def types_of(specs):
    """The ``output_types`` structure of a structure of ComponentSpecs."""
    return map_structure(lambda s: s.dtype, specs)


def shapes_of(specs):
    """The ``output_shapes`` structure of a structure of ComponentSpecs."""
    return map_structure(lambda s: s.shape, specs)


def classes_of(specs):
    """The ``output_classes`` structure: ``tf.Tensor`` for every component."""
    from tensorslim.core.graph import Tensor
    return map_structure(lambda s: Tensor, specs)


class _ElementSpecMixin:
    """The structure properties of a Dataset or an Iterator, read from ``_element_spec``."""

    @property
    def output_types(self):
        """The nested structure of the components' DTypes."""
        return types_of(self._element_spec)

    @property
    def output_shapes(self):
        """The nested structure of the components' static TensorShapes."""
        return shapes_of(self._element_spec)

    @property
    def output_classes(self):
        """The nested structure of the components' classes (``tf.Tensor``)."""
        return classes_of(self._element_spec)

    @property
    def element_spec(self):
        """The nested structure of ``TensorSpec``-like (dtype, shape) component specs."""
        return self._element_spec


def specs_from_types_and_shapes(output_types, output_shapes=None):
    """Builds ComponentSpecs from TF1's ``output_types`` / ``output_shapes`` structures.

    ``output_shapes`` may be None (all unknown) or, for a structure, a single shape-like
    value is not accepted: it must follow ``output_types``' structure.

    Raises:
      ValueError / TypeError: the structures differ, or a dtype or shape is invalid.
    """
    if output_shapes is None:
        return map_structure(lambda t: ComponentSpec(t, TensorShape(None)), output_types)
    if not is_sequence(output_types):
        return ComponentSpec(output_types, _shape_like(output_shapes))
    flat_types = flatten(output_types)
    shapes = _shape_structure(output_types, output_shapes)
    flat_shapes = flatten(shapes)
    return pack_sequence_as(output_types, [ComponentSpec(t, s)
                                           for t, s in zip(flat_types, flat_shapes)])


def _shape_like(value):
    if isinstance(value, TensorShape):
        return value
    if value is None:
        return TensorShape(None)
    return as_shape(list(value) if isinstance(value, tuple) else value)


def _shape_structure(types, shapes):
    """Reads ``shapes`` against ``types``: tuples/lists of ints at a leaf are one shape."""
    if not is_sequence(types):
        return _shape_like(shapes)
    if isinstance(types, collections.abc.Mapping):
        if not isinstance(shapes, collections.abc.Mapping) or sorted(shapes) != sorted(types):
            raise ValueError("output_shapes %r does not match the structure of output_types %s"
                             % (shapes, structure_str(types)))
        return _rebuild(types, [_shape_structure(types[k], shapes[k]) for k in sorted(types)])
    if not isinstance(shapes, (tuple, list)) or len(shapes) != len(types):
        raise ValueError("output_shapes %r does not match the structure of output_types %s"
                         % (shapes, structure_str(types)))
    return _rebuild(types, [_shape_structure(t, s) for t, s in zip(types, shapes)])
