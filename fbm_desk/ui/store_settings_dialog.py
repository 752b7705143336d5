"""Store settings: rename and the per-store sync options (the same options as the Add Store dialog)."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from fbm_desk.amazon.marketplaces import by_id
from fbm_desk.db import stores as store_db
from fbm_desk.db.rows import StoreRow
from fbm_desk.domain.stores import StoreOptions
from fbm_desk.foundation.errors import FbmError
from fbm_desk.ui.add_store_parts import StoreOptionsBox
from fbm_desk.ui.dialog_parts import error_label, save_cancel_buttons


class StoreSettingsDialog(QDialog):
    saved = Signal(int)

    def __init__(self, store: StoreRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.setObjectName("storeSettingsDialog")
        self.setWindowTitle(f"Settings — {store.name}")
        self.setMinimumWidth(520)
        root = QVBoxLayout(self)
        form = QFormLayout()
        self.name_edit = QLineEdit(store.name)
        self.name_edit.setObjectName("storeNameEdit")
        self.name_edit.setMaxLength(80)
        form.addRow("Store Name:", self.name_edit)
        market = by_id(store.marketplace_id)
        form.addRow(
            "Marketplace:", QLabel(f"{market.name} ({market.code})" if market else store.marketplace_id)
        )
        form.addRow("Seller ID:", QLabel(store.selling_partner_id))
        root.addLayout(form)

        self.options_box = StoreOptionsBox(
            StoreOptions(
                download_products_orders=store.download_products_orders,
                import_pending=store.import_pending,
                starting_inventory=store.starting_inventory,
                remove_stock_external=store.remove_stock_external,
            )
        )
        self.options_box.setTitle(
            "Store options (the starting inventory applies at the first product import)"
        )
        root.addWidget(self.options_box)
        self.pending_check, self.zero_radio = self.options_box.pending_check, self.options_box.zero_radio
        self.scan_check = QCheckBox("Packing: every unit must be scanned before the package is saved")
        self.scan_check.setObjectName("requireItemScan")
        self.scan_check.setToolTip(
            "On: the pack dialog counts only scanned units (a wrong scan beeps). "
            "Off: quantities may be typed, for products without a barcode."
        )
        self.scan_check.setChecked(store.require_item_scan)
        root.addWidget(self.scan_check)

        self.error_label = error_label("errorLabel", "#b00020")
        self.error_label.hide()
        root.addWidget(self.error_label)

        self.buttons = save_cancel_buttons(self, self.save)
        root.addWidget(self.buttons)

    def options(self) -> StoreOptions:
        return self.options_box.options()

    @Slot()
    def save(self) -> None:
        try:
            name = store_db.check_new_store(
                self.name_edit.text(), None, self.store.marketplace_id, exclude_id=self.store.id
            )
            options = self.options()
            self.store = store_db.update_store(
                self.store.id,
                name=name,
                download_products_orders=options.download_products_orders,
                import_pending=options.import_pending,
                starting_inventory=options.starting_inventory,
                remove_stock_external=options.remove_stock_external,
                require_item_scan=self.scan_check.isChecked(),
            )
        except FbmError as exc:
            self.error_label.setText(exc.user_message)
            self.error_label.show()
            return
        self.saved.emit(self.store.id)
        self.accept()
