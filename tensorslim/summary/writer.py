"""TensorBoard event files: ``tf.summary.FileWriter`` and the event-file writer under it.

An event file is TFRecord-framed ``Event`` protos, starting with a ``file_version`` event;
TensorBoard reads the files a FileWriter leaves in its logdir.
"""
import os
import socket
import threading
import time

from tensorslim.io import gfile
from tensorslim.io.tfrecord import TFRecordWriter
from tensorslim.proto import event_pb2, summary_pb2

__all__ = ["EventFileWriter", "FileWriter", "FileWriterCache"]


class EventFileWriter:
    """Appends serialized ``Event`` protos to ``logdir/events.out.tfevents.<time>.<host>``.

    Args:
      logdir: the directory (created if missing).
      filename_suffix: appended to the file name.
    """

    def __init__(self, logdir, max_queue=10, flush_secs=120, filename_suffix=None):
        self._logdir = str(logdir)
        gfile.MakeDirs(self._logdir)
        name = "events.out.tfevents.%010d.%s%s" % (int(time.time()), socket.gethostname(),
                                                    filename_suffix or "")
        self._path = os.path.join(self._logdir, name)
        self._writer = TFRecordWriter(self._path)
        self._lock = threading.Lock()
        self._closed = False
        self._flush_secs = flush_secs
        self._last_flush = time.time()
        first = event_pb2.Event(wall_time=time.time(), file_version="brain.Event:2")
        first.source_metadata.writer = "tensorflow.core.util.events_writer"
        self.add_event(first)
        self.flush()

    def get_logdir(self):
        return self._logdir

    @property
    def path(self):
        """The event file being written."""
        return self._path

    def add_event(self, event):
        """Writes one ``Event`` proto."""
        with self._lock:
            if self._closed:
                self._reopen()
            self._writer.write(event.SerializeToString())
            if time.time() - self._last_flush >= self._flush_secs:
                self._writer.flush()
                self._last_flush = time.time()

    def _reopen(self):
        self._writer = TFRecordWriter(self._path + ".%d" % int(time.time() * 1000))
        self._closed = False

    def flush(self):
        with self._lock:
            if not self._closed:
                self._writer.flush()
                self._last_flush = time.time()

    def close(self):
        with self._lock:
            if not self._closed:
                self._writer.close()
                self._closed = True

    def reopen(self):
        with self._lock:
            if self._closed:
                self._reopen()


class FileWriter:
    """``tf.summary.FileWriter(logdir, graph=None, ...)``: writes summaries and graphs for
    TensorBoard.

    Args:
      logdir: the directory for the event file.
      graph: a Graph (or GraphDef) to write at once, as TF does.
      max_queue, flush_secs, filename_suffix: as TF (events are written as they come and
        flushed every ``flush_secs`` and on ``flush()``/``close()``).
      graph_def: the old spelling of ``graph``.
      session: unsupported in TF1 graph mode; accepted as None.
    """

    def __init__(self, logdir, graph=None, max_queue=10, flush_secs=120, graph_def=None,
                 filename_suffix=None, session=None):
        self.event_writer = EventFileWriter(logdir, max_queue, flush_secs, filename_suffix)
        graph = graph if graph is not None else graph_def
        if graph is not None:
            self.add_graph(graph)

    def get_logdir(self):
        return self.event_writer.get_logdir()

    def _event(self, step=None, **fields):
        event = event_pb2.Event(wall_time=time.time(), **fields)
        if step is not None:
            event.step = int(step)
        self.event_writer.add_event(event)

    def add_graph(self, graph, global_step=None, graph_def=None):
        """Writes the graph (a Graph or a GraphDef) so TensorBoard's Graphs tab shows it."""
        graph = graph if graph is not None else graph_def
        if hasattr(graph, "as_graph_def"):
            graph = graph.as_graph_def()
        self._event(global_step, graph_def=graph.SerializeToString())

    def add_meta_graph(self, meta_graph_def, global_step=None):
        self._event(global_step, meta_graph_def=meta_graph_def.SerializeToString())

    def add_summary(self, summary, global_step=None):
        """Writes a Summary (a proto or its serialized bytes, as ``sess.run`` returns it)."""
        if isinstance(summary, (bytes, bytearray)) or hasattr(summary, "tobytes"):
            data = bytes(summary) if not hasattr(summary, "tobytes") else summary.tobytes()
            summary = summary_pb2.Summary.FromString(data)
        event = event_pb2.Event(wall_time=time.time())
        event.summary.CopyFrom(summary)
        if global_step is not None:
            event.step = int(global_step)
        self.event_writer.add_event(event)

    def add_session_log(self, session_log, global_step=None):
        event = event_pb2.Event(wall_time=time.time())
        event.session_log.CopyFrom(session_log)
        if global_step is not None:
            event.step = int(global_step)
        self.event_writer.add_event(event)

    def add_event(self, event):
        self.event_writer.add_event(event)

    def add_run_metadata(self, run_metadata, tag, global_step=None):
        """Accepted for compatibility; tensorslim records no step stats, so nothing is
        written."""
        return None

    def flush(self):
        self.event_writer.flush()

    def close(self):
        self.event_writer.close()

    def reopen(self):
        self.event_writer.reopen()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


class FileWriterCache:
    """One FileWriter per logdir (``tf.summary.FileWriterCache``)."""

    _cache = {}
    _lock = threading.Lock()

    @staticmethod
    def get(logdir):
        with FileWriterCache._lock:
            writer = FileWriterCache._cache.get(logdir)
            if writer is None:
                writer = FileWriter(logdir)
                FileWriterCache._cache[logdir] = writer
            return writer

    @staticmethod
    def clear():
        with FileWriterCache._lock:
            for writer in FileWriterCache._cache.values():
                writer.close()
            FileWriterCache._cache.clear()
