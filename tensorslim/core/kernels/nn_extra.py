"""Array kernels for the ``tf.nn`` ops that :mod:`tensorslim.core.kernels.nn` does not cover.

Activations and their gradients, top-k and in-top-k. Like ``nn.py``, every function takes the
array module ``xp`` (numpy or cupy) first, works on whole arrays (no Python loops over
elements), keeps the input dtype, and knows nothing about graphs.
"""

__all__ = [
    "sigmoid", "sigmoid_grad", "tanh_grad", "relu", "relu_grad", "relu6", "relu6_grad",
    "elu", "elu_grad", "selu", "selu_grad", "leaky_relu", "leaky_relu_grad", "softplus",
    "softplus_grad", "softsign", "softsign_grad", "top_k", "in_top_k", "max_pool_grad_grad",
    "SELU_ALPHA", "SELU_SCALE",
]

from tensorslim.core.kernels import nn as _nn

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def sigmoid(xp, x):
    """``1 / (1 + exp(-x))`` without overflow: only ``exp(-|x|)`` is ever computed."""
    e = xp.exp(-xp.abs(x))
    inv = 1 / (1 + e)
    return xp.where(x >= 0, inv, e * inv)


def sigmoid_grad(xp, y, dy):
    """Gradient of sigmoid from its output ``y``: ``dy * y * (1 - y)``."""
    return dy * y * (1 - y)


def tanh_grad(xp, y, dy):
    """Gradient of tanh from its output ``y``: ``dy * (1 - y * y)``."""
    return dy * (1 - y * y)


def relu(xp, x):
    """``max(x, 0)``."""
    return xp.maximum(x, 0)


def relu_grad(xp, dy, x):
    """``dy`` where ``x > 0``, else ``dy * 0`` (so -0.0 and NaN come out as from a multiply)."""
    # A multiply by the mask is much faster than xp.where under numpy. There the mask goes to
    # dy's dtype first: numpy's mixed float * bool multiply runs a buffered casting loop that
    # costs 5-25% more than the cast plus a plain multiply in place, for the same values.
    # cupy fuses the mixed multiply into one kernel.
    if not _nn._is_numpy(xp) or x.shape != dy.shape:
        return xp.multiply(dy, x > 0)
    mask = (x > 0).astype(dy.dtype)
    return xp.multiply(dy, mask, out=mask)


def relu6(xp, x):
    """``min(max(x, 0), 6)``."""
    return xp.clip(x, 0, 6)


def relu6_grad(xp, dy, x):
    """``dy`` where ``0 < x < 6``, else 0."""
    return dy * ((x > 0) & (x < 6)).astype(dy.dtype)


def elu(xp, x):
    """``x`` for ``x >= 0``, ``exp(x) - 1`` below (``expm1`` only sees non-positive values)."""
    return xp.where(x < 0, xp.expm1(xp.minimum(x, 0)), x)


def elu_grad(xp, dy, y):
    """Gradient of elu from its output ``y``: ``dy * (y + 1)`` where ``y < 0``, else ``dy``."""
    return xp.where(y < 0, dy * (y + 1), dy)


def selu(xp, x):
    """``scale * x`` for ``x >= 0``, ``scale * alpha * (exp(x) - 1)`` below."""
    neg = xp.expm1(xp.minimum(x, 0))
    neg *= SELU_ALPHA
    return xp.where(x < 0, neg, x) * SELU_SCALE


def selu_grad(xp, dy, y):
    """Gradient of selu from its output ``y``."""
    return xp.where(y < 0, dy * (y + SELU_SCALE * SELU_ALPHA), dy * SELU_SCALE)


def leaky_relu(xp, x, alpha):
    """``x`` for ``x > 0``, ``alpha * x`` otherwise."""
    return xp.where(x > 0, x, x * alpha)


def leaky_relu_grad(xp, dy, x, alpha):
    """``dy`` where ``x > 0``, ``alpha * dy`` otherwise."""
    return xp.where(x > 0, dy, dy * alpha)


def softplus(xp, x):
    """``log(1 + exp(x))`` computed as ``max(x, 0) + log1p(exp(-|x|))`` (no overflow)."""
    return xp.maximum(x, 0) + xp.log1p(xp.exp(-xp.abs(x)))


def softplus_grad(xp, dy, x):
    """``dy * sigmoid(x)``."""
    return dy * sigmoid(xp, x)


def softsign(xp, x):
    """``x / (1 + |x|)``."""
    return x / (1 + xp.abs(x))


def softsign_grad(xp, dy, x):
    """``dy / (1 + |x|) ** 2``."""
    d = 1 + xp.abs(x)
    return dy / (d * d)


def top_k(xp, x, k, sorted_=True):
    """The ``k`` largest entries along the last axis and their indices (TF's ``TopKV2``).

    Equal values are ordered by index, lowest first, as TensorFlow does.

    Args:
        xp: Array module (numpy or cupy).
        x: Array of rank >= 1.
        k: Number of entries to keep, ``0 <= k <= x.shape[-1]``.
        sorted_: Accepted for TF's ``sorted`` attr; the result is always sorted.

    Returns:
        ``(values, indices)`` of shape ``x.shape[:-1] + (k,)``; indices are int32.

    Raises:
        ValueError: If ``x`` is a scalar, ``k`` is negative or larger than the last dimension.
    """
    if x.ndim < 1:
        raise ValueError("input must be >= 1-D, got shape %s" % (list(x.shape),))
    k = int(k)
    n = x.shape[-1]
    if k < 0:
        raise ValueError("Need k >= 0, got %d" % k)
    if n < k:
        raise ValueError("input must have at least k columns. Had %d, needed %d" % (n, k))
    # A stable ascending sort of the reversed row, read backwards, is a descending sort in
    # which equal values keep their original (lowest index first) order.
    # cupy's argsort is always stable and takes no ``kind``.
    kind = {} if "cupy" in getattr(xp, "__name__", "") else {"kind": "stable"}
    order = xp.argsort(x[..., ::-1], axis=-1, **kind)[..., ::-1][..., :k]
    indices = (n - 1) - order
    values = xp.take_along_axis(x, indices, axis=-1)
    return values, indices.astype(xp.int32)


def in_top_k(xp, predictions, targets, k):
    """Whether each target's prediction is among the ``k`` largest (TF's ``InTopKV2``).

    A target is in the top k when fewer than ``k`` classes have a strictly larger
    prediction, so ties count in its favour. Rows with a non-finite prediction and targets
    outside ``[0, classes)`` give False, as in TensorFlow.

    Args:
        xp: Array module (numpy or cupy).
        predictions: ``[batch, classes]`` floating point.
        targets: ``[batch]`` integer class ids.
        k: Number of top elements to look at.

    Returns:
        A ``[batch]`` bool array.

    Raises:
        ValueError: If the shapes do not fit.
    """
    if predictions.ndim != 2:
        raise ValueError("predictions must be 2-dimensional, got shape %s"
                         % (list(predictions.shape),))
    if targets.ndim != 1 or targets.shape[0] != predictions.shape[0]:
        raise ValueError("First dimension of predictions %d must match length of targets %d"
                         % (predictions.shape[0], targets.shape[0] if targets.ndim else 0))
    batch, classes = predictions.shape
    if batch == 0:
        return xp.zeros((0,), dtype=bool)
    valid = (targets >= 0) & (targets < classes)
    safe = xp.where(valid, targets, 0).astype(xp.int64)
    target_vals = xp.take_along_axis(predictions, safe[:, None], axis=1)
    larger = (predictions > target_vals).sum(axis=1)
    valid &= xp.isfinite(predictions).all(axis=1)
    return valid & (larger < int(k))


def max_pool_grad_grad(xp, x, g, ksize, strides, padding, data_format="NHWC"):
    """Gradient of max_pool_grad with respect to its ``grad`` input (TF's ``MaxPoolGradGrad``).

    Each output takes the value of ``g`` at its window's maximum (the first one on ties, the
    element that max_pool_grad routes to).

    Args:
        xp: Array module (numpy or cupy).
        x: The max pooling input.
        g: A gradient shaped like ``x``.
        ksize: As for max_pool.
        strides: As for max_pool.
        padding: As for max_pool.
        data_format: ``"NHWC"`` or ``"NCHW"``.

    Returns:
        An array shaped like the pooling output, dtype of ``g``.

    Raises:
        ValueError: If ``g`` and ``x`` differ in shape, or on a bad attribute.
    """
    if g.shape != x.shape:
        raise ValueError("MaxPoolGradGrad: expected grad of shape %s (the shape of orig_input), "
                         "got %s" % (list(x.shape), list(g.shape)))
    nchw = data_format in ("NCHW", b"NCHW")
    if nchw:
        x, g = x.transpose(0, 2, 3, 1), g.transpose(0, 2, 3, 1)
        ksize = [ksize[0], ksize[2], ksize[3], ksize[1]]
        strides = [strides[0], strides[2], strides[3], strides[1]]
    _, argmax = _nn.max_pool_with_argmax(xp, xp.ascontiguousarray(x), ksize, strides, padding,
                                         include_batch_in_index=True)
    out = xp.ascontiguousarray(g).reshape(-1)[argmax]
    return xp.ascontiguousarray(out.transpose(0, 3, 1, 2)) if nchw else out
