"""FileWriter event files: TF's framing and first event, and the real TensorBoard reads them."""
import glob
import os

import pytest

import tensorslim as tf
from tensorslim.io.tfrecord import tf_record_iterator
from tensorslim.proto import event_pb2


def _events(logdir):
    (path,) = glob.glob(os.path.join(logdir, "events.out.tfevents.*"))
    return [event_pb2.Event.FromString(r) for r in tf_record_iterator(path)]


def test_file_writer_writes_version_graph_and_summaries(tmp_path):
    c = tf.add(tf.constant(1.0, name="a"), 2.0, name="c")
    with tf.Session() as sess:
        writer = tf.summary.FileWriter(str(tmp_path / "logs"), sess.graph)
        summary = tf.Summary(value=[tf.Summary.Value(tag="loss", simple_value=2.5)])
        writer.add_summary(summary, global_step=3)
        writer.add_summary(summary.SerializeToString(), global_step=4)
        writer.close()
    events = _events(str(tmp_path / "logs"))
    assert events[0].file_version == "brain.Event:2"
    assert events[0].source_metadata.writer == "tensorflow.core.util.events_writer"
    graph_def = tf.GraphDef.FromString(events[1].graph_def)
    assert {n.name for n in graph_def.node} >= {"a", "c"}
    assert [e.step for e in events[2:]] == [3, 4]
    assert events[2].summary.value[0].simple_value == 2.5
    assert c.op.name == "c"


def test_tensorboard_loads_our_event_file(tmp_path):
    accumulator = pytest.importorskip(
        "tensorboard.backend.event_processing.event_accumulator")
    tf.constant(1.0, name="x")
    with tf.summary.FileWriter(str(tmp_path)) as writer:
        writer.add_graph(tf.get_default_graph())
        for step in range(3):
            writer.add_summary(tf.Summary(value=[tf.Summary.Value(
                tag="acc", simple_value=0.5 + step)]), step)
    acc = accumulator.EventAccumulator(str(tmp_path))
    acc.Reload()
    assert [s.value for s in acc.Scalars("acc")] == [0.5, 1.5, 2.5]
    assert any(n.name == "x" for n in acc.Graph().node)
