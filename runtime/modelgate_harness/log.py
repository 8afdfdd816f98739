"""The harness's own log lines.

The user's script writes to the same stdout/stderr as the harness (the server captures both
as the replica's logs), so every line the harness writes starts with a fixed prefix and is
flushed at once: a reader can always tell the harness from the user, even when the process
dies a moment later.
"""

import sys
import threading

_lock = threading.Lock()
_prefix = "[modelgate-replica]"


def set_replica_id(replica_id):
    """Names the replica in every later line, e.g. ``[modelgate-replica r-1]``."""
    global _prefix
    _prefix = "[modelgate-replica %s]" % replica_id if replica_id else "[modelgate-replica]"


def log(level, message):
    """Writes ``message`` to stderr, each of its lines prefixed and the whole flushed."""
    stream = sys.__stderr__ or sys.stderr
    lines = str(message).rstrip("\n").split("\n")
    text = "".join("%s %s: %s\n" % (_prefix, level, line) for line in lines)
    with _lock:
        try:
            stream.write(text)
            stream.flush()
        except (OSError, ValueError):
            pass


def info(message):
    log("INFO", message)


def warning(message):
    log("WARNING", message)


def error(message):
    log("ERROR", message)
