def init():
    pass


def run(raw_data):
    if raw_data == "boom":
        raise ValueError("cannot score boom")
    return "ok"
