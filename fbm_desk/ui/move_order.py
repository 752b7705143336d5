""" "Move to warehouse…" on the Orders table (right-click): the packer moves the selected order to another
warehouse; its allocation moves with it (``fbm_desk.db.warehouse_routing.assign_warehouse``)."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QInputDialog, QMessageBox, QTableView

from fbm_desk.db.warehouse_routing import assign_warehouse, order_warehouses
from fbm_desk.db.warehouses import list_warehouses
from fbm_desk.foundation.errors import FbmError


class OrdersTab(Protocol):
    """What the action needs of the Orders tab (no import of it: the tab installs the action)."""

    table: QTableView

    def selected_order_id(self) -> int | None: ...

    def refresh(self) -> None: ...


def install_move_action(tab: OrdersTab) -> QAction:
    action = QAction("Move to warehouse…", tab.table)
    action.setObjectName("moveToWarehouse")
    action.triggered.connect(lambda: move_selected(tab))
    tab.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
    tab.table.addAction(action)
    return action


def move_selected(tab: OrdersTab, choose: str | None = None) -> bool:
    """Ask which warehouse (``choose`` answers for tests and scripts), move the order, refresh the tab."""
    order_id = tab.selected_order_id()
    houses = list_warehouses(active_only=True)
    if order_id is None or len(houses) < 2:
        return False
    current = order_warehouses([order_id]).get(order_id, "")
    names = [w.name for w in houses if w.name != current]
    if choose is None:
        choose, ok = QInputDialog.getItem(
            tab.table, "Move to warehouse", f"Now in {current}. Move to:", names, 0, False
        )
        if not ok:
            return False
    target = next((w for w in houses if w.name == choose), None)
    if target is None:
        return False
    try:
        assign_warehouse(order_id, target.id, by="moved by the packer")
    except FbmError as exc:
        QMessageBox.warning(tab.table, "Move to warehouse", exc.user_message)
        return False
    tab.refresh()
    return True
