"""Issue 19, widget work on the window's thread: what was made cheaper still shows the same thing.

Badge cells are painted without asking the model for the cell's other roles, and still show the selection;
the pack dialog's modules are imported while the window is idle. (Timings are in ``bench/``.)
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex
from PySide6.QtGui import QColor, QImage, QStandardItem, QStandardItemModel

import fbm_desk.ui.orders_tab as orders_tab_module
from fbm_desk.core import build_core
from fbm_desk.db.order_views import QuickFilter
from fbm_desk.foundation.paths import AppPaths
from fbm_desk.ui import pack_prefetch
from fbm_desk.ui.orders_tab import OrdersTab
from fbm_desk.ui.services import Services
from fbm_desk.ui.tab_parts import row_table
from fbm_desk.ui.table_models.paged_model import BADGE_ROLE
from tests.support.demo_data import generate

BADGE_BG = "#cfe8ff"


class CountingModel(QStandardItemModel):
    """Two columns, the second a badge; counts which roles the view asks for."""

    def __init__(self) -> None:
        super().__init__(3, 2)
        self.asked: list[int] = []
        for row in range(3):
            self.setItem(row, 0, QStandardItem(f"order {row}"))
            badge = QStandardItem("Released")
            badge.setData(("Released", BADGE_BG, "#0b4a8b"), BADGE_ROLE)
            self.setItem(row, 1, badge)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if index.column() == 1:
            self.asked.append(int(role))
        return super().data(index, role)


def test_badge_cells_show_their_badge_and_the_selection_without_the_cells_other_roles(qtbot: Any) -> None:
    model = CountingModel()
    table = row_table("t", model, badge_columns=(1,))
    qtbot.addWidget(table)
    table.resize(400, 200)
    table.setColumnWidth(0, 120)
    table.setColumnWidth(1, 200)
    table.show()
    qtbot.waitExposed(table)
    table.selectRow(1)
    model.asked.clear()
    image = QImage(table.viewport().size(), QImage.Format.Format_RGB32)
    table.viewport().render(image)
    assert set(model.asked) == {int(BADGE_ROLE)}  # no font, color, text, ... of a cell drawn as a badge
    x_badge, x_after = table.columnViewportPosition(1) + 7, table.columnViewportPosition(1) + 190
    highlight = table.palette().color(table.palette().ColorGroup.Active, table.palette().ColorRole.Highlight)
    for row in range(3):
        y = table.rowViewportPosition(row) + table.rowHeight(row) // 2
        assert QColor(image.pixel(x_badge, y)) == QColor(BADGE_BG)
        selected = QColor(image.pixel(x_after, y)) == highlight
        assert selected == (row == 1), row


@pytest.fixture
def services(app_paths: AppPaths) -> Iterator[Services]:
    core = build_core(app_paths)
    generate(core.db.db, orders=20, seed=3)
    yield Services(core=core)
    core.close()


@pytest.fixture
def imported(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the Orders tab's prefetch imported ("pack dialog" once it ran), 50 ms after the tab is built."""
    done: list[str] = []
    monkeypatch.setattr(orders_tab_module, "PREFETCH_MS", 50)
    monkeypatch.setattr(orders_tab_module, "prefetch_pack_dialog", lambda: done.append("pack dialog"))
    return done


def test_the_pack_dialog_is_imported_once_the_orders_tab_is_idle(
    qtbot: Any, services: Services, imported: list[str]
) -> None:
    """Its modules took ~0.1 s to import the first time an order was opened; now a moment after start-up."""
    tab = OrdersTab(services)
    qtbot.addWidget(tab)
    tab.show()
    assert imported == []  # not while the tab is built and first painted
    qtbot.waitUntil(lambda: imported == ["pack dialog"], timeout=5000)
    qtbot.wait(100)
    assert imported == ["pack dialog"]  # once


def test_a_prefetch_after_the_tab_is_gone_does_nothing(
    qtbot: Any, services: Services, imported: list[str]
) -> None:
    tab = OrdersTab(services)
    tab.deleteLater()
    qtbot.wait(200)
    assert imported == []


def test_the_prefetch_imports_one_group_per_pass_of_the_event_loop(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    imported: list[str] = []
    monkeypatch.setattr(pack_prefetch, "importlib", SimpleNamespace(import_module=imported.append))
    pack_prefetch.prefetch_pack_dialog(("a", "b", "c"))
    assert imported == ["a"]
    qtbot.waitUntil(lambda: imported == ["a", "b", "c"], timeout=2000)
    monkeypatch.undo()
    pack_prefetch.prefetch_pack_dialog(pack_prefetch.PACK_DIALOG_MODULES[-1:])
    assert "fbm_desk.ui.pack_dialog" in sys.modules


def test_a_filter_clicks_count_starts_after_its_rows_are_painted(qtbot: Any, app_paths: AppPaths) -> None:
    """The count of a filter's matches (read on the reader thread) started before the paint: a posted call
    runs before Qt's low-priority update request, so the reader competed with the paint for the cores."""
    core = build_core(app_paths)
    try:
        generate(core.db.db, orders=450, seed=5)  # more than a page: the count is read off the thread
        tab = OrdersTab(Services(core=core))
        qtbot.addWidget(tab)
        tab.resize(1200, 700)
        tab.show()
        qtbot.waitExposed(tab)
        events: list[str] = []

        class Paints(QObject):
            def eventFilter(self, watched: QObject, event: QEvent) -> bool:
                if event.type() == QEvent.Type.Paint:
                    events.append("paint")
                return False

        paints = Paints()
        tab.table.viewport().installEventFilter(paints)
        real_load = tab.model._counter.load  # type: ignore[union-attr]
        tab.model._counter.load = lambda job: (events.append("count"), real_load(job))  # type: ignore[union-attr]
        qtbot.waitUntil(lambda: not tab.model.counting, timeout=5000)  # the first query's count is done
        events.clear()
        tab.set_quick_filter(QuickFilter.ALL)  # the same rows again, a new query
        qtbot.waitUntil(lambda: "count" in events, timeout=5000)
        assert events.index("paint") < events.index("count")
        qtbot.waitUntil(lambda: not tab.model.counting, timeout=5000)
        assert tab.model.total == 450
    finally:
        from fbm_desk.ui.background_reads import wait_for_background_reads

        wait_for_background_reads()
        core.close()
