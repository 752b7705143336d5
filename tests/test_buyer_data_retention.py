"""Retention, access trail, client secret and file modes (issue 14).

- ``privacy purge --as-of`` a date 31 days after delivery removes exactly those orders' buyer data, from the
  database and the backups; the order stays and says why its address is gone; search by a purged buyer's name
  finds nothing, by a current buyer's name still works.
- Viewing, printing and exporting addresses is recorded without buyer data.
- The LWA client secret moves out of ``settings.json`` into the credentials layer.
- The data folder is 0700, its files 0600.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from fbm_desk.cli import main
from fbm_desk.core import CoreServices, build_core
from fbm_desk.db import paper
from fbm_desk.db.access_trail import access_rows, record_access
from fbm_desk.db.connection import LATEST_VERSION, _backup
from fbm_desk.db.order_import import apply_orders_page
from fbm_desk.db.order_views import OrderQuery, fetch_orders
from fbm_desk.db.orders import find_order, get_order_detail
from fbm_desk.db.retention import purge_buyer_data, retention_days, set_retention_days
from fbm_desk.foundation.app_secret import SECRET_NAME
from fbm_desk.foundation.errors import InvalidInput
from fbm_desk.foundation.paths import AppPaths
from fbm_desk.foundation.settings import load_settings
from fbm_desk.sync.retention_job import run_retention
from tests.support.pii_scan import pii_hits
from tests.test_buyer_data_encryption import BUYERS, T0, amazon_order, import_buyers, needles

OLD, NEW = "111-0000001-0000001", "111-0000002-0000002"  # delivered T0+5 d / T0+40 d


def import_two_deliveries() -> None:
    store = import_buyers()  # three orders delivered at T0 + 5 days
    later = amazon_order(
        2, *BUYERS[1], latest_delivery_date=T0 + timedelta(days=40), last_updated_time=T0 + timedelta(hours=1)
    )
    apply_orders_page(store, [later], now="2026-11-24T11:00:00Z")


def cli_json(app_paths: AppPaths, capsys: pytest.CaptureFixture[str], *args: str) -> object:
    assert main(["--data-dir", str(app_paths.data_dir), *args]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.sqlite_only  # rewrites the SQLite file's backup files (a workspace's backups: pg_dump)
def test_purge_as_of_31_days_after_delivery_removes_exactly_those_orders(
    core: CoreServices, capsys: pytest.CaptureFixture[str]
) -> None:
    import_two_deliveries()
    _backup(core.paths.db_file, LATEST_VERSION, core.paths.backup_dir)  # a backup holding all three
    as_of = (T0 + timedelta(days=5 + 31)).date().isoformat()
    out = cli_json(core.paths, capsys, "privacy", "purge", "--as-of", as_of, "--json")
    assert out == {"orders_purged": 2, "backups_rewritten": 1}  # 111-1 and 111-3; 111-2 is delivered later
    purged = get_order_detail(find_order(OLD).id)
    assert purged.order.ship_to is not None
    assert purged.order.ship_to.name == "address removed after 30 days (data protection)"
    assert purged.order.ship_to.address_line1 == ""
    assert purged.order.buyer_name == ""
    assert [i.seller_sku for i in purged.items] == ["SKU-A"]  # the order itself stays
    assert find_order(NEW).buyer_name == BUYERS[1][0]

    def found(text: str) -> set[str]:
        return {r.amazon_order_id for r in fetch_orders(OrderQuery(search=text), 0, 100)}

    assert found("Zoë") == set()  # purged buyer
    assert found("Maximilian") == {NEW}  # current buyer
    backup = next(core.paths.backup_dir.glob("*.sqlite3")).read_bytes()
    assert pii_hits(backup, needles()) == []  # encrypted anyway; the purged rows are gone from it too
    again = cli_json(core.paths, capsys, "privacy", "purge", "--as-of", as_of, "--json")
    assert again == {"orders_purged": 0, "backups_rewritten": 0}


@pytest.mark.sqlite_only  # the bytes of the SQLite file and its backup files
def test_purged_backup_holds_no_ciphertext_of_purged_orders(core: CoreServices) -> None:
    import_two_deliveries()
    stored = str(
        core.db.db.execute_sql(
            "SELECT ship_address1 FROM orders WHERE amazon_order_id = ?", [OLD]
        ).fetchone()[0]
    )
    backup = _backup(core.paths.db_file, LATEST_VERSION, core.paths.backup_dir)
    result = purge_buyer_data(T0 + timedelta(days=36), core.paths.backup_dir)
    assert (result.orders_purged, result.backups_rewritten) == (2, 1)
    assert stored.encode() not in backup.read_bytes()  # rewritten and vacuumed: not even the ciphertext stays
    assert stored.encode() not in core.paths.db_file.read_bytes()


def test_a_shorter_retention_window_is_selectable(
    core: CoreServices, capsys: pytest.CaptureFixture[str]
) -> None:
    import_two_deliveries()
    assert retention_days() == 30
    with pytest.raises(InvalidInput, match="1 to 30"):
        set_retention_days(31)
    assert cli_json(core.paths, capsys, "privacy", "retention", "--days", "10", "--json") == {
        "retention_days": 10
    }
    assert purge_buyer_data(T0 + timedelta(days=5 + 9), None).orders_purged == 0
    assert purge_buyer_data(T0 + timedelta(days=5 + 11), None).orders_purged == 2
    assert get_order_detail(find_order(OLD).id).order.ship_to.name == (  # type: ignore[union-attr]
        "address removed after 10 days (data protection)"
    )


def test_the_daily_job_reports_what_it_did(core: CoreServices) -> None:
    import_two_deliveries()
    result = run_retention(core.paths.backup_dir, T0 + timedelta(days=80))
    assert result is not None  # long after T0 + 40 days: all three
    assert (result.orders_purged, result.backups_rewritten) == (3, 0)


def test_a_purged_order_is_not_refilled_by_a_later_import(core: CoreServices) -> None:
    store = import_buyers()
    purge_buyer_data(T0 + timedelta(days=40), None)
    apply_orders_page(store, [amazon_order(1, *BUYERS[0], last_updated_time=T0 + timedelta(days=1))], now="x")
    assert find_order(OLD).buyer_name == ""


def test_viewing_printing_and_exporting_addresses_is_recorded_without_buyer_data(
    core: CoreServices, capsys: pytest.CaptureFixture[str]
) -> None:
    import_buyers()
    order_id = find_order(OLD).id
    record_access("view", [order_id], "order details")
    paper.slips([order_id, find_order(NEW).id])
    cli_json(core.paths, capsys, "orders", "list", "--json")
    rows = access_rows()
    assert [(r.action, r.purpose, r.order_count) for r in rows] == [
        ("export", "orders list --json", 3),
        ("print", "packing slips", 2),
        ("view", "order details", 1),
    ]
    assert all(r.user_name and r.station and r.at for r in rows)
    trail = cli_json(core.paths, capsys, "privacy", "trail", "--json")
    assert pii_hits(json.dumps(trail, ensure_ascii=False).encode(), needles()) == []
    assert pii_hits(json.dumps(trail).encode(), needles()) == []


def test_the_client_secret_moves_out_of_settings_json(app_paths: AppPaths) -> None:
    settings = load_settings(app_paths.settings_file)
    settings.set(
        "amazon",
        {"lwa_client_id": "amzn1.application-oa2-client.x", "lwa_client_secret": "amzn1.oa2-cs.v1.s3cr3t"},
    )
    core = build_core(app_paths)
    try:
        assert "s3cr3t" not in app_paths.settings_file.read_text()
        assert core.credentials.get_secret(SECRET_NAME) == "amzn1.oa2-cs.v1.s3cr3t"
        assert core.spapi_config.client_secret == "amzn1.oa2-cs.v1.s3cr3t"
        assert core.spapi_config.client_id == "amzn1.application-oa2-client.x"
    finally:
        core.close()
    again = build_core(app_paths)  # the next start reads it from the credentials layer
    try:
        assert again.spapi_config.client_secret == "amzn1.oa2-cs.v1.s3cr3t"
    finally:
        again.close()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.sqlite_only  # the SQLite file's and its -wal/-shm files' modes
def test_the_data_folder_is_private(app_paths: AppPaths) -> None:
    os.chmod(app_paths.data_dir, 0o755)  # noqa: S103 - as an older version left it
    core = build_core(app_paths)
    try:
        import_buyers()
        _backup(core.paths.db_file, LATEST_VERSION, core.paths.backup_dir)
        assert _mode(app_paths.data_dir) == 0o700
        assert _mode(app_paths.backup_dir) == 0o700
        files = [app_paths.db_file, app_paths.settings_file, *app_paths.backup_dir.iterdir()]
        files += [app_paths.data_dir / f"fbm-desk.sqlite3{suffix}" for suffix in ("-wal", "-shm")]
        assert {str(f.name): _mode(f) for f in files} == {str(f.name): 0o600 for f in files}
    finally:
        core.close()


@pytest.mark.sqlite_only  # the SQLite file's mode
def test_an_existing_world_readable_database_is_narrowed(app_paths: AppPaths) -> None:
    build_core(app_paths).close()
    os.chmod(app_paths.db_file, 0o644)
    os.chmod(app_paths.data_dir, 0o755)  # noqa: S103 - as an older version left it
    build_core(app_paths).close()
    assert (_mode(app_paths.db_file), _mode(app_paths.data_dir)) == (0o600, 0o700)


def test_the_workspace_key_as_text_and_joining_a_workspace() -> None:
    from fbm_desk.foundation.credentials import Credentials, MemoryStore
    from fbm_desk.foundation.workspace_key import (
        WorkspaceKeyError,
        join_workspace,
        new_workspace_key,
        parse_key_text,
    )

    key = new_workspace_key()
    assert parse_key_text(key.export_text()) == key
    assert parse_key_text(" " + key.export_text().lower() + "\n") == key  # typed in lower case, with spaces
    with pytest.raises(WorkspaceKeyError, match="not an FBM Desk workspace key"):
        parse_key_text("hello")
    credentials = Credentials(MemoryStore())
    with pytest.raises(WorkspaceKeyError, match="another workspace"):
        join_workspace(credentials, key.export_text(), "0" * 32, key.check_value())
    other = replace(new_workspace_key(), workspace_id=key.workspace_id)
    with pytest.raises(WorkspaceKeyError, match="wrong key"):
        join_workspace(credentials, other.export_text(), key.workspace_id, key.check_value())
    assert join_workspace(credentials, key.export_text(), key.workspace_id, key.check_value()) == key


def test_the_retention_job_is_scheduled_daily_and_soon_after_start(qtbot) -> None:  # type: ignore[no-untyped-def]
    import threading

    from fbm_desk.sync.schedule import fire_times, maintenance_trigger
    from fbm_desk.sync.scheduler import SyncScheduler

    day = T0.replace(hour=0)
    fires = list(fire_times(maintenance_trigger(now=day), day, day + timedelta(days=2)))
    assert [f.strftime("%d %H:%M") for f in fires] == ["20 03:30", "21 03:30"]
    ran = threading.Event()

    class NoRunner:
        def enqueue(self, store_id: int, kind: object, trigger: str = "manual") -> bool:
            return False

    scheduler = SyncScheduler(NoRunner(), time_scale=6000, stores=list, maintenance=ran.set)
    scheduler.start(catch_up=False)
    try:
        assert ran.wait(10)  # one minute after start / 6000
    finally:
        scheduler.shutdown()


def test_the_order_details_record_a_viewing_and_show_a_purged_address(qtbot, core: CoreServices) -> None:  # type: ignore[no-untyped-def]
    from fbm_desk.ui.order_detail import OrderDetailPanel

    import_buyers()
    panel = OrderDetailPanel()
    qtbot.addWidget(panel)
    panel.show_order(find_order(OLD).id)
    assert BUYERS[0][1] in panel.body.toPlainText()  # decrypted for the screen
    assert [(r.action, r.purpose, r.order_ids) for r in access_rows()] == [
        ("view", "order details", str(find_order(OLD).id))
    ]
    purge_buyer_data(T0 + timedelta(days=40), None)
    panel.show_order(find_order(OLD).id)
    text = panel.body.toPlainText()
    assert "address removed after 30 days (data protection)" in text
    assert BUYERS[0][1] not in text


@pytest.mark.sqlite_only  # the SQLite file's backup files
def test_a_purged_backup_keeps_no_name_tokens_of_purged_orders(core: CoreServices) -> None:
    import_two_deliveries()
    backup = _backup(core.paths.db_file, LATEST_VERSION, core.paths.backup_dir)

    def tokens_by_order(path: object) -> dict[str, int]:
        conn = sqlite3.connect(str(path))
        try:
            rows = conn.execute(
                "SELECT o.amazon_order_id, count(*) FROM buyer_name_token t JOIN orders o ON o.id = t.order_id"
                " GROUP BY o.amazon_order_id"
            ).fetchall()
        finally:
            conn.close()
        return {str(r[0]): int(r[1]) for r in rows}

    before = tokens_by_order(backup)
    assert before[OLD] > 0
    assert before[NEW] > 0
    result = purge_buyer_data(T0 + timedelta(days=36), core.paths.backup_dir)
    assert result.backups_rewritten == 1
    after = tokens_by_order(backup)
    assert OLD not in after  # derived from the purged names: gone with them, as in the live database
    assert after[NEW] == before[NEW]
    assert tokens_by_order(core.paths.db_file) == after
