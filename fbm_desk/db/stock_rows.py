"""What the stock model (``fbm_desk.db.stock``) is asked and answers: the Inventory query, its sort keys and
one product's stock row."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class InventorySort(StrEnum):
    SKU = "sku"
    TITLE = "title"
    ON_HAND = "on_hand"
    ALLOCATED = "allocated"
    AVAILABLE = "available"
    PUSHED = "pushed_quantity"
    PUSHED_AT = "pushed_at"
    PUSH_STATE = "push_state"


@dataclass(frozen=True)
class InventoryQuery:
    search: str = ""
    issues_only: bool = False  # only SKUs whose last push Amazon rejected
    out_of_sync_only: bool = False  # only SKUs the next push sends (``StockRow.differs_from_amazon``)
    low_stock_only: bool = False  # only SKUs whose available is at or below their low-stock level
    sort: InventorySort = InventorySort.SKU
    descending: bool = False
    warehouse_id: int | None = None  # only SKUs with units on hand or allocated in this warehouse


@dataclass(frozen=True)
class StockRow:
    """Stock of one product (warehouse SKU), all warehouses together."""

    product_id: int
    sku: str
    title: str
    barcode: str
    on_hand: int
    allocated: int
    available: int
    pushed_quantity: (
        int | None
    )  # what Amazon last accepted (most recent over the product's merchant listings)
    pushed_at: str | None  # the latest push attempt over those listings
    push_state: str  # none | sent | accepted | rejected (the worst over those listings)
    push_issues: str  # Amazon's issues of rejected pushes
    listings: int  # merchant (DEFAULT channel) listings mapped to the product, still on Amazon
    to_send: int  # listings the next inventory push sends ``available`` to
    amazon_shows: int | None = None  # Amazon's own quantity at the latest read over those listings
    amazon_read_at: str | None = None  # when that was read (the last products import)
    bin: str = ""  # bin location ('' = not set)
    low_stock: int | None = None  # the low-stock level (None = no alert)

    @property
    def is_low(self) -> bool:
        """Available has fallen to the product's low-stock level (the "Low stock" filter, the tray alert)."""
        return self.low_stock is not None and self.available <= self.low_stock

    @property
    def differs_from_amazon(self) -> bool:
        """The next inventory push sends this SKU (yellow cell, "Differs from Amazon" filter)."""
        return self.to_send > 0
