"""What the scenarios deploy: score.py scripts and helpers on the Python client's AsyncClient."""

from __future__ import annotations

import asyncio
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from modelgate import AksWebservice, InferenceConfig
from modelgate.aio import AsyncClient
from modelgate.errors import ModelGateError
from modelgate.v1 import deployment_pb2

# Echoes its JSON input; {"sleep": s} sleeps first, {"hang": true} never returns.
ECHO = '''
import json, time

def init():
    pass

def run(raw_data):
    data = json.loads(raw_data)
    if data.get("hang"):
        while True:
            time.sleep(3600)
    if data.get("sleep"):
        time.sleep(float(data["sleep"]))
    return data
'''

# Keeps 32 MiB (touched, so resident) per request and never frees it.
LEAK = '''
import json

kept = []

def init():
    pass

def run(raw_data):
    block = bytearray(32 * 1024 * 1024)
    for i in range(0, len(block), 4096):
        block[i] = 1
    kept.append(block)
    return {"kept_mib": 32 * len(kept)}
'''

STATE_NAMES = {v: k.replace("WEB_SERVICE_STATE_", "") for k, v in deployment_pb2.WebServiceState.items()}


def state_name(state: int) -> str:
    return STATE_NAMES.get(state, str(state))


@dataclass
class Scripts:
    """Source folders holding each score.py, packed once per deployment."""

    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="modelgate-faults-src-")))

    def inference(self, name: str, text: str) -> deployment_pb2.InferenceConfig:
        folder = self.root / name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "score.py").write_text(text)
        return InferenceConfig(entry_script="score.py", source_directory=str(folder)).to_proto()


def aks_config(compute: str, **parameters) -> deployment_pb2.DeploymentConfig:
    config = deployment_pb2.DeploymentConfig()
    config.CopyFrom(AksWebservice.deploy_configuration(**parameters).message)
    config.compute_target_name = compute
    return config


def client_for(address: str, credentials: Path, timeout: Optional[float] = 30) -> AsyncClient:
    return AsyncClient(server=address, credentials_path=str(credentials), timeout=timeout)


async def prepare_workspace(client: AsyncClient, workspace: str, model_dir: Path, compute: str = "aks",
                            cores: float = 64, memory_gb: float = 64) -> str:
    """A workspace with an AKS cluster and one registered model; returns the model id."""
    await client.create_workspace(workspace, "westeurope")
    await client.attach_compute(workspace, compute, cpu_cores=cores, memory_gb=memory_gb)
    model_dir.mkdir(parents=True, exist_ok=True)
    (model_dir / "weights.json").write_text('{"w": 1}')
    model = await client.register_model(workspace, "m", str(model_dir))
    return f"{model.name}:{model.version}"


async def wait_state(client: AsyncClient, workspace: str, name: str, want: str = "HEALTHY",
                     timeout: float = 60) -> deployment_pb2.WebService:
    """Polls GetService until the service is in state want; raises TimeoutError with the last state."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = await client.get_service(workspace, name)
            if state_name(last.state) == want:
                return last
        except ModelGateError as error:
            last = error
        await asyncio.sleep(0.1)
    detail = f"{state_name(last.state)} {last.error}" if isinstance(last, deployment_pb2.WebService) else repr(last)
    raise TimeoutError(f"service {workspace}/{name} not {want} within {timeout} s (last: {detail})")


async def deploy_and_wait(client: AsyncClient, workspace: str, name: str, model: str,
                          inference: deployment_pb2.InferenceConfig, config: deployment_pb2.DeploymentConfig,
                          timeout: float = 60) -> deployment_pb2.WebService:
    await client.deploy(workspace, name, [model], inference, config)
    return await wait_state(client, workspace, name, "HEALTHY", timeout)
