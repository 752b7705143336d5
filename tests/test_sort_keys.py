"""The date sort keys (schema_sort_keys.sql): SQLite's indexes hold whole seconds, and every date sort still
gives the order of the ISO text, on both backends."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from fbm_desk.db import OpenedDatabase, dialect
from fbm_desk.db.order_views import DayBounds, OrderQuery, SortKey, fetch_orders
from tests.support.demo_data import generate

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
DAY = DayBounds.at(NOW)
# Each date sort: the text columns it must follow, after the sort's own column(s).
_DATE_SORTS = {
    SortKey.PURCHASE_DATE: ("purchase_date",),
    SortKey.SHIP_BY: ("latest_ship_date",),
    SortKey.STORE: ("store_id", "purchase_date"),
    SortKey.STATE: ("state", "latest_ship_date"),
    SortKey.PAYMENT_HOLD: ("payment_hold", "purchase_date"),
    SortKey.SERVICE_LEVEL: ("service_level", "purchase_date"),
    SortKey.PRIME_BUSINESS: ("is_prime", "is_business", "purchase_date"),
    SortKey.PUSH_STATE: ("push_rank", "purchase_date"),
}


def _messy_dates(seed: int) -> None:
    """Dates as Amazon sends them: fractional seconds on some, the same second on several, none on a few."""
    rnd = random.Random(seed)
    ids = [int(r[0]) for r in dialect.execute("SELECT id FROM orders").fetchall()]
    base = NOW - timedelta(days=3)
    for order_id in ids:
        second = base + timedelta(seconds=rnd.randrange(40))  # many orders share a second
        purchased = second.strftime("%Y-%m-%dT%H:%M:%S") + rnd.choice(["Z", ".250Z", ".999Z"])
        ship_by = None if rnd.random() < 0.1 else (second + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        dialect.execute(
            "UPDATE orders SET purchase_date = ?, latest_ship_date = ? WHERE id = ?",
            [None if rnd.random() < 0.05 else purchased, ship_by, order_id],
        )


def _whole_second(value: object) -> object:
    return None if value is None else str(value)[:19]


def _expected(columns: tuple[str, ...], descending: bool) -> list[int]:
    """The sort by the text columns at whole seconds (what the keys hold), then id; NULL first ascending."""
    rows = dialect.execute(f"SELECT id, {', '.join(columns)} FROM orders").fetchall()  # noqa: S608 - constants

    def key(row: tuple[object, ...]) -> tuple[object, ...]:
        parts: list[object] = []
        for name, value in zip(columns, row[1:], strict=True):
            value = _whole_second(value) if name.endswith("_date") else value
            parts.extend([value is not None, "" if value is None else value])
        return (*parts, row[0])

    ordered = sorted(rows, key=key, reverse=descending)
    return [int(r[0]) for r in ordered]


@pytest.mark.sqlite_only  # PostgreSQL sorts NULLs last ascending; its order is checked below without NULLs
@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("sort", list(_DATE_SORTS))
def test_every_date_sort_follows_the_dates_to_the_second(
    db: OpenedDatabase, sort: SortKey, descending: bool
) -> None:
    generate(db.db, orders=150, seed=4, now=NOW)
    _messy_dates(4)
    got = [r.id for r in fetch_orders(OrderQuery(sort=sort, descending=descending), 0, 1000, day=DAY)]
    assert got == _expected(_DATE_SORTS[sort], descending)


@pytest.mark.parametrize("descending", [False, True])
def test_purchase_date_sort_is_the_text_order_on_both_backends(db: OpenedDatabase, descending: bool) -> None:
    generate(db.db, orders=150, seed=5, now=NOW)
    dialect.execute(
        "UPDATE orders SET purchase_date = ? WHERE purchase_date IS NULL", ["2026-11-20T10:00:00Z"]
    )
    got = [r.id for r in fetch_orders(OrderQuery(sort=SortKey.PURCHASE_DATE, descending=descending), 0, 1000)]
    assert got == _expected(("purchase_date",), descending)


@pytest.mark.sqlite_only  # the keys are SQLite's storage layout
def test_the_keys_are_the_dates_in_seconds_and_never_stored_in_the_row(db: OpenedDatabase) -> None:
    generate(db.db, orders=40, seed=6, now=NOW)
    _messy_dates(6)
    rows = db.db.execute_sql("SELECT purchase_date, purchase_ts, latest_ship_date, ship_by_ts FROM orders")
    for purchased, purchase_ts, ship_by, ship_by_ts in rows.fetchall():
        for text, key in ((purchased, purchase_ts), (ship_by, ship_by_ts)):
            want = None if text is None else int(datetime.fromisoformat(text[:19] + "+00:00").timestamp())
            assert key == want
    hidden = {r[1]: r[6] for r in db.db.execute_sql("PRAGMA table_xinfo(orders)").fetchall()}
    assert hidden["purchase_ts"] == 2
    assert hidden["ship_by_ts"] == 2


@pytest.mark.sqlite_only
@pytest.mark.parametrize("sort", list(_DATE_SORTS))
def test_each_date_sort_reads_its_index_in_order(db: OpenedDatabase, sort: SortKey) -> None:
    generate(db.db, orders=300, seed=7, now=NOW)
    db.db.execute_sql("ANALYZE")
    from fbm_desk.db.order_views import order_page_sql

    sql, params = order_page_sql(OrderQuery(sort=sort), 0, 50, DAY)
    page = sql[sql.index("(SELECT o.id FROM orders") + 1 : sql.index(" LIMIT ? OFFSET ?")]
    plan = " | ".join(
        str(r[3]) for r in db.db.execute_sql("EXPLAIN QUERY PLAN " + page, params[:-3]).fetchall()
    )
    assert "USING INDEX" in plan or "USING COVERING INDEX" in plan, plan
    assert "TEMP B-TREE" not in plan, plan  # the index gives the order: nothing sorted after


def test_postgresql_reads_the_text_columns() -> None:
    translated = dialect.to_postgres(
        "SELECT o.id FROM orders o ORDER BY o.store_id, o.purchase_ts DESC, o.ship_by_ts"
    )
    assert (
        translated
        == "SELECT o.id FROM orders o ORDER BY o.store_id, o.purchase_date DESC, o.latest_ship_date"
    )
