"""Array and manipulation ops: forward values against numpy (on the CPU and the strict test
device), gradients by finite differences, static shapes, TF1's node names and its errors."""
import numpy as np
import pytest

import tensorslim as tf
from tests.gradcheck import check_gradients

X = np.arange(24, dtype=np.float32).reshape(2, 3, 4)


def run(fetches, feed_dict=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed_dict=feed_dict)


def op_names():
    return [op.name for op in tf.get_default_graph().get_operations()]


# --------------------------------------------------------------------------- __getitem__

GETITEM_SPECS = [
    lambda t: t[1], lambda t: t[-1], lambda t: t[1:], lambda t: t[::-1], lambda t: t[:, ::-2],
    lambda t: t[..., 2], lambda t: t[..., 1:3], lambda t: t[None], lambda t: t[:, None, 1],
    lambda t: t[1, ..., None], lambda t: t[-1, -2, ::-2], lambda t: t[1:, tf.newaxis, ..., 0],
    lambda t: t[5:1:-2, 2], lambda t: t[:, -100:100], lambda t: t[0, 1, 2], lambda t: t[...],
    lambda t: t[:, 1:2, 3],
]


@pytest.mark.parametrize("spec", range(len(GETITEM_SPECS)))
def test_getitem_matches_numpy(device_mode, spec):
    fn = GETITEM_SPECS[spec]
    t = tf.constant(X)
    out = fn(t)
    expected = fn(X)
    assert out.shape.as_list() == list(expected.shape)
    np.testing.assert_array_equal(run(out), expected)


def test_getitem_with_tensor_indices_and_unknown_shapes(device_mode):
    x = tf.placeholder(tf.float32, [2, None, 4])
    i = tf.placeholder(tf.int32, [])
    a, b, c = x[i], x[i, :, i + 1], x[:, 1:]
    assert a.shape.as_list() == [None, 4]
    assert b.shape.as_list() == [None]
    assert c.shape.as_list() == [2, None, 4]
    va, vb, vc = run([a, b, c], {x: X, i: 1})
    np.testing.assert_array_equal(va, X[1])
    np.testing.assert_array_equal(vb, X[1, :, 2])
    np.testing.assert_array_equal(vc, X[:, 1:])
    j = tf.constant(2, dtype=tf.int64)
    np.testing.assert_array_equal(run(tf.constant(X)[0, j]), X[0, 2])


def test_getitem_builds_a_strided_slice_like_tf():
    t = tf.constant(X, name="t")
    out = t[1, 2:3]
    assert out.op.type == "StridedSlice"
    assert out.op.name == "strided_slice"
    assert op_names()[-4:] == ["strided_slice/stack", "strided_slice/stack_1",
                               "strided_slice/stack_2", "strided_slice"]
    assert out.op.get_attr("shrink_axis_mask") == 1
    assert out.op.get_attr("begin_mask") == 0
    assert t[::2].op.get_attr("begin_mask") == 1
    assert t[::2].op.name == "strided_slice_2"


def test_getitem_errors():
    t = tf.constant(X)
    with pytest.raises(ValueError, match=r"slice index 5 of dimension 0 out of bounds.*"
                                         r"strided_slice"):
        _ = t[5]
    with pytest.raises(TypeError, match=r"Only integers, slices.*got 1.0"):
        _ = t[1.0]
    with pytest.raises(TypeError, match="valid indices"):
        _ = t[tf.constant([1, 2])]
    with pytest.raises(ValueError, match="Multiple ellipses"):
        _ = t[..., ...]
    with pytest.raises(ValueError, match="Index out of range using input dim 3"):
        _ = t[1, 2, 3, 0]
    with pytest.raises(ValueError, match=r"strides\[0\] must be non-zero"):
        _ = t[::0]
    x = tf.placeholder(tf.float32, [None])
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"slice index 4 of dimension 0 out of bounds(.|\n)*strided_slice"):
        run(x[4], {x: [1., 2.]})


@pytest.mark.parametrize("masks,expected", [
    (dict(), X[0:2, 1:3, 0:4:2]),
    (dict(begin_mask=2, end_mask=4), X[0:2, :3, 0::2]),
    (dict(shrink_axis_mask=1), X[0, 1:3, 0:4:2]),
    (dict(new_axis_mask=2), X[0:2, None, 0:4:2]),
    (dict(ellipsis_mask=2), X[0:2, ..., 0:4:2]),
])
def test_strided_slice_masks(device_mode, masks, expected):
    out = tf.strided_slice(tf.constant(X), [0, 1, 0], [2, 3, 4], [1, 1, 2], **masks)
    assert out.shape.as_list() == list(expected.shape)
    np.testing.assert_array_equal(run(out), expected)


@pytest.mark.parametrize("index", [
    lambda t: t[1], lambda t: t[:, ::-2], lambda t: t[..., 1:3], lambda t: t[None, -1, :, 2],
    lambda t: t[1:, 2, ::2], lambda t: t[::-1, -1:0:-1],
])
def test_strided_slice_gradients(index):
    check_gradients(index, [np.random.RandomState(0).randn(2, 3, 4)])


def test_strided_slice_grad_of_grad():
    def build(x):
        y = x[1:, ::-1] * x[1:, ::-1]
        return tf.gradients(tf.reduce_sum(y), x)[0]
    check_gradients(build, [np.random.RandomState(1).randn(3, 2)])


# --------------------------------------------------------------------------- slice, split

def test_slice_forward_and_size_minus_one(device_mode):
    out = tf.slice(tf.constant(X), [1, 0, 1], [1, -1, 2])
    assert out.shape.as_list() == [1, 3, 2]
    np.testing.assert_array_equal(run(out), X[1:2, 0:, 1:3])
    assert op_names()[-3:] == ["Slice/begin", "Slice/size", "Slice"]


def test_slice_errors():
    with pytest.raises(ValueError, match=r"Expected size\[0\] in \[0, 1\], but got 2.*Slice"):
        tf.slice(tf.constant(X), [1, 0, 0], [2, 1, 1])
    with pytest.raises(ValueError, match="Expected begin and size arguments to be 1-D tensors "
                                         "of size 3"):
        tf.slice(tf.constant(X), [1], [1])
    p = tf.placeholder(tf.float32, [None, 4])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Expected size\[0\] in"):
        run(tf.slice(p, [1, 0], [3, 1]), {p: np.zeros((2, 4))})


@pytest.mark.parametrize("begin,size", [([0, 1], [2, 2]), ([1, 0], [-1, 3]), ([2, 3], [1, 1])])
def test_slice_gradients(begin, size):
    check_gradients(lambda x: tf.slice(x, begin, size), [np.random.RandomState(2).randn(3, 4)])


def test_split_forms(device_mode):
    v = tf.constant(np.arange(24.).reshape(6, 4))
    a = tf.split(v, 3)
    b = tf.split(v, [1, -1, 2], 1)
    c = tf.split(v, tf.constant([2, 4]), axis=0)
    assert [t.shape.as_list() for t in a] == [[2, 4]] * 3
    assert [t.shape.as_list() for t in b] == [[6, 1], [6, 1], [6, 2]]
    assert a[0].op.type == "Split" and b[0].op.type == "SplitV"
    ra, rb, rc = run([a, b, c])
    for got, want in zip(ra, np.split(np.arange(24.).reshape(6, 4), 3)):
        np.testing.assert_array_equal(got, want)
    for got, want in zip(rb, np.split(np.arange(24.).reshape(6, 4), [1, 2], axis=1)):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(rc[1], np.arange(24.).reshape(6, 4)[2:])


def test_split_errors():
    v = tf.zeros([6, 4])
    with pytest.raises(ValueError, match="Dimension size must be evenly divisible by 4 but is 6"):
        tf.split(v, 4)
    with pytest.raises(ValueError, match=r"can't split axis of size 6 into pieces of size "
                                         r"\[1,2\]"):
        tf.split(v, [1, 2])
    with pytest.raises(ValueError, match="size_splits can only have one -1"):
        tf.split(v, [1, -1, -1])
    with pytest.raises(ValueError, match="Cannot infer num"):
        tf.split(v, tf.placeholder(tf.int32, [None]))
    p = tf.placeholder(tf.float32, [None, 4])
    with pytest.raises(tf.errors.InvalidArgumentError, match="evenly divide"):
        run(tf.split(p, 4), {p: np.zeros((6, 4))})


@pytest.mark.parametrize("splits,axis", [(2, 0), (4, 1), ([1, -1], 1), ([2, 1, 1], -1)])
def test_split_gradients(splits, axis):
    def build(x):
        parts = tf.split(x, splits, axis)
        return parts[0] * 2.0 + tf.reduce_sum(parts[-1])
    check_gradients(build, [np.random.RandomState(3).randn(4, 4)])


# --------------------------------------------------------------------------- concat, stack

@pytest.mark.parametrize("axis", [0, 1, 2, -1, -3])
def test_concat_matches_numpy(device_mode, axis):
    a, b = X, X[:, :, :2] if axis in (2, -1) else X
    if axis in (1,):
        b = X[:, :1]
    out = tf.concat([tf.constant(a), tf.constant(b)], axis)
    expected = np.concatenate([a, b], axis)
    assert out.shape.as_list() == list(expected.shape)
    np.testing.assert_array_equal(run(out), expected)


def test_concat_names_and_single_value():
    tf.concat([tf.constant([1]), [3]], 0)
    assert op_names()[-3:] == ["concat/values_1", "concat/axis", "concat"]
    one = tf.concat([tf.constant([1])], 0)
    assert one.op.type == "Identity" and one.op.name == "concat_1/concat"


def test_concat_errors():
    t1, t2 = tf.constant([1, 2, 3]), tf.constant([4, 5, 6])
    with pytest.raises(ValueError, match=r"Shape must be at least rank 2 but is rank 1 for "
                                         r"'concat' \(op: 'ConcatV2'\)"):
        tf.concat([t1, t2], 1)
    with pytest.raises(ValueError, match=r"Dimension 0 in both shapes must be equal, but are 3 "
                                         r"and 2. Shapes are \[3\] and \[2\]"):
        tf.concat([tf.constant([[1, 2, 3]]), tf.constant([[4, 5]])], 0)
    with pytest.raises(TypeError, match="don't all match"):
        tf.concat([[1.5], [2]], 0)
    p = tf.placeholder(tf.float32, [None, None])
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"ConcatOp : Dimensions of inputs should match(.|\n)*concat"):
        run(tf.concat([p, tf.zeros([2, 2])], 0), {p: np.zeros((3, 3))})


@pytest.mark.parametrize("axis,n", [(0, 2), (1, 3), (-1, 2), (1, 20)])
def test_concat_gradients(axis, n):
    rng = np.random.RandomState(4)
    inputs = [rng.randn(2, 2) for _ in range(n)]
    check_gradients(lambda *xs: tf.concat(list(xs), axis), inputs)


def test_concat_gradient_with_unknown_shapes():
    a = tf.placeholder(tf.float32, [None, 2])
    b = tf.placeholder(tf.float32, [None, 2])
    c = tf.concat([a, b], 0)
    ga, gb = tf.gradients(tf.reduce_sum(c * tf.range(1., 3.)), [a, b])
    va, vb = run([ga, gb], {a: np.ones((1, 2)), b: np.ones((3, 2))})
    np.testing.assert_array_equal(va, [[1, 2]])
    np.testing.assert_array_equal(vb, [[1, 2]] * 3)


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_stack_unstack(device_mode, axis):
    a, b = X[0], X[1]
    s = tf.stack([tf.constant(a), tf.constant(b)], axis=axis)
    u = tf.unstack(tf.constant(X), axis=axis)
    assert s.shape.as_list() == list(np.stack([a, b], axis).shape)
    assert len(u) == X.shape[axis]
    rs, ru = run([s, u])
    np.testing.assert_array_equal(rs, np.stack([a, b], axis))
    for i, got in enumerate(ru):
        np.testing.assert_array_equal(got, np.take(X, i, axis=axis))
    assert tf.pack is tf.stack and tf.unpack is tf.unstack


def test_stack_constants_and_autopacking():
    c = tf.stack([1, 2, 3])
    assert c.op.type == "Const" and c.op.name == "stack"
    t = tf.constant(4)
    mixed = tf.stack([t, 5])
    assert mixed.op.type == "Pack" and mixed.op.inputs[1].op.name == "stack_1/1"
    packed = tf.convert_to_tensor([[t, 1], [2, 3]])
    assert packed.op.type == "Pack" and packed.shape.as_list() == [2, 2]
    r = tf.reshape(tf.constant(X), [t - 2, -1])
    assert r.shape.as_list() == [None, None]
    vc, vm, vp, vr = run([c, mixed, packed, r])
    np.testing.assert_array_equal(vm, [4, 5])
    np.testing.assert_array_equal(vp, [[4, 1], [2, 3]])
    assert vr.shape == (2, 12)


def test_stack_unstack_errors():
    a = tf.constant([1, 2])
    with pytest.raises(ValueError, match=r"axis = 3 not in \[-2, 2\)"):
        tf.stack([a, a], axis=3)
    with pytest.raises(ValueError, match=r"Dimension 0 in both shapes must be equal, but are 2 "
                                         r"and 3(.|\n)*From merging shape 0"):
        tf.stack([a, tf.constant([1, 2, 3])])
    with pytest.raises(ValueError, match="Cannot infer num from shape"):
        tf.unstack(tf.placeholder(tf.float32, [None, 2]))
    with pytest.raises(ValueError, match=r"axis = 2 not in \[-2, 2\)"):
        tf.unstack(tf.zeros([3, 2]), axis=2)
    p = tf.placeholder(tf.float32, [None])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Shapes of all inputs must match"):
        run(tf.stack([p, tf.zeros([2])]), {p: np.zeros(3)})


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_stack_unstack_gradients(axis):
    rng = np.random.RandomState(5)
    check_gradients(lambda a, b: tf.stack([a, b], axis=axis), [rng.randn(2, 3), rng.randn(2, 3)])
    check_gradients(lambda a: tf.unstack(a, axis=axis)[1] * 3.0, [rng.randn(2, 3)])


# --------------------------------------------------------------------------- shapes

def test_shape_size_rank_fold_when_static():
    p = tf.placeholder(tf.float32, [2, 3])
    q = tf.placeholder(tf.float32, [None, 3])
    assert tf.shape(p).op.type == "Const" and tf.shape(q).op.type == "Shape"
    assert tf.size(p).op.type == "Const" and tf.size(q).op.type == "Size"
    assert tf.rank(q).op.type == "Const"
    assert tf.rank(tf.placeholder(tf.float32)).op.type == "Rank"
    assert tf.size(tf.placeholder(tf.float32, [None, 0])).op.type == "Const"
    s64 = tf.shape(q, out_type=tf.int64)
    assert s64.dtype == tf.int64


def test_shape_ops_run(device_mode):
    p = tf.placeholder(tf.float32, [None, 3, None])
    u = tf.placeholder(tf.float32)
    sn = tf.shape_n([p, u])
    assert sn[0].op.type == "ShapeN" and sn[0].shape.as_list() == [3]
    out = run([tf.shape(p), tf.size(p), tf.rank(u), sn], {p: X.transpose(0, 1, 2), u: X[0]})
    np.testing.assert_array_equal(out[0], [2, 3, 4])
    assert out[1] == 24 and out[2] == 2
    np.testing.assert_array_equal(out[3][1], [3, 4])


def test_reshape_forward_and_static_shapes(device_mode):
    t = tf.constant(X)
    a, b = tf.reshape(t, [4, -1]), tf.reshape(t, [-1])
    assert a.shape.as_list() == [4, 6] and b.shape.as_list() == [24]
    p = tf.placeholder(tf.float32, [None, 3, 4])
    c = tf.reshape(p, [-1, 12])
    assert c.shape.as_list() == [None, 12]
    ra, rb, rc = run([a, b, c], {p: X})
    np.testing.assert_array_equal(ra, X.reshape(4, 6))
    np.testing.assert_array_equal(rc, X.reshape(2, 12))
    assert op_names()[1:3] == ["Reshape/shape", "Reshape"]


def test_reshape_errors():
    a1 = tf.constant([[1, 2], [3, 4], [5, 6]])
    with pytest.raises(ValueError, match=r"Cannot reshape a tensor with 6 elements to shape "
                                         r"\[1,2\] \(2 elements\) for 'Reshape'"):
        tf.reshape(a1, [1, 2])
    with pytest.raises(ValueError, match="Dimension size must be evenly divisible by 4 but is 6"):
        tf.reshape(a1, [4, -1])
    p = tf.placeholder(tf.float32, [None, 3])
    with pytest.raises(ValueError, match="evenly divisible by 3 but is 4"):
        tf.reshape(p, [2, 2])
    u = tf.placeholder(tf.float32)
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"Input to reshape is a tensor with 6 values, but the requested "
                             r"shape has 4(.|\n)*Reshape"):
        run(tf.reshape(u, [2, 2]), {u: np.zeros(6)})
    with pytest.raises(tf.errors.InvalidArgumentError, match="Only one input size may be -1"):
        run(tf.reshape(u, [-1, -1]), {u: np.zeros(6)})


def test_expand_dims_squeeze(device_mode):
    t = tf.constant(X)
    e = [tf.expand_dims(t, a) for a in (0, 2, -1)]
    assert [x.shape.as_list() for x in e] == [[1, 2, 3, 4], [2, 3, 1, 4], [2, 3, 4, 1]]
    z = tf.zeros([1, 2, 1, 3])
    s1, s2 = tf.squeeze(z), tf.squeeze(z, [2])
    s3 = tf.squeeze(tf.placeholder(tf.float32, [None, 1]), axis=1)
    assert s1.shape.as_list() == [2, 3] and s2.shape.as_list() == [1, 2, 3]
    assert s3.shape.as_list() == [None]
    out = run(e + [s1, s2])
    np.testing.assert_array_equal(out[1], np.expand_dims(X, 2))
    assert out[3].shape == (2, 3) and out[4].shape == (1, 2, 3)


def test_expand_dims_squeeze_errors():
    with pytest.raises(ValueError, match="Tried to expand dim index 3 for tensor with 1 "
                                         "dimensions"):
        tf.expand_dims(tf.zeros([2]), 3)
    with pytest.raises(ValueError, match="Must specify an axis"):
        tf.expand_dims(tf.zeros([2]))
    with pytest.raises(ValueError, match=r"Can not squeeze dim\[0\], expected a dimension of 1,"
                                         r" got 2"):
        tf.squeeze(tf.zeros([2, 1]), [0])
    p = tf.placeholder(tf.float32, [None, 1])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Can not squeeze dim\[0\]"):
        run(tf.squeeze(p, [0]), {p: np.zeros((3, 1))})


@pytest.mark.parametrize("build", [
    lambda x: tf.reshape(x, [3, -1]), lambda x: tf.expand_dims(x, 1),
    lambda x: tf.squeeze(tf.expand_dims(x, 0)), lambda x: tf.identity(x) * 2.0,
    lambda x: tf.fill([2, 2], tf.reduce_sum(x)),
])
def test_shape_op_gradients(build):
    check_gradients(build, [np.random.RandomState(6).randn(2, 3)])


def test_fill_zeros_ones_like(device_mode):
    base = tf.constant([[1, 2, 3], [4, 5, 6]], dtype=tf.float32)
    p = tf.placeholder(tf.float32, [None, 2])
    outs = [tf.zeros([2, 3], tf.int32), tf.ones([2], tf.bool), tf.zeros_like(base),
            tf.ones_like(base, dtype=tf.float64), tf.fill([2, 2], 9), tf.zeros([40, 30]),
            tf.ones_like(p), tf.zeros_like(p), tf.zeros(tf.shape(p)), tf.ones([2, 0])]
    assert outs[5].op.type == "Fill" and outs[0].op.type == "Const"
    assert outs[6].shape.as_list() == [None, 2]
    v = run(outs, {p: np.zeros((3, 2))})
    assert v[0].dtype == np.int32 and v[1].dtype == bool and v[3].dtype == np.float64
    assert v[2].dtype == np.float32 and v[5].shape == (40, 30) and not v[5].any()
    np.testing.assert_array_equal(v[6], np.ones((3, 2)))
    np.testing.assert_array_equal(v[4], [[9, 9], [9, 9]])
    assert v[8].shape == (3, 2) and v[9].shape == (2, 0)


# --------------------------------------------------------------------------- gather/scatter

@pytest.mark.parametrize("axis,indices", [(0, [1, 0, 1]), (1, [[1, 1], [0, 2]]), (-1, [3, 0]),
                                          (2, 1)])
def test_gather_matches_numpy(device_mode, axis, indices):
    out = tf.gather(tf.constant(X), indices, axis=axis)
    expected = np.take(X, indices, axis=axis)
    assert out.shape.as_list() == list(expected.shape)
    np.testing.assert_array_equal(run(out), expected)


@pytest.mark.parametrize("axis,indices", [(0, [2, 0, 2]), (1, [[1, 1], [0, 3]]), (-1, [1]),
                                          (1, 0)])
def test_gather_gradients(axis, indices):
    check_gradients(lambda p: tf.gather(p, indices, axis=axis),
                    [np.random.RandomState(7).randn(3, 4, 2)])


def test_gather_gradient_with_int64_indices_and_unknown_shape():
    p = tf.placeholder(tf.float32, [None, 2])
    g = tf.gradients(tf.reduce_sum(tf.gather(p, tf.constant([0, 0, 2], tf.int64))), p)[0]
    np.testing.assert_array_equal(run(g, {p: np.ones((3, 2))}), [[2, 2], [0, 0], [1, 1]])


def test_gather_errors():
    p = tf.zeros([5, 3])
    with pytest.raises(ValueError, match="Shape must be at least rank 3 but is rank 2"):
        tf.gather(p, [0], axis=2)
    with pytest.raises(TypeError, match="Value passed to parameter 'indices' has DataType float32"):
        tf.gather(p, [0.5])
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"indices\[1\] = 7 is not in \[0, 5\)(.|\n)*GatherV2"):
        run(tf.gather(p, [0, 7]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[0,1\] = -1 is not in"):
        run(tf.gather(p, [[0, -1]]))


def test_gather_nd_scatter_nd(device_mode):
    params = tf.constant(X)
    a = tf.gather_nd(params, [[0, 1], [1, 2]])
    b = tf.gather_nd(params, [[[0, 1, 2]]])
    c = tf.scatter_nd([[0], [2], [0]], [[1., 2.], [3., 4.], [5., 6.]], [4, 2])
    assert a.shape.as_list() == [2, 4] and b.shape.as_list() == [1, 1]
    ra, rb, rc = run([a, b, c])
    np.testing.assert_array_equal(ra, X[[0, 1], [1, 2]])
    np.testing.assert_array_equal(rb, [[X[0, 1, 2]]])
    np.testing.assert_array_equal(rc, [[6., 8.], [0., 0.], [3., 4.], [0., 0.]])


def test_gather_nd_scatter_nd_errors():
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"indices\[0\] = \[0, 7\] does not index into param shape \[5,3\]"):
        run(tf.gather_nd(tf.zeros([5, 3]), [[0, 7]]))
    with pytest.raises(ValueError, match="must be <= params.rank"):
        tf.gather_nd(tf.zeros([5]), [[0, 1]])
    with pytest.raises(tf.errors.InvalidArgumentError, match="does not index into"):
        run(tf.scatter_nd([[4]], [1.], [3]))


def test_gather_nd_scatter_nd_gradients():
    rng = np.random.RandomState(8)
    check_gradients(lambda p: tf.gather_nd(p, [[0, 1], [2, 0], [0, 1]]), [rng.randn(3, 2, 2)])
    check_gradients(lambda u: tf.scatter_nd([[1], [3], [1]], u, [4, 2]), [rng.randn(3, 2)])


# --------------------------------------------------------------------------- tile/transpose

def test_tile_transpose_reverse(device_mode):
    t = tf.constant(X)
    outs = [tf.tile(t, [2, 1, 3]), tf.transpose(t), tf.transpose(t, [1, 0, 2]),
            tf.reverse(t, [0, -1]), tf.reverse_v2(t, []), tf.invert_permutation([2, 0, 1])]
    assert outs[1].shape.as_list() == [4, 3, 2]
    v = run(outs)
    np.testing.assert_array_equal(v[0], np.tile(X, [2, 1, 3]))
    np.testing.assert_array_equal(v[1], X.T)
    np.testing.assert_array_equal(v[2], X.transpose(1, 0, 2))
    np.testing.assert_array_equal(v[3], X[::-1, :, ::-1])
    np.testing.assert_array_equal(v[4], X)
    np.testing.assert_array_equal(v[5], [1, 2, 0])
    u = tf.placeholder(tf.float32)
    np.testing.assert_array_equal(run(tf.transpose(u), {u: X}), X.T)


def test_tile_transpose_reverse_errors():
    x = tf.zeros([3, 4])
    with pytest.raises(ValueError, match="Shape must be rank 2 but is rank 1 for 'Tile'"):
        tf.tile(x, [2])
    with pytest.raises(ValueError, match="Dimension must be 2 but is 3 for 'transpose'"):
        tf.transpose(x, [0, 1, 2])
    with pytest.raises(ValueError, match="perm dim 2 is out of range of input rank 2"):
        tf.transpose(x, [0, 2])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"0 is missing from \{1,1\}"):
        run(tf.transpose(x, [1, 1]))
    with pytest.raises(ValueError, match=r"'axis'\[0\] = 2 is out of valid range \[0, 2\)"):
        tf.reverse(x, [2])
    with pytest.raises(ValueError, match="axis 1 specified more than once"):
        tf.reverse(x, [1, -1])
    with pytest.raises(tf.errors.InvalidArgumentError, match="1 is duplicated"):
        run(tf.invert_permutation([1, 1]))


@pytest.mark.parametrize("build", [
    lambda x: tf.tile(x, [2, 3]), lambda x: tf.tile(x, [1, 1]), lambda x: tf.transpose(x),
    lambda x: tf.transpose(tf.reshape(x, [2, 1, 3]), [2, 0, 1]), lambda x: tf.reverse(x, [0]),
    lambda x: tf.reverse(x, [0, 1]), lambda x: tf.broadcast_to(x[0], [4, 3]),
])
def test_tile_transpose_reverse_gradients(build):
    check_gradients(build, [np.random.RandomState(9).randn(2, 3)])


# --------------------------------------------------------------------------- pad

T = np.array([[2, 3, 4], [5, 6, 7]], np.float32)


@pytest.mark.parametrize("mode,paddings", [
    ("CONSTANT", [[1, 2], [2, 3]]), ("REFLECT", [[1, 1], [2, 2]]), ("SYMMETRIC", [[1, 2], [2, 3]]),
    ("reflect", [[0, 1], [0, 2]]), ("symmetric", [[2, 2], [3, 3]]), ("CONSTANT", [[0, 0], [0, 0]]),
])
def test_pad_matches_numpy(device_mode, mode, paddings):
    out = tf.pad(tf.constant(T), paddings, mode)
    expected = np.pad(T, paddings, mode.lower())
    assert out.shape.as_list() == list(expected.shape)
    np.testing.assert_array_equal(run(out), expected)


def test_pad_constant_values_and_op_types(device_mode):
    a = tf.pad(tf.constant(T), [[1, 0], [0, 1]], constant_values=-1.)
    b = tf.pad(tf.constant(T), tf.constant([[1, 0], [0, 1]], tf.int64))
    assert a.op.type == "PadV2" and b.op.type == "Pad"
    assert tf.pad(tf.constant(T), [[1, 1], [1, 1]], "REFLECT").op.type == "MirrorPad"
    ra, rb = run([a, b])
    np.testing.assert_array_equal(ra, np.pad(T, [[1, 0], [0, 1]], constant_values=-1))
    np.testing.assert_array_equal(rb, np.pad(T, [[1, 0], [0, 1]]))


def test_pad_errors():
    t = tf.constant(T)
    with pytest.raises(ValueError, match="paddings must be less than the dimension size: 1, 2 "
                                         "not less than 2"):
        tf.pad(t, [[1, 2], [2, 3]], "REFLECT")
    with pytest.raises(ValueError, match="paddings must be no greater than the dimension size: "
                                         "2, 4 greater than 3"):
        tf.pad(t, [[1, 2], [2, 4]], "SYMMETRIC")
    with pytest.raises(ValueError, match="Paddings must be non-negative"):
        tf.pad(t, [[1, 2], [2, -4]])
    with pytest.raises(ValueError, match="Unknown padding mode: FOO"):
        tf.pad(t, [[1, 2], [2, 3]], "foo")
    with pytest.raises(ValueError, match="The first dimension of paddings must be the rank"):
        tf.pad(t, [[1, 2]])
    p = tf.placeholder(tf.float32, [None, None])
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"paddings must be less than the dimension size(.|\n)*MirrorPad"):
        run(tf.pad(p, [[1, 2], [2, 3]], "REFLECT"), {p: T})


@pytest.mark.parametrize("mode,paddings", [
    ("CONSTANT", [[1, 2], [0, 3]]), ("REFLECT", [[1, 1], [2, 0]]), ("REFLECT", [[2, 1], [3, 3]]),
    ("SYMMETRIC", [[3, 1], [0, 4]]), ("SYMMETRIC", [[1, 1], [2, 2]]),
])
def test_pad_gradients(mode, paddings):
    check_gradients(lambda x: tf.pad(x, paddings, mode), [np.random.RandomState(10).randn(3, 4)])


def test_pad_v2_and_mirror_pad_second_order():
    check_gradients(lambda x: tf.pad(x, [[1, 1], [0, 2]], constant_values=3.),
                    [np.random.RandomState(11).randn(2, 3)])

    def build(x):
        y = tf.pad(x, [[1, 2], [2, 1]], "REFLECT")
        return tf.gradients(tf.reduce_sum(y * y), x)[0]
    check_gradients(build, [np.random.RandomState(12).randn(3, 3)])


# --------------------------------------------------------------------------- one_hot, ranges

def test_one_hot(device_mode):
    a = tf.one_hot([[0, 2], [1, -1]], 3, axis=1)
    b = tf.one_hot([0, 2, 5], 3, on_value=5, off_value=-1, axis=0)
    c = tf.one_hot(tf.constant([1], tf.int64), 2, dtype=tf.int64)
    assert a.dtype == tf.float32 and b.dtype == tf.int32 and c.dtype == tf.int64
    assert a.shape.as_list() == [2, 3, 2] and b.shape.as_list() == [3, 3]
    ra, rb, rc = run([a, b, c])
    np.testing.assert_array_equal(ra, np.moveaxis(np.eye(3)[[[0, 2], [1, 0]]] *
                                                  np.array([[1], [1], [1], [0]]).reshape(
                                                      2, 2, 1), -1, 1))
    np.testing.assert_array_equal(rb, [[5, -1, -1], [-1, -1, -1], [-1, 5, -1]])
    np.testing.assert_array_equal(rc, [[0, 1]])
    assert op_names()[:5] == ["one_hot/on_value", "one_hot/off_value", "one_hot/indices",
                              "one_hot/depth", "one_hot"]


def test_one_hot_errors():
    with pytest.raises(TypeError, match="of on_value does not match dtype parameter"):
        tf.one_hot([0, 2], 3, on_value=5., dtype=tf.int32)
    with pytest.raises(ValueError, match="axis must be >= -1"):
        tf.one_hot([0, 2], 3, axis=-2)
    with pytest.raises(TypeError, match="DataType float32 not in list"):
        tf.one_hot([0.5], 3)


def test_range_and_linspace(device_mode):
    outs = [tf.range(5), tf.range(1, 10, 3), tf.range(10, 1, -3), tf.range(0., 1., 0.3),
            tf.range(1, 5, 2.), tf.linspace(0., 1., 5), tf.range(tf.constant(4, tf.int64))]
    assert outs[0].op.name == "range" and outs[4].dtype == tf.float32
    assert [o.shape.as_list() for o in outs[:6]] == [[5], [3], [3], [4], [2], [5]]
    v = run(outs)
    np.testing.assert_array_equal(v[0], np.arange(5))
    np.testing.assert_array_equal(v[2], [10, 7, 4])
    np.testing.assert_allclose(v[3], [0., 0.3, 0.6, 0.9], rtol=1e-6)
    np.testing.assert_allclose(v[5], np.linspace(0, 1, 5))
    assert v[6].dtype == np.int64 and v[0].dtype == np.int32


def test_range_linspace_errors():
    with pytest.raises(ValueError, match="Requires delta != 0"):
        tf.range(0, 5, 0)
    with pytest.raises(ValueError, match="Requires start <= limit when delta > 0: 5/0"):
        tf.range(5, 0, 1)
    with pytest.raises(TypeError, match="DataType int32 not in list of allowed values"):
        tf.linspace(0, 1, 5)
    n = tf.placeholder(tf.int32, [])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Requires start >= limit"):
        run(tf.range(0, n, -1), {n: 3})


# --------------------------------------------------------------------------- masks, unique

def test_boolean_mask(device_mode):
    t = tf.constant(X)
    a = tf.boolean_mask(t, [True, False])
    b = tf.boolean_mask(t, [[True, False, True], [False, True, True]])
    c = tf.boolean_mask(t, [True, False, True, True], axis=2)
    assert b.shape.as_list() == [None, 4]
    ra, rb, rc = run([a, b, c])
    np.testing.assert_array_equal(ra, X[[True, False]])
    np.testing.assert_array_equal(rb, X[np.array([[True, False, True], [False, True, True]])])
    np.testing.assert_array_equal(rc, X[:, :, [True, False, True, True]])
    with pytest.raises(ValueError, match="mask cannot be scalar"):
        tf.boolean_mask(t, True)
    with pytest.raises(ValueError, match="Number of mask dimensions must be specified"):
        tf.boolean_mask(t, tf.placeholder(tf.bool))


def test_boolean_mask_gradient():
    check_gradients(lambda x: tf.boolean_mask(x, [True, False, True]),
                    [np.random.RandomState(13).randn(3, 2)])


def test_sequence_mask_and_meshgrid(device_mode):
    outs = [tf.sequence_mask([1, 3, 2], 5), tf.sequence_mask([[1, 2], [0, 1]]),
            tf.sequence_mask([1, 2], dtype=tf.float32)]
    outs += tf.meshgrid([1, 2, 3], [4, 5]) + tf.meshgrid([1, 2, 3], [4, 5], indexing="ij")
    v = run(outs)
    np.testing.assert_array_equal(v[0], np.arange(5) < np.array([[1], [3], [2]]))
    np.testing.assert_array_equal(v[1], [[[True, False], [True, True]],
                                         [[False, False], [True, False]]])
    assert v[2].dtype == np.float32
    for got, want in zip(v[3:], np.meshgrid([1, 2, 3], [4, 5]) +
                         np.meshgrid([1, 2, 3], [4, 5], indexing="ij")):
        np.testing.assert_array_equal(got, want)
    with pytest.raises(ValueError, match="indexing parameter must be either 'xy' or 'ij'"):
        tf.meshgrid([1], indexing="foo")
    with pytest.raises(TypeError, match="'foo' is an invalid keyword argument"):
        tf.meshgrid([1], foo=1)


def test_unique(device_mode):
    y, idx = tf.unique([4, 1, 4, 2, 1, 9])
    y2, idx2, count = tf.unique_with_counts(tf.constant([4., 1., 4.]), out_idx=tf.int64)
    assert y.op.type == "Unique" and idx.dtype == tf.int32 and idx2.dtype == tf.int64
    v = run([y, idx, y2, idx2, count])
    np.testing.assert_array_equal(v[0], [4, 1, 2, 9])
    np.testing.assert_array_equal(v[1], [0, 1, 0, 2, 1, 3])
    np.testing.assert_array_equal(v[2], [4., 1.])
    np.testing.assert_array_equal(v[3], [0, 1, 0])
    np.testing.assert_array_equal(v[4], [2, 1])
    with pytest.raises(ValueError, match="Shape must be rank 1 but is rank 2"):
        tf.unique([[1]])


# --------------------------------------------------------------------------- diagonals

def test_diagonal_ops(device_mode):
    outs = [tf.matrix_diag([[1., 2.], [3., 4.]]), tf.matrix_diag_part(tf.constant(X)),
            tf.diag([1, 2]), tf.diag_part(tf.reshape(tf.range(16), [2, 2, 2, 2])), tf.eye(3),
            tf.eye(2, 3, batch_shape=[2], dtype=tf.int32),
            tf.matrix_set_diag(tf.ones([2, 3]), [7., 8.])]
    assert outs[0].op.name == "diag" and outs[1].op.name == "diag_part"
    v = run(outs)
    np.testing.assert_array_equal(v[0], [np.diag([1., 2.]), np.diag([3., 4.])])
    np.testing.assert_array_equal(v[1], np.diagonal(X, axis1=-2, axis2=-1))
    np.testing.assert_array_equal(v[2], np.diag([1, 2]))
    np.testing.assert_array_equal(v[3], np.arange(16).reshape(4, 4).diagonal().reshape(2, 2))
    np.testing.assert_array_equal(v[4], np.eye(3))
    np.testing.assert_array_equal(v[5], [np.eye(2, 3)] * 2)
    assert v[5].dtype == np.int32
    np.testing.assert_array_equal(v[6], [[7., 1., 1.], [1., 8., 1.]])
    with pytest.raises(ValueError, match="Input must have even rank"):
        tf.diag_part(tf.zeros([2, 2, 2]))


@pytest.mark.parametrize("build,shape", [
    (lambda x: tf.matrix_diag(x), (2, 3)), (lambda x: tf.matrix_diag_part(x), (2, 3, 3)),
    (lambda x: tf.matrix_diag_part(x), (2, 4)), (lambda x: tf.diag(x), (2, 2)),
    (lambda x: tf.diag_part(x), (2, 3, 2, 3)),
    (lambda x: tf.matrix_set_diag(x, x[:, 0] * 3.0), (3, 3)),
])
def test_diagonal_gradients(build, shape):
    check_gradients(build, [np.random.RandomState(14).randn(*shape)])


# --------------------------------------------------------------------------- clipping

A = np.array([[1., -2., 3.], [4., 5., -6.]], np.float32)


def test_clip_ops(device_mode):
    a = tf.constant(A)
    clipped, norm = tf.clip_by_global_norm([a, None, a * 2], 3.)
    outs = [tf.clip_by_value(a, -1., 2.), tf.clip_by_norm(a, 2.), tf.clip_by_norm(a, 2., axes=[1]),
            tf.global_norm([a, a]), clipped[0], clipped[2], norm,
            tf.clip_by_value(a, tf.zeros_like(a), 4.)]
    assert clipped[1] is None and outs[0].op.type == "ClipByValue"
    v = run(outs)
    np.testing.assert_array_equal(v[0], np.clip(A, -1, 2))
    np.testing.assert_allclose(v[1], A * 2 / np.linalg.norm(A), rtol=1e-6)
    row = np.linalg.norm(A, axis=1, keepdims=True)
    np.testing.assert_allclose(v[2], A * 2 / np.maximum(row, 2), rtol=1e-6)
    g = np.sqrt(2 * (A ** 2).sum())
    np.testing.assert_allclose(v[3], g, rtol=1e-6)
    gn = np.sqrt(5 * (A ** 2).sum())
    np.testing.assert_allclose(v[4], A * 3 / gn, rtol=1e-5)
    np.testing.assert_allclose(v[6], gn, rtol=1e-6)
    np.testing.assert_array_equal(v[7], np.clip(A, 0, 4))
    assert all(x.dtype == np.float32 for x in v)
    with pytest.raises(TypeError, match="t_list should be a sequence"):
        tf.global_norm(a)


def test_clip_gradients():
    x = np.array([[-3., -0.5, 0.2], [0.7, 1.9, 4.0]])
    check_gradients(lambda t: tf.clip_by_value(t, -1., 1.5), [x])
    check_gradients(lambda t, lo, hi: tf.clip_by_value(t, lo, hi),
                    [x, np.full((2, 3), -1.), np.full((2, 3), 1.5)])
    check_gradients(lambda t, lo: tf.clip_by_value(t, lo, 1.5), [x, np.array([-1., 0., 0.5])])
    check_gradients(lambda t: tf.clip_by_norm(t, 1.0), [x])
    with pytest.raises(ValueError, match="Incompatible shapes"):
        tf.clip_by_value(tf.zeros([2, 3]), [1., 2.], 3.)


# --------------------------------------------------------------------------- misc

def test_broadcast_to_and_dynamic_stitch(device_mode):
    a = tf.broadcast_to([1, 2, 3], [2, 3])
    b = tf.dynamic_stitch([[0, 2], [1, 3]], [[1., 2.], [3., 4.]])
    ra, rb = run([a, b])
    np.testing.assert_array_equal(ra, [[1, 2, 3], [1, 2, 3]])
    np.testing.assert_array_equal(rb, [1., 3., 2., 4.])
    with pytest.raises(ValueError, match=r"Incompatible shapes: \[3\] vs. \[2,2\]"):
        tf.broadcast_to([1, 2, 3], [2, 2])


def test_float32_stays_float32():
    x = tf.placeholder(tf.float32, [2, 3])
    outs = [x[0], tf.tile(x, [1, 2]), tf.pad(x, [[1, 1], [1, 1]], "SYMMETRIC"),
            tf.gather(x, [1]), tf.concat([x, x], 0), tf.transpose(x), tf.clip_by_norm(x, 1.)]
    grads = tf.gradients([tf.reduce_sum(o) for o in outs], x)
    assert all(o.dtype == tf.float32 for o in outs + grads)
    v = run(outs + grads, {x: np.ones((2, 3))})
    assert all(a.dtype == np.float32 for a in v)


def test_identity_and_stop_gradient():
    x = tf.constant([1., 2.])
    y = tf.identity(x, name="y")
    z = tf.stop_gradient(x * 3.0)
    assert y.op.name == "y" and z.op.type == "StopGradient"
    g = tf.gradients(tf.reduce_sum(y * 2.0 + z), x)[0]
    np.testing.assert_array_equal(run(g), [2., 2.])


# --------------------------------------------------------------------------- variable report

def test_report_uninitialized_and_assert_initialized():
    v = tf.Variable(1.0, name="v")
    w = tf.Variable([2.0], name="w")
    report = tf.report_uninitialized_variables()
    assert report.dtype == tf.string
    check = tf.assert_variables_initialized()
    with tf.Session() as sess:
        assert list(sess.run(report)) == [b"v", b"w"]
        with pytest.raises(tf.errors.FailedPreconditionError,
                           match="Attempting to use uninitialized value v"):
            sess.run(check)
        sess.run(v.initializer)
        assert list(sess.run(report)) == [b"w"]
        sess.run(w.initializer)
        assert list(sess.run(report)) == []
        sess.run(check)
    names = op_names()
    assert "report_uninitialized_variables/IsVariableInitialized" in names
    assert "report_uninitialized_variables/boolean_mask/Where" in names
    assert tf.report_uninitialized_variables([]).shape.as_list() == [0]


def test_gradient_kernels_match_on_strict_device():
    from tensorslim.core import devices

    def grads():
        tf.reset_default_graph()
        x = tf.constant(np.arange(12.).reshape(3, 4))
        outs = [x[1:, ::-2], tf.gather(x, [0, 2, 0], axis=1), tf.gather(x, [2, 2]),
                tf.tile(x, [2, 1]), tf.transpose(x), tf.pad(x, [[1, 2], [2, 1]], "REFLECT"),
                tf.pad(x, [[1, 2], [2, 1]], "SYMMETRIC"), tf.pad(x, [[1, 0], [0, 1]]),
                tf.concat([x, x * 2.0], 1), tf.split(x, [1, 3], 1)[1], tf.slice(x, [1, 1], [2, 2]),
                tf.reverse(x, [1]), tf.clip_by_value(x, 2., 7.), tf.gather_nd(x, [[0, 0], [0, 0]]),
                tf.unstack(x)[1], tf.matrix_diag_part(x), tf.broadcast_to(x[:1], [2, 4])]
        loss = tf.add_n([tf.reduce_sum(o * tf.cast(tf.range(tf.size(o)), tf.float64)
                                       if o.shape.ndims == 1 else tf.reduce_sum(o))
                         for o in outs])
        return run(tf.gradients(loss, x)[0])

    expected = grads()
    with devices.strict_test_device():
        got = grads()
    np.testing.assert_allclose(got, expected)
