"""tf.train.ExponentialMovingAverage: shadow variables that trail the real ones.

``shadow = decay * shadow + (1 - decay) * variable``, with
``decay = min(decay, (1 + num_updates) / (10 + num_updates))`` when ``num_updates`` is
given. Also shows the usual training pattern (update the averages after each optimizer step)
and restoring the averages into the plain variables for evaluation.

Run: python examples/moving_averages.py [--quick] [--workdir DIR]
"""
import argparse
import os
import tempfile

import tensorslim as tf


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="(already quick)")
    parser.add_argument("--workdir", default=None, help="where to write the checkpoint")
    args = parser.parse_args(argv)
    workdir = args.workdir or tempfile.mkdtemp(prefix="ema_")

    v1 = tf.Variable(0, dtype=tf.float32, name="v1")
    step = tf.Variable(0, trainable=False, name="step")
    ema = tf.train.ExponentialMovingAverage(0.99, step)
    maintain_averages_op = ema.apply([v1])
    for v in tf.global_variables():
        print(v.name)                        # v1:0 step:0 v1/ExponentialMovingAverage:0
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        print(sess.run([v1, ema.average(v1)]))        # [0.0, 0.0]
        sess.run(tf.assign(v1, 5))
        sess.run(maintain_averages_op)                # decay = min(0.99, 1/10) = 0.1
        print(sess.run([v1, ema.average(v1)]))        # [5.0, 4.5]
        sess.run(tf.assign(step, 10000))
        sess.run(tf.assign(v1, 10))
        sess.run(maintain_averages_op)                # decay = 0.99
        print(sess.run([v1, ema.average(v1)]))        # [10.0, 4.555]
        sess.run(maintain_averages_op)
        print(sess.run([v1, ema.average(v1)]))        # [10.0, 4.60945]

    # Training: run the averages after every optimizer step.
    tf.reset_default_graph()
    w = tf.Variable(3.0, name="w")
    loss = tf.square(w - 1.0)
    optimizer = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    ema = tf.train.ExponentialMovingAverage(decay=0.9)
    averages_op = ema.apply(tf.trainable_variables())
    with tf.control_dependencies([optimizer]):
        train_op = tf.group(averages_op)
    saver = tf.train.Saver()
    path = os.path.join(workdir, "model.ckpt")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(20):
            sess.run(train_op)
        print("w = %.4f, its average = %.4f" % tuple(sess.run([w, ema.average(w)])))
        saver.save(sess, path)

    # Evaluation: load the averages into the plain variables (variables_to_restore).
    tf.reset_default_graph()
    w = tf.Variable(0.0, name="w")
    ema = tf.train.ExponentialMovingAverage(0.9)
    print(ema.variables_to_restore())    # {'w/ExponentialMovingAverage': <tf.Variable 'w:0'>}
    saver = tf.train.Saver(ema.variables_to_restore())
    with tf.Session() as sess:
        saver.restore(sess, path)
        print("w restored from its average: %.4f" % sess.run(w))


if __name__ == "__main__":
    main()
