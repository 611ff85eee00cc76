# score.py 1.0 in the shape ADS generates for scikit-learn models (score_scikit-learn):
# the model is loaded once at import, predict() deserializes the JSON payload the way
# ADS's deserialize() does and returns {"prediction": ...}. Used by bench/serving/run.sh
# as the "ADS way" peer; not part of ads.
import json
import os
from functools import lru_cache

import joblib
import numpy as np
import pandas as pd

model_name = "model.joblib"


@lru_cache(maxsize=10)
def load_model(model_file_name=model_name):
    model_dir = os.path.dirname(os.path.realpath(__file__))
    path = os.path.join(model_dir, model_file_name)
    if not os.path.exists(path):
        raise Exception(f"{model_file_name} is not found in model directory {model_dir}")
    return joblib.load(path)


def deserialize(data):
    if isinstance(data, bytes):
        return data
    if isinstance(data, dict):
        data_type = data.get("data_type", "")
        json_data = data.get("data", data)
        if "pandas.core.series.Series" in data_type:
            return pd.Series(json_data)
        if "pandas.core.frame.DataFrame" in data_type or isinstance(json_data, str):
            return pd.read_json(json_data)
        if isinstance(json_data, dict):
            return pd.DataFrame.from_dict(json_data)
        return json_data
    return data


def pre_inference(data):
    return deserialize(data)


def post_inference(yhat):
    if isinstance(yhat, pd.DataFrame):
        yhat = yhat.values
    if isinstance(yhat, np.ndarray):
        yhat = yhat.tolist()
    return yhat


def predict(data, model=load_model()):
    features = pre_inference(data)
    # The same two answers ads and the onnxruntime peer return: labels and probabilities.
    labels = model.predict(features)
    probabilities = model.predict_proba(features)
    return {"prediction": [post_inference(labels), post_inference(probabilities)]}
