"""File formats and file system helpers (gfile, TFRecord, checkpoint bundles)."""
