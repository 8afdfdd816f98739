# init() takes longer than a test's startup timeout.
import time


def init():
    time.sleep(30)


def run(raw_data):
    return raw_data
