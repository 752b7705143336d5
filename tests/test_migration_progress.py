"""A migration reports how far it got (``db/migration_progress.py``): the stages in order, the backup's pages, step
k of m, a rebuilt table's rows; the overall percent never goes backwards and ends at 100. Without a progress
object (the CLI, tests) it migrates as before."""

from __future__ import annotations

import base64
import sqlite3
from pathlib import Path

import pytest

from fbm_desk.db import LATEST_VERSION, connection, migration_progress, table_rebuild
from fbm_desk.db.connection import MIGRATIONS, open_database
from fbm_desk.db.migration_progress import MigrationProgress, Snapshot, Stage, step_name
from fbm_desk.foundation.workspace_key import PREFIX
from tests.support.old_schema import schema_with_store

pytestmark = pytest.mark.sqlite_only  # this computer's file; a shared workspace migrates on its server

FROM_STEP = "schema_sort_keys.sql"  # the schema a million-order file of session 4 had: eight steps behind
SPARSE_IDS = (1, 2, 3, 5, 40, 41, 1_000, 1_000_000, 10**12)  # an id range without rows is never copied


class _Recording(MigrationProgress):
    """Every snapshot the migration reported, in order (on the migrating thread: here, the test's)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[Snapshot] = []

    def _set(self, stage: Stage, within: float, stage_percent: int | None, **fields: object) -> None:
        super()._set(stage, within, stage_percent, **fields)
        self.seen.append(self.snapshot())


def _sealed(n: int) -> str:
    return PREFIX + base64.b64encode(bytes(12) + n.to_bytes(8, "big") + bytes(16)).decode()


def _old_file(path: Path) -> int:
    """An FBM Desk file eight steps behind, with orders whose buyer names are sealed text (rebuilt by the last
    step) and many done outbox rows and events (freed pages: the upgrade compacts the file)."""
    conn = sqlite3.connect(path)
    try:
        version = schema_with_store(conn, FROM_STEP)
        conn.executemany(
            "INSERT INTO orders (id, store_id, amazon_order_id, amazon_status, state, purchase_date, buyer_name, "
            "imported_at, updated_at) VALUES (?, 1, ?, 'Unshipped', 'released', '2026-01-02T03:04:05Z', ?, "
            "'2026-01-02T03:04:05Z', '2026-01-02T03:04:05Z')",
            [(i, f"111-{i}", _sealed(i)) for i in SPARSE_IDS],
        )
        conn.executemany(
            "INSERT INTO order_event (order_id, at, kind, message) VALUES (1, '2026-01-02T03:04:05Z', 'note', ?)",
            [("x" * 300,) for _ in range(3_000)],
        )
        conn.commit()
    finally:
        conn.close()
    return version


def test_a_migration_reports_its_stages_in_order_and_ends_at_100(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(table_rebuild, "ROWS_PER_CHUNK", 2)  # several id ranges out of nine orders
    monkeypatch.setattr(migration_progress, "BACKUP_PAGES_PER_CHUNK", 16)
    path = tmp_path / "fbm-desk.sqlite3"
    version = _old_file(path)
    progress = _Recording()

    opened = open_database(path, progress=progress)
    opened.close()

    seen = progress.seen
    stages = [s.stage for s in seen]
    order = [Stage.CHECKING, Stage.BACKING_UP, Stage.UPDATING, Stage.COMPACTING, Stage.DONE]
    assert (
        sorted(set(stages), key=order.index) == order
    )  # each stage reported (the file was left a quarter free)
    assert stages == sorted(stages, key=order.index)  # in order, never back to an earlier one
    percents = [s.percent for s in seen]
    assert percents == sorted(percents)
    assert percents[0] == 0
    assert percents[-1] == 100
    assert len(set(percents)) > 10  # it moves on the way

    backup = [s.stage_percent for s in seen if s.stage is Stage.BACKING_UP]
    assert len(backup) > 3  # in chunks of pages
    assert backup == sorted(backup)
    assert backup[-1] == 100
    assert opened.backup is not None
    assert opened.backup.exists()

    steps = LATEST_VERSION - version
    started = [(s.step, s.steps, s.step_name) for s in seen if s.stage is Stage.UPDATING]
    assert sorted(set(started)) == [
        (k, steps, step_name(MIGRATIONS[version + k - 1])) for k in range(1, steps + 1)
    ]
    assert [k for k, _, _ in started] == sorted(k for k, _, _ in started)
    assert all(not s.step_name.endswith(".sql") for s in seen)  # every pending step has a name in plain words

    copied = [s.detail for s in seen if s.detail.endswith("rows copied")]
    total = len(SPARSE_IDS)
    assert copied == [
        f"orders: {n:,} of {total:,} rows copied" for n in (2, 3, 4, 6, 7, 8, 9)
    ]  # by id ranges
    assert seen[-1].stage is Stage.DONE
    assert seen[-1].stage_percent == 100


def test_without_a_progress_object_the_migration_runs_as_before(tmp_path: Path) -> None:
    path = tmp_path / "fbm-desk.sqlite3"
    _old_file(path)
    opened = open_database(path)  # as the CLI and the headless commands open it
    try:
        assert opened.version == LATEST_VERSION
        assert opened.backup is not None
        ids = [r[0] for r in opened.db.execute_sql("SELECT id FROM orders ORDER BY id")]
        assert tuple(ids) == SPARSE_IDS
        sealed = opened.db.execute_sql("SELECT buyer_name FROM orders WHERE id = 40").fetchone()[0]
        assert isinstance(sealed, bytes)  # the rebuild converted it
    finally:
        opened.close()
    assert connection.pending_migration(path) is None


def test_a_failed_step_reports_no_progress_past_it_and_raises_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "fbm-desk.sqlite3"
    version = _old_file(path)

    def full_disk(conn: sqlite3.Connection, progress: MigrationProgress) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setitem(table_rebuild.AFTER_STEP, "schema_pii_binary.sql", full_disk)
    progress = _Recording()
    with pytest.raises(connection.DatabaseError, match="disk"):
        open_database(path, progress=progress)
    assert progress.seen[-1].stage is Stage.UPDATING
    assert progress.seen[-1].percent < 100
    assert connection.pending_migration(path) == LATEST_VERSION - 1  # the earlier steps are kept
    assert version < LATEST_VERSION - 1
