"""The Orders tab: quick filters with counts, store filter, debounced search, scan box, table, detail panel.

The table is ``OrdersTableModel`` (SQL-side paging, filtering and sorting). Scanning or typing an Amazon order
id into the scan box (Ctrl+K from anywhere in the window) opens the pack dialog for that order.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QItemSelection, Qt, QTimer, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from fbm_desk.db.order_views import OrderQuery, QuickFilter, find_order_ids
from fbm_desk.db.states import OrderState
from fbm_desk.ui.batch_actions import BatchActions
from fbm_desk.ui.cancel_order import OrderCanceler
from fbm_desk.ui.deferred_refresh import refresh_after_sync
from fbm_desk.ui.filter_counts import QUICK_FILTERS, FilterCountLabels
from fbm_desk.ui.move_order import install_move_action
from fbm_desk.ui.order_detail import OrderDetailPanel
from fbm_desk.ui.pack_prefetch import PREFETCH_MS, prefetch_pack_dialog
from fbm_desk.ui.packing_queue import OrderBarcodeCatcher, fit_columns, queue_query
from fbm_desk.ui.tab_parts import (
    debounced_search,
    raise_tab,
    reload_store_combo,
    row_table,
    set_column_widths,
    sort_in_sql,
    table_over_panel,
)
from fbm_desk.ui.table_models.orders_model import (
    COL_PUSH,
    COL_STATE,
    COLUMNS,
    OrdersTableModel,
)
from fbm_desk.ui.warehouse_filter import away_from_home, reload_warehouse_combo, warehouse_combo

if TYPE_CHECKING:
    from fbm_desk.ui.pack_dialog import PackDialog
    from fbm_desk.ui.services import Services


class OrdersTab(QWidget):
    """``OrdersTab(services)``; ``services.core`` is the Qt-free core, ``services.runner`` optional."""

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ordersTab")
        self.setMinimumSize(420, 300)  # the window may be smaller than the filter row; it clips, not grows
        self.services = services
        self.pack_dialog: PackDialog | None = None

        self.filter_group = QButtonGroup(self)
        self.filter_group.setExclusive(True)
        self.filter_buttons: dict[QuickFilter, QToolButton] = {}
        filters = QHBoxLayout()
        filters.setSpacing(4)
        for quick, label, tip in QUICK_FILTERS:
            button = QToolButton()
            button.setObjectName(f"filter_{quick.value}")
            button.setCheckable(True)
            button.setText(label)
            button.setToolTip(tip)
            button.setProperty("base_label", label)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            self.filter_group.addButton(button)
            self.filter_buttons[quick] = button
            filters.addWidget(button)
            button.clicked.connect(lambda _checked=False, q=quick: self.set_quick_filter(q))
        self.filter_buttons[QuickFilter.ALL].setChecked(True)
        filters.addStretch(1)

        self.store_combo = QComboBox()
        self.store_combo.setObjectName("storeFilter")
        self.store_combo.setToolTip("Show the orders of one store")
        self.store_combo.currentIndexChanged.connect(self._on_store_changed)
        self.warehouse_combo = warehouse_combo(self, "warehouseFilter", "Show the orders of one warehouse")
        reload_warehouse_combo(self.warehouse_combo, services)  # opens on this station's home warehouse
        self.warehouse_combo.currentIndexChanged.connect(self._on_warehouse_changed)
        self.search, self._search_timer = debounced_search(
            self,
            "orderSearch",
            "Search order id, SKU, buyer or tracking number (Ctrl+F)",
            self._apply_search,
        )
        self.search.returnPressed.connect(self._apply_search)
        self.scan = QLineEdit()
        self.scan.setObjectName("scanOrder")
        self.scan.setPlaceholderText("Scan order id → pack (Ctrl+K)")
        self.scan.setToolTip("Scan or type an Amazon order id and press Enter to open the pack dialog")
        self.scan.returnPressed.connect(self._on_scan)
        tools = QHBoxLayout()
        tools.addWidget(self.store_combo)
        tools.addWidget(self.warehouse_combo)
        tools.addWidget(self.search, 2)
        tools.addSpacing(12)
        tools.addWidget(self.scan, 1)

        self.model = OrdersTableModel(self)
        self.table = row_table("ordersTable", self.model, badge_columns=(COL_STATE, COL_PUSH))
        self.table.setWordWrap(False)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)  # batch actions
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        set_column_widths(self.table, fit_columns(self.table)[: len(COLUMNS)])
        self.model.set_query(OrderQuery(warehouse_id=self.warehouse_combo.currentData()))
        sort_in_sql(self.table, 4, Qt.SortOrder.DescendingOrder)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self.table.activated.connect(self._on_activated)
        install_move_action(self)  # right-click: move the order to another warehouse

        self.detail = OrderDetailPanel()
        self.detail.pack_requested.connect(self.open_pack_dialog)
        self.detail.edit_package_requested.connect(self.open_package_editor)
        self.canceler = OrderCanceler(services.core, services.runner, self)
        self.canceler.started.connect(self._on_cancel_started)
        self.canceler.finished.connect(self._on_cancel_finished)
        self.detail.cancel_order_requested.connect(lambda oid: self.canceler.ask(oid, self))
        self.batch = BatchActions(self, self.selected_order_ids, self._show_message)
        tools.addWidget(self.batch.button)
        self.status = QLabel()
        self.status.setObjectName("ordersStatus")
        self.message = QLabel()
        self.message.setObjectName("ordersMessage")
        self.message.setWordWrap(True)

        splitter = table_over_panel(self.table, self.detail)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addLayout(tools)
        layout.addWidget(self.message)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)
        self.message.hide()
        self.barcodes = OrderBarcodeCatcher(self, self._open_scanned)

        QShortcut(
            QKeySequence("Ctrl+F"),
            self,
            self.focus_search,
            context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )
        self.scan_shortcut: QShortcut | None = None
        # Ctrl+K must work from every tab: hidden widgets get no shortcuts, so it lives on the top-level
        # window, which exists once the main window has taken this tab (after the constructor).
        QTimer.singleShot(0, self, self._install_scan_shortcut)  # dropped if the tab is gone by then
        QTimer.singleShot(PREFETCH_MS, self, prefetch_pack_dialog)  # its modules, while the window is idle
        self.filter_counts = FilterCountLabels(self, dict(self.filter_buttons))
        self.model.total_changed.connect(self._update_status)
        self.model.rowsInserted.connect(lambda *_: self._update_status())
        self._wanted: int | None = None  # the order to select once a page read off the thread is shown
        self.model.rows_arrived.connect(self._on_rows_arrived)
        self.after_sync = refresh_after_sync(self, services, self.refresh)
        reload_store_combo(self.store_combo)
        self._update_counts()
        self._update_status()

    # --- public ------------------------------------------------------------------------------------------

    def set_quick_filter(self, quick: QuickFilter) -> None:
        self.filter_buttons[quick].setChecked(True)
        self._set_query(queue_query(self.table, self.model.query, quick))

    def set_search(self, text: str) -> None:
        """Search now (what the debounce timer does after typing stops)."""
        self.search.setText(text)
        self._apply_search()

    @Slot()
    def refresh(self) -> None:
        """Re-read counts, rows and the open order (after a sync or a saved package)."""
        selected, self._wanted = self.selected_order_id(), None
        reload_store_combo(self.store_combo)
        reload_warehouse_combo(self.warehouse_combo)
        self.model.refresh()
        self._update_counts()
        if selected is not None:
            self.select_order(selected)

    def selected_order_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        row = self.model.row_at(rows[0].row())
        return row.id if row else None

    def selected_order_ids(self) -> list[int]:
        """The selected orders (batch actions), in table order."""
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return [r.id for r in (self.model.row_at(i) for i in rows) if r is not None]

    def select_order(self, order_id: int) -> bool:
        self._wanted = order_id if self.model.loading else None  # the rows coming replace these
        row = self.model.row_of_order(order_id)
        if row < 0:
            self.detail.show_order(order_id)
            return False
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0))
        return True

    def focus_search(self) -> None:
        raise_tab(self)
        self.search.setFocus()
        self.search.selectAll()

    def focus_scan(self) -> None:
        raise_tab(self)
        self.scan.setFocus()
        self.scan.selectAll()

    @Slot(int)
    def open_pack_dialog(self, order_id: int) -> PackDialog:
        from fbm_desk.ui.pack_dialog import PackDialog

        if self.pack_dialog is not None:
            self.pack_dialog.close()
        dialog = PackDialog(self.services.core, order_id, self)
        dialog.saved.connect(self._on_package_saved)
        dialog.cancel_order_requested.connect(lambda oid: self.canceler.ask(oid, dialog))
        dialog.finished.connect(lambda _r: self.scan.setFocus())
        self.pack_dialog = dialog
        dialog.open()
        return dialog

    @Slot(int, int)
    def open_package_editor(self, order_id: int, package_id: int) -> PackDialog | None:
        """Edit a queued or rejected package (new carrier/tracking) and queue it again."""
        from fbm_desk.ui.pack_dialog import PackDialog

        detail = self.detail.detail
        package = next((p for p in detail.packages if p.id == package_id), None) if detail else None
        if package is None:
            return None
        if self.pack_dialog is not None:
            self.pack_dialog.close()
        dialog = PackDialog(self.services.core, order_id, self, package=package)
        dialog.saved.connect(self._on_package_saved)
        self.pack_dialog = dialog
        dialog.open()
        return dialog

    # --- internals ---------------------------------------------------------------------------------------

    def _set_query(self, query: OrderQuery) -> None:
        self._wanted = None
        self.model.set_query(query)
        self.detail.clear()
        if self.model.rowCount() == 1:
            self.table.selectRow(0)

    def _apply_search(self) -> None:
        self._search_timer.stop()
        text = self.search.text().strip()
        if text != self.model.query.search:
            self._set_query(replace(self.model.query, search=text))

    def _on_store_changed(self, _index: int) -> None:
        store_id = self.store_combo.currentData()
        if store_id != self.model.query.store_id:
            self._set_query(replace(self.model.query, store_id=store_id))
            self._update_counts()

    def _on_warehouse_changed(self, _index: int) -> None:
        self._set_query(replace(self.model.query, warehouse_id=self.warehouse_combo.currentData()))
        self._update_counts()

    def _update_counts(self) -> None:
        self.filter_counts.update(self.model.query.store_id, self.model.query.warehouse_id)

    def _on_rows_arrived(self, first: bool) -> None:  # a slow page, read on the reader thread, is shown
        if not first:
            return  # a next page was added below: the selection and the view stay as they are
        wanted, self._wanted = self._wanted, None
        if wanted is not None:
            self.select_order(wanted)
        elif self.model.rowCount() == 1:
            self.table.selectRow(0)

    def _update_status(self, *_args: Any) -> None:
        shown, total = self.model.rowCount(), self.model.total
        if self.model.loading and not shown:
            self.status.setText("Loading orders…")
            return
        if self.model.counting:
            self.status.setText(f"{shown:,}+ orders (counting…) · scroll for more")
            return
        self.status.setText(
            f"{total:,} orders" + (f" · {shown:,} loaded (scroll for more)" if shown < total else "")
        )

    def _show_message(self, text: str, error: bool = False) -> None:
        color = "#9b1111" if error else "#1d6b34"
        self.message.setStyleSheet(f"QLabel {{ color: {color}; font-weight: bold; }}")
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _on_selection(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        order_id = self.selected_order_id()
        if order_id is None:
            self.detail.clear()
        else:
            self.detail.show_order(order_id)

    def _on_activated(self, index: Any) -> None:
        row = self.model.row_at(index.row())
        if row is not None and row.state in (OrderState.RELEASED, OrderState.PARTIALLY_SHIPPED):
            self.open_pack_dialog(row.id)

    def _on_scan(self) -> None:
        text = self.scan.text().strip()
        if text:
            self._open_scanned(text)

    def _open_scanned(self, text: str) -> None:
        matches = find_order_ids(text)
        if not matches:
            self._show_message(
                f"No order '{text}' in any store. Check the number, or sync orders first.", True
            )
            self.scan.selectAll()
            return
        if len(matches) > 1:
            stores = ", ".join(m[2] for m in matches)
            self._show_message(
                f"Order {text} exists in several stores ({stores}); select it in the table.", True
            )
            self.set_search(text)
            return
        order_id, away = matches[0][0], away_from_home(self.services, matches[0][0])
        self._show_message(away, bool(away))
        self.scan.clear()
        if not self.select_order(order_id) and away:  # not in this warehouse's list: show every warehouse,
            self.warehouse_combo.setCurrentIndex(0)  # so the order is selected for "Move to warehouse…"
            self.select_order(order_id)
        dialog = self.open_pack_dialog(order_id)
        if away:  # above whatever the dialog already says (a block)
            dialog.show_message("\n".join(t for t in (away, dialog.message.text()) if t), error=True)

    def _on_package_saved(self, message: str) -> None:
        dialog = self.pack_dialog
        if self.services.confirm_soon is not None and dialog is not None and dialog.detail is not None:
            self.services.confirm_soon.package_saved(dialog.detail.order.store_id)
        self._show_message(message)
        self.refresh()
        if dialog is not None:  # packed from another filter: the panel shows the order as it is now
            self.select_order(dialog.order_id)

    def _on_cancel_started(self, _order_id: int) -> None:
        self.detail.cancel_button.setEnabled(False)
        self._show_message("Sending the cancellation to Amazon… (you can keep working)")

    def _on_cancel_finished(self, order_id: int, canceled: bool, message: str) -> None:
        if canceled and self.pack_dialog is not None:
            self.pack_dialog.close()
        self._show_message(message, not canceled)
        self.refresh()
        if self.detail.detail is not None and self.detail.detail.order.id == order_id:
            self.detail.show_order(order_id)

    def _install_scan_shortcut(self) -> None:
        if self.scan_shortcut is not None:
            return
        host = self.window()
        self.scan_shortcut = QShortcut(QKeySequence("Ctrl+K"), host, self.focus_scan)
        self.scan_shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
