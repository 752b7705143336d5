"""The "Sync log" dialog: recent runs (sortable) and the selected run's full summary and error."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt, Slot
from PySide6.QtWidgets import QDialog, QPlainTextEdit, QSplitter, QTableView, QVBoxLayout, QWidget

from fbm_desk.foundation.wording import plural
from fbm_desk.ui.dialog_parts import close_buttons
from fbm_desk.ui.tab_parts import row_table, set_column_widths
from fbm_desk.ui.table_models.formatting import job_title
from fbm_desk.ui.table_models.sync_log_model import (
    RESULT_LABELS,
    SyncLogModel,
    format_duration,
    local_stamp,
)

if TYPE_CHECKING:
    from fbm_desk.sync.runner import JobRunner

# The widest usual value of each column but the last (Error, stretched). Widths come from these and the
# headers, once: measuring the rows on screen (``ResizeToContents``) asked the model for every visible cell
# again at each layout pass of the opening dialog. The columns stay resizable by hand.
_WIDEST = (
    "Demo Brand US",
    "Full product import",
    "2026-12-07 14:42:00",
    "12 min 05 s",
    "Running…",
    "100000",
    "100000",
    "100000",
    "10000",
    "10 (60 s)",
)


def fit_log_columns(table: QTableView) -> list[int]:
    """Pixel widths of the log's columns in ``table``'s fonts (room for the header's sort arrow)."""
    cells, header = table.fontMetrics(), table.horizontalHeader().fontMetrics()
    titles = SyncLogModel.COLUMNS
    return [
        max(cells.horizontalAdvance(text) + 12, header.horizontalAdvance(title) + 28)
        for text, title in zip(_WIDEST, titles, strict=False)
    ]


class SyncLogDialog(QDialog):
    """Recent runs (sortable) with the selected run's full summary and error, copyable for support."""

    def __init__(self, runner: JobRunner | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncLogDialog")
        self.setWindowTitle("Sync log")
        self.resize(1000, 520)
        self.model = SyncLogModel(self)  # sorts its rows itself (see its module)
        self.table = row_table("syncLogTable", self.model)
        self.table.horizontalHeader().setSortIndicator(2, Qt.SortOrder.DescendingOrder)
        self.table.setSortingEnabled(True)
        set_column_widths(self.table, fit_log_columns(self.table))
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
        run = self.model.run_at(current.row()) if current.isValid() else None
        if run is None:
            self.details.clear()
            return
        lines = [
            f"{run.store_name} · {job_title(run.job)} · {RESULT_LABELS.get(run.status, run.status)} "
            f"({run.trigger}) · started {local_stamp(run.started_at)} · {format_duration(run.duration_s)}",
            f"fetched {run.fetched}, created {run.created}, updated {run.updated}, skipped {run.skipped}, "
            f"rejected {run.rejected}; {plural(run.api_calls, 'request')} to Amazon, "
            f"{run.throttled} slowed down by Amazon's rate limit ({run.throttle_wait_s:.1f} s waited)",
        ]
        if run.summary:
            lines += ["", run.summary]
        if run.error:
            lines += ["", f"Error: {run.error}"]
        self.details.setPlainText("\n".join(lines))
