"""The Orders tab's kept sort columns (units, push_rank) always equal what they summarize (schema_order_list_scale)."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from fbm_desk.db import OpenedDatabase, dialect
from fbm_desk.db.order_views import PUSH_WORST_FIRST, DayBounds, OrderQuery, SortKey, fetch_orders
from tests.support.demo_data import generate

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
RANK_SQL = (
    "(SELECT min(CASE p.push_state WHEN 'rejected' THEN 0 WHEN 'queued' THEN 1 WHEN 'sent' THEN 2 ELSE 3 END) "
    "FROM package p WHERE p.order_id = o.id)"
)


# The definition: an unconfirmed package and no unit left to pack (what packing_queue computed per refresh).
FULLY_PACKED_SQL = (
    "CASE WHEN EXISTS (SELECT 1 FROM package p WHERE p.order_id = o.id AND p.push_state IN ('queued', 'sent')) "
    "AND NOT EXISTS (SELECT 1 FROM order_item i WHERE i.order_id = o.id AND i.quantity > i.quantity_shipped + "
    "coalesce((SELECT sum(pi.quantity) FROM package q JOIN package_item pi ON pi.package_id = q.id "
    "WHERE q.order_id = i.order_id AND q.push_state IN ('queued', 'sent') AND pi.order_item_id = i.id), 0)) "
    "THEN 1 ELSE 0 END"
)
MISMATCHES_SQL = (
    "SELECT * FROM (SELECT o.id, o.units, "  # noqa: S608 - constant text
    "coalesce((SELECT sum(i.quantity) FROM order_item i WHERE i.order_id = o.id), 0) AS u, "
    f"o.push_rank, {RANK_SQL} AS r, o.fully_packed, {FULLY_PACKED_SQL} AS f FROM orders o) x "
    "WHERE units <> u OR push_rank IS NOT r OR fully_packed <> f"
)


def _mismatches() -> list[tuple[object, ...]]:
    return [tuple(r) for r in dialect.execute(MISMATCHES_SQL).fetchall()]


def _one(sql: str, params: tuple[object, ...] = ()) -> list[int]:
    return [int(r[0]) for r in dialect.execute(sql, params).fetchall()]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_units_and_push_rank_follow_every_change(db: OpenedDatabase, seed: int) -> None:
    generate(db.db, orders=120, seed=seed, now=NOW)
    assert _mismatches() == []
    rnd = random.Random(seed)
    orders = _one("SELECT id FROM orders")
    states = [s.value for s in PUSH_WORST_FIRST]
    for n in range(200):
        step = rnd.randrange(9)
        items = _one("SELECT id FROM order_item")
        packages = _one("SELECT id FROM package")
        lines = _one("SELECT id FROM package_item")
        if step == 0:
            dialect.execute(
                "INSERT INTO order_item (order_id, order_item_id, seller_sku, title, quantity, quantity_shipped) "
                "VALUES (?, ?, 'SORT-TEST', 'Sort test', ?, 0)",
                (rnd.choice(orders), f"sort-{rnd.random()}", rnd.randint(1, 5)),
            )
        elif step == 1 and items:
            dialect.execute(
                "UPDATE order_item SET quantity = ? WHERE id = ?", (rnd.randint(1, 9), rnd.choice(items))
            )
        elif step == 2 and items:
            dialect.execute(
                "UPDATE order_item SET order_id = ? WHERE id = ?", (rnd.choice(orders), rnd.choice(items))
            )
        elif step == 3 and packages:
            dialect.execute(
                "UPDATE package SET push_state = ? WHERE id = ?", (rnd.choice(states), rnd.choice(packages))
            )
        elif step == 4 and packages:
            dialect.execute(
                "UPDATE package SET order_id = ?, package_reference_id = ? WHERE id = ?",
                (rnd.choice(orders), 1000 + n, rnd.choice(packages)),
            )
        elif step == 5 and packages:
            victim = rnd.choice(packages)
            dialect.execute("DELETE FROM package_item WHERE package_id = ?", (victim,))
            dialect.execute("DELETE FROM package WHERE id = ?", (victim,))
        elif step == 6 and items:  # Amazon confirms units shipped (or a sync corrects them)
            dialect.execute(
                "UPDATE order_item SET quantity_shipped = ? WHERE id = ?",
                (rnd.randint(0, 3), rnd.choice(items)),
            )
        elif step == 7 and packages and items:  # a package line (a unit packed)
            item = rnd.choice(items)
            owner = _one("SELECT order_id FROM order_item WHERE id = ?", (item,))[0]
            mine = _one("SELECT id FROM package WHERE order_id = ?", (owner,)) or packages
            dialect.execute(
                "INSERT INTO package_item (package_id, order_item_id, quantity) VALUES (?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                (rnd.choice(mine), item, rnd.randint(1, 3)),
            )
        elif step == 8 and lines:
            victim = rnd.choice(lines)
            if rnd.random() < 0.5:
                dialect.execute(
                    "UPDATE package_item SET quantity = ? WHERE id = ?", (rnd.randint(1, 4), victim)
                )
            else:
                dialect.execute("DELETE FROM package_item WHERE id = ?", (victim,))
        assert _mismatches() == [], f"step {step}"
    for victim in rnd.sample(items, 10):  # and items going away
        dialect.execute("DELETE FROM package_item WHERE order_item_id = ?", (victim,))
        dialect.execute("DELETE FROM order_item WHERE id = ?", (victim,))
    assert _mismatches() == []


def test_items_and_tracking_push_sorts_read_the_kept_columns(db: OpenedDatabase) -> None:
    generate(db.db, orders=150, seed=4, now=NOW)
    day = DayBounds.at(NOW)
    rows = fetch_orders(OrderQuery(sort=SortKey.ITEMS, descending=True), 0, 150, day=day)
    assert [r.units for r in rows] == sorted((r.units for r in rows), reverse=True)
    ranked = fetch_orders(OrderQuery(sort=SortKey.PUSH_STATE, descending=False), 0, 150, day=day)
    worst = [PUSH_WORST_FIRST.index(r.push_state) for r in ranked if r.push_state is not None]  # type: ignore[arg-type]
    assert worst == sorted(worst)
