"""Read models for the Orders tab: SQL-side filtering, search, sorting and paging over all stores.

Nothing here loads every order: ``count_orders`` and ``fetch_orders`` run one indexed query each for the
window the view shows (``LIMIT``/``OFFSET``, ``id`` as the tie-breaker so pages never overlap). Search matches
a prefix of the Amazon order id, a seller SKU or a tracking number (case-insensitive, answered from NOCASE
indexes), or any part of the buyer/recipient name (a scan of a narrow covering index).

The SQL is assembled only from constant fragments in this module; user text always travels as a parameter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Any

from fbm_desk.db import dialect, order_search
from fbm_desk.db.order_flags import FLAG_COLUMNS_SQL, OrderFlags, flags_from
from fbm_desk.db.packing_queue import (
    PACKED_WAITING_SQL,
    TO_PACK_SQL,
    URGENCY_INDEX,
    urgency_order,
    urgency_page_sql,
)
from fbm_desk.db.page_plan import PagePlan, plan_page
from fbm_desk.db.states import OrderState, PushState

# The outbox state of an order's packages, worst first: an order shows its worst package.
PUSH_WORST_FIRST = (PushState.REJECTED, PushState.QUEUED, PushState.SENT, PushState.CONFIRMED)


class QuickFilter(StrEnum):
    ALL = "all"
    HELD = OrderState.HELD.value
    RELEASED = OrderState.RELEASED.value
    DUE_TODAY = "due_today"
    SHIPPED = OrderState.SHIPPED.value
    CANCELED = OrderState.CANCELED.value
    NEEDS_MAPPING = "needs_mapping"
    PUSH_REJECTED = "push_rejected"
    ON_HOLD = "on_hold"  # an operator/address/fraud hold set here (schema_rules)
    PACKED_WAITING = "packed_waiting"  # every unit packed, Amazon has not confirmed the tracking yet


class SortKey(StrEnum):
    STORE = "store"
    ORDER_ID = "order_id"
    STATE = "state"
    PAYMENT_HOLD = "payment_hold"
    PURCHASE_DATE = "purchase_date"
    SHIP_BY = "ship_by"
    SERVICE_LEVEL = "service_level"
    PRIME_BUSINESS = "prime_business"
    ITEMS = "items"
    SHIP_TO = "ship_to"
    PUSH_STATE = "push_state"
    URGENCY = "urgency"  # the packing queue: late, due today, Prime, oldest


# Kept on the order by triggers (schema_order_list_scale.sql), each with its index: units ordered, and the worst
# package state as a rank into PUSH_WORST_FIRST (NULL: nothing packed).
_PUSH_RANK_SQL = "o.push_rank"
_UNITS_SQL = "o.units"

# The purchase and ship-by dates as whole seconds: SQLite's compact sort keys (schema_sort_keys.sql; the indexes
# that sort by a date hold these), read as the text columns themselves on PostgreSQL (``dialect``).
_PURCHASED = "o.purchase_ts"
_SHIP_BY = "o.ship_by_ts"

# Each sort key maps to SQL expressions; ``o.id`` is always appended so paging is stable.
_SORT_SQL: dict[SortKey, tuple[str, ...]] = {
    SortKey.STORE: ("o.store_id", _PURCHASED),
    SortKey.ORDER_ID: ("o.amazon_order_id COLLATE NOCASE",),
    SortKey.STATE: ("o.state", _SHIP_BY),
    SortKey.PAYMENT_HOLD: ("o.payment_hold", _PURCHASED),
    SortKey.PURCHASE_DATE: (_PURCHASED,),
    SortKey.SHIP_BY: (_SHIP_BY,),
    SortKey.SERVICE_LEVEL: ("o.service_level", _PURCHASED),
    SortKey.PRIME_BUSINESS: ("o.is_prime", "o.is_business", _PURCHASED),
    SortKey.ITEMS: (_UNITS_SQL,),
    SortKey.SHIP_TO: ("o.ship_country", "o.ship_city"),
    SortKey.PUSH_STATE: (_PUSH_RANK_SQL, _PURCHASED),  # index orders_push_rank
}

_OPEN_FILTERS = (QuickFilter.RELEASED, QuickFilter.DUE_TODAY, QuickFilter.PACKED_WAITING)
_TO_PACK_FILTERS = (QuickFilter.RELEASED, QuickFilter.DUE_TODAY)
_ORDER_ID_RE = re.compile(r"^\d{3}-\d{7}-\d{7}$")


@dataclass(frozen=True)
class OrderQuery:
    """What the Orders tab asks for: a quick filter, a search text, a store and a sort."""

    quick: QuickFilter = QuickFilter.ALL
    search: str = ""
    store_id: int | None = None
    sort: SortKey = SortKey.PURCHASE_DATE
    descending: bool = True
    warehouse_id: int | None = None  # only orders allocated to this warehouse (issue 16)


@dataclass(frozen=True)
class OrderListRow:
    id: int
    store_id: int
    store_name: str
    amazon_order_id: str
    state: str
    amazon_status: str
    payment_hold: bool
    needs_mapping: bool
    purchase_date: str | None
    latest_ship_date: str | None
    service_level: str
    is_prime: bool
    is_business: bool
    units: int
    lines: int
    first_sku: str
    ship_city: str
    ship_country: str
    push_state: str | None  # worst package state (PUSH_WORST_FIRST) or None when nothing was packed
    flags: OrderFlags = field(
        default_factory=OrderFlags
    )  # cancellation request, programs, related orders, PO, pickup point
    holds: str = ""  # active holds set here, e.g. "operator, fraud" (Amazon's is payment_hold)
    warehouse: str = ""  # the warehouse it is allocated to (not routed yet: the primary)


@dataclass(frozen=True)
class DayBounds:
    """Today in the user's local time zone, as UTC ISO text comparable with the stored timestamps."""

    now: str
    end_of_today: str

    @staticmethod
    def at(now: datetime | None = None) -> DayBounds:
        local = (now or datetime.now().astimezone()).astimezone()
        end = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=local.tzinfo)
        return DayBounds(now=_iso(local), end_of_today=_iso(end))


def _iso(dt: datetime) -> str:
    from datetime import UTC

    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _quick_where(quick: QuickFilter, day: DayBounds) -> tuple[str, list[Any]]:
    if quick is QuickFilter.HELD:
        return "o.state = 'held'", []
    if quick is QuickFilter.RELEASED:
        return TO_PACK_SQL, []
    if quick is QuickFilter.DUE_TODAY:
        # To pack by the end of today, late ones included (they are the most urgent).
        return TO_PACK_SQL + " AND o.latest_ship_date < ?", [day.end_of_today]
    if quick is QuickFilter.PACKED_WAITING:
        return PACKED_WAITING_SQL, []
    if quick is QuickFilter.SHIPPED:
        return "o.state = 'shipped'", []
    if quick is QuickFilter.CANCELED:
        return "o.state = 'canceled'", []
    if quick is QuickFilter.NEEDS_MAPPING:
        return "o.needs_mapping = 1", []
    if quick is QuickFilter.ON_HOLD:
        return (
            "o.id IN (SELECT order_id FROM order_hold h "
            "WHERE h.released_at IS NULL AND (h.until_at IS NULL OR h.until_at > ?))",
            [day.now],
        )
    if quick is QuickFilter.PUSH_REJECTED:  # a rejected package is the worst: the kept rank 0
        return "o.push_rank = 0", []
    return "", []


_HOLDS_SQL = (  # the active holds set here, by name (the Hold column)
    "(SELECT group_concat(h.kind, ', ') FROM order_hold h WHERE h.order_id = o.id "
    "AND h.released_at IS NULL AND (h.until_at IS NULL OR h.until_at > strftime('%Y-%m-%dT%H:%M:%SZ', 'now')))"
)


def _search_where(search: str, *, materialize: bool = True, probe: bool = False) -> tuple[str, list[Any]]:
    """The search's condition (``order_search``): a full order id is one lookup; ``probe`` (a page) tests each
    order when many match; otherwise the matching ids (collected once per search when ``materialize``)."""
    text = search.strip()
    if not text:
        return "", []
    if _ORDER_ID_RE.match(text):  # a scanned/typed full order id: one index lookup
        return "o.amazon_order_id = ? COLLATE NOCASE", [text]  # its index on both backends
    plan = order_search.plan_search(text)
    if probe and plan.dense:
        return order_search.probe_sql(plan)
    if materialize and not dialect.is_postgres():  # the temp table's cache key is SQLite's data_version
        return f"o.id IN (SELECT id FROM {order_search.materialized_hits(plan)})", []  # noqa: S608
    sql, params = order_search.hits_sql(text, plan)
    return f"o.id IN ({sql})", params


def _where(
    query: OrderQuery, day: DayBounds, *, materialize: bool = True, probe: bool = False
) -> tuple[str, list[Any]]:
    parts: list[str] = []
    params: list[Any] = []
    searched = _search_where(query.search, materialize=materialize, probe=probe)
    for sql, args in (_quick_where(query.quick, day), searched):
        if sql:
            parts.append(sql)
            params.extend(args)
    if query.store_id is not None:
        parts.append("o.store_id = ?")
        params.append(query.store_id)
    if query.warehouse_id is not None:  # not routed yet: the primary's
        parts.append("coalesce(o.warehouse_id, (SELECT id FROM warehouse WHERE is_primary = 1)) = ?")
        params.append(query.warehouse_id)
    return (" WHERE " + " AND ".join(parts)) if parts else "", params


def _order_by(query: OrderQuery, day: DayBounds) -> tuple[str, list[Any]]:
    direction = " DESC" if query.descending else ""
    sort, params = (
        urgency_order(day.now, day.end_of_today)
        if query.sort is SortKey.URGENCY
        else (_SORT_SQL[query.sort], [])
    )
    exprs = [*sort, "o.id"]
    return " ORDER BY " + ", ".join(e + direction for e in exprs), params


_SELECT = (
    "SELECT o.id, o.store_id, s.name, o.amazon_order_id, o.state, o.amazon_status, o.payment_hold, "  # noqa: S608
    "o.needs_mapping, o.purchase_date, o.latest_ship_date, o.service_level, o.is_prime, o.is_business, "
    "o.units, (SELECT count(*) FROM order_item i WHERE i.order_id = o.id), "
    "(SELECT i.seller_sku FROM order_item i WHERE i.order_id = o.id ORDER BY i.id LIMIT 1), "
    "o.ship_city, o.ship_country, "
    f"{_PUSH_RANK_SQL}, {_HOLDS_SQL}, {FLAG_COLUMNS_SQL}, "
    "coalesce((SELECT w.name FROM warehouse w WHERE w.id = o.warehouse_id), "  # not routed yet: the primary
    "(SELECT w.name FROM warehouse w WHERE w.is_primary = 1), '') "
    "FROM orders o JOIN store s ON s.id = o.store_id"
)


def _row(r: tuple[Any, ...]) -> OrderListRow:
    rank = r[18]
    return OrderListRow(
        id=r[0],
        store_id=r[1],
        store_name=r[2],
        amazon_order_id=r[3],
        state=r[4],
        amazon_status=r[5],
        payment_hold=bool(r[6]),
        needs_mapping=bool(r[7]),
        purchase_date=r[8],
        latest_ship_date=r[9],
        service_level=r[10],
        is_prime=bool(r[11]),
        is_business=bool(r[12]),
        units=int(r[13]),
        lines=int(r[14]),
        first_sku=r[15] or "",
        ship_city=r[16],
        ship_country=r[17],
        push_state=None if rank is None else PUSH_WORST_FIRST[int(rank)],
        holds=r[19] or "",
        flags=flags_from(*r[20:26]),
        warehouse=r[26],
    )


def order_page_sql(
    query: OrderQuery,
    offset: int,
    limit: int,
    day: DayBounds,
    *,
    materialize: bool = True,
    plan: PagePlan | None = None,
) -> tuple[str, list[Any]]:
    """The SQL and parameters of one page (the bench times it with ``materialize=False`` as a floor).

    The page's ids are picked first from the orders alone (an index in sort order, or the filter's index when
    it is narrower), then only those orders are read with their items, packages and holds."""
    where, params = _where(query, day, materialize=materialize, probe=True)
    order_by, order_params = _order_by(query, day)
    if query.sort is SortKey.URGENCY and query.quick in _TO_PACK_FILTERS:  # index ranges in urgency order
        page, page_params = urgency_page_sql(
            where, params, day.now, day.end_of_today, limit, offset, nulls_last=dialect.is_postgres()
        )
        return _SELECT + " WHERE o.id IN (" + page + ")" + order_by, [*page_params, *order_params]
    # Packed-waiting is a few orders: sorted whole, from the packing queue's index.
    if query.sort is SortKey.URGENCY and query.quick in _OPEN_FILTERS:
        plan = PagePlan(URGENCY_INDEX)
    elif plan is None:
        plan = plan_page(query, where, params)
    if plan.excluded is not None:  # the ids the filter leaves out, skipped along the sort's index
        scan = f"FROM orders o {plan.index} WHERE o.id NOT IN ({plan.excluded})"
        params = []  # the exclusion stands for the filter, which took none
    elif plan.matched is not None:  # the filter's ids, matched along the sort's index (see page_plan)
        kept = f"SELECT o.id FROM orders o {plan.matched}{where}"  # noqa: S608 - constant fragments
        scan = f"FROM orders o {plan.index} WHERE o.id IN ({kept})"
    else:
        scan = f"FROM orders o {plan.index}{where}"
    page = "SELECT o.id " + scan + order_by + " LIMIT ? OFFSET ?"
    sql = _SELECT + " WHERE o.id IN (" + page + ")" + order_by
    return sql, [*params, *order_params, limit, offset, *order_params]


def fetch_orders(
    query: OrderQuery, offset: int, limit: int, *, day: DayBounds | None = None
) -> list[OrderListRow]:
    """One page of orders matching ``query`` in its sort order (read as ``page_plan`` decides)."""
    day = day or DayBounds.at()
    plan = PagePlan() if query.search.strip() else plan_page(query, *_where(query, day))  # a search: its own
    sql, params = order_page_sql(query, offset, limit, day, plan=plan)
    rows = dialect.execute(sql, params).fetchall()
    return [_row(r) for r in rows]


def order_count_sql(query: OrderQuery, day: DayBounds, *, materialize: bool = True) -> tuple[str, list[Any]]:
    """The SQL and parameters of the count (see ``order_page_sql``)."""
    where, params = _where(query, day, materialize=materialize)
    return "SELECT count(*) FROM orders o" + where, params  # noqa: S608 - constant fragments, parameters


def count_orders(query: OrderQuery, *, day: DayBounds | None = None, materialize: bool = True) -> int:
    """How many orders match ``query`` (an index-only count for the quick filters). ``materialize=False``
    on a thread whose connection is short-lived (the search's temp table belongs to a connection)."""
    sql, params = order_count_sql(query, day or DayBounds.at(), materialize=materialize)
    row = dialect.execute(sql, params).fetchone()
    return int(row[0])


def quick_filter_counts(
    *, store_id: int | None = None, warehouse_id: int | None = None, day: DayBounds | None = None
) -> dict[QuickFilter, int]:
    """The number shown next to each quick filter (a handful of index-only counts), for one store and one
    warehouse when given (the Orders tab's filters: the counts match the rows each filter shows)."""
    day = day or DayBounds.at()
    where, args = "", list[Any]()
    if store_id is not None:
        where, args = " AND store_id = ?", [store_id]
    if warehouse_id is not None:  # not routed yet: the primary's (as in OrderQuery)
        where += " AND coalesce(warehouse_id, (SELECT id FROM warehouse WHERE is_primary = 1)) = ?"
        args.append(warehouse_id)
    counts = dict.fromkeys(QuickFilter, 0)
    by_state = dialect.execute(
        "SELECT state, count(*) FROM orders WHERE 1" + where + " GROUP BY state",  # noqa: S608
        args,
    ).fetchall()
    states = {s: int(n) for s, n in by_state}
    counts[QuickFilter.ALL] = sum(states.values())
    counts[QuickFilter.HELD] = states.get(OrderState.HELD, 0)
    counts[QuickFilter.SHIPPED] = states.get(OrderState.SHIPPED, 0)
    counts[QuickFilter.CANCELED] = states.get(OrderState.CANCELED, 0)
    for quick in (
        QuickFilter.RELEASED,
        QuickFilter.PACKED_WAITING,
        QuickFilter.DUE_TODAY,
        QuickFilter.NEEDS_MAPPING,
        QuickFilter.PUSH_REJECTED,
        QuickFilter.ON_HOLD,
    ):
        query = OrderQuery(quick=quick, store_id=store_id, warehouse_id=warehouse_id)
        counts[quick] = count_orders(query, day=day)
    return counts


def find_order_ids(text: str) -> list[tuple[int, str, str]]:
    """Orders whose Amazon order id is exactly ``text`` (any store): ``(id, amazon_order_id, store name)``.

    Used by the scan box: a scanner types the full id, so this is an exact, indexed lookup.
    """
    clean = text.strip()
    if not clean:
        return []
    rows = dialect.execute(
        "SELECT o.id, o.amazon_order_id, s.name FROM orders o JOIN store s ON s.id = o.store_id "
        "WHERE o.amazon_order_id = ? COLLATE NOCASE ORDER BY o.id",
        [clean],
    ).fetchall()
    return [(int(r[0]), str(r[1]), str(r[2])) for r in rows]
