"""Datasets for the tutorials: MNIST (:mod:`tensorslim.data.mnist`)."""
