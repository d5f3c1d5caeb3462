"""``slim.evaluation``: evaluating a checkpoint with streaming metrics.

``evaluate_once`` restores a checkpoint, initializes the local (metric) variables, runs
``initial_op``, then ``eval_op`` (usually the metrics' update ops) ``num_evals`` times, and
returns the value of ``final_op`` (usually the metrics' values). ``evaluation_loop`` does
that for every new checkpoint appearing in a directory.
"""
import logging
import os
import time

from tensorslim.core import dtypes as _dtypes
from tensorslim.core import variables as _variables
from tensorslim.core.graph import GraphKeys, get_collection, get_default_graph

__all__ = ["evaluate_once", "evaluation_loop", "wait_for_new_checkpoint",
           "checkpoints_iterator", "get_or_create_eval_step"]

_logger = logging.getLogger("tensorslim")
_USE_DEFAULT = 0


def _tf():
    import tensorslim
    return tensorslim


def get_or_create_eval_step():
    """The graph's ``eval_step`` counter (a local int64 variable), created if needed."""
    tf = _tf()
    steps = get_collection(GraphKeys.EVAL_STEP)
    if len(steps) == 1:
        return steps[0]
    if len(steps) > 1:
        raise ValueError("Multiple tensors added to tf.GraphKeys.EVAL_STEP")
    with get_default_graph().name_scope(None):
        return _variables.Variable(
            tf.zeros([], _dtypes.int64), trainable=False, name="eval_step",
            collections=[GraphKeys.LOCAL_VARIABLES, GraphKeys.EVAL_STEP])


def _summary_fn(name):
    return getattr(getattr(_tf(), "summary", None), name, None)


def _run_evaluation(checkpoint_path, logdir, num_evals, initial_op, initial_op_feed_dict,
                    init_fn, eval_op, eval_op_feed_dict, final_op, final_op_feed_dict,
                    summary_op, summary_op_feed_dict, saver, session_config):
    tf = _tf()
    graph = get_default_graph()
    eval_step = get_or_create_eval_step()
    with graph.control_dependencies(None):
        increment = tf.assign_add(eval_step, 1)
    local_init = _variables.local_variables_initializer()
    if summary_op is _USE_DEFAULT:
        merge_all = _summary_fn("merge_all")
        summary_op = merge_all() if merge_all is not None else None
    with tf.Session(graph=graph, config=session_config) as sess:
        if saver is not None:
            saver.restore(sess, checkpoint_path)
        else:
            sess.run(_variables.global_variables_initializer())
        sess.run(local_init)
        if init_fn is not None:
            init_fn(sess)
        if initial_op is not None:
            sess.run(initial_op, initial_op_feed_dict)
        _logger.info("Starting evaluation of %s", checkpoint_path)
        for i in range(int(num_evals)):
            if eval_op is not None:
                sess.run([eval_op, increment], eval_op_feed_dict)
            else:
                sess.run(increment)
            _logger.info("Evaluation [%d/%d]", i + 1, num_evals)
        final = sess.run(final_op, final_op_feed_dict) if final_op is not None else None
        file_writer = _summary_fn("FileWriter")
        if summary_op is not None and logdir is not None and file_writer is not None:
            step = _checkpoint_step(checkpoint_path)
            writer = file_writer(logdir, graph)
            writer.add_summary(sess.run(summary_op, summary_op_feed_dict), step)
            writer.close()
        _logger.info("Finished evaluation of %s", checkpoint_path)
    return final


def _checkpoint_step(path):
    tail = os.path.basename(path or "").rpartition("-")[2]
    return int(tail) if tail.isdigit() else 0


def evaluate_once(master, checkpoint_path, logdir, num_evals=1, initial_op=None,
                  initial_op_feed_dict=None, eval_op=None, eval_op_feed_dict=None,
                  final_op=None, final_op_feed_dict=None, summary_op=_USE_DEFAULT,
                  summary_op_feed_dict=None, variables_to_restore=None, session_config=None,
                  hooks=None):
    """Evaluates the model of ``checkpoint_path`` once.

    Args:
      master: accepted for compatibility (in-process only).
      checkpoint_path: the checkpoint prefix to restore.
      logdir: where summaries are written (when tf.summary exists).
      num_evals: how many times to run ``eval_op``.
      initial_op: run once after restoring.
      initial_op_feed_dict: its feed.
      eval_op: run ``num_evals`` times (the metrics' update ops: a list or dict is fine).
      eval_op_feed_dict: its feed.
      final_op: evaluated at the end and returned.
      final_op_feed_dict: its feed.
      summary_op: summaries to write (default: ``tf.summary.merge_all()`` if available).
      summary_op_feed_dict: its feed.
      variables_to_restore: the variables to restore (default: all saveable ones).
      session_config: a ``tf.ConfigProto``.
      hooks: accepted for compatibility.

    Returns:
      The value of ``final_op`` (None without one).
    """
    tf = _tf()
    saver = tf.train.Saver(variables_to_restore)
    return _run_evaluation(checkpoint_path, logdir, num_evals, initial_op,
                           initial_op_feed_dict, None, eval_op, eval_op_feed_dict, final_op,
                           final_op_feed_dict, summary_op, summary_op_feed_dict, saver,
                           session_config)


def wait_for_new_checkpoint(checkpoint_dir, last_checkpoint=None, seconds_to_sleep=1,
                            timeout=None):
    """Waits until ``checkpoint_dir`` has a checkpoint other than ``last_checkpoint``.

    Returns:
      Its path, or None after ``timeout`` seconds.
    """
    tf = _tf()
    stop = time.time() + timeout if timeout is not None else None
    while True:
        path = tf.train.latest_checkpoint(checkpoint_dir)
        if path is not None and path != last_checkpoint:
            return path
        if stop is not None and time.time() + seconds_to_sleep > stop:
            return None
        time.sleep(seconds_to_sleep)


def checkpoints_iterator(checkpoint_dir, min_interval_secs=0, timeout=None, timeout_fn=None):
    """Yields each new checkpoint of ``checkpoint_dir`` as it appears.

    Stops after ``timeout`` seconds without a new one (unless ``timeout_fn()`` returns
    False, which keeps waiting).
    """
    checkpoint = None
    while True:
        new = wait_for_new_checkpoint(checkpoint_dir, checkpoint, timeout=timeout)
        if new is None:
            if timeout_fn is None or timeout_fn():
                return
            continue
        start = time.time()
        checkpoint = new
        yield checkpoint
        wait = min_interval_secs - (time.time() - start)
        if wait > 0:
            time.sleep(wait)


def evaluation_loop(master, checkpoint_dir, logdir, num_evals=1, initial_op=None,
                    initial_op_feed_dict=None, init_fn=None, eval_op=None,
                    eval_op_feed_dict=None, final_op=None, final_op_feed_dict=None,
                    summary_op=_USE_DEFAULT, summary_op_feed_dict=None,
                    variables_to_restore=None, eval_interval_secs=60,
                    max_number_of_evaluations=None, session_config=None, timeout=None,
                    timeout_fn=None, hooks=None):
    """Evaluates every new checkpoint of ``checkpoint_dir`` (see :func:`evaluate_once`).

    Args:
      checkpoint_dir: the directory training writes checkpoints to.
      init_fn: ``f(sess)`` called after restoring.
      eval_interval_secs: the minimum time between evaluations.
      max_number_of_evaluations: stop after this many (None: until ``timeout``).
      timeout: stop after waiting this long for a new checkpoint.
      timeout_fn: called on timeout; return False to keep waiting.
      Others: as for :func:`evaluate_once`.

    Returns:
      The value of ``final_op`` for the last checkpoint evaluated.
    """
    tf = _tf()
    saver = tf.train.Saver(variables_to_restore)
    final = None
    count = 0
    for path in checkpoints_iterator(checkpoint_dir, eval_interval_secs, timeout, timeout_fn):
        final = _run_evaluation(path, logdir, num_evals, initial_op, initial_op_feed_dict,
                                init_fn, eval_op, eval_op_feed_dict, final_op,
                                final_op_feed_dict, summary_op, summary_op_feed_dict, saver,
                                session_config)
        count += 1
        if max_number_of_evaluations is not None and count >= max_number_of_evaluations:
            break
    return final
