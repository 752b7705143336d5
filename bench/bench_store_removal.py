"""Removing a big store while another station writes: how long the write lock is held, and what the writer sees.

    .venv/bin/python bench/bench_store_removal.py [--orders 200000] [--data-dir DIR]

Two copies of one data folder (``--data-dir``: never written itself; default: a folder generated with
``tests/support/demo_data.generate``, whose orders are split over two stores). On each copy the store with the
most orders is removed while a second thread writes the way packing does: one short ``BEGIN IMMEDIATE``
transaction every 50 ms on its own connection. First as the app did before issue 19's removal in steps (the
floor: the same deletion as one transaction, ``delete_store``), then as it does now (``remove_store``: marked,
then a few hundred orders per transaction). Printed for each: the removal's time, its longest transaction (how
long it held the write lock at once), and the writer's longest wait and its failures ("database is locked" after
the connection's 10 s busy timeout).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("FBM_DESK_CREDENTIALS", "file")  # a generated key must open the copies too
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

WRITE_EVERY_S = 0.05


class Writer(threading.Thread):
    """A packing station's writes: short transactions on its own connection, each timed from start to commit."""

    def __init__(self, store_id: int) -> None:
        super().__init__(daemon=True)
        self.store_id = store_id
        self.stop = threading.Event()
        self.waits: list[float] = []
        self.failed = 0

    def run(self) -> None:
        from fbm_desk.db import dialect
        from fbm_desk.db.transactions import close_thread_connection, transaction

        while not self.stop.is_set():
            started = time.perf_counter()
            try:
                with transaction(immediate=True):
                    dialect.execute(
                        "UPDATE store SET status_message = status_message WHERE id = ?", [self.store_id]
                    )
            except Exception:  # "database is locked" after the busy timeout: what a packer would see
                self.failed += 1
            self.waits.append(time.perf_counter() - started)
            self.stop.wait(WRITE_EVERY_S)
        close_thread_connection()


def run_case(source: Path, label: str, remove: Callable[[object, int], list[float]]) -> float:
    """Copy ``source``, remove its biggest store with ``remove`` while a writer writes; print; returns seconds."""
    from fbm_desk.core import build_core
    from fbm_desk.db import dialect
    from fbm_desk.foundation.paths import AppPaths

    copy = Path(tempfile.mkdtemp(prefix="fbm-bench-removal-"))
    try:
        shutil.copytree(source, copy, dirs_exist_ok=True, ignore=shutil.ignore_patterns("backups", "logs"))
        core = build_core(AppPaths(data_dir=copy, log_dir=copy / "logs"))
        store_id, orders = dialect.execute(
            "SELECT store_id, count(*) FROM orders GROUP BY store_id ORDER BY 2 DESC LIMIT 1"
        ).fetchone()
        other = dialect.execute("SELECT id FROM store WHERE id <> ? ORDER BY id", [store_id]).fetchone()
        writer = Writer(int(other[0]) if other else int(store_id))
        writer.start()
        time.sleep(0.5)  # the writer's usual wait, before the removal starts
        started = time.perf_counter()
        steps = remove(core, int(store_id))
        took = time.perf_counter() - started
        time.sleep(0.2)
        writer.stop.set()
        writer.join()
        core.close()
        waits = sorted(writer.waits)
        print(
            f"{label:34} {orders:>9,} orders in {took:6.1f} s ({took / orders * 1000:.2f} ms/order); "
            f"{len(steps):,} transaction(s), longest {max(steps) * 1000:,.0f} ms, "
            f"median {statistics.median(steps) * 1000:,.0f} ms | writer: {len(waits)} writes, "
            f"longest wait {waits[-1] * 1000:,.0f} ms, median {statistics.median(waits) * 1000:.1f} ms, "
            f"{writer.failed} failed (busy)"
        )
        return took
    finally:
        shutil.rmtree(copy, ignore_errors=True)


def one_transaction(_core: object, store_id: int) -> list[float]:
    from fbm_desk.db.stores import delete_store
    from fbm_desk.db.transactions import transaction

    started = time.perf_counter()
    with transaction(immediate=True):
        delete_store(store_id)
    return [time.perf_counter() - started]


def in_steps(core: object, store_id: int) -> list[float]:
    from fbm_desk.db import store_removal
    from fbm_desk.domain.stores import remove_store

    steps: list[float] = []
    real_step = store_removal.remove_step

    def timed(sid: int, limit: int, after: store_removal.Step | None) -> store_removal.Step:
        started = time.perf_counter()
        try:
            return real_step(sid, limit, after)
        finally:
            steps.append(time.perf_counter() - started)

    store_removal.remove_step = timed  # type: ignore[assignment]
    try:
        remove_store(core, store_id)  # type: ignore[arg-type]
    finally:
        store_removal.remove_step = real_step  # type: ignore[assignment]
    return steps


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--orders", type=int, default=200_000)
    parser.add_argument("--data-dir", type=Path, help="a data folder to copy (never written itself)")
    args = parser.parse_args()
    source = args.data_dir
    if source is None:
        from fbm_desk.core import build_core
        from fbm_desk.foundation.paths import AppPaths
        from tests.support.demo_data import generate

        source = Path(tempfile.mkdtemp(prefix="fbm-bench-removal-source-"))
        core = build_core(AppPaths(data_dir=source, log_dir=source / "logs"))
        started = time.perf_counter()
        generate(core.db.db, orders=args.orders, seed=42)
        core.db.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        core.close()
        print(f"generated {args.orders:,} orders in {time.perf_counter() - started:.1f} s ({source})")
    floor = run_case(source, "one transaction (before)", one_transaction)
    stepped = run_case(source, "in steps (now)", in_steps)
    print(f"in steps / one transaction: {stepped / floor:.2f}x the time")
    return 0


if __name__ == "__main__":
    sys.exit(main())
