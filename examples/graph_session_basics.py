"""Graphs and sessions: build a graph of ops, then run parts of it in a Session.

The first examples of the specification: constants and matmul, running with and without a
``with`` block, device placement and ConfigProto, ``tf.group``, placeholders fed through
``feed_dict``, ``Tensor.eval`` and random ops that draw new numbers on every run.

Run: python examples/graph_session_basics.py [--quick]
"""
import argparse

import numpy as np

import tensorslim as tf


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="(already quick)")
    parser.parse_args(argv)

    # Three nodes: two constant ops and one matmul op. Nothing is computed yet.
    matrix1 = tf.constant([[3., 3.]])
    matrix2 = tf.constant([[2.], [2.]])
    product = tf.matmul(matrix1, matrix2)
    print(product)                       # Tensor("MatMul:0", shape=(1, 1), dtype=float32)

    # A graph runs in a Session; close it to free its resources...
    sess = tf.Session()
    print(sess.run(product))             # [[12.]]
    sess.close()

    # ... or let a with-block close it.
    with tf.Session() as sess:
        print(sess.run(product))

    # Devices: "/cpu:0", "/gpu:0"... With allow_soft_placement an op pinned to a missing
    # GPU falls back to the CPU; log_device_placement prints where each op runs.
    config = tf.ConfigProto(log_device_placement=True, allow_soft_placement=True)
    config.gpu_options.allow_growth = True
    with tf.Session(config=config) as sess:
        with tf.device("/gpu:1"):
            doubled = product * 2
        print(sess.run(doubled))

    # tf.group: one op that runs several; its result is None.
    w = tf.random_uniform([2, 3], minval=10, maxval=11)
    mul = tf.multiply(w, 2)
    add = tf.add(w, 2)
    group = tf.group(mul, add)
    with tf.Session() as sess:
        print(sess.run(group))           # None

    # Placeholders hold the place of data given at run time; None is "any batch size".
    x = tf.placeholder(tf.float32, [None, 4], name="x")
    y = tf.reduce_sum(x * x, axis=1)
    with tf.Session() as sess:
        print(sess.run(y, feed_dict={x: np.ones((3, 4))}))   # [4. 4. 4.]

    # Tensor.eval runs in the default session.
    a = tf.constant(1., name="const1")
    b = tf.constant(2., name="const2")
    c = tf.add(a, b)
    with tf.Session():
        print(c.eval())                  # 3.0

    # Unlike numpy's one draw, a random op draws again on every run.
    r = tf.random_normal([1], name="random")
    with tf.Session() as sess:
        for _ in range(3):
            print(sess.run(r))

    # Several graphs can live side by side; each Session runs one.
    g = tf.Graph()
    with g.as_default():
        v = tf.constant([1.0, 2.0, 3.0], name="v")
        total = v + v
    with tf.Session(graph=g) as sess:
        print(sess.run(total))           # [2. 4. 6.]


if __name__ == "__main__":
    main()
