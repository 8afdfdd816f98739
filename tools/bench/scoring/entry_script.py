"""Loads an Azure-style entry script (score.py) the way a server would: with
AZUREML_MODEL_DIR set, the script's folder first on sys.path, then init().

Shared by the grpcio server and the in-process ceiling so both call the same
run() with the same JSON encoding of its result as Azure's server and the
ModelGate replica harness (json.dumps of anything but bytes, a str included).
"""
import importlib.util
import json
import os
import sys


def load(script_path, model_dir):
    """Imports the script, calls init() and returns the module."""
    script_path = os.path.abspath(script_path)
    os.environ["AZUREML_MODEL_DIR"] = os.path.abspath(model_dir)
    source_dir = os.path.dirname(script_path)
    sys.path.insert(0, source_dir)
    os.chdir(source_dir)
    spec = importlib.util.spec_from_file_location("score", script_path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.init()
    return module


def encode(result):
    """The response body for run()'s return value."""
    if isinstance(result, (bytes, bytearray)):
        return bytes(result)
    return json.dumps(result).encode("utf-8")
