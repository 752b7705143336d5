""" "Sync now" per store and for all (issue 17: no Sync now in the GUI)."""

from __future__ import annotations

from typing import Any

from pytestqt.qtbot import QtBot

from fbm_desk.core import CoreServices
from fbm_desk.db import stores as store_db
from fbm_desk.db.states import StoreStatus
from fbm_desk.domain.stores import add_store
from fbm_desk.sync.runner import JobRunner
from fbm_desk.ui.main_window import MainWindow
from fbm_desk.ui.services import Services
from fbm_desk.ui.stores_tab import StoresTab
from fbm_desk.ui.sync_now import SYNC_NOW_JOBS
from tests.support.oauth_browser import FakeBrowser


class RecordingRunner(JobRunner):
    """The real JobRunner (signals and all) whose queue only records: no job reaches Amazon here."""

    def __init__(self, core: CoreServices) -> None:
        super().__init__(core)
        self.queued: list[tuple[int, str, str]] = []

    def enqueue(self, store_id: int, kind: Any, trigger: str = "manual") -> bool:
        entry = (store_id, str(kind), trigger)
        if entry in self.queued:
            return False
        self.queued.append(entry)
        return True


def _stores(core: CoreServices) -> tuple[int, int, int]:
    ids = [
        add_store(
            core, name=n, marketplace="US", selling_partner_id=f"A{i}SELLERID", refresh_token="Atzr|a"
        ).id
        for i, n in enumerate(("Acme US", "Brand US", "Old US"), start=1)
    ]
    store_db.set_status(ids[2], StoreStatus.DISABLED, "Disabled by the user: not synced.")
    return ids[0], ids[1], ids[2]


def test_sync_now_for_the_selected_store_and_for_all(qtbot: QtBot, store_core: CoreServices) -> None:
    acme, brand, _old = _stores(store_core)
    runner = RecordingRunner(store_core)
    tab = StoresTab(Services(core=store_core, runner=runner), open_url=FakeBrowser())
    qtbot.addWidget(tab)
    tab.show()
    tab.select_store(acme)
    assert tab.sync.button.isEnabled()
    tab.sync.button.click()
    assert runner.queued == [(acme, kind.value, "manual") for kind in SYNC_NOW_JOBS]
    assert "4 jobs queued" in tab.sync.message.text()
    tab.sync.all_button.click()
    assert {s for s, _k, _t in runner.queued} == {acme, brand}  # the disabled store is skipped
    assert "skipped (disabled or needs reconnecting): Old US" in tab.sync.message.text()
    tab.sync.button.click()
    assert "Already syncing" in tab.sync.message.text()
    runner.shutdown()


def test_sync_all_from_the_menu_with_f5(qtbot: QtBot, store_core: CoreServices) -> None:
    acme, brand, _old = _stores(store_core)
    runner = RecordingRunner(store_core)
    window = MainWindow(Services(core=store_core, runner=runner), [])
    qtbot.addWidget(window)
    assert window.sync_all_action.shortcut().toString() == "F5"
    window.sync_all_action.trigger()
    assert {s for s, _k, _t in runner.queued} == {acme, brand}
    assert "8 jobs queued" in window.statusBar().currentMessage()
    runner.shutdown()
