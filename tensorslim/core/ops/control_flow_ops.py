"""Control flow: no_op, group, tuple, with_dependencies, and the nested-structure helpers the
conditional and loop builders share (``cond`` and ``while_loop`` live in ``cond_ops`` and
``while_ops``)."""
import collections

from tensorslim.core.graph import (Operation, Tensor, control_dependencies, convert_to_tensor,
                                   get_default_graph, name_scope)
from tensorslim.core.ops import array_ops
from tensorslim.core.registry import not_differentiable_marker, register_op

__all__ = ["no_op", "group", "tuple_", "with_dependencies", "flatten", "pack_sequence_as",
           "assert_same_structure", "is_sequence"]

register_op("NoOp", kernel=lambda ctx: None, grad=not_differentiable_marker())


def no_op(name=None):
    """``tf.no_op``: an op that does nothing (useful as a control-dependency anchor)."""
    return get_default_graph().create_op("NoOp", [], [], name=name or "NoOp")


def _as_op(x):
    if isinstance(x, Operation):
        return x
    if isinstance(x, Tensor):
        return x.op
    if hasattr(x, "_as_graph_element"):
        e = x._as_graph_element()
        return e.op if isinstance(e, Tensor) else e
    raise TypeError("Expected a Tensor, Variable or Operation, got %r" % (x,))


def group(*inputs, **kwargs):
    """``tf.group``: an op that runs all of ``inputs`` (its value is None).

    Args:
      *inputs: Tensors, Operations or Variables (lists are flattened).
      name: the op's name (keyword only).
    """
    name = kwargs.pop("name", None)
    if kwargs:
        raise TypeError("Unknown keyword arguments: " + ", ".join(kwargs.keys()))
    flat = []
    for i in inputs:
        if isinstance(i, (list, tuple)):
            flat.extend(i)
        elif isinstance(i, dict):
            flat.extend(i.values())
        else:
            flat.append(i)
    ops = [_as_op(x) for x in flat if x is not None]
    with name_scope(name, "group_deps", ops) as scope:
        with control_dependencies(ops):
            return no_op(name=scope)


def tuple_(tensors, name=None, control_inputs=None):
    """``tf.tuple``: the same tensors, each available only after all of them are computed."""
    with name_scope(name, "tuple", tensors):
        gating = [t for t in tensors if t is not None]
        deps = [_as_op(t) for t in gating] + [_as_op(c) for c in (control_inputs or [])]
        gate = group(*deps)
        out = []
        for t in tensors:
            if t is None:
                out.append(None)
            elif isinstance(t, Operation):
                with control_dependencies([gate]):
                    out.append(group(t))
            else:
                out.append(with_dependencies([gate], t))
        return out


def with_dependencies(dependencies, output_tensor, name=None):
    """``output_tensor``'s value, produced only after ``dependencies`` have run."""
    with name_scope(name, "control_dependency", list(dependencies) + [output_tensor]) as scope:
        with control_dependencies(dependencies):
            output_tensor = convert_to_tensor(output_tensor)
            return array_ops.identity(output_tensor, name=scope)


# --------------------------------------------------------------------------- nest

def is_sequence(x):
    """Whether ``x`` is a list, tuple (namedtuple included) or dict, as ``nest`` sees it."""
    return isinstance(x, (list, tuple, dict, collections.OrderedDict))


def _sorted_keys(d):
    return list(d.keys()) if isinstance(d, collections.OrderedDict) else sorted(d)


def _children(x):
    if isinstance(x, dict):
        return [x[k] for k in _sorted_keys(x)]
    return list(x)


def flatten(structure):
    """The leaves of a nested list/tuple/dict structure, depth first (dicts by sorted key)."""
    if not is_sequence(structure):
        return [structure]
    out = []
    for child in _children(structure):
        out.extend(flatten(child))
    return out


def _pack(structure, flat, index):
    if not is_sequence(structure):
        return flat[index], index + 1
    items = []
    for child in _children(structure):
        packed, index = _pack(child, flat, index)
        items.append(packed)
    if isinstance(structure, dict):
        keys = _sorted_keys(structure)
        result = type(structure)((k, v) for k, v in zip(keys, items)) \
            if not isinstance(structure, collections.defaultdict) else dict(zip(keys, items))
        return result, index
    if isinstance(structure, tuple) and hasattr(structure, "_fields"):
        return type(structure)(*items), index
    return type(structure)(items), index


def pack_sequence_as(structure, flat_sequence):
    """Rebuilds ``structure``'s nesting with the leaves of ``flat_sequence``.

    Raises:
      ValueError: the number of leaves differs.
    """
    flat_sequence = list(flat_sequence)
    n = len(flatten(structure))
    if n != len(flat_sequence):
        raise ValueError("Could not pack sequence. Structure had %d elements, but "
                         "flat_sequence had %d elements.  Structure: %s, flat_sequence: %s."
                         % (n, len(flat_sequence), structure, flat_sequence))
    return _pack(structure, flat_sequence, 0)[0]


def assert_same_structure(nest1, nest2):
    """Raises ValueError (TypeError for differing sequence types) unless the nestings match."""
    def check(a, b):
        if is_sequence(a) != is_sequence(b):
            raise ValueError("The two structures don't have the same nested structure.\n\n"
                             "First structure: %s\n\nSecond structure: %s" % (nest1, nest2))
        if not is_sequence(a):
            return
        if isinstance(a, dict) != isinstance(b, dict):
            raise TypeError("The two structures don't have the same sequence type. First "
                            "structure has type %s, while second structure has type %s."
                            % (type(a), type(b)))
        if isinstance(a, dict) and _sorted_keys(a) != _sorted_keys(b):
            raise ValueError("The two dictionaries don't have the same set of keys. First "
                             "structure has keys %s, while second structure has keys %s."
                             % (_sorted_keys(a), _sorted_keys(b)))
        ca, cb = _children(a), _children(b)
        if len(ca) != len(cb):
            raise ValueError("The two structures don't have the same number of elements.\n\n"
                             "First structure: %s\n\nSecond structure: %s" % (nest1, nest2))
        for x, y in zip(ca, cb):
            check(x, y)
    check(nest1, nest2)
