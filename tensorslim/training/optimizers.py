"""The TF1 optimizers: gradient descent, momentum, Adagrad(DA), Adadelta, Adam, FTRL, RMSProp
and the proximal methods.

Each optimizer creates its slots and hyperparameter tensors with TF1's names and applies one
``Apply*`` op (``training_ops``) per variable, so its maths and its variables (``w/Adam``,
``w/Adam_1``, ``beta1_power``...) are TF1's.
"""
from tensorslim.core import dtypes as _dtypes
from tensorslim.core import init_ops
from tensorslim.core.graph import colocate_with, control_dependencies, convert_to_tensor
from tensorslim.core.ops import array_ops, control_flow_ops, math_ops
from tensorslim.training import training_ops
from tensorslim.training.optimizer import Optimizer

__all__ = ["GradientDescentOptimizer", "MomentumOptimizer", "AdagradOptimizer",
           "AdagradDAOptimizer", "AdadeltaOptimizer", "AdamOptimizer", "FtrlOptimizer",
           "RMSPropOptimizer", "ProximalGradientDescentOptimizer", "ProximalAdagradOptimizer"]


def _hyper(value, name):
    """A hyperparameter (float, Tensor or callable returning one) as a Tensor."""
    value = value() if callable(value) and not hasattr(value, "_as_graph_element") else value
    return convert_to_tensor(value, name=name)


def _cast(value, var):
    return math_ops.cast(value, var.dtype.base_dtype)


def _check_positive(value, name):
    if value <= 0.0:
        raise ValueError("%s must be positive: %s" % (name, value))


def _constant_slot(optimizer, var, value, slot_name, op_name=None):
    """A slot filled with ``value`` (Adagrad's, FTRL's accumulators), as TF1 builds it."""
    op_name = op_name or optimizer._name
    dtype = var.dtype.base_dtype
    shape = var.get_shape()
    if shape.is_fully_defined():
        return optimizer._get_or_make_slot_with_initializer(
            var, init_ops.constant_initializer(value, dtype=dtype), shape, dtype, slot_name,
            op_name)
    with colocate_with(var):
        val = array_ops.fill(array_ops.shape(var.initial_value),
                             array_ops.constant(value, dtype=dtype))
    return optimizer._get_or_make_slot(var, val, slot_name, op_name)


def _constant_value_slot(optimizer, var, value, slot_name):
    """A slot initialized from a Const of ``var``'s shape (AdagradDA, ProximalAdagrad)."""
    shape = var.get_shape()
    if not shape.is_fully_defined():
        return _constant_slot(optimizer, var, value, slot_name)
    with colocate_with(var):
        val = array_ops.constant(value, shape=shape, dtype=var.dtype.base_dtype)
    return optimizer._get_or_make_slot(var, val, slot_name, optimizer._name)


# --------------------------------------------------------------------------- SGD family

class GradientDescentOptimizer(Optimizer):
    """``var -= learning_rate * grad``.

    Args:
      learning_rate: a float, a scalar Tensor (a schedule's output) or a callable.
      use_locking: kept as the update ops' ``use_locking`` attr.
      name: the optimizer's name (its name scope).
    """

    def __init__(self, learning_rate, use_locking=False, name="GradientDescent"):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._learning_rate_tensor = None

    def _prepare(self):
        self._learning_rate_tensor = _hyper(self._learning_rate, "learning_rate")

    def _apply_dense(self, grad, var):
        return training_ops.apply_gradient_descent(
            var, _cast(self._learning_rate_tensor, var), grad,
            use_locking=self._use_locking).op


class MomentumOptimizer(Optimizer):
    """``accum = momentum * accum + grad; var -= learning_rate * accum``.

    With ``use_nesterov=True`` the step is ``learning_rate * (grad + momentum * accum)``.
    The accumulator slot is ``"momentum"`` (variable ``<var>/Momentum``).

    Args:
      learning_rate: a float, a scalar Tensor or a callable.
      momentum: a float or scalar Tensor.
      use_locking: kept as the update ops' ``use_locking`` attr.
      name: the optimizer's name.
      use_nesterov: use Nesterov momentum.
    """

    def __init__(self, learning_rate, momentum, use_locking=False, name="Momentum",
                 use_nesterov=False):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._momentum = momentum
        self._use_nesterov = use_nesterov

    def _create_slots(self, var_list):
        for v in var_list:
            self._zeros_slot(v, "momentum", self._name)

    def _prepare(self):
        self._learning_rate_tensor = _hyper(self._learning_rate, "learning_rate")
        self._momentum_tensor = _hyper(self._momentum, "momentum")

    def _apply_dense(self, grad, var):
        mom = self.get_slot(var, "momentum")
        return training_ops.apply_momentum(
            var, mom, _cast(self._learning_rate_tensor, var), grad,
            _cast(self._momentum_tensor, var), use_locking=self._use_locking,
            use_nesterov=self._use_nesterov).op


# --------------------------------------------------------------------------- Adagrad family

class AdagradOptimizer(Optimizer):
    """Adagrad: ``accum += grad ** 2; var -= learning_rate * grad / sqrt(accum)``.

    Args:
      learning_rate: a float, a scalar Tensor or a callable.
      initial_accumulator_value: the accumulators' starting value (positive).
      use_locking: kept as the update ops' ``use_locking`` attr.
      name: the optimizer's name.

    Raises:
      ValueError: ``initial_accumulator_value`` is not positive.
    """

    def __init__(self, learning_rate, initial_accumulator_value=0.1, use_locking=False,
                 name="Adagrad"):
        _check_positive(initial_accumulator_value, "initial_accumulator_value")
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._initial_accumulator_value = initial_accumulator_value

    def _create_slots(self, var_list):
        for v in var_list:
            _constant_slot(self, v, self._initial_accumulator_value, "accumulator")

    def _prepare(self):
        self._learning_rate_tensor = _hyper(self._learning_rate, "learning_rate")

    def _apply_dense(self, grad, var):
        acc = self.get_slot(var, "accumulator")
        return training_ops.apply_adagrad(
            var, acc, _cast(self._learning_rate_tensor, var), grad,
            use_locking=self._use_locking).op


class AdagradDAOptimizer(Optimizer):
    """Adagrad dual averaging (Duchi et al.), for sparse linear models with l1/l2.

    The update at step ``t = global_step + 1`` is
    ``var = -lr * sign(g) * max(|g| - l1 * t, 0) / (sqrt(gg) + l2 * t * lr)`` with ``g`` and
    ``gg`` the sums of the gradients and of their squares.

    Args:
      learning_rate: a float, a scalar Tensor or a callable.
      global_step: the int64 global step Variable (``tf.train.get_or_create_global_step()``).
      initial_gradient_squared_accumulator_value: ``gg``'s starting value (positive).
      l1_regularization_strength, l2_regularization_strength: non-negative floats.
      use_locking: kept as the update ops' ``use_locking`` attr.
      name: the optimizer's name.

    Raises:
      ValueError: ``initial_gradient_squared_accumulator_value`` is not positive.
    """

    def __init__(self, learning_rate, global_step,
                 initial_gradient_squared_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                 use_locking=False, name="AdagradDA"):
        _check_positive(initial_gradient_squared_accumulator_value,
                        "initial_gradient_squared_accumulator_value")
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._initial_gradient_squared_accumulator_value = \
            initial_gradient_squared_accumulator_value
        self._l1_regularization_strength = l1_regularization_strength
        self._l2_regularization_strength = l2_regularization_strength
        self._global_step = global_step
        self._global_step_on_worker = None

    def _create_slots(self, var_list):
        for v in var_list:
            _constant_value_slot(self, v, 0.0, "gradient_accumulator")
            _constant_value_slot(self, v, self._initial_gradient_squared_accumulator_value,
                                 "gradient_squared_accumulator")

    def _prepare(self):
        self._learning_rate_tensor = _hyper(self._learning_rate, "learning_rate")
        step = math_ops.cast(array_ops.identity(self._global_step), _dtypes.int64)
        # The step being taken is global_step + 1 (the increment comes after the update).
        self._global_step_on_worker = step + 1

    def _apply_dense(self, grad, var):
        g_acc = self.get_slot(var, "gradient_accumulator")
        gg_acc = self.get_slot(var, "gradient_squared_accumulator")
        global_step = array_ops.identity(self._global_step_on_worker)
        return training_ops.apply_adagrad_da(
            var, g_acc, gg_acc, grad, _cast(self._learning_rate_tensor, var),
            _cast(self._l1_regularization_strength, var),
            _cast(self._l2_regularization_strength, var), global_step,
            use_locking=self._use_locking).op


class _ProximalOptimizer(Optimizer):
    """The learning rate and l1/l2 strengths that the proximal optimizers share."""

    def __init__(self, learning_rate, l1_regularization_strength, l2_regularization_strength,
                 use_locking, name):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._l1_regularization_strength = l1_regularization_strength
        self._l2_regularization_strength = l2_regularization_strength

    def _prepare(self):
        self._learning_rate_tensor = _hyper(self._learning_rate, "learning_rate")
        self._l1_regularization_strength_tensor = _hyper(self._l1_regularization_strength,
                                                         "l1_regularization_strength")
        self._l2_regularization_strength_tensor = _hyper(self._l2_regularization_strength,
                                                         "l2_regularization_strength")

    def _lr_l1_l2(self, var):
        # TF1 passes these uncast (so float64 variables fail there); casting is a no-op for
        # float32 and makes float64 work.
        return (_cast(self._learning_rate_tensor, var),
                _cast(self._l1_regularization_strength_tensor, var),
                _cast(self._l2_regularization_strength_tensor, var))


class ProximalAdagradOptimizer(_ProximalOptimizer):
    """Adagrad's step size with the l1/l2 proximal map (FOBOS).

    Args:
      learning_rate: a float, a scalar Tensor or a callable.
      initial_accumulator_value: the accumulators' starting value (positive).
      l1_regularization_strength, l2_regularization_strength: non-negative floats.
      use_locking: kept as the update ops' ``use_locking`` attr.
      name: the optimizer's name.

    Raises:
      ValueError: ``initial_accumulator_value`` is not positive.
    """

    def __init__(self, learning_rate, initial_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                 use_locking=False, name="ProximalAdagrad"):
        _check_positive(initial_accumulator_value, "initial_accumulator_value")
        super().__init__(learning_rate, l1_regularization_strength, l2_regularization_strength,
                         use_locking, name)
        self._initial_accumulator_value = initial_accumulator_value

    def _create_slots(self, var_list):
        for v in var_list:
            _constant_value_slot(self, v, self._initial_accumulator_value, "accumulator")

    def _apply_dense(self, grad, var):
        acc = self.get_slot(var, "accumulator")
        return training_ops.apply_proximal_adagrad(var, acc, *self._lr_l1_l2(var), grad,
                                                   use_locking=self._use_locking).op


class ProximalGradientDescentOptimizer(_ProximalOptimizer):
    """A gradient step followed by the l1/l2 proximal map.

    Args:
      learning_rate: a float, a scalar Tensor or a callable.
      l1_regularization_strength, l2_regularization_strength: non-negative floats.
      use_locking: kept as the update ops' ``use_locking`` attr.
      name: the optimizer's name.
    """

    def __init__(self, learning_rate, l1_regularization_strength=0.0,
                 l2_regularization_strength=0.0, use_locking=False,
                 name="ProximalGradientDescent"):
        super().__init__(learning_rate, l1_regularization_strength, l2_regularization_strength,
                         use_locking, name)

    def _apply_dense(self, grad, var):
        return training_ops.apply_proximal_gradient_descent(var, *self._lr_l1_l2(var), grad,
                                                            use_locking=self._use_locking).op


# --------------------------------------------------------------------------- adaptive

class AdadeltaOptimizer(Optimizer):
    """Adadelta (Zeiler, 2012). Slots ``"accum"`` and ``"accum_update"``.

    Args:
      learning_rate: a float, a scalar Tensor or a callable (TF1's default 0.001).
      rho: the decay rate.
      epsilon: the constant added inside the square roots.
      use_locking: kept as the update ops' ``use_locking`` attr.
      name: the optimizer's name.
    """

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-8, use_locking=False,
                 name="Adadelta"):
        super().__init__(use_locking, name)
        self._lr = learning_rate
        self._rho = rho
        self._epsilon = epsilon

    def _create_slots(self, var_list):
        for v in var_list:
            self._zeros_slot(v, "accum", self._name)
            self._zeros_slot(v, "accum_update", self._name)

    def _prepare(self):
        self._lr_t = _hyper(self._lr, "lr")
        self._rho_t = _hyper(self._rho, "rho")
        self._epsilon_t = _hyper(self._epsilon, "epsilon")

    def _apply_dense(self, grad, var):
        accum = self.get_slot(var, "accum")
        accum_update = self.get_slot(var, "accum_update")
        return training_ops.apply_adadelta(
            var, accum, accum_update, _cast(self._lr_t, var), _cast(self._rho_t, var),
            _cast(self._epsilon_t, var), grad, use_locking=self._use_locking).op


class AdamOptimizer(Optimizer):
    """Adam (Kingma & Ba), with TF1's "epsilon hat" formulation.

    ``lr_t = learning_rate * sqrt(1 - beta2^t) / (1 - beta1^t)``;
    ``m = beta1 * m + (1 - beta1) * g``; ``v = beta2 * v + (1 - beta2) * g^2``;
    ``var -= lr_t * m / (sqrt(v) + epsilon)``. Slots ``"m"`` (``<var>/Adam``) and ``"v"``
    (``<var>/Adam_1``); ``beta1^t`` and ``beta2^t`` live in the non-slot variables
    ``beta1_power`` and ``beta2_power``, placed with the first variable by name.

    Args:
      learning_rate: a float, a scalar Tensor or a callable.
      beta1, beta2: the decay rates of the moment estimates.
      epsilon: the constant added to ``sqrt(v)``.
      use_locking: kept as the update ops' ``use_locking`` attr.
      name: the optimizer's name.
    """

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8,
                 use_locking=False, name="Adam"):
        super().__init__(use_locking, name)
        self._lr = learning_rate
        self._beta1 = beta1
        self._beta2 = beta2
        self._epsilon = epsilon

    def _get_beta_accumulators(self):
        return (self._get_non_slot_variable("beta1_power"),
                self._get_non_slot_variable("beta2_power"))

    def _create_slots(self, var_list):
        first_var = min(var_list, key=lambda x: x.name)
        self._create_non_slot_variable(initial_value=self._beta1, name="beta1_power",
                                       colocate_with=first_var)
        self._create_non_slot_variable(initial_value=self._beta2, name="beta2_power",
                                       colocate_with=first_var)
        for v in var_list:
            self._zeros_slot(v, "m", self._name)
            self._zeros_slot(v, "v", self._name)

    def _prepare(self):
        self._lr_t = _hyper(self._lr, "learning_rate")
        self._beta1_t = _hyper(self._beta1, "beta1")
        self._beta2_t = _hyper(self._beta2, "beta2")
        self._epsilon_t = _hyper(self._epsilon, "epsilon")

    def _apply_dense(self, grad, var):
        m = self.get_slot(var, "m")
        v = self.get_slot(var, "v")
        beta1_power, beta2_power = self._get_beta_accumulators()
        return training_ops.apply_adam(
            var, m, v, _cast(beta1_power, var), _cast(beta2_power, var),
            _cast(self._lr_t, var), _cast(self._beta1_t, var), _cast(self._beta2_t, var),
            _cast(self._epsilon_t, var), grad, use_locking=self._use_locking).op

    def _finish(self, update_ops, name_scope):
        # The beta powers advance once per step, after every variable's update.
        with control_dependencies(update_ops):
            beta1_power, beta2_power = self._get_beta_accumulators()
            with colocate_with(beta1_power):
                update_beta1 = beta1_power.assign(beta1_power * self._beta1_t,
                                                  use_locking=self._use_locking)
                update_beta2 = beta2_power.assign(beta2_power * self._beta2_t,
                                                  use_locking=self._use_locking)
        return control_flow_ops.group(*update_ops + [update_beta1, update_beta2],
                                      name=name_scope)


class FtrlOptimizer(Optimizer):
    """FTRL-proximal (McMahan et al., 2013), with l1, l2 and l2-shrinkage regularization.

    Slots ``"accum"`` (``<var>/Ftrl``, starting at ``initial_accumulator_value``) and
    ``"linear"`` (``<var>/Ftrl_1``). With ``l2_shrinkage_regularization_strength > 0`` the op is
    ``ApplyFtrlV2``.

    Args:
      learning_rate: a float, a scalar Tensor or a callable.
      learning_rate_power: how the step shrinks as the accumulator grows (<= 0).
      initial_accumulator_value: the accumulators' starting value (>= 0).
      l1_regularization_strength, l2_regularization_strength: non-negative floats.
      use_locking: kept as the update ops' ``use_locking`` attr.
      name: the optimizer's name.
      accum_name, linear_name: the slots' name suffixes (default: ``name``).
      l2_shrinkage_regularization_strength: a non-negative float (magnitude penalty applied
        to the gradient, not the loss).
      beta: optional; adds ``beta / (2 * learning_rate)`` to the l2 strength.

    Raises:
      ValueError: a hyperparameter is out of range.
    """

    def __init__(self, learning_rate, learning_rate_power=-0.5, initial_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                 use_locking=False, name="Ftrl", accum_name=None, linear_name=None,
                 l2_shrinkage_regularization_strength=0.0, beta=None):
        super().__init__(use_locking, name)
        if initial_accumulator_value < 0.0:
            raise ValueError("initial_accumulator_value %f needs to be positive or zero"
                             % initial_accumulator_value)
        if learning_rate_power > 0.0:
            raise ValueError("learning_rate_power %f needs to be negative or zero"
                             % learning_rate_power)
        if l1_regularization_strength < 0.0:
            raise ValueError("l1_regularization_strength %f needs to be positive or zero"
                             % l1_regularization_strength)
        if l2_regularization_strength < 0.0:
            raise ValueError("l2_regularization_strength %f needs to be positive or zero"
                             % l2_regularization_strength)
        if l2_shrinkage_regularization_strength < 0.0:
            raise ValueError("l2_shrinkage_regularization_strength %f needs to be positive or "
                             "zero" % l2_shrinkage_regularization_strength)
        self._learning_rate = learning_rate
        self._learning_rate_power = learning_rate_power
        self._initial_accumulator_value = initial_accumulator_value
        self._l1_regularization_strength = l1_regularization_strength
        self._l2_regularization_strength = l2_regularization_strength
        self._l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self._beta = 0.0 if beta is None else beta
        self._accum_name = accum_name
        self._linear_name = linear_name

    def _create_slots(self, var_list):
        for v in var_list:
            _constant_slot(self, v, self._initial_accumulator_value, "accum",
                           self._accum_name or self._name)
            self._zeros_slot(v, "linear", self._linear_name or self._name)

    def _prepare(self):
        self._learning_rate_tensor = _hyper(self._learning_rate, "learning_rate")
        self._l1_regularization_strength_tensor = _hyper(self._l1_regularization_strength,
                                                         "l1_regularization_strength")
        if self._beta:
            lr = self._learning_rate_tensor
            adjusted = self._l2_regularization_strength + self._beta / (
                2.0 * math_ops.maximum(lr, 1e-36))
        else:
            adjusted = self._l2_regularization_strength
        self._adjusted_l2_regularization_strength_tensor = _hyper(
            adjusted, "adjusted_l2_regularization_strength")
        self._l2_shrinkage_regularization_strength_tensor = _hyper(
            self._l2_shrinkage_regularization_strength, "l2_shrinkage_regularization_strength")
        self._learning_rate_power_tensor = _hyper(self._learning_rate_power,
                                                  "learning_rate_power")

    def _apply_dense(self, grad, var):
        accum = self.get_slot(var, "accum")
        linear = self.get_slot(var, "linear")
        lr = _cast(self._learning_rate_tensor, var)
        l1 = _cast(self._l1_regularization_strength_tensor, var)
        l2 = _cast(self._adjusted_l2_regularization_strength_tensor, var)
        lr_power = _cast(self._learning_rate_power_tensor, var)
        if self._l2_shrinkage_regularization_strength <= 0.0:
            return training_ops.apply_ftrl(var, accum, linear, grad, lr, l1, l2, lr_power,
                                           use_locking=self._use_locking).op
        return training_ops.apply_ftrl_v2(
            var, accum, linear, grad, lr, l1, l2,
            _cast(self._l2_shrinkage_regularization_strength_tensor, var), lr_power,
            use_locking=self._use_locking).op


class RMSPropOptimizer(Optimizer):
    """RMSProp (Hinton), with optional momentum and centering.

    ``ms = decay * ms + (1 - decay) * g^2``;
    ``mom = momentum * mom + learning_rate * g / sqrt(ms + epsilon)``; ``var -= mom``.
    Centered: ``ms - mg^2`` replaces ``ms``, ``mg`` the moving mean of ``g``. Slots ``"rms"``
    (``<var>/RMSProp``, starting at ones), ``"mg"`` when centered, and ``"momentum"``.

    Args:
      learning_rate: a float, a scalar Tensor or a callable.
      decay: the discounting factor of the squared-gradient average.
      momentum: the momentum.
      epsilon: the constant added to the mean square.
      use_locking: kept as the update ops' ``use_locking`` attr.
      centered: normalize by the estimated variance rather than the second moment.
      name: the optimizer's name.
    """

    def __init__(self, learning_rate, decay=0.9, momentum=0.0, epsilon=1e-10,
                 use_locking=False, centered=False, name="RMSProp"):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._decay = decay
        self._momentum = momentum
        self._epsilon = epsilon
        self._centered = centered

    def _create_slots(self, var_list):
        for v in var_list:
            dtype = v.dtype.base_dtype
            shape = v.get_shape()
            if shape.is_fully_defined():
                self._get_or_make_slot_with_initializer(
                    v, init_ops.ones_initializer(dtype=dtype), shape, dtype, "rms",
                    self._name)
            else:
                _constant_slot(self, v, 1.0, "rms")
            if self._centered:
                self._zeros_slot(v, "mg", self._name)
            self._zeros_slot(v, "momentum", self._name)

    def _prepare(self):
        self._learning_rate_tensor = _hyper(self._learning_rate, "learning_rate")
        self._decay_tensor = _hyper(self._decay, "decay")
        self._momentum_tensor = _hyper(self._momentum, "momentum")
        self._epsilon_tensor = _hyper(self._epsilon, "epsilon")

    def _apply_dense(self, grad, var):
        rms = self.get_slot(var, "rms")
        mom = self.get_slot(var, "momentum")
        args = (_cast(self._learning_rate_tensor, var), _cast(self._decay_tensor, var),
                _cast(self._momentum_tensor, var), _cast(self._epsilon_tensor, var), grad)
        if self._centered:
            mg = self.get_slot(var, "mg")
            return training_ops.apply_centered_rms_prop(var, mg, rms, mom, *args,
                                                        use_locking=self._use_locking).op
        return training_ops.apply_rms_prop(var, rms, mom, *args,
                                           use_locking=self._use_locking).op
