"""The Orders tab's page plans (page_plan): from the filter, along the sort matched by id, or along the sort —
each gives exactly the rows and order of the plain query, on both backends."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fbm_desk.db import OpenedDatabase, dialect, page_plan
from fbm_desk.db.order_views import DayBounds, OrderQuery, QuickFilter, SortKey, fetch_orders, order_page_sql
from tests.support.demo_data import generate

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
DAY = DayBounds.at(NOW)
_FILTERS = [q for q in QuickFilter if q is not QuickFilter.ON_HOLD]
_SORTS = [s for s in SortKey if s is not SortKey.URGENCY]


def _plain(query: OrderQuery, offset: int, limit: int) -> list[int]:
    """The page as the planner reads it unhinted (the reference)."""
    sql, params = order_page_sql(query, offset, limit, DAY, plan=page_plan.PagePlan())
    return [int(r[0]) for r in dialect.execute(sql, params).fetchall()]


def _pages(query: OrderQuery) -> list[list[int]]:
    return [[r.id for r in fetch_orders(query, offset, 25, day=DAY)] for offset in (0, 25, 140)]


@pytest.mark.parametrize(
    ("few", "always", "share"),
    [(10**9, 10**9, 1.0), (0, 10**9, 1.0), (0, 0, 0.0)],
    ids=["from-the-filter", "along-the-sort-matched-by-id", "along-the-sort"],
)
def test_every_plan_gives_the_plain_querys_rows(
    db: OpenedDatabase, monkeypatch: pytest.MonkeyPatch, few: int, always: int, share: float
) -> None:
    generate(db.db, orders=400, seed=11, now=NOW)
    monkeypatch.setattr(page_plan, "FEW", few)
    monkeypatch.setattr(page_plan, "WALK_ALWAYS", always)
    monkeypatch.setattr(page_plan, "VERY_MANY_SHARE", share)
    store_id = int(dialect.execute("SELECT min(store_id) FROM orders").fetchone()[0])
    for quick in _FILTERS:
        for sort in _SORTS:
            for descending in (False, True):
                for store in (None, store_id):
                    query = OrderQuery(quick=quick, sort=sort, descending=descending, store_id=store)
                    want = [_plain(query, offset, 25) for offset in (0, 25, 140)]
                    assert _pages(query) == want, (quick, sort, descending, store)


@pytest.mark.sqlite_only  # PostgreSQL plans by its own statistics: nothing is hinted there
def test_the_plan_follows_how_many_orders_the_filter_keeps(
    db: OpenedDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    generate(db.db, orders=300, seed=12, now=NOW)
    held = int(dialect.execute("SELECT count(*) FROM orders WHERE state = 'held'").fetchone()[0])
    shipped = int(dialect.execute("SELECT count(*) FROM orders WHERE state = 'shipped'").fetchone()[0])
    assert 0 < held < shipped
    monkeypatch.setattr(page_plan, "FEW", held + 1)
    monkeypatch.setattr(page_plan, "WALK_ALWAYS", shipped)
    monkeypatch.setattr(page_plan, "VERY_MANY_SHARE", 1.0)

    def plan(quick: QuickFilter, sort: SortKey, store_id: int | None = None) -> page_plan.PagePlan:
        query = OrderQuery(quick=quick, sort=sort, store_id=store_id)
        from fbm_desk.db.order_views import _where

        return page_plan.plan_page(query, *_where(query, DAY))

    # few: read from the filter's index and sorted
    assert plan(QuickFilter.HELD, SortKey.SERVICE_LEVEL) == page_plan.PagePlan(
        "INDEXED BY orders_state_purchase"
    )
    # very many: along the sort's index, skipping the other states' ids; within a store, testing each row
    assert plan(QuickFilter.SHIPPED, SortKey.ITEMS) == page_plan.PagePlan(
        "INDEXED BY orders_units",
        excluded="SELECT o.id FROM orders o INDEXED BY orders_state_purchase "
        "WHERE o.state IN ('held', 'released', 'partially_shipped', 'canceled')",
    )
    assert plan(QuickFilter.SHIPPED, SortKey.ITEMS, store_id=1) in (
        page_plan.PagePlan("INDEXED BY orders_units"),  # the store's shipped orders: very many
        page_plan.PagePlan("INDEXED BY orders_units", "INDEXED BY orders_state_purchase"),
    )
    # between: along the sort, each entry matched against the filter's ids
    monkeypatch.setattr(page_plan, "WALK_ALWAYS", shipped + 1)
    assert plan(QuickFilter.SHIPPED, SortKey.ITEMS) == page_plan.PagePlan(
        "INDEXED BY orders_units", "INDEXED BY orders_state_purchase"
    )
    # in a smaller table, half of its orders are very many
    monkeypatch.setattr(page_plan, "WALK_ALWAYS", 10**9)
    monkeypatch.setattr(page_plan, "VERY_MANY_SHARE", 0.5)
    assert shipped > 150  # of 300
    assert plan(QuickFilter.SHIPPED, SortKey.ITEMS).excluded is not None
    # one index serves filter and sort: no count needed
    assert plan(QuickFilter.SHIPPED, SortKey.SHIP_BY) == page_plan.PagePlan("INDEXED BY orders_state")
    assert plan(QuickFilter.ALL, SortKey.PURCHASE_DATE, store_id=1) == page_plan.PagePlan(
        "INDEXED BY orders_store_purchase"
    )
    # no filter, a search or the urgency order: the planner's own choice
    assert plan(QuickFilter.ALL, SortKey.ITEMS) == page_plan.PagePlan()
    assert plan(QuickFilter.RELEASED, SortKey.URGENCY) == page_plan.PagePlan()


@pytest.mark.sqlite_only
def test_matching_by_id_reads_no_table_row_along_the_sort(
    db: OpenedDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The middle plan: the filter's ids from its index alone, the sort's index walked in order, matched by id."""
    generate(db.db, orders=300, seed=14, now=NOW)
    monkeypatch.setattr(page_plan, "FEW", 0)
    monkeypatch.setattr(page_plan, "WALK_ALWAYS", 10**9)
    monkeypatch.setattr(page_plan, "VERY_MANY_SHARE", 1.0)
    query = OrderQuery(quick=QuickFilter.CANCELED, sort=SortKey.ITEMS)
    sql, params = order_page_sql(query, 0, 25, DAY)
    page = sql[sql.index("(SELECT o.id FROM orders") + 1 : sql.index(" LIMIT ? OFFSET ?")]
    plan = [str(r[3]) for r in db.db.execute_sql("EXPLAIN QUERY PLAN " + page, params[:-3]).fetchall()]
    assert plan[0] == "SCAN o USING COVERING INDEX orders_units", plan  # in sort order, no row read
    assert any("COVERING INDEX orders_state_purchase" in step for step in plan), plan
    assert not any("TEMP B-TREE" in step for step in plan), plan
