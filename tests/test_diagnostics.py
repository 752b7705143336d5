"""Export diagnostics: what support needs (marketplace, example order ids, SKUs, runs, versions, log), never
tokens or buyer PII."""

from __future__ import annotations

import json
import logging
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from fbm_desk.core import CoreServices, build_core
from fbm_desk.foundation.logging_setup import setup_logging
from fbm_desk.foundation.paths import AppPaths
from fbm_desk.foundation.workspace_key import sealed_text
from fbm_desk.tools.diagnostics import export_diagnostics, scrub_known
from tests.support.demo_data import add_order, generate

TOKEN = "Atzr|IwEBIExampleRefreshTokenThatMustNeverLeak0123456789"
ACCESS = "Atza|IwEBIExampleAccessToken987654321"
SECRET = "amzn1.oa2-cs.v1.0123456789abcdef0123456789abcdef"


@pytest.fixture
def core(app_paths: AppPaths) -> Iterator[CoreServices]:
    core = build_core(app_paths)
    generate(core.db.db, orders=120, seed=5)
    store_id = core.db.db.execute_sql("SELECT min(id) FROM store").fetchone()[0]
    core.credentials.set_refresh_token(store_id, TOKEN)
    yield core
    core.close()


def _zip_text(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name).decode("utf-8") for name in zf.namelist()}


def test_zip_has_what_support_needs_and_no_secrets_or_pii(core: CoreServices, tmp_path: Path) -> None:
    db = core.db.db
    unmapped = add_order(
        db,
        "555-1111111-2222222",
        items=(("AMZ-MUG-GREEN-X", 1),),
        needs_mapping=True,
        buyer_name="Ottoline Farquharson",
    )
    rejected = add_order(db, "555-3333333-4444444", state="shipped")
    db.execute_sql(
        "INSERT INTO package (order_id, package_reference_id, carrier_code, tracking_number, ship_date, "
        "push_state, "
        "push_message, created_at, updated_at) VALUES (?, 1, 'UPS', '1Z999AA10123456784', '2026-11-24', "
        "'rejected', "
        "'The tracking number is invalid', 'x', 'x')",
        (rejected,),
    )
    db.execute_sql(
        "INSERT INTO sync_run (store_id, job, started_at, finished_at, status, request_ids, error) VALUES "
        "(?, 'orders', '2026-11-24T10:00:00Z', '2026-11-24T10:01:00Z', 'failed', 'req-aaa-111 req-bbb-222', "
        "'Amazon answered 503 (request id req-bbb-222)')",
        (1,),
    )
    setup_logging(core.paths)
    log = logging.getLogger("fbm_desk.test")
    log.warning("token refresh with refresh_token=%s and header Bearer %s", TOKEN, ACCESS)
    log.warning("client_secret=%s", SECRET)
    log.warning("Imported order 555-1111111-2222222 for Ottoline Farquharson, 1 Main St")  # free text PII
    for handler in logging.getLogger().handlers:
        handler.flush()

    result = export_diagnostics(core, tmp_path / "out" / "diag.zip")
    files = _zip_text(result.path)
    assert {"README.txt", "system.json", "stores.json", "example_orders.json", "affected_skus.json"} <= set(
        files
    )
    assert any(name.startswith("logs/") for name in files)
    everything = "\n".join(files.values())

    # What the seeds say support needs.
    stores = json.loads(files["stores.json"])
    assert {s["marketplace_id"] for s in stores} == {"ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"}
    assert "Amazon.com" in files["README.txt"]
    orders = json.loads(files["example_orders.json"])
    assert orders[0]["amazon_order_id"] in result.example_orders
    assert "555-1111111-2222222" in result.example_orders
    [why] = [o for o in orders if o["amazon_order_id"] == "555-3333333-4444444"]
    assert why["why"] == "push rejected"
    assert why["packages"][0]["amazon_message"] == "The tracking number is invalid"
    assert why["packages"][0]["tracking_number"] == "…6784"
    assert "AMZ-MUG-GREEN-X" in result.affected_skus
    runs = json.loads(files["sync_runs.json"])
    assert runs[0]["request_ids"] == ["req-aaa-111", "req-bbb-222"]
    system = json.loads(files["system.json"])
    assert {"app", "python", "os"} <= set(system["versions"])
    assert "Imported order 555-1111111-2222222" in everything  # the log is there, order ids readable

    # What must never leave the machine.
    for secret in (TOKEN, ACCESS, SECRET, "IwEBIExample"):
        assert secret not in everything
    assert "Ottoline" not in everything
    assert "Farquharson" not in everything
    pii = db.execute_sql(
        "SELECT buyer_name, ship_name, ship_address1 FROM orders WHERE buyer_name != '' LIMIT 50"
    ).fetchall()
    assert pii
    for row in pii:
        for value in row:
            if isinstance(value, bytes):  # sealed on SQLite (sealed_values.py): nor in printable forms
                assert value.hex() not in everything
                value = sealed_text(value)
            assert value not in everything
    assert unmapped


def test_scrub_known_replaces_whole_word_runs_only() -> None:
    values = {"ottoline farquharson", "1 main st"}
    text = "for Ottoline Farquharson, 1 Main St. and Ottoline alone; 11 Main Street\n"
    assert scrub_known(text, values) == "for [REDACTED], [REDACTED]. and Ottoline alone; 11 Main Street\n"


def test_help_menu_action_exports(qtbot: object, core: CoreServices, tmp_path: Path) -> None:
    from PySide6.QtWidgets import QMainWindow

    from fbm_desk.ui.diagnostics_action import export_to, install_export_action
    from fbm_desk.ui.services import Services

    window = QMainWindow()
    qtbot.addWidget(window)  # type: ignore[attr-defined]
    action = install_export_action(window, Services(core=core))
    help_menu = window.menuBar().actions()[0].menu()
    assert help_menu is not None
    assert action in help_menu.actions()
    message = export_to(Services(core=core), tmp_path / "d.zip")
    assert "Diagnostics saved to" in message
    assert (tmp_path / "d.zip").is_file()
