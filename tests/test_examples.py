"""Every script in examples/ runs in its short mode (--quick).

The scripts are run in-process (their ``main(argv)``), in a temporary working directory;
the MNIST ones are skipped without MNIST_DIR. One script also runs as a real subprocess,
the way a user starts it.
"""
import glob
import os
import runpy
import subprocess
import sys

import pytest

EXAMPLES_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                            "examples")
EXAMPLES = sorted(glob.glob(os.path.join(EXAMPLES_DIR, "*.py")))
NEEDS_MNIST = {"train_lenet_slim.py", "siamese_mnist.py", "lenet_tfrecord_pipeline.py"}
# These change process-wide state (eager mode; tf.app.run parses sys.argv and exits).
SUBPROCESS = {"eager_execution.py", "flags_app.py"}


def test_examples_exist():
    names = {os.path.basename(p) for p in EXAMPLES}
    assert NEEDS_MNIST <= names
    assert {"graph_session_basics.py", "counter.py", "variable_sharing.py", "name_scopes.py",
            "exponential_decay.py", "moving_averages.py", "tfrecord_write_read.py",
            "queue_pipeline.py", "saver_meta_graph.py", "freeze_graph.py",
            "tensorboard_summaries.py", "debugger.py", "eager_execution.py",
            "flags_app.py"} <= names


@pytest.mark.parametrize("path", EXAMPLES, ids=[os.path.basename(p) for p in EXAMPLES])
def test_example_runs_quick(path, tmp_path, monkeypatch, capsys):
    name = os.path.basename(path)
    argv = ["--quick"]
    if name in NEEDS_MNIST:
        mnist_dir = os.environ.get("MNIST_DIR")
        if not mnist_dir or not os.path.isdir(mnist_dir):
            pytest.skip("MNIST_DIR is not set to a directory with MNIST")
        argv += ["--data-dir", os.path.abspath(mnist_dir)]
    with open(path) as f:
        if '"--workdir"' in f.read():
            argv += ["--workdir", str(tmp_path)]
    if name in SUBPROCESS:
        proc = subprocess.run([sys.executable, path] + argv, capture_output=True, text=True,
                              cwd=str(tmp_path), env=_env(), timeout=120)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.strip()
        return
    monkeypatch.chdir(tmp_path)
    module = runpy.run_path(path, run_name="example_" + name[:-3])
    module["main"](argv)
    out = capsys.readouterr().out
    assert out.strip(), "%s printed nothing" % name


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.path.dirname(EXAMPLES_DIR) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def test_example_runs_as_a_script(tmp_path):
    proc = subprocess.run([sys.executable, os.path.join(EXAMPLES_DIR, "counter.py"),
                           "--quick"], capture_output=True, text=True, cwd=str(tmp_path),
                          env=_env(), timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[:4] == ["0", "1", "2", "3"]
