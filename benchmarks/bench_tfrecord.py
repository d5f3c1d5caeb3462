"""TFRecord read throughput and MNIST-from-TFRecord batch throughput.

Writes TFRecord files of ``tf.train.Example`` records (``img_raw`` bytes + ``label``) with
28x28 and 250x250x3 uint8 images, then measures, for tensorslim and (when installed)
TensorFlow 1.x graph mode (``tensorflow.compat.v1``) side by side:

* plain reading: ``tf_record_iterator`` over the file (records/s and MB/s of file);
* ``tf.data.TFRecordDataset(...).batch(256)`` through ``Session.run(get_next)``;
* MNIST (the 60000 training images, from ``--mnist-dir`` or ``../shared/data/mnist``,
  converted once to a TFRecord file): batches of 128 float images through
  - tf.data: ``map(parse + decode_raw + reshape + scale)`` then ``batch``,
  - tf.data: ``batch`` then ``parse_example`` (vectorized parsing),
  - TF1 queues: ``string_input_producer`` + ``TFRecordReader.read_up_to`` +
    ``parse_example`` + ``shuffle_batch(enqueue_many=True, num_threads=2)``.

    python benchmarks/bench_tfrecord.py [--small 20000] [--large 500] [--no-tf]

Run it with an interpreter that has TensorFlow (and tensorslim's dependencies, with this
checkout on PYTHONPATH) to get the side-by-side figures.
"""
import argparse
import os
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def _example_bytes(img, label):
    from tensorslim.proto import example_pb2, feature_pb2
    return example_pb2.Example(features=feature_pb2.Features(feature={
        "img_raw": feature_pb2.Feature(bytes_list=feature_pb2.BytesList(value=[img.tobytes()])),
        "label": feature_pb2.Feature(int64_list=feature_pb2.Int64List(value=[int(label)])),
    })).SerializeToString()


def write_records(path, shape, count, seed=0):
    """Writes ``count`` Examples with random uint8 images of ``shape``; returns the path."""
    from tensorslim.io.tfrecord import TFRecordWriter
    if os.path.exists(path):
        return path
    rng = np.random.RandomState(seed)
    base = rng.randint(0, 256, (16,) + tuple(shape)).astype(np.uint8)
    tmp = path + ".tmp"
    with TFRecordWriter(tmp) as w:
        for i in range(count):
            w.write(_example_bytes(base[i % 16], i % 10))
    os.replace(tmp, path)
    return path


def write_mnist(path, mnist_dir):
    from tensorslim.io.tfrecord import TFRecordWriter
    if os.path.exists(path):
        return path
    images, labels = _mnist_arrays(mnist_dir)
    tmp = path + ".tmp"
    with TFRecordWriter(tmp) as w:
        for img, label in zip(images, labels):
            w.write(_example_bytes(np.asarray(img, np.uint8), label))
    os.replace(tmp, path)
    return path


def _mnist_arrays(mnist_dir):
    import gzip
    with gzip.open(os.path.join(mnist_dir, "train-images-idx3-ubyte.gz")) as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28)
    with gzip.open(os.path.join(mnist_dir, "train-labels-idx1-ubyte.gz")) as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8)
    return images, labels


def _rate(run, min_seconds):
    """Items per second of ``run()`` (returning an item count), over at least
    ``min_seconds``."""
    start = time.perf_counter()
    items = runs = 0
    while True:
        items += run()
        runs += 1
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds and runs >= 2:
            return items / elapsed


# --------------------------------------------------------------------------- cases
# Each case is ``setup(tf) -> (run, close)``; ``run()`` returns the number of records it
# read. Frameworks are measured in alternation, best of several rounds, so that a busy
# machine does not favour whichever runs first.

def plain_read(path):
    def setup(tf):
        def run():
            n = 0
            for _ in tf.python_io.tf_record_iterator(path):
                n += 1
            return n
        return run, lambda: None
    return setup


def dataset_batches(path, batch):
    def setup(tf):
        g = tf.Graph()
        with g.as_default():
            it = tf.data.TFRecordDataset(path).batch(batch).make_initializable_iterator()
            nxt = it.get_next()
        sess = tf.Session(graph=g)

        def run():
            sess.run(it.initializer)
            n = 0
            try:
                while True:
                    n += len(sess.run(nxt))
            except tf.errors.OutOfRangeError:
                return n
        return run, sess.close
    return setup


def _parse_one(tf, serialized):
    f = tf.parse_single_example(serialized, {"img_raw": tf.FixedLenFeature([], tf.string),
                                             "label": tf.FixedLenFeature([], tf.int64)})
    img = tf.cast(tf.reshape(tf.decode_raw(f["img_raw"], tf.uint8), [28, 28, 1]),
                  tf.float32) / 255.0
    return img, f["label"]


def _parse_many(tf, serialized):
    f = tf.parse_example(serialized, {"img_raw": tf.FixedLenFeature([], tf.string),
                                      "label": tf.FixedLenFeature([], tf.int64)})
    img = tf.cast(tf.reshape(tf.decode_raw(f["img_raw"], tf.uint8), [-1, 28, 28, 1]),
                  tf.float32) / 255.0
    return img, f["label"]


def mnist_dataset(path, batch, vectorized, batches):
    def setup(tf):
        g = tf.Graph()
        with g.as_default():
            ds = tf.data.TFRecordDataset(path)
            if vectorized:
                ds = ds.batch(batch).map(lambda s: _parse_many(tf, s))
            else:
                ds = ds.map(lambda s: _parse_one(tf, s)).batch(batch)
            nxt = ds.repeat().prefetch(2).make_one_shot_iterator().get_next()
        sess = tf.Session(graph=g)

        def run():
            for _ in range(batches):
                sess.run(nxt)
            return batches * batch
        return run, sess.close
    return setup


def mnist_queues(path, batch, batches):
    def setup(tf):
        g = tf.Graph()
        with g.as_default():
            queue = tf.train.string_input_producer([path])
            _, serialized = tf.TFRecordReader().read_up_to(queue, batch)
            img, label = _parse_many(tf, serialized)
            out = tf.train.shuffle_batch([img, label], batch_size=batch, capacity=20 * batch,
                                         min_after_dequeue=5 * batch, num_threads=2,
                                         enqueue_many=True)
        sess = tf.Session(graph=g)
        with g.as_default():
            coord = tf.train.Coordinator()
            threads = tf.train.start_queue_runners(sess=sess, coord=coord)

        def run():
            for _ in range(batches):
                sess.run(out)
            return batches * batch

        def close():
            coord.request_stop()
            coord.join(threads, stop_grace_period_secs=5)
            sess.close()
        return run, close
    return setup


def _frameworks(no_tf):
    import tensorslim
    found = [("tensorslim", tensorslim)]
    if not no_tf:
        try:
            import tensorflow.compat.v1 as tf1
        except ImportError:
            tf1 = None
        if tf1 is not None:
            tf1.disable_v2_behavior()
            found.append(("TensorFlow", tf1))
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=20000, help="28x28 records")
    parser.add_argument("--large", type=int, default=500, help="250x250x3 records")
    parser.add_argument("--mnist-dir", default=os.path.join(HERE, "..", "..", "shared",
                                                            "data", "mnist"))
    parser.add_argument("--mnist-batches", type=int, default=100)
    parser.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(),
                                                          "tensorslim-bench-tfrecord"))
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (best "
                        "counts)")
    parser.add_argument("--seconds", type=float, default=1.0, help="seconds per measurement")
    parser.add_argument("--no-tf", action="store_true", help="skip TensorFlow")
    args = parser.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    small = write_records(os.path.join(args.workdir, "small-%d.tfrecord" % args.small),
                          (28, 28), args.small)
    large = write_records(os.path.join(args.workdir, "large-%d.tfrecord" % args.large),
                          (250, 250, 3), args.large)
    have_mnist = os.path.isdir(args.mnist_dir)
    mnist_path = write_mnist(os.path.join(args.workdir, "mnist-train.tfrecord"),
                             args.mnist_dir) if have_mnist else None
    frameworks = _frameworks(args.no_tf)
    cases = []
    for label, path, count, batch in (("28x28", small, args.small, 256),
                                      ("250x250x3", large, args.large, 32)):
        mb = os.path.getsize(path) / 1e6 / count
        cases.append(("plain %s" % label, plain_read(path), mb))
        cases.append(("TFRecordDataset.batch(%d) %s" % (batch, label),
                      dataset_batches(path, batch), mb))
    if mnist_path:
        n = args.mnist_batches
        cases += [("MNIST tf.data map->batch(128)", mnist_dataset(mnist_path, 128, False, n),
                   None),
                  ("MNIST tf.data batch(128)->parse_example",
                   mnist_dataset(mnist_path, 128, True, n), None),
                  ("MNIST queues shuffle_batch(128)", mnist_queues(mnist_path, 128, n), None)]
    results = {name: {} for name, _ in frameworks}
    for key, setup, mb in cases:
        runners = []
        for name, tf in frameworks:
            run, close = setup(tf)
            run()   # warm-up (graph compilation, thread start)
            runners.append((name, run, close))
        for _ in range(args.rounds):
            for name, run, _ in runners:
                rate = _rate(run, args.seconds)
                best = results[name].get(key, (0, None))[0]
                results[name][key] = (max(rate, best), mb and max(rate, best) * mb)
        for _, _, close in runners:
            close()
    names = [n for n, _ in frameworks]
    print("%-42s %s" % ("", "".join("%26s" % n for n in names)) +
          ("   ratio" if len(names) == 2 else ""))
    for key in results["tensorslim"]:
        cells = []
        for n in names:
            rate, mbs = results[n][key]
            cells.append("%14.0f rec/s" % rate + (" %6.1f MB/s" % mbs if mbs else " " * 12))
        ratio = ""
        if len(names) == 2:
            ratio = "   %5.2fx" % (results[names[0]][key][0] / results[names[1]][key][0])
        print("%-42s %s%s" % (key, "".join("%26s" % c for c in cells), ratio))
    if len(names) == 1:
        print("(TensorFlow not installed or --no-tf: no side-by-side figures)")
    if not mnist_path:
        print("(MNIST not found in %s: MNIST rows skipped)" % args.mnist_dir, file=sys.stderr)


if __name__ == "__main__":
    main()
