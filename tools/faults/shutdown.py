"""Scenario 5: SIGTERM while streaming scoring is in flight.

Streams of slow requests run on their own connections; SIGTERM lands while
they are half done. Invariants: every request of those streams is answered OK,
a new call after the signal is refused (GO_AWAY on an open connection, a
GO_AWAY or a refused connection for a new one), and the process exits 0 within
the drain limit.
"""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

from modelgate import frames
from modelgate.v1 import scoring_pb2, transport_pb2

import fixtures
from flood import headers, open_raw
from harness import Row, make_server

WS = "drain"
DRAIN_SECONDS = 10
HEALTH = "/modelgate.v1.ScoringService/Health"


async def refused(port: int, reuse=None) -> str:
    """How a new call after SIGTERM is answered: "go-away", "refused", "closed", or "served" (the failure)."""
    try:
        if reuse is None:
            reader, writer = await open_raw(port)
        else:
            reader, writer = reuse
        writer.write(headers(1, HEALTH) +
                     frames.encode_frame(frames.MESSAGE, 1, scoring_pb2.HealthRequest().SerializeToString(),
                                         frames.END_STREAM))
        await writer.drain()
    except (ConnectionError, OSError):
        return "refused"
    decoder = frames.FrameDecoder(expect_preface=True)  # neither connection has read the server's preface yet
    try:
        async with asyncio.timeout(5):
            while True:
                data = await reader.read(65536)
                if not data:
                    return "closed"
                for frame in decoder.feed(data):
                    if frame.type == frames.GO_AWAY:
                        return "go-away"
                    if frame.type == frames.TRAILERS:
                        trailers = transport_pb2.Trailers()
                        trailers.ParseFromString(frame.payload)
                        return "served" if trailers.code == 0 else f"refused with code {trailers.code}"
    except (ConnectionError, OSError):
        return "closed"
    except TimeoutError:
        return "no answer in 5 s"
    finally:
        writer.close()


async def run(binary: Path, root: Path, scripts: fixtures.Scripts, profile) -> Row:
    row = Row(name="graceful shutdown (SIGTERM)", allowed="0 in flight")
    server = make_server(binary, root, "shutdown", extra_args=["--drain-timeout", str(DRAIN_SECONDS)])
    server.start()
    client = fixtures.client_for(server.address, server.credentials)
    model = await fixtures.prepare_workspace(client, WS, root / "shutdown" / "model")
    await fixtures.deploy_and_wait(client, WS, "echo", model, scripts.inference("echo", fixtures.ECHO),
                                   fixtures.aks_config("aks", num_replicas=2, replica_max_concurrent_requests=4,
                                                       max_request_wait_time=30000, cpu_cores=0.1, memory_gb=0.1))
    key = (await client.get_keys(WS, "echo")).primary_key
    await client.close()
    streams, per_stream = 3, 30 if profile.kills_per_kind < 20 else 120

    async def stream(index: int) -> list[str]:
        async with fixtures.client_for(server.address, server.credentials, timeout=None) as scorer:
            codes = []
            async for response in scorer.score_stream(WS, "echo", [b'{"sleep": 0.1}'] * per_stream, key=key):
                codes.append("OK" if response.code == 0 else f"{response.code}: {response.message}")
            return codes

    idle = await open_raw(server.port)  # an open connection that starts a call after the signal
    tasks = [asyncio.ensure_future(stream(i)) for i in range(streams)]
    await asyncio.sleep(0.6)
    sent_at = time.monotonic()
    server.process.send_signal(signal.SIGTERM)
    row.faults = 1
    await asyncio.sleep(0.2)
    on_open = await refused(server.port, idle)
    on_new = await refused(server.port)
    loop = asyncio.get_running_loop()
    process = server.process
    try:
        code = await loop.run_in_executor(None, lambda: process.wait(timeout=DRAIN_SECONDS + 10))
    except Exception:  # noqa: BLE001 - subprocess.TimeoutExpired
        code = None
        process.kill()
        process.wait()
    exited_after = time.monotonic() - sent_at
    server.process = None
    results = await asyncio.gather(*tasks, return_exceptions=True)
    answered = 0
    for result in results:
        if isinstance(result, BaseException):
            row.problems.append(f"an in-flight stream failed: {type(result).__name__}: {result}")
            continue
        answered += len(result)
        bad = [c for c in result if c != "OK"]
        row.check(not bad and len(result) == per_stream,
                  f"an in-flight stream got {len(result)} of {per_stream} answers, failures {bad[:2]}")
    row.operations = answered
    row.seen = streams * per_stream - sum(1 for r in results if not isinstance(r, BaseException) for c in r if c == "OK")
    row.check(on_open == "go-away", f"a new call on an open connection after SIGTERM: {on_open} (expected go-away)")
    row.check(on_new in ("go-away", "refused", "closed"), f"a new connection after SIGTERM: {on_new}")
    row.check(code == 0, f"the server exited with {code} after SIGTERM (expected 0)")
    row.check(exited_after <= DRAIN_SECONDS + 2, f"the server took {exited_after:.1f} s to exit "
                                                 f"(drain limit {DRAIN_SECONDS} s)")
    row.figures = (f"{answered}/{streams * per_stream} in-flight answered; new call: open conn {on_open}, "
                   f"new conn {on_new}; exit {code} after {exited_after:.1f} s (limit {DRAIN_SECONDS} s)")
    return row
