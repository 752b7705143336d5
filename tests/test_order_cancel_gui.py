"""Issue 12 item 3: "Cancel order at Amazon…" in the order detail panel and the pack dialog's notice: the reason
picker with its confirmation, the cancellation running in the background against the sandbox, then the next
orders sync shows the order Canceled. Also the packing guard while a cancellation is under way."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from fbm_desk.core import CoreServices
from fbm_desk.db import events
from fbm_desk.db.orders import find_order
from fbm_desk.db.stores import get_store
from fbm_desk.domain.order_cancel import cancellation_blocks_packing
from fbm_desk.domain.packing import record_package
from fbm_desk.foundation.errors import InvalidInput
from fbm_desk.sandbox import RunningSandbox
from fbm_desk.sync.base import JobKind
from fbm_desk.sync.execute import run_job
from fbm_desk.ui.cancel_order import CancelOrderDialog
from fbm_desk.ui.orders_tab import OrdersTab
from fbm_desk.ui.services import Services
from tests.support.sync_env import make_store, merchant_skus, settle

pytestmark = pytest.mark.e2e


def _synced_order(core: CoreServices, sb: RunningSandbox, *, asked: bool) -> tuple[str, int]:
    store = make_store(core, sb)
    order_id = sb.world.add_order(skus={merchant_skus(sb, 1)[0]: 1})
    if asked:
        sb.world.request_cancellation(order_id, reason="Found it cheaper")
    settle(sb, order_id)
    assert run_job(core, get_store(store.id), JobKind.ORDERS).status == "ok"
    return order_id, store.id


def _open_tab(qtbot: Any, core: CoreServices, local_id: int) -> OrdersTab:
    tab = OrdersTab(Services(core=core))
    qtbot.addWidget(tab)
    tab.show()
    tab.select_order(local_id)
    assert tab.detail.detail is not None
    return tab


def test_detail_panel_cancels_at_amazon_after_confirmation(
    qtbot: Any, quiet_core: CoreServices, quiet: RunningSandbox
) -> None:
    order_id, store_id = _synced_order(quiet_core, quiet, asked=True)
    local = find_order(order_id)
    tab = _open_tab(qtbot, quiet_core, local.id)
    button = tab.detail.cancel_button
    assert button.isEnabled()
    assert "Cancel order at Amazon" in tab.detail.body.toHtml()

    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = tab.canceler.dialog
    assert isinstance(dialog, CancelOrderDialog)
    assert dialog.isVisible()
    assert dialog.reason.currentText() == "Buyer canceled"  # the buyer asked
    assert dialog.keep_button.isDefault()
    qtbot.mouseClick(dialog.keep_button, Qt.MouseButton.LeftButton)  # changed mind: nothing is sent
    assert quiet.world.counters()["calls"].get("createFeed", 0) == 0

    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = tab.canceler.dialog
    assert dialog is not None
    with qtbot.waitSignal(tab.canceler.finished, timeout=30_000) as blocker:
        qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
        assert tab.canceler.busy()  # runs in the background: the GUI did not wait
    assert blocker.args[0] == local.id
    assert blocker.args[1] is True, blocker.args[2]
    assert "canceled" in tab.message.text()
    assert quiet.world.order_state(order_id)["status"] == "CANCELLED"
    assert quiet.world.counters()["calls"]["createFeed"] == 1
    assert "Amazon accepted the cancellation" in tab.detail.body.toHtml()  # timeline
    assert not tab.detail.cancel_button.isEnabled()

    settle(quiet, order_id)
    assert run_job(quiet_core, get_store(store_id), JobKind.ORDERS).status == "ok"
    tab.refresh()
    tab.detail.show_order(local.id)
    assert find_order(order_id).state == "canceled"
    assert "Canceled" in tab.detail.title.text()


def test_refusal_is_shown_and_the_order_stays_open(
    qtbot: Any, quiet_core: CoreServices, quiet: RunningSandbox
) -> None:
    order_id, _store = _synced_order(quiet_core, quiet, asked=False)
    quiet.world.ship_elsewhere(order_id)  # Amazon knows it shipped; the database does not yet
    tab = _open_tab(qtbot, quiet_core, find_order(order_id).id)
    qtbot.mouseClick(tab.detail.cancel_button, Qt.MouseButton.LeftButton)
    dialog = tab.canceler.dialog
    assert dialog is not None
    assert dialog.reason.currentText() == "Out of stock"
    with qtbot.waitSignal(tab.canceler.finished, timeout=30_000) as blocker:
        qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    assert blocker.args[1] is False
    assert "cannot be canceled" in tab.message.text()
    assert "Amazon refused the cancellation" in tab.detail.body.toHtml()


def test_pack_dialog_notice_offers_the_cancellation(
    qtbot: Any, quiet_core: CoreServices, quiet: RunningSandbox
) -> None:
    order_id, _store = _synced_order(quiet_core, quiet, asked=True)
    tab = _open_tab(qtbot, quiet_core, find_order(order_id).id)
    pack = tab.open_pack_dialog(find_order(order_id).id)
    assert "Cancel order at Amazon" in pack.header.text()
    assert "Open in Seller Central" in pack.header.text()
    pack.header.linkActivated.emit("cancel-at-amazon:")
    dialog = tab.canceler.dialog
    assert dialog is not None
    assert dialog.parent() is pack
    with qtbot.waitSignal(tab.canceler.finished, timeout=30_000):
        qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    assert quiet.world.order_state(order_id)["status"] == "CANCELLED"
    assert not pack.isVisible()


def test_packing_is_refused_while_a_cancellation_is_on_its_way(
    quiet_core: CoreServices, quiet: RunningSandbox
) -> None:
    order_id, _store = _synced_order(quiet_core, quiet, asked=False)
    local = find_order(order_id)
    events.add_event(local.id, events.CANCEL_SENT, "Cancellation sent to Amazon: Out of stock")
    assert cancellation_blocks_packing(local.id)
    with pytest.raises(InvalidInput, match="cancellation"):
        record_package(quiet_core, order_id, "UPS", "1Z999AA10123456784")
    events.add_event(local.id, events.CANCEL_REFUSED, "Amazon refused the cancellation")
    assert not cancellation_blocks_packing(local.id)
    record_package(quiet_core, order_id, "UPS", "1Z999AA10123456784")
