"""The op registry: one entry per TensorFlow op type, holding everything about that op.

An op is defined in one place (its module under ``tensorslim/core/ops``) by calling
:func:`register_op` with its TF type name, its shape function, its kernel and its gradient.
The graph consults the registry when a node is created (shape inference), the session when a
plan is compiled (kernels), and ``tf.gradients`` when differentiating (gradient functions).
"""

__all__ = ["OpDef", "register_op", "get_op_def", "has_op_def", "RegisterGradient",
           "NotDifferentiable", "NoGradient", "get_gradient_function", "registered_op_types"]


class OpDef:
    """Everything tensorslim knows about one op type.

    Attributes:
      type: TensorFlow's op type name (``"MatMul"``).
      shape_fn: ``shape_fn(op) -> list of TensorShape`` (one per output), or None when the
        builder sets the output shapes itself. Raises ValueError on incompatible inputs.
      kernel: ``kernel(ctx, *input_arrays) -> array`` (one output) or a tuple of arrays;
        ``ctx`` is a per-session :class:`~tensorslim.core.executor.KernelContext`.
      grad: ``grad(op, *output_grads) -> list of input gradients (Tensors or None)``.
      stateful: the kernel has side effects or is random; never folded or cached.
      ref_inputs: indices of inputs that receive the variable reference itself rather than
        its value (the input of Assign, the var of ApplyGradientDescent...).
      host_only: the kernel must run on the CPU (strings, queues, files).
    """

    __slots__ = ("type", "shape_fn", "kernel", "grad", "stateful", "ref_inputs", "host_only",
                 "make_context")

    def __init__(self, type_name, shape_fn=None, kernel=None, grad=None, stateful=False,
                 ref_inputs=(), host_only=False, make_context=None):
        self.type = type_name
        self.shape_fn = shape_fn
        self.kernel = kernel
        self.grad = grad
        self.stateful = stateful
        self.ref_inputs = frozenset(ref_inputs)
        self.host_only = host_only
        self.make_context = make_context


_OPS = {}
_NOT_DIFFERENTIABLE = object()


def register_op(type_name, shape=None, kernel=None, grad=None, stateful=False, ref_inputs=(),
                host_only=False, make_context=None):
    """Registers op ``type_name`` and returns its :class:`OpDef`.

    Args:
      type_name: TensorFlow's op type name.
      shape: the shape function.
      kernel: the kernel, written against ``ctx.xp``.
      grad: the gradient function, or None if the op has none (yet).
      stateful: whether the op has side effects or randomness.
      ref_inputs: indices of inputs taken by reference.
      host_only: whether the kernel must run on the CPU.
      make_context: optional ``f(ctx)`` called once per session to prepare per-op state.

    Raises:
      KeyError: if ``type_name`` is already registered.
    """
    if type_name in _OPS:
        raise KeyError("Op type %r is registered twice." % type_name)
    op_def = OpDef(type_name, shape, kernel, grad, stateful, ref_inputs, host_only, make_context)
    _OPS[type_name] = op_def
    return op_def


def has_op_def(type_name):
    return type_name in _OPS


def get_op_def(type_name):
    """Returns the :class:`OpDef` for ``type_name``; KeyError names unknown types."""
    try:
        return _OPS[type_name]
    except KeyError:
        raise KeyError("No op named %s is registered in tensorslim." % type_name) from None


def registered_op_types():
    return sorted(_OPS)


_USER_GRADIENTS = {}


class RegisterGradient:
    """Decorator registering a gradient function under a name (``tf.RegisterGradient``).

    The name is usually an op type; it can also be a custom name used with
    ``Graph.gradient_override_map``.
    """

    def __init__(self, op_type):
        if not isinstance(op_type, str):
            raise TypeError("op_type must be a string")
        self._op_type = op_type

    def __call__(self, f):
        if self._op_type in _USER_GRADIENTS:
            raise KeyError("Registering two gradient with name '%s'!" % self._op_type)
        _USER_GRADIENTS[self._op_type] = f
        return f


def NotDifferentiable(op_type):  # noqa: N802 - TF's name
    """Declares that ops of ``op_type`` have no gradient (``tf.NotDifferentiable``)."""
    if not isinstance(op_type, str):
        raise TypeError("op_type must be a string")
    _USER_GRADIENTS[op_type] = _NOT_DIFFERENTIABLE


NoGradient = NotDifferentiable


def get_gradient_function(op):
    """Returns the gradient function for ``op`` (honouring gradient_override_map).

    Returns None for ops declared not differentiable; raises LookupError naming the op
    type when no gradient is known.
    """
    op_type = op.get_attr("_gradient_op_type") if "_gradient_op_type" in op._attrs else op.type
    if op_type in _USER_GRADIENTS:
        fn = _USER_GRADIENTS[op_type]
        return None if fn is _NOT_DIFFERENTIABLE else fn
    op_def = _OPS.get(op_type)
    if op_def is not None and op_def.grad is not None:
        return None if op_def.grad is _NOT_DIFFERENTIABLE else op_def.grad
    raise LookupError("No gradient defined for operation '%s' (op type: %s)" % (op.name,
                                                                              op_type))


def not_differentiable_marker():
    """The value to pass as ``grad=`` for ops that have no gradient."""
    return _NOT_DIFFERENTIABLE
