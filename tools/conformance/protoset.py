"""Compiles proto/ with protoc --python_out and loads every message class.

Shared by generate.py and check.py so both see the schema the same way.
"""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from google.protobuf import message_factory
from google.protobuf.descriptor import Descriptor

REPO_ROOT = Path(__file__).resolve().parents[2]
PROTO_ROOT = REPO_ROOT / "proto"


def proto_files(proto_root: Path = PROTO_ROOT) -> list[str]:
    """Every .proto file under proto_root, relative to it, sorted."""
    return sorted(p.relative_to(proto_root).as_posix() for p in proto_root.rglob("*.proto"))


def compile_protos(out_dir: Path, proto_root: Path = PROTO_ROOT) -> list[str]:
    """Runs protoc --python_out into out_dir and returns the generated module names."""
    protoc = os.environ.get("PROTOC") or shutil.which("protoc") or "/usr/bin/protoc"
    files = proto_files(proto_root)
    if not files:
        raise SystemExit(f"no .proto files under {proto_root}")
    subprocess.run(
        [protoc, f"-I{proto_root}", f"--python_out={out_dir}", *files],
        check=True,
        cwd=proto_root,
    )
    # Regular packages (with __init__.py), so an installed package of the same
    # name (a pip-installed client, say) cannot shadow the freshly generated code.
    for directory in {out_dir / Path(f).parent for f in files}:
        current = directory
        while current != out_dir:
            (current / "__init__.py").touch()
            current = current.parent
    return [f[: -len(".proto")].replace("/", ".") + "_pb2" for f in files]


def _walk(descriptor: Descriptor):
    yield descriptor
    for nested in descriptor.nested_types:
        yield from _walk(nested)


class ProtoSet:
    """The compiled schema: message classes by full name, in a temporary directory."""

    def __init__(self, proto_root: Path = PROTO_ROOT):
        self._tmp = tempfile.TemporaryDirectory(prefix="modelgate-conformance-")
        out_dir = Path(self._tmp.name)
        modules = compile_protos(out_dir, proto_root)
        sys.path.insert(0, str(out_dir))
        for name in list(sys.modules):
            if name == modules[0].split(".")[0] or name.startswith(modules[0].split(".")[0] + "."):
                del sys.modules[name]
        self.modules = [importlib.import_module(m) for m in modules]
        self.descriptors: dict[str, Descriptor] = {}
        for module in self.modules:
            for top in module.DESCRIPTOR.message_types_by_name.values():
                for descriptor in _walk(top):
                    # Map entries are not messages of their own on the Swift side;
                    # they are covered through their map fields.
                    if descriptor.GetOptions().map_entry:
                        continue
                    self.descriptors[descriptor.full_name] = descriptor

    def message_class(self, full_name: str):
        return message_factory.GetMessageClass(self.descriptors[full_name])

    def close(self) -> None:
        self._tmp.cleanup()

    def __enter__(self) -> "ProtoSet":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
