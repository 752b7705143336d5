"""Live screens: what another station saved shows here within about a second, through the tabs' usual refresh.

``LiveUpdates.changed`` (a set of table names) is emitted on the GUI thread when another station or process
committed a change the screens show: on a shared workspace from PostgreSQL's LISTEN/NOTIFY (a listener thread,
``db.change_feed.PgChangeListener``), on this computer's file from ``PRAGMA data_version`` polled by a timer
(``SqliteChangeProbe``). The tabs connect it like a finished sync job (``deferred_refresh.refresh_after_sync``):
coalesced, only while visible, keeping the selection and the scroll position. ``reachability`` says when the
shared server goes away and comes back (the status bar shows it).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from fbm_desk.db.change_feed import PgChangeListener, SqliteChangeProbe

if TYPE_CHECKING:
    from fbm_desk.db import OpenedDatabase

log = logging.getLogger(__name__)

POLL_MS = 500  # SQLite: PRAGMA data_version, a few microseconds per look


class LiveUpdates(QObject):
    changed = Signal(object)  # frozenset[str]: the tables that changed
    reachability = Signal(bool, str)  # shared server reachable?, why not

    def __init__(self, db: OpenedDatabase, parent: QObject | None = None, *, poll_ms: int = POLL_MS) -> None:
        super().__init__(parent)
        self._db = db
        self._listener: PgChangeListener | None = None
        self._probe: SqliteChangeProbe | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(poll_ms)
        self._timer.timeout.connect(self._poll)

    def start(self) -> None:
        if self._db.url is not None:
            self._listener = PgChangeListener(self._db.url, self.changed.emit, self.reachability.emit)
            self._listener.start()
        elif self._db.path is not None:
            try:
                self._probe = SqliteChangeProbe(self._db.path)
            except Exception as exc:  # a read-only or vanished file: the screens still refresh after own work
                log.warning("Live updates are off: %s", exc)
                return
            self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        if self._listener is not None:
            self._listener.stop()
            self._listener = None
        if self._probe is not None:
            self._probe.close()
            self._probe = None

    def _poll(self) -> None:
        if self._probe is None:
            return
        try:
            changed = self._probe.changed()
        except Exception as exc:  # busy or locked for a moment: next look
            log.debug("Change probe: %s", exc)
            return
        if changed:
            self.changed.emit(frozenset())
