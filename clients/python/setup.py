"""Generates the modelgate.v1 message modules from proto/ while the package is built.

The schema lives at the repository's top (proto/modelgate/v1/*.proto); an sdist
carries a copy in ./proto. protoc comes from grpcio-tools (a build requirement),
and only the *_pb2.py message modules (and their .pyi stubs) are written: the
client speaks ModelGate's own framing, not gRPC.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

HERE = Path(__file__).resolve().parent


def proto_root() -> Path:
    """The folder holding modelgate/v1/*.proto: ./proto in an sdist, else the repository's."""
    for candidate in (HERE / "proto", HERE.parent.parent / "proto"):
        if (candidate / "modelgate" / "v1").is_dir():
            return candidate
    raise SystemExit("modelgate: cannot find proto/modelgate/v1 (looked in ./proto and ../../proto)")


def generate(out_dir: Path) -> None:
    """Runs grpcio-tools' protoc over every .proto into out_dir (modelgate/v1/*_pb2.py)."""
    import importlib.resources

    from grpc_tools import protoc

    root = proto_root()
    files = sorted(str(p.relative_to(root)) for p in (root / "modelgate" / "v1").glob("*.proto"))
    if not files:
        raise SystemExit(f"modelgate: no .proto files in {root / 'modelgate' / 'v1'}")
    well_known = importlib.resources.files("grpc_tools") / "_proto"
    out_dir.mkdir(parents=True, exist_ok=True)
    args = ["protoc", f"-I{root}", f"-I{well_known}", f"--python_out={out_dir}", f"--pyi_out={out_dir}", *files]
    if protoc.main(args) != 0:
        raise SystemExit("modelgate: protoc failed on " + " ".join(files))


class BuildPyWithProtos(build_py):
    """build_py, then the generated message modules next to the package's own modelgate/v1/__init__.py."""

    def run(self) -> None:
        super().run()
        generate(Path(self.build_lib))


class SdistWithProtos(sdist):
    """sdist that carries the schema, so building from the sdist finds it in ./proto."""

    def make_release_tree(self, base_dir, files) -> None:
        super().make_release_tree(base_dir, files)
        target = Path(base_dir) / "proto"
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(proto_root(), target)


setup(cmdclass={"build_py": BuildPyWithProtos, "sdist": SdistWithProtos})
