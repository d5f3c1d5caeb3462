"""MNIST: IDX file reading, verified download and TF1's ``input_data.read_data_sets``.

The four standard files (``train-images-idx3-ubyte.gz`` ...) are looked up in a directory
(``~/.tensorslim/datasets/mnist`` by default), gzipped or not.  :func:`maybe_download`
fetches the missing ones from the mirrors in :data:`MIRRORS`, checks each against
:data:`SHA256` and moves it into place atomically; with the files present nothing touches
the network.  :func:`read_data_sets` then behaves like TF1's
``tensorflow.examples.tutorials.mnist.input_data.read_data_sets``: the same splits, dtypes,
scaling and ``next_batch`` epoch semantics.

IDX layout (big-endian): a 4-byte magic number (2051 for images, 2049 for labels), one
uint32 per dimension (count, then rows and columns for images) and the uint8 data.
"""
import collections
import gzip
import hashlib
import http.client
import logging
import os
import tempfile
import urllib.request
import zlib

import numpy as np

from tensorslim.core import dtypes

__all__ = [
    "TRAIN_IMAGES", "TRAIN_LABELS", "TEST_IMAGES", "TEST_LABELS", "FILES",
    "DEFAULT_SOURCE_URL", "MIRRORS", "SHA256", "DEFAULT_DIRECTORY", "DownloadError",
    "Datasets", "DataSet", "extract_images", "extract_labels", "dense_to_one_hot",
    "maybe_download", "read_data_sets", "load_mnist",
]

_log = logging.getLogger(__name__)

TRAIN_IMAGES = "train-images-idx3-ubyte.gz"
TRAIN_LABELS = "train-labels-idx1-ubyte.gz"
TEST_IMAGES = "t10k-images-idx3-ubyte.gz"
TEST_LABELS = "t10k-labels-idx1-ubyte.gz"
FILES = (TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)

#: TF1's default ``source_url``.
DEFAULT_SOURCE_URL = "https://storage.googleapis.com/cvdf-datasets/mnist/"

#: Base URLs tried in order for every missing file (``base + file name``).  Read at call
#: time, so tests and users may replace it.
MIRRORS = [
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    DEFAULT_SOURCE_URL,
]

#: SHA-256 of each file's *decompressed* IDX content.  The gzip bytes are not stable:
#: mirrors (and local copies) recompress the files, which changes the .gz checksum but
#: never the content, so the content is what is verified.
SHA256 = {
    TRAIN_IMAGES: "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    TRAIN_LABELS: "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    TEST_IMAGES: "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    TEST_LABELS: "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}

DEFAULT_DIRECTORY = os.path.join("~", ".tensorslim", "datasets", "mnist")

_IMAGES_MAGIC = 2051
_LABELS_MAGIC = 2049
_CHUNK = 1 << 16

Datasets = collections.namedtuple("Datasets", ["train", "validation", "test"])


class DownloadError(OSError):
    """MNIST files are missing and could not be downloaded (or failed verification)."""


# --- IDX files ----------------------------------------------------------------------------

def _read_idx_bytes(f):
    """(decompressed bytes, name for messages) of a path or binary file object."""
    if isinstance(f, (str, bytes, os.PathLike)):
        name = os.fsdecode(f)
        try:
            with open(name, "rb") as fh:
                data = fh.read()
        except FileNotFoundError:
            raise FileNotFoundError("MNIST file %s does not exist" % name) from None
    else:
        name = getattr(f, "name", None) or repr(f)
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as e:
            raise ValueError("MNIST file %s is not a valid gzip file (%s); delete it and "
                             "download it again" % (name, e)) from None
    return data, name


def _parse_idx(data, name, magic, ndim, what):
    """Validates an IDX buffer and returns (dims, offset of the data)."""
    header = 4 + 4 * ndim
    if len(data) < 4:
        raise ValueError("MNIST %s file %s is too short (%d bytes) to be an IDX file"
                         % (what, name, len(data)))
    found = int.from_bytes(data[:4], "big")
    if found != magic:
        raise ValueError("Invalid magic number %d in MNIST %s file: %s (expected %d)"
                         % (found, what, name, magic))
    if len(data) < header:
        raise ValueError("MNIST %s file %s is truncated: %d bytes, the header alone needs %d"
                         % (what, name, len(data), header))
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    size = int(np.prod(dims, dtype=np.int64))
    if len(data) - header < size:
        raise ValueError("MNIST %s file %s is truncated: its header promises %s = %d bytes "
                         "of data but it holds %d" % (what, name, "x".join(map(str, dims)),
                                                      size, len(data) - header))
    if len(data) - header > size:
        raise ValueError("MNIST %s file %s has %d unexpected bytes after the %s = %d bytes "
                         "its header promises" % (what, name, len(data) - header - size,
                                                  "x".join(map(str, dims)), size))
    return dims, header


def extract_images(f):
    """Reads an IDX image file into a 4-D uint8 array ``[index, y, x, depth=1]``.

    Args:
      f: a path or a binary file object, gzipped or not.

    Returns:
      A uint8 numpy array of shape ``[num_images, rows, cols, 1]``.

    Raises:
      ValueError: if the file is not a valid IDX image file (magic 2051), is truncated or
        has trailing bytes; the message names the file.
      FileNotFoundError: if ``f`` is a path that does not exist.
    """
    data, name = _read_idx_bytes(f)
    (num, rows, cols), offset = _parse_idx(data, name, _IMAGES_MAGIC, 3, "image")
    return np.frombuffer(data, np.uint8, offset=offset).reshape(num, rows, cols, 1).copy()


def dense_to_one_hot(labels_dense, num_classes):
    """Converts class labels to one-hot rows (float64, as TF1).

    Args:
      labels_dense: 1-D integer array of class indices.
      num_classes: the number of classes.

    Returns:
      A float64 array of shape ``[len(labels_dense), num_classes]``.
    """
    labels_dense = np.asarray(labels_dense)
    one_hot = np.zeros((labels_dense.shape[0], num_classes))
    one_hot[np.arange(labels_dense.shape[0]), labels_dense.ravel()] = 1
    return one_hot


def extract_labels(f, one_hot=False, num_classes=10):
    """Reads an IDX label file into a 1-D uint8 array (or one-hot float64 rows).

    Args:
      f: a path or a binary file object, gzipped or not.
      one_hot: return one-hot rows instead of class indices.
      num_classes: number of classes for ``one_hot``.

    Returns:
      A uint8 array ``[num_labels]``, or a float64 array ``[num_labels, num_classes]``.

    Raises:
      ValueError: if the file is not a valid IDX label file (magic 2049), is truncated or
        has trailing bytes, or (with ``one_hot``) holds a label ``>= num_classes``.
      FileNotFoundError: if ``f`` is a path that does not exist.
    """
    data, name = _read_idx_bytes(f)
    (num,), offset = _parse_idx(data, name, _LABELS_MAGIC, 1, "label")
    labels = np.frombuffer(data, np.uint8, offset=offset).copy()
    if one_hot:
        if num and labels.max() >= num_classes:
            raise ValueError("MNIST label file %s holds label %d, expected values in [0, %d)"
                             % (name, labels.max(), num_classes))
        return dense_to_one_hot(labels, num_classes)
    return labels


# --- DataSet ------------------------------------------------------------------------------

class DataSet:
    """One MNIST split with TF1's ``next_batch`` (``input_data``'s ``DataSet``).

    Args:
      images: uint8 array ``[N, rows, cols, 1]`` (or ``[N, rows * cols]`` with
        ``reshape=False``).
      labels: array ``[N]`` or ``[N, num_classes]``.
      fake_data: ignore ``images``/``labels`` and serve 10000 fake examples.
      one_hot: shape of the fake labels (only used with ``fake_data``).
      dtype: ``uint8`` keeps pixels in [0, 255]; ``float32`` scales them to [0, 1].  A
        numpy dtype or a tensorslim ``DType``.
      reshape: flatten images to ``[N, rows * cols]`` (requires depth 1).
      seed: seed of this data set's shuffling; ``None`` draws one from the OS.  A seed
        gives the same order as TF1 with that seed and no graph-level seed.

    Raises:
      TypeError: if ``dtype`` is neither uint8 nor float32.
      ValueError: if images and labels disagree on the number of examples, or ``reshape``
        is asked for images with depth other than 1.
    """

    def __init__(self, images, labels, fake_data=False, one_hot=False,
                 dtype=dtypes.float32, reshape=True, seed=None):
        # TF1 seeds numpy with its op seed, truncated to 31 bits; a private RandomState
        # gives the same permutations without touching numpy's global generator.
        self._rng = np.random.RandomState(None if seed is None else seed % 0x7FFFFFFF)
        dtype = dtypes.as_dtype(dtype).base_dtype
        if dtype not in (dtypes.uint8, dtypes.float32):
            raise TypeError("Invalid image dtype %r, expected uint8 or float32" % (dtype,))
        self.one_hot = one_hot
        if fake_data:
            self._num_examples = 10000
        else:
            images = np.asarray(images)
            labels = np.asarray(labels)
            if images.shape[0] != labels.shape[0]:
                raise ValueError("images.shape: %s labels.shape: %s (expected the same "
                                 "number of examples)" % (images.shape, labels.shape))
            self._num_examples = images.shape[0]
            if reshape:
                if images.ndim != 4 or images.shape[3] != 1:
                    raise ValueError("reshape=True expects images [N, rows, cols, 1], got "
                                     "shape %s" % (images.shape,))
                images = images.reshape(images.shape[0], images.shape[1] * images.shape[2])
            if dtype == dtypes.float32:
                # float32 times the double 1/255, rounded to float32: TF1's exact values.
                images = images.astype(np.float32) * (1.0 / 255.0)
        self._images = images
        self._labels = labels
        self._epochs_completed = 0
        self._index_in_epoch = 0

    @property
    def images(self):
        """The images, ``[N, 784]`` (reshaped) or ``[N, 28, 28, 1]``."""
        return self._images

    @property
    def labels(self):
        """The labels, uint8 ``[N]`` or one-hot float64 ``[N, 10]``."""
        return self._labels

    @property
    def num_examples(self):
        """The number of examples."""
        return self._num_examples

    @property
    def epochs_completed(self):
        """How many times ``next_batch`` has gone past the end of the data."""
        return self._epochs_completed

    def next_batch(self, batch_size, fake_data=False, shuffle=True):
        """Returns the next ``batch_size`` examples, exactly as TF1.

        The data is shuffled before the first batch and at the start of every epoch (when
        ``shuffle``); a batch that runs past the end of an epoch is the rest of that epoch
        followed by the start of the next one.

        Args:
          batch_size: number of examples.
          fake_data: return lists of fake images (784 ones) and labels.
          shuffle: shuffle at the first call and at each new epoch.

        Returns:
          A tuple ``(images, labels)``.
        """
        if fake_data:
            fake_image = [1] * 784
            fake_label = [1] + [0] * 9 if self.one_hot else 0
            return ([fake_image for _ in range(batch_size)],
                    [fake_label for _ in range(batch_size)])
        start = self._index_in_epoch
        if self._epochs_completed == 0 and start == 0 and shuffle:
            self._shuffle()
        if start + batch_size > self._num_examples:
            self._epochs_completed += 1
            rest = self._num_examples - start
            images_rest = self._images[start:self._num_examples]
            labels_rest = self._labels[start:self._num_examples]
            if shuffle:
                self._shuffle()
            self._index_in_epoch = batch_size - rest
            end = self._index_in_epoch
            return (np.concatenate((images_rest, self._images[0:end]), axis=0),
                    np.concatenate((labels_rest, self._labels[0:end]), axis=0))
        self._index_in_epoch += batch_size
        end = self._index_in_epoch
        return self._images[start:end], self._labels[start:end]

    def _shuffle(self):
        perm = np.arange(self._num_examples)
        self._rng.shuffle(perm)
        self._images = self._images[perm]
        self._labels = self._labels[perm]


# --- finding and downloading the files ----------------------------------------------------

def _resolve(directory):
    return os.path.abspath(os.path.expanduser(os.fspath(directory or DEFAULT_DIRECTORY)))


def _local_path(directory, name):
    """The existing file for ``name`` (gzipped, or its uncompressed twin), else None."""
    for candidate in (name, name[:-3]):
        path = os.path.join(directory, candidate)
        if os.path.isfile(path):
            return path
    return None


def _how_to_get(directory, names, mirrors):
    urls = ", ".join(m.rstrip("/") + "/" + names[0] for m in mirrors) or "(no mirrors)"
    return ("To get them, call tensorslim.data.mnist.maybe_download(%r) with network "
            "access, or download each file (e.g. %s) and put it, gzipped or not, in %s."
            % (directory, urls, directory))


def _fetch(url, name, directory, sha256, progress, timeout):
    """Downloads ``url`` to a temp file in ``directory``; returns its path once verified."""
    fd, tmp = tempfile.mkstemp(prefix="." + name + ".", suffix=".part", dir=directory)
    try:
        inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
        content = hashlib.sha256()
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as r:
            total = r.headers.get("Content-Length")
            from tqdm import tqdm  # only needed when something is downloaded
            with tqdm(total=int(total) if total else None, unit="B", unit_scale=True,
                      desc=name, disable=not progress, leave=False) as bar:
                while True:
                    chunk = r.read(_CHUNK)
                    if not chunk:
                        break
                    out.write(chunk)
                    bar.update(len(chunk))
                    try:
                        content.update(inflate.decompress(chunk))
                    except zlib.error:
                        inflate = None
                        break
        if inflate is None or not inflate.eof or inflate.unused_data:
            raise DownloadError("checksum mismatch for %s from %s: the download is not a "
                                "complete gzip file" % (name, url))
        digest = content.hexdigest()
        if digest != sha256:
            raise DownloadError("checksum mismatch for %s from %s: content sha256 %s, "
                                "expected %s" % (name, url, digest, sha256))
        return tmp
    except BaseException:
        os.unlink(tmp)
        raise


def maybe_download(directory=None, mirrors=None, checksums=None, progress=True, timeout=60):
    """Makes sure the four MNIST files are in ``directory``, downloading missing ones.

    Files already there (gzipped, or uncompressed without ``.gz``) are used as they are,
    so this works offline.  Each missing file is tried on every mirror in turn; a download
    is verified against its checksum before it is moved into place (temp file + rename),
    and a failed or mismatching download is deleted before the next mirror is tried.

    Args:
      directory: where the files live; default ``~/.tensorslim/datasets/mnist``.
      mirrors: base URLs to try in order; default :data:`MIRRORS`.
      checksums: ``{file name: sha256 of the decompressed content}``; default
        :data:`SHA256`.
      progress: show a tqdm progress bar while downloading.
      timeout: socket timeout in seconds for each request.

    Returns:
      The absolute path of the directory.

    Raises:
      DownloadError: if some file could not be obtained from any mirror; the message
        names each file, each mirror tried and why it failed (e.g. a checksum mismatch),
        and how to get the files by hand.
    """
    directory = _resolve(directory)
    mirrors = list(MIRRORS if mirrors is None else mirrors)
    checksums = SHA256 if checksums is None else checksums
    missing = [name for name in FILES if _local_path(directory, name) is None]
    if not missing:
        return directory
    os.makedirs(directory, exist_ok=True)
    failures = {}
    for name in missing:
        reasons = []
        for mirror in mirrors:
            url = mirror.rstrip("/") + "/" + name
            _log.info("Downloading %s", url)
            try:
                tmp = _fetch(url, name, directory, checksums[name], progress, timeout)
            except DownloadError as e:
                reasons.append(str(e))
                continue
            except (OSError, ValueError, http.client.HTTPException) as e:
                # URLError/HTTPError/timeouts are OSErrors; ValueError is a malformed URL.
                reasons.append("%s from %s: %s" % (name, url, getattr(e, "reason", e)))
                continue
            os.replace(tmp, os.path.join(directory, name))
            break
        else:
            failures[name] = reasons or ["no mirrors to try"]
    if failures:
        lines = ["Could not download MNIST file(s) %s into %s:" % (", ".join(failures),
                                                                    directory)]
        for reasons in failures.values():
            lines.extend("  " + reason for reason in reasons)
        lines.append(_how_to_get(directory, list(failures), mirrors))
        raise DownloadError("\n".join(lines))
    return directory


# --- read_data_sets -----------------------------------------------------------------------

def read_data_sets(train_dir, fake_data=False, one_hot=False, dtype=dtypes.float32,
                   reshape=True, validation_size=5000, seed=None,
                   source_url=DEFAULT_SOURCE_URL, download=True):
    """Loads MNIST as TF1's ``input_data.read_data_sets``: train, validation and test.

    The first ``validation_size`` training examples become the validation split, so the
    standard files give 55000 / 5000 / 10000 examples.

    Args:
      train_dir: directory of the four files (``None``: ``~/.tensorslim/datasets/mnist``).
      fake_data: return three fake :class:`DataSet` objects instead (no files needed).
      one_hot: labels as one-hot float64 rows ``[N, 10]`` instead of uint8 ``[N]``.
      dtype: ``float32`` (pixels scaled to [0, 1]) or ``uint8`` (0..255); a numpy dtype or
        a tensorslim ``DType``.
      reshape: flatten images to ``[N, 784]``; otherwise ``[N, 28, 28, 1]``.
      validation_size: number of training examples held out for validation.
      seed: shuffling seed for :meth:`DataSet.next_batch`.
      source_url: a base URL tried before :data:`MIRRORS` when files are missing (TF1's
        default, :data:`DEFAULT_SOURCE_URL`, is already one of the mirrors).
      download: download missing files (``False``: fail with the list of missing files).

    Returns:
      A ``Datasets(train, validation, test)`` namedtuple of :class:`DataSet`.

    Raises:
      ValueError: if ``validation_size`` is not in ``[0, number of training examples]``,
        or a file is corrupt (the message names it and what is wrong).
      FileNotFoundError: if files are missing and ``download`` is false.
      DownloadError: if missing files could not be downloaded.
      TypeError: if ``dtype`` is neither uint8 nor float32.
    """
    if fake_data:
        def fake():
            return DataSet([], [], fake_data=True, one_hot=one_hot, dtype=dtype, seed=seed)
        return Datasets(train=fake(), validation=fake(), test=fake())

    directory = _resolve(train_dir)
    mirrors = list(MIRRORS)
    if source_url and source_url != DEFAULT_SOURCE_URL and source_url not in mirrors:
        mirrors.insert(0, source_url)
    if download:
        maybe_download(directory, mirrors=mirrors)
    missing = [name for name in FILES if _local_path(directory, name) is None]
    if missing:
        raise FileNotFoundError("MNIST file(s) missing from %s: %s. %s" % (
            directory, ", ".join(missing), _how_to_get(directory, missing, mirrors)))

    paths = {name: _local_path(directory, name) for name in FILES}
    for name in FILES:
        _log.info("Extracting %s", paths[name])
    train_images = extract_images(paths[TRAIN_IMAGES])
    train_labels = extract_labels(paths[TRAIN_LABELS], one_hot=one_hot)
    test_images = extract_images(paths[TEST_IMAGES])
    test_labels = extract_labels(paths[TEST_LABELS], one_hot=one_hot)
    for images, labels, a, b in ((train_images, train_labels, TRAIN_IMAGES, TRAIN_LABELS),
                                 (test_images, test_labels, TEST_IMAGES, TEST_LABELS)):
        if len(images) != len(labels):
            raise ValueError("MNIST files disagree: %s holds %d images but %s holds %d "
                             "labels" % (paths[a], len(images), paths[b], len(labels)))

    if not 0 <= validation_size <= len(train_images):
        raise ValueError("Validation size should be between 0 and {}. Received: {}."
                         .format(len(train_images), validation_size))
    validation_images = train_images[:validation_size]
    validation_labels = train_labels[:validation_size]
    train_images = train_images[validation_size:]
    train_labels = train_labels[validation_size:]

    options = dict(dtype=dtype, reshape=reshape, seed=seed)
    return Datasets(train=DataSet(train_images, train_labels, **options),
                    validation=DataSet(validation_images, validation_labels, **options),
                    test=DataSet(test_images, test_labels, **options))


def load_mnist(train_dir="MNIST-data"):
    """Shorthand for ``read_data_sets(train_dir)`` (TF1's ``mnist.load_mnist``).

    Args:
      train_dir: directory of the four files.

    Returns:
      A ``Datasets(train, validation, test)`` namedtuple.
    """
    return read_data_sets(train_dir)
