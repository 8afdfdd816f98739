"""Loading the user's entry script and deciding how its ``run()`` is called.

This follows ``azureml_inference_server_http.server.user_script`` (version 1.5.1):

- the script is imported with ``importlib`` under the module name ``entry_module`` (not
  registered in ``sys.modules``, as on Azure);
- it must define ``init()`` and ``run()``; a ``driver_module`` attribute holding a module
  with its own ``run`` is followed, as Azure does for SDK-generated driver scripts;
- ``run()`` may not take ``*args``, ``**kwargs`` or positional-only parameters;
- a ``run()`` parameter named ``request_headers`` receives the request's headers;
- the first other parameter receives the input: the whole request under ``@rawhttp``,
  the JSON body's keys (one per parameter) under inference-schema's ``@input_schema``,
  else the body as a ``str`` (``raw_data``).
"""

import importlib.util
import inspect
import os
import sys
from types import ModuleType

# How run() takes its input.
RAW_DATA = "raw_data"
SCHEMA = "schema"
RAWHTTP = "rawhttp"


class UserScriptError(Exception):
    """The script cannot be served: it is missing a function or declares run() wrongly."""


class UserScriptImportError(Exception):
    """Importing the script raised; ``__cause__`` is the user's exception."""


class UserScript:
    """The user's ``init`` and ``run``, and the way ``run`` takes its input."""

    def __init__(self, entry_script):
        self.entry_script = entry_script
        self.module = None
        self.init = None
        self.run = None
        self.mode = None
        self.input_parameter = None
        self.schema_parameters = []
        self.wants_request_headers = False

    def load(self):
        """Imports the script and analyses ``run()``; raises on any problem."""
        try:
            spec = importlib.util.spec_from_file_location("entry_module", self.entry_script)
            if spec is None or spec.loader is None:
                raise ImportError("cannot load %s as a Python module" % self.entry_script)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
        except BaseException as ex:
            raise UserScriptImportError(
                "Failed to import user script because it raised an unhandled exception"
            ) from ex
        self.module = module

        if not hasattr(module, "init"):
            raise UserScriptError("User script at %s does not have a init() function defined." % module.__file__)
        if not hasattr(module, "run"):
            raise UserScriptError("User script at %s does not have a run() function defined." % module.__file__)

        driver = getattr(module, "driver_module", None)
        if isinstance(driver, ModuleType) and hasattr(driver, "run"):
            self.run = driver.run
        else:
            self.run = module.run
        self.init = module.init
        self._analyze_run()

    def _analyze_run(self):
        try:
            parameters = list(inspect.signature(self.run).parameters.values())
        except (TypeError, ValueError) as ex:
            raise UserScriptError("run() cannot be inspected: %s" % ex) from None
        allowed = (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        if any(parameter.kind not in allowed for parameter in parameters):
            raise UserScriptError("run() cannot accept positional-only arguments, *args, or **kwargs.")

        self.wants_request_headers = any(parameter.name == "request_headers" for parameter in parameters)
        parameters = [parameter for parameter in parameters if parameter.name != "request_headers"]
        if not parameters:
            if self.wants_request_headers:
                raise UserScriptError('run() needs to accept an argument other than "request_headers".')
            raise UserScriptError("run() needs to accept an argument for input data.")

        raw = rawhttp_requested()
        schema = is_schema_decorated(self.run)
        if raw and schema:
            raise UserScriptError("run() cannot be decorated with both @rawhttp and @input_schema")
        if raw:
            self.mode = RAWHTTP
        elif schema:
            self.mode = SCHEMA
        else:
            self.mode = RAW_DATA
        self.input_parameter = parameters[0].name
        self.schema_parameters = parameters

    def call_run(self, arguments, request_headers):
        """Calls ``run`` with keyword ``arguments``, adding ``request_headers`` if it takes them."""
        if self.wants_request_headers:
            return self.run(**arguments, request_headers=request_headers)
        return self.run(**arguments)

    def schema_description(self):
        """The inference-schema swagger fragments for ``run``, or ``None`` if undecorated."""
        if self.mode != SCHEMA:
            return None
        schema_util = sys.modules.get("inference_schema.schema_util")
        if schema_util is None:
            return None
        description = {}
        for key, getter in (("input", "get_input_schema"), ("output", "get_output_schema"),
                            ("versions", "get_supported_versions")):
            try:
                description[key] = getattr(schema_util, getter)(self.run)
            except Exception:
                description[key] = None
        return description

    def describe(self):
        """A one-line account of how run() will be called, for the log."""
        if self.mode == RAWHTTP:
            text = "run() is decorated with @rawhttp; it gets the whole request as %r" % self.input_parameter
        elif self.mode == SCHEMA:
            names = ", ".join(parameter.name for parameter in self.schema_parameters)
            text = "run() is decorated with @input_schema; it gets the JSON body's keys as: %s" % names
        else:
            text = "run() is not decorated; it gets the body as a str in %r" % self.input_parameter
        if self.wants_request_headers:
            text += ", and request_headers"
        return text


def rawhttp_requested():
    """Whether ``@rawhttp`` was applied, through either module name a script may import."""
    for name in ("azureml.contrib.services.aml_request", "azureml_inference_server_http.api.aml_request"):
        module = sys.modules.get(name)
        if module is not None and getattr(module, "_rawHttpRequested", False):
            return True
    return False


def is_schema_decorated(function):
    """Asks whichever ``inference_schema`` the script imported (the real one or the shim)."""
    schema_util = sys.modules.get("inference_schema.schema_util")
    if schema_util is None:
        return False
    try:
        return bool(schema_util.is_schema_decorated(function))
    except Exception:
        return False


def entry_script_env_value(entry_script, source_dir):
    """``AZUREML_ENTRY_SCRIPT`` as Azure sets it: relative to the app root when inside it."""
    relative = os.path.relpath(entry_script, source_dir)
    if relative.startswith(os.pardir + os.sep) or relative == os.pardir or os.path.isabs(relative):
        return entry_script
    return relative.replace(os.sep, "/")
