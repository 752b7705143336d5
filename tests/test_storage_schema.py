"""Storage at a million orders (issue 19, fbm_desk/db/schema_storage.sql): the step keeps every row and the
name search, the compact blind index behaves as before, and the queries still read an index after the
redundant ones were dropped."""

from __future__ import annotations

import hashlib
import hmac
import sqlite3
from pathlib import Path

import pytest

from fbm_desk.db import OpenedDatabase, dialect, open_database, pii
from fbm_desk.db.connection import MIGRATIONS
from fbm_desk.db.name_index import name_hits_sql, store_name_tokens
from fbm_desk.db.order_views import OrderQuery, fetch_orders
from fbm_desk.db.stores import delete_store
from fbm_desk.db.transactions import transaction
from fbm_desk.foundation.workspace_key import TOKEN_BITS, FieldCipher, new_workspace_key, normalize_name
from tests.support.demo_data import add_order, generate
from tests.support.old_schema import schema_before

STEP = MIGRATIONS.index("schema_storage.sql")


def _old_tokens(key: bytes, name: str) -> set[int]:
    """The 63-bit tokens the app wrote before this step (the formula as it was)."""
    index_key = hmac.new(key, b"FBM Desk buyer name index v1", hashlib.sha256).digest()
    out = set()
    for word in normalize_name(name):
        for end in range(2, min(len(word), 24) + 1):
            digest = hashlib.blake2b(word[:end].encode(), key=index_key, digest_size=8).digest()
            out.add(int.from_bytes(digest, "big") >> 1)
    return out


def _database_before_the_step(path: Path, key: bytes) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        schema_before(conn, MIGRATIONS[STEP])
        conn.execute(
            "INSERT INTO store (id, name, marketplace_id, region, selling_partner_id, created_at) "
            "VALUES (1, 'Main US', 'ATVPDKIKX0DER', 'NA', 'A1SELLER', '2026-01-01T00:00:00Z')"
        )
        for oid, name in ((1, "Zelda Quux"), (2, "José Smith"), (3, "")):
            conn.execute(
                "INSERT INTO orders (id, store_id, amazon_order_id, amazon_status, state, imported_at, updated_at) "
                "VALUES (?, 1, ?, 'UNSHIPPED', 'released', 'x', 'x')",
                (oid, f"111-000000{oid}-0000000"),
            )
            conn.execute(
                "INSERT INTO order_event (order_id, at, kind, message) VALUES (?, '2026-01-02T00:00:00Z', "
                "'imported', 'Imported from Amazon as released')",
                (oid,),
            )
            conn.executemany(
                "INSERT INTO buyer_name_token (order_id, token) VALUES (?, ?)",
                [(oid, t) for t in _old_tokens(key, name)],
            )
    finally:
        conn.close()


@pytest.mark.sqlite_only
def test_step_keeps_rows_and_old_tokens_still_find_names(data_dir: Path) -> None:
    key = new_workspace_key()
    path = data_dir / "app.sqlite3"
    _database_before_the_step(path, key.key)
    before = sqlite3.connect(path).execute("SELECT count(*) FROM buyer_name_token").fetchone()[0]

    opened = open_database(path, backup_dir=data_dir / "backups")
    pii.bind(FieldCipher(key))
    try:
        assert opened.migrated_from == STEP
        assert opened.db.execute_sql("SELECT count(*) FROM buyer_name_token").fetchone()[0] == before > 0
        events = opened.db.execute_sql("SELECT order_id, kind, message FROM order_event ORDER BY order_id")
        assert [r[0] for r in events.fetchall()] == [1, 2, 3]
        assert opened.db.execute_sql("SELECT max(token) FROM buyer_name_token").fetchone()[0] < 2**TOKEN_BITS

        def hits(text: str) -> set[int]:
            found = name_hits_sql(text)
            assert found is not None
            return {int(r[0]) for r in opened.db.execute_sql(*found).fetchall()}

        assert hits("zel") == {1}
        assert hits("quux zelda") == {1}
        assert hits("jose") == {2}  # accents folded as before
        assert hits("smith") == {2}
        assert hits("zeldas") == set()
        indexes = {r[0] for r in opened.db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert "buyer_name_token_order" not in indexes  # gone on SQLite in a later step (schema_compact.sql)
        assert (
            not {"package_order", "package_item_package", "orders_store_updated", "order_item_sku"} & indexes
        )
    finally:
        opened.close()


def test_name_index_keeps_one_row_per_token_and_order_and_follows_the_order(db: OpenedDatabase) -> None:
    generate(db.db, orders=20, seed=3)
    oid = add_order(db.db, "999-0000000-0000001", buyer_name="Rumpel Stilzchen")
    assert {r.id for r in fetch_orders(OrderQuery(search="rumpel stilz"), 0, 10)} == {oid}
    store_name_tokens({oid: ["Rumpel Stilzchen", "Rumpel Stilzchen"]})  # replaced, never doubled
    count = dialect.execute("SELECT count(*) FROM buyer_name_token WHERE order_id = ?", [oid]).fetchone()[0]
    assert count == len({t for _, t in pii.name_token_rows(oid, ["Rumpel Stilzchen"])})
    with transaction(immediate=True):  # the tokens go with the order's store (schema_compact.sql: no cascade)
        delete_store(int(dialect.execute("SELECT store_id FROM orders WHERE id = ?", [oid]).fetchone()[0]))
    assert (
        dialect.execute("SELECT count(*) FROM buyer_name_token WHERE order_id = ?", [oid]).fetchone()[0] == 0
    )
    assert fetch_orders(OrderQuery(search="rumpel"), 0, 10) == []


# The app's queries on the tables this step changed, with the index each must read (never a full scan).
_PLANS = {
    "SELECT at, kind, message FROM order_event WHERE order_id = ? ORDER BY at, id": "order_event_order",
    "SELECT order_id FROM buyer_name_token WHERE token = ?": "PRIMARY KEY",
    "DELETE FROM buyer_name_token WHERE token = ? AND order_id = ?": "PRIMARY KEY",
    "SELECT * FROM package WHERE order_id = ?": "package",
    "SELECT * FROM package_item WHERE package_id = ?": "sqlite_autoindex_package_item_1",
    "SELECT id FROM orders WHERE store_id = ? AND amazon_order_id IN (?, ?)": "sqlite_autoindex_orders_1",
    "SELECT order_id FROM order_item WHERE seller_sku LIKE ? ESCAPE '\\'": "order_item_sku_nocase",
    "SELECT order_id FROM package WHERE tracking_number LIKE ? ESCAPE '\\'": "package_tracking_nocase",
    "SELECT count(*), count(DISTINCT i.order_id) FROM order_item i JOIN orders o ON o.id = i.order_id "
    "WHERE i.seller_sku = ? AND i.product_id IS NULL": "order_item_product",
    "SELECT id FROM orders WHERE store_id = ? ORDER BY purchase_ts DESC LIMIT 50": "orders_store_purchase",
    "SELECT id FROM orders ORDER BY ship_country, ship_city LIMIT 50": "orders_ship_country_city",
}


@pytest.mark.sqlite_only
@pytest.mark.parametrize("sql", list(_PLANS))
def test_queries_read_an_index(db: OpenedDatabase, sql: str) -> None:
    generate(db.db, orders=300, seed=5)
    params = ["x"] * sql.count("?")
    if "LIKE" in sql:
        params = ["1z%"]
    plan = " | ".join(str(r[3]) for r in db.db.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall())
    assert _PLANS[sql] in plan, plan
    assert not any(step.startswith("SCAN") and "USING" not in step for step in plan.split(" | ")), plan
