import os
import sys

model = None


def init():
    global model
    path = os.path.join(os.getenv("AZUREML_MODEL_DIR"), "model.txt")
    with open(path) as handle:
        model = handle.read().strip()


def run(raw_data):
    return {
        "model": model,
        "input": raw_data,
        "model_dir": os.environ["AZUREML_MODEL_DIR"],
        "entry_script": os.environ["AZUREML_ENTRY_SCRIPT"],
        "cwd": os.getcwd(),
        "sys_path_0": sys.path[0],
        "argv": sys.argv,
        "module": __name__,
        "helper": __import__("helper_module").VALUE,
    }
