"""The Stores tab and its table model: status, banner, insecure notice, and every button, with real clicks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from fbm_desk.core import CoreServices
from fbm_desk.db import stores as store_db
from fbm_desk.db import sync_runs
from fbm_desk.db.sync_runs_view import job_health
from fbm_desk.domain.stores import add_store
from fbm_desk.foundation.credentials import Credentials, MemoryStore
from fbm_desk.sandbox import RunningSandbox
from fbm_desk.ui.add_store_dialog import AddStoreDialog
from fbm_desk.ui.services import Services
from fbm_desk.ui.store_settings_dialog import StoreSettingsDialog
from fbm_desk.ui.stores_tab import StoresTab
from fbm_desk.ui.table_models.stores_model import StoresTableModel
from tests.support.oauth_browser import FakeBrowser, consent_redirect, follow
from tests.support.sync_env import make_store


@pytest.fixture
def core(store_core: CoreServices) -> CoreServices:
    """The services on ``store_sandbox`` (listings, no orders, at Amazon's own pace)."""
    return store_core


def make_tab(qtbot: QtBot, core: CoreServices, browser: FakeBrowser | None = None) -> StoresTab:
    tab = StoresTab(Services(core=core), open_url=browser or FakeBrowser())
    qtbot.addWidget(tab)
    tab.resize(1100, 600)
    tab.show()
    qtbot.waitExposed(tab)
    return tab


def click(qtbot: QtBot, widget: object) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)  # type: ignore[arg-type]


def cell(tab: StoresTab, row: int, column: str) -> str:
    return str(tab.model.index(row, StoresTableModel.COLUMNS.index(column)).data())


def test_model_passes_qtmodeltester(qtmodeltester, core: CoreServices) -> None:  # type: ignore[no-untyped-def]
    a = add_store(
        core, name="Acme US", marketplace="US", selling_partner_id="A1SELLERID", refresh_token="Atzr|a"
    )
    add_store(core, name="Acme DE", marketplace="DE", selling_partner_id="A1SELLERID", refresh_token="Atzr|b")
    run = sync_runs.start_run(a.id, "orders", "schedule")
    sync_runs.finish_run(run, "ok")
    health: dict[int, list] = {}
    for row in job_health(["orders", "products"]):
        health.setdefault(row.store_id, []).append(row)
    model = StoresTableModel()
    model.set_stores(store_db.list_stores(), health)
    qtmodeltester.check(model, force_py=True)
    assert model.rowCount() == 2
    assert model.rowCount(model.index(0, 0)) == 0
    assert model.data(QModelIndex()) is None
    us = model.row_of(a.id)
    assert model.index(us, 4).data().startswith("Orders ")
    assert "(ok)" in model.index(us, 4).data()
    assert model.index(1 - us, 4).data() == "never"
    assert model.index(us, 0).data(StoresTableModel.STORE_ID_ROLE) == a.id


def test_model_columns_and_token_age(core: CoreServices) -> None:
    store = add_store(
        core, name="Acme US", marketplace="US", selling_partner_id="A1SELLERID", refresh_token="Atzr|a"
    )
    old = (datetime.now(UTC) - timedelta(days=340)).isoformat()
    store = store_db.update_store(store.id, token_updated_at=old)
    store_db.set_status(store.id, "needs_reconnect", "Amazon no longer accepts this store's authorization")
    model = StoresTableModel()
    model.set_stores(store_db.list_stores())
    values = [model.index(0, c).data() for c in range(model.columnCount())]
    assert values == [
        "Acme US",
        "Amazon.com (US)",
        "A1SELLERID",
        "Needs reconnect",
        "never",
        "340 days (renew soon)",
        "INSECURE file",
    ]
    assert "no longer accepts" in model.index(0, 3).data(Qt.ItemDataRole.ToolTipRole)


def test_tab_lists_stores_and_flags_insecure_secrets(qtbot: QtBot, core: CoreServices) -> None:
    tab = make_tab(qtbot, core)
    assert tab.empty_label.isVisible()
    assert tab.insecure_notice.isVisible()  # memory credentials stand in for the insecure fallback
    assert "INSECURE" in tab.insecure_notice.text()
    add_store(core, name="Acme US", marketplace="US", selling_partner_id="A1SELLERID", refresh_token="Atzr|a")
    tab.refresh()
    assert not tab.empty_label.isVisible()
    assert cell(tab, 0, "Name") == "Acme US"
    assert cell(tab, 0, "Status") == "Connected"
    assert tab.selected_store() is not None
    assert not tab.reconnect_banner.isVisible()


def test_no_insecure_notice_with_a_keyring(qtbot: QtBot, core: CoreServices) -> None:
    core.credentials = Credentials(MemoryStore(kind="keyring"))
    tab = make_tab(qtbot, core)
    assert not tab.insecure_notice.isVisible()


def test_banner_for_stores_needing_reconnect(qtbot: QtBot, core: CoreServices) -> None:
    store = add_store(
        core, name="Acme US", marketplace="US", selling_partner_id="A1SELLERID", refresh_token="Atzr|a"
    )
    store_db.set_status(store.id, "needs_reconnect", "revoked")
    tab = make_tab(qtbot, core)
    assert tab.reconnect_banner.isVisible()
    assert "'Acme US'" in tab.reconnect_banner.text()
    assert "Reconnect" in tab.reconnect_banner.text()


def test_disable_and_enable(qtbot: QtBot, core: CoreServices) -> None:
    store = add_store(
        core, name="Acme US", marketplace="US", selling_partner_id="A1SELLERID", refresh_token="Atzr|a"
    )
    tab = make_tab(qtbot, core)
    assert tab.toggle_button.text() == "Disable"
    click(qtbot, tab.toggle_button)
    assert store_db.get_store(store.id).status == "disabled"
    assert cell(tab, 0, "Status") == "Disabled"
    assert tab.toggle_button.text() == "Enable"
    assert not tab.check_button.isEnabled()
    click(qtbot, tab.toggle_button)
    assert store_db.get_store(store.id).status == "connected"


def test_remove_asks_and_says_what_is_deleted(qtbot: QtBot, core: CoreServices) -> None:
    store = add_store(
        core, name="Acme US", marketplace="US", selling_partner_id="A1SELLERID", refresh_token="Atzr|a"
    )
    tab = make_tab(qtbot, core)
    click(qtbot, tab.remove_button)
    box = tab.message_box
    assert box is not None
    assert box.isVisible()
    text = box.informativeText()
    assert "orders, products" in text
    assert "deleted from this computer" in text
    assert "Nothing changes on Amazon" in text
    click(qtbot, box.button(QMessageBox.StandardButton.Cancel))
    assert [s.name for s in store_db.list_stores()] == ["Acme US"]

    click(qtbot, tab.remove_button)
    box = tab.message_box
    assert box is not None
    destructive = [b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole]
    with qtbot.waitSignal(tab.removals.ended, timeout=10_000):  # on its own thread (ui/store_removal.py)
        click(qtbot, destructive[0])
    assert store_db.list_stores() == []
    assert core.credentials.get_refresh_token(store.id) is None
    assert tab.empty_label.isVisible()


def test_settings_dialog_saves_options(qtbot: QtBot, core: CoreServices) -> None:
    store = add_store(
        core, name="Acme US", marketplace="US", selling_partner_id="A1SELLERID", refresh_token="Atzr|a"
    )
    add_store(core, name="Other", marketplace="US", selling_partner_id="A2SELLERID", refresh_token="Atzr|b")
    tab = make_tab(qtbot, core)
    tab.select_store(store.id)
    click(qtbot, tab.settings_button)
    dialog = tab.dialog
    assert isinstance(dialog, StoreSettingsDialog)
    qtbot.waitExposed(dialog)
    dialog.name_edit.clear()
    qtbot.keyClicks(dialog.name_edit, "other")
    click(qtbot, dialog.buttons.button(dialog.buttons.StandardButton.Save))
    assert "already exists" in dialog.error_label.text()
    dialog.name_edit.clear()
    qtbot.keyClicks(dialog.name_edit, "Acme USA")
    dialog.pending_check.click()
    dialog.zero_radio.click()
    assert dialog.scan_check.isChecked()  # packing requires scanning every unit by default
    dialog.scan_check.click()
    click(qtbot, dialog.buttons.button(dialog.buttons.StandardButton.Save))
    saved = store_db.get_store(store.id)
    assert (saved.name, saved.import_pending, saved.starting_inventory) == ("Acme USA", True, "zero")
    assert not saved.require_item_scan
    assert not dialog.isVisible()
    assert "Acme USA" in [cell(tab, r, "Name") for r in range(tab.model.rowCount())]


def test_check_connection_ok_then_revoked(
    qtbot: QtBot, core: CoreServices, store_sandbox: RunningSandbox
) -> None:
    make_store(core, store_sandbox, "Maple US")
    tab = make_tab(qtbot, core)
    click(qtbot, tab.check_button)
    qtbot.waitUntil(lambda: tab.message_box is not None and tab.message_box.isVisible(), timeout=30000)
    assert tab.message_box is not None
    assert "is connected" in tab.message_box.text()
    assert "Amazon.com" in tab.message_box.text()
    tab.message_box.accept()
    tab.message_box = None

    store_sandbox.world.auth.revoke_refresh_token()
    click(qtbot, tab.check_button)
    qtbot.waitUntil(lambda: tab.message_box is not None and tab.message_box.isVisible(), timeout=30000)
    assert "reconnect" in tab.message_box.text().lower()  # type: ignore[union-attr]
    assert cell(tab, 0, "Status") == "Needs reconnect"
    assert tab.reconnect_banner.isVisible()


def test_add_store_and_reconnect_from_the_tab(
    qtbot: QtBot, core: CoreServices, store_sandbox: RunningSandbox
) -> None:
    browser = FakeBrowser()
    tab = make_tab(qtbot, core, browser)
    click(qtbot, tab.add_button)
    dialog = tab.dialog
    assert isinstance(dialog, AddStoreDialog)
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.name_edit, "Maple US")
    dialog.marketplace_combo.setFocus()
    qtbot.keyClicks(dialog.marketplace_combo, "Amazon.com")
    click(qtbot, dialog.connect_button)
    follow(consent_redirect(browser.urls[-1]))
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1, timeout=30000)
    assert cell(tab, 0, "Name") == "Maple US"
    assert cell(tab, 0, "Seller ID") == store_sandbox.info.selling_partner_id
    click(qtbot, dialog.close_button)

    store = tab.selected_store()
    assert store is not None
    first_token = core.credentials.get_refresh_token(store.id)
    store_db.set_status(store.id, "needs_reconnect", "revoked")
    tab.refresh()
    assert tab.reconnect_banner.isVisible()
    click(qtbot, tab.reconnect_button)
    dialog = tab.dialog
    assert isinstance(dialog, AddStoreDialog)
    assert dialog.reconnect_store is not None
    click(qtbot, dialog.connect_button)
    follow(consent_redirect(browser.urls[-1]))
    qtbot.waitUntil(lambda: not tab.reconnect_banner.isVisible(), timeout=30000)
    assert cell(tab, 0, "Status") == "Connected"
    assert core.credentials.get_refresh_token(store.id) != first_token
    assert tab.model.rowCount() == 1


def test_the_demo_says_calmly_that_its_tokens_are_throwaway(qtbot: QtBot, core: CoreServices) -> None:
    from typing import Any, cast

    services = Services(core=core)
    services.demo = cast(Any, object())  # started with --demo (only its presence matters here)
    tab = StoresTab(services, open_url=FakeBrowser())
    qtbot.addWidget(tab)
    assert "INSECURE" not in tab.insecure_notice.text()
    assert "throwaway" in tab.insecure_notice.text()
    assert "#fde7e9" not in tab.insecure_notice.styleSheet()  # not the red banner
