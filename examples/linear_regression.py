"""Linear regression the TF1 way: placeholders, variables, a loss, an optimizer, a loop.

The specification's "machine-learning programming framework": define the inputs, the model,
the loss and the train op, then initialize and run the training steps in a Session. The
data is synthetic (y = X w + b + noise) and split 80/20 with numpy; every optimizer the
specification lists is tried in turn.

Run: python examples/linear_regression.py [--quick]
"""
import argparse

import numpy as np

import tensorslim as tf

OPTIMIZERS = {
    "GradientDescentOptimizer": lambda: tf.train.GradientDescentOptimizer(0.2),
    "MomentumOptimizer": lambda: tf.train.MomentumOptimizer(0.05, 0.9),
    "AdagradOptimizer": lambda: tf.train.AdagradOptimizer(0.5),
    "AdagradDAOptimizer": lambda: tf.train.AdagradDAOptimizer(
        0.5, global_step=tf.train.get_or_create_global_step()),
    "AdamOptimizer": lambda: tf.train.AdamOptimizer(0.1),
    "FtrlOptimizer": lambda: tf.train.FtrlOptimizer(0.5),
    "RMSPropOptimizer": lambda: tf.train.RMSPropOptimizer(0.05),
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer steps")
    args = parser.parse_args(argv)
    steps = 50 if args.quick else 1000

    rng = np.random.RandomState(0)
    X = rng.rand(500, 4).astype(np.float32)
    true_w = np.array([[2.0], [-1.0], [0.5], [3.0]], np.float32)
    y = X @ true_w + 1.0 + 0.01 * rng.randn(500, 1).astype(np.float32)
    X_train, X_test, y_train, y_test = X[:400], X[400:], y[:400], y[400:]

    for name, make_optimizer in OPTIMIZERS.items():
        tf.reset_default_graph()
        data = tf.placeholder(tf.float32, [None, 4])
        real_label = tf.placeholder(tf.float32, [None, 1])
        weight = tf.Variable(tf.random_normal([4, 1]), dtype=tf.float32)
        bias = tf.Variable(tf.ones([1]), dtype=tf.float32)
        y_label = tf.add(tf.matmul(data, weight), bias)
        loss = tf.reduce_mean(tf.square(real_label - y_label))
        train = make_optimizer().minimize(loss)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(steps):
                sess.run(train, feed_dict={data: X_train, real_label: y_train})
            forecast = sess.run(y_label, feed_dict={data: X_test})
        print("%-26s test MSE %.5f" % (name, float(np.mean(np.square(forecast - y_test)))))


if __name__ == "__main__":
    main()
