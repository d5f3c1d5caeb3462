"""Helpers shared by the slim layers and nets (``slim.utils``): output collections with
aliases, static/dynamic conditionals, and argument normalisation."""
import collections

import numpy as np

from tensorslim.core.graph import (Tensor, add_to_collections, get_collection,
                                   get_default_graph)
from tensorslim.core.op_util import constant_value as _static_value
from tensorslim.core.tensor_shape import TensorShape, as_shape

__all__ = ["append_tensor_alias", "collect_named_outputs", "get_tensor_aliases",
           "convert_collection_to_dict", "constant_value", "static_cond", "smart_cond",
           "get_variable_collections", "last_dimension", "channel_dimension",
           "two_element_tuple", "n_positive_integers", "gather_tensors_by_alias"]


def append_tensor_alias(tensor, alias):
    """Adds ``alias`` (a trailing "/" removed) to ``tensor.aliases`` and returns the tensor."""
    if alias and alias[-1] == "/":
        alias = alias[:-1]
    aliases = getattr(tensor, "aliases", None)
    if aliases is None:
        tensor.aliases = [alias]
    else:
        aliases.append(alias)
    return tensor


def collect_named_outputs(collections_, alias, outputs):
    """Adds ``outputs``, aliased ``alias``, to each collection of ``collections_``.

    Args:
      collections_: a collection name or a list of them (None or empty: nothing to do).
      alias: the name the output is known by (usually the layer's scope).
      outputs: the Tensor.

    Returns:
      ``outputs``.
    """
    if collections_:
        append_tensor_alias(outputs, alias)
        add_to_collections(collections_, outputs)
    return outputs


def get_tensor_aliases(tensor):
    """The aliases of ``tensor``, or its name (without ":0") when it has none."""
    aliases = getattr(tensor, "aliases", None)
    if aliases is not None:
        return list(aliases)
    name = tensor.name
    return [name[:-2] if name.endswith(":0") else name]


def convert_collection_to_dict(collection, clear_collection=False):
    """An OrderedDict ``{alias: tensor}`` of the tensors in ``collection`` (end points).

    Args:
      collection: the collection name.
      clear_collection: empty the collection afterwards.
    """
    out = collections.OrderedDict()
    for tensor in get_collection(collection):
        for alias in get_tensor_aliases(tensor):
            out[alias] = tensor
    if clear_collection:
        get_default_graph().clear_collection(collection)
    return out


def gather_tensors_by_alias(tensors):
    """``(aliases, tensors)`` of a list of tensors, one entry per alias."""
    aliases, out = [], []
    for t in tensors:
        for alias in get_tensor_aliases(t):
            aliases.append(alias)
            out.append(t)
    return aliases, out


def constant_value(value_or_tensor_or_var, dtype=None):
    """The static value of a Python value, a constant Tensor or a Variable's initial value.

    Returns None for a Tensor whose value is only known at run time.

    Raises:
      ValueError: the value is None.
    """
    if value_or_tensor_or_var is None:
        raise ValueError("value_or_tensor_or_var cannot be None")
    value = value_or_tensor_or_var
    if isinstance(value, Tensor) or hasattr(value, "_as_graph_element"):
        if not isinstance(value, Tensor):
            value = value._as_graph_element()
        if dtype is not None and value.dtype.base_dtype != dtype:
            raise ValueError("The given dtype %s differs from the value's dtype %s"
                             % (dtype, value.dtype.base_dtype))
        value = _static_value(value)
        if value is not None and np.ndim(value) == 0:
            value = np.asarray(value).item()
    return value


def static_cond(pred, fn1, fn2):
    """``fn1()`` if the Python bool ``pred`` is true, else ``fn2()``.

    Raises:
      TypeError: ``fn1`` or ``fn2`` is not callable.
    """
    if not callable(fn1):
        raise TypeError("fn1 must be callable.")
    if not callable(fn2):
        raise TypeError("fn2 must be callable.")
    return fn1() if pred else fn2()


def smart_cond(pred, fn1, fn2, name=None):
    """``static_cond`` when ``pred`` is known when building the graph, else ``tf.cond``."""
    value = constant_value(pred)
    if value is not None:
        return static_cond(value, fn1, fn2)
    from tensorslim.core.ops import cond_ops
    return cond_ops.cond(pred, fn1, fn2, name=name)


def get_variable_collections(variables_collections, name):
    """The collections for variable ``name`` from a list, or a dict keyed by variable name."""
    if isinstance(variables_collections, dict):
        return variables_collections.get(name, None)
    return variables_collections


def last_dimension(shape, min_rank=1):
    """The static size of the last dimension of ``shape``.

    Raises:
      ValueError: unknown rank, rank below ``min_rank``, or unknown last dimension.
    """
    shape = as_shape(shape)
    if shape.ndims is None:
        raise ValueError("dims of shape must be known but is None")
    if shape.ndims < min_rank:
        raise ValueError("rank of shape must be at least %d not: %d" % (min_rank, shape.ndims))
    value = shape[-1].value
    if value is None:
        raise ValueError("last dimension shape must be known but is None")
    return value


def channel_dimension(shape, data_format, min_rank=1):
    """The static number of channels of ``shape`` in ``data_format`` ("NC..." or "N...C")."""
    if data_format and data_format.startswith("NC"):
        shape = as_shape(shape)
        if shape.ndims is None:
            raise ValueError("dims of shape must be known but is None")
        if shape.ndims < min_rank:
            raise ValueError("rank of shape must be at least %d not: %d"
                             % (min_rank, shape.ndims))
        value = shape[1].value
        if value is None:
            raise ValueError("channel dimension shape must be known but is None")
        return value
    return last_dimension(shape, min_rank)


def two_element_tuple(int_or_tuple):
    """``(a, b)`` from an int, a 2-element list/tuple or a 2-D TensorShape.

    Raises:
      ValueError: anything else.
    """
    if isinstance(int_or_tuple, (list, tuple)):
        if len(int_or_tuple) != 2:
            raise ValueError("Must be a list with 2 elements: %s" % (int_or_tuple,))
        return int(int_or_tuple[0]), int(int_or_tuple[1])
    if isinstance(int_or_tuple, (int, np.integer)):
        return int(int_or_tuple), int(int_or_tuple)
    if isinstance(int_or_tuple, TensorShape) and len(int_or_tuple) == 2:
        return int_or_tuple[0].value, int_or_tuple[1].value
    raise ValueError("Must be an int, a list with 2 elements or a TensorShape of length 2, "
                     "got %r" % (int_or_tuple,))


def n_positive_integers(n, value):
    """``value`` as a tuple of ``n`` positive ints (an int is repeated).

    Raises:
      TypeError / ValueError: not an int or a sequence of ``n`` positive ints.
    """
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        if value > 0:
            return (int(value),) * n
    else:
        try:
            values = tuple(value)
        except TypeError:
            values = None
        if values is not None:
            if len(values) == n and all(isinstance(v, (int, np.integer)) and v > 0
                                        for v in values):
                return tuple(int(v) for v in values)
            raise ValueError("Expected %d positive integers, got %r" % (n, value))
        raise TypeError("Expected an int or a sequence of %d ints, got %r" % (n, value))
    raise ValueError("Expected a positive integer, got %r" % (value,))
