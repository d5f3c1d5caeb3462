"""``tf.variable_scope`` and ``tf.get_variable``: named, shareable variables, as TF1 does them.

Variables made with ``get_variable`` are named by the variable scope only (name scopes are
ignored); each variable scope also opens a name scope for the ops created inside it.
Sharing is explicit: ``reuse=True`` (or ``AUTO_REUSE``) returns existing variables, and
getting an existing variable without reuse is an error that says where it was created.
"""
import contextlib
import copy
import enum

from tensorslim.core import dtypes as _dtypes
from tensorslim.core.graph import (GraphKeys, Tensor, _graph_from_values, colocate_with,
                                   format_location, get_default_graph, name_scope,
                                   user_location)
from tensorslim.core import init_ops
from tensorslim.core.tensor_shape import as_shape, unknown_shape

__all__ = ["VariableScope", "variable_scope", "variable_op_scope", "get_variable",
           "get_local_variable", "get_variable_scope", "AUTO_REUSE", "no_regularizer"]


class _ReuseMode(enum.Enum):
    AUTO_REUSE = 1


AUTO_REUSE = _ReuseMode.AUTO_REUSE


def no_regularizer(_):
    """Use as ``regularizer=`` to turn off a scope's regularizer for one variable."""
    return None


class _VariableStore:
    """All variables created with get_variable in one graph, by full name."""

    def __init__(self):
        self.vars = {}
        self.locations = {}
        self.variable_scopes_count = {}

    def open_variable_scope(self, scope_name):
        self.variable_scopes_count[scope_name] = \
            self.variable_scopes_count.get(scope_name, 0) + 1

    def close_variable_subscopes(self, scope_name):
        for k in list(self.variable_scopes_count):
            if scope_name is None or k.startswith(scope_name + "/"):
                self.variable_scopes_count[k] = 0

    def variable_scope_count(self, scope_name):
        return self.variable_scopes_count.get(scope_name, 0)

    def get_variable(self, name, shape=None, dtype=_dtypes.float32, initializer=None,
                     regularizer=None, reuse=None, trainable=None, collections=None,
                     caching_device=None, partitioner=None, validate_shape=True,
                     use_resource=None, custom_getter=None, constraint=None,
                     synchronization=None, aggregation=None):
        if custom_getter is not None:
            def true_getter(name, shape=None, dtype=_dtypes.float32, initializer=None,
                            regularizer=None, reuse=None, trainable=None, collections=None,
                            caching_device=None, partitioner=None, validate_shape=True,
                            use_resource=None, constraint=None, **kwargs):
                return self._get_single_variable(
                    name, shape, dtype, initializer, regularizer, reuse, trainable,
                    collections, caching_device, validate_shape, constraint)
            return custom_getter(
                true_getter, name=name, shape=shape, dtype=dtype, initializer=initializer,
                regularizer=regularizer, reuse=reuse, trainable=trainable,
                collections=collections, caching_device=caching_device,
                partitioner=partitioner, validate_shape=validate_shape,
                use_resource=use_resource, constraint=constraint)
        return self._get_single_variable(name, shape, dtype, initializer, regularizer, reuse,
                                         trainable, collections, caching_device,
                                         validate_shape, constraint)

    def _get_single_variable(self, name, shape, dtype, initializer, regularizer, reuse,
                             trainable, collections, caching_device, validate_shape,
                             constraint):
        from tensorslim.core.variables import Variable
        initializing_from_value = initializer is not None and not callable(initializer) \
            or isinstance(initializer, Tensor)
        if shape is not None and initializing_from_value:
            raise ValueError("If initializer is a constant, do not specify shape (variable "
                             "%s)." % name)
        dtype = _dtypes.as_dtype(dtype)
        shape = unknown_shape() if shape is None else as_shape(shape)
        if name in self.vars:
            if reuse is None or reuse is False:
                where = format_location(self.locations.get(name))
                raise ValueError(
                    "Variable %s already exists, disallowed. Did you mean to set reuse=True or "
                    "reuse=tf.AUTO_REUSE in VarScope? Originally defined at:\n\n  %s\n\n"
                    "To share it, open the scope with tf.variable_scope(%r, reuse=True) (or "
                    "call scope.reuse_variables()); to make a second, separate variable, give "
                    "it another name or scope." % (name, where, name.rpartition("/")[0] or ""))
            found = self.vars[name]
            if not shape.is_compatible_with(found.get_shape()):
                raise ValueError("Trying to share variable %s, but specified shape %s and found "
                                 "shape %s (the variable was created at %s)."
                                 % (name, shape, found.get_shape(),
                                    format_location(self.locations.get(name))))
            if dtype and not dtype.is_compatible_with(found.dtype):
                raise ValueError("Trying to share variable %s, but specified dtype %s and found "
                                 "dtype %s (the variable was created at %s)."
                                 % (name, dtype.name, found.dtype.base_dtype.name,
                                    format_location(self.locations.get(name))))
            return found
        if reuse is True:
            scope = name.rpartition("/")[0]
            raise ValueError(
                "Variable %s does not exist, or was not created with tf.get_variable(). Did you "
                "mean to set reuse=tf.AUTO_REUSE in VarScope? The scope %r is open with "
                "reuse=True, so every get_variable in it must find an existing variable%s."
                % (name, scope, self._near_matches(name)))
        if initializer is None:
            initializer, initializing_from_value = self._default_initializer(name, shape,
                                                                             dtype)
        if initializing_from_value:
            init_val = initializer
            variable_dtype = None
        else:
            if not shape.is_fully_defined():
                raise ValueError("Shape of a new variable (%s) must be fully defined, but "
                                 "instead was %s." % (name, shape))
            if isinstance(initializer, type) and issubclass(initializer, init_ops.Initializer):
                initializer = initializer(dtype=dtype)
            shape_list = shape.as_list()

            def init_val():
                return initializer(shape_list, dtype=dtype)
            variable_dtype = dtype.base_dtype
        graph = get_default_graph()
        from tensorslim.core import variables as _variables
        _variables._creation.from_store = True
        try:
            with graph.control_dependencies(None):
                v = Variable(initial_value=init_val, name=name, trainable=trainable,
                             collections=collections, caching_device=caching_device,
                             dtype=variable_dtype, validate_shape=validate_shape,
                             constraint=constraint)
        finally:
            _variables._creation.from_store = False
        self.vars[name] = v
        self.locations[name] = user_location()
        if regularizer:
            with colocate_with(v):
                with name_scope(name + "/Regularizer/"):
                    loss = regularizer(v)
                if loss is not None:
                    graph.add_to_collection(GraphKeys.REGULARIZATION_LOSSES, loss)
        return v

    def _near_matches(self, name):
        import difflib
        close = difflib.get_close_matches(name, list(self.vars), n=3, cutoff=0.6)
        if not close:
            return ""
        return " (existing variables with similar names: %s)" % ", ".join(close)

    @staticmethod
    def _default_initializer(name, shape, dtype):
        if dtype.is_floating:
            return init_ops.glorot_uniform_initializer(), False
        if dtype.is_integer or dtype.is_unsigned or dtype.is_bool:
            return init_ops.zeros_initializer(), False
        raise ValueError("An initializer for variable %s of %s is required" % (name,
                                                                             dtype.base_dtype))


def _store(graph=None):
    graph = graph or get_default_graph()
    if graph._variable_store is None:
        graph._variable_store = _VariableStore()
    return graph._variable_store


class VariableScope:
    """A variable scope: a name prefix and defaults for ``get_variable``.

    Attributes:
      name: the full scope name ("" for the root scope).
      reuse: True, AUTO_REUSE or False.
      original_name_scope: the name scope opened when the scope was first entered.
    """

    def __init__(self, reuse, name="", initializer=None, regularizer=None, caching_device=None,
                 partitioner=None, custom_getter=None, name_scope="", dtype=_dtypes.float32,
                 use_resource=None, constraint=None):
        self._name = name
        self._initializer = initializer
        self._regularizer = regularizer
        self._reuse = reuse
        self._caching_device = caching_device
        self._partitioner = partitioner
        self._custom_getter = custom_getter
        self._name_scope = name_scope
        self._dtype = dtype
        self._use_resource = use_resource
        self._constraint = constraint

    @property
    def name(self):
        return self._name

    @property
    def original_name_scope(self):
        return self._name_scope

    @property
    def reuse(self):
        return self._reuse

    @property
    def initializer(self):
        return self._initializer

    @property
    def dtype(self):
        return self._dtype

    @property
    def use_resource(self):
        return self._use_resource

    @property
    def regularizer(self):
        return self._regularizer

    @property
    def caching_device(self):
        return self._caching_device

    @property
    def partitioner(self):
        return self._partitioner

    @property
    def custom_getter(self):
        return self._custom_getter

    @property
    def constraint(self):
        return self._constraint

    def reuse_variables(self):
        """Makes ``get_variable`` in this scope return existing variables from now on."""
        self._reuse = True

    def set_initializer(self, initializer):
        self._initializer = initializer

    def set_dtype(self, dtype):
        self._dtype = dtype

    def set_use_resource(self, use_resource):
        self._use_resource = use_resource

    def set_regularizer(self, regularizer):
        self._regularizer = regularizer

    def set_caching_device(self, caching_device):
        self._caching_device = caching_device

    def set_partitioner(self, partitioner):
        self._partitioner = partitioner

    def set_custom_getter(self, custom_getter):
        self._custom_getter = custom_getter

    def get_collection(self, name):
        scope = self._name + "/" if self._name else ""
        return get_default_graph().get_collection(name, scope)

    def trainable_variables(self):
        return self.get_collection(GraphKeys.TRAINABLE_VARIABLES)

    def global_variables(self):
        return self.get_collection(GraphKeys.GLOBAL_VARIABLES)

    def local_variables(self):
        return self.get_collection(GraphKeys.LOCAL_VARIABLES)

    def get_variable(self, var_store, name, shape=None, dtype=None, initializer=None,
                     regularizer=None, reuse=None, trainable=None, collections=None,
                     caching_device=None, partitioner=None, validate_shape=True,
                     use_resource=None, custom_getter=None, constraint=None,
                     synchronization=None, aggregation=None):
        """Gets or creates variable ``name`` inside this scope (see :func:`get_variable`)."""
        if regularizer is None:
            regularizer = self._regularizer
        if caching_device is None:
            caching_device = self._caching_device
        if custom_getter is None:
            custom_getter = self._custom_getter
        if constraint is None:
            constraint = self._constraint
        if reuse is None or reuse is False:
            reuse = self._reuse or None if reuse is None else reuse
            if reuse is False:
                reuse = None
        full_name = self.name + "/" + name if self.name else name
        if trainable is None:
            trainable = True
        # get_variable names depend on the variable scope only, never on the name scope.
        with name_scope(None):
            if dtype is not None and initializer is not None and not callable(initializer):
                init_dtype = None
            if initializer is None:
                initializer = self._initializer
            if dtype is None:
                dtype = self._dtype
            return var_store.get_variable(
                full_name, shape=shape, dtype=dtype, initializer=initializer,
                regularizer=regularizer, reuse=reuse, trainable=trainable,
                collections=collections, caching_device=caching_device,
                partitioner=partitioner, validate_shape=validate_shape,
                use_resource=use_resource, custom_getter=custom_getter,
                constraint=constraint)

    def __repr__(self):
        return "<tf.VariableScope '%s' reuse=%s>" % (self._name, self._reuse)


def get_variable_scope():
    """The current :class:`VariableScope` of the default graph."""
    graph = get_default_graph()
    stack = graph._variable_scope_stack
    if not stack:
        stack.append(VariableScope(False))
    return stack[-1]


def _set_current_scope(scope):
    graph = get_default_graph()
    if not graph._variable_scope_stack:
        graph._variable_scope_stack.append(VariableScope(False))
    graph._variable_scope_stack[-1:] = [scope]


def get_variable(name, shape=None, dtype=None, initializer=None, regularizer=None,
                 trainable=None, collections=None, caching_device=None, partitioner=None,
                 validate_shape=True, use_resource=None, custom_getter=None, constraint=None,
                 synchronization=None, aggregation=None):
    """``tf.get_variable``: gets an existing variable or creates a new one.

    The full name is the variable scope's name plus ``name``. In a scope with reuse the
    variable must exist (and shape/dtype must agree); otherwise it must not.

    Args:
      name: the variable's name within the current variable scope.
      shape: its shape (required unless ``initializer`` is a value or Tensor).
      dtype: its type (default: the scope's, float32).
      initializer: an initializer object or callable, a Tensor, or a Python/numpy value.
        Default: the scope's initializer, else glorot_uniform (zeros for integers).
      regularizer: ``f(variable) -> loss Tensor`` added to REGULARIZATION_LOSSES.
      trainable: add to TRAINABLE_VARIABLES (default True).
      collections: the collections to add it to (default GLOBAL_VARIABLES).
      caching_device, partitioner, use_resource, synchronization, aggregation: accepted for
        compatibility.
      validate_shape: require a fully defined shape.
      custom_getter: ``f(getter, name, *args, **kwargs)`` wrapping variable creation.
      constraint: kept on the variable as ``.constraint``.

    Raises:
      ValueError: creating a variable that exists without reuse, reusing one that does not
        exist, a shape/dtype mismatch on reuse, or a missing shape.
    """
    return get_variable_scope().get_variable(
        _store(), name, shape=shape, dtype=dtype, initializer=initializer,
        regularizer=regularizer, trainable=trainable, collections=collections,
        caching_device=caching_device, partitioner=partitioner,
        validate_shape=validate_shape, use_resource=use_resource,
        custom_getter=custom_getter, constraint=constraint)


def get_local_variable(name, shape=None, dtype=None, initializer=None, regularizer=None,
                       trainable=False, collections=None, caching_device=None,
                       partitioner=None, validate_shape=True, use_resource=None,
                       custom_getter=None, constraint=None, **kwargs):
    """Like :func:`get_variable`, in LOCAL_VARIABLES and not trainable."""
    collections = list(collections or []) + [GraphKeys.LOCAL_VARIABLES]
    return get_variable(name, shape, dtype, initializer, regularizer, False, collections,
                        caching_device, partitioner, validate_shape, use_resource,
                        custom_getter, constraint)


@contextlib.contextmanager
def _pure_variable_scope(name_or_scope, reuse=None, initializer=None, regularizer=None,
                         caching_device=None, partitioner=None, custom_getter=None,
                         old_name_scope=None, dtype=_dtypes.float32, use_resource=None,
                         constraint=None):
    store = _store()
    old = get_variable_scope()
    if isinstance(name_or_scope, VariableScope):
        new_name = name_or_scope.name
        store.open_variable_scope(new_name)
        old_subscopes = copy.copy(store.variable_scopes_count)
        scope = VariableScope(
            name_or_scope.reuse if not reuse else reuse, name=new_name,
            initializer=name_or_scope.initializer, regularizer=name_or_scope.regularizer,
            caching_device=name_or_scope.caching_device,
            partitioner=name_or_scope.partitioner, custom_getter=name_or_scope.custom_getter,
            name_scope=name_or_scope.original_name_scope, dtype=name_or_scope.dtype,
            use_resource=name_or_scope.use_resource, constraint=name_or_scope.constraint)
    else:
        new_name = old.name + "/" + name_or_scope if old.name else name_or_scope
        reuse = reuse or old.reuse
        scope = VariableScope(
            reuse, name=new_name, initializer=old.initializer, regularizer=old.regularizer,
            caching_device=old.caching_device, partitioner=old.partitioner,
            custom_getter=old.custom_getter,
            name_scope=name_or_scope if old_name_scope is None else old_name_scope,
            dtype=old.dtype, use_resource=old.use_resource, constraint=old.constraint)
        store.open_variable_scope(new_name)
        old_subscopes = None
    if initializer is not None:
        scope.set_initializer(initializer)
    if regularizer is not None:
        scope.set_regularizer(regularizer)
    if caching_device is not None:
        scope.set_caching_device(caching_device)
    if partitioner is not None:
        scope.set_partitioner(partitioner)
    if custom_getter is not None:
        scope.set_custom_getter(_chain_getters(scope.custom_getter, custom_getter))
    if dtype is not None:
        scope.set_dtype(dtype)
    if use_resource is not None:
        scope.set_use_resource(use_resource)
    graph = get_default_graph()
    graph._variable_scope_stack.append(scope)
    try:
        yield scope
    finally:
        graph._variable_scope_stack.pop()
        if old_subscopes is not None:
            store.variable_scopes_count = old_subscopes
        else:
            store.close_variable_subscopes(new_name)


def _chain_getters(outer, inner):
    if outer is None:
        return inner

    def chained(getter, *args, **kwargs):
        return inner(lambda *a, **k: outer(getter, *a, **k), *args, **kwargs)
    return chained


def _unique_variable_scope(prefix):
    store = _store()
    current = get_variable_scope()
    name = current.name + "/" + prefix if current.name else prefix
    if store.variable_scope_count(name) == 0:
        return prefix
    idx = 1
    while store.variable_scope_count(name + ("_%d" % idx)) > 0:
        idx += 1
    return prefix + ("_%d" % idx)


@contextlib.contextmanager
def variable_scope(name_or_scope, default_name=None, values=None, initializer=None,
                   regularizer=None, caching_device=None, partitioner=None,
                   custom_getter=None, reuse=None, dtype=None, use_resource=None,
                   constraint=None, auxiliary_name_scope=True):
    """``tf.variable_scope``: a scope for ``get_variable`` names that also opens a name scope.

    Args:
      name_or_scope: a scope name or a captured :class:`VariableScope`.
      default_name: used (made unique) when ``name_or_scope`` is None.
      values: tensors passed to the scope (to pick their graph).
      initializer, regularizer, caching_device, partitioner, custom_getter, dtype,
        use_resource, constraint: defaults for get_variable inside the scope.
      reuse: True or AUTO_REUSE to share existing variables; None inherits the parent's.
      auxiliary_name_scope: also open a name scope for ops (default True).

    Yields:
      The :class:`VariableScope`.

    Raises:
      ValueError: ``reuse=True`` with only a ``default_name``.
      TypeError: neither a name nor a default name, or a bad ``name_or_scope`` type.
    """
    if default_name is None and name_or_scope is None:
        raise TypeError("If default_name is None then name_or_scope is required")
    if reuse is False:
        reuse = None
    if not isinstance(name_or_scope, (VariableScope, str, type(None))):
        raise TypeError("VariableScope: name_or_scope must be a string or VariableScope.")
    graph = _graph_from_values(values) if values else get_default_graph()
    with graph.as_default() if graph is not get_default_graph() else _null():
        if name_or_scope is not None:
            if isinstance(name_or_scope, str):
                ns_name = name_or_scope
            else:
                ns_name = name_or_scope.name.split("/")[-1]
            if ns_name and auxiliary_name_scope:
                with name_scope(ns_name) as current_ns:
                    old_ns = current_ns if isinstance(name_or_scope, str) else \
                        name_or_scope.original_name_scope
                    with _pure_variable_scope(name_or_scope, reuse, initializer, regularizer,
                                              caching_device, partitioner, custom_getter,
                                              old_ns, dtype, use_resource,
                                              constraint) as vs:
                        yield vs
            else:
                old_ns = None if isinstance(name_or_scope, str) else \
                    name_or_scope.original_name_scope
                with _pure_variable_scope(name_or_scope, reuse, initializer, regularizer,
                                          caching_device, partitioner, custom_getter,
                                          old_ns, dtype, use_resource, constraint) as vs:
                    yield vs
        else:
            if reuse:
                raise ValueError("reuse=True cannot be used without a name_or_scope")
            if auxiliary_name_scope:
                with name_scope(default_name) as current_ns:
                    unique = _unique_variable_scope(default_name)
                    with _pure_variable_scope(unique, None, initializer, regularizer,
                                              caching_device, partitioner, custom_getter,
                                              current_ns, dtype, use_resource,
                                              constraint) as vs:
                        yield vs
            else:
                unique = _unique_variable_scope(default_name)
                with _pure_variable_scope(unique, None, initializer, regularizer,
                                          caching_device, partitioner, custom_getter, None,
                                          dtype, use_resource, constraint) as vs:
                    yield vs


@contextlib.contextmanager
def _null():
    yield


def variable_op_scope(values, name_or_scope, default_name=None, initializer=None,
                      regularizer=None, caching_device=None, partitioner=None,
                      custom_getter=None, reuse=None, dtype=None, use_resource=None,
                      constraint=None):
    """Deprecated: ``variable_scope(name_or_scope, default_name, values, ...)``."""
    return variable_scope(name_or_scope, default_name=default_name, values=values,
                          initializer=initializer, regularizer=regularizer,
                          caching_device=caching_device, partitioner=partitioner,
                          custom_getter=custom_getter, reuse=reuse, dtype=dtype,
                          use_resource=use_resource, constraint=constraint)
