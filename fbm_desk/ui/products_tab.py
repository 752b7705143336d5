"""Products tab: the Amazon listings of every store, what is new since the last sync, SKU mapping editor."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from fbm_desk.db.stores import list_stores
from fbm_desk.ui.deferred_refresh import DeferredRefresh
from fbm_desk.ui.sku_mapping_dialog import SkuMappingDialog, describe
from fbm_desk.ui.table_models.badge_delegate import BadgeDelegate
from fbm_desk.ui.table_models.paged_model import BADGE_ROLE
from fbm_desk.ui.table_models.products_model import COL_NEW, COL_TITLE, ProductsTableModel


class ProductsTab(QWidget):
    def __init__(self, services: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("productsTab")
        self.setMinimumSize(420, 300)
        self.services = services
        self.mapping_dialog: SkuMappingDialog | None = None

        self.store_combo = QComboBox()
        self.store_combo.setObjectName("productsStore")
        self.store_combo.currentIndexChanged.connect(self._apply_filters)
        self.search = QLineEdit()
        self.search.setObjectName("productsSearch")
        self.search.setPlaceholderText("Search SKU, ASIN, title or warehouse SKU")
        self.search.setClearButtonEnabled(True)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self._apply_filters)
        self.search.textChanged.connect(lambda _t: self._timer.start())
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
        self.table = QTableView()
        self.table.setObjectName("productsTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setItemDelegateForColumn(COL_NEW, BadgeDelegate(BADGE_ROLE, self.table))
        self._reload_stores()
        self.model.set_query(self.model.query)
        # Indicator first: enabling sorting then asks the model for the order it already has (one load).
        self.table.horizontalHeader().setSortIndicator(2, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        for col, width in enumerate((56, 150, 170, 110, 380, 110, 130, 90)):
            self.table.setColumnWidth(col, width)
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
        # After a sync: one refresh per burst of finished jobs, and none while the tab is hidden.
        self.after_sync = DeferredRefresh(self, self.refresh)
        runner = getattr(services, "runner", None)
        if runner is not None and hasattr(runner, "job_finished"):
            runner.job_finished.connect(lambda *_: self.after_sync.request())

    def refresh(self) -> None:
        self._reload_stores()
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

    def _reload_stores(self) -> None:
        current = self.store_combo.currentData()
        self.store_combo.blockSignals(True)
        self.store_combo.clear()
        self.store_combo.addItem("All stores", None)
        for store in list_stores():
            self.store_combo.addItem(store.name, store.id)
        self.store_combo.setCurrentIndex(max(0, self.store_combo.findData(current)))
        self.store_combo.blockSignals(False)

    def _update_status(self, *_args: Any) -> None:
        rows = self.model.rows()
        new = sum(1 for r in rows if r.is_new)
        unmapped = sum(1 for r in rows if r.product_sku is None)
        self.status.setText(
            f"{self.model.total:,} listings"
            + (f" · {new} new since the last sync" if new else "")
            + (f" · {unmapped} not mapped" if unmapped else "")
        )
