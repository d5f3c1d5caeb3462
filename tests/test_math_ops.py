"""Tests for the math ops (math_ops.py, linalg_ops.py): forward values against numpy formulas
(on numpy and on the strict test device), gradients against finite differences, TF's node
names, operator overloads, broadcasting, reduction arguments and TF's error messages."""
import math

import numpy as np
import pytest

import tensorslim as tf
from tensorslim.core.ops import linalg_ops, math_ops
from gradcheck import check_gradients

RNG = np.random.RandomState(42)


def run(fetches, feed_dict=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed_dict=feed_dict)


def rand(*shape, lo=-2.0, hi=2.0):
    return RNG.uniform(lo, hi, size=shape)


def away_from_zero(*shape, lo=0.5, hi=2.0):
    return RNG.uniform(lo, hi, size=shape) * RNG.choice([-1.0, 1.0], size=shape)


# ============================================================================ forward values

_math_erf = np.vectorize(math.erf)
_math_lgamma = np.vectorize(math.lgamma)

UNARY = {
    # name: (tf function, numpy reference, input sampler)
    "negative": (tf.negative, lambda x: -x, rand),
    "abs": (tf.abs, np.abs, rand),
    "sign": (tf.sign, np.sign, away_from_zero),
    "square": (tf.square, np.square, rand),
    "sqrt": (tf.sqrt, np.sqrt, lambda *s: rand(*s, lo=0.1)),
    "rsqrt": (tf.rsqrt, lambda x: 1 / np.sqrt(x), lambda *s: rand(*s, lo=0.1)),
    "reciprocal": (tf.reciprocal, lambda x: 1 / x, away_from_zero),
    "exp": (tf.exp, np.exp, rand),
    "expm1": (tf.expm1, np.expm1, rand),
    "log": (tf.log, np.log, lambda *s: rand(*s, lo=0.1)),
    "log1p": (tf.log1p, np.log1p, lambda *s: rand(*s, lo=-0.9)),
    "sin": (tf.sin, np.sin, rand),
    "cos": (tf.cos, np.cos, rand),
    "tan": (tf.tan, np.tan, lambda *s: rand(*s, lo=-1, hi=1)),
    "asin": (tf.asin, np.arcsin, lambda *s: rand(*s, lo=-0.9, hi=0.9)),
    "acos": (tf.acos, np.arccos, lambda *s: rand(*s, lo=-0.9, hi=0.9)),
    "atan": (tf.atan, np.arctan, rand),
    "tanh": (tf.tanh, np.tanh, rand),
    "sigmoid": (tf.sigmoid, lambda x: 1 / (1 + np.exp(-x)), lambda *s: rand(*s, lo=-8, hi=8)),
    "erf": (tf.erf, _math_erf, lambda *s: rand(*s, lo=-4, hi=4)),
    "erfc": (tf.erfc, lambda x: 1 - _math_erf(x), lambda *s: rand(*s, lo=-2, hi=2)),
    "lgamma": (tf.lgamma, _math_lgamma, lambda *s: rand(*s, lo=0.1, hi=8)),
    "floor": (tf.floor, np.floor, rand),
    "ceil": (tf.ceil, np.ceil, rand),
    "round": (tf.round, np.rint, lambda *s: rand(*s, lo=-4, hi=4)),
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_forward(device_mode, name):
    fn, ref, sampler = UNARY[name]
    x = sampler(2, 3)
    for dtype, tol in ((np.float32, 2e-6), (np.float64, 1e-12)):
        t = fn(tf.constant(x.astype(dtype)))
        assert t.dtype == tf.as_dtype(dtype)
        assert t.shape.as_list() == [2, 3]
        out = run(t)
        assert out.dtype == dtype
        np.testing.assert_allclose(out, ref(x.astype(dtype)), rtol=tol, atol=tol)


def test_round_is_bankers_and_keeps_ints():
    x = tf.constant([0.5, 1.5, 2.5, -0.5, -1.5, 2.4])
    np.testing.assert_array_equal(run(tf.round(x)), [0., 2., 2., -0., -2., 2.])
    i = tf.constant([1, 2])
    assert tf.round(i) is i


def test_special_functions_reference_values(device_mode):
    x = tf.constant([0.5, 1., -0.5, 0., -1., 10.])
    lg, dg = run([tf.lgamma(x), tf.digamma(x)])
    # values printed by TensorFlow
    np.testing.assert_allclose(lg, [0.5723649, 0., 1.2655121, np.inf, np.inf, 12.801827],
                               rtol=1e-6)
    np.testing.assert_allclose(dg, [-1.9635108, -0.5772157, 0.03648996, np.nan, np.nan,
                                    2.2517526], rtol=1e-6)
    pg = run(tf.polygamma(tf.constant([1., 2., 1.]), tf.constant([0.5, 3., -1.5])))
    np.testing.assert_allclose(pg, [4.934802, -0.1541138, 9.379247], rtol=1e-6)


def test_erf_and_lgamma_are_accurate_in_float64():
    xs = np.concatenate([np.linspace(-7, 7, 301), [1e-10, -1e-12, 2.4999, 2.5, 2.5001]])
    erf, erfc, lgam = run([tf.erf(tf.constant(xs)), tf.erfc(tf.constant(xs)),
                           tf.lgamma(tf.constant(np.abs(xs) + 0.01))])
    np.testing.assert_allclose(erf, _math_erf(xs), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(erfc, np.vectorize(math.erfc)(xs), rtol=1e-11)
    np.testing.assert_allclose(lgam, _math_lgamma(np.abs(xs) + 0.01), rtol=1e-12, atol=1e-13)
    big = run(tf.lgamma(tf.constant([1e300, 3e7, -1e8 - 0.5, np.inf], tf.float64)))
    np.testing.assert_allclose(big[:3], [math.lgamma(1e300), math.lgamma(3e7),
                                         math.lgamma(-1e8 - 0.5)], rtol=1e-10)
    assert big[3] == np.inf


def test_nan_and_inf_flow_through_without_warnings(device_mode):
    x = tf.constant([np.nan, np.inf, -np.inf, 0.0, -1.0], tf.float32)
    outs = run([tf.log(x), tf.sqrt(x), tf.exp(x), tf.sigmoid(x), tf.tanh(x), tf.erf(x),
                tf.lgamma(x), tf.reciprocal(x), x / 0.0, tf.floormod(x, 0.0),
                tf.floordiv(x, 0.0), tf.pow(x, 0.5), tf.is_nan(x), tf.is_inf(x),
                tf.is_finite(x), tf.cast(x, tf.int32), tf.reduce_max(x), tf.maximum(x, 1.0)])
    log_x = outs[0]
    assert np.isnan(log_x[0]) and log_x[1] == np.inf and np.isnan(log_x[2])
    assert log_x[3] == -np.inf and np.isnan(log_x[4])
    np.testing.assert_array_equal(outs[3][1:4], [1.0, 0.0, 0.5])
    np.testing.assert_array_equal(outs[12], [True, False, False, False, False])
    np.testing.assert_array_equal(outs[13], [False, True, True, False, False])
    np.testing.assert_array_equal(outs[14], [False, False, False, True, True])
    assert np.isnan(outs[16])
    assert np.isnan(outs[17][0])
    for o in outs:
        assert o.dtype in (np.float32, np.bool_, np.int32)


BINARY = {
    "add": (tf.add, np.add),
    "subtract": (tf.subtract, np.subtract),
    "multiply": (tf.multiply, np.multiply),
    "divide": (tf.divide, np.divide),
    "realdiv": (tf.realdiv, np.divide),
    "floordiv": (tf.floordiv, lambda x, y: np.floor(x / y)),
    "floormod": (tf.floormod, np.mod),
    "truncatediv": (tf.truncatediv, lambda x, y: np.trunc(x / y)),
    "truncatemod": (tf.truncatemod, np.fmod),
    "pow": (tf.pow, lambda x, y: np.power(np.abs(x), y)),
    "maximum": (tf.maximum, np.maximum),
    "minimum": (tf.minimum, np.minimum),
    "squared_difference": (tf.squared_difference, lambda x, y: (x - y) ** 2),
    "div_no_nan": (tf.div_no_nan, np.divide),
    "multiply_no_nan": (math_ops.multiply_no_nan, np.multiply),
}
SHAPE_PAIRS = [((2, 3), (2, 3)), ((2, 3), (3,)), ((2, 1), (1, 3)), ((), (2, 3)),
               ((4, 1, 3), (2, 1))]


@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize("shapes", SHAPE_PAIRS, ids=str)
def test_binary_forward_broadcasting(device_mode, name, shapes):
    fn, ref = BINARY[name]
    x, y = away_from_zero(*shapes[0]), away_from_zero(*shapes[1])
    if name == "pow":
        x = np.abs(x)
    xf, yf = x.astype(np.float32), y.astype(np.float32)
    t = fn(tf.constant(xf), tf.constant(yf))
    expected = ref(xf, yf)
    assert t.shape.as_list() == list(np.broadcast_shapes(shapes[0], shapes[1]))
    out = run(t)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, expected, rtol=2e-6, atol=2e-6)


def test_integer_division_family(device_mode):
    x = tf.constant([-7, 7, -7, 7, 6])
    y = tf.constant([2, -2, -2, 2, 3])
    fd, fm, td, tm, q = run([tf.floordiv(x, y), tf.floormod(x, y), tf.truncatediv(x, y),
                             tf.truncatemod(x, y), x / y])
    np.testing.assert_array_equal(fd, [-4, -4, 3, 3, 2])
    np.testing.assert_array_equal(fm, [1, -1, -1, 1, 0])
    np.testing.assert_array_equal(td, [-3, -3, 3, 3, 2])
    np.testing.assert_array_equal(tm, [-1, 1, -1, 1, 0])
    assert q.dtype == np.float64  # int32 / int32 is float64, as TF1's truediv
    assert fd.dtype == np.int32
    np.testing.assert_array_equal(run(tf.div(tf.constant([-7, 7]), 2)), [-4, 3])
    np.testing.assert_allclose(run(tf.div(tf.constant([-7., 7.]), 2.)), [-3.5, 3.5])
    small = tf.constant([3], tf.int16) / tf.constant([2], tf.int16)
    assert small.dtype == tf.float32


def test_comparisons_and_logic(device_mode):
    x = tf.constant([1., 2., 3.])
    outs = run([tf.equal(x, 2.), tf.not_equal(x, 2.), tf.less(x, 2.), tf.less_equal(x, 2.),
                tf.greater(x, 2.), tf.greater_equal(x, 2.)])
    np.testing.assert_array_equal(np.array(outs), [[0, 1, 0], [1, 0, 1], [1, 0, 0],
                                                   [1, 1, 0], [0, 0, 1], [0, 1, 1]])
    a = tf.constant([True, True, False, False])
    b = tf.constant([True, False, True, False])
    outs = run([tf.logical_and(a, b), tf.logical_or(a, b), tf.logical_xor(a, b),
                tf.logical_not(a)])
    np.testing.assert_array_equal(np.array(outs), [[1, 0, 0, 0], [1, 1, 1, 0], [0, 1, 1, 0],
                                                   [0, 0, 1, 1]])
    assert run(tf.equal(tf.constant("a"), tf.constant(["a", "b"]))).tolist() == [True, False]


def test_where_coordinates_and_select(device_mode):
    c = tf.constant([[True, False], [True, True]])
    w = tf.where(c)
    assert w.dtype == tf.int64 and w.shape.as_list() == [None, 2]
    np.testing.assert_array_equal(run(w), [[0, 0], [1, 0], [1, 1]])
    np.testing.assert_array_equal(run(tf.where(tf.constant([1, 0, 2]))), [[0], [2]])
    x = tf.constant([[1, 2], [5, 6]])
    y = tf.constant([[3, 4], [7, 8]])
    np.testing.assert_array_equal(run(tf.where(c, x, y)), [[1, 4], [5, 6]])
    np.testing.assert_array_equal(run(tf.where(tf.constant([True, False]), x, y)),
                                  [[1, 2], [7, 8]])
    np.testing.assert_array_equal(run(tf.where(True, [1, 2], [3, 4])), [1, 2])
    np.testing.assert_array_equal(run(tf.where_v2(tf.constant([True, False]), x, 0)),
                                  [[1, 0], [5, 0]])
    assert tf.where(c, x, y).op.type == "Select"


def test_cumsum_cumprod_variants(device_mode):
    x = np.arange(1., 7.).reshape(2, 3).astype(np.float32)
    t = tf.constant(x)
    for axis in (0, 1, -1):
        for exclusive in (False, True):
            for reverse in (False, True):
                s, p = run([tf.cumsum(t, axis, exclusive=exclusive, reverse=reverse),
                            tf.cumprod(t, axis, exclusive=exclusive, reverse=reverse)])
                xs = np.flip(x, axis) if reverse else x
                es, ep = np.cumsum(xs, axis), np.cumprod(xs, axis)
                if exclusive:
                    es = np.moveaxis(np.moveaxis(es, axis, 0)[:-1], 0, axis)
                    ep = np.moveaxis(np.moveaxis(ep, axis, 0)[:-1], 0, axis)
                    pad = [(0, 0)] * 2
                    pad[axis] = (1, 0)
                    es, ep = np.pad(es, pad), np.pad(ep, pad, constant_values=1)
                if reverse:
                    es, ep = np.flip(es, axis), np.flip(ep, axis)
                np.testing.assert_allclose(s, es)
                np.testing.assert_allclose(p, ep)
                assert s.dtype == np.float32
    np.testing.assert_array_equal(run(tf.cumsum([1, 2, 3], exclusive=True, reverse=True)),
                                  [5, 3, 0])
    assert run(tf.cumsum(tf.constant([1, 2], tf.int32))).dtype == np.int32


def test_segment_sums(device_mode):
    data = tf.constant([[1., 2.], [3., 4.], [5., 6.]])
    u = tf.unsorted_segment_sum(data, [2, 0, 2], 3)
    assert u.shape.as_list() == [3, 2]
    np.testing.assert_array_equal(run(u), [[3., 4.], [0., 0.], [6., 8.]])
    np.testing.assert_array_equal(run(tf.unsorted_segment_sum([1., 2.], [0, -1], 3)),
                                  [1., 0., 0.])
    s = tf.segment_sum(tf.constant([1., 2., 3.]), [0, 2, 2])
    assert s.shape.as_list() == [None]
    np.testing.assert_array_equal(run(s), [1., 0., 5.])
    ids2d = tf.unsorted_segment_sum(tf.ones([2, 2, 3]), [[0, 1], [1, 1]], 2)
    np.testing.assert_array_equal(run(ids2d), [[1., 1., 1.], [3., 3., 3.]])


def test_casts(device_mode):
    ops = {"double": tf.to_double([1, 2]), "float": tf.to_float([1, 2]),
           "int32": tf.to_int32([1.7, -2.7]), "int64": tf.to_int64([1.0, 2.0])}
    assert ops["float"].name == "ToFloat:0" and ops["int32"].name == "ToInt32:0"
    out = run(ops)
    assert out["double"].dtype == np.float64 and out["float"].dtype == np.float32
    np.testing.assert_array_equal(out["int32"], [1, -2])
    assert out["int64"].dtype == np.int64
    np.testing.assert_array_equal(run(tf.saturate_cast([-1., 300., 5.5], tf.uint8)),
                                  [0, 255, 5])
    np.testing.assert_array_equal(run(tf.saturate_cast([-1e10, 1e10, 5.5], tf.int32)),
                                  [-2147483648, 2147483520, 5])
    np.testing.assert_array_equal(run(tf.cast(tf.constant([1 + 2j]), tf.float32)), [1.])


def test_bitcast(device_mode):
    f = tf.constant([1.0, -2.0], tf.float32)
    as_int = tf.bitcast(f, tf.int32)
    np.testing.assert_array_equal(run(as_int), np.array([1.0, -2.0], np.float32).view(np.int32))
    as_bytes = tf.bitcast(f, tf.uint8)
    assert as_bytes.shape.as_list() == [2, 4]
    np.testing.assert_array_equal(run(as_bytes),
                                  np.array([1.0, -2.0], np.float32).view(np.uint8).reshape(2, 4))
    back = tf.bitcast(as_bytes, tf.float32)
    assert back.shape.as_list() == [2]
    np.testing.assert_array_equal(run(back), [1.0, -2.0])
    assert tf.bitcast(tf.zeros([3, 2], tf.int32), tf.int64).shape.as_list() == [3]


def test_matmul_variants(device_mode):
    a, b = rand(2, 3).astype(np.float32), rand(3, 4).astype(np.float32)
    cases = [(a, b, {}), (a.T, b, {"transpose_a": True}), (a, b.T, {"transpose_b": True}),
             (a.T, b.T, {"transpose_a": True, "transpose_b": True}),
             (a.T, b, {"adjoint_a": True})]
    for x, y, kw in cases:
        t = tf.matmul(tf.constant(x), tf.constant(y), **kw)
        assert t.op.type == "MatMul" and t.shape.as_list() == [2, 4]
        np.testing.assert_allclose(run(t), a @ b, rtol=1e-5)
    x3, y3 = rand(5, 2, 3).astype(np.float32), rand(3, 4).astype(np.float32)
    t = tf.matmul(tf.constant(x3), tf.constant(y3))
    assert t.op.type == "BatchMatMulV2" and t.name == "MatMul_5:0"
    assert t.shape.as_list() == [5, 2, 4]
    np.testing.assert_allclose(run(t), x3 @ y3, rtol=1e-5)
    t = tf.matmul(tf.constant(np.swapaxes(x3, 1, 2)), tf.constant(y3.T), transpose_a=True,
                  transpose_b=True)
    np.testing.assert_allclose(run(t), x3 @ y3, rtol=1e-5)
    p = tf.placeholder(tf.float32)
    assert tf.matmul(p, p).op.type == "BatchMatMulV2"
    assert run(tf.constant(a) @ tf.constant(b)).shape == (2, 4)


EINSUM_CASES = [
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("ij,jk", [(2, 3), (3, 4)]),
    ("ij->ji", [(2, 3)]),
    ("ij->", [(2, 3)]),
    ("ij->j", [(2, 3)]),
    ("ij,ij->i", [(2, 3), (2, 3)]),
    ("i,j->ij", [(2,), (3,)]),
    ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]),
    ("...ij,...jk->...ik", [(2, 2, 3), (3, 2)]),
    ("ijk,k->ij", [(2, 3, 2), (2,)]),
    ("ij,jk,kl->il", [(2, 3), (3, 2), (2, 2)]),
    ("ii->i", [(3, 3)]),
    ("ii", [(3, 3)]),
]


@pytest.mark.parametrize("eq,shapes", EINSUM_CASES, ids=[c[0] for c in EINSUM_CASES])
def test_einsum_forward(device_mode, eq, shapes):
    arrays = [rand(*s).astype(np.float32) for s in shapes]
    t = tf.einsum(eq, *[tf.constant(a) for a in arrays])
    expected = np.einsum(eq, *arrays)
    assert t.op.type == "Einsum"
    assert t.shape.as_list() == list(expected.shape)
    np.testing.assert_allclose(run(t), expected, rtol=1e-5, atol=1e-6)


def test_tensordot_forward():
    a, b = rand(2, 3, 4), rand(4, 3, 5)
    for axes, np_axes in ((1, ([2], [0])), ([[1, 2], [1, 0]], ([1, 2], [1, 0])),
                          ([[2], [0]], ([2], [0])), ((2, 0), ([2], [0]))):
        t = tf.tensordot(tf.constant(a), tf.constant(b), axes)
        expected = np.tensordot(a, b, np_axes)
        assert t.shape.as_list() == list(expected.shape)
        np.testing.assert_allclose(run(t), expected, rtol=1e-12)
    outer = tf.tensordot(tf.ones([2]), tf.ones([3]), 0)
    np.testing.assert_array_equal(run(outer), np.ones((2, 3)))
    assert outer.name.startswith("Tensordot")


def test_matrix_inverse_and_determinant(device_mode):
    m = np.array([[[2., 1.], [1., 3.]], [[1., 2.], [3., 4.]]])
    inv, det = run([tf.matrix_inverse(tf.constant(m)), tf.matrix_determinant(tf.constant(m))])
    np.testing.assert_allclose(inv, np.linalg.inv(m))
    np.testing.assert_allclose(det, np.linalg.det(m))
    adj = run(tf.matrix_inverse(tf.constant(m), adjoint=True))
    np.testing.assert_allclose(adj, np.linalg.inv(np.swapaxes(m, 1, 2)))


# ============================================================================ reductions

REDUCE = {
    "reduce_sum": (tf.reduce_sum, np.sum), "reduce_mean": (tf.reduce_mean, np.mean),
    "reduce_max": (tf.reduce_max, np.max), "reduce_min": (tf.reduce_min, np.min),
    "reduce_prod": (tf.reduce_prod, np.prod),
    "reduce_logsumexp": (tf.reduce_logsumexp,
                         lambda x, axis=None, keepdims=False: np.log(np.sum(
                             np.exp(x), axis=axis, keepdims=keepdims))),
}
AXES = [None, 0, 1, -1, [0, 1], [], (0, 2)]


@pytest.mark.parametrize("name", sorted(REDUCE))
@pytest.mark.parametrize("axis", AXES, ids=str)
@pytest.mark.parametrize("keepdims", [False, True])
def test_reductions_forward(device_mode, name, axis, keepdims):
    fn, ref = REDUCE[name]
    x = rand(2, 3, 2).astype(np.float32)
    np_axis = tuple(axis) if isinstance(axis, (list, tuple)) else axis
    expected = ref(x, axis=np_axis, keepdims=keepdims)
    t = fn(tf.constant(x), axis=axis, keepdims=keepdims)
    assert t.shape.as_list() == list(expected.shape)
    out = run(t)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)


def test_reduction_argument_spellings():
    arr = tf.constant([[1, 2, 3], [4, 5, 6]])
    a = tf.reduce_sum(arr, 1, keep_dims=True)
    b = tf.reduce_sum(arr, reduction_indices=[1], keepdims=True)
    c = tf.reduce_sum(arr, axis=tf.constant(1), keepdims=True)
    assert a.shape.as_list() == b.shape.as_list() == c.shape.as_list() == [2, 1]
    for out in run([a, b, c]):
        np.testing.assert_array_equal(out, [[6], [15]])
    assert a.op.inputs[1].op.name == "Sum/reduction_indices"
    assert tf.reduce_sum(arr).op.inputs[1].op.name.startswith("Const")
    with pytest.raises(ValueError, match="Can not specify both 'axis' and 'reduction_indices'"):
        tf.reduce_sum(arr, axis=0, reduction_indices=0)
    with pytest.raises(ValueError, match="Can not specify both 'keepdims' and 'keep_dims'"):
        tf.reduce_mean(arr, keepdims=True, keep_dims=True)
    p = tf.placeholder(tf.float32)
    s = tf.reduce_sum(p)
    assert s.shape.as_list() == []
    assert run(s, {p: np.ones((2, 3))}) == 6.0


def test_integer_and_bool_reductions(device_mode):
    ints = tf.constant([[1, 2], [3, 5]])
    assert run(tf.reduce_mean(tf.constant([-1, -2, -4]))) == -2  # truncation toward zero
    np.testing.assert_array_equal(run(tf.reduce_mean(ints, 1, keepdims=True)), [[1], [4]])
    assert run(tf.reduce_mean(tf.constant([100, 100], tf.int8))) == 100
    assert run(tf.reduce_sum(tf.constant([100, 100], tf.int8))) == -56  # wraps like TF
    assert run(tf.reduce_prod(ints)).dtype == np.int32
    b = tf.constant([[True, False], [True, True]])
    np.testing.assert_array_equal(run(tf.reduce_all(b, 1)), [False, True])
    np.testing.assert_array_equal(run(tf.reduce_any(b, 0)), [True, True])
    assert run(tf.reduce_max(tf.zeros([0]))) == -np.inf
    assert run(tf.reduce_min(tf.zeros([0], tf.int32))) == np.iinfo(np.int32).max
    assert np.isnan(run(tf.reduce_mean(tf.zeros([0]))))
    assert run(tf.reduce_logsumexp([-np.inf, -np.inf])) == -np.inf
    np.testing.assert_allclose(run(tf.reduce_logsumexp([1000., 1000.])), 1000.6931472)


def test_argmax_argmin_count_nonzero(device_mode):
    x = tf.placeholder(tf.float32, [None, 3])
    am = tf.argmax(x, 1)
    assert am.dtype == tf.int64 and am.shape.as_list() == [None]
    assert am.op.inputs[1].op.name == "ArgMax/dimension"
    feed = {x: [[0.1, 0.8, 0.1], [0.9, 0.05, 0.05]]}
    np.testing.assert_array_equal(run(am, feed), [1, 0])
    np.testing.assert_array_equal(run(tf.argmax(x, dimension=0, output_type=tf.int32), feed),
                                  [1, 0, 0])
    np.testing.assert_array_equal(run(tf.argmin(x, 1), feed), [0, 1])
    assert run(tf.argmax(tf.constant([3, 9, 2]))) == 1
    c = tf.count_nonzero(tf.constant([[0, 1], [2, 0]]), axis=1, keepdims=True, dtype=tf.int32)
    np.testing.assert_array_equal(run(c), [[1], [1]])
    assert tf.count_nonzero(tf.constant([1.])).name == "count_nonzero_1/Sum:0"
    assert run(tf.count_nonzero(tf.constant([0., 3., -1.]))) == 2


def test_norm(device_mode):
    m = np.array([[1., -2.], [3., 4.]], np.float32)
    t = tf.constant(m)
    outs = run([tf.norm(t), tf.norm(t, ord=1), tf.norm(t, ord=np.inf),
                tf.norm(t, ord="fro", axis=[0, 1]), tf.norm(t, ord=1, axis=[0, 1]),
                tf.norm(t, ord=np.inf, axis=[0, 1]), tf.norm(t, axis=1, keepdims=True),
                tf.norm(t, ord=3, axis=1), tf.norm(t, ord=0.5, axis=1)])
    expected = [np.sqrt(30.), 10., 4., np.sqrt(30.), 6., 7., [[np.sqrt(5.)], [5.]],
                [2.0800838, 4.4979415], [5.828428, 13.928204]]
    for o, e in zip(outs, expected):
        np.testing.assert_allclose(o, e, rtol=1e-6)
    assert tf.norm(t, axis=1, keep_dims=True).shape.as_list() == [2, 1]


# ============================================================================ gradients

UNARY_GRAD = {
    "negative": (tf.negative, rand), "abs": (tf.abs, away_from_zero),
    "sign": (tf.sign, away_from_zero), "square": (tf.square, rand),
    "sqrt": (tf.sqrt, lambda *s: rand(*s, lo=0.5)),
    "rsqrt": (tf.rsqrt, lambda *s: rand(*s, lo=0.5)),
    "reciprocal": (tf.reciprocal, away_from_zero), "exp": (tf.exp, rand),
    "expm1": (tf.expm1, rand), "log": (tf.log, lambda *s: rand(*s, lo=0.5)),
    "log1p": (tf.log1p, lambda *s: rand(*s, lo=-0.5)), "sin": (tf.sin, rand),
    "cos": (tf.cos, rand), "tan": (tf.tan, lambda *s: rand(*s, lo=-1, hi=1)),
    "asin": (tf.asin, lambda *s: rand(*s, lo=-0.8, hi=0.8)),
    "acos": (tf.acos, lambda *s: rand(*s, lo=-0.8, hi=0.8)), "atan": (tf.atan, rand),
    "tanh": (tf.tanh, rand), "sigmoid": (tf.sigmoid, rand), "erf": (tf.erf, rand),
    "erfc": (tf.erfc, rand), "lgamma": (tf.lgamma, lambda *s: rand(*s, lo=0.5, hi=4)),
    "digamma": (tf.digamma, lambda *s: rand(*s, lo=0.5, hi=4)),
    "floor": (tf.floor, lambda *s: rand(*s).round() + 0.3),
    "ceil": (tf.ceil, lambda *s: rand(*s).round() + 0.3),
    "round": (tf.round, lambda *s: rand(*s).round() + 0.3),
    "lgamma_negative": (tf.lgamma, lambda *s: -rand(*s, lo=0.1, hi=0.9) - 1),
}


@pytest.mark.parametrize("name", sorted(UNARY_GRAD))
@pytest.mark.parametrize("shape", [(), (2, 3)], ids=str)
def test_unary_gradients(name, shape):
    fn, sampler = UNARY_GRAD[name]
    check_gradients(fn, [sampler(*shape)])


BINARY_GRAD = {
    "add": (tf.add, rand, rand), "subtract": (tf.subtract, rand, rand),
    "multiply": (tf.multiply, rand, rand), "divide": (tf.divide, rand, away_from_zero),
    "realdiv": (tf.realdiv, rand, away_from_zero),
    "pow": (tf.pow, lambda *s: rand(*s, lo=0.5), rand),
    "maximum": (tf.maximum, rand, rand), "minimum": (tf.minimum, rand, rand),
    "squared_difference": (tf.squared_difference, rand, rand),
    "floormod": (tf.floormod, lambda *s: rand(*s, lo=0.1, hi=0.9) + 3,
                 lambda *s: rand(*s, lo=1.1, hi=1.4)),
    "multiply_no_nan": (math_ops.multiply_no_nan, rand, away_from_zero),
    "div_no_nan": (tf.div_no_nan, rand, away_from_zero),
    "where_v2": (lambda x, y: tf.where_v2(tf.greater(x, 0.), x, y), away_from_zero, rand),
}


@pytest.mark.parametrize("name", sorted(BINARY_GRAD))
@pytest.mark.parametrize("shapes", [((2, 3), (2, 3)), ((2, 3), (3,)), ((2, 1), (1, 3)),
                                    ((), (2,))], ids=str)
def test_binary_gradients(name, shapes):
    fn, sx, sy = BINARY_GRAD[name]
    check_gradients(fn, [sx(*shapes[0]), sy(*shapes[1])])


def test_operator_gradients():
    def build(x, y):
        return (x + y) * (x - y) / (y * y + 1.0) + x ** 2.0 - 2.0 ** y + -x % 3.0 + abs(x)
    check_gradients(build, [away_from_zero(2, 3), rand(3)])


def test_polygamma_and_select_gradients():
    check_gradients(lambda x: tf.polygamma(tf.constant([[1.], [2.]], tf.float64), x),
                    [rand(2, 3, lo=0.5, hi=3)])
    cond = np.array([[True, False, True], [False, False, True]])
    check_gradients(lambda x, y: tf.where(tf.constant(cond), x, y), [rand(2, 3), rand(2, 3)])
    check_gradients(lambda x, y: tf.where(tf.constant([True, False]), x, y),
                    [rand(2, 3), rand(2, 3)])


REDUCE_GRAD = {"reduce_sum": tf.reduce_sum, "reduce_mean": tf.reduce_mean,
               "reduce_max": tf.reduce_max, "reduce_min": tf.reduce_min,
               "reduce_prod": tf.reduce_prod, "reduce_logsumexp": tf.reduce_logsumexp}


@pytest.mark.parametrize("name", sorted(REDUCE_GRAD))
@pytest.mark.parametrize("axis", [None, 0, -1, [0, 2]], ids=str)
@pytest.mark.parametrize("keepdims", [False, True])
def test_reduction_gradients(name, axis, keepdims):
    fn = REDUCE_GRAD[name]
    check_gradients(lambda x: fn(x, axis, keepdims=keepdims), [rand(2, 3, 2)])


def test_reduction_gradients_special_cases():
    # products with zeros (one and two in a block), ties in max, unknown shapes
    x = np.array([[0., 2., 3.], [0., 0., 4.]])
    check_gradients(lambda t: tf.reduce_prod(t, 1), [x])
    check_gradients(lambda t: tf.reduce_prod(t), [np.array([[1., 0.5], [2., 3.]])])
    check_gradients(lambda t: tf.reduce_prod(t, [0, 1]), [np.array([[1., 0.], [2., 3.]])])
    pairs = check_gradients(lambda t: tf.reduce_max(t, 1), [np.array([[1., 3., 3.]])],
                            rtol=1e-3)
    np.testing.assert_allclose(pairs[0][0][0, 0], 0.0)
    with tf.Graph().as_default():
        p = tf.placeholder(tf.float64, [None, 3])
        for fn in (tf.reduce_mean, tf.reduce_max, tf.reduce_sum):
            g = tf.gradients(fn(p, 1), p)[0]
            with tf.Session() as sess:
                out = sess.run(g, {p: np.array([[1., 2., 5.]])})
            assert out.shape == (1, 3)


@pytest.mark.parametrize("exclusive", [False, True])
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("axis", [0, 1])
def test_scan_gradients(exclusive, reverse, axis):
    check_gradients(lambda x: tf.cumsum(x, axis, exclusive=exclusive, reverse=reverse),
                    [rand(2, 3)])
    check_gradients(lambda x: tf.cumprod(x, axis, exclusive=exclusive, reverse=reverse),
                    [away_from_zero(2, 3)])


@pytest.mark.parametrize("kw", [{}, {"transpose_a": True}, {"transpose_b": True},
                                {"transpose_a": True, "transpose_b": True}], ids=str)
def test_matmul_gradients(kw):
    a = rand(3, 2) if kw.get("transpose_a") else rand(2, 3)
    b = rand(4, 3) if kw.get("transpose_b") else rand(3, 4)
    check_gradients(lambda x, y: tf.matmul(x, y, **kw), [a, b])
    xa = np.stack([a, a * 2])
    check_gradients(lambda x, y: tf.matmul(x, y, **kw), [xa, b])
    check_gradients(lambda x, y: tf.matmul(x, y, **kw), [a, np.stack([b, -b])[None]])


@pytest.mark.parametrize("eq,shapes", [c for c in EINSUM_CASES if "ii" not in c[0]],
                         ids=[c[0] for c in EINSUM_CASES if "ii" not in c[0]])
def test_einsum_gradients(eq, shapes):
    check_gradients(lambda *ts: tf.einsum(eq, *ts), [rand(*s) for s in shapes])


def test_linalg_gradients():
    check_gradients(lambda a, b: tf.tensordot(a, b, [[1, 2], [1, 0]]),
                    [rand(2, 3, 2), rand(2, 3, 2)])
    m = rand(2, 2, 2) + 3 * np.eye(2)
    check_gradients(tf.matrix_inverse, [m])
    check_gradients(lambda x: tf.matrix_inverse(x, adjoint=True), [m])
    check_gradients(tf.matrix_determinant, [m])


def test_norm_and_segment_gradients():
    check_gradients(lambda x: tf.norm(x), [rand(2, 3)])
    check_gradients(lambda x: tf.norm(x, ord=1, axis=1), [away_from_zero(2, 3)])
    check_gradients(lambda x: tf.norm(x, ord=3, axis=0), [away_from_zero(2, 3)])
    check_gradients(lambda x: tf.norm(x, ord=np.inf, axis=[0, 1]), [away_from_zero(2, 3)])
    check_gradients(lambda x: tf.unsorted_segment_sum(x, tf.constant([2, -1, 0]), 3),
                    [rand(3, 2)])
    check_gradients(lambda x: tf.segment_sum(x, tf.constant([0, 0, 2])), [rand(3, 2)])
    check_gradients(lambda *xs: tf.add_n(list(xs)), [rand(2), rand(2), rand(2)])
    check_gradients(lambda x: tf.scalar_mul(tf.constant(3.0, tf.float64), x), [rand(2)])


def test_gather_gradient_uses_unsorted_segment_sum():
    with tf.Graph().as_default():
        params = tf.constant(np.arange(6.).reshape(3, 2))
        g = tf.gradients(tf.reduce_sum(tf.gather(params, [0, 2, 0])), params)[0]
        with tf.Session() as sess:
            np.testing.assert_array_equal(sess.run(g), [[2., 2.], [0., 0.], [1., 1.]])


# ============================================================================ names, operators

def test_function_and_operator_node_names():
    x = tf.placeholder(tf.float32, [2, 3], name="x")
    cases = [
        (x + 1, "add", "Add"), (1 + x, "add_1", "Add"), (x - 2, "sub", "Sub"),
        (2 - x, "sub_1", "Sub"), (x * x, "mul", "Mul"), (x / 2, "truediv", "RealDiv"),
        (2 / x, "truediv_1", "RealDiv"), (x // 2, "floordiv", "FloorDiv"),
        (x % 2, "mod", "FloorMod"), (x ** 2, "pow", "Pow"), (2 ** x, "pow_1", "Pow"),
        (-x, "Neg", "Neg"), (abs(x), "Abs", "Abs"), (x < 1, "Less", "Less"),
        (x <= 1, "LessEqual", "LessEqual"), (x > 1, "Greater", "Greater"),
        (x >= 1, "GreaterEqual", "GreaterEqual"),
        ((x < 1) & (x > 0), "and", "LogicalAnd"), ((x < 1) | (x > 0), "or", "LogicalOr"),
        ((x < 1) ^ (x > 0), "xor", "LogicalAnd"), (~(x < 1), "LogicalNot", "LogicalNot"),
        (tf.add(x, 1.0), "Add_2", "Add"), (tf.reduce_mean(x), "Mean", "Mean"),
        (tf.argmax(x, 1), "ArgMax", "ArgMax"), (tf.where(x > 0), "Where", "Where"),
        (tf.cumsum(x, 1), "Cumsum", "Cumsum"), (tf.sigmoid(x), "Sigmoid", "Sigmoid"),
        (tf.reduce_logsumexp(x, 1), "ReduceLogSumExp", "Add"),
        (tf.einsum("ij,kj->ik", x, x), "einsum/Einsum", "Einsum"),
        (tf.norm(x), "norm/Squeeze", "Squeeze"),
        (tf.saturate_cast(x, tf.uint8), "saturate_cast", "Cast"),
        (tf.logical_xor(x > 0, x < 0), "LogicalXor", "LogicalAnd"),
    ]
    for t, name, op_type in cases:
        assert (t.op.name, t.op.type) == (name, op_type)
    g = tf.get_default_graph()
    assert g.get_operation_by_name("add/y").type == "Const"
    assert g.get_operation_by_name("add_1/x").type == "Const"
    assert g.get_operation_by_name("Add_2/y").type == "Const"
    assert [o.type for o in g.get_operations() if o.name.startswith("xor/")] == \
        ["LogicalOr", "LogicalAnd", "LogicalNot"]
    i = tf.placeholder(tf.int32, [2], name="i")
    q = i / 2
    assert q.dtype == tf.float64
    assert sorted(o.name for o in g.get_operations() if o.name.startswith("truediv_2/")) == \
        ["truediv_2/Cast", "truediv_2/Cast_1", "truediv_2/y"]


def test_float32_stays_float32_with_python_and_numpy_scalars():
    x = tf.constant([1., 2.], tf.float32)
    for t in (x * 2, 2 * x, x * 0.5, x + np.float64(1.5), np.float64(1.5) * x, x / 3,
              x ** 2, tf.maximum(x, 0), x - np.array([1.0, 2.0]), tf.scalar_mul(2.0, x),
              tf.pow(x, 2.0), tf.squared_difference(x, 1.0)):
        assert t.dtype == tf.float32
        assert run(t).dtype == np.float32


def test_operators_on_variables():
    v = tf.Variable([[1., 2.], [3., 4.]])
    b = tf.Variable([True, False])
    ops = {
        "add": (v + 1, [[2., 3.], [4., 5.]]), "radd": (1 + v, [[2., 3.], [4., 5.]]),
        "sub": (v - 1, [[0., 1.], [2., 3.]]), "rsub": (1 - v, [[0., -1.], [-2., -3.]]),
        "mul": (v * 2, [[2., 4.], [6., 8.]]), "rmul": (2 * v, [[2., 4.], [6., 8.]]),
        "div": (v / 2, [[.5, 1.], [1.5, 2.]]), "rdiv": (12 / v, [[12., 6.], [4., 3.]]),
        "floordiv": (v // 2, [[0., 1.], [1., 2.]]), "rfloordiv": (5 // v, [[5., 2.], [1., 1.]]),
        "mod": (v % 2, [[1., 0.], [1., 0.]]), "rmod": (5 % v, [[0., 1.], [2., 1.]]),
        "pow": (v ** 2, [[1., 4.], [9., 16.]]), "rpow": (2 ** v, [[2., 4.], [8., 16.]]),
        "matmul": (v @ v, [[7., 10.], [15., 22.]]), "rmatmul": (
            np.eye(2, dtype=np.float32) @ v, [[1., 2.], [3., 4.]]),
        "neg": (-v, [[-1., -2.], [-3., -4.]]), "abs": (abs(-v), [[1., 2.], [3., 4.]]),
        "lt": (v < 2, [[True, False], [False, False]]), "le": (v <= 2, [[True, True],
                                                                     [False, False]]),
        "gt": (v > 2, [[False, False], [True, True]]), "ge": (v >= 2, [[False, True],
                                                                     [True, True]]),
        "and": (b & True, [True, False]), "rand": (True & b, [True, False]),
        "or": (b | False, [True, False]), "ror": (False | b, [True, False]),
        "xor": (b ^ True, [False, True]), "rxor": (True ^ b, [False, True]),
        "invert": (~b, [False, True]),
    }
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        out = sess.run({k: t for k, (t, _) in ops.items()})
    for k, (_, expected) in ops.items():
        np.testing.assert_array_equal(out[k], expected, err_msg=k)
    assert v == v and not (v == tf.Variable(1.0))  # __eq__ stays identity, as TF1
    x = tf.constant(1.0)
    assert (x == x) is True and (x != x) is False


def test_rank3_and_unknown_shape_broadcasting():
    p = tf.placeholder(tf.float32, [None, 1, 3])
    q = tf.placeholder(tf.float32, [2, 1])
    t = p * q
    assert t.shape.as_list() == [None, 2, 3]
    out = run(t, {p: np.ones((4, 1, 3)), q: [[1.], [2.]]})
    assert out.shape == (4, 2, 3)
    with tf.Graph().as_default():
        pp = tf.placeholder(tf.float64)
        qq = tf.placeholder(tf.float64)
        g1, g2 = tf.gradients(tf.reduce_sum(pp * qq), [pp, qq])
        with tf.Session() as sess:
            a, b = sess.run([g1, g2], {pp: np.ones((2, 3)), qq: np.arange(3.)})
        np.testing.assert_array_equal(a, np.tile(np.arange(3.), (2, 1)))
        np.testing.assert_array_equal(b, [2., 2., 2.])


def test_misc_builders():
    np.testing.assert_array_equal(run(tf.accumulate_n([tf.ones([2]), tf.ones([2])])), [2., 2.])
    t = tf.constant([1., 2.])
    assert tf.add_n([t]) is t
    assert tf.add_n([t], name="named").op.name == "named"
    assert tf.scalar_mul(2.0, t).op.inputs[0].op.name == "scalar"


# ============================================================================ errors

def test_shape_mismatch_names_op_and_both_shapes():
    x = tf.placeholder(tf.float32, [2, 3], name="x")
    with pytest.raises(ValueError, match=r"Dimensions must be equal, but are 3 and 4 for "
                                         r"'add' \(op: 'Add'\) with input shapes: \[2,3\], "
                                         r"\[4\]"):
        x + tf.zeros([4])
    with pytest.raises(ValueError, match=r"but are 3 and 2 for 'MatMul' \(op: 'MatMul'\)"):
        tf.matmul(x, x)
    with pytest.raises(ValueError, match=r"'MatMul_1' \(op: 'BatchMatMulV2'\)"):
        tf.matmul(tf.zeros([2, 2, 3]), tf.zeros([3, 3, 4]))
    with pytest.raises(ValueError, match=r"'einsum/Einsum' \(op: 'Einsum'\)"):
        tf.einsum("ij,jk->ik", x, tf.zeros([4, 2]))
    with pytest.raises(ValueError, match=r"Shapes must be equal rank, but are 2 and 1 for "
                                         r"'AddN' \(op: 'AddN'\)"):
        tf.add_n([x, tf.zeros([3])])


def test_dtype_mismatch_type_errors():
    x = tf.placeholder(tf.float32, [2, 3], name="x")
    i = tf.placeholder(tf.int32, [2, 3], name="i")
    msg = "Input 'y' of 'Add' Op has type int32 that does not match type float32 of argument 'x'."
    with pytest.raises(TypeError, match=msg):
        x + i
    with pytest.raises(TypeError, match="Input 'y' of 'Add' Op has type float32 that does not "
                                        "match type int32 of argument 'x'"):
        tf.add(1, x)
    with pytest.raises(TypeError, match="Input 'y' of 'Add' Op has type float32 that does not "
                                        "match type int32 of argument 'x'"):
        tf.add(i, 0.5)
    with pytest.raises(TypeError, match="Input 'y' of 'Mul' Op has type float32 that does not "
                                        "match type int32 of argument 'x'"):
        i * 0.5
    with pytest.raises(TypeError, match="Expected int32"):
        0.5 * i
    with pytest.raises(TypeError, match="Input 'b' of 'MatMul' Op has type int32 that does "
                                        "not match type float32 of argument 'a'"):
        tf.matmul(x, i)
    with pytest.raises(TypeError, match="Input 'y' of 'Maximum' Op"):
        tf.maximum(x, i)
    with pytest.raises(TypeError, match="Input 'y' of 'Less' Op"):
        tf.less(x, i)
    with pytest.raises(TypeError, match=r"x and y must have the same dtype, got tf.float32 != "
                                        r"tf.int32"):
        tf.truediv(x, i)
    with pytest.raises(TypeError, match=r"Tensors in list passed to 'inputs' of 'AddN' Op "
                                        r"have types \[float32, int32\] that don't all match"):
        tf.add_n([x, i])
    with pytest.raises(TypeError, match="Input 'x' of 'BatchMatMulV2' Op|Input 'y' of "
                                        "'BatchMatMulV2' Op"):
        linalg_ops.batch_matmul(tf.zeros([1, 2, 2]), tf.zeros([1, 2, 2], tf.float64))
    with pytest.raises(TypeError, match=r"Tensors in list passed to 'inputs' of 'Einsum' Op "
                                        r"have types \[float32, int32\] that don't all match"):
        tf.einsum("ij,jk->ik", x, tf.zeros([3, 2], tf.int32))


def test_disallowed_dtypes():
    i = tf.placeholder(tf.int32, [2])
    f = tf.placeholder(tf.float32, [2])
    allowed = ("Value passed to parameter 'x' has DataType int32 not in list of allowed "
               "values: bfloat16, float16, float32, float64")
    for fn in (tf.sqrt, tf.exp, tf.log, tf.floor, tf.erf, tf.sigmoid, tf.is_nan):
        with pytest.raises(TypeError, match=allowed):
            fn(i)
    with pytest.raises(TypeError, match="uint8 not in list of allowed values: bfloat16, "
                                        "float16, float32, float64, int8, int16, int32, int64"):
        tf.abs(tf.zeros([2], tf.uint8))
    with pytest.raises(TypeError, match="Input 'x' of 'LogicalAnd' Op has type float32 that "
                                        "does not match expected type of bool"):
        tf.logical_and(f, f)
    with pytest.raises(TypeError, match="Input 'input' of 'All' Op has type float32"):
        tf.reduce_all(f)
    with pytest.raises(TypeError, match="parameter 'input' has DataType bool"):
        tf.reduce_sum(tf.constant([True]))
    with pytest.raises(TypeError, match="parameter 'x' has DataType string"):
        tf.subtract("a", "b")
    with pytest.raises(TypeError, match="parameter 'type' has DataType bool"):
        tf.bitcast(f, tf.bool)
    with pytest.raises(TypeError, match="Input 'condition' of 'Select' Op has type float32"):
        tf.where(f, f, f)
    assert run(tf.add("a", "b")) == b"ab"


def test_runtime_errors_name_the_op():
    with pytest.raises(tf.errors.InvalidArgumentError, match="Integer division by zero"):
        run(tf.floordiv(tf.constant([1]), tf.constant([0]), name="my_div"))
    with pytest.raises(tf.errors.InvalidArgumentError, match="my_mod"):
        run(tf.floormod(tf.constant([1]), tf.constant([0]), name="my_mod"))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Integers to negative integer "
                                                             "powers are not allowed"):
        run(tf.pow(tf.constant([2]), tf.constant([-1])))
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"segment_ids\[1\] = 5 is out of range \[0, 3\)"):
        run(tf.unsorted_segment_sum([1., 2.], [0, 5], 3))
    with pytest.raises(tf.errors.InvalidArgumentError, match="segment ids are not increasing"):
        run(tf.segment_sum([1., 2., 3.], [1, 0, 1]))
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"Reduction axis 0 is empty in shape \[0,2\]"):
        run(tf.argmax(tf.zeros([0, 2]), 0))
    with pytest.raises(tf.errors.InvalidArgumentError, match="not invertible"):
        run(tf.matrix_inverse(tf.zeros([2, 2])))
    p = tf.placeholder(tf.float32)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Invalid reduction dimension"):
        run(tf.reduce_sum(p, 3), {p: np.ones((2, 2))})


def test_graph_construction_errors():
    x = tf.placeholder(tf.float32, [2, 3])
    with pytest.raises(ValueError, match=r"Dimension \(2\) must be in the range \[-2, 2\), "
                                         r"where 2 is the number of dimensions in the input"):
        tf.argmax(x, 2)
    with pytest.raises(ValueError, match="Invalid reduction dimension 2 for input with 2 "
                                         "dimensions"):
        tf.reduce_sum(x, 2)
    with pytest.raises(ValueError, match=r"ScanOp: Expected scan axis in the range \[-2, 2\)"):
        tf.cumsum(x, 2)
    with pytest.raises(ValueError, match="Dimension 0 in both shapes must be equal, but are 3 "
                                         r"and 2. Shapes are \[3\] and \[2\]"):
        tf.where(tf.zeros([3], tf.bool), x, x)
    with pytest.raises(ValueError, match="Dimension 1 in both shapes must be equal, but are 3 "
                                         "and 2"):
        tf.where(tf.zeros([2, 2], tf.bool), x, x)
    with pytest.raises(ValueError, match="Shapes must be equal rank, but are 2 and 1"):
        tf.where(x > 0, x, tf.zeros([3]))
    with pytest.raises(ValueError, match="x and y must both be non-None or both be None"):
        tf.where(x > 0, x)
    with pytest.raises(ValueError, match="Only scalar multiply works, got shape"):
        tf.scalar_mul(tf.constant([1., 2.]), x)
    with pytest.raises(ValueError, match="'ord' must be a supported vector norm, got fro"):
        tf.norm(x, ord="fro", axis=1)
    with pytest.raises(ValueError, match="'ord' must be a supported vector norm, got -1"):
        tf.norm(x, ord=-1, axis=1)
    with pytest.raises(ValueError, match="'axis' must be None, an integer, or a tuple of 2 "
                                         "unique integers"):
        tf.norm(x, axis=[0, 1, 2])
    with pytest.raises(ValueError, match="'ord' must be a supported matrix norm"):
        tf.norm(x, ord=3, axis=[0, 1])
    with pytest.raises(ValueError, match="Cannot bitcast from 19 to 1 due to shape. 1 does not "
                                         "match 2"):
        tf.bitcast(tf.constant([1.], tf.float16), tf.float32)
    with pytest.raises(ValueError, match="'axes' must be at least 0"):
        tf.tensordot(x, x, -1)
    with pytest.raises(ValueError, match="Different number of contraction axes 'a' and 'b', "
                                         "2 != 1"):
        tf.tensordot(x, x, [[0, 1], [0]])
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 3 and 2"):
        tf.tensordot(x, x, 1)
    with pytest.raises(ValueError, match="Invalid einsum subscripts"):
        tf.einsum("i1,j->ij", x, x)
    with pytest.raises(ValueError, match="Expecting 2 inputs"):
        tf.einsum("ij->ji", x, x)
    with pytest.raises(ValueError, match="inputs must be a list of at least one Tensor"):
        tf.add_n([])
    with pytest.raises(ValueError, match=r"Shapes \(2,\) and \(3,\) are not compatible"):
        tf.accumulate_n([tf.ones([2]), tf.ones([3])])
    with pytest.raises(ValueError, match="data.shape = \\[3\\] does not start with "
                                         "segment_ids.shape = \\[2\\]"):
        tf.unsorted_segment_sum(tf.ones([3]), [0, 1], 2)
    with pytest.raises(ValueError, match="Shape must be at least rank 2 but is rank 1"):
        tf.matrix_determinant(tf.ones([3]))
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 2 and 3"):
        tf.matrix_inverse(tf.ones([2, 3]))


def test_gradients_on_strict_device(device_mode):
    def build(x, y):
        seg = tf.unsorted_segment_sum(x, tf.constant([1, -1, 1]), 2)
        return (tf.reduce_sum(tf.reduce_max(x, 1)) + tf.reduce_sum(tf.reduce_prod(x, 0)) +
                tf.reduce_sum(tf.reduce_logsumexp(x, 1)) + tf.reduce_sum(seg) +
                tf.reduce_sum(tf.einsum("ij,j->i", x, y)) +
                tf.reduce_sum(tf.matmul(tf.reshape(x, [1, 3, 4]),
                                        tf.reshape(y, [4, 1]))) +
                tf.reduce_sum(tf.cumprod(y, exclusive=True)) + tf.reduce_sum(tf.erf(x)) +
                tf.reduce_sum(tf.where(x > 0, x, tf.square(x))))
    check_gradients(build, [away_from_zero(3, 4), away_from_zero(4)])


def test_complex_abs_and_variable_div():
    c = tf.constant([3 + 4j, 0j])
    a = tf.abs(c)
    assert a.op.type == "ComplexAbs" and a.dtype == tf.float64
    g = tf.gradients(tf.reduce_sum(a), c)[0]
    out, grad = run([a, g])
    np.testing.assert_allclose(out, [5., 0.])
    np.testing.assert_allclose(grad, [0.6 + 0.8j, 0.])
    v = tf.Variable([2., 4.])
    d, rd = v.__div__(2.), v.__rdiv__(8.)
    with tf.Session() as sess:
        sess.run(v.initializer)
        np.testing.assert_array_equal(sess.run(d), [1., 2.])
        np.testing.assert_array_equal(sess.run(rd), [4., 2.])
    assert d.op.name == "div"
