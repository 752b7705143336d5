"""The page writer on its own (no network): idempotence, FBA, addresses, Amazon packages, stock moves."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from fbm_desk.amazon.types import Address, AmazonOrder, AmazonOrderItem, AmazonPackage, AmazonPackageItem
from fbm_desk.db import OpenedDatabase
from fbm_desk.db import events as ev
from fbm_desk.db.inventory import inventory_for, set_on_hand
from fbm_desk.db.models import Order, OrderEvent, OrderItem, Product
from fbm_desk.db.order_import import apply_orders_page
from fbm_desk.db.orders import find_order, get_order_detail
from fbm_desk.db.rows import StoreRow
from fbm_desk.db.stores import insert_store
from fbm_desk.domain.packing import record_package

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
ADDRESS = Address(name="Zoë Ådler", address_line1="1 Main St", city="Springfield", postal_code="12345")


@pytest.fixture
def store(db: OpenedDatabase) -> StoreRow:
    Product.create(sku="SKU-A", title="A")
    return insert_store(
        name="Shop",
        marketplace_id="ATVPDKIKX0DER",
        region="NA",
        selling_partner_id="A1SELLER",
        import_pending=True,
        remove_stock_external=True,
    )


def order(order_id: str = "111-1", status: str = "UNSHIPPED", minutes: int = 0, **kw: object) -> AmazonOrder:
    base = AmazonOrder(
        order_id=order_id,
        created_time=T0,
        last_updated_time=T0 + timedelta(minutes=minutes),
        marketplace_id="ATVPDKIKX0DER",
        fulfillment_status=status,
        fulfilled_by="MERCHANT",
        items=(AmazonOrderItem("9001", "SKU-A", "B000", "A thing", 3),),
        address=None if status == "PENDING" else ADDRESS,
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def apply(store: StoreRow, *orders: AmazonOrder):  # type: ignore[no-untyped-def]
    return apply_orders_page(store, orders, now="2026-11-24T10:00:00Z")


def test_reapplying_a_page_changes_nothing(store: StoreRow) -> None:
    first = apply(store, order("111-1"), order("111-2", "PENDING"))
    assert (first.created, first.updated) == (2, 0)
    again = apply(store, order("111-1"), order("111-2", "PENDING"))
    assert (again.created, again.updated) == (0, 0)
    assert Order.select().count() == 2
    assert OrderItem.select().count() == 2
    assert OrderEvent.select().count() == 2


def test_fba_and_closed_unknown_orders_are_skipped(store: StoreRow) -> None:
    out = apply(
        store,
        order("111-1", fulfilled_by="AMAZON"),
        order("111-2", "SHIPPED"),
        order("111-3", "CANCELLED"),
        order("111-4", "PENDING_AVAILABILITY"),
    )
    assert (out.created, out.skipped, out.fba) == (0, 4, 1)
    assert Order.select().count() == 0


def test_a_known_address_is_never_blanked(store: StoreRow) -> None:
    apply(store, order("111-1"))
    apply(store, order("111-1", minutes=5, address=None, buyer_name=""))
    ship = find_order("111-1").ship_to
    assert ship is not None
    assert (ship.name, ship.address_line1) == ("Zoë Ådler", "1 Main St")


def test_new_partially_shipped_order_keeps_amazons_packages_without_moving_stock(store: StoreRow) -> None:
    set_on_hand("SKU-A", 10)
    pkg = AmazonPackage(
        "1", "UPS", "1Z999AA10123456784", T0, "Ground", "SHIPPED", (AmazonPackageItem("9001", 1),)
    )
    items = (AmazonOrderItem("9001", "SKU-A", "B000", "A thing", 3, quantity_shipped=1),)
    apply(store, order("111-1", "PARTIALLY_SHIPPED", items=items, packages=(pkg,)))
    detail = get_order_detail(find_order("111-1").id)
    assert detail.order.state == "partially_shipped"
    assert [(p.source, p.push_state, p.package_reference_id) for p in detail.packages] == [
        ("amazon", "confirmed", 1)
    ]
    row = inventory_for()[0]
    assert (row.on_hand, row.allocated, row.available) == (10, 2, 8)


def test_amazon_reference_clash_renumbers_our_queued_package(store: StoreRow) -> None:
    apply(store, order("111-1"))
    ours = record_package(None, "111-1", "USPS", "9400111899223197428490", items={"9001": 1})
    assert ours.package_reference_id == 1
    theirs = AmazonPackage(
        "1", "UPS", "1Z999AA10123456784", T0, "", "SHIPPED", (AmazonPackageItem("9001", 1),)
    )
    items = (AmazonOrderItem("9001", "SKU-A", "B000", "A thing", 3, quantity_shipped=1),)
    apply(store, order("111-1", "PARTIALLY_SHIPPED", minutes=5, items=items, packages=(theirs,)))
    refs = {
        p.tracking_number: (p.source, p.package_reference_id)
        for p in get_order_detail(ours.order_id).packages
    }
    assert refs == {"1Z999AA10123456784": ("amazon", 1), "9400111899223197428490": ("local", 2)}
    kinds = [e.kind for e in get_order_detail(ours.order_id).events]
    assert kinds.count(ev.SHIPPED_ELSEWHERE) == 1
    assert inventory_for()[0].on_hand == 0  # never below zero: 0 on hand, 1 unit left elsewhere


def test_order_shipped_elsewhere_before_we_saw_it_removes_stock_once(store: StoreRow) -> None:
    set_on_hand("SKU-A", 10)
    Order.delete().execute()
    later = datetime.now(UTC) + timedelta(minutes=1)  # created after the store was added
    shipped = order("111-9", "SHIPPED", created_time=later, last_updated_time=later)
    for _ in range(2):
        apply(store, shipped)
    got = find_order("111-9")
    assert (got.state, got.units_shipped) == ("shipped", 3)
    assert inventory_for()[0].on_hand == 7
    old = order("111-8", "SHIPPED")  # created before the store existed: already in the starting stock
    assert apply(store, old).skipped == 1
    assert inventory_for()[0].on_hand == 7


def test_lossy_report_title_does_not_replace_a_full_one() -> None:
    from fbm_desk.db.listings import is_lossy_copy

    assert is_lossy_copy("? Resistor Kit", "Ω Resistor Kit")
    assert is_lossy_copy("Caf? ??", "Café 東京")
    assert not is_lossy_copy("Resistor Kit v2", "Resistor Kit v1")
    assert not is_lossy_copy("What?", "What!")
    assert not is_lossy_copy("Same", "Same")
