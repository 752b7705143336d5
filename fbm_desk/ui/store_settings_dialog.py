"""Store settings: rename, the per-store sync options (the same options as the Add Store dialog) and the
warehouse settings of issue 16 (which warehouses feed the store, routing, splitting) that ``fbm-desk store
settings`` also sets; Save writes all of them in one transaction through the same db functions."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fbm_desk.amazon.marketplaces import by_id
from fbm_desk.db import stores as store_db
from fbm_desk.db import warehouses as wh
from fbm_desk.db.rows import StoreRow
from fbm_desk.db.transactions import transaction
from fbm_desk.db.warehouse_routing import Routing, set_store_routing, store_routing
from fbm_desk.domain.stores import StoreOptions
from fbm_desk.foundation.errors import FbmError, InvalidInput
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
        self.warehouses_box = StoreWarehousesBox(store.id)
        root.addWidget(self.warehouses_box)

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
            with transaction(immediate=True):
                self.store = store_db.update_store(
                    self.store.id,
                    name=name,
                    download_products_orders=options.download_products_orders,
                    import_pending=options.import_pending,
                    starting_inventory=options.starting_inventory,
                    remove_stock_external=options.remove_stock_external,
                    require_item_scan=self.scan_check.isChecked(),
                )
                self.warehouses_box.save()
        except FbmError as exc:
            self.error_label.setText(exc.user_message)
            self.error_label.show()
            return
        self.saved.emit(self.store.id)
        self.accept()


class StoreWarehousesBox(QGroupBox):
    """Which active warehouses' stock the store offers on Amazon ("all active warehouses" by default), how
    its new orders pick a warehouse, and whether an order may ship from several."""

    def __init__(self, store_id: int, parent: QWidget | None = None) -> None:
        super().__init__("Warehouses", parent)
        self.setObjectName("storeWarehousesBox")
        self.store_id = store_id
        layout = QFormLayout(self)
        self.all_check = QCheckBox("All active warehouses")
        self.all_check.setObjectName("feedsAllWarehouses")
        self.all_check.setChecked(not wh.feeds_chosen(store_id))
        self.feeds_list = QListWidget()
        self.feeds_list.setObjectName("feedsWarehouses")
        self.feeds_list.setMaximumHeight(110)
        offered = {w.id for w in wh.store_feeds(store_id)}
        for w in wh.list_warehouses(active_only=True):
            item = QListWidgetItem(w.name + (" (primary)" if w.is_primary else ""))
            item.setData(Qt.ItemDataRole.UserRole, w.name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if w.id in offered else Qt.CheckState.Unchecked)
            self.feeds_list.addItem(item)
        self.all_check.toggled.connect(self._all_toggled)
        self._all_toggled(self.all_check.isChecked())
        layout.addRow("Offer the stock of:", self.all_check)
        layout.addRow("", self.feeds_list)
        how, split = store_routing(store_id)
        self.routing_combo = QComboBox()
        self.routing_combo.setObjectName("routingCombo")
        self.routing_combo.addItem("Primary warehouse", Routing.PRIMARY.value)
        self.routing_combo.addItem("First by priority that can ship the whole order", Routing.PRIORITY.value)
        self.routing_combo.setCurrentIndex(self.routing_combo.findData(how.value))
        layout.addRow("New orders go to:", self.routing_combo)
        self.split_check = QCheckBox("An order may ship from several warehouses")
        self.split_check.setObjectName("allowSplit")
        self.split_check.setChecked(split)
        layout.addRow("", self.split_check)

    @Slot(bool)
    def _all_toggled(self, on: bool) -> None:
        self.feeds_list.setEnabled(not on)

    def chosen_names(self) -> list[str] | None:
        """The checked warehouses' names; None: every active warehouse."""
        if self.all_check.isChecked():
            return None
        items = [self.feeds_list.item(i) for i in range(self.feeds_list.count())]
        names = [
            str(i.data(Qt.ItemDataRole.UserRole)) for i in items if i.checkState() == Qt.CheckState.Checked
        ]
        if not names:
            raise InvalidInput("Check at least one warehouse, or choose all active warehouses.")
        return names

    def save(self) -> None:
        """Write the settings, in the caller's transaction."""
        wh.set_store_feeds(self.store_id, self.chosen_names())
        set_store_routing(
            self.store_id, Routing(self.routing_combo.currentData()), self.split_check.isChecked()
        )
