"""Orders API v2026-01-01 (searchOrders, getOrder) and Orders v0 confirmShipment, validated like Amazon.

searchOrders reads Amazon's search index, which lists an order about two minutes after it changed
(``INDEX_LAG_S``, scaled by the sandbox's speed-up); until then the order is simply not listed. ``*Before``
bounds must be at least two minutes in the past. confirmShipment accepts only Amazon's carrier codes."""

from __future__ import annotations

import base64
import hashlib
import heapq
import json
from datetime import datetime, timedelta
from typing import Any

from fbm_desk.sandbox.carrier_codes import CARRIER_CODES
from fbm_desk.sandbox.clock import iso, parse_iso
from fbm_desk.sandbox.http_util import (
    ApiError,
    Request,
    Response,
    invalid_input,
    not_found,
    query_date,
    require_json_object,
)
from fbm_desk.sandbox.model import OPEN_FOR_SHIPMENT, Order, Package
from fbm_desk.sandbox.order_json import render_order
from fbm_desk.sandbox.world import World

FULFILLMENT_STATUSES = frozenset(
    {
        "PENDING_AVAILABILITY",
        "PENDING",
        "UNSHIPPED",
        "PARTIALLY_SHIPPED",
        "SHIPPED",
        "CANCELLED",
        "UNFULFILLABLE",
    }
)
FULFILLED_BY = frozenset({"MERCHANT", "AMAZON"})
INCLUDED_DATA = frozenset(
    {
        "BUYER",
        "RECIPIENT",
        "PROCEEDS",
        "EXPENSE",
        "PROMOTION",
        "CANCELLATION",
        "FULFILLMENT",
        "PACKAGES",
        "TAX",
        "PAYMENT",
        "FULFILLMENT_ORDERS",
    }
)
INDEX_LAG_S = 120.0  # Amazon seconds: a search lists an order about two minutes after it changed
_FILTERS = (
    "createdAfter",
    "createdBefore",
    "lastUpdatedAfter",
    "lastUpdatedBefore",
    "fulfillmentStatuses",
    "marketplaceIds",
    "fulfilledBy",
)


def _enum_list(req: Request, name: str, allowed: frozenset[str]) -> set[str] | None:
    values = req.many(name)
    if values is None:
        return None
    bad = [v for v in values if v not in allowed]
    if bad:
        raise invalid_input(
            f"Invalid value '{bad[0]}' for parameter {name}.", f"Allowed values: {sorted(allowed)}"
        )
    return set(values)


def _filters_key(req: Request) -> str:
    parts = [(name, sorted(req.many(name) or [])) for name in _FILTERS]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:16]


def _encode_token(data: dict[str, str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode()


def _decode_token(token: str) -> dict[str, str]:
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode() + b"==="))
    except (ValueError, UnicodeDecodeError) as exc:
        raise invalid_input("Invalid paginationToken.", "We could not decode your paginationToken.") from exc
    if not isinstance(data, dict) or not {"k", "t", "i", "b"} <= data.keys():
        raise invalid_input("Invalid paginationToken.", "We could not decode your paginationToken.")
    return data


def search_orders(world: World, req: Request) -> Response:
    created_after, updated_after, created_before, updated_before = (
        query_date(req, name, echo_value=True)
        for name in ("createdAfter", "lastUpdatedAfter", "createdBefore", "lastUpdatedBefore")
    )
    if (created_after is None) == (updated_after is None):
        raise invalid_input("Exactly one of createdAfter and lastUpdatedAfter must be provided.")
    if created_after is not None and updated_before is not None:
        raise invalid_input("lastUpdatedBefore cannot be combined with createdAfter.")
    if updated_after is not None and created_before is not None:
        raise invalid_input("createdBefore cannot be combined with lastUpdatedAfter.")
    now = world.clock.now()
    after = created_after or updated_after
    before = created_before or updated_before
    assert after is not None
    by_created = created_after is not None
    after_name = "createdAfter" if by_created else "lastUpdatedAfter"
    before_name = "createdBefore" if by_created else "lastUpdatedBefore"
    if after > now:
        raise invalid_input(f"{after_name} must be in the past.")
    if before is not None:
        if before < after:
            raise invalid_input(f"{before_name} must be equal to or after {after_name}.")
        if before > now - timedelta(minutes=2):
            raise invalid_input(f"{before_name} must be at least two minutes before the time of the request.")
    page_size_raw = req.one("maxResultsPerPage")
    page_size = 100
    if page_size_raw is not None:
        try:
            page_size = int(page_size_raw)
        except ValueError as exc:
            raise invalid_input("maxResultsPerPage must be an integer between 1 and 100.") from exc
        if not 1 <= page_size <= 100:
            raise invalid_input("maxResultsPerPage must be between 1 and 100.")
    statuses = _enum_list(req, "fulfillmentStatuses", FULFILLMENT_STATUSES)
    fulfilled_by = _enum_list(req, "fulfilledBy", FULFILLED_BY)
    included = _enum_list(req, "includedData", INCLUDED_DATA) or set()
    marketplaces = req.many("marketplaceIds")
    if marketplaces is not None:
        if len(marketplaces) > 50:
            raise invalid_input("marketplaceIds may contain at most 50 values.")
        for m in marketplaces:
            if m not in world.marketplace_ids:
                raise invalid_input(f"Invalid marketplaceId: {m}.", "The seller does not participate in it.")

    key = _filters_key(req)
    token = req.one("paginationToken")
    last: tuple[str, str] | None = None
    bound = before or now
    if token:
        data = _decode_token(token)
        if data["k"] != key:
            raise invalid_input(
                "Invalid paginationToken.",
                "The paginationToken must be sent with the same filters as the request that returned it.",
            )
        last = (data["t"], data["i"])
        bound = parse_iso(data["b"]) or bound

    last_key = None
    if last is not None:
        last_stamp = parse_iso(last[0])
        if last_stamp is None:
            raise invalid_input("Invalid paginationToken.", "We could not decode your paginationToken.")
        last_key = (last_stamp, last[1])

    def sort_key(order: Order) -> tuple[datetime, str]:
        return (order.created if by_created else order.last_updated, order.order_id)

    indexed_until = now - timedelta(seconds=world.clock.scaled(INDEX_LAG_S))
    with world.lock:
        matched = []
        for order in world.orders.values():
            if order.last_updated > indexed_until:
                continue  # changed too recently: not in the search index yet (getOrder already has it)
            stamp = order.created if by_created else order.last_updated
            if stamp < after or stamp > bound:
                continue
            if statuses is not None and order.status not in statuses:
                continue
            if fulfilled_by is not None and order.fulfilled_by not in fulfilled_by:
                continue
            if marketplaces is not None and order.marketplace_id not in marketplaces:
                continue
            if last_key is not None and sort_key(order) <= last_key:
                continue
            matched.append(order)
        first = heapq.nsmallest(page_size + 1, matched, key=sort_key)
        page = first[:page_size]
        body: dict[str, Any] = {"orders": [render_order(o, included) for o in page]}
        if len(first) > page_size:
            t, i = sort_key(page[-1])
            token_data = {"k": key, "t": iso(t), "i": i, "b": iso(bound)}
            body["pagination"] = {"nextToken": _encode_token(token_data)}
    body[before_name] = iso(bound)
    return Response.json(200, body)


def get_order(world: World, req: Request) -> Response:
    included = _enum_list(req, "includedData", INCLUDED_DATA) or set()
    with world.lock:
        order = world.orders.get(req.params["orderId"])
        if order is None:
            raise not_found(f"Order {req.params['orderId']} not found.")
        return Response.json(200, {"order": render_order(order, included)})


def _require(detail: dict[str, Any], name: str) -> Any:
    value = detail.get(name)
    if value is None or value == "" or value == []:
        raise invalid_input("Invalid Input", f"Missing required field packageDetail.{name}")
    return value


def _shipment_error(message: str) -> ApiError:
    return ApiError(400, "InvalidInput", message)


def confirm_shipment(world: World, req: Request) -> Response:
    body = require_json_object(req)
    order_id = req.params["orderId"]
    with world.lock:
        order = world.orders.get(order_id)
        if order is None:
            raise not_found("Order not found.", f"No order exists with the id {order_id}.")
        if not body.get("marketplaceId"):
            raise invalid_input("Invalid Input", "Missing required field marketplaceId")
        if body["marketplaceId"] != order.marketplace_id:
            raise invalid_input("Invalid Input", "marketplaceId does not match the order's marketplace")
        detail = body.get("packageDetail")
        if not isinstance(detail, dict):
            raise invalid_input("Invalid Input", "Missing required field packageDetail")
        ref = _require(detail, "packageReferenceId")
        if not isinstance(ref, str):
            raise invalid_input("invalid type [packageDetail.packageReferenceId]")
        if not ref.isdigit() or int(ref) <= 0:
            raise invalid_input("packageReferenceId must be a positive numeric value")
        carrier = _require(detail, "carrierCode")
        if not isinstance(carrier, str):
            raise invalid_input("invalid type [packageDetail.carrierCode]")
        if carrier not in CARRIER_CODES:
            raise invalid_input(
                f"Invalid carrierCode '{carrier}'.",
                "Use one of Amazon's carrier codes, or Other with the carrier's name in carrierName.",
            )
        if carrier == "Other" and not detail.get("carrierName"):
            raise invalid_input("CarrierName is required when CarrierCode is Other.")
        tracking = _require(detail, "trackingNumber")
        ship_date = parse_iso(str(_require(detail, "shipDate")))
        if ship_date is None:
            raise ApiError(400, "Invalid Input", "Invalid Input")
        lines = _require(detail, "orderItems")
        if not isinstance(lines, list):
            raise invalid_input("invalid type [packageDetail.orderItems]")
        if order.fulfilled_by != "MERCHANT":
            raise _shipment_error("Shipment confirmation is not allowed for orders fulfilled by Amazon.")
        if order.status in ("PENDING", "PENDING_AVAILABILITY"):
            raise _shipment_error(
                "The order is in Pending status; its shipment cannot be confirmed until it is released."
            )
        if order.status == "CANCELLED":
            raise _shipment_error("The order has been canceled; its shipment cannot be confirmed.")
        existing = next((p for p in order.packages if p.package_reference_id == ref), None)
        if existing is not None:  # same package again = edit its shipment details (Amazon allows this)
            existing.carrier = str(detail.get("carrierName") or carrier)
            existing.tracking_number, existing.ship_time = str(tracking), ship_date
            world.touch(order)
            world.pushed_shipments.append({"order_id": order_id, "body": body, "edit": True})
            return Response(204, b"", "")
        if order.status not in OPEN_FOR_SHIPMENT:
            raise _shipment_error(
                "Failed to create package due to not finding a matching package or order already fulfilled"
            )
        by_id = {i.order_item_id: i for i in order.items}
        wanted: dict[str, int] = {}
        for line in lines:
            if not isinstance(line, dict) or "orderItemId" not in line or "quantity" not in line:
                raise invalid_input("Invalid Input", "orderItems[] needs orderItemId and quantity")
            qty = line["quantity"]
            if not isinstance(qty, int) or isinstance(qty, bool) or qty <= 0:
                raise invalid_input("invalid type [packageDetail.orderItems.quantity]")
            item_id = str(line["orderItemId"])
            if item_id not in by_id:
                raise invalid_input(f"Invalid orderItemId {item_id} for order {order_id}.")
            wanted[item_id] = wanted.get(item_id, 0) + qty
        for item_id, qty in wanted.items():
            if qty > by_id[item_id].unshipped:
                raise _shipment_error(
                    f"The quantity for orderItemId {item_id} ({qty}) exceeds the unshipped quantity "
                    f"({by_id[item_id].unshipped})."
                )
        for item_id, qty in wanted.items():
            by_id[item_id].shipped += qty
        now = world.clock.now()
        order.packages.append(
            Package(
                ref,
                str(detail.get("carrierName") or carrier),
                str(tracking),
                ship_date,
                now,
                str(detail.get("shippingMethod") or ""),
                list(wanted.items()),
            )
        )
        order.status = "SHIPPED" if all(i.unshipped == 0 for i in order.items) else "PARTIALLY_SHIPPED"
        world.touch(order)
        world.pushed_shipments.append({"order_id": order_id, "body": body, "edit": False})
    return Response(204, b"", "")
