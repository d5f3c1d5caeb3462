"""tf.losses / slim.losses (weights, reductions, collections, the logits diagnostic,
gradients) and tf.metrics / slim.metrics (streaming values, local variables)."""
import warnings

import numpy as np
import pytest

import tensorslim as tf
from tensorslim.contrib import slim
from tests.gradcheck import check_gradients

RNG = np.random.RandomState(0)
LABELS = RNG.rand(4, 3).astype(np.float32)
PREDS = RNG.rand(4, 3).astype(np.float32)


def _run(*fetches):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(tf.local_variables_initializer())
        return sess.run(list(fetches))


def _softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


# --------------------------------------------------------------------------- losses

@pytest.mark.parametrize("name,ref", [
    ("absolute_difference", lambda l, p: np.abs(p - l)),
    ("mean_squared_error", lambda l, p: (p - l) ** 2),
    ("log_loss", lambda l, p: -l * np.log(p + 1e-7) - (1 - l) * np.log(1 - p + 1e-7)),
    ("huber_loss", lambda l, p: np.where(np.abs(p - l) <= 1.0, 0.5 * (p - l) ** 2,
                                         np.abs(p - l) - 0.5)),
    ("hinge_loss", lambda l, p: np.maximum(0, 1 - (2 * l - 1) * p)),
])
def test_elementwise_losses(device_mode, name, ref):
    fn = getattr(tf.losses, name)
    weights = np.array([[1.0], [0.0], [2.0], [1.0]], np.float32)
    preds = PREDS * 3 if name == "huber_loss" else PREDS
    kwargs = {"logits": preds} if name == "hinge_loss" else {"predictions": preds}
    plain = fn(LABELS, **kwargs)
    weighted = fn(LABELS, weights=weights, **kwargs)
    summed = fn(LABELS, weights=weights, reduction=tf.losses.Reduction.SUM, **kwargs)
    none = fn(LABELS, weights=weights, reduction=tf.losses.Reduction.NONE, **kwargs)
    mean = fn(LABELS, weights=weights, reduction=tf.losses.Reduction.MEAN, **kwargs)
    batch = fn(LABELS, weights=weights, reduction=tf.losses.Reduction.SUM_OVER_BATCH_SIZE,
               **kwargs)
    assert tf.get_collection(tf.GraphKeys.LOSSES) == [plain, weighted, summed, none, mean,
                                                     batch]
    pv, wv, sv, nv, mv, bv = _run(plain, weighted, summed, none, mean, batch)
    per = ref(LABELS.astype(np.float64), preds.astype(np.float64))
    np.testing.assert_allclose(pv, per.mean(), rtol=1e-5)
    np.testing.assert_allclose(wv, (per * weights).sum() / 9.0, rtol=1e-5)
    np.testing.assert_allclose(sv, (per * weights).sum(), rtol=1e-5)
    np.testing.assert_allclose(nv, per * weights, rtol=1e-5)
    np.testing.assert_allclose(mv, (per * weights).sum() / (weights.sum() * 3), rtol=1e-5)
    np.testing.assert_allclose(bv, (per * weights).sum() / 12.0, rtol=1e-5)


def test_cross_entropy_losses():
    logits = RNG.randn(4, 3).astype(np.float32)
    onehot = np.eye(3, dtype=np.float32)[[0, 2, 1, 2]]
    sparse = np.array([0, 2, 1, 2], np.int32)
    soft = tf.losses.softmax_cross_entropy(onehot, logits)
    smooth = tf.losses.softmax_cross_entropy(onehot, logits, label_smoothing=0.3)
    sp = tf.losses.sparse_softmax_cross_entropy(sparse, logits,
                                                weights=np.array([1, 1, 0, 1], np.float32))
    sp_col = tf.losses.sparse_softmax_cross_entropy(sparse[:, None], logits)
    sig = tf.losses.sigmoid_cross_entropy(LABELS, logits, label_smoothing=0.2)
    cos = tf.losses.cosine_distance(onehot, _softmax(logits), axis=1)
    sv, smv, spv, scv, sgv, cv = _run(soft, smooth, sp, sp_col, sig, cos)
    logp = np.log(_softmax(logits.astype(np.float64)))
    per = -(onehot * logp).sum(1)
    np.testing.assert_allclose(sv, per.mean(), rtol=1e-5)
    smoothed = onehot * 0.7 + 0.1
    np.testing.assert_allclose(smv, -(smoothed * logp).sum(1).mean(), rtol=1e-5)
    np.testing.assert_allclose(spv, per[[0, 1, 3]].mean(), rtol=1e-5)
    np.testing.assert_allclose(scv, per.mean(), rtol=1e-5)
    z = LABELS * 0.8 + 0.1
    ref = np.maximum(logits, 0) - logits * z + np.log1p(np.exp(-np.abs(logits)))
    np.testing.assert_allclose(sgv, ref.mean(), rtol=1e-5)
    np.testing.assert_allclose(cv, (1 - (onehot * _softmax(logits)).sum(1)).mean(),
                               rtol=1e-5)


def test_slim_losses_signatures_and_total_loss():
    logits = tf.constant(RNG.randn(4, 3).astype(np.float32))
    onehot = tf.constant(np.eye(3, dtype=np.float32)[[0, 2, 1, 2]])
    a = slim.losses.softmax_cross_entropy(logits, onehot)  # logits first, as in TF-slim
    b = tf.losses.softmax_cross_entropy(onehot, logits)
    c = slim.losses.mean_squared_error(tf.constant(PREDS), tf.constant(LABELS))
    h = slim.losses.hinge_loss(tf.constant(PREDS), tf.constant(LABELS))  # unreduced
    assert h.get_shape().as_list() == [4, 3]
    assert slim.losses.get_losses() == [a, b, c]
    w = tf.Variable(np.ones((2, 2), np.float32), name="w")
    reg = slim.l2_regularizer(0.5)(w)
    tf.add_to_collection(tf.GraphKeys.REGULARIZATION_LOSSES, reg)
    total = slim.losses.get_total_loss()
    data = tf.losses.get_total_loss(add_regularization_losses=False)
    reg_total = tf.losses.get_regularization_loss()
    av, bv, cv, tv, dv, rv = _run(a, b, c, total, data, reg_total)
    np.testing.assert_allclose(av, bv, rtol=1e-6)
    np.testing.assert_allclose(cv, ((PREDS - LABELS) ** 2).mean(), rtol=1e-5)
    np.testing.assert_allclose(rv, 1.0, rtol=1e-6)
    np.testing.assert_allclose(tv, av + bv + cv + 1.0, rtol=1e-5)
    np.testing.assert_allclose(dv, av + bv + cv, rtol=1e-5)
    assert tf.contrib.losses is slim.losses


def test_loss_errors():
    with pytest.raises(ValueError, match="labels must not be None"):
        tf.losses.mean_squared_error(None, PREDS)
    with pytest.raises(ValueError, match="Invalid Reduction Key bogus"):
        tf.losses.mean_squared_error(LABELS, PREDS, reduction="bogus")
    with pytest.raises(ValueError, match="weights can not be broadcast to values"):
        tf.losses.mean_squared_error(LABELS, PREDS, weights=np.ones((4, 2), np.float32))
    with pytest.raises(ValueError, match="mean_squared_error: the shapes of predictions"):
        tf.losses.mean_squared_error(LABELS, PREDS[:, :2])
    with pytest.raises(ValueError, match="You must specify 'axis'"):
        tf.losses.cosine_distance(LABELS, PREDS)
    with pytest.raises(ValueError, match="no losses to add up"):
        tf.losses.get_total_loss()


def test_logits_after_relu_or_softmax_warn():
    x = tf.constant(RNG.randn(4, 5).astype(np.float32))
    labels = tf.constant(np.eye(3, dtype=np.float32)[[0, 1, 2, 0]])
    relu_logits = slim.fully_connected(x, 3, scope="logits_relu")  # slim's default relu
    with pytest.warns(tf.losses.LogitsActivationWarning,
                      match=r"logits_relu/Relu:0 that come straight out of a ReLU.*"
                            r"activation_fn=None") as record:
        tf.losses.softmax_cross_entropy(labels, relu_logits)
    assert record[0].filename == __file__  # points at the user's line
    probs = tf.nn.softmax(slim.fully_connected(x, 3, activation_fn=None, scope="p"))
    with pytest.warns(tf.losses.LogitsActivationWarning, match="out of a softmax"):
        slim.losses.sparse_softmax_cross_entropy(probs, tf.constant([0, 1, 2, 0]))
    with pytest.warns(tf.losses.LogitsActivationWarning, match="out of a sigmoid"):
        tf.losses.sigmoid_cross_entropy(labels, tf.identity(tf.sigmoid(x[:, :3])))
    linear = slim.fully_connected(x, 3, activation_fn=None, scope="linear")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tf.losses.softmax_cross_entropy(labels, linear)


@pytest.mark.parametrize("loss", ["softmax_cross_entropy", "sparse_softmax_cross_entropy",
                                  "sigmoid_cross_entropy", "huber_loss", "log_loss",
                                  "cosine_distance", "mean_squared_error"])
def test_loss_gradients(loss):
    rng = np.random.RandomState(1)
    logits = rng.randn(3, 4)
    weights = np.array([[1.0], [0.5], [2.0]])
    if loss == "softmax_cross_entropy":
        labels = np.eye(4)[[0, 3, 1]]
        build = lambda z: tf.losses.softmax_cross_entropy(labels, z, weights=weights[:, 0],
                                                          label_smoothing=0.1)
    elif loss == "sparse_softmax_cross_entropy":
        build = lambda z: tf.losses.sparse_softmax_cross_entropy([0, 3, 1], z,
                                                                 weights=weights[:, 0])
    elif loss == "sigmoid_cross_entropy":
        labels = (rng.rand(3, 4) > 0.5).astype(np.float64)
        build = lambda z: tf.losses.sigmoid_cross_entropy(labels, z, weights=weights)
    elif loss == "huber_loss":
        labels = rng.randn(3, 4)
        build = lambda z: tf.losses.huber_loss(labels, z * 2, weights=weights, delta=0.7)
    elif loss == "log_loss":
        labels = (rng.rand(3, 4) > 0.5).astype(np.float64)
        logits = rng.rand(3, 4) * 0.8 + 0.1
        build = lambda p: tf.losses.log_loss(labels, p, weights=weights)
    elif loss == "cosine_distance":
        labels = rng.randn(3, 4)
        build = lambda p: tf.losses.cosine_distance(labels, p, axis=1)
    else:
        labels = rng.randn(3, 4)
        build = lambda p: tf.losses.mean_squared_error(labels, p, weights=weights,
                                                       reduction=tf.losses.Reduction.MEAN)
    # the losses compute in float32, as TF's do
    check_gradients(build, [logits], rtol=2e-2, atol=1e-3, delta=1e-3)


def test_contrastive_loss():
    a = RNG.randn(4, 2).astype(np.float32)
    p = RNG.randn(4, 2).astype(np.float32)
    y = np.array([1, 0, 1, 0], np.float32)
    loss = slim.losses.metric_learning.contrastive_loss(y, a, p, margin=2.0)
    d = np.sqrt(((a - p) ** 2).sum(1))
    ref = (y * d ** 2 + (1 - y) * np.maximum(2.0 - d, 0) ** 2).mean()
    np.testing.assert_allclose(_run(loss)[0], ref, rtol=1e-5)


# --------------------------------------------------------------------------- metrics

def _stream(value, update, feeds):
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        updates = [sess.run(update, f) for f in feeds]
        return sess.run(value), updates


def test_accuracy_and_mean_stream_over_batches(device_mode):
    labels = tf.placeholder(tf.int64, [None])
    preds = tf.placeholder(tf.int64, [None])
    weights = tf.placeholder(tf.float32, [None])
    acc, acc_update = tf.metrics.accuracy(labels, preds)
    wacc, wacc_update = tf.metrics.accuracy(labels, preds, weights=weights, name="wacc")
    assert [v.op.name for v in tf.local_variables()] == [
        "accuracy/total", "accuracy/count", "wacc/total", "wacc/count"]
    assert tf.get_collection(tf.GraphKeys.METRIC_VARIABLES) == tf.local_variables()
    assert acc.op.name == "accuracy/value" and acc_update.op.name == "accuracy/update_op"
    feeds = [{labels: [1, 2, 3], preds: [1, 2, 0], weights: [1, 1, 0]},
             {labels: [0], preds: [1], weights: [2]}]
    value, updates = _stream([acc, wacc], [acc_update, wacc_update], feeds)
    np.testing.assert_allclose(updates[0], [2 / 3, 1.0])
    np.testing.assert_allclose(value, [0.5, 0.5])


def test_regression_and_counting_metrics():
    labels = tf.placeholder(tf.float32, [None])
    preds = tf.placeholder(tf.float32, [None])
    mae = tf.metrics.mean_absolute_error(labels, preds)
    mse = tf.metrics.mean_squared_error(labels, preds)
    rmse = tf.metrics.root_mean_squared_error(labels, preds)
    blabels, bpreds = tf.cast(labels, tf.bool), tf.greater(preds, 0.5)
    prec = tf.metrics.precision(blabels, bpreds)
    rec = tf.metrics.recall(blabels, bpreds)
    tp = tf.metrics.true_positives(blabels, bpreds)
    tn = tf.metrics.true_negatives(blabels, bpreds)
    mean = tf.metrics.mean(preds, weights=labels + 1.0)
    assert [v.op.name for v in tf.local_variables()][-8:] == [
        "precision/true_positives/count", "precision/false_positives/count",
        "recall/true_positives/count", "recall/false_negatives/count",
        "true_positives/count", "true_negatives/count", "mean/total", "mean/count"]
    metrics = [mae, mse, rmse, prec, rec, tp, tn, mean]
    lv = np.array([1, 0, 1, 1, 0, 0], np.float32)
    pv = np.array([0.9, 0.8, 0.2, 0.7, 0.1, 0.4], np.float32)
    feeds = [{labels: lv[:3], preds: pv[:3]}, {labels: lv[3:], preds: pv[3:]}]
    values, _ = _stream([m[0] for m in metrics], [m[1] for m in metrics], feeds)
    pos = pv > 0.5
    np.testing.assert_allclose(values[0], np.abs(pv - lv).mean(), rtol=1e-5)
    np.testing.assert_allclose(values[1], ((pv - lv) ** 2).mean(), rtol=1e-5)
    np.testing.assert_allclose(values[2], np.sqrt(((pv - lv) ** 2).mean()), rtol=1e-5)
    np.testing.assert_allclose(values[3], (pos & (lv == 1)).sum() / pos.sum(), rtol=1e-6)
    np.testing.assert_allclose(values[4], (pos & (lv == 1)).sum() / lv.sum(), rtol=1e-6)
    assert values[5] == 2 and values[6] == 2
    np.testing.assert_allclose(values[7], (pv * (lv + 1)).sum() / (lv + 1).sum(), rtol=1e-6)


def test_auc_and_mean_iou():
    rng = np.random.RandomState(2)
    lv = rng.rand(200) > 0.5
    pv = np.clip(lv * 0.3 + rng.rand(200) * 0.7, 0, 1).astype(np.float32)
    auc, auc_update = tf.metrics.auc(tf.constant(lv), tf.constant(pv), num_thresholds=500)
    pos, neg = pv[lv], pv[~lv]
    exact = (pos[:, None] > neg[None, :]).mean()
    iou, iou_update = tf.metrics.mean_iou(tf.constant([0, 1, 1, 2]), tf.constant([0, 1, 2, 2]),
                                          num_classes=3)
    assert tf.local_variables()[-1].op.name == "mean_iou/total_confusion_matrix"
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        sess.run([auc_update, iou_update])
        av, iv = sess.run([auc, iou])
    np.testing.assert_allclose(av, exact, atol=0.01)
    np.testing.assert_allclose(iv, (1.0 + 0.5 + 0.5) / 3, rtol=1e-6)
    with pytest.raises(ValueError, match="curve must be either ROC or PR"):
        tf.metrics.auc(tf.constant(lv), tf.constant(pv), curve="XY")


def test_metric_shape_errors_name_the_fix():
    with pytest.raises(ValueError, match=r"accuracy: predictions .*tf.argmax\(logits, 1\)"):
        tf.metrics.accuracy(tf.zeros([4], tf.int64), tf.zeros([4, 10]))


def test_slim_metrics_streaming_and_aggregate_map():
    labels = tf.constant([1, 0, 1, 1])
    preds = tf.constant([1, 1, 1, 0])
    names_to_values, names_to_updates = slim.metrics.aggregate_metric_map({
        "eval/accuracy": slim.metrics.streaming_accuracy(preds, labels),
        "eval/recall": slim.metrics.streaming_recall(preds, labels),
        "eval/mae": slim.metrics.streaming_mean_absolute_error(preds, labels),
    })
    assert sorted(names_to_values) == ["eval/accuracy", "eval/mae", "eval/recall"]
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        sess.run(list(names_to_updates.values()))
        out = sess.run(names_to_values)
    assert out == {"eval/accuracy": 0.5, "eval/recall": pytest.approx(2 / 3),
                   "eval/mae": 0.5}
    values, updates = slim.metrics.aggregate_metrics(
        slim.metrics.streaming_mean([1.0, 2.0]))
    assert len(values) == 1 and len(updates) == 1
    assert tf.contrib.metrics is slim.metrics
