"""``arg_scope``: default arguments for a set of layer functions, as TF-slim does them.

``with arg_scope([conv2d, fully_connected], activation_fn=tf.nn.elu):`` makes ``elu`` the
default ``activation_fn`` of both layers inside the block. Scopes nest (an inner scope adds
to, and overrides, the outer one for the same function) and can be captured
(``with arg_scope(...) as sc:``) and re-entered later (``with arg_scope(sc):``).

Unlike TF-slim, binding is strict: a scoped argument that a function does not accept is a
``TypeError`` naming the function and the argument (when the scope is entered, and again
when the function is called), and an argument passed explicitly, by keyword or by position,
always wins over the scope's default.
"""
import contextlib
import functools
import inspect
import threading

__all__ = ["arg_scope", "add_arg_scope", "current_arg_scope", "has_arg_scope",
           "arg_scoped_arguments", "arg_scope_func_key"]


class _ArgStack(threading.local):
    def __init__(self):
        super().__init__()
        self.stack = [{}]


_ARGSTACK = _ArgStack()
# key -> (function name, inspect.Signature) of every function decorated with add_arg_scope.
_DECORATED_OPS = {}


def _current():
    return _ARGSTACK.stack[-1]


def current_arg_scope():
    """The innermost arg_scope: a dict ``{function key: {argument: value}}``."""
    return _current()


def arg_scope_func_key(op):
    """The key under which ``op``'s defaults are stored in an arg_scope dict."""
    return getattr(op, "_key_op", str(op))


def _name_op(op):
    return getattr(op, "__name__", str(op))


def _accepts_any_keyword(sig):
    return any(p.kind is inspect.Parameter.VAR_KEYWORD for p in sig.parameters.values())


def _keyword_names(sig):
    return [n for n, p in sig.parameters.items()
            if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD,
                          inspect.Parameter.KEYWORD_ONLY)]


def _check_accepted(name, sig, kwargs):
    """TypeError when ``kwargs`` holds an argument that the function cannot take."""
    if _accepts_any_keyword(sig):
        return
    accepted = set(_keyword_names(sig))
    unknown = [k for k in kwargs if k not in accepted]
    if unknown:
        raise TypeError(
            "arg_scope sets %s for %s, which takes no argument%s of %s name. %s accepts: %s."
            % (", ".join(repr(k) for k in sorted(unknown)), name,
               "s" if len(unknown) > 1 else "", "these" if len(unknown) > 1 else "that",
               name, ", ".join(_keyword_names(sig))))


@contextlib.contextmanager
def arg_scope(list_ops_or_scope, **kwargs):
    """Stores default arguments for the given functions inside a ``with`` block.

    Args:
      list_ops_or_scope: a list or tuple of functions decorated with :func:`add_arg_scope`,
        or a scope dict captured from an earlier ``with arg_scope(...) as sc`` to re-enter.
      **kwargs: the default arguments, ``name=value``.

    Yields:
      The current scope (a dict), which can be re-entered later.

    Raises:
      ValueError: re-entering a scope dict with extra keyword arguments, or a function in
        the list that is not decorated with ``add_arg_scope``.
      TypeError: ``list_ops_or_scope`` is neither a list/tuple nor a dict, or a keyword is
        not an argument of one of the listed functions.
    """
    if isinstance(list_ops_or_scope, dict):
        if kwargs:
            raise ValueError("When attempting to re-use a scope by suppling a dictionary, "
                             "kwargs must be empty.")
        current_scope = list_ops_or_scope.copy()
    else:
        if not isinstance(list_ops_or_scope, (list, tuple)):
            raise TypeError("list_ops_or_scope must either be a list/tuple or reused scope "
                            "(i.e. dict), got %s." % type(list_ops_or_scope).__name__)
        current_scope = current_arg_scope().copy()
        for op in list_ops_or_scope:
            key = arg_scope_func_key(op)
            if not has_arg_scope(op):
                raise ValueError("%s is not decorated with @add_arg_scope, so arg_scope cannot "
                                 "set its arguments." % _name_op(op))
            name, sig = _DECORATED_OPS[key]
            _check_accepted(name, sig, kwargs)
            if key in current_scope:
                merged = current_scope[key].copy()
                merged.update(kwargs)
                current_scope[key] = merged
            else:
                current_scope[key] = kwargs.copy()
    _ARGSTACK.stack.append(current_scope)
    try:
        yield current_scope
    finally:
        _ARGSTACK.stack.pop()


def add_arg_scope(func):
    """Decorates ``func`` so that :func:`arg_scope` can supply its default arguments.

    Arguments passed explicitly, by keyword or by position, take precedence over the
    scope's values.

    Args:
      func: the function to decorate.

    Returns:
      The decorated function (same name, docstring and signature).
    """
    sig = inspect.signature(func)
    name = _name_op(func)
    key = arg_scope_func_key(func)
    var_kw = next((n for n, p in sig.parameters.items()
                   if p.kind is inspect.Parameter.VAR_KEYWORD), None)

    @functools.wraps(func)
    def func_with_args(*args, **kwargs):
        scoped = current_arg_scope().get(key)
        if scoped:
            _check_accepted(name, sig, scoped)
            try:
                explicit = sig.bind_partial(*args, **kwargs).arguments
            except TypeError as e:
                raise TypeError("%s(): %s" % (name, e)) from None
            given = set(explicit)
            if var_kw is not None and var_kw in explicit:
                given |= set(explicit[var_kw])
            kwargs = dict(kwargs)
            for k, v in scoped.items():
                if k not in given:
                    kwargs[k] = v
        return func(*args, **kwargs)

    func_with_args._key_op = key
    _DECORATED_OPS[key] = (name, sig)
    return func_with_args


def has_arg_scope(func):
    """Whether ``func`` was decorated with :func:`add_arg_scope`."""
    return arg_scope_func_key(func) in _DECORATED_OPS


def arg_scoped_arguments(func):
    """The names of the arguments of ``func`` that have defaults (those scopes usually set).

    Raises:
      ValueError: ``func`` is not decorated with ``add_arg_scope``.
    """
    if not has_arg_scope(func):
        raise ValueError("%s is not decorated with @add_arg_scope." % _name_op(func))
    _, sig = _DECORATED_OPS[arg_scope_func_key(func)]
    return [n for n, p in sig.parameters.items()
            if p.default is not inspect.Parameter.empty and
            p.kind is not inspect.Parameter.KEYWORD_ONLY]
