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
from tensorslim.core.tensor_util import MakeNdarray as make_ndarray, make_tensor_proto

# ---- array ops (array_ops.py, manip_ops.py)
from tensorslim.core.ops.array_ops import (concat, constant, diag, diag_part, expand_dims,
                                           eye, fill, identity, matrix_diag, matrix_diag_part,
                                           matrix_set_diag, newaxis, one_hot, ones, ones_like,
                                           pack, placeholder, placeholder_with_default, rank,
                                           reshape, shape, shape_n, size, squeeze, stack,
                                           stop_gradient, unpack, unstack, zeros, zeros_like)
from tensorslim.core.ops.manip_ops import (boolean_mask, broadcast_to, clip_by_global_norm,
                                           clip_by_norm, clip_by_value, dynamic_stitch, gather,
                                           gather_nd, global_norm, invert_permutation,
                                           lin_space, linspace, meshgrid, pad, reverse,
                                           reverse_v2, scatter_nd, sequence_mask, slice,
                                           split, strided_slice, tile, transpose, unique,
                                           unique_with_counts)
from tensorslim.core.ops.manip_ops import range_ as range  # noqa: A004
# ---- end array ops

# ---- math ops (math_ops.py, linalg_ops.py)
from tensorslim.core.ops.math_ops import (  # noqa: A004 - TF's names (abs, pow, round)
    abs, accumulate_n, acos, add, add_n, argmax, argmin, asin, atan, bitcast, cast, ceil, cos,
    count_nonzero, cumprod, cumsum, digamma, div, div_no_nan, divide, equal, erf, erfc, exp,
    expm1, floor, floor_div, floordiv, floormod, greater, greater_equal, is_finite, is_inf,
    is_nan, less, less_equal, lgamma, log, log1p, logical_and, logical_not, logical_or,
    logical_xor, matmul, maximum, minimum, mod, multiply, negative, norm, not_equal, polygamma,
    pow, realdiv, reciprocal, reduce_all, reduce_any, reduce_logsumexp, reduce_max, reduce_mean,
    reduce_min, reduce_prod, reduce_sum, rint, round, rsqrt, saturate_cast, scalar_mul,
    segment_sum, sigmoid, sign, sin, sqrt, square, squared_difference, subtract, tan, tanh,
    to_bfloat16, to_double, to_float, to_int32, to_int64, truediv, truncatediv, truncatemod,
    unsorted_segment_sum, where, where_v2)
from tensorslim.core.ops.linalg_ops import (einsum, matrix_determinant, matrix_inverse,
                                            tensordot)
# ---- end math ops

# ---- random ops (random_ops.py)
from tensorslim.core.ops.random_ops import (multinomial, random_crop, random_gamma,
                                            random_normal, random_shuffle, random_uniform,
                                            truncated_normal)
# ---- end random ops

# ---- control flow (control_flow_ops.py, cond_ops.py, while_ops.py, script_ops.py)
from tensorslim.core.ops.control_flow_ops import group, no_op, tuple_ as tuple  # noqa: A004
from tensorslim.core.ops.cond_ops import case, cond
from tensorslim.core.ops.while_ops import while_loop
from tensorslim.core.ops.check_ops import (Assert, Print, add_check_numerics_ops,
                                           assert_equal, assert_greater,
                                           assert_greater_equal, assert_integer, assert_less,
                                           assert_less_equal, assert_negative,
                                           assert_non_negative, assert_non_positive,
                                           assert_none_equal, assert_positive, assert_rank,
                                           assert_rank_at_least, assert_scalar, assert_type,
                                           check_numerics, verify_tensor_all_finite)
from tensorslim.core.ops.script_ops import numpy_function, py_func
from tensorslim.core.custom_gradient import custom_gradient, identity_n
from tensorslim.core.gradients import UnconnectedGradients
# ---- end control flow

# ---- math/linalg namespaces (tf.math, tf.linalg, tf.random: TF 1.13+ aliases of the ops
#      above; plus the top-level names TF1 kept for a few of their compositions)
from tensorslim import linalg, math, random  # noqa: A004 - TF's namespace names
from tensorslim.core.ops.linalg_ops import matrix_transpose, trace
from tensorslim.core.ops.math_ops import conj
from tensorslim.core.ops.nn_impl import log_sigmoid
from tensorslim.core.random_seed import get_seed
# ---- end math/linalg namespaces

# ---- namespaces (tf.nn, tf.train, tf.test, tf.gfile, tf.python_io, tf.data, tf.image ...)
# ---- train
from tensorslim import train
# ---- end train
# ---- nn (nn.py; ops in core/ops/nn_ops.py, nn_impl.py, nn_losses.py)
from tensorslim import nn
# ---- end nn
# ---- persistence (GraphDefs, import_graph_def, tf.gfile, tf.graph_util; the saver's
#      tf.train names are in train.py)
from tensorslim.core.importer import import_graph_def
from tensorslim.proto import (AttrValue, GraphDef, MetaGraphDef, NameAttrList, NodeDef,
                              TensorInfo)
from tensorslim import gfile
from tensorslim.python.framework import graph_util
# ---- end persistence
# ---- test (tf.test: test.py)
from tensorslim import test
# ---- end test
# ---- summary (summary/)
from tensorslim import summary
from tensorslim.proto.summary_pb2 import Summary
# ---- end summary
# ---- contrib (TF-slim: tensorslim/layers; tf.contrib.slim / framework / layers, tf.losses,
#      tf.metrics)
from tensorslim import contrib, losses, metrics
# ---- end contrib
# ---- data (TF1 input pipelines: tensorslim/data; tf.python_io, tf.io)
from tensorslim import io, python_io
from tensorslim.core.sparse_tensor import (SparseTensor, SparseTensorValue,
                                           convert_to_tensor_or_sparse_tensor,
                                           sparse_placeholder, sparse_to_dense,
                                           sparse_tensor_to_dense)
from tensorslim.data.input import count_up_to
from tensorslim.data.parsing import (FixedLenFeature, FixedLenSequenceFeature, VarLenFeature,
                                     parse_example, parse_single_example,
                                     parse_single_sequence_example)
from tensorslim.data.queues import FIFOQueue, PaddingFIFOQueue, QueueBase, RandomShuffleQueue
from tensorslim.data.readers import (FixedLengthRecordReader, IdentityReader, ReaderBase,
                                     TextLineReader, TFRecordReader, WholeFileReader,
                                     matching_files, read_file, write_file)
from tensorslim.data.strings import decode_csv, decode_raw, string_to_number
# ---- end data
# ---- compat (tf.compat; tf.compat.v1 is this module: tensorslim/compat)
from tensorslim import compat
from tensorslim.compat import (disable_eager_execution, disable_v2_behavior,
                               enable_v2_behavior)
# ---- end compat
# ---- tf.data/image (tf.data is the tensorslim.data package; tf.image: image.py)
from tensorslim import image
from tensorslim.data import dataset_ops as _dataset_ops  # noqa: F401 - registers the ops
from tensorslim.data import iterator_ops as _iterator_ops  # noqa: F401 - registers the ops
# ---- end tf.data/image
# ---- eager/debug (tensorslim/eager: tf.contrib.eager; tensorslim/debug: tfdbg)
from tensorslim.eager import GradientTape, enable_eager_execution, executing_eagerly
# ---- end eager/debug
# ---- app (tf.app.run, tf.app.flags / tf.flags: app.py, flags.py)
from tensorslim import app, flags
# ---- end app
# ---- end namespaces

__version__ = "0.1.0"
VERSION = __version__
GRAPH_DEF_VERSION = 27
