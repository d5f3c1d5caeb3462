"""tf.app.flags / tf.flags (absl's syntax, on argparse) and tf.app.run.

Parsing is tested on private ``FlagValues`` registries; ``tf.app.run`` and the parse on first
access of the global ``FLAGS`` run in subprocesses, since they read ``sys.argv`` and exit.
"""
import os
import subprocess
import sys
import textwrap

import pytest

import tensorslim as tf
from tensorslim import flags

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def fv():
    values = flags.FlagValues()
    flags.DEFINE_boolean("self_test", False, "self test", flag_values=values)
    flags.DEFINE_integer("batch_size", 128, "batch", flag_values=values)
    flags.DEFINE_float("lr", 0.1, "learning rate", flag_values=values)
    flags.DEFINE_string("train_dir", "train_logs", "logs", flag_values=values)
    flags.DEFINE_enum("mode", "a", ["a", "b"], "mode", flag_values=values)
    flags.DEFINE_list("names", "x,y", "names", flag_values=values)
    flags.DEFINE_multi_string("tag", None, "tags", flag_values=values)
    return values


def test_namespaces():
    assert tf.app.flags is tf.flags is flags
    assert tf.flags.FLAGS is tf.app.flags.FLAGS
    from tensorslim.python.platform import app, flags as platform_flags
    assert app is tf.app and platform_flags is flags
    assert flags.DEFINE_bool is flags.DEFINE_boolean


def test_defaults(fv):
    fv(["prog"])
    assert fv.flag_values_dict() == {"self_test": False, "batch_size": 128, "lr": 0.1,
                                     "train_dir": "train_logs", "mode": "a",
                                     "names": ["x", "y"], "tag": None}
    assert type(fv.batch_size) is int and type(fv.lr) is float
    assert fv["batch_size"].default == 128 and fv["batch_size"].using_default_value


def test_values_positionals_and_unknown_flags(fv):
    argv = ["prog", "--self_test", "extra", "--batch_size", "3", "-lr=0.5", "--unknown=4",
            "--unk2", "v", "--", "--batch_size=7", "x"]
    rest = fv(argv, known_only=True)
    # As absl: flags and positionals interleave; unknown flags and all after "--" stay.
    assert rest == ["prog", "extra", "--unknown=4", "--unk2", "v", "--", "--batch_size=7", "x"]
    assert (fv.self_test, fv.batch_size, fv.lr) == (True, 3, 0.5)
    assert fv["batch_size"].present == 1 and not fv["batch_size"].using_default_value


@pytest.mark.parametrize("args,expected", [
    (["--self_test"], True), (["--noself_test"], False), (["--self_test=false"], False),
    (["--self_test=TRUE"], True), (["--self_test=1"], True), (["-self_test=f"], False),
    (["--self_test", "--noself_test"], False)])
def test_boolean_forms(fv, args, expected):
    assert fv(["prog"] + args) == ["prog"]
    assert fv.self_test is expected


def test_boolean_does_not_take_the_next_word(fv):
    assert fv(["prog", "--self_test", "True"]) == ["prog", "True"]
    assert fv.self_test is True


def test_enum_list_multi_and_int_forms(fv):
    fv(["prog", "--mode", "b", "--names=a,b,,c", "--tag=1", "--tag", "2", "--batch_size=0x10",
        "--lr", "-0.5"])
    assert (fv.mode, fv.names, fv.tag, fv.batch_size, fv.lr) == \
        ("b", ["a", "b", "", "c"], ["1", "2"], 16, -0.5)
    fv(["prog", "--names="])
    assert fv.names == []
    fv(["prog", "--tag=3"])  # a new parse starts the multi flag's list again
    assert fv.tag == ["3"]


@pytest.mark.parametrize("arg,message", [
    ("--batch_size=abc", r"flag --batch_size=abc: invalid literal for int\(\)"),
    ("--batch_size=1.0", r"flag --batch_size=1.0: invalid literal for int\(\)"),
    ("--self_test=maybe", "flag --self_test=maybe: Non-boolean argument to boolean flag"),
    ("--mode=zz", r"flag --mode=zz: value should be one of <a\|b>"),
    ("--batch_size", "Missing value for flag --batch_size"),
    ("--noself_test=1", "does not take a value")])
def test_illegal_values(fv, arg, message):
    with pytest.raises(flags.IllegalFlagValueError, match=message):
        fv(["prog", arg])


def test_unknown_flag_suggests_close_names(fv):
    with pytest.raises(flags.UnrecognizedFlagError,
                       match="Unknown command line flag 'batch_sze'. Did you mean: batch_size"):
        fv(["prog", "--batch_sze=3"])
    assert fv(["prog", "-5", "-"]) == ["prog", "-5", "-"]  # numbers and "-" are positionals


def test_bounds_and_required():
    fv = flags.FlagValues()
    flags.DEFINE_integer("n", 5, "count", lower_bound=0, flag_values=fv)
    flags.DEFINE_integer("m", 5, "count", lower_bound=0, upper_bound=10, flag_values=fv)
    flags.DEFINE_string("req", None, "needed", flag_values=fv, required=True)
    with pytest.raises(flags.IllegalFlagValueError, match="-1 is not a non-negative integer"):
        fv(["p", "--n=-1", "--req=x"])
    with pytest.raises(flags.IllegalFlagValueError,
                       match=r"11 is not an integer in the range \[0, 10\]"):
        fv(["p", "--m=11", "--req=x"])
    with pytest.raises(flags.IllegalFlagValueError,
                       match="flag --req=None: Flag --req must have a value other than None"):
        fv(["p"])
    fv(["p", "--req", "r"])
    assert fv.req == "r"


def test_validator_runs_on_parse_and_assignment():
    fv = flags.FlagValues()
    flags.DEFINE_integer("even", 2, "an even number", flag_values=fv)

    @flags.validator("even", message="must be even", flag_values=fv)
    def _is_even(value):
        return value % 2 == 0
    with pytest.raises(flags.IllegalFlagValueError, match="flag --even=3: must be even"):
        fv(["p", "--even=3"])
    fv(["p", "--even=4"])
    with pytest.raises(flags.IllegalFlagValueError, match="must be even"):
        fv.even = 5


def test_assignment_set_default_and_unparse(fv):
    fv(["prog", "--batch_size=3"])
    fv.lr = 0.25
    assert fv.lr == 0.25 and not fv["lr"].using_default_value
    fv.set_default("train_dir", "other")
    assert fv.train_dir == "other"
    with pytest.raises(flags.UnrecognizedFlagError):
        fv.nope = 1
    with pytest.raises(AttributeError):
        fv.nope  # noqa: B018
    assert "batch_size" in fv and "nope" not in fv and len(fv) == 7
    fv.unparse_flags()
    assert not fv.is_parsed() and fv["batch_size"].value == 128


def test_tensorflow_argument_names_and_duplicates():
    fv = flags.FlagValues()
    flags.DEFINE_string(flag_name="s", default_value="x", docstring="doc", flag_values=fv)
    assert fv["s"].help == "doc" and fv["s"].default == "x"
    with pytest.raises(flags.DuplicateFlagError, match="The flag 's' is defined twice"):
        flags.DEFINE_string("s", "y", "again", flag_values=fv)
    with pytest.raises(TypeError, match="unexpected keyword argument"):
        flags.DEFINE_string("t", "y", "doc", flag_values=fv, bogus=1)
    # Re-importing the defining module (same name, new module object) keeps the first flag.
    code = "from tensorslim import flags\nflags.DEFINE_integer('k', %d, 'k', flag_values=fv)\n"
    first, second = ({"__name__": "reloaded_module", "fv": fv} for _ in range(2))
    exec(code % 1, first)
    exec(code % 2, second)
    fv(["p"])
    assert fv.k == 1


def test_flagfile(fv, tmp_path):
    path = tmp_path / "args.cfg"
    path.write_text("# comment\n--batch_size=9\n\n--noself_test\n--mode=b\n")
    assert fv(["prog", "--flagfile=%s" % path, "pos"]) == ["prog", "pos"]
    assert (fv.batch_size, fv.self_test, fv.mode) == (9, False, "b")


def test_argv_must_be_a_list(fv):
    with pytest.raises(TypeError, match="argv should be a tuple/list of strings"):
        fv("--batch_size=3")


def test_help_text(fv):
    text = fv.get_help()
    assert "  --batch_size: batch\n    (default: '128')\n    (an integer)\n" in text
    assert "  --[no]self_test: self test\n    (default: 'false')\n" in text
    assert "  --mode: <a|b>: mode\n" in text


# --------------------------------------------------------------------------- subprocesses

def _run_script(tmp_path, source, args=(), name="script.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, str(path)] + list(args), capture_output=True,
                          text=True, env=env, timeout=120, cwd=str(tmp_path))


_SCRIPT = """
    import sys
    import tensorslim as tf

    tf.app.flags.DEFINE_boolean("self_test", False, "True if running a self test.")
    tf.app.flags.DEFINE_integer("batch_size", 128, "Number of images per batch.")
    FLAGS = tf.app.flags.FLAGS

    def main(argv):
        print("VALUES", FLAGS.self_test, FLAGS.batch_size)
        print("REST", argv[1:])
        return FLAGS.batch_size if FLAGS.batch_size < 100 else None

    if __name__ == "__main__":
        tf.app.run()
"""


def test_app_run_parses_flags_calls_main_and_exits(tmp_path):
    proc = _run_script(tmp_path, _SCRIPT, ["--self_test", "--batch_size=7", "--other", "x"])
    assert proc.returncode == 7, proc.stderr
    assert "VALUES True 7" in proc.stdout
    assert "REST ['--other', 'x']" in proc.stdout
    proc = _run_script(tmp_path, _SCRIPT)
    assert proc.returncode == 0, proc.stderr
    assert "VALUES False 128" in proc.stdout and "REST []" in proc.stdout


def test_app_run_reports_flag_errors_and_help(tmp_path):
    proc = _run_script(tmp_path, _SCRIPT, ["--batch_size=abc"])
    assert proc.returncode == 1
    assert "FATAL Flags parsing error: flag --batch_size=abc" in proc.stderr
    assert "VALUES" not in proc.stdout
    proc = _run_script(tmp_path, _SCRIPT, ["--help"])
    assert proc.returncode == 1  # as absl
    assert "USAGE: " in proc.stdout and "--[no]self_test: True if running a self test." \
        in proc.stdout and "script.py:" in proc.stdout


def test_app_run_with_explicit_main_and_argv(tmp_path):
    proc = _run_script(tmp_path, """
        import tensorslim as tf
        tf.flags.DEFINE_string("name", "x", "a name")
        def entry(argv):
            print("ENTRY", tf.flags.FLAGS.name, argv)
        tf.app.run(main=entry, argv=["prog", "--name=given", "pos"])
    """, ["--name=ignored"])
    assert proc.returncode == 0, proc.stderr
    assert "ENTRY given ['prog', 'pos']" in proc.stdout


def test_first_access_parses_sys_argv(tmp_path):
    source = """
        import tensorslim as tf
        tf.flags.DEFINE_integer("steps", 1, "steps")
        print("STEPS", tf.flags.FLAGS.steps, tf.flags.FLAGS.is_parsed())
    """
    proc = _run_script(tmp_path, source, ["--steps=5", "positional"])
    assert proc.returncode == 0, proc.stderr
    assert "STEPS 5 True" in proc.stdout
    # Outside tf.app.run an unknown flag is an error, as with TF1's wrapper.
    proc = _run_script(tmp_path, source, ["--unknown"])
    assert proc.returncode == 1
    assert "UnrecognizedFlagError: Unknown command line flag 'unknown'" in proc.stderr
