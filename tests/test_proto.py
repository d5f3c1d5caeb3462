"""Protobuf layer: TF-written fixtures parse with tensorslim.proto; tensor_util round trips."""
import base64
import json
import os
import re
import struct

import numpy as np
import pytest
from google.protobuf import text_format

from tensorslim import proto
from tensorslim.core import dtypes
from tensorslim.core import tensor_util
from tensorslim.proto import _pool


def _find_fixtures():
    here = os.path.dirname(os.path.abspath(__file__))
    candidates = [os.environ.get("TENSORSLIM_FIXTURES", ""),
                  os.path.join(here, os.pardir, "shared", "fixtures"),
                  "/work/shared/fixtures"]
    for base in candidates:
        if base and os.path.isdir(os.path.join(base, "tf1")):
            return os.path.join(base, "tf1")
    return None


TF1 = _find_fixtures()
needs_fixtures = pytest.mark.skipif(TF1 is None, reason="TF1 golden fixtures not found")


def _path(*parts):
    return os.path.join(TF1, *parts)


def _read(*parts):
    with open(_path(*parts), "rb") as f:
        return f.read()


# --- helpers ---------------------------------------------------------------------------

def _crc32c_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC_TABLE = _crc32c_table()


def _masked_crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc = _CRC_TABLE[(crc ^ b) & 0xFF] ^ (crc >> 8)
    crc ^= 0xFFFFFFFF
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def _tfrecords(data):
    """Yields the payloads of a TFRecord stream, verifying both masked CRCs."""
    pos = 0
    while pos < len(data):
        header = data[pos:pos + 8]
        (length,) = struct.unpack("<Q", header)
        (len_crc,) = struct.unpack("<I", data[pos + 8:pos + 12])
        assert len_crc == _masked_crc32c(header)
        payload = data[pos + 12:pos + 12 + length]
        (data_crc,) = struct.unpack("<I", data[pos + 12 + length:pos + 16 + length])
        assert data_crc == _masked_crc32c(payload)
        yield payload
        pos += 16 + length
    assert pos == len(data)


def _unknown_field_count(msg):
    try:
        from google.protobuf import unknown_fields  # protobuf >= 4.24
    except ImportError:
        return len(msg.UnknownFields())
    return len(unknown_fields.UnknownFieldSet(msg))


def _assert_no_unknown_fields(msg, path="root"):
    """Every field TF wrote is modelled by our schema (nothing left as unknown)."""
    assert _unknown_field_count(msg) == 0, "unknown fields at " + path
    for fd, value in msg.ListFields():
        if fd.message_type is None:
            continue
        if fd.message_type.GetOptions().map_entry:
            for key, item in value.items():
                if hasattr(item, "ListFields"):
                    _assert_no_unknown_fields(item, "%s.%s[%r]" % (path, fd.name, key))
        elif getattr(fd, "is_repeated", None) or getattr(fd, "label", 0) == 3:
            for i, item in enumerate(value):
                _assert_no_unknown_fields(item, "%s.%s[%d]" % (path, fd.name, i))
        else:
            _assert_no_unknown_fields(value, path + "." + fd.name)


def _assert_reserialize_equal(msg):
    again = type(msg).FromString(msg.SerializeToString())
    assert again == msg
    # Deterministic serialization is stable too (map order is the only freedom).
    assert again.SerializeToString(deterministic=True) == msg.SerializeToString(
        deterministic=True)


def _lenet_ops():
    """Parses lenet_ops.txt: ({op: count}, [(name, op, inputs)])."""
    counts, nodes = {}, []
    with open(_path("frozen", "lenet_ops.txt"), encoding="utf-8") as f:
        for line in f:
            m = re.match(r"OP (\w+) count=(\d+)", line)
            if m:
                counts[m.group(1)] = int(m.group(2))
            m = re.match(r"(\S+) <- (\w+)\((.*)\)$", line.strip())
            if m:
                inputs = [s.strip() for s in m.group(3).split(",") if s.strip()]
                nodes.append((m.group(1), m.group(2), inputs))
    return counts, nodes


# --- schema ----------------------------------------------------------------------------

def test_public_classes_and_names():
    for name in proto.__all__:
        assert hasattr(proto, name), name
    assert proto.GraphDef.DESCRIPTOR.full_name == "tensorflow.GraphDef"
    assert proto.Summary.Value.DESCRIPTOR.full_name == "tensorflow.Summary.Value"
    assert proto.DataType.Value("DT_HALF") == 19
    assert proto.DataType.Value("DT_FLOAT_REF") == 101
    assert proto.DataType.Value("DT_UINT64") == 23
    assert proto.SaverDef.V2 == 2
    # Types live in the private pool, not protobuf's default one (no clash with TF).
    assert proto.GraphDef.DESCRIPTOR.file.pool is _pool.POOL


@pytest.mark.parametrize("name, dtype", [
    ("DT_FLOAT", dtypes.float32), ("DT_DOUBLE", dtypes.float64), ("DT_INT32", dtypes.int32),
    ("DT_UINT8", dtypes.uint8), ("DT_INT16", dtypes.int16), ("DT_INT8", dtypes.int8),
    ("DT_STRING", dtypes.string), ("DT_COMPLEX64", dtypes.complex64),
    ("DT_INT64", dtypes.int64), ("DT_BOOL", dtypes.bool), ("DT_BFLOAT16", dtypes.bfloat16),
    ("DT_UINT16", dtypes.uint16), ("DT_COMPLEX128", dtypes.complex128),
    ("DT_HALF", dtypes.float16), ("DT_RESOURCE", dtypes.resource),
    ("DT_VARIANT", dtypes.variant), ("DT_UINT32", dtypes.uint32), ("DT_UINT64", dtypes.uint64),
    ("DT_FLOAT_REF", dtypes.float32_ref), ("DT_INT32_REF", dtypes.int32_ref),
])
def test_datatype_enum_matches_dtypes(name, dtype):
    assert proto.DataType.Value(name) == dtype.as_datatype_enum


def test_wire_bytes_from_formats_doc():
    # Bytes quoted in FORMATS.md: a float_val constant and the int32 reshape shape.
    t = proto.TensorProto.FromString(bytes.fromhex("08011204120208012a040000803f"))
    assert t.dtype == proto.DataType.Value("DT_FLOAT") and list(t.float_val) == [1.0]
    shape = proto.TensorProto.FromString(
        bytes.fromhex("0803120412020802") + b"\x22\x08" + bytes.fromhex("ffffffff40060000"))
    np.testing.assert_array_equal(tensor_util.MakeNdarray(shape), [-1, 1600])
    header = proto.BundleHeaderProto.FromString(bytes.fromhex("08011a020801"))
    assert header.num_shards == 1 and header.version.producer == 1
    assert header.endianness == proto.BundleHeaderProto.LITTLE
    entry = proto.BundleEntryProto.FromString(bytes.fromhex("08091200" "20d0f4e201" "2808"
                                                            "35b099490e"))
    assert (entry.dtype, entry.offset, entry.size, entry.crc32c) == (9, 3717712, 8, 0x0E4999B0)
    assert entry.HasField("shape") and len(entry.shape.dim) == 0
    # An empty FloatList feature is present, not missing.
    feature = proto.Feature.FromString(bytes.fromhex("1200"))
    assert feature.WhichOneof("kind") == "float_list" and len(feature.float_list.value) == 0


# --- GraphDef --------------------------------------------------------------------------

@needs_fixtures
def test_lenet_frozen_graphdef():
    graph = proto.GraphDef.FromString(_read("frozen", "lenet_frozen.pb"))
    _assert_no_unknown_fields(graph)
    counts, nodes = _lenet_ops()
    assert len(graph.node) == sum(counts.values()) == len(nodes) == 45
    assert [(n.name, n.op, list(n.input)) for n in graph.node] == nodes
    seen = {}
    for n in graph.node:
        seen[n.op] = seen.get(n.op, 0) + 1
    assert seen == counts
    assert graph.versions.producer == 2474
    nodes_by_name = {n.name: n for n in graph.node}
    placeholder = nodes_by_name["input"]
    assert placeholder.attr["dtype"].type == proto.DataType.Value("DT_FLOAT")
    assert tensor_util.shape_from_proto(placeholder.attr["shape"].shape) == [None, 28, 28, 1]
    conv = nodes_by_name["LeNet/conv1/Conv2D"]
    assert list(conv.attr["strides"].list.i) == [1, 1, 1, 1]
    assert conv.attr["padding"].s == b"SAME"
    assert conv.attr["use_cudnn_on_gpu"].b is True
    assert conv.attr["explicit_paddings"].WhichOneof("value") == "list"
    bn = nodes_by_name["LeNet/conv1/BatchNorm/FusedBatchNormV3"]
    assert bn.attr["epsilon"].f == pytest.approx(0.001)
    assert list(nodes_by_name["LeNet/fc3/weights/read"].attr["_class"].list.s) == [
        b"loc:@LeNet/fc3/weights"]
    _assert_reserialize_equal(graph)


@needs_fixtures
def test_lenet_const_tensors_decode():
    graph = proto.GraphDef.FromString(_read("frozen", "lenet_frozen.pb"))
    ckpt = np.load(_path("ckpt.npz"))
    expected_shapes = {
        "LeNet/conv1/weights": (5, 5, 1, 32), "LeNet/conv2/weights": (5, 5, 32, 64),
        "LeNet/fc3/weights": (1600, 256), "LeNet/fc3/biases": (256,),
        "LeNet/fc4/weights": (256, 10), "LeNet/fc4/biases": (10,),
        "LeNet/conv1/BatchNorm/beta": (32,), "LeNet/conv2/BatchNorm/moving_variance": (64,),
        "LeNet/flatten/flatten/Const": (2,),
    }
    consts = [n for n in graph.node if n.op == "Const"]
    assert len(consts) == 15
    for node in consts:
        tensor = node.attr["value"].tensor
        value = tensor_util.MakeNdarray(tensor)
        assert value.dtype == dtypes.as_dtype(node.attr["dtype"].type).as_numpy_dtype
        assert list(value.shape) == tensor_util.shape_from_proto(tensor.tensor_shape)
        if node.name in expected_shapes:
            assert value.shape == expected_shapes[node.name]
        if node.name in ckpt.files:  # frozen from model.ckpt-3, same as ckpt.npz
            np.testing.assert_array_equal(value, ckpt[node.name])
    reshape = [n for n in consts if n.name == "LeNet/flatten/flatten/Const"][0]
    np.testing.assert_array_equal(tensor_util.MakeNdarray(reshape.attr["value"].tensor),
                                  np.array([-1, 1600], np.int32))


@needs_fixtures
def test_combined_model_graphdef():
    graph = proto.GraphDef.FromString(_read("frozen", "combined_model.pb"))
    _assert_no_unknown_fields(graph)
    assert [(n.name, n.op) for n in graph.node] == [
        ("v1", "Const"), ("v1/read", "Identity"), ("v2", "Const"), ("v2/read", "Identity"),
        ("add", "AddV2")]
    assert graph.HasField("library") and len(graph.library.function) == 0
    assert graph.versions.producer == 2474
    v1 = tensor_util.MakeNdarray(graph.node[0].attr["value"].tensor)
    v2 = tensor_util.MakeNdarray(graph.node[2].attr["value"].tensor)
    np.testing.assert_array_equal(v1, np.array([1.0], np.float32))
    np.testing.assert_array_equal(v2, np.array([2.0], np.float32))
    assert list(graph.node[0].attr["value"].tensor.float_val) == [1.0]
    _assert_reserialize_equal(graph)


# --- MetaGraphDef / checkpoint state ---------------------------------------------------

@needs_fixtures
def test_lenet_meta_graph():
    meta = proto.MetaGraphDef.FromString(_read("ckpt", "model.ckpt-2.meta"))
    _assert_no_unknown_fields(meta)
    assert sorted(meta.collection_def) == [
        "cond_context", "global_step", "losses", "model_variables",
        "moving_average_variables", "train_op", "trainable_variables", "variables"]
    saver = meta.saver_def
    assert saver.filename_tensor_name == "save/Const:0"
    assert saver.save_tensor_name == "save/control_dependency:0"
    assert saver.restore_op_name == "save/restore_all"
    assert saver.max_to_keep == 2
    assert saver.keep_checkpoint_every_n_hours == 10000.0
    assert saver.version == proto.SaverDef.V2
    variables = [proto.VariableDef.FromString(b)
                 for b in meta.collection_def["variables"].bytes_list.value]
    names = {v.variable_name for v in variables}
    assert "global_step:0" in names and "LeNet/conv1/weights:0" in names
    global_step = proto.VariableDef.FromString(
        meta.collection_def["global_step"].bytes_list.value[0])
    assert global_step.initializer_name == "global_step/Assign"
    assert global_step.snapshot_name == "global_step/read:0"
    assert meta.collection_def["train_op"].WhichOneof("kind") == "node_list"
    ops = {n.op for n in meta.graph_def.node}
    assert {"VariableV2", "Assign", "SaveV2", "RestoreV2"} <= ops
    stripped = {op.name for op in meta.meta_info_def.stripped_op_list.op}
    assert ops == stripped
    assert meta.meta_info_def.tensorflow_version == "2.21.0"
    _assert_reserialize_equal(meta)


@needs_fixtures
def test_tiny_meta_graph():
    meta = proto.MetaGraphDef.FromString(_read("tiny", "model.ckpt.meta"))
    _assert_no_unknown_fields(meta)
    assert meta.HasField("saver_def") and meta.saver_def.version == proto.SaverDef.V2
    assert set(meta.collection_def) >= {"variables", "trainable_variables"}
    names = [proto.VariableDef.FromString(b).variable_name
             for b in meta.collection_def["trainable_variables"].bytes_list.value]
    assert names == ["v1:0", "v2:0"]
    node_names = {n.name for n in meta.graph_def.node}
    assert {"v1", "v2", "add"} <= node_names
    v1 = [n for n in meta.graph_def.node if n.name == "v1"][0]
    assert v1.op == "VariableV2"
    _assert_reserialize_equal(meta)


@needs_fixtures
@pytest.mark.parametrize("which, latest, all_paths", [
    ("tiny", "model.ckpt", ["model.ckpt"]),
    ("ckpt", "model.ckpt-3", ["model.ckpt-2", "model.ckpt-3"]),
])
def test_checkpoint_state_text(which, latest, all_paths):
    with open(_path(which, "checkpoint"), encoding="utf-8") as f:
        state = text_format.Parse(f.read(), proto.CheckpointState())
    assert state.model_checkpoint_path == latest
    assert list(state.all_model_checkpoint_paths) == all_paths
    again = text_format.Parse(text_format.MessageToString(state), proto.CheckpointState())
    assert again == state


# --- Example / Event records -----------------------------------------------------------

def _feature_values(feature):
    kind = feature.WhichOneof("kind")
    return kind, list(getattr(feature, kind).value)


@needs_fixtures
def test_examples_tfrecord():
    with open(_path("examples.json"), encoding="utf-8") as f:
        expected = json.load(f)
    payloads = list(_tfrecords(_read("examples.tfrecord")))
    assert len(payloads) == expected["num_records"]
    for i, (payload, rec) in enumerate(zip(payloads, expected["records"])):
        assert payload == base64.b64decode(rec["record_b64"])
        example = proto.Example.FromString(payload)
        _assert_no_unknown_fields(example)
        feats = example.features.feature
        assert _feature_values(feats["label"]) == ("int64_list", [rec["label"]])
        kind, img = _feature_values(feats["img_raw"])
        assert kind == "bytes_list" and img == [base64.b64decode(rec["img_raw_b64"])]
        assert np.frombuffer(img[0], np.uint8).reshape(28, 28).shape == (28, 28)
        kind, floats = _feature_values(feats["floats"])
        assert kind == "float_list"
        bits = [struct.pack(">f", v).hex() for v in floats]
        assert bits == rec["floats_hex"]
        assert _feature_values(feats["names"]) == (
            "bytes_list", [base64.b64decode(n) for n in rec["names_b64"]])
        assert _feature_values(feats["ids"]) == ("int64_list", rec["ids"])
        if i == expected["record_with_empty_floats"]:
            assert floats == []
        _assert_reserialize_equal(example)
    assert -2 ** 63 in expected["records"][1]["ids"]


@needs_fixtures
def test_events_file():
    with open(_path("events.json"), encoding="utf-8") as f:
        expected = json.load(f)
    events = [proto.Event.FromString(p)
              for p in _tfrecords(_read(*expected["event_file"].split("/")))]
    assert len(events) == expected["num_events"] == len(expected["event_sequence"])
    assert events[0].file_version == "brain.Event:2"
    assert events[0].source_metadata.writer == "tensorflow.core.util.events_writer"
    scalars, tags = {}, set()
    for event, seq in zip(events, expected["event_sequence"]):
        _assert_no_unknown_fields(event)
        assert event.WhichOneof("what") == seq["what"]
        assert event.step == seq["step"]
        if event.WhichOneof("what") == "graph_def":
            graph = proto.GraphDef.FromString(event.graph_def)
            assert [n.name for n in graph.node] == seq["graph_node_names"]
        if event.HasField("summary"):
            for value in event.summary.value:
                tags.add(value.tag)
                if value.WhichOneof("value") == "simple_value":
                    scalars.setdefault(value.tag, []).append(
                        {"step": event.step, "value": value.simple_value})
        _assert_reserialize_equal(event)
    assert sorted(tags) == expected["tags"]
    for tag, points in expected["scalars"].items():
        assert [(p["step"], np.float32(p["value"])) for p in scalars[tag]] == [
            (p["step"], np.float32(p["value"])) for p in points]
    histos = [(e.step, v) for e in events for v in e.summary.value if v.HasField("histo")]
    assert len(histos) == len(expected["histograms"])
    for (step, value), want in zip(histos, expected["histograms"]):
        assert (step, value.tag) == (want["step"], want["tag"])
        h = value.histo
        assert (h.min, h.max, h.num, h.sum, h.sum_squares) == (
            want["min"], want["max"], want["num"], want["sum"], want["sum_squares"])
        assert list(h.bucket_limit) == want["bucket_limit"]
        assert list(h.bucket) == want["bucket"]
    images = [(e.step, v) for e in events for v in e.summary.value if v.HasField("image")]
    assert [(s, v.tag, v.image.height, v.image.width, v.image.colorspace)
            for s, v in images] == [(i["step"], i["tag"], i["height"], i["width"],
                                     i["colorspace"]) for i in expected["images"]]
    assert all(v.image.encoded_image_string.startswith(b"\x89PNG") for _, v in images)


def test_messages_round_trip():
    event = proto.Event(wall_time=1.5, step=3, session_log=proto.SessionLog(
        status=proto.SessionLog.CHECKPOINT, checkpoint_path="/tmp/model.ckpt-3"))
    _assert_reserialize_equal(event)
    seq = proto.SequenceExample()
    seq.context.feature["id"].int64_list.value.append(-1)
    seq.feature_lists.feature_list["f"].feature.add().float_list.value.extend([1.0, 2.0])
    _assert_reserialize_equal(seq)
    meta = proto.MetaGraphDef()
    meta.meta_info_def.any_info.Pack(proto.SaverDef(version=proto.SaverDef.V2))
    assert meta.meta_info_def.any_info.type_url == "type.googleapis.com/tensorflow.SaverDef"
    unpacked = proto.SaverDef()
    assert meta.meta_info_def.any_info.Unpack(unpacked) and unpacked.version == 2
    _assert_reserialize_equal(meta)


# --- tensor_util -----------------------------------------------------------------------

_ROUND_TRIP_DTYPES = [np.float16, np.float32, np.float64, np.int8, np.int16, np.int32,
                      np.int64, np.uint8, np.uint16, np.uint32, np.uint64, np.bool_,
                      np.complex64, np.complex128]


def _sample(np_dtype, shape):
    n = int(np.prod(shape))
    if np_dtype == np.bool_:
        return (np.arange(n) % 3 == 0).reshape(shape)
    if np.issubdtype(np_dtype, np.complexfloating):
        return (np.arange(n) - 2.5 + 1j * np.arange(n)).astype(np_dtype).reshape(shape)
    if np.issubdtype(np_dtype, np.floating):
        return (np.arange(n) * 0.5 - 3).astype(np_dtype).reshape(shape)
    info = np.iinfo(np_dtype)
    vals = np.array([info.min, info.max, 0, 1] * n, dtype=np_dtype)[:n]
    return vals.reshape(shape)


@pytest.mark.parametrize("np_dtype", _ROUND_TRIP_DTYPES, ids=lambda t: np.dtype(t).name)
@pytest.mark.parametrize("shape", [(), (1,), (0,), (2, 0, 3), (3, 4), (2, 3, 2)],
                         ids=str)
def test_tensor_round_trip(np_dtype, shape):
    value = _sample(np_dtype, shape)
    t = tensor_util.make_tensor_proto(value)
    assert t.dtype == dtypes.as_dtype(np_dtype).as_datatype_enum
    assert tensor_util.shape_from_proto(t.tensor_shape) == list(shape)
    parsed = proto.TensorProto.FromString(t.SerializeToString())
    back = tensor_util.MakeNdarray(parsed)
    assert back.dtype == np_dtype and back.shape == shape
    np.testing.assert_array_equal(back, value)


@pytest.mark.parametrize("np_dtype", _ROUND_TRIP_DTYPES, ids=lambda t: np.dtype(t).name)
def test_encoding_choice_matches_tf(np_dtype):
    many = tensor_util.make_tensor_proto(_sample(np_dtype, (2, 3)))
    one = tensor_util.make_tensor_proto(_sample(np_dtype, (1,)))
    if np_dtype in (np.bool_, np.complex64, np.complex128):
        assert not many.tensor_content
    else:
        assert len(many.tensor_content) == 6 * np.dtype(np_dtype).itemsize
    assert not one.tensor_content  # single values use the typed *_val field


@pytest.mark.parametrize("dtype, field, stored, want", [
    (dtypes.float32, "float_val", [1.5, -2.0], [1.5, -2.0, -2.0, -2.0]),
    (dtypes.float64, "double_val", [0.25], [0.25] * 4),
    (dtypes.int32, "int_val", [7, 8, 9], [7, 8, 9, 9]),
    (dtypes.uint8, "int_val", [255], [255] * 4),
    (dtypes.int16, "int_val", [-3, 4], [-3, 4, 4, 4]),
    (dtypes.int8, "int_val", [-128], [-128] * 4),
    (dtypes.uint16, "int_val", [65535, 1], [65535, 1, 1, 1]),
    (dtypes.int64, "int64_val", [2 ** 62, -2 ** 63], [2 ** 62, -2 ** 63, -2 ** 63, -2 ** 63]),
    (dtypes.uint32, "uint32_val", [2 ** 32 - 1], [2 ** 32 - 1] * 4),
    (dtypes.uint64, "uint64_val", [1, 2 ** 64 - 1], [1] + [2 ** 64 - 1] * 3),
    (dtypes.bool, "bool_val", [False, True], [False, True, True, True]),
    (dtypes.float16, "half_val", [0x3C00, 0xC000], [1.0, -2.0, -2.0, -2.0]),
    (dtypes.bfloat16, "half_val", [0x3F80], [1.0] * 4),
    (dtypes.complex64, "scomplex_val", [1.0, 2.0], [1 + 2j] * 4),
    (dtypes.complex128, "dcomplex_val", [1.0, -1.0, 3.0, 0.5], [1 - 1j, 3 + .5j, 3 + .5j,
                                                                3 + .5j]),
    (dtypes.string, "string_val", [b"a", b"\xffz"], [b"a", b"\xffz", b"\xffz", b"\xffz"]),
])
def test_make_ndarray_repeats_last_value(dtype, field, stored, want):
    t = proto.TensorProto(dtype=dtype.as_datatype_enum,
                          tensor_shape=tensor_util.tensor_shape_proto([2, 2]))
    getattr(t, field).extend(stored)
    got = tensor_util.MakeNdarray(t)
    assert got.shape == (2, 2) and got.dtype == dtype.as_numpy_dtype
    np.testing.assert_array_equal(got.ravel(), np.array(want, dtype=dtype.as_numpy_dtype))


def test_make_ndarray_no_values_is_zeros():
    t = proto.TensorProto(dtype=dtypes.int32.as_datatype_enum,
                          tensor_shape=tensor_util.tensor_shape_proto([3]))
    np.testing.assert_array_equal(tensor_util.MakeNdarray(t), np.zeros(3, np.int32))
    s = proto.TensorProto(dtype=dtypes.string.as_datatype_enum,
                          tensor_shape=tensor_util.tensor_shape_proto([2]))
    assert tensor_util.MakeNdarray(s).tolist() == [b"", b""]


def test_splat_with_shape():
    t = tensor_util.make_tensor_proto(3, dtype=dtypes.float32, shape=[2, 3])
    assert list(t.float_val) == [3.0] and not t.tensor_content
    np.testing.assert_array_equal(tensor_util.MakeNdarray(t), np.full((2, 3), 3, np.float32))
    t = tensor_util.make_tensor_proto(np.arange(6, dtype=np.int64), shape=[3, 2])
    np.testing.assert_array_equal(tensor_util.MakeNdarray(t),
                                  np.arange(6, dtype=np.int64).reshape(3, 2))


def test_python_value_inference():
    assert tensor_util.make_tensor_proto(1.5).dtype == dtypes.float32.as_datatype_enum
    assert tensor_util.make_tensor_proto([1, 2]).dtype == dtypes.int32.as_datatype_enum
    assert tensor_util.make_tensor_proto([1, 2 ** 40]).dtype == dtypes.int64.as_datatype_enum
    assert tensor_util.make_tensor_proto(True).dtype == dtypes.bool.as_datatype_enum
    assert tensor_util.make_tensor_proto([]).dtype == dtypes.float32.as_datatype_enum
    scalar = tensor_util.make_tensor_proto(2.0)
    assert len(scalar.tensor_shape.dim) == 0 and not scalar.tensor_shape.unknown_rank
    assert tensor_util.MakeNdarray(scalar).shape == ()
    np.testing.assert_array_equal(
        tensor_util.MakeNdarray(tensor_util.make_tensor_proto([[1, 2], [3, 4]],
                                                              dtype=dtypes.float64)),
        np.array([[1, 2], [3, 4]], np.float64))


def test_strings():
    t = tensor_util.make_tensor_proto([["ab", b""], [b"\x00\xff", "caf\u00e9"]])
    assert t.dtype == dtypes.string.as_datatype_enum
    assert list(t.string_val) == [b"ab", b"", b"\x00\xff", "caf\u00e9".encode()]
    back = tensor_util.MakeNdarray(t)
    assert back.dtype == object and back.shape == (2, 2)
    assert back.tolist() == [[b"ab", b""], [b"\x00\xff", "caf\u00e9".encode()]]
    scalar = tensor_util.make_tensor_proto(b"x")
    assert tensor_util.MakeNdarray(scalar).shape == () and scalar.string_val == [b"x"]
    for arr in (np.array(["a", "bc"]), np.array([b"a", b"bc"]),
                np.array([b"a", b"bc"], dtype=object)):
        assert tensor_util.MakeNdarray(tensor_util.make_tensor_proto(arr)).tolist() == [
            b"a", b"bc"]
    empty = tensor_util.make_tensor_proto(np.array([], dtype=object), dtype=dtypes.string)
    assert tensor_util.MakeNdarray(empty).shape == (0,)


def test_string_tensor_content_encoding():
    # TF's C++ side may encode strings in tensor_content: varint lengths, then bytes.
    t = proto.TensorProto(dtype=dtypes.string.as_datatype_enum,
                          tensor_shape=tensor_util.tensor_shape_proto([3]),
                          tensor_content=b"\x02\x00\x03abxyz")
    assert tensor_util.MakeNdarray(t).tolist() == [b"ab", b"", b"xyz"]


def test_half_and_bfloat16():
    half = np.array([0.5, -65504, np.inf], np.float16)
    t = tensor_util.make_tensor_proto(half[:1])
    assert list(t.half_val) == [0x3800]
    np.testing.assert_array_equal(tensor_util.MakeNdarray(tensor_util.make_tensor_proto(half)),
                                  half)
    vals = np.array([1.0, -2.5, 3.0078125, 1e30], np.float32)
    b = tensor_util.make_tensor_proto(vals, dtype=dtypes.bfloat16)
    assert b.dtype == dtypes.bfloat16.as_datatype_enum and len(b.tensor_content) == 8
    back = tensor_util.MakeNdarray(b)
    assert back.dtype == np.float32
    np.testing.assert_allclose(back, vals, rtol=2 ** -8)
    np.testing.assert_array_equal(back[:3], [1.0, -2.5, 3.0])  # 3.0078125 rounds to even


def test_dtype_argument_casts_numpy_and_accepts_ref_and_names():
    t = tensor_util.make_tensor_proto(np.arange(4), dtype=dtypes.float32_ref)
    assert t.dtype == dtypes.float32.as_datatype_enum
    t = tensor_util.make_tensor_proto([1, 2], dtype="int64")
    assert tensor_util.MakeNdarray(t).dtype == np.int64
    t = tensor_util.make_tensor_proto(np.array([1.7, -1.2]), dtype=np.int32)
    np.testing.assert_array_equal(tensor_util.MakeNdarray(t), [1, -1])


def test_make_tensor_proto_errors():
    with pytest.raises(TypeError, match="Expected int32, but got 1.5"):
        tensor_util.make_tensor_proto(1.5, dtype=dtypes.int32)
    with pytest.raises(TypeError, match="Expected bool"):
        tensor_util.make_tensor_proto(1, dtype=dtypes.bool)
    with pytest.raises(TypeError, match="Expected float32, but got string"):
        tensor_util.make_tensor_proto(["a"], dtype=dtypes.float32)
    with pytest.raises(TypeError, match="string"):
        tensor_util.make_tensor_proto([b"a", 1])
    with pytest.raises(ValueError, match="dense"):
        tensor_util.make_tensor_proto([[1], [2, 3]])
    with pytest.raises(ValueError, match="dense"):
        tensor_util.make_tensor_proto([[b"a"], [b"b", b"c"]])
    with pytest.raises(ValueError, match="out of range for int8"):
        tensor_util.make_tensor_proto(300, dtype=dtypes.int8)
    with pytest.raises(ValueError, match="Too many elements provided. Takes at most 2, but got 3"):
        tensor_util.make_tensor_proto([1, 2, 3], shape=[2])
    with pytest.raises(ValueError, match="fully defined"):
        tensor_util.make_tensor_proto(1.0, shape=[None, 2])
    with pytest.raises(TypeError, match="Expected Tensor's shape"):
        tensor_util.make_tensor_proto([1, 2], shape=[2, 1], verify_shape=True)
    with pytest.raises(TypeError, match="does not support dtype resource"):
        tensor_util.make_tensor_proto(1, dtype=dtypes.resource)
    with pytest.raises(TypeError, match="Cannot convert"):
        tensor_util.make_tensor_proto(1, dtype="no_such_type")
    with pytest.raises(TypeError, match="Unsupported numpy type"):
        tensor_util.make_tensor_proto(np.array(["2020-01-01"], dtype="datetime64[D]"))


def test_allow_broadcast():
    t = tensor_util.make_tensor_proto([5], shape=[2, 2], allow_broadcast=True)
    np.testing.assert_array_equal(tensor_util.MakeNdarray(t), np.full((2, 2), 5, np.int32))
    with pytest.raises(TypeError, match="Expected Tensor's shape"):
        tensor_util.make_tensor_proto([1, 2], shape=[4], allow_broadcast=True)


def test_make_ndarray_errors():
    with pytest.raises(TypeError, match="expects a TensorProto"):
        tensor_util.MakeNdarray(np.zeros(2))
    t = proto.TensorProto(dtype=dtypes.float32.as_datatype_enum,
                          tensor_shape=tensor_util.tensor_shape_proto([None, 2]))
    with pytest.raises(ValueError, match="fully defined"):
        tensor_util.MakeNdarray(t)
    t = proto.TensorProto(dtype=dtypes.float32.as_datatype_enum,
                          tensor_shape=tensor_util.tensor_shape_proto([3]),
                          tensor_content=b"\x00" * 8)
    with pytest.raises(ValueError, match="tensor_content has 8 bytes, but shape"):
        tensor_util.MakeNdarray(t)
    t = proto.TensorProto(dtype=dtypes.int32.as_datatype_enum,
                          tensor_shape=tensor_util.tensor_shape_proto([1]), int_val=[1, 2])
    with pytest.raises(ValueError, match="has 2 values in int_val"):
        tensor_util.MakeNdarray(t)
    t = proto.TensorProto(dtype=proto.DataType.Value("DT_RESOURCE"))
    with pytest.raises(TypeError, match="DT_RESOURCE"):
        tensor_util.MakeNdarray(t)
    t = proto.TensorProto(dtype=proto.DataType.Value("DT_QINT8"))
    with pytest.raises(TypeError, match="DT_QINT8"):
        tensor_util.MakeNdarray(t)


def test_shape_helpers():
    p = tensor_util.tensor_shape_proto([None, 28, -1, 3])
    assert [d.size for d in p.dim] == [-1, 28, -1, 3]
    assert tensor_util.shape_from_proto(p) == [None, 28, None, 3]
    unknown = tensor_util.tensor_shape_proto(None)
    assert unknown.unknown_rank and tensor_util.shape_from_proto(unknown) is None
    scalar = tensor_util.tensor_shape_proto([])
    assert tensor_util.shape_from_proto(scalar) == [] and not scalar.unknown_rank
    assert tensor_util.shape_from_proto(tensor_util.tensor_shape_proto((np.int64(2),))) == [2]
    assert tensor_util.tensor_shape_proto(p) == p
    with pytest.raises(ValueError, match="negative"):
        tensor_util.tensor_shape_proto([2, -3])
    with pytest.raises(TypeError, match="ints or None"):
        tensor_util.tensor_shape_proto([2.5])
    with pytest.raises(TypeError, match="sequence of dimensions"):
        tensor_util.tensor_shape_proto(3)
    with pytest.raises(TypeError, match="expects a TensorShapeProto"):
        tensor_util.shape_from_proto([1, 2])
    bad = proto.TensorShapeProto(unknown_rank=True)
    bad.dim.add(size=2)
    with pytest.raises(ValueError, match="unknown_rank"):
        tensor_util.shape_from_proto(bad)
