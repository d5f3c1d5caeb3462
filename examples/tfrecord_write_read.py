"""TFRecord files: write tf.train.Example records, read them back through a queue.

Writes 100 examples (a label and a 7x30 int64 "image" stored as raw bytes), then reads them
with ``string_input_producer`` + ``TFRecordReader`` + ``parse_single_example`` +
``decode_raw``, driven by queue runners under a ``Coordinator``; also iterates the file
directly with ``tf.python_io.tf_record_iterator`` and saves a few records as images with
Pillow. (The specification's ``np.random.random_integers``/``tostring`` are gone from numpy:
``randint``/``tobytes`` are their replacements.)

Run: python examples/tfrecord_write_read.py [--quick] [--workdir DIR]
"""
import argparse
import os
import tempfile

import numpy as np

import tensorslim as tf


def write_to_tfrecords(filename, n=100):
    writer = tf.python_io.TFRecordWriter(filename)
    rng = np.random.RandomState(0)
    for i in range(n):
        img_raw = rng.randint(0, 256, size=(7, 30)).astype(np.int64).tobytes()
        example = tf.train.Example(features=tf.train.Features(feature={
            "label": tf.train.Feature(int64_list=tf.train.Int64List(value=[i])),
            "img_raw": tf.train.Feature(bytes_list=tf.train.BytesList(value=[img_raw])),
        }))
        writer.write(example.SerializeToString())
    writer.close()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="read fewer records")
    parser.add_argument("--workdir", default=None, help="where to write the files")
    args = parser.parse_args(argv)
    workdir = args.workdir or tempfile.mkdtemp(prefix="tfrecord_")
    filename = os.path.join(workdir, "train.tfrecords")
    write_to_tfrecords(filename)
    print("wrote", filename)

    # Read without a graph: one serialized Example per record.
    records = list(tf.python_io.tf_record_iterator(filename))
    first = tf.train.Example.FromString(records[0])
    print(len(records), "records; first label:",
          first.features.feature["label"].int64_list.value[0])

    # Read through the graph: a filename queue, a reader, a parser.
    filename_queue = tf.train.string_input_producer([filename], shuffle=False)
    reader = tf.TFRecordReader()
    _, serialized_example = reader.read(filename_queue)
    features = tf.parse_single_example(serialized_example, features={
        "label": tf.FixedLenFeature([], tf.int64),
        "img_raw": tf.FixedLenFeature([], tf.string),
    })
    image = tf.reshape(tf.decode_raw(features["img_raw"], tf.int64), [7, 30])
    label = tf.cast(features["label"], tf.int64)

    from PIL import Image
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        coord = tf.train.Coordinator()
        # Without start_queue_runners the reads would wait forever for a filename.
        threads = tf.train.start_queue_runners(sess=sess, coord=coord)
        for i in range(5 if args.quick else 20):
            example, lbl = sess.run([image, label])
            path = os.path.join(workdir, "%d_Label_%d.png" % (i, lbl))
            Image.fromarray(example.astype(np.uint8), "L").save(path)
            print(lbl, example.shape, example[0, :5])
        coord.request_stop()
        coord.join(threads)


if __name__ == "__main__":
    main()
