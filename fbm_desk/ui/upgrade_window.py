"""After an update, the database is brought up to date before the main window opens, and the user sees that.

A migration of a large file takes a while: at a million orders the backup alone copies gigabytes, and a step that
rebuilds a table rewrites it (a minute or more). Done on the window's thread before any window exists, the app
would look as if it never started. ``migrate_with_progress`` runs the migration (``open_database``: page check,
backup, steps, compaction) on a thread of its own while a small window says which stage it is in, how far that
stage got (the backup's pages, step k of m and a rebuilt table's rows) and for how long it has run; its bar is the
whole upgrade, estimated by each stage's measured share (``db/migration_progress.py``), and turns busy while
SQLite reports nothing (the page check, the compaction). The migrating thread writes a ``MigrationProgress``; the
window's thread reads it on its tick, so no Qt object is touched off the window's thread. The main window then
opens on the migrated file as usual. A shared workspace migrates on the server's side
(``open_postgres``) and is not handled here.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEventLoop, Qt
from PySide6.QtWidgets import QLabel, QProgressDialog

from fbm_desk import APP_NAME
from fbm_desk.db.connection import open_database, pending_migration
from fbm_desk.db.migration_progress import MigrationProgress, Snapshot, Stage
from fbm_desk.db.transactions import close_thread_connection

log = logging.getLogger(__name__)

TICK_MS = 50  # how often the window's events are served while the migration runs
# SQLite reports no progress for these: the bar shows that it is busy, not a number
_NOT_MEASURED = (None, Stage.CHECKING, Stage.COMPACTING, Stage.ENCRYPTING)


def _size(path: Path) -> str:
    size = path.stat().st_size
    return f"{size / 1e9:.1f} GB" if size >= 1e9 else f"{size / 1e6:.0f} MB"


def _elapsed(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


def _stage_text(now: Snapshot) -> str:
    """The stage line and what it measured, as the window shows them (two lines, the second may be empty)."""
    if now.stage is Stage.BACKING_UP:
        return f"Saving a backup… {now.stage_percent}%\n"
    if now.stage is Stage.UPDATING:
        return f"Updating: step {now.step} of {now.steps} — {now.step_name}\n{now.detail}"
    if now.stage is Stage.COMPACTING:
        return "Compacting the file…\nFreed room goes back to the disk; SQLite reports no progress for this."
    if now.stage is Stage.ENCRYPTING:
        return (
            "Encrypting the buyer data…\nThis file is older than the encryption of buyer names and addresses: they "
            "are sealed once, with its backups; no progress is reported for this."
        )
    if now.stage is Stage.DONE:
        return "Up to date; opening the window…\n"
    return "Checking the file for damage…\nSQLite reads every page of it and reports no progress."


def _show(box: QProgressDialog, text: str, now: Snapshot, seconds: float) -> None:
    busy = now.stage in _NOT_MEASURED
    box.setMaximum(0 if busy else 100)
    if not busy:
        box.setValue(now.percent)
    box.setLabelText(f"{text}\n\n{_stage_text(now)}\n\nRunning for {_elapsed(seconds)}…")


def migrate_with_progress(
    db_file: Path, backup_dir: Path, then: Callable[[MigrationProgress], None] | None = None
) -> str | None:
    """Migrate ``db_file`` if it needs it, showing a window meanwhile; returns what the window said (None: the
    file needed nothing). ``then`` runs on the migrating thread once the file is migrated, while it is still
    open and the window still shows (the first encryption of a file older than it: ``app._migrate_first``).
    Raises what ``open_database`` (or ``then``) raises (a damaged file, a full disk), unchanged."""
    version = pending_migration(db_file)
    if version is None:
        return None
    text = (
        f"{APP_NAME} was updated: the database of this computer ({_size(db_file)}) is being brought up to date. "
        f"A backup of it is saved first in {backup_dir}.\n\nThis is done once. A large database takes a few "
        "minutes; please do not switch the computer off."
    )
    log.info("Migrating %s from schema %d before the window opens", db_file, version)
    failure: list[BaseException] = []
    progress = MigrationProgress()  # written by the migrating thread, read here on each tick

    def migrate() -> None:
        try:
            opened = open_database(db_file, backup_dir=backup_dir, progress=progress)
            try:
                if then is not None:
                    then(progress)
            finally:
                opened.close()
        except BaseException as exc:  # handed to the window's thread, which raises it as the open would
            failure.append(exc)
        finally:
            close_thread_connection()

    box = QProgressDialog(text, "", 0, 0)
    label = QLabel(text)
    label.setWordWrap(True)
    label.setFixedWidth(480)
    box.setLabel(label)
    box.setObjectName("upgradeProgress")
    box.setWindowTitle(f"{APP_NAME} — updating the database")
    box.setCancelButton(None)  # a migration cannot be stopped half-way: it is one transaction per step
    box.setWindowModality(Qt.WindowModality.ApplicationModal)
    box.setMinimumDuration(0)
    box.setAutoReset(False)  # at 100% it stays until the migration returned
    box.setAutoClose(False)
    started = time.monotonic()
    _show(
        box, text, progress.snapshot(), 0
    )  # the stage lines from the first paint: the window keeps its size
    box.show()
    worker = threading.Thread(target=migrate, name="fbm-desk-migration", daemon=True)
    worker.start()
    while worker.is_alive():
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, TICK_MS)
        _show(box, text, progress.snapshot(), time.monotonic() - started)
        worker.join(TICK_MS / 1000)
    box.close()
    box.deleteLater()
    if failure:
        raise failure[0]
    log.info("Migrated %s in %.1f s", db_file, time.monotonic() - started)
    return text
