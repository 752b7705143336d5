"""Warehouses: add/rename/primary/priority, deactivation guards (inside the write's transaction), routing with
and without splitting, moving an order (its allocation moves with it), the Warehouses page, transfers in the
Inventory tab and the Orders tab's warehouse column, filter and home warehouse."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from fbm_desk.core import build_core
from fbm_desk.db.inventory import find_product_id, set_on_hand, transfer_stock
from fbm_desk.db.models import Order, OrderItem
from fbm_desk.db.orders import find_order
from fbm_desk.db.stock_warehouses import warehouse_stock
from fbm_desk.db.stores import list_stores
from fbm_desk.db.warehouse_routing import Routing, assign_warehouse, route_orders, set_store_routing
from fbm_desk.db.warehouses import (
    add_warehouse,
    find_warehouse,
    list_warehouses,
    primary,
    set_active,
    set_store_feeds,
    store_feeds,
    update_warehouse,
)
from fbm_desk.foundation.errors import InvalidInput
from fbm_desk.foundation.paths import AppPaths
from fbm_desk.ui.inventory_tab import InventoryTab
from fbm_desk.ui.move_order import move_selected
from fbm_desk.ui.orders_tab import OrdersTab
from fbm_desk.ui.services import Services
from fbm_desk.ui.table_models.orders_model import COL_WAREHOUSE
from fbm_desk.ui.warehouses_dialog import HOME_KEY, WarehousesDialog
from tests.support.demo_data import add_order, generate
from tests.support.pg_fixtures import other_connection

MUG, SOAP = "MUG-ENAMEL-GRN", "SOAP-LAV-OAT"


@pytest.fixture
def services(app_paths: AppPaths) -> Iterator[Services]:
    core = build_core(app_paths)
    generate(core.db.db, orders=0)
    core.db.db.execute_sql("UPDATE inventory_level SET on_hand = 0")
    yield Services(core=core)
    core.close()


def pid(sku: str) -> int:
    return find_product_id(sku)


def split(sku: str) -> dict[str, tuple[int, int]]:
    return {w.name: (w.on_hand, w.allocated) for w in warehouse_stock([pid(sku)])[pid(sku)]}


def new_order(services: Services, amazon_id: str, items: tuple[tuple[str, int], ...]) -> int:
    add_order(services.core.db.db, amazon_id, store_id=list_stores()[0].id, items=items)
    return find_order(amazon_id).id


def test_exactly_one_primary_priority_order_and_names(services: Services) -> None:
    back = add_warehouse("  Back   room ")
    assert back.name == "Back room"
    with pytest.raises(InvalidInput):
        add_warehouse("back ROOM")
    with pytest.raises(InvalidInput):
        add_warehouse("")
    first = add_warehouse("Front", priority=0, primary=True)
    assert [w.name for w in list_warehouses()] == ["Front", "Primary warehouse", "Back room"]
    assert [w.name for w in list_warehouses() if w.is_primary] == ["Front"]
    update_warehouse(back.id, make_primary=True)
    assert primary().id == back.id
    assert sum(w.is_primary for w in list_warehouses()) == 1
    assert update_warehouse(first.id, name="Front shop").name == "Front shop"
    assert find_warehouse("front SHOP").id == first.id


def test_deactivate_refused_while_it_holds_stock_or_open_orders(services: Services) -> None:
    back = add_warehouse("Back room")
    with pytest.raises(InvalidInput, match="primary"):
        set_active(primary().id, False)
    set_on_hand(MUG, 4, warehouse_id=back.id)
    with pytest.raises(InvalidInput, match="4 unit"):
        set_active(back.id, False)
    transfer_stock(MUG, 4, back.id, primary().id)
    order = new_order(services, "111-0000000-0000001", ((MUG, 1),))
    assign_warehouse(order, back.id)
    with pytest.raises(InvalidInput, match="1 open order"):
        set_active(back.id, False)
    assign_warehouse(order, primary().id)
    store = list_stores()[0]
    set_store_feeds(store.id, ["Back room"])
    with pytest.raises(InvalidInput, match="offers only"):
        set_active(back.id, False)
    set_store_feeds(store.id, None)
    assert not set_active(back.id, False).active
    assert [w.name for w in store_feeds(store.id)] == ["Primary warehouse"]
    with pytest.raises(InvalidInput, match="inactive"):
        set_on_hand(MUG, 1, warehouse_id=back.id)
    with pytest.raises(InvalidInput, match="inactive"):
        assign_warehouse(order, back.id)


def test_deactivation_check_runs_inside_the_write_transaction(
    services: Services, app_paths: AppPaths
) -> None:
    """Stock put in by another connection after a caller looked is still seen: the check and the write are one
    IMMEDIATE transaction, so the refusal holds."""
    back = add_warehouse("Back room")
    other = other_connection(app_paths)
    other.execute(
        "INSERT INTO inventory_level (product_id, warehouse_id, on_hand, updated_at) VALUES (?, ?, 3, 'x')",
        (pid(SOAP), back.id),
    )
    other.commit()
    other.close()
    with pytest.raises(InvalidInput):
        set_active(back.id, False)
    assert find_warehouse("Back room").active


def test_routing_by_priority_split_only_when_allowed_and_moving(services: Services) -> None:
    store = list_stores()[0]
    town = add_warehouse("Town", priority=5)
    back = add_warehouse("Back room", priority=3)
    set_on_hand(MUG, 1)
    set_on_hand(SOAP, 5)
    set_on_hand(MUG, 4, warehouse_id=town.id)
    set_on_hand(SOAP, 1, warehouse_id=town.id)
    set_on_hand(MUG, 3, warehouse_id=back.id)
    set_store_routing(store.id, Routing.PRIORITY, allow_split=False)
    whole = new_order(services, "111-0000000-0000001", ((MUG, 3),))
    route_orders(store.id, [whole])
    assert Order.get_by_id(whole).warehouse_id == back.id  # Back room (3) comes before Town (5)
    neither = new_order(services, "111-0000000-0000002", ((MUG, 4), (SOAP, 5)))
    route_orders(store.id, [neither])
    assert Order.get_by_id(neither).warehouse_id == primary().id  # no single warehouse: never split
    assert {i.warehouse_id for i in OrderItem.select().where(OrderItem.order == neither)} == {None}
    set_store_routing(store.id, allow_split=True)
    split_order = new_order(services, "111-0000000-0000003", ((MUG, 4), (SOAP, 5)))
    route_orders(store.id, [split_order])
    homes = {i.seller_sku: i.warehouse_id for i in OrderItem.select().where(OrderItem.order == split_order)}
    assert homes == {MUG: town.id, SOAP: primary().id}
    assert split(MUG)["Town"] == (4, 4)
    assign_warehouse(split_order, back.id, by="packer")  # the allocation moves with the order
    assert split(MUG)["Town"] == (4, 0)
    assert split(MUG)["Back room"] == (3, 3 + 4)
    assert split(SOAP)["Back room"] == (0, 5)


def test_warehouses_page_adds_renames_and_sets_home(qtbot: Any, services: Services) -> None:
    dialog = WarehousesDialog(services)
    qtbot.addWidget(dialog)
    dialog.name.setText("Overflow unit")
    dialog.ship["city"].setText("Tacoma")
    assert dialog.add()
    assert find_warehouse("Overflow unit").ship_from.city == "Tacoma"
    assert not find_warehouse("Overflow unit").is_primary  # the shown primary's tick is not copied
    assert dialog.selected().name == "Overflow unit"  # type: ignore[union-attr]
    dialog.home.setCurrentIndex(dialog.home.findData("Overflow unit"))
    dialog.home.activated.emit(dialog.home.currentIndex())
    assert services.settings.get(HOME_KEY) == "Overflow unit"
    dialog.name.setText("Overflow")
    assert dialog.save()
    assert services.settings.get(HOME_KEY) == "Overflow"  # the home follows a rename
    dialog.name.setText("Primary warehouse")
    assert not dialog.save()
    assert "already exists" in dialog.message.text()
    assert dialog.toggle_active(), dialog.message.text()
    assert not find_warehouse("Overflow").active


def test_transfer_from_the_inventory_tab(qtbot: Any, services: Services) -> None:
    back = add_warehouse("Back room")
    set_on_hand(MUG, 9)
    tab = InventoryTab(services)
    qtbot.addWidget(tab)
    tab.refresh()
    assert tab.model.headers[-2:] == ("Primary warehouse", "Back room")
    row = [r.sku for r in tab.model.rows()].index(MUG)
    tab.table.selectRow(row)
    dialog = tab.transfer_selected()
    assert dialog is not None
    dialog.target.setCurrentIndex(dialog.target.findData(back.id))
    dialog.quantity.setValue(20)
    assert not dialog.save()
    assert "fewer than the 20" in dialog.message.text()
    assert split(MUG) == {"Primary warehouse": (9, 0), "Back room": (0, 0)}
    dialog.quantity.setValue(6)
    assert dialog.save()
    assert split(MUG) == {"Primary warehouse": (3, 0), "Back room": (6, 0)}
    row = [r.sku for r in tab.model.rows()].index(MUG)
    assert tab.model.data(tab.model.index(row, tab.model.columnCount() - 1)) == "6 / 0"
    tab.table.selectRow(row)
    assert (
        "Per warehouse: Primary warehouse 3 on hand, 0 allocated; Back room 6 on hand"
        in tab.why.toPlainText()
    )
    tab.warehouse_filter.setCurrentIndex(tab.warehouse_filter.findData(back.id))
    assert [r.sku for r in tab.model.rows()] == [MUG]


def test_orders_tab_opens_on_the_home_warehouse(qtbot: Any, services: Services) -> None:
    back = add_warehouse("Back room")
    here = new_order(services, "111-0000000-0000001", ((MUG, 1),))
    new_order(services, "111-0000000-0000002", ((SOAP, 1),))
    assign_warehouse(here, back.id)
    services.settings.set(HOME_KEY, "Back room")
    tab = OrdersTab(services)
    qtbot.addWidget(tab)
    assert tab.warehouse_combo.currentData() == back.id
    assert [r.amazon_order_id for r in tab.model.rows()] == ["111-0000000-0000001"]
    assert tab.model.data(tab.model.index(0, COL_WAREHOUSE)) == "Back room"
    tab.table.selectRow(0)
    assert move_selected(tab, "Primary warehouse")  # the packer's "Move to warehouse…"
    assert tab.model.total == 0  # it left this station's warehouse
    assert split(MUG)["Primary warehouse"] == (0, 1)
    tab.warehouse_combo.setCurrentIndex(0)  # all warehouses
    assert tab.model.total == 2
