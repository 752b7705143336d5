"""Sync health in the status bar: per store idle / running job X / last failure, and the "Sync log" button.

Wiring (in ``app.py`` / the main window)::

    window.statusBar().addPermanentWidget(SyncStatusWidget(services.runner))

The widget listens to the runner's signals only; the log dialog (``sync_log_dialog.py``) reads
``fbm_desk.db.sync_runs_view`` and refreshes when a job ends. Per-store/job health for the Stores tab:
``services.scheduler.health(store_id)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QToolButton, QWidget

from fbm_desk.db import stores as store_db
from fbm_desk.foundation.errors import NotFound
from fbm_desk.sync.base import SyncResult
from fbm_desk.ui.sync_log_dialog import SyncLogDialog
from fbm_desk.ui.table_models.formatting import job_title
from fbm_desk.ui.table_models.sync_log_model import FAILED_COLOR

if TYPE_CHECKING:
    from fbm_desk.sync.runner import JobRunner


@dataclass
class StoreSyncState:
    """What the status bar knows about one store, from the runner's signals."""

    name: str
    running: str | None = None  # job kind
    message: str = ""
    done: int = -1
    total: int = -1
    failures: dict[str, str] = field(default_factory=dict)  # job kind -> error of its last (failed) run
    needs_reconnect: str = ""
    last_ok: datetime | None = None

    @property
    def state(self) -> str:
        """``running`` | ``reconnect`` | ``failed`` | ``idle``."""
        if self.running:
            return "running"
        if self.needs_reconnect:
            return "reconnect"
        return "failed" if self.failures else "idle"

    def describe(self) -> str:
        if self.running:
            text = f"{self.name}: {job_title(self.running)}"
            return f"{text} — {self.message}" if self.message else f"{text}…"
        if self.needs_reconnect:
            return f"{self.name}: needs reconnecting — {self.needs_reconnect}"
        if self.failures:
            jobs = ", ".join(job_title(kind) for kind in self.failures)
            return f"{self.name}: {jobs} failed — {next(iter(self.failures.values()))}"
        when = f" (last sync {self.last_ok.astimezone().strftime('%H:%M')})" if self.last_ok else ""
        return f"{self.name}: idle{when}"


class SyncStatusWidget(QWidget):
    """Status-bar widget: a busy/progress bar while jobs run, the most important store state as text, the
    other stores in the tooltip, and a "Sync log" button."""

    def __init__(self, runner: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncStatus")
        self._runner = runner
        self.stores: dict[int, StoreSyncState] = {}
        self._dialog: SyncLogDialog | None = None
        self.progress = QProgressBar()
        self.progress.setObjectName("syncProgress")
        self.progress.setMaximumWidth(120)
        self.progress.setMaximumHeight(14)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.label = QLabel("Sync: idle")
        self.label.setObjectName("syncStatusLabel")
        self.log_button = QToolButton()
        self.log_button.setObjectName("syncLogButton")
        self.log_button.setText("Sync log")
        self.log_button.setAutoRaise(True)
        self.log_button.clicked.connect(self.open_log)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.addWidget(self.progress)
        layout.addWidget(self.label)
        layout.addWidget(self.log_button)
        runner.job_started.connect(self._on_started)
        runner.job_progress.connect(self._on_progress)
        runner.job_finished.connect(self._on_finished)
        runner.job_failed.connect(self._on_failed)
        runner.store_needs_reconnect.connect(self._on_reconnect)
        self._render()

    def _state(self, store_id: int, name: str = "") -> StoreSyncState:
        state = self.stores.get(store_id)
        if state is None:
            if not name:
                try:
                    name = store_db.get_store(store_id).name
                except NotFound:
                    name = f"Store #{store_id}"
            state = self.stores[store_id] = StoreSyncState(name=name)
        return state

    @Slot(int, str)
    def _on_started(self, store_id: int, kind: str) -> None:
        state = self._state(store_id)
        state.running, state.message, state.done, state.total = kind, "", -1, -1
        self._render()

    @Slot(int, str, str, int, int)
    def _on_progress(self, store_id: int, kind: str, message: str, done: int, total: int) -> None:
        state = self._state(store_id)
        state.running, state.message, state.done, state.total = kind, message, done, total
        self._render()

    @Slot(int, str, object)
    def _on_finished(self, store_id: int, kind: str, result: SyncResult) -> None:
        state = self._state(store_id, result.store)
        state.running = None
        if result.status == "ok":
            state.failures.pop(kind, None)
            state.needs_reconnect = ""
            state.last_ok = datetime.now().astimezone()
        self._render()

    @Slot(int, str, object)
    def _on_failed(self, store_id: int, kind: str, result: SyncResult) -> None:
        state = self._state(store_id, result.store)
        state.running = None
        state.failures[kind] = result.error or "unknown error"
        self._render()

    @Slot(int, str)
    def _on_reconnect(self, store_id: int, message: str) -> None:
        self._state(store_id).needs_reconnect = message
        self._render()

    def headline(self) -> StoreSyncState | None:
        """The store state worth the status bar's one line: running first, then reconnect, then failures."""
        order = {"running": 0, "reconnect": 1, "failed": 2, "idle": 3}
        states = sorted(self.stores.values(), key=lambda s: (order[s.state], s.name.lower()))
        return states[0] if states else None

    def _render(self) -> None:
        top = self.headline()
        running = [s for s in self.stores.values() if s.running]
        if top is None:
            self.label.setText("Sync: idle")
        elif top.state == "running":
            more = f" (+{len(running) - 1} more)" if len(running) > 1 else ""
            self.label.setText(f"Syncing {top.describe()}{more}")
        elif top.state in ("reconnect", "failed"):
            self.label.setText(f"⚠ {top.describe()}")
        else:
            self.label.setText(f"Sync: {top.describe()}")
        bad = top is not None and top.state in ("reconnect", "failed")
        self.label.setStyleSheet(f"QLabel {{ color: {FAILED_COLOR.name()}; }}" if bad else "")
        if top is not None and top.state == "running":
            if top.total > 0:
                self.progress.setRange(0, top.total)
                self.progress.setValue(max(0, min(top.done, top.total)))
            else:
                self.progress.setRange(0, 0)  # busy indicator: the total is unknown
            self.progress.show()
        else:
            self.progress.hide()
        tips = [s.describe() for s in sorted(self.stores.values(), key=lambda s: s.name.lower())]
        self.setToolTip("\n".join(tips) or "No sync has run yet in this session.")

    @Slot()
    def open_log(self) -> SyncLogDialog:
        if self._dialog is None:  # built once, reading the runs; then kept, and each later open re-reads them
            self._dialog = SyncLogDialog(self._runner, self.window())
        else:
            self._dialog.refresh()
        self._dialog.show()
        self._dialog.raise_()
        return self._dialog
