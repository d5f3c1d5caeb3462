"""TensorFlow's exception hierarchy (``tf.errors``): OpError and one subclass per code."""

__all__ = [
    "OpError", "CancelledError", "UnknownError", "InvalidArgumentError",
    "DeadlineExceededError", "NotFoundError", "AlreadyExistsError", "PermissionDeniedError",
    "ResourceExhaustedError", "FailedPreconditionError", "AbortedError", "OutOfRangeError",
    "UnimplementedError", "InternalError", "UnavailableError", "DataLossError",
    "UnauthenticatedError",
    "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
    "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
    "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
    "UNAUTHENTICATED",
]

# Error code numbers, as in TF's error_codes.proto.
OK = 0
CANCELLED = 1
UNKNOWN = 2
INVALID_ARGUMENT = 3
DEADLINE_EXCEEDED = 4
NOT_FOUND = 5
ALREADY_EXISTS = 6
PERMISSION_DENIED = 7
RESOURCE_EXHAUSTED = 8
FAILED_PRECONDITION = 9
ABORTED = 10
OUT_OF_RANGE = 11
UNIMPLEMENTED = 12
INTERNAL = 13
UNAVAILABLE = 14
DATA_LOSS = 15
UNAUTHENTICATED = 16


class OpError(Exception):
    """The base error raised when a TensorFlow operation (or file operation) fails.

    Args:
      node_def: the ``NodeDef`` of the failing op, or ``None``.
      op: the failing ``Operation``, or ``None``.
      message: the error message.
      error_code: the integer error code (see the module constants).
    """

    def __init__(self, node_def, op, message, error_code=None):
        super().__init__(message)
        self._node_def = node_def
        self._op = op
        self._message = message
        self._error_code = error_code

    @property
    def node_def(self):
        """The ``NodeDef`` of the failing op, or ``None``."""
        return self._node_def

    @property
    def op(self):
        """The failing ``Operation``, or ``None``."""
        return self._op

    @property
    def message(self):
        """The error message."""
        return self._message

    @property
    def error_code(self):
        """The integer error code."""
        return self._error_code

    def __str__(self):
        return str(self._message)

    def __reduce__(self):
        return type(self), (self._node_def, self._op, self._message) + (
            (self._error_code,) if type(self) is OpError else ())


def _make_error(name, code, doc):
    def __init__(self, node_def, op, message, *args):
        OpError.__init__(self, node_def, op, message, code)

    return type(name, (OpError,), {"__init__": __init__, "__doc__": doc,
                                   "__module__": __name__})


CancelledError = _make_error("CancelledError", CANCELLED, "An operation was cancelled.")
UnknownError = _make_error("UnknownError", UNKNOWN, "An unknown error.")
InvalidArgumentError = _make_error(
    "InvalidArgumentError", INVALID_ARGUMENT, "An operation received an invalid argument.")
DeadlineExceededError = _make_error(
    "DeadlineExceededError", DEADLINE_EXCEEDED, "A deadline expired before completion.")
NotFoundError = _make_error(
    "NotFoundError", NOT_FOUND, "A requested entity (a file, a key) was not found.")
AlreadyExistsError = _make_error(
    "AlreadyExistsError", ALREADY_EXISTS, "An entity we attempted to create already exists.")
PermissionDeniedError = _make_error(
    "PermissionDeniedError", PERMISSION_DENIED, "The caller lacks permission.")
ResourceExhaustedError = _make_error(
    "ResourceExhaustedError", RESOURCE_EXHAUSTED, "Some resource has been exhausted.")
FailedPreconditionError = _make_error(
    "FailedPreconditionError", FAILED_PRECONDITION,
    "The system is not in a state to execute the operation.")
AbortedError = _make_error("AbortedError", ABORTED, "The operation was aborted.")
OutOfRangeError = _make_error(
    "OutOfRangeError", OUT_OF_RANGE, "An operation iterated past the valid input range.")
UnimplementedError = _make_error(
    "UnimplementedError", UNIMPLEMENTED, "The operation is not implemented.")
InternalError = _make_error("InternalError", INTERNAL, "An internal invariant was broken.")
UnavailableError = _make_error(
    "UnavailableError", UNAVAILABLE, "The runtime is currently unavailable.")
DataLossError = _make_error(
    "DataLossError", DATA_LOSS, "Unrecoverable data loss or corruption.")
UnauthenticatedError = _make_error(
    "UnauthenticatedError", UNAUTHENTICATED, "The request lacks valid credentials.")
