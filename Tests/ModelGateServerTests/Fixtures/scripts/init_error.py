# init() raises, as when the model file is missing.
def init():
    raise RuntimeError("model file is missing")


def run(raw_data):
    return raw_data
