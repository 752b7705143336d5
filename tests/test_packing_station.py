"""The packing station by scanner only: the queue, the order barcode, items, label, Enter (issue 17)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QComboBox, QMessageBox

from fbm_desk.core import build_core
from fbm_desk.db.order_views import OrderQuery, QuickFilter, count_orders
from fbm_desk.db.orders import get_order_detail
from fbm_desk.foundation.paths import AppPaths
from fbm_desk.ui import pack_scanning
from fbm_desk.ui.orders_tab import OrdersTab
from fbm_desk.ui.services import Services
from tests.support.demo_data import add_order, generate
from tests.support.orders_counts import counted
from tests.support.pack_helpers import open_pack_dialog, scan

UPS = "1Z999AA10123456784"


@pytest.fixture
def services(app_paths: AppPaths) -> Iterator[Services]:
    core = build_core(app_paths)
    generate(core.db.db, orders=0)
    yield Services(core=core)
    core.close()


@pytest.fixture
def beeps(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    heard: list[int] = []
    monkeypatch.setattr(pack_scanning, "beep", lambda: heard.append(1))
    return heard


def answer_next_question(qtbot: Any, key: Qt.Key, asked: list[str]) -> None:
    def press() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(10, press)
            return
        asked.append(box.text().split("\n")[0])
        qtbot.keyClick(box, key)  # the button's mnemonic, as a packer presses Y or N

    QTimer.singleShot(0, press)


def _units(order_id: int) -> list[int]:
    return [sum(i.quantity for i in p.items) for p in get_order_detail(order_id).packages]


def test_enter_on_an_empty_tracking_field_never_leads_into_the_carrier_list(
    qtbot: Any, services: Services, beeps: list[int]
) -> None:
    order = add_order(services.db.db, "111-0000000-0000101", items=(("CANDLE-PINE-8", 1),))
    dialog = open_pack_dialog(qtbot, services, order)
    scan(qtbot, dialog, "CANDLE-PINE-8")
    scan(qtbot, dialog, "")  # on to the tracking number
    assert dialog.focusWidget() is dialog.tracking
    scan(qtbot, dialog, "")  # the packer presses Enter again before scanning the label
    assert dialog.focusWidget() is dialog.tracking  # was: the Carrier list
    assert "Scan the tracking number" in dialog.message.text()
    assert beeps
    scan(qtbot, dialog, "ZZ-PLAIN-42")  # no carrier recognisable: still the tracking field, not the list
    assert dialog.focusWidget() is dialog.tracking
    assert not dialog.carrier.view().isVisible()
    scan(qtbot, dialog, UPS)  # the real label now: saved
    assert _units(order) == [1]
    assert get_order_detail(order).packages[0].tracking_number == UPS


def test_a_scan_typed_into_the_carrier_list_is_kept_as_the_tracking_number(
    qtbot: Any, services: Services
) -> None:
    order = add_order(services.db.db, "111-0000000-0000102", items=(("CANDLE-PINE-8", 1),))
    dialog = open_pack_dialog(qtbot, services, order)
    scan(qtbot, dialog, "CANDLE-PINE-8")
    dialog.carrier.setFocus()  # however the focus got there
    assert isinstance(dialog.focusWidget(), QComboBox)
    scan(qtbot, dialog, UPS)
    assert not dialog.carrier.view().isVisible()  # Enter never opens the list
    [package] = get_order_detail(order).packages
    assert (package.carrier_code, package.tracking_number) == ("UPS", UPS)


def test_a_short_tracking_number_scanned_as_an_item_is_taken_as_the_label(
    qtbot: Any, services: Services, beeps: list[int]
) -> None:
    order = add_order(services.db.db, "111-0000000-0000103", items=(("CANDLE-PINE-8", 2),))
    dialog = open_pack_dialog(qtbot, services, order)
    scan(qtbot, dialog, "CANDLE-PINE-8")
    scan(qtbot, dialog, "1234567890")  # 10 digits: a DHL label
    assert dialog.tracking.text() == "1234567890"
    assert dialog.focusWidget() is dialog.tracking
    assert beeps == []


def test_a_wrong_or_extra_scan_beeps_and_turns_red(qtbot: Any, services: Services, beeps: list[int]) -> None:
    order = add_order(services.db.db, "111-0000000-0000104", items=(("MUG-ENAMEL-GRN", 1),))
    dialog = open_pack_dialog(qtbot, services, order)
    scan(qtbot, dialog, "SOAP-LAV-OAT")  # another product of ours
    assert len(beeps) == 1
    assert "#fdd" in dialog.item_scan.styleSheet()
    assert "not on this order" in dialog.message.text()
    scan(qtbot, dialog, "MUG-ENAMEL-GRN")
    assert dialog.item_scan.styleSheet() == ""
    scan(qtbot, dialog, "MUG-ENAMEL-GRN")  # one too many
    assert len(beeps) == 2
    assert dialog.pack_quantity(0) == 1


def test_a_partial_package_asks_and_enter_twice_saves_nothing(qtbot: Any, services: Services) -> None:
    order = add_order(services.db.db, "111-0000000-0000105", items=(("MUG-ENAMEL-GRN", 3),))
    dialog = open_pack_dialog(qtbot, services, order)
    scan(qtbot, dialog, "MUG-ENAMEL-GRN")
    scan(qtbot, dialog, "")
    asked: list[str] = []
    answer_next_question(qtbot, Qt.Key.Key_Return, asked)  # Enter = the default answer, No
    scan(qtbot, dialog, UPS)
    assert asked == ["Ship 1 of 3 now?"]
    assert _units(order) == []
    assert "1 of 3" in dialog.message.text()
    assert dialog.focusWidget() is dialog.item_scan
    answer_next_question(qtbot, Qt.Key.Key_Y, asked)
    dialog.tracking.setFocus()
    scan(qtbot, dialog, "")  # the number is still there: Enter asks again
    assert asked == ["Ship 1 of 3 now?", "Ship 1 of 3 now?"]
    assert _units(order) == [1]


def test_every_unit_must_be_scanned_by_default(qtbot: Any, services: Services) -> None:
    order = add_order(services.db.db, "111-0000000-0000106", items=(("MUG-ENAMEL-GRN", 2),))
    dialog = open_pack_dialog(qtbot, services, order)
    assert dialog.pack_quantity(0) == 0
    assert not dialog.set_pack_quantity(0, 2)  # typing is off for this store
    scan(qtbot, dialog, "")
    scan(qtbot, dialog, UPS)
    assert "Scan the items first" in dialog.message.text()
    assert _units(order) == []


def _to_pack(store_id: int | None = None) -> int:
    return count_orders(OrderQuery(quick=QuickFilter.RELEASED, store_id=store_id))


def test_twenty_orders_packed_by_scans_only_empty_the_queue(
    qtbot: Any, services: Services, beeps: list[int]
) -> None:
    now = datetime.now(UTC)
    orders: list[tuple[int, str, tuple[tuple[str, int], ...]]] = []
    for n in range(20):
        amazon_id = f"112-{n:07d}-{n + 1000:07d}"
        items = (("MUG-ENAMEL-GRN", 1),) if n % 3 else (("MUG-ENAMEL-GRN", 1), ("SOAP-LAV-OAT", 2))
        if n == 7:
            items = (("CANDLE-PINE-8", 3),)  # shipped in two packages
        ship_by = (now + timedelta(hours=n - 5)).strftime("%Y-%m-%dT%H:%M:%SZ")
        orders.append(
            (add_order(services.db.db, amazon_id, items=items, latest_ship_date=ship_by), amazon_id, items)
        )
    tab = OrdersTab(services)
    qtbot.addWidget(tab)
    tab.resize(1200, 800)
    tab.show()
    qtbot.waitExposed(tab)
    tab.set_quick_filter(QuickFilter.RELEASED)
    assert tab.model.total == 20
    first = tab.model.row_at(0)
    assert first is not None
    assert first.amazon_order_id == "112-0000000-0001000"
    asked: list[str] = []
    for n, (order_id, amazon_id, items) in enumerate(orders):
        tab.table.setFocus()
        scan(qtbot, tab, amazon_id)  # the packing slip's barcode, scanned with the table focused
        dialog = tab.pack_dialog
        assert dialog is not None
        assert dialog.order_id == order_id
        assert dialog.isVisible()
        assert dialog.focusWidget() is dialog.item_scan
        if n == 3:
            scan(qtbot, dialog, "CANDLE-PINE-8")  # the wrong item: beeps, counts nothing
            assert beeps
            assert "not on this order" in dialog.message.text()
        if n == 7:
            scan(qtbot, dialog, "CANDLE-PINE-8")
            scan(qtbot, dialog, "")
            answer_next_question(qtbot, Qt.Key.Key_Y, asked)
            scan(qtbot, dialog, f"1Z999AA1012345{n:04d}")
            assert dialog.isVisible()
            assert dialog.focusWidget() is dialog.item_scan
        for sku, quantity in items:
            for _ in range(quantity if n != 7 else quantity - 1):
                scan(qtbot, dialog, sku)
        scan(qtbot, dialog, f"1Z999AA1099999{n:04d}")  # the label: saves, the dialog closes
        assert not dialog.isVisible()
        assert tab.model.row_of_order(order_id) < 0  # left "To pack" at once
        assert tab.detail.detail is not None
        assert tab.detail.detail.order.id == order_id
        assert not tab.detail.pack_button.isEnabled()
    assert asked == ["Ship 1 of 3 now?"]
    assert _units(orders[7][0]) == [1, 2]
    assert _to_pack() == 0
    assert tab.model.total == 0
    assert count_orders(OrderQuery(quick=QuickFilter.DUE_TODAY)) == 0
    assert count_orders(OrderQuery(quick=QuickFilter.PACKED_WAITING)) == 20
    assert counted(qtbot, tab).filter_buttons[QuickFilter.RELEASED].text() == "To pack (0)"
