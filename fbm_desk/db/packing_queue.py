"""The packing queue's SQL: which open orders are still to pack, which are packed and waiting for Amazon, and
the urgency order of "To pack" (late, due today, Prime, oldest).

An order is *packed, waiting for Amazon* when every unit is either shipped or in one of our packages that
Amazon has not confirmed yet (queued or sent). It leaves "To pack" and "Due today" the moment the package is
saved, not when Amazon confirms the tracking minutes later. Fragments only; ``order_views`` assembles them.
"""

from __future__ import annotations

from typing import Any

# Whether an order is fully packed (an unconfirmed package and no unit left to pack) is kept on the order:
# ``orders.fully_packed``, recomputed by triggers (schema_order_list_scale.sql) whenever a package, a package
# line or an order line changes, so the filters read one column (in the partial index ``orders_packing_queue``).
OPEN_TO_SHIP_SQL = "o.state IN ('released', 'partially_shipped')"
TO_PACK_SQL = f"{OPEN_TO_SHIP_SQL} AND o.fully_packed = 0"
PACKED_WAITING_SQL = f"{OPEN_TO_SHIP_SQL} AND o.fully_packed = 1"


# The urgency order is only asked for the packing filters (their WHERE holds the partial index's condition).
URGENCY_INDEX = "INDEXED BY orders_packing_queue"


def urgency_order(now: str, end_of_today: str) -> tuple[tuple[str, ...], list[Any]]:
    """Sort expressions (ascending = most urgent first) and their parameters: late, due today, later; within
    each, Prime first, then the oldest purchase."""
    bucket = (
        "CASE WHEN o.latest_ship_date IS NULL THEN 2 WHEN o.latest_ship_date < ? THEN 0 "
        "WHEN o.latest_ship_date < ? THEN 1 ELSE 2 END"
    )
    return (bucket, "(1 - o.is_prime)", "o.latest_ship_date", "o.purchase_date"), [now, end_of_today]


def urgency_page_sql(
    where: str, params: list[Any], now: str, end_of_today: str, limit: int, offset: int, *, nulls_last: bool
) -> tuple[str, list[Any]]:
    """The ids of one page of the packing filters in urgency order, read as index ranges in order.

    Sorting every open order by urgency reads all of them (90,000 at a million orders). The order is a
    concatenation of ranges of ``orders_packing_queue`` (ship-by, Prime, purchase): late, due today, later;
    in each, Prime first; in "later", orders without a ship-by date where the backend sorts NULL (first on
    SQLite, last on PostgreSQL). Each range is read in index order up to the page's end; the few rows read are
    merged. ``where`` is the filter's ``WHERE …`` (it holds the partial index's condition)."""
    later = [("o.latest_ship_date >= ?", [end_of_today]), ("o.latest_ship_date IS NULL", [])]
    if not nulls_last:
        later.reverse()
    ranges = [
        ("o.latest_ship_date < ?", [now]),
        ("o.latest_ship_date >= ? AND o.latest_ship_date < ?", [now, end_of_today]),
    ]
    segments: list[tuple[str, list[Any]]] = []
    for condition, args in ranges:
        segments += [(f"{condition} AND o.is_prime = {p}", args) for p in (1, 0)]
    for prime in (1, 0):
        segments += [(f"{condition} AND o.is_prime = {prime}", args) for condition, args in later]
    parts: list[str] = []
    out: list[Any] = []
    for number, (condition, args) in enumerate(segments):
        parts.append(
            f"SELECT * FROM (SELECT o.id, {number} AS seg, o.latest_ship_date AS lsd, o.purchase_date AS pd "  # noqa: S608
            f"FROM orders o {URGENCY_INDEX}{where} AND {condition} "
            "ORDER BY o.latest_ship_date, o.purchase_date, o.id LIMIT ?) s"
        )
        out += [*params, *args, offset + limit]
    sql = "SELECT id FROM (" + " UNION ALL ".join(parts) + ") u ORDER BY seg, lsd, pd, id LIMIT ? OFFSET ?"  # noqa: S608
    return sql, [*out, limit, offset]
