"""End to end: class-folder images -> images-to-tfrecord -> TFRecords -> input pipelines.

The same records are read through TF1's queue runners (string_input_producer,
TFRecordReader, shuffle_batch with 2 threads) and through tf.data; every record must be
seen exactly once per epoch, with the right shapes, labels and pixels.
"""
import collections
import os

import numpy as np
import pytest
from PIL import Image

import tensorslim as tf
from tensorslim.data.convert_images import images_to_tfrecord

H, W = 6, 8
CLASSES = ("cat", "dog", "fish")


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    """Converted records: (shard paths, {filename: (label, expected HxWx3 pixels)})."""
    root = tmp_path_factory.mktemp("pipeline")
    src = root / "images"
    rng = np.random.RandomState(0)
    expected = {}
    for label, cls in enumerate(CLASSES):
        (src / cls).mkdir(parents=True)
        for i in range(7 + label):
            arr = rng.randint(0, 256, (H + i % 3, W + i % 2, 3)).astype(np.uint8)
            name = "%s/%s_%d.%s" % (cls, cls, i, "png" if i % 2 else "bmp")
            Image.fromarray(arr).save(str(src / name))
            # Lossless formats: the expected pixels are PIL's bilinear resize of the array.
            resized = np.asarray(Image.fromarray(arr).resize((W, H), Image.BILINEAR))
            expected[name] = (label, resized)
    (src / "dog" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nbroken")
    report = images_to_tfrecord(str(src), str(root / "train.tfrecord"), size=(H, W),
                                shards=3, progress=False)
    assert report.num_records == len(expected) == 24
    assert [os.path.basename(p) for p, _ in report.skipped] == ["broken.png"]
    return report.shard_paths, expected


FEATURES = {"img_raw": tf.FixedLenFeature([], tf.string),
            "label": tf.FixedLenFeature([], tf.int64),
            "filename": tf.FixedLenFeature([], tf.string),
            "height": tf.FixedLenFeature([], tf.int64)}


def _decode(serialized):
    f = tf.parse_single_example(serialized, features=FEATURES)
    img = tf.reshape(tf.decode_raw(f["img_raw"], tf.uint8), [H, W, 3])
    return img, tf.cast(f["label"], tf.int32), f["filename"]


def _check(batches, expected, epochs):
    seen = collections.Counter()
    for imgs, labels, names in batches:
        assert imgs.dtype == np.uint8 and imgs.shape[1:] == (H, W, 3)
        assert labels.dtype == np.int32 and labels.shape == names.shape == imgs.shape[:1]
        for img, label, name in zip(imgs, labels, names):
            name = name.decode().replace(os.sep, "/")
            want_label, want_pixels = expected[name]
            assert label == want_label
            np.testing.assert_array_equal(img, want_pixels)
            seen[name] += 1
    assert seen == {name: epochs for name in expected}


def _run_queue_runners(batch, init_op):
    """Every value of ``batch`` until its queues run out, with queue runners started."""
    batches = []
    with tf.Session() as sess:
        sess.run(init_op)
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess=sess, coord=coord)
        try:
            while True:
                batches.append(sess.run(batch))
        except tf.errors.OutOfRangeError:
            pass
        finally:
            coord.request_stop()
            coord.join(threads)
    return batches


def test_queue_runner_pipeline_sees_every_record_once_per_epoch(records):
    shards, expected = records
    queue = tf.train.string_input_producer(shards, num_epochs=1, shuffle=True, seed=3)
    _, serialized = tf.TFRecordReader().read(queue)
    img, label, name = _decode(serialized)
    batch = tf.train.shuffle_batch([img, label, name], batch_size=5, capacity=40,
                                   min_after_dequeue=10, num_threads=2, seed=4,
                                   allow_smaller_final_batch=True)
    assert batch[0].shape.as_list() == [None, H, W, 3]
    batches = _run_queue_runners(
        batch, [tf.global_variables_initializer(), tf.local_variables_initializer()])
    assert [len(b[1]) for b in batches] == [5, 5, 5, 5, 4]
    _check(batches, expected, epochs=1)
    order = [n for b in batches for n in b[2]]
    assert order != sorted(order)


def test_queue_runner_pipeline_two_epochs(records):
    shards, expected = records
    queue = tf.train.string_input_producer(shards, num_epochs=2)
    _, serialized = tf.TFRecordReader().read(queue)
    batch = tf.train.shuffle_batch(list(_decode(serialized)), batch_size=8, capacity=30,
                                   min_after_dequeue=5, num_threads=2,
                                   allow_smaller_final_batch=True)
    batches = _run_queue_runners(batch, tf.local_variables_initializer())
    assert sum(len(b[1]) for b in batches) == 48
    _check(batches, expected, epochs=2)


@pytest.mark.parametrize("parallel", [False, True])
def test_tf_data_pipeline_sees_every_record_once_per_epoch(records, parallel):
    shards, expected = records
    reads = 2 if parallel else None
    calls = tf.data.experimental.AUTOTUNE if parallel else None
    ds = tf.data.TFRecordDataset(shards, num_parallel_reads=reads)
    ds = ds.map(_decode, num_parallel_calls=calls).shuffle(10, seed=1).batch(5).repeat(2)
    ds = ds.prefetch(2)
    assert ds.output_shapes[0].as_list() == [None, H, W, 3]
    it = ds.make_initializable_iterator()
    nxt = it.get_next()
    with tf.Session() as sess:
        sess.run(it.initializer)
        batches = []
        try:
            while True:
                batches.append(sess.run(nxt))
        except tf.errors.OutOfRangeError:
            pass
        # Batches never straddle the epochs: 5 batches (5, 5, 5, 5, 4) per epoch.
        assert [len(b[1]) for b in batches] == [5, 5, 5, 5, 4] * 2
        _check(batches[:5], expected, epochs=1)
        _check(batches[5:], expected, epochs=1)
        first = [n for b in batches[:5] for n in b[2]]
        second = [n for b in batches[5:] for n in b[2]]
        assert first != second                      # reshuffled each epoch
        sess.run(it.initializer)                    # and the iterator starts over
        again = [n for b in [sess.run(nxt) for _ in range(5)] for n in b[2]]
        assert sorted(again) == sorted(first)


def test_tf_data_pipeline_with_jpeg_records_and_augmentation(tmp_path, records):
    _, expected = records
    src = tmp_path / "src"
    for name, (_, pixels) in list(expected.items())[:9]:
        (src / os.path.dirname(name)).mkdir(parents=True, exist_ok=True)
        Image.fromarray(pixels).save(str(src / name))
    report = images_to_tfrecord(str(src), str(tmp_path / "j.tfrecord"), encode="jpeg",
                                progress=False)

    def parse(serialized):
        f = tf.parse_single_example(serialized, {
            "img_encoded": tf.FixedLenFeature([], tf.string),
            "label": tf.FixedLenFeature([], tf.int64)})
        img = tf.image.decode_jpeg(f["img_encoded"], channels=3)
        img = tf.image.convert_image_dtype(img, tf.float32)
        img = tf.image.resize_image_with_crop_or_pad(img, 8, 8)
        img = tf.image.random_flip_left_right(img, seed=1)
        img = tf.image.per_image_standardization(img)
        return img, f["label"]
    ds = tf.data.TFRecordDataset(report.shard_paths).map(parse).batch(4)
    imgs, labels = ds.make_one_shot_iterator().get_next()
    assert imgs.shape.as_list() == [None, 8, 8, 3]
    with tf.Session() as sess:
        out = []
        try:
            while True:
                out.append(sess.run([imgs, labels]))
        except tf.errors.OutOfRangeError:
            pass
    assert sum(len(b[1]) for b in out) == 9
    for batch, _ in out:
        np.testing.assert_allclose(batch.mean(axis=(1, 2, 3)), 0, atol=1e-4)
