"""Learning-rate schedules: tf.train.exponential_decay, continuous and staircase.

``lr = learning_rate * decay_rate ** (global_step / decay_steps)``; with ``staircase=True``
the exponent is rounded down, so the rate drops by ``decay_rate`` every ``decay_steps``.
(The specification writes ``glob_step``/``stair_case`` and gets 0.0096 at step 100; TF's
arguments are ``global_step``/``staircase`` and the value is 0.00096.)

Run: python examples/exponential_decay.py [--quick]
"""
import argparse

import tensorslim as tf


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="(already quick)")
    parser.parse_args(argv)

    step = tf.placeholder(tf.int64, [], name="step")
    smooth = tf.train.exponential_decay(0.001, step, decay_steps=3000, decay_rate=0.1)
    stairs = tf.train.exponential_decay(learning_rate=0.001, global_step=step,
                                        decay_steps=100, decay_rate=0.96, staircase=True)
    with tf.Session() as sess:
        for i in (0, 1500, 3000):
            print("continuous step %4d: lr = %.6g" % (i, sess.run(smooth, {step: i})))
        for i in (0, 99, 100, 200):
            print("staircase  step %4d: lr = %.6g" % (i, sess.run(stairs, {step: i})))

    # In training, the schedule reads the global step that minimize() increments.
    global_step = tf.train.get_or_create_global_step()
    lr = tf.train.exponential_decay(0.1, global_step, 10, 0.5, staircase=True)
    w = tf.Variable(5.0)
    train = tf.train.GradientDescentOptimizer(lr).minimize(tf.square(w),
                                                            global_step=global_step)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(25):
            sess.run(train)
        print("after %d steps: lr = %.4g, w = %.4f" % (sess.run(global_step), sess.run(lr),
                                                       sess.run(w)))


if __name__ == "__main__":
    main()
