"""tensorslim: the TensorFlow 1.x programming model and TF-slim, on numpy and cupy.

``import tensorslim as tf`` gives TF1's graph/session API: ``tf.Graph``, ``tf.Session``,
``tf.Variable``, ``tf.variable_scope``, ``tf.gradients``, ``tf.train``, ``tf.nn`` ...
"""
# ---- core engine
from tensorslim.core import dtypes as dtypes
from tensorslim.core.dtypes import (DType, as_dtype, bool, complex64, complex128, double,  # noqa: A004
                                    float16, float32, float64, half, int8, int16, int32,
                                    int64, string, uint8, uint16, uint32, uint64, resource,
                                    variant, float32_ref, float64_ref, int32_ref, int64_ref)
from tensorslim.core.tensor_shape import Dimension, TensorShape, dimension_value
from tensorslim.core.graph import (Graph, GraphKeys, Operation, Tensor, add_to_collection,
                                   add_to_collections, colocate_with, control_dependencies,
                                   convert_to_tensor, device, get_all_collection_keys,
                                   get_collection, get_collection_ref, get_default_graph,
                                   is_tensor, name_scope, register_tensor_conversion_function,
                                   reset_default_graph)
from tensorslim.core.registry import NoGradient, NotDifferentiable, RegisterGradient
from tensorslim.core.session import (ConfigProto, GPUOptions, GraphOptions, InteractiveSession,
                                     OptimizerOptions, RunMetadata, RunOptions, Session,
                                     get_default_session)
from tensorslim.core.random_seed import set_random_seed
from tensorslim.core.ops.state_ops import assign, assign_add, assign_sub
from tensorslim.core.variables import (Variable, VariableV1, all_variables,
                                       assert_variables_initialized, global_variables,
                                       global_variables_initializer, initialize_all_variables,
                                       initialize_local_variables, initialize_variables,
                                       is_variable_initialized, local_variables,
                                       local_variables_initializer, model_variables,
                                       moving_average_variables, report_uninitialized_variables,
                                       trainable_variables, variables_initializer)
from tensorslim.core.variable_scope import (AUTO_REUSE, VariableScope, get_local_variable,
                                            get_variable, get_variable_scope, no_regularizer,
                                            variable_op_scope, variable_scope)
from tensorslim.core.init_ops import (constant_initializer, glorot_normal_initializer,
                                      glorot_uniform_initializer, identity_initializer,
                                      ones_initializer, orthogonal_initializer,
                                      random_normal_initializer, random_uniform_initializer,
                                      truncated_normal_initializer,
                                      uniform_unit_scaling_initializer,
                                      variance_scaling_initializer, zeros_initializer)
from tensorslim.core.gradients import AggregationMethod, gradients, hessians
from tensorslim import errors

# ---- array ops (array_ops.py, manip_ops.py)
from tensorslim.core.ops.array_ops import (concat, constant, expand_dims, fill, identity, ones,
                                           ones_like, placeholder, placeholder_with_default,
                                           rank, reshape, shape, size, squeeze, stack,
                                           stop_gradient, zeros, zeros_like)
from tensorslim.core.ops.manip_ops import broadcast_to, dynamic_stitch, gather
from tensorslim.core.ops.manip_ops import range_ as range  # noqa: A004
# ---- end array ops

# ---- math ops (math_ops.py, linalg_ops.py)
from tensorslim.core.ops.math_ops import (add, add_n, cast, divide, floormod, matmul, multiply,
                                          negative, reduce_sum, subtract, truediv)
# ---- end math ops

# ---- random ops (random_ops.py)
from tensorslim.core.ops.random_ops import random_normal, random_uniform, truncated_normal
# ---- end random ops

# ---- control flow (control_flow_ops.py, cond_ops.py, while_ops.py, script_ops.py)
from tensorslim.core.ops.control_flow_ops import group, no_op, tuple_ as tuple  # noqa: A004
# ---- end control flow

# ---- namespaces (tf.nn, tf.train, tf.test, tf.gfile, tf.python_io, tf.data, tf.image ...)
# ---- end namespaces

__version__ = "0.1.0"
VERSION = __version__
GRAPH_DEF_VERSION = 27
