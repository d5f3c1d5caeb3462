"""``tensorflow.python.debug`` (tfdbg): an alias of :mod:`tensorslim.debug`."""
from tensorslim.debug import (BaseDebugWrapperSession, DebugDumpDir, DebugTensorDatum,
                              DumpingDebugWrapperSession, LocalCLIDebugWrapperSession,
                              WatchKeyDoesNotExistInDebugDumpDirError, WatchOptions,
                              has_inf_or_nan, watched_run)

__all__ = ["LocalCLIDebugWrapperSession", "DumpingDebugWrapperSession",
           "BaseDebugWrapperSession", "DebugDumpDir", "DebugTensorDatum", "WatchOptions",
           "WatchKeyDoesNotExistInDebugDumpDirError", "has_inf_or_nan", "watched_run"]
