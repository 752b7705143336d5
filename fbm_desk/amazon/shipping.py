"""Buy Shipping: Shipping API v2 getRates, purchaseShipment, getShipmentDocuments, cancelShipment.

Every request names the Amazon order (``channelDetails.channelType`` AMAZON with ``amazonOrderDetails``), so
Amazon attaches the tracking number to the order itself: a purchased label needs no confirmShipment. The
``x-amzn-shipping-business-id`` header picks Amazon's shipping business of the order's marketplace (the model
defaults to the UK one). Operations need the restricted Direct-to-Consumer Shipping role: a 403 raises
``ShippingRoleMissing``. Pacing and retries are the transport's (``amazon.retry``); purchaseShipment carries an
idempotency key, so a purchase whose answer was lost is asked again instead of bought twice.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar
from urllib.parse import quote

from fbm_desk.amazon._parse import arr, iso_z, obj, text, when
from fbm_desk.amazon.errors import AccessDenied, AmazonNotFound, AmazonRejected, MalformedResponse
from fbm_desk.amazon.http import ApiResponse, SpApiTransport
from fbm_desk.amazon.marketplaces import by_id
from fbm_desk.amazon.shipping_types import (
    ROLE_MISSING_MESSAGE,
    DocumentSpec,
    IneligibleRate,
    LabelDocument,
    Parcel,
    PurchasedLabel,
    RateQuote,
    RatesExpired,
    ShipAddress,
    ShipmentIneligible,
    ShippingAddressInvalid,
    ShippingRate,
    ShippingRejected,
    ShippingRoleMissing,
    VoidWindowClosed,
)

BASE = "/shipping/v2"
BUSINESS_HEADER = "x-amzn-shipping-business-id"
# the model's enum of Amazon shipping businesses, by the marketplace's country
_BUSINESS = {
    "US": "AmazonShipping_US",
    "IN": "AmazonShipping_IN",
    "GB": "AmazonShipping_UK",
    "AE": "AmazonShipping_UAE",
    "SA": "AmazonShipping_SA",
    "EG": "AmazonShipping_EG",
    "IT": "AmazonShipping_IT",
    "ES": "AmazonShipping_ES",
    "FR": "AmazonShipping_FR",
    "JP": "AmazonShipping_JP",
}
T = TypeVar("T")


def business_headers(marketplace_id: str) -> dict[str, str]:
    """The shipping business header for an order's marketplace; none where the model names no business
    (Amazon then answers for its default business, or refuses the order)."""
    market = by_id(marketplace_id)
    business = _BUSINESS.get(market.country_code if market else "")
    return {BUSINESS_HEADER: business} if business else {}


def _money(value: Any) -> str:
    try:
        return str(Decimal(str(value)).quantize(Decimal("0.01")))
    except (InvalidOperation, ValueError):
        return ""


def _address(a: ShipAddress) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": a.name[:50],
        "addressLine1": a.address_line1[:60],
        "city": a.city,
        "stateOrRegion": a.state_or_region,
        "postalCode": a.postal_code,
        "countryCode": a.country_code,
    }
    if a.address_line2:
        out["addressLine2"] = a.address_line2[:60]
    if a.phone:
        out["phoneNumber"] = a.phone
    return out


def rates_body(
    amazon_order_id: str, ship_from: ShipAddress, parcel: Parcel, ship_date: datetime | None = None
) -> dict[str, Any]:
    """getRates request: the Amazon channel (shipTo comes from the order), one package."""
    items = []
    for item in parcel.items:
        line: dict[str, Any] = {"quantity": int(item.quantity), "itemIdentifier": item.order_item_id}
        if item.unit_value:
            line["itemValue"] = {"value": float(item.unit_value), "unit": parcel.currency}
        items.append(line)
    body: dict[str, Any] = {
        "shipFrom": _address(ship_from),
        "packages": [
            {
                "dimensions": {
                    "length": parcel.length_cm,
                    "width": parcel.width_cm,
                    "height": parcel.height_cm,
                    "unit": "CENTIMETER",
                },
                "weight": {"value": parcel.weight_g, "unit": "GRAM"},
                "insuredValue": {"value": float(parcel.insured_value or 0), "unit": parcel.currency},
                "packageClientReferenceId": parcel.client_reference_id,
                "items": items,
            }
        ],
        "channelDetails": {"channelType": "AMAZON", "amazonOrderDetails": {"orderId": amazon_order_id}},
    }
    if ship_date is not None:
        body["shipDate"] = iso_z(ship_date)
    return body


def _document_spec(raw: Any) -> DocumentSpec:
    size = obj(raw, "size")
    options = [o for o in arr(raw, "printOptions") if isinstance(o, dict)]
    first = options[0] if options else {}
    return DocumentSpec(
        format=text(raw, "format"),
        width=float(size.get("width") or 0),
        length=float(size.get("length") or 0),
        unit=text(size, "unit"),
        dpis=tuple(int(d) for d in arr(first, "supportedDPIs") if isinstance(d, int | float)),
        page_layouts=tuple(str(p) for p in arr(first, "supportedPageLayouts")),
        file_joining=tuple(bool(f) for f in arr(first, "supportedFileJoiningOptions")) or (False,),
    )


def _rate(raw: Any) -> ShippingRate:
    charge = obj(raw, "totalCharge")
    window = obj(obj(raw, "promise"), "deliveryWindow")
    return ShippingRate(
        rate_id=text(raw, "rateId"),
        carrier_id=text(raw, "carrierId"),
        carrier_name=text(raw, "carrierName"),
        service_id=text(raw, "serviceId"),
        service_name=text(raw, "serviceName"),
        price=_money(charge.get("value")),
        currency=text(charge, "unit"),
        delivery_end=when(window, "end"),
        requires_additional_inputs=raw.get("requiresAdditionalInputs") is True,
        documents=tuple(_document_spec(d) for d in arr(raw, "supportedDocumentSpecifications")),
        required_services=tuple(
            text(services[0], "id")
            for group in arr(raw, "availableValueAddedServiceGroups")
            if isinstance(group, dict) and group.get("isRequired") is True
            for services in [arr(group, "valueAddedServices")]
            if services and text(services[0], "id")
        ),
    )


def _payload(body: Any) -> dict[str, Any]:
    """The answer's ``payload``; the model's own examples leave the wrapper out, so a bare object is taken too."""
    payload = obj(body, "payload")
    return payload or (body if isinstance(body, dict) else {})


def _b64(value: str) -> bytes:
    """Base64 contents; padding Amazon's examples leave out or add wrongly is tolerated."""
    clean = "".join(value.split()).rstrip("=")
    try:
        return base64.b64decode(clean + "=" * (-len(clean) % 4), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise MalformedResponse("Amazon's label could not be decoded (not base64).") from exc


def parse_rates(body: Any) -> RateQuote:
    payload = _payload(body)
    token = text(payload, "requestToken")
    if not token or not isinstance(payload.get("rates"), list):
        raise MalformedResponse("Amazon's rates were missing from its answer.", operation="getRates")
    ineligible = tuple(
        IneligibleRate(
            carrier_name=text(r, "carrierName"),
            service_name=text(r, "serviceName"),
            reasons=tuple((text(x, "code"), text(x, "message")) for x in arr(r, "ineligibilityReasons")),
        )
        for r in arr(payload, "ineligibleRates")
    )
    rates = tuple(r for r in (_rate(raw) for raw in arr(payload, "rates")) if r.rate_id)
    return RateQuote(token, rates, ineligible)


def _label(raw_documents: list[Any]) -> LabelDocument:
    for doc in raw_documents:
        if text(doc, "type") == "LABEL":
            contents = _b64(text(doc, "contents"))
            if contents:
                return LabelDocument(text(doc, "format"), contents)
    raise MalformedResponse("Amazon's answer held no label document.")


def parse_purchase(body: Any) -> PurchasedLabel:
    payload = _payload(body)
    details = [d for d in arr(payload, "packageDocumentDetails") if isinstance(d, dict)]
    shipment_id = text(payload, "shipmentId")
    if not shipment_id or not details:
        raise MalformedResponse("Amazon's purchase answer was incomplete.", operation="purchaseShipment")
    first = details[0]
    return PurchasedLabel(
        shipment_id=shipment_id,
        tracking_id=text(first, "trackingId"),
        label=_label(arr(first, "packageDocuments")),
        delivery_end=when(obj(obj(payload, "promise"), "deliveryWindow"), "end"),
    )


def _classified(operation: str, call: Callable[[], T]) -> T:
    """Amazon's refusals of a shipping operation, as errors that say what to do."""
    try:
        return call()
    except AccessDenied as exc:
        raise ShippingRoleMissing(
            f"{ROLE_MISSING_MESSAGE} (Amazon: {exc.amazon_message or 'access denied'}).",
            status=exc.status,
            code=exc.code,
            request_id=exc.request_id,
            operation=operation,
            amazon_message=exc.amazon_message,
        ) from exc
    except AmazonNotFound:
        raise
    except AmazonRejected as exc:
        raise _rejection(operation, exc) from exc


def _rejection(operation: str, exc: AmazonRejected) -> ShippingRejected:
    said = exc.amazon_message or exc.code or "no reason given"
    lowered = f"{exc.code} {said}".lower()
    kind: type[ShippingRejected] = ShippingRejected
    if operation == "cancelShipment":
        kind = VoidWindowClosed
        message = (
            f"Amazon will not void this label: {said}. The carrier may already have it; keep the package."
        )
    elif "token_expired" in lowered or ("expired" in lowered and "token" in lowered):
        kind = RatesExpired
        message = (
            "The rates have expired (Amazon keeps them for 10 minutes): get the rates again and choose one."
        )
    elif "address" in lowered:
        kind = ShippingAddressInvalid
        message = (
            f"Amazon cannot validate the address: {said}. Correct the buyer's address in Seller Central or the "
            "warehouse's ship-from address, then get the rates again."
        )
    elif "eligib" in lowered or "not allowed" in lowered or "channel" in lowered:
        kind = ShipmentIneligible
        message = f"Amazon will not sell a label for this order: {said}. Ship it with your own carrier."
    else:
        message = f"Amazon refused the request ({operation}): {said}."
    return kind(
        message,
        status=exc.status,
        code=exc.code,
        request_id=exc.request_id,
        operation=operation,
        amazon_message=exc.amazon_message,
    )


def get_rates(
    transport: SpApiTransport,
    marketplace_id: str,
    amazon_order_id: str,
    ship_from: ShipAddress,
    parcel: Parcel,
) -> RateQuote:
    """getRates for one package of an Amazon order. An empty ``rates`` is an answer (see ``ineligible``)."""
    body = rates_body(amazon_order_id, ship_from, parcel)
    resp = _classified(
        "getRates",
        lambda: transport.call(
            "getRates",
            "POST",
            f"{BASE}/shipments/rates",
            json_body=body,
            headers=business_headers(marketplace_id),
        ),
    )
    return parse_rates(resp.body)


def purchase_shipment(
    transport: SpApiTransport,
    marketplace_id: str,
    request_token: str,
    rate_id: str,
    document: DocumentSpec,
    idempotency_key: str,
    services: Sequence[str] = (),
) -> PurchasedLabel:
    """purchaseShipment of a rate (within 10 minutes of getRates) with one LABEL in ``document``'s format and
    the value-added ``services`` the rate requires (e.g. a signature Amazon marks as required)."""
    spec: dict[str, Any] = {
        "format": document.format,
        "size": {"width": document.width, "length": document.length, "unit": document.unit},
        "needFileJoining": False if False in document.file_joining else document.file_joining[0],
        "requestedDocumentTypes": ["LABEL"],
    }
    if document.dpis:
        spec["dpi"] = 300 if 300 in document.dpis else document.dpis[0]
    if document.page_layouts:
        spec["pageLayout"] = document.page_layouts[0]
    body: dict[str, Any] = {
        "requestToken": request_token,
        "rateId": rate_id,
        "requestedDocumentSpecification": spec,
    }
    if services:
        body["requestedValueAddedServices"] = [{"id": service} for service in services]
    resp = _classified(
        "purchaseShipment",
        lambda: transport.call(
            "purchaseShipment",
            "POST",
            f"{BASE}/shipments",
            json_body=body,
            headers=business_headers(marketplace_id),
            idempotency_key=idempotency_key,
        ),
    )
    return parse_purchase(resp.body)


def get_shipment_documents(
    transport: SpApiTransport, marketplace_id: str, shipment_id: str, package_reference: str, fmt: str
) -> LabelDocument:
    """getShipmentDocuments: the label of a purchased shipment again, in ``fmt`` (PDF, PNG or ZPL)."""
    resp: ApiResponse = _classified(
        "getShipmentDocuments",
        lambda: transport.call(
            "getShipmentDocuments",
            "GET",
            f"{BASE}/shipments/{quote(shipment_id, safe='')}/documents",
            params={"packageClientReferenceId": package_reference, "format": fmt},
            headers=business_headers(marketplace_id),
        ),
    )
    detail = obj(_payload(resp.body), "packageDocumentDetail")
    return _label(arr(detail, "packageDocuments"))


def cancel_shipment(transport: SpApiTransport, marketplace_id: str, shipment_id: str) -> None:
    """cancelShipment: void a purchased label (Amazon refuses once the carrier's window has passed)."""
    _classified(
        "cancelShipment",
        lambda: transport.call(
            "cancelShipment",
            "PUT",
            f"{BASE}/shipments/{quote(shipment_id, safe='')}/cancel",
            headers=business_headers(marketplace_id),
            expect_body=False,
        ),
    )
