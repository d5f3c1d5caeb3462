"""Regenerates ``tensorslim/proto/*_pb2.py`` from the ``.proto`` files beside them.

Usage (from anywhere; needs ``grpcio-tools``)::

    python tools/gen_protos.py

The generated modules are committed so that users need no protoc.  After running
protoc this script rewrites each module so that:

* its descriptors go into tensorslim's private descriptor pool
  (``tensorslim.proto._pool.POOL``) rather than protobuf's default pool, so
  the ``tensorflow.*`` message names do not collide with a real TensorFlow
  imported into the same process;
* protoc's gencode/runtime version check is dropped, so the modules load with
  any protobuf runtime that has ``google.protobuf.internal.builder`` (see
  ``tensorslim/proto/REQUIRES.txt``).

``--check`` regenerates into a temporary directory and exits non-zero if the
committed modules differ (for CI).
"""
import argparse
import filecmp
import os
import re
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROTO_DIR = os.path.join("tensorslim", "proto")

_VERSION_CHECK = re.compile(
    r"^_runtime_version\.ValidateProtobufRuntimeVersion\(\n(?:    .*\n)*?\)\n", re.M)
_HEADER_NOTE = ("# Post-processed by tools/gen_protos.py: private descriptor pool, "
                "no runtime version check.\n")


def _protoc(out_dir, proto_files):
    from grpc_tools import protoc  # imported here: only needed for generation
    include = os.path.join(os.path.dirname(protoc.__file__), "_proto")
    args = ["protoc", "-I" + ROOT, "-I" + include, "--python_out=" + out_dir] + proto_files
    rc = protoc.main(args)
    if rc != 0:
        raise SystemExit("protoc failed with exit status %d" % rc)


def _postprocess(text, name):
    """Returns generated module ``text`` rewritten for the private pool."""
    text = _VERSION_CHECK.sub("", text)  # absent in output of older protocs
    # We do check these modules in (users need no protoc), so drop protoc's marker.
    text = text.replace("# NO CHECKED-IN PROTOBUF GENCODE\n", "")
    text = text.replace("from google.protobuf import runtime_version as _runtime_version\n", "")
    text = text.replace("from google.protobuf import descriptor_pool as _descriptor_pool\n",
                        "from tensorslim.proto import _pool\n")
    text, m = re.subn(r"_descriptor_pool\.Default\(\)\.AddSerializedFile\(",
                      "_pool.POOL.AddSerializedFile(", text)
    if m != 1 or "_descriptor_pool" in text or "_runtime_version" in text:
        raise SystemExit("unexpected protoc output for %s; update tools/gen_protos.py" % name)
    lines = text.splitlines(True)
    insert_at = next(i for i, line in enumerate(lines) if line.startswith("# source:"))
    lines.insert(insert_at + 1, _HEADER_NOTE)
    return "".join(lines)


def generate(out_root):
    """Generates the post-processed ``*_pb2.py`` modules under ``out_root``.

    Args:
      out_root: directory that receives ``tensorslim/proto/*_pb2.py``.

    Returns:
      The list of generated module paths, relative to ``out_root``.
    """
    protos = sorted(f for f in os.listdir(os.path.join(ROOT, PROTO_DIR)) if f.endswith(".proto"))
    with tempfile.TemporaryDirectory() as tmp:
        _protoc(tmp, [os.path.join(ROOT, PROTO_DIR, f) for f in protos])
        written = []
        for proto in protos:
            rel = os.path.join(PROTO_DIR, proto[:-len(".proto")] + "_pb2.py")
            with open(os.path.join(tmp, rel), encoding="utf-8") as f:
                text = _postprocess(f.read(), rel)
            dest = os.path.join(out_root, rel)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            with open(dest, "w", encoding="utf-8") as f:
                f.write(text)
            written.append(rel)
    return written


def main(argv=None):
    """Command-line entry point; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="fail if the committed modules are out of date")
    args = parser.parse_args(argv)
    if not args.check:
        for rel in generate(ROOT):
            print("wrote", rel)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        stale = [rel for rel in generate(tmp)
                 if not os.path.exists(os.path.join(ROOT, rel))
                 or not filecmp.cmp(os.path.join(tmp, rel), os.path.join(ROOT, rel),
                                    shallow=False)]
    for rel in stale:
        print("out of date:", rel)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
