"""Issue 13 item 4, live screens: a change committed by another connection (another station on the shared
workspace, another process on this computer) reaches the visible tabs within 2 seconds, through the same
refresh a finished sync uses, keeping the selected order and the scroll position. Runs on both backends."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fbm_desk.core import CoreServices, build_core
from fbm_desk.db.change_feed import WATCHED_TABLES, install_notify_triggers
from fbm_desk.foundation.paths import AppPaths
from fbm_desk.ui.live_updates import LiveUpdates
from fbm_desk.ui.orders_tab import OrdersTab
from fbm_desk.ui.services import Services
from tests.support.demo_data import add_order, generate
from tests.support.orders_counts import counted
from tests.support.pg_server import PgServer


@pytest.fixture(params=["sqlite", "postgresql"])
def station(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[CoreServices]:
    """This station's services on an SQLite file or on a fresh shared workspace, with 300 demo orders."""
    url = request.getfixturevalue("pg_workspace") if request.param == "postgresql" else None
    data = tmp_path / "station-a"
    core = build_core(AppPaths(data_dir=data, log_dir=data / "logs", database_url=url))
    generate(core.db.db, orders=300, seed=11)
    yield core
    core.close()


@pytest.fixture
def live_tab(qtbot: Any, station: CoreServices) -> Iterator[tuple[OrdersTab, LiveUpdates]]:
    live = LiveUpdates(station.db, poll_ms=100)
    tab = OrdersTab(Services(core=station, live=live))
    qtbot.addWidget(tab)
    tab.resize(1300, 500)
    tab.show()
    qtbot.waitExposed(tab)
    live.start()
    yield tab, live
    live.stop()


def test_an_order_saved_elsewhere_appears_within_2_s_keeping_selection_and_scroll(
    qtbot: Any, live_tab: tuple[OrdersTab, LiveUpdates], station: CoreServices
) -> None:
    tab, live = live_tab
    if station.db.shared:  # the listener is connected before the change is made
        qtbot.wait(300)
    while tab.model.canFetchMore():
        tab.model.fetchMore()
    tab.table.selectRow(120)
    chosen = tab.selected_order_id()
    bar = tab.table.verticalScrollBar()
    bar.setValue(bar.maximum() // 2)
    scrolled = bar.value()
    assert scrolled > 0
    detail_bar = tab.detail.body.verticalScrollBar()
    detail_bar.setValue(detail_bar.maximum())
    detail_at = detail_bar.value()

    with qtbot.waitSignal(live.changed, timeout=2000):
        started = time.monotonic()
        add_order(station.db.db, "321-0000000-0000001", purchase_date="2030-01-01T00:00:00Z")
    qtbot.waitUntil(lambda: tab.model.total == 301, timeout=2000)
    assert time.monotonic() - started < 2.0
    assert tab.selected_order_id() == chosen  # the user's order is still the selected one
    assert bar.value() == scrolled  # and the table did not jump
    assert detail_bar.value() == detail_at  # nor did the detail panel
    assert counted(qtbot, tab).filter_buttons[next(iter(tab.filter_buttons))].text().endswith("(301)")


def test_bookkeeping_writes_do_not_refresh_the_screens(
    qtbot: Any, live_tab: tuple[OrdersTab, LiveUpdates], station: CoreServices
) -> None:
    _tab, live = live_tab
    qtbot.wait(300)
    seen: list[object] = []
    live.changed.connect(seen.append)
    station.db.db.execute_sql("INSERT INTO rate_bucket (key, tokens, updated_at) VALUES ('x', 1, 1)")
    qtbot.wait(600)
    assert seen == []  # a sync's rate buckets and job leases change all the time: no refresh storm


def test_notify_triggers_are_installed_once_on_every_watched_table(
    pg_workspace: str, pg_server: PgServer
) -> None:
    assert install_notify_triggers(pg_workspace) is True
    assert install_notify_triggers(pg_workspace) is False  # a second station opening it: nothing to do
    with pg_server.admin() as admin:
        admin.execute("SELECT 1")
    import psycopg

    with psycopg.connect(pg_workspace) as conn:
        row = conn.execute("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'fbm_desk_notify_%'").fetchone()
    assert row is not None
    assert row[0] == len(WATCHED_TABLES)


def test_the_status_bar_hears_when_the_shared_server_goes_away(qtbot: Any, tmp_path: Path) -> None:
    from fbm_desk.db.change_feed import PgChangeListener

    states: list[tuple[bool, str]] = []
    listener = PgChangeListener(
        "postgresql://fbm@127.0.0.1:9/none",
        lambda _t: None,
        lambda ok, why: states.append((ok, why)),
        retry_s=0.1,
    )
    listener.start()
    qtbot.waitUntil(lambda: bool(states), timeout=3000)
    listener.stop()
    assert states[0][0] is False
    assert states[0][1]


def test_a_stock_change_elsewhere_shows_in_the_inventory_tab_keeping_the_selected_sku(
    qtbot: Any, station: CoreServices
) -> None:
    from fbm_desk.db.inventory import set_on_hand
    from fbm_desk.ui.inventory_tab import InventoryTab

    live = LiveUpdates(station.db, poll_ms=100)
    tab = InventoryTab(Services(core=station, live=live))
    qtbot.addWidget(tab)
    tab.resize(1300, 600)
    tab.show()
    qtbot.waitExposed(tab)
    live.start()
    try:
        if station.db.shared:
            qtbot.wait(300)
        mug = next(r for r in tab.model.rows() if r.sku == "MUG-ENAMEL-GRN")
        other = next(r for r in tab.model.rows() if r.sku != "MUG-ENAMEL-GRN")
        assert tab.select_product(other.product_id)
        started = time.monotonic()
        set_on_hand("MUG-ENAMEL-GRN", mug.on_hand + 17, reason="counted on the other station")
        qtbot.waitUntil(
            lambda: (
                next(r for r in tab.model.rows() if r.sku == "MUG-ENAMEL-GRN").on_hand == mug.on_hand + 17
            ),
            timeout=2000,
        )
        assert time.monotonic() - started < 2.0
        assert tab.selected_product_id() == other.product_id
    finally:
        live.stop()
