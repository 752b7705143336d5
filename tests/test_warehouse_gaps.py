"""Issue 16's remaining gaps: the store Settings dialog's warehouse settings, the home warehouse in the
packing queue and the order scan, and the Orders tab's quick-filter counts per warehouse."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt

from fbm_desk.core import build_core
from fbm_desk.db import stores as store_db
from fbm_desk.db.order_views import QuickFilter, quick_filter_counts
from fbm_desk.db.orders import find_order
from fbm_desk.db.stores import list_stores
from fbm_desk.db.warehouse_routing import Routing, assign_warehouse, order_warehouses, store_routing
from fbm_desk.db.warehouses import add_warehouse, feeds_chosen, primary, store_feeds
from fbm_desk.foundation.paths import AppPaths
from fbm_desk.ui.move_order import move_selected
from fbm_desk.ui.orders_tab import OrdersTab
from fbm_desk.ui.services import Services
from fbm_desk.ui.store_settings_dialog import StoreSettingsDialog
from fbm_desk.ui.warehouses_dialog import HOME_KEY
from tests.support.demo_data import add_order, generate
from tests.support.orders_counts import counted

FRONT, BACK, BACK_HELD = "111-0000000-0000001", "111-0000000-0000002", "111-0000000-0000003"


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


def two_warehouses(services: Services) -> int:
    """Front order in the primary, two Back room orders (one released, one held): the Back room's id."""
    back = add_warehouse("Back room")
    for amazon_id, state in ((FRONT, "released"), (BACK, "released"), (BACK_HELD, "held")):
        add_order(services.core.db.db, amazon_id, store_id=list_stores()[0].id, state=state)
    assign_warehouse(find_order(BACK).id, back.id)
    services.core.db.db.execute_sql(
        "UPDATE orders SET warehouse_id = ? WHERE amazon_order_id = ?", (back.id, BACK_HELD)
    )
    return back.id


def test_quick_filter_counts_follow_the_warehouse(qtbot: Any, services: Services) -> None:
    back = two_warehouses(services)
    everywhere = quick_filter_counts()
    assert (everywhere[QuickFilter.RELEASED], everywhere[QuickFilter.HELD]) == (2, 1)
    here = quick_filter_counts(warehouse_id=back)
    assert (here[QuickFilter.ALL], here[QuickFilter.RELEASED], here[QuickFilter.HELD]) == (2, 1, 1)
    primary_only = quick_filter_counts(warehouse_id=primary().id)  # not routed: the primary's
    assert (primary_only[QuickFilter.ALL], primary_only[QuickFilter.RELEASED]) == (1, 1)
    tab = OrdersTab(services)
    qtbot.addWidget(tab)
    label = tab.filter_buttons[QuickFilter.RELEASED].text
    counted(qtbot, tab)
    assert label().endswith("(2)")
    tab.warehouse_combo.setCurrentIndex(tab.warehouse_combo.findData(back))
    counted(qtbot, tab)
    assert label().endswith("(1)")
    tab.set_quick_filter(QuickFilter.RELEASED)
    assert tab.model.total == 1  # the count is what the filter shows


def test_to_pack_opens_on_home_and_a_scan_from_elsewhere_warns(qtbot: Any, services: Services) -> None:
    two_warehouses(services)
    services.settings.set(HOME_KEY, "Back room")
    tab = OrdersTab(services)
    qtbot.addWidget(tab)
    tab.set_quick_filter(QuickFilter.RELEASED)  # "To pack"
    assert [r.amazon_order_id for r in tab.model.rows()] == [BACK]
    assert counted(qtbot, tab).filter_buttons[QuickFilter.RELEASED].text().endswith("(1)")
    qtbot.keyClicks(tab.scan, BACK)  # this station's order: no warning
    qtbot.keyClick(tab.scan, Qt.Key.Key_Return)
    assert tab.pack_dialog is not None
    assert "allocated to" not in tab.pack_dialog.message.text()
    assert not tab.message.isVisible() or not tab.message.text()
    tab.pack_dialog.close()
    qtbot.keyClicks(tab.scan, FRONT)  # another warehouse's order: opened, with a clear warning
    qtbot.keyClick(tab.scan, Qt.Key.Key_Return)
    dialog = tab.pack_dialog
    assert dialog is not None
    assert dialog.detail is not None
    assert dialog.detail.order.amazon_order_id == FRONT
    assert "This order is allocated to Primary warehouse" in dialog.message.text()
    assert "This order is allocated to Primary warehouse" in tab.message.text()
    dialog.close()
    assert tab.selected_order_id() == find_order(FRONT).id  # selected: "Move to warehouse…" applies to it
    assert move_selected(tab, "Back room")
    assert order_warehouses([find_order(FRONT).id])[find_order(FRONT).id] == "Back room"
