def load_model():
    return None


def predict(x, data=None):
    return {'prediction': x}
