"""The real client against the built-in sandbox over loopback: operations, faults, tokens, rate limits."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from fbm_desk.amazon.client import SpApiClient
from fbm_desk.amazon.errors import AmazonRejected, AuthorizationRevoked, MalformedResponse, OutcomeUnknown
from fbm_desk.amazon.ratelimit import RateLimiter
from fbm_desk.amazon.types import QuantityUpdate, ShipmentConfirmation, ShipmentItem
from fbm_desk.sandbox import RunningSandbox, start_sandbox
from tests.support.spapi_contract import validate_request, validate_response

pytestmark = pytest.mark.e2e

SPEEDUP = 2000.0
US = "ATVPDKIKX0DER"
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


VIOLATIONS: list[str] = []


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    VIOLATIONS.clear()
    with start_sandbox(seed=7, speedup=SPEEDUP) as sb:
        yield sb
    assert VIOLATIONS == []


def contract_hook(resp: requests.Response, *args: Any, **kwargs: Any) -> None:
    """Check every SP-API request the client sent and every answer the sandbox gave against the models."""
    req = resp.request
    if urlsplit(req.url or "").path.startswith(("/auth/", "/_sandbox/", "/_docs/")):  # not SP-API
        return
    try:
        answer = json.loads(resp.content) if resp.content else None
    except ValueError:
        return  # an injected "malformed_json" fault: the client must (and does) reject it
    try:
        body = json.loads(req.body) if req.body else None
        validate_request(req.method or "", req.url or "", None, body)
        validate_response(req.method or "", req.url or "", resp.status_code, answer)
    except AssertionError as exc:
        VIOLATIONS.append(f"{req.method} {urlsplit(req.url or '').path} -> {resp.status_code}: {exc}")


def client_for(sb: RunningSandbox, limiter: RateLimiter | None = None) -> SpApiClient:
    session = requests.Session()
    session.hooks["response"].append(contract_hook)
    return SpApiClient(
        sb.spapi_config(),
        refresh_token=sb.info.refresh_token,
        selling_partner_id=sb.info.selling_partner_id,
        region="NA",
        limiter=limiter,
        session=session,
    )


def open_orders(client: SpApiClient) -> list[str]:
    pages = client.search_orders([US], last_updated_after=LONG_AGO, fulfillment_statuses=["UNSHIPPED"])
    return [o.order_id for page in pages for o in page.orders]


def test_orders_are_searched_read_and_confirmed(sandbox: RunningSandbox) -> None:
    client = client_for(sandbox)
    added = sandbox.world.add_order(status="UNSHIPPED")
    pending = sandbox.world.add_order(status="PENDING")
    pages = list(
        client.search_orders(
            list(sandbox.info.marketplace_ids),
            last_updated_after=LONG_AGO,
            fulfillment_statuses=["PENDING", "UNSHIPPED"],
            max_results_per_page=7,
        )
    )
    orders = {o.order_id: o for page in pages for o in page.orders}
    assert len(pages) > 1  # paged with the same filters
    assert all(o.fulfilled_by == "MERCHANT" for o in orders.values())
    assert added in orders
    assert orders[pending].address is None

    order = client.get_order(added)
    assert order.address is not None
    assert order.items
    assert client.get_order(pending).address is None

    client.confirm_shipment(
        added,
        US,
        ShipmentConfirmation(
            package_reference_id=1,
            carrier_code="UPS",
            tracking_number="1Z999AA10123456784",
            ship_date=datetime.now(UTC) - timedelta(minutes=5),
            items=tuple(ShipmentItem(i.order_item_id, i.quantity_ordered) for i in order.items),
        ),
    )
    (pushed,) = sandbox.world.pushed()["shipments"]
    assert "1Z999AA10123456784" in str(pushed)
    assert client.get_order(added).fulfillment_status == "SHIPPED"


def test_confirming_an_unknown_item_is_rejected_with_amazons_message(sandbox: RunningSandbox) -> None:
    client = client_for(sandbox)
    order_id = open_orders(client)[0]
    with pytest.raises(AmazonRejected) as err:
        client.confirm_shipment(
            order_id,
            US,
            ShipmentConfirmation(1, "UPS", "1Z1", datetime.now(UTC), (ShipmentItem("no-such-item", 1),)),
        )
    assert err.value.amazon_message


def test_listings_report_search_patch_and_feed(sandbox: RunningSandbox) -> None:
    client = client_for(sandbox)
    rows = client.fetch_listings_report(US)
    assert rows
    assert all(r.fulfillment_channel == "DEFAULT" for r in rows)
    assert any(not r.title.isascii() for r in rows)  # Cp1252 report decoded

    new = list(client.search_new_listings(US, LONG_AGO))
    assert {r.seller_sku for r in new} == {r.seller_sku for r in rows}
    listing = client.get_listing(US, new[0].seller_sku)
    assert listing.product_type

    result = client.patch_quantity(US, listing.seller_sku, listing.product_type, 42)
    assert result.accepted
    assert sandbox.world.listing_quantity(listing.seller_sku) == 42

    updates = [QuantityUpdate(r.seller_sku, r.product_type, 5) for r in new[:3]]
    updates.append(QuantityUpdate("NO-SUCH-SKU", "PRODUCT", 1))
    feed = client.submit_quantity_feed(US, updates, wait_s=3600)
    assert feed.done
    assert set(feed.accepted_skus) >= {u.sku for u in updates[:3]}
    assert all(sandbox.world.listing_quantity(u.sku) == 5 for u in updates[:3])

    (us, *_) = client.marketplace_participations()
    assert us.is_participating


def test_transient_faults_are_retried(sandbox: RunningSandbox) -> None:
    client = client_for(sandbox)
    for kind in ("429", "500", "503", "drop"):
        sandbox.world.inject_fault("searchOrders", kind)
    assert open_orders(client)
    assert client.stats.throttled == 1
    assert client.stats.api_calls == 5  # 4 failures + 1 success


def test_malformed_json_and_truncated_gzip_are_reported(sandbox: RunningSandbox) -> None:
    client = client_for(sandbox)
    sandbox.world.inject_fault("getOrder", "malformed_json")
    order_id = open_orders(client)[0]
    with pytest.raises(MalformedResponse):
        client.get_order(order_id)
    sandbox.world.inject_fault("downloadDocument", "truncated_gzip")
    with pytest.raises(MalformedResponse):
        client.fetch_listings_report(US)


def test_expired_token_is_refreshed_and_revoked_grant_is_reported(sandbox: RunningSandbox) -> None:
    client = client_for(sandbox)
    assert open_orders(client)
    sandbox.world.expire_access_tokens()
    assert open_orders(client)
    assert client.tokens.refreshes == 2

    sandbox.world.inject_fault("searchOrders", "403_invalid_token")
    assert open_orders(client)
    assert client.tokens.refreshes == 3

    sandbox.world.revoke_refresh_token()
    sandbox.world.expire_access_tokens()
    with pytest.raises(AuthorizationRevoked, match="reconnect the store"):
        open_orders(client)


def test_paced_client_never_trips_the_sandboxs_rate_limits(sandbox: RunningSandbox) -> None:
    limiter = RateLimiter(speedup=SPEEDUP)
    client = client_for(sandbox, limiter)
    for _ in range(30):  # getMarketplaceParticipations: burst 15, then paced at 0.016/s (sped up)
        client.marketplace_participations()
    assert client.stats.throttled == 0
    assert client.stats.throttle_wait_s > 0
    assert sandbox.world.counters()["throttled"] == {}


def test_a_dropped_confirmation_is_not_sent_twice_but_a_refused_one_is(sandbox: RunningSandbox) -> None:
    client = client_for(sandbox)
    order_id = sandbox.world.add_order(status="UNSHIPPED")
    order = client.get_order(order_id)
    confirmation = ShipmentConfirmation(
        1,
        "UPS",
        "1Z999AA10123456784",
        datetime.now(UTC) - timedelta(minutes=5),
        tuple(ShipmentItem(i.order_item_id, i.quantity_ordered) for i in order.items),
    )
    for kind in ("drop", "500"):  # the request was out: it may have been done
        sandbox.world.inject_fault("confirmShipment", kind)
        with pytest.raises(OutcomeUnknown):
            client.confirm_shipment(order_id, US, confirmation)
    assert sandbox.world.counters()["calls"]["confirmShipment"] == 2
    sandbox.world.inject_fault("confirmShipment", "503")  # refused before doing anything: sent again
    sandbox.world.inject_fault("confirmShipment", "429")
    client.confirm_shipment(order_id, US, confirmation)
    assert sandbox.world.counters()["calls"]["confirmShipment"] == 5
    assert len(sandbox.world.pushed()["shipments"]) == 1


def test_a_dropped_token_refresh_is_retried(sandbox: RunningSandbox) -> None:
    sandbox.world.inject_fault("lwaToken", "drop")
    sandbox.world.inject_fault("lwaToken", "503")
    client = client_for(sandbox)
    assert client.marketplace_participations()
    assert sandbox.world.counters()["calls"]["lwaToken"] == 3
