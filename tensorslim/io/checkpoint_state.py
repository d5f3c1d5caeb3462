"""The ``checkpoint`` state file: a text-format ``CheckpointState`` naming the checkpoints.

``tf.train.Saver`` rewrites it on every save::

    model_checkpoint_path: "model.ckpt-3"
    all_model_checkpoint_paths: "model.ckpt-2"
    all_model_checkpoint_paths: "model.ckpt-3"

Paths are stored as given (often absolute) or, with ``save_relative_paths``, relative to
the state file's directory; readers resolve relative paths against that directory.
"""
import logging
import os

from google.protobuf import text_format

from tensorslim.core import errors
from tensorslim.io import gfile
from tensorslim.proto import checkpoint_state_pb2

__all__ = [
    "CheckpointState", "get_checkpoint_state", "update_checkpoint_state",
    "generate_checkpoint_state_proto", "latest_checkpoint", "checkpoint_exists",
    "checkpoint_state_filename",
]

CheckpointState = checkpoint_state_pb2.CheckpointState

_logger = logging.getLogger("tensorslim")


def checkpoint_state_filename(save_dir, latest_filename=None):
    """Returns the path of the state file: ``save_dir/checkpoint`` by default."""
    return os.path.join(gfile._path(save_dir), latest_filename or "checkpoint")


def generate_checkpoint_state_proto(save_dir, model_checkpoint_path,
                                    all_model_checkpoint_paths=None,
                                    all_model_checkpoint_timestamps=None,
                                    last_preserved_timestamp=None):
    """Builds the ``CheckpointState`` that :func:`update_checkpoint_state` writes.

    ``model_checkpoint_path`` is appended to ``all_model_checkpoint_paths`` unless it is
    already the last entry.  When ``save_dir`` is relative, relative paths are rewritten
    relative to ``save_dir`` (so ``save_dir="ckpt"``, ``"ckpt/model.ckpt-3"`` is stored
    as ``"model.ckpt-3"``), as TF does.

    Args:
      save_dir: the directory of the state file.
      model_checkpoint_path: the newest checkpoint prefix.
      all_model_checkpoint_paths: the kept checkpoint prefixes, oldest first.
      all_model_checkpoint_timestamps: optional save times (seconds), one per path.
      last_preserved_timestamp: optional time of the last checkpoint kept by
        ``keep_checkpoint_every_n_hours``.

    Returns:
      A ``CheckpointState`` message.

    Raises:
      ValueError: if timestamps are given and their count differs from the paths'.
    """
    save_dir = gfile._path(save_dir)
    model_checkpoint_path = gfile._path(model_checkpoint_path)
    paths = [gfile._path(p) for p in (all_model_checkpoint_paths or [])]
    if not paths or paths[-1] != model_checkpoint_path:
        paths.append(model_checkpoint_path)
    timestamps = list(all_model_checkpoint_timestamps or [])
    if timestamps and len(timestamps) != len(paths):
        raise ValueError("Checkpoint timestamps, if provided, must match checkpoint paths "
                         "(got paths %s and timestamps %s)" % (paths, timestamps))
    if not os.path.isabs(save_dir):
        if not os.path.isabs(model_checkpoint_path):
            model_checkpoint_path = os.path.relpath(model_checkpoint_path, save_dir)
        paths = [p if os.path.isabs(p) else os.path.relpath(p, save_dir) for p in paths]
    state = CheckpointState(model_checkpoint_path=model_checkpoint_path,
                            all_model_checkpoint_paths=paths,
                            all_model_checkpoint_timestamps=timestamps)
    if last_preserved_timestamp is not None:
        state.last_preserved_timestamp = last_preserved_timestamp
    return state


def update_checkpoint_state(save_dir, model_checkpoint_path, all_model_checkpoint_paths=None,
                            latest_filename=None, all_model_checkpoint_timestamps=None,
                            last_preserved_timestamp=None, save_relative_paths=False):
    """Atomically rewrites the state file in ``save_dir``.

    Args:
      save_dir: the directory holding the state file.
      model_checkpoint_path: the newest checkpoint prefix.
      all_model_checkpoint_paths: the kept checkpoint prefixes, oldest first;
        ``model_checkpoint_path`` is appended if it is not the last one.
      latest_filename: the state file's name (default ``"checkpoint"``).
      all_model_checkpoint_timestamps: optional save times, one per kept path.
      last_preserved_timestamp: optional, see :func:`generate_checkpoint_state_proto`.
      save_relative_paths: store absolute paths relative to ``save_dir`` (what
        ``tf.train.Saver(save_relative_paths=True)`` does).

    Raises:
      RuntimeError: if the checkpoint path equals the state file's path.
      ValueError: if timestamps and paths differ in number.
      errors.NotFoundError: if ``save_dir`` does not exist.
    """
    save_dir = gfile._path(save_dir)
    state_file = checkpoint_state_filename(save_dir, latest_filename)
    model_checkpoint_path = gfile._path(model_checkpoint_path)
    paths = [gfile._path(p) for p in (all_model_checkpoint_paths or [])]
    if save_relative_paths:
        def rel(p):
            return os.path.relpath(p, save_dir) if os.path.isabs(p) else p
        model_checkpoint_path = rel(model_checkpoint_path)
        paths = [rel(p) for p in paths]
    state = generate_checkpoint_state_proto(
        save_dir, model_checkpoint_path, paths or None, all_model_checkpoint_timestamps,
        last_preserved_timestamp)
    if state.model_checkpoint_path == state_file:
        raise RuntimeError("Save path '%s' conflicts with path used for checkpoint state. "
                           "Please use a different save path." % model_checkpoint_path)
    gfile.atomic_write(state_file, text_format.MessageToString(state))


def get_checkpoint_state(checkpoint_dir, latest_filename=None):
    """Reads the state file in ``checkpoint_dir``.

    Relative paths in the file are returned joined to ``checkpoint_dir``.

    Args:
      checkpoint_dir: the directory holding the state file.
      latest_filename: the state file's name (default ``"checkpoint"``).

    Returns:
      A ``CheckpointState``, or None if the file does not exist or cannot be parsed (a
      warning is logged in that case, as TF does).

    Raises:
      ValueError: if the file parses but names no ``model_checkpoint_path``.
    """
    checkpoint_dir = gfile._path(checkpoint_dir)
    state_file = checkpoint_state_filename(checkpoint_dir, latest_filename)
    if not os.path.isfile(state_file):
        return None
    try:
        with gfile.GFile(state_file, "rb") as f:
            content = f.read()
        state = CheckpointState()
        text_format.Parse(content.decode("utf-8"), state)
    except (errors.OpError, text_format.ParseError, UnicodeDecodeError) as e:
        _logger.warning("%s: Checkpoint ignored: %s", type(e).__name__, state_file)
        return None
    if not state.model_checkpoint_path:
        raise ValueError("Invalid checkpoint state loaded from %s" % checkpoint_dir)
    if not os.path.isabs(state.model_checkpoint_path):
        state.model_checkpoint_path = os.path.join(checkpoint_dir, state.model_checkpoint_path)
    for i, p in enumerate(state.all_model_checkpoint_paths):
        if not os.path.isabs(p):
            state.all_model_checkpoint_paths[i] = os.path.join(checkpoint_dir, p)
    return state


def checkpoint_exists(checkpoint_prefix):
    """Returns True if a checkpoint with this prefix exists (V2 ``.index`` or V1 file).

    The prefix may be a glob pattern, as in TF.
    """
    prefix = gfile._path(checkpoint_prefix)
    return bool(gfile.Glob(prefix + ".index") or gfile.Glob(prefix))


def latest_checkpoint(checkpoint_dir, latest_filename=None):
    """Returns the newest checkpoint prefix recorded in ``checkpoint_dir``.

    Args:
      checkpoint_dir: the directory holding the state file.
      latest_filename: the state file's name (default ``"checkpoint"``).

    Returns:
      The prefix (joined to ``checkpoint_dir`` if stored relative), or None if there is
      no state file or the checkpoint's files are missing (an error is logged then).
    """
    state = get_checkpoint_state(checkpoint_dir, latest_filename)
    if state and state.model_checkpoint_path:
        if checkpoint_exists(state.model_checkpoint_path):
            return state.model_checkpoint_path
        _logger.error("Couldn't match files for checkpoint %s", state.model_checkpoint_path)
    return None
