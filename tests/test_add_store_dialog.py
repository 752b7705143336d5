"""The Add Store dialog driven with real clicks and keys; Connect runs the real flow against the sandbox."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractButton, QCheckBox
from pytestqt.qtbot import QtBot

from fbm_desk.core import CoreServices
from fbm_desk.db import stores as store_db
from fbm_desk.domain.stores import add_store
from fbm_desk.ui.add_store_dialog import AddStoreDialog
from fbm_desk.ui.add_store_form import NAME_HINT
from tests.support.oauth_browser import FakeBrowser, consent_redirect, follow

SELLER = "A2SANDBOXDEMO1"


@pytest.fixture
def core(store_core: CoreServices) -> CoreServices:
    """The services on ``store_sandbox`` (listings, no orders, at Amazon's own pace)."""
    return store_core


@pytest.fixture
def browser() -> FakeBrowser:
    return FakeBrowser()


def make_dialog(qtbot: QtBot, core: CoreServices, browser: FakeBrowser, **kwargs: object) -> AddStoreDialog:
    dialog = AddStoreDialog(core, open_url=browser, **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def click(qtbot: QtBot, widget: object) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)  # type: ignore[arg-type]


def click_box(qtbot: QtBot, box: QAbstractButton) -> None:
    """Click a check box / radio button on its indicator (a click right of its text does nothing)."""
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))


def choose_marketplace(qtbot: QtBot, dialog: AddStoreDialog, text: str) -> None:
    combo = dialog.marketplace_combo
    combo.setFocus()
    qtbot.keyClicks(combo, text)  # keyboard search, as a user types into a closed combo box


def wait_done(qtbot: QtBot, dialog: AddStoreDialog) -> None:
    qtbot.waitUntil(lambda: dialog.pending_tasks() == 0 and not dialog.waiting, timeout=30000)


def test_dialog_shows_the_fields_of_the_seeds(qtbot: QtBot, core: CoreServices, browser: FakeBrowser) -> None:
    dialog = make_dialog(qtbot, core, browser)
    assert dialog.windowTitle() == "Connect Your Amazon Store"
    assert dialog.integration_combo.currentText() == "Amazon"
    assert dialog.name_hint.text() == NAME_HINT
    assert dialog.marketplace_combo.count() == 24  # "Choose…" + every marketplace
    labels = [dialog.marketplace_combo.itemText(i) for i in range(dialog.marketplace_combo.count())]
    # by geography, not by Amazon's SP-API region (which puts India and the Middle East in "EU")
    assert "Amazon.in (IN) — Asia" in labels
    assert "Amazon.ae (AE) — Middle East" in labels
    assert "Amazon.sa (SA) — Middle East" in labels
    assert "Amazon.de (DE) — Europe" in labels
    assert dialog.marketplace_combo.currentText() == "Choose…"
    assert dialog.download_check.text() == "Download products and orders that are created in Amazon"
    assert dialog.download_check.isChecked()
    assert dialog.pending_check.text() == "Import pending orders (with a payment hold)"
    assert not dialog.pending_check.isChecked()
    assert dialog.remove_stock_check.text() == "Remove stock for fulfillments created in Amazon and not here"
    assert dialog.match_radio.text() == "Match what is in Amazon"
    assert dialog.match_radio.isChecked()
    assert dialog.zero_radio.text() == "Start at zero"
    assert dialog.connect_button.text() == "Connect"
    assert not dialog.advanced_box.isChecked()
    assert not dialog.waiting_panel.isVisible()


def test_validation_messages(qtbot: QtBot, core: CoreServices, browser: FakeBrowser) -> None:
    add_store(core, name="Acme US", marketplace="US", selling_partner_id="A1SELLERID", refresh_token="Atzr|x")
    dialog = make_dialog(qtbot, core, browser)
    click(qtbot, dialog.connect_button)
    assert dialog.error_label.isVisible()
    assert "Enter a store name" in dialog.error_label.text()
    qtbot.keyClicks(dialog.name_edit, "acme us")
    assert "already exists" in dialog.error_label.text()  # live, while typing
    dialog.name_edit.clear()
    qtbot.keyClicks(dialog.name_edit, "Acme CA")
    assert not dialog.error_label.isVisible()
    click(qtbot, dialog.connect_button)
    assert "Choose the Amazon marketplace" in dialog.error_label.text()
    assert browser.urls == []  # nothing opened while the form is invalid


def test_connect_with_real_clicks_and_the_sandbox(
    qtbot: QtBot, core: CoreServices, browser: FakeBrowser
) -> None:
    dialog = make_dialog(qtbot, core, browser)
    qtbot.keyClicks(dialog.name_edit, "Maple US")
    choose_marketplace(qtbot, dialog, "Amazon.com")
    assert dialog.marketplace_combo.currentData() == "US"
    click_box(qtbot, dialog.pending_check)
    click_box(qtbot, dialog.zero_radio)
    click(qtbot, dialog.connect_button)

    assert dialog.waiting_panel.isVisible()
    assert "Waiting for Amazon" in dialog.waiting_label.text()
    assert browser.urls == [dialog.url_edit.text()]
    assert not dialog.connect_button.isEnabled()
    click(qtbot, dialog.copy_button)
    from PySide6.QtGui import QGuiApplication

    assert QGuiApplication.clipboard().text() == browser.urls[0]

    page = follow(consent_redirect(browser.urls[0]))
    assert page.status_code == 200
    wait_done(qtbot, dialog)
    assert dialog.done_panel.isVisible()
    assert "Connected 'Maple US'" in dialog.done_label.text()
    assert dialog.close_button.text() == "Done"
    store = store_db.find_store("Maple US")
    assert (store.selling_partner_id, store.import_pending, store.starting_inventory) == (
        SELLER,
        True,
        "zero",
    )
    assert store.download_products_orders
    # the seller's other marketplace in the region is offered
    assert dialog.siblings_box.isVisible()
    checks = dialog.siblings_box.findChildren(QCheckBox)
    assert [c.text() for c in checks] == ["Amazon.ca (CA)"]
    qtbot.waitUntil(lambda: checks[0].isVisible() and checks[0].width() > 0)
    click_box(qtbot, checks[0])
    assert checks[0].isChecked()
    with qtbot.waitSignal(dialog.store_added, timeout=5000):
        click(qtbot, dialog.add_siblings_button)
    sibling = store_db.find_store("Maple CA")
    assert sibling.selling_partner_id == SELLER
    assert sibling.import_pending
    assert core.credentials.get_refresh_token(sibling.id) == core.credentials.get_refresh_token(store.id)


def test_cancel_while_waiting(qtbot: QtBot, core: CoreServices, browser: FakeBrowser) -> None:
    dialog = make_dialog(qtbot, core, browser)
    qtbot.keyClicks(dialog.name_edit, "Maple US")
    choose_marketplace(qtbot, dialog, "Amazon.com")
    click(qtbot, dialog.connect_button)
    assert dialog.waiting
    click(qtbot, dialog.cancel_wait_button)
    wait_done(qtbot, dialog)
    assert "Cancelled" in dialog.error_label.text()
    assert dialog.connect_button.isEnabled()
    assert not dialog.waiting_panel.isVisible()
    assert store_db.list_stores() == []


def test_denied_consent_is_shown_inline(qtbot: QtBot, core: CoreServices, browser: FakeBrowser) -> None:
    dialog = make_dialog(qtbot, core, browser)
    qtbot.keyClicks(dialog.name_edit, "Maple US")
    choose_marketplace(qtbot, dialog, "Amazon.com")
    click(qtbot, dialog.connect_button)
    follow(consent_redirect(browser.urls[0], decision="deny"))
    wait_done(qtbot, dialog)
    assert "declined" in dialog.error_label.text()
    assert store_db.list_stores() == []


def test_timeout_is_shown_inline(qtbot: QtBot, core: CoreServices, browser: FakeBrowser) -> None:
    dialog = make_dialog(qtbot, core, browser, timeout_s=0.3)
    qtbot.keyClicks(dialog.name_edit, "Maple US")
    choose_marketplace(qtbot, dialog, "Amazon.com")
    click(qtbot, dialog.connect_button)
    wait_done(qtbot, dialog)
    assert "did not send the authorization back" in dialog.error_label.text()


def test_closing_the_dialog_cancels_the_wait(qtbot: QtBot, core: CoreServices, browser: FakeBrowser) -> None:
    dialog = make_dialog(qtbot, core, browser)
    qtbot.keyClicks(dialog.name_edit, "Maple US")
    choose_marketplace(qtbot, dialog, "Amazon.com")
    click(qtbot, dialog.connect_button)
    click(qtbot, dialog.close_button)
    wait_done(qtbot, dialog)
    assert not dialog.isVisible()
    assert store_db.list_stores() == []


def test_paste_refresh_token_path(qtbot: QtBot, core: CoreServices, browser: FakeBrowser) -> None:
    add_store(
        core, name="Brand A US", marketplace="US", selling_partner_id="A1SELFSELLER", refresh_token="Atzr|a"
    )
    dialog = make_dialog(qtbot, core, browser)
    click_box(qtbot, dialog.advanced_box)
    assert dialog.advanced_box.isChecked()
    assert dialog.connect_button.text() == "Add Store"
    qtbot.keyClicks(dialog.name_edit, "Brand B US")
    choose_marketplace(qtbot, dialog, "Amazon.com")
    qtbot.keyClicks(dialog.seller_edit, "A1SELFSELLER")
    qtbot.keyClicks(dialog.token_edit, "Atzr|IwEBselfAuthorized")
    click(qtbot, dialog.connect_button)
    assert "already connected in this marketplace as store 'Brand A US'" in dialog.error_label.text()
    assert browser.urls == []
    dialog.seller_edit.clear()
    qtbot.keyClicks(dialog.seller_edit, "A2OTHERSELLER")  # a second account in the same marketplace is fine
    with qtbot.waitSignal(dialog.store_added, timeout=5000):
        click(qtbot, dialog.connect_button)
    store = store_db.find_store("Brand B US")
    assert core.credentials.get_refresh_token(store.id) == "Atzr|IwEBselfAuthorized"
    assert dialog.token_edit.text() == ""
    assert dialog.done_panel.isVisible()


def test_reconnect_mode_replaces_the_token(qtbot: QtBot, core: CoreServices, browser: FakeBrowser) -> None:
    old = add_store(
        core, name="Maple US", marketplace="US", selling_partner_id=SELLER, refresh_token="Atzr|old"
    )
    store_db.set_status(old.id, "needs_reconnect", "revoked")
    dialog = make_dialog(qtbot, core, browser, reconnect_store=store_db.get_store(old.id))
    assert dialog.name_edit.isReadOnly()
    assert not dialog.marketplace_combo.isEnabled()
    assert dialog.marketplace_combo.currentData() == "US"
    assert not dialog.options_box.isVisible()
    assert dialog.connect_button.text() == "Reconnect"
    click(qtbot, dialog.connect_button)
    follow(consent_redirect(browser.urls[0]))
    wait_done(qtbot, dialog)
    assert "Reconnected 'Maple US'" in dialog.done_label.text()
    store = store_db.get_store(old.id)
    assert store.status == "connected"
    assert core.credentials.get_refresh_token(old.id) not in (None, "Atzr|old")


def test_hiding_the_dialog_with_its_window_cancels_the_wait(
    qtbot: QtBot, core: CoreServices, browser: FakeBrowser
) -> None:
    dialog = make_dialog(qtbot, core, browser)
    qtbot.keyClicks(dialog.name_edit, "Maple US")
    choose_marketplace(qtbot, dialog, "Amazon.com")
    click(qtbot, dialog.connect_button)
    assert dialog.waiting
    dialog.hide()  # what happens when the main window closes under it
    wait_done(qtbot, dialog)
    assert store_db.list_stores() == []
