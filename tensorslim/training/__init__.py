"""Training: optimizers and their update ops, learning-rate schedules, moving averages,
the global step, and (from the saver modules) checkpoints and meta graphs."""
