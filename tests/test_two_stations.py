"""Issue 13, done when: two stations (two processes, two station names) on one PostgreSQL workspace; a package
saved on one shows up on the other's screen within 2 seconds, with who saved it.

Station A is the real main window (``app.build_services`` + ``build_main_window``, its live updates started as
``run_gui`` does) in this test process. Station B is a second process writing through the CLI ``ship`` command
(driving a second GUI process's pack dialog from here is not practical; the write path is the same
``domain.packing.record_package``). The README's screenshots show two real GUI processes side by side.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fbm_desk.app import build_main_window, build_services
from fbm_desk.foundation.paths import AppPaths
from fbm_desk.foundation.settings import load_settings
from fbm_desk.ui.main_window import MainWindow
from fbm_desk.ui.orders_tab import OrdersTab
from fbm_desk.ui.services import Services
from tests.support.demo_data import generate


def _station_dir(root: Path, name: str) -> Path:
    data = root / name
    data.mkdir(parents=True)
    load_settings(data / "settings.json").set("workspace", {"mode": "local", "station": name})
    return data


# The Products and Rules tabs' queries do not run on PostgreSQL yet (product_views.fetch_listings, rules.distinct; being
# ported in the db layer): a placeholder stands in for it; the rest of the window is the real one.
NOT_YET_ON_POSTGRES = ("_products_tab", "_rules_tab")


@pytest.fixture
def station_a(
    qtbot: Any, pg_workspace: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Services, MainWindow]]:
    from PySide6.QtWidgets import QLabel

    from fbm_desk import app

    for factory in NOT_YET_ON_POSTGRES:
        monkeypatch.setattr(app, factory, lambda _s: QLabel("not yet on PostgreSQL"))
    data = _station_dir(tmp_path, "PACK-A")
    services = build_services(AppPaths(data_dir=data, log_dir=data / "logs", database_url=pg_workspace))
    generate(services.db.db, orders=200, seed=5)
    window = build_main_window(services)
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.tabs.setCurrentIndex(window.tab_titles().index("Orders"))
    window.show()
    qtbot.waitExposed(window)
    assert services.live is not None
    services.live.start()
    yield services, window
    services.close()


def test_a_package_shipped_on_station_b_shows_on_station_a_within_2_s(
    qtbot: Any, station_a: tuple[Services, MainWindow], pg_workspace: str, tmp_path: Path
) -> None:
    services, window = station_a
    tab = window.tabs.currentWidget()
    assert isinstance(tab, OrdersTab)
    row = services.db.db.execute_sql(
        "SELECT id, amazon_order_id FROM orders WHERE state = 'released' AND needs_mapping = 0 "
        "AND cancel_requested = 0 ORDER BY id LIMIT 1"
    ).fetchone()
    order_id, amazon_id = int(row[0]), str(row[1])
    assert tab.select_order(order_id)
    assert "Nothing packed yet" in tab.detail.body.toPlainText()
    qtbot.wait(300)  # the listener is connected

    data_b = _station_dir(tmp_path, "PACK-B")
    env = {**os.environ, "FBM_DESK_CREDENTIALS": "memory"}
    argv = [sys.executable, "-m", "fbm_desk", "--database", pg_workspace, "--data-dir", str(data_b)]
    done = subprocess.run(
        [*argv, "ship", amazon_id, "--carrier", "UPS", "--tracking", "1Z999AA10123456784", "--json"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    saved_at = time.monotonic()  # the package is committed when the command exits
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["station"] == "PACK-B"

    qtbot.waitUntil(lambda: "1Z999AA10123456784" in tab.detail.body.toPlainText(), timeout=2000)
    latency = time.monotonic() - saved_at
    print(f"\nstation B saved -> station A shows it: {latency * 1000:.0f} ms")
    assert latency < 2.0
    text = tab.detail.body.toPlainText()
    assert "packed on PACK-B" in text  # who did it, on the other station's screen
    assert tab.selected_order_id() == order_id  # the user's selection on station A is kept
