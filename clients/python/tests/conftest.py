"""Shared fixtures: the repository's paths, and a real ModelGate server for the end-to-end tests."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
EXAMPLE = REPO / "examples" / "linear-regression"
SOURCE = Path(__file__).resolve().parents[1] / "src" / "modelgate"


def pytest_configure(config):
    """Refuses to test an installed modelgate that differs from the sources next to these tests.

    Also drops MODELGATE_TLS* from the environment: the client reads them when
    no tls= is given, and the tests say for themselves whether they use TLS.
    """
    for name in [name for name in os.environ if name.startswith("MODELGATE_TLS")]:
        del os.environ[name]
    import modelgate

    installed = Path(modelgate.__file__).resolve().parent
    stale = [str(path.relative_to(SOURCE)) for path in sorted(SOURCE.rglob("*.py"))
             if not path.name.endswith("_pb2.py")
             and (not (installed / path.relative_to(SOURCE)).is_file()
                  or (installed / path.relative_to(SOURCE)).read_bytes() != path.read_bytes())]
    if stale:
        raise pytest.UsageError(f"the installed modelgate ({installed}) differs from {SOURCE} in "
                                f"{', '.join(stale)}: run `python3 -m pip install ./clients/python` first")


def _server_binary() -> Path | None:
    candidate = Path(os.environ.get("MODELGATE_BIN", REPO / ".build" / "debug" / "modelgate"))
    return candidate if candidate.is_file() and os.access(candidate, os.X_OK) else None


def _require_binary() -> Path:
    """The modelgate binary; skips (or, with MODELGATE_REQUIRE_E2E=1, fails) the test without it."""
    binary = _server_binary()
    if binary is None:
        message = "no modelgate binary: run `swift build --product modelgate` (or set MODELGATE_BIN)"
        if os.environ.get("MODELGATE_REQUIRE_E2E") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return binary


@contextlib.contextmanager
def _serve(binary: Path, *options: str):
    """Runs `modelgate serve [options]` on a free port with its data in a temporary directory.

    Yields (address, credentials path) once the server wrote its address.
    """
    data_dir = Path(tempfile.mkdtemp(prefix="modelgate-pyclient-"))
    log_path = data_dir / "server.log"
    log = open(log_path, "wb")
    process = subprocess.Popen([str(binary), "serve", "--listen", "127.0.0.1:0", "--data-dir", str(data_dir / "data"),
                                *options], stdout=log, stderr=subprocess.STDOUT)
    credentials = data_dir / "data" / "credentials.json"
    try:
        deadline = time.monotonic() + 60
        address = None
        # The file is written first with an empty "server", then with the bound address.
        while not address:
            if process.poll() is not None:
                pytest.fail(f"modelgate serve exited with {process.returncode}:\n{_tail(log_path)}")
            if time.monotonic() > deadline:
                pytest.fail(f"modelgate serve did not write its address within 60 s:\n{_tail(log_path)}")
            try:
                address = json.loads(credentials.read_text()).get("server")
            except (OSError, ValueError):
                pass
            if not address:
                time.sleep(0.05)
        yield address, str(credentials)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def server():
    """A `modelgate serve` on a free port with its data in a temporary directory.

    Yields (address, credentials path). Without the binary the end-to-end tests
    are skipped, unless MODELGATE_REQUIRE_E2E=1 (scripts/test sets it), which
    makes that a failure.
    """
    with _serve(_require_binary()) as served:
        yield served


def _tail(path: Path, lines: int = 40) -> str:
    """The end of the server's log, for a failure message (the log goes with its temporary directory)."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@pytest.fixture(scope="session")
def tls_server(tmp_path_factory):
    """Two `modelgate serve --tls-cert/--tls-key` servers with `modelgate tls self-signed` certificates.

    Yields a dict: "address" and "credentials" (TLS, no client certificate
    needed), "mtls_address" and "mtls_credentials" (the same, plus
    --tls-client-ca: a client certificate from the CA is required), "ca" (the
    CA that issued the servers' certificates, and the client certificate),
    "other_ca" (an unrelated CA), "client_cert" and "client_key".
    """
    binary = _require_binary()
    root = tmp_path_factory.mktemp("tls")
    for name in ("certs", "other"):
        made = subprocess.run([str(binary), "tls", "self-signed", "--out", str(root / name)], capture_output=True)
        if made.returncode != 0:
            pytest.fail(f"modelgate tls self-signed failed: {made.stderr.decode(errors='replace')}")
    certs = root / "certs"
    tls = ("--tls-cert", str(certs / "cert.pem"), "--tls-key", str(certs / "key.pem"))
    with _serve(binary, *tls) as (address, credentials), \
            _serve(binary, *tls, "--tls-client-ca", str(certs / "ca.pem")) as (mtls_address, mtls_credentials):
        yield {"address": address, "credentials": credentials, "mtls_address": mtls_address,
               "mtls_credentials": mtls_credentials, "ca": str(certs / "ca.pem"),
               "other_ca": str(root / "other" / "ca.pem"), "client_cert": str(certs / "client.pem"),
               "client_key": str(certs / "client-key.pem")}
