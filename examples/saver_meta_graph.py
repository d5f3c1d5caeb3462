"""Saving and restoring: tf.train.Saver checkpoints, import_meta_graph, renamed variables.

1. Save two variables and restore them into the same graph (no initializer needed).
2. Load the graph itself from the ``.meta`` file and fetch a tensor by name.
3. Restore under other variable names with a ``{checkpoint name: variable}`` dict.
4. Keep several checkpoints with ``global_step`` and ``max_to_keep``; find the latest.

Run: python examples/saver_meta_graph.py [--quick] [--workdir DIR]
"""
import argparse
import os
import tempfile

import tensorslim as tf


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="(already quick)")
    parser.add_argument("--workdir", default=None, help="where to write the checkpoints")
    args = parser.parse_args(argv)
    workdir = args.workdir or tempfile.mkdtemp(prefix="saver_")
    path = os.path.join(workdir, "Saved_model", "model.ckpt")
    os.makedirs(os.path.dirname(path), exist_ok=True)       # Saver.save needs the directory

    v1 = tf.Variable(tf.constant(1.0, shape=[1]), name="v1")
    v2 = tf.Variable(tf.constant(2.0, shape=[1]), name="v2")
    result = v1 + v2
    init_op = tf.global_variables_initializer()
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(init_op)
        print("saved to", saver.save(sess, path))
    with tf.Session() as sess:
        saver.restore(sess, path)
        print(sess.run(result))                            # [3.]
    print(sorted(os.listdir(os.path.dirname(path))))       # checkpoint, .data, .index, .meta

    # 2. The graph comes from the .meta file: nothing is defined again.
    tf.reset_default_graph()
    saver = tf.train.import_meta_graph(path + ".meta")
    with tf.Session() as sess:
        saver.restore(sess, path)
        print(sess.run(tf.get_default_graph().get_tensor_by_name("add:0")))   # [3.]

    # 3. Different variable names in the new graph: map checkpoint names to variables.
    tf.reset_default_graph()
    u1 = tf.Variable(tf.constant(0.0, shape=[1]), name="other-v1")
    u2 = tf.Variable(tf.constant(0.0, shape=[1]), name="other-v2")
    saver = tf.train.Saver({"v1": u1, "v2": u2})
    with tf.Session() as sess:
        saver.restore(sess, path)
        print(sess.run([u1, u2]))                          # [1.], [2.]

    # 4. Numbered checkpoints; only the newest max_to_keep stay on disk.
    tf.reset_default_graph()
    x = tf.Variable(tf.random_uniform([3]), name="x")
    step = tf.train.get_or_create_global_step()
    increment = tf.assign_add(step, 1)
    saver = tf.train.Saver(max_to_keep=2)
    ckpt_dir = os.path.join(workdir, "ckpt")
    os.makedirs(ckpt_dir, exist_ok=True)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(4):
            sess.run(increment)
            saver.save(sess, os.path.join(ckpt_dir, "my_test_model"), global_step=step,
                       write_meta_graph=False)
        saved_x = sess.run(x)
    print("kept:", [os.path.basename(p) for p in saver.last_checkpoints])
    print("latest:", tf.train.latest_checkpoint(ckpt_dir))
    with tf.Session() as sess:
        saver.restore(sess, tf.train.latest_checkpoint(ckpt_dir))
        print("restored x equals saved x:", bool((sess.run(x) == saved_x).all()))
    for name, shape in tf.train.list_variables(ckpt_dir):
        print("  in checkpoint:", name, shape)


if __name__ == "__main__":
    main()
