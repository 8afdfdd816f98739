# Sleeps for the number of seconds in the body, then says which process
# answered and when run() started and ended (on the process's monotonic clock).
import os
import time


def init():
    pass


def run(raw_data):
    start = time.monotonic()
    time.sleep(float(raw_data or "0"))
    return {"pid": os.getpid(), "start": start, "end": time.monotonic()}
