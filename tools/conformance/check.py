#!/usr/bin/env python3
"""Checks bytes written by another implementation against the vectors.

For each <Message>.<case>.bin in DIR, parses it with the official protobuf
library and compares it with the message parsed from the vector of the same
name: their deterministic serialisations (unknown fields included) must be
equal. Every vector in the index must have a file in DIR unless --allow-missing
is given, and DIR may hold no file the index does not know.

Prints one line per failure and a closing "N passed, N failed"; exits 1 on any failure.

Usage: python3 tools/conformance/check.py DIR [--vectors DIR] [--allow-missing]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from protoset import ProtoSet  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dir", type=Path, help="directory of <Message>.<case>.bin files to check")
    parser.add_argument("--vectors", type=Path, default=Path(__file__).resolve().parent / "vectors")
    parser.add_argument("--allow-missing", action="store_true", help="do not fail on vectors with no file in DIR")
    args = parser.parse_args()

    index = json.loads((args.vectors / "index.json").read_text(encoding="utf-8"))
    entries = {entry["file"]: entry for entry in index["vectors"]}
    passed = failed = 0

    with ProtoSet() as protos:
        for path in sorted(args.dir.glob("*.bin")):
            entry = entries.get(path.name)
            if entry is None:
                print(f"FAIL {path.name}: no such vector in {args.vectors / 'index.json'}")
                failed += 1
                continue
            if entry["message"] not in protos.descriptors:
                print(f"FAIL {path.name}: {entry['message']} is not in proto/ (regenerate the vectors)")
                failed += 1
                continue
            cls = protos.message_class(entry["message"])
            expected = cls()
            expected.ParseFromString((args.vectors / entry["file"]).read_bytes())
            actual = cls()
            try:
                actual.ParseFromString(path.read_bytes())
            except Exception as error:  # the official parser's DecodeError and friends
                print(f"FAIL {path.name}: does not parse: {error}")
                failed += 1
                continue
            want = expected.SerializeToString(deterministic=True)
            got = actual.SerializeToString(deterministic=True)
            if got != want:
                print(f"FAIL {path.name}: differs from the vector\n  want {want.hex()}\n  got  {got.hex()}")
                failed += 1
            else:
                passed += 1

        if not args.allow_missing:
            present = {p.name for p in args.dir.glob("*.bin")}
            for file_name in sorted(set(entries) - present):
                print(f"FAIL {file_name}: no file in {args.dir}")
                failed += 1

    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
