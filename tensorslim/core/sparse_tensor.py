"""``tf.SparseTensor`` and ``tf.SparseTensorValue``: a sparse tensor as three dense tensors.

A SparseTensor is ``indices`` (int64 ``[N, rank]``), ``values`` (``[N]``) and
``dense_shape`` (int64 ``[rank]``).  ``Session.run`` fetches it as a
:class:`SparseTensorValue` and accepts a SparseTensorValue (or an
``(indices, values, dense_shape)`` tuple) as the feed of a SparseTensor.
"""
import collections

import numpy as np

from tensorslim.core import dtypes as _dtypes
from tensorslim.core.graph import convert_to_tensor, name_scope
from tensorslim.core.op_util import apply_op, constant_value, shape_from_shape_tensor
from tensorslim.core.registry import register_op
from tensorslim.core.tensor_shape import TensorShape, unknown_shape

__all__ = ["SparseTensor", "SparseTensorValue", "is_sparse",
           "convert_to_tensor_or_sparse_tensor", "sparse_to_dense", "sparse_tensor_to_dense",
           "sparse_placeholder"]


class SparseTensorValue(collections.namedtuple("SparseTensorValue",
                                               ["indices", "values", "dense_shape"])):
    """The value of a :class:`SparseTensor`: ``(indices, values, dense_shape)`` arrays."""

    __slots__ = ()

    def __repr__(self):
        return "SparseTensorValue(indices=%r, values=%r, dense_shape=%r)" % tuple(self)


class SparseTensor:
    """A sparse tensor: the non-default entries of a dense tensor and their positions.

    Args:
      indices: int64 ``[N, rank]``, the positions of the values (row-major order expected).
      values: ``[N]``, the values.
      dense_shape: int64 ``[rank]``, the shape of the dense tensor.

    Raises:
      ValueError: ``indices`` is not 2-D, ``values`` not 1-D, ``dense_shape`` not 1-D, or
        their static sizes disagree.
    """

    def __init__(self, indices, values, dense_shape):
        with name_scope(None, "SparseTensor", [indices, values, dense_shape]):
            indices = convert_to_tensor(indices, name="indices", dtype=_dtypes.int64)
            values = convert_to_tensor(values, name="values")
            dense_shape = convert_to_tensor(dense_shape, name="dense_shape",
                                            dtype=_dtypes.int64)
        ishape, vshape, sshape = indices.shape, values.shape, dense_shape.shape
        if ishape.ndims is not None and ishape.ndims != 2:
            raise ValueError("SparseTensor indices must be 2-D, got shape %s" % ishape)
        if vshape.ndims is not None and vshape.ndims != 1:
            raise ValueError("SparseTensor values must be 1-D, got shape %s" % vshape)
        if sshape.ndims is not None and sshape.ndims != 1:
            raise ValueError("SparseTensor dense_shape must be 1-D, got shape %s" % sshape)
        if ishape.ndims == 2 and vshape.ndims == 1:
            n_i, n_v = ishape.as_list()[0], vshape.as_list()[0]
            if n_i is not None and n_v is not None and n_i != n_v:
                raise ValueError("SparseTensor has %d indices but %d values" % (n_i, n_v))
        if ishape.ndims == 2 and sshape.ndims == 1:
            r_i, r_s = ishape.as_list()[1], sshape.as_list()[0]
            if r_i is not None and r_s is not None and r_i != r_s:
                raise ValueError("SparseTensor indices have rank %d but dense_shape has %d "
                                 "dimensions" % (r_i, r_s))
        self._indices = indices
        self._values = values
        self._dense_shape = dense_shape

    @classmethod
    def from_value(cls, sparse_tensor_value):
        """A SparseTensor of constants from a :class:`SparseTensorValue` (or a SparseTensor)."""
        if isinstance(sparse_tensor_value, SparseTensor):
            return sparse_tensor_value
        if not isinstance(sparse_tensor_value, SparseTensorValue):
            raise TypeError("Neither a SparseTensor nor SparseTensorValue: %s."
                            % (sparse_tensor_value,))
        return cls(indices=sparse_tensor_value.indices, values=sparse_tensor_value.values,
                   dense_shape=sparse_tensor_value.dense_shape)

    @property
    def indices(self):
        """The int64 ``[N, rank]`` indices Tensor."""
        return self._indices

    @property
    def values(self):
        """The ``[N]`` values Tensor."""
        return self._values

    @property
    def dense_shape(self):
        """The int64 ``[rank]`` shape Tensor of the dense tensor."""
        return self._dense_shape

    @property
    def dtype(self):
        """The dtype of the values."""
        return self._values.dtype

    @property
    def op(self):
        """The Operation producing ``values``."""
        return self._values.op

    @property
    def graph(self):
        """The graph of the component tensors."""
        return self._indices.graph

    @property
    def shape(self):
        """The static :class:`TensorShape` of the dense tensor, as far as it is known."""
        value = constant_value(self._dense_shape)
        if value is not None:
            return TensorShape([int(d) for d in np.asarray(value).reshape(-1)])
        if self._dense_shape.op.type == "Pack":
            dims = []
            for t in self._dense_shape.op.inputs:
                c = constant_value(t)
                dims.append(None if c is None else int(c))
            return TensorShape(dims)
        rank = self._dense_shape.shape.as_list()[0] if self._dense_shape.shape.ndims else None
        return unknown_shape(rank) if rank is not None else unknown_shape()

    def get_shape(self):
        """Same as :attr:`shape`."""
        return self.shape

    def consumers(self):
        """The operations consuming any of the three component tensors."""
        seen = []
        for t in (self._indices, self._values, self._dense_shape):
            for op in t.consumers():
                if op not in seen:
                    seen.append(op)
        return seen

    def eval(self, feed_dict=None, session=None):
        """Evaluates the sparse tensor in ``session`` (or the default session).

        Returns:
          A :class:`SparseTensorValue`.
        """
        from tensorslim.core import session as _session
        if session is None:
            session = _session.get_default_session()
            if session is None:
                raise ValueError("Cannot evaluate tensor using `eval()`: No default session "
                                 "is registered. Use `with sess.as_default()` or pass an "
                                 "explicit session to `eval(session=sess)`")
        return session.run(self, feed_dict)

    # -- Session hooks: fetch as three tensors, feed from a SparseTensorValue.
    def _fetch_components(self):
        def combine(values):
            return SparseTensorValue(*values)
        return [self._indices, self._values, self._dense_shape], combine

    def _feed_pairs(self, value):
        if isinstance(value, SparseTensor):
            raise TypeError("The value of a feed cannot be a tf.SparseTensor object.")
        if not isinstance(value, (tuple, list)) or len(value) != 3:
            raise TypeError("A SparseTensor must be fed a SparseTensorValue or an (indices, "
                            "values, dense_shape) tuple, got %r" % (value,))
        return ((self._indices, value[0]), (self._values, value[1]),
                (self._dense_shape, value[2]))

    def __str__(self):
        return "SparseTensor(indices=%s, values=%s, dense_shape=%s)" % (
            self._indices, self._values, self._dense_shape)

    __repr__ = __str__


def is_sparse(x):
    """Whether ``x`` is a :class:`SparseTensor` or a :class:`SparseTensorValue`."""
    return isinstance(x, (SparseTensor, SparseTensorValue))


def convert_to_tensor_or_sparse_tensor(value, dtype=None, name=None):
    """Returns a SparseTensor as is (from a SparseTensorValue too), else ``convert_to_tensor``.

    Raises:
      RuntimeError: a SparseTensor's dtype differs from ``dtype``.
    """
    if dtype is not None:
        dtype = _dtypes.as_dtype(dtype)
    if isinstance(value, SparseTensorValue):
        value = SparseTensor.from_value(value)
    if isinstance(value, SparseTensor):
        if dtype is not None and not dtype.is_compatible_with(value.dtype):
            raise RuntimeError("Sparse dtype: requested = %s, actual = %s"
                               % (dtype.name, value.dtype.name))
        return value
    return convert_to_tensor(value, dtype=dtype, name=name)


# --------------------------------------------------------------------------- SparseToDense

def _sparse_to_dense_shape(op):
    indices, output_shape, values, default = op.inputs
    if indices.shape.ndims is not None and indices.shape.ndims > 2:
        raise ValueError("sparse_indices should be a scalar, vector, or matrix, got shape %s"
                         % indices.shape)
    if default.shape.ndims is not None and default.shape.ndims != 0:
        raise ValueError("default_value should be a scalar, got shape %s" % default.shape)
    return [shape_from_shape_tensor(output_shape)]


def _sparse_to_dense_kernel(ctx, indices, output_shape, values, default):
    xp = ctx.xp
    dims = [int(d) for d in np.asarray(ctx.to_host(output_shape)).reshape(-1)]
    idx = indices.reshape(-1, 1) if indices.ndim < 2 else indices
    if idx.shape[1] != len(dims):
        raise ValueError("sparse_indices has %d columns but output_shape has %d dimensions"
                         % (idx.shape[1], len(dims)))
    n = idx.shape[0]
    if values.ndim == 1 and values.shape[0] != n:
        raise ValueError("sparse_values has incorrect shape [%d], should be [] or [%d]"
                         % (values.shape[0], n))
    out = xp.empty(tuple(dims), dtype=values.dtype)
    out[...] = default
    if n == 0:
        return out
    bound = ctx.to_device(np.asarray(dims, dtype=np.int64))
    outside = ((idx < 0) | (idx >= bound)).any(axis=1)
    strides = ctx.to_device(np.asarray([int(np.prod(dims[k + 1:])) for k in range(len(dims))],
                                       dtype=np.int64))
    linear = (idx.astype(np.int64) * strides).sum(axis=1)
    if bool(ctx.to_host(outside.any())):
        i = int(ctx.to_host(xp.argmax(outside)))
        raise ValueError("indices[%d] = [%s] is out of bounds: need 0 <= index < [%s]"
                         % (i, ",".join(str(int(v)) for v in ctx.to_host(idx[i])),
                            ",".join(str(d) for d in dims)))
    if ctx.attrs["validate_indices"] and n > 1:
        step = linear[1:] - linear[:-1]
        if bool(ctx.to_host((step <= 0).any())):
            i = int(ctx.to_host(xp.argmax(step <= 0))) + 1
            kind = "repeated" if int(ctx.to_host(step[i - 1])) == 0 else "out of order"
            raise ValueError("indices[%d] = [%s] is %s" % (
                i, ",".join(str(int(v)) for v in ctx.to_host(idx[i])), kind))
    out.reshape(-1)[linear] = values
    return out


def _sparse_to_dense_grad(op, grad):
    from tensorslim.core.ops import array_ops, manip_ops, math_ops
    indices = op.inputs[0]
    if indices.shape.ndims != 2:
        indices = array_ops.reshape(indices, [-1, 1])
    values_grad = manip_ops.gather_nd(grad, indices)
    if op.inputs[2].shape.ndims == 0:
        values_grad = math_ops.reduce_sum(values_grad)
    default_grad = math_ops.subtract(math_ops.reduce_sum(grad), math_ops.reduce_sum(values_grad))
    return [None, None, values_grad, default_grad]


register_op("SparseToDense", shape=_sparse_to_dense_shape, kernel=_sparse_to_dense_kernel,
            grad=_sparse_to_dense_grad)


def sparse_to_dense(sparse_indices, output_shape, sparse_values, default_value=0,
                    validate_indices=True, name=None):
    """``tf.sparse_to_dense``: a dense tensor with ``sparse_values`` at ``sparse_indices``.

    Args:
      sparse_indices: int32/int64 indices, a scalar, a vector (1-D output) or ``[N, rank]``.
      output_shape: the dense shape.
      sparse_values: the values, one per index, or a scalar for all of them.
      default_value: the value everywhere else.
      validate_indices: require sorted, unique indices (else InvalidArgumentError).
      name: the op's name.

    Returns:
      The dense Tensor.
    """
    with name_scope(name, "SparseToDense", [sparse_indices, output_shape, sparse_values]) as scope:
        sparse_indices = convert_to_tensor(sparse_indices, name="sparse_indices")
        if sparse_indices.dtype.base_dtype not in (_dtypes.int32, _dtypes.int64):
            raise TypeError("Value passed to parameter 'sparse_indices' has DataType %s not in "
                            "list of allowed values: int32, int64"
                            % sparse_indices.dtype.base_dtype.name)
        itype = sparse_indices.dtype.base_dtype
        output_shape = convert_to_tensor(output_shape, dtype=itype, name="output_shape")
        sparse_values = convert_to_tensor(sparse_values, name="sparse_values")
        dtype = sparse_values.dtype.base_dtype
        if default_value is None:
            default_value = b"" if dtype is _dtypes.string else 0
        default_value = convert_to_tensor(default_value, dtype=dtype, name="default_value")
        return apply_op("SparseToDense",
                        [sparse_indices, output_shape, sparse_values, default_value], [dtype],
                        attrs={"validate_indices": bool(validate_indices), "T": dtype,
                               "Tindices": itype}, name=scope).outputs[0]


def sparse_tensor_to_dense(sp_input, default_value=None, validate_indices=True, name=None):
    """``tf.sparse_tensor_to_dense``: the dense tensor a SparseTensor stands for.

    Args:
      sp_input: a SparseTensor (or SparseTensorValue).
      default_value: the value of the missing entries (default 0, or "" for strings).
      validate_indices: require the indices sorted and unique.
      name: the op's name.

    Raises:
      TypeError: ``sp_input`` is not sparse.
    """
    if isinstance(sp_input, SparseTensorValue):
        sp_input = SparseTensor.from_value(sp_input)
    if not isinstance(sp_input, SparseTensor):
        raise TypeError("Input must be a SparseTensor.")
    return sparse_to_dense(sp_input.indices, sp_input.dense_shape, sp_input.values,
                           default_value=default_value, validate_indices=validate_indices,
                           name=name)


def sparse_placeholder(dtype, shape=None, name=None):
    """``tf.sparse_placeholder``: a SparseTensor whose three parts must be fed.

    Feed it a :class:`SparseTensorValue` (or an ``(indices, values, dense_shape)`` tuple).

    Args:
      dtype: the values' dtype.
      shape: the dense shape; a fully defined shape becomes a constant, otherwise the
        dense shape is fed too.
      name: the name prefix of the placeholders.
    """
    from tensorslim.core.ops import array_ops
    from tensorslim.core.tensor_shape import as_shape

    def sub(suffix):
        return None if name is None else "%s/%s" % (name, suffix)
    shape = None if shape is None else as_shape(shape)
    rank = None if shape is None else shape.ndims
    if shape is not None and shape.is_fully_defined():
        dense_shape = array_ops.constant(shape.as_list(), dtype=_dtypes.int64, name=sub("shape"))
    else:
        dense_shape = array_ops.placeholder(_dtypes.int64, [rank], name=sub("shape"))
    return SparseTensor(
        values=array_ops.placeholder(dtype, [None], name=sub("values")),
        indices=array_ops.placeholder(_dtypes.int64, [None, rank], name=sub("indices")),
        dense_shape=dense_shape)
