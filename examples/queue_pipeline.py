"""A queue input pipeline: class folders of images -> one TFRecord file -> shuffled batches.

The specification's "whole code" example: ``write_binary`` walks the class folders
``a/``, ``b/``, ``c/`` and stores every image's raw bytes with its class index;
``read_and_decode`` reads them back through ``string_input_producer`` and
``TFRecordReader``; ``tf.train.shuffle_batch`` (and ``tf.train.batch``, which keeps the file
order) assemble batches on background threads started by ``start_queue_runners``. The images
are generated here as small 25x25 RGB PNGs (the specification used 250x250 photos resized
with ``scipy.misc``, which no longer exists; Pillow does the reading).

Run: python examples/queue_pipeline.py [--quick] [--workdir DIR]
"""
import argparse
import os
import tempfile

import numpy as np

import tensorslim as tf

SIZE = 25
CLASSES = ["a", "b", "c"]


def make_class_folders(root, per_class):
    from PIL import Image
    rng = np.random.RandomState(0)
    for index, name in enumerate(CLASSES):
        os.makedirs(os.path.join(root, name), exist_ok=True)
        for i in range(per_class):
            img = rng.randint(0, 64, size=(SIZE, SIZE, 3)).astype(np.uint8)
            img[..., index] += 150                     # class a is red, b green, c blue
            Image.fromarray(img).save(os.path.join(root, name, "%03d.png" % i))


def write_binary(root, filename):
    from PIL import Image
    writer = tf.python_io.TFRecordWriter(filename)
    for index, name in enumerate(CLASSES):
        class_path = os.path.join(root, name)
        for img_name in sorted(os.listdir(class_path)):
            img = Image.open(os.path.join(class_path, img_name)).convert("RGB")
            img = img.resize((SIZE, SIZE))
            example = tf.train.Example(features=tf.train.Features(feature={
                "img_raw": tf.train.Feature(bytes_list=tf.train.BytesList(
                    value=[np.asarray(img).tobytes()])),
                "label": tf.train.Feature(int64_list=tf.train.Int64List(value=[index])),
            }))
            writer.write(example.SerializeToString())
    writer.close()


def read_and_decode(filename):
    filename_queue = tf.train.string_input_producer([filename], shuffle=False)
    reader = tf.TFRecordReader()
    _, serialized_example = reader.read(filename_queue)
    features = tf.parse_single_example(serialized_example, features={
        "label": tf.FixedLenFeature([], tf.int64),
        "img_raw": tf.FixedLenFeature([], tf.string),
    })
    img = tf.decode_raw(features["img_raw"], tf.uint8)
    img = tf.reshape(img, [SIZE, SIZE, 3])
    label = tf.cast(features["label"], tf.int32)
    return img, label


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer images and batches")
    parser.add_argument("--workdir", default=None, help="where to write the files")
    args = parser.parse_args(argv)
    workdir = args.workdir or tempfile.mkdtemp(prefix="queues_")
    make_class_folders(workdir, 10 if args.quick else 40)
    filename = os.path.join(workdir, "data.tfrecord")
    write_binary(workdir, filename)

    img, label = read_and_decode(filename)
    img_batch, label_batch = tf.train.shuffle_batch([img, label], batch_size=18,
                                                    capacity=2000, min_after_dequeue=10,
                                                    num_threads=2)
    ordered_img, ordered_label = tf.train.batch([img, label], batch_size=6)
    mean_color = tf.reduce_mean(tf.cast(img_batch, tf.float32), axis=[1, 2])

    init = tf.global_variables_initializer()
    with tf.Session() as sess:
        sess.run(init)
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess=sess, coord=coord)
        for _ in range(2 if args.quick else 5):
            images, labels, colors = sess.run([img_batch, label_batch, mean_color])
            # Each image's brightest channel is its class: the pipeline kept them together.
            agree = np.mean(colors.argmax(axis=1) == labels)
            print("batch", images.shape, "labels", labels.tolist(), "agree %.0f%%" % (
                100 * agree))
        print("tf.train.batch keeps the reader order:", sess.run(ordered_label).tolist())
        coord.request_stop()
        coord.join(threads)


if __name__ == "__main__":
    main()
