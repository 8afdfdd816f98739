"""The scoring benchmark (issue 3): the same score.py behind Azure's inference
server, a plain grpcio server, ModelGate, and in a loop in one process, all in
one run on this machine; prints one table. Run it through tools/bench/scoring,
which builds the binaries and the virtual environment this needs.

Progress goes to stderr, the table to stdout. Every server is started on a free
127.0.0.1 port in a temporary folder and stopped before the next one starts, so
only one system is loaded at a time.
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
EXAMPLE = os.path.join(REPO, "examples", "linear-regression")
PYTHON = sys.executable  # the benchmark's virtual environment


def log(message):
    print(message, file=sys.stderr, flush=True)


class Script:
    """One score.py with its model folder and the request body sent to it."""

    def __init__(self, name, title, source_dir, model_dir, body_file):
        self.name = name
        self.title = title
        self.source_dir = source_dir
        self.entry = os.path.join(source_dir, "score.py")
        self.model_dir = model_dir
        self.body_file = body_file
        with open(body_file, "rb") as handle:
            self.body = handle.read()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise RuntimeError("timed out after %d s waiting for %s" % (timeout, what))


def stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run_json(command, timeout):
    """Runs a command that prints one JSON object on its last stdout line."""
    output = subprocess.run(command, check=True, stdout=subprocess.PIPE, timeout=timeout).stdout
    return json.loads(output.decode().strip().splitlines()[-1])


# MARK: CPU time


TICKS = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid):
    """/proc/<pid>/stat after the command name (field 3 of proc(5) first), or None."""
    try:
        with open("/proc/%d/stat" % pid) as handle:
            text = handle.read()
    except OSError:
        return None
    return text[text.rindex(")") + 2:].split()


def tree_cpu_seconds(pid):
    """User + system CPU seconds of pid and its direct children (gunicorn's worker, ModelGate's replicas)."""
    pids = [pid]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat_fields(int(entry))
            if fields and int(fields[1]) == pid:
                pids.append(int(entry))
    total = 0.0
    for each in pids:
        fields = _stat_fields(each)
        if fields:
            total += (int(fields[11]) + int(fields[12])) / TICKS
    return total


# MARK: the ceiling


def ceiling(script, args):
    log("ceiling: %s run() in a loop" % script.name)
    result = run_json([PYTHON, os.path.join(HERE, "ceiling.py"), "--script", script.entry,
                       "--model-dir", script.model_dir, "--body", script.body_file,
                       "--seconds", str(args.seconds)], timeout=120)
    result.update(system="ceiling", mode="loop", concurrency=1, script=script.name)
    return [result]


# MARK: Azure's inference server


WRK_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open(%r, "rb")
wrk.body = f:read("*all")
f:close()
"""

UNITS = {"us": 1.0, "ms": 1000.0, "s": 1e6, "m": 60e6}


def parse_duration_us(text):
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not match:
        raise ValueError("cannot parse wrk duration %r" % text)
    return float(match.group(1)) * UNITS[match.group(2)]


def wrk(url, lua, concurrency, seconds):
    """One wrk run; requests/s, p50, p99 and failures from its report."""
    command = ["wrk", "-t1", "-c%d" % concurrency, "-d%ds" % max(1, round(seconds)), "--latency",
               "--timeout", "10s", "-s", lua, url]
    report = subprocess.run(command, check=True, stdout=subprocess.PIPE, timeout=seconds + 60).stdout.decode()
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", report).group(1))}
    result["count"] = int(re.search(r"(\d+) requests in", report).group(1))
    result["p50_us"] = parse_duration_us(re.search(r"\s50%\s+(\S+)", report).group(1))
    result["p99_us"] = parse_duration_us(re.search(r"\s99%\s+(\S+)", report).group(1))
    errors = 0
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", report)
    if non2xx:
        errors += int(non2xx.group(1))
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", report)
    if sockets:
        errors += sum(int(count) for count in sockets.groups())
    result["errors"] = errors
    return result


def azure(script, args, workdir):
    port = free_port()
    logfile = open(os.path.join(workdir, "azmlinfsrv-%s.log" % script.name), "wb")
    env = dict(os.environ, AZUREML_MODEL_DIR=script.model_dir)
    log("Azure azmlinfsrv: starting %s on port %d" % (script.name, port))
    server = subprocess.Popen(
        [os.path.join(os.path.dirname(PYTHON), "azmlinfsrv"), "--entry_script", script.entry, "--port", str(port)],
        cwd=script.source_dir, env=env, stdout=logfile, stderr=subprocess.STDOUT)
    url = "http://127.0.0.1:%d/score" % port

    def ready():
        if server.poll() is not None:
            raise RuntimeError("azmlinfsrv exited with %s; see %s" % (server.returncode, logfile.name))
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/" % port, timeout=1) as answer:
                return answer.status == 200
        except OSError:
            return False

    results = []
    try:
        wait_until(ready, 120, "azmlinfsrv")
        request = urllib.request.Request(url, data=script.body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            sample = answer.read()
            closes = answer.headers.get("Connection", "").lower() == "close"
        log("  answer: %s (Connection: %s)" % (sample[:80].decode(errors="replace"), "close" if closes else "keep-alive"))
        lua = os.path.join(workdir, "wrk-%s.lua" % script.name)
        with open(lua, "w") as handle:
            handle.write(WRK_SCRIPT % script.body_file)
        for concurrency in args.concurrency:
            wrk(url, lua, concurrency, args.warmup)
            cpu_before = tree_cpu_seconds(server.pid)
            result = wrk(url, lua, concurrency, args.seconds)
            if result["count"]:
                result["cpu_us"] = (tree_cpu_seconds(server.pid) - cpu_before) * 1e6 / result["count"]
            result.update(system="azure", mode="http", concurrency=concurrency, script=script.name,
                          new_connection_per_request=closes)
            log("  %d connections: %.0f req/s, p50 %.0f us, p99 %.0f us, %d failed"
                % (concurrency, result["rps"], result["p50_us"], result["p99_us"], result["errors"]))
            results.append(result)
    finally:
        stop(server)
        logfile.close()
    return results


# MARK: grpcio


def grpcio(script, args, workdir):
    port_file = os.path.join(workdir, "grpc-port-%s" % script.name)
    logfile = open(os.path.join(workdir, "grpc-%s.log" % script.name), "wb")
    log("grpcio: starting %s" % script.name)
    server = subprocess.Popen(
        [PYTHON, os.path.join(HERE, "grpc_server.py"), "--script", script.entry, "--model-dir", script.model_dir,
         "--port-file", port_file], stdout=logfile, stderr=subprocess.STDOUT)
    results = []
    try:
        def ready():
            if server.poll() is not None:
                raise RuntimeError("grpc_server.py exited with %s; see %s" % (server.returncode, logfile.name))
            return os.path.exists(port_file)

        wait_until(ready, 120, "the grpcio server")
        with open(port_file) as handle:
            port = handle.read().strip()
        for mode in ("unary", "stream"):
            for concurrency in args.concurrency:
                cpu_before = tree_cpu_seconds(server.pid)
                result = run_json([PYTHON, os.path.join(HERE, "grpc_client.py"), "--port", port, "--mode", mode,
                                   "--concurrency", str(concurrency), "--body", script.body_file,
                                   "--seconds", str(args.seconds), "--warmup", str(args.warmup)],
                                  timeout=args.seconds + 120)
                # The client's warm-up is not in its count: estimate the requests served over the whole run.
                served = result["rps"] * (args.seconds + args.warmup)
                if served:
                    result["cpu_us"] = (tree_cpu_seconds(server.pid) - cpu_before) * 1e6 / served
                result.update(system="grpcio", mode=mode, concurrency=concurrency, script=script.name)
                log("  %s, %d in flight: %.0f req/s, p50 %.0f us, p99 %.0f us"
                    % (mode, concurrency, result["rps"], result["p50_us"], result["p99_us"]))
                results.append(result)
    finally:
        stop(server)
        logfile.close()
    return results


# MARK: ModelGate


def pack(source_dir, archive):
    """The source folder as the gzip-compressed tar a client sends with Deploy."""
    with tarfile.open(archive, "w:gz") as tar:
        for name in sorted(os.listdir(source_dir)):
            if name == "__pycache__":
                continue
            tar.add(os.path.join(source_dir, name), arcname=name)


def modelgate(scripts, args, workdir, failures, tls=None):
    """ModelGate's figures; with `tls` (a folder from `modelgate tls self-signed`) it serves and is called over TLS."""
    data_dir = os.path.join(workdir, "modelgate-data")
    os.makedirs(data_dir)
    logfile = open(os.path.join(workdir, "modelgate-serve.log"), "wb")
    # Replicas run `python3` from PATH: put the benchmark's environment first, so
    # ModelGate's replicas run the same interpreter and packages as the others.
    env = dict(os.environ, PATH=os.path.dirname(PYTHON) + os.pathsep + os.environ.get("PATH", ""))
    env.pop("MODELGATE_DATA_DIR", None)
    log("ModelGate: starting %s serve" % args.modelgate)
    server = subprocess.Popen(
        [args.modelgate, "serve", "--listen", "127.0.0.1:0", "--data-dir", data_dir, "--log-level", "warning"]
        + (["--tls-cert", os.path.join(tls, "cert.pem"), "--tls-key", os.path.join(tls, "key.pem")] if tls else []),
        env=env, stdout=logfile, stderr=subprocess.STDOUT)
    credentials = os.path.join(data_dir, "credentials.json")
    try:
        def ready():
            if server.poll() is not None:
                raise RuntimeError("modelgate serve exited with %s; see %s" % (server.returncode, logfile.name))
            try:
                with open(credentials) as handle:
                    address = json.load(handle).get("server") or ""
                return not address.endswith(":0") and address != ""
            except (OSError, ValueError):
                return False

        wait_until(ready, 60, "modelgate serve")
        with open(credentials) as handle:
            address = json.load(handle)["server"]
        plan = {
            "server": address,
            "credentials": credentials,
            "server_pid": server.pid,
            "seconds": args.seconds,
            "warmup": args.warmup,
            "concurrency": args.concurrency,
            "replicas": args.replicas,
            "memory_streams": args.streams,
            "scripts": [],
        }
        if tls:
            plan["tls_ca"] = os.path.join(tls, "ca.pem")
        for script in scripts:
            archive = os.path.join(workdir, "%s-source.tar.gz" % script.name)
            pack(script.source_dir, archive)
            plan["scripts"].append({"name": script.name, "archive": archive, "entry_script": "score.py",
                                    "model_dir": script.model_dir, "body_file": script.body_file})
        plan_file = os.path.join(workdir, "modelgate-plan.json")
        with open(plan_file, "w") as handle:
            json.dump(plan, handle, indent=2)
        finished = subprocess.run([args.bench, "scoring", "--plan", plan_file], stdout=subprocess.PIPE, timeout=3600)
        results = [json.loads(line) for line in finished.stdout.decode().splitlines() if line.startswith("{")]
        if finished.returncode != 0:
            # Keep the figures measured before the failure.
            failures.append("ModelGate: modelgate-bench scoring exited with %d (see above)" % finished.returncode)
        return results
    finally:
        stop(server)
        logfile.close()


# MARK: the table


def fmt_rate(value):
    return "{:,}".format(int(round(value)))


def fmt_us(value):
    if value is None:
        return "-"
    if value >= 10_000:
        return "%d ms" % round(value / 1000)
    if value >= 1000:
        return "%.1f ms" % (value / 1000)
    if value >= 10:
        return "%d µs" % round(value)
    return "%.1f µs" % value


def fmt_ratio(value):
    if value is None:
        return "-"
    return "%.1f×" % value if value < 100 else "%d×" % round(value)


def align(rows):
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = []
        for column, cell in enumerate(row):
            if column == 0:
                cells.append(cell.ljust(widths[column]))
            else:
                cells.append(cell.rjust(widths[column]))
        lines.append("  ".join(cells).rstrip())
    return lines


LABELS = [
    ("azure", "http", "Azure azmlinfsrv 1.5.1, HTTP"),
    ("grpcio", "unary", "grpcio, unary"),
    ("grpcio", "stream", "grpcio, bidi stream"),
    ("modelgate", "unary", "ModelGate, unary"),
    ("modelgate", "stream", "ModelGate, ScoreStream"),
    ("ceiling", "loop", "in-process run() loop"),
]


def label(result):
    for system, mode, text in LABELS:
        if result["system"] == system and result["mode"] == mode:
            if system == "modelgate":
                replicas = result.get("replicas", 1)
                return "%s, %d replica%s" % (text, replicas, "" if replicas == 1 else "s")
            return text
    return "%s %s" % (result["system"], result["mode"])


def find(results, script, system, mode, concurrency, replicas=None):
    for result in results:
        if "kind" in result:
            continue
        if (result["script"] == script and result["system"] == system and result["mode"] == mode
                and result["concurrency"] == concurrency
                and (replicas is None or result.get("replicas", 1) == replicas)):
            return result
    return None


def cpu_per_request(result):
    """Server-side CPU time per request: the server's process tree (ModelGate: server plus replicas)."""
    if result["system"] == "modelgate":
        if result.get("server_cpu_us") is None:
            return None
        return result["server_cpu_us"] + result.get("replica_cpu_us", 0)
    if result["system"] == "ceiling":
        return 1e6 / result["rps"] if result["rps"] else None
    return result.get("cpu_us")


def render(scripts, results, args, load_before, load_after):
    lines = [""]
    lines.append("Scoring benchmark: the same score.py behind each system, one run on this machine "
                 "(%d cores; 1-minute load average %.2f before, %.2f after, which counts this run's own processes), "
                 "%g s per figure after %g s warm-up"
                 % (os.cpu_count(), load_before, load_after, args.seconds, args.warmup))
    lines.append("concurrency = requests in flight: HTTP connections (wrk), unary calls, or requests "
                 "in flight on one stream; ratios are requests/s over Azure's and grpcio's at the same concurrency "
                 "(unary vs grpcio unary, streams vs grpcio's stream); CPU/req is the CPU time the server side "
                 "used per request (its processes' user + system time over the measured window)")
    for script in scripts:
        lines.append("")
        lines.append("%s  (request: %d bytes)" % (script.title, len(script.body)))
        rows = [["system", "conc", "req/s", "p50", "p99", "vs Azure", "vs grpcio", "CPU/req", "failed"]]
        mine = [r for r in results if r["script"] == script.name and "kind" not in r]
        order = {key[:2]: index for index, key in enumerate(LABELS)}
        mine.sort(key=lambda r: (order.get((r["system"], r["mode"]), 99), r.get("replicas", 1), r["concurrency"]))
        for result in mine:
            base = find(results, script.name, "azure", "http", result["concurrency"])
            grpc_mode = "stream" if result["mode"] == "stream" else "unary"
            grpc = find(results, script.name, "grpcio", grpc_mode, result["concurrency"])
            compared = result["system"] not in ("azure", "ceiling")
            vs_azure = result["rps"] / base["rps"] if compared and base and base["rps"] else None
            vs_grpc = (result["rps"] / grpc["rps"]
                       if compared and grpc and grpc["rps"] and result["system"] != "grpcio" else None)
            rows.append([
                label(result),
                str(result["concurrency"]) if result["system"] != "ceiling" else "-",
                fmt_rate(result["rps"]),
                fmt_us(result.get("p50_us")),
                fmt_us(result.get("p99_us")),
                fmt_ratio(vs_azure),
                fmt_ratio(vs_grpc),
                fmt_us(cpu_per_request(result)),
                str(result.get("errors", 0)) if result["system"] != "ceiling" else "-",
            ])
        lines += align(rows)
    lines += goals(scripts, results, args)
    return "\n".join(lines)


def goals(scripts, results, args):
    """Issue 3's goals, checked against this run (concurrency 64, or the highest measured)."""
    top = max(args.concurrency)
    lines = ["", "Goals (issue 3), at concurrency %d:" % top]

    def verdict(ok):
        return "met" if ok else "NOT met"

    for script in scripts:
        name = script.name
        azure_r = find(results, name, "azure", "http", top)
        grpc_u = find(results, name, "grpcio", "unary", top)
        unary = find(results, name, "modelgate", "unary", top, replicas=1)
        stream = find(results, name, "modelgate", "stream", top, replicas=1)
        ceiling_r = find(results, name, "ceiling", "loop", 1)
        if not (azure_r and unary):
            lines.append("  %s: ModelGate or Azure figures missing" % name)
            continue
        checks = []
        ratio = unary["rps"] / azure_r["rps"]
        checks.append("unary %s Azure (goal ≥ 10×: %s)" % (fmt_ratio(ratio), verdict(ratio >= 10)))
        if grpc_u:
            ratio = unary["rps"] / grpc_u["rps"]
            checks.append("unary %s grpcio (goal ≥ 3×: %s)" % (fmt_ratio(ratio), verdict(ratio >= 3)))
        checks.append("unary p99 %s vs Azure's %s (goal < a tenth: %s)"
                      % (fmt_us(unary["p99_us"]), fmt_us(azure_r["p99_us"]),
                         verdict(unary["p99_us"] < azure_r["p99_us"] / 10)))
        if stream:
            ratio = stream["rps"] / azure_r["rps"]
            checks.append("stream %s Azure (goal ≥ 20×: %s)" % (fmt_ratio(ratio), verdict(ratio >= 20)))
            if ceiling_r:
                share = stream["rps"] / ceiling_r["rps"]
                checks.append("stream = %.1f %% of the in-process loop (goal ≥ 25 %%: %s)"
                              % (share * 100, verdict(share >= 0.25)))
        more = [r for r in results if "kind" not in r and r["script"] == name and r["system"] == "modelgate"
                and r["concurrency"] == top and r.get("replicas", 1) > 1]
        for result in more:
            one = find(results, name, "modelgate", result["mode"], top, replicas=1)
            if one and one["rps"]:
                checks.append("%s with %d replicas %s of 1 replica (goal > 1×: %s)"
                              % (result["mode"], result["replicas"], fmt_ratio(result["rps"] / one["rps"]),
                                 verdict(result["rps"] > one["rps"])))
        lines.append("  %s:" % script.title)
        lines += ["    " + check for check in checks]

    added = [r for r in results if r.get("kind") == "added_latency"]
    if added:
        lines.append("")
        lines.append("Latency ModelGate adds to run() (1 replica, unary, 1 call in flight; p50 of per-request "
                     "differences; goal ≤ 100 µs at p50):")
        for result in added:
            title = next((s.title for s in scripts if s.name == result["script"]), result["script"])
            lines.append("  %s: run() %s; server total (latency_micros) − run() = %s (%s); "
                         "client round trip − run() = %s; queue wait %s"
                         % (title.split("  ")[0], fmt_us(result["run_p50_us"]), fmt_us(result["server_added_p50_us"]),
                            verdict(result["server_added_p50_us"] <= 100), fmt_us(result["client_added_p50_us"]),
                            fmt_us(result["queue_wait_p50_us"])))
    split = [r for r in results if "kind" not in r and r["system"] == "modelgate" and r.get("server_cpu_us") is not None
             and r["concurrency"] == top]
    if split:
        lines.append("")
        lines.append("ModelGate's CPU per request at concurrency %d, server process + replica processes:" % top)
        for result in split:
            lines.append("  %s, %s: %s + %s" % (result["script"], label(result).replace("ModelGate, ", ""),
                                                 fmt_us(result["server_cpu_us"]), fmt_us(result["replica_cpu_us"])))
    memory = [r for r in results if r.get("kind") == "memory"]
    for result in memory:
        lines.append("")
        lines.append("Server memory: VmRSS %.1f MiB before, %.1f MiB with %s ScoreStream calls open "
                     "(each has answered one request; %d connection%s): %.1f KiB per open stream"
                     % (result["rss_before"] / 2**20, result["rss_open"] / 2**20, fmt_rate(result["streams"]),
                        result["connections"], "" if result["connections"] == 1 else "s", (result["rss_open"] - result["rss_before"]) / 1024 / result["streams"]))
    return lines


# MARK: main


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=3.0, help="measured time per figure (default 3)")
    parser.add_argument("--warmup", type=float, default=1.0, help="warm-up before each figure (default 1)")
    parser.add_argument("--concurrency", default="1,8,64", help="requests in flight, comma-separated (default 1,8,64)")
    parser.add_argument("--replicas", default="1,2", help="ModelGate replica counts (default 1,2)")
    parser.add_argument("--streams", type=int, default=1000, help="open ScoreStream calls for the memory figure")
    parser.add_argument("--systems", default="ceiling,azure,grpcio,modelgate",
                        help="which systems to run (default all: ceiling,azure,grpcio,modelgate)")
    parser.add_argument("--scripts", default="echo,linear", help="which score.py (default echo,linear)")
    parser.add_argument("--modelgate", help="the modelgate binary")
    parser.add_argument("--bench", help="the modelgate-bench binary")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, data dir)")
    args = parser.parse_args()
    args.concurrency = [int(value) for value in args.concurrency.split(",")]
    args.replicas = [int(value) for value in args.replicas.split(",")]
    systems = args.systems.split(",")
    if "modelgate" in systems and not (args.modelgate and args.bench):
        parser.error("--modelgate and --bench are needed for the ModelGate figures (tools/bench/scoring passes them)")

    workdir = tempfile.mkdtemp(prefix="modelgate-scoring-bench-")
    echo_model = os.path.join(workdir, "echo-model")
    os.makedirs(echo_model)
    with open(os.path.join(echo_model, "README"), "w") as handle:
        handle.write("The echo script loads no model; Azure and ModelGate still set AZUREML_MODEL_DIR.\n")
    linear_source = os.path.join(workdir, "linear-source")
    os.makedirs(linear_source)
    shutil.copy(os.path.join(EXAMPLE, "score.py"), linear_source)
    # The example's sample request, without the file's final newline, is every system's request body.
    body_file = os.path.join(workdir, "request.json")
    with open(os.path.join(EXAMPLE, "sample-request.json"), "rb") as source, open(body_file, "wb") as target:
        target.write(source.read().strip())
    every = {
        "echo": Script("echo", "echo score.py (run() returns its input)", os.path.join(HERE, "echo"), echo_model,
                       body_file),
        "linear": Script("linear", "examples/linear-regression score.py (3 rows, numpy)", linear_source,
                         os.path.join(EXAMPLE, "model"), body_file),
    }
    scripts = [every[name] for name in args.scripts.split(",")]

    load_before = os.getloadavg()[0]
    if load_before > 1.0:
        log("note: load average %.2f: the machine is not quiet, figures will be low and noisy" % load_before)
    results = []
    failures = []

    def attempt(what, measure):
        """Runs one system; a failure is reported and the others still run."""
        try:
            results.extend(measure())
        except Exception as error:  # noqa: BLE001 - any failure of one system
            log("%s failed: %s" % (what, error))
            failures.append("%s: %s" % (what, error))

    try:
        for script in scripts:
            if "ceiling" in systems:
                attempt("ceiling (%s)" % script.name, lambda: ceiling(script, args))
            if "azure" in systems:
                attempt("Azure (%s)" % script.name, lambda: azure(script, args, workdir))
            if "grpcio" in systems:
                attempt("grpcio (%s)" % script.name, lambda: grpcio(script, args, workdir))
        if "modelgate" in systems:
            attempt("ModelGate", lambda: modelgate(scripts, args, workdir, failures))
    finally:
        with open(os.path.join(workdir, "results.json"), "w") as handle:
            json.dump(results, handle, indent=1)
        if args.keep:
            log("kept %s" % workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    table = render(scripts, results, args, load_before, os.getloadavg()[0])
    if failures:
        table += "\n\nNot measured (failed):\n" + "\n".join("  " + failure for failure in failures)
    print(table)
    if failures:
        sys.exit(1)


if __name__ == "__main__":
    main()
