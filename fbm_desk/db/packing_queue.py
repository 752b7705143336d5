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
