"""The Inventory tab's kept stock rows (``db.stock_summary``) are the stock model's rows, whatever changed.

A random world (3 warehouses, stores fed by all or some of them, listings in every push situation, open and
closed orders) goes through random operations on every input of the push rule — on hand, transfers, order items,
order states and warehouses, every push column of a listing, store status and feeds, the primary warehouse, new
and deleted products, orders and listings. After each one:

- the tab's reader (``count_stock`` / ``fetch_stock``, dirty rows computed live) equals the stock model
  (``stock.inventory_for``), for every filter and sort;
- after ``refresh_stock_summary`` (which recomputes only the rows the triggers marked dirty), every row stored
  in ``stock_summary`` equals the stock model's row: a trigger that missed an input would leave a stale row
  marked clean, and this comparison would fail.
"""

from __future__ import annotations

import contextlib
import random
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import peewee as pw
import pytest

from fbm_desk.core import CoreServices
from fbm_desk.db import open_database
from fbm_desk.db.inventory import set_on_hand, transfer_stock
from fbm_desk.db.stock import InventoryQuery, InventorySort, StockRow, inventory_for
from fbm_desk.db.stock_summary import count_stock, dirty_count, fetch_stock, refresh_stock_summary
from fbm_desk.db.stock_warehouses import levels
from fbm_desk.db.stores import get_store, insert_store, set_status
from fbm_desk.db.warehouse_routing import assign_warehouse
from fbm_desk.db.warehouses import add_warehouse, set_store_feeds, update_warehouse
from fbm_desk.foundation.errors import FbmError
from fbm_desk.sync.base import JobKind
from fbm_desk.sync.execute import run_job
from fbm_desk.ui.inventory_tab import InventoryTab
from fbm_desk.ui.services import Services
from tests.support.demo_data import add_order
from tests.support.old_schema import schema_before
from tests.support.push_preview import refresh_and_wait

T0 = "2026-11-20T10:00:00Z"
TIMES = (None, "2026-11-20T10:00:00Z", "2026-11-20T10:10:00Z", "2026-11-20T10:30:00Z", "2026-11-21T09:00:00Z")
KEPT = (
    "on_hand, allocated, available, pushed_quantity, pushed_at, push_state, push_issues, listings, to_send, "
    "amazon_shows, amazon_read_at"
)


class World:
    def __init__(self, core: CoreServices, seed: int) -> None:
        self.db = core.db.db
        self.rnd = random.Random(seed)
        self.houses = ["Main"] + [add_warehouse(n).name for n in ("Back room", "Overflow")]
        self.stores = [
            insert_store(name=n, marketplace_id=m, region="NA", selling_partner_id="S1").id
            for n, m in (("Alpha", "ATVPDKIKX0DER"), ("Beta", "A2EUQ1WTGCTBG2"), ("Gamma", "A1AM78C64UM0Y8"))
        ]
        set_store_feeds(self.stores[1], ["Back room", "Overflow"])
        self.skus: list[str] = []
        self.orders = 0
        for _ in range(12):
            self.new_product()
        for _ in range(10):
            self.new_order()

    # --- helpers -----------------------------------------------------------------------------------------

    def sql(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        with self.db.atomic():
            return list(self.db.execute_sql(sql, params).fetchall())

    def pick(self, sql: str) -> Any:
        rows = self.sql(sql)
        return self.rnd.choice(rows)[0] if rows else None

    def sku(self) -> str:
        return str(self.pick("SELECT sku FROM product") or "SKU-001")

    def new_product(self) -> None:
        sku = f"SKU-{len(self.skus) + 1:03d}"
        self.skus.append(sku)
        low = self.rnd.choice((None, 0, 3, 8))
        self.sql(
            "INSERT INTO product (sku, title, created_at, low_stock) VALUES (?, ?, ?, ?)", sku, sku, T0, low
        )
        for house in self.rnd.sample(range(1, 4), self.rnd.randint(0, 3)):
            set_on_hand(sku, self.rnd.randint(0, 12), warehouse_id=house, reason="count")
        for store in self.rnd.sample(self.stores, self.rnd.randint(0, 3)):
            self.new_listing(store, sku)

    def new_listing(self, store: int, sku: str) -> None:
        self.sql(
            "INSERT INTO listing (store_id, seller_sku, product_id, fulfillment_channel, amazon_quantity,"
            " amazon_quantity_at, pushed_quantity, pushed_at, push_state, first_seen_at, last_seen_at)"
            " SELECT ?, ?, id, ?, ?, ?, ?, ?, ?, ?, ? FROM product WHERE sku = ?",
            store,
            f"{sku}-{store}-{self.rnd.randint(0, 10**6)}",
            self.rnd.choice(("DEFAULT", "DEFAULT", "DEFAULT", "AMAZON_NA")),
            self.rnd.choice((None, 0, 3, 7)),
            self.rnd.choice(TIMES),
            self.rnd.choice((None, 0, 3, 7)),
            self.rnd.choice(TIMES),
            self.rnd.choice(("none", "sent", "accepted", "rejected")),
            T0,
            T0,
            sku,
        )

    def new_order(self) -> None:
        self.orders += 1
        skus = [r[0] for r in self.sql("SELECT sku FROM product")]
        items = tuple(
            (sku, self.rnd.randint(1, 3))
            for sku in self.rnd.sample(skus, min(len(skus), self.rnd.randint(1, 3)))
        )
        state = self.rnd.choice(("held", "released", "released", "partially_shipped", "shipped", "canceled"))
        add_order(
            self.db,
            f"111-{self.orders:07d}-0000000",
            store_id=self.rnd.choice(self.stores),
            state=state,
            items=items,
        )

    # --- operations on every input of the push rule --------------------------------------------------------

    def operations(self) -> list[Callable[[], object]]:
        r = self.rnd
        listing_columns: dict[str, Callable[[], Any]] = {
            "amazon_quantity": lambda: r.choice((None, 0, 2, 5, 9)),
            "amazon_quantity_at": lambda: r.choice(TIMES),
            "pushed_quantity": lambda: r.choice((None, 0, 2, 5, 9)),
            "pushed_at": lambda: r.choice(TIMES),
            "push_state": lambda: r.choice(("none", "sent", "accepted", "rejected")),
            "push_issues": lambda: r.choice(("", "Quantity invalid")),
            "feed_id": lambda: r.choice((None, "F-1")),
            "fulfillment_channel": lambda: r.choice(("DEFAULT", "AMAZON_NA")),
            "gone_at": lambda: r.choice((None, T0)),
            "product_id": lambda: self.pick("SELECT id FROM product UNION ALL SELECT NULL"),
            "store_id": lambda: r.choice(self.stores),
        }

        def listing_change() -> None:
            column = r.choice(sorted(listing_columns))
            lid = self.pick("SELECT id FROM listing")
            if lid is not None:
                sql = f"UPDATE listing SET {column} = ? WHERE id = ?"  # noqa: S608 - a known column
                with contextlib.suppress(pw.IntegrityError):  # a change that breaks a unique key is skipped
                    self.sql(sql, listing_columns[column](), lid)

        def item_change() -> None:
            column, value = r.choice(
                (
                    ("quantity", r.randint(1, 4)),
                    ("quantity_shipped", r.randint(0, 2)),
                    ("warehouse_id", r.choice((None, 1, 2, 3))),
                    ("product_id", self.pick("SELECT id FROM product UNION ALL SELECT NULL")),
                )
            )
            iid = self.pick("SELECT id FROM order_item")
            if iid is not None:
                self.sql(f"UPDATE order_item SET {column} = ? WHERE id = ?", value, iid)  # noqa: S608

        def order_state() -> None:
            oid = self.pick("SELECT id FROM orders")
            if oid is not None:
                state = r.choice(("held", "released", "partially_shipped", "shipped", "canceled"))
                self.sql("UPDATE orders SET state = ? WHERE id = ?", state, oid)

        def move_order() -> None:
            oid = self.pick("SELECT id FROM orders WHERE state IN ('held', 'released')")
            if oid is not None:
                assign_warehouse(oid, r.randint(1, 3))

        def unroute_order() -> None:
            oid = self.pick("SELECT id FROM orders")
            if oid is not None:
                self.sql("UPDATE orders SET warehouse_id = NULL WHERE id = ?", oid)

        def transfer() -> None:
            a, b = r.sample(range(1, 4), 2)
            with contextlib.suppress(FbmError):  # not enough on hand: refused, nothing changed
                transfer_stock(self.sku(), r.randint(1, 5), a, b, reason="move")

        def feeds() -> None:
            names = r.sample(self.houses, r.randint(0, 3))
            set_store_feeds(r.choice(self.stores), names or None)

        return [
            lambda: set_on_hand(self.sku(), r.randint(0, 15), warehouse_id=r.randint(1, 3), reason="count"),
            transfer,
            listing_change,
            listing_change,
            listing_change,
            item_change,
            order_state,
            move_order,
            unroute_order,
            self.new_order,
            self.new_product,
            lambda: self.new_listing(r.choice(self.stores), self.sku()),
            lambda: self.sql("DELETE FROM listing WHERE id = ?", self.pick("SELECT id FROM listing")),
            lambda: self.sql("DELETE FROM orders WHERE id = ?", self.pick("SELECT id FROM orders")),
            lambda: self.sql("DELETE FROM order_item WHERE id = ?", self.pick("SELECT id FROM order_item")),
            lambda: self.sql(
                "DELETE FROM inventory_level WHERE product_id * 1000 + warehouse_id = ?",
                self.pick("SELECT product_id * 1000 + warehouse_id FROM inventory_level"),
            ),
            lambda: self.sql("DELETE FROM product WHERE id = ?", self.pick("SELECT id FROM product")),
            lambda: set_status(r.choice(self.stores), r.choice(("connected", "needs_reconnect", "disabled"))),
            feeds,
            lambda: update_warehouse(r.randint(1, 3), make_primary=True),
        ]


def _kept() -> dict[int, tuple[Any, ...]]:
    from fbm_desk.db.models import database_proxy

    rows = database_proxy.execute_sql(f"SELECT product_id, dirty, {KEPT} FROM stock_summary").fetchall()  # noqa: S608
    return {r[0]: tuple(r[1:]) for r in rows}


def _as_kept(r: StockRow) -> tuple[Any, ...]:
    return (
        0,
        r.on_hand,
        r.allocated,
        r.available,
        r.pushed_quantity,
        r.pushed_at,
        r.push_state,
        r.push_issues,
        r.listings,
        r.to_send,
        r.amazon_shows,
        r.amazon_read_at,
    )


def _check_reader(truth: list[StockRow], step: str) -> None:
    """The tab's reader = the stock model, for each filter and sort (dirty rows included)."""
    everything = 10**6
    by_id = {r.product_id: r for r in truth}
    assert {r.product_id: r for r in fetch_stock(InventoryQuery(), 0, everything)} == by_id, step
    split = levels()
    queries: list[tuple[InventoryQuery, Callable[[StockRow], bool]]] = [
        (InventoryQuery(out_of_sync_only=True), lambda r: r.differs_from_amazon),
        (InventoryQuery(low_stock_only=True), lambda r: r.is_low),
        (InventoryQuery(issues_only=True), lambda r: r.push_state == "rejected"),
        (InventoryQuery(search="SKU-00"), lambda r: "SKU-00" in r.sku),
    ] + [
        (InventoryQuery(warehouse_id=w), lambda r, w=w: split.get((r.product_id, w), (0, 0)) != (0, 0))  # type: ignore[misc]
        for w in (1, 2, 3)
    ]
    for query, keep in queries:
        want = sorted(r.product_id for r in truth if keep(r))
        assert count_stock(query) == len(want), (step, query)
        assert sorted(r.product_id for r in fetch_stock(query, 0, everything)) == want, (step, query)
    for sort in InventorySort:
        page = fetch_stock(InventoryQuery(sort=sort, descending=True), 0, 5)
        assert all(by_id[r.product_id] == r for r in page), (step, sort)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kept_rows_equal_the_stock_model_after_random_operations(core: CoreServices, seed: int) -> None:
    world = World(core, seed)
    refresh_stock_summary()
    operations = world.operations()
    for n in range(120):
        op = world.rnd.choice(operations)
        with contextlib.suppress(FbmError):  # refused (e.g. a SKU deleted meanwhile): nothing changed
            op()
        step = f"seed {seed}, operation {n}: {getattr(op, '__name__', op)}"
        truth = inventory_for(None)
        _check_reader(truth, step)
        if world.rnd.random() < 0.5:  # also let dirty rows pile up over several operations
            continue
        refresh_stock_summary()
        assert dirty_count() == 0
        assert _kept() == {r.product_id: _as_kept(r) for r in truth}, step


def test_a_change_marks_only_its_products_and_the_refresh_writes_the_model_rows(core: CoreServices) -> None:
    world = World(core, 7)
    refresh_stock_summary()
    assert dirty_count() == 0
    set_on_hand("SKU-001", 40, reason="count")
    assert dirty_count() == 1  # marked in the same transaction as the change, nothing else
    assert refresh_stock_summary() == 1
    assert _kept() == {r.product_id: _as_kept(r) for r in inventory_for(None)}
    set_status(world.stores[0], "disabled")  # every product listed in that store
    listed = world.sql("SELECT count(DISTINCT product_id) FROM listing WHERE store_id = ?", world.stores[0])[
        0
    ][0]
    assert dirty_count() == listed


def test_feeding_warehouses_and_the_primary_reach_the_kept_rows(core: CoreServices) -> None:
    """The inputs one product row does not name: the store's warehouses and where unrouted orders count."""
    world = World(core, 11)
    db = world.db
    world.sql("DELETE FROM store_warehouse")
    world.sql("INSERT INTO product (sku, title, created_at) VALUES ('FED', 'Fed', ?)", T0)
    set_on_hand("FED", 6, warehouse_id=1, reason="count")
    set_on_hand("FED", 4, warehouse_id=2, reason="count")
    world.sql(
        "INSERT INTO listing (store_id, seller_sku, product_id, amazon_quantity, pushed_quantity, pushed_at,"
        " push_state, first_seen_at, last_seen_at) SELECT ?, 'FED-B', id, 8, 8, ?, 'accepted', ?, ? FROM product"
        " WHERE sku = 'FED'",
        world.stores[1],
        T0,
        T0,
        T0,
    )
    add_order(
        db, "111-9999999-0000000", store_id=world.stores[0], items=(("FED", 2),)
    )  # not routed: the primary
    world.sql("UPDATE orders SET warehouse_id = NULL WHERE amazon_order_id = '111-9999999-0000000'")

    def fed() -> StockRow:
        refresh_stock_summary()
        truth = {r.product_id: r for r in inventory_for(None)}
        assert _kept() == {pid: _as_kept(r) for pid, r in truth.items()}
        return next(r for r in truth.values() if r.sku == "FED")

    assert fed().to_send == 0  # Beta, fed by every warehouse: 6 + 4 - 2 = 8, as Amazon has
    set_store_feeds(world.stores[1], ["Back room"])  # 4: sent
    assert fed().to_send == 1
    world.sql("UPDATE listing SET pushed_quantity = 4, amazon_quantity = 4 WHERE seller_sku = 'FED-B'")
    assert fed().to_send == 0
    update_warehouse(2, make_primary=True)  # the unrouted order now holds 2 of Back room's 4: 2 offered
    assert fed().to_send == 1


def test_an_existing_database_gets_a_dirty_row_per_product_read_live_until_refreshed(data_dir: Path) -> None:
    path = data_dir / "before.sqlite3"
    conn = sqlite3.connect(path)
    try:
        step = schema_before(conn, "schema_stock_summary.sql")
        conn.executemany(
            "INSERT INTO product (id, sku, title, created_at) VALUES (?, ?, ?, ?)",
            [(i, f"OLD-{i}", f"Old {i}", T0) for i in (1, 2, 3)],
        )
        conn.executemany(
            "INSERT INTO inventory_level (product_id, warehouse_id, on_hand, updated_at) VALUES (?, 1, ?, ?)",
            [(1, 5, T0), (2, 0, T0), (3, 9, T0)],
        )
        conn.commit()
    finally:
        conn.close()
    opened = open_database(path, backup_dir=data_dir / "backups")
    try:
        assert opened.migrated_from == step
        assert dirty_count() == 3  # every product, read live meanwhile
        assert [(r.sku, r.on_hand) for r in fetch_stock(InventoryQuery(), 0, 10)] == [
            ("OLD-1", 5),
            ("OLD-2", 0),
            ("OLD-3", 9),
        ]
        assert refresh_stock_summary() == 3
        assert _kept() == {r.product_id: _as_kept(r) for r in inventory_for(None)}
        assert [
            r.sku for r in fetch_stock(InventoryQuery(sort=InventorySort.ON_HAND, descending=True), 0, 2)
        ] == [
            "OLD-3",
            "OLD-1",
        ]
    finally:
        opened.close()


def test_a_sync_job_refreshes_the_kept_rows_when_it_ends(core: CoreServices) -> None:
    world = World(core, 5)
    set_status(world.stores[2], "disabled")
    refresh_stock_summary()
    set_on_hand(world.sku(), 33, reason="count")  # e.g. the CLI, while no job runs
    assert dirty_count() == 1
    result = run_job(core, get_store(world.stores[2]), JobKind.INVENTORY)  # ends at once: store disabled
    assert result.status == "failed"
    assert dirty_count() == 0
    assert _kept() == {r.product_id: _as_kept(r) for r in inventory_for(None)}


def test_the_inventory_tab_refreshes_the_kept_rows_off_the_gui_thread(qtbot: Any, core: CoreServices) -> None:
    world = World(core, 6)
    refresh_stock_summary()
    tab = InventoryTab(Services(core=core))
    qtbot.addWidget(tab)
    tab.show()
    qtbot.waitUntil(lambda: not tab.preview_reader.busy and not tab.preview_loader.pending)
    sku = world.sku()
    set_on_hand(sku, 77, warehouse_id=2, reason="count")
    assert dirty_count() == 1
    tab._refresh_table()  # read at once, the dirty row computed live
    assert next(r for r in tab.model.rows() if r.sku == sku) == next(
        r for r in inventory_for(None) if r.sku == sku
    )
    refresh_and_wait(qtbot, tab)  # the preview's pool thread stores it
    assert dirty_count() == 0
    assert _kept() == {r.product_id: _as_kept(r) for r in inventory_for(None)}
