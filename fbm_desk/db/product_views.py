"""Read models for the Products tab and the SKU mapping editor (SQL-side paging, filtering and sorting).

A listing is "new since last sync" when the latest successful product sync of its store first saw it
(``first_seen_at`` at or after that run's start).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from fbm_desk.db import dialect
from fbm_desk.db.models import database_proxy
from fbm_desk.db.sku_resolution import add_alias
from fbm_desk.foundation.errors import InvalidInput, NotFound


class ListingSort(StrEnum):
    STORE = "store"
    SKU = "sku"
    ASIN = "asin"
    TITLE = "title"
    STATUS = "status"
    CHANNEL = "channel"
    QUANTITY = "quantity"
    MAPPED = "mapped"
    NEW = "new"


_SORT_SQL: dict[ListingSort, str] = {
    ListingSort.STORE: "s.name COLLATE NOCASE",
    ListingSort.SKU: "l.seller_sku COLLATE NOCASE",
    ListingSort.ASIN: "l.asin",
    ListingSort.TITLE: "l.title COLLATE NOCASE",
    ListingSort.STATUS: "l.status",
    ListingSort.CHANNEL: "l.fulfillment_channel",
    ListingSort.QUANTITY: "coalesce(l.amazon_quantity, -1)",
    ListingSort.MAPPED: "coalesce(p.sku, '')",
    ListingSort.NEW: "is_new",
}


@dataclass(frozen=True)
class ListingQuery:
    store_id: int | None = None
    search: str = ""
    unmapped_only: bool = False
    new_only: bool = False
    include_gone: bool = True
    sort: ListingSort = ListingSort.SKU
    descending: bool = False


@dataclass(frozen=True)
class ListingViewRow:
    id: int
    store_id: int
    store_name: str
    seller_sku: str
    asin: str
    title: str
    status: str
    fulfillment_channel: str  # DEFAULT = merchant fulfilled; AMAZON_* = FBA
    amazon_quantity: int | None
    product_id: int | None
    product_sku: str | None  # the warehouse SKU it maps to (None = not mapped)
    via_alias: bool  # mapped through the SKU mapping table (not the same SKU)
    first_seen_at: str
    gone_at: str | None
    is_new: bool  # first seen by the latest product sync of its store


@dataclass(frozen=True)
class ProductChoice:
    id: int
    sku: str
    title: str


@dataclass(frozen=True)
class MappingResult:
    seller_sku: str
    product_sku: str
    listings_mapped: int
    order_items_mapped: int
    orders_cleared: int  # orders whose "needs mapping" flag was lifted


_LAST_SYNC_SQL = (
    "(SELECT max(r.started_at) FROM sync_run r WHERE r.store_id = l.store_id AND r.status = 'ok' "
    "AND r.job IN ('products', 'products-full'))"
)
_SELECT = (
    "SELECT l.id, l.store_id, s.name, l.seller_sku, l.asin, l.title, l.status, l.fulfillment_channel, "  # noqa: S608
    "l.amazon_quantity, l.product_id, p.sku, "
    "EXISTS (SELECT 1 FROM sku_alias a WHERE a.seller_sku = l.seller_sku "
    "        AND (a.store_id = l.store_id OR a.store_id IS NULL)), "
    f"l.first_seen_at, l.gone_at, CASE WHEN l.first_seen_at >= {_LAST_SYNC_SQL} THEN 1 ELSE 0 END AS is_new "
    "FROM listing l JOIN store s ON s.id = l.store_id LEFT JOIN product p ON p.id = l.product_id"
)


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _where(q: ListingQuery) -> tuple[str, list[Any]]:
    parts: list[str] = []
    params: list[Any] = []
    if q.store_id is not None:
        parts.append("l.store_id = ?")
        params.append(q.store_id)
    text = q.search.strip()
    if text:
        parts.append(
            "(l.seller_sku LIKE ? ESCAPE '\\' OR l.asin LIKE ? ESCAPE '\\' OR l.title LIKE ? ESCAPE '\\' "
            "OR p.sku LIKE ? ESCAPE '\\')"
        )
        params.extend([_like(text)] * 4)
    if q.unmapped_only:
        parts.append("l.product_id IS NULL")
    if q.new_only:
        parts.append(f"l.first_seen_at >= {_LAST_SYNC_SQL}")
    if not q.include_gone:
        parts.append("l.gone_at IS NULL")
    return (" WHERE " + " AND ".join(parts)) if parts else "", params


def _row(r: tuple[Any, ...]) -> ListingViewRow:
    return ListingViewRow(
        id=r[0],
        store_id=r[1],
        store_name=r[2],
        seller_sku=r[3],
        asin=r[4],
        title=r[5],
        status=r[6],
        fulfillment_channel=r[7],
        amazon_quantity=r[8],
        product_id=r[9],
        product_sku=r[10],
        via_alias=bool(r[11]),
        first_seen_at=r[12],
        gone_at=r[13],
        is_new=bool(r[14]),
    )


def count_listings(q: ListingQuery) -> int:
    where, params = _where(q)
    sql = "SELECT count(*) FROM listing l LEFT JOIN product p ON p.id = l.product_id" + where  # noqa: S608
    return int(dialect.execute(sql, params).fetchone()[0])


def fetch_listings(q: ListingQuery, offset: int, limit: int) -> list[ListingViewRow]:
    """One page of listings in the query's sort order (``l.id`` breaks ties)."""
    where, params = _where(q)
    direction = " DESC" if q.descending else ""
    sql = f"{_SELECT}{where} ORDER BY {_SORT_SQL[q.sort]}{direction}, l.id{direction} LIMIT ? OFFSET ?"
    return [_row(r) for r in dialect.execute(sql, [*params, limit, offset]).fetchall()]


def list_products(search: str = "", limit: int = 500) -> list[ProductChoice]:
    """Warehouse products for the mapping editor's picker, by SKU."""
    text = search.strip()
    sql = "SELECT id, sku, title FROM product"
    params: list[Any] = []
    if text:
        sql += " WHERE sku LIKE ? ESCAPE '\\' OR title LIKE ? ESCAPE '\\'"
        params = [_like(text), _like(text)]
    sql += " ORDER BY sku COLLATE NOCASE LIMIT ?"
    rows = dialect.execute(sql, [*params, limit]).fetchall()
    return [ProductChoice(id=r[0], sku=r[1], title=r[2]) for r in rows]


def barcodes_for(product_ids: Iterable[int]) -> dict[int, str]:
    """Barcode per product (products without one are left out): the pack dialog's item scan accepts them."""
    ids = sorted(set(product_ids))
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = dialect.execute(
        f"SELECT id, barcode FROM product WHERE id IN ({marks}) AND barcode != ''",  # noqa: S608 - placeholders
        ids,
    ).fetchall()
    return {int(r[0]): str(r[1]) for r in rows}


def _unmapped_items(seller_sku: str, store_id: int | None) -> tuple[int, int]:
    sql = (
        "SELECT count(*), count(DISTINCT i.order_id) FROM order_item i JOIN orders o ON o.id = i.order_id "
        "WHERE i.seller_sku = ? AND i.product_id IS NULL"
    )
    params: list[Any] = [seller_sku]
    if store_id is not None:
        sql += " AND o.store_id = ?"
        params.append(store_id)
    r = dialect.execute(sql, params).fetchone()
    return int(r[0]), int(r[1])


def _needs_mapping_count() -> int:
    return int(dialect.execute("SELECT count(*) FROM orders WHERE needs_mapping = 1").fetchone()[0])


def map_sku(store_id: int | None, seller_sku: str, product_sku: str) -> MappingResult:
    """Alias an Amazon seller SKU (of one store, or every store) to a warehouse SKU, in one transaction.

    The store's listings with that SKU and the open order items waiting for it are re-mapped, and orders
    whose items are all mapped lose their "needs mapping" flag. Raises ``InvalidInput`` / ``NotFound``.
    """
    sku = seller_sku.strip()
    target = product_sku.strip()
    if not sku:
        raise InvalidInput("Enter the Amazon seller SKU to map.")
    if not target:
        raise InvalidInput("Choose the warehouse SKU it should map to.")
    exists = dialect.execute("SELECT 1 FROM product WHERE sku = ?", [target]).fetchone()
    if exists is None:
        raise NotFound(f"No warehouse product has the SKU '{target}'. Pick one from the list.")
    with database_proxy.atomic():
        items_before, _ = _unmapped_items(sku, store_id)
        flagged_before = _needs_mapping_count()
        add_alias(store_id, sku, target)
        items_after, _ = _unmapped_items(sku, store_id)
        flagged_after = _needs_mapping_count()
        listing_sql = (
            "SELECT count(*) FROM listing l JOIN product p ON p.id = l.product_id WHERE l.seller_sku = ?"
        )
        listing_params: list[Any] = [sku]
        if store_id is not None:
            listing_sql += " AND l.store_id = ?"
            listing_params.append(store_id)
        listings = int(dialect.execute(listing_sql, listing_params).fetchone()[0])
    return MappingResult(
        seller_sku=sku,
        product_sku=target,
        listings_mapped=listings,
        order_items_mapped=items_before - items_after,
        orders_cleared=max(0, flagged_before - flagged_after),
    )
