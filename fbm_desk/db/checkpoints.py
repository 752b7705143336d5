"""The import's write-ahead-log checkpoints, on a thread of their own (SQLite only; a no-op on a workspace).

SQLite copies the write-ahead log into the database file (a checkpoint, two fsyncs) in the commit that finds
the log over ``wal_autocheckpoint`` pages. An order import page at a million orders changes ~1,000 pages (new
orders land at random places in the order-id, ship-by and name indexes), so every page's commit paid for a
checkpoint on the writer itself (bench/bench_import_scale.py). ``behind_the_writer`` commits a block without that checkpoint and has this module's
thread run it (``PASSIVE``: it never blocks a writer or a reader) while the writer goes on with the next page
(and in a real sync while it waits for Amazon). Pages changed again before the thread gets to them are
written to the file once. Nothing about a commit changes: it is in the log, as before; only who copies it
into the file, and when. Other connections keep SQLite's own checkpoints.

``paused`` holds the thread off (and waits for a running checkpoint), for a caller that checkpoints itself.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from fbm_desk.db import dialect
from fbm_desk.db.models import database_proxy

log = logging.getLogger(__name__)

# Log pages past which the writer copies what is left itself before its next page, so the log starts over (it
# only does when a write begins with the log fully copied: in a real sync that happens while it waits for Amazon;
# pages written back to back never leave the thread that moment).
LOG_CAP = 10_000
_running: dict[str, _Checkpointer] = {}
_registry = threading.Lock()


class _Checkpointer:
    """One thread and connection per database file: runs a PASSIVE checkpoint each time one is requested
    (requests made while one runs are served by one more)."""

    def __init__(self, path: str, timeout: float) -> None:
        self.lock = threading.Lock()  # held while a checkpoint runs (``paused``)
        self._path = path
        self._timeout = timeout
        self._wake = threading.Condition()
        self._pending = False
        self._stopping = False
        self.log_pages = 0  # the log's length at the last checkpoint
        self._thread = threading.Thread(target=self._run, name="fbm-desk-checkpoint", daemon=True)
        self._thread.start()

    def request(self) -> None:
        with self._wake:
            self._pending = True
            self._wake.notify()

    def stop(self) -> None:
        with self._wake:
            self._stopping = True
            self._wake.notify()
        self._thread.join()

    def _run(self) -> None:
        conn = sqlite3.connect(self._path, timeout=self._timeout)
        try:
            while True:
                with self._wake:
                    self._wake.wait_for(lambda: self._pending or self._stopping)
                    if not self._pending:  # stopping, with every requested checkpoint done
                        return
                    self._pending = False
                with self.lock:
                    try:
                        self.log_pages = int(conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1])
                    except sqlite3.Error as exc:  # the writers' own checkpoints still bound the log
                        log.warning("Background checkpoint failed: %s", exc)
        finally:
            conn.close()


def _database_file() -> str | None:
    if dialect.is_postgres():
        return None
    name = str(database_proxy.obj.database)
    return None if name.startswith("file:") else name  # a read-only URI never writes


@contextmanager
def behind_the_writer() -> Iterator[None]:
    """Commit the block (one transaction) without checkpointing on this connection; the checkpoint runs on
    the background thread afterwards."""
    path = _database_file()
    if path is None:
        yield
        return
    with _registry:
        checkpointer = _running.get(path)
        if checkpointer is None:
            checkpointer = _running[path] = _Checkpointer(path, float(database_proxy.obj.timeout))
    conn = database_proxy.connection()
    if checkpointer.log_pages > LOG_CAP and not database_proxy.in_transaction():
        with checkpointer.lock:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            checkpointer.log_pages = 0
    before = int(conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0])
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA wal_autocheckpoint = {before}")
    checkpointer.request()


@contextmanager
def paused() -> Iterator[None]:
    """No background checkpoint runs during the block (one running is waited for)."""
    path = _database_file()
    with _registry:
        checkpointer = _running.get(path) if path is not None else None
    if checkpointer is None:
        yield
        return
    with checkpointer.lock:
        yield


def stop(path: str) -> None:
    """End the background thread of the database file ``path`` (at close); its last checkpoint finishes."""
    with _registry:
        checkpointer = _running.pop(path, None)
    if checkpointer is not None:
        checkpointer.stop()
