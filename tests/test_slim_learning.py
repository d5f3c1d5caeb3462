"""slim.learning (create_train_op, train), slim.evaluation, slim.model_analyzer and the
variable helpers (get_variables..., restoring from checkpoints and values)."""
import logging
import os

import numpy as np
import pytest

import tensorslim as tf
from tensorslim.contrib import slim
from tensorslim.layers import BatchNormStatisticsWarning


def _data(n=64, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.randn(n, 4, 4, 1).astype(np.float32)
    # class 1 when the top half is brighter than the bottom half
    y = (x[:, :2].sum((1, 2, 3)) > x[:, 2:].sum((1, 2, 3))).astype(np.int64)
    return x, y


def _net(images, is_training=True):
    with slim.arg_scope([slim.conv2d, slim.fully_connected],
                        weights_regularizer=slim.l2_regularizer(1e-4)):
        net = slim.conv2d(images, 4, [3, 3], normalizer_fn=slim.batch_norm,
                          normalizer_params={"is_training": is_training, "decay": 0.9},
                          scope="conv1")
        net = slim.flatten(net)
        return slim.fully_connected(net, 2, activation_fn=None, scope="logits")


def test_create_train_op_runs_update_ops_and_learns():
    tf.set_random_seed(1)
    x, y = _data()
    logits = _net(tf.constant(x))
    slim.losses.sparse_softmax_cross_entropy(logits, tf.constant(y))
    total_loss = slim.losses.get_total_loss()
    train_op = slim.learning.create_train_op(total_loss, tf.train.AdamOptimizer(0.05))
    assert train_op in tf.get_collection(tf.GraphKeys.TRAIN_OP)
    global_step = tf.train.get_global_step()
    moving_mean = slim.get_variables_by_name("moving_mean")[0]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        first = sess.run(train_op)
        for _ in range(59):
            last = sess.run(train_op)
        step, mm = sess.run([global_step, moving_mean])
    assert step == 60
    assert np.all(mm != 0.0)  # the UPDATE_OPS ran with every step
    assert last < first / 5, (first, last)  # the loss falls five-fold in 60 steps


def test_create_train_op_options():
    x = tf.constant([[1.0, 2.0]])
    pred = slim.fully_connected(x, 1, activation_fn=None, scope="a",
                                weights_initializer=tf.zeros_initializer())
    other = slim.fully_connected(x, 1, activation_fn=None, scope="b")
    loss = tf.reduce_sum(tf.square(pred - 10.0)) + tf.reduce_sum(other) * 0.0
    opt = tf.train.GradientDescentOptimizer(1.0)
    train_op = slim.learning.create_train_op(
        loss, opt, global_step=None, variables_to_train=slim.get_variables("a"),
        clip_gradient_norm=1.0, gradient_multipliers={"a/biases": 0.5})
    assert tf.train.get_global_step() is None
    w, b = slim.get_variables("a")
    b_other = slim.get_variables("b/biases")[0]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        before = sess.run(b_other)
        loss_value = sess.run(train_op)
        wv, bv = sess.run([w, b])
        assert sess.run(b_other) == before  # not in variables_to_train
    assert loss_value == 100.0  # the train op evaluates to the loss before the update
    # gradients: w -> [-20, -40], b -> -20 * 0.5; each clipped to norm 1
    np.testing.assert_allclose(wv[:, 0], [1 / np.sqrt(5), 2 / np.sqrt(5)], rtol=1e-5)
    np.testing.assert_allclose(bv, [1.0], rtol=1e-5)
    with pytest.raises(ValueError, match="no variables to train"):
        slim.learning.create_train_op(loss, opt, variables_to_train=[])


def test_train_writes_checkpoints_and_resumes(tmp_path, caplog):
    logdir = str(tmp_path / "train")
    x, y = _data(32)

    def build():
        tf.reset_default_graph()
        logits = _net(tf.constant(x))
        tf.losses.sparse_softmax_cross_entropy(tf.constant(y), logits)
        return slim.learning.create_train_op(tf.losses.get_total_loss(),
                                             tf.train.GradientDescentOptimizer(0.1))

    calls = []
    with caplog.at_level(logging.INFO, logger="tensorslim"):
        loss = slim.learning.train(build(), logdir, number_of_steps=5, log_every_n_steps=2,
                                   init_fn=lambda sess: calls.append(sess))
    assert np.isfinite(loss) and len(calls) == 1
    assert tf.train.latest_checkpoint(logdir).endswith("model.ckpt-5")
    assert "global step 4: loss = " in caplog.text
    # a second run resumes from the checkpoint: init_fn is not called, the step continues
    slim.learning.train(build(), logdir, number_of_steps=8,
                        init_fn=lambda sess: calls.append(sess))
    assert len(calls) == 1
    assert tf.train.latest_checkpoint(logdir).endswith("model.ckpt-8")
    with pytest.raises(ValueError, match="`number_of_steps` must be either None"):
        slim.learning.train(build(), logdir, number_of_steps=0)


def test_evaluate_once_with_metrics(tmp_path):
    x, y = _data(16)
    logits = _net(tf.constant(x), is_training=False)
    predictions = tf.argmax(logits, 1)
    names_to_values, names_to_updates = slim.metrics.aggregate_metric_map({
        "accuracy": slim.metrics.streaming_accuracy(predictions, tf.constant(y)),
    })
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        # the untrained statistics were never updated: the diagnostic says so
        with pytest.warns(BatchNormStatisticsWarning, match="conv1/BatchNorm"):
            expected = (sess.run(predictions) == y).mean()
        path = saver.save(sess, str(tmp_path / "model.ckpt"), global_step=3)
    value = slim.evaluation.evaluate_once("", path, str(tmp_path), num_evals=2,
                                          eval_op=list(names_to_updates.values()),
                                          final_op=names_to_values)
    assert value == {"accuracy": pytest.approx(expected)}
    assert slim.evaluation.get_or_create_eval_step().op.name == "eval_step"
    loop_value = slim.evaluation.evaluation_loop(
        "", str(tmp_path), str(tmp_path), eval_op=list(names_to_updates.values()),
        final_op=names_to_values, eval_interval_secs=0, max_number_of_evaluations=1)
    assert loop_value == {"accuracy": pytest.approx(expected)}


def test_model_analyzer(capsys):
    images = tf.placeholder(tf.float32, [None, 4, 4, 1])
    _net(images)
    total, total_bytes = slim.model_analyzer.analyze_vars(slim.get_model_variables(),
                                                          print_info=True)
    # conv1: 3*3*1*4 weights + beta, moving mean, moving variance (4 each); logits 64*2 + 2
    assert total == 36 + 12 + 130 and total_bytes == 4 * total
    out = capsys.readouterr().out.splitlines()
    assert out[:3] == ["---------", "Variables: name (type shape) [size]", "---------"]
    assert out[3] == "conv1/weights:0 (float32_ref 3x3x1x4) [36, bytes: 144]"
    assert out[-2:] == ["Total size of variables: 178", "Total bytes of variables: 712"]
    ops_total = slim.model_analyzer.analyze_ops(tf.get_default_graph(), print_info=True)
    assert ops_total > 0
    assert "Operations: name -> (type shapes) [size]" in capsys.readouterr().out


def test_variable_helpers():
    with tf.variable_scope("net"):
        w = slim.model_variable("weights", [2, 3], initializer=tf.ones_initializer())
        v = slim.variable("counter", [], trainable=False, collections=["extra"])
        lv = slim.local_variable(np.zeros(2, np.float32), name="local")
    assert w in slim.get_model_variables() and w in tf.trainable_variables()
    assert v not in tf.global_variables() and tf.get_collection("extra") == [v]
    assert slim.get_local_variables() == [lv]
    with tf.variable_scope("other"):
        slim.model_variable("weights", [1])
        slim.model_variable("weights_2", [1])
    assert [x.op.name for x in slim.get_variables_by_name("weights")] == [
        "net/weights", "other/weights"]
    assert [x.op.name for x in slim.get_variables_by_suffix("_2")] == ["other/weights_2"]
    assert slim.get_unique_variable("net/weights") is w
    with pytest.raises(ValueError, match="Couldn't find variable net/nothing"):
        slim.get_unique_variable("net/nothing")
    assert [x.op.name for x in slim.get_variables_to_restore(exclude=["other"])] == [
        "net/weights"]
    assert [x.op.name for x in slim.get_variables_to_restore(include=["other"],
                                                             exclude=["other/weights_2"])] \
        == ["other/weights"]
    with pytest.raises(TypeError, match="include is provided but is not a list"):
        slim.get_variables_to_restore(include="net")
    assert [x.op.name for x in slim.filter_variables(tf.global_variables(),
                                                     exclude_patterns=["_2"])] == [
        "net/weights", "other/weights"]
    assign_op, feed = slim.assign_from_values({"net/weights": np.arange(6.0)})
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(assign_op, feed)
        np.testing.assert_array_equal(sess.run(w), np.arange(6.0).reshape(2, 3))
    with pytest.raises(ValueError, match="Variable net/missing wasn't found"):
        slim.assign_from_values({"net/missing": 1.0})


def test_assign_from_checkpoint(tmp_path):
    a = tf.Variable([1.0, 2.0], name="a")
    b = tf.Variable([3.0], name="b")
    saver = tf.train.Saver([a])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        path = saver.save(sess, str(tmp_path / "only_a"))
    with pytest.raises(ValueError, match=r"Checkpoint is missing variable \[b\]"):
        slim.assign_from_checkpoint(path, [a, b])
    op, feed = slim.assign_from_checkpoint(path, [a, b], ignore_missing_vars=True)
    init_fn = slim.assign_from_checkpoint_fn(path, [a, b], ignore_missing_vars=True)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(tf.assign(a, [0.0, 0.0]))
        sess.run(op, feed)
        np.testing.assert_array_equal(sess.run(a), [1.0, 2.0])
        sess.run(tf.assign(a, [0.0, 0.0]))
        init_fn(sess)
        np.testing.assert_array_equal(sess.run(a), [1.0, 2.0])
    assert slim.assign_from_checkpoint_fn(path, [b], ignore_missing_vars=True) is None
    assert os.path.exists(path + ".index")


def test_initializers_and_regularizers():
    tf.set_random_seed(3)
    w = tf.get_variable("w", [200, 100], initializer=slim.xavier_initializer())
    h = tf.get_variable("h", [3, 3, 64, 128],
                        initializer=slim.variance_scaling_initializer())
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        wv, hv = sess.run([w, h])
    limit = np.sqrt(6.0 / 300)
    assert np.abs(wv).max() <= limit and np.abs(wv).max() > 0.9 * limit
    np.testing.assert_allclose(hv.std(), np.sqrt(2.0 / (9 * 64)), rtol=0.1)
    with pytest.raises(TypeError, match="Unknown mode FAN_SUM"):
        slim.variance_scaling_initializer(mode="FAN_SUM")
    with pytest.raises(TypeError, match="non-floating point type int32"):
        slim.xavier_initializer(dtype=tf.int32)
    with pytest.raises(ValueError, match="scale cannot be an integer"):
        slim.l2_regularizer(1)
    with pytest.raises(ValueError, match="scale less than 0"):
        slim.l1_regularizer(-0.5)
    assert slim.l2_regularizer(0.0)(w) is None
    x = tf.constant([[1.0, -2.0]])
    l1 = slim.l1_regularizer(0.5)(x)
    l1l2 = slim.l1_l2_regularizer(0.5, 0.5)(x)
    total = slim.apply_regularization(slim.l2_regularizer(1.0), [x, x])
    assert total in tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    with tf.Session() as sess:
        assert sess.run([l1, l1l2, total]) == [1.5, 2.75, 5.0]
    with pytest.raises(ValueError, match="No weights to regularize"):
        slim.apply_regularization(slim.l2_regularizer(1.0))


def _needs_summaries():
    if not all(hasattr(tf.summary, n) for n in ("scalar", "histogram", "merge_all",
                                                 "FileWriter")):
        pytest.skip("tf.summary.scalar / histogram / merge_all are not available yet")


def test_summary_helpers_fill_the_summaries_collection():
    _needs_summaries()
    x = tf.placeholder(tf.float32, [None, 3])
    net = slim.fully_connected(x, 4, scope="fc", outputs_collections=tf.GraphKeys.ACTIVATIONS)
    loss = tf.reduce_mean(net)
    slim.summaries.add_scalar_summary(loss, prefix="losses")
    slim.summaries.add_histogram_summaries([net])
    slim.summaries.add_zero_fraction_summary(net)
    slim.summarize_activations()
    slim.summarize_variables("fc/")
    summaries = tf.get_collection(tf.GraphKeys.SUMMARIES)
    assert len(summaries) == 1 + 1 + 1 + 2 + 2
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        blob = sess.run(tf.summary.merge_all(), {x: np.ones((2, 3))})
    tags = {v.tag for v in tf.Summary.FromString(blob).value}
    # A summary named after an existing op is uniquified, as in TF ("fc/Relu_1").
    assert {"losses/Mean", "fc/Relu_1", "fc/weights_1", "fc/biases_1"} <= tags, tags
    assert any(t.startswith("fc/Relu") and "zeros" in t for t in tags), tags
    assert any(t.startswith("fc/Relu") and "activation" in t for t in tags), tags


def test_train_writes_summaries(tmp_path):
    _needs_summaries()
    logdir = str(tmp_path)
    x, y = _data(16)
    logits = _net(tf.constant(x))
    loss = tf.losses.sparse_softmax_cross_entropy(tf.constant(y), logits)
    tf.summary.scalar("loss", loss)
    train_op = slim.learning.create_train_op(loss, tf.train.GradientDescentOptimizer(0.1),
                                             summarize_gradients=True)
    slim.learning.train(train_op, logdir, number_of_steps=3)
    assert any(name.startswith("events.out.tfevents") for name in os.listdir(logdir))
