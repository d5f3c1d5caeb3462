"""TF1's ``tf.gfile``: file objects and file-system functions over the local file system.

Every failure is reported as a :class:`tensorslim.core.errors.OpError` subclass, as TF
does (``NotFoundError`` for a missing path, ``AlreadyExistsError`` when a rename or copy
would overwrite, ...), never as a bare ``OSError``.  :func:`atomic_write` and
:class:`AtomicFile` give the write-to-temp-then-rename pattern checkpoint writers need.
"""
import contextlib
import errno
import glob as _glob
import os
import shutil
import uuid

from tensorslim.core import errors

__all__ = [
    "GFile", "FastGFile", "Open", "Exists", "MakeDirs", "MkDir", "Mkdir", "Remove", "Rename",
    "Copy", "ListDirectory", "Glob", "IsDirectory", "DeleteRecursively", "Stat", "Walk",
    "FileStatistics", "atomic_write", "AtomicFile",
    # tf.io.gfile's lower-case spellings (TF 1.13+)
    "exists", "isdir", "makedirs", "mkdir", "remove", "rename", "copy", "listdir", "glob",
    "rmtree", "stat", "walk", "join",
]

_MODES = ("r", "rb", "w", "wb", "a", "ab", "r+", "rb+", "r+b", "w+", "wb+", "w+b", "a+",
          "ab+", "a+b")

_ERRNO_TO_ERROR = {
    errno.ENOENT: errors.NotFoundError,
    errno.EEXIST: errors.AlreadyExistsError,
    errno.EACCES: errors.PermissionDeniedError,
    errno.EPERM: errors.PermissionDeniedError,
    errno.EROFS: errors.PermissionDeniedError,
    errno.ENOTDIR: errors.FailedPreconditionError,
    errno.EISDIR: errors.FailedPreconditionError,
    errno.ENOTEMPTY: errors.FailedPreconditionError,
    errno.ENOSPC: errors.ResourceExhaustedError,
    errno.EXDEV: errors.UnimplementedError,
}


def _path(name):
    """Normalises a str/bytes/PathLike path to str and rejects non-local schemes."""
    name = os.fspath(name)
    if isinstance(name, bytes):
        name = os.fsdecode(name)
    if not isinstance(name, str):
        raise TypeError("Expected a path (str, bytes or os.PathLike), got %r" % (name,))
    scheme, sep, _ = name.partition("://")
    if sep and scheme and scheme != "file":
        raise errors.UnimplementedError(
            None, None, "File system scheme '%s' not implemented (file: '%s')" % (scheme, name))
    return name[len("file://"):] if sep and scheme == "file" else name


@contextlib.contextmanager
def _os_errors(path):
    """Translates an ``OSError`` raised inside the block into TF's error classes."""
    try:
        yield
    except errors.OpError:
        raise
    except OSError as e:
        cls = _ERRNO_TO_ERROR.get(e.errno, errors.UnknownError)
        detail = e.strerror or str(e)
        target = e.filename if e.filename is not None else path
        raise cls(None, None, "%s; %s" % (target, detail)) from e


class GFile:
    """A file object in TF's ``tf.gfile.GFile`` style.

    The file is opened on first use (as TF does), so a missing file raises
    :class:`NotFoundError` from the first read, not from the constructor.  Text modes
    (``"r"``, ``"w"``, ``"a"``) return and accept ``str`` (UTF-8, no newline translation);
    binary modes return ``bytes``.  Both accept ``str`` or ``bytes`` for :meth:`write`.
    Positions given to :meth:`seek` and returned by :meth:`tell` are byte offsets.

    Args:
      name: the path of the file.
      mode: one of ``"r"``, ``"rb"``, ``"w"``, ``"wb"``, ``"a"``, ``"ab"`` (a ``"+"`` may
        be added for read-and-write).

    Raises:
      errors.InvalidArgumentError: for an unknown mode.
    """

    def __init__(self, name, mode="r"):
        if mode not in _MODES:
            raise errors.InvalidArgumentError(
                None, None, "mode is not 'r' or 'w' or 'a' (with optional 'b'/'+'): got %r"
                % (mode,))
        self._name = _path(name)
        self._mode = mode
        self._binary = "b" in mode
        self._file = None
        self._closed = False

    @property
    def name(self):
        """The path of the file."""
        return self._name

    @property
    def mode(self):
        """The mode the file was opened with."""
        return self._mode

    @property
    def closed(self):
        """True once :meth:`close` was called."""
        return self._closed

    def _ensure_open(self):
        if self._closed:
            raise errors.FailedPreconditionError(
                None, None, "File %s is already closed" % self._name)
        if self._file is None:
            raw_mode = self._mode.replace("b", "").replace("+", "") + "b"
            if "+" in self._mode:
                raw_mode += "+"
            with _os_errors(self._name):
                if os.path.isdir(self._name):
                    raise errors.FailedPreconditionError(
                        None, None, "%s is a directory" % self._name)
                self._file = open(self._name, raw_mode)
        return self._file

    def _check_readable(self):
        if "r" not in self._mode and "+" not in self._mode:
            raise errors.PermissionDeniedError(
                None, None, "File %s isn't open for reading" % self._name)

    def _check_writable(self):
        if self._mode.startswith("r") and "+" not in self._mode:
            raise errors.PermissionDeniedError(
                None, None, "File %s isn't open for writing" % self._name)

    def _out(self, data):
        if self._binary:
            return data
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise errors.InvalidArgumentError(
                None, None, "File %s is not valid UTF-8 text (open it with mode 'rb'): %s"
                % (self._name, e)) from e

    def read(self, n=-1):
        """Reads ``n`` bytes (all remaining bytes if ``n`` is negative).

        Args:
          n: the number of bytes to read; ``-1`` reads to the end of the file.

        Returns:
          ``bytes`` in binary mode, ``str`` in text mode.

        Raises:
          errors.NotFoundError: if the file does not exist.
        """
        self._check_readable()
        f = self._ensure_open()
        with _os_errors(self._name):
            data = f.read() if n is None or n < 0 else f.read(n)
        return self._out(data)

    def readline(self):
        """Reads the next line, including its ``"\\n"``; empty at the end of the file."""
        self._check_readable()
        f = self._ensure_open()
        with _os_errors(self._name):
            return self._out(f.readline())

    def readlines(self):
        """Returns all remaining lines as a list."""
        return list(iter(self.readline, self._out(b"")))

    def __iter__(self):
        return self

    def __next__(self):
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    next = __next__

    def write(self, file_content):
        """Writes ``file_content`` (``str`` is encoded as UTF-8, ``bytes`` written as is)."""
        self._check_writable()
        f = self._ensure_open()
        if isinstance(file_content, str):
            file_content = file_content.encode("utf-8")
        with _os_errors(self._name):
            f.write(file_content)

    def flush(self):
        """Flushes buffered writes to the operating system."""
        if self._file is not None and not self._closed:
            with _os_errors(self._name):
                self._file.flush()

    def seek(self, offset=None, whence=0, position=None):
        """Moves to byte ``offset`` relative to ``whence`` (0 start, 1 current, 2 end).

        Args:
          offset: the byte offset.
          whence: 0, 1 or 2, as for :func:`os.lseek`.
          position: deprecated alias of ``offset`` (TF1 spelling).

        Returns:
          The new absolute position.
        """
        if position is not None:
            if offset is not None:
                raise TypeError("seek() takes either offset or position, not both")
            offset = position
        if offset is None:
            offset = 0
        f = self._ensure_open()
        with _os_errors(self._name):
            return f.seek(offset, whence)

    def seekable(self):
        """True: GFiles support :meth:`seek` and :meth:`tell`."""
        return True

    def tell(self):
        """Returns the current byte position."""
        f = self._ensure_open()
        with _os_errors(self._name):
            return f.tell()

    def size(self):
        """Returns the size of the file in bytes (pending writes included)."""
        self.flush()
        return Stat(self._name).length

    def close(self):
        """Flushes and closes the file; further calls are no-ops."""
        if self._file is not None:
            with _os_errors(self._name):
                self._file.close()
            self._file = None
        self._closed = True

    def __enter__(self):
        if not self._mode.startswith("r"):
            # Writers create (or truncate) the file when the block opens, as Python does.
            self._ensure_open()
        return self

    def __exit__(self, *exc_info):
        self.close()

    def __del__(self):
        f = getattr(self, "_file", None)
        if f is not None:
            f.close()

    def __repr__(self):
        return "<GFile %r mode=%r>" % (self._name, self._mode)


class FastGFile(GFile):
    """Deprecated TF1 alias of :class:`GFile`, with the same behaviour."""


Open = GFile


class FileStatistics:
    """What :func:`Stat` returns.

    Attributes:
      length: the size in bytes.
      mtime_nsec: the modification time in nanoseconds since the epoch.
      is_directory: whether the path is a directory.
    """

    __slots__ = ("length", "mtime_nsec", "is_directory")

    def __init__(self, length=0, mtime_nsec=0, is_directory=False):
        self.length = length
        self.mtime_nsec = mtime_nsec
        self.is_directory = is_directory

    def __repr__(self):
        return "FileStatistics(length=%d, mtime_nsec=%d, is_directory=%s)" % (
            self.length, self.mtime_nsec, self.is_directory)


def Exists(filename):  # noqa: N802 - TF1's name
    """Returns True if ``filename`` (a file or a directory) exists."""
    return os.path.exists(_path(filename))


def IsDirectory(dirname):  # noqa: N802
    """Returns True if ``dirname`` exists and is a directory."""
    return os.path.isdir(_path(dirname))


def MakeDirs(dirname):  # noqa: N802
    """Creates ``dirname`` and any missing parents; an existing directory is fine.

    Raises:
      errors.FailedPreconditionError: if a path component exists and is not a directory.
    """
    dirname = _path(dirname)
    with _os_errors(dirname):
        os.makedirs(dirname, exist_ok=True)


def MkDir(dirname):  # noqa: N802
    """Creates the single directory ``dirname``.

    Raises:
      errors.AlreadyExistsError: if ``dirname`` exists.
      errors.NotFoundError: if its parent does not exist.
    """
    dirname = _path(dirname)
    with _os_errors(dirname):
        os.mkdir(dirname)


Mkdir = MkDir


def Remove(filename):  # noqa: N802
    """Deletes the file ``filename``.

    Raises:
      errors.NotFoundError: if it does not exist.
      errors.FailedPreconditionError: if it is a directory.
    """
    filename = _path(filename)
    with _os_errors(filename):
        if os.path.isdir(filename) and not os.path.islink(filename):
            raise errors.FailedPreconditionError(
                None, None, "%s is a directory; use DeleteRecursively" % filename)
        os.remove(filename)


def Rename(oldname, newname, overwrite=False):  # noqa: N802
    """Renames (moves) ``oldname`` to ``newname``.

    Args:
      oldname: the existing path.
      newname: the new path.
      overwrite: whether an existing ``newname`` may be replaced.

    Raises:
      errors.NotFoundError: if ``oldname`` does not exist.
      errors.AlreadyExistsError: if ``newname`` exists and ``overwrite`` is False.
    """
    oldname, newname = _path(oldname), _path(newname)
    if not os.path.lexists(oldname):
        raise errors.NotFoundError(None, None, "%s; No such file or directory" % oldname)
    if not overwrite and os.path.lexists(newname):
        raise errors.AlreadyExistsError(None, None, "file already exists: %s" % newname)
    with _os_errors(oldname):
        os.replace(oldname, newname)


def Copy(oldpath, newpath, overwrite=False):  # noqa: N802
    """Copies the file ``oldpath`` to ``newpath``.

    Args:
      oldpath: the source file.
      newpath: the destination file.
      overwrite: whether an existing ``newpath`` may be replaced.

    Raises:
      errors.NotFoundError: if ``oldpath`` does not exist.
      errors.AlreadyExistsError: if ``newpath`` exists and ``overwrite`` is False.
    """
    oldpath, newpath = _path(oldpath), _path(newpath)
    if not os.path.exists(oldpath):
        raise errors.NotFoundError(None, None, "%s; No such file or directory" % oldpath)
    if os.path.isdir(oldpath):
        raise errors.FailedPreconditionError(None, None, "%s is a directory" % oldpath)
    if not overwrite and os.path.lexists(newpath):
        raise errors.AlreadyExistsError(None, None, "file already exists: %s" % newpath)
    with open(oldpath, "rb") as src:
        atomic_write(newpath, lambda dst: shutil.copyfileobj(src, dst))


def ListDirectory(dirname):  # noqa: N802
    """Returns the names (not paths) of the entries of ``dirname``, sorted.

    Raises:
      errors.NotFoundError: if ``dirname`` does not exist or is not a directory.
    """
    dirname = _path(dirname)
    if not os.path.isdir(dirname):
        raise errors.NotFoundError(None, None, "Could not find directory %s" % dirname)
    with _os_errors(dirname):
        return sorted(os.listdir(dirname))


def Glob(filename):  # noqa: N802
    """Returns the paths matching a pattern (or any of a list of patterns), sorted.

    ``*``, ``?`` and ``[...]`` match within one path component, as in TF; hidden files
    match too.
    """
    patterns = [filename] if isinstance(filename, (str, bytes, os.PathLike)) else filename
    found = set()
    for pattern in patterns:
        found.update(_glob.glob(_path(pattern), include_hidden=True))
    return sorted(found)


def DeleteRecursively(dirname):  # noqa: N802
    """Deletes ``dirname`` and everything below it (or the file ``dirname``).

    Raises:
      errors.NotFoundError: if it does not exist.
    """
    dirname = _path(dirname)
    if not os.path.lexists(dirname):
        raise errors.NotFoundError(None, None, "%s; No such file or directory" % dirname)
    with _os_errors(dirname):
        if os.path.isdir(dirname) and not os.path.islink(dirname):
            shutil.rmtree(dirname)
        else:
            os.remove(dirname)


def Stat(filename):  # noqa: N802
    """Returns a :class:`FileStatistics` for ``filename``.

    Raises:
      errors.NotFoundError: if it does not exist.
    """
    filename = _path(filename)
    with _os_errors(filename):
        st = os.stat(filename)
    return FileStatistics(length=st.st_size, mtime_nsec=st.st_mtime_ns,
                          is_directory=os.path.isdir(filename))


def Walk(top, in_order=True):  # noqa: N802
    """Walks the directory tree under ``top``, like :func:`os.walk`.

    Args:
      top: the root directory; nothing is yielded if it does not exist.
      in_order: True for top-down (a directory before its subdirectories), False for
        bottom-up.

    Yields:
      ``(dirname, subdirs, files)`` with entry names (not paths), each list sorted.
    """
    top = _path(top)
    try:
        names = ListDirectory(top)
    except errors.NotFoundError:
        return
    subdirs, files = [], []
    for name in names:
        (subdirs if os.path.isdir(os.path.join(top, name)) else files).append(name)
    if in_order:
        yield top, subdirs, files
    for sub in subdirs:
        yield from Walk(os.path.join(top, sub), in_order)
    if not in_order:
        yield top, subdirs, files


def _fsync_dir(dirname):
    # Makes the rename itself durable; not all platforms can open a directory.
    try:
        fd = os.open(dirname or ".", os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class AtomicFile:
    """A binary file that appears at ``path`` only once it is completely written.

    Writes go to a temporary file in the same directory; :meth:`commit` (called when a
    ``with`` block exits normally) flushes, fsyncs and renames it over ``path`` with
    :func:`os.replace`, so a crash leaves either the old file or the new one, never a
    half-written one.  :meth:`discard` (called when the block raises) deletes the
    temporary file.

    Args:
      path: the final path.
      mode: ``"wb"`` (bytes) or ``"w"`` (``str`` encoded as UTF-8).

    Raises:
      errors.NotFoundError: if the directory of ``path`` does not exist.
    """

    def __init__(self, path, mode="wb"):
        if mode not in ("w", "wb"):
            raise errors.InvalidArgumentError(
                None, None, "AtomicFile mode must be 'w' or 'wb', got %r" % (mode,))
        self._path = _path(path)
        self._text = mode == "w"
        directory, base = os.path.split(self._path)
        self._tmp = os.path.join(directory, "%s.tempstate%s" % (base, uuid.uuid4().hex))
        with _os_errors(self._path):
            self._file = open(self._tmp, "xb")
        self._done = False

    @property
    def name(self):
        """The final path."""
        return self._path

    @property
    def temp_name(self):
        """The temporary path being written."""
        return self._tmp

    def write(self, data):
        """Writes ``data`` (``bytes``, or ``str`` encoded as UTF-8)."""
        if isinstance(data, str):
            data = data.encode("utf-8")
        with _os_errors(self._tmp):
            self._file.write(data)

    def commit(self, sync_dir=True):
        """Flushes, fsyncs and renames the temporary file into place.

        Args:
          sync_dir: also fsync the directory, making the rename itself durable. A writer
            that renames several files into one directory passes False for all but the
            last, whose directory fsync covers the earlier renames too.
        """
        if self._done:
            return
        self._done = True
        try:
            with _os_errors(self._tmp):
                self._file.flush()
                os.fsync(self._file.fileno())
                self._file.close()
                os.replace(self._tmp, self._path)
        except BaseException:
            self._remove_tmp()
            raise
        if sync_dir:
            _fsync_dir(os.path.dirname(self._path))

    def discard(self):
        """Abandons the write: closes and deletes the temporary file."""
        if self._done:
            return
        self._done = True
        self._remove_tmp()

    def _remove_tmp(self):
        try:
            self._file.close()
        except OSError:
            pass
        try:
            os.remove(self._tmp)
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.commit()
        else:
            self.discard()


def atomic_write(path, data_or_callable):
    """Atomically replaces the file ``path`` with new content.

    Args:
      path: the final path.
      data_or_callable: ``bytes``/``str`` to write, or a callable that receives the open
        binary temporary file (an :class:`AtomicFile`) and writes into it.

    Raises:
      errors.NotFoundError: if the directory of ``path`` does not exist.
    """
    with AtomicFile(path, "wb") as f:
        if callable(data_or_callable):
            data_or_callable(f)
        else:
            f.write(data_or_callable)


# --------------------------------------------------------------------------- tf.io.gfile
# The lower-case API of ``tf.io.gfile`` over the same implementation.

def exists(path):
    """``tf.io.gfile.exists``: see :func:`Exists`."""
    return Exists(path)


def isdir(path):
    """``tf.io.gfile.isdir``: see :func:`IsDirectory`."""
    return IsDirectory(path)


def makedirs(path):
    """``tf.io.gfile.makedirs``: see :func:`MakeDirs`."""
    MakeDirs(path)


def mkdir(path):
    """``tf.io.gfile.mkdir``: see :func:`MkDir`."""
    MkDir(path)


def remove(path):
    """``tf.io.gfile.remove``: see :func:`Remove`."""
    Remove(path)


def rename(src, dst, overwrite=False):
    """``tf.io.gfile.rename``: see :func:`Rename`."""
    Rename(src, dst, overwrite)


def copy(src, dst, overwrite=False):
    """``tf.io.gfile.copy``: see :func:`Copy`."""
    Copy(src, dst, overwrite)


def listdir(path):
    """``tf.io.gfile.listdir``: see :func:`ListDirectory`."""
    return ListDirectory(path)


def glob(pattern):
    """``tf.io.gfile.glob``: see :func:`Glob`."""
    return Glob(pattern)


def rmtree(path):
    """``tf.io.gfile.rmtree``: see :func:`DeleteRecursively`."""
    DeleteRecursively(path)


def stat(path):
    """``tf.io.gfile.stat``: see :func:`Stat`."""
    return Stat(path)


def walk(top, topdown=True, onerror=None):
    """``tf.io.gfile.walk``: :func:`Walk`, calling ``onerror(error)`` when ``top`` cannot
    be listed (nothing is yielded then)."""
    if onerror is not None and not IsDirectory(top):
        onerror(errors.NotFoundError(None, None, "Could not find directory %s" % _path(top)))
        return
    yield from Walk(top, in_order=topdown)


def join(path, *paths):
    """``tf.io.gfile.join``: joins path components with ``/``."""
    return os.path.join(_path(path), *(_path(p) for p in paths))
