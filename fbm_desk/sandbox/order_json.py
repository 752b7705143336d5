"""Render a sandbox order as an Orders API v2026-01-01 ``Order`` object, honouring ``includedData``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fbm_desk.sandbox import seed_data as sd
from fbm_desk.sandbox.clock import iso
from fbm_desk.sandbox.model import RELEASED, Order


def _money(amount: Decimal | str, currency: str) -> dict[str, str]:
    return {"amount": f"{Decimal(amount):.2f}", "currencyCode": currency}


def _address(order: Order) -> dict[str, Any]:
    a = order.address
    out: dict[str, Any] = {
        "name": a.name,
        "addressLine1": a.address_line1,
        "city": a.city,
        "stateOrRegion": a.state_or_region,
        "postalCode": a.postal_code,
        "countryCode": a.country_code,
        "addressType": a.address_type,
    }
    if a.address_line2:
        out["addressLine2"] = a.address_line2
    for key, value in (("districtOrCounty", a.district_or_county), ("municipality", a.municipality)):
        if value:
            out[key] = value
    if a.extended:
        out["extendedFields"] = dict(a.extended)
    # Phone is suppressed for Amazon-fulfilled orders and after the latest delivery date (model notes).
    if order.fulfilled_by == "MERCHANT" and order.status != "SHIPPED":
        out["phone"] = a.phone
    return out


def render_order(order: Order, included: set[str]) -> dict[str, Any]:
    currency = sd.CURRENCY[order.marketplace_id]
    released = order.status in RELEASED
    out: dict[str, Any] = {
        "orderId": order.order_id,
        "createdTime": iso(order.created),
        "lastUpdatedTime": iso(order.last_updated),
        "programs": list(order.programs),
        "salesChannel": {
            "channelName": "AMAZON",
            "marketplaceId": order.marketplace_id,
            "marketplaceName": sd.MARKETPLACE_NAME[order.marketplace_id],
        },
    }
    if order.associated_orders:
        out["associatedOrders"] = [dict(a) for a in order.associated_orders]
    if order.seller_order_id:
        out["orderAliases"] = [{"aliasId": order.seller_order_id, "aliasType": "SELLER_ORDER_ID"}]
    if "BUYER" in included and released:
        buyer: dict[str, Any] = {"buyerName": order.buyer_name}
        if order.fulfilled_by == "MERCHANT":
            buyer["buyerEmail"] = order.buyer_email
        if order.buyer_po_number:
            buyer["buyerPurchaseOrderNumber"] = order.buyer_po_number
        out["buyer"] = buyer
    if "RECIPIENT" in included and released:
        out["recipient"] = {"deliveryAddress": _address(order)}
        if order.address.delivery_preference:
            out["recipient"]["deliveryPreference"] = dict(order.address.delivery_preference)
    pending = order.status in ("PENDING", "PENDING_AVAILABILITY")
    if "PROCEEDS" in included and not pending:
        items_total = sum((Decimal(i.unit_price) * i.quantity for i in order.items), Decimal(0))
        shipping = Decimal(order.shipping_price)
        out["proceeds"] = {
            "grandTotal": _money(items_total + shipping, currency),
            "breakdowns": [
                {"type": "ITEM", "subtotal": _money(items_total, currency)},
                {"type": "SHIPPING", "subtotal": _money(shipping, currency)},
            ],
        }
    if "FULFILLMENT" in included:
        out["fulfillment"] = {
            "fulfillmentStatus": order.status,
            "fulfilledBy": order.fulfilled_by,
            "fulfillmentServiceLevel": order.service_level,
            "shipByWindow": {
                "earliestDateTime": iso(order.ship_by[0]),
                "latestDateTime": iso(order.ship_by[1]),
            },
            "deliverByWindow": {
                "earliestDateTime": iso(order.deliver_by[0]),
                "latestDateTime": iso(order.deliver_by[1]),
            },
        }
    items = []
    for item in order.items:
        rendered: dict[str, Any] = {
            "orderItemId": item.order_item_id,
            "quantityOrdered": item.quantity,
            "product": {
                "asin": item.asin,
                "title": item.title,
                "sellerSku": item.sku,
                "condition": {"conditionType": "NEW", "conditionSubtype": "NEW"},
            },
        }
        if not pending:
            rendered["product"]["price"] = {"unitPrice": _money(item.unit_price, currency)}
        if "PROCEEDS" in included and not pending:
            rendered["proceeds"] = {
                "proceedsTotal": _money(Decimal(item.unit_price) * item.quantity, currency)
            }
        if "FULFILLMENT" in included:
            unfulfilled = 0 if order.status == "CANCELLED" else item.unshipped
            rendered["fulfillment"] = {"quantityFulfilled": item.shipped, "quantityUnfulfilled": unfulfilled}
        if "CANCELLATION" in included and item.cancel_request is not None and order.status != "CANCELLED":
            request = {"requester": "BUYER", "cancelReason": item.cancel_request}
            rendered["cancellation"] = {"cancellationRequest": request}
        items.append(rendered)
    out["orderItems"] = items
    if "PACKAGES" in included and order.fulfilled_by == "MERCHANT":
        out["packages"] = [
            {
                "packageReferenceId": p.package_reference_id,
                "createdTime": iso(p.created),
                "packageStatus": {"status": "SHIPPED"},
                "carrier": p.carrier,
                "shipTime": iso(p.ship_time),
                "shippingService": p.shipping_service,
                "trackingNumber": p.tracking_number,
                "packageItems": [{"orderItemId": oid, "quantity": qty} for oid, qty in p.items],
            }
            for p in order.packages
        ]
    return out
