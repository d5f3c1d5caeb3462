"""``tf.linalg``: the linear-algebra names TF 1.13+ exports under ``tf.linalg`` (aliases).

TF's spellings differ from the top-level ones: ``tf.linalg.diag`` is ``tf.matrix_diag``,
``tf.linalg.tensor_diag`` is ``tf.diag``, ``tf.linalg.transpose`` is ``tf.matrix_transpose``
(the last two dimensions), ``det``/``inv`` are ``matrix_determinant``/``matrix_inverse``.
"""
from tensorslim.core.ops.array_ops import diag as tensor_diag
from tensorslim.core.ops.array_ops import diag_part as tensor_diag_part
from tensorslim.core.ops.array_ops import eye
from tensorslim.core.ops.array_ops import matrix_diag as diag
from tensorslim.core.ops.array_ops import matrix_diag_part as diag_part
from tensorslim.core.ops.array_ops import matrix_set_diag as set_diag
from tensorslim.core.ops.linalg_ops import adjoint, einsum, tensordot, trace
from tensorslim.core.ops.linalg_ops import matrix_determinant as det
from tensorslim.core.ops.linalg_ops import matrix_inverse as inv
from tensorslim.core.ops.linalg_ops import matrix_transpose as transpose
from tensorslim.core.ops.manip_ops import global_norm
from tensorslim.core.ops.math_ops import matmul, norm
from tensorslim.core.ops.nn_impl import l2_normalize

__all__ = ["adjoint", "det", "diag", "diag_part", "einsum", "eye", "global_norm", "inv",
           "l2_normalize", "matmul", "norm", "set_diag", "tensor_diag", "tensor_diag_part",
           "tensordot", "trace", "transpose"]
