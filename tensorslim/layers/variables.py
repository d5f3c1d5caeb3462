"""TF-slim's variable helpers: creating model variables, finding them, restoring them.

``model_variable`` is what every slim layer uses to create its ``weights`` and ``biases``:
a ``tf.get_variable`` that also lands in the MODEL_VARIABLES collection (so
``get_model_variables`` lists a network's parameters) and whose device can be set with an
``arg_scope``.
"""
import contextlib
import logging
import re

import numpy as np

from tensorslim.core import dtypes as _dtypes
from tensorslim.core import variable_scope as _vs
from tensorslim.core.graph import GraphKeys, add_to_collection, get_collection
from tensorslim.core.graph import device as _device
from tensorslim.core.ops import array_ops, control_flow_ops, state_ops
from tensorslim.core.variables import Variable
from tensorslim.layers.arg_scope import add_arg_scope
from tensorslim.training.training_util import (assert_global_step, create_global_step,
                                               get_global_step, get_or_create_global_step)

__all__ = [
    "add_model_variable", "assert_global_step", "assert_or_get_global_step",
    "assign_from_checkpoint", "assign_from_checkpoint_fn", "assign_from_values",
    "assign_from_values_fn", "create_global_step", "filter_variables", "get_global_step",
    "get_or_create_global_step", "get_local_variables", "get_model_variables",
    "get_trainable_variables", "get_unique_variable", "get_variable_full_name",
    "get_variables", "get_variables_by_name", "get_variables_by_suffix",
    "get_variables_to_restore", "global_variable", "local_variable", "model_variable",
    "variable", "VariableDeviceChooser", "zero_initializer",
]

_logger = logging.getLogger("tensorslim")


# --------------------------------------------------------------------------- creating

@add_arg_scope
def variable(name, shape=None, dtype=None, initializer=None, regularizer=None,
             trainable=True, collections=None, caching_device=None, device=None,
             partitioner=None, custom_getter=None, use_resource=None, synchronization=None,
             aggregation=None):
    """Gets an existing variable or creates a new one (``tf.get_variable``), on ``device``.

    Args:
      name: the variable's name inside the current variable scope.
      shape: its shape.
      dtype: its type (default: the scope's, float32).
      initializer: an initializer (default: the scope's, else glorot_uniform).
      regularizer: ``f(variable) -> loss`` added to REGULARIZATION_LOSSES.
      trainable: add it to TRAINABLE_VARIABLES.
      collections: the collections to add it to (default ``[GLOBAL_VARIABLES]``).
      caching_device: accepted for compatibility.
      device: a device string or function to place the variable with.
      partitioner: accepted for compatibility.
      custom_getter: ``f(getter, name, *args, **kwargs)`` wrapping the creation.
      use_resource, synchronization, aggregation: accepted for compatibility.

    Returns:
      The Variable.
    """
    collections = list(collections if collections is not None
                       else [GraphKeys.GLOBAL_VARIABLES])
    collections = list(dict.fromkeys(collections))
    with _device(device) if device else contextlib.nullcontext():
        return _vs.get_variable(name, shape=shape, dtype=dtype, initializer=initializer,
                                regularizer=regularizer, trainable=trainable,
                                collections=collections, caching_device=caching_device,
                                partitioner=partitioner, custom_getter=custom_getter,
                                use_resource=use_resource)


@add_arg_scope
def model_variable(name, shape=None, dtype=_dtypes.float32, initializer=None,
                   regularizer=None, trainable=True, collections=None, caching_device=None,
                   device=None, partitioner=None, custom_getter=None, use_resource=None,
                   synchronization=None, aggregation=None):
    """Like :func:`variable`, and adds the variable to MODEL_VARIABLES.

    Args: as for :func:`variable`; ``collections`` are extra collections (GLOBAL_VARIABLES
    and MODEL_VARIABLES are always added).

    Returns:
      The Variable.
    """
    collections = list(collections or [])
    collections += [GraphKeys.GLOBAL_VARIABLES, GraphKeys.MODEL_VARIABLES]
    return variable(name, shape=shape, dtype=dtype, initializer=initializer,
                    regularizer=regularizer, trainable=trainable, collections=collections,
                    caching_device=caching_device, device=device, partitioner=partitioner,
                    custom_getter=custom_getter, use_resource=use_resource)


def local_variable(initial_value, validate_shape=True, name=None, use_resource=None):
    """A non-trainable Variable in LOCAL_VARIABLES (counters, metric accumulators)."""
    return Variable(initial_value, trainable=False, collections=[GraphKeys.LOCAL_VARIABLES],
                    validate_shape=validate_shape, name=name)


def global_variable(initial_value, validate_shape=True, name=None, use_resource=None):
    """A non-trainable Variable in GLOBAL_VARIABLES."""
    return Variable(initial_value, trainable=False, collections=[GraphKeys.GLOBAL_VARIABLES],
                    validate_shape=validate_shape, name=name)


def add_model_variable(var):
    """Adds ``var`` to MODEL_VARIABLES (once)."""
    if var not in get_collection(GraphKeys.MODEL_VARIABLES):
        add_to_collection(GraphKeys.MODEL_VARIABLES, var)


def zero_initializer(ref, use_locking=True, name="zero_initializer"):
    """An op assigning zeros to the variable ``ref``.

    Raises:
      ValueError: the variable's shape is not fully defined.
    """
    shape = ref.get_shape()
    if not shape.is_fully_defined():
        raise ValueError("zero_initializer needs a variable of known shape; %s has shape %s."
                         % (ref.name, shape))
    zeros = array_ops.zeros(shape.as_list(), ref.dtype.base_dtype)
    return state_ops.assign(ref, zeros, name=name)


# --------------------------------------------------------------------------- finding

def get_variables(scope=None, suffix=None, collection=GraphKeys.GLOBAL_VARIABLES):
    """The variables of ``collection`` whose names start with ``scope`` and end in ``suffix``.

    Args:
      scope: a scope name (a regex matched at the start of the name) or VariableScope.
      suffix: the end of the variable's op name (before ":0").
      collection: the collection to search (default GLOBAL_VARIABLES).

    Returns:
      A list of variables.
    """
    if isinstance(scope, _vs.VariableScope):
        scope = scope.name
    if suffix is not None:
        if ":" not in suffix:
            suffix += ":"
        scope = (scope or "") + ".*" + suffix
    return get_collection(collection, scope)


def get_model_variables(scope=None, suffix=None):
    """The MODEL_VARIABLES variables, filtered like :func:`get_variables`."""
    return get_variables(scope, suffix, GraphKeys.MODEL_VARIABLES)


def get_local_variables(scope=None, suffix=None):
    """The LOCAL_VARIABLES variables, filtered like :func:`get_variables`."""
    return get_variables(scope, suffix, GraphKeys.LOCAL_VARIABLES)


def get_trainable_variables(scope=None, suffix=None):
    """The TRAINABLE_VARIABLES variables, filtered like :func:`get_variables`."""
    return get_variables(scope, suffix, GraphKeys.TRAINABLE_VARIABLES)


def get_variables_by_suffix(suffix, scope=None):
    """The global variables whose op names end in ``suffix``."""
    return get_variables(scope=scope, suffix=suffix)


def get_variables_by_name(given_name, scope=None):
    """The global variables called ``given_name`` (the last part of their names)."""
    suffix = "/" + given_name + ":|^" + given_name + ":"
    return get_variables(scope=scope, suffix=suffix)


def get_unique_variable(var_op_name):
    """The one variable whose op name is ``var_op_name``.

    Raises:
      ValueError: no variable, or several, match.
    """
    candidates = get_variables(scope=var_op_name)
    if not candidates:
        raise ValueError("Couldn't find variable %s" % var_op_name)
    for candidate in candidates:
        if candidate.op.name == var_op_name:
            return candidate
    raise ValueError("Variable %s does not uniquely identify a variable (candidates: %s)"
                     % (var_op_name, ", ".join(v.op.name for v in candidates)))


def get_variables_to_restore(include=None, exclude=None):
    """The global variables under the scopes in ``include`` and not under those in ``exclude``.

    Args:
      include: scope names to include (default: every variable).
      exclude: scope names to exclude.

    Returns:
      A list of variables, in creation order.

    Raises:
      TypeError: ``include`` or ``exclude`` is not a list or tuple.
    """
    if include is None:
        to_include = get_variables()
    else:
        if not isinstance(include, (list, tuple)):
            raise TypeError("include is provided but is not a list or a tuple.")
        to_include = []
        for scope in include:
            to_include += get_variables(scope)
    excluded = set()
    if exclude is not None:
        if not isinstance(exclude, (list, tuple)):
            raise TypeError("exclude is provided but is not a list or a tuple.")
        for scope in exclude:
            excluded.update(get_variables(scope))
    seen = set()
    out = []
    for v in to_include:
        if v not in excluded and v not in seen:
            seen.add(v)
            out.append(v)
    return out


def get_variable_full_name(var):
    """The name a variable is saved under: its op name (or its full partitioned name)."""
    info = getattr(var, "_save_slice_info", None)
    if info is not None:
        return info.full_name
    return var.op.name


def filter_variables(var_list, include_patterns=None, exclude_patterns=None,
                     reg_search=True):
    """The variables of ``var_list`` whose names match an include pattern and no exclude one.

    Args:
      var_list: the variables.
      include_patterns: regexes (default: include everything).
      exclude_patterns: regexes (default: exclude nothing).
      reg_search: use ``re.search`` (True) or ``re.match`` (False).

    Returns:
      The filtered list.
    """
    find = re.search if reg_search else re.match
    out = []
    for v in var_list:
        if include_patterns is not None and not any(find(p, v.name)
                                                    for p in include_patterns):
            continue
        if exclude_patterns is not None and any(find(p, v.name) for p in exclude_patterns):
            continue
        out.append(v)
    return out


def assert_or_get_global_step(graph=None, global_step_tensor=None):
    """Checks ``global_step_tensor`` (or finds the graph's global step) and returns it."""
    if global_step_tensor is None:
        global_step_tensor = get_global_step(graph)
    else:
        assert_global_step(global_step_tensor)
    return global_step_tensor


# --------------------------------------------------------------------------- restoring

def _single_variable(name):
    found = get_variables(name)
    if not found:
        raise ValueError("Variable %s wasn't found" % name)
    exact = [v for v in found if v.op.name == name]
    if len(exact) != 1 and len(found) != 1:
        raise ValueError("Variable %s doesn't uniquely identify a variable (found %s)"
                         % (name, ", ".join(v.op.name for v in found)))
    return exact[0] if exact else found[0]


def assign_from_values(var_names_to_values):
    """An op and a feed_dict assigning values to variables given by name.

    Args:
      var_names_to_values: ``{variable op name: numpy value}``.

    Returns:
      ``(assign_op, feed_dict)``: run ``sess.run(assign_op, feed_dict)``.

    Raises:
      ValueError: a name matches no variable, or several.
    """
    feed_dict = {}
    assign_ops = []
    for var_name in var_names_to_values:
        var = _single_variable(var_name)
        value = np.asarray(var_names_to_values[var_name])
        ph = array_ops.placeholder(dtype=var.dtype.base_dtype, shape=var.get_shape(),
                                   name="placeholder/" + var.op.name)
        assign_ops.append(var.assign(ph))
        feed_dict[ph] = value.reshape(var.get_shape().as_list())
    return control_flow_ops.group(*assign_ops), feed_dict


def assign_from_values_fn(var_names_to_values):
    """A function ``f(session)`` running :func:`assign_from_values`'s assignment."""
    assign_op, feed_dict = assign_from_values(var_names_to_values)

    def callback(session):
        return session.run(assign_op, feed_dict)
    return callback


def _names_to_vars(var_list):
    """``{checkpoint name: variable}`` from a dict or a list of variables."""
    if isinstance(var_list, dict):
        return dict(var_list)
    out = {}
    for var in var_list:
        out[get_variable_full_name(var)] = var
    return out


def assign_from_checkpoint(model_path, var_list, ignore_missing_vars=False):
    """An op and a feed_dict assigning the checkpoint's values to ``var_list``.

    Args:
      model_path: the checkpoint prefix (``model.ckpt-100``).
      var_list: a list of variables (looked up by op name) or ``{checkpoint name: var}``.
      ignore_missing_vars: skip variables missing from the checkpoint (else an error).

    Returns:
      ``(assign_op, feed_dict)``.

    Raises:
      ValueError: a variable is missing from the checkpoint (without
        ``ignore_missing_vars``), or shapes disagree.
    """
    from tensorslim.training.checkpoint_utils import NewCheckpointReader
    reader = NewCheckpointReader(model_path)
    values = {}
    for ckpt_name, var in _names_to_vars(var_list).items():
        if not reader.has_tensor(ckpt_name):
            if ignore_missing_vars:
                _logger.warning("Variable %s missing in checkpoint %s", ckpt_name, model_path)
                continue
            raise ValueError("Checkpoint is missing variable [%s]" % ckpt_name)
        value = np.asarray(reader.get_tensor(ckpt_name))
        shape = var.get_shape().as_list()
        if list(value.shape) != shape:
            raise ValueError("Shape mismatch for variable %s: the checkpoint has %s, the "
                             "variable is %s." % (ckpt_name, list(value.shape), shape))
        values[var] = value
    feed_dict = {}
    assign_ops = []
    for var, value in values.items():
        ph = array_ops.placeholder(dtype=var.dtype.base_dtype, shape=var.get_shape(),
                                   name="placeholder/" + var.op.name)
        assign_ops.append(var.assign(ph))
        feed_dict[ph] = value
    return control_flow_ops.group(*assign_ops), feed_dict


def assign_from_checkpoint_fn(model_path, var_list, ignore_missing_vars=False,
                              reshape_variables=False):
    """A function ``f(session)`` restoring ``var_list`` from ``model_path`` (with a Saver).

    Args:
      model_path: the checkpoint prefix.
      var_list: a list of variables or ``{checkpoint name: variable}``.
      ignore_missing_vars: leave out the variables the checkpoint lacks (with a warning).
      reshape_variables: passed to the Saver.

    Returns:
      The function, or None when nothing is left to restore.

    Raises:
      ValueError: ``var_list`` is empty.
    """
    from tensorslim.training.checkpoint_utils import NewCheckpointReader
    from tensorslim.training.saver import Saver
    if not var_list:
        raise ValueError("var_list cannot be empty")
    if ignore_missing_vars:
        reader = NewCheckpointReader(model_path)
        names_to_vars = _names_to_vars(var_list)
        kept = {}
        for name, var in names_to_vars.items():
            if reader.has_tensor(name):
                kept[name] = var
            else:
                _logger.warning("Variable %s missing in checkpoint %s", name, model_path)
        var_list = kept
    if not var_list:
        _logger.warning("No Variables to restore")
        return None
    saver = Saver(var_list, reshape=reshape_variables)

    def callback(session):
        saver.restore(session, model_path)
    return callback


class VariableDeviceChooser:
    """A device function placing variables round-robin on parameter-server tasks.

    Args:
      num_tasks: number of ps tasks (0: place locally).
      job_name: the ps job's name.
      device_type: "CPU" or "GPU".
      device_index: the device index.
      replica: the replica index, if any.
    """

    def __init__(self, num_tasks=0, job_name="ps", device_type="CPU", device_index=0,
                 replica=None):
        self._job_name = job_name
        self._device_type = device_type
        self._device_index = device_index
        self._replica = replica
        self._num_tasks = num_tasks
        self._next_task_id = 0

    def __call__(self, op):
        parts = []
        if self._num_tasks > 0:
            task_id = self._next_task_id
            self._next_task_id = (self._next_task_id + 1) % self._num_tasks
            parts.append("/job:%s" % self._job_name)
            if self._replica is not None:
                parts.append("/replica:%d" % self._replica)
            parts.append("/task:%d" % task_id)
        parts.append("/device:%s:%d" % (self._device_type, self._device_index))
        return "".join(parts)
