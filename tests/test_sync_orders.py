"""Order lifecycle against the built-in sandbox: import, release, cancel, outside shipments, mapping, paging,
overlap, faults and authorization problems (issue 5, "Proof")."""

from __future__ import annotations

import pytest

from fbm_desk.core import CoreServices
from fbm_desk.db import events as ev
from fbm_desk.db.cursors import get_cursor
from fbm_desk.db.inventory import inventory_for, list_adjustments, set_on_hand
from fbm_desk.db.models import Order, OrderEvent
from fbm_desk.db.orders import find_order, get_order_detail, list_orders
from fbm_desk.db.sku_resolution import add_alias
from fbm_desk.db.stores import get_store
from fbm_desk.domain.packing import record_package
from fbm_desk.foundation.paths import AppPaths
from fbm_desk.sandbox import RunningSandbox, start_sandbox
from fbm_desk.sync.base import JobKind
from fbm_desk.sync.execute import run_job
from tests.support.sync_env import make_core, make_store, merchant_skus, settle

pytestmark = pytest.mark.e2e


@pytest.fixture
def core(quiet_core: CoreServices) -> CoreServices:
    """The services on the ``quiet`` sandbox (listings, no orders: each test creates the orders it needs)."""
    return quiet_core


def sync(core: CoreServices, store_id: int, kind: JobKind = JobKind.ORDERS):  # type: ignore[no-untyped-def]
    result = run_job(core, get_store(store_id), kind)
    assert result.status == "ok", result.error
    return result


def new_order(sb: RunningSandbox, skus: dict[str, int], status: str = "UNSHIPPED") -> str:
    order_id = sb.world.add_order(skus=skus, status=status)
    settle(sb, order_id)
    return order_id


def generate(sb: RunningSandbox, count: int) -> None:
    sb.world.generate_orders(count)
    settle(sb, *sb.world.orders)


def event_kinds(amazon_order_id: str) -> list[str]:
    return [e.kind for e in get_order_detail(find_order(amazon_order_id).id).events]


def allocated(sku: str) -> int:
    rows = [r for r in inventory_for() if r.sku == sku]
    return rows[0].allocated if rows else 0


def test_first_sync_imports_open_merchant_orders_only(app_paths: AppPaths) -> None:
    with start_sandbox(speedup=600, alive=False) as sb:  # the seeded world: ~300 orders of every kind
        core = make_core(app_paths, sb)
        store = make_store(core, sb, import_pending=True)
        result = sync(core, store.id)
        world = sb.world
        window_end = get_cursor(store.id, "orders")  # the lastUpdatedBefore Amazon confirmed
        assert window_end is not None
        expected = {
            o.order_id
            for o in world.orders.values()
            if o.fulfilled_by == "MERCHANT"
            and o.marketplace_id == "ATVPDKIKX0DER"
            and o.status in ("PENDING", "UNSHIPPED", "PARTIALLY_SHIPPED")
            and o.last_updated <= window_end
        }
        got = {o.amazon_order_id for o in list_orders()}
        assert got == expected
        assert result.created == len(expected)
        assert result.api_calls == 1  # < 100 orders: one page, no per-order calls
        fba = set(world.order_ids(fulfilled_by="AMAZON"))
        assert not got & fba
        states = {o.amazon_order_id: (o.state, o.amazon_status, o.payment_hold) for o in list_orders()}
        for _order_id, (state, amazon_status, hold) in states.items():
            assert (
                state
                == {"PENDING": "held", "UNSHIPPED": "released", "PARTIALLY_SHIPPED": "partially_shipped"}[
                    amazon_status
                ]
            )
            assert hold == (amazon_status == "PENDING")
        # the second run is incremental: nothing new, nothing duplicated
        again = sync(core, store.id)
        assert again.created == 0
        assert len(list_orders()) == len(expected)
        core.close()


def test_pending_is_held_then_released_with_address(core: CoreServices, quiet: RunningSandbox) -> None:
    store = make_store(core, quiet, import_pending=True)
    sync(core, store.id, JobKind.PRODUCTS_FULL)
    sku = merchant_skus(quiet, 1)[0]
    order_id = new_order(quiet, {sku: 2}, status="PENDING")
    sync(core, store.id)
    held = find_order(order_id)
    assert (held.state, held.payment_hold, held.amazon_status, held.ship_to) == (
        "held",
        True,
        "PENDING",
        None,
    )
    assert allocated(sku) == 2  # a held order reserves its units
    with pytest.raises(Exception, match="on hold"):
        record_package(core, order_id, "UPS", "1Z999AA10123456784")
    quiet.world.release_order(order_id)
    settle(quiet, order_id)
    sync(core, store.id)
    released = find_order(order_id)
    assert (released.state, released.payment_hold, released.amazon_status) == ("released", False, "UNSHIPPED")
    assert released.ship_to is not None
    assert released.ship_to.address_line1
    assert event_kinds(order_id) == [ev.IMPORTED, ev.RELEASED]
    # rerun: nothing changes, no duplicate events, address kept
    sync(core, store.id)
    assert event_kinds(order_id) == [ev.IMPORTED, ev.RELEASED]
    assert find_order(order_id).ship_to == released.ship_to


def test_changes_made_a_moment_ago_are_seen_by_the_next_sync(
    core: CoreServices, quiet: RunningSandbox
) -> None:
    """No lastUpdatedBefore is sent, so a release or cancel on Amazon right before a sync is picked up as soon as
    Amazon's search lists it (about two minutes after the change)."""
    store = make_store(core, quiet, import_pending=True)
    sku = merchant_skus(quiet, 1)[0]
    pending = quiet.world.add_order(skus={sku: 1}, status="PENDING")
    doomed = quiet.world.add_order(skus={sku: 1})
    quiet.world.advance(quiet.world.clock.scaled(121))
    sync(core, store.id)
    assert (find_order(pending).state, find_order(doomed).state) == ("held", "released")
    quiet.world.release_order(pending)
    quiet.world.cancel_order(doomed)
    quiet.world.advance(quiet.world.clock.scaled(121))
    sync(core, store.id)
    assert (find_order(pending).state, find_order(doomed).state) == ("released", "canceled")
    assert find_order(pending).ship_to is not None


def test_pending_not_imported_without_the_option(core: CoreServices, quiet: RunningSandbox) -> None:
    store = make_store(core, quiet, import_pending=False)
    order_id = new_order(quiet, {merchant_skus(quiet, 1)[0]: 1}, status="PENDING")
    sync(core, store.id)
    assert list_orders() == []
    quiet.world.release_order(order_id)
    settle(quiet, order_id)
    sync(core, store.id)
    assert [(o.amazon_order_id, o.state) for o in list_orders()] == [(order_id, "released")]


def test_pending_then_canceled_frees_allocation(core: CoreServices, quiet: RunningSandbox) -> None:
    store = make_store(core, quiet, import_pending=True)
    sync(core, store.id, JobKind.PRODUCTS_FULL)
    sku = merchant_skus(quiet, 1)[0]
    order_id = new_order(quiet, {sku: 3}, status="PENDING")
    sync(core, store.id)
    assert allocated(sku) == 3
    quiet.world.cancel_order(order_id)
    settle(quiet, order_id)
    sync(core, store.id)
    order = find_order(order_id)
    assert (order.state, order.amazon_status, order.payment_hold) == ("canceled", "CANCELLED", False)
    assert allocated(sku) == 0
    assert event_kinds(order_id) == [ev.IMPORTED, ev.CANCELED]


def test_released_then_canceled_rejects_queued_package(core: CoreServices, quiet: RunningSandbox) -> None:
    store = make_store(core, quiet)
    sync(core, store.id, JobKind.PRODUCTS_FULL)
    sku = merchant_skus(quiet, 1)[0]
    order_id = new_order(quiet, {sku: 1})
    sync(core, store.id)
    record_package(core, order_id, "UPS", "1Z999AA10123456784")
    quiet.world.cancel_order(order_id)
    settle(quiet, order_id)
    sync(core, store.id)
    detail = get_order_detail(find_order(order_id).id)
    assert detail.order.state == "canceled"
    assert [p.push_state for p in detail.packages] == ["rejected"]
    assert "canceled" in detail.packages[0].push_message
    pushed = sync(core, store.id, JobKind.SHIPMENTS)
    assert pushed.api_calls == 0
    assert quiet.world.pushed()["shipments"] == []
    with pytest.raises(Exception, match="canceled"):
        record_package(core, order_id, "UPS", "1Z999AA10123456784")


def test_partial_shipments_then_shipped(core: CoreServices, quiet: RunningSandbox) -> None:
    store = make_store(core, quiet)
    sync(core, store.id, JobKind.PRODUCTS_FULL)
    a, b = merchant_skus(quiet, 2)
    set_on_hand(a, 10)
    set_on_hand(b, 10)
    order_id = new_order(quiet, {a: 2, b: 1})
    sync(core, store.id)
    items = {i.seller_sku: i.order_item_id for i in get_order_detail(find_order(order_id).id).items}
    record_package(core, order_id, "USPS", "9400111899223197428490", items={items[a]: 2})
    with pytest.raises(Exception, match="only 0"):
        record_package(core, order_id, "USPS", "9400111899223197428491", items={items[a]: 1})
    result = sync(core, store.id, JobKind.SHIPMENTS)
    assert (result.api_calls, result.updated) == (1, 1)
    order = find_order(order_id)
    assert order.state == "partially_shipped"
    stock = {r.sku: r for r in inventory_for()}
    assert (stock[a].on_hand, stock[a].allocated, stock[a].available) == (8, 0, 8)
    assert (stock[b].on_hand, stock[b].allocated, stock[b].available) == (10, 1, 9)
    record_package(core, order_id, "FedEx", "123456789012")  # the rest: item b
    sync(core, store.id, JobKind.SHIPMENTS)
    assert find_order(order_id).state == "shipped"
    sent = quiet.world.pushed()["shipments"]
    assert len(sent) == 2
    assert quiet.world.order_state(order_id)["status"] == "SHIPPED"
    # Amazon now lists the order as SHIPPED with our two packages: the sync matches them, nothing moves twice
    settle(quiet, order_id)
    sync(core, store.id)
    detail = get_order_detail(find_order(order_id).id)
    assert [(p.source, p.push_state) for p in detail.packages] == [
        ("local", "confirmed"),
        ("local", "confirmed"),
    ]
    assert {r.sku: r.on_hand for r in inventory_for()}[b] == 9


@pytest.mark.parametrize("remove_stock", [True, False])
def test_shipped_elsewhere(core: CoreServices, quiet: RunningSandbox, remove_stock: bool) -> None:
    store = make_store(core, quiet, remove_stock_external=remove_stock)
    sync(core, store.id, JobKind.PRODUCTS_FULL)
    sku = merchant_skus(quiet, 1)[0]
    set_on_hand(sku, 20)
    order_id = new_order(quiet, {sku: 4})
    sync(core, store.id)
    quiet.world.ship_elsewhere(order_id, carrier="UPS", tracking_number="1Z999AA10123456799")
    settle(quiet, order_id)
    for _ in range(2):  # exactly once, however often Amazon shows it
        sync(core, store.id)
        sync(core, store.id, JobKind.ORDERS_SWEEP)
    detail = get_order_detail(find_order(order_id).id)
    assert detail.order.state == "shipped"
    assert [(p.source, p.push_state, p.tracking_number) for p in detail.packages] == [
        ("amazon", "confirmed", "1Z999AA10123456799")
    ]
    row = {r.sku: r for r in inventory_for()}[sku]
    assert row.allocated == 0
    assert row.on_hand == (16 if remove_stock else 20)
    outside = [a for a in list_adjustments(row.product_id) if a.source == "amazon"]
    assert len(outside) == (1 if remove_stock else 0)
    assert event_kinds(order_id).count(ev.SHIPPED_ELSEWHERE) == 1


def test_unknown_sku_flags_needs_mapping_and_alias_fixes_it(
    core: CoreServices, quiet: RunningSandbox
) -> None:
    store = make_store(core, quiet)
    sku = merchant_skus(quiet, 1)[0]
    quiet.world.add_listing("NEW-SKU-1", "A listing the app has not imported yet", quantity=5)
    order_id = new_order(quiet, {"NEW-SKU-1": 1, sku: 1})
    other = new_order(quiet, {sku: 1})
    sync(core, store.id, JobKind.PRODUCTS_FULL)
    from fbm_desk.db.models import Listing, Product

    Listing.delete().where(Listing.seller_sku == "NEW-SKU-1").execute()
    Product.delete().where(Product.sku == "NEW-SKU-1").execute()
    result = sync(core, store.id)
    assert result.created == 2  # the unmapped order did not stop the sync
    assert find_order(order_id).needs_mapping
    assert not find_order(other).needs_mapping
    assert ev.NEEDS_MAPPING in event_kinds(order_id)
    add_alias(store.id, "NEW-SKU-1", sku)
    order = find_order(order_id)
    assert not order.needs_mapping
    assert event_kinds(order_id)[-1] == ev.MAPPED
    assert allocated(sku) == 3


def test_paging_and_overlap(core: CoreServices, quiet: RunningSandbox) -> None:
    store = make_store(core, quiet)
    generate(quiet, 250)
    first = sync(core, store.id)
    assert (first.created, first.api_calls) == (250, 3)  # 100 per page
    cursor = get_cursor(store.id, "orders")
    assert cursor is not None
    late = new_order(quiet, {merchant_skus(quiet, 1)[0]: 1})  # changed 3 min ago: before the cursor
    assert quiet.world.orders[late].last_updated < cursor
    second = sync(core, store.id)
    assert second.created == 1
    assert find_order(late).state == "released"
    assert Order.select().count() == 251
    assert OrderEvent.select().where(OrderEvent.kind == ev.IMPORTED).count() == 251


def test_429_storm_and_5xx_are_retried(core: CoreServices, quiet: RunningSandbox) -> None:
    store = make_store(core, quiet)
    generate(quiet, 150)
    quiet.world.inject_fault("searchOrders", "429", count=3)
    quiet.world.inject_fault("searchOrders", "500", count=1)
    result = sync(core, store.id)
    assert result.created == 150
    assert result.throttled == 3
    assert result.api_calls == 2 + 4
    assert Order.select().count() == 150


def test_persistent_5xx_fails_and_keeps_cursor(core: CoreServices, quiet: RunningSandbox) -> None:
    store = make_store(core, quiet)
    generate(quiet, 150)
    quiet.world.inject_fault("searchOrders", "503", count=50)
    result = run_job(core, store, JobKind.ORDERS)
    assert result.status == "failed"
    assert result.error
    assert get_cursor(store.id, "orders") is None
    quiet.world.clear_faults()
    assert sync(core, store.id).created + Order.select().count() >= 150
    assert Order.select().count() == 150


def test_revoked_token_needs_reconnect(core: CoreServices, quiet: RunningSandbox) -> None:
    store = make_store(core, quiet)
    quiet.world.revoke_refresh_token()
    result = run_job(core, store, JobKind.ORDERS)
    assert result.status == "failed"
    assert "reconnect" in result.error.lower() or "authoriz" in result.error.lower()
    after = get_store(store.id)
    assert after.status == "needs_reconnect"
    again = run_job(core, after, JobKind.ORDERS)
    assert again.status == "failed"
    assert again.api_calls == 0


def test_sweep_catches_what_the_incremental_window_missed(core: CoreServices, quiet: RunningSandbox) -> None:
    store = make_store(core, quiet)
    sku = merchant_skus(quiet, 1)[0]
    canceled = new_order(quiet, {sku: 1})
    sync(core, store.id)
    missed = quiet.world.add_order(skus={sku: 1})
    quiet.world.cancel_order(canceled)
    settle(quiet, canceled, minutes=30)  # listed so late that it fell before the overlap window
    settle(quiet, missed, minutes=30)
    incremental = sync(core, store.id)
    assert incremental.created == 0
    assert find_order(canceled).state == "released"
    sweep = sync(core, store.id, JobKind.ORDERS_SWEEP)
    assert (sweep.created, sweep.updated) == (1, 1)
    assert "imported 1 order(s)" in sweep.summary
    assert "canceled 1 order(s)" in sweep.summary
    assert find_order(canceled).state == "canceled"
    assert find_order(missed).state == "released"
    again = sync(core, store.id, JobKind.ORDERS_SWEEP)
    assert (again.created, again.updated) == (0, 0)
    assert "nothing to correct" in again.summary


def test_disabled_store_is_not_synced(core: CoreServices, quiet: RunningSandbox) -> None:
    from fbm_desk.db.stores import set_status

    store = set_status(make_store(core, quiet).id, "disabled")
    result = run_job(core, store, JobKind.ORDERS)
    assert result.status == "failed"
    assert "disabled" in result.error
    assert result.api_calls == 0
    assert quiet.world.counters()["calls"].get("searchOrders", 0) == 0


def test_cancel_and_progress(core: CoreServices, quiet: RunningSandbox) -> None:
    import threading

    store = make_store(core, quiet)
    generate(quiet, 150)
    stop = threading.Event()
    stop.set()
    canceled = run_job(core, store, JobKind.ORDERS, cancel=stop)
    assert canceled.status == "canceled"
    assert canceled.to_json()["status"] == "failed"
    assert get_cursor(store.id, "orders") is None
    seen: list[tuple[str, int | None, int | None]] = []
    done = run_job(core, store, JobKind.ORDERS, progress=lambda m, d, t: seen.append((m, d, t)))
    assert done.status == "ok"
    assert done.created == 150
    assert [d for _, d, _ in seen] == [1, 2]


@pytest.mark.sqlite_only  # SQLite's page limit stands in for the full disk
def test_full_disk_fails_the_run_clearly_and_loses_nothing(core: CoreServices, quiet: RunningSandbox) -> None:
    store = make_store(core, quiet)
    generate(quiet, 150)
    db = core.db.db
    used = db.execute_sql("PRAGMA page_count").fetchone()[0]
    db.execute_sql(f"PRAGMA max_page_count = {used + 1}")  # SQLite's own "database or disk is full"
    try:
        result = run_job(core, store, JobKind.ORDERS)
    finally:
        db.execute_sql("PRAGMA max_page_count = 1073741823")
    assert result.status == "failed"
    assert "disk is full" in result.error
    assert "Internal error" not in result.error
    assert Order.select().count() == 0  # the page in flight was rolled back, nothing half-written
    assert get_cursor(store.id, "orders") is None
    assert sync(core, store.id).created == 150  # with space again, the rerun imports everything
