"""Saver throughput: save and restore of ~100 MB of float32 variables, in MB/s.

Prints tensorslim's figures and, when TensorFlow is installed (``tensorflow.compat.v1``),
TF's Saver on the same variables, side by side. Each figure is the best of ``--repeats``.

    python benchmarks/bench_saver.py [--mb 100] [--variables 25] [--repeats 3] [--dir DIR]

``--dir`` picks the file system (e.g. ``/dev/shm`` to leave the disk out and measure the
CPU side: serialization, checksums, copies).
"""
import argparse
import os
import shutil
import tempfile
import time

import numpy as np


def _values(total_mb, n):
    per = int(total_mb * 2 ** 20 / 4 / n)
    rng = np.random.RandomState(0)
    return [rng.standard_normal(per).astype(np.float32) for _ in range(n)]


def _time_saver(tf, values, directory, repeats, meta):
    """(save seconds, restore seconds) for the ``tf`` module given (TF1 API)."""
    g = tf.Graph()
    with g.as_default():
        variables = [tf.Variable(tf.zeros(v.shape), name="var%d" % i)
                     for i, v in enumerate(values)]
        holders = [tf.placeholder(tf.float32, v.shape) for v in values]
        loads = [tf.assign(var, h) for var, h in zip(variables, holders)]
        saver = tf.train.Saver(max_to_keep=1)
        prefix = os.path.join(directory, "model.ckpt")
        with tf.Session(graph=g) as sess:
            sess.run(loads, dict(zip(holders, values)))
            save_t = restore_t = float("inf")
            for _ in range(repeats):
                start = time.perf_counter()
                saver.save(sess, prefix, write_meta_graph=meta)
                save_t = min(save_t, time.perf_counter() - start)
                start = time.perf_counter()
                saver.restore(sess, prefix)
                restore_t = min(restore_t, time.perf_counter() - start)
            back = sess.run(variables[0])
    assert np.array_equal(back, values[0])
    return save_t, restore_t


def bench_tensorslim(values, directory, repeats):
    import tensorslim as tf
    return _time_saver(tf, values, directory, repeats, meta=False)


def bench_tensorflow(values, directory, repeats):
    try:
        import tensorflow.compat.v1 as tf1
    except ImportError:
        return None
    tf1.disable_v2_behavior()
    return _time_saver(tf1, values, directory, repeats, meta=False)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=100.0)
    parser.add_argument("--variables", type=int, default=25)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--dir", default=None,
                        help="where to write the checkpoints (default: a temporary dir)")
    args = parser.parse_args()
    values = _values(args.mb, args.variables)
    mb = sum(v.nbytes for v in values) / 2 ** 20
    directory = tempfile.mkdtemp(prefix="bench_saver_", dir=args.dir)
    try:
        save_t, restore_t = bench_tensorslim(values, os.path.join(directory, "ts"),
                                             args.repeats)
        print("%.0f MB in %d float32 variables" % (mb, len(values)))
        print("tensorslim save:     %7.3f s  %8.1f MB/s" % (save_t, mb / save_t))
        print("tensorslim restore:  %7.3f s  %8.1f MB/s" % (restore_t, mb / restore_t))
        tf_times = bench_tensorflow(values, os.path.join(directory, "tf"), args.repeats)
        if tf_times is None:
            print("TensorFlow not installed: no side-by-side figures")
        else:
            print("TensorFlow save:     %7.3f s  %8.1f MB/s" % (tf_times[0], mb / tf_times[0]))
            print("TensorFlow restore:  %7.3f s  %8.1f MB/s" % (tf_times[1], mb / tf_times[1]))
    finally:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
