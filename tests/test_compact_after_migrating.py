"""A migration that leaves a quarter of the file free compacts it (``migration_progress.compact_after_migrating``)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from fbm_desk.db import migration_progress

pytestmark = pytest.mark.sqlite_only  # this computer's file


def _file_with_free_pages(path: Path, keep: int) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = wal")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    conn.executemany("INSERT INTO t (v) VALUES (?)", [("x" * 400,) for _ in range(2_000)])
    conn.execute("DELETE FROM t WHERE id > ?", (keep,))
    return conn


def _free_share(conn: sqlite3.Connection) -> float:
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    return int(conn.execute("PRAGMA freelist_count").fetchone()[0]) / int(pages)


def test_a_file_left_a_quarter_free_is_compacted(tmp_path: Path) -> None:
    conn = _file_with_free_pages(tmp_path / "a.sqlite3", keep=500)  # three quarters freed
    assert _free_share(conn) > 0.5
    migration_progress.compact_after_migrating(conn)
    assert _free_share(conn) == 0
    assert conn.execute("SELECT count(*) FROM t").fetchone()[0] == 500
    conn.close()


def test_a_file_with_little_free_room_is_left_as_it_is(tmp_path: Path) -> None:
    conn = _file_with_free_pages(tmp_path / "b.sqlite3", keep=1_800)  # a tenth freed
    before = _free_share(conn)
    assert 0 < before < migration_progress.COMPACT_FREE_SHARE
    migration_progress.compact_after_migrating(conn)
    assert _free_share(conn) == before
    conn.close()


class _FullDisk:
    """A connection whose VACUUM fails as on a full disk (sqlite3's own connection cannot be patched)."""

    def __init__(self, real: sqlite3.Connection) -> None:
        self.real = real

    def execute(self, sql: str, *args: Any) -> Any:
        if sql == "VACUUM":
            raise sqlite3.OperationalError("database or disk is full")
        return self.real.execute(sql, *args)


def test_no_room_to_compact_loses_nothing(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    conn = _file_with_free_pages(tmp_path / "c.sqlite3", keep=500)
    migration_progress.compact_after_migrating(_FullDisk(conn))  # type: ignore[arg-type]
    assert "Could not compact the database" in caplog.text
    assert conn.execute("SELECT count(*) FROM t").fetchone()[0] == 500
    conn.close()
