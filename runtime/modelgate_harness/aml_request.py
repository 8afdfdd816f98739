"""``azureml.contrib.services.aml_request`` for user scripts: ``rawhttp`` and ``AMLRequest``.

Azure's inference server replaces ``azureml.contrib.services.aml_request`` with its own
module, whose ``AMLRequest`` is a Flask request. This module plays that part without Flask:
``AMLRequest`` offers the commonly used part of the Werkzeug request API (``method``,
``path``, ``full_path``, ``args``, ``headers``, ``get_data()``, ``get_json()``, ``form``,
``files``, ...), built from the request the server forwarded.
"""

import io
import json
import shutil
from email.message import Message
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, quote

from .datastructures import Headers, MultiDict

# Set when any function is decorated with ``@rawhttp``, exactly like Azure's module: the
# flag is global, not tied to ``run``.
_rawHttpRequested = False


def rawhttp(func):
    """Attribute applied to run() function in score.py to request raw HTTP access"""
    global _rawHttpRequested
    _rawHttpRequested = True
    return func


class HTTPException(Exception):
    """An HTTP error raised by the request API (Werkzeug raises its own classes here)."""

    code = 500
    description = "Internal Server Error"

    def __init__(self, description=None):
        if description is not None:
            self.description = description
        super().__init__("%d %s: %s" % (self.code, type(self).__name__, self.description))


class BadRequest(HTTPException):
    code = 400
    description = "The browser (or proxy) sent a request that this server could not understand."


class UnsupportedMediaType(HTTPException):
    code = 415
    description = "The server does not support the media type transmitted in the request."


class UserAgent:
    """The ``User-Agent`` header, as Werkzeug's ``request.user_agent`` exposes it."""

    def __init__(self, string):
        self.string = string or ""

    def __str__(self):
        return self.string

    def __bool__(self):
        return bool(self.string)


class FileStorage:
    """One uploaded file of a ``multipart/form-data`` request, like Werkzeug's.

    Anything not defined here (``read``, ``seek``, ``tell``, ...) goes to the in-memory
    stream, so the object can be handed to libraries that want a file (``PIL.Image.open``).
    """

    def __init__(self, stream=None, filename=None, name=None, content_type=None, headers=None):
        self.stream = stream if stream is not None else io.BytesIO()
        self.filename = filename
        self.name = name
        self.headers = headers if headers is not None else Headers()
        if content_type is not None and "Content-Type" not in self.headers:
            self.headers.add("Content-Type", content_type)

    @property
    def content_type(self):
        return self.headers.get("Content-Type")

    @property
    def content_length(self):
        return int(self.headers.get("Content-Length", 0) or 0)

    @property
    def mimetype(self):
        return _split_media_type(self.content_type)[0]

    @property
    def mimetype_params(self):
        return _split_media_type(self.content_type)[1]

    def save(self, dst, buffer_size=16384):
        if isinstance(dst, (str, bytes)) or hasattr(dst, "__fspath__"):
            with open(dst, "wb") as handle:
                shutil.copyfileobj(self.stream, handle, buffer_size)
        else:
            shutil.copyfileobj(self.stream, dst, buffer_size)

    def close(self):
        try:
            self.stream.close()
        except Exception:
            pass

    def __bool__(self):
        return bool(self.filename)

    def __getattr__(self, name):
        try:
            return getattr(self.stream, name)
        except AttributeError:
            raise AttributeError("%s object has no attribute %r" % (type(self).__name__, name)) from None

    def __iter__(self):
        return iter(self.stream)

    def __repr__(self):
        return "<FileStorage: %r (%r)>" % (self.filename, self.content_type)


class AMLRequest:
    """AMLRequest class used by score.py that needs raw HTTP access"""

    def __init__(self, method="GET", path="/score", query="", headers=None, body=b"", remote_addr=None):
        self.method = (method or "GET").upper()
        self.path = path or "/"
        if isinstance(query, bytes):
            query = query.decode("latin-1")
        self.query_string = (query or "").lstrip("?").encode("latin-1", "replace")
        self.headers = headers if isinstance(headers, Headers) else Headers(headers or [])
        self._body = bytes(body or b"")
        self.remote_addr = remote_addr
        self.scheme = "http"
        self.script_root = ""
        self.root_path = ""
        self._args = None
        self._form = None
        self._files = None
        self._json = _UNSET
        self._stream = None

    # The request line ------------------------------------------------------------------------

    @property
    def args(self):
        if self._args is None:
            self._args = MultiDict(parse_qsl(self.query_string.decode("latin-1"), keep_blank_values=True))
        return self._args

    @property
    def full_path(self):
        return "%s?%s" % (self.path, self.query_string.decode("latin-1"))

    @property
    def host(self):
        return self.headers.get("Host") or "localhost"

    @property
    def host_url(self):
        return "%s://%s/" % (self.scheme, self.host)

    @property
    def url_root(self):
        return self.host_url

    @property
    def base_url(self):
        return "%s://%s%s" % (self.scheme, self.host, quote(self.path, safe="/:@!$&'()*+,;=-._~"))

    @property
    def url(self):
        query = self.query_string.decode("latin-1")
        return self.base_url + ("?" + query if query else "")

    @property
    def access_route(self):
        forwarded = self.headers.get("X-Forwarded-For")
        if forwarded:
            return [part.strip() for part in forwarded.split(",")]
        return [self.remote_addr] if self.remote_addr else []

    @property
    def user_agent(self):
        return UserAgent(self.headers.get("User-Agent"))

    @property
    def cookies(self):
        cookie = SimpleCookie()
        try:
            cookie.load(self.headers.get("Cookie", ""))
        except Exception:
            pass
        return MultiDict((key, morsel.value) for key, morsel in cookie.items())

    @property
    def environ(self):
        """A WSGI-style environ built from the request, for scripts that read it directly."""
        environ = {
            "REQUEST_METHOD": self.method,
            "SCRIPT_NAME": "",
            "PATH_INFO": self.path,
            "QUERY_STRING": self.query_string.decode("latin-1"),
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.url_scheme": self.scheme,
            "wsgi.input": io.BytesIO(self._body),
        }
        if self.remote_addr:
            environ["REMOTE_ADDR"] = self.remote_addr
        for name, value in self.headers:
            key = name.upper().replace("-", "_")
            if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                environ[key] = value
            else:
                environ["HTTP_" + key] = value
        return environ

    # The body --------------------------------------------------------------------------------

    @property
    def content_type(self):
        return self.headers.get("Content-Type")

    @property
    def mimetype(self):
        return _split_media_type(self.content_type)[0]

    @property
    def mimetype_params(self):
        return _split_media_type(self.content_type)[1]

    @property
    def content_length(self):
        value = self.headers.get("Content-Length")
        if value is None:
            return len(self._body) if self._body else None
        try:
            return max(0, int(value))
        except ValueError:
            return None

    @property
    def content_encoding(self):
        return self.headers.get("Content-Encoding")

    @property
    def charset(self):
        return self.mimetype_params.get("charset", "utf-8")

    def get_data(self, cache=True, as_text=False, parse_form_data=False):
        if as_text:
            return self._body.decode(self.charset, "replace")
        return self._body

    @property
    def data(self):
        return self._body

    @property
    def stream(self):
        if self._stream is None:
            self._stream = io.BytesIO(self._body)
        return self._stream

    input_stream = stream

    @property
    def is_json(self):
        mimetype = self.mimetype
        return mimetype == "application/json" or (mimetype.startswith("application/") and mimetype.endswith("+json"))

    def get_json(self, force=False, silent=False, cache=True):
        if cache and self._json is not _UNSET:
            return self._json
        if not (force or self.is_json):
            if silent:
                return None
            raise UnsupportedMediaType(
                "Did not attempt to load JSON data because the request Content-Type was not 'application/json'."
            )
        try:
            value = json.loads(self._body.decode(self.charset))
        except (UnicodeDecodeError, ValueError) as ex:
            if silent:
                return None
            raise BadRequest("Failed to decode JSON object: %s" % ex) from None
        if cache:
            self._json = value
        return value

    @property
    def json(self):
        return self.get_json()

    @property
    def form(self):
        self._parse_form()
        return self._form

    @property
    def files(self):
        self._parse_form()
        return self._files

    @property
    def values(self):
        combined = MultiDict(self.args.items(multi=True))
        if self.method != "GET":
            for key, value in self.form.items(multi=True):
                combined.add(key, value)
        return combined

    def _parse_form(self):
        if self._form is not None:
            return
        self._form, self._files = MultiDict(), MultiDict()
        mimetype, params = _split_media_type(self.content_type)
        if mimetype == "application/x-www-form-urlencoded":
            text = self._body.decode(params.get("charset", "utf-8"), "replace")
            self._form = MultiDict(parse_qsl(text, keep_blank_values=True))
        elif mimetype == "multipart/form-data" and params.get("boundary"):
            self._form, self._files = parse_multipart(self._body, params["boundary"])

    def close(self):
        for _, storage in self.files.items(multi=True):
            storage.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return "<%s %r [%s]>" % (type(self).__name__, self.url, self.method)


_UNSET = object()


def _split_media_type(value):
    """``"text/plain; charset=utf-8"`` → ``("text/plain", {"charset": "utf-8"})``."""
    if not value:
        return "", {}
    message = Message()
    message["Content-Type"] = value
    params = {}
    for key, param in message.get_params(header="Content-Type", failobj=[])[1:]:
        params[key.lower()] = param
    return value.split(";", 1)[0].strip().lower(), params


def parse_multipart(body, boundary):
    """Splits a ``multipart/form-data`` body into ``(form, files)`` MultiDicts.

    Parts with a ``filename`` become ``FileStorage`` objects, the others strings. The body's
    bytes are kept exactly (no line-ending or charset conversion of file contents).
    """
    form, files = MultiDict(), MultiDict()
    delimiter = b"--" + boundary.encode("latin-1")
    start = body.find(delimiter)
    if start < 0:
        return form, files
    position = start + len(delimiter)
    while True:
        if body[position:position + 2] == b"--":
            break
        # Skip the rest of the delimiter line.
        line_end = body.find(b"\r\n", position)
        if line_end < 0:
            break
        part_start = line_end + 2
        next_delimiter = body.find(b"\r\n" + delimiter, part_start)
        if next_delimiter < 0:
            break
        _add_part(body[part_start:next_delimiter], form, files)
        position = next_delimiter + 2 + len(delimiter)
    return form, files


def _add_part(part, form, files):
    head_end = part.find(b"\r\n\r\n")
    if head_end < 0:
        raw_headers, content = part, b""
        if part.startswith(b"\r\n"):
            raw_headers, content = b"", part[2:]
    else:
        raw_headers, content = part[:head_end], part[head_end + 4:]
    headers = Headers()
    for line in raw_headers.decode("utf-8", "replace").split("\r\n"):
        if ":" in line:
            name, value = line.split(":", 1)
            headers.add(name.strip(), value.strip())
    disposition = Message()
    disposition["Content-Disposition"] = headers.get("Content-Disposition", "")
    name = disposition.get_param("name", header="Content-Disposition")
    filename = disposition.get_filename()
    if isinstance(name, tuple):
        name = name[2]
    if name is None:
        return
    if filename is not None:
        storage = FileStorage(io.BytesIO(content), filename=filename, name=name, headers=headers)
        files.add(name, storage)
    else:
        charset = _split_media_type(headers.get("Content-Type"))[1].get("charset", "utf-8")
        form.add(name, content.decode(charset, "replace"))
