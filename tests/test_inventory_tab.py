"""Inventory tab: stock numbers, on-hand changes need a reason, "why is available N?", push preview."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt

from fbm_desk.core import build_core
from fbm_desk.db.stock import InventoryQuery, InventorySort, pending_pushes
from fbm_desk.db.stock_summary import fetch_stock
from fbm_desk.foundation.paths import AppPaths
from fbm_desk.ui.inventory_tab import InventoryTab
from fbm_desk.ui.services import Services
from fbm_desk.ui.table_models.inventory_model import COL_ON_HAND, InventoryTableModel, PushPreviewModel
from tests.support.demo_data import add_order, generate
from tests.support.push_preview import refresh_and_wait


@pytest.fixture
def services(app_paths: AppPaths) -> Iterator[Services]:
    core = build_core(app_paths)
    generate(core.db.db, orders=0)
    db = core.db.db
    db.execute_sql("UPDATE inventory_level SET on_hand = 10")
    # Amazon already has 10 of everything, except the candle.
    db.execute_sql(
        "UPDATE listing SET pushed_quantity = 10, push_state = 'accepted' WHERE product_id IS NOT NULL"
    )
    db.execute_sql(
        "UPDATE listing SET push_state = 'rejected', push_issues = '8541: quantity not allowed' "
        "WHERE seller_sku = 'CANDLE-PINE-8' AND store_id = (SELECT min(id) FROM store)"
    )
    yield Services(core=core)
    core.close()


@pytest.fixture
def tab(qtbot: Any, services: Services) -> InventoryTab:
    widget = InventoryTab(services)
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    qtbot.waitExposed(widget)
    qtbot.waitUntil(lambda: not widget.preview_reader.busy and not widget.preview_loader.pending)
    return widget


def _row(tab: InventoryTab, sku: str) -> Any:
    return next(r for r in tab.model.rows() if r.sku == sku)


def test_models_pass_qtmodeltester(qtmodeltester: Any, services: Services) -> None:
    model = InventoryTableModel()
    model.page_size = 5
    model.set_query(InventoryQuery(sort=InventorySort.AVAILABLE, descending=True))
    qtmodeltester.check(model)
    preview = PushPreviewModel()
    services.db.db.execute_sql("UPDATE listing SET pushed_quantity = NULL, amazon_quantity = NULL")
    preview.set_pushes(pending_pushes())
    assert preview.rowCount() > 0
    qtmodeltester.check(preview)


def test_allocation_and_why_available(qtbot: Any, tab: InventoryTab, services: Services) -> None:
    add_order(services.db.db, "111-0000000-0000001", items=(("MUG-ENAMEL-GRN", 3),))
    add_order(services.db.db, "111-0000000-0000002", state="held", items=(("MUG-ENAMEL-GRN", 2),))
    add_order(services.db.db, "111-0000000-0000003", state="canceled", items=(("MUG-ENAMEL-GRN", 5),))
    add_order(services.db.db, "111-0000000-0000004", state="shipped", items=(("MUG-ENAMEL-GRN", 4),))
    tab.refresh()
    mug = _row(tab, "MUG-ENAMEL-GRN")
    assert (mug.on_hand, mug.allocated, mug.available) == (10, 5, 5)
    row = tab.model.rows().index(mug)
    rect = tab.table.visualRect(tab.model.index(row, 0))
    qtbot.mouseClick(tab.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    text = tab.why.toPlainText()
    assert "available 5 = on hand 10 − allocated 5" in text
    assert "111-0000000-0000001" in text
    assert "111-0000000-0000002" in text
    assert "111-0000000-0000003" not in text
    assert "111-0000000-0000004" not in text
    assert tab.panels.tabText(0) == "Why is available 5?"


def test_set_on_hand_requires_a_reason(qtbot: Any, tab: InventoryTab, services: Services) -> None:
    tab.select_product(_row(tab, "SOAP-LAV-OAT").product_id)
    qtbot.mouseClick(tab.set_button, Qt.MouseButton.LeftButton)
    dialog = tab.on_hand_dialog
    assert dialog is not None
    dialog.quantity.setFocus()
    dialog.quantity.selectAll()
    qtbot.keyClicks(dialog.quantity, "42")
    qtbot.keyClick(dialog.quantity, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert "Enter a reason" in dialog.message.text()
    assert _row(tab, "SOAP-LAV-OAT").on_hand == 10
    qtbot.keyClicks(dialog.reason, "Cycle count aisle 4")
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    assert _row(tab, "SOAP-LAV-OAT").on_hand == 42
    adj = services.db.db.execute_sql(
        "SELECT delta, on_hand_after, reason, source FROM inventory_adjustment a "
        "JOIN product p ON p.id = a.product_id "
        "WHERE p.sku = 'SOAP-LAV-OAT' ORDER BY a.id DESC LIMIT 1"
    ).fetchone()
    assert tuple(adj) == (32, 42, "Cycle count aisle 4", "user")


def test_inline_edit_opens_the_reason_dialog(qtbot: Any, tab: InventoryTab) -> None:
    row = tab.model.rows().index(_row(tab, "YOGA-CORK-2"))
    index = tab.model.index(row, COL_ON_HAND)
    assert not tab.model.setData(index, 7)  # nothing written yet
    qtbot.waitUntil(lambda: tab.on_hand_dialog is not None and tab.on_hand_dialog.isVisible(), timeout=2000)
    assert tab.on_hand_dialog.quantity.value() == 7  # type: ignore[union-attr]
    assert _row(tab, "YOGA-CORK-2").on_hand == 10


def test_push_state_issues_and_preview(qtbot: Any, tab: InventoryTab, services: Services) -> None:
    candle = _row(tab, "CANDLE-PINE-8")
    assert candle.push_state == "rejected"
    assert "8541" in candle.push_issues
    # Only the rejected listing is due; then an order changes the mug's available stock.
    assert {p.seller_sku for p in tab.preview_model.pushes} == {"CANDLE-PINE-8"}
    add_order(services.db.db, "111-0000000-0000009", items=(("MUG-ENAMEL-GRN", 1),))
    refresh_and_wait(qtbot, tab)
    sent = {(p.seller_sku, p.quantity) for p in tab.preview_model.pushes}
    assert ("MUG-ENAMEL-GRN", 9) in sent
    assert len([s for s in sent if s[0] == "MUG-ENAMEL-GRN"]) == 1
    assert "will send" in tab.preview_label.text()
    qtbot.mouseClick(tab.differs_only, Qt.MouseButton.LeftButton)
    # the SKUs the next push sends: the mug, and the candle Amazon rejected (sent again)
    assert {r.sku for r in tab.model.rows()} == {"MUG-ENAMEL-GRN", "CANDLE-PINE-8"}
    qtbot.mouseClick(tab.differs_only, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(tab.issues_only, Qt.MouseButton.LeftButton)
    assert {r.sku for r in tab.model.rows()} == {"CANDLE-PINE-8"}


def test_stock_query_sorts_and_searches(services: Services) -> None:
    rows = fetch_stock(InventoryQuery(search="mug"), 0, 50)
    assert [r.sku for r in rows] == ["MUG-ENAMEL-GRN"]
    skus = [r.sku for r in fetch_stock(InventoryQuery(sort=InventorySort.SKU, descending=True), 0, 50)]
    assert skus == sorted(skus, reverse=True)


def test_push_preview_is_read_off_the_gui_thread(
    qtbot: Any, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rows show while the preview is still being read (on a pool thread); it shows once read."""
    import threading

    from fbm_desk.ui import push_preview_loader

    release, threads = threading.Event(), []

    def slow_read() -> Any:
        threads.append(threading.get_ident())
        assert release.wait(10)  # held until the test has checked the tab meanwhile
        return pending_pushes()

    monkeypatch.setattr(push_preview_loader, "pending_pushes", slow_read)
    tab = InventoryTab(services)
    qtbot.addWidget(tab)
    tab.show()
    qtbot.waitExposed(tab)
    qtbot.waitUntil(lambda: len(threads) == 1)
    assert tab.model.rowCount() > 0  # the table did not wait for the preview
    assert tab.preview_reader.busy
    assert tab.preview_label.text().startswith("Working out")
    assert threads[0] != threading.get_ident()
    with qtbot.waitSignal(tab.preview_reader.ready, timeout=10_000):
        release.set()
    assert {p.seller_sku for p in tab.preview_model.pushes} == {"CANDLE-PINE-8"}
    assert "will send" in tab.preview_label.text()


def test_why_available_lists_the_most_urgent_holders_and_counts_them_all(
    tab: InventoryTab, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fbm_desk.ui import why_available

    monkeypatch.setattr(why_available, "SHOWN_HOLDERS", 3)  # 50 at a million orders: a short panel at once
    for n in range(1, 6):
        add_order(
            services.db.db,
            f"111-0000000-000000{n}",
            items=(("MUG-ENAMEL-GRN", 1),),
            latest_ship_date=f"2026-12-0{6 - n}T12:00:00Z",  # the last one added ships first
        )
    tab.refresh()
    tab.select_product(_row(tab, "MUG-ENAMEL-GRN").product_id)
    text = tab.why.toPlainText()
    assert "5 open orders hold 5 units; the 3 most urgent:" in text
    assert [f"111-0000000-000000{n}" in text for n in range(1, 6)] == [False, False, True, True, True]
    assert "… and 2 other orders: search the SKU in the Orders tab" in text
