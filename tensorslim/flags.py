"""``tf.app.flags`` / ``tf.flags``: absl-style command-line flags, on argparse.

A script defines flags at import time and reads them through ``FLAGS``::

    tf.app.flags.DEFINE_integer("batch_size", 128, "Number of images per batch.")
    FLAGS = tf.app.flags.FLAGS
    ...
    print(FLAGS.batch_size)

The command line is parsed by ``tf.app.run()`` (flags it does not know are left for ``main``)
or, as TF1's wrapper does, on the first read of a flag (then an unknown flag is an error).
Syntax follows absl: ``--name=value`` or ``--name value``, one or two dashes, booleans as
``--name`` / ``--noname`` / ``--name=false``, ``--flagfile=path``, and everything after
``--`` passed through.
"""
import argparse
import csv
import difflib
import os
import re
import sys

__all__ = ["FLAGS", "FlagValues", "Flag", "Error", "DuplicateFlagError",
           "IllegalFlagValueError", "UnrecognizedFlagError", "ValidationError",
           "DEFINE_string", "DEFINE_integer", "DEFINE_float", "DEFINE_boolean", "DEFINE_bool",
           "DEFINE_enum", "DEFINE_list", "DEFINE_multi_string", "DEFINE_multi_integer",
           "DEFINE_multi_float", "mark_flag_as_required", "mark_flags_as_required",
           "register_validator", "validator"]


class Error(Exception):
    """The base class of flag errors (``flags.Error``)."""


class DuplicateFlagError(Error):
    """A flag was defined twice."""


class IllegalFlagValueError(Error):
    """A flag was given a value its parser rejects."""


class UnrecognizedFlagError(Error):
    """The command line names a flag that is not defined."""


class ValidationError(Error):
    """A flag validator rejected the flags' values."""


# --------------------------------------------------------------------------- value parsers

def _parse_bool(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        low = value.lower()
        if low in ("true", "t", "1"):
            return True
        if low in ("false", "f", "0"):
            return False
    raise ValueError("Non-boolean argument to boolean flag: %r" % (value,))


def _parse_int(value):
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value).strip()
    base = 10
    if len(text) > 2 and text[0] == "0" and text[1] in "xX":
        base = 16
    elif len(text) > 2 and text[0] == "0" and text[1] in "oO":
        base = 8
    return int(text, base)


def _parse_float(value):
    return float(value)


def _parse_list(value):
    if isinstance(value, (list, tuple)):
        return list(value)
    if not value:
        return []
    try:
        return [s.strip() for s in next(csv.reader([value], strict=True))]
    except csv.Error as e:
        raise ValueError("Unable to parse the value %r as a comma separated list: %s"
                         % (value, e)) from None


def _bounds_check(kind, lower, upper):
    """A parser wrapper enforcing bounds, and the phrase describing the accepted values."""
    if lower is None and upper is None:
        return None, "an integer" if kind == "integer" else "a number"
    noun = "integer" if kind == "integer" else "number"
    if lower == 0 and upper is None:
        phrase = "a non-negative %s" % noun
    elif lower == 1 and upper is None and kind == "integer":
        phrase = "a positive integer"
    elif upper == 0 and lower is None:
        phrase = "a non-positive %s" % noun
    elif lower is not None and upper is not None:
        phrase = "%s %s in the range [%s, %s]" % ("an" if noun == "integer" else "a", noun,
                                                  lower, upper)
    elif lower is not None:
        phrase = "%s %s >= %s" % ("an" if noun == "integer" else "a", noun, lower)
    else:
        phrase = "%s %s <= %s" % ("an" if noun == "integer" else "a", noun, upper)

    def check(value):
        if value is not None and ((lower is not None and value < lower) or
                                  (upper is not None and value > upper)):
            raise ValueError("%s is not %s" % (value, phrase))
        return value
    return check, phrase


class Flag:
    """One flag: its name, parser, default, help and current value.

    Attributes:
      name: the flag's name (``--name``).
      default: the parsed default value.
      help: the help text.
      value: the current value.
      present: how many times the last parse saw the flag on the command line.
      using_default_value: whether ``value`` is still the default.
      boolean: whether the flag is a boolean (``--name`` / ``--noname``).
      multi: whether each occurrence appends to a list.
    """

    def __init__(self, name, default, help_text, parser, kind_help=None, boolean=False,
                 multi=False, short_name=None, enum_values=None, module=None):
        if not isinstance(name, str) or not name or name.startswith("-") or "=" in name:
            raise Error("Flag name must be a non-empty string without '=' that does not "
                        "start with '-', got %r" % (name,))
        self.name = name
        self.short_name = short_name
        self.help = help_text if help_text is not None else "(no help available)"
        self.parser = parser
        self.kind_help = kind_help
        self.boolean = boolean
        self.multi = multi
        self.enum_values = enum_values
        self.module = module
        self.present = 0
        self.default_as_str = None if default is None else self._serialize(default)
        self.default = self._convert(default) if default is not None else None
        self.value = self.default
        self.using_default_value = True

    def _serialize(self, value):
        if self.boolean:
            return repr(str(_parse_bool(value)).lower())
        if isinstance(value, (list, tuple)):
            return repr(",".join(str(v) for v in value)) if not self.multi \
                else repr([v for v in value])
        return repr(str(value))

    def _convert(self, value):
        try:
            if self.multi:
                items = value if isinstance(value, (list, tuple)) else [value]
                return [self.parser(v) for v in items]
            return self.parser(value)
        except (TypeError, ValueError) as e:
            raise IllegalFlagValueError("flag --%s=%s: %s" % (self.name, value, e)) from None

    def parse(self, argument):
        """Parses one command-line occurrence of the flag into ``value``."""
        new = self._convert(argument)
        if self.multi and self.present:
            self.value.extend(new)
        else:
            self.value = new
        self.present += 1
        self.using_default_value = False

    def _set_default(self, value):
        self.default_as_str = None if value is None else self._serialize(value)
        self.default = self._convert(value) if value is not None else None
        if self.using_default_value:
            self.value = self.default

    def __repr__(self):
        return "<Flag --%s=%r>" % (self.name, self.value)


# --------------------------------------------------------------------------- FlagValues

class _ArgumentParser(argparse.ArgumentParser):
    """argparse, with its errors raised as flag errors instead of exiting."""

    def error(self, message):
        match = re.match(r"argument (--\S+?)(/\S+)?: expected one argument", message)
        if match:
            message = "Missing value for flag %s" % match.group(1)
        raise IllegalFlagValueError(message)


class _ParseFlag(argparse.Action):
    def __call__(self, parser, namespace, values, option_string=None):
        self.const.parse(values)


class _SetBool(argparse.Action):
    def __call__(self, parser, namespace, values, option_string=None):
        flag, value = self.const
        flag.parse(value)


_HELP_ARGS = ("--help", "-help", "-?", "--helpshort", "-helpshort", "--helpfull", "-helpfull")


def _calling_module():
    """(name, globals id) of the module that called a DEFINE function."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__") == __name__:
        frame = frame.f_back
    if frame is None:
        return "<unknown>", 0
    name = frame.f_globals.get("__name__", "<unknown>")
    if name == "__main__":
        name = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else "__main__"
    return name, id(frame.f_globals)


class FlagValues:
    """The registry and current values of all flags (``FLAGS``).

    Flags read as attributes: ``FLAGS.batch_size``. The first read of a flag parses
    ``sys.argv`` if nothing has parsed the command line yet; ``FLAGS(argv)`` parses
    explicitly and returns the arguments it did not consume.
    """

    def __init__(self):
        self.__dict__["__flags"] = {}
        self.__dict__["_parsed"] = False
        self.__dict__["_modules"] = {}
        self.__dict__["_validators"] = []

    # -- definition
    def _register(self, flag, module):
        flags = self.__dict__["__flags"]
        names = [flag.name] + (["no" + flag.name] if flag.boolean else []) + \
            ([flag.short_name] if flag.short_name else [])
        if flag.name in flags:
            first = flags[flag.name].module
            if first and first[0] == module[0] and first[1] != module[1]:
                return  # the module was imported a second time (as absl): keep the first flag
            raise DuplicateFlagError(
                "The flag '%s' is defined twice. First from %s, Second from %s. Description "
                "from first occurrence: %s" % (flag.name, first[0] if first else "?",
                                               module[0], flags[flag.name].help))
        for n in names[1:]:
            if n in flags:
                raise DuplicateFlagError("The flag '%s' (for --%s) is already defined."
                                         % (n, flag.name))
        flag.module = module
        flags[flag.name] = flag
        self.__dict__["_modules"].setdefault(module[0], []).append(flag.name)

    # -- access
    def __getattr__(self, name):
        flags = self.__dict__["__flags"]
        if name not in flags:
            raise AttributeError(name)
        if not self.__dict__["_parsed"]:
            # TF1's wrapper parses the real command line on the first read of a flag.
            self(sys.argv)
        return flags[name].value

    def __setattr__(self, name, value):
        flags = self.__dict__["__flags"]
        if name not in flags:
            raise UnrecognizedFlagError("Unknown command line flag '%s'" % name)
        flags[name].value = value
        flags[name].using_default_value = False
        self._validate([name])

    def __delattr__(self, name):
        flags = self.__dict__["__flags"]
        if name not in flags:
            raise AttributeError(name)
        flag = flags.pop(name)
        self.__dict__["_modules"].get(flag.module[0], []).remove(name)

    def __getitem__(self, name):
        return self.__dict__["__flags"][name]

    def __contains__(self, name):
        return name in self.__dict__["__flags"]

    def __iter__(self):
        return iter(self.__dict__["__flags"])

    def __len__(self):
        return len(self.__dict__["__flags"])

    def __dir__(self):
        return sorted(self.__dict__["__flags"])

    def _flags(self):
        return self.__dict__["__flags"]

    def flag_values_dict(self):
        """``{name: value}`` of every flag."""
        return {n: f.value for n, f in self.__dict__["__flags"].items()}

    def get_flag_value(self, name, default):
        flag = self.__dict__["__flags"].get(name)
        return default if flag is None else flag.value

    def set_default(self, name, value):
        """Changes a flag's default (and its value, while it still holds the default)."""
        flags = self.__dict__["__flags"]
        if name not in flags:
            raise UnrecognizedFlagError("Unknown command line flag '%s'" % name)
        flags[name]._set_default(value)

    def is_parsed(self):
        return self.__dict__["_parsed"]

    def mark_as_parsed(self):
        self.__dict__["_parsed"] = True

    def unparse_flags(self):
        """Resets every flag to its default and marks the command line as not parsed."""
        for flag in self.__dict__["__flags"].values():
            flag.value = flag.default if not flag.multi or flag.default is None \
                else list(flag.default)
            flag.present = 0
            flag.using_default_value = True
        self.__dict__["_parsed"] = False

    # -- parsing
    def __call__(self, argv, known_only=False):
        """Parses ``argv`` (``argv[0]`` is the program) and returns ``[argv[0]] + rest``.

        Args:
          argv: the command line, as a list of strings.
          known_only: leave flags that are not defined in the returned list instead of
            raising.

        Returns:
          ``argv[0]`` followed by the positional arguments, the unknown flags (with
          ``known_only``) and everything from a ``--`` on, in their order.

        Raises:
          TypeError: ``argv`` is a string.
          UnrecognizedFlagError: an undefined flag, unless ``known_only``.
          IllegalFlagValueError: a value a flag's parser rejects.
        """
        return self._parse(argv, known_only, allow_help=False)

    def _parse(self, argv, known_only, allow_help):
        if isinstance(argv, (str, bytes)) or not isinstance(argv, (list, tuple)):
            raise TypeError("argv should be a tuple/list of strings, not %r" % (argv,))
        argv = [str(a) for a in argv]
        if not argv:
            raise ValueError("argv cannot be an empty list: its first entry is the program.")
        program, args = argv[0], self._expand_flagfiles(argv[1:])
        tail = []
        if "--" in args:
            cut = args.index("--")
            args, tail = args[:cut], args[cut:]
        if allow_help and any(a in _HELP_ARGS for a in args):
            sys.stdout.write(self._usage(program))
            sys.stdout.flush()
            sys.exit(1)
        flags = self.__dict__["__flags"]
        for flag in flags.values():
            flag.present = 0
        parser = self._argparser(program)
        extras = parser.parse_known_args(self._normalize(args), argparse.Namespace())[1]
        rest = []
        for arg in extras:
            if _looks_like_flag(arg) and not known_only:
                name = arg.lstrip("-").split("=", 1)[0]
                close = difflib.get_close_matches(name, list(flags), n=3)
                raise UnrecognizedFlagError("Unknown command line flag '%s'%s" % (
                    name, ". Did you mean: %s ?" % ", ".join(close) if close else ""))
            rest.append(arg)
        self.__dict__["_parsed"] = True
        self._validate(None)
        return [program] + rest + tail

    def _normalize(self, args):
        """Rewrites boolean forms argparse can't take (``--b=false``, ``-b``) into
        ``--b`` / ``--nob`` and single-dash flags into double-dash ones."""
        flags = self.__dict__["__flags"]
        by_short = {f.short_name: f for f in flags.values() if f.short_name}
        out = []
        for arg in args:
            if not _looks_like_flag(arg):
                out.append(arg)
                continue
            name, eq, value = arg.lstrip("-").partition("=")
            flag = flags.get(name) or by_short.get(name)
            if flag is None and name.startswith("no") and name[2:] in flags \
                    and flags[name[2:]].boolean:
                if eq:
                    raise IllegalFlagValueError("Boolean flag --%s does not take a value, got "
                                                "%r" % (name, value))
                out.append("--no" + flags[name[2:]].name)
                continue
            if flag is None:
                out.append(arg)
            elif flag.boolean:
                if eq:
                    try:
                        truth = _parse_bool(value)
                    except ValueError as e:
                        raise IllegalFlagValueError("flag --%s=%s: %s" % (flag.name, value,
                                                                          e)) from None
                    out.append(("--" if truth else "--no") + flag.name)
                else:
                    out.append("--" + flag.name)
            else:
                out.append("--" + flag.name + (eq + value if eq else ""))
        return out

    def _argparser(self, program):
        parser = _ArgumentParser(prog=program, add_help=False, allow_abbrev=False)
        for flag in self.__dict__["__flags"].values():
            if flag.boolean:
                parser.add_argument("--" + flag.name, nargs=0, action=_SetBool,
                                    const=(flag, True), default=argparse.SUPPRESS)
                parser.add_argument("--no" + flag.name, nargs=0, action=_SetBool,
                                    const=(flag, False), default=argparse.SUPPRESS)
            else:
                parser.add_argument("--" + flag.name, action=_ParseFlag, const=flag,
                                    default=argparse.SUPPRESS)
        return parser

    @staticmethod
    def _expand_flagfiles(args):
        out = []
        for i, arg in enumerate(args):
            if arg == "--":  # what follows is for main, untouched
                out.extend(args[i:])
                break
            name, eq, value = arg.lstrip("-").partition("=")
            if arg.startswith("-") and name == "flagfile" and eq:
                try:
                    with open(value) as f:
                        lines = [ln.strip() for ln in f]
                except OSError as e:
                    raise Error("Cannot open flagfile %s: %s" % (value, e)) from None
                out.extend(ln for ln in lines if ln and not ln.startswith(("#", "//")))
            else:
                out.append(arg)
        return out

    # -- validation
    def _validate(self, names):
        flags = self.__dict__["__flags"]
        for flag_names, checker, message in self.__dict__["_validators"]:
            if names is not None and not set(names) & set(flag_names):
                continue
            values = {n: flags[n].value for n in flag_names if n in flags}
            arg = values if len(flag_names) > 1 else values.get(flag_names[0])
            ok = checker(arg)
            if not ok:
                shown = flag_names[0]
                raise IllegalFlagValueError("flag --%s=%s: %s"
                                            % (shown, flags[shown].value, message))

    def register_validator(self, flag_names, checker, message):
        self.__dict__["_validators"].append((list(flag_names), checker, message))

    # -- help
    def _usage(self, program):
        return "\n       USAGE: %s [flags]\nflags:\n\n%s\nTry --helpfull to get a list of all " \
               "flags.\n" % (program, self.get_help())

    def get_help(self, prefix=""):
        """The help text of every flag, grouped by the module that defined it."""
        flags = self.__dict__["__flags"]
        parts = []
        for module, names in self.__dict__["_modules"].items():
            if not names:
                continue
            parts.append("%s%s:\n%s" % (prefix, module, "".join(
                _flag_help(flags[name], prefix + "  ") for name in sorted(names))))
        return "\n".join(parts)

    def main_module_help(self):
        return self.get_help()

    def __str__(self):
        return self.get_help()


def _flag_help(flag, indent):
    shown = "[no]%s" % flag.name if flag.boolean else flag.name
    head = "%s--%s: " % (indent, shown)
    if flag.enum_values:
        head += "<%s>: " % "|".join(flag.enum_values)
    lines = [head + flag.help + (";" if flag.multi else "")]
    if flag.multi:
        lines.append("%s  repeat this option to specify a list of values" % indent)
    if flag.default_as_str is not None:
        lines.append("%s  (default: %s)" % (indent, flag.default_as_str))
    if flag.kind_help:
        lines.append("%s  (%s)" % (indent, flag.kind_help))
    return "\n".join(lines) + "\n"


def _looks_like_flag(arg):
    """Whether a command-line word is a flag (not ``-``, a negative number or a positional)."""
    if len(arg) < 2 or not arg.startswith("-"):
        return False
    try:
        float(arg)
        return False
    except ValueError:
        return True


FLAGS = FlagValues()


# --------------------------------------------------------------------------- DEFINE_*

def _define(flag_values, flag):
    flag_values._register(flag, _calling_module())
    return flag


def _rename_tf_args(kwargs):
    """TF1's wrapper accepted the old argument names ``flag_name``, ``default_value`` and
    ``docstring``."""
    for old, new in (("flag_name", "name"), ("default_value", "default"),
                     ("docstring", "help")):
        if old in kwargs:
            kwargs[new] = kwargs.pop(old)
    return kwargs


def _args(args, kwargs, names):
    kwargs = _rename_tf_args(dict(kwargs))
    bound = dict(zip(names, args))
    for k in names[len(args):]:
        if k in kwargs:
            bound[k] = kwargs.pop(k)
    missing = [k for k in names if k not in bound]
    if missing:
        raise TypeError("missing required argument(s): %s" % ", ".join(missing))
    if kwargs:
        raise TypeError("unexpected keyword argument(s): %s" % ", ".join(sorted(kwargs)))
    return bound


def _finish_define(flag_values, flag, required):
    _define(flag_values, flag)
    if required:
        mark_flag_as_required(flag.name, flag_values)
    return flag


def DEFINE_string(*args, flag_values=FLAGS, required=False, short_name=None,
                  **kwargs):  # noqa: N802
    """Defines a string flag: ``DEFINE_string(name, default, help)``."""
    a = _args(args, kwargs, ["name", "default", "help"])
    return _finish_define(flag_values, Flag(a["name"], a["default"], a["help"], str,
                                            short_name=short_name), required)


def DEFINE_integer(*args, lower_bound=None, upper_bound=None, flag_values=FLAGS,
                   required=False, short_name=None, **kwargs):  # noqa: N802
    """Defines an integer flag: ``DEFINE_integer(name, default, help, lower_bound=None,
    upper_bound=None)``."""
    a = _args(args, kwargs, ["name", "default", "help"])
    check, phrase = _bounds_check("integer", lower_bound, upper_bound)
    parser = _parse_int if check is None else (lambda v: check(_parse_int(v)))
    return _finish_define(flag_values, Flag(a["name"], a["default"], a["help"], parser,
                                            kind_help=phrase, short_name=short_name),
                          required)


def DEFINE_float(*args, lower_bound=None, upper_bound=None, flag_values=FLAGS,
                 required=False, short_name=None, **kwargs):  # noqa: N802
    """Defines a float flag: ``DEFINE_float(name, default, help, lower_bound=None,
    upper_bound=None)``."""
    a = _args(args, kwargs, ["name", "default", "help"])
    check, phrase = _bounds_check("float", lower_bound, upper_bound)
    parser = _parse_float if check is None else (lambda v: check(_parse_float(v)))
    return _finish_define(flag_values, Flag(a["name"], a["default"], a["help"], parser,
                                            kind_help=phrase, short_name=short_name),
                          required)


def DEFINE_boolean(*args, flag_values=FLAGS, required=False, short_name=None,
                   **kwargs):  # noqa: N802
    """Defines a boolean flag: ``--name``, ``--noname``, ``--name=true|false|1|0``."""
    a = _args(args, kwargs, ["name", "default", "help"])
    return _finish_define(flag_values, Flag(a["name"], a["default"], a["help"], _parse_bool,
                                            boolean=True, short_name=short_name), required)


DEFINE_bool = DEFINE_boolean


def DEFINE_enum(*args, flag_values=FLAGS, required=False, case_sensitive=True,
                short_name=None, **kwargs):  # noqa: N802
    """Defines a flag taking one of ``enum_values``: ``DEFINE_enum(name, default,
    enum_values, help)``."""
    a = _args(args, kwargs, ["name", "default", "enum_values", "help"])
    values = list(a["enum_values"])
    if not values:
        raise ValueError("enum_values cannot be empty")

    def parse(value):
        for v in values:
            if v == value or (not case_sensitive and str(v).upper() == str(value).upper()):
                return v
        raise ValueError("value should be one of <%s>" % "|".join(values))
    return _finish_define(flag_values, Flag(a["name"], a["default"], a["help"], parse,
                                            enum_values=values, short_name=short_name),
                          required)


def DEFINE_list(*args, flag_values=FLAGS, required=False, short_name=None,
                **kwargs):  # noqa: N802
    """Defines a comma-separated list flag (a list of strings)."""
    a = _args(args, kwargs, ["name", "default", "help"])
    return _finish_define(flag_values, Flag(a["name"], a["default"], a["help"], _parse_list,
                                            kind_help="a comma separated list",
                                            short_name=short_name), required)


def _define_multi(parser, kind_help, args, kwargs, flag_values, required, short_name):
    a = _args(args, kwargs, ["name", "default", "help"])
    return _finish_define(flag_values, Flag(a["name"], a["default"], a["help"], parser,
                                            kind_help=kind_help, multi=True,
                                            short_name=short_name), required)


def DEFINE_multi_string(*args, flag_values=FLAGS, required=False, short_name=None,
                        **kwargs):  # noqa: N802
    """Defines a repeatable string flag; its value is the list of all occurrences."""
    return _define_multi(str, None, args, kwargs, flag_values, required, short_name)


def DEFINE_multi_integer(*args, flag_values=FLAGS, required=False, short_name=None,
                         **kwargs):  # noqa: N802
    """Defines a repeatable integer flag."""
    return _define_multi(_parse_int, "an integer", args, kwargs, flag_values, required,
                         short_name)


def DEFINE_multi_float(*args, flag_values=FLAGS, required=False, short_name=None,
                       **kwargs):  # noqa: N802
    """Defines a repeatable float flag."""
    return _define_multi(_parse_float, "a number", args, kwargs, flag_values, required,
                         short_name)


# --------------------------------------------------------------------------- validators

def register_validator(flag_name, checker, message="Flag validation failed",
                       flag_values=FLAGS):
    """Checks ``checker(value)`` after every parse and assignment of flag ``flag_name``."""
    if flag_name not in flag_values:
        raise KeyError("Flag --%s is not defined; define it before registering a validator."
                       % flag_name)
    flag_values.register_validator([flag_name], checker, message)


def validator(flag_name, message="Flag validation failed", flag_values=FLAGS):
    """Decorator form of :func:`register_validator`."""
    def decorate(checker):
        register_validator(flag_name, checker, message, flag_values)
        return checker
    return decorate


def mark_flag_as_required(flag_name, flag_values=FLAGS):
    """Makes parsing fail unless flag ``flag_name`` ends up with a value other than None."""
    register_validator(flag_name, lambda value: value is not None,
                       "Flag --%s must have a value other than None." % flag_name,
                       flag_values)


def mark_flags_as_required(flag_names, flag_values=FLAGS):
    for name in flag_names:
        mark_flag_as_required(name, flag_values)
