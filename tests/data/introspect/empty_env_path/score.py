import os
from functools import lru_cache

model_name = 'model.pkl'


@lru_cache(maxsize=10)
def load_model(model_file_name=model_name):
    return None


def predict(data, model=load_model(), input_schema_path=None):
    return {'prediction': data}
