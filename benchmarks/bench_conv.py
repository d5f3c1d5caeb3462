"""Times conv2d (forward and both backprops) and max pooling on LeNet's shapes.

Prints milliseconds per call for tensorslim's numpy kernels and, when torch is importable,
torch's CPU time for the same computation and the ratio (ours / torch). Run with
``python benchmarks/bench_conv.py [--repeat N] [--threads N]``; for a single-threaded
comparison (steadier on a busy machine) also set ``OPENBLAS_NUM_THREADS=1``.
"""
import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from tensorslim.core.kernels import nn  # noqa: E402

__all__ = ["main"]

# (name, input NHWC, filter [kh, kw, in, out]) for LeNet's two convolutions, batch 64.
CONVS = [
    ("conv1 28x28x1->32 5x5 SAME", (64, 28, 28, 1), (5, 5, 1, 32)),
    ("conv2 14x14x32->64 5x5 SAME", (64, 14, 14, 32), (5, 5, 32, 64)),
]
# (name, input NHWC) for the 2x2/2 max pools that follow them.
POOLS = [
    ("pool1 28x28x32 2x2/2", (64, 28, 28, 32)),
    ("pool2 14x14x64 2x2/2", (64, 14, 14, 64)),
]


def _time(fn, repeat):
    """Best-of-``repeat`` milliseconds per call after a warm-up call."""
    fn()
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best * 1e3


def _cases(rng):
    """Yields (label, our_fn, torch_fn_or_None, counts_in_total)."""
    try:
        import torch
        import torch.nn.functional as F
    except ImportError:
        torch = None
    s = [1, 1, 1, 1]
    for name, xs, ws in CONVS:
        x = rng.standard_normal(xs, dtype=np.float32)
        w = rng.standard_normal(ws, dtype=np.float32)
        y = nn.conv2d(np, x, w, s, "SAME")
        dy = rng.standard_normal(y.shape, dtype=np.float32)
        ours = {
            "forward": lambda x=x, w=w: nn.conv2d(np, x, w, s, "SAME"),
            "backprop_input": lambda w=w, dy=dy, xs=xs: nn.conv2d_backprop_input(
                np, xs, w, dy, s, "SAME"),
            "backprop_filter": lambda x=x, dy=dy, ws=ws: nn.conv2d_backprop_filter(
                np, x, ws, dy, s, "SAME"),
        }
        theirs = {}
        if torch is not None:
            # Torch works in NCHW / OIHW; give it its native layouts (its best case).
            tx = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))
            tw = torch.from_numpy(np.ascontiguousarray(w.transpose(3, 2, 0, 1)))
            tdy = torch.from_numpy(np.ascontiguousarray(dy.transpose(0, 3, 1, 2)))
            pad = ws[0] // 2
            theirs = {
                "forward": lambda tx=tx, tw=tw: F.conv2d(tx, tw, padding=pad),
                "backprop_input": lambda tx=tx, tw=tw, tdy=tdy: torch.nn.grad.conv2d_input(
                    tx.shape, tw, tdy, padding=pad),
                "backprop_filter": lambda tx=tx, tw=tw, tdy=tdy: torch.nn.grad.conv2d_weight(
                    tx, tw.shape, tdy, padding=pad),
            }
        for part in ("forward", "backprop_input", "backprop_filter"):
            yield f"{name} {part}", ours[part], theirs.get(part), True
    k = [1, 2, 2, 1]
    for name, xs in POOLS:
        x = rng.standard_normal(xs, dtype=np.float32)
        y = nn.max_pool(np, x, k, k, "VALID")
        dy = rng.standard_normal(y.shape, dtype=np.float32)
        ours = {
            "forward": lambda x=x: nn.max_pool(np, x, k, k, "VALID"),
            "grad": lambda x=x, y=y, dy=dy: nn.max_pool_grad(np, x, y, dy, k, k, "VALID"),
            "forward+grad": lambda x=x, dy=dy: nn.max_pool_grad(
                np, x, nn.max_pool(np, x, k, k, "VALID"), dy, k, k, "VALID"),
        }
        theirs = {}
        if torch is not None:
            tx = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))
            tdy = torch.from_numpy(np.ascontiguousarray(dy.transpose(0, 3, 1, 2)))
            _, idx = F.max_pool2d(tx, 2, 2, return_indices=True)

            def torch_step(tx=tx, tdy=tdy):
                _, idx = F.max_pool2d(tx, 2, 2, return_indices=True)
                return torch.ops.aten.max_pool2d_with_indices_backward(
                    tdy, tx, [2, 2], [2, 2], [0, 0], [1, 1], False, idx)

            theirs = {
                "forward": lambda tx=tx: F.max_pool2d(tx, 2, 2),
                # Torch's backward scatters through indices saved by its forward, while TF's
                # MaxPoolGrad (ours) gets (x, y, dy) and must find the maxima again; the
                # forward+grad row compares whole training steps.
                "grad": lambda tx=tx, tdy=tdy, idx=idx:
                    torch.ops.aten.max_pool2d_with_indices_backward(
                        tdy, tx, [2, 2], [2, 2], [0, 0], [1, 1], False, idx),
                "forward+grad": torch_step,
            }
        for part in ("forward", "grad", "forward+grad"):
            yield f"{name} {part}", ours[part], theirs.get(part), part == "forward+grad"


def main(argv=None):
    """Runs the benchmark and prints one line per case.

    Args:
        argv: Command-line arguments (default ``sys.argv[1:]``).
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="timed calls per case")
    parser.add_argument("--threads", type=int, default=0,
                        help="torch intra-op threads (0: torch's default)")
    args = parser.parse_args(argv)
    try:
        import torch
        if args.threads:
            torch.set_num_threads(args.threads)
        torch_note = f"torch {torch.__version__}, {torch.get_num_threads()} threads"
    except ImportError:
        torch_note = "torch not importable: ours only"
    blas = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    print(f"numpy {np.__version__} (OPENBLAS_NUM_THREADS={blas}); {torch_note}; float32, "
          f"best of {args.repeat}")
    print(f"{'case':<48}{'ours ms':>9}{'torch ms':>10}{'ratio':>8}")
    rng = np.random.default_rng(0)
    cases = list(_cases(rng))
    # Time each library in its own phase: OpenBLAS and torch's OpenMP workers both spin after
    # a call, and interleaving them on a small machine makes each steal the other's cores.
    ours = [_time(fn, args.repeat) for _, fn, _, _ in cases]
    time.sleep(1.0)
    theirs = [None if fn is None else _time(fn, args.repeat) for _, _, fn, _ in cases]
    for (label, _, _, _), t_ours, t_torch in zip(cases, ours, theirs):
        if t_torch is None:
            print(f"{label:<48}{t_ours:9.2f}")
        else:
            print(f"{label:<48}{t_ours:9.2f}{t_torch:10.2f}{t_ours / t_torch:8.2f}")
    if all(t is not None for t in theirs):
        sum_ours = sum(t for t, case in zip(ours, cases) if case[3])
        sum_torch = sum(t for t, case in zip(theirs, cases) if case[3])
        print(f"{'total (conv rows + pool forward+grad)':<48}{sum_ours:9.2f}{sum_torch:10.2f}"
              f"{sum_ours / sum_torch:8.2f}")

if __name__ == "__main__":
    main()
