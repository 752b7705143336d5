"""One packing station of ``bench_workspace.py`` (a process of its own, with its own data folder).

workspace_station.py pack --data DIR [--url URL] --orders FILE --start N --count N --station N --out FILE
    records a package (every unit still to ship) for each of ``count`` orders of FILE from ``start``
    (wrapping around), timing each save; an order another station packed first is refused (InvalidInput:
    counted, not an error). Writes {"saves_ms": [...], "recorded": n, "refused": n, "errors": [...]}.
workspace_station.py schedule --data DIR --url URL --scale S
    runs the app's job runner and scheduler headless (QCoreApplication) at ``S`` times the real pace and
    prints one JSON line per job start: {"event": "job", "store": id, "kind": k, "t": epoch seconds}.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fbm_desk.core import build_core
from fbm_desk.foundation.errors import InvalidInput
from fbm_desk.foundation.paths import AppPaths


def _paths(data: str, url: str | None) -> AppPaths:
    root = Path(data)
    return AppPaths(data_dir=root, log_dir=root / "logs", database_url=url or None).ensure()


def pack(args: argparse.Namespace) -> None:
    from fbm_desk.domain.packing import record_package

    orders: list[str] = json.loads(Path(args.orders).read_text())
    core = build_core(_paths(args.data, args.url))
    saves: list[float] = []
    recorded = refused = 0
    errors: list[str] = []
    try:
        for n in range(args.count):
            order_id = orders[(args.start + n) % len(orders)]
            tracking = f"1Z{args.station:02d}{n:014d}"
            started = time.perf_counter()
            try:
                record_package(None, order_id, "UPS", tracking)
                recorded += 1
                saves.append((time.perf_counter() - started) * 1000)
            except InvalidInput:
                refused += 1  # another station packed it first: the loser's clear message
            except Exception as exc:  # reported by the bench
                errors.append(f"{order_id}: {type(exc).__name__}: {exc}")
    finally:
        core.close()
    Path(args.out).write_text(
        json.dumps({"saves_ms": saves, "recorded": recorded, "refused": refused, "errors": errors})
    )


def schedule(args: argparse.Namespace) -> None:
    from PySide6.QtCore import QCoreApplication

    from fbm_desk.sync.runner import JobRunner
    from fbm_desk.sync.scheduler import SyncScheduler

    app = QCoreApplication([])
    core = build_core(_paths(args.data, args.url))
    runner = JobRunner(core)
    scheduler = SyncScheduler(runner, time_scale=args.scale)

    def started(store_id: int, kind: str) -> None:
        line = {"event": "job", "store": store_id, "kind": kind, "t": time.time(), "pid": os.getpid()}
        print(json.dumps(line), flush=True)

    runner.job_started.connect(started)
    scheduler.start()
    print(json.dumps({"event": "ready", "t": time.time()}), flush=True)
    app.exec()


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="mode", required=True)
    p = sub.add_parser("pack")
    p.add_argument("--data", required=True)
    p.add_argument("--url", default="")
    p.add_argument("--orders", required=True)
    p.add_argument("--start", type=int, default=0)
    p.add_argument("--count", type=int, default=250)
    p.add_argument("--station", type=int, default=1)
    p.add_argument("--out", required=True)
    s = sub.add_parser("schedule")
    s.add_argument("--data", required=True)
    s.add_argument("--url", required=True)
    s.add_argument("--scale", type=float, default=600.0)
    args = parser.parse_args()
    (pack if args.mode == "pack" else schedule)(args)


if __name__ == "__main__":
    main()
