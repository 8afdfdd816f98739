import time


def init():
    pass


def run(raw_data):
    time.sleep(float(raw_data or "0.2"))
    return "done"
