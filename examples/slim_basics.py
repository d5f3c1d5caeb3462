"""TF-slim basics: arg_scope defaults, conv2d/max_pool2d/flatten/fully_connected, batch norm
with UPDATE_OPS, L2 regularization, and slim.losses' loss bookkeeping.

Run: python examples/slim_basics.py [--quick]
"""
import argparse

import numpy as np

import tensorslim as tf
import tensorslim.contrib.slim as slim


def leaky_relu(alpha):
    def op(inputs):
        return tf.maximum(alpha * inputs, inputs, name="leaky_relu")
    return op


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer steps")
    args = parser.parse_args(argv)
    steps = 5 if args.quick else 50

    images = tf.placeholder(tf.float32, [None, 16, 16, 3], name="images")
    labels = tf.placeholder(tf.int64, [None], name="labels")
    is_training = tf.placeholder_with_default(True, [], name="is_training")

    # Every conv2d and fully_connected inside gets these defaults unless it says otherwise.
    with slim.arg_scope([slim.conv2d, slim.fully_connected],
                        activation_fn=leaky_relu(0.1),
                        weights_initializer=tf.truncated_normal_initializer(0.0, 0.01),
                        weights_regularizer=slim.l2_regularizer(0.0005)):
        net = slim.conv2d(images, 32, 5, padding="SAME", normalizer_fn=slim.batch_norm,
                          normalizer_params={"is_training": is_training}, scope="conv1")
        net = slim.max_pool2d(net, [2, 2], scope="pool1")
        net = slim.conv2d(net, 64, [3, 3], scope="conv2")
        net = slim.flatten(net, scope="flatten")
        logits = slim.fully_connected(net, 10, activation_fn=None, scope="logits")
    for v in slim.get_model_variables():
        print(v.op.name, v.shape)

    # A loss of our own, managed like slim's: add_loss, then get_total_loss (+ the L2 terms).
    xent = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels,
                                                                         logits=logits))
    slim.losses.add_loss(xent)
    total_loss = slim.losses.get_total_loss()
    print("losses:", [t.op.name for t in slim.losses.get_losses()],
          "regularization terms:", len(slim.losses.get_regularization_losses()))

    # Batch norm's moving averages update through UPDATE_OPS: make the step depend on them.
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.control_dependencies(update_ops):
        train_step = tf.train.GradientDescentOptimizer(0.01).minimize(total_loss)

    correct = tf.reduce_sum(tf.cast(tf.equal(tf.argmax(logits, 1), labels), tf.float32))
    rng = np.random.RandomState(0)
    x = rng.rand(32, 16, 16, 3).astype(np.float32)
    y = (x.mean(axis=(1, 2, 3)) * 20).astype(np.int64) % 10
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for i in range(steps):
            _, loss = sess.run([train_step, total_loss], {images: x, labels: y})
        print("loss after %d steps: %.4f" % (steps, loss))
        # The moving averages of batch norm need many more steps to settle (decay 0.999).
        print("correct (inference mode):", sess.run(correct, {images: x, labels: y,
                                                              is_training: False}))


if __name__ == "__main__":
    main()
