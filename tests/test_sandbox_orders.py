"""Sandbox Orders API: searchOrders/getOrder (v2026-01-01) and confirmShipment (v0), validated against the
models and behaving like Amazon (validation errors, pagination, PII only for released orders)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from fbm_desk.sandbox import RunningSandbox
from tests.support.sandbox_fixtures import SpApi

SEARCH = "/orders/2026-01-01/orders"
ALL_DATA = "RECIPIENT,FULFILLMENT,PACKAGES,BUYER,PROCEEDS"
US = "ATVPDKIKX0DER"


def _ago(**kw: float) -> str:
    return (datetime.now(UTC) - timedelta(**kw)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _all_pages(spapi: SpApi, params: dict[str, str]) -> list[dict]:
    orders: list[dict] = []
    token = None
    while True:
        page_params = dict(params) | ({"paginationToken": token} if token else {})
        resp = spapi.get(SEARCH, params=page_params)
        assert resp.status_code == 200, resp.text
        assert resp.headers["x-amzn-RateLimit-Limit"] == "0.0056"
        body = resp.json()
        orders += body["orders"]
        token = body.get("pagination", {}).get("nextToken")
        if not token:
            return orders


def _error(resp) -> dict:
    assert resp.status_code == 400, resp.text
    assert "x-amzn-RateLimit-Limit" in resp.headers
    return resp.json()["errors"][0]


def test_search_pages_through_every_merchant_order_once(spapi: SpApi, sandbox: RunningSandbox) -> None:
    params = {
        "lastUpdatedAfter": _ago(days=30),
        "fulfilledBy": "MERCHANT",
        "includedData": ALL_DATA,
        "maxResultsPerPage": "37",
    }
    orders = _all_pages(spapi, params)
    ids = [o["orderId"] for o in orders]
    assert len(ids) == len(set(ids))
    assert set(ids) == set(sandbox.world.order_ids(fulfilled_by="MERCHANT"))
    assert all(o["fulfillment"]["fulfilledBy"] == "MERCHANT" for o in orders)
    stamps = [o["lastUpdatedTime"] for o in orders]
    assert stamps == sorted(stamps)


def test_statuses_filter_and_pii_only_for_released_orders(spapi: SpApi) -> None:
    params = {
        "createdAfter": _ago(days=30),
        "fulfillmentStatuses": "PENDING,UNSHIPPED",
        "includedData": ALL_DATA,
    }
    orders = _all_pages(spapi, params)
    statuses = {o["fulfillment"]["fulfillmentStatus"] for o in orders}
    assert statuses == {"PENDING", "UNSHIPPED"}
    for order in orders:
        if order["fulfillment"]["fulfillmentStatus"] == "PENDING":
            assert "recipient" not in order
            assert "buyer" not in order
        else:
            address = order["recipient"]["deliveryAddress"]
            assert address["name"]
            assert address["addressLine1"]
            assert address["postalCode"]
    bare = spapi.get(SEARCH, params={"createdAfter": _ago(days=30), "maxResultsPerPage": "5"}).json()[
        "orders"
    ]
    assert all("recipient" not in o and "fulfillment" not in o and "packages" not in o for o in bare)
    assert all(o["orderItems"] for o in bare)


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({}, "Exactly one of createdAfter and lastUpdatedAfter"),
        ({"createdAfter": "NOW-1d", "lastUpdatedAfter": "NOW-1d"}, "Exactly one"),
        ({"createdAfter": "yesterday"}, "ISO 8601"),
        ({"lastUpdatedAfter": "NOW-1d", "lastUpdatedBefore": "NOW-1m"}, "two minutes"),
        ({"lastUpdatedAfter": "NOW-1d", "maxResultsPerPage": "101"}, "between 1 and 100"),
        ({"lastUpdatedAfter": "NOW-1d", "maxResultsPerPage": "0"}, "between 1 and 100"),
        ({"lastUpdatedAfter": "NOW-1d", "fulfillmentStatuses": "Unshipped"}, "fulfillmentStatuses"),
        ({"lastUpdatedAfter": "NOW-1d", "fulfilledBy": "MFN"}, "fulfilledBy"),
        ({"createdAfter": "NOW-1d", "lastUpdatedBefore": "NOW-1h"}, "cannot be combined"),
    ],
)
def test_search_validates_like_amazon(spapi: SpApi, params: dict[str, str], fragment: str) -> None:
    real = {}
    for key, value in params.items():
        if value == "NOW-1d":
            value = _ago(days=1)
        elif value == "NOW-1m":
            value = _ago(minutes=1)
        elif value == "NOW-1h":
            value = _ago(hours=1)
        real[key] = value
    error = _error(spapi.get(SEARCH, params=real, validate=True))
    assert error["code"] == "InvalidInput"
    assert fragment in error["message"]


def test_pagination_token_needs_the_same_filters(spapi: SpApi) -> None:
    params = {"createdAfter": _ago(days=30), "maxResultsPerPage": "10"}
    token = spapi.get(SEARCH, params=params).json()["pagination"]["nextToken"]
    assert spapi.get(SEARCH, params=params | {"paginationToken": token}).status_code == 200
    alone = spapi.get(SEARCH, params={"paginationToken": token})
    assert _error(alone)["code"] == "InvalidInput"
    changed = spapi.get(SEARCH, params=params | {"fulfilledBy": "AMAZON", "paginationToken": token})
    assert "paginationToken" in _error(changed)["message"]


def test_get_order_and_not_found(spapi: SpApi, sandbox: RunningSandbox) -> None:
    order_id = sandbox.world.order_ids(status="SHIPPED", fulfilled_by="MERCHANT")[0]
    resp = spapi.get(f"{SEARCH}/{order_id}", params={"includedData": "PACKAGES,FULFILLMENT"})
    assert resp.status_code == 200
    order = resp.json()["order"]
    assert order["orderId"] == order_id
    assert order["packages"][0]["trackingNumber"]
    missing = spapi.get(f"{SEARCH}/111-0000000-0000000")
    assert missing.status_code == 404
    assert missing.json()["errors"][0]["code"] == "NotFound"


def test_release_makes_address_appear_and_is_seen_by_last_updated_after(
    spapi: SpApi, sandbox: RunningSandbox
) -> None:
    world = sandbox.world
    order_id = world.add_order(status="PENDING")
    cursor = _ago(seconds=1)
    pending = spapi.get(f"{SEARCH}/{order_id}", params={"includedData": "RECIPIENT"}).json()["order"]
    assert "recipient" not in pending
    world.release_order(order_id)
    world.advance(world.clock.scaled(121))  # Amazon's search lists a change about two minutes later
    changed = _all_pages(spapi, {"lastUpdatedAfter": cursor, "includedData": "RECIPIENT,FULFILLMENT"})
    released = next(o for o in changed if o["orderId"] == order_id)
    assert released["fulfillment"]["fulfillmentStatus"] == "UNSHIPPED"
    assert released["recipient"]["deliveryAddress"]["city"]
    assert released["lastUpdatedTime"] > pending["lastUpdatedTime"]


def _shipment(order: dict, ref: object = "1", **overrides: object) -> dict:
    detail = {
        "packageReferenceId": ref,
        "carrierCode": "UPS",
        "trackingNumber": "1Z999AA10123456784",
        "shipDate": _ago(minutes=5),
        "orderItems": [
            {"orderItemId": i["order_item_id"], "quantity": i["quantity"] - i["shipped"]}
            for i in order["items"]
        ],
    } | overrides
    return {"marketplaceId": US, "packageDetail": detail}


def _confirm(spapi: SpApi, order_id: str, body: dict):
    return spapi.post(f"/orders/v0/orders/{order_id}/shipmentConfirmation", body)


def test_confirm_shipment_ships_the_order(spapi: SpApi, sandbox: RunningSandbox) -> None:
    world = sandbox.world
    order_id = world.add_order(skus={"MP-KIT-001": 2, "MP-KIT-002": 1})
    state = world.order_state(order_id)
    first, second = state["items"]
    partial = _shipment(state, orderItems=[{"orderItemId": first["order_item_id"], "quantity": 1}])
    resp = _confirm(spapi, order_id, partial)
    assert resp.status_code == 204
    assert resp.content == b""
    assert world.order_state(order_id)["status"] == "PARTIALLY_SHIPPED"

    rest = _shipment(world.order_state(order_id), ref="2")
    rest["packageDetail"]["orderItems"] = [
        {"orderItemId": first["order_item_id"], "quantity": 1},
        {"orderItemId": second["order_item_id"], "quantity": 1},
    ]
    assert _confirm(spapi, order_id, rest).status_code == 204
    after = world.order_state(order_id)
    assert after["status"] == "SHIPPED"
    assert [p["package_reference_id"] for p in after["packages"]] == ["1", "2"]
    order = spapi.get(f"{SEARCH}/{order_id}", params={"includedData": "PACKAGES,FULFILLMENT"}).json()["order"]
    assert {p["packageReferenceId"] for p in order["packages"]} == {"1", "2"}
    assert all(i["fulfillment"]["quantityUnfulfilled"] == 0 for i in order["orderItems"])
    assert len(world.pushed()["shipments"]) == 2

    again = _confirm(spapi, order_id, _shipment(state, ref="3"))
    assert "order already fulfilled" in _error(again)["message"]


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"packageReferenceId": 1}, "invalid type [packageDetail.packageReferenceId]"),
        ({"packageReferenceId": "abc"}, "positive numeric"),
        ({"carrierCode": "Other"}, "CarrierName is required"),
        ({"shipDate": "02/21/2022"}, "Invalid Input"),
        ({"trackingNumber": ""}, "Invalid Input"),
    ],
)
def test_confirm_shipment_validates_like_amazon(
    spapi: SpApi, sandbox: RunningSandbox, overrides: dict, fragment: str
) -> None:
    order_id = sandbox.world.add_order(skus=["MP-KIT-001"])
    body = _shipment(sandbox.world.order_state(order_id))
    body["packageDetail"].update(overrides)
    error = _error(_confirm(spapi, order_id, body))
    assert fragment in error["message"]
    assert sandbox.world.order_state(order_id)["status"] == "UNSHIPPED"


def test_confirm_shipment_refuses_pending_cancelled_and_too_many_units(
    spapi: SpApi, sandbox: RunningSandbox
) -> None:
    world = sandbox.world
    pending = world.add_order(skus=["MP-KIT-001"], status="PENDING")
    assert "Pending" in _error(_confirm(spapi, pending, _shipment(world.order_state(pending))))["message"]
    cancelled = world.add_order(skus=["MP-KIT-001"])
    world.cancel_order(cancelled)
    assert (
        "canceled" in _error(_confirm(spapi, cancelled, _shipment(world.order_state(cancelled))))["message"]
    )
    order_id = world.add_order(skus={"MP-KIT-001": 1})
    body = _shipment(world.order_state(order_id))
    body["packageDetail"]["orderItems"][0]["quantity"] = 2
    assert "exceeds the unshipped quantity" in _error(_confirm(spapi, order_id, body))["message"]


def test_shipped_elsewhere_shows_packages(spapi: SpApi, sandbox: RunningSandbox) -> None:
    order_id = sandbox.world.add_order()
    sandbox.world.ship_elsewhere(order_id, carrier="USPS", tracking_number="9400111899223100000000")
    order = spapi.get(f"{SEARCH}/{order_id}", params={"includedData": "PACKAGES,FULFILLMENT"}).json()["order"]
    assert order["fulfillment"]["fulfillmentStatus"] == "SHIPPED"
    assert order["packages"][0]["carrier"] == "USPS"


def test_orders_can_carry_skus_without_a_listing(spapi: SpApi, sandbox: RunningSandbox) -> None:
    order_id = sandbox.world.add_order(skus={"OLD-SKU-9": 2, "MP-KIT-001": 1})
    order = spapi.get(f"{SEARCH}/{order_id}").json()["order"]
    assert [i["product"]["sellerSku"] for i in order["orderItems"]] == ["OLD-SKU-9", "MP-KIT-001"]
    assert "OLD-SKU-9" not in sandbox.world.listings


def test_fba_orders_have_no_packages_and_cannot_be_confirmed(spapi: SpApi, sandbox: RunningSandbox) -> None:
    order_id = sandbox.world.add_order(fulfilled_by="AMAZON", skus=["MP-KIT-004-FBA"])
    order = spapi.get(f"{SEARCH}/{order_id}", params={"includedData": "PACKAGES,FULFILLMENT"}).json()["order"]
    assert order["fulfillment"]["fulfilledBy"] == "AMAZON"
    assert "packages" not in order
    refused = _confirm(spapi, order_id, _shipment(sandbox.world.order_state(order_id)))
    assert "fulfilled by Amazon" in _error(refused)["message"]
