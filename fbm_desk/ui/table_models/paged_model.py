"""A read-mostly table model over a SQL read model: one count query, pages loaded by ``fetchMore``.

Subclasses give the columns (``headers, sort_keys = split_columns(...)``) and three functions:
``count(query)`` and ``fetch(query, offset, limit)`` (methods, or the read model's functions passed to the
constructor) and ``display(row, column)``; sorting maps a column to the query's sort key and re-runs the query
in SQL.

Each page is read with one row more than it shows, so whether more rows follow is known without a count.
A model with ``count_off_thread`` never waits for its count when the first page is full: the rows are shown
at once, ``counting`` is true and ``total`` is what is loaded so far until the count, read on the reader
thread (``ui.background_reads``), arrives through ``total_changed``. A result that fits one page is its own
count.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal

from fbm_desk.ui.background_reads import LatestRead

Index = QModelIndex | QPersistentModelIndex
Q = TypeVar("Q")
R = TypeVar("R")
ROW_ROLE = Qt.ItemDataRole.UserRole + 1
BADGE_ROLE = Qt.ItemDataRole.UserRole + 2
# Roles as plain ints: ``data`` runs for every visible cell and role on each paint, and reading a PySide enum
# member costs about a microsecond each time.
DISPLAY = int(Qt.ItemDataRole.DisplayRole)
EDIT = int(Qt.ItemDataRole.EditRole)
FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
FONT = int(Qt.ItemDataRole.FontRole)
TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
ROW = int(ROW_ROLE)
BADGE = int(BADGE_ROLE)


def split_columns(columns: Sequence[tuple[str, Any]]) -> tuple[tuple[str, ...], tuple[Any, ...]]:
    """``(header, sort key or None)`` per column -> ``(headers, sort_keys)`` for a ``PagedSqlModel``."""
    return tuple(h for h, _ in columns), tuple(k for _, k in columns)


class PagedSqlModel(QAbstractTableModel, Generic[Q, R]):
    page_size = 200
    headers: tuple[str, ...] = ()
    sort_keys: tuple[Any, ...] = ()  # per column: the query's sort value, or None when not sortable
    count_off_thread = False  # True: a full first page shows before its count (read on the reader thread)
    total_changed = Signal(int)

    def __init__(
        self,
        query: Q,
        parent: Any = None,
        *,
        count: Callable[[Q], int] | None = None,
        fetch: Callable[[Q, int, int], list[R]] | None = None,
    ) -> None:
        super().__init__(parent)
        self._count = count
        self._fetch = fetch
        self._query = query
        self._rows: list[R] = []
        self._total = 0
        self._counting = False
        self._more = False  # the last page read was full: more rows follow
        self._fetching = False
        self._counter = LatestRead(self, self._on_counted) if self.count_off_thread else None

    # --- to implement ------------------------------------------------------------------------------------

    def count(self, query: Q) -> int:
        if self._count is None:
            raise NotImplementedError
        return self._count(query)

    def fetch(self, query: Q, offset: int, limit: int) -> list[R]:
        if self._fetch is None:
            raise NotImplementedError
        return self._fetch(query, offset, limit)

    def count_job(self, query: Q) -> Callable[[], int]:
        """What the reader thread runs for ``count_off_thread``: a function of its own (no model access)."""
        count = self._count
        if count is None:
            raise NotImplementedError
        return lambda: count(query)

    def display(self, row: R, column: int) -> Any:
        raise NotImplementedError

    def role_data(self, row: R, column: int, role: int) -> Any:
        """Other roles (colors, tooltips, badges); None by default."""
        return None

    # --- query -------------------------------------------------------------------------------------------

    @property
    def query(self) -> Q:
        return self._query

    @property
    def total(self) -> int:
        """How many rows match: the count, or the rows loaded so far while ``counting``."""
        return self._total

    @property
    def counting(self) -> bool:
        return self._counting

    def set_query(self, query: Q) -> None:
        self._query = query
        self._reload(self.page_size)

    def refresh(self) -> None:
        self._reload(max(self.page_size, len(self._rows)))

    def _reload(self, keep: int) -> None:
        self._fetching = True  # no fetchMore while the reset is being announced
        try:
            self.beginResetModel()
            if self._counter is None:
                self._total = self.count(self._query)
                keep = min(keep, self._total)
                self._rows = self.fetch(self._query, 0, keep) if keep else []
                self._more = len(self._rows) < self._total
            else:
                rows = self.fetch(self._query, 0, keep + 1)
                self._more = len(rows) > keep
                self._rows = rows[:keep]
                self._total = len(self._rows)
            self.endResetModel()
        finally:
            self._fetching = False
        self._counting = self._counter is not None and self._more
        if self._counter is not None:
            self._counter.cancel()
            if self._counting:  # once the rows are painted (the event loop's next pass): they go first
                QTimer.singleShot(0, self, partial(self._start_count, self._query))
        self.total_changed.emit(self._total)

    def _start_count(self, query: Q) -> None:
        if self._counter is not None and self._counting and query is self._query:  # not superseded meanwhile
            self._counter.load(self.count_job(query))

    def _on_counted(self, total: object) -> None:
        if not isinstance(total, int):
            return  # the count failed (logged): keep "counting…" until the next refresh
        self._counting = False
        self._total = max(total, len(self._rows))
        self.total_changed.emit(self._total)

    def row_at(self, row: int) -> R | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rows(self) -> list[R]:
        return list(self._rows)

    # --- Qt model API ------------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.headers)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:
        return not parent.isValid() and not self._fetching and self._more

    def fetchMore(self, parent: Index = QModelIndex()) -> None:
        if parent.isValid() or self._fetching:
            return
        start = len(self._rows)
        page = self.fetch(self._query, start, self.page_size + 1)
        self._more = len(page) > self.page_size
        page = page[: self.page_size]
        if not page:
            self._total = start
            return
        if self._counting:
            self._total = start + len(page)
        self._fetching = True
        try:
            self.beginInsertRows(QModelIndex(), start, start + len(page) - 1)
            self._rows.extend(page)
            self.endInsertRows()
        finally:
            self._fetching = False

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.sort_keys) or self.sort_keys[column] is None:
            return
        descending = order == Qt.SortOrder.DescendingOrder
        q: Any = self._query
        if q.sort == self.sort_keys[column] and q.descending == descending and self._rows:
            return
        self.set_query(replace(q, sort=self.sort_keys[column], descending=descending))

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.headers):
            return self.headers[section]
        if orientation == Qt.Orientation.Vertical:
            return section + 1
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        number = index.row()  # -1 for an invalid index
        if not 0 <= number < len(self._rows):
            return None
        row = self._rows[number]
        if role in (DISPLAY, EDIT):
            return self.display(row, index.column())
        if role == ROW:
            return row
        return self.role_data(row, index.column(), role)
