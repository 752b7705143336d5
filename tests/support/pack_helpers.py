"""Driving the GUI like a packer: open the pack dialog, scan with a keyboard-wedge scanner, select orders."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt

from fbm_desk.ui.orders_tab import OrdersTab
from fbm_desk.ui.pack_dialog import PackDialog
from fbm_desk.ui.services import Services


def open_pack_dialog(qtbot: Any, services: Services, order_id: int) -> PackDialog:
    dialog = PackDialog(services.core, order_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def scan(qtbot: Any, window: Any, code: str) -> None:
    """A keyboard-wedge scanner: types into whatever has the focus in ``window``, then Enter."""
    widget = window.focusWidget()
    assert widget is not None
    if code:
        qtbot.keyClicks(widget, code)
    qtbot.keyClick(widget, Qt.Key.Key_Return)


def select_orders(tab: OrdersTab, order_ids: set[str]) -> None:
    """Select the Orders tab's rows of these Amazon order ids (as Shift/Ctrl+click would)."""
    model = tab.table.selectionModel()
    model.clearSelection()
    for r in range(tab.model.rowCount()):
        row = tab.model.row_at(r)
        if row is not None and row.amazon_order_id in order_ids:
            flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
            model.select(tab.model.index(r, 0), flags)
