"""Control flow: no_op, group, tuple, with_dependencies (cond and while_loop live in
``cond_ops`` and ``while_ops``)."""
from tensorslim.core.graph import (Operation, Tensor, control_dependencies, convert_to_tensor,
                                   get_default_graph, name_scope)
from tensorslim.core.ops import array_ops
from tensorslim.core.registry import not_differentiable_marker, register_op

__all__ = ["no_op", "group", "tuple_", "with_dependencies"]

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
    with name_scope(name, "tuple", tensors) as scope:
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
