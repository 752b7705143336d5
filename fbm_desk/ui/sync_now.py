""" "Sync now": queue a store's regular jobs on the ``JobRunner`` at once, for one store or for all.

The same jobs the schedule runs (new products, orders, the tracking push and the stock push, in the order a
first sync needs them), each coalesced by the runner when it is already queued or running. Disabled stores
and stores waiting to be reconnected are skipped, with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from fbm_desk.db import stores as store_db
from fbm_desk.db.rows import StoreRow
from fbm_desk.foundation.wording import plural
from fbm_desk.sync.base import JobKind
from fbm_desk.sync.runner import JobRunner

SYNC_NOW_JOBS = (JobKind.PRODUCTS, JobKind.ORDERS, JobKind.SHIPMENTS, JobKind.INVENTORY)
TRIGGER = "manual"
SYNC_NOW_TIP = "Fetch new products and orders and push tracking and stock for this store now"
SYNC_ALL_TIP = "Sync every store now (F5)"


def sync_now(runner: JobRunner | None, stores: Iterable[StoreRow]) -> str:
    """Queue the jobs of each active store in ``stores``; returns what happened, in words."""
    if runner is None:
        return "Syncing is not running in this window."
    blocked = runner.sync_blocked()
    if blocked:  # nothing queued: each job would fail for want of the workspace key
        return f"Not synced: {blocked}"
    queued, skipped = 0, []
    chosen = list(stores)
    for store in chosen:
        if not store.is_active:
            skipped.append(store.name)
            continue
        queued += sum(1 for kind in SYNC_NOW_JOBS if runner.enqueue(store.id, kind, TRIGGER))
    if not chosen:
        return "No store to sync yet: add a store first."
    text = (
        f"Sync started: {plural(queued, 'job')} queued"
        if queued
        else "Already syncing: every job of the chosen store(s) is queued or running"
    )
    if skipped:
        text += f"; skipped (disabled or needs reconnecting): {', '.join(skipped)}"
    return text + "."


class SyncNowButtons(QObject):
    """The Stores tab's "Sync now" (the selected store) and "Sync all" buttons, and the line that says what
    was queued."""

    def __init__(
        self, runner: JobRunner | None, selected: Callable[[], StoreRow | None], parent: QWidget
    ) -> None:
        super().__init__(parent)
        self._runner, self._selected = runner, selected
        self.button = QPushButton("Sync now")
        self.button.setObjectName("syncNowButton")
        self.button.clicked.connect(self.sync_selected)
        self.all_button = QPushButton("Sync all")
        self.all_button.setObjectName("syncAllButton")
        self.all_button.clicked.connect(self.sync_all)
        self.message = QLabel()
        self.message.setObjectName("syncNowMessage")
        self.message.hide()
        self.update(None)

    def update(self, store: StoreRow | None) -> None:
        blocked = self._runner.sync_blocked() if self._runner is not None else ""
        can_sync = self._runner is not None and not blocked
        self.button.setEnabled(can_sync and store is not None and store.is_active)
        self.all_button.setEnabled(can_sync)
        for button, tip in ((self.button, SYNC_NOW_TIP), (self.all_button, SYNC_ALL_TIP)):
            button.setToolTip(f"Packing only: {blocked}" if blocked else tip)

    def sync_selected(self) -> None:
        store = self._selected()
        if store is not None:
            self._show(sync_now(self._runner, [store]))

    def sync_all(self) -> None:
        self._show(sync_now(self._runner, store_db.list_stores()))

    def _show(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()


def sync_all_action(parent: QWidget, runner: JobRunner | None, show: Callable[[str], None]) -> QAction:
    """The window's "Sync all stores now" (F5); ``show(text)`` reports the outcome."""
    action = QAction("&Sync all stores now", parent)
    action.setObjectName("syncAllNow")
    action.setShortcut(QKeySequence("F5"))
    action.setEnabled(runner is not None)
    action.triggered.connect(lambda: show(sync_now(runner, store_db.list_stores())))
    return action
