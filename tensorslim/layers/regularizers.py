"""Weight regularizers: functions ``f(weights) -> scalar loss`` for ``weights_regularizer=``.

``l2_regularizer(scale)(w)`` is ``scale * sum(w ** 2) / 2`` (``scale * tf.nn.l2_loss(w)``);
the op is named ``<variable>/Regularizer/l2_regularizer`` and lands in
REGULARIZATION_LOSSES when used through ``tf.get_variable`` / a slim layer.
"""
import logging
import numbers

from tensorslim.core.graph import (GraphKeys, add_to_collection, convert_to_tensor,
                                   get_collection, name_scope)

__all__ = ["l1_regularizer", "l2_regularizer", "l1_l2_regularizer", "sum_regularizer",
           "apply_regularization"]

_logger = logging.getLogger("tensorslim")


def _check_scale(scale, name):
    """None when the regularizer is on; a no-op regularizer when the scale is 0."""
    if isinstance(scale, numbers.Integral) and not isinstance(scale, bool):
        raise ValueError("%s: scale cannot be an integer: %s (use a float such as %s.0)"
                         % (name, scale, scale))
    if isinstance(scale, numbers.Real):
        if scale < 0.0:
            raise ValueError("%s: Setting a scale less than 0 on a regularizer: %g."
                             % (name, scale))
        if scale == 0.0:
            _logger.info("Scale of 0 disables regularizer.")
            return lambda _: None
    return None


def _scaled_regularizer(kind, scale, scope, penalty):
    """``scale * penalty(tf, weights)`` in a ``kind`` name scope (the no-op when scale is 0)."""
    off = _check_scale(scale, kind)
    if off is not None:
        return off

    def regularizer(weights):
        import tensorslim as tf
        with name_scope(scope, kind, [weights]) as name:
            my_scale = convert_to_tensor(scale, dtype=weights.dtype.base_dtype, name="scale")
            return tf.multiply(my_scale, penalty(tf, weights), name=name)
    return regularizer


def l1_regularizer(scale, scope=None):
    """``scale * sum(|w|)``.

    Args:
      scale: a non-negative float (0 disables the regularizer).
      scope: the name scope of the ops (default "l1_regularizer").

    Returns:
      A function ``f(weights) -> Tensor``.

    Raises:
      ValueError: ``scale`` is negative or an integer.
    """
    return _scaled_regularizer("l1_regularizer", scale, scope,
                               lambda tf, weights: tf.reduce_sum(tf.abs(weights)))


def l2_regularizer(scale, scope=None):
    """``scale * sum(w ** 2) / 2`` (``scale * tf.nn.l2_loss(w)``).

    Args:
      scale: a non-negative float (0 disables the regularizer).
      scope: the name scope of the ops (default "l2_regularizer").

    Returns:
      A function ``f(weights) -> Tensor``.

    Raises:
      ValueError: ``scale`` is negative or an integer.
    """
    return _scaled_regularizer("l2_regularizer", scale, scope,
                               lambda tf, weights: tf.nn.l2_loss(weights))


def l1_l2_regularizer(scale_l1=1.0, scale_l2=1.0, scope=None):
    """The sum of an L1 and an L2 regularizer.

    Args:
      scale_l1: the L1 scale.
      scale_l2: the L2 scale.
      scope: the name scope (default "l1_l2_regularizer").

    Returns:
      A function ``f(weights) -> Tensor``.
    """
    _check_scale(scale_l1, "l1_l2_regularizer")
    _check_scale(scale_l2, "l1_l2_regularizer")
    scope = scope or "l1_l2_regularizer"
    if scale_l1 == 0.0:
        return l2_regularizer(scale_l2, scope)
    if scale_l2 == 0.0:
        return l1_regularizer(scale_l1, scope)
    return sum_regularizer([l1_regularizer(scale_l1), l2_regularizer(scale_l2)], scope=scope)


def sum_regularizer(regularizer_list, scope=None):
    """A regularizer adding up the penalties of ``regularizer_list`` (None entries skipped).

    Returns:
      A function ``f(weights) -> Tensor or None``, or None when the list is empty.
    """
    regularizer_list = [r for r in regularizer_list if r is not None]
    if not regularizer_list:
        return None

    def sum_reg(weights):
        import tensorslim as tf
        with name_scope(scope, "sum_regularizer", [weights]) as name:
            tensors = [t for t in (r(weights) for r in regularizer_list) if t is not None]
            return tf.add_n(tensors, name=name) if tensors else None
    return sum_reg


def apply_regularization(regularizer, weights_list=None):
    """Sums ``regularizer`` over ``weights_list`` and adds it to REGULARIZATION_LOSSES.

    Args:
      regularizer: ``f(weights) -> scalar Tensor or None``.
      weights_list: the weights (default: the WEIGHTS collection).

    Returns:
      The summed penalty, a scalar Tensor.

    Raises:
      ValueError: no weights, or a penalty that is not a scalar.
    """
    import tensorslim as tf
    if not weights_list:
        weights_list = get_collection(GraphKeys.WEIGHTS)
    if not weights_list:
        raise ValueError("No weights to regularize (pass weights_list or fill the "
                         "tf.GraphKeys.WEIGHTS collection).")
    with name_scope("get_regularization_penalty", values=weights_list) as scope:
        penalties = [regularizer(w) for w in weights_list]
        penalties = [p if p is not None else tf.constant(0.0) for p in penalties]
        for w, p in zip(weights_list, penalties):
            if p.get_shape().ndims != 0:
                raise ValueError("regularizer must return a scalar Tensor instead of a Tensor "
                                 "with rank %d (for %s)." % (p.get_shape().ndims, w.name))
        summed = tf.add_n(penalties, name=scope)
    add_to_collection(GraphKeys.REGULARIZATION_LOSSES, summed)
    return summed
