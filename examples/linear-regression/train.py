"""Trains the example model: ordinary least squares on a synthetic data set.

The data are generated, not downloaded, so the example needs nothing but numpy and
gives the same weights on every run (seeded): y = 3.2*x0 - 1.5*x1 + 0.7*x2 + 4.0 plus
a little Gaussian noise, 1,000 rows. The fitted weights go to model/weights.json as plain
JSON, so score.py can load them with the standard library alone.

    python3 train.py            # writes model/weights.json, prints the weights and R²
"""
import json
import os

import numpy as np

SEED = 20240601
ROWS = 1000
FEATURES = ["x0", "x1", "x2"]
TRUE_COEFFICIENTS = [3.2, -1.5, 0.7]
TRUE_INTERCEPT = 4.0
NOISE = 0.1

HERE = os.path.dirname(os.path.abspath(__file__))
OUTPUT = os.path.join(HERE, "model", "weights.json")


def make_data(rng):
    """The features, uniform on [-5, 5), and the noisy target."""
    x = rng.uniform(-5.0, 5.0, size=(ROWS, len(FEATURES)))
    y = x @ np.array(TRUE_COEFFICIENTS) + TRUE_INTERCEPT + rng.normal(0.0, NOISE, size=ROWS)
    return x, y


def fit(x, y):
    """Ordinary least squares with an intercept column; returns (coefficients, intercept)."""
    design = np.column_stack([x, np.ones(len(x))])
    solution, _, _, _ = np.linalg.lstsq(design, y, rcond=None)
    return solution[:-1], solution[-1]


def r_squared(x, y, coefficients, intercept):
    residual = y - (x @ coefficients + intercept)
    return 1.0 - float(residual @ residual) / float(((y - y.mean()) ** 2).sum())


def main():
    x, y = make_data(np.random.default_rng(SEED))
    coefficients, intercept = fit(x, y)
    r2 = r_squared(x, y, coefficients, intercept)
    weights = {
        "model": "linear-regression",
        "features": FEATURES,
        "coefficients": [float(c) for c in coefficients],
        "intercept": float(intercept),
        "r2": r2,
        "rows": ROWS,
        "seed": SEED,
    }
    os.makedirs(os.path.dirname(OUTPUT), exist_ok=True)
    with open(OUTPUT, "w") as handle:
        json.dump(weights, handle, indent=2)
        handle.write("\n")
    for name, value in zip(FEATURES, coefficients):
        print("%-9s %+.6f" % (name, value))
    print("%-9s %+.6f" % ("intercept", intercept))
    print("R²        %.6f" % r2)
    print("wrote %s" % os.path.relpath(OUTPUT))


if __name__ == "__main__":
    main()
