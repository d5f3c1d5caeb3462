"""Folders of class images -> TFRecord files of ``tf.train.Example`` (``images-to-tfrecord``).

``DIR/cat/*.jpg``, ``DIR/dog/*.png`` ... become Examples, one per image, labelled by the
index of their class folder in sorted order::

    tensorslim images-to-tfrecord DIR OUT.tfrecord [--size 250x250] [--shards N]

Each Example holds ``label`` (int64), ``class_name`` (bytes), ``filename`` (bytes, relative
to DIR), ``height``, ``width``, ``channels`` (int64) and the pixels: ``img_raw`` (the raw
uint8 ``height x width x channels`` array, as the TF1 tutorials read back with
``tf.decode_raw``) with the default ``encode="raw"``, or ``img_encoded`` plus ``format``
(``b"jpeg"``/``b"png"``/the original's format) for ``encode="jpeg"|"png"|"original"``.

Next to the records it writes ``OUT.labels.txt`` (``0:cat`` lines, as TF-slim's
``labels.txt``) and, when some files could not be read, ``OUT.skipped.txt``. Unreadable
or non-image files are never silently dropped: they are skipped, listed in the returned
:class:`ConversionReport` (and printed by the command). Every output file is written to a
temporary name and renamed into place only when the whole conversion succeeded.
"""
import argparse
import io
import os
import re
import sys
import threading
import time
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np

__all__ = ["images_to_tfrecord", "ConversionReport", "shard_paths", "parse_size", "main"]

ENCODINGS = ("raw", "jpeg", "png", "original")
_IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif", ".bmp")
_MAGIC = ((b"\xff\xd8\xff", "jpeg"), (b"\x89PNG\r\n\x1a\n", "png"), (b"GIF87a", "gif"),
          (b"GIF89a", "gif"), (b"BM", "bmp"))
_MODES = {1: "L", 3: "RGB", 4: "RGBA"}
_OPEN_LOCK = threading.Lock()


class ConversionReport:
    """What :func:`images_to_tfrecord` wrote and what it skipped.

    Attributes:
      shard_paths: the TFRecord files written.
      label_map_path: the ``label:class_name`` file.
      skipped_path: the list of skipped files (None when nothing was skipped).
      classes: the class names; a record's label is its index here.
      counts: records written per class name.
      num_records: records written in total.
      skipped: ``(path, reason)`` for every file that was not converted.
      seconds: how long the conversion took.
    """

    def __init__(self):
        self.shard_paths = []
        self.label_map_path = None
        self.skipped_path = None
        self.classes = []
        self.counts = {}
        self.num_records = 0
        self.skipped = []
        self.seconds = 0.0

    def summary(self):
        """A human-readable report (what the command prints)."""
        lines = ["Wrote %d records (%s) to %d shard%s:" % (
            self.num_records, ", ".join("%s: %d" % (c, self.counts.get(c, 0))
                                        for c in self.classes),
            len(self.shard_paths), "" if len(self.shard_paths) == 1 else "s")]
        lines += ["  %s" % p for p in self.shard_paths]
        lines.append("Label map: %s" % self.label_map_path)
        if self.skipped:
            lines.append("Skipped %d unreadable file%s (listed in %s):" % (
                len(self.skipped), "" if len(self.skipped) == 1 else "s", self.skipped_path))
            lines += ["  %s: %s" % (p, r) for p, r in self.skipped]
        else:
            lines.append("No files were skipped.")
        return "\n".join(lines)

    def __repr__(self):
        return "<ConversionReport %d records, %d skipped>" % (self.num_records,
                                                              len(self.skipped))


def parse_size(size):
    """``(height, width)`` from an int, a ``(height, width)`` pair or a ``"WIDTHxHEIGHT"``
    string (as image tools write sizes); None stays None.

    Raises:
      ValueError: a malformed or non-positive size.
    """
    if size is None:
        return None
    if isinstance(size, str):
        parts = size.lower().replace(" ", "").split("x")
        try:
            dims = [int(p) for p in parts]
        except ValueError:
            raise ValueError("size must look like 250x250 (WIDTHxHEIGHT) or 250, got %r"
                             % size) from None
        if len(dims) == 1:
            h = w = dims[0]
        elif len(dims) == 2:
            w, h = dims
        else:
            raise ValueError("size must look like 250x250 (WIDTHxHEIGHT), got %r" % size)
    elif isinstance(size, (int, np.integer)):
        h = w = int(size)
    else:
        h, w = (int(v) for v in size)
    if h <= 0 or w <= 0:
        raise ValueError("size must be positive, got %dx%d" % (w, h))
    return h, w


def shard_paths(out_path, shards):
    """The shard file names: ``out_path`` itself for one shard, else
    ``OUT-00000-of-00004.tfrecord`` ... (the extension kept at the end)."""
    if shards == 1:
        return [out_path]
    base, ext = os.path.splitext(out_path)
    return ["%s-%05d-of-%05d%s" % (base, i, shards, ext) for i in range(shards)]


def _side_path(out_path, suffix):
    return os.path.splitext(out_path)[0] + suffix


def _clean(exc):
    # Pillow names the in-memory file object in some messages; that helps nobody.
    return re.sub(r" ?<_io\.BytesIO object at 0x[0-9a-fA-F]+>", "", str(exc))


def _sniff(data):
    for magic, fmt in _MAGIC:
        if data.startswith(magic):
            return fmt
    return None


def _collect(src_dir, report):
    """The class names and ``(path, relative path, label)`` of every candidate file."""
    entries = sorted(os.listdir(src_dir))
    classes = [e for e in entries
               if not e.startswith(".") and os.path.isdir(os.path.join(src_dir, e))]
    for e in entries:
        path = os.path.join(src_dir, e)
        if not e.startswith(".") and not os.path.isdir(path):
            report.skipped.append((path, "not inside a class folder"))
    files = []
    for label, name in enumerate(classes):
        root = os.path.join(src_dir, name)
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for fname in sorted(filenames):
                if fname.startswith("."):
                    continue
                path = os.path.join(dirpath, fname)
                files.append((path, os.path.relpath(path, src_dir), label))
    return classes, files


def _load(path, size, channels, encode):
    """Reads and converts one image; returns (features dict pieces) or raises ValueError."""
    from PIL import Image
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise ValueError("cannot read the file: %s" % (e.strerror or e)) from None
    fmt = _sniff(data)
    if fmt is None:
        what = "an empty file" if not data else "not a JPEG, PNG, GIF or BMP image"
        if os.path.splitext(path)[1].lower() in _IMAGE_EXTENSIONS and data:
            what = "not a valid image (its extension says image, its bytes do not)"
        raise ValueError(what)
    try:
        with _OPEN_LOCK, warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
        img.load()
        if encode == "original":
            c = {"L": 1, "LA": 2, "RGB": 3, "RGBA": 4}.get(img.mode, 3)
            return {"img_encoded": data, "format": fmt.encode(), "height": img.height,
                    "width": img.width, "channels": c}
        if img.mode == "P" and "transparency" in img.info:
            img = img.convert("RGBA")
        img = img.convert(_MODES[channels])
        if size is not None and (img.height, img.width) != size:
            img = img.resize((size[1], size[0]), Image.BILINEAR)
        arr = np.asarray(img, dtype=np.uint8)
    except Exception as e:  # noqa: BLE001 - any decoder failure means an unreadable image
        raise ValueError("corrupt or unsupported %s image (%s: %s)"
                         % (fmt.upper(), type(e).__name__, _clean(e))) from None
    if arr.ndim == 2:
        arr = arr[..., None]
    h, w, c = arr.shape
    if encode == "raw":
        return {"img_raw": arr.tobytes(), "height": h, "width": w, "channels": c}
    buf = io.BytesIO()
    if encode == "jpeg":
        Image.fromarray(arr[..., 0] if c == 1 else arr).save(buf, "JPEG", quality=95)
    else:
        Image.fromarray(arr[..., 0] if c == 1 else arr).save(buf, "PNG")
    return {"img_encoded": buf.getvalue(), "format": encode.encode(), "height": h, "width": w,
            "channels": c}


def _example(fields, label, class_name, relpath):
    from tensorslim.proto import example_pb2, feature_pb2

    def feature(value):
        if isinstance(value, bytes):
            return feature_pb2.Feature(bytes_list=feature_pb2.BytesList(value=[value]))
        return feature_pb2.Feature(int64_list=feature_pb2.Int64List(value=[int(value)]))
    features = {key: feature(value) for key, value in fields.items()}
    features["label"] = feature(label)
    features["class_name"] = feature(class_name.encode("utf-8"))
    features["filename"] = feature(relpath.encode("utf-8", "surrogateescape"))
    return example_pb2.Example(features=feature_pb2.Features(feature=features))


def _bounded_map(pool, fn, items, ahead):
    """``(item, fn(item))`` in order, with at most ``ahead`` results computed in advance."""
    pending = []
    for item in items:
        pending.append((item, pool.submit(fn, item)))
        if len(pending) >= ahead:
            first, future = pending.pop(0)
            yield first, future.result()
    for item, future in pending:
        yield item, future.result()


def _write_text_atomically(path, text, temps):
    tmp = "%s.tmp-%d" % (path, os.getpid())
    temps.append((tmp, path))
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)


def images_to_tfrecord(src_dir, out_path, size=None, shards=1, encode="raw", progress=True,
                       channels=3, shuffle=False, seed=None, num_threads=None):
    """Converts a folder of class sub-folders of images into TFRecord shards of Examples.

    Args:
      src_dir: the folder; each (non-hidden) sub-folder is a class, labelled by its index
        in sorted order; its images (searched recursively) are that class's examples.
      out_path: the TFRecord file (``OUT-00000-of-0000N`` names for several shards).
      size: resize every image to this size: an int, ``(height, width)``, or a
        ``"WIDTHxHEIGHT"`` string (bilinear); None keeps each image's size.
      shards: the number of TFRecord files; records are dealt round-robin.
      encode: ``"raw"`` (``img_raw`` bytes), ``"jpeg"`` / ``"png"`` (re-encoded, in
        ``img_encoded``), or ``"original"`` (the file's own bytes; no resizing).
      progress: show a tqdm progress bar on stderr.
      channels: 1 (grayscale), 3 (RGB) or 4 (RGBA) for the decoded pixels.
      shuffle: shuffle the records (with ``seed``) before sharding.
      seed: the shuffle's seed.
      num_threads: images decoded in parallel (default: up to 4).

    Returns:
      A :class:`ConversionReport` (``print(report.summary())`` for a human-readable one).

    Raises:
      FileNotFoundError / NotADirectoryError: ``src_dir`` is missing or not a folder.
      ValueError: bad arguments, no class folders, or no readable image at all (then
        nothing is written).
    """
    from tqdm import tqdm

    from tensorslim.io.tfrecord import TFRecordWriter

    start = time.monotonic()
    if encode not in ENCODINGS:
        raise ValueError("encode must be one of %s, got %r" % (", ".join(ENCODINGS), encode))
    size = parse_size(size)
    if encode == "original" and size is not None:
        raise ValueError("encode='original' keeps the files' bytes, so it cannot resize; "
                         "use encode='jpeg' or 'png' with a size.")
    if channels not in _MODES:
        raise ValueError("channels must be 1, 3 or 4, got %r" % (channels,))
    shards = int(shards)
    if shards < 1:
        raise ValueError("shards must be >= 1, got %d" % shards)
    src_dir = os.fspath(src_dir)
    out_path = os.fspath(out_path)
    if not os.path.exists(src_dir):
        raise FileNotFoundError("No such directory: %s" % src_dir)
    if not os.path.isdir(src_dir):
        raise NotADirectoryError("Not a directory: %s" % src_dir)

    report = ConversionReport()
    classes, files = _collect(src_dir, report)
    if not classes:
        raise ValueError("%s has no class sub-folders (expected DIR/<class>/<images>)"
                         % src_dir)
    report.classes = classes
    report.counts = {c: 0 for c in classes}
    order = list(range(len(files)))
    if shuffle:
        np.random.RandomState(seed).shuffle(order)

    out_dir = os.path.dirname(os.path.abspath(out_path))
    os.makedirs(out_dir, exist_ok=True)
    paths = shard_paths(out_path, shards)
    temps = [("%s.tmp-%d" % (p, os.getpid()), p) for p in paths]
    writers = []
    try:
        writers = [TFRecordWriter(tmp) for tmp, _ in temps]
        n_threads = num_threads or min(4, os.cpu_count() or 1)
        bar = tqdm(total=len(files), desc="images-to-tfrecord", unit="img",
                   disable=not progress, file=sys.stderr)

        def load(index):
            path, _, _ = files[index]
            try:
                return _load(path, size, channels, encode), None
            except ValueError as e:
                return None, str(e)
        written = 0
        with ThreadPoolExecutor(max_workers=n_threads) as pool, bar:
            for index, (fields, problem) in _bounded_map(pool, load, order, 16 * n_threads):
                path, relpath, label = files[index]
                bar.update(1)
                if problem is not None:
                    report.skipped.append((path, problem))
                    continue
                example = _example(fields, label, classes[label], relpath)
                writers[written % shards].write(example.SerializeToString())
                written += 1
                report.counts[classes[label]] += 1
        for w in writers:
            w.close()
        report.num_records = written
        if written == 0:
            raise ValueError("no readable image found under %s (%d file(s) skipped)"
                             % (src_dir, len(report.skipped)))
        report.label_map_path = _side_path(out_path, ".labels.txt")
        _write_text_atomically(report.label_map_path,
                               "".join("%d:%s\n" % (i, c) for i, c in enumerate(classes)),
                               temps)
        if report.skipped:
            report.skipped_path = _side_path(out_path, ".skipped.txt")
            _write_text_atomically(report.skipped_path,
                                   "".join("%s\t%s\n" % s for s in report.skipped), temps)
        for tmp, final in temps:
            os.replace(tmp, final)
        temps = []
    finally:
        for w in writers:
            w.close()
        for tmp, _ in temps:
            if os.path.exists(tmp):
                os.remove(tmp)
    report.shard_paths = paths
    report.seconds = time.monotonic() - start
    return report


def _parser():
    p = argparse.ArgumentParser(
        prog="tensorslim images-to-tfrecord",
        description="Convert a folder of class sub-folders of images (DIR/cat/*.jpg, "
                    "DIR/dog/*.png ...) into TFRecord files of tf.train.Example records "
                    "(label, class_name, filename, height, width, channels and img_raw or "
                    "img_encoded), plus OUT.labels.txt. Unreadable files are skipped and "
                    "listed.")
    p.add_argument("src_dir", metavar="DIR", help="folder with one sub-folder per class")
    p.add_argument("out", metavar="OUT.tfrecord", help="output file (shards get "
                   "-00000-of-0000N suffixes)")
    p.add_argument("--size", help="resize to WIDTHxHEIGHT (e.g. 250x250) or N (square)")
    p.add_argument("--shards", type=int, default=1, help="number of output files (default 1)")
    p.add_argument("--encode", choices=ENCODINGS, default="raw",
                   help="raw pixels in img_raw (default), or encoded bytes in img_encoded")
    p.add_argument("--channels", type=int, choices=(1, 3, 4), default=3,
                   help="decoded channels (default 3, RGB)")
    p.add_argument("--shuffle", action="store_true", help="shuffle the records")
    p.add_argument("--seed", type=int, default=None, help="seed of --shuffle")
    p.add_argument("--threads", type=int, default=None, help="decoding threads")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--strict", action="store_true",
                   help="exit with status 1 when any file was skipped")
    return p


def main(argv=None):
    """The ``tensorslim images-to-tfrecord`` command.

    Args:
      argv: the arguments after the command name (default ``sys.argv[1:]``).

    Returns:
      The exit status: 0 on success (skipped files are listed), 1 on an error or, with
      ``--strict``, when files were skipped. Bad usage exits with status 2 (argparse).
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "images-to-tfrecord":
        argv = argv[1:]
    args = _parser().parse_args(argv)
    try:
        report = images_to_tfrecord(args.src_dir, args.out, size=args.size, shards=args.shards,
                                    encode=args.encode, progress=not args.no_progress,
                                    channels=args.channels, shuffle=args.shuffle,
                                    seed=args.seed, num_threads=args.threads)
    except (OSError, ValueError) as e:
        print("tensorslim images-to-tfrecord: error: %s" % e, file=sys.stderr)
        return 1
    print(report.summary())
    if report.skipped and args.strict:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
