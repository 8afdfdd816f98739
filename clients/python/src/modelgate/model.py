"""Registered models, after azureml.core.Model."""

from __future__ import annotations

from typing import Optional


class Model:
    """One version of a registered model: ``Model(ws, "linreg")`` is the latest, ``version=`` pins one."""

    def __init__(self, workspace, name: str, version: Optional[int] = None) -> None:
        self.workspace = workspace
        self._apply(workspace._run(workspace.client.get_model(workspace.name, name, version or 0)))

    @classmethod
    def _from_message(cls, workspace, message) -> "Model":
        model = cls.__new__(cls)
        model.workspace = workspace
        model._apply(message)
        return model

    def _apply(self, message) -> None:
        self.name = message.name
        self.version = message.version
        self.description = message.description
        self.tags = dict(message.tags)
        self.properties = dict(message.properties)
        self.model_framework = message.model_framework
        self.model_framework_version = message.model_framework_version
        self.size_bytes = message.size_bytes
        self.files = [f.path for f in message.files]
        self.created_by = message.created_by

    @property
    def id(self) -> str:
        """"name:version", as deployments name models."""
        return f"{self.name}:{self.version}"

    @staticmethod
    def register(workspace, model_path: str, model_name: str, tags: Optional[dict[str, str]] = None,
                 properties: Optional[dict[str, str]] = None, description: Optional[str] = None,
                 model_framework: Optional[str] = None, model_framework_version: Optional[str] = None) -> "Model":
        """Registers a new version from a file or folder (streamed in chunks, each file checked by SHA-256).

        A file keeps its name in the model; a folder keeps its own name as the
        first path component (``model/weights.json``), as with Azure.
        """
        message = workspace._run(workspace.client.register_model(
            workspace.name, model_name, model_path, description=description or "", tags=tags,
            properties=properties, model_framework=model_framework or "",
            model_framework_version=model_framework_version or ""))
        return Model._from_message(workspace, message)

    @staticmethod
    def list(workspace, name: Optional[str] = None, tags: Optional[dict[str, str]] = None,
             latest: bool = False) -> list["Model"]:
        messages = workspace._run(workspace.client.list_models(workspace.name, name or "", tags, latest))
        return [Model._from_message(workspace, m) for m in messages]

    def delete(self) -> None:
        """Deletes this version; FAILED_PRECONDITION while a service uses it."""
        self.workspace._run(self.workspace.client.delete_model(self.workspace.name, self.name, self.version))

    @staticmethod
    def deploy(workspace, name: str, models: list, inference_config=None, deployment_config=None,
               deployment_target=None, overwrite: bool = False):
        """Deploys models as a web service and returns it at once (state Transitioning).

        Follow it with ``service.wait_for_deployment(show_output=True)``. The
        deployment configuration comes from AksWebservice.deploy_configuration
        (with deployment_target naming the attached cluster) or
        AciWebservice.deploy_configuration; without one, AKS defaults when a
        target is given, else ACI defaults.
        """
        from .config import AciWebservice, AksWebservice
        from .webservice import Webservice
        if inference_config is None:
            raise ValueError("Model.deploy needs an inference_config (entry script and source directory)")
        if deployment_config is None:
            deployment_config = (AksWebservice.deploy_configuration() if deployment_target is not None
                                 else AciWebservice.deploy_configuration())
        config = type(deployment_config.message)()
        config.CopyFrom(deployment_config.message)
        if deployment_target is not None:
            config.compute_target_name = deployment_target.name
        model_ids = [m.id if isinstance(m, Model) else str(m) for m in models]
        message = workspace._run(workspace.client.deploy(
            workspace.name, name, model_ids, inference_config.to_proto(), config, overwrite))
        return Webservice._from_message(workspace, message)

    def __repr__(self) -> str:
        return f"Model(name={self.name!r}, version={self.version})"
