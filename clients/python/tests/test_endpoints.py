"""Endpoints end to end through AsyncClient against a real `modelgate serve` (see conftest.server):
the seed's first rollout step (versiona 20 % and default, versionb 10 %), a pinned version,
and the version rules' errors."""

from __future__ import annotations

import asyncio
import io
import tarfile

import pytest

from modelgate import ModelGateError
from modelgate.aio import AsyncClient
from modelgate.v1 import common_pb2, deployment_pb2

ECHO = b"def init():\n    pass\n\n\ndef run(raw_data):\n    return raw_data\n"


def echo_archive() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        info = tarfile.TarInfo("score.py")
        info.size = len(ECHO)
        archive.addfile(info, io.BytesIO(ECHO))
    return buffer.getvalue()


def version(name: str, percentile: float = 0, **fields) -> deployment_pb2.EndpointVersion:
    message = deployment_pb2.EndpointVersion(name=name, traffic_percentile=percentile, **fields)
    message.inference_config.entry_script = "score.py"
    message.inference_config.source_archive = echo_archive()
    return message


async def wait(client: AsyncClient, workspace: str, name: str) -> deployment_pb2.DeploymentProgress:
    async for event in client.wait_for_deployment(workspace, name):
        if event.final:
            return event
    raise AssertionError("no final event")


def test_an_endpoint_splits_traffic_pins_versions_and_enforces_its_rules(server):
    address, credentials = server

    async def scenario():
        async with AsyncClient(address, credentials_path=credentials) as client:
            await client.create_workspace("py-endpoints", "westeurope")
            await client.attach_compute("py-endpoints", "aks1", cpu_cores=2, memory_gb=4)
            config = deployment_pb2.DeploymentConfig(compute_type=common_pb2.COMPUTE_TYPE_AKS,
                                                     compute_target_name="aks1")
            created = await client.create_endpoint("py-endpoints", "rollout", config, version("versiona", 20))
            assert created.default_version == "versiona"
            await client.create_endpoint_version("py-endpoints", "rollout",
                                                 version("versionb", 10, tags={"modelVersion": "b"}))
            final = await wait(client, "py-endpoints", "rollout")
            assert final.state == deployment_pb2.WEB_SERVICE_STATE_HEALTHY, final.message
            endpoint = await client.get_endpoint("py-endpoints", "rollout")
            assert [(v.name, v.effective_traffic_percentile) for v in endpoint.versions] == [("versiona", 90),
                                                                                            ("versionb", 10)]
            assert [e.name for e in await client.list_endpoints("py-endpoints")] == ["rollout"]

            key = (await client.get_keys("py-endpoints", "rollout")).primary_key
            pinned = await client.score("py-endpoints", "rollout", "{}", key=key, version="versionb")
            assert pinned.version == "versionb"
            with pytest.raises(ModelGateError) as unknown:
                await client.score("py-endpoints", "rollout", "{}", key=key, version="versionz")
            assert unknown.value.code == "NOT_FOUND"

            with pytest.raises(ModelGateError) as over:
                await client.create_endpoint_version("py-endpoints", "rollout", version("versionc", 95))
            assert over.value.code == "FAILED_PRECONDITION"
            with pytest.raises(ModelGateError) as default:
                await client.delete_endpoint_version("py-endpoints", "rollout", "versiona")
            assert default.value.code == "FAILED_PRECONDITION"

            promoted = await client.update_endpoint_version(
                "py-endpoints", "rollout",
                deployment_pb2.EndpointVersion(name="versionb", traffic_percentile=40, is_default=True,
                                               version_type=deployment_pb2.ENDPOINT_VERSION_TYPE_CONTROL))
            assert [(v.name, v.effective_traffic_percentile) for v in promoted.versions] == [("versiona", 20),
                                                                                            ("versionb", 80)]
            remaining = await client.delete_endpoint_version("py-endpoints", "rollout", "versiona")
            assert [v.name for v in remaining.versions] == ["versionb"]
            await client.delete_endpoint("py-endpoints", "rollout")

    asyncio.run(scenario())
