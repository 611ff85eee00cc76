# An ADS-style score.py (the shape of ADS's score_scikit-learn template): the
# model is loaded with joblib next to this file, JSON payloads are lists of
# rows, {"data": ..., "data_type": ...} wrappers or column dicts.
import os
from functools import lru_cache

import joblib
import numpy as np
import pandas as pd

model_name = "model.joblib"


@lru_cache(maxsize=10)
def load_model(model_file_name=model_name):
    model_dir = os.path.dirname(os.path.realpath(__file__))
    if model_file_name in os.listdir(model_dir):
        return joblib.load(os.path.join(model_dir, model_file_name))
    raise Exception(f"{model_file_name} is not found in model directory {model_dir}")


def deserialize(data):
    if isinstance(data, bytes):
        return data
    json_data = data.get("data", data) if isinstance(data, dict) else data
    if isinstance(json_data, dict):
        return pd.DataFrame.from_dict(json_data).values
    return np.array(json_data)


def predict(data, model=load_model()):
    yhat = model.predict(deserialize(data))
    return {"prediction": yhat.tolist()}
