"""A Siamese network on MNIST: one tower, two inputs, shared weights, contrastive loss.

Balanced pairs of digits (half "same digit", half "different digits") are drawn from the
training set; both images of a pair go through the same tower (``siamese_net`` builds it
twice under one ``variable_scope`` with ``reuse=True``); the contrastive loss pulls
same-digit embeddings together and pushes different digits a margin apart. Evaluation:
the distance threshold that best separates validation pairs, the pair accuracy at that
threshold on test pairs, and classifying test digits by their nearest class centroid.

Run: python examples/siamese_mnist.py [--data-dir DIR] [--steps N] [--quick]
(``--data-dir`` defaults to $MNIST_DIR, else MNIST is downloaded to ~/.tensorslim.)
"""
import argparse
import os
import time

import numpy as np

import tensorslim as tf
from tensorslim.examples.tutorials.mnist import input_data
from tensorslim.models import siamese


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=os.environ.get("MNIST_DIR"))
    parser.add_argument("--steps", type=int, default=430,
                        help="training steps of --batch-size pairs")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--quick", action="store_true", help="20 steps, small evaluation")
    args = parser.parse_args(argv)
    steps = 20 if args.quick else args.steps
    n_eval = 1000 if args.quick else None

    mnist = input_data.read_data_sets(args.data_dir, reshape=False)
    train_x, train_y = mnist.train.images, mnist.train.labels
    val_x, val_y = mnist.validation.images[:n_eval], mnist.validation.labels[:n_eval]
    test_x, test_y = mnist.test.images[:n_eval], mnist.test.labels[:n_eval]

    tf.set_random_seed(0)
    left = tf.placeholder(tf.float32, [None, 28, 28, 1], name="left")
    right = tf.placeholder(tf.float32, [None, 28, 28, 1], name="right")
    same = tf.placeholder(tf.float32, [None], name="same")      # 1: same digit
    emb_left, emb_right = siamese.siamese_net(left, right)
    loss = siamese.contrastive_loss(emb_left, emb_right, same, margin=1.0)
    print("one set of weights:", [v.op.name for v in tf.trainable_variables()])
    train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)

    pairs_left, pairs_right, pairs_same = siamese.make_pairs(train_x, train_y,
                                                             steps * args.batch_size, seed=0)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        start = time.time()
        for step in range(steps):
            batch = slice(step * args.batch_size, (step + 1) * args.batch_size)
            value, _ = sess.run([loss, train_op], {left: pairs_left[batch],
                                                   right: pairs_right[batch],
                                                   same: pairs_same[batch]})
            if (step + 1) % max(steps // 10, 1) == 0:
                print("step %4d  loss %.4f  %.0f pairs/s" % (
                    step + 1, value, (step + 1) * args.batch_size / (time.time() - start)),
                    flush=True)

        # Embed each image once (the left tower alone), then compare pairs on the host.
        def embed(images):
            return siamese.compute_embeddings(sess, emb_left, left, images)
        val_emb, test_emb = embed(val_x), embed(test_x)
        i, j, s = siamese.make_pairs(np.arange(len(val_y)), val_y, 2 * len(val_y), seed=1)
        threshold, val_acc = siamese.best_threshold(
            siamese.pair_distances(val_emb[i], val_emb[j]), s)
        i, j, s = siamese.make_pairs(np.arange(len(test_y)), test_y, len(test_y), seed=2)
        test_acc = siamese.pair_accuracy(siamese.pair_distances(test_emb[i], test_emb[j]), s,
                                         threshold)
        centroid = siamese.centroid_accuracy(val_emb, val_y, test_emb, test_y)
        print("threshold %.3f (validation pair accuracy %.2f%%)" % (threshold, 100 * val_acc))
        print("test pair accuracy %.2f%% on %d balanced pairs" % (100 * test_acc, len(s)))
        print("nearest-centroid test accuracy %.2f%%" % (100 * centroid))
        return test_acc


if __name__ == "__main__":
    main()
