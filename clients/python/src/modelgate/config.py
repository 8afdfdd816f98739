"""InferenceConfig, Environment and the AKS/ACI deployment configurations, after azureml.core."""

from __future__ import annotations

import os
from typing import Any, Optional

from . import source
from .v1 import common_pb2, deployment_pb2, model_pb2

_TOGGLE_FIELDS = {"autoscale_enabled", "auth_enabled", "token_auth_enabled", "blobfuse_enabled"}


def _toggle(value: Optional[bool]) -> int:
    if value is None:
        return common_pb2.TOGGLE_UNSPECIFIED
    return common_pb2.TOGGLE_ENABLED if value else common_pb2.TOGGLE_DISABLED


class Environment:
    """What the scoring code runs in: Python packages (pip or conda), environment variables.

    ``Environment.get(ws, name)`` refers to a registered one by name (and
    version); the others are sent with the deployment. None (the default in
    InferenceConfig) runs on the server machine's Python.
    """

    def __init__(self, name: str, *, version: Optional[int] = None, python_version: str = "",
                 pip_packages: Optional[list[str]] = None, conda_yaml: str = "",
                 environment_variables: Optional[dict[str, str]] = None, base_image: str = "") -> None:
        self.name = name
        self.version = version
        self.python_version = python_version
        self.pip_packages = list(pip_packages or [])
        self.conda_yaml = conda_yaml
        self.environment_variables = dict(environment_variables or {})
        self.base_image = base_image
        self._reference_only = False

    @classmethod
    def from_pip_requirements(cls, name: str, file_path: str) -> "Environment":
        with open(file_path, encoding="utf-8") as handle:
            lines = [line.strip() for line in handle]
        return cls(name, pip_packages=[line for line in lines if line and not line.startswith("#")])

    @classmethod
    def from_conda_specification(cls, name: str, file_path: str) -> "Environment":
        with open(file_path, encoding="utf-8") as handle:
            return cls(name, conda_yaml=handle.read())

    @classmethod
    def get(cls, workspace, name: str, version: Optional[int] = None) -> "Environment":
        """A registered environment, referred to by name (and version; latest when None)."""
        environment = cls(name, version=version)
        environment._reference_only = True
        return environment

    def register(self, workspace) -> "Environment":
        """Registers this environment in the workspace; returns a reference to the stored version."""
        stored = workspace._run(workspace.client.register_environment(self.to_proto(workspace.name)))
        return Environment.get(workspace, stored.name, stored.version)

    def to_proto(self, workspace: str = "") -> model_pb2.Environment:
        return model_pb2.Environment(
            workspace=workspace, name=self.name, version=self.version or 0, python_version=self.python_version,
            pip_requirements=self.pip_packages, conda_yaml=self.conda_yaml, base_image=self.base_image,
            environment_variables=self.environment_variables)


class InferenceConfig:
    """The entry script (score.py with init() and run()), its source directory and its environment.

    The source directory is packed when deploying, honouring its .amlignore,
    else its .gitignore. Without one, only the entry script is sent.
    """

    def __init__(self, entry_script: str, runtime: Optional[str] = None, conda_file: Optional[str] = None,
                 source_directory: Optional[str] = None, description: Optional[str] = None,
                 environment: Optional[Environment] = None) -> None:
        self.entry_script = entry_script
        self.runtime = runtime
        self.conda_file = conda_file
        self.source_directory = source_directory
        self.description = description
        self.environment = environment

    def to_proto(self) -> deployment_pb2.InferenceConfig:
        """The message a deployment carries, with the packed source archive."""
        if self.source_directory is not None:
            archive = source.pack(self.source_directory)
            entry_script = self.entry_script
        else:
            folder, entry_script = os.path.split(os.path.abspath(self.entry_script))
            archive = source.pack(folder, only=[entry_script])
        message = deployment_pb2.InferenceConfig(
            entry_script=entry_script.replace(os.sep, "/"), source_archive=archive.data,
            runtime=self.runtime or "", source_directory=self.source_directory or "",
            description=self.description or "")
        environment = self.environment
        if environment is None and self.conda_file:
            environment = Environment.from_conda_specification("inference-env", self.conda_file)
        if environment is not None:
            if environment._reference_only:
                message.environment_name = environment.name
                message.environment_version = environment.version or 0
            else:
                message.environment.CopyFrom(environment.to_proto())
        return message


class DeploymentConfiguration:
    """A deployment configuration: the DeploymentConfig message and which fields were given."""

    def __init__(self, message: deployment_pb2.DeploymentConfig, given: list[str]) -> None:
        self.message = message
        self.given = given

    @property
    def compute_type(self) -> str:
        return common_pb2.ComputeType.Name(self.message.compute_type).replace("COMPUTE_TYPE_", "")

    def __repr__(self) -> str:
        return f"DeploymentConfiguration({self.compute_type}, {', '.join(self.given) or 'defaults'})"


# Azure's parameter names -> DeploymentConfig field names, where they differ.
_AKS_RENAMES = {
    "max_request_wait_time": "max_request_wait_time_ms",
    "period_seconds": "liveness_period_seconds",
    "initial_delay_seconds": "liveness_initial_delay_seconds",
    "timeout_seconds": "liveness_timeout_seconds",
    "success_threshold": "liveness_success_threshold",
    "failure_threshold": "liveness_failure_threshold",
}
_FILE_PARAMETERS = {"ssl_cert_pem_file": "ssl_cert_pem", "ssl_key_pem_file": "ssl_key_pem"}


def build_deployment_config(compute_type: int, parameters: dict[str, Any]) -> DeploymentConfiguration:
    """A DeploymentConfig from Azure-named parameters; None values are left to the server's defaults."""
    message = deployment_pb2.DeploymentConfig(compute_type=compute_type)
    given: list[str] = []
    fields = deployment_pb2.DeploymentConfig.DESCRIPTOR.fields_by_name
    for name, value in parameters.items():
        if value is None:
            continue
        if name in _FILE_PARAMETERS:
            with open(value, encoding="utf-8") as handle:
                name, value = _FILE_PARAMETERS[name], handle.read()
        field = _AKS_RENAMES.get(name, name)
        if field not in fields:
            raise TypeError(f"unknown deployment configuration parameter {name!r}")
        if field in ("tags", "properties"):
            getattr(message, field).update(value)
        elif field in _TOGGLE_FIELDS:
            setattr(message, field, _toggle(bool(value)))
        else:
            setattr(message, field, value)
        given.append(field)
    return DeploymentConfiguration(message, given)


class AksWebservice:
    """AKS deployment configurations, after azureml.core.webservice.AksWebservice."""

    @staticmethod
    def deploy_configuration(autoscale_enabled=None, autoscale_min_replicas=None, autoscale_max_replicas=None,
                             autoscale_refresh_seconds=None, autoscale_target_utilization=None,
                             collect_model_data=None, auth_enabled=None, cpu_cores=None, memory_gb=None,
                             enable_app_insights=None, scoring_timeout_ms=None, replica_max_concurrent_requests=None,
                             max_request_wait_time=None, num_replicas=None, primary_key=None, secondary_key=None,
                             tags=None, properties=None, description=None, gpu_cores=None, period_seconds=None,
                             initial_delay_seconds=None, timeout_seconds=None, success_threshold=None,
                             failure_threshold=None, namespace=None, token_auth_enabled=None,
                             compute_target_name=None, cpu_cores_limit=None, memory_gb_limit=None,
                             blobfuse_enabled=None) -> DeploymentConfiguration:
        """Azure's parameters and defaults: key auth on, token auth off, autoscaling unless num_replicas is set."""
        parameters = dict(locals())
        return build_deployment_config(common_pb2.COMPUTE_TYPE_AKS, parameters)


class AciWebservice:
    """ACI deployment configurations, after azureml.core.webservice.AciWebservice."""

    @staticmethod
    def deploy_configuration(cpu_cores=None, memory_gb=None, tags=None, properties=None, description=None,
                             location=None, auth_enabled=None, ssl_enabled=None, enable_app_insights=None,
                             ssl_cert_pem_file=None, ssl_key_pem_file=None, ssl_cname=None, dns_name_label=None,
                             primary_key=None, secondary_key=None, collect_model_data=None,
                             cmk_vault_base_url=None, cmk_key_name=None, cmk_key_version=None, vnet_name=None,
                             subnet_name=None) -> DeploymentConfiguration:
        """Azure's parameters and defaults: key auth off unless auth_enabled=True, no token auth."""
        parameters = dict(locals())
        return build_deployment_config(common_pb2.COMPUTE_TYPE_ACI, parameters)
