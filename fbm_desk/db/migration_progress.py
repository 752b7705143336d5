"""How far a migration has got, handed from the thread that migrates to the one that shows it (issue 19).

At a million orders an upgrade takes minutes (page check, backup, steps that rebuild whole tables, compaction);
``ui/upgrade_window.py`` shows where it is. ``connection.open_database`` reports each stage to a
``MigrationProgress`` it is given (none given: the CLI and tests, which nobody watches), and the window reads a
``Snapshot`` of it on its own timer: a lock guards the one frozen value both threads touch, so the migrating
thread never touches the window and the window never waits for SQLite.

What each stage's number measures:
- the page check (``quick_check``): nothing (SQLite reports no progress for it);
- the backup: pages copied of the file's pages (SQLite's online backup, ``copy_backup``, in chunks);
- the steps: step k of the m pending ones; within a step, its statements run, and a table rebuilt in Python
  (``table_rebuild.py``) reports its rows copied and its indexes built;
- the compaction (``VACUUM``): nothing, again; ``compact_after_migrating`` also decides whether it runs.

``Snapshot.percent`` is the whole upgrade, each stage and step weighted by its share of the time measured on
200,000 orders (``STAGE_SHARE``, ``STEP_SECONDS``): an estimate, never going backwards, 100 when done.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from dataclasses import dataclass, replace
from enum import StrEnum

log = logging.getLogger(__name__)

COMPACT_FREE_SHARE = 0.25  # a migration that leaves this share of the file's pages free compacts the file
BACKUP_PAGES_PER_CHUNK = 4096  # 16 MB at 4 KB pages: ~150 chunks for a 2.4 GB file, each a Python call


class Stage(StrEnum):
    CHECKING = "checking"
    BACKING_UP = "backing up"
    UPDATING = "updating"
    COMPACTING = "compacting"
    ENCRYPTING = "encrypting"  # a file older than the encryption of buyer data: sealed once, after migrating
    DONE = "done"


# Share of the whole upgrade each stage took on 200,000 orders from the session-4 schema (two runs, 35-48 s: check
# 3%, backup 5-6%, steps 67-76%, compaction 15-24%; at a million: 160 s of the first three + 42 s of compaction).
STAGE_SHARE = {
    Stage.CHECKING: 0.04,
    Stage.BACKING_UP: 0.08,
    Stage.UPDATING: 0.68,
    Stage.COMPACTING: 0.20,
    Stage.ENCRYPTING: 0.0,  # only for files older than the encryption: not measured, shown as busy
}
# Seconds a step took on those 200,000 orders; a step not listed (most add a column or a small table) counts half
# a second.
STEP_SECONDS = {
    "schema_sort_keys.sql": 6.3,
    "schema_stock_allocation.sql": 0.5,
    "schema_compact.sql": 6.0,
    "schema_cascade_indexes.sql": 0.2,
    "schema_outbox_done.sql": 0.6,
    "schema_package_times.sql": 2.5,
    "schema_pii_binary.sql": 14.0,
}
# What each step does, as a user reads it ("Updating: step 3 of 8 — <this>").
STEP_NAMES = {
    "schema_v1.sql": "the first schema",
    "schema_v2.sql": "indexes for the order list",
    "schema_v3.sql": "indexes for searching and sorting orders",
    "schema_v4.sql": "which process runs a sync",
    "schema_v5.sql": "an index for stock allocation",
    "schema_stock_drift.sql": "Amazon's own stock quantities",
    "schema_sync_run_process.sql": "which process runs a sync, precisely",
    "schema_job_locks.sql": "one job of a store at a time",
    "schema_order_details.sql": "cancellation requests and address details",
    "schema_rules.sql": "automation rules and holds",
    "schema_bins_low_stock.sql": "bin locations and low-stock levels",
    "schema_rules_speed.sql": "faster rules during imports",
    "schema_packing_queue.sql": "the packing station",
    "schema_warehouses.sql": "several warehouses",
    "schema_listing_images.sql": "product pictures",
    "schema_stock_summary.sql": "the Inventory tab's table",
    "schema_stations.sql": "who packed and adjusted what",
    "schema_privacy.sql": "buyer data protection",
    "schema_buy_shipping.sql": "Buy Shipping",
    "schema_workspace_sync.sql": "the shared workspace",
    "schema_order_list_scale.sql": "order list sorts kept on each order",
    "schema_storage.sql": "smaller indexes for a million orders",
    "schema_sort_keys.sql": "the order list's date indexes, rebuilt smaller",
    "schema_stock_allocation.sql": "the units each open order holds, kept per product",
    "schema_compact.sql": "the timeline and the name index, rebuilt smaller",
    "schema_cascade_indexes.sql": "an index that makes removing a store fast",
    "schema_store_removal.sql": "removing a store in steps",
    "schema_outbox_done.sql": "confirmed packages' queue entries removed",
    "schema_package_times.sql": "the packages, rebuilt smaller",
    "schema_pii_binary.sql": "the orders, rebuilt with buyer details a third smaller",
}


def step_name(step: str) -> str:
    """What a migration step does in plain words; a step without one is named by its file."""
    return STEP_NAMES.get(step, step.removeprefix("schema_").removesuffix(".sql").replace("_", " "))


@dataclass(frozen=True)
class Snapshot:
    """Where the migration is, as the window shows it. ``stage_percent`` is the stage's own measure (None: SQLite
    gives none); ``percent`` the whole upgrade (an estimate by measured shares)."""

    stage: Stage | None = None  # None: not started
    stage_percent: int | None = None
    percent: int = 0
    step: int = 0  # k of ``steps`` pending steps, while updating
    steps: int = 0
    step_name: str = ""
    detail: str = ""  # within a step: "orders: 120,000 of 200,000 rows copied"


class MigrationProgress:
    """Written by the migrating thread (the stage methods), read by any thread (``snapshot``)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._snapshot = Snapshot()
        self._step_weights: list[float] = []  # of the pending steps, summing to 1
        self._units = 1  # of the current step: its statements, plus one for its Python after them
        self._unit = 0

    def snapshot(self) -> Snapshot:
        with self._lock:
            return self._snapshot

    def _set(self, stage: Stage, within: float, stage_percent: int | None, **fields: object) -> None:
        """Enter or advance ``stage``; ``within`` is the share of it done (0..1) for the overall percent."""
        before = sum(
            share for s, share in STAGE_SHARE.items() if list(Stage).index(s) < list(Stage).index(stage)
        )
        overall = 100 if stage is Stage.DONE else int(100 * (before + STAGE_SHARE[stage] * min(within, 1.0)))
        with self._lock:
            self._snapshot = replace(
                self._snapshot,
                stage=stage,
                stage_percent=stage_percent,
                percent=max(self._snapshot.percent, overall),  # an estimate may not run backwards
                **fields,  # type: ignore[arg-type]
            )

    def checking(self) -> None:
        self._set(Stage.CHECKING, 0.0, None)

    def backup_pages(self, copied: int, total: int) -> None:
        share = copied / total if total else 1.0
        self._set(Stage.BACKING_UP, share, int(100 * share))

    def steps_pending(self, steps: list[str]) -> None:
        """The steps about to run, in order (weights for the overall percent)."""
        seconds = [STEP_SECONDS.get(s, 0.5) for s in steps]
        self._step_weights = [s / sum(seconds) for s in seconds]

    def step_started(self, number: int, step: str, statements: int, after: bool) -> None:
        """Step ``number`` (1-based) of the pending ones begins: ``statements`` of SQL, Python ``after`` them."""
        self._units, self._unit = max(statements + after, 1), 0
        self._report_step(number, 0.0, step_name=step_name(step), detail="")

    def statement_done(self) -> None:
        self._unit += 1
        parts = f"{self._unit} of {self._units} parts of this step done" if self._units > 1 else ""
        self._report_step(self._snapshot.step, 0.0, detail=parts)

    def within_step(self, share: float, detail: str) -> None:
        """The Python after a step's statements has done ``share`` (0..1) of its work; ``detail`` says what."""
        self._report_step(self._snapshot.step, share, detail=detail)

    def _report_step(self, number: int, within_unit: float, **fields: object) -> None:
        weights = self._step_weights or [1.0]
        step_share = min(self._unit + within_unit, self._units) / self._units
        done = sum(weights[: number - 1]) + weights[min(number, len(weights)) - 1] * step_share
        steps = len(weights)
        self._set(Stage.UPDATING, done, int(100 * done), step=number, steps=steps, **fields)

    def compacting(self) -> None:
        self._set(Stage.COMPACTING, 0.0, None, step_name="", detail="")

    def encrypting(self) -> None:
        self._set(Stage.ENCRYPTING, 0.0, None, step_name="", detail="")

    def finished(self) -> None:
        self._set(Stage.DONE, 1.0, 100, step_name="", detail="")


def copy_backup(src: sqlite3.Connection, dst: sqlite3.Connection, progress: MigrationProgress) -> None:
    """SQLite's online backup of ``src`` into ``dst``, in chunks of pages so that each reports how far it got
    (no sleep between chunks: SQLite's backup waits only when the source is locked, and nothing else writes
    to it before the window opens)."""

    def copied(_status: int, remaining: int, total: int) -> None:
        progress.backup_pages(total - remaining, total)

    src.backup(dst, pages=BACKUP_PAGES_PER_CHUNK, progress=copied)


def compact_after_migrating(conn: sqlite3.Connection, progress: MigrationProgress | None = None) -> None:
    """A step that rebuilt a table left its old pages free (~1 GB at a million orders, in a 2.5 GB file): when
    that is a quarter of the file or more, ``VACUUM`` gives it back to the disk now, while the user waits for
    the upgrade anyway (``ui/upgrade_window.py``). It needs free space about the size of the file; without
    it the file stays as it is, nothing lost, and later writes reuse the free pages."""
    pages = int(conn.execute("PRAGMA page_count").fetchone()[0])
    free = int(conn.execute("PRAGMA freelist_count").fetchone()[0])
    if not pages or free < pages * COMPACT_FREE_SHARE:
        return
    if progress is not None:
        progress.compacting()
    started = time.perf_counter()
    try:
        conn.execute("VACUUM")
    except sqlite3.OperationalError as exc:  # a full disk or temp folder: the file is as it was
        log.warning(
            "Could not compact the database after migrating (%s); its free pages are reused later", exc
        )
        return
    log.info(
        "Compacted the database after migrating: %d of %d pages were free (%.1f s)",
        free,
        pages,
        time.perf_counter() - started,
    )
