"""Helpers shared by op definitions: building nodes, dtype checks, shape functions."""
from tensorslim.core import dtypes as _dtypes
from tensorslim.core.graph import (Tensor, convert_to_tensor, get_default_graph,
                                   _graph_from_values)
from tensorslim.core.tensor_shape import Dimension, TensorShape, unknown_shape

__all__ = ["apply_op", "broadcast_shapes", "broadcast_shape_fn", "same_shape_fn",
           "binary_inputs", "check_same_dtype", "constant_value", "static_int_list",
           "unknown_shape_fn"]


def apply_op(op_type, inputs, dtypes, attrs=None, name=None):
    """Creates an op of ``op_type`` in the graph of ``inputs`` and returns the Operation."""
    graph = inputs[0].graph if inputs else get_default_graph()
    if graph is not get_default_graph():
        default = get_default_graph()
        if default._building_function:  # tracing a tf.data function: it captures the input
            return default.create_op(op_type, list(inputs), dtypes, name=name, attrs=attrs)
        with graph.as_default():
            return graph.create_op(op_type, list(inputs), dtypes, name=name, attrs=attrs)
    return graph.create_op(op_type, list(inputs), dtypes, name=name, attrs=attrs)


def check_same_dtype(op_type, names, tensors):
    """TypeError naming the input whose dtype differs from the first one's (as TF)."""
    first = tensors[0].dtype.base_dtype
    for n, t in zip(names[1:], tensors[1:]):
        if t.dtype.base_dtype != first:
            raise TypeError("Input '%s' of '%s' Op has type %s that does not match type %s "
                            "of argument '%s'." % (n, op_type, t.dtype.base_dtype.name,
                                                   first.name, names[0]))


def binary_inputs(x, y, op_type, names=("x", "y")):
    """Converts a binary op's arguments to tensors of one dtype, as TF1's op builder does.

    A Python or numpy value takes the dtype of the Tensor on the other side.
    """
    if isinstance(x, Tensor) or hasattr(x, "_as_graph_element"):
        x = convert_to_tensor(x)
        y = convert_to_tensor(y, dtype=x.dtype.base_dtype) if not _is_tensorlike(y) \
            else convert_to_tensor(y)
    elif _is_tensorlike(y):
        y = convert_to_tensor(y)
        x = convert_to_tensor(x, dtype=y.dtype.base_dtype)
    else:
        x = convert_to_tensor(x)
        y = convert_to_tensor(y, dtype=x.dtype.base_dtype)
    check_same_dtype(op_type, names, [x, y])
    return x, y


def _is_tensorlike(v):
    return isinstance(v, Tensor) or (hasattr(v, "_as_graph_element") and
                                     not isinstance(v, (list, tuple)))


def broadcast_shapes(a, b):
    """The numpy broadcast of two TensorShapes; ValueError when they can't broadcast."""
    if a.ndims is None or b.ndims is None:
        return unknown_shape()
    da, db = a.as_list(), b.as_list()
    n = max(len(da), len(db))
    da = [1] * (n - len(da)) + da
    db = [1] * (n - len(db)) + db
    out = []
    for x, y in zip(da, db):
        if x == 1:
            out.append(y)
        elif y == 1:
            out.append(x)
        elif x is None:
            out.append(y)
        elif y is None:
            out.append(x)
        elif x == y:
            out.append(x)
        else:
            raise ValueError("Dimensions must be equal, but are %d and %d" % (x, y))
    return TensorShape(out)


def broadcast_shape_fn(op):
    return [broadcast_shapes(op.inputs[0].shape, op.inputs[1].shape)]


def same_shape_fn(op):
    return [op.inputs[0].shape]


def unknown_shape_fn(op):
    return [unknown_shape() for _ in op.outputs]


def constant_value(tensor):
    """The value of ``tensor`` when it can be computed at graph-construction time, else None.

    Follows Const, and Shape/Size/Rank of tensors whose static shape is known, plus a few
    cheap ops (Identity, Cast, Pack, ConcatV2 of such values), as TF's constant_value does.
    """
    import numpy as np
    if not isinstance(tensor, Tensor):
        return None
    if hasattr(tensor, "_concrete_value"):  # an eager tensor knows its value
        return tensor._concrete_value()
    op = tensor.op
    t = op.type
    if t == "Const":
        return op.get_attr("value")
    if t == "Shape":
        s = op.inputs[0].shape
        if s.is_fully_defined():
            return np.array(s.as_list(), dtype=op.get_attr("out_type").as_numpy_dtype)
        return None
    if t == "Size":
        n = op.inputs[0].shape.num_elements()
        return None if n is None else np.array(n, dtype=op.get_attr("out_type").as_numpy_dtype)
    if t == "Rank":
        r = op.inputs[0].shape.ndims
        return None if r is None else np.array(r, dtype=np.int32)
    if t in ("Identity", "StopGradient"):
        return constant_value(op.inputs[0])
    if t == "Cast":
        v = constant_value(op.inputs[0])
        return None if v is None else np.asarray(v).astype(op.get_attr("DstT").as_numpy_dtype)
    if t == "Pack":
        vals = [constant_value(i) for i in op.inputs]
        if any(v is None for v in vals):
            return None
        return np.stack(vals, axis=op.get_attr("axis"))
    if t == "ConcatV2":
        vals = [constant_value(i) for i in op.inputs]
        if any(v is None for v in vals):
            return None
        return np.concatenate(vals[:-1], axis=int(vals[-1]))
    return None


def static_int_list(tensor):
    """``constant_value`` as a list of ints (None when unknown)."""
    v = constant_value(tensor)
    if v is None:
        return None
    return [int(x) for x in __import__("numpy").asarray(v).reshape(-1)]


def shape_from_shape_tensor(tensor):
    """A TensorShape from a 1-D shape tensor, with unknown dims where not computable."""
    import numpy as np
    v = constant_value(tensor)
    if v is not None:
        return TensorShape([None if d < 0 else int(d) for d in np.asarray(v).reshape(-1)])
    if tensor.op.type == "Shape":
        return tensor.op.inputs[0].shape
    if tensor.op.type == "Pack":
        dims = []
        for i in tensor.op.inputs:
            c = constant_value(i)
            dims.append(None if c is None or int(c) < 0 else int(c))
        return TensorShape(dims)
    if tensor.shape.ndims == 1 and tensor.shape[0].value is not None:
        return unknown_shape(tensor.shape[0].value)
    return unknown_shape()
