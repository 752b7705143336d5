"""The Orders table: a window over the SQL query of ``fbm_desk.db.order_views`` (never every order in memory).

``rowCount`` grows page by page through ``canFetchMore``/``fetchMore`` as the view scrolls; the total comes
from one count query. Sorting and filtering re-run the query in SQLite (indexed), then reset the model.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont

from fbm_desk.db.order_views import (
    DayBounds,
    OrderListRow,
    OrderQuery,
    SortKey,
    count_orders,
    fetch_orders,
)
from fbm_desk.ui.table_models.formatting import (
    DUE_TODAY_COLOR,
    LATE_COLOR,
    PUSH_BADGES,
    STATE_BADGES,
    local_time,
    push_label,
    ship_by_status,
    state_label,
)

Index = QModelIndex | QPersistentModelIndex

# (header, sort key) in column order.
COLUMNS: tuple[tuple[str, SortKey], ...] = (
    ("Store", SortKey.STORE),
    ("Amazon order", SortKey.ORDER_ID),
    ("State", SortKey.STATE),
    ("Payment hold", SortKey.PAYMENT_HOLD),
    ("Purchased", SortKey.PURCHASE_DATE),
    ("Ship by", SortKey.SHIP_BY),
    ("Service", SortKey.SERVICE_LEVEL),
    ("Prime / Business", SortKey.PRIME_BUSINESS),
    ("Items", SortKey.ITEMS),
    ("Ship to", SortKey.SHIP_TO),
    ("Tracking push", SortKey.PUSH_STATE),
)
COL_STORE, COL_ORDER, COL_STATE, COL_HOLD, COL_PURCHASED, COL_SHIP_BY = range(6)
COL_SERVICE, COL_FLAGS, COL_ITEMS, COL_SHIP_TO, COL_PUSH = range(6, 11)

ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the OrderListRow of a row
BADGE_ROLE = Qt.ItemDataRole.UserRole + 2  # (text, background, foreground) for the badge delegate


class OrdersTableModel(QAbstractTableModel):
    """Read-only orders over all stores; ``set_query`` to filter/search, ``sort`` to sort (both in SQL)."""

    page_size = 200
    total_changed = Signal(int)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._query = OrderQuery()
        self._rows: list[OrderListRow] = []
        self._total = 0
        self._day = DayBounds.at()
        self._now = datetime.now().astimezone()
        self._fetching = False  # views (and the model tester) may ask for more while rows are being inserted

    # --- query -------------------------------------------------------------------------------------------

    @property
    def query(self) -> OrderQuery:
        return self._query

    @property
    def total(self) -> int:
        """How many orders match the current query (not how many are loaded)."""
        return self._total

    def set_query(self, query: OrderQuery) -> None:
        """Run ``query`` (count + first page) and reset the view."""
        self._query = query
        self._reload(self.page_size)

    def refresh(self) -> None:
        """Re-read after data changed (a sync finished, a package was saved), keeping as many rows loaded."""
        self._reload(max(self.page_size, len(self._rows)))

    def _reload(self, keep: int) -> None:
        # No fetchMore while the reset is being announced: listeners of modelReset may ask for more.
        self._fetching = True
        try:
            self.beginResetModel()
            self._day = DayBounds.at()
            self._now = datetime.now().astimezone()
            self._total = count_orders(self._query, day=self._day)
            keep = min(keep, self._total)
            self._rows = fetch_orders(self._query, 0, keep, day=self._day) if keep else []
            self.endResetModel()
        finally:
            self._fetching = False
        self.total_changed.emit(self._total)

    def row_at(self, row: int) -> OrderListRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of_order(self, order_id: int) -> int:
        """The loaded row showing local order ``order_id``, or -1."""
        for i, r in enumerate(self._rows):
            if r.id == order_id:
                return i
        return -1

    # --- Qt model API ------------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:
        return not parent.isValid() and not self._fetching and len(self._rows) < self._total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:
        if parent.isValid() or self._fetching:
            return
        start = len(self._rows)
        page = fetch_orders(self._query, start, self.page_size, day=self._day)
        if not page:
            self._total = start  # the table shrank since the count: stop asking
            return
        self._fetching = True
        try:
            self.beginInsertRows(QModelIndex(), start, start + len(page) - 1)
            self._rows.extend(page)
            self.endInsertRows()
        finally:
            self._fetching = False

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        key = COLUMNS[column][1]
        descending = order == Qt.SortOrder.DescendingOrder
        if key == self._query.sort and descending == self._query.descending and self._rows:
            return
        self.set_query(replace(self._query, sort=key, descending=descending))

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section][0]
            if role == Qt.ItemDataRole.ToolTipRole and section == COL_SHIP_BY:
                return "Latest ship date: red = late, orange = due today"
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return section + 1
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        r = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(r, col)
        if role == ROW_ROLE:
            return r
        if role == BADGE_ROLE:
            if col == COL_STATE:
                return STATE_BADGES.get(r.state)
            if col == COL_PUSH and r.push_state:
                return PUSH_BADGES.get(r.push_state)
            return None
        if role == Qt.ItemDataRole.ForegroundRole and col == COL_SHIP_BY:
            status = ship_by_status(r.latest_ship_date, r.state, self._now)
            if status == "late":
                return QBrush(LATE_COLOR)
            if status == "today":
                return QBrush(DUE_TODAY_COLOR)
        if role == Qt.ItemDataRole.ForegroundRole and col == COL_HOLD and r.payment_hold:
            return QBrush(QColor("#7a4b00"))
        if role == Qt.ItemDataRole.FontRole and (
            (col == COL_SHIP_BY and ship_by_status(r.latest_ship_date, r.state, self._now))
            or (col == COL_HOLD and r.payment_hold)
        ):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(r, col)
        return None

    def _display(self, r: OrderListRow, col: int) -> str:
        if col == COL_STORE:
            return r.store_name
        if col == COL_ORDER:
            return r.amazon_order_id + ("  ⚠ needs mapping" if r.needs_mapping else "")
        if col == COL_STATE:
            return state_label(r.state)
        if col == COL_HOLD:
            return "Payment hold" if r.payment_hold else ""
        if col == COL_PURCHASED:
            return local_time(r.purchase_date)
        if col == COL_SHIP_BY:
            status = ship_by_status(r.latest_ship_date, r.state, self._now)
            if status == "today":
                return "Today " + local_time(r.latest_ship_date)[11:]
            return ("LATE " if status == "late" else "") + local_time(r.latest_ship_date)
        if col == COL_SERVICE:
            return r.service_level
        if col == COL_FLAGS:
            return " · ".join(x for x, on in (("Prime", r.is_prime), ("Business", r.is_business)) if on)
        if col == COL_ITEMS:
            if not r.first_sku:
                return str(r.units)
            if r.lines == 1:
                return f"{r.units} × {r.first_sku}"
            return f"{r.units} units: {r.first_sku} +{r.lines - 1} more"
        if col == COL_SHIP_TO:
            if r.state == "held" and not r.ship_city:
                return "(address after release)"
            return ", ".join(x for x in (r.ship_city, r.ship_country) if x)
        if col == COL_PUSH:
            return push_label(r.push_state) if r.push_state else ""
        return ""

    def _tooltip(self, r: OrderListRow, col: int) -> str | None:
        if col == COL_STATE:
            return f"Amazon status: {r.amazon_status}"
        if col == COL_HOLD and r.payment_hold:
            return "Imported while Amazon checks the payment: stock is allocated, do not ship yet."
        if col == COL_ORDER and r.needs_mapping:
            return "An item's SKU is not a warehouse SKU yet: map it in the Products tab."
        if col == COL_PUSH and r.push_state == "queued":
            return "Queued — will be sent with the next tracking push."
        return None
