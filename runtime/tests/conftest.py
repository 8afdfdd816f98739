import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from fake_server import FakeServer  # noqa: E402


@pytest.fixture
def start():
    """Starts a harness against a script in ``scripts/``; everything is torn down after the test."""
    servers = []

    def _start(script, **kwargs):
        server = FakeServer(script, **kwargs)
        servers.append(server)
        return server

    yield _start
    for server in servers:
        server.close()
