"""Compute targets: AKS clusters attached to a workspace, after azureml.core.compute."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from .v1 import workspace_pb2

_PURPOSES = {"FastProd": workspace_pb2.CLUSTER_PURPOSE_FAST_PROD, "DevTest": workspace_pb2.CLUSTER_PURPOSE_DEV_TEST}


@dataclass
class AksAttachConfiguration:
    """What ComputeTarget.attach needs for an AKS cluster: its capacity and purpose."""

    cpu_cores: float
    memory_gb: float
    gpus: int = 0
    region: Optional[str] = None
    cluster_purpose: str = "FastProd"
    description: str = ""
    tags: Optional[dict[str, str]] = None


class ComputeTarget:
    """Attaching and listing compute targets, as azureml.core.ComputeTarget does."""

    @staticmethod
    def attach(workspace, name: str, attach_configuration: AksAttachConfiguration) -> "AksCompute":
        """Attaches an AKS cluster with a fixed capacity; replicas are placed only within it."""
        config = attach_configuration
        if config.cluster_purpose not in _PURPOSES:
            raise ValueError(f"cluster_purpose must be one of {sorted(_PURPOSES)}, got {config.cluster_purpose!r}")
        message = workspace._run(workspace.client.attach_compute(
            workspace.name, name, cpu_cores=config.cpu_cores, memory_gb=config.memory_gb, gpus=config.gpus,
            region=config.region or "", purpose=_PURPOSES[config.cluster_purpose], description=config.description,
            tags=config.tags))
        return AksCompute._from_message(workspace, message)

    @staticmethod
    def list(workspace) -> list["AksCompute"]:
        return list(workspace.compute_targets.values())


class AksCompute(ComputeTarget):
    """An AKS cluster attached to a workspace: ``AksCompute(ws, "aks1")`` fetches it."""

    class ClusterPurpose:
        FAST_PROD = "FastProd"
        DEV_TEST = "DevTest"

    def __init__(self, workspace, name: str) -> None:
        self.workspace = workspace
        self.name = name
        self._apply(workspace._run(workspace.client.get_compute(workspace.name, name)))

    @classmethod
    def _from_message(cls, workspace, message) -> "AksCompute":
        compute = cls.__new__(cls)
        compute.workspace = workspace
        compute.name = message.name
        compute._apply(message)
        return compute

    def _apply(self, message) -> None:
        self.type = "AKS"
        self.region = message.region
        self.cpu_cores = message.cpu_cores
        self.memory_gb = message.memory_gb
        self.gpus = message.gpus
        self.used_cpu_cores = message.used_cpu_cores
        self.used_memory_gb = message.used_memory_gb
        self.replica_count = message.replica_count
        self.cluster_purpose = {v: k for k, v in _PURPOSES.items()}.get(message.purpose, "")
        self.tags = dict(message.tags)

    @staticmethod
    def attach_configuration(cpu_cores: float, memory_gb: float, gpus: int = 0, region: Optional[str] = None,
                             cluster_purpose: str = "FastProd", description: str = "",
                             tags: Optional[dict[str, str]] = None) -> AksAttachConfiguration:
        return AksAttachConfiguration(cpu_cores, memory_gb, gpus, region, cluster_purpose, description, tags)

    def refresh_state(self) -> None:
        self._apply(self.workspace._run(self.workspace.client.get_compute(self.workspace.name, self.name)))

    def detach(self) -> None:
        """Detaches the cluster; FAILED_PRECONDITION while services run on it."""
        self.workspace._run(self.workspace.client.detach_compute(self.workspace.name, self.name))

    def __repr__(self) -> str:
        return f"AksCompute(name={self.name!r}, cpu_cores={self.cpu_cores}, memory_gb={self.memory_gb})"
