def load_model():
    return None


def predict(data, other):
    return {'prediction': data}
