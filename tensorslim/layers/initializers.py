"""TF-slim's weight initializers: ``xavier_initializer`` and ``variance_scaling_initializer``
with TF-slim's (contrib's) signatures: ``factor``, ``mode`` in capitals, ``uniform``."""
import math

from tensorslim.core import dtypes as _dtypes
from tensorslim.core.ops import random_ops

__all__ = ["xavier_initializer", "xavier_initializer_conv2d",
           "variance_scaling_initializer"]

_MODES = ("FAN_IN", "FAN_OUT", "FAN_AVG")


def xavier_initializer(uniform=True, seed=None, dtype=_dtypes.float32):
    """Glorot & Bengio's initializer: keeps the gradients' scale the same in every layer.

    Uniform in ``[-x, x]`` with ``x = sqrt(6 / (fan_in + fan_out))``, or a truncated normal
    with ``stddev = sqrt(2 / (fan_in + fan_out))`` (scaled by 1.3 for the truncation).

    Args:
      uniform: draw uniformly (True) or from a truncated normal.
      seed: the random seed.
      dtype: the (floating point) type of the values.

    Returns:
      An initializer ``f(shape, dtype=dtype, partition_info=None)``.
    """
    return variance_scaling_initializer(factor=1.0, mode="FAN_AVG", uniform=uniform,
                                        seed=seed, dtype=dtype)


xavier_initializer_conv2d = xavier_initializer


def variance_scaling_initializer(factor=2.0, mode="FAN_IN", uniform=False, seed=None,
                                 dtype=_dtypes.float32):
    """An initializer whose values have variance ``factor / n``.

    ``n`` is the number of inputs (``FAN_IN``), outputs (``FAN_OUT``) or their mean
    (``FAN_AVG``) of a unit; for convolutions both are multiplied by the kernel's spatial
    size. The defaults (factor 2, FAN_IN, normal) are He et al.'s for ReLU networks.

    Args:
      factor: the variance multiplier.
      mode: "FAN_IN", "FAN_OUT" or "FAN_AVG".
      uniform: draw uniformly (True) or from a truncated normal.
      seed: the random seed.
      dtype: the (floating point) type of the values.

    Returns:
      An initializer ``f(shape, dtype=dtype, partition_info=None)``.

    Raises:
      TypeError: ``dtype`` is not floating point, or ``mode`` is unknown.
    """
    if not _dtypes.as_dtype(dtype).is_floating:
        raise TypeError("Cannot create initializer for non-floating point type %s."
                        % _dtypes.as_dtype(dtype).name)
    if mode not in _MODES:
        raise TypeError("Unknown mode %s [FAN_IN, FAN_OUT, FAN_AVG]" % (mode,))
    default_dtype = dtype

    def _initializer(shape, dtype=default_dtype, partition_info=None):
        dtype = _dtypes.as_dtype(dtype)
        if not dtype.is_floating:
            raise TypeError("Cannot create initializer for non-floating point type %s."
                            % dtype.name)
        dims = [int(d) for d in shape]
        if dims:
            fan_in = float(dims[-2]) if len(dims) > 1 else float(dims[-1])
            fan_out = float(dims[-1])
        else:
            fan_in = fan_out = 1.0
        for d in dims[:-2]:
            fan_in *= d
            fan_out *= d
        n = {"FAN_IN": fan_in, "FAN_OUT": fan_out, "FAN_AVG": (fan_in + fan_out) / 2.0}[mode]
        if uniform:
            limit = math.sqrt(3.0 * factor / n)
            return random_ops.random_uniform(dims, -limit, limit, dtype, seed=seed)
        stddev = math.sqrt(1.3 * factor / n)
        return random_ops.truncated_normal(dims, 0.0, stddev, dtype, seed=seed)

    return _initializer
