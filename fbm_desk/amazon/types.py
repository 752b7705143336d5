"""Typed results of the SP-API client: what the rest of the app sees of Amazon's JSON.

Shared contract between ``fbm_desk.amazon`` (which parses Amazon's responses into these) and ``fbm_desk.sync``
(which stores them). Field meanings follow the models in ``resources/spapi-models``; the comment on each field
names its source path in the v2026-01-01 Orders model or the other API.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Address:
    """``Order.recipient.deliveryAddress`` (PII: never log)."""

    name: str = ""
    company_name: str = ""
    address_line1: str = ""
    address_line2: str = ""
    address_line3: str = ""
    city: str = ""
    state_or_region: str = ""
    postal_code: str = ""
    country_code: str = ""
    phone: str = ""
    district_or_county: str = ""  # districtOrCounty
    municipality: str = ""  # municipality
    address_type: str = ""  # addressType: RESIDENTIAL | COMMERCIAL | PICKUP_POINT
    extended: tuple[tuple[str, str], ...] = ()  # extendedFields (Brazil): (streetName, ...) pairs
    delivery_instructions: str = ""  # recipient.deliveryPreference, joined for the packer

    def is_blank(self) -> bool:
        return not (self.name or self.address_line1 or self.city or self.postal_code)


@dataclass(frozen=True)
class AmazonOrderItem:
    order_item_id: str  # orderItems[].orderItemId
    seller_sku: str  # orderItems[].product.sellerSku
    asin: str  # orderItems[].product.asin
    title: str  # orderItems[].product.title
    quantity_ordered: int  # orderItems[].quantityOrdered
    quantity_shipped: int = 0  # orderItems[].fulfillment.quantityFulfilled
    unit_price: str = ""  # orderItems[].product.price.unitPrice.amount (decimal string)
    currency: str = ""  # orderItems[].product.price.unitPrice.currencyCode


@dataclass(frozen=True)
class AmazonPackageItem:
    order_item_id: str
    quantity: int


@dataclass(frozen=True)
class AmazonPackage:
    """``Order.packages[]`` (FBM): a package Amazon knows about (confirmed by us or elsewhere)."""

    package_reference_id: str
    carrier: str = ""
    tracking_number: str = ""
    ship_time: datetime | None = None
    shipping_service: str = ""
    status: str = ""
    items: tuple[AmazonPackageItem, ...] = ()


@dataclass(frozen=True)
class AmazonOrder:
    """One order from searchOrders/getOrder v2026-01-01."""

    order_id: str  # orderId
    created_time: datetime  # createdTime
    last_updated_time: datetime  # lastUpdatedTime
    marketplace_id: str  # salesChannel.marketplaceId
    fulfillment_status: (
        str  # fulfillment.fulfillmentStatus: PENDING, UNSHIPPED, PARTIALLY_SHIPPED, SHIPPED, CANCELLED...
    )
    fulfilled_by: str  # fulfillment.fulfilledBy: MERCHANT | AMAZON
    items: tuple[AmazonOrderItem, ...]
    service_level: str = ""  # fulfillment.fulfillmentServiceLevel
    earliest_ship_date: datetime | None = None  # fulfillment.shipByWindow.earliestDateTime
    latest_ship_date: datetime | None = None  # fulfillment.shipByWindow.latestDateTime
    latest_delivery_date: datetime | None = None  # fulfillment.deliverByWindow.latestDateTime
    programs: tuple[str, ...] = ()  # programs[]: PRIME, AMAZON_BUSINESS, ...
    address: Address | None = None  # recipient.deliveryAddress (None for PENDING)
    buyer_name: str = ""  # buyer.buyerName
    total_amount: str = ""  # proceeds.grandTotal.amount
    currency: str = ""  # proceeds.grandTotal.currencyCode
    packages: tuple[AmazonPackage, ...] = ()  # packages[]
    # orderItems[].cancellation.cancellationRequest (includedData CANCELLATION): (orderItemId, cancelReason)
    cancel_requests: tuple[tuple[str, str], ...] = ()
    associated_orders: tuple[tuple[str, str], ...] = ()  # associatedOrders[]: (orderId, associationType)
    buyer_po_number: str = ""  # buyer.buyerPurchaseOrderNumber

    @property
    def is_prime(self) -> bool:
        return "PRIME" in self.programs

    @property
    def is_business(self) -> bool:
        return "AMAZON_BUSINESS" in self.programs


@dataclass(frozen=True)
class OrdersPage:
    """One page of searchOrders. ``next_token`` is None on the last page."""

    orders: tuple[AmazonOrder, ...]
    next_token: str | None
    last_updated_before: datetime | None = None  # response's lastUpdatedBefore / createdBefore echo


@dataclass(frozen=True)
class ListingRow:
    """A listing from GET_MERCHANT_LISTINGS_ALL_DATA or searchListingsItems/getListingsItem."""

    seller_sku: str
    asin: str = ""
    title: str = ""
    product_type: str = ""  # summaries.productType ("" from the report: keep the stored one)
    fulfillment_channel: str = "DEFAULT"  # DEFAULT = merchant; AMAZON_NA/AMAZON_EU/... = FBA
    status: str = ""  # report: Active/Inactive; API: BUYABLE/DISCOVERABLE joined with ","
    quantity: int | None = None  # merchant quantity
    opened_at: datetime | None = None  # report open-date / summaries.createdDate
    image_url: str = ""  # summaries.mainImage.link (Listings API only; the report's column is deprecated)


@dataclass(frozen=True)
class ListingIssue:
    code: str
    message: str
    severity: str  # ERROR | WARNING | INFO


@dataclass(frozen=True)
class PatchResult:
    """patchListingsItem response."""

    sku: str
    status: str  # ACCEPTED | INVALID | VALID
    submission_id: str
    issues: tuple[ListingIssue, ...] = ()

    @property
    def accepted(self) -> bool:
        return self.status == "ACCEPTED"


@dataclass(frozen=True)
class QuantityUpdate:
    sku: str
    product_type: str
    quantity: int


@dataclass(frozen=True)
class FeedResult:
    """Outcome of a JSON_LISTINGS_FEED quantity feed, read from its processing report."""

    feed_id: str
    processing_status: str  # DONE | CANCELLED | FATAL | IN_PROGRESS (timed out waiting)
    accepted_skus: tuple[str, ...] = ()
    issues_by_sku: dict[str, tuple[ListingIssue, ...]] = field(default_factory=dict)

    @property
    def done(self) -> bool:
        return self.processing_status == "DONE"

    @property
    def in_progress(self) -> bool:
        """Amazon has not finished the feed yet (IN_QUEUE / IN_PROGRESS): its SKUs wait for it."""
        return self.processing_status in ("IN_QUEUE", "IN_PROGRESS")


@dataclass(frozen=True)
class ShipmentItem:
    order_item_id: str
    quantity: int


@dataclass(frozen=True)
class ShipmentConfirmation:
    """Body of confirmShipment's packageDetail (Orders v0)."""

    package_reference_id: int  # sent as a JSON string
    carrier_code: str
    tracking_number: str
    ship_date: datetime
    items: tuple[ShipmentItem, ...]
    carrier_name: str = ""  # required when carrier_code == "Other"
    shipping_method: str = ""


@dataclass(frozen=True)
class MarketplaceParticipation:
    marketplace_id: str
    country_code: str
    name: str
    is_participating: bool
    has_suspended_listings: bool
    store_name: str = ""


@dataclass(frozen=True)
class TokenGrant:
    """LWA token response. ``refresh_token`` is a secret: hand it to the credentials layer only."""

    access_token: str
    refresh_token: str
    expires_in: int
    token_type: str = "bearer"  # noqa: S105 - a token kind, not a secret

    def __repr__(self) -> str:  # never leak tokens through repr/logging
        return f"TokenGrant(expires_in={self.expires_in})"


@dataclass(frozen=True)
class FeedError:
    """One Error result of an XML feed's processing report (``ResultMessageCode``, ``ResultDescription``)."""

    code: str
    message: str


@dataclass(frozen=True)
class CancellationResult:
    """Outcome of a POST_ORDER_ACKNOWLEDGEMENT_DATA cancellation, read from its processing report.

    ``accepted``: the feed is DONE and its report names no error; ``errors``: what Amazon said otherwise.
    ``processing_status`` IN_QUEUE/IN_PROGRESS: Amazon had not finished within the wait (neither accepted
    nor refused yet)."""

    feed_id: str
    processing_status: str
    accepted: bool
    errors: tuple[FeedError, ...] = ()

    @property
    def in_progress(self) -> bool:
        return self.processing_status in ("IN_QUEUE", "IN_PROGRESS")
