def predict(data, model=None):
    return {'prediction': data}
