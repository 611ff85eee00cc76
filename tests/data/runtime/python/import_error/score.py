import ads_no_such_module_for_tests


def load_model():
    return None


def predict(data, model=None):
    return data
