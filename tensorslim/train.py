"""``tf.train``: optimizers, learning-rate schedules, moving averages, the global step,
checkpoints and input queues.

A thin namespace: everything is defined in ``tensorslim.training`` (and, for queues, in
``tensorslim.data``) and re-exported here under TF1's names.
"""
# ---- optimizers, schedules, moving averages, global step
from tensorslim.training.learning_rate_decay import (cosine_decay, cosine_decay_restarts,
                                                     exponential_decay, inverse_time_decay,
                                                     linear_cosine_decay, natural_exp_decay,
                                                     noisy_linear_cosine_decay,
                                                     piecewise_constant,
                                                     piecewise_constant_decay,
                                                     polynomial_decay)
from tensorslim.training.moving_averages import ExponentialMovingAverage
from tensorslim.training.optimizer import Optimizer
from tensorslim.training.optimizers import (AdadeltaOptimizer, AdagradDAOptimizer,
                                            AdagradOptimizer, AdamOptimizer, FtrlOptimizer,
                                            GradientDescentOptimizer, MomentumOptimizer,
                                            ProximalAdagradOptimizer,
                                            ProximalGradientDescentOptimizer,
                                            RMSPropOptimizer)
from tensorslim.training.training_util import (assert_global_step, create_global_step,
                                               get_global_step, get_or_create_global_step,
                                               global_step)

__all__ = [
    "Optimizer", "GradientDescentOptimizer", "MomentumOptimizer", "AdagradOptimizer",
    "AdagradDAOptimizer", "AdadeltaOptimizer", "AdamOptimizer", "FtrlOptimizer",
    "RMSPropOptimizer", "ProximalGradientDescentOptimizer", "ProximalAdagradOptimizer",
    "exponential_decay", "piecewise_constant", "piecewise_constant_decay", "polynomial_decay",
    "natural_exp_decay",
    "inverse_time_decay", "cosine_decay", "cosine_decay_restarts", "linear_cosine_decay",
    "noisy_linear_cosine_decay",
    "ExponentialMovingAverage",
    "global_step", "get_global_step", "create_global_step", "get_or_create_global_step",
    "assert_global_step",
]
# ---- end optimizers

# ---- saver (Saver, checkpoints, meta graphs: tensorslim/training/saver.py,
#      checkpoint_utils.py, meta_graph.py). Import here and extend __all__ with
#      `__all__ += [...]`.
from tensorslim.training.checkpoint_utils import (CheckpointState, NewCheckpointReader,
                                                  checkpoint_exists, checkpoints_iterator,
                                                  generate_checkpoint_state_proto,
                                                  get_checkpoint_mtimes, get_checkpoint_state,
                                                  init_from_checkpoint, latest_checkpoint,
                                                  list_variables, load_checkpoint,
                                                  load_variable, remove_checkpoint,
                                                  update_checkpoint_state)
from tensorslim.training.meta_graph import (export_meta_graph, import_meta_graph,
                                            write_graph)
from tensorslim.training.saver import Saver, SaverDef
from tensorslim.training.summary_iterator import summary_iterator

__all__ += [
    "Saver", "SaverDef", "CheckpointState", "NewCheckpointReader", "checkpoint_exists",
    "generate_checkpoint_state_proto", "get_checkpoint_mtimes", "get_checkpoint_state",
    "init_from_checkpoint", "latest_checkpoint", "list_variables", "load_checkpoint",
    "load_variable", "remove_checkpoint", "update_checkpoint_state", "export_meta_graph",
    "import_meta_graph", "write_graph", "checkpoints_iterator", "summary_iterator",
]
# ---- end saver

# ---- queues (input pipelines, Coordinator, queue runners, Example protos: tensorslim/data).
#      Import here and extend __all__ with `__all__ += [...]`.
from tensorslim.data import queue_runner
from tensorslim.data.coordinator import Coordinator, LooperThread
from tensorslim.data.input import (batch, batch_join, input_producer, limit_epochs,
                                   match_filenames_once, maybe_batch, maybe_batch_join,
                                   maybe_shuffle_batch, maybe_shuffle_batch_join,
                                   range_input_producer, shuffle_batch, shuffle_batch_join,
                                   slice_input_producer, string_input_producer)
from tensorslim.data.queue_runner import QueueRunner, add_queue_runner, start_queue_runners
from tensorslim.proto import (BytesList, Example, Feature, FeatureList, FeatureLists, Features,
                              FloatList, Int64List, SequenceExample)

__all__ += [
    "queue_runner", "Coordinator", "LooperThread", "QueueRunner", "add_queue_runner",
    "start_queue_runners", "batch", "batch_join", "input_producer", "limit_epochs",
    "match_filenames_once", "maybe_batch", "maybe_batch_join", "maybe_shuffle_batch",
    "maybe_shuffle_batch_join", "range_input_producer", "shuffle_batch", "shuffle_batch_join",
    "slice_input_producer", "string_input_producer", "BytesList", "Example", "Feature",
    "FeatureList", "FeatureLists", "Features", "FloatList", "Int64List", "SequenceExample",
]
# ---- end queues
