"""``slim.learning``: building a training op and running the training loop.

``create_train_op(total_loss, optimizer)`` returns a tensor that, when run, computes the
loss, runs the UPDATE_OPS (batch norm's moving averages) first, applies the gradients and
increments the global step, and evaluates to the loss. ``train(train_op, logdir, ...)`` runs
it in a loop: it initializes the variables (or restores the latest checkpoint of
``logdir``), logs the loss, writes checkpoints (``logdir/model.ckpt-<step>``) and, when
``tf.summary`` is available, summaries, and stops after ``number_of_steps``.
"""
import logging
import os
import time

from tensorslim.core import variables as _variables
from tensorslim.core.graph import (GraphKeys, control_dependencies, get_collection,
                                   get_collection_ref, get_default_graph, name_scope)
from tensorslim.core.ops import control_flow_ops

__all__ = ["create_train_op", "train", "train_step", "clip_gradient_norms",
           "multiply_gradients", "add_gradients_summaries"]

_logger = logging.getLogger("tensorslim")
_USE_DEFAULT = 0
_USE_GLOBAL_STEP = 0


def _tf():
    import tensorslim
    return tensorslim


def _summary_fn(name):
    """``tf.summary.<name>`` when it exists (summaries are optional in tensorslim)."""
    return getattr(getattr(_tf(), "summary", None), name, None)


def clip_gradient_norms(gradients_to_variables, max_norm):
    """Clips each gradient to norm ``max_norm`` (``tf.clip_by_norm``).

    Args:
      gradients_to_variables: ``[(gradient, variable)]``.
      max_norm: the maximum norm.

    Returns:
      The clipped ``[(gradient, variable)]`` (None gradients kept as None).
    """
    tf = _tf()
    out = []
    for grad, var in gradients_to_variables:
        if grad is not None:
            grad = tf.clip_by_norm(grad, max_norm)
        out.append((grad, var))
    return out


def multiply_gradients(grads_and_vars, gradient_multipliers):
    """Multiplies the gradients of the given variables by constants.

    Args:
      grads_and_vars: ``[(gradient, variable)]``.
      gradient_multipliers: ``{variable or variable op name: multiplier}``.

    Returns:
      The scaled ``[(gradient, variable)]``.

    Raises:
      ValueError: ``grads_and_vars`` is not a list, or ``gradient_multipliers`` is empty.
    """
    tf = _tf()
    if not isinstance(grads_and_vars, list):
        raise ValueError("`grads_and_vars` must be a list.")
    if not gradient_multipliers:
        raise ValueError("`gradient_multipliers` is empty.")
    out = []
    for grad, var in grads_and_vars:
        key = var if var in gradient_multipliers else var.op.name
        if grad is not None and key in gradient_multipliers:
            multiplier = tf.constant(gradient_multipliers[key], dtype=grad.dtype.base_dtype)
            grad = tf.multiply(grad, multiplier)
        out.append((grad, var))
    return out


def add_gradients_summaries(grads_and_vars):
    """Adds histogram summaries of the gradients and their norms (needs ``tf.summary``).

    Returns:
      The list of summary ops (empty when summaries are not available).
    """
    tf = _tf()
    histogram, scalar = _summary_fn("histogram"), _summary_fn("scalar")
    if histogram is None or scalar is None:
        return []
    summaries = []
    for grad, var in grads_and_vars:
        if grad is None:
            _logger.info("Var %s has no gradient", var.op.name)
            continue
        summaries.append(histogram(var.op.name + "/gradient", grad))
        summaries.append(scalar(var.op.name + "/gradient_norm", tf.global_norm([grad])))
    return summaries


def create_train_op(total_loss, optimizer, global_step=_USE_GLOBAL_STEP, update_ops=None,
                    variables_to_train=None, clip_gradient_norm=0, summarize_gradients=False,
                    gate_gradients=1, aggregation_method=None,
                    colocate_gradients_with_ops=False, gradient_multipliers=None,
                    check_numerics=True):
    """A tensor that runs one training step and evaluates to the loss.

    The UPDATE_OPS run before the loss is computed (so batch norm's moving statistics are
    updated by every step), then the gradients are computed, optionally scaled and
    clipped, applied, and the global step incremented.

    Args:
      total_loss: the scalar loss (e.g. ``slim.losses.get_total_loss()``).
      optimizer: a ``tf.train.Optimizer``.
      global_step: the global step to increment (default: get or create it; None: none).
      update_ops: ops to run before each step (default: the UPDATE_OPS collection).
      variables_to_train: the variables to update (default: all trainable ones).
      clip_gradient_norm: clip each gradient to this norm when above 0.
      summarize_gradients: add histogram summaries of the gradients (needs tf.summary).
      gate_gradients: ``Optimizer.GATE_OP`` (1), ``GATE_NONE`` (0) or ``GATE_GRAPH`` (2).
      aggregation_method: passed to ``compute_gradients``.
      colocate_gradients_with_ops: passed to ``compute_gradients``.
      gradient_multipliers: ``{variable or name: factor}`` scaling some gradients.
      check_numerics: fail the step when the loss is inf or nan.

    Returns:
      The train op: a Tensor whose value is the loss (``train_op`` is also added to the
      TRAIN_OP collection).

    Raises:
      ValueError: no variables to train.
    """
    tf = _tf()
    if global_step is _USE_GLOBAL_STEP:
        global_step = tf.train.get_or_create_global_step()
    global_update_ops = get_collection(GraphKeys.UPDATE_OPS)
    if update_ops is None:
        update_ops = global_update_ops
    else:
        update_ops = list(update_ops)
        missing = [u for u in global_update_ops if u not in update_ops]
        if missing:
            _logger.warning("update_ops in create_train_op does not contain all the "
                            "update_ops in GraphKeys.UPDATE_OPS (missing: %s)",
                            ", ".join(getattr(u, "name", str(u)) for u in missing))
    update_ops = list(dict.fromkeys(update_ops))
    if update_ops:
        with control_dependencies(update_ops):
            barrier = control_flow_ops.no_op(name="update_barrier")
        total_loss = control_flow_ops.with_dependencies([barrier], total_loss)
    if variables_to_train is None:
        variables_to_train = _variables.trainable_variables()
    if not variables_to_train:
        raise ValueError("create_train_op: there are no variables to train (the "
                         "TRAINABLE_VARIABLES collection is empty and no "
                         "variables_to_train were given).")
    grads = optimizer.compute_gradients(
        total_loss, variables_to_train, gate_gradients=gate_gradients,
        aggregation_method=aggregation_method,
        colocate_gradients_with_ops=colocate_gradients_with_ops)
    if gradient_multipliers:
        with name_scope("multiply_grads"):
            grads = multiply_gradients(grads, gradient_multipliers)
    if clip_gradient_norm > 0:
        with name_scope("clip_grads"):
            grads = clip_gradient_norms(grads, clip_gradient_norm)
    if summarize_gradients:
        with name_scope("summarize_grads"):
            add_gradients_summaries(grads)
    with name_scope("train_op"):
        grad_updates = optimizer.apply_gradients(grads, global_step=global_step)
        if check_numerics:
            total_loss = tf.check_numerics(total_loss, "LossTensor is inf or nan")
        with control_dependencies([grad_updates]):
            train_op = tf.identity(total_loss, name="train_op")
    train_ops = get_collection_ref(GraphKeys.TRAIN_OP)
    if train_op not in train_ops:
        train_ops.append(train_op)
    return train_op


def train_step(sess, train_op, global_step, train_step_kwargs):
    """Runs one training step; the default ``train_step_fn`` of :func:`train`.

    Args:
      sess: the Session.
      train_op: the train op (its value is the loss).
      global_step: the global step tensor.
      train_step_kwargs: a dict; ``should_stop`` / ``should_log`` boolean tensors are
        evaluated after the step when present.

    Returns:
      ``(total_loss, should_stop)``.
    """
    start = time.time()
    total_loss, np_global_step = sess.run([train_op, global_step])
    elapsed = time.time() - start
    if "should_log" in train_step_kwargs:
        if sess.run(train_step_kwargs["should_log"]):
            _logger.info("global step %d: loss = %.4f (%.3f sec/step)", np_global_step,
                         total_loss, elapsed)
    should_stop = False
    if "should_stop" in train_step_kwargs:
        should_stop = bool(sess.run(train_step_kwargs["should_stop"]))
    return total_loss, should_stop


class _Periodic:
    """Calls ``fn`` when ``secs`` have passed since the last call (never when secs <= 0)."""

    def __init__(self, secs, fn):
        self._secs = secs
        self._fn = fn
        self._last = time.time()

    def maybe(self):
        if self._fn is not None and self._secs and self._secs > 0 and \
                time.time() - self._last >= self._secs:
            self._last = time.time()
            self._fn()


def train(train_op, logdir, train_step_fn=train_step, train_step_kwargs=_USE_DEFAULT,
          log_every_n_steps=1, graph=None, master="", is_chief=True, global_step=None,
          number_of_steps=None, init_op=_USE_DEFAULT, init_feed_dict=None,
          local_init_op=_USE_DEFAULT, init_fn=None, ready_op=_USE_DEFAULT,
          summary_op=_USE_DEFAULT, save_summaries_secs=600, summary_writer=_USE_DEFAULT,
          startup_delay_steps=0, saver=None, save_interval_secs=600, sync_optimizer=None,
          session_config=None, session_wrapper=None, trace_every_n_steps=None,
          ignore_live_threads=False):
    """Runs ``train_op`` in a loop, with checkpoints (and summaries) written to ``logdir``.

    Starting: if ``logdir`` holds a checkpoint, the variables are restored from the latest
    one (training resumes); otherwise ``init_op`` runs (with ``init_feed_dict``) and then
    ``init_fn(sess)`` (e.g. from ``slim.assign_from_checkpoint_fn`` for fine-tuning). Then
    ``local_init_op`` runs and the queue runners start.

    Args:
      train_op: from :func:`create_train_op`.
      logdir: where checkpoints (``model.ckpt-<step>``) and summaries go (None: nowhere).
      train_step_fn: ``f(sess, train_op, global_step, train_step_kwargs) ->
        (loss, should_stop)``.
      train_step_kwargs: passed to ``train_step_fn`` (default: ``should_stop`` after
        ``number_of_steps``, ``should_log`` every ``log_every_n_steps``).
      log_every_n_steps: log the loss every n steps (to the "tensorslim" logger).
      graph: the graph (default: the train op's).
      master, is_chief, sync_optimizer, session_wrapper, trace_every_n_steps,
        ignore_live_threads, ready_op: accepted for compatibility (single process).
      global_step: the global step (default: the graph's, created if needed).
      number_of_steps: stop when the global step reaches this (None: run until stopped).
      init_op: initializes the variables (default: global_variables_initializer).
      init_feed_dict: the feed for ``init_op``.
      local_init_op: initializes local variables (default: local_variables_initializer).
      init_fn: ``f(sess)`` called after ``init_op`` on a fresh start.
      summary_op: the summaries to write (default: ``tf.summary.merge_all()`` when
        tf.summary exists; None: none).
      save_summaries_secs: how often to write summaries.
      summary_writer: a FileWriter (default: one on ``logdir``).
      startup_delay_steps: accepted for compatibility.
      saver: the Saver for checkpoints (default: a Saver of all variables).
      save_interval_secs: how often to write a checkpoint (and always at the end).
      session_config: a ``tf.ConfigProto``.

    Returns:
      The loss of the last step.

    Raises:
      ValueError: no train op, or ``number_of_steps`` not positive, or a summary_op/saver
        given without a logdir.
    """
    tf = _tf()
    if train_op is None:
        raise ValueError("train_op cannot be None.")
    if logdir is None:
        if summary_op is not _USE_DEFAULT and summary_op is not None:
            raise ValueError("Cannot provide summary_op because logdir=None")
        if saver is not None:
            raise ValueError("Cannot provide saver because logdir=None")
    if number_of_steps is not None and number_of_steps <= 0:
        raise ValueError("`number_of_steps` must be either None or a positive number.")
    graph = graph or getattr(train_op, "graph", None) or get_default_graph()
    with graph.as_default():
        if global_step is None:
            global_step = tf.train.get_or_create_global_step()
        if logdir is not None and saver is None:
            saver = tf.train.Saver()
        if init_op is _USE_DEFAULT:
            init_op = _variables.global_variables_initializer()
        if local_init_op is _USE_DEFAULT:
            local_init_op = _variables.local_variables_initializer()
        if summary_op is _USE_DEFAULT:
            merge_all = _summary_fn("merge_all")
            summary_op = merge_all() if merge_all is not None else None
        if train_step_kwargs is _USE_DEFAULT:
            with name_scope("train_step"):
                train_step_kwargs = {}
                if number_of_steps:
                    train_step_kwargs["should_stop"] = tf.greater_equal(global_step,
                                                                        number_of_steps)
                else:
                    train_step_kwargs["should_stop"] = tf.constant(False)
                if log_every_n_steps > 0:
                    train_step_kwargs["should_log"] = tf.equal(
                        tf.mod(global_step, log_every_n_steps), 0)
    writer = None
    if logdir is not None:
        tf.gfile.MakeDirs(logdir)
        if summary_writer is _USE_DEFAULT:
            if _summary_fn("FileWriter") is not None:
                writer = _summary_fn("FileWriter")(logdir, graph)
        else:
            writer = summary_writer
    save_path = os.path.join(logdir, "model.ckpt") if logdir is not None else None

    total_loss = None
    with tf.Session(graph=graph, config=session_config) as sess:
        latest = tf.train.latest_checkpoint(logdir) if logdir is not None else None
        if latest:
            _logger.info("Restoring parameters from %s", latest)
            saver.restore(sess, latest)
        else:
            if init_op is not None:
                sess.run(init_op, feed_dict=init_feed_dict)
            if init_fn is not None:
                init_fn(sess)
        if local_init_op is not None:
            sess.run(local_init_op)

        def save_checkpoint():
            _logger.info("Saving checkpoint to path %s", save_path)
            saver.save(sess, save_path, global_step=global_step)

        def write_summaries():
            if summary_op is None or writer is None:
                return
            s, step = sess.run([summary_op, global_step])
            writer.add_summary(s, step)

        checkpoints = _Periodic(save_interval_secs, save_checkpoint if saver else None)
        summaries = _Periodic(save_summaries_secs, write_summaries)
        coord, threads = _start_queue_runners(sess, graph)
        try:
            while True:
                total_loss, should_stop = train_step_fn(sess, train_op, global_step,
                                                        train_step_kwargs)
                if should_stop:
                    break
                checkpoints.maybe()
                summaries.maybe()
        except tf.errors.OutOfRangeError:
            _logger.info("Input exhausted: training stops.")
        finally:
            if coord is not None:
                coord.request_stop()
                coord.join(threads, ignore_live_threads=True)
        if logdir is not None:
            _logger.info("Finished training! Saving model to disk.")
            write_summaries()
            saver.save(sess, save_path, global_step=global_step)
        if writer is not None and summary_writer is _USE_DEFAULT:
            writer.close()
    return total_loss


def _start_queue_runners(sess, graph):
    if not graph.get_collection(GraphKeys.QUEUE_RUNNERS):
        return None, []
    from tensorslim.data.coordinator import Coordinator
    from tensorslim.data.queue_runner import start_queue_runners
    coord = Coordinator()
    return coord, start_queue_runners(sess, coord=coord)
