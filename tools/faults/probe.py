"""A well-behaved scoring client in its own process: scores one request at a time for a while.

    python3 probe.py ADDRESS CREDENTIALS WORKSPACE SERVICE KEY SECONDS

Prints one JSON object: {"latencies": [seconds...], "failures": ["CODE: message", ...]}.
Running apart from the suite keeps the attackers' event loop out of its timings.
"""

import asyncio
import json
import sys
import time

from modelgate.aio import AsyncClient
from modelgate.errors import ModelGateError


async def main(address, credentials, workspace, service, key, seconds):
    latencies, failures = [], []
    async with AsyncClient(server=address, credentials_path=credentials, timeout=10) as client:
        await client.score(workspace, service, b'{"x": 0}', key=key)  # connected and warm
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            started = time.perf_counter()
            try:
                await client.score(workspace, service, b'{"x": 1}', key=key)
                latencies.append(time.perf_counter() - started)
            except ModelGateError as error:
                failures.append(f"{error.code}: {error.message}")
            await asyncio.sleep(0.002)
    print(json.dumps({"latencies": latencies, "failures": failures}))


if __name__ == "__main__":
    address, credentials, workspace, service, key, seconds = sys.argv[1:7]
    asyncio.run(main(address, credentials, workspace, service, key, float(seconds)))
