"""MNIST loading: IDX parsing, TF1's DataSet/next_batch semantics and verified downloads.

Real-data tests need ``MNIST_DIR`` (a directory holding the four standard files) and skip
without it.  Download tests only ever talk to an ``http.server`` on 127.0.0.1.
"""
import gzip
import hashlib
import http.server
import os
import struct
import threading

import numpy as np
import pytest

from tensorslim.core import dtypes
from tensorslim.data import mnist
from tensorslim.data.mnist import DataSet, DownloadError, maybe_download, read_data_sets
from tensorslim.examples.tutorials.mnist import input_data

MNIST_DIR = os.environ.get("MNIST_DIR")
TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def _have_mnist():
    return bool(MNIST_DIR) and all(
        os.path.isfile(os.path.join(MNIST_DIR, n)) or
        os.path.isfile(os.path.join(MNIST_DIR, n[:-3])) for n in mnist.FILES)


needs_mnist = pytest.mark.skipif(not _have_mnist(),
                                 reason="set MNIST_DIR to a directory with the MNIST files")


@pytest.fixture(autouse=True)
def no_real_network(monkeypatch):
    """Point the mirrors at a closed local port, so no test can reach the internet."""
    monkeypatch.setattr(mnist, "MIRRORS", ["http://127.0.0.1:9/closed/"])
    for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy",
                "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


# --- synthetic IDX files ------------------------------------------------------------------

def _idx_images(images):
    n, rows, cols = images.shape
    return struct.pack(">IIII", 2051, n, rows, cols) + images.astype(np.uint8).tobytes()


def _idx_labels(labels):
    return struct.pack(">II", 2049, len(labels)) + np.asarray(labels, np.uint8).tobytes()


def _synthetic(n_train=12, n_test=4, rows=4, cols=3):
    """{file name: uncompressed IDX bytes}; image i is filled with i, its label is i % 10."""
    def images(n, base):
        return np.repeat(np.arange(base, base + n, dtype=np.uint8), rows * cols).reshape(
            n, rows, cols)
    return {
        mnist.TRAIN_IMAGES: _idx_images(images(n_train, 0)),
        mnist.TRAIN_LABELS: _idx_labels(np.arange(n_train) % 10),
        mnist.TEST_IMAGES: _idx_images(images(n_test, 200)),
        mnist.TEST_LABELS: _idx_labels(np.arange(n_test) % 10),
    }


def _write_dir(directory, contents, compress=True):
    os.makedirs(directory, exist_ok=True)
    for name, raw in contents.items():
        path = os.path.join(directory, name if compress else name[:-3])
        with open(path, "wb") as f:
            f.write(gzip.compress(raw, mtime=0) if compress else raw)
    return str(directory)


def _sha(contents):
    return {name: hashlib.sha256(raw).hexdigest() for name, raw in contents.items()}


# --- real MNIST ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def real():
    if not _have_mnist():
        pytest.skip("set MNIST_DIR to a directory with the MNIST files")
    return read_data_sets(MNIST_DIR, download=False)


@needs_mnist
def test_real_splits(real):
    assert (real.train.num_examples, real.validation.num_examples,
            real.test.num_examples) == (55000, 5000, 10000)
    for split in real:
        assert split.images.dtype == np.float32
        assert split.images.shape == (split.num_examples, 784)
        assert split.labels.dtype == np.uint8
        assert split.labels.shape == (split.num_examples,)
        assert split.images.min() == 0.0 and split.images.max() == 1.0
        assert split.epochs_completed == 0
    counts = np.bincount(real.train.labels, minlength=10) + np.bincount(
        real.validation.labels, minlength=10)
    assert counts.tolist() == TRAIN_COUNTS and counts.sum() == 60000
    assert np.bincount(real.test.labels, minlength=10).tolist() == TEST_COUNTS


@needs_mnist
def test_real_checksums_are_the_module_constants():
    for name in mnist.FILES:
        with open(os.path.join(MNIST_DIR, name), "rb") as f:
            assert hashlib.sha256(gzip.decompress(f.read())).hexdigest() == mnist.SHA256[name]


@needs_mnist
def test_real_variants(real):
    raw = read_data_sets(MNIST_DIR, dtype=dtypes.uint8, reshape=False, one_hot=True,
                         validation_size=0, download=False)
    assert raw.validation.num_examples == 0 and raw.train.num_examples == 60000
    assert raw.train.images.dtype == np.uint8 and raw.train.images.shape == (60000, 28, 28, 1)
    assert raw.train.images.max() == 255
    assert raw.test.labels.dtype == np.float64 and raw.test.labels.shape == (10000, 10)
    assert (raw.test.labels.sum(axis=1) == 1).all()
    assert (raw.test.labels.argmax(axis=1) == real.test.labels).all()
    # float32 pixels are TF1's float32(x) * (1/255), bit for bit.
    want = raw.test.images.reshape(10000, 784).astype(np.float32) * np.float32(1.0 / 255.0)
    assert real.test.images.tobytes() == want.tobytes()
    assert (raw.train.images[5000:].reshape(55000, 784) ==
            np.round(real.train.images * 255).astype(np.uint8)).all()


@needs_mnist
@pytest.mark.parametrize("size", [-1, 60001])
def test_real_invalid_validation_size(size):
    with pytest.raises(ValueError, match=r"Validation size should be between 0 and 60000\. "
                                         r"Received: %d\." % size):
        read_data_sets(MNIST_DIR, validation_size=size, download=False)


@needs_mnist
def test_real_offline_maybe_download():
    assert maybe_download(MNIST_DIR, mirrors=[]) == os.path.abspath(MNIST_DIR)
    assert input_data.read_data_sets is read_data_sets


@needs_mnist
def test_real_next_batch_covers_an_epoch(real):
    train = read_data_sets(MNIST_DIR, download=False, seed=3).train
    seen = []
    for _ in range(550):
        images, labels = train.next_batch(100)
        assert images.shape == (100, 784) and labels.shape == (100,)
        seen.append(labels)
    assert train.epochs_completed == 0
    assert np.bincount(np.concatenate(seen)).tolist() == np.bincount(real.train.labels).tolist()
    train.next_batch(100)
    assert train.epochs_completed == 1


# --- DataSet and next_batch (synthetic) ---------------------------------------------------

def _toy(n=10, **kwargs):
    images = np.arange(n, dtype=np.uint8).reshape(n, 1, 1, 1) * np.ones((1, 2, 2, 1), np.uint8)
    return DataSet(images, np.arange(n, dtype=np.uint8), dtype=dtypes.uint8, **kwargs)


def test_next_batch_without_shuffle_wraps_epochs():
    ds = _toy()
    batches = []
    for _ in range(5):
        images, labels = ds.next_batch(3, shuffle=False)
        assert (images[:, 0] == labels).all()
        batches.append((labels.tolist(), ds.epochs_completed))
    assert batches == [([0, 1, 2], 0), ([3, 4, 5], 0), ([6, 7, 8], 0), ([9, 0, 1], 1),
                       ([2, 3, 4], 1)]
    images, labels = ds.next_batch(5, shuffle=False)
    assert labels.tolist() == [5, 6, 7, 8, 9] and ds.epochs_completed == 1
    assert ds.next_batch(1, shuffle=False)[1].tolist() == [0]   # exact end: next call wraps
    assert ds.epochs_completed == 2


def _tf1_reference(n, seed, batch_size, steps):
    """TF1's algorithm on numpy's *global* generator, as TF1 seeds and uses it."""
    state = np.random.get_state()
    try:
        np.random.seed(seed)
        order = np.arange(n)
        index, epochs, out = 0, 0, []
        for _ in range(steps):
            start = index
            if epochs == 0 and start == 0:
                perm = np.arange(n)
                np.random.shuffle(perm)
                order = order[perm]
            if start + batch_size > n:
                epochs += 1
                rest = order[start:n]
                perm = np.arange(n)
                np.random.shuffle(perm)
                order = order[perm]
                index = batch_size - (n - start)
                out.append(np.concatenate((rest, order[:index])).tolist())
            else:
                index += batch_size
                out.append(order[start:index].tolist())
        return out, epochs
    finally:
        np.random.set_state(state)


@pytest.mark.parametrize("batch_size", [1, 3, 4, 10])
def test_next_batch_shuffled_matches_tf1_order(batch_size):
    ds = _toy(10, seed=1234)
    got = []
    for _ in range(12):
        images, labels = ds.next_batch(batch_size)
        assert (images[:, 0] == labels).all()  # images and labels stay paired
        got.append(labels.tolist())
    want, epochs = _tf1_reference(10, 1234, batch_size, 12)
    assert got == want
    assert ds.epochs_completed == epochs
    flat = sum(got, [])
    # Every epoch is a permutation of all examples.
    for epoch in range(len(flat) // 10):
        assert sorted(flat[epoch * 10:(epoch + 1) * 10]) == list(range(10))


def test_next_batch_does_not_touch_global_rng():
    state = np.random.get_state()
    ds = _toy(10, seed=5)
    ds.next_batch(7)
    ds.next_batch(7)
    after = np.random.get_state()
    assert np.array_equal(state[1], after[1]) and state[2] == after[2]


def test_seed_none_shuffles_and_same_seed_repeats():
    a = [_toy(50, seed=7).next_batch(50)[1].tolist() for _ in range(2)]
    assert a[0] == a[1] and a[0] != list(range(50))
    assert sorted(_toy(50).next_batch(50)[1].tolist()) == list(range(50))


def test_dataset_dtypes_and_scaling():
    images = np.array([0, 1, 128, 255], np.uint8).reshape(1, 2, 2, 1)
    for dtype in (np.float32, dtypes.float32, "float32"):
        ds = DataSet(images, np.array([3]), dtype=dtype)
        assert ds.images.dtype == np.float32 and ds.images.shape == (1, 4)
        assert ds.images.tolist() == [[0.0, np.float32(1 / 255.0), np.float32(128 / 255.0),
                                       1.0]]
    ds = DataSet(images, np.array([3]), dtype=np.uint8, reshape=False)
    assert ds.images.dtype == np.uint8 and ds.images.shape == (1, 2, 2, 1)
    for bad in (np.int32, dtypes.float64):
        with pytest.raises(TypeError, match="Invalid image dtype"):
            DataSet(images, np.array([3]), dtype=bad)
    with pytest.raises(ValueError, match="images.shape"):
        DataSet(images, np.array([3, 4]))


def test_fake_data():
    sets = read_data_sets(None, fake_data=True, one_hot=True)
    assert sets._fields == ("train", "validation", "test")
    assert sets.train.num_examples == 10000
    images, labels = sets.train.next_batch(3, fake_data=True)
    assert images == [[1] * 784] * 3 and labels == [[1] + [0] * 9] * 3
    plain = read_data_sets(None, fake_data=True).test
    assert plain.next_batch(2, fake_data=True)[1] == [0, 0]


# --- reading synthetic files --------------------------------------------------------------

@pytest.mark.parametrize("compress", [True, False])
def test_read_synthetic_files(tmp_path, compress):
    directory = _write_dir(tmp_path / "m", _synthetic(), compress=compress)
    sets = read_data_sets(directory, validation_size=2, download=False, one_hot=True)
    assert [s.num_examples for s in sets] == [10, 2, 4]
    assert sets.train.images.shape == (10, 12)
    assert (sets.validation.images[:, 0] * 255).round().tolist() == [0, 1]
    assert sets.train.labels.dtype == np.float64
    assert sets.train.labels.argmax(1).tolist() == [2, 3, 4, 5, 6, 7, 8, 9, 0, 1]
    with pytest.raises(ValueError, match="between 0 and 12. Received: 13"):
        read_data_sets(directory, validation_size=13, download=False)


@pytest.mark.parametrize("name,raw,match", [
    (mnist.TRAIN_IMAGES, struct.pack(">IIII", 2049, 1, 1, 1) + b"\x00",
     "Invalid magic number 2049 in MNIST image file"),
    (mnist.TRAIN_LABELS, struct.pack(">II", 2051, 1) + b"\x00",
     "Invalid magic number 2051 in MNIST label file"),
    (mnist.TRAIN_IMAGES, struct.pack(">IIII", 2051, 12, 4, 3) + b"\x00" * 100,
     "truncated: its header promises 12x4x3 = 144 bytes of data but it holds 100"),
    (mnist.TRAIN_LABELS, struct.pack(">II", 2049, 12) + b"\x01" * 13,
     "has 1 unexpected bytes"),
    (mnist.TEST_LABELS, b"\x00\x00", "too short"),
    (mnist.TEST_IMAGES, struct.pack(">II", 2051, 4), "header alone needs 16"),
    (mnist.TRAIN_LABELS, struct.pack(">II", 2049, 11) + b"\x01" * 11,
     "holds 12 images but .*train-labels-idx1-ubyte.gz holds 11 labels"),
])
def test_corrupt_files_are_named(tmp_path, name, raw, match):
    contents = _synthetic()
    contents[name] = raw
    directory = _write_dir(tmp_path / "m", contents)
    with pytest.raises(ValueError, match=match) as info:
        read_data_sets(directory, validation_size=2, download=False)
    assert name in str(info.value)


def test_bad_gzip_is_named(tmp_path):
    directory = _write_dir(tmp_path / "m", _synthetic())
    path = os.path.join(directory, mnist.TEST_IMAGES)
    with open(path, "rb") as f:
        data = f.read()
    with open(path, "wb") as f:
        f.write(data[:-6])
    with pytest.raises(ValueError, match="t10k-images-idx3-ubyte.gz is not a valid gzip"):
        read_data_sets(directory, validation_size=2, download=False)


def test_missing_directory_lists_files(tmp_path):
    directory = str(tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError) as info:
        read_data_sets(directory, download=False)
    message = str(info.value)
    for name in mnist.FILES:
        assert name in message
    assert directory in message and "maybe_download" in message


def test_missing_one_file_lists_only_it(tmp_path):
    contents = _synthetic()
    del contents[mnist.TEST_LABELS]
    directory = _write_dir(tmp_path / "m", contents)
    with pytest.raises(FileNotFoundError, match="missing from .*: t10k-labels-idx1-ubyte.gz\\."):
        read_data_sets(directory, validation_size=2, download=False)


def test_download_failure_lists_files_and_mirrors(tmp_path):
    directory = str(tmp_path / "d")
    with pytest.raises(DownloadError) as info:
        read_data_sets(directory)  # mirrors point at a closed local port
    message = str(info.value)
    for name in mnist.FILES:
        assert name in message
    assert "127.0.0.1:9" in message and "maybe_download" in message
    assert [f for f in os.listdir(directory) if f.endswith(".part")] == []


# --- downloading from a local server ------------------------------------------------------

class _Server:
    """A tiny HTTP server on 127.0.0.1 serving ``files`` (path -> bytes) and counting hits."""

    def __init__(self, files):
        self.files = files
        self.requests = []
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                owner.requests.append(self.path)
                body = owner.files.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.timeout = 5
        self.url = "http://127.0.0.1:%d/mnist/" % self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)


@pytest.fixture
def servers():
    started = []

    def start(files):
        server = _Server(files)
        started.append(server)
        return server
    yield start
    for server in started:
        server.close()


def _served(contents, corrupt=()):
    files = {}
    for name, raw in contents.items():
        if name in corrupt:
            raw = raw[:-1] + bytes([raw[-1] ^ 0xFF])
        files["/mnist/" + name] = gzip.compress(raw, mtime=0)
    return files


def test_download_verifies_and_installs(tmp_path, servers, monkeypatch):
    contents = _synthetic()
    good = servers(_served(contents))
    monkeypatch.setattr(mnist, "MIRRORS", [good.url])
    monkeypatch.setattr(mnist, "SHA256", _sha(contents))
    directory = str(tmp_path / "new" / "mnist")
    assert maybe_download(directory, progress=False, timeout=5) == directory
    assert sorted(good.requests) == sorted("/mnist/" + n for n in mnist.FILES)
    assert sorted(os.listdir(directory)) == sorted(mnist.FILES)  # no temp files left
    for name, raw in contents.items():
        with open(os.path.join(directory, name), "rb") as f:
            assert gzip.decompress(f.read()) == raw
    # Present now: works with every mirror unreachable, and asks nothing of the server.
    monkeypatch.setattr(mnist, "MIRRORS", ["http://127.0.0.1:9/closed/"])
    maybe_download(directory)
    assert len(good.requests) == 4
    sets = read_data_sets(directory, validation_size=2)
    assert [s.num_examples for s in sets] == [10, 2, 4]


def test_download_with_progress_bar_and_source_url(tmp_path, servers, monkeypatch):
    contents = _synthetic()
    good = servers(_served(contents))
    monkeypatch.setattr(mnist, "SHA256", _sha(contents))
    monkeypatch.setattr(mnist, "MIRRORS", [])
    sets = input_data.read_data_sets(str(tmp_path / "m"), validation_size=0,
                                     source_url=good.url)
    assert sets.train.num_examples == 12
    assert len(good.requests) == 4


def test_corrupt_mirror_is_skipped(tmp_path, servers, monkeypatch):
    contents = _synthetic()
    bad = servers(_served(contents, corrupt=[mnist.TRAIN_LABELS]))
    good = servers(_served(contents))
    monkeypatch.setattr(mnist, "SHA256", _sha(contents))
    directory = str(tmp_path / "m")
    maybe_download(directory, mirrors=[bad.url, good.url], progress=False, timeout=5)
    assert good.requests == ["/mnist/" + mnist.TRAIN_LABELS]
    assert len(bad.requests) == 4
    with open(os.path.join(directory, mnist.TRAIN_LABELS), "rb") as f:
        assert gzip.decompress(f.read()) == contents[mnist.TRAIN_LABELS]
    assert sorted(os.listdir(directory)) == sorted(mnist.FILES)


def test_corrupt_only_mirror_is_rejected(tmp_path, servers, monkeypatch):
    contents = _synthetic()
    bad = servers(_served(contents, corrupt=[mnist.TEST_IMAGES]))
    monkeypatch.setattr(mnist, "SHA256", _sha(contents))
    monkeypatch.setattr(mnist, "MIRRORS", [bad.url])
    directory = str(tmp_path / "m")
    with pytest.raises(DownloadError, match=r"checksum mismatch for t10k-images-idx3-ubyte"
                                            r"\.gz from %s" % bad.url) as info:
        maybe_download(directory, progress=False, timeout=5)
    assert "t10k-labels" not in str(info.value).split("To get them")[0]
    # The good files were installed, the bad one and its temp file are gone.
    assert sorted(os.listdir(directory)) == sorted(
        n for n in mnist.FILES if n != mnist.TEST_IMAGES)


def test_not_gzip_and_404_are_rejected(tmp_path, servers, monkeypatch):
    contents = _synthetic()
    files = _served(contents)
    files["/mnist/" + mnist.TRAIN_IMAGES] = contents[mnist.TRAIN_IMAGES]  # not gzipped
    del files["/mnist/" + mnist.TEST_LABELS]
    server = servers(files)
    monkeypatch.setattr(mnist, "SHA256", _sha(contents))
    directory = str(tmp_path / "m")
    with pytest.raises(DownloadError) as info:
        maybe_download(directory, mirrors=[server.url], progress=False, timeout=5)
    message = str(info.value)
    assert "train-images-idx3-ubyte.gz from %s" % server.url in message
    assert "not a complete gzip file" in message
    assert "t10k-labels-idx1-ubyte.gz from %s" % server.url in message and "404" in message
    assert sorted(os.listdir(directory)) == sorted([mnist.TRAIN_LABELS, mnist.TEST_IMAGES])


def test_alias_module_exports():
    assert input_data.DataSet is DataSet
    assert input_data.maybe_download is maybe_download
    assert sorted(input_data.__all__) == ["DataSet", "maybe_download", "read_data_sets"]
