"""Graphs as files: NodeDef/GraphDef export, AttrValue mapping, import_graph_def, write_graph.

Golden files: ``tests/data/frozen/combined_model.pb`` (copied from
shared/fixtures/tf1/frozen) and, through the ``fixtures_dir`` fixture, TF's frozen LeNet.
"""
import os

import numpy as np
import pytest
from google.protobuf import text_format

import tensorslim as tf
from tensorslim.core import graph_io, importer, registry
from tensorslim.proto import graph_pb2, op_def_pb2
from tensorslim.training.saver import restore_v2

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


# --------------------------------------------------------------------------- attrs

@pytest.mark.parametrize("value, field", [
    (tf.float32, "type"), (tf.int64, "type"), (True, "b"), (False, "b"), (3, "i"),
    (-7, "i"), (np.int64(2) ** 40, "i"), (0.25, "f"), (np.float32(1.5), "f"),
    ("SAME", "s"), (b"\xff\x00", "s"), (tf.TensorShape([None, 28, 28, 1]), "shape"),
    (tf.TensorShape(None), "shape"), (tf.TensorShape([]), "shape"),
    (np.arange(6, dtype=np.float32).reshape(2, 3), "tensor"),
    (np.array(7, dtype=np.int64), "tensor"), (np.array([b"a", b"bc"], dtype=object), "tensor"),
    (np.array([True, False]), "tensor"),
    ([1, 2, 3], "list"), ([0.5, 2.0], "list"), ([tf.float32, tf.int32], "list"),
    (["loc:@v1"], "list"), ([tf.TensorShape([2]), tf.TensorShape(None)], "list"),
    ([], "list"), ([True, False], "list"),
])
def test_attr_value_round_trip(value, field):
    av = graph_io.attr_value_of(value)
    assert av.WhichOneof("value") == field
    back = graph_io.python_value_of(tf.AttrValue.FromString(av.SerializeToString()))
    if isinstance(value, np.ndarray):
        np.testing.assert_array_equal(back, value)
        assert back.dtype == value.dtype and not back.flags.writeable
    elif isinstance(value, bytes):
        assert back == value  # not UTF-8: stays bytes
    elif isinstance(value, tf.TensorShape):
        assert back.as_proto() == value.as_proto()
    elif isinstance(value, list) and value and isinstance(value[0], tf.TensorShape):
        assert [s.as_proto() for s in back] == [s.as_proto() for s in value]
    else:
        assert back == value
        assert type(back) is type(value) or isinstance(value, (np.generic, int))


def test_attr_value_unmappable_is_skipped():
    assert graph_io.attr_value_of(object()) is None
    assert graph_io.attr_value_of([1, object()]) is None


# --------------------------------------------------------------------------- export

def test_node_def_inputs_control_device_colocation():
    a = tf.placeholder(tf.float32, [2], name="a")
    with tf.device("/cpu:0"):
        b = tf.identity(a, name="b")
    with tf.control_dependencies([b.op]):
        c = tf.add(a, b, name="c")
    v = tf.Variable([1.0, 2.0], name="v")
    nd = c.op.node_def
    assert nd.name == "c" and nd.op == "Add"
    assert list(nd.input) == ["a", "b"]  # b is an input, so not also a control input
    assert nd.attr["T"].type == tf.float32.as_datatype_enum
    assert b.op.node_def.device == "/device:CPU:0"
    assert v.initializer.node_def.attr["_class"].list.s == [b"loc:@v"]
    assert v.op.node_def.attr["shape"].shape.dim[0].size == 2


def test_node_def_output_index_and_control_input():
    x = tf.placeholder(tf.float32, name="x")
    y = tf.identity(x, name="y")
    with tf.control_dependencies([y]):
        z = tf.identity(x, name="z")
    assert list(z.op.node_def.input) == ["x", "^y"]
    restored = restore_v2("p", ["a", "b"], ["", ""], [tf.float32, tf.int32])
    w = tf.identity(restored[1], name="w")
    assert list(w.op.node_def.input) == ["RestoreV2:1"]


def test_as_graph_def_order_versions_and_shapes():
    a = tf.constant([[1.0, 2.0]], name="a")
    b = tf.placeholder(tf.float32, [None, 2], name="b")
    tf.add(a, b, name="sum")
    gd = tf.get_default_graph().as_graph_def()
    assert [n.name for n in gd.node] == ["a", "b", "sum"]
    assert gd.versions.producer == tf.GRAPH_DEF_VERSION
    assert "_output_shapes" not in gd.node[2].attr
    gd = tf.get_default_graph().as_graph_def(add_shapes=True)
    dims = [d.size for d in gd.node[2].attr["_output_shapes"].list.shape[0].dim]
    assert dims == [-1, 2]
    value = gd.node[0].attr["value"].tensor
    assert value.dtype == tf.float32.as_datatype_enum and value.tensor_content
    with tf.Session() as sess:
        assert sess.graph_def == tf.get_default_graph().as_graph_def()


def test_graph_def_serialization_and_text_format():
    v = tf.Variable(tf.zeros([3]), name="v")
    tf.identity(v, name="out")
    gd = tf.get_default_graph().as_graph_def()
    back = tf.GraphDef()
    back.ParseFromString(gd.SerializeToString())
    assert back == gd
    parsed = text_format.Parse(text_format.MessageToString(gd), tf.GraphDef())
    assert parsed == gd


def test_write_graph_text_and_binary(tmp_path):
    tf.constant(1.0, name="c")
    g = tf.get_default_graph()
    path = tf.train.write_graph(g, str(tmp_path / "sub"), "g.pbtxt")
    assert path == os.path.join(str(tmp_path / "sub"), "g.pbtxt")
    with open(path) as f:
        text = f.read()
    assert 'name: "c"' in text and 'op: "Const"' in text
    assert text_format.Parse(text, tf.GraphDef()) == g.as_graph_def()
    path = tf.train.write_graph(g.as_graph_def(), str(tmp_path), "g.pb", as_text=False)
    with open(path, "rb") as f:
        assert tf.GraphDef.FromString(f.read()) == g.as_graph_def()
    assert not [f for f in os.listdir(str(tmp_path)) if "tempstate" in f]


# --------------------------------------------------------------------------- import

def _small_graph_def():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 2], name="x")
        w = tf.constant([[1.0], [2.0]], name="w")
        tf.add(tf.matmul(x, w), 1.0, name="y")
    return g.as_graph_def()


def test_import_round_trip_runs(device_mode):
    gd = _small_graph_def()
    y, x_op = tf.import_graph_def(gd, return_elements=["y:0", "x"])
    assert y.name == "import/y:0" and isinstance(x_op, tf.Operation)
    assert y.shape.as_list() == [None, 1]
    with tf.Session() as sess:
        out = sess.run(y, {x_op.outputs[0]: [[1.0, 1.0], [2.0, 0.0]]})
    np.testing.assert_array_equal(out, [[4.0], [3.0]])


def test_import_prefix_is_unique_and_empty_name_renames():
    gd = _small_graph_def()
    tf.import_graph_def(gd)
    tf.import_graph_def(gd)
    tf.import_graph_def(gd, name="net")
    names = [op.name for op in tf.get_default_graph().get_operations()]
    assert "import/y" in names and "import_1/y" in names and "net/y" in names
    tf.reset_default_graph()
    tf.placeholder(tf.float32, name="x")
    y, = tf.import_graph_def(gd, name="", return_elements=["y:0"])
    g = tf.get_default_graph()
    assert g.get_operation_by_name("x_1").type == "Placeholder"
    assert y.op.inputs[0].op.inputs[0].op.name == "x_1"
    # Names created after the import do not collide with imported ones.
    assert tf.constant(1.0, name="w").op.name == "w_1"


def test_import_input_map_forms():
    gd = _small_graph_def()
    z = tf.constant([[3.0, 4.0]], name="z")
    y1, = tf.import_graph_def(gd, input_map={"x:0": z}, return_elements=["y:0"])
    y2, = tf.import_graph_def(gd, input_map={"x": z}, return_elements=["y:0"])
    y3, = tf.import_graph_def(gd, input_map={"x:0": [[1.0, 0.0]]}, name="lit",
                              return_elements=["y:0"])
    with tf.Session() as sess:
        a, b, c = sess.run([y1, y2, y3])
    assert a[0, 0] == b[0, 0] == 12.0 and c[0, 0] == 2.0


def test_import_control_input_map_and_context_dependencies():
    g = tf.Graph()
    with g.as_default():
        a = tf.constant(1.0, name="a")
        with tf.control_dependencies([a.op]):
            tf.constant(2.0, name="b")
    gd = g.as_graph_def()
    gate = tf.no_op(name="gate")
    b, = tf.import_graph_def(gd, input_map={"^a": gate}, return_elements=["b"])
    assert b.control_inputs == [gate]
    with tf.control_dependencies([gate]):
        a2, b2 = tf.import_graph_def(gd, return_elements=["a", "b"])
    assert a2.control_inputs == [gate]  # a root node gets the context's dependencies
    assert b2.control_inputs == [a2]


def test_import_device_and_colocation():
    g = tf.Graph()
    with g.as_default():
        with tf.device("/cpu:0"):
            v = tf.Variable(1.0, name="v")
    gd = g.as_graph_def()
    tf.import_graph_def(gd, name="m")
    graph = tf.get_default_graph()
    assign = graph.get_operation_by_name("m/v/Assign")
    assert assign.get_attr("_class") == ["loc:@m/v"]
    assert graph.get_operation_by_name("m/v").device == "/device:CPU:0"
    assert assign.device == "/device:CPU:0"
    with tf.device("/cpu:0"):
        tf.import_graph_def(_small_graph_def(), name="d")
    assert graph.get_operation_by_name("d/y").device == "/device:CPU:0"
    del v


def test_import_add_and_addv2_and_stripped_defaults():
    gd = graph_pb2.GraphDef()
    text_format.Parse("""
      node { name: "a" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
             attr { key: "value" value { tensor { dtype: DT_FLOAT
               tensor_shape { dim { size: 2 } dim { size: 2 } }
               tensor_content: "\\000\\000\\200?\\000\\000\\000@"
                               "\\000\\000@@\\000\\000\\200@" } } } }
      node { name: "s" op: "Add" input: "a" input: "a"
             attr { key: "T" value { type: DT_FLOAT } } }
      node { name: "s2" op: "AddV2" input: "s" input: "a"
             attr { key: "T" value { type: DT_FLOAT } } }
      node { name: "m" op: "MatMul" input: "s2" input: "a"
             attr { key: "T" value { type: DT_FLOAT } } }
    """, gd)
    m, = tf.import_graph_def(gd, return_elements=["m:0"])
    assert m.op.get_attr("transpose_a") is False and m.shape.as_list() == [2, 2]
    a = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(m), (3 * a) @ a)


def test_import_uses_producer_op_list_for_outputs():
    gd = graph_pb2.GraphDef()
    text_format.Parse("""
      node { name: "c" op: "Const" attr { key: "dtype" value { type: DT_INT32 } }
             attr { key: "value" value { tensor { dtype: DT_INT32 int_val: 4 } } } }
      node { name: "i" op: "Identity" input: "c" attr { key: "T" value { type: DT_INT32 } } }
    """, gd)
    ops = op_def_pb2.OpList()
    text_format.Parse("""
      op { name: "Identity" input_arg { name: "input" type_attr: "T" }
           output_arg { name: "output" type_attr: "T" } attr { name: "T" type: "type" } }
    """, ops)
    i, = tf.import_graph_def(gd, return_elements=["i:0"], producer_op_list=ops)
    assert i.dtype == tf.int32
    assert importer.output_dtypes("RestoreV2", {"dtypes": [tf.float32, tf.int64]}) == \
        [tf.float32, tf.int64]
    assert importer.output_dtypes("VariableV2", {"dtype": tf.float32}) == [tf.float32_ref]
    assert importer.output_dtypes("ShapeN", {"N": 2, "out_type": tf.int64}) == [tf.int64] * 2
    assert importer.output_dtypes("ApplyAdam", {"T": tf.float32}) == [tf.float32_ref]
    assert importer.output_dtypes("NoOp", {}) == []


def test_import_errors():
    gd = _small_graph_def()
    with pytest.raises(TypeError, match="graph_def must be a GraphDef proto"):
        tf.import_graph_def(gd.SerializeToString())
    with pytest.raises(ValueError, match="Requested return_element 'nope:0' not found"):
        tf.import_graph_def(gd, return_elements=["nope:0"])
    with pytest.raises(ValueError, match=r"not found in graph_def: \[q:0\]"):
        tf.import_graph_def(gd, input_map={"q:0": tf.constant(1.0)})
    with pytest.raises(TypeError, match="return_elements must be a list of strings"):
        tf.import_graph_def(gd, return_elements="y:0")
    with pytest.raises(ValueError, match="non-empty `name`"):
        tf.import_graph_def(gd, input_map={"x:0": [[1.0, 2.0]]}, name="")
    bad = graph_pb2.GraphDef()
    bad.CopyFrom(gd)
    bad.node[-1].input[0] = "ghost"
    with pytest.raises(ValueError, match="Node 'y': Unknown input node 'ghost'"):
        tf.import_graph_def(bad)


def test_import_lists_every_unsupported_op_type():
    gd = graph_pb2.GraphDef()
    text_format.Parse("""
      node { name: "a" op: "FancyOpOne" }
      node { name: "b" op: "FancyOpTwo" input: "a" }
      node { name: "c" op: "FancyOpOne" input: "b" }
      node { name: "d" op: "NoOp" }
    """, gd)
    with pytest.raises(tf.errors.NotFoundError,
                       match=r"(?s)Op type not registered 'FancyOpOne', 'FancyOpTwo'.*"
                             r"FancyOpOne \(2 node\(s\), e\.g\. 'a'\)"):
        tf.import_graph_def(gd)
    assert tf.get_default_graph().get_operations() == []


def test_import_shape_error_names_node():
    gd = graph_pb2.GraphDef()
    text_format.Parse("""
      node { name: "a" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } }
             attr { key: "shape" value { shape { dim { size: 2 } dim { size: 3 } } } } }
      node { name: "m" op: "MatMul" input: "a" input: "a"
             attr { key: "T" value { type: DT_FLOAT } } }
    """, gd)
    with pytest.raises(ValueError, match=r"Dimensions must be equal, but are 3 and 2 for "
                                         r"'import/m' \(op: 'MatMul'\)"):
        tf.import_graph_def(gd)


def test_failed_import_leaves_graph_unchanged():
    x = tf.placeholder(tf.int32, [None, 2], name="x")
    before = tf.get_default_graph().get_operations()
    with pytest.raises(ValueError, match="Input map for x:0 was passed int32 from x:0 "
                                         "incompatible with expected float32"):
        tf.import_graph_def(_small_graph_def(), input_map={"x:0": x})
    assert tf.get_default_graph().get_operations() == before
    assert x.consumers() == []


def test_import_cycles():
    gd = graph_pb2.GraphDef()
    text_format.Parse("""
      node { name: "a" op: "Identity" input: "b" attr { key: "T" value { type: DT_FLOAT } } }
      node { name: "b" op: "Identity" input: "a" attr { key: "T" value { type: DT_FLOAT } } }
    """, gd)
    with pytest.raises(ValueError, match="cycle that does not pass through a Merge node; "
                                         "nodes involved: a, b"):
        tf.import_graph_def(gd)
    if not registry.has_op_def("Merge"):
        pytest.skip("Merge is not registered yet")
    gd = graph_pb2.GraphDef()
    text_format.Parse("""
      node { name: "c" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
             attr { key: "value" value { tensor { dtype: DT_FLOAT float_val: 1 } } } }
      node { name: "m" op: "Merge" input: "c" input: "next"
             attr { key: "T" value { type: DT_FLOAT } } attr { key: "N" value { i: 2 } } }
      node { name: "next" op: "Identity" input: "m" attr { key: "T" value { type: DT_FLOAT } } }
    """, gd)
    m, nxt = tf.import_graph_def(gd, return_elements=["m", "next"], name="loop")
    assert m.inputs[1] is nxt.outputs[0] and nxt.outputs[0].consumers() == [m]
    assert m.inputs[0].op.name == "loop/c" and m.inputs[0].consumers() == [m]


def test_import_string_constants_and_unordered_nodes():
    gd = graph_pb2.GraphDef()
    text_format.Parse("""
      node { name: "out" op: "Identity" input: "s" attr { key: "T" value { type: DT_STRING } } }
      node { name: "s" op: "Const" attr { key: "dtype" value { type: DT_STRING } }
             attr { key: "value" value { tensor { dtype: DT_STRING tensor_shape { dim { size: 2 } }
             string_val: "ab" string_val: "\\377" } } } }
    """, gd)
    out, = tf.import_graph_def(gd, return_elements=["out:0"])
    with tf.Session() as sess:
        assert list(sess.run(out)) == [b"ab", b"\xff"]


# --------------------------------------------------------------------------- TF's graphs

def test_import_tf_combined_model():
    gd = tf.GraphDef()
    with tf.gfile.GFile(os.path.join(DATA, "frozen", "combined_model.pb"), "rb") as f:
        gd.ParseFromString(f.read())
    assert [n.op for n in gd.node] == ["Const", "Identity", "Const", "Identity", "AddV2"]
    out = tf.import_graph_def(gd, return_elements=["add:0"])
    with tf.Session() as sess:
        res = sess.run(out)
    np.testing.assert_array_equal(res[0], np.array([3.0], np.float32))
    assert res[0].dtype == np.float32


def _lenet_graph_def(fixtures_dir):
    gd = tf.GraphDef()
    with open(os.path.join(fixtures_dir, "frozen", "lenet_frozen.pb"), "rb") as f:
        gd.ParseFromString(f.read())
    return gd


def test_import_tf_frozen_lenet_reproduces_logits(fixtures_dir, device_mode):
    io = np.load(os.path.join(fixtures_dir, "frozen", "lenet_io.npz"))
    logits, = tf.import_graph_def(_lenet_graph_def(fixtures_dir), return_elements=["logits:0"])
    assert logits.shape.as_list() == [None, 10]
    with tf.Session() as sess:
        out = sess.run(logits, {"import/input:0": io["input"]})
    np.testing.assert_allclose(out, io["logits"], rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(out.argmax(1), io["argmax"])


def test_frozen_lenet_constants_equal_checkpoint(fixtures_dir):
    ckpt = np.load(os.path.join(fixtures_dir, "ckpt.npz"))
    tf.import_graph_def(_lenet_graph_def(fixtures_dir), name="")
    g = tf.get_default_graph()
    for name in ("LeNet/conv1/weights", "LeNet/fc3/weights", "LeNet/fc4/biases",
                 "LeNet/conv2/BatchNorm/moving_variance"):
        np.testing.assert_array_equal(g.get_operation_by_name(name).get_attr("value"),
                                      ckpt[name])


def test_lenet_reexport_is_equivalent(fixtures_dir):
    gd = _lenet_graph_def(fixtures_dir)
    tf.import_graph_def(gd, name="")
    again = tf.get_default_graph().as_graph_def()
    assert [n.name for n in again.node] == [n.name for n in gd.node]
    for a, b in zip(again.node, gd.node):
        assert (a.op, list(a.input)) == (b.op, list(b.input))
        for key, value in b.attr.items():
            if key.startswith("_"):
                continue
            assert a.attr[key] == value, (b.name, key)
