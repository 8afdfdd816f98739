import json

from azureml.contrib.services.aml_request import AMLRequest, rawhttp  # noqa: F401
from azureml.contrib.services.aml_response import AMLResponse


def init():
    pass


@rawhttp
def run(request):
    mode = request.args.get("mode")
    if request.method not in ("GET", "POST") or mode == "plain":
        return {"method": request.method}
    if request.method == "GET":
        return AMLResponse(request.full_path.encode(), 200)
    if mode == "created":
        return AMLResponse(
            "created " + request.get_data(as_text=True),
            201,
            {"Content-Type": "text/plain", "X-Multi": "a, b", "Location": "/things/1"},
        )
    if mode == "fail":
        return AMLResponse({"failed": request.args.get("id")}, 503, json_str=True)
    if request.mimetype == "multipart/form-data":
        upload = request.files["image"]
        return AMLResponse(
            {"filename": upload.filename, "size": len(upload.read()), "field": request.form.get("note")},
            200,
            json_str=True,
        )
    body = request.get_json()
    return AMLResponse(json.dumps({"sum": sum(body["values"]), "header": request.headers.get("x-token")}), 200,
                       {"Content-Type": "application/json"})
