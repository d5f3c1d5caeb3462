"""TF1's ``tensorflow.python`` package layout, for code that imports from it
(``from tensorslim.python.framework import graph_util``). The modules here are thin aliases
of tensorslim's own."""
