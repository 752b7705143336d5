"""An import page's commit is copied into the database file by a thread of its own (``db/checkpoints.py``),
not by the writer's commit: at a million orders each page's commit carried a checkpoint of ~1,000 pages."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from fbm_desk.amazon.types import Address, AmazonOrder, AmazonOrderItem
from fbm_desk.db import OpenedDatabase, checkpoints
from fbm_desk.db.models import Order, Product, database_proxy
from fbm_desk.db.order_import import apply_orders_page
from fbm_desk.db.rows import StoreRow
from fbm_desk.db.stores import insert_store

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def store(db: OpenedDatabase) -> StoreRow:
    Product.create(sku="SKU-A", title="A")
    return insert_store(name="Shop", marketplace_id="ATVPDKIKX0DER", region="NA", selling_partner_id="A1")


def page(*order_ids: str) -> tuple[AmazonOrder, ...]:
    return tuple(
        AmazonOrder(
            order_id=oid,
            created_time=T0,
            last_updated_time=T0,
            marketplace_id="ATVPDKIKX0DER",
            fulfillment_status="UNSHIPPED",
            fulfilled_by="MERCHANT",
            items=(AmazonOrderItem("9001", "SKU-A", "B000", "A thing", 1),),
            address=Address(name="Ann Lee", address_line1="1 Main St", city="Springfield", postal_code="1"),
        )
        for oid in order_ids
    )


def in_the_file_alone(db_file: Path, folder: Path) -> set[str]:
    """The order ids the database file holds without its write-ahead log (what a checkpoint copied)."""
    folder.mkdir(exist_ok=True)
    shutil.copyfile(db_file, folder / "copy.sqlite3")
    conn = sqlite3.connect(folder / "copy.sqlite3")
    try:
        return {row[0] for row in conn.execute("SELECT amazon_order_id FROM orders")}
    finally:
        conn.close()


@pytest.mark.sqlite_only  # SQLite's write-ahead log and its checkpoints
def test_an_import_page_is_checkpointed_off_the_writer(
    db: OpenedDatabase, store: StoreRow, tmp_path: Path
) -> None:
    assert db.path is not None
    conn = database_proxy.connection()
    conn.execute("PRAGMA wal_autocheckpoint = 1")  # any commit of this connection would copy the log itself
    apply_orders_page(store, page("111-0000001-0000001"), now="2026-11-24T10:00:00Z")
    with checkpoints.paused():  # the background thread holds off: only the writer could copy the log now
        out = apply_orders_page(store, page("111-0000002-0000002"), now="2026-11-24T10:00:00Z")
        assert out.created == 1
        assert "111-0000002-0000002" not in in_the_file_alone(db.path, tmp_path / "during")
    # committed all the same: every connection sees it, and the writer's own setting is back
    assert Order.select().where(Order.amazon_order_id == "111-0000002-0000002").count() == 1
    assert int(conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0]) == 1
    checkpoints.stop(str(db.path))  # its last requested checkpoint done
    assert {"111-0000001-0000001", "111-0000002-0000002"} <= in_the_file_alone(db.path, tmp_path / "after")


@pytest.mark.sqlite_only  # SQLite's write-ahead log and its checkpoints
def test_a_failed_page_restores_the_writers_checkpoints(
    db: OpenedDatabase, store: StoreRow, monkeypatch: pytest.MonkeyPatch
) -> None:
    conn = database_proxy.connection()
    conn.execute("PRAGMA wal_autocheckpoint = 1000")

    def failing_rules(*_: object) -> None:
        raise RuntimeError("rules failed")

    monkeypatch.setattr("fbm_desk.db.order_import.run_rules", failing_rules)  # after the page's inserts
    with pytest.raises(RuntimeError):
        apply_orders_page(store, page("111-0000003-0000003"), now="2026-11-24T10:00:00Z")
    assert int(conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0]) == 1000
    assert Order.select().count() == 0  # the page's one transaction rolled back
