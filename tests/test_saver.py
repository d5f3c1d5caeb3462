"""tf.train.Saver, checkpoint utilities and meta graphs, against TF's golden checkpoints.

Golden files: ``tests/data/tiny`` (TF's two-variable tutorial checkpoint) and, through the
``fixtures_dir`` fixture, TF's LeNet checkpoint (``ckpt/``, ``ckpt.npz``, ``ckpt.json``).
"""
import json
import os
import random
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import tensorslim as tf
from tensorslim.core import registry
from tensorslim.io import bundle
from tensorslim.proto import MetaGraphDef
from tensorslim.training import saver as saver_mod

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
TINY = os.path.join(DATA, "tiny")
SUFFIXES = (".index", ".data-00000-of-00001", ".meta")


def _v1_v2():
    v1 = tf.Variable(tf.constant(1.0, shape=[1]), name="v1")
    v2 = tf.Variable(tf.constant(2.0, shape=[1]), name="v2")
    return v1, v2


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def _skip_unless_ops(graph_def):
    missing = sorted({n.op for n in graph_def.node if not registry.has_op_def(n.op)})
    if missing:
        pytest.skip("waiting for ops from the op-library helpers: %s" % ", ".join(missing))


# --------------------------------------------------------------------------- graph layout

def test_save_subgraph_matches_tensorflow():
    """The save/ subgraph has TF's node names, op types, inputs and devices, in TF's order
    (compared with the .meta TF wrote for the same program)."""
    v1, v2 = _v1_v2()
    tf.add(v1, v2, name="add")
    tf.global_variables_initializer()
    saver = tf.train.Saver()
    ours = saver.export_meta_graph()
    theirs = MetaGraphDef.FromString(_read(os.path.join(TINY, "model.ckpt.meta")))

    def save_nodes(meta):
        return [(n.name, n.op, list(n.input), n.device,
                 list(n.attr["_class"].list.s) if "_class" in n.attr else None)
                for n in meta.graph_def.node if n.name.startswith("save/")]
    assert save_nodes(ours) == save_nodes(theirs)
    assert ours.saver_def == theirs.saver_def
    assert saver.as_saver_def().restore_op_name == "save/restore_all"
    assert ours.collection_def["variables"] == theirs.collection_def["variables"]
    assert ours.collection_def["trainable_variables"] == \
        theirs.collection_def["trainable_variables"]
    save_op = tf.get_default_graph().get_operation_by_name("save/SaveV2")
    assert save_op.get_attr("dtypes") == [tf.float32, tf.float32]
    assert tf.train.Saver().saver_def.filename_tensor_name == "save_1/Const:0"


def test_written_checkpoint_is_byte_identical_to_tensorflow(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.mkdir("tiny")
    v1, v2 = _v1_v2()
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert saver.save(sess, "tiny/model.ckpt") == "tiny/model.ckpt"
    for name in ("model.ckpt.index", "model.ckpt.data-00000-of-00001", "checkpoint"):
        assert _read(os.path.join("tiny", name)) == _read(os.path.join(TINY, name)), name
    meta = MetaGraphDef.FromString(_read("tiny/model.ckpt.meta"))
    assert meta.saver_def.version == tf.train.SaverDef.V2
    assert sorted(os.listdir("tiny")) == sorted(os.listdir(TINY))


# --------------------------------------------------------------------------- save / restore

def test_save_restore_round_trip(tmp_path, device_mode):
    v = tf.Variable(np.arange(12, dtype=np.float32).reshape(3, 4), name="w")
    n = tf.Variable(np.int64(2) ** 40, name="n")
    s = tf.Variable(tf.constant([b"a", b"\x00b"]), name="s", trainable=False)
    saver = tf.train.Saver()
    path = str(tmp_path / "model.ckpt")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(tf.assign(v, -v))
        assert saver.save(sess, path) == path
    with tf.Session() as sess:
        saver.restore(sess, path)
        w, big, strs = sess.run([v, n, s])
    np.testing.assert_array_equal(w, -np.arange(12, dtype=np.float32).reshape(3, 4))
    assert big == 2 ** 40 and list(strs) == [b"a", b"\x00b"]
    assert tf.train.latest_checkpoint(str(tmp_path)) == path
    assert tf.train.checkpoint_exists(path)
    assert not [f for f in os.listdir(str(tmp_path)) if "tempstate" in f]


def test_global_step_max_to_keep_and_state_file(tmp_path):
    step = tf.Variable(0, dtype=tf.int64, name="global_step")
    inc = tf.assign_add(step, 1)
    saver = tf.train.Saver(max_to_keep=2, save_relative_paths=True)
    prefix = str(tmp_path / "model.ckpt")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for i in range(1, 4):
            sess.run(inc)
            assert saver.save(sess, prefix, global_step=step) == "%s-%d" % (prefix, i)
    files = sorted(os.listdir(str(tmp_path)))
    assert files == sorted(["checkpoint"] + ["model.ckpt-%d%s" % (i, s)
                                             for i in (2, 3) for s in SUFFIXES])
    with open(str(tmp_path / "checkpoint")) as f:
        assert f.read() == ('model_checkpoint_path: "model.ckpt-3"\n'
                            'all_model_checkpoint_paths: "model.ckpt-2"\n'
                            'all_model_checkpoint_paths: "model.ckpt-3"\n')
    assert saver.last_checkpoints == [prefix + "-2", prefix + "-3"]
    state = tf.train.get_checkpoint_state(str(tmp_path))
    assert state.all_model_checkpoint_paths == [prefix + "-2", prefix + "-3"]


def test_pad_step_number_write_state_and_latest_filename(tmp_path):
    tf.Variable(1.0, name="v")
    saver = tf.train.Saver(pad_step_number=True)
    prefix = str(tmp_path / "m")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert saver.save(sess, prefix, global_step=7, write_state=False,
                          write_meta_graph=False) == prefix + "-00000007"
        assert not os.path.exists(str(tmp_path / "checkpoint"))
        saver.save(sess, prefix, global_step=8, latest_filename="mystate")
        assert tf.train.latest_checkpoint(str(tmp_path), "mystate") == prefix + "-00000008"
        with pytest.raises(ValueError, match="must not contain path components"):
            saver.save(sess, prefix, latest_filename="a/b")
        with pytest.raises(ValueError, match="'latest_filename' collides with 'save_path'"):
            saver.save(sess, str(tmp_path / "checkpoint"))


def test_keep_checkpoint_every_n_hours(tmp_path, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(saver_mod.time, "time", lambda: clock[0])
    tf.Variable(1.0, name="v")
    saver = tf.train.Saver(max_to_keep=1, keep_checkpoint_every_n_hours=1)
    prefix = str(tmp_path / "m")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step, t in ((1, 1000.0), (2, 2800.0), (3, 5000.0), (4, 5100.0), (5, 5200.0)):
            clock[0] = t
            saver.save(sess, prefix, global_step=step, write_meta_graph=False)
    kept = sorted(f for f in os.listdir(str(tmp_path)) if f.endswith(".index"))
    # m-3 was written after the first hour had passed, so it is kept for good.
    assert kept == ["m-3.index", "m-5.index"]
    assert saver.last_checkpoints == [prefix + "-5"]


def test_last_checkpoints_setters_and_recover(tmp_path):
    tf.Variable(1.0, name="v")
    saver = tf.train.Saver(max_to_keep=2)
    prefix = str(tmp_path / "m")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for i in range(3):
            saver.save(sess, prefix, global_step=i, write_meta_graph=False)
    other = tf.train.Saver(max_to_keep=2)
    state = tf.train.get_checkpoint_state(str(tmp_path))
    other.recover_last_checkpoints(list(state.all_model_checkpoint_paths) + [prefix + "-9"])
    assert other.last_checkpoints == [prefix + "-1", prefix + "-2"]
    other.set_last_checkpoints_with_time([(prefix + "-2", 5.0)])
    assert other.last_checkpoints == [prefix + "-2"]
    other.set_last_checkpoints([prefix + "-1"])
    assert other.last_checkpoints == [prefix + "-1"]


def test_var_list_forms_and_errors(tmp_path):
    v1, v2 = _v1_v2()
    path = str(tmp_path / "m.ckpt")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        tf.train.Saver({"renamed": v1, "v2": v2}).save(sess, path)
    assert [n for n, _ in tf.train.list_variables(path)] == ["renamed", "v2"]
    with pytest.raises(TypeError, match="Variable to save is not a Variable"):
        tf.train.Saver([v1, 3.0])
    with pytest.raises(TypeError, match="Not a variable"):
        tf.train.Saver({"x": tf.constant(1.0)})
    with pytest.raises(ValueError, match="The same saveable will be restored with two names"):
        tf.train.Saver({"a": v1, "b": v1})
    tf.reset_default_graph()
    with pytest.raises(ValueError, match="No variables to save"):
        tf.train.Saver()
    empty = tf.train.Saver(allow_empty=True)
    with tf.Session() as sess:
        assert empty.save(sess, path, write_meta_graph=False) is None
        assert empty.restore(sess, path) is None


def test_defer_build_and_saver_proto(tmp_path):
    v = tf.Variable(3.0, name="v")
    saver = tf.train.Saver(defer_build=True)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        with pytest.raises(RuntimeError, match="`build\\(\\)` should be called before save"):
            saver.save(sess, str(tmp_path / "m"))
        saver.build()
        with pytest.raises(TypeError, match="'sess' must be a Session"):
            saver.save(object(), str(tmp_path / "m"))
        path = saver.save(sess, str(tmp_path / "m"))
        again = tf.train.Saver.from_proto(saver.to_proto())
        sess.run(tf.assign(v, 0.0))
        again.restore(sess, path)
        assert sess.run(v) == 3.0
    assert saver.to_proto(export_scope="elsewhere") is None
    with pytest.raises(ValueError, match="build cannot be deferred"):
        tf.train.Saver([v], defer_build=True)


def test_restore_reports_every_problem_before_assigning(tmp_path):
    path = str(tmp_path / "m.ckpt")
    with tf.Graph().as_default():
        a = tf.Variable(tf.zeros([5, 5, 1, 32]), name="conv1/weights")
        b = tf.Variable(tf.zeros([3]), name="fc/biases")
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            tf.train.Saver().save(sess, path, write_meta_graph=False)
    a = tf.Variable(tf.ones([5, 5, 1, 64]), name="conv1/weights")
    b = tf.Variable(tf.ones([3]), name="fc/biases")
    c = tf.Variable(tf.ones([2]), name="conv1/weight")
    d = tf.Variable(tf.ones([1]), name="extra")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.NotFoundError,
                           match=r"(?s)Restoring from checkpoint failed.*Variable name or other"
                                 r".*2 of 4 tensors.*Key conv1/weight not found in checkpoint "
                                 r"\(did you mean 'conv1/weights'.*Key extra not found.*"
                                 r"conv1/weights: checkpoint has \[5,5,1,32\], model has "
                                 r"\[5,5,1,64\]"):
            tf.train.Saver().restore(sess, path)
        # Nothing was assigned.
        assert not any(sess.run([tf.is_variable_initialized(v) for v in (a, b, c, d)]))
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"(?s)mismatch between the current graph.*conv1/weights: "
                                 r"checkpoint has \[5,5,1,32\], model has \[5,5,1,64\]"):
            tf.train.Saver([a, b]).restore(sess, path)
        assert not sess.run(tf.is_variable_initialized(b))
        with pytest.raises(ValueError, match="Can't load save_path when it is None"):
            tf.train.Saver([b]).restore(sess, None)
        with pytest.raises(ValueError, match="The passed save_path is not a valid checkpoint"):
            tf.train.Saver([b]).restore(sess, path + "-nope")
        tf.train.Saver([b]).restore(sess, path)
        np.testing.assert_array_equal(sess.run(b), np.zeros(3, np.float32))


def test_restore_dtype_mismatch(tmp_path):
    path = str(tmp_path / "m.ckpt")
    with tf.Graph().as_default():
        tf.Variable(1, name="v")
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            tf.train.Saver().save(sess, path, write_meta_graph=False)
    tf.Variable(1.0, name="v")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match="v: checkpoint has dtype int32, model expects float32"):
            tf.train.Saver().restore(sess, path)


def test_corrupt_checkpoint_raises_data_loss(tmp_path):
    v = tf.Variable(np.arange(100, dtype=np.float32), name="v")
    path = str(tmp_path / "m.ckpt")
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        saver.save(sess, path)
    data = path + ".data-00000-of-00001"
    raw = bytearray(_read(data))
    raw[17] ^= 0xFF
    with open(data, "wb") as f:
        f.write(raw)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.DataLossError, match="data-00000-of-00001"):
            saver.restore(sess, path)
    del v


def test_save_into_missing_directory(tmp_path):
    tf.Variable(1.0, name="v")
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        with pytest.raises(ValueError, match="Parent directory of .* doesn't exist"):
            saver.save(sess, str(tmp_path / "a" / "b" / "m.ckpt"))


def test_failed_save_leaves_previous_checkpoint(tmp_path, monkeypatch):
    """A crash while the new index is written: the state file still names the previous,
    complete checkpoint, which restores."""
    v = tf.Variable(1.0, name="v")
    saver = tf.train.Saver()
    prefix = str(tmp_path / "m")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        saver.save(sess, prefix, global_step=1)
        sess.run(tf.assign(v, 2.0))

        def crash(prefix, index):
            raise KeyboardInterrupt("simulated crash after the data file")
        monkeypatch.setattr(bundle, "_write_index_bytes", crash)
        with pytest.raises(KeyboardInterrupt):
            saver.save(sess, prefix, global_step=2)
        monkeypatch.undo()
    latest = tf.train.latest_checkpoint(str(tmp_path))
    assert latest == prefix + "-1"
    with tf.Session() as sess:
        saver.restore(sess, latest)
        assert sess.run(v) == 1.0
    assert os.path.exists(prefix + "-2.data-00000-of-00001")
    assert not os.path.exists(prefix + "-2.index")


_CHILD = textwrap.dedent("""
    import sys
    import tensorslim as tf
    d = sys.argv[1]
    v = tf.Variable(tf.zeros([128, 256]), name="v")
    step = tf.Variable(0, dtype=tf.int64, name="step")
    inc = [tf.assign_add(v, tf.ones([128, 256])), tf.assign_add(step, 1)]
    saver = tf.train.Saver(max_to_keep=3)
    with tf.Session() as sess:
        latest = tf.train.latest_checkpoint(d)
        if latest:
            saver.restore(sess, latest)
            saver.recover_last_checkpoints(
                list(tf.train.get_checkpoint_state(d).all_model_checkpoint_paths))
        else:
            sess.run(tf.global_variables_initializer())
        print("ready", flush=True)
        while True:
            sess.run(inc)
            saver.save(sess, d + "/model.ckpt", global_step=step)
""")


def test_killed_saver_always_leaves_a_restorable_checkpoint(tmp_path):
    """A child saving in a loop is SIGKILLed at random moments; the checkpoint the state
    file names always restores, and its values are consistent."""
    script = tmp_path / "child.py"
    script.write_text(_CHILD)
    ckpt_dir = tmp_path / "ckpt"
    ckpt_dir.mkdir()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    rng = random.Random(1234)
    steps = []
    for _ in range(4):
        child = subprocess.Popen([sys.executable, str(script), str(ckpt_dir)],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        try:
            assert child.stdout.readline().strip() == b"ready", child.stderr.read()
            time.sleep(rng.uniform(0.05, 0.5))
        finally:
            child.kill()
            child.communicate()
        latest = tf.train.latest_checkpoint(str(ckpt_dir))
        assert latest is not None
        reader = tf.train.NewCheckpointReader(latest)
        step = int(reader.get_tensor("step"))
        np.testing.assert_array_equal(reader.get_tensor("v"),
                                      np.full([128, 256], step, np.float32))
        assert latest.endswith("-%d" % step)
        steps.append(step)
        reader.close()
    assert steps == sorted(steps) and steps[-1] > 0
    # Each child process prunes only the checkpoints it wrote itself (as TF's Saver does
    # without recover_last_checkpoints), and a kill between writing a checkpoint and pruning
    # leaves one more: at most max_to_keep + 1 per child.
    assert len([f for f in os.listdir(str(ckpt_dir)) if f.endswith(".index")]) <= 4 * (5 + 1)


# --------------------------------------------------------------------------- TF's checkpoints

def test_restore_tf_tiny_checkpoint():
    v1, v2 = _v1_v2()
    result = v1 + v2
    saver = tf.train.Saver()
    with tf.Session() as sess:
        saver.restore(sess, tf.train.latest_checkpoint(TINY))
        np.testing.assert_array_equal(sess.run([v1, v2, result]), [[1.0], [2.0], [3.0]])


def _lenet_variables(fixtures_dir):
    with open(os.path.join(fixtures_dir, "ckpt.json")) as f:
        spec = json.load(f)["variables"]
    return spec, {s["name"]: tf.Variable(np.zeros(s["shape"], s["dtype"]), name=s["name"])
                  for s in spec}


def test_restore_tf_lenet_checkpoint_exactly(fixtures_dir, device_mode):
    expected = np.load(os.path.join(fixtures_dir, "ckpt.npz"))
    spec, variables = _lenet_variables(fixtures_dir)
    assert [v.op.name for v in variables.values()] == [s["name"] for s in spec]
    saver = tf.train.Saver()
    with tf.Session() as sess:
        saver.restore(sess, os.path.join(fixtures_dir, "ckpt", "model.ckpt-3"))
        values = sess.run(variables)
    for name, value in values.items():
        assert value.dtype == expected[name].dtype
        np.testing.assert_array_equal(value, expected[name], err_msg=name)


def test_checkpoint_utils_on_tf_lenet(fixtures_dir):
    with open(os.path.join(fixtures_dir, "ckpt.json")) as f:
        spec = json.load(f)
    ckpt_dir = os.path.join(fixtures_dir, "ckpt")
    listed = tf.train.list_variables(ckpt_dir)
    assert listed == [(s["name"], s["shape"]) for s in spec["variables"]]
    assert tf.train.latest_checkpoint(ckpt_dir) == os.path.join(ckpt_dir, "model.ckpt-3")
    expected = np.load(os.path.join(fixtures_dir, "ckpt.npz"))
    np.testing.assert_array_equal(tf.train.load_variable(ckpt_dir, "LeNet/fc4/weights:0"),
                                  expected["LeNet/fc4/weights"])
    reader = tf.train.load_checkpoint(ckpt_dir)
    assert reader.get_variable_to_dtype_map()["global_step"] == tf.int64
    assert reader.get_variable_to_shape_map()["LeNet/fc3/weights"] == [1600, 256]
    assert reader.has_tensor("global_step") and not reader.has_tensor("nope")
    assert b"LeNet/conv1/weights (DT_FLOAT) [5,5,1,32]\n" in reader.debug_string()
    with pytest.raises(tf.errors.NotFoundError, match="Key LeNet/fc3/weight not found"):
        reader.get_tensor("LeNet/fc3/weight")
    reader.close()
    with pytest.raises(tf.errors.NotFoundError, match="Failed to find any matching files"):
        tf.train.NewCheckpointReader(os.path.join(ckpt_dir, "model.ckpt-1"))
    assert tf.train.get_checkpoint_mtimes([os.path.join(ckpt_dir, "model.ckpt-3"),
                                           os.path.join(ckpt_dir, "model.ckpt-1")])


def test_import_tf_tiny_meta_graph():
    saver = tf.train.import_meta_graph(os.path.join(TINY, "model.ckpt.meta"))
    assert [v.op.name for v in tf.trainable_variables()] == ["v1", "v2"]
    assert tf.global_variables() == tf.trainable_variables()
    with tf.Session() as sess:
        saver.restore(sess, os.path.join(TINY, "model.ckpt"))
        out = sess.run(tf.get_default_graph().get_tensor_by_name("add:0"))
        np.testing.assert_array_equal(out, [3.0])
        sess.run(tf.global_variables_initializer())
        assert sess.run("v2:0") == [2.0]


def test_import_tf_lenet_meta_graph(fixtures_dir):
    meta_path = os.path.join(fixtures_dir, "ckpt", "model.ckpt-2.meta")
    meta = MetaGraphDef.FromString(_read(meta_path))
    _skip_unless_ops(meta.graph_def)
    saver = tf.train.import_meta_graph(meta_path)
    assert saver.saver_def.max_to_keep == 2
    names = [v.op.name for v in tf.trainable_variables()]
    assert "LeNet/conv1/weights" in names and "LeNet/fc4/biases" in names
    assert len(tf.global_variables()) == 25
    g = tf.get_default_graph()
    assert g.get_collection("train_op")[0].name == "GradientDescent"
    assert tf.train.get_global_step().op.name == "global_step"
    expected = np.load(os.path.join(fixtures_dir, "ckpt.npz"))
    with tf.Session() as sess:
        saver.restore(sess, os.path.join(fixtures_dir, "ckpt", "model.ckpt-3"))
        for v in tf.global_variables():
            np.testing.assert_array_equal(sess.run(v), expected[v.op.name])
        # TF's training step runs on: one step of GradientDescent lowers the loss.
        rng = np.random.RandomState(0)
        feed = {"images:0": rng.rand(8, 28, 28, 1).astype(np.float32),
                "labels:0": np.arange(8) % 10}
        loss = tf.get_collection("losses")[0]
        before = sess.run(loss, feed)
        sess.run(g.get_collection("train_op"), feed)
        assert sess.run(loss, feed) < before
        assert sess.run(tf.train.get_global_step()) == 4


# --------------------------------------------------------------------------- meta graphs

def test_meta_graph_round_trip_with_collections(tmp_path):
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    w = tf.Variable(tf.ones([2, 1]), name="w")
    y = tf.matmul(x, w, name="y")
    train_op = tf.assign_add(w, tf.ones([2, 1])).op
    g = tf.get_default_graph()
    g.add_to_collection("train_op", train_op)
    g.add_to_collection("outputs", y)
    g.add_to_collection("ints", 3)
    g.add_to_collection("floats", 0.5)
    g.add_to_collection("strs", "hello")
    g.add_to_collection("junk", object())
    saver = tf.train.Saver()
    path = str(tmp_path / "m.ckpt")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train_op)
        saver.save(sess, path)
    meta = MetaGraphDef.FromString(_read(path + ".meta"))
    assert "junk" not in meta.collection_def
    assert meta.collection_def["outputs"].node_list.value == ["y:0"]
    tf.reset_default_graph()
    saver = tf.train.import_meta_graph(path + ".meta")
    g = tf.get_default_graph()
    assert g.get_collection("train_op")[0] is g.get_operation_by_name(train_op.name)
    assert g.get_collection("outputs")[0] is g.get_tensor_by_name("y:0")
    assert g.get_collection("ints") == [3] and g.get_collection("floats") == [0.5]
    assert g.get_collection("strs") == [b"hello"]
    assert tf.trainable_variables()[0] is tf.global_variables()[0]
    with tf.Session() as sess:
        saver.restore(sess, path)
        out = sess.run("y:0", {"x:0": [[1.0, 1.0]]})
        np.testing.assert_array_equal(out, [[4.0]])
        sess.run(g.get_collection("train_op"))
        np.testing.assert_array_equal(sess.run("w:0"), [[3.0], [3.0]])


def test_import_meta_graph_with_scope_and_text_format(tmp_path):
    with tf.device("/cpu:0"):
        v = tf.Variable([5.0], name="v")
    saver = tf.train.Saver()
    path = str(tmp_path / "m.ckpt")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        saver.save(sess, path)
    tf.train.export_meta_graph(str(tmp_path / "m.pbtxt"), as_text=True,
                               saver_def=saver.saver_def)
    tf.reset_default_graph()
    tf.Variable([0.0], name="v")
    scoped = tf.train.import_meta_graph(str(tmp_path / "m.pbtxt"), import_scope="net",
                                        clear_devices=True)
    assert scoped.saver_def.restore_op_name == "net/save/restore_all"
    g = tf.get_default_graph()
    assert g.get_operation_by_name("net/v").device == ""
    assert [x.op.name for x in tf.trainable_variables()] == ["v", "net/v"]
    with tf.Session() as sess:
        scoped.restore(sess, path)
        assert sess.run("net/v:0") == [5.0]
    with pytest.raises(IOError, match="does not exist"):
        tf.train.import_meta_graph(str(tmp_path / "missing.meta"))
    del v


def test_export_meta_graph_scope_and_savers_collection():
    with tf.name_scope("tower"):
        v = tf.Variable(1.0, name="v")
        tf.identity(v, name="out")
    tf.Variable(2.0, name="outside")
    saver = tf.train.Saver([v])
    tf.add_to_collection(tf.GraphKeys.SAVERS, saver)
    meta = tf.train.export_meta_graph(export_scope="tower")
    assert {n.name for n in meta.graph_def.node} >= {"v", "v/read", "out"}
    assert not any(n.name.startswith("outside") for n in meta.graph_def.node)
    assert "tower/" not in str(meta.collection_def["variables"])
    assert len(meta.collection_def["variables"].bytes_list.value) == 1
    tf.reset_default_graph()
    tf.train.import_meta_graph(meta, import_scope="copy")
    saver_copy = tf.get_collection(tf.GraphKeys.SAVERS)
    assert len(tf.global_variables()) == 1 and tf.global_variables()[0].op.name == "copy/v"
    assert saver_copy == [] or isinstance(saver_copy[0], tf.train.Saver)


def test_init_from_checkpoint(tmp_path):
    path = str(tmp_path / "m.ckpt")
    with tf.Graph().as_default():
        a = tf.Variable([1.0, 2.0], name="old/a")
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            tf.train.Saver().save(sess, path, write_meta_graph=False)
    b = tf.Variable([0.0, 0.0], name="new/a")
    tf.train.init_from_checkpoint(path, {"old/": "new/"})
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_array_equal(sess.run(b), [1.0, 2.0])
    with pytest.raises(ValueError, match="Tensor old/zz is not found"):
        tf.train.init_from_checkpoint(path, {"old/zz": b})
    del a
