"""Graphs as protocol buffers: Operation -> NodeDef, Graph -> GraphDef, AttrValue <-> Python.

Every Operation keeps its attrs as Python values under TensorFlow's attr names (see
``docs/ARCHITECTURE.md``); this module is the one place that maps them onto ``AttrValue``
messages and back:

=====================  ==============================
Python value           AttrValue field
=====================  ==============================
DType                  ``type``
bool                   ``b``
int                    ``i``
float                  ``f``
str / bytes            ``s`` (str is UTF-8 encoded)
TensorShape            ``shape``
numpy array            ``tensor`` (a TensorProto)
list / tuple of those  ``list`` (``list {}`` when empty)
=====================  ==============================

:func:`python_value_of` is the inverse used by the importer: ``s`` comes back as ``str``
when it is valid UTF-8 (as the op builders store strings), tensors as read-only numpy
arrays.
"""
import logging

import numpy as np

from tensorslim.core import dtypes as _dtypes
from tensorslim.core import tensor_util
from tensorslim.core.tensor_shape import Dimension, TensorShape
from tensorslim.proto import (attr_value_pb2, graph_pb2, node_def_pb2, tensor_pb2,
                              tensor_shape_pb2)

__all__ = ["attr_value_of", "python_value_of", "node_def_of", "graph_to_graph_def",
           "shape_list_attr"]

_logger = logging.getLogger("tensorslim")


def _is_shape_like(value):
    if isinstance(value, (TensorShape, tensor_shape_pb2.TensorShapeProto)):
        return True
    if isinstance(value, (list, tuple)):
        return all(d is None or isinstance(d, (int, np.integer, Dimension)) and
                   not isinstance(d, bool) for d in value)
    return False


def _shape_proto(value):
    if isinstance(value, TensorShape):
        return value.as_proto()
    return tensor_util.tensor_shape_proto(value)


def _tensor_proto(value, dtype=None):
    if dtype is not None and _dtypes.as_dtype(dtype).base_dtype == _dtypes.bfloat16:
        return tensor_util.make_tensor_proto(value, dtype=dtype)
    return tensor_util.make_tensor_proto(np.asarray(value) if not isinstance(
        value, np.ndarray) else value)


def _fill_list(list_value, items):
    """Fills an ``AttrValue.ListValue`` from a Python list; False if an item can't map."""
    if not items:
        return True
    first = items[0]
    if all(isinstance(x, _dtypes.DType) for x in items):
        list_value.type.extend(x.base_dtype.as_datatype_enum for x in items)
    elif all(isinstance(x, (bool, np.bool_)) for x in items):
        list_value.b.extend(bool(x) for x in items)
    elif all(isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_))
             for x in items):
        list_value.i.extend(int(x) for x in items)
    elif all(isinstance(x, (int, float, np.integer, np.floating)) and
             not isinstance(x, (bool, np.bool_)) for x in items):
        list_value.f.extend(float(x) for x in items)
    elif all(isinstance(x, (str, bytes)) for x in items):
        list_value.s.extend(x.encode("utf-8") if isinstance(x, str) else x for x in items)
    elif all(_is_shape_like(x) for x in items):
        list_value.shape.extend(_shape_proto(x) for x in items)
    elif all(isinstance(x, np.ndarray) for x in items):
        list_value.tensor.extend(_tensor_proto(x) for x in items)
    elif isinstance(first, attr_value_pb2.NameAttrList):
        list_value.func.extend(items)
    else:
        return False
    return True


def attr_value_of(value, dtype=None):
    """Returns the ``AttrValue`` for a Python attr value, or None if it has no proto form.

    Args:
      value: the attr value, as op builders store it (see the module docstring).
      dtype: for a numpy ``value``, the DType the tensor should carry (Const's ``dtype``),
        so that bfloat16 values stored as float32 arrays are encoded as bfloat16.
    """
    av = attr_value_pb2.AttrValue()
    if isinstance(value, attr_value_pb2.AttrValue):
        av.CopyFrom(value)
    elif isinstance(value, _dtypes.DType):
        av.type = value.base_dtype.as_datatype_enum
    elif isinstance(value, (bool, np.bool_)):
        av.b = bool(value)
    elif isinstance(value, (int, np.integer)):
        av.i = int(value)
    elif isinstance(value, (float, np.floating)):
        av.f = float(value)
    elif isinstance(value, str):
        av.s = value.encode("utf-8")
    elif isinstance(value, bytes):
        av.s = value
    elif isinstance(value, (TensorShape, tensor_shape_pb2.TensorShapeProto)):
        av.shape.CopyFrom(_shape_proto(value))
    elif isinstance(value, np.ndarray):
        av.tensor.CopyFrom(_tensor_proto(value, dtype))
    elif isinstance(value, attr_value_pb2.NameAttrList):
        av.func.CopyFrom(value)
    elif isinstance(value, (list, tuple)):
        av.list.SetInParent()
        if not _fill_list(av.list, list(value)):
            return None
    elif isinstance(value, tensor_pb2.TensorProto):
        av.tensor.CopyFrom(value)
    else:
        return None
    return av


def _decode_s(b):
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        return b


def _tensor_value(proto):
    arr = tensor_util.MakeNdarray(proto)
    if isinstance(arr, np.ndarray):
        arr.setflags(write=False)
    return arr


def python_value_of(av):
    """Returns the Python value op builders use for an ``AttrValue`` (inverse of
    :func:`attr_value_of`): DType, bool, int, float, str (bytes when not UTF-8),
    TensorShape, read-only numpy array, or a list of those."""
    kind = av.WhichOneof("value")
    if kind == "type":
        return _dtypes.as_dtype(av.type)
    if kind == "b":
        return bool(av.b)
    if kind == "i":
        return int(av.i)
    if kind == "f":
        return float(av.f)
    if kind == "s":
        return _decode_s(av.s)
    if kind == "shape":
        return TensorShape(av.shape)
    if kind == "tensor":
        return _tensor_value(av.tensor)
    if kind == "func":
        return av.func
    if kind == "placeholder":
        return av.placeholder
    if kind == "list":
        lv = av.list
        if len(lv.type):
            return [_dtypes.as_dtype(t) for t in lv.type]
        if len(lv.i):
            return [int(x) for x in lv.i]
        if len(lv.f):
            return [float(x) for x in lv.f]
        if len(lv.b):
            return [bool(x) for x in lv.b]
        if len(lv.s):
            return [_decode_s(x) for x in lv.s]
        if len(lv.shape):
            return [TensorShape(s) for s in lv.shape]
        if len(lv.tensor):
            return [_tensor_value(t) for t in lv.tensor]
        if len(lv.func):
            return list(lv.func)
        return []
    return None


def shape_list_attr(tensors):
    """The ``_output_shapes`` AttrValue for a list of tensors."""
    av = attr_value_pb2.AttrValue()
    av.list.SetInParent()
    av.list.shape.extend(t.shape.as_proto() for t in tensors)
    return av


def node_def_of(op, add_shapes=False):
    """Returns the ``NodeDef`` of Operation ``op``.

    Inputs are ``name`` (output 0) or ``name:i``, then ``^name`` for control inputs; attrs
    with no proto form (Python objects an op keeps for itself) are left out.
    """
    node = node_def_pb2.NodeDef(name=op.name, op=op.type)
    node.input.extend(t._as_node_def_input() for t in op._inputs)
    node.input.extend("^" + c.name for c in op._control_inputs)
    if op.device:
        node.device = op.device
    attrs = op._attrs
    dtype = attrs.get("dtype") if isinstance(attrs.get("dtype"), _dtypes.DType) else None
    for key in sorted(attrs):
        value = attrs[key]
        if value is None:
            continue
        av = attr_value_of(value, dtype if key == "value" else None)
        if av is None:
            _logger.debug("attr %s of %s has no AttrValue form; not serialized", key, op.name)
            continue
        node.attr[key].CopyFrom(av)
    if add_shapes and op._outputs:
        node.attr["_output_shapes"].CopyFrom(shape_list_attr(op._outputs))
    return node


def graph_to_graph_def(graph, add_shapes=False):
    """Returns the ``GraphDef`` of ``graph``: its nodes in creation order and its versions.

    Args:
      graph: a :class:`~tensorslim.core.graph.Graph`.
      add_shapes: add an ``_output_shapes`` attr with each node's static output shapes.
    """
    graph_def = graph_pb2.GraphDef()
    with graph._lock:
        ops = list(graph._ops)
    graph_def.node.extend(node_def_of(op, add_shapes) for op in ops)
    graph_def.versions.CopyFrom(graph.graph_def_versions)
    return graph_def
