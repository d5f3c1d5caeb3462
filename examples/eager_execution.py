"""Eager execution: ops run as soon as they are called, no Session needed.

Without it, ``tf.matmul(x, x)`` is a symbolic Tensor; after
``tfe.enable_eager_execution()`` (at program start: it switches the whole process) it is a
value that prints, converts to numpy and drives ordinary Python control flow.

Run: python examples/eager_execution.py [--quick]
"""
import argparse

import tensorslim as tf
import tensorslim.contrib.eager as tfe


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="(already quick)")
    parser.parse_args(argv)

    tfe.enable_eager_execution()
    x = [[2.]]
    m = tf.matmul(x, x)
    print(m)                          # tf.Tensor([[4.]], shape=(1, 1), dtype=float32)
    print(tf.executing_eagerly(), m.numpy())
    v = tf.constant([1.0, 2.0, 3.0])
    total = 0.0
    for value in v.numpy():           # plain Python control flow on concrete values
        if value > 1.5:
            total += float(value)
    print("sum of values above 1.5:", total)
    a = m.cpu()                       # copies to the CPU; a.gpu() copies to GPU 0
    if tf.test.is_gpu_available():
        a = a.gpu()
    print(a.numpy())


if __name__ == "__main__":
    main()
