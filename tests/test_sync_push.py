"""Tracking push, inventory push and product import against the built-in sandbox."""

from __future__ import annotations

import pytest

from fbm_desk.core import CoreServices
from fbm_desk.db.inventory import inventory_for, set_on_hand
from fbm_desk.db.listings import list_listings
from fbm_desk.db.models import Outbox
from fbm_desk.db.orders import find_order, get_order_detail
from fbm_desk.db.stores import get_store
from fbm_desk.domain.packing import record_package, update_package
from fbm_desk.sandbox import RunningSandbox
from fbm_desk.sync import inventory_job
from fbm_desk.sync.base import JobKind, SyncResult
from fbm_desk.sync.execute import run_job
from tests.support.sync_env import make_store, merchant_skus, settle

pytestmark = pytest.mark.e2e


@pytest.fixture
def core(quiet_core: CoreServices) -> CoreServices:
    """The services on the ``quiet`` sandbox (listings, no orders: each test creates the orders it needs)."""
    return quiet_core


def sync(core: CoreServices, store_id: int, kind: JobKind) -> SyncResult:
    result = run_job(core, get_store(store_id), kind)
    assert result.status == "ok", result.error
    return result


def imported_order(core: CoreServices, sb: RunningSandbox, store_id: int, skus: dict[str, int]) -> str:
    order_id = sb.world.add_order(skus=skus)
    settle(sb, order_id)
    sync(core, store_id, JobKind.ORDERS)
    return order_id


def test_rejected_shipment_keeps_amazons_message_and_can_be_fixed(
    core: CoreServices, quiet: RunningSandbox
) -> None:
    store = make_store(core, quiet)
    sku = merchant_skus(quiet, 1)[0]
    order_id = imported_order(core, quiet, store.id, {sku: 2})
    item = quiet.world.order_state(order_id)["items"][0]["order_item_id"]
    pkg = record_package(core, order_id, "UPS", "1Z999AA10123456784", items={item: 1})
    quiet.world.orders[order_id].items[0].shipped = 2  # shipped in Seller Central meanwhile, not yet listed
    result = sync(core, store.id, JobKind.SHIPMENTS)  # a rejection is reported, the run still completes
    assert result.rejected == 1
    rejected = get_order_detail(find_order(order_id).id).packages[0]
    assert rejected.push_state == "rejected"
    assert "exceeds the unshipped quantity" in rejected.push_message
    quiet.world.orders[order_id].items[0].shipped = 0  # (sandbox back to a state where the package fits)
    update_package(core, pkg.id, "UPS", "1Z999AA10123456785")
    again = sync(core, store.id, JobKind.SHIPMENTS)
    assert (again.api_calls, again.updated) == (1, 1)
    assert get_order_detail(find_order(order_id).id).packages[0].push_state == "confirmed"
    assert find_order(order_id).state == "partially_shipped"


def test_network_failure_leaves_the_package_queued(core: CoreServices, quiet: RunningSandbox) -> None:
    store = make_store(core, quiet)
    order_id = imported_order(core, quiet, store.id, {merchant_skus(quiet, 1)[0]: 1})
    pkg = record_package(core, order_id, "USPS", "9400111899223197428490")
    quiet.world.inject_fault("confirmShipment", "503", count=50)
    failed = run_job(core, get_store(store.id), JobKind.SHIPMENTS)
    assert failed.status == "failed"
    assert failed.error
    assert get_order_detail(find_order(order_id).id).packages[0].push_state == "queued"
    assert Outbox.get(Outbox.ref_id == pkg.id).state == "pending"
    quiet.world.clear_faults()
    ok = sync(core, store.id, JobKind.SHIPMENTS)
    assert ok.updated == 1
    assert find_order(order_id).state == "shipped"
    assert len(quiet.world.pushed()["shipments"]) == 1
    assert sync(core, store.id, JobKind.SHIPMENTS).api_calls == 0  # nothing twice


def test_products_incremental_full_and_starting_inventory(core: CoreServices, quiet: RunningSandbox) -> None:
    match = make_store(core, quiet, name="Match", starting_inventory="match")
    first = sync(core, match.id, JobKind.PRODUCTS)  # no cursor yet: the full report
    merchant = [lst for lst in quiet.world.listings.values() if not lst.is_fba]
    assert first.created == len(merchant)
    sku = merchant_skus(quiet, 1)[0]
    assert {r.sku: r.on_hand for r in inventory_for()}[sku] == quiet.world.listing_quantity(sku)
    quiet.world.add_listing("BRAND-NEW-1", "Brand new thing", quantity=7)
    new = sync(core, match.id, JobKind.PRODUCTS)
    assert (new.created, new.fetched) == (1, 1)
    assert {r.sku: r.on_hand for r in inventory_for()}["BRAND-NEW-1"] == 7
    assert sync(core, match.id, JobKind.PRODUCTS).created == 0
    # full: a title change is an update, a listing removed on Amazon is marked gone
    gone_sku = merchant[-1].sku
    with quiet.world.lock:
        quiet.world.listings[sku].title = "Renamed on Amazon"
        del quiet.world.listings[gone_sku]
    full = sync(core, match.id, JobKind.PRODUCTS_FULL)
    assert full.created == 0
    assert full.updated >= 2
    listings = {r.seller_sku: r for r in list_listings(match.id)}
    assert listings[sku].title == "Renamed on Amazon"
    assert listings[gone_sku].gone_at is not None
    assert listings[gone_sku].status == "gone"


def test_full_import_reads_titles_the_report_could_not_spell(
    core: CoreServices, quiet: RunningSandbox
) -> None:
    store = make_store(core, quiet)
    unspellable = {
        lst.sku: lst.title
        for lst in quiet.world.listings.values()
        if not lst.is_fba
        and any(not ch.isascii() for ch in lst.title)
        and "?" not in lst.title
        and not all(ch.encode("cp1252", "ignore") for ch in lst.title)
    }
    assert unspellable, "the seeded world has titles outside Cp1252"
    first = sync(core, store.id, JobKind.PRODUCTS_FULL)
    listings = {r.seller_sku: r for r in list_listings(store.id)}
    for sku, title in unspellable.items():
        assert listings[sku].title == title  # not the report's '?' version
    assert "full titles" in first.summary
    again = sync(core, store.id, JobKind.PRODUCTS_FULL)  # kept, and not read again
    assert {sku: r.title for sku, r in ((r.seller_sku, r) for r in list_listings(store.id))}.items() >= (
        unspellable.items()
    )
    assert again.api_calls < first.api_calls


def test_zero_starting_inventory(core: CoreServices, quiet: RunningSandbox) -> None:
    zero = make_store(core, quiet, name="Zero", starting_inventory="zero")
    sync(core, zero.id, JobKind.PRODUCTS_FULL)
    assert {r.on_hand for r in inventory_for()} == {0}


def test_inventory_push_patches_only_changes(core: CoreServices, quiet: RunningSandbox) -> None:
    store = make_store(core, quiet)
    sync(core, store.id, JobKind.PRODUCTS_FULL)
    assert sync(core, store.id, JobKind.INVENTORY).api_calls == 0  # available == Amazon's quantity everywhere
    a, b, c = merchant_skus(quiet, 3)
    set_on_hand(a, 50)
    set_on_hand(b, 5)
    imported_order(core, quiet, store.id, {b: 2})
    with quiet.world.lock:
        del quiet.world.listings[c]  # Amazon no longer knows this SKU: its patch comes back INVALID
    set_on_hand(c, 9)
    result = sync(core, store.id, JobKind.INVENTORY)
    assert (result.api_calls, result.updated, result.rejected) == (3, 2, 1)
    assert quiet.world.listing_quantity(a) == 50
    assert quiet.world.listing_quantity(b) == 3
    rows = {r.sku: r for r in inventory_for()}
    assert rows[a].pushed_quantity == 50
    assert rows[b].pushed_quantity == 3
    rejected = next(r for r in list_listings(store.id) if r.seller_sku == c)
    assert rejected.push_state == "rejected"
    assert rejected.push_issues
    # nothing changed: only the rejected SKU is tried again
    assert sync(core, store.id, JobKind.INVENTORY).api_calls == 1


def test_inventory_push_uses_one_feed_for_many_changes(
    core: CoreServices, quiet: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inventory_job, "PATCH_LIMIT", 3)
    store = make_store(core, quiet)
    sync(core, store.id, JobKind.PRODUCTS_FULL)
    skus = merchant_skus(quiet, 8)
    for n, sku in enumerate(skus):
        set_on_hand(sku, 100 + n)
    result = sync(core, store.id, JobKind.INVENTORY)
    assert result.updated == 8
    assert len(quiet.world.pushed()["listing_patches"]) == 0
    assert len(quiet.world.pushed()["feed_messages"]) == 8
    for n, sku in enumerate(skus):
        assert quiet.world.listing_quantity(sku) == 100 + n
    rows = {r.sku: r.pushed_quantity for r in inventory_for()}
    assert [rows[s] for s in skus] == [100 + n for n in range(8)]
    assert sync(core, store.id, JobKind.INVENTORY).api_calls == 0
