def init():
    print("echo init")


def run(raw_data):
    return raw_data
