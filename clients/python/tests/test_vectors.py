"""The shared conformance vectors (tools/conformance/vectors), through the generated classes.

Every vector must parse with the modelgate.v1 classes this package generated at
install time and serialise back byte for byte (deterministically, unknown fields kept).
"""

from __future__ import annotations

import importlib
import json
import pkgutil

import pytest
from google.protobuf import descriptor_pool, message_factory

import modelgate.v1
from conftest import REPO

VECTORS = REPO / "tools" / "conformance" / "vectors"
INDEX = json.loads((VECTORS / "index.json").read_text(encoding="utf-8"))["vectors"]

for module in pkgutil.iter_modules(modelgate.v1.__path__):
    if module.name.endswith("_pb2"):
        importlib.import_module(f"modelgate.v1.{module.name}")


def message_class(full_name: str):
    return message_factory.GetMessageClass(descriptor_pool.Default().FindMessageTypeByName(full_name))


def test_the_generated_modules_cover_every_message_in_the_vectors():
    names = {entry["message"] for entry in INDEX}
    assert len(INDEX) >= 3 * len(names) > 0
    missing = [name for name in sorted(names) if _lookup(name) is None]
    assert missing == []


def _lookup(name):
    try:
        return message_class(name)
    except KeyError:
        return None


@pytest.mark.parametrize("entry", INDEX, ids=[entry["file"] for entry in INDEX])
def test_vector_decodes_and_reencodes_byte_identically(entry):
    data = (VECTORS / entry["file"]).read_bytes()
    assert data.hex() == entry["hex"]
    message = message_class(entry["message"])()
    message.ParseFromString(data)
    assert message.SerializeToString(deterministic=True) == data
    if entry["case"] == "defaults":
        assert data == b"" and message == type(message)()
    elif entry["case"] == "all_fields" and message.DESCRIPTOR.fields:
        assert message.ListFields(), "a non-default vector decoded to an empty message"
    elif entry["case"] == "unknown_fields":
        known = (VECTORS / entry["file"].replace(".unknown_fields.", ".all_fields.")).read_bytes()
        assert len(data) > len(known), "the unknown fields were lost"
