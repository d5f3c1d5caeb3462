"""Issue 4, item by item: TF1's names, signatures and defaults for training and persistence,
every Saver argument, tf.gfile, reliability, import paths, and GraphDef import coverage.

Golden files (written with real TensorFlow 2.21 through ``tf.compat.v1``):

* ``data/tf1_training_api.json``: ``inspect.signature`` of every tf.train / tf.gfile /
  tf.io.gfile / tf.graph_util name tensorslim implements (and their public methods), with
  TF2-only parameters removed.
* ``data/tf_op_defs.pb.gz``: TF's ``OpList`` (op signatures, no docs) for every op type, so
  the importer's output table and attr defaults are checked against TF's OpDefs for every op
  tensorslim registers, including ops added later.
"""
import gzip
import inspect
import json
import os
import re

import numpy as np
import pytest

import tensorslim as tf
from tensorslim.core import importer, registry, tensor_util
from tensorslim.io import bundle
from tensorslim.proto import op_def_pb2
from tensorslim.training import saver as saver_mod

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


def _tf_op_defs():
    with gzip.open(os.path.join(DATA, "tf_op_defs.pb.gz"), "rb") as f:
        return {o.name: o for o in op_def_pb2.OpList.FromString(f.read()).op}


def _json(path):
    with open(path) as f:
        return json.load(f)


TF_OP_DEFS = _tf_op_defs()
API = _json(os.path.join(DATA, "tf1_training_api.json"))["signatures"]


# --------------------------------------------------------------------------- API surface

def _resolve(path):
    obj = tf
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


@pytest.mark.parametrize("path", sorted(API))
def test_signature_matches_tf1(path):
    obj = _resolve(path)
    fn = obj.__init__ if inspect.isclass(obj) else obj
    assert str(inspect.signature(fn)) == API[path]


ISSUE_NAMES = {
    "train": [
        "GradientDescentOptimizer", "MomentumOptimizer", "AdagradOptimizer",
        "AdagradDAOptimizer", "AdadeltaOptimizer", "AdamOptimizer", "FtrlOptimizer",
        "RMSPropOptimizer", "ProximalGradientDescentOptimizer", "ProximalAdagradOptimizer",
        "Optimizer", "get_or_create_global_step", "get_global_step", "create_global_step",
        "global_step", "exponential_decay", "piecewise_constant", "piecewise_constant_decay",
        "polynomial_decay", "natural_exp_decay", "inverse_time_decay", "cosine_decay",
        "cosine_decay_restarts", "linear_cosine_decay", "noisy_linear_cosine_decay",
        "ExponentialMovingAverage", "Saver", "SaverDef", "latest_checkpoint",
        "get_checkpoint_state", "checkpoint_exists", "update_checkpoint_state",
        "list_variables", "load_variable", "load_checkpoint", "NewCheckpointReader",
        "import_meta_graph", "export_meta_graph", "write_graph", "checkpoints_iterator",
        "summary_iterator", "remove_checkpoint", "get_checkpoint_mtimes",
        "generate_checkpoint_state_proto", "init_from_checkpoint", "CheckpointState"],
    "gfile": ["GFile", "FastGFile", "Open", "Exists", "MakeDirs", "MkDir", "Remove", "Rename",
              "Copy", "ListDirectory", "Glob", "IsDirectory", "DeleteRecursively", "Stat",
              "Walk"],
    "graph_util": ["convert_variables_to_constants", "extract_sub_graph",
                   "remove_training_nodes", "must_run_on_cpu",
                   "tensor_shape_from_node_def_name", "import_graph_def"],
    "": ["GraphDef", "NodeDef", "AttrValue", "MetaGraphDef", "import_graph_def"],
}


@pytest.mark.parametrize("module,name", [(m, n) for m, names in ISSUE_NAMES.items()
                                         for n in names])
def test_issue_names_are_importable(module, name):
    namespace = _resolve(module) if module else tf
    assert hasattr(namespace, name), "tf.%s%s is missing" % (module + "." if module else "",
                                                             name)
    if module in ("train", "gfile", "graph_util"):
        assert name in namespace.__all__


def test_import_paths_alias_one_implementation():
    from tensorslim.python.framework import graph_util
    from tensorslim.python.platform import gfile as platform_gfile
    assert tf.graph_util is graph_util
    assert tf.graph_util.import_graph_def is tf.import_graph_def
    assert tf.compat.v1.train is tf.train
    assert platform_gfile.GFile is tf.gfile.GFile is tf.io.gfile.GFile
    assert tf.train.piecewise_constant_decay is tf.train.piecewise_constant
    assert tf.gfile.Open is tf.gfile.GFile


def test_public_methods_named_by_the_issue():
    for cls, methods in [
            (tf.train.Saver, ["save", "restore", "as_saver_def", "export_meta_graph", "build",
                              "to_proto", "from_proto", "set_last_checkpoints",
                              "set_last_checkpoints_with_time",
                              "recover_last_checkpoints"]),
            (tf.train.Optimizer, ["minimize", "compute_gradients", "apply_gradients",
                                  "get_slot", "get_slot_names", "variables", "get_name"]),
            (tf.train.ExponentialMovingAverage, ["apply", "average", "average_name",
                                                 "variables_to_restore"]),
            (tf.gfile.GFile, ["read", "readline", "readlines", "write", "flush", "seek",
                              "tell", "size", "close", "seekable", "__iter__", "__next__"])]:
        for m in methods:
            assert callable(getattr(cls, m)), "%s.%s" % (cls.__name__, m)
    assert isinstance(tf.train.Saver.last_checkpoints, property)
    tiny = os.path.join(DATA, "tiny", "model.ckpt")
    reader = tf.train.NewCheckpointReader(tiny)
    assert reader.get_variable_to_shape_map() == {"v1": [1], "v2": [1]}
    assert reader.get_variable_to_dtype_map() == {"v1": tf.float32, "v2": tf.float32}
    assert reader.has_tensor("v1") and not reader.has_tensor("v3")
    np.testing.assert_array_equal(reader.get_tensor("v2"), [2.0])


# --------------------------------------------------------------------------- optimizers

# Slot name -> slot variable of ``w``, the optimizer's variables and the global variables,
# as TensorFlow 2.21 (tf.compat.v1) names them for the same program.
_SLOTS = [
    (lambda gs: tf.train.GradientDescentOptimizer(0.1), {}, []),
    (lambda gs: tf.train.MomentumOptimizer(0.1, 0.9), {"momentum": "w/Momentum"},
     ["w/Momentum", "b/Momentum"]),
    (lambda gs: tf.train.MomentumOptimizer(0.1, 0.9, use_nesterov=True),
     {"momentum": "w/Momentum"}, ["w/Momentum", "b/Momentum"]),
    (lambda gs: tf.train.AdagradOptimizer(0.1), {"accumulator": "w/Adagrad"},
     ["w/Adagrad", "b/Adagrad"]),
    (lambda gs: tf.train.AdagradDAOptimizer(0.1, gs),
     {"gradient_accumulator": "w/AdagradDA", "gradient_squared_accumulator": "w/AdagradDA_1"},
     ["w/AdagradDA", "w/AdagradDA_1", "b/AdagradDA", "b/AdagradDA_1"]),
    (lambda gs: tf.train.AdadeltaOptimizer(),
     {"accum": "w/Adadelta", "accum_update": "w/Adadelta_1"},
     ["w/Adadelta", "w/Adadelta_1", "b/Adadelta", "b/Adadelta_1"]),
    (lambda gs: tf.train.AdamOptimizer(), {"m": "w/Adam", "v": "w/Adam_1"},
     ["beta1_power", "beta2_power", "w/Adam", "w/Adam_1", "b/Adam", "b/Adam_1"]),
    (lambda gs: tf.train.FtrlOptimizer(0.1, l1_regularization_strength=0.1,
                                       l2_regularization_strength=0.1),
     {"accum": "w/Ftrl", "linear": "w/Ftrl_1"}, ["w/Ftrl", "w/Ftrl_1", "b/Ftrl", "b/Ftrl_1"]),
    (lambda gs: tf.train.FtrlOptimizer(0.1, l2_shrinkage_regularization_strength=0.1),
     {"accum": "w/Ftrl", "linear": "w/Ftrl_1"}, ["w/Ftrl", "w/Ftrl_1", "b/Ftrl", "b/Ftrl_1"]),
    (lambda gs: tf.train.RMSPropOptimizer(0.1), {"rms": "w/RMSProp", "momentum": "w/RMSProp_1"},
     ["w/RMSProp", "w/RMSProp_1", "b/RMSProp", "b/RMSProp_1"]),
    (lambda gs: tf.train.RMSPropOptimizer(0.1, momentum=0.5, centered=True),
     {"rms": "w/RMSProp", "mg": "w/RMSProp_1", "momentum": "w/RMSProp_2"},
     ["w/RMSProp", "w/RMSProp_1", "w/RMSProp_2", "b/RMSProp", "b/RMSProp_1", "b/RMSProp_2"]),
    (lambda gs: tf.train.ProximalGradientDescentOptimizer(0.1), {}, []),
    (lambda gs: tf.train.ProximalAdagradOptimizer(0.1), {"accumulator": "w/ProximalAdagrad"},
     ["w/ProximalAdagrad", "b/ProximalAdagrad"]),
]


@pytest.mark.parametrize("make,slots,extra", _SLOTS)
def test_slot_and_state_variable_names_match_tf1(make, slots, extra):
    gs = tf.train.get_or_create_global_step()
    w = tf.Variable([1.0, 2.0], name="w")
    b = tf.Variable(0.5, name="b")
    opt = make(gs)
    opt.minimize(tf.reduce_sum(w * w) * b, global_step=gs)
    assert opt.get_slot_names() == sorted(slots)
    assert {n: opt.get_slot(w, n).op.name for n in slots} == slots
    assert [v.op.name for v in opt.variables()] == sorted(extra)
    assert [v.op.name for v in tf.global_variables()] == ["global_step", "w", "b"] + extra


def test_schedule_result_names():
    step = tf.train.get_or_create_global_step()
    names = [tf.train.exponential_decay(0.1, step, 10, 0.5).name,
             tf.train.natural_exp_decay(0.1, step, 10, 0.5).name,
             tf.train.inverse_time_decay(0.1, step, 10, 0.5).name,
             tf.train.polynomial_decay(0.1, step, 10).name,
             tf.train.cosine_decay_restarts(0.1, step, 10).name,
             tf.train.linear_cosine_decay(0.1, step, 10).name,
             tf.train.exponential_decay(0.1, step, 10, 0.5, name="lr").name]
    # natural_exp_decay is an exponential_decay with rate exp(-decay_rate), as in TF1.
    assert names == ["ExponentialDecay:0", "ExponentialDecay_1:0", "InverseTimeDecay:0",
                     "PolynomialDecay:0", "SGDRDecay:0", "LinearCosineDecay:0", "lr:0"]
    assert tf.train.cosine_decay(0.1, step, 10).name.startswith("CosineDecay")
    assert tf.train.piecewise_constant(step, [5], [1.0, 0.5]).name.startswith(
        "PiecewiseConstant")


def test_natural_exp_decay_values_round_like_tf1():
    step = tf.placeholder(tf.int64, [])
    lr = tf.train.natural_exp_decay(0.1, step, 10, 0.5)
    rate = np.exp(np.float32(-0.5), dtype=np.float32)
    with tf.Session() as sess:
        for s in (0, 3, 15):
            want = np.float32(0.1) * rate ** np.float32(s / 10.0)
            np.testing.assert_allclose(sess.run(lr, {step: s}), want, rtol=2e-7)


def test_ema_defaults_and_names():
    v = tf.Variable(1.0, name="v")
    ema = tf.train.ExponentialMovingAverage(0.99)
    assert ema.name == "ExponentialMovingAverage"
    ema.apply([v])
    assert ema.average(v).op.name == "v/ExponentialMovingAverage"
    assert ema.average_name(v) == "v/ExponentialMovingAverage"
    # As TF: the averaged variable (not its shadow) joins MOVING_AVERAGE_VARIABLES.
    assert tf.moving_average_variables() == [v]
    assert ema.variables_to_restore() == {"v/ExponentialMovingAverage": v}


# --------------------------------------------------------------------------- Saver arguments

def _save_two(path, **kwargs):
    a = tf.Variable(np.arange(6, dtype=np.float32).reshape(2, 3), name="a")
    b = tf.Variable(5, name="b")
    saver = tf.train.Saver(**kwargs)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return saver, saver.save(sess, path, write_meta_graph=False), (a, b)


def test_saver_filename_is_the_default_save_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    tf.Variable(1.0, name="v")
    saver = tf.train.Saver(filename="default.ckpt")
    g = tf.get_default_graph()
    assert g.get_operation_by_name("save/filename/input").get_attr("value") == b"default.ckpt"
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        # Running the save tensor without feeding the file name writes to `filename`.
        assert sess.run(saver.saver_def.save_tensor_name) == b"default.ckpt"
        assert os.path.isfile("default.ckpt.index")
        sess.run(saver.saver_def.restore_op_name)


def test_saver_name_and_saver_def_arguments(tmp_path):
    v = tf.Variable(3.0, name="v")
    named = tf.train.Saver(name="mysaver")
    assert named.as_saver_def().filename_tensor_name == "mysaver/Const:0"
    assert named.as_saver_def().restore_op_name == "mysaver/restore_all"
    driver = tf.train.Saver(saver_def=named.as_saver_def())
    path = str(tmp_path / "m")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert driver.save(sess, path, write_meta_graph=False) == path
        sess.run(tf.assign(v, 0.0))
        driver.restore(sess, path)
        assert sess.run(v) == 3.0
    with pytest.raises(ValueError, match="saver_def must be a saver_pb2.SaverDef"):
        tf.train.Saver(saver_def="not a proto")
    with pytest.raises(ValueError, match="must specify the save_tensor_name"):
        tf.train.Saver(saver_def=tf.train.SaverDef(restore_op_name="x"))


def test_saver_write_version_v1_is_refused_clearly():
    tf.Variable(1.0, name="v")
    with pytest.raises(tf.errors.UnimplementedError, match="only the V2 checkpoint format"):
        tf.train.Saver(write_version=tf.train.SaverDef.V1)
    assert tf.train.Saver(write_version=tf.train.SaverDef.V2).saver_def.version == \
        tf.train.SaverDef.V2


def test_saver_reshape_restores_into_another_shape(tmp_path):
    path = str(tmp_path / "m")
    with tf.Graph().as_default():
        _save_two(path)
    a = tf.Variable(tf.zeros([3, 2]), name="a")
    b = tf.Variable(0, name="b")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"a: checkpoint has \[2,3\], model has \[3,2\]"):
            tf.train.Saver().restore(sess, path)
        saver = tf.train.Saver(reshape=True)
        assert tf.get_default_graph().get_operation_by_name("save_1/Reshape").type == "Reshape"
        saver.restore(sess, path)
        np.testing.assert_array_equal(sess.run(a), np.arange(6).reshape(3, 2))
        assert sess.run(b) == 5


def test_saver_reshape_checks_element_counts_before_assigning(tmp_path):
    path = str(tmp_path / "m")
    with tf.Graph().as_default():
        _save_two(path)
    a = tf.Variable(tf.zeros([4]), name="a")
    b = tf.Variable(0, name="b")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"a: checkpoint has \[2,3\], model has \[4\].*reshape=True"):
            tf.train.Saver(reshape=True).restore(sess, path)
        assert not any(sess.run([tf.is_variable_initialized(v) for v in (a, b)]))


def test_saver_sharded_restore_sequentially_and_builder(tmp_path):
    path = str(tmp_path / "m")
    saver, written, (a, b) = _save_two(path, sharded=True, restore_sequentially=True,
                                       builder=saver_mod.BulkSaverBuilder())
    assert written == path and saver.saver_def.sharded
    # One host, one shard: the files TF writes for a single device.
    assert sorted(os.listdir(str(tmp_path))) == ["checkpoint", "m.data-00000-of-00001",
                                                 "m.index"]
    with tf.Session() as sess:
        saver.restore(sess, path)
        assert sess.run(b) == 5


def test_saver_max_to_keep_none_keeps_everything(tmp_path):
    tf.Variable(1.0, name="v")
    saver = tf.train.Saver(max_to_keep=None)
    prefix = str(tmp_path / "m")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(4):
            saver.save(sess, prefix, global_step=step, write_meta_graph=False)
    assert sorted(f for f in os.listdir(str(tmp_path)) if f.endswith(".index")) == \
        ["m-%d.index" % i for i in range(4)]
    assert saver.last_checkpoints == []
    assert tf.train.latest_checkpoint(str(tmp_path)) == prefix + "-3"


def test_save_arguments(tmp_path):
    step = tf.Variable(7, dtype=tf.int64, name="global_step")
    saver = tf.train.Saver(pad_step_number=True, save_relative_paths=True)
    prefix = str(tmp_path / "m")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        path = saver.save(sess, prefix, global_step=step, latest_filename="state",
                          meta_graph_suffix="mg", strip_default_attrs=True)
    assert path == prefix + "-00000007"
    assert sorted(os.listdir(str(tmp_path))) == [
        "m-00000007.data-00000-of-00001", "m-00000007.index", "m-00000007.mg", "state"]
    with open(str(tmp_path / "state")) as f:
        assert f.read().splitlines()[0] == 'model_checkpoint_path: "m-00000007"'
    assert tf.train.latest_checkpoint(str(tmp_path), latest_filename="state") == path


def test_export_meta_graph_clear_extraneous_savers_and_strip_default_attrs(tmp_path):
    a = tf.Variable(tf.zeros([2, 3]), name="a")
    tf.nn.max_pool(tf.reshape(a, [1, 2, 3, 1]), [1, 1, 1, 1], [1, 1, 1, 1], "SAME")
    tf.train.Saver()
    kept = tf.train.Saver([a])
    full = kept.export_meta_graph()
    meta = kept.export_meta_graph(clear_extraneous_savers=True, strip_default_attrs=True)
    names = [n.name for n in meta.graph_def.node]
    assert any(n.startswith("save/") for n in (x.name for x in full.graph_def.node))
    assert not any(n.startswith("save/") for n in names)
    assert "save_1/restore_all" in names
    pool = next(n for n in meta.graph_def.node if n.op == "MaxPool")
    assert "data_format" not in pool.attr and "T" not in pool.attr and "ksize" in pool.attr
    assert meta.meta_info_def.stripped_default_attrs
    # The stripped graph imports again (defaults filled in) and its saver works.
    path = str(tmp_path / "m")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        kept.save(sess, path, write_meta_graph=False)
    with tf.Graph().as_default():
        saver = tf.train.import_meta_graph(meta)
        pool = tf.get_default_graph().get_operation_by_name("MaxPool")
        assert pool.get_attr("data_format") in ("NHWC", b"NHWC")
        with tf.Session() as sess:
            saver.restore(sess, path)
    with pytest.warns(UserWarning, match="does not write a GraphDebugInfo"):
        kept.export_meta_graph(save_debug_info=True)


def test_restore_reports_missing_and_mismatched_together_with_near_matches(tmp_path):
    path = str(tmp_path / "m")
    with tf.Graph().as_default():
        tf.Variable(tf.zeros([2]), name="layer1/weights")
        tf.Variable(tf.zeros([3]), name="layer2/biases")
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            tf.train.Saver().save(sess, path, write_meta_graph=False)
    tf.Variable(tf.zeros([2]), name="layer1/weight")
    tf.Variable(tf.zeros([4]), name="layer2/biases")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.NotFoundError) as info:
            tf.train.Saver().restore(sess, path)
    message = str(info.value)
    assert "Key layer1/weight not found in checkpoint (did you mean 'layer1/weights'" in message
    assert "layer2/biases: checkpoint has [3], model has [4]" in message


# --------------------------------------------------------------------------- tf.gfile

def test_gfile_files_read_write_append_iterate_size(tmp_path):
    path = str(tmp_path / "f.txt")
    for cls in (tf.gfile.GFile, tf.gfile.FastGFile):
        with cls(path, "w") as f:
            f.write("one\ntwo\n")
            assert f.seekable()
        with cls(path, "a") as f:
            f.write(b"three\n")
        with cls(path, "r") as f:
            assert f.size() == 14
            assert list(f) == ["one\n", "two\n", "three\n"]
        with cls(path, "rb") as f:
            assert f.read(3) == b"one" and f.tell() == 3
            f.seek(0)
            assert f.readline() == b"one\n"
            assert f.readlines() == [b"two\n", b"three\n"]


def test_gfile_file_system_functions(tmp_path):
    root = str(tmp_path / "r")
    tf.gfile.MakeDirs(os.path.join(root, "a", "b"))
    tf.gfile.MkDir(os.path.join(root, "c"))
    assert tf.gfile.IsDirectory(root) and tf.gfile.Exists(os.path.join(root, "a", "b"))
    with tf.gfile.GFile(os.path.join(root, "a", "x.txt"), "w") as f:
        f.write("x")
    tf.gfile.Copy(os.path.join(root, "a", "x.txt"), os.path.join(root, "y.txt"))
    with pytest.raises(tf.errors.AlreadyExistsError):
        tf.gfile.Copy(os.path.join(root, "a", "x.txt"), os.path.join(root, "y.txt"))
    tf.gfile.Copy(os.path.join(root, "a", "x.txt"), os.path.join(root, "y.txt"),
                  overwrite=True)
    tf.gfile.Rename(os.path.join(root, "y.txt"), os.path.join(root, "z.txt"))
    with pytest.raises(tf.errors.AlreadyExistsError):
        tf.gfile.Rename(os.path.join(root, "z.txt"), os.path.join(root, "a", "x.txt"))
    tf.gfile.Rename(os.path.join(root, "z.txt"), os.path.join(root, "a", "x.txt"),
                    overwrite=True)
    assert tf.gfile.ListDirectory(root) == ["a", "c"]
    assert tf.gfile.Glob(os.path.join(root, "*", "*.txt")) == [os.path.join(root, "a",
                                                                            "x.txt")]
    assert tf.gfile.Stat(os.path.join(root, "a", "x.txt")).length == 1
    assert [w[0] for w in tf.gfile.Walk(root)] == [root, os.path.join(root, "a"),
                                                   os.path.join(root, "a", "b"),
                                                   os.path.join(root, "c")]
    tf.gfile.Remove(os.path.join(root, "a", "x.txt"))
    with pytest.raises(tf.errors.NotFoundError, match="x.txt"):
        tf.gfile.Remove(os.path.join(root, "a", "x.txt"))
    tf.gfile.DeleteRecursively(root)
    assert not tf.gfile.Exists(root)


def test_io_gfile_lower_case_api(tmp_path):
    g = tf.io.gfile
    root = g.join(str(tmp_path), "r")
    g.makedirs(g.join(root, "a"))
    g.mkdir(g.join(root, "b"))
    with g.GFile(g.join(root, "a", "f"), "w") as f:
        f.write("hi")
    g.copy(g.join(root, "a", "f"), g.join(root, "g"))
    g.rename(g.join(root, "g"), g.join(root, "h"), overwrite=True)
    assert g.exists(g.join(root, "h")) and g.isdir(g.join(root, "a"))
    assert g.listdir(root) == ["a", "b", "h"]
    assert g.glob(g.join(root, "?")) == [g.join(root, x) for x in ("a", "b", "h")]
    assert g.stat(g.join(root, "h")).length == 2
    assert [d for d, _, _ in g.walk(root, topdown=False)][-1] == root
    seen = []
    assert list(g.walk(g.join(root, "missing"), onerror=seen.append)) == []
    assert isinstance(seen[0], tf.errors.NotFoundError)
    g.remove(g.join(root, "h"))
    g.rmtree(root)
    assert not g.exists(root)


# --------------------------------------------------------------------------- reliability

def test_save_renames_data_then_index_then_state_file(tmp_path, monkeypatch):
    renames = []
    real_replace = os.replace

    def recording_replace(src, dst):
        renames.append((os.path.basename(src), os.path.basename(dst)))
        real_replace(src, dst)
    monkeypatch.setattr(os, "replace", recording_replace)
    tf.Variable(1.0, name="v")
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        saver.save(sess, str(tmp_path / "m"))
    assert [dst for _, dst in renames] == ["m.data-00000-of-00001", "m.index", "m.meta",
                                           "checkpoint"]
    # Every file was written under a temporary name first; none is left behind.
    assert all(src != dst and "tempstate" in src for src, dst in renames)
    assert sorted(os.listdir(str(tmp_path))) == sorted(dst for _, dst in renames)


@pytest.mark.parametrize("suffix", [".index", ".data-00000-of-00001"])
def test_corrupt_files_raise_data_loss_naming_the_file(tmp_path, suffix):
    prefix = str(tmp_path / "m")
    bundle.write_bundle(prefix, {"w": np.arange(64, dtype=np.float32)})
    target = prefix + suffix
    with open(target, "rb") as f:
        raw = bytearray(f.read())
    raw[len(raw) // 3] ^= 0x10
    with open(target, "wb") as f:
        f.write(raw)
    with pytest.raises(tf.errors.DataLossError, match=re.escape(os.path.basename(target))):
        tf.train.NewCheckpointReader(prefix).get_tensor("w")


def test_restored_arrays_are_writable_native_and_exact(tmp_path):
    prefix = str(tmp_path / "m")
    values = {"f": np.linspace(-1, 1, 7, dtype=np.float32).reshape(7, 1),
              "big": np.arange(5, dtype=">i8"), "empty": np.zeros((0, 3), np.float64),
              "scalar": np.float16(1.5), "flag": np.array([True, False])}
    bundle.write_bundle(prefix, values)
    reader = bundle.BundleReader(prefix)
    for name, value in values.items():
        got = reader.get_tensor(name)
        value = np.asarray(value)
        assert got.dtype == value.dtype.newbyteorder("=") and got.dtype.isnative
        assert got.shape == value.shape and got.flags.writeable
        np.testing.assert_array_equal(got, value)
    reader.close()


# --------------------------------------------------------------------------- checkpoints

def test_checkpoints_iterator_yields_new_checkpoints_then_times_out(tmp_path):
    tf.Variable(1.0, name="v")
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        first = saver.save(sess, str(tmp_path / "m"), global_step=1, write_meta_graph=False)
    calls = []
    seen = list(tf.train.checkpoints_iterator(str(tmp_path), timeout=0.05,
                                              timeout_fn=lambda: calls.append(1) or True))
    assert seen == [first] and calls == [1]
    assert list(tf.train.checkpoints_iterator(str(tmp_path / "none"), timeout=0.01)) == []


def test_summary_iterator_reads_tf_event_file(fixtures_dir):
    expected = _json(os.path.join(fixtures_dir, "events.json"))
    events = list(tf.train.summary_iterator(os.path.join(fixtures_dir,
                                                         expected["event_file"])))
    assert len(events) == expected["num_events"]
    assert events[0].file_version == expected["first_event_file_version"]
    losses = [(e.step, v.simple_value) for e in events for v in e.summary.value
              if v.tag == "loss"]
    assert losses == [(s["step"], pytest.approx(s["value"]))
                      for s in expected["scalars"]["loss"]]


def test_sharded_filename_ops():
    name = saver_mod.sharded_filename("dir/m", 1, 3)
    spec = saver_mod.sharded_filespec("dir/m", 3)
    assert name.op.type == "ShardedFilename" and spec.op.type == "ShardedFilespec"
    with tf.Session() as sess:
        assert sess.run([name, spec]) == [b"dir/m-00001-of-00003", b"dir/m-?????-of-00003"]


# --------------------------------------------------------------------------- GraphDef import

def _sample_attrs(op_def):
    """Attrs for a node of ``op_def``: ``(with every attr, without those that have a default)``,
    the second as a GraphDef written with ``strip_default_attrs`` holds them."""
    full, stripped = {}, {}
    for attr in op_def.attr:
        if attr.HasField("default_value"):
            value = importer.python_value_of(attr.default_value)
            if value is not None:
                full[attr.name] = value
            continue
        if attr.type == "type":
            value = None
            for enum in list(attr.allowed_values.list.type) or [1]:
                try:
                    value = tf.as_dtype(enum)
                    break
                except TypeError:
                    pass
        elif attr.type == "int":
            value = 2
        elif attr.type == "list(type)":
            value = [tf.float32, tf.int32]
        else:
            continue
        full[attr.name] = stripped[attr.name] = value
    return full, stripped


@pytest.mark.parametrize("op_type", registry.registered_op_types())
def test_importer_knows_the_outputs_of_every_registered_op(op_type):
    """What import_graph_def derives from a NodeDef (attrs stripped of defaults, no
    producer_op_list) agrees with TF's OpDef, for every op type tensorslim registers."""
    op_def = TF_OP_DEFS.get(op_type)
    assert op_def is not None, (
        "%s is not a TensorFlow op type: GraphDefs holding it would not load in TF" % op_type)
    full, stripped = _sample_attrs(op_def)
    want = importer.outputs_from_op_def(op_def, full)
    attrs = importer.default_attrs(op_type)
    attrs.update(stripped)
    try:
        got = importer.output_dtypes(op_type, attrs)
    except ValueError as e:
        pytest.fail("importing a %s node fails: %s (add it to importer.OUTPUT_SPECS or its "
                    "defaults to importer._DEFAULTS)" % (op_type, e))
    assert got == want, "importer.OUTPUT_SPECS[%r] disagrees with TF's OpDef" % op_type


def test_importer_defaults_agree_with_tf():
    wrong = []
    for op_type in sorted(importer._DEFAULTS):
        op_def = TF_OP_DEFS.get(op_type)
        if op_def is None:
            continue
        tf_defaults = importer.defaults_from_op_def(op_def)
        for key, value in importer.default_attrs(op_type).items():
            if key not in tf_defaults:
                wrong.append("%s.%s is not an attr with a default in TF" % (op_type, key))
            elif isinstance(value, float):
                if np.float32(value) != np.float32(tf_defaults[key]):
                    wrong.append("%s.%s = %r, TF: %r" % (op_type, key, value,
                                                         tf_defaults[key]))
            elif value != tf_defaults[key]:
                wrong.append("%s.%s = %r, TF: %r" % (op_type, key, value, tf_defaults[key]))
    assert not wrong


def _many_op_graph():
    """A graph touching as many op types as the public API reaches: layers and their
    gradients, every optimizer, EMA, the saver, math/array/image/string ops, parsing,
    queues, readers and tf.data."""
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [2, 8, 8, 3], name="x")
        labels = tf.placeholder(tf.int64, [2], name="labels")
        net = tf.nn.conv2d(x, tf.get_variable("w", [3, 3, 3, 4]), [1, 1, 1, 1], "SAME")
        net = tf.nn.bias_add(net, tf.get_variable("b", [4]))
        net = tf.nn.relu(net) + tf.nn.relu6(net) + tf.nn.elu(net) + tf.nn.selu(net)
        net = net + tf.nn.softplus(net) + tf.nn.softsign(net) + tf.nn.leaky_relu(net)
        net = tf.nn.max_pool(tf.nn.lrn(net), [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
        net2 = tf.nn.avg_pool(tf.nn.depthwise_conv2d(x, tf.get_variable("dw", [3, 3, 3, 1]),
                                                     [1, 1, 1, 1], "SAME"),
                              [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
        net, _, _ = tf.nn.fused_batch_norm(
            net, tf.get_variable("scale", [4], initializer=tf.ones_initializer()),
            tf.get_variable("offset", [4], initializer=tf.zeros_initializer()))
        net = tf.concat([net, tf.tile(net2, [1, 1, 1, 1])], axis=3)
        pooled, _ = tf.nn.max_pool_with_argmax(tf.stop_gradient(net), [1, 2, 2, 1],
                                               [1, 2, 2, 1], "SAME")
        flat = tf.reshape(net, [2, -1])
        fc = tf.get_variable("fc", [flat.shape[1].value, 5])
        logits = tf.matmul(flat, fc) + tf.reduce_sum(pooled) * 0.0
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=labels, logits=logits))
        loss += tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(
            labels=tf.one_hot(labels, 5), logits=logits))
        loss += tf.nn.l2_loss(fc) + tf.reduce_sum(tf.nn.log_softmax(logits))
        loss += tf.reduce_sum(tf.sigmoid(logits) * tf.tanh(logits) * tf.nn.softmax(logits))
        gs = tf.train.get_or_create_global_step()
        opts = [make(gs) for make, _, _ in _SLOTS]
        grads = opts[0].compute_gradients(loss)
        tf.group(*[o.apply_gradients(grads, name="%s_%d" % (o.get_name(), i))
                   for i, o in enumerate(opts)])
        tf.train.ExponentialMovingAverage(0.9).apply([fc])

        a = tf.placeholder(tf.float32, [3, 4], name="a")
        i = tf.placeholder(tf.int32, [3], name="i")
        outs = [f(a) for f in (
            tf.abs, tf.acos, tf.asin, tf.atan, tf.ceil, tf.cos, tf.digamma, tf.erf, tf.erfc,
            tf.exp, tf.expm1, tf.floor, tf.lgamma, tf.log, tf.log1p, tf.negative,
            tf.reciprocal, tf.rint, tf.round, tf.rsqrt, tf.sign, tf.sin, tf.sqrt, tf.square,
            tf.tan, tf.zeros_like, tf.ones_like, tf.stop_gradient, tf.identity, tf.is_nan,
            tf.is_inf, tf.is_finite)]
        outs += [f(a, a + 1.0) for f in (
            tf.add, tf.subtract, tf.multiply, tf.div, tf.truediv, tf.floordiv, tf.floormod,
            tf.maximum, tf.minimum, tf.pow, tf.squared_difference, tf.div_no_nan, tf.equal,
            tf.not_equal, tf.less, tf.less_equal, tf.greater, tf.greater_equal,
            tf.truncatediv, tf.truncatemod, tf.realdiv, tf.polygamma,
            tf.math.multiply_no_nan)]
        outs += [
            tf.add_n([a, a]), tf.clip_by_value(a, 0.0, 1.0), tf.cumsum(a, 1), tf.cumprod(a, 1),
            tf.reduce_max(a, 0), tf.reduce_min(a), tf.reduce_prod(a), tf.reduce_all(a > 0),
            tf.reduce_any(a > 0), tf.argmax(a, 1), tf.argmin(a, 1), tf.transpose(a),
            tf.reverse(a, [0]), tf.slice(a, [0, 0], [1, 2]), a[1:, ::2],
            tf.squeeze(tf.expand_dims(a, 0)), tf.stack([a, a]), tf.unstack(a)[0],
            tf.split(a, 2, axis=1)[0], tf.split(a, [1, 3], axis=1)[1], tf.gather(a, i),
            tf.gather_nd(a, [[0, 1]]), tf.pad(a, [[1, 1], [0, 0]]),
            tf.pad(a, [[1, 1], [0, 0]], mode="REFLECT"),
            tf.pad(a, [[1, 1], [0, 0]], constant_values=2.0), tf.where(a > 0, a, -a),
            tf.where_v2(a > 0, a, 0.0), tf.where(a > 0), tf.shape(a), tf.shape_n([a, a])[0],
            tf.size(a), tf.rank(a), tf.cast(a, tf.int32), tf.bitcast(a, tf.int32),
            tf.fill([2], 1.0), tf.range(3), tf.linspace(0.0, 1.0, 5), tf.one_hot(i, 3),
            tf.logical_and(a > 0, a < 1), tf.logical_or(a > 0, a < 1), tf.logical_not(a > 0),
            tf.broadcast_to(tf.constant(1.0), [2, 2]), tf.diag([1.0, 2.0]),
            tf.diag_part(tf.eye(2)), tf.matrix_diag([[1.0, 2.0]]),
            tf.matrix_diag_part(tf.eye(2)), tf.matrix_set_diag(tf.eye(2), [1.0, 2.0]),
            tf.matrix_inverse(tf.eye(2)), tf.matrix_determinant(tf.eye(2)),
            tf.einsum("ij,jk->ik", a, tf.transpose(a)),
            tf.matmul(tf.stack([a, a]), tf.stack([a, a]), transpose_b=True),
            tf.segment_sum(a, [0, 0, 1]), tf.unsorted_segment_sum(a, i, 3),
            tf.dynamic_stitch([[0], [1]], [[1.0], [2.0]]), tf.invert_permutation(i),
            tf.scatter_nd([[0]], [1.0], [3]), tf.sparse_to_dense([[0]], [3], [1.0]),
            tf.unique(i)[0], tf.unique_with_counts(i)[2], tf.nn.top_k(a, 2)[0],
            tf.nn.in_top_k(a, i, 1), tf.check_numerics(a, "x"),
            tf.string_to_number(tf.constant(["1.5"])), tf.identity_n([a, i])[0],
            tf.placeholder_with_default(1.0, []), tf.count_up_to(tf.Variable(0), 10),
            tf.multinomial(tf.log([[0.5, 0.5]]), 2), tf.random_uniform([2]),
            tf.random_normal([2]), tf.truncated_normal([2]),
            tf.random_uniform([2], maxval=5, dtype=tf.int32), tf.random_shuffle(i),
            tf.random_gamma([2], 1.0), tf.conj(a), tf.Print(a, [a]),
            tf.py_func(lambda v: v, [a], tf.float32),
            tf.cond(tf.reduce_all(a > 0), lambda: a + 1.0, lambda: a - 1.0)]
        with tf.control_dependencies([tf.Assert(tf.reduce_all(a > -9), [a])]):
            outs.append(tf.identity(a))
        img = tf.placeholder(tf.uint8, [8, 8, 3], name="img")
        fimg = tf.image.convert_image_dtype(img, tf.float32)
        empty = tf.constant(b"")
        outs += [
            tf.image.resize_area([fimg], [4, 4]), tf.image.adjust_contrast(fimg, 0.5),
            tf.image.adjust_hue(fimg, 0.1), tf.image.adjust_saturation(fimg, 0.5),
            tf.image.rgb_to_hsv(fimg), tf.image.hsv_to_rgb(fimg), tf.image.encode_png(img),
            tf.image.encode_jpeg(img), tf.image.decode_png(empty),
            tf.image.decode_jpeg(empty), tf.image.decode_bmp(empty),
            tf.image.decode_gif(empty), tf.image.decode_image(empty),
            tf.image.extract_jpeg_shape(empty)]
        s = tf.placeholder(tf.string, [None], name="s")
        outs += [
            tf.decode_raw(s, tf.uint8), tf.decode_csv(s, [[1.0], [""]]), tf.read_file("f"),
            tf.write_file("f", "x"), tf.matching_files("*"),
            tf.parse_example(s, {"f": tf.FixedLenFeature([1], tf.float32),
                                 "v": tf.VarLenFeature(tf.int64)}),
            tf.parse_single_example(s[0], {"f": tf.FixedLenFeature([1], tf.float32)}),
            tf.parse_single_sequence_example(
                s[0], context_features={"c": tf.FixedLenFeature([], tf.int64)},
                sequence_features={"q": tf.FixedLenSequenceFeature([], tf.float32)})]
        q = tf.FIFOQueue(5, [tf.float32], shapes=[[]])
        outs += [q.enqueue([1.0]), q.enqueue_many([[1.0, 2.0]]), q.dequeue(),
                 q.dequeue_many(2), q.dequeue_up_to(2), q.size(), q.close(), q.is_closed(),
                 tf.PaddingFIFOQueue(5, [tf.float32], shapes=[[None]]).enqueue([[1.0]]),
                 tf.RandomShuffleQueue(5, 1, [tf.float32], shapes=[[]]).enqueue([1.0])]
        for reader in (tf.TFRecordReader(), tf.TextLineReader(), tf.WholeFileReader(),
                       tf.IdentityReader(), tf.FixedLengthRecordReader(4)):
            outs += [reader.read(q), reader.read_up_to(q, 2), reader.num_records_produced(),
                     reader.num_work_units_completed(), reader.reset(),
                     reader.serialize_state(), reader.restore_state("")]
        outs.append(tf.train.batch([tf.sparse_placeholder(tf.float32)], 2))
        data = tf.data
        datasets = [
            data.Dataset.from_tensor_slices(tf.range(10)).map(lambda v: v * 2).filter(
                lambda v: v > 0).shuffle(4).repeat(2).batch(2).prefetch(1),
            data.Dataset.from_tensors(tf.constant([1])).padded_batch(2, [3]).skip(1),
            data.Dataset.zip((data.Dataset.range(3), data.Dataset.range(3))),
            data.Dataset.range(3).flat_map(lambda v: data.Dataset.range(v)).interleave(
                lambda v: data.Dataset.range(v), cycle_length=2).take(5).cache().concatenate(
                data.Dataset.range(2)).shard(1, 0),
            data.TFRecordDataset(["r"]).apply(data.experimental.ignore_errors()),
            data.TextLineDataset(["t"]).map(lambda v: v, num_parallel_calls=2),
            data.FixedLengthRecordDataset(["f"], 4).batch(2).unbatch(),
            data.Dataset.from_generator(lambda: iter([1]), tf.int64),
            data.Dataset.range(4).apply(data.experimental.parallel_interleave(
                lambda v: data.Dataset.range(v), cycle_length=2))]
        outs += [data.make_one_shot_iterator(d).get_next() for d in datasets]
        it = data.make_initializable_iterator(datasets[2])
        outs += [it.initializer, it.string_handle(), it.get_next(),
                 data.Iterator.from_string_handle(
                     tf.placeholder(tf.string, []), data.get_output_types(datasets[2]),
                     data.get_output_shapes(datasets[2])).get_next()]
        tf.gradients(tf.reduce_sum(tf.image.resize_bilinear([fimg], [4, 4])) +
                     tf.reduce_sum(tf.image.resize_bicubic([fimg], [4, 4])) +
                     tf.reduce_sum(tf.image.resize_nearest_neighbor([fimg], [4, 4])) +
                     tf.reduce_sum(tf.pad(a, [[1, 1], [0, 0]], mode="REFLECT")) +
                     tf.reduce_sum(a[1:, ::2]) + tf.reduce_sum(tf.gather(a, i)), [fimg, a])
        tf.train.Saver(max_to_keep=1)
    return g


@pytest.fixture(scope="module")
def many_op_graph_def():
    return _many_op_graph().as_graph_def()


def test_many_op_graph_covers_most_registered_ops(many_op_graph_def):
    used = {n.op for n in many_op_graph_def.node}
    registered = set(registry.registered_op_types())
    assert len(used & registered) >= 250, sorted(registered - used)


def test_graph_def_round_trip_keeps_every_node(many_op_graph_def):
    """Serialize, parse, import into a fresh graph with the original names, serialize again:
    the same nodes, inputs and attrs (plus TF's default attrs the importer fills in)."""
    original = tf.GraphDef.FromString(many_op_graph_def.SerializeToString())
    with tf.Graph().as_default() as g:
        tf.import_graph_def(original, name="")
        again = g.as_graph_def()
    before = {n.name: n for n in original.node}
    after = {n.name: n for n in again.node}
    assert sorted(before) == sorted(after)
    for name, node in before.items():
        other = after[name]
        assert (other.op, list(other.input), other.device) == \
            (node.op, list(node.input), node.device), name
        defaults = importer.default_attrs(node.op)
        for key in set(node.attr) | set(other.attr):
            if key not in node.attr:
                assert key in defaults, "%s: attr %s appeared on import" % (name, key)
            else:
                assert other.attr[key] == node.attr[key], "%s: attr %s" % (name, key)


# Problems in op builders outside this module's reach (reported to their owners): the test
# checks that nothing else is wrong, and fails once one of these is fixed so that the entry
# can go.
_KNOWN_NODE_DEF_PROBLEMS = set()


def _node_def_problems(node, op_def, dtypes_of):
    problems = []
    declared = {a.name for a in op_def.attr}
    for key in node.attr:
        if not key.startswith("_") and key not in declared:
            problems.append("attr %s is not in TF's OpDef" % key)
    for attr in op_def.attr:
        if not attr.HasField("default_value") and attr.name not in node.attr:
            problems.append("required attr %s is missing" % attr.name)
    attrs = {k: importer.python_value_of(v) for k, v in node.attr.items()}
    inputs = [i for i in node.input if not i.startswith("^")]
    expected = []
    for arg in op_def.input_arg:
        count = int(attrs.get(arg.number_attr, 0)) if arg.number_attr else 1
        if arg.type_list_attr:
            expected += [(arg.name, t) for t in attrs.get(arg.type_list_attr, [])]
        elif arg.type_attr:
            expected += [(arg.name, attrs.get(arg.type_attr))] * count
        else:
            expected += [(arg.name, tf.as_dtype(arg.type))] * count
    if len(expected) != len(inputs):
        problems.append("%d inputs, OpDef wants %d" % (len(inputs), len(expected)))
    else:
        for (arg, want), name in zip(expected, inputs):
            got = dtypes_of(name)
            if want is not None and got is not None and got.base_dtype != want:
                problems.append("input %s is %s, OpDef says %s=%s"
                                % (arg, got.base_dtype.name,
                                   next(a.type_attr for a in op_def.input_arg
                                        if a.name == arg) or "type", want.name))
    return problems


def test_written_node_defs_are_valid_for_tf_op_defs():
    """Every NodeDef tensorslim writes names only attrs TF's OpDef declares, carries every
    required attr, and has inputs of the count and types the OpDef asks for, so TensorFlow's
    import_graph_def accepts the GraphDef."""
    g = _many_op_graph()
    graph_def = g.as_graph_def()

    def dtypes_of(name):
        op_name, _, index = name.partition(":")
        op = g.get_operation_by_name(op_name)
        return op.outputs[int(index or 0)].dtype

    found = set()
    for node in graph_def.node:
        op_def = TF_OP_DEFS.get(node.op)
        assert op_def is not None, "%s: op type %s is not TF's" % (node.name, node.op)
        for problem in _node_def_problems(node, op_def, dtypes_of):
            found.add((node.op, problem))
    assert found == _KNOWN_NODE_DEF_PROBLEMS


def test_unsupported_ops_all_listed_and_add_addv2_both_import():
    graph_def = tf.GraphDef()
    for name, op in [("a", "Const"), ("b", "Const"), ("s1", "Add"), ("s2", "AddV2"),
                     ("u1", "NoSuchOpOne"), ("u2", "NoSuchOpTwo"), ("u3", "NoSuchOpOne")]:
        node = graph_def.node.add(name=name, op=op)
        if op == "Const":
            node.attr["dtype"].type = tf.float32.as_datatype_enum
            node.attr["value"].tensor.CopyFrom(tensor_util.make_tensor_proto(np.float32(2.0)))
        elif op.startswith("Add"):
            node.input.extend(["a", "b"])
            node.attr["T"].type = tf.float32.as_datatype_enum
    with pytest.raises(tf.errors.NotFoundError,
                       match=r"(?s)'NoSuchOpOne', 'NoSuchOpTwo'.*2 op type.*"
                             r"NoSuchOpOne \(2 node\(s\), e.g. 'u1'\).*NoSuchOpTwo"):
        tf.import_graph_def(graph_def)
    del graph_def.node[4:]
    with tf.Graph().as_default():
        tf.while_loop(lambda k: k < 3, lambda k: k + 1, [tf.constant(0)])
        loop = tf.get_default_graph().as_graph_def()
    with pytest.raises(tf.errors.NotFoundError,
                       match="(?s)functional control flow 'While' cannot be imported.*cond/body"):
        tf.import_graph_def(loop)
    s1, s2 = tf.import_graph_def(graph_def, return_elements=["s1:0", "s2:0"], name="ok")
    assert (s1.op.type, s2.op.type) == ("Add", "AddV2")
    with tf.Session() as sess:
        assert sess.run([s1, s2]) == [4.0, 4.0]
