"""tfdbg, TensorFlow's debugger (``from tensorslim.python import debug as tfdbg``).

Wrap a session to stop in a command-line debugger before and after its runs, list every
intermediate tensor of a run, print their values, find the first tensor with an inf or NaN
(``run -f has_inf_or_nan``) and the Python line that built its op (``ni -t NODE``)::

    sess = tfdbg.LocalCLIDebugWrapperSession(sess)
    sess.add_tensor_filter("has_inf_or_nan", tfdbg.has_inf_or_nan)

Dumps are captured by running the session's compiled plan with each kernel wrapped
(:mod:`tensorslim.debug.dumps`); runs outside the debugger are not affected.
"""
from tensorslim.debug.dumps import (DebugDumpDir, DebugTensorDatum, WatchOptions,
                                    WatchKeyDoesNotExistInDebugDumpDirError, has_inf_or_nan,
                                    watched_run)
from tensorslim.debug.wrappers import (BaseDebugWrapperSession, DumpingDebugWrapperSession,
                                       LocalCLIDebugWrapperSession)

__all__ = ["LocalCLIDebugWrapperSession", "DumpingDebugWrapperSession",
           "BaseDebugWrapperSession", "DebugDumpDir", "DebugTensorDatum", "WatchOptions",
           "WatchKeyDoesNotExistInDebugDumpDirError", "has_inf_or_nan", "watched_run"]
