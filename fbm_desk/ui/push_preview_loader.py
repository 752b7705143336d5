"""The Inventory tab's "Next push preview", read on a pool thread.

The preview is the inventory job's whole plan over every store's listings (~0.1-0.7 s at 20,000 SKUs; the
open orders' allocation is kept per product and warehouse, so it does not grow with the orders): the tab's
first rows and the filters must not wait for it. ``PreviewLoader.load()`` reads
``fbm_desk.db.stock.pending_pushes`` on a pool thread with its own SQLite connection; the rows arrive on the
GUI thread through a queued signal of a hub that outlives every tab (a tab closed meanwhile simply is no
longer connected). The same read first refreshes the tab's kept stock rows (``db.stock_summary``) that changes
made since the last job left dirty. A request while a read runs is served by one more read after it, so what is
shown is never older than the last request.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from fbm_desk.db.errors import storage_error
from fbm_desk.db.stock import ListingPush, pending_pushes
from fbm_desk.db.stock_summary import refresh_stock_summary_quietly
from fbm_desk.db.transactions import close_thread_connection

log = logging.getLogger(__name__)


class _Hub(QObject):
    """Lives on the GUI thread for the whole run: pool threads emit here, receivers are queued."""

    read = Signal(int, object)  # request number, list[ListingPush] | str (the error shown instead)


_hub: _Hub | None = None
_pool: QThreadPool | None = None


def _shared() -> tuple[_Hub, QThreadPool]:
    global _hub, _pool  # one hub and one reader thread per process, made on the GUI thread
    if _hub is None or _pool is None:
        _hub, _pool = _Hub(), QThreadPool()
        _pool.setMaxThreadCount(1)
    return _hub, _pool


def wait_for_reads(timeout_ms: int = 30_000) -> bool:
    """Wait for a running read to end (before the database closes at exit; benches). True: none left."""
    return True if _pool is None else bool(_pool.waitForDone(timeout_ms))


class _Read(QRunnable):
    def __init__(self, number: int, hub: _Hub) -> None:
        super().__init__()
        self._number, self._hub = number, hub
        self.setAutoDelete(True)

    def run(self) -> None:
        result: list[ListingPush] | str
        try:
            refresh_stock_summary_quietly()  # the tab's kept stock rows: changes made here since the last job
            result = pending_pushes()
        except Exception as exc:
            known = storage_error(exc)
            if known is None:
                log.exception("Push preview crashed")
                result = "The push preview could not be computed (see the log)."
            else:  # a busy or full disk: the next refresh tries again
                result = f"The push preview could not be read: {known.user_message}"
        finally:
            close_thread_connection()  # pool threads come and go: never leak their SQLite connection
        self._hub.read.emit(self._number, result)


_numbers = iter(range(1, 1 << 62))


class PreviewLoader(QObject):
    """``load()`` starts a read (or queues one more); ``show`` gets the pushes or an error text."""

    ready = Signal()  # after ``show`` ran with the newest read

    def __init__(self, parent: QObject, show: Callable[[list[ListingPush] | str], None]) -> None:
        super().__init__(parent)
        self._show = show
        self._running = 0  # the request number being read (0: none)
        self._again = False
        self._hub, self._pool = _shared()
        self._hub.read.connect(self._on_read)

    @property
    def busy(self) -> bool:
        return bool(self._running)

    def load(self) -> None:
        if self._running:
            self._again = True
            return
        self._running = next(_numbers)
        self._pool.start(_Read(self._running, self._hub))

    @Slot(int, object)
    def _on_read(self, number: int, result: object) -> None:
        if number != self._running:
            return  # another tab's read
        self._running = 0
        if self._again:
            self._again = False
            self.load()
            return
        self._show(result)  # type: ignore[arg-type]
        self.ready.emit()
