"""graph_util: convert_variables_to_constants, extract_sub_graph, remove_training_nodes.

Golden file: ``tests/data/frozen/combined_model.pb``, TF's frozen v1 + v2 graph.
"""
import os

import numpy as np
import pytest
from google.protobuf import text_format

import tensorslim as tf
from tensorslim.proto import graph_pb2
from tensorslim.python.framework import graph_util

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


def _v1_v2_add():
    v1 = tf.Variable(tf.constant(1.0, shape=[1]), name="v1")
    v2 = tf.Variable(tf.constant(2.0, shape=[1]), name="v2")
    return v1, v2, tf.add(v1, v2, name="add")


def test_freeze_matches_tensorflow_layout(capsys):
    _v1_v2_add()
    tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        frozen = graph_util.convert_variables_to_constants(sess, sess.graph_def, ["add"])
    assert capsys.readouterr().out == "Converted 2 variables to const ops.\n"
    with open(os.path.join(DATA, "frozen", "combined_model.pb"), "rb") as f:
        theirs = tf.GraphDef.FromString(f.read())
    assert [(n.name, list(n.input)) for n in frozen.node] == \
        [(n.name, list(n.input)) for n in theirs.node]
    by_name = {n.name: n for n in frozen.node}
    for name in ("v1", "v2"):
        assert by_name[name].op == "Const"
        assert by_name[name].attr["value"] == {n.name: n for n in theirs.node}[name].attr["value"]
        assert set(by_name[name].attr) == {"dtype", "value"}
    assert not any(n.op in ("VariableV2", "Assign", "SaveV2") for n in frozen.node)


def test_frozen_graph_imports_and_runs(tmp_path, device_mode, capsys):
    v1, v2, _ = _v1_v2_add()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(tf.assign(v1, [10.0]))
        frozen = graph_util.convert_variables_to_constants(
            sess, tf.get_default_graph().as_graph_def(), ["add"])
    path = str(tmp_path / "frozen.pb")
    with tf.gfile.GFile(path, "wb") as f:
        f.write(frozen.SerializeToString())
    tf.reset_default_graph()
    with tf.gfile.FastGFile(path, "rb") as f:
        gd = tf.GraphDef()
        gd.ParseFromString(f.read())
    out, = tf.import_graph_def(gd, return_elements=["add:0"], name="")
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(out), [12.0])
    assert tf.global_variables() == []
    capsys.readouterr()


def test_whitelist_blacklist_and_uninitialized(capsys):
    v1, v2, _ = _v1_v2_add()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        gd = sess.graph_def
        only = graph_util.convert_variables_to_constants(sess, gd, ["add"],
                                                         variable_names_whitelist=["v1"])
        not_v1 = graph_util.convert_variables_to_constants(sess, gd, ["add"],
                                                           variable_names_blacklist=["v1"])
    out = capsys.readouterr().out
    assert out == "Converted 1 variables to const ops.\n" * 2

    def ops(graph_def):
        return {n.name: n.op for n in graph_def.node}
    assert ops(only)["v1"] == "Const" and ops(only)["v2"] == "VariableV2"
    assert ops(not_v1)["v1"] == "VariableV2" and ops(not_v1)["v2"] == "Const"
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized"):
            graph_util.convert_variables_to_constants(sess, gd, ["add"])


def test_freeze_conv_net_keeps_outputs(capsys):
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    w = tf.Variable(np.arange(6, dtype=np.float32).reshape(3, 2), name="w")
    b = tf.Variable(np.ones(2, np.float32), name="b")
    y = tf.identity(tf.matmul(x, w) + b, name="y")
    loss = tf.reduce_sum(y)
    tf.gradients(loss, [w, b])
    feed = np.array([[1.0, 2.0, 3.0]], np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        expected = sess.run(y, {x: feed})
        frozen = graph_util.convert_variables_to_constants(sess, sess.graph_def, ["y"])
    capsys.readouterr()
    assert not any(n.name.startswith("gradients") for n in frozen.node)
    g = tf.Graph()
    with g.as_default():
        out, = tf.import_graph_def(frozen, return_elements=["y:0"])
        with tf.Session() as sess:
            np.testing.assert_array_equal(sess.run(out, {"import/x:0": feed}), expected)


def _graph_def(text):
    gd = graph_pb2.GraphDef()
    text_format.Parse(text, gd)
    return gd


_CHAIN = """
  node { name: "a" op: "Placeholder" }
  node { name: "b" op: "Identity" input: "a" }
  node { name: "unused" op: "Identity" input: "a" }
  node { name: "c" op: "CheckNumerics" input: "b" }
  node { name: "gate" op: "NoOp" }
  node { name: "d" op: "Identity" input: "c" input: "^gate" }
  node { name: "e" op: "Identity" input: "d" }
  versions { producer: 27 }
"""


def test_extract_sub_graph():
    gd = _graph_def(_CHAIN)
    sub = graph_util.extract_sub_graph(gd, ["d"])
    assert [n.name for n in sub.node] == ["a", "b", "c", "gate", "d"]
    assert sub.versions.producer == 27
    with pytest.raises(TypeError, match="dest_nodes must be a list"):
        graph_util.extract_sub_graph(gd, "d")
    with pytest.raises(TypeError, match="graph_def must be a graph_pb2.GraphDef proto"):
        graph_util.extract_sub_graph(gd.SerializeToString(), ["d"])
    with pytest.raises(AssertionError, match="zz is not in graph"):
        graph_util.extract_sub_graph(gd, ["zz"])


def test_remove_training_nodes():
    gd = _graph_def(_CHAIN)
    out = graph_util.remove_training_nodes(gd)
    by_name = {n.name: n for n in out.node}
    # CheckNumerics goes; Identities are spliced out unless they have control inputs.
    assert "c" not in by_name and "b" not in by_name and "e" not in by_name
    assert list(by_name["d"].input) == ["a", "^gate"]
    kept = graph_util.remove_training_nodes(gd, protected_nodes=["b", "c"])
    assert {"b", "c"} <= {n.name for n in kept.node}


def test_must_run_on_cpu_and_shape_helper():
    c = tf.constant("s", name="s")
    f = tf.constant(1.0, name="f")
    assert graph_util.must_run_on_cpu(c.op)
    assert not graph_util.must_run_on_cpu(f.op.node_def)
    assert graph_util.tensor_shape_from_node_def_name(tf.get_default_graph(), "f") == \
        tf.TensorShape([])
