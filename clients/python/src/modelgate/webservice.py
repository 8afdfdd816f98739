"""Deployed web services: wait, logs, keys, tokens, scoring (unary, streamed, asyncio), after azureml.core.Webservice."""

from __future__ import annotations

import datetime
import json
import sys
import time
from dataclasses import dataclass
from typing import Any, AsyncIterable, AsyncIterator, Iterable, Iterator, Optional, Union

from . import _loop
from .aio import AsyncClient
from .config import build_deployment_config
from .errors import ModelGateError, status_name
from .v1 import auth_pb2, common_pb2, deployment_pb2, scoring_pb2

_KEY_TYPES = {"primary": auth_pb2.KEY_TYPE_PRIMARY, "secondary": auth_pb2.KEY_TYPE_SECONDARY}


def _state_name(state: int) -> str:
    """Azure's spelling of a state: "Healthy", "Transitioning", ..."""
    name = deployment_pb2.WebServiceState.Name(state) if state in deployment_pb2.WebServiceState.values() else ""
    return name.replace("WEB_SERVICE_STATE_", "").capitalize() if name and state else "Unknown"


def _encode_input(input_data: Any) -> bytes:
    """The request body: str and bytes as they are (Azure's run takes a JSON string), anything else as JSON."""
    if isinstance(input_data, (bytes, bytearray)):
        return bytes(input_data)
    if isinstance(input_data, str):
        return input_data.encode("utf-8")
    return json.dumps(input_data).encode("utf-8")


def _decode_output(body: bytes, content_type: str) -> Any:
    """What run() returned: parsed JSON when it is JSON, else text, else bytes."""
    if not content_type or "json" in content_type:
        try:
            return json.loads(body)
        except ValueError:
            pass
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body


@dataclass
class ScoreResult:
    """One answer from a streamed scoring call.

    Attributes:
        index: the position of its input in the iterable given to run_stream.
        request_id: the id it travelled with (str(index) unless the input was a ScoreRequest with its own).
        code: "OK", or why the request failed ("INTERNAL" when run() raised, ...).
        message: the failure's message; empty on success.
        output: what run() returned (parsed JSON), None when the request failed.
        response: the whole ScoreResponse (body, latency_micros, replica_id, version, ...).
    """

    index: int
    request_id: str
    code: str
    message: str
    output: Any
    response: scoring_pb2.ScoreResponse

    @property
    def ok(self) -> bool:
        return self.code == "OK"

    def result(self) -> Any:
        """The output, or ModelGateError for a failed request."""
        if not self.ok:
            raise ModelGateError(self.code, self.message, request_id=self.request_id)
        return self.output

    @classmethod
    def from_response(cls, response: scoring_pb2.ScoreResponse) -> "ScoreResult":
        code = status_name(response.code)
        index = int(response.request_id) if response.request_id.isdigit() else -1
        output = _decode_output(response.body, response.content_type) if response.code == 0 else None
        return cls(index, response.request_id, code, response.message, output, response)


class Webservice:
    """A deployed web service: ``Webservice(ws, "linreg")`` fetches one by name."""

    def __init__(self, workspace, name: str) -> None:
        self.workspace = workspace
        self.name = name
        self._scoring_credential: Optional[tuple[str, float]] = None  # (key or token, valid until)
        self._apply(workspace._run(workspace.client.get_service(workspace.name, name)))

    @classmethod
    def _from_message(cls, workspace, message) -> "Webservice":
        service = cls.__new__(cls)
        service.workspace = workspace
        service.name = message.name
        service._scoring_credential = None
        service._apply(message)
        return service

    def _apply(self, message: deployment_pb2.WebService) -> None:
        self._message = message
        config = message.deployment_config
        self.scoring_uri = message.scoring_uri
        self.models = list(message.models)
        self.compute_type = common_pb2.ComputeType.Name(config.compute_type).replace("COMPUTE_TYPE_", "")
        self.compute_target_name = config.compute_target_name
        self.auth_enabled = config.auth_enabled == common_pb2.TOGGLE_ENABLED
        self.token_auth_enabled = config.token_auth_enabled == common_pb2.TOGGLE_ENABLED
        self.tags = dict(config.tags)
        self.error = message.error
        self._state = message.state

    @property
    def state(self) -> str:
        """The deployment state as the server sees it now: "Transitioning", "Healthy", "Unhealthy", "Failed"."""
        self.update_deployment_state()
        return _state_name(self._state)

    def update_deployment_state(self) -> None:
        """Fetches the service again (state, error, settings)."""
        self._apply(self.workspace._run(self.workspace.client.get_service(self.workspace.name, self.name)))

    def wait_for_deployment(self, show_output: bool = False, timeout_sec: Optional[float] = None) -> str:
        """Follows the deployment until it ends; returns the state ("Healthy").

        With show_output, prints each step (package upload, environment, replicas)
        and the replicas' output. Raises ModelGateError when the deployment ends
        in any state but Healthy, with the server's error.
        """
        client = self.workspace.client

        async def follow() -> Optional[deployment_pb2.DeploymentProgress]:
            last = None
            async for event in client.wait_for_deployment(self.workspace.name, self.name, show_output):
                last = event
                if show_output:
                    print(_progress_line(event), file=sys.stdout, flush=True)
                if event.final:
                    break
            return last

        async def bounded():
            if timeout_sec is None:
                return await follow()
            import asyncio
            try:
                return await asyncio.wait_for(follow(), timeout_sec)
            except asyncio.TimeoutError:
                raise ModelGateError("DEADLINE_EXCEEDED",
                                     f"deployment of '{self.name}' did not finish within {timeout_sec} s") from None

        final = self.workspace._run(bounded())
        self.update_deployment_state()
        if final is not None and final.state:
            self._state = final.state
        if self._state != deployment_pb2.WEB_SERVICE_STATE_HEALTHY:
            code = status_name(final.error_code) if final is not None and final.error_code else "FAILED_PRECONDITION"
            raise ModelGateError(code, f"service '{self.name}' ended its deployment {_state_name(self._state)}: "
                                       f"{self.error or (final.message if final else '')}")
        return _state_name(self._state)

    def get_logs(self, num_lines: int = 5000) -> str:
        """The replicas' recent output (the last num_lines of each), as one text."""
        client = self.workspace.client

        async def collect() -> list[str]:
            return [line.text async for line in client.get_logs(self.workspace.name, self.name, tail=num_lines)]

        return "\n".join(self.workspace._run(collect()))

    # Keys and tokens.

    def get_keys(self) -> tuple[str, str]:
        """(primary key, secondary key); both valid at once. FAILED_PRECONDITION without key auth."""
        keys = self.workspace._run(self.workspace.client.get_keys(self.workspace.name, self.name))
        return keys.primary_key, keys.secondary_key

    def regen_key(self, key: str, set_key: Optional[str] = None) -> tuple[str, str]:
        """Replaces the "Primary" or "Secondary" key (with set_key, or a random one); the old value fails at once.

        Returns both keys after the change.
        """
        key_type = _KEY_TYPES.get(str(key).lower())
        if key_type is None:
            raise ValueError(f"key must be 'Primary' or 'Secondary', got {key!r}")
        keys = self.workspace._run(self.workspace.client.regen_key(self.workspace.name, self.name, key_type,
                                                                   set_key or ""))
        self._scoring_credential = None
        return keys.primary_key, keys.secondary_key

    def get_token(self) -> tuple[str, datetime.datetime]:
        """(token, refresh_by) for a service with token auth; fetch a new token after refresh_by (UTC)."""
        token = self.workspace._run(self.workspace.client.get_token(self.workspace.name, self.name))
        return token.token, datetime.datetime.fromtimestamp(token.refresh_by_unix_ms / 1000, datetime.timezone.utc)

    # Scoring.

    async def _credential(self, client: AsyncClient, fresh: bool = False) -> Optional[str]:
        """The key or token scoring calls carry: a token with token auth, the primary key with key auth."""
        if not (self.auth_enabled or self.token_auth_enabled):
            return None
        cached = self._scoring_credential
        if cached is not None and not fresh and time.time() < cached[1]:
            return cached[0]
        if self.token_auth_enabled:
            token = await client.get_token(self.workspace.name, self.name)
            credential = (token.token, token.refresh_by_unix_ms / 1000)
        else:
            keys = await client.get_keys(self.workspace.name, self.name)
            credential = (keys.primary_key, float("inf"))
        self._scoring_credential = credential
        return credential[0]

    async def _run_with(self, client: AsyncClient, input_data: Any, key: Optional[str], timeout: Optional[float]):
        body = _encode_input(input_data)
        credential = key if key is not None else await self._credential(client)
        try:
            response = await client.score(self.workspace.name, self.name, body, key=credential, timeout=timeout)
        except ModelGateError as error:
            if key is not None or error.code != "UNAUTHENTICATED" or credential is None:
                raise
            # The cached key was regenerated or the token expired: fetch a fresh one, once.
            credential = await self._credential(client, fresh=True)
            response = await client.score(self.workspace.name, self.name, body, key=credential, timeout=timeout)
        return _decode_output(response.body, response.content_type)

    def run(self, input_data: Any, key: Optional[str] = None, timeout: Optional[float] = None) -> Any:
        """Scores one input and returns what run() returned (parsed JSON).

        input_data is a JSON string (as with Azure), bytes, or anything json.dumps
        takes. The service's key (or a token, with token auth) is fetched and
        cached; pass key= to use a given key or token instead. Raises
        ModelGateError: UNAUTHENTICATED for a wrong key, INTERNAL when run() raised.
        """
        return self.workspace._run(self._run_with(self.workspace.client, input_data, key, timeout))

    async def run_async(self, input_data: Any, key: Optional[str] = None, timeout: Optional[float] = None) -> Any:
        """run() as a coroutine, on the caller's event loop."""
        client = await self.workspace._async_client()
        return await self._run_with(client, input_data, key, timeout)

    def run_stream(self, inputs: Iterable[Any], key: Optional[str] = None) -> Iterator[ScoreResult]:
        """Scores every input over one streaming call, yielding ScoreResults as they arrive (any order).

        Inputs are sent while results are read, with backpressure both ways; a
        failed request yields a result with its code, never ends the stream. Each
        result's index is its input's position. Stopping early cancels the call.
        """
        client = self.workspace.client
        credential = key if key is not None else self.workspace._run(self._credential(client))
        fed = list(inputs) if isinstance(inputs, (list, tuple)) else _loop.ThreadFedInputs(inputs)
        bodies = _EncodedInputs(fed)
        return _loop.iterate(_results(client.score_stream(self.workspace.name, self.name, bodies, key=credential)))

    async def run_stream_async(self, inputs: Union[Iterable[Any], AsyncIterable[Any]],
                               key: Optional[str] = None) -> AsyncIterator[ScoreResult]:
        """run_stream() as an async iterator on the caller's loop: ``async for result in service.run_stream_async(xs)``."""
        client = await self.workspace._async_client()
        credential = key if key is not None else await self._credential(client)
        async for result in _results(client.score_stream(self.workspace.name, self.name, _EncodedInputs(inputs),
                                                         key=credential)):
            yield result

    # Changes.

    def update(self, models: Optional[list] = None, inference_config=None, **deployment_parameters) -> None:
        """Changes the service in place (replicas replaced without failing requests); returns at once.

        deployment_parameters take the deploy_configuration names
        (autoscale_max_replicas=5, auth_enabled=False, tags={...}, ...); only
        what is given changes (tags and properties are replaced as a whole). Follow the change with wait_for_deployment().
        """
        mask: list[str] = []
        model_ids = None
        if models is not None:
            from .model import Model
            model_ids = [m.id if isinstance(m, Model) else str(m) for m in models]
            mask.append("models")
        inference = None
        if inference_config is not None:
            inference = inference_config.to_proto()
            mask.append("inference_config")
        deployment = None
        if deployment_parameters:
            # The server replaces the deployment config as a whole: start from the
            # current (effective) one and change only the fields given.
            self.update_deployment_state()
            current = self._message.deployment_config
            built = build_deployment_config(current.compute_type, deployment_parameters)
            deployment = type(current)()
            deployment.CopyFrom(current)
            for name in built.given:
                if name in ("tags", "properties"):
                    getattr(deployment, name).clear()
                    getattr(deployment, name).update(getattr(built.message, name))
                else:
                    setattr(deployment, name, getattr(built.message, name))
            mask.append("deployment_config")
        if not mask:
            raise ValueError("update needs at least one change")
        message = self.workspace._run(self.workspace.client.update_service(
            self.workspace.name, self.name, mask, models=model_ids, inference_config=inference,
            deployment_config=deployment))
        self._scoring_credential = None
        self._apply(message)

    def delete(self) -> None:
        """Deletes the service and stops its replicas."""
        self.workspace._run(self.workspace.client.delete_service(self.workspace.name, self.name))

    @staticmethod
    def list(workspace, compute_target_name: Optional[str] = None, model_name: Optional[str] = None,
             tags: Optional[dict[str, str]] = None) -> list["Webservice"]:
        messages = workspace._run(workspace.client.list_services(workspace.name, compute_target_name or "",
                                                                 model_name or "", tags))
        return [Webservice._from_message(workspace, m) for m in messages]

    def __repr__(self) -> str:
        return f"Webservice(name={self.name!r}, compute_type={self.compute_type}, state={_state_name(self._state)})"


class _EncodedInputs:
    """Inputs (sync or async iterable) turned into request bodies."""

    def __init__(self, inputs) -> None:
        self._inputs = inputs

    def __aiter__(self):
        return self._bodies()

    async def _bodies(self):
        if hasattr(self._inputs, "__aiter__"):
            async for item in self._inputs:
                yield item if isinstance(item, scoring_pb2.ScoreRequest) else _encode_input(item)
        else:
            for item in self._inputs:
                yield item if isinstance(item, scoring_pb2.ScoreRequest) else _encode_input(item)


async def _results(responses: AsyncIterator[scoring_pb2.ScoreResponse]) -> AsyncIterator[ScoreResult]:
    try:
        async for response in responses:
            yield ScoreResult.from_response(response)
    finally:
        await responses.aclose()


def _progress_line(event: deployment_pb2.DeploymentProgress) -> str:
    phase = deployment_pb2.DeploymentPhase.Name(event.phase).replace("DEPLOYMENT_PHASE_", "") \
        if event.phase in deployment_pb2.DeploymentPhase.values() else str(event.phase)
    return f"{phase}: {event.message}" if event.message else phase
