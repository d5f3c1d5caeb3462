"""Loss ops of ``tf.nn``: L2Loss, the fused softmax cross-entropy ops, and the logistic losses.

``SoftmaxCrossEntropyWithLogits`` and ``SparseSoftmaxCrossEntropyWithLogits`` are fused ops
with two outputs (the loss and its gradient, which their gradient function reuses), computed
in one numerically stable kernel. The sigmoid losses are compositions, written as TF writes
them so that large logits neither overflow nor lose precision.

TF1 requires keyword arguments for the cross-entropy functions: a positional call fills the
hidden ``_sentinel`` argument and raises ValueError.
"""
import numpy as np

from tensorslim.core import dtypes as _dtypes
from tensorslim.core.graph import convert_to_tensor, name_scope
from tensorslim.core.kernels import nn as _k
from tensorslim.core.op_util import apply_op, broadcast_shapes, constant_value
from tensorslim.core.ops import array_ops, math_ops, nn_ops
from tensorslim.core.ops.nn_ops import lazy_op
from tensorslim.core.registry import register_op
from tensorslim.core.tensor_shape import TensorShape, unknown_shape

__all__ = ["l2_loss", "softmax_cross_entropy_with_logits",
           "softmax_cross_entropy_with_logits_v2", "sparse_softmax_cross_entropy_with_logits",
           "sigmoid_cross_entropy_with_logits", "weighted_cross_entropy_with_logits"]


# --------------------------------------------------------------------------- L2Loss

def _l2_loss_kernel(ctx, x):
    return (x * x).sum() / 2


register_op("L2Loss", shape=lambda op: [TensorShape([])], kernel=_l2_loss_kernel,
            grad=lambda op, grad: [op.inputs[0] * grad])


def l2_loss(t, name=None):
    """``tf.nn.l2_loss``: ``sum(t ** 2) / 2``, without the square root.

    Args:
      t: a floating-point Tensor.
      name: the op's name (default "L2Loss").

    Returns:
      A scalar of the dtype of ``t``.
    """
    t = convert_to_tensor(t, name="t")
    dt = nn_ops._check_dtype("L2Loss", "t", t)
    return apply_op("L2Loss", [t], [dt], attrs={"T": dt}, name=name or "L2Loss").outputs[0]


# --------------------------------------------------------------------------- softmax xent

def _xent_shape(op):
    s = broadcast_shapes(op.inputs[0].shape, op.inputs[1].shape)
    if s.ndims is None:
        return [TensorShape([None]), unknown_shape(2)]
    if s.ndims != 2:
        raise ValueError("Shape must be broadcasted with rank 2, but is rank %d" % s.ndims)
    return [TensorShape([s.as_list()[0]]), s]


def _xent_kernel(ctx, logits, labels):
    return _k.softmax_cross_entropy_with_logits(ctx.xp, logits, labels)


def _broadcast_mul(vec, mat):
    return array_ops.expand_dims(vec, -1) * mat


def _is_zero(t):
    """Whether ``t`` is statically all zeros (the walk's filler for an unused output)."""
    if t is None or t.op.type == "ZerosLike":
        return True
    if t.op.type == "Fill":
        t = t.op.inputs[1]
    value = constant_value(t)
    return value is not None and not np.any(value)


def _xent_grad(op, grad_loss, grad_grad):
    logits = op.inputs[0]
    grad = _broadcast_mul(grad_loss, op.outputs[1])
    if not _is_zero(grad_grad):
        # Second order: the backprop output depends on the logits through the softmax.
        softmax = nn_ops.softmax(logits)
        inner = math_ops.reduce_sum(grad_grad * softmax, -1, keepdims=True)
        grad = grad + (grad_grad - inner) * softmax
    return [grad, _broadcast_mul(grad_loss, -nn_ops.log_softmax(logits))]


register_op("SoftmaxCrossEntropyWithLogits", shape=_xent_shape, kernel=_xent_kernel,
            grad=_xent_grad)


def _ensure_xent_args(name, sentinel, labels, logits):
    if sentinel is not None:
        raise ValueError("Only call `%s` with named arguments (labels=..., logits=..., ...)"
                         % name)
    if labels is None or logits is None:
        raise ValueError("Both labels and logits must be provided.")


def _static_dims(t):
    return t.shape.as_list() if t.shape.ndims is not None else None


def _move_dim_to_end(t, axis, rank):
    perm = list(range(rank))
    axis %= rank
    perm = perm[:axis] + perm[axis + 1:] + [axis]
    return lazy_op("transpose")(t, perm)


def _flatten_outer_dims(t):
    dims = _static_dims(t)
    if dims is not None and dims[-1] is not None:
        return array_ops.reshape(t, [-1, dims[-1]])
    from tensorslim.core.ops import manip_ops
    rank = array_ops.rank(t)
    last = manip_ops.gather(array_ops.shape(t), rank - 1)
    return array_ops.reshape(t, array_ops.stack([-1, last]))


def _outer_shape(t):
    """The shape of ``t`` without its last dimension (a list or an int32 tensor)."""
    dims = _static_dims(t)
    if dims is not None and None not in dims:
        return dims[:-1]
    if dims is None:
        raise NotImplementedError("softmax cross entropy needs logits of known rank")
    from tensorslim.core.ops import manip_ops
    return manip_ops.gather(array_ops.shape(t), np.arange(len(dims) - 1, dtype=np.int32))


def softmax_cross_entropy_with_logits_v2(labels=None, logits=None, axis=None, name=None,
                                         dim=None, _sentinel=None):
    """``tf.nn.softmax_cross_entropy_with_logits_v2``: cross entropy of ``softmax(logits)``
    against a distribution ``labels``; gradients flow into both.

    Args:
      labels: each row a valid probability distribution, the shape of ``logits``.
      logits: unscaled log probabilities.
      axis: the class dimension (default -1).
      name: the op's name (default "softmax_cross_entropy_with_logits").
      dim: the deprecated name of ``axis``.

    Returns:
      The loss, shaped like ``logits`` without the class dimension.

    Raises:
      ValueError: missing arguments or shapes that do not match.
    """
    _ensure_xent_args("softmax_cross_entropy_with_logits_v2", _sentinel, labels, logits)
    if dim is not None:
        if axis is not None:
            raise ValueError("Cannot specify both 'axis' and 'dim'.")
        axis = dim
    axis = -1 if axis is None else axis
    with name_scope(name, "softmax_cross_entropy_with_logits", [logits, labels]) as scope:
        logits = convert_to_tensor(logits, name="logits")
        labels = convert_to_tensor(labels, name="labels")
        dt = nn_ops._check_dtype("SoftmaxCrossEntropyWithLogits", "features", logits)
        precise = math_ops.cast(logits, _dtypes.float32) if dt == _dtypes.float16 else logits
        labels = math_ops.cast(labels, precise.dtype.base_dtype)
        shape = logits.shape
        rank = shape.ndims
        if axis != -1 and not (rank is not None and axis == rank - 1):
            if rank is None:
                raise NotImplementedError("softmax cross entropy over a non-last axis needs "
                                          "logits of known rank")
            precise = _move_dim_to_end(precise, axis, rank)
            labels = _move_dim_to_end(labels, axis, rank)
        if rank == 2:
            cost = apply_op("SoftmaxCrossEntropyWithLogits", [precise, labels],
                            [precise.dtype.base_dtype] * 2,
                            attrs={"T": precise.dtype.base_dtype}, name=scope).outputs[0]
        else:
            outer = _outer_shape(precise)
            flat_logits = _flatten_outer_dims(precise)
            flat_labels = _flatten_outer_dims(labels)
            cost = apply_op("SoftmaxCrossEntropyWithLogits", [flat_logits, flat_labels],
                            [precise.dtype.base_dtype] * 2,
                            attrs={"T": precise.dtype.base_dtype},
                            name=scope).outputs[0]
            cost = array_ops.reshape(cost, outer)
            if rank is not None:
                dims = shape.as_list()
                del dims[axis]
                cost.set_shape(dims)
        if dt == _dtypes.float16:
            cost = math_ops.cast(cost, _dtypes.float16)
        return cost


def softmax_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, dim=-1,
                                      name=None, axis=None):
    """``tf.nn.softmax_cross_entropy_with_logits`` (TF1): like the _v2 function, but no
    gradient flows into ``labels``.

    Args:
      _sentinel: catches positional arguments; must not be used.
      labels: each row a valid probability distribution.
      logits: unscaled log probabilities.
      dim: the class dimension (default -1).
      name: the op's name (default "softmax_cross_entropy_with_logits_sg").
      axis: the new name of ``dim``.

    Raises:
      ValueError: called with positional arguments, or without labels and logits.
    """
    if axis is not None:
        if dim not in (None, -1):
            raise ValueError("Cannot specify both 'axis' and 'dim'.")
        dim = axis
    _ensure_xent_args("softmax_cross_entropy_with_logits", _sentinel, labels, logits)
    with name_scope(name, "softmax_cross_entropy_with_logits_sg", [logits, labels]) as scope:
        labels = array_ops.stop_gradient(labels, name="labels_stop_gradient")
    return softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits, axis=dim,
                                                name=scope)


# --------------------------------------------------------------------------- sparse

def _sparse_xent_shape(op):
    f = nn_ops._with_rank(op.inputs[0].shape, 2)
    lab = nn_ops._with_rank(op.inputs[1].shape, 1)
    batch = nn_ops._merge_dim(f[0], lab[0])
    return [TensorShape([batch]), TensorShape([batch, f[1]])]


def _sparse_xent_grad(op, grad_loss, grad_backprop):
    if not _is_zero(grad_backprop):
        # TF wraps the backprop output in PreventGradient with this message.
        raise LookupError("Currently there is no way to take the second derivative of "
                          "sparse_softmax_cross_entropy_with_logits due to the fused "
                          "implementation's interaction with tf.gradients()")
    return [_broadcast_mul(grad_loss, op.outputs[1]), None]


register_op("SparseSoftmaxCrossEntropyWithLogits", shape=_sparse_xent_shape,
            kernel=lambda ctx, f, lab: _k.sparse_softmax_cross_entropy_with_logits(ctx.xp, f,
                                                                                   lab),
            grad=_sparse_xent_grad)


def sparse_softmax_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None,
                                             name=None):
    """``tf.nn.sparse_softmax_cross_entropy_with_logits``: softmax cross entropy against
    integer class ids.

    Args:
      _sentinel: catches positional arguments; must not be used.
      labels: int32/int64 class ids in ``[0, num_classes)``, shaped like ``logits`` without
        the last dimension. An id out of range is an InvalidArgumentError when run.
      logits: unscaled log probabilities ``[..., num_classes]``.
      name: the name scope (default "SparseSoftmaxCrossEntropyWithLogits").

    Returns:
      The loss, shaped like ``labels``, of the dtype of ``logits``.

    Raises:
      ValueError: positional arguments, scalar logits, or mismatched ranks or shapes.
    """
    _ensure_xent_args("sparse_softmax_cross_entropy_with_logits", _sentinel, labels, logits)
    with name_scope(name, "SparseSoftmaxCrossEntropyWithLogits", [labels, logits]):
        labels = convert_to_tensor(labels)
        logits = convert_to_tensor(logits)
        dt = nn_ops._check_dtype("SparseSoftmaxCrossEntropyWithLogits", "features", logits)
        nn_ops._check_dtype("SparseSoftmaxCrossEntropyWithLogits", "labels", labels,
                            (_dtypes.int32, _dtypes.int64))
        precise = math_ops.cast(logits, _dtypes.float32) if dt == _dtypes.float16 else logits
        ls, gs = labels.shape, logits.shape
        if gs.ndims == 0:
            raise ValueError("Logits cannot be scalars - received shape %s." % gs)
        if gs.ndims is not None and ls.ndims is not None and ls.ndims != gs.ndims - 1:
            raise ValueError("Rank mismatch: Rank of labels (received %s) should equal rank "
                             "of logits minus 1 (received %s)." % (ls.ndims, gs.ndims))
        if ls.is_fully_defined() and gs.ndims is not None and \
                TensorShape(gs.as_list()[:-1]).is_fully_defined() and \
                ls.as_list() != gs.as_list()[:-1]:
            raise ValueError("Shape mismatch: The shape of labels (received %s) should equal "
                             "the shape of logits except for the last dimension (received %s)."
                             % (ls, gs))
        ldt = labels.dtype.base_dtype
        pdt = precise.dtype.base_dtype
        if gs.ndims == 2:
            cost = apply_op("SparseSoftmaxCrossEntropyWithLogits", [precise, labels],
                            [pdt, pdt], attrs={"T": pdt, "Tlabels": ldt},
                            name="SparseSoftmaxCrossEntropyWithLogits").outputs[0]
        else:
            labels_shape = _static_dims(labels)
            if labels_shape is None or None in labels_shape:
                labels_shape = array_ops.shape(labels)
            flat_logits = _flatten_outer_dims(precise)
            flat_labels = array_ops.reshape(labels, [-1])
            cost = apply_op("SparseSoftmaxCrossEntropyWithLogits", [flat_logits, flat_labels],
                            [pdt, pdt], attrs={"T": pdt, "Tlabels": ldt},
                            name="SparseSoftmaxCrossEntropyWithLogits").outputs[0]
            cost = array_ops.reshape(cost, labels_shape)
            cost.set_shape(ls)
        if dt == _dtypes.float16:
            cost = math_ops.cast(cost, _dtypes.float16)
        return cost


# --------------------------------------------------------------------------- logistic

def _same_shape(logits, labels):
    try:
        labels.shape.merge_with(logits.shape)
    except ValueError:
        raise ValueError("logits and labels must have the same shape (%s vs %s)"
                         % (logits.shape, labels.shape)) from None


def sigmoid_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, name=None):
    """``tf.nn.sigmoid_cross_entropy_with_logits``: the logistic loss of independent classes.

    Computed as ``max(x, 0) - x * z + log(1 + exp(-abs(x)))`` (x = logits, z = labels), which
    neither overflows nor loses precision for large ``|x|``.

    Args:
      _sentinel: catches positional arguments; must not be used.
      labels: targets in [0, 1], the shape and dtype of ``logits``.
      logits: float logits.
      name: the op's name (default "logistic_loss").

    Returns:
      The elementwise loss, shaped like ``logits``.

    Raises:
      ValueError: positional arguments, or labels and logits of different shapes.
    """
    _ensure_xent_args("sigmoid_cross_entropy_with_logits", _sentinel, labels, logits)
    with name_scope(name, "logistic_loss", [logits, labels]) as scope:
        logits = convert_to_tensor(logits, name="logits")
        labels = convert_to_tensor(labels, dtype=logits.dtype.base_dtype, name="labels")
        _same_shape(logits, labels)
        zeros = array_ops.zeros_like(logits, dtype=logits.dtype)
        cond = lazy_op("greater_equal")(logits, zeros)
        where = lazy_op("where")
        relu_logits = where(cond, logits, zeros)
        neg_abs_logits = where(cond, -logits, logits)
        return math_ops.add(relu_logits - logits * labels,
                            lazy_op("log1p")(lazy_op("exp")(neg_abs_logits)), name=scope)


def weighted_cross_entropy_with_logits(labels=None, logits=None, pos_weight=None, name=None,
                                       targets=None):
    """``tf.nn.weighted_cross_entropy_with_logits``: the logistic loss with positive examples
    weighted by ``pos_weight``.

    ``(1 - z) * x + (1 + (q - 1) * z) * (log(1 + exp(-abs(x))) + max(-x, 0))`` with
    ``x = logits``, ``z = labels``, ``q = pos_weight``.

    Args:
      labels: targets, the shape and dtype of ``logits``.
      logits: float logits.
      pos_weight: the weight of positive examples.
      name: the op's name (default "logistic_loss").
      targets: the deprecated name of ``labels``.

    Raises:
      ValueError: labels and logits of different shapes, or labels given twice.
    """
    if targets is not None:
        if labels is not None:
            raise ValueError("Cannot specify both 'labels' and 'targets'.")
        labels = targets
    with name_scope(name, "logistic_loss", [logits, labels]) as scope:
        logits = convert_to_tensor(logits, name="logits")
        labels = convert_to_tensor(labels, dtype=logits.dtype.base_dtype, name="labels")
        _same_shape(logits, labels)
        log_weight = 1 + (pos_weight - 1) * labels
        softplus_neg = lazy_op("log1p")(lazy_op("exp")(-lazy_op("abs")(logits))) + \
            nn_ops.relu(-logits)
        return math_ops.add((1 - labels) * logits, log_weight * softplus_neg, name=scope)
