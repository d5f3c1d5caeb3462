"""``python -m tensorslim`` and the ``tensorslim`` console script: see :mod:`tensorslim.cli`."""
import sys

from tensorslim.cli import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
