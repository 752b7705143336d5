"""Issue 13 item 1 (GUI): Settings → Workspace — station name, "This computer only" / "Shared server", Test
connection off the GUI thread, TLS with a CA file, the password in the credentials layer (never in
settings.json), Save asks to restart; a shared server that is down at start gets a message, not a traceback."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from PySide6.QtCore import Qt

from fbm_desk import app as app_module
from fbm_desk.core import CoreServices, build_core
from fbm_desk.db import stations as st
from fbm_desk.foundation.credentials import Credentials, MemoryStore
from fbm_desk.foundation.paths import ENV_DATABASE_URL, AppPaths
from fbm_desk.foundation.settings import Settings, load_settings
from fbm_desk.ui import workspace_dialog as wd
from fbm_desk.ui.workspace_dialog import WorkspaceDialog

DEAD = ("127.0.0.1", 9)


@pytest.fixture(autouse=True)
def _actor_restored() -> Iterator[None]:
    before = st.current_actor()
    yield
    st.set_actor(before.station, before.os_user)


@pytest.fixture
def station(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Settings, Credentials, Path]:
    # its workspace is the one in its settings (the suite on PostgreSQL names the test's own in the environment,
    # which would win over them)
    monkeypatch.delenv(ENV_DATABASE_URL, raising=False)
    data = tmp_path / "station"
    data.mkdir()
    return load_settings(data / "settings.json"), Credentials(MemoryStore()), data


@pytest.fixture
def dialog(qtbot: Any, station: tuple[Settings, Credentials, Path]) -> WorkspaceDialog:
    settings, credentials, _data = station
    widget = WorkspaceDialog(settings, credentials)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def _fill(
    dialog: WorkspaceDialog, host: str, port: int, dbname: str, user: str = "fbm", password: str = ""
) -> None:
    dialog.shared_radio.setChecked(True)
    dialog.host.setText(host)
    dialog.port.setValue(port)
    dialog.dbname.setText(dbname)
    dialog.user.setText(user)
    dialog.password.setText(password)


def test_this_computer_only_is_the_default_and_disables_the_server_fields(dialog: WorkspaceDialog) -> None:
    assert dialog.local_radio.isChecked()
    assert not dialog.server_box.isEnabled()
    dialog.shared_radio.setChecked(True)
    assert dialog.server_box.isEnabled()
    assert not dialog.ca_file.isEnabled()  # only for verify-full
    dialog.tls.setCurrentIndex(dialog.tls.findData("verify-full"))
    assert dialog.ca_file.isEnabled()


def test_test_connection_shows_the_server_version_without_blocking(
    qtbot: Any, dialog: WorkspaceDialog, pg_workspace: str
) -> None:
    parts = urlsplit(pg_workspace)
    _fill(dialog, parts.hostname or "", parts.port or 5432, parts.path.lstrip("/"))
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    assert dialog.test_result.text() == "Connecting…"  # the click returned before the server answered
    assert not dialog.test_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.test_result.text().startswith("Connected: PostgreSQL "), timeout=10000)
    assert dialog.test_button.isEnabled()


def test_an_unreachable_server_gets_the_clear_message(qtbot: Any, dialog: WorkspaceDialog) -> None:
    _fill(dialog, DEAD[0], DEAD[1], "fbm_desk")
    dialog.test_connection()
    qtbot.waitUntil(lambda: "Cannot reach" in dialog.test_result.text(), timeout=10000)
    text = dialog.test_result.text()
    assert "127.0.0.1:9/fbm_desk" in text
    assert "Check that the server is running" in text
    assert "Traceback" not in text


def test_verify_full_needs_a_ca_file_chosen_with_browse(
    qtbot: Any, dialog: WorkspaceDialog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fill(dialog, "warehouse-server", 5432, "fbm_desk")
    dialog.tls.setCurrentIndex(dialog.tls.findData("verify-full"))
    dialog.save()
    assert "CA certificate" in dialog.error.text()
    assert dialog.isVisible()  # nothing saved
    ca = tmp_path / "root.crt"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    monkeypatch.setattr(wd.QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(ca), ""))
    dialog._browse_ca()
    assert dialog.ca_file.text() == str(ca)
    url = dialog.choice().url()
    assert "sslmode=verify-full" in url
    assert "sslrootcert=" in url


def test_save_keeps_the_password_out_of_settings_json_and_asks_to_restart(
    qtbot: Any,
    dialog: WorkspaceDialog,
    station: tuple[Settings, Credentials, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _settings, credentials, data = station
    asked: list[bool] = []
    monkeypatch.setattr(WorkspaceDialog, "_ask_restart", lambda self: asked.append(True) or True)
    _fill(dialog, "warehouse-server", 5433, "fbm_desk", user="pack", password="s3cret-Pw")
    dialog.tls.setCurrentIndex(dialog.tls.findData("require"))
    dialog.station.setText("  Packing   table 2 ")
    with qtbot.waitSignal(dialog.restart_requested, timeout=1000):
        dialog.save()
    assert asked == [True]
    saved = json.loads((data / "settings.json").read_text())["workspace"]
    assert saved["mode"] == "shared"
    assert saved["url"] == "postgresql://pack@warehouse-server:5433/fbm_desk?sslmode=require"
    assert "s3cret" not in (data / "settings.json").read_text()
    assert credentials.get_workspace_password() == "s3cret-Pw"
    assert st.current_station() == "Packing table 2"  # the station name applies at once


def test_only_the_station_name_changed_needs_no_restart(
    qtbot: Any, dialog: WorkspaceDialog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(WorkspaceDialog, "_ask_restart", lambda self: pytest.fail("no restart needed"))
    dialog.station.setText("OFFICE")
    dialog.save()
    assert not dialog.isVisible()
    assert st.current_station() == "OFFICE"


def test_a_saved_shared_server_is_opened_at_the_next_start_with_the_keyring_password(
    station: tuple[Settings, Credentials, Path], pg_workspace: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, _credentials, data = station
    parts = urlsplit(pg_workspace)
    choice = wd.WorkspaceChoice(
        mode="shared",
        host=parts.hostname or "",
        port=parts.port or 5432,
        dbname=parts.path.lstrip("/"),
        user="fbm",
    )
    settings.set("workspace", choice.to_settings())
    seen: list[str] = []
    from fbm_desk.db import open_postgres as real

    def spy(url: str) -> Any:
        seen.append(url)
        return real(url)

    monkeypatch.setattr("fbm_desk.core.open_postgres", spy)
    store = MemoryStore()
    store.set("workspace/password", "pw")
    monkeypatch.setattr("fbm_desk.core.open_credentials", lambda *_a: Credentials(store))
    core: CoreServices = build_core(AppPaths(data_dir=data, log_dir=data / "logs"))
    try:
        assert core.db.shared
        assert seen == [f"postgresql://fbm:pw@{parts.hostname}:{parts.port}{parts.path}"]
    finally:
        core.close()


def test_a_shared_server_down_at_start_says_what_to_do(
    qapp: object, station: tuple[Settings, Credentials, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, _credentials, data = station
    choice = wd.WorkspaceChoice(mode="shared", host=DEAD[0], port=DEAD[1], dbname="fbm_desk", user="fbm")
    settings.set("workspace", choice.to_settings())
    shown: list[str] = []
    monkeypatch.setattr(wd, "offer_workspace_settings", lambda _s, _c, problem: shown.append(problem))
    monkeypatch.setattr(
        app_module, "show_fatal_error", lambda *_a: pytest.fail("the plain box is for other problems")
    )
    code = app_module.run_gui(
        argparse.Namespace(data_dir=str(data), demo=False, verbose=False, database=None)
    )
    assert code == 1
    assert len(shown) == 1
    assert "Cannot reach the shared workspace at 127.0.0.1:9/fbm_desk" in shown[0]
    assert "Traceback" not in shown[0]


def test_the_main_window_has_settings_workspace(qtbot: Any, app_paths: AppPaths) -> None:
    from fbm_desk.ui.main_window import MainWindow
    from fbm_desk.ui.services import Services

    core = build_core(app_paths)
    try:
        window = MainWindow(Services(core=core), [])
        qtbot.addWidget(window)
        dialog = window.show_workspace()
        assert dialog.isVisible()
        assert dialog.station.placeholderText() == st.host_name()
        dialog.reject()
    finally:
        core.close()


def test_a_workspace_given_only_as_an_address_fills_the_form(
    qtbot: Any, station: tuple[Settings, Credentials, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, credentials, _data = station
    url = "postgresql://pack%40shop@db.local:6543/fbm%20desk?sslmode=verify-full&sslrootcert=/etc/ca.crt"
    settings.set("workspace", {"mode": "shared", "url": url})
    dialog = WorkspaceDialog(settings, credentials)
    qtbot.addWidget(dialog)
    assert dialog.shared_radio.isChecked()
    assert (dialog.host.text(), dialog.port.value(), dialog.dbname.text()) == ("db.local", 6543, "fbm desk")
    assert (dialog.user.text(), dialog.tls.currentData(), dialog.ca_file.text()) == (
        "pack@shop",
        "verify-full",
        "/etc/ca.crt",
    )
    assert dialog.choice().url() == url
    monkeypatch.setattr(WorkspaceDialog, "_ask_restart", lambda self: pytest.fail("nothing moved"))
    dialog.save()  # the same workspace: no restart
