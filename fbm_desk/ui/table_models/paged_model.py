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

A model with ``page_budget_ms`` (and ``count_off_thread``) does not wait longer than that for a page either: the
window's thread reads under ``db.read_budget``, and a page still being read when the budget is spent is read
again on the reader thread. Meanwhile ``loading`` is true: a new query shows no rows, a refresh keeps showing
its old ones, and no further page is asked for. ``rows_arrived`` says when the page is shown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal

from fbm_desk.db.read_budget import ReadOverBudget, read_budget
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
CELL_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
# A timer, not ``singleShot(0)``: that is a posted call, run before the paint (Qt posts the window's update
# request at low priority), so a count started that way ran on the reader thread during the paint, competing
# for the two cores and the GIL. Timers fire after every posted event, the paint included.
AFTER_PAINT_MS = 1
NO_FLAGS = Qt.ItemFlag.NoItemFlags


def split_columns(columns: Sequence[tuple[str, Any]]) -> tuple[tuple[str, ...], tuple[Any, ...]]:
    """``(header, sort key or None)`` per column -> ``(headers, sort_keys)`` for a ``PagedSqlModel``."""
    return tuple(h for h, _ in columns), tuple(k for _, k in columns)


class PagedSqlModel(QAbstractTableModel, Generic[Q, R]):
    page_size = 200
    headers: tuple[str, ...] = ()
    sort_keys: tuple[Any, ...] = ()  # per column: the query's sort value, or None when not sortable
    count_off_thread = False  # True: a full first page shows before its count (read on the reader thread)
    # With count_off_thread: a page read on the window's thread that runs longer moves to the reader thread.
    page_budget_ms: float | None = None
    total_changed = Signal(int)
    rows_arrived = Signal(bool)  # a page read on the reader thread is shown: True for a first page (a reset)

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
        budget = self.count_off_thread and self.page_budget_ms is not None
        self._pager = LatestRead(self, self._on_page) if budget else None
        # the page being read on the reader thread: its query, offset and how many rows it keeps
        self._pending: tuple[Q, int, int] | None = None

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

    def fetch_job(self, query: Q, offset: int, limit: int) -> Callable[[], list[R]]:
        """What the reader thread runs for a page over ``page_budget_ms``: a function of its own."""
        fetch = self._fetch
        if fetch is None:
            raise NotImplementedError
        return lambda: fetch(query, offset, limit)

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

    @property
    def loading(self) -> bool:
        """A page of this query is being read on the reader thread (``rows_arrived`` follows)."""
        return self._pending is not None

    def set_query(self, query: Q) -> None:
        self._query = query
        self._reload(self.page_size, clear=True)

    def refresh(self) -> None:
        self._reload(max(self.page_size, len(self._rows)), clear=False)

    def _reload(self, keep: int, *, clear: bool) -> None:
        if self._counter is None:
            self._fetching = True  # no fetchMore while the reset is being announced
            try:
                self.beginResetModel()
                self._total = self.count(self._query)
                keep = min(keep, self._total)
                self._rows = self.fetch(self._query, 0, keep) if keep else []
                self._more = len(self._rows) < self._total
                self.endResetModel()
            finally:
                self._fetching = False
            self.total_changed.emit(self._total)
            return
        self._counter.cancel()
        self._cancel_page()
        rows = self._read_page(self._query, 0, keep + 1)
        if rows is not None:
            self._show_first(rows, keep)
            return
        self._read_page_off_thread(self._query, 0, keep)  # over the budget
        if clear:  # a new query: the old rows would mislead; a refresh shows them until the new ones come
            self._show_first([], 0)
        self._counting = False
        self.total_changed.emit(self._total)

    def _show_first(self, rows: list[R], keep: int) -> None:
        self._fetching = True  # no fetchMore while the reset is being announced
        try:
            self.beginResetModel()
            self._more = len(rows) > keep
            self._rows = rows[:keep]
            self._total = len(self._rows)
            self.endResetModel()
        finally:
            self._fetching = False
        self._counting = self._more
        if self._counting:  # once the rows are painted: they go first, without the count's thread beside
            QTimer.singleShot(AFTER_PAINT_MS, self, partial(self._start_count, self._query))
        self.total_changed.emit(self._total)

    def _read_page(self, query: Q, offset: int, limit: int) -> list[R] | None:
        """The rows, or None when the read passed ``page_budget_ms`` (stopped: it is for the reader thread)."""
        if self._pager is None or self.page_budget_ms is None:
            return self.fetch(query, offset, limit)
        try:
            with read_budget(self.page_budget_ms):
                return self.fetch(query, offset, limit)
        except ReadOverBudget:
            return None

    def _read_page_off_thread(self, query: Q, offset: int, keep: int) -> None:
        if self._pager is not None:
            self._pending = (query, offset, keep)
            self._pager.load(self.fetch_job(query, offset, keep + 1))

    def _cancel_page(self) -> None:
        if self._pager is not None:
            self._pager.cancel()
        self._pending = None

    def _on_page(self, rows: object) -> None:
        pending, self._pending = self._pending, None
        if pending is None or pending[0] is not self._query:
            return  # superseded (the reader's result of an older request is dropped before this)
        if not isinstance(rows, list):  # the read failed (logged): what is shown stays; the next refresh asks
            self.total_changed.emit(self._total)
            return
        _query, offset, keep = pending
        if offset == 0:
            self._show_first(rows, keep)
        elif offset == len(self._rows):
            self._append(rows)
            self.total_changed.emit(self._total)
        self.rows_arrived.emit(offset == 0)

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
        return not parent.isValid() and not self._fetching and self._more and self._pending is None

    def fetchMore(self, parent: Index = QModelIndex()) -> None:
        if parent.isValid() or self._fetching or self._pending is not None:
            return
        start = len(self._rows)
        page = self._read_page(self._query, start, self.page_size + 1)
        if page is None:
            self._read_page_off_thread(self._query, start, self.page_size)
        else:
            self._append(page)

    def _append(self, page: list[R]) -> None:
        start = len(self._rows)
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
        if q.sort == self.sort_keys[column] and q.descending == descending and (self._rows or self.loading):
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
        # Asked for every visible cell on each paint: the flags are made once (``|`` of two PySide enum
        # members builds a new flag object each time, ~10 µs).
        return CELL_FLAGS if index.isValid() else NO_FLAGS

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
