"""Tests for tensorslim.io.gfile (TF1's tf.gfile) and its atomic-write helpers."""
import os

import pytest

from tensorslim.core import errors
from tensorslim.io import gfile


def test_binary_write_read(tmp_path):
    path = str(tmp_path / "f.bin")
    with gfile.GFile(path, "wb") as f:
        f.write(b"\x00\x01\xffabc")
        f.write("é")  # str is accepted in binary mode too, as UTF-8
    with gfile.GFile(path, "rb") as f:
        data = f.read()
    assert data == b"\x00\x01\xffabc\xc3\xa9"
    assert isinstance(data, bytes)


def test_text_mode_returns_str(tmp_path):
    path = str(tmp_path / "t.txt")
    with gfile.GFile(path, "w") as f:
        f.write("line one\nline two\r\nlast")
    with gfile.GFile(path, "r") as f:
        assert f.read() == "line one\nline two\r\nlast"  # no newline translation
    with gfile.GFile(path) as f:
        assert f.readline() == "line one\n"
        assert f.readlines() == ["line two\r\n", "last"]
        assert f.readline() == ""
    with gfile.FastGFile(path, "rb") as f:
        assert list(f) == [b"line one\n", b"line two\r\n", b"last"]


def test_read_n_seek_tell_size(tmp_path):
    path = str(tmp_path / "f")
    with gfile.GFile(path, "wb") as f:
        f.write(b"0123456789")
        assert f.tell() == 10
        assert f.size() == 10  # size() flushes pending writes first
    with gfile.GFile(path, "rb") as f:
        assert f.read(3) == b"012"
        assert f.tell() == 3
        f.seek(7)
        assert f.read() == b"789"
        f.seek(-4, 2)
        assert f.read(2) == b"67"
        f.seek(position=1)
        assert f.read(1) == b"1"
        assert f.size() == 10


def test_append_mode(tmp_path):
    path = str(tmp_path / "a.txt")
    with gfile.GFile(path, "w") as f:
        f.write("a")
    with gfile.GFile(path, "a") as f:
        f.write("b")
    with gfile.GFile(path, "ab") as f:
        f.write(b"c")
    assert gfile.GFile(path).read() == "abc"


def test_write_mode_truncates_and_creates_empty(tmp_path):
    path = str(tmp_path / "f")
    with gfile.GFile(path, "w") as f:
        f.write("long content")
    with gfile.GFile(path, "w"):
        pass
    assert gfile.Exists(path)
    assert gfile.Stat(path).length == 0


def test_missing_file_raises_not_found_naming_path(tmp_path):
    path = str(tmp_path / "nope.txt")
    f = gfile.GFile(path, "r")  # opened lazily, as TF does
    with pytest.raises(errors.NotFoundError, match="nope.txt"):
        f.read()
    with pytest.raises(errors.NotFoundError, match="nope.txt"):
        with gfile.GFile(path, "rb") as g:
            g.read()
    assert isinstance(errors.NotFoundError(None, None, "x"), errors.OpError)


def test_write_into_missing_directory(tmp_path):
    with pytest.raises(errors.NotFoundError):
        with gfile.GFile(str(tmp_path / "no" / "f"), "w") as f:
            f.write("x")


def test_mode_errors(tmp_path):
    path = str(tmp_path / "f")
    with pytest.raises(errors.InvalidArgumentError, match="mode"):
        gfile.GFile(path, "x")
    with gfile.GFile(path, "w") as f:
        with pytest.raises(errors.PermissionDeniedError):
            f.read()
    with gfile.GFile(path, "r") as f:
        with pytest.raises(errors.PermissionDeniedError):
            f.write("x")
    f = gfile.GFile(path, "r")
    f.close()
    with pytest.raises(errors.FailedPreconditionError):
        f.read()


def test_text_read_of_binary_data(tmp_path):
    path = str(tmp_path / "f")
    gfile.atomic_write(path, b"\xff\xfe")
    with pytest.raises(errors.InvalidArgumentError, match="UTF-8"):
        gfile.GFile(path, "r").read()


def test_exists_makedirs_mkdir_isdirectory(tmp_path):
    d = str(tmp_path / "a" / "b" / "c")
    assert not gfile.Exists(d)
    gfile.MakeDirs(d)
    gfile.MakeDirs(d)  # existing directory is fine
    assert gfile.Exists(d) and gfile.IsDirectory(d)
    with pytest.raises(errors.AlreadyExistsError):
        gfile.MkDir(d)
    with pytest.raises(errors.NotFoundError):
        gfile.MkDir(str(tmp_path / "x" / "y"))
    gfile.Mkdir(str(tmp_path / "x"))
    assert gfile.IsDirectory(str(tmp_path / "x"))
    f = str(tmp_path / "file")
    gfile.atomic_write(f, "x")
    assert not gfile.IsDirectory(f)
    with pytest.raises(errors.OpError):
        gfile.MakeDirs(os.path.join(f, "sub"))


def test_remove(tmp_path):
    f = str(tmp_path / "f")
    gfile.atomic_write(f, b"x")
    gfile.Remove(f)
    assert not gfile.Exists(f)
    with pytest.raises(errors.NotFoundError, match="f"):
        gfile.Remove(f)
    with pytest.raises(errors.FailedPreconditionError):
        gfile.Remove(str(tmp_path))


def test_rename(tmp_path):
    a, b = str(tmp_path / "a"), str(tmp_path / "b")
    gfile.atomic_write(a, b"A")
    gfile.atomic_write(b, b"B")
    with pytest.raises(errors.AlreadyExistsError, match="b"):
        gfile.Rename(a, b)
    gfile.Rename(a, b, overwrite=True)
    assert not gfile.Exists(a)
    assert gfile.GFile(b, "rb").read() == b"A"
    with pytest.raises(errors.NotFoundError):
        gfile.Rename(a, str(tmp_path / "c"))


def test_copy(tmp_path):
    a, b = str(tmp_path / "a"), str(tmp_path / "b")
    gfile.atomic_write(a, b"A" * 100000)
    gfile.Copy(a, b)
    assert gfile.GFile(b, "rb").read() == b"A" * 100000
    with pytest.raises(errors.AlreadyExistsError):
        gfile.Copy(a, b)
    gfile.atomic_write(a, b"new")
    gfile.Copy(a, b, overwrite=True)
    assert gfile.GFile(b, "rb").read() == b"new"
    with pytest.raises(errors.NotFoundError):
        gfile.Copy(str(tmp_path / "missing"), str(tmp_path / "c"))
    assert sorted(os.listdir(str(tmp_path))) == ["a", "b"]  # no temp files left behind


def test_list_directory_glob_stat(tmp_path):
    d = str(tmp_path)
    for name in ("b.txt", "a.txt", ".hidden.txt", "c.bin"):
        gfile.atomic_write(os.path.join(d, name), name)
    gfile.MkDir(os.path.join(d, "sub"))
    assert gfile.ListDirectory(d) == [".hidden.txt", "a.txt", "b.txt", "c.bin", "sub"]
    with pytest.raises(errors.NotFoundError, match="missing"):
        gfile.ListDirectory(os.path.join(d, "missing"))
    assert gfile.Glob(os.path.join(d, "*.txt")) == [
        os.path.join(d, n) for n in (".hidden.txt", "a.txt", "b.txt")]
    assert gfile.Glob([os.path.join(d, "c.*"), os.path.join(d, "a.*")]) == [
        os.path.join(d, "a.txt"), os.path.join(d, "c.bin")]
    assert gfile.Glob(os.path.join(d, "zzz*")) == []
    st = gfile.Stat(os.path.join(d, "a.txt"))
    assert st.length == 5 and not st.is_directory and st.mtime_nsec > 0
    assert gfile.Stat(os.path.join(d, "sub")).is_directory
    with pytest.raises(errors.NotFoundError):
        gfile.Stat(os.path.join(d, "missing"))


def test_delete_recursively(tmp_path):
    top = str(tmp_path / "a")
    gfile.MakeDirs(os.path.join(top, "b", "c"))
    gfile.atomic_write(os.path.join(top, "b", "c", "f"), b"x")
    gfile.DeleteRecursively(top)
    assert not gfile.Exists(top)
    with pytest.raises(errors.NotFoundError):
        gfile.DeleteRecursively(top)
    f = str(tmp_path / "file")
    gfile.atomic_write(f, b"x")
    gfile.DeleteRecursively(f)
    assert not gfile.Exists(f)


def test_walk(tmp_path):
    top = str(tmp_path / "w")
    gfile.MakeDirs(os.path.join(top, "d1", "d11"))
    gfile.MakeDirs(os.path.join(top, "d2"))
    for rel in ("f0", "d1/f1", "d1/d11/f11", "d2/f2a", "d2/f2b"):
        gfile.atomic_write(os.path.join(top, rel), b"")
    walked = list(gfile.Walk(top))
    assert walked == [
        (top, ["d1", "d2"], ["f0"]),
        (os.path.join(top, "d1"), ["d11"], ["f1"]),
        (os.path.join(top, "d1", "d11"), [], ["f11"]),
        (os.path.join(top, "d2"), [], ["f2a", "f2b"]),
    ]
    bottom_up = list(gfile.Walk(top, in_order=False))
    assert bottom_up[-1][0] == top
    assert sorted(bottom_up) == sorted(walked)
    assert list(gfile.Walk(str(tmp_path / "missing"))) == []


def test_pathlike_and_bytes_paths(tmp_path):
    p = tmp_path / "p.txt"
    with gfile.GFile(p, "w") as f:
        f.write("x")
    assert gfile.Exists(p) and gfile.Exists(os.fsencode(str(p)))
    with pytest.raises(errors.UnimplementedError, match="gs"):
        gfile.Exists("gs://bucket/x")


def test_atomic_write_bytes_str_callable(tmp_path):
    path = str(tmp_path / "f")
    gfile.atomic_write(path, b"bytes")
    assert gfile.GFile(path, "rb").read() == b"bytes"
    gfile.atomic_write(path, "stré")
    assert gfile.GFile(path, "r").read() == "stré"
    gfile.atomic_write(path, lambda f: (f.write(b"a"), f.write("b")))
    assert gfile.GFile(path, "rb").read() == b"ab"
    assert os.listdir(str(tmp_path)) == ["f"]


def test_atomic_write_failure_keeps_old_file(tmp_path):
    path = str(tmp_path / "f")
    gfile.atomic_write(path, b"old")

    def fail(f):
        f.write(b"half written")
        raise RuntimeError("crash while writing")

    with pytest.raises(RuntimeError):
        gfile.atomic_write(path, fail)
    assert gfile.GFile(path, "rb").read() == b"old"
    assert os.listdir(str(tmp_path)) == ["f"]  # temp file removed


def test_atomic_file_context_manager(tmp_path):
    path = str(tmp_path / "f")
    with gfile.AtomicFile(path) as f:
        f.write(b"abc")
        assert not os.path.exists(path)  # invisible until committed
        assert os.path.dirname(f.temp_name) == str(tmp_path)
    assert gfile.GFile(path, "rb").read() == b"abc"
    with pytest.raises(ValueError):
        with gfile.AtomicFile(str(tmp_path / "g"), "w") as f:
            f.write("never")
            raise ValueError("boom")
    assert sorted(os.listdir(str(tmp_path))) == ["f"]
    with pytest.raises(errors.NotFoundError):
        gfile.atomic_write(str(tmp_path / "missing" / "f"), b"x")
