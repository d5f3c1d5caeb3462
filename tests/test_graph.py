"""Graph construction: names, scopes, collections, control dependencies, devices, dtypes."""
import threading

import numpy as np
import pytest

import tensorslim as tf
from tensorslim.core.tensor_shape import Dimension


# --------------------------------------------------------------------------- dtypes

@pytest.mark.parametrize("name,np_type", [
    ("float16", np.float16), ("float32", np.float32), ("float64", np.float64),
    ("int8", np.int8), ("int16", np.int16), ("int32", np.int32), ("int64", np.int64),
    ("uint8", np.uint8), ("uint16", np.uint16), ("bool", np.bool_)])
def test_dtypes_map_to_numpy(name, np_type):
    dt = getattr(tf, name)
    assert dt.name == name
    assert dt.as_numpy_dtype is np_type
    assert tf.as_dtype(np_type) is dt
    assert tf.as_dtype(name) is dt
    assert dt._as_ref.base_dtype is dt
    assert dt._as_ref.name == name + "_ref"
    assert dt._as_ref.is_ref_dtype and not dt.is_ref_dtype


def test_dtype_properties_and_strings():
    assert tf.float32.is_floating and not tf.int32.is_floating
    assert tf.int32.is_integer and tf.uint8.is_unsigned
    assert tf.as_dtype("float") is tf.float32 and tf.as_dtype("double") is tf.float64
    assert tf.string.as_numpy_dtype is np.object_
    assert tf.as_dtype(1) is tf.float32  # the DataType enum
    assert tf.float32.max == np.finfo(np.float32).max
    assert repr(tf.float32) == "tf.float32" and str(tf.float32) == "<dtype: 'float32'>"
    with pytest.raises(TypeError, match="Cannot convert value"):
        tf.as_dtype("not_a_type")


# --------------------------------------------------------------------------- shapes

def test_tensor_shape_unknown_dims():
    s = tf.TensorShape([None, 4])
    assert s.as_list() == [None, 4] and s.ndims == 2 and str(s) == "(?, 4)"
    assert s.is_compatible_with([7, 4]) and not s.is_compatible_with([7, 5])
    assert s.merge_with([3, None]).as_list() == [3, 4]
    with pytest.raises(ValueError):
        s.merge_with([3, 5])
    unknown = tf.TensorShape(None)
    assert unknown.ndims is None and str(unknown) == "<unknown>"
    with pytest.raises(ValueError):
        unknown.as_list()
    assert tf.TensorShape([2, 3]).num_elements() == 6
    assert s.num_elements() is None
    assert Dimension(None).value is None and str(Dimension(None)) == "?"
    assert tf.TensorShape([3]) == tf.TensorShape([3]) and str(tf.TensorShape([3])) == "(3,)"


# --------------------------------------------------------------------------- graphs

def test_default_graph_stack_is_nested_and_thread_local():
    g1, g2 = tf.Graph(), tf.Graph()
    with g1.as_default():
        assert tf.get_default_graph() is g1
        with g2.as_default():
            assert tf.get_default_graph() is g2
        assert tf.get_default_graph() is g1
        seen = []
        t = threading.Thread(target=lambda: seen.append(tf.get_default_graph()))
        t.start()
        t.join()
        assert seen[0] is not g1
    with pytest.raises(AssertionError, match="nested"):
        with g1.as_default():
            tf.reset_default_graph()


def test_unique_names_and_case_insensitivity():
    a = tf.constant(1, name="c")
    b = tf.constant(2, name="c")
    c = tf.constant(3, name="C")
    assert (a.op.name, b.op.name, c.op.name) == ("c", "c_1", "C_2")
    x = tf.add(a, b)
    y = tf.add(a, b)
    assert (x.op.name, y.op.name) == ("Add", "Add_1")
    assert x.name == "Add:0" and x.value_index == 0


def test_name_scope_reentry_absolute_and_clear():
    with tf.name_scope("conv1") as scope:
        assert scope == "conv1/"
        a = tf.constant(1, name="a")
        with tf.name_scope(None):
            top = tf.constant(1, name="top")
    with tf.name_scope("conv1") as scope2:
        assert scope2 == "conv1_1/"
        with tf.name_scope(scope) as again:
            assert again == "conv1/"
            b = tf.constant(2, name="b")
    assert a.op.name == "conv1/a" and b.op.name == "conv1/b" and top.op.name == "top"
    with tf.name_scope(None, "default", [a]) as s:
        assert s == "default/"
    with pytest.raises(ValueError, match="not a valid scope name"):
        with tf.name_scope("bad name!"):
            pass


def test_graph_element_lookup_and_errors():
    c = tf.constant([1.0, 2.0], name="c")
    g = tf.get_default_graph()
    assert g.get_tensor_by_name("c:0") is c
    assert g.get_operation_by_name("c") is c.op
    assert g.as_graph_element("c") is c.op
    with pytest.raises(KeyError, match="does not exist"):
        g.get_tensor_by_name("nope:0")
    with pytest.raises(KeyError, match="only has 1 outputs"):
        g.get_tensor_by_name("c:3")
    with pytest.raises(ValueError, match="refers to an Operation"):
        g.get_tensor_by_name("c")
    with pytest.raises(TypeError):
        g.as_graph_element(3.5)
    other = tf.Graph()
    with other.as_default():
        d = tf.constant(1.0)
    with pytest.raises(ValueError, match="not an element of this graph"):
        g.as_graph_element(d)


def test_operation_properties_and_location():
    a = tf.constant([[1.0, 2.0]])
    b = tf.constant([[3.0], [4.0]])
    m = tf.matmul(a, b)
    op = m.op
    assert op.type == "MatMul" and op.name == "MatMul"
    assert list(op.inputs) == [a, b] and op.outputs == [m]
    assert op.get_attr("transpose_a") is False and op.get_attr("T") is tf.float32
    assert op.graph is tf.get_default_graph()
    assert op.location[0] == __file__
    assert a.consumers() == [op] and b.consumers() == [op]
    with pytest.raises(ValueError, match="has no attr named 'nope'"):
        op.get_attr("nope")


def test_tensor_repr_and_python_protocol_errors():
    p = tf.placeholder(tf.float32, [None, 3], name="p")
    assert str(p) == 'Tensor("p:0", shape=(?, 3), dtype=float32)'
    assert repr(p) == "<tf.Tensor 'p:0' shape=(?, 3) dtype=float32>"
    u = tf.placeholder(tf.float32, name="u")
    assert str(u) == 'Tensor("u:0", shape=<unknown>, dtype=float32)'
    with pytest.raises(TypeError, match="Python `bool`"):
        bool(p)
    with pytest.raises(TypeError, match="iterable"):
        iter(p)
    with pytest.raises(NotImplementedError, match="symbolic Tensor"):
        np.asarray(p)
    assert p == p and p != u  # identity, as in TF1


def test_shape_errors_name_op_and_user_line():
    a = tf.placeholder(tf.float32, [None, 3])
    b = tf.placeholder(tf.float32, [4, 5])
    with pytest.raises(ValueError) as e:
        tf.matmul(a, b)
    msg = str(e.value)
    assert "Dimensions must be equal, but are 3 and 4 for 'MatMul' (op: 'MatMul') with " \
           "input shapes: [?,3], [4,5]" in msg
    assert "test_graph.py" in msg


def test_dtype_mismatch_is_type_error():
    with pytest.raises(TypeError, match="Input 'y' of 'Add' Op has type int32 that does not "
                                        "match type float32 of argument 'x'"):
        tf.add(tf.constant(1.0), tf.constant(1))


def test_collections_and_scope_filter():
    tf.add_to_collection("things", tf.constant(1, name="a/x"))
    tf.add_to_collection("things", tf.constant(2, name="b/y"))
    tf.add_to_collections(["things", "more"], 5)
    assert len(tf.get_collection("things")) == 3
    assert [t.name for t in tf.get_collection("things", scope="a")] == ["a/x:0"]
    ref = tf.get_collection_ref("things")
    ref.append("extra")
    assert tf.get_collection("things")[-1] == "extra"
    copy = tf.get_collection("things")
    copy.append("not stored")
    assert len(tf.get_collection("things")) == 4
    assert set(tf.get_all_collection_keys()) >= {"things", "more"}
    for key in ("GLOBAL_VARIABLES", "LOCAL_VARIABLES", "TRAINABLE_VARIABLES", "MODEL_VARIABLES",
                "MOVING_AVERAGE_VARIABLES", "UPDATE_OPS", "REGULARIZATION_LOSSES", "LOSSES",
                "SUMMARIES", "QUEUE_RUNNERS", "GLOBAL_STEP", "INIT_OP", "LOCAL_INIT_OP",
                "TRAIN_OP", "SAVERS", "ACTIVATIONS"):
        assert isinstance(getattr(tf.GraphKeys, key), str)


def test_control_dependencies_nesting_and_clearing():
    a = tf.constant(1, name="a")
    b = tf.constant(2, name="b")
    with tf.control_dependencies([a]):
        x = tf.constant(3, name="x")
        with tf.control_dependencies([b]):
            y = tf.constant(4, name="y")
        with tf.control_dependencies(None):
            z = tf.constant(5, name="z")
    assert x.op.control_inputs == [a.op]
    assert set(y.op.control_inputs) == {a.op, b.op}
    assert z.op.control_inputs == []
    # An input's op is not repeated as a control input.
    with tf.control_dependencies([a]):
        s = tf.add(a, a)
    assert s.op.control_inputs == []


def test_finalize_blocks_new_ops():
    g = tf.Graph()
    with g.as_default():
        tf.constant(1)
    g.finalize()
    with pytest.raises(RuntimeError, match="Graph is finalized and cannot be modified."):
        with g.as_default():
            tf.constant(2)
    with pytest.raises(RuntimeError, match="finalized"):
        g.add_to_collection("x", 1)


def test_device_scopes_parse_and_merge():
    with tf.device("/job:localhost/replica:0"):
        with tf.device("/gpu:1"):
            a = tf.constant(1)
        with tf.device("/cpu:0"):
            b = tf.constant(1)
            with tf.device(None):
                c = tf.constant(1)
    assert a.device == "/job:localhost/replica:0/device:GPU:1"
    assert b.device == "/job:localhost/replica:0/device:CPU:0"
    assert c.device == ""
    with tf.device(lambda op: "/cpu:0" if op.type == "Const" else ""):
        d = tf.constant(1)
    assert d.device == "/cpu:0"
    with pytest.raises(ValueError):
        with tf.device("/gpu:zero"):
            pass


def test_colocate_with_sets_class_attr():
    v = tf.Variable(1.0, name="v")
    with tf.colocate_with(v):
        c = tf.constant(2.0, name="c")
    assert c.op.get_attr("_class") == ["loc:@v"]


def test_convert_to_tensor_rules():
    t = tf.convert_to_tensor([1.0, 2.0])
    assert t.dtype is tf.float32 and t.shape.as_list() == [2]
    assert tf.convert_to_tensor(np.array([1, 2], np.int64)).dtype is tf.int64
    assert tf.convert_to_tensor(3).dtype is tf.int32
    assert tf.convert_to_tensor(2 ** 40).dtype is tf.int64
    assert tf.convert_to_tensor("s").dtype is tf.string
    with pytest.raises(ValueError, match="requested dtype int32 for Tensor with dtype float32"):
        tf.convert_to_tensor(t, dtype=tf.int32)
    with pytest.raises(TypeError, match="Cannot convert"):
        tf.convert_to_tensor(object())
    with pytest.raises(TypeError, match="Expected int32"):
        tf.constant(1.5, dtype=tf.int32)


def test_constant_shape_fill_rules():
    with tf.Session() as sess:
        assert sess.run(tf.constant(7, shape=[2, 2])).tolist() == [[7, 7], [7, 7]]
        assert sess.run(tf.constant([1, 2], shape=[4])).tolist() == [1, 2, 2, 2]
    with pytest.raises(ValueError, match="Too many elements"):
        tf.constant([1, 2, 3], shape=[2])
