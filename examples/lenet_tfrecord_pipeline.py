"""MNIST through TFRecords and a queue pipeline into LeNet.

1. Write the MNIST training images to a TFRecord file (raw uint8 bytes and an int64 label
   per tf.train.Example).
2. Read them back in the graph: ``string_input_producer`` -> ``TFRecordReader`` ->
   ``parse_single_example`` -> ``decode_raw`` -> ``shuffle_batch``, with queue runners on
   background threads.
3. Train ``tensorslim.models.lenet`` directly on the batches (no feed_dict), and evaluate
   on the test set with a second LeNet that reuses the trained variables.

Run: python examples/lenet_tfrecord_pipeline.py [--data-dir DIR] [--steps N] [--quick]
(``--data-dir`` defaults to $MNIST_DIR, else MNIST is downloaded to ~/.tensorslim.)
"""
import argparse
import os
import tempfile
import time

import numpy as np

import tensorslim as tf
import tensorslim.contrib.slim as slim
from tensorslim import models
from tensorslim.data import mnist as mnist_data


def write_tfrecords(filename, images, labels):
    with tf.python_io.TFRecordWriter(filename) as writer:
        for image, label in zip(images, labels):
            example = tf.train.Example(features=tf.train.Features(feature={
                "image_raw": tf.train.Feature(bytes_list=tf.train.BytesList(
                    value=[image.tobytes()])),
                "label": tf.train.Feature(int64_list=tf.train.Int64List(value=[int(label)])),
            }))
            writer.write(example.SerializeToString())


def inputs(filename, batch_size):
    filename_queue = tf.train.string_input_producer([filename])
    _, serialized = tf.TFRecordReader().read(filename_queue)
    features = tf.parse_single_example(serialized, features={
        "image_raw": tf.FixedLenFeature([], tf.string),
        "label": tf.FixedLenFeature([], tf.int64),
    })
    image = tf.reshape(tf.decode_raw(features["image_raw"], tf.uint8), [28, 28, 1])
    image = tf.cast(image, tf.float32) * (1.0 / 255)
    return tf.train.shuffle_batch([image, features["label"]], batch_size=batch_size,
                                  capacity=20 * batch_size, min_after_dequeue=10 * batch_size,
                                  num_threads=2)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=os.environ.get("MNIST_DIR"))
    parser.add_argument("--steps", type=int, default=860)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--workdir", default=None, help="where to write the TFRecord file")
    parser.add_argument("--quick", action="store_true",
                        help="1000 training images, 15 steps, 1000 test images")
    args = parser.parse_args(argv)
    workdir = args.workdir or tempfile.mkdtemp(prefix="mnist_tfrecord_")
    steps = 15 if args.quick else args.steps

    data = mnist_data.read_data_sets(args.data_dir, reshape=False, dtype=tf.uint8)
    n_train = 1000 if args.quick else data.train.num_examples
    filename = os.path.join(workdir, "mnist_train.tfrecords")
    t0 = time.time()
    write_tfrecords(filename, data.train.images[:n_train], data.train.labels[:n_train])
    print("wrote %d examples to %s (%.1f MB, %.1fs)" % (
        n_train, filename, os.path.getsize(filename) / 1e6, time.time() - t0))

    tf.set_random_seed(0)
    image_batch, label_batch = inputs(filename, args.batch_size)
    test_images = tf.placeholder(tf.float32, [None, 28, 28, 1], name="test_images")
    with slim.arg_scope(models.lenet_arg_scope()):
        logits, _ = models.lenet(image_batch, is_training=True)
        # The evaluation network: the same variables (reuse), fed from a placeholder.
        with tf.variable_scope(tf.get_variable_scope(), reuse=True):
            test_logits, _ = models.lenet(test_images, is_training=False)
    tf.losses.sparse_softmax_cross_entropy(labels=label_batch, logits=logits)
    train_op = slim.learning.create_train_op(tf.losses.get_total_loss(),
                                             tf.train.AdamOptimizer(1e-3))
    predictions = tf.argmax(test_logits, 1)

    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess=sess, coord=coord)
        start = time.time()
        for step in range(1, steps + 1):
            loss = sess.run(train_op)
            if step % max(steps // 10, 1) == 0:
                print("step %4d  loss %.4f  %.0f images/s" % (
                    step, loss, step * args.batch_size / (time.time() - start)), flush=True)
        coord.request_stop()
        coord.join(threads)
        n_test = 1000 if args.quick else data.test.num_examples
        x = data.test.images[:n_test].astype(np.float32) / 255
        predicted = np.concatenate([sess.run(predictions, {test_images: x[i:i + 500]})
                                    for i in range(0, n_test, 500)])
        accuracy = float(np.mean(predicted == data.test.labels[:n_test]))
        print("test accuracy %.2f%% on %d images" % (100 * accuracy, n_test))
        return accuracy


if __name__ == "__main__":
    main()
