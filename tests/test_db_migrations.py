"""The local database: pragmas, schema vs models, migrations with backup, refusing files it must not touch."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from importlib import resources
from pathlib import Path

import pytest

from fbm_desk.db import LATEST_VERSION, OpenedDatabase, open_database
from fbm_desk.db.connection import APPLICATION_ID, MIGRATIONS
from fbm_desk.db.label_models import LABEL_MODELS
from fbm_desk.db.mark_models import MARK_MODELS
from fbm_desk.db.models import ALL_MODELS
from fbm_desk.db.privacy_models import PRIVACY_MODELS
from fbm_desk.foundation.errors import DatabaseError

pytestmark = pytest.mark.sqlite_only  # the SQLite file itself (a workspace: tests/test_workspace_schema.py)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _sibling_files(path: Path) -> set[str]:
    return {p.name for p in path.parent.iterdir()}


def _make_v1_database(path: Path) -> None:
    """A database exactly as FBM Desk schema 1 left it, with a few rows."""
    script = resources.files("fbm_desk.db").joinpath(MIGRATIONS[0]).read_text(encoding="utf-8")
    conn = sqlite3.connect(path)
    try:
        conn.executescript(script)
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute("PRAGMA user_version = 1")
        conn.execute(
            "INSERT INTO store (id, name, marketplace_id, region, selling_partner_id, created_at) "
            "VALUES (1, 'Main US', 'ATVPDKIKX0DER', 'NA', 'A1SELLER', '2026-01-01T00:00:00Z')"
        )
        conn.execute(
            "INSERT INTO store (id, name, marketplace_id, region, selling_partner_id, created_at) "
            "VALUES (2, 'UK shop', 'A1F83G8C2ARO7P', 'EU', 'A1SELLER', '2026-01-02T00:00:00Z')"
        )
        conn.commit()
    finally:
        conn.close()


def test_fresh_database_is_latest_with_wal_foreign_keys_and_busy_timeout(db: OpenedDatabase) -> None:
    assert db.version == LATEST_VERSION
    assert db.migrated_from == 0
    assert db.backup is None  # nothing to back up for a brand-new file
    assert db.db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.db.execute_sql("PRAGMA busy_timeout").fetchone()[0] >= 5000
    assert db.db.execute_sql("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
    assert db.db.execute_sql("PRAGMA application_id").fetchone()[0] == APPLICATION_ID


def test_every_model_column_exists_in_the_migrated_schema(db: OpenedDatabase) -> None:
    missing: list[str] = []
    for model in ALL_MODELS + MARK_MODELS + PRIVACY_MODELS + LABEL_MODELS:
        table = model._meta.table_name
        columns = {row[1] for row in db.db.execute_sql(f"PRAGMA table_info({table})").fetchall()}
        assert columns, f"table {table} of model {model.__name__} does not exist"
        for field in model._meta.sorted_fields:
            if field.column_name not in columns:
                missing.append(f"{table}.{field.column_name}")
    assert missing == []


def test_foreign_keys_are_enforced(db: OpenedDatabase) -> None:
    from fbm_desk.db.models import SyncCursor

    with pytest.raises(Exception, match="FOREIGN KEY"):
        SyncCursor.create(store=999, job="orders", value="x")


def test_reopening_a_current_database_neither_migrates_nor_backs_up(data_dir: Path) -> None:
    path = data_dir / "app.sqlite3"
    open_database(path).close()
    again = open_database(path)
    try:
        assert again.migrated_from is None
        assert again.backup is None
    finally:
        again.close()
    assert not (data_dir / "backups").exists()


def test_v1_database_migrates_to_latest_keeps_rows_and_is_backed_up(data_dir: Path) -> None:
    path = data_dir / "app.sqlite3"
    _make_v1_database(path)
    backups = data_dir / "backups"

    opened = open_database(path, backup_dir=backups)
    try:
        assert opened.migrated_from == 1
        assert opened.version == LATEST_VERSION
        rows = opened.db.execute_sql("SELECT id, name, region FROM store ORDER BY id").fetchall()
        assert rows == [(1, "Main US", "NA"), (2, "UK shop", "EU")]
        assert opened.db.execute_sql("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
        # The v2 step added its indexes.
        index_names = {
            r[0] for r in opened.db.execute_sql("SELECT name FROM sqlite_master WHERE type='index'")
        }
        assert "orders_state" in index_names
    finally:
        opened.close()

    assert opened.backup is not None
    assert opened.backup.parent == backups
    backup_files = list(backups.iterdir())
    assert backup_files == [opened.backup]
    conn = sqlite3.connect(opened.backup)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM store").fetchone()[0] == 2
    finally:
        conn.close()


def test_database_from_a_newer_version_is_refused_and_untouched(data_dir: Path) -> None:
    path = data_dir / "app.sqlite3"
    open_database(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = DELETE")  # no -wal/-shm files left behind to muddy the comparison
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    conn.close()
    before, files_before = _digest(path), _sibling_files(path)

    with pytest.raises(DatabaseError, match="newer version") as caught:
        open_database(path)

    assert f"schema {LATEST_VERSION + 1}" in caught.value.user_message
    assert _digest(path) == before
    assert _sibling_files(path) == files_before  # no backup, no -wal file: nothing was written


@pytest.mark.parametrize("content", ["random", "truncated", "empty_header"])
def test_corrupt_file_is_refused_and_untouched(data_dir: Path, content: str) -> None:
    path = data_dir / "app.sqlite3"
    if content == "random":
        path.write_bytes(os.urandom(64 * 1024))
    else:
        real = data_dir / "real.sqlite3"
        _make_v1_database(real)
        data = real.read_bytes()
        real.unlink()
        if content == "truncated":
            path.write_bytes(data[: len(data) // 3])  # header intact, most pages gone
        else:
            path.write_bytes(data[:16] + b"\x00" * (len(data) - 16))  # the magic string and nothing else
    before, files_before = _digest(path), _sibling_files(path)

    with pytest.raises(DatabaseError) as caught:
        open_database(path)

    message = caught.value.user_message
    assert "untouched" in message or "damaged" in message
    assert _digest(path) == before
    assert _sibling_files(path) == files_before


def test_foreign_sqlite_file_is_refused_and_untouched(data_dir: Path) -> None:
    path = data_dir / "someone-elses.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO notes (body) VALUES ('keep me')")
    conn.commit()
    conn.close()
    before = _digest(path)

    with pytest.raises(DatabaseError, match="not an FBM Desk database"):
        open_database(path)
    assert _digest(path) == before


def test_sqlite_file_of_another_application_id_is_refused(data_dir: Path) -> None:
    path = data_dir / "other.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA application_id = 1234")
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    before = _digest(path)

    with pytest.raises(DatabaseError, match="another application"):
        open_database(path)
    assert _digest(path) == before


def test_runs_left_running_by_a_dead_process_are_marked_interrupted(db: OpenedDatabase) -> None:
    import subprocess
    import sys

    from fbm_desk.db.models import SyncRun
    from fbm_desk.db.sync_runs import mark_interrupted_runs, start_run

    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead_pid = int(dead.stdout)
    mine = start_run(None, "orders", "cli")  # this process: alive
    orphan = start_run(None, "orders", "cli")
    SyncRun.update(pid=dead_pid).where(SyncRun.id == orphan).execute()
    assert mark_interrupted_runs() == 1
    assert SyncRun.get_by_id(orphan).status == "failed"
    assert "Interrupted" in SyncRun.get_by_id(orphan).error
    assert SyncRun.get_by_id(mine).status == "running"
