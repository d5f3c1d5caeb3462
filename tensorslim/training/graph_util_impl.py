"""``tf.graph_util``: freezing and pruning GraphDefs.

:func:`convert_variables_to_constants` turns a trained graph into a frozen one: the part
of the GraphDef the outputs need, with every variable replaced by a ``Const`` of the same
name holding its current value, so the result loads in TensorFlow (and here) with
``import_graph_def`` and needs no checkpoint.
"""
import copy
import re

from tensorslim.core import tensor_util
from tensorslim.core.tensor_shape import TensorShape
from tensorslim.proto import attr_value_pb2, graph_pb2, node_def_pb2

__all__ = ["convert_variables_to_constants", "extract_sub_graph", "remove_training_nodes",
           "must_run_on_cpu", "tensor_shape_from_node_def_name"]

_VARIABLE_OPS = ("Variable", "VariableV2", "VarHandleOp")


def _node_name(name):
    """``"^a"`` / ``"a:1"`` -> ``"a"``."""
    if name.startswith("^"):
        return name[1:]
    return name.split(":")[0]


def _check_graph_def(graph_def):
    if not isinstance(graph_def, graph_pb2.GraphDef):
        raise TypeError("graph_def must be a graph_pb2.GraphDef proto.")


def extract_sub_graph(graph_def, dest_nodes):
    """The nodes of ``graph_def`` that ``dest_nodes`` depend on (data and control edges),
    in their original order.

    Args:
      graph_def: a GraphDef.
      dest_nodes: a list of node names.

    Returns:
      A new GraphDef.

    Raises:
      TypeError: ``graph_def`` is not a GraphDef or ``dest_nodes`` is a string.
      AssertionError: a name in ``dest_nodes`` is not in the graph.
    """
    _check_graph_def(graph_def)
    if isinstance(dest_nodes, str):
        raise TypeError("dest_nodes must be a list.")
    by_name = {}
    position = {}
    for i, node in enumerate(graph_def.node):
        by_name[node.name] = node
        position[node.name] = i
    for d in dest_nodes:
        if d not in by_name:
            raise AssertionError("%s is not in graph" % d)
    keep = set()
    stack = list(dest_nodes)
    while stack:
        name = stack.pop()
        if name in keep:
            continue
        keep.add(name)
        stack.extend(_node_name(i) for i in by_name[name].input if _node_name(i) in by_name)
    out = graph_pb2.GraphDef()
    out.node.extend(copy.deepcopy(by_name[n]) for n in sorted(keep, key=position.get))
    out.library.CopyFrom(graph_def.library)
    out.versions.CopyFrom(graph_def.versions)
    return out


def _const_node(name, dtype_attr, value):
    node = node_def_pb2.NodeDef(name=name, op="Const")
    node.attr["dtype"].CopyFrom(dtype_attr)
    node.attr["value"].CopyFrom(attr_value_pb2.AttrValue(
        tensor=tensor_util.make_tensor_proto(value, dtype=dtype_attr.type,
                                             shape=list(value.shape))))
    return node


def convert_variables_to_constants(sess, input_graph_def, output_node_names,
                                   variable_names_whitelist=None,
                                   variable_names_blacklist=None):
    """Freezes a graph: variables become Consts holding their values in ``sess``.

    Keeps only what ``output_node_names`` need (:func:`extract_sub_graph`), so
    initializers, savers and training ops disappear; each ``VariableV2`` node becomes a
    ``Const`` of the same name (its ``X/read`` Identity stays). Prints
    ``Converted N variables to const ops.``

    Args:
      sess: the Session holding the variables' values.
      input_graph_def: the GraphDef (``sess.graph_def``).
      output_node_names: the names of the nodes to keep (no ``:0``).
      variable_names_whitelist: only convert these variables.
      variable_names_blacklist: do not convert these variables.

    Returns:
      The frozen GraphDef.

    Raises:
      FailedPreconditionError: a variable is not initialized in ``sess``.
    """
    inference_graph = extract_sub_graph(input_graph_def, output_node_names)
    names = []
    for node in inference_graph.node:
        if node.op not in _VARIABLE_OPS:
            continue
        if variable_names_whitelist is not None and node.name not in variable_names_whitelist:
            continue
        if variable_names_blacklist is not None and node.name in variable_names_blacklist:
            continue
        if node.op == "VarHandleOp":
            raise NotImplementedError("tensorslim has no resource variables to freeze (%s)"
                                      % node.name)
        names.append(node.name)
    values = sess.run([n + ":0" for n in names]) if names else []
    data = dict(zip(names, values))
    out = graph_pb2.GraphDef()
    converted = 0
    for node in inference_graph.node:
        if node.name in data:
            out.node.extend([_const_node(node.name, node.attr["dtype"], data[node.name])])
            converted += 1
        else:
            out.node.extend([copy.deepcopy(node)])
    out.library.CopyFrom(inference_graph.library)
    out.versions.CopyFrom(inference_graph.versions)
    print("Converted %d variables to const ops." % converted)
    return out


def remove_training_nodes(input_graph, protected_nodes=None):
    """Removes nodes only training needs: ``CheckNumerics`` and ``Identity`` nodes are
    spliced out (their consumers read the node's input directly), except Identities with
    control inputs or used as control inputs, and ``protected_nodes``.

    Args:
      input_graph: a GraphDef.
      protected_nodes: names of nodes to keep.

    Returns:
      A new GraphDef.
    """
    protected = set(protected_nodes or [])
    # TF drops the edges into a removed CheckNumerics, leaving its consumers without that
    # input; here they read the checked tensor instead (CheckNumerics is an identity).
    removed = {n.name: n.input[0] for n in input_graph.node
               if n.op == "CheckNumerics" and n.name not in protected and n.input}
    after_removal = []
    for node in input_graph.node:
        if node.name in removed:
            continue
        new = node_def_pb2.NodeDef()
        new.CopyFrom(node)
        del new.input[:]
        for full in node.input:
            control = full.startswith("^")
            name = full.lstrip("^")
            while name in removed:
                name = removed[name]
                full = ("^" + _node_name(name)) if control else name
            new.input.append(full)
        after_removal.append(new)

    control_inputs = set()
    with_control_input = set()
    for node in after_removal:
        for i in node.input:
            if i.startswith("^"):
                control_inputs.add(i[1:])
                with_control_input.add(node.name)
    splice = {n.name: n.input[0] for n in after_removal
              if n.op == "Identity" and n.name not in protected and
              n.name not in with_control_input and n.name not in control_inputs}

    out_nodes = []
    for node in after_removal:
        if node.name in splice:
            continue
        new = node_def_pb2.NodeDef()
        new.CopyFrom(node)
        del new.input[:]
        for full in node.input:
            name = re.sub(r"^\^", "", full)
            while name in splice:
                full = splice[name]
                name = re.sub(r"^\^", "", full)
            new.input.append(full)
        out_nodes.append(new)
    out = graph_pb2.GraphDef()
    out.node.extend(out_nodes)
    return out


def must_run_on_cpu(node, pin_variables_on_cpu=False):
    """Whether a node (NodeDef or Operation) must be placed on the CPU."""
    if hasattr(node, "node_def") and not isinstance(node, node_def_pb2.NodeDef):
        node = node.node_def
    if pin_variables_on_cpu and node.op in _VARIABLE_OPS:
        return True
    if node.op == "Const":
        dtype = node.attr["dtype"].type
        return dtype in (7, 3)  # DT_STRING, DT_INT32
    if node.op in ("DynamicStitch", "ParallelDynamicStitch"):
        dtype = node.attr["T"].type
        return dtype == 3
    return node.op == "Cast" and node.attr["SrcT"].type == 3  # Cast of int32


def tensor_shape_from_node_def_name(graph, input_name):
    """The static shape of tensor ``input_name`` (``"x"`` means ``"x:0"``) of ``graph``."""
    if ":" not in input_name:
        input_name += ":0"
    return TensorShape(graph.get_tensor_by_name(input_name).shape)
