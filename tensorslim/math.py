"""``tf.math``: the math functions TF 1.13+ also exports under ``tf.math`` (aliases).

Each name is the same function as its top-level or ``tf.nn`` spelling (``tf.math.reduce_sum
is tf.reduce_sum``); ``reduce_variance``, ``reduce_std`` and ``reduce_euclidean_norm`` live
only here, as in TF1. The ops are in ``tensorslim/core/ops``.
"""
from tensorslim.core.ops.manip_ops import invert_permutation
from tensorslim.core.ops.math_ops import (  # noqa: A004 - TF's names (abs, pow, round)
    abs, accumulate_n, acos, add, add_n, argmax, argmin, asin, atan, ceil, conj, cos,
    count_nonzero, cumprod, cumsum, digamma, div_no_nan, divide, equal, erf, erfc, exp, expm1,
    floor, floordiv, floormod, greater, greater_equal, is_finite, is_inf, is_nan, less,
    less_equal, lgamma, log, log1p, logical_and, logical_not, logical_or, logical_xor, maximum,
    minimum, mod, multiply, multiply_no_nan, negative, not_equal, polygamma, pow, reciprocal,
    reduce_all, reduce_any, reduce_euclidean_norm, reduce_logsumexp, reduce_max, reduce_mean,
    reduce_min, reduce_prod, reduce_std, reduce_sum, reduce_variance, rint, round, rsqrt,
    scalar_mul, segment_sum, sigmoid, sign, sin, sqrt, square, squared_difference, subtract, tan,
    tanh, truediv, unsorted_segment_sum)
from tensorslim.core.ops.nn_impl import l2_normalize, log_sigmoid, zero_fraction
from tensorslim.core.ops.nn_ops import in_top_k, log_softmax, softmax, softplus, softsign, top_k

divide_no_nan = div_no_nan

__all__ = [
    "abs", "accumulate_n", "acos", "add", "add_n", "argmax", "argmin", "asin", "atan", "ceil",
    "conj", "cos", "count_nonzero", "cumprod", "cumsum", "digamma", "divide", "divide_no_nan",
    "equal", "erf", "erfc", "exp", "expm1", "floor", "floordiv", "floormod", "greater",
    "greater_equal", "in_top_k", "invert_permutation", "is_finite", "is_inf", "is_nan",
    "l2_normalize", "less", "less_equal", "lgamma", "log", "log1p", "log_sigmoid",
    "log_softmax", "logical_and", "logical_not", "logical_or", "logical_xor", "maximum",
    "minimum", "mod", "multiply", "multiply_no_nan", "negative", "not_equal", "polygamma",
    "pow", "reciprocal", "reduce_all", "reduce_any", "reduce_euclidean_norm",
    "reduce_logsumexp", "reduce_max", "reduce_mean", "reduce_min", "reduce_prod", "reduce_std",
    "reduce_sum", "reduce_variance", "rint", "round", "rsqrt", "scalar_mul", "segment_sum",
    "sigmoid", "sign", "sin", "softmax", "softplus", "softsign", "sqrt", "square",
    "squared_difference", "subtract", "tan", "tanh", "top_k", "truediv",
    "unsorted_segment_sum", "zero_fraction",
]
