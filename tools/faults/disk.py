"""Scenario 4: the data directory on a small tmpfs that fills up.

With the disk full, control-plane writes (workspace, model registration, key
regeneration, deployment) fail with RESOURCE_EXHAUSTED and a message saying
why, reads keep answering, scoring keeps working; after the space is freed the
same writes succeed, a new deployment gets Healthy, and the database passes
integrity_check. Needs root (mount); skipped otherwise.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from modelgate.errors import ModelGateError
from modelgate.v1 import auth_pb2

import fixtures
from harness import Row, integrity_check, make_server

WS = "disk"
SIZE_MIB = 24


def fill(path: Path) -> int:
    """Writes path until the file system is full; returns the bytes written."""
    written = 0
    block = b"\0" * (1 << 16)
    with open(path, "wb", buffering=0) as handle:
        while True:
            try:
                written += handle.write(block)
            except OSError:
                break
    try:
        os.truncate(path, written)
    except OSError:
        pass
    return written


async def writes(client, model_dir: Path, inference, model: str, tag: str) -> dict[str, object]:
    """Each control-plane write: its result, or the ModelGateError it raised."""
    results: dict[str, object] = {}
    calls = {
        "create workspace": lambda: client.create_workspace(f"disk-{tag}", "westeurope"),
        "register model": lambda: client.register_model(WS, f"m-{tag}", str(model_dir)),
        "regen key": lambda: client.regen_key(WS, "echo", auth_pb2.KEY_TYPE_SECONDARY),
        "deploy": lambda: client.deploy(WS, f"svc-{tag}", [model], inference,
                                        fixtures.aks_config("aks", num_replicas=1, cpu_cores=0.1, memory_gb=0.1)),
    }
    for name, call in calls.items():
        try:
            results[name] = await call()
        except ModelGateError as error:
            results[name] = error
    return results


async def score_many(client, key: str, count: int) -> list[str]:
    failures = []
    for i in range(count):
        try:
            await client.score(WS, "echo", f'{{"i": {i}}}'.encode(), key=key, timeout=10)
        except ModelGateError as error:
            failures.append(f"{error.code}: {error.message}")
    return failures


async def run(binary: Path, root: Path, scripts: fixtures.Scripts, profile) -> Row:
    row = Row(name=f"disk full ({SIZE_MIB} MiB tmpfs)", allowed="writes while full")
    mount = root / "disk-mnt"
    mount.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={SIZE_MIB}m", "tmpfs", str(mount)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        row.skipped = f"cannot mount a tmpfs: {mounted.stderr.strip()[:80]}"
        return row
    server = make_server(binary, root, "disk", data_dir=mount / "data")
    try:
        server.start()
        client = fixtures.client_for(server.address, server.credentials)
        model_dir = root / "disk" / "model"
        model = await fixtures.prepare_workspace(client, WS, model_dir)
        big = root / "disk" / "big"
        big.mkdir(parents=True, exist_ok=True)
        (big / "weights.bin").write_bytes(os.urandom(512 * 1024))
        inference = scripts.inference("echo", fixtures.ECHO)
        await fixtures.deploy_and_wait(client, WS, "echo", model, inference,
                                       fixtures.aks_config("aks", num_replicas=1, cpu_cores=0.1, memory_gb=0.1))
        key = (await client.get_keys(WS, "echo")).primary_key

        filler = mount / "filler"
        filled = fill(filler)
        row.faults = 1
        full = await writes(client, big, inference, model, "full")
        row.operations += len(full)
        for name, result in full.items():
            if isinstance(result, ModelGateError):
                row.seen += 1
                row.check(result.code == "RESOURCE_EXHAUSTED" and ("space" in result.message or "full" in result.message),
                          f"{name} on a full disk answered {result.code}: {result.message}")
            else:
                row.problems.append(f"{name} succeeded on a full disk (it must have written nothing)")
        try:
            await client.get_service(WS, "echo")
            await client.list_models(WS)
        except ModelGateError as error:
            row.problems.append(f"a read failed on a full disk: {error.code}: {error.message}")
        failures = await score_many(client, key, 50)
        row.operations += 50
        row.check(not failures, f"scoring failed on a full disk: {failures[:3]}")

        filler.unlink()
        freed = await writes(client, big, inference, model, "freed")
        row.operations += len(freed)
        for name, result in freed.items():
            row.check(not isinstance(result, ModelGateError),
                      f"{name} still failed after space was freed: {result}")
        if not isinstance(freed.get("deploy"), ModelGateError):
            try:
                await fixtures.wait_state(client, WS, "svc-freed", timeout=60)
            except TimeoutError as error:
                row.problems.append(f"after space was freed: {error}")
        if not isinstance(freed.get("regen key"), ModelGateError):
            key = (await client.get_keys(WS, "echo")).primary_key
        failures = await score_many(client, key, 20)
        row.operations += 20
        row.check(not failures, f"scoring failed after space was freed: {failures[:3]}")
        await client.close()
        alive = server.process is not None and server.process.poll() is None
        row.check(alive, "the server exited while the disk was full")
        server.stop()
        check = integrity_check(server.database)
        row.check(check == "ok", f"integrity_check after the disk filled: {check}")
        row.figures = f"filled {filled // 1024} KiB free space; integrity {check}"
    finally:
        server.stop()
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)
    return row
