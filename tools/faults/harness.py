"""Processes, servers and measurements for the fault-injection suite.

Everything the suite starts is its descendant: the suite makes itself a child
subreaper, so replicas orphaned by a SIGKILLed server are re-parented to it and
`Reaper.kill_all` finds and kills them too (also on Ctrl-C and on its own
failure). Only loopback addresses are used.
"""

from __future__ import annotations

import asyncio
import ctypes
import json
import os
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

PR_SET_CHILD_SUBREAPER = 36


class SuiteError(Exception):
    """The suite could not run a scenario (not an invariant failure)."""


def become_subreaper() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise SuiteError(f"prctl(PR_SET_CHILD_SUBREAPER) failed: errno {ctypes.get_errno()}")


def _stat_fields(pid: int) -> Optional[list[str]]:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name is in parentheses and may hold spaces.
    return text[text.rindex(")") + 2:].split()


def parent_of(pid: int) -> Optional[int]:
    fields = _stat_fields(pid)
    return int(fields[1]) if fields else None


def all_pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def descendants(root: int) -> list[int]:
    """Every live process below root (children, grandchildren, ...)."""
    children: dict[int, list[int]] = {}
    for pid in all_pids():
        parent = parent_of(pid)
        if parent is not None:
            children.setdefault(parent, []).append(pid)
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def cmdline(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return []


@dataclass(frozen=True)
class ReplicaProcess:
    """A replica harness process: its pid, the replica id (unique per pool) and its source folder."""

    pid: int
    replica_id: str
    source_dir: str


def replica_processes(root: int) -> list[ReplicaProcess]:
    """The live replica harness processes below root."""
    found = []
    for pid in descendants(root):
        args = cmdline(pid)
        fields = _stat_fields(pid)
        if "--replica-id" in args and fields and fields[0] != "Z":
            def value(flag: str) -> str:
                index = args.index(flag) if flag in args else -1
                return args[index + 1] if 0 <= index < len(args) - 1 else ""
            found.append(ReplicaProcess(pid, value("--replica-id"), value("--source-dir")))
    return found


def memory_kib(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) in KiB; (0, 0) when the process is gone."""
    rss = hwm = 0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
            elif line.startswith("VmHWM:"):
                hwm = int(line.split()[1])
    except OSError:
        pass
    return rss, hwm


def unmount_below(root: Path) -> None:
    """Unmounts whatever the suite mounted under its temporary directory (the disk scenario's tmpfs)."""
    try:
        mounts = [line.split()[1] for line in Path("/proc/mounts").read_text().splitlines()]
    except OSError:
        return
    for point in mounts:
        if point.startswith(str(root) + "/"):
            subprocess.run(["umount", "-l", point], capture_output=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def integrity_check(database: Path) -> str:
    """SQLite's PRAGMA integrity_check on a database no server has open: "ok" or the problems."""
    connection = sqlite3.connect(f"file:{database}?mode=rw", uri=True, timeout=5)
    try:
        rows = connection.execute("PRAGMA integrity_check").fetchall()
    finally:
        connection.close()
    return "; ".join(str(row[0]) for row in rows)


class Reaper:
    """Kills whatever the suite started: every descendant, stopped ones included."""

    def kill_all(self) -> None:
        for _ in range(3):
            pids = descendants(os.getpid())
            if not pids:
                break
            for pid in pids:
                for sig in (signal.SIGKILL, signal.SIGCONT):
                    try:
                        os.kill(pid, sig)
                    except ProcessLookupError:
                        pass
            self.reap()
            time.sleep(0.05)

    @staticmethod
    def reap() -> None:
        """Collects exited children (orphaned replicas end up as ours)."""
        while True:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return


@dataclass
class Server:
    """One `modelgate serve` on a fixed loopback port and data directory, restartable.

    The port is chosen once so that a restarted server is found where clients
    expect it; the credentials file the first start writes stays valid.
    """

    binary: Path
    data_dir: Path
    log_path: Path
    port: int = field(default_factory=free_port)
    extra_args: list[str] = field(default_factory=list)
    process: Optional[subprocess.Popen] = None
    starts: int = 0

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def credentials(self) -> Path:
        return self.data_dir / "credentials.json"

    @property
    def database(self) -> Path:
        return self.data_dir / "modelgate.sqlite"

    @property
    def pid(self) -> int:
        if self.process is None:
            raise SuiteError("the server is not running")
        return self.process.pid

    def start(self, timeout: float = 60) -> None:
        """Starts the server and returns once it accepts connections with its credentials written."""
        if self.process is not None and self.process.poll() is None:
            raise SuiteError("the server is already running")
        self.starts += 1
        log = open(self.log_path, "ab")
        log.write(f"\n==== start {self.starts} ====\n".encode())
        log.flush()
        args = [str(self.binary), "serve", "--listen", self.address, "--data-dir", str(self.data_dir), *self.extra_args]
        self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise SuiteError(f"modelgate serve exited with {self.process.returncode}:\n{self.tail()}")
            if time.monotonic() > deadline:
                raise SuiteError(f"modelgate serve did not listen within {timeout} s:\n{self.tail()}")
            if self.credentials.exists() and self._accepts():
                return
            time.sleep(0.02)

    def _accepts(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def kill(self, sig: int = signal.SIGKILL) -> int:
        """Sends sig and waits for the exit; returns the exit status."""
        if self.process is None:
            return 0
        try:
            self.process.send_signal(sig)
        except ProcessLookupError:
            pass
        code = self.process.wait()
        self.process = None
        return code

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def make_server(binary: Path, root: Path, name: str, extra_args: Optional[list[str]] = None,
                data_dir: Optional[Path] = None) -> Server:
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    return Server(binary=binary, data_dir=data_dir or folder / "data", log_path=folder / "server.log",
                  extra_args=extra_args or [])


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def credentials_of(server: Server) -> dict:
    return json.loads(server.credentials.read_text())


async def wait_until(predicate, timeout: float, interval: float = 0.1):
    """Awaits predicate() (a coroutine function) until it returns a truthy value or timeout passes."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = await predicate()
        except Exception as error:  # noqa: BLE001 - a failed probe just means "not yet"
            last = error
        else:
            if last:
                return last
        await asyncio.sleep(interval)
    return None


def temp_root() -> Path:
    return Path(tempfile.mkdtemp(prefix="modelgate-faults-"))


@dataclass
class Row:
    """One scenario's line in the table; any problem makes it FAIL."""

    name: str
    operations: int = 0
    faults: int = 0
    allowed: str = "0"
    seen: int = 0
    figures: str = ""
    problems: list[str] = field(default_factory=list)
    skipped: str = ""

    @property
    def result(self) -> str:
        if self.skipped:
            return "SKIP"
        return "FAIL" if self.problems else "PASS"

    def check(self, condition: bool, problem: str) -> bool:
        if not condition:
            self.problems.append(problem)
        return condition
