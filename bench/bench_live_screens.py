"""Live screens (issue 13 #4): how long from a package committed by one station until another station knows.

Another station's view of the workspace, without Qt: PostgreSQL's ``PgChangeListener`` (LISTEN/NOTIFY, the
GUI's listener thread) on a throw-away server, and SQLite's ``SqliteChangeProbe`` polled every 500 ms (the GUI's
timer) on a file. The writer records real packages (``domain.packing.record_package``) on orders of the demo
data, each in its own transaction; for each one the time from its commit to the notice is taken.

Floor (same run): one ``SELECT 1`` round trip on the writer's connection (PostgreSQL) — the least a notice
between two processes can cost; SQLite's notice is bounded by the poll interval (500 ms), its floor is one probe.
The target is 2 s at the window, where a tab refresh follows (``tests/test_two_stations.py`` measures that).

    .venv/bin/python bench/bench_live_screens.py [--packages 50] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("FBM_DESK_CREDENTIALS", "memory")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fbm_desk.core import build_core
from fbm_desk.db.change_feed import PgChangeListener, SqliteChangeProbe
from fbm_desk.domain.packing import record_package
from fbm_desk.foundation.paths import AppPaths
from tests.support.demo_data import generate
from tests.support.pg_server import start_server

POLL_S = 0.5


def _orders(core: Any, n: int) -> list[str]:
    rows = core.db.db.execute_sql(
        "SELECT amazon_order_id FROM orders WHERE state = 'released' AND needs_mapping = 0 "
        "AND cancel_requested = 0 ORDER BY id"
    ).fetchall()
    return [str(r[0]) for r in rows[:n]]


def _ms(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def bench_postgres(root: Path, packages: int) -> dict[str, Any]:
    server = start_server()
    try:
        url = server.create_database(prefix="live")
        core = build_core(
            AppPaths(root / "pg", root / "pg" / "logs", database_url=url)
        )  # installs the triggers
        generate(core.db.db, orders=packages * 3, seed=13)
        arrived = threading.Event()
        listener = PgChangeListener(url, lambda _t: arrived.set(), lambda _ok, _why: None)
        listener.start()
        time.sleep(0.5)  # LISTENing
        floor, latency = [], []
        for n, order in enumerate(_orders(core, packages)):
            began = time.perf_counter()
            core.db.db.execute_sql("SELECT 1")
            floor.append(time.perf_counter() - began)
            arrived.clear()
            record_package(core, order, "UPS", f"1Z999AA1{n:010d}")
            committed = time.perf_counter()
            arrived.wait(5)
            latency.append(time.perf_counter() - committed)
        listener.stop()
        core.close()
        return {"backend": "postgresql", "notice": _ms(latency), "floor_round_trip": _ms(floor)}
    finally:
        server.stop()


def bench_sqlite(root: Path, packages: int) -> dict[str, Any]:
    core = build_core(AppPaths(root / "lite", root / "lite" / "logs"))
    generate(core.db.db, orders=packages * 3, seed=13)
    probe = SqliteChangeProbe(core.db.path)  # type: ignore[arg-type]
    floor, latency = [], []
    for n, order in enumerate(_orders(core, packages)):
        began = time.perf_counter()
        probe.changed()
        floor.append(time.perf_counter() - began)
        time.sleep((n % 10) * POLL_S / 10)  # commits land anywhere in the poll interval
        record_package(core, order, "UPS", f"1Z999AA1{n:010d}")
        committed = time.perf_counter()
        next_poll = committed + (POLL_S - (committed % POLL_S))
        time.sleep(max(0.0, next_poll - time.perf_counter()))
        while not probe.changed():
            time.sleep(POLL_S)
        latency.append(time.perf_counter() - committed)
    probe.close()
    core.close()
    return {"backend": "sqlite", "notice": _ms(latency), "floor_probe": _ms(floor)}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--packages", type=int, default=50)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rows = [bench_postgres(Path(tmp), args.packages), bench_sqlite(Path(tmp), args.packages)]
    if args.json:
        print(json.dumps(rows))
    else:
        for row in rows:
            floor = row.get("floor_round_trip") or row.get("floor_probe")
            notice = row["notice"]
            print(
                f"{row['backend']:>10}: commit -> notice p50 {notice['p50_ms']} ms, p95 {notice['p95_ms']} ms, "
                f"max {notice['max_ms']} ms (floor p50 {floor['p50_ms']} ms; target 2000 ms at the window)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
