"""Issue 12: the buyer's cancellation request and order badges where a packer looks (Orders tab, order detail,
pack dialog), and the pack dialog's explicit confirm step before packing such an order."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt

from fbm_desk.core import build_core
from fbm_desk.db.orders import get_order_detail
from fbm_desk.foundation.paths import AppPaths
from fbm_desk.ui.order_detail import OrderDetailPanel
from fbm_desk.ui.pack_dialog import PackDialog
from fbm_desk.ui.services import Services
from fbm_desk.ui.table_models.orders_model import COL_FLAGS, COL_STATE, OrdersTableModel
from tests.support.demo_data import add_order, generate

UPS = "1Z999AA10123456784"


@pytest.fixture
def services(app_paths: AppPaths) -> Iterator[Services]:
    core = build_core(app_paths)
    generate(core.db.db, orders=0)
    yield Services(core=core)
    core.close()


def _asked(services: Services) -> int:
    order = add_order(services.db.db, "111-0000000-0000009", items=(("MUG-ENAMEL-GRN", 1),))
    services.db.db.execute_sql(
        "UPDATE orders SET cancel_requested = 1, cancel_reason = 'Wrong colour', programs = 'PREMIUM', "
        "delivery_instructions = 'Drop-off: Locker 3' WHERE id = ?",
        (order,),
    )
    return order


def test_orders_tab_and_detail_show_the_request(qtbot: Any, services: Services) -> None:
    order = _asked(services)
    model = OrdersTableModel()
    model.refresh()
    row = model.row_of_order(order)
    assert model.index(row, COL_STATE).data() == "Cancel requested"
    assert "Wrong colour" in model.index(row, COL_STATE).data(Qt.ItemDataRole.ToolTipRole)
    assert "Premium" in model.index(row, COL_FLAGS).data()
    panel = OrderDetailPanel()
    qtbot.addWidget(panel)
    panel.show_order(order)
    assert "Buyer asked to cancel" in panel.title.text()
    body = panel.body.toHtml()
    assert "Wrong colour" in body
    assert "Cancel order at Amazon" in body
    assert "Open in Seller Central" in body
    assert "Locker 3" in body


def test_pack_dialog_asks_before_packing_an_order_the_buyer_wants_cancelled(
    qtbot: Any, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    order = _asked(services)
    asked: list[str] = []
    answer = [False]

    def confirm(self: PackDialog, message: str) -> bool:
        asked.append(message)
        return answer[0]

    monkeypatch.setattr(PackDialog, "confirm_cancel_override", confirm)
    dialog = PackDialog(services.core, order)
    qtbot.addWidget(dialog)
    assert "Buyer asked to cancel" in dialog.header.text()
    assert dialog.lines.count_scan("MUG-ENAMEL-GRN").ok  # the unit scanned
    dialog.tracking.setText(UPS)
    assert not dialog.save()  # the user said no: nothing stored
    assert "Wrong colour" in asked[0]
    assert get_order_detail(order).packages == ()
    answer[0] = True
    assert dialog.save()
    assert len(get_order_detail(order).packages) == 1
