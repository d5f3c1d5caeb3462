"""tf.image: codecs (and their errors on corrupt data), resizing, crops, flips, colors."""
import io
import json
import math
import os

import numpy as np
import pytest
from PIL import Image

import tensorslim as tf
from gradcheck import check_gradients


def _encode(array, fmt, **kwargs):
    buf = io.BytesIO()
    Image.fromarray(array).save(buf, fmt, **kwargs)
    return buf.getvalue()


def _run(t, feed=None):
    with tf.Session() as sess:
        return sess.run(t, feed)


RNG = np.random.RandomState(0)
IMG = RNG.randint(0, 256, (6, 7, 3)).astype(np.uint8)


# --------------------------------------------------------------------------- codecs

def test_png_roundtrip_channels_and_uint16():
    png = _encode(IMG, "PNG")
    img = tf.image.decode_png(png)
    assert img.shape.as_list() == [None, None, None]
    gray = tf.image.decode_png(png, channels=1)
    rgba = tf.image.decode_png(png, channels=4)
    sixteen = tf.image.decode_png(png, dtype=tf.uint16)
    assert gray.shape.as_list() == [None, None, 1]
    a, g, r, s = _run([img, gray, rgba, sixteen])
    np.testing.assert_array_equal(a, IMG)
    assert g.shape == (6, 7, 1) and r.shape == (6, 7, 4) and (r[..., 3] == 255).all()
    np.testing.assert_array_equal(s, IMG.astype(np.uint16) * 257)
    deep = (np.arange(6 * 7, dtype=np.uint16) * 1500).reshape(6, 7, 1)
    back = tf.image.decode_png(tf.image.encode_png(deep), dtype=tf.uint16)
    enc = tf.image.encode_png(tf.constant(IMG[..., :2]), compression=9)
    np.testing.assert_array_equal(_run(back), deep)
    la = np.asarray(Image.open(io.BytesIO(_run(enc))))
    np.testing.assert_array_equal(la, IMG[..., :2])


def test_jpeg_bmp_gif_and_decode_image():
    smooth = np.tile(np.linspace(0, 255, 16).astype(np.uint8)[None, :, None], (8, 1, 3))
    jpg = _encode(smooth, "JPEG", quality=95)
    bmp = _encode(IMG, "BMP")
    frames = [Image.fromarray(np.full((4, 5, 3), v, np.uint8)) for v in (0, 128, 255)]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:])
    gif = buf.getvalue()
    j = tf.image.decode_jpeg(jpg)
    j2 = tf.image.decode_jpeg(jpg, ratio=2)
    b = tf.image.decode_bmp(bmp)
    g = tf.image.decode_gif(gif)
    assert g.shape.as_list() == [None, None, None, 3]
    auto = [tf.image.decode_image(x) for x in (jpg, bmp, gif)]
    first = tf.image.decode_image(gif, expand_animations=False)
    flt = tf.image.decode_image(bmp, dtype=tf.float32)
    shape = tf.image.extract_jpeg_shape(jpg)
    reenc = tf.image.decode_jpeg(tf.image.encode_jpeg(tf.constant(smooth), quality=100))
    vals = _run([j, j2, b, g, first, flt, shape, reenc] + auto)
    jv, j2v, bv, gv, fv, flv, sv, rv = vals[:8]
    assert jv.shape == (8, 16, 3) and np.abs(jv.astype(int) - smooth).max() <= 8
    assert j2v.shape == (4, 8, 3)
    np.testing.assert_array_equal(bv, IMG)
    assert gv.shape == (3, 4, 5, 3)
    np.testing.assert_array_equal(gv[:, 0, 0, 0], [0, 128, 255])
    assert fv.shape == (4, 5, 3)
    np.testing.assert_allclose(flv, IMG / 255.0, atol=1e-6)
    assert list(sv) == [8, 16, 3]
    assert np.abs(rv.astype(int) - smooth).max() <= 4
    assert vals[8].shape == (8, 16, 3) and vals[10].ndim == 4


@pytest.mark.parametrize("decode,data,pattern", [
    (tf.image.decode_jpeg, b"not an image", "Invalid JPEG data"),
    (tf.image.decode_png, _encode(IMG, "JPEG"), "Invalid PNG data.*JPEG image, not PNG"),
    (tf.image.decode_gif, b"GIF89a\x00", "Invalid GIF data"),
    (tf.image.decode_bmp, b"BM" + b"\x00" * 10, "Invalid BMP data"),
    (tf.image.decode_image, b"\x00\x01\x02", "Unknown image file format"),
    (tf.image.decode_png, _encode(IMG, "PNG")[:60], "Invalid PNG data"),
])
def test_decoding_corrupt_data_is_invalid_argument_naming_the_input(decode, data, pattern):
    contents = tf.placeholder(tf.string, [], name="image_bytes")
    out = decode(contents)
    with pytest.raises(tf.errors.InvalidArgumentError, match=pattern) as info:
        _run(out, {contents: data})
    assert "image_bytes:0" in str(info.value)


def test_decode_rejects_non_scalar_and_bad_channels():
    with pytest.raises(ValueError, match="rank 0"):
        tf.image.decode_png(tf.constant([b"a", b"b"]))
    with pytest.raises(ValueError, match="channels must be one of"):
        tf.image.decode_jpeg(b"", channels=4)
    bad = tf.image.encode_jpeg(tf.zeros([2, 2, 2], tf.uint8))
    with pytest.raises(tf.errors.InvalidArgumentError, match="1 or 3 channels"):
        _run(bad)


def _corrupt(data, rng):
    data = bytearray(data)
    kind = rng.randint(4)
    if kind == 0:          # bit flips
        for _ in range(rng.randint(1, 8)):
            i = rng.randint(len(data))
            data[i] ^= 1 << rng.randint(8)
    elif kind == 1:        # truncation
        data = data[:rng.randint(1, len(data))]
    elif kind == 2:        # a random run of garbage
        i = rng.randint(len(data))
        n = rng.randint(1, 32)
        data[i:i + n] = rng.randint(0, 256, n).astype(np.uint8).tobytes()
    else:                  # header damage
        i = rng.randint(min(len(data), 40))
        data[i] = rng.randint(256)
    return bytes(data)


def test_fuzz_corrupt_images_only_give_documented_errors():
    """Random damage to JPEG/PNG/GIF/BMP bytes: decoding succeeds or raises
    InvalidArgumentError, nothing else (no crash, no Pillow exception leaking out)."""
    rng = np.random.RandomState(1234)
    img = rng.randint(0, 256, (12, 10, 3)).astype(np.uint8)
    sources = {"jpeg": _encode(img, "JPEG"), "png": _encode(img, "PNG"),
               "bmp": _encode(img, "BMP"), "gif": _encode(img, "GIF")}
    contents = tf.placeholder(tf.string, [])
    ops = {"jpeg": tf.image.decode_jpeg(contents), "png": tf.image.decode_png(contents),
           "bmp": tf.image.decode_bmp(contents), "gif": tf.image.decode_gif(contents),
           "any": tf.image.decode_image(contents)}
    outcomes = {"ok": 0, "error": 0}
    with tf.Session() as sess:
        for trial in range(240):
            fmt = ("jpeg", "png", "bmp", "gif")[trial % 4]
            data = _corrupt(sources[fmt], rng)
            for op in (ops[fmt], ops["any"]):
                try:
                    value = sess.run(op, {contents: data})
                except tf.errors.InvalidArgumentError as e:
                    assert "contents" in str(e) or "Placeholder" in str(e)
                    outcomes["error"] += 1
                else:
                    assert value.dtype == np.uint8 and value.ndim in (3, 4)
                    outcomes["ok"] += 1
    assert outcomes["error"] > 50 and outcomes["ok"] > 10


# --------------------------------------------------------------------------- resize

def _ref_resize(img, out_h, out_w, method, align=False, half=False):
    """TF's resize kernels written out per pixel, for small images."""
    n, in_h, in_w, c = img.shape

    def scale(i, o):
        return np.float32((i - 1) / (o - 1)) if align and o > 1 else np.float32(i / o)
    sh, sw = scale(in_h, out_h), scale(in_w, out_w)
    out = np.zeros((n, out_h, out_w, c), np.float64)
    x = img.astype(np.float64)
    for y in range(out_h):
        for xx in range(out_w):
            if method == "nearest":
                fy = (y + 0.5) * sh if half else y * sh
                fx = (xx + 0.5) * sw if half else xx * sw
                iy = math.floor(fy + 0.5) if align else math.floor(fy)
                ix = math.floor(fx + 0.5) if align else math.floor(fx)
                out[:, y, xx] = x[:, min(max(iy, 0), in_h - 1), min(max(ix, 0), in_w - 1)]
            elif method == "bilinear":
                fy = (y + 0.5) * sh - 0.5 if half else y * sh
                fx = (xx + 0.5) * sw - 0.5 if half else xx * sw
                y0, x0 = max(math.floor(fy), 0), max(math.floor(fx), 0)
                y1, x1 = min(math.ceil(fy), in_h - 1), min(math.ceil(fx), in_w - 1)
                ly, lx = fy - math.floor(fy), fx - math.floor(fx)
                top = x[:, y0, x0] + (x[:, y0, x1] - x[:, y0, x0]) * lx
                bot = x[:, y1, x0] + (x[:, y1, x1] - x[:, y1, x0]) * lx
                out[:, y, xx] = top + (bot - top) * ly
            elif method == "area":
                y_a, y_b = y * sh, (y + 1) * sh
                x_a, x_b = xx * sw, (xx + 1) * sw
                acc = 0
                for i in range(math.floor(y_a), math.ceil(y_b)):
                    wy = min(i + 1, y_b) - max(i, y_a)
                    for j in range(math.floor(x_a), math.ceil(x_b)):
                        wx = min(j + 1, x_b) - max(j, x_a)
                        acc = acc + wy * wx * x[:, min(i, in_h - 1), min(j, in_w - 1)]
                out[:, y, xx] = acc / (sh * sw)
    return out


@pytest.mark.parametrize("method", ["nearest", "bilinear", "area"])
@pytest.mark.parametrize("size", [(2, 3), (7, 11), (5, 5)])
@pytest.mark.parametrize("align", [False, True])
def test_resize_matches_tf_formulas(method, size, align, device_mode):
    img = RNG.uniform(0, 10, (2, 4, 5, 2)).astype(np.float32)
    fn = {"nearest": tf.image.resize_nearest_neighbor, "bilinear": tf.image.resize_bilinear,
          "area": tf.image.resize_area}[method]
    out = _run(fn(img, size, align_corners=align))
    assert out.shape == (2,) + size + (2,) and out.dtype == np.float32
    np.testing.assert_allclose(out, _ref_resize(img, *size, method, align), rtol=1e-5,
                               atol=1e-5)


@pytest.mark.parametrize("method", ["nearest", "bilinear"])
def test_resize_half_pixel_centers(method):
    img = RNG.uniform(0, 10, (1, 4, 6, 1)).astype(np.float32)
    fn = tf.image.resize_nearest_neighbor if method == "nearest" else tf.image.resize_bilinear
    out = _run(fn(img, [7, 3], half_pixel_centers=True))
    np.testing.assert_allclose(out, _ref_resize(img, 7, 3, method, half=True), rtol=1e-5)
    with pytest.raises(ValueError, match="half_pixel_centers"):
        fn(img, [2, 2], align_corners=True, half_pixel_centers=True)


def _tf_golden():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data",
                        "tf_image_resize.json")
    with open(path) as f:
        return json.load(f)


_RESIZE_FNS = {"bilinear": tf.image.resize_bilinear, "nearest": tf.image.resize_nearest_neighbor,
               "bicubic": tf.image.resize_bicubic, "area": tf.image.resize_area}


def test_resize_matches_real_tensorflow_outputs():
    """Golden values written by TensorFlow (tests/data/tf_image_resize.json)."""
    golden = _tf_golden()
    img = np.random.RandomState(0).uniform(0, 10, (1, 3, 4, 1)).astype(np.float32)
    ops, expected = [], []
    for key, value in golden.items():
        if key.startswith("_") or key in ("ramp_bicubic", "bilinear_grad"):
            continue
        method, mode, size = key.split("_")
        fn = _RESIZE_FNS[method]
        if mode == "half":
            ops.append(fn(img, (5, 7), half_pixel_centers=True))
        else:
            ops.append(fn(img, tuple(int(v) for v in size.split("x")),
                          align_corners=mode == "True"))
        expected.append(value)
    x = tf.constant(img)
    weights = np.arange(35, dtype=np.float32).reshape(1, 5, 7, 1)
    loss = tf.reduce_sum(tf.image.resize_bilinear(x, [5, 7]) * weights)
    ops.append(tf.gradients(loss, x)[0])
    expected.append(golden["bilinear_grad"])
    ramp = np.tile(np.arange(4, dtype=np.float32).reshape(1, 1, 4, 1), (1, 2, 1, 1))
    ops.append(tf.image.resize_bicubic(ramp, [2, 8])[0, 0, :, 0])
    expected.append(golden["ramp_bicubic"])
    assert len(ops) == 21
    for got, want in zip(_run(ops), expected):
        np.testing.assert_allclose(got, want, atol=1e-4)
    same = np.random.RandomState(1).uniform(0, 1, (1, 5, 5, 3)).astype(np.float32)
    np.testing.assert_allclose(_run(tf.image.resize_bicubic(same, [5, 5])), same, atol=1e-6)


def test_resize_images_v1_semantics():
    u8 = tf.constant(IMG)
    bil = tf.image.resize_images(u8, [3, 4])
    near = tf.image.resize_images(u8, [12, 14], method=tf.image.ResizeMethod.NEAREST_NEIGHBOR)
    same = tf.image.resize_images(u8, [6, 7])
    aspect = tf.image.resize_images(u8, [12, 100], preserve_aspect_ratio=True)
    assert bil.dtype == tf.float32 and bil.shape.as_list() == [3, 4, 3]
    assert near.dtype == tf.uint8 and same is u8 or same.op.type in ("Identity", "Squeeze")
    assert aspect.shape.as_list() == [12, 14, 3]
    b, n, s = _run([bil, near, same])
    np.testing.assert_array_equal(n[::2, ::2], IMG)
    np.testing.assert_array_equal(s, IMG)
    ph = tf.placeholder(tf.float32, [None, None, 3])
    dyn = tf.image.resize_images(ph, [2, 2], method=tf.image.ResizeMethod.AREA)
    assert dyn.shape.as_list() == [2, 2, 3]
    assert _run(dyn, {ph: np.ones((4, 4, 3))}).shape == (2, 2, 3)
    with pytest.raises(ValueError, match="3 or 4 dimensions"):
        tf.image.resize_images(tf.zeros([2, 2]), [1, 1])
    with pytest.raises(ValueError, match="1-D Tensor of 2 elements"):
        tf.image.resize_images(u8, [1, 2, 3])
    with pytest.raises(ValueError, match="Shape must be rank 4"):
        tf.image.resize_bilinear(tf.zeros([2, 2, 3]), [1, 1])


@pytest.mark.parametrize("method", ["bilinear", "nearest", "bicubic"])
@pytest.mark.parametrize("size", [(2, 3), (5, 7)])
@pytest.mark.parametrize("align", [False, True])
def test_resize_gradients(method, size, align):
    fn = {"bilinear": tf.image.resize_bilinear, "nearest": tf.image.resize_nearest_neighbor,
          "bicubic": tf.image.resize_bicubic}[method]
    x = RNG.uniform(-1, 1, (1, 3, 4, 2))
    # The kernels compute in float32 (as TF's); resizing is linear, so a large step is exact.
    check_gradients(lambda t: fn(t, size, align_corners=align), [x], delta=0.1, rtol=1e-4,
                    atol=1e-5)


# --------------------------------------------------------------------------- crop, pad, flips

def test_crop_pad_and_their_static_errors():
    x = np.arange(5 * 6 * 2).reshape(5, 6, 2)
    crop = tf.image.crop_to_bounding_box(x, 1, 2, 3, 2)
    pad = tf.image.pad_to_bounding_box(x, 1, 2, 8, 9)
    assert crop.shape.as_list() == [3, 2, 2] and pad.shape.as_list() == [8, 9, 2]
    c, p = _run([crop, pad])
    np.testing.assert_array_equal(c, x[1:4, 2:4])
    assert p.shape == (8, 9, 2) and (p[1:6, 2:8] == x).all() and p.sum() == x.sum()
    for args, msg in [((-1, 0, 2, 2), "offset_height must be >= 0."),
                      ((0, 0, 0, 2), "target_height must be > 0."),
                      ((0, 5, 2, 2), "width must be >= target \\+ offset.")]:
        with pytest.raises(ValueError, match=msg):
            tf.image.crop_to_bounding_box(x, *args)
    with pytest.raises(ValueError, match="width must be <= target - offset"):
        tf.image.pad_to_bounding_box(x, 0, 2, 8, 7)
    with pytest.raises(ValueError, match="3 or 4 dimensions"):
        tf.image.crop_to_bounding_box(np.zeros((2, 2)), 0, 0, 1, 1)


def test_dynamic_shapes_crop_or_pad_and_runtime_errors():
    ph = tf.placeholder(tf.float32, [None, None, 1])
    out = tf.image.resize_image_with_crop_or_pad(ph, 4, 6)
    assert out.shape.as_list() == [4, 6, 1]
    big = np.arange(8 * 3, dtype=np.float32).reshape(8, 3, 1)
    got = _run(out, {ph: big})
    np.testing.assert_array_equal(got[:, 1:4], big[2:6])
    assert got[:, 0].sum() == 0 and got[:, 4:].sum() == 0
    crop = tf.image.crop_to_bounding_box(ph, 0, 0, 5, 5)
    with pytest.raises(tf.errors.InvalidArgumentError, match="width must be >= target"):
        _run(crop, {ph: big})
    cc = tf.image.central_crop(ph, 0.5)
    np.testing.assert_array_equal(_run(cc, {ph: big}), big[2:6])   # int(0.75) = 0 in width
    static = tf.image.central_crop(tf.zeros([1, 10, 10, 3]), 0.5)
    assert static.shape.as_list() == [1, 6, 6, 3]
    with pytest.raises(ValueError, match="central_fraction"):
        tf.image.central_crop(ph, 0.0)


def test_flips_rot90_transpose():
    x = np.arange(2 * 3 * 4 * 1).reshape(2, 3, 4, 1)
    k = tf.placeholder(tf.int32, [])
    ops = [tf.image.flip_left_right(x[0]), tf.image.flip_up_down(x),
           tf.image.transpose_image(x), tf.image.rot90(x[0]), tf.image.rot90(x, 2),
           tf.image.rot90(x[0], 3), tf.image.rot90(x[0], k)]
    lr, ud, tr, r1, r2, r3, rk = _run(ops, {k: 5})
    np.testing.assert_array_equal(lr, x[0, :, ::-1])
    np.testing.assert_array_equal(ud, x[:, ::-1])
    np.testing.assert_array_equal(tr, x.transpose(0, 2, 1, 3))
    np.testing.assert_array_equal(r1[..., 0], np.rot90(x[0, ..., 0], 1))
    np.testing.assert_array_equal(r2[..., 0], np.rot90(x[..., 0], 2, axes=(1, 2)))
    np.testing.assert_array_equal(r3[..., 0], np.rot90(x[0, ..., 0], 3))
    np.testing.assert_array_equal(rk, r1)
    with pytest.raises(ValueError, match="at least three-dimensional"):
        tf.image.flip_left_right(np.zeros((2, 2)))


def test_random_flips_are_seeded_and_per_image():
    x = np.arange(16 * 1 * 2 * 1, dtype=np.float32).reshape(16, 1, 2, 1)
    tf.set_random_seed(5)
    out = tf.image.random_flip_left_right(x)
    with tf.Session() as sess:
        a = sess.run(out)
    with tf.Session() as sess:
        b = sess.run(out)
    np.testing.assert_array_equal(a, b)
    flipped = (a[:, 0, 0, 0] > a[:, 0, 1, 0])
    assert 0 < flipped.sum() < 16
    single = tf.image.random_flip_up_down(x[:, :, 0])
    assert _run(single).shape == (16, 1, 1)


@pytest.mark.parametrize("fn", [
    tf.image.flip_left_right, tf.image.flip_up_down, tf.image.transpose_image,
    lambda t: tf.image.rot90(t, 1),
    lambda t: tf.image.crop_to_bounding_box(t, 1, 0, 2, 3),
    lambda t: tf.image.pad_to_bounding_box(t, 1, 2, 5, 6),
    lambda t: tf.image.resize_image_with_crop_or_pad(t, 2, 5),
    lambda t: tf.image.central_crop(t, 0.5),
    # These two compute in float32 as TF does; they are linear, so a large step is exact.
    lambda t: tf.image.adjust_contrast(t, 1.7),
    lambda t: tf.image.adjust_brightness(t, 0.3),
])
def test_composed_image_ops_gradients(fn):
    check_gradients(fn, [RNG.uniform(0, 1, (3, 4, 3))], delta=0.1, rtol=1e-4, atol=1e-5)


def test_per_image_standardization_gradient():
    """Its float32 computation is too coarse for central differences, so the symbolic
    gradient is compared with that of the same formula in float64."""
    x = RNG.uniform(0, 1, (3, 4, 3))
    w = RNG.uniform(0.5, 1.5, x.shape)
    ph = tf.placeholder(tf.float64, x.shape)
    mean = tf.reduce_mean(ph, axis=[-1, -2, -3], keepdims=True)
    var = tf.maximum(tf.reduce_mean(tf.square(ph), axis=[-1, -2, -3], keepdims=True) -
                     tf.square(mean), 0.0)
    ref = (ph - mean) / tf.maximum(tf.sqrt(var), 1 / 6.0)
    std = tf.cast(tf.image.per_image_standardization(ph), tf.float64)
    got, want = _run([tf.gradients(tf.reduce_sum(std * w), ph)[0],
                      tf.gradients(tf.reduce_sum(ref * w), ph)[0]], {ph: x})
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    check_gradients(tf.image.per_image_standardization, [x], delta=1e-2, rtol=2e-2, atol=2e-3)


# --------------------------------------------------------------------------- dtype and color

def test_convert_image_dtype_follows_tf_scaling():
    u8 = np.array([0, 1, 127, 255], np.uint8)
    f = np.array([-0.5, 0.0, 0.5, 1.0, 1.5], np.float32)
    ops = [tf.image.convert_image_dtype(u8, tf.float32),
           tf.image.convert_image_dtype(f, tf.uint8),
           tf.image.convert_image_dtype(f, tf.uint8, saturate=True),
           tf.image.convert_image_dtype(u8, tf.int32),
           tf.image.convert_image_dtype(np.array([0, 2 ** 31 - 1], np.int32), tf.uint8),
           tf.image.convert_image_dtype(u8, tf.uint8)]
    to_f, to_u, sat, wide, narrow, same = _run(ops)
    np.testing.assert_allclose(to_f, u8 / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(to_u[1:4], [0, 127, 255])
    np.testing.assert_array_equal(sat, [0, 0, 127, 255, 255])
    np.testing.assert_array_equal(wide, u8.astype(np.int64) * 8388608)   # as TF: 2**31 // 256
    np.testing.assert_array_equal(narrow, [0, 255])
    np.testing.assert_array_equal(same, u8)


def test_brightness_contrast_standardization(device_mode):
    img = RNG.uniform(0, 1, (2, 4, 5, 3)).astype(np.float32)
    u8 = (img * 255).astype(np.uint8)
    ops = [tf.image.adjust_brightness(u8, 0.5), tf.image.adjust_contrast(img, 2.0),
           tf.image.per_image_standardization(img), tf.image.per_image_standardization(
               np.full((3, 3, 1), 7, np.uint8))]
    bright, contrast, std, flat = _run(ops)
    assert bright.dtype == np.uint8
    np.testing.assert_array_equal(bright, np.minimum(u8.astype(int) + 127, 255))
    mean = img.mean(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(contrast, (img - mean) * 2 + mean, rtol=1e-5)
    expect = (img - img.mean(axis=(1, 2, 3), keepdims=True)) / np.maximum(
        img.std(axis=(1, 2, 3), keepdims=True), 1 / np.sqrt(60))
    np.testing.assert_allclose(std, expect, rtol=1e-4, atol=1e-5)
    np.testing.assert_array_equal(flat, 0)


def test_random_color_ops_check_arguments_and_stay_in_range():
    img = RNG.uniform(0, 1, (4, 4, 3)).astype(np.float32)
    for op, args, msg in [(tf.image.random_brightness, (-1,), "max_delta must be non-negative"),
                          (tf.image.random_contrast, (0.5, 0.2), "upper must be > lower"),
                          (tf.image.random_contrast, (-0.5, 0.2), "lower must be non-negative"),
                          (tf.image.random_hue, (0.7,), "max_delta must be <= 0.5"),
                          (tf.image.random_saturation, (2, 1), "upper must be > lower")]:
        with pytest.raises(ValueError, match=msg):
            op(img, *args)
    outs = _run([tf.image.random_brightness(img, 0.2, seed=1),
                 tf.image.random_contrast(img, 0.5, 1.5, seed=1),
                 tf.image.random_hue(img, 0.2, seed=1),
                 tf.image.random_saturation(img, 0.5, 1.5, seed=1),
                 tf.image.random_brightness((img * 255).astype(np.uint8), 0.2, seed=2)])
    for o in outs[:4]:
        assert o.shape == img.shape and o.dtype == np.float32
    assert outs[4].dtype == np.uint8


def test_hsv_hue_saturation_grayscale(device_mode):
    rgb = np.array([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.2, 0.4, 0.6], [0.5, 0.5, 0.5]]],
                   np.float32)
    hsv = tf.image.rgb_to_hsv(rgb)
    ops = [hsv, tf.image.hsv_to_rgb(hsv), tf.image.adjust_hue(rgb, 1.0 / 3),
           tf.image.adjust_hue(rgb, 0.0), tf.image.adjust_saturation(rgb, 0.0),
           tf.image.rgb_to_grayscale(rgb), tf.image.grayscale_to_rgb(np.ones((2, 2, 1)))]
    h, back, hue, same, desat, gray, g3 = _run(ops)
    np.testing.assert_allclose(h[0, :2], [[0, 1, 1], [1 / 3, 1, 1]], atol=1e-6)
    np.testing.assert_allclose(h[0, 3], [0, 0, 0.5], atol=1e-6)
    np.testing.assert_allclose(back, rgb, atol=1e-6)
    np.testing.assert_allclose(hue[0, 0], [0, 1, 0], atol=1e-5)
    np.testing.assert_allclose(same, rgb, atol=1e-6)
    np.testing.assert_allclose(desat[0, 2], [0.6, 0.6, 0.6], atol=1e-6)
    np.testing.assert_allclose(gray[..., 0], rgb @ np.array([0.2989, 0.587, 0.114]), rtol=1e-5)
    assert g3.shape == (2, 2, 3)
    with pytest.raises(ValueError, match="size 1"):
        tf.image.grayscale_to_rgb(np.ones((2, 2, 3)))
    u8 = tf.image.rgb_to_grayscale((rgb * 255).astype(np.uint8))
    assert _run(u8).dtype == np.uint8


def test_adjust_contrast_factor_gradient():
    img = RNG.uniform(0, 1, (3, 3, 2))
    # Quadratic in (x, factor): central differences are exact even with a large step, which
    # the float32 computation needs.
    check_gradients(lambda x, f: tf.image.adjust_contrast(x, f), [img, np.array(1.3)],
                    delta=0.1, rtol=1e-4, atol=1e-5)
