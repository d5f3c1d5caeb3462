"""``tf.custom_gradient``: a Python function whose gradient the user supplies.

As in TF's graph mode, the function's results and its inputs pass together through one
``IdentityN`` op whose gradient is overridden (``gradient_override_map``) with a gradient
registered under a fresh name, ``CustomGradient-<n>``. That gradient calls the user's
``grad_fn`` and sends its results to the inputs, so nothing flows back through the ops the
function built.
"""
import functools
import itertools

from tensorslim.core import registry
from tensorslim.core.graph import convert_to_tensor, get_default_graph
from tensorslim.core.op_util import apply_op
from tensorslim.core.ops import control_flow_ops as _cf

__all__ = ["custom_gradient", "identity_n"]

_uid = itertools.count()


def _identity_n_shape(op):
    return [t.shape for t in op.inputs]


def _identity_n_kernel(ctx, *values):
    return tuple(values)


def _identity_n_grad(op, *grads):
    return list(grads)


registry.register_op("IdentityN", shape=_identity_n_shape, kernel=_identity_n_kernel,
                     grad=_identity_n_grad)


def identity_n(input, name=None):  # noqa: A002 - TF's argument name
    """``tf.identity_n``: each of the tensors of ``input``, unchanged, through one op."""
    tensors = [convert_to_tensor(t) for t in input]
    dts = [t.dtype.base_dtype for t in tensors]
    return list(apply_op("IdentityN", tensors, dts, attrs={"T": dts},
                         name=name or "IdentityN").outputs)


def custom_gradient(f=None):
    """Decorator defining a function's gradient (``tf.custom_gradient``).

    ``f(*xs)`` must return ``(ys, grad_fn)``: ``ys`` a tensor or nested structure of tensors,
    and ``grad_fn(*dys)`` the gradients of ``sum(ys)`` with respect to each of ``xs``
    (a tensor or a list, one per input; None for no gradient), built from graph ops.

    Example::

        @tf.custom_gradient
        def clip_gradient(x):
            def grad(dy):
                return tf.clip_by_norm(dy, 1.0)
            return tf.identity(x), grad

    Args:
      f: the function to decorate.

    Returns:
      The decorated function, which returns ``ys``.

    Raises:
      ValueError: (when differentiating) ``grad_fn`` returns the wrong number of gradients.
    """
    if f is None:
        return custom_gradient

    @functools.wraps(f)
    def decorated(*args, **kwargs):
        if kwargs:
            raise ValueError("The custom_gradient decorator currently supports keywords "
                             "arguments only when eager execution is enabled.")
        graph = get_default_graph()
        name = "CustomGradient-%d" % next(_uid)
        args = [convert_to_tensor(x) for x in args]
        result, grad_fn = f(*args)
        flat_result = [convert_to_tensor(r) for r in _cf.flatten(result)]
        n_results = len(flat_result)

        def grad_wrapper(op, *result_grads):
            # Reference variables are not watched (as in TF1): grad_fn gets no `variables`.
            input_grads = grad_fn(*result_grads[:n_results])
            input_grads = _cf.flatten(input_grads) if isinstance(input_grads, (list, tuple)) \
                else [input_grads]
            if len(input_grads) != len(args):
                raise ValueError("custom_gradient function expected to return %d gradients "
                                 "but returned %d instead." % (len(args), len(input_grads)))
            return [None] * n_results + [None if g is None else convert_to_tensor(g)
                                         for g in input_grads]

        registry.RegisterGradient(name)(grad_wrapper)
        with graph.gradient_override_map({"IdentityN": name}):
            outputs = identity_n(flat_result + args)
        return _cf.pack_sequence_as(result, outputs[:n_results]) \
            if _cf.is_sequence(result) else outputs[0]
    return decorated
