"""The global step: the int64 counter of training steps (``tf.train.get_global_step``...)."""
import logging

from tensorslim.core import dtypes as _dtypes
from tensorslim.core import init_ops
from tensorslim.core import variable_scope as _vs
from tensorslim.core.graph import GraphKeys, Tensor, get_default_graph
from tensorslim.core.variables import Variable

__all__ = ["global_step", "get_global_step", "create_global_step", "get_or_create_global_step",
           "assert_global_step"]

_logger = logging.getLogger("tensorslim")


def global_step(sess, global_step_tensor):
    """The global step's current value as a Python int.

    Args:
      sess: the Session to read it in.
      global_step_tensor: the global step Variable or Tensor (or its name).

    Returns:
      The step, an int.
    """
    return int(sess.run(global_step_tensor))


def assert_global_step(global_step_tensor):
    """Checks that ``global_step_tensor`` can be a global step: an integer scalar.

    Raises:
      TypeError: it is not a Variable or Tensor, not integer, or not scalar.
    """
    if not isinstance(global_step_tensor, (Variable, Tensor)):
        raise TypeError('Existing "global_step" must be a Variable or Tensor: %s.'
                        % (global_step_tensor,))
    if not global_step_tensor.dtype.base_dtype.is_integer:
        raise TypeError('Existing "global_step" does not have integer type: %s'
                        % global_step_tensor.dtype)
    shape = global_step_tensor.get_shape()
    if shape.ndims != 0 and shape.is_fully_defined():
        raise TypeError('Existing "global_step" is not scalar: %s' % shape)


def get_global_step(graph=None):
    """The global step of ``graph`` (default: the default graph), or None.

    It is the single member of the GLOBAL_STEP collection, or else the tensor named
    ``global_step:0``.

    Raises:
      TypeError: the global step found is not an integer scalar.
    """
    graph = graph or get_default_graph()
    tensors = graph.get_collection(GraphKeys.GLOBAL_STEP)
    if len(tensors) == 1:
        tensor = tensors[0]
    elif not tensors:
        try:
            tensor = graph.get_tensor_by_name("global_step:0")
        except KeyError:
            return None
    else:
        _logger.error("Multiple tensors in global_step collection.")
        return None
    assert_global_step(tensor)
    return tensor


def create_global_step(graph=None):
    """Creates the global step: ``global_step``, an int64 scalar Variable starting at 0.

    It is not trainable and belongs to the GLOBAL_VARIABLES and GLOBAL_STEP collections.

    Args:
      graph: the graph (default: the default graph).

    Returns:
      The global step Variable.

    Raises:
      ValueError: the graph already has a global step.
    """
    graph = graph or get_default_graph()
    if get_global_step(graph) is not None:
        raise ValueError('"global_step" already exists.')
    with graph.as_default() as g, g.name_scope(None):
        return _vs.get_variable(
            GraphKeys.GLOBAL_STEP, shape=[], dtype=_dtypes.int64,
            initializer=init_ops.zeros_initializer(), trainable=False,
            collections=[GraphKeys.GLOBAL_VARIABLES, GraphKeys.GLOBAL_STEP])


def get_or_create_global_step(graph=None):
    """The graph's global step, created by :func:`create_global_step` if it has none."""
    graph = graph or get_default_graph()
    tensor = get_global_step(graph)
    if tensor is None:
        tensor = create_global_step(graph)
    return tensor
