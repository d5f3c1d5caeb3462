"""``tensorflow.python.framework.graph_util``: alias of
:mod:`tensorslim.training.graph_util_impl`."""
from tensorslim.core.importer import import_graph_def
from tensorslim.training.graph_util_impl import (convert_variables_to_constants,
                                                 extract_sub_graph, must_run_on_cpu,
                                                 remove_training_nodes,
                                                 tensor_shape_from_node_def_name)

__all__ = ["convert_variables_to_constants", "extract_sub_graph", "remove_training_nodes",
           "must_run_on_cpu", "tensor_shape_from_node_def_name", "import_graph_def"]
