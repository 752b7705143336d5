"""After an update, a database that needs migrating is migrated on a thread of its own while a window says so: the
stage, how far it got, and the whole upgrade's percent."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QProgressDialog
from pytestqt.qtbot import QtBot

from fbm_desk import app, core
from fbm_desk.db import LATEST_VERSION, connection
from fbm_desk.db.errors import DatabaseError
from fbm_desk.db.migration_progress import MigrationProgress, Stage
from fbm_desk.db.orders import find_order
from fbm_desk.foundation.paths import AppPaths
from fbm_desk.ui import upgrade_window
from fbm_desk.ui.upgrade_window import migrate_with_progress
from tests.support.old_schema import schema_before, schema_with_store
from tests.support.pii_scan import pii_hits

pytestmark = pytest.mark.sqlite_only  # this computer's file; a shared workspace migrates on its server


def _old_file(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        schema_before(conn, connection.MIGRATIONS[-1])
        conn.commit()
    finally:
        conn.close()


def _version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def test_a_file_left_behind_is_migrated_while_the_window_keeps_answering(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "fbm-desk.sqlite3"
    _old_file(path)
    assert connection.pending_migration(path) == LATEST_VERSION - 1
    served = threading.Event()  # set by the window's thread while the migration runs
    shown: list[str] = []
    real_open = connection.open_database

    def slow_open(*args: object, **kwargs: object) -> connection.OpenedDatabase:
        assert served.wait(10)  # the migration waits until the window's event loop has turned
        return real_open(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(upgrade_window, "open_database", slow_open)

    def look() -> None:
        boxes = [
            w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog) and w.isVisible()
        ]
        shown.extend(b.labelText() for b in boxes)
        served.set()

    QTimer.singleShot(100, look)
    said = migrate_with_progress(path, tmp_path / "backups")
    assert said is not None
    assert "is being brought up to date" in said
    assert shown
    assert "A backup of it is saved first" in shown[0]
    assert _version(path) == LATEST_VERSION
    assert list((tmp_path / "backups").iterdir())  # the backup the migration made
    assert migrate_with_progress(path, tmp_path / "backups") is None  # current now: nothing shown


def test_no_file_or_a_current_one_shows_nothing(qtbot: QtBot, tmp_path: Path) -> None:
    assert migrate_with_progress(tmp_path / "none.sqlite3", tmp_path / "backups") is None
    current = tmp_path / "current.sqlite3"
    connection.open_database(current).close()
    assert migrate_with_progress(current, tmp_path / "backups") is None


def test_a_failed_migration_raises_what_the_open_raises(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "fbm-desk.sqlite3"
    _old_file(path)

    def full_disk(*_args: object, **_kwargs: object) -> connection.OpenedDatabase:
        raise DatabaseError("The disk is full.")

    monkeypatch.setattr(upgrade_window, "open_database", full_disk)
    with pytest.raises(DatabaseError, match="disk is full"):
        migrate_with_progress(path, tmp_path / "backups")
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog) and w.isVisible()]


def _dialog() -> QProgressDialog | None:
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog) and w.isVisible()]
    return boxes[0] if boxes else None


def test_the_window_shows_each_stage_and_how_far_it_got(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The migrating thread reports a stage, then waits until the window's thread showed it: no timing."""
    path = tmp_path / "fbm-desk.sqlite3"
    _old_file(path)
    real_open = connection.open_database
    steps = ["schema_outbox_done.sql", "schema_package_times.sql", "schema_pii_binary.sql"]
    reports: list[tuple[Callable[[MigrationProgress], None], str, bool]] = [  # report, words shown, bar busy
        (lambda p: p.checking(), "Checking the file for damage…", True),
        (lambda p: p.backup_pages(37, 100), "Saving a backup… 37%", False),
        (lambda p: p.backup_pages(100, 100), "Saving a backup… 100%", False),
        (lambda p: p.steps_pending(steps), "Saving a backup… 100%", False),
        (
            lambda p: p.step_started(3, "schema_pii_binary.sql", 0, True),
            "Updating: step 3 of 3 — the orders, rebuilt with buyer details a third smaller",
            False,
        ),
        (
            lambda p: p.within_step(0.3, "orders: 50,000 of 100,000 rows copied"),
            "50,000 of 100,000 rows",
            False,
        ),
        (lambda p: p.compacting(), "Compacting the file…", True),
        (lambda p: p.encrypting(), "Encrypting the buyer data…", True),
    ]
    expected = [""]
    showed = threading.Event()
    seen: list[tuple[str, int, int]] = []  # label, bar value, bar maximum (0: busy)

    def look() -> None:  # the window's thread, between ticks of the migration's loop
        box = _dialog()
        if box is not None:
            seen.append((box.labelText(), box.value(), box.maximum()))
            if expected[0] and expected[0] in box.labelText():
                showed.set()

    timer = QTimer()
    timer.timeout.connect(look)
    timer.start(5)

    def staged_open(
        *args: object, progress: MigrationProgress, **kwargs: object
    ) -> connection.OpenedDatabase:
        for report, words, _busy in reports:
            showed.clear()
            expected[0] = words
            report(progress)
            assert showed.wait(10)
        expected[0] = ""
        return real_open(*args, progress=progress, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(upgrade_window, "open_database", staged_open)
    migrate_with_progress(path, tmp_path / "backups")
    timer.stop()

    for _report, words, busy in reports:
        label, _value, maximum = next(s for s in seen if words in s[0])
        assert (maximum == 0) is busy  # a busy bar while SQLite reports nothing
        assert "Running for" in label
    shown = [value for label, value, maximum in seen if maximum]
    assert shown == sorted(shown)  # the whole upgrade's percent never goes backwards
    assert next(v for t, v, m in seen if "50,000 of 100,000" in t) > next(v for t, v, m in seen if "37%" in t)
    assert _version(path) == LATEST_VERSION
    assert _dialog() is None


def test_a_file_older_than_the_encryption_is_sealed_while_the_window_shows(
    qtbot: QtBot, app_paths: AppPaths
) -> None:
    """Its first encryption (every buyer field, every backup) runs on the migrating thread, not in ``build_core``
    before any window exists."""
    conn = sqlite3.connect(app_paths.db_file)
    try:
        schema_with_store(conn, "schema_privacy.sql")
        conn.execute(
            "INSERT INTO orders (store_id, amazon_order_id, amazon_status, state, buyer_name, ship_name, "
            "ship_address1, ship_city, ship_country, imported_at, updated_at) VALUES (1, '111-0000001-0000001', "
            "'UNSHIPPED', 'released', 'Wilhelmina Quarterstone', 'Wilhelmina Quarterstone', '77 Zebulon Lane', "
            "'Springfield', 'US', 'x', 'x')"
        )
        conn.commit()
    finally:
        conn.close()
    needles = ["Wilhelmina Quarterstone", "77 Zebulon Lane"]
    stages: list[Stage] = []
    real = core.encrypt_if_older

    def watched(paths: AppPaths, progress: MigrationProgress) -> None:
        real(paths, progress)
        stages.append(progress.snapshot().stage)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(core, "encrypt_if_older", watched)
        app._migrate_first(app_paths)
    assert stages == [Stage.ENCRYPTING]
    assert pii_hits(app_paths.db_file.read_bytes(), needles) == []
    backups = list(app_paths.backup_dir.glob("*.sqlite3"))
    assert backups  # the migration's backup, rewritten sealed
    assert all(pii_hits(b.read_bytes(), needles) == [] for b in backups)
    opened = core.build_core(app_paths)
    try:
        assert opened.workspace is not None
        assert opened.workspace.has_key
        assert opened.workspace.encrypted_now == 0  # done before: the window's thread did it
        assert find_order("111-0000001-0000001").buyer_name == "Wilhelmina Quarterstone"
    finally:
        opened.close()
