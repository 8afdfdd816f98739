"""Fetches a ModelGate /metrics page and parses it with prometheus_client's
text-format parser (the reference implementation), printing every sample as
JSON: [{"name": ..., "labels": {...}, "value": ...}, ...].

Usage: python3 tools/metricscheck/parse.py http://127.0.0.1:9464/metrics
Exits non-zero (with the parser's error) when the page does not parse.
"""
import json
import sys
import urllib.request

from prometheus_client.parser import text_string_to_metric_families


def main() -> int:
    with urllib.request.urlopen(sys.argv[1], timeout=10) as response:
        content_type = response.headers.get("Content-Type", "")
        text = response.read().decode("utf-8")
    if not content_type.startswith("text/plain"):
        print(f"unexpected Content-Type {content_type!r}", file=sys.stderr)
        return 1
    samples = []
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples.append({"family": family.name, "type": family.type, "name": sample.name,
                            "labels": sample.labels, "value": sample.value})
    json.dump(samples, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
