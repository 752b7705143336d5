"""Buyer data encrypted at rest (issue 14): a copied data folder (database, WAL, backups) reveals no buyer's name,
street or phone; the app reads them plain with the workspace key; a station without it shows them as encrypted;
existing plain databases and backups are encrypted on the first open; search by name keeps working."""

from __future__ import annotations

import sqlite3
import subprocess
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from fbm_desk.amazon.types import Address, AmazonOrder, AmazonOrderItem
from fbm_desk.core import CoreServices, build_core
from fbm_desk.db import pii
from fbm_desk.db.connection import LATEST_VERSION, _backup
from fbm_desk.db.models import Product
from fbm_desk.db.order_import import apply_orders_page
from fbm_desk.db.order_views import OrderQuery, fetch_orders
from fbm_desk.db.orders import find_order, get_order_detail, list_orders
from fbm_desk.db.rows import StoreRow
from fbm_desk.db.stores import insert_store
from fbm_desk.foundation.credentials import open_credentials
from fbm_desk.foundation.paths import AppPaths
from fbm_desk.foundation.workspace_key import new_workspace_key, save_workspace_key
from tests.support.old_schema import schema_before
from tests.support.pg_server import pg_tool
from tests.support.pii_scan import copy_and_scan, pii_hits

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
BUYERS = (
    ("Zoë Ådlerberg", "4711 Quillfeather Lane", "+1 206-555-0147"),
    ("Maximilian Oberhuber", "88 Wrenfield Crescent", "+1 512-555-0199"),
    ("Priyanka Venkataraman", "19 Thistlewood Row", "+1 303-555-0123"),
)


def needles() -> list[str]:
    return [value for buyer in BUYERS for value in buyer]


def amazon_order(n: int, name: str, street: str, phone: str, **kw: object) -> AmazonOrder:
    base = AmazonOrder(
        order_id=f"111-000000{n}-000000{n}",
        created_time=T0,
        last_updated_time=T0,
        marketplace_id="ATVPDKIKX0DER",
        fulfillment_status="UNSHIPPED",
        fulfilled_by="MERCHANT",
        items=(AmazonOrderItem(f"90{n}", "SKU-A", "B000", "A thing", 1),),
        address=Address(
            name=name,
            address_line1=street,
            city="Springfield",
            postal_code="12345",
            country_code="US",
            phone=phone,
        ),
        buyer_name=name,
        latest_delivery_date=T0 + timedelta(days=5),
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def import_buyers() -> StoreRow:
    Product.get_or_create(sku="SKU-A", defaults={"title": "A"})
    store = insert_store(
        name="Shop", marketplace_id="ATVPDKIKX0DER", region="NA", selling_partner_id="A1SELLER"
    )
    apply_orders_page(
        store, [amazon_order(n, *b) for n, b in enumerate(BUYERS, 1)], now="2026-11-24T10:00:00Z"
    )
    return store


def test_the_scan_finds_plain_buyer_data() -> None:
    """The scan itself works: plain names, streets and phones in any bytes are found (UTF-8 and UTF-16)."""
    plain = "\n".join(needles())
    assert pii_hits(plain.encode(), needles()) == needles()
    assert pii_hits(plain.encode("utf-16-le"), needles()) == needles()
    assert pii_hits(b"..MAXIMILIAN OBERHUBER..", ["Maximilian Oberhuber"]) == ["Maximilian Oberhuber"]


@pytest.mark.sqlite_only  # the SQLite file's bytes (a workspace: test_a_dump_of_a_shared_workspace_reveals_no_buyer_data)
def test_a_copied_data_folder_reveals_no_buyer_data(core: CoreServices, tmp_path: Path) -> None:
    import_buyers()
    _backup(core.paths.db_file, LATEST_VERSION, core.paths.backup_dir)  # what an upgrade copies first
    assert (core.paths.data_dir / "fbm-desk.sqlite3-wal").exists()  # copied while the app runs: WAL included
    assert copy_and_scan(core.paths.data_dir, tmp_path / "copy", needles()) == {}
    detail = get_order_detail(find_order("111-0000001-0000001").id)
    assert detail.order.ship_to is not None
    assert (
        detail.order.buyer_name,
        detail.order.ship_to.address_line1,
        detail.order.ship_to.phone,
    ) == BUYERS[0]
    raw = core.db.db.execute_sql(
        "SELECT buyer_name, ship_name, ship_address1, ship_phone FROM orders"
    ).fetchall()
    # sealed, as bytes on SQLite (fbm_desk.db.sealed_values)
    assert all(isinstance(value, bytes) and value[:1] == b"\x01" for row in raw for value in row)
    core.close()
    assert copy_and_scan(core.paths.data_dir, tmp_path / "closed", needles()) == {}


def test_search_by_buyer_name_works_on_encrypted_names(core: CoreServices) -> None:
    import_buyers()

    def found(text: str) -> set[str]:
        day_rows = fetch_orders(OrderQuery(search=text), 0, 100)
        return {r.amazon_order_id for r in day_rows}

    first, second = "111-0000001-0000001", "111-0000002-0000002"
    assert found("zoë") == {first}
    assert found("ZOE adler") == {first}  # case and accents do not matter; every word is a prefix
    assert found("Oberhub") == {second}
    assert found("venkataramanxyz") == set()
    assert found("berhuber") == set()  # a fragment inside a word is not a name search (documented)
    assert {o.amazon_order_id for o in list_orders(search="maximilian")} == {second}


@pytest.mark.sqlite_only  # the SQLite file carried to a computer without its key
def test_a_station_without_the_key_shows_buyer_data_as_encrypted(core: CoreServices, tmp_path: Path) -> None:
    import_buyers()
    core.close()
    other = AppPaths(data_dir=tmp_path / "other", log_dir=tmp_path / "other" / "logs").ensure()
    core.paths.db_file.replace(other.db_file)  # the database alone, on a computer without its key
    with_nothing = build_core(other)
    try:
        assert with_nothing.workspace is not None
        assert not with_nothing.workspace.has_key
        assert "lacks the workspace key" in with_nothing.workspace.message
        order = find_order("111-0000001-0000001")
        assert order.buyer_name == pii.LOCKED
        assert order.ship_to is not None
        assert order.ship_to.address_line1 == pii.LOCKED
        assert order.ship_to.city == "Springfield"  # not encrypted (see db/pii.py)
        assert fetch_orders(OrderQuery(search="zoë"), 0, 10) == []
        with pytest.raises(pii.BuyerDataLocked, match="lacks the workspace key"):
            apply_orders_page(
                with_nothing_store(), [amazon_order(9, "Nina Newcomer", "1 New Rd", "+1 555")], now="x"
            )
    finally:
        with_nothing.close()


def with_nothing_store() -> StoreRow:
    from fbm_desk.db.stores import list_stores

    return list_stores()[0]


def test_a_wrong_key_is_detected_with_a_clear_message(core: CoreServices) -> None:
    import_buyers()
    workspace_id = core.workspace.workspace_id if core.workspace else ""
    core.close()
    wrong = replace(new_workspace_key(), workspace_id=workspace_id)
    save_workspace_key(open_credentials(core.paths.data_dir, core.settings.instance_id), wrong)
    again = build_core(core.paths)
    try:
        assert again.workspace is not None
        assert not again.workspace.has_key
        assert "wrong for this database" in again.workspace.message
        assert find_order("111-0000001-0000001").buyer_name == pii.LOCKED
    finally:
        again.close()


def _previous_schema_database(path: Path) -> None:
    """A database exactly as the version before encryption left it, with plain buyer data."""
    conn = sqlite3.connect(path)
    try:
        schema_before(conn, "schema_privacy.sql")
        conn.execute(
            "INSERT INTO store (id, name, marketplace_id, region, selling_partner_id, created_at) "
            "VALUES (1, 'Shop', 'ATVPDKIKX0DER', 'NA', 'A1SELLER', '2026-01-01T00:00:00Z')"
        )
        for n, (name, street, phone) in enumerate(BUYERS, 1):
            conn.execute(
                "INSERT INTO orders (store_id, amazon_order_id, amazon_status, state, buyer_name, ship_name, "
                "ship_address1, ship_phone, ship_city, ship_country, imported_at, updated_at) "
                "VALUES (1, ?, 'UNSHIPPED', 'released', ?, ?, ?, ?, 'Springfield', 'US', 'x', 'x')",
                (f"111-000000{n}-000000{n}", name, name, street, phone),
            )
        conn.commit()
    finally:
        conn.close()


@pytest.mark.sqlite_only  # an older version's plain SQLite file and its backup files
def test_an_existing_plain_database_and_its_backups_are_encrypted_on_first_open(
    app_paths: AppPaths, tmp_path: Path
) -> None:
    _previous_schema_database(app_paths.db_file)
    app_paths.backup_dir.mkdir()
    older = _backup(app_paths.db_file, 14, app_paths.backup_dir)  # a plain backup made by an earlier upgrade
    older.rename(app_paths.backup_dir / "fbm-desk-v14-20261101T000000Z.sqlite3")
    assert pii_hits(app_paths.db_file.read_bytes(), needles()) == needles()  # plain before
    core = build_core(app_paths)
    try:
        assert core.workspace is not None
        assert core.workspace.has_key
        assert core.workspace.encrypted_now == 4 * len(BUYERS)
        assert core.workspace.backups_rewritten == 2  # the one this upgrade made and the older one
        assert copy_and_scan(app_paths.data_dir, tmp_path / "copy", needles()) == {}
        assert find_order("111-0000002-0000002").buyer_name == BUYERS[1][0]
        assert {r.amazon_order_id for r in fetch_orders(OrderQuery(search="priyanka"), 0, 10)} == {
            "111-0000003-0000003"
        }
    finally:
        core.close()
    restored = tmp_path / "restored"  # a rewritten backup restored on this station still opens its buyer data
    restored.mkdir()
    backup = sorted(app_paths.backup_dir.glob("*.sqlite3"))[0]
    (restored / "fbm-desk.sqlite3").write_bytes(backup.read_bytes())
    (restored / "settings.json").write_bytes(app_paths.settings_file.read_bytes())
    again = build_core(AppPaths(data_dir=restored, log_dir=restored / "logs"))
    try:
        assert again.workspace is not None
        assert again.workspace.has_key
        assert find_order("111-0000001-0000001").buyer_name == BUYERS[0][0]
    finally:
        again.close()


def test_a_dump_of_a_shared_workspace_reveals_no_buyer_data(pg_workspace: str, tmp_path: Path) -> None:
    """The same guarantee on PostgreSQL: ``pg_dump`` of a workspace holding imported orders holds no buyer's name,
    street or phone (field-level encryption: the server only ever sees ciphertext)."""
    paths = AppPaths(data_dir=tmp_path / "data", log_dir=tmp_path / "logs", database_url=pg_workspace)
    core = build_core(paths)
    try:
        import_buyers()
        assert {o.buyer_name for o in list_orders()} == {b[0] for b in BUYERS}  # read back plain with the key
    finally:
        core.close()
    dump = subprocess.run(
        [str(pg_tool("pg_dump")), "--no-owner", "--format=plain", pg_workspace],
        capture_output=True,
        check=True,
        timeout=120,
    ).stdout
    assert b"buyer_name_token" in dump  # the dump is real and holds the orders' tables
    assert pii_hits(dump, needles()) == []
