"""``tf.compat``: ``tf.compat.v1`` is tensorslim itself, plus TF's string helpers.

Scripts already ported to TF2's compatibility layer run unchanged::

    import tensorslim.compat.v1 as tf
    tf.disable_v2_behavior()

``tensorslim.compat.v1`` is not a copy: it is the ``tensorslim`` module (registered in
``sys.modules`` under both names), so ``tf.compat.v1.placeholder is tf.placeholder``.
"""
import sys

import tensorslim as _tensorslim  # partially initialised when tensorslim imports this

__all__ = ["v1", "as_bytes", "as_text", "as_str", "as_str_any", "path_to_str",
           "disable_v2_behavior", "enable_v2_behavior", "disable_eager_execution",
           "bytes_or_text_types"]

v1 = _tensorslim
sys.modules[__name__ + ".v1"] = v1

bytes_or_text_types = (bytes, str)


def as_bytes(bytes_or_text, encoding="utf-8"):
    """``bytes_or_text`` as bytes, encoding text with ``encoding``.

    Raises:
      TypeError: neither bytes nor text.
    """
    if isinstance(bytes_or_text, bytearray):
        return bytes(bytes_or_text)
    if isinstance(bytes_or_text, str):
        return bytes_or_text.encode(encoding)
    if isinstance(bytes_or_text, bytes):
        return bytes_or_text
    raise TypeError("Expected binary or unicode string, got %r" % (bytes_or_text,))


def as_text(bytes_or_text, encoding="utf-8"):
    """``bytes_or_text`` as text, decoding bytes with ``encoding``.

    Raises:
      TypeError: neither bytes nor text.
    """
    if isinstance(bytes_or_text, str):
        return bytes_or_text
    if isinstance(bytes_or_text, (bytes, bytearray)):
        return bytes(bytes_or_text).decode(encoding)
    raise TypeError("Expected binary or unicode string, got %r" % (bytes_or_text,))


as_str = as_text


def as_str_any(value):
    """``str(value)``, decoding bytes as UTF-8."""
    if isinstance(value, bytes):
        return as_str(value)
    return str(value)


def path_to_str(path):
    """A path-like object's ``os.fspath`` (other values unchanged)."""
    import os
    if isinstance(path, os.PathLike):
        return os.fspath(path)
    return path


def disable_v2_behavior():
    """Does nothing: tensorslim always behaves like TensorFlow 1.x (graph mode)."""


def enable_v2_behavior():
    """TF2 behaviour is not available.

    Raises:
      NotImplementedError: always; tensorslim implements TensorFlow 1.x.
    """
    raise NotImplementedError("tensorslim implements TensorFlow 1.x's API; TF2 behaviour "
                              "(eager by default, tf.function) is not available")


def disable_eager_execution():
    """Does nothing: graph mode is tensorslim's default."""
