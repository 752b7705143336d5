"""Read-only queries for the support zip (``fbm_desk.tools.diagnostics``): plain tuples, raw SQL over the tables.

The diagnostics module decides what is redacted; these functions only read. No buyer data is selected except
by ``distinct_order_values`` (used to scrub those values from the log text, never written out).
"""

from __future__ import annotations

from typing import Any

from fbm_desk.db import dialect
from fbm_desk.db.packing_queue import OPEN_TO_SHIP_SQL
from fbm_desk.db.pii import ENCRYPTED_COLUMNS, LOCKED, reveal
from fbm_desk.db.states import ListingPushState, OrderState, PushState
from fbm_desk.db.stored_times import iso_text

Row = tuple[Any, ...]

# Columns that hold buyer names and street lines.
PII_COLUMNS = ENCRYPTED_COLUMNS


def _rows(sql: str, params: list[Any] | None = None) -> list[Row]:
    return [tuple(r) for r in dialect.execute(sql, params or []).fetchall()]


def stores() -> list[Row]:
    """(id, name, marketplace_id, region, selling_partner_id, status, status_message, import_pending,
    starting_inventory, download_products_orders, remove_stock_external, secret_storage, created_at)."""
    return _rows(
        "SELECT id, name, marketplace_id, region, selling_partner_id, status, status_message, import_pending, "
        "starting_inventory, download_products_orders, remove_stock_external, secret_storage, created_at "
        "FROM store ORDER BY id"
    )


def orders_by_state(store_id: int) -> dict[str, int]:
    """Number of orders per state of one store."""
    return {
        str(state): int(n)
        for state, n in _rows(
            "SELECT state, count(*) FROM orders WHERE store_id = ? GROUP BY state", [store_id]
        )
    }


def problem_orders(now: str, limit: int) -> list[tuple[int, str]]:
    """(order id, why) of up to ``limit`` orders: rejected pushes, unmapped, late, held, then the newest."""
    queries: tuple[tuple[str, str, list[Any]], ...] = (
        (
            "push rejected",
            "SELECT order_id FROM package WHERE push_state = ? GROUP BY order_id ORDER BY max(updated_at) DESC",
            [str(PushState.REJECTED)],
        ),
        ("needs mapping", "SELECT id FROM orders WHERE needs_mapping = 1 ORDER BY purchase_ts DESC", []),
        (  # the open orders' partial index (packing_queue) holds the ship-by date
            "late",
            f"SELECT id FROM orders o WHERE {OPEN_TO_SHIP_SQL} AND o.latest_ship_date < ? "  # noqa: S608 - constant
            "ORDER BY o.latest_ship_date",
            [now],
        ),
        ("held", "SELECT id FROM orders WHERE state = ? ORDER BY purchase_ts", [str(OrderState.HELD)]),
        ("recent", "SELECT id FROM orders ORDER BY imported_at DESC, id DESC", []),
    )
    picks: list[tuple[int, str]] = []
    seen: set[int] = set()
    for reason, sql, params in queries:
        for (order_id,) in _rows(sql + " LIMIT ?", [*params, limit]):
            if order_id not in seen and len(picks) < limit:
                seen.add(order_id)
                picks.append((order_id, reason))
    return picks


def order_summary(order_id: int) -> Row:
    """(amazon_order_id, store name, marketplace_id, state, amazon_status, payment_hold, needs_mapping,
    purchase_date, amazon_updated_at, latest_ship_date, service_level, ship_country, imported_at, updated_at)."""
    return _rows(
        "SELECT o.amazon_order_id, s.name, o.marketplace_id, o.state, o.amazon_status, o.payment_hold, "
        "o.needs_mapping, o.purchase_date, o.amazon_updated_at, o.latest_ship_date, o.service_level, "
        "o.ship_country, o.imported_at, o.updated_at FROM orders o JOIN store s ON s.id = o.store_id "
        "WHERE o.id = ?",
        [order_id],
    )[0]


def order_items(order_id: int) -> list[Row]:
    """(order_item_id, seller_sku, asin, product sku, quantity, quantity_shipped) in Amazon's order."""
    return _rows(
        "SELECT i.order_item_id, i.seller_sku, i.asin, p.sku, i.quantity, i.quantity_shipped "
        "FROM order_item i LEFT JOIN product p ON p.id = i.product_id WHERE i.order_id = ? ORDER BY i.id",
        [order_id],
    )


def order_packages(order_id: int) -> list[Row]:
    """(package_reference_id, carrier_code, tracking_number, ship_date, push_state, push_message, pushed_at)."""
    rows = _rows(
        "SELECT package_reference_id, carrier_code, tracking_number, ship_date, push_state, push_message, "
        "pushed_at FROM package WHERE order_id = ? ORDER BY package_reference_id",
        [order_id],
    )
    # the two times are whole seconds on SQLite (schema_package_times.sql): the ISO text written, on both backends
    return [(*r[:3], iso_text(r[3]), *r[4:6], None if r[6] is None else iso_text(r[6])) for r in rows]


def order_events(order_id: int) -> list[Row]:
    """(at, kind, message), oldest first."""
    rows = _rows("SELECT at, kind, message FROM order_event WHERE order_id = ? ORDER BY at, id", [order_id])
    return [(iso_text(at), *rest) for at, *rest in rows]


def unmapped_order_skus(limit: int) -> list[Row]:
    """(seller_sku, store name, number of orders) of order items with no product, most orders first."""
    return _rows(
        "SELECT i.seller_sku, s.name, count(DISTINCT i.order_id) FROM order_item i JOIN orders o ON o.id "
        "= i.order_id JOIN store s ON s.id = o.store_id WHERE i.product_id IS NULL GROUP BY i.seller_sku, "
        "s.name ORDER BY 3 DESC LIMIT ?",
        [limit],
    )


def unmapped_listings(limit: int) -> list[Row]:
    """(seller_sku, store name, asin, status) of current listings with no product."""
    return _rows(
        "SELECT l.seller_sku, s.name, l.asin, l.status FROM listing l JOIN store s ON s.id = l.store_id "
        "WHERE l.product_id IS NULL AND l.gone_at IS NULL ORDER BY l.seller_sku LIMIT ?",
        [limit],
    )


def rejected_listing_pushes(limit: int) -> list[Row]:
    """(seller_sku, store name, asin, pushed_quantity, pushed_at, push_issues), newest first."""
    return _rows(
        "SELECT l.seller_sku, s.name, l.asin, l.pushed_quantity, l.pushed_at, l.push_issues FROM listing l "
        "JOIN store s ON s.id = l.store_id WHERE l.push_state = ? ORDER BY l.pushed_at DESC LIMIT ?",
        [str(ListingPushState.REJECTED), limit],
    )


def sync_runs(limit: int) -> list[Row]:
    """(store name, job, trigger, started_at, finished_at, status, fetched, created, updated, skipped, rejected,
    api_calls, throttled, throttle_wait_s, request_ids, summary, error), newest first."""
    return _rows(
        "SELECT coalesce(s.name, ''), r.job, r.trigger, r.started_at, r.finished_at, r.status, r.fetched, "
        "r.created, r.updated, r.skipped, r.rejected, r.api_calls, r.throttled, r.throttle_wait_s, "
        "r.request_ids, r.summary, r.error FROM sync_run r LEFT JOIN store s ON s.id = r.store_id "
        "ORDER BY r.started_at DESC, r.id DESC LIMIT ?",
        [limit],
    )


def distinct_order_values(column: str) -> list[str]:
    """The distinct non-empty values of one of the ``PII_COLUMNS`` of ``orders``."""
    if column not in PII_COLUMNS:
        raise ValueError(f"not a buyer-data column: {column}")
    sql = f"SELECT DISTINCT {column} FROM orders WHERE {column} != ''"  # noqa: S608 - column checked above
    plain = {reveal(column, value) for (value,) in _rows(sql)}  # stored encrypted (db/pii.py)
    return sorted(plain - {LOCKED})
