"""Writes Amazon may not have done are not taken as done (issue 11, items 2 and 6), by fault injection against
the built-in sandbox.

- confirmShipment answered 200 with an unreadable body (the request was not processed), or 500 (the retry
  policy's ``OutcomeUnknown``): the package stays queued, the others still go out, the run says so (failed,
  naming it), and the next run sends it again; Amazon ends with each package once.
- A quantity feed ending FATAL (here: the upload answered 200 but was never stored) or CANCELLED fails the run
  with the SKUs still to push, marks them on the Inventory tab (push state rejected with the reason), and
  the next run sends them again.
"""

from __future__ import annotations

from typing import Any

import pytest

from fbm_desk.amazon.client import SpApiClient
from fbm_desk.amazon.types import FeedResult
from fbm_desk.core import CoreServices
from fbm_desk.db.inventory import inventory_for, set_on_hand
from fbm_desk.db.orders import find_order, get_order_detail
from fbm_desk.db.stores import get_store
from fbm_desk.domain.packing import record_package
from fbm_desk.sandbox import RunningSandbox
from fbm_desk.sync import inventory_job
from fbm_desk.sync.base import JobKind, SyncResult
from fbm_desk.sync.execute import run_job
from tests.support.sync_env import make_store, merchant_skus, settle

pytestmark = pytest.mark.e2e

TRACKING = ("1Z999AA10123456784", "1Z999AA10123456792", "1Z999AA10123456800")


@pytest.fixture
def core(quiet_core: CoreServices) -> CoreServices:
    return quiet_core


def run(core: CoreServices, store_id: int, kind: JobKind) -> SyncResult:
    return run_job(core, get_store(store_id), kind)


@pytest.mark.parametrize("fault", ["unreadable_200", "500"])
def test_unknown_outcome_leaves_the_confirmation_queued_and_it_is_sent_again(
    core: CoreServices, quiet: RunningSandbox, fault: str
) -> None:
    store = make_store(core, quiet)
    sku = merchant_skus(quiet, 1)[0]
    orders = [quiet.world.add_order(skus={sku: 1}) for _ in TRACKING]
    settle(quiet, *orders)
    assert run(core, store.id, JobKind.ORDERS).status == "ok"
    for order_id, tracking in zip(orders, TRACKING, strict=True):
        record_package(core, order_id, "UPS", tracking)
    quiet.world.inject_fault("confirmShipment", fault)  # the first of the three: not processed
    first = run(core, store.id, JobKind.SHIPMENTS)
    assert first.status == "failed"
    assert "did not confirm 1 package" in first.error
    states = [get_order_detail(find_order(o).id).packages[0].push_state for o in orders]
    assert states == ["queued", "confirmed", "confirmed"]
    assert [len(quiet.world.order_state(o)["packages"]) for o in orders] == [0, 1, 1]
    assert "sent again" in get_order_detail(find_order(orders[0]).id).packages[0].push_message  # order view
    again = run(core, store.id, JobKind.SHIPMENTS)
    assert (again.status, again.updated) == ("ok", 1)
    confirmed = get_order_detail(find_order(orders[0]).id).packages[0]
    assert (confirmed.push_state, confirmed.push_message) == ("confirmed", "")
    assert [len(quiet.world.order_state(o)["packages"]) for o in orders] == [1, 1, 1]


@pytest.mark.parametrize("fault", ["lost_upload", "cancelled"])
def test_a_failed_feed_fails_the_run_with_the_skus_and_is_sent_again(
    core: CoreServices, quiet: RunningSandbox, monkeypatch: pytest.MonkeyPatch, fault: str
) -> None:
    monkeypatch.setattr(inventory_job, "PATCH_LIMIT", 2)
    store = make_store(core, quiet)
    assert run(core, store.id, JobKind.PRODUCTS_FULL).status == "ok"
    skus = merchant_skus(quiet, 4)
    for n, sku in enumerate(skus):
        set_on_hand(sku, 50 + n)
    if fault == "lost_upload":
        quiet.world.inject_fault("uploadDocument", "lost_upload")
    else:  # the sandbox cannot cancel a feed: Amazon's answer is given at the client's edge, once
        real = SpApiClient.submit_quantity_feed

        def cancelled_once(self: SpApiClient, *args: Any, **kwargs: Any) -> FeedResult:
            monkeypatch.setattr(SpApiClient, "submit_quantity_feed", real)
            return FeedResult(feed_id="50001", processing_status="CANCELLED")

        monkeypatch.setattr(SpApiClient, "submit_quantity_feed", cancelled_once)
    failed = run(core, store.id, JobKind.INVENTORY)
    assert failed.status == "failed"
    assert "FATAL" in failed.error or "CANCELLED" in failed.error
    assert all(sku in failed.error for sku in skus)
    rows = {r.sku: r for r in inventory_for()}
    assert all(rows[s].push_state == "rejected" and "feed" in rows[s].push_issues.lower() for s in skus)
    assert all(rows[s].differs_from_amazon for s in skus)  # still to push: the next run sends them
    again = run(core, store.id, JobKind.INVENTORY)
    assert (again.status, again.updated) == ("ok", 4)
    assert [quiet.world.listing_quantity(s) for s in skus] == [50 + n for n in range(4)]
