"""The autoscaler benchmark (issue 5): a load step from 1 to 32 concurrent
callers of a score.py that sleeps 50 ms, against `modelgate serve`.

Reports
- the time from the step to the autoscaler's decision (the pool's replica
  count grows in GetService) and to the new replicas serving (all ready);
- requests/s per second of the run, with the ready replicas at that second,
  against the ideal line measured in the same run: replicas x the one-replica
  rate measured before the step (a 50 ms run() serves at most 20 requests/s
  per replica);
- with --sweep 1,2,4,8,16: requests/s of a fixed pool of each size, loaded by
  2 callers per replica, against the same ideal line (where the machine's
  limit shows as the ratio falling).

Usage: tools/bench/run autoscale [--modelgate PATH] [--max-replicas N] [--seconds S]
Needs the Python client (pip install ./clients/python).
"""
import argparse
import asyncio
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time

from modelgate.aio import AsyncClient
from modelgate.v1 import common_pb2, deployment_pb2

SCORE_PY = b"""import time


def init():
    pass


def run(raw_data):
    time.sleep(0.05)
    return {"ok": True}
"""


def log(text):
    print(text, file=sys.stderr, flush=True)


def archive():
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo("score.py")
        info.size = len(SCORE_PY)
        tar.addfile(info, io.BytesIO(SCORE_PY))
    return buffer.getvalue()


def replica_counts(service):
    ready = sum(1 for r in service.replicas if r.state == deployment_pb2.REPLICA_STATE_READY)
    live = sum(1 for r in service.replicas if r.state not in (deployment_pb2.REPLICA_STATE_DRAINING,
                                                              deployment_pb2.REPLICA_STATE_STOPPED))
    return live, ready


async def deploy(client, name, config):
    inference = deployment_pb2.InferenceConfig(entry_script="score.py", source_archive=archive())
    await client.deploy("bench", name, [], inference, config)
    async for event in client.wait_for_deployment("bench", name):
        if event.final:
            if event.state != deployment_pb2.WEB_SERVICE_STATE_HEALTHY:
                raise RuntimeError("deployment failed: %s" % event.message)
            break
    return (await client.get_keys("bench", name)).primary_key


async def rate(client, name, key, callers, seconds):
    """Requests/s of `callers` callers over `seconds` (after a 1 s warm-up)."""
    done = [0]
    counting = [False]
    stop_at = time.monotonic() + 1 + seconds

    async def caller():
        while time.monotonic() < stop_at:
            try:
                await client.score("bench", name, b"{}", key=key, timeout=30)
                if counting[0]:
                    done[0] += 1
            except Exception:  # noqa: BLE001 - a refused request just is not counted
                await asyncio.sleep(0.01)

    tasks = [asyncio.create_task(caller()) for _ in range(callers)]
    await asyncio.sleep(1)
    counting[0] = True
    start = time.monotonic()
    await asyncio.gather(*tasks)
    return done[0] / (time.monotonic() - start)


async def sweep(args, client):
    """Fixed pools of each size: requests/s against replicas x the one-replica rate."""
    rows = []
    for replicas in args.sweep:
        config = deployment_pb2.DeploymentConfig(
            compute_type=common_pb2.COMPUTE_TYPE_AKS, compute_target_name="aks1", num_replicas=replicas,
            autoscale_enabled=2, max_request_wait_time_ms=5000)
        name = "sweep-%d" % replicas
        log("sweep: %d replica(s)..." % replicas)
        key = await deploy(client, name, config)
        rows.append((replicas, await rate(client, name, key, 2 * replicas, args.sweep_seconds)))
        await client.delete_service("bench", name)
    one = rows[0][1] / rows[0][0] if rows else 0
    return [(replicas, measured, replicas * one) for replicas, measured in rows]


async def bench(args, address, credentials):
    client = AsyncClient(address, credentials_path=credentials, timeout=30)
    await client.create_workspace("bench", "westeurope")
    most = max([args.max_replicas] + args.sweep)
    await client.attach_compute("bench", "aks1", cpu_cores=2 * most * 0.1 + 0.05, memory_gb=2 * most * 0.5 + 1)
    sweep_rows = await sweep(args, client) if args.sweep else []
    config = deployment_pb2.DeploymentConfig(
        compute_type=common_pb2.COMPUTE_TYPE_AKS, compute_target_name="aks1",
        autoscale_enabled=1, autoscale_min_replicas=1, autoscale_max_replicas=args.max_replicas,
        max_request_wait_time_ms=5000)
    key = await deploy(client, "sleepy", config)

    completed = []  # completion times
    stop_at = [0.0]

    async def caller():
        while time.monotonic() < stop_at[0]:
            try:
                await client.score("bench", "sleepy", b"{}", key=key, timeout=30)
                completed.append(time.monotonic())
            except Exception:  # noqa: BLE001 - a refused request just is not counted
                await asyncio.sleep(0.01)

    # One caller: the one-replica rate (one caller keeps one replica busy; the
    # autoscaler may add a second replica, which one caller cannot use).
    log("1 caller for %.0f s..." % args.baseline)
    start = time.monotonic()
    stop_at[0] = start + args.baseline
    await caller()
    one_rate = len(completed) / (time.monotonic() - start)
    service = await client.get_service("bench", "sleepy")
    before, _ = replica_counts(service)
    completed.clear()

    # The step: 32 callers.
    log("step to %d callers for %.0f s..." % (args.callers, args.seconds))
    step = time.monotonic()
    stop_at[0] = step + args.seconds
    tasks = [asyncio.create_task(caller()) for _ in range(args.callers)]
    timeline = []  # (t, live, ready)
    decided = serving = None
    target = None
    while time.monotonic() < stop_at[0]:
        service = await client.get_service("bench", "sleepy")
        now = time.monotonic() - step
        live, ready = replica_counts(service)
        timeline.append((now, live, ready))
        if decided is None and live > before:
            decided, target = now, live
        if decided is not None and serving is None and ready >= target:
            serving = now
        await asyncio.sleep(0.05)
    await asyncio.gather(*tasks)
    # The autoscaler's own lines (the service's log), timed from the step.
    step_unix_ms = (time.time() - (time.monotonic() - step)) * 1000
    scale_lines = []
    async for line in client.get_logs("bench", "sleepy", tail=10000):
        if line.text.startswith("autoscaler:"):
            scale_lines.append("%+.2f s  %s" % ((line.timestamp_unix_ms - step_unix_ms) / 1000, line.text))
    await client.close()

    # Requests/s per whole second, with the ready replicas at its end.
    rows = []
    for second in range(int(args.seconds)):
        lo, hi = step + second, step + second + 1
        rate = sum(1 for t in completed if lo <= t < hi)
        ready = max((r for (t, _, r) in timeline if t < second + 1), default=0)
        rows.append((second + 1, ready, rate, ready * one_rate))
    return {"one_replica_rps": one_rate, "replicas_before": before, "decision_s": decided, "target": target,
            "serving_s": serving, "rows": rows, "log": scale_lines, "sweep": sweep_rows}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--modelgate", default=None, help="the modelgate binary (default: swift build's)")
    parser.add_argument("--max-replicas", type=int, default=16, help="autoscale_max_replicas (default 16)")
    parser.add_argument("--callers", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=15, help="length of the step (default 15)")
    parser.add_argument("--baseline", type=float, default=3, help="seconds of one caller before the step (default 3)")
    parser.add_argument("--sweep", default="", help="fixed pool sizes to measure, such as 1,2,4,8,16 (default: none)")
    parser.add_argument("--sweep-seconds", type=float, default=4, help="measured seconds per pool size (default 4)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()
    args.sweep = [int(n) for n in args.sweep.split(",") if n.strip()]
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    binary = args.modelgate or os.path.join(subprocess.check_output(
        ["swift", "build", "--show-bin-path"], text=True, cwd=root).strip(), "modelgate")
    with tempfile.TemporaryDirectory() as workdir:
        data_dir = os.path.join(workdir, "data")
        serve_log = open(os.path.join(workdir, "serve.log"), "wb")
        server = subprocess.Popen([binary, "serve", "--listen", "127.0.0.1:0", "--data-dir", data_dir, "--log-level", "warning",
                                   "--autoscale-scale-down-delay", "600"], stdout=serve_log, stderr=subprocess.STDOUT)
        try:
            credentials = os.path.join(data_dir, "credentials.json")
            deadline = time.monotonic() + 60
            address = ""
            while time.monotonic() < deadline:
                if server.poll() is not None:
                    raise RuntimeError("modelgate serve exited with %s" % server.returncode)
                try:
                    with open(credentials) as handle:
                        address = json.load(handle).get("server") or ""
                except (OSError, ValueError):
                    address = ""
                if address and not address.endswith(":0"):
                    break
                time.sleep(0.1)
            result = asyncio.run(bench(args, address, credentials))
        finally:
            server.terminate()
            server.wait(timeout=60)
    if args.json:
        print(json.dumps(result))
        return
    print("one replica, one caller: %.1f req/s (ideal for 50 ms: 20)" % result["one_replica_rps"])
    print("load step 1 -> %d callers (%d replica(s) before):" % (args.callers, result["replicas_before"]))
    fmt = lambda v: "n/a" if v is None else "%.2f s" % v
    print("  autoscaler decision (replicas grow to %s): %s after the step" % (result["target"], fmt(result["decision_s"])))
    print("  new replicas serving (all ready):         %s after the step" % fmt(result["serving_s"]))
    print("the service's log (autoscaler lines, from the step):")
    for line in result["log"]:
        print("  " + line)
    print("%6s %8s %8s %10s %6s" % ("second", "ready", "req/s", "ideal", "ratio"))
    for second, ready, per_second, ideal in result["rows"]:
        print("%6d %8d %8d %10.0f %5.0f%%" % (second, ready, per_second, ideal, 100 * per_second / ideal if ideal else 0))
    if result["sweep"]:
        print("fixed pools, 2 callers per replica:")
        print("%8s %8s %10s %6s" % ("replicas", "req/s", "ideal", "ratio"))
        for replicas, measured, ideal in result["sweep"]:
            print("%8d %8.0f %10.0f %5.0f%%" % (replicas, measured, ideal, 100 * measured / ideal if ideal else 0))


if __name__ == "__main__":
    main()
