"""Correctness review of the order lifecycle, inventory and tracking rules of issue 5: edge cases a warehouse
hits (outside shipments racing our packages, quantity edits on Amazon, confirmShipment retried after a
timeout), each against the built-in sandbox."""

from __future__ import annotations

import pytest

from fbm_desk.core import CoreServices
from fbm_desk.db import events as ev
from fbm_desk.db.inventory import inventory_for, list_adjustments, set_on_hand
from fbm_desk.db.orders import find_order, get_order_detail
from fbm_desk.db.packages import reject_package
from fbm_desk.db.stores import get_store
from fbm_desk.domain.packing import record_package
from fbm_desk.sandbox import RunningSandbox
from fbm_desk.sync.base import JobKind, SyncResult
from fbm_desk.sync.execute import run_job
from tests.support.sync_env import make_store, merchant_skus, settle

pytestmark = pytest.mark.e2e


@pytest.fixture
def core(quiet_core: CoreServices) -> CoreServices:
    return quiet_core


def sync(core: CoreServices, store_id: int, kind: JobKind = JobKind.ORDERS) -> SyncResult:
    result = run_job(core, get_store(store_id), kind)
    assert result.status == "ok", result.error
    return result


def imported(core: CoreServices, sb: RunningSandbox, store_id: int, skus: dict[str, int]) -> str:
    order_id = sb.world.add_order(skus=skus)
    settle(sb, order_id)
    sync(core, store_id)
    return order_id


def stock(sku: str) -> tuple[int, int, int]:
    row = {r.sku: r for r in inventory_for()}[sku]
    return row.on_hand, row.allocated, row.available


def test_queued_package_of_an_order_shipped_elsewhere_is_not_pushed(
    core: CoreServices, quiet: RunningSandbox
) -> None:
    """Shipped in Seller Central after we recorded (but before we pushed) a package: ours is not sent, the
    user sees why, and the units leave stock once."""
    store = make_store(core, quiet, remove_stock_external=True)
    sync(core, store.id, JobKind.PRODUCTS_FULL)
    sku = merchant_skus(quiet, 1)[0]
    set_on_hand(sku, 10)
    order_id = imported(core, quiet, store.id, {sku: 2})
    record_package(core, order_id, "UPS", "1Z999AA10123456784")
    quiet.world.ship_elsewhere(order_id, carrier="UPS", tracking_number="1Z999AA10123456799")
    settle(quiet, order_id)
    sync(core, store.id)
    detail = get_order_detail(find_order(order_id).id)
    assert detail.order.state == "shipped"
    ours = next(p for p in detail.packages if p.source == "local")
    assert ours.push_state == "rejected"
    assert "outside FBM Desk" in ours.push_message
    pushed = sync(core, store.id, JobKind.SHIPMENTS)
    assert pushed.api_calls == 0
    assert quiet.world.pushed()["shipments"] == []
    assert stock(sku) == (8, 0, 8)
    assert ev.REJECTED in [e.kind for e in detail.events]


def test_shipments_push_does_not_send_a_package_that_no_longer_fits(
    core: CoreServices, quiet: RunningSandbox
) -> None:
    """Safety net in the push itself: a queued package for units already shipped is refused locally."""
    store = make_store(core, quiet)
    sku = merchant_skus(quiet, 1)[0]
    order_id = imported(core, quiet, store.id, {sku: 1})
    record_package(core, order_id, "UPS", "1Z999AA10123456784")
    from fbm_desk.db.models import OrderItem

    OrderItem.update(quantity_shipped=1).where(OrderItem.order == find_order(order_id).id).execute()
    result = sync(core, store.id, JobKind.SHIPMENTS)
    assert (result.api_calls, result.rejected) == (0, 1)
    pkg = get_order_detail(find_order(order_id).id).packages[0]
    assert pkg.push_state == "rejected"
    assert "already shipped" in pkg.push_message


def test_quantity_edit_on_amazon_moves_the_allocation(core: CoreServices, quiet: RunningSandbox) -> None:
    store = make_store(core, quiet)
    sync(core, store.id, JobKind.PRODUCTS_FULL)
    sku = merchant_skus(quiet, 1)[0]
    set_on_hand(sku, 10)
    order_id = imported(core, quiet, store.id, {sku: 3})
    assert stock(sku) == (10, 3, 7)
    with quiet.world.lock:
        order = quiet.world.orders[order_id]
        order.items[0].quantity = 1  # e.g. the buyer canceled two of the three units
        quiet.world.touch(order)
    settle(quiet, order_id)
    sync(core, store.id)
    assert stock(sku) == (10, 1, 9)
    assert [i.quantity for i in get_order_detail(find_order(order_id).id).items] == [1]
    sync(core, store.id, JobKind.ORDERS_SWEEP)
    assert stock(sku) == (10, 1, 9)


def test_rejected_package_that_amazon_has_is_confirmed_and_leaves_stock_once(
    core: CoreServices, quiet: RunningSandbox
) -> None:
    """Our package ended rejected (e.g. a retried confirmShipment) but Amazon lists it: it is ours, shipped
    from this warehouse, so its units leave stock even when outside fulfillments do not remove stock."""
    store = make_store(core, quiet, remove_stock_external=False)
    sync(core, store.id, JobKind.PRODUCTS_FULL)
    sku = merchant_skus(quiet, 1)[0]
    set_on_hand(sku, 10)
    order_id = imported(core, quiet, store.id, {sku: 2})
    pkg = record_package(core, order_id, "UPS", "1Z999AA10123456784")
    reject_package(pkg.id, "Failed to create package due to not finding a matching package")
    quiet.world.ship_elsewhere(order_id, carrier="UPS", tracking_number="1Z999AA10123456784")
    settle(quiet, order_id)
    for _ in range(2):
        sync(core, store.id)
    detail = get_order_detail(find_order(order_id).id)
    assert detail.order.state == "shipped"
    assert [(p.source, p.push_state) for p in detail.packages] == [("local", "confirmed")]
    assert stock(sku) == (8, 0, 8)
    product_id = detail.items[0].product_id
    assert product_id is not None
    assert len([a for a in list_adjustments(product_id) if a.delta < 0]) == 1


def test_retried_confirmation_is_not_rejected_when_amazon_cannot_be_asked(
    core: CoreServices, quiet: RunningSandbox
) -> None:
    """confirmShipment answered "already fulfilled" (an earlier attempt went through) and getOrder, the
    check, fails: the package must not be marked rejected; it stays queued and the next run settles it."""
    store = make_store(core, quiet)
    sku = merchant_skus(quiet, 1)[0]
    order_id = imported(core, quiet, store.id, {sku: 1})
    record_package(core, order_id, "UPS", "1Z999AA10123456784")
    # the first attempt reached Amazon (as another reference number, so the retry is not an edit)
    quiet.world.ship_elsewhere(order_id, carrier="UPS", tracking_number="1Z999AA10123456784")
    quiet.world.orders[order_id].packages[0].package_reference_id = "7"
    quiet.world.inject_fault("getOrder", "503", count=50)
    failed = run_job(core, get_store(store.id), JobKind.SHIPMENTS)
    assert failed.status == "failed"
    assert get_order_detail(find_order(order_id).id).packages[0].push_state == "queued"
    quiet.world.clear_faults()
    sync(core, store.id, JobKind.SHIPMENTS)
    detail = get_order_detail(find_order(order_id).id)
    assert [p.push_state for p in detail.packages] == ["confirmed"]
    assert detail.order.state == "shipped"


def test_amazon_package_without_tracking_number_is_recorded_once(
    core: CoreServices, quiet: RunningSandbox
) -> None:
    """trackingNumber is optional in Amazon's OrderPackage: such a package must not be added again each time
    the order changes on Amazon."""
    store = make_store(core, quiet, remove_stock_external=True)
    sync(core, store.id, JobKind.PRODUCTS_FULL)
    a, b = merchant_skus(quiet, 2)
    set_on_hand(a, 10)
    order_id = imported(core, quiet, store.id, {a: 2, b: 1})
    quiet.world.ship_elsewhere(order_id, carrier="Other")
    with quiet.world.lock:
        order = quiet.world.orders[order_id]
        order.packages[0].tracking_number = ""
        order.packages[0].items = [(order.items[0].order_item_id, 2)]
        order.items[1].shipped = 0
        order.status = "PARTIALLY_SHIPPED"
    settle(quiet, order_id)
    sync(core, store.id)
    for _ in range(2):  # the order changes again on Amazon (e.g. a new version for another reason)
        with quiet.world.lock:
            quiet.world.touch(quiet.world.orders[order_id])
        settle(quiet, order_id)
        sync(core, store.id)
    detail = get_order_detail(find_order(order_id).id)
    assert [(p.source, p.tracking_number) for p in detail.packages] == [("amazon", "")]
    assert detail.order.state == "partially_shipped"
    assert stock(a) == (8, 0, 8)


def test_our_confirmed_package_plus_one_from_seller_central(
    core: CoreServices, quiet: RunningSandbox
) -> None:
    """Amazon lists our confirmed package and one made in Seller Central: ours is not duplicated as an
    'amazon' package and no unit leaves stock twice, however often the order is read."""
    store = make_store(core, quiet, remove_stock_external=True)
    sync(core, store.id, JobKind.PRODUCTS_FULL)
    a, b = merchant_skus(quiet, 2)
    set_on_hand(a, 10)
    set_on_hand(b, 10)
    order_id = imported(core, quiet, store.id, {a: 2, b: 1})
    items = {i.seller_sku: i.order_item_id for i in get_order_detail(find_order(order_id).id).items}
    record_package(core, order_id, "USPS", "9400111899223197428490", items={items[a]: 2})
    sync(core, store.id, JobKind.SHIPMENTS)
    settle(quiet, order_id)
    sync(core, store.id)  # Amazon: PARTIALLY_SHIPPED with our package
    assert find_order(order_id).state == "partially_shipped"
    quiet.world.ship_elsewhere(order_id, carrier="UPS", tracking_number="1Z999AA10123456799")
    settle(quiet, order_id)
    for kind in (JobKind.ORDERS, JobKind.ORDERS_SWEEP, JobKind.ORDERS):
        sync(core, store.id, kind)
    detail = get_order_detail(find_order(order_id).id)
    assert detail.order.state == "shipped"
    assert sorted((p.source, p.push_state, p.tracking_number) for p in detail.packages) == [
        ("amazon", "confirmed", "1Z999AA10123456799"),
        ("local", "confirmed", "9400111899223197428490"),
    ]
    assert (stock(a), stock(b)) == ((8, 0, 8), (9, 0, 9))
    assert [e.kind for e in detail.events].count(ev.SHIPPED_ELSEWHERE) == 1


def test_units_we_shipped_before_the_sku_was_mapped_leave_stock_when_it_is(
    core: CoreServices, quiet: RunningSandbox
) -> None:
    """An order with an unknown seller SKU shipped from here; mapping the SKU later to a product takes the
    shipped units off that product's on-hand (once), or the next inventory push oversells."""
    from fbm_desk.db.sku_resolution import add_alias

    store = make_store(core, quiet)
    sync(core, store.id, JobKind.PRODUCTS_FULL)
    sku = merchant_skus(quiet, 1)[0]
    set_on_hand(sku, 10)
    from fbm_desk.db.models import Product

    Product.update(created_at="2026-01-01T00:00:00Z").where(Product.sku == sku).execute()  # long known
    order_id = imported(core, quiet, store.id, {"ALIAS-ONLY-1": 2})
    assert find_order(order_id).needs_mapping
    record_package(core, order_id, "UPS", "1Z999AA10123456784")
    sync(core, store.id, JobKind.SHIPMENTS)
    assert find_order(order_id).state == "shipped"
    add_alias(store.id, "ALIAS-ONLY-1", sku)
    assert not find_order(order_id).needs_mapping
    assert stock(sku) == (8, 0, 8)
    add_alias(None, "ALIAS-ONLY-1", sku)  # mapping again changes nothing
    sync(core, store.id)
    assert stock(sku) == (8, 0, 8)


def test_a_product_created_after_the_shipment_keeps_its_starting_stock(
    core: CoreServices, quiet: RunningSandbox
) -> None:
    """The SKU gets its product later from the listings import ("match Amazon"): that starting stock was
    counted after the units left, so mapping the shipped order takes nothing more."""
    store = make_store(core, quiet)
    sync(core, store.id, JobKind.PRODUCTS_FULL)
    quiet.world.add_listing("LATE-SKU-1", "A listing added after the last import", quantity=5)
    order_id = imported(core, quiet, store.id, {"LATE-SKU-1": 2})
    assert find_order(order_id).needs_mapping
    record_package(core, order_id, "UPS", "1Z999AA10123456784")
    sync(core, store.id, JobKind.SHIPMENTS)
    sync(core, store.id, JobKind.PRODUCTS_FULL)
    assert not find_order(order_id).needs_mapping
    assert stock("LATE-SKU-1") == (5, 0, 5)
