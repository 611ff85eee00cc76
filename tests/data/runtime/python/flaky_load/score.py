# load_model() works only while the file "allow_load" sits next to score.py,
# so a test can make the restart of a crashed worker fail, then succeed.
import os

HERE = os.path.dirname(os.path.realpath(__file__))


def load_model():
    if not os.path.exists(os.path.join(HERE, "allow_load")):
        raise RuntimeError("allow_load is missing")
    return "model"


def predict(data, model=None):
    if data == "crash":
        os._exit(9)
    return {"prediction": model}
