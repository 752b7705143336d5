"""Sync health in the GUI: the status-bar widget (per store: idle / running job X / last failure) and the
"Sync log" dialog over recent ``sync_run`` rows.

Wiring (in ``app.py`` / the main window)::

    window.statusBar().addPermanentWidget(SyncStatusWidget(services.runner))

The widget listens to the runner's signals only; the log dialog reads ``fbm_desk.db.sync_runs_view`` and
refreshes when a job ends. Per-store/job health for the Stores tab: ``services.scheduler.health(store_id)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Slot,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from fbm_desk.db import stores as store_db
from fbm_desk.db.sync_runs_view import SyncRunRow, recent_runs
from fbm_desk.errors import NotFound
from fbm_desk.sync.base import JOB_TITLES, JobKind, SyncResult
from fbm_desk.ui.dialog_parts import close_buttons
from fbm_desk.ui.tab_parts import row_table
from fbm_desk.ui.table_models.formatting import ALIGN_RIGHT

if TYPE_CHECKING:
    from fbm_desk.sync.runner import JobRunner

SORT_ROLE = Qt.ItemDataRole.UserRole
LOG_LIMIT = 500
FAILED_COLOR = QColor("#b00020")
RESULT_LABELS = {"ok": "OK", "failed": "Failed", "canceled": "Canceled", "running": "Running…"}

Index = QModelIndex | QPersistentModelIndex


def job_title(job: str) -> str:
    try:
        return JOB_TITLES[JobKind(job)]
    except ValueError:
        return job


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return "running…"
    if seconds < 1:
        return "< 1 s"  # run timestamps are stored to the second
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s"


def local_stamp(value: datetime | None) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M:%S") if value else ""


# ----- the sync log model -----------------------------------------------------------------------------------


class SyncLogModel(QAbstractTableModel):
    """Recent sync runs, newest first. ``refresh()`` re-reads them (one indexed query, ``LOG_LIMIT`` rows)."""

    COLUMNS = (
        "Store",
        "Job",
        "Started",
        "Duration",
        "Result",
        "Fetched",
        "Created",
        "Updated",
        "API calls",
        "Throttled",
        "Error",
    )
    NUMERIC = frozenset({5, 6, 7, 8, 9})

    def __init__(self, parent: Any = None, *, limit: int = LOG_LIMIT) -> None:
        super().__init__(parent)
        self._limit = limit
        self._rows: list[SyncRunRow] = []

    def refresh(self) -> None:
        rows = recent_runs(self._limit)
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def run_at(self, row: int) -> SyncRunRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if role == Qt.ItemDataRole.DisplayRole and horizontal and 0 <= section < len(self.COLUMNS):
            return self.COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows) or index.column() >= len(self.COLUMNS):
            return None
        run = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(run, col)
        if role == SORT_ROLE:
            return self._sort_key(run, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == 10 and run.error:
                return run.error
            if col == 4 and run.summary:
                return run.summary
            if col == 9 and run.throttled:
                return f"{run.throttled} throttled answer(s) from Amazon, waited {run.throttle_wait_s:.1f} s"
            return None
        if role == Qt.ItemDataRole.ForegroundRole and run.status == "failed" and col in (4, 10):
            return FAILED_COLOR
        if role == Qt.ItemDataRole.TextAlignmentRole and col in self.NUMERIC:
            return ALIGN_RIGHT
        return None

    @staticmethod
    def _display(run: SyncRunRow, col: int) -> str:
        if col == 0:
            return run.store_name or "(removed store)"
        if col == 1:
            return job_title(run.job)
        if col == 2:
            return local_stamp(run.started_at)
        if col == 3:
            return format_duration(run.duration_s)
        if col == 4:
            label = RESULT_LABELS.get(run.status, run.status)
            return f"{label} ({run.rejected} rejected)" if run.rejected else label
        if col == 9:
            return (
                f"{run.throttled} ({run.throttle_wait_s:.0f} s)"
                if run.throttle_wait_s >= 1
                else str(run.throttled)
            )
        if col == 10:
            return run.error.splitlines()[0] if run.error else ""
        counts = {5: run.fetched, 6: run.created, 7: run.updated, 8: run.api_calls}
        return str(counts.get(col, ""))

    @staticmethod
    def _sort_key(run: SyncRunRow, col: int) -> Any:
        keys: tuple[Any, ...] = (
            (run.store_name or "").lower(),
            run.job,
            run.started_at.timestamp(),
            run.duration_s if run.duration_s is not None else -1.0,
            run.status,
            run.fetched,
            run.created,
            run.updated,
            run.api_calls,
            run.throttled,
            run.error,
        )
        return keys[col]


class SyncLogDialog(QDialog):
    """Recent runs (sortable) with the selected run's full summary and error, copyable for support."""

    def __init__(self, runner: JobRunner | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncLogDialog")
        self.setWindowTitle("Sync log")
        self.resize(1000, 520)
        self.model = SyncLogModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = row_table("syncLogTable", self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(2, Qt.SortOrder.DescendingOrder)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.details = QPlainTextEdit()
        self.details.setObjectName("syncLogDetails")
        self.details.setReadOnly(True)
        self.details.setPlaceholderText("Select a run to see its summary and error.")
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 1)
        buttons, self.refresh_button = close_buttons(self, "Refresh", self.refresh)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        layout.addWidget(buttons)
        self.table.selectionModel().currentRowChanged.connect(self._show_details)
        if runner is not None:
            runner.job_finished.connect(self._job_ended)
            runner.job_failed.connect(self._job_ended)
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        self.model.refresh()
        self.details.clear()

    @Slot(int, str, object)
    def _job_ended(self, _store_id: int, _kind: str, _result: object) -> None:
        if self.isVisible():
            self.refresh()

    @Slot(QModelIndex, QModelIndex)
    def _show_details(self, current: QModelIndex, _previous: QModelIndex) -> None:
        run = self.model.run_at(self.proxy.mapToSource(current).row()) if current.isValid() else None
        if run is None:
            self.details.clear()
            return
        lines = [
            f"{run.store_name} · {job_title(run.job)} · {RESULT_LABELS.get(run.status, run.status)} "
            f"({run.trigger}) · started {local_stamp(run.started_at)} · {format_duration(run.duration_s)}",
            f"fetched {run.fetched}, created {run.created}, updated {run.updated}, skipped {run.skipped}, "
            f"rejected {run.rejected}; {run.api_calls} API calls, {run.throttled} throttled "
            f"({run.throttle_wait_s:.1f} s waited)",
        ]
        if run.summary:
            lines += ["", run.summary]
        if run.error:
            lines += ["", f"Error: {run.error}"]
        self.details.setPlainText("\n".join(lines))


# ----- the status-bar widget --------------------------------------------------------------------------------


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
        if self._dialog is None:
            self._dialog = SyncLogDialog(self._runner, self.window())
        self._dialog.refresh()
        self._dialog.show()
        self._dialog.raise_()
        return self._dialog
