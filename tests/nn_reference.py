"""Naive NumPy references for the convolution and pooling tests (NHWC, float64 sums),
restated from TF's definitions, independent of the kernels."""
import numpy as np


def to_nchw(a):
    return np.ascontiguousarray(a.transpose(0, 3, 1, 2))


def to_nhwc(a):
    return np.ascontiguousarray(a.transpose(0, 2, 3, 1))


def attr(h, w, data_format):
    """A 4-element strides/dilations attr: 1 in the batch and channel positions."""
    return [1, 1, h, w] if data_format == "NCHW" else [1, h, w, 1]


def pad_and_out(n, k, s, d, padding):
    """The window arithmetic, restated from TF's definition (independent of the kernel)."""
    ek = (k - 1) * d + 1
    if padding == "SAME":
        out = -(-n // s)
        total = max((out - 1) * s + ek - n, 0)
        return total // 2, out
    return 0, -(-(n - ek + 1) // s)


def window_taps(n_in, k, s, d, pad, o):
    """Input indices (or None when in the padding) seen by output ``o`` along one axis."""
    out = []
    for i in range(k):
        idx = o * s + i * d - pad
        out.append(idx if 0 <= idx < n_in else None)
    return out


def ref_conv2d(x, w, strides, padding, dilations=(1, 1), depthwise=False):
    """Naive NHWC conv: explicit loops over output pixels and kernel taps."""
    n, h, wd, c = x.shape
    kh, kw = w.shape[:2]
    (sh, sw), (dh, dw) = strides, dilations
    pt, oh = pad_and_out(h, kh, sh, dh, padding)
    pl, ow = pad_and_out(wd, kw, sw, dw, padding)
    cout = c * w.shape[3] if depthwise else w.shape[3]
    y = np.zeros((n, oh, ow, cout), dtype=np.float64)
    for oy in range(oh):
        for ox in range(ow):
            for i, iy in enumerate(window_taps(h, kh, sh, dh, pt, oy)):
                for j, ix in enumerate(window_taps(wd, kw, sw, dw, pl, ox)):
                    if iy is None or ix is None:
                        continue
                    v = x[:, iy, ix, :].astype(np.float64)
                    if depthwise:
                        y[:, oy, ox, :] += (v[:, :, None] * w[i, j]).reshape(n, -1)
                    else:
                        y[:, oy, ox, :] += v @ w[i, j].astype(np.float64)
    return y


def ref_pool(x, k, s, padding, kind):
    """Naive NHWC pooling; ``kind`` is 'max' or 'avg' (avg divides by real elements)."""
    n, h, wd, c = x.shape
    pt, oh = pad_and_out(h, k[0], s[0], 1, padding)
    pl, ow = pad_and_out(wd, k[1], s[1], 1, padding)
    y = np.zeros((n, oh, ow, c))
    for oy in range(oh):
        for ox in range(ow):
            rows = [r for r in window_taps(h, k[0], s[0], 1, pt, oy) if r is not None]
            cols = [q for q in window_taps(wd, k[1], s[1], 1, pl, ox) if q is not None]
            win = x[:, rows][:, :, cols].reshape(n, -1, c)
            y[:, oy, ox] = win.max(axis=1) if kind == "max" else win.mean(axis=1)
    return y
