"""Edit a product's bin location and low-stock level (Inventory tab → "Bin / low stock…")."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from PySide6.QtWidgets import QCheckBox, QDialog, QFormLayout, QLineEdit, QSpinBox, QVBoxLayout, QWidget

from fbm_desk.db.domain_rows import OrderItemRow
from fbm_desk.db.inventory import MAX_ON_HAND
from fbm_desk.db.product_places import MAX_BIN_LENGTH, set_product_place
from fbm_desk.db.stock import StockRow
from fbm_desk.foundation.errors import FbmError
from fbm_desk.ui.dialog_parts import error_label, save_cancel_buttons


class ProductPlaceDialog(QDialog):
    """``ProductPlaceDialog(row)``: saves on OK; a refused value is shown and nothing is saved."""

    def __init__(self, row: StockRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("productPlaceDialog")
        self.setWindowTitle(f"Bin and low stock — {row.sku}")
        self.sku = row.sku
        self.bin = QLineEdit(row.bin)
        self.bin.setObjectName("binEdit")
        self.bin.setMaxLength(MAX_BIN_LENGTH)
        self.bin.setPlaceholderText("e.g. A-03-2 (printed on pick lists)")
        self.alert = QCheckBox("Alert when available falls to")
        self.alert.setObjectName("lowStockAlert")
        self.level = QSpinBox()
        self.level.setObjectName("lowStockLevel")
        self.level.setRange(0, MAX_ON_HAND)
        self.level.setValue(row.low_stock or 0)
        self.alert.setChecked(row.low_stock is not None)
        self.level.setEnabled(row.low_stock is not None)
        self.alert.toggled.connect(self.level.setEnabled)
        self.error = error_label("placeError")
        form = QFormLayout()
        form.addRow("Bin location:", self.bin)
        form.addRow(self.alert, self.level)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(save_cancel_buttons(self, self.save))

    def save(self) -> None:
        try:
            set_product_place(
                self.sku,
                bin=self.bin.text(),
                low_stock=self.level.value() if self.alert.isChecked() else None,
            )
        except FbmError as exc:
            self.error.setText(exc.user_message)
            return
        self.accept()


def bins_html(items: Sequence[OrderItemRow], bins: dict[int, str]) -> str:
    """ "Bins: MUG-1 → B-02-1 · …" for the pack dialog's header ('' when no item has a bin)."""
    shown = [
        f"{escape(i.product_sku or i.seller_sku)} → <b>{escape(bins[i.product_id])}</b>"
        for i in items
        if i.product_id is not None and i.product_id in bins
    ]
    return "<br>Bins: " + " · ".join(shown) if shown else ""
