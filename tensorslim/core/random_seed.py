"""Graph-level and op-level random seeds, combined as TensorFlow 1.x does."""
from tensorslim.core.graph import get_default_graph

__all__ = ["set_random_seed", "get_seed", "DEFAULT_GRAPH_SEED"]

DEFAULT_GRAPH_SEED = 87654321
_MAXINT32 = 2 ** 31 - 1


def set_random_seed(seed):
    """``tf.set_random_seed``: makes the default graph's random ops reproducible."""
    get_default_graph().seed = seed


def get_seed(op_seed):
    """Returns ``(graph_seed, op_seed)`` for a random op about to be created.

    With a graph seed and no op seed, the op seed is derived from the graph's op count so
    that each op gets its own stream; with only an op seed, the graph seed is a default.
    """
    graph_seed = get_default_graph().seed
    if graph_seed is not None:
        if op_seed is None:
            op_seed = get_default_graph()._last_id
        seeds = (int(graph_seed), int(op_seed))
    elif op_seed is not None:
        seeds = (DEFAULT_GRAPH_SEED, int(op_seed))
    else:
        seeds = (None, None)
    if seeds == (0, 0):
        return (0, _MAXINT32)
    return seeds
