"""Example parsing, string decoding ops and SparseTensor."""
import numpy as np
import pytest

import tensorslim as tf
from gradcheck import check_gradients


def _example(**features):
    out = {}
    for key, values in features.items():
        if values and isinstance(values[0], bytes):
            out[key] = tf.train.Feature(bytes_list=tf.train.BytesList(value=values))
        elif values and isinstance(values[0], float):
            out[key] = tf.train.Feature(float_list=tf.train.FloatList(value=values))
        else:
            out[key] = tf.train.Feature(int64_list=tf.train.Int64List(value=values))
    return tf.train.Example(features=tf.train.Features(feature=out)).SerializeToString()


_SPEC = {
    "a": tf.FixedLenFeature([], tf.int64),
    "b": tf.VarLenFeature(tf.float32),
    "c": tf.FixedLenFeature([2], tf.float32, default_value=[1.0, 2.0]),
    "d": tf.FixedLenSequenceFeature([], tf.int64, allow_missing=True),
    "s": tf.FixedLenFeature([], tf.string, default_value="none"),
}


def test_parse_single_example(device_mode):
    serialized = tf.placeholder(tf.string, [])
    out = tf.parse_single_example(serialized, _SPEC)
    assert out["a"].op.type == "ParseSingleExample"
    assert out["a"].op.name == "ParseSingleExample/ParseSingleExample"
    assert out["a"].shape.as_list() == [] and out["c"].shape.as_list() == [2]
    assert out["d"].shape.as_list() == [None]
    assert isinstance(out["b"], tf.SparseTensor)
    assert out["b"].indices.shape.as_list() == [None, 1]
    scaled = out["c"] * 2.0   # a consumer on the device
    with tf.Session() as sess:
        got, c2 = sess.run([out, scaled], {serialized: _example(a=[3], b=[1.0, 2.0],
                                                                d=[4, 5, 6])})
        assert got["a"] == 3 and got["a"].dtype == np.int64
        np.testing.assert_array_equal(got["c"], [1.0, 2.0])
        np.testing.assert_array_equal(c2, [2.0, 4.0])
        assert got["d"].tolist() == [4, 5, 6]
        assert got["s"] == b"none"
        assert got["b"].indices.tolist() == [[0], [1]]
        assert got["b"].values.tolist() == [1.0, 2.0]
        assert got["b"].dense_shape.tolist() == [2]
        got = sess.run(out, {serialized: _example(a=[1], s=[b"x"], c=[5.0, 6.0])})
        assert got["d"].shape == (0,) and got["b"].values.shape == (0,)
        assert got["s"] == b"x" and got["c"].tolist() == [5.0, 6.0]


@pytest.mark.parametrize("record,message", [
    (_example(b=[1.0]), r"Feature: a \(data type: int64\) is required but could not be found"),
    (_example(a=[1, 2]), r"Key: a.  Number of int64 values != expected.  Values size: 2 but "
                         r"output shape: \[\]"),
    (_example(a=[1.0]), "Key: a.  Data types don't match. Data type: float but expected type: "
                        "int64"),
    (b"garbage", "Could not parse example input, value: 'garbage'"),
    (_example(a=[1], c=[1.0]), r"Key: c.  Number of float values != expected"),
])
def test_parse_single_example_errors(record, message):
    serialized = tf.placeholder(tf.string, [])
    out = tf.parse_single_example(serialized, _SPEC)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match=message):
            sess.run(out["a"], {serialized: record})


def test_parse_single_example_names_the_record():
    serialized = tf.placeholder(tf.string, [])
    out = tf.parse_single_example(serialized, {"a": tf.FixedLenFeature([], tf.int64),
                                               "v": tf.VarLenFeature(tf.int64)},
                                  example_names="file.tfrecord:123")
    assert out["a"].shape.as_list() == [] and out["v"].indices.shape.as_list() == [None, 1]
    with tf.Session() as sess:
        got = sess.run(out, {serialized: _example(a=[2], v=[7, 8])})
        assert got["a"] == 2 and got["v"].indices.tolist() == [[0], [1]]
        assert got["v"].dense_shape.tolist() == [2]
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"Name: file.tfrecord:123, Feature: a"):
            sess.run(out["a"], {serialized: _example(v=[1])})


def test_parse_example_batch():
    serialized = tf.placeholder(tf.string, [None])
    out = tf.parse_example(serialized, {"a": tf.FixedLenFeature([], tf.int64),
                                        "b": tf.VarLenFeature(tf.float32),
                                        "d": tf.FixedLenSequenceFeature([2], tf.int64,
                                                                        allow_missing=True,
                                                                        default_value=-1)})
    assert out["a"].op.type == "ParseExample" and out["a"].op.name == "ParseExample/ParseExample"
    assert out["a"].shape.as_list() == [None] and out["d"].shape.as_list() == [None, None, 2]
    assert out["b"].indices.shape.as_list() == [None, 2]
    with tf.Session() as sess:
        got = sess.run(out, {serialized: [_example(a=[3], b=[1.0, 2.0], d=[4, 5, 6, 7]),
                                          _example(a=[4], d=[1, 2]), _example(a=[5])]})
        assert got["a"].tolist() == [3, 4, 5]
        assert got["b"].indices.tolist() == [[0, 0], [0, 1]]
        assert got["b"].dense_shape.tolist() == [3, 2]
        assert got["d"].tolist() == [[[4, 5], [6, 7]], [[1, 2], [-1, -1]],
                                     [[-1, -1], [-1, -1]]]
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"Name: <unknown>, Feature: a \(data type: int64\) is required"):
            sess.run(out["a"], {serialized: [_example(a=[1]), _example(b=[1.0])]})
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"Key: d, Index: 1.  Number of int64 values is not a multiple"):
            sess.run(out["d"], {serialized: [_example(a=[1]), _example(a=[1], d=[1])]})


def test_parse_example_names():
    out = tf.parse_example(tf.constant([_example(b=[1.0])]),
                           {"a": tf.FixedLenFeature([], tf.int64)}, example_names=["rec7"])
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="Name: rec7, Feature: a"):
            sess.run(out)


def test_parse_graph_errors():
    s = tf.constant(b"")
    with pytest.raises(ValueError, match="requires allow_missing to be True"):
        tf.parse_single_example(s, {"d": tf.FixedLenSequenceFeature([], tf.int64)})
    with pytest.raises(TypeError, match="DataType int32 not in list"):
        tf.parse_single_example(s, {"d": tf.FixedLenFeature([], tf.int32)})
    with pytest.raises(ValueError, match="need to be known"):
        tf.parse_single_example(s, {"d": tf.FixedLenFeature([None], tf.int64)})
    with pytest.raises(ValueError, match="Missing"):
        tf.parse_single_example(s, {})
    with pytest.raises(ValueError, match="must be a scalar"):
        tf.parse_single_example(tf.constant([b""]), {"a": tf.VarLenFeature(tf.int64)})
    with pytest.raises(ValueError, match="has 3 elements"):
        tf.parse_single_example(s, {"a": tf.FixedLenFeature([2], tf.int64, [1, 2, 3])})


def test_parse_single_sequence_example():
    ex = tf.train.SequenceExample()
    ex.context.feature["len"].int64_list.value.append(3)
    tokens = ex.feature_lists.feature_list["tokens"]
    words = ex.feature_lists.feature_list["words"]
    for t in range(3):
        tokens.feature.add().float_list.value.extend([t, t + 0.5])
        words.feature.add().bytes_list.value.extend([b"w"] * (t + 1))
    context, seq = tf.parse_single_sequence_example(
        tf.constant(ex.SerializeToString()),
        context_features={"len": tf.FixedLenFeature([], tf.int64),
                          "opt": tf.FixedLenFeature([], tf.int64, default_value=-1)},
        sequence_features={"tokens": tf.FixedLenSequenceFeature([2], tf.float32),
                           "words": tf.VarLenFeature(tf.string),
                           "gone": tf.FixedLenSequenceFeature([], tf.int64,
                                                              allow_missing=True)})
    assert seq["tokens"].shape.as_list() == [None, 2]
    with tf.Session() as sess:
        c, s = sess.run([context, seq])
    assert c["len"] == 3 and c["opt"] == -1
    assert s["tokens"].tolist() == [[0, 0.5], [1, 1.5], [2, 2.5]]
    assert s["words"].dense_shape.tolist() == [3, 3]
    assert s["words"].indices.tolist() == [[0, 0], [1, 0], [1, 1], [2, 0], [2, 1], [2, 2]]
    assert s["gone"].shape == (0,)
    _, required = tf.parse_single_sequence_example(
        tf.constant(ex.SerializeToString()),
        sequence_features={"gone": tf.FixedLenSequenceFeature([], tf.int64)},
        example_name="seq0")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match="Name: seq0, Feature list 'gone' is required"):
            sess.run(required)


# --------------------------------------------------------------------------- strings

def test_decode_raw(device_mode):
    data = tf.constant([np.array([1, 258], "<i2").tobytes(), np.array([3, 4], "<i2").tobytes()])
    little = tf.decode_raw(data, tf.int16)
    big = tf.decode_raw(data, tf.int16, little_endian=False)
    assert little.shape.as_list() == [2, None] and little.op.type == "DecodeRaw"
    doubled = little * 2
    with tf.Session() as sess:
        l, b, d = sess.run([little, big, doubled])
    np.testing.assert_array_equal(l, [[1, 258], [3, 4]])
    np.testing.assert_array_equal(b, [[256, 513], [768, 1024]])
    np.testing.assert_array_equal(d, [[2, 516], [6, 8]])
    floats = tf.decode_raw(tf.constant(np.float32([1.5, -2]).tobytes()), tf.float32)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(floats), [1.5, -2])


def test_decode_raw_errors():
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match="element 1 has size 5 != 2"):
            sess.run(tf.decode_raw(["abcde", "ab"], tf.int16))
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match="length 3 that is not a multiple of 2, the size of int16"):
            sess.run(tf.decode_raw(["abc"], tf.int16))
    with pytest.raises(TypeError, match="DataType string not in list"):
        tf.decode_raw(["a"], tf.string)


def test_decode_csv():
    records = tf.constant(['1,"a,b",2.5', '2,,', '3,"say ""hi""",-1e3'])
    cols = tf.decode_csv(records, [[0], ["dflt"], [0.5]])
    assert [c.dtype for c in cols] == [tf.int32, tf.string, tf.float32]
    assert cols[0].op.name == "DecodeCSV" and cols[0].shape.as_list() == [3]
    with tf.Session() as sess:
        ints, strs, floats = sess.run(cols)
    assert ints.tolist() == [1, 2, 3]
    assert strs.tolist() == [b"a,b", b"dflt", b'say "hi"']
    np.testing.assert_allclose(floats, [2.5, 0.5, -1000])
    sel = tf.decode_csv(["1;x;3"], [[0], [0]], field_delim=";", select_cols=[0, 2])
    na = tf.decode_csv(["NA,2"], [[7], [0]], na_value="NA")
    with tf.Session() as sess:
        assert [v.tolist() for v in sess.run(sel)] == [[1], [3]]
        assert [v.tolist() for v in sess.run(na)] == [[7], [2]]


@pytest.mark.parametrize("records,defaults,message", [
    (["1"], [[1], [2]], "Expect 2 fields but have 1 in record 0"),
    (["a,b"], [[1], [2]], "Field 0 in record 0 is not a valid int32: a"),
    (['"x"y,1'], [[""], [2]], "Quote inside a string has to be escaped by another quote"),
    ([",1"], [[], [2]], "Field 0 is required but missing in record 0"),
    (["99999999999,1"], [[1], [2]], "not a valid int32"),
])
def test_decode_csv_errors(records, defaults, message):
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match=message):
            sess.run(tf.decode_csv(records, defaults))


def test_decode_csv_graph_errors():
    with pytest.raises(ValueError, match="strictly increasing"):
        tf.decode_csv(["1"], [[1], [1]], select_cols=[1, 0])
    with pytest.raises(ValueError, match="do not match"):
        tf.decode_csv(["1"], [[1]], select_cols=[0, 1])
    with pytest.raises(TypeError, match="DataType bool"):
        tf.decode_csv(["1"], [[True]])


def test_string_to_number():
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(tf.string_to_number([" 1.5", "1e3", "-2"])),
                                   [1.5, 1000, -2])
        ints = sess.run(tf.string_to_number([["12", "-3"]], tf.int64))
        assert ints.dtype == np.int64 and ints.tolist() == [[12, -3]]
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match="StringToNumberOp could not correctly convert string: 1.5x"):
            sess.run(tf.string_to_number(["1.5x"]))
        with pytest.raises(tf.errors.InvalidArgumentError, match="convert string: 1.5"):
            sess.run(tf.string_to_number(["1.5"], tf.int32))


# --------------------------------------------------------------------------- SparseTensor

def test_sparse_tensor_feed_fetch_and_to_dense(device_mode):
    sp = tf.SparseTensor(indices=[[0, 1], [2, 3]], values=[1.0, 2.0], dense_shape=[3, 4])
    assert sp.shape.as_list() == [3, 4] and sp.dtype == tf.float32
    assert sp.indices.op.name == "SparseTensor/indices"
    dense = tf.sparse_tensor_to_dense(sp, default_value=-1.0)
    assert dense.op.type == "SparseToDense" and dense.shape.as_list() == [3, 4]
    with tf.Session() as sess:
        value = sess.run(sp)
        assert isinstance(value, tf.SparseTensorValue)
        assert value.indices.tolist() == [[0, 1], [2, 3]]
        d = sess.run(dense)
        assert d[0, 1] == 1 and d[2, 3] == 2 and d[1, 1] == -1
        assert sp.eval(session=sess).dense_shape.tolist() == [3, 4]
    ph = tf.sparse_placeholder(tf.float32, name="sp")
    assert ph.values.op.name == "sp/values" and ph.indices.shape.as_list() == [None, None]
    fed_dense = tf.sparse_tensor_to_dense(ph, default_value=-1.0)
    with tf.Session() as sess:
        fed = sess.run(fed_dense, {ph: tf.SparseTensorValue([[1, 1]], [5.0], [2, 2])})
        np.testing.assert_array_equal(fed, [[-1, -1], [-1, 5]])
        back = sess.run(ph, {ph: ([[0]], [2.0], [3])})
        assert back.values.tolist() == [2.0] and back.dense_shape.tolist() == [3]


def test_sparse_to_dense_errors():
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="is out of order"):
            sess.run(tf.sparse_to_dense([[1], [0]], [3], [1, 2]))
        with pytest.raises(tf.errors.InvalidArgumentError, match="is repeated"):
            sess.run(tf.sparse_to_dense([[1], [1]], [3], [1, 2]))
        with pytest.raises(tf.errors.InvalidArgumentError, match="out of bounds"):
            sess.run(tf.sparse_to_dense([[5]], [3], [1]))
        np.testing.assert_array_equal(
            sess.run(tf.sparse_to_dense([2, 0], [3], 7, validate_indices=False)), [7, 0, 7])
    with pytest.raises(TypeError, match="SparseTensor"):
        tf.sparse_tensor_to_dense(tf.constant([1]))


def test_sparse_string_to_dense():
    sp = tf.SparseTensor([[0], [2]], ["a", "c"], [3])
    with tf.Session() as sess:
        assert sess.run(tf.sparse_tensor_to_dense(sp)).tolist() == [b"a", b"", b"c"]


@pytest.mark.parametrize("scalar_values", [False, True])
def test_sparse_to_dense_gradient(scalar_values):
    indices = np.array([[0, 1], [1, 0], [2, 2]], dtype=np.int64)
    values = np.array(1.5) if scalar_values else np.array([1.0, -2.0, 3.0])
    check_gradients(lambda v, d: tf.sparse_to_dense(indices, [3, 3], v, d),
                    [values, np.array(0.25)])


def test_corrupted_examples_only_give_invalid_argument():
    """Random byte flips/truncations of real Example payloads: a value or InvalidArgument."""
    import base64
    import json
    import os
    with open(os.path.join(os.path.dirname(__file__), "data", "examples.json")) as f:
        records = [base64.b64decode(r["record_b64"]) for r in json.load(f)["records"]]
    serialized = tf.placeholder(tf.string, [])
    out = tf.parse_single_example(serialized, {
        "label": tf.FixedLenFeature([], tf.int64), "img_raw": tf.FixedLenFeature([], tf.string),
        "floats": tf.VarLenFeature(tf.float32), "names": tf.VarLenFeature(tf.string),
        "ids": tf.VarLenFeature(tf.int64)})
    rng = np.random.RandomState(0)
    outcomes = set()
    with tf.Session() as sess:
        for trial in range(150):
            data = bytearray(records[trial % len(records)])
            if trial % 3 == 0:
                data = data[:rng.randint(len(data))]
            else:
                for pos in rng.randint(len(data), size=rng.randint(1, 4)):
                    data[pos] = rng.randint(256)
            try:
                sess.run(out, {serialized: bytes(data)})
                outcomes.add("ok")
            except tf.errors.InvalidArgumentError:
                outcomes.add("invalid")
    assert "invalid" in outcomes
