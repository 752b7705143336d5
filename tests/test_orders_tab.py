"""Orders tab: quick filters, debounced search, header-click sorting, detail panel, scan box → pack dialog."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt

from fbm_desk.core import build_core
from fbm_desk.db.order_views import QuickFilter, SortKey
from fbm_desk.foundation.paths import AppPaths
from fbm_desk.sync.runner import JobRunner
from fbm_desk.ui.order_detail import HELD_ADDRESS_TEXT
from fbm_desk.ui.orders_tab import OrdersTab
from fbm_desk.ui.services import Services
from fbm_desk.ui.table_models.orders_model import COL_ORDER, COL_SHIP_BY, COLUMNS, OrdersTableModel
from tests.support.demo_data import add_order, generate
from tests.support.orders_counts import counted


@pytest.fixture
def services(app_paths: AppPaths) -> Iterator[Services]:
    core = build_core(app_paths)
    generate(core.db.db, orders=300, seed=11)
    yield Services(core=core)
    core.close()


@pytest.fixture
def tab(qtbot: Any, services: Services) -> OrdersTab:
    widget = OrdersTab(services)
    qtbot.addWidget(widget)
    widget.resize(1300, 800)
    widget.show()
    qtbot.waitExposed(widget)
    return counted(qtbot, widget)


def _states(tab: OrdersTab) -> set[str]:
    return {tab.model.row_at(r).state for r in range(tab.model.rowCount())}  # type: ignore[union-attr]


def test_model_passes_qtmodeltester(qtmodeltester: Any, services: Services) -> None:
    model = OrdersTableModel()
    model.page_size = 40  # exercise fetchMore
    model.set_query(model.query)
    assert model.rowCount() == 40
    assert model.canFetchMore()
    qtmodeltester.check(model)
    model.sort(COLUMNS.index(("Items", SortKey.ITEMS)), Qt.SortOrder.AscendingOrder)
    qtmodeltester.check(model)


def test_quick_filter_buttons_filter_and_show_counts(qtbot: Any, tab: OrdersTab, services: Services) -> None:
    held = services.db.db.execute_sql("SELECT count(*) FROM orders WHERE state = 'held'").fetchone()[0]
    button = tab.filter_buttons[QuickFilter.HELD]
    assert button.text() == f"Held ({held:,})"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert tab.model.total == held
    assert _states(tab) == {"held"}
    assert tab.status.text().startswith(f"{held:,} orders")
    qtbot.mouseClick(tab.filter_buttons[QuickFilter.CANCELED], Qt.MouseButton.LeftButton)
    assert _states(tab) == {"canceled"}
    qtbot.mouseClick(tab.filter_buttons[QuickFilter.ALL], Qt.MouseButton.LeftButton)
    assert tab.model.counting  # a full first page: the rows are shown before their count
    assert tab.status.text().startswith("200+ orders (counting")
    assert counted(qtbot, tab).model.total == 300


def test_search_is_debounced_and_runs_in_sql(qtbot: Any, tab: OrdersTab, services: Services) -> None:
    target = add_order(services.db.db, "777-7777777-7777777", buyer_name="Wilhelmina Spark")
    tab.refresh()
    counted(qtbot, tab).search.setFocus()
    qtbot.keyClicks(tab.search, "wilhelm")
    assert tab.model.total == 301  # nothing yet: still typing
    qtbot.waitUntil(lambda: tab.model.total == 1, timeout=3000)
    assert tab.model.row_at(0).id == target  # type: ignore[union-attr]
    # The single hit is selected and shown in the detail panel.
    assert "777-7777777-7777777" in tab.detail.title.text()
    tab.search.clear()
    qtbot.keyClick(tab.search, Qt.Key.Key_Return)
    assert counted(qtbot, tab).model.total == 301


def test_header_click_sorts_in_sql(qtbot: Any, tab: OrdersTab) -> None:
    header = tab.table.horizontalHeader()
    x = header.sectionViewportPosition(COL_SHIP_BY) + header.sectionSize(COL_SHIP_BY) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))
    first = tab.model.query
    assert first.sort is SortKey.SHIP_BY
    dates = [tab.model.row_at(r).latest_ship_date for r in range(tab.model.rowCount())]  # type: ignore[union-attr]
    assert dates == sorted(dates, reverse=first.descending)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))
    assert tab.model.query.descending != first.descending
    dates = [tab.model.row_at(r).latest_ship_date for r in range(tab.model.rowCount())]  # type: ignore[union-attr]
    assert dates == sorted(dates, reverse=not first.descending)


def test_scrolling_fetches_more_rows(qtbot: Any, tab: OrdersTab) -> None:
    tab.model.page_size = 50
    tab.model.set_query(tab.model.query)
    assert tab.model.rowCount() == 50
    tab.table.scrollToBottom()
    qtbot.waitUntil(lambda: tab.model.rowCount() > 50, timeout=3000)
    ids = [tab.model.row_at(r).id for r in range(tab.model.rowCount())]  # type: ignore[union-attr]
    assert len(ids) == len(set(ids))


def test_held_order_detail_has_no_address_and_no_pack(qtbot: Any, tab: OrdersTab, services: Services) -> None:
    held = add_order(
        services.db.db, "111-2222222-3333333", state="held", purchase_date="2030-01-01T00:00:00Z"
    )
    tab.refresh()
    row = tab.model.row_of_order(held)
    assert row == 0  # newest purchase first
    rect = tab.table.visualRect(tab.model.index(row, COL_ORDER))
    qtbot.mouseClick(tab.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert tab.selected_order_id() == held
    assert HELD_ADDRESS_TEXT in tab.detail.body.toPlainText()
    assert "Payment hold" in tab.detail.title.text()
    assert not tab.detail.pack_button.isEnabled()


def test_late_and_due_today_are_emphasised(tab: OrdersTab, services: Services) -> None:
    now = datetime.now(UTC)
    late = add_order(
        services.db.db,
        "111-5555555-0000001",
        purchase_date="2030-01-02T00:00:00Z",
        latest_ship_date=(now - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    tab.refresh()
    index = tab.model.index(tab.model.row_of_order(late), COL_SHIP_BY)
    assert str(index.data()).startswith("LATE ")
    assert index.data(Qt.ItemDataRole.FontRole).bold()


def test_scanning_an_order_id_opens_the_pack_dialog(qtbot: Any, tab: OrdersTab, services: Services) -> None:
    order = add_order(services.db.db, "123-4567890-1234567", items=(("CANDLE-PINE-8", 1),))
    tab.refresh()
    qtbot.waitUntil(lambda: tab.scan_shortcut is not None, timeout=2000)
    qtbot.keyClick(tab, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert tab.scan.hasFocus()
    qtbot.keyClicks(tab.scan, "123-4567890-1234567")
    qtbot.keyClick(tab.scan, Qt.Key.Key_Return)
    dialog = tab.pack_dialog
    assert dialog is not None
    assert dialog.isVisible()
    assert dialog.order_id == order
    assert "123-4567890-1234567" in dialog.header.text()
    dialog.reject()


def test_ctrl_k_works_from_another_tab(qtbot: Any, services: Services) -> None:
    from PySide6.QtWidgets import QLabel, QTabWidget

    tabs = QTabWidget()
    qtbot.addWidget(tabs)
    tabs.addTab(QLabel("Stores"), "Stores")
    orders = OrdersTab(services)
    tabs.addTab(orders, "Orders")
    tabs.show()
    qtbot.waitExposed(tabs)
    qtbot.waitUntil(lambda: orders.scan_shortcut is not None, timeout=2000)
    assert tabs.currentIndex() == 0
    tabs.activateWindow()
    qtbot.keyClick(tabs.currentWidget(), Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert tabs.currentWidget() is orders
    assert orders.scan.hasFocus()


def test_scanning_an_unknown_order_id_says_so(qtbot: Any, tab: OrdersTab) -> None:
    qtbot.keyClicks(tab.scan, "999-0000000-0000000")
    qtbot.keyClick(tab.scan, Qt.Key.Key_Return)
    assert tab.pack_dialog is None
    assert "No order '999-0000000-0000000'" in tab.message.text()


def test_saved_package_refreshes_the_table(qtbot: Any, tab: OrdersTab, services: Services) -> None:
    order = add_order(
        services.db.db,
        "123-0000000-7654321",
        items=(("CANDLE-PINE-8", 1),),
        purchase_date="2030-01-01T00:00:00Z",
    )
    tab.refresh()
    dialog = tab.open_pack_dialog(order)
    qtbot.keyClicks(dialog.item_scan, "CANDLE-PINE-8")
    qtbot.keyClick(dialog.item_scan, Qt.Key.Key_Return)
    qtbot.keyClicks(dialog.tracking, "1Z999AA10123456784")
    qtbot.keyClick(dialog.tracking, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    row = tab.model.row_at(tab.model.row_of_order(order))
    assert row is not None
    assert row.push_state == "queued"
    assert "queued — will be sent with the next tracking push" in tab.message.text()


def test_rejected_package_shows_amazons_message_and_can_be_edited(
    qtbot: Any, tab: OrdersTab, services: Services
) -> None:
    from PySide6.QtCore import QUrl

    from fbm_desk.db.packages import reject_package
    from fbm_desk.domain import packing

    order = add_order(
        services.db.db,
        "123-1111111-2222222",
        items=(("CANDLE-PINE-8", 1),),
        purchase_date="2030-01-01T00:00:00Z",
    )
    package = packing.record_package(services.core, order, "UPS", "1Z999AA10123456784")
    reject_package(package.id, "The tracking number is already in use")
    tab.refresh()
    qtbot.mouseClick(tab.filter_buttons[QuickFilter.PUSH_REJECTED], Qt.MouseButton.LeftButton)
    assert tab.model.row_of_order(order) >= 0
    tab.select_order(order)
    text = tab.detail.body.toPlainText()
    assert "Amazon: The tracking number is already in use" in text
    assert "Edit and queue again" in text
    tab.detail.body.anchorClicked.emit(QUrl(f"edit-package:{package.id}"))
    dialog = tab.pack_dialog
    assert dialog is not None
    assert dialog.editing is not None
    dialog.tracking.selectAll()
    qtbot.keyClicks(dialog.tracking, "1Z999AA10123456785")
    qtbot.keyClick(dialog.tracking, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    row = tab.model.row_at(tab.model.row_of_order(order)) if tab.model.row_of_order(order) >= 0 else None
    assert row is None  # no longer rejected: it left the "Push rejected" filter
    assert counted(qtbot, tab).filter_buttons[QuickFilter.PUSH_REJECTED].text().startswith("Push rejected (")


def test_tab_refreshes_when_a_sync_job_finishes(qtbot: Any, services: Services) -> None:
    runner = JobRunner(services.core)  # its signals are emitted below, as if jobs had run
    services.runner = runner
    tab = OrdersTab(services)
    qtbot.addWidget(tab)
    assert counted(qtbot, tab).model.total == 300
    add_order(
        services.db.db, "321-0000000-0000001", purchase_date="2030-01-01T00:00:00Z"
    )  # imported by a sync
    assert tab.model.total == 300
    runner.job_finished.emit(1, "orders", None)
    runner.job_finished.emit(1, "products", None)  # several jobs ending together: one refresh
    assert tab.model.total == 300  # hidden: nothing is read while nobody looks at the tab
    assert tab.after_sync.pending
    tab.show()  # the user opens the tab: it is current at once (its count follows from the reader thread)
    assert tab.model.row_at(0).amazon_order_id == "321-0000000-0000001"  # type: ignore[union-attr]
    assert counted(qtbot, tab).model.total == 301
    assert not tab.after_sync.pending
    assert tab.model.row_at(0).amazon_order_id == "321-0000000-0000001"  # type: ignore[union-attr]
    assert tab.filter_buttons[QuickFilter.ALL].text() == "All (301)"


def test_a_package_queued_again_shows_why(qtbot: Any, tab: OrdersTab, services: Services) -> None:
    from fbm_desk.db.packages import back_to_queue, mark_sent
    from fbm_desk.domain import packing
    from fbm_desk.sync.shipments_job import UNCONFIRMED_NOTE

    order = add_order(services.db.db, "123-1111111-3333333", items=(("CANDLE-PINE-8", 1),))
    package = packing.record_package(services.core, order, "UPS", "1Z999AA10123456784")
    mark_sent(package.id, "2030-01-01T00:00:00Z")
    back_to_queue(package.id, "2030-01-01T00:00:01Z", "unreadable answer", note=UNCONFIRMED_NOTE)
    tab.refresh()
    tab.select_order(order)
    text = tab.detail.body.toPlainText()
    assert f"Note: {UNCONFIRMED_NOTE}" in text
    assert "Amazon: " not in text  # our note, not Amazon's words


def test_every_column_fits_the_default_window_and_ship_by_is_whole(qtbot: Any, services: Services) -> None:
    from fbm_desk.app import build_tabs
    from fbm_desk.db.warehouses import add_warehouse
    from fbm_desk.ui.main_window import MainWindow
    from fbm_desk.ui.packing_queue import LONGEST_SHIP_BY
    from fbm_desk.ui.table_models.orders_model import COL_PUSH, COL_SHIP_TO, COL_WAREHOUSE

    add_warehouse("Back room")  # several warehouses: the Warehouse column and filter show

    window = MainWindow(services, build_tabs(services))
    qtbot.addWidget(window)
    window.resize(1200, 760)
    window.tabs.setCurrentIndex(1)
    window.show()
    qtbot.waitExposed(window)
    tab = window.tabs.currentWidget()
    assert isinstance(tab, OrdersTab)
    table, header = tab.table, tab.table.horizontalHeader()
    for col in (COL_SHIP_TO, COL_PUSH, COL_WAREHOUSE):  # were off screen
        assert not table.isColumnHidden(col)
        assert header.sectionViewportPosition(col) + header.sectionSize(col) <= table.viewport().width()
    assert table.columnWidth(COL_SHIP_BY) > table.fontMetrics().horizontalAdvance(LONGEST_SHIP_BY) + 8
