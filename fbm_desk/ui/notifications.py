"""Desktop notifications for problems the user must act on: a sync failed, a store needs reconnecting, Amazon
rejected pushes. Shown as a tray balloon when the system has a tray, else as a status-bar message.

De-duplicated: one notification when a problem appears, none while it persists (the same job failing every
30 minutes), and a new one only after it went away (a successful run) and came back.

Wiring (in ``app.py`` after the main window exists)::

    notifier = Notifier(services.runner, tray=make_tray_icon(window), status_bar=window.statusBar())
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QStatusBar, QSystemTrayIcon, QWidget

from fbm_desk.db.order_marks import rule_notices_after
from fbm_desk.foundation.wording import plural
from fbm_desk.sync.base import JobKind, SyncResult
from fbm_desk.ui.table_models.formatting import job_title

if TYPE_CHECKING:
    from fbm_desk.sync.runner import JobRunner

log = logging.getLogger(__name__)

PUSH_JOBS = frozenset({JobKind.INVENTORY.value, JobKind.SHIPMENTS.value})
TRAY_MS = 10_000
STATUS_MS = 20_000


@dataclass(frozen=True)
class Notice:
    """One notification. ``key`` identifies the problem for de-duplication."""

    key: tuple[str, int, str]  # (problem, store id, job or "")
    title: str
    message: str
    critical: bool = False


def make_tray_icon(window: QWidget) -> QSystemTrayIcon | None:
    """A visible tray icon using the window's icon, or None when the desktop has no system tray."""
    if not QSystemTrayIcon.isSystemTrayAvailable():
        return None
    tray = QSystemTrayIcon(window.windowIcon(), window)
    tray.setToolTip(window.windowTitle())

    def bring_back(_reason: QSystemTrayIcon.ActivationReason) -> None:
        window.showNormal()
        window.raise_()
        window.activateWindow()

    tray.activated.connect(bring_back)
    tray.show()
    return tray


class Notifier(QObject):
    """Listens to the runner; ``shown(Notice)`` is emitted for every notification actually shown."""

    shown = Signal(object)

    def __init__(
        self,
        runner: JobRunner,
        *,
        tray: QSystemTrayIcon | None = None,
        status_bar: QStatusBar | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._tray = tray
        self._status_bar = status_bar
        self._active: set[tuple[str, int, str]] = set()
        self._rule_seen = rule_notices_after(-1)[0][0]  # rules' notify actions: only those from now on
        runner.job_finished.connect(self._on_finished)
        runner.job_failed.connect(self._on_failed)
        runner.store_needs_reconnect.connect(self._on_reconnect)

    @property
    def active_problems(self) -> frozenset[tuple[str, int, str]]:
        return frozenset(self._active)

    @Slot(int, str)
    def _on_reconnect(self, store_id: int, message: str) -> None:
        self._notify(
            Notice(
                ("reconnect", store_id, ""),
                "Store needs reconnecting",
                f"{message} Open the Stores tab and choose Reconnect.",
                critical=True,
            )
        )

    @Slot(int, str, object)
    def _on_failed(self, store_id: int, kind: str, result: SyncResult) -> None:
        if ("reconnect", store_id, "") in self._active:
            return  # the reconnect notice already explains every failure of this store
        self._notify(
            Notice(
                ("failed", store_id, kind),
                f"{job_title(kind)} failed for {result.store}",
                result.error or "The sync could not complete; see the Sync log.",
            )
        )

    @Slot(int, str, object)
    def _on_finished(self, store_id: int, kind: str, result: SyncResult) -> None:
        if result.status != "ok":
            return  # cancelled: nothing learned about the problem
        self._active.discard(("failed", store_id, kind))
        self._active.discard(("reconnect", store_id, ""))
        if kind in (JobKind.ORDERS.value, JobKind.ORDERS_SWEEP.value):
            self._show_rule_notices()
        if kind not in PUSH_JOBS:
            return
        if result.rejected:
            what = "stock update" if kind == JobKind.INVENTORY.value else "tracking number"
            self._notify(
                Notice(
                    ("rejected", store_id, kind),
                    f"Amazon rejected {plural(result.rejected, what)} ({result.store})",
                    "See the Inventory tab or the Orders tab's 'Push rejected' filter for Amazon's message.",
                )
            )
        else:
            self._active.discard(("rejected", store_id, kind))

    def _show_rule_notices(self) -> None:
        """A rule's notify action, once per firing (the text names the rule and the order, no PII)."""
        for event_id, text in rule_notices_after(self._rule_seen):
            self._rule_seen = event_id
            self._notify(Notice(("rule", event_id, ""), "Rule notification", text))

    def _notify(self, notice: Notice) -> None:
        if notice.key in self._active:
            return
        self._active.add(notice.key)
        self.announce(notice)

    def announce(self, notice: Notice) -> None:
        """Show ``notice`` now (callers that track their own state, like the low-stock watch)."""
        log.info("Notification: %s", notice.title)  # titles hold store and job names only, no PII
        tray = self._tray
        if tray is not None and tray.isVisible() and QSystemTrayIcon.supportsMessages():
            icon = (
                QSystemTrayIcon.MessageIcon.Critical
                if notice.critical
                else QSystemTrayIcon.MessageIcon.Warning
            )
            tray.showMessage(notice.title, notice.message, icon, TRAY_MS)
        elif self._status_bar is not None:
            self._status_bar.showMessage(f"{notice.title}: {notice.message}", STATUS_MS)
        self.shown.emit(notice)
