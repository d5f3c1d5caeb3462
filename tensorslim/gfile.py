"""``tf.gfile``: alias of :mod:`tensorslim.io.gfile`."""
from tensorslim.io.gfile import (Copy, DeleteRecursively, Exists, FastGFile, GFile, Glob,
                                 IsDirectory, ListDirectory, MakeDirs, MkDir, Open, Remove,
                                 Rename, Stat, Walk)

__all__ = ["GFile", "FastGFile", "Open", "Exists", "MakeDirs", "MkDir", "Remove", "Rename",
           "Copy", "ListDirectory", "Glob", "IsDirectory", "DeleteRecursively", "Stat",
           "Walk"]
