"""The asyncio client: every ModelGate call as a coroutine (or an async iterator for streams).

The azureml-style classes (Workspace, Model, Webservice) are built on it; use it
directly from asyncio code::

    async with AsyncClient(server="127.0.0.1:7070", credentials_path="data/credentials.json") as client:
        keys = await client.get_keys("ml-prod", "linreg")
        answer = await client.score("ml-prod", "linreg", b'{"data": [[1, 2, 3]]}', key=keys.primary_key)
        async for response in client.score_stream("ml-prod", "linreg", bodies, key=keys.primary_key):
            ...

Control-plane calls sign in with the principal's client id and secret on first
use, send the access token as ``authorization: Bearer``, and sign in once more
if the server says the token went stale. Scoring calls carry a service key or
a scoring token instead, never the principal's token.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import ssl as _ssl
from typing import Any, AsyncIterable, AsyncIterator, Iterable, Optional, Union

from . import credentials as _credentials
from . import tls as _tls
from .connection import Connection, Limits, Stream
from .errors import ModelGateError
from .tls import TlsArgument
from .v1 import (auth_pb2, deployment_pb2, identity_pb2, model_pb2, scoring_pb2, workspace_pb2)

CHUNK_SIZE = 1 << 20  # model files go in 1 MiB chunks, well under the 4 MiB message limit

Body = Union[bytes, bytearray, str, scoring_pb2.ScoreRequest]


def _method(service: str, name: str) -> str:
    return f"/modelgate.v1.{service}/{name}"


class AsyncClient:
    """A connection to a ModelGate server and the principal it acts as.

    Args:
        server: "host:port"; defaults to the credentials file's "server", then
            MODELGATE_SERVER, then 127.0.0.1:7070.
        client_id, client_secret: the principal to sign in as.
        credentials_path: a credentials.json instead (default: MODELGATE_CREDENTIALS,
            else <MODELGATE_DATA_DIR or ~/.modelgate>/credentials.json if it exists).
        tls: True to connect over TLS verifying against the system trust store, a
            modelgate.TlsOptions (CA file, server name, client certificate), False for
            plaintext; None (the default) reads MODELGATE_TLS, MODELGATE_TLS_CA, ...
            (see TlsOptions.from_environment), plaintext when none is set.
        ssl: an ``ssl.SSLContext`` to use instead of the one ``tls`` would build
            (it must offer ALPN ``modelgate/1``).
        timeout: default seconds allowed per unary call (None: no deadline).
    """

    def __init__(self, server: Optional[str] = None, *, client_id: Optional[str] = None,
                 client_secret: Optional[str] = None, credentials_path: Optional[str] = None,
                 tls: TlsArgument = None, ssl: Optional[_ssl.SSLContext] = None,
                 timeout: Optional[float] = None, limits: Optional[Limits] = None) -> None:
        (self.host, self.port), self.credentials = _credentials.resolve(server, client_id, client_secret, credentials_path)
        # Built once, here, so a missing CA or key file fails at construction, not at the first call.
        self.ssl, self.tls = _tls.resolve(tls, ssl)
        self.timeout = timeout
        self.limits = limits or Limits()
        self._connection: Optional[Connection] = None
        self._connecting: Optional[asyncio.Future] = None
        self._access_token: Optional[str] = None

    @property
    def server(self) -> str:
        return f"{self.host}:{self.port}"

    async def __aenter__(self) -> "AsyncClient":
        await self.connection()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()

    async def connection(self) -> Connection:
        """The live connection, connecting (again) when there is none or the server is going away."""
        if self._connection is not None and self._connection.is_usable:
            return self._connection
        if self._connecting is None:
            self._connecting = asyncio.ensure_future(
                Connection.open(self.host, self.port, tls=self.tls or False, ssl=self.ssl, limits=self.limits))
        try:
            connection = await asyncio.shield(self._connecting)
        finally:
            if self._connecting is not None and self._connecting.done():
                self._connecting = None
        old, self._connection = self._connection, connection
        if old is not None and old is not connection:
            asyncio.ensure_future(_close_when_idle(old))
        return connection

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()
            self._connection = None

    # Calls.

    async def call(self, method: str, request, response_type, *, metadata: Optional[dict[str, str]] = None,
                   timeout: Optional[float] = None):
        """A unary call with explicit metadata (no sign-in)."""
        connection = await self.connection()
        payload = await connection.unary(method, request.SerializeToString(), metadata,
                                         timeout if timeout is not None else self.timeout)
        return _parse(response_type, payload)

    async def sign_in(self) -> identity_pb2.SignInResponse:
        """Signs in with the client id and secret and keeps the access token for later calls."""
        if self.credentials is None:
            raise ModelGateError("UNAUTHENTICATED",
                                 "no credentials: pass client_id and client_secret or credentials_path, "
                                 "or set MODELGATE_CREDENTIALS")
        request = identity_pb2.SignInRequest(client_id=self.credentials.client_id,
                                             client_secret=self.credentials.client_secret)
        response = await self.call(_method("IdentityService", "SignIn"), request, identity_pb2.SignInResponse)
        self._access_token = response.access_token
        return response

    async def _token(self) -> str:
        if self._access_token is None:
            await self.sign_in()
        return self._access_token or ""

    async def authorized(self, method: str, request, response_type, timeout: Optional[float] = None):
        """A control-plane unary call with the access token; signs in again once if it went stale."""
        had_token = self._access_token is not None
        token = await self._token()
        try:
            return await self.call(method, request, response_type, metadata={"authorization": f"Bearer {token}"},
                                   timeout=timeout)
        except ModelGateError as error:
            if error.code != "UNAUTHENTICATED" or not had_token:
                raise
            await self.sign_in()
            return await self.call(method, request, response_type,
                                   metadata={"authorization": f"Bearer {self._access_token}"}, timeout=timeout)

    async def server_stream(self, method: str, request, response_type,
                            timeout: Optional[float] = None) -> AsyncIterator[Any]:
        """A control-plane server-streaming call; leaving the iteration early cancels it."""
        had_token = self._access_token is not None
        token = await self._token()
        for attempt in (0, 1):
            connection = await self.connection()
            stream = await connection.open_stream(method, {"authorization": f"Bearer {token}"}, timeout)
            received = False
            try:
                await stream.send(request.SerializeToString(), end=True)
                while True:
                    payload = await stream.read()
                    if payload is None:
                        return
                    received = True
                    yield _parse(response_type, payload)
            except ModelGateError as error:
                if error.code == "UNAUTHENTICATED" and had_token and not received and attempt == 0:
                    token = (await self.sign_in()).access_token
                    continue
                raise
            finally:
                stream.cancel()

    # Identity.

    async def create_principal(self, display_name: str, *, kind: int = identity_pb2.PRINCIPAL_KIND_SERVICE_PRINCIPAL,
                               admin: bool = False) -> identity_pb2.CreatePrincipalResponse:
        request = identity_pb2.CreatePrincipalRequest(display_name=display_name, kind=kind, admin=admin)
        return await self.authorized(_method("IdentityService", "CreatePrincipal"), request,
                                     identity_pb2.CreatePrincipalResponse)

    async def assign_role(self, client_id: str, workspace: str, role: int) -> identity_pb2.RoleAssignment:
        request = identity_pb2.AssignRoleRequest(client_id=client_id, workspace=workspace, role=role)
        return await self.authorized(_method("IdentityService", "AssignRole"), request, identity_pb2.RoleAssignment)

    # Workspaces, regions and compute targets.

    async def create_workspace(self, name: str, region: str, *, description: str = "",
                               tags: Optional[dict[str, str]] = None) -> workspace_pb2.Workspace:
        request = workspace_pb2.CreateWorkspaceRequest(name=name, region=region, description=description, tags=tags or {})
        return await self.authorized(_method("WorkspaceService", "CreateWorkspace"), request, workspace_pb2.Workspace)

    async def get_workspace(self, name: str) -> workspace_pb2.Workspace:
        return await self.authorized(_method("WorkspaceService", "GetWorkspace"),
                                     workspace_pb2.GetWorkspaceRequest(name=name), workspace_pb2.Workspace)

    async def list_workspaces(self) -> list[workspace_pb2.Workspace]:
        response = await self.authorized(_method("WorkspaceService", "ListWorkspaces"),
                                         workspace_pb2.ListWorkspacesRequest(), workspace_pb2.ListWorkspacesResponse)
        return list(response.workspaces)

    async def delete_workspace(self, name: str, force: bool = False) -> None:
        await self.authorized(_method("WorkspaceService", "DeleteWorkspace"),
                              workspace_pb2.DeleteWorkspaceRequest(name=name, force=force),
                              workspace_pb2.DeleteWorkspaceResponse)

    async def list_regions(self) -> list[workspace_pb2.Region]:
        response = await self.authorized(_method("WorkspaceService", "ListRegions"), workspace_pb2.ListRegionsRequest(),
                                         workspace_pb2.ListRegionsResponse)
        return list(response.regions)

    async def attach_compute(self, workspace: str, name: str, *, cpu_cores: float, memory_gb: float, gpus: int = 0,
                             region: str = "", purpose: int = workspace_pb2.CLUSTER_PURPOSE_FAST_PROD,
                             description: str = "", tags: Optional[dict[str, str]] = None) -> workspace_pb2.ComputeTarget:
        from .v1 import common_pb2
        request = workspace_pb2.AttachComputeRequest(
            workspace=workspace, name=name, type=common_pb2.COMPUTE_TYPE_AKS, region=region, purpose=purpose,
            cpu_cores=cpu_cores, memory_gb=memory_gb, gpus=gpus, description=description, tags=tags or {})
        return await self.authorized(_method("WorkspaceService", "AttachCompute"), request, workspace_pb2.ComputeTarget)

    async def get_compute(self, workspace: str, name: str) -> workspace_pb2.ComputeTarget:
        return await self.authorized(_method("WorkspaceService", "GetCompute"),
                                     workspace_pb2.GetComputeRequest(workspace=workspace, name=name),
                                     workspace_pb2.ComputeTarget)

    async def list_computes(self, workspace: str) -> list[workspace_pb2.ComputeTarget]:
        response = await self.authorized(_method("WorkspaceService", "ListComputes"),
                                         workspace_pb2.ListComputesRequest(workspace=workspace),
                                         workspace_pb2.ListComputesResponse)
        return list(response.computes)

    async def detach_compute(self, workspace: str, name: str) -> None:
        await self.authorized(_method("WorkspaceService", "DetachCompute"),
                              workspace_pb2.DetachComputeRequest(workspace=workspace, name=name),
                              workspace_pb2.DetachComputeResponse)

    # Models.

    async def register_model(self, workspace: str, name: str, path: str, *, description: str = "",
                             tags: Optional[dict[str, str]] = None, properties: Optional[dict[str, str]] = None,
                             model_framework: str = "", model_framework_version: str = "",
                             chunk_size: int = CHUNK_SIZE) -> model_pb2.Model:
        """Registers a new version of a model from a file or folder, streamed in chunks.

        As with Azure's Model.register, a file keeps its name in the model and a
        folder keeps its own name as the first path component. Each file is
        declared with its size and SHA-256 first, so the server checks every byte.
        """
        files = collect_model_files(path)
        registration = model_pb2.ModelRegistration(
            workspace=workspace, name=name, description=description, tags=tags or {}, properties=properties or {},
            model_framework=model_framework, model_framework_version=model_framework_version)
        for local, model_path, size in files:
            registration.files.add(path=model_path, size_bytes=size, sha256=_sha256_file(local))
        for attempt in (0, 1):
            had_token = self._access_token is not None
            token = await self._token()
            try:
                return await self._upload(registration, files, chunk_size, token)
            except ModelGateError as error:
                if error.code != "UNAUTHENTICATED" or not had_token or attempt == 1:
                    raise
                await self.sign_in()
        raise AssertionError("unreachable")

    async def _upload(self, registration, files, chunk_size: int, token: str) -> model_pb2.Model:
        connection = await self.connection()
        stream = await connection.open_stream(_method("ModelService", "RegisterModel"),
                                              {"authorization": f"Bearer {token}"})
        try:
            try:
                await stream.send(model_pb2.RegisterModelRequest(registration=registration).SerializeToString())
                for local, model_path, _ in files:
                    with open(local, "rb") as handle:
                        offset = 0
                        data = handle.read(chunk_size)
                        while True:
                            following = handle.read(chunk_size) if len(data) == chunk_size else b""
                            chunk = model_pb2.ModelFileChunk(path=model_path, offset=offset, data=data,
                                                             last=not following)
                            await stream.send(model_pb2.RegisterModelRequest(chunk=chunk).SerializeToString())
                            offset += len(data)
                            if not following:
                                break
                            data = following
                await stream.half_close()
            except ModelGateError:
                # The server may have ended the call with its reason; that explains more than the failed send.
                if stream.finished and stream.error is not None:
                    raise stream.error from None
                raise
            model = None
            while (payload := await stream.read()) is not None:
                model = _parse(model_pb2.Model, payload)
            if model is None:
                raise ModelGateError("INTERNAL", "the server ended RegisterModel without a response")
            return model
        finally:
            stream.cancel()

    async def get_model(self, workspace: str, name: str, version: int = 0) -> model_pb2.Model:
        return await self.authorized(_method("ModelService", "GetModel"),
                                     model_pb2.GetModelRequest(workspace=workspace, name=name, version=version),
                                     model_pb2.Model)

    async def list_models(self, workspace: str, name: str = "", tags: Optional[dict[str, str]] = None,
                          latest_only: bool = False) -> list[model_pb2.Model]:
        response = await self.authorized(
            _method("ModelService", "ListModels"),
            model_pb2.ListModelsRequest(workspace=workspace, name=name, tags=tags or {}, latest_only=latest_only),
            model_pb2.ListModelsResponse)
        return list(response.models)

    async def delete_model(self, workspace: str, name: str, version: int) -> None:
        await self.authorized(_method("ModelService", "DeleteModel"),
                              model_pb2.DeleteModelRequest(workspace=workspace, name=name, version=version),
                              model_pb2.DeleteModelResponse)

    async def register_environment(self, environment: model_pb2.Environment) -> model_pb2.Environment:
        return await self.authorized(_method("ModelService", "RegisterEnvironment"),
                                     model_pb2.RegisterEnvironmentRequest(environment=environment), model_pb2.Environment)

    # Deployments.

    async def deploy(self, workspace: str, name: str, models: list[str],
                     inference_config: deployment_pb2.InferenceConfig,
                     deployment_config: deployment_pb2.DeploymentConfig, overwrite: bool = False
                     ) -> deployment_pb2.WebService:
        request = deployment_pb2.DeployRequest(workspace=workspace, name=name, models=models,
                                               inference_config=inference_config,
                                               deployment_config=deployment_config, overwrite=overwrite)
        response = await self.authorized(_method("DeploymentService", "Deploy"), request, deployment_pb2.DeployResponse)
        return response.service

    def wait_for_deployment(self, workspace: str, name: str, show_output: bool = False
                            ) -> AsyncIterator[deployment_pb2.DeploymentProgress]:
        """Progress events of the service's deployment; the last one has final set."""
        request = deployment_pb2.WaitForDeploymentRequest(workspace=workspace, name=name, show_output=show_output)
        return self.server_stream(_method("DeploymentService", "WaitForDeployment"), request,
                                  deployment_pb2.DeploymentProgress)

    async def get_service(self, workspace: str, name: str) -> deployment_pb2.WebService:
        return await self.authorized(_method("DeploymentService", "GetService"),
                                     deployment_pb2.GetServiceRequest(workspace=workspace, name=name),
                                     deployment_pb2.WebService)

    async def list_services(self, workspace: str, compute_target: str = "", model_name: str = "",
                            tags: Optional[dict[str, str]] = None) -> list[deployment_pb2.WebService]:
        request = deployment_pb2.ListServicesRequest(workspace=workspace, compute_target=compute_target,
                                                     model_name=model_name, tags=tags or {})
        response = await self.authorized(_method("DeploymentService", "ListServices"), request,
                                         deployment_pb2.ListServicesResponse)
        return list(response.services)

    async def update_service(self, workspace: str, name: str, update_mask: list[str], *,
                             models: Optional[list[str]] = None,
                             inference_config: Optional[deployment_pb2.InferenceConfig] = None,
                             deployment_config: Optional[deployment_pb2.DeploymentConfig] = None
                             ) -> deployment_pb2.WebService:
        request = deployment_pb2.UpdateServiceRequest(workspace=workspace, name=name, update_mask=update_mask,
                                                      models=models or [])
        if inference_config is not None:
            request.inference_config.CopyFrom(inference_config)
        if deployment_config is not None:
            request.deployment_config.CopyFrom(deployment_config)
        return await self.authorized(_method("DeploymentService", "UpdateService"), request, deployment_pb2.WebService)

    async def delete_service(self, workspace: str, name: str) -> None:
        await self.authorized(_method("DeploymentService", "DeleteService"),
                              deployment_pb2.DeleteServiceRequest(workspace=workspace, name=name),
                              deployment_pb2.DeleteServiceResponse)

    async def get_logs(self, workspace: str, name: str, tail: int = 0, follow: bool = False,
                       replica_id: str = "") -> AsyncIterator[deployment_pb2.LogLine]:
        """The replicas' output lines; with follow, new lines until the caller stops iterating."""
        request = deployment_pb2.GetLogsRequest(workspace=workspace, name=name, tail_lines=max(0, tail), follow=follow,
                                                replica_id=replica_id)
        async for batch in self.server_stream(_method("DeploymentService", "GetLogs"), request,
                                              deployment_pb2.GetLogsResponse):
            for line in batch.lines:
                yield line

    # Keys and tokens.

    # Endpoints (AKS only): up to six versions behind one name, traffic split by
    # traffic_percentile, the rest to the default version. Services and endpoints
    # share one name space, so get_keys, get_token, get_logs, wait_for_deployment
    # and score take an endpoint's name too.

    async def create_endpoint(self, workspace: str, name: str, deployment_config: deployment_pb2.DeploymentConfig,
                              version: deployment_pb2.EndpointVersion, *, description: str = "",
                              tags: Optional[dict[str, str]] = None) -> deployment_pb2.Endpoint:
        """Creates an endpoint with its first version (the default); returns at once, TRANSITIONING."""
        request = deployment_pb2.CreateEndpointRequest(workspace=workspace, name=name, description=description,
                                                       tags=tags or {})
        request.deployment_config.CopyFrom(deployment_config)
        request.version.CopyFrom(version)
        return await self.authorized(_method("DeploymentService", "CreateEndpoint"), request, deployment_pb2.Endpoint)

    async def get_endpoint(self, workspace: str, name: str) -> deployment_pb2.Endpoint:
        return await self.authorized(_method("DeploymentService", "GetEndpoint"),
                                     deployment_pb2.GetEndpointRequest(workspace=workspace, name=name),
                                     deployment_pb2.Endpoint)

    async def list_endpoints(self, workspace: str, compute_target: str = "") -> list[deployment_pb2.Endpoint]:
        response = await self.authorized(_method("DeploymentService", "ListEndpoints"),
                                         deployment_pb2.ListEndpointsRequest(workspace=workspace,
                                                                             compute_target=compute_target),
                                         deployment_pb2.ListEndpointsResponse)
        return list(response.endpoints)

    async def delete_endpoint(self, workspace: str, name: str) -> None:
        await self.authorized(_method("DeploymentService", "DeleteEndpoint"),
                              deployment_pb2.DeleteEndpointRequest(workspace=workspace, name=name),
                              deployment_pb2.DeleteEndpointResponse)

    async def create_endpoint_version(self, workspace: str, endpoint: str, version: deployment_pb2.EndpointVersion
                                      ) -> deployment_pb2.Endpoint:
        """Adds a version (AksEndpoint.create_version); it takes traffic once ready."""
        request = deployment_pb2.CreateEndpointVersionRequest(workspace=workspace, endpoint=endpoint)
        request.version.CopyFrom(version)
        return await self.authorized(_method("DeploymentService", "CreateEndpointVersion"), request,
                                     deployment_pb2.Endpoint)

    async def update_endpoint_version(self, workspace: str, endpoint: str, version: deployment_pb2.EndpointVersion,
                                      update_mask: Optional[list[str]] = None) -> deployment_pb2.Endpoint:
        """Changes the version named version.name (AksEndpoint.update_version).

        update_mask names the fields to set ("traffic_percentile", "is_default", "version_type",
        "models", "inference_config", "deployment_config", "description", "tags"); without one,
        every field given a non-default value is set.
        """
        request = deployment_pb2.UpdateEndpointVersionRequest(workspace=workspace, endpoint=endpoint,
                                                              update_mask=update_mask or [])
        request.version.CopyFrom(version)
        return await self.authorized(_method("DeploymentService", "UpdateEndpointVersion"), request,
                                     deployment_pb2.Endpoint)

    async def delete_endpoint_version(self, workspace: str, endpoint: str, version: str) -> deployment_pb2.Endpoint:
        """Removes a version (AksEndpoint.delete_version); its traffic moves to the others."""
        return await self.authorized(_method("DeploymentService", "DeleteEndpointVersion"),
                                     deployment_pb2.DeleteEndpointVersionRequest(workspace=workspace,
                                                                                 endpoint=endpoint, version=version),
                                     deployment_pb2.Endpoint)

    async def get_keys(self, workspace: str, service: str) -> auth_pb2.GetKeysResponse:
        return await self.authorized(_method("AuthService", "GetKeys"),
                                     auth_pb2.GetKeysRequest(workspace=workspace, service=service),
                                     auth_pb2.GetKeysResponse)

    async def regen_key(self, workspace: str, service: str, key_type: int, key_value: str = ""
                        ) -> auth_pb2.RegenKeyResponse:
        request = auth_pb2.RegenKeyRequest(workspace=workspace, service=service, key_type=key_type, key_value=key_value)
        return await self.authorized(_method("AuthService", "RegenKey"), request, auth_pb2.RegenKeyResponse)

    async def get_token(self, workspace: str, service: str) -> auth_pb2.GetTokenResponse:
        return await self.authorized(_method("AuthService", "GetToken"),
                                     auth_pb2.GetTokenRequest(workspace=workspace, service=service),
                                     auth_pb2.GetTokenResponse)

    async def get_signing_keys(self, workspace: str) -> auth_pb2.GetSigningKeysResponse:
        return await self.authorized(_method("AuthService", "GetSigningKeys"),
                                     auth_pb2.GetSigningKeysRequest(workspace=workspace),
                                     auth_pb2.GetSigningKeysResponse)

    # Scoring.

    async def health(self, service_name: str = "") -> scoring_pb2.HealthResponse:
        """Whether the server (or "<workspace>/<service>") is serving; needs no credentials."""
        return await self.call(_method("ScoringService", "Health"),
                               scoring_pb2.HealthRequest(service_name=service_name), scoring_pb2.HealthResponse)

    async def score(self, workspace: str, service: str, body: Body, *, key: Optional[str] = None,
                    timeout: Optional[float] = None, headers: Optional[dict[str, str]] = None,
                    content_type: str = "", version: str = "") -> scoring_pb2.ScoreResponse:
        """Scores one request with a service key or scoring token (``key``); None sends none.

        ``version`` pins an endpoint version (to test a treatment); the response's
        ``version`` says which version served.

        Raises ModelGateError for a failed call (UNAUTHENTICATED for a wrong key)
        and for a failed request (INTERNAL when run() raised, DEADLINE_EXCEEDED, ...).
        """
        request = _score_request(body, workspace, service)
        if headers:
            request.headers.update(headers)
        if content_type:
            request.content_type = content_type
        if version:
            request.version = version
        if timeout is not None:
            request.timeout_ms = max(1, int(timeout * 1000))
        response = await self.call(_method("ScoringService", "Score"), request, scoring_pb2.ScoreResponse,
                                   metadata=_scoring_metadata(key), timeout=timeout)
        if response.code != 0:
            raise ModelGateError.from_status(response.code, response.message, request_id=response.request_id)
        return response

    async def score_stream(self, workspace: str, service: str,
                           bodies: Union[Iterable[Body], AsyncIterable[Body]], *, key: Optional[str] = None,
                           timeout: Optional[float] = None) -> AsyncIterator[scoring_pb2.ScoreResponse]:
        """Scores many requests over one ScoreStream call, yielding responses as they arrive.

        Each body becomes a ScoreRequest whose request_id is its position
        ("0", "1", ...) unless it is a ScoreRequest with its own id. Responses
        come in any order, matched by request_id; a failed request has its
        code and message set and never ends the call. Sending runs alongside
        reading; the server stops reading requests while responses are not read
        (backpressure). Leaving the iteration early cancels the call.
        """
        connection = await self.connection()
        stream = await connection.open_stream(_method("ScoringService", "ScoreStream"), _scoring_metadata(key), timeout)
        sender = asyncio.ensure_future(_send_all(stream, bodies, workspace, service))
        try:
            while True:
                try:
                    payload = await stream.read()
                except ModelGateError:
                    if sender.done() and not sender.cancelled() and sender.exception() is not None \
                            and not isinstance(sender.exception(), ModelGateError):
                        raise sender.exception() from None  # the inputs failed: that is the cause
                    raise
                if payload is None:
                    break
                yield _parse(scoring_pb2.ScoreResponse, payload)
            await sender
        finally:
            stream.cancel()
            if not sender.done():
                sender.cancel()
            try:
                await sender
            except BaseException:
                pass


async def _send_all(stream: Stream, bodies, workspace: str, service: str) -> None:
    """Sends every body as a ScoreRequest, then half-closes; on a failing input, cancels the call."""
    try:
        index = 0
        if hasattr(bodies, "__aiter__"):
            async for body in bodies:
                await stream.send(_score_request(body, workspace, service, index).SerializeToString())
                index += 1
        else:
            for body in bodies:
                await stream.send(_score_request(body, workspace, service, index).SerializeToString())
                index += 1
        await stream.half_close()
    except ModelGateError:
        raise
    except BaseException as error:
        stream.cancel(f"the requests' iterable failed: {error!r}")
        raise


def _score_request(body: Body, workspace: str, service: str, index: Optional[int] = None) -> scoring_pb2.ScoreRequest:
    if isinstance(body, scoring_pb2.ScoreRequest):
        request = scoring_pb2.ScoreRequest()
        request.CopyFrom(body)
        request.workspace = request.workspace or workspace
        request.service = request.service or service
        if not request.request_id and index is not None:
            request.request_id = str(index)
        return request
    if isinstance(body, str):
        body = body.encode("utf-8")
    elif not isinstance(body, (bytes, bytearray)):
        raise TypeError(f"a scoring body is bytes, str or a ScoreRequest, not {type(body).__name__}")
    return scoring_pb2.ScoreRequest(request_id="" if index is None else str(index), workspace=workspace,
                                    service=service, body=bytes(body))


def _scoring_metadata(key: Optional[str]) -> dict[str, str]:
    return {"authorization": f"Bearer {key}"} if key else {}


def _parse(message_type, payload: bytes):
    message = message_type()
    try:
        message.ParseFromString(payload)
    except Exception as error:  # the official parser's DecodeError
        raise ModelGateError("INTERNAL", f"malformed {message_type.DESCRIPTOR.full_name} from the server: {error}") from None
    return message


async def _close_when_idle(connection: Connection) -> None:
    """Closes a replaced connection once its calls ended (the server said GO_AWAY)."""
    while connection._streams:
        await asyncio.sleep(0.1)
    await connection.close()


def collect_model_files(path: str) -> list[tuple[str, str, int]]:
    """(local path, path in the model, size) for a file or folder, ordered by model path.

    A file keeps its name; a folder keeps its own name as the first component.
    Symbolic links to files count as those files; other special files are left out.
    """
    root = os.path.abspath(path)
    if not os.path.exists(root):
        raise ModelGateError("INVALID_ARGUMENT", f"model path '{path}' does not exist")
    name = os.path.basename(root.rstrip(os.sep))
    if not os.path.isdir(root):
        return [(root, name, os.path.getsize(root))]
    files = []
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        for file_name in names:
            local = os.path.join(folder, file_name)
            if not os.path.isfile(local):
                continue
            relative = os.path.relpath(local, root).replace(os.sep, "/")
            files.append((local, f"{name}/{relative}", os.path.getsize(local)))
    if not files:
        raise ModelGateError("INVALID_ARGUMENT", f"folder '{path}' holds no files to register")
    return sorted(files, key=lambda item: item[1])


def _sha256_file(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(CHUNK_SIZE), b""):
            digest.update(block)
    return digest.hexdigest()
