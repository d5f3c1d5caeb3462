"""The optimizers' update ops: ``ApplyGradientDescent``, ``ApplyAdam``, ``ApplyFtrl``...

Each op takes the variable (and its accumulators) by reference, updates them in place in the
session's variable store through :class:`~tensorslim.core.executor.VarRef`, and outputs the
variable's reference, as TensorFlow's ``Apply*`` ops do. Op types, input names and attrs are
TensorFlow's, so a GraphDef holding a training step reads like TF's. The update formulas are
TF1's kernels (``training_ops.cc``), written once against ``ctx.xp``.
"""
from tensorslim.core import dtypes as _dtypes
from tensorslim.core.graph import Tensor, convert_to_tensor
from tensorslim.core.op_util import apply_op
from tensorslim.core.ops.math_ops import _merge_two as _merge
from tensorslim.core.ops.state_ops import ref_input
from tensorslim.core.registry import not_differentiable_marker, register_op

__all__ = [
    "apply_gradient_descent", "apply_proximal_gradient_descent", "apply_momentum",
    "apply_adagrad", "apply_proximal_adagrad", "apply_adagrad_da", "apply_adadelta",
    "apply_adam", "apply_ftrl", "apply_ftrl_v2", "apply_rms_prop", "apply_centered_rms_prop",
]

# Input kinds: "ref" (a variable taken by reference, same shape as var), "grad" (a value of
# var's shape), "scalar" (a rank-0 hyperparameter of type T), "step" (a rank-0 int64).
_SIGNATURES = {
    "ApplyGradientDescent": [("var", "ref"), ("alpha", "scalar"), ("delta", "grad")],
    "ApplyProximalGradientDescent": [("var", "ref"), ("alpha", "scalar"), ("l1", "scalar"),
                                     ("l2", "scalar"), ("delta", "grad")],
    "ApplyMomentum": [("var", "ref"), ("accum", "ref"), ("lr", "scalar"), ("grad", "grad"),
                      ("momentum", "scalar")],
    "ApplyAdagrad": [("var", "ref"), ("accum", "ref"), ("lr", "scalar"), ("grad", "grad")],
    "ApplyProximalAdagrad": [("var", "ref"), ("accum", "ref"), ("lr", "scalar"),
                             ("l1", "scalar"), ("l2", "scalar"), ("grad", "grad")],
    "ApplyAdagradDA": [("var", "ref"), ("gradient_accumulator", "ref"),
                       ("gradient_squared_accumulator", "ref"), ("grad", "grad"),
                       ("lr", "scalar"), ("l1", "scalar"), ("l2", "scalar"),
                       ("global_step", "step")],
    "ApplyAdadelta": [("var", "ref"), ("accum", "ref"), ("accum_update", "ref"),
                      ("lr", "scalar"), ("rho", "scalar"), ("epsilon", "scalar"),
                      ("grad", "grad")],
    "ApplyAdam": [("var", "ref"), ("m", "ref"), ("v", "ref"), ("beta1_power", "scalar"),
                  ("beta2_power", "scalar"), ("lr", "scalar"), ("beta1", "scalar"),
                  ("beta2", "scalar"), ("epsilon", "scalar"), ("grad", "grad")],
    "ApplyFtrl": [("var", "ref"), ("accum", "ref"), ("linear", "ref"), ("grad", "grad"),
                  ("lr", "scalar"), ("l1", "scalar"), ("l2", "scalar"),
                  ("lr_power", "scalar")],
    "ApplyFtrlV2": [("var", "ref"), ("accum", "ref"), ("linear", "ref"), ("grad", "grad"),
                    ("lr", "scalar"), ("l1", "scalar"), ("l2", "scalar"),
                    ("l2_shrinkage", "scalar"), ("lr_power", "scalar")],
    "ApplyRMSProp": [("var", "ref"), ("ms", "ref"), ("mom", "ref"), ("lr", "scalar"),
                     ("rho", "scalar"), ("momentum", "scalar"), ("epsilon", "scalar"),
                     ("grad", "grad")],
    "ApplyCenteredRMSProp": [("var", "ref"), ("mg", "ref"), ("ms", "ref"), ("mom", "ref"),
                             ("lr", "scalar"), ("rho", "scalar"), ("momentum", "scalar"),
                             ("epsilon", "scalar"), ("grad", "grad")],
}

# Attrs beyond ``T`` and ``use_locking``, with TF's defaults.
_EXTRA_ATTRS = {
    "ApplyMomentum": {"use_nesterov": False},
    "ApplyAdagrad": {"update_slots": True},
    "ApplyAdam": {"use_nesterov": False},
    "ApplyFtrl": {"multiply_linear_by_lr": False},
    "ApplyFtrlV2": {"multiply_linear_by_lr": False},
}


# --------------------------------------------------------------------------- shapes

def _make_shape_fn(signature):
    def shape_fn(op):
        s = op.inputs[0].shape
        for (_, kind), t in zip(signature[1:], op.inputs[1:]):
            if kind in ("ref", "grad"):
                s = _merge(s, t.shape)
            elif t.shape.ndims is not None and t.shape.ndims != 0:
                raise ValueError("Shape must be rank 0 but is rank %d" % t.shape.ndims)
        return [s]
    return shape_fn


# --------------------------------------------------------------------------- kernels
# Each update receives the current values of the ref inputs (read through their VarRefs)
# and the other inputs' arrays, and returns the new values of the ref inputs, in order.
# Hyperparameters that choose a formula (l1 > 0, lr_power == -0.5) are read on the host,
# as TF's kernels read their scalar inputs.

def _gradient_descent(xp, attrs, var, alpha, delta):
    return (var - alpha * delta,)


def _proximal_step(xp, prox_var, lr, l1, l2):
    if float(l1) > 0:
        return xp.sign(prox_var) * xp.maximum(xp.abs(prox_var) - lr * l1, 0) / (1 + lr * l2)
    return prox_var / (1 + lr * l2)


def _proximal_gradient_descent(xp, attrs, var, alpha, l1, l2, delta):
    return (_proximal_step(xp, var - delta * alpha, alpha, l1, l2),)


def _momentum(xp, attrs, var, accum, lr, grad, momentum):
    accum = accum * momentum + grad
    if attrs.get("use_nesterov", False):
        var = var - (grad * lr + accum * momentum * lr)
    else:
        var = var - lr * accum
    return var, accum


def _adagrad(xp, attrs, var, accum, lr, grad):
    if attrs.get("update_slots", True):
        accum = accum + grad * grad
    return var - grad * lr / xp.sqrt(accum), accum


def _proximal_adagrad(xp, attrs, var, accum, lr, l1, l2, grad):
    accum = accum + grad * grad
    learning_rate = lr / xp.sqrt(accum)
    return _proximal_step(xp, var - grad * learning_rate, learning_rate, l1, l2), accum


def _adagrad_da(xp, attrs, var, g_acc, gg_acc, grad, lr, l1, l2, global_step):
    g_acc = g_acc + grad
    gg_acc = gg_acc + grad * grad
    step = global_step.astype(var.dtype)
    denom = xp.sqrt(gg_acc) + step * lr * l2
    if float(l1) > 0:
        var = lr * (-xp.sign(g_acc) * xp.maximum(xp.abs(g_acc) - step * l1, 0)) / denom
    else:
        var = lr * g_acc * -1.0 / denom
    return var, g_acc, gg_acc


def _adadelta(xp, attrs, var, accum, accum_update, lr, rho, epsilon, grad):
    accum = accum * rho + grad * grad * (1 - rho)
    update = xp.sqrt(accum_update + epsilon) / xp.sqrt(accum + epsilon) * grad
    var = var - update * lr
    accum_update = accum_update * rho + update * update * (1 - rho)
    return var, accum, accum_update


def _adam(xp, attrs, var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad):
    alpha = lr * xp.sqrt(1 - beta2_power) / (1 - beta1_power)
    m = m + (grad - m) * (1 - beta1)
    v = v + (grad * grad - v) * (1 - beta2)
    if attrs.get("use_nesterov", False):
        var = var - (m * beta1 + (1 - beta1) * grad) * alpha / (xp.sqrt(v) + epsilon)
    else:
        var = var - m * alpha / (xp.sqrt(v) + epsilon)
    return var, m, v


def _ftrl_common(xp, attrs, var, accum, linear, grad, shrunk_grad, lr, l1, l2, lr_power):
    new_accum = accum + grad * grad
    p = float(lr_power)

    def root(a):  # accum ** -lr_power, TF special-cases -0.5 as sqrt
        return xp.sqrt(a) if p == -0.5 else a ** (-lr_power)
    if attrs.get("multiply_linear_by_lr", False):
        linear = linear + shrunk_grad * lr - (root(new_accum) - root(accum)) * var
        x = xp.clip(linear, -l1 * lr, l1 * lr) - linear
        y = root(new_accum) + 2 * l2 * lr
    else:
        linear = linear + shrunk_grad - (root(new_accum) - root(accum)) / lr * var
        x = xp.clip(linear, -l1, l1) - linear
        y = root(new_accum) / lr + 2 * l2
    return x / y, new_accum, linear


def _ftrl(xp, attrs, var, accum, linear, grad, lr, l1, l2, lr_power):
    return _ftrl_common(xp, attrs, var, accum, linear, grad, grad, lr, l1, l2, lr_power)


def _ftrl_v2(xp, attrs, var, accum, linear, grad, lr, l1, l2, l2_shrinkage, lr_power):
    shrunk = grad + 2 * l2_shrinkage * var
    return _ftrl_common(xp, attrs, var, accum, linear, grad, shrunk, lr, l1, l2, lr_power)


def _rms_prop(xp, attrs, var, ms, mom, lr, rho, momentum, epsilon, grad):
    ms = ms + (grad * grad - ms) * (1 - rho)
    mom = mom * momentum + grad * lr / xp.sqrt(ms + epsilon)
    return var - mom, ms, mom


def _centered_rms_prop(xp, attrs, var, mg, ms, mom, lr, rho, momentum, epsilon, grad):
    ms = ms + (grad * grad - ms) * (1 - rho)
    mg = mg + (grad - mg) * (1 - rho)
    denom = ms - mg * mg + epsilon
    mom = mom * momentum + grad * lr / xp.sqrt(denom)
    return var - mom, mg, ms, mom


_UPDATES = {
    "ApplyGradientDescent": _gradient_descent,
    "ApplyProximalGradientDescent": _proximal_gradient_descent,
    "ApplyMomentum": _momentum,
    "ApplyAdagrad": _adagrad,
    "ApplyProximalAdagrad": _proximal_adagrad,
    "ApplyAdagradDA": _adagrad_da,
    "ApplyAdadelta": _adadelta,
    "ApplyAdam": _adam,
    "ApplyFtrl": _ftrl,
    "ApplyFtrlV2": _ftrl_v2,
    "ApplyRMSProp": _rms_prop,
    "ApplyCenteredRMSProp": _centered_rms_prop,
}


def _make_kernel(update, ref_indices):
    def kernel(ctx, *inputs):
        refs = [inputs[i] for i in ref_indices]
        args = list(inputs)
        for i, ref in zip(ref_indices, refs):
            args[i] = ref.get()
        dtype = args[0].dtype
        new_values = update(ctx.xp, ctx.attrs, *args)
        # New arrays every time: a value fetched or read earlier must never change under
        # the caller, so the stored arrays are replaced, not updated in place.
        for ref, value in zip(refs, new_values):
            ref.set(value.astype(dtype, copy=False))
        return refs[0]
    return kernel


for _op_type, _signature in _SIGNATURES.items():
    _refs = tuple(i for i, (_, kind) in enumerate(_signature) if kind == "ref")
    register_op(_op_type, shape=_make_shape_fn(_signature),
                kernel=_make_kernel(_UPDATES[_op_type], _refs), ref_inputs=_refs,
                stateful=True, grad=not_differentiable_marker())


# --------------------------------------------------------------------------- builders

def _apply(op_type, args, use_locking, name, **attrs):
    """Builds an ``Apply*`` op from its inputs (by TF input name) and returns its output."""
    signature = _SIGNATURES[op_type]
    var = ref_input(args["var"])
    dtype = var.dtype.base_dtype
    inputs = []
    for arg_name, kind in signature:
        value = args[arg_name]
        if kind == "ref":
            t = ref_input(value)
        elif kind == "step":
            t = convert_to_tensor(value, dtype=_dtypes.int64)
        elif isinstance(value, Tensor) or hasattr(value, "_as_graph_element"):
            t = convert_to_tensor(value)
        else:
            t = convert_to_tensor(value, dtype=dtype, name=arg_name)
        if kind != "step" and t.dtype.base_dtype != dtype:
            raise TypeError("Input '%s' of '%s' Op has type %s that does not match type %s "
                            "of argument 'var'." % (arg_name, op_type, t.dtype.base_dtype.name,
                                                    dtype.name))
        inputs.append(t)
    full_attrs = {"T": dtype, "use_locking": bool(use_locking)}
    for attr, default in _EXTRA_ATTRS.get(op_type, {}).items():
        full_attrs[attr] = bool(attrs.get(attr, default))
    return apply_op(op_type, inputs, [var.dtype], attrs=full_attrs,
                    name=name or op_type).outputs[0]


def apply_gradient_descent(var, alpha, delta, use_locking=False, name=None):
    """``ApplyGradientDescent``: ``var -= alpha * delta``.

    Args:
      var: the variable (a ``tf.Variable`` or a reference tensor).
      alpha: the learning rate, a scalar.
      delta: the change (the gradient), shaped like ``var``.
      use_locking: accepted for compatibility (updates are atomic per op here).
      name: the op's name.

    Returns:
      The reference output (``var`` after the update).

    Raises:
      TypeError: an input's dtype differs from ``var``'s.
      ValueError: shapes disagree, or a hyperparameter is not a scalar.
    """
    return _apply("ApplyGradientDescent", dict(var=var, alpha=alpha, delta=delta), use_locking,
                  name)


def apply_proximal_gradient_descent(var, alpha, l1, l2, delta, use_locking=False, name=None):
    """``ApplyProximalGradientDescent``: a gradient step followed by the l1/l2 proximal map.

    ``prox = var - alpha * delta``;
    ``var = sign(prox) * max(|prox| - alpha * l1, 0) / (1 + alpha * l2)``.
    Arguments as :func:`apply_gradient_descent`; ``l1``, ``l2`` are scalars.
    """
    return _apply("ApplyProximalGradientDescent",
                  dict(var=var, alpha=alpha, l1=l1, l2=l2, delta=delta), use_locking, name)


def apply_momentum(var, accum, lr, grad, momentum, use_locking=False, use_nesterov=False,
                   name=None):
    """``ApplyMomentum``: ``accum = accum * momentum + grad; var -= lr * accum``.

    With ``use_nesterov``: ``var -= lr * grad + lr * momentum * accum``.
    ``accum`` is a variable shaped like ``var``; ``lr``, ``momentum`` are scalars.
    """
    return _apply("ApplyMomentum", dict(var=var, accum=accum, lr=lr, grad=grad,
                                        momentum=momentum), use_locking, name,
                  use_nesterov=use_nesterov)


def apply_adagrad(var, accum, lr, grad, use_locking=False, update_slots=True, name=None):
    """``ApplyAdagrad``: ``accum += grad ** 2; var -= lr * grad / sqrt(accum)``."""
    return _apply("ApplyAdagrad", dict(var=var, accum=accum, lr=lr, grad=grad), use_locking,
                  name, update_slots=update_slots)


def apply_proximal_adagrad(var, accum, lr, l1, l2, grad, use_locking=False, name=None):
    """``ApplyProximalAdagrad``: Adagrad's step size with the l1/l2 proximal map."""
    return _apply("ApplyProximalAdagrad", dict(var=var, accum=accum, lr=lr, l1=l1, l2=l2,
                                               grad=grad), use_locking, name)


def apply_adagrad_da(var, gradient_accumulator, gradient_squared_accumulator, grad, lr, l1, l2,
                     global_step, use_locking=False, name=None):
    """``ApplyAdagradDA``: the dual-averaging Adagrad update.

    ``g += grad; gg += grad ** 2``;
    ``var = -lr * sign(g) * max(|g| - l1 * t, 0) / (sqrt(gg) + l2 * t * lr)`` where ``t`` is
    ``global_step`` (an int64 scalar).
    """
    return _apply("ApplyAdagradDA", dict(
        var=var, gradient_accumulator=gradient_accumulator,
        gradient_squared_accumulator=gradient_squared_accumulator, grad=grad, lr=lr, l1=l1,
        l2=l2, global_step=global_step), use_locking, name)


def apply_adadelta(var, accum, accum_update, lr, rho, epsilon, grad, use_locking=False,
                   name=None):
    """``ApplyAdadelta``: ``accum = rho * accum + (1 - rho) * grad ** 2``;
    ``update = sqrt(accum_update + eps) / sqrt(accum + eps) * grad``; ``var -= lr * update``;
    ``accum_update = rho * accum_update + (1 - rho) * update ** 2``."""
    return _apply("ApplyAdadelta", dict(var=var, accum=accum, accum_update=accum_update, lr=lr,
                                        rho=rho, epsilon=epsilon, grad=grad), use_locking, name)


def apply_adam(var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad,
               use_locking=False, use_nesterov=False, name=None):
    """``ApplyAdam``: ``lr_t = lr * sqrt(1 - beta2_power) / (1 - beta1_power)``;
    ``m += (grad - m) * (1 - beta1)``; ``v += (grad ** 2 - v) * (1 - beta2)``;
    ``var -= lr_t * m / (sqrt(v) + epsilon)``."""
    return _apply("ApplyAdam", dict(var=var, m=m, v=v, beta1_power=beta1_power,
                                    beta2_power=beta2_power, lr=lr, beta1=beta1, beta2=beta2,
                                    epsilon=epsilon, grad=grad), use_locking, name,
                  use_nesterov=use_nesterov)


def apply_ftrl(var, accum, linear, grad, lr, l1, l2, lr_power, use_locking=False,
               multiply_linear_by_lr=False, name=None):
    """``ApplyFtrl``: the FTRL-proximal update (McMahan et al., 2013)."""
    return _apply("ApplyFtrl", dict(var=var, accum=accum, linear=linear, grad=grad, lr=lr,
                                    l1=l1, l2=l2, lr_power=lr_power), use_locking, name,
                  multiply_linear_by_lr=multiply_linear_by_lr)


def apply_ftrl_v2(var, accum, linear, grad, lr, l1, l2, l2_shrinkage, lr_power,
                  use_locking=False, multiply_linear_by_lr=False, name=None):
    """``ApplyFtrlV2``: FTRL with the l2 shrinkage term ``grad + 2 * l2_shrinkage * var``."""
    return _apply("ApplyFtrlV2", dict(var=var, accum=accum, linear=linear, grad=grad, lr=lr,
                                      l1=l1, l2=l2, l2_shrinkage=l2_shrinkage,
                                      lr_power=lr_power), use_locking, name,
                  multiply_linear_by_lr=multiply_linear_by_lr)


def apply_rms_prop(var, ms, mom, lr, rho, momentum, epsilon, grad, use_locking=False,
                   name=None):
    """``ApplyRMSProp``: ``ms += (grad ** 2 - ms) * (1 - rho)``;
    ``mom = momentum * mom + lr * grad / sqrt(ms + epsilon)``; ``var -= mom``."""
    return _apply("ApplyRMSProp", dict(var=var, ms=ms, mom=mom, lr=lr, rho=rho,
                                       momentum=momentum, epsilon=epsilon, grad=grad),
                  use_locking, name)


def apply_centered_rms_prop(var, mg, ms, mom, lr, rho, momentum, epsilon, grad,
                            use_locking=False, name=None):
    """``ApplyCenteredRMSProp``: RMSProp normalized by the centered second moment
    ``ms - mg ** 2`` (``mg`` the moving mean of the gradient)."""
    return _apply("ApplyCenteredRMSProp", dict(var=var, mg=mg, ms=ms, mom=mom, lr=lr, rho=rho,
                                               momentum=momentum, epsilon=epsilon, grad=grad),
                  use_locking, name)
