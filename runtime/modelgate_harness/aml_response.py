"""``azureml.contrib.services.aml_response`` for user scripts: ``AMLResponse``.

Azure's ``AMLResponse`` is a Flask response; this one keeps its constructor and its rules
without Flask:

- ``json_str=True``: the message is ``json.dumps``-ed and the type is ``application/json``;
- otherwise a ``str`` message is sent as UTF-8 and a ``bytes`` one as is, typed
  ``text/html; charset=utf-8`` (Flask's default) unless ``response_headers`` names a
  ``Content-Type``;
- a ``None`` message sends ``{}`` as ``application/json``;
- ``x-ms-run-function-failed`` is set to ``run_function_failed``;
- each header value is split on commas, and each piece is sent as its own header line
  (the replica protocol joins repeated headers again with ``", "``).
"""

import json

from .datastructures import Headers

_STATUS_REASONS = {
    200: "OK", 201: "CREATED", 202: "ACCEPTED", 204: "NO CONTENT", 301: "MOVED PERMANENTLY",
    302: "FOUND", 304: "NOT MODIFIED", 400: "BAD REQUEST", 401: "UNAUTHORIZED", 403: "FORBIDDEN",
    404: "NOT FOUND", 405: "METHOD NOT ALLOWED", 409: "CONFLICT", 413: "REQUEST ENTITY TOO LARGE",
    415: "UNSUPPORTED MEDIA TYPE", 422: "UNPROCESSABLE ENTITY", 429: "TOO MANY REQUESTS",
    431: "REQUEST HEADER FIELDS TOO LARGE", 500: "INTERNAL SERVER ERROR", 501: "NOT IMPLEMENTED",
    502: "BAD GATEWAY", 503: "SERVICE UNAVAILABLE", 504: "GATEWAY TIMEOUT",
}

DEFAULT_MIMETYPE = "text/html; charset=utf-8"


class Response:
    """The part of a Flask response the harness and user scripts need."""

    def __init__(self, response=None, status=200, headers=None, mimetype=None, content_type=None):
        self.headers = Headers()
        self.status_code = int(status)
        if content_type is None:
            content_type = mimetype if mimetype is not None else DEFAULT_MIMETYPE
            if mimetype is not None and mimetype.startswith("text/") and "charset" not in mimetype:
                content_type = mimetype + "; charset=utf-8"
        self.headers.add("Content-Type", content_type)
        if headers:
            self.headers.extend(headers)
        self.set_data(b"" if response is None else response)

    @property
    def status(self):
        return "%d %s" % (self.status_code, _STATUS_REASONS.get(self.status_code, "UNKNOWN"))

    @status.setter
    def status(self, value):
        self.status_code = int(str(value).split(" ", 1)[0])

    def get_data(self, as_text=False):
        return self._data.decode("utf-8", "replace") if as_text else self._data

    def set_data(self, value):
        self._data = _to_bytes(value)

    @property
    def data(self):
        return self.get_data()

    @data.setter
    def data(self, value):
        self.set_data(value)

    @property
    def response(self):
        return [self._data]

    @property
    def content_type(self):
        return self.headers.get("Content-Type")

    @content_type.setter
    def content_type(self, value):
        self.headers.set("Content-Type", value)

    @property
    def mimetype(self):
        value = self.content_type
        return value.split(";", 1)[0].strip().lower() if value else None

    @mimetype.setter
    def mimetype(self, value):
        if value.startswith("text/") and "charset" not in value:
            value += "; charset=utf-8"
        self.headers.set("Content-Type", value)

    @property
    def content_length(self):
        return len(self._data)

    @property
    def is_json(self):
        mimetype = self.mimetype or ""
        return mimetype == "application/json" or (mimetype.startswith("application/") and mimetype.endswith("+json"))

    def get_json(self, force=False, silent=False):
        if not (force or self.is_json):
            return None
        try:
            return json.loads(self._data)
        except ValueError:
            if silent:
                return None
            raise

    @property
    def json(self):
        return self.get_json()

    def __repr__(self):
        return "<%s %d bytes [%s]>" % (type(self).__name__, len(self._data), self.status)


class AMLResponse(Response):
    """AMLResponse class used by score.py that needs raw HTTP access"""

    def __init__(self, message, status_code, response_headers={}, json_str=False, run_function_failed=False):
        """Create new instance"""
        if message is not None:
            if json_str:
                super().__init__(json.dumps(message), status=status_code, mimetype="application/json")
            else:
                super().__init__(message, status=status_code)
                # Azure removes its default Content-Type when the script names one; Werkzeug
                # would keep both if the cases differ, which no client wants, so any case counts.
                if any(str(name).lower() == "content-type" for name in response_headers):
                    self.headers.remove("Content-Type")
        else:
            # return empty json if message is None
            super().__init__(json.dumps({}), status=status_code, mimetype="application/json")

        self.headers["x-ms-run-function-failed"] = run_function_failed

        # If the user run() want to response repeated headers, comma should be used as the seperator
        for header, value in response_headers.items():
            for v in value.split(","):
                self.headers.add_header(header, v.strip())


def _to_bytes(value):
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    try:
        iterator = iter(value)
    except TypeError:
        raise TypeError(
            "The response body must be a str, bytes or an iterable of them, not %s" % type(value).__name__
        ) from None
    return b"".join(_to_bytes(item) for item in iterator)
