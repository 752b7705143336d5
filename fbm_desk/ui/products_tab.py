"""Products tab: the Amazon listings of every store, what is new since the last sync, SKU mapping editor."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from fbm_desk.ui.deferred_refresh import refresh_after_sync
from fbm_desk.ui.sku_mapping_dialog import SkuMappingDialog, describe
from fbm_desk.ui.tab_parts import (
    debounced_search,
    reload_store_combo,
    row_table,
    set_column_widths,
    sort_in_sql,
)
from fbm_desk.ui.table_models.products_model import COL_NEW, COL_TITLE, ProductsTableModel

if TYPE_CHECKING:
    from fbm_desk.ui.services import Services


class ProductsTab(QWidget):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("productsTab")
        self.setMinimumSize(420, 300)
        self.services = services
        self.mapping_dialog: SkuMappingDialog | None = None

        self.store_combo = QComboBox()
        self.store_combo.setObjectName("productsStore")
        self.store_combo.currentIndexChanged.connect(self._apply_filters)
        self.search, self._timer = debounced_search(
            self, "productsSearch", "Search SKU, ASIN, title or warehouse SKU", self._apply_filters
        )
        self.unmapped_only = QCheckBox("Not mapped only")
        self.unmapped_only.setObjectName("unmappedOnly")
        self.new_only = QCheckBox("New since last sync")
        self.new_only.setObjectName("newOnly")
        self.hide_gone = QCheckBox("Hide gone from Amazon")
        self.hide_gone.setObjectName("hideGone")
        for box in (self.unmapped_only, self.new_only, self.hide_gone):
            box.toggled.connect(self._apply_filters)
        self.map_button = QPushButton("Map SKU…")
        self.map_button.setObjectName("mapSku")
        self.map_button.setToolTip("Alias the selected Amazon SKU to a warehouse SKU")
        self.map_button.clicked.connect(self.map_selected)
        tools = QHBoxLayout()
        tools.addWidget(self.store_combo)
        tools.addWidget(self.search, 1)
        tools.addWidget(self.unmapped_only)
        tools.addWidget(self.new_only)
        tools.addWidget(self.hide_gone)
        tools.addWidget(self.map_button)

        self.model = ProductsTableModel(self)
        self.table = row_table("productsTable", self.model, badge_columns=(COL_NEW,))
        reload_store_combo(self.store_combo)
        self.model.set_query(self.model.query)
        sort_in_sql(self.table, 2, Qt.SortOrder.AscendingOrder)
        set_column_widths(self.table, (56, 150, 170, 110, 380, 110, 130, 90))
        self.table.setColumnWidth(COL_TITLE, 380)
        self.table.doubleClicked.connect(lambda _i: self.map_selected())
        self.status = QLabel()
        self.status.setObjectName("productsStatus")
        self.message = QLabel()
        self.message.setObjectName("productsMessage")
        self.message.setStyleSheet("QLabel { color: #1d6b34; font-weight: bold; }")
        self.message.hide()
        layout = QVBoxLayout(self)
        layout.addLayout(tools)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        self.model.total_changed.connect(self._update_status)
        self._update_status()
        self.after_sync = refresh_after_sync(self, services, self.refresh)

    def refresh(self) -> None:
        reload_store_combo(self.store_combo)
        self.model.refresh()
        self._update_status()

    def selected_row(self) -> Any:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def map_selected(self) -> SkuMappingDialog:
        row = self.selected_row()
        if row is None:
            store_id = self.store_combo.currentData()
            name = self.store_combo.currentText() if store_id is not None else "every store"
            dialog = SkuMappingDialog(store_id, name, "", None, self)
        else:
            dialog = SkuMappingDialog(row.store_id, row.store_name, row.seller_sku, row.product_sku, self)
        dialog.mapped.connect(self._on_mapped)
        self.mapping_dialog = dialog
        dialog.open()
        return dialog

    def _on_mapped(self, result: Any) -> None:
        self.message.setText(describe(result))
        self.message.show()
        self.refresh()

    def _apply_filters(self, *_args: Any) -> None:
        self._timer.stop()
        self.model.set_query(
            replace(
                self.model.query,
                store_id=self.store_combo.currentData(),
                search=self.search.text().strip(),
                unmapped_only=self.unmapped_only.isChecked(),
                new_only=self.new_only.isChecked(),
                include_gone=not self.hide_gone.isChecked(),
            )
        )

    def _update_status(self, *_args: Any) -> None:
        rows = self.model.rows()
        new = sum(1 for r in rows if r.is_new)
        unmapped = sum(1 for r in rows if r.product_sku is None)
        self.status.setText(
            f"{self.model.total:,} listings"
            + (f" · {new} new since the last sync" if new else "")
            + (f" · {unmapped} not mapped" if unmapped else "")
        )
