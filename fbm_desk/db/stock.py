"""The one stock model: on-hand, allocation, available, and what the next inventory push sends (and why not).

Every screen and command that shows stock reads it here: the Inventory tab (table, "differs from Amazon"
filter, yellow cells and their tooltips, the push preview), ``fbm-desk inventory list`` and the inventory
push job itself, so they cannot disagree.

- **allocated**: the unshipped units (quantity - quantity_shipped) of order items on held, released and
  partially shipped orders. Kept per product and warehouse in ``stock_allocation`` by triggers in the statement
  that changes an item or an order (``schema_stock_allocation.sql``), so a canceled or shipped order frees its
  units in its own write, and no read sums the open orders.
- **allocated per warehouse**: an order's units count in the warehouse it is routed to (a split order's item in
  its own; not routed yet: the primary), so per-warehouse allocation adds up to the total.
- **available** = max(0, on-hand over all warehouses - allocated), per product (warehouse SKU).
- **offered to a store** (what its push sends): max(0, sum over the warehouses it feeds from of on-hand -
  allocated); none chosen: every active warehouse, i.e. ``available`` (inactive ones hold nothing).
- **the push rule** (``PushReason``), per listing mapped to a product and still on Amazon: only a listing of a
  connected store known to be fulfilled by the merchant (``DEFAULT`` channel) is ever sent a quantity, never
  one whose feed Amazon is still processing. It is sent the product's available quantity when its last push
  was rejected, or when available differs from what Amazon has: Amazon's own quantity when the last import
  read it at least ``AMAZON_APPLY_MINUTES`` after our last push (drift: changed in Seller Central, or a
  queued push Amazon never applied), else what Amazon last accepted (before any push or read: unknown, sent).
  The rule is one SQL expression (``_PLAN``), shared by the per-listing plan and the per-product rows.
- **pushed_quantity** of a product: what Amazon last accepted for it, the most recent accepted quantity over
  its merchant listings in every store (None before any accepted push).
- The Inventory tab's table reads these per-product rows as ``stock_summary.py`` keeps them: written by this
  module's SQL (``inventory_for``) only, for the products whose inputs changed (marked dirty by triggers).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from fbm_desk.db import dialect
from fbm_desk.db.stock_rows import InventoryQuery as InventoryQuery
from fbm_desk.db.stock_rows import InventorySort as InventorySort
from fbm_desk.db.stock_rows import StockRow as StockRow


class PushReason(StrEnum):
    """Why the next push sends a listing its quantity, or why it does not."""

    CHANGED = "changed"  # sent: available differs from what Amazon last accepted
    DRIFTED = "drifted"  # sent: available differs from the quantity Amazon showed when last read
    UNKNOWN = "unknown"  # sent: Amazon's quantity was never known and never pushed
    RETRY = "retry"  # sent: Amazon rejected the last push
    IN_SYNC = "in_sync"  # not sent: Amazon already has the available quantity
    IN_FLIGHT = "in_flight"  # not sent: Amazon is still processing the feed that carries its quantity
    FBA = "fba"  # not sent: not known to be merchant-fulfilled (FBA: its stock is Amazon's)
    STORE_INACTIVE = "store_inactive"  # not sent: the store is not connected, its jobs do not run


SENDING = frozenset({PushReason.CHANGED, PushReason.DRIFTED, PushReason.UNKNOWN, PushReason.RETRY})
MERCHANT_CHANNEL = "DEFAULT"
# An accepted push only means queued: Amazon applies it minutes later, so a read taken sooner after it may
# still show the old quantity and is not taken as drift.
AMAZON_APPLY_MINUTES = 15


@dataclass(frozen=True)
class ListingPush:
    """What the next inventory push does for one listing (``id`` is the listing's id)."""

    id: int
    store_id: int
    store_name: str
    seller_sku: str
    product_type: str
    product_id: int
    product_sku: str
    amazon_has: int | None  # what Amazon has as the push rule sees it (None: unknown)
    available: int
    reason: PushReason
    channel: str = MERCHANT_CHANNEL  # the listing's fulfillment channel
    amazon_read_at: str | None = None  # when Amazon's own quantity was last read (an import)
    feed_id: str | None = None  # the feed still carrying its quantity (IN_FLIGHT)

    @property
    def sends(self) -> bool:
        return self.reason in SENDING

    @property
    def quantity(self) -> int | None:
        """The quantity the next push sends, None when it sends nothing."""
        return self.available if self.sends else None

    @property
    def explanation(self) -> str:
        if self.reason is PushReason.CHANGED:
            return f"Amazon last accepted {self.amazon_has}"
        if self.reason is PushReason.DRIFTED:
            read = (self.amazon_read_at or "")[:16].replace("T", " ")
            return f"Amazon shows {self.amazon_has} (read {read + ' UTC' if read else 'at the last import'})"
        if self.reason is PushReason.IN_FLIGHT:
            return f"Waiting for Amazon to process feed {self.feed_id}: not sent again meanwhile"
        if self.reason is PushReason.UNKNOWN:
            return "Amazon's quantity is not known yet"
        if self.reason is PushReason.RETRY:
            return "Amazon rejected the last push"
        if self.reason is PushReason.IN_SYNC:
            return f"Amazon already has {self.available}"
        if self.reason is PushReason.FBA:
            return f"Not merchant-fulfilled (channel '{self.channel or 'unknown'}'): never pushed"
        return f"Store '{self.store_name}' is not connected: not pushed"


_CONNECTED = "'connected'"  # ``StoreRow.is_active``: the only status whose jobs run
_SENDING = "('" + "', '".join(sorted(SENDING)) + "')"
# Where allocated units count: the warehouse kept in ``stock_allocation`` (0: not routed, so the primary).
_WID = "coalesce(nullif(a.warehouse_id, 0), (SELECT id FROM warehouse WHERE is_primary = 1))"
# The open orders' unshipped units per product and warehouse, as the triggers of ``schema_stock_allocation.sql``
# keep them (one row per product and warehouse: a read costs the same at any number of orders).
WALLOC_SQL = (
    f"walloc AS (SELECT a.product_id AS pid, {_WID} AS wid, sum(a.units) AS n"  # noqa: S608 - constant fragments
    " FROM stock_allocation a WHERE a.units != 0/*P:a.product_id*/ GROUP BY 1, 2)"
)
# A handful of products (one SKU's "why", dirty rows after an edit): computed product by product, not as a table.
_ONE_BY_ONE = 20
_STOCK = (
    f"{WALLOC_SQL}, alloc AS (SELECT pid, sum(n) AS n FROM walloc GROUP BY pid),"  # noqa: S608
    " level AS (SELECT product_id AS pid, sum(on_hand) AS n FROM inventory_level WHERE 1/*P:product_id*/"
    " GROUP BY product_id),"
    " stock AS ("
    " SELECT p.id AS pid, coalesce(s.n, 0) AS on_hand, coalesce(a.n, 0) AS allocated,"
    "  max(0, coalesce(s.n, 0) - coalesce(a.n, 0)) AS available"
    " FROM product p LEFT JOIN level s ON s.pid = p.id LEFT JOIN alloc a ON a.pid = p.id WHERE 1/*P:p.id*/)"
)
# Amazon's own quantity counts when it was read long enough after our last push (or with no push at all).
_READ_COUNTS = (
    "(l.amazon_quantity IS NOT NULL AND (l.pushed_at IS NULL OR (l.amazon_quantity_at IS NOT NULL AND"
    f" l.amazon_quantity_at > strftime('%Y-%m-%dT%H:%M:%SZ', l.pushed_at, '+{AMAZON_APPLY_MINUTES} minutes'))))"
)
_HAS = (
    f"CASE WHEN {_READ_COUNTS} THEN l.amazon_quantity ELSE coalesce(l.pushed_quantity, l.amazon_quantity) END"
)
# What a listing's store is offered: its chosen warehouses' on-hand - allocated (no choice: ``available``).
_AVAIL = (
    "CASE WHEN l.store_id IN (SELECT store_id FROM store_warehouse) THEN max(0,"
    " (SELECT coalesce(sum(v.on_hand), 0) FROM store_warehouse f JOIN inventory_level v"
    "  ON v.product_id = l.product_id AND v.warehouse_id = f.warehouse_id WHERE f.store_id = l.store_id)"
    " - (SELECT coalesce(sum(w.n), 0) FROM store_warehouse f JOIN walloc w"
    "  ON w.pid = l.product_id AND w.wid = f.warehouse_id WHERE f.store_id = l.store_id))"
    " ELSE k.available END"
)
# The push rule, once: one row per listing mapped to a product and still on Amazon.
_PLAN = (
    f" lx AS MATERIALIZED (SELECT l.*, {_AVAIL} AS avail FROM listing l JOIN stock k ON k.pid = l.product_id"  # noqa: S608
    " WHERE l.product_id IS NOT NULL AND l.gone_at IS NULL/*P:l.product_id*/),"
    " plan AS ("
    " SELECT l.id, l.store_id, st.name AS store_name, l.seller_sku, l.product_type, l.product_id AS pid,"
    f"  p.sku AS product_sku, {_HAS} AS amazon_has, l.avail AS available,"
    f"  CASE WHEN l.fulfillment_channel IS NOT '{MERCHANT_CHANNEL}' THEN '{PushReason.FBA}'"
    f"   WHEN st.status != {_CONNECTED} THEN '{PushReason.STORE_INACTIVE}'"
    f"   WHEN l.push_state = 'sent' AND l.feed_id IS NOT NULL THEN '{PushReason.IN_FLIGHT}'"
    f"   WHEN l.push_state = 'rejected' THEN '{PushReason.RETRY}'"
    f"   WHEN ({_HAS}) IS NULL THEN '{PushReason.UNKNOWN}'"
    f"   WHEN ({_HAS}) = l.avail THEN '{PushReason.IN_SYNC}'"
    f"   WHEN {_READ_COUNTS} AND l.amazon_quantity_at IS NOT NULL THEN '{PushReason.DRIFTED}'"
    f"   ELSE '{PushReason.CHANGED}' END AS reason,"
    "  l.fulfillment_channel AS channel, l.amazon_quantity_at AS read_at, l.feed_id"
    " FROM lx l JOIN store st ON st.id = l.store_id JOIN product p ON p.id = l.product_id)"
)
_MERCHANT = "l.product_id = p.id AND l.gone_at IS NULL AND l.fulfillment_channel = 'DEFAULT'"
ROWS_SQL = (
    f"WITH {_STOCK},{_PLAN},"  # noqa: S608 - constant fragments only
    f" due AS MATERIALIZED (SELECT pid, count(*) AS n FROM plan WHERE reason IN {_SENDING} GROUP BY pid),"
    " pushes AS ("
    " SELECT l.product_id AS pid, count(*) AS listings,"
    "  max(CASE push_state WHEN 'rejected' THEN 3 WHEN 'sent' THEN 2 WHEN 'accepted' THEN 1 ELSE 0 END) "
    "AS worst,"
    "  max(pushed_at) AS last_at, max(amazon_quantity_at) AS read_at,"
    "  group_concat(CASE WHEN push_state = 'rejected' AND push_issues != '' THEN push_issues END, '; ') "
    "AS issues"
    f" FROM listing l JOIN product p ON {_MERCHANT} WHERE 1/*P:l.product_id*/ GROUP BY l.product_id),"
    " rows AS ("
    " SELECT p.id, p.sku, p.title, p.barcode, k.on_hand, k.allocated, k.available,"
    f"  (SELECT l.pushed_quantity FROM listing l WHERE {_MERCHANT}"
    "   AND l.pushed_quantity IS NOT NULL ORDER BY l.pushed_at DESC, l.id DESC LIMIT 1) AS pushed_quantity,"
    "  u.last_at AS pushed_at,"
    "  CASE coalesce(u.worst, 0) WHEN 3 THEN 'rejected' WHEN 2 THEN 'sent' WHEN 1 THEN 'accepted'"
    "   ELSE 'none' END AS push_state,"
    "  coalesce(u.issues, '') AS push_issues, coalesce(u.listings, 0) AS listings, coalesce(d.n, 0) AS to_send,"
    f"  (SELECT l.amazon_quantity FROM listing l WHERE {_MERCHANT} AND l.amazon_quantity_at IS NOT NULL"
    "   ORDER BY l.amazon_quantity_at DESC, l.id DESC LIMIT 1) AS amazon_shows, u.read_at AS amazon_read_at,"
    "  p.bin, p.low_stock"
    " FROM product p JOIN stock k ON k.pid = p.id"
    " LEFT JOIN pushes u ON u.pid = p.id LEFT JOIN due d ON d.pid = p.id)"
)
_PLAN_COLUMNS = (
    "id, store_id, store_name, seller_sku, product_type, pid, product_sku, amazon_has, available, reason, "
    "channel, read_at, feed_id"
)
ROW_COLUMNS = (
    "id, sku, title, barcode, on_hand, allocated, available, pushed_quantity, pushed_at, push_state, "
    "push_issues, listings, to_send, amazon_shows, amazon_read_at, bin, low_stock"
)
SORT_SQL: dict[InventorySort, str] = {
    InventorySort.SKU: "sku COLLATE NOCASE",
    InventorySort.TITLE: "title COLLATE NOCASE",
    InventorySort.ON_HAND: "on_hand",
    InventorySort.ALLOCATED: "allocated",
    InventorySort.AVAILABLE: "available",
    InventorySort.PUSHED: "coalesce(pushed_quantity, -1)",
    InventorySort.PUSHED_AT: "coalesce(pushed_at, '')",
    InventorySort.PUSH_STATE: "push_state",
}


_ONLY = re.compile(r"/\*P:(\+?[\w.]+)\*/")  # "+column": filter rows, do not probe an index per id


def only_products(sql: str, ids: list[int] | None) -> str:
    """The stock SQL computed for these products only (None: every product). The ids are integers."""
    if ids is None:
        return _ONLY.sub("", sql)
    if len(ids) <= _ONE_BY_ONE:
        sql = sql.replace(" stock AS (", " stock AS NOT MATERIALIZED (")
    listed = ", ".join(str(int(i)) for i in ids) or "NULL"
    return _ONLY.sub(lambda m: f" AND {m.group(1)} IN ({listed})", sql)


def for_products_in(sql: str, subquery: str) -> str:
    """The stock SQL computed for the products a subquery selects (read in the same statement's snapshot)."""
    return _ONLY.sub(lambda m: f" AND {m.group(1)} IN ({subquery})", sql)


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def stock_where(q: InventoryQuery) -> tuple[str, list[Any]]:
    """The query's filters as a WHERE clause over stock rows named ``cur`` (with their parameters)."""
    parts: list[str] = []
    params: list[Any] = []
    text = q.search.strip()
    if text:
        parts.append("(sku LIKE ? ESCAPE '\\' OR title LIKE ? ESCAPE '\\' OR barcode LIKE ? ESCAPE '\\')")
        params.extend([_like(text)] * 3)
    if q.issues_only:
        parts.append("push_state = 'rejected'")
    if q.out_of_sync_only:
        parts.append("to_send > 0")
    if q.low_stock_only:
        parts.append("low_stock IS NOT NULL AND available <= low_stock")
    if q.warehouse_id is not None:
        # Per product (``cur``: the row being filtered), so a page in SKU order stops after its rows.
        parts.append(
            "(EXISTS (SELECT 1 FROM inventory_level v WHERE v.product_id = cur.id AND v.warehouse_id = ?"  # noqa: S608
            " AND v.on_hand != 0) OR EXISTS (SELECT 1 FROM stock_allocation a"
            f" WHERE a.product_id = cur.id AND a.units != 0 AND {_WID} = ?))"
        )
        params.extend([q.warehouse_id, q.warehouse_id])
    return (" WHERE " + " AND ".join(parts)) if parts else "", params


def stock_row_of(r: tuple[Any, ...]) -> StockRow:
    return StockRow(
        product_id=r[0],
        sku=r[1],
        title=r[2],
        barcode=r[3],
        on_hand=int(r[4]),
        allocated=int(r[5]),
        available=int(r[6]),
        pushed_quantity=r[7],
        pushed_at=r[8],
        push_state=r[9],
        push_issues=r[10],
        listings=int(r[11]),
        to_send=int(r[12]),
        amazon_shows=r[13],
        amazon_read_at=r[14],
        bin=r[15],
        low_stock=r[16],
    )


def stock_row(product_id: int) -> StockRow | None:
    """The stock row of one product, None when it does not exist."""
    sql = f"{ROWS_SQL} SELECT {ROW_COLUMNS} FROM rows WHERE id = ?"  # noqa: S608 - constant fragments
    r = dialect.execute(only_products(sql, [product_id]), [product_id]).fetchone()
    return stock_row_of(r) if r else None


def inventory_for(product_ids: Iterable[int] | None = None, *, search: str = "") -> list[StockRow]:
    """Stock rows of the given products (all when None) matching ``search``, ordered by SKU."""
    where, params = stock_where(InventoryQuery(search=search))
    wanted = None if product_ids is None else [int(i) for i in product_ids]
    sql = f"{ROWS_SQL} SELECT {ROW_COLUMNS} FROM rows cur{where} ORDER BY sku, id"  # noqa: S608 - constant fragments
    return [stock_row_of(r) for r in dialect.execute(only_products(sql, wanted), params).fetchall()]


def push_plan(
    store_id: int | None = None, *, product_ids: Iterable[int] | None = None, sending_only: bool = False
) -> list[ListingPush]:
    """What the next inventory push does for each listing mapped to a product (of one store, or every store),
    with the reason; ordered by store name, then seller SKU. ``sending_only``: only the listings it sends."""
    sql = f"WITH {_STOCK},{_PLAN} SELECT {_PLAN_COLUMNS} FROM plan WHERE 1"  # noqa: S608
    params: list[Any] = []
    if store_id is not None:
        sql += " AND store_id = ?"
        params.append(store_id)
    wanted = None if product_ids is None else [int(i) for i in product_ids]
    if sending_only:
        sql += f" AND reason IN {_SENDING}"
    sql += " ORDER BY lower(store_name), store_id, seller_sku, id"
    rows = dialect.execute(only_products(sql, wanted), params).fetchall()
    return [
        ListingPush(
            id=r[0],
            store_id=r[1],
            store_name=r[2],
            seller_sku=r[3],
            product_type=r[4],
            product_id=r[5],
            product_sku=r[6],
            amazon_has=r[7],
            available=int(r[8]),
            reason=PushReason(r[9]),
            channel=r[10] or "",
            amazon_read_at=r[11],
            feed_id=r[12],
        )
        for r in rows
    ]


def pending_pushes(store_id: int | None = None) -> list[ListingPush]:
    """The listings the next inventory push sends (what the job sends and the preview shows)."""
    return push_plan(store_id, sending_only=True)
