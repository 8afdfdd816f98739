"""Scenario 1: SIGKILL the server at random moments during control-plane writes.

Each kind runs an operation loop against a running server, kills the server
after a random delay (so the kill lands before, during or after a call), checks
the database with `PRAGMA integrity_check`, restarts the server on the same data
directory and checks: every acknowledged call is there, the one in doubt (sent,
no answer) is there whole or not at all, and every service converges back to
Healthy with its replicas running.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import random
import secrets
import time
from pathlib import Path
from typing import Optional

from modelgate.aio import AsyncClient
from modelgate.errors import ModelGateError
from modelgate.v1 import auth_pb2, deployment_pb2, identity_pb2

import fixtures
from harness import Row, Server, integrity_check, make_server, replica_processes

WS = "crash"


class Kind:
    """One kind of write under test: its setup, its operation loop and its checks after a restart."""

    name = ""
    # The largest random delay before the kill; long enough to land within calls, not only between them.
    max_delay = 0.8

    def __init__(self, scripts: fixtures.Scripts, work: Path) -> None:
        self.scripts = scripts
        self.work = work
        self.operations = 0
        self.errors: list[str] = []  # calls that failed with something other than the kill
        self.services: dict[str, int] = {}  # service name -> replicas it should run

    async def setup(self, client, model: str) -> None:
        self.model = model

    async def operate(self, client) -> None:
        raise NotImplementedError

    async def verify(self, client, row: Row) -> None:
        raise NotImplementedError

    def record_error(self, error: ModelGateError) -> bool:
        """True when the call's failure is the kill (the call is in doubt); else records it."""
        if error.code in ("UNAVAILABLE", "CANCELLED", "DEADLINE_EXCEEDED"):
            return True
        self.errors.append(f"{error.code}: {error.message}")
        return False


class Register(Kind):
    """Model registration, streamed in small chunks so kills land mid-upload."""

    name = "register"

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.acked: dict[int, str] = {}  # version -> sha256
        self.sent: set[str] = set()  # every sha256 ever sent
        self.sequence = 0

    async def operate(self, client) -> None:
        while True:
            self.sequence += 1
            folder = self.work / f"model-{self.sequence}"
            folder.mkdir(parents=True, exist_ok=True)
            data = os.urandom(192 * 1024)
            (folder / "blob.bin").write_bytes(data)
            sha = hashlib.sha256(data).hexdigest()
            self.sent.add(sha)
            try:
                model = await client.register_model(WS, "crashm", str(folder), chunk_size=16 * 1024)
            except ModelGateError as error:
                self.record_error(error)
                if error.code == "UNAVAILABLE":
                    return
                continue
            self.operations += 1
            self.acked[model.version] = sha

    async def verify(self, client, row: Row) -> None:
        try:
            models = await client.list_models(WS, "crashm")
        except ModelGateError as error:
            if error.code == "NOT_FOUND" and not self.acked:
                return
            raise
        versions = {m.version: m for m in models}
        for version, sha in self.acked.items():
            row.check(version in versions, f"register: acknowledged crashm:{version} is gone")
            if version in versions:
                files = versions[version].files
                row.check([f.sha256 for f in files] == [sha], f"register: crashm:{version} changed its files")
        for model in models:
            for f in model.files:
                row.check(f.sha256 in self.sent, f"register: crashm:{model.version} holds a file never sent")
                blob = self.find_blob(f.sha256)
                row.check(blob is not None and hashlib.sha256(blob.read_bytes()).hexdigest() == f.sha256,
                          f"register: crashm:{model.version}'s blob {f.sha256[:12]} is missing or torn")

    def find_blob(self, sha: str) -> Optional[Path]:
        for path in (self.data_dir / "blobs").rglob(sha):
            return path
        return None


class Deploy(Kind):
    """Deployments of new services (each one replica)."""

    name = "deploy"

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.acked: list[str] = []
        self.in_doubt: list[str] = []
        self.sequence = 0

    async def setup(self, client, model: str) -> None:
        await super().setup(client, model)
        self.inference = self.scripts.inference("echo", fixtures.ECHO)

    async def operate(self, client) -> None:
        while True:
            self.sequence += 1
            name = f"dep{self.sequence}"
            self.in_doubt.append(name)
            try:
                await client.deploy(WS, name, [self.model], self.inference,
                                    fixtures.aks_config("aks", num_replicas=1, cpu_cores=0.1, memory_gb=0.1))
            except ModelGateError as error:
                if self.record_error(error):
                    return
                self.in_doubt.remove(name)
                continue
            self.in_doubt.remove(name)
            self.operations += 1
            self.acked.append(name)
            self.services[name] = 1

    async def verify(self, client, row: Row) -> None:
        existing = {s.name for s in await client.list_services(WS)}
        for name in self.acked:
            row.check(name in existing, f"deploy: acknowledged service {name} is gone")
        for name in self.in_doubt:
            if name in existing:
                self.services[name] = 1  # it happened: it must converge like the others
        self.in_doubt.clear()

    async def cleanup(self, client) -> None:
        """Deletes the checked services so replicas do not pile up over many kills."""
        for name in list(self.services):
            await client.delete_service(WS, name)
            del self.services[name]
        self.acked.clear()


class Update(Kind):
    """Updates of one service: a tag generation and its replica count, serially."""

    name = "update"

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.generation = 0
        self.acked_generation = 0
        self.in_doubt: Optional[int] = None
        self.replicas_for: dict[int, int] = {0: 1}

    async def setup(self, client, model: str) -> None:
        await super().setup(client, model)
        await fixtures.deploy_and_wait(client, WS, "upd", model, self.scripts.inference("echo", fixtures.ECHO),
                                       fixtures.aks_config("aks", num_replicas=1, cpu_cores=0.1, memory_gb=0.1,
                                                           tags={"gen": "0"}))
        self.services["upd"] = 1

    async def operate(self, client) -> None:
        while True:
            self.generation += 1
            replicas = 1 + self.generation % 2
            self.replicas_for[self.generation] = replicas
            config = deployment_pb2.DeploymentConfig(num_replicas=replicas, tags={"gen": str(self.generation)})
            self.in_doubt = self.generation
            try:
                await client.update_service(WS, "upd", [], deployment_config=config)
            except ModelGateError as error:
                if self.record_error(error):
                    return
                self.in_doubt = None
                continue
            self.in_doubt = None
            self.operations += 1
            self.acked_generation = self.generation
            self.services["upd"] = replicas

    async def verify(self, client, row: Row) -> None:
        service = await client.get_service(WS, "upd")
        generation = int(service.deployment_config.tags.get("gen", "-1"))
        allowed = {self.acked_generation} | ({self.in_doubt} if self.in_doubt is not None else set())
        row.check(generation in allowed,
                  f"update: service has generation {generation} after a kill, expected one of {sorted(allowed)}")
        if generation in self.replicas_for:
            row.check(service.deployment_config.num_replicas == self.replicas_for[generation],
                      f"update: generation {generation} has {service.deployment_config.num_replicas} replicas "
                      f"instead of {self.replicas_for[generation]} (a half-applied update)")
            self.services["upd"] = self.replicas_for[generation]
        self.acked_generation = max(self.acked_generation, generation)
        self.in_doubt = None


class Regen(Kind):
    """Key regeneration (primary, to values the suite chooses) of one key-auth service."""

    name = "regen-key"

    async def setup(self, client, model: str) -> None:
        await super().setup(client, model)
        await fixtures.deploy_and_wait(client, WS, "keys", model, self.scripts.inference("echo", fixtures.ECHO),
                                       fixtures.aks_config("aks", num_replicas=1, cpu_cores=0.1, memory_gb=0.1))
        self.services["keys"] = 1
        keys = await client.get_keys(WS, "keys")
        self.primary, self.secondary = keys.primary_key, keys.secondary_key
        self.retired: list[str] = []
        self.in_doubt: Optional[str] = None

    async def operate(self, client) -> None:
        while True:
            value = secrets.token_urlsafe(24)
            self.in_doubt = value
            try:
                response = await client.regen_key(WS, "keys", auth_pb2.KEY_TYPE_PRIMARY, value)
            except ModelGateError as error:
                if self.record_error(error):
                    return
                self.in_doubt = None
                continue
            self.in_doubt = None
            self.operations += 1
            if response.primary_key != value or response.secondary_key != self.secondary:
                self.errors.append("RegenKey answered other keys than it was given")
            self.retired.append(self.primary)
            self.primary = value

    async def verify(self, client, row: Row) -> None:
        keys = await client.get_keys(WS, "keys")
        allowed = {self.primary} | ({self.in_doubt} if self.in_doubt else set())
        row.check(keys.primary_key in allowed, "regen-key: the primary key is neither the acknowledged nor the "
                                               "regenerated value (a torn or lost regeneration)")
        row.check(keys.secondary_key == self.secondary, "regen-key: the secondary key changed")
        if keys.primary_key != self.primary:
            self.retired.append(self.primary)
            self.primary = keys.primary_key
        self.in_doubt = None
        await fixtures.wait_state(client, WS, "keys")
        for key, ok in [(self.primary, True), (self.secondary, True)] + [(k, False) for k in self.retired[-2:]]:
            try:
                await client.score(WS, "keys", b'{"x": 1}', key=key, timeout=10)
                accepted = True
            except ModelGateError as error:
                accepted = False
                if ok or error.code != "UNAUTHENTICATED":
                    row.problems.append(f"regen-key: scoring with the {'current' if ok else 'retired'} key "
                                        f"answered {error.code}: {error.message}")
                    continue
            row.check(accepted == ok, f"regen-key: a {'current' if ok else 'retired'} key was "
                                      f"{'refused' if ok else 'accepted'} after a restart")


class Roles(Kind):
    """Service principals created and given a role on the workspace."""

    name = "roles"
    max_delay = 2.0  # each principal's secret is hashed on purpose slowly: give the loop time to write some

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.principals: dict[str, str] = {}  # client id -> secret (acknowledged creations)
        self.assigned: set[str] = set()  # client ids with an acknowledged Reader assignment
        self.sequence = 0

    async def operate(self, client) -> None:
        while True:
            self.sequence += 1
            try:
                created = await client.create_principal(f"crash-sp-{self.sequence}")
                self.operations += 1
                client_id = created.principal.client_id
                self.principals[client_id] = created.client_secret
                await client.assign_role(client_id, WS, identity_pb2.ROLE_READER)
                self.operations += 1
                self.assigned.add(client_id)
            except ModelGateError as error:
                if self.record_error(error):
                    return

    async def verify(self, client, row: Row) -> None:
        response = await client.authorized("/modelgate.v1.IdentityService/ListRoleAssignments",
                                           identity_pb2.ListRoleAssignmentsRequest(workspace=WS),
                                           identity_pb2.ListRoleAssignmentsResponse)
        listed = {a.client_id for a in response.role_assignments if a.role == identity_pb2.ROLE_READER}
        for client_id in self.assigned:
            row.check(client_id in listed, f"roles: acknowledged Reader assignment of {client_id} is gone")
        # Sign in as a few acknowledged principals: each must exist whole (id and secret).
        for client_id in random.sample(sorted(self.principals), min(3, len(self.principals))):
            reader = AsyncClient(server=client.server, client_id=client_id, client_secret=self.principals[client_id],
                                 timeout=10)
            try:
                await reader.sign_in()
                if client_id in self.assigned:
                    await reader.get_workspace(WS)
            except ModelGateError as error:
                row.problems.append(f"roles: acknowledged principal {client_id} cannot act: {error.code}: {error.message}")
            finally:
                await reader.close()


class EndpointVersions(Kind):
    """Endpoint versions created and deleted (up to six at a time) under one endpoint."""

    name = "endpoint-versions"

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.live: list[str] = []  # acknowledged, not deleted, oldest first
        self.in_doubt_create: Optional[str] = None
        self.in_doubt_delete: Optional[str] = None
        self.sequence = 0

    def version(self, name: str, default: bool = False) -> deployment_pb2.EndpointVersion:
        return deployment_pb2.EndpointVersion(
            name=name, is_default=default, traffic_percentile=0.0, models=[self.model],
            version_type=deployment_pb2.ENDPOINT_VERSION_TYPE_TREATMENT if not default else
            deployment_pb2.ENDPOINT_VERSION_TYPE_CONTROL, inference_config=self.inference)

    async def setup(self, client, model: str) -> None:
        await super().setup(client, model)
        self.inference = self.scripts.inference("echo", fixtures.ECHO)
        request = deployment_pb2.CreateEndpointRequest(
            workspace=WS, name="ep-crash", version=self.version("base", default=True),
            deployment_config=fixtures.aks_config("aks", num_replicas=1, cpu_cores=0.1, memory_gb=0.1))
        await client.authorized("/modelgate.v1.DeploymentService/CreateEndpoint", request, deployment_pb2.Endpoint)

    async def operate(self, client) -> None:
        while True:
            try:
                if len(self.live) >= 4:
                    name = self.live[0]
                    self.in_doubt_delete = name
                    await client.authorized("/modelgate.v1.DeploymentService/DeleteEndpointVersion",
                                            deployment_pb2.DeleteEndpointVersionRequest(workspace=WS, endpoint="ep-crash",
                                                                                        version=name),
                                            deployment_pb2.Endpoint)
                    self.live.pop(0)
                    self.in_doubt_delete = None
                else:
                    self.sequence += 1
                    name = f"v{self.sequence}"
                    self.in_doubt_create = name
                    await client.authorized("/modelgate.v1.DeploymentService/CreateEndpointVersion",
                                            deployment_pb2.CreateEndpointVersionRequest(
                                                workspace=WS, endpoint="ep-crash", version=self.version(name)),
                                            deployment_pb2.Endpoint)
                    self.live.append(name)
                    self.in_doubt_create = None
                self.operations += 1
            except ModelGateError as error:
                if self.record_error(error):
                    return
                self.in_doubt_create = self.in_doubt_delete = None

    async def verify(self, client, row: Row) -> None:
        endpoint = await client.authorized("/modelgate.v1.DeploymentService/GetEndpoint",
                                           deployment_pb2.GetEndpointRequest(workspace=WS, name="ep-crash"),
                                           deployment_pb2.Endpoint)
        versions = {v.name: v for v in endpoint.versions}
        expected = set(self.live) | {"base"}
        if self.in_doubt_delete and self.in_doubt_delete not in versions:
            expected.discard(self.in_doubt_delete)
            self.live.remove(self.in_doubt_delete)
        if self.in_doubt_create and self.in_doubt_create in versions:
            expected.add(self.in_doubt_create)
            self.live.append(self.in_doubt_create)
        self.in_doubt_create = self.in_doubt_delete = None
        row.check(set(versions) == expected,
                  f"endpoint-versions: versions {sorted(versions)} after a kill, expected {sorted(expected)}")
        for name, version in versions.items():
            row.check(list(version.models) == [self.model] and version.inference_config.entry_script == "score.py",
                      f"endpoint-versions: version {name} is not whole after a kill")
        await _wait_endpoint_healthy(client, row)


async def _wait_endpoint_healthy(client, row: Row, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    state = None
    while time.monotonic() < deadline:
        endpoint = await client.authorized("/modelgate.v1.DeploymentService/GetEndpoint",
                                           deployment_pb2.GetEndpointRequest(workspace=WS, name="ep-crash"),
                                           deployment_pb2.Endpoint)
        state = fixtures.state_name(endpoint.state)
        if state == "HEALTHY":
            return
        await asyncio.sleep(0.1)
    row.problems.append(f"endpoint-versions: endpoint not Healthy {timeout} s after a restart (last {state})")


KINDS = [Register, Deploy, Update, Regen, EndpointVersions, Roles]


async def converge(client, kind: Kind, server: Server, row: Row, timeout: float) -> None:
    """Every service the kind keeps is Healthy again with its desired replicas running as processes."""
    deadline = time.monotonic() + timeout
    for name, replicas in kind.services.items():
        try:
            await fixtures.wait_state(client, WS, name, timeout=max(1.0, deadline - time.monotonic()))
        except TimeoutError as error:
            row.problems.append(f"{kind.name}: {error}")
            continue
        while True:
            service = await client.get_service(WS, name)
            ready = [r for r in service.replicas if r.state == deployment_pb2.REPLICA_STATE_READY]
            if len(ready) == replicas:
                break
            if time.monotonic() > deadline:
                row.problems.append(f"{kind.name}: service {name} runs {len(ready)} ready replicas, wants {replicas}")
                break
            await asyncio.sleep(0.1)
    running = replica_processes(server.pid)
    wanted = sum(kind.services.values())
    # The replica processes are what actually serves: as many as the desired state says, no leftovers.
    if kind.name != "endpoint-versions":
        row.check(len(running) == wanted, f"{kind.name}: {len(running)} replica processes run, desired state wants {wanted}")


async def run_kind(kind_type, binary: Path, root: Path, kills: int, scripts: fixtures.Scripts,
                   rng: random.Random, deadline: float) -> Row:
    row = Row(name=f"crash: {kind_type.name}", allowed="in doubt only")
    work = root / f"crash-{kind_type.name}"
    server = make_server(binary, root, f"crash-{kind_type.name}")
    kind = kind_type(scripts, work)
    kind.data_dir = server.data_dir
    server.start()
    client = fixtures.client_for(server.address, server.credentials)
    try:
        model = await fixtures.prepare_workspace(client, WS, work / "model")
        try:
            await kind.setup(client, model)
        except ModelGateError as error:
            if error.code == "UNIMPLEMENTED":
                row.skipped = "endpoints not served"
                return row
            raise
    finally:
        await client.close()
    for _ in range(kills):
        if time.monotonic() > deadline:
            row.problems.append(f"out of time after {row.faults} kills")
            break
        client = fixtures.client_for(server.address, server.credentials)
        await client.sign_in()  # signing in is slow in a debug build: kill during the writes, not before them
        task = asyncio.ensure_future(kind.operate(client))
        await asyncio.sleep(rng.uniform(0.02, kind.max_delay))
        server.kill()
        row.faults += 1
        try:
            await asyncio.wait_for(task, 15)
        except ModelGateError as error:
            kind.record_error(error)  # a call failing other than by the kill is a problem
        except asyncio.TimeoutError:
            row.problems.append(f"{kind.name}: the operation loop did not notice the kill within 15 s")
        await client.close()
        check = integrity_check(server.database)
        row.check(check == "ok", f"{kind.name}: integrity_check after a kill: {check}")
        server.start()
        client = fixtures.client_for(server.address, server.credentials)
        try:
            await kind.verify(client, row)
            await converge(client, kind, server, row, timeout=60)
            if hasattr(kind, "cleanup"):
                await kind.cleanup(client)
        except ModelGateError as error:
            row.problems.append(f"{kind.name}: checking after a restart failed: {error.code}: {error.message}")
        finally:
            await client.close()
    server.stop()
    row.operations = kind.operations
    row.seen = len(kind.errors)
    for error in kind.errors[:3]:
        row.problems.append(f"{kind.name}: a call failed other than by the kill: {error}")
    row.figures = f"{server.starts - 1} restarts, integrity_check ok after each" if not row.problems else ""
    return row
