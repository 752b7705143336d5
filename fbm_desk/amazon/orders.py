"""Orders: v2026-01-01 searchOrders/getOrder (reads) and v0 confirmShipment (the only v0 call we make)."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from fbm_desk.amazon import order_details
from fbm_desk.amazon._parse import arr, integer, iso_z, obj, text, when
from fbm_desk.amazon.errors import MalformedResponse
from fbm_desk.amazon.http import ParamValue, SpApiTransport
from fbm_desk.amazon.types import (
    Address,
    AmazonOrder,
    AmazonOrderItem,
    AmazonPackage,
    AmazonPackageItem,
    OrdersPage,
    ShipmentConfirmation,
)
from fbm_desk.foundation.errors import InvalidInput

log = logging.getLogger(__name__)

SEARCH_PATH = "/orders/2026-01-01/orders"
DEFAULT_INCLUDED_DATA: tuple[str, ...] = (
    "RECIPIENT",
    "FULFILLMENT",
    "PROCEEDS",
    "PACKAGES",
    "BUYER",
    "CANCELLATION",
)
MIN_BEFORE_AGE = timedelta(minutes=2)  # *Before must be at least 2 minutes before the request


def clamp_before(before: datetime, now: datetime) -> datetime:
    """Never send a *Before bound that is in the future or less than 2 minutes old."""
    if before.tzinfo is None:
        before = before.replace(tzinfo=UTC)
    return min(before, now - MIN_BEFORE_AGE)


def search_orders(
    transport: SpApiTransport,
    marketplace_ids: Sequence[str],
    *,
    last_updated_after: datetime | None = None,
    last_updated_before: datetime | None = None,
    created_after: datetime | None = None,
    fulfillment_statuses: Sequence[str] = (),
    included_data: Sequence[str] = DEFAULT_INCLUDED_DATA,
    max_results_per_page: int = 100,
    now: datetime | None = None,
) -> Iterator[OrdersPage]:
    """searchOrders for merchant-fulfilled orders; the pagination token is re-sent with the same filters.

    Arguments are checked (InvalidInput) when called, before the first page is requested.
    """
    if (last_updated_after is None) == (created_after is None):
        raise InvalidInput("Give exactly one of last_updated_after and created_after.")
    if created_after is not None and last_updated_before is not None:
        raise InvalidInput("last_updated_before cannot be combined with created_after.")
    if not 1 <= max_results_per_page <= 100:
        raise InvalidInput("max_results_per_page must be between 1 and 100.")
    if isinstance(marketplace_ids, str) or isinstance(fulfillment_statuses, str):
        raise InvalidInput("marketplace_ids and fulfillment_statuses are lists, not single strings.")
    if not marketplace_ids:
        raise InvalidInput("Give at least one marketplace id.")
    moment = now or datetime.now(UTC)
    filters: dict[str, ParamValue | None] = {
        "fulfilledBy": ["MERCHANT"],
        "marketplaceIds": list(marketplace_ids),
        "fulfillmentStatuses": list(fulfillment_statuses),
        "includedData": list(included_data),
        "maxResultsPerPage": max_results_per_page,
    }
    if created_after is not None:
        filters["createdAfter"] = iso_z(created_after)
    else:
        assert last_updated_after is not None
        filters["lastUpdatedAfter"] = iso_z(last_updated_after)
        if last_updated_before is not None:
            before = clamp_before(last_updated_before, moment)
            if before < _aware(last_updated_after):
                log.info("searchOrders: window ends before it starts after clamping; nothing to ask")
                return iter([OrdersPage(orders=(), next_token=None, last_updated_before=before)])
            filters["lastUpdatedBefore"] = iso_z(before)
    return _pages(transport, filters, when(filters, "lastUpdatedBefore"))


def _pages(
    transport: SpApiTransport, filters: dict[str, ParamValue | None], sent_before: datetime | None
) -> Iterator[OrdersPage]:
    """Each page's ``last_updated_before``: Amazon's echo of the window end, else the (clamped) one we sent."""
    token: str | None = None
    while True:
        params = dict(filters)
        if token:
            params["paginationToken"] = token
        resp = transport.call("searchOrders", "GET", SEARCH_PATH, params=params)
        body = resp.body
        if not isinstance(body, dict) or not isinstance(body.get("orders"), list):
            raise MalformedResponse("Amazon's order list was missing its orders.", operation="searchOrders")
        token = text(obj(body, "pagination"), "nextToken") or None
        page = OrdersPage(
            orders=tuple(parse_order(o) for o in body["orders"] if isinstance(o, dict)),
            next_token=token,
            last_updated_before=when(body, "lastUpdatedBefore") or when(body, "createdBefore") or sent_before,
        )
        yield page
        if token is None:
            return


def get_order(transport: SpApiTransport, order_id: str) -> AmazonOrder:
    resp = transport.call(
        "getOrder",
        "GET",
        f"{SEARCH_PATH}/{quote(order_id, safe='')}",
        params={"includedData": list(DEFAULT_INCLUDED_DATA)},
    )
    order = obj(resp.body, "order")
    if not order:
        raise MalformedResponse("Amazon's order answer was missing the order.", operation="getOrder")
    return parse_order(order)


def shipment_body(marketplace_id: str, c: ShipmentConfirmation) -> dict[str, Any]:
    """confirmShipment request body (packageReferenceId as a JSON string, shipDate ISO 8601 UTC)."""
    if c.carrier_code == "Other" and not c.carrier_name:
        raise InvalidInput("A carrier name is required when the carrier is 'Other'.")
    if c.package_reference_id <= 0:
        raise InvalidInput("The package reference must be a positive number.")
    detail: dict[str, Any] = {
        "packageReferenceId": str(int(c.package_reference_id)),
        "carrierCode": c.carrier_code,
        "trackingNumber": c.tracking_number,
        "shipDate": iso_z(c.ship_date),
        "orderItems": [{"orderItemId": i.order_item_id, "quantity": int(i.quantity)} for i in c.items],
    }
    if c.carrier_name:
        detail["carrierName"] = c.carrier_name
    if c.shipping_method:
        detail["shippingMethod"] = c.shipping_method
    return {"marketplaceId": marketplace_id, "packageDetail": detail}


def confirm_shipment(
    transport: SpApiTransport, order_id: str, marketplace_id: str, confirmation: ShipmentConfirmation
) -> None:
    """204 (or any 2xx; its body does not matter) = done; 400 raises AmazonRejected with Amazon's message
    (``amazon_message``)."""
    transport.call(
        "confirmShipment",
        "POST",
        f"/orders/v0/orders/{quote(order_id, safe='')}/shipmentConfirmation",
        json_body=shipment_body(marketplace_id, confirmation),
        expect_body=False,
    )


# parsing ----------------------------------------------------------------------------------------------------
def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _shipped(raw: dict[str, Any], packaged: dict[str, int]) -> int:
    """Units shipped: ``fulfillment.quantityFulfilled``; without it, quantityOrdered - quantityUnfulfilled;
    without either, the units in Amazon's (not cancelled) packages for this item."""
    fulfillment = obj(raw, "fulfillment")
    ordered = integer(raw, "quantityOrdered")
    if "quantityFulfilled" in fulfillment:
        return integer(fulfillment, "quantityFulfilled")
    if "quantityUnfulfilled" in fulfillment:
        return max(ordered - integer(fulfillment, "quantityUnfulfilled"), 0)
    return min(packaged.get(text(raw, "orderItemId"), 0), ordered)


def _item(raw: dict[str, Any], packaged: dict[str, int]) -> AmazonOrderItem:
    product = obj(raw, "product")
    unit = obj(obj(product, "price"), "unitPrice")
    return AmazonOrderItem(
        order_item_id=text(raw, "orderItemId"),
        seller_sku=text(product, "sellerSku"),
        asin=text(product, "asin"),
        title=text(product, "title"),
        quantity_ordered=integer(raw, "quantityOrdered"),
        quantity_shipped=_shipped(raw, packaged),
        unit_price=text(unit, "amount"),
        currency=text(unit, "currencyCode"),
    )


def _package(raw: dict[str, Any]) -> AmazonPackage:
    return AmazonPackage(
        package_reference_id=text(raw, "packageReferenceId"),
        carrier=text(raw, "carrier"),
        tracking_number=text(raw, "trackingNumber"),
        ship_time=when(raw, "shipTime"),
        shipping_service=text(raw, "shippingService"),
        status=text(obj(raw, "packageStatus"), "status"),
        items=tuple(
            AmazonPackageItem(text(i, "orderItemId"), integer(i, "quantity"))
            for i in arr(raw, "packageItems")
            if isinstance(i, dict)
        ),
    )


def _address(raw: dict[str, Any]) -> Address | None:
    addr = obj(obj(raw, "recipient"), "deliveryAddress")
    if not addr:
        return None
    parsed = Address(
        name=text(addr, "name"),
        company_name=text(addr, "companyName"),
        address_line1=text(addr, "addressLine1"),
        address_line2=text(addr, "addressLine2"),
        address_line3=text(addr, "addressLine3"),
        city=text(addr, "city"),
        state_or_region=text(addr, "stateOrRegion"),
        postal_code=text(addr, "postalCode"),
        country_code=text(addr, "countryCode"),
        phone=text(addr, "phone"),
        district_or_county=text(addr, "districtOrCounty"),
        municipality=text(addr, "municipality"),
        address_type=text(addr, "addressType"),
        extended=order_details.extended_fields(addr),
        delivery_instructions=order_details.delivery_instructions(raw),
    )
    return None if parsed.is_blank() else parsed


def parse_order(raw: dict[str, Any]) -> AmazonOrder:
    """One v2026 Order. Only orderId and the times are required; everything else may be absent (PENDING)."""
    order_id = text(raw, "orderId")
    created = when(raw, "createdTime")
    updated = when(raw, "lastUpdatedTime") or created
    if not order_id or created is None or updated is None:
        raise MalformedResponse("Amazon sent an order without its id or dates.", operation="searchOrders")
    fulfillment = obj(raw, "fulfillment")
    total = obj(obj(raw, "proceeds"), "grandTotal")
    packages = tuple(_package(p) for p in arr(raw, "packages") if isinstance(p, dict))
    packaged: dict[str, int] = {}
    for package in packages:
        if package.status.upper() != "CANCELLED":
            for unit in package.items:
                packaged[unit.order_item_id] = packaged.get(unit.order_item_id, 0) + unit.quantity
    return AmazonOrder(
        order_id=order_id,
        created_time=created,
        last_updated_time=updated,
        marketplace_id=text(obj(raw, "salesChannel"), "marketplaceId"),
        fulfillment_status=text(fulfillment, "fulfillmentStatus"),
        fulfilled_by=text(fulfillment, "fulfilledBy"),
        items=tuple(_item(i, packaged) for i in arr(raw, "orderItems") if isinstance(i, dict)),
        service_level=text(fulfillment, "fulfillmentServiceLevel"),
        earliest_ship_date=when(obj(fulfillment, "shipByWindow"), "earliestDateTime"),
        latest_ship_date=when(obj(fulfillment, "shipByWindow"), "latestDateTime"),
        latest_delivery_date=when(obj(fulfillment, "deliverByWindow"), "latestDateTime"),
        programs=tuple(p for p in arr(raw, "programs") if isinstance(p, str)),
        address=_address(raw),
        buyer_name=text(obj(raw, "buyer"), "buyerName"),
        total_amount=text(total, "amount"),
        currency=text(total, "currencyCode"),
        packages=packages,
        cancel_requests=order_details.cancel_requests(raw),
        associated_orders=order_details.associated_orders(raw),
        buyer_po_number=text(obj(raw, "buyer"), "buyerPurchaseOrderNumber"),
    )
