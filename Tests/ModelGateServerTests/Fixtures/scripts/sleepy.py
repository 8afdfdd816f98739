# Sleeps for the number of seconds in the body, then says which process answered.
import os
import time


def init():
    pass


def run(raw_data):
    time.sleep(float(raw_data or "0"))
    return {"pid": os.getpid()}
