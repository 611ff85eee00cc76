def load_model():
    return None

def predict(data, model=load_model())
    return data
