"""Turning numpy's floating-point warnings off around kernels, cheaply.

TF lets NaN and inf flow through kernels silently; numpy would warn. ``np.errstate`` costs
about 2 us per use, which Session.run and per-element tf.data functions would pay on every
call. Under numpy 2 the error state is a context variable, so setting a prebuilt state costs
about 0.3 us; older numpy falls back to ``np.errstate``.
"""
import numpy as np

__all__ = ["ignore_fp_errors", "restore_fp_errors", "ignoring_fp_errors"]

try:
    from numpy._core._ufunc_config import _extobj_contextvar, _make_extobj
    _IGNORE_FP = _make_extobj(all="ignore")

    def ignore_fp_errors():
        """Ignores floating-point errors in this context; returns what restores them."""
        return _extobj_contextvar.set(_IGNORE_FP)

    def restore_fp_errors(token):
        """Undoes :func:`ignore_fp_errors`, given what it returned."""
        _extobj_contextvar.reset(token)
except ImportError:  # older numpy (or a changed layout): the public, slower spelling
    def ignore_fp_errors():
        """Ignores floating-point errors in this context; returns what restores them."""
        state = np.errstate(all="ignore")
        state.__enter__()
        return state

    def restore_fp_errors(state):
        """Undoes :func:`ignore_fp_errors`, given what it returned."""
        state.__exit__(None, None, None)


def ignoring_fp_errors(fn, *args):
    """``fn(*args)`` with numpy's floating-point errors ignored."""
    token = ignore_fp_errors()
    try:
        return fn(*args)
    finally:
        restore_fp_errors(token)
