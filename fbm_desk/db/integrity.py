"""SQLite's page check of this computer's database file, run after start-up instead of on the start path.

``PRAGMA quick_check`` reads every page of the file: about a second per 200,000 orders. Opening the file
(``connection.open_database``) reads only its header, schema and version, and runs the full check only before
a migration writes to it; the app runs ``FileCheck`` on a thread of its own once the window is open and says
so when the file is damaged. The check has its own read-only connection: it never blocks a writer (WAL), and
``cancel`` stops it at exit.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

from fbm_desk.db.errors import StorageProblem, classify

log = logging.getLogger(__name__)

DAMAGED_MESSAGE = (
    "The database file failed its integrity check: it is damaged. Quit FBM Desk and restore a backup "
    "(see README: Back up and restore)."
)


class FileCheck:
    """``FileCheck(path).run()`` → None when the file is sound, else the message to show; ``cancel()`` from
    any thread stops a running check (``run`` then returns None)."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._cancelled = False

    def run(self) -> str | None:
        try:
            conn = sqlite3.connect(f"{self._path.as_uri()}?mode=ro", uri=True, check_same_thread=False)
        except sqlite3.Error as exc:
            log.warning("The integrity check could not open the database: %s", exc)
            return None
        with self._lock:
            if self._cancelled:
                conn.close()
                return None
            self._conn = conn
        try:
            rows = conn.execute("PRAGMA quick_check(20)").fetchall()
        except sqlite3.DatabaseError as exc:
            if self._cancelled or classify(exc) is not StorageProblem.CORRUPT:
                if not self._cancelled:
                    log.warning("The integrity check could not finish: %s", exc)
                return None
            rows = [(str(exc),)]
        finally:
            with self._lock:
                self._conn = None
            conn.close()
        if rows and rows[0][0] == "ok":
            log.info("Database integrity check: ok")
            return None
        log.error("Database integrity check failed: %s", "; ".join(str(r[0]) for r in rows[:5]))
        return DAMAGED_MESSAGE

    def cancel(self) -> None:
        with self._lock:
            self._cancelled = True
            if self._conn is not None:
                self._conn.interrupt()
