"""Gradients under eager execution: ``GradientTape`` and ``tfe.gradients_function``.

A tape records the eager ops that consume a watched tensor (a tensor passed to ``watch``,
a variable read, or the output of a recorded op); recorded ops keep their inputs. To
differentiate, the tape links the recorded ops to their inputs as consumers and runs the same
walk as ``tf.gradients`` (:mod:`tensorslim.core.gradients`), with the registered gradient
functions: their ops run eagerly too, and an outer tape records them (higher derivatives).
"""
import contextlib
import threading

from tensorslim.core.executor import VarRef
from tensorslim.core.graph import Tensor, convert_to_tensor

__all__ = ["GradientTape", "gradients_function", "value_and_gradients_function",
           "implicit_gradients", "implicit_value_and_gradients", "record_operation"]


class _TapeStack(threading.local):
    def __init__(self):
        super().__init__()
        self.tapes = []


_active = _TapeStack()


def record_operation(op):
    """Offers an executed eager op to the recording tapes; True if one recorded it."""
    tapes = _active.tapes
    if not tapes:
        return False
    recorded = False
    for tape in tapes:
        if tape._recording and tape._record(op):
            recorded = True
    return recorded


class GradientTape:
    """``tf.GradientTape``: records eager operations to differentiate them.

    Example::

        x = tf.constant(3.0)
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = x * x
        tape.gradient(y, x)   # 6.0

    Args:
      persistent: allow several ``gradient`` calls (a non-persistent tape is released by
        its first one).
      watch_accessed_variables: watch every variable read while recording.
    """

    def __init__(self, persistent=False, watch_accessed_variables=True):
        self._persistent = persistent
        self._watch_accessed_variables = watch_accessed_variables
        self._watched = set()
        self._ops = []
        self._variable_ops = []
        self._recording = False
        self._used = False

    def __enter__(self):
        from tensorslim.eager import context
        if not context.executing_eagerly():
            raise RuntimeError("tf.GradientTape records eager operations: call "
                               "tf.enable_eager_execution() first (use tf.gradients in graph "
                               "mode).")
        self._push()
        return self

    def __exit__(self, exc_type, exc_value, tb):
        self._pop()
        return False

    def _push(self):
        _active.tapes.append(self)
        self._recording = True

    def _pop(self):
        self._recording = False
        if self in _active.tapes:
            _active.tapes.remove(self)

    # -- what is watched
    def watch(self, tensor):
        """Watches a tensor (or a variable, or a nested list of them) for differentiation.

        Raises:
          ValueError: ``tensor`` is not an eager tensor or a variable.
        """
        for t in _flatten(tensor):
            variable = getattr(t, "_variable", None)
            if isinstance(variable, Tensor):
                self._watch_variable(t)
                continue
            if not isinstance(t, Tensor) or not hasattr(t, "_value"):
                raise ValueError("Passed in object of type %s, not an eager tensor or a "
                                 "variable." % type(t).__name__)
            self._watched.add(t)

    def _watch_variable(self, variable):
        self._watched.add(variable._variable)
        self._watched.add(variable._snapshot)
        self._add_variable_op(variable._variable.op)
        if variable._snapshot.op is not variable._variable.op:
            self._ops.append(variable._snapshot.op)

    def _add_variable_op(self, op):
        if all(o is not op for o in self._variable_ops):
            self._variable_ops.append(op)

    def watched_variables(self):
        """The variables read (or watched) while recording, in first-use order."""
        from tensorslim.eager import context
        graph = context.eager_graph()
        found = []
        for op in self._variable_ops:
            v = graph._variables_by_op.get(id(op)) if graph is not None else None
            if v is not None:
                found.append(v)
        return found

    def _record(self, op):
        watched = self._watched
        hit = False
        for t in op._inputs:
            if t in watched:
                hit = True
            elif self._watch_accessed_variables and isinstance(t._value, VarRef):
                hit = True
                self._watch_read(t)
        if not hit:
            return False
        self._ops.append(op)
        watched.update(op._outputs)
        return True

    def _watch_read(self, t):
        """Links a variable read into the tape: the read's Identity and the variable."""
        self._watched.add(t)
        self._add_variable_op(t._value.op)
        if t.op.type == "Identity" and t.op._inputs:
            if all(o is not t.op for o in self._ops):
                self._ops.append(t.op)

    @contextlib.contextmanager
    def stop_recording(self):
        """Operations run inside this block are not recorded by this tape."""
        was = self._recording
        self._recording = False
        try:
            yield
        finally:
            self._recording = was

    def reset(self):
        """Forgets everything recorded so far (the tape keeps recording)."""
        self._watched = set()
        self._ops = []
        self._variable_ops = []

    # -- differentiating
    def gradient(self, target, sources, output_gradients=None,
                 unconnected_gradients="none"):
        """The gradient of ``target`` (summed) with respect to each of ``sources``.

        Args:
          target: an eager tensor, or a list of them (their sum is differentiated).
          sources: an eager tensor or variable, or a (nested) list or tuple of them.
          output_gradients: optional initial gradients, one per target.
          unconnected_gradients: ``"none"`` or ``"zero"`` for sources the target does not
            depend on.

        Returns:
          The gradients, structured like ``sources``: None where there is no path.

        Raises:
          RuntimeError: a non-persistent tape is used a second time.
        """
        from tensorslim.core import gradients as _gradients
        from tensorslim.core.ops import array_ops
        if self._used and not self._persistent:
            raise RuntimeError("GradientTape.gradient can only be called once on "
                               "non-persistent tapes.")
        flat_sources = _flatten(sources)
        targets = target if isinstance(target, (list, tuple)) else [target]
        # As TF: a source the tape did not watch gets no gradient, even if the target
        # depends on it through recorded ops.
        connected = [self._is_watched(s) for s in flat_sources]
        edges = []
        recorded = set(self._ops)
        # A source made before recording began has nothing upstream on the tape (its op
        # may have let its inputs go): the walk must stop there.
        stops = [t for t in (convert_to_tensor(s, as_ref=True) for s in flat_sources)
                 if t.op not in recorded]
        with self.stop_recording(), _gradients.allow_in_eager():
            try:
                for op in self._ops:
                    for t in op._inputs:
                        t._consumers.append(op)
                        edges.append((t, op))
                grads = _gradients.gradients(
                    [convert_to_tensor(t) for t in targets], flat_sources,
                    grad_ys=output_gradients, stop_gradients=stops,
                    unconnected_gradients=unconnected_gradients)
            finally:
                for t, op in edges:
                    t._consumers.remove(op)
        if not self._persistent:
            self._used = True
            self.reset()
        zero = getattr(unconnected_gradients, "value", unconnected_gradients) == "zero"
        grads = [g if ok else (array_ops.zeros_like(s) if zero else None)
                 for g, ok, s in zip(grads, connected, flat_sources)]
        return _pack_like(sources, grads)

    def _is_watched(self, source):
        variable = getattr(source, "_variable", None)
        if isinstance(variable, Tensor):
            return any(op is variable.op for op in self._variable_ops)
        return source in self._watched

    def jacobian(self, target, sources, unconnected_gradients="none"):
        """The Jacobian of ``target`` with respect to ``sources``, one row per element of
        ``target`` (for small targets: one gradient per element).

        Args:
          target: an eager tensor.
          sources: an eager tensor or variable, or a (nested) list or tuple of them.
          unconnected_gradients: ``"none"`` (None) or ``"zero"`` (zeros) for sources the
            tape did not watch.

        Returns:
          Tensors shaped ``target.shape + source.shape``, structured like ``sources``.

        Raises:
          RuntimeError: a non-persistent tape is used a second time.
        """
        from tensorslim.core.ops import array_ops, manip_ops
        if self._used and not self._persistent:
            raise RuntimeError("GradientTape.jacobian can only be called once on "
                               "non-persistent tapes.")
        zero = getattr(unconnected_gradients, "value", unconnected_gradients) == "zero"
        connected = [self._is_watched(s) for s in _flatten(sources)]
        was_active = self in _active.tapes
        if not was_active:  # the elements must be recorded to differentiate them
            self._push()
        try:
            flat = array_ops.reshape(target, [-1])
            n = int(flat.shape.as_list()[0])
            elements = [manip_ops.gather(flat, i) for i in range(n)]
        finally:
            if not was_active:
                self._pop()
        persistent, self._persistent = self._persistent, True
        try:
            rows = [self.gradient(e, _flatten(sources), unconnected_gradients="zero")
                    for e in elements]
        finally:
            self._persistent = persistent
        if not persistent:
            self._used = True
            self.reset()
        shape = list(target.shape.as_list())
        out = []
        for k, s in enumerate(_flatten(sources)):
            if not connected[k] and not zero:
                out.append(None)
                continue
            stacked = array_ops.stack([r[k] for r in rows])
            out.append(array_ops.reshape(stacked, shape + list(s.shape.as_list())))
        return _pack_like(sources, out)


def _flatten(x):
    if isinstance(x, (list, tuple)):
        out = []
        for item in x:
            out.extend(_flatten(item))
        return out
    return [x]


def _pack_like(structure, flat):
    it = iter(flat)

    def pack(s):
        if isinstance(s, (list, tuple)):
            return type(s)(pack(item) for item in s) if not hasattr(s, "_fields") else \
                type(s)(*[pack(item) for item in s])
        return next(it)
    return pack(structure)


# --------------------------------------------------------------------------- tfe functions

def _as_watched_args(args, params):
    args = list(args)
    indices = list(range(len(args))) if params is None else list(params)
    for i in indices:
        if not isinstance(args[i], Tensor):
            args[i] = convert_to_tensor(args[i])
    return args, indices


def value_and_gradients_function(f, params=None):
    """``tfe.value_and_gradients_function(f)``: a function returning ``(f(*args), grads)``.

    The gradients are those of ``f``'s (summed) value with respect to each argument (or to
    the arguments at positions ``params``).

    Args:
      f: a function of tensors returning a tensor.
      params: the indices of the arguments to differentiate (default: all).

    Returns:
      A function taking ``f``'s arguments and returning ``(value, [gradient, ...])``.
    """
    def decorated(*args, **kwargs):
        args, indices = _as_watched_args(args, params)
        with GradientTape() as tape:
            for i in indices:
                tape.watch(args[i])
            value = f(*args, **kwargs)
        if value is None:
            raise ValueError("Cannot differentiate a function that returns None; did you "
                             "forget to return a value from %s?" % getattr(f, "__name__", f))
        return value, tape.gradient(value, [args[i] for i in indices])
    decorated.__name__ = getattr(f, "__name__", "decorated")
    decorated.__doc__ = f.__doc__
    return decorated


def gradients_function(f, params=None):
    """``tfe.gradients_function(f)``: a function returning the gradients of ``f``.

    Example::

        square = lambda x: x * x
        tfe.gradients_function(square)(3.0)   # [6.0]

    Args:
      f: a function of tensors returning a tensor.
      params: the indices of the arguments to differentiate (default: all).

    Returns:
      A function taking ``f``'s arguments and returning a list of gradients.
    """
    vg = value_and_gradients_function(f, params)

    def decorated(*args, **kwargs):
        return vg(*args, **kwargs)[1]
    decorated.__name__ = getattr(f, "__name__", "decorated")
    decorated.__doc__ = f.__doc__
    return decorated


def implicit_value_and_gradients(f):
    """``tfe.implicit_value_and_gradients(f)``: returns ``(f(*args), [(grad, var), ...])``
    for the trainable variables ``f`` reads."""
    def decorated(*args, **kwargs):
        with GradientTape() as tape:
            value = f(*args, **kwargs)
        variables = [v for v in tape.watched_variables() if getattr(v, "trainable", True)]
        if not variables:
            raise ValueError("No trainable variables were accessed while the function was "
                             "being computed.")
        grads = tape.gradient(value, variables)
        return value, list(zip(grads, variables))
    decorated.__name__ = getattr(f, "__name__", "decorated")
    return decorated


def implicit_gradients(f):
    """``tfe.implicit_gradients(f)``: returns ``[(grad, var), ...]`` for the trainable
    variables ``f`` reads (ready for ``optimizer.apply_gradients``)."""
    vg = implicit_value_and_gradients(f)

    def decorated(*args, **kwargs):
        return vg(*args, **kwargs)[1]
    decorated.__name__ = getattr(f, "__name__", "decorated")
    return decorated
