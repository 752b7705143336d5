"""The kept allocation (``stock_allocation``, ``schema_stock_allocation.sql``) is the sum over the open orders.

The stock model reads the open orders' unshipped units per product and warehouse from a table its triggers keep,
instead of summing every open order's items on each read (issue 19). Here the straightforward computation — the
sum over the orders, as the stock model read it before — is the truth. A random world (the one of
``test_stock_summary``: 3 warehouses, open and closed orders, items routed or not) goes through random changes
to every input of the allocation, single-row and multi-row, on both backends; after each:

- the kept rows, each warehouse resolved as readers do (0: the primary), equal the sum over the orders;
- every product's stock row (on hand, allocated, available, what the next push sends) equals the one computed
  with that sum, and so does the Inventory tab's warehouse filter;
- the open orders counted in a warehouse before it may be deactivated (``warehouses.holds``, read from the
  migration's partial indexes) are the open orders routed there, whole or by an item;
- the open orders listed as holding a product's units (``holding_orders``, read from the kept ``held_units``) are
  the ones the orders' items say, in the same order.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import peewee as pw
import pytest

from fbm_desk.core import CoreServices
from fbm_desk.db import dialect, open_database
from fbm_desk.db.domain_rows import OPEN_STATES
from fbm_desk.db.holding_orders import holding_orders
from fbm_desk.db.stock import (
    ROW_COLUMNS,
    ROWS_SQL,
    WALLOC_SQL,
    InventoryQuery,
    inventory_for,
    only_products,
    push_plan,
    stock_row_of,
)
from fbm_desk.db.stock_summary import count_stock, refresh_stock_summary
from fbm_desk.db.stock_warehouses import levels
from fbm_desk.db.stores import delete_store
from fbm_desk.db.warehouses import ALLOCATED_ORDERS_SQL, holds
from fbm_desk.foundation.errors import FbmError
from tests.support.demo_data import add_order
from tests.support.old_schema import schema_before
from tests.test_stock_summary import T0, World

_OPEN = "('" + "', '".join(OPEN_STATES) + "')"
# The definition: every open order's items, summed (what the stock model computed on each read before).
SUMMED = (
    "walloc AS (SELECT i.product_id AS pid,"  # noqa: S608 - constant fragments
    " coalesce(i.warehouse_id, o.warehouse_id, (SELECT id FROM warehouse WHERE is_primary = 1)) AS wid,"
    " sum(i.quantity - i.quantity_shipped) AS n FROM orders o JOIN order_item i ON i.order_id = o.id"
    f" WHERE o.state IN {_OPEN} AND i.product_id IS NOT NULL AND i.quantity > i.quantity_shipped GROUP BY 1, 2)"
)

# The open orders allocated to a warehouse, whole or by an item (what ``warehouses.holds`` counts).
ALLOCATED_ORDERS = (
    f"SELECT count(*) FROM orders o WHERE o.state IN {_OPEN} AND (o.warehouse_id = ?"  # noqa: S608
    " OR o.id IN (SELECT order_id FROM order_item WHERE warehouse_id = ?))"
)

# The open orders holding a product's units, the most urgent first (what ``holding_orders`` lists).
HOLDERS = (
    "SELECT o.id, sum(i.quantity - i.quantity_shipped), o.latest_ship_date FROM order_item i"  # noqa: S608
    f" JOIN orders o ON o.id = i.order_id WHERE i.product_id = ? AND o.state IN {_OPEN}"
    " AND i.quantity > i.quantity_shipped GROUP BY o.id, o.latest_ship_date"
    " ORDER BY coalesce(o.latest_ship_date, ''), o.id LIMIT 500"
)


def _allocation(walloc: str) -> dict[tuple[int, int], int]:
    rows = dialect.execute(f"WITH {only_products(walloc, None)} SELECT pid, wid, n FROM walloc").fetchall()  # noqa: S608
    return {(int(p), int(w)): int(n) for p, w, n in rows}


def _check(step: str) -> None:
    summed = _allocation(SUMMED)
    assert _allocation(WALLOC_SQL) == summed, step
    assert not dialect.execute("SELECT 1 FROM stock_allocation WHERE units < 0").fetchall(), step
    sql = only_products(f"{ROWS_SQL} SELECT {ROW_COLUMNS} FROM rows ORDER BY sku, id", None)  # noqa: S608
    truth = [stock_row_of(r) for r in dialect.execute(sql.replace(WALLOC_SQL, SUMMED)).fetchall()]
    assert inventory_for(None) == truth, step
    on_hand = {k for k, v in levels().items() if v[0]}
    for wid in (1, 2, 3):  # the tab's warehouse filter: on hand or allocated there
        want = {pid for pid, w in set(summed) | on_hand if w == wid}
        assert count_stock(InventoryQuery(warehouse_id=wid)) == len(want), (step, wid)
        allocated = dialect.execute(ALLOCATED_ORDERS, [wid, wid]).fetchone()[0]
        assert holds(wid)[1] == allocated, (step, wid)  # what keeps the warehouse from being deactivated
    for row in truth:  # "why is available N?": the open orders holding its units, the most urgent first
        want = [tuple(r) for r in dialect.execute(HOLDERS, [row.product_id]).fetchall()]
        got = [(h.order_id, h.units, h.latest_ship_date) for h in holding_orders(row.product_id)]
        assert got == want, (step, row.sku)
    assert not dialect.execute("SELECT 1 FROM held_units WHERE units <= 0").fetchall(), step


def _more_operations(world: World) -> list[Callable[[], object]]:
    """Changes ``World`` does not make: items moved between orders, and multi-row statements."""
    r = world.rnd

    def move_item() -> None:
        iid, oid = world.pick("SELECT id FROM order_item"), world.pick("SELECT id FROM orders")
        if iid is not None and oid is not None:
            with contextlib.suppress(pw.IntegrityError):  # the same item id in that order: skipped
                world.sql("UPDATE order_item SET order_id = ? WHERE id = ?", oid, iid)

    def ship_order() -> None:  # every item of one order at once
        oid = world.pick("SELECT id FROM orders")
        world.sql("UPDATE order_item SET quantity_shipped = quantity WHERE order_id = ?", oid)
        world.sql("UPDATE orders SET state = ? WHERE id = ?", r.choice(("shipped", "partially_shipped")), oid)

    def many_states() -> None:
        state = r.choice((*OPEN_STATES, "shipped", "canceled"))
        world.sql("UPDATE orders SET state = ? WHERE id % 3 = ?", state, r.randint(0, 2))

    def many_routed() -> None:
        world.sql(
            "UPDATE orders SET warehouse_id = ? WHERE id % 2 = ?", r.choice((None, 1, 2, 3)), r.randint(0, 1)
        )

    def many_items() -> None:
        world.sql(
            "UPDATE order_item SET quantity = quantity + 1, warehouse_id = ? WHERE id % 2 = 0",
            r.choice((None, 2)),
        )

    def ship_by() -> None:  # one order, or every third: the holders' order changes
        when = r.choice((None, "2026-11-28T10:00:00Z", "2026-11-29T18:00:00Z", "2026-12-02T10:00:00Z"))
        if r.random() < 0.5:
            world.sql(
                "UPDATE orders SET latest_ship_date = ? WHERE id = ?",
                when,
                world.pick("SELECT id FROM orders"),
            )
        else:
            world.sql("UPDATE orders SET latest_ship_date = ? WHERE id % 3 = ?", when, r.randint(0, 2))

    return [
        ship_by,
        ship_by,
        move_item,
        ship_order,
        many_states,
        many_routed,
        many_items,
        lambda: world.sql("DELETE FROM orders WHERE id % 5 = ?", r.randint(0, 4)),
    ]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_kept_allocation_equals_the_sum_over_the_open_orders_after_random_changes(
    core: CoreServices, seed: int
) -> None:
    world = World(core, seed)
    operations = world.operations() + _more_operations(world)
    _check(f"seed {seed}, start")
    for n in range(150):
        op = world.rnd.choice(operations)
        with contextlib.suppress(FbmError):  # refused (e.g. a SKU deleted meanwhile): nothing changed
            op()
        _check(f"seed {seed}, operation {n}: {getattr(op, '__name__', op)}")
        if world.rnd.random() < 0.1:
            refresh_stock_summary()


def test_deleting_a_store_or_a_product_takes_their_units_with_them(core: CoreServices) -> None:
    world = World(core, 4)
    for n in range(12):
        add_order(
            world.db, f"222-{n:07d}-0000000", store_id=world.stores[n % 3], items=((world.skus[n % 5], 2),)
        )
    _check("orders added")
    delete_store(world.stores[0])  # its orders and their items go (ON DELETE CASCADE)
    _check("store deleted")
    world.sql("DELETE FROM product WHERE sku = ?", world.skus[1])  # its items stay, unmapped (SET NULL)
    _check("product deleted")
    world.sql("INSERT INTO product (sku, title, created_at) VALUES (?, 'Again', ?)", world.skus[1], T0)
    world.sql(
        "UPDATE order_item SET product_id = (SELECT id FROM product WHERE sku = ?) WHERE seller_sku = ?",
        world.skus[1],
        world.skus[1],
    )
    _check("mapped again")


def test_the_triggers_count_the_open_states_of_the_stock_model() -> None:
    text = resources.files("fbm_desk.db").joinpath("schema_stock_allocation.sql").read_text(encoding="utf-8")
    lists = {tuple(re.findall(r"'(\w+)'", m)) for m in re.findall(r"state IN \(([^)]*)\)", text)}
    assert lists == {OPEN_STATES}


@pytest.mark.sqlite_only
def test_an_existing_database_gets_its_allocation_when_it_is_upgraded(data_dir: Path) -> None:
    path = data_dir / "before.sqlite3"
    conn = sqlite3.connect(path)
    try:
        step = schema_before(conn, "schema_stock_allocation.sql")
        conn.execute("INSERT INTO warehouse (name, is_primary) VALUES ('Back', 0)")
        conn.executemany(
            "INSERT INTO product (id, sku, title, created_at) VALUES (?, ?, ?, ?)",
            [(i, f"OLD-{i}", f"Old {i}", T0) for i in (1, 2)],
        )
        conn.execute(
            "INSERT INTO store (id, name, marketplace_id, region, selling_partner_id, created_at)"
            " VALUES (1, 'S', 'ATVPDKIKX0DER', 'NA', 'S1', ?)",
            (T0,),
        )
        for oid, state, wid in ((1, "released", None), (2, "partially_shipped", 2), (3, "shipped", None)):
            conn.execute(
                "INSERT INTO orders (id, store_id, amazon_order_id, amazon_status, state, purchase_date,"
                " warehouse_id, imported_at, updated_at) VALUES (?, 1, ?, 'Unshipped', ?, ?, ?, ?, ?)",
                (oid, f"111-000000{oid}-0000000", state, T0, wid, T0, T0),
            )
        conn.executemany(
            "INSERT INTO order_item (order_id, order_item_id, seller_sku, product_id, quantity, quantity_shipped,"
            " warehouse_id) VALUES (?, ?, 'X', ?, ?, ?, ?)",
            [(1, "a", 1, 3, 0, None), (1, "b", 2, 2, 1, 2), (2, "a", 1, 4, 1, None), (3, "a", 1, 9, 0, None)],
        )
        conn.commit()
    finally:
        conn.close()
    opened = open_database(path, backup_dir=data_dir / "backups")
    try:
        assert opened.migrated_from == step
        kept = dialect.execute("SELECT product_id, warehouse_id, units FROM stock_allocation ORDER BY 1, 2")
        assert kept.fetchall() == [(1, 0, 3), (1, 2, 3), (2, 2, 1)]  # 0: not routed, the primary's
        _check("upgraded")
    finally:
        opened.close()


@pytest.mark.sqlite_only
def test_no_stock_read_touches_the_orders(core: CoreServices) -> None:
    """The push preview, the stock rows, the per-warehouse split and the deactivation check read the kept rows
    and the partial indexes: not one row of ``orders`` or ``order_item`` outside them (SQLite's authorizer sees
    every table a statement reads; the plan names every full scan)."""
    world = World(core, 8)
    read: set[str] = set()

    def note(action: int, table: str | None, *_: object) -> int:
        if action == sqlite3.SQLITE_READ and table:
            read.add(table)
        return sqlite3.SQLITE_OK

    conn = world.db.connection()
    conn.set_authorizer(note)
    try:
        push_plan()
        inventory_for(None)
        levels()
        count_stock(InventoryQuery(warehouse_id=2))
        assert read
        assert not read & {"orders", "order_item"}
        holding_orders(1)  # the orders it lists are read by id, their items not at all
    finally:
        conn.set_authorizer(None)
    assert "order_item" not in read
    plan = conn.execute(f"EXPLAIN QUERY PLAN {ALLOCATED_ORDERS_SQL}", (2, 2)).fetchall()
    assert "orders_open_warehouse" in str(plan)
    assert "order_item_routed" in str(plan)
    assert not [row for row in plan if str(row[-1]).startswith(("SCAN orders", "SCAN order_item"))], plan
