"""The ``tensorslim`` command with tiny budgets, on a synthetic MNIST-format data set.

The data set is written in MNIST's IDX format (gzipped), with digits replaced by a bright
square whose position is the class, so a few training steps learn it. Checks: training
writes checkpoints that ``slim.assign_from_checkpoint_fn`` and ``tensorslim eval`` restore,
resuming, ``freeze`` output that ``tf.import_graph_def`` loads and that predicts the same
classes, ``predict``, ``inspect-checkpoint``, Ctrl-C, and one-line errors.
"""
import gzip
import os
import re
import signal
import struct
import subprocess
import sys
import time

import numpy as np
import pytest

import tensorslim as tf
import tensorslim.contrib.slim as slim
from tensorslim import cli, models

N_TRAIN = 5000 + 640        # read_data_sets holds the first 5000 back for validation
N_TEST = 200


def _write_idx(path, array, magic):
    header = struct.pack(">I", magic) + b"".join(struct.pack(">I", d) for d in array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


def _synthetic(n, rng):
    labels = rng.randint(0, 10, size=n)
    images = rng.randint(0, 40, size=(n, 28, 28)).astype(np.uint8)
    for k in range(10):
        r, c = 3 + 8 * (k // 4), 3 + 7 * (k % 4)
        images[labels == k, r:r + 6, c:c + 6] = 255
    return images, labels


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("fake_mnist")
    rng = np.random.RandomState(0)
    for (images_name, labels_name), n in ((("train-images-idx3-ubyte.gz",
                                            "train-labels-idx1-ubyte.gz"), N_TRAIN),
                                           (("t10k-images-idx3-ubyte.gz",
                                             "t10k-labels-idx1-ubyte.gz"), N_TEST)):
        images, labels = _synthetic(n, rng)
        _write_idx(str(d / images_name), images, 2051)
        _write_idx(str(d / labels_name), labels, 2049)
    return str(d)


@pytest.fixture(scope="module")
def trained(tmp_path_factory, data_dir):
    """A LeNet checkpoint written by ``tensorslim train lenet`` (20 steps)."""
    logdir = str(tmp_path_factory.mktemp("runs") / "lenet")
    rc = cli.main(["train", "lenet", "--data-dir", data_dir, "--train-size", "320",
                   "--batch-size", "16", "--logdir", logdir, "--quiet"])
    assert rc == 0
    return logdir


def _run(argv, capsys):
    rc = cli.main(argv)
    out, err = capsys.readouterr()
    return rc, out, err


def test_train_report_checkpoint_and_run_file(trained, data_dir, capsys):
    files = os.listdir(trained)
    assert "checkpoint" in files and "run.json" in files
    assert "model.ckpt-20.index" in files and "model.ckpt-20.meta" in files
    # Running the same command again finds the run complete and only reports.
    rc, out, _ = _run(["train", "lenet", "--data-dir", data_dir, "--train-size", "320",
                       "--batch-size", "16", "--logdir", trained, "--quiet"], capsys)
    assert rc == 0
    assert "Resuming from %s" % os.path.join(trained, "model.ckpt-20") in out
    assert re.search(r"test accuracy\s+\d+\.\d\d%", out)
    assert re.search(r"throughput\s+\d+ images/s", out)
    assert re.search(r"training time\s+\S+\s+\(per epoch: ", out)
    assert "tensorslim eval lenet --checkpoint %s" % trained in out


def test_checkpoint_restores_with_assign_from_checkpoint_fn(trained):
    prefix = tf.train.latest_checkpoint(trained)
    images = tf.placeholder(tf.float32, [None, 28, 28, 1])
    with slim.arg_scope(models.lenet_arg_scope()):
        models.lenet(images)
    init_fn = slim.assign_from_checkpoint_fn(prefix, slim.get_model_variables())
    reader = tf.train.NewCheckpointReader(prefix)
    with tf.Session() as sess:
        init_fn(sess)
        for var in slim.get_model_variables():
            np.testing.assert_array_equal(sess.run(var), reader.get_tensor(var.op.name))


def test_eval_matches_training_and_resume_continues(tmp_path, data_dir, capsys):
    logdir = str(tmp_path / "lenet")
    args = ["train", "lenet", "--data-dir", data_dir, "--train-size", "160", "--batch-size",
            "16", "--test-size", "100", "--logdir", logdir, "--quiet"]
    rc, out, _ = _run(args, capsys)
    assert rc == 0
    trained_acc = re.search(r"test accuracy\s+(\d+\.\d\d)%", out).group(1)
    rc, out, _ = _run(["eval", "lenet", "--checkpoint", logdir, "--data-dir", data_dir,
                       "--test-size", "100"], capsys)
    assert rc == 0
    assert "test accuracy %s%% (100 images" % trained_acc in out
    rc, out, _ = _run(args + ["--epochs", "2"], capsys)
    assert rc == 0 and "Resuming from" in out
    assert tf.train.latest_checkpoint(logdir).endswith("model.ckpt-20")
    assert "after each epoch: %s%%, " % trained_acc in out


def test_freeze_predicts_the_same_classes(trained, data_dir, tmp_path, capsys):
    pb = str(tmp_path / "lenet.pb")
    rc, out, _ = _run(["freeze", "--checkpoint", trained, "--out", pb], capsys)
    assert rc == 0
    assert "output Predictions/Reshape_1:0" in out and "images:0" in out
    from tensorslim.data import mnist
    x = mnist.read_data_sets(data_dir, reshape=False, download=False).test.images[:50]
    # The restored checkpoint's predictions ...
    images = tf.placeholder(tf.float32, [None, 28, 28, 1])
    with slim.arg_scope(models.lenet_arg_scope()):
        logits, _ = models.lenet(images)
    init_fn = slim.assign_from_checkpoint_fn(tf.train.latest_checkpoint(trained),
                                             slim.get_model_variables())
    with tf.Session() as sess:
        init_fn(sess)
        expected = sess.run(tf.argmax(logits, 1), {images: x})
    # ... and the frozen graph's.
    graph_def = tf.GraphDef()
    with open(pb, "rb") as f:
        graph_def.ParseFromString(f.read())
    assert not any(n.op in ("VariableV2", "Variable") for n in graph_def.node)
    with tf.Graph().as_default() as g:
        probs, = tf.import_graph_def(graph_def, return_elements=["Predictions/Reshape_1:0"],
                                     name="frozen")
        with tf.Session(graph=g) as sess:
            got = sess.run(probs, {"frozen/images:0": x})
    np.testing.assert_array_equal(got.argmax(axis=1), expected)


def test_predict_image_files(trained, data_dir, tmp_path, capsys):
    from PIL import Image
    from tensorslim.data import mnist
    test = mnist.read_data_sets(data_dir, reshape=False, download=False).test
    paths = []
    for i in range(3):
        path = str(tmp_path / ("digit%d.png" % i))
        Image.fromarray((test.images[i, :, :, 0] * 255).astype(np.uint8)).save(path)
        paths.append(path)
    # A dark-on-light, larger image is inverted and scaled to MNIST's layout.
    big = str(tmp_path / "big.png")
    Image.fromarray(255 - (test.images[0, :, :, 0] * 255).astype(np.uint8)).resize(
        (90, 90)).save(big)
    rc, out, _ = _run(["predict", "lenet", "--checkpoint", trained] + paths + [big], capsys)
    assert rc == 0
    lines = out.strip().splitlines()
    assert len(lines) == 4
    for path, line in zip(paths + [big], lines):
        assert re.match(re.escape(path) + r": \d \(probability [01]\.\d{4}\)$", line)
    arr = cli.load_image(big)
    assert arr.shape == (28, 28, 1) and arr.dtype == np.float32
    assert arr[0, 0, 0] == 0.0 and arr.max() > 0.5        # inverted: ink is bright


def test_inspect_checkpoint(trained, capsys):
    rc, out, _ = _run(["inspect-checkpoint", trained], capsys)
    assert rc == 0
    assert re.search(r"LeNet/fc3/weights\s+float32\s+\[3136, 1024\]\s+3,211,264\s+12\.2 MB",
                     out)
    assert "global_step" in out and out.strip().splitlines()[-1].startswith("total: ")
    rc, out, _ = _run(["inspect-checkpoint", trained, "--tensor", "LeNet/fc4/biases"], capsys)
    assert rc == 0
    assert out.startswith("tensor_name: LeNet/fc4/biases  float32 [10]")
    rc, _, err = _run(["inspect-checkpoint", trained, "--tensor", "fc4/bias"], capsys)
    assert rc == 1
    assert "has no tensor 'fc4/bias' (did you mean" in err


def test_siamese_train_eval_predict_freeze(tmp_path, data_dir, capsys):
    logdir = str(tmp_path / "siamese")
    rc, out, _ = _run(["train", "siamese", "--data-dir", data_dir, "--train-size", "320",
                       "--pairs-per-epoch", "128", "--batch-size", "16", "--test-size", "100",
                       "--logdir", logdir, "--quiet"], capsys)
    assert rc == 0
    accuracy = re.search(r"pair accuracy\s+(\d+\.\d\d)%", out).group(1)
    assert "centroid accuracy" in out
    rc, out, _ = _run(["eval", "siamese", "--checkpoint", logdir, "--data-dir", data_dir,
                       "--test-size", "100"], capsys)
    assert rc == 0 and "pair accuracy %s%%" % accuracy in out
    from PIL import Image
    paths = []
    for i, value in enumerate((255, 0)):
        path = str(tmp_path / ("p%d.png" % i))
        img = np.zeros((28, 28), np.uint8)
        img[5:12, 5:12] = 255
        Image.fromarray(img).save(path)
        paths.append(path)
    rc, out, _ = _run(["predict", "siamese", "--checkpoint", logdir] + paths, capsys)
    assert rc == 0 and "distance 0.000 -> same digit" in out
    rc, _, err = _run(["predict", "siamese", "--checkpoint", logdir, paths[0]], capsys)
    assert rc == 1 and "even number" in err
    pb = str(tmp_path / "siamese.pb")
    rc, out, _ = _run(["freeze", "--checkpoint", logdir, "--out", pb], capsys)
    assert rc == 0 and "siamese/embedding/BiasAdd:0" in out


def test_one_line_errors(trained, data_dir, tmp_path, capsys):
    rc, _, err = _run(["train", "lenet", "--data-dir", str(tmp_path), "--quiet"], capsys)
    assert rc == 1
    assert err.count("\n") == 1 and err.startswith("tensorslim: error: MNIST file(s) missing")
    assert "train-images-idx3-ubyte.gz" in err and "maybe_download" in err
    rc, _, err = _run(["eval", "lenet5", "--checkpoint", trained, "--data-dir", data_dir],
                      capsys)
    assert rc == 1 and err.count("\n") == 1
    assert "does not match the model: missing from the checkpoint: LeNet5/conv1/weights" in err
    rc, _, err = _run(["eval", "lenet", "--checkpoint", str(tmp_path / "nothing")], capsys)
    assert rc == 1 and "no such checkpoint" in err
    rc, _, err = _run(["eval", "lenet", "--checkpoint", str(tmp_path)], capsys)
    assert rc == 1 and "holds no checkpoint" in err
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"not an image")
    rc, _, err = _run(["predict", "lenet", "--checkpoint", trained, str(bad)], capsys)
    assert rc == 1 and "cannot read image %s" % bad in err
    rc, _, err = _run(["freeze", "--checkpoint", trained, "--output-node", "nope", "--out",
                       str(tmp_path / "x.pb")], capsys)
    assert rc == 1 and "--output-node nope: no such node" in err
    if not tf.test.is_gpu_available():
        rc, _, err = _run(["train", "lenet", "--device", "/gpu:0", "--data-dir", data_dir,
                           "--logdir", str(tmp_path / "gpu")], capsys)
        assert rc == 1 and "no GPU is available" in err and "pip install" in err
    with pytest.raises(SystemExit):
        cli.main(["train", "resnet"])


def _env():
    env = dict(os.environ)
    root = os.path.dirname(os.path.dirname(os.path.abspath(cli.__file__)))
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    return env


def test_python_m_tensorslim_errors_without_traceback(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "tensorslim", "eval", "lenet",
                           "--checkpoint", str(tmp_path / "missing")],
                          capture_output=True, text=True, env=_env(), timeout=120)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().count("\n") == 0
    proc = subprocess.run([sys.executable, "-m", "tensorslim"], capture_output=True,
                          text=True, env=_env(), timeout=120)
    assert proc.returncode == 2 and "train" in proc.stdout


def test_ctrl_c_saves_a_checkpoint_and_exits_cleanly(tmp_path, data_dir):
    logdir = str(tmp_path / "interrupted")
    proc = subprocess.Popen([sys.executable, "-m", "tensorslim", "train", "lenet",
                             "--data-dir", data_dir, "--train-size", "640", "--batch-size",
                             "16", "--epochs", "100", "--logdir", logdir],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=_env())
    output = []
    deadline = time.time() + 240
    for line in proc.stdout:                 # progress lines: "epoch 1/100 step 4/40: ..."
        output.append(line)
        if re.match(r"epoch 1/100 step \d+/40", line) or time.time() > deadline:
            break
    proc.send_signal(signal.SIGINT)
    rest, _ = proc.communicate(timeout=240)
    text = "".join(output) + rest
    assert proc.returncode == 130, text
    assert "Traceback" not in text
    match = re.search(r"Interrupted at step (\d+) of 4000; checkpoint saved to (\S+)\.", text)
    assert match, text
    assert os.path.exists(match.group(2) + ".index")
    assert tf.train.latest_checkpoint(logdir) == match.group(2)


def test_images_to_tfrecord_delegates(capsys):
    pytest.importorskip("tensorslim.data.convert_images")
    with pytest.raises(SystemExit) as e:
        cli.main(["images-to-tfrecord", "--help"])
    assert e.value.code == 0
    assert "usage" in capsys.readouterr().out.lower()


def test_inspect_and_freeze_checkpoints_written_by_tensorflow(fixtures_dir, tmp_path, capsys):
    ckpt = os.path.join(fixtures_dir, "ckpt")
    rc, out, _ = _run(["inspect-checkpoint", ckpt], capsys)
    assert rc == 0 and "model.ckpt-3: " in out
    assert re.search(r"LeNet/fc4/weights\s+float32\s+\[256, 10\]\s+2,560", out)
    pb = str(tmp_path / "tiny.pb")
    rc, out, _ = _run(["freeze", "--checkpoint", os.path.join(fixtures_dir, "tiny"),
                       "--output-node", "add", "--out", pb], capsys)
    assert rc == 0
    graph_def = tf.GraphDef()
    with open(pb, "rb") as f:
        graph_def.ParseFromString(f.read())
    with tf.Graph().as_default(), tf.Session() as sess:
        result, = tf.import_graph_def(graph_def, return_elements=["add:0"])
        np.testing.assert_array_equal(sess.run(result), [3.0])
    rc, out, _ = _run(["freeze", "--checkpoint", ckpt, "--output-node", "LeNet/fc4/BiasAdd",
                       "--out", str(tmp_path / "lenet.pb")], capsys)
    assert rc == 0 and "output LeNet/fc4/BiasAdd:0" in out
