"""``tf.app``: ``run(main=None, argv=None)`` and ``tf.app.flags``.

``run`` parses the command line into ``tf.app.flags.FLAGS`` (flags it does not know stay on
the command line), then calls ``main(argv)`` with the program name and the remaining
arguments and exits with ``main``'s return value, as TF1 does.
"""
import sys

from tensorslim import flags

__all__ = ["run", "flags"]


def run(main=None, argv=None):
    """Parses flags, runs ``main`` and exits (``tf.app.run``).

    Args:
      main: the function to run, called with the list of remaining arguments (the program
        name first); defaults to the ``main`` of the ``__main__`` module.
      argv: the command line to parse; ``sys.argv`` when None.

    Raises:
      SystemExit: always: ``sys.exit(main(argv))``. A flag error prints ``FATAL Flags parsing
        error: ...`` to stderr and exits with status 1; ``--help`` prints the flags' help
        and exits with status 1, as absl does.
    """
    if main is None:
        main = sys.modules["__main__"].main
    args = sys.argv if argv is None else argv
    try:
        remaining = flags.FLAGS._parse(args, known_only=True, allow_help=True)
    except flags.Error as e:
        sys.stderr.write("FATAL Flags parsing error: %s\n" % e)
        sys.stderr.write("Pass --helpshort or --helpfull to see help on flags.\n")
        sys.exit(1)
    sys.exit(main(remaining))
