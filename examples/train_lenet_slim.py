"""LeNet in a few lines of TF-slim, trained on MNIST.

The network is defined right here with ``slim.arg_scope`` (the same layers and names as
``tensorslim.models.lenet``, TF-slim's LeNet); the data comes from TF1's
``input_data.read_data_sets``; training uses Adam with an exponentially decaying learning
rate through ``slim.learning.create_train_op``; the test set is evaluated at the end.

Run: python examples/train_lenet_slim.py [--data-dir DIR] [--steps N] [--quick]
(``--data-dir`` defaults to $MNIST_DIR, else MNIST is downloaded to ~/.tensorslim.)
"""
import argparse
import os
import time

import tensorslim as tf
import tensorslim.contrib.slim as slim
from tensorslim.examples.tutorials.mnist import input_data


def lenet(images, is_training):
    with slim.arg_scope([slim.conv2d, slim.fully_connected], activation_fn=tf.nn.relu,
                        weights_initializer=tf.truncated_normal_initializer(stddev=0.1)):
        net = slim.conv2d(images, 32, [5, 5], scope="conv1")
        net = slim.max_pool2d(net, [2, 2], scope="pool1")
        net = slim.conv2d(net, 64, [5, 5], scope="conv2")
        net = slim.max_pool2d(net, [2, 2], scope="pool2")
        net = slim.fully_connected(slim.flatten(net), 1024, scope="fc3")
        net = slim.dropout(net, 0.5, is_training=is_training, scope="dropout3")
        return slim.fully_connected(net, 10, activation_fn=None, scope="fc4")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=os.environ.get("MNIST_DIR"))
    parser.add_argument("--steps", type=int, default=860, help="training steps (860: one "
                        "epoch of 55000 images in batches of 64)")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--quick", action="store_true", help="20 steps, 1000 test images")
    args = parser.parse_args(argv)
    steps = 20 if args.quick else args.steps

    mnist = input_data.read_data_sets(args.data_dir, reshape=False, seed=0)
    tf.set_random_seed(0)
    images = tf.placeholder(tf.float32, [None, 28, 28, 1], name="images")
    labels = tf.placeholder(tf.int64, [None], name="labels")
    is_training = tf.placeholder_with_default(False, [], name="is_training")
    with tf.variable_scope("LeNet"):
        logits = lenet(images, is_training)

    tf.losses.sparse_softmax_cross_entropy(labels=labels, logits=logits)
    total_loss = tf.losses.get_total_loss()
    global_step = tf.train.get_or_create_global_step()
    steps_per_epoch = mnist.train.num_examples // args.batch_size
    learning_rate = tf.train.exponential_decay(1e-3, global_step, steps_per_epoch, 0.5)
    train_op = slim.learning.create_train_op(total_loss, tf.train.AdamOptimizer(learning_rate))
    correct = tf.reduce_sum(tf.cast(tf.equal(tf.argmax(logits, 1), labels), tf.int32))

    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        start = time.time()
        for step in range(1, steps + 1):
            x, y = mnist.train.next_batch(args.batch_size)
            loss = sess.run(train_op, {images: x, labels: y, is_training: True})
            if step % max(steps // 10, 1) == 0:
                print("step %4d  loss %.4f  %.0f images/s" % (
                    step, loss, step * args.batch_size / (time.time() - start)), flush=True)
        test_images = mnist.test.images[:1000] if args.quick else mnist.test.images
        test_labels = mnist.test.labels[:1000] if args.quick else mnist.test.labels
        right = sum(sess.run(correct, {images: test_images[i:i + 500],
                                       labels: test_labels[i:i + 500]})
                    for i in range(0, len(test_labels), 500))
        print("test accuracy: %.2f%% on %d images" % (100.0 * right / len(test_labels),
                                                     len(test_labels)))
        return float(right) / len(test_labels)


if __name__ == "__main__":
    main()
