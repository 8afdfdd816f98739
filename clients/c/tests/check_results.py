#!/usr/bin/env python3
"""Checks modelgate-c output against examples/linear-regression/model/weights.json.

Usage: check_results.py OUTPUT REQUESTS [--expect-errors N=CODE ...]
OUTPUT has one line per line of REQUESTS (blank lines skipped), in request order;
each must be {"predictions": [...]} equal to the model's own arithmetic (relative
1e-12), except lines named by --expect-error INDEX=CODE, which must be errors with
that code. Prints a one-line summary; exits 1 on any mismatch.
"""

import json
import math
import sys
from pathlib import Path

WEIGHTS = json.loads((Path(__file__).resolve().parents[3] / "examples" / "linear-regression" / "model" /
                      "weights.json").read_text())


def expected(row):
    return sum(w * x for w, x in zip(WEIGHTS["coefficients"], row)) + WEIGHTS["intercept"]


def main() -> int:
    output_path, requests_path, *rest = sys.argv[1:]
    errors = {}
    for item in rest:
        index, code = item.split("=")
        errors[int(index)] = code
    outputs = Path(output_path).read_text().splitlines()
    requests = [line for line in Path(requests_path).read_text().splitlines() if line.strip()]
    problems = []
    if len(outputs) != len(requests):
        problems.append(f"{len(outputs)} output lines for {len(requests)} requests")
    for index, (request, line) in enumerate(zip(requests, outputs)):
        answer = json.loads(line)
        if index in errors:
            if answer.get("error", {}).get("code") != errors[index]:
                problems.append(f"line {index}: expected error {errors[index]}, got {line}")
            continue
        rows = json.loads(request)["data"]
        want = [expected(row) for row in rows]
        got = answer.get("predictions")
        if got is None or len(got) != len(want) or not all(
                math.isclose(g, w, rel_tol=1e-12, abs_tol=1e-12) for g, w in zip(got, want)):
            problems.append(f"line {index}: expected {want}, got {line}")
    for problem in problems[:10]:
        print(problem)
    print(f"{len(outputs) - len(problems)} of {len(requests)} answers correct")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
