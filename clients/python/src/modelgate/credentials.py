"""Finding the server and the principal to sign in as, as the modelgate CLI does."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Optional

from .errors import ModelGateError

DEFAULT_PORT = 7070


@dataclass
class Credentials:
    """A principal's client id and secret (``<data-dir>/credentials.json`` as ``modelgate serve`` writes it)."""

    client_id: str
    client_secret: str
    server: Optional[str] = None

    @classmethod
    def load(cls, path: str) -> "Credentials":
        """Reads a credentials file; ModelGateError UNAUTHENTICATED saying what is wrong."""
        try:
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
        except OSError as error:
            raise ModelGateError("UNAUTHENTICATED", f"cannot read credentials file '{path}': {error}") from None
        except ValueError:
            raise ModelGateError("UNAUTHENTICATED", f"credentials file '{path}' is not JSON") from None
        if not isinstance(data, dict) or not data.get("client_id") or not data.get("client_secret"):
            raise ModelGateError("UNAUTHENTICATED",
                                 f"credentials file '{path}' is not valid: expected JSON with client_id and client_secret")
        return cls(str(data["client_id"]), str(data["client_secret"]), data.get("server") or None)


def default_credentials_path() -> str:
    """MODELGATE_CREDENTIALS, else <MODELGATE_DATA_DIR or ~/.modelgate>/credentials.json."""
    if os.environ.get("MODELGATE_CREDENTIALS"):
        return os.environ["MODELGATE_CREDENTIALS"]
    data_dir = os.environ.get("MODELGATE_DATA_DIR") or os.path.join(os.path.expanduser("~"), ".modelgate")
    return os.path.join(data_dir, "credentials.json")


def resolve(server: Optional[str], client_id: Optional[str], client_secret: Optional[str],
            credentials_path: Optional[str]) -> tuple[tuple[str, int], Optional[Credentials]]:
    """The server address and credentials from explicit arguments, then the credentials file, then the environment.

    Without client_id/secret the credentials file is read if it exists (it must
    exist when credentials_path is given); no credentials at all is allowed, for
    scoring-only use.
    """
    credentials: Optional[Credentials] = None
    if client_id or client_secret:
        if not (client_id and client_secret):
            raise ModelGateError("INVALID_ARGUMENT", "give both client_id and client_secret")
        credentials = Credentials(client_id, client_secret)
    elif credentials_path is not None:
        credentials = Credentials.load(credentials_path)
    elif os.path.exists(default_credentials_path()):
        credentials = Credentials.load(default_credentials_path())
    address = server or (credentials.server if credentials else None) or os.environ.get("MODELGATE_SERVER") \
        or f"127.0.0.1:{DEFAULT_PORT}"
    return parse_address(address), credentials


def parse_address(address: str) -> tuple[str, int]:
    """("host", port) from "host:port", "[v6]:port" or "host" (port 7070)."""
    text = address.strip()
    for prefix in ("modelgate://", "tcp://"):
        if text.startswith(prefix):
            text = text[len(prefix):]
    host, port = text, DEFAULT_PORT
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            raise ModelGateError("INVALID_ARGUMENT", f"server address '{address}' is not HOST:PORT")
        host, rest = text[1:end], text[end + 1:]
        if rest:
            if not rest.startswith(":"):
                raise ModelGateError("INVALID_ARGUMENT", f"server address '{address}' is not HOST:PORT")
            port = _port(rest[1:], address)
    elif text.count(":") == 1:
        host, port_text = text.split(":")
        port = _port(port_text, address)
    if not host:
        raise ModelGateError("INVALID_ARGUMENT", f"server address '{address}' has no host")
    return host, port


def _port(text: str, address: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ModelGateError("INVALID_ARGUMENT", f"server address '{address}' has no valid port")
    return int(text)
