"""Issue 16's remaining gaps: the store Settings dialog's warehouse settings, the home warehouse in the
packing queue and the order scan, and the Orders tab's quick-filter counts per warehouse."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt

from fbm_desk.core import build_core
from fbm_desk.db import stores as store_db
from fbm_desk.db.stores import list_stores
from fbm_desk.db.warehouse_routing import Routing, store_routing
from fbm_desk.db.warehouses import add_warehouse, feeds_chosen, store_feeds
from fbm_desk.foundation.paths import AppPaths
from fbm_desk.ui.services import Services
from fbm_desk.ui.store_settings_dialog import StoreSettingsDialog
from tests.support.demo_data import generate


@pytest.fixture
def services(app_paths: AppPaths) -> Iterator[Services]:
    core = build_core(app_paths)
    generate(core.db.db, orders=0)
    yield Services(core=core)
    core.close()


def save(dialog: StoreSettingsDialog) -> None:
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()


def test_store_settings_dialog_sets_feeds_routing_and_split(qtbot: Any, services: Services) -> None:
    add_warehouse("Back room")
    store = list_stores()[0]
    dialog = StoreSettingsDialog(store_db.get_store(store.id))
    qtbot.addWidget(dialog)
    box = dialog.warehouses_box
    assert box.all_check.isChecked()  # default: every active warehouse
    assert not box.feeds_list.isEnabled()
    assert box.feeds_list.count() == 2
    assert box.routing_combo.currentData() == store_routing(store.id)[0].value
    box.all_check.click()
    for i in range(box.feeds_list.count()):
        box.feeds_list.item(i).setCheckState(Qt.CheckState.Unchecked)
    save(dialog)  # nothing checked: a clear message, nothing stored (not even the rename)
    assert "at least one warehouse" in dialog.error_label.text()
    assert not feeds_chosen(store.id)
    box.feeds_list.item(1).setCheckState(Qt.CheckState.Checked)
    box.routing_combo.setCurrentIndex(box.routing_combo.findData(Routing.PRIORITY.value))
    was_split = store_routing(store.id)[1]
    if box.split_check.isChecked() == was_split:
        box.split_check.click()
    save(dialog)
    assert not dialog.isVisible()
    assert [w.name for w in store_feeds(store.id)] == ["Back room"]
    assert store_routing(store.id) == (Routing.PRIORITY, not was_split)
    again = StoreSettingsDialog(store_db.get_store(store.id))  # the dialog shows what is stored
    qtbot.addWidget(again)
    checked = [
        again.warehouses_box.feeds_list.item(i).checkState() == Qt.CheckState.Checked for i in range(2)
    ]
    assert not again.warehouses_box.all_check.isChecked()
    assert checked == [False, True]
    again.warehouses_box.all_check.click()
    save(again)
    assert not feeds_chosen(store.id)


def test_store_settings_warehouses_roll_back_with_the_rest(qtbot: Any, services: Services) -> None:
    """A refused feed (the warehouse was deactivated meanwhile) leaves the name and routing unchanged."""
    back = add_warehouse("Back room")
    store = list_stores()[0]
    dialog = StoreSettingsDialog(store_db.get_store(store.id))
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("Renamed store")
    box = dialog.warehouses_box
    box.all_check.click()
    box.routing_combo.setCurrentIndex(box.routing_combo.findData(Routing.PRIORITY.value))
    services.core.db.db.execute_sql("UPDATE warehouse SET active = 0 WHERE id = ?", (back.id,))
    save(dialog)
    assert "inactive" in dialog.error_label.text()
    assert store_db.get_store(store.id).name == store.name
    assert store_routing(store.id)[0] == Routing.PRIMARY
    assert not feeds_chosen(store.id)
