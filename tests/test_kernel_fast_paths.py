"""The speed-motivated code paths of the pooling, ReLU-gradient and MatMul kernels.

Max pooling and its gradient work through big inputs block by block under numpy; the blocks
must not change a single bit (ties, NaN, -0.0 and infinities included). ReluGrad must keep
the -0.0/NaN results of ``dy * (x > 0)``. MatMul may ask OpenBLAS for the transposed product;
the result must be the same product, C-contiguous, and the same run to run.
"""
import types

import numpy as np
import pytest

from tensorslim.core.kernels import nn
from tensorslim.core.kernels import nn_extra
from tensorslim.core.ops import math_ops
from tensorslim.core.strict_device import strict_xp
from tests.nn_reference import attr, pad_and_out, to_nchw, to_nhwc


def special_values(shape, dtype, rng):
    """Values on a coarse grid (many ties) with NaN, -0.0 and infinities sprinkled in."""
    x = (np.round(rng.standard_normal(shape) * 2) / 2).astype(dtype)
    flat = x.reshape(-1)
    for value, share in ((np.nan, 0.03), (-0.0, 0.05), (np.inf, 0.01), (-np.inf, 0.01)):
        flat[rng.random(flat.size) < share] = value
    return x


def naive_max_pool_grad(x, y, dy, k, s, padding):
    """NHWC loop reference: each output's gradient goes to the first window element (row-major,
    padding counting as -inf) equal to its maximum, or to the last one when none is (a NaN
    maximum); a window element in the padding drops it. Every window element gets ``dy * hit``
    (so -0.0 and NaN appear where dy is negative or not finite), written when windows tile
    and added (from +0.0) when they overlap."""
    n, h, wd, c = x.shape
    pt, oh = pad_and_out(h, k[0], s[0], 1, padding)
    pl, ow = pad_and_out(wd, k[1], s[1], 1, padding)
    tiles = k[0] == s[0] and k[1] == s[1] and pt == 0 and pl == 0
    dx = np.zeros(x.shape, dtype=dy.dtype)
    for b in range(n):
        for ch in range(c):
            for oy in range(oh):
                for ox in range(ow):
                    taps = [(oy * s[0] - pt + i, ox * s[1] - pl + j)
                            for i in range(k[0]) for j in range(k[1])]
                    target = y[b, oy, ox, ch]
                    hit = next((t for t in taps if _value(x, b, t, ch) == target), taps[-1])
                    g = dy[b, oy, ox, ch]
                    for t in taps:
                        if 0 <= t[0] < h and 0 <= t[1] < wd:
                            if tiles:
                                dx[b, t[0], t[1], ch] = g * (t == hit)
                            else:
                                dx[b, t[0], t[1], ch] += g * (t == hit)
    return dx


def _value(x, b, t, ch):
    if 0 <= t[0] < x.shape[1] and 0 <= t[1] < x.shape[2]:
        return x[b, t[0], t[1], ch]
    return -np.inf


POOLS = [
    # (shape NHWC, (kh, kw), (sh, sw), padding)
    ((3, 8, 10, 16), (2, 2), (2, 2), "VALID"),    # tiles exactly
    ((2, 9, 7, 8), (2, 2), (2, 2), "VALID"),      # tiles, leftover row and column
    ((2, 9, 9, 3), (3, 3), (3, 3), "SAME"),       # tiles (no padding needed)
    ((2, 7, 8, 4), (3, 3), (2, 2), "SAME"),       # overlapping, padded
    ((1, 6, 6, 5), (2, 3), (1, 2), "VALID"),
]


@pytest.mark.parametrize("shape, k, s, padding", POOLS)
@pytest.mark.parametrize("data_format", ["NHWC", "NCHW"])
@pytest.mark.parametrize("block_bytes", [1 << 30, 6000, 1500, 64])
def test_max_pool_blocks_are_bitwise_invisible(monkeypatch, shape, k, s, padding, data_format,
                                               block_bytes):
    # 1 << 30: one block; 6000, 1500: runs of whole images or of window rows / channels;
    # 64: one window row / channel at a time.
    rng = np.random.default_rng(sum(shape) + block_bytes)
    x = special_values(shape, np.float32, rng)
    xin = to_nchw(x) if data_format == "NCHW" else x
    ks, st = attr(*k, data_format), attr(*s, data_format)
    with np.errstate(invalid="ignore"):
        y_one = nn.max_pool(np, xin, ks, st, padding, data_format)
        dy = special_values(y_one.shape, np.float32, rng)
        dx_one = nn.max_pool_grad(np, xin, y_one, dy, ks, st, padding, data_format)
        monkeypatch.setattr(nn, "_POOL_BLOCK_BYTES", block_bytes)
        y = nn.max_pool(np, xin, ks, st, padding, data_format)
        dx = nn.max_pool_grad(np, xin, y_one, dy, ks, st, padding, data_format)
        expected = naive_max_pool_grad(x, to_nhwc(y_one) if data_format == "NCHW" else y_one,
                                       to_nhwc(dy) if data_format == "NCHW" else dy,
                                       k, s, padding)
    assert y.tobytes() == y_one.tobytes() and dx.tobytes() == dx_one.tobytes()
    got = to_nhwc(dx) if data_format == "NCHW" else dx
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(np.signbit(got), np.signbit(expected))


def test_max_pool_big_images_block_by_rows_and_channels():
    # Images larger than a block are cut into window rows (NHWC) or channels (NCHW).
    rng = np.random.default_rng(7)
    x = special_values((1, 150, 120, 16), np.float32, rng)
    assert x.nbytes > nn._POOL_BLOCK_BYTES
    for data_format in ("NHWC", "NCHW"):
        xin = to_nchw(x) if data_format == "NCHW" else x
        ks = attr(2, 2, data_format)
        with np.errstate(invalid="ignore"):
            y = nn.max_pool(np, xin, ks, ks, "VALID", data_format)
            dy = rng.uniform(1, 2, y.shape).astype(np.float32)
            dx = nn.max_pool_grad(np, xin, y, dy, ks, ks, "VALID", data_format)
            win = xin.reshape(1, 75, 2, 60, 2, 16) if data_format == "NHWC" else \
                xin.reshape(1, 16, 75, 2, 60, 2)
            axes = (2, 4) if data_format == "NHWC" else (3, 5)
            np.testing.assert_array_equal(y, np.max(win, axis=axes))
        assert dx.shape == xin.shape
        # Every window routes its (nonzero) gradient to exactly one element.
        np.testing.assert_array_equal((dx != 0).reshape(win.shape).sum(axis=axes), 1)
        np.testing.assert_array_equal(np.sort(dx[dx != 0]), np.sort(dy.ravel()))


@pytest.mark.parametrize("xp_name", ["numpy", "strict"])
def test_max_pool_grad_ties_and_nan_windows(xp_name):
    xp = np if xp_name == "numpy" else strict_xp
    x = np.array([[0, 0, 1, 1], [0, 0, 1, np.nan],
                  [2, 5, 3, 3], [5, 5, 3, 3]], dtype=np.float32).reshape(1, 4, 4, 1)
    y = np.array([[0, np.nan], [5, 3]], dtype=np.float32).reshape(1, 2, 2, 1)
    dy = np.array([[-1, 2], [3, -4]], dtype=np.float32).reshape(1, 2, 2, 1)
    with np.errstate(invalid="ignore"):
        dx = nn.max_pool_grad(xp, xp.asarray(x), xp.asarray(y), xp.asarray(dy),
                              [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
    dx = dx if xp is np else dx.get()
    expected = np.array([[-1, -0.0, 0, 0], [-0.0, -0.0, 0, 2],
                         [0, 3, -4, -0.0], [0, 0, -0.0, -0.0]], dtype=np.float32)
    np.testing.assert_array_equal(dx.reshape(4, 4), expected)
    np.testing.assert_array_equal(np.signbit(dx.reshape(4, 4)), np.signbit(expected))


def test_max_pool_padded_without_a_padded_copy():
    # Overlapping padded windows start from -inf and skip the taps that fall in the padding.
    rng = np.random.default_rng(3)
    x = special_values((2, 9, 8, 3), np.float64, rng)
    x[0, :3, :3, 0] = -np.inf        # a window of nothing but -inf (and padding)
    y = nn.max_pool(np, x, [1, 3, 3, 1], [1, 2, 2, 1], "SAME")
    pt, oh = pad_and_out(9, 3, 2, 1, "SAME")
    pl, ow = pad_and_out(8, 3, 2, 1, "SAME")
    xpad = np.full((2, 9 + 2 * oh, 8 + 2 * ow, 3), -np.inf)
    xpad[:, pt:pt + 9, pl:pl + 8] = x
    expected = np.full((2, oh, ow, 3), -np.inf)
    for i in range(3):
        for j in range(3):
            expected = np.maximum(expected, xpad[:, i:i + 2 * oh:2, j:j + 2 * ow:2][:, :oh, :ow])
    np.testing.assert_array_equal(y, expected)
    assert y[0, 0, 0, 0] == -np.inf
    xi = rng.integers(-5, 5, (2, 9, 8, 3)).astype(np.int32)
    yi = nn.max_pool(np, xi, [1, 3, 3, 1], [1, 2, 2, 1], "SAME")
    assert yi.dtype == np.int32
    np.testing.assert_array_equal(yi, nn.max_pool(np, xi.astype(np.float64), [1, 3, 3, 1],
                                                  [1, 2, 2, 1], "SAME"))


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("xp_name", ["numpy", "strict"])
def test_relu_grad_is_dy_times_mask_bit_for_bit(dtype, xp_name):
    xp = np if xp_name == "numpy" else strict_xp
    rng = np.random.default_rng(5)
    x = special_values((6, 7, 5), dtype, rng)
    dy = special_values((6, 7, 5), dtype, rng)
    with np.errstate(invalid="ignore"):
        expected = dy * (x > 0)
        got = nn_extra.relu_grad(xp, xp.asarray(dy), xp.asarray(x))
    got = got if xp is np else got.get()
    assert got.dtype == dtype and got.tobytes() == expected.tobytes()
    assert np.signbit(got).any() and np.isnan(got).any()


def _matmul(a, b, transpose_a=False, transpose_b=False):
    ctx = types.SimpleNamespace(xp=np, attrs={"transpose_a": transpose_a,
                                              "transpose_b": transpose_b})
    return math_ops._matmul_kernel(ctx, a, b)


@pytest.mark.parametrize("m, k, n", [(64, 3136, 1024), (64, 1024, 3136), (8, 300, 40),
                                     (256, 256, 256), (3136, 64, 1024)])
@pytest.mark.parametrize("transpose_a", [False, True])
@pytest.mark.parametrize("transpose_b", [False, True])
def test_matmul_orientation_keeps_the_product(m, k, n, transpose_a, transpose_b):
    rng = np.random.default_rng(m + k + n)
    a = rng.standard_normal((k, m) if transpose_a else (m, k), dtype=np.float32)
    b = rng.standard_normal((n, k) if transpose_b else (k, n), dtype=np.float32)
    got = _matmul(a, b, transpose_a, transpose_b)
    expected = (a.T if transpose_a else a).astype(np.float64) @ \
        (b.T if transpose_b else b).astype(np.float64)
    assert got.shape == (m, n) and got.dtype == np.float32 and got.flags.c_contiguous
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-3 * np.sqrt(k))
    assert _matmul(a, b, transpose_a, transpose_b).tobytes() == got.tobytes()


def test_matmul_orientation_rule():
    def faster(m, k, n, dtype=np.float32, b_transposed=False):
        a = np.empty((m, k), dtype)
        b = np.empty((n, k), dtype).T if b_transposed else np.empty((k, n), dtype)
        return math_ops._transposed_gemm_is_faster(a, b)
    assert faster(64, 3136, 1024)                          # LeNet fc1 forward
    assert faster(64, 1024, 3136, b_transposed=True)       # its input gradient
    assert not faster(3136, 64, 1024)                       # its weight gradient
    assert not faster(64, 3136, 1024, dtype=np.float64)
    assert not faster(64, 1024, 3136)                       # wide b, not k-contiguous
    assert not faster(512, 3136, 1024) and not faster(64, 64, 65536, b_transposed=True)
