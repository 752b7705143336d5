"""Issue 19: the file's page check (``PRAGMA quick_check``, seconds at a million orders) left the start path.

Opening a current file reads its header, schema and version only; a migration still checks every page first;
after start-up ``IntegrityWatch`` checks the file on a thread of its own and says so when it is damaged.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel, QMainWindow
from pytestqt.qtbot import QtBot

from fbm_desk.core import build_core
from fbm_desk.db.connection import LATEST_VERSION, open_database
from fbm_desk.db.integrity import DAMAGED_MESSAGE, FileCheck
from fbm_desk.foundation.errors import DatabaseError
from fbm_desk.foundation.paths import AppPaths
from fbm_desk.ui.integrity_watch import IntegrityWatch
from fbm_desk.ui.services import Services

pytestmark = pytest.mark.sqlite_only  # this computer's database file


def _damage_a_data_page(path: Path) -> None:
    """A current database whose schema reads fine but one table's pages are garbage."""
    open_database(path).close()
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE scratch (x BLOB)")
        conn.executemany("INSERT INTO scratch VALUES (?)", [(b"x" * 500,) for _ in range(200)])
        conn.commit()
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'scratch'").fetchone()[0]
        page = conn.execute("PRAGMA page_size").fetchone()[0]
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    data[(root - 1) * page : root * page] = b"\xff" * page
    path.write_bytes(bytes(data))


def test_a_current_file_opens_without_the_page_check_and_the_check_finds_the_damage(tmp_path: Path) -> None:
    path = tmp_path / "fbm-desk.sqlite3"
    _damage_a_data_page(path)

    opened = open_database(path)  # no page check on the start path
    try:
        assert opened.version == LATEST_VERSION
    finally:
        opened.close()
    assert FileCheck(path).run() == DAMAGED_MESSAGE


def test_a_sound_file_passes_the_check(tmp_path: Path) -> None:
    path = tmp_path / "fbm-desk.sqlite3"
    open_database(path).close()
    assert FileCheck(path).run() is None


def test_a_damaged_file_is_still_refused_before_a_migration(tmp_path: Path) -> None:
    path = tmp_path / "fbm-desk.sqlite3"
    _damage_a_data_page(path)
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA user_version = 1")
    before = path.read_bytes()
    with pytest.raises(DatabaseError, match=r"integrity check|damaged"):
        open_database(path)
    assert path.read_bytes() == before


def test_a_cancelled_check_reports_nothing(tmp_path: Path) -> None:
    path = tmp_path / "fbm-desk.sqlite3"
    _damage_a_data_page(path)
    check = FileCheck(path)
    check.cancel()
    assert check.run() is None


def test_the_window_says_the_file_is_damaged(qtbot: QtBot, data_dir: Path) -> None:
    paths = AppPaths(data_dir=data_dir, log_dir=data_dir / "logs")
    _damage_a_data_page(paths.db_file)
    core = build_core(paths)
    window = QMainWindow()
    qtbot.addWidget(window)
    watch = IntegrityWatch(Services(core=core), window, delay_ms=0)
    try:
        watch.start()
        qtbot.waitUntil(lambda: window.findChild(QLabel, "databaseDamaged") is not None, timeout=10_000)
        label = window.findChild(QLabel, "databaseDamaged")
        assert label is not None
        assert "restore a backup" in label.toolTip()
    finally:
        watch.stop()
        core.close()
