"""Stores being removed: the removal runs on its own thread, the Stores tab shows how far it got.

Deleting a store of 100,000 orders takes 20 s or more at 200,000 orders even in one transaction, so the window
never does it itself: ``StoreRemovals.start`` hands it to a worker thread that deletes its rows in transactions of
~0.1 s each (``fbm_desk.domain.stores.continue_removal``) and reports its progress through a queued signal, at
most a few times a second. Closing the window stops the worker between two steps; the store stays
marked as being removed and ``resume`` carries on the next time the app opens (also after a crash).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, QThreadPool, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from fbm_desk.db.store_removal import pending_removals
from fbm_desk.db.transactions import close_thread_connection
from fbm_desk.domain.stores import continue_removal, remove_store
from fbm_desk.foundation.errors import FbmError

if TYPE_CHECKING:
    from fbm_desk.core import CoreServices
    from fbm_desk.db.rows import StoreRow

log = logging.getLogger(__name__)

REPORT_EVERY_S = 0.25  # progress signals at most this often (each repaints a cell)


class _Removal(QRunnable):
    def __init__(self, owner: StoreRemovals, store_id: int, *, started: bool) -> None:
        super().__init__()
        self._owner, self._store_id, self._started = owner, store_id, started
        self._last_report = 0.0
        self.setAutoDelete(True)

    def _progress(self, removed: int, total: int) -> None:
        now = time.monotonic()
        if now - self._last_report >= REPORT_EVERY_S:
            self._last_report = now
            self._owner.progressed.emit(self._store_id, removed, total)

    def run(self) -> None:
        owner, store_id = self._owner, self._store_id
        error = ""
        try:
            go = continue_removal if self._started else remove_store
            go(owner.core, store_id, self._progress, owner.stopping.is_set)
        except FbmError as exc:
            error = exc.user_message
        except Exception:  # a bug or a lost database: the store stays marked, the next start carries on
            log.exception("Removing store %s failed", store_id)
            error = (
                "The removal stopped on an unexpected error (see the log); it carries on at the next start."
            )
        finally:
            try:
                close_thread_connection()
            except Exception:  # pragma: no cover - best effort
                log.debug("could not close the removal's database connection", exc_info=True)
        owner.ended.emit(store_id, error)


class StoreRemovals(QObject):
    """The removals of this window; lives on the GUI thread, its workers only emit its signals."""

    progressed = Signal(int, int, int)  # store id, rows removed, rows in all
    ended = Signal(int, str)  # store id, '' or what went wrong (the store then stays marked)

    def __init__(self, core: CoreServices, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.core = core
        self.stopping = threading.Event()
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)  # one at a time: each step takes the write lock anyway
        self._running: dict[int, str] = {}  # store id -> progress text
        self.progressed.connect(self._note_progress)  # before the tab's own slot: connected first
        self.ended.connect(self._forget)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop)

    def start(self, store_id: int) -> None:
        """Remove a store (marks it, forgets its token, deletes its rows in steps)."""
        self._queue(store_id, started=False)

    def resume(self) -> list[int]:
        """Carry on every removal a crash or a closed window left unfinished; returns their store ids."""
        pending = [store_id for store_id in pending_removals() if store_id not in self._running]
        for store_id in pending:
            self._queue(store_id, started=True)
        return pending

    def _queue(self, store_id: int, *, started: bool) -> None:
        if store_id in self._running:
            return
        self._running[store_id] = "Removing…"
        self._pool.start(_Removal(self, store_id, started=started))

    def status_text(self, store_id: int) -> str | None:
        """What the Status cell says while the store is being removed here (None: not running here)."""
        return self._running.get(store_id)

    def _note_progress(self, store_id: int, removed: int, total: int) -> None:
        if store_id in self._running:
            percent = 100 * removed // total if total else 100
            self._running[store_id] = f"Removing… {percent}% ({removed:,} of {total:,} rows deleted)"

    def _forget(self, store_id: int, _error: str) -> None:
        self._running.pop(store_id, None)

    def busy(self) -> bool:
        return bool(self._running)

    def stop(self, timeout_ms: int = 30_000) -> bool:
        """Stop every removal between two steps and wait for it (the window is closing)."""
        self.stopping.set()
        return self._pool.waitForDone(timeout_ms)


def confirm_removal(parent: QWidget, store: StoreRow, remove: Callable[[], None]) -> QMessageBox:
    """The "Remove store?" question (opened, not run: the caller keeps it); ``remove`` runs on yes."""
    box = QMessageBox(parent)
    box.setObjectName("removeConfirm")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Remove store")
    box.setText(f"Remove store '{store.name}'?")
    box.setInformativeText(
        "Its orders, products, stock history and sync history will be deleted from this computer, and "
        "its Amazon authorization is forgotten. Nothing changes on Amazon: your listings and orders "
        "there stay as they are. A large store takes a while to delete: the Stores tab shows how far it "
        "got, and you can keep working meanwhile."
    )
    yes = box.addButton("Remove store and its data", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)

    def finished(_result: int) -> None:
        if box.clickedButton() is yes:
            remove()

    box.finished.connect(finished)
    box.open()
    return box
