"""The ceiling: the same run() called in a loop in this one process, as a server
would call it (the request body decoded from UTF-8 bytes to the str run() takes,
the result JSON-encoded), with no transport at all. Prints one JSON object.

    python ceiling.py --script score.py --model-dir DIR --body FILE --seconds S
"""
import argparse
import json
import time

import entry_script


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--script", required=True)
    parser.add_argument("--model-dir", required=True)
    parser.add_argument("--body", required=True)
    parser.add_argument("--seconds", type=float, default=1.0)
    args = parser.parse_args()
    with open(args.body, "rb") as handle:
        body = handle.read()
    module = entry_script.load(args.script, args.model_dir)
    run, encode = module.run, entry_script.encode

    # Throughput: batches of untimed calls, so the clock is not the cost measured.
    batch = 1000
    calls = 0
    start = time.perf_counter()
    deadline = start + args.seconds
    now = start
    while now < deadline:
        for _ in range(batch):
            encode(run(body.decode("utf-8")))
        calls += batch
        now = time.perf_counter()
    rate = calls / (now - start)

    # Per-call time: each call timed on its own (perf_counter_ns costs ~0.1 µs).
    samples = []
    deadline = time.perf_counter() + min(1.0, args.seconds / 2)
    clock = time.perf_counter_ns
    while time.perf_counter() < deadline:
        for _ in range(batch):
            begin = clock()
            encode(run(body.decode("utf-8")))
            samples.append(clock() - begin)
    samples.sort()
    print(json.dumps({
        "rps": rate,
        "count": calls,
        "p50_us": samples[len(samples) // 2] / 1000,
        "p99_us": samples[int(len(samples) * 0.99)] / 1000,
    }))


if __name__ == "__main__":
    main()
