"""TF1's summary ops: ``tf.summary.scalar / histogram / image / audio / text / tensor_summary``
and ``merge / merge_all``.

Each summary is a graph op of TF's type (``ScalarSummary``, ``HistogramSummary``,
``ImageSummary``, ``AudioSummaryV2``, ``TensorSummaryV2``, ``MergeSummary``) whose output is a
scalar string: a serialized ``Summary`` proto, ready for ``FileWriter.add_summary``. The
kernels run on the host (they produce strings). As in TF1, scalars, histograms and images are
written as ``simple_value`` / ``histo`` / ``image`` with no ``metadata``; TensorBoard picks the
plugin from the kind of value.

Tags follow TF1: the tag is the summary op's name, scope prefix included, uniquified like any
op name (a second ``scalar("loss", ...)`` is tagged ``loss_1``); an image summary with
``max_outputs > 1`` tags its values ``name/image/0``, ``name/image/1``...
"""
import contextlib
import io
import logging
import re
import struct

import numpy as np
from google.protobuf import json_format

from tensorslim.core import dtypes as _dtypes
from tensorslim.core import errors
from tensorslim.core import tensor_util
from tensorslim.core.graph import (GraphKeys, Tensor, add_to_collection, convert_to_tensor,
                                   get_collection, name_scope)
from tensorslim.core.op_util import apply_op, constant_value
from tensorslim.core.registry import not_differentiable_marker, register_op
from tensorslim.core.tensor_shape import TensorShape
from tensorslim.proto import summary_pb2, tensor_pb2

__all__ = ["scalar", "histogram", "image", "audio", "text", "tensor_summary", "merge",
           "merge_all", "get_summary_description", "histogram_limits"]

_logger = logging.getLogger("tensorslim")
_NO_GRAD = not_differentiable_marker()

# TF's ``realnumbertypes``, in the order its error messages list them.
_REAL_TYPES = (_dtypes.float32, _dtypes.float64, _dtypes.int32, _dtypes.uint8, _dtypes.int16,
               _dtypes.int8, _dtypes.int64, _dtypes.bfloat16, _dtypes.uint16, _dtypes.float16,
               _dtypes.uint32, _dtypes.uint64)
_IMAGE_TYPES = (_dtypes.uint8, _dtypes.float32, _dtypes.float16, _dtypes.float64)


# --------------------------------------------------------------------------- helpers

def _scalar_shape(op):
    return [TensorShape([])]


def _string_scalar(data):
    out = np.empty((), dtype=object)
    out[()] = data
    return out


def _as_bytes(value):
    return value.encode("utf-8") if isinstance(value, str) else bytes(value)


def _tag_of(value):
    return _as_bytes(value).decode("utf-8", "replace")


def _shape_str(shape):
    """A shape as TF's kernels print it: ``[2,3]``."""
    return "[%s]" % ",".join(str(d) for d in shape)


def _check_type(param, tensor, allowed):
    dtype = tensor.dtype.base_dtype
    if dtype not in allowed:
        raise TypeError("Value passed to parameter '%s' has DataType %s not in list of allowed "
                        "values: %s" % (param, dtype.name, ", ".join(d.name for d in allowed)))


def _invalid(ctx, message):
    return errors.InvalidArgumentError(None, ctx.op, message)


_INVALID_TAG_CHARACTERS = re.compile(r"[^-/\w.]")


def _clean_tag(name):
    """TF's tag rule: characters outside ``[-/\\w.]`` become ``_``; leading ``/`` go."""
    if name is None:
        return None
    cleaned = _INVALID_TAG_CHARACTERS.sub("_", name).lstrip("/")
    if cleaned != name:
        _logger.info("Summary name %s is illegal; using %s instead.", name, cleaned)
    return cleaned


@contextlib.contextmanager
def _summary_scope(name, family=None, values=None):
    """Opens the summary's name scope; yields ``(tag, scope)``.

    The scope is ``family/name`` (or ``name``), uniquified by the graph; the tag is the scope
    without its trailing ``/``, with the family prefixed once more so TensorBoard files the
    summary under the family's tab (as TF1 does).
    """
    name = _clean_tag(name)
    family = _clean_tag(family)
    base = name if family is None else "%s/%s" % (family, name)
    with name_scope(base, None, values=values) as scope:
        tag = scope.rstrip("/")
        if family is not None:
            tag = "%s/%s" % (family, tag)
        yield tag, scope


def _op_name(scope):
    """The summary op takes the scope's own name (TF's default name when the scope is empty)."""
    return scope if scope else None


def _collect(value, collections, default):
    if collections is None:
        collections = default
    elif isinstance(collections, (str, bytes)):
        raise TypeError("collections must be a list of collection names, got the string %r"
                        % (collections,))
    for key in collections:
        add_to_collection(key, value)


def _finish(op_type, inputs, attrs, scope, collections):
    op = apply_op(op_type, inputs, [_dtypes.string], attrs, name=_op_name(scope))
    value = op.outputs[0]
    _collect(value, collections, [GraphKeys.SUMMARIES])
    return value


# --------------------------------------------------------------------------- ScalarSummary

def _scalar_summary_shape(op):
    tags, values = op.inputs[0].shape, op.inputs[1].shape
    if tags.is_fully_defined() and values.is_fully_defined() and \
            tags.as_list() != values.as_list():
        tag = constant_value(op.inputs[0])
        suffix = "" if tag is None or tag.ndim else " (tag '%s')" % _tag_of(tag[()])
        raise ValueError("tags and values are not the same shape: %s != %s%s"
                         % (_shape_str(tags.as_list()), _shape_str(values.as_list()), suffix))
    return [TensorShape([])]


def _scalar_summary_kernel(ctx, tags, values):
    if tags.shape != values.shape:
        suffix = " (tag '%s')" % _tag_of(tags[()]) if tags.ndim == 0 else ""
        raise _invalid(ctx, "tags and values are not the same shape: %s != %s%s"
                       % (_shape_str(tags.shape), _shape_str(values.shape), suffix))
    summary = summary_pb2.Summary()
    for tag, v in zip(tags.reshape(-1).tolist(), values.reshape(-1).tolist()):
        summary.value.add(tag=_tag_of(tag), simple_value=float(v))
    return _string_scalar(summary.SerializeToString())


register_op("ScalarSummary", shape=_scalar_summary_shape, kernel=_scalar_summary_kernel,
            host_only=True, grad=_NO_GRAD)


def scalar(name, tensor, collections=None, family=None):
    """Summarizes a real number for TensorBoard (``tf.summary.scalar``).

    Args:
      name: the summary's name; with the enclosing name scope it becomes the tag.
      tensor: a real numeric scalar Tensor (or value).
      collections: graph collections to add the summary to; ``[GraphKeys.SUMMARIES]`` when
        None.
      family: optional prefix grouping summaries into one TensorBoard tab.

    Returns:
      A scalar string Tensor: a serialized ``Summary`` with one ``simple_value``.

    Raises:
      TypeError: ``tensor`` is not of a real numeric type.
      ValueError: ``tensor`` is statically known not to be a scalar.
    """
    with _summary_scope(name, family, values=[tensor]) as (tag, scope):
        tags = convert_to_tensor(tag, dtype=_dtypes.string, name="tags")
        values = convert_to_tensor(tensor, name="values")
        _check_type("values", values, _REAL_TYPES)
        return _finish("ScalarSummary", [tags, values], {"T": values.dtype.base_dtype},
                       scope, collections)


# --------------------------------------------------------------------------- HistogramSummary

def _default_bucket_limits():
    positive = []
    v = 1.0e-12
    while v < 1.0e20:  # edges grow by 10%, in double precision, as TF's do
        positive.append(v)
        v *= 1.1
    positive.append(float(np.finfo(np.float64).max))
    return np.array([-x for x in reversed(positive)] + [0.0] + positive, dtype=np.float64)


_BUCKET_LIMITS = _default_bucket_limits()


def histogram_limits():
    """The bucket edges of TF's summary histograms (1551 doubles, ``-DBL_MAX`` to ``DBL_MAX``).

    A value falls into the first bucket whose edge is strictly greater than it.
    """
    return _BUCKET_LIMITS.copy()


def _histogram_proto(xp, values):
    """The ``HistogramProto`` of float64 ``values``, with runs of empty buckets collapsed."""
    limits = xp.asarray(_BUCKET_LIMITS)
    histo = summary_pb2.HistogramProto()
    n = values.size
    if n:
        histo.min = float(values.min())
        histo.max = float(values.max())
        # TF accumulates in input order; cumsum is sequential, so the sums match bit for bit.
        histo.sum = float(xp.cumsum(values)[-1])
        histo.sum_squares = float(xp.cumsum(values * values)[-1])
    else:
        histo.min = float(limits[-1])
        histo.max = -float(limits[-1])
    histo.num = float(n)
    counts = xp.bincount(xp.searchsorted(limits, values, side="right"),
                         minlength=limits.size)[:limits.size]
    # Keep non-empty buckets, and the last bucket of each run of empty ones.
    following = xp.concatenate([counts[1:], xp.ones(1, counts.dtype)])
    keep = (counts > 0) | (following > 0)
    histo.bucket_limit.extend(limits[keep].tolist())
    histo.bucket.extend(counts[keep].astype(np.float64).tolist())
    return histo


def _histogram_summary_kernel(ctx, tag, values):
    xp = ctx.xp
    flat = values.reshape(-1).astype(np.float64)
    finite = xp.isfinite(flat)
    if not bool(finite.all()):
        first = flat[int(xp.argmin(finite))]
        kind = "Nan in summary histogram for" if first != first else "Infinity in Histogram for"
        raise _invalid(ctx, "%s: %s" % (kind, _tag_of(tag[()])))
    summary = summary_pb2.Summary()
    summary.value.add(tag=_tag_of(tag[()]), histo=_histogram_proto(xp, flat))
    return _string_scalar(summary.SerializeToString())


register_op("HistogramSummary", shape=_scalar_shape, kernel=_histogram_summary_kernel,
            host_only=True, grad=_NO_GRAD)


def histogram(name, values, collections=None, family=None):
    """Summarizes the distribution of ``values`` as a histogram (``tf.summary.histogram``).

    The buckets are TF's: edges growing by 10% from 1e-12 to 1e20 on either side of 0; a run
    of empty buckets is written as one entry.

    Args:
      name: the summary's name (the tag, with the name scope).
      values: a real numeric Tensor of any shape.
      collections: graph collections for the summary; ``[GraphKeys.SUMMARIES]`` when None.
      family: optional TensorBoard tab prefix.

    Returns:
      A scalar string Tensor: a serialized ``Summary`` with one ``histo``. Running it fails
      with ``InvalidArgumentError`` when a value is NaN or infinite.

    Raises:
      TypeError: ``values`` is not of a real numeric type.
    """
    with _summary_scope(name, family, values=[values]) as (tag, scope):
        tag_t = convert_to_tensor(tag, dtype=_dtypes.string, name="tag")
        values = convert_to_tensor(values, name="values")
        _check_type("values", values, _REAL_TYPES)
        return _finish("HistogramSummary", [tag_t, values], {"T": values.dtype.base_dtype},
                       scope, collections)


# --------------------------------------------------------------------------- ImageSummary

def _check_image_shape(shape):
    """The message TF gives for a batch that isn't ``[n, h, w, 1|3|4]``, or None."""
    if len(shape) != 4 or shape[3] not in (1, 3, 4, None):
        return "Tensor must be 4-D with last dim 1, 3, or 4, not %s" % _shape_str(
            ["?" if d is None else d for d in shape])
    return None


def _image_summary_shape(op):
    shape = op.inputs[1].shape
    if shape.ndims is not None:
        message = _check_image_shape(shape.as_list())
        if message:
            raise ValueError(message)
    return [TensorShape([])]


def _to_uint8_image(xp, img, bad_color):
    """A float image ``[h, w, depth]`` scaled into uint8 as TF does.

    Non-negative images are scaled so that their maximum is 255; images with negative values
    so that the largest magnitude is 127, around 128. Pixels with a non-finite channel take
    ``bad_color``. The range is taken in float32 and the transform done in the image's dtype.
    """
    dtype = img.dtype
    finite = xp.isfinite(img).all(axis=-1)
    seen = img[finite].astype(np.float32)
    lo = seen.min() if seen.size else np.float32(np.inf)
    hi = seen.max() if seen.size else np.float32(-np.inf)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if lo < 0:
            peak = max(abs(lo), abs(hi))
            scale = np.float32(0.0) if peak < 1e-6 else np.float32(127.0) / np.float32(peak)
            offset = 128.0
        else:
            scale = np.float32(0.0) if hi < 1e-6 else np.float32(255.0) / np.float32(hi)
            offset = 0.0
        scaled = img * dtype.type(scale) + dtype.type(offset)
        scaled = xp.where(finite[..., None], scaled, 0)
        out = xp.clip(scaled, 0, 255).astype(np.uint8)  # truncation, as C++'s cast
    out[~finite] = bad_color
    return out


def _encode_png(pixels):
    from PIL import Image
    if pixels.shape[-1] == 1:
        pixels = pixels[..., 0]
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(pixels)).save(buf, format="PNG")
    return buf.getvalue()


def _image_summary_kernel(ctx, tag, tensor):
    xp = ctx.xp
    message = _check_image_shape(list(tensor.shape))
    if message:
        raise _invalid(ctx, message)
    batch, height, width, depth = tensor.shape
    if height == 0 or width == 0:
        raise _invalid(ctx, "input tensor must have non-zero dims. Found: [%s]."
                       % ", ".join(str(d) for d in tensor.shape))
    bad_color = np.asarray(ctx.attrs["bad_color"]).reshape(-1)
    if bad_color.size < depth:
        raise _invalid(ctx, "expected depth <= bad_color.size, got depth = %d, "
                       "bad_color.size = %d" % (depth, bad_color.size))
    bad_color = xp.asarray(bad_color[:depth].astype(np.uint8))
    base = _tag_of(tag[()])
    max_images = ctx.attrs["max_images"]
    summary = summary_pb2.Summary()
    for i in range(min(batch, max_images)):
        img = tensor[i]
        if img.dtype != np.uint8:
            img = _to_uint8_image(xp, img, bad_color)
        value = summary.value.add(tag="%s/image/%d" % (base, i) if max_images > 1
                                  else "%s/image" % base)
        value.image.height = height
        value.image.width = width
        value.image.colorspace = depth
        value.image.encoded_image_string = _encode_png(img)
    return _string_scalar(summary.SerializeToString())


register_op("ImageSummary", shape=_image_summary_shape, kernel=_image_summary_kernel,
            host_only=True, grad=_NO_GRAD)


def _check_min(op_type, attr, value, minimum):
    if value < minimum:
        raise ValueError("Attr '%s' of '%s' Op passed %d less than minimum %d."
                         % (attr, op_type, value, minimum))


def image(name, tensor, max_outputs=3, collections=None, family=None):
    """Summarizes a batch of images as PNGs (``tf.summary.image``).

    uint8 images are written unchanged; float images are scaled into 0..255 per image
    (non-negative images so that their maximum is 255, others around 128 by their largest
    magnitude), non-finite pixels painted red.

    Args:
      name: the summary's name.
      tensor: a ``[batch, height, width, channels]`` uint8, float16/32/64 Tensor with 1
        (grayscale), 3 (RGB) or 4 (RGBA) channels.
      max_outputs: how many of the batch's images to write. With more than one, the tags are
        ``name/image/0``, ``name/image/1``...; with one, ``name/image``.
      collections: graph collections for the summary; ``[GraphKeys.SUMMARIES]`` when None.
      family: optional TensorBoard tab prefix.

    Returns:
      A scalar string Tensor: a serialized ``Summary`` with one ``image`` value per image.

    Raises:
      TypeError: ``tensor`` has another dtype.
      ValueError: ``max_outputs`` < 1, or ``tensor``'s static shape is not an image batch.
    """
    _check_min("ImageSummary", "max_images", int(max_outputs), 1)
    with _summary_scope(name, family, values=[tensor]) as (tag, scope):
        tag_t = convert_to_tensor(tag, dtype=_dtypes.string, name="tag")
        tensor = convert_to_tensor(tensor, name="tensor")
        _check_type("tensor", tensor, _IMAGE_TYPES)
        attrs = {"max_images": int(max_outputs), "T": tensor.dtype.base_dtype,
                 "bad_color": np.array([255, 0, 0, 255], dtype=np.uint8)}
        return _finish("ImageSummary", [tag_t, tensor], attrs, scope, collections)


# --------------------------------------------------------------------------- AudioSummaryV2

def _audio_summary_shape(op):
    shape = op.inputs[1].shape
    if shape.ndims is not None and shape.ndims not in (2, 3):
        raise ValueError("Tensor must be 3-D or 2-D, got: %s"
                         % _shape_str(["?" if d is None else d for d in shape.as_list()]))
    return [TensorShape([])]


def _wav_bytes(xp, samples, sample_rate):
    """16-bit PCM WAV of float ``samples`` ``[frames, channels]``: clipped to [-1, 1), scaled
    by 32768, rounded half away from zero; NaN is silence."""
    frames, channels = samples.shape
    scaled = samples.astype(np.float32) * np.float32(32768.0)
    with np.errstate(invalid="ignore"):
        rounded = xp.sign(scaled) * xp.floor(xp.abs(scaled) + np.float32(0.5))
    rounded = xp.nan_to_num(xp.clip(rounded, -32768.0, 32767.0), nan=0.0)
    data = rounded.astype("<i2").tobytes()
    rate = int(sample_rate)
    header = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE"
    header += b"fmt " + struct.pack("<IHHIIHH", 16, 1, channels, rate, rate * channels * 2,
                                    channels * 2, 16)
    return header + b"data" + struct.pack("<I", len(data)) + data


def _audio_summary_kernel(ctx, tag, tensor, sample_rate):
    xp = ctx.xp
    if sample_rate.size != 1:
        raise _invalid(ctx, "sample_rate must be rank-0 or contain a single value")
    rate = float(sample_rate.reshape(-1)[0])
    if not rate > 0:
        raise _invalid(ctx, "sample_rate must be > 0")
    if tensor.ndim not in (2, 3):
        raise _invalid(ctx, "Tensor must be 3-D or 2-D, got: %s" % _shape_str(tensor.shape))
    batch, frames = tensor.shape[:2]
    channels = tensor.shape[2] if tensor.ndim == 3 else 1
    if channels == 0:
        raise _invalid(ctx, "audio is null")
    base = _tag_of(tag[()])
    max_outputs = ctx.attrs["max_outputs"]
    summary = summary_pb2.Summary()
    for i in range(min(batch, max_outputs)):
        value = summary.value.add(tag="%s/audio/%d" % (base, i) if max_outputs > 1
                                  else "%s/audio" % base)
        value.audio.sample_rate = rate
        value.audio.num_channels = channels
        value.audio.length_frames = frames
        value.audio.content_type = "audio/wav"
        value.audio.encoded_audio_string = _wav_bytes(
            xp, tensor[i].reshape(frames, channels), rate)
    return _string_scalar(summary.SerializeToString())


register_op("AudioSummaryV2", shape=_audio_summary_shape, kernel=_audio_summary_kernel,
            host_only=True, grad=_NO_GRAD)


def audio(name, tensor, sample_rate, max_outputs=3, collections=None, family=None):
    """Summarizes a batch of sounds as WAV files (``tf.summary.audio``).

    Args:
      name: the summary's name.
      tensor: float32 ``[batch, frames]`` or ``[batch, frames, channels]`` samples in [-1, 1].
      sample_rate: the sample rate in Hz (a scalar float Tensor or number).
      max_outputs: how many sounds of the batch to write (tags ``name/audio/0``... or
        ``name/audio`` when 1).
      collections: graph collections for the summary; ``[GraphKeys.SUMMARIES]`` when None.
      family: optional TensorBoard tab prefix.

    Returns:
      A scalar string Tensor: a serialized ``Summary`` with one ``audio`` value per sound.

    Raises:
      TypeError: ``tensor`` is not float32.
      ValueError: ``max_outputs`` < 1 or ``tensor`` is statically not 2-D or 3-D.
    """
    _check_min("AudioSummaryV2", "max_outputs", int(max_outputs), 1)
    with _summary_scope(name, family, values=[tensor]) as (tag, scope):
        rate = convert_to_tensor(sample_rate, dtype=_dtypes.float32, name="sample_rate")
        tag_t = convert_to_tensor(tag, dtype=_dtypes.string, name="tag")
        if isinstance(tensor, Tensor) and tensor.dtype.base_dtype != _dtypes.float32:
            raise TypeError("Input 'tensor' of 'AudioSummaryV2' Op has type %s that does not "
                            "match expected type of float32." % tensor.dtype.base_dtype.name)
        tensor = convert_to_tensor(tensor, dtype=_dtypes.float32, name="tensor")
        return _finish("AudioSummaryV2", [tag_t, tensor, rate],
                       {"max_outputs": int(max_outputs)}, scope, collections)


# --------------------------------------------------------------------------- TensorSummaryV2

def _summary_tensor_proto(dtype, array):
    """The TensorProto TF's TensorSummaryV2 writes: strings in ``string_val``, every other
    type as raw little-endian ``tensor_content``."""
    if dtype == _dtypes.string:
        return tensor_util.make_tensor_proto(array)
    result = tensor_pb2.TensorProto(dtype=dtype.as_datatype_enum)
    result.tensor_shape.CopyFrom(tensor_util.tensor_shape_proto(list(array.shape)))
    if dtype == _dtypes.bfloat16:
        data = tensor_util._float32_to_bfloat16_bits(array).astype("<u2")
    else:
        data = np.ascontiguousarray(array, dtype=np.dtype(dtype.as_numpy_dtype).newbyteorder("<"))
    result.tensor_content = data.tobytes()
    return result


def _tensor_summary_kernel(ctx, tag, tensor, serialized_metadata):
    summary = summary_pb2.Summary()
    value = summary.value.add(tag=_tag_of(tag[()]))
    value.tensor.CopyFrom(_summary_tensor_proto(ctx.attrs["T"], tensor))
    try:
        value.metadata.ParseFromString(_as_bytes(serialized_metadata[()]))
    except Exception:  # protobuf's DecodeError, whichever backend
        raise _invalid(ctx, "Could not parse the serialized summary metadata") from None
    return _string_scalar(summary.SerializeToString())


register_op("TensorSummaryV2", shape=_scalar_shape, kernel=_tensor_summary_kernel,
            host_only=True, grad=_NO_GRAD)


def tensor_summary(name, tensor, summary_description=None, collections=None,
                   summary_metadata=None, family=None, display_name=None):
    """Summarizes a whole tensor (``tf.summary.tensor_summary``).

    Args:
      name: the summary's name.
      tensor: a Tensor of any type and shape, written as a ``TensorProto``.
      summary_description: optional description stored in the metadata.
      collections: graph collections for the summary; ``[GraphKeys.SUMMARIES]`` when None.
      summary_metadata: an optional ``SummaryMetadata`` proto (the plugin's data).
      family: optional TensorBoard tab prefix.
      display_name: optional display name stored in the metadata.

    Returns:
      A scalar string Tensor: a serialized ``Summary`` with one ``tensor`` value and its
      ``metadata``.
    """
    metadata = summary_pb2.SummaryMetadata()
    if summary_metadata is not None:
        metadata.CopyFrom(summary_metadata)
    if summary_description is not None:
        metadata.summary_description = summary_description
    if display_name is not None:
        metadata.display_name = display_name
    with _summary_scope(name, family, values=[tensor]) as (tag, scope):
        tag_t = convert_to_tensor(tag, dtype=_dtypes.string, name="tag")
        tensor = convert_to_tensor(tensor, name="tensor")
        meta_t = convert_to_tensor(metadata.SerializeToString(), dtype=_dtypes.string,
                                   name="serialized_summary_metadata")
        return _finish("TensorSummaryV2", [tag_t, tensor, meta_t],
                       {"T": tensor.dtype.base_dtype}, scope, collections)


def text(name, tensor, collections=None):
    """Summarizes a string tensor for TensorBoard's text plugin (``tf.summary.text``).

    Args:
      name: the summary's name.
      tensor: a string Tensor (markdown, one entry per cell).
      collections: graph collections for the summary; ``[GraphKeys.SUMMARIES]`` when None.

    Returns:
      A scalar string Tensor: a serialized ``Summary`` whose value holds the tensor and the
      ``text`` plugin's metadata.

    Raises:
      ValueError: ``tensor`` is not a string tensor.
    """
    tensor = convert_to_tensor(tensor)
    if tensor.dtype.base_dtype != _dtypes.string:
        raise ValueError("Expected tensor %s to have dtype string, got %r"
                         % (tensor.name, tensor.dtype))
    metadata = summary_pb2.SummaryMetadata()
    metadata.plugin_data.plugin_name = "text"
    return tensor_summary(name, tensor, summary_metadata=metadata, collections=collections)


# --------------------------------------------------------------------------- MergeSummary

def _merge_summary_kernel(ctx, *inputs):
    summary = summary_pb2.Summary()
    tags = set()
    for tensor in inputs:
        for data in tensor.reshape(-1).tolist():
            part = summary_pb2.Summary()
            try:
                part.ParseFromString(_as_bytes(data))
            except Exception:  # protobuf's DecodeError, whichever backend
                raise _invalid(ctx, "Could not parse one of the summary inputs") from None
            for value in part.value:
                if value.tag and value.tag in tags:
                    raise _invalid(ctx, "Duplicate tag %s found in summary inputs "
                                   % value.tag)
                tags.add(value.tag)
                summary.value.add().CopyFrom(value)
    return _string_scalar(summary.SerializeToString())


register_op("MergeSummary", shape=_scalar_shape, kernel=_merge_summary_kernel,
            host_only=True, grad=_NO_GRAD)


def _refuse_eager():
    try:
        from tensorslim.eager import executing_eagerly
    except ImportError:  # eager support not installed
        return
    if executing_eagerly():
        raise RuntimeError("Merging tf.summary.* ops is not compatible with eager execution. "
                           "Use tf.contrib.summary instead.")


def merge(inputs, collections=None, name=None):
    """Merges summaries into one ``Summary`` (``tf.summary.merge``).

    Args:
      inputs: string Tensors holding serialized ``Summary`` protos.
      collections: graph collections to add the merged summary to (none by default).
      name: the op's name; TF names it ``<name>/<name>`` (``Merge/MergeSummary`` without).

    Returns:
      A scalar string Tensor: the serialized union of the inputs' values. Running it fails
      with ``InvalidArgumentError`` when two inputs share a tag.

    Raises:
      ValueError: ``inputs`` is empty.
      TypeError: an input is not a string tensor.
      RuntimeError: eager execution is enabled.
    """
    _refuse_eager()
    inputs = list(inputs)
    if not inputs:
        raise ValueError("List argument 'inputs' to 'MergeSummary' Op with length 0 shorter "
                         "than minimum length 1.")
    with name_scope(name, "Merge", inputs):
        tensors = [convert_to_tensor(t) for t in inputs]
        if any(t.dtype.base_dtype != _dtypes.string for t in tensors):
            raise TypeError("Tensors in list passed to 'inputs' of 'MergeSummary' Op have types "
                            "[%s] that do not match expected type string."
                            % ", ".join(t.dtype.base_dtype.name for t in tensors))
        op = apply_op("MergeSummary", tensors, [_dtypes.string], {"N": len(tensors)},
                      name=name)
        value = op.outputs[0]
        _collect(value, collections, [])
    return value


def merge_all(key=GraphKeys.SUMMARIES, scope=None, name=None):
    """Merges every summary in collection ``key`` (``tf.summary.merge_all``).

    Args:
      key: the collection holding the summaries.
      scope: optional regex; only summaries whose name it matches (from the start) merge.
      name: the merge op's name.

    Returns:
      The merged summary Tensor, or None when the collection holds no summary.
    """
    _refuse_eager()
    summaries = get_collection(key, scope=scope)
    if not summaries:
        return None
    return merge(summaries, name=name)


def get_summary_description(node_def):
    """The ``SummaryDescription`` stored in a ``TensorSummary`` node's ``description`` attr.

    Args:
      node_def: a ``NodeDef`` of op ``TensorSummary``.

    Returns:
      A ``SummaryDescription`` proto.

    Raises:
      ValueError: the node is not a ``TensorSummary``.
    """
    if node_def.op != "TensorSummary":
        raise ValueError("Can't get_summary_description on %s" % node_def.op)
    description = node_def.attr["description"].s
    if isinstance(description, bytes):
        description = description.decode("utf-8")
    result = summary_pb2.SummaryDescription()
    json_format.Parse(description, result)
    return result
