"""``tf.image``: image codecs (Pillow), resizing, cropping, flips and color adjustments.

Codecs (``DecodeJpeg``, ``DecodePng``, ``DecodeBmp``, ``DecodeGif``, ``DecodeImage``,
``EncodeJpeg``, ``EncodePng``) are host-only ops; bytes that are not a valid image of the
expected format make the run fail with ``InvalidArgumentError`` naming the op, its input
tensor and the format, never with a crash or a Pillow exception.

Resizing follows TF1's ``resize_images``: the legacy pixel mapping (``in = out * scale``,
``scale = in_size / out_size``, or ``(in - 1) / (out - 1)`` with ``align_corners``;
``half_pixel_centers`` is available on the raw ops), in float32, with TF's gradients for
bilinear, nearest-neighbor and bicubic resizing. Every resize is separable: per axis, a
table of input indices and weights (1 tap for nearest, 2 for bilinear, 4 for bicubic, the
covered cells for area) applied with ``take``.

Crops, pads, flips, transposes and the standardizations are compositions of existing ops
(``Slice``, ``Pad``, ``ReverseV2``, ``Transpose`` ...), as in TF, so their gradients come
from those ops.
"""
import io
import math
import re
import threading
import warnings
import zlib

import numpy as np

from tensorslim.core import dtypes as _dtypes
from tensorslim.core import errors
from tensorslim.core.graph import Tensor, control_dependencies, convert_to_tensor, name_scope
from tensorslim.core.op_util import apply_op, constant_value
from tensorslim.core.registry import not_differentiable_marker, register_op
from tensorslim.core.tensor_shape import TensorShape, unknown_shape

__all__ = [
    "ResizeMethod", "decode_jpeg", "decode_png", "decode_bmp", "decode_gif", "decode_image",
    "encode_jpeg", "encode_png", "extract_jpeg_shape", "convert_image_dtype", "resize_images",
    "resize", "resize_bilinear", "resize_nearest_neighbor", "resize_bicubic", "resize_area",
    "resize_image_with_crop_or_pad", "central_crop", "crop_to_bounding_box",
    "pad_to_bounding_box", "flip_left_right", "flip_up_down", "random_flip_left_right",
    "random_flip_up_down", "random_crop", "random_brightness", "random_contrast", "random_hue",
    "random_saturation", "adjust_brightness", "adjust_contrast", "adjust_hue",
    "adjust_saturation", "adjust_gamma", "per_image_standardization", "rgb_to_grayscale",
    "grayscale_to_rgb", "rgb_to_hsv", "hsv_to_rgb", "rot90", "transpose_image",
]

_NO_GRAD = not_differentiable_marker()


# --------------------------------------------------------------------------- codecs

_MAGIC = (("jpeg", (b"\xff\xd8\xff",)), ("png", (b"\x89PNG\r\n\x1a\n",)),
          ("gif", (b"GIF87a", b"GIF89a")), ("bmp", (b"BM",)))
_PIL_FORMATS = {"jpeg": ["JPEG"], "png": ["PNG"], "gif": ["GIF"], "bmp": ["BMP"]}
_FORMAT_NAMES = {"jpeg": "JPEG", "png": "PNG", "gif": "GIF", "bmp": "BMP"}
# Image.open may warn about huge images (decompression bombs); the lock keeps the warning
# filter we install around it from racing with other decoding threads.
_OPEN_LOCK = threading.Lock()


def _clean(exc):
    # Pillow names the in-memory file object in some messages; that helps nobody.
    return re.sub(r" ?<_io\.BytesIO object at 0x[0-9a-fA-F]+>", "", str(exc))


def _sniff(data):
    for fmt, magics in _MAGIC:
        if any(data.startswith(m) for m in magics):
            return fmt
    return None


def _contents(ctx, value):
    v = np.asarray(ctx.to_host(value) if not isinstance(value, np.ndarray) else value,
                   dtype=object)
    if v.ndim != 0:
        raise errors.InvalidArgumentError(None, ctx.op, "contents must be scalar, got shape %s"
                                          % (list(v.shape),))
    data = v[()]
    if isinstance(data, str):
        data = data.encode("latin-1")
    if not isinstance(data, (bytes, np.bytes_)):
        raise errors.InvalidArgumentError(None, ctx.op, "contents must be a string")
    return bytes(data)


def _invalid(ctx, fmt, data, detail):
    messages = {
        "jpeg": "Invalid JPEG data or crop window, data size %d" % len(data),
        "png": "Invalid PNG data, size %d" % len(data),
        "gif": "Invalid GIF data (size %d)" % len(data),
        "bmp": "Invalid BMP data, size %d" % len(data),
    }
    what = messages.get(fmt, "Unknown image file format. One of JPEG, PNG, GIF, BMP required.")
    return errors.InvalidArgumentError(
        None, ctx.op, "%s (input '%s'%s)" % (what, ctx.op.inputs[0].name,
                                             ": %s" % detail if detail else ""))


def _open(ctx, data, fmt, ratio=1):
    """Opens and fully decodes ``data`` with Pillow; InvalidArgumentError on any failure.

    ``ratio`` > 1 asks the JPEG decoder for a downscaled image (DCT scaling), as TF's.
    """
    from PIL import Image
    if _sniff(data) != fmt:
        got = _sniff(data)
        raise _invalid(ctx, fmt, data, "the data is %s" % (
            "not an image of a known format" if got is None else
            "a %s image, not %s" % (_FORMAT_NAMES[got], _FORMAT_NAMES[fmt])))
    try:
        with _OPEN_LOCK, warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data), formats=_PIL_FORMATS[fmt])
        if ratio > 1:
            img.draft(img.mode, (-(-img.width // ratio), -(-img.height // ratio)))
        img.load()
        return img
    except Exception as e:  # noqa: BLE001 - any decoder failure is bad input data
        raise _invalid(ctx, fmt, data, "%s: %s" % (type(e).__name__, _clean(e))) from None


def _to_channels(ctx, img, channels, allowed_default=None):
    """The image as a uint8 (or uint16 for 16-bit grayscale) HxWxC array."""
    mode = img.mode
    if mode in ("I;16", "I;16B", "I;16L", "I"):
        arr = np.asarray(img).astype(np.uint16)[..., None]
        if channels in (0, 1):
            return arr, True
        if channels == 3:
            return np.repeat(arr, 3, axis=2), True
        alpha = np.full(arr.shape, 65535, dtype=np.uint16)
        return np.concatenate([np.repeat(arr, 3, axis=2), alpha], axis=2), True
    if channels == 0:
        if mode in ("L", "RGB", "RGBA", "LA"):
            target = mode
        elif mode == "1":
            target = "L"
        elif mode in ("P", "PA"):
            target = "RGBA" if mode == "PA" or "transparency" in img.info else "RGB"
        else:
            target = "RGB"
        if allowed_default is not None and target not in allowed_default:
            target = allowed_default[0]
    else:
        target = {1: "L", 2: "LA", 3: "RGB", 4: "RGBA"}[channels]
    if mode == "P" and target in ("RGB", "L") and "transparency" in img.info:
        img = img.convert("RGBA")
    if img.mode != target:
        img = img.convert(target)
    arr = np.asarray(img)
    if arr.ndim == 2:
        arr = arr[..., None]
    return arr, False


def _finish_dtype(arr, sixteen, dtype):
    if dtype == _dtypes.uint16:
        return arr if sixteen else arr.astype(np.uint16) * np.uint16(257)
    return (arr >> 8).astype(np.uint8) if sixteen else arr.astype(np.uint8)


def _decode_still(ctx, data, fmt, channels, dtype=_dtypes.uint8):
    img = _open(ctx, data, fmt, ctx.attrs.get("ratio", 1) if fmt == "jpeg" else 1)
    try:
        if fmt == "gif":
            img.seek(0)
        arr, sixteen = _to_channels(ctx, img, channels,
                                    ("L", "RGB") if fmt == "jpeg" else None)
        return _finish_dtype(arr, sixteen, dtype)
    except errors.OpError:
        raise
    except Exception as e:  # noqa: BLE001 - conversion of a corrupt image
        raise _invalid(ctx, fmt, data, "%s: %s" % (type(e).__name__, _clean(e))) from None


def _decode_gif_frames(ctx, data):
    from PIL import ImageSequence
    img = _open(ctx, data, "gif")
    try:
        frames = [np.asarray(frame.convert("RGB")) for frame in ImageSequence.Iterator(img)]
    except Exception as e:  # noqa: BLE001 - a corrupt later frame
        raise _invalid(ctx, "gif", data, "%s: %s" % (type(e).__name__, _clean(e))) from None
    return np.stack(frames).astype(np.uint8)


def _decode_jpeg_kernel(ctx, contents):
    return _decode_still(ctx, _contents(ctx, contents), "jpeg", ctx.attrs["channels"])


def _decode_png_kernel(ctx, contents):
    return _decode_still(ctx, _contents(ctx, contents), "png", ctx.attrs["channels"],
                         ctx.attrs["dtype"])


def _decode_bmp_kernel(ctx, contents):
    return _decode_still(ctx, _contents(ctx, contents), "bmp", ctx.attrs["channels"])


def _decode_gif_kernel(ctx, contents):
    return _decode_gif_frames(ctx, _contents(ctx, contents))


def _decode_image_kernel(ctx, contents):
    data = _contents(ctx, contents)
    fmt = _sniff(data)
    channels, dtype = ctx.attrs["channels"], ctx.attrs["dtype"]
    if fmt is None:
        raise _invalid(ctx, None, data, "")
    if fmt == "gif":
        if channels not in (0, 3):
            raise errors.InvalidArgumentError(None, ctx.op, "channels must be in (None, 0, 3) "
                                              "when decoding GIF images (input '%s')"
                                              % ctx.op.inputs[0].name)
        if ctx.attrs.get("expand_animations", True):
            frames = _decode_gif_frames(ctx, data)
            return _finish_dtype(frames, False, dtype)
    return _decode_still(ctx, data, fmt, channels, dtype)


def _extract_jpeg_shape_kernel(ctx, contents):
    data = _contents(ctx, contents)
    img = _open(ctx, data, "jpeg")
    c = {"L": 1, "RGB": 3, "CMYK": 4}.get(img.mode, len(img.getbands()))
    return ctx.to_device(np.array([img.height, img.width, c],
                                  dtype=ctx.attrs["output_type"].as_numpy_dtype))


def _encode_jpeg_kernel(ctx, image):
    from PIL import Image
    arr = ctx.to_host(image)
    attrs = ctx.attrs
    fmt = attrs.get("format", "") or ""
    c = arr.shape[2]
    want = {"grayscale": 1, "rgb": 3}.get(fmt)
    if c not in (1, 3) or (want is not None and c != want):
        raise errors.InvalidArgumentError(
            None, ctx.op, "image must have %s channels, got %d (input '%s')"
            % ({1: "1", 3: "3"}.get(want, "1 or 3"), c, ctx.op.inputs[0].name))
    quality = attrs.get("quality", 95)
    if not 0 <= quality <= 100:
        raise errors.InvalidArgumentError(None, ctx.op, "quality must be in [0,100], got %d"
                                          % quality)
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise errors.InvalidArgumentError(None, ctx.op, "Invalid image: %d x %d pixels cannot "
                                          "be encoded as JPEG" % arr.shape[:2])
    img = Image.fromarray(np.ascontiguousarray(arr[..., 0] if c == 1 else arr),
                          "L" if c == 1 else "RGB")
    density = (attrs.get("x_density", 300), attrs.get("y_density", 300))
    if attrs.get("density_unit", "in") == "cm":
        density = tuple(d * 2.54 for d in density)
    kwargs = {"quality": max(int(quality), 1), "progressive": attrs.get("progressive", False),
              "optimize": attrs.get("optimize_size", False), "dpi": density,
              "subsampling": 2 if attrs.get("chroma_downsampling", True) else 0}
    xmp = attrs.get("xmp_metadata", "")
    if xmp:
        kwargs["xmp"] = xmp.encode("utf-8") if isinstance(xmp, str) else xmp
    buf = io.BytesIO()
    img.save(buf, "JPEG", **kwargs)
    out = np.empty((), dtype=object)
    out[()] = buf.getvalue()
    return out


def _png_chunk(kind, payload):
    return (len(payload).to_bytes(4, "big") + kind + payload +
            (zlib.crc32(kind + payload) & 0xFFFFFFFF).to_bytes(4, "big"))


def _encode_png_kernel(ctx, image):
    arr = ctx.to_host(image)
    h, w, c = arr.shape
    if c not in (1, 2, 3, 4):
        raise errors.InvalidArgumentError(None, ctx.op, "image must have 1, 2, 3, or 4 channels, "
                                          "got %d (input '%s')" % (c, ctx.op.inputs[0].name))
    level = ctx.attrs.get("compression", -1)
    if not -1 <= level <= 9:
        raise errors.InvalidArgumentError(None, ctx.op, "compression should be in [-1,9], got "
                                          "%d" % level)
    depth = 16 if arr.dtype == np.uint16 else 8
    color = {1: 0, 2: 4, 3: 2, 4: 6}[c]
    rows = arr.astype(">u2" if depth == 16 else np.uint8).reshape(h, -1).view(np.uint8)
    raw = np.concatenate([np.zeros((h, 1), np.uint8), rows.reshape(h, -1)], axis=1)
    header = (w.to_bytes(4, "big") + h.to_bytes(4, "big") +
              bytes([depth, color, 0, 0, 0]))
    data = (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) +
            _png_chunk(b"IDAT", zlib.compress(raw.tobytes(), level)) + _png_chunk(b"IEND", b""))
    out = np.empty((), dtype=object)
    out[()] = data
    return out


def _decode_shape(channels_attr="channels", rank=3):
    def shape_fn(op):
        s = op.inputs[0].shape
        if s.ndims is not None and s.ndims != 0:
            raise ValueError("Shape must be rank 0 but is rank %d" % s.ndims)
        c = op.get_attr(channels_attr) if channels_attr else 3
        if rank == 4:
            return [TensorShape([None, None, None, c or None])]
        return [TensorShape([None, None, c or None])]
    return shape_fn


def _decode_image_shape(op):
    s = op.inputs[0].shape
    if s.ndims is not None and s.ndims != 0:
        raise ValueError("Shape must be rank 0 but is rank %d" % s.ndims)
    if op.get_attr("expand_animations"):
        return [unknown_shape()]
    return [TensorShape([None, None, op.get_attr("channels") or None])]


def _encode_shape(op):
    s = op.inputs[0].shape
    if s.ndims is not None and s.ndims != 3:
        raise ValueError("Shape must be rank 3 but is rank %d" % s.ndims)
    return [TensorShape([])]


def _scalar_input_shape(shape):
    def shape_fn(op):
        s = op.inputs[0].shape
        if s.ndims is not None and s.ndims != 0:
            raise ValueError("Shape must be rank 0 but is rank %d" % s.ndims)
        return [TensorShape(shape)]
    return shape_fn


for _type, _kernel, _shape in (
        ("DecodeJpeg", _decode_jpeg_kernel, _decode_shape()),
        ("DecodePng", _decode_png_kernel, _decode_shape()),
        ("DecodeBmp", _decode_bmp_kernel, _decode_shape()),
        ("DecodeGif", _decode_gif_kernel, _decode_shape(None, rank=4)),
        ("DecodeImage", _decode_image_kernel, _decode_image_shape),
        ("ExtractJpegShape", _extract_jpeg_shape_kernel, _scalar_input_shape([3])),
        ("EncodeJpeg", _encode_jpeg_kernel, _encode_shape),
        ("EncodePng", _encode_png_kernel, _encode_shape)):
    register_op(_type, shape=_shape, kernel=_kernel, host_only=True, grad=_NO_GRAD)


def _contents_tensor(contents):
    t = convert_to_tensor(contents, dtype=_dtypes.string, name="contents")
    return t


def _check_channels(channels, allowed, op_name):
    channels = 0 if channels is None else int(channels)
    if channels not in allowed:
        raise ValueError("channels must be one of %s for %s, got %d"
                         % (", ".join(str(a) for a in allowed), op_name, channels))
    return channels


def decode_jpeg(contents, channels=0, ratio=1, fancy_upscaling=True,
                try_recover_truncated=False, acceptable_fraction=1, dct_method="", name=None):
    """Decodes a JPEG image to a uint8 tensor of shape ``[height, width, channels]``.

    Args:
      contents: a scalar string tensor, the JPEG bytes.
      channels: 0 (as in the file), 1 (grayscale) or 3 (RGB).
      ratio: downscaling ratio during decoding (1, 2, 4 or 8).
      fancy_upscaling, try_recover_truncated, acceptable_fraction, dct_method: TF's
        decoder options (accepted; Pillow's decoder is used as is).
      name: the op's name.

    Returns:
      A uint8 tensor. Running it on bytes that are not a valid JPEG raises
      InvalidArgumentError ("Invalid JPEG data or crop window ...").
    """
    channels = _check_channels(channels, (0, 1, 3), "DecodeJpeg")
    if ratio not in (1, 2, 4, 8):
        raise ValueError("ratio must be 1, 2, 4 or 8, got %r" % (ratio,))
    attrs = {"channels": channels, "ratio": int(ratio), "fancy_upscaling": bool(fancy_upscaling),
             "try_recover_truncated": bool(try_recover_truncated),
             "acceptable_fraction": float(acceptable_fraction), "dct_method": dct_method}
    return apply_op("DecodeJpeg", [_contents_tensor(contents)], [_dtypes.uint8], attrs,
                    name or "DecodeJpeg").outputs[0]


def decode_png(contents, channels=0, dtype=_dtypes.uint8, name=None):
    """Decodes a PNG image to a uint8 or uint16 tensor ``[height, width, channels]``.

    Args:
      contents: a scalar string tensor.
      channels: 0 (as in the file), 1, 3 or 4.
      dtype: ``tf.uint8`` or ``tf.uint16`` (8-bit data is scaled by 257).
      name: the op's name.

    Returns:
      The image tensor; invalid data raises InvalidArgumentError when run.
    """
    channels = _check_channels(channels, (0, 1, 3, 4), "DecodePng")
    dtype = _dtypes.as_dtype(dtype).base_dtype
    if dtype not in (_dtypes.uint8, _dtypes.uint16):
        raise TypeError("Value passed to parameter 'dtype' has DataType %s not in list of "
                        "allowed values: uint8, uint16" % dtype.name)
    return apply_op("DecodePng", [_contents_tensor(contents)], [dtype],
                    {"channels": channels, "dtype": dtype}, name or "DecodePng").outputs[0]


def decode_bmp(contents, channels=0, name=None):
    """Decodes a BMP image to a uint8 tensor ``[height, width, channels]`` (0, 3 or 4)."""
    channels = _check_channels(channels, (0, 1, 3, 4), "DecodeBmp")
    return apply_op("DecodeBmp", [_contents_tensor(contents)], [_dtypes.uint8],
                    {"channels": channels}, name or "DecodeBmp").outputs[0]


def decode_gif(contents, name=None):
    """Decodes a (possibly animated) GIF to uint8 ``[num_frames, height, width, 3]``."""
    return apply_op("DecodeGif", [_contents_tensor(contents)], [_dtypes.uint8], {},
                    name or "DecodeGif").outputs[0]


def decode_image(contents, channels=None, dtype=_dtypes.uint8, name=None,
                 expand_animations=True):
    """Decodes a JPEG, PNG, GIF or BMP image, whichever the bytes are.

    Args:
      contents: a scalar string tensor.
      channels: None/0 (as in the file), 1, 3 or 4.
      dtype: the output dtype; other than uint8/uint16 the values are converted with
        :func:`convert_image_dtype` (floats in [0, 1]).
      name: the name scope.
      expand_animations: GIFs give 4-D ``[frames, h, w, 3]`` tensors; with False, the first
        frame as a 3-D tensor.

    Returns:
      The image tensor (unknown rank when ``expand_animations``). Data in no known format
      raises InvalidArgumentError ("Unknown image file format ...") when run.
    """
    channels = _check_channels(channels, (0, 1, 3, 4), "DecodeImage")
    dtype = _dtypes.as_dtype(dtype).base_dtype
    with name_scope(name, "decode_image", [contents]) as scope:
        raw_dtype = dtype if dtype in (_dtypes.uint8, _dtypes.uint16) else _dtypes.uint8
        image = apply_op("DecodeImage", [_contents_tensor(contents)], [raw_dtype],
                         {"channels": channels, "dtype": raw_dtype,
                          "expand_animations": bool(expand_animations)},
                         "DecodeImage").outputs[0]
        if raw_dtype != dtype:
            return convert_image_dtype(image, dtype, name=scope)
        return image


def extract_jpeg_shape(contents, output_type=_dtypes.int32, name=None):
    """The ``[height, width, channels]`` of a JPEG image, read from its header."""
    output_type = _dtypes.as_dtype(output_type).base_dtype
    return apply_op("ExtractJpegShape", [_contents_tensor(contents)], [output_type],
                    {"output_type": output_type}, name or "ExtractJpegShape").outputs[0]


def encode_jpeg(image, format="", quality=95, progressive=False,  # noqa: A002 - TF's name
                optimize_size=False, chroma_downsampling=True, density_unit="in",
                x_density=300, y_density=300, xmp_metadata="", name=None):
    """JPEG-encodes a uint8 ``[height, width, channels]`` image (1 or 3 channels).

    Returns:
      A scalar string tensor.

    Raises:
      ValueError: ``image`` is not 3-D, or an option is invalid.
    """
    image = convert_to_tensor(image, name="image")
    if image.dtype.base_dtype != _dtypes.uint8:
        raise TypeError("Input 'image' of 'EncodeJpeg' Op has type %s that does not match "
                        "expected type of uint8." % image.dtype.base_dtype.name)
    if format not in ("", "grayscale", "rgb"):
        raise ValueError("format must be '', 'grayscale' or 'rgb', got %r" % (format,))
    if density_unit not in ("in", "cm"):
        raise ValueError("density_unit must be 'in' or 'cm', got %r" % (density_unit,))
    attrs = {"format": format, "quality": int(quality), "progressive": bool(progressive),
             "optimize_size": bool(optimize_size),
             "chroma_downsampling": bool(chroma_downsampling), "density_unit": density_unit,
             "x_density": int(x_density), "y_density": int(y_density),
             "xmp_metadata": xmp_metadata}
    return apply_op("EncodeJpeg", [image], [_dtypes.string], attrs,
                    name or "EncodeJpeg").outputs[0]


def encode_png(image, compression=-1, name=None):
    """PNG-encodes a uint8 or uint16 ``[height, width, channels]`` image (1-4 channels).

    Returns:
      A scalar string tensor.
    """
    image = convert_to_tensor(image, name="image")
    dtype = image.dtype.base_dtype
    if dtype not in (_dtypes.uint8, _dtypes.uint16):
        raise TypeError("Value passed to parameter 'image' has DataType %s not in list of "
                        "allowed values: uint8, uint16" % dtype.name)
    return apply_op("EncodePng", [image], [_dtypes.string],
                    {"compression": int(compression), "T": dtype},
                    name or "EncodePng").outputs[0]


# --------------------------------------------------------------------------- resize kernels

def _resize_scale(in_size, out_size, align_corners):
    if align_corners and out_size > 1:
        return np.float32(in_size - 1) / np.float32(out_size - 1)
    return np.float32(in_size) / np.float32(out_size)


def _cubic(xp, x, a):
    """Keys' cubic convolution kernel for |x| in [0, 2], as TF's coefficient table."""
    near = ((a + 2) * x - (a + 3)) * x * x + 1
    far = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return xp.where(x <= 1, near, far)


def _taps(xp, in_size, out_size, method, align_corners, half_pixel):
    """Per-axis sampling: (indices [out, K] int64, weights [out, K] float32 or None)."""
    scale = _resize_scale(in_size, out_size, align_corners)
    o = xp.arange(out_size, dtype=np.float32)
    last = in_size - 1
    if method == "nearest":
        pos = (o + np.float32(0.5)) * scale if half_pixel else o * scale
        pos = xp.floor(pos + np.float32(0.5)) if align_corners else xp.floor(pos)
        idx = xp.clip(pos, 0, last).astype(np.int64)
        return idx[:, None], None
    if method == "bilinear":
        pos = (o + np.float32(0.5)) * scale - np.float32(0.5) if half_pixel else o * scale
        f = xp.floor(pos)
        lower = xp.maximum(f, 0).astype(np.int64)
        upper = xp.minimum(xp.ceil(pos), last).astype(np.int64)
        lerp = (pos - f).astype(np.float32)
        return xp.stack([lower, upper], axis=1), xp.stack([1 - lerp, lerp], axis=1)
    if method == "bicubic":
        pos = (o + np.float32(0.5)) * scale - np.float32(0.5) if half_pixel else o * scale
        loc = xp.floor(pos)
        offset = xp.rint((pos - loc) * 1024).astype(np.float32)
        a = -0.5 if half_pixel else -0.75
        d = offset / 1024
        dist = xp.stack([1 + d, d, 1 - d, 2 - d], axis=1)
        w = _cubic(xp, dist, a).astype(np.float32)
        raw = loc.astype(np.int64)[:, None] + xp.arange(-1, 3, dtype=np.int64)[None, :]
        idx = xp.clip(raw, 0, last)
        if half_pixel:
            w = xp.where(idx == raw, w, 0)
            total = w.sum(axis=1, keepdims=True)
            w = xp.where(xp.abs(total) > 0, w / xp.where(total == 0, 1, total), w)
        return idx, w.astype(np.float32)
    # area: every input cell the output cell covers, weighted by its covered fraction
    start_pos = o * scale
    end_pos = (o + 1) * scale
    start = xp.floor(start_pos)
    k = int(math.ceil(float(scale))) + 1
    cells = start[:, None] + xp.arange(k, dtype=np.float32)[None, :]
    cover = xp.minimum(cells + 1, end_pos[:, None]) - xp.maximum(cells, start_pos[:, None])
    w = (xp.maximum(cover, 0) / scale).astype(np.float32)
    idx = xp.minimum(cells, last).astype(np.int64)
    return idx, w


def _apply_taps(xp, x, axis, idx, w):
    if w is None:
        return xp.take(x, idx[:, 0], axis=axis)
    shape = [1] * x.ndim
    shape[axis] = idx.shape[0]
    out = None
    for k in range(idx.shape[1]):   # a handful of taps, each a vectorized gather
        part = xp.take(x, idx[:, k], axis=axis) * w[:, k].reshape(shape)
        out = part if out is None else out + part
    return out


def _dense_taps(xp, idx, w, in_size):
    """The [out, in] matrix of one axis' taps (for the adjoint in gradients)."""
    hits = idx[:, :, None] == xp.arange(in_size)[None, None, :]
    if w is None:
        return hits[:, 0, :].astype(np.float32)
    return (hits * w[:, :, None]).sum(axis=1).astype(np.float32)


def _size_values(ctx, size):
    values = [int(v) for v in np.asarray(ctx.to_host(size)).reshape(-1)]
    if len(values) != 2:
        raise errors.InvalidArgumentError(None, ctx.op, "shape_t must have two elements %s"
                                          % (values,))
    if values[0] <= 0 or values[1] <= 0:
        raise errors.InvalidArgumentError(None, ctx.op, "output dimensions must be positive, "
                                          "got %s" % (values,))
    return values


def _resize_kernel(method):
    def kernel(ctx, images, size):
        xp = ctx.xp
        out_h, out_w = _size_values(ctx, size)
        if images.ndim != 4:
            raise errors.InvalidArgumentError(None, ctx.op, "input must be 4-dimensional %s"
                                              % (list(images.shape),))
        _, in_h, in_w, _ = images.shape
        if in_h == 0 or in_w == 0:
            raise errors.InvalidArgumentError(None, ctx.op, "input image must be of non-zero "
                                              "size, got %dx%d" % (in_h, in_w))
        align = ctx.attrs.get("align_corners", False)
        half = ctx.attrs.get("half_pixel_centers", False)
        x = images if method == "nearest" else images.astype(np.float32)
        th = _taps(xp, in_h, out_h, method, align, half)
        tw = _taps(xp, in_w, out_w, method, align, half)
        # Apply the axis that shrinks the data most first.
        if out_h * in_w <= in_h * out_w:
            x = _apply_taps(xp, _apply_taps(xp, x, 1, *th), 2, *tw)
        else:
            x = _apply_taps(xp, _apply_taps(xp, x, 2, *tw), 1, *th)
        return x if method == "nearest" else x.astype(np.float32)
    return kernel


def _resize_grad_kernel(method, size_from_input):
    def kernel(ctx, grads, second):
        xp = ctx.xp
        if size_from_input:
            in_h, in_w = _size_values(ctx, second)
            out_dtype = grads.dtype
        else:
            in_h, in_w = second.shape[1], second.shape[2]
            out_dtype = second.dtype
        out_h, out_w = grads.shape[1], grads.shape[2]
        align = ctx.attrs.get("align_corners", False)
        half = ctx.attrs.get("half_pixel_centers", False)
        mh = _dense_taps(xp, *_taps(xp, in_h, out_h, method, align, half), in_h)
        mw = _dense_taps(xp, *_taps(xp, in_w, out_w, method, align, half), in_w)
        g = grads.astype(np.float32)
        g = xp.einsum("bowc,oh->bhwc", g, mh)
        g = xp.einsum("bhoc,ow->bhwc", g, mw)
        return g.astype(out_dtype)
    return kernel


def _resize_shape(op):
    images, size = op.inputs
    s = images.shape
    if s.ndims is not None and s.ndims != 4:
        raise ValueError("Shape must be rank 4 but is rank %d" % s.ndims)
    if size.shape.ndims is not None:
        if size.shape.ndims != 1:
            raise ValueError("Shape must be rank 1 but is rank %d" % size.shape.ndims)
        n = size.shape.as_list()[0]
        if n is not None and n != 2:
            raise ValueError("Dimension must be 2 but is %d" % n)
    hw = constant_value(size)
    h, w = (None, None) if hw is None else (int(hw[0]), int(hw[1]))
    dims = s.as_list() if s.ndims is not None else [None] * 4
    return [TensorShape([dims[0], h, w, dims[3]])]


def _resize_grad_shape_from_image(op):
    return [op.inputs[1].shape]


def _resize_grad_shape_from_size(op):
    g = op.inputs[0].shape
    hw = constant_value(op.inputs[1])
    h, w = (None, None) if hw is None else (int(hw[0]), int(hw[1]))
    dims = g.as_list() if g.ndims is not None else [None] * 4
    return [TensorShape([dims[0], h, w, dims[3]])]


def _resize_bilinear_grad(op, grad):
    images = op.inputs[0]
    attrs = {"T": images.dtype.base_dtype, "align_corners": op.get_attr("align_corners"),
             "half_pixel_centers": op.get_attr("half_pixel_centers")}
    g = apply_op("ResizeBilinearGrad", [grad, images], [images.dtype.base_dtype], attrs,
                 "ResizeBilinearGrad").outputs[0]
    return [g if images.dtype.is_floating else None, None]


def _resize_bicubic_grad(op, grad):
    images = op.inputs[0]
    attrs = {"T": images.dtype.base_dtype, "align_corners": op.get_attr("align_corners"),
             "half_pixel_centers": op.get_attr("half_pixel_centers")}
    g = apply_op("ResizeBicubicGrad", [grad, images], [images.dtype.base_dtype], attrs,
                 "ResizeBicubicGrad").outputs[0]
    return [g if images.dtype.is_floating else None, None]


def _resize_nearest_grad(op, grad):
    from tensorslim.core.ops import array_ops, manip_ops
    images = op.inputs[0]
    if not images.dtype.is_floating:
        return [None, None]
    size = manip_ops.strided_slice(array_ops.shape(images), [1], [3])
    attrs = {"T": grad.dtype.base_dtype, "align_corners": op.get_attr("align_corners"),
             "half_pixel_centers": op.get_attr("half_pixel_centers")}
    g = apply_op("ResizeNearestNeighborGrad", [grad, size], [grad.dtype.base_dtype], attrs,
                 "ResizeNearestNeighborGrad").outputs[0]
    return [g, None]


register_op("ResizeBilinear", shape=_resize_shape, kernel=_resize_kernel("bilinear"),
            grad=_resize_bilinear_grad)
register_op("ResizeNearestNeighbor", shape=_resize_shape, kernel=_resize_kernel("nearest"),
            grad=_resize_nearest_grad)
register_op("ResizeBicubic", shape=_resize_shape, kernel=_resize_kernel("bicubic"),
            grad=_resize_bicubic_grad)
register_op("ResizeArea", shape=_resize_shape, kernel=_resize_kernel("area"))
register_op("ResizeBilinearGrad", shape=_resize_grad_shape_from_image,
            kernel=_resize_grad_kernel("bilinear", False), grad=_NO_GRAD)
register_op("ResizeBicubicGrad", shape=_resize_grad_shape_from_image,
            kernel=_resize_grad_kernel("bicubic", False), grad=_NO_GRAD)
register_op("ResizeNearestNeighborGrad", shape=_resize_grad_shape_from_size,
            kernel=_resize_grad_kernel("nearest", True), grad=_NO_GRAD)


def _resize_op(op_type, images, size, align_corners, half_pixel_centers, name):
    images = convert_to_tensor(images, name="images")
    size = convert_to_tensor(size, dtype=_dtypes.int32, name="size")
    if align_corners and half_pixel_centers:
        raise ValueError("If half_pixel_centers is True, align_corners must be False.")
    dtype = images.dtype.base_dtype
    if op_type == "ResizeNearestNeighbor":
        out = dtype
    else:
        out = _dtypes.float32
    if not (dtype.is_integer or dtype.is_floating):
        raise TypeError("Value passed to parameter 'images' has DataType %s not in list of "
                        "allowed values: int8, uint8, int16, uint16, int32, int64, half, float, "
                        "double" % dtype.name)
    attrs = {"T": dtype, "align_corners": bool(align_corners)}
    if op_type != "ResizeArea":  # TF's ResizeArea has no half_pixel_centers attr
        attrs["half_pixel_centers"] = bool(half_pixel_centers)
    return apply_op(op_type, [images, size], [out], attrs, name or op_type).outputs[0]


def resize_bilinear(images, size, align_corners=False, name=None, half_pixel_centers=False):
    """``tf.image.resize_bilinear``: the raw ``ResizeBilinear`` op (4-D, float32 output)."""
    return _resize_op("ResizeBilinear", images, size, align_corners, half_pixel_centers, name)


def resize_nearest_neighbor(images, size, align_corners=False, name=None,
                            half_pixel_centers=False):
    """``tf.image.resize_nearest_neighbor``: the raw op (4-D, keeps the dtype)."""
    return _resize_op("ResizeNearestNeighbor", images, size, align_corners, half_pixel_centers,
                      name)


def resize_bicubic(images, size, align_corners=False, name=None, half_pixel_centers=False):
    """``tf.image.resize_bicubic``: the raw op (4-D, float32 output)."""
    return _resize_op("ResizeBicubic", images, size, align_corners, half_pixel_centers, name)


def resize_area(images, size, align_corners=False, name=None):
    """``tf.image.resize_area``: the raw op (4-D, float32 output, no gradient)."""
    return _resize_op("ResizeArea", images, size, align_corners, False, name)


class ResizeMethod:
    """``tf.image.ResizeMethod`` (TF1's integer values)."""

    BILINEAR = 0
    NEAREST_NEIGHBOR = 1
    BICUBIC = 2
    AREA = 3


_RESIZERS = {ResizeMethod.BILINEAR: resize_bilinear,
             ResizeMethod.NEAREST_NEIGHBOR: resize_nearest_neighbor,
             ResizeMethod.BICUBIC: resize_bicubic,
             "bilinear": resize_bilinear, "nearest": resize_nearest_neighbor,
             "bicubic": resize_bicubic}


def resize_images(images, size, method=ResizeMethod.BILINEAR, align_corners=False,
                  preserve_aspect_ratio=False, name=None):
    """Resizes ``images`` (3-D ``[h, w, c]`` or 4-D ``[batch, h, w, c]``) to ``size``.

    As TF1: BILINEAR, BICUBIC and AREA give float32, NEAREST_NEIGHBOR keeps the dtype,
    and when the static size already matches the image is returned unchanged.

    Args:
      images: the image(s).
      size: ``[new_height, new_width]`` (int32).
      method: a :class:`ResizeMethod` value.
      align_corners: map the corner pixels of input and output onto each other.
      preserve_aspect_ratio: scale to fit inside ``size`` keeping the aspect ratio.
      name: the name scope.

    Returns:
      The resized image(s).

    Raises:
      ValueError: ``images`` is not 3-D or 4-D, or ``size`` is not a 2-vector, or the method
        is unknown.
    """
    from tensorslim.core.ops import array_ops, math_ops
    with name_scope(name, "resize_images", [images, size]):
        images = convert_to_tensor(images, name="images")
        if images.shape.ndims is None:
            raise ValueError("'images' contains no shape.")
        is_batch = images.shape.ndims == 4
        if images.shape.ndims == 3:
            images = array_ops.expand_dims(images, 0)
        elif images.shape.ndims != 4:
            raise ValueError("'images' must have either 3 or 4 dimensions.")
        _, height, width, _ = images.shape.as_list()
        try:
            size = convert_to_tensor(size, _dtypes.int32, name="size")
        except (TypeError, ValueError):
            raise ValueError("'size' must be a 1-D int32 Tensor") from None
        if not size.shape.is_compatible_with(TensorShape([2])):
            raise ValueError("'size' must be a 1-D Tensor of 2 elements: new_height, new_width")
        const = constant_value(size)
        new_h, new_w = (None, None) if const is None else (int(const[0]), int(const[1]))
        if preserve_aspect_ratio:
            if None not in (new_h, new_w, height, width):
                factor = min(new_h / height, new_w / width)
                new_h, new_w = int(round(factor * height)), int(round(factor * width))
                size = convert_to_tensor([new_h, new_w], _dtypes.int32, name="size")
            else:
                dims = _image_dimensions(images, 4)
                cur_h = math_ops.cast(dims[1], _dtypes.float32)
                cur_w = math_ops.cast(dims[2], _dtypes.float32)
                factor = math_ops.minimum(math_ops.cast(size[0], _dtypes.float32) / cur_h,
                                          math_ops.cast(size[1], _dtypes.float32) / cur_w)
                size = array_ops.stack([
                    math_ops.cast(math_ops.round(factor * cur_h), _dtypes.int32),
                    math_ops.cast(math_ops.round(factor * cur_w), _dtypes.int32)])
                new_h = new_w = None
        if None not in (new_h, new_w, height, width) and (new_h, new_w) == (height, width):
            return images if is_batch else array_ops.squeeze(images, axis=[0])
        if method == ResizeMethod.AREA or method == "area":
            images = resize_area(images, size, align_corners=align_corners)
        elif method in _RESIZERS:
            images = _RESIZERS[method](images, size, align_corners=align_corners)
        else:
            raise ValueError("Resize method is not implemented.")
        images.set_shape([None, new_h, new_w, None])
        return images if is_batch else array_ops.squeeze(images, axis=[0])


resize = resize_images


# --------------------------------------------------------------------------- crop / pad

def _is_tensor(x):
    return isinstance(x, Tensor)


def _image_dimensions(image, rank):
    """Static dims where known, scalar int32 tensors otherwise (as TF's helper)."""
    from tensorslim.core.ops import array_ops
    if image.shape.is_fully_defined():
        return image.shape.as_list()
    static = image.shape.with_rank(rank).as_list() if image.shape.ndims is not None \
        else [None] * rank
    dynamic = array_ops.unstack(array_ops.shape(image), rank)
    return [s if s is not None else d for s, d in zip(static, dynamic)]


def _assert(cond, ex_type, msg):
    """A run-time Assert for a tensor condition; raises ``ex_type(msg)`` for a false bool."""
    from tensorslim.core.ops import check_ops
    if _is_tensor(cond):
        return [check_ops.Assert(cond, [msg])]
    if not cond:
        raise ex_type(msg)
    return []


def _with_dependencies(deps, x):
    from tensorslim.core.ops import array_ops
    if not deps:
        return x
    with control_dependencies(deps):
        return array_ops.identity(x)


def _as_4d(image, what="image"):
    from tensorslim.core.ops import array_ops
    image = convert_to_tensor(image, name=what)
    ndims = image.shape.ndims
    if ndims == 3:
        return array_ops.expand_dims(image, 0), False
    if ndims == 4:
        return image, True
    if ndims is None:
        raise ValueError("'%s' (shape %s) must have a known rank (3 or 4 dimensions)."
                         % (what, image.shape))
    raise ValueError("'%s' (shape %s) must have either 3 or 4 dimensions." % (what, image.shape))


def _from_4d(image, is_batch):
    from tensorslim.core.ops import array_ops
    return image if is_batch else array_ops.squeeze(image, axis=[0])


def crop_to_bounding_box(image, offset_height, offset_width, target_height, target_width):
    """Crops ``image`` (3-D or 4-D) to the box at (offset_height, offset_width) of size
    (target_height, target_width).

    Raises:
      ValueError: statically invalid offsets or sizes (as TF: "offset_width must be >= 0.",
        "width must be >= target + offset." ...); dynamic ones fail when run.
    """
    from tensorslim.core.ops import array_ops, manip_ops
    with name_scope(None, "crop_to_bounding_box", [image]):
        image, is_batch = _as_4d(image)
        batch, height, width, depth = _image_dimensions(image, 4)
        checks = []
        checks += _assert(offset_width >= 0, ValueError, "offset_width must be >= 0.")
        checks += _assert(offset_height >= 0, ValueError, "offset_height must be >= 0.")
        checks += _assert(target_width > 0, ValueError, "target_width must be > 0.")
        checks += _assert(target_height > 0, ValueError, "target_height must be > 0.")
        checks += _assert(width >= (target_width + offset_width), ValueError,
                          "width must be >= target + offset.")
        checks += _assert(height >= (target_height + offset_height), ValueError,
                          "height must be >= target + offset.")
        image = _with_dependencies(checks, image)
        cropped = manip_ops.slice(image, array_ops.stack([0, offset_height, offset_width, 0]),
                                  array_ops.stack([-1, target_height, target_width, -1]))
        cropped.set_shape([None if _is_tensor(i) else i
                           for i in (batch, target_height, target_width, depth)])
        return _from_4d(cropped, is_batch)


def pad_to_bounding_box(image, offset_height, offset_width, target_height, target_width):
    """Pads ``image`` with zeros to (target_height, target_width), placing it at the offsets.

    Raises:
      ValueError: statically invalid offsets or sizes ("width must be <= target - offset").
    """
    from tensorslim.core.ops import array_ops, manip_ops
    with name_scope(None, "pad_to_bounding_box", [image]):
        image, is_batch = _as_4d(image)
        batch, height, width, depth = _image_dimensions(image, 4)
        after_w = target_width - offset_width - width
        after_h = target_height - offset_height - height
        checks = []
        checks += _assert(offset_height >= 0, ValueError, "offset_height must be >= 0")
        checks += _assert(offset_width >= 0, ValueError, "offset_width must be >= 0")
        checks += _assert(after_w >= 0, ValueError, "width must be <= target - offset")
        checks += _assert(after_h >= 0, ValueError, "height must be <= target - offset")
        image = _with_dependencies(checks, image)
        paddings = array_ops.reshape(
            array_ops.stack([0, 0, offset_height, after_h, offset_width, after_w, 0, 0]), [4, 2])
        padded = manip_ops.pad(image, paddings)
        padded.set_shape([None if _is_tensor(i) else i
                          for i in (batch, target_height, target_width, depth)])
        return _from_4d(padded, is_batch)


def resize_image_with_crop_or_pad(image, target_height, target_width):
    """Centrally crops and/or zero-pads ``image`` to (target_height, target_width).

    Raises:
      ValueError: a static target size is not positive, or ``image`` is not 3-D/4-D.
    """
    from tensorslim.core.ops import math_ops
    with name_scope(None, "resize_image_with_crop_or_pad", [image]):
        image, is_batch = _as_4d(image)
        checks = []
        checks += _assert(target_width > 0, ValueError, "target_width must be > 0.")
        checks += _assert(target_height > 0, ValueError, "target_height must be > 0.")
        image = _with_dependencies(checks, image)

        def max_(x, y):
            return math_ops.maximum(x, y) if _is_tensor(x) or _is_tensor(y) else max(x, y)

        def min_(x, y):
            return math_ops.minimum(x, y) if _is_tensor(x) or _is_tensor(y) else min(x, y)

        _, height, width, _ = _image_dimensions(image, 4)
        width_diff = target_width - width
        height_diff = target_height - height
        offset_crop_width = max_(-width_diff // 2, 0)
        offset_pad_width = max_(width_diff // 2, 0)
        offset_crop_height = max_(-height_diff // 2, 0)
        offset_pad_height = max_(height_diff // 2, 0)
        cropped = crop_to_bounding_box(image, offset_crop_height, offset_crop_width,
                                       min_(target_height, height), min_(target_width, width))
        resized = pad_to_bounding_box(cropped, offset_pad_height, offset_pad_width,
                                      target_height, target_width)
        return _from_4d(resized, is_batch)


def central_crop(image, central_fraction):
    """Crops the central ``central_fraction`` of ``image`` (3-D or 4-D) in height and width.

    Raises:
      ValueError: ``central_fraction`` is not in (0, 1], or the rank is not 3 or 4.
    """
    from tensorslim.core.ops import array_ops, manip_ops, math_ops
    with name_scope(None, "central_crop", [image]):
        image = convert_to_tensor(image, name="image")
        if central_fraction <= 0.0 or central_fraction > 1.0:
            raise ValueError("central_fraction must be within (0, 1]")
        if central_fraction == 1.0:
            return image
        rank = image.shape.ndims
        if rank not in (3, 4):
            raise ValueError("`image` should either be a Tensor with rank = 3 or rank = 4. Had "
                             "rank = %s." % rank)
        dims = _image_dimensions(image, rank)
        h, w = dims[-3], dims[-2]

        def start_of(size):
            if _is_tensor(size):
                sd = math_ops.cast(size, _dtypes.float64)
                return math_ops.cast((sd - sd * central_fraction) / 2, _dtypes.int32)
            return int((float(size) - float(size) * central_fraction) / 2)
        h0, w0 = start_of(h), start_of(w)
        hs, ws = h - h0 * 2, w - w0 * 2
        if rank == 3:
            begin, size = [h0, w0, 0], [hs, ws, -1]
        else:
            begin, size = [0, h0, w0, 0], [-1, hs, ws, -1]
        out = manip_ops.slice(image, array_ops.stack(begin), array_ops.stack(size))
        static = [None if _is_tensor(d) else d for d in (hs, ws)]
        if rank == 3:
            out.set_shape(static + [dims[2] if not _is_tensor(dims[2]) else None])
        else:
            out.set_shape([None if _is_tensor(dims[0]) else dims[0]] + static +
                          [None if _is_tensor(dims[3]) else dims[3]])
        return out


def random_crop(value, size, seed=None, name=None):
    """``tf.image.random_crop`` (``tf.random_crop``): a random ``size`` slice of ``value``."""
    from tensorslim.core.ops import random_ops
    return random_ops.random_crop(value, size, seed=seed, name=name)


# --------------------------------------------------------------------------- flips, rotations

def _check_image_rank(image, what="image"):
    ndims = image.shape.ndims
    if ndims is None:
        raise ValueError("'%s' (shape %s) must have a known rank." % (what, image.shape))
    if ndims < 3:
        raise ValueError("'%s' (shape %s) must be at least three-dimensional."
                         % (what, image.shape))
    if ndims > 4:
        raise ValueError("'%s' (shape %s) must have either 3 or 4 dimensions."
                         % (what, image.shape))
    return ndims


def _flip(image, axis, scope):
    from tensorslim.core.ops import manip_ops
    with name_scope(None, scope, [image]) as name:
        image = convert_to_tensor(image, name="image")
        ndims = _check_image_rank(image)
        return manip_ops.reverse_v2(image, [axis + ndims - 3], name=name)


def flip_left_right(image):
    """Mirrors ``image`` (3-D or 4-D) horizontally (``ReverseV2`` on the width axis)."""
    return _flip(image, 1, "flip_left_right")


def flip_up_down(image):
    """Mirrors ``image`` (3-D or 4-D) vertically (``ReverseV2`` on the height axis)."""
    return _flip(image, 0, "flip_up_down")


def _random_flip(image, axis, seed, scope):
    from tensorslim.core.ops import array_ops, manip_ops, math_ops, random_ops
    with name_scope(None, scope, [image]) as name:
        image = convert_to_tensor(image, name="image")
        ndims = _check_image_rank(image)
        flipped = manip_ops.reverse_v2(image, [axis + ndims - 3])
        if ndims == 3:
            draw = random_ops.random_uniform([], 0, 1.0, seed=seed)
            mirror = math_ops.less(draw, 0.5)
        else:
            batch = array_ops.shape(image)[:1]
            draw = random_ops.random_uniform(batch, 0, 1.0, seed=seed)
            mirror = array_ops.reshape(math_ops.less(draw, 0.5), [-1, 1, 1, 1])
        return math_ops.where_v2(mirror, flipped, image, name=name)


def random_flip_left_right(image, seed=None):
    """Mirrors ``image`` horizontally with probability 1/2 (each image of a batch apart)."""
    return _random_flip(image, 1, seed, "random_flip_left_right")


def random_flip_up_down(image, seed=None):
    """Mirrors ``image`` vertically with probability 1/2 (each image of a batch apart)."""
    return _random_flip(image, 0, seed, "random_flip_up_down")


def transpose_image(image):
    """Swaps height and width of ``image`` (3-D or 4-D)."""
    from tensorslim.core.ops import manip_ops
    with name_scope(None, "transpose_image", [image]) as name:
        image = convert_to_tensor(image, name="image")
        ndims = _check_image_rank(image)
        perm = [1, 0, 2] if ndims == 3 else [0, 2, 1, 3]
        return manip_ops.transpose(image, perm, name=name)


def rot90(image, k=1, name=None):
    """Rotates ``image`` (3-D or 4-D) counter-clockwise by ``k`` quarter turns.

    ``k`` may be a Python int or a scalar int32 tensor (then the four cases are built with
    ``tf.case``).
    """
    from tensorslim.core.ops import cond_ops, manip_ops, math_ops
    with name_scope(name, "rot90", [image, k]) as scope:
        image = convert_to_tensor(image, name="image")
        ndims = _check_image_rank(image)
        h, w = ndims - 3, ndims - 2
        perm = [1, 0, 2] if ndims == 3 else [0, 2, 1, 3]

        def rot(n):
            if n == 0:
                return image
            if n == 1:
                return manip_ops.transpose(manip_ops.reverse_v2(image, [w]), perm)
            if n == 2:
                return manip_ops.reverse_v2(image, [h, w])
            return manip_ops.reverse_v2(manip_ops.transpose(image, perm), [w])
        kv = constant_value(k) if _is_tensor(k) else k
        if kv is not None:
            return rot(int(kv) % 4)
        k = math_ops.floormod(convert_to_tensor(k, dtype=_dtypes.int32, name="k"), 4)
        return cond_ops.case([(math_ops.equal(k, 1), lambda: rot(1)),
                              (math_ops.equal(k, 2), lambda: rot(2)),
                              (math_ops.equal(k, 3), lambda: rot(3))],
                             default=lambda: rot(0), exclusive=True, name=scope)


# --------------------------------------------------------------------------- dtype, color

def convert_image_dtype(image, dtype, saturate=False, name=None):
    """Converts ``image`` to ``dtype``, rescaling values as TF does.

    Integers represent ``[0, MAX]`` and floats ``[0, 1)``: uint8 -> float32 divides by 255,
    float32 -> uint8 multiplies by 255.5 and truncates; with ``saturate`` out-of-range values
    are clipped before casting.

    Raises:
      AttributeError: ``image`` or ``dtype`` is neither integer nor floating point.
    """
    from tensorslim.core.ops import array_ops, math_ops
    image = convert_to_tensor(image, name="image")
    dtype = _dtypes.as_dtype(dtype).base_dtype
    src = image.dtype.base_dtype
    for d in (src, dtype):
        if not (d.is_integer or d.is_floating):
            raise AttributeError("dtype must be either floating point or integer, got %s"
                                 % d.name)
    if src == dtype:
        return array_ops.identity(image, name=name)
    with name_scope(name, "convert_image", [image]) as scope:
        if src.is_integer and dtype.is_integer:
            scale_in, scale_out = src.max, dtype.max
            if scale_in > scale_out:
                scale = (scale_in + 1) // (scale_out + 1)
                scaled = math_ops.floordiv(image, convert_to_tensor(scale, dtype=src))
                if saturate:
                    return math_ops.saturate_cast(scaled, dtype, name=scope)
                return math_ops.cast(scaled, dtype, name=scope)
            cast = math_ops.saturate_cast(image, dtype) if saturate else \
                math_ops.cast(image, dtype)
            scale = (scale_out + 1) // (scale_in + 1)
            return math_ops.multiply(cast, convert_to_tensor(scale, dtype=dtype), name=scope)
        if src.is_floating and dtype.is_floating:
            return math_ops.cast(image, dtype, name=scope)
        if src.is_integer:
            cast = math_ops.cast(image, dtype)
            return math_ops.multiply(cast, convert_to_tensor(1.0 / src.max, dtype=dtype),
                                     name=scope)
        scaled = math_ops.multiply(image, convert_to_tensor(dtype.max + 0.5, dtype=src))
        if saturate:
            return math_ops.saturate_cast(scaled, dtype, name=scope)
        return math_ops.cast(scaled, dtype, name=scope)


def _float_image(image):
    image = convert_to_tensor(image, name="image")
    orig = image.dtype.base_dtype
    if orig in (_dtypes.float16, _dtypes.float32):
        return image, orig
    return convert_image_dtype(image, _dtypes.float32), orig


def adjust_brightness(image, delta):
    """Adds ``delta`` to every value of ``image`` (in float, then converted back, saturated)."""
    from tensorslim.core.ops import math_ops
    with name_scope(None, "adjust_brightness", [image, delta]) as name:
        flt, orig = _float_image(image)
        adjusted = math_ops.add(flt, math_ops.cast(delta, flt.dtype), name=name)
        return convert_image_dtype(adjusted, orig, saturate=True)


def _adjust_contrast_kernel(ctx, images, factor):
    xp = ctx.xp
    mean = xp.mean(images.astype(np.float32), axis=(-3, -2), keepdims=True)
    out = (images.astype(np.float32) - mean) * factor.astype(np.float32) + mean
    return out.astype(images.dtype)


def _adjust_contrast_grad(op, grad):
    from tensorslim.core.ops import math_ops
    x, factor = op.inputs
    f = math_ops.cast(factor, grad.dtype)
    mean_g = math_ops.reduce_mean(grad, axis=[-3, -2], keepdims=True)
    dx = grad * f + mean_g * (1.0 - f)
    mean_x = math_ops.reduce_mean(x, axis=[-3, -2], keepdims=True)
    df = math_ops.reduce_sum(grad * (x - mean_x))
    return [dx, math_ops.cast(df, factor.dtype.base_dtype)]


def _adjust_contrast_shape(op):
    s = op.inputs[0].shape
    if s.ndims is not None and s.ndims < 3:
        raise ValueError("Shape must be at least rank 3 but is rank %d" % s.ndims)
    f = op.inputs[1].shape
    if f.ndims is not None and f.ndims != 0:
        raise ValueError("Shape must be rank 0 but is rank %d" % f.ndims)
    return [s]


register_op("AdjustContrastv2", shape=_adjust_contrast_shape, kernel=_adjust_contrast_kernel,
            grad=_adjust_contrast_grad)


def adjust_contrast(images, contrast_factor):
    """``(x - mean) * contrast_factor + mean`` per image and channel (``AdjustContrastv2``)."""
    from tensorslim.core.ops import math_ops
    with name_scope(None, "adjust_contrast", [images, contrast_factor]) as name:
        flt, orig = _float_image(images)
        factor = math_ops.cast(contrast_factor, _dtypes.float32)
        adjusted = apply_op("AdjustContrastv2", [flt, factor], [flt.dtype.base_dtype],
                            {"T": flt.dtype.base_dtype}, name).outputs[0]
        return convert_image_dtype(adjusted, orig, saturate=True)


def _rgb_to_hsv(xp, rgb):
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    v = xp.maximum(xp.maximum(r, g), b)
    rng = v - xp.minimum(xp.minimum(r, g), b)
    s = xp.where(v > 0, rng / xp.where(v > 0, v, 1), 0)
    norm = 1 / (6 * xp.where(rng > 0, rng, 1))
    h = xp.where(r == v, norm * (g - b),
                 xp.where(g == v, norm * (b - r) + 2.0 / 6, norm * (r - g) + 4.0 / 6))
    h = xp.where(rng > 0, h, 0)
    h = xp.where(h < 0, h + 1, h)
    return h, s, v


def _hsv_to_rgb(xp, h, s, v):
    dh = h * 6
    dr = xp.clip(xp.abs(dh - 3) - 1, 0, 1)
    dg = xp.clip(2 - xp.abs(dh - 2), 0, 1)
    db = xp.clip(2 - xp.abs(dh - 4), 0, 1)
    oms = 1 - s
    return xp.stack([(oms + s * dr) * v, (oms + s * dg) * v, (oms + s * db) * v], axis=-1)


def _check_rgb(ctx, images):
    if images.ndim < 1 or images.shape[-1] != 3:
        raise errors.InvalidArgumentError(None, ctx.op, "input must have 3 channels but input "
                                          "only has %s channels."
                                          % (images.shape[-1] if images.ndim else 0))


def _rgb_to_hsv_kernel(ctx, images):
    _check_rgb(ctx, images)
    return ctx.xp.stack(_rgb_to_hsv(ctx.xp, images), axis=-1).astype(images.dtype)


def _hsv_to_rgb_kernel(ctx, images):
    _check_rgb(ctx, images)
    return _hsv_to_rgb(ctx.xp, images[..., 0], images[..., 1],
                       images[..., 2]).astype(images.dtype)


def _adjust_hue_kernel(ctx, images, delta):
    _check_rgb(ctx, images)
    xp = ctx.xp
    h, s, v = _rgb_to_hsv(xp, images.astype(np.float32))
    h = xp.mod(h + delta.astype(np.float32), 1.0)
    return _hsv_to_rgb(xp, h, s, v).astype(images.dtype)


def _adjust_saturation_kernel(ctx, images, scale):
    _check_rgb(ctx, images)
    xp = ctx.xp
    h, s, v = _rgb_to_hsv(xp, images.astype(np.float32))
    s = xp.clip(s * scale.astype(np.float32), 0, 1)
    return _hsv_to_rgb(xp, h, s, v).astype(images.dtype)


def _rgb_shape(op):
    s = op.inputs[0].shape
    if s.ndims is not None:
        if s.ndims < 1:
            raise ValueError("Shape must be at least rank 1 but is rank 0")
        c = s.as_list()[-1]
        if c is not None and c != 3:
            raise ValueError("Dimension must be 3 but is %d" % c)
    return [s]


register_op("RGBToHSV", shape=_rgb_shape, kernel=_rgb_to_hsv_kernel)
register_op("HSVToRGB", shape=_rgb_shape, kernel=_hsv_to_rgb_kernel)
register_op("AdjustHue", shape=_rgb_shape, kernel=_adjust_hue_kernel)
register_op("AdjustSaturation", shape=_rgb_shape, kernel=_adjust_saturation_kernel)


def _float_color_input(images, op_name):
    images = convert_to_tensor(images, name="images")
    if not images.dtype.is_floating:
        raise TypeError("Value passed to parameter 'images' has DataType %s not in list of "
                        "allowed values: half, bfloat16, float, double (%s)"
                        % (images.dtype.base_dtype.name, op_name))
    return images


def rgb_to_hsv(images, name=None):
    """Converts float RGB images (last dimension 3, values in [0, 1]) to HSV."""
    images = _float_color_input(images, "RGBToHSV")
    return apply_op("RGBToHSV", [images], [images.dtype.base_dtype],
                    {"T": images.dtype.base_dtype}, name or "RGBToHSV").outputs[0]


def hsv_to_rgb(images, name=None):
    """Converts float HSV images (last dimension 3, values in [0, 1]) to RGB."""
    images = _float_color_input(images, "HSVToRGB")
    return apply_op("HSVToRGB", [images], [images.dtype.base_dtype],
                    {"T": images.dtype.base_dtype}, name or "HSVToRGB").outputs[0]


def adjust_hue(image, delta, name=None):
    """Rotates the hue of RGB ``image`` by ``delta`` (in [-1, 1], fractions of a turn)."""
    from tensorslim.core.ops import math_ops
    with name_scope(name, "adjust_hue", [image]) as scope:
        image = convert_to_tensor(image, name="image")
        orig = image.dtype.base_dtype
        flt = image if orig in (_dtypes.float16, _dtypes.float32) else \
            convert_image_dtype(image, _dtypes.float32)
        out = apply_op("AdjustHue", [flt, math_ops.cast(delta, _dtypes.float32)],
                       [flt.dtype.base_dtype], {"T": flt.dtype.base_dtype}, scope).outputs[0]
        return out if out.dtype.base_dtype == orig else convert_image_dtype(out, orig)


def adjust_saturation(image, saturation_factor, name=None):
    """Multiplies the saturation of RGB ``image`` by ``saturation_factor`` (clipped to 1)."""
    from tensorslim.core.ops import math_ops
    with name_scope(name, "adjust_saturation", [image]) as scope:
        image = convert_to_tensor(image, name="image")
        orig = image.dtype.base_dtype
        flt = image if orig in (_dtypes.float16, _dtypes.float32) else \
            convert_image_dtype(image, _dtypes.float32)
        out = apply_op("AdjustSaturation",
                       [flt, math_ops.cast(saturation_factor, _dtypes.float32)],
                       [flt.dtype.base_dtype], {"T": flt.dtype.base_dtype}, scope).outputs[0]
        return out if out.dtype.base_dtype == orig else convert_image_dtype(out, orig)


def adjust_gamma(image, gamma=1, gain=1):
    """``gain * image ** gamma`` (integer images are scaled to [0, 1] and back).

    Raises:
      ValueError: a static ``gamma`` is negative.
    """
    from tensorslim.core.ops import math_ops
    with name_scope(None, "adjust_gamma", [image, gamma, gain]) as name:
        image = convert_to_tensor(image, name="image")
        orig = image.dtype.base_dtype
        if not _is_tensor(gamma) and gamma < 0:
            raise ValueError("Gamma should be a non-negative real number.")
        flt = image if orig.is_floating else convert_image_dtype(image, _dtypes.float32)
        out = math_ops.multiply(math_ops.pow(flt, math_ops.cast(gamma, flt.dtype)),
                                math_ops.cast(gain, flt.dtype),
                                name=name if orig.is_floating else None)
        return out if orig.is_floating else convert_image_dtype(out, orig, saturate=True)


def _random_factor(lower, upper, seed):
    from tensorslim.core.ops import random_ops
    return random_ops.random_uniform([], lower, upper, seed=seed)


def random_brightness(image, max_delta, seed=None):
    """:func:`adjust_brightness` by a delta uniform in ``[-max_delta, max_delta)``.

    Raises:
      ValueError: ``max_delta`` is negative.
    """
    if max_delta < 0:
        raise ValueError("max_delta must be non-negative.")
    return adjust_brightness(image, _random_factor(-max_delta, max_delta, seed))


def _check_range(lower, upper):
    if upper <= lower:
        raise ValueError("upper must be > lower.")
    if lower < 0:
        raise ValueError("lower must be non-negative.")


def random_contrast(image, lower, upper, seed=None):
    """:func:`adjust_contrast` by a factor uniform in ``[lower, upper)``.

    Raises:
      ValueError: ``upper <= lower`` or ``lower < 0``.
    """
    _check_range(lower, upper)
    return adjust_contrast(image, _random_factor(lower, upper, seed))


def random_hue(image, max_delta, seed=None):
    """:func:`adjust_hue` by a delta uniform in ``[-max_delta, max_delta)``.

    Raises:
      ValueError: ``max_delta`` is not in [0, 0.5].
    """
    if max_delta > 0.5:
        raise ValueError("max_delta must be <= 0.5.")
    if max_delta < 0:
        raise ValueError("max_delta must be non-negative.")
    return adjust_hue(image, _random_factor(-max_delta, max_delta, seed))


def random_saturation(image, lower, upper, seed=None):
    """:func:`adjust_saturation` by a factor uniform in ``[lower, upper)``.

    Raises:
      ValueError: ``upper <= lower`` or ``lower < 0``.
    """
    _check_range(lower, upper)
    return adjust_saturation(image, _random_factor(lower, upper, seed))


def per_image_standardization(image):
    """Scales each image to zero mean and unit variance (TF1's formula, on float32 casts).

    ``(x - mean) / max(stddev, 1 / sqrt(num_pixels))`` over the last three dimensions.
    """
    from tensorslim.core.ops import array_ops, math_ops
    with name_scope(None, "per_image_standardization", [image]) as scope:
        image = convert_to_tensor(image, name="image")
        _check_image_rank(image)
        num_pixels = math_ops.reduce_prod(array_ops.shape(image)[-3:])
        image = math_ops.cast(image, _dtypes.float32)
        mean = math_ops.reduce_mean(image, axis=[-1, -2, -3], keepdims=True)
        variance = math_ops.reduce_mean(math_ops.square(image), axis=[-1, -2, -3],
                                        keepdims=True) - math_ops.square(mean)
        variance = math_ops.maximum(variance, 0.0)
        stddev = math_ops.sqrt(variance)
        min_stddev = math_ops.rsqrt(math_ops.cast(num_pixels, _dtypes.float32))
        scale = math_ops.maximum(stddev, min_stddev)
        return math_ops.truediv(math_ops.subtract(image, mean), scale, name=scope)


def rgb_to_grayscale(images, name=None):
    """Converts RGB images (last dimension 3) to grayscale (last dimension 1).

    Uses TF's weights ``[0.2989, 0.5870, 0.1140]`` in float, then converts back to the
    input's dtype.
    """
    from tensorslim.core.ops import math_ops
    with name_scope(name, "rgb_to_grayscale", [images]) as scope:
        images = convert_to_tensor(images, name="images")
        orig = images.dtype.base_dtype
        flt = convert_image_dtype(images, _dtypes.float32)
        weights = convert_to_tensor(np.array([0.2989, 0.5870, 0.1140], np.float32),
                                    name="rgb_weights")
        gray = math_ops.reduce_sum(flt * weights, axis=-1, keepdims=True)
        return convert_image_dtype(gray, orig, name=scope)


def grayscale_to_rgb(images, name=None):
    """Repeats the single channel of grayscale ``images`` three times.

    Raises:
      ValueError: the last dimension is statically known and not 1.
    """
    from tensorslim.core.ops import array_ops, manip_ops
    with name_scope(name, "grayscale_to_rgb", [images]) as scope:
        images = convert_to_tensor(images, name="images")
        s = images.shape
        if s.ndims is not None:
            if s.ndims < 2:
                raise ValueError("A grayscale image (shape %s) must be at least two-"
                                 "dimensional." % s)
            if s.as_list()[-1] not in (None, 1):
                raise ValueError("Last dimension of a grayscale image should be size 1.")
            multiples = [1] * (s.ndims - 1) + [3]
        else:
            rank_1 = array_ops.expand_dims(array_ops.rank(images) - 1, 0)
            multiples = array_ops.concat([array_ops.ones(rank_1, dtype=_dtypes.int32),
                                          array_ops.expand_dims(3, 0)], 0)
        rgb = manip_ops.tile(images, multiples, name=scope)
        if s.ndims is not None:
            rgb.set_shape(s[:-1].concatenate([3]))
        return rgb
