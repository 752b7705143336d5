"""Orders read model: quick filters, search, store filter, SQL sorting and paging (no Qt)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from fbm_desk.db import OpenedDatabase
from fbm_desk.db.order_views import (
    DayBounds,
    OrderQuery,
    QuickFilter,
    SortKey,
    count_orders,
    fetch_orders,
    find_order_ids,
    quick_filter_counts,
)
from tests.support.demo_data import add_order, generate

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
DAY = DayBounds.at(NOW)


@pytest.fixture
def world(db: OpenedDatabase) -> Iterator[OpenedDatabase]:
    generate(db.db, orders=400, seed=3, now=NOW)
    return db


def _all(query: OrderQuery, page: int = 37) -> list[int]:
    ids: list[int] = []
    offset = 0
    while True:
        rows = fetch_orders(query, offset, page, day=DAY)
        ids.extend(r.id for r in rows)
        if len(rows) < page:
            return ids
        offset += page


def _sql(db: OpenedDatabase, sql: str, *args: object) -> list[tuple[object, ...]]:
    return list(db.db.execute_sql(sql, args).fetchall())


def test_quick_filter_counts_match_the_rows_they_show(world: OpenedDatabase) -> None:
    counts = quick_filter_counts(day=DAY)
    assert counts[QuickFilter.ALL] == 400
    for quick in QuickFilter:
        assert count_orders(OrderQuery(quick=quick), day=DAY) == counts[quick]
        assert len(_all(OrderQuery(quick=quick))) == counts[quick]
    held = _sql(world, "SELECT count(*) FROM orders WHERE state = 'held'")[0][0]
    assert counts[QuickFilter.HELD] == held > 0
    rejected = _sql(world, "SELECT count(DISTINCT order_id) FROM package WHERE push_state = 'rejected'")[0][0]
    assert counts[QuickFilter.PUSH_REJECTED] == rejected
    for row in fetch_orders(OrderQuery(quick=QuickFilter.RELEASED), 0, 500, day=DAY):
        assert row.state in ("released", "partially_shipped")
    for row in fetch_orders(OrderQuery(quick=QuickFilter.PUSH_REJECTED), 0, 500, day=DAY):
        assert row.push_state == "rejected"


def test_due_today_means_to_pack_with_ship_by_before_tonight(db: OpenedDatabase) -> None:
    generate(db.db, orders=0, now=NOW)
    today = add_order(db.db, "111-0000001-0000001", latest_ship_date="2026-11-24T13:00:00Z")
    late = add_order(db.db, "111-0000001-0000002", latest_ship_date="2026-11-23T10:00:00Z")
    add_order(db.db, "111-0000001-0000003", latest_ship_date="2026-11-29T10:00:00Z")  # later
    add_order(db.db, "111-0000001-0000004", state="shipped", latest_ship_date="2026-11-23T10:00:00Z")
    add_order(db.db, "111-0000001-0000005", state="held", latest_ship_date="2026-11-23T10:00:00Z")
    # End of today in UTC for a UTC "local" zone.
    day = DayBounds(now="2026-11-24T12:00:00Z", end_of_today="2026-11-25T00:00:00Z")
    ids = {r.id for r in fetch_orders(OrderQuery(quick=QuickFilter.DUE_TODAY), 0, 50, day=day)}
    assert ids == {today, late}


@pytest.mark.parametrize("key", list(SortKey))
@pytest.mark.parametrize("descending", [False, True])
def test_paging_is_stable_for_every_sort(world: OpenedDatabase, key: SortKey, descending: bool) -> None:
    query = OrderQuery(sort=key, descending=descending)
    ids = _all(query)
    assert len(ids) == len(set(ids)) == 400  # no page overlaps, nothing skipped


def test_sort_orders_by_the_column(world: OpenedDatabase) -> None:
    rows = fetch_orders(OrderQuery(sort=SortKey.SHIP_BY, descending=False), 0, 400, day=DAY)
    dates = [r.latest_ship_date or "" for r in rows]
    assert dates == sorted(dates)
    rows = fetch_orders(OrderQuery(sort=SortKey.ITEMS, descending=True), 0, 400, day=DAY)
    units = [r.units for r in rows]
    assert units == sorted(units, reverse=True)
    rows = fetch_orders(OrderQuery(sort=SortKey.ORDER_ID, descending=False), 0, 400, day=DAY)
    assert [r.amazon_order_id for r in rows] == sorted(r.amazon_order_id for r in rows)


def test_search_by_order_id_sku_buyer_and_tracking(world: OpenedDatabase) -> None:
    generate(world.db, orders=0, now=NOW)
    target = add_order(
        world.db,
        "999-1234567-7654321",
        items=(("SOAP-LAV-OAT", 2), ("NAPKIN-SAGE-4", 1)),
        buyer_name="Zelda Quux",
    )
    _sql(
        world,
        "INSERT INTO package (order_id, package_reference_id, carrier_code, tracking_number, ship_date, "
        "created_at, updated_at) VALUES (?, 1, 'UPS', '1ZUNIQUETRACK0001', '2026-11-24', 'x', 'x')",
        target,
    )

    def found(text: str) -> set[int]:
        return {r.id for r in fetch_orders(OrderQuery(search=text), 0, 1000, day=DAY)}

    assert found("999-1234567-7654321") == {target}  # full id: exact
    assert found("999-12") == {target}  # id prefix
    assert found("zelda") == {target}  # buyer, any case, part of the name
    assert found("quux") == {target}
    assert found("1zunique") == {target}  # tracking prefix, any case
    soap = found("soap-lav")
    expected = {
        r[0] for r in _sql(world, "SELECT order_id FROM order_item WHERE seller_sku = 'SOAP-LAV-OAT'")
    }
    assert soap == expected
    assert target in soap
    assert found("no-such-thing") == set()
    assert found("50%_") == set()  # LIKE wildcards are literal
    assert count_orders(OrderQuery(search="zelda", quick=QuickFilter.SHIPPED), day=DAY) == 0


def test_store_filter_and_scan_lookup(world: OpenedDatabase) -> None:
    stores = _sql(world, "SELECT id FROM store ORDER BY id")
    first = int(stores[0][0])  # type: ignore[call-overload]
    rows = fetch_orders(OrderQuery(store_id=first), 0, 1000, day=DAY)
    assert rows
    assert all(r.store_id == first for r in rows)
    assert quick_filter_counts(store_id=first, day=DAY)[QuickFilter.ALL] == len(rows)
    some = rows[0]
    assert find_order_ids(f"  {some.amazon_order_id} ") == [(some.id, some.amazon_order_id, some.store_name)]
    assert find_order_ids("000-0000000-0000000") == []


def pii_tokens(name: str) -> set[int]:
    from fbm_desk.db import pii

    cipher = pii.cipher()
    assert cipher is not None
    return cipher.name_tokens(name)


@pytest.mark.sqlite_only  # an old SQLite file / SQLite's own change counter
def test_search_results_follow_new_data_from_any_connection(world: OpenedDatabase) -> None:
    import sqlite3

    query = OrderQuery(search="rumpelstilz")
    assert count_orders(query, day=DAY) == 0
    add_order(world.db, "888-0000000-0000001", buyer_name="Ida Rumpelstilz")  # this connection writes
    assert count_orders(query, day=DAY) == 1
    other = sqlite3.connect(world.path)  # e.g. a sync worker thread's own connection
    with other:
        # names are encrypted: a rename reaches the search through the blind index (db/name_index.py)
        other.executemany(
            "INSERT INTO buyer_name_token (order_id, token) SELECT min(id), ? FROM orders "
            "WHERE amazon_order_id != ?",
            [(t, "888-0000000-0000001") for t in pii_tokens("Rumpelstilz Two")],
        )
    other.close()
    assert count_orders(query, day=DAY) == 2
    assert len(fetch_orders(query, 0, 10, day=DAY)) == 2


@pytest.mark.sqlite_only  # the cache of the search's temp table is SQLite's (order_search.materialized_hits)
def test_a_new_connection_at_a_closed_ones_address_evaluates_the_search_afresh(world: OpenedDatabase) -> None:
    """``id(conn)`` of a closed connection can be a new connection's: its cache entry must not stand for a temp
    table the new connection never made (a flaky failure of the full suite before)."""
    from fbm_desk.db.models import database_proxy

    query = OrderQuery(search="dubois")
    want = count_orders(query, day=DAY)
    assert want > 0
    conn = database_proxy.connection()
    conn.execute("DROP TABLE temp.fbm_search_hits")  # as a new connection at the same address has no table
    assert count_orders(query, day=DAY) == want
    assert len(fetch_orders(query, 0, 500, day=DAY)) == min(want, 500)


@pytest.mark.parametrize("text", ["soap", "SOAP-LAV", "dubois", "marie dubois", "1Z", "11", "no-such", "a"])
@pytest.mark.parametrize("sort", [SortKey.PURCHASE_DATE, SortKey.ITEMS, SortKey.SHIP_TO])
def test_a_search_matching_many_orders_probes_in_sort_order_with_the_same_rows(
    world: OpenedDatabase, monkeypatch: pytest.MonkeyPatch, text: str, sort: SortKey
) -> None:
    """Many hits: the page is read in sort order, each order probed (order_search); the rows, their order and
    the count are those of the collected-ids path."""
    from fbm_desk.db import order_search

    query = OrderQuery(search=text, sort=sort)
    monkeypatch.setattr(order_search, "DENSE_HITS", 10**9)  # never dense: the ids are collected
    assert not order_search.plan_search(text).dense
    collected, count = _all(query), count_orders(query, day=DAY)
    monkeypatch.setattr(order_search, "DENSE_HITS", 1)  # dense as soon as anything matches
    assert order_search.plan_search(text).dense == bool(collected)
    assert _all(query) == collected
    assert count_orders(query, day=DAY) == count == len(collected)
    shipped = OrderQuery(search=text, sort=sort, quick=QuickFilter.SHIPPED)
    assert set(_all(shipped)) <= set(collected)


@pytest.mark.parametrize("quick", [QuickFilter.RELEASED, QuickFilter.DUE_TODAY, QuickFilter.PACKED_WAITING])
def test_the_packing_queue_read_as_index_ranges_is_the_urgency_order(
    world: OpenedDatabase, quick: QuickFilter
) -> None:
    """Urgency pages read range by range (late / due today / later, Prime first, no ship-by date where the
    backend sorts NULL) give exactly the rows and order of sorting every open order, at any offset."""
    from fbm_desk.db import dialect
    from fbm_desk.db.order_views import _order_by, _where

    for n, (ship_by, prime) in enumerate(
        [(None, 1), (None, 0), ("2026-11-24T12:00:00Z", 1), ("2026-11-24T11:00:00Z", 0)]
    ):
        oid = add_order(world.db, f"555-0000000-000000{n}", purchase_date=f"2026-11-2{n}T10:00:00Z")
        _sql(world, "UPDATE orders SET latest_ship_date = ?, is_prime = ? WHERE id = ?", ship_by, prime, oid)
    query = OrderQuery(quick=quick, sort=SortKey.URGENCY, descending=False)
    where, params = _where(query, DAY)
    order_by, order_params = _order_by(query, DAY)
    every = [
        int(r[0])
        for r in dialect.execute(
            f"SELECT o.id FROM orders o{where}{order_by}",  # noqa: S608 - the module's own fragments
            [*params, *order_params],
        ).fetchall()
    ]
    assert len(every) == count_orders(query, day=DAY)
    for page in (7, 50, 1000):
        assert _all(query, page=page) == every
