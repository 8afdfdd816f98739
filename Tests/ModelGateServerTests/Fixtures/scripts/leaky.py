# Keeps 32 MiB (touched, so resident) per request and never frees it, as a
# leaking model would; says how much it holds.
kept = []


def init():
    pass


def run(raw_data):
    block = bytearray(32 * 1024 * 1024)
    for i in range(0, len(block), 4096):
        block[i] = 1
    kept.append(block)
    return {"kept_mib": 32 * len(kept)}
