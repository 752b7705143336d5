"""The Inventory tab's table over the stock model, kept per product so filters and sorts need not compute it.

The stock model (``fbm_desk.db.stock``) computes a product's row — on hand, allocated, available, what Amazon
last accepted, how many listings the next push sends (``to_send``) — from the push plan, which is one SQL pass
over every listing and the kept allocation (~0.4 s at 20,000 SKUs, whatever the number of orders). The tab's "Differs from Amazon", "Low stock" and
"Push issues" filters and its stock sorts would need it for every product, on every keystroke. So the rows are
kept in ``stock_summary``:

- **computed by the stock model only**: ``refresh_stock_summary`` writes exactly what ``stock.inventory_for``
  returns for the products marked dirty; there is no second copy of the rule.
- **marked dirty in the writing transaction**: the schema's triggers (``schema_stock_summary.sql``) mark a product
  dirty in the same statement that changes one of the plan's inputs (on hand, an order item or its order's state
  or warehouse, a listing's push columns, a store's status or feeding warehouses, the primary warehouse).
- **never read stale**: ``count_stock`` / ``fetch_stock`` read the clean rows from the table and compute the dirty
  ones live with the stock model's SQL, in one statement (one snapshot). Refreshing only makes reads faster.
- **refreshed off the GUI thread**: after every sync job (``sync.execute``) and by the Inventory tab's pool
  thread before it reads the push preview; a dirty product costs a reader about as much as before.
"""

from __future__ import annotations

import logging
from typing import Any

from fbm_desk.db import dialect
from fbm_desk.db.errors import storage_error
from fbm_desk.db.models import StockSummary, database_proxy
from fbm_desk.db.stock import (
    ROW_COLUMNS,
    ROWS_SQL,
    SORT_SQL,
    InventoryQuery,
    StockRow,
    for_products_in,
    inventory_for,
    only_products,
    stock_row_of,
    stock_where,
)

log = logging.getLogger(__name__)

_DIRTY = "SELECT product_id FROM stock_summary WHERE dirty = 1"
_KEPT = (
    "SELECT s.product_id AS id, p.sku, p.title, p.barcode, s.on_hand, s.allocated, s.available, s.pushed_quantity,"
    " s.pushed_at, s.push_state, s.push_issues, s.listings, s.to_send, s.amazon_shows, s.amazon_read_at,"
    " p.bin, p.low_stock FROM product p JOIN stock_summary s ON s.product_id = p.id"
)
_BY_ID = 20  # up to this many dirty products: computed live by id (the stock model's few-products plan)
_CHUNK = 2000  # products computed per refresh statement (keeps the SQL text short)


def _dirty_ids() -> list[int]:
    """The dirty products, when they are few enough to be computed by id (``_BY_ID + 1`` ids: many)."""
    return [int(r[0]) for r in dialect.execute(f"{_DIRTY} LIMIT {_BY_ID + 1}").fetchall()]


def _source(ids: list[int]) -> str:
    """``WITH … cur AS (…)``: every product's row as the stock model computes it, the kept ones read from the
    table, the dirty ones (``ids``, if any) computed live."""
    if not ids:
        return f"WITH cur AS ({_KEPT})"
    if (
        len(ids) > _BY_ID
    ):  # many (after an upgrade, or writes no job followed yet): chosen in the same statement
        return (
            f"{for_products_in(ROWS_SQL, _DIRTY)}, cur AS ({_KEPT} WHERE s.dirty = 0"  # noqa: S608
            f" UNION ALL SELECT {ROW_COLUMNS} FROM rows)"
        )
    # A few, by id: each product is read exactly once even when a refresh or another change commits between
    # the two statements (it then shows as it was a moment earlier).
    return (
        f"{only_products(ROWS_SQL, ids)}, cur AS ({_KEPT} WHERE s.product_id NOT IN ({_listed(ids)})"  # noqa: S608
        f" UNION ALL SELECT {ROW_COLUMNS} FROM rows)"
    )


def _listed(ids: list[int]) -> str:
    return ", ".join(str(int(i)) for i in ids)


def count_stock(q: InventoryQuery) -> int:
    """How many products match the query (the Inventory tab's total)."""
    where, params = stock_where(q)
    if not (q.issues_only or q.out_of_sync_only or q.low_stock_only):  # product columns only: one per product
        sql = f"SELECT count(*) FROM product cur{where}"  # noqa: S608 - constant fragments, parameters
        return int(dialect.execute(sql, params).fetchone()[0])
    sql = f"{_source(_dirty_ids())} SELECT count(*) FROM cur{where}"  # noqa: S608 - constant fragments
    return int(dialect.execute(sql, params).fetchone()[0])


def fetch_stock(q: InventoryQuery, offset: int, limit: int) -> list[StockRow]:
    """One page of stock rows in the query's order (SKU breaks ties)."""
    where, params = stock_where(q)
    direction = " DESC" if q.descending else ""
    order = f"ORDER BY {SORT_SQL[q.sort]}{direction}, id{direction}"
    ids = _dirty_ids()
    if ids and len(ids) <= _BY_ID:
        # The page is among the kept rows' first offset + limit (read in index order) and the few live ones.
        sql = (
            f"{only_products(ROWS_SQL, ids)}, top AS (SELECT * FROM ({_KEPT}"  # noqa: S608 - constant fragments
            f" WHERE s.product_id NOT IN ({_listed(ids)})) cur{where} {order} LIMIT ?),"
            f" cur AS (SELECT * FROM top UNION ALL SELECT {ROW_COLUMNS} FROM rows cur{where})"
            f" SELECT {ROW_COLUMNS} FROM cur {order} LIMIT ? OFFSET ?"
        )
        args = [*params, offset + limit, *params, limit, offset]
    else:
        sql = f"{_source(ids)} SELECT {ROW_COLUMNS} FROM cur{where} {order} LIMIT ? OFFSET ?"  # noqa: S608
        args = [*params, limit, offset]
    return [stock_row_of(r) for r in dialect.execute(sql, args).fetchall()]


def dirty_count() -> int:
    """How many products wait for ``refresh_stock_summary`` (read live meanwhile)."""
    return int(StockSummary.select().where(StockSummary.dirty == True).count())  # noqa: E712 - SQL, not Python


def refresh_stock_summary_quietly() -> int:
    """``refresh_stock_summary`` for background callers: a failure (busy, read-only folder, full disk) is logged
    and leaves the rows dirty, which readers compute live; the next caller tries again."""
    try:
        return refresh_stock_summary()
    except Exception as exc:
        if storage_error(exc) is None:
            log.exception("Refreshing the kept stock rows failed")
        else:
            log.warning("Kept stock rows not refreshed: %s", exc)
        return 0


def refresh_stock_summary() -> int:
    """Recompute the dirty products' rows with the stock model and store them; returns how many.

    One write transaction (``BEGIN IMMEDIATE``): no other writer can change an input between the computation and
    the write, so a row marked clean is the stock model's answer for the committed data.
    """
    if dialect.execute(f"{_DIRTY} LIMIT 1").fetchone() is None:
        return 0  # nothing to do: no write lock taken
    with database_proxy.atomic(lock_type="IMMEDIATE"):
        ids = [int(r[0]) for r in dialect.execute(_DIRTY).fetchall()]
        for start in range(0, len(ids), _CHUNK):
            rows = inventory_for(ids[start : start + _CHUNK])
            dialect.executemany(
                "UPDATE stock_summary SET dirty = 0, on_hand = ?, allocated = ?, available = ?,"
                " pushed_quantity = ?, pushed_at = ?, push_state = ?, push_issues = ?, listings = ?, to_send = ?,"
                " amazon_shows = ?, amazon_read_at = ? WHERE product_id = ?",
                [_values(r) for r in rows],
            )
    return len(ids)


def _values(r: StockRow) -> tuple[Any, ...]:
    return (
        r.on_hand,
        r.allocated,
        r.available,
        r.pushed_quantity,
        r.pushed_at,
        r.push_state,
        r.push_issues,
        r.listings,
        r.to_send,
        r.amazon_shows,
        r.amazon_read_at,
        r.product_id,
    )
