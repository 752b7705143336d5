"""Shipping API v2 (Buy Shipping) for Amazon orders: getRates, purchaseShipment, getShipmentDocuments,
cancelShipment, getTracking — validated like Amazon, answers shaped by ``shipping-v2.json``.

The Amazon channel (``channelDetails.channelType`` AMAZON) takes the ship-to address from the order; a purchase
attaches the package with its tracking number to the order (the order ships: no confirmShipment), a void
takes it off again. Every operation needs the Direct-to-Consumer Shipping role (403 without it). The shipping
business (``x-amzn-shipping-business-id``, default AmazonShipping_UK) must serve the order's marketplace.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from typing import Any

from fbm_desk.sandbox.clock import iso
from fbm_desk.sandbox.http_util import ApiError, Request, Response, require_json_object
from fbm_desk.sandbox.model import OPEN_FOR_SHIPMENT, Order
from fbm_desk.sandbox.shipping_desk import (
    BUSINESS_MARKETPLACES,
    Quote,
    QuotedRate,
)
from fbm_desk.sandbox.world import World

BUSINESSES = frozenset(
    {
        "AmazonShipping_US",
        "AmazonShipping_IN",
        "AmazonShipping_UK",
        "AmazonShipping_UAE",
        "AmazonShipping_SA",
        "AmazonShipping_EG",
        "AmazonShipping_IT",
        "AmazonShipping_ES",
        "AmazonShipping_FR",
        "AmazonShipping_JP",
    }
)
_TO_GRAMS = {"GRAM": 1.0, "KILOGRAM": 1000.0, "OUNCE": 28.349523125, "POUND": 453.59237}
_TO_CM = {"CENTIMETER": 1.0, "INCH": 2.54}
_US_ZIP = re.compile(r"^\d{5}(-\d{4})?$")
_UK_POSTCODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$", re.I)


def _invalid(message: str, details: str = "") -> ApiError:
    return ApiError(400, "InvalidRequest", message, details)


def _role(world: World) -> None:
    if world.shipping.role_withheld:
        raise ApiError(
            403,
            "Unauthorized",
            "Access to requested resource is denied.",
            "The application has no Direct-to-Consumer Shipping role in this authorization.",
        )


def _business(req: Request) -> str:
    business = req.headers.get("x-amzn-shipping-business-id", "AmazonShipping_UK")
    if business not in BUSINESSES:
        raise _invalid(
            "Request is missing or has invalid parameters", f"Unknown shipping business {business}"
        )
    return business


def _number(node: Any, key: str, where: str) -> float:
    value = node.get(key) if isinstance(node, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise _invalid(
            "Request is missing or has invalid parameters", f"{where}.{key} must be a positive number"
        )
    return float(value)


def _check_address(raw: Any, where: str) -> tuple[str, ...]:
    if not isinstance(raw, dict):
        raise _invalid("Request is missing or has invalid parameters", f"{where} object cannot be null")
    for key in ("name", "addressLine1", "city", "stateOrRegion", "postalCode", "countryCode"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise _invalid("The address could not be validated.", f"{where}.{key} is missing")
    country, postal = raw["countryCode"].upper(), raw["postalCode"].strip()
    if (country == "US" and not _US_ZIP.match(postal)) or (
        country == "GB" and not _UK_POSTCODE.match(postal)
    ):
        raise _invalid("The address could not be validated.", f"{where}.postalCode {postal!r} is not valid")
    town = " ".join(p for p in (raw["city"], raw["stateOrRegion"], postal) if p)
    return tuple(
        p for p in (raw["name"], raw["addressLine1"], raw.get("addressLine2", ""), town, country) if p
    )


def _ship_to(order: Order) -> tuple[str, ...]:
    a = order.address
    if not a.address_line1 or not a.postal_code or not a.city:
        raise _invalid("The address could not be validated.", "The order's ship-to address is incomplete")
    if a.country_code == "US" and not _US_ZIP.match(a.postal_code):
        raise _invalid(
            "The address could not be validated.", f"shipTo.postalCode {a.postal_code!r} is not valid"
        )
    town = " ".join(p for p in (a.city, a.state_or_region, a.postal_code) if p)
    return tuple(p for p in (a.name, a.address_line1, a.address_line2, town, a.country_code) if p)


def _order_for(world: World, body: dict[str, Any], business: str) -> Order:
    channel = body.get("channelDetails")
    if not isinstance(channel, dict):
        raise _invalid("Request is missing or has invalid parameters", "ChannelDetails object cannot be null")
    if channel.get("channelType") != "AMAZON":
        raise _invalid(
            "Request is missing or has invalid parameters", "Only the AMAZON channel is supported here"
        )
    order_id = str((channel.get("amazonOrderDetails") or {}).get("orderId") or "")
    order = world.orders.get(order_id)
    if order is None:
        raise _invalid(
            "The order is not eligible for Buy Shipping.", f"No order {order_id!r} for this seller"
        )
    _eligible(order, business)
    return order


def _eligible(order: Order, business: str) -> None:
    if order.fulfilled_by != "MERCHANT":
        raise _invalid("The order is not eligible for Buy Shipping.", "The order is fulfilled by Amazon")
    if order.status not in OPEN_FOR_SHIPMENT:
        raise _invalid("The order is not eligible for Buy Shipping.", f"The order is {order.status}")
    if "AMAZON_EASY_SHIP" in order.programs:
        raise _invalid(
            "The order is not eligible for Buy Shipping.", "Easy Ship orders are shipped by Amazon"
        )
    if BUSINESS_MARKETPLACES.get(business) != order.marketplace_id:
        raise _invalid(
            "The order is not eligible for Buy Shipping.",
            f"The shipping business {business} does not serve the order's marketplace {order.marketplace_id}",
        )


def _package(raw: Any, order: Order) -> tuple[str, int, tuple[float, float, float], list[tuple[str, int]]]:
    if not isinstance(raw, dict):
        raise _invalid("Request is missing or has invalid parameters", "packages[0] is missing")
    ref = raw.get("packageClientReferenceId")
    if not isinstance(ref, str) or not ref:
        raise _invalid("Request is missing or has invalid parameters", "packageClientReferenceId is missing")
    weight, dims = raw.get("weight"), raw.get("dimensions")
    grams = _number(weight, "value", "weight") * _TO_GRAMS.get(str((weight or {}).get("unit")), 0.0)
    cm = _TO_CM.get(str((dims or {}).get("unit")), 0.0)
    sides = tuple(_number(dims, k, "dimensions") * cm for k in ("length", "width", "height"))
    if grams <= 0 or cm <= 0:
        raise _invalid("Request is missing or has invalid parameters", "Unknown weight or dimension unit")
    known = {i.order_item_id: i for i in order.items}
    items: list[tuple[str, int]] = []
    for line in raw.get("items") or []:
        ident = str(line.get("itemIdentifier") or "") if isinstance(line, dict) else ""
        qty = line.get("quantity") if isinstance(line, dict) else None
        if not isinstance(qty, int) or qty <= 0 or (ident and ident not in known):
            raise _invalid("Request is missing or has invalid parameters", f"Invalid item {ident or '?'}")
        if ident:
            items.append((ident, qty))
    return ref, round(grams), (sides[0], sides[1], sides[2]), items


def _doc_specs(formats: tuple[str, ...]) -> list[dict[str, Any]]:
    return [
        {
            "format": fmt,
            "size": {"width": 4, "length": 6, "unit": "INCH"},
            "printOptions": [
                {
                    "supportedDPIs": [] if fmt == "PDF" else [203, 300],
                    "supportedPageLayouts": ["DEFAULT"],
                    "supportedFileJoiningOptions": [False],
                    "supportedDocumentDetails": [{"name": "LABEL", "isMandatory": True}],
                }
            ],
        }
        for fmt in formats
    ]


def _window(pair: tuple[datetime, datetime]) -> dict[str, str]:
    return {"start": iso(pair[0]), "end": iso(pair[1])}


def _benefits() -> dict[str, Any]:
    return {"includedBenefits": ["CLAIMS_PROTECTED"], "excludedBenefits": []}


def get_rates(world: World, req: Request) -> Response:
    _role(world)
    business = _business(req)
    body = require_json_object(req)
    with world.lock:
        order = _order_for(world, body, business)
        ship_from = _check_address(body.get("shipFrom"), "shipFrom")
        ship_to = _ship_to(order)
        packages = body.get("packages")
        if not isinstance(packages, list) or len(packages) != 1:
            raise _invalid("Request is missing or has invalid parameters", "Exactly one package is supported")
        ref, grams, dims, items = _package(packages[0], order)
        desk, now = world.shipping, world.clock.now()
        quote = Quote(uuid.uuid4().hex.upper()[:29], req.seller, business, order.order_id, world.clock.mono(),
                      ship_from, ship_to, grams, ref, items)  # fmt: skip
        pickup = (now + timedelta(hours=2), now + timedelta(hours=8))
        rates, ineligible = [], []
        for service in desk.services_for(business):
            reasons = []
            if grams > service.max_kg * 1000:
                reasons.append(
                    {"code": "WEIGHT_RESTRICTIONS", "message": f"Heavier than {service.max_kg} kg"}
                )
            if max(dims) > service.max_length_cm:
                reasons.append(
                    {"code": "SIZE_RESTRICTIONS", "message": f"Longer than {service.max_length_cm} cm"}
                )
            base = {"carrierId": service.carrier_id, "carrierName": service.carrier_name,
                    "serviceId": service.service_id, "serviceName": service.service_name}  # fmt: skip
            if reasons:
                ineligible.append({**base, "ineligibilityReasons": reasons})
                continue
            price, billed = desk.price(service, grams, dims)
            day = (now + timedelta(days=service.transit_days)).replace(
                hour=0, minute=0, second=0, microsecond=0
            )
            rate = QuotedRate(uuid.uuid4().hex.upper()[:29], service, price,
                              (day + timedelta(hours=8), day + timedelta(hours=20)), pickup, billed)  # fmt: skip
            quote.rates[rate.rate_id] = rate
            rates.append(
                {
                    "rateId": rate.rate_id,
                    **base,
                    "billedWeight": {"value": rate.billed_g, "unit": "GRAM"},
                    "totalCharge": {"value": price, "unit": _currency(order)},
                    "promise": {"deliveryWindow": _window(rate.delivery), "pickupWindow": _window(pickup)},
                    "supportedDocumentSpecifications": _doc_specs(service.formats),
                    "requiresAdditionalInputs": False,
                    **_signature_group(service.signature, _currency(order)),
                    "paymentType": "PAY_THROUGH_AMAZON",
                    "benefits": _benefits(),
                }
            )
        with desk.lock:
            desk.quotes[quote.token] = quote
    payload = {"requestToken": quote.token, "rates": rates, "ineligibleRates": ineligible}
    return Response.json(200, {"payload": payload})


SIGNATURE = "SIGNATURE_REQUIRED"


def _signature_group(price: float, currency: str) -> dict[str, Any]:
    if not price:
        return {}
    service = {"id": SIGNATURE, "name": "Adult signature", "cost": {"value": price, "unit": currency}}
    group = {"groupId": "SIG_VERIFICATION", "groupDescription": "Signature Verification", "isRequired": True}
    return {"availableValueAddedServiceGroups": [{**group, "valueAddedServices": [service]}]}


def _currency(order: Order) -> str:
    return {"ATVPDKIKX0DER": "USD", "A1F83G8C2ARO7P": "GBP"}.get(order.marketplace_id, "USD")
