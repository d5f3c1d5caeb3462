"""The ``tensorslim`` command: train, evaluate, use and export the packaged MNIST models.

::

    tensorslim train lenet --data-dir ../shared/data/mnist --epochs 1
    tensorslim train siamese --data-dir ../shared/data/mnist
    tensorslim eval lenet --checkpoint runs/lenet --data-dir ../shared/data/mnist
    tensorslim predict lenet --checkpoint runs/lenet digit.png
    tensorslim freeze --checkpoint runs/lenet --out lenet.pb
    tensorslim inspect-checkpoint runs/lenet [--tensor LeNet/fc4/biases]
    tensorslim images-to-tfrecord ...

Everything here is ordinary tensorslim code (placeholders, ``slim`` layers, an optimizer, a
``Saver``, ``tf.summary``); the command only adds the loop around it: a tqdm progress bar, an
evaluation on the test set after every epoch, a checkpoint per epoch (and on Ctrl-C) and
TensorBoard summaries in ``--logdir``, resuming from the latest checkpoint found there, and a
one-screen report at the end.

Errors are reported as one line on stderr (``tensorslim: error: ...``) with exit status 1;
``--debug`` (or ``TENSORSLIM_DEBUG=1``) shows the traceback instead.
"""
import argparse
import json
import os
import signal
import sys
import time
import types

import numpy as np

__all__ = ["main", "build_parser", "CLIError", "load_image", "OPTIMIZER_DEFAULTS"]

#: Learning rates used when ``--learning-rate`` is not given.
OPTIMIZER_DEFAULTS = {"adam": 1e-3, "momentum": 0.01, "sgd": 0.05}

_EVAL_BATCH = 250
_SUMMARY_EVERY = 50
_RUN_FILE = "run.json"
_CKPT_NAME = "model.ckpt"
_INPUT_NODE = "images"
_CLASSIFIER_OUTPUT = "Predictions/Reshape_1"
_SIAMESE_OUTPUT = "siamese/embedding/BiasAdd"


class CLIError(Exception):
    """An error the command reports as one line, without a traceback."""


# --------------------------------------------------------------------------- small helpers

def _tf():
    import tensorslim
    return tensorslim


def _slim():
    import tensorslim.layers
    return tensorslim.layers


def _fmt_duration(seconds):
    seconds = int(round(seconds))
    if seconds < 60:
        return "%ds" % seconds
    if seconds < 3600:
        return "%dm%02ds" % divmod(seconds, 60)
    h, rest = divmod(seconds, 3600)
    return "%dh%02dm%02ds" % (h, rest // 60, rest % 60)


def _write_json(path, data):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(data, f, indent=2, sort_keys=True)
    os.replace(tmp, path)


def _read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def _resolve_checkpoint(path, what="--checkpoint"):
    """A checkpoint prefix from a prefix or a directory (its latest checkpoint)."""
    tf = _tf()
    if path is None:
        raise CLIError("%s is required" % what)
    if os.path.isdir(path):
        latest = tf.train.latest_checkpoint(path)
        if latest is None:
            raise CLIError("%s %s: the directory holds no checkpoint (no 'checkpoint' state "
                           "file naming one)" % (what, path))
        return latest
    if path.endswith(".index") or path.endswith(".meta"):
        path = path.rsplit(".", 1)[0]
    if not os.path.exists(path + ".index"):
        raise CLIError("%s %s: no such checkpoint (expected %s.index)" % (what, path, path))
    return path


def _check_checkpoint_matches(prefix, var_list):
    """CLIError naming the variables that are missing or shaped differently."""
    tf = _tf()
    reader = tf.train.NewCheckpointReader(prefix)
    shapes = reader.get_variable_to_shape_map()
    missing, different = [], []
    for var in var_list:
        name = var.op.name
        if name not in shapes:
            missing.append(name)
        elif list(shapes[name]) != var.shape.as_list():
            different.append("%s (checkpoint %s, model %s)" % (name, list(shapes[name]),
                                                               var.shape.as_list()))
    if missing or different:
        parts = []
        if missing:
            parts.append("missing from the checkpoint: %s" % ", ".join(missing[:6]) +
                         (" and %d more" % (len(missing) - 6) if len(missing) > 6 else ""))
        if different:
            parts.append("shaped differently: %s" % "; ".join(different[:4]))
        extra = sorted(set(shapes) - {v.op.name for v in var_list})
        hint = ""
        trainable = {v.op.name for v in var_list if v in var_list[0].graph.get_collection(
            "trainable_variables")}
        if extra and missing and not set(missing) & trainable:
            hint = " (the optimizer's variables differ: was it trained with another " \
                   "--optimizer? use another --logdir)"
        elif extra and missing:
            hint = " (the checkpoint holds e.g. %s: was it written by another model?)" % (
                ", ".join(extra[:3]))
        raise CLIError("checkpoint %s does not match the model: %s%s"
                       % (prefix, "; ".join(parts), hint))


def _load_mnist(data_dir, seed=None):
    """MNIST as [N, 28, 28, 1] float32 images and int64 labels (train/validation/test)."""
    from tensorslim.data import mnist
    try:
        if data_dir is None:
            directory = mnist.maybe_download(None)
            data = mnist.read_data_sets(directory, reshape=False, seed=seed, download=False)
        else:
            if not os.path.isdir(data_dir):
                raise CLIError("--data-dir %s: no such directory (it should hold the four "
                               "MNIST files, e.g. %s; leave --data-dir out to download them "
                               "to %s)" % (data_dir, mnist.TRAIN_IMAGES,
                                           os.path.expanduser(mnist.DEFAULT_DIRECTORY)))
            data = mnist.read_data_sets(data_dir, reshape=False, seed=seed, download=False)
    except FileNotFoundError as e:
        raise CLIError("%s (or leave --data-dir out to download them to %s)"
                       % (str(e).rstrip("."), os.path.expanduser(mnist.DEFAULT_DIRECTORY))
                       ) from None
    except mnist.DownloadError as e:
        raise CLIError(" ".join(str(e).split())) from None
    return data


def _split(dataset, limit=None):
    images = dataset.images
    labels = np.asarray(dataset.labels).astype(np.int64)
    if limit:
        images, labels = images[:limit], labels[:limit]
    return images, labels


def _check_device(device):
    if device is None:
        return None
    from tensorslim.core import devices
    try:
        spec = devices.DeviceSpec.from_string(device)
    except (ValueError, TypeError) as e:
        raise CLIError("--device %s: %s" % (device, e)) from None
    kind = (spec.device_type or "CPU").upper()
    if kind == "GPU" and not devices.gpu_available():
        raise CLIError("--device %s: no GPU is available. tensorslim runs on GPUs through "
                       "cupy: pip install -e \".[gpu]\" on a machine with an NVIDIA GPU and "
                       "CUDA 12" % device)
    return device


def _session(graph):
    tf = _tf()
    return tf.Session(graph=graph, config=tf.ConfigProto(allow_soft_placement=True))


def _terminal_size():
    """tqdm's size arguments: dynamic width, or fixed ones where the terminal reports 0x0
    (some pseudo-terminals do, and tqdm then hides the bar)."""
    try:
        size = os.get_terminal_size(sys.stderr.fileno())
    except (OSError, ValueError, AttributeError):
        size = os.terminal_size((0, 0))
    if size.columns and size.lines:
        return {"dynamic_ncols": True}
    return {"ncols": size.columns or 100, "nrows": size.lines or 24}


class _Interrupt:
    """Turns the first Ctrl-C into a flag the training loop checks after each step."""

    def __init__(self):
        self.requested = False
        self._previous = None

    def __enter__(self):
        try:
            self._previous = signal.signal(signal.SIGINT, self._handle)
        except ValueError:  # not the main thread: Ctrl-C stays a KeyboardInterrupt
            self._previous = None
        return self

    def _handle(self, signum, frame):
        if self.requested:  # a second Ctrl-C stops at once
            raise KeyboardInterrupt
        self.requested = True

    def __exit__(self, *exc):
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
        return False


# --------------------------------------------------------------------------- model graphs

def _optimizer(name, learning_rate):
    tf = _tf()
    if name == "adam":
        return tf.train.AdamOptimizer(learning_rate)
    if name == "momentum":
        return tf.train.MomentumOptimizer(learning_rate, 0.9)
    if name == "sgd":
        return tf.train.GradientDescentOptimizer(learning_rate)
    raise CLIError("unknown optimizer %r (choose adam, momentum or sgd)" % name)


def _add_training(ns, total_loss, cfg, total_steps):
    """Global step, decaying learning rate, optimizer and slim's train op.

    The learning rate decays exponentially (continuously) from its initial value to
    ``lr_decay`` times that at the last of the ``total_steps``: the whole run anneals, so a
    one-epoch run ends as well settled as a three-epoch one.
    """
    tf, slim = _tf(), _slim()
    ns.global_step = tf.train.get_or_create_global_step()
    lr = cfg.learning_rate or OPTIMIZER_DEFAULTS[cfg.optimizer]
    ns.base_learning_rate = lr
    if cfg.lr_decay and cfg.lr_decay != 1.0:
        lr = tf.train.exponential_decay(lr, ns.global_step, max(total_steps, 1),
                                        cfg.lr_decay, name="learning_rate")
    ns.learning_rate = lr
    # TensorBoard: the training curves (written every _SUMMARY_EVERY steps).
    with tf.name_scope("summaries"):
        tf.summary.scalar("loss", total_loss)
        tf.summary.scalar("learning_rate", lr)
        tf.summary.scalar("batch_accuracy", ns.batch_accuracy)
    ns.summary_op = tf.summary.merge_all()
    optimizer = _optimizer(cfg.optimizer, lr)
    # GATE_NONE: nothing needs the image gradient of the first convolution, and without
    # gating the session prunes it (a GATE_OP tuple would compute it every step).
    ns.train_op = slim.learning.create_train_op(total_loss, optimizer,
                                                global_step=ns.global_step, gate_gradients=0)


def _build_classifier(spec, device=None, seed=None, cfg=None, total_steps=1):
    """The classifier graph: images -> network -> Predictions, plus training when cfg."""
    tf, slim = _tf(), _slim()
    ns = types.SimpleNamespace(kind="classifier", spec=spec)
    ns.graph = graph = tf.Graph()
    with graph.as_default(), tf.device(device):
        if seed is not None:
            tf.set_random_seed(seed)
        ns.images = tf.placeholder(tf.float32, [None, 28, 28, 1], name=_INPUT_NODE)
        ns.labels = tf.placeholder(tf.int64, [None], name="labels")
        ns.is_training = tf.placeholder_with_default(False, [], name="is_training")
        inputs = ns.images
        if spec.image_size and spec.image_size != 28:
            pad = (spec.image_size - 28) // 2
            inputs = tf.pad(inputs, [[0, 0], [pad, pad], [pad, pad], [0, 0]], name="pad")
        weight_decay = getattr(cfg, "weight_decay", 0.0) or 0.0
        with slim.arg_scope(spec.arg_scope_fn(weight_decay=weight_decay)):
            ns.logits, ns.end_points = spec.network_fn(inputs, 10, is_training=ns.is_training)
        ns.probabilities = ns.end_points["Predictions"]
        ns.predictions = tf.argmax(ns.logits, 1, name="predicted_class")
        correct = tf.equal(ns.predictions, ns.labels)
        ns.num_correct = tf.reduce_sum(tf.cast(correct, tf.int32), name="num_correct")
        ns.batch_accuracy = tf.reduce_mean(tf.cast(correct, tf.float32), name="accuracy")
        ns.model_variables = slim.get_model_variables()
        if cfg is not None:
            ns.loss = slim.losses.sparse_softmax_cross_entropy(labels=ns.labels,
                                                               logits=ns.logits)
            ns.total_loss = slim.losses.get_total_loss()
            _add_training(ns, ns.total_loss, cfg, total_steps)
        ns.saver = tf.train.Saver(max_to_keep=3)
        ns.init = tf.global_variables_initializer()
    return ns


def _build_siamese(spec, device=None, seed=None, cfg=None, total_steps=1):
    """The Siamese graph: left/right images -> shared towers -> distance vs threshold."""
    tf, slim = _tf(), _slim()
    from tensorslim.models import siamese
    ns = types.SimpleNamespace(kind="siamese", spec=spec)
    ns.graph = graph = tf.Graph()
    margin = getattr(cfg, "margin", None) or 1.0
    with graph.as_default(), tf.device(device):
        if seed is not None:
            tf.set_random_seed(seed)
        ns.images = tf.placeholder(tf.float32, [None, 28, 28, 1], name="left")
        ns.right = tf.placeholder(tf.float32, [None, 28, 28, 1], name="right")
        ns.same = tf.placeholder(tf.float32, [None], name="same")
        ns.embeddings, ns.right_embeddings = spec.network_fn(ns.images, ns.right)
        ns.threshold = tf.Variable(0.5 * margin, trainable=False, name="threshold")
        ns.new_threshold = tf.placeholder(tf.float32, [], name="new_threshold")
        ns.set_threshold = tf.assign(ns.threshold, ns.new_threshold)
        distance = tf.sqrt(tf.reduce_sum(tf.square(ns.embeddings - ns.right_embeddings), 1)
                           + 1e-12, name="distance")
        ns.distance = distance
        correct = tf.equal(distance < ns.threshold, ns.same > 0.5)
        ns.num_correct = tf.reduce_sum(tf.cast(correct, tf.int32), name="num_correct")
        ns.batch_accuracy = tf.reduce_mean(tf.cast(correct, tf.float32), name="accuracy")
        ns.model_variables = tf.trainable_variables() + [ns.threshold]
        if cfg is not None:
            ns.loss = siamese.contrastive_loss(ns.embeddings, ns.right_embeddings, ns.same,
                                               margin=margin)
            ns.total_loss = slim.losses.get_total_loss()
            _add_training(ns, ns.total_loss, cfg, total_steps)
        ns.saver = tf.train.Saver(max_to_keep=3)
        ns.init = tf.global_variables_initializer()
    return ns


def _build(spec, **kwargs):
    if spec.kind == "siamese":
        return _build_siamese(spec, **kwargs)
    return _build_classifier(spec, **kwargs)


# --------------------------------------------------------------------------- evaluation

def _run_batched(sess, fetch, feeds, arrays, batch=_EVAL_BATCH):
    """Runs ``fetch`` over ``arrays`` (aligned, fed to ``feeds``) in batches."""
    out = []
    n = len(arrays[0])
    for start in range(0, n, batch):
        out.append(sess.run(fetch, {f: a[start:start + batch] for f, a in zip(feeds, arrays)}))
    return out


def _evaluate_classifier(sess, ns, images, labels):
    counts = _run_batched(sess, ns.num_correct, [ns.images, ns.labels], [images, labels])
    return {"test_accuracy": float(np.sum(counts)) / max(len(labels), 1)}


def _siamese_eval_pairs(data, test_limit=None, num_pairs=None):
    from tensorslim.models import siamese
    val_images, val_labels = _split(data.validation, test_limit)
    test_images, test_labels = _split(data.test, test_limit)
    n_val = num_pairs or 2 * len(val_labels)
    n_test = num_pairs or len(test_labels)
    # Pairs are drawn as indices once, with fixed seeds: every epoch (and every eval)
    # scores the same balanced pairs.
    val_pairs = siamese.make_pairs(np.arange(len(val_labels)), val_labels, n_val, seed=1)
    test_pairs = siamese.make_pairs(np.arange(len(test_labels)), test_labels, n_test, seed=2)
    return (val_images, val_labels, val_pairs), (test_images, test_labels, test_pairs)


def _evaluate_siamese(sess, ns, eval_sets, update_threshold):
    """Pair accuracy on the test pairs (threshold from validation pairs) and
    nearest-centroid accuracy on the test images."""
    from tensorslim.models import siamese
    (val_images, val_labels, val_pairs), (test_images, test_labels, test_pairs) = eval_sets

    def embed(images):
        return np.concatenate(_run_batched(sess, ns.embeddings, [ns.images], [images]))
    val_emb = embed(val_images)
    test_emb = embed(test_images)
    if update_threshold:
        i, j, same = val_pairs
        threshold, val_acc = siamese.best_threshold(
            siamese.pair_distances(val_emb[i], val_emb[j]), same)
        sess.run(ns.set_threshold, {ns.new_threshold: threshold})
    threshold = float(sess.run(ns.threshold))
    i, j, same = test_pairs
    test_dist = siamese.pair_distances(test_emb[i], test_emb[j])
    return {
        "pair_accuracy": siamese.pair_accuracy(test_dist, same, threshold),
        "threshold": threshold,
        "best_test_threshold_accuracy": siamese.best_threshold(test_dist, same)[1],
        "centroid_accuracy": siamese.centroid_accuracy(val_emb, val_labels, test_emb,
                                                       test_labels),
        "test_pairs": int(len(same)),
    }


def _headline(kind, metrics):
    if kind == "siamese":
        return "pair accuracy %.2f%%" % (100 * metrics["pair_accuracy"])
    return "test accuracy %.2f%%" % (100 * metrics["test_accuracy"])


# --------------------------------------------------------------------------- train

def _epoch_batches(kind, train, epoch, seed, batch_size, steps, skip):
    """Feeds for one epoch: a seeded permutation of the training set (or fresh pairs)."""
    rng = np.random.RandomState((seed * 1000003 + epoch) % (2 ** 31))
    images, labels = train
    if kind == "siamese":
        from tensorslim.models import siamese
        left, right, same = siamese.make_pairs(np.arange(len(labels)), labels,
                                               steps * batch_size,
                                               seed=int(rng.randint(2 ** 31)))
        for s in range(skip, steps):
            sl = slice(s * batch_size, (s + 1) * batch_size)
            yield batch_size * 2, (images[left[sl]], images[right[sl]], same[sl])
        return
    order = rng.permutation(len(labels))
    for s in range(skip, steps):
        idx = order[s * batch_size:(s + 1) * batch_size]
        yield batch_size, (images[idx], labels[idx])


def _train(args):
    tf = _tf()
    spec = _model_spec(args.model)
    device = _check_device(args.device)
    seed = args.seed
    logdir = args.logdir or os.path.join("runs", spec.name)
    data = _load_mnist(args.data_dir, seed=seed)
    train = _split(data.train, args.train_size)
    batch_size = args.batch_size or (128 if spec.kind == "siamese" else 32)
    if spec.kind == "siamese":
        pairs_per_epoch = args.pairs_per_epoch or len(train[1])
        steps_per_epoch = max(pairs_per_epoch // batch_size, 1)
        eval_sets = _siamese_eval_pairs(data, args.test_size)
        test = None
    else:
        steps_per_epoch = max(len(train[1]) // batch_size, 1)
        test = _split(data.test, args.test_size)
    epochs = args.epochs if args.epochs is not None else 1
    total_steps = epochs * steps_per_epoch
    if args.max_steps:
        total_steps = min(total_steps, args.max_steps)

    os.makedirs(logdir, exist_ok=True)
    run_path = os.path.join(logdir, _RUN_FILE)
    run = _read_json(run_path) or {}
    if run.get("model") not in (None, spec.name):
        raise CLIError("--logdir %s holds a %s run; train %s in another --logdir"
                       % (logdir, run["model"], spec.name))
    if run and run.get("batch_size") not in (None, batch_size) and \
            tf.train.latest_checkpoint(logdir):
        raise CLIError("--logdir %s was trained with --batch-size %s; resume with the same "
                       "batch size or use another --logdir" % (logdir, run["batch_size"]))
    ns = _build(spec, device=device, seed=seed, cfg=args, total_steps=total_steps)
    ns.graph.finalize()
    sess = _session(ns.graph)
    latest = tf.train.latest_checkpoint(logdir)
    if latest:
        with ns.graph.as_default():
            _check_checkpoint_matches(latest, tf.global_variables())
        ns.saver.restore(sess, latest)
        print("Resuming from %s" % latest)
    else:
        sess.run(ns.init)
    step = int(sess.run(ns.global_step))
    writer = tf.summary.FileWriter(logdir, graph=None if latest else ns.graph)
    history = run.get("history", []) if latest else []
    run.update(model=spec.name, batch_size=batch_size, optimizer=args.optimizer,
               learning_rate=ns.base_learning_rate, lr_decay=args.lr_decay,
               total_steps=total_steps,
               steps_per_epoch=steps_per_epoch, history=history)

    from tqdm import tqdm
    train_seconds = sum(h.get("seconds", 0.0) for h in history)
    train_images = sum(h.get("images", 0) for h in history)
    interrupted = False
    last_metrics = history[-1]["metrics"] if history else None
    loss_avg = acc_avg = None
    with _Interrupt() as interrupt:
        while step < total_steps and not interrupted:
            epoch = step // steps_per_epoch
            skip = step % steps_per_epoch
            steps_here = min(steps_per_epoch, total_steps - epoch * steps_per_epoch)
            interactive = sys.stderr.isatty() and not args.quiet
            bar = tqdm(total=steps_here, initial=skip, unit="step",
                       desc="epoch %d/%d" % (epoch + 1, epochs), disable=not interactive,
                       leave=True, **_terminal_size())
            # Without a terminal (nohup, CI logs) a plain line every tenth of an epoch.
            log_every = 0 if interactive or args.quiet else max(steps_here // 10, 1)
            t0 = time.time()
            images_done = 0
            last_post = 0.0
            for n_images, batch in _epoch_batches(spec.kind, train, epoch, seed,
                                                  batch_size, steps_here, skip):
                if ns.kind == "siamese":
                    feed = {ns.images: batch[0], ns.right: batch[1], ns.same: batch[2]}
                else:
                    feed = {ns.images: batch[0], ns.labels: batch[1], ns.is_training: True}
                if step % _SUMMARY_EVERY == 0:
                    loss, correct, summary = sess.run(
                        [ns.train_op, ns.num_correct, ns.summary_op], feed)
                    writer.add_summary(summary, step)
                else:
                    loss, correct = sess.run([ns.train_op, ns.num_correct], feed)
                step += 1
                images_done += n_images
                acc = correct / float(len(batch[-1]))
                loss_avg = loss if loss_avg is None else 0.95 * loss_avg + 0.05 * loss
                acc_avg = acc if acc_avg is None else 0.95 * acc_avg + 0.05 * acc
                bar.update(1)
                now = time.time()
                if now - last_post > 0.5 or log_every:
                    last_post = now
                    status = "loss %.4f, acc %.1f%%, %.0f img/s" % (
                        loss_avg, 100 * acc_avg, images_done / max(now - t0, 1e-9))
                    bar.set_postfix_str(status, refresh=False)
                    if log_every and (step - epoch * steps_per_epoch) % log_every == 0:
                        print("epoch %d/%d step %d/%d: %s" % (
                            epoch + 1, epochs, step - epoch * steps_per_epoch, steps_here,
                            status), flush=True)
                if not np.isfinite(loss):
                    bar.close()
                    raise CLIError("the loss became %s at step %d; lower --learning-rate "
                                   "(now %g)" % (loss, step, ns.base_learning_rate))
                if interrupt.requested:
                    interrupted = True
                    break
            bar.close()
            seconds = time.time() - t0
            train_seconds += seconds
            train_images += images_done
            path = ns.saver.save(sess, os.path.join(logdir, _CKPT_NAME), global_step=step)
            if interrupted:
                break
            t1 = time.time()
            if ns.kind == "siamese":
                metrics = _evaluate_siamese(sess, ns, eval_sets, update_threshold=True)
                path = ns.saver.save(sess, os.path.join(logdir, _CKPT_NAME),
                                     global_step=step)
            else:
                metrics = _evaluate_classifier(sess, ns, *test)
            last_metrics = metrics
            writer.add_summary(tf.Summary(value=[
                tf.Summary.Value(tag="eval/" + k, simple_value=float(v))
                for k, v in sorted(metrics.items())]), step)
            writer.flush()
            complete = step % steps_per_epoch == 0
            history.append({"epoch": epoch + 1 if complete else step / steps_per_epoch,
                            "step": step, "seconds": seconds, "images": images_done,
                            "loss": float(loss_avg), "train_accuracy": float(acc_avg),
                            "metrics": metrics, "eval_seconds": time.time() - t1})
            _write_json(run_path, run)
            tqdm.write("epoch %s: loss %.4f, train accuracy %.2f%%, %s (%s, %.0f img/s)" % (
                history[-1]["epoch"] if complete else "%.2f" % history[-1]["epoch"],
                loss_avg, 100 * acc_avg, _headline(ns.kind, metrics),
                _fmt_duration(seconds), images_done / max(seconds, 1e-9)))
    writer.close()
    if interrupted:
        _write_json(run_path, run)
        print("\nInterrupted at step %d of %d; checkpoint saved to %s.\nRun the same command "
              "again to resume." % (step, total_steps, path))
        sess.close()
        return 130
    if last_metrics is None:  # nothing left to train: evaluate what is there
        if ns.kind == "siamese":
            last_metrics = _evaluate_siamese(sess, ns, eval_sets, update_threshold=False)
        else:
            last_metrics = _evaluate_classifier(sess, ns, *test)
    checkpoint = tf.train.latest_checkpoint(logdir)
    sess.close()
    _report(spec, args, run, last_metrics, train_seconds, train_images, step,
            steps_per_epoch, checkpoint, logdir, batch_size)
    return 0


def _report(spec, args, run, metrics, seconds, images, step, steps_per_epoch, checkpoint,
            logdir, batch_size):
    history = run.get("history", [])
    epochs_done = step / float(steps_per_epoch)
    lines = ["", "=" * 72]
    lines.append("%s on MNIST: %s epoch%s, step %d" % (
        spec.name, ("%d" % epochs_done) if epochs_done == int(epochs_done)
        else "%.2f" % epochs_done, "" if epochs_done == 1 else "s", step))
    if spec.kind == "siamese":
        lines.append("  pair accuracy     %.2f%%  (%d balanced test pairs, threshold %.3f "
                     "chosen on validation pairs)" % (100 * metrics["pair_accuracy"],
                                                      metrics["test_pairs"],
                                                      metrics["threshold"]))
        lines.append("  centroid accuracy %.2f%%  (nearest class centroid, test images)"
                     % (100 * metrics["centroid_accuracy"]))
    else:
        per_epoch = ", ".join("%.2f%%" % (100 * h["metrics"]["test_accuracy"])
                              for h in history[-6:])
        lines.append("  test accuracy     %.2f%%  (after each epoch: %s)"
                     % (100 * metrics["test_accuracy"], per_epoch or "-"))
    if seconds > 0:
        full_epochs = [h for h in history if h.get("images")]
        epoch_times = ", ".join(_fmt_duration(h["seconds"]) for h in full_epochs[-6:])
        lines.append("  training time     %s  (per epoch: %s)" % (_fmt_duration(seconds),
                                                                   epoch_times))
        lines.append("  throughput        %.0f images/s  (batch %d)" % (images / seconds,
                                                                       batch_size))
    lr = run.get("learning_rate")
    decay = run.get("lr_decay")
    lines.append("  optimizer         %s, learning rate %g%s" % (
        run.get("optimizer"), lr, (" decaying to %g over %d steps" % (
            lr * decay, run.get("total_steps", step))) if decay not in (None, 1.0) else ""))
    lines.append("  checkpoint        %s" % checkpoint)
    lines.append("  logdir            %s  (run again to resume or train longer)" % logdir)
    data = " --data-dir %s" % args.data_dir if args.data_dir else ""
    lines.append("  next              tensorslim eval %s --checkpoint %s%s"
                 % (spec.name, logdir, data))
    lines.append("                    tensorslim freeze --checkpoint %s --out %s.pb"
                 % (logdir, spec.name))
    lines.append("=" * 72)
    print("\n".join(lines))


# --------------------------------------------------------------------------- eval/predict

def _model_spec(name):
    from tensorslim import models
    try:
        return models.get_spec(name)
    except ValueError as e:
        raise CLIError(str(e)) from None


def _restore_for_inference(spec, checkpoint, device=None):
    tf = _tf()
    prefix = _resolve_checkpoint(checkpoint)
    ns = _build(spec, device=_check_device(device))
    with ns.graph.as_default():
        _check_checkpoint_matches(prefix, ns.model_variables)
        restorer = tf.train.Saver(ns.model_variables)
    sess = _session(ns.graph)
    restorer.restore(sess, prefix)
    return ns, sess, prefix


def _eval(args):
    spec = _model_spec(args.model)
    ns, sess, prefix = _restore_for_inference(spec, args.checkpoint, args.device)
    data = _load_mnist(args.data_dir)
    t0 = time.time()
    if spec.kind == "siamese":
        metrics = _evaluate_siamese(sess, ns, _siamese_eval_pairs(data, args.test_size),
                                    update_threshold=False)
        print("%s: pair accuracy %.2f%% on %d balanced test pairs (threshold %.3f; the best "
              "threshold on these pairs would give %.2f%%), nearest-centroid accuracy "
              "%.2f%% (%s)" % (prefix, 100 * metrics["pair_accuracy"], metrics["test_pairs"],
                               metrics["threshold"],
                               100 * metrics["best_test_threshold_accuracy"],
                               100 * metrics["centroid_accuracy"],
                               _fmt_duration(time.time() - t0)))
    else:
        images, labels = _split(data.test, args.test_size)
        metrics = _evaluate_classifier(sess, ns, images, labels)
        print("%s: test accuracy %.2f%% (%d images, %s)" % (
            prefix, 100 * metrics["test_accuracy"], len(labels),
            _fmt_duration(time.time() - t0)))
    sess.close()
    return 0


def load_image(path, size=28):
    """Reads an image file as an MNIST-style ``[size, size, 1]`` float32 array in [0, 1].

    Images are converted to grayscale; a light background (dark digit on white paper) is
    inverted to MNIST's white-on-black. An image that is not already ``size x size`` is
    cropped to its ink, scaled so the longer side is ``20/28`` of ``size`` and centred, as
    MNIST's digits were.

    Args:
      path: the image file (any format Pillow reads).
      size: the output height and width.

    Returns:
      A float32 array ``[size, size, 1]``.

    Raises:
      CLIError: the file cannot be read as an image.
    """
    from PIL import Image, UnidentifiedImageError
    try:
        with Image.open(path) as img:
            img.load()
            if img.mode in ("RGBA", "LA") or "transparency" in img.info:
                background = Image.new("RGBA", img.size, (255, 255, 255, 255))
                img = Image.alpha_composite(background, img.convert("RGBA"))
            gray = np.asarray(img.convert("L"), dtype=np.float32) / 255.0
    except (OSError, UnidentifiedImageError, ValueError) as e:
        raise CLIError("cannot read image %s: %s" % (path, e)) from None
    if gray.size == 0:
        raise CLIError("cannot read image %s: it is empty" % path)
    # Decide the background from the border pixels.
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    if border.mean() > 0.5:
        gray = 1.0 - gray
    if gray.shape != (size, size):
        ink = gray > 0.2
        if ink.any():
            rows = np.flatnonzero(ink.any(axis=1))
            cols = np.flatnonzero(ink.any(axis=0))
            gray = gray[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
        box = int(round(size * 20 / 28.0))
        h, w = gray.shape
        scale = box / float(max(h, w))
        new = (max(1, int(round(w * scale))), max(1, int(round(h * scale))))
        resized = Image.fromarray((gray * 255).astype(np.uint8)).resize(new, Image.BILINEAR)
        canvas = np.zeros((size, size), np.float32)
        top, left = (size - new[1]) // 2, (size - new[0]) // 2
        canvas[top:top + new[1], left:left + new[0]] = np.asarray(resized, np.float32) / 255.0
        gray = canvas
    return gray.reshape(size, size, 1).astype(np.float32)


def _predict(args):
    spec = _model_spec(args.model)
    if not args.images:
        raise CLIError("predict needs at least one image file")
    images = np.stack([load_image(p) for p in args.images])
    ns, sess, prefix = _restore_for_inference(spec, args.checkpoint, args.device)
    if spec.kind == "siamese":
        if len(args.images) % 2:
            raise CLIError("predict siamese compares images two by two: give an even number "
                           "of image files (got %d)" % len(args.images))
        emb = sess.run(ns.embeddings, {ns.images: images})
        threshold = float(sess.run(ns.threshold))
        from tensorslim.models import siamese
        d = siamese.pair_distances(emb[0::2], emb[1::2])
        for a, b, dist in zip(args.images[0::2], args.images[1::2], d):
            print("%s %s: distance %.3f -> %s (threshold %.3f)" % (
                a, b, dist, "same digit" if dist < threshold else "different digits",
                threshold))
    else:
        probs = sess.run(ns.probabilities, {ns.images: images})
        for path, p in zip(args.images, probs):
            k = int(np.argmax(p))
            print("%s: %d (probability %.4f)" % (path, k, float(p[k])))
    sess.close()
    return 0


# --------------------------------------------------------------------------- freeze/inspect

def _freeze(args):
    tf = _tf()
    from tensorslim.python.framework import graph_util
    prefix = _resolve_checkpoint(args.checkpoint)
    meta = prefix + ".meta"
    if not os.path.exists(meta):
        raise CLIError("freeze needs the graph of the checkpoint, %s, which is missing (save "
                       "with write_meta_graph=True)" % meta)
    graph = tf.Graph()
    with graph.as_default():
        saver = tf.train.import_meta_graph(meta, clear_devices=True)
        names = {op.name for op in graph.get_operations()}
        outputs = args.output_node
        if not outputs:
            outputs = [n for n in (_CLASSIFIER_OUTPUT, _SIAMESE_OUTPUT) if n in names][:1]
            if not outputs:
                raise CLIError("give --output-node NAME: the graph has none of the known "
                               "outputs (%s, %s)" % (_CLASSIFIER_OUTPUT, _SIAMESE_OUTPUT))
        outputs = [o.split(":")[0] for o in outputs]
        unknown = [o for o in outputs if o not in names]
        if unknown:
            raise CLIError("--output-node %s: no such node in %s" % (", ".join(unknown), meta))
        sess = _session(graph)
        saver.restore(sess, prefix)
        frozen = graph_util.convert_variables_to_constants(sess, graph.as_graph_def(),
                                                           outputs)
        sess.close()
    data = frozen.SerializeToString()
    out_dir = os.path.dirname(os.path.abspath(args.out))
    os.makedirs(out_dir, exist_ok=True)
    with open(args.out, "wb") as f:
        f.write(data)
    inputs = [n.name for n in frozen.node if n.op in ("Placeholder", "PlaceholderWithDefault")]
    print("Froze %s into %s: %d nodes, %.1f MB; inputs %s, output%s %s" % (
        prefix, args.out, len(frozen.node), len(data) / 1e6,
        ", ".join("%s:0" % i for i in inputs) or "(none)", "s" if len(outputs) > 1 else "",
        ", ".join("%s:0" % o for o in outputs)))
    return 0


def _inspect(args):
    tf = _tf()
    path = args.checkpoint
    if os.path.isdir(path) or not os.path.exists(path + ".index"):
        path = _resolve_checkpoint(path, what="checkpoint")
    reader = tf.train.NewCheckpointReader(path)
    shapes = reader.get_variable_to_shape_map()
    dtypes = reader.get_variable_to_dtype_map()
    if args.tensor:
        for name in args.tensor:
            if name.endswith(":0"):
                name = name[:-2]
            if name not in shapes:
                close = [n for n in sorted(shapes) if name.split("/")[-1] in n][:5]
                raise CLIError("%s has no tensor %r%s" % (
                    path, name, (" (did you mean %s?)" % ", ".join(close)) if close else ""))
            value = reader.get_tensor(name)
            print("tensor_name: %s  %s %s" % (name, dtypes[name].name, list(np.shape(value))))
            with np.printoptions(threshold=args.max_values, linewidth=100):
                print(value)
        return 0
    rows = []
    total_elems = total_bytes = 0
    for name in sorted(shapes):
        shape = list(shapes[name])
        dtype = dtypes[name]
        elems = int(np.prod(shape)) if shape else 1
        nbytes = elems * (dtype.size if dtype.name != "string" else 0)
        total_elems += elems
        total_bytes += nbytes
        rows.append((name, dtype.name, str(shape), "{:,}".format(elems), _fmt_bytes(nbytes)))
    widths = [max(len(r[i]) for r in rows + [("name", "dtype", "shape", "size", "bytes")])
              for i in range(5)]
    header = ("name", "dtype", "shape", "size", "bytes")
    print("checkpoint %s: %d tensors" % (path, len(rows)))
    fmt = "  %-*s  %-*s  %-*s  %*s  %*s"
    print(fmt % (widths[0], header[0], widths[1], header[1], widths[2], header[2],
                 widths[3], header[3], widths[4], header[4]))
    for r in rows:
        print(fmt % (widths[0], r[0], widths[1], r[1], widths[2], r[2], widths[3], r[3],
                     widths[4], r[4]))
    print("total: {:,} values, {}".format(total_elems, _fmt_bytes(total_bytes)))
    return 0


def _fmt_bytes(n):
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return ("%d %s" % (n, unit)) if unit == "B" else ("%.1f %s" % (n, unit))
        n /= 1024.0


def _images_to_tfrecord(args, rest):
    try:
        from tensorslim.data import convert_images
    except ImportError as e:
        raise CLIError("images-to-tfrecord is not available: %s" % e) from None
    return convert_images.main(list(rest)) or 0


# --------------------------------------------------------------------------- parser

def build_parser():
    """The argparse parser of the ``tensorslim`` command (one subparser per command)."""
    from tensorslim import models
    parser = argparse.ArgumentParser(
        prog="tensorslim",
        description="Train, evaluate, use and export the tensorslim MNIST models.")
    parser.add_argument("--debug", action="store_true",
                        help="show tracebacks instead of one-line errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    # The MNIST models (the ImageNet networks of the registry need 224x224 images).
    model_names = [n for n in models.names() if models.get_spec(n).image_size in (28, 32)]

    def model_arg(p):
        p.add_argument("model", metavar="MODEL", choices=model_names,
                       help="one of: %s" % ", ".join(model_names))

    def common(p):
        p.add_argument("--data-dir", default=None,
                       help="directory holding the four MNIST files (default: download "
                            "them to ~/.tensorslim/datasets/mnist)")
        p.add_argument("--device", default=None,
                       help="/cpu:0 or /gpu:0 (needs cupy: pip install -e \".[gpu]\")")
        p.add_argument("--test-size", type=int, default=None,
                       help="evaluate on the first N test images only (siamese: and on the "
                            "first N validation images)")
        p.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)

    p = sub.add_parser("train", help="train a model on MNIST",
                       description="Train a model on MNIST, evaluate it on the test set "
                                   "after each epoch and checkpoint it to --logdir "
                                   "(resuming from the latest checkpoint there).")
    model_arg(p)
    common(p)
    p.add_argument("--epochs", type=int, default=None, help="epochs to train (default 1)")
    p.add_argument("--batch-size", type=int, default=None,
                   help="examples per step (default 32; 128 pairs for siamese)")
    p.add_argument("--optimizer", choices=sorted(OPTIMIZER_DEFAULTS), default="adam",
                   help="default adam")
    p.add_argument("--learning-rate", type=float, default=None,
                   help="initial learning rate (default: adam 1e-3, momentum 0.01, sgd 0.05)")
    p.add_argument("--lr-decay", type=float, default=0.1,
                   help="the learning rate decays exponentially to this fraction of its "
                        "initial value over the whole run (default 0.1; 1 keeps it constant)")
    p.add_argument("--weight-decay", type=float, default=0.0,
                   help="L2 weight decay of the layers (default 0)")
    p.add_argument("--margin", type=float, default=1.0,
                   help="siamese: contrastive-loss margin (default 1.0)")
    p.add_argument("--pairs-per-epoch", type=int, default=None,
                   help="siamese: training pairs per epoch (default: one per training image)")
    p.add_argument("--logdir", default=None, help="checkpoint directory (default runs/MODEL)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--max-steps", type=int, default=None,
                   help="stop after this many steps in all (for quick trials)")
    p.add_argument("--train-size", type=int, default=None,
                   help="train on the first N training images only")
    p.add_argument("--quiet", action="store_true", help="no progress bar")

    p = sub.add_parser("eval", help="evaluate a checkpoint on the MNIST test set")
    model_arg(p)
    common(p)
    p.add_argument("--checkpoint", required=True,
                   help="a checkpoint prefix or a directory (its latest checkpoint)")

    p = sub.add_parser("predict", help="classify image files with a trained model")
    model_arg(p)
    p.add_argument("--checkpoint", required=True,
                   help="a checkpoint prefix or a directory (its latest checkpoint)")
    p.add_argument("--device", default=None, help="/cpu:0 or /gpu:0")
    p.add_argument("images", nargs="+", metavar="IMAGE",
                   help="image files (siamese: compared two by two)")
    p.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)

    p = sub.add_parser("freeze", help="write a checkpoint's graph with its variables "
                                      "folded into constants (.pb)")
    p.add_argument("--checkpoint", required=True,
                   help="a checkpoint prefix or a directory (its latest checkpoint)")
    p.add_argument("--output-node", action="append", default=None, metavar="NAME",
                   help="output node(s) to keep (default %s, or %s for siamese)"
                        % (_CLASSIFIER_OUTPUT, _SIAMESE_OUTPUT))
    p.add_argument("--out", required=True, help="the .pb file to write")
    p.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)

    p = sub.add_parser("inspect-checkpoint",
                       help="list a checkpoint's tensors (names, dtypes, shapes, sizes)")
    p.add_argument("checkpoint", metavar="PATH",
                   help="a checkpoint prefix or a directory (its latest checkpoint)")
    p.add_argument("--tensor", action="append", default=None, metavar="NAME",
                   help="print the values of this tensor (repeatable)")
    p.add_argument("--max-values", type=int, default=1000,
                   help="summarise arrays with more values than this (default 1000)")
    p.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)

    sub.add_parser("images-to-tfrecord", add_help=False,
                   help="convert a folder of class sub-folders of images to TFRecords "
                        "(see tensorslim images-to-tfrecord --help)")
    return parser


_COMMANDS = {"train": _train, "eval": _eval, "predict": _predict, "freeze": _freeze,
             "inspect-checkpoint": _inspect}


def _one_line(e):
    text = " ".join(str(e).split()) or type(e).__name__
    return text


def main(argv=None):
    """Runs the ``tensorslim`` command.

    Args:
      argv: the arguments without the program name (default ``sys.argv[1:]``).

    Returns:
      The exit status: 0 on success, 1 on an error (reported as one line on stderr), 2 on
      bad usage, 130 when training was interrupted with Ctrl-C (after saving a checkpoint).
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv or os.environ.get("TENSORSLIM_DEBUG") == "1"
    # images-to-tfrecord has its own parser: hand it everything after the command name.
    rest = [a for a in argv if a != "--debug"]
    if rest and rest[0] == "images-to-tfrecord":
        runner, parsed = (lambda a: _images_to_tfrecord(a, rest[1:])), None
    else:
        parser = build_parser()
        parsed = parser.parse_args(argv)
        if parsed.command is None:
            parser.print_help()
            return 2
        runner = _COMMANDS[parsed.command]
    try:
        return runner(parsed)
    except KeyboardInterrupt:
        print("tensorslim: interrupted", file=sys.stderr)
        return 130
    except SystemExit:
        raise
    except Exception as e:  # noqa: BLE001 - every error becomes one line, by design
        if debug:
            raise
        if isinstance(e, CLIError):
            message = _one_line(e)
        else:
            message = "%s: %s" % (type(e).__name__, _one_line(e))
        if not isinstance(e, CLIError):
            message += " (--debug shows the traceback)"
        print("tensorslim: error: %s" % message, file=sys.stderr)
        return 1
