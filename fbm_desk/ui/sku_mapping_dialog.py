"""SKU mapping editor: alias an Amazon seller SKU to a warehouse SKU (one store or every store).

Saving calls ``fbm_desk.db.product_views.map_sku`` (one transaction): the listings with that SKU and the open
order items waiting for it are re-mapped, and orders lose their "needs mapping" flag once all items map.
"""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from fbm_desk.db.product_views import MappingResult, list_products, map_sku
from fbm_desk.foundation.errors import FbmError
from fbm_desk.ui.dialog_parts import error_label, save_cancel_buttons


class SkuMappingDialog(QDialog):
    """``SkuMappingDialog(store_id, store_name, seller_sku)``; emits ``mapped(MappingResult)``."""

    mapped = Signal(object)

    def __init__(
        self,
        store_id: int | None,
        store_name: str,
        seller_sku: str = "",
        current_product_sku: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("skuMappingDialog")
        self.setWindowTitle("Map Amazon SKU to a warehouse SKU")
        self.store_id = store_id
        self.result_: MappingResult | None = None
        self.seller_sku = QLineEdit(seller_sku)
        self.seller_sku.setObjectName("sellerSku")
        self.seller_sku.setPlaceholderText("The SKU on Amazon")
        self.product = QComboBox()
        self.product.setObjectName("warehouseSku")
        self.product.setEditable(True)
        self.product.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for p in list_products(limit=5000):
            self.product.addItem(f"{p.sku} — {p.title}" if p.title else p.sku, p.sku)
        completer = self.product.completer()
        if completer is not None:
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        index = self.product.findData(current_product_sku) if current_product_sku else -1
        self.product.setCurrentIndex(index)
        if index < 0:
            self.product.setEditText("")
        editor = self.product.lineEdit()
        if editor is not None:
            editor.setPlaceholderText("Type to find the warehouse SKU")
        self.all_stores = QCheckBox(f"For every store (not only {store_name})")
        self.all_stores.setObjectName("allStores")
        self.all_stores.setChecked(store_id is None)
        self.all_stores.setEnabled(store_id is not None)
        self.message = error_label("mappingMessage")
        info = QLabel(
            f"Store: <b>{escape(store_name)}</b>. Orders with this Amazon SKU then take stock from the "
            "warehouse SKU, and open orders waiting for it are re-mapped."
        )
        info.setWordWrap(True)
        form = QFormLayout()
        form.addRow("&Amazon SKU", self.seller_sku)
        form.addRow("&Warehouse SKU", self.product)
        form.addRow("", self.all_stores)
        buttons = save_cancel_buttons(self, self.save)
        layout = QVBoxLayout(self)
        layout.addWidget(info)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        (self.product if seller_sku else self.seller_sku).setFocus()

    def chosen_product_sku(self) -> str:
        text = self.product.currentText().strip()
        index = self.product.findText(text, Qt.MatchFlag.MatchExactly)
        if index >= 0:
            return str(self.product.itemData(index))
        return text.split(" — ", 1)[0].strip()  # a typed SKU

    def save(self) -> bool:
        store_id = None if self.all_stores.isChecked() else self.store_id
        try:
            result = map_sku(store_id, self.seller_sku.text(), self.chosen_product_sku())
        except FbmError as exc:
            self.message.setText(exc.user_message)
            return False
        self.result_ = result
        self.mapped.emit(result)
        self.accept()
        return True


def describe(result: MappingResult) -> str:
    text = f"{result.seller_sku} now maps to {result.product_sku}"
    extra: list[Any] = []
    if result.order_items_mapped:
        extra.append(f"{result.order_items_mapped} order item(s) re-mapped")
    if result.orders_cleared:
        extra.append(f"{result.orders_cleared} order(s) no longer need mapping")
    return text + (f" ({', '.join(extra)})" if extra else "") + "."
