"""Optimizers: update maths against TF1's formulas, slot and op names, minimize/apply_gradients,
the global step, error messages, and the UPDATE_OPS run-time warning."""
import warnings

import numpy as np
import pytest

import tensorslim as tf
from tensorslim.training import training_ops
from tensorslim.training.optimizer import MissingUpdateOpsWarning

W0 = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])
GRADS = [np.array([[0.1, -0.2, 0.3], [0.05, 0.4, -0.6]]),
         np.array([[-0.3, 0.1, 0.2], [0.5, -0.05, 0.25]]),
         np.array([[0.2, 0.2, -0.1], [-0.4, 0.3, 0.1]])]


# --------------------------------------------------------------------------- references
# TF1's kernels (training_ops.cc) in numpy float64; each returns w after every step.

def _ref_sgd(w, grads, lr):
    out = []
    for g in grads:
        w = w - lr * g
        out.append(w)
    return out


def _ref_momentum(w, grads, lr, momentum, use_nesterov=False):
    acc, out = np.zeros_like(w), []
    for g in grads:
        acc = acc * momentum + g
        w = w - (g * lr + acc * momentum * lr) if use_nesterov else w - lr * acc
        out.append(w)
    return out


def _ref_adagrad(w, grads, lr, init):
    acc, out = np.full_like(w, init), []
    for g in grads:
        acc = acc + g * g
        w = w - lr * g / np.sqrt(acc)
        out.append(w)
    return out


def _ref_adagrad_da(w, grads, lr, init, l1, l2):
    gacc, ggacc, out = np.zeros_like(w), np.full_like(w, init), []
    for t, g in enumerate(grads, start=1):  # TF uses global_step + 1
        gacc, ggacc = gacc + g, ggacc + g * g
        denom = np.sqrt(ggacc) + t * lr * l2
        if l1 > 0:
            w = -lr * np.sign(gacc) * np.maximum(np.abs(gacc) - t * l1, 0) / denom
        else:
            w = -lr * gacc / denom
        out.append(w)
    return out


def _ref_adadelta(w, grads, lr, rho, eps):
    acc, acc_up, out = np.zeros_like(w), np.zeros_like(w), []
    for g in grads:
        acc = rho * acc + (1 - rho) * g * g
        update = np.sqrt(acc_up + eps) / np.sqrt(acc + eps) * g
        w = w - lr * update
        acc_up = rho * acc_up + (1 - rho) * update * update
        out.append(w)
    return out


def _ref_adam(w, grads, lr, b1, b2, eps):
    m, v, out = np.zeros_like(w), np.zeros_like(w), []
    b1_power, b2_power = np.float32(b1), np.float32(b2)  # float32 variables, as in TF1
    for g in grads:
        lr_t = lr * np.sqrt(1 - float(b2_power)) / (1 - float(b1_power))
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        w = w - lr_t * m / (np.sqrt(v) + eps)
        b1_power, b2_power = b1_power * np.float32(b1), b2_power * np.float32(b2)
        out.append(w)
    return out


def _ref_ftrl(w, grads, lr, lr_power, init, l1, l2, l2_shrinkage=0.0):
    acc, lin, out = np.full_like(w, init), np.zeros_like(w), []
    for g in grads:
        g_shrunk = g + 2 * l2_shrinkage * w
        new_acc = acc + g * g
        sigma = (new_acc ** -lr_power - acc ** -lr_power) / lr
        lin = lin + g_shrunk - sigma * w
        quadratic = new_acc ** -lr_power / lr + 2 * l2
        w = np.where(np.abs(lin) > l1, (l1 * np.sign(lin) - lin) / quadratic, 0.0)
        acc = new_acc
        out.append(w)
    return out


def _ref_rmsprop(w, grads, lr, decay, momentum, eps, centered=False):
    ms, mg, mom, out = np.ones_like(w), np.zeros_like(w), np.zeros_like(w), []
    for g in grads:
        ms = decay * ms + (1 - decay) * g * g
        denom = ms + eps
        if centered:
            mg = decay * mg + (1 - decay) * g
            denom = ms - mg * mg + eps
        mom = momentum * mom + lr * g / np.sqrt(denom)
        w = w - mom
        out.append(w)
    return out


def _prox(v, lr, l1, l2):
    return np.sign(v) * np.maximum(np.abs(v) - lr * l1, 0) / (1 + lr * l2)


def _ref_proximal_gd(w, grads, lr, l1, l2):
    out = []
    for g in grads:
        w = _prox(w - lr * g, lr, l1, l2)
        out.append(w)
    return out


def _ref_proximal_adagrad(w, grads, lr, init, l1, l2):
    acc, out = np.full_like(w, init), []
    for g in grads:
        acc = acc + g * g
        step = lr / np.sqrt(acc)
        w = _prox(w - step * g, step, l1, l2)
        out.append(w)
    return out


def _f32(x):
    """Hyperparameters reach the kernels as float32 constants (cast up for float64 vars)."""
    return float(np.float32(x)) if isinstance(x, float) else x


def _ref(fn, *args, **kwargs):
    return fn(W0, GRADS, *[_f32(a) for a in args],
              **{k: _f32(v) for k, v in kwargs.items()})


CASES = {
    "sgd": (lambda gs: tf.train.GradientDescentOptimizer(0.1),
            lambda: _ref(_ref_sgd, 0.1)),
    "momentum": (lambda gs: tf.train.MomentumOptimizer(0.1, 0.9),
                 lambda: _ref(_ref_momentum, 0.1, 0.9)),
    "nesterov": (lambda gs: tf.train.MomentumOptimizer(0.1, 0.9, use_nesterov=True),
                 lambda: _ref(_ref_momentum, 0.1, 0.9, use_nesterov=True)),
    "adagrad": (lambda gs: tf.train.AdagradOptimizer(0.2, initial_accumulator_value=0.3),
                lambda: _ref(_ref_adagrad, 0.2, 0.3)),
    "adagrad_da": (lambda gs: tf.train.AdagradDAOptimizer(
        0.1, gs, l1_regularization_strength=0.01, l2_regularization_strength=0.02),
        lambda: _ref(_ref_adagrad_da, 0.1, 0.1, 0.01, 0.02)),
    "adagrad_da_no_l1": (lambda gs: tf.train.AdagradDAOptimizer(
        0.1, gs, l2_regularization_strength=0.5),
        lambda: _ref(_ref_adagrad_da, 0.1, 0.1, 0.0, 0.5)),
    "adadelta": (lambda gs: tf.train.AdadeltaOptimizer(1.0, rho=0.9, epsilon=1e-6),
                 lambda: _ref(_ref_adadelta, 1.0, 0.9, 1e-6)),
    "adam": (lambda gs: tf.train.AdamOptimizer(0.1),
             lambda: _ref(_ref_adam, 0.1, 0.9, 0.999, 1e-8)),
    "adam_hyper": (lambda gs: tf.train.AdamOptimizer(0.05, beta1=0.5, beta2=0.75, epsilon=0.1),
                   lambda: _ref(_ref_adam, 0.05, 0.5, 0.75, 0.1)),
    "ftrl": (lambda gs: tf.train.FtrlOptimizer(0.1, l1_regularization_strength=0.01,
                                               l2_regularization_strength=0.02),
             lambda: _ref(_ref_ftrl, 0.1, -0.5, 0.1, 0.01, 0.02)),
    "ftrl_power": (lambda gs: tf.train.FtrlOptimizer(0.1, learning_rate_power=-0.7,
                                                     initial_accumulator_value=0.2,
                                                     l1_regularization_strength=0.05),
                   lambda: _ref(_ref_ftrl, 0.1, -0.7, 0.2, 0.05, 0.0)),
    "ftrl_shrinkage": (lambda gs: tf.train.FtrlOptimizer(
        0.1, l1_regularization_strength=0.01, l2_regularization_strength=0.02,
        l2_shrinkage_regularization_strength=0.05),
        lambda: _ref(_ref_ftrl, 0.1, -0.5, 0.1, 0.01, 0.02, 0.05)),
    "rmsprop": (lambda gs: tf.train.RMSPropOptimizer(0.1, momentum=0.5),
                lambda: _ref(_ref_rmsprop, 0.1, 0.9, 0.5, 1e-10)),
    "rmsprop_centered": (lambda gs: tf.train.RMSPropOptimizer(0.1, decay=0.8, momentum=0.3,
                                                              epsilon=0.01, centered=True),
                         lambda: _ref(_ref_rmsprop, 0.1, 0.8, 0.3, 0.01, True)),
    "proximal_gd": (lambda gs: tf.train.ProximalGradientDescentOptimizer(0.1, 0.05, 0.1),
                    lambda: _ref(_ref_proximal_gd, 0.1, 0.05, 0.1)),
    "proximal_gd_l2": (lambda gs: tf.train.ProximalGradientDescentOptimizer(
        0.1, l2_regularization_strength=0.1),
        lambda: _ref(_ref_proximal_gd, 0.1, 0.0, 0.1)),
    "proximal_adagrad": (lambda gs: tf.train.ProximalAdagradOptimizer(0.1, 0.1, 0.05, 0.1),
                         lambda: _ref(_ref_proximal_adagrad, 0.1, 0.1, 0.05, 0.1)),
}


def _run_steps(make_opt, dtype, feed_lr=None):
    gs = tf.train.get_or_create_global_step()
    w = tf.Variable(W0.astype(dtype), name="w")
    g = tf.placeholder(tf.as_dtype(dtype), W0.shape, name="g")
    opt = make_opt(gs)
    train = opt.apply_gradients([(g, w)], global_step=gs)
    values = []
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for grad in GRADS:
            sess.run(train, {g: grad.astype(dtype)})
            values.append(sess.run(w))
        step = tf.train.global_step(sess, gs)
    return values, step


@pytest.mark.parametrize("case", sorted(CASES))
def test_update_matches_tf1_formula_float64(case):
    make_opt, reference = CASES[case]
    values, step = _run_steps(make_opt, np.float64)
    assert step == len(GRADS)
    # Hyperparameters are float32 constants cast to float64, as in TF1.
    for got, want in zip(values, reference()):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("case", ["sgd", "adam", "ftrl_shrinkage", "rmsprop_centered",
                                  "adagrad_da", "proximal_adagrad", "adadelta", "nesterov"])
def test_update_on_devices_float32(case, device_mode):
    make_opt, reference = CASES[case]
    values, _ = _run_steps(make_opt, np.float32)
    for got, want in zip(values, reference()):
        assert got.dtype == np.float32
        np.testing.assert_allclose(got, want, rtol=2e-5, atol=2e-6)


# --------------------------------------------------------------------------- names

@pytest.mark.parametrize("make_opt,slots,var_names", [
    (lambda gs: tf.train.GradientDescentOptimizer(0.1), [], []),
    (lambda gs: tf.train.MomentumOptimizer(0.1, 0.9), ["momentum"], ["w/Momentum"]),
    (lambda gs: tf.train.AdagradOptimizer(0.1), ["accumulator"], ["w/Adagrad"]),
    (lambda gs: tf.train.AdagradDAOptimizer(0.1, gs),
     ["gradient_accumulator", "gradient_squared_accumulator"], ["w/AdagradDA", "w/AdagradDA_1"]),
    (lambda gs: tf.train.AdadeltaOptimizer(), ["accum", "accum_update"],
     ["w/Adadelta", "w/Adadelta_1"]),
    (lambda gs: tf.train.AdamOptimizer(), ["m", "v"],
     ["beta1_power", "beta2_power", "w/Adam", "w/Adam_1"]),
    (lambda gs: tf.train.FtrlOptimizer(0.1), ["accum", "linear"], ["w/Ftrl", "w/Ftrl_1"]),
    (lambda gs: tf.train.RMSPropOptimizer(0.1), ["momentum", "rms"],
     ["w/RMSProp", "w/RMSProp_1"]),
    (lambda gs: tf.train.RMSPropOptimizer(0.1, centered=True), ["mg", "momentum", "rms"],
     ["w/RMSProp", "w/RMSProp_1", "w/RMSProp_2"]),
    (lambda gs: tf.train.ProximalAdagradOptimizer(0.1), ["accumulator"], ["w/ProximalAdagrad"]),
])
def test_slot_names_and_collections(make_opt, slots, var_names):
    gs = tf.train.get_or_create_global_step()
    w = tf.Variable([1.0, 2.0], name="w")
    loss = tf.reduce_sum(w * w)
    opt = make_opt(gs)
    opt.minimize(loss, global_step=gs)
    assert opt.get_slot_names() == slots
    assert [v.op.name for v in opt.variables()] == var_names
    for slot_name in slots:
        slot = opt.get_slot(w, slot_name)
        assert slot.op.name in var_names
        assert slot.get_shape().as_list() == [2]
        assert slot.op.get_attr("_class") == ["loc:@w"]
    assert opt.get_slot(w, "nonexistent") is None
    names = {v.op.name for v in tf.global_variables()}
    assert set(var_names) <= names
    assert [v.op.name for v in tf.trainable_variables()] == ["w"]


def test_adam_op_names_and_beta_power_colocation():
    b = tf.Variable([1.0, 2.0], name="b")
    a = tf.Variable(3.0, name="a")
    loss = tf.reduce_sum(b * b) * a
    opt = tf.train.AdamOptimizer(0.1)
    train = opt.minimize(loss)
    assert train.name == "Adam" and train.type == "NoOp"
    g = tf.get_default_graph()
    apply_b = g.get_operation_by_name("Adam/update_b/ApplyAdam")
    assert apply_b.type == "ApplyAdam"
    assert [t.name for t in apply_b.inputs][:5] == ["b:0", "b/Adam:0", "b/Adam_1:0",
                                                    "beta1_power/read:0", "beta2_power/read:0"]
    assert apply_b.get_attr("use_nesterov") is False
    assert apply_b.get_attr("T") == tf.float32
    # beta powers live with the first variable by name ("a"), outside the Adam scope.
    b1, b2 = opt._get_beta_accumulators()
    assert b1.op.name == "beta1_power" and b2.op.name == "beta2_power"
    assert b1.op.get_attr("_class") == ["loc:@a"]
    assert not b1.trainable
    for name in ("Adam/learning_rate", "Adam/beta1", "Adam/mul", "Adam/Assign",
                 "gradients/mul_grad/tuple/control_dependency_1"):
        g.get_operation_by_name(name)
    assert train in tf.get_collection(tf.GraphKeys.TRAIN_OP)


def test_gradient_descent_names_with_global_step():
    w = tf.Variable(1.0, name="w")
    gs = tf.train.get_or_create_global_step()
    train = tf.train.GradientDescentOptimizer(0.5).minimize(w * w, global_step=gs,
                                                          name="train")
    g = tf.get_default_graph()
    assert train.name == "train" and train.type == "AssignAdd"
    assert [c.name for c in g.get_operation_by_name("train").control_inputs] == ["train/update"]
    assert g.get_operation_by_name("train/value").type == "Const"
    assert g.get_operation_by_name("train/update_w/ApplyGradientDescent").get_attr(
        "_class") == ["loc:@w"]


def test_two_optimizers_get_distinct_slots():
    w = tf.Variable([1.0], name="w")
    loss = tf.reduce_sum(w * w)
    tf.train.AdamOptimizer(0.1).minimize(loss)
    tf.train.AdamOptimizer(0.1).minimize(loss)
    names = [v.op.name for v in tf.global_variables()]
    assert names == ["w", "beta1_power", "beta2_power", "w/Adam", "w/Adam_1",
                     "beta1_power_1", "beta2_power_1", "w/Adam_2", "w/Adam_3"]


# --------------------------------------------------------------------------- minimize

def test_minimize_linear_regression_converges():
    rng = np.random.RandomState(0)
    x = rng.rand(32, 3).astype(np.float32)
    true_w = np.array([[1.0], [-2.0], [0.5]], np.float32)
    y = x @ true_w + 0.3
    w = tf.Variable(np.zeros((3, 1), np.float32), name="w")
    b = tf.Variable(np.zeros([1], np.float32), name="b")
    diff = tf.matmul(tf.constant(x), w) + b - tf.constant(y)
    loss = tf.reduce_sum(diff * diff) * (1.0 / 32)
    train = tf.train.MomentumOptimizer(0.2, 0.9).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(300):
            sess.run(train)
        assert sess.run(loss) < 1e-6
        np.testing.assert_allclose(sess.run(w), true_w, atol=1e-3)


def test_learning_rate_tensor_and_callable():
    lr = tf.placeholder(tf.float32, [], name="lr")
    w = tf.Variable(2.0, name="w")
    v = tf.Variable(2.0, name="v", dtype=tf.float64)
    train = tf.train.GradientDescentOptimizer(lr).minimize(w * w, var_list=[w])
    train2 = tf.train.GradientDescentOptimizer(lambda: tf.constant(0.25)).minimize(
        v * v, var_list=[v])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train, {lr: 0.1})
        assert sess.run(w) == pytest.approx(2.0 - 0.1 * 4.0)
        sess.run(train2)
        assert sess.run(v) == pytest.approx(1.0)


def test_compute_gradients_default_var_list_and_none():
    w = tf.Variable(1.0, name="w")
    u = tf.Variable(1.0, name="u")
    frozen = tf.Variable(1.0, name="frozen", trainable=False)
    loss = w * frozen * 3.0
    opt = tf.train.GradientDescentOptimizer(0.1)
    gv = opt.compute_gradients(loss)
    assert [v for _, v in gv] == [w, u]
    assert gv[1][0] is None
    train = opt.apply_gradients(gv)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)
        assert sess.run([w, u, frozen]) == [pytest.approx(0.7), 1.0, 1.0]


def test_gate_graph_and_gate_none():
    w = tf.Variable([1.0, 2.0], name="w")
    loss = tf.reduce_sum(w * w)
    gv = tf.train.GradientDescentOptimizer(0.1).compute_gradients(
        loss, gate_gradients=tf.train.Optimizer.GATE_GRAPH)
    assert gv[0][0].op.type == "Identity" and "tuple" in gv[0][0].name
    gv = tf.train.GradientDescentOptimizer(0.1).compute_gradients(
        loss, gate_gradients=tf.train.Optimizer.GATE_NONE)
    assert "tuple" not in gv[0][0].name


def test_variable_constraint_is_applied():
    w = tf.Variable([2.0, -3.0], name="w",
                    constraint=lambda v: v * 0.0 + tf.constant([1.0, 1.0]))
    train = tf.train.GradientDescentOptimizer(0.1).minimize(tf.reduce_sum(w * w))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)
        np.testing.assert_array_equal(sess.run(w), [1.0, 1.0])


# --------------------------------------------------------------------------- errors

def test_no_gradients_errors_name_variables():
    w = tf.Variable(1.0, name="w")
    u = tf.Variable(2.0, name="u")
    loss = tf.constant(3.0) + tf.stop_gradient(w)
    with pytest.raises(ValueError, match=r"No gradients provided for any variable, check your "
                       r"graph for ops that do not support gradients, between variables "
                       r"\[\"<tf.Variable 'w:0' shape=\(\) dtype=float32_ref>\", "
                       r"\"<tf.Variable 'u:0' .*\] and loss Tensor\(\"add:0\""):
        tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    with pytest.raises(ValueError, match=r"No gradients provided for any variable: "
                       r"\[\"<tf.Variable 'w:0'.*'u:0'"):
        tf.train.GradientDescentOptimizer(0.1).apply_gradients([(None, w), (None, u)])
    with pytest.raises(ValueError, match="No variables provided"):
        tf.train.GradientDescentOptimizer(0.1).apply_gradients([])
    with pytest.raises(ValueError, match="No variables to optimize"):
        tf.train.GradientDescentOptimizer(0.1).compute_gradients(loss, var_list=[])


def test_invalid_arguments():
    w = tf.Variable(1.0, name="w")
    with pytest.raises(ValueError, match=r"Invalid type tf.int32 for Const.*:0, expected: "
                       r"\[tf.float32, tf.float64, tf.float16"):
        tf.train.GradientDescentOptimizer(0.1).compute_gradients(tf.constant(1), [w])
    with pytest.raises(ValueError, match="gate_gradients must be one of"):
        tf.train.GradientDescentOptimizer(0.1).compute_gradients(w * w, gate_gradients=7)
    with pytest.raises(ValueError, match="Must specify the optimizer name"):
        tf.train.GradientDescentOptimizer(0.1, name="")
    with pytest.raises(ValueError, match="initial_accumulator_value must be positive: 0.0"):
        tf.train.AdagradOptimizer(0.1, initial_accumulator_value=0.0)
    with pytest.raises(ValueError, match="initial_gradient_squared_accumulator_value must be"):
        tf.train.AdagradDAOptimizer(0.1, None, initial_gradient_squared_accumulator_value=-1)
    with pytest.raises(ValueError, match="learning_rate_power 0.500000 needs to be negative"):
        tf.train.FtrlOptimizer(0.1, learning_rate_power=0.5)
    with pytest.raises(ValueError, match="l1_regularization_strength -1.000000 needs to be"):
        tf.train.FtrlOptimizer(0.1, l1_regularization_strength=-1.0)
    with pytest.raises(TypeError, match="Gradient must be"):
        tf.train.GradientDescentOptimizer(0.1).apply_gradients([(object(), w)])
    with pytest.raises(NotImplementedError, match="Trying to optimize unsupported type"):
        tf.train.GradientDescentOptimizer(0.1).compute_gradients(w * w, [tf.constant(1.0)])


def test_apply_op_shape_and_dtype_errors():
    w = tf.Variable(np.zeros([2, 3], np.float32), name="w")
    with pytest.raises(ValueError, match=r"Shape must be rank 0 but is rank 1 for "
                       r"'ApplyGradientDescent' \(op: 'ApplyGradientDescent'\)"):
        training_ops.apply_gradient_descent(w, tf.constant([0.1]), tf.zeros([2, 3]))
    with pytest.raises(ValueError, match=r"Dimension 1 in both shapes must be equal, but are "
                       r"3 and 4. Shapes are \[2,3\] and \[2,4\].? for 'ApplyMomentum'"):
        training_ops.apply_momentum(w, w, 0.1, tf.zeros([2, 4]), 0.9)
    with pytest.raises(ValueError, match=r"Shapes must be equal rank, but are 2 and 1"):
        training_ops.apply_adam(w, w, w, 0.9, 0.99, 0.1, 0.9, 0.99, 1e-8, tf.zeros([3]))
    with pytest.raises(TypeError, match=r"Input 'delta' of 'ApplyGradientDescent' Op has type "
                       r"float64 that does not match type float32 of argument 'var'"):
        training_ops.apply_gradient_descent(w, 0.1, tf.zeros([2, 3], tf.float64))
    with pytest.raises(TypeError, match="reference"):
        training_ops.apply_gradient_descent(w.value(), 0.1, tf.zeros([2, 3]))


def test_apply_ops_directly(device_mode):
    var = tf.Variable(np.array([1.0, -2.0], np.float32), name="var")
    accum = tf.Variable(np.array([0.5, 0.5], np.float32), name="accum")
    out = training_ops.apply_adagrad(var, accum, 0.1, tf.constant([0.2, -0.4]),
                                     update_slots=False)
    assert out.dtype == tf.float32_ref and out.op.get_attr("update_slots") is False
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got = sess.run(out)
        np.testing.assert_allclose(got, [1.0 - 0.1 * 0.2 / np.sqrt(0.5),
                                         -2.0 + 0.1 * 0.4 / np.sqrt(0.5)], rtol=1e-6)
        np.testing.assert_allclose(sess.run(accum), [0.5, 0.5])


def test_ftrl_multiply_linear_by_lr_matches_default():
    var = tf.Variable([0.5, -1.0, 0.1], name="var", dtype=tf.float64)
    var2 = tf.Variable([0.5, -1.0, 0.1], name="var2", dtype=tf.float64)
    acc = [tf.Variable([0.1, 0.1, 0.1], dtype=tf.float64) for _ in range(2)]
    lin = tf.Variable([0.0, 0.0, 0.0], dtype=tf.float64)
    lin2 = tf.Variable([0.0, 0.0, 0.0], dtype=tf.float64)
    g = tf.constant([0.3, -0.2, 0.01], tf.float64)
    a = training_ops.apply_ftrl(var, acc[0], lin, g, 0.2, 0.05, 0.1, -0.5)
    b = training_ops.apply_ftrl(var2, acc[1], lin2, g, 0.2, 0.05, 0.1, -0.5,
                                multiply_linear_by_lr=True)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        va, vb = sess.run([a, b])
        np.testing.assert_allclose(va, vb, rtol=1e-12)
        np.testing.assert_allclose(sess.run(lin2), 0.2 * sess.run(lin), rtol=1e-12)
    np.testing.assert_allclose(va, _ref_ftrl(np.array([0.5, -1.0, 0.1]),
                                             [np.array([0.3, -0.2, 0.01])], 0.2, -0.5, 0.1,
                                             0.05, 0.1)[0], rtol=1e-6)


# --------------------------------------------------------------------------- global step

def test_global_step_functions():
    assert tf.train.get_global_step() is None
    gs = tf.train.create_global_step()
    assert gs.op.name == "global_step" and gs.dtype.base_dtype == tf.int64
    assert not gs.trainable
    assert tf.get_collection(tf.GraphKeys.GLOBAL_STEP) == [gs]
    assert gs in tf.global_variables()
    assert tf.train.get_global_step() is gs
    assert tf.train.get_or_create_global_step() is gs
    with pytest.raises(ValueError, match='"global_step" already exists'):
        tf.train.create_global_step()
    with tf.Session() as sess:
        sess.run(gs.initializer)
        assert tf.train.global_step(sess, gs) == 0
        assert isinstance(tf.train.global_step(sess, gs), int)


def test_global_step_by_name_and_type_checks():
    g = tf.Graph()
    with g.as_default():
        step = tf.Variable(0, name="global_step", trainable=False)
        assert tf.train.get_global_step() is step._ref()
        assert tf.train.get_or_create_global_step(g) is step._ref()
    g2 = tf.Graph()
    with g2.as_default():
        tf.Variable(0.5, name="global_step")
        with pytest.raises(TypeError, match='does not have integer type'):
            tf.train.get_global_step()
    with pytest.raises(TypeError, match="is not scalar"):
        tf.train.assert_global_step(tf.constant([1, 2]))
    with pytest.raises(TypeError, match="must be a Variable or Tensor"):
        tf.train.assert_global_step(3)


def test_global_step_is_incremented_after_updates():
    gs = tf.train.get_or_create_global_step()
    w = tf.Variable(1.0, name="w")
    train = tf.train.AdamOptimizer(0.1).minimize(w * w, global_step=gs)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for i in range(4):
            assert sess.run(train) is None
        assert sess.run(gs) == 4


# --------------------------------------------------------------------------- UPDATE_OPS

def _bn_like_graph():
    """A 'layer' with a moving average in UPDATE_OPS, like slim.batch_norm."""
    from tensorslim.training.moving_averages import assign_moving_average
    x = tf.constant([1.0, 2.0, 3.0])
    with tf.variable_scope("conv1/BatchNorm"):
        moving_mean = tf.get_variable("moving_mean", [3], trainable=False,
                                      initializer=tf.zeros_initializer())
        update = assign_moving_average(moving_mean, x, 0.9, zero_debias=False)
    tf.add_to_collection(tf.GraphKeys.UPDATE_OPS, update)
    w = tf.Variable([1.0, 1.0, 1.0], name="w")
    loss = tf.reduce_sum(w * x)
    return loss, moving_mean


def test_missing_update_ops_warns_once_naming_layer():
    loss, moving_mean = _bn_like_graph()
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())  # no training op: no warning
        with pytest.warns(MissingUpdateOpsWarning,
                          match=r"training op 'GradientDescent' but not 1 of the graph's "
                                r"tf.GraphKeys.UPDATE_OPS \(conv1/BatchNorm/AssignMovingAvg"
                                r"\), from the layers \['conv1/BatchNorm'\]"):
            sess.run(train)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            sess.run(train)
            sess.run([train, loss])
        np.testing.assert_array_equal(sess.run(moving_mean), [0.0, 0.0, 0.0])


def test_no_warning_when_update_ops_run():
    loss, moving_mean = _bn_like_graph()
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.control_dependencies(update_ops):
        train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    loss2 = tf.identity(loss)
    train2 = tf.train.GradientDescentOptimizer(0.1).minimize(loss2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(train)
            sess.run([train2] + update_ops)
            np.testing.assert_allclose(sess.run(moving_mean), [0.19, 0.38, 0.57], rtol=1e-6)


def test_train_op_collection_also_counts_as_training():
    loss, _ = _bn_like_graph()
    w = tf.trainable_variables()[0]
    step = training_ops.apply_gradient_descent(w, 0.1, tf.gradients(loss, w)[0])
    tf.add_to_collection(tf.GraphKeys.TRAIN_OP, step)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        with pytest.warns(MissingUpdateOpsWarning, match="ApplyGradientDescent"):
            sess.run(step)
