"""The Azure scoring contract, end to end through a real harness process and socket."""

import base64
import json

import pytest

from fake_server import harness_can_import

JSON = {"content-type": "application/json"}


def test_undecorated_run_gets_the_body_as_a_str_and_its_return_is_json_encoded(start):
    server = start("echo.py")
    ready = server.ready()
    assert ready["run_input"] == "raw_data"
    meta, body = server.call(1, "héllo wörld")
    assert meta["status"] == 200
    assert meta["error"] is None
    assert meta["headers"]["Content-Type"] == "application/json"
    assert meta["headers"]["x-ms-run-function-failed"] == "False"
    assert float(meta["headers"]["x-ms-run-fn-exec-ms"]) >= 0
    # Azure json.dumps-es whatever run() returns, a str included.
    assert json.loads(body) == "héllo wörld"
    assert body == json.dumps("héllo wörld").encode()


def test_return_values_are_serialised_like_azure(start):
    server = start("returns.py")
    server.ready()
    expectations = {
        "dict": (200, b'{"a": 1, "b": [1, 2]}'),
        "list": (200, b'[1, "two", 3.0]'),
        "str": (200, b'"plain text"'),
        "none": (200, b"{}"),
        "nan": (200, b"NaN"),
        "unicode": (200, b'{"text": "gr\\u00fc\\u00dfe"}'),
    }
    for frame_id, (kind, (status, expected)) in enumerate(expectations.items(), start=1):
        meta, body = server.call(frame_id, kind)
        assert (meta["status"], body) == (status, expected), kind


@pytest.mark.parametrize("kind, type_name", [("bytes", "bytes"), ("object", "object")])
def test_a_return_value_that_is_not_json_serialisable_is_a_500_with_a_clear_error(start, kind, type_name):
    server = start("returns.py")
    server.ready()
    meta, body = server.call(1, kind)
    assert meta["status"] == 500
    assert "cannot be serialised as JSON" in meta["error"]
    assert type_name in meta["error"]
    assert json.loads(body) == {"message": "An unexpected internal error occurred. Check the logs for more info."}
    # The replica keeps serving.
    assert server.call(2, "dict")[0]["status"] == 200


def test_init_sees_the_model_dir_and_the_source_dir_is_the_working_directory(start):
    server = start("model_dir.py", model_files={"model.txt": "weights-v7\n"},
                   source_files={"helper_module.py": "VALUE = 'from source dir'\n"})
    server.ready()
    meta, body = server.call(1, "x")
    assert meta["status"] == 200, meta
    result = json.loads(body)
    assert result["model"] == "weights-v7"
    assert result["model_dir"] == server.model_dir
    assert result["entry_script"] == "score.py"
    assert result["cwd"] == server.source_dir
    assert result["sys_path_0"] == server.source_dir
    assert result["helper"] == "from source dir"
    assert result["argv"] == [server.source_dir + "/score.py"]
    assert result["module"] == "entry_module"


def test_run_declaring_request_headers_gets_them_with_wsgi_style_names(start):
    server = start("headers.py")
    assert server.ready()["request_headers"] is True
    meta, body = server.call(1, "payload", headers={"content-type": "text/plain", "x-custom-thing": "v1",
                                                    "x-multi": ["a", "b"]})
    assert meta["status"] == 200
    result = json.loads(body)
    assert result["data"] == "payload"
    assert result["headers"] == {"Content-Type": "text/plain", "X-Custom-Thing": "v1", "X-Multi": "a,b",
                                 "Content-Length": "7"}


def test_get_passes_the_query_as_a_json_string(start):
    server = start("echo.py")
    server.ready()
    meta, body = server.call(1, method="GET", query="a=1&b=x&b=[1,2]&c=")
    assert meta["status"] == 200
    assert json.loads(json.loads(body)) == {"a": 1, "b": ["x", [1, 2]], "c": ""}


def test_options_answers_200_and_other_methods_405_like_the_azure_route(start):
    server = start("echo.py")
    server.ready()
    meta, body = server.call(1, method="OPTIONS")
    assert (meta["status"], body) == (200, b"")
    # HEAD reaches the route (Flask adds it next to GET) and is refused there...
    meta, body = server.call(2, method="HEAD")
    assert (meta["status"], body) == (405, b"")
    assert "x-request-id" in meta["headers"]
    # ...other methods are refused by Flask's routing, before the request-id hooks.
    meta, body = server.call(3, "x", method="DELETE")
    assert meta["status"] == 405
    assert json.loads(body) == {"message": "The method is not allowed for the requested URL."}
    assert "x-request-id" not in meta["headers"]


def test_a_body_that_is_not_utf8_is_a_400(start):
    server = start("echo.py")
    server.ready()
    meta, body = server.call(1, b"\xff\xfe")
    assert meta["status"] == 400
    assert json.loads(body)["message"].startswith("Input cannot be decoded as UTF-8")


def test_request_id_headers_follow_azure(start):
    server = start("echo.py")
    server.ready()
    meta, _ = server.call(1, "x", headers={"x-ms-client-request-id": "client-7"})
    assert meta["headers"]["x-request-id"] == "req-1"
    assert meta["headers"]["x-ms-client-request-id"] == "client-7"
    assert meta["headers"]["x-ms-request-id"] == "client-7"
    meta, body = server.call(2, "x", headers={"x-request-id": "r" * 101})
    assert meta["status"] == 431
    assert json.loads(body) == {"message": "x-request-id must not exceed 100 characters"}


def test_rawhttp_run_gets_the_request_and_answers_with_its_own_status_and_headers(start):
    server = start("rawhttp.py")
    assert server.ready()["run_input"] == "rawhttp"

    meta, body = server.call(1, "thing", query="mode=created")
    assert meta["status"] == 201
    assert body == b"created thing"
    assert meta["headers"]["Content-Type"] == "text/plain"
    assert meta["headers"]["X-Multi"] == "a, b"
    assert meta["headers"]["Location"] == "/things/1"
    assert meta["headers"]["x-ms-run-function-failed"] == "False"

    meta, body = server.call(2, method="GET", query="q=1&r=two")
    assert (meta["status"], body) == (200, b"/score?q=1&r=two")
    assert meta["headers"]["Content-Type"] == "text/html; charset=utf-8"

    meta, body = server.call(3, json.dumps({"values": [1, 2, 3]}), headers={**JSON, "x-token": "t"})
    assert meta["status"] == 200
    assert json.loads(body) == {"sum": 6, "header": "t"}

    meta, body = server.call(4, query="mode=fail&id=9")
    assert meta["status"] == 503
    assert json.loads(body) == {"failed": "9"}
    assert meta["headers"]["x-ms-run-function-failed"] == "True"

    # A plain return value is JSON-encoded as for an undecorated run().
    meta, body = server.call(5, query="mode=plain")
    assert (meta["status"], json.loads(body)) == (200, {"method": "POST"})
    assert meta["headers"]["Content-Type"] == "application/json"

    # OPTIONS and HEAD reach a @rawhttp run(); methods the /score route lacks never do.
    assert json.loads(server.call(6, method="OPTIONS")[1]) == {"method": "OPTIONS"}
    meta, body = server.call(7, method="HEAD")
    assert (meta["status"], body) == (200, b"")  # run() saw HEAD; HTTP drops the body
    meta, body = server.call(8, "x", method="PUT")
    assert meta["status"] == 405
    assert json.loads(body) == {"message": "The method is not allowed for the requested URL."}


def test_rawhttp_run_reads_multipart_uploads(start):
    server = start("rawhttp.py")
    server.ready()
    image = bytes(range(256)) + b"\r\n--not-a-boundary\r\n" + b"\n\r\x00"
    body = (
        b"--XyZ\r\n"
        b'Content-Disposition: form-data; name="note"\r\n\r\n'
        b"a note\r\n"
        b"--XyZ\r\n"
        b'Content-Disposition: form-data; name="image"; filename="cat.png"\r\n'
        b"Content-Type: image/png\r\n\r\n" + image + b"\r\n"
        b"--XyZ--\r\n"
    )
    meta, answer = server.call(1, body, headers={"content-type": "multipart/form-data; boundary=XyZ"})
    assert meta["status"] == 200, (meta, answer)
    assert json.loads(answer) == {"filename": "cat.png", "size": len(image), "field": "a note"}


def test_input_schema_turns_json_keys_into_typed_arguments(start):
    server = start("schema_standard.py")
    ready = server.ready()
    assert ready["run_input"] == "schema"
    assert ready["schema"]["input"]["properties"]["factor"] == {"type": "number", "format": "double"}
    assert ready["schema"]["output"]["example"] == {"result": 1.0}

    request = {"data": {"a": 1, "b": 2.5}, "factor": 2, "blob": base64.b64encode(b"xyz").decode()}
    meta, body = server.call(1, json.dumps(request), headers=JSON)
    assert meta["status"] == 200, (meta, body)
    assert json.loads(body) == {"result": 7.0, "blob": "xyz", "has_headers": True}

    meta, body = server.call(2, json.dumps({"data": {"a": 1, "b": 1}}), headers=JSON)
    assert json.loads(body)["result"] == 2

    meta, body = server.call(3, method="GET", query='data={"a":1,"b":0.5}&factor=4')
    assert (meta["status"], json.loads(body)["result"]) == (200, 6.0)


@pytest.mark.parametrize(
    "body, headers, status, message",
    [
        ('{"factor": 2}', JSON, 400, "A value is not provided for the 'data' parameter."),
        ('{"data": {"a": 1, "b": 2}}', {"content-type": "text/plain"}, 415, "Expects Content-Type to be application/json"),
        ("[1, 2]", JSON, 400, "POST body should be a JSON dictionary."),
        ("", JSON, 400, "POST body is empty. Expecting a JSON dictionary."),
        ("{not json", JSON, 400, "POST body could not be decoded as JSON: "),
    ],
)
def test_input_schema_rejects_bad_bodies_like_azure(start, body, headers, status, message):
    server = start("schema_standard.py")
    server.ready()
    meta, answer = server.call(1, body, headers=headers)
    assert meta["status"] == status
    assert json.loads(answer)["message"].startswith(message)


def test_input_schema_type_mismatch_is_a_500_from_run(start):
    server = start("schema_standard.py")
    server.ready()
    meta, answer = server.call(1, json.dumps({"data": "not a dict"}), headers=JSON)
    assert meta["status"] == 500
    assert "Invalid input data type to parse" in meta["error"]
    assert meta["headers"]["x-ms-run-function-failed"] == "True"


@pytest.mark.skipif(not harness_can_import("numpy"), reason="numpy is not installed for the harness")
def test_numpy_parameter_type_decodes_arrays(start):
    server = start("schema_numpy.py")
    ready = server.ready()
    assert ready["schema"]["input"]["properties"]["data"]["format"] == "numpy.ndarray"
    meta, body = server.call(1, json.dumps({"data": [[1, 2, 3], [4, 5, 6]]}), headers=JSON)
    assert meta["status"] == 200, (meta, body)
    assert json.loads(body) == {"sum": 21.0, "dtype": "float64", "shape": [2, 3], "is_ndarray": True}
    meta, body = server.call(2, json.dumps({"data": [[1, 2]]}), headers=JSON)
    assert meta["status"] == 500
    assert "array has size 2 on dimension #1" in meta["error"]


@pytest.mark.skipif(not harness_can_import("pandas"), reason="pandas is not installed for the harness")
def test_pandas_parameter_type_decodes_data_frames(start):
    server = start("schema_pandas.py")
    server.ready()
    records = [{"name": "x", "size": 1, "count": 3}, {"name": "y", "size": 2.5, "count": 4}]
    meta, body = server.call(1, json.dumps({"records": records}), headers=JSON)
    assert meta["status"] == 200, (meta, body)
    result = json.loads(body)
    assert (result["rows"], result["total"]) == (2, 3.5)
    assert result["dtypes"]["size"] == "float64" and result["dtypes"]["count"] == "int64"


def test_run_raising_is_a_500_with_the_message_and_the_next_request_is_fine(start):
    server = start("run_error.py")
    server.ready()
    meta, body = server.call(1, "boom")
    assert meta["status"] == 500
    assert meta["error"] == "ValueError: cannot score boom"
    assert meta["headers"]["x-ms-run-function-failed"] == "True"
    assert json.loads(body) == {"message": "An unexpected error occurred in scoring script. Check the logs for more info."}
    meta, body = server.call(2, "fine")
    assert (meta["status"], body) == (200, b'"ok"')
    stderr = server.stderr()
    assert "Traceback" in stderr and "ValueError: cannot score boom" in stderr
    assert all(line.startswith("[modelgate-replica test-replica]") for line in stderr.splitlines() if line)


def test_user_output_reaches_the_log_at_once_and_harness_lines_are_prefixed(start):
    server = start("echo.py")
    server.ready()
    server.call(1, "x")
    # print() in init() is flushed line by line even though stdout is not a terminal.
    assert server.stdout() == "echo init\n"
    stderr = server.stderr()
    assert "POST /score 200" in stderr
    assert stderr and all(line.startswith("[modelgate-replica test-replica] ") for line in stderr.splitlines())


def test_scoring_timeout_answers_500_without_waiting_for_run(start):
    server = start("slow.py")
    server.ready()
    server.score(1, "1.5", timeout_ms=100)
    meta, body = server.result(1, timeout=1.2)
    assert meta["status"] == 500
    assert meta["timed_out"] is True
    assert json.loads(body) == {"message": "Scoring timeout after 100 ms"}


def test_module_style_imports_of_the_azure_names_work(start):
    server = start("plain_imports.py")
    assert server.ready()["run_input"] == "rawhttp"
    meta, body = server.call(1, "x")
    assert (meta["status"], body) == (200, b"plain imports work")
