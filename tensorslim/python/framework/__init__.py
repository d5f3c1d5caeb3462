"""``tensorflow.python.framework``: ``graph_util`` (freezing and pruning GraphDefs)."""
