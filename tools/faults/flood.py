"""Scenario 3: floods and slow clients, next to a well-behaved client.

A probe process scores one request at a time, first on a quiet server (the
baseline), then while the suite runs, all at once: thousands of idle
connections, clients that open scoring streams and never read, slowloris peers
(a preface or a frame header sent a byte at a time, then nothing), rapid
open-and-cancel of streams, oversized frames, and bursts of bad keys
(200 at once, every second).
Invariants: the server stays up, its resident memory stays under the bound,
the probe's p99 stays within 2x its quiet p99 (the larger of the p99s
before and after the flood, with a 5 ms floor for timer noise), and every attacker gets a clear answer (a status, a GO_AWAY or a
closed connection), never a hang of the server.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import resource
import struct
import subprocess
import sys
import time
from pathlib import Path

from modelgate import frames
from modelgate.aio import AsyncClient
from modelgate.errors import ModelGateError
from modelgate.v1 import scoring_pb2, transport_pb2

import fixtures
from harness import Row, make_server, memory_kib, percentile

WS = "flood"
SCORE_STREAM = "/modelgate.v1.ScoringService/ScoreStream"
SCORE = "/modelgate.v1.ScoringService/Score"
HERE = Path(__file__).resolve().parent


def raise_file_limit(wanted: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, wanted), hard))


def settings_frame() -> bytes:
    return frames.encode_frame(frames.SETTINGS, 0, transport_pb2.Settings().SerializeToString())


def headers(stream_id: int, method: str, key: str = "") -> bytes:
    payload = transport_pb2.CallHeaders(method=method, metadata={"authorization": f"Bearer {key}"} if key else {})
    return frames.encode_frame(frames.HEADERS, stream_id, payload.SerializeToString())


async def open_raw(port: int):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(frames.PREFACE + settings_frame())
    await writer.drain()
    return reader, writer


async def closed_within(reader, seconds: float) -> bool:
    """Reads until EOF (or a reset) within seconds; True when the server closed the connection."""
    try:
        async with asyncio.timeout(seconds):
            while await reader.read(65536):
                pass
        return True
    except (ConnectionError, OSError):
        return True
    except TimeoutError:
        return False


class Attacks:
    def __init__(self, port: int, key: str, connections: int, seconds: float, row: Row, burst: int) -> None:
        self.port, self.key, self.connections, self.seconds, self.row = port, key, connections, seconds, row
        # Streams opened and cancelled per rapid-reset connection, and bad keys per burst
        # (the short form's small counts: past the 200-a-second cancel budget, on a debug build).
        self.burst = burst
        self.counts: dict[str, int] = {}
        self.writers = []

    def count(self, name: str, n: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + n

    async def idle_connections(self) -> None:
        """Many connections that handshake and then sit idle."""
        async def one():
            try:
                reader, writer = await open_raw(self.port)
                self.writers.append(writer)
                self.count("idle connections")
            except OSError as error:
                self.count(f"connect failed ({error.__class__.__name__})")
        for start in range(0, self.connections, 250):
            await asyncio.gather(*(one() for _ in range(min(250, self.connections - start))))

    async def non_reader(self) -> None:
        """Opens scoring streams, sends requests as fast as flow control allows, never reads a byte."""
        reader, writer = await open_raw(self.port)
        self.writers.append(writer)
        request = scoring_pb2.ScoreRequest(workspace=WS, service="echo", body=b'{"pad": "' + b"x" * 16000 + b'"}')
        sent = 0
        end = time.monotonic() + self.seconds
        for stream_id in range(1, 2 * 8, 2):
            writer.write(headers(stream_id, SCORE_STREAM, self.key))
        while time.monotonic() < end:
            for stream_id in range(1, 2 * 8, 2):
                request.request_id = str(sent)
                writer.write(frames.encode_frame(frames.MESSAGE, stream_id, request.SerializeToString()))
                sent += 1
            try:
                await asyncio.wait_for(writer.drain(), 0.5)
            except (asyncio.TimeoutError, ConnectionError):
                await asyncio.sleep(0.1)  # the server stopped reading: flow control holds us back
        self.count("non-reader requests sent", sent)

    async def slowloris(self) -> None:
        """Prefaces and frame headers dribbled a byte at a time; the server must drop them."""
        async def one(partial: bytes):
            reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
            for byte in partial:
                writer.write(bytes([byte]))
                await asyncio.sleep(0.05)
            self.count("slowloris peers")
            self.writers.append(writer)
        await asyncio.gather(*(one(frames.PREFACE[:9]) for _ in range(10)),
                             *(one(frames.PREFACE + settings_frame() + headers(1, SCORE)[:7]) for _ in range(10)))

    async def rapid_cancel(self) -> None:
        """HEADERS then CANCEL, over and over (the rapid-reset attack): the server must cut it off."""
        end = time.monotonic() + self.seconds
        while time.monotonic() < end:
            reader, writer = await open_raw(self.port)
            stream_id = 1
            try:
                for _ in range(10 * self.burst):
                    writer.write(headers(stream_id, SCORE, self.key) +
                                 frames.encode_frame(frames.CANCEL, stream_id, b""))
                    stream_id += 2
                    if stream_id % 101 == 0:
                        await writer.drain()
                await writer.drain()
                self.count("rapid cancels", stream_id // 2)
                if not await closed_within(reader, 5):
                    self.row.problems.append("a rapid open-and-cancel peer was not cut off within 5 s")
            except (ConnectionError, OSError):
                self.count("rapid cancels", stream_id // 2)
            finally:
                writer.close()
            await asyncio.sleep(0.2)  # a burst per connection; the point is the budget, not our CPU

    async def oversized(self) -> None:
        """Frames declaring more than the 4 MiB limit: each closes only its own connection."""
        end = time.monotonic() + self.seconds
        while time.monotonic() < end:
            reader, writer = await open_raw(self.port)
            writer.write(headers(1, SCORE, self.key) + struct.pack(">IBBI", 64 * 1024 * 1024, frames.MESSAGE, 0, 1)
                         + b"\0" * 65536)
            try:
                await writer.drain()
            except (ConnectionError, OSError):
                pass
            self.count("oversized frames")
            if not await closed_within(reader, 5):
                self.row.problems.append("a peer sending a 64 MiB frame was not closed within 5 s")
            writer.close()
            await asyncio.sleep(0.05)

    async def bad_keys(self, address: str, credentials: Path) -> None:
        """Bursts of bad keys (``burst`` scoring calls at once) every second; each must be UNAUTHENTICATED."""
        async with AsyncClient(server=address, credentials_path=str(credentials), timeout=10) as client:
            end = time.monotonic() + self.seconds
            while time.monotonic() < end:
                started = time.monotonic()
                results = await asyncio.gather(*(client.score(WS, "echo", b"{}", key=f"bad-{i}") for i in range(self.burst)),
                                               return_exceptions=True)
                for result in results:
                    code = result.code if isinstance(result, ModelGateError) else "OK"
                    self.count(f"bad keys {code}")
                await asyncio.sleep(max(0.0, 1 - (time.monotonic() - started)))

    def close(self) -> None:
        for writer in self.writers:
            writer.close()


def probe(server, key: str, seconds: float) -> dict:
    output = subprocess.run([sys.executable, str(HERE / "probe.py"), server.address, str(server.credentials), WS,
                             "echo", key, str(seconds)], capture_output=True, text=True, timeout=seconds + 60)
    if output.returncode != 0:
        raise RuntimeError(f"the probe failed: {output.stderr[-500:]}")
    return json.loads(output.stdout)


async def run(binary: Path, root: Path, scripts: fixtures.Scripts, profile) -> Row:
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)  # writes to peers the server cut off are expected
    row = Row(name=f"flood: {profile.connections} conns, slow/bad peers", allowed="attackers only")
    raise_file_limit(profile.connections + 2000)
    server = make_server(binary, root, "flood")
    server.start()
    client = fixtures.client_for(server.address, server.credentials)
    model = await fixtures.prepare_workspace(client, WS, root / "flood" / "model")
    await fixtures.deploy_and_wait(client, WS, "echo", model, scripts.inference("echo", fixtures.ECHO),
                                   fixtures.aks_config("aks", num_replicas=2, replica_max_concurrent_requests=4,
                                                       cpu_cores=0.1, memory_gb=0.1))
    key = (await client.get_keys(WS, "echo")).primary_key
    await client.close()
    loop = asyncio.get_running_loop()
    # Latency on a shared machine is noisy: a round whose only problem is the p99
    # bound is run once more, and the invariant fails only if both rounds miss it.
    # The second round counts only if it attacks about as hard as the first: a
    # lighter flood passing the bound would prove nothing.
    first_volume = 0
    for attempt in (1, 2):
        latency_ok, figures, volume = await flood_round(server, key, profile, row, loop)
        if attempt == 2 and volume < first_volume // 2:
            row.check(False, f"the second round attacked with {volume} operations, under half the first round's "
                             f"{first_volume}, so it cannot stand in for it: {figures}")
        if latency_ok or attempt == 2 or row.problems:
            break
        first_volume = volume
        row.figures = f"round 1 missed the p99 bound ({figures}); "
    row.check(latency_ok, f"p99 under the flood over 2x the quiet p99 in two rounds: {figures}")
    row.figures += figures
    server.stop()
    return row


async def flood_round(server, key: str, profile, row: Row, loop) -> tuple[bool, str, int]:
    """One quiet probe, the flood with a probe beside it, one more quiet probe.

    Returns (p99 within 2x, figures, the attackers' operations other than idle connections)."""
    quiet = await loop.run_in_executor(None, probe, server, key, profile.flood_seconds)
    rss_before = memory_kib(server.pid)[0] // 1024
    attacks = Attacks(server.port, key, profile.connections, profile.flood_seconds, row, profile.flood_burst)
    peak = [rss_before]
    sampling = True

    async def sample():
        while sampling:
            peak[0] = max(peak[0], memory_kib(server.pid)[0] // 1024)
            await asyncio.sleep(0.1)

    sampler = asyncio.ensure_future(sample())
    await attacks.idle_connections()
    # FAULTS_ATTACKS (comma-separated names) runs only some attackers, to find which one hurts.
    chosen = set(filter(None, os.environ.get("FAULTS_ATTACKS", "").split(","))) or None
    makers = {"non_reader": lambda: [attacks.non_reader(), attacks.non_reader()], "slowloris": lambda: [attacks.slowloris()],
              "rapid_cancel": lambda: [attacks.rapid_cancel()], "oversized": lambda: [attacks.oversized()],
              "bad_keys": lambda: [attacks.bad_keys(server.address, server.credentials)]}
    jobs = [asyncio.ensure_future(job) for name, make in makers.items() if chosen is None or name in chosen
            for job in make()]
    loud = await loop.run_in_executor(None, probe, server, key, profile.flood_seconds)
    results = await asyncio.gather(*jobs, return_exceptions=True)
    sampling = False
    await sampler
    for result in results:
        if isinstance(result, BaseException):
            row.problems.append(f"an attacker failed: {type(result).__name__}: {result}")
    alive = server.process is not None and server.process.poll() is None
    row.check(alive, f"the server died under the flood: {server.tail(10)}")
    attacks.close()
    row.operations += len(quiet["latencies"]) + len(loud["latencies"]) + sum(attacks.counts.values())
    row.faults += sum(v for k, v in attacks.counts.items() if not k.startswith("bad keys OK"))
    row.seen += len(quiet["failures"]) + len(loud["failures"])
    row.check(not quiet["failures"] and not loud["failures"],
              f"the well-behaved client failed: {(quiet['failures'] + loud['failures'])[:3]}")
    row.check(attacks.counts.get("bad keys OK", 0) == 0, "a bad key was accepted")
    row.check(attacks.counts.get("idle connections", 0) == profile.connections,
              f"only {attacks.counts.get('idle connections', 0)} of {profile.connections} connections were accepted")
    q99, l99 = percentile(quiet["latencies"], 0.99), percentile(loud["latencies"], 0.99)
    row.check(peak[0] <= profile.memory_bound_mib,
              f"server memory peaked at {peak[0]} MiB, over the {profile.memory_bound_mib} MiB bound")
    # Still serving after the attackers left; and the quiet baseline once more, as
    # the machine's own load drifts (other work on a shared CI machine).
    if alive:
        after = await loop.run_in_executor(None, probe, server, key, profile.flood_seconds)
        row.check(not after["failures"] and after["latencies"], "the server stopped serving after the flood")
        q99 = max(q99, percentile(after["latencies"], 0.99))
    figures = (f"RSS {rss_before} -> peak {peak[0]} MiB (bound {profile.memory_bound_mib}); p99 quiet "
               f"{q99 * 1000:.1f} ms, flood {l99 * 1000:.1f} ms; "
               + ", ".join(f"{k} {v}" for k, v in sorted(attacks.counts.items())))
    volume = sum(v for k, v in attacks.counts.items() if k != "idle connections")
    return l99 <= 2 * max(q99, 0.005), figures, volume
