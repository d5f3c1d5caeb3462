"""tfdbg: dumps of every intermediate tensor, the has_inf_or_nan filter, the wrapper sessions
and their command line (driven here through in-memory streams)."""
import io
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import tensorslim as tf
from tensorslim.debug import cli as dbg_cli
from tensorslim.python import debug as tfdbg


def _inf_graph():
    x = tf.placeholder(tf.float32, [3], name="x")
    finite = tf.add(x, 1.0, name="finite_op")
    with tf.name_scope("Discrim"):
        bad = tf.log(x, name="log_x")
    out = tf.add(bad, finite, name="out")
    return x, out


def _wrap(sess, commands, **kwargs):
    wrapped = tfdbg.LocalCLIDebugWrapperSession(sess, ui_type="readline", **kwargs)
    out = io.StringIO()
    wrapped._ui = dbg_cli.ReadlineUI(io.StringIO("".join(c + "\n" for c in commands)), out)
    return wrapped, out


def test_has_inf_or_nan():
    f = tfdbg.has_inf_or_nan
    assert f(None, np.array([1.0, np.inf], np.float32))
    assert f(None, np.array([np.nan]))
    assert f(None, np.array([1 + 1j, complex(np.inf, 0)]))
    assert not f(None, np.array([1.0, 2.0]))
    assert not f(None, np.array([1, 2], np.int32))
    assert not f(None, None)
    assert not f(None, np.array([b"nan"], dtype=object))


def test_watched_run_dumps_every_tensor_in_execution_order():
    x, out = _inf_graph()
    with tf.Session() as sess:
        result, dump = tfdbg.watched_run(sess, out, {x: [1.0, 0.0, 2.0]})
        np.testing.assert_allclose(result, sess.run(out, {x: [1.0, 0.0, 2.0]}))
    names = [d.tensor_name for d in dump.dumped_tensor_data]
    assert set(names) == {"Discrim/log_x:0", "finite_op:0", "out:0", "finite_op/y:0"}
    assert names.index("Discrim/log_x:0") < names.index("out:0")
    assert names.index("finite_op:0") < names.index("out:0")
    assert dump.size == 4
    np.testing.assert_allclose(dump.get_tensors("finite_op", 0)[0], [2.0, 1.0, 3.0])
    found = dump.find(tfdbg.has_inf_or_nan)
    assert [d.tensor_name for d in found] == ["Discrim/log_x:0", "out:0"]
    assert [d.tensor_name for d in dump.find(tfdbg.has_inf_or_nan, first_n=1)] == \
        ["Discrim/log_x:0"]
    assert dump.node_op_type("Discrim/log_x") == "Log"
    assert dump.node_inputs("out") == ["Discrim/log_x", "finite_op"]
    assert dump.node_recipients("Discrim/log_x") == ["out"]
    assert "x" in dump.transitive_inputs("out")
    tb = dump.node_traceback("Discrim/log_x")
    assert tb[0][0] == __file__ and "tf.log" in tb[0][3]
    assert dump.run_fetches_info == ["out:0"] and dump.run_feed_keys_info == ["x:0"]
    with pytest.raises(tfdbg.WatchKeyDoesNotExistInDebugDumpDirError):
        dump.get_tensors("nope", 0)


def test_watched_run_variables_fetch_structures_and_watch_options():
    v = tf.Variable([1.0, 2.0], name="v")
    w = tf.multiply(v, 2.0, name="w")
    upd = tf.assign_add(v, [1.0, 1.0], name="upd")
    with tf.Session() as sess:
        sess.run(v.initializer)
        res, dump = tfdbg.watched_run(sess, {"w": w, "init": v.initializer})
        assert set(res) == {"w", "init"} and res["init"] is None
        np.testing.assert_allclose(res["w"], [2.0, 4.0])
        assert "v:0" in [d.tensor_name for d in dump.dumped_tensor_data]
        sess.run(upd)
        _, dump = tfdbg.watched_run(sess, w, watch=tfdbg.WatchOptions(
            node_name_regex_whitelist="w$"))
        assert [d.tensor_name for d in dump.dumped_tensor_data] == ["w:0"]
        # The debugged run shares the session's state with normal runs.
        np.testing.assert_allclose(sess.run(v), [2.0, 3.0])


def test_watched_run_error_keeps_partial_dump():
    x = tf.placeholder(tf.float32, [None], name="x")
    y = tf.square(x, name="sq")
    bad = tf.check_numerics(tf.log(y), "boom", name="check")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            tfdbg.watched_run(sess, bad, {x: [0.0]})
    names = [d.tensor_name for d in info.value.debug_dump.dumped_tensor_data]
    assert "sq:0" in names and "check:0" not in names


def test_cli_run_filter_node_info_and_exit():
    x, out = _inf_graph()
    with tf.Session() as sess:
        wrapped, stream = _wrap(sess, ["run -f has_inf_or_nan", "ni -t -a Discrim/log_x",
                                       "pt Discrim/log_x:0", "pt Discrim/log_x:0[1:]",
                                       "lt -n finite", "li -r out", "lo x", "ri",
                                       "eval \"np.sum(`finite_op:0`)\"", "pf x", "help",
                                       "bogus", "exit"])
        wrapped.add_tensor_filter("has_inf_or_nan", tfdbg.has_inf_or_nan)
        result = wrapped.run(out, feed_dict={x: [1.0, 0.0, 2.0]})
        assert result[1] == -np.inf
        text = stream.getvalue()
        end = text.index("--- run-end: run #1")
        filtered = text[text.index("passing", end):text.index("tfdbg> ni")]
        assert filtered.startswith("passing filter \"has_inf_or_nan\"")
        assert filtered.index("Discrim/log_x:0") < filtered.index("out:0")
        assert "finite_op:0" not in filtered
        assert __file__ in text and "Line:" in text and "Op: Log" in text
        assert "Tensor \"Discrim/log_x:0:DebugIdentity\":" in text
        sliced = text[text.index("Tensor \"Discrim/log_x:0:DebugIdentity\"[1:]:"):]
        assert "shape: (2,)" in sliced and "-inf, 0.693147" in sliced
        assert "finite_op/y:0" in text  # lt -n finite
        assert "|  |- (2) x" in text  # li -r out: out <- Discrim/log_x <- x
        assert "Value of expression" in text and "array(6., dtype=float32)" in text
        assert "Feed value of \"x:0\"" in text
        assert "Invalid command prefix \"bogus\"" in text
        # After exit, runs go straight through.
        n = len(stream.getvalue())
        np.testing.assert_allclose(wrapped.run(out, {x: [1.0, 1.0, 1.0]}), [2.0] * 3)
        assert len(stream.getvalue()) == n


def test_cli_filter_keeps_running_until_a_tensor_passes():
    x, out = _inf_graph()
    with tf.Session() as sess:
        wrapped, stream = _wrap(sess, ["run -f has_inf_or_nan", "run", "lt", "run -n",
                                       "exit"])
        wrapped.add_tensor_filter("has_inf_or_nan", tfdbg.has_inf_or_nan)
        wrapped.run(out, {x: [1.0, 1.0, 1.0]})   # finite: no stop
        assert "run-end" not in stream.getvalue()
        wrapped.run(out, {x: [1.0, 0.0, 1.0]})   # -inf: stops; "run" debugs the next one
        assert "run-end: run #2" in stream.getvalue()
        wrapped.run(out, {x: [1.0, 1.0, 1.0]})
        text = stream.getvalue()
        assert "run-end: run #3" in text and "4 dumped tensor(s)" in text
        wrapped.run(out, {x: [1.0, 1.0, 1.0]})   # run -n: no dump, then the prompt again
        assert "run-end: run #4" not in stream.getvalue()
        wrapped.run(out, {x: [1.0, 1.0, 1.0]})
        assert "Session.run() call #5" in stream.getvalue()


def test_cli_run_times_unknown_filter_and_eof():
    x, out = _inf_graph()
    with tf.Session() as sess:
        wrapped, stream = _wrap(sess, ["run -f nope", "run -t 2", "exit"])
        wrapped.run(out, {x: [1.0, 1.0, 1.0]})   # first of "run -t 2": not debugged
        assert "tensor filter \"nope\" is not registered" in stream.getvalue()
        assert "run-end" not in stream.getvalue()
        wrapped.run(out, {x: [1.0, 1.0, 1.0]})
        assert "run-end: run #2" in stream.getvalue()
        wrapped2, stream2 = _wrap(sess, [])     # end of input: leave the debugger
        np.testing.assert_allclose(wrapped2.run(out, {x: [1.0, 1.0, 1.0]}), [2.0] * 3)


def test_cli_shows_run_end_on_error_then_raises():
    x = tf.placeholder(tf.float32, [None], name="x")
    bad = tf.check_numerics(tf.log(x, name="lg"), "boom", name="check")
    with tf.Session() as sess:
        wrapped, stream = _wrap(sess, ["run", "pt lg:0", "exit"])
        with pytest.raises(tf.errors.InvalidArgumentError):
            wrapped.run(bad, {x: [0.0]})
        text = stream.getvalue()
        assert "Error occurred during the run: InvalidArgumentError" in text
        assert "-inf" in text


def test_wrapper_delegates_and_validates(tmp_path):
    sess = tf.Session()
    wrapped = tfdbg.LocalCLIDebugWrapperSession(sess)
    assert wrapped.graph is sess.graph and wrapped.sess is sess
    assert wrapped.sess_str == sess.sess_str
    with pytest.raises(TypeError):
        wrapped.add_tensor_filter("f", 3)
    with pytest.raises(ValueError, match="ui_type"):
        tfdbg.LocalCLIDebugWrapperSession(sess, ui_type="gui")
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(ValueError, match="file"):
        tfdbg.LocalCLIDebugWrapperSession(sess, dump_root=str(f))
    with wrapped:
        assert tf.get_default_session() is sess
    assert sess._closed


def test_thread_name_filter_lets_other_threads_through():
    x, out = _inf_graph()
    with tf.Session() as sess:
        wrapped, stream = _wrap(sess, ["exit"], thread_name_filter="NoSuchThread$")
        wrapped.run(out, {x: [1.0, 1.0, 1.0]})
        assert stream.getvalue() == ""


def test_dumping_wrapper_writes_loadable_dumps(tmp_path):
    x, out = _inf_graph()
    root = str(tmp_path / "dumps")
    with tf.Session() as sess:
        wrapped = tfdbg.DumpingDebugWrapperSession(sess, root)
        wrapped.run(out, {x: [1.0, 0.0, 2.0]})
        wrapped.run(out, {x: [1.0, 1.0, 2.0]})
    runs = sorted(os.listdir(root))
    assert len(runs) == 2
    dump = tfdbg.DebugDumpDir(os.path.join(root, runs[0]))
    assert [d.tensor_name for d in dump.find(tfdbg.has_inf_or_nan)] == \
        ["Discrim/log_x:0", "out:0"]
    np.testing.assert_allclose(dump.get_tensors("finite_op", 0)[0], [2.0, 1.0, 3.0])
    assert dump.node_op_type("out") == "Add"
    assert dump.node_traceback("Discrim/log_x")[0][0] == __file__
    with pytest.raises(IOError):
        tfdbg.DebugDumpDir(str(tmp_path))


def test_readline_cli_from_stdin_in_a_subprocess(tmp_path):
    script = tmp_path / "dbg.py"
    script.write_text(textwrap.dedent('''
        import tensorslim as tf
        from tensorslim.python import debug as tfdbg
        x = tf.placeholder(tf.float32, [2], name="x")
        y = tf.sqrt(x, name="root")
        with tf.Session() as sess:
            sess = tfdbg.LocalCLIDebugWrapperSession(sess)   # curses falls back to readline
            sess.add_tensor_filter("has_inf_or_nan", tfdbg.has_inf_or_nan)
            print("RESULT", sess.run(y, {x: [4.0, -1.0]}).tolist())
    '''))
    proc = subprocess.run([sys.executable, str(script)], input="run -f has_inf_or_nan\n"
                          "ni -t root\nexit\n", capture_output=True, text=True, timeout=120,
                          cwd=str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert "root:0" in proc.stdout and "dbg.py" in proc.stdout
    assert "RESULT [2.0, nan]" in proc.stdout


def test_watched_run_copies_device_values_to_the_host(device_mode):
    x, out = _inf_graph()
    with tf.Session() as sess:
        result, dump = tfdbg.watched_run(sess, out, {x: [1.0, 0.0, 2.0]})
    assert isinstance(result, np.ndarray)
    for d in dump.dumped_tensor_data:
        assert type(d.get_tensor()) is np.ndarray
    assert [d.tensor_name for d in dump.find(tfdbg.has_inf_or_nan)] == \
        ["Discrim/log_x:0", "out:0"]
    expected = "GPU:0" if device_mode == "strict" else "CPU:0"
    assert dump.node_device("out").endswith(expected)
