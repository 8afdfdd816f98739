"""The ModelGate replica harness: runs a user's Azure-style ``score.py`` behind a Unix socket.

Only the Python standard library is used, so the harness runs in any environment the
user's packages were installed into. ``modelgate_replica.py`` (next to this package) is the
entry point; ``PROTOCOL.md`` describes the frames exchanged with the server.
"""

HARNESS_VERSION = "1"
