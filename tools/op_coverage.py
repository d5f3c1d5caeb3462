"""Reports which registered ops the test suite exercises, and how.

Usage (from the repository root)::

    python tools/op_coverage.py [pytest args...]      # default: the op-library test files

It runs pytest in-process with a small plugin that wraps every registered kernel and gradient
function, then prints, for the registered op types:

* differentiable ops (a registered gradient) whose gradient never ran inside
  ``tests/gradcheck.check_gradients`` (no numerical gradient check);
* ops whose kernel never ran on the CPU, and ops whose kernel never ran on the strict test
  device (the cupy stand-in of the ``device_mode`` fixture).

The exit status is pytest's, or 3 when a differentiable op lacks a gradient check (``--strict``).
"""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_TESTS = ["tests/test_math_ops.py", "tests/test_array_ops.py",
                 "tests/test_random_ops.py", "tests/test_nn_ops.py",
                 "tests/test_nn_kernels.py", "tests/test_control_flow.py",
                 "tests/test_gradients.py", "tests/test_tf_test.py",
                 "tests/test_op_coverage.py"]


# Differentiable op types whose gradients are checked against closed forms rather than by
# central differences (which gradcheck.py does only for real inputs).
EXEMPT_FROM_GRADCHECK = {
    "ComplexAbs": "complex input; test_op_coverage.py checks g * z / |z|",
    "Conj": "complex input; test_op_coverage.py checks conj(g)",
    "RefSwitch": "variable-reference input; test_op_coverage.py checks the value",
    "RefMerge": "variable-reference input; test_op_coverage.py checks the value",
}
# Ops whose kernel never runs by design (a Placeholder is always fed).
NEVER_RUN = {"Placeholder"}


class _CoveragePlugin:
    """Wraps kernels and gradient functions to record what runs where."""

    def __init__(self):
        self.grad_checked = set()
        self.grad_called = set()
        self.kernel_cpu = set()
        self.kernel_strict = set()
        self._in_check = 0

    def pytest_configure(self, config):
        import numpy as np
        import importlib
        sys.path[:0] = [ROOT, os.path.join(ROOT, "tests")]
        import tensorslim  # noqa: F401 - registers every op
        from tensorslim.core import registry

        self.op_types = registry.registered_op_types()  # before tests register their own
        for type_name in self.op_types:
            op_def = registry.get_op_def(type_name)
            if op_def.kernel is not None:
                op_def.kernel = self._wrap_kernel(type_name, op_def.kernel, np)
            if callable(op_def.grad):
                op_def.grad = self._wrap_grad(op_def.grad)
        # Tests import the helper as ``gradcheck`` or ``tests.gradcheck``: two module objects.
        for name in ("gradcheck", "tests.gradcheck"):
            module = importlib.import_module(name)
            module.check_gradients = self._wrap_check(module.check_gradients)

    def _wrap_check(self, original):
        def check_gradients(*args, **kwargs):
            self._in_check += 1
            try:
                return original(*args, **kwargs)
            finally:
                self._in_check -= 1
        return check_gradients

    def _wrap_kernel(self, type_name, kernel, np):
        def wrapped(ctx, *args):
            (self.kernel_cpu if ctx.xp is np else self.kernel_strict).add(type_name)
            return kernel(ctx, *args)
        return wrapped

    def _wrap_grad(self, grad):
        def wrapped(op, *grads):
            self.grad_called.add(op.type)
            if self._in_check:
                self.grad_checked.add(op.type)
            return grad(op, *grads)
        return wrapped


def main(argv):
    strict = "--strict" in argv
    argv = [a for a in argv if a != "--strict"]
    os.chdir(ROOT)
    import pytest
    plugin = _CoveragePlugin()
    rc = pytest.main(["-q", "-p", "no:cacheprovider"] + (argv or DEFAULT_TESTS),
                     plugins=[plugin])
    from tensorslim.core import registry
    types = plugin.op_types
    marker = registry.not_differentiable_marker()
    defs = {t: registry.get_op_def(t) for t in types}
    differentiable = [t for t in types if defs[t].grad not in (None, marker)]
    with_kernel = [t for t in types if defs[t].kernel is not None and t not in NEVER_RUN]
    unchecked = [t for t in differentiable
                 if t not in plugin.grad_checked and t not in EXEMPT_FROM_GRADCHECK]
    not_cpu = [t for t in with_kernel if t not in plugin.kernel_cpu]
    not_strict = [t for t in with_kernel
                  if t not in plugin.kernel_strict and not defs[t].host_only]
    print("\n%d op types, %d differentiable (%d checked against closed forms: %s)"
          % (len(types), len(differentiable), len(EXEMPT_FROM_GRADCHECK),
             " ".join(sorted(EXEMPT_FROM_GRADCHECK))))
    print("gradient never numerically checked (%d): %s" % (len(unchecked),
                                                          " ".join(unchecked)))
    print("kernel never run on the CPU (%d): %s" % (len(not_cpu), " ".join(not_cpu)))
    print("kernel never run on the strict device, host-only ops aside (%d): %s"
          % (len(not_strict), " ".join(not_strict)))
    if rc == 0 and strict and unchecked:
        return 3
    return int(rc)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
