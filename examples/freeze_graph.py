"""Freezing a graph to a .pb file and loading it back.

``graph_util.convert_variables_to_constants`` replaces every variable the outputs need by a
constant holding its current value, so the whole model is one GraphDef file; loading it
needs no checkpoint and no variable initialization. The .pb is a TensorFlow GraphDef:
TensorFlow's own ``tf.import_graph_def`` reads it too.

Run: python examples/freeze_graph.py [--quick] [--workdir DIR]
"""
import argparse
import os
import tempfile

import tensorslim as tf
from tensorslim.python.framework import graph_util
from tensorslim.python.platform import gfile


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="(already quick)")
    parser.add_argument("--workdir", default=None, help="where to write the .pb files")
    args = parser.parse_args(argv)
    workdir = args.workdir or tempfile.mkdtemp(prefix="freeze_")
    pb_path = os.path.join(workdir, "combined_model.pb")

    v1 = tf.Variable(tf.constant(1.0, shape=[1]), name="v1")
    v2 = tf.Variable(tf.constant(2.0, shape=[1]), name="v2")
    result = v1 + v2
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        graph_def = tf.get_default_graph().as_graph_def()
        output_graph_def = graph_util.convert_variables_to_constants(sess, graph_def, ["add"])
        with tf.gfile.GFile(pb_path, "wb") as f:
            f.write(output_graph_def.SerializeToString())
    print("wrote", pb_path, [n.op for n in output_graph_def.node])
    print(result.name)

    tf.reset_default_graph()
    with tf.Session() as sess:
        with gfile.FastGFile(pb_path, "rb") as f:
            graph_def = tf.GraphDef()
            graph_def.ParseFromString(f.read())
        result = tf.import_graph_def(graph_def, return_elements=["add:0"])
        print(sess.run(result))                  # [array([3.], dtype=float32)]

    # The second form: import into the session's graph without a prefix, fetch by name.
    tf.reset_default_graph()
    x = tf.Variable(tf.random_uniform([3]))
    y = tf.Variable(tf.random_uniform([3]))
    z = tf.add(x, y, name="op_to_store")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        expected = sess.run(z)
        constant_graph = graph_util.convert_variables_to_constants(sess, sess.graph_def,
                                                                   ["op_to_store"])
        with tf.gfile.FastGFile(pb_path, mode="wb") as f:
            f.write(constant_graph.SerializeToString())
    with tf.Graph().as_default(), tf.Session() as sess:
        with gfile.FastGFile(pb_path, "rb") as f:
            graph_def = tf.GraphDef()
            graph_def.ParseFromString(f.read())
        tf.import_graph_def(graph_def, name="")
        z = sess.graph.get_tensor_by_name("op_to_store:0")
        print(sess.run(z), "== saved:", bool((sess.run(z) == expected).all()))


if __name__ == "__main__":
    main()
