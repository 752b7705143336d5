"""Storage at a million orders, continued (issue 19, fbm_desk/db/schema_package_times.sql): a package's four times
(ship date, pushed, created, updated) are whole seconds on SQLite and read back as the ISO text written, through
the model and through raw SQL; any other text is kept as written; a comparison with an ISO time compares times;
the step converts an older file's packages and keeps every index, trigger and foreign key around the table; a
workspace copy carries ISO text."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from fbm_desk.amazon.types import AmazonOrderItem
from fbm_desk.core import CoreServices
from fbm_desk.db import OpenedDatabase, dialect, open_database
from fbm_desk.db.connection import MIGRATIONS
from fbm_desk.db.inventory import adjust_on_hand, list_adjustments
from fbm_desk.db.models import OrderItem, Package, Product
from fbm_desk.db.order_import import apply_orders_page
from fbm_desk.db.orders import find_order
from fbm_desk.db.packages import get_package, insert_package, set_push_state
from fbm_desk.db.privacy import attach_workspace
from fbm_desk.db.sku_resolution import add_alias
from fbm_desk.db.states import PushState
from fbm_desk.db.stored_times import iso_text
from fbm_desk.db.stores import get_store
from fbm_desk.db.support_queries import order_packages
from fbm_desk.db.workspace_copy import copy_to_workspace
from fbm_desk.foundation.credentials import Credentials, MemoryStore
from tests.support.demo_data import generate
from tests.support.old_schema import schema_with_store
from tests.support.pg_server import PgServer
from tests.test_buyer_data_encryption import BUYERS, amazon_order, import_buyers

STEP = MIGRATIONS.index("schema_package_times.sql")
TIMES = "ship_date, pushed_at, created_at, updated_at"


def _seconds(iso: str) -> int:
    return int(datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp())


def _package(order_id: int, *, ship_date: str, now: str, state: str = PushState.QUEUED) -> int:
    return insert_package(
        order_id,
        carrier_code="UPS",
        carrier_name="",
        shipping_method="Ground",
        tracking_number=f"1Z{order_id:016d}",
        ship_date=ship_date,
        items=[],
        push_state=state,
        now=now,
    )


def _stored(package_id: int) -> tuple[object, ...]:
    return tuple(
        dialect.execute(f"SELECT {TIMES} FROM package WHERE id = ?", [package_id]).fetchone()  # noqa: S608
    )


def test_package_times_read_back_as_written(core: CoreServices) -> None:
    import_buyers()
    order_id = find_order("111-0000001-0000001").id
    queued = _package(order_id, ship_date="2026-11-24T09:15:00Z", now="2026-11-24T10:00:00Z")
    set_push_state(queued, PushState.CONFIRMED, now="2026-11-24T10:30:07Z")
    row = get_package(queued)
    assert (row.ship_date, row.pushed_at, row.created_at, row.updated_at) == (
        "2026-11-24T09:15:00Z",
        "2026-11-24T10:30:07Z",
        "2026-11-24T10:00:00Z",
        "2026-11-24T10:30:07Z",
    )
    assert row.ship_date[:10] == "2026-11-24"  # the order detail and the pack dialog show the day
    # the support zip's raw SQL reads the same text
    assert [(r[3], r[6]) for r in order_packages(order_id)] == [
        ("2026-11-24T09:15:00Z", "2026-11-24T10:30:07Z")
    ]
    # a time that is not whole seconds (or not a time at all) is kept exactly as written
    odd = _package(order_id, ship_date="2026-11-24T09:15:00.250Z", now="2026-11-24T10:00:00Z")
    Package.update(updated_at="yesterday").where(Package.id == odd).execute()
    row = get_package(odd)
    assert (row.ship_date, row.pushed_at, row.updated_at) == ("2026-11-24T09:15:00.250Z", None, "yesterday")
    stored = _stored(odd)
    assert (stored[0], stored[1], stored[3]) == ("2026-11-24T09:15:00.250Z", None, "yesterday")
    assert [r[3] for r in order_packages(order_id)] == ["2026-11-24T09:15:00Z", "2026-11-24T09:15:00.250Z"]


@pytest.mark.sqlite_only
def test_sqlite_keeps_package_times_as_whole_seconds(core: CoreServices) -> None:
    import_buyers()
    order_id = find_order("111-0000001-0000001").id
    by_model = _package(order_id, ship_date="2026-11-24T09:15:00Z", now="2026-11-24T10:00:00Z")
    set_push_state(by_model, PushState.CONFIRMED, now="2026-11-24T10:30:07Z")
    assert _stored(by_model) == tuple(
        _seconds(t)
        for t in (
            "2026-11-24T09:15:00Z",
            "2026-11-24T10:30:07Z",
            "2026-11-24T10:00:00Z",
            "2026-11-24T10:30:07Z",
        )
    )
    # raw SQL writes ISO text: the triggers keep it as seconds too, on insert and on update
    dialect.execute(
        "INSERT INTO package (order_id, package_reference_id, carrier_code, tracking_number, ship_date, "
        "created_at, updated_at) VALUES (?, 9, 'UPS', '1ZRAW', ?, ?, ?)",
        [order_id, "2026-11-24T09:00:00Z", "2026-11-24T09:00:01Z", "whenever"],
    )
    raw = int(dialect.execute("SELECT id FROM package WHERE tracking_number = '1ZRAW'").fetchone()[0])
    assert _stored(raw) == (
        _seconds("2026-11-24T09:00:00Z"),
        None,
        _seconds("2026-11-24T09:00:01Z"),
        "whenever",
    )
    dialect.execute(
        "UPDATE package SET pushed_at = ?, updated_at = ? WHERE id = ?",
        ["2026-11-24T11:00:00Z", "2026-11-24T11:00:00.5Z", raw],
    )
    assert _stored(raw)[1:] == (
        _seconds("2026-11-24T11:00:00Z"),
        _seconds("2026-11-24T09:00:01Z"),
        "2026-11-24T11:00:00.5Z",
    )
    typed = dialect.execute("SELECT typeof(ship_date), typeof(created_at) FROM package").fetchall()
    assert set(typed) == {("integer", "integer")}


def test_comparing_a_package_time_with_an_iso_time_compares_times(core: CoreServices) -> None:
    """SQLite compares an integer with a text by type (every number before every text): the model converts the
    ISO parameter to seconds, so the filter is right for every package."""
    import_buyers()
    order_id = find_order("111-0000001-0000001").id
    for hour in (8, 9, 10):
        pid = _package(order_id, ship_date="2026-11-24T07:00:00Z", now=f"2026-11-24T{hour:02d}:00:00Z")
        set_push_state(pid, PushState.CONFIRMED, now=f"2026-11-24T{hour:02d}:30:00Z")

    def pushed_after(since: str) -> list[str]:
        query = Package.select(Package.pushed_at).where(Package.pushed_at > since).order_by(Package.id)
        return [p.pushed_at for p in query]

    assert pushed_after("2026-11-24T09:00:00Z") == ["2026-11-24T09:30:00Z", "2026-11-24T10:30:00Z"]
    assert pushed_after("2026-11-24T10:30:00Z") == []
    assert (
        Package.select()
        .where(Package.created_at.between("2026-11-24T08:00:00Z", "2026-11-24T09:00:00Z"))
        .count()
        == 2
    )


def test_mapping_a_sku_takes_out_only_the_units_shipped_after_its_product_existed(core: CoreServices) -> None:
    """sku_resolution: units of a just-mapped item that left in our confirmed packages after its product was
    created leave the product's on-hand; those that left before it existed do not (``pushed_at > since``)."""
    import_buyers()
    store_id = int(find_order("111-0000001-0000001").store_id)
    late = "SKU-LATE"
    orders = [
        amazon_order(n, *BUYERS[0], items=(AmazonOrderItem(f"95{n}", late, "B000", "Late", 2),))
        for n in (7, 8)
    ]
    apply_orders_page(get_store(store_id), orders, now="2026-11-24T10:00:00Z")
    product = Product.create(sku="PRODUCT-LATE", title="Late", created_at="2026-11-24T12:00:00Z")
    adjust_on_hand(product.id, 10, "counted", now="2026-11-24T12:00:00Z")
    for n, pushed in ((7, "2026-11-24T11:59:59Z"), (8, "2026-11-24T12:00:01Z")):
        order_id = find_order(f"111-000000{n}-000000{n}").id
        OrderItem.update(quantity_shipped=2).where(OrderItem.order == order_id).execute()
        item = OrderItem.get(OrderItem.order == order_id)
        pid = insert_package(
            order_id,
            carrier_code="UPS",
            carrier_name="",
            shipping_method="",
            tracking_number=f"1ZLATE{n}",
            ship_date=pushed,
            items=[(item.id, 2)],
            push_state=PushState.CONFIRMED,
            now=pushed,
        )
        assert get_package(pid).pushed_at == pushed
    add_alias(store_id, late, "PRODUCT-LATE")
    taken = [a.reason for a in list_adjustments(product.id) if a.source == "shipment"]
    assert len(taken) == 1, taken
    assert "111-0000008-0000008" in taken[0]


@pytest.mark.sqlite_only
def test_the_step_converts_packages_and_keeps_every_index_trigger_and_foreign_key(data_dir: Path) -> None:
    path = data_dir / "app.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    rows = [
        (1, 1, "2026-01-02T03:04:05Z", "confirmed", "2026-01-02T04:00:00Z", "2026-01-02T03:04:05Z"),
        (2, 1, "2026-01-02T03:04:05.5Z", "queued", None, "2026-01-02T03:04:05Z"),  # kept as written
        (3, 2, "2026-01-01T00:00:00Z", "rejected", "2026-01-01T01:00:00Z", "not a time"),
    ]
    try:
        schema_with_store(conn, MIGRATIONS[STEP])
        for oid in (1, 2):
            conn.execute(
                "INSERT INTO orders (id, store_id, amazon_order_id, amazon_status, state, imported_at, "
                "updated_at) VALUES (?, 1, ?, 'UNSHIPPED', 'released', 'x', 'x')",
                (oid, f"111-000000{oid}-0000000"),
            )
            conn.execute(
                "INSERT INTO order_item (id, order_id, order_item_id, seller_sku, quantity) VALUES (?, ?, 'I', 'S', 3)",
                (oid, oid),
            )
        for pid, oid, ship_date, state, pushed_at, updated_at in rows:
            conn.execute(
                "INSERT INTO package (id, order_id, package_reference_id, carrier_code, carrier_name, tracking_number, "
                "ship_date, push_state, push_message, pushed_at, created_at, updated_at, station, os_user) "
                "VALUES (?, ?, ?, 'UPS', 'United', ?, ?, ?, 'm', ?, '2026-01-02T03:04:05Z', ?, 'PC', 'me')",
                (pid, oid, pid, f"1Z{pid}", ship_date, state, pushed_at, updated_at),
            )
            conn.execute(
                "INSERT INTO package_item (package_id, order_item_id, quantity) VALUES (?, ?, 1)", (pid, oid)
            )
        conn.execute(
            "INSERT INTO package_label (package_id, shipment_id, carrier_id, service_name, price, currency, "
            "package_reference, format, document, purchased_at) VALUES (1, 'S1', 'UPS', 'G', '1', 'USD', 'r', 'PDF', x'00', 'x')"
        )
        before = _schema(conn)
        ranks = conn.execute("SELECT id, push_rank, fully_packed FROM orders ORDER BY id").fetchall()
    finally:
        conn.close()
    opened = open_database(path, backup_dir=data_dir / "backups")
    try:
        assert opened.migrated_from == STEP
        assert (
            _schema(opened.db.connection()) == before
        )  # every index and trigger, other tables' SQL as it was
        got = opened.db.execute_sql(
            "SELECT id, typeof(ship_date), typeof(pushed_at), typeof(created_at), typeof(updated_at), carrier_name, "
            "push_message, station, os_user FROM package ORDER BY id"
        ).fetchall()
        assert got == [
            (1, "integer", "integer", "integer", "integer", "United", "m", "PC", "me"),
            (2, "text", "null", "integer", "integer", "United", "m", "PC", "me"),
            (3, "integer", "integer", "integer", "text", "United", "m", "PC", "me"),
        ]
        read = [(p.ship_date, p.pushed_at, p.updated_at) for p in (get_package(i) for i in (1, 2, 3))]
        assert read == [(r[2], r[4], r[5]) for r in rows]
        assert opened.db.execute_sql("PRAGMA foreign_key_check").fetchall() == []
        assert opened.db.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert (
            opened.db.execute_sql("SELECT id, push_rank, fully_packed FROM orders ORDER BY id").fetchall()
            == ranks
        )
        # the triggers around the table still run: a new package ranks its order; removing an order removes its
        # packages, their lines and label (foreign keys to "package" still point at the rebuilt table)
        insert_package(
            2,
            carrier_code="UPS",
            carrier_name="",
            shipping_method="",
            tracking_number="1ZNEW",
            ship_date="2026-01-03T00:00:00Z",
            items=[(2, 3)],
            now="2026-01-03T00:00:00Z",
        )
        assert opened.db.execute_sql(
            "SELECT push_rank, fully_packed FROM orders WHERE id = 2"
        ).fetchone() == (0, 1)
        opened.db.execute_sql("DELETE FROM orders WHERE id = 1")
        left = [
            opened.db.execute_sql(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608 - the names below
            for t in ("package", "package_item", "package_label")
        ]
        assert left == [2, 2, 0]
    finally:
        opened.close()


def _schema(conn: sqlite3.Connection) -> set[tuple[str, str, str, str]]:
    """Every table, index and trigger as sqlite_master has it, but the package table's own SQL."""
    rows = conn.execute("SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master").fetchall()
    triggers = {"package_times_seconds_insert", "package_times_seconds_update"}  # the step's own
    return {
        (str(t), str(n), str(tb), "" if (t, n) == ("table", "package") else str(s))
        for t, n, tb, s in rows
        if n not in triggers
    }


def test_a_workspace_copy_carries_package_times_as_text(tmp_path: Path, pg_server: PgServer) -> None:
    data = tmp_path / "station"
    opened = open_database(data / "fbm-desk.sqlite3")
    try:
        attach_workspace(Credentials(MemoryStore()))
        generate(opened.db, orders=40)
        written = opened.db.execute_sql(f"SELECT id, {TIMES} FROM package ORDER BY id").fetchall()  # noqa: S608
        assert written
        assert {type(v) for r in written for v in r[1:] if v is not None} == {
            int
        }  # whole seconds in the file
        opened.db.execute_sql(
            "UPDATE package SET ship_date = '2026-11-24T09:15:00.250Z' WHERE id = ?", [written[0][0]]
        )
        expected = [(r[0], *(None if v is None else iso_text(v) for v in r[1:])) for r in written]
        expected[0] = (expected[0][0], "2026-11-24T09:15:00.250Z", *expected[0][2:])
    finally:
        opened.close()
    target = pg_server.create_database()
    try:
        copy_to_workspace(data / "fbm-desk.sqlite3", target)
        with psycopg.connect(target) as conn:
            copied = conn.execute(f"SELECT id, {TIMES} FROM package ORDER BY id").fetchall()  # noqa: S608
        assert copied == expected
        assert all(
            len(str(v)) == 20 and str(v).endswith("Z") for r in copied[1:] for v in r[1:] if v is not None
        )
    finally:
        pg_server.drop_database(target)


def test_the_field_converts_only_on_sqlite(db: OpenedDatabase) -> None:
    field = Package.pushed_at
    iso = "2026-11-24T10:30:07Z"
    assert field.db_value(iso) == (iso if dialect.is_postgres() else _seconds(iso))  # a workspace keeps text
    assert field.db_value("2026-11-24T10:30:07.1Z") == "2026-11-24T10:30:07.1Z"
    assert field.db_value("2026-11-24T10:30:07+00:00") == "2026-11-24T10:30:07+00:00"
    assert (
        field.db_value("2026-2-4T10:30:07Z") == "2026-2-4T10:30:07Z"
    )  # SQLite's strftime would not match it
    assert field.db_value(None) is None
    assert field.python_value(_seconds("2026-11-24T10:30:07Z")) == "2026-11-24T10:30:07Z"
    assert field.python_value("yesterday") == "yesterday"
