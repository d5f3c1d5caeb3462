"""Summary helpers: ``slim.summaries.add_*_summary`` (TF-slim) and ``slim.summarize_*``
(``tf.contrib.layers``), written with ``tf.summary.scalar`` / ``histogram`` / ``image``.

Every summary op lands in the SUMMARIES collection, so ``tf.summary.merge_all()`` (and
``slim.learning.train``) picks it up.
"""
import re

from tensorslim.core.graph import GraphKeys, add_to_collection, get_collection

__all__ = [
    "add_histogram_summary", "add_image_summary", "add_scalar_summary",
    "add_zero_fraction_summary", "add_histogram_summaries", "add_image_summaries",
    "add_scalar_summaries", "add_zero_fraction_summaries", "summarize_tensor",
    "summarize_tensors", "summarize_activation", "summarize_collection",
    "summarize_activations", "summarize_variables", "summarize_weights",
    "summarize_biases",
]


def _tf():
    import tensorslim
    return tensorslim


def _summary(kind):
    fn = getattr(getattr(_tf(), "summary", None), kind, None)
    if fn is None:
        raise NotImplementedError("tf.summary.%s is not available in this tensorslim build."
                                  % kind)
    return fn


def _name(tensor, name, prefix):
    name = name or tensor.op.name
    return prefix + "/" + name if prefix else name


def add_histogram_summary(tensor, name=None, prefix=None):
    """A histogram summary of ``tensor`` named ``prefix/name`` (default: the op's name)."""
    return _summary("histogram")(_name(tensor, name, prefix), tensor)


def add_image_summary(tensor, name=None, prefix=None, print_summary=False):
    """An image summary of a 4-D ``tensor``."""
    op = _summary("image")(_name(tensor, name, prefix), tensor,
                           collections=[] if print_summary else None)
    if print_summary:
        op = _tf().Print(op, [tensor], _name(tensor, name, prefix))
        add_to_collection(GraphKeys.SUMMARIES, op)
    return op


def add_scalar_summary(tensor, name=None, prefix=None, print_summary=False):
    """A scalar summary of ``tensor``; ``print_summary`` also prints it when evaluated."""
    summary_name = _name(tensor, name, prefix)
    op = _summary("scalar")(summary_name, tensor, collections=[] if print_summary else None)
    if print_summary:
        op = _tf().Print(op, [tensor], summary_name)
        add_to_collection(GraphKeys.SUMMARIES, op)
    return op


def add_zero_fraction_summary(tensor, name=None, prefix=None, print_summary=False):
    """A scalar summary of the fraction of zeros in ``tensor`` (dead ReLUs)."""
    summary_name = _name(tensor, name, prefix)
    return add_scalar_summary(_tf().nn.zero_fraction(tensor), summary_name,
                              print_summary=print_summary)


def add_histogram_summaries(tensors, prefix=None):
    """Histogram summaries of each tensor."""
    return [add_histogram_summary(t, prefix=prefix) for t in tensors]


def add_image_summaries(tensors, prefix=None):
    """Image summaries of each tensor."""
    return [add_image_summary(t, prefix=prefix) for t in tensors]


def add_scalar_summaries(tensors, prefix=None, print_summary=False):
    """Scalar summaries of each tensor."""
    return [add_scalar_summary(t, prefix=prefix, print_summary=print_summary)
            for t in tensors]


def add_zero_fraction_summaries(tensors, prefix=None):
    """Zero-fraction summaries of each tensor."""
    return [add_zero_fraction_summary(t, prefix=prefix) for t in tensors]


def summarize_tensor(tensor, tag=None):
    """A scalar summary for a scalar ``tensor``, else a histogram (tag: the op's name)."""
    tag = tag or tensor.op.name
    if tensor.get_shape().ndims == 0:
        return _summary("scalar")(tag, tensor)
    return _summary("histogram")(tag, tensor)


def summarize_tensors(tensors, summarizer=summarize_tensor):
    """``summarizer(t)`` for each tensor."""
    return [summarizer(t) for t in tensors]


def summarize_activation(op):
    """The activation's histogram, plus the fraction of zeros for ReLU-like outputs."""
    tf = _tf()
    if op.op.type in ("Relu", "Softplus", "Relu6"):
        _summary("scalar")(op.op.name + "/zeros", tf.nn.zero_fraction(op))
    if op.op.type == "Relu6":
        _summary("scalar")(op.op.name + "/sixes",
                           tf.reduce_mean(tf.cast(tf.equal(op, 6.0), tf.float32)))
    return _summary("histogram")(op.op.name + "/activation", op)


def summarize_collection(collection, name_filter=None, summarizer=summarize_tensor):
    """Summaries of the tensors of ``collection`` whose op names match ``name_filter``."""
    tensors = [t for t in get_collection(collection)
               if name_filter is None or re.match(name_filter, t.op.name)]
    return summarize_tensors(tensors, summarizer)


def summarize_activations(name_filter=None, summarizer=summarize_activation):
    """Summaries of the ACTIVATIONS collection."""
    return summarize_collection(GraphKeys.ACTIVATIONS, name_filter, summarizer)


def summarize_variables(name_filter=None):
    """Histograms of the global variables."""
    return summarize_collection(GraphKeys.GLOBAL_VARIABLES, name_filter)


def summarize_weights(name_filter=None):
    """Histograms of the WEIGHTS collection."""
    return summarize_collection(GraphKeys.WEIGHTS, name_filter)


def summarize_biases(name_filter=None):
    """Histograms of the BIASES collection."""
    return summarize_collection(GraphKeys.BIASES, name_filter)
