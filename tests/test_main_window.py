"""The main window shell: four tabs in order, secrets indicator, remembered geometry, About, app.py."""

from __future__ import annotations

import argparse
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QTableView
from pytestqt.qtbot import QtBot

from fbm_desk import app as app_module
from fbm_desk.app import build_services, build_tabs, start_demo
from fbm_desk.foundation.credentials import Credentials, MemoryStore
from fbm_desk.foundation.paths import AppPaths
from fbm_desk.ui.main_window import WINDOW_STATE_FILE, MainWindow
from fbm_desk.ui.services import Services

TAB_TITLES = ["Stores", "Orders", "Products", "Inventory", "Rules"]


@pytest.fixture
def services(app_paths: AppPaths) -> Iterator[Services]:
    built = build_services(app_paths)
    yield built
    built.close()


def _open_window(qtbot: QtBot, services: Services) -> MainWindow:
    window = MainWindow(services, build_tabs(services))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_window_opens_with_the_four_tabs_in_order(qtbot: QtBot, services: Services) -> None:
    window = _open_window(qtbot, services)
    assert window.isVisible()
    assert window.windowTitle() == "FBM Desk"
    assert window.tab_titles() == TAB_TITLES
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        assert window.tabs.currentWidget().isVisible()
    assert window.statusBar().currentMessage() == "Ready"


def test_secrets_indicator_shows_insecure_fallback(qtbot: QtBot, services: Services) -> None:
    assert services.credentials.backend_kind == "insecure_fallback"  # memory store stands in for the fallback
    window = _open_window(qtbot, services)
    indicator = window.statusBar().findChild(QLabel, "secretsIndicator")
    assert indicator is not None
    assert indicator.isVisible()
    assert "INSECURE" in indicator.text()
    assert indicator.toolTip() == services.credentials.describe()


def test_secrets_indicator_shows_keyring(qtbot: QtBot, services: Services) -> None:
    services.core.credentials = Credentials(MemoryStore(kind="keyring"))
    window = _open_window(qtbot, services)
    assert window.secrets_indicator.text() == "Secrets: keyring"
    assert "INSECURE" not in window.secrets_indicator.text()


def test_geometry_and_current_tab_are_restored_in_a_second_window(qtbot: QtBot, services: Services) -> None:
    first = _open_window(qtbot, services)
    first.resize(640, 450)  # smaller than the offscreen screen (800x600), so no clamping
    first.tabs.setCurrentIndex(2)
    qtbot.waitUntil(lambda: first.size() == QSize(640, 450))
    first.close()
    assert (services.paths.data_dir / WINDOW_STATE_FILE).is_file()

    second = _open_window(qtbot, services)
    assert second.size() == QSize(640, 450)
    assert second.tabs.currentIndex() == 2


def test_window_state_of_another_data_dir_is_not_used(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    first = _open_window(qtbot, services)
    first.resize(560, 400)
    qtbot.waitUntil(lambda: first.size() == QSize(560, 400))
    first.close()

    other_paths = AppPaths(data_dir=tmp_path / "other", log_dir=tmp_path / "other" / "logs").ensure()
    other = build_services(other_paths)
    try:
        window = _open_window(qtbot, other)
        assert window.size() != QSize(560, 400)
    finally:
        other.close()


def test_about_box_names_version_data_and_log_dirs(qtbot: QtBot, services: Services) -> None:
    window = _open_window(qtbot, services)
    window.about_action.trigger()
    box = window.findChild(QMessageBox, "aboutBox")
    assert box is not None
    assert box.isVisible()
    text = box.text()
    assert "0." in text or "1." in text  # a version number
    assert str(services.paths.data_dir) in text
    assert str(services.paths.log_dir) in text
    box.close()


@pytest.mark.sqlite_only  # a damaged SQLite file
def test_run_gui_with_a_refused_database_shows_a_message_and_exits_1(
    monkeypatch: pytest.MonkeyPatch, qapp: object, data_dir: Path
) -> None:
    db_file = data_dir / "fbm-desk.sqlite3"
    db_file.write_bytes(b"this is not a database" * 100)
    before = db_file.read_bytes()
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(app_module, "show_fatal_error", lambda title, text: shown.append((title, text)))

    code = app_module.run_gui(argparse.Namespace(data_dir=str(data_dir), demo=False, verbose=False))

    assert code == 1
    assert len(shown) == 1
    assert "not an FBM Desk database" in shown[0][1]
    assert db_file.read_bytes() == before
    assert (data_dir / "logs" / "fbm-desk.log").is_file()


def test_start_demo_points_the_amazon_config_at_the_loopback_sandbox(services: Services) -> None:
    assert start_demo(services)
    endpoint = services.spapi_config.spapi_endpoint
    assert endpoint.startswith("http://127.0.0.1:")
    assert services.spapi_config.lwa_token_url.startswith(endpoint)
    assert services.spapi_config.has_app_credentials
    port = int(endpoint.rsplit(":", 1)[1])
    socket.create_connection(("127.0.0.1", port), timeout=5).close()  # the sandbox is listening

    services.close()  # stops the sandbox with the rest

    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()


def test_tab_hotkeys_work_while_a_table_has_the_focus(qtbot: QtBot, services: Services) -> None:
    window = _open_window(qtbot, services)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.tabs.setCurrentIndex(1)
    table = window.tabs.currentWidget().findChild(QTableView)
    assert table is not None
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentIndex() == 2
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentIndex() == 3
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentIndex() == 2
    for n in range(window.tabs.count()):
        qtbot.keyClick(
            window.focusWidget() or window, Qt.Key(Qt.Key.Key_1 + n), Qt.KeyboardModifier.ControlModifier
        )
        assert window.tabs.currentIndex() == n


def test_the_demo_secrets_indicator_is_calm(qtbot: QtBot, services: Services) -> None:
    from fbm_desk.ui.main_window import SecretsIndicator

    indicator = SecretsIndicator("insecure_fallback", "file", demo=True)
    qtbot.addWidget(indicator)
    assert "INSECURE" not in indicator.text()
    assert "throwaway" in indicator.text()
    assert "#b00020" not in indicator.styleSheet()
    real = SecretsIndicator("insecure_fallback", "file")  # a real data folder keeps the warning
    qtbot.addWidget(real)
    assert "INSECURE" in real.text()


def test_run_gui_with_an_unreachable_workspace_shows_a_message_and_exits_1(
    monkeypatch: pytest.MonkeyPatch, qapp: object, data_dir: Path
) -> None:
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(app_module, "show_fatal_error", lambda title, text: shown.append((title, text)))
    args = argparse.Namespace(
        data_dir=str(data_dir),
        database="postgresql://fbm:pw@127.0.0.1:1/warehouse",
        demo=False,
        verbose=False,
    )

    assert app_module.run_gui(args) == 1
    assert len(shown) == 1
    assert "Cannot reach the shared workspace at 127.0.0.1:1/warehouse" in shown[0][1]
    assert ":pw@" not in shown[0][1]
