"""Shipping API v2 after the rates: purchaseShipment (the package joins the Amazon order, which ships),
getShipmentDocuments, cancelShipment (within the void window: the package leaves the order) and getTracking.
An ``x-amzn-IdempotencyKey`` seen before gets the first answer again instead of a second label."""

from __future__ import annotations

import base64
import uuid
from typing import Any

from fbm_desk.sandbox.api_shipping import SIGNATURE, _benefits, _business, _eligible, _invalid, _role, _window
from fbm_desk.sandbox.clock import iso
from fbm_desk.sandbox.http_util import ApiError, Request, Response, not_found, require_json_object
from fbm_desk.sandbox.label_files import LabelContent, render
from fbm_desk.sandbox.model import Package
from fbm_desk.sandbox.shipping_desk import QUOTE_SECONDS, VOID_SECONDS, QuotedRate, Shipment, tracking_number
from fbm_desk.sandbox.world import World


def _document(world: World, shipment: Shipment, fmt: str) -> dict[str, str]:
    order = world.orders[shipment.quote.order_id]
    content = LabelContent(
        carrier=shipment.rate.service.carrier_name,
        service=shipment.rate.service.service_name,
        tracking=shipment.tracking,
        order_id=order.order_id,
        ship_from=shipment.quote.ship_from,
        ship_to=shipment.quote.ship_to,
        weight_g=shipment.quote.weight_g,
        ship_date=shipment.purchased.date().isoformat(),
    )
    return {
        "type": "LABEL",
        "format": fmt,
        "contents": base64.b64encode(render(content, fmt)).decode("ascii"),
    }


def purchase_shipment(world: World, req: Request) -> Response:
    _role(world)
    business = _business(req)
    key = req.headers.get("x-amzn-idempotencykey", "")
    desk = world.shipping
    with world.lock:
        if key and key in desk.idempotent:
            return Response.json(200, desk.idempotent[key])  # the same purchase asked again
        body = require_json_object(req)
        quote = desk.quotes.get(str(body.get("requestToken") or ""))
        if quote is None or quote.seller != req.seller or quote.business != business:
            raise _invalid("Request is missing or has invalid parameters", "Invalid requestToken")
        if world.clock.mono() - quote.created_mono > world.clock.ttl(QUOTE_SECONDS):
            raise ApiError(400, "TOKEN_EXPIRED", "The request token has expired.", "Get the rates again.")
        if quote.bought:
            raise _invalid("The rates of this request were already purchased.", quote.bought)
        rate = quote.rates.get(str(body.get("rateId") or ""))
        if rate is None:
            raise _invalid("Request is missing or has invalid parameters", "Invalid rateId")
        fmt = _requested_format(body.get("requestedDocumentSpecification"), rate)
        asked = {
            str(v.get("id")) for v in body.get("requestedValueAddedServices") or [] if isinstance(v, dict)
        }
        if rate.service.signature and SIGNATURE not in asked:
            raise _invalid(
                "A required value-added service is missing.", f"{rate.service.service_name} needs {SIGNATURE}"
            )
        order = world.orders[quote.order_id]
        _eligible(order, business)
        items = quote.items or [(i.order_item_id, i.unshipped) for i in order.items if i.unshipped > 0]
        by_id = {i.order_item_id: i for i in order.items}
        if any(by_id[i].unshipped < q for i, q in items):
            raise _invalid("The order is not eligible for Buy Shipping.", "More units than are left to ship")
        now = world.clock.now()
        tracking = tracking_number(world.rng, rate.service.carrier_id, rate.service.service_id)
        ref = str(len(order.packages) + 1)
        order.packages.append(
            Package(ref, rate.service.carrier_name, tracking, now, now, rate.service.service_name, items)
        )
        for item_id, qty in items:
            by_id[item_id].shipped += qty
        order.status = "SHIPPED" if all(i.unshipped == 0 for i in order.items) else "PARTIALLY_SHIPPED"
        world.touch(order)
        shipment = Shipment(
            f"amzn1.sid.{uuid.uuid4().hex[:20]}", quote, rate, tracking, world.clock.mono(), now, ref
        )
        quote.bought = shipment.shipment_id
        desk.shipments[shipment.shipment_id] = shipment
        payload = {
            "shipmentId": shipment.shipment_id,
            "packageDocumentDetails": [
                {
                    "packageClientReferenceId": quote.package_ref,
                    "packageDocuments": [_document(world, shipment, fmt)],
                    "trackingId": tracking,
                }
            ],
            "promise": {"deliveryWindow": _window(rate.delivery), "pickupWindow": _window(rate.pickup)},
            "benefits": _benefits(),
        }
        answer = {"payload": payload}
        if key:
            desk.idempotent[key] = answer
    return Response.json(200, answer)


def _requested_format(spec: Any, rate: QuotedRate) -> str:
    bad = _invalid("The requested document specification is not supported by this rate.")
    if not isinstance(spec, dict) or not isinstance(spec.get("size"), dict):
        raise bad
    fmt, size = spec.get("format"), spec["size"]
    if fmt not in rate.service.formats or "LABEL" not in (spec.get("requestedDocumentTypes") or []):
        raise bad
    if (size.get("width"), size.get("length"), size.get("unit")) != (4, 6, "INCH"):
        raise bad
    if "dpi" in spec and (fmt == "PDF" or spec["dpi"] not in (203, 300)):
        raise bad
    return str(fmt)


def _shipment(world: World, req: Request) -> Shipment:
    shipment = world.shipping.shipments.get(req.params["shipmentId"])
    if shipment is None or shipment.quote.seller != req.seller:
        raise not_found("The requested resource was not found.", f"No shipment {req.params['shipmentId']}")
    return shipment


def get_shipment_documents(world: World, req: Request) -> Response:
    _role(world)
    _business(req)
    with world.lock:
        shipment = _shipment(world, req)
        if req.one("packageClientReferenceId") != shipment.quote.package_ref:
            raise _invalid("Request is missing or has invalid parameters", "Unknown packageClientReferenceId")
        fmt = req.one("format") or "PDF"
        if fmt not in shipment.rate.service.formats:
            raise _invalid("The requested document specification is not supported by this rate.", fmt)
        detail = {
            "packageClientReferenceId": shipment.quote.package_ref,
            "packageDocuments": [_document(world, shipment, fmt)],
            "trackingId": shipment.tracking,
        }
    return Response.json(
        200,
        {
            "payload": {
                "shipmentId": shipment.shipment_id,
                "packageDocumentDetail": detail,
                "benefits": _benefits(),
            }
        },
    )


def cancel_shipment(world: World, req: Request) -> Response:
    _role(world)
    _business(req)
    with world.lock:
        shipment = _shipment(world, req)
        if shipment.canceled:
            raise _invalid("The shipment is already canceled.", shipment.shipment_id)
        if world.clock.mono() - shipment.purchased_mono > world.clock.ttl(VOID_SECONDS):
            raise _invalid(
                "The shipment can no longer be canceled.", "Labels can be voided within 24 hours of purchase"
            )
        order = world.orders[shipment.quote.order_id]
        package = next(
            (p for p in order.packages if p.package_reference_id == shipment.package_reference_id), None
        )
        if package is not None:
            by_id = {i.order_item_id: i for i in order.items}
            for item_id, qty in package.items:
                by_id[item_id].shipped = max(0, by_id[item_id].shipped - qty)
            order.packages.remove(package)
            shipped = any(i.shipped for i in order.items)
            order.status = "PARTIALLY_SHIPPED" if shipped else "UNSHIPPED"
            world.touch(order)
        shipment.canceled = True
    return Response.json(200, {"payload": {}})


def get_tracking(world: World, req: Request) -> Response:
    _role(world)
    _business(req)
    tracking, carrier = req.one("trackingId") or "", req.one("carrierId") or ""
    with world.lock:
        found = next(
            (s for s in world.shipping.shipments.values()
             if s.tracking == tracking and s.rate.service.carrier_id == carrier and s.quote.seller == req.seller),
            None,
        )  # fmt: skip
        if found is None:
            raise not_found(
                "The requested resource was not found.", f"No package {tracking} of carrier {carrier}"
            )
        events = [{"eventCode": "ReadyForReceive", "eventTime": iso(found.purchased)}]
        summary = {"status": "PickupCancelled" if found.canceled else "PreTransit"}
        payload = {"trackingId": tracking, "alternateLegTrackingId": "", "eventHistory": events,
                   "promisedDeliveryDate": iso(found.rate.delivery[1]), "summary": summary}  # fmt: skip
    return Response.json(200, {"payload": payload})
