"""tfdbg: find where an inf or nan is born.

``log(0)`` makes ``-inf`` inside ``Discrim/`` and it spreads to the output. Wrap the session
in ``LocalCLIDebugWrapperSession``, register the ``has_inf_or_nan`` filter, and at the
``tfdbg>`` prompt type::

    run -f has_inf_or_nan     # run until a tensor holds inf/nan; lists them in order
    ni -t Discrim/log_x       # the node, its inputs and where this script created it
    exit

The commands are read from the terminal (or stdin: ``printf 'run -f has_inf_or_nan\\nexit\\n'
| python examples/debugger.py``). ``--quick`` answers the prompt with those commands itself.

Run: python examples/debugger.py [--quick]
"""
import argparse
import io
import sys

import tensorslim as tf
from tensorslim.python import debug as tfdbg


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="feed the debugger the commands above instead of prompting")
    args = parser.parse_args(argv)

    x = tf.placeholder(tf.float32, [3], name="x")
    finite_op = tf.add(x, 1.0, name="finite_op")
    with tf.name_scope("Discrim"):
        bad = tf.log(x, name="log_x")                  # log(0) = -inf
    out = tf.add(bad, finite_op, name="out")

    stdin = sys.stdin
    if args.quick:
        sys.stdin = io.StringIO("run -f has_inf_or_nan\nni -t Discrim/log_x\nexit\n")
    try:
        with tf.Session() as sess:
            sess = tfdbg.LocalCLIDebugWrapperSession(sess, ui_type="readline")
            sess.add_tensor_filter("has_inf_or_nan", tfdbg.has_inf_or_nan)
            result = sess.run(out, feed_dict={x: [1.0, 0.0, 2.0]})
    finally:
        sys.stdin = stdin
    print("result:", result)


if __name__ == "__main__":
    main()
