# Test setup: trains a small iris classifier into the artifact dir given as
# argv[1] (model.joblib), and writes expected.json with input rows and the
# predictions this same python computes directly, for the C++ test to compare.
import json
import os
import sys

import joblib
import numpy as np
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

out = sys.argv[1]
X, y = load_iris(return_X_y=True)
model = LogisticRegression(max_iter=1000).fit(X, y)
joblib.dump(model, os.path.join(out, "model.joblib"))

rng = np.random.default_rng(7)
rows = np.round(X[::5] + rng.normal(0.0, 0.4, X[::5].shape), 2)
with open(os.path.join(out, "expected.json"), "w") as f:
    json.dump({"rows": rows.tolist(), "prediction": model.predict(rows).tolist()}, f)
