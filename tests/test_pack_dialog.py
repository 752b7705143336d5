"""Pack dialog driven the way a USB barcode scanner types: characters, then Enter. No mouse."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from fbm_desk.core import build_core
from fbm_desk.db.orders import get_order_detail
from fbm_desk.db.stores import update_store
from fbm_desk.foundation.paths import AppPaths
from fbm_desk.ui.pack_dialog import QUEUED_TEXT, PackDialog
from fbm_desk.ui.services import Services
from fbm_desk.ui.table_models.pack_lines_model import PackLinesModel
from tests.support.demo_data import add_order, generate
from tests.support.pack_helpers import open_pack_dialog, scan

UPS = "1Z999AA10123456784"


@pytest.fixture
def services(app_paths: AppPaths) -> Iterator[Services]:
    core = build_core(app_paths)
    generate(core.db.db, orders=0)
    yield Services(core=core)
    core.close()


def typing_allowed(order_id: int) -> None:
    """The store setting "every unit must be scanned" turned off (products without barcodes)."""
    update_store(get_order_detail(order_id).order.store_id, require_item_scan=False)


def answer_partial(qtbot: Any, answer: Qt.Key) -> list[str]:
    """Answer the next "Ship 1 of 3 now?" question with the keyboard (its Y / N mnemonics); returns its text."""
    seen: list[str] = []

    def press() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(10, press)
            return
        seen.append(box.text())
        qtbot.keyClick(box, answer)

    QTimer.singleShot(0, press)
    return seen


def _packages(services: Services, order_id: int) -> list[Any]:
    return list(get_order_detail(order_id).packages)


def _outbox(services: Services) -> list[tuple[Any, ...]]:
    return list(services.db.db.execute_sql("SELECT kind, ref_id, state FROM outbox").fetchall())


def test_scanner_only_flow_records_a_queued_package(qtbot: Any, services: Services) -> None:
    order = add_order(
        services.db.db, "111-0000000-0000001", items=(("MUG-ENAMEL-GRN", 2), ("SOAP-LAV-OAT", 1))
    )
    dialog = open_pack_dialog(qtbot, services, order)
    with qtbot.waitSignal(dialog.saved) as saved:
        assert dialog.focusWidget() is dialog.item_scan
        scan(qtbot, dialog, "MUG-ENAMEL-GRN")
        scan(qtbot, dialog, "mug-enamel-grn")  # scanners differ in case
        scan(qtbot, dialog, "SOAP-LAV-OAT")
        assert [dialog.pack_quantity(r) for r in range(2)] == [2, 1]
        scan(qtbot, dialog, "")  # empty Enter: on to the tracking number
        assert dialog.focusWidget() is dialog.tracking
        scan(qtbot, dialog, UPS)
    assert dialog.carrier_code() == "UPS"  # suggested from the number's format
    assert QUEUED_TEXT in saved.args[0]
    assert not dialog.isVisible()  # everything packed: the dialog closes
    [package] = _packages(services, order)
    assert (package.carrier_code, package.tracking_number, package.push_state) == ("UPS", UPS, "queued")
    assert sorted((i.seller_sku, i.quantity) for i in package.items) == [
        ("MUG-ENAMEL-GRN", 2),
        ("SOAP-LAV-OAT", 1),
    ]
    assert _outbox(services) == [("confirm_shipment", package.id, "pending")]


def test_wrong_item_is_refused_and_nothing_counted(qtbot: Any, services: Services) -> None:
    order = add_order(services.db.db, "111-0000000-0000002", items=(("MUG-ENAMEL-GRN", 2),))
    dialog = open_pack_dialog(qtbot, services, order)
    scan(qtbot, dialog, "MUG-ENAMEL-GRN")
    scan(qtbot, dialog, "CANDLE-PINE-8")
    assert "'CANDLE-PINE-8' is not on this order" in dialog.message.text()
    assert dialog.pack_quantity(0) == 1
    scan(qtbot, dialog, "MUG-ENAMEL-GRN")
    scan(qtbot, dialog, "MUG-ENAMEL-GRN")  # a third unit of a line with two
    assert "already counted" in dialog.message.text()
    assert dialog.pack_quantity(0) == 2
    assert _packages(services, order) == []  # scanning never saves by itself


def test_scanning_the_label_in_the_item_field_moves_it_to_tracking(qtbot: Any, services: Services) -> None:
    order = add_order(services.db.db, "111-0000000-0000003", items=(("CANDLE-PINE-8", 1),))
    dialog = open_pack_dialog(qtbot, services, order)
    scan(qtbot, dialog, "9400111899223197428490")  # a USPS label, scanned without counting items
    assert dialog.tracking.text() == "9400111899223197428490"
    assert dialog.focusWidget() is dialog.tracking
    assert dialog.carrier_code() == "USPS"
    qtbot.keyClick(dialog.tracking, Qt.Key.Key_Return)
    # The store requires scanning every unit (the default): nothing is saved without it.
    assert "Scan the items first" in dialog.message.text()
    assert _packages(services, order) == []
    dialog.close()
    typing_allowed(order)
    dialog = open_pack_dialog(qtbot, services, order)
    scan(qtbot, dialog, "9400111899223197428490")
    qtbot.keyClick(dialog.tracking, Qt.Key.Key_Return)
    assert [p.tracking_number for p in _packages(services, order)] == ["9400111899223197428490"]


def test_partial_shipment_keeps_the_dialog_open_for_the_next_package(qtbot: Any, services: Services) -> None:
    order = add_order(services.db.db, "111-0000000-0000004", items=(("MUG-ENAMEL-GRN", 3),))
    dialog = open_pack_dialog(qtbot, services, order)
    scan(qtbot, dialog, "MUG-ENAMEL-GRN")
    scan(qtbot, dialog, "")
    asked = answer_partial(qtbot, Qt.Key.Key_Y)
    scan(qtbot, dialog, UPS)
    assert [a.split("\n")[0] for a in asked] == ["Ship 1 of 3 now?"]
    assert dialog.isVisible()
    assert "2 unit(s) left" in dialog.message.text()
    assert dialog.focusWidget() is dialog.item_scan
    assert dialog.tracking.text() == ""
    assert dialog.lines.item(0).packable == 2
    scan(qtbot, dialog, "MUG-ENAMEL-GRN")
    scan(qtbot, dialog, "MUG-ENAMEL-GRN")
    scan(qtbot, dialog, "")
    scan(qtbot, dialog, "1Z999AA10123456785")
    assert not dialog.isVisible()
    assert [sum(i.quantity for i in p.items) for p in _packages(services, order)] == [1, 2]


def test_bad_tracking_number_is_refused_and_nothing_typed_is_lost(qtbot: Any, services: Services) -> None:
    order = add_order(services.db.db, "111-0000000-0000005", items=(("CANDLE-PINE-8", 1),))
    dialog = open_pack_dialog(qtbot, services, order)
    scan(qtbot, dialog, "CANDLE-PINE-8")
    scan(qtbot, dialog, "")
    dialog.carrier.setCurrentIndex(dialog.carrier.findData("FedEx"))
    dialog.carrier.activated.emit(dialog.carrier.currentIndex())  # as if chosen in the combo
    qtbot.keyClicks(dialog.method, "Ground")
    dialog.tracking.setFocus()
    scan(qtbot, dialog, "ABC")
    assert "does not look like a FedEx tracking number" in dialog.message.text()
    assert dialog.isVisible()
    assert _packages(services, order) == []
    assert dialog.tracking.text() == "ABC"
    assert dialog.method.text() == "Ground"
    assert dialog.carrier_code() == "FedEx"


def test_carrier_is_required(qtbot: Any, services: Services) -> None:
    order = add_order(services.db.db, "111-0000000-0000006", items=(("CANDLE-PINE-8", 1),))
    dialog = open_pack_dialog(qtbot, services, order)
    scan(qtbot, dialog, "")
    scan(qtbot, dialog, "ZZ-PLAIN-42")  # not distinctive: no carrier suggested
    assert dialog.carrier_code() == ""
    assert "Choose the carrier" in dialog.message.text()
    assert _packages(services, order) == []


@pytest.mark.parametrize(
    ("state", "text"),
    [
        ("held", "is held: Amazon has not released it yet"),
        ("canceled", "was canceled. Do not ship it"),
        ("shipped", "is already shipped"),
    ],
)
def test_orders_that_cannot_be_shipped_say_why(qtbot: Any, services: Services, state: str, text: str) -> None:
    order = add_order(services.db.db, f"111-0000000-10000{len(state)}", state=state)
    dialog = open_pack_dialog(qtbot, services, order)
    assert text in dialog.message.text()
    assert not dialog.save_button.isEnabled()
    assert not dialog.tracking.isEnabled()
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert _packages(services, order) == []


def test_typed_quantities_make_a_partial_package(qtbot: Any, services: Services) -> None:
    order = add_order(
        services.db.db, "111-0000000-0000007", items=(("MUG-ENAMEL-GRN", 2), ("SOAP-LAV-OAT", 2))
    )
    typing_allowed(order)
    dialog = open_pack_dialog(qtbot, services, order)
    assert dialog.set_pack_quantity(0, 1)
    assert dialog.set_pack_quantity(1, 0)
    assert not dialog.set_pack_quantity(1, 3)  # more than left
    dialog.tracking.setFocus()
    answer_partial(qtbot, Qt.Key.Key_Y)
    scan(qtbot, dialog, UPS)
    [package] = _packages(services, order)
    assert [(i.seller_sku, i.quantity) for i in package.items] == [("MUG-ENAMEL-GRN", 1)]


def test_rejected_package_can_be_edited_and_requeued(qtbot: Any, services: Services) -> None:
    from fbm_desk.db.packages import reject_package
    from fbm_desk.domain import packing

    order = add_order(services.db.db, "111-0000000-0000008", items=(("CANDLE-PINE-8", 1),))
    package = packing.record_package(services.core, order, "UPS", UPS)
    reject_package(package.id, "Invalid tracking number")
    package = _packages(services, order)[0]
    dialog = PackDialog(services.core, order, package=package)
    qtbot.addWidget(dialog)
    dialog.show()
    assert "Invalid tracking number" in dialog.message.text()
    assert dialog.tracking.text() == UPS
    dialog.tracking.selectAll()
    scan(qtbot, dialog, "1Z999AA10123456785")
    [edited] = _packages(services, order)
    assert (edited.tracking_number, edited.push_state) == ("1Z999AA10123456785", "queued")


def test_lines_model_passes_qtmodeltester(qtmodeltester: Any, services: Services) -> None:
    order = add_order(
        services.db.db, "111-0000000-0000009", items=(("MUG-ENAMEL-GRN", 2), ("SOAP-LAV-OAT", 1))
    )
    model = PackLinesModel(get_order_detail(order).items)
    qtmodeltester.check(model)
    assert model.count_scan("SOAP-LAV-OAT").ok
    qtmodeltester.check(model)
