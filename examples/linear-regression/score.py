"""Entry script for the linear-regression example, written as for Azure ML's inference server.

init() runs once per replica and loads the weights that train.py wrote; run(raw_data) runs
per request:

    request:  {"data": [[x0, x1, x2], ...]}
    response: {"predictions": [y, ...]}

Only the standard library is needed; numpy is used if the environment has it.
"""
import json
import math
import os

try:
    import numpy
except ImportError:  # numpy is optional: the pure-Python path gives the same answers
    numpy = None

WEIGHTS_FILE = "weights.json"

features = None
coefficients = None
intercept = None


def _find_weights(model_dir):
    """The path of weights.json under model_dir.

    AZUREML_MODEL_DIR is the model's folder when one model is deployed, and a parent
    (``<model name>/<version>/...``) in other layouts, so search rather than assume.
    """
    for root, dirs, files in os.walk(model_dir):
        dirs.sort()  # a deterministic choice if there is more than one
        if WEIGHTS_FILE in files:
            return os.path.join(root, WEIGHTS_FILE)
    raise FileNotFoundError("no %s under AZUREML_MODEL_DIR (%s)" % (WEIGHTS_FILE, model_dir))


def init():
    global features, coefficients, intercept
    model_dir = os.getenv("AZUREML_MODEL_DIR")
    if not model_dir:
        raise RuntimeError("AZUREML_MODEL_DIR is not set")
    path = _find_weights(os.path.join(model_dir, ""))
    with open(path) as handle:
        weights = json.load(handle)
    features = list(weights["features"])
    coefficients = [float(c) for c in weights["coefficients"]]
    intercept = float(weights["intercept"])
    if len(coefficients) != len(features):
        raise RuntimeError("%s: %d coefficients for %d features" % (path, len(coefficients), len(features)))
    print("linear-regression: loaded %d coefficients (%s) from %s, numpy %s"
          % (len(coefficients), ", ".join(features), path, "yes" if numpy is not None else "no"))


def _rows(raw_data):
    """The request's rows as lists of floats; ValueError saying what is wrong otherwise."""
    if isinstance(raw_data, (bytes, bytearray)):
        raw_data = raw_data.decode("utf-8")
    try:
        request = json.loads(raw_data)
    except (TypeError, ValueError) as ex:
        raise ValueError("request body is not JSON (%s); expected {\"data\": [[%s], ...]}"
                         % (ex, ", ".join(features))) from None
    if not isinstance(request, dict) or "data" not in request:
        raise ValueError("request must be a JSON object with a \"data\" key: {\"data\": [[%s], ...]}"
                         % ", ".join(features))
    data = request["data"]
    if not isinstance(data, list):
        raise ValueError("\"data\" must be a list of rows, got %s" % type(data).__name__)
    rows = []
    for index, row in enumerate(data):
        if not isinstance(row, list) or len(row) != len(features):
            raise ValueError("row %d must be a list of %d numbers (%s), got %s"
                             % (index, len(features), ", ".join(features), json.dumps(row)))
        for value in row:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ValueError("row %d must hold finite numbers, got %s" % (index, json.dumps(value)))
        rows.append([float(value) for value in row])
    return rows


def run(raw_data):
    rows = _rows(raw_data)
    if numpy is not None and rows:
        predictions = (numpy.asarray(rows) @ numpy.asarray(coefficients) + intercept).tolist()
    else:
        predictions = [sum(w * x for w, x in zip(coefficients, row)) + intercept for row in rows]
    return {"predictions": predictions}
