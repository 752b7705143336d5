"""Inventory table (stock per warehouse SKU) and the next-push preview table."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from fbm_desk.db.stock import (
    InventoryQuery,
    InventorySort,
    ListingPush,
    StockRow,
)
from fbm_desk.db.stock_summary import count_stock, fetch_stock
from fbm_desk.db.stock_warehouses import WarehouseStock, warehouse_stock
from fbm_desk.db.warehouses import WarehouseRow, list_warehouses
from fbm_desk.ui.table_models.formatting import ALIGN_RIGHT, PUSH_BADGES, bold_font, local_time
from fbm_desk.ui.table_models.paged_model import BADGE_ROLE, PagedSqlModel, split_columns

(
    COL_SKU,
    COL_TITLE,
    COL_ON_HAND,
    COL_ALLOCATED,
    COL_AVAILABLE,
    COL_PUSHED,
    COL_PUSHED_AT,
    COL_STATE,
    COL_ISSUES,
) = range(9)


class InventoryTableModel(PagedSqlModel[InventoryQuery, StockRow]):
    """On-hand is editable: an edit does not write, it asks for a reason (``on_hand_edit_requested``)."""

    headers, sort_keys = split_columns(
        (
            ("SKU", InventorySort.SKU),
            ("Title", InventorySort.TITLE),
            ("On hand", InventorySort.ON_HAND),
            ("Allocated", InventorySort.ALLOCATED),
            ("Available", InventorySort.AVAILABLE),
            ("Last pushed", InventorySort.PUSHED),
            ("Pushed at", InventorySort.PUSHED_AT),
            ("Push", InventorySort.PUSH_STATE),
            ("Amazon issues", None),
        )
    )
    on_hand_edit_requested = Signal(int, str, int)  # product id, SKU, new on-hand

    def __init__(self, parent: Any = None) -> None:
        self.houses: list[WarehouseRow] = []
        self._split: dict[int, tuple[WarehouseStock, ...]] = {}
        super().__init__(InventoryQuery(), parent)

    def count(self, query: InventoryQuery) -> int:
        # Called inside the model reset: with several warehouses, one column each follows the fixed ones.
        self.houses = list_warehouses(active_only=True)
        extra = tuple(w.name for w in self.houses) if len(self.houses) > 1 else ()
        self.headers = InventoryTableModel.headers + extra
        self.sort_keys = InventoryTableModel.sort_keys + (None,) * len(extra)
        self._split = {}
        return count_stock(query)

    def fetch(self, query: InventoryQuery, offset: int, limit: int) -> list[StockRow]:
        rows = fetch_stock(query, offset, limit)
        if len(self.houses) > 1:
            self._split.update(warehouse_stock([r.product_id for r in rows], self.houses))
        return rows

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.ToolTipRole
            and section > COL_ISSUES
        ):
            return f"{self.headers[section]}: on hand / allocated to its open orders"
        return super().headerData(section, orientation, role)

    def warehouse_cell(self, r: StockRow, column: int) -> WarehouseStock | None:
        """The stock of the warehouse a per-warehouse column shows (None for the other columns)."""
        i = column - COL_ISSUES - 1
        split = self._split.get(r.product_id, ())
        return split[i] if 0 <= i < len(split) else None

    def display(self, r: StockRow, column: int) -> Any:
        if column > COL_ISSUES:
            w = self.warehouse_cell(r, column)
            if w is None:
                return None
            return f"{w.on_hand} / {w.allocated}"  # on hand / allocated (the header's tooltip says so)
        if column == COL_SKU:
            return r.sku
        if column == COL_TITLE:
            return r.title
        if column == COL_ON_HAND:
            return r.on_hand
        if column == COL_ALLOCATED:
            return r.allocated
        if column == COL_AVAILABLE:
            return r.available
        if column == COL_PUSHED:
            return "" if r.pushed_quantity is None else r.pushed_quantity
        if column == COL_PUSHED_AT:
            return local_time(r.pushed_at)
        if column == COL_STATE:
            return PUSH_BADGES.get(r.push_state, (r.push_state, "", ""))[0]
        if column == COL_ISSUES:
            return r.push_issues
        return None

    def role_data(self, r: StockRow, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.TextAlignmentRole and (
            COL_ON_HAND <= column <= COL_PUSHED or column > COL_ISSUES
        ):
            return ALIGN_RIGHT
        if role == Qt.ItemDataRole.ToolTipRole and column > COL_ISSUES:
            w = self.warehouse_cell(r, column)
            return (
                f"{w.name}: on hand {w.on_hand}, allocated {w.allocated}, available {w.available}"
                if w
                else None
            )
        if role == BADGE_ROLE and column == COL_STATE and r.push_state != "none":
            return PUSH_BADGES.get(r.push_state)
        if role == Qt.ItemDataRole.ForegroundRole and column == COL_ISSUES and r.push_issues:
            return QBrush(QColor("#9b1111"))
        if role == Qt.ItemDataRole.FontRole and column == COL_AVAILABLE:
            return bold_font()
        if role == Qt.ItemDataRole.BackgroundRole and column == COL_PUSHED and r.differs_from_amazon:
            return QBrush(QColor("#fff2c2"))
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == COL_AVAILABLE:
                return (
                    f"Available {r.available} = on hand {r.on_hand} − allocated {r.allocated} (never below 0)"
                )
            if column == COL_ON_HAND:
                return "Double-click (or F2) to set the counted quantity; a reason is required"
            if column == COL_PUSHED:
                return push_tooltip(r)
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid() and index.column() == COL_ON_HAND:
            base |= Qt.ItemFlag.ItemIsEditable
        return base

    def setData(
        self, index: QModelIndex | QPersistentModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole
    ) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or index.column() != COL_ON_HAND:
            return False
        row = self.row_at(index.row())
        try:
            quantity = int(value)
        except (TypeError, ValueError):
            return False
        if row is None or quantity < 0 or quantity == row.on_hand:
            return False
        # Changing stock needs a reason: the tab asks for it and writes; the model stays unchanged until then.
        self.on_hand_edit_requested.emit(row.product_id, row.sku, quantity)
        return False


def push_tooltip(r: StockRow) -> str | None:
    """The "Last pushed" cell's tooltip: what the next push does with this SKU (``fbm_desk.db.stock``)."""
    shows = amazon_shows_text(r)
    if r.to_send:
        return f"The next inventory push will send {r.available} to {r.to_send} listing(s)" + shows
    if r.listings:
        return "The next inventory push sends nothing for this SKU" + shows
    return None


def amazon_shows_text(r: StockRow) -> str:
    """ "Amazon shows N (read …)": Amazon's own quantity at the last products import, if one read it."""
    if r.amazon_shows is None:
        return ""
    return f"\nAmazon shows {r.amazon_shows} (read {local_time(r.amazon_read_at)})"


PREVIEW_HEADERS = ("Store", "Amazon SKU", "Warehouse SKU", "Amazon has", "Will send", "Why")


class PushPreviewModel(QAbstractTableModel):
    """What the next inventory push will send: one row per listing (``fbm_desk.db.stock.pending_pushes``)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[str, str, str, int | None, int | None, str]] = []
        self.pushes: list[ListingPush] = []

    def set_pushes(self, pushes: list[ListingPush]) -> None:
        self.beginResetModel()
        self.pushes = list(pushes)
        self._rows = [
            (p.store_name, p.seller_sku, p.product_sku, p.amazon_has, p.quantity, p.explanation)
            for p in pushes
        ]
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(PREVIEW_HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return PREVIEW_HEADERS[section] if 0 <= section < len(PREVIEW_HEADERS) else None
        return None

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        value = self._rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return "—" if value is None else value
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in (3, 4):
            return ALIGN_RIGHT
        return None
