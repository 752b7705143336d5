"""Storage at a million orders, continued (issue 19, fbm_desk/db/schema_compact.sql): the blind name index keeps
no index by order on SQLite, and every path that removes an order's tokens still removes all of them: a name
change (by the old names' keys), the retention purge, a store's removal; the step keeps every token. Two redundant
indexes are gone. The timeline's times are whole seconds on SQLite and read back as the ISO text written."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from fbm_desk.core import CoreServices
from fbm_desk.db import OpenedDatabase, dialect, events, open_database, pii
from fbm_desk.db.connection import MIGRATIONS
from fbm_desk.db.inventory import adjust_on_hand, list_adjustments
from fbm_desk.db.models import Product
from fbm_desk.db.order_import import apply_orders_page
from fbm_desk.db.order_views import OrderQuery, fetch_orders
from fbm_desk.db.orders import find_order
from fbm_desk.db.privacy import attach_workspace
from fbm_desk.db.retention import purge_buyer_data
from fbm_desk.db.stations import current_os_user, current_station
from fbm_desk.db.stored_times import iso_text
from fbm_desk.db.stores import delete_store, insert_store
from fbm_desk.db.support_queries import order_events
from fbm_desk.db.transactions import transaction
from fbm_desk.db.workspace_copy import copy_to_workspace
from fbm_desk.foundation.credentials import Credentials, MemoryStore
from fbm_desk.foundation.workspace_key import FieldCipher, new_workspace_key
from tests.support.demo_data import generate
from tests.support.old_schema import schema_before, schema_with_store
from tests.support.pg_server import PgServer
from tests.test_buyer_data_encryption import BUYERS, T0, amazon_order, import_buyers

STEP = MIGRATIONS.index("schema_compact.sql")


def _tokens(order_id: int) -> set[int]:
    rows = dialect.execute("SELECT token FROM buyer_name_token WHERE order_id = ?", [order_id]).fetchall()
    return {int(r[0]) for r in rows}


def _expected(order_id: int, *names: str) -> set[int]:
    return {token for _, token in pii.name_token_rows(order_id, names)}


def _found(text: str) -> set[str]:
    return {r.amazon_order_id for r in fetch_orders(OrderQuery(search=text), 0, 100)}


@pytest.mark.sqlite_only
def test_the_name_index_has_no_index_by_order_nor_foreign_key_on_sqlite(db: OpenedDatabase) -> None:
    indexes = {
        str(r[0])
        for r in db.db.execute_sql("SELECT name FROM sqlite_master WHERE tbl_name = 'buyer_name_token'")
    }
    assert indexes == {"buyer_name_token"}  # the WITHOUT ROWID table: its key is its only b-tree
    assert db.db.execute_sql("PRAGMA foreign_key_list(buyer_name_token)").fetchall() == []


def test_a_name_change_replaces_the_old_names_tokens(core: CoreServices) -> None:
    store = import_buyers()
    first = find_order("111-0000001-0000001").id
    assert _tokens(first) == _expected(first, BUYERS[0][0])
    renamed = amazon_order(1, "Quentin Zwicky", *BUYERS[0][1:], last_updated_time=T0 + timedelta(hours=1))
    apply_orders_page(store, [renamed], now="2026-11-24T11:00:00Z")
    assert _tokens(first) == _expected(first, "Quentin Zwicky")  # none of the old name's left
    assert _found("zoe") == set()
    assert _found("zwick") == {"111-0000001-0000001"}


def test_a_name_change_without_the_key_to_the_old_names_still_removes_their_tokens(
    core: CoreServices,
) -> None:
    store = import_buyers()
    first = find_order("111-0000001-0000001").id
    foreign = FieldCipher(new_workspace_key()).encrypt("buyer_name", "Someone Else")  # sealed by another key
    dialect.execute("UPDATE orders SET buyer_name = ?, ship_name = ? WHERE id = ?", [foreign, foreign, first])
    dialect.execute("INSERT INTO buyer_name_token (order_id, token) VALUES (?, 42)", [first])
    renamed = amazon_order(1, "Quentin Zwicky", *BUYERS[0][1:], last_updated_time=T0 + timedelta(hours=1))
    apply_orders_page(store, [renamed], now="2026-11-24T11:00:00Z")
    assert _tokens(first) == _expected(first, "Quentin Zwicky")


def test_the_retention_purge_removes_every_token_of_the_purged_orders(core: CoreServices) -> None:
    store = import_buyers()
    later = amazon_order(
        2, *BUYERS[1], latest_delivery_date=T0 + timedelta(days=40), last_updated_time=T0 + timedelta(hours=1)
    )
    apply_orders_page(store, [later], now="2026-11-24T11:00:00Z")
    ids = {n: find_order(f"111-000000{n}-000000{n}").id for n in (1, 2, 3)}
    dialect.execute("INSERT INTO buyer_name_token (order_id, token) VALUES (?, 42)", [ids[1]])  # any token
    assert purge_buyer_data(T0 + timedelta(days=36), None).orders_purged == 2
    assert _tokens(ids[1]) == _tokens(ids[3]) == set()
    assert _tokens(ids[2]) == _expected(ids[2], BUYERS[1][0])
    assert _found("oberhuber") == {"111-0000002-0000002"}


def test_removing_a_store_removes_its_orders_tokens_and_no_others(core: CoreServices) -> None:
    store = import_buyers()
    other = insert_store(name="Other", marketplace_id="A2EUQ1WTGCTBG2", region="NA", selling_partner_id="A2X")
    kept = replace(amazon_order(7, "Zoë Kept", "1 Way", "+1 206-555-0100"), marketplace_id="A2EUQ1WTGCTBG2")
    apply_orders_page(other, [kept], now="2026-11-24T10:00:00Z")
    with transaction(immediate=True):
        delete_store(store.id)
    rows = dialect.execute("SELECT DISTINCT order_id FROM buyer_name_token").fetchall()
    assert {int(r[0]) for r in rows} == {find_order("111-0000007-0000007").id}
    assert _found("zoe") == {"111-0000007-0000007"}


@pytest.mark.sqlite_only
def test_the_step_keeps_every_token(data_dir: Path) -> None:
    key = new_workspace_key()
    path = data_dir / "app.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        schema_with_store(conn, MIGRATIONS[STEP])
        cipher = FieldCipher(key)
        for oid, name in ((1, "Zelda Quux"), (2, "José Smith")):
            conn.execute(
                "INSERT INTO orders (id, store_id, amazon_order_id, amazon_status, state, imported_at, "
                "updated_at) VALUES (?, 1, ?, 'UNSHIPPED', 'released', 'x', 'x')",
                (oid, f"111-000000{oid}-0000000"),
            )
            conn.executemany(
                "INSERT INTO buyer_name_token (order_id, token) VALUES (?, ?)",
                [(oid, t) for t in cipher.name_tokens(name)],
            )
        before = sorted(conn.execute("SELECT token, order_id FROM buyer_name_token").fetchall())
    finally:
        conn.close()
    opened = open_database(path, backup_dir=data_dir / "backups")
    try:
        assert opened.migrated_from == STEP
        after = sorted(opened.db.execute_sql("SELECT token, order_id FROM buyer_name_token").fetchall())
        assert after == before
        assert len(before) > 10
    finally:
        opened.close()


# Queries on order_item and package by order, as the app and the triggers of schema_order_list_scale.sql and
# schema_stock_allocation.sql run them, with the index each reads now that the two redundant ones are gone.
_PLANS = {
    "SELECT min(CASE p.push_state WHEN 'rejected' THEN 0 ELSE 3 END) FROM package p WHERE p.order_id = ?": (
        "sqlite_autoindex_package_1"
    ),
    "SELECT 1 FROM package p WHERE p.order_id = ? AND p.push_state IN ('queued', 'sent')": "package_push_state",
    "SELECT sum(pi.quantity) FROM package q JOIN package_item pi ON pi.package_id = q.id "
    "WHERE q.order_id = ? AND q.push_state IN ('queued', 'sent') AND pi.order_item_id = ?": (
        "package_item_order_item"  # an item's few package lines, then their package (schema_cascade_indexes.sql)
    ),
    "SELECT * FROM package WHERE order_id IN (?, ?) AND push_state IN ('queued', 'sent')": "package",
    "SELECT 1 FROM order_item i WHERE i.order_id = ? AND i.quantity > i.quantity_shipped": (
        "sqlite_autoindex_order_item_1"
    ),
    "SELECT product_id, quantity - quantity_shipped FROM order_item WHERE order_id = ? AND product_id IS NOT NULL": (
        "sqlite_autoindex_order_item_1"
    ),
    "SELECT order_id, sum(quantity), sum(quantity_shipped) FROM order_item WHERE order_id IN (?, ?) "
    "GROUP BY order_id": "sqlite_autoindex_order_item_1",
    "SELECT count(*) FROM order_item i WHERE i.order_id = ?": "sqlite_autoindex_order_item_1",
}


@pytest.mark.sqlite_only
@pytest.mark.parametrize("sql", list(_PLANS))
def test_queries_by_order_read_an_index(db: OpenedDatabase, sql: str) -> None:
    generate(db.db, orders=300, seed=5)
    indexes = {str(r[0]) for r in db.db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert not {"order_item_allocation", "package_order_state"} & indexes
    plan = " | ".join(str(r[3]) for r in db.db.execute_sql("EXPLAIN QUERY PLAN " + sql, [1] * sql.count("?")))
    assert _PLANS[sql] in plan, plan
    assert not any(step.startswith("SCAN") for step in plan.split(" | ")), plan


def test_the_two_indexes_are_gone_on_both_backends(db: OpenedDatabase) -> None:
    for table, index in (("order_item", "order_item_allocation"), ("package", "package_order_state")):
        assert index not in _index_names(table)


def _index_names(table: str) -> set[str]:
    if dialect.is_postgres():
        sql = "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ?"
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
    return {str(r[0]) for r in dialect.execute(sql, [table]).fetchall()}


# --- the timeline's times: whole seconds on SQLite, the ISO text written on the way out (both backends) ---


def test_an_event_time_reads_back_as_written(core: CoreServices) -> None:
    import_buyers()
    first = find_order("111-0000001-0000001").id
    events.add_event(first, events.RULE, "later", at="2026-11-25T08:30:05Z")
    events.add_event(first, events.RULE, "earlier", at="2026-11-24T10:00:00Z")
    timeline = [(e.at, e.message) for e in events.list_events(first)]
    assert timeline == [
        ("2026-11-24T10:00:00Z", "Imported from Amazon as released"),
        ("2026-11-24T10:00:00Z", "earlier"),
        ("2026-11-25T08:30:05Z", "later"),
    ]
    assert [tuple(r) for r in order_events(first)] == [
        (at, kind, message)
        for (at, message), kind in zip(timeline, ["imported", "rule", "rule"], strict=True)
    ]
    last = events.last_event_of(first, (events.RULE,))
    assert last is not None
    assert (last.at, last.message) == ("2026-11-25T08:30:05Z", "later")
    # the app writes whole seconds (iso_utc); any other text is kept as it is
    events.add_event(first, events.HOLD, "odd", at="2026-11-25T08:30:05.250Z")
    assert [e.at for e in events.list_events(first) if e.message == "odd"] == ["2026-11-25T08:30:05.250Z"]


def _seconds(iso: str) -> int:
    return int(datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp())


@pytest.mark.sqlite_only
def test_sqlite_keeps_an_event_time_as_whole_seconds(core: CoreServices) -> None:
    import_buyers()
    first = find_order("111-0000001-0000001").id
    events.add_event(first, events.RULE, "by the model", at="2026-11-25T08:30:05Z")
    dialect.executemany(  # as the import and the rules write them: raw ISO text
        "INSERT INTO order_event (order_id, at, kind, message) VALUES (?, ?, 'rule', ?)",
        [(first, "2026-11-25T08:30:06Z", "raw"), (first, "whenever", "not a time")],
    )
    stored = dict(
        dialect.execute("SELECT message, at FROM order_event WHERE order_id = ?", [first]).fetchall()
    )
    assert stored["Imported from Amazon as released"] == _seconds("2026-11-24T10:00:00Z")
    assert stored["by the model"] == _seconds("2026-11-25T08:30:05Z")
    assert stored["raw"] == _seconds("2026-11-25T08:30:06Z")
    assert stored["not a time"] == "whenever"


@pytest.mark.sqlite_only
def test_the_step_converts_the_timeline_and_keeps_every_event(data_dir: Path) -> None:
    path = data_dir / "app.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    rows = [
        (1, "2026-01-02T03:04:05Z", "imported", "Imported from Amazon as released"),
        (1, "2026-01-02T03:04:05.5Z", "rule", "kept as written"),
        (2, "2026-01-01T00:00:00Z", "packed", "Package 1: 1 unit(s), UPS 1Z"),
    ]
    try:
        schema_with_store(conn, MIGRATIONS[STEP])
        for oid in (1, 2):
            conn.execute(
                "INSERT INTO orders (id, store_id, amazon_order_id, amazon_status, state, imported_at, "
                "updated_at) VALUES (?, 1, ?, 'UNSHIPPED', 'released', 'x', 'x')",
                (oid, f"111-000000{oid}-0000000"),
            )
        conn.executemany(
            "INSERT INTO order_event (order_id, at, kind, message, station, os_user) VALUES (?, ?, ?, ?, 'PC', 'me')",
            rows,
        )
    finally:
        conn.close()
    opened = open_database(path, backup_dir=data_dir / "backups")
    try:
        got = opened.db.execute_sql(
            "SELECT order_id, typeof(at), kind, message, station, os_user FROM order_event ORDER BY id"
        ).fetchall()
        assert [r[1] for r in got] == ["integer", "text", "integer"]
        assert [(r[0], r[2], r[3], r[4], r[5]) for r in got] == [(o, k, m, "PC", "me") for o, _, k, m in rows]
        assert [(e.at, e.message) for e in events.list_events(1)] == [(r[1], r[3]) for r in rows[:2]]
        plan = " ".join(
            str(r[3])
            for r in opened.db.execute_sql(
                "EXPLAIN QUERY PLAN SELECT at FROM order_event WHERE order_id = ? ORDER BY at, id", [1]
            )
        )
        assert "order_event_order" in plan
    finally:
        opened.close()


def test_a_workspace_copy_carries_event_times_as_text(tmp_path: Path, pg_server: PgServer) -> None:
    data = tmp_path / "station"
    opened = open_database(data / "fbm-desk.sqlite3")
    try:
        attach_workspace(Credentials(MemoryStore()))
        generate(opened.db, orders=30)
        written = opened.db.execute_sql("SELECT id, at FROM order_event ORDER BY id").fetchall()
        stock_history = opened.db.execute_sql(
            "SELECT id, created_at FROM inventory_adjustment ORDER BY id"
        ).fetchall()
        assert {type(at) for _, at in written + stock_history} == {int}  # whole seconds in the file
    finally:
        opened.close()
    target = pg_server.create_database()
    try:
        copy_to_workspace(data / "fbm-desk.sqlite3", target)
        with psycopg.connect(target) as conn:
            copied = conn.execute("SELECT id, at FROM order_event ORDER BY id").fetchall()
        assert copied == [(i, iso_text(at)) for i, at in written]
        assert all(str(at).endswith("Z") and len(str(at)) == 20 for _, at in copied)
        with psycopg.connect(target) as conn:
            history = conn.execute("SELECT id, created_at FROM inventory_adjustment ORDER BY id").fetchall()
        assert history == [(i, iso_text(at)) for i, at in stock_history]
        assert history
    finally:
        pg_server.drop_database(target)


def test_a_stock_adjustment_time_reads_back_as_written(core: CoreServices) -> None:
    product = Product.create(sku="SKU-T", title="T")
    adjust_on_hand(product.id, 5, "counted", now="2026-11-24T10:00:00Z")
    adjust_on_hand(product.id, -2, "broken", now="2026-11-25T08:30:05Z")
    history = [(a.created_at, a.reason, a.on_hand_after) for a in list_adjustments(product.id)]
    assert history == [("2026-11-25T08:30:05Z", "broken", 3), ("2026-11-24T10:00:00Z", "counted", 5)]
    if not dialect.is_postgres():
        stored = dialect.execute(
            "SELECT created_at FROM inventory_adjustment WHERE product_id = ? ORDER BY id", [product.id]
        ).fetchall()
        assert [r[0] for r in stored] == [_seconds("2026-11-24T10:00:00Z"), _seconds("2026-11-25T08:30:05Z")]


@pytest.mark.sqlite_only
def test_the_step_converts_the_stock_history(data_dir: Path) -> None:
    path = data_dir / "app.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        schema_before(conn, MIGRATIONS[STEP])
        conn.execute("INSERT INTO product (id, sku, title, created_at) VALUES (1, 'S', 'S', 'x')")
        conn.executemany(
            "INSERT INTO inventory_adjustment (product_id, warehouse_id, delta, on_hand_after, reason, source, "
            "created_at, station, os_user) VALUES (1, (SELECT min(id) FROM warehouse), ?, ?, ?, 'user', ?, 'PC', 'me')",
            [(4, 4, "counted", "2026-01-02T03:04:05Z"), (-1, 3, "odd time", "yesterday")],
        )
    finally:
        conn.close()
    opened = open_database(path, backup_dir=data_dir / "backups")
    try:
        got = opened.db.execute_sql(
            "SELECT typeof(created_at), delta, on_hand_after, reason, station FROM inventory_adjustment ORDER BY id"
        ).fetchall()
        assert got == [("integer", 4, 4, "counted", "PC"), ("text", -1, 3, "odd time", "PC")]
        assert {(a.created_at, a.reason) for a in list_adjustments(1)} == {
            ("2026-01-02T03:04:05Z", "counted"),
            ("yesterday", "odd time"),
        }
    finally:
        opened.close()


def test_generated_packages_carry_what_packing_and_the_push_write(db: OpenedDatabase) -> None:
    """The bench's generator mirrors the app (db/packages.py): Amazon's answer stamps ``pushed_at`` and
    ``updated_at``, a queued package has neither; the station and user that packed it are recorded."""
    generate(db.db, orders=400, seed=9)
    rows = dialect.execute(
        "SELECT push_state, pushed_at, created_at, updated_at, station, os_user FROM package"
    ).fetchall()
    assert {r[0] for r in rows} >= {"confirmed", "queued"}
    for state, pushed_at, created_at, updated_at, station, os_user in rows:
        if state == "queued":
            assert (pushed_at, updated_at) == (None, created_at)
        else:
            assert pushed_at is not None
            assert updated_at == pushed_at > created_at
        assert (station, os_user) == (current_station(), current_os_user())
