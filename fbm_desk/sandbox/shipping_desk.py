"""Amazon's Buy Shipping desk in the sandbox: the seeded carriers and services, rate quotes, purchased
shipments, tracking numbers that are valid for their carrier, and the Direct-to-Consumer Shipping role.

Amazon seconds (scaled by the speed-up, never below 30 real seconds): a quote can be bought for 10 minutes (then TOKEN_EXPIRED), a label
voided for 24 hours after its purchase. Rates: a base price plus a price per billable kilogram (the larger of
the weight and the volume / 5000), delivery promised after the service's transit days. Like real carriers, not
every service offers every label format (FedEx here: PNG and ZPL only), and one requires a signature that must
be bought with it (a required value-added service group).
"""

from __future__ import annotations

import random
import string
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

QUOTE_SECONDS = 10 * 60
VOID_SECONDS = 24 * 3600
DIM_DIVISOR_CM3_PER_KG = 5000


@dataclass(frozen=True)
class Service:
    business: str  # x-amzn-shipping-business-id
    carrier_id: str
    carrier_name: str  # also the carrier Amazon shows on the order's package
    service_id: str
    service_name: str
    base: float
    per_kg: float
    transit_days: int
    max_kg: float
    max_length_cm: float
    formats: tuple[str, ...] = ("PDF", "PNG", "ZPL")
    signature: float = 0.0  # > 0: a signature is required, sold as a value-added service at this price


SERVICES: tuple[Service, ...] = (
    Service("AmazonShipping_US", "USPS", "USPS", "USPS_GROUND_ADV", "USPS Ground Advantage", 4.95, 2.10, 5, 31.7, 108),
    Service("AmazonShipping_US", "USPS", "USPS", "USPS_PRIORITY", "USPS Priority Mail", 8.70, 3.20, 3, 31.7, 108),
    Service("AmazonShipping_US", "UPS", "UPS", "UPS_GROUND", "UPS Ground", 9.80, 1.90, 4, 68.0, 270),
    Service("AmazonShipping_US", "UPS", "UPS", "UPS_2ND_DAY_AIR", "UPS 2nd Day Air", 18.40, 4.50, 2, 68.0, 270, signature=2.0),
    Service("AmazonShipping_US", "FEDEX", "FedEx", "FEDEX_HOME", "FedEx Home Delivery", 9.40, 2.00, 4, 68.0, 270, ("PNG", "ZPL")),
    Service("AmazonShipping_US", "AMZN_US", "Amazon Shipping", "AMZN_US_GROUND", "Amazon Shipping Ground", 5.90, 1.80, 3, 22.6, 150, ("PDF", "PNG")),
    Service("AmazonShipping_UK", "ROYALMAIL", "Royal Mail", "RM_TRACKED_48", "Royal Mail Tracked 48", 3.35, 1.10, 3, 20.0, 150),
    Service("AmazonShipping_UK", "AMZN_UK", "Amazon Shipping", "AMZN_UK_NEXT", "Amazon Shipping One-Day", 4.10, 1.30, 1, 23.0, 150),
)  # fmt: skip
BUSINESS_MARKETPLACES = {"AmazonShipping_US": "ATVPDKIKX0DER", "AmazonShipping_UK": "A1F83G8C2ARO7P"}


@dataclass
class QuotedRate:
    rate_id: str
    service: Service
    price: float
    delivery: tuple[datetime, datetime]
    pickup: tuple[datetime, datetime]
    billed_g: int


@dataclass
class Quote:
    token: str
    seller: str
    business: str
    order_id: str
    created_mono: float
    ship_from: tuple[str, ...]
    ship_to: tuple[str, ...]
    weight_g: int
    package_ref: str  # packageClientReferenceId
    items: list[tuple[str, int]]  # (orderItemId, quantity) as asked; the order's unshipped units when none
    rates: dict[str, QuotedRate] = field(default_factory=dict)
    bought: str = ""  # shipment id once purchased


@dataclass
class Shipment:
    shipment_id: str
    quote: Quote
    rate: QuotedRate
    tracking: str
    purchased_mono: float
    purchased: datetime
    package_reference_id: str  # the package it became on the Amazon order
    canceled: bool = False


def _ucc_mod10(digits: str) -> str:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return str((10 - total % 10) % 10)


def _ups_check(body: str) -> str:
    values = [int(c) if c.isdigit() else (ord(c) - 63) % 10 for c in body]
    total = sum(v * (2 if i % 2 else 1) for i, v in enumerate(values))
    return str((10 - total % 10) % 10)


def _fedex_check(digits: str) -> str:
    weights = (1, 7, 3)
    total = sum(int(d) * weights[i % 3] for i, d in enumerate(reversed(digits)))
    return str(total % 11 % 10)


def _s10(prefix: str, serial: str, country: str) -> str:
    total = sum(int(d) * w for d, w in zip(serial, (8, 6, 4, 2, 3, 5, 9, 7), strict=True))
    check = 11 - total % 11
    return f"{prefix}{serial}{ {10: 0, 11: 5}.get(check, check) }{country}"


def tracking_number(rng: random.Random, carrier_id: str, service_id: str) -> str:
    """A tracking number in the carrier's own format, with its check digit."""

    def digits(n: int) -> str:
        return "".join(rng.choice(string.digits) for _ in range(n))

    if carrier_id == "USPS":
        body = "9405511" + digits(14) if "PRIORITY" in service_id else "9400111" + digits(14)
        return body + _ucc_mod10(body)
    if carrier_id == "UPS":
        body = "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(6))
        body += ("02" if "2ND" in service_id else "03") + digits(7)
        return "1Z" + body + _ups_check(body)
    if carrier_id == "FEDEX":
        body = digits(11)
        return body + _fedex_check(body)
    if carrier_id == "ROYALMAIL":
        return _s10("TT", digits(8), "GB")
    return "TBA" + digits(12)


class ShippingDesk:
    """Quotes, shipments and idempotent purchases (guarded by the world's lock) and the role switch."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.quotes: dict[str, Quote] = {}
        self.shipments: dict[str, Shipment] = {}
        self.idempotent: dict[str, dict[str, Any]] = {}  # x-amzn-IdempotencyKey -> the answer given
        self.role_withheld = False  # the authorization lacks the Direct-to-Consumer Shipping role

    def services_for(self, business: str) -> list[Service]:
        return [s for s in SERVICES if s.business == business]

    def price(self, service: Service, weight_g: int, dims: tuple[float, float, float]) -> tuple[float, int]:
        """(price, billable grams) for a package."""
        volume_g = dims[0] * dims[1] * dims[2] / DIM_DIVISOR_CM3_PER_KG * 1000
        billed = int(max(weight_g, volume_g))
        return round(service.base + service.per_kg * billed / 1000, 2), billed


class ShippingControls:
    """Control methods (``/_sandbox/<method>``) of the Buy Shipping desk; a mixin of ``World``."""

    lock: threading.RLock

    @property
    def shipping(self) -> ShippingDesk:
        with self.lock:
            desk: ShippingDesk | None = self.__dict__.get("_shipping_desk")
            if desk is None:
                desk = self.__dict__["_shipping_desk"] = ShippingDesk()
            return desk

    def withhold_shipping_role(self) -> None:
        """The seller's authorization lacks the Direct-to-Consumer Shipping role: shipping calls get 403."""
        self.shipping.role_withheld = True

    def grant_shipping_role(self) -> None:
        """The seller re-authorized the app with the role."""
        self.shipping.role_withheld = False

    def label_shipments(self) -> list[dict[str, Any]]:
        """Purchased labels (for tests and tools)."""
        with self.lock:
            return [
                {
                    "shipment_id": s.shipment_id,
                    "order_id": s.quote.order_id,
                    "carrier": s.rate.service.carrier_name,
                    "service": s.rate.service.service_name,
                    "tracking_number": s.tracking,
                    "price": s.rate.price,
                    "canceled": s.canceled,
                }
                for s in self.shipping.shipments.values()
            ]
