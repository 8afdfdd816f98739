"""Workspace: the owner of models, compute targets and services, after azureml.core.Workspace."""

from __future__ import annotations

import asyncio
import ssl as _ssl
import weakref
from typing import Any, Optional

from . import _loop
from .aio import AsyncClient
from .errors import ModelGateError
from .tls import TlsArgument


class Workspace:
    """A workspace on a ModelGate server, and the connection used to reach it.

    ::

        ws = Workspace.get("ml-prod", server="127.0.0.1:7070", credentials_path="data/credentials.json")
        ws = Workspace.create("ml-prod", region="westeurope", exist_ok=True, client_id=..., client_secret=...)

    The blocking methods of every object made from it run on a background event
    loop; the ``*_async`` scoring methods run on the caller's loop.
    """

    def __init__(self, name: str, *, server: Optional[str] = None, credentials_path: Optional[str] = None,
                 client_id: Optional[str] = None, client_secret: Optional[str] = None,
                 tls: TlsArgument = None, ssl: Optional[_ssl.SSLContext] = None, timeout: Optional[float] = None, _fetch: bool = True) -> None:
        self.name = name
        self._options = dict(server=server, credentials_path=credentials_path, client_id=client_id,
                             client_secret=client_secret, tls=tls, ssl=ssl, timeout=timeout)
        self.client = AsyncClient(**self._options)  # lives on the background loop
        _loop.close_at_exit(self.client)
        self._async_clients: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, AsyncClient]" = \
            weakref.WeakKeyDictionary()
        self.region = ""
        self.description = ""
        self.tags: dict[str, str] = {}
        if _fetch:
            self._apply(self._run(self.client.get_workspace(name)))

    @classmethod
    def get(cls, name: str, *, server: Optional[str] = None, credentials_path: Optional[str] = None,
            client_id: Optional[str] = None, client_secret: Optional[str] = None,
            tls: TlsArgument = None, ssl: Optional[_ssl.SSLContext] = None, timeout: Optional[float] = None) -> "Workspace":
        """An existing workspace; ModelGateError NOT_FOUND when there is none of that name.

        Args:
            server: "host:port" (default: the credentials file's server, MODELGATE_SERVER, 127.0.0.1:7070).
            credentials_path: a credentials.json (default: MODELGATE_CREDENTIALS or ~/.modelgate/credentials.json).
            client_id, client_secret: a principal instead of a credentials file.
            tls: True (TLS, system trust store), a TlsOptions (CA file, server name, client
                certificate) or False; default: MODELGATE_TLS / MODELGATE_TLS_CA... from the
                environment, else plaintext.
            ssl: an ssl.SSLContext instead of the one ``tls`` builds (it must offer ALPN modelgate/1).
        """
        return cls(name, server=server, credentials_path=credentials_path, client_id=client_id,
                   client_secret=client_secret, tls=tls, ssl=ssl, timeout=timeout)

    @classmethod
    def create(cls, name: str, *, region: str = "westeurope", exist_ok: bool = False, description: str = "",
               tags: Optional[dict[str, str]] = None, server: Optional[str] = None,
               credentials_path: Optional[str] = None, client_id: Optional[str] = None,
               client_secret: Optional[str] = None, tls: TlsArgument = None,
               ssl: Optional[_ssl.SSLContext] = None, timeout: Optional[float] = None) -> "Workspace":
        """Creates a workspace in a region; with exist_ok, returns the existing one of that name."""
        workspace = cls(name, server=server, credentials_path=credentials_path, client_id=client_id,
                        client_secret=client_secret, tls=tls, ssl=ssl, timeout=timeout, _fetch=False)
        try:
            created = workspace._run(workspace.client.create_workspace(name, region, description=description,
                                                                       tags=tags))
        except ModelGateError as error:
            if not (exist_ok and error.code == "ALREADY_EXISTS"):
                raise
            created = workspace._run(workspace.client.get_workspace(name))
        workspace._apply(created)
        return workspace

    def _apply(self, message) -> None:
        self.region = message.region
        self.description = message.description
        self.tags = dict(message.tags)

    def _run(self, coroutine):
        return _loop.run(coroutine)

    async def _async_client(self) -> AsyncClient:
        """A client on the caller's running loop (one per loop), for the *_async methods."""
        current = asyncio.get_running_loop()
        client = self._async_clients.get(current)
        if client is None:
            client = AsyncClient(**self._options)
            self._async_clients[current] = client
        return client

    def delete(self, force: bool = False) -> None:
        """Deletes the workspace (force: with everything in it)."""
        self._run(self.client.delete_workspace(self.name, force=force))

    @property
    def compute_targets(self) -> dict[str, Any]:
        """The workspace's compute targets by name."""
        from .compute import AksCompute
        return {c.name: AksCompute._from_message(self, c) for c in self._run(self.client.list_computes(self.name))}

    @property
    def models(self) -> dict[str, Any]:
        """The latest version of each model, by name."""
        from .model import Model
        return {m.name: Model._from_message(self, m)
                for m in self._run(self.client.list_models(self.name, latest_only=True))}

    @property
    def webservices(self) -> dict[str, Any]:
        """The workspace's web services by name."""
        from .webservice import Webservice
        return {s.name: Webservice._from_message(self, s) for s in self._run(self.client.list_services(self.name))}

    def close(self) -> None:
        """Closes the workspace's connection (it reconnects on the next call)."""
        self._run(self.client.close())

    def __repr__(self) -> str:
        return f"Workspace(name={self.name!r}, region={self.region!r}, server={self.client.server!r})"
