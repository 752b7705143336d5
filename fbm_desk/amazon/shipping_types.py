"""Typed values and errors of Buy Shipping (Shipping API v2, ``resources/spapi-models/shipping-v2.json``).

Shared by ``fbm_desk.amazon.shipping`` (which builds requests from them and parses answers into them) and the
layers above. Money is kept as a decimal string; weights in grams and sizes in centimetres (what we send).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fbm_desk.amazon.errors import AccessDenied, AmazonRejected

ROLE_MISSING_MESSAGE = "Buy Shipping needs the shipping role — ask the seller to re-authorize"


@dataclass(frozen=True)
class ShipAddress:
    """``Address`` of the model (PII when it is a buyer's: never log)."""

    name: str
    address_line1: str
    city: str
    state_or_region: str
    postal_code: str
    country_code: str
    address_line2: str = ""
    phone: str = ""


@dataclass(frozen=True)
class ParcelItem:
    order_item_id: str  # Item.itemIdentifier
    quantity: int
    unit_value: str = ""  # Item.itemValue.value (decimal string), optional


@dataclass(frozen=True)
class Parcel:
    """One ``Package`` of a getRates request."""

    client_reference_id: str  # packageClientReferenceId, kept for getShipmentDocuments
    length_cm: float
    width_cm: float
    height_cm: float
    weight_g: int
    insured_value: str  # decimal string, in ``currency``
    currency: str
    items: tuple[ParcelItem, ...]


@dataclass(frozen=True)
class DocumentSpec:
    """``SupportedDocumentSpecification``: a label format a rate can be bought with."""

    format: str  # PDF | PNG | ZPL
    width: float
    length: float
    unit: str  # INCH | CENTIMETER
    dpis: tuple[int, ...] = ()
    page_layouts: tuple[str, ...] = ()
    file_joining: tuple[bool, ...] = (False,)


@dataclass(frozen=True)
class ShippingRate:
    """``Rate``: one service Amazon offers for the package."""

    rate_id: str
    carrier_id: str
    carrier_name: str
    service_id: str
    service_name: str
    price: str  # totalCharge.value as a decimal string
    currency: str  # totalCharge.unit
    delivery_end: datetime | None  # promise.deliveryWindow.end
    requires_additional_inputs: bool
    documents: tuple[DocumentSpec, ...]
    required_services: tuple[str, ...] = ()  # a value-added service of each group Amazon marks isRequired


@dataclass(frozen=True)
class IneligibleRate:
    carrier_name: str
    service_name: str
    reasons: tuple[tuple[str, str], ...]  # (code, message) from ineligibilityReasons


@dataclass(frozen=True)
class RateQuote:
    request_token: str  # valid for purchaseShipment within 10 minutes
    rates: tuple[ShippingRate, ...]
    ineligible: tuple[IneligibleRate, ...] = ()


@dataclass(frozen=True)
class LabelDocument:
    format: str
    contents: bytes  # decoded from base64


@dataclass(frozen=True)
class PurchasedLabel:
    shipment_id: str
    tracking_id: str
    label: LabelDocument
    delivery_end: datetime | None


class ShippingRoleMissing(AccessDenied):
    """403 on a Shipping API operation: the authorization lacks the Direct-to-Consumer Shipping role."""


class ShippingRejected(AmazonRejected):
    """Amazon refused a Buy Shipping request for this order (ineligible order, address, expired rates)."""


class ShipmentIneligible(ShippingRejected):
    """The order cannot be shipped with Buy Shipping (e.g. not open, not merchant-fulfilled)."""


class ShippingAddressInvalid(ShippingRejected):
    """Amazon could not validate the ship-to or ship-from address."""


class RatesExpired(ShippingRejected):
    """TOKEN_EXPIRED: the purchase came more than 10 minutes after the rates."""


class VoidWindowClosed(ShippingRejected):
    """cancelShipment refused: the label can no longer be voided (picked up, or past the carrier's window)."""
