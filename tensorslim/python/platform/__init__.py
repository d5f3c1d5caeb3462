"""``tensorflow.python.platform``: ``gfile``."""
