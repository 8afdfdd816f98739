"""Makes Azure's import names work for the user's script without Azure's packages.

- ``azureml.contrib.services.aml_request`` / ``aml_response``: always this harness's modules,
  exactly as Azure's inference server always puts its own modules under those names
  (``azureml_inference_server_http/server/__init__.py``), whatever else is installed.
- ``azureml_inference_server_http.api.aml_request`` / ``aml_response``: the same modules,
  unless the real package is installed (its ``rawhttp`` flag is honoured too).
- ``inference_schema``: the real package if the environment has it, otherwise the
  standard-library shim in ``runtime/shims`` (appended to ``sys.path``).
"""

import importlib.util
import os
import sys
from types import ModuleType

from . import aml_request, aml_response

SHIM_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "shims")


def install_shims():
    """Registers the shims; returns the names of the packages that are shims, not real."""
    shimmed = []
    _alias("azureml.contrib.services", aml_request, aml_response)
    shimmed.append("azureml.contrib.services")
    if not _findable("azureml_inference_server_http"):
        _alias("azureml_inference_server_http.api", aml_request, aml_response)
        shimmed.append("azureml_inference_server_http.api")
    if not _findable("inference_schema"):
        if SHIM_DIR not in sys.path:
            sys.path.append(SHIM_DIR)
        shimmed.append("inference_schema")
    return shimmed


def _alias(package, request_module, response_module):
    parent = _ensure_package(package)
    for short, module in (("aml_request", request_module), ("aml_response", response_module)):
        sys.modules["%s.%s" % (package, short)] = module
        if parent is not None:
            setattr(parent, short, module)


def _ensure_package(dotted):
    """Returns the package module for ``dotted`` if it is (or now is) in ``sys.modules``.

    Packages that cannot be found are created empty, so that ``import a.b.c`` works; real
    ones are left alone and not imported (importing them could be slow or have effects).
    """
    parts = dotted.split(".")
    module = None
    for index in range(1, len(parts) + 1):
        name = ".".join(parts[:index])
        if name in sys.modules:
            module = sys.modules[name]
            continue
        if _findable(name):
            module = None
            continue
        created = ModuleType(name)
        created.__path__ = []
        created.__package__ = name
        sys.modules[name] = created
        if index > 1 and ".".join(parts[:index - 1]) in sys.modules:
            setattr(sys.modules[".".join(parts[:index - 1])], parts[index - 1], created)
        module = created
    return module


def _findable(name):
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError, AttributeError):
        return False
