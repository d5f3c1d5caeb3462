"""Times one LeNet training step (forward + backward) in tensorslim, beside PyTorch on the CPU.

The network is the one of the MNIST tutorials: conv 32 5x5 SAME + relu, 2x2 max pool, conv 64
5x5 SAME + relu, 2x2 max pool, fully connected 1024 + relu, fully connected 10, softmax cross
entropy; batch 64 of 28x28x1 float32 images. tensorslim builds it from ``tf.nn`` ops and
``tf.gradients`` and times ``Session.run`` fetching the loss and every gradient, with the batch
fed each step; PyTorch (when importable) runs the same network forward and backward. The two
alternate step by step, so a busy machine slows both alike.

Run with ``python benchmarks/bench_lenet_step.py [--steps N] [--threads N]``; prints ms/step
for both and the ratio (tensorslim / PyTorch). ``--threads 1`` runs both single-threaded, which
gives steadier numbers on a busy machine.
"""
import argparse
import os
import sys
import time


def _thread_count(argv):
    """The value of ``--threads N`` / ``--threads=N`` in ``argv`` (0 when absent)."""
    for i, arg in enumerate(argv):
        if arg == "--threads" and i + 1 < len(argv):
            return int(argv[i + 1])
        if arg.startswith("--threads="):
            return int(arg.split("=", 1)[1])
    return 0


# numpy's BLAS reads its thread count when it is first imported.
if __name__ == "__main__" and _thread_count(sys.argv[1:]):
    for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_var] = str(_thread_count(sys.argv[1:]))

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import tensorslim as tf  # noqa: E402

__all__ = ["main", "build_tensorslim", "tensorslim_step", "torch_step", "time_steps"]

BATCH = 64


def _init_weights(seed=0):
    rng = np.random.default_rng(seed)

    def w(*shape):
        return (rng.standard_normal(shape) * 0.05).astype(np.float32)
    return {"conv1": w(5, 5, 1, 32), "b1": np.full(32, 0.1, np.float32),
            "conv2": w(5, 5, 32, 64), "b2": np.full(64, 0.1, np.float32),
            "fc1": w(7 * 7 * 64, 1024), "b3": np.full(1024, 0.1, np.float32),
            "fc2": w(1024, 10), "b4": np.full(10, 0.1, np.float32)}


def build_tensorslim(weights):
    """Builds the LeNet step; returns (images placeholder, labels placeholder, fetches)."""
    images = tf.placeholder(tf.float32, [BATCH, 28, 28, 1], name="images")
    labels = tf.placeholder(tf.int32, [BATCH], name="labels")
    v = {k: tf.Variable(val, name=k) for k, val in weights.items()}
    s1 = [1, 1, 1, 1]
    k2 = [1, 2, 2, 1]
    net = tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(images, v["conv1"], s1, "SAME"), v["b1"]))
    net = tf.nn.max_pool(net, k2, k2, "SAME")
    net = tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(net, v["conv2"], s1, "SAME"), v["b2"]))
    net = tf.nn.max_pool(net, k2, k2, "SAME")
    net = tf.reshape(net, [BATCH, 7 * 7 * 64])
    net = tf.nn.relu(tf.nn.xw_plus_b(net, v["fc1"], v["b3"]))
    logits = tf.nn.xw_plus_b(net, v["fc2"], v["b4"])
    xent = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    loss = tf.reduce_sum(xent) / BATCH
    grads = tf.gradients(loss, list(v.values()))
    return images, labels, [loss] + grads


def tensorslim_step(x, y):
    """Returns ``step() -> fetched values`` for the tensorslim LeNet (graph and session)."""
    g = tf.Graph()
    with g.as_default():
        images, labels, fetches = build_tensorslim(_init_weights())
        sess = tf.Session(graph=g)
        sess.run(tf.global_variables_initializer())
    feed = {images: x, labels: y}
    return lambda: sess.run(fetches, feed)


def torch_step(x, y):
    """Returns ``step() -> loss`` for the same network in PyTorch (NCHW, its native layout),
    or None when torch is not importable."""
    try:
        import torch
        import torch.nn.functional as F
    except ImportError:
        return None
    w = _init_weights()
    p = {k: torch.tensor(val, requires_grad=True) for k, val in w.items()}
    c1 = p["conv1"].detach().permute(3, 2, 0, 1).contiguous().requires_grad_()
    c2 = p["conv2"].detach().permute(3, 2, 0, 1).contiguous().requires_grad_()
    # fc1's rows are in NHWC flatten order; permute them to NCHW order once.
    f1 = torch.tensor(w["fc1"].reshape(7, 7, 64, 1024).transpose(2, 0, 1, 3)
                      .reshape(7 * 7 * 64, 1024).T.copy(), requires_grad=True)
    f2 = torch.tensor(w["fc2"].T.copy(), requires_grad=True)
    params = [c1, p["b1"], c2, p["b2"], f1, p["b3"], f2, p["b4"]]

    def step():
        xt = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))
        yt = torch.from_numpy(y.astype(np.int64))
        for t in params:
            t.grad = None
        net = F.relu(F.conv2d(xt, c1, p["b1"], padding=2))
        net = F.max_pool2d(net, 2)
        net = F.relu(F.conv2d(net, c2, p["b2"], padding=2))
        net = F.max_pool2d(net, 2)
        net = F.relu(F.linear(net.reshape(BATCH, -1), f1, p["b3"]))
        logits = F.linear(net, f2, p["b4"])
        loss = F.cross_entropy(logits, yt)
        loss.backward()
        return float(loss.detach())
    return step


def _timed(step):
    t0 = time.perf_counter()
    out = step()
    return (time.perf_counter() - t0) * 1e3, out


def time_steps(steps, ours, theirs=None):
    """Alternates the two steps (so both see the same machine load); returns per-step ms
    lists and the last outputs."""
    for _ in range(3):
        ours()
        if theirs is not None:
            theirs()
    t_ours, t_theirs = [], []
    out_ours = out_theirs = None
    for _ in range(steps):
        t, out_ours = _timed(ours)
        t_ours.append(t)
        if theirs is not None:
            t, out_theirs = _timed(theirs)
            t_theirs.append(t)
    return t_ours, t_theirs, out_ours, out_theirs


def main(argv=None):
    """Runs the benchmark and prints ms/step for tensorslim and PyTorch, and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--threads", type=int, default=0,
                        help="threads for numpy's BLAS and for torch (0: their defaults)")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(1)
    x = rng.random((BATCH, 28, 28, 1), dtype=np.float32)
    y = rng.integers(0, 10, BATCH).astype(np.int32)
    if args.threads:
        try:
            import torch
            torch.set_num_threads(args.threads)
        except ImportError:
            pass
    t_ours, t_theirs, out, loss = time_steps(args.steps, tensorslim_step(x, y),
                                             torch_step(x, y))
    print("LeNet step (batch %d, forward + backward), %d alternating steps, ms/step"
          % (BATCH, args.steps))
    print("  tensorslim: median %8.2f  min %8.2f  (loss %.5f)"
          % (np.median(t_ours), min(t_ours), out[0]))
    if not t_theirs:
        print("  torch not importable: no comparison")
        return
    print("  pytorch:    median %8.2f  min %8.2f  (loss %.5f)"
          % (np.median(t_theirs), min(t_theirs), loss))
    print("  ratio tensorslim / pytorch: median %.2fx, min %.2fx"
          % (np.median(t_ours) / np.median(t_theirs), min(t_ours) / min(t_theirs)))


if __name__ == "__main__":
    main()
