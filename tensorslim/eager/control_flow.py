"""Control flow under eager execution: plain Python loops over concrete values.

``tf.while_loop`` builds its body as a graph region fed by placeholders, which eager
execution cannot do; executing eagerly, it should call :func:`while_loop` here instead, as
TensorFlow's does (``if executing_eagerly(): return eager while``). ``tf.cond`` needs
nothing: its Switch/Merge ops run eagerly, and the ops of the untaken branch are skipped.
"""
from tensorslim.core.graph import Tensor, convert_to_tensor

__all__ = ["while_loop"]


def _is_sequence(x):
    return isinstance(x, (list, tuple))


def while_loop(cond, body, loop_vars, shape_invariants=None, maximum_iterations=None,
               return_same_structure=False):
    """Runs ``body`` while ``cond`` holds, on concrete values (``tf.while_loop``, eagerly).

    Args:
      cond: a callable taking the loop variables and returning a scalar bool (tensor).
      body: a callable taking the loop variables and returning their next values.
      loop_vars: a tensor or Python value, or a (nested) list or tuple of them.
      shape_invariants: accepted for compatibility (shapes may change freely).
      maximum_iterations: an optional bound on the number of iterations.
      return_same_structure: return a one-element structure unwrapped unless this is set.

    Returns:
      The loop variables' final values.

    Raises:
      TypeError: ``cond`` or ``body`` is not callable.
      ValueError: no loop variables.
    """
    del shape_invariants  # eager values have concrete shapes; nothing to check
    if not callable(cond):
        raise TypeError("cond must be callable.")
    if not callable(body):
        raise TypeError("body must be callable.")
    single = not _is_sequence(loop_vars)
    if single:
        if loop_vars is None:
            raise ValueError("No loop variables provided")
        loop_vars = [loop_vars]
    if not loop_vars:
        raise ValueError("No loop variables provided")
    loop_vars = _convert(loop_vars)
    limit = None if maximum_iterations is None else int(maximum_iterations)
    iterations = 0
    while (limit is None or iterations < limit) and bool(cond(*loop_vars)):
        result = body(*loop_vars)
        if not _is_sequence(result):
            result = [result]
        loop_vars = _convert(result)
        iterations += 1
    if (single or len(loop_vars) == 1) and not return_same_structure:
        return loop_vars[0]  # TF1 unpacks a one-element structure too
    return loop_vars


def _convert(values):
    if isinstance(values, (list, tuple)):
        items = [_convert(v) for v in values]
        return type(values)(*items) if hasattr(values, "_fields") else type(values)(items)
    return values if isinstance(values, Tensor) else convert_to_tensor(values)
