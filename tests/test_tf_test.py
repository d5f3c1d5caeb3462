"""tf.test: TestCase as users write it, the assertions, the gradient checker, main()."""
import os
import subprocess
import sys
import textwrap
import unittest

import numpy as np
import pytest

import tensorslim as tf


class SquareTest(tf.test.TestCase):
    """A test written the way TF1 users write them (collected by pytest too)."""

    def testSquare(self):  # noqa: N802 - TF style
        with self.cached_session():
            x = tf.square([2, 3])
            self.assertAllEqual(x.eval(), [4, 9])

    def testEvaluateAndGraphReset(self):  # noqa: N802
        self.assertEqual(tf.get_default_graph().get_operations(), [])
        v = tf.Variable([1.0, 2.0])
        self.evaluate(v.initializer)
        self.assertAllClose(self.evaluate(v * 2.0), [2.0, 4.0])
        self.assertAllClose({"a": v, "b": [v, 3.0]}, {"a": [1, 2], "b": [[1, 2], 3]})

    def testSessionsArePinnedToCpuUnlessUseGpu(self):  # noqa: N802
        with self.session() as sess:
            c = tf.constant(1.0)
            self.assertIn("CPU", c.device)
            self.assertEqual(sess.run(c), 1.0)
        with self.session(use_gpu=True):
            d = tf.constant(2.0)
            self.assertEqual(d.device, "")

    def testOpErrors(self):  # noqa: N802
        x = tf.placeholder(tf.float32)
        y = tf.check_numerics(x, "checked")
        with self.cached_session() as sess:
            with self.assertRaisesOpError("checked : Tensor had NaN"):
                sess.run(y, {x: np.nan})
            with self.assertRaisesWithPredicateMatch(tf.errors.InvalidArgumentError,
                                                     lambda e: "NaN" in e.message):
                sess.run(y, {x: np.nan})

    def testTempDir(self):  # noqa: N802
        d = self.get_temp_dir()
        self.assertTrue(os.path.isdir(d))
        self.assertEqual(d, self.get_temp_dir())
        self.assertTrue(os.path.isdir(tf.test.get_temp_dir()))
        self.assertStartsWith(d, tf.test.get_temp_dir())


def _run_case(case_cls):
    """Runs a TestCase class with unittest; returns the result."""
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(case_cls)
    result = unittest.TestResult()
    suite.run(result)
    return result


def test_assertions_pass_and_fail():
    class Checks(tf.test.TestCase):
        def test_close(self):
            self.assertAllClose([1.0, 2.0], np.array([1.0, 2.0 + 1e-7]))
            self.assertAllClose(np.float32(1.0), 1.0)
            self.assertAllCloseAccordingToType(np.float16([1.0]), [1.0005])
            self.assertAllCloseAccordingToType(np.float32([1.0]), [1.0 + 5e-7])
            self.assertNotAllClose([1.0], [2.0])
            self.assertArrayNear([1.0, 2.0], [1.05, 2.0], 0.1)
            self.assertNear(1.0, 1.01, 0.02)
            self.assertNDArrayNear(np.ones((2, 2)), np.ones((2, 2)) + 0.01, 0.1)
            self.assertAllEqual(np.array([b"a"], dtype=object), [b"a"])
            self.assertShapeEqual(np.zeros((2, 3)), tf.zeros([2, 3]))
            self.assertAllGreater([2, 3], 1)
            self.assertAllLessEqual([2, 3], 3)
            self.assertAllInRange([0.0, 0.5, 1.0], 0.0, 1.0)
            self.assertAllInSet([1, 2, 1], {1, 2})
            self.assertDTypeEqual(np.zeros(2, np.float32), tf.float32)
            self.assertDeviceEqual("/cpu:0", "/device:CPU:0")
            self.assertItemsEqual([1, 2], [2, 1])
            self.assertLen([1, 2], 2)
            self.assertEmpty([])
            self.assertNotEmpty([1])
            self.assertContainsSubset([1], [1, 2])
            self.assertSameElements([1, 2, 2], [2, 1])

        def test_fail_close(self):
            self.assertAllClose([1.0, 2.0], [1.0, 2.1])

        def test_fail_equal(self):
            self.assertAllEqual([1, 2], [1, 3])

        def test_fail_shape(self):
            self.assertAllEqual([1, 2], [1, 2, 3])

        def test_fail_near(self):
            self.assertArrayNear([1.0], [2.0], 0.5)

        def test_fail_starts(self):
            self.assertStartsWith("abc", "b")

        def test_fail_type_error(self):
            self.assertShapeEqual([1], tf.zeros([1]))

        def test_fail_no_error(self):
            with self.assertRaisesOpError("x"):
                pass

    result = _run_case(Checks)
    assert result.testsRun == 8
    assert [t._testMethodName for t, _ in result.errors] == ["test_fail_type_error"]
    failed = sorted(t._testMethodName for t, _ in result.failures)
    assert failed == ["test_fail_close", "test_fail_equal", "test_fail_near",
                      "test_fail_no_error", "test_fail_shape", "test_fail_starts"]
    messages = {t._testMethodName: m for t, m in result.failures}
    assert "not close where" in messages["test_fail_close"]
    assert "not equal where" in messages["test_fail_equal"]
    assert "Shape mismatch" in messages["test_fail_shape"]
    assert "'abc' does not start with 'b'" in messages["test_fail_starts"]
    assert "OpError not raised" in messages["test_fail_no_error"]
    assert "np_array must be a Numpy ndarray" in result.errors[0][1]


def test_cached_session_requires_same_graph():
    class Cached(tf.test.TestCase):
        def test_it(self):
            with self.cached_session() as s1:
                pass
            with self.test_session() as s2:
                self.assertIs(s1, s2)
            with self.assertRaisesRegexp(ValueError, "graph used to get the cached session"):
                with self.cached_session(graph=tf.Graph()):
                    pass
            with self.test_session(graph=tf.Graph()) as s3:
                self.assertIsNot(s3, s1)
    result = _run_case(Cached)
    assert result.wasSuccessful(), result.failures + result.errors


def test_setup_resets_graph_and_seeds():
    class Seeds(tf.test.TestCase):
        def test_it(self):
            self.assertEqual(tf.get_default_graph().seed, 87654321)
            self.assertEqual(tf.get_default_graph().get_operations(), [])
            tf.constant(1.0)
    tf.constant(5.0)
    result = _run_case(Seeds)
    assert result.wasSuccessful(), result.failures + result.errors


def test_gpu_queries():
    assert isinstance(tf.test.is_gpu_available(), bool)
    name = tf.test.gpu_device_name()
    assert name in ("", "/device:GPU:0")
    assert (name != "") == tf.test.is_gpu_available()
    from tensorslim.core import devices
    with devices.strict_test_device():
        assert tf.test.is_gpu_available()
        assert tf.test.gpu_device_name() == "/device:GPU:0"


def test_compute_gradient_and_error():
    x = tf.placeholder(tf.float64, [2, 3])
    y = tf.reduce_sum(x * x, axis=1)
    x_init = np.arange(6, dtype=np.float64).reshape(2, 3)
    with tf.Session():
        theoretical, numerical = tf.test.compute_gradient(x, [2, 3], y, [2],
                                                          x_init_value=x_init)
        assert theoretical.shape == (6, 2)
        expected = np.zeros((6, 2))
        expected[:3, 0] = 2 * x_init[0]
        expected[3:, 1] = 2 * x_init[1]
        np.testing.assert_allclose(theoretical, expected)
        np.testing.assert_allclose(numerical, expected, atol=1e-6)
        err = tf.test.compute_gradient_error(x, [2, 3], y, [2])
        assert err < 1e-6
    # A list of xs, and no default session.
    a = tf.placeholder(tf.float64, [2])
    b = tf.placeholder(tf.float64, [2])
    z = a * b
    pairs = tf.test.compute_gradient([a, b], [[2], [2]], z, [2],
                                     x_init_value=[np.array([1.0, 2.0]), np.array([3.0, 4.0])])
    np.testing.assert_allclose(pairs[0][0], np.diag([3.0, 4.0]))
    np.testing.assert_allclose(pairs[1][1], np.diag([1.0, 2.0]), atol=1e-6)
    assert tf.test.compute_gradient_error([a, b], [[2], [2]], z, [2]) < 1e-6
    with pytest.raises(ValueError, match="x_shape"):
        tf.test.compute_gradient(a, [3], z, [2], x_init_value=np.zeros(2))


def test_compute_gradient_error_detects_a_wrong_gradient():
    @tf.RegisterGradient("TestTfTestWrongSquare")
    def _wrong(op, grad):
        return [grad * 3.0 * op.inputs[0]]
    x = tf.placeholder(tf.float64, [3])
    with tf.get_default_graph().gradient_override_map({"Square": "TestTfTestWrongSquare"}):
        y = tf.square(x)
    with tf.Session():
        err = tf.test.compute_gradient_error(x, [3], y, [3],
                                             x_init_value=np.array([1.0, 2.0, 3.0]))
    assert err == pytest.approx(3.0, rel=1e-4)


def test_main_runs_a_module(tmp_path):
    script = tmp_path / "my_test.py"
    script.write_text(textwrap.dedent("""
        import tensorslim as tf

        class T(tf.test.TestCase):
            def testAdd(self):
                with self.cached_session():
                    self.assertAllClose(tf.add(1.0, 2.0).eval(), 3.0)

        if __name__ == "__main__":
            tf.test.main()
    """))
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, PYTHONPATH=repo)
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "Ran 1 test" in proc.stderr and "OK" in proc.stderr


def test_mock_is_unittest_mock():
    assert tf.test.mock is unittest.mock


def test_checked_thread():
    class Threads(tf.test.TestCase):
        def test_ok(self):
            seen = []
            t = self.checkedThread(target=seen.append, args=(1,))
            t.start()
            t.join()
            self.assertEqual(seen, [1])
            self.assertFalse(t.is_alive())

        def test_fails(self):
            def boom():
                raise ValueError("inside thread")
            t = self.checkedThread(boom)
            t.start()
            t.join()
    result = _run_case(Threads)
    assert [t._testMethodName for t, _ in result.failures] == ["test_fails"]
    assert "Error in checkedThread: inside thread" in result.failures[0][1]
