"""The tfdbg command line: commands that inspect a :class:`~tensorslim.debug.dumps.DebugDumpDir`.

:class:`DebugAnalyzer` turns one command line (``lt -n Discrim``, ``pt out:0[0:2]``,
``ni -t Discrim/log_x``...) into text; :class:`ReadlineUI` reads command lines from a stream
(stdin by default, with line editing when it is a terminal). The wrapper sessions in
:mod:`tensorslim.debug.wrappers` drive both.
"""
import argparse
import linecache
import re
import shlex
import sys

import numpy as np

__all__ = ["DebugAnalyzer", "ReadlineUI", "CommandError", "parse_run_command",
           "RUN_HELP", "PROMPT"]

PROMPT = "tfdbg> "


class CommandError(Exception):
    """A command line that cannot be carried out (unknown command, bad arguments)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise CommandError("%s: %s" % (self.prog, message))

    def exit(self, status=0, message=None):
        raise CommandError(message or "")


def _parser(prog, description):
    return _Parser(prog=prog, description=description, add_help=False)


_COMMANDS = {}   # name -> (aliases, parser, handler name, one-line help)


def _command(name, aliases, help_text, parser):
    _COMMANDS[name] = (aliases, parser, "_" + name, help_text)


_p = _parser("list_tensors", "List the tensors dumped in this run.")
_p.add_argument("-n", "--node_name_filter", default=None, help="regex of node names")
_p.add_argument("-t", "--op_type_filter", default=None, help="regex of op types")
_p.add_argument("-f", "--tensor_filter", default=None, help="a registered tensor filter")
_p.add_argument("-s", "--sort_by", default="timestamp",
                choices=["timestamp", "dump_size", "op_type", "tensor_name"])
_p.add_argument("-r", "--reverse", action="store_true")
_command("list_tensors", ["lt"], "List dumped intermediate tensors.", _p)

_p = _parser("print_tensor", "Print the value of a dumped tensor.")
_p.add_argument("tensor_name", help="node:slot, optionally with a numpy slice: x:0[1:3]")
_p.add_argument("-n", "--number", type=int, default=None,
                help="which dump of the tensor (it may run several times)")
_p.add_argument("-a", "--all", action="store_true", help="print every element")
_p.add_argument("-s", "--numeric_summary", action="store_true",
                help="also print min/max/mean and counts of inf/nan")
_command("print_tensor", ["pt"], "Print the value of a dumped tensor.", _p)

_p = _parser("node_info", "Show information about a node.")
_p.add_argument("node_name")
_p.add_argument("-a", "--attributes", action="store_true", help="also list attributes")
_p.add_argument("-d", "--dumps", action="store_true", help="also list its dumped tensors")
_p.add_argument("-t", "--traceback", action="store_true",
                help="also show where in Python the node was created")
_command("node_info", ["ni"], "Show information about a node.", _p)

for _name, _alias, _what in (("list_inputs", "li", "inputs"),
                             ("list_outputs", "lo", "recipients")):
    _p = _parser(_name, "Show the %s of a node." % _what)
    _p.add_argument("node_name")
    _p.add_argument("-c", "--control", action="store_true", help="include control edges")
    _p.add_argument("-d", "--depth", type=int, default=20)
    _p.add_argument("-r", "--recursive", action="store_true")
    _p.add_argument("-t", "--op_type", action="store_true", help="show op types")
    _command(_name, [_alias], "Show the %s of a node." % _what, _p)

_p = _parser("eval", "Evaluate a numpy expression; `node:slot` stands for a dumped value.")
_p.add_argument("expression")
_p.add_argument("-a", "--all", action="store_true")
_command("eval", ["ev"], "Evaluate a numpy expression of dumped tensors "
         "(e.g. eval \"np.max(`out:0`)\").", _p)

_p = _parser("run_info", "Show the fetches and feeds of this run.")
_command("run_info", ["ri"], "Show the fetches and feeds of this run.", _p)

_p = _parser("print_feed", "Print the value fed to a tensor.")
_p.add_argument("tensor_name")
_command("print_feed", ["pf"], "Print a fed value.", _p)

_ALIASES = {}
for _name, (_aliases, _, _, _) in _COMMANDS.items():
    _ALIASES[_name] = _name
    for _a in _aliases:
        _ALIASES[_a] = _name

RUN_HELP = """\
  run (r):
    Execute the run() call with debug tensor-watching.
  run -n:
    Execute the run() call without debug tensor-watching.
  run -t <T>:
    Execute run() calls (T - 1) times without debugging, then execute run() once more
    with debugging and drop back to the CLI.
  run -f <filter_name>:
    Keep executing run() calls until a dumped tensor passes a registered filter
    (conditional breakpoint mode).
  run --node_name_filter <regex> / --op_type_filter <regex> / --tensor_dtype_filter <regex>:
    Dump only the matching tensors.
  exit (quit):
    Leave the debugger; this and later run() calls execute without it."""


_run_parser = _parser("run", "Execute the run() call.")
_run_parser.add_argument("-n", "--no_debug", action="store_true")
_run_parser.add_argument("-t", "--times", type=int, default=1)
_run_parser.add_argument("-f", "--till_filter_pass", default=None)
_run_parser.add_argument("--node_name_filter", default=None)
_run_parser.add_argument("--op_type_filter", default=None)
_run_parser.add_argument("--tensor_dtype_filter", default=None)


def parse_run_command(args):
    """Parses the arguments of a ``run`` command (a list of strings).

    Raises:
      CommandError: the arguments are not valid.
    """
    parsed = _run_parser.parse_args(args)
    if parsed.times < 1:
        raise CommandError("run: -t needs a positive number of runs")
    return parsed


def _split(command_line):
    try:
        return shlex.split(command_line)
    except ValueError as e:
        raise CommandError("Cannot parse the command: %s" % e) from None


class DebugAnalyzer:
    """Carries out the inspection commands on one run's dump.

    Args:
      dump: the run's :class:`~tensorslim.debug.dumps.DebugDumpDir`.
      filters: the registered tensor filters, ``{name: filter(datum, tensor)}``.
      feeds: ``{tensor name: fed value}``, for ``print_feed``.
      graph: the session's graph (to describe nodes that were not part of the run).
    """

    def __init__(self, dump, filters=None, feeds=None, graph=None):
        self._dump = dump
        self._filters = filters if filters is not None else {}
        self._feeds = feeds or {}
        self._graph = graph

    def run_command(self, command_line):
        """Returns the text answering ``command_line`` (an inspection command or help).

        Raises:
          CommandError: the command is unknown or its arguments are invalid.
        """
        words = _split(command_line)
        if not words:
            return ""
        name = _ALIASES.get(words[0])
        if words[0] in ("help", "h"):
            return self.help(words[1] if len(words) > 1 else None)
        if name is None:
            raise CommandError("Invalid command prefix \"%s\". Type \"help\" for the list of "
                               "commands." % words[0])
        _, parser, handler, _ = _COMMANDS[name]
        return getattr(self, handler)(parser.parse_args(words[1:]))

    # -- help
    @staticmethod
    def help(command=None):
        """The list of commands, or the usage of one."""
        if command is not None:
            if command in ("run", "r"):
                return RUN_HELP
            name = _ALIASES.get(command)
            if name is None:
                raise CommandError("No help for unknown command \"%s\"." % command)
            aliases, parser, _, text = _COMMANDS[name]
            return "%s (%s): %s\n\n%s" % (name, ", ".join(aliases), text,
                                         parser.format_help().rstrip())
        lines = ["Commands:"]
        for name, (aliases, _, _, text) in _COMMANDS.items():
            lines.append("  %-28s %s" % ("%s (%s)" % (name, ", ".join(aliases)), text))
        lines.append("  %-28s %s" % ("help (h) [COMMAND]", "Show this help, or a command's."))
        lines.append("")
        lines.append(RUN_HELP)
        return "\n".join(lines)

    # -- list_tensors
    def _list_tensors(self, args):
        data = self._dump.dumped_tensor_data
        if args.node_name_filter:
            regex = re.compile(args.node_name_filter)
            data = [d for d in data if regex.match(d.node_name)]
        if args.op_type_filter:
            regex = re.compile(args.op_type_filter)
            data = [d for d in data if regex.match(self._op_type(d.node_name))]
        header = "%d dumped tensor(s)" % len(data)
        if args.tensor_filter:
            fn = self._filter(args.tensor_filter)
            data = [d for d in data if fn(d, d.get_tensor())]
            header = "%d dumped tensor(s) passing filter \"%s\"" % (len(data),
                                                                   args.tensor_filter)
        keys = {"timestamp": lambda d: d.timestamp, "dump_size": lambda d: d.dump_size_bytes,
                "op_type": lambda d: self._op_type(d.node_name),
                "tensor_name": lambda d: d.tensor_name}
        if args.sort_by != "timestamp" or args.reverse:
            data = sorted(data, key=keys[args.sort_by], reverse=args.reverse)
        return self.format_tensor_list(data, header)

    def format_tensor_list(self, data, header):
        """The ``lt`` table of ``data`` under ``header``."""
        t0 = self._dump.t0 or 0
        lines = [header + ":", "", "%-13s %-10s %-22s %s" % ("t (ms)", "Size (B)", "Op type",
                                                             "Tensor name")]
        for d in data:
            lines.append("%-13s %-10s %-22s %s" % ("[%.3f]" % ((d.timestamp - t0) / 1000.0),
                                                   _bytes(d.dump_size_bytes),
                                                   self._op_type(d.node_name), d.tensor_name))
        return "\n".join(lines)

    def _filter(self, name):
        try:
            return self._filters[name]
        except KeyError:
            raise CommandError("There is no tensor filter named \"%s\". Registered filters: "
                               "%s" % (name, ", ".join(sorted(self._filters)) or "none")) \
                from None

    def _op_type(self, node_name):
        try:
            return self._dump.node_op_type(node_name)
        except ValueError:
            return "?"

    # -- print_tensor
    def _print_tensor(self, args):
        name, slicing = _parse_tensor_name(args.tensor_name)
        node, slot = _node_and_slot(name)
        data = self._dump._matching(node, slot)
        if not data:
            raise CommandError("Tensor \"%s\" was not dumped in this run. Use \"lt\" to list "
                               "the dumped tensors." % name)
        if len(data) > 1 and args.number is None:
            lines = ["Tensor \"%s\" generated %d dumps:" % (name, len(data)),
                     "Use \"pt -n N %s\" to print one of them (N from 0)." % name]
            return "\n".join(lines)
        index = 0 if args.number is None else args.number
        if not 0 <= index < len(data):
            raise CommandError("-n %d is out of range: %s has %d dump(s)."
                               % (index, name, len(data)))
        datum = data[index]
        value = datum.get_tensor()
        title = "Tensor \"%s:%s\"" % (datum.tensor_name, datum.debug_op)
        if slicing:
            try:
                value = eval("np.asarray(__v)" + slicing, {"np": np, "__v": value})  # noqa: S307
            except Exception as e:  # noqa: BLE001 - report a bad slice to the user
                raise CommandError("Invalid slicing %s: %s" % (slicing, e)) from None
            title += slicing
        return _format_value(title, value, args.all, args.numeric_summary)

    # -- node_info
    def _info(self, node_name):
        try:
            return self._dump._node(node_name)
        except ValueError:
            pass
        from tensorslim.debug.dumps import _NodeInfo
        op = self._graph._nodes_by_name.get(node_name) if self._graph is not None else None
        if op is None:
            raise CommandError("There is no node named \"%s\" in the run's graph."
                               % node_name)
        return _NodeInfo.from_op(op, op.device or "")

    def _node_info(self, args):
        node = args.node_name.split(":")[0] if ":" in args.node_name else args.node_name
        info = self._info(node)
        lines = ["Node %s" % info.name, "", "  Op: %s" % info.op_type,
                 "  Device: %s" % (info.device or "(not placed)"), ""]
        lines.append("  %d input(s) + %d control input(s):" % (len(info.inputs),
                                                               len(info.control_inputs)))
        lines += self._edge_lines(info.inputs, "input(s)")
        lines += self._edge_lines(info.control_inputs, "control input(s)")
        lines.append("")
        lines.append("  %d recipient(s) + %d control recipient(s):"
                     % (len(info.recipients), len(info.control_recipients)))
        lines += self._edge_lines(info.recipients, "recipient(s)")
        lines += self._edge_lines(info.control_recipients, "control recipient(s)")
        if args.attributes:
            lines += ["", "Node attributes:"]
            for k, v in sorted(info.attrs.items()):
                lines.append("  %s: %s" % (k, v))
        if args.dumps:
            data = self._dump._matching(info.name, None, None)
            lines += ["", "%d dumped tensor(s):" % len(data)]
            lines += ["  Slot %d @ %s @ %.3f ms" % (d.output_slot, d.debug_op,
                                                    (d.timestamp - (self._dump.t0 or 0))
                                                    / 1000.0) for d in data]
        if args.traceback:
            lines += ["", "Traceback of node construction:"]
            if not info.traceback:
                lines.append("  (no traceback recorded)")
            for i, loc in enumerate(info.traceback):
                filename, lineno, func = loc[:3]
                text = linecache.getline(filename, lineno).strip()
                lines += ["%d: %s" % (i, filename), "  Line:     %d" % lineno,
                          "  Function: %s" % func, "  Text:     \"%s\"" % text, ""]
        return "\n".join(lines).rstrip()

    def _edge_lines(self, names, label):
        if not names:
            return []
        lines = ["    %d %s:" % (len(names), label)]
        for n in names:
            lines.append("      [%s] %s" % (self._op_type(n.split(":")[0]), n))
        return lines

    # -- list_inputs / list_outputs
    def _list_inputs(self, args):
        return self._walk(args, inputs=True)

    def _list_outputs(self, args):
        return self._walk(args, inputs=False)

    def _walk(self, args, inputs):
        root = self._info(args.node_name.split(":")[0])
        depth_limit = args.depth if args.recursive else 1
        title = "Inputs to node \"%s\"" if inputs else "Recipients of node \"%s\""
        lines = [(title % root.name) + " (Depth limit = %d%s):"
                 % (depth_limit, "" if not args.control else
                    ", control inputs included" if inputs else
                    ", control recipients included")]
        seen = set()

        def neighbours(info):
            if inputs:
                out = list(info.inputs) + (list(info.control_inputs) if args.control else [])
                ctrl = set(info.control_inputs)
            else:
                out = list(info.recipients) + \
                    (list(info.control_recipients) if args.control else [])
                ctrl = set(info.control_recipients)
            return [(n, n in ctrl) for n in out]

        def visit(info, depth):
            for n, is_ctrl in neighbours(info):
                node = n.split(":")[0]
                label = "(%d) %s%s" % (depth, "(Ctrl) " if is_ctrl else "", n)
                if args.op_type:
                    label += " [%s]" % self._op_type(node)
                lines.append("  " + "|  " * (depth - 1) + "|- " + label)
                if depth < depth_limit and node not in seen:
                    seen.add(node)
                    try:
                        visit(self._info(node), depth + 1)
                    except CommandError:
                        pass
        visit(root, 1)
        if len(lines) == 1:
            lines.append("  (none)")
        return "\n".join(lines)

    # -- eval, run_info, print_feed
    def _eval(self, args):
        values = {}

        def substitute(match):
            name = match.group(1)
            node, slot = _node_and_slot(name)
            data = self._dump._matching(node, slot)
            if not data:
                raise CommandError("Tensor \"%s\" was not dumped in this run." % name)
            key = "__t%d" % len(values)
            values[key] = data[0].get_tensor()
            return key
        expression = re.sub(r"`([^`]+)`", substitute, args.expression)
        try:
            value = eval(expression, {"np": np, "numpy": np}, values)  # noqa: S307 - the user's
        except CommandError:
            raise
        except Exception as e:  # noqa: BLE001 - report the expression's error to the user
            raise CommandError("Error evaluating %s: %s: %s" % (args.expression,
                                                                 type(e).__name__, e)) from None
        return _format_value("Value of expression \"%s\"" % args.expression, value, args.all,
                             False)

    def _run_info(self, args):
        lines = ["Run #%d:" % self._dump.run_call_count, "", "Fetch(es):"]
        lines += ["  " + f for f in self._dump.run_fetches_info] or ["  (none)"]
        lines += ["", "Feed dict:"]
        lines += ["  " + f for f in self._dump.run_feed_keys_info] or ["  (empty)"]
        return "\n".join(lines)

    def _print_feed(self, args):
        name = args.tensor_name if ":" in args.tensor_name else args.tensor_name + ":0"
        if name not in self._feeds:
            raise CommandError("\"%s\" was not fed in this run. Fed: %s"
                               % (name, ", ".join(self._feeds) or "nothing"))
        return _format_value("Feed value of \"%s\"" % name, self._feeds[name], False, False)


def _parse_tensor_name(text):
    m = re.match(r"^([^\[]+)(\[.*\])?$", text)
    if not m:
        raise CommandError("Invalid tensor name: %s" % text)
    return m.group(1), m.group(2)


def _node_and_slot(name):
    node, sep, slot = name.rpartition(":")
    if sep and slot.isdigit():
        return node, int(slot)
    return name, 0


def _bytes(n):
    if n < 1024:
        return "%d" % n
    if n < 1024 * 1024:
        return "%.1fk" % (n / 1024.0)
    return "%.1fM" % (n / 1024.0 / 1024.0)


def _format_value(title, value, print_all, summary):
    lines = [title + ":"]
    if value is None:
        lines.append("  Uninitialized tensor.")
        return "\n".join(lines)
    arr = np.asarray(value) if not isinstance(value, np.ndarray) else value
    lines += ["  dtype: %s" % arr.dtype, "  shape: %s" % (arr.shape,), ""]
    if summary and arr.dtype.kind in "biufc" and arr.size:
        finite = arr[np.isfinite(arr)] if arr.dtype.kind in "fc" else arr
        lines.append("Numeric summary:")
        lines.append("  size: %d  nan: %d  -inf: %d  +inf: %d" % (
            arr.size, int(np.sum(np.isnan(arr))) if arr.dtype.kind in "fc" else 0,
            int(np.sum(np.isneginf(arr))) if arr.dtype.kind == "f" else 0,
            int(np.sum(np.isposinf(arr))) if arr.dtype.kind == "f" else 0))
        if finite.size:
            lines.append("  min: %s  max: %s  mean: %s" % (finite.min(), finite.max(),
                                                          finite.mean()))
        lines.append("")
    if print_all:
        with np.printoptions(threshold=sys.maxsize):
            lines.append(repr(arr))
    else:
        lines.append(repr(arr))
    return "\n".join(lines)


class ReadlineUI:
    """Reads debugger commands line by line.

    With a terminal on ``in_stream`` it uses ``input()`` (line editing and history through
    the ``readline`` module when present); otherwise it reads lines from the stream and
    echoes each command after the prompt, so a piped session reads like a transcript.

    Args:
      in_stream: where commands come from (default ``sys.stdin``).
      out_stream: where prompts and output go (default ``sys.stdout``).
    """

    def __init__(self, in_stream=None, out_stream=None):
        self._in = in_stream
        self._out = out_stream

    @property
    def out(self):
        return self._out if self._out is not None else sys.stdout

    def write(self, text):
        """Prints ``text`` (and a newline)."""
        self.out.write(text + "\n")
        self.out.flush()

    def read_command(self):
        """The next command line, stripped, or None at the end of the input."""
        stream = self._in if self._in is not None else sys.stdin
        interactive = self._in is None and self._out is None and _isatty(stream)
        while True:
            if interactive:
                try:
                    import readline  # noqa: F401 - line editing for input()
                except ImportError:
                    pass
                try:
                    line = input(PROMPT)
                except EOFError:
                    self.write("")
                    return None
            else:
                self.out.write(PROMPT)
                line = stream.readline()
                if not line:
                    self.write("")
                    return None
                self.write(line.rstrip("\n"))
            line = line.strip()
            if line:
                return line


def _isatty(stream):
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
