"""The Orders tab as a packing queue: urgency order for "To pack"/"Due today", and order barcodes scanned anywhere.

A USB scanner is a keyboard: scanning a packing slip types the Amazon order id (``123-1234567-1234567``) into
whatever has the focus, then Enter. ``OrderBarcodeCatcher`` watches the tab's widgets that do not take text (the
table, the filter buttons, the detail panel) and, when what was typed before Enter is an order id, opens it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QLineEdit, QTableView, QWidget

from fbm_desk.db.order_views import OrderQuery, QuickFilter, SortKey

ORDER_ID_RE = re.compile(r"\d{3}-\d{7}-\d{7}")
_QUEUE_FILTERS = (QuickFilter.RELEASED, QuickFilter.DUE_TODAY)
_PURCHASED_COLUMN = 4  # the Orders table's default sort column


# Column widths of the Orders table (in "0" digits of the table's font): every column, Ship to and Tracking
# push and Warehouse included, fits the default 1200 px window; Ship by holds "LATE 2026-12-06 14:30" whole.
_COLUMN_DIGITS = (7, 17, 10, 5, 11, 19, 8, 11, 10, 10, 9, 10)
LONGEST_SHIP_BY = "LATE 2026-12-06 14:30"


def fit_columns(table: QTableView) -> tuple[int, ...]:
    metrics = table.fontMetrics()
    digit = metrics.horizontalAdvance("0")
    widths = [n * digit + 12 for n in _COLUMN_DIGITS]
    widths[5] = max(widths[5], metrics.horizontalAdvance(LONGEST_SHIP_BY) + 16)
    return tuple(widths)


def queue_query(table: QTableView, query: OrderQuery, quick: QuickFilter) -> OrderQuery:
    """``query`` with ``quick``; the packing filters sort by urgency (no column shows that, so no indicator)."""
    header = table.horizontalHeader()
    if quick in _QUEUE_FILTERS:
        header.blockSignals(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        header.blockSignals(False)
        return replace(query, quick=quick, sort=SortKey.URGENCY, descending=False)
    if query.sort is SortKey.URGENCY:
        header.blockSignals(True)
        header.setSortIndicator(_PURCHASED_COLUMN, Qt.SortOrder.DescendingOrder)
        header.blockSignals(False)
        return replace(query, quick=quick, sort=SortKey.PURCHASE_DATE, descending=True)
    return replace(query, quick=quick)


class OrderBarcodeCatcher(QObject):
    """Collects the digits and dashes typed into ``tab``'s non-text widgets; Enter after an order id opens it."""

    def __init__(self, tab: QWidget, open_order: Callable[[str], None]) -> None:
        super().__init__(tab)
        self._open = open_order
        self._typed = ""
        for widget in (tab, *tab.findChildren(QWidget)):
            if not isinstance(widget, QLineEdit | QComboBox | QAbstractSpinBox):
                widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        text = event.text()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            typed, self._typed = self._typed, ""
            if ORDER_ID_RE.fullmatch(typed):
                self._open(typed)
                return True
            return False
        plain = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier == Qt.KeyboardModifier.NoModifier
        if plain and len(text) == 1 and (text.isdigit() or text == "-"):
            self._typed = (self._typed + text)[-19:]
            return True  # a scan in progress, not a jump in the table
        self._typed = ""
        return False
