"""Read models for the Inventory tab: stock per warehouse SKU with allocation and the last push, in SQL.

Allocation follows ``fbm_desk.db.inventory``: the unshipped units (quantity - quantity_shipped) of items on
held, released and partially shipped orders; available = max(0, on-hand - allocated). The open orders are few
compared with all orders, so allocation is computed from them (``orders_state`` index), not per item.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from fbm_desk.db.domain_rows import OPEN_STATES
from fbm_desk.db.models import database_proxy


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
    out_of_sync_only: bool = False  # only SKUs whose available differs from the last accepted push
    sort: InventorySort = InventorySort.SKU
    descending: bool = False


@dataclass(frozen=True)
class StockRow:
    product_id: int
    sku: str
    title: str
    barcode: str
    on_hand: int
    allocated: int
    available: int
    pushed_quantity: int | None  # what Amazon last accepted (the most recent push over the SKU's listings)
    pushed_at: str | None
    push_state: str  # none | sent | accepted | rejected (rejected when any listing's last push was)
    push_issues: str  # Amazon's issues of rejected pushes
    listings: int

    @property
    def differs_from_amazon(self) -> bool:
        return self.listings > 0 and self.pushed_quantity != self.available


@dataclass(frozen=True)
class HoldingOrderRow:
    """An open order that holds units of a SKU ("why is available N?")."""

    order_id: int
    amazon_order_id: str
    store_name: str
    state: str
    payment_hold: bool
    units: int
    purchase_date: str | None
    latest_ship_date: str | None


_OPEN = "('" + "', '".join(OPEN_STATES) + "')"
_CTE = (
    "WITH alloc AS ("  # noqa: S608 - constant fragments only
    " SELECT i.product_id AS pid, sum(i.quantity - i.quantity_shipped) AS n FROM orders o"
    " CROSS JOIN order_item i ON i.order_id = o.id"  # CROSS: drive from the (few) open orders
    f" WHERE o.state IN {_OPEN} AND i.product_id IS NOT NULL AND i.quantity > i.quantity_shipped"
    " GROUP BY i.product_id),"
    " stock AS (SELECT product_id AS pid, sum(on_hand) AS n FROM inventory_level GROUP BY product_id),"
    " pushes AS ("
    " SELECT product_id AS pid, count(*) AS listings,"
    "  max(CASE push_state WHEN 'rejected' THEN 3 WHEN 'sent' THEN 2 WHEN 'accepted' THEN 1 ELSE 0 END) "
    "AS worst,"
    "  max(pushed_at) AS last_at,"
    "  group_concat(CASE WHEN push_state = 'rejected' AND push_issues != '' THEN push_issues END, '; ') "
    "AS issues"
    " FROM listing WHERE product_id IS NOT NULL AND gone_at IS NULL GROUP BY product_id),"
    " rows AS ("
    " SELECT p.id, p.sku, p.title, p.barcode, coalesce(s.n, 0) AS on_hand, coalesce(a.n, 0) AS allocated,"
    "  max(0, coalesce(s.n, 0) - coalesce(a.n, 0)) AS available,"
    "  (SELECT l.pushed_quantity FROM listing l WHERE l.product_id = p.id AND l.gone_at IS NULL"
    "   AND l.pushed_quantity IS NOT NULL ORDER BY l.pushed_at DESC, l.id DESC LIMIT 1) AS pushed_quantity,"
    "  u.last_at AS pushed_at,"
    "  CASE coalesce(u.worst, 0) WHEN 3 THEN 'rejected' WHEN 2 THEN 'sent' WHEN 1 THEN 'accepted'"
    "   ELSE 'none' END AS push_state,"
    "  coalesce(u.issues, '') AS push_issues, coalesce(u.listings, 0) AS listings"
    " FROM product p LEFT JOIN stock s ON s.pid = p.id LEFT JOIN alloc a ON a.pid = p.id"
    " LEFT JOIN pushes u ON u.pid = p.id)"
)
_COLUMNS = (
    "id, sku, title, barcode, on_hand, allocated, available, pushed_quantity, pushed_at, push_state, "
    "push_issues, listings"
)
_SORT_SQL: dict[InventorySort, str] = {
    InventorySort.SKU: "sku COLLATE NOCASE",
    InventorySort.TITLE: "title COLLATE NOCASE",
    InventorySort.ON_HAND: "on_hand",
    InventorySort.ALLOCATED: "allocated",
    InventorySort.AVAILABLE: "available",
    InventorySort.PUSHED: "coalesce(pushed_quantity, -1)",
    InventorySort.PUSHED_AT: "coalesce(pushed_at, '')",
    InventorySort.PUSH_STATE: "push_state",
}


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _where(q: InventoryQuery) -> tuple[str, list[Any]]:
    parts: list[str] = []
    params: list[Any] = []
    text = q.search.strip()
    if text:
        parts.append("(sku LIKE ? ESCAPE '\\' OR title LIKE ? ESCAPE '\\' OR barcode LIKE ? ESCAPE '\\')")
        params.extend([_like(text)] * 3)
    if q.issues_only:
        parts.append("push_state = 'rejected'")
    if q.out_of_sync_only:
        parts.append("listings > 0 AND (pushed_quantity IS NULL OR pushed_quantity != available)")
    return (" WHERE " + " AND ".join(parts)) if parts else "", params


def _row(r: tuple[Any, ...]) -> StockRow:
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
    )


def count_stock(q: InventoryQuery) -> int:
    where, params = _where(q)
    if not q.issues_only and not q.out_of_sync_only:
        # One row per product and the search reads product columns only: skip the allocation (~35 ms at
        # 200,000 orders, on the GUI thread).
        sql = f"SELECT count(*) FROM product{where}"  # noqa: S608 - constant fragments, parameters
        return int(database_proxy.execute_sql(sql, params).fetchone()[0])
    sql = f"{_CTE} SELECT count(*) FROM rows{where}"  # noqa: S608 - constant fragments, parameters
    return int(database_proxy.execute_sql(sql, params).fetchone()[0])


def fetch_stock(q: InventoryQuery, offset: int, limit: int) -> list[StockRow]:
    """One page of stock rows in the query's order (SKU breaks ties)."""
    where, params = _where(q)
    direction = " DESC" if q.descending else ""
    sql = (
        f"{_CTE} SELECT {_COLUMNS} FROM rows{where} "  # noqa: S608 - constant fragments, parameters
        f"ORDER BY {_SORT_SQL[q.sort]}{direction}, id{direction} LIMIT ? OFFSET ?"
    )
    return [_row(r) for r in database_proxy.execute_sql(sql, [*params, limit, offset]).fetchall()]


def stock_row(product_id: int) -> StockRow | None:
    sql = f"{_CTE} SELECT {_COLUMNS} FROM rows WHERE id = ?"  # noqa: S608 - constant fragments
    r = database_proxy.execute_sql(sql, [product_id]).fetchone()
    return _row(r) if r else None


def holding_orders(product_id: int, limit: int = 500) -> list[HoldingOrderRow]:
    """Open orders holding units of ``product_id``, the most urgent (earliest ship-by) first."""
    rows = database_proxy.execute_sql(
        "SELECT o.id, o.amazon_order_id, s.name, o.state, o.payment_hold, "  # noqa: S608 - constant fragments
        "sum(i.quantity - i.quantity_shipped), o.purchase_date, o.latest_ship_date "
        "FROM order_item i JOIN orders o ON o.id = i.order_id JOIN store s ON s.id = o.store_id "
        f"WHERE i.product_id = ? AND o.state IN {_OPEN} AND i.quantity > i.quantity_shipped "
        "GROUP BY o.id ORDER BY o.latest_ship_date, o.id LIMIT ?",
        [product_id, limit],
    ).fetchall()
    return [
        HoldingOrderRow(
            order_id=r[0],
            amazon_order_id=r[1],
            store_name=r[2],
            state=r[3],
            payment_hold=bool(r[4]),
            units=int(r[5]),
            purchase_date=r[6],
            latest_ship_date=r[7],
        )
        for r in rows
    ]
