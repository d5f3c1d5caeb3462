"""Tests for tensorslim.io.checkpoint_state (the text-format ``checkpoint`` file)."""
import logging
import os
import shutil

import pytest

from tensorslim.io import checkpoint_state as cs
from tensorslim.io.bundle import write_bundle

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TINY_DIR = os.path.join(ROOT, "tests", "data", "tiny")
FIXTURES = os.path.join(ROOT, os.environ.get("TF1_FIXTURES", "../shared/fixtures/tf1"))
CKPT_DIR = os.path.join(FIXTURES, "ckpt")
needs_ckpt = pytest.mark.skipif(not os.path.isfile(os.path.join(CKPT_DIR, "checkpoint")),
                                reason="TF1 checkpoint fixtures not found (set TF1_FIXTURES)")


def _text(path):
    with open(path, "rb") as f:
        return f.read().decode("utf-8")


def _touch_checkpoint(prefix):
    write_bundle(prefix, {"v": [1.0]})


def test_tiny_state_file():
    state = cs.get_checkpoint_state(TINY_DIR)
    assert state.model_checkpoint_path == os.path.join(TINY_DIR, "model.ckpt")
    assert list(state.all_model_checkpoint_paths) == [os.path.join(TINY_DIR, "model.ckpt")]
    assert cs.latest_checkpoint(TINY_DIR) == os.path.join(TINY_DIR, "model.ckpt")
    assert cs.checkpoint_exists(os.path.join(TINY_DIR, "model.ckpt"))


@needs_ckpt
def test_lenet_state_file():
    state = cs.get_checkpoint_state(CKPT_DIR)
    assert state.model_checkpoint_path == os.path.join(CKPT_DIR, "model.ckpt-3")
    assert list(state.all_model_checkpoint_paths) == [
        os.path.join(CKPT_DIR, "model.ckpt-2"), os.path.join(CKPT_DIR, "model.ckpt-3")]
    assert not list(state.all_model_checkpoint_timestamps)
    assert cs.latest_checkpoint(CKPT_DIR) == os.path.join(CKPT_DIR, "model.ckpt-3")
    assert not cs.checkpoint_exists(os.path.join(CKPT_DIR, "model.ckpt-1"))


@needs_ckpt
def test_writer_reproduces_tf_state_file_relative_dir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.mkdir("ckpt")
    cs.update_checkpoint_state("ckpt", "ckpt/model.ckpt-3",
                               ["ckpt/model.ckpt-2", "ckpt/model.ckpt-3"])
    assert _text("ckpt/checkpoint") == _text(os.path.join(CKPT_DIR, "checkpoint"))


@needs_ckpt
def test_writer_reproduces_tf_state_file_save_relative_paths(tmp_path):
    d = str(tmp_path)
    cs.update_checkpoint_state(d, os.path.join(d, "model.ckpt-3"),
                               [os.path.join(d, "model.ckpt-2")], save_relative_paths=True)
    assert _text(os.path.join(d, "checkpoint")) == _text(os.path.join(CKPT_DIR, "checkpoint"))


def test_tiny_state_file_reproduced(tmp_path):
    d = str(tmp_path)
    cs.update_checkpoint_state(d, "model.ckpt", save_relative_paths=True)
    assert _text(os.path.join(d, "checkpoint")) == _text(os.path.join(TINY_DIR, "checkpoint"))


def test_absolute_paths_round_trip(tmp_path):
    d = str(tmp_path)
    paths = [os.path.join(d, "model.ckpt-%d" % i) for i in (50, 60, 70)]
    for p in paths:
        _touch_checkpoint(p)
    cs.update_checkpoint_state(d, paths[-1], paths)
    assert 'model_checkpoint_path: "%s"' % paths[-1] in _text(os.path.join(d, "checkpoint"))
    state = cs.get_checkpoint_state(d)
    assert state.model_checkpoint_path == paths[-1]
    assert list(state.all_model_checkpoint_paths) == paths
    assert cs.latest_checkpoint(d) == paths[-1]
    assert sorted(os.listdir(d))[-1] == "model.ckpt-70.index"  # no temp files left
    assert [n for n in os.listdir(d) if "tempstate" in n] == []


def test_model_path_appended_when_missing(tmp_path):
    d = str(tmp_path)
    cs.update_checkpoint_state(d, "c", ["a", "b"])
    state = cs.get_checkpoint_state(d)
    assert [os.path.basename(p) for p in state.all_model_checkpoint_paths] == ["a", "b", "c"]
    cs.update_checkpoint_state(d, "b", ["a", "b"])
    state = cs.get_checkpoint_state(d)
    assert [os.path.basename(p) for p in state.all_model_checkpoint_paths] == ["a", "b"]


def test_timestamps_written_and_checked(tmp_path):
    d = str(tmp_path)
    cs.update_checkpoint_state(d, "b", ["a", "b"], all_model_checkpoint_timestamps=[1.5, 2.5],
                               last_preserved_timestamp=0.25)
    state = cs.get_checkpoint_state(d)
    assert list(state.all_model_checkpoint_timestamps) == [1.5, 2.5]
    assert state.last_preserved_timestamp == 0.25
    with pytest.raises(ValueError, match="timestamps"):
        cs.update_checkpoint_state(d, "b", ["a", "b"], all_model_checkpoint_timestamps=[1.0])


def test_latest_filename_and_missing_files(tmp_path, caplog):
    d = str(tmp_path)
    assert cs.get_checkpoint_state(d) is None
    assert cs.latest_checkpoint(d) is None
    cs.update_checkpoint_state(d, "gone", latest_filename="my_state")
    assert os.path.isfile(os.path.join(d, "my_state"))
    assert cs.get_checkpoint_state(d) is None
    with caplog.at_level(logging.ERROR, logger="tensorslim"):
        assert cs.latest_checkpoint(d, latest_filename="my_state") is None
    assert "Couldn't match files" in caplog.text
    _touch_checkpoint(os.path.join(d, "gone"))
    assert cs.latest_checkpoint(d, "my_state") == os.path.join(d, "gone")


def test_state_path_conflict(tmp_path):
    d = str(tmp_path)
    with pytest.raises(RuntimeError, match="conflicts"):
        cs.update_checkpoint_state(d, os.path.join(d, "checkpoint"))


def test_tolerant_parsing(tmp_path, caplog):
    d = str(tmp_path)
    with open(os.path.join(d, "checkpoint"), "w") as f:
        f.write('# a comment\nmodel_checkpoint_path: "m\\"q"\n'
                'all_model_checkpoint_paths: "/abs/x" all_model_checkpoint_timestamps: 3\n'
                "last_preserved_timestamp: 1e3\n")
    state = cs.get_checkpoint_state(d)
    assert state.model_checkpoint_path == os.path.join(d, 'm"q')
    assert list(state.all_model_checkpoint_paths) == ["/abs/x"]
    assert state.last_preserved_timestamp == 1000.0
    with open(os.path.join(d, "checkpoint"), "w") as f:
        f.write("model_checkpoint_path: garbage {{{")
    with caplog.at_level(logging.WARNING, logger="tensorslim"):
        assert cs.get_checkpoint_state(d) is None
    assert "ignored" in caplog.text
    with open(os.path.join(d, "checkpoint"), "w") as f:
        f.write('all_model_checkpoint_paths: "x"\n')
    with pytest.raises(ValueError, match="Invalid checkpoint state"):
        cs.get_checkpoint_state(d)


def test_copied_tiny_dir_is_usable(tmp_path):
    dst = str(tmp_path / "tiny")
    shutil.copytree(TINY_DIR, dst)
    assert cs.latest_checkpoint(dst) == os.path.join(dst, "model.ckpt")
    os.remove(os.path.join(dst, "model.ckpt.index"))
    assert not cs.checkpoint_exists(os.path.join(dst, "model.ckpt"))
    assert cs.latest_checkpoint(dst) is None
