def load_model():
    return None


def predict():
    return {'prediction': None}
