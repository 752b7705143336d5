"""Issue 13 item 5, who did it: packages, stock adjustments and timeline events record the station and the
operating-system user; the order's panel shows them; ``--json`` only gains new fields."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fbm_desk.core import build_core, station_name
from fbm_desk.db import OpenedDatabase, open_database
from fbm_desk.db import stations as st
from fbm_desk.db.events import list_events
from fbm_desk.db.inventory import adjust_on_hand, list_adjustments
from fbm_desk.db.orders import get_order_detail
from fbm_desk.db.rows import StoreRow
from fbm_desk.db.stores import insert_store
from fbm_desk.domain.packing import record_package
from fbm_desk.foundation.paths import AppPaths
from fbm_desk.foundation.settings import load_settings
from fbm_desk.ui.order_detail import OrderDetailPanel
from tests.support.demo_data import add_order, generate
from tests.support.old_schema import schema_before
from tests.test_packing import amazon_order, put


@pytest.fixture(autouse=True)
def _actor_restored() -> Iterator[None]:
    before = st.current_actor()
    yield
    st.set_actor(before.station, before.os_user)


@pytest.fixture
def store(db: OpenedDatabase) -> StoreRow:
    return insert_store(
        name="Shop",
        marketplace_id="ATVPDKIKX0DER",
        region="NA",
        selling_partner_id="A1SELLER",
        import_pending=True,
    )


def test_a_package_and_its_timeline_event_record_station_and_user(store: StoreRow) -> None:
    st.set_actor("PACK-2", "anna")
    put(store, amazon_order("111-0000001-0000001"))  # imported by this station's sync
    pkg = record_package(None, "111-0000001-0000001", "UPS", "1Z999AA10123456784")
    assert (pkg.station, pkg.os_user) == ("PACK-2", "anna")
    events = list_events(pkg.order_id)
    assert {(e.kind, e.station, e.os_user) for e in events} >= {
        ("imported", "PACK-2", "anna"),
        ("packed", "PACK-2", "anna"),
    }
    st.set_actor("OFFICE", "bob")
    detail = get_order_detail(pkg.order_id)
    assert (detail.packages[0].station, detail.packages[0].os_user) == ("PACK-2", "anna")  # kept, not "now"


def test_a_stock_adjustment_records_station_and_user(db: OpenedDatabase) -> None:
    generate(db.db, orders=0)
    st.set_actor("OFFICE", "bob")
    product_id = int(db.db.execute_sql("SELECT id FROM product WHERE sku = 'MUG-ENAMEL-GRN'").fetchone()[0])
    adjust_on_hand(product_id, 5, "count")
    latest = list_adjustments(product_id)[0]
    assert (latest.reason, latest.station, latest.os_user) == ("count", "OFFICE", "bob")


def test_the_order_panel_shows_who_packed_and_who_did_each_step(qtbot: Any, db: OpenedDatabase) -> None:
    generate(db.db, orders=0)
    order = add_order(db.db, "111-0000000-0000042", items=(("MUG-ENAMEL-GRN", 1),))
    st.set_actor("PACK-1", "carla")
    record_package(None, order, "UPS", "1Z999AA10123456784")
    panel = OrderDetailPanel()
    qtbot.addWidget(panel)
    panel.show_order(order)
    text = panel.body.toPlainText()
    assert "packed on PACK-1 (carla)" in text
    assert text.count("PACK-1 (carla)") >= 2  # the package row and its "Packed" event


def test_station_name_defaults_to_the_host_name_and_follows_settings(app_paths: AppPaths) -> None:
    settings = load_settings(app_paths.settings_file)
    assert station_name(settings) == st.host_name()
    settings.set("workspace", {"mode": "local", "station": "  Packing table 2 "})
    assert station_name(settings) == "Packing table 2"
    core = build_core(app_paths)
    try:
        assert st.current_station() == "Packing table 2"
        assert st.current_os_user() == st.os_user_name()
    finally:
        core.close()


@pytest.mark.sqlite_only
def test_rows_from_before_the_migration_keep_working_with_no_station(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    schema_before(conn, "schema_stations.sql")
    conn.execute(
        "INSERT INTO store (id, name, marketplace_id, region, selling_partner_id, created_at) "
        "VALUES (1, 'Main', 'ATVPDKIKX0DER', 'NA', 'A1SELLER', '2026-01-01T00:00:00Z')"
    )
    conn.execute(
        "INSERT INTO orders (id, store_id, amazon_order_id, amazon_status, state, imported_at, updated_at) "
        "VALUES (1, 1, '111-0000000-0000001', 'Unshipped', 'released', '2026-01-01T00:00:00Z', "
        "'2026-01-01T00:00:00Z')"
    )
    conn.execute(
        "INSERT INTO order_event (order_id, at, kind, message) VALUES (1, '2026-01-01T00:00:00Z', 'x', '')"
    )
    conn.commit()
    conn.close()
    opened = open_database(path)
    try:
        (event,) = list_events(1)
        assert (event.station, event.os_user) == ("", "")
        assert st.describe_actor(event.station, event.os_user) == ""
    finally:
        opened.close()


def test_ship_json_gains_station_and_user_and_keeps_its_fields(
    app_paths: AppPaths, store: StoreRow, capsys: pytest.CaptureFixture[str]
) -> None:
    from fbm_desk.cli import main

    put(store, amazon_order("111-0000001-0000009"))
    settings = load_settings(app_paths.settings_file)
    settings.set("workspace", {"mode": "local", "station": "PACK-9"})
    argv = ["--data-dir", str(app_paths.data_dir), "ship", "111-0000001-0000009", "--carrier", "UPS"]
    assert main([*argv, "--tracking", "1Z999AA10123456784", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {
        "amazon_order_id", "package_reference_id", "carrier_code", "tracking_number", "push_state", "items",
        "station", "user",
    }  # fmt: skip
    assert (out["station"], out["user"]) == ("PACK-9", st.os_user_name())
    assert main(["--data-dir", str(app_paths.data_dir), "orders", "list", "--json"]) == 0
    (order,) = json.loads(capsys.readouterr().out)
    (shipment,) = order["shipments"]
    # issue 5's contract plus issue 18's "label" (bought through Buy Shipping); no station fields here
    assert set(shipment) == {"carrier_code", "tracking_number", "push_state", "label"}
