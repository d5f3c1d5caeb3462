"""images-to-tfrecord: class folders -> TFRecord shards, label map, skipped-file report."""
import io
import os

import numpy as np
import pytest
from PIL import Image

import tensorslim as tf
from tensorslim.data import convert_images
from tensorslim.data.convert_images import images_to_tfrecord, parse_size, shard_paths
from tensorslim.proto import example_pb2


def make_class_folders(root, per_class=3, seed=0):
    """cat/ holds JPEGs of varying sizes, dog/ PNGs (gray and RGBA), bird/ one BMP."""
    rng = np.random.RandomState(seed)
    images = {}
    for cls, fmt, ext in (("cat", "JPEG", "jpg"), ("dog", "PNG", "png"), ("bird", "BMP", "bmp")):
        os.makedirs(os.path.join(root, cls), exist_ok=True)
        for i in range(per_class if cls != "bird" else 1):
            h, w = 10 + i, 12 + 2 * i
            if cls == "dog" and i == 1:
                arr = rng.randint(0, 256, (h, w)).astype(np.uint8)
            elif cls == "dog" and i == 2:
                arr = rng.randint(0, 256, (h, w, 4)).astype(np.uint8)
            else:
                arr = rng.randint(0, 256, (h, w, 3)).astype(np.uint8)
            path = os.path.join(root, cls, "img%d.%s" % (i, ext))
            Image.fromarray(arr).save(path, fmt)
            images[os.path.join(cls, "img%d.%s" % (i, ext))] = path
    return images


def read_examples(paths):
    out = []
    for p in paths:
        for record in tf.python_io.tf_record_iterator(p):
            out.append(example_pb2.Example.FromString(record))
    return out


def feature(ex, key):
    f = ex.features.feature[key]
    kind = f.WhichOneof("kind")
    values = list(getattr(f, kind).value)
    return values[0]


def test_raw_records_labels_and_label_map(tmp_path):
    images = make_class_folders(str(tmp_path / "src"))
    out = str(tmp_path / "out" / "data.tfrecord")
    report = images_to_tfrecord(str(tmp_path / "src"), out, progress=False)
    assert report.classes == ["bird", "cat", "dog"]
    assert report.counts == {"bird": 1, "cat": 3, "dog": 3}
    assert report.num_records == 7 and not report.skipped and report.skipped_path is None
    assert report.shard_paths == [out]
    with open(report.label_map_path) as f:
        assert f.read() == "0:bird\n1:cat\n2:dog\n"
    examples = read_examples([out])
    assert len(examples) == 7
    for ex in examples:
        rel = feature(ex, "filename").decode()
        cls = feature(ex, "class_name").decode()
        assert rel.startswith(cls + os.sep)
        assert feature(ex, "label") == report.classes.index(cls)
        h, w, c = (feature(ex, k) for k in ("height", "width", "channels"))
        assert c == 3
        raw = np.frombuffer(feature(ex, "img_raw"), np.uint8).reshape(h, w, c)
        want = np.asarray(Image.open(images[rel]).convert("RGB"))
        np.testing.assert_array_equal(raw, want)
    assert not [n for n in os.listdir(tmp_path / "out") if ".tmp" in n]


def test_resize_shards_and_channels(tmp_path):
    make_class_folders(str(tmp_path / "src"))
    out = str(tmp_path / "d.tfrecord")
    report = images_to_tfrecord(str(tmp_path / "src"), out, size="8x6", shards=3,
                                channels=1, progress=False, shuffle=True, seed=1)
    assert report.shard_paths == shard_paths(out, 3) == [
        str(tmp_path / "d-00000-of-00003.tfrecord"), str(tmp_path / "d-00001-of-00003.tfrecord"),
        str(tmp_path / "d-00002-of-00003.tfrecord")]
    per_shard = [len(read_examples([p])) for p in report.shard_paths]
    assert per_shard == [3, 2, 2]
    for ex in read_examples(report.shard_paths):
        assert (feature(ex, "height"), feature(ex, "width"), feature(ex, "channels")) == \
            (6, 8, 1)
        assert len(feature(ex, "img_raw")) == 48
    assert parse_size("250x100") == (100, 250) and parse_size(32) == (32, 32)
    assert parse_size((5, 7)) == (5, 7)
    with pytest.raises(ValueError, match="WIDTHxHEIGHT"):
        parse_size("big")


@pytest.mark.parametrize("encode", ["jpeg", "png", "original"])
def test_encoded_records_decode_with_tf_image(tmp_path, encode):
    make_class_folders(str(tmp_path / "src"), per_class=1)
    out = str(tmp_path / "e.tfrecord")
    report = images_to_tfrecord(str(tmp_path / "src"), out, encode=encode, progress=False,
                                size=None if encode == "original" else (9, 11))
    examples = read_examples(report.shard_paths)
    data = tf.placeholder(tf.string, [])
    decoded = tf.image.decode_image(data, expand_animations=False)
    with tf.Session() as sess:
        for ex in examples:
            assert "img_raw" not in ex.features.feature
            img = sess.run(decoded, {data: feature(ex, "img_encoded")})
            assert img.shape[:2] == (feature(ex, "height"), feature(ex, "width"))
            fmt = feature(ex, "format").decode()
            assert fmt in (("jpeg", "png", "bmp") if encode == "original" else (encode,))
    with pytest.raises(ValueError, match="cannot resize"):
        images_to_tfrecord(str(tmp_path / "src"), out, encode="original", size=4,
                           progress=False)


def test_unreadable_files_are_skipped_and_listed(tmp_path, capsys):
    src = tmp_path / "src"
    make_class_folders(str(src))
    (src / "cat" / "truncated.jpg").write_bytes(
        (src / "cat" / "img0.jpg").read_bytes()[:40])
    (src / "dog" / "notes.txt").write_text("not an image")
    (src / "dog" / "empty.png").write_bytes(b"")
    (src / "dog" / ".DS_Store").write_bytes(b"\x00")
    (src / "stray.jpg").write_bytes((src / "cat" / "img0.jpg").read_bytes())
    out = str(tmp_path / "s.tfrecord")
    code = convert_images.main([str(src), out, "--no-progress"])
    printed = capsys.readouterr().out
    assert code == 0
    assert "Skipped 4 unreadable files" in printed
    for name in ("truncated.jpg", "notes.txt", "empty.png", "stray.jpg"):
        assert name in printed
    with open(str(tmp_path / "s.skipped.txt")) as f:
        listed = f.read()
    assert "truncated.jpg\tcorrupt or unsupported JPEG image" in listed
    assert "stray.jpg\tnot inside a class folder" in listed
    assert "empty.png\tan empty file" in listed
    assert len(read_examples([out])) == 7
    assert convert_images.main([str(src), str(tmp_path / "t.tfrecord"), "--no-progress",
                                "--strict"]) == 1


def test_errors_write_nothing(tmp_path, capsys, monkeypatch):
    with pytest.raises(FileNotFoundError):
        images_to_tfrecord(str(tmp_path / "missing"), str(tmp_path / "x.tfrecord"))
    (tmp_path / "flat").mkdir()
    (tmp_path / "flat" / "a.jpg").write_bytes(b"x")
    with pytest.raises(ValueError, match="no class sub-folders"):
        images_to_tfrecord(str(tmp_path / "flat"), str(tmp_path / "x.tfrecord"))
    (tmp_path / "junk" / "cls").mkdir(parents=True)
    (tmp_path / "junk" / "cls" / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n???")
    with pytest.raises(ValueError, match="no readable image"):
        images_to_tfrecord(str(tmp_path / "junk"), str(tmp_path / "x.tfrecord"),
                           progress=False)
    assert not os.path.exists(tmp_path / "x.tfrecord")
    assert convert_images.main([str(tmp_path / "missing"), "o.tfrecord"]) == 1
    assert "error: No such directory" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        convert_images.main([str(tmp_path / "flat"), "o", "--shards", "many"])

    # A failure half-way leaves an existing output untouched and no temporary files.
    make_class_folders(str(tmp_path / "src"))
    out = tmp_path / "keep.tfrecord"
    out.write_bytes(b"previous")
    real = convert_images._example
    calls = []

    def failing(*args):
        calls.append(1)
        if len(calls) == 4:
            raise RuntimeError("disk full")
        return real(*args)
    monkeypatch.setattr(convert_images, "_example", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        images_to_tfrecord(str(tmp_path / "src"), str(out), progress=False)
    assert out.read_bytes() == b"previous"
    assert sorted(os.listdir(tmp_path)) == ["flat", "junk", "keep.tfrecord", "src"]


def test_progress_bar_and_cli_entry_point(tmp_path, capsys):
    make_class_folders(str(tmp_path / "src"), per_class=1)
    images_to_tfrecord(str(tmp_path / "src"), str(tmp_path / "p.tfrecord"), progress=True)
    assert "images-to-tfrecord" in capsys.readouterr().err
    from tensorslim import cli
    code = cli.main(["images-to-tfrecord", str(tmp_path / "src"), str(tmp_path / "q.tfrecord"),
                     "--size", "4x4", "--shards", "2", "--no-progress"])
    assert code == 0
    assert "Wrote 3 records" in capsys.readouterr().out
    assert os.path.exists(tmp_path / "q-00001-of-00002.tfrecord")


def test_fuzzed_images_are_converted_or_skipped_never_crash(tmp_path):
    rng = np.random.RandomState(5)
    src = tmp_path / "src"
    for cls in ("a", "b"):
        (src / cls).mkdir(parents=True)
        for i in range(12):
            arr = rng.randint(0, 256, (8, 9, 3)).astype(np.uint8)
            buf = io.BytesIO()
            Image.fromarray(arr).save(buf, ("PNG", "JPEG", "GIF")[i % 3])
            data = bytearray(buf.getvalue())
            if i % 2:
                for _ in range(rng.randint(1, 6)):
                    data[rng.randint(len(data))] = rng.randint(256)
                if rng.rand() < 0.5:
                    data = data[:rng.randint(1, len(data))]
            (src / cls / ("f%02d.img" % i)).write_bytes(bytes(data))
    report = images_to_tfrecord(str(src), str(tmp_path / "z.tfrecord"), size=(8, 8),
                                progress=False)
    assert report.num_records + len(report.skipped) == 24
    assert report.num_records >= 12
    for ex in read_examples(report.shard_paths):
        assert len(feature(ex, "img_raw")) == 8 * 8 * 3
