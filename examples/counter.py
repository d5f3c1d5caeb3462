"""A counter variable: state that lives across Session.run calls.

Run: python examples/counter.py [--quick]
"""
import argparse

import tensorslim as tf


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="(already quick)")
    parser.parse_args(argv)

    state = tf.Variable(0, name="counter")
    one = tf.constant(1)
    new_value = tf.add(state, one)
    update = tf.assign(state, new_value)

    # Variables start uninitialized: run their initializer first.
    init_op = tf.global_variables_initializer()
    with tf.Session() as sess:
        sess.run(init_op)
        print(sess.run(state))           # 0
        for _ in range(3):
            sess.run(update)
            print(sess.run(state))       # 1, 2, 3

    # Other ways to initialize variables.
    weights = tf.Variable(tf.random_normal([784, 200], stddev=0.35), name="weights")
    biases = tf.Variable(tf.zeros([200]), name="biases")
    weights2 = tf.Variable(weights.initialized_value(), name="weights2")
    weights3 = tf.Variable([1.0, 2.0, 5.0, 3.5], name="weights3")
    with tf.Session() as sess:
        sess.run(tf.variables_initializer([weights, biases, weights2, weights3]))
        w, w2 = sess.run([weights, weights2])
        print("weights2 copies weights:", bool((w == w2).all()))
        print(sess.run(weights3))

    # trainable=False keeps a variable out of tf.trainable_variables().
    tf.Variable(5.0, name="global_step_like", trainable=False)
    print([v.name for v in tf.trainable_variables()])
    print([v.name for v in tf.global_variables()])


if __name__ == "__main__":
    main()
