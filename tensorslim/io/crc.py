"""CRC-32C with TensorFlow's mask, as used by TFRecords, tables and checkpoints."""
import google_crc32c

__all__ = ["crc32c", "masked_crc32c", "unmask_crc32c", "MASK_DELTA"]

MASK_DELTA = 0xA282EAD8


def crc32c(data, crc=0):
    """Returns the CRC-32C (Castagnoli) of ``data``, continuing from ``crc``.

    ``data`` is ``bytes`` or any buffer (a contiguous numpy array is checksummed in place,
    without a copy, when the C extension accepts it).
    """
    if not isinstance(data, bytes):
        try:
            return google_crc32c.extend(crc, data) if crc else google_crc32c.value(data)
        except (TypeError, ValueError, BufferError):
            # Buffers the C extension refuses (memoryview, bytearray, strided arrays).
            data = memoryview(data).tobytes()
    if crc:
        return google_crc32c.extend(crc, data)
    return google_crc32c.value(data)


def masked_crc32c(data):
    """Returns TensorFlow's masked CRC-32C of ``data`` (rotate right 15, add delta)."""
    crc = crc32c(data)
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + MASK_DELTA) & 0xFFFFFFFF


def unmask_crc32c(masked):
    """Inverts :func:`masked_crc32c`'s mask, giving the raw CRC-32C."""
    rot = (masked - MASK_DELTA) & 0xFFFFFFFF
    return ((rot >> 17) | (rot << 15)) & 0xFFFFFFFF
