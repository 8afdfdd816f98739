"""Scenario 2: replica faults under load.

- kill-stop: SIGKILL one replica, then SIGSTOP another, of a three-replica pool
  under steady load. Only the request each faulted replica was running may fail
  (max one in flight per replica), with UNAVAILABLE or DEADLINE_EXCEEDED naming
  that replica; the pool is back to three ready replicas within its probe
  settings; no request outlives its deadline.
- leak: a score.py that keeps 32 MiB per request, on a service with a 256 MiB
  memory limit: the replica is killed when it passes the limit and restarted;
  only the request it was running fails; its memory never goes far past the limit.
- hang: a score.py whose run() never returns for some inputs, on a two-replica
  pool: those requests fail DEADLINE_EXCEEDED at the scoring timeout, the
  others keep succeeding, and the hung replica is replaced.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from modelgate.errors import ModelGateError
from modelgate.v1 import deployment_pb2

import fixtures
from harness import Row, make_server, memory_kib, percentile, replica_processes

WS = "faulty"
REPLICA_IN_MESSAGE = re.compile(r"replica (r[0-9]+-[0-9]+)")


@dataclass
class Outcome:
    started: float
    ended: float
    code: str
    message: str = ""
    replica: str = ""

    @property
    def seconds(self) -> float:
        return self.ended - self.started


@dataclass
class Load:
    """Closed-loop workers scoring one service, each on its own connection."""

    client_factory: object
    service: str
    key: str
    body: bytes
    workers: int
    timeout: float
    outcomes: list[Outcome] = field(default_factory=list)
    stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def worker(self) -> None:
        client = self.client_factory()
        try:
            while not self.stop.is_set():
                started = time.monotonic()
                try:
                    response = await client.score(WS, self.service, self.body, key=self.key, timeout=self.timeout)
                    self.outcomes.append(Outcome(started, time.monotonic(), "OK", replica=response.replica_id))
                except ModelGateError as error:
                    match = REPLICA_IN_MESSAGE.search(error.message)
                    self.outcomes.append(Outcome(started, time.monotonic(), error.code, error.message,
                                                 match.group(1) if match else ""))
                    if error.code == "UNAVAILABLE" and "connection" in error.message:
                        await asyncio.sleep(0.05)
        finally:
            await client.close()

    def start(self) -> list[asyncio.Task]:
        return [asyncio.ensure_future(self.worker()) for _ in range(self.workers)]

    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.code != "OK"]


async def ready_replicas(client, service: str) -> list[deployment_pb2.ReplicaStatus]:
    status = await client.get_service(WS, service)
    return [r for r in status.replicas if r.state == deployment_pb2.REPLICA_STATE_READY]


async def wait_ready(client, service: str, count: int, timeout: float, exclude_pid: Optional[int] = None,
                     server_pid: int = 0, source: str = "") -> Optional[float]:
    """Seconds until the service has count ready replicas (and the faulted process is gone), or None."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        ready = await ready_replicas(client, service)
        gone = exclude_pid is None or all(p.pid != exclude_pid for p in replica_processes(server_pid))
        if len(ready) >= count and gone:
            return time.monotonic() - started
        await asyncio.sleep(0.05)
    return None


def script_for(name: str, text: str) -> str:
    # A distinct source per service, so its replica processes are told apart by their source folder.
    return f"# service {name}\n{text}"


def processes_of(server, source: str):
    return [p for p in replica_processes(server.pid) if p.source_dir == source]


async def setup(binary: Path, root: Path, scripts: fixtures.Scripts, name: str, text: str, **config):
    server = make_server(binary, root, f"replicas-{name}")
    server.start()
    client = fixtures.client_for(server.address, server.credentials)
    model = await fixtures.prepare_workspace(client, WS, root / f"replicas-{name}" / "model")
    inference = scripts.inference(name, script_for(name, text))
    service = await fixtures.deploy_and_wait(client, WS, name, model, inference, fixtures.aks_config("aks", **config))
    keys = await client.get_keys(WS, name)
    sources = {p.source_dir for p in replica_processes(server.pid)}
    source = sources.pop() if len(sources) == 1 else ""
    return server, client, keys.primary_key, source, service


async def kill_stop(binary: Path, root: Path, scripts: fixtures.Scripts, profile) -> Row:
    row = Row(name="replicas: SIGKILL + SIGSTOP", allowed="1 per fault")
    period, probe_timeout, threshold = 1, 1, 2
    server, client, key, source, _ = await setup(
        binary, root, scripts, "pool", fixtures.ECHO, num_replicas=3, replica_max_concurrent_requests=1,
        scoring_timeout_ms=3000, max_request_wait_time=5000, period_seconds=period, timeout_seconds=probe_timeout,
        failure_threshold=threshold, cpu_cores=0.1, memory_gb=0.1)
    heal_bound = {"SIGKILL": 10.0, "SIGSTOP": period * (threshold + 1) + probe_timeout + 10.0}
    load = Load(lambda: fixtures.client_for(server.address, server.credentials), "pool", key,
                b'{"sleep": 0.01}', workers=4, timeout=8)
    tasks = load.start()
    windows: list[tuple[str, str, float, float]] = []
    heal_times: dict[str, float] = {}
    try:
        await asyncio.sleep(profile.replica_load_seconds / 2)
        rounds = max(1, int(profile.replica_load_seconds // 4))
        for _ in range(rounds):
            for sig in (signal.SIGKILL, signal.SIGSTOP):
                victim = processes_of(server, source)[0]
                fault_at = time.monotonic()
                os.kill(victim.pid, sig)
                row.faults += 1
                healed = await wait_ready(client, "pool", 3, heal_bound[sig.name], victim.pid, server.pid, source)
                if healed is None:
                    row.problems.append(f"{sig.name}: pool not back to 3 ready replicas within "
                                        f"{heal_bound[sig.name]:.0f} s")
                    try:
                        os.kill(victim.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                    healed = heal_bound[sig.name]
                heal_times[sig.name] = max(heal_times.get(sig.name, 0), healed)
                windows.append((sig.name, victim.replica_id, fault_at, fault_at + healed + 0.5))
                await asyncio.sleep(1)
        await asyncio.sleep(profile.replica_load_seconds / 2)
    finally:
        load.stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
    failures = load.failures()
    row.operations = len(load.outcomes)
    row.seen = len(failures)
    row.check(len(failures) <= row.faults, f"{len(failures)} requests failed for {row.faults} faults "
                                           f"(one in flight per replica): {summarize(failures)}")
    for failure in failures:
        # A request in flight when its replica was faulted started up to a deadline before the fault.
        on_victim = any(failure.replica == victim for _, victim, start, end in windows
                        if start - load.timeout <= failure.started <= end)
        row.check(failure.code in ("UNAVAILABLE", "DEADLINE_EXCEEDED") and on_victim,
                  f"a request failed outside a faulted replica: {failure.code}: {failure.message} "
                  f"(faulted: {', '.join(f'{sig} {victim}' for sig, victim, _, _ in windows)})")
    slowest = max((o.seconds for o in load.outcomes), default=0)
    row.check(slowest <= load.timeout + 1, f"a request took {slowest:.1f} s, past its {load.timeout} s deadline")
    quiet = [o.seconds for o in load.outcomes if not any(s <= o.started <= e for _, _, s, e in windows)]
    row.figures = (f"heal SIGKILL {heal_times.get('SIGKILL', 0):.1f} s, SIGSTOP {heal_times.get('SIGSTOP', 0):.1f} s "
                   f"(probe {period}s x{threshold}); p99 {percentile(quiet, 0.99) * 1000:.0f} ms, "
                   f"max {slowest:.1f} s")
    await client.close()
    server.stop()
    return row


def summarize(failures: list[Outcome]) -> str:
    return "; ".join(f"{f.code}: {f.message[:80]}" for f in failures[:3])


async def leak(binary: Path, root: Path, scripts: fixtures.Scripts, profile) -> Row:
    row = Row(name="replicas: leaking score.py", allowed="1 per kill")
    limit_mib = 256
    server, client, key, source, _ = await setup(
        binary, root, scripts, "leaky", fixtures.LEAK, num_replicas=1, cpu_cores=0.1, memory_gb=limit_mib / 1024,
        scoring_timeout_ms=10000)
    peak = 0
    requests = 16 if profile.kills_per_kind < 20 else 60
    failures: list[str] = []
    for _ in range(requests):
        try:
            await client.score(WS, "leaky", b"{}", key=key, timeout=20)
        except ModelGateError as error:
            failures.append(f"{error.code}: {error.message}")
            await fixtures.wait_state(client, WS, "leaky", timeout=20)
        row.operations += 1
        for process in processes_of(server, source):
            peak = max(peak, memory_kib(process.pid)[1] // 1024)
    status = await client.get_service(WS, "leaky")
    restarts = sum(r.restarts for r in status.replicas)
    row.faults = restarts
    row.seen = len(failures)
    row.check(restarts >= 1, f"the replica kept {32 * requests} MiB without being killed "
                             f"(memory limit {limit_mib} MiB, peak {peak} MiB)")
    row.check(peak <= limit_mib + 64, f"a replica reached {peak} MiB, past its {limit_mib} MiB limit")
    row.check(len(failures) <= max(1, restarts), f"{len(failures)} requests failed for {restarts} kills: "
                                                 f"{failures[:3]}")
    for failure in failures:
        row.check(failure.startswith("UNAVAILABLE") and "replica" in failure,
                  f"a leak kill failed a request without a clear status: {failure}")
    logs = [line.text async for line in client.get_logs(WS, "leaky", tail=200)]
    row.check(restarts == 0 or any("memory limit" in line for line in logs),
              "the service's log does not say the replica was killed for its memory")
    row.figures = f"replica peak {peak} MiB vs limit {limit_mib} MiB, {restarts} kills"
    await client.close()
    server.stop()
    return row


async def hang(binary: Path, root: Path, scripts: fixtures.Scripts, profile) -> Row:
    row = Row(name="replicas: hanging score.py", allowed="the hung ones")
    timeout_ms = 1500
    server, client, key, source, _ = await setup(
        binary, root, scripts, "hang", fixtures.ECHO, num_replicas=2, replica_max_concurrent_requests=1,
        scoring_timeout_ms=timeout_ms, max_request_wait_time=5000, cpu_cores=0.1, memory_gb=0.1)
    load = Load(lambda: fixtures.client_for(server.address, server.credentials), "hang", key,
                b'{"sleep": 0.01}', workers=1, timeout=8)
    tasks = load.start()
    hung: list[Outcome] = []
    try:
        await asyncio.sleep(0.5)
        for _ in range(3):  # more hangs than replicas: a pool that never replaces hung replicas stops serving
            started = time.monotonic()
            try:
                await client.score(WS, "hang", b'{"hang": true}', key=key, timeout=10)
                hung.append(Outcome(started, time.monotonic(), "OK"))
            except ModelGateError as error:
                hung.append(Outcome(started, time.monotonic(), error.code, error.message))
            row.faults += 1
            await asyncio.sleep(0.3)
        healed = await wait_ready(client, "hang", 2, 15)
        row.check(healed is not None, "the pool did not get back to 2 ready replicas after the hangs")
        await asyncio.sleep(1)
    finally:
        load.stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
    for outcome in hung:
        row.check(outcome.code == "DEADLINE_EXCEEDED", f"a hung run() answered {outcome.code}: {outcome.message}")
        row.check(outcome.seconds <= timeout_ms / 1000 + 1.0,
                  f"a hung run() was answered after {outcome.seconds:.1f} s (scoring timeout {timeout_ms} ms)")
    failures = load.failures()
    row.operations = len(load.outcomes) + len(hung)
    row.seen = len(failures) + len(hung)
    row.allowed = f"{len(hung)} hung"
    row.check(not failures, f"{len(failures)} well-behaved requests failed next to the hung ones: {summarize(failures)}")
    slowest = max((o.seconds for o in load.outcomes), default=0)
    row.check(slowest <= load.timeout + 1, f"a well-behaved request took {slowest:.1f} s")
    row.figures = (f"hung answered in {max((o.seconds for o in hung), default=0):.1f} s "
                   f"(timeout {timeout_ms / 1000:.1f} s); others p99 "
                   f"{percentile([o.seconds for o in load.outcomes], 0.99) * 1000:.0f} ms")
    await client.close()
    server.stop()
    return row


SCENARIOS = [kill_stop, leak, hang]
