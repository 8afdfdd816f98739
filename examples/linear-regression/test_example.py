"""The example scores what its README says: score.py loaded as the harness loads it.

    python3 -m pytest -q -p no:cacheprovider examples
"""
import importlib.util
import json
import os

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL_DIR = os.path.join(HERE, "model")


def load_score(monkeypatch, model_dir):
    """A fresh score module (its own globals) with init() run against model_dir."""
    monkeypatch.setenv("AZUREML_MODEL_DIR", model_dir)
    spec = importlib.util.spec_from_file_location("linear_regression_score", os.path.join(HERE, "score.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.init()
    return module


def weights():
    with open(os.path.join(MODEL_DIR, "weights.json")) as handle:
        return json.load(handle)


def sample_request():
    with open(os.path.join(HERE, "sample-request.json")) as handle:
        return handle.read()


def expected(rows):
    model = weights()
    return [sum(w * x for w, x in zip(model["coefficients"], row)) + model["intercept"] for row in rows]


@pytest.mark.parametrize("model_dir", [MODEL_DIR, HERE], ids=["model folder", "parent folder"])
def test_sample_request_scores_with_the_trained_weights(monkeypatch, model_dir):
    score = load_score(monkeypatch, model_dir)

    answer = score.run(sample_request())

    rows = json.loads(sample_request())["data"]
    assert len(rows) == 3
    assert answer["predictions"] == pytest.approx(expected(rows), abs=1e-9)


def test_pure_python_path_matches_numpy_path(monkeypatch):
    score = load_score(monkeypatch, MODEL_DIR)
    with_numpy = score.run(sample_request())["predictions"]

    monkeypatch.setattr(score, "numpy", None)
    without_numpy = score.run(sample_request().encode())["predictions"]

    assert without_numpy == pytest.approx(with_numpy, abs=1e-9)


def test_readme_shows_the_real_response(monkeypatch):
    score = load_score(monkeypatch, MODEL_DIR)

    predictions = score.run(sample_request())["predictions"]

    with open(os.path.join(HERE, "README.md")) as handle:
        shown = [json.loads(line) for line in handle if line.startswith('{"predictions":')]
    assert len(shown) == 1
    assert shown[0]["predictions"] == pytest.approx(predictions, abs=1e-9)


def test_the_weights_are_close_to_the_generating_model():
    model = weights()
    assert model["features"] == ["x0", "x1", "x2"]
    assert model["coefficients"] == pytest.approx([3.2, -1.5, 0.7], abs=0.01)
    assert model["intercept"] == pytest.approx(4.0, abs=0.01)
    assert model["r2"] > 0.999


@pytest.mark.parametrize("body, message", [
    ("not json", "request body is not JSON"),
    ('{"rows": [[1, 2, 3]]}', 'with a "data" key'),
    ('{"data": 5}', '"data" must be a list of rows'),
    ('{"data": [[1, 2]]}', "row 0 must be a list of 3 numbers (x0, x1, x2)"),
    ('{"data": [[1, 2, 3], [1, "x", 3]]}', "row 1 must hold finite numbers"),
    ('{"data": [[1, 2, true]]}', "row 0 must hold finite numbers"),
])
def test_malformed_input_raises_value_error(monkeypatch, body, message):
    score = load_score(monkeypatch, MODEL_DIR)

    with pytest.raises(ValueError) as raised:
        score.run(body)

    assert message in str(raised.value)


def test_missing_weights_fail_init(monkeypatch, tmp_path):
    with pytest.raises(FileNotFoundError, match="no weights.json under AZUREML_MODEL_DIR"):
        load_score(monkeypatch, str(tmp_path))
