"""Learning-rate schedules (``tf.train.exponential_decay`` and friends), as TF1 builds them.

Each schedule is a small graph computing the decayed rate from ``global_step``, opened in a
name scope named after it (``ExponentialDecay``); the result op takes that name, so
``tf.train.exponential_decay(...)`` is ``ExponentialDecay:0``. Pass the result to an
optimizer as its learning rate.
"""
import math

from tensorslim.core import dtypes as _dtypes
from tensorslim.core.graph import convert_to_tensor, name_scope
from tensorslim.core.ops import array_ops, math_ops

__all__ = ["exponential_decay", "piecewise_constant", "piecewise_constant_decay",
           "polynomial_decay", "natural_exp_decay",
           "inverse_time_decay", "cosine_decay", "cosine_decay_restarts",
           "linear_cosine_decay", "noisy_linear_cosine_decay"]


def _require_step(global_step, schedule):
    if global_step is None:
        raise ValueError("global_step is required for %s." % schedule)


def _start(learning_rate, global_step, name="initial_learning_rate"):
    lr = convert_to_tensor(learning_rate, name=name)
    dtype = lr.dtype.base_dtype
    return lr, dtype, math_ops.cast(global_step, dtype)


def exponential_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False,
                      name=None):
    """``learning_rate * decay_rate ** (global_step / decay_steps)``.

    Args:
      learning_rate: the initial rate (a float or scalar Tensor).
      global_step: the step (an integer Variable or Tensor); required.
      decay_steps: the number of steps over which the rate is multiplied by ``decay_rate``.
      decay_rate: the decay factor.
      staircase: decay in discrete intervals (``floor(global_step / decay_steps)``).
      name: the name scope and result name (default "ExponentialDecay").

    Returns:
      A scalar Tensor of ``learning_rate``'s dtype.

    Raises:
      ValueError: ``global_step`` is None.
    """
    _require_step(global_step, "exponential_decay")
    with name_scope(name, "ExponentialDecay", [learning_rate, global_step, decay_steps,
                                              decay_rate]) as scope:
        lr, dtype, step = _start(learning_rate, global_step)
        decay_steps = math_ops.cast(decay_steps, dtype)
        decay_rate = math_ops.cast(decay_rate, dtype)
        p = step / decay_steps
        if staircase:
            p = math_ops.floor(p)
        return math_ops.multiply(lr, math_ops.pow(decay_rate, p), name=scope)


def piecewise_constant(x, boundaries, values, name=None):
    """A constant rate per interval: ``values[i]`` while ``boundaries[i-1] < x <= boundaries[i]``.

    Args:
      x: the step, a scalar Tensor.
      boundaries: increasing boundaries, of ``x``'s dtype (Python ints are accepted for an
        int64 ``x``).
      values: the rates, one more than ``boundaries``, all of one dtype.
      name: the name scope and result name (default "PiecewiseConstant").

    Returns:
      A scalar Tensor of ``values``' dtype.

    Raises:
      ValueError: the lengths or dtypes do not match.
    """
    x = convert_to_tensor(x)
    boundaries = [convert_to_tensor(b) for b in boundaries]
    values = [convert_to_tensor(v) for v in values]
    for i, b in enumerate(boundaries):
        if b.dtype.base_dtype != x.dtype.base_dtype:
            if b.dtype.base_dtype == _dtypes.int32 and x.dtype.base_dtype == _dtypes.int64:
                boundaries[i] = math_ops.cast(b, _dtypes.int64)
            else:
                raise ValueError("Boundaries (%s) must have the same dtype as x (%s)."
                                 % (b.dtype.base_dtype, x.dtype.base_dtype))
    for v in values[1:]:
        if v.dtype.base_dtype != values[0].dtype.base_dtype:
            raise ValueError("Values must have elements all with the same dtype (%s vs %s)."
                             % (values[0].dtype.base_dtype, v.dtype.base_dtype))
    if len(boundaries) != len(values) - 1:
        raise ValueError("The length of boundaries should be 1 less than the length of values")
    with name_scope(name, "PiecewiseConstant", [x] + boundaries + values) as scope:
        if not boundaries:
            return array_ops.identity(values[0], name=scope)
        # Equivalent to TF's tf.case over the intervals: walk the boundaries upwards.
        result = values[0]
        for i, b in enumerate(boundaries):
            last = i == len(boundaries) - 1
            result = math_ops.where(math_ops.greater(x, b), values[i + 1], result,
                                  name=scope if last else None)
        return result


piecewise_constant_decay = piecewise_constant  # TF1's other name for it


def polynomial_decay(learning_rate, global_step, decay_steps, end_learning_rate=0.0001,
                     power=1.0, cycle=False, name=None):
    """``(lr - end) * (1 - step / decay_steps) ** power + end``, with step capped at
    ``decay_steps`` (or, with ``cycle``, ``decay_steps`` stretched to the next multiple).

    Args:
      learning_rate: the initial rate.
      global_step: the step; required.
      decay_steps: the steps to reach ``end_learning_rate``.
      end_learning_rate: the final rate.
      power: the polynomial's power.
      cycle: restart the decay after ``decay_steps`` (to a lower peak).
      name: the name scope and result name (default "PolynomialDecay").

    Returns:
      A scalar Tensor.

    Raises:
      ValueError: ``global_step`` is None.
    """
    _require_step(global_step, "polynomial_decay")
    with name_scope(name, "PolynomialDecay", [learning_rate, global_step, decay_steps,
                                             end_learning_rate, power]) as scope:
        lr, dtype, step = _start(learning_rate, global_step)
        end = math_ops.cast(end_learning_rate, dtype)
        power = math_ops.cast(power, dtype)
        decay_steps = math_ops.cast(decay_steps, dtype)
        if cycle:
            # TF: cond(step == 0, 1.0, ceil(step / decay_steps)); for steps >= 0 that is
            # max(ceil(step / decay_steps), 1).
            multiplier = math_ops.maximum(math_ops.ceil(step / decay_steps),
                                        array_ops.constant(1.0, dtype=dtype))
            decay_steps = math_ops.multiply(decay_steps, multiplier)
        else:
            step = math_ops.minimum(step, decay_steps)
        p = math_ops.divide(step, decay_steps)
        return math_ops.add(math_ops.multiply(lr - end, math_ops.pow(1 - p, power)), end,
                            name=scope)


def natural_exp_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False,
                      name=None):
    """``learning_rate * exp(-decay_rate * global_step / decay_steps)``.

    Built as TF1 builds it: ``exp(-decay_rate)`` (ops ``Neg`` and ``Exp``, outside the
    schedule's scope) becomes the rate of an :func:`exponential_decay`, so the result is
    named ``ExponentialDecay`` unless ``name`` is given, and its float32 rounding is TF's.

    Arguments as :func:`exponential_decay`.
    """
    _require_step(global_step, "natural_exp_decay")
    natural_exp_rate = math_ops.exp(math_ops.negative(decay_rate))
    return exponential_decay(learning_rate, global_step, decay_steps, natural_exp_rate,
                             staircase=staircase, name=name)


def inverse_time_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False,
                       name=None):
    """``learning_rate / (1 + decay_rate * global_step / decay_steps)``.

    Arguments as :func:`exponential_decay` (default name "InverseTimeDecay").
    """
    _require_step(global_step, "inverse_time_decay")
    with name_scope(name, "InverseTimeDecay", [learning_rate, global_step, decay_rate]) \
            as scope:
        lr, dtype, step = _start(learning_rate, global_step)
        decay_steps = math_ops.cast(decay_steps, dtype)
        decay_rate = math_ops.cast(decay_rate, dtype)
        p = step / decay_steps
        if staircase:
            p = math_ops.floor(p)
        one = math_ops.cast(array_ops.constant(1), dtype)
        denom = math_ops.add(one, math_ops.multiply(decay_rate, p))
        return math_ops.truediv(lr, denom, name=scope)


def _cosine(x, dtype):
    return math_ops.cos(array_ops.constant(math.pi, dtype=dtype) * x)


def _linear_cosine(linear_decayed, step, decay_steps, num_periods, alpha, beta, dtype):
    """``(alpha + linear_decayed) * 0.5 * (1 + cos(2 pi num_periods step / decay_steps)) +
    beta``, the factor of the linear cosine schedules."""
    completed_fraction = step / decay_steps
    fraction = 2.0 * num_periods * completed_fraction
    cosine_decayed = 0.5 * (1.0 + _cosine(fraction, dtype))
    return (alpha + linear_decayed) * cosine_decayed + beta


def cosine_decay(learning_rate, global_step, decay_steps, alpha=0.0, name=None):
    """Cosine decay (Loshchilov & Hutter): from ``learning_rate`` to
    ``alpha * learning_rate`` over ``decay_steps``, then constant.

    Args:
      learning_rate: the initial rate.
      global_step: the step; required.
      decay_steps: the length of the decay.
      alpha: the final rate as a fraction of ``learning_rate``.
      name: the name scope and result name (default "CosineDecay").

    Returns:
      A scalar Tensor.
    """
    _require_step(global_step, "cosine_decay")
    with name_scope(name, "CosineDecay", [learning_rate, global_step]) as scope:
        lr, dtype, step = _start(learning_rate, global_step)
        decay_steps = math_ops.cast(decay_steps, dtype)
        step = math_ops.minimum(step, decay_steps)
        completed_fraction = step / decay_steps
        cosine_decayed = 0.5 * (1.0 + _cosine(completed_fraction, dtype))
        decayed = (1 - alpha) * cosine_decayed + alpha
        return math_ops.multiply(lr, decayed, name=scope)


def cosine_decay_restarts(learning_rate, global_step, first_decay_steps, t_mul=2.0,
                          m_mul=1.0, alpha=0.0, name=None):
    """Cosine decay with warm restarts (SGDR): periods of ``first_decay_steps * t_mul**i``
    steps, each restarting at ``m_mul**i`` times the rate.

    Args:
      learning_rate: the initial rate.
      global_step: the step; required.
      first_decay_steps: the length of the first period.
      t_mul: how much longer each period is than the previous one.
      m_mul: how much lower each restart is than the previous one.
      alpha: the minimum rate as a fraction of ``learning_rate``.
      name: the name scope and result name (default "SGDRDecay").

    Returns:
      A scalar Tensor.
    """
    _require_step(global_step, "cosine_decay_restarts")
    with name_scope(name, "SGDRDecay", [learning_rate, global_step]) as scope:
        lr, dtype, step = _start(learning_rate, global_step)
        first_decay_steps = math_ops.cast(first_decay_steps, dtype)
        alpha_t = math_ops.cast(alpha, dtype)
        m_mul_t = math_ops.cast(m_mul, dtype)
        completed_fraction = step / first_decay_steps
        # TF chooses the formula with a cond on t_mul == 1; t_mul is a Python number here.
        if float(t_mul) == 1.0:
            i_restart = math_ops.floor(completed_fraction)
            completed_fraction = completed_fraction - i_restart
        else:
            t_mul_t = math_ops.cast(t_mul, dtype)
            i_restart = math_ops.floor(
                math_ops.log(1.0 - completed_fraction * (1.0 - t_mul_t)) / math_ops.log(t_mul_t))
            sum_r = (1.0 - math_ops.pow(t_mul_t, i_restart)) / (1.0 - t_mul_t)
            completed_fraction = (completed_fraction - sum_r) / math_ops.pow(t_mul_t, i_restart)
        m_fac = math_ops.pow(m_mul_t, i_restart)
        cosine_decayed = 0.5 * m_fac * (1.0 + _cosine(completed_fraction, dtype))
        decayed = (1 - alpha_t) * cosine_decayed + alpha_t
        return math_ops.multiply(lr, decayed, name=scope)


def linear_cosine_decay(learning_rate, global_step, decay_steps, num_periods=0.5, alpha=0.0,
                        beta=0.001, name=None):
    """Linear cosine decay (Bello et al.):
    ``lr * ((alpha + (1 - t)) * 0.5 * (1 + cos(2 pi num_periods t)) + beta)`` with
    ``t = min(step, decay_steps) / decay_steps``.

    Args:
      learning_rate: the initial rate.
      global_step: the step; required.
      decay_steps: the length of the decay.
      num_periods: the number of cosine periods over the decay.
      alpha, beta: see the formula.
      name: the name scope and result name (default "LinearCosineDecay").

    Returns:
      A scalar Tensor.
    """
    _require_step(global_step, "linear_cosine_decay")
    with name_scope(name, "LinearCosineDecay", [learning_rate, global_step]) as scope:
        lr, dtype, step = _start(learning_rate, global_step, name="learning_rate")
        decay_steps = math_ops.cast(decay_steps, dtype)
        num_periods = math_ops.cast(num_periods, dtype)
        alpha = math_ops.cast(alpha, dtype)
        beta = math_ops.cast(beta, dtype)
        step = math_ops.minimum(step, decay_steps)
        linear_decayed = (decay_steps - step) / decay_steps
        linear_cosine_decayed = _linear_cosine(linear_decayed, step, decay_steps, num_periods,
                                               alpha, beta, dtype)
        return math_ops.multiply(lr, linear_cosine_decayed, name=scope)


def noisy_linear_cosine_decay(learning_rate, global_step, decay_steps, initial_variance=1.0,
                              variance_decay=0.55, num_periods=0.5, alpha=0.0, beta=0.001,
                              name=None):
    """:func:`linear_cosine_decay` with Gaussian noise on the linear term, of variance
    ``initial_variance / (1 + global_step) ** variance_decay``.

    Args:
      learning_rate: the initial rate.
      global_step: the step; required.
      decay_steps: the length of the decay.
      initial_variance: the noise's initial variance.
      variance_decay: how fast the noise's variance decays.
      num_periods, alpha, beta: as in :func:`linear_cosine_decay`.
      name: the name scope and result name (default "NoisyLinearCosineDecay").

    Returns:
      A scalar Tensor (a new draw at every run).
    """
    from tensorslim.core.ops import random_ops
    _require_step(global_step, "noisy_linear_cosine_decay")
    with name_scope(name, "NoisyLinearCosineDecay", [learning_rate, global_step]) as scope:
        lr, dtype, step = _start(learning_rate, global_step, name="learning_rate")
        decay_steps = math_ops.cast(decay_steps, dtype)
        initial_variance = math_ops.cast(initial_variance, dtype)
        variance_decay = math_ops.cast(variance_decay, dtype)
        num_periods = math_ops.cast(num_periods, dtype)
        alpha = math_ops.cast(alpha, dtype)
        beta = math_ops.cast(beta, dtype)
        step = math_ops.minimum(step, decay_steps)
        linear_decayed = (decay_steps - step) / decay_steps
        variance = initial_variance / math_ops.pow(1.0 + step, variance_decay)
        std = math_ops.sqrt(variance)
        noisy_linear_decayed = linear_decayed + random_ops.random_normal(
            linear_decayed.shape, stddev=std, dtype=dtype)
        noisy_linear_cosine_decayed = _linear_cosine(noisy_linear_decayed, step, decay_steps,
                                                     num_periods, alpha, beta, dtype)
        return math_ops.multiply(lr, noisy_linear_cosine_decayed, name=scope)
