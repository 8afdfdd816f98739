"""The harness against Azure's real inference server, request by request.

Skipped unless ``MODELGATE_AZURE_PYTHON`` names a Python interpreter that has the PyPI
packages ``azureml-inference-server-http`` and ``inference-schema`` (and numpy) installed:

    python3 -m venv /tmp/azure && /tmp/azure/bin/pip install azureml-inference-server-http inference-schema numpy pandas
    MODELGATE_AZURE_PYTHON=/tmp/azure/bin/python python3 -m pytest Sources/ModelGateServer/Resources/runtime/tests/test_against_azure.py

Each script in ``scripts/`` gets the same requests from Azure's Flask app
(``azure_reference.py``) and from the harness; status, body and headers must agree, except
for the run time in ``x-ms-run-fn-exec-ms`` and ``Content-Length`` (the frame carries it).
"""

import base64
import json
import os
import shutil
import subprocess
import tempfile

import pytest

from fake_server import SCRIPTS_DIR, harness_can_import

AZURE_PYTHON = os.environ.get("MODELGATE_AZURE_PYTHON")
REFERENCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "azure_reference.py")

pytestmark = pytest.mark.skipif(not AZURE_PYTHON, reason="MODELGATE_AZURE_PYTHON is not set")

JSON = {"Content-Type": "application/json"}


def req(body=b"", method="POST", query="", headers=None, path="/score"):
    return {"method": method, "path": path, "query": query, "headers": dict(headers or {}),
            "body": body.encode() if isinstance(body, str) else body}


MULTIPART = (
    b"--XyZ\r\n"
    b'Content-Disposition: form-data; name="note"\r\n\r\n'
    b"a note\r\n"
    b"--XyZ\r\n"
    b'Content-Disposition: form-data; name="image"; filename="cat.png"\r\n'
    b"Content-Type: image/png\r\n\r\n" + bytes(range(256)) + b"\r\n"
    b"--XyZ--\r\n"
)

CASES = {
    "echo.py": [
        req("hello"),
        req("grüße ☃"),
        req(""),
        req(b"\xff\xfe"),
        req(method="GET", query="a=1&b=x&b=[1,2]&c="),
        req(method="OPTIONS"),
        req("x", method="DELETE"),
        req("x", method="PUT"),
        req(method="HEAD"),
        req(method="PATCH", query="a=1"),
        req("x", headers={"x-ms-client-request-id": "client-7"}),
        req("x", headers={"x-ms-request-id": "legacy-1"}),
        req("x", headers={"x-request-id": "r" * 101}),
        req("x", headers={"TraceId": "trace-1"}),
    ],
    "returns.py": [req(kind) for kind in ("dict", "list", "str", "none", "nan", "unicode", "bytes", "object")],
    "headers.py": [req("payload", headers={"Content-Type": "text/plain", "X-Custom-Thing": "v1"})],
    "rawhttp.py": [
        req("thing", query="mode=created"),
        req(method="GET", query="q=1&r=two"),
        req(json.dumps({"values": [1, 2, 3]}), headers={**JSON, "x-token": "t"}),
        req(query="mode=fail&id=9"),
        req(query="mode=plain"),
        req(method="OPTIONS"),
        req(method="HEAD"),
        req("x", method="PUT"),
        req("x", method="DELETE"),
        req(MULTIPART, headers={"Content-Type": "multipart/form-data; boundary=XyZ"}),
    ],
    "schema_standard.py": [
        req(json.dumps({"data": {"a": 1, "b": 2.5}, "factor": 2, "blob": base64.b64encode(b"xyz").decode()}),
            headers=JSON),
        req(json.dumps({"data": {"a": 1, "b": 1}}), headers=JSON),
        req(method="GET", query='data={"a":1,"b":0.5}&factor=4'),
        req('{"factor": 2}', headers=JSON),
        req('{"data": {"a": 1, "b": 2}}', headers={"Content-Type": "text/plain"}),
        req("[1, 2]", headers=JSON),
        req("", headers=JSON),
        req("{not json", headers=JSON),
        req(json.dumps({"data": "not a dict"}), headers=JSON),
        req(json.dumps({"data": {"a": 1, "b": 2}, "factor": "x"}), headers=JSON),
        req(json.dumps({"data": {"a": 1, "b": 2}}), headers={"Content-Type": "application/vnd.api+json"}),
    ],
    "schema_numpy.py": [
        req(json.dumps({"data": [[1, 2, 3], [4, 5, 6]]}), headers=JSON),
        req(json.dumps({"data": [[1, 2]]}), headers=JSON),
        req(json.dumps({"data": "x"}), headers=JSON),
    ],
    "run_error.py": [req("boom"), req("fine")],
    "schema_pandas.py": [
        req(json.dumps({"records": [{"name": "x", "size": 1, "count": 3}, {"name": "y", "size": 2.5, "count": 4}]}),
            headers=JSON),
        req(json.dumps({"records": [{"name": "x", "size": 1, "count": 3}],
                        "split": {"columns": ["name", "size", "count"], "index": [0], "data": [["z", 0.5, 1]]}}),
            headers=JSON),
        req(json.dumps({"records": [{"name": "x", "size": 1}]}), headers=JSON),
        req(json.dumps({"records": "nope"}), headers=JSON),
    ],
}

# Scripts that need a package the harness's interpreter may lack.
NEEDS = {"schema_numpy.py": "numpy", "schema_pandas.py": "pandas"}

# Werkzeug's test client puts the headers in its own order; a real WSGI server keeps the
# request's, as the harness does, so only the content of request_headers is compared.
UNORDERED_JSON_BODIES = {"headers.py"}

INIT_FAILURES = ["import_error.py", "init_error.py", "bad_signature.py", "no_run.py"]


class AzureReference:
    def __init__(self, script):
        self.dir = tempfile.mkdtemp(prefix="mgaz-")
        self.source_dir = os.path.join(self.dir, "src")
        self.model_dir = os.path.join(self.dir, "model")
        os.makedirs(self.source_dir)
        os.makedirs(self.model_dir)
        shutil.copy(os.path.join(SCRIPTS_DIR, script), os.path.join(self.source_dir, "score.py"))
        env = {key: value for key, value in os.environ.items() if not key.startswith(("AZUREML_", "AML_"))}
        self.process = subprocess.Popen(
            [AZURE_PYTHON, REFERENCE, self.source_dir, "score.py", self.model_dir],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True,
        )
        self.status = self._next()

    def _next(self):
        for line in self.process.stdout:
            if line.startswith("@@RESULT@@ "):
                return json.loads(line[len("@@RESULT@@ "):])
        raise AssertionError("Azure's server ended without answering")

    def send(self, request):
        line = dict(request, body=base64.b64encode(request["body"]).decode())
        self.process.stdin.write(json.dumps(line) + "\n")
        self.process.stdin.flush()
        answer = self._next()
        return answer["status"], answer["headers"], base64.b64decode(answer["body"])

    def close(self):
        self.process.kill()
        self.process.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def azure():
    references = []

    def _azure(script):
        reference = AzureReference(script)
        references.append(reference)
        return reference

    yield _azure
    for reference in references:
        reference.close()


def comparable_headers(pairs):
    joined = {}
    for name, value in pairs:
        if name.lower() in ("content-length", "x-ms-run-fn-exec-ms"):
            continue
        joined[name] = joined[name] + ", " + value if name in joined else value
    return joined


@pytest.mark.parametrize("script", sorted(CASES))
def test_the_harness_answers_like_azure(start, azure, script):
    if script in NEEDS and not harness_can_import(NEEDS[script]):
        pytest.skip("%s is not installed for the harness" % NEEDS[script])
    reference = azure(script)
    assert reference.status == {"ready": True}
    server = start(script)
    server.ready()
    mismatches = []
    for frame_id, request in enumerate(CASES[script], start=1):
        headers = {"x-request-id": "req-%d" % frame_id, "Host": "localhost", "User-Agent": "modelgate-test"}
        headers.update(request["headers"])
        request = dict(request, headers=headers)
        status, azure_headers, azure_body = reference.send(request)
        meta, body = server.call(frame_id, request["body"], method=request["method"], path=request["path"],
                                 query=request["query"], headers=request["headers"])
        if script in UNORDERED_JSON_BODIES:
            body, azure_body = json.loads(body), json.loads(azure_body)
        ours = (meta["status"], body, comparable_headers(meta["headers"].items()),
                "x-ms-run-fn-exec-ms" in meta["headers"])
        theirs = (status, azure_body, comparable_headers(azure_headers),
                  any(name == "x-ms-run-fn-exec-ms" for name, _ in azure_headers))
        if ours != theirs:
            mismatches.append("request %d %r\n  harness: %r\n  azure:   %r" % (frame_id, request, ours, theirs))
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.parametrize("script", INIT_FAILURES)
def test_the_harness_refuses_the_scripts_azure_refuses(start, azure, script):
    assert azure(script).status == {"init_failed": True, "code": 3}
    server = start(script)
    server.accept()
    frame_type, _, _, _ = server.read_frame()
    assert frame_type == 0x11
    assert server.wait_exit() == 3
