"""Frozen rows of the order / listing / inventory / package queries (never peewee instances).

The Orders, Products and Inventory tabs, the pack dialog, the CLI and the sync jobs all read these.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fbm_desk.db.order_flags import OrderFlags
from fbm_desk.db.states import OPEN_ORDER_STATES, OrderState

# plain strings (argparse choices, SQL IN lists); the members are in ``fbm_desk.db.states``
ORDER_STATES: tuple[str, ...] = tuple(s.value for s in OrderState)
OPEN_STATES: tuple[str, ...] = tuple(
    s.value for s in OPEN_ORDER_STATES
)  # their unshipped units are allocated


@dataclass(frozen=True)
class ShipTo:
    """The ship-to address of an order (PII: never log)."""

    name: str
    company: str
    address_line1: str
    address_line2: str
    address_line3: str
    city: str
    state_or_region: str
    postal_code: str
    country_code: str
    phone: str

    def is_blank(self) -> bool:
        return not (self.name or self.address_line1 or self.city or self.postal_code)


@dataclass(frozen=True)
class OrderRow:
    id: int
    store_id: int
    store_name: str
    amazon_order_id: str
    marketplace_id: str
    amazon_status: str  # Amazon's fulfillmentStatus verbatim
    state: str  # held | released | partially_shipped | shipped | canceled
    payment_hold: bool
    needs_mapping: bool
    purchase_date: str | None
    amazon_updated_at: str | None
    earliest_ship_date: str | None
    latest_ship_date: str | None
    latest_delivery_date: str | None
    service_level: str
    is_prime: bool
    is_business: bool
    buyer_name: str
    ship_to: ShipTo | None  # None until Amazon sends an address (PENDING orders)
    total_amount: str
    currency: str
    imported_at: str
    updated_at: str
    units: int = 0  # units ordered (sum over items)
    units_shipped: int = 0
    flags: OrderFlags = field(
        default_factory=OrderFlags
    )  # cancellation request, programs, address details (db/order_flags.py)

    @property
    def can_ship(self) -> bool:
        return self.state in (OrderState.RELEASED, OrderState.PARTIALLY_SHIPPED)


@dataclass(frozen=True)
class OrderItemRow:
    id: int  # local row id
    order_id: int
    order_item_id: str  # Amazon's orderItemId
    seller_sku: str
    asin: str
    title: str
    product_id: int | None
    product_sku: str | None  # warehouse SKU the item maps to (None = needs mapping)
    quantity: int
    quantity_shipped: int
    unit_price: str
    quantity_packed: int = 0  # units in local packages not yet confirmed (queued/sent)

    @property
    def unshipped(self) -> int:
        return max(0, self.quantity - self.quantity_shipped)

    @property
    def packable(self) -> int:
        """Units that can still go into a new package."""
        return max(0, self.quantity - self.quantity_shipped - self.quantity_packed)


@dataclass(frozen=True)
class PackageItemRow:
    order_item_row_id: int
    order_item_id: str  # Amazon's orderItemId
    seller_sku: str
    quantity: int


@dataclass(frozen=True)
class PackageRow:
    id: int
    order_id: int
    amazon_order_id: str
    package_reference_id: int
    carrier_code: str
    carrier_name: str
    shipping_method: str
    tracking_number: str
    ship_date: str
    source: str  # local | amazon
    push_state: str  # queued | sent | confirmed | rejected
    push_message: str
    pushed_at: str | None
    created_at: str
    updated_at: str
    items: tuple[PackageItemRow, ...] = ()
    station: str = ""  # who recorded it (schema_stations.sql; '' before stations had names)
    os_user: str = ""


@dataclass(frozen=True)
class OrderEventRow:
    id: int
    order_id: int
    at: str
    kind: str
    message: str
    station: str = ""  # who did it (schema_stations.sql; '' before stations had names)
    os_user: str = ""


@dataclass(frozen=True)
class OrderDetail:
    """One order with everything the order view and pack dialog show."""

    order: OrderRow
    items: tuple[OrderItemRow, ...]
    packages: tuple[PackageRow, ...]
    events: tuple[OrderEventRow, ...]


@dataclass(frozen=True)
class ListingRecord:
    """A listing of one store as stored locally."""

    id: int
    store_id: int
    store_name: str
    seller_sku: str
    asin: str
    title: str
    product_type: str
    fulfillment_channel: str
    status: str
    amazon_quantity: int | None
    product_id: int | None
    product_sku: str | None
    opened_at: str | None
    first_seen_at: str
    last_seen_at: str
    gone_at: str | None
    pushed_quantity: int | None
    pushed_at: str | None
    push_state: str  # none | sent | accepted | rejected
    push_issues: str
    amazon_quantity_at: str | None = None  # when ``amazon_quantity`` was read (an import)


@dataclass(frozen=True)
class AdjustmentRow:
    id: int
    product_id: int
    warehouse_id: int
    delta: int
    on_hand_after: int
    reason: str
    source: str
    created_at: str
    station: str = ""  # who did it (schema_stations.sql; '' before stations had names)
    os_user: str = ""
