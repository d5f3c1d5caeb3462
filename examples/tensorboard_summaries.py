"""TensorBoard summaries: scalar, histogram and image summaries, merged and written with a
FileWriter (graph included) while a small network trains.

Then: ``tensorboard --logdir DIR`` (the directory is printed at the end).

Run: python examples/tensorboard_summaries.py [--quick] [--workdir DIR]
"""
import argparse
import os
import tempfile

import numpy as np

import tensorslim as tf


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer steps")
    parser.add_argument("--workdir", default=None, help="where to write the event file")
    args = parser.parse_args(argv)
    logdir = os.path.join(args.workdir or tempfile.mkdtemp(prefix="summaries_"), "test_cnn")
    steps = 20 if args.quick else 200

    rng = np.random.RandomState(0)
    x_data = rng.rand(256, 8, 8, 1).astype(np.float32)
    y_data = (x_data.mean(axis=(1, 2, 3)) > 0.5).astype(np.int64)

    x = tf.placeholder(tf.float32, [None, 8, 8, 1], name="x")
    y = tf.placeholder(tf.int64, [None], name="y")
    with tf.variable_scope("model"):
        w = tf.get_variable("weights", [64, 2])
        b = tf.get_variable("biases", [2], initializer=tf.zeros_initializer())
        logits = tf.matmul(tf.reshape(x - 0.5, [-1, 64]), w) + b
    loss_op = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y,
                                                                            logits=logits))
    acc_op = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), y), tf.float32))
    train_op = tf.train.GradientDescentOptimizer(0.5).minimize(loss_op)

    tf.summary.scalar("train_loss", loss_op)
    tf.summary.scalar("train_acc", acc_op)
    tf.summary.histogram("weights", w)
    tf.summary.image("inputs", x, max_outputs=3)
    sum_op = tf.summary.merge_all()

    writer = tf.summary.FileWriter(logdir, flush_secs=60)
    writer.add_graph(tf.get_default_graph())
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(steps):
            sum_str, _, loss = sess.run([sum_op, train_op, loss_op],
                                        feed_dict={x: x_data, y: y_data})
            writer.add_summary(sum_str, step)
        print("final loss %.4f, accuracy %.2f" % (loss, sess.run(acc_op, {x: x_data,
                                                                        y: y_data})))
    writer.close()
    print("event file:", sorted(os.listdir(logdir)))
    print("view with: tensorboard --logdir %s" % logdir)


if __name__ == "__main__":
    main()
