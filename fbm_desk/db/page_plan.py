"""Which index the Orders tab's page of ids is read from, on SQLite, when a filter and a sort pull apart.

A page is "the first N orders in sort order among those the filter keeps". Two plans answer it:

- **along the sort**: walk the sort's index in order and test each order against the filter, stopping when
  the page is full. Cheap when the orders the filter keeps are many and spread along the sort (Shipped: 85% of
  them), ruinous when they are few or bunched at the far end (30,000 held orders, all from the last days,
  sorted by Service with the oldest first: the walk passes most of a million orders);
- **from the filter**: read the filter's own index (every order it keeps) and sort those. Cheap when they are
  few, slow when they are many (840,000 shipped orders sorted to show 200 of them: seconds).

SQLite's planner picks from ``sqlite_stat1``, which the app's databases do not keep (and a value's share is not
the column's average anyway); without statistics it always reads the filter's index. So the choice is made
here, from a count of the filter's orders capped at ``WALK_ALWAYS`` (an index range, milliseconds):

- fewer than ``FEW``: from the filter (at most that many rows sorted);
- ``WALK_ALWAYS`` or more: along the sort (the orders it passes without a match are at most the others);
- between: along the sort for at most ``WALK_BUDGET_S``, then from the filter (SQLite's progress handler
  stops the walk). Both plans give the same rows; the budget only bounds the time.

When one index serves both (held orders by purchase date), it is used. PostgreSQL keeps its own statistics
and plans by cost with the LIMIT in view: nothing is forced there.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from typing import Any, Protocol

import peewee as pw

from fbm_desk.db import dialect
from fbm_desk.db.models import database_proxy


class _Query(Protocol):  # order_views.OrderQuery (its enums are ``StrEnum``s: they are these strings)
    @property
    def quick(self) -> str: ...
    @property
    def sort(self) -> str: ...
    @property
    def search(self) -> str: ...
    @property
    def store_id(self) -> int | None: ...
    @property
    def warehouse_id(self) -> int | None: ...


FEW = 20_000  # read from the filter's index and sorted: tens of milliseconds at most
WALK_ALWAYS = 200_000  # so many that the walk meets them soon whatever the sort
WALK_BUDGET_S = 0.08

# The index each sort reads in order (schema_v3 ... schema_sort_keys).
SORT_INDEX: dict[str, str] = {
    "store": "orders_store_purchase",
    "order_id": "orders_amazon_order_id_nocase",
    "state": "orders_state",
    "payment_hold": "orders_payment_hold",
    "purchase_date": "orders_purchase_date",
    "ship_by": "orders_latest_ship_date",
    "service_level": "orders_service_level",
    "prime_business": "orders_prime_business",
    "items": "orders_units",
    "ship_to": "orders_ship_country_city",
    "push_state": "orders_push_rank",
}
_STATE_FILTERS = ("held", "shipped", "canceled")
# The index that holds exactly (or a range of) the orders a quick filter keeps.
FILTER_INDEX: dict[str, str] = {
    **dict.fromkeys(_STATE_FILTERS, "orders_state_purchase"),
    "needs_mapping": "orders_needs_mapping",
    "push_rejected": "orders_push_rank",
    **dict.fromkeys(("released", "due_today", "packed_waiting"), "orders_packing_queue"),
}
STORE_INDEX = "orders_store_purchase"
# Filter and sort served by one index: (state, purchase), (state, ship by), (push rank, purchase), (store, ...).
_BOTH: dict[tuple[str, str], str] = {
    **{(q, "purchase_date"): "orders_state_purchase" for q in _STATE_FILTERS},
    **{(q, "state"): "orders_state" for q in _STATE_FILTERS},
    **{(q, "ship_by"): "orders_state" for q in _STATE_FILTERS},
    ("push_rejected", "push_state"): "orders_push_rank",
}


def _filter_index(query: _Query) -> str | None:
    if query.quick != "all":
        return FILTER_INDEX.get(query.quick)
    return STORE_INDEX if query.store_id is not None else None


def _shared_index(query: _Query) -> str | None:
    if query.quick == "all":  # only a store filter
        return STORE_INDEX if query.sort in ("store", "purchase_date") else None
    if query.store_id is not None:
        return None
    return _BOTH.get((query.quick, query.sort))


@dataclass(frozen=True)
class PagePlan:
    """``index``: the hint for the page's ids (``SELECT o.id FROM orders o <index> WHERE …``; "" lets the planner
    choose). With ``fallback``: ``index`` is tried for ``WALK_BUDGET_S``, then ``fallback`` is read."""

    index: str = ""
    fallback: str | None = None


def plan_page(query: _Query, where: str, params: list[Any]) -> PagePlan:
    """The plan for ``query``'s page: "" on PostgreSQL, with a search or a warehouse filter (their own plans),
    or without a filter (the sort's index)."""
    if dialect.is_postgres() or query.search.strip() or query.warehouse_id is not None:
        return PagePlan()
    if query.sort not in SORT_INDEX:  # the urgency order has its own plan (packing_queue)
        return PagePlan()
    filter_index = _filter_index(query)
    if filter_index is None:  # no filter (the sort's index), or one without an index of its own (on hold)
        return PagePlan()
    shared = _shared_index(query)
    if shared is not None:
        return PagePlan(f"INDEXED BY {shared}")
    kept = int(
        dialect.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM orders o INDEXED BY {filter_index}{where} LIMIT ?)",  # noqa: S608
            [*params, WALK_ALWAYS],
        ).fetchone()[0]
    )
    walk, sort_after = f"INDEXED BY {SORT_INDEX[query.sort]}", f"INDEXED BY {filter_index}"
    if kept < FEW:
        return PagePlan(sort_after)
    return PagePlan(walk) if kept >= WALK_ALWAYS else PagePlan(walk, sort_after)


def rows_within_budget(sql: str, params: list[Any]) -> list[Any] | None:
    """The rows of ``sql``, or None when it runs longer than ``WALK_BUDGET_S`` (SQLite's progress handler stops
    it; a read, so nothing is left half done)."""
    conn = database_proxy.connection()
    deadline = time.perf_counter() + WALK_BUDGET_S
    conn.set_progress_handler(lambda: time.perf_counter() > deadline, 5000)
    try:
        return list(dialect.execute(sql, params).fetchall())
    except (pw.OperationalError, sqlite3.OperationalError) as exc:  # peewee's, or the driver's unwrapped
        if "interrupt" not in str(exc):
            raise
        return None
    finally:
        conn.set_progress_handler(None, 0)
