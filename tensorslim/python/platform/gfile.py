"""``tensorflow.python.platform.gfile``: alias of :mod:`tensorslim.io.gfile`."""
from tensorslim.io.gfile import (AtomicFile, Copy, DeleteRecursively, Exists, FastGFile,
                                 FileStatistics, GFile, Glob, IsDirectory, ListDirectory,
                                 MakeDirs, MkDir, Mkdir, Open, Remove, Rename, Stat, Walk,
                                 atomic_write)

__all__ = ["GFile", "FastGFile", "Open", "Exists", "MakeDirs", "MkDir", "Mkdir", "Remove",
           "Rename", "Copy", "ListDirectory", "Glob", "IsDirectory", "DeleteRecursively",
           "Stat", "Walk", "FileStatistics", "atomic_write", "AtomicFile"]
