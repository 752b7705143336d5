"""Transfer units of a SKU between warehouses (Inventory tab → "Transfer…"): one transaction, out of one and
into the other, both in the stock history (``fbm_desk.db.inventory.transfer_stock``)."""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from fbm_desk.db.inventory import MAX_ON_HAND, transfer_stock
from fbm_desk.db.stock_warehouses import WarehouseStock
from fbm_desk.foundation.errors import FbmError
from fbm_desk.ui.dialog_parts import error_label, save_cancel_buttons


class TransferDialog(QDialog):
    def __init__(self, sku: str, split: tuple[WarehouseStock, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("transferDialog")
        self.setWindowTitle(f"Transfer — {sku}")
        self.sku = sku
        self.source = QComboBox()
        self.source.setObjectName("transferFrom")
        self.target = QComboBox()
        self.target.setObjectName("transferTo")
        for w in split:
            self.source.addItem(f"{w.name} ({w.on_hand} on hand)", w.warehouse_id)
            self.target.addItem(f"{w.name} ({w.on_hand} on hand)", w.warehouse_id)
        richest = max(range(len(split)), key=lambda i: split[i].on_hand, default=0)
        self.source.setCurrentIndex(richest)
        self.target.setCurrentIndex(1 if richest == 0 and len(split) > 1 else 0)
        self.quantity = QSpinBox()
        self.quantity.setObjectName("transferQuantity")
        self.quantity.setRange(1, MAX_ON_HAND)
        self.note = QLineEdit()
        self.note.setPlaceholderText("Optional note (e.g. restock the front shelf)")
        self.message = error_label("transferMessage")
        form = QFormLayout()
        form.addRow("SKU", QLabel(f"<b>{escape(sku)}</b>"))
        form.addRow("&From", self.source)
        form.addRow("&To", self.target)
        form.addRow("&Units", self.quantity)
        form.addRow("&Note", self.note)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(save_cancel_buttons(self, self.save, QDialogButtonBox.StandardButton.Ok))
        self.quantity.setFocus()

    def save(self) -> bool:
        try:
            transfer_stock(
                self.sku,
                self.quantity.value(),
                self.source.currentData(),
                self.target.currentData(),
                reason=self.note.text(),
                source="user",
            )
        except FbmError as exc:
            self.message.setText(exc.user_message)
            return False
        self.accept()
        return True
