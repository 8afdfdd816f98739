"""The stand-ins for Azure's modules, in process: AMLRequest/AMLResponse, Headers, the
inference-schema shim, and the frame codec."""

import base64
import datetime
import importlib.util
import json
import os
import struct
import sys

import pytest

RUNTIME_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(RUNTIME_DIR, "shims"))  # the shim, even if the real package is installed

from inference_schema.parameter_types.standard_py_parameter_type import StandardPythonParameterType  # noqa: E402
from inference_schema.schema_decorators import input_schema, output_schema  # noqa: E402
from inference_schema.schema_util import get_input_schema, get_supported_versions, is_schema_decorated  # noqa: E402
from modelgate_harness import frames  # noqa: E402
from modelgate_harness.aml_request import AMLRequest, parse_multipart  # noqa: E402
from modelgate_harness.aml_response import AMLResponse  # noqa: E402
from modelgate_harness.datastructures import Headers, MultiDict  # noqa: E402
from modelgate_harness.scoring import parse_get_parameters, werkzeug_header_name  # noqa: E402

assert "runtime/shims" in sys.modules["inference_schema"].__file__.replace(os.sep, "/")


# AMLResponse --------------------------------------------------------------------------------

def test_aml_response_with_a_str_is_utf8_html_by_default():
    response = AMLResponse("grüße", 200)
    assert response.get_data() == "grüße".encode()
    assert response.headers.items() == [("Content-Type", "text/html; charset=utf-8"),
                                        ("x-ms-run-function-failed", "False")]


def test_aml_response_json_str_and_none():
    assert AMLResponse({"a": 1}, 202, json_str=True).get_data() == b'{"a": 1}'
    assert AMLResponse({"a": 1}, 202, json_str=True).content_type == "application/json"
    empty = AMLResponse(None, 204)
    assert (empty.get_data(), empty.content_type, empty.status_code) == (b"{}", "application/json", 204)


def test_aml_response_headers_replace_the_content_type_and_split_on_commas():
    response = AMLResponse(b"\x89PNG", 200, {"content-type": "image/png", "Vary": "Accept, Origin"},
                           run_function_failed=True)
    assert response.headers.items() == [
        ("x-ms-run-function-failed", "True"),
        ("content-type", "image/png"),
        ("Vary", "Accept"),
        ("Vary", "Origin"),
    ]
    assert response.mimetype == "image/png"


# Headers and MultiDict ---------------------------------------------------------------------

def test_headers_are_case_insensitive_and_multi_valued():
    headers = Headers([("X-A", "1"), ("x-a", "2"), ("B", "3")])
    assert headers["x-A"] == "1"
    assert headers.getlist("X-A") == ["1", "2"]
    assert "b" in headers and "c" not in headers
    assert dict(headers) == {"X-A": "2", "x-a": "2", "B": "3"} or dict(headers)["B"] == "3"
    headers["x-a"] = 9
    assert headers.getlist("X-A") == ["9"]
    assert headers.get("missing", "d") == "d"


def test_multidict_gives_the_first_value_and_all_of_them():
    values = MultiDict([("a", "1"), ("a", "2"), ("b", "3")])
    assert values["a"] == "1"
    assert values.getlist("a") == ["1", "2"]
    assert values.to_dict() == {"a": "1", "b": "3"}
    assert values.to_dict(flat=False) == {"a": ["1", "2"], "b": ["3"]}
    with pytest.raises(KeyError):
        values["c"]


def test_header_names_are_written_as_a_wsgi_server_reports_them():
    assert werkzeug_header_name("content-type") == "Content-Type"
    assert werkzeug_header_name("x-ms-client-request-id") == "X-Ms-Client-Request-Id"
    assert werkzeug_header_name("X_CUSTOM") == "X-Custom"


# AMLRequest --------------------------------------------------------------------------------

def test_aml_request_exposes_the_werkzeug_basics():
    request = AMLRequest("post", "/score", "a=1&a=2&b=", Headers([("Content-Type", "application/json; charset=utf-8"),
                                                                  ("Host", "example.test")]), b'{"x": [1]}')
    assert request.method == "POST"
    assert request.full_path == "/score?a=1&a=2&b="
    assert request.url == "http://example.test/score?a=1&a=2&b="
    assert request.args.getlist("a") == ["1", "2"] and request.args["b"] == ""
    assert request.is_json and request.mimetype == "application/json"
    assert request.get_json() == {"x": [1]} and request.json == {"x": [1]}
    assert request.get_data(as_text=True) == '{"x": [1]}'
    assert request.content_length == 10
    assert request.environ["CONTENT_TYPE"].startswith("application/json")


def test_aml_request_get_json_refuses_other_content_types_unless_forced():
    request = AMLRequest("POST", body=b"[1]", headers=Headers([("Content-Type", "text/plain")]))
    assert request.get_json(silent=True) is None
    with pytest.raises(Exception) as raised:
        request.get_json()
    assert "415" in str(raised.value)
    assert request.get_json(force=True) == [1]


def test_aml_request_parses_url_encoded_forms():
    request = AMLRequest("POST", body=b"name=J%C3%BCrgen&tag=a&tag=b",
                         headers=Headers([("Content-Type", "application/x-www-form-urlencoded")]))
    assert request.form["name"] == "Jürgen"
    assert request.form.getlist("tag") == ["a", "b"]
    assert request.values["name"] == "Jürgen"


def test_multipart_keeps_file_bytes_exactly():
    content = b"\r\nline\n\r\x00\xff--B is no delimiter here\r\n" * 3
    body = (b"preamble\r\n--B\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x.bin\"\r\n"
            b"Content-Type: application/octet-stream\r\n\r\n" + content + b"\r\n--B\r\n"
            b"Content-Disposition: form-data; name=\"empty\"\r\n\r\n\r\n--B--\r\n")
    form, files = parse_multipart(body, "B")
    upload = files["f"]
    assert upload.filename == "x.bin" and upload.content_type == "application/octet-stream"
    assert upload.read() == content
    upload.seek(0)
    assert upload.stream.read(2) == b"\r\n"
    assert form["empty"] == ""


# The inference-schema shim ----------------------------------------------------------------

def test_input_schema_converts_named_and_positional_arguments():
    @input_schema("when", StandardPythonParameterType(datetime.datetime(2020, 1, 1, 12, 0)))
    @input_schema("blob", StandardPythonParameterType(b"x"))
    @output_schema(StandardPythonParameterType({"ok": True}))
    def score(blob, when):
        return blob, when

    assert is_schema_decorated(score)
    blob, when = score(base64.b64encode(b"hi").decode(), when="2021-03-04T05:06:07Z")
    assert blob == b"hi"
    assert when == datetime.datetime(2021, 3, 4, 5, 6, 7, tzinfo=datetime.timezone.utc)
    # The format the package writes in its own examples parses too.
    assert score(b"", "2020-01-01 12:00:00.000000 +0000")[1].year == 2020
    schema = get_input_schema(score)
    assert schema["properties"]["when"] == {"type": "string", "format": "date-time"}
    assert schema["example"]["when"] == "2020-01-01 12:00:00.000000 +0000"
    assert get_supported_versions(score) == ["2.0", "3.0", "3.1"]


def test_nested_parameter_types_are_converted_inside_dicts_and_lists():
    inner = StandardPythonParameterType(datetime.date(2020, 1, 1))
    outer = StandardPythonParameterType({"day": inner, "n": 1})
    listing = StandardPythonParameterType([inner])

    @input_schema("data", outer)
    @input_schema("days", listing)
    def score(data, days):
        return data, days

    data, days = score(data={"day": "2021-02-03", "n": 2}, days=["2022-01-01", "2023-12-31"])
    assert data == {"day": datetime.date(2021, 2, 3), "n": 2}
    assert days == [datetime.date(2022, 1, 1), datetime.date(2023, 12, 31)]


def test_standard_types_refuse_mismatches_but_accept_ints_for_floats():
    number = StandardPythonParameterType(1.5)
    assert number.deserialize_input(2) == 2
    with pytest.raises(ValueError):
        number.deserialize_input("2")
    with pytest.raises(ValueError):
        StandardPythonParameterType(1).deserialize_input(1.5)


@pytest.mark.skipif(importlib.util.find_spec("numpy") is None, reason="numpy is not installed")
def test_numpy_parameter_type_enforces_dtype_and_trailing_shape():
    import numpy as np

    from inference_schema.parameter_types.numpy_parameter_type import NumpyParameterType

    kind = NumpyParameterType(np.array([[1, 2]], dtype=np.int32))
    array = kind.deserialize_input([[3, 4], [5, 6]])
    assert array.dtype == np.int32 and array.shape == (2, 2)
    with pytest.raises(ValueError):
        kind.deserialize_input([[1, 2, 3]])
    assert kind.input_to_swagger()["example"] == [[1, 2]]
    structured = NumpyParameterType(np.array([(1, 2.0)], dtype=[("a", "i8"), ("b", "f8")]))
    parsed = structured.deserialize_input([{"a": 5, "b": 6.5}])
    assert parsed["a"][0] == 5 and parsed["b"][0] == 6.5


# Frames and query parsing ------------------------------------------------------------------

def test_meta_payload_round_trips_and_overruns_are_refused():
    payload = frames.encode_meta_payload({"status": 200, "text": "ü"}, b"\x00body")
    assert frames.decode_meta_payload(payload) == ({"status": 200, "text": "ü"}, b"\x00body")
    with pytest.raises(frames.ProtocolError):
        frames.decode_meta_payload(struct.pack(">I", 50) + b"{}")
    with pytest.raises(frames.ProtocolError):
        frames.decode_meta_payload(b"\x00\x00")


def test_frames_use_the_client_protocol_header():
    assert frames.encode_frame(frames.RESULT, 0, 258, b"ab") == b"\x00\x00\x00\x02\x13\x00\x00\x00\x01\x02ab"
    assert frames.PREFACE == b"MODELGATE/1\r\n\r\n" and len(frames.PREFACE) == 15


def test_query_arguments_are_parsed_like_a_json_body():
    assert parse_get_parameters("a=1&b=x&b=[1,2]&c=&d=null&e=%7B%22k%22%3A1%7D") == {
        "a": 1, "b": ["x", [1, 2]], "c": "", "d": None, "e": {"k": 1}}
    assert json.loads(json.dumps(parse_get_parameters(""))) == {}
