"""Meta graphs: a GraphDef plus the Saver's SaverDef and the graph's collections.

``export_meta_graph`` writes what ``Saver.save`` puts in ``model.ckpt.meta``;
``import_meta_graph`` rebuilds the graph (with :func:`tensorslim.core.importer.
import_graph_def`), its collections (variables from their ``VariableDef`` protos, so
``tf.trainable_variables()`` works again, operations and tensors from their names,
numbers and strings as they are) and returns a Saver for its checkpoints.

Collections whose items have a proto form register it with :func:`register_proto_function`
(TF's ``ops.register_proto_function``); variables and savers are registered here.
"""
import logging
import os
import warnings

from google.protobuf import text_format
from google.protobuf.message import DecodeError

from tensorslim.core import errors
from tensorslim.core import graph as _graph
from tensorslim.core import importer
from tensorslim.core.graph import GraphKeys, Operation, Tensor
from tensorslim.io import gfile
from tensorslim.proto import graph_pb2, meta_graph_pb2, saver_pb2, variable_pb2

__all__ = ["export_meta_graph", "import_meta_graph", "read_meta_graph_file",
           "write_graph", "create_meta_graph_def", "import_scoped_meta_graph",
           "register_proto_function", "get_collection_proto_type", "get_to_proto_function",
           "get_from_proto_function"]

_logger = logging.getLogger("tensorslim")
_PROTO_FUNCTIONS = {}
_META_GRAPH_VERSION = "v1"
_TF_API_VERSION = "1.15.0"  # the TF API tensorslim reproduces


def register_proto_function(collection_name, proto_type=None, to_proto=None,
                            from_proto=None):
    """Registers how items of a collection become protos and back (TF's
    ``ops.register_proto_function``).

    Args:
      collection_name: the collection key.
      proto_type: the message class stored in the collection's ``bytes_list``.
      to_proto: ``f(item, export_scope=None) -> proto`` (or None to skip the item).
      from_proto: ``f(proto, import_scope=None) -> item``.
    """
    _PROTO_FUNCTIONS[collection_name] = (proto_type, to_proto, from_proto)


def get_collection_proto_type(collection_name):
    return _PROTO_FUNCTIONS.get(collection_name, (None, None, None))[0]


def get_to_proto_function(collection_name):
    return _PROTO_FUNCTIONS.get(collection_name, (None, None, None))[1]


def get_from_proto_function(collection_name):
    return _PROTO_FUNCTIONS.get(collection_name, (None, None, None))[2]


def _variable_to_proto(v, export_scope=None):
    return v.to_proto(export_scope=export_scope)


def _variable_from_proto(proto, import_scope=None):
    from tensorslim.core.variables import Variable
    return Variable.from_proto(proto, import_scope=import_scope)


for _key in GraphKeys._VARIABLE_COLLECTIONS + [GraphKeys.GLOBAL_STEP]:
    register_proto_function(_key, variable_pb2.VariableDef, _variable_to_proto,
                            _variable_from_proto)


def _saver_to_proto(saver, export_scope=None):
    return saver.to_proto(export_scope=export_scope)


def _saver_from_proto(proto, import_scope=None):
    from tensorslim.training.saver import Saver
    return Saver.from_proto(proto, import_scope=import_scope)


register_proto_function(GraphKeys.SAVERS, saver_pb2.SaverDef, _saver_to_proto,
                        _saver_from_proto)


# --------------------------------------------------------------------------- names

def _strip(name, scope):
    if not scope:
        return name
    scope = scope.rstrip("/") + "/"
    if name.startswith("^" + scope):
        return "^" + name[len(scope) + 1:]
    return name[len(scope):] if name.startswith(scope) else name


def _prepend(name, scope):
    if not scope:
        return name
    scope = scope.rstrip("/")
    if name.startswith("^"):
        return "^%s/%s" % (scope, name[1:])
    return "%s/%s" % (scope, name)


def _in_scope(name, scope):
    return not scope or name.startswith(scope.rstrip("/") + "/")


# --------------------------------------------------------------------------- export

def _kind_name(item):
    if isinstance(item, (str, bytes)):
        return "bytes_list"
    if isinstance(item, bool):
        return None
    if isinstance(item, int):
        return "int64_list"
    if isinstance(item, float):
        return "float_list"
    if isinstance(item, (Tensor, Operation)) or hasattr(item, "_as_graph_element"):
        return "node_list"
    return None


def _add_collection_def(meta_graph_def, key, graph, export_scope=None):
    if not isinstance(key, str):
        _logger.warning("Only collections with string type keys will be serialized. This "
                        "key has %s", type(key))
        return
    items = graph.get_collection(key)
    if not items:
        return
    col_def = meta_graph_def.collection_def[key]
    try:
        proto_type, to_proto, _ = _PROTO_FUNCTIONS.get(key, (None, None, None))
        if to_proto is not None:
            kind_list = col_def.bytes_list
            for item in items:
                name = getattr(item, "name", None)
                if isinstance(name, str) and not _in_scope(name, export_scope):
                    continue
                proto = to_proto(item, export_scope=export_scope)
                if proto is not None:
                    kind_list.value.append(proto.SerializeToString())
            return
        kind = _kind_name(items[0])
        if kind is None:
            raise TypeError("items of type %s have no proto form" % type(items[0]).__name__)
        if kind == "node_list":
            names = []
            for item in items:
                element = item._as_graph_element() if hasattr(item, "_as_graph_element") \
                    and not isinstance(item, (Tensor, Operation)) else item
                if _in_scope(element.name, export_scope):
                    names.append(_strip(element.name, export_scope))
            col_def.node_list.value.extend(names)
        elif kind == "bytes_list":
            col_def.bytes_list.value.extend(
                x.encode("utf-8") if isinstance(x, str) else x for x in items)
        elif kind == "int64_list":
            col_def.int64_list.value.extend(int(x) for x in items)
        else:
            col_def.float_list.value.extend(float(x) for x in items)
    except Exception as e:  # noqa: BLE001 - TF skips collections it cannot serialize
        if key in meta_graph_def.collection_def:
            del meta_graph_def.collection_def[key]
        _logger.warning("Issue encountered when serializing: %s.\n%s", key, e)


def _stripped_graph_def(graph_def, export_scope, clear_devices):
    out = graph_pb2.GraphDef()
    out.versions.CopyFrom(graph_def.versions)
    out.library.CopyFrom(graph_def.library)
    for node in graph_def.node:
        if not _in_scope(node.name, export_scope):
            continue
        n = out.node.add()
        n.CopyFrom(node)
        n.name = _strip(node.name, export_scope)
        del n.input[:]
        n.input.extend(_strip(i, export_scope) for i in node.input)
        if "_class" in n.attr:
            values = [v.decode("utf-8", "replace") for v in n.attr["_class"].list.s]
            del n.attr["_class"].list.s[:]
            n.attr["_class"].list.s.extend(
                ("loc:@" + _strip(v[5:], export_scope) if v.startswith("loc:@") else v)
                .encode("utf-8") for v in values)
        if clear_devices:
            n.device = ""
    return out


def create_meta_graph_def(meta_info_def=None, graph_def=None, saver_def=None,
                          collection_list=None, graph=None, export_scope=None,
                          clear_devices=False, **kwargs):
    """Builds a MetaGraphDef of ``graph`` (default: the default graph).

    Args:
      meta_info_def: a ``MetaInfoDef`` (default: one naming tensorslim's version).
      graph_def: the GraphDef to use (default: ``graph.as_graph_def(add_shapes=True)``).
      saver_def: a SaverDef to include.
      collection_list: the collection keys to include (default: all).
      graph: the graph.
      export_scope: keep only nodes under this name scope, with the scope stripped.
      clear_devices: drop device placements.
    """
    from tensorslim import __version__
    graph = graph or _graph.get_default_graph()
    if graph_def is None:
        graph_def = graph.as_graph_def(add_shapes=True)
    meta = meta_graph_pb2.MetaGraphDef()
    if meta_info_def is not None:
        meta.meta_info_def.CopyFrom(meta_info_def)
    else:
        meta.meta_info_def.meta_graph_version = _META_GRAPH_VERSION
    if not meta.meta_info_def.tensorflow_version:
        # TF parses this as a version number (and treats >= 1.9 graphs as current).
        meta.meta_info_def.tensorflow_version = _TF_API_VERSION
    if not meta.meta_info_def.tensorflow_git_version:
        meta.meta_info_def.tensorflow_git_version = "tensorslim-%s" % __version__
    meta.graph_def.CopyFrom(_stripped_graph_def(graph_def, export_scope, clear_devices)
                            if export_scope or clear_devices else graph_def)
    if saver_def is not None:
        meta.saver_def.CopyFrom(saver_def)
    keys = graph.get_all_collection_keys() if collection_list is None else collection_list
    for key in keys:
        _add_collection_def(meta, key, graph, export_scope)
    return meta


def write_graph(graph_or_graph_def, logdir, name, as_text=True):
    """Writes a GraphDef (or a graph's) to ``logdir/name`` (``tf.train.write_graph``).

    Args:
      graph_or_graph_def: a Graph, a GraphDef or any proto (a MetaGraphDef).
      logdir: the directory, created if needed.
      name: the file name.
      as_text: write the text format (``.pbtxt``) instead of binary.

    Returns:
      The path written.
    """
    if isinstance(graph_or_graph_def, _graph.Graph):
        graph_def = graph_or_graph_def.as_graph_def()
    else:
        graph_def = graph_or_graph_def
    logdir = gfile._path(logdir)
    if logdir and not gfile.IsDirectory(logdir):
        gfile.MakeDirs(logdir)
    path = os.path.join(logdir, gfile._path(name)) if logdir else gfile._path(name)
    if as_text:
        gfile.atomic_write(path, text_format.MessageToString(graph_def).encode("utf-8"))
    else:
        gfile.atomic_write(path, graph_def.SerializeToString(deterministic=True))
    return path


def export_meta_graph(filename=None, meta_info_def=None, graph_def=None, saver_def=None,
                      collection_list=None, as_text=False, graph=None, export_scope=None,
                      clear_devices=False, clear_extraneous_savers=False,
                      strip_default_attrs=False, save_debug_info=False, **kwargs):
    """Returns the MetaGraphDef of the default graph and writes it to ``filename``
    (``tf.train.export_meta_graph``).

    Args:
      filename: where to write it (binary, or text with ``as_text``); None to only return.
      meta_info_def, graph_def, saver_def, collection_list, graph, export_scope,
        clear_devices: see :func:`create_meta_graph_def`.
      as_text: write the text format.
      clear_extraneous_savers: drop the nodes of every saver but ``saver_def``'s (and
        the other savers from the ``savers`` collection), as TF does.
      strip_default_attrs: leave out attrs equal to their op's default (those in the
        importer's table of TF defaults) and mark the MetaInfoDef
        ``stripped_default_attrs``.
      save_debug_info: tensorslim writes no GraphDebugInfo; True gives a warning.

    Returns:
      The ``MetaGraphDef``.
    """
    if save_debug_info:
        warnings.warn("save_debug_info=True: tensorslim does not write a GraphDebugInfo "
                      "file; the meta graph is written without it", UserWarning, stacklevel=2)
    meta = create_meta_graph_def(meta_info_def=meta_info_def, graph_def=graph_def,
                                 saver_def=saver_def, collection_list=collection_list,
                                 graph=graph, export_scope=export_scope,
                                 clear_devices=clear_devices)
    if clear_extraneous_savers:
        _clear_extraneous_savers(meta)
    if strip_default_attrs:
        _strip_default_attrs(meta)
    if filename:
        write_graph(meta, os.path.dirname(gfile._path(filename)),
                    os.path.basename(gfile._path(filename)), as_text=as_text)
    return meta


_SAVE_AND_RESTORE_OPS = frozenset(["SaveV2", "Save", "SaveSlices", "RestoreV2", "Restore",
                                   "RestoreSlice"])


def _scope_of(name):
    return name.rsplit("/", 1)[0] if "/" in name else ""


def _clear_extraneous_savers(meta):
    """Removes the nodes of savers other than ``meta.saver_def``'s (TF's rule: the name
    scopes holding save/restore ops, except the scopes of the kept saver's ops)."""
    keep = set()
    if meta.HasField("saver_def"):
        for name in (meta.saver_def.save_tensor_name, meta.saver_def.restore_op_name):
            keep.add(_scope_of(name.split(":")[0].lstrip("^")) + "/")
    io_nodes = {n.name for n in meta.graph_def.node if n.op in _SAVE_AND_RESTORE_OPS}
    scopes = {_scope_of(n) for n in io_nodes} - io_nodes
    extraneous = tuple(sc + "/" for sc in scopes if sc + "/" not in keep)
    if not extraneous:
        return
    nodes = [n for n in meta.graph_def.node if not n.name.startswith(extraneous)]
    del meta.graph_def.node[:]
    meta.graph_def.node.extend(nodes)
    if GraphKeys.SAVERS in meta.collection_def:
        kept = []
        for blob in meta.collection_def[GraphKeys.SAVERS].bytes_list.value:
            saver = saver_pb2.SaverDef.FromString(blob)
            if not saver.restore_op_name.startswith(extraneous):
                kept.append(blob)
        del meta.collection_def[GraphKeys.SAVERS].bytes_list.value[:]
        meta.collection_def[GraphKeys.SAVERS].bytes_list.value.extend(kept)
        if not kept:
            del meta.collection_def[GraphKeys.SAVERS]


def _strip_default_attrs(meta):
    """Drops attrs equal to TF's default for their op (as ``strip_default_attrs=True``)."""
    from tensorslim.core.graph_io import attr_value_of
    defaults = {}
    for node in meta.graph_def.node:
        if node.op not in defaults:
            defaults[node.op] = {k: attr_value_of(v)
                                 for k, v in importer.default_attrs(node.op).items()}
        for key, default in defaults[node.op].items():
            if default is not None and key in node.attr and node.attr[key] == default:
                del node.attr[key]
    meta.meta_info_def.stripped_default_attrs = True


# --------------------------------------------------------------------------- import

def read_meta_graph_file(filename):
    """Reads a MetaGraphDef from a binary or text file.

    Raises:
      IOError: the file does not exist or parses as neither format.
    """
    meta = meta_graph_pb2.MetaGraphDef()
    path = gfile._path(filename)
    if not gfile.Exists(path):
        raise IOError("File %s does not exist." % path)
    with gfile.GFile(path, "rb") as f:
        data = f.read()
    try:
        meta.ParseFromString(data)
        return meta
    except DecodeError:
        pass
    try:
        text_format.Merge(data.decode("utf-8"), meta)
    except (text_format.ParseError, UnicodeDecodeError) as e:
        raise IOError("Cannot parse file %s: %s." % (path, e)) from None
    return meta


def import_scoped_meta_graph(meta_graph_or_file, clear_devices=False, graph=None,
                             import_scope=None, input_map=None, unbound_inputs_col_name=None,
                             restore_collections_predicate=(lambda key: True)):
    """Imports a MetaGraphDef's graph and collections; returns ``{name: Variable}`` of the
    imported global variables (names without ``import_scope``)."""
    if isinstance(meta_graph_or_file, meta_graph_pb2.MetaGraphDef):
        meta = meta_graph_or_file
    else:
        meta = read_meta_graph_file(meta_graph_or_file)
    graph = graph or _graph.get_default_graph()
    graph_def = meta.graph_def
    if clear_devices:
        graph_def = graph_pb2.GraphDef()
        graph_def.CopyFrom(meta.graph_def)
        for node in graph_def.node:
            node.device = ""
    producer_op_list = meta.meta_info_def.stripped_op_list \
        if meta.meta_info_def.HasField("stripped_op_list") else None
    with graph.as_default():
        # The importer's name scope makes import_scope unique the same way.
        scope = graph.unique_name(import_scope, mark_as_used=False) if import_scope else ""
        importer.import_graph_def(graph_def, input_map=input_map, name=import_scope or "",
                                  producer_op_list=producer_op_list)
        variables_by_proto = {}
        for key, col_def in sorted(meta.collection_def.items()):
            if key == unbound_inputs_col_name or not restore_collections_predicate(key):
                continue
            _import_collection(graph, key, col_def, scope, variables_by_proto)
    var_list = {}
    for v in graph.get_collection(GraphKeys.GLOBAL_VARIABLES):
        if _in_scope(v.op.name, scope):
            var_list[_strip(v.op.name, scope)] = v
    return var_list


def _import_collection(graph, key, col_def, scope, variables_by_proto):
    kind = col_def.WhichOneof("kind")
    if kind is None:
        _logger.error("Cannot identify data type for collection %s. Skipping.", key)
        return
    proto_type, _, from_proto = _PROTO_FUNCTIONS.get(key, (None, None, None))
    if from_proto is not None and kind == "bytes_list":
        is_variable = proto_type is variable_pb2.VariableDef
        for value in col_def.bytes_list.value:
            item = variables_by_proto.get(value) if is_variable else None
            if item is None:
                proto = proto_type()
                try:
                    proto.ParseFromString(value)
                    item = from_proto(proto, import_scope=scope or None)
                except (DecodeError, KeyError, ValueError, errors.OpError) as e:
                    _logger.warning("An item of collection %s could not be imported: %s",
                                    key, e)
                    continue
                if is_variable:
                    variables_by_proto[value] = item
            graph.add_to_collection(key, item)
    elif kind == "bytes_list":
        if key in (GraphKeys.COND_CONTEXT, GraphKeys.WHILE_CONTEXT):
            _logger.info("Collection %s (control flow contexts) is not rebuilt by "
                         "tensorslim; skipped.", key)
            return
        for value in col_def.bytes_list.value:
            graph.add_to_collection(key, value)
    elif kind == "node_list":
        for value in col_def.node_list.value:
            try:
                element = graph.as_graph_element(_prepend(value, scope))
            except (KeyError, ValueError) as e:
                _logger.warning("An item of collection %s could not be imported: %s", key, e)
                continue
            graph.add_to_collection(key, element)
    elif kind == "int64_list":
        for value in col_def.int64_list.value:
            graph.add_to_collection(key, int(value))
    elif kind == "float_list":
        for value in col_def.float_list.value:
            graph.add_to_collection(key, float(value))
    else:
        _logger.warning("Collection %s holds %s items, which tensorslim does not import; "
                        "skipped.", key, kind)


def import_meta_graph(meta_graph_or_file, clear_devices=False, import_scope=None, **kwargs):
    """Recreates a saved graph and returns a Saver for it (``tf.train.import_meta_graph``).

    Args:
      meta_graph_or_file: a MetaGraphDef or the path of a ``.meta`` file.
      clear_devices: drop the nodes' device placements.
      import_scope: a name scope to put the imported graph in.
      **kwargs: ``input_map``, ``unbound_inputs_col_name``,
        ``restore_collections_predicate`` (as :func:`import_scoped_meta_graph`).

    Returns:
      A Saver built from the MetaGraphDef's SaverDef (or a new Saver for the imported
      variables when it has none), or None when there is nothing to save.

    Raises:
      IOError: the file does not exist or cannot be parsed.
    """
    from tensorslim.training.saver import Saver
    if isinstance(meta_graph_or_file, meta_graph_pb2.MetaGraphDef):
        meta = meta_graph_or_file
    else:
        meta = read_meta_graph_file(meta_graph_or_file)
    imported = import_scoped_meta_graph(meta, clear_devices=clear_devices,
                                        import_scope=import_scope, **kwargs)
    if meta.HasField("saver_def"):
        scope = import_scope
        if imported:
            key = next(iter(imported))
            scope = imported[key].op.name[:-len(key)]
        saver_def = saver_pb2.SaverDef()
        saver_def.CopyFrom(meta.saver_def)
        return Saver(saver_def=saver_def, name=scope or None)
    graph = _graph.get_default_graph()
    if graph.get_collection(GraphKeys.GLOBAL_VARIABLES, import_scope) or \
            graph.get_collection(GraphKeys.SAVEABLE_OBJECTS, import_scope):
        return Saver()
    _logger.info("Saver not created because there are no variables in the graph to restore")
    return None
