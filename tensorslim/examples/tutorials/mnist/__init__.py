"""TF1's ``tensorflow.examples.tutorials.mnist`` namespace; see :mod:`.input_data`."""
