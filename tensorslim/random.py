"""``tf.random``: the random-op names TF 1.13+ exports under ``tf.random`` (aliases).

``tf.random.normal`` is ``tf.random_normal``, ``uniform`` is ``random_uniform``, ``shuffle``
is ``random_shuffle``, ``gamma`` is ``random_gamma``; ``categorical`` is ``multinomial`` with
a ``dtype`` argument. Seeding is TF1's (graph seed + op seed).
"""
from tensorslim.core.ops.random_ops import categorical, multinomial, truncated_normal
from tensorslim.core.ops.random_ops import random_gamma as gamma
from tensorslim.core.ops.random_ops import random_normal as normal
from tensorslim.core.ops.random_ops import random_shuffle as shuffle
from tensorslim.core.ops.random_ops import random_uniform as uniform
from tensorslim.core.random_seed import get_seed, set_random_seed

__all__ = ["categorical", "gamma", "get_seed", "multinomial", "normal", "set_random_seed",
           "shuffle", "truncated_normal", "uniform"]
