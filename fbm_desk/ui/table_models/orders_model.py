"""The Orders table: a window over the SQL query of ``fbm_desk.db.order_views`` (never every order in memory).

``rowCount`` grows page by page through ``canFetchMore``/``fetchMore`` as the view scrolls; the total comes
from one count query. Sorting and filtering re-run the query in SQLite (indexed), then reset the model.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor

from fbm_desk.db.order_views import (
    DayBounds,
    OrderListRow,
    OrderQuery,
    SortKey,
    count_orders,
    fetch_orders,
)
from fbm_desk.db.states import OrderState, PushState
from fbm_desk.foundation.wording import amazon_status_words
from fbm_desk.ui.table_models.formatting import (
    DUE_TODAY_COLOR,
    LATE_COLOR,
    PUSH_BADGES,
    STATE_BADGES,
    bold_font,
    local_time,
    push_label,
    ship_by_status,
    state_label,
)
from fbm_desk.ui.table_models.paged_model import (
    BADGE,
    DISPLAY,
    FONT,
    FOREGROUND,
    TOOLTIP,
    Index,
    PagedSqlModel,
    split_columns,
)

# (header, sort key) in column order.
COLUMNS: tuple[tuple[str, SortKey | None], ...] = (
    ("Store", SortKey.STORE),
    ("Amazon order", SortKey.ORDER_ID),
    ("State", SortKey.STATE),
    ("Hold", SortKey.PAYMENT_HOLD),
    ("Purchased", SortKey.PURCHASE_DATE),
    ("Ship by", SortKey.SHIP_BY),
    ("Service", SortKey.SERVICE_LEVEL),
    ("Prime / Business", SortKey.PRIME_BUSINESS),
    ("Items", SortKey.ITEMS),
    ("Ship to", SortKey.SHIP_TO),
    ("Tracking push", SortKey.PUSH_STATE),
    ("Warehouse", None),
)
COL_STORE, COL_ORDER, COL_STATE, COL_HOLD, COL_PURCHASED, COL_SHIP_BY = range(6)
COL_SERVICE, COL_FLAGS, COL_ITEMS, COL_SHIP_TO, COL_PUSH, COL_WAREHOUSE = range(6, 12)


CANCEL_BADGE = ("Cancel requested", "#fdd", "#c62828")  # the buyer asked to cancel an open order


def _cancel_asked(r: OrderListRow) -> bool:
    return r.flags.cancel_requested and r.state not in (OrderState.SHIPPED, OrderState.CANCELED)


class OrdersTableModel(PagedSqlModel[OrderQuery, OrderListRow]):
    """Read-only orders over all stores; ``set_query`` to filter/search, ``sort`` to sort (both in SQL)."""

    headers, sort_keys = split_columns(COLUMNS)
    count_off_thread = True  # a million orders: the rows never wait for their count
    page_budget_ms = 40.0  # ... nor the window for a page (some filter x sort pairs walk most of an index)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(OrderQuery(), parent)
        self._day = DayBounds.at()
        self._now = datetime.now().astimezone()
        self._cells: dict[tuple[int, int, int], Any] = {}

    def _reload(self, keep: int, *, clear: bool) -> None:
        # "Today" and "late" are re-evaluated on every reload; pages fetched later use the same day.
        self._day = DayBounds.at()
        self._now = datetime.now().astimezone()
        super()._reload(keep, clear=clear)

    def _show_first(self, rows: list[OrderListRow], keep: int) -> None:
        self._cells.clear()
        super()._show_first(rows, keep)
        self._cells.clear()  # nothing computed for a row object of before the reset

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        # Each paint asks every visible cell for ~8 roles: the answers (dates formatted, colors) are computed
        # once per row and role until the next reload. Keyed by the row object, alive as long as the rows are.
        number = index.row()
        if not 0 <= number < len(self._rows):
            return None
        key = (id(self._rows[number]), index.column(), role)
        try:
            return self._cells[key]
        except KeyError:
            value = self._cells[key] = super().data(index, role)
            return value

    def count(self, query: OrderQuery) -> int:
        return count_orders(query, day=self._day)

    def count_job(self, query: OrderQuery) -> Callable[[], int]:
        return partial(count_orders, query, day=self._day, materialize=False)  # a connection of its own

    def fetch(self, query: OrderQuery, offset: int, limit: int) -> list[OrderListRow]:
        return fetch_orders(query, offset, limit, day=self._day)

    def fetch_job(self, query: OrderQuery, offset: int, limit: int) -> Callable[[], list[OrderListRow]]:
        return partial(fetch_orders, query, offset, limit, day=self._day)  # on the reader's connection

    def row_of_order(self, order_id: int) -> int:
        """The loaded row showing local order ``order_id``, or -1."""
        for i, r in enumerate(self._rows):
            if r.id == order_id:
                return i
        return -1

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.ToolTipRole
            and section == COL_SHIP_BY
        ):
            return "Latest ship date: red = late, orange = due today"
        return super().headerData(section, orientation, role)

    def display(self, row: OrderListRow, column: int) -> Any:
        if column == COL_WAREHOUSE:
            return row.warehouse
        return self._display(row, column)

    def role_data(self, r: OrderListRow, col: int, role: int) -> Any:
        if role == BADGE:
            if col == COL_STATE:
                return CANCEL_BADGE if _cancel_asked(r) else STATE_BADGES.get(r.state)
            if col == COL_PUSH and r.push_state:
                return PUSH_BADGES.get(r.push_state)
            return None
        if role == FOREGROUND and col == COL_SHIP_BY:
            status = ship_by_status(r.latest_ship_date, r.state, self._now)
            if status == "late":
                return QBrush(LATE_COLOR)
            if status == "today":
                return QBrush(DUE_TODAY_COLOR)
        if role == FOREGROUND and col == COL_ORDER and r.flags.cancel_requested:
            return QBrush(QColor("#c62828"))
        if role == FOREGROUND and col == COL_HOLD and (r.payment_hold or r.holds):
            return QBrush(QColor("#7a4b00"))
        if role == FONT and (
            (col == COL_SHIP_BY and ship_by_status(r.latest_ship_date, r.state, self._now))
            or (col == COL_HOLD and (r.payment_hold or r.holds))
        ):
            return bold_font()
        if role == TOOLTIP:
            return self._tooltip(r, col)
        return None

    def _display(self, r: OrderListRow, col: int) -> str:
        if col == COL_STORE:
            return r.store_name
        if col == COL_ORDER:
            return r.amazon_order_id + ("  ⚠ needs mapping" if r.needs_mapping else "")
        if col == COL_STATE:
            return CANCEL_BADGE[0] if _cancel_asked(r) else state_label(r.state)
        if col == COL_HOLD:
            names = (["payment"] if r.payment_hold else []) + ([r.holds] if r.holds else [])
            return (", ".join(names) + " hold").capitalize() if names else ""
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
            flags = [x for x, on in (("Prime", r.is_prime), ("Business", r.is_business)) if on]
            return " · ".join(flags + [b for b in r.flags.badges() if b != "Buyer asked to cancel"])
        if col == COL_ITEMS:
            if not r.first_sku:
                return str(r.units)
            if r.lines == 1:
                return f"{r.units} × {r.first_sku}"
            return f"{r.units} units: {r.first_sku} +{r.lines - 1} more"
        if col == COL_SHIP_TO:
            if r.state == OrderState.HELD and not r.ship_city:
                return "(address after release)"
            return ", ".join(x for x in (r.ship_city, r.ship_country) if x)
        if col == COL_PUSH:
            return push_label(r.push_state) if r.push_state else ""
        return ""

    def _tooltip(self, r: OrderListRow, col: int) -> str | None:
        if col in (COL_ORDER, COL_STATE) and r.flags.cancel_requested:
            return r.flags.cancel_text + ". Do not ship: Cancel order at Amazon… in the order detail."
        if col == COL_STATE:
            return f"Amazon status: {amazon_status_words(r.amazon_status)}"
        if col == COL_HOLD and r.holds:
            return "On hold here (see the order's timeline): it cannot be packed until the hold is released."
        if col == COL_HOLD and r.payment_hold:
            return "Imported while Amazon checks the payment: stock is allocated, do not ship yet."
        if col == COL_ORDER and r.needs_mapping:
            return "An item's SKU is not a warehouse SKU yet: map it in the Products tab."
        if col == COL_PUSH and r.push_state == PushState.QUEUED:
            return "Queued — will be sent with the next tracking push."
        return None
