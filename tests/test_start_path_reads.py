"""Issue 19: what the tabs read while the window opens does not grow with the orders table."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from fbm_desk.app import build_services, build_tabs
from fbm_desk.core import build_core
from fbm_desk.db import rules
from fbm_desk.foundation.paths import AppPaths
from fbm_desk.ui.main_window import MainWindow
from fbm_desk.ui.services import Services
from tests.support.demo_data import add_order, generate


@pytest.fixture
def services(app_paths: AppPaths) -> Iterator[Services]:
    core = build_core(app_paths)
    generate(core.db.db, orders=0)
    yield Services(core=core)
    core.close()


def test_rule_pickers_offer_the_newest_orders_values_only(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = services.db.db
    for number, state in enumerate(("WA", "TX", "AK"), start=1):
        oid = add_order(db, f"111-0000000-000000{number}")
        db.execute_sql("UPDATE orders SET ship_state = ? WHERE id = ?", (state, oid))
    monkeypatch.setattr(rules, "RECENT_ORDERS", 2)  # the table's other rows are never read

    pickers = rules.picker_values()

    assert pickers["ship_state"] == ["AK", "TX"]
    assert "US" in pickers["ship_country"]


def test_closing_the_warehouses_page_refreshes_hidden_tabs_only_when_shown(
    qtbot: QtBot, app_paths: AppPaths
) -> None:
    built = build_services(app_paths)
    try:
        window = MainWindow(built, build_tabs(built))
        qtbot.addWidget(window)
        window.show()
        titles = window.tab_titles()
        window.tabs.setCurrentIndex(titles.index("Stores"))
        orders = window.tabs.widget(titles.index("Orders"))
        refreshed: list[int] = []
        orders.after_sync._refresh = lambda: refreshed.append(1)  # type: ignore[attr-defined]

        window.show_warehouses().close()  # the tabs re-read their warehouse columns and filters
        qtbot.wait(20)
        assert refreshed == []  # hidden: nothing read yet
        assert orders.after_sync.pending  # type: ignore[attr-defined]

        window.tabs.setCurrentIndex(titles.index("Orders"))
        qtbot.waitUntil(lambda: refreshed == [1])
    finally:
        built.close()
