"""The sandbox world's mutable records (plain dataclasses guarded by the world's lock)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

RELEASED = frozenset({"UNSHIPPED", "PARTIALLY_SHIPPED", "SHIPPED"})
OPEN_FOR_SHIPMENT = frozenset({"UNSHIPPED", "PARTIALLY_SHIPPED"})


@dataclass
class Listing:
    sku: str
    asin: str
    title: str
    product_type: str
    price: str
    fulfillment_channel: str  # DEFAULT (merchant) or AMAZON_NA (FBA)
    quantity: int
    created: datetime
    last_updated: datetime
    status: str = "Active"  # report status: Active / Inactive
    listing_id: str = ""

    @property
    def is_fba(self) -> bool:
        return self.fulfillment_channel != "DEFAULT"


@dataclass
class OrderItem:
    order_item_id: str
    sku: str
    asin: str
    title: str
    quantity: int
    unit_price: str
    shipped: int = 0
    cancel_request: str | None = None  # the buyer's cancelReason while a cancellation request is open

    @property
    def unshipped(self) -> int:
        return self.quantity - self.shipped


@dataclass
class Package:
    package_reference_id: str
    carrier: str
    tracking_number: str
    ship_time: datetime
    created: datetime
    shipping_service: str = ""
    items: list[tuple[str, int]] = field(default_factory=list)  # (orderItemId, quantity)


@dataclass
class Address:
    name: str
    address_line1: str
    city: str
    state_or_region: str
    postal_code: str
    country_code: str
    phone: str
    address_line2: str = ""
    address_type: str = "RESIDENTIAL"
    district_or_county: str = ""
    municipality: str = ""
    extended: dict[str, str] = field(default_factory=dict)  # Brazil's extendedFields
    delivery_preference: dict[str, Any] = field(default_factory=dict)  # recipient.deliveryPreference


@dataclass
class Order:
    order_id: str
    marketplace_id: str
    created: datetime
    last_updated: datetime
    status: str  # FulfillmentStatus
    fulfilled_by: str  # MERCHANT | AMAZON
    items: list[OrderItem]
    address: Address
    buyer_name: str
    buyer_email: str
    service_level: str
    ship_by: tuple[datetime, datetime]
    deliver_by: tuple[datetime, datetime]
    shipping_price: str = "0.00"
    programs: list[str] = field(default_factory=list)
    packages: list[Package] = field(default_factory=list)
    release_at: float | None = None  # clock.mono() when a PENDING order releases (alive mode)
    seller_order_id: str = ""
    associated_orders: list[dict[str, str]] = field(default_factory=list)  # {orderId, associationType}
    buyer_po_number: str = ""


@dataclass
class Document:
    """A presigned-URL document (report output, feed input, feed result)."""

    document_id: str
    content: bytes = b""
    content_type: str = ""
    uploaded: bool = False
    compression: str | None = None  # "GZIP" when ``content`` is gzip


@dataclass
class Job:
    """A report or feed being processed."""

    job_id: str
    kind: str  # reportType / feedType
    marketplace_ids: list[str]
    created: datetime
    created_mono: float
    seller: str
    input_document_id: str = ""
    status: str = "IN_QUEUE"
    processing_start: datetime | None = None
    processing_end: datetime | None = None
    result_document_id: str = ""
    options: dict[str, Any] = field(default_factory=dict)
