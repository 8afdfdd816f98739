import math


def init():
    pass


def run(data):
    kinds = {
        "dict": lambda: {"a": 1, "b": [1, 2]},
        "list": lambda: [1, "two", 3.0],
        "str": lambda: "plain text",
        "none": lambda: None,
        "bytes": lambda: b"\x00\x01",
        "nan": lambda: math.nan,
        "unicode": lambda: {"text": "grüße"},
        "object": lambda: object(),
    }
    return kinds[data]()
