"""Inventory tab: stock per warehouse SKU, "why is available N?", and what the next push will send.

On-hand is changed only with a reason (an ``inventory_adjustment`` row): edit the cell or use "Set on hand…";
both open ``SetOnHandDialog``. Every number, the "Differs from Amazon" filter, the yellow cells and the push
preview come from ``fbm_desk.db.stock``, the same plan the inventory job sends, so they cannot disagree (the
table and its filters read the stock model's rows kept per product, ``fbm_desk.db.stock_summary``).
"""

from __future__ import annotations

from dataclasses import replace
from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from fbm_desk.db.inventory import MAX_ON_HAND, set_on_hand
from fbm_desk.db.stock import ListingPush, stock_row
from fbm_desk.db.stock_warehouses import warehouse_stock
from fbm_desk.foundation.errors import FbmError
from fbm_desk.foundation.wording import every, plural
from fbm_desk.sync.base import JobKind
from fbm_desk.sync.schedule import SCHEDULE_BY_KIND
from fbm_desk.ui.deferred_refresh import DeferredRefresh, refresh_after_sync
from fbm_desk.ui.dialog_parts import error_label, save_cancel_buttons
from fbm_desk.ui.product_place_dialog import ProductPlaceDialog
from fbm_desk.ui.push_preview_loader import PreviewLoader
from fbm_desk.ui.tab_parts import (
    debounced_search,
    row_table,
    set_column_widths,
    sort_in_sql,
    table_over_panel,
)
from fbm_desk.ui.table_models.inventory_model import (
    COL_ISSUES,
    COL_STATE,
    InventoryTableModel,
    PushPreviewModel,
)
from fbm_desk.ui.transfer_dialog import TransferDialog
from fbm_desk.ui.warehouse_filter import reload_warehouse_combo, warehouse_combo
from fbm_desk.ui.why_available import why_available_html

if TYPE_CHECKING:
    from fbm_desk.ui.services import Services

REASONS = ("Cycle count", "Received stock", "Damaged / lost", "Returned to stock", "Correction")


class SetOnHandDialog(QDialog):
    """Set the counted on-hand quantity of one SKU; a reason is required."""

    def __init__(
        self, sku: str, current: int, new_value: int | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("setOnHandDialog")
        self.setWindowTitle(f"Set on hand — {sku}")
        self.sku = sku
        self.quantity = QSpinBox()
        self.quantity.setObjectName("onHandQuantity")
        self.quantity.setRange(0, MAX_ON_HAND)
        self.quantity.setValue(current if new_value is None else new_value)
        self.reason = QComboBox()
        self.reason.setObjectName("onHandReason")
        self.reason.setEditable(True)
        self.reason.addItems(REASONS)
        self.reason.setCurrentIndex(-1)
        editor = self.reason.lineEdit()
        if editor is not None:
            editor.setPlaceholderText("Why? (required, e.g. cycle count)")
        self.message = error_label("onHandMessage")
        form = QFormLayout()
        form.addRow("SKU", QLabel(f"<b>{escape(sku)}</b> (now {current} on hand)"))
        form.addRow("&On hand", self.quantity)
        form.addRow("&Reason", self.reason)
        buttons = save_cancel_buttons(self, self.save, QDialogButtonBox.StandardButton.Ok)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.reason.setFocus()

    def save(self) -> bool:
        reason = " ".join(self.reason.currentText().split())
        if not reason:
            self.message.setText("Enter a reason: every stock change is recorded with why it happened.")
            self.reason.setFocus()
            return False
        try:
            set_on_hand(self.sku, self.quantity.value(), reason=reason, source="user")
        except FbmError as exc:
            self.message.setText(exc.user_message)
            return False
        self.accept()
        return True


STEP_GAP_MS = 15  # between the table and the push-preview steps of the after-sync refresh


class InventoryTab(QWidget):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inventoryTab")
        self.setMinimumSize(420, 300)
        self.services = services
        self.on_hand_dialog: SetOnHandDialog | None = None

        self.search, self._timer = debounced_search(
            self, "inventorySearch", "Search SKU, title or barcode", self._apply_filters
        )
        self.issues_only = QCheckBox("Push issues only")
        self.issues_only.setObjectName("issuesOnly")
        self.differs_only = QCheckBox("Differs from Amazon")
        self.differs_only.setObjectName("differsOnly")
        self.differs_only.setToolTip("SKUs the next inventory push will send (see the push preview)")
        self.low_only = QCheckBox("Low stock")
        self.low_only.setObjectName("lowStockOnly")
        self.low_only.setToolTip("SKUs whose available quantity is at or below their low-stock level")
        self.issues_only.toggled.connect(self._apply_filters)
        self.differs_only.toggled.connect(self._apply_filters)
        self.low_only.toggled.connect(self._apply_filters)
        self.place_button = QPushButton("Bin / low stock…")
        self.place_button.setObjectName("editPlace")
        self.place_button.clicked.connect(self.edit_place)
        self.set_button = QPushButton("Set on hand…")
        self.set_button.setObjectName("setOnHand")
        self.set_button.clicked.connect(self.edit_selected)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(self.refresh)
        self.warehouse_filter = warehouse_combo(self, "inventoryWarehouse", "SKUs with stock or orders there")
        reload_warehouse_combo(self.warehouse_filter)
        self.warehouse_filter.currentIndexChanged.connect(self._apply_filters)
        self.transfer_button = QPushButton("Transfer…")
        self.transfer_button.setObjectName("transferStock")
        self.transfer_button.setToolTip("Move units of the selected SKU to another warehouse")
        self.transfer_button.clicked.connect(self.transfer_selected)
        tools = QHBoxLayout()
        tools.addWidget(self.search, 1)
        tools.addWidget(self.warehouse_filter)
        tools.addWidget(self.issues_only)
        tools.addWidget(self.differs_only)
        tools.addWidget(self.low_only)
        tools.addWidget(self.set_button)
        tools.addWidget(self.place_button)
        tools.addWidget(self.transfer_button)
        tools.addWidget(self.refresh_button)

        self.model = InventoryTableModel(self)
        self.model.on_hand_edit_requested.connect(self._on_cell_edit)
        self.table = row_table("inventoryTable", self.model, badge_columns=(COL_STATE,))
        self.model.set_query(self.model.query)
        sort_in_sql(self.table, 0, Qt.SortOrder.AscendingOrder)
        set_column_widths(self.table, (150, 300, 80, 80, 80, 90, 130, 90))
        self.model.modelReset.connect(self._size_warehouse_columns)
        self._size_warehouse_columns()
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._show_why())

        self.why = QTextBrowser()
        self.why.setObjectName("whyAvailable")
        self.preview_model = PushPreviewModel(self)
        self.preview = QTableView()
        self.preview.setObjectName("pushPreview")
        self.preview.setModel(self.preview_model)
        self.preview.verticalHeader().setVisible(False)
        self.preview.horizontalHeader().setStretchLastSection(True)
        self.preview_label = QLabel()
        self.preview_label.setObjectName("pushPreviewLabel")
        preview_box = QWidget()
        preview_layout = QVBoxLayout(preview_box)
        preview_layout.addWidget(self.preview_label)
        preview_layout.addWidget(self.preview, 1)
        self.panels = QTabWidget()
        self.panels.addTab(self.why, "Why is available N?")
        self.panels.addTab(preview_box, "Next push preview")
        self.status = QLabel()
        splitter = table_over_panel(self.table, self.panels)
        layout = QVBoxLayout(self)
        layout.addLayout(tools)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)
        self.model.total_changed.connect(lambda n: self.status.setText(f"{n:,} SKUs"))
        self.status.setText(f"{self.model.total:,} SKUs")
        self.after_sync = refresh_after_sync(self, services, self._refresh_in_steps)
        self._show_why()
        # The push preview reads every store's listings and allocation: computed when the tab is first shown,
        # on a pool thread (``push_preview_loader``), and shown when ready.
        self.preview_reader = PreviewLoader(self, self._show_preview)
        self.preview_label.setText("Working out what the next inventory push will send…")
        self.preview_loader = DeferredRefresh(self, self.refresh_preview)
        self.preview_loader.request()

    # --- public ------------------------------------------------------------------------------------------

    def refresh(self) -> None:
        self._refresh_table()
        self.refresh_preview()

    def selected_product_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        row = self.model.row_at(rows[0].row()) if rows else None
        return row.product_id if row else None

    def select_product(self, product_id: int) -> bool:
        for i, r in enumerate(self.model.rows()):
            if r.product_id == product_id:
                self.table.selectRow(i)
                return True
        return False

    def edit_selected(self) -> SetOnHandDialog | None:
        pid = self.selected_product_id()
        row = stock_row(pid) if pid is not None else None
        if row is None:
            self.status.setText("Select a SKU first.")
            return None
        return self._open_on_hand(row.sku, row.on_hand, None)

    def edit_place(self) -> ProductPlaceDialog | None:
        """The bin location and low-stock level of the selected SKU."""
        pid = self.selected_product_id()
        row = stock_row(pid) if pid is not None else None
        if row is None:
            self.status.setText("Select a SKU first.")
            return None
        dialog = ProductPlaceDialog(row, self)
        dialog.accepted.connect(self.refresh)
        dialog.open()
        return dialog

    def transfer_selected(self) -> TransferDialog | None:
        pid = self.selected_product_id()
        row = stock_row(pid) if pid is not None else None
        split = warehouse_stock([pid]).get(pid, ()) if pid is not None else ()
        if row is None or len(split) < 2:
            self.status.setText("Select a SKU first." if row is None else "Add a second warehouse first.")
            return None
        dialog = TransferDialog(row.sku, split, self)
        dialog.accepted.connect(self.refresh)
        dialog.open()
        return dialog

    def refresh_preview(self) -> None:
        """Start reading the preview; it shows when ready (``preview_reader.ready``)."""
        self.preview_reader.load()

    def _show_preview(self, pushes: list[ListingPush] | str) -> None:
        if isinstance(pushes, str):  # the read failed: say so, keep what was shown
            self.preview_label.setText(pushes)
            return
        self.preview_model.set_pushes(pushes)  # every store: exactly what the next inventory job runs send
        n = len(pushes)
        skus = len({p.product_id for p in pushes})
        self.preview_label.setText(
            f"The next inventory push ({self._push_interval()}) will send {plural(n, 'quantity')} "
            f"for {plural(skus, 'SKU')}."
            if pushes
            else "Nothing to send: Amazon already has every available quantity."
        )
        self.panels.setTabText(1, f"Next push preview ({n})")

    # --- internals ---------------------------------------------------------------------------------------

    def _push_interval(self) -> str:
        scheduler = self.services.scheduler
        return every(SCHEDULE_BY_KIND[JobKind.INVENTORY].period, scheduler.time_scale if scheduler else 1.0)

    def _refresh_in_steps(self) -> None:
        """``refresh`` after a sync, split over two event-loop passes so neither stalls the GUI for long."""
        self._refresh_table()
        # A short gap, not 0: pending input and paint events run between the two steps.
        QTimer.singleShot(STEP_GAP_MS, self, self.refresh_preview)

    def _refresh_table(self) -> None:
        """Re-read the rows, keeping the selected SKU, and its "why"."""
        selected = self.selected_product_id()
        reload_warehouse_combo(self.warehouse_filter)
        self.model.refresh()
        if selected is not None:
            self.select_product(selected)
        self._show_why()

    def _apply_filters(self) -> None:
        self._timer.stop()
        self.model.set_query(
            replace(
                self.model.query,
                search=self.search.text().strip(),
                issues_only=self.issues_only.isChecked(),
                out_of_sync_only=self.differs_only.isChecked(),
                low_stock_only=self.low_only.isChecked(),
                warehouse_id=self.warehouse_filter.currentData(),
            )
        )
        self._show_why()

    def _size_warehouse_columns(self) -> None:
        for column in range(COL_ISSUES + 1, self.model.columnCount()):
            self.table.setColumnWidth(column, max(110, 9 * len(self.model.headers[column])))

    def _on_cell_edit(self, product_id: int, sku: str, quantity: int) -> None:
        row = stock_row(product_id)
        if row is not None:
            # Open after the editor closes, not from inside the delegate's commit.
            QTimer.singleShot(0, self, lambda: self._open_on_hand(sku, row.on_hand, quantity))

    def _open_on_hand(self, sku: str, current: int, quantity: int | None) -> SetOnHandDialog:
        dialog = SetOnHandDialog(sku, current, quantity, self)
        dialog.accepted.connect(self.refresh)
        self.on_hand_dialog = dialog
        dialog.open()
        return dialog

    def _show_why(self) -> None:
        pid = self.selected_product_id()
        row = stock_row(pid) if pid is not None else None
        if row is None:
            self.why.setHtml("<p style='color:#666'>Select a SKU to see which orders hold its units.</p>")
            return
        self.why.setHtml(why_available_html(row))
        self.panels.setTabText(0, f"Why is available {row.available}?")
