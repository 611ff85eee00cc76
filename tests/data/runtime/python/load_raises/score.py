import os


def load_model(model_file_name="model.pkl"):
    model_dir = os.path.dirname(os.path.realpath(__file__))
    raise Exception(f"{model_file_name} is not found in model directory {model_dir}")


def predict(data, model=None):
    return data
