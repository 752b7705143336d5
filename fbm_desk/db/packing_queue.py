"""The packing queue's SQL: which open orders are still to pack, which are packed and waiting for Amazon, and
the urgency order of "To pack" (late, due today, Prime, oldest).

An order is *packed, waiting for Amazon* when every unit is either shipped or in one of our packages that
Amazon has not confirmed yet (queued or sent). It leaves "To pack" and "Due today" the moment the package is
saved, not when Amazon confirms the tracking minutes later. Fragments only; ``order_views`` assembles them.
"""

from __future__ import annotations

from typing import Any

from fbm_desk.db.states import UNCONFIRMED

_UNCONFIRMED_SQL = "(" + ", ".join(f"'{s.value}'" for s in UNCONFIRMED) + ")"

# Orders with an unconfirmed package and no unit left to pack. The outer ``package`` filter keeps the set
# small (index ``package_push_state``): only orders with a package on its way are ever checked item by item,
# each item against its own order's packages (index ``package_order_state``, then ``package_item_package``).
FULLY_PACKED_IDS_SQL = (
    f"SELECT DISTINCT p.order_id FROM package p INDEXED BY package_push_state WHERE p.push_state IN {_UNCONFIRMED_SQL} "  # noqa: S608
    "AND NOT EXISTS (SELECT 1 FROM order_item i WHERE i.order_id = p.order_id AND i.quantity > "
    "i.quantity_shipped + coalesce((SELECT sum(pi.quantity) FROM package q "
    "JOIN package_item pi ON pi.package_id = q.id "
    f"WHERE q.order_id = i.order_id AND q.push_state IN {_UNCONFIRMED_SQL} AND pi.order_item_id = i.id), 0))"
)

OPEN_TO_SHIP_SQL = "o.state IN ('released', 'partially_shipped')"
TO_PACK_SQL = f"{OPEN_TO_SHIP_SQL} AND o.id NOT IN ({FULLY_PACKED_IDS_SQL})"
PACKED_WAITING_SQL = f"{OPEN_TO_SHIP_SQL} AND o.id IN ({FULLY_PACKED_IDS_SQL})"


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
