"""``tf.summary``: event files for TensorBoard.

The summary ops (scalar, histogram, image, merge_all) belong to the observability work and
are not built yet; FileWriter and the Summary/Event protos are.
"""
from tensorslim.proto.event_pb2 import Event, SessionLog
from tensorslim.proto.summary_pb2 import HistogramProto, Summary, SummaryDescription
from tensorslim.summary.writer import EventFileWriter, FileWriter, FileWriterCache

__all__ = ["Event", "SessionLog", "HistogramProto", "Summary", "SummaryDescription",
           "EventFileWriter", "FileWriter", "FileWriterCache"]
