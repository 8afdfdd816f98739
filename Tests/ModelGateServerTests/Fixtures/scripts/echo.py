# Echoes the request body back; prints at init so the logs have a known line.
def init():
    print("echo score.py: init done", flush=True)


def run(raw_data):
    print("echo score.py: scored %d characters" % len(raw_data))
    return raw_data
