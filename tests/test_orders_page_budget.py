"""The Orders table never waits for a slow page: past the budget, the page is read on the reader thread.

The budget is forced to nothing (``MIN_STEPS`` 0, ``page_budget_ms`` 0): every page read on the window's
thread is stopped at its first step, as a half-second read at a million orders is. SQLite
only: forcing it on PostgreSQL would depend on the server's clock (``test_read_budget`` covers the mechanism
there).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt

from fbm_desk.core import build_core
from fbm_desk.db import read_budget
from fbm_desk.db.order_views import QuickFilter, SortKey, fetch_orders
from fbm_desk.foundation.paths import AppPaths
from fbm_desk.ui.background_reads import wait_for_background_reads
from fbm_desk.ui.orders_tab import OrdersTab
from fbm_desk.ui.services import Services
from fbm_desk.ui.table_models.orders_model import COLUMNS
from tests.support.demo_data import generate
from tests.support.orders_counts import counted

pytestmark = pytest.mark.sqlite_only


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


@pytest.fixture
def slow(monkeypatch: pytest.MonkeyPatch, tab: OrdersTab) -> OrdersTab:
    """Every page read on the window's thread passes its budget from now on."""
    monkeypatch.setattr(read_budget, "MIN_STEPS", 0)
    monkeypatch.setattr(read_budget, "_STEP", 1)  # looks at the clock at every step
    monkeypatch.setattr(tab.model, "page_budget_ms", 0.0)
    return tab


def _ids(tab: OrdersTab) -> list[int]:
    return [r.id for r in tab.model.rows()]


def test_a_slow_page_is_read_off_the_window_thread_then_shown(qtbot: Any, slow: OrdersTab) -> None:
    slow.set_quick_filter(QuickFilter.SHIPPED)
    slow.model.sort(COLUMNS.index(("Items", SortKey.ITEMS)), Qt.SortOrder.AscendingOrder)
    query = slow.model.query
    assert (query.quick, query.sort, query.descending) == (QuickFilter.SHIPPED, SortKey.ITEMS, False)
    assert slow.model.loading  # the window went on without the rows
    assert slow.model.rowCount() == 0  # a new query: the old rows would mislead
    assert slow.status.text() == "Loading orders…"
    assert not slow.model.canFetchMore()
    with qtbot.waitSignal(slow.model.rows_arrived, timeout=10_000):
        pass
    assert not slow.model.loading
    assert _ids(slow) == [r.id for r in fetch_orders(query, 0, slow.model.page_size)]
    counted(qtbot, slow)
    assert "orders" in slow.status.text()
    assert "Loading" not in slow.status.text()


def test_a_refresh_keeps_its_rows_and_selection_while_the_page_is_read(qtbot: Any, tab: OrdersTab) -> None:
    tab.table.selectRow(3)
    chosen = tab.selected_order_id()
    before = _ids(tab)
    read_budget_min, budget = read_budget.MIN_STEPS, tab.model.page_budget_ms
    try:
        read_budget.MIN_STEPS, tab.model.page_budget_ms = 0, 0.0
        tab.refresh()
        assert tab.model.loading
        assert _ids(tab) == before  # the same query: its rows stay until the new ones come
        assert tab.selected_order_id() == chosen
        with qtbot.waitSignal(tab.model.rows_arrived, timeout=10_000):
            pass
    finally:
        read_budget.MIN_STEPS, tab.model.page_budget_ms = read_budget_min, budget
    assert _ids(tab) == before
    assert tab.selected_order_id() == chosen  # selected again after the reset


def test_a_slow_next_page_is_appended_when_it_comes(qtbot: Any, slow: OrdersTab) -> None:
    model = slow.model
    first = _ids(slow)
    assert model.canFetchMore()
    model.fetchMore()
    assert model.loading
    assert not model.canFetchMore()
    assert _ids(slow) == first
    with qtbot.waitSignal(model.rows_arrived, timeout=10_000):
        pass
    ids = _ids(slow)
    assert ids[: len(first)] == first
    assert ids == [r.id for r in fetch_orders(model.query, 0, len(ids))]
    assert len(ids) == len(set(ids)) > len(first)


def test_a_page_superseded_while_it_was_read_is_dropped(
    qtbot: Any, slow: OrdersTab, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow.set_quick_filter(QuickFilter.SHIPPED)
    assert slow.model.loading
    monkeypatch.setattr(slow.model, "page_budget_ms", 60_000.0)  # the next query reads at once
    slow.set_quick_filter(QuickFilter.HELD)
    assert not slow.model.loading
    held = _ids(slow)
    assert wait_for_background_reads()  # the shipped page was read (or skipped) ...
    qtbot.wait(50)  # ... and its result delivered, or not
    assert _ids(slow) == held
    assert {r.state for r in slow.model.rows()} == {"held"}


def test_a_single_order_found_off_the_thread_is_selected(qtbot: Any, slow: OrdersTab) -> None:
    one = _ids(slow)[5]
    amazon_id = slow.model.rows()[5].amazon_order_id
    slow.set_search(amazon_id)
    assert slow.model.loading
    with qtbot.waitSignal(slow.model.rows_arrived, timeout=10_000):
        pass
    assert _ids(slow) == [one]
    assert slow.selected_order_id() == one  # as when the page is read at once


def test_asking_again_for_the_sort_being_read_does_not_read_it_again(
    qtbot: Any, slow: OrdersTab, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[tuple[object, ...]] = []
    read = slow.model.fetch
    monkeypatch.setattr(slow.model, "fetch", lambda *args: reads.append(args) or read(*args))
    column = COLUMNS.index(("Items", SortKey.ITEMS))
    slow.table.sortByColumn(column, Qt.SortOrder.AscendingOrder)  # Qt asks the model twice: indicator, sort
    assert slow.model.loading
    assert len(reads) == 1  # the second request found the same sort on its way: not read (nor restarted)
    with qtbot.waitSignal(slow.model.rows_arrived, timeout=10_000):
        pass
    assert slow.model.rowCount() == slow.model.page_size


def test_a_refresh_read_off_the_thread_keeps_the_scroll_position(qtbot: Any, slow: OrdersTab) -> None:
    slow.table.clearSelection()
    slow.table.scrollTo(slow.model.index(150, 0))
    bar = slow.table.verticalScrollBar()
    where = bar.value()
    assert where > 0
    slow.after_sync.request()  # what a finished sync job does: refresh, keeping every view where it was
    slow.after_sync.flush()
    assert slow.model.loading
    with qtbot.waitSignal(slow.model.rows_arrived, timeout=10_000):
        pass
    assert bar.value() == where


def test_a_next_page_read_off_the_thread_leaves_the_selection_and_view_alone(
    qtbot: Any, slow: OrdersTab
) -> None:
    slow.model.fetchMore()
    assert slow.model.loading
    slow.select_order(_ids(slow)[150])  # chosen while the next page is read
    slow.table.scrollToTop()
    with qtbot.waitSignal(slow.model.rows_arrived, timeout=10_000) as arrived:
        pass
    assert arrived.args == [False]
    assert slow.selected_order_id() == _ids(slow)[150]
    assert slow.table.verticalScrollBar().value() == 0  # not pulled back to the selection
    slow.table.clearSelection()
    slow.refresh()  # nothing selected now: nothing is selected again when its rows come
    with qtbot.waitSignal(slow.model.rows_arrived, timeout=10_000):
        pass
    assert slow.selected_order_id() is None
