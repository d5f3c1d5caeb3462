"""Initializers: objects called with a shape and dtype that build the initial-value tensor."""
import math

import numpy as np

from tensorslim.core import dtypes as _dtypes
from tensorslim.core.ops import array_ops, random_ops

__all__ = ["Initializer", "Zeros", "Ones", "Constant", "RandomUniform", "RandomNormal",
           "TruncatedNormal", "UniformUnitScaling", "VarianceScaling", "Orthogonal",
           "Identity", "GlorotUniform", "GlorotNormal", "zeros_initializer",
           "ones_initializer", "constant_initializer", "random_uniform_initializer",
           "random_normal_initializer", "truncated_normal_initializer",
           "uniform_unit_scaling_initializer", "variance_scaling_initializer",
           "orthogonal_initializer", "identity_initializer", "glorot_uniform_initializer",
           "glorot_normal_initializer", "compute_fans"]


def _float_dtype(dtype, default):
    dtype = _dtypes.as_dtype(dtype or default).base_dtype
    if not dtype.is_floating:
        raise ValueError("Expected floating point type, got %s." % dtype)
    return dtype


class Initializer:
    """Base class: ``init(shape, dtype=None, partition_info=None) -> Tensor``."""

    def __call__(self, shape, dtype=None, partition_info=None):
        raise NotImplementedError

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class Zeros(Initializer):
    """Initializes to 0."""

    def __init__(self, dtype=_dtypes.float32):
        self.dtype = _dtypes.as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        return array_ops.zeros(shape, dtype or self.dtype)

    def get_config(self):
        return {"dtype": self.dtype.name}


class Ones(Initializer):
    """Initializes to 1."""

    def __init__(self, dtype=_dtypes.float32):
        self.dtype = _dtypes.as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        return array_ops.ones(shape, dtype or self.dtype)

    def get_config(self):
        return {"dtype": self.dtype.name}


class Constant(Initializer):
    """Initializes to ``value`` (a scalar, or a list filling the shape; a short list is
    extended with its last element, as TF1 does)."""

    def __init__(self, value=0, dtype=_dtypes.float32, verify_shape=False):
        if not (np.isscalar(value) or isinstance(value, (list, tuple, np.ndarray))):
            raise TypeError("Invalid type for initial value: %s (expected Python scalar, list "
                            "or tuple of values, or numpy.ndarray)." % type(value))
        self.value = value
        self.dtype = _dtypes.as_dtype(dtype)
        self._verify_shape = verify_shape

    def __call__(self, shape, dtype=None, partition_info=None, verify_shape=None):
        dtype = dtype or self.dtype
        if verify_shape is None:
            verify_shape = self._verify_shape
        return array_ops.constant(self.value, dtype=dtype, shape=shape,
                                  verify_shape=verify_shape)

    def get_config(self):
        return {"value": self.value, "dtype": self.dtype.name}


class RandomUniform(Initializer):
    """Uniform values in ``[minval, maxval)``."""

    def __init__(self, minval=0, maxval=None, seed=None, dtype=_dtypes.float32):
        self.minval, self.maxval, self.seed = minval, maxval, seed
        self.dtype = _dtypes.as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        return random_ops.random_uniform(shape, self.minval, self.maxval, dtype or self.dtype,
                                         seed=self.seed)


class RandomNormal(Initializer):
    """Normal values with ``mean`` and ``stddev``."""

    def __init__(self, mean=0.0, stddev=1.0, seed=None, dtype=_dtypes.float32):
        self.mean, self.stddev, self.seed = mean, stddev, seed
        self.dtype = _float_dtype(dtype, _dtypes.float32)

    def __call__(self, shape, dtype=None, partition_info=None):
        return random_ops.random_normal(shape, self.mean, self.stddev,
                                        _float_dtype(dtype, self.dtype), seed=self.seed)


class TruncatedNormal(Initializer):
    """Normal values re-drawn beyond two standard deviations."""

    def __init__(self, mean=0.0, stddev=1.0, seed=None, dtype=_dtypes.float32):
        self.mean, self.stddev, self.seed = mean, stddev, seed
        self.dtype = _float_dtype(dtype, _dtypes.float32)

    def __call__(self, shape, dtype=None, partition_info=None):
        return random_ops.truncated_normal(shape, self.mean, self.stddev,
                                           _float_dtype(dtype, self.dtype), seed=self.seed)


def compute_fans(shape):
    """(fan_in, fan_out) as TF computes them (receptive field times channels)."""
    shape = [int(d) for d in shape]
    if len(shape) < 1:
        return 1.0, 1.0
    if len(shape) == 1:
        return float(shape[0]), float(shape[0])
    if len(shape) == 2:
        return float(shape[0]), float(shape[1])
    receptive = 1
    for d in shape[:-2]:
        receptive *= d
    return float(shape[-2] * receptive), float(shape[-1] * receptive)


class UniformUnitScaling(Initializer):
    """Uniform in ``[-sqrt(3/fan_in) * factor, sqrt(3/fan_in) * factor]``."""

    def __init__(self, factor=1.0, seed=None, dtype=_dtypes.float32):
        self.factor, self.seed = factor, seed
        self.dtype = _float_dtype(dtype, _dtypes.float32)

    def __call__(self, shape, dtype=None, partition_info=None):
        shape = [int(d) for d in shape]
        input_size = 1.0
        for d in shape[:-1]:
            input_size *= float(d)
        input_size = max(input_size, 1.0)
        limit = math.sqrt(3 / input_size) * self.factor
        return random_ops.random_uniform(shape, -limit, limit, _float_dtype(dtype, self.dtype),
                                         seed=self.seed)


class VarianceScaling(Initializer):
    """Scales the variance by the fans: ``scale / n`` with n = fan_in, fan_out or their mean.

    ``distribution`` is "truncated_normal" (alias "normal"), "untruncated_normal" or
    "uniform".
    """

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None,
                 dtype=_dtypes.float32):
        if scale <= 0.:
            raise ValueError("`scale` must be positive float.")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError("Invalid `mode` argument:", mode)
        distribution = distribution.lower()
        if distribution not in ("normal", "uniform", "truncated_normal", "untruncated_normal"):
            raise ValueError("Invalid `distribution` argument: %s" % distribution)
        self.scale, self.mode, self.distribution, self.seed = scale, mode, distribution, seed
        self.dtype = _float_dtype(dtype, _dtypes.float32)

    def __call__(self, shape, dtype=None, partition_info=None):
        dtype = _float_dtype(dtype, self.dtype)
        fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        scale = self.scale / max(1.0, n)
        if self.distribution in ("normal", "truncated_normal"):
            stddev = math.sqrt(scale) / .87962566103423978
            return random_ops.truncated_normal(shape, 0.0, stddev, dtype, seed=self.seed)
        if self.distribution == "untruncated_normal":
            return random_ops.random_normal(shape, 0.0, math.sqrt(scale), dtype, seed=self.seed)
        limit = math.sqrt(3.0 * scale)
        return random_ops.random_uniform(shape, -limit, limit, dtype, seed=self.seed)

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                "seed": self.seed, "dtype": self.dtype.name}


class GlorotUniform(VarianceScaling):
    """Glorot/Xavier uniform: the default initializer of ``tf.get_variable``."""

    def __init__(self, seed=None, dtype=_dtypes.float32):
        super().__init__(1.0, "fan_avg", "uniform", seed, dtype)


class GlorotNormal(VarianceScaling):
    """Glorot/Xavier truncated normal."""

    def __init__(self, seed=None, dtype=_dtypes.float32):
        super().__init__(1.0, "fan_avg", "truncated_normal", seed, dtype)


class Orthogonal(Initializer):
    """A (semi-)orthogonal matrix times ``gain`` (QR of a normal matrix, signs fixed).

    The matrix is drawn when the graph is built, from the op seed, so it is stored in the
    graph as a constant.
    """

    def __init__(self, gain=1.0, seed=None, dtype=_dtypes.float32):
        self.gain, self.seed = gain, seed
        self.dtype = _float_dtype(dtype, _dtypes.float32)

    def __call__(self, shape, dtype=None, partition_info=None):
        dtype = _float_dtype(dtype, self.dtype)
        shape = [int(d) for d in shape]
        if len(shape) < 2:
            raise ValueError("The tensor to initialize must be at least two-dimensional")
        num_rows = 1
        for d in shape[:-1]:
            num_rows *= d
        num_cols = shape[-1]
        flat = (num_cols, num_rows) if num_rows < num_cols else (num_rows, num_cols)
        rng = np.random.default_rng(self.seed)
        a = rng.standard_normal(flat)
        q, r = np.linalg.qr(a)
        q *= np.sign(np.diag(r))
        if num_rows < num_cols:
            q = q.T
        return array_ops.constant((self.gain * q).reshape(shape).astype(dtype.as_numpy_dtype),
                                  dtype=dtype)


class Identity(Initializer):
    """The identity matrix times ``gain`` (2-D shapes only)."""

    def __init__(self, gain=1.0, dtype=_dtypes.float32):
        self.gain = gain
        self.dtype = _float_dtype(dtype, _dtypes.float32)

    def __call__(self, shape, dtype=None, partition_info=None):
        shape = [int(d) for d in shape]
        if len(shape) != 2:
            raise ValueError("Identity matrix initializer can only be used for 2D matrices.")
        dtype = _float_dtype(dtype, self.dtype)
        return array_ops.constant(self.gain * np.eye(*shape, dtype=dtype.as_numpy_dtype),
                                  dtype=dtype)


zeros_initializer = Zeros
ones_initializer = Ones
constant_initializer = Constant
random_uniform_initializer = RandomUniform
random_normal_initializer = RandomNormal
truncated_normal_initializer = TruncatedNormal
uniform_unit_scaling_initializer = UniformUnitScaling
variance_scaling_initializer = VarianceScaling
orthogonal_initializer = Orthogonal
identity_initializer = Identity
glorot_uniform_initializer = GlorotUniform
glorot_normal_initializer = GlorotNormal
