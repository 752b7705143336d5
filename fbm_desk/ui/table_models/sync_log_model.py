"""The Sync log table: recent ``sync_run`` rows, newest first; ``sort`` orders the rows it holds.

The rows are sorted here, in one ``list.sort`` by a key per run, not by a ``QSortFilterProxyModel`` over
``SORT_ROLE``: the proxy asked ``data`` for two sort keys per comparison (~15,000 calls from C++ into Python
for 500 runs, twice on the first open: ~0.15 s on the window's thread).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from fbm_desk.db.states import SyncRunStatus
from fbm_desk.db.sync_runs_view import SyncRunRow, recent_runs
from fbm_desk.foundation.wording import plural
from fbm_desk.ui.table_models.formatting import ALIGN_RIGHT, job_title

SORT_ROLE = Qt.ItemDataRole.UserRole
LOG_LIMIT = 500
FAILED_COLOR = QColor("#b00020")
RESULT_LABELS: dict[str, str] = {
    SyncRunStatus.OK: "OK",
    SyncRunStatus.FAILED: "Failed",
    SyncRunStatus.CANCELED: "Canceled",
    SyncRunStatus.RUNNING: "Running…",
}

Index = QModelIndex | QPersistentModelIndex


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


class SyncLogModel(QAbstractTableModel):
    """Recent sync runs, newest first. ``refresh()`` re-reads them (one indexed query, ``LOG_LIMIT`` rows) in
    the order of the last ``sort``."""

    COLUMNS = (
        "Store",
        "Job",
        "Started",
        "Duration",
        "Result",
        "Fetched",
        "Created",
        "Updated",
        "Requests",
        "Rate-limited",
        "Error",
    )
    NUMERIC = frozenset({5, 6, 7, 8, 9})

    def __init__(self, parent: Any = None, *, limit: int = LOG_LIMIT) -> None:
        super().__init__(parent)
        self._limit = limit
        self._read: list[SyncRunRow] = []  # as the query returned them, newest first
        self._rows: list[SyncRunRow] = []  # as shown: ``_read`` in the order of the last ``sort``
        self._order: tuple[int, bool] | None = None  # (column, descending) of the last sort

    def refresh(self) -> None:
        read = recent_runs(self._limit)
        self.beginResetModel()
        self._read = read
        self._rows = self._sorted()
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.COLUMNS):
            return
        self._order = (column, order == Qt.SortOrder.DescendingOrder)
        self.layoutAboutToBeChanged.emit()
        kept = self.persistentIndexList()  # the selection follows its run
        runs = [self._rows[i.row()] for i in kept]
        self._rows = self._sorted()
        where = {id(run): row for row, run in enumerate(self._rows)}
        moved = [self.index(where[id(run)], i.column()) for run, i in zip(runs, kept, strict=True)]
        self.changePersistentIndexList(kept, moved)
        self.layoutChanged.emit()

    def _sorted(self) -> list[SyncRunRow]:
        """The runs read, by the last sort; runs with equal keys stay newest first (a stable sort of the
        query's order, in either direction, as a ``QSortFilterProxyModel`` sorts)."""
        if self._order is None:
            return list(self._read)
        column, descending = self._order
        return sorted(self._read, key=lambda run: self._sort_key(run, column), reverse=descending)

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
                return (
                    f"Amazon's rate limit slowed {plural(run.throttled, 'request')}: "
                    f"waited {run.throttle_wait_s:.1f} s"
                )
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
