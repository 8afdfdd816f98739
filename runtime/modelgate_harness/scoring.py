"""One scoring request through the user's ``run()``, as Azure's ``/score`` route does it.

This follows ``azureml_inference_server_http.server.routes`` and ``input_parsers``
(version 1.5.1):

- input: ``GET`` query arguments are parsed as if they were the JSON body (each value
  JSON-decoded when it can be, repeated names become lists); a ``POST`` body reaches an
  undecorated ``run`` as a UTF-8 ``str`` (400 if it is not UTF-8) and an ``@input_schema``
  one as the JSON object's keys (415 unless the Content-Type is JSON, 400 for bad JSON, a
  non-object or a missing parameter without default); ``OPTIONS`` answers 200 with an empty
  body and ``HEAD`` 405, except under ``@rawhttp``, which gets both; any other method is
  refused with 405 before ``run()``, ``@rawhttp`` or not (the route only has GET/POST/OPTIONS);
- output: an ``AMLResponse`` (or any Flask-style response) is sent as is, ``x-ms-run-function-failed``
  becoming ``True`` for a status of 500 or more; anything else is ``json.dumps``-ed
  (a ``str`` too, so it arrives as a JSON string; ``None`` arrives as ``{}``);
- errors: an exception in ``run()`` answers 500 with Azure's generic message in the body;
  the exception's own message goes to the RESULT meta's ``error`` and the traceback to stderr;
- headers: ``x-ms-run-fn-exec-ms``, ``x-ms-run-function-failed`` and the request-id headers
  (``x-request-id``, ``x-ms-request-id``, ``x-ms-client-request-id``) as Azure sets them.
"""

import inspect
import json
import os
import time
import traceback
import uuid
from urllib.parse import parse_qsl

from . import log
from .aml_request import AMLRequest
from .aml_response import AMLResponse, Response
from .datastructures import Headers
from .frames import ProtocolError
from .user_script import RAWHTTP, SCHEMA

HEADER_LIMIT = 100

# The methods Azure's /score route accepts; Flask adds HEAD to any route that has GET.
ROUTE_METHODS = frozenset({"GET", "HEAD", "POST", "OPTIONS"})

SCRIPT_ERROR_MESSAGE = "An unexpected error occurred in scoring script. Check the logs for more info."
INTERNAL_ERROR_MESSAGE = "An unexpected internal error occurred. Check the logs for more info."

# Headers the frame's length replaces; a Flask response computes them, the replica drops them.
_FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding"})


class ScoreRequest:
    """A SCORE frame's meta and body, checked.

    Raises ``ProtocolError`` when a meta field has the wrong type: the server wrote it.
    """

    def __init__(self, frame_id, meta, body):
        self.frame_id = frame_id
        self.body = body
        self.method = _field(meta, "method", str, "POST").upper() or "POST"
        self.path = _field(meta, "path", str, "/score") or "/score"
        self.query = _field(meta, "query", str, "").lstrip("?")
        self.request_id = _field(meta, "request_id", str, "") or ""
        self.remote_addr = _field(meta, "remote_addr", str, None)
        timeout_ms = meta.get("timeout_ms")
        if timeout_ms is None:
            timeout_ms = 0
        if isinstance(timeout_ms, bool) or not isinstance(timeout_ms, (int, float)) or timeout_ms < 0:
            raise ProtocolError("SCORE meta timeout_ms must be a non-negative number, got %r" % (timeout_ms,))
        self.timeout_ms = timeout_ms
        raw_headers = meta.get("headers")
        if raw_headers is None:
            raw_headers = {}
        if not isinstance(raw_headers, dict):
            raise ProtocolError("SCORE meta headers must be a JSON object, got %s" % type(raw_headers).__name__)
        self.headers = Headers()
        for name, value in raw_headers.items():
            if isinstance(value, list) and all(isinstance(item, str) for item in value):
                # A WSGI server joins repeated headers with commas.
                value = ",".join(value)
            if not isinstance(value, str):
                raise ProtocolError("SCORE meta header %r must be a string or a list of strings" % name)
            self.headers.add(werkzeug_header_name(name), value)
        if "Content-Length" not in self.headers and (body or self.method in ("POST", "PUT", "PATCH")):
            self.headers.add("Content-Length", str(len(body)))


class Outcome:
    """What goes back in the RESULT frame."""

    def __init__(self, status, headers, body, error=None, run_ms=0.0, timed_out=False):
        self.status = status
        self.headers = headers
        self.body = body
        self.error = error
        self.run_ms = run_ms
        self.timed_out = timed_out

    def meta(self):
        joined = {}
        for name, value in self.headers:
            if name.lower() in _FRAMING_HEADERS:
                continue
            joined[name] = joined[name] + ", " + value if name in joined else value
        return {
            "status": self.status,
            "headers": joined,
            "error": self.error,
            "run_ms": round(self.run_ms, 3),
            "timed_out": self.timed_out,
        }


class BadInput(Exception):
    status = 400


class UnsupportedInput(Exception):
    status = 415


class UnsupportedMethod(Exception):
    pass


class Scorer:
    """Turns a ``ScoreRequest`` into an ``Outcome`` by way of the user's ``run()``."""

    def __init__(self, user_script, access_log=True):
        self.user_script = user_script
        self.access_log = access_log

    def score(self, request):
        started = time.perf_counter()
        if request.method not in ROUTE_METHODS:
            # Flask refuses these before the route (or its request-id hooks) runs, @rawhttp or not.
            outcome = error_outcome(405, "The method is not allowed for the requested URL.")
        else:
            ids = RequestIds(request)
            outcome = error_outcome(431, ids.error) if ids.error else self._handle_score(request)
            ids.apply(outcome.headers, request)
        if request.method == "HEAD":
            outcome.body = b""  # HTTP: a HEAD response has headers only
        if self.access_log:
            path = request.path + ("?" + request.query if request.query else "")
            log.info("%s %s %d %.3fms %d" % (request.method, path, outcome.status,
                                             (time.perf_counter() - started) * 1000, len(outcome.body)))
        return outcome

    def timeout_outcome(self, request):
        """The answer Azure gives when ``run()`` outlives the scoring timeout."""
        timeout = request.timeout_ms
        shown = int(timeout) if float(timeout).is_integer() else timeout
        message = "Scoring timeout after %s ms" % shown
        outcome = error_outcome(500, message, run_function_failed=True)
        outcome.error = message
        outcome.run_ms = float(timeout)
        outcome.timed_out = True
        ids = RequestIds(request)
        if not ids.error:
            ids.apply(outcome.headers, request)
        return outcome

    def _handle_score(self, request):
        script = self.user_script
        try:
            arguments = self._parse_input(request)
        except BadInput as ex:
            return error_outcome(400, str(ex))
        except UnsupportedInput as ex:
            return error_outcome(415, str(ex))
        except UnsupportedMethod:
            if request.method == "OPTIONS":
                return Outcome(200, AMLResponse("", 200).headers, b"")
            return error_outcome(405, "Method not allowed")

        started = time.perf_counter()
        try:
            output = script.call_run(arguments, dict(request.headers))
        except BaseException as ex:  # SystemExit in run() must not take the replica down.
            run_ms = (time.perf_counter() - started) * 1000
            text = "".join(traceback.format_exception(type(ex), ex, ex.__traceback__))
            log.error("run() raised an exception (request %s):\n%s" % (request.frame_id, text))
            outcome = error_outcome(500, SCRIPT_ERROR_MESSAGE, run_function_failed=True)
            outcome.error = exception_line(ex)
            outcome.run_ms = run_ms
            return outcome
        run_ms = (time.perf_counter() - started) * 1000

        if is_response(output):
            try:
                status = int(output.status_code)
                headers = Headers(list(output.headers))
                body = bytes(output.get_data())
            except Exception as ex:
                log.error("run() returned a response that cannot be read: %s" % exception_line(ex))
                outcome = error_outcome(500, INTERNAL_ERROR_MESSAGE)
                outcome.error = "run() returned a response that cannot be read: %s" % exception_line(ex)
                outcome.run_ms = run_ms
                return outcome
            if status >= 500:
                headers.set("x-ms-run-function-failed", True)
            error = None
        else:
            try:
                response = AMLResponse(output, 200, {}, json_str=True)
            except (TypeError, ValueError, RecursionError) as ex:
                detail = "run() returned a value that cannot be serialised as JSON: %s" % exception_line(ex)
                log.error(detail)
                outcome = error_outcome(500, INTERNAL_ERROR_MESSAGE)
                outcome.error = detail
                outcome.run_ms = run_ms
                return outcome
            status, headers, body, error = response.status_code, response.headers, response.get_data(), None
        headers.add("x-ms-run-fn-exec-ms", "%.3f" % run_ms)
        return Outcome(status, headers, body, error=error, run_ms=run_ms)

    def _parse_input(self, request):
        script = self.user_script
        if script.mode == RAWHTTP:
            aml_request = AMLRequest(method=request.method, path=request.path, query=request.query,
                                     headers=request.headers, body=request.body, remote_addr=request.remote_addr)
            return {script.input_parameter: aml_request}
        if request.method == "GET":
            parsed = parse_get_parameters(request.query)
            if script.mode == SCHEMA:
                return self._extract_parameters(parsed)
            return {script.input_parameter: json.dumps(parsed)}
        if request.method != "POST":
            raise UnsupportedMethod(request.method)
        if script.mode == SCHEMA:
            content_type = request.headers.get("Content-Type", "")
            mimetype = content_type.split(";", 1)[0].strip().lower()
            if not (mimetype == "application/json" or (mimetype.startswith("application/") and mimetype.endswith("+json"))):
                raise UnsupportedInput("Expects Content-Type to be application/json")
            try:
                json_body = json.loads(request.body)
            except (ValueError, UnicodeDecodeError) as ex:
                if request.body:
                    raise BadInput("POST body could not be decoded as JSON: %s" % ex) from None
                raise BadInput("POST body is empty. Expecting a JSON dictionary.") from None
            if not isinstance(json_body, dict):
                raise BadInput("POST body should be a JSON dictionary.")
            return self._extract_parameters(json_body)
        try:
            return {script.input_parameter: str(request.body, "utf-8")}
        except UnicodeDecodeError as ex:
            raise BadInput("Input cannot be decoded as UTF-8: %s" % ex) from None

    def _extract_parameters(self, body):
        parameters = {}
        for parameter in self.user_script.schema_parameters:
            value = body.get(parameter.name, parameter.default)
            if value is inspect.Parameter.empty:
                raise BadInput("A value is not provided for the %r parameter." % parameter.name)
            parameters[parameter.name] = value
        return parameters


class RequestIds:
    """Azure's request-id rules: which ids a request carries and which headers echo them."""

    def __init__(self, request):
        self.error = None
        self.request_id = ""
        self.client_request_id = ""
        self.legacy_client_request_id = ""
        request_id = request.headers.get("x-request-id") or request.request_id or str(uuid.uuid4())
        if len(request_id) > HEADER_LIMIT:
            self.error = "x-request-id must not exceed %d characters" % HEADER_LIMIT
            return
        self.request_id = request_id
        legacy = request.headers.get("x-ms-request-id", "")
        client = request.headers.get("x-ms-client-request-id", "")
        if legacy:
            log.warning("x-ms-request-id header has been deprecated and will be removed from future versions of "
                        "the server. Please use x-ms-client-request-id.")
            if not client:
                client = legacy
        else:
            legacy = client or request_id
        if len(legacy) > HEADER_LIMIT or len(client) > HEADER_LIMIT:
            self.error = "x-ms-request-id and x-ms-client-request-id must not exceed %d characters" % HEADER_LIMIT
            return
        self.legacy_client_request_id = legacy
        self.client_request_id = client

    def apply(self, headers, request):
        server_version = os.environ.get("HTTP_X_MS_SERVER_VERSION", "")
        if server_version:
            headers.add("x-ms-server-version", server_version)
        if self.request_id:
            headers.set("x-request-id", self.request_id)
        if self.legacy_client_request_id:
            headers.set("x-ms-request-id", self.legacy_client_request_id)
        if self.client_request_id:
            headers.set("x-ms-client-request-id", self.client_request_id)
        if "TraceId" in request.headers:
            headers.add("TraceId", request.headers["TraceId"])


def error_outcome(status, message, run_function_failed=False):
    """Azure's ``ErrorResponse``: ``{"message": ...}`` as JSON with the given status."""
    response = AMLResponse({"message": message}, status, json_str=True, run_function_failed=run_function_failed)
    return Outcome(status, response.headers, response.get_data(), error=message if status >= 400 else None)


def is_response(value):
    """An ``AMLResponse``, or any Flask/Werkzeug-style response a script returns."""
    if isinstance(value, Response):
        return True
    return all(hasattr(value, attribute) for attribute in ("status_code", "headers", "get_data")) \
        and not isinstance(value, type)


def parse_get_parameters(query):
    """Query arguments as if they were a JSON body (Azure's ``_parse_get_parameters``)."""
    grouped = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        grouped.setdefault(key, []).append(value)
    parsed = {}
    for key, values in grouped.items():
        if len(values) == 1:
            parsed[key] = _parse_input(values[0])
        else:
            parsed[key] = [_parse_input(value) for value in values]
    return parsed


def _parse_input(text):
    try:
        return json.loads(text)
    except ValueError:
        return text


def werkzeug_header_name(name):
    """The name a WSGI server gives a header (``x-custom_id`` → ``X-Custom-Id``)."""
    return str(name).replace("_", "-").title()


def exception_line(ex):
    """``"ValueError: bad input"``: the last line of the exception's traceback."""
    return traceback.format_exception_only(type(ex), ex)[-1].strip()


def _field(meta, key, kind, default):
    value = meta.get(key, default)
    if value is None:
        return default
    if not isinstance(value, kind):
        raise ProtocolError("SCORE meta %s must be a %s, got %s" % (key, kind.__name__, type(value).__name__))
    return value
