"""Reading checkpoints without a graph: ``tf.train.list_variables``, ``load_variable``,
``NewCheckpointReader`` and the ``checkpoint`` state-file functions.

A checkpoint argument may be a prefix (``ckpt/model.ckpt-3``) or a directory, which means
the latest checkpoint its state file names.
"""
import logging
import time

from tensorslim.io import bundle, gfile
from tensorslim.io import checkpoint_state as _state
from tensorslim.io.checkpoint_state import (CheckpointState, checkpoint_exists,
                                            generate_checkpoint_state_proto,
                                            get_checkpoint_state, latest_checkpoint)
from tensorslim.training.saver import get_checkpoint_mtimes, remove_checkpoint, restore_v2

__all__ = ["CheckpointReader", "NewCheckpointReader", "load_checkpoint", "load_variable",
           "list_variables", "latest_checkpoint", "get_checkpoint_state", "checkpoint_exists",
           "update_checkpoint_state", "generate_checkpoint_state_proto",
           "get_checkpoint_mtimes", "remove_checkpoint", "CheckpointState",
           "init_from_checkpoint", "wait_for_new_checkpoint", "checkpoints_iterator"]

_logger = logging.getLogger("tensorslim")


class CheckpointReader(bundle.BundleReader):
    """``tf.train.NewCheckpointReader``'s reader: ``get_variable_to_shape_map``,
    ``get_variable_to_dtype_map``, ``has_tensor``, ``get_tensor``, ``debug_string``.

    Every tensor read is checked against its CRC; a truncated or corrupt file raises
    ``DataLossError`` naming it.
    """


def NewCheckpointReader(filepattern):  # noqa: N802 - TF's name
    """Opens checkpoint ``filepattern`` (a prefix) for reading.

    Raises:
      NotFoundError: no ``.index`` file for the prefix.
      DataLossError: the index is corrupt.
    """
    return CheckpointReader(gfile._path(filepattern))


def _prefix_of(ckpt_dir_or_file):
    path = gfile._path(ckpt_dir_or_file)
    if gfile.IsDirectory(path):
        latest = latest_checkpoint(path)
        if latest is None:
            raise ValueError("Couldn't find 'checkpoint' file or checkpoints in given "
                             "directory %s" % path)
        return latest
    return path


def load_checkpoint(ckpt_dir_or_file):
    """Returns a :class:`CheckpointReader` for a checkpoint prefix or directory.

    Raises:
      ValueError: a directory without checkpoints.
      NotFoundError: the checkpoint does not exist.
    """
    return NewCheckpointReader(_prefix_of(ckpt_dir_or_file))


def load_variable(ckpt_dir_or_file, name):
    """Returns the value (a numpy array) of tensor ``name`` in a checkpoint.

    A trailing ``:0`` is ignored, so ``v.name`` works.

    Raises:
      NotFoundError: no such tensor (close matches are listed).
    """
    if name.endswith(":0"):
        name = name[:-2]
    with load_checkpoint(ckpt_dir_or_file) as reader:
        return reader.get_tensor(name)


def list_variables(ckpt_dir_or_file):
    """Returns ``[(name, shape)]`` of every tensor in a checkpoint, sorted by name."""
    with load_checkpoint(ckpt_dir_or_file) as reader:
        shapes = reader.get_variable_to_shape_map()
    return [(name, shapes[name]) for name in sorted(shapes)]


def update_checkpoint_state(save_dir, model_checkpoint_path, all_model_checkpoint_paths=None,
                            latest_filename=None, all_model_checkpoint_timestamps=None,
                            last_preserved_timestamp=None):
    """Atomically rewrites the ``checkpoint`` state file in ``save_dir``
    (``tf.train.update_checkpoint_state``).

    Args:
      save_dir: the directory of the state file.
      model_checkpoint_path: the newest checkpoint prefix.
      all_model_checkpoint_paths: the kept prefixes, oldest first (the newest is appended
        if missing).
      latest_filename: the state file's name (default "checkpoint").
      all_model_checkpoint_timestamps, last_preserved_timestamp: optional times.
    """
    _state.update_checkpoint_state(
        save_dir, model_checkpoint_path, all_model_checkpoint_paths,
        latest_filename=latest_filename,
        all_model_checkpoint_timestamps=all_model_checkpoint_timestamps,
        last_preserved_timestamp=last_preserved_timestamp)


def init_from_checkpoint(ckpt_dir_or_file, assignment_map):
    """Makes variables initialize from a checkpoint (``tf.train.init_from_checkpoint``).

    Each variable's initializer is replaced by one that assigns the checkpoint's value, so
    ``tf.global_variables_initializer()`` loads them.

    Args:
      ckpt_dir_or_file: a checkpoint prefix or directory.
      assignment_map: ``{checkpoint name: variable or variable name}``; a name ending in
        "/" maps a whole scope (``{"old_scope/": "new_scope/"}``).

    Raises:
      ValueError: a name is missing from the checkpoint or the graph, or shapes differ.
    """
    from tensorslim.core import graph as _graph
    from tensorslim.core.graph import GraphKeys
    from tensorslim.core.ops import state_ops
    reader = load_checkpoint(ckpt_dir_or_file)
    shapes = reader.get_variable_to_shape_map()
    graph = _graph.get_default_graph()
    by_name = {v.op.name: v for v in graph.get_collection(GraphKeys.GLOBAL_VARIABLES) +
               graph.get_collection(GraphKeys.LOCAL_VARIABLES)}
    pairs = []
    for ckpt_name, target in assignment_map.items():
        if isinstance(target, str) and ckpt_name.endswith("/") and target.endswith("/"):
            for name, var in by_name.items():
                if name.startswith(target):
                    pairs.append((ckpt_name + name[len(target):], var))
            continue
        var = by_name.get(target) if isinstance(target, str) else target
        if var is None:
            raise ValueError("Tensor %s is not found in the graph" % target)
        pairs.append((ckpt_name, var))
    prefix = reader.prefix
    reader.close()
    for ckpt_name, var in pairs:
        if ckpt_name not in shapes:
            raise ValueError("Tensor %s is not found in %s checkpoint %s"
                             % (ckpt_name, ckpt_dir_or_file, sorted(shapes)[:10]))
        if var.shape.is_fully_defined() and list(shapes[ckpt_name]) != var.shape.as_list():
            raise ValueError("Shape of variable %s (%s) doesn't match with shape of tensor %s "
                             "(%s) from checkpoint reader."
                             % (var.op.name, var.shape, ckpt_name, shapes[ckpt_name]))
        # As TF: the initializer becomes Assign(var, RestoreV2(...)) on the CPU.
        with graph.name_scope(var.op.name + "/"):
            with graph.device("/device:CPU:0"):
                restored = restore_v2(prefix, [ckpt_name], [""], [var.dtype.base_dtype],
                                      name="checkpoint_initializer")[0]
            restored.set_shape(var.shape)
            with graph.colocate_with(var.op):
                var._initializer_op = state_ops.assign(var._ref(), restored).op
            var._initial_value = restored


def wait_for_new_checkpoint(checkpoint_dir, last_checkpoint=None, seconds_to_sleep=1,
                            timeout=None):
    """Waits until the state file in ``checkpoint_dir`` names a checkpoint other than
    ``last_checkpoint``.

    Args:
      checkpoint_dir: the directory holding the ``checkpoint`` state file.
      last_checkpoint: the prefix already seen (None: any checkpoint is new).
      seconds_to_sleep: the polling interval.
      timeout: give up after this many seconds (None: wait forever).

    Returns:
      The new checkpoint prefix, or None on timeout.
    """
    _logger.info("Waiting for new checkpoint at %s", checkpoint_dir)
    stop_time = time.time() + timeout if timeout is not None else None
    while True:
        checkpoint_path = latest_checkpoint(checkpoint_dir)
        if checkpoint_path is None or checkpoint_path == last_checkpoint:
            if stop_time is not None and time.time() + seconds_to_sleep > stop_time:
                return None
            time.sleep(seconds_to_sleep)
        else:
            _logger.info("Found new checkpoint at %s", checkpoint_path)
            return checkpoint_path


def checkpoints_iterator(checkpoint_dir, min_interval_secs=0, timeout=None, timeout_fn=None):
    """Yields each new checkpoint of ``checkpoint_dir`` as it appears
    (``tf.train.checkpoints_iterator``, for evaluation loops).

    Args:
      checkpoint_dir: the directory holding the ``checkpoint`` state file.
      min_interval_secs: the least time between two yielded checkpoints.
      timeout: seconds to wait for a new checkpoint before calling ``timeout_fn``
        (None: wait forever).
      timeout_fn: called on timeout; the iteration ends if it returns True (or is None),
        and waits again otherwise.

    Yields:
      Checkpoint prefixes, newest last.
    """
    checkpoint_path = None
    while True:
        new_checkpoint_path = wait_for_new_checkpoint(checkpoint_dir, checkpoint_path,
                                                      timeout=timeout)
        if new_checkpoint_path is None:
            if not timeout_fn:
                _logger.info("Timed-out waiting for a checkpoint.")
                return
            if timeout_fn():
                return
            continue
        start = time.time()
        checkpoint_path = new_checkpoint_path
        yield checkpoint_path
        time_to_next_eval = start + min_interval_secs - time.time()
        if time_to_next_eval > 0:
            time.sleep(time_to_next_eval)
