"""The Warehouses page (File → Warehouses…): add, rename, priority, primary, ship-from address, deactivate,
and this station's home warehouse (``settings.json`` ``home_warehouse``: its Orders tab shows that
warehouse's orders first)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from fbm_desk.db import warehouses as wh
from fbm_desk.foundation.errors import FbmError
from fbm_desk.ui.dialog_parts import error_label

if TYPE_CHECKING:
    from fbm_desk.ui.services import Services

HOME_KEY = "home_warehouse"
HEADERS = ("Warehouse", "Priority", "Primary", "Active", "Ships from")
SHIP_LABELS = (
    ("name", "Ship-from &name"),
    ("address1", "Address line &1"),
    ("address2", "Address line 2"),
    ("city", "&City"),
    ("state", "State / region"),
    ("postal_code", "&Postal code"),
    ("country", "Country code"),
    ("phone", "P&hone"),
)


def home_warehouse(services: Services) -> wh.WarehouseRow | None:
    """This station's home warehouse (None: not chosen, or no longer active)."""
    name = services.settings.get(HOME_KEY)
    return next((w for w in wh.list_warehouses(active_only=True) if w.name == name), None) if name else None


class WarehousesModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[wh.WarehouseRow] = []

    def reload(self) -> None:
        self.beginResetModel()
        self.rows = wh.list_warehouses()
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section] if 0 <= section < len(HEADERS) else None
        return None

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            not index.isValid()
            or not 0 <= index.row() < len(self.rows)
            or role != Qt.ItemDataRole.DisplayRole
        ):
            return None
        w = self.rows[index.row()]
        return (
            w.name,
            w.priority,
            "Primary" if w.is_primary else "",
            "Yes" if w.active else "No",
            ", ".join(w.ship_from.lines()),
        )[index.column()]


class WarehousesDialog(QDialog):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("warehousesDialog")
        self.setWindowTitle("Warehouses")
        self.resize(820, 520)
        self.services = services
        self.model = WarehousesModel(self)
        self.table = QTableView()
        self.table.setObjectName("warehousesTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.name = QLineEdit()
        self.name.setObjectName("warehouseName")
        self.priority = QSpinBox()
        self.priority.setRange(0, 1_000_000)
        self.priority.setToolTip(
            "Orders routed by priority go to the first warehouse (lowest number) that has every unit"
        )
        self.primary = QCheckBox("Primary warehouse (starting inventory from Amazon goes here)")
        self.ship = {key: QLineEdit() for key, _ in SHIP_LABELS}
        form = QFormLayout()
        form.addRow("&Name", self.name)
        form.addRow("P&riority", self.priority)
        form.addRow("", self.primary)
        for key, label in SHIP_LABELS:
            form.addRow(label, self.ship[key])
        self.home = QComboBox()
        self.home.setObjectName("homeWarehouse")
        self.home.setToolTip("This computer's warehouse: its Orders tab opens on this warehouse's orders")
        form.addRow("This station's &home", self.home)
        self.message = error_label("warehousesMessage")
        buttons = QHBoxLayout()
        self.add_button = QPushButton("&Add as new")
        self.save_button = QPushButton("&Save changes")
        self.active_button = QPushButton("&Deactivate")
        close = QPushButton("Close")
        for b in (self.add_button, self.save_button, self.active_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(close)
        self.add_button.clicked.connect(self.add)
        self.save_button.clicked.connect(self.save)
        self.active_button.clicked.connect(self.toggle_active)
        close.clicked.connect(self.accept)
        self.home.activated.connect(self._home_chosen)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._show_selected())
        self.reload()

    def selected(self) -> wh.WarehouseRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.rows[rows[0].row()] if rows else None

    def reload(self, select: int | None = None) -> None:
        current = self.selected()
        keep = select if select is not None else (current.id if current else None)
        self.model.reload()
        row = next((i for i, w in enumerate(self.model.rows) if w.id == keep), 0)
        self.table.selectRow(row)
        self.home.clear()
        self.home.addItem("(not chosen: every warehouse)", "")
        for w in wh.list_warehouses(active_only=True):
            self.home.addItem(w.name, w.name)
        current = home_warehouse(self.services)
        self.home.setCurrentIndex(max(0, self.home.findData(current.name)) if current else 0)
        self._show_selected()

    def _ship_from(self) -> wh.ShipFrom:
        return wh.ShipFrom(**{k: e.text().strip() for k, e in self.ship.items()})

    def _show_selected(self) -> None:
        w = self.selected()
        if w is None:
            return
        self.name.setText(w.name)
        self.priority.setValue(w.priority)
        self.primary.setChecked(w.is_primary)
        self.primary.setEnabled(not w.is_primary)
        for key, edit in self.ship.items():
            edit.setText(getattr(w.ship_from, key))
        self.active_button.setText("&Deactivate" if w.active else "&Activate")
        self.active_button.setEnabled(not w.is_primary)

    def _run(self, step: Any) -> bool:
        try:
            row = step()
        except FbmError as exc:
            self.message.setText(exc.user_message)
            return False
        self.message.setText("")
        self.reload(select=row.id)
        return True

    def add(self) -> bool:
        return self._run(
            lambda: wh.add_warehouse(
                self.name.text(),
                primary=self.primary.isChecked() and self.primary.isEnabled(),  # not the shown primary's tick
                priority=self.priority.value(),
                ship_from=self._ship_from(),
            )
        )

    def save(self) -> bool:
        w = self.selected()
        if w is None:
            return False
        old_name = w.name
        ok = self._run(
            lambda: wh.update_warehouse(
                w.id,
                name=self.name.text(),
                priority=self.priority.value(),
                ship_from=self._ship_from(),
                make_primary=self.primary.isChecked()
                and self.primary.isEnabled(),  # not the shown primary's tick
            )
        )
        if ok and self.services.settings.get(HOME_KEY) == old_name:
            self.services.settings.set(HOME_KEY, self.name.text().strip())  # the home follows a rename
            self.reload()
        return ok

    def toggle_active(self) -> bool:
        w = self.selected()
        return self._run(lambda: wh.set_active(w.id, not w.active)) if w else False

    def _home_chosen(self, index: int) -> None:
        self.services.settings.set(HOME_KEY, self.home.itemData(index) or "")
