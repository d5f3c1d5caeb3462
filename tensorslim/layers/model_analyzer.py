"""``slim.model_analyzer``: prints a model's variables (or ops) with their shapes and sizes,
and returns the totals.

``slim.model_analyzer.analyze_vars(slim.get_model_variables(), print_info=True)`` prints::

    ---------
    Variables: name (type shape) [size]
    ---------
    conv1/weights:0 (float32_ref 3x3x3x32) [864, bytes: 3456]
    ...
    Total size of variables: 12345
    Total bytes of variables: 49380
"""

__all__ = ["tensor_description", "analyze_ops", "analyze_vars"]


def _dims(shape):
    if shape.ndims is None:
        return None
    return ["?" if d is None else str(d) for d in shape.as_list()]


def tensor_description(var):
    """``"(dtype AxBxC)"`` for a Tensor or Variable, as TF-slim prints it."""
    dims = _dims(var.get_shape())
    return "(" + str(var.dtype.name) + " " + ("x".join(dims) if dims else "") + ")"


def analyze_ops(graph, print_info=False):
    """The total number of elements output by the ops of ``graph`` (printed per op).

    Args:
      graph: the Graph.
      print_info: print one line per op: ``name -> (type shapes) [size]``.

    Returns:
      The total size.
    """
    if print_info:
        print("---------")
        print("Operations: name -> (type shapes) [size]")
        print("---------")
    total_size = 0
    for op in graph.get_operations():
        op_size = 0
        shapes = []
        for output in op.outputs:
            shape = output.get_shape()
            op_size += (shape.num_elements() or 0) if shape.ndims is not None else 0
            if shape.ndims is not None:
                shapes.append(tensor_description(output))
        if print_info:
            print(op.name, "\t->", ", ".join(shapes), "[" + str(op_size) + "]")
        total_size += op_size
    return total_size


def analyze_vars(variables, print_info=False):
    """The total number of parameters (and bytes) of ``variables``, printed per variable.

    Args:
      variables: a list of Variables (e.g. ``slim.get_model_variables()``).
      print_info: print the table: ``name (type shape) [size, bytes: n]`` and the totals.

    Returns:
      ``(total_size, total_bytes)``.
    """
    if print_info:
        print("---------")
        print("Variables: name (type shape) [size]")
        print("---------")
    total_size = 0
    total_bytes = 0
    for var in variables:
        shape = var.get_shape()
        var_size = (shape.num_elements() or 0) if shape.ndims is not None else 0
        var_bytes = var_size * var.dtype.base_dtype.size
        total_size += var_size
        total_bytes += var_bytes
        if print_info:
            print(var.name, tensor_description(var), "[%d, bytes: %d]" % (var_size, var_bytes))
    if print_info:
        print("Total size of variables: %d" % total_size)
        print("Total bytes of variables: %d" % total_bytes)
    return total_size, total_bytes
