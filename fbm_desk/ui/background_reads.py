"""Reads that may take longer than a frame (counts over a million orders) run on one reader thread.

A table never waits for its count: the rows are shown first, the number follows when the reader is done.
``LatestRead.load(fn)`` runs ``fn`` on the shared reader thread with its own database connection (closed
again afterwards); only the newest request of each ``LatestRead`` is delivered, on the GUI thread, through a
queued signal of a hub that outlives every widget. A request superseded before the reader started it is
skipped; one superseded while running finishes and is dropped. A read that fails is logged and delivered as
``None`` (the caller keeps showing "counting…"; the next refresh asks again).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from fbm_desk.db.errors import storage_error
from fbm_desk.db.transactions import close_thread_connection

log = logging.getLogger(__name__)


class _Hub(QObject):
    """Lives on the GUI thread for the whole run: the reader emits here, receivers are queued."""

    read = Signal(object, object)  # the request's ticket, its result (None when it failed)


class _Ticket:
    __slots__ = ("wanted",)

    def __init__(self) -> None:
        self.wanted = True  # cleared by a newer request of the same LatestRead (read across threads: a bool)


_hub: _Hub | None = None
_pool: QThreadPool | None = None


def _shared() -> tuple[_Hub, QThreadPool]:
    global _hub, _pool  # one hub and one reader thread per process, made on the GUI thread
    if _hub is None or _pool is None:
        _hub, _pool = _Hub(), QThreadPool()
        _pool.setMaxThreadCount(1)
    return _hub, _pool


def wait_for_background_reads(timeout_ms: int = 30_000) -> bool:
    """Wait until the reader is idle (before the database closes; tests and benches). True: nothing left."""
    return True if _pool is None else bool(_pool.waitForDone(timeout_ms))


class _Read(QRunnable):
    def __init__(self, ticket: _Ticket, fn: Callable[[], Any], hub: _Hub) -> None:
        super().__init__()
        self._ticket, self._fn, self._hub = ticket, fn, hub
        self.setAutoDelete(True)

    def run(self) -> None:
        if not self._ticket.wanted:
            return  # superseded while it waited for the reader
        result: Any = None
        try:
            result = self._fn()
        except Exception as exc:
            known = storage_error(exc)
            if known is None:
                log.exception("A background read failed")
            else:  # busy or server gone: the next refresh asks again
                log.warning("A background read failed: %s", known.user_message)
        finally:
            close_thread_connection()  # pool threads come and go: never leak their connection
        self._hub.read.emit(self._ticket, result)


class LatestRead(QObject):
    """``load(fn)`` reads ``fn()`` on the reader thread; ``show(result)`` gets the newest request's result."""

    def __init__(self, parent: QObject, show: Callable[[Any], None]) -> None:
        super().__init__(parent)
        self._show = show
        self._ticket: _Ticket | None = None
        self._hub, self._pool = _shared()
        self._hub.read.connect(self._on_read)

    @property
    def busy(self) -> bool:
        return self._ticket is not None

    def load(self, fn: Callable[[], Any]) -> None:
        self.cancel()
        self._ticket = _Ticket()
        self._pool.start(_Read(self._ticket, fn, self._hub))

    def cancel(self) -> None:
        """Forget the pending request (its result, if it still comes, is dropped)."""
        if self._ticket is not None:
            self._ticket.wanted = False
            self._ticket = None

    @Slot(object, object)
    def _on_read(self, ticket: object, result: object) -> None:
        if ticket is not self._ticket:
            return  # another widget's read, or one superseded
        self._ticket = None
        self._show(result)
