"""Tests for tensorslim.core.kernels.nn against naive references and numerical gradients."""
import itertools

import numpy as np
import pytest

from tensorslim.core.kernels import nn
from tests.nn_reference import (attr, pad_and_out, ref_conv2d, ref_pool, to_nchw, to_nhwc,
                                  window_taps)

pytestmark = pytest.mark.filterwarnings("error")

RNG = np.random.default_rng(1234)


# --------------------------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------------------------

def numerical_grad(f, x, dy, eps=1e-6):
    """Central-difference gradient of ``sum(f(x) * dy)`` with respect to float64 ``x``."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for k in range(flat.size):
        old = flat[k]
        flat[k] = old + eps
        plus = np.sum(f(x) * dy)
        flat[k] = old - eps
        minus = np.sum(f(x) * dy)
        flat[k] = old
        gflat[k] = (plus - minus) / (2 * eps)
    return grad


def rand(*shape, dtype=np.float64):
    return RNG.standard_normal(shape).astype(dtype)


def tol(dtype):
    return dict(rtol=1e-4, atol=1e-4) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-10)


# --------------------------------------------------------------------------------------------
# Window arithmetic
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("args, expected", [
    ((5, 3, 2, 1, "SAME"), (1, 1, 3)),
    ((4, 3, 2, 1, "SAME"), (0, 1, 2)),
    ((28, 5, 1, 1, "SAME"), (2, 2, 28)),
    ((7, 3, 3, 2, "SAME"), (2, 2, 3)),
    ((6, 2, 2, 1, "SAME"), (0, 0, 3)),
    ((3, 5, 1, 1, "SAME"), (2, 2, 3)),
    ((5, 3, 2, 1, "VALID"), (0, 0, 2)),
    ((7, 3, 3, 2, "VALID"), (0, 0, 1)),
    ((4, 5, 1, 1, "VALID"), (0, 0, 0)),
    ((2, 5, 2, 1, "VALID"), (0, 0, 0)),  # TF's C++ division truncates toward zero
])
def test_get_pad_and_out(args, expected):
    assert tuple(nn.get_pad_and_out(*args)) == expected


def test_get_pad_and_out_errors():
    with pytest.raises(ValueError, match="'FULL'"):
        nn.get_pad_and_out(5, 3, 1, 1, "FULL")
    with pytest.raises(ValueError, match="'same'"):
        nn.get_pad_and_out(5, 3, 1, 1, "same")
    with pytest.raises(ValueError, match="negative"):
        nn.get_pad_and_out(1, 5, 2, 1, "VALID")
    with pytest.raises(ValueError, match="stride >= 1, got 0"):
        nn.get_pad_and_out(5, 3, 0, 1, "SAME")


# --------------------------------------------------------------------------------------------
# conv2d and its gradients
# --------------------------------------------------------------------------------------------

@pytest.fixture(params=["nhwc", "cnhw"])
def conv_layout(request, monkeypatch):
    """Runs a test through both internal convolution layouts, whatever the heuristic picks."""
    monkeypatch.setattr(nn, "_use_cnhw", lambda c, ow: request.param == "cnhw")
    return request.param


CONV_CASES = [
    # (n, h, w, c, kh, kw, cout, (sh, sw), (dh, dw))
    (2, 7, 7, 3, 3, 3, 4, (1, 1), (1, 1)),
    (1, 8, 9, 2, 3, 2, 3, (2, 2), (1, 1)),
    (2, 10, 11, 3, 5, 5, 2, (3, 3), (1, 1)),
    (1, 9, 8, 2, 3, 3, 2, (1, 2), (2, 2)),
    (2, 11, 10, 1, 2, 3, 3, (1, 1), (3, 2)),
    (1, 5, 6, 4, 1, 1, 3, (2, 3), (1, 1)),
    (1, 3, 4, 2, 4, 4, 2, (1, 1), (1, 1)),  # kernel larger than the input (SAME only)
    (2, 13, 12, 3, 4, 3, 2, (3, 2), (1, 1)),
    (2, 4, 5, 9, 1, 1, 4, (1, 1), (1, 1)),  # 1x1: the patch matrix is the input itself
]


@pytest.mark.parametrize("case", CONV_CASES)
@pytest.mark.parametrize("padding", ["SAME", "VALID"])
@pytest.mark.parametrize("data_format", ["NHWC", "NCHW"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_conv2d_forward(case, padding, data_format, dtype, conv_layout):
    n, h, wd, c, kh, kw, cout, st, dl = case
    x, w = rand(n, h, wd, c, dtype=dtype), rand(kh, kw, c, cout, dtype=dtype)
    expected = ref_conv2d(x, w, st, padding, dl)
    xin = to_nchw(x) if data_format == "NCHW" else x
    y = nn.conv2d(np, xin, w, attr(*st, data_format), padding, attr(*dl, data_format),
                  data_format)
    assert y.dtype == dtype
    if data_format == "NCHW":
        y = to_nhwc(y)
    np.testing.assert_allclose(y, expected, **tol(dtype))


@pytest.mark.parametrize("case", CONV_CASES)
@pytest.mark.parametrize("padding", ["SAME", "VALID"])
@pytest.mark.parametrize("data_format", ["NHWC", "NCHW"])
def test_conv2d_adjoint(case, padding, data_format, conv_layout):
    """<conv(x, w), dy> == <x, backprop_input(dy)> == <w, backprop_filter(dy)>."""
    n, h, wd, c, kh, kw, cout, st, dl = case
    x, w = rand(n, h, wd, c), rand(kh, kw, c, cout)
    if data_format == "NCHW":
        x = to_nchw(x)
    strides, dilations = attr(*st, data_format), attr(*dl, data_format)
    y = nn.conv2d(np, x, w, strides, padding, dilations, data_format)
    dy = rand(*y.shape)
    dx = nn.conv2d_backprop_input(np, x.shape, w, dy, strides, padding, dilations, data_format)
    dw = nn.conv2d_backprop_filter(np, x, w.shape, dy, strides, padding, dilations,
                                   data_format)
    assert dx.shape == x.shape and dw.shape == w.shape
    lhs = np.sum(y * dy)
    np.testing.assert_allclose(np.sum(x * dx), lhs, rtol=1e-10)
    np.testing.assert_allclose(np.sum(w * dw), lhs, rtol=1e-10)


@pytest.mark.parametrize("case", [CONV_CASES[1], CONV_CASES[3], CONV_CASES[6]])
@pytest.mark.parametrize("padding", ["SAME", "VALID"])
def test_conv2d_numerical_gradients(case, padding, conv_layout):
    n, h, wd, c, kh, kw, cout, st, dl = case
    x, w = rand(n, h, wd, c), rand(kh, kw, c, cout)
    strides, dilations = attr(*st, "NHWC"), attr(*dl, "NHWC")
    dy = rand(*nn.conv2d(np, x, w, strides, padding, dilations).shape)
    dx = nn.conv2d_backprop_input(np, x.shape, w, dy, strides, padding, dilations)
    dw = nn.conv2d_backprop_filter(np, x, w.shape, dy, strides, padding, dilations)
    num_dx = numerical_grad(lambda v: nn.conv2d(np, v, w, strides, padding, dilations), x, dy)
    num_dw = numerical_grad(lambda v: nn.conv2d(np, x, v, strides, padding, dilations), w, dy)
    np.testing.assert_allclose(dx, num_dx, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(dw, num_dw, rtol=1e-6, atol=1e-7)


def test_conv2d_backprop_float32_and_two_element_sizes(conv_layout):
    x, w = rand(2, 9, 9, 3, dtype=np.float32), rand(3, 3, 3, 4, dtype=np.float32)
    dy = rand(2, 5, 5, 4, dtype=np.float32)
    s = [1, 2, 2, 1]
    dx = nn.conv2d_backprop_input(np, [9, 9], w, dy, s, "SAME")
    dx4 = nn.conv2d_backprop_input(np, np.array([2, 9, 9, 3]), w, dy, s, "SAME")
    dw = nn.conv2d_backprop_filter(np, x, [3, 3, 3, 4], dy, s, "SAME")
    assert dx.dtype == dx4.dtype == dw.dtype == np.float32
    np.testing.assert_array_equal(dx, dx4)
    ref = nn.conv2d_backprop_input(np, [2, 9, 9, 3], w.astype(np.float64),
                                   dy.astype(np.float64), s, "SAME")
    np.testing.assert_allclose(dx, ref, rtol=1e-4, atol=1e-4)


def test_conv2d_errors():
    x, w = rand(1, 5, 5, 3), rand(3, 3, 2, 4)
    with pytest.raises(ValueError, match="in_channels 3 .* got 2"):
        nn.conv2d(np, x, w, [1, 1, 1, 1], "SAME")
    w = rand(3, 3, 3, 4)
    with pytest.raises(ValueError, match="'EXPLICIT'"):
        nn.conv2d(np, x, w, [1, 1, 1, 1], "EXPLICIT")
    with pytest.raises(ValueError, match="batch and depth"):
        nn.conv2d(np, x, w, [2, 1, 1, 1], "SAME")
    with pytest.raises(ValueError, match="4 elements"):
        nn.conv2d(np, x, w, [1, 1], "SAME")
    with pytest.raises(ValueError, match="data_format"):
        nn.conv2d(np, x, w, [1, 1, 1, 1], "SAME", data_format="NWHC")
    with pytest.raises(ValueError, match="dtype float64 .* got float32"):
        nn.conv2d(np, x, w.astype(np.float32), [1, 1, 1, 1], "SAME")
    with pytest.raises(ValueError, match=r"out_backprop of shape \[1, 5, 5, 4\]"):
        nn.conv2d_backprop_input(np, x.shape, w, rand(1, 4, 5, 4), [1, 1, 1, 1], "SAME")
    with pytest.raises(ValueError, match="negative"):
        nn.conv2d(np, rand(1, 2, 2, 3), w, [1, 1, 1, 1], "VALID", [1, 2, 2, 1])


def test_conv2d_empty_output(conv_layout):
    y = nn.conv2d(np, rand(1, 4, 4, 2, dtype=np.float32), rand(5, 5, 2, 3, dtype=np.float32),
                  [1, 1, 1, 1], "VALID")
    assert y.shape == (1, 0, 0, 3) and y.dtype == np.float32
    dx = nn.conv2d_backprop_input(np, [1, 4, 4, 2], rand(5, 5, 2, 3), rand(1, 0, 0, 3),
                                  [1, 1, 1, 1], "VALID")
    assert dx.shape == (1, 4, 4, 2) and not dx.any()


# --------------------------------------------------------------------------------------------
# Depthwise convolution
# --------------------------------------------------------------------------------------------

DW_CASES = [
    (2, 7, 7, 3, 3, 3, 2, (1, 1), (1, 1)),
    (1, 9, 8, 2, 3, 2, 1, (2, 2), (1, 1)),
    (1, 10, 9, 2, 3, 3, 3, (3, 3), (2, 2)),
]


@pytest.mark.parametrize("case", DW_CASES)
@pytest.mark.parametrize("padding", ["SAME", "VALID"])
@pytest.mark.parametrize("data_format", ["NHWC", "NCHW"])
def test_depthwise_forward_and_adjoint(case, padding, data_format):
    n, h, wd, c, kh, kw, m, st, dl = case
    x, w = rand(n, h, wd, c), rand(kh, kw, c, m)
    expected = ref_conv2d(x, w, st, padding, dl, depthwise=True)
    xin = to_nchw(x) if data_format == "NCHW" else x
    strides, dilations = attr(*st, data_format), attr(*dl, data_format)
    y = nn.depthwise_conv2d_native(np, xin, w, strides, padding, dilations, data_format)
    np.testing.assert_allclose(to_nhwc(y) if data_format == "NCHW" else y, expected,
                               rtol=1e-10, atol=1e-10)
    dy = rand(*y.shape)
    dx = nn.depthwise_conv2d_native_backprop_input(np, xin.shape, w, dy, strides, padding,
                                                   dilations, data_format)
    dw = nn.depthwise_conv2d_native_backprop_filter(np, xin, w.shape, dy, strides, padding,
                                                    dilations, data_format)
    lhs = np.sum(y * dy)
    np.testing.assert_allclose(np.sum(xin * dx), lhs, rtol=1e-10)
    np.testing.assert_allclose(np.sum(w * dw), lhs, rtol=1e-10)


def test_depthwise_numerical_gradients_and_float32():
    x, w = rand(1, 6, 5, 2), rand(3, 3, 2, 2)
    s, pad = [1, 2, 1, 1], "SAME"
    y = nn.depthwise_conv2d_native(np, x, w, s, pad)
    dy = rand(*y.shape)
    dx = nn.depthwise_conv2d_native_backprop_input(np, x.shape, w, dy, s, pad)
    dw = nn.depthwise_conv2d_native_backprop_filter(np, x, w.shape, dy, s, pad)
    np.testing.assert_allclose(
        dx, numerical_grad(lambda v: nn.depthwise_conv2d_native(np, v, w, s, pad), x, dy),
        rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(
        dw, numerical_grad(lambda v: nn.depthwise_conv2d_native(np, x, v, s, pad), w, dy),
        rtol=1e-6, atol=1e-7)
    x32, w32, dy32 = x.astype(np.float32), w.astype(np.float32), dy.astype(np.float32)
    assert nn.depthwise_conv2d_native(np, x32, w32, s, pad).dtype == np.float32
    assert nn.depthwise_conv2d_native_backprop_input(
        np, x.shape, w32, dy32, s, pad).dtype == np.float32
    assert nn.depthwise_conv2d_native_backprop_filter(
        np, x32, w.shape, dy32, s, pad).dtype == np.float32


# --------------------------------------------------------------------------------------------
# Pooling
# --------------------------------------------------------------------------------------------

POOL_CASES = [
    # (n, h, w, c, (kh, kw), (sh, sw))
    (2, 8, 8, 3, (2, 2), (2, 2)),     # tiles exactly (fast path)
    (1, 9, 7, 2, (2, 2), (2, 2)),     # tiles with a leftover row/col
    (2, 7, 8, 2, (3, 3), (2, 2)),     # overlapping
    (1, 10, 9, 3, (3, 2), (3, 3)),
    (1, 5, 6, 2, (1, 1), (1, 1)),
    (2, 6, 6, 1, (3, 3), (1, 1)),
    (1, 4, 5, 2, (4, 4), (3, 2)),
]


@pytest.mark.parametrize("case", POOL_CASES)
@pytest.mark.parametrize("padding", ["SAME", "VALID"])
@pytest.mark.parametrize("data_format", ["NHWC", "NCHW"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pool_forward(case, padding, data_format, dtype, kind):
    n, h, wd, c, k, s = case
    x = rand(n, h, wd, c, dtype=dtype)
    expected = ref_pool(x, k, s, padding, kind)
    xin = to_nchw(x) if data_format == "NCHW" else x
    fn = nn.max_pool if kind == "max" else nn.avg_pool
    y = fn(np, xin, attr(*k, data_format), attr(*s, data_format), padding, data_format)
    assert y.dtype == dtype
    np.testing.assert_allclose(to_nhwc(y) if data_format == "NCHW" else y, expected,
                               **tol(dtype))


@pytest.mark.parametrize("case", POOL_CASES)
@pytest.mark.parametrize("padding", ["SAME", "VALID"])
@pytest.mark.parametrize("data_format", ["NHWC", "NCHW"])
def test_pool_gradients(case, padding, data_format):
    n, h, wd, c, k, s = case
    x = rand(n, h, wd, c)  # distinct values: the max is unique, the gradient well defined
    if data_format == "NCHW":
        x = to_nchw(x)
    ks, st = attr(*k, data_format), attr(*s, data_format)
    y = nn.max_pool(np, x, ks, st, padding, data_format)
    dy = rand(*y.shape)
    dx = nn.max_pool_grad(np, x, y, dy, ks, st, padding, data_format)
    num = numerical_grad(lambda v: nn.max_pool(np, v, ks, st, padding, data_format), x, dy)
    np.testing.assert_allclose(dx, num, rtol=1e-6, atol=1e-7)
    ya = nn.avg_pool(np, x, ks, st, padding, data_format)
    dxa = nn.avg_pool_grad(np, x.shape, dy, ks, st, padding, data_format)
    num = numerical_grad(lambda v: nn.avg_pool(np, v, ks, st, padding, data_format), x, dy)
    np.testing.assert_allclose(dxa, num, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(np.sum(ya * dy), np.sum(x * dxa), rtol=1e-10)


@pytest.mark.parametrize("k, s", [((2, 2), (2, 2)), ((3, 3), (1, 1)), ((2, 3), (1, 2))])
@pytest.mark.parametrize("padding", ["SAME", "VALID"])
@pytest.mark.parametrize("data_format", ["NHWC", "NCHW"])
def test_max_pool_grad_ties_go_to_first_max(k, s, padding, data_format):
    x = np.zeros((1, 6, 6, 1), dtype=np.float32)  # every window is one big tie
    xin = to_nchw(x) if data_format == "NCHW" else x
    ks, st = attr(*k, data_format), attr(*s, data_format)
    y = nn.max_pool(np, xin, ks, st, padding, data_format)
    dy = np.arange(1, y.size + 1, dtype=np.float32).reshape(y.shape)
    dx = nn.max_pool_grad(np, xin, y, dy, ks, st, padding, data_format)
    assert dx.dtype == np.float32
    if data_format == "NCHW":
        dx, dy = to_nhwc(dx), to_nhwc(dy)
    expected = np.zeros_like(x)
    pt, oh = pad_and_out(6, k[0], s[0], 1, padding)
    pl, ow = pad_and_out(6, k[1], s[1], 1, padding)
    for oy in range(oh):
        for ox in range(ow):
            r = next(v for v in window_taps(6, k[0], s[0], 1, pt, oy) if v is not None)
            q = next(v for v in window_taps(6, k[1], s[1], 1, pl, ox) if v is not None)
            expected[0, r, q, 0] += dy[0, oy, ox, 0]
    np.testing.assert_array_equal(dx, expected)


def test_max_pool_ties_partial_and_int_dtype():
    x = np.array([[3, 1, 2, 3], [2, 3, 3, 0]], dtype=np.int32).reshape(1, 2, 4, 1)
    y = nn.max_pool(np, x, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
    assert y.dtype == np.int32 and y.ravel().tolist() == [3, 3]
    dx = nn.max_pool_grad(np, x.astype(np.float64), y.astype(np.float64),
                          np.array([1.0, 2.0]).reshape(1, 1, 2, 1),
                          [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
    assert dx.ravel().tolist() == [1, 0, 0, 2, 0, 0, 0, 0]
    # Negative values and SAME padding: the -inf padding never wins.
    x = -np.ones((1, 3, 3, 1), dtype=np.float32)
    y = nn.max_pool(np, x, [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
    assert (y == -1).all()


def test_avg_pool_same_divisor():
    x = np.ones((1, 3, 3, 1), dtype=np.float32)
    y = nn.avg_pool(np, x, [1, 3, 3, 1], [1, 1, 1, 1], "SAME")
    np.testing.assert_array_equal(y, np.ones_like(x))  # counts of 4, 6 and 9, never 9 only
    x = np.arange(9, dtype=np.float64).reshape(1, 3, 3, 1)
    y = nn.avg_pool(np, x, [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
    np.testing.assert_allclose(y.ravel(), [(0 + 1 + 3 + 4) / 4, (2 + 5) / 2, (6 + 7) / 2, 8])
    dx = nn.avg_pool_grad(np, [1, 3, 3, 1], np.ones((1, 2, 2, 1)), [1, 2, 2, 1],
                          [1, 2, 2, 1], "SAME")
    np.testing.assert_allclose(dx.ravel(), [.25, .25, .5, .25, .25, .5, .5, .5, 1])


@pytest.mark.parametrize("include_batch", [False, True])
@pytest.mark.parametrize("padding", ["SAME", "VALID"])
def test_max_pool_with_argmax(include_batch, padding):
    n, h, wd, c = 2, 7, 6, 3
    x = rand(n, h, wd, c)
    x[0, 0:2, 0:2, 0] = 5.0  # a tie: the first maximum (row-major) must win
    ks, st = [1, 3, 2, 1], [1, 2, 2, 1]
    y, argmax = nn.max_pool_with_argmax(np, x, ks, st, padding, include_batch)
    np.testing.assert_array_equal(y, nn.max_pool(np, x, ks, st, padding))
    assert argmax.dtype == np.int64
    flat = x.reshape(n, -1)
    for b in range(n):
        idx = argmax[b] - (b * h * wd * c if include_batch else 0)
        np.testing.assert_array_equal(flat[b][idx], y[b])
    assert argmax[0, 0, 0, 0] == 0  # the first of the tied 5.0s
    dy = rand(*y.shape)
    dx = nn.max_pool_grad_with_argmax(np, x, dy, argmax, include_batch)
    np.testing.assert_allclose(dx, nn.max_pool_grad(np, x, y, dy, ks, st, padding),
                               rtol=1e-12, atol=1e-12)


def test_pool_errors():
    x = rand(1, 4, 4, 1)
    with pytest.raises(ValueError, match="batch and depth"):
        nn.max_pool(np, x, [1, 2, 2, 2], [1, 1, 1, 1], "SAME")
    with pytest.raises(ValueError, match="'valid'"):
        nn.avg_pool(np, x, [1, 2, 2, 1], [1, 1, 1, 1], "valid")
    with pytest.raises(ValueError, match=r"grad of shape \[1, 2, 2, 1\]"):
        nn.avg_pool_grad(np, [1, 4, 4, 1], rand(1, 3, 2, 1), [1, 2, 2, 1], [1, 2, 2, 1],
                         "SAME")


# --------------------------------------------------------------------------------------------
# bias_add, lrn
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("data_format", ["NHWC", "NCHW"])
@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 4, 5), (2, 3, 4)])
def test_bias_add(data_format, shape):
    x = rand(*shape, dtype=np.float32)
    ch = shape[1] if data_format == "NCHW" else shape[-1]
    b = rand(ch, dtype=np.float32)
    y = nn.bias_add(np, x, b, data_format)
    bshape = [1] * len(shape)
    bshape[1 if data_format == "NCHW" else -1] = ch
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, x + b.reshape(bshape), rtol=1e-6)
    dy = rand(*shape, dtype=np.float32)
    db = nn.bias_add_grad(np, dy, data_format)
    axes = tuple(a for a in range(len(shape)) if a != (1 if data_format == "NCHW" else
                                                       len(shape) - 1))
    assert db.dtype == np.float32
    np.testing.assert_allclose(db, dy.sum(axis=axes), rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match=rf"bias of shape \[{ch}\]"):
        nn.bias_add(np, x, rand(ch + 1, dtype=np.float32), data_format)


def ref_lrn(x, r, bias, alpha, beta):
    y = np.zeros_like(x)
    depth = x.shape[-1]
    for d in range(depth):
        lo, hi = max(0, d - r), min(depth, d + r + 1)
        sqr = (x[..., lo:hi] ** 2).sum(-1)
        y[..., d] = x[..., d] / (bias + alpha * sqr) ** beta
    return y


@pytest.mark.parametrize("params", [(5, 1.0, 1.0, 0.5), (2, 2.0, 1e-2, 0.75),
                                    (1, 1.5, 0.3, 1.0), (0, 1.0, 1.0, 0.5),
                                    (20, 1.0, 0.1, 0.6)])
def test_lrn(params):
    r, bias, alpha, beta = params
    x = rand(2, 3, 2, 7)
    y = nn.lrn(np, x, r, bias, alpha, beta)
    np.testing.assert_allclose(y, ref_lrn(x, r, bias, alpha, beta), rtol=1e-12)
    dy = rand(*x.shape)
    dx = nn.lrn_grad(np, dy, x, y, r, bias, alpha, beta)
    num = numerical_grad(lambda v: nn.lrn(np, v, r, bias, alpha, beta), x, dy)
    np.testing.assert_allclose(dx, num, rtol=1e-6, atol=1e-7)
    x32 = x.astype(np.float32)
    y32 = nn.lrn(np, x32, r, np.float64(bias), np.float64(alpha), np.float64(beta))
    assert y32.dtype == np.float32
    assert nn.lrn_grad(np, dy.astype(np.float32), x32, y32, r, bias, alpha,
                       beta).dtype == np.float32


# --------------------------------------------------------------------------------------------
# Softmax and cross entropy
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("axis", [-1, 0, 1])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_and_log_softmax(axis, dtype):
    x = rand(3, 4, 5, dtype=dtype)
    e = np.exp(x.astype(np.float64))
    expected = e / e.sum(axis=axis, keepdims=True)
    y = nn.softmax(np, x, axis)
    ly = nn.log_softmax(np, x, axis)
    assert y.dtype == ly.dtype == dtype
    np.testing.assert_allclose(y, expected, **tol(dtype))
    np.testing.assert_allclose(ly, np.log(expected), **tol(dtype))
    if dtype == np.float64:
        dy = rand(*x.shape)
        np.testing.assert_allclose(
            nn.softmax_grad(np, y, dy, axis),
            numerical_grad(lambda v: nn.softmax(np, v, axis), x, dy), rtol=1e-6, atol=1e-8)
        np.testing.assert_allclose(
            nn.log_softmax_grad(np, ly, dy, axis),
            numerical_grad(lambda v: nn.log_softmax(np, v, axis), x, dy), rtol=1e-6,
            atol=1e-8)


def test_softmax_huge_logits_stable():
    x = np.array([[1e30, 1e30 - 1e24, -1e30], [1000.0, 999.0, 0.0]], dtype=np.float32)
    y = nn.softmax(np, x)
    ly = nn.log_softmax(np, x)
    assert np.isfinite(y).all() and np.isfinite(ly).all() and y.dtype == np.float32
    np.testing.assert_allclose(y.sum(-1), 1, rtol=1e-6)
    np.testing.assert_allclose(y[1], [1 / (1 + np.exp(-1)), np.exp(-1) / (1 + np.exp(-1)), 0],
                               rtol=1e-6, atol=1e-30)
    loss, back = nn.softmax_cross_entropy_with_logits(np, x, np.eye(3, dtype=np.float32)[:2])
    assert np.isfinite(loss).all() and np.isfinite(back).all()
    loss, back = nn.sparse_softmax_cross_entropy_with_logits(np, x, np.array([0, 1]))
    np.testing.assert_allclose(loss[1], 1 + np.log1p(np.exp(-1.0)) - 0, rtol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_cross_entropy(dtype):
    logits = rand(4, 5, dtype=dtype)
    labels = RNG.random((4, 5)).astype(dtype)
    labels /= labels.sum(-1, keepdims=True)
    labels[0] *= 2  # unnormalised rows are allowed; backprop is not rescaled
    loss, back = nn.softmax_cross_entropy_with_logits(np, logits, labels)
    assert loss.dtype == back.dtype == dtype and loss.shape == (4,)
    logp = logits - np.log(np.exp(logits.astype(np.float64)).sum(-1, keepdims=True))
    np.testing.assert_allclose(loss, -(labels * logp).sum(-1), **tol(dtype))
    np.testing.assert_allclose(back, np.exp(logp) - labels, **tol(dtype))
    if dtype == np.float64:
        dl = rand(4)
        num = numerical_grad(
            lambda v: nn.softmax_cross_entropy_with_logits(np, v, labels)[0], logits, dl)
        # backprop is the true gradient only where a label row sums to 1 (TF's contract).
        np.testing.assert_allclose((back * dl[:, None])[1:], num[1:], rtol=1e-6, atol=1e-8)
    # Broadcast labels (one row for the whole batch).
    loss_b, _ = nn.softmax_cross_entropy_with_logits(np, logits, labels[1:2])
    np.testing.assert_allclose(
        loss_b, nn.softmax_cross_entropy_with_logits(
            np, logits, np.repeat(labels[1:2], 4, axis=0))[0], rtol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("label_dtype", [np.int32, np.int64])
def test_sparse_softmax_cross_entropy(dtype, label_dtype):
    logits = rand(5, 4, dtype=dtype)
    labels = np.array([0, 3, 1, 1, 2], dtype=label_dtype)
    loss, back = nn.sparse_softmax_cross_entropy_with_logits(np, logits, labels)
    dense_loss, dense_back = nn.softmax_cross_entropy_with_logits(
        np, logits, np.eye(4, dtype=dtype)[labels])
    assert loss.dtype == back.dtype == dtype
    np.testing.assert_allclose(loss, dense_loss, **tol(dtype))
    np.testing.assert_allclose(back, dense_back, **tol(dtype))


def test_sparse_softmax_cross_entropy_bad_labels():
    logits = rand(3, 4)
    with pytest.raises(ValueError, match=r"label value of 4 .*\[0, 4\)"):
        nn.sparse_softmax_cross_entropy_with_logits(np, logits, np.array([0, 4, 1]))
    with pytest.raises(ValueError, match=r"label value of -1 .*\[0, 4\)"):
        nn.sparse_softmax_cross_entropy_with_logits(np, logits, np.array([-1, 7, 1]))
    with pytest.raises(ValueError, match="at least one class"):
        nn.sparse_softmax_cross_entropy_with_logits(np, rand(3, 0), np.array([0, 0, 0]))
    with pytest.raises(ValueError, match=r"labels of shape \[3\]"):
        nn.sparse_softmax_cross_entropy_with_logits(np, logits, np.array([0, 1]))


# --------------------------------------------------------------------------------------------
# Fused batch norm
# --------------------------------------------------------------------------------------------

def _check_batch_norm_grads(grads, fwd, x, scale, offset, dy, dx_rtol=1e-6):
    """``(dx, dscale, doffset)`` against central differences of ``fwd(xv, sv, ov)``."""
    dx, ds, do = grads
    np.testing.assert_allclose(dx, numerical_grad(lambda v: fwd(xv=v), x, dy),
                               rtol=dx_rtol, atol=1e-7)
    np.testing.assert_allclose(ds, numerical_grad(lambda v: fwd(sv=v), scale, dy),
                               rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(do, numerical_grad(lambda v: fwd(ov=v), offset, dy),
                               rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("data_format", ["NHWC", "NCHW"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fused_batch_norm_training(data_format, dtype):
    x = rand(4, 3, 5, 2, dtype=dtype) * 3 + 1
    axes = (0, 2, 3) if data_format == "NCHW" else (0, 1, 2)
    depth = x.shape[1] if data_format == "NCHW" else x.shape[3]
    bshape = (1, depth, 1, 1) if data_format == "NCHW" else (1, 1, 1, depth)
    scale, offset = rand(depth, dtype=dtype), rand(depth, dtype=dtype)
    eps = 1e-3
    y, bm, bv, r1, r2 = nn.fused_batch_norm(np, x, scale, offset, None, None, eps,
                                            data_format, True)
    assert all(a.dtype == dtype for a in (y, bm, bv, r1, r2))
    x64 = x.astype(np.float64)
    m, v = x64.mean(axis=axes), x64.var(axis=axes)
    n = x.size // depth
    ref = (x64 - m.reshape(bshape)) / np.sqrt(v.reshape(bshape) + eps)
    ref = ref * scale.reshape(bshape) + offset.reshape(bshape)
    t = tol(dtype)
    np.testing.assert_allclose(y, ref, **t)
    np.testing.assert_allclose(bm, m, **t)
    np.testing.assert_allclose(bv, v * n / (n - 1), **t)  # Bessel-corrected output
    np.testing.assert_allclose(r1, m, **t)
    np.testing.assert_allclose(r2, v, **t)  # biased variance kept for the gradient
    if dtype == np.float64:
        dy = rand(*x.shape)
        dx, ds, do = nn.fused_batch_norm_grad(np, dy, x, scale, r1, r2, eps, data_format, True)

        def fwd(xv=x, sv=scale, ov=offset):
            return nn.fused_batch_norm(np, xv, sv, ov, None, None, eps, data_format, True)[0]

        _check_batch_norm_grads((dx, ds, do), fwd, x, scale, offset, dy, dx_rtol=1e-5)


@pytest.mark.parametrize("data_format", ["NHWC", "NCHW"])
def test_fused_batch_norm_inference(data_format):
    x = rand(2, 3, 4, 5)
    depth = x.shape[1] if data_format == "NCHW" else x.shape[3]
    bshape = (1, depth, 1, 1) if data_format == "NCHW" else (1, 1, 1, depth)
    scale, offset, mean = rand(depth), rand(depth), rand(depth)
    var = RNG.random(depth) + 0.5
    y, bm, bv, r1, r2 = nn.fused_batch_norm(np, x, scale, offset, mean, var, 1e-4, data_format,
                                            False)
    ref = ((x - mean.reshape(bshape)) / np.sqrt(var.reshape(bshape) + 1e-4)
           * scale.reshape(bshape) + offset.reshape(bshape))
    np.testing.assert_allclose(y, ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(bm, mean)
    np.testing.assert_array_equal(bv, var)
    dy = rand(*x.shape)
    dx, ds, do = nn.fused_batch_norm_grad(np, dy, x, scale, r1, r2, 1e-4, data_format, False)

    def fwd(xv=x, sv=scale, ov=offset):
        return nn.fused_batch_norm(np, xv, sv, ov, mean, var, 1e-4, data_format, False)[0]

    _check_batch_norm_grads((dx, ds, do), fwd, x, scale, offset, dy)


def test_fused_batch_norm_half_and_avg_factor():
    x = rand(2, 3, 3, 4).astype(np.float16)
    s, o = np.ones(4, np.float32), np.zeros(4, np.float32)
    y, bm, bv, _, _ = nn.fused_batch_norm(np, x, s, o, None, None)
    assert y.dtype == np.float16 and bm.dtype == bv.dtype == np.float32
    run_m, run_v = np.full(4, 10.0, np.float32), np.full(4, 2.0, np.float32)
    _, m2, v2, _, _ = nn.fused_batch_norm(np, x, s, o, run_m, run_v,
                                          exponential_avg_factor=0.25)
    np.testing.assert_allclose(m2, 0.75 * run_m + 0.25 * bm, rtol=1e-6)
    np.testing.assert_allclose(v2, 0.75 * run_v + 0.25 * bv, rtol=1e-6)
    with pytest.raises(ValueError, match=r"scale of shape \[4\]"):
        nn.fused_batch_norm(np, x, np.ones(3, np.float32), o, None, None)
    y, bm, bv, r1, r2 = nn.fused_batch_norm(np, np.zeros((0, 3, 3, 4), np.float32), s, o,
                                            None, None)
    assert y.shape == (0, 3, 3, 4) and all(np.isnan(a).all() for a in (bm, bv, r1, r2))


# --------------------------------------------------------------------------------------------
# dtype preservation across the board
# --------------------------------------------------------------------------------------------

def test_float32_stays_float32():
    f = np.float32
    x, w = rand(2, 6, 6, 3, dtype=f), rand(3, 3, 3, 4, dtype=f)
    s = [1, 1, 1, 1]
    for fmt in ("NHWC", "NCHW"):
        xin = to_nchw(x) if fmt == "NCHW" else x
        y = nn.conv2d(np, xin, w, s, "SAME", data_format=fmt)
        assert y.dtype == f
        assert nn.conv2d_backprop_input(np, xin.shape, w, y, s, "SAME",
                                        data_format=fmt).dtype == f
        assert nn.conv2d_backprop_filter(np, xin, w.shape, y, s, "SAME",
                                         data_format=fmt).dtype == f
        k = [1, 1, 2, 2] if fmt == "NCHW" else [1, 2, 2, 1]
        for pad in ("SAME", "VALID"):
            mp = nn.max_pool(np, xin, k, k, pad, fmt)
            ap = nn.avg_pool(np, xin, k, [1, 1, 1, 1], pad, fmt)
            assert mp.dtype == ap.dtype == f
            assert nn.max_pool_grad(np, xin, mp, mp, k, k, pad, fmt).dtype == f
            assert nn.avg_pool_grad(np, xin.shape, ap, k, [1, 1, 1, 1], pad, fmt).dtype == f
        assert nn.bias_add(np, xin, np.ones(3, f), fmt).dtype == f
        assert nn.bias_add_grad(np, xin, fmt).dtype == f
    logits = rand(3, 4, dtype=f)
    for out in (nn.softmax_cross_entropy_with_logits(np, logits, logits) +
                nn.sparse_softmax_cross_entropy_with_logits(np, logits, np.array([0, 1, 2]))):
        assert out.dtype == f
    y, *_ = nn.fused_batch_norm(np, x, np.ones(3, f), np.zeros(3, f), None, None)
    assert y.dtype == f
    y, arg = nn.max_pool_with_argmax(np, x, [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
    assert y.dtype == f
    assert nn.max_pool_grad_with_argmax(np, x, y, arg).dtype == f


def test_combinations_cover_every_stride():
    strides = {c[7] for c in CONV_CASES} | {c[5] for c in POOL_CASES}
    assert {s for pair in strides for s in pair} >= {1, 2, 3}
    assert any(d != (1, 1) for d in itertools.chain(c[8] for c in CONV_CASES))


@pytest.mark.parametrize("padding", ["SAME", "VALID"])
def test_conv_blocked_over_the_batch_matches_unblocked(monkeypatch, padding):
    """The cache-blocked path (several small blocks of images) gives the unblocked results."""
    from tensorslim.core.kernels import nn as kn
    rng = np.random.RandomState(3)
    x = rng.randn(5, 9, 9, 6).astype(np.float32)
    w = rng.randn(5, 5, 6, 7).astype(np.float32)
    strides = [1, 1, 1, 1]
    full_y = kn.conv2d(np, x, w, strides, padding)
    dy = rng.randn(*full_y.shape).astype(np.float32)
    full_dx = kn.conv2d_backprop_input(np, x.shape, w, dy, strides, padding)
    full_dw = kn.conv2d_backprop_filter(np, x, w.shape, dy, strides, padding)
    monkeypatch.setattr(kn, "_PATCH_BLOCK_BYTES", 1)
    monkeypatch.setattr(kn, "_PATCH_BLOCK_BYTES_THREADED", 1)
    monkeypatch.setattr(kn, "_blas_single_threaded", lambda: True)
    np.testing.assert_allclose(kn.conv2d(np, x, w, strides, padding), full_y, rtol=1e-5,
                               atol=1e-4)
    np.testing.assert_allclose(kn.conv2d_backprop_input(np, x.shape, w, dy, strides, padding),
                               full_dx, rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(kn.conv2d_backprop_filter(np, x, w.shape, dy, strides,
                                                         padding), full_dw, rtol=1e-5,
                               atol=1e-4)
