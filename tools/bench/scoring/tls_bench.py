#!/usr/bin/env python3
"""Scoring throughput over plaintext and over TLS, in one run (`tools/bench/run tls`).

The echo score.py, 1 replica, deployed on a release `modelgate serve` started
twice on free 127.0.0.1 ports: first plaintext, then with `--tls-cert/--tls-key`
(certificates from `modelgate tls self-signed`). Each time `modelgate-bench
scoring` drives unary `Score` and one `ScoreStream` at each concurrency with the
Swift client (over TLS, verifying the server, the second time), as `run scoring`
does for ModelGate. Progress goes to stderr, the table to stdout.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

import scoring_bench as bench


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=3.0, help="measured time per figure (default 3)")
    parser.add_argument("--warmup", type=float, default=1.0, help="warm-up before each figure (default 1)")
    parser.add_argument("--concurrency", default="1,8,64", help="requests in flight (default 1,8,64)")
    parser.add_argument("--modelgate", required=True, help="the modelgate binary")
    parser.add_argument("--bench", required=True, help="the modelgate-bench binary")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, data dirs)")
    args = parser.parse_args()
    args.concurrency = [int(value) for value in args.concurrency.split(",")]
    args.replicas = [1]
    args.streams = 0

    workdir = tempfile.mkdtemp(prefix="modelgate-tls-bench-")
    echo_model = os.path.join(workdir, "echo-model")
    os.makedirs(echo_model)
    with open(os.path.join(echo_model, "README"), "w") as handle:
        handle.write("The echo script loads no model; ModelGate still sets AZUREML_MODEL_DIR.\n")
    body_file = os.path.join(workdir, "request.json")
    with open(os.path.join(bench.EXAMPLE, "sample-request.json"), "rb") as source, open(body_file, "wb") as target:
        target.write(source.read().strip())
    echo = bench.Script("echo", "echo score.py", os.path.join(bench.HERE, "echo"), echo_model, body_file)
    certificates = os.path.join(workdir, "certs")
    subprocess.run([args.modelgate, "tls", "self-signed", "--out", certificates], check=True, stdout=subprocess.DEVNULL)

    load_before = os.getloadavg()[0]
    failures = []
    results = {}
    try:
        for transport, tls in (("plaintext", None), ("TLS", certificates)):
            folder = os.path.join(workdir, transport)
            os.makedirs(folder)
            bench.log("== %s" % transport)
            results[transport] = bench.modelgate([echo], args, folder, failures, tls=tls)
    finally:
        if args.keep:
            bench.log("kept %s" % workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    def figure(transport, mode, concurrency):
        for result in results.get(transport, []):
            if "kind" not in result and result.get("mode") == mode and result.get("concurrency") == concurrency:
                return result
        return None

    lines = [
        "Scoring over plaintext and TLS: echo score.py, 1 replica, one connection (load average %.2f before, %.2f after)"
        % (load_before, os.getloadavg()[0]),
        "",
        "%-7s %8s | %10s %9s %9s %11s | %10s %9s %9s %11s | %8s"
        % ("call", "in flight", "plain/s", "p50", "p99", "server CPU", "TLS/s", "p50", "p99", "server CPU", "TLS/plain"),
    ]
    for mode in ("unary", "stream"):
        for concurrency in args.concurrency:
            plain = figure("plaintext", mode, concurrency)
            secure = figure("TLS", mode, concurrency)
            cells = []
            for result in (plain, secure):
                if result is None or result.get("rps") is None:
                    cells.append("%10s %9s %9s %11s" % ("-", "-", "-", "-"))
                else:
                    cells.append("%10s %9s %9s %11s" % (
                        bench.fmt_rate(result["rps"]), bench.fmt_us(result.get("p50_us")), bench.fmt_us(result.get("p99_us")),
                        bench.fmt_us(result.get("server_cpu_us"))))
            ratio = "-"
            if plain and secure and plain.get("rps") and secure.get("rps"):
                ratio = "%.0f %%" % (100.0 * secure["rps"] / plain["rps"])
            lines.append("%-7s %8d | %s | %s | %8s" % (mode, concurrency, cells[0], cells[1], ratio))
    lines.append("")
    lines.append("server CPU: the server process's CPU time per request (the replica's is apart and the same for both).")
    if failures:
        lines.append("")
        lines.append("Not measured (failed):")
        lines.extend("  " + failure for failure in failures)
    print("\n".join(lines))
    if failures:
        sys.exit(1)


if __name__ == "__main__":
    main()
