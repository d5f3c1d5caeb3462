"""tfdbg's wrapper sessions: a Session whose ``run`` can stop in a debugger.

``LocalCLIDebugWrapperSession`` shows a command line before a run (``run``, ``run -n``,
``run -t N``, ``run -f FILTER``) and after it (``lt``, ``pt``, ``ni``, ``li``, ``lo``, ``eval``,
``ri``, ``pf``, ``help``, then ``run`` or ``exit``); ``DumpingDebugWrapperSession`` writes the
dumps of every run to disk. Both leave the wrapped session's normal runs untouched.
"""
import os
import re
import threading
import time

from tensorslim.core import session as _session
from tensorslim.debug import cli as _cli
from tensorslim.debug import dumps as _dumps

__all__ = ["BaseDebugWrapperSession", "LocalCLIDebugWrapperSession",
           "DumpingDebugWrapperSession"]


class BaseDebugWrapperSession:
    """What the debug wrappers share: delegation to the wrapped session, tensor filters and
    the thread filter.

    Args:
      sess: the ``tf.Session`` to wrap.
      thread_name_filter: a regex; only ``run`` calls from threads whose name matches are
        debugged (``"MainThread$"`` leaves queue-runner threads alone).

    Raises:
      TypeError: ``sess`` is not a session.
    """

    def __init__(self, sess, thread_name_filter=None):
        if not hasattr(sess, "run") or not hasattr(sess, "graph"):
            raise TypeError("Expected a tf.Session to wrap, got %s" % type(sess).__name__)
        self._sess = sess
        self._thread_name_filter = re.compile(thread_name_filter) \
            if thread_name_filter else None
        self._tensor_filters = {}
        self._run_call_count = 0

    # -- the wrapped session
    @property
    def sess(self):
        """The wrapped session."""
        return self._sess

    @property
    def graph(self):
        return self._sess.graph

    @property
    def graph_def(self):
        return self._sess.graph_def

    @property
    def sess_str(self):
        return self._sess.sess_str

    def __getattr__(self, name):
        if name.startswith("__") or name == "_sess":
            raise AttributeError(name)
        return getattr(self._sess, name)

    def as_default(self):
        return self._sess.as_default()

    def close(self):
        self._sess.close()

    def __enter__(self):
        self._default_ctx = self._sess.as_default()
        self._default_ctx.__enter__()
        return self

    def __exit__(self, exc_type, exc_value, tb):
        ctx = getattr(self, "_default_ctx", None)
        if ctx is not None:
            ctx.__exit__(exc_type, exc_value, tb)
            self._default_ctx = None
        self.close()
        return False

    def make_callable(self, fetches, feed_list=None, accept_options=False):
        """A function running ``fetches`` through this wrapper (so it is debugged too)."""
        feed_list = list(feed_list or [])

        def call(*args, **kwargs):
            return self.run(fetches, dict(zip(feed_list, args)), kwargs.get("options"),
                            kwargs.get("run_metadata"))
        return call

    # -- filters
    def add_tensor_filter(self, filter_name, tensor_filter):
        """Registers ``tensor_filter(datum, tensor) -> bool`` under ``filter_name``.

        Raises:
          TypeError: the name is not a string or the filter is not callable.
        """
        if not isinstance(filter_name, str):
            raise TypeError("filter_name must be a string, got %s" % type(filter_name).__name__)
        if not callable(tensor_filter):
            raise TypeError("tensor_filter must be callable, got %s"
                            % type(tensor_filter).__name__)
        self._tensor_filters[filter_name] = tensor_filter

    def _debugs_this_thread(self):
        return self._thread_name_filter is None or \
            bool(self._thread_name_filter.match(threading.current_thread().name))

    def _feeds_by_name(self, feed_dict):
        if not feed_dict:
            return {}
        tensors, values = self._sess._process_feeds(feed_dict)
        return {t.name: v for t, v in zip(tensors, values)}

    def _fetch_names(self, fetches):
        try:
            mapper = _session._FetchMapper(self._sess.graph, fetches)
        except (TypeError, ValueError):
            return [str(fetches)]
        return [e.name for e in mapper.elements]


class LocalCLIDebugWrapperSession(BaseDebugWrapperSession):
    """``tfdbg.LocalCLIDebugWrapperSession``: a session that stops in tfdbg's command line.

    Example::

        sess = tfdbg.LocalCLIDebugWrapperSession(sess)
        sess.add_tensor_filter("has_inf_or_nan", tfdbg.has_inf_or_nan)
        sess.run(train_op)      # tfdbg> run -f has_inf_or_nan

    Each ``run`` call first shows the run-start prompt; after a debugged run the run-end
    prompt inspects every intermediate tensor (``help`` lists the commands). ``exit`` leaves
    the debugger: that run and later ones return normally.

    Args:
      sess: the ``tf.Session`` to wrap.
      dump_root: an optional directory; each debugged run's dump is also saved there
        (``run_<n>/``, readable with ``tfdbg.DebugDumpDir``).
      log_usage: accepted for compatibility.
      ui_type: ``"curses"`` or ``"readline"``; both use the line-based interface reading
        commands from stdin (tensorslim has no full-screen curses UI).
      thread_name_filter: see :class:`BaseDebugWrapperSession`.
      config_file_path: accepted for compatibility.

    Raises:
      ValueError: an unknown ``ui_type``, or ``dump_root`` is an existing file.
    """

    def __init__(self, sess, dump_root=None, log_usage=True, ui_type="curses",
                 thread_name_filter=None, config_file_path=None):
        super().__init__(sess, thread_name_filter)
        if ui_type not in ("curses", "readline"):
            raise ValueError("Invalid ui_type: '%s' (expected 'curses' or 'readline')"
                             % (ui_type,))
        if dump_root is not None and os.path.isfile(dump_root):
            raise ValueError("dump_root path points to a file: %s" % dump_root)
        self._dump_root = dump_root
        self._ui_type = ui_type
        self._ui = _cli.ReadlineUI()
        self._exited = False
        # What the next run does without asking: None (show the run-start prompt),
        # ("debug", watch), ("nodebug",), ("filter", name, watch), ("times", n, watch).
        self._mode = None

    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        """Runs ``fetches`` like ``Session.run``, stopping in the debugger as directed.

        Returns:
          What the wrapped session's ``run`` returns.
        """
        self._run_call_count += 1
        if self._exited or not self._debugs_this_thread():
            return self._sess.run(fetches, feed_dict, options, run_metadata)
        mode, self._mode = self._mode, None
        if mode is None:
            mode = self._run_start_cli(fetches, feed_dict)
        kind = mode[0]
        if kind == "exit":
            self._exited = True
            return self._sess.run(fetches, feed_dict, options, run_metadata)
        if kind == "nodebug":
            return self._sess.run(fetches, feed_dict, options, run_metadata)
        if kind == "times" and mode[1] > 1:
            self._mode = ("times", mode[1] - 1, mode[2])
            return self._sess.run(fetches, feed_dict, options, run_metadata)
        watch = mode[-1]
        try:
            result, dump = _dumps.watched_run(self._sess, fetches, feed_dict, options,
                                              run_metadata, watch)
        except Exception as e:
            dump = getattr(e, "debug_dump", None)
            if dump is None:
                raise
            self._run_end_cli(dump, feed_dict, error=e)
            raise
        if kind == "filter":
            passed = dump.find(self._tensor_filters[mode[1]])
            if not passed:
                self._mode = mode  # keep running until a tensor passes
                return result
            self._run_end_cli(dump, feed_dict, filter_name=mode[1], passed=passed)
        else:
            self._run_end_cli(dump, feed_dict)
        return result

    # -- the run-start prompt
    def _run_start_cli(self, fetches, feed_dict):
        fetch_names = self._fetch_names(fetches)
        feed_names = list(self._feeds_by_name(feed_dict))
        lines = ["=" * 70, "Session.run() call #%d:" % self._run_call_count, "",
                 "Fetch(es):"] + ["  " + n for n in fetch_names] + ["", "Feed dict:"]
        lines += ["  " + n for n in feed_names] or ["  (empty)"]
        lines += ["=" * 70, "", "Select one of the following commands to proceed ---->",
                  _cli.RUN_HELP]
        lines.append("Registered filter(s):")
        lines += ["  * " + n for n in self._tensor_filters] or ["  (none)"]
        self._ui.write("\n".join(lines))
        while True:
            command = self._ui.read_command()
            if command is None:
                return ("exit",)
            words = command.split()
            if words[0] in ("exit", "quit"):
                return ("exit",)
            if words[0] in ("run", "r"):
                mode = self._parse_run(words[1:])
                if mode is not None:
                    return mode
                continue
            if words[0] in ("help", "h"):
                self._ui.write(_cli.DebugAnalyzer.help(words[1] if len(words) > 1 else None)
                               if len(words) < 2 or words[1] not in ("run", "r")
                               else _cli.RUN_HELP)
                continue
            if words[0] in ("ri", "run_info"):
                self._ui.write("Fetch(es): %s\nFeed dict: %s"
                               % (", ".join(fetch_names), ", ".join(feed_names) or "(empty)"))
                continue
            self._ui.write("\"%s\" is available after the run: type \"run\" first (or "
                           "\"help\")." % words[0])

    def _parse_run(self, args):
        """The mode a ``run`` command asks for, or None (after printing why) if invalid."""
        try:
            parsed = _cli.parse_run_command(args)
        except _cli.CommandError as e:
            self._ui.write("ERROR: %s" % e)
            return None
        watch = None
        if parsed.node_name_filter or parsed.op_type_filter or parsed.tensor_dtype_filter:
            watch = _dumps.WatchOptions(node_name_regex_whitelist=parsed.node_name_filter,
                                        op_type_regex_whitelist=parsed.op_type_filter,
                                        tensor_dtype_regex_whitelist=parsed.tensor_dtype_filter)
        if parsed.no_debug:
            return ("nodebug",)
        if parsed.till_filter_pass:
            if parsed.till_filter_pass not in self._tensor_filters:
                self._ui.write("ERROR: tensor filter \"%s\" is not registered. Registered: %s"
                               % (parsed.till_filter_pass,
                                  ", ".join(self._tensor_filters) or "none"))
                return None
            return ("filter", parsed.till_filter_pass, watch)
        if parsed.times > 1:
            return ("times", parsed.times, watch)
        return ("debug", watch)

    # -- the run-end prompt
    def _run_end_cli(self, dump, feed_dict, filter_name=None, passed=None, error=None):
        dump.run_call_count = self._run_call_count
        if self._dump_root is not None:
            dump.save(os.path.join(self._dump_root, "run_%d" % self._run_call_count))
        analyzer = _cli.DebugAnalyzer(dump, self._tensor_filters,
                                      self._feeds_by_name(feed_dict), self._sess.graph)
        fetches = dump.run_fetches_info
        feeds = dump.run_feed_keys_info
        header = "--- run-end: run #%d: %d fetch%s (%s); %d feed%s (%s) ---" % (
            self._run_call_count, len(fetches), "" if len(fetches) == 1 else "es",
            ", ".join(fetches), len(feeds), "" if len(feeds) == 1 else "s", ", ".join(feeds))
        lines = [header]
        if error is not None:
            lines += ["", "Error occurred during the run: %s: %s"
                      % (type(error).__name__, str(error).splitlines()[0] if str(error)
                         else ""), ""]
        if filter_name is not None:
            lines.append(analyzer.format_tensor_list(
                passed, "%d dumped tensor(s) passing filter \"%s\"" % (len(passed),
                                                                       filter_name)))
        else:
            lines.append(analyzer.format_tensor_list(dump.dumped_tensor_data,
                                                     "%d dumped tensor(s)" % dump.size))
        self._ui.write("\n".join(lines))
        while True:
            command = self._ui.read_command()
            if command is None:
                self._exited = True
                return
            words = command.split()
            if words[0] in ("exit", "quit"):
                self._exited = True
                return
            if words[0] in ("run", "r"):
                mode = self._parse_run(words[1:])
                if mode is not None:
                    self._mode = mode
                    return
                continue
            try:
                self._ui.write(analyzer.run_command(command))
            except _cli.CommandError as e:
                self._ui.write("ERROR: %s" % e)


class DumpingDebugWrapperSession(BaseDebugWrapperSession):
    """``tfdbg.DumpingDebugWrapperSession``: saves every run's dumps under ``session_root``.

    Each ``run`` writes ``session_root/run_<epoch ms>_<n>/`` (``index.json`` and one
    ``.npy`` file per tensor), which ``tfdbg.DebugDumpDir(path)`` loads.

    Args:
      sess: the ``tf.Session`` to wrap.
      session_root: the directory to write to (created if missing).
      watch_fn: optional ``watch_fn(fetches, feeds)`` returning a ``WatchOptions`` that
        limits what is dumped.
      thread_name_filter: see :class:`BaseDebugWrapperSession`.
      pass_through_operrors, log_usage: accepted for compatibility.

    Raises:
      ValueError: ``session_root`` is an existing file.
    """

    def __init__(self, sess, session_root, watch_fn=None, thread_name_filter=None,
                 pass_through_operrors=None, log_usage=True):
        super().__init__(sess, thread_name_filter)
        if os.path.isfile(session_root):
            raise ValueError("session_root path points to a file: %s" % session_root)
        os.makedirs(session_root, exist_ok=True)
        self._session_root = session_root
        self._watch_fn = watch_fn
        self.last_dump_dir = None

    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        """Runs ``fetches`` and writes the run's dumps; returns what ``Session.run`` does."""
        self._run_call_count += 1
        if not self._debugs_this_thread():
            return self._sess.run(fetches, feed_dict, options, run_metadata)
        watch = self._watch_fn(fetches, feed_dict) if self._watch_fn is not None else None
        if isinstance(watch, tuple):  # TF's older (debug_ops, node_regex, op_type_regex)
            watch = _dumps.WatchOptions(*watch)
        path = os.path.join(self._session_root, "run_%d_%d" % (int(time.time() * 1000),
                                                               self._run_call_count))
        try:
            result, dump = _dumps.watched_run(self._sess, fetches, feed_dict, options,
                                              run_metadata, watch)
        except Exception as e:
            dump = getattr(e, "debug_dump", None)
            if dump is not None:
                dump.run_call_count = self._run_call_count
                dump.save(path)
                self.last_dump_dir = path
            raise
        dump.run_call_count = self._run_call_count
        dump.save(path)
        self.last_dump_dir = path
        return result
