"""Issue 18 in the pack dialog: from the item scan to a printed label with the keyboard only (Alt+L, the weight,
Enter for rates, Enter to buy and print), against the sandbox; then reprint and void from the same dialog."""

from __future__ import annotations

import re
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from fbm_desk.core import CoreServices
from fbm_desk.db.buy_shipping import latest_label
from fbm_desk.db.orders import find_order, get_order_detail
from fbm_desk.db.stores import get_store
from fbm_desk.db.warehouses import ShipFrom, primary, update_warehouse
from fbm_desk.printing import shipping_label
from fbm_desk.sandbox import RunningSandbox
from fbm_desk.sync.base import JobKind
from fbm_desk.sync.execute import run_job
from fbm_desk.ui.buy_label_dialog import BuyLabelDialog
from fbm_desk.ui.orders_tab import OrdersTab
from fbm_desk.ui.services import Services
from tests.support.pack_helpers import open_pack_dialog, scan
from tests.support.sync_env import make_store, merchant_skus, settle

pytestmark = pytest.mark.e2e
SHIP_FROM = ShipFrom("Maple & Pine", "100 Main St", "", "Springfield", "IL", "62701", "US", "")


def _ready_order(core: CoreServices, sb: RunningSandbox) -> tuple[str, str]:
    store = make_store(core, sb)
    update_warehouse(primary().id, ship_from=SHIP_FROM)
    sku = merchant_skus(sb, 1)[0]
    order_id = sb.world.add_order(skus={sku: 1})
    settle(sb, order_id)
    assert run_job(core, get_store(store.id), JobKind.ORDERS).status == "ok"
    return order_id, sku


def _label_dialog(qtbot: Any, pack: Any) -> BuyLabelDialog:
    pack.activateWindow()
    qtbot.waitActive(pack)  # shortcuts (Alt+L) go to the active window
    qtbot.keyClick(pack.windowHandle(), Qt.Key.Key_L, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), BuyLabelDialog), timeout=3000)
    dialog = QApplication.activeModalWidget()
    assert isinstance(dialog, BuyLabelDialog)
    return dialog


def test_scan_to_printed_label_with_the_keyboard_only(
    qtbot: Any, quiet_core: CoreServices, quiet: RunningSandbox
) -> None:
    order_id, sku = _ready_order(quiet_core, quiet)
    local = find_order(order_id)
    pack = open_pack_dialog(qtbot, Services(core=quiet_core), local.id)
    scan(qtbot, pack, sku)  # the item, counted by its SKU
    assert pack.lines.units() == (1, 1)
    dialog = _label_dialog(qtbot, pack)
    qtbot.waitUntil(dialog.box.hasFocus)  # the first preset of the order's warehouse
    qtbot.keyClick(dialog.box, Qt.Key.Key_Tab)  # the size field is only for "Custom size…": skipped
    assert dialog.weight.hasFocus()
    qtbot.keyClicks(dialog.weight, "800")
    qtbot.keyClick(dialog.weight, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.rate_list.count() > 0, timeout=10000)
    assert dialog.rate_list.hasFocus()
    chosen = dialog.rate_list.currentItem()
    assert chosen is not None
    assert dialog.rates is not None
    assert chosen.data(Qt.ItemDataRole.UserRole) == dialog.rates.default_rate_id
    with qtbot.waitSignal(dialog.label_changed, timeout=10000):
        qtbot.keyClick(dialog.rate_list, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    assert dialog.printed_to is not None
    printed = dialog.printed_to.read_bytes()
    assert printed.startswith(b"%PDF")
    assert re.search(rb"/MediaBox \[0 0 288(\.0+)? 432(\.0+)?\]", printed)  # 4 x 6 inches
    label = latest_label(local.id)
    assert label is not None
    (package,) = get_order_detail(local.id).packages
    assert package.tracking_number == label.tracking_number
    assert package.push_state == "confirmed"
    assert "Label bought" in pack.message.text()
    tab = OrdersTab(Services(core=quiet_core))  # the order's details say what the package is
    qtbot.addWidget(tab)
    tab.select_order(local.id)
    assert tab.detail.detail is not None
    assert "Buy Shipping label — Amazon has the tracking number" in tab.detail.body.toPlainText()
    assert quiet.world.pushed()["shipments"] == []


def test_reprint_zpl_raw_and_void(
    qtbot: Any, quiet_core: CoreServices, quiet: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    order_id, _sku = _ready_order(quiet_core, quiet)
    local = find_order(order_id)
    sent: list[tuple[str, bytes]] = []
    monkeypatch.setattr(shipping_label, "send_raw", lambda printer, data: sent.append((printer, data)))
    dialog = BuyLabelDialog(quiet_core, local.id)
    qtbot.addWidget(dialog)
    dialog.printer.insertItem(0, "Zebra", "Zebra")  # a thermal printer of this computer
    dialog.printer.setCurrentIndex(0)
    dialog.label_format.setCurrentIndex(dialog.label_format.findData("zpl"))
    dialog.weight.setValue(500)
    dialog.get_rates()
    qtbot.waitUntil(lambda: dialog.rate_list.count() > 0, timeout=10000)
    ups = dialog.rate_list.findItems("UPS Ground", Qt.MatchFlag.MatchStartsWith)[0]  # a carrier printing ZPL
    dialog.rate_list.setCurrentItem(ups)
    with qtbot.waitSignal(dialog.label_changed, timeout=10000):
        dialog.buy()
    assert sent[0][0] == "Zebra"
    assert sent[0][1].startswith(b"^XA")
    again = BuyLabelDialog(quiet_core, local.id)
    qtbot.addWidget(again)
    assert again.reprint_button.isEnabled()
    assert not again.rates_button.isEnabled()
    again.printer.insertItem(0, "Zebra", "Zebra")
    again.printer.setCurrentIndex(0)
    again.label_format.setCurrentIndex(again.label_format.findData("zpl"))
    again.reprint()
    qtbot.waitUntil(lambda: len(sent) == 2, timeout=5000)
    assert sent[1] == sent[0]
    with qtbot.waitSignal(again.label_changed, timeout=10000):
        again.void()
    assert latest_label(local.id) is None
    assert get_order_detail(local.id).order.state == "released"
