"""Devices: TF1 device strings, the local device registry and the array modules behind them.

This is the only module that knows about array modules. ``CPU:0`` computes with numpy; each
CUDA GPU that cupy can see is a ``GPU:i`` computing with cupy. cupy is imported lazily, and any
failure to import it or to query the CUDA runtime simply means "no GPU", so CPU-only installs
never need it. ``CUDA_VISIBLE_DEVICES=""`` (or ``-1``) hides every GPU.

For CI without a GPU, the *strict test device* (:mod:`tensorslim.core.strict_device`) can be
registered as ``/job:localhost/replica:0/task:0/device:GPU:0`` in place of real GPUs: default
placement then moves there exactly as with a real GPU, and any kernel that mixes host numpy
arrays with device arrays fails with ``TypeError`` as it would under cupy. Enable it with
:func:`enable_strict_test_device`, the :func:`strict_test_device` context manager, or the
environment variable ``TENSORSLIM_STRICT_DEVICE=1`` at import time.
"""
import contextlib
import os
import sys
import threading

import numpy as np

from tensorslim.core import errors

__all__ = [
    "DeviceSpec", "canonical_name", "merge_device",
    "Device", "local_devices", "gpu_available", "default_device", "find_device", "transfer",
    "configure_gpu_memory", "gpu_device_name", "is_gpu_available", "get_array_module",
    "enable_strict_test_device", "disable_strict_test_device", "strict_test_device_enabled",
    "strict_test_device",
]

_LOCAL_PREFIX = "/job:localhost/replica:0/task:0"
_STRICT_MODULE = "tensorslim.core.strict_device"


# ---------------------------------------------------------------------------------------------
# Device strings
# ---------------------------------------------------------------------------------------------

def _parse_int(value, field, spec):
    """Parses a replica/task/device index: a non-negative integer, or "*" for any (None)."""
    if value is None or value == "*":
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = -1
    if number < 0 or (isinstance(value, str) and not value.isdigit()):
        raise ValueError(
            f"Invalid {field} in device specification {spec!r}: expected a non-negative "
            f"integer or '*', got {value!r}")
    return number


def _normalize_type(device_type):
    if device_type is None:
        return None
    device_type = str(device_type)
    return device_type.upper() if device_type.upper() in ("CPU", "GPU") else device_type


class DeviceSpec:
    """A (possibly partial) device specification, as ``tf.DeviceSpec`` in TF1.

    Fields left ``None`` are unconstrained. ``to_string()`` writes only the fields that are set,
    in TF's order: ``/job:localhost/replica:0/task:0/device:CPU:0``.

    Args:
      job: the job name (``"localhost"``, ``"worker"``...).
      replica: the replica index.
      task: the task index.
      device_type: ``"CPU"``, ``"GPU"`` (any case) or another device type name.
      device_index: the device index; ``None`` (written ``*``) means any.
    """

    __slots__ = ("_job", "_replica", "_task", "_device_type", "_device_index")

    def __init__(self, job=None, replica=None, task=None, device_type=None, device_index=None):
        self.job = job
        self.replica = replica
        self.task = task
        self.device_type = device_type
        self.device_index = device_index

    # -- fields
    @property
    def job(self):
        """The job name, or ``None``."""
        return self._job

    @job.setter
    def job(self, job):
        self._job = None if job is None else str(job)

    @property
    def replica(self):
        """The replica index, or ``None``."""
        return self._replica

    @replica.setter
    def replica(self, replica):
        self._replica = _parse_int(replica, "replica", replica)

    @property
    def task(self):
        """The task index, or ``None``."""
        return self._task

    @task.setter
    def task(self, task):
        self._task = _parse_int(task, "task", task)

    @property
    def device_type(self):
        """The device type (``"CPU"``, ``"GPU"``...), or ``None``."""
        return self._device_type

    @device_type.setter
    def device_type(self, device_type):
        self._device_type = _normalize_type(device_type)

    @property
    def device_index(self):
        """The device index, or ``None`` for any."""
        return self._device_index

    @device_index.setter
    def device_index(self, device_index):
        self._device_index = _parse_int(device_index, "device index", device_index)

    # -- parsing and printing
    def parse_from_string(self, spec):
        """Resets this spec to the fields of a device string.

        Accepted components, separated by ``/`` (a leading ``/`` is optional):
        ``job:NAME``, ``replica:N``, ``task:N``, ``device:TYPE:N``, ``device:TYPE`` and the
        legacy ``cpu:N`` / ``gpu:N`` (any case). ``N`` may be ``*`` (any).

        Args:
          spec: the device string; ``None`` or ``""`` gives an empty spec.

        Returns:
          This ``DeviceSpec``.

        Raises:
          ValueError: if the string is malformed; the message names it.
        """
        job = replica = task = device_type = device_index = None
        spec = "" if spec is None else spec
        if not isinstance(spec, str):
            raise ValueError(f"A device specification must be a string, got {spec!r}")
        for part in spec.split("/"):
            if not part:
                continue
            fields = part.split(":")
            key = fields[0]
            if len(fields) == 2 and key in ("job", "replica", "task"):
                if not fields[1]:
                    raise ValueError(f"Empty {key} in device specification {spec!r}")
                if key == "job":
                    job = fields[1]
                elif key == "replica":
                    replica = _parse_int(fields[1], "replica", spec)
                else:
                    task = _parse_int(fields[1], "task", spec)
                continue
            if key.upper() in ("CPU", "GPU") and len(fields) in (1, 2):
                new_type, new_index = key, (fields[1] if len(fields) == 2 else None)
            elif key == "device" and len(fields) in (2, 3) and fields[1]:
                new_type, new_index = fields[1], (fields[2] if len(fields) == 3 else None)
            else:
                raise ValueError(f"Unknown attribute {part!r} in device specification {spec!r}")
            if device_type is not None:
                raise ValueError(f"Cannot specify multiple device types: {spec!r}")
            device_type = new_type
            device_index = _parse_int(new_index, "device index", spec)
        self.job, self.replica, self.task = job, replica, task
        self.device_type, self.device_index = device_type, device_index
        return self

    @classmethod
    def from_string(cls, spec):
        """Builds a ``DeviceSpec`` from a device string (see ``parse_from_string``).

        Args:
          spec: a device string, ``None``, or a ``DeviceSpec`` (copied).

        Returns:
          A new ``DeviceSpec``.

        Raises:
          ValueError: if the string is malformed.
        """
        if isinstance(spec, DeviceSpec):
            return spec.make_merged_spec(DeviceSpec())
        return cls().parse_from_string(spec)

    def to_string(self):
        """Returns the device string, e.g. ``"/job:worker/device:GPU:0"``; ``""`` if empty."""
        out = []
        if self._job is not None:
            out.append(f"/job:{self._job}")
        if self._replica is not None:
            out.append(f"/replica:{self._replica}")
        if self._task is not None:
            out.append(f"/task:{self._task}")
        if self._device_type is not None:
            index = "*" if self._device_index is None else self._device_index
            out.append(f"/device:{self._device_type}:{index}")
        return "".join(out)

    # -- merging
    def merge_from(self, dev):
        """Overrides this spec's fields with the fields that are set in ``dev``, in place.

        Args:
          dev: a ``DeviceSpec``.
        """
        for field in self.__slots__:
            value = getattr(dev, field)
            if value is not None:
                setattr(self, field, value)

    def make_merged_spec(self, dev):
        """Returns a new spec: a copy of this one with ``dev``'s set fields merged in.

        Args:
          dev: a ``DeviceSpec``.

        Returns:
          A new ``DeviceSpec``.
        """
        merged = DeviceSpec()
        merged.merge_from(self)
        merged.merge_from(dev)
        return merged

    def __eq__(self, other):
        return isinstance(other, DeviceSpec) and self.to_string() == other.to_string()

    def __hash__(self):
        return hash(self.to_string())

    def __str__(self):
        return self.to_string()

    def __repr__(self):
        return (f"DeviceSpec(job={self._job!r}, replica={self._replica!r}, task={self._task!r}, "
                f"device_type={self._device_type!r}, device_index={self._device_index!r})")


def _as_spec(device):
    return device if isinstance(device, DeviceSpec) else DeviceSpec.from_string(device)


def canonical_name(device_string):
    """Returns the fully qualified name of a device string.

    Missing job, replica and task become ``localhost``, ``0`` and ``0``; a missing device type
    is ``CPU`` and a missing (or ``*``) index is ``0``.

    Args:
      device_string: a device string or ``DeviceSpec``, e.g. ``"/gpu:1"``.

    Returns:
      A string such as ``"/job:localhost/replica:0/task:0/device:GPU:1"``.

    Raises:
      ValueError: if the string is malformed.
    """
    spec = _as_spec(device_string)
    return DeviceSpec(
        job="localhost" if spec.job is None else spec.job,
        replica=0 if spec.replica is None else spec.replica,
        task=0 if spec.task is None else spec.task,
        device_type="CPU" if spec.device_type is None else spec.device_type,
        device_index=0 if spec.device_index is None else spec.device_index,
    ).to_string()


def merge_device(outer, inner):
    """Merges a nested ``tf.device`` scope into the enclosing one (TF1's merge semantics).

    Fields set in ``inner`` override those of ``outer``; the others are kept, so
    ``/job:worker`` then ``/gpu:0`` gives ``/job:worker/device:GPU:0`` and an empty ``inner``
    keeps ``outer``. (``tf.device(None)``, which clears the outer scopes, is the caller's
    business: ``inner=None`` is treated like ``""`` here.)

    Args:
      outer: the enclosing device string or ``DeviceSpec`` (``""``/``None`` for none).
      inner: the nested device string or ``DeviceSpec``.

    Returns:
      The merged device string in ``DeviceSpec.to_string()`` form.

    Raises:
      ValueError: if either string is malformed.
    """
    return _as_spec(outer).make_merged_spec(_as_spec(inner)).to_string()


# ---------------------------------------------------------------------------------------------
# Devices
# ---------------------------------------------------------------------------------------------

def _is_cupy_array(array):
    cupy = sys.modules.get("cupy")
    ndarray = getattr(cupy, "ndarray", None)
    return ndarray is not None and isinstance(array, ndarray)


def _is_strict_array(array):
    strict = sys.modules.get(_STRICT_MODULE)
    return strict is not None and isinstance(array, strict.StrictArray)


def _host_copy(array, copy):
    """Any array (numpy, cupy, strict) or Python value as a numpy array."""
    if _is_cupy_array(array) or _is_strict_array(array):
        return array.get()
    return np.array(array, copy=True) if copy else np.asarray(array)


class Device:
    """A local device: its canonical name, its array module and host transfers.

    Instances come from the registry (``local_devices()``, ``find_device()``); they are not
    built by users.

    Args:
      device_type: ``"CPU"`` or ``"GPU"``.
      index: the device index.
      xp: the array module kernels on this device compute with.
    """

    def __init__(self, device_type, index, xp):
        self._device_type = device_type
        self._index = index
        self._xp = xp
        self._name = f"{_LOCAL_PREFIX}/device:{device_type}:{index}"

    @property
    def name(self):
        """The canonical name, e.g. ``/job:localhost/replica:0/task:0/device:CPU:0``."""
        return self._name

    @property
    def device_type(self):
        """``"CPU"`` or ``"GPU"``."""
        return self._device_type

    @property
    def index(self):
        """The device index."""
        return self._index

    @property
    def xp(self):
        """The array module (numpy, cupy, or the strict test module)."""
        return self._xp

    @property
    def is_gpu(self):
        """Whether this is a GPU device (the strict test device counts as one)."""
        return self._device_type == "GPU"

    @property
    def spec(self):
        """This device's name as a ``DeviceSpec``."""
        return DeviceSpec.from_string(self._name)

    def to_device(self, array):
        """Returns ``array`` (host or from another device) as an array on this device.

        Args:
          array: a numpy array, Python value, or an array of another device.

        Returns:
          An array of this device's array module (not copied when already here).
        """
        return _host_copy(array, copy=False)

    def to_host(self, array, copy=False):
        """Returns an array of this device as a numpy array.

        Args:
          array: an array of this device (or a host value).
          copy: on the CPU, whether to copy; GPU arrays are always copied.

        Returns:
          A ``numpy.ndarray``.
        """
        return _host_copy(array, copy)

    def synchronize(self):
        """Waits for the device's queued work to finish (a no-op off CUDA)."""

    def __repr__(self):
        return f"<Device {self._name} ({getattr(self._xp, '__name__', self._xp)})>"


class _CupyDevice(Device):
    """A CUDA GPU computing with cupy."""

    def __init__(self, index, cupy):
        super().__init__("GPU", index, cupy)

    def to_device(self, array):
        cupy = self._xp
        with cupy.cuda.Device(self._index):
            if isinstance(array, cupy.ndarray):
                # copy() under another current device copies across GPUs (cupy documents it).
                return array if array.device.id == self._index else array.copy()
            return cupy.asarray(_host_copy(array, copy=False))

    def to_host(self, array, copy=False):
        return _host_copy(array, copy)

    def synchronize(self):
        self._xp.cuda.Device(self._index).synchronize()

    def compute_capability(self):
        """Returns ``(major, minor)`` of this GPU."""
        cc = str(self._xp.cuda.Device(self._index).compute_capability)
        return int(cc[:-1]), int(cc[-1])


class _StrictDevice(Device):
    """The strict test device: a GPU stand-in computing with ``strict_xp`` on the host."""

    def __init__(self, strict):
        super().__init__("GPU", 0, strict.strict_xp)
        self._strict = strict

    def to_device(self, array):
        if isinstance(array, self._strict.StrictArray):
            return array
        return self._strict.StrictArray(_host_copy(array, copy=True))

    def to_host(self, array, copy=False):
        return _host_copy(array, copy)


# ---------------------------------------------------------------------------------------------
# Registry
# ---------------------------------------------------------------------------------------------

_lock = threading.RLock()
_cpu_device = Device("CPU", 0, np)
_cupy_devices = None      # probed lazily: a list of _CupyDevice
_strict_device = None     # a _StrictDevice while the strict test device is enabled


def _cuda_hidden():
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    return visible is not None and visible.strip() in ("", "-1")


def _probe_cupy():
    """The cupy GPUs, or [] when cupy is missing, broken, or finds no device."""
    if _cuda_hidden():
        return []
    try:
        import cupy  # lazy on purpose: CPU installs have no cupy
        count = int(cupy.cuda.runtime.getDeviceCount())
    except Exception:  # ImportError, CUDA driver/runtime errors: all mean "no GPU"
        return []
    return [_CupyDevice(i, cupy) for i in range(count)]


def _reset_gpu_probe():
    """Forgets the probed GPUs, so the next query probes cupy again (for tests)."""
    global _cupy_devices
    with _lock:
        _cupy_devices = None


def _gpu_devices():
    global _cupy_devices
    with _lock:
        if _strict_device is not None:
            return [_strict_device]
        if _cupy_devices is None:
            _cupy_devices = _probe_cupy()
        return list(_cupy_devices)


def local_devices():
    """Returns the local devices: ``CPU:0``, then ``GPU:0``, ``GPU:1``... when present.

    Returns:
      A list of ``Device``.
    """
    return [_cpu_device] + _gpu_devices()


def gpu_available():
    """Returns whether a GPU device (real or the strict test device) is registered."""
    return bool(_gpu_devices())


def default_device():
    """Returns where an op without a device goes: ``GPU:0`` if there is a GPU, else ``CPU:0``."""
    gpus = _gpu_devices()
    return gpus[0] if gpus else _cpu_device


def _matches(spec, device):
    return (spec.job in (None, "localhost") and spec.replica in (None, 0)
            and spec.task in (None, 0)
            and spec.device_type in (None, device.device_type)
            and spec.device_index in (None, device.index))


def find_device(requested_string, allow_soft_placement=False, op_name=None):
    """Returns the local device for a requested device string, as TF1 places an op.

    An empty request gives the default device (``GPU:0`` when a GPU is registered, else
    ``CPU:0``). A request without a device type prefers a GPU. With soft placement, an
    unsatisfiable request falls back to another device of the same type, then to the default.

    Args:
      requested_string: a device string or ``DeviceSpec`` (``""``/``None`` for none).
      allow_soft_placement: ``ConfigProto.allow_soft_placement``.
      op_name: the op's name, for the error message.

    Returns:
      A ``Device``.

    Raises:
      tensorslim.core.errors.InvalidArgumentError: if no local device matches and soft
        placement is off.
      ValueError: if the string is malformed.
    """
    spec = _as_spec(requested_string)
    candidates = _gpu_devices() + [_cpu_device]
    for device in candidates:
        if _matches(spec, device):
            return device
    if allow_soft_placement:
        for device in candidates:
            if spec.device_type == device.device_type:
                return device
        return candidates[0]
    op = f" '{op_name}'" if op_name is not None else ""
    available = ", ".join(device.name for device in local_devices())
    raise errors.InvalidArgumentError(
        None, None,
        f"Cannot assign a device for operation{op}: Operation was explicitly assigned to "
        f"{spec.to_string()} but available devices are [ {available} ]. Make sure the device "
        f"specification refers to a valid device.")


def _resolve(device):
    return device if isinstance(device, Device) else find_device(device)


def transfer(array, src_device, dst_device):
    """Moves an array between devices (through the host unless both are cupy GPUs).

    Args:
      array: an array of ``src_device``.
      src_device: a ``Device`` or device string; ``None`` means wherever ``array`` lives.
      dst_device: a ``Device`` or device string.

    Returns:
      The array on ``dst_device`` (``array`` itself when both devices are the same).
    """
    dst = _resolve(dst_device)
    if src_device is None:
        return dst.to_device(array)
    src = _resolve(src_device)
    if src is dst:
        return array
    if isinstance(src, _CupyDevice) and isinstance(dst, _CupyDevice):
        return dst.to_device(array)
    return dst.to_device(src.to_host(array))


def configure_gpu_memory(allow_growth=None, per_process_gpu_memory_fraction=None):
    """Applies ``GPUOptions`` memory settings to cupy's memory pool; a no-op without cupy GPUs.

    ``per_process_gpu_memory_fraction`` caps the pool of every GPU with
    ``MemoryPool.set_limit(fraction=...)``; ``None`` or ``0`` leaves the limit alone. cupy's
    pool always grows on demand, which is ``allow_growth=True``; TF's up-front reservation
    (``allow_growth=False``) only affects speed and fragmentation, so it is not emulated.

    Args:
      allow_growth: ``GPUOptions.allow_growth`` (accepted; see above).
      per_process_gpu_memory_fraction: a fraction in ``[0, 1]`` of each GPU's memory.

    Raises:
      ValueError: if the fraction is outside ``[0, 1]`` (unified-memory oversubscription,
        which TF allows above 1, is not supported).
    """
    fraction = per_process_gpu_memory_fraction
    if fraction is not None and not 0 <= float(fraction) <= 1:
        raise ValueError(
            f"per_process_gpu_memory_fraction: expected a value in [0, 1], got {fraction!r}")
    del allow_growth  # see the docstring: cupy's pool already grows on demand
    if not fraction:
        return
    for device in _gpu_devices():
        if isinstance(device, _CupyDevice):
            cupy = device.xp
            with cupy.cuda.Device(device.index):
                cupy.get_default_memory_pool().set_limit(fraction=float(fraction))


def gpu_device_name():
    """Returns ``"/device:GPU:0"`` if a GPU is registered, else ``""`` (``tf.test``'s)."""
    return "/device:GPU:0" if gpu_available() else ""


def is_gpu_available(cuda_only=False, min_cuda_compute_capability=None):
    """Returns whether a GPU is available (``tf.test.is_gpu_available``).

    The strict test device counts as a CUDA GPU of any compute capability, so code guarded by
    this check takes its GPU path under the strict device.

    Args:
      cuda_only: only count CUDA GPUs (all of ours are).
      min_cuda_compute_capability: an optional ``(major, minor)`` the GPU must reach.

    Returns:
      A bool.
    """
    del cuda_only  # every GPU we can drive is a CUDA GPU (or stands in for one)
    for device in _gpu_devices():
        if min_cuda_compute_capability is None or not isinstance(device, _CupyDevice):
            return True
        try:
            if device.compute_capability() >= tuple(min_cuda_compute_capability):
                return True
        except Exception:  # a GPU we cannot query does not qualify
            continue
    return False


def get_array_module(*arrays):
    """Returns the array module for ``arrays``: the strict module, cupy, or numpy.

    Args:
      *arrays: arrays or other values; the first device array decides.

    Returns:
      A module with numpy's API.
    """
    strict = sys.modules.get(_STRICT_MODULE)
    cupy = sys.modules.get("cupy")
    cupy_ndarray = getattr(cupy, "ndarray", None)
    for array in arrays:
        if strict is not None and isinstance(array, strict.StrictArray):
            return strict.strict_xp
        if cupy_ndarray is not None and isinstance(array, cupy_ndarray):
            return cupy
    return np


# ---------------------------------------------------------------------------------------------
# The strict test device
# ---------------------------------------------------------------------------------------------

def enable_strict_test_device():
    """Registers the strict test device as ``GPU:0``, in place of any real GPU.

    Returns:
      The strict ``Device``.
    """
    global _strict_device
    from tensorslim.core import strict_device  # loaded only when enabled
    with _lock:
        if _strict_device is None:
            _strict_device = _StrictDevice(strict_device)
        return _strict_device


def disable_strict_test_device():
    """Unregisters the strict test device; real GPUs (if any) come back."""
    global _strict_device
    with _lock:
        _strict_device = None


def strict_test_device_enabled():
    """Returns whether the strict test device is registered."""
    return _strict_device is not None


@contextlib.contextmanager
def strict_test_device():
    """A context manager that enables the strict test device and restores the previous state.

    Yields:
      The strict ``Device``.
    """
    was_enabled = strict_test_device_enabled()
    device = enable_strict_test_device()
    try:
        yield device
    finally:
        if not was_enabled:
            disable_strict_test_device()


if os.environ.get("TENSORSLIM_STRICT_DEVICE", "").strip().lower() in ("1", "true", "yes", "on"):
    enable_strict_test_device()
