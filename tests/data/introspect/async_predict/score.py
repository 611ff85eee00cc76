def load_model():
    return None


async def predict(data):
    return {'prediction': data}
