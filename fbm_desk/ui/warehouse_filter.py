"""The "which warehouse" filter of the Orders and Inventory tabs; the Orders tab (and so its "To pack" queue)
opens on this station's home warehouse (Warehouses page, ``settings.json`` ``home_warehouse``), and a scanned
order of another warehouse is opened with a warning (``away_from_home``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QComboBox, QWidget

from fbm_desk.db.warehouse_routing import order_warehouses
from fbm_desk.db.warehouses import list_warehouses
from fbm_desk.ui.warehouses_dialog import home_warehouse

if TYPE_CHECKING:
    from fbm_desk.ui.services import Services


def warehouse_combo(parent: QWidget, name: str, tooltip: str) -> QComboBox:
    combo = QComboBox(parent)
    combo.setObjectName(name)
    combo.setToolTip(tooltip)
    return combo


def reload_warehouse_combo(combo: QComboBox, services: Services | None = None) -> None:
    """All warehouses + each active one; hidden with a single warehouse. With ``services``: select the
    station's home warehouse (first load), else keep the current choice."""
    houses = list_warehouses(active_only=True)
    keep = combo.currentData()
    if services is not None:
        home = home_warehouse(services)
        keep = home.id if home else None
    combo.blockSignals(True)
    combo.clear()
    combo.addItem("All warehouses", None)
    for w in houses:
        combo.addItem(w.name + (" (primary)" if w.is_primary else ""), w.id)
    combo.setCurrentIndex(max(0, combo.findData(keep)) if keep is not None else 0)
    combo.blockSignals(False)
    combo.setVisible(len(houses) > 1)


def away_from_home(services: Services, order_id: int) -> str:
    """The warning for an order allocated to another warehouse than this station's home ("" when it is
    this station's, or no home is chosen)."""
    home = home_warehouse(services)
    where = order_warehouses([order_id]).get(order_id, "")
    if home is None or not where or where == home.name:
        return ""
    return (
        f"This order is allocated to {where}, not to this station's {home.name}. To pack it here, "
        "right-click it in the Orders table → Move to warehouse…"
    )
