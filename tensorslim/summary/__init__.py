"""``tf.summary``: TF1's summary ops and the event files TensorBoard reads.

``scalar``, ``histogram``, ``image``, ``audio``, ``text`` and ``tensor_summary`` add graph ops
whose value is a serialized ``Summary``; ``merge_all`` merges the ``SUMMARIES`` collection;
``FileWriter.add_summary`` writes the result to an event file.
"""
from tensorslim.proto.event_pb2 import Event, SessionLog, TaggedRunMetadata
from tensorslim.proto.summary_pb2 import (HistogramProto, Summary, SummaryDescription,
                                          SummaryMetadata)
from tensorslim.summary.summary_ops import (audio, get_summary_description, histogram, image,
                                            merge, merge_all, scalar, tensor_summary, text)
from tensorslim.summary.writer import EventFileWriter, FileWriter, FileWriterCache

__all__ = ["Event", "SessionLog", "TaggedRunMetadata", "HistogramProto", "Summary",
           "SummaryDescription", "SummaryMetadata", "EventFileWriter", "FileWriter",
           "FileWriterCache", "scalar", "histogram", "image", "audio", "text",
           "tensor_summary", "merge", "merge_all", "get_summary_description"]
