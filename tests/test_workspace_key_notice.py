"""Issue 13 item 6 in the window: a workspace station without the workspace key packs only, says so on the
Stores tab, queues no sync that could only fail, and joins from the window with the key of a station that syncs.
(The schedule it leaves to such a station: tests/test_workspace_locks.py.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from fbm_desk.core import CoreServices, build_core
from fbm_desk.db import stores as store_db
from fbm_desk.db.workspace_secrets import WorkspaceCredentials
from fbm_desk.domain.stores import add_store
from fbm_desk.foundation.paths import AppPaths
from fbm_desk.foundation.workspace_key import new_workspace_key
from fbm_desk.sync.runner import JobRunner
from fbm_desk.ui.services import Services
from fbm_desk.ui.stores_tab import StoresTab
from fbm_desk.ui.sync_now import sync_now
from tests.support.oauth_browser import FakeBrowser


class RecordingRunner(JobRunner):
    """The real JobRunner whose queue only records: no job reaches Amazon here."""

    def __init__(self, core: CoreServices) -> None:
        super().__init__(core)
        self.queued: list[tuple[int, str]] = []

    def enqueue(self, store_id: int, kind: Any, trigger: str = "manual") -> bool:
        self.queued.append((store_id, str(kind)))
        return True


def _station(tmp_path: Path, name: str, url: str) -> CoreServices:
    return build_core(AppPaths(data_dir=tmp_path / name, log_dir=tmp_path / name / "logs", database_url=url))


def _enter_key(tab: StoresTab, text: str) -> None:
    tab.key_notice.join_button.click()
    dialog = tab.key_notice.dialog
    assert dialog is not None
    dialog.setTextValue(text)
    dialog.accept()


def test_a_station_without_the_key_packs_only_says_so_and_joins_from_the_window(
    qtbot: QtBot, pg_workspace: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FBM_DESK_CREDENTIALS", "file")  # each station's keyring: a file in its data folder
    a = _station(tmp_path, "a", pg_workspace)  # made the workspace key; connects the store
    add_store(a, name="Acme US", marketplace="US", selling_partner_id="A1SELLERID", refresh_token="Atzr|a")
    assert isinstance(a.credentials, WorkspaceCredentials)
    key_text = a.credentials.export_key_text()
    a.close()
    b = _station(tmp_path, "b", pg_workspace)
    try:
        runner = RecordingRunner(b)
        tab = StoresTab(Services(core=b, runner=runner), open_url=FakeBrowser())
        qtbot.addWidget(tab)
        tab.show()
        text = tab.key_notice.label.text()
        assert tab.key_notice.isVisible()
        assert "Packing only: this station does not connect to Amazon." in text
        assert "sends the packages recorded here to Amazon" in text  # what happens to its work meanwhile
        assert "Enter workspace key" in text
        assert not tab.insecure_notice.isVisible()  # one notice, not the same words twice
        assert not tab.sync.button.isEnabled()
        assert not tab.sync.all_button.isEnabled()
        assert "does not have the workspace key" in tab.sync.button.toolTip()
        assert sync_now(runner, store_db.list_stores()).startswith("Not synced: This station does not have")
        assert runner.queued == []  # F5 queues nothing that could only fail

        _enter_key(tab, new_workspace_key().export_text())  # another workspace's key: nothing stored
        assert "another workspace" in tab.key_notice.label.text()
        assert tab.key_notice.isVisible()
        assert b.credentials.sync_blocked()

        _enter_key(tab, key_text)
        assert not tab.key_notice.isVisible()
        assert not b.credentials.sync_blocked()
        assert tab.sync.button.isEnabled()
        assert tab.sync.all_button.isEnabled()
        message = tab.sync.message.text()
        assert "now has the workspace key" in message
        assert "Restart FBM Desk to show buyer names" in message  # the buyer data's key is read at start
        tab.sync.all_button.click()
        assert {store for store, _kind in runner.queued} == {store_db.list_stores()[0].id}
    finally:
        b.close()
