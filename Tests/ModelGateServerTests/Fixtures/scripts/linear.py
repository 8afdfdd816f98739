# A linear model as Azure's tutorials write one: weights loaded once in init()
# from AZUREML_MODEL_DIR, then run() predicts for {"data": [[x1, x2, ...], ...]}.
import json
import os

weights = None
bias = 0.0


def init():
    global weights, bias
    path = os.path.join(os.getenv("AZUREML_MODEL_DIR"), "model", "linear.json")
    with open(path) as handle:
        model = json.load(handle)
    weights = model["weights"]
    bias = model["bias"]
    print("linear score.py: loaded %d weights from %s" % (len(weights), path))


def run(raw_data):
    rows = json.loads(raw_data)["data"]
    return {"predictions": [sum(w * x for w, x in zip(weights, row)) + bias for row in rows]}
