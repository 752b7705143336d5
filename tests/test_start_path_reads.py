"""Issue 19: what the tabs read while the window opens does not grow with the orders table."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from fbm_desk.app import AFTER_START_MS, build_services, build_tabs
from fbm_desk.core import build_core
from fbm_desk.db import rules
from fbm_desk.foundation.paths import AppPaths
from fbm_desk.ui.main_window import MainWindow
from fbm_desk.ui.services import Services
from tests.support.demo_data import add_order, generate

ROOT = Path(__file__).resolve().parents[1]


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


def test_background_work_starts_after_the_window_answers(tmp_path: Path) -> None:
    """The scheduler (with its catch-up of missed runs) starts after the first event-loop pass with the window
    shown: the start-up bench's "interactive" moment (``FBM_DESK_EXIT_AFTER_START_MS``)."""
    env = dict(os.environ)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        FBM_DESK_CREDENTIALS="memory",
        FBM_DESK_EXIT_AFTER_START_MS=str(AFTER_START_MS + 700),
        PYTHONPATH=str(ROOT),
    )
    data = tmp_path / "data"
    out = subprocess.run(
        [sys.executable, "-m", "fbm_desk", "--data-dir", str(data)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    started = next(ln for ln in out.stderr.splitlines() if ln.startswith("fbm-desk startup:"))
    interactive = float(dict(part.split("=", 1) for part in started.split()[2:])["interactive_wall"])
    log = (data / "logs" / "fbm-desk.log").read_text()
    line = next(ln for ln in log.splitlines() if "Scheduler started" in ln)
    at = datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f").timestamp()  # local time, as logged
    assert at > interactive
