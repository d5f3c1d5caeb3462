"""``EagerTensor``: a tensor that holds its value (what ops return under eager execution)."""
import numpy as np

from tensorslim.core import devices as _devices
from tensorslim.core.executor import DEAD, VarRef
from tensorslim.core.graph import Tensor

__all__ = ["EagerTensor"]


class EagerTensor(Tensor):
    """The output of an op that ran eagerly: a Tensor with a concrete value on a device.

    ``print(t)`` shows ``tf.Tensor([[4.]], shape=(1, 1), dtype=float32)``; ``t.numpy()`` is
    the value as a numpy array (a numpy scalar for rank 0); ``t.cpu()`` / ``t.gpu(i)`` copy
    it to a device. Operators and library functions accept it like any Tensor and return
    new EagerTensors. The executor turns an op's output Tensors into EagerTensors, setting
    ``_value`` (an array, or a variable's reference for reads that alias a variable) and
    ``_where`` (the :class:`~tensorslim.core.devices.Device` holding it).
    """

    __slots__ = ()

    # -- the value
    def _resolved(self):
        value = self._value
        return value.get() if isinstance(value, VarRef) else value

    def _host_value(self):
        value = self._resolved()
        if value is DEAD:
            raise ValueError("The tensor has no value: it is on a branch of tf.cond that was "
                             "not taken.")
        return self._where.to_host(value) if hasattr(value, "shape") else np.asarray(value)

    def _concrete_value(self):
        """The value when it cannot change (not a variable's read), else None."""
        if isinstance(self._value, VarRef) or self._value is DEAD:
            return None
        return self._host_value()

    def numpy(self):
        """The value as a numpy array (a copy), or a numpy scalar for a rank-0 tensor."""
        value = np.array(self._host_value(), copy=True)
        return value[()] if value.ndim == 0 else value

    def __array__(self, dtype=None, copy=None):
        value = self._host_value()
        return np.asarray(value, dtype=dtype) if dtype is not None else np.asarray(value)

    # -- devices
    @property
    def device(self):
        """The canonical name of the device holding the value."""
        return self._where.name

    def cpu(self):
        """A copy of this tensor on the CPU."""
        return self._copy_to(_devices.local_devices()[0])

    def gpu(self, gpu_index=0):
        """A copy of this tensor on GPU ``gpu_index``.

        Raises:
          RuntimeError: there is no such GPU.
        """
        gpus = [d for d in _devices.local_devices() if d.is_gpu]
        if not 0 <= gpu_index < len(gpus):
            available = ", ".join(d.name for d in _devices.local_devices())
            raise RuntimeError("Cannot copy the tensor to GPU:%d (%s/device:GPU:%d): no such "
                               "device. Available devices: [ %s ]."
                               % (gpu_index, "/job:localhost/replica:0/task:0", gpu_index,
                                  available))
        return self._copy_to(gpus[gpu_index])

    def _copy_to(self, device):
        from tensorslim.core.graph import get_default_graph
        from tensorslim.core.ops import array_ops
        graph = self.graph
        with graph.as_default() if get_default_graph() is not graph else _null(), \
                graph.device(device.name):
            return array_ops.identity(self)

    # -- Python protocols, as TF's eager tensors
    def eval(self, feed_dict=None, session=None):
        raise NotImplementedError("eval is not supported when eager execution is enabled, is "
                                  ".numpy() what you're looking for?")

    def __str__(self):
        return "tf.Tensor(%s, shape=%s, dtype=%s)" % (numpy_text(self, False), self._shape,
                                                      self.dtype.base_dtype.name)

    def __repr__(self):
        return "<tf.Tensor: shape=%s, dtype=%s, numpy=%s>" % (
            self._shape, self.dtype.base_dtype.name, numpy_text(self, True))

    def __format__(self, format_spec):
        return self.numpy().__format__(format_spec)

    def __bool__(self):
        return bool(self._host_value())

    def __float__(self):
        return float(self._host_value())

    def __int__(self):
        return int(self._host_value())

    def __index__(self):
        if not self.dtype.base_dtype.is_integer:
            raise TypeError("Only integer scalar tensors can be used as an index, got %s"
                            % self.dtype.base_dtype.name)
        return int(self._host_value())

    def __complex__(self):
        return complex(self._host_value())

    def __len__(self):
        if not self._shape.ndims:
            raise TypeError("Scalar tensor has no `len()`")
        return self._shape.as_list()[0]

    def __iter__(self):
        if not self._shape.ndims:
            raise TypeError("Cannot iterate over a scalar tensor.")
        return (self[i] for i in range(self._shape.as_list()[0]))

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self


def _null():
    import contextlib
    return contextlib.nullcontext()


def numpy_text(tensor, is_repr):
    """The value as ``print(tensor)`` (``is_repr`` False) or ``repr`` shows it."""
    try:
        value = tensor.numpy()
    except ValueError:
        return "<dead>"
    text = repr(value) if is_repr and np.ndim(value) else str(value)
    return "\n" + text if "\n" in text else text
