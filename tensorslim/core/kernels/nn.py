"""Array kernels for the neural-network ops: convolution, pooling, normalisation, softmax.

Every public function takes the array module ``xp`` (numpy or cupy) first and works on plain
arrays; nothing here knows about graphs. Semantics follow TensorFlow 1.x kernels: the same
window arithmetic for ``"SAME"``/``"VALID"`` padding, the same tie-breaking in max pooling,
the same divisors in average pooling and the same extra outputs of the fused ops. Arrays keep
their dtype: float32 in, float32 out.

Layout: convolution and pooling take 4-D tensors in ``"NHWC"`` (default) or ``"NCHW"``; NCHW
inputs are transposed on entry and the results transposed back. ``strides``, ``dilations``
and ``ksize`` are 4-element sequences in the order of ``data_format``, with 1 in the batch and
depth positions, exactly like the TF op attributes.

Speed: a convolution is an im2col (a strided window view of the padded input, copied into a
patch matrix) and a GEMM against the filter reshaped to ``[kh*kw*in, out]``, whose
``[pixels, out]`` result is already NHWC. With many input channels the patch matrix is
``[pixels, kh*kw*in]`` built from NHWC; with few (a first layer) it is the transpose, built from
a ``[C, N, H, W]`` copy so that the copies run along image rows instead of a handful of
channels. Under numpy the batch is cut into blocks of whole images so that each block's patch
matrix is still in cache when its GEMM reads it (see _PATCH_BLOCK_BYTES). The filter gradient
is the transposed GEMM on the same patches, summed over the blocks. A stride-1 input gradient
is itself a correlation: of the padded ``dy`` with the flipped filter, in and out swapped; for
a narrow input (few channels) it is done a window row at a time (see _correlate_rows). Other
strides loop over the ``kh*kw`` taps with strided slice-adds (col2im), fed by one GEMM (few
channels) or one small GEMM per tap (many). Intermediates live in a per-thread scratch buffer
under numpy. Pooling loops over the window taps with whole-array ``maximum``/``add``; when the
windows tile the input, max pooling reduces over a reshaped view, its gradient compares the
whole input with the broadcast maximum at once, and average pooling's gradient writes each
tap's share in place.
"""
import collections
import functools
import os
import threading

__all__ = [
    "PadAndOut", "get_pad_and_out",
    "conv2d", "conv2d_backprop_input", "conv2d_backprop_filter",
    "depthwise_conv2d_native", "depthwise_conv2d_native_backprop_input",
    "depthwise_conv2d_native_backprop_filter",
    "max_pool", "max_pool_grad", "max_pool_with_argmax", "max_pool_grad_with_argmax",
    "avg_pool", "avg_pool_grad",
    "bias_add", "bias_add_grad",
    "lrn", "lrn_grad",
    "softmax", "softmax_grad", "log_softmax", "log_softmax_grad",
    "softmax_cross_entropy_with_logits", "sparse_softmax_cross_entropy_with_logits",
    "fused_batch_norm", "fused_batch_norm_grad",
]


# --------------------------------------------------------------------------------------------
# Window arithmetic
# --------------------------------------------------------------------------------------------

PadAndOut = collections.namedtuple("PadAndOut", ["pad_before", "pad_after", "out_size"])
PadAndOut.__doc__ = """Padding and output size of one spatial dimension (see get_pad_and_out)."""


def _check_padding(padding):
    if isinstance(padding, bytes):
        padding = padding.decode("ascii", "replace")
    if padding not in ("SAME", "VALID"):
        raise ValueError(f"padding must be 'SAME' or 'VALID', got {padding!r}")
    return padding


def get_pad_and_out(in_size, k, stride, dilation, padding):
    """Computes TF's padding and output size for one spatial dimension.

    With ``eff_k = (k - 1) * dilation + 1``: ``"SAME"`` gives ``out = ceil(in / stride)`` and
    ``pad_total = max((out - 1) * stride + eff_k - in, 0)`` split as
    ``pad_before = pad_total // 2`` (the extra element, if any, goes after); ``"VALID"`` gives
    ``out = ceil((in - eff_k + 1) / stride)`` (rounded toward zero like TF's C++ when the
    numerator is negative) and no padding.

    Args:
        in_size: Input size along the dimension.
        k: Kernel (window) size along the dimension.
        stride: Stride, at least 1.
        dilation: Dilation rate, at least 1 (1 for pooling).
        padding: ``"SAME"`` or ``"VALID"``.

    Returns:
        A ``PadAndOut(pad_before, pad_after, out_size)`` named tuple of ints.

    Raises:
        ValueError: If ``padding`` is not ``"SAME"``/``"VALID"``, a stride, dilation or
            kernel size is below 1, or the ``"VALID"`` output size would be negative.
    """
    padding = _check_padding(padding)
    in_size, k, stride, dilation = int(in_size), int(k), int(stride), int(dilation)
    if stride < 1:
        raise ValueError(f"expected a stride >= 1, got {stride}")
    if dilation < 1:
        raise ValueError(f"expected a dilation rate >= 1, got {dilation}")
    if k < 1:
        raise ValueError(f"expected a window size >= 1, got {k}")
    eff_k = (k - 1) * dilation + 1
    if padding == "VALID":
        num = in_size - eff_k + stride
        out = num // stride if num >= 0 else -((-num) // stride)  # C++ truncation
        if out < 0:
            raise ValueError(
                f"computed output size would be negative: input size {in_size}, effective "
                f"window size {eff_k}, stride {stride}, padding 'VALID'")
        return PadAndOut(0, 0, out)
    out = -(-in_size // stride)
    total = max((out - 1) * stride + eff_k - in_size, 0)
    return PadAndOut(total // 2, total - total // 2, out)


def _is_nchw(data_format):
    if isinstance(data_format, bytes):
        data_format = data_format.decode("ascii", "replace")
    if data_format == "NHWC":
        return False
    if data_format == "NCHW":
        return True
    raise ValueError(f"data_format must be 'NHWC' or 'NCHW', got {data_format!r}")


def _spatial(values, name, nchw, op):
    """(h, w) of a 4-element attribute in data_format order; batch and depth must be 1."""
    try:
        vals = tuple(int(v) for v in values)
    except TypeError:
        raise ValueError(f"{op}: expected {name} to be a sequence of 4 ints, got {values!r}")
    if len(vals) != 4:
        raise ValueError(f"{op}: expected {name} to have 4 elements, got {list(vals)}")
    n, h, w, c = (vals[0], vals[2], vals[3], vals[1]) if nchw else vals
    if n != 1 or c != 1:
        raise ValueError(f"{op}: {name} in the batch and depth dimensions must be 1, "
                         f"got {list(vals)}")
    return h, w


def _check_rank(arr, rank, op, name):
    if arr.ndim != rank:
        raise ValueError(f"{op}: expected {name} of rank {rank}, got shape {tuple(arr.shape)}")


def _check_same_dtype(a, b, op, name_a, name_b):
    if a.dtype != b.dtype:
        raise ValueError(f"{op}: expected {name_b} of dtype {a.dtype} (the dtype of {name_a}), "
                         f"got {b.dtype}")


def _nhwc(x, nchw):
    return x.transpose(0, 2, 3, 1) if nchw else x


def _from_nhwc(xp, y, nchw):
    return xp.ascontiguousarray(y.transpose(0, 3, 1, 2)) if nchw else y


def _shape_nhwc(shape, nchw):
    return (shape[0], shape[2], shape[3], shape[1]) if nchw else tuple(shape)


_Geometry = collections.namedtuple(
    "_Geometry", ["oh", "ow", "sh", "sw", "dh", "dw", "pt", "pb", "pl", "pr"])


def _geometry(h, w, kh, kw, strides, dilations, padding, nchw, op):
    sh, sw = _spatial(strides, "strides", nchw, op)
    dh, dw = _spatial(dilations, "dilations", nchw, op) if dilations is not None else (1, 1)
    try:
        pt, pb, oh = get_pad_and_out(h, kh, sh, dh, padding)
        pl, pr, ow = get_pad_and_out(w, kw, sw, dw, padding)
    except ValueError as e:
        raise ValueError(f"{op}: {e}") from None
    return _Geometry(oh, ow, sh, sw, dh, dw, pt, pb, pl, pr)


def _pad_value(xp, dtype):
    if xp.issubdtype(dtype, xp.floating):
        return -float("inf")
    if dtype == bool:
        return False
    return xp.iinfo(dtype).min


def _pad(xp, x, g, value=0, hw=1):
    """Pads spatial axes ``hw, hw + 1`` of ``x``; returns ``x`` itself if there is no padding."""
    if not (g.pt or g.pb or g.pl or g.pr):
        return x
    h, w = x.shape[hw], x.shape[hw + 1]
    shape = list(x.shape)
    shape[hw] += g.pt + g.pb
    shape[hw + 1] += g.pl + g.pr
    out = xp.empty(shape, dtype=x.dtype)
    lead = (slice(None),) * hw
    rows = slice(g.pt, g.pt + h)
    out[lead + (rows, slice(g.pl, g.pl + w))] = x
    # Only the border needs the fill value.
    out[lead + (slice(0, g.pt),)] = value
    out[lead + (slice(g.pt + h, None),)] = value
    out[lead + (rows, slice(0, g.pl))] = value
    out[lead + (rows, slice(g.pl + w, None))] = value
    return out


def _crop(xp, xpad, g, h, w, hw=1):
    """Contiguous unpadded interior of ``xpad`` (spatial axes ``hw, hw + 1``)."""
    if not (g.pt or g.pb or g.pl or g.pr):
        return xpad
    return xp.ascontiguousarray(
        xpad[(slice(None),) * hw + (slice(g.pt, g.pt + h), slice(g.pl, g.pl + w))])


def _tap(a, i, j, g, hw=1):
    """The strided slice of padded ``a`` seen by kernel tap (i, j) at every output pixel."""
    r0, c0 = i * g.dh, j * g.dw
    return a[(slice(None),) * hw + (slice(r0, r0 + g.sh * (g.oh - 1) + 1, g.sh),
                                    slice(c0, c0 + g.sw * (g.ow - 1) + 1, g.sw))]


# numpy returns big blocks to the OS when they are freed, so a fresh im2col matrix page-faults
# on every call (several ms for LeNet's 40 MB). Intermediates that never leave a kernel reuse a
# per-thread buffer instead. cupy has its own memory pool and skips this.
_SCRATCH = threading.local()
_SCRATCH_MAX_BYTES = 64 << 20


def _scratch(xp, shape, dtype, slot):
    """Uninitialised ``shape`` array for kernel-internal use; valid until the next call."""
    dtype = xp.dtype(dtype)
    nbytes = dtype.itemsize
    for d in shape:
        nbytes *= d
    if getattr(xp, "__name__", "") != "numpy" or nbytes > _SCRATCH_MAX_BYTES:
        return xp.empty(shape, dtype=dtype)
    bufs = getattr(_SCRATCH, "bufs", None)
    if bufs is None:
        bufs = _SCRATCH.bufs = {}
    buf = bufs.get(slot)
    if buf is None or buf.nbytes < nbytes:
        buf = bufs[slot] = xp.empty(max(nbytes, 1), dtype=xp.uint8)
    return buf[:nbytes].view(dtype).reshape(shape)


def _use_cnhw(c, ow):
    """Whether to run a convolution in [C, N, H, W] layout instead of NHWC.

    The tap loops and the im2col copy move runs of ``c`` contiguous elements in NHWC and of
    ``ow`` in CNHW; with few channels (a network's first layer) CNHW's runs are far longer.
    """
    return c < 8 and c < ow


def _layout(x, nchw, cnhw):
    """View of a 4-D NHWC/NCHW tensor in the internal layout (NHWC or CNHW)."""
    if cnhw:
        return x.transpose(1, 0, 2, 3) if nchw else x.transpose(3, 0, 1, 2)
    return x.transpose(0, 2, 3, 1) if nchw else x


def _from_cnhw(xp, a, nchw):
    return xp.ascontiguousarray(a.transpose(1, 0, 2, 3) if nchw else a.transpose(1, 2, 3, 0))


def _im2col(xp, xpad, kh, kw, g, cnhw):
    """Patch matrix of padded ``xpad`` (one copy into scratch space).

    NHWC gives ``[n*oh*ow, kh*kw*c]``; CNHW gives its transpose ``[kh*kw*c, n*oh*ow]``. Either
    way the ``kh*kw*c`` index runs (i, j, c), matching a filter reshaped to ``[kh*kw*c, out]``.
    """
    if cnhw:
        c, n = xpad.shape[:2]
        sc, sn, sy, sx = xpad.strides
        shape = (kh, kw, c, n, g.oh, g.ow)
        strides = (sy * g.dh, sx * g.dw, sc, sn, sy * g.sh, sx * g.sw)
        rows, cols = kh * kw * c, n * g.oh * g.ow
    else:
        n, c = xpad.shape[0], xpad.shape[3]
        sn, sy, sx, sc = xpad.strides
        if g.dw == 1 and sx == c * sc:
            # A window row's kw taps and c channels are one contiguous run: copy it whole.
            shape = (n, g.oh, g.ow, kh, kw * c)
            strides = (sn, sy * g.sh, sx * g.sw, sy * g.dh, sc)
        else:
            shape = (n, g.oh, g.ow, kh, kw, c)
            strides = (sn, sy * g.sh, sx * g.sw, sy * g.dh, sx * g.dw, sc)
        rows, cols = n * g.oh * g.ow, kh * kw * c
    if kh == kw == g.sh == g.sw == 1:
        return xpad.reshape(rows, cols)  # a 1x1 convolution needs no patches (often no copy)
    view = xp.lib.stride_tricks.as_strided(xpad, shape=shape, strides=strides)
    out = _scratch(xp, shape, xpad.dtype, "im2col")
    xp.copyto(out, view)
    return out.reshape(rows, cols)


# A patch matrix far bigger than the L2 cache makes the GEMM that reads it run from memory
# (LeNet's conv2: 40 MB, the GEMM ~1.4x slower than on 1 MB blocks). Under numpy with a
# single-threaded BLAS the batch is therefore cut into blocks of about _PATCH_BLOCK_BYTES of
# patches, each copied and multiplied while it is still in cache. Whole images per block: the
# loop runs a few dozen times, not per pixel. A multi-threaded BLAS wakes its workers on every
# call, and dozens of small calls are several times slower than one big one on a busy
# machine, so there the blocks are only kept under _PATCH_BLOCK_BYTES_THREADED (which also
# keeps them in the reusable scratch buffer).
_PATCH_BLOCK_BYTES = 1 << 20
_PATCH_BLOCK_BYTES_THREADED = 32 << 20
_BLAS_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "MKL_NUM_THREADS",
                     "OMP_NUM_THREADS")


@functools.lru_cache(maxsize=None)
def _blas_single_threaded():
    """Whether numpy's BLAS runs on one thread, judged (once) from the environment variables
    BLAS libraries read when they load and, failing those, the number of usable CPUs."""
    for var in _BLAS_THREAD_VARS:
        try:
            threads = int(os.environ.get(var, ""))
        except ValueError:
            continue
        if threads > 0:
            return threads == 1
    try:
        return len(os.sched_getaffinity(0)) == 1
    except (AttributeError, OSError):
        return (os.cpu_count() or 1) == 1


def _images_per_block(xp, n, per_image_bytes):
    """How many of ``n`` images one block of scratch work covers (see _PATCH_BLOCK_BYTES)."""
    if not _is_numpy(xp):
        return max(n, 1)
    budget = _PATCH_BLOCK_BYTES if _blas_single_threaded() else _PATCH_BLOCK_BYTES_THREADED
    return max(1, min(n, budget // max(per_image_bytes, 1)))


def _patch_blocks(xp, xpad, kh, kw, g, cnhw):
    """Yields ``(b0, b1, cols)``: the patch matrix (see _im2col) of images ``b0:b1``.

    ``cols`` lives in scratch space and is only valid until the next block is requested.
    """
    n = xpad.shape[1] if cnhw else xpad.shape[0]
    c = xpad.shape[0] if cnhw else xpad.shape[3]
    step = n
    if not kh == kw == g.sh == g.sw == 1:
        step = _images_per_block(xp, n, g.oh * g.ow * kh * kw * c * xpad.dtype.itemsize)
    for b0 in range(0, n, step):
        b1 = min(n, b0 + step)
        if step < n:
            block = xpad[:, b0:b1] if cnhw else xpad[b0:b1]
        else:
            block = xpad
        yield b0, b1, _im2col(xp, block, kh, kw, g, cnhw)


def _correlate(xp, x, nchw, w2, kh, kw, g, n, epilogue=None):
    """``[n*oh*ow, out]`` GEMM result of correlating ``x`` with ``w2 = [kh*kw*c, out]``.

    ``x`` is the unpadded input in its ``data_format`` layout; ``g`` gives the padding and
    output size. The rows are in NHWC order whatever the layout used for the patches.
    ``epilogue(rows, b0, b1)``, when given, updates result rows (those of images ``b0:b1``)
    in place soon after their GEMM, while they are still in cache (a fused bias add,
    activation and pooling): once about _EPILOGUE_BYTES of rows are done, so that its own
    per-call cost is paid a few times, not once per image.
    """
    c = w2.shape[0] // (kh * kw) if kh * kw else 0
    cnhw = _use_cnhw(c, g.ow)
    xpad = _pad(xp, _layout(x, nchw, cnhw), g, 0, 2 if cnhw else 1)
    pixels = g.oh * g.ow
    y = xp.empty((n * pixels, w2.shape[1]), dtype=x.dtype)
    per_image = pixels * w2.shape[1] * y.dtype.itemsize
    pending = 0  # first image whose rows still wait for the epilogue
    for b0, b1, cols in _patch_blocks(xp, xpad, kh, kw, g, cnhw):
        xp.matmul(cols.T if cnhw else cols, w2, out=y[b0 * pixels:b1 * pixels])
        if epilogue is not None and ((b1 - pending) * per_image >= _EPILOGUE_BYTES
                                     or b1 == n):
            epilogue(y[pending * pixels:b1 * pixels], pending, b1)
            pending = b1
    return y


# How many bytes of convolution output _correlate lets pile up (in the L2 cache) before it
# runs a fused epilogue on them.
_EPILOGUE_BYTES = 512 << 10


def _correlate_rows(xp, x, nchw, w, g, n):
    """Stride-1 correlation of ``x`` with ``w = [kh, kw, c, out]``, one window row at a time.

    The patches span a single window row (``kw*c`` values, one contiguous run in NHWC) at
    every padded input row; one GEMM against the filter laid out ``[kw*c, kh*out]`` gives
    every kernel row's share at every padded row, and ``kh`` shifted adds sum them into the
    ``[n, oh, ow, out]`` result. That is ``(oh + (kh-1)*dh) / oh`` times im2col's
    multiply-adds, but a GEMM ``kh`` times wider and ``kh`` times fewer values copied: faster
    when ``out`` is narrow (a GEMM with few output columns runs well below peak).
    """
    kh, kw, c, cout = w.shape
    xpad = _pad(xp, _nhwc(x, nchw), g)
    hp = xpad.shape[1]
    w2 = xp.ascontiguousarray(w.transpose(1, 2, 0, 3)).reshape(kw * c, kh * cout)
    rows_geometry = _Geometry(hp, g.ow, 1, 1, 1, g.dw, 0, 0, 0, 0)
    y = xp.empty((n, g.oh, g.ow, cout), dtype=x.dtype)
    per_image = hp * g.ow * (kw * c + kh * cout) * x.dtype.itemsize
    step = _images_per_block(xp, n, per_image)
    for b0 in range(0, n, step):
        b1 = min(n, b0 + step)
        cols = _im2col(xp, xpad[b0:b1], 1, kw, rows_geometry, False)
        part = _scratch(xp, (b1 - b0, hp, g.ow, kh, cout), x.dtype, "rows")
        xp.matmul(cols, w2, out=part.reshape(-1, kh * cout))
        out = y[b0:b1]
        xp.add(part[:, 0:g.oh, :, 0], part[:, g.dh:g.dh + g.oh, :, 1], out=out)
        for i in range(2, kh):
            out += part[:, i * g.dh:i * g.dh + g.oh, :, i]
    return y


def _rows_pay(c, cout, kh, dh, oh, ow):
    """Whether _correlate_rows should beat im2col (LeNet conv2 input gradient: ~1.15x faster)."""
    extra = (kh - 1) * dh
    return kh > 1 and cout < 64 and 2 * extra <= oh and not _use_cnhw(c, ow)


def _is_numpy(xp):
    return getattr(xp, "__name__", "") == "numpy"


def _input_sizes(sizes, nchw, op, batch, depth):
    """NHWC input shape from a 4-element (data_format order) or 2-element (h, w) size list."""
    sizes = [int(s) for s in (sizes.tolist() if hasattr(sizes, "tolist") else sizes)]
    if len(sizes) == 4:
        return _shape_nhwc(sizes, nchw)
    if len(sizes) == 2:
        return (batch, sizes[0], sizes[1], depth)
    raise ValueError(f"{op}: expected input_sizes with 4 (or 2 spatial) elements, got {sizes}")


def _check_dy(dy, expected, nchw, op):
    got = _shape_nhwc(dy.shape, nchw) if dy.ndim == 4 else tuple(dy.shape)
    if got != tuple(expected):
        want = (expected[0], expected[3], expected[1], expected[2]) if nchw else expected
        raise ValueError(f"{op}: expected out_backprop of shape {list(want)}, "
                         f"got {list(dy.shape)}")


# --------------------------------------------------------------------------------------------
# Convolution
# --------------------------------------------------------------------------------------------

def conv2d(xp, x, w, strides, padding, dilations=(1, 1, 1, 1), data_format="NHWC",
           epilogue=None):
    """2-D convolution (TF's ``Conv2D``; strictly a cross-correlation, like TF).

    Args:
        xp: Array module (numpy or cupy).
        x: Input, ``[batch, height, width, in]`` (NHWC) or ``[batch, in, height, width]``.
        w: Filter, ``[kh, kw, in, out]``, same dtype as ``x``.
        strides: 4 ints in ``data_format`` order, 1 for batch and depth.
        padding: ``"SAME"`` or ``"VALID"``.
        dilations: 4 ints in ``data_format`` order, 1 for batch and depth.
        data_format: ``"NHWC"`` or ``"NCHW"``.
        epilogue: Optional ``f(rows, b0, b1)`` updating blocks of ``[pixels, out]`` output
            rows in place (see _correlate); used by conv2d_bias_activation.

    Returns:
        The output, ``[batch, out_h, out_w, out]`` (or NCHW), dtype of ``x``.

    Raises:
        ValueError: On bad ranks, mismatched depths or dtypes, bad attributes, or a negative
            output size.
    """
    op = "Conv2D"
    nchw = _is_nchw(data_format)
    _check_rank(x, 4, op, "input")
    _check_rank(w, 4, op, "filter")
    _check_same_dtype(x, w, op, "input", "filter")
    xh = _nhwc(x, nchw)
    n, h, wd, c = xh.shape
    kh, kw, cin, cout = w.shape
    if cin != c:
        raise ValueError(f"{op}: expected filter in_channels {c} (the input depth), got {cin} "
                         f"(filter shape {list(w.shape)})")
    g = _geometry(h, wd, kh, kw, strides, dilations, padding, nchw, op)
    if n * g.oh * g.ow * cout == 0:
        return _from_nhwc(xp, xp.zeros((n, g.oh, g.ow, cout), dtype=x.dtype), nchw)
    y = _correlate(xp, x, nchw, w.reshape(kh * kw * c, cout), kh, kw, g, n, epilogue)
    return _from_nhwc(xp, y.reshape(n, g.oh, g.ow, cout), nchw)


def conv2d_bias_activation(xp, x, w, bias, strides, padding, dilations=(1, 1, 1, 1),
                           data_format="NHWC", activation=None, pool=None):
    """``activation(bias_add(conv2d(x, w), bias))`` in one pass (TF's ``_FusedConv2D``).

    The bias add, the activation (``"Relu"`` or None) and, with ``pool``, a max pooling of
    the result run on each block of the convolution's output right after its GEMM, while it
    is in cache, instead of as more passes over memory. Every value is computed by the same
    float operations as the separate kernels, so the results are bitwise the same.

    Args:
        pool: None, or ``(ksize, strides, padding)`` of a max pooling of the activation, in
            ``data_format`` order.

    Returns:
        The activation; with ``pool``, a tuple (activation, pooled activation).

    Raises:
        ValueError: As conv2d and max_pool, or if ``bias`` is not 1-D with one entry per
            output channel, of ``x``'s dtype.
    """
    cout = w.shape[-1] if w.ndim == 4 else None
    if bias.ndim != 1 or bias.shape[0] != cout or bias.dtype != x.dtype:
        raise ValueError(f"_FusedConv2D: expected bias of shape [{cout}] and dtype {x.dtype}, "
                         f"got {list(bias.shape)} {bias.dtype}")
    if activation not in (None, "Relu"):
        raise ValueError(f"_FusedConv2D: unsupported activation {activation!r}")
    nchw = _is_nchw(data_format)
    pooled = []
    if pool is not None:
        ksize, pool_strides, pool_padding = pool
        ksize, pool_strides = _shape_nhwc(ksize, nchw), _shape_nhwc(pool_strides, nchw)
        if x.ndim == 4 and w.ndim == 4:
            _, h, wd, _ = _nhwc(x, nchw).shape
            g = _geometry(h, wd, w.shape[0], w.shape[1], strides, dilations, padding, nchw,
                          "Conv2D")

    tiled = []

    def epilogue(rows, b0, b1):
        # The bias tiled over one image's pixels: an add along long contiguous rows, not
        # a broadcast of a short channel vector (as the bias_add kernel does).
        per_image = rows.reshape(b1 - b0, -1)
        if not tiled:
            tiled.append(xp.tile(bias, per_image.shape[1] // max(cout, 1)))
        xp.add(per_image, tiled[0], out=per_image)
        if activation == "Relu":
            xp.maximum(rows, 0, out=rows)
        if pool is not None:
            block = max_pool(xp, rows.reshape(b1 - b0, g.oh, g.ow, cout), ksize,
                             pool_strides, pool_padding)
            if not pooled:
                pooled.append(xp.empty((x.shape[0],) + block.shape[1:], dtype=block.dtype))
            pooled[0][b0:b1] = block
    y = conv2d(xp, x, w, strides, padding, dilations, data_format, epilogue=epilogue)
    if pool is None:
        return y
    if not pooled:   # an empty output: no block was computed
        return y, max_pool(xp, y, _from_shape_nhwc(ksize, nchw),
                           _from_shape_nhwc(pool_strides, nchw), pool_padding, data_format)
    return y, _from_nhwc(xp, pooled[0], nchw)


def _from_shape_nhwc(shape, nchw):
    return (shape[0], shape[3], shape[1], shape[2]) if nchw else tuple(shape)


def conv2d_backprop_input(xp, input_sizes, w, dy, strides, padding, dilations=(1, 1, 1, 1),
                          data_format="NHWC"):
    """Gradient of conv2d with respect to its input (TF's ``Conv2DBackpropInput``).

    This is also ``conv2d_transpose``: TF builds that op from this kernel.

    Args:
        xp: Array module (numpy or cupy).
        input_sizes: Shape of the convolution input, 4 ints in ``data_format`` order (or 2
            ints, height and width, with batch from ``dy`` and depth from ``w``).
        w: Filter, ``[kh, kw, in, out]``.
        dy: Gradient of the convolution output, same layout and dtype as the output.
        strides: As for conv2d.
        padding: As for conv2d.
        dilations: As for conv2d.
        data_format: As for conv2d.

    Returns:
        The input gradient, shaped ``input_sizes``, dtype of ``dy``.

    Raises:
        ValueError: If the shapes of ``w`` and ``dy`` do not fit ``input_sizes``.
    """
    op = "Conv2DBackpropInput"
    nchw = _is_nchw(data_format)
    _check_rank(w, 4, op, "filter")
    _check_rank(dy, 4, op, "out_backprop")
    _check_same_dtype(dy, w, op, "out_backprop", "filter")
    kh, kw, cin, cout = w.shape
    n, h, wd, c = _input_sizes(input_sizes, nchw, op, dy.shape[0], cin)
    if cin != c:
        raise ValueError(f"{op}: expected filter in_channels {c} (the input depth), got {cin}")
    g = _geometry(h, wd, kh, kw, strides, dilations, padding, nchw, op)
    _check_dy(dy, (n, g.oh, g.ow, cout), nchw, op)
    if n * g.oh * g.ow == 0:
        return _from_nhwc(xp, xp.zeros((n, h, wd, c), dtype=dy.dtype), nchw)
    hp, wp = h + g.pt + g.pb, wd + g.pl + g.pr
    cnhw = _use_cnhw(c, g.ow)
    if not cnhw and g.sh == g.sw == 1:
        # Stride 1: the input gradient is dy, padded so that every input pixel sees the
        # whole (dilated) window, correlated with the flipped filter with in and out swapped.
        # One im2col and one GEMM instead of a slice-add per tap.
        top = (kh - 1) * g.dh - g.pt
        left = (kw - 1) * g.dw - g.pl
        gt = _Geometry(h, wd, 1, 1, g.dh, g.dw, top, h - g.oh + g.pt, left, wd - g.ow + g.pl)
        wt = w[::-1, ::-1].transpose(0, 1, 3, 2)
        if _rows_pay(cout, c, kh, g.dh, h, wd):
            dx = _correlate_rows(xp, dy, nchw, wt, gt, n)
        else:
            wt = xp.ascontiguousarray(wt).reshape(kh * kw * cout, c)
            dx = _correlate(xp, dy, nchw, wt, kh, kw, gt, n)
        return _from_nhwc(xp, dx.reshape(n, h, wd, c), nchw)
    dy2 = _nhwc(dy, nchw).reshape(n * g.oh * g.ow, cout)
    if cnhw:
        # One GEMM to [kh*kw*c, pixels], then col2im with runs of ow along the rows.
        dcols = _scratch(xp, (kh * kw * c, n * g.oh * g.ow), dy.dtype, "im2col")
        xp.matmul(w.reshape(kh * kw * c, cout), dy2.T, out=dcols)
        dcols = dcols.reshape(kh, kw, c, n, g.oh, g.ow)
        dxp = xp.zeros((c, n, hp, wp), dtype=dy.dtype)
        for i in range(kh):
            for j in range(kw):
                _tap(dxp, i, j, g, 2)[...] += dcols[i, j]
        return _from_cnhw(xp, dxp[:, :, g.pt:g.pt + h, g.pl:g.pl + wd], nchw)
    # One GEMM per tap, [pixels, out] x [out, in], each result added straight into its
    # strided slice: a [pixels, kh*kw*c] matrix would be added back in runs of only c.
    dxp = xp.zeros((n, hp, wp, c), dtype=dy.dtype)
    part = _scratch(xp, (n * g.oh * g.ow, c), dy.dtype, "tap")
    for i in range(kh):
        for j in range(kw):
            xp.matmul(dy2, w[i, j].T, out=part)
            _tap(dxp, i, j, g)[...] += part.reshape(n, g.oh, g.ow, c)
    return _from_nhwc(xp, _crop(xp, dxp, g, h, wd), nchw)


def conv2d_backprop_filter(xp, x, filter_sizes, dy, strides, padding, dilations=(1, 1, 1, 1),
                           data_format="NHWC"):
    """Gradient of conv2d with respect to its filter (TF's ``Conv2DBackpropFilter``).

    Args:
        xp: Array module (numpy or cupy).
        x: The convolution input.
        filter_sizes: Filter shape, 4 ints ``[kh, kw, in, out]``.
        dy: Gradient of the convolution output.
        strides: As for conv2d.
        padding: As for conv2d.
        dilations: As for conv2d.
        data_format: As for conv2d.

    Returns:
        The filter gradient, ``[kh, kw, in, out]``, dtype of ``x``.

    Raises:
        ValueError: If the shapes of ``x`` and ``dy`` do not fit ``filter_sizes``.
    """
    op = "Conv2DBackpropFilter"
    nchw = _is_nchw(data_format)
    _check_rank(x, 4, op, "input")
    _check_rank(dy, 4, op, "out_backprop")
    _check_same_dtype(x, dy, op, "input", "out_backprop")
    fs = [int(s) for s in (filter_sizes.tolist() if hasattr(filter_sizes, "tolist")
                           else filter_sizes)]
    if len(fs) != 4:
        raise ValueError(f"{op}: expected filter_sizes with 4 elements, got {fs}")
    kh, kw, cin, cout = fs
    xh = _nhwc(x, nchw)
    n, h, wd, c = xh.shape
    if cin != c:
        raise ValueError(f"{op}: expected filter in_channels {c} (the input depth), got {cin}")
    g = _geometry(h, wd, kh, kw, strides, dilations, padding, nchw, op)
    _check_dy(dy, (n, g.oh, g.ow, cout), nchw, op)
    if n * g.oh * g.ow == 0:
        return xp.zeros((kh, kw, cin, cout), dtype=x.dtype)
    cnhw = _use_cnhw(c, g.ow)
    xpad = _pad(xp, _layout(x, nchw, cnhw), g, 0, 2 if cnhw else 1)
    dy2 = _nhwc(dy, nchw).reshape(n * g.oh * g.ow, cout)
    pixels = g.oh * g.ow
    dw = part = None
    for b0, b1, cols in _patch_blocks(xp, xpad, kh, kw, g, cnhw):
        dy_block = dy2[b0 * pixels:b1 * pixels]
        if dw is None:
            dw = xp.matmul(cols if cnhw else cols.T, dy_block)
        else:
            if part is None:
                part = _scratch(xp, dw.shape, dw.dtype, "part")
            xp.matmul(cols if cnhw else cols.T, dy_block, out=part)
            dw += part
    return dw.reshape(kh, kw, cin, cout)


def _depthwise_setup(op, x_shape_nhwc, w_shape, strides, padding, dilations, nchw):
    n, h, wd, c = x_shape_nhwc
    kh, kw, cin, mult = w_shape
    if cin != c:
        raise ValueError(f"{op}: expected filter in_channels {c} (the input depth), got {cin} "
                         f"(filter shape {list(w_shape)})")
    return _geometry(h, wd, kh, kw, strides, dilations, padding, nchw, op)


def depthwise_conv2d_native(xp, x, w, strides, padding, dilations=(1, 1, 1, 1),
                            data_format="NHWC"):
    """Depthwise 2-D convolution (TF's ``DepthwiseConv2dNative``).

    Output channel ``c * multiplier + m`` is input channel ``c`` correlated with
    ``w[:, :, c, m]``.

    Args:
        xp: Array module (numpy or cupy).
        x: Input, NHWC or NCHW.
        w: Filter, ``[kh, kw, in, multiplier]``, same dtype as ``x``.
        strides: As for conv2d.
        padding: As for conv2d.
        dilations: As for conv2d.
        data_format: As for conv2d.

    Returns:
        The output with ``in * multiplier`` channels, dtype of ``x``.

    Raises:
        ValueError: On bad ranks, mismatched depths or dtypes, or bad attributes.
    """
    op = "DepthwiseConv2dNative"
    nchw = _is_nchw(data_format)
    _check_rank(x, 4, op, "input")
    _check_rank(w, 4, op, "filter")
    _check_same_dtype(x, w, op, "input", "filter")
    xh = _nhwc(x, nchw)
    n, h, wd, c = xh.shape
    kh, kw, _, mult = w.shape
    g = _depthwise_setup(op, xh.shape, w.shape, strides, padding, dilations, nchw)
    out = xp.zeros((n, g.oh, g.ow, c, mult), dtype=x.dtype)
    if out.size:
        xpad = _pad(xp, xh, g)
        for i in range(kh):
            for j in range(kw):
                out += _tap(xpad, i, j, g)[..., None] * w[i, j]
    return _from_nhwc(xp, out.reshape(n, g.oh, g.ow, c * mult), nchw)


def depthwise_conv2d_native_backprop_input(xp, input_sizes, w, dy, strides, padding,
                                           dilations=(1, 1, 1, 1), data_format="NHWC"):
    """Gradient of depthwise_conv2d_native with respect to its input.

    Args:
        xp: Array module (numpy or cupy).
        input_sizes: Input shape, 4 ints in ``data_format`` order.
        w: Filter, ``[kh, kw, in, multiplier]``.
        dy: Gradient of the output.
        strides: As for conv2d.
        padding: As for conv2d.
        dilations: As for conv2d.
        data_format: As for conv2d.

    Returns:
        The input gradient, shaped ``input_sizes``.

    Raises:
        ValueError: If the shapes do not fit.
    """
    op = "DepthwiseConv2dNativeBackpropInput"
    nchw = _is_nchw(data_format)
    _check_rank(w, 4, op, "filter")
    _check_rank(dy, 4, op, "out_backprop")
    _check_same_dtype(dy, w, op, "out_backprop", "filter")
    kh, kw, cin, mult = w.shape
    n, h, wd, c = _input_sizes(input_sizes, nchw, op, dy.shape[0], cin)
    g = _depthwise_setup(op, (n, h, wd, c), w.shape, strides, padding, dilations, nchw)
    _check_dy(dy, (n, g.oh, g.ow, c * mult), nchw, op)
    dxp = xp.zeros((n, h + g.pt + g.pb, wd + g.pl + g.pr, c), dtype=dy.dtype)
    if n * g.oh * g.ow:
        dyr = _nhwc(dy, nchw).reshape(n, g.oh, g.ow, c, mult)
        for i in range(kh):
            for j in range(kw):
                _tap(dxp, i, j, g)[...] += xp.einsum("nhwcm,cm->nhwc", dyr, w[i, j])
    return _from_nhwc(xp, _crop(xp, dxp, g, h, wd), nchw)


def depthwise_conv2d_native_backprop_filter(xp, x, filter_sizes, dy, strides, padding,
                                            dilations=(1, 1, 1, 1), data_format="NHWC"):
    """Gradient of depthwise_conv2d_native with respect to its filter.

    Args:
        xp: Array module (numpy or cupy).
        x: The convolution input.
        filter_sizes: Filter shape, 4 ints ``[kh, kw, in, multiplier]``.
        dy: Gradient of the output.
        strides: As for conv2d.
        padding: As for conv2d.
        dilations: As for conv2d.
        data_format: As for conv2d.

    Returns:
        The filter gradient, ``[kh, kw, in, multiplier]``.

    Raises:
        ValueError: If the shapes do not fit.
    """
    op = "DepthwiseConv2dNativeBackpropFilter"
    nchw = _is_nchw(data_format)
    _check_rank(x, 4, op, "input")
    _check_rank(dy, 4, op, "out_backprop")
    _check_same_dtype(x, dy, op, "input", "out_backprop")
    fs = tuple(int(s) for s in (filter_sizes.tolist() if hasattr(filter_sizes, "tolist")
                                else filter_sizes))
    if len(fs) != 4:
        raise ValueError(f"{op}: expected filter_sizes with 4 elements, got {list(fs)}")
    kh, kw, cin, mult = fs
    xh = _nhwc(x, nchw)
    n, h, wd, c = xh.shape
    g = _depthwise_setup(op, xh.shape, fs, strides, padding, dilations, nchw)
    _check_dy(dy, (n, g.oh, g.ow, c * mult), nchw, op)
    dw = xp.zeros(fs, dtype=x.dtype)
    if n * g.oh * g.ow:
        xpad = _pad(xp, xh, g)
        dyr = _nhwc(dy, nchw).reshape(n, g.oh, g.ow, c, mult)
        for i in range(kh):
            for j in range(kw):
                dw[i, j] = xp.einsum("nhwc,nhwcm->cm", _tap(xpad, i, j, g), dyr)
    return dw


# --------------------------------------------------------------------------------------------
# Pooling
# --------------------------------------------------------------------------------------------

def _pool_setup(op, x_shape, ksize, strides, padding, data_format):
    """Checks a pooling input shape; returns (hw, (n, h, w, c), kh, kw, geometry).

    Pooling treats every channel alike, so it runs in the caller's layout: ``hw`` is the
    index of the height axis (1 for NHWC, 2 for NCHW) and nothing is transposed.
    """
    nchw = _is_nchw(data_format)
    if len(x_shape) != 4:
        raise ValueError(f"{op}: expected an input of rank 4, got shape {list(x_shape)}")
    kh, kw = _spatial(ksize, "ksize", nchw, op)
    shape = _shape_nhwc(tuple(x_shape), nchw)
    g = _geometry(shape[1], shape[2], kh, kw, strides, None, padding, nchw, op)
    return (2 if nchw else 1), shape, kh, kw, g


def _out_shape(shape_nhwc, g, hw):
    n, _, _, c = shape_nhwc
    return (n, c, g.oh, g.ow) if hw == 2 else (n, g.oh, g.ow, c)


def _tiles(g, kh, kw):
    """True when the windows tile the input: no padding, no overlap, no gaps between them."""
    return kh == g.sh and kw == g.sw and not (g.pt or g.pb or g.pl or g.pr)


def _covers(g, kh, kw, h, w):
    """True when tiling windows also leave no leftover rows or columns."""
    return g.oh * kh == h and g.ow * kw == w


def _windows(a, g, kh, kw, hw):
    """For tiling windows: a view of ``a`` with its spatial axes split into (oh, kh, ow, kw)."""
    v = a[(slice(None),) * hw + (slice(0, g.oh * kh), slice(0, g.ow * kw))]
    return v.reshape(a.shape[:hw] + (g.oh, kh, g.ow, kw) + a.shape[hw + 2:])


def _window_tap(v, i, j, hw):
    """Tap (i, j) of a _windows view: the window element (i, j) for every output."""
    return v[(slice(None),) * hw + (slice(None), i, slice(None), j)]


def _tiled(a, g, kh, kw, hw):
    """Tap getter for the tiling case: a view of ``a`` split into (oh, kh) and (ow, kw)."""
    v = _windows(a, g, kh, kw, hw)
    return lambda i, j: _window_tap(v, i, j, hw)


def max_pool(xp, x, ksize, strides, padding, data_format="NHWC"):
    """Max pooling (TF's ``MaxPool``); padded positions count as ``-inf``.

    Args:
        xp: Array module (numpy or cupy).
        x: Input, 4-D NHWC or NCHW.
        ksize: Window, 4 ints in ``data_format`` order, 1 for batch and depth.
        strides: 4 ints in ``data_format`` order, 1 for batch and depth.
        padding: ``"SAME"`` or ``"VALID"``.
        data_format: ``"NHWC"`` or ``"NCHW"``.

    Returns:
        The pooled tensor, dtype of ``x``.

    Raises:
        ValueError: On a bad rank or attribute.
    """
    hw, shape, kh, kw, g = _pool_setup("MaxPool", x.shape, ksize, strides, padding,
                                       data_format)
    out_shape = _out_shape(shape, g, hw)
    if 0 in out_shape:
        return xp.zeros(out_shape, dtype=x.dtype)
    if _tiles(g, kh, kw) and kh * kw > 1:
        # Disjoint windows: reduce over the window rows first (whole contiguous image rows),
        # then over the columns, instead of kh*kw strided passes over the output; block by
        # block, so that the row maxima are still in cache when the columns are reduced.
        y = xp.empty(out_shape, dtype=x.dtype)
        lead, col = (slice(None),) * (hw + 1), (slice(None),) * (hw + 2)
        for xi, yi, gb in _pool_blocks(xp, x, g, kh, hw):
            v = _windows(x[xi], gb, kh, kw, hw)
            rows = _scratch(xp, v.shape[:hw + 1] + v.shape[hw + 2:], x.dtype, "pool_rows")
            _max_into(xp, [v[lead + (i,)] for i in range(kh)], rows)
            _max_into(xp, [rows[col + (j,)] for j in range(kw)], y[yi])
        return y
    if g.pt or g.pb or g.pl or g.pr:
        return _max_pool_unpadded(xp, x, kh, kw, g, hw, out_shape)
    return _max_pool(xp, x, kh, kw, g, hw)


# Under numpy, tiling max pooling and its gradient work through the input in blocks of about
# this many bytes, so that a block's intermediates (row maxima, the hit mask, the gradient
# being written) are still in cache when the next pass over the block reads them. On LeNet's
# 2x2 pools (one thread) MaxPool is ~20% faster than with whole-array passes; 128 KB blocks
# are slower (per-call overhead), 1 MB about the same.
_POOL_BLOCK_BYTES = 512 << 10


def _pool_blocks(xp, x, g, kh, hw):
    """Yields ``(x_index, y_index, geometry)`` for blocks of a tiling pooling's input ``x``.

    Blocks are runs of whole images or, for big images, runs of window rows (NHWC) or of
    channels (NCHW) of one image; ``geometry`` is ``g`` with ``oh`` set to the block's
    output rows. Under cupy there is one block, the whole array.
    """
    n = x.shape[0]
    units = g.oh if hw == 1 else x.shape[1]
    unit_bytes = x.dtype.itemsize * (kh * x.shape[2] * x.shape[3] if hw == 1 else
                                     x.shape[2] * x.shape[3])
    per_image = max(units * unit_bytes, 1)
    if not _is_numpy(xp) or n * per_image <= _POOL_BLOCK_BYTES:
        yield (slice(None),), (slice(None),), g
    elif per_image <= _POOL_BLOCK_BYTES:
        step = _POOL_BLOCK_BYTES // per_image
        for b0 in range(0, n, step):
            index = (slice(b0, min(n, b0 + step)),)
            yield index, index, g
    else:
        step = max(1, _POOL_BLOCK_BYTES // max(unit_bytes, 1))
        scale = kh if hw == 1 else 1
        for b in range(n):
            for u0 in range(0, units, step):
                u1 = min(units, u0 + step)
                yield ((slice(b, b + 1), slice(u0 * scale, u1 * scale)),
                       (slice(b, b + 1), slice(u0, u1)),
                       g._replace(oh=u1 - u0) if hw == 1 else g)


def _max_into(xp, parts, out):
    """Writes the elementwise maximum of equally shaped ``parts`` into ``out``, in order."""
    if len(parts) == 1:
        xp.copyto(out, parts[0])
        return
    xp.maximum(parts[0], parts[1], out=out)
    for p in parts[2:]:
        xp.maximum(out, p, out=out)


def _valid_outputs(t, stride, pad_before, out_size, in_size):
    """The outputs ``[o0, o1)`` whose window tap ``t`` falls inside the input (not padding)."""
    o0 = max(0, -((t - pad_before) // stride))
    o1 = min(out_size, (in_size - 1 + pad_before - t) // stride + 1)
    return o0, o1


def _max_pool_unpadded(xp, x, kh, kw, g, hw, out_shape):
    """_max_pool of the padded input, without making the padded copy of ``x``."""
    # The output starts at the pad value and each tap updates only the outputs it sees inside
    # x: the values of _max_pool (a skipped tap would compute maximum(out, pad) == out, in
    # the same order), one pass over a copy of x fewer (5-15% on a 3x3/2 SAME pool).
    h, w = x.shape[hw], x.shape[hw + 1]
    out = xp.full(out_shape, _pad_value(xp, x.dtype), dtype=x.dtype)
    lead = (slice(None),) * hw
    for i in range(kh):
        r0, r1 = _valid_outputs(i, g.sh, g.pt, g.oh, h)
        for j in range(kw):
            c0, c1 = _valid_outputs(j, g.sw, g.pl, g.ow, w)
            if r0 >= r1 or c0 >= c1:
                continue
            top, left = r0 * g.sh - g.pt + i, c0 * g.sw - g.pl + j
            src = x[lead + (slice(top, top + (r1 - r0 - 1) * g.sh + 1, g.sh),
                            slice(left, left + (c1 - c0 - 1) * g.sw + 1, g.sw))]
            dst = out[lead + (slice(r0, r1), slice(c0, c1))]
            xp.maximum(dst, src, out=dst)
    return out


def _max_pool(xp, xpad, kh, kw, g, hw):
    out = None
    for i in range(kh):
        for j in range(kw):
            t = _tap(xpad, i, j, g, hw)
            out = t.copy() if out is None else xp.maximum(out, t, out=out)
    return out


def _first_max_masks(xp, tap, y, kh, kw):
    """Yields (i, j, mask): mask marks outputs whose first maximal window element is tap (i, j).

    ``tap(i, j)`` gives the window elements at tap (i, j) for every output. Taps are visited
    in row-major window order, so ties go to the first maximum, as in TF. A mask is only valid
    until the next one is requested.
    """
    last = kh * kw - 1
    taken = None
    for t in range(last + 1):
        i, j = divmod(t, kw)
        if taken is None:
            hit = tap(i, j) == y
        elif t == last:
            # Some tap holds the maximum; if none before this one did, this one does.
            hit = xp.logical_not(taken)
        else:
            hit = tap(i, j) == y
            xp.logical_and(hit, xp.logical_not(taken), out=hit)
        yield i, j, hit
        if taken is None:
            taken = hit  # the caller is done with it: safe to grow in place
        elif t < last:
            xp.logical_or(taken, hit, out=taken)


def _first_hits(xp, hit, kh, kw, hw):
    """Keeps, in the _windows-shaped bool mask ``hit``, only each window's first True.

    Row-major window order, as TF breaks ties. A window with no True at all (a NaN maximum)
    gets its last element, like _first_max_masks.
    """
    last = kh * kw - 1
    taken = None
    for t in range(1, last + 1):
        i, j = divmod(t, kw)
        tap = _window_tap(hit, i, j, hw)
        if taken is None:
            taken = _window_tap(hit, 0, 0, hw).copy()
        if t == last:
            xp.logical_not(taken, out=tap)
        else:
            xp.greater(tap, taken, out=tap)  # tap and not taken
            xp.logical_or(taken, tap, out=taken)


def _check_pool_out(op, arrays, expected):
    for name, arr in arrays:
        if tuple(arr.shape) != tuple(expected):
            raise ValueError(f"{op}: expected {name} of shape {list(expected)}, "
                             f"got {list(arr.shape)}")


def max_pool_grad(xp, x, y, dy, ksize, strides, padding, data_format="NHWC"):
    """Gradient of max_pool (TF's ``MaxPoolGrad``).

    Each output's gradient goes to the maximal element of its window; on ties, to the first
    maximum in row-major window order. Overlapping windows accumulate.

    Args:
        xp: Array module (numpy or cupy).
        x: The pooling input.
        y: The pooling output, ``max_pool(x, ...)``.
        dy: Gradient of the output.
        ksize: As for max_pool.
        strides: As for max_pool.
        padding: As for max_pool.
        data_format: As for max_pool.

    Returns:
        The input gradient, shaped like ``x``, dtype of ``dy``.

    Raises:
        ValueError: On bad shapes or attributes.
    """
    op = "MaxPoolGrad"
    hw, shape, kh, kw, g = _pool_setup(op, x.shape, ksize, strides, padding, data_format)
    out_shape = _out_shape(shape, g, hw)
    _check_pool_out(op, (("orig_output", y), ("grad", dy)), out_shape)
    if 0 in out_shape:
        return xp.zeros(x.shape, dtype=dy.dtype)
    h, wd = shape[1], shape[2]
    if _tiles(g, kh, kw):
        # Disjoint windows, block by block (see _pool_blocks): one comparison of every input
        # with its window's maximum, ties after the first maximum cleared tap by tap in the
        # (small) mask, the mask written into dx as 0/1 and multiplied in place by dy: the
        # values of ``dy * mask``, ~10% faster than numpy's mixed float * bool multiply (a
        # buffered casting loop) on LeNet's first pool.
        dx = (xp.empty if _covers(g, kh, kw, h, wd) else xp.zeros)(x.shape, dtype=dy.dtype)
        for xi, yi, gb in _pool_blocks(xp, x, g, kh, hw):
            yb, dyb = y[yi], dy[yi]
            spread = yb.shape[:hw] + (gb.oh, 1, gb.ow, 1) + yb.shape[hw + 2:]  # y per window
            xw = _windows(x[xi], gb, kh, kw, hw)
            hit = _scratch(xp, xw.shape, bool, "pool_hit")
            xp.equal(xw, yb.reshape(spread), out=hit)
            _first_hits(xp, hit, kh, kw, hw)
            dxw = _windows(dx[xi], gb, kh, kw, hw)
            xp.copyto(dxw, hit)
            xp.multiply(dyb.reshape(spread), dxw, out=dxw)
        return dx
    xpad = _pad(xp, x, g, _pad_value(xp, x.dtype), hw)
    dxp = xp.zeros(xpad.shape, dtype=dy.dtype)
    for i, j, hit in _first_max_masks(xp, lambda i, j: _tap(xpad, i, j, g, hw), y, kh, kw):
        _tap(dxp, i, j, g, hw)[...] += dy * hit
    return _crop(xp, dxp, g, h, wd, hw)


def max_pool_with_argmax(xp, x, ksize, strides, padding, include_batch_in_index=False):
    """Max pooling that also returns where each maximum came from (TF's ``MaxPoolWithArgmax``).

    NHWC only, like TF. The index of input element ``[b, y, x, c]`` is
    ``((b * height + y) * width + x) * channels + c``, with the ``b`` term dropped unless
    ``include_batch_in_index``. Ties resolve to the first maximum in row-major window order.

    Args:
        xp: Array module (numpy or cupy).
        x: Input, NHWC.
        ksize: Window, 4 ints NHWC order.
        strides: 4 ints NHWC order.
        padding: ``"SAME"`` or ``"VALID"``.
        include_batch_in_index: Whether the flattened index includes the batch.

    Returns:
        ``(output, argmax)``; ``argmax`` is int64 and shaped like ``output``.

    Raises:
        ValueError: On a bad rank or attribute.
    """
    op = "MaxPoolWithArgmax"
    _, (n, h, wd, c), kh, kw, g = _pool_setup(op, x.shape, ksize, strides, padding, "NHWC")
    if n * g.oh * g.ow * c == 0:
        shape = (n, g.oh, g.ow, c)
        return xp.zeros(shape, dtype=x.dtype), xp.zeros(shape, dtype=xp.int64)
    xpad = _pad(xp, x, g, _pad_value(xp, x.dtype))
    y = _max_pool(xp, xpad, kh, kw, g, 1)
    tap_index = xp.zeros(y.shape, dtype=xp.int64)
    for i, j, hit in _first_max_masks(xp, lambda i, j: _tap(xpad, i, j, g), y, kh, kw):
        if i or j:
            tap_index += hit * (i * kw + j)
    rows = (xp.arange(g.oh, dtype=xp.int64) * g.sh - g.pt)[:, None, None]
    cols = (xp.arange(g.ow, dtype=xp.int64) * g.sw - g.pl)[None, :, None]
    yy = rows + tap_index // kw
    xx = cols + tap_index % kw
    argmax = (yy * wd + xx) * c + xp.arange(c, dtype=xp.int64)
    if include_batch_in_index:
        argmax += (xp.arange(n, dtype=xp.int64) * (h * wd * c))[:, None, None, None]
    return y, argmax


def max_pool_grad_with_argmax(xp, x, dy, argmax, include_batch_in_index=False):
    """Gradient of max_pool_with_argmax (TF's ``MaxPoolGradWithArgmax``).

    Args:
        xp: Array module (numpy or cupy).
        x: The pooling input (only its shape and dtype are used).
        dy: Gradient of the pooled output.
        argmax: The ``argmax`` output of max_pool_with_argmax.
        include_batch_in_index: As passed to max_pool_with_argmax.

    Returns:
        The input gradient, shaped like ``x``, dtype of ``dy``.

    Raises:
        ValueError: If ``dy`` and ``argmax`` differ in shape.
    """
    op = "MaxPoolGradWithArgmax"
    _check_rank(x, 4, op, "input")
    if dy.shape != argmax.shape:
        raise ValueError(f"{op}: expected argmax of shape {list(dy.shape)} (the shape of grad), "
                         f"got {list(argmax.shape)}")
    n = x.shape[0]
    per_image = x.shape[1] * x.shape[2] * x.shape[3]
    idx = argmax.astype(xp.int64, copy=False)
    if not include_batch_in_index:
        idx = idx + (xp.arange(n, dtype=xp.int64) * per_image).reshape(-1, 1, 1, 1)
    # bincount accumulates in float64; duplicates (overlapping windows) sum exactly there.
    dx = xp.bincount(idx.ravel(), weights=dy.ravel(), minlength=n * per_image)
    return dx.astype(dy.dtype, copy=False).reshape(x.shape)


def _valid_counts(xp, in_size, k, stride, pad_before, out_size, dtype):
    starts = xp.arange(out_size) * stride - pad_before
    return (xp.minimum(starts + k, in_size) - xp.maximum(starts, 0)).astype(dtype)


def _avg_divisor(xp, h, wd, kh, kw, g, dtype, hw):
    """Count of real (unpadded) elements in each window, shaped to broadcast over outputs."""
    rows = _valid_counts(xp, h, kh, g.sh, g.pt, g.oh, dtype)
    cols = _valid_counts(xp, wd, kw, g.sw, g.pl, g.ow, dtype)
    counts = rows[:, None] * cols[None, :]
    return counts if hw == 2 else counts[:, :, None]


def avg_pool(xp, x, ksize, strides, padding, data_format="NHWC"):
    """Average pooling (TF's ``AvgPool``).

    With ``"SAME"`` padding each window is divided by the number of real (unpadded) elements
    it covers, as TF does, not by the window size.

    Args:
        xp: Array module (numpy or cupy).
        x: Input, 4-D NHWC or NCHW, floating point.
        ksize: Window, 4 ints in ``data_format`` order, 1 for batch and depth.
        strides: 4 ints in ``data_format`` order, 1 for batch and depth.
        padding: ``"SAME"`` or ``"VALID"``.
        data_format: ``"NHWC"`` or ``"NCHW"``.

    Returns:
        The pooled tensor, dtype of ``x``.

    Raises:
        ValueError: On a bad rank or attribute.
    """
    hw, (_, h, wd, _), kh, kw, g = _pool_setup("AvgPool", x.shape, ksize, strides, padding,
                                              data_format)
    out_shape = _out_shape(_shape_nhwc(x.shape, hw == 2), g, hw)
    if 0 in out_shape:
        return xp.zeros(out_shape, dtype=x.dtype)
    xpad = _pad(xp, x, g, 0, hw)
    out = None
    for i in range(kh):
        for j in range(kw):
            t = _tap(xpad, i, j, g, hw)
            out = t.copy() if out is None else xp.add(out, t, out=out)
    if g.pt or g.pb or g.pl or g.pr:
        out /= _avg_divisor(xp, h, wd, kh, kw, g, x.dtype, hw)
    else:
        out /= kh * kw
    return out


def avg_pool_grad(xp, orig_input_shape, dy, ksize, strides, padding, data_format="NHWC"):
    """Gradient of avg_pool (TF's ``AvgPoolGrad``).

    Args:
        xp: Array module (numpy or cupy).
        orig_input_shape: Shape of the pooling input, 4 ints in ``data_format`` order.
        dy: Gradient of the pooled output.
        ksize: As for avg_pool.
        strides: As for avg_pool.
        padding: As for avg_pool.
        data_format: As for avg_pool.

    Returns:
        The input gradient, shaped ``orig_input_shape``, dtype of ``dy``.

    Raises:
        ValueError: On bad shapes or attributes.
    """
    op = "AvgPoolGrad"
    shape = tuple(int(s) for s in (orig_input_shape.tolist()
                                   if hasattr(orig_input_shape, "tolist") else orig_input_shape))
    if len(shape) != 4:
        raise ValueError(f"{op}: expected orig_input_shape with 4 elements, got {list(shape)}")
    hw, (_, h, wd, _), kh, kw, g = _pool_setup(op, shape, ksize, strides, padding,
                                               data_format)
    out_shape = _out_shape(_shape_nhwc(shape, hw == 2), g, hw)
    _check_pool_out(op, (("grad", dy),), out_shape)
    if 0 in out_shape:
        return xp.zeros(shape, dtype=dy.dtype)
    if _tiles(g, kh, kw):
        dx = (xp.empty if _covers(g, kh, kw, h, wd) else xp.zeros)(shape, dtype=dy.dtype)
        share = dy / (kh * kw)
        dx_tap = _tiled(dx, g, kh, kw, hw)
        for i in range(kh):
            for j in range(kw):
                dx_tap(i, j)[...] = share
        return dx
    if g.pt or g.pb or g.pl or g.pr:
        share = dy / _avg_divisor(xp, h, wd, kh, kw, g, dy.dtype, hw)
    else:
        share = dy / (kh * kw)
    padded = list(shape)
    padded[hw] += g.pt + g.pb
    padded[hw + 1] += g.pl + g.pr
    dxp = xp.zeros(padded, dtype=dy.dtype)
    for i in range(kh):
        for j in range(kw):
            _tap(dxp, i, j, g, hw)[...] += share
    return _crop(xp, dxp, g, h, wd, hw)


# --------------------------------------------------------------------------------------------
# Bias, local response normalisation
# --------------------------------------------------------------------------------------------

def _channel_axis(ndim, data_format, op):
    if ndim < 2:
        raise ValueError(f"{op}: expected a tensor of rank at least 2, got rank {ndim}")
    return 1 if _is_nchw(data_format) else ndim - 1


def bias_add(xp, value, bias, data_format="NHWC"):
    """Adds a 1-D bias along the channel dimension (TF's ``BiasAdd``).

    Args:
        xp: Array module (numpy or cupy).
        value: Tensor of rank >= 2; channels last (``"NHWC"``) or in dimension 1 (``"NCHW"``).
        bias: 1-D, one entry per channel, same dtype as ``value``.
        data_format: ``"NHWC"`` or ``"NCHW"``.

    Returns:
        ``value + bias`` broadcast along the channel dimension.

    Raises:
        ValueError: If ``bias`` is not 1-D of the channel size, or dtypes differ.
    """
    op = "BiasAdd"
    axis = _channel_axis(value.ndim, data_format, op)
    _check_same_dtype(value, bias, op, "value", "bias")
    if bias.ndim != 1 or bias.shape[0] != value.shape[axis]:
        raise ValueError(f"{op}: expected bias of shape [{value.shape[axis]}] (the channel "
                         f"dimension of value {list(value.shape)}), got {list(bias.shape)}")
    if axis == value.ndim - 1 and value.ndim > 2 and value.shape[0] >= 4:
        # A bias tiled over one batch entry gives the add long contiguous rows to work on
        # (about 2x faster under numpy than broadcasting a short channel vector).
        per_entry = value.size // value.shape[0]
        tiled = xp.tile(bias, per_entry // max(bias.shape[0], 1))
        return (value.reshape(value.shape[0], per_entry) + tiled).reshape(value.shape)
    return value + bias.reshape((-1,) + (1,) * (value.ndim - 1 - axis))


def bias_add_grad(xp, dy, data_format="NHWC"):
    """Gradient of bias_add with respect to the bias (TF's ``BiasAddGrad``).

    Args:
        xp: Array module (numpy or cupy).
        dy: Gradient of the bias_add output.
        data_format: ``"NHWC"`` or ``"NCHW"``.

    Returns:
        1-D sum of ``dy`` over every dimension but the channel one, dtype of ``dy``.

    Raises:
        ValueError: If ``dy`` has rank below 2.
    """
    axis = _channel_axis(dy.ndim, data_format, "BiasAddGrad")
    if dy.size and dy.ndim > 2:
        # Two-stage sums over 2-D/3-D views, each along whole contiguous rows (or within
        # them): several times faster than one reduction over a strided axis.
        if axis == dy.ndim - 1:
            rows = dy.reshape(dy.shape[0], -1).sum(axis=0)
            return rows.reshape(-1, dy.shape[-1]).sum(axis=0)
        return dy.reshape(dy.shape[0], dy.shape[1], -1).sum(axis=2).sum(axis=0)
    return dy.sum(axis=tuple(a for a in range(dy.ndim) if a != axis))


def _depth_window_sum(xp, a, r):
    """Sum of ``a`` over channels ``[d - r, d + r]`` (clipped) for every channel ``d``."""
    depth = a.shape[-1]
    r = min(r, max(depth - 1, 0))
    if r == 0:
        return a.copy()
    padded = xp.zeros(a.shape[:-1] + (depth + 2 * r,), dtype=a.dtype)
    padded[..., r:r + depth] = a
    out = padded[..., :depth].copy()
    for k in range(1, 2 * r + 1):
        out += padded[..., k:k + depth]
    return out


def _lrn_check(op, x, depth_radius):
    _check_rank(x, 4, op, "input")
    if int(depth_radius) < 0:
        raise ValueError(f"{op}: expected depth_radius >= 0, got {depth_radius}")


def lrn(xp, x, depth_radius=5, bias=1.0, alpha=1.0, beta=0.5):
    """Local response normalisation across channels (TF's ``LRN``).

    ``sqr_sum[b, y, x, d] = sum(x[b, y, x, d - depth_radius : d + depth_radius + 1] ** 2)``
    and ``output = x / (bias + alpha * sqr_sum) ** beta``. ``alpha`` is not divided by the
    window size (TF's convention, unlike Caffe's).

    Args:
        xp: Array module (numpy or cupy).
        x: 4-D NHWC input, floating point.
        depth_radius: Half-width of the channel window.
        bias: Offset, usually positive to avoid dividing by 0.
        alpha: Scale.
        beta: Exponent.

    Returns:
        The normalised tensor, dtype of ``x``.

    Raises:
        ValueError: If ``x`` is not 4-D or ``depth_radius`` is negative.
    """
    _lrn_check("LRN", x, depth_radius)
    # Python floats keep float32 inputs float32 (numpy scalars would promote).
    bias, alpha, beta = float(bias), float(alpha), float(beta)
    norm = _depth_window_sum(xp, x * x, int(depth_radius))
    norm *= alpha
    norm += bias
    return x * _neg_pow(xp, norm, beta)


def _neg_pow(xp, a, beta):
    if beta == 0.5:
        return 1 / xp.sqrt(a)
    if beta == 1:
        return 1 / a
    return a ** -beta


def lrn_grad(xp, dy, x, y, depth_radius=5, bias=1.0, alpha=1.0, beta=0.5):
    """Gradient of lrn (TF's ``LRNGrad``).

    With ``N = bias + alpha * sqr_sum``:
    ``dx = dy * N ** -beta - 2 * alpha * beta * x * window_sum(dy * y / N)``.

    Args:
        xp: Array module (numpy or cupy).
        dy: Gradient of the lrn output.
        x: The lrn input.
        y: The lrn output.
        depth_radius: As for lrn.
        bias: As for lrn.
        alpha: As for lrn.
        beta: As for lrn.

    Returns:
        The input gradient, dtype of ``x``.

    Raises:
        ValueError: If the shapes differ or are not 4-D.
    """
    op = "LRNGrad"
    _lrn_check(op, x, depth_radius)
    if dy.shape != x.shape or y.shape != x.shape:
        raise ValueError(f"{op}: expected input_grads, input_image and output_image of the same "
                         f"shape, got {list(dy.shape)}, {list(x.shape)}, {list(y.shape)}")
    r = int(depth_radius)
    bias, alpha, beta = float(bias), float(alpha), float(beta)
    norm = _depth_window_sum(xp, x * x, r)
    norm *= alpha
    norm += bias
    back = _depth_window_sum(xp, dy * y / norm, r)
    back *= x
    back *= -2 * alpha * beta
    back += dy * _neg_pow(xp, norm, beta)
    return back


# --------------------------------------------------------------------------------------------
# Softmax and cross entropy
# --------------------------------------------------------------------------------------------

def softmax(xp, logits, axis=-1):
    """Numerically stable softmax along ``axis`` (the maximum is subtracted first).

    Args:
        xp: Array module (numpy or cupy).
        logits: Floating-point tensor.
        axis: Axis to normalise over.

    Returns:
        ``exp(logits) / sum(exp(logits), axis)``, dtype of ``logits``.
    """
    e = xp.exp(logits - logits.max(axis=axis, keepdims=True))
    e /= e.sum(axis=axis, keepdims=True)
    return e


def softmax_grad(xp, y, dy, axis=-1):
    """Gradient of softmax given its output ``y``: ``(dy - sum(dy * y, axis)) * y``.

    Args:
        xp: Array module (numpy or cupy).
        y: The softmax output.
        dy: Gradient of the output.
        axis: The softmax axis.

    Returns:
        The gradient with respect to the logits.
    """
    return (dy - (dy * y).sum(axis=axis, keepdims=True)) * y


def log_softmax(xp, logits, axis=-1):
    """Numerically stable log-softmax along ``axis``.

    Args:
        xp: Array module (numpy or cupy).
        logits: Floating-point tensor.
        axis: Axis to normalise over.

    Returns:
        ``logits - log(sum(exp(logits), axis))``, dtype of ``logits``.
    """
    shifted = logits - logits.max(axis=axis, keepdims=True)
    shifted -= xp.log(xp.exp(shifted).sum(axis=axis, keepdims=True))
    return shifted


def log_softmax_grad(xp, y, dy, axis=-1):
    """Gradient of log_softmax given its output ``y``: ``dy - exp(y) * sum(dy, axis)``.

    Args:
        xp: Array module (numpy or cupy).
        y: The log_softmax output.
        dy: Gradient of the output.
        axis: The softmax axis.

    Returns:
        The gradient with respect to the logits.
    """
    return dy - xp.exp(y) * dy.sum(axis=axis, keepdims=True)


def _xent(xp, logits):
    """Shared core: shifted logits, log-sum-exp and softmax over the last axis."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    e = xp.exp(shifted)
    sum_e = e.sum(axis=-1, keepdims=True)
    e /= sum_e
    return shifted, xp.log(sum_e), e


def softmax_cross_entropy_with_logits(xp, logits, labels):
    """Softmax cross entropy against a label distribution (TF's kernel of the same name).

    ``loss = sum(labels * (log(sum(exp(shifted))) - shifted))`` with
    ``shifted = logits - max(logits)``, and ``backprop = softmax(logits) - labels`` (not
    scaled by ``sum(labels)``). ``logits`` and ``labels`` broadcast against each other;
    classes are the last axis (TF's op takes ``[batch, classes]``).

    Args:
        xp: Array module (numpy or cupy).
        logits: Unscaled log-probabilities, ``[batch, classes]``.
        labels: Label distribution broadcastable to ``logits``, same dtype.

    Returns:
        ``(loss, backprop)``: ``loss`` is ``[batch]``, ``backprop`` is ``[batch, classes]``.

    Raises:
        ValueError: If the shapes do not broadcast or the dtypes differ.
    """
    op = "SoftmaxCrossEntropyWithLogits"
    _check_same_dtype(logits, labels, op, "features", "labels")
    try:
        logits, labels = xp.broadcast_arrays(logits, labels)
    except ValueError:
        raise ValueError(f"{op}: expected logits and labels of broadcastable shapes, got "
                         f"{list(logits.shape)} and {list(labels.shape)}") from None
    if logits.ndim < 1:
        raise ValueError(f"{op}: expected logits of rank at least 1, got a scalar")
    if logits.shape[-1] == 0:
        return (xp.zeros(logits.shape[:-1], dtype=logits.dtype),
                xp.zeros(logits.shape, dtype=logits.dtype))
    shifted, log_sum, backprop = _xent(xp, logits)
    loss = (labels * (log_sum - shifted)).sum(axis=-1)
    backprop -= labels
    return loss, backprop


def sparse_softmax_cross_entropy_with_logits(xp, logits, labels):
    """Softmax cross entropy against integer class labels (TF's kernel of the same name).

    ``loss = log(sum(exp(shifted))) - shifted[label]`` and
    ``backprop = softmax(logits) - one_hot(label)``.

    Args:
        xp: Array module (numpy or cupy).
        logits: ``[batch, classes]`` floating point.
        labels: ``[batch]`` integers in ``[0, classes)``.

    Returns:
        ``(loss, backprop)``: ``loss`` is ``[batch]``, ``backprop`` is ``[batch, classes]``,
        both of the dtype of ``logits``.

    Raises:
        ValueError: On mismatched shapes, no classes, or a label outside
            ``[0, classes)``; the message names the offending value and the range.
    """
    op = "SparseSoftmaxCrossEntropyWithLogits"
    if logits.ndim != 2:
        raise ValueError(f"{op}: expected logits of rank 2, got shape {list(logits.shape)}")
    if labels.ndim != 1 or labels.shape[0] != logits.shape[0]:
        raise ValueError(f"{op}: expected labels of shape [{logits.shape[0]}] (the batch size "
                         f"of logits), got {list(labels.shape)}")
    batch, classes = logits.shape
    if classes == 0 and batch:
        raise ValueError(f"Must have at least one class, but got logits shape "
                         f"{list(logits.shape)}")
    if not xp.issubdtype(labels.dtype, xp.integer):
        raise ValueError(f"{op}: expected integer labels, got dtype {labels.dtype}")
    if batch:
        bad = (labels < 0) | (labels >= classes)
        if bool(bad.any()):
            value = int(labels[int(xp.argmax(bad))])
            # TF's wording, so the graph layer can pass it on unchanged.
            raise ValueError(f"Received a label value of {value} which is outside the valid "
                             f"range of [0, {classes}).  Label values: "
                             f"{' '.join(str(v) for v in labels.tolist())}")
    else:
        return (xp.zeros((0,), dtype=logits.dtype), xp.zeros(logits.shape, dtype=logits.dtype))
    shifted, log_sum, backprop = _xent(xp, logits)
    rows = xp.arange(batch)
    loss = log_sum[:, 0] - shifted[rows, labels]
    backprop[rows, labels] -= 1
    return loss, backprop


# --------------------------------------------------------------------------------------------
# Fused batch normalisation
# --------------------------------------------------------------------------------------------

def _bn_layout(op, x, data_format):
    axis = _channel_axis(x.ndim, data_format, op)
    reduce_axes = tuple(a for a in range(x.ndim) if a != axis)
    bshape = [1] * x.ndim
    bshape[axis] = x.shape[axis]
    return axis, reduce_axes, tuple(bshape)


def _bn_dtype(xp, x):
    # Half-precision inputs compute (and return statistics) in float32, as TF's U type.
    return xp.float64 if x.dtype == xp.float64 else xp.float32


def _check_bn_param(op, name, arr, depth):
    if arr is None or arr.ndim != 1 or arr.shape[0] != depth:
        got = None if arr is None else list(arr.shape)
        raise ValueError(f"{op}: expected {name} of shape [{depth}] (the channel dimension), "
                         f"got {got}")


def fused_batch_norm(xp, x, scale, offset, mean, variance, epsilon=1e-4, data_format="NHWC",
                     is_training=True, exponential_avg_factor=1.0):
    """Batch normalisation in one kernel (TF's ``FusedBatchNorm``/``V2``/``V3``, CPU semantics).

    Training normalises with the batch mean and the *biased* batch variance, but the
    ``batch_variance`` output is the Bessel-corrected (unbiased, ``n / (n - 1)``) variance,
    meant for the moving average. The reserve spaces hold the batch mean and the biased
    variance for the gradient. Inference normalises with the given ``mean``/``variance`` and
    passes them through. With ``exponential_avg_factor`` below 1 (V3 in training) the
    statistics outputs are ``(1 - f) * running + f * batch``.

    Args:
        xp: Array module (numpy or cupy).
        x: Input, rank >= 2, channels last (``"NHWC"``) or in dimension 1 (``"NCHW"``).
        scale: 1-D per-channel scale (gamma).
        offset: 1-D per-channel offset (beta).
        mean: 1-D running mean; used in inference (and when ``exponential_avg_factor != 1``),
            may be ``None`` or empty in training.
        variance: 1-D running variance, like ``mean``.
        epsilon: Added to the variance before the square root.
        data_format: ``"NHWC"`` or ``"NCHW"``.
        is_training: Use batch statistics (True) or ``mean``/``variance`` (False).
        exponential_avg_factor: Weight of the batch statistics in the outputs.

    Returns:
        ``(y, batch_mean, batch_variance, reserve_space_1, reserve_space_2)``; ``y`` has the
        dtype of ``x``, the rest the float32 (float64 for float64 ``x``) statistics dtype.

    Raises:
        ValueError: If a per-channel argument does not match the channel dimension.
    """
    op = "FusedBatchNorm"
    axis, red, bshape = _bn_layout(op, x, data_format)
    depth = x.shape[axis]
    ct = _bn_dtype(xp, x)
    _check_bn_param(op, "scale", scale, depth)
    _check_bn_param(op, "offset", offset, depth)
    xc = x.astype(ct, copy=False)
    if is_training:
        count = x.size // depth if depth else 0
        if count == 0:
            # Like TF: statistics of an empty batch are NaN (and no warning is raised).
            nan = xp.full((depth,), float("nan"), dtype=ct)
            return x.copy(), nan, nan.copy(), nan.copy(), nan.copy()
        batch_mean = xc.mean(axis=red)
        centered = xc - batch_mean.reshape(bshape)
        batch_var = (centered * centered).mean(axis=red)
        inv = 1 / xp.sqrt(batch_var + ct(epsilon))
        y = centered
        y *= (scale.astype(ct, copy=False) * inv).reshape(bshape)
        y += offset.astype(ct, copy=False).reshape(bshape)
        unbiased = batch_var * ct(count / max(count - 1, 1))
        out_mean, out_var = batch_mean, unbiased
        if exponential_avg_factor != 1.0:
            _check_bn_param(op, "mean", mean, depth)
            _check_bn_param(op, "variance", variance, depth)
            f = ct(exponential_avg_factor)
            out_mean = (1 - f) * mean.astype(ct, copy=False) + f * batch_mean
            out_var = (1 - f) * variance.astype(ct, copy=False) + f * unbiased
        return y.astype(x.dtype, copy=False), out_mean, out_var, batch_mean, batch_var
    _check_bn_param(op, "mean", mean, depth)
    _check_bn_param(op, "variance", variance, depth)
    m = mean.astype(ct, copy=False)
    v = variance.astype(ct, copy=False)
    mult = scale.astype(ct, copy=False) / xp.sqrt(v + ct(epsilon))
    y = xc * mult.reshape(bshape)
    y += (offset.astype(ct, copy=False) - m * mult).reshape(bshape)
    return y.astype(x.dtype, copy=False), m.copy(), v.copy(), m.copy(), v.copy()


def fused_batch_norm_grad(xp, dy, x, scale, reserve_1, reserve_2, epsilon=1e-4,
                          data_format="NHWC", is_training=True):
    """Gradient of fused_batch_norm (TF's ``FusedBatchNormGrad``, CPU semantics).

    Args:
        xp: Array module (numpy or cupy).
        dy: Gradient of ``y``.
        x: The forward input.
        scale: The forward scale.
        reserve_1: ``reserve_space_1`` of the forward pass (batch mean in training, the
            population mean in inference).
        reserve_2: ``reserve_space_2`` (biased batch variance in training, the population
            variance in inference).
        epsilon: As in the forward pass.
        data_format: ``"NHWC"`` or ``"NCHW"``.
        is_training: As in the forward pass; in training the batch statistics depend on
            ``x`` and contribute to ``dx``.

    Returns:
        ``(dx, dscale, doffset)``; ``dx`` has the dtype of ``x``.

    Raises:
        ValueError: If shapes do not match.
    """
    op = "FusedBatchNormGrad"
    axis, red, bshape = _bn_layout(op, x, data_format)
    if dy.shape != x.shape:
        raise ValueError(f"{op}: expected y_backprop of shape {list(x.shape)} (the shape of x), "
                         f"got {list(dy.shape)}")
    depth = x.shape[axis]
    for name, arr in (("scale", scale), ("reserve_space_1", reserve_1),
                      ("reserve_space_2", reserve_2)):
        _check_bn_param(op, name, arr, depth)
    ct = _bn_dtype(xp, x)
    dyc = dy.astype(ct, copy=False)
    inv = 1 / xp.sqrt(reserve_2.astype(ct, copy=False) + ct(epsilon))
    x_hat = x.astype(ct, copy=False) - reserve_1.astype(ct, copy=False).reshape(bshape)
    x_hat *= inv.reshape(bshape)
    doffset = dyc.sum(axis=red)
    dscale = (dyc * x_hat).sum(axis=red)
    k = (scale.astype(ct, copy=False) * inv).reshape(bshape)
    if is_training:
        count = x.size // depth if depth else 0
        dx = x_hat
        dx *= -(dscale / max(count, 1)).reshape(bshape)
        dx += dyc
        dx -= (doffset / max(count, 1)).reshape(bshape)
        dx *= k
    else:
        dx = dyc * k
    return dx.astype(x.dtype, copy=False), dscale, doffset
