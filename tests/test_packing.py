"""Recording packages: carrier codes, tracking plausibility, quantity rules, edit and re-queue (offline)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from fbm_desk.amazon.types import Address, AmazonOrder, AmazonOrderItem
from fbm_desk.db import OpenedDatabase
from fbm_desk.db import events as ev
from fbm_desk.db.models import Outbox
from fbm_desk.db.order_import import apply_orders_page
from fbm_desk.db.orders import find_order, get_order_detail
from fbm_desk.db.packages import pending_outbox, reject_package
from fbm_desk.db.rows import StoreRow
from fbm_desk.db.stores import insert_store
from fbm_desk.domain.carriers import CARRIER_CODES, carrier_for, suggest_carrier
from fbm_desk.domain.packing import delete_package, record_package, requeue_package, update_package
from fbm_desk.foundation.errors import InvalidInput, NotFound

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def store(db: OpenedDatabase) -> StoreRow:
    return insert_store(
        name="Shop",
        marketplace_id="ATVPDKIKX0DER",
        region="NA",
        selling_partner_id="A1SELLER",
        import_pending=True,
    )


def amazon_order(
    order_id: str, status: str = "UNSHIPPED", items: tuple[tuple[str, str, int], ...] = ()
) -> AmazonOrder:
    return AmazonOrder(
        order_id=order_id,
        created_time=NOW - timedelta(hours=3),
        last_updated_time=NOW - timedelta(hours=1),
        marketplace_id="ATVPDKIKX0DER",
        fulfillment_status=status,
        fulfilled_by="MERCHANT",
        items=tuple(
            AmazonOrderItem(i, sku, sku, "Thing", q) for i, sku, q in items or (("1001", "SKU-A", 2),)
        ),
        address=None if status == "PENDING" else Address(name="Ann", address_line1="1 Main St", city="X"),
    )


def put(store: StoreRow, *orders: AmazonOrder) -> None:
    apply_orders_page(store, orders, now="2026-11-24T10:00:00Z")


@pytest.mark.parametrize(
    ("code", "tracking"),
    [
        ("UPS", "1Z999AA10123456784"),
        ("USPS", "9400 1118 9922 3197 4284 90"),
        ("USPS", "EA123456789US"),
        ("FedEx", "123456789012"),
        ("FedEx", "123456789012345"),
        ("DHL", "1234567890"),
        ("Royal Mail", "AB123456789GB"),
        ("Canada Post", "1234567890123456"),
        ("Amazon Shipping", "TBA123456789012"),
        ("Other", "LOCAL-COURIER-42"),
    ],
)
def test_plausible_tracking_numbers_are_accepted(store: StoreRow, code: str, tracking: str) -> None:
    put(store, amazon_order("111-0000001-0000001"))
    pkg = record_package(None, "111-0000001-0000001", code, tracking, carrier_name="Bike Courier")
    assert pkg.push_state == "queued"
    assert pkg.tracking_number == "".join(tracking.split()).upper()


@pytest.mark.parametrize(
    ("code", "tracking", "message"),
    [
        ("UPS", "", "Enter the tracking number"),
        ("UPS", "123456789012", "does not look like a UPS"),
        ("FedEx", "1Z999AA10123456784", "UPS number"),
        ("USPS", "12345", "does not look like a USPS"),
        ("Other", "AB", "does not look like"),
        ("Pigeon", "1Z999AA10123456784", "Unknown carrier"),
    ],
)
def test_implausible_input_is_refused(store: StoreRow, code: str, tracking: str, message: str) -> None:
    put(store, amazon_order("111-0000001-0000001"))
    with pytest.raises(InvalidInput, match=message):
        record_package(None, "111-0000001-0000001", code, tracking, carrier_name="x")
    assert get_order_detail(find_order("111-0000001-0000001").id).packages == ()


def test_other_needs_a_name_and_codes_keep_amazon_spelling(store: StoreRow) -> None:
    assert "Other" in CARRIER_CODES
    assert "FedEx" in CARRIER_CODES
    assert "USPS" in CARRIER_CODES
    assert carrier_for("fedex") is not None
    assert carrier_for("fedex").code == "FedEx"
    put(store, amazon_order("111-0000001-0000001"))
    with pytest.raises(InvalidInput, match="carrier's name"):
        record_package(None, "111-0000001-0000001", "Other", "ABC-12345")


def test_suggest_carrier() -> None:
    assert suggest_carrier("1z999aa10123456784") == "UPS"
    assert suggest_carrier("TBA123456789012") == "Amazon Shipping"
    assert suggest_carrier("9400111899223197428490") == "USPS"
    assert suggest_carrier("AB123456789GB") == "Royal Mail"
    assert suggest_carrier("123456789012") == "FedEx"
    assert suggest_carrier("hello") is None


def test_order_rules(store: StoreRow) -> None:
    put(
        store,
        amazon_order("111-0000001-0000001", "PENDING"),
        amazon_order("111-0000002-0000002", items=(("2001", "SKU-A", 2), ("2002", "SKU-B", 1))),
    )
    with pytest.raises(NotFound):
        record_package(None, "999-9999999-9999999", "UPS", "1Z999AA10123456784")
    with pytest.raises(InvalidInput, match="on hold"):
        record_package(None, "111-0000001-0000001", "UPS", "1Z999AA10123456784")
    with pytest.raises(InvalidInput, match="only 2"):
        record_package(None, "111-0000002-0000002", "UPS", "1Z999AA10123456784", items={"2001": 3})
    with pytest.raises(InvalidInput, match="no item"):
        record_package(None, "111-0000002-0000002", "UPS", "1Z999AA10123456784", items={"9": 1})
    with pytest.raises(InvalidInput, match="future"):
        record_package(None, "111-0000002-0000002", "UPS", "1Z999AA10123456784", ship_date="2099-01-01")
    first = record_package(None, "111-0000002-0000002", "UPS", "1Z999AA10123456784", items={"2001": 1})
    second = record_package(None, "111-0000002-0000002", "USPS", "9400111899223197428490")  # the rest
    assert (first.package_reference_id, second.package_reference_id) == (1, 2)
    assert {i.order_item_id: i.quantity for i in second.items} == {"2001": 1, "2002": 1}
    with pytest.raises(InvalidInput, match="already shipped or packed"):
        record_package(None, "111-0000002-0000002", "UPS", "1Z999AA10123456799")
    order = find_order("111-0000002-0000002")
    assert len(pending_outbox(order.store_id)) == 2
    kinds = [e.kind for e in get_order_detail(order.id).events]
    assert kinds.count(ev.PACKED) == 2


def test_rejected_package_can_be_edited_and_requeued(store: StoreRow) -> None:
    put(store, amazon_order("111-0000002-0000002"))
    order_id = find_order("111-0000002-0000002").id
    pkg = record_package(None, "111-0000002-0000002", "UPS", "1Z999AA10123456784")
    reject_package(pkg.id, "The tracking number is already in use.")
    rejected = get_order_detail(order_id).packages[0]
    assert (rejected.push_state, rejected.push_message) == (
        "rejected",
        "The tracking number is already in use.",
    )
    assert Outbox.get(Outbox.ref_id == pkg.id).state == "failed"
    # a rejected package's units are free again: the edit may use them
    edited = update_package(None, pkg.id, "UPS", "1Z999AA10123456785")
    assert (edited.push_state, edited.tracking_number, edited.push_message) == (
        "queued",
        "1Z999AA10123456785",
        "",
    )
    assert Outbox.get(Outbox.ref_id == pkg.id).state == "pending"
    with pytest.raises(InvalidInput, match="already shipped or packed"):
        record_package(None, "111-0000002-0000002", "UPS", "1Z999AA10123456786")
    reject_package(pkg.id, "again")
    assert requeue_package(None, pkg.id).push_state == "queued"
    delete_package(None, pkg.id)
    assert get_order_detail(order_id).packages == ()
    assert record_package(None, "111-0000002-0000002", "UPS", "1Z999AA10123456784").push_state == "queued"
    assert ev.PACKAGE_EDITED in [e.kind for e in get_order_detail(order_id).events]


def test_a_confirmed_package_leaves_no_outbox_row(store: StoreRow) -> None:
    from fbm_desk.db.package_confirmation import confirm_package

    put(store, amazon_order("111-0000002-0000002"))
    first = record_package(None, "111-0000002-0000002", "UPS", "1Z999AA10123456784", items={"1001": 1})
    second = record_package(None, "111-0000002-0000002", "USPS", "9400111899223197428490")
    confirm_package(first.id)
    assert [o.ref_id for o in Outbox.select()] == [second.id]  # the confirmed one's entry did its work
    assert pending_outbox(store.id) == [second.id]
    order = get_order_detail(find_order("111-0000002-0000002").id)
    assert [p.push_state for p in order.packages] == ["confirmed", "queued"]


@pytest.mark.sqlite_only  # an older file's rows, written through sqlite3
def test_the_migration_deletes_the_done_outbox_rows_an_older_file_kept(tmp_path: Path) -> None:
    import sqlite3

    from fbm_desk.db import open_database
    from tests.support.old_schema import schema_with_store

    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    try:
        schema_with_store(conn, "schema_outbox_done.sql")
        conn.executemany(
            "INSERT INTO outbox (store_id, kind, ref_id, state, created_at, updated_at) "
            "VALUES (1, 'confirm_shipment', ?, ?, 'x', 'x')",
            [(1, "done"), (2, "pending"), (3, "failed"), (4, "done"), (5, "in_flight")],
        )
        conn.commit()
    finally:
        conn.close()
    opened = open_database(path, backup_dir=tmp_path / "backups")
    try:
        left = opened.db.execute_sql("SELECT ref_id, state FROM outbox ORDER BY ref_id").fetchall()
    finally:
        opened.close()
    assert left == [(2, "pending"), (3, "failed"), (5, "in_flight")]
