"""Lines of the pack dialog: what is left to ship per order item and how many units go into this package.

Two ways to fill "In this package": type a number (the cell is editable), or scan each unit's SKU/barcode
(``count_scan``), which counts up one line at a time and refuses codes that are not on the order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from fbm_desk.db.domain_rows import OrderItemRow
from fbm_desk.ui.table_models.formatting import ALIGN_RIGHT

Index = QModelIndex | QPersistentModelIndex
HEADERS = ("SKU", "Title", "Ordered", "Shipped / packed", "Left", "In this package")
COL_SKU, COL_TITLE, COL_ORDERED, COL_DONE, COL_LEFT, COL_PACK = range(6)


@dataclass(frozen=True)
class ScanResult:
    ok: bool
    message: str
    row: int = -1


class PackLinesModel(QAbstractTableModel):
    def __init__(
        self, items: tuple[OrderItemRow, ...] = (), barcodes: dict[int, str] | None = None, parent: Any = None
    ):
        super().__init__(parent)
        self._items: list[OrderItemRow] = []
        self._pack: list[int] = []
        self._barcodes: dict[int, str] = {}
        self.scanning = False  # True once a unit was scanned: quantities then count scans only
        self.scan_only = False  # the store requires scanning every unit: lines start at 0, no typing
        self.set_items(items, barcodes or {})

    def set_items(self, items: tuple[OrderItemRow, ...], barcodes: dict[int, str] | None = None) -> None:
        """Show ``items``; every line starts with all its packable units in this package."""
        self.beginResetModel()
        self._items = list(items)
        self._pack = [0 if self.scan_only else i.packable for i in self._items]
        self._barcodes = dict(barcodes or {})
        self.scanning = self.scan_only
        self.endResetModel()

    def item(self, row: int) -> OrderItemRow:
        return self._items[row]

    def quantities(self) -> dict[str, int]:
        """Amazon orderItemId → units in this package (lines with 0 left out)."""
        return {i.order_item_id: q for i, q in zip(self._items, self._pack, strict=True) if q > 0}

    def units(self) -> tuple[int, int]:
        """(units in this package, units left to pack in all)."""
        return sum(self._pack), sum(i.packable for i in self._items)

    def quantity(self, row: int) -> int:
        return self._pack[row]

    def _codes(self, row: int) -> set[str]:
        item = self._items[row]
        codes = {item.seller_sku, item.asin, item.product_sku or "", self._barcodes.get(row, "")}
        return {c.strip().lower() for c in codes if c and c.strip()}

    def count_scan(self, code: str) -> ScanResult:
        """Count one scanned unit of ``code`` (SKU, warehouse SKU, ASIN or barcode); nothing on error."""
        clean = code.strip().lower()
        if not clean:
            return ScanResult(False, "")
        rows = [r for r in range(len(self._items)) if clean in self._codes(r)]
        if not rows:
            return ScanResult(
                False, f"'{code.strip()}' is not on this order. Nothing was counted; check the item."
            )
        if not self.scanning:
            # First scan: the package now holds exactly what is scanned.
            self.scanning = True
            self._pack = [0] * len(self._items)
            if self._items:
                self.dataChanged.emit(self.index(0, COL_PACK), self.index(len(self._items) - 1, COL_PACK))
        for row in rows:
            if self._pack[row] < self._items[row].packable:
                self._pack[row] += 1
                idx = self.index(row, COL_PACK)
                self.dataChanged.emit(idx, idx)
                item = self._items[row]
                return ScanResult(True, f"{item.seller_sku}: {self._pack[row]} of {item.packable}", row)
        item = self._items[rows[0]]
        return ScanResult(
            False,
            f"All {item.packable} unit(s) of {item.seller_sku} are already counted. "
            "Nothing more was counted.",
        )

    # --- Qt model API ------------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(HEADERS)
        ):
            return HEADERS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == COL_PACK and self._items[index.row()].packable > 0 and not self.scan_only:
            base |= Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        item, col = self._items[index.row()], index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            values = (
                item.seller_sku
                + ("" if item.product_sku in (None, item.seller_sku) else f" → {item.product_sku}"),
                item.title,
                item.quantity,
                item.quantity_shipped + item.quantity_packed,
                item.packable,
                self._pack[index.row()],
            )
            return values[col]
        if role == Qt.ItemDataRole.TextAlignmentRole and col >= COL_ORDERED:
            return ALIGN_RIGHT
        if role == Qt.ItemDataRole.BackgroundRole and col == COL_PACK and self.scanning:
            done = self._pack[index.row()] == item.packable
            return QBrush(QColor("#d4f2dc" if done else "#fff2c2"))
        if role == Qt.ItemDataRole.ToolTipRole and col == COL_PACK:
            return "Units in this package: " + (
                "scan each unit" if self.scan_only else "type a number or scan"
            )
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or not self.flags(index) & Qt.ItemFlag.ItemIsEditable:
            return False
        if role != Qt.ItemDataRole.EditRole or index.column() != COL_PACK:
            return False
        try:
            quantity = int(value)
        except (TypeError, ValueError):
            return False
        if not 0 <= quantity <= self._items[index.row()].packable:
            return False
        self._pack[index.row()] = quantity
        self.dataChanged.emit(index, index)
        return True
