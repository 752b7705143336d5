"""How the Orders tab reads a page of ids on SQLite when a filter and a sort pull apart.

A page is "the first N orders in sort order among those the filter keeps". SQLite's planner chooses between
walking the sort's index (testing each order against the filter: a table row read per order) and reading the
filter's index (then sorting every order it keeps) from ``sqlite_stat1``, which the app's files do not keep;
without statistics it always reads the filter's index: seconds for *Shipped* sorted by *Service* at a million
orders, and the walk is as bad when the kept orders sit at the far end of the sort (30,000 held orders, all of
the last days, oldest first). So the plan is chosen here, from a count of the filter's orders capped at
``WALK_ALWAYS`` or half the orders, whichever is fewer (an index range, milliseconds):

- fewer than ``FEW``: **from the filter** — its index, then those few rows sorted;
- up to ``WALK_ALWAYS``: **along the sort, matched by id** — the ids the filter keeps are collected from its
  index alone (no table row), then the sort's index is walked and each entry matched against them, also without
  a table row: at worst a walk of the whole index (about 0.15 s at a million orders), never a row per order;
- ``WALK_ALWAYS`` or more: **along the sort** — so many match that the walk meets them soon; for a state
  filter (*Shipped*) the few other orders' ids are collected instead and the walk skips them by id, so the
  newest orders, none of them shipped yet, are passed without reading their rows.

When one index serves both (held orders by purchase date), it is used. PostgreSQL keeps its own statistics
and plans by cost with the LIMIT in view: nothing is forced there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from fbm_desk.db import dialect
from fbm_desk.db.states import OrderState


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


FEW = 3_000  # so few that reading their rows and sorting them takes milliseconds
WALK_ALWAYS = 200_000  # so many that the walk meets them soon whatever the sort
VERY_MANY_SHARE = 0.5  # in a smaller table: half of its orders

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
    """``index``: the hint for the page's scan (``SELECT o.id FROM orders o <index> …``; "" lets the planner
    choose). ``matched``: when set, the filter moves into ``o.id IN (SELECT o.id FROM orders o <matched> WHERE
    …)`` and the scan only matches ids."""

    index: str = ""
    matched: str | None = None
    excluded: str | None = (
        None  # or: ``o.id NOT IN (<excluded>)`` stands for the filter (it takes no parameter)
    )


def plan_page(query: _Query, where: str, params: list[Any]) -> PagePlan:
    """The plan for ``query``'s page: none on PostgreSQL, with a search or a warehouse filter (their own
    plans), or without a filter (the sort's index)."""
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
    total = int(
        dialect.execute("SELECT coalesce(max(id), 0) FROM orders").fetchone()[0]
    )  # about their number
    very_many = min(WALK_ALWAYS, max(FEW, int(total * VERY_MANY_SHARE)))
    kept = int(
        dialect.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM orders o INDEXED BY {filter_index}{where} LIMIT ?)",  # noqa: S608
            [*params, very_many],
        ).fetchone()[0]
    )
    walk, from_filter = f"INDEXED BY {SORT_INDEX[query.sort]}", f"INDEXED BY {filter_index}"
    if kept < FEW:
        return PagePlan(from_filter)
    if kept < very_many:
        return PagePlan(walk, from_filter)
    if query.quick in _STATE_FILTERS and query.store_id is None:  # the others are the other states
        others = ", ".join(f"'{s.value}'" for s in OrderState if s.value != query.quick)
        skipped = f"SELECT o.id FROM orders o {from_filter} WHERE o.state IN ({others})"  # noqa: S608 - states
        return PagePlan(walk, excluded=skipped)
    return PagePlan(walk)
