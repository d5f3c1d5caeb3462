"""A tour of everyday ops: pad, reductions with keep_dims, concat and expand_dims, shapes,
casts, an accuracy computation and the random ops.

Run: python examples/ops_tour.py [--quick]
"""
import argparse

import tensorslim as tf


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="(already quick)")
    parser.parse_args(argv)
    sess = tf.Session()

    t = tf.constant([[2, 3, 4], [5, 6, 7]])
    # 1 row above, 2 below, 2 columns left, 3 right.
    print(sess.run(tf.pad(t, [[1, 2], [2, 3]], "CONSTANT")))
    print(sess.run(tf.pad(t, [[1, 1], [2, 2]], "REFLECT")))
    print(sess.run(tf.pad(t, [[1, 2], [2, 3]], "SYMMETRIC")))

    arr = tf.constant([[1., 2., 3.], [4., 5., 6.]])
    print(sess.run(tf.reduce_sum(arr)))                                   # 21.0
    print(sess.run(tf.reduce_sum(arr, 0, keep_dims=True)).shape)          # (1, 3)
    print(sess.run(tf.reduce_sum(arr, 1, keep_dims=True)).shape)          # (2, 1)
    print(sess.run(tf.reduce_sum(arr, 1)).shape)                          # (2,)
    print(sess.run(tf.reduce_mean(arr, 1)))                               # [2. 5.]

    t1 = tf.constant([[1, 2, 3], [4, 5, 6]])
    t2 = tf.constant([[7, 8, 9], [10, 11, 12]])
    print(sess.run(tf.shape(tf.concat([t1, t2], 0))))                     # [4 3]
    print(sess.run(tf.shape(tf.concat([t1, t2], 1))))                     # [2 6]
    # 1-D tensors have no axis 1: expand_dims first.
    c1 = tf.expand_dims(tf.constant([1, 2, 3]), 1)
    c2 = tf.expand_dims(tf.constant([4, 5, 6]), 1)
    print(sess.run(tf.concat([c1, c2], 1)))                               # [[1 4] [2 5] [3 6]]
    value = tf.zeros([2, 3])
    for axis in (0, 1, 2, -1):
        print(axis, tf.expand_dims(value, axis).shape)

    a1 = tf.constant([[1, 2], [3, 4], [5, 6]])
    print(sess.run([tf.rank(a1), tf.shape(a1), tf.size(a1)]))             # 2, [3 2], 6
    print(sess.run(tf.reshape(a1, [2, 3])))

    print(sess.run([tf.to_double([1, 2]), tf.to_float([1, 2]), tf.to_int64([1., 2.])]))
    print(sess.run(tf.cast([1.7, 2.2], dtype=tf.int32)))                  # [1 2]

    # Accuracy: compare predicted and true classes.
    pred = tf.constant([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]])
    y = tf.constant([[0., 1.], [0., 1.], [0., 1.]])
    acc = tf.equal(tf.argmax(pred, 1), tf.argmax(y, 1))
    acc_f = tf.cast(acc, tf.float32)
    print(sess.run([tf.reduce_sum(acc_f), tf.reduce_mean(acc_f)]))        # [2.0, 0.667]

    tf.set_random_seed(1)
    print(sess.run(tf.random_normal([2, 3], stddev=1.0)))
    print(sess.run(tf.truncated_normal([2, 3], stddev=1.0)))             # within 2 stddevs
    print(sess.run(tf.random_uniform([2, 3], minval=10, maxval=11)))
    print(sess.run(tf.random_shuffle([[1, 2], [3, 4], [5, 6]])))          # rows shuffled
    sess.close()


if __name__ == "__main__":
    main()
