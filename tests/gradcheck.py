"""The one numerical-gradient helper every op's gradient test uses.

It builds the op on float64 placeholders, reduces the output against fixed random weights
(so every output element matters), and compares ``tf.gradients`` with central differences.
"""
import numpy as np

import tensorslim as tf


def check_gradients(build, inputs, wrt=None, delta=1e-5, rtol=1e-4, atol=1e-6, seed=0,
                    feed_extra=None):
    """Asserts that the symbolic gradients of ``build(*placeholders)`` match finite differences.

    Args:
      build: ``f(*tensors) -> Tensor`` building the ops under test.
      inputs: numpy arrays, one per argument of ``build`` (cast to float64 when floating).
      wrt: indices of the inputs to differentiate (default: every floating input).
      delta: the central-difference step.
      rtol, atol: tolerances of the comparison.
      seed: seeds the random output weights.
      feed_extra: extra feed_dict entries.

    Returns:
      The list of (analytic, numeric) gradient pairs, for further checks.
    """
    inputs = [np.asarray(x, np.float64) if np.asarray(x).dtype.kind == "f" else np.asarray(x)
              for x in inputs]
    if wrt is None:
        wrt = [i for i, x in enumerate(inputs) if x.dtype.kind == "f"]
    g = tf.Graph()
    with g.as_default():
        phs = [tf.placeholder(tf.as_dtype(x.dtype), x.shape, name="in%d" % i)
               for i, x in enumerate(inputs)]
        out = build(*phs)
        out_f = tf.cast(out, tf.float64)
        rng = np.random.RandomState(seed)
        weights = tf.placeholder(tf.float64, name="weights")
        loss = tf.reduce_sum(out_f * weights)
        grads = tf.gradients(loss, [phs[i] for i in wrt])
        with tf.Session(graph=g) as sess:
            feed = dict(zip(phs, inputs))
            out_shape = sess.run(out_f, feed).shape
            w = rng.uniform(0.5, 1.5, size=out_shape)
            feed[weights] = w
            feed.update(feed_extra or {})
            analytic = sess.run([gr for gr in grads if gr is not None], feed)
            it = iter(analytic)
            analytic = [np.zeros_like(inputs[i]) if gr is None else next(it)
                        for gr, i in zip(grads, wrt)]
            pairs = []
            for k, i in enumerate(wrt):
                x = inputs[i].copy()
                num = np.zeros_like(x)
                flat = x.reshape(-1)
                for j in range(flat.size):
                    orig = flat[j]
                    flat[j] = orig + delta
                    feed[phs[i]] = x
                    plus = sess.run(loss, feed)
                    flat[j] = orig - delta
                    feed[phs[i]] = x
                    minus = sess.run(loss, feed)
                    flat[j] = orig
                    num.reshape(-1)[j] = (plus - minus) / (2 * delta)
                feed[phs[i]] = inputs[i]
                np.testing.assert_allclose(analytic[k], num, rtol=rtol, atol=atol,
                                           err_msg="gradient of input %d" % i)
                pairs.append((analytic[k], num))
            return pairs
