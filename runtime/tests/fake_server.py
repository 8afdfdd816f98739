"""A tiny stand-in for the ModelGate server's side of the replica protocol.

It listens on a Unix socket in a fresh temporary directory, starts the harness as a
subprocess against one of the scripts in ``scripts/`` (copied as ``score.py`` into its own
source directory), and speaks the frames of ``PROTOCOL.md``. Everything it creates is
per instance, so tests can run in parallel.
"""

import json
import os
import select
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

RUNTIME_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HARNESS = os.path.join(RUNTIME_DIR, "modelgate_replica.py")
SCRIPTS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scripts")

# The interpreter that runs the harness: this one, unless MODELGATE_HARNESS_PYTHON names another
# (for example a virtual environment with the real inference-schema package installed).
HARNESS_PYTHON = os.environ.get("MODELGATE_HARNESS_PYTHON") or sys.executable



def harness_can_import(module):
    """Whether the harness's interpreter has ``module`` (it may not be this interpreter)."""
    if module not in _importable:
        check = subprocess.run([HARNESS_PYTHON, "-c", "import " + module], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
        _importable[module] = check.returncode == 0
    return _importable[module]


_importable = {}

PREFACE = b"MODELGATE/1\r\n\r\n"
HEADER = struct.Struct(">IBBI")

CANCEL, PING, GOAWAY = 0x04, 0x06, 0x07
READY, INIT_FAILED, SCORE, RESULT = 0x10, 0x11, 0x12, 0x13
ACK = 0x01


class Closed(Exception):
    """The harness closed the connection."""


class FakeServer:
    def __init__(self, script, max_concurrent=1, model_files=None, source_files=None, extra_args=(), env=None):
        # Unix socket paths are limited to ~100 bytes, so keep the directory short.
        self.dir = tempfile.mkdtemp(prefix="mgr-")
        self.socket_path = os.path.join(self.dir, "s")
        self.source_dir = os.path.join(self.dir, "src")
        self.model_dir = os.path.join(self.dir, "model")
        os.makedirs(self.source_dir)
        os.makedirs(self.model_dir)
        shutil.copy(os.path.join(SCRIPTS_DIR, script), os.path.join(self.source_dir, "score.py"))
        for name, content in (source_files or {}).items():
            with open(os.path.join(self.source_dir, name), "w") as handle:
                handle.write(content)
        for name, content in (model_files or {}).items():
            with open(os.path.join(self.model_dir, name), "w") as handle:
                handle.write(content)

        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(self.socket_path)
        self.listener.listen(1)
        self.conn = None
        self.buffer = b""
        self.results = {}
        self.other_frames = []
        self._closed_logs = {}

        self.stdout_path = os.path.join(self.dir, "stdout")
        self.stderr_path = os.path.join(self.dir, "stderr")
        command = [
            HARNESS_PYTHON, HARNESS,
            "--socket", self.socket_path,
            "--entry-script", os.path.join(self.source_dir, "score.py"),
            "--source-dir", self.source_dir,
            "--model-dir", self.model_dir,
            "--max-concurrent", str(max_concurrent),
            "--replica-id", "test-replica",
            *extra_args,
        ]
        process_env = dict(os.environ)
        process_env.pop("PYTHONPATH", None)
        process_env.update(env or {})
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.process = subprocess.Popen(command, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                            env=process_env, cwd=self.dir)

    # Connection -------------------------------------------------------------------------------

    def accept(self, timeout=15.0):
        """Waits for the harness to connect and checks its preface."""
        self.listener.settimeout(timeout)
        try:
            self.conn, _ = self.listener.accept()
        except socket.timeout:
            raise AssertionError("the harness did not connect; stderr:\n" + self.stderr()) from None
        self.conn.setblocking(True)
        preface = self._read_exact(len(PREFACE), timeout)
        assert preface == PREFACE, preface
        return self.conn

    def ready(self, timeout=15.0):
        """Accepts the connection and returns the READY payload."""
        self.accept(timeout)
        frame_type, flags, frame_id, payload = self.read_frame(timeout)
        assert frame_type == READY, "expected READY, got 0x%02x: %r\nstderr:\n%s" % (frame_type, payload, self.stderr())
        assert frame_id == 0 and flags == 0
        return json.loads(payload)

    def send_frame(self, frame_type, flags, frame_id, payload=b""):
        self.conn.sendall(HEADER.pack(len(payload), frame_type, flags, frame_id) + payload)

    def send_raw(self, data):
        self.conn.sendall(data)

    def read_frame(self, timeout=10.0):
        header = self._read_exact(HEADER.size, timeout)
        length, frame_type, flags, frame_id = HEADER.unpack(header)
        return frame_type, flags, frame_id, self._read_exact(length, timeout)

    def _read_exact(self, count, timeout):
        deadline = time.monotonic() + timeout
        while len(self.buffer) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("no frame from the harness within %.1fs; stderr:\n%s" % (timeout, self.stderr()))
            readable, _, _ = select.select([self.conn], [], [], remaining)
            if readable:
                chunk = self.conn.recv(65536)
                if not chunk:
                    raise Closed()
                self.buffer += chunk
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    # Scoring ----------------------------------------------------------------------------------

    def score(self, frame_id, body=b"", headers=None, method="POST", path="/score", query="", timeout_ms=0,
              request_id="req-%d", meta_extra=None):
        if isinstance(body, str):
            body = body.encode("utf-8")
        meta = {
            "headers": headers if headers is not None else {},
            "method": method,
            "path": path,
            "query": query,
            "timeout_ms": timeout_ms,
            "request_id": request_id % frame_id if "%d" in request_id else request_id,
        }
        meta.update(meta_extra or {})
        meta_bytes = json.dumps(meta).encode("utf-8")
        self.send_frame(SCORE, 0, frame_id, struct.pack(">I", len(meta_bytes)) + meta_bytes + body)

    def result(self, frame_id, timeout=10.0):
        """Waits for the RESULT of ``frame_id``; returns ``(meta, body)``."""
        deadline = time.monotonic() + timeout
        while frame_id not in self.results:
            frame_type, flags, got_id, payload = self.read_frame(max(0.01, deadline - time.monotonic()))
            if frame_type == RESULT:
                (meta_length,) = struct.unpack_from(">I", payload, 0)
                meta = json.loads(payload[4:4 + meta_length])
                self.results[got_id] = (meta, payload[4 + meta_length:])
            else:
                self.other_frames.append((frame_type, flags, got_id, payload))
        return self.results.pop(frame_id)

    def call(self, frame_id=1, body=b"", **kwargs):
        self.score(frame_id, body, **kwargs)
        return self.result(frame_id)

    # Process ----------------------------------------------------------------------------------

    def wait_exit(self, timeout=10.0):
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError("the harness did not exit within %.1fs; stderr:\n%s" % (timeout, self.stderr())) from None

    def stderr(self):
        return self._read_log(self.stderr_path)

    def stdout(self):
        return self._read_log(self.stdout_path)

    def _read_log(self, path):
        if path in self._closed_logs:
            return self._closed_logs[path]
        with open(path, "rb") as handle:
            return handle.read().decode("utf-8", "replace")

    def close(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(5)
        for sock in (self.conn, self.listener):
            if sock is not None:
                sock.close()
        for path in (self.stdout_path, self.stderr_path):
            if path not in self._closed_logs and os.path.exists(path):
                self._closed_logs[path] = self._read_log(path)
        shutil.rmtree(self.dir, ignore_errors=True)
