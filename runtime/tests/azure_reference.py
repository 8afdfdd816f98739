"""Runs a score.py under Azure's real inference server, for ``test_against_azure.py``.

Run with an interpreter that has ``azureml-inference-server-http`` (and ``inference-schema``)
installed; this file is not used by the harness and is not imported by the default tests.

    python azure_reference.py SOURCE_DIR ENTRY_SCRIPT MODEL_DIR

It loads the script through Azure's Flask app (``create_app.create()``) and answers requests
read as JSON lines on stdin, ``{"method", "path", "query", "headers", "body": base64}``,
with lines ``@@RESULT@@ {"status", "headers": [[name, value], ...], "body": base64}`` on stdout
(other stdout lines are the server's and the script's own output).
"""

import base64
import json
import os
import sys

MARK = "@@RESULT@@ "


def main():
    source_dir, entry_script, model_dir = sys.argv[1:4]
    os.environ["AML_APP_ROOT"] = source_dir
    os.environ["AZUREML_ENTRY_SCRIPT"] = entry_script
    os.environ["AZUREML_MODEL_DIR"] = model_dir
    os.chdir(source_dir)
    out = sys.stdout
    try:
        from azureml_inference_server_http.server.create_app import create

        app = create()
    except SystemExit as ex:
        out.write(MARK + json.dumps({"init_failed": True, "code": ex.code}) + "\n")
        out.flush()
        return
    out.write(MARK + json.dumps({"ready": True}) + "\n")
    out.flush()
    client = app.test_client()
    for line in sys.stdin:
        request = json.loads(line)
        url = request["path"] + ("?" + request["query"] if request["query"] else "")
        response = client.open(url, method=request["method"], headers=request["headers"],
                               data=base64.b64decode(request["body"]))
        answer = {
            "status": response.status_code,
            "headers": [[name, value] for name, value in response.headers],
            "body": base64.b64encode(response.get_data()).decode(),
        }
        out.write(MARK + json.dumps(answer) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
