"""TF1's ``tensorflow.examples`` namespace (tutorial helpers)."""
