#!/usr/bin/env python3
"""Writes the cross-language codec vectors for every message in proto/.

For each message type (map entries excluded) three cases are written with the
official protobuf library's deterministic serialisation:

  all_fields      every field set to a non-default value chosen from the field's
                  number and type (non-ASCII strings, bytes with 0x00/0xFF,
                  negative signed ints, large uint64, 3-element repeated fields,
                  2-entry maps, sub-messages filled to depth 2, unknown enum values)
  defaults        the empty message
  unknown_fields  all_fields plus unknown fields 1000+ of each wire type appended
                  at the top level and inside each set singular sub-message

Output: vectors/<full.Message.Name>.<case>.bin and vectors/index.json. The output
depends only on proto/ and the protobuf version: rerun after changing proto/.

Usage: python3 tools/conformance/generate.py [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from google.protobuf.descriptor import FieldDescriptor

sys.path.insert(0, str(Path(__file__).resolve().parent))
from protoset import ProtoSet  # noqa: E402

CASES = ("all_fields", "defaults", "unknown_fields")
MAX_DEPTH = 2
UNKNOWN_ENUM_VALUE = 99

T = FieldDescriptor


def varint(value: int) -> bytes:
    value &= (1 << 64) - 1
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def key(number: int, wire_type: int) -> bytes:
    return varint(number << 3 | wire_type)


def unknown_fields() -> bytes:
    """Fields 1000+ of every wire type the codec accepts (groups are refused by design),
    with 1000 repeated last so arrival order, not number order, must be kept."""
    payload = "unknown-✓".encode() + b"\x00\xff"
    return b"".join([
        key(1000, 0) + varint(150),
        key(1001, 1) + bytes(range(1, 9)),
        key(1002, 2) + varint(len(payload)) + payload,
        key(1003, 5) + bytes([0xFE, 0xFF, 0x00, 0x01]),
        key(1000, 0) + varint(2**64 - 1),
    ])


def scalar_value(field: FieldDescriptor, index: int):
    """A non-default value for element `index` of a field, fixed by its number and type."""
    n = field.number
    t = field.type
    if t == T.TYPE_DOUBLE:
        return [-(n + 0.25), 1.5e300, -0.0][index]
    if t == T.TYPE_FLOAT:
        return [n + 0.5, -3.25e30, float("inf")][index]
    if t in (T.TYPE_INT64, T.TYPE_SINT64, T.TYPE_SFIXED64):
        return [-(2**40 + n), 2**63 - 1, -(2**63)][index]
    if t in (T.TYPE_UINT64, T.TYPE_FIXED64):
        return [2**64 - 1 - n, 2**63, 1][index]
    if t in (T.TYPE_INT32, T.TYPE_SINT32, T.TYPE_SFIXED32):
        return [-(n * 1000 + 7), 2**31 - 1, -(2**31)][index]
    if t in (T.TYPE_UINT32, T.TYPE_FIXED32):
        return [2**32 - 1 - n, 2**31, 1][index]
    if t == T.TYPE_BOOL:
        return [True, False, True][index]
    if t == T.TYPE_STRING:
        return [f"{field.name}-Zürich-✓", "日本語-€", ""][index]
    if t == T.TYPE_BYTES:
        return [bytes([0x00, 0xFF, n & 0xFF]) + field.name.encode(), b"\xff\xfe\x00", b""][index]
    if t == T.TYPE_ENUM:
        known = [v.number for v in field.enum_type.values if v.number != 0] or [1]
        if field.is_repeated:
            return [known[0], UNKNOWN_ENUM_VALUE, -1][index]
        # Odd field numbers get the last known value, even ones a value this schema lacks.
        return known[-1] if n % 2 == 1 else UNKNOWN_ENUM_VALUE
    raise ValueError(f"unsupported field type {t} for {field.full_name}")


def map_key(field: FieldDescriptor, index: int):
    # Inserted in reverse order of the deterministic output, and non-ASCII.
    if field.type == T.TYPE_STRING:
        return ["zeta-Zürich", "alpha-✓"][index]
    if field.type == T.TYPE_BOOL:
        return [True, False][index]
    return scalar_value(field, index)


def fill(message, depth: int) -> None:
    """Sets every field of `message` to a non-default value, sub-messages down to MAX_DEPTH."""
    for field in sorted(message.DESCRIPTOR.fields, key=lambda f: f.number):
        if field.containing_oneof is not None and message.WhichOneof(field.containing_oneof.name):
            continue  # One member per oneof; the first one set wins.
        target = getattr(message, field.name)
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            key_field = field.message_type.fields_by_name["key"]
            value_field = field.message_type.fields_by_name["value"]
            for i in range(2):
                k = map_key(key_field, i)
                if value_field.message_type is not None:
                    if depth < MAX_DEPTH:
                        fill(target[k], depth + 1)
                else:
                    target[k] = f"{field.name}-value-{i}-✓" if value_field.type == T.TYPE_STRING else scalar_value(value_field, i)
        elif field.message_type is not None:
            if depth >= MAX_DEPTH:
                continue
            if field.is_repeated:
                for _ in range(2):
                    fill(target.add(), depth + 1)
            else:
                fill(target, depth + 1)
                target.SetInParent()
        elif field.is_repeated:
            target.extend(scalar_value(field, i) for i in range(3))
        else:
            setattr(message, field.name, scalar_value(field, 0))


def build_cases(cls) -> dict[str, bytes]:
    full = cls()
    fill(full, 0)
    all_fields = full.SerializeToString(deterministic=True)

    extra = unknown_fields()
    with_unknown = cls()
    with_unknown.ParseFromString(all_fields + extra)
    for field in with_unknown.DESCRIPTOR.fields:
        if field.message_type is not None and not field.is_repeated and with_unknown.HasField(field.name):
            getattr(with_unknown, field.name).MergeFromString(extra)
    unknown = with_unknown.SerializeToString(deterministic=True)
    if not unknown.endswith(extra):
        raise AssertionError(f"{cls.DESCRIPTOR.full_name}: unknown fields were not re-emitted last")

    return {"all_fields": all_fields, "defaults": cls().SerializeToString(deterministic=True), "unknown_fields": unknown}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "vectors")
    args = parser.parse_args()

    args.out.mkdir(parents=True, exist_ok=True)
    for stale in args.out.glob("*.bin"):
        stale.unlink()

    entries = []
    with ProtoSet() as protos:
        for name in sorted(protos.descriptors):
            cases = build_cases(protos.message_class(name))
            for case in CASES:
                file_name = f"{name}.{case}.bin"
                (args.out / file_name).write_bytes(cases[case])
                entries.append({"message": name, "case": case, "file": file_name, "hex": cases[case].hex()})

    index = {
        "comment": "Written by tools/conformance/generate.py; rerun it after changing proto/.",
        "vectors": entries,
    }
    (args.out / "index.json").write_text(json.dumps(index, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    messages = len({e["message"] for e in entries})
    print(f"wrote {len(entries)} vectors for {messages} messages to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
