"""tf.summary ops: values, tags, TF's histogram buckets (against the golden event file written
by TensorFlow), images, audio, text, merge/merge_all, and a round trip through TensorBoard."""
import base64
import glob
import io
import json
import os

import numpy as np
import pytest
from PIL import Image

import tensorslim as tf
from tensorslim.core.registry import get_gradient_function
from tensorslim.core.tensor_util import make_ndarray
from tensorslim.io.tfrecord import tf_record_iterator
from tensorslim.proto import event_pb2
from tensorslim.summary.summary_ops import histogram_limits

DBL_MAX = np.finfo(np.float64).max


def _run(summary, feed_dict=None):
    with tf.Session() as sess:
        return tf.Summary.FromString(sess.run(summary, feed_dict=feed_dict))


def _pixels(value):
    return np.asarray(Image.open(io.BytesIO(value.image.encoded_image_string)))


# --------------------------------------------------------------------------- golden file

@pytest.fixture
def golden(fixtures_dir):
    with open(os.path.join(fixtures_dir, "events.json")) as f:
        expected = json.load(f)
    (path,) = glob.glob(os.path.join(fixtures_dir, "events", "events.out.tfevents.*"))
    events = [event_pb2.Event.FromString(r) for r in tf_record_iterator(path)]
    return expected, events


def _golden_graph():
    """The summary part of the fixture's graph, built as the generator built it."""
    loss = tf.placeholder(tf.float32, [], name="loss_value")
    acc = tf.placeholder(tf.float32, [], name="acc_value")
    weights = tf.placeholder(tf.float32, [None], name="weights_value")
    images = tf.placeholder(tf.uint8, [None, 8, 12, 3], name="image_value")
    ops = {"loss": tf.summary.scalar("loss", loss), "acc": tf.summary.scalar("acc", acc),
           "weights": tf.summary.histogram("weights", weights),
           "sample": tf.summary.image("sample", images, max_outputs=2)}
    return (loss, acc, weights, images), ops


def test_summary_nodes_match_tensorflow_graph(golden):
    _, events = golden
    tf_nodes = {n.name: n for n in tf.GraphDef.FromString(events[1].graph_def).node}
    _golden_graph()
    ours = {n.name: n for n in tf.get_default_graph().as_graph_def().node}
    for name in ["loss/tags", "loss", "acc/tags", "acc", "weights/tag", "weights",
                 "sample/tag", "sample"]:
        mine, theirs = ours[name], tf_nodes[name]
        assert (mine.op, list(mine.input)) == (theirs.op, list(theirs.input)), name
        assert set(mine.attr) - {"_output_shapes"} == set(theirs.attr) - {"_output_shapes"}
    assert ours["sample"].attr["max_images"].i == 2
    bad_color = make_ndarray(ours["sample"].attr["bad_color"].tensor)
    assert bad_color.dtype == np.uint8 and bad_color.tolist() == [255, 0, 0, 255]


def test_summaries_reproduce_golden_event_file(golden):
    """Every summary event TF wrote, recomputed from its inputs, is the same proto (images
    compared by their decoded pixels: PNG encoders differ)."""
    expected, events = golden
    (loss, acc, weights, images), ops = _golden_graph()
    histo_inputs = {h["step"]: np.frombuffer(base64.b64decode(h["input_values_b64_float32_le"]),
                                             "<f4") for h in expected["histograms"]}
    image_inputs = {}
    for im in expected["images"]:
        pixels = np.frombuffer(base64.b64decode(im["pixels_b64_uint8_hwc"]), np.uint8)
        image_inputs.setdefault(im["step"], []).append(pixels.reshape(8, 12, 3))
    checked = {"loss": 0, "acc": 0, "weights": 0, "sample": 0}
    with tf.Session() as sess:
        for event in events:
            if not event.HasField("summary"):
                continue
            tag = event.summary.value[0].tag
            if tag in ("loss", "acc"):
                feed = {loss if tag == "loss" else acc: event.summary.value[0].simple_value}
                key = tag
            elif tag == "weights":
                feed, key = {weights: histo_inputs[event.step]}, "weights"
            else:
                batch = image_inputs[event.step] + [np.zeros((8, 12, 3), np.uint8)]
                feed, key = {images: np.stack(batch)}, "sample"
            ours = tf.Summary.FromString(sess.run(ops[key], feed))
            theirs = tf.Summary()
            theirs.CopyFrom(event.summary)
            if key == "sample":
                for a, b in zip(ours.value, theirs.value):
                    np.testing.assert_array_equal(_pixels(a), _pixels(b))
                    a.image.ClearField("encoded_image_string")
                    b.image.ClearField("encoded_image_string")
            assert ours == theirs, (event.step, tag)
            checked[key] += 1
    assert checked == {"loss": 10, "acc": 10, "weights": 3, "sample": 2}


def test_golden_histograms_buckets(golden):
    expected, _ = golden
    values = tf.placeholder(tf.float32, [None])
    summary = tf.summary.histogram("weights", values)
    with tf.Session() as sess:
        for h in expected["histograms"]:
            data = np.frombuffer(base64.b64decode(h["input_values_b64_float32_le"]), "<f4")
            histo = tf.Summary.FromString(sess.run(summary, {values: data})).value[0].histo
            assert list(histo.bucket_limit) == h["bucket_limit"]
            assert list(histo.bucket) == h["bucket"]
            assert (histo.min, histo.max, histo.num, histo.sum, histo.sum_squares) == \
                (h["min"], h["max"], h["num"], h["sum"], h["sum_squares"])


def test_histogram_bucket_limits():
    limits = histogram_limits()
    assert limits.size == 1551
    assert limits[775] == 0.0 and limits[776] == 1e-12 and limits[774] == -1e-12
    assert limits[-1] == DBL_MAX and limits[0] == -DBL_MAX
    assert limits[777] == 1e-12 * 1.1
    np.testing.assert_array_equal(limits[:775], -limits[776:][::-1])
    assert limits[-2] < 1e20 <= limits[-2] * 1.1


# --------------------------------------------------------------------------- scalars, tags

def test_scalar_value_tag_and_op(device_mode):
    x = tf.constant(2.0) * 1.5
    s = tf.summary.scalar("loss", x)
    assert s.op.type == "ScalarSummary" and s.op.name == "loss"
    assert s.dtype == tf.string and s.shape.as_list() == []
    assert s.op.get_attr("T") == tf.float32
    assert [i.op.name for i in s.op.inputs] == ["loss/tags", "mul"]
    summary = _run(s)
    assert len(summary.value) == 1
    value = summary.value[0]
    assert value.tag == "loss" and value.simple_value == 3.0
    assert not value.HasField("metadata")


@pytest.mark.parametrize("dtype,value,expected", [
    (np.int64, 2 ** 40 + 3, float(np.float32(2 ** 40 + 3))), (np.uint8, 200, 200.0),
    (np.float16, 1.2345, float(np.float16(1.2345))), (np.float64, 1 / 3, float(np.float32(1 / 3)))])
def test_scalar_dtypes(dtype, value, expected):
    s = tf.summary.scalar("v", tf.constant(dtype(value)))
    assert _run(s).value[0].simple_value == expected


def test_tags_are_uniquified_scoped_and_cleaned(caplog):
    a = tf.summary.scalar("loss", 1.0)
    b = tf.summary.scalar("loss", 2.0)
    with tf.name_scope("train"):
        c = tf.summary.scalar("loss", 3.0)
    with caplog.at_level("INFO", logger="tensorslim"):
        d = tf.summary.scalar("a b!", 4.0)
    e = tf.summary.scalar("fam", 5.0, family="grp")
    assert "Summary name a b! is illegal; using a_b_ instead." in caplog.text
    assert [t.op.name for t in (a, b, c, d, e)] == ["loss", "loss_1", "train/loss", "a_b_",
                                                     "grp/fam"]
    with tf.Session() as sess:
        tags = [tf.Summary.FromString(v).value[0].tag for v in sess.run([a, b, c, d, e])]
    assert tags == ["loss", "loss_1", "train/loss", "a_b_", "grp/grp/fam"]
    # A Python value is converted inside the summary's scope, as TF names it.
    assert a.op.inputs[1].op.name == "loss/values"


def test_scalar_rejects_non_scalar_and_non_real():
    with pytest.raises(ValueError, match=r"tags and values are not the same shape: \[\] != "
                                         r"\[2\] \(tag 'v'\) for 'v' \(op: 'ScalarSummary'\)"):
        tf.summary.scalar("v", tf.constant([1.0, 2.0]))
    with pytest.raises(TypeError, match="parameter 'values' has DataType bool not in list"):
        tf.summary.scalar("b", tf.constant(True))
    p = tf.placeholder(tf.float32)
    s = tf.summary.scalar("pv", p)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"tags and values are not the same shape: \[\] != \[1,2\] "
                                 r"\(tag 'pv'\)"):
            sess.run(s, {p: [[1.0, 2.0]]})


def test_summaries_are_not_differentiable():
    s = tf.summary.scalar("x", tf.constant(1.0))
    assert get_gradient_function(s.op) is None


# --------------------------------------------------------------------------- histograms

def test_histogram_collapses_empty_buckets(device_mode):
    h = tf.summary.histogram("weights", tf.constant([0.0, 1.0, -2.0, 3.5]) * 1.0)
    assert h.op.type == "HistogramSummary"
    histo = _run(h).value[0].histo
    # Values from TensorFlow 2.21 (tf.compat.v1.summary.histogram).
    assert list(histo.bucket_limit) == [
        -2.1628190051144287, -1.9661990955585713, 0.0, 1e-12, 0.917246389039776,
        1.0089710279437536, 3.48324163592684, 3.8315657995195243, DBL_MAX]
    assert list(histo.bucket) == [0, 1, 0, 1, 0, 1, 0, 1, 0]
    assert (histo.min, histo.max, histo.num, histo.sum, histo.sum_squares) == \
        (-2.0, 3.5, 4.0, 2.5, 17.25)


def test_histogram_empty_and_int_input():
    p = tf.placeholder(tf.float32)
    h = tf.summary.histogram("hv", p)
    histo = _run(h, {p: np.zeros((0,), np.float32)}).value[0].histo
    assert (histo.min, histo.max, histo.num) == (DBL_MAX, -DBL_MAX, 0.0)
    assert list(histo.bucket_limit) == [DBL_MAX] and list(histo.bucket) == [0.0]
    ints = _run(tf.summary.histogram("i", tf.constant([3, 3, -1]))).value[0].histo
    assert ints.num == 3 and ints.sum == 5.0 and sum(ints.bucket) == 3


def test_histogram_rejects_nan_and_inf():
    p = tf.placeholder(tf.float32)
    h = tf.summary.histogram("hv", p)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="Nan in summary histogram "
                                                                 "for: hv"):
            sess.run(h, {p: [np.nan, 2.0]})
        with pytest.raises(tf.errors.InvalidArgumentError, match="Infinity in Histogram for: "
                                                                 "hv"):
            sess.run(h, {p: [1.0, np.inf, np.nan]})


# --------------------------------------------------------------------------- images

def test_image_tags_and_uint8_pixels(device_mode):
    rng = np.random.RandomState(0)
    batch = rng.randint(0, 256, (3, 4, 5, 3)).astype(np.uint8)
    s = tf.summary.image("input", tf.constant(batch), max_outputs=2)
    summary = _run(s)
    assert [v.tag for v in summary.value] == ["input/image/0", "input/image/1"]
    for i, v in enumerate(summary.value):
        assert (v.image.height, v.image.width, v.image.colorspace) == (4, 5, 3)
        np.testing.assert_array_equal(_pixels(v), batch[i])
    one = _run(tf.summary.image("single", tf.zeros([2, 2, 2, 1], tf.uint8), max_outputs=1))
    assert [v.tag for v in one.value] == ["single/image"]
    assert one.value[0].image.colorspace == 1
    rgba = _run(tf.summary.image("rgba", tf.constant(batch[:1, :, :, :1].repeat(4, -1))))
    assert rgba.value[0].image.colorspace == 4 and _pixels(rgba.value[0]).shape == (4, 5, 4)


def test_float_images_are_scaled_as_tensorflow_does():
    x = np.array([[[[-3.0], [0.5]], [[np.nan], [1.0]]],
                  [[[0.0], [0.0]], [[1e-7], [np.inf]]],
                  [[[0.2], [4.0]], [[2.0], [0.0]]]], np.float32)
    s = tf.summary.image("iv", tf.constant(x), max_outputs=5)
    got = [_pixels(v).tolist() for v in _run(s).value]
    # Pixels from TensorFlow 2.21: negatives centre on 128, NaN/Inf are bad_color (red).
    assert got == [[[1, 149], [255, 170]], [[0, 0], [0, 255]], [[12, 255], [127, 0]]]
    rgb = tf.constant(np.array([[[[-3.0, 1, 2], [0.5, np.nan, 0]]]], np.float32))
    assert _pixels(_run(tf.summary.image("rgb", rgb)).value[0]).tolist() == \
        [[[1, 170, 212], [255, 0, 0]]]


def test_image_errors():
    with pytest.raises(ValueError, match=r"Tensor must be 4-D with last dim 1, 3, or 4, not "
                                         r"\[2,2,2,2\]"):
        tf.summary.image("im", tf.zeros([2, 2, 2, 2]))
    with pytest.raises(TypeError, match="parameter 'tensor' has DataType int32"):
        tf.summary.image("im", tf.zeros([2, 2, 2, 3], tf.int32))
    with pytest.raises(ValueError, match="Attr 'max_images' of 'ImageSummary' Op passed 0 "
                                         "less than minimum 1"):
        tf.summary.image("im", tf.zeros([1, 2, 2, 1]), max_outputs=0)
    p = tf.placeholder(tf.float32)
    s = tf.summary.image("iv", p)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"not \[2,3,3\]"):
            sess.run(s, {p: np.zeros((2, 3, 3))})
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"non-zero dims. Found: \[1, 0, 3, 1\]"):
            sess.run(s, {p: np.zeros((1, 0, 3, 1))})
        assert sess.run(s, {p: np.zeros((0, 3, 3, 1))}) == b""


# --------------------------------------------------------------------------- audio, text

def test_audio_wav_bytes_match_tensorflow():
    samples = tf.constant([[0.0, 0.5, -0.5, 1.2, -1.3, 0.1234]], tf.float32)
    s = tf.summary.audio("snd", samples, 8000, max_outputs=3)
    assert [i.op.name for i in s.op.inputs] == ["snd/tag", "Const", "snd/sample_rate"]
    value = _run(s).value[0]
    assert value.tag == "snd/audio/0"
    assert (value.audio.sample_rate, value.audio.num_channels, value.audio.length_frames,
            value.audio.content_type) == (8000.0, 1, 6, "audio/wav")
    # The WAV file TensorFlow 2.21 writes for these samples.
    assert value.audio.encoded_audio_string.hex() == (
        "524946463000000057415645666d74201000000001000100401f0000803e00000200100064617461"
        "0c0000000000004000c0ff7f0080cc0f")


def test_audio_rounding_and_channels():
    x = np.array([0.5, 0.123456, -0.00002, 0.99999, 1.0, -1.0, 0.5 / 32768, 1.5 / 32768,
                  -0.5 / 32768, -1.5 / 32768, 2.5 / 32768, np.nan, np.inf, -np.inf],
                 np.float32)[None]
    value = _run(tf.summary.audio("au", tf.constant(x), 8000, max_outputs=1)).value[0]
    assert value.tag == "au/audio"
    assert value.audio.encoded_audio_string[44:].hex() == \
        "0040cd0fffffff7fff7f008001000200fffffeff03000000ff7f0080"
    stereo = (np.zeros((2, 3, 2)) + [0.25, -0.25]).astype(np.float32)
    value = _run(tf.summary.audio("st", tf.constant(stereo), 10.5)).value[0]
    assert value.audio.num_channels == 2 and value.audio.length_frames == 3
    assert value.audio.encoded_audio_string[44:] == b"\x00\x20\x00\xe0" * 3
    with pytest.raises(TypeError, match="has type float64 that does not match expected type "
                                        "of float32"):
        tf.summary.audio("a", tf.zeros([2, 2], tf.float64), 10)


def test_text_and_tensor_summary():
    t = tf.summary.text("txt", tf.constant(["hello", "world"]))
    assert t.op.type == "TensorSummaryV2"
    value = _run(t).value[0]
    assert value.tag == "txt" and value.metadata.plugin_data.plugin_name == "text"
    assert make_ndarray(value.tensor).tolist() == [b"hello", b"world"]
    with pytest.raises(ValueError, match="to have dtype string"):
        tf.summary.text("bad", tf.constant(1.0))
    ts = tf.summary.tensor_summary("ts", tf.constant([[1, 2], [3, 4]]),
                                   summary_description="desc", display_name="shown")
    value = _run(ts).value[0]
    assert value.metadata.summary_description == "desc"
    assert value.metadata.display_name == "shown"
    # Non-string tensors are written as raw tensor_content, as TF's kernel does.
    assert value.tensor.tensor_content == np.array([1, 2, 3, 4], "<i4").tobytes()
    np.testing.assert_array_equal(make_ndarray(value.tensor), [[1, 2], [3, 4]])


def test_get_summary_description():
    node = tf.NodeDef(name="t", op="TensorSummary")
    node.attr["description"].s = b'{"typeHint": "scalar"}'
    assert tf.summary.get_summary_description(node).type_hint == "scalar"
    with pytest.raises(ValueError, match="Can't get_summary_description on Const"):
        tf.summary.get_summary_description(tf.NodeDef(name="c", op="Const"))


# --------------------------------------------------------------------------- merging

def test_merge_all_collects_summaries_in_order():
    a = tf.summary.scalar("a", 1.0)
    h = tf.summary.histogram("h", [1.0, 2.0])
    tf.summary.scalar("private", 3.0, collections=[])
    mine = tf.summary.scalar("mine", 4.0, collections=["custom"])
    with tf.name_scope("eval"):
        e = tf.summary.scalar("acc", 0.5)
    assert tf.get_collection(tf.GraphKeys.SUMMARIES) == [a, h, e]
    assert tf.get_collection("custom") == [mine]
    merged = tf.summary.merge_all()
    assert merged.op.type == "MergeSummary" and merged.op.name == "Merge/MergeSummary"
    assert merged.op.get_attr("N") == 3
    assert [v.tag for v in _run(merged).value] == ["a", "h", "eval/acc"]
    assert [v.tag for v in _run(tf.summary.merge_all("custom")).value] == ["mine"]
    assert [v.tag for v in _run(tf.summary.merge_all(scope="eval")).value] == ["eval/acc"]
    assert tf.summary.merge_all("nothing") is None
    named = tf.summary.merge([a, e], name="both")
    assert named.op.name == "both/both"
    assert merged not in tf.get_collection(tf.GraphKeys.SUMMARIES)


def test_merge_errors():
    with pytest.raises(ValueError, match="with length 0 shorter than minimum length 1"):
        tf.summary.merge([])
    with pytest.raises(TypeError, match=r"have types \[float32\] that do not match expected "
                                        "type string"):
        tf.summary.merge([tf.constant(1.0)])
    with pytest.raises(TypeError, match="collections must be a list"):
        tf.summary.scalar("x", 1.0, collections="mine")
    a = tf.summary.scalar("dup", 1.0)
    dup = tf.summary.merge([a, a])
    raw = tf.placeholder(tf.string)
    parsed = tf.summary.merge([raw])
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match="Duplicate tag dup found in summary inputs"):
            sess.run(dup)
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match="Could not parse one of the summary inputs"):
            sess.run(parsed, {raw: b"garbage\xff"})
        two = sess.run(parsed, {raw: [sess.run(a), b""]})
    assert [v.tag for v in tf.Summary.FromString(two).value] == ["dup"]


def test_summary_ops_survive_graph_def_round_trip():
    tf.summary.scalar("loss", tf.constant(1.5))
    tf.summary.histogram("w", tf.constant([1.0, -1.0]))
    tf.summary.image("im", tf.constant(np.full((2, 3, 3, 1), -0.5, np.float32)), max_outputs=2)
    merged = tf.summary.merge_all()
    with tf.Session() as sess:
        before = sess.run(merged)
    graph_def = tf.get_default_graph().as_graph_def()
    with tf.Graph().as_default() as g:
        tf.import_graph_def(graph_def, name="")
        with tf.Session(graph=g) as sess:
            after = sess.run("Merge/MergeSummary:0")
    assert tf.Summary.FromString(before) == tf.Summary.FromString(after)


# --------------------------------------------------------------------------- TensorBoard

def test_event_accumulator_round_trip(tmp_path):
    ea_mod = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")
    x = tf.placeholder(tf.float32, [None], name="x")
    tf.summary.scalar("avg", tf.reduce_mean(x))
    tf.summary.histogram("values", x)
    tf.summary.image("img", tf.reshape(x[:4], [1, 2, 2, 1]), max_outputs=1)
    tf.summary.audio("snd", tf.reshape(x, [1, -1]) * 0.1, 100, max_outputs=1)
    tf.summary.text("note", tf.constant("step note"))
    merged = tf.summary.merge_all()
    writer = tf.summary.FileWriter(str(tmp_path), tf.get_default_graph())
    data = [np.arange(1, 9, dtype=np.float32) * (step + 1) for step in range(3)]
    with tf.Session() as sess:
        for step, d in enumerate(data):
            writer.add_summary(sess.run(merged, {x: d}), step)
    writer.close()
    ea = ea_mod.EventAccumulator(str(tmp_path), size_guidance={
        ea_mod.SCALARS: 0, ea_mod.HISTOGRAMS: 0, ea_mod.IMAGES: 0, ea_mod.AUDIO: 0,
        ea_mod.TENSORS: 0})
    ea.Reload()
    tags = ea.Tags()
    assert tags["scalars"] == ["avg"] and tags["histograms"] == ["values"]
    assert tags["images"] == ["img/image"] and tags["audio"] == ["snd/audio"]
    assert tags["tensors"] == ["note"] and tags["graph"] is True
    assert [(e.step, e.value) for e in ea.Scalars("avg")] == \
        [(i, float(d.mean())) for i, d in enumerate(data)]
    histos = ea.Histograms("values")
    assert [h.step for h in histos] == [0, 1, 2]
    assert histos[2].histogram_value.num == 8 and histos[2].histogram_value.max == 24.0
    limits = histogram_limits()
    expected = limits[np.searchsorted(limits, data[0], side="right")]
    assert set(expected.tolist()) <= set(histos[0].histogram_value.bucket_limit)
    img = ea.Images("img/image")[1]
    assert (img.width, img.height) == (2, 2)
    assert ea.Audio("snd/audio")[0].sample_rate == 100.0
    assert make_ndarray(ea.Tensors("note")[0].tensor_proto) == b"step note"
