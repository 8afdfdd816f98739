"""The fault-injection suite (issue 8): runs every scenario against the real binary, prints a table.

    python3 tools/faults/faults.py --bin .build/debug/modelgate            # the short form (CI)
    python3 tools/faults/faults.py --bin .build/release/modelgate --long   # the long form, by hand
    python3 tools/faults/faults.py --only crash --only disk                # some scenarios

Exit status: 0 every invariant held, 1 one broke, 2 the suite could not run.
Everything runs on loopback with temporary data directories; every process the
suite started is killed when it ends, also on Ctrl-C, on its own failure and at
the hard time limit.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import signal
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import crash  # noqa: E402
import disk  # noqa: E402
import fixtures  # noqa: E402
import flood  # noqa: E402
import replicas  # noqa: E402
import shutdown  # noqa: E402
from harness import Reaper, Row, become_subreaper, temp_root, unmount_below  # noqa: E402


@dataclass(frozen=True)
class Profile:
    """The counts of one form of the suite."""

    kills_per_kind: int
    replica_load_seconds: float
    connections: int
    flood_seconds: float
    memory_bound_mib: int
    time_limit: float
    flood_burst: int  # bad keys per burst; a rapid-reset connection opens and cancels 10x as many streams


SHORT = Profile(kills_per_kind=5, replica_load_seconds=4, connections=500, flood_seconds=3, memory_bound_mib=512,
                time_limit=170, flood_burst=40)
LONG = Profile(kills_per_kind=50, replica_load_seconds=20, connections=5000, flood_seconds=15, memory_bound_mib=1024,
               time_limit=1800, flood_burst=200)

SCENARIOS = ["crash", "replicas", "flood", "disk", "shutdown"]


async def run_all(args, profile: Profile, root: Path, rows: list[Row]) -> None:
    binary = Path(args.bin).resolve()
    deadline = time.monotonic() + profile.time_limit
    rng = random.Random(args.seed)
    scripts = fixtures.Scripts(root / "src")
    chosen = args.only or SCENARIOS

    async def guarded(name: str, make):
        try:
            result = await make()
            rows.extend(result if isinstance(result, list) else [result])
        except Exception as error:  # noqa: BLE001 - a scenario that cannot run is a failure row, not a crash
            row = Row(name=name)
            row.problems.append(f"could not run: {type(error).__name__}: {error}")
            if args.verbose:
                traceback.print_exc()
            rows.append(row)
        finally:
            Reaper().kill_all()
        print_row(rows[-1])

    if "crash" in chosen:
        for kind in crash.KINDS:
            if args.crash_kind and kind.name not in args.crash_kind:
                continue
            await guarded(f"crash: {kind.name}",
                          lambda kind=kind: crash.run_kind(kind, binary, root, profile.kills_per_kind, scripts, rng,
                                                           deadline))
    if "replicas" in chosen:
        for scenario in replicas.SCENARIOS:
            await guarded(f"replicas: {scenario.__name__}",
                          lambda scenario=scenario: scenario(binary, root, scripts, profile))
    if "flood" in chosen:
        await guarded("flood", lambda: flood.run(binary, root, scripts, profile))
    if "disk" in chosen:
        await guarded("disk full", lambda: disk.run(binary, root, scripts, profile))
    if "shutdown" in chosen:
        await guarded("graceful shutdown", lambda: shutdown.run(binary, root, scripts, profile))


COLUMNS = ["scenario", "ops", "faults", "failures allowed", "seen", "result", "figures"]


def print_row(row: Row) -> None:
    print(f"  {row.result:4}  {row.name}: ops {row.operations}, faults {row.faults}, failures {row.seen} "
          f"(allowed {row.allowed}) {row.figures}", file=sys.stderr, flush=True)
    for problem in row.problems:
        print(f"        - {problem}", file=sys.stderr, flush=True)


def table(rows: list[Row]) -> str:
    lines = [[r.name, str(r.operations), str(r.faults), r.allowed, str(r.seen),
              r.result if not r.skipped else f"SKIP ({r.skipped})", r.figures] for r in rows]
    widths = [max(len(c), *(len(line[i]) for line in lines)) if lines else len(c) for i, c in enumerate(COLUMNS)]
    out = ["| " + " | ".join(c.ljust(w) for c, w in zip(COLUMNS, widths)) + " |",
           "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += ["| " + " | ".join(c.ljust(w) for c, w in zip(line, widths)) + " |" for line in lines]
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default=os.environ.get("MODELGATE_BIN", ".build/debug/modelgate"))
    parser.add_argument("--long", action="store_true", help="the long form: 50 kills per kind, 5,000 connections")
    parser.add_argument("--only", action="append", choices=SCENARIOS, help="run only this scenario (repeatable)")
    parser.add_argument("--crash-kind", action="append", choices=[k.name for k in crash.KINDS],
                        help="with the crash scenario, only this kind of write (repeatable)")
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--time-limit", type=float, help="hard limit in seconds for the whole suite")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (server logs)")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    profile = LONG if args.long else SHORT
    if args.time_limit:
        profile = Profile(**{**profile.__dict__, "time_limit": args.time_limit})
    if not Path(args.bin).is_file():
        print(f"error: no modelgate binary at {args.bin} (build it with `swift build --product modelgate`)",
              file=sys.stderr)
        return 2
    become_subreaper()
    root = temp_root()
    rows: list[Row] = []
    reaper = Reaper()

    def on_signal(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    def on_alarm(_signum, _frame):
        # The hard limit: the scenarios watch their own deadline; this ends a hang, whatever hung.
        print(f"error: the suite's hard time limit ({profile.time_limit + 60:.0f} s) passed; stopping", file=sys.stderr)
        reaper.kill_all()
        unmount_below(root)
        print(table(rows))
        os._exit(2)

    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(int(profile.time_limit + 60))
    form = "long" if args.long else "short"
    print(f"fault-injection suite ({form} form, seed {args.seed}, {args.bin}, work in {root})", file=sys.stderr)
    started = time.monotonic()
    status = 0
    try:
        asyncio.run(run_all(args, profile, root, rows))
    except KeyboardInterrupt as stop:
        print(f"stopped: {stop}", file=sys.stderr)
        status = 2
    finally:
        signal.alarm(0)
        reaper.kill_all()
        unmount_below(root)
    print(table(rows))
    print(f"{len(rows)} scenarios, {sum(r.result == 'PASS' for r in rows)} passed, "
          f"{sum(r.result == 'FAIL' for r in rows)} failed, {sum(r.result == 'SKIP' for r in rows)} skipped "
          f"in {time.monotonic() - started:.0f} s")
    failed = [r for r in rows if r.result == "FAIL"]
    for row in failed:
        print(f"FAIL {row.name}:")
        for problem in row.problems:
            print(f"  - {problem}")
    if args.keep or failed:
        print(f"logs kept in {root}", file=sys.stderr)
    else:
        shutil.rmtree(root, ignore_errors=True)
    if status:
        return status
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
