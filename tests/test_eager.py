"""Eager execution (``tfe.enable_eager_execution``): immediate values, EagerTensor's Python
protocols, variables, devices and gradient tapes.

Eager mode is process-global and cannot be switched off, so each test runs its checks in a
fresh interpreter: the script asserts, and the test checks that it ran to the end.
"""
import os
import subprocess
import sys
import textwrap

import pytest

import tensorslim as tf


def _run(body, env=None):
    code = "import numpy as np\nimport tensorslim as tf\nimport tensorslim.contrib.eager as tfe\n"
    code += textwrap.dedent(body) + "\nprint('SCRIPT-OK')\n"
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    full_env["PYTHONWARNINGS"] = "error"
    full_env.update(env or {})
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=full_env, timeout=300)
    assert proc.returncode == 0 and "SCRIPT-OK" in proc.stdout, proc.stderr[-4000:]
    return proc.stdout


def test_importing_eager_changes_nothing():
    import tensorslim.contrib.eager as tfe
    assert tfe.enable_eager_execution is tf.enable_eager_execution
    assert tf.executing_eagerly() is False and tfe.in_graph_mode()
    m = tf.matmul([[2.]], [[2.]])
    assert str(m) == 'Tensor("MatMul:0", shape=(1, 1), dtype=float32)'
    with pytest.raises(RuntimeError, match="enable_eager_execution"):
        tf.GradientTape().__enter__()


def test_values_printing_and_python_protocols():
    out = _run('''
        tfe.enable_eager_execution()
        tfe.enable_eager_execution()  # again: nothing happens
        assert tf.executing_eagerly() and tfe.in_eager_mode()
        m = tf.matmul([[2.]], [[2.]])
        print(m)
        assert repr(m) == ("<tf.Tensor: shape=(1, 1), dtype=float32, "
                           "numpy=array([[4.]], dtype=float32)>")
        assert str(tf.constant([[1., 2.], [3., 4.]])) == (
            "tf.Tensor(\\n[[1. 2.]\\n [3. 4.]], shape=(2, 2), dtype=float32)")
        assert str(tf.constant(3)) == "tf.Tensor(3, shape=(), dtype=int32)"
        assert repr(tf.constant(3)) == "<tf.Tensor: shape=(), dtype=int32, numpy=3>"
        assert str(tf.constant("abc")) == "tf.Tensor(b'abc', shape=(), dtype=string)"
        assert m.numpy().dtype == np.float32 and m.numpy().tolist() == [[4.0]]
        assert m.shape.as_list() == [1, 1] and m.dtype == tf.float32
        assert m.device.endswith("device:CPU:0") and m.cpu().numpy().tolist() == [[4.0]]
        s = tf.add(1, 2)
        assert s.numpy() == 3 and isinstance(s.numpy(), np.int32)
        v = tf.constant([1.0, 2.0, 3.0])
        assert float(tf.constant(2.5)) == 2.5 and int(tf.constant(7)) == 7
        assert bool(tf.constant(True)) and not bool(tf.constant(0))
        assert [1, 2, 3][tf.constant(1)] == 2 and len(v) == 3
        assert [x.numpy() for x in v] == [1.0, 2.0, 3.0]
        assert format(tf.constant(2.5), ".2f") == "2.50"
        assert np.asarray(v).tolist() == [1.0, 2.0, 3.0]
        assert (np.float32(2) * v).numpy().tolist() == [2.0, 4.0, 6.0]
        assert (v[1:] + 1).numpy().tolist() == [3.0, 4.0]
        assert (v > 1.5).numpy().tolist() == [False, True, True]
        assert tf.reshape(v, [3, 1]).shape.as_list() == [3, 1]
        assert tf.reduce_sum(v, keep_dims=True).numpy().tolist() == [6.0]
        assert [t.numpy().tolist() for t in tf.split(v, 3)] == [[1.0], [2.0], [3.0]]
        total = 0.0
        for i in range(3):  # Python control flow on concrete values
            if v.numpy()[i] > 1.5:
                total += float(v.numpy()[i])
        assert total == 5.0
        for bad, exc in ((lambda: len(tf.constant(1)), TypeError),
                         (lambda: iter(tf.constant(1)), TypeError),
                         (lambda: bool(v), ValueError),
                         (lambda: tf.constant(1.0).eval(), NotImplementedError),
                         (lambda: tf.placeholder(tf.float32), RuntimeError),
                         (lambda: tf.matmul([[1., 2.]], [[1., 2.]]),
                          tf.errors.InvalidArgumentError)):
            try:
                bad()
                raise AssertionError("no error")
            except exc:
                pass
        assert tf.cond(tf.constant(False), lambda: tf.constant(1),
                       lambda: tf.constant(2)).numpy() == 2
        with tf.Graph().as_default():
            assert not tf.executing_eagerly()
            assert str(tf.constant(1.0)) == 'Tensor("Const:0", shape=(), dtype=float32)'
        tf.reset_default_graph()
        assert tf.executing_eagerly() and tf.add(v, 1).numpy()[0] == 2.0
        assert tf.get_default_graph().get_operations() == []
    ''')
    assert "tf.Tensor([[4.]], shape=(1, 1), dtype=float32)" in out.splitlines()


def test_kernel_errors_name_the_op():
    _run('''
        tfe.enable_eager_execution()
        try:
            tf.reshape(tf.constant([1, 2, 3]), tf.constant([2, 2]))
            raise AssertionError("no error")
        except tf.errors.InvalidArgumentError as e:
            assert e.op is not None and e.op.type == "Reshape", e
        try:
            tf.check_numerics(tf.log(tf.constant([0.0])), "found it")
            raise AssertionError("no error")
        except tf.errors.InvalidArgumentError as e:
            assert "found it" in str(e)
    ''')


def test_enable_after_graph_ops_is_refused():
    _run('''
        tf.constant(1.0)
        try:
            tfe.enable_eager_execution()
            raise AssertionError("no error")
        except ValueError as e:
            assert "program startup" in str(e)
        assert not tf.executing_eagerly()
    ''')


def test_variables_hold_values():
    _run('''
        tfe.enable_eager_execution()
        v = tfe.Variable(1.0, name="v")
        assert repr(v) == "<tf.Variable 'v:0' shape=() dtype=float32, numpy=1.0>"
        v.assign_add(2.0)
        assert v.numpy() == 3.0 and (v + 1).numpy() == 4.0
        snapshot = tf.identity(v)
        v.assign(10.0)
        assert v.numpy() == 10.0 and snapshot.numpy() == 3.0
        assert v.read_value().numpy() == 10.0 and float(v.value()) == 10.0
        w = tf.Variable(2.0)          # same default name, separate storage
        assert v.numpy() == 10.0 and w.numpy() == 2.0
        g = tf.get_variable("g", [2], initializer=tf.ones_initializer())
        assert g.numpy().tolist() == [1.0, 1.0]
        tf.assign_sub(g, [1.0, 0.5])
        assert g.numpy().tolist() == [0.0, 0.5]
        # Collections keep variables (and only variables).
        assert tf.global_variables() == [v, w, g] and tf.trainable_variables()[0] is v
        tf.add_to_collection("losses", tf.constant(1.0))
        assert tf.get_collection("losses") == []
        step = tf.train.get_or_create_global_step()
        assert tf.train.get_or_create_global_step() is step and step.numpy() == 0
    ''')


def test_gradient_tape():
    _run('''
        tfe.enable_eager_execution()
        x = tf.constant([1.0, 2.0, 3.0])
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.reduce_sum(x * x)
        assert tape.gradient(y, x).numpy().tolist() == [2.0, 4.0, 6.0]
        try:
            tape.gradient(y, x)
            raise AssertionError("no error")
        except RuntimeError:
            pass
        # Unwatched tensors get no gradient; variables are watched when read.
        w = tf.Variable([[1.0], [2.0]])
        c = tf.constant(3.0)
        with tf.GradientTape(persistent=True) as tape:
            z = tf.matmul(tf.constant([[1.0, 1.0]]), w) * c
            with tape.stop_recording():
                ignored = z * 100.0
        gw, gc = tape.gradient(z, [w, c])
        assert gw.numpy().tolist() == [[3.0], [3.0]] and gc is None
        assert tape.gradient(ignored, w) is None
        assert tape.watched_variables() == [w]
        assert tape.gradient(z, {"w": w} and [w], unconnected_gradients="zero")[0] is not None
        # Higher order, through nested tapes.
        x = tf.constant(2.0)
        with tf.GradientTape() as outer:
            outer.watch(x)
            with tf.GradientTape() as inner:
                inner.watch(x)
                y = x * x * x
            dy = inner.gradient(y, x)
        assert dy.numpy() == 12.0 and outer.gradient(dy, x).numpy() == 12.0
        # Jacobian of an elementwise square.
        x = tf.constant([1.0, 2.0])
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = x * x
        assert tape.jacobian(y, x).numpy().tolist() == [[2.0, 0.0], [0.0, 4.0]]
        # Through tf.cond's Switch/Merge and a custom gradient.
        @tf.custom_gradient
        def clipped(t):
            return tf.identity(t), lambda dy: dy * 0.5
        x = tf.constant(3.0)
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.cond(x > 0, lambda: clipped(x) * x, lambda: x)
        assert tape.gradient(y, x).numpy() == 3.0 * 0.5 + 3.0
    ''')


def test_tfe_gradient_functions_and_training():
    _run('''
        tfe.enable_eager_execution()
        assert tfe.gradients_function(lambda x: x * x)(3.0)[0].numpy() == 6.0
        assert tfe.gradients_function(lambda x, y: x * y, params=[1])(3.0, 4.0)[0].numpy() \\
            == 3.0
        value, grads = tfe.value_and_gradients_function(lambda x: x * x)(3.0)
        assert value.numpy() == 9.0 and grads[0].numpy() == 6.0
        d2 = tfe.gradients_function(lambda x: tfe.gradients_function(
            lambda y: y * y * y)(x)[0])(2.0)
        assert d2[0].numpy() == 12.0
        w = tf.Variable(1.0)
        pairs = tfe.implicit_gradients(lambda x: w * x)(3.0)
        assert pairs[0][0].numpy() == 3.0 and pairs[0][1] is w
        opt = tf.train.GradientDescentOptimizer(0.1)
        for _ in range(50):
            with tf.GradientTape() as tape:
                loss = (w - 3.0) ** 2
            opt.apply_gradients(zip(tape.gradient(loss, [w]), [w]))
        assert abs(w.numpy() - 3.0) < 1e-3
        assert tfe.defun(lambda a: a + 1)(tf.constant(1)).numpy() == 2
        assert tfe.num_gpus() == 0 and tfe.list_devices()[0].endswith("CPU:0")
    ''', env={"CUDA_VISIBLE_DEVICES": ""})


def test_gpu_copies_on_the_strict_device():
    _run('''
        tfe.enable_eager_execution()
        a = tf.constant([[1.0, 2.0]])
        assert tf.test.is_gpu_available() and tfe.num_gpus() == 1
        g = a.gpu()
        assert g.device.endswith("GPU:0") and g.numpy().tolist() == [[1.0, 2.0]]
        assert a.gpu(0).device.endswith("GPU:0")
        s = g * 2.0 + 1.0                  # ops follow their inputs to the GPU
        assert s.device.endswith("GPU:0") and s.numpy().tolist() == [[3.0, 5.0]]
        assert tf.matmul(g, [[1.0], [1.0]]).device.endswith("GPU:0")
        back = s.cpu()
        assert back.device.endswith("CPU:0") and type(back._value) is np.ndarray
        assert (a + 1.0).device.endswith("CPU:0")   # not placed on the GPU by itself
        v = tf.Variable([1.0, 2.0])
        v.assign_add(g[0])                 # the update runs where the variable lives
        assert v.device.endswith("CPU:0") and v.numpy().tolist() == [2.0, 4.0]
        with tf.GradientTape() as tape:
            tape.watch(g)
            y = tf.reduce_sum(g * g)
        assert tape.gradient(y, g).numpy().tolist() == [[2.0, 4.0]]
        with tf.device("/gpu:0"):
            assert tf.constant(1.0).device.endswith("GPU:0")
        try:
            a.gpu(1)
            raise AssertionError("no error")
        except RuntimeError as e:
            assert "GPU:1" in str(e)
    ''', env={"TENSORSLIM_STRICT_DEVICE": "1"})


def test_gpu_without_a_gpu_fails_clearly():
    _run('''
        tfe.enable_eager_execution()
        assert not tf.test.is_gpu_available()
        try:
            tf.constant([1.0]).gpu()
            raise AssertionError("no error")
        except RuntimeError as e:
            assert "GPU:0" in str(e) and "CPU:0" in str(e)
        try:
            with tf.device("/gpu:0"):
                tf.constant(1.0)
            raise AssertionError("no error")
        except tf.errors.InvalidArgumentError as e:
            assert "GPU:0" in str(e)
    ''', env={"CUDA_VISIBLE_DEVICES": ""})


@pytest.mark.gpu
def test_gpu_copies_with_cupy():
    from tensorslim.core import devices
    if not any(d.is_gpu for d in devices.local_devices()) or devices.strict_test_device_enabled():
        pytest.skip("needs cupy and a CUDA GPU")
    _run('''
        import cupy
        tfe.enable_eager_execution()
        g = tf.constant([[1.0, 2.0]]).gpu()
        assert isinstance(g._value, cupy.ndarray)
        s = tf.matmul(g, tf.constant([[1.0], [1.0]]).gpu())
        assert isinstance(s._value, cupy.ndarray) and s.numpy().tolist() == [[3.0]]
        assert s.cpu().numpy().tolist() == [[3.0]]
    ''')


def test_eager_while_loop_and_slim_layers():
    _run('''
        from tensorslim.eager import control_flow
        import tensorslim.contrib.slim as slim
        tfe.enable_eager_execution()
        assert control_flow.while_loop(lambda i: i < 10, lambda i: i + 1, 0).numpy() == 10
        i, s = control_flow.while_loop(lambda i, s: i < 4, lambda i, s: (i + 1, s * 2.0),
                                       [0, tf.constant(1.0)])
        assert i.numpy() == 4 and s.numpy() == 16.0
        n = control_flow.while_loop(lambda i: i < 10, lambda i: i + 1, [0],
                                    maximum_iterations=3)
        assert n.numpy() == 3  # a one-element list is unpacked, as in TF1
        y = slim.fully_connected(tf.ones([2, 3]), 4)
        assert y.shape.as_list() == [2, 4] and y.numpy().shape == (2, 4)
        assert slim.conv2d(tf.ones([1, 5, 5, 1]), 2, [3, 3]).shape.as_list() == [1, 5, 5, 2]
    ''')


def test_long_eager_loops_keep_no_history():
    _run('''
        import gc, weakref
        tfe.enable_eager_execution()
        first = tf.constant(0.0)
        ref = weakref.ref(first.op)
        x = first
        del first
        for _ in range(200):
            x = x + 1.0
        gc.collect()
        assert x.numpy() == 200.0 and ref() is None
    ''')


def test_graph_gradients_refused_and_while_loop_runs_in_eager(tmp_path):
    import subprocess
    import sys
    code = (
        "import tensorslim as tf\n"
        "tf.enable_eager_execution()\n"
        "i = tf.while_loop(lambda i: i < 5, lambda i: i + 1, [tf.constant(0)])\n"
        "print('LOOP', int(i.numpy()))\n"
        "try:\n"
        "    tf.gradients(tf.constant(1.0), [tf.constant(2.0)])\n"
        "except RuntimeError as e:\n"
        "    print('REFUSED', 'GradientTape' in str(e))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "LOOP 5" in proc.stdout and "REFUSED True" in proc.stdout
