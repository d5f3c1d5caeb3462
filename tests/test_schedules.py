"""Learning-rate schedules: values at several steps against TF1's formulas, names, errors."""
import math

import numpy as np
import pytest

import tensorslim as tf

STEPS = [0, 1, 7, 10, 15, 20, 33, 100]


def _values(build, steps=STEPS, dtype=tf.int64):
    step = tf.placeholder(dtype, [], name="step")
    lr = build(step)
    with tf.Session() as sess:
        return lr, np.array([sess.run(lr, {step: s}) for s in steps], np.float64)


@pytest.mark.parametrize("staircase", [False, True])
def test_exponential_decay(staircase):
    lr, got = _values(lambda s: tf.train.exponential_decay(0.1, s, 10, 0.5,
                                                           staircase=staircase))
    p = np.array(STEPS, np.float64) / 10
    p = np.floor(p) if staircase else p
    np.testing.assert_allclose(got, 0.1 * 0.5 ** p, rtol=1e-5)
    assert lr.name == "ExponentialDecay:0" and lr.op.type == "Mul"
    assert lr.dtype == tf.float32


def test_exponential_decay_names_and_variable_step():
    step = tf.Variable(0, name="global_step", trainable=False)
    a = tf.train.exponential_decay(1.0, step, 100, 0.96)
    b = tf.train.exponential_decay(1.0, step, 100, 0.96, name="lr")
    c = tf.train.exponential_decay(learning_rate=1.0, global_step=step, decay_steps=100,
                                   decay_rate=0.96, staircase=True)
    assert [a.name, b.name, c.name] == ["ExponentialDecay:0", "lr:0", "ExponentialDecay_1:0"]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(tf.assign(step, 150))
        np.testing.assert_allclose(sess.run([a, b, c]), [0.96 ** 1.5, 0.96 ** 1.5, 0.96],
                                   rtol=1e-5)


def test_exponential_decay_float64_rate():
    _, got = _values(lambda s: tf.train.exponential_decay(
        tf.constant(0.1, tf.float64), s, 10, 0.5))
    np.testing.assert_allclose(got, 0.1 * 0.5 ** (np.array(STEPS) / 10), rtol=1e-12)


def test_schedules_require_global_step():
    for fn in (tf.train.exponential_decay, tf.train.natural_exp_decay,
               tf.train.inverse_time_decay):
        with pytest.raises(ValueError, match="global_step is required for %s" % fn.__name__):
            fn(0.1, None, 10, 0.5)
    with pytest.raises(ValueError, match="global_step is required for polynomial_decay"):
        tf.train.polynomial_decay(0.1, None, 10)
    with pytest.raises(ValueError, match="global_step is required for cosine_decay"):
        tf.train.cosine_decay(0.1, None, 10)


@pytest.mark.parametrize("dtype", [tf.int64, tf.int32])
def test_piecewise_constant(dtype):
    steps = list(range(0, 11))
    lr, got = _values(lambda s: tf.train.piecewise_constant(s, [3, 7], [1.0, 0.5, 0.1]),
                      steps, dtype)
    want = [1.0 if s <= 3 else 0.5 if s <= 7 else 0.1 for s in steps]
    np.testing.assert_allclose(got, want, rtol=1e-6)
    assert lr.name == "PiecewiseConstant:0"


def test_piecewise_constant_errors():
    step = tf.placeholder(tf.int64, [])
    with pytest.raises(ValueError, match="length of boundaries should be 1 less"):
        tf.train.piecewise_constant(step, [3, 7], [1.0, 0.5])
    with pytest.raises(ValueError, match=r"Boundaries \(<dtype: 'float32'>\) must have the "
                       r"same dtype as x \(<dtype: 'int64'>\)"):
        tf.train.piecewise_constant(step, [3.0], [1.0, 0.5])
    with pytest.raises(ValueError, match=r"Values must have elements all with the same dtype "
                       r"\(<dtype: 'float32'> vs <dtype: 'int32'>\)"):
        tf.train.piecewise_constant(step, [3], [1.0, 2])


@pytest.mark.parametrize("cycle,power", [(False, 1.0), (False, 2.0), (True, 1.0),
                                         (True, 0.5)])
def test_polynomial_decay(cycle, power):
    lr, got = _values(lambda s: tf.train.polynomial_decay(0.1, s, 10, 0.01, power=power,
                                                          cycle=cycle))
    want = []
    for s in STEPS:
        decay_steps = 10.0
        if cycle:
            decay_steps *= 1.0 if s == 0 else math.ceil(s / 10.0)
        else:
            s = min(s, 10)
        want.append((0.1 - 0.01) * (1 - s / decay_steps) ** power + 0.01)
    np.testing.assert_allclose(got, want, rtol=1e-5)
    assert lr.name == "PolynomialDecay:0"


@pytest.mark.parametrize("staircase", [False, True])
def test_natural_exp_and_inverse_time_decay(staircase):
    p = np.array(STEPS, np.float64) / 10
    p = np.floor(p) if staircase else p
    lr, got = _values(lambda s: tf.train.natural_exp_decay(0.1, s, 10, 0.5,
                                                           staircase=staircase))
    np.testing.assert_allclose(got, 0.1 * np.exp(-0.5 * p), rtol=1e-5)
    # TF1 builds it as an exponential_decay with rate exp(-decay_rate).
    assert lr.name == "ExponentialDecay:0"
    assert lr.graph.get_operation_by_name("Exp").type == "Exp"
    lr, got = _values(lambda s: tf.train.inverse_time_decay(0.1, s, 10, 0.5,
                                                            staircase=staircase))
    np.testing.assert_allclose(got, 0.1 / (1 + 0.5 * p), rtol=1e-5)
    assert lr.name == "InverseTimeDecay:0"


@pytest.mark.parametrize("alpha", [0.0, 0.1])
def test_cosine_decay(alpha):
    lr, got = _values(lambda s: tf.train.cosine_decay(0.1, s, 20, alpha=alpha))
    frac = np.minimum(STEPS, 20) / 20.0
    decayed = (1 - alpha) * 0.5 * (1 + np.cos(np.pi * frac)) + alpha
    np.testing.assert_allclose(got, 0.1 * decayed, rtol=1e-5, atol=1e-8)
    assert lr.name == "CosineDecay:0"


def _sgdr(step, first, t_mul, m_mul, alpha):
    frac = step / first
    if t_mul == 1.0:
        i = math.floor(frac)
        frac -= i
    else:
        i = math.floor(math.log(1.0 - frac * (1.0 - t_mul)) / math.log(t_mul))
        sum_r = (1.0 - t_mul ** i) / (1.0 - t_mul)
        frac = (frac - sum_r) / t_mul ** i
    cosine = 0.5 * m_mul ** i * (1.0 + math.cos(math.pi * frac))
    return (1 - alpha) * cosine + alpha


@pytest.mark.parametrize("t_mul,m_mul,alpha", [(2.0, 1.0, 0.0), (1.0, 0.5, 0.0),
                                               (3.0, 0.8, 0.05)])
def test_cosine_decay_restarts(t_mul, m_mul, alpha):
    lr, got = _values(lambda s: tf.train.cosine_decay_restarts(
        0.1, s, 10, t_mul=t_mul, m_mul=m_mul, alpha=alpha))
    want = [0.1 * _sgdr(s, 10.0, t_mul, m_mul, alpha) for s in STEPS]
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-7)
    assert lr.name == "SGDRDecay:0"


def test_linear_cosine_decay():
    lr, got = _values(lambda s: tf.train.linear_cosine_decay(0.1, s, 20, num_periods=2.0,
                                                             alpha=0.1, beta=0.01))
    t = np.minimum(STEPS, 20) / 20.0
    linear = 1 - t
    cosine = 0.5 * (1 + np.cos(np.pi * 2 * 2.0 * t))
    np.testing.assert_allclose(got, 0.1 * ((0.1 + linear) * cosine + 0.01), rtol=1e-5,
                               atol=1e-8)
    assert lr.name == "LinearCosineDecay:0"


def test_schedule_drives_an_optimizer():
    gs = tf.train.get_or_create_global_step()
    lr = tf.train.exponential_decay(0.5, gs, 1, 0.5, staircase=True)
    w = tf.Variable(0.0, name="w")
    # d(loss)/dw = 1, so each step moves w by the current learning rate.
    train = tf.train.GradientDescentOptimizer(lr).minimize(w * 1.0, global_step=gs)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(3):
            sess.run(train)
        np.testing.assert_allclose(sess.run(w), -(0.5 + 0.25 + 0.125), rtol=1e-6)
        assert sess.run(gs) == 3


def test_noisy_linear_cosine_decay():
    # Without noise it is linear_cosine_decay; with noise it varies around it.
    _, quiet = _values(lambda s: tf.train.noisy_linear_cosine_decay(
        0.1, s, 20, initial_variance=0.0, num_periods=2.0, alpha=0.1, beta=0.01))
    _, want = _values(lambda s: tf.train.linear_cosine_decay(
        0.1, s, 20, num_periods=2.0, alpha=0.1, beta=0.01))
    np.testing.assert_allclose(quiet, want, rtol=1e-5, atol=1e-8)
    lr, noisy = _values(lambda s: tf.train.noisy_linear_cosine_decay(0.1, s, 20),
                        [0, 0, 0])
    assert lr.name == "NoisyLinearCosineDecay_1:0"  # the second schedule in the graph
    assert len(set(noisy.tolist())) == 3
