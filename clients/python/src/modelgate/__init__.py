"""ModelGate's Python client, shaped like azureml.core.

::

    from modelgate import Workspace, Model, InferenceConfig, AksWebservice, AksCompute

    ws = Workspace.get("ml-prod", credentials_path="data/credentials.json")
    model = Model.register(ws, model_path="model/", model_name="linreg")
    service = Model.deploy(ws, "linreg", [model], InferenceConfig(entry_script="score.py", source_directory="."),
                           AksWebservice.deploy_configuration(cpu_cores=0.5, memory_gb=1),
                           deployment_target=AksCompute(ws, "aks1"))
    service.wait_for_deployment(show_output=True)
    print(service.run({"data": [[1, 2, 3]]}))

Errors are ModelGateError (``.code`` is the status name, ``.message`` the reason).
The asyncio form: ``await service.run_async(...)``, ``async for r in service.run_stream_async(...)``,
and modelgate.aio.AsyncClient for every call.
"""

from .aio import AsyncClient
from .compute import AksAttachConfiguration, AksCompute, ComputeTarget
from .config import AciWebservice, AksWebservice, DeploymentConfiguration, Environment, InferenceConfig
from .connection import Connection, Limits
from .credentials import Credentials
from .errors import ModelGateError
from .model import Model
from .tls import TlsOptions
from .webservice import ScoreResult, Webservice
from .workspace import Workspace

__version__ = "0.1.0"

__all__ = [
    "AciWebservice", "AksAttachConfiguration", "AksCompute", "AksWebservice", "AsyncClient", "ComputeTarget",
    "Connection", "Credentials", "DeploymentConfiguration", "Environment", "InferenceConfig", "Limits", "Model",
    "ModelGateError", "ScoreResult", "TlsOptions", "Webservice", "Workspace",
]
