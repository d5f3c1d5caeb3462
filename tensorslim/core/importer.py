"""``tf.import_graph_def``: rebuilds Operations from a GraphDef in the default graph.

Nodes are created in dependency order with their names prefixed by ``import/`` (or the
``name`` given), their attrs converted back to the Python values op builders use
(:func:`tensorslim.core.graph_io.python_value_of`), missing attrs filled with TF's
defaults, and shape functions re-run. A NodeDef does not say how many outputs a node has
nor their types; they come from the OpDefs of ``producer_op_list`` when given (a
MetaGraphDef's ``stripped_op_list``), else from the table of op signatures at the end of
this module, the one place that holds those TF facts.
"""
import heapq

import numpy as np

from tensorslim.core import dtypes as _dtypes
from tensorslim.core import errors, registry
from tensorslim.core import graph as _graph
from tensorslim.core.graph_io import python_value_of
from tensorslim.core.tensor_shape import TensorShape, unknown_shape
from tensorslim.proto import graph_pb2

__all__ = ["import_graph_def", "output_dtypes", "default_attrs", "OUTPUT_SPECS"]

_MERGE_TYPES = ("Merge", "RefMerge")
# Functional ops run graphs held in the GraphDef's function library, which is not imported.
_FUNCTION_OPS = frozenset(["While", "StatelessWhile", "If", "StatelessIf", "Case",
                           "PartitionedCall", "StatefulPartitionedCall"])
_FUNCTION_OPS_NOTE = ": its cond/body functions (GraphDef library) are not imported"


def _parse_input(s):
    """``"^a"`` -> ("a", -1); ``"a:2"`` -> ("a", 2); ``"a"`` -> ("a", 0)."""
    if s.startswith("^"):
        return s[1:], -1
    name, sep, index = s.rpartition(":")
    if sep and index.isdigit():
        return name, int(index)
    return s, 0


def _tensor_key(name, index):
    return "^" + name if index < 0 else "%s:%d" % (name, index)


def _check_args(graph_def, input_map, return_elements):
    if not isinstance(graph_def, graph_pb2.GraphDef):
        raise TypeError("graph_def must be a GraphDef proto.")
    if input_map is None:
        input_map = {}
    elif not isinstance(input_map, dict) or \
            not all(isinstance(k, str) for k in input_map):
        raise TypeError("input_map must be a dictionary mapping strings to Tensor objects.")
    if return_elements is not None:
        if isinstance(return_elements, str) or \
                not all(isinstance(x, str) for x in return_elements):
            raise TypeError("return_elements must be a list of strings.")
        return_elements = list(return_elements)
    return input_map, return_elements


def _normalize_input_map(input_map):
    out = {}
    for key, value in input_map.items():
        name, index = _parse_input(key)
        out[_tensor_key(name, index)] = value
    return out


def _convert_input_map(input_map, name):
    out = {}
    for key, value in input_map.items():
        if key.startswith("^"):
            if isinstance(value, _graph.Tensor):
                value = value.op
            if not isinstance(value, _graph.Operation):
                raise TypeError("input_map entry %s must map to an Operation, got %r"
                                % (key, value))
        elif not isinstance(value, _graph.Tensor):
            if name == "":
                raise ValueError(
                    "tf.import_graph_def() requires a non-empty `name` if `input_map` "
                    "contains non-Tensor values. Try calling tf.convert_to_tensor() on "
                    "`input_map` values before calling tf.import_graph_def().")
            value = _graph.convert_to_tensor(value)
        out[key] = value
    return out


def _node_attrs(node, op_def):
    if op_def is not None:
        attrs = defaults_from_op_def(op_def)
    else:
        attrs = default_attrs(node.op)
    for key, av in node.attr.items():
        attrs[key] = python_value_of(av)
    return attrs


def _topological_order(nodes, deps):
    """Kahn's order over ``deps`` (name -> set of names), GraphDef order among the ready.
    Cycles are broken at Merge nodes (the back edge of a while loop), whose late inputs are
    patched after every node exists.

    Returns:
      ``(order, late)``: node names in creation order, and ``{name: set of late inputs}``.
    """
    pending = {n: set(d) for n, d in deps.items()}
    consumers = {n: [] for n in deps}
    for n, ds in deps.items():
        for d in ds:
            consumers[d].append(n)
    position = {n: i for i, n in enumerate(nodes)}
    ready = [position[n] for n in nodes if not pending[n]]
    heapq.heapify(ready)
    names = list(nodes)
    order, late, done = [], {}, set()
    while len(order) < len(nodes):
        if not ready:
            candidates = [n for n in names if n not in done and nodes[n].op in _MERGE_TYPES
                          and len(pending[n]) < len(deps[n])]
            if not candidates:
                stuck = sorted(n for n in names if n not in done)
                raise ValueError("GraphDef contains a cycle that does not pass through a "
                                 "Merge node; nodes involved: %s" % ", ".join(stuck[:20]))
            n = candidates[0]
            late[n] = set(pending[n])
            pending[n] = set()
            heapq.heappush(ready, position[n])
        n = names[heapq.heappop(ready)]
        if n in done:
            continue
        order.append(n)
        done.add(n)
        for c in consumers[n]:
            if n in pending[c]:
                pending[c].discard(n)
                if not pending[c] and c not in done:
                    heapq.heappush(ready, position[c])
    return order, late


def _existing_names(graph):
    names = set()
    for full in graph._nodes_by_name:
        parts = full.split("/")
        for i in range(1, len(parts) + 1):
            names.add("/".join(parts[:i]))
    return names


def import_graph_def(graph_def, input_map=None, return_elements=None, name=None,
                     op_dict=None, producer_op_list=None):
    """Imports the nodes of ``graph_def`` into the default graph (``tf.import_graph_def``).

    Args:
      graph_def: a ``GraphDef`` proto.
      input_map: maps names of tensors in ``graph_def`` (``"x:0"``, or ``"x"`` for output 0,
        ``"^x"`` for a control input) to Tensors (Operations) of the default graph that
        replace them as inputs of the imported nodes.
      return_elements: names in ``graph_def`` to return: ``"op"`` gives the imported
        Operation, ``"op:0"`` its output Tensor.
      name: prefix of the imported names (default ``"import"``, made unique as a name
        scope); ``""`` imports the names unchanged (renaming ``x`` to ``x_1`` when taken).
      op_dict: ignored (deprecated in TF).
      producer_op_list: an ``OpList`` whose OpDefs give output types and attr defaults.

    Returns:
      The Operations and Tensors named in ``return_elements``, in order, or None.

    Raises:
      TypeError: ``graph_def`` is not a GraphDef, or ``input_map`` / ``return_elements``
        have the wrong types.
      ValueError: an input, an input_map key or a return element names no node of
        ``graph_def``, a mapped tensor has the wrong dtype, or a shape function rejects a
        node. A failed import leaves the graph unchanged.
      NotFoundError: ``graph_def`` uses op types tensorslim does not have (all listed).
    """
    del op_dict
    input_map, return_elements = _check_args(graph_def, input_map, return_elements)
    input_map = _normalize_input_map(input_map)
    op_defs = {o.name: o for o in producer_op_list.op} if producer_op_list else {}

    nodes = {}
    for node in graph_def.node:
        if node.name in nodes:
            raise ValueError("Duplicate node name in graph: '%s'" % node.name)
        nodes[node.name] = node
    unsupported = {}
    for node in graph_def.node:
        if not registry.has_op_def(node.op) or node.op in _FUNCTION_OPS:
            unsupported.setdefault(node.op, []).append(node.name)
    if unsupported:
        lines = ["  %s (%d node(s), e.g. '%s')%s"
                 % (t, len(v), v[0], _FUNCTION_OPS_NOTE if t in _FUNCTION_OPS else "")
                 for t, v in sorted(unsupported.items())]
        missing = sorted(t for t in unsupported if not registry.has_op_def(t))
        functional = sorted(t for t in unsupported if registry.has_op_def(t))
        what = []
        if missing:
            what.append("Op type not registered %s in tensorslim"
                        % ", ".join("'%s'" % t for t in missing))
        if functional:
            what.append("functional control flow %s cannot be imported"
                        % ", ".join("'%s'" % t for t in functional))
        raise errors.NotFoundError(
            None, None, "%s; the GraphDef uses %d op type(s) tensorslim cannot import:\n%s"
            % ("; ".join(what), len(unsupported), "\n".join(lines)))

    # Inputs of every node; input_map entries cut the edge to the imported producer.
    inputs = {}
    deps = {}
    for node in graph_def.node:
        parsed = []
        node_deps = set()
        for s in node.input:
            src, index = _parse_input(s)
            key = _tensor_key(src, index)
            if key not in input_map:
                if src not in nodes:
                    raise ValueError("Node '%s': Unknown input node '%s'" % (node.name, s))
                node_deps.add(src)
            parsed.append((src, index, key))
        inputs[node.name] = parsed
        deps[node.name] = node_deps
    missing = sorted(k for k in input_map if _parse_input(k)[0] not in nodes)
    if missing:
        raise ValueError("Attempted to map inputs that were not found in graph_def: [%s]"
                         % ", ".join(missing))
    if return_elements is not None:
        for r in return_elements:
            if _parse_input(r)[0] not in nodes:
                raise ValueError("Requested return_element %r not found in graph_def." % r)

    graph = _graph.get_default_graph()
    values = [v for v in input_map.values() if isinstance(v, (_graph.Tensor,
                                                              _graph.Operation))]
    with _graph.name_scope(name, "import", values or None) as scope:
        prefix = scope[:-1] if scope else ""
        input_map = _convert_input_map(input_map, name)

    order, late = _topological_order(nodes, deps)
    new_names = _unique_names(graph, order, nodes, prefix)
    created = {}
    fixups = []
    context_deps = graph._current_control_dependencies()
    saved = (graph._colocation_stack, graph._control_dependencies_stack,
             graph._gradient_override_map)
    graph._colocation_stack, graph._control_dependencies_stack = [], []
    graph._gradient_override_map = {}
    colocated = []
    try:
        for node_name in order:
            node = nodes[node_name]
            op_def = op_defs.get(node.op)
            attrs = _node_attrs(node, op_def)
            shapes_attr = attrs.pop("_output_shapes", None)
            if "_class" in attrs:
                attrs["_class"] = [_rename_loc(c, new_names, prefix) for c in attrs["_class"]]
            try:
                out_types = outputs_from_op_def(op_def, attrs) if op_def is not None \
                    else output_dtypes(node.op, attrs)
            except ValueError as e:
                raise ValueError("Node '%s': %s" % (node.name, e)) from None
            data_inputs, control_inputs = [], []
            for src, index, key in inputs[node_name]:
                if key in input_map:
                    value = input_map[key]
                elif src in late.get(node_name, ()):
                    fixups.append((node_name, len(data_inputs), src, index))
                    if index < 0:
                        continue
                    value = None
                elif index < 0:
                    value = created[src]
                else:
                    producer = created[src]
                    if index >= len(producer._outputs):
                        raise ValueError("Node '%s': Connecting to invalid output %d of source "
                                         "node %s which has %d outputs."
                                         % (node.name, index, src, len(producer._outputs)))
                    value = producer._outputs[index]
                if index < 0:
                    control_inputs.append(value)
                else:
                    data_inputs.append(value)
            if any(v is None for v in data_inputs):
                stand_in = next(v for v in data_inputs if v is not None)
                data_inputs = [stand_in if v is None else v for v in data_inputs]
            op = graph.create_op(node.op, data_inputs, out_types, name=new_names[node_name] + "/",
                                 attrs=attrs, compute_shapes=True, compute_device=False)
            _set_static_shapes(op, shapes_attr)
            if not deps[node_name] and context_deps:
                control_inputs = list(context_deps) + control_inputs
            op._add_control_inputs([c for c in control_inputs if c is not op])
            _set_device(graph, op, node.device)
            if op._attrs.get("_class"):
                colocated.append(op)
            created[node_name] = op
        for node_name, i, src, index in fixups:
            if index < 0:
                created[node_name]._add_control_input(created[src])
            else:
                created[node_name]._update_input(i, created[src]._outputs[index])
        for op in colocated:
            target = graph._nodes_by_name.get(op._colocation_target())
            if target is not None and target is not op and target.device:
                op._set_device(target.device)
        _check_input_map_types(input_map, created)
    except BaseException:
        # As TensorFlow: a failed import leaves the graph as it was.
        _remove_ops(graph, list(created.values()))
        raise
    finally:
        (graph._colocation_stack, graph._control_dependencies_stack,
         graph._gradient_override_map) = saved
    graph._version += 1

    if return_elements is None:
        return None
    results = []
    for r in return_elements:
        src, index = _parse_input(r)
        op = created[src]
        if ":" in r:
            if index >= len(op._outputs):
                raise ValueError("Requested return_element %r not found in graph_def." % r)
            results.append(op._outputs[index])
        else:
            results.append(op)
    return results


def _check_input_map_types(input_map, created):
    for key, value in input_map.items():
        src, index = _parse_input(key)
        if index < 0 or src not in created or index >= len(created[src]._outputs):
            continue
        expected = created[src]._outputs[index].dtype.base_dtype
        if value.dtype.base_dtype != expected:
            raise ValueError("Input map for %s was passed %s from %s incompatible with "
                             "expected %s." % (key, value.dtype.base_dtype.name, value.name,
                                               expected.name))


def _remove_ops(graph, ops):
    """Takes freshly created ops out of ``graph`` again (a failed import)."""
    gone = set(ops)
    for op in ops:
        graph._nodes_by_name.pop(op.name, None)
        for t in op._inputs:
            if op in t._consumers:
                t._consumers.remove(op)
        for c in op._control_inputs:
            if op in c._control_outputs:
                c._control_outputs.remove(op)
    graph._ops = [op for op in graph._ops if op not in gone]
    graph._version += 1


def _unique_names(graph, order, nodes, prefix):
    """New names: ``prefix/name``, renamed ``name_1``... when taken (TF's uniquify)."""
    existing = _existing_names(graph)
    new = {}
    taken = set()
    for node_name in order:
        full = prefix + "/" + node_name if prefix else node_name
        if full in existing:
            base, k = full, 1
            while True:
                cand = "%s_%d" % (base, k)
                rel = cand[len(prefix) + 1:] if prefix else cand
                if cand not in existing and cand not in taken and rel not in nodes:
                    break
                k += 1
            full = cand
        taken.add(full)
        new[node_name] = full
    return new


def _rename_loc(entry, new_names, prefix):
    text = entry.decode("utf-8", "replace") if isinstance(entry, bytes) else entry
    if text.startswith("loc:@"):
        target = text[5:]
        if target in new_names:
            return "loc:@" + new_names[target]
        return "loc:@" + (prefix + "/" + target if prefix else target)
    return text


def _set_static_shapes(op, shapes_attr):
    if op.type in ("Const", "HostConst"):
        value = op._attrs.get("value")
        if value is not None:
            op._outputs[0]._shape = TensorShape(np.shape(value))
        return
    op_def = op._op_def
    if (op_def is None or op_def.shape_fn is None) and shapes_attr:
        for t, s in zip(op._outputs, shapes_attr):
            t._shape = s if isinstance(s, TensorShape) else unknown_shape()


def _set_device(graph, op, device):
    if not graph._device_stack:
        op._device = device or ""
        return
    if device:
        with graph.device(device):
            op._device = graph._apply_device_functions(op)
    else:
        op._device = graph._apply_device_functions(op)


# --------------------------------------------------------------------------- op signatures
#
# What a NodeDef does not say: each op type's outputs, and its attrs' default values (TF may
# strip attrs equal to their defaults). Output specs are comma-separated, one per output:
#   T        the type held in attr T (any type attr name)
#   int32    a fixed type (any dtype name)
#   T&       a reference output (Assign, and dtype& for VariableV2)
#   N*T      attr N outputs of type T
#   [dtypes] one output per entry of the list(type) attr dtypes
# Op types missing from the table have one output of type T (or dtype).

_NONE = ""

OUTPUT_SPECS = {
    # -- constants, placeholders, identities
    "Const": "dtype", "HostConst": "dtype", "Placeholder": "dtype", "PlaceholderV2": "dtype",
    "PlaceholderWithDefault": "dtype", "Empty": "dtype", "IdentityN": "[T]",
    "RefIdentity": "T&", "Shape": "out_type", "ShapeN": "N*out_type", "Size": "out_type",
    "Rank": "int32", "Cast": "DstT", "Bitcast": "type",
    # -- array manipulation with more or other outputs
    "Unpack": "num*T", "Split": "num_split*T", "SplitV": "num_split*T",
    "BroadcastGradientArgs": "T,T", "Where": "int64", "Unique": "T,out_idx",
    "UniqueV2": "T,out_idx", "UniqueWithCounts": "T,out_idx,out_idx", "ListDiff": "T,out_idx",
    "ConcatOffset": "N*int32", "DynamicPartition": "num_partitions*T", "TopK": "T,int32",
    "TopKV2": "T,int32", "ArgMax": "output_type", "ArgMin": "output_type",
    "Gather": "Tparams", "GatherV2": "Tparams", "GatherNd": "Tparams", "Range": "Tidx",
    "Bucketize": "int32", "UnravelIndex": "Tidx", "InvertPermutation": "T",
    "Fingerprint": "uint8", "HistogramFixedWidth": "dtype",
    # -- comparisons and predicates
    "Equal": "bool", "NotEqual": "bool", "Less": "bool", "LessEqual": "bool",
    "Greater": "bool", "GreaterEqual": "bool", "LogicalAnd": "bool", "LogicalOr": "bool",
    "LogicalNot": "bool", "IsNan": "bool", "IsInf": "bool", "IsFinite": "bool",
    "ApproximateEqual": "bool", "InTopK": "bool", "InTopKV2": "bool", "All": "bool",
    "Any": "bool", "IsVariableInitialized": "bool", "VarIsInitializedOp": "bool",
    # -- complex numbers
    "Real": "Tout", "Imag": "Tout", "ComplexAbs": "Tout", "Angle": "Tout", "Complex": "Tout",
    "BatchMatMulV3": "Tout",
    # -- neural networks
    "SoftmaxCrossEntropyWithLogits": "T,T", "SparseSoftmaxCrossEntropyWithLogits": "T,T",
    "FusedBatchNorm": "T,T,T,T,T", "FusedBatchNormV2": "T,U,U,U,U",
    "FusedBatchNormV3": "T,U,U,U,U,U", "FusedBatchNormGrad": "T,T,T,T,T",
    "FusedBatchNormGradV2": "T,U,U,U,U", "FusedBatchNormGradV3": "T,U,U,U,U",
    "MaxPoolWithArgmax": "T,Targmax", "NonMaxSuppression": "int32",
    "NonMaxSuppressionV2": "int32", "NonMaxSuppressionV3": "int32",
    "NonMaxSuppressionV4": "int32,int32",
    # -- random
    "RandomUniform": "dtype", "RandomStandardNormal": "dtype", "TruncatedNormal": "dtype",
    "RandomUniformInt": "Tout", "Multinomial": "output_dtype", "RandomPoisson": "dtype",
    "RandomPoissonV2": "dtype", "StatelessRandomUniform": "dtype",
    "StatelessRandomNormal": "dtype", "StatelessTruncatedNormal": "dtype",
    "SampleDistortedBoundingBox": "T,T,float32", "SampleDistortedBoundingBoxV2": "T,T,float32",
    # -- variables
    "VariableV2": "dtype&", "Variable": "dtype&", "TemporaryVariable": "dtype&",
    "DestroyTemporaryVariable": "T", "Assign": "T&", "AssignAdd": "T&", "AssignSub": "T&",
    "CountUpTo": "T", "VarHandleOp": "resource", "ReadVariableOp": "dtype",
    "AssignVariableOp": _NONE, "AssignAddVariableOp": _NONE, "AssignSubVariableOp": _NONE,
    "ResourceGather": "dtype", "DestroyResourceOp": _NONE,
    # -- control flow
    "NoOp": _NONE, "ControlTrigger": _NONE, "Abort": _NONE, "Assert": _NONE,
    "PrintV2": _NONE, "Switch": "T,T", "RefSwitch": "T&,T&", "Merge": "T,int32",
    "RefMerge": "T&,int32", "Enter": "T", "RefEnter": "T&", "Exit": "T", "RefExit": "T&",
    "NextIteration": "T", "RefNextIteration": "T&", "LoopCond": "bool", "RefSelect": "T&",
    # -- checkpoints and files
    "SaveV2": _NONE, "Save": _NONE, "SaveSlices": _NONE, "RestoreV2": "[dtypes]",
    "Restore": "dt", "RestoreSlice": "dt", "MergeV2Checkpoints": _NONE,
    "ShardedFilename": "string", "ShardedFilespec": "string", "ReadFile": "string",
    "WriteFile": _NONE, "MatchingFiles": "string",
    # -- strings
    "StringJoin": "string", "AsString": "string", "RegexReplace": "string",
    "StaticRegexReplace": "string", "StringFormat": "string", "ReduceJoin": "string",
    "Substr": "string", "StringToNumber": "out_type", "StringSplit": "int64,string,int64",
    "StringSplitV2": "int64,string,int64", "StringLength": "int32",
    "StringToHashBucket": "int64", "StringToHashBucketFast": "int64",
    "StringToHashBucketStrong": "int64", "EncodeBase64": "string", "DecodeBase64": "string",
    "DecodeRaw": "out_type", "DecodeCSV": "[OUT_TYPE]", "DecodeCompressed": "string",
    "DecodeJSONExample": "string", "SerializeTensor": "string", "ParseTensor": "out_type",
    "RegexFullMatch": "bool", "StringStrip": "string", "StringLower": "string",
    "StringUpper": "string",
    # -- images
    "DecodePng": "dtype", "DecodeJpeg": "uint8", "DecodeBmp": "uint8", "DecodeGif": "uint8",
    "DecodeImage": "dtype", "EncodePng": "string", "EncodeJpeg": "string",
    "ResizeBilinear": "float32", "ResizeBicubic": "float32", "ResizeArea": "float32",
    "CropAndResize": "float32", "ExtractJpegShape": "output_type",
    # -- summaries
    "ScalarSummary": "string", "HistogramSummary": "string", "ImageSummary": "string",
    "AudioSummary": "string", "AudioSummaryV2": "string", "MergeSummary": "string",
    "TensorSummary": "string", "TensorSummaryV2": "string",
    # -- queues and readers
    "FIFOQueue": "string&", "RandomShuffleQueue": "string&", "PaddingFIFOQueue": "string&",
    "FIFOQueueV2": "resource", "RandomShuffleQueueV2": "resource",
    "PaddingFIFOQueueV2": "resource", "PriorityQueueV2": "resource",
    "QueueEnqueueV2": _NONE, "QueueEnqueueManyV2": _NONE, "QueueCloseV2": _NONE,
    "QueueDequeueV2": "[component_types]", "QueueDequeueManyV2": "[component_types]",
    "QueueDequeueUpToV2": "[component_types]", "QueueSizeV2": "int32",
    "QueueIsClosedV2": "bool", "TFRecordReaderV2": "resource",
    "WholeFileReaderV2": "resource", "TextLineReaderV2": "resource",
    "FixedLengthRecordReaderV2": "resource", "IdentityReaderV2": "resource",
    "ReaderReadV2": "string,string", "ReaderReadUpToV2": "string,string",
    "ReaderNumRecordsProducedV2": "int64", "ReaderNumWorkUnitsCompletedV2": "int64",
    "ReaderResetV2": _NONE,
    # -- python functions, tensor arrays, linear algebra
    "PyFunc": "[Tout]", "PyFuncStateless": "[Tout]", "EagerPyFunc": "[Tout]",
    "TensorArrayV3": "resource,float32", "TensorArrayReadV3": "dtype",
    "TensorArrayWriteV3": "float32", "TensorArrayGatherV3": "dtype",
    "TensorArrayScatterV3": "float32", "TensorArraySizeV3": "int32",
    "TensorArrayGradV3": "resource,float32", "TensorArrayConcatV3": "dtype,int64",
    "TensorArraySplitV3": "float32", "TensorArrayCloseV3": _NONE,
    "Svd": "T,T,T", "Qr": "T,T", "SelfAdjointEigV2": "T,T", "LogMatrixDeterminant": "T,T",
    "Timestamp": "float64", "SparseReshape": "int64,int64", "SetSize": "int32",
    "LookupTableFindV2": "Tout", "HashTableV2": "resource", "LookupTableSizeV2": "int64",
    "InitializeTableV2": _NONE,
    # -- sparse tensors kept in a session-side map (tf.train.batch of SparseTensors)
    "AddSparseToTensorsMap": "int64", "AddManySparseToTensorsMap": "int64",
    "TakeManySparseFromTensorsMap": "int64,dtype,int64",
    # -- tf.train.Example parsing
    "ParseExample": "Nsparse*int64,[sparse_types],Nsparse*int64,[Tdense]",
    "ParseSingleExample": "num_sparse*int64,[sparse_types],num_sparse*int64,[Tdense]",
    "ParseSingleSequenceExample":
        "Ncontext_sparse*int64,[context_sparse_types],Ncontext_sparse*int64,[Tcontext_dense],"
        "Nfeature_list_sparse*int64,[feature_list_sparse_types],Nfeature_list_sparse*int64,"
        "[feature_list_dense_types]",
    "ReaderSerializeStateV2": "string", "ReaderRestoreStateV2": _NONE,
    # -- tf.data: datasets are variants, iterators resources
    "IteratorV2": "resource", "OneShotIterator": "resource", "MakeIterator": _NONE,
    "IteratorGetNext": "[output_types]", "IteratorToStringHandle": "string",
    "IteratorFromStringHandleV2": "resource",
    # -- functional control flow (refused by import_graph_def, listed for completeness)
    "While": "[T]",
}
for _dataset in ("BatchDatasetV2", "CacheDataset", "ConcatenateDataset", "FilterDataset",
                 "FixedLengthRecordDatasetV2", "FlatMapDataset", "GeneratorDataset",
                 "IgnoreErrorsDataset", "InterleaveDataset", "MapDataset",
                 "PaddedBatchDatasetV2", "ParallelInterleaveDatasetV2", "ParallelMapDataset",
                 "PrefetchDataset", "RangeDataset", "RepeatDataset", "ShardDataset",
                 "ShuffleDataset", "SkipDataset", "TFRecordDataset", "TakeDataset",
                 "TensorDataset", "TensorSliceDataset", "TextLineDataset", "UnbatchDataset",
                 "ZipDataset"):
    OUTPUT_SPECS[_dataset] = "variant"


def _prefix_rule(op_type):
    """Outputs of whole op families: the optimizers' Apply ops, scatters and resources."""
    if op_type.startswith(("ResourceApply", "ResourceSparseApply", "ResourceScatter")):
        return _NONE
    if op_type.startswith(("Apply", "SparseApply")):
        return "T&"
    if op_type.startswith("Scatter") and not op_type.startswith("ScatterNd"):
        return "T&"
    if op_type in ("ScatterNdUpdate", "ScatterNdAdd", "ScatterNdSub"):
        return "T&"
    return None


_INT32, _INT64, _F32 = _dtypes.int32, _dtypes.int64, _dtypes.float32
_CONV = {"use_cudnn_on_gpu": True, "explicit_paddings": [], "data_format": "NHWC",
         "dilations": [1, 1, 1, 1]}
_POOL = {"data_format": "NHWC"}
_REDUCE = {"keep_dims": False, "Tidx": _INT32}
_BN = {"epsilon": 0.0001, "data_format": "NHWC", "is_training": True}
_SEEDS = {"seed": 0, "seed2": 0}
_SLICE_MASKS = {"begin_mask": 0, "end_mask": 0, "ellipsis_mask": 0, "new_axis_mask": 0,
                "shrink_axis_mask": 0}
_LOCKING = {"use_locking": False}
_RESIZE = {"align_corners": False, "half_pixel_centers": False}

_DEFAULTS = {
    "Conv2D": _CONV, "Conv2DBackpropInput": _CONV, "Conv2DBackpropFilter": _CONV,
    "DepthwiseConv2dNative": dict(_CONV, use_cudnn_on_gpu=None),
    "DepthwiseConv2dNativeBackpropInput": dict(_CONV, use_cudnn_on_gpu=None),
    "DepthwiseConv2dNativeBackpropFilter": dict(_CONV, use_cudnn_on_gpu=None),
    "Conv3D": {"data_format": "NDHWC", "dilations": [1, 1, 1, 1, 1]},
    "MaxPool": dict(_POOL, T=_F32, explicit_paddings=[]), "AvgPool": _POOL,
    "MaxPoolGrad": dict(_POOL, T=_F32, explicit_paddings=[]), "AvgPoolGrad": _POOL,
    "MaxPoolWithArgmax": {"Targmax": _INT64, "include_batch_in_index": False},
    "BiasAdd": _POOL, "BiasAddGrad": _POOL, "DepthToSpace": _POOL, "SpaceToDepth": _POOL,
    "MatMul": {"transpose_a": False, "transpose_b": False},
    "BatchMatMul": {"adj_x": False, "adj_y": False},
    "BatchMatMulV2": {"adj_x": False, "adj_y": False},
    "FusedBatchNorm": _BN, "FusedBatchNormGrad": _BN, "FusedBatchNormGradV2": _BN,
    "FusedBatchNormGradV3": _BN,
    "FusedBatchNormV2": dict(_BN, exponential_avg_factor=1.0),
    "FusedBatchNormV3": dict(_BN, exponential_avg_factor=1.0),
    "LRN": {"T": _F32, "depth_radius": 5, "bias": 1.0, "alpha": 1.0, "beta": 0.5},
    "LeakyRelu": {"T": _F32, "alpha": 0.2},
    "SparseSoftmaxCrossEntropyWithLogits": {"Tlabels": _INT64},
    "Shape": {"out_type": _INT32}, "ShapeN": {"out_type": _INT32}, "Size": {"out_type": _INT32},
    "Reshape": {"Tshape": _INT32}, "ExpandDims": {"Tdim": _INT32},
    "Fill": {"index_type": _INT32}, "ConcatV2": {"Tidx": _INT32},
    "Tile": {"Tmultiples": _INT32}, "Transpose": {"Tperm": _INT32},
    "Pad": {"Tpaddings": _INT32}, "PadV2": {"Tpaddings": _INT32},
    "MirrorPad": {"Tpaddings": _INT32}, "Pack": {"axis": 0}, "Unpack": {"axis": 0},
    "Squeeze": {"squeeze_dims": []}, "StridedSlice": _SLICE_MASKS,
    "StridedSliceGrad": _SLICE_MASKS, "SplitV": {"Tlen": _INT64},
    "Sum": _REDUCE, "Mean": _REDUCE, "Prod": _REDUCE, "Max": _REDUCE, "Min": _REDUCE,
    "All": _REDUCE, "Any": _REDUCE,
    "ArgMax": {"Tidx": _INT32, "output_type": _INT64},
    "ArgMin": {"Tidx": _INT32, "output_type": _INT64},
    "Cumsum": {"exclusive": False, "reverse": False, "Tidx": _INT32},
    "Cumprod": {"exclusive": False, "reverse": False, "Tidx": _INT32},
    "Range": {"Tidx": _INT32}, "GatherV2": {"batch_dims": 0},
    "Gather": {"validate_indices": True}, "OneHot": {"axis": -1, "TI": _INT64},
    "TopKV2": {"sorted": True}, "TopK": {"sorted": True}, "Unique": {"out_idx": _INT32},
    "Where": {"T": _dtypes.bool}, "Cast": {"Truncate": False},
    "Equal": {"incompatible_shape_error": True},
    "NotEqual": {"incompatible_shape_error": True},
    "Placeholder": {"shape": unknown_shape()},
    "VariableV2": {"container": "", "shared_name": ""},
    "VarHandleOp": {"container": "", "shared_name": ""},
    "Assign": {"validate_shape": True, "use_locking": True},
    "AssignAdd": _LOCKING, "AssignSub": _LOCKING,
    "ApplyGradientDescent": _LOCKING, "ApplyAdagrad": dict(_LOCKING, update_slots=True),
    "ApplyMomentum": dict(_LOCKING, use_nesterov=False),
    "ApplyAdam": dict(_LOCKING, use_nesterov=False), "ApplyRMSProp": _LOCKING,
    "ApplyCenteredRMSProp": _LOCKING, "ApplyAdadelta": _LOCKING, "ApplyFtrl": _LOCKING,
    "ApplyFtrlV2": _LOCKING, "ApplyProximalGradientDescent": _LOCKING,
    "ApplyProximalAdagrad": _LOCKING, "ApplyAdagradDA": _LOCKING,
    "RandomUniform": _SEEDS, "RandomStandardNormal": _SEEDS, "TruncatedNormal": _SEEDS,
    "RandomUniformInt": _SEEDS, "RandomShuffle": _SEEDS,
    "Multinomial": dict(_SEEDS, output_dtype=_INT64),
    "ResizeBilinear": _RESIZE, "ResizeNearestNeighbor": _RESIZE, "ResizeBicubic": _RESIZE,
    "ResizeArea": {"align_corners": False},
    "Enter": {"is_constant": False, "parallel_iterations": 10},
    "RefEnter": {"is_constant": False, "parallel_iterations": 10},
    "Print": {"message": "", "first_n": -1, "summarize": 3}, "Assert": {"summarize": 3},
    "MergeV2Checkpoints": {"delete_old_dirs": True},
    "StringJoin": {"separator": ""}, "ReduceJoin": {"keep_dims": False, "separator": ""},
    "StringSplit": {"skip_empty": True},
    "AsString": {"precision": -1, "scientific": False, "shortest": False, "width": -1,
                 "fill": ""},
    "StringToNumber": {"out_type": _F32}, "DecodeRaw": {"little_endian": True},
    "DecodePng": {"channels": 0, "dtype": _dtypes.uint8}, "EncodePng": {"compression": -1},
    "DecodeJpeg": {"channels": 0, "ratio": 1, "fancy_upscaling": True,
                   "try_recover_truncated": False, "acceptable_fraction": 1.0,
                   "dct_method": ""},
    "HistogramSummary": {"T": _F32},
    "QueueDequeueV2": {"timeout_ms": -1}, "QueueDequeueManyV2": {"timeout_ms": -1},
    "QueueDequeueUpToV2": {"timeout_ms": -1}, "QueueEnqueueV2": {"timeout_ms": -1},
    "QueueEnqueueManyV2": {"timeout_ms": -1},
    "QueueCloseV2": {"cancel_pending_enqueues": False},
    "FIFOQueueV2": {"shapes": [], "capacity": -1, "container": "", "shared_name": ""},
    "PaddingFIFOQueueV2": {"shapes": [], "capacity": -1, "container": "",
                           "shared_name": ""},
    "RandomShuffleQueueV2": {"shapes": [], "capacity": -1, "min_after_dequeue": 0,
                             "seed": 0, "seed2": 0, "container": "", "shared_name": ""},
    # Type attrs with a default decide output types, so a GraphDef written with
    # strip_default_attrs needs them; the others are attrs kernels read.
    "AdjustContrastv2": {"T": _F32}, "AdjustHue": {"T": _F32},
    "AdjustSaturation": {"T": _F32}, "HSVToRGB": {"T": _F32}, "RGBToHSV": {"T": _F32},
    "BroadcastGradientArgs": {"T": _INT32}, "InvertPermutation": {"T": _INT32},
    "ComplexAbs": {"T": _dtypes.complex64, "Tout": _F32}, "Conj": {"T": _dtypes.complex64},
    "ExtractJpegShape": {"output_type": _INT32}, "UniqueWithCounts": {"out_idx": _INT32},
    "LRNGrad": {"T": _F32, "depth_radius": 5, "bias": 1.0, "alpha": 1.0, "beta": 0.5},
    "LeakyReluGrad": {"T": _F32, "alpha": 0.2},
    "BroadcastTo": {"Tidx": _INT32}, "ReverseV2": {"Tidx": _INT32},
    "LinSpace": {"Tidx": _INT32}, "MirrorPadGrad": {"Tpaddings": _INT32},
    "UnsortedSegmentSum": {"Tnumsegments": _INT32},
    "MaxPoolGradGrad": _POOL, "MaxPoolGradWithArgmax": {"include_batch_in_index": False},
    "ResizeBilinearGrad": _RESIZE, "ResizeBicubicGrad": _RESIZE,
    "ResizeNearestNeighborGrad": _RESIZE,
    "MatrixInverse": {"adjoint": False}, "SparseToDense": {"validate_indices": True},
    "RandomGamma": _SEEDS, "EncodePng": {"T": _dtypes.uint8}, "DecodeBmp": {"channels": 0},
    "DecodeImage": {"channels": 0, "dtype": _dtypes.uint8, "expand_animations": True},
    "DecodeCSV": {"field_delim": ",", "use_quote_delim": True, "na_value": "",
                  "select_cols": []},
    "FixedLengthRecordReaderV2": {"header_bytes": 0, "footer_bytes": 0, "hop_bytes": 0,
                                  "container": "", "shared_name": "", "encoding": ""},
    "TFRecordReaderV2": {"container": "", "shared_name": "", "compression_type": ""},
    "TextLineReaderV2": {"skip_header_lines": 0, "container": "", "shared_name": ""},
    "WholeFileReaderV2": {"container": "", "shared_name": ""},
    "IdentityReaderV2": {"container": "", "shared_name": ""},
    "AddSparseToTensorsMap": {"container": "", "shared_name": ""},
    "AddManySparseToTensorsMap": {"container": "", "shared_name": ""},
    "TakeManySparseFromTensorsMap": {"container": "", "shared_name": ""},
    "OneShotIterator": {"container": "", "shared_name": ""},
    "ParseSingleSequenceExample": {
        "Ncontext_sparse": 0, "Ncontext_dense": 0, "Nfeature_list_sparse": 0,
        "Nfeature_list_dense": 0, "context_sparse_types": [], "Tcontext_dense": [],
        "feature_list_dense_types": [], "feature_list_sparse_types": [],
        "context_dense_shapes": [], "feature_list_dense_shapes": []},
    "ParallelInterleaveDatasetV2": {"sloppy": False},
    "ParallelMapDataset": {"sloppy": False, "use_inter_op_parallelism": True,
                           "preserve_cardinality": False},
    "MapDataset": {"use_inter_op_parallelism": True, "preserve_cardinality": False},
    "ShuffleDataset": {"reshuffle_each_iteration": True},
}


def default_attrs(op_type):
    """TF's default attr values for ``op_type`` (a new dict; empty when none are known)."""
    return {k: (list(v) if isinstance(v, list) else v)
            for k, v in _DEFAULTS.get(op_type, {}).items() if v is not None}


def _spec_for(op_type, attrs):
    spec = OUTPUT_SPECS.get(op_type)
    if spec is None:
        spec = _prefix_rule(op_type)
    if spec is None:
        if "T" in attrs:
            spec = "T"
        elif "dtype" in attrs:
            spec = "dtype"
    return spec


def _attr_type(op_type, attrs, name):
    if name in _dtypes._BY_NAME and name not in attrs:
        return _dtypes.as_dtype(name)
    try:
        value = attrs[name]
    except KeyError:
        raise ValueError("NodeDef of op type %s is missing attr '%s'" % (op_type, name)) \
            from None
    if not isinstance(value, _dtypes.DType):
        raise ValueError("Attr '%s' of op type %s must be a type, got %r"
                         % (name, op_type, value))
    return value


def output_dtypes(op_type, attrs):
    """The output dtypes of a node of ``op_type`` with ``attrs`` (ref types for refs).

    Raises:
      ValueError: the attrs the outputs depend on are missing, or the op type's outputs
        are unknown.
    """
    spec = _spec_for(op_type, attrs)
    if spec is None:
        raise ValueError("tensorslim does not know the outputs of op type %s (it has no 'T' "
                         "or 'dtype' attr); add it to importer.OUTPUT_SPECS" % op_type)
    out = []
    for item in filter(None, (s.strip() for s in spec.split(","))):
        ref = item.endswith("&")
        item = item.rstrip("&")
        count = 1
        if "*" in item:
            count_attr, item = item.split("*")
            count = int(attrs.get(count_attr, 0))
        if item.startswith("["):
            types = attrs.get(item[1:-1], [])
            types = [_dtypes.as_dtype(t) for t in types]
        else:
            types = [_attr_type(op_type, attrs, item)] * count
        out.extend(t._as_ref if ref else t for t in types)
    return out


def outputs_from_op_def(op_def, attrs):
    """Output dtypes from an ``OpDef`` proto (``stripped_op_list``), as TensorFlow does."""
    out = []
    for arg in op_def.output_arg:
        count = int(attrs.get(arg.number_attr, 0)) if arg.number_attr else 1
        if arg.type_list_attr:
            types = [_dtypes.as_dtype(t) for t in attrs.get(arg.type_list_attr, [])]
        elif arg.type_attr:
            types = [_attr_type(op_def.name, attrs, arg.type_attr)] * count
        else:
            types = [_dtypes.as_dtype(arg.type)] * count
        out.extend(t._as_ref if arg.is_ref else t for t in types)
    return out


def defaults_from_op_def(op_def):
    """``{attr: python default}`` from an ``OpDef`` proto."""
    return {a.name: python_value_of(a.default_value) for a in op_def.attr
            if a.HasField("default_value")}
