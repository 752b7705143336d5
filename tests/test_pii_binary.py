"""Sealed buyer fields as bytes on SQLite (issue 19, storage): ``MARKER ‖ nonce ‖ ciphertext ‖ tag`` instead of
``pii1:`` + base64 text; PostgreSQL keeps the text. Readers open both forms; ``schema_pii_binary.sql`` converts
an older file's values; a workspace copy carries them to PostgreSQL as text; the purge blanks them; an altered or
moved value stays locked."""

from __future__ import annotations

import base64
import sqlite3
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest

from fbm_desk.core import CoreServices
from fbm_desk.db import dialect, open_database, open_postgres, pii
from fbm_desk.db.backups import purge_backup, seal_plain_rows
from fbm_desk.db.connection import MIGRATIONS, _backup
from fbm_desk.db.orders import find_order
from fbm_desk.db.privacy import attach_workspace
from fbm_desk.db.retention import purge_buyer_data
from fbm_desk.db.sealed_values import as_binary, as_text
from fbm_desk.db.support_queries import distinct_order_values
from fbm_desk.db.transactions import transaction
from fbm_desk.db.workspace_copy import copy_to_workspace
from fbm_desk.foundation.credentials import Credentials, MemoryStore
from fbm_desk.foundation.workspace_key import MARKER, PREFIX, FieldCipher, new_workspace_key
from tests.support.demo_data import generate
from tests.support.old_schema import schema_with_store
from tests.support.pg_server import PgServer
from tests.test_buyer_data_encryption import BUYERS, T0, import_buyers

FIRST = "111-0000001-0000001"
STEP = MIGRATIONS.index("schema_pii_binary.sql")


def _stored(
    order: str, columns: str = "buyer_name, ship_name, ship_address1, ship_phone"
) -> tuple[object, ...]:
    row = dialect.execute(f"SELECT {columns} FROM orders WHERE amazon_order_id = ?", [order]).fetchone()  # noqa: S608
    return tuple(row)


def _cipher() -> FieldCipher:
    found = pii.cipher()
    assert found is not None
    return found


def test_a_sealed_field_is_bytes_on_sqlite_and_text_on_postgresql(core: CoreServices) -> None:
    import_buyers()
    name, street, phone = BUYERS[0]
    stored = _stored(FIRST)
    if dialect.is_postgres():
        assert all(isinstance(v, str) and v.startswith(PREFIX) for v in stored)
    else:
        assert all(isinstance(v, bytes) and v.startswith(MARKER) for v in stored)
        # marker, 12-byte nonce, the UTF-8 text, 16-byte tag: nothing else
        assert [len(v) for v in stored if isinstance(v, bytes)] == [
            1 + 12 + len(plain.encode()) + 16 for plain in (name, name, street, phone)
        ]
    assert _stored(FIRST, "ship_company, ship_address2") == ("", "")  # empty stays empty text
    order = find_order(FIRST)
    assert order.buyer_name == name
    assert order.ship_to is not None
    assert (order.ship_to.name, order.ship_to.address_line1, order.ship_to.phone) == (name, street, phone)
    # the support zip's scrub list reads them raw (support_queries)
    assert distinct_order_values("buyer_name") == sorted(b[0] for b in BUYERS)


def test_a_value_in_the_old_text_form_still_opens(core: CoreServices) -> None:
    import_buyers()
    old = _cipher().encrypt("buyer_name", "Olga Oldform")
    assert isinstance(old, str)
    assert old.startswith(PREFIX)
    dialect.execute("UPDATE orders SET buyer_name = ? WHERE amazon_order_id = ?", [old, FIRST])
    assert find_order(FIRST).buyer_name == "Olga Oldform"
    assert pii.reveal("buyer_name", old) == "Olga Oldform"
    assert pii.reveal("buyer_name", _cipher().encrypt_bytes("buyer_name", "Olga Oldform")) == "Olga Oldform"


@pytest.mark.sqlite_only  # the bytes of the SQLite file
def test_an_altered_moved_or_unknown_blob_stays_locked(core: CoreServices) -> None:
    import_buyers()
    name = _stored(FIRST, "buyer_name")[0]
    assert isinstance(name, bytes)
    flipped = name[:20] + bytes([name[20] ^ 1]) + name[21:]
    for column, value in (
        ("buyer_name", flipped),  # one bit of the ciphertext
        ("buyer_name", name[:-1]),  # the tag cut short
        ("buyer_name", b"\x02" + name[1:]),  # a format this version does not know
        ("ship_phone", name),  # the buyer's name moved into another column (the column is associated data)
    ):
        dialect.execute(f"UPDATE orders SET {column} = ? WHERE amazon_order_id = ?", [value, FIRST])  # noqa: S608
        assert pii.reveal(column, value) == pii.LOCKED
    order = find_order(FIRST)
    assert order.buyer_name == pii.LOCKED
    assert order.ship_to is not None
    assert order.ship_to.phone == pii.LOCKED


def test_a_plain_value_is_sealed_in_the_form_of_the_backend(core: CoreServices) -> None:
    import_buyers()
    dialect.execute("UPDATE orders SET ship_company = 'Plainfield Ltd' WHERE amazon_order_id = ?", [FIRST])
    with transaction(immediate=True):
        assert seal_plain_rows(dialect.LiveConnection(), _cipher(), index_names=True) == 1
    (company,) = _stored(FIRST, "ship_company")
    assert isinstance(company, str if dialect.is_postgres() else bytes)
    assert find_order(FIRST).ship_to.company == "Plainfield Ltd"  # type: ignore[union-attr]


def test_the_retention_purge_blanks_the_sealed_values(core: CoreServices) -> None:
    import_buyers()
    assert all(v not in ("", None) for v in _stored(FIRST))
    if not dialect.is_postgres():  # a backup holding the binary values is purged too
        backup = _backup(core.paths.db_file, 1, core.paths.backup_dir)
    assert purge_buyer_data(T0 + timedelta(days=36), None).orders_purged == len(BUYERS)
    columns = ", ".join(pii.ENCRYPTED_COLUMNS)
    assert dialect.execute(f"SELECT DISTINCT {columns} FROM orders").fetchall() == [("",) * 9]  # noqa: S608
    assert find_order(FIRST).buyer_name == ""
    if not dialect.is_postgres():
        assert purge_backup(backup, "2027-01-01T00:00:00Z") == 1
        conn = sqlite3.connect(backup)
        try:
            assert conn.execute(f"SELECT DISTINCT {columns} FROM orders").fetchall() == [("",) * 9]  # noqa: S608
        finally:
            conn.close()


def test_the_conversions_need_no_key_and_leave_other_values_alone() -> None:
    cipher = FieldCipher(new_workspace_key())
    text = cipher.encrypt("ship_name", "Ünal Çelik")
    binary = as_binary(text)
    assert isinstance(binary, bytes)
    assert binary == MARKER + base64.b64decode(text[len(PREFIX) :])
    assert as_text(binary) == text
    assert cipher.decrypt("ship_name", binary) == cipher.decrypt("ship_name", text) == "Ünal Çelik"
    for other in ("", "Plain Name", "pii1:not base64!", None, 7, binary):
        assert as_binary(other) == other
    for other in ("", "Plain Name", text, None):
        assert as_text(other) == other
    unknown = as_text(b"\x02" + binary[1:])  # carried as text that opens nowhere, as it opens nowhere here
    assert isinstance(unknown, str)
    assert unknown.startswith(PREFIX)


@pytest.mark.sqlite_only  # an older version's SQLite file, migrated on open
def test_the_migration_converts_the_old_text_values(data_dir: Path) -> None:
    cipher = FieldCipher(new_workspace_key())
    values = {
        "buyer_name": cipher.encrypt("buyer_name", "Zoë Ådlerberg"),
        "ship_name": cipher.encrypt("ship_name", "Zoë Ådlerberg"),
        "ship_company": "",
        "ship_address1": cipher.encrypt("ship_address1", "4711 Quillfeather Lane"),
        "ship_address2": "Plain Annex",  # a station that never encrypted (left as it is)
        "ship_phone": cipher.encrypt("ship_phone", "+1 206-555-0147"),
        "delivery_instructions": "pii1:damaged!",  # not base64: left as it is (it opens nowhere either way)
    }
    path = data_dir / "app.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        schema_with_store(conn, MIGRATIONS[STEP])
        names = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        for oid in (1, 2):
            conn.execute(
                f"INSERT INTO orders (id, store_id, amazon_order_id, amazon_status, state, purchase_date, "  # noqa: S608
                f"imported_at, updated_at, {names}) VALUES (?, 1, ?, 'UNSHIPPED', 'released', "
                f"'2026-11-20T10:00:00Z', 'x', 'x', {marks})",
                (oid, f"111-000000{oid}-0000000", *values.values()),
            )
        conn.execute(
            "INSERT INTO orders (id, store_id, amazon_order_id, amazon_status, state, imported_at, "
            "updated_at) VALUES (3, 1, '111-0000003-0000000', 'UNSHIPPED', 'released', 'x', 'x')"
        )
        schema = set(conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall())
    finally:
        conn.close()
    opened = open_database(path, backup_dir=data_dir / "backups")
    try:
        assert opened.migrated_from == STEP
        raw = opened.db.connection()
        # orders was rebuilt (table_rebuild.py): its definition, indexes and triggers are the same text
        assert schema <= set(raw.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall())
        assert raw.execute("PRAGMA foreign_key_check").fetchall() == []
        for oid in (1, 2):
            row = raw.execute(f"SELECT {names}, purchase_ts FROM orders WHERE id = ?", (oid,)).fetchone()  # noqa: S608
            after = dict(zip(values, row[:-1], strict=True))
            assert row[-1] == 1795168800  # the generated sort key still reads its column
            for column, before in values.items():
                if before.startswith(PREFIX) and column != "delivery_instructions":
                    assert after[column] == MARKER + base64.b64decode(before[len(PREFIX) :])
                    assert cipher.decrypt(column, after[column]) == cipher.decrypt(column, before)
                else:
                    assert after[column] == before
        blank = raw.execute("SELECT buyer_name, ship_name FROM orders WHERE id = 3").fetchone()
        assert blank == ("", "")
        assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        opened.close()


def test_a_workspace_copy_carries_them_as_text_that_opens_on_postgresql(
    tmp_path: Path, pg_server: PgServer
) -> None:
    local = tmp_path / "station" / "fbm-desk.sqlite3"
    opened = open_database(local)
    try:
        attach_workspace(Credentials(MemoryStore()))  # the key stays bound in this process
        generate(opened.db, orders=40)
        columns = ", ".join(pii.ENCRYPTED_COLUMNS)
        sql = f"SELECT id, {columns} FROM orders ORDER BY id"  # noqa: S608
        here = opened.db.execute_sql(sql).fetchall()
    finally:
        opened.close()
    assert any(isinstance(v, bytes) for row in here for v in row)
    target = pg_server.create_database()
    try:
        copy_to_workspace(local, target)
        with psycopg.connect(target) as conn:
            there = conn.execute(sql).fetchall()
        assert [r[0] for r in there] == [r[0] for r in here]
        for mine, theirs in zip(here, there, strict=True):
            for column, a, b in zip(pii.ENCRYPTED_COLUMNS, mine[1:], theirs[1:], strict=True):
                assert not isinstance(b, bytes | memoryview)
                assert b == as_text(a)  # the same nonce, ciphertext and tag, as text
                assert pii.reveal(column, b) == pii.reveal(column, a) != pii.LOCKED
        workspace = open_postgres(target)  # the app on the workspace opens them
        try:
            named = next(row for row in here if row[1])
            (order_id,) = dialect.execute(
                "SELECT amazon_order_id FROM orders WHERE id = ?", [named[0]]
            ).fetchone()
            assert find_order(str(order_id)).buyer_name == pii.reveal("buyer_name", named[1])
        finally:
            workspace.close()
    finally:
        pg_server.drop_database(target)


@pytest.mark.sqlite_only  # the pages of the SQLite file
def test_the_migration_leaves_orders_in_fewer_pages(data_dir: Path) -> None:
    cipher = FieldCipher(new_workspace_key())
    path = data_dir / "app.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        schema_with_store(conn, MIGRATIONS[STEP])
        conn.executemany(
            "INSERT INTO orders (id, store_id, amazon_order_id, amazon_status, state, imported_at, updated_at, "
            "buyer_name, ship_name, ship_address1, ship_phone) VALUES (?, 1, ?, 'UNSHIPPED', 'released', 'x', 'x', "
            "?, ?, ?, ?)",
            [
                (
                    oid,
                    f"111-{oid:07d}-0000000",
                    *(cipher.encrypt(c, f"Buyer {oid:05d}") for c in ("buyer_name", "ship_name")),
                    cipher.encrypt("ship_address1", f"{oid} Long Street"),
                    cipher.encrypt("ship_phone", "+1 206-555-0147"),
                )
                for oid in range(1, 2001)
            ],
        )
        size = "SELECT sum(pgsize) FROM dbstat WHERE name = 'orders'"
        before = int(conn.execute(size).fetchone()[0])
    finally:
        conn.close()
    opened = open_database(path, backup_dir=data_dir / "backups")
    try:
        after = int(opened.db.execute_sql(size).fetchone()[0])
        assert (
            after < 0.8 * before
        )  # rebuilt: shrunk rows in full pages (an UPDATE in place keeps every page)
        assert {r[0] for r in opened.db.execute_sql("SELECT typeof(buyer_name) FROM orders")} == {"blob"}
    finally:
        opened.close()
