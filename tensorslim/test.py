"""``tf.test``: TensorFlow's unit-test helpers.

``tf.test.TestCase`` is a ``unittest.TestCase`` that starts every test on a fresh default
graph with fixed seeds and adds sessions (``self.session()``, ``self.cached_session()``,
``self.test_session()``), ``self.evaluate`` and array assertions (``assertAllClose``...).
``compute_gradient`` / ``compute_gradient_error`` compare ``tf.gradients`` with central
differences, as TF1's gradient checker does; ``tf.test.main()`` runs the tests of a module.
"""
import atexit
import contextlib
import math
import os
import random
import re
import shutil
import tempfile
import threading
import unittest
from unittest import mock  # noqa: F401 - ``tf.test.mock``

import numpy as np

from tensorslim.core import devices as _devices
from tensorslim.core import dtypes as _dtypes
from tensorslim.core import errors as _errors
from tensorslim.core.graph import Operation, Tensor, get_default_graph, reset_default_graph
from tensorslim.core.random_seed import DEFAULT_GRAPH_SEED, set_random_seed
from tensorslim.core.session import ConfigProto, Session, get_default_session

__all__ = ["TestCase", "main", "get_temp_dir", "is_gpu_available", "gpu_device_name",
           "is_built_with_cuda", "is_built_with_gpu_support", "is_built_with_rocm",
           "compute_gradient", "compute_gradient_error", "mock"]

_temp_root = None
_temp_lock = threading.Lock()


def get_temp_dir():
    """A temporary directory for this test process (removed when the process exits)."""
    global _temp_root
    with _temp_lock:
        if _temp_root is None or not os.path.isdir(_temp_root):
            _temp_root = tempfile.mkdtemp(prefix="tensorslim_test_")
            atexit.register(shutil.rmtree, _temp_root, True)
        return _temp_root


def main(argv=None):
    """Runs the tests of the ``__main__`` module (``tf.test.main``)."""
    return unittest.main(module="__main__", argv=argv)


def is_gpu_available(cuda_only=False, min_cuda_compute_capability=None):
    """Whether a GPU is available (``tf.test.is_gpu_available``); see ``core/devices.py``."""
    return _devices.is_gpu_available(cuda_only, min_cuda_compute_capability)


def gpu_device_name():
    """``"/device:GPU:0"`` when a GPU is available, else ``""``."""
    return _devices.gpu_device_name()


def is_built_with_cuda():
    """Whether this build can use CUDA GPUs (true when cupy finds a GPU)."""
    return _devices.gpu_available()


is_built_with_gpu_support = is_built_with_cuda


def is_built_with_rocm():
    """Always False: tensorslim drives NVIDIA GPUs through cupy only."""
    return False


# --------------------------------------------------------------------------- TestCase

class TestCase(unittest.TestCase):
    """Base class for tests of TensorFlow code (``tf.test.TestCase``).

    Each test starts with a new default graph, the graph seed set to
    ``DEFAULT_GRAPH_SEED`` and Python's and numpy's random seeds fixed.
    """

    def __init__(self, methodName="runTest"):  # noqa: N803 - unittest's name
        super().__init__(methodName)
        self._cached_session = None
        self._tempdir = None

    def setUp(self):
        self._clear_cached_session()
        random.seed(DEFAULT_GRAPH_SEED)
        np.random.seed(DEFAULT_GRAPH_SEED)
        reset_default_graph()
        set_random_seed(DEFAULT_GRAPH_SEED)

    def tearDown(self):
        self._clear_cached_session()

    def _clear_cached_session(self):
        if self._cached_session is not None:
            self._cached_session.close()
            self._cached_session = None

    def get_temp_dir(self):
        """A temporary directory unique to this test."""
        if not self._tempdir:
            self._tempdir = tempfile.mkdtemp(dir=get_temp_dir())
        return self._tempdir

    # -- sessions
    def _config(self, config, force_gpu):
        if config is not None:
            return config
        return ConfigProto(allow_soft_placement=not force_gpu)

    @contextlib.contextmanager
    def _constrain(self, sess, use_gpu, force_gpu):
        with sess.graph.as_default(), sess.as_default():
            if force_gpu:
                with sess.graph.device(gpu_device_name() or "/device:GPU:0"):
                    yield sess
            elif use_gpu:
                yield sess
            else:
                with sess.graph.device("/device:CPU:0"):
                    yield sess

    @contextlib.contextmanager
    def session(self, graph=None, config=None, use_gpu=False, force_gpu=False):
        """A new Session, made the default (with its graph) inside the ``with`` block.

        Args:
          graph: the graph (default: the default graph).
          config: a ConfigProto (default: soft placement unless ``force_gpu``).
          use_gpu: let ops run on a GPU; otherwise ops created in the block are pinned to
            the CPU.
          force_gpu: pin ops created in the block to the GPU.
        """
        sess = Session(graph=graph or get_default_graph(),
                       config=self._config(config, force_gpu))
        try:
            with self._constrain(sess, use_gpu, force_gpu) as s:
                yield s
        finally:
            sess.close()

    @contextlib.contextmanager
    def cached_session(self, graph=None, config=None, use_gpu=False, force_gpu=False):
        """A Session kept for the whole test (closed in tearDown), made the default.

        Raises:
          ValueError: called again with a different graph.
        """
        graph = graph or get_default_graph()
        if self._cached_session is None:
            self._cached_session = Session(graph=graph,
                                           config=self._config(config, force_gpu))
        elif self._cached_session.graph is not graph:
            raise ValueError("The graph used to get the cached session is different than the "
                             "one that was used to create the session. Maybe create a new "
                             "session with self.session()")
        with self._constrain(self._cached_session, use_gpu, force_gpu) as s:
            yield s

    @contextlib.contextmanager
    def _test_session(self, graph=None, config=None, use_gpu=False, force_gpu=False):
        if graph is None:
            with self.cached_session(None, config, use_gpu, force_gpu) as s:
                yield s
        else:
            with self.session(graph, config, use_gpu, force_gpu) as s:
                yield s

    @property
    def test_session(self):
        """``self.test_session(graph=None, config=None, use_gpu=False, force_gpu=False)``.

        The deprecated form of ``cached_session`` (a new session when ``graph`` is given).
        A property so that unittest and pytest do not collect it as a test.
        """
        return self._test_session

    def evaluate(self, tensors):
        """Runs ``tensors`` (any nested structure) in the default or the cached session."""
        sess = get_default_session()
        if sess is not None:
            return sess.run(tensors)
        with self.cached_session() as sess:
            return sess.run(tensors)

    # -- conversions
    def _GetNdArray(self, a):  # noqa: N802 - TF's name
        if isinstance(a, (Tensor, Operation)) or hasattr(a, "_as_graph_element"):
            a = self.evaluate(a)
        if not isinstance(a, np.ndarray):
            a = np.array(a)
        return a

    # -- assertions
    def assertNear(self, f1, f2, err, msg=None):  # noqa: N802
        """Asserts ``|f1 - f2| <= err``."""
        self.assertTrue(f1 == f2 or math.fabs(f1 - f2) <= err,
                        "%f != %f +/- %f%s" % (f1, f2, err,
                                               " (%s)" % msg if msg is not None else ""))

    def assertArrayNear(self, farray1, farray2, err, msg=None):  # noqa: N802
        """Asserts two float lists have the same length and are elementwise within ``err``."""
        self.assertEqual(len(farray1), len(farray2), msg=msg)
        for f1, f2 in zip(farray1, farray2):
            self.assertNear(float(f1), float(f2), err, msg=msg)

    def assertNDArrayNear(self, ndarray1, ndarray2, err, msg=None):  # noqa: N802
        """Asserts ``|a - b| <= err`` everywhere."""
        a, b = np.asarray(ndarray1), np.asarray(ndarray2)
        self.assertTrue(a.shape == b.shape and np.all(np.abs(a - b) <= err),
                        msg or "%s != %s +/- %s" % (a, b, err))

    def _assert_array_like_all_close(self, a, b, rtol, atol, msg, path):
        a = self._GetNdArray(a)
        b = self._GetNdArray(b)
        if a.dtype != object and b.dtype == object or a.dtype == object and b.dtype != object:
            raise TypeError("Cannot compare an object array with a numeric one%s"
                            % _path_str(path))
        self.assertEqual(a.shape, b.shape, "Shape mismatch: expected %s, got %s%s."
                         % (a.shape, b.shape, _path_str(path)))
        if a.size == 0:
            return
        if a.dtype.kind in "OSU" or b.dtype.kind in "OSU":
            self.assertAllEqual(a, b, msg=msg)
            return
        if a.dtype.kind in "biu" and b.dtype.kind in "biu":
            a64, b64 = a.astype(np.float64), b.astype(np.float64)
        else:
            a64, b64 = a, b
        if not np.allclose(a64, b64, rtol=rtol, atol=atol, equal_nan=True):
            cond = np.logical_or(np.abs(a64 - b64) > atol + rtol * np.abs(b64),
                                 np.isnan(a64) != np.isnan(b64))
            lines = []
            if a.ndim:
                x, y = a[cond], b[cond]
                lines.append("not close where = %s" % (np.where(cond),))
            else:
                x, y = a, b
            lines.append("not close lhs = %s" % (x,))
            lines.append("not close rhs = %s" % (y,))
            lines.append("not close dif = %s" % (np.abs(x - y),))
            lines.append("not close tol = %s" % (atol + rtol * np.abs(y),))
            lines.append("dtype = %s, shape = %s" % (a.dtype, a.shape))
            message = "\n".join(lines) + _path_str(path)
            np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=message + (
                "\n" + msg if msg else ""), equal_nan=True)

    def _assert_all_close_recursive(self, a, b, rtol, atol, path, msg):
        if isinstance(a, dict) or isinstance(b, dict):
            if not (isinstance(a, dict) and isinstance(b, dict)):
                raise ValueError("Can't compare dict to non-dict, a%s vs b%s. %s"
                                 % (_path_str(path), _path_str(path), msg or ""))
            self.assertEqual(set(a), set(b), "mismatched keys: a%s has keys %s, but b%s has "
                             "keys %s. %s" % (_path_str(path), sorted(a), _path_str(path),
                                              sorted(b), msg or ""))
            for k in a:
                self._assert_all_close_recursive(a[k], b[k], rtol, atol, path + [str(k)], msg)
            return
        if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
            try:
                a_arr, b_arr = np.asarray(a), np.asarray(b)
                if a_arr.dtype != object and b_arr.dtype != object:
                    self._assert_array_like_all_close(a_arr, b_arr, rtol, atol, msg, path)
                    return
            except ValueError:
                pass
            self.assertEqual(len(a), len(b), "Length of a%s is %d but length of b%s is %d. %s"
                             % (_path_str(path), len(a), _path_str(path), len(b), msg or ""))
            for i, (x, y) in enumerate(zip(a, b)):
                self._assert_all_close_recursive(x, y, rtol, atol, path + [str(i)], msg)
            return
        self._assert_array_like_all_close(a, b, rtol, atol, msg, path)

    def assertAllClose(self, a, b, rtol=1e-6, atol=1e-6, msg=None):  # noqa: N802
        """Asserts two arrays (or nested structures of them, or tensors) are close.

        Elementwise ``|a - b| <= atol + rtol * |b|``, NaNs matching NaNs. Tensors are
        evaluated first.
        """
        self._assert_all_close_recursive(a, b, rtol, atol, [], msg)

    def assertAllCloseAccordingToType(self, a, b, rtol=1e-6, atol=1e-6,  # noqa: N802
                                      float_rtol=1e-6, float_atol=1e-6, half_rtol=1e-3,
                                      half_atol=1e-3, bfloat16_rtol=1e-2, bfloat16_atol=1e-2,
                                      msg=None):
        """``assertAllClose`` with tolerances loosened to the least precise dtype."""
        a = self._GetNdArray(a)
        b = self._GetNdArray(b)
        kinds = {a.dtype, b.dtype}
        if kinds & {np.dtype(np.float32), np.dtype(np.complex64)}:
            rtol, atol = max(rtol, float_rtol), max(atol, float_atol)
        if np.dtype(np.float16) in kinds:
            rtol, atol = max(rtol, half_rtol), max(atol, half_atol)
        if any(d.name == "bfloat16" for d in kinds):
            rtol, atol = max(rtol, bfloat16_rtol), max(atol, bfloat16_atol)
        self.assertAllClose(a, b, rtol=rtol, atol=atol, msg=msg)

    def assertNotAllClose(self, a, b, **kwargs):  # noqa: N802
        """Asserts two arrays are not close."""
        try:
            self.assertAllClose(a, b, **kwargs)
        except AssertionError:
            return
        raise AssertionError("The two values are close at all elements")

    def assertAllEqual(self, a, b, msg=None):  # noqa: N802
        """Asserts two arrays (or tensors) have the same shape and elements."""
        msg = msg if msg else ""
        a = self._GetNdArray(a)
        b = self._GetNdArray(b)
        self.assertEqual(a.shape, b.shape, "Shape mismatch: expected %s, got %s. Contents: "
                         "%r. \n%s." % (a.shape, b.shape, b, msg))
        same = a == b
        if a.dtype.kind == "f" or b.dtype.kind == "f":
            same = np.logical_or(same, np.logical_and(np.isnan(a), np.isnan(b)))
        if not np.all(same):
            diff = np.logical_not(same)
            if a.ndim:
                x, y = a[np.where(diff)], b[np.where(diff)]
                lines = ["not equal where = %s" % (np.where(diff),)]
            else:
                x, y, lines = a, b, []
            lines += ["not equal lhs = %s" % (x,), "not equal rhs = %s" % (y,), msg]
            np.testing.assert_array_equal(a, b, err_msg="\n".join(lines))

    def _compare(self, a, predicate, description):
        a = self._GetNdArray(a)
        if not np.all(predicate(a)):
            self.fail("%s: %s" % (description, a))

    def assertAllGreater(self, a, comparison_target):  # noqa: N802
        """Asserts every element of ``a`` is greater than ``comparison_target``."""
        self._compare(a, lambda v: v > comparison_target, "not all > %s" % comparison_target)

    def assertAllLess(self, a, comparison_target):  # noqa: N802
        """Asserts every element of ``a`` is less than ``comparison_target``."""
        self._compare(a, lambda v: v < comparison_target, "not all < %s" % comparison_target)

    def assertAllGreaterEqual(self, a, comparison_target):  # noqa: N802
        """Asserts every element of ``a`` is at least ``comparison_target``."""
        self._compare(a, lambda v: v >= comparison_target,
                      "not all >= %s" % comparison_target)

    def assertAllLessEqual(self, a, comparison_target):  # noqa: N802
        """Asserts every element of ``a`` is at most ``comparison_target``."""
        self._compare(a, lambda v: v <= comparison_target,
                      "not all <= %s" % comparison_target)

    def assertAllInRange(self, target, lower_bound, upper_bound,  # noqa: N802
                         open_lower_bound=False, open_upper_bound=False):
        """Asserts every element of ``target`` lies in the given interval."""
        t = self._GetNdArray(target)
        if not np.issubdtype(t.dtype, np.number):
            raise AssertionError("The value of %s does not have an ordered numeric type, "
                                 "instead it has type: %s" % (target, t.dtype))
        low = t > lower_bound if open_lower_bound else t >= lower_bound
        high = t < upper_bound if open_upper_bound else t <= upper_bound
        if not np.all(np.logical_and(low, high)):
            raise AssertionError("%d of the %d element(s) are outside the range %s%s, %s%s. "
                                 "Subscript(s) and value(s) of the offending elements:\n%s"
                                 % (np.sum(~(low & high)), t.size,
                                    "(" if open_lower_bound else "[", lower_bound,
                                    upper_bound, ")" if open_upper_bound else "]",
                                    np.argwhere(~(low & high))))

    def assertAllInSet(self, target, expected_set):  # noqa: N802
        """Asserts every element of ``target`` is in ``expected_set``."""
        t = self._GetNdArray(target)
        diff = set(np.unique(t).tolist()) - set(expected_set)
        if diff:
            self.fail("%d unique element(s) are not in the set %s: %s"
                      % (len(diff), expected_set, sorted(diff)))

    def assertDTypeEqual(self, target, expected_dtype):  # noqa: N802
        """Asserts ``target`` (an array or list of arrays) has ``expected_dtype``."""
        target = self._GetNdArray(target) if not isinstance(target, list) else target
        for arr in target if isinstance(target, list) else [target]:
            self.assertEqual(np.asarray(arr).dtype, _as_numpy_dtype(expected_dtype))

    def assertShapeEqual(self, np_array, tf_tensor, msg=None):  # noqa: N802
        """Asserts a numpy array's shape equals a tensor's static shape.

        Raises:
          TypeError: the arguments are not a numpy array and a Tensor.
        """
        if not isinstance(np_array, (np.ndarray, np.generic)):
            raise TypeError("np_array must be a Numpy ndarray or Numpy scalar")
        if not isinstance(tf_tensor, Tensor):
            raise TypeError("tf_tensor must be a Tensor")
        self.assertAllEqual(np_array.shape, tf_tensor.get_shape().as_list(), msg=msg)

    def assertDeviceEqual(self, device1, device2, msg=None):  # noqa: N802
        """Asserts two device strings name the same device."""
        d1 = _devices.canonical_name(device1 or "")
        d2 = _devices.canonical_name(device2 or "")
        self.assertEqual(d1, d2, "Devices %s and %s are not equal. %s" % (d1, d2, msg or ""))

    def assertStartsWith(self, actual, expected_start, msg=None):  # noqa: N802
        """Asserts ``actual.startswith(expected_start)``."""
        if not actual.startswith(expected_start):
            fail_msg = "%r does not start with %r" % (actual, expected_start)
            fail_msg += " : %r" % (msg,) if msg else ""
            self.fail(fail_msg)

    def assertProtoEquals(self, expected_message_maybe_ascii, message, msg=None):  # noqa: N802
        """Asserts a protobuf message equals another (or its text format)."""
        from google.protobuf import text_format
        if isinstance(expected_message_maybe_ascii, str):
            expected = type(message)()
            text_format.Merge(expected_message_maybe_ascii, expected)
        else:
            expected = expected_message_maybe_ascii
        self.assertEqual(text_format.MessageToString(expected),
                         text_format.MessageToString(message), msg)

    @contextlib.contextmanager
    def assertRaisesWithPredicateMatch(self, exception_type,  # noqa: N802
                                       expected_err_re_or_predicate):
        """Context manager: the block must raise ``exception_type`` matching the predicate.

        Args:
          exception_type: the expected exception class.
          expected_err_re_or_predicate: a regex searched in the message (for an OpError its
            message followed by ``Caused by: <op name>``), or a callable taking the
            exception and returning whether it matches.
        """
        if callable(expected_err_re_or_predicate):
            predicate = expected_err_re_or_predicate
        else:
            def predicate(e):
                err_str = e.message if isinstance(e, _errors.OpError) else str(e)
                op = e.op if isinstance(e, _errors.OpError) else None
                if op is not None:
                    err_str += "\nCaused by: " + op.name
                return re.search(expected_err_re_or_predicate, err_str)
        try:
            yield
            self.fail(exception_type.__name__ + " not raised")
        except Exception as e:  # noqa: BLE001 - re-raised unless it matches
            if not isinstance(e, exception_type) or not predicate(e):
                raise AssertionError("Exception of type %s: %s" % (str(type(e)), str(e))) \
                    from e

    def assertRaisesOpError(self, expected_err_re_or_predicate):  # noqa: N802
        """``assertRaisesWithPredicateMatch(tf.errors.OpError, ...)``."""
        return self.assertRaisesWithPredicateMatch(_errors.OpError,
                                                   expected_err_re_or_predicate)

    # -- absltest's helpers that TF tests use
    def assertLen(self, container, expected_len, msg=None):  # noqa: N802
        """Asserts ``len(container) == expected_len``."""
        if len(container) != expected_len:
            self.fail("%r has length of %d, expected %d.%s" % (
                container, len(container), expected_len, " " + msg if msg else ""))

    def assertEmpty(self, container, msg=None):  # noqa: N802
        """Asserts ``container`` has no elements."""
        if len(container):
            self.fail("%r has length of %d.%s" % (container, len(container),
                                                  " " + msg if msg else ""))

    def assertNotEmpty(self, container, msg=None):  # noqa: N802
        """Asserts ``container`` has elements."""
        if not len(container):
            self.fail("%r has length of 0.%s" % (container, " " + msg if msg else ""))

    def assertSameElements(self, expected_seq, actual_seq, msg=None):  # noqa: N802
        """Asserts the two sequences hold the same set of elements."""
        self.assertEqual(set(expected_seq), set(actual_seq), msg)

    def assertContainsSubset(self, expected_subset, actual_set, msg=None):  # noqa: N802
        """Asserts every element of ``expected_subset`` is in ``actual_set``."""
        missing = set(expected_subset) - set(actual_set)
        if missing:
            self.fail("Missing elements %s%s" % (sorted(missing, key=repr),
                                                 " " + msg if msg else ""))

    def checkedThread(self, target, args=None, kwargs=None):  # noqa: N802
        """A thread running ``target`` whose exception fails the test when joined."""
        return _CheckedThread(self, target, args, kwargs)

    # TF1 code still uses the Python 2 names.
    assertRaisesRegexp = unittest.TestCase.assertRaisesRegex  # noqa: N815
    assertRegexpMatches = unittest.TestCase.assertRegex  # noqa: N815
    assertItemsEqual = unittest.TestCase.assertCountEqual  # noqa: N815


class _CheckedThread:
    """A thread whose ``join`` re-raises (as a test failure) what its target raised."""

    def __init__(self, testcase, target, args=None, kwargs=None):
        self._testcase = testcase
        self._target = target
        self._args = () if args is None else args
        self._kwargs = {} if kwargs is None else kwargs
        self._exception = None
        self._thread = threading.Thread(target=self._run)
        self._is_thread_joined = False

    def _run(self):
        try:
            self._target(*self._args, **self._kwargs)
        except Exception as e:  # noqa: BLE001 - reported by join()
            self._exception = e

    def start(self):
        """Starts the thread."""
        self._thread.start()

    def join(self):
        """Waits for the thread; fails the test if the target raised."""
        self._thread.join()
        self._is_thread_joined = True
        if self._exception is not None:
            self._testcase.fail("Error in checkedThread: %s" % str(self._exception))

    def is_alive(self):
        """Whether the thread is still running."""
        return self._thread.is_alive()


def _path_str(path):
    return "[%s]" % "][".join(path) if path else ""


def _as_numpy_dtype(dtype):
    if isinstance(dtype, _dtypes.DType):
        return np.dtype(dtype.as_numpy_dtype)
    return np.dtype(dtype)


# --------------------------------------------------------------------------- gradient checker

def _session_for(graph):
    sess = get_default_session()
    if sess is not None and sess.graph is graph:
        return sess, False
    return Session(graph=graph), True


def _compute_dx_and_dy(x, y, y_shape):
    from tensorslim.core.gradients import gradients
    from tensorslim.core.ops import array_ops
    with x.graph.as_default():
        dy_orig = array_ops.constant(1.0, shape=y_shape, dtype=y.dtype.base_dtype)
        dy = array_ops.identity(dy_orig)
    grads = gradients(y, x, dy)
    return grads[0], dy_orig


def _init_data(x, x_shape, x_init_value):
    if x_init_value is not None:
        x_data = np.asarray(x_init_value)
        if list(x_shape) != list(x_data.shape):
            raise ValueError("x_shape = %s, init_data shape = %s"
                             % (list(x_shape), list(x_data.shape)))
        return x_data
    dtype = x.dtype.base_dtype
    if dtype.is_complex:
        data = np.random.random_sample(x_shape) + 1j * np.random.random_sample(x_shape)
    else:
        data = np.random.random_sample(x_shape)
    return np.asarray(data).astype(dtype.as_numpy_dtype)


def _compute_gradient(sess, x, x_shape, dx, y, y_shape, dy, x_init_value, delta, extra):
    x_data = _init_data(x, x_shape, x_init_value)
    x_size = int(np.prod(x_shape))
    y_size = int(np.prod(y_shape))
    jac_dtype = x_data.dtype if x_data.dtype.kind in "fc" else np.float64
    theoretical = np.zeros((x_size, y_size), dtype=jac_dtype)
    if dx is not None and x_size and y_size:
        dy_data = np.zeros(y_shape, dtype=dy.dtype.base_dtype.as_numpy_dtype)
        flat = dy_data.reshape(-1)
        for col in range(y_size):
            flat[col] = 1
            feed = dict(extra)
            feed.update({x: x_data, dy: dy_data})
            theoretical[:, col] = np.asarray(sess.run(dx, feed)).reshape(-1)
            flat[col] = 0
    numerical = np.zeros((x_size, y_size), dtype=jac_dtype)
    if x_size and y_size:
        for row in range(x_size):
            x_pos = x_data.copy()
            x_pos.reshape(-1)[row] += delta
            feed = dict(extra)
            feed[x] = x_pos
            y_pos = np.asarray(sess.run(y, feed), dtype=jac_dtype)
            x_neg = x_data.copy()
            x_neg.reshape(-1)[row] -= delta
            feed[x] = x_neg
            y_neg = np.asarray(sess.run(y, feed), dtype=jac_dtype)
            numerical[row, :] = ((y_pos - y_neg) / (2 * delta)).reshape(-1)
    return theoretical, numerical


def compute_gradient(x, x_shape, y, y_shape, x_init_value=None, delta=1e-3,
                     init_targets=None, extra_feed_dict=None):
    """The symbolic and numerical Jacobians of ``y`` with respect to ``x`` (TF1's checker).

    Runs in the default session (or a new one on ``x``'s graph). The numerical Jacobian uses
    central differences with step ``delta`` around ``x_init_value`` (default: uniform random
    values in [0, 1)).

    Args:
      x: a Tensor, or a list of Tensors.
      x_shape: the shape of ``x`` (a list of shapes when ``x`` is a list).
      y: the output Tensor.
      y_shape: the shape of ``y``.
      x_init_value: the value of ``x`` (a list when ``x`` is a list).
      delta: the finite-difference step.
      init_targets: ops run once first (e.g. variable initializers).
      extra_feed_dict: more feeds for every run.

    Returns:
      ``(theoretical, numerical)``: two arrays of shape ``[x_size, y_size]``; a list of such
      pairs when ``x`` is a list.
    """
    extra = dict(extra_feed_dict or {})
    graph = y.graph
    sess, owned = _session_for(graph)
    try:
        for target in init_targets or ():
            sess.run(target)
        if isinstance(x, list):
            inits = x_init_value if x_init_value is not None else [None] * len(x)
            datas = [_init_data(xi, si, vi) for xi, si, vi in zip(x, x_shape, inits)]
            result = []
            for i, (xi, si) in enumerate(zip(x, x_shape)):
                feed = dict(extra)
                feed.update({xj: dj for j, (xj, dj) in enumerate(zip(x, datas)) if j != i})
                dx, dy = _compute_dx_and_dy(xi, y, y_shape)
                result.append(_compute_gradient(sess, xi, si, dx, y, y_shape, dy, datas[i],
                                                delta, feed))
            return result
        dx, dy = _compute_dx_and_dy(x, y, y_shape)
        return _compute_gradient(sess, x, x_shape, dx, y, y_shape, dy, x_init_value, delta,
                                 extra)
    finally:
        if owned:
            sess.close()


def compute_gradient_error(x, x_shape, y, y_shape, x_init_value=None, delta=1e-3,
                           init_targets=None, extra_feed_dict=None):
    """The largest absolute difference between the symbolic and numerical Jacobians.

    Arguments as for :func:`compute_gradient`.

    Returns:
      A float.
    """
    grad = compute_gradient(x, x_shape, y, y_shape, x_init_value, delta, init_targets,
                            extra_feed_dict)
    pairs = [grad] if isinstance(grad, tuple) else grad
    error = 0.0
    for theoretical, numerical in pairs:
        if theoretical.size or numerical.size:
            error = max(error, float(np.fabs(theoretical - numerical).max()))
    return error
