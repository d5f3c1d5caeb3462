"""Tests for tensorslim.core.devices and the strict test device."""
import copy
import os
import re
import subprocess
import sys
import types

import numpy as np
import pytest

from tensorslim.core import devices
from tensorslim.core import errors
from tensorslim.core.devices import DeviceSpec
from tensorslim.core.strict_device import StrictArray, strict_xp


def _cupy_gpu_count():
    try:
        import cupy
        return int(cupy.cuda.runtime.getDeviceCount())
    except Exception:
        return 0


_HAS_GPU = _cupy_gpu_count() > 0
gpu_only = pytest.mark.skipif(not _HAS_GPU, reason="needs cupy and a CUDA GPU")

CPU0 = "/job:localhost/replica:0/task:0/device:CPU:0"
GPU0 = "/job:localhost/replica:0/task:0/device:GPU:0"
GPU1 = "/job:localhost/replica:0/task:0/device:GPU:1"


@pytest.fixture(autouse=True)
def _clean_registry():
    """Every test starts without the strict device and with a fresh GPU probe."""
    was_strict = devices.strict_test_device_enabled()
    devices.disable_strict_test_device()
    devices._reset_gpu_probe()
    yield
    devices.disable_strict_test_device()
    devices._reset_gpu_probe()
    if was_strict:
        devices.enable_strict_test_device()


@pytest.fixture
def no_gpu(monkeypatch):
    """Hides real GPUs so that placement tests are deterministic."""
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    devices._reset_gpu_probe()


class _FakeMemoryPool:
    def __init__(self, calls):
        self.calls = calls

    def set_limit(self, size=None, fraction=None):
        self.calls.append((_FakeCudaDevice.current, fraction))


class _FakeCudaDevice:
    current = 0

    def __init__(self, index=0):
        self.id = index
        self.compute_capability = "75"

    def __enter__(self):
        self._previous, _FakeCudaDevice.current = _FakeCudaDevice.current, self.id
        return self

    def __exit__(self, *exc):
        _FakeCudaDevice.current = self._previous

    def synchronize(self):
        pass


class _FakeCupyArray:
    def __init__(self, array):
        self._array = np.array(array, copy=True)

    def get(self):
        return self._array.copy()


@pytest.fixture
def fake_cupy(monkeypatch):
    """A stand-in ``cupy`` module reporting two GPUs of compute capability 7.5."""
    calls = []
    module = types.ModuleType("cupy")
    module.ndarray = _FakeCupyArray
    module.asarray = _FakeCupyArray
    module.cuda = types.SimpleNamespace(
        runtime=types.SimpleNamespace(getDeviceCount=lambda: 2), Device=_FakeCudaDevice)
    module.get_default_memory_pool = lambda: _FakeMemoryPool(calls)
    module.limit_calls = calls
    monkeypatch.setitem(sys.modules, "cupy", module)
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    devices._reset_gpu_probe()
    return module


# ---------------------------------------------------------------------------------------------
# DeviceSpec
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("string, fields, printed", [
    ("/cpu:0", (None, None, None, "CPU", 0), "/device:CPU:0"),
    ("/CPU:0", (None, None, None, "CPU", 0), "/device:CPU:0"),
    ("/gpu:1", (None, None, None, "GPU", 1), "/device:GPU:1"),
    ("/device:GPU:0", (None, None, None, "GPU", 0), "/device:GPU:0"),
    ("/device:gpu:3", (None, None, None, "GPU", 3), "/device:GPU:3"),
    ("/job:localhost/replica:0/task:0/device:CPU:0", ("localhost", 0, 0, "CPU", 0), CPU0),
    ("/job:worker", ("worker", None, None, None, None), "/job:worker"),
    ("/job:ps/task:2", ("ps", None, 2, None, None), "/job:ps/task:2"),
    ("gpu:0", (None, None, None, "GPU", 0), "/device:GPU:0"),
    ("", (None, None, None, None, None), ""),
    ("/gpu:*", (None, None, None, "GPU", None), "/device:GPU:*"),
    ("/device:GPU:*", (None, None, None, "GPU", None), "/device:GPU:*"),
    ("/device:CPU", (None, None, None, "CPU", None), "/device:CPU:*"),
    ("/device:TPU:1", (None, None, None, "TPU", 1), "/device:TPU:1"),
])
def test_parse_device_strings(string, fields, printed):
    spec = DeviceSpec.from_string(string)
    assert (spec.job, spec.replica, spec.task, spec.device_type, spec.device_index) == fields
    assert spec.to_string() == printed
    assert str(spec) == printed
    assert DeviceSpec.from_string(printed) == spec  # printing round-trips


@pytest.mark.parametrize("string", [
    "/foo:0", "/gpu:x", "/gpu:-1", "/cpu:0/gpu:0", "/device:CPU:0/device:GPU:0",
    "/replica:a", "/task:1.5", "/job:", "/device:", "/gpu:0:1",
])
def test_bad_device_strings_name_the_string(string):
    with pytest.raises(ValueError, match=re.escape(repr(string))):
        DeviceSpec.from_string(string)


def test_constructor_normalizes_fields():
    spec = DeviceSpec(job="worker", replica="1", task=2, device_type="gpu", device_index=0)
    assert spec.to_string() == "/job:worker/replica:1/task:2/device:GPU:0"
    assert DeviceSpec(device_type="cpu").to_string() == "/device:CPU:*"
    assert DeviceSpec().to_string() == ""
    with pytest.raises(ValueError, match="device index"):
        DeviceSpec(device_index=-2)


def test_parse_from_string_resets_and_returns_self():
    spec = DeviceSpec(job="worker", device_type="GPU", device_index=1)
    assert spec.parse_from_string("/cpu:0") is spec
    assert spec.job is None and spec.to_string() == "/device:CPU:0"
    assert DeviceSpec.from_string(None).to_string() == ""


def test_from_string_copies_a_spec():
    spec = DeviceSpec.from_string("/job:worker/gpu:0")
    other = DeviceSpec.from_string(spec)
    assert other == spec and other is not spec


def test_merge_from_and_make_merged_spec():
    base = DeviceSpec.from_string("/job:worker/replica:1/device:GPU:0")
    merged = base.make_merged_spec(DeviceSpec.from_string("/task:3/cpu:1"))
    assert merged.to_string() == "/job:worker/replica:1/task:3/device:CPU:1"
    assert base.to_string() == "/job:worker/replica:1/device:GPU:0"  # not modified
    base.merge_from(DeviceSpec(device_index=2))
    assert base.to_string() == "/job:worker/replica:1/device:GPU:2"
    base.merge_from(DeviceSpec())
    assert base.to_string() == "/job:worker/replica:1/device:GPU:2"


@pytest.mark.parametrize("outer, inner, merged", [
    ("", "/gpu:0", "/device:GPU:0"),
    ("/job:worker", "/gpu:0", "/job:worker/device:GPU:0"),
    ("/gpu:0", "/cpu:0", "/device:CPU:0"),
    ("/gpu:1", "", "/device:GPU:1"),
    ("/job:worker/task:1/cpu:0", "/job:ps", "/job:ps/task:1/device:CPU:0"),
    ("/device:GPU:1", "/device:GPU:*", "/device:GPU:1"),
    ("", "", ""),
    (None, "/CPU:0", "/device:CPU:0"),
])
def test_merge_device(outer, inner, merged):
    assert devices.merge_device(outer, inner) == merged


@pytest.mark.parametrize("string, name", [
    ("", CPU0), ("/cpu:0", CPU0), ("/gpu:1", GPU1), ("/device:GPU:0", GPU0),
    ("/gpu:*", GPU0), ("/job:worker", "/job:worker/replica:0/task:0/device:CPU:0"),
    ("/task:2/gpu:0", "/job:localhost/replica:0/task:2/device:GPU:0"), (CPU0, CPU0),
])
def test_canonical_name(string, name):
    assert devices.canonical_name(string) == name


# ---------------------------------------------------------------------------------------------
# Registry and placement
# ---------------------------------------------------------------------------------------------

def test_cpu_device(no_gpu):
    (cpu,) = devices.local_devices()
    assert (cpu.name, cpu.device_type, cpu.index, cpu.xp, cpu.is_gpu) == (CPU0, "CPU", 0, np,
                                                                           False)
    assert not devices.gpu_available()
    assert devices.gpu_device_name() == ""
    assert not devices.is_gpu_available()
    assert devices.default_device() is cpu


@pytest.mark.parametrize("request_string", [
    "", None, "/cpu:0", "/CPU:0", "/device:CPU:0", CPU0, "/job:localhost", "/device:CPU:*",
])
def test_find_device_cpu(no_gpu, request_string):
    assert devices.find_device(request_string).name == CPU0


def test_find_device_missing_gpu_error_text(no_gpu):
    expected = (
        "Cannot assign a device for operation 'MatMul': Operation was explicitly assigned to "
        "/device:GPU:1 but available devices are [ /job:localhost/replica:0/task:0/device:CPU:0"
        " ]. Make sure the device specification refers to a valid device.")
    with pytest.raises(errors.InvalidArgumentError, match=re.escape(expected)) as info:
        devices.find_device("/gpu:1", op_name="MatMul")
    assert str(info.value) == expected
    assert info.value.node_def is None and info.value.op is None


@pytest.mark.parametrize("request_string", ["/job:worker", "/task:1", "/device:TPU:0"])
def test_find_device_other_missing_devices(no_gpu, request_string):
    with pytest.raises(errors.InvalidArgumentError, match="operation 'x'.*explicitly assigned"):
        devices.find_device(request_string, op_name="x")


def test_soft_placement_falls_back(no_gpu):
    assert devices.find_device("/gpu:1", allow_soft_placement=True).name == CPU0
    assert devices.find_device("/job:worker/gpu:0", True).name == CPU0


def test_fake_cupy_registers_gpus(fake_cupy):
    names = [d.name for d in devices.local_devices()]
    assert names == [CPU0, GPU0, GPU1]
    gpu0 = devices.default_device()
    assert gpu0.name == GPU0 and gpu0.is_gpu and gpu0.xp is fake_cupy
    assert devices.find_device("").name == GPU0
    assert devices.find_device("/gpu:1").name == GPU1
    assert devices.find_device("/cpu:0").name == CPU0
    assert devices.find_device("/job:localhost").name == GPU0
    assert devices.find_device("/gpu:7", allow_soft_placement=True).name == GPU0
    assert devices.find_device("/cpu:3", allow_soft_placement=True).name == CPU0
    with pytest.raises(errors.InvalidArgumentError,
                       match=re.escape(f"available devices are [ {CPU0}, {GPU0}, {GPU1} ]")):
        devices.find_device("/gpu:2", op_name="y")
    assert devices.gpu_device_name() == "/device:GPU:0"
    assert devices.is_gpu_available(cuda_only=True)
    assert devices.is_gpu_available(min_cuda_compute_capability=(7, 0))
    assert not devices.is_gpu_available(min_cuda_compute_capability=(8, 0))


def test_fake_cupy_transfers(fake_cupy):
    gpu1 = devices.find_device("/gpu:1")
    host = np.arange(6.0).reshape(2, 3)
    on_gpu = gpu1.to_device(host)
    assert isinstance(on_gpu, fake_cupy.ndarray)
    back = gpu1.to_host(on_gpu)
    assert isinstance(back, np.ndarray) and np.array_equal(back, host)
    assert devices.get_array_module(on_gpu) is fake_cupy
    moved = devices.transfer(on_gpu, gpu1, "/cpu:0")
    assert isinstance(moved, np.ndarray) and np.array_equal(moved, host)


def test_fake_cupy_memory_fraction(fake_cupy):
    devices.configure_gpu_memory(allow_growth=True, per_process_gpu_memory_fraction=0.25)
    assert fake_cupy.limit_calls == [(0, 0.25), (1, 0.25)]
    devices.configure_gpu_memory(allow_growth=False, per_process_gpu_memory_fraction=0.0)
    assert len(fake_cupy.limit_calls) == 2  # 0 means "no setting", as in TF
    with pytest.raises(ValueError, match="expected a value in \\[0, 1\\], got 1.5"):
        devices.configure_gpu_memory(per_process_gpu_memory_fraction=1.5)


def test_configure_gpu_memory_without_gpu_is_noop(no_gpu):
    devices.configure_gpu_memory(allow_growth=True, per_process_gpu_memory_fraction=0.5)


def test_cuda_visible_devices_empty_hides_gpus(fake_cupy, monkeypatch):
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    devices._reset_gpu_probe()
    assert [d.name for d in devices.local_devices()] == [CPU0]
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "-1")
    devices._reset_gpu_probe()
    assert not devices.gpu_available()


def test_cupy_import_failure_means_no_gpu(monkeypatch):
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    monkeypatch.setitem(sys.modules, "cupy", None)  # `import cupy` raises ImportError
    devices._reset_gpu_probe()
    assert [d.name for d in devices.local_devices()] == [CPU0]


def test_cupy_runtime_failure_means_no_gpu(fake_cupy):
    def broken():
        raise RuntimeError("cudaErrorNoDevice: no CUDA-capable device is detected")
    fake_cupy.cuda.runtime.getDeviceCount = broken
    devices._reset_gpu_probe()
    assert not devices.gpu_available()


def test_cpu_round_trip():
    cpu = devices.find_device("/cpu:0")
    host = np.arange(4.0)
    assert cpu.to_device(host) is host
    assert cpu.to_host(host) is host
    copied = cpu.to_host(host, copy=True)
    assert copied is not host and np.array_equal(copied, host)
    assert np.array_equal(cpu.to_device([1, 2]), np.array([1, 2]))


# ---------------------------------------------------------------------------------------------
# The strict test device
# ---------------------------------------------------------------------------------------------

def test_enable_disable_changes_local_devices(no_gpu):
    assert [d.name for d in devices.local_devices()] == [CPU0]
    strict = devices.enable_strict_test_device()
    assert devices.strict_test_device_enabled()
    assert [d.name for d in devices.local_devices()] == [CPU0, GPU0]
    assert strict.name == GPU0 and strict.is_gpu and strict.xp is strict_xp
    assert devices.default_device() is strict
    assert devices.find_device("") is strict
    assert devices.find_device("/gpu:0") is strict
    assert devices.find_device("/cpu:0").name == CPU0
    assert devices.gpu_available() and devices.is_gpu_available()
    assert devices.gpu_device_name() == "/device:GPU:0"
    with pytest.raises(errors.InvalidArgumentError,
                       match=re.escape(f"[ {CPU0}, {GPU0} ]")):
        devices.find_device("/gpu:1", op_name="z")
    assert devices.find_device("/gpu:1", allow_soft_placement=True) is strict
    devices.disable_strict_test_device()
    assert [d.name for d in devices.local_devices()] == [CPU0]


def test_strict_device_replaces_real_gpus(fake_cupy):
    with devices.strict_test_device() as strict:
        assert [d.name for d in devices.local_devices()] == [CPU0, GPU0]
        assert devices.default_device() is strict
        devices.configure_gpu_memory(per_process_gpu_memory_fraction=0.5)
    assert fake_cupy.limit_calls == []
    assert devices.default_device().xp is fake_cupy


def test_context_manager_restores_state(no_gpu):
    with devices.strict_test_device() as strict:
        assert devices.default_device() is strict
        with devices.strict_test_device():
            pass
        assert devices.strict_test_device_enabled()  # the inner block did not disable it
    assert not devices.strict_test_device_enabled()
    assert devices.default_device().name == CPU0


def test_environment_variable_enables_strict_device():
    env = dict(os.environ, TENSORSLIM_STRICT_DEVICE="1", CUDA_VISIBLE_DEVICES="")
    code = ("from tensorslim.core import devices;"
            "print(devices.gpu_device_name(), devices.default_device().xp.__name__)")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True, cwd=os.path.dirname(os.path.dirname(__file__)))
    assert out.stdout.split() == ["/device:GPU:0", "tensorslim.core.strict_device.strict_xp"]


def test_strict_round_trips_and_transfer():
    with devices.strict_test_device() as strict:
        host = np.arange(6.0).reshape(2, 3)
        dev = strict.to_device(host)
        assert isinstance(dev, StrictArray)
        host[0, 0] = 99.0  # to_device copied
        assert dev[0, 0].item() == 0.0
        assert strict.to_device(dev) is dev
        back = strict.to_host(dev)
        assert isinstance(back, np.ndarray) and back[0, 0] == 0.0
        back[0, 1] = -1.0  # to_host copied
        assert dev[0, 1].item() == 1.0
        cpu = devices.find_device("/cpu:0")
        moved = devices.transfer(dev, strict, cpu)
        assert isinstance(moved, np.ndarray)
        again = devices.transfer(moved, "/cpu:0", "/gpu:0")
        assert isinstance(again, StrictArray) and np.array_equal(again.get(), moved)
        assert devices.transfer(dev, strict, strict) is dev
        assert isinstance(cpu.to_device(dev), np.ndarray)


def _strict(values, dtype=np.float64):
    return strict_xp.asarray(np.asarray(values, dtype=dtype))


_CONVERSION = re.escape("Implicit conversion to a NumPy array is not allowed. Please use "
                        "`.get()` to construct a NumPy array explicitly.")


def test_implicit_conversion_raises():
    s = _strict([1.0, 2.0])
    with pytest.raises(TypeError, match=_CONVERSION):
        np.asarray(s)
    with pytest.raises(TypeError, match=_CONVERSION):
        np.array(s)
    with pytest.raises(TypeError, match=_CONVERSION):
        np.array([s, s])


@pytest.mark.parametrize("mix", [
    lambda n, s: n + s,
    lambda n, s: s * n,
    lambda n, s: s > n,
    lambda n, s: n @ s,
    lambda n, s: np.add(n, s),
    lambda n, s: np.maximum(s, n),
    lambda n, s: np.exp(s, out=n),
    lambda n, s: np.add.reduce(n, where=s > 0),
    lambda n, s: s + [1.0, 2.0],
    lambda n, s: s + np.float64(1.0) * n,
])
def test_mixing_in_ufuncs_raises(mix):
    with pytest.raises(TypeError, match="Unsupported type"):
        mix(np.ones(2), _strict([1.0, 2.0]))


@pytest.mark.parametrize("mix", [
    lambda n, s: np.concatenate([n, s]),
    lambda n, s: np.concatenate([s, n]),
    lambda n, s: np.stack((s, n)),
    lambda n, s: np.dot(n, s),
    lambda n, s: np.where(s > 0, s, n),
    lambda n, s: np.copyto(s, n),
    lambda n, s: s.dot(n),
    lambda n, s: s.clip(n, 3.0),
])
def test_mixing_in_functions_raises(mix):
    with pytest.raises(TypeError, match="Unsupported type <class 'numpy.ndarray'>"):
        mix(np.ones(2), _strict([1.0, 2.0]))


@pytest.mark.parametrize("call", [
    lambda n: strict_xp.add(n, n),
    lambda n: strict_xp.exp(n),
    lambda n: strict_xp.sum(n),
    lambda n: strict_xp.concatenate([n, n]),
    lambda n: strict_xp.linalg.norm(n),
    lambda n: strict_xp.lib.stride_tricks.as_strided(n, (2,), (8,)),
    lambda n: strict_xp.ascontiguousarray(n),
    lambda n: strict_xp.maximum.reduce(n),
])
def test_numpy_arrays_in_strict_xp_raise(call):
    with pytest.raises(TypeError, match="Unsupported type <class 'numpy.ndarray'>"):
        call(np.ones(2))


def test_strict_xp_accepts_scalars_dtypes_and_host_data_where_cupy_does():
    assert strict_xp.zeros((2, 3), dtype=np.float32).dtype == np.float32
    assert strict_xp.full((2,), np.float32(3.0)).get().tolist() == [3.0, 3.0]
    assert strict_xp.add(1, 2).get() == 3  # all-scalar ufunc calls give 0-d device arrays
    a = strict_xp.asarray(np.ones(3))  # asarray/array model the host-to-device copy
    b = strict_xp.array([1.0, 2.0, 3.0])
    assert isinstance(a, StrictArray) and isinstance(b, StrictArray)
    assert strict_xp.asarray(a) is a
    assert strict_xp.asarray(a, dtype=np.float32).dtype == np.float32
    assert strict_xp.array(a) is not a
    assert strict_xp.float32 is np.float32 and strict_xp.pi == np.pi
    assert strict_xp.newaxis is None and strict_xp.ndarray is StrictArray
    assert isinstance(strict_xp.asnumpy(a), np.ndarray)


def test_pure_strict_arithmetic():
    s = _strict([[1.0, -2.0], [3.0, 4.0]])
    r = (2 * s + 1.0) / np.float32(2.0) - abs(s) ** 2
    assert isinstance(r, StrictArray)
    expected = (2 * s.get() + 1.0) / np.float32(2.0) - abs(s.get()) ** 2
    np.testing.assert_allclose(r.get(), expected)
    assert isinstance(s > 0, StrictArray) and (s > 0).dtype == np.bool_
    t = s.copy()
    t += 1
    t[0, 0] = 10.0
    t[_strict([1], np.int64)] = _strict([7.0, 8.0])
    assert t.get().tolist() == [[10.0, -1.0], [7.0, 8.0]]
    assert s.get().tolist() == [[1.0, -2.0], [3.0, 4.0]]
    assert np.sum(s).item() == 6.0  # numpy functions dispatch when all arrays are strict
    assert isinstance(np.concatenate([s, s]), StrictArray)


def test_scalars_and_conversions():
    s = _strict([[1.0, 2.0], [3.0, 4.0]])
    total = s.sum()
    assert isinstance(total, StrictArray) and total.ndim == 0  # like cupy, not a numpy scalar
    assert isinstance(s[0, 1], StrictArray)
    assert float(total) == 10.0 and int(total) == 10 and bool(total)
    assert total.item() == 10.0 and s.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    with pytest.raises(TypeError):
        range(_strict(3, np.int64))  # cupy arrays have no __index__ either
    with pytest.raises(ValueError):
        bool(s)


def test_strict_array_attributes_and_methods():
    base = np.arange(12.0).reshape(3, 4)
    s = strict_xp.asarray(base)
    for attr in ("shape", "dtype", "ndim", "size", "itemsize", "nbytes", "strides"):
        assert getattr(s, attr) == getattr(base, attr), attr
    assert s.T.get().tolist() == base.T.tolist()
    calls = {
        "reshape": ((4, 3),), "astype": (np.int32,), "sum": (), "mean": (0,), "max": (),
        "min": (1,), "argmax": (), "argmin": (), "prod": (), "any": (), "all": (),
        "transpose": (), "swapaxes": (0, 1), "ravel": (), "flatten": (), "copy": (),
        "clip": (2.0, 5.0), "cumsum": (1,), "std": (), "var": (0,), "round": (),
        "view": (np.int64,),
    }
    for name, args in calls.items():
        got = getattr(s, name)(*args)
        assert isinstance(got, StrictArray), name
        np.testing.assert_array_equal(got.get(), getattr(base, name)(*args), err_msg=name)
    assert s[None].squeeze().shape == (3, 4)
    np.testing.assert_array_equal(s.dot(s.T).get(), base.dot(base.T))
    rows, cols = s.nonzero()
    assert isinstance(rows, StrictArray) and rows.get().tolist() == base.nonzero()[0].tolist()
    assert s.item(5) == 5.0
    f = strict_xp.zeros(3)
    f.fill(2.5)
    assert f.get().tolist() == [2.5, 2.5, 2.5]
    assert len(s) == 3 and all(isinstance(row, StrictArray) for row in s)
    assert repr(strict_xp.asarray([1.0])) == "StrictArray(array([1.]))"
    got = s.get()
    got[0, 0] = -1.0  # .get() is a copy
    assert s[0, 0].item() == 0.0
    assert copy.deepcopy(s).get().tolist() == base.tolist()


def test_strict_subnamespaces():
    a = _strict([[2.0, 0.0], [0.0, 4.0]])
    np.testing.assert_allclose(strict_xp.linalg.inv(a).get(), [[0.5, 0.0], [0.0, 0.25]])
    _, singular, _ = strict_xp.linalg.svd(a)
    assert isinstance(singular, StrictArray)
    assert isinstance(strict_xp.fft.fft(a), StrictArray)
    strict_xp.random.seed(3)
    r = strict_xp.random.uniform(size=(2, 2))
    assert isinstance(r, StrictArray) and r.shape == (2, 2)
    rng = strict_xp.random.RandomState(0)
    assert isinstance(rng.normal(size=3), StrictArray)
    assert strict_xp.get_array_module(a) is strict_xp
    assert strict_xp.get_array_module(np.ones(1)) is np
    acc = strict_xp.zeros(3)
    strict_xp.add.at(acc, _strict([0, 0, 2], np.int64), 1.0)
    assert acc.get().tolist() == [2.0, 0.0, 1.0]


def test_get_array_module():
    assert devices.get_array_module(np.ones(2), 3.0) is np
    assert devices.get_array_module() is np
    assert devices.get_array_module(np.ones(2), _strict([1.0])) is strict_xp


def _softmax_matmul_conv(xp, x, w, images, kernel):
    """A small model written once against ``xp``: softmax(x @ w) and an im2col convolution."""
    logits = xp.matmul(x, w)
    shifted = logits - xp.max(logits, axis=-1, keepdims=True)
    e = xp.exp(shifted)
    probs = e / xp.sum(e, axis=-1, keepdims=True)
    n, h, wd, c = images.shape
    kh, kw, _, out_c = kernel.shape
    oh, ow = h - kh + 1, wd - kw + 1
    images = xp.ascontiguousarray(images)
    sn, sh, sw, sc = images.strides
    patches = xp.lib.stride_tricks.as_strided(
        images, shape=(n, oh, ow, kh, kw, c), strides=(sn, sh, sw, sh, sw, sc))
    cols = patches.reshape(n * oh * ow, kh * kw * c)
    conv = xp.dot(cols, kernel.reshape(kh * kw * c, out_c)).reshape(n, oh, ow, out_c)
    return probs, xp.maximum(conv, 0.0)


def test_model_code_gives_the_same_numbers_on_strict_device():
    rng = np.random.RandomState(0)
    host = [rng.randn(4, 5), rng.randn(5, 3), rng.randn(2, 6, 5, 3), rng.randn(3, 2, 3, 4)]
    expected = _softmax_matmul_conv(np, *host)
    with devices.strict_test_device() as strict:
        on_device = [strict.to_device(a) for a in host]
        xp = devices.get_array_module(*on_device)
        assert xp is strict.xp is strict_xp
        got = _softmax_matmul_conv(xp, *on_device)
        for g, e in zip(got, expected):
            assert isinstance(g, StrictArray)
            np.testing.assert_allclose(strict.to_host(g), e, rtol=1e-12)
        with pytest.raises(TypeError):  # a host array slipped in: caught, as cupy would
            _softmax_matmul_conv(xp, host[0], *on_device[1:])


# ---------------------------------------------------------------------------------------------
# Real GPUs (cupy)
# ---------------------------------------------------------------------------------------------

@pytest.mark.gpu
@gpu_only
def test_real_gpu_registry_and_round_trip(monkeypatch):
    import cupy
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    devices._reset_gpu_probe()
    gpus = [d for d in devices.local_devices() if d.is_gpu]
    assert len(gpus) == _cupy_gpu_count() and gpus[0].name == GPU0
    assert devices.default_device() is gpus[0]
    host = np.arange(6, dtype=np.float32).reshape(2, 3)
    on_gpu = gpus[0].to_device(host)
    assert isinstance(on_gpu, cupy.ndarray)
    assert devices.get_array_module(on_gpu) is cupy
    np.testing.assert_array_equal(gpus[0].to_host(on_gpu), host)
    assert devices.gpu_device_name() == "/device:GPU:0"
    gpus[0].synchronize()


@pytest.mark.gpu
@gpu_only
def test_real_gpu_model_code_matches_numpy():
    gpu = devices.find_device("/gpu:0")
    rng = np.random.RandomState(0)
    host = [rng.randn(4, 5), rng.randn(5, 3), rng.randn(2, 6, 5, 3), rng.randn(3, 2, 3, 4)]
    expected = _softmax_matmul_conv(np, *host)
    got = _softmax_matmul_conv(gpu.xp, *[gpu.to_device(a) for a in host])
    for g, e in zip(got, expected):
        np.testing.assert_allclose(gpu.to_host(g), e, rtol=1e-10)


@pytest.mark.gpu
@gpu_only
def test_real_gpu_memory_fraction():
    import cupy
    devices.configure_gpu_memory(allow_growth=True, per_process_gpu_memory_fraction=0.5)
    assert cupy.get_default_memory_pool().get_limit() > 0
    cupy.get_default_memory_pool().set_limit(size=0)
