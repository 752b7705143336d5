"""Widgets the list tabs share (Orders, Products, Inventory, Stores): a debounced search box, the store filter,
a row-selecting table with SQL-side sorting, and the table-over-details splitter."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QAbstractItemModel, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QLineEdit,
    QSplitter,
    QTableView,
    QTabWidget,
    QWidget,
)

from fbm_desk.db.stores import list_stores
from fbm_desk.ui.table_models.badge_delegate import BadgeDelegate
from fbm_desk.ui.table_models.paged_model import BADGE_ROLE

SEARCH_DEBOUNCE_MS = 250


def debounced_search(
    owner: QWidget,
    name: str,
    placeholder: str,
    apply: Callable[[], object],
    delay_ms: int = SEARCH_DEBOUNCE_MS,
) -> tuple[QLineEdit, QTimer]:
    """A search box that calls ``apply`` once typing pauses for ``delay_ms``; ``apply`` should stop the timer."""
    search = QLineEdit()
    search.setObjectName(name)
    search.setPlaceholderText(placeholder)
    search.setClearButtonEnabled(True)
    timer = QTimer(owner)
    timer.setSingleShot(True)
    timer.setInterval(delay_ms)
    timer.timeout.connect(apply)
    search.textChanged.connect(lambda _t: timer.start())
    return search, timer


def reload_store_combo(combo: QComboBox) -> None:
    """Refill a store filter with "All stores" (None) and every store, keeping the choice; no change signal."""
    current = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    combo.addItem("All stores", None)
    for store in list_stores():
        combo.addItem(store.name, store.id)
    combo.setCurrentIndex(max(0, combo.findData(current)))
    combo.blockSignals(False)


def row_table(name: str, model: QAbstractItemModel, badge_columns: Iterable[int] = ()) -> QTableView:
    """A table selecting one whole row, alternating colors, no row numbers, last column stretched;
    ``badge_columns`` are drawn by one ``BadgeDelegate``."""
    table = QTableView()
    table.setObjectName(name)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setStretchLastSection(True)
    columns = tuple(badge_columns)
    if columns:
        badges = BadgeDelegate(BADGE_ROLE, table)
        for column in columns:
            table.setItemDelegateForColumn(column, badges)
    return table


def set_column_widths(table: QTableView, widths: Iterable[int]) -> None:
    for column, width in enumerate(widths):
        table.setColumnWidth(column, width)


def sort_in_sql(table: QTableView, column: int, order: Qt.SortOrder) -> None:
    """Turn on sorting for a ``PagedSqlModel`` whose query already sorts by ``column``/``order``."""
    # Indicator first: enabling sorting then asks the model for the order it already has (one load).
    table.horizontalHeader().setSortIndicator(column, order)
    table.setSortingEnabled(True)


def table_over_panel(table: QWidget, panel: QWidget) -> QSplitter:
    """The table above a details panel, 3:2."""
    splitter = QSplitter(Qt.Orientation.Vertical)
    splitter.addWidget(table)
    splitter.addWidget(panel)
    splitter.setStretchFactor(0, 3)
    splitter.setStretchFactor(1, 2)
    return splitter


def raise_tab(tab: QWidget) -> None:
    """Make ``tab`` the current page of the tab widget holding it (a shortcut from another tab)."""
    widget: QWidget | None = tab.parentWidget()
    while widget is not None:
        if isinstance(widget, QTabWidget) and widget.indexOf(tab) >= 0:
            widget.setCurrentWidget(tab)
            break
        widget = widget.parentWidget()
