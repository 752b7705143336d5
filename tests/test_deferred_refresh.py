"""DeferredRefresh: tabs refresh once per burst of finished sync jobs, and only while the user can see them."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLabel, QTabWidget

from fbm_desk.core import build_core
from fbm_desk.foundation.paths import AppPaths
from fbm_desk.sync.runner import JobRunner
from fbm_desk.ui.deferred_refresh import DeferredRefresh
from fbm_desk.ui.inventory_tab import InventoryTab
from fbm_desk.ui.services import Services
from tests.support.demo_data import add_order, generate


def test_a_visible_tab_refreshes_once_after_a_burst_of_requests(qtbot: Any) -> None:
    tab = QLabel("orders")
    qtbot.addWidget(tab)
    tab.show()
    calls: list[int] = []
    deferred = DeferredRefresh(tab, lambda: calls.append(1))
    for _ in range(5):  # five jobs ending in the same event-loop pass
        deferred.request(1, "orders", None)
    assert calls == []  # not inside the signal: the event that finished the job is handled first
    qtbot.waitUntil(lambda: not deferred.pending)
    qtbot.wait(20)
    assert calls == [1]


def test_a_hidden_tab_waits_until_it_is_shown(qtbot: Any) -> None:
    tabs = QTabWidget()
    qtbot.addWidget(tabs)
    stores, inventory = QLabel("stores"), QLabel("inventory")
    tabs.addTab(stores, "Stores")
    tabs.addTab(inventory, "Inventory")
    tabs.show()
    qtbot.waitExposed(tabs)
    calls: list[int] = []
    deferred = DeferredRefresh(inventory, lambda: calls.append(1))
    deferred.request()
    deferred.request()
    qtbot.wait(30)
    assert calls == []
    assert deferred.pending
    tabs.setCurrentWidget(inventory)
    assert calls == [1]
    assert not deferred.pending
    deferred.flush()
    assert calls == [1]  # nothing due any more


def test_inventory_tab_catches_up_after_a_sync_in_steps(qtbot: Any, app_paths: AppPaths) -> None:
    core = build_core(app_paths)
    try:
        generate(core.db.db, orders=0)
        core.db.db.execute_sql("UPDATE inventory_level SET on_hand = 10")
        core.db.db.execute_sql(
            "UPDATE listing SET pushed_quantity = 10, push_state = 'accepted' WHERE product_id IS NOT NULL"
        )
        runner = JobRunner(core)  # its signal is emitted below, as if a job had run
        tab = InventoryTab(Services(core=core, runner=runner))
        qtbot.addWidget(tab)
        assert tab.preview_loader.pending  # hidden: the preview is not computed yet
        tab.show()
        qtbot.waitExposed(tab)
        assert not tab.preview_loader.pending
        assert tab.preview_model.rowCount() == 0  # Amazon has every quantity
        add_order(core.db.db, "111-0000000-0000001", items=(("MUG-ENAMEL-GRN", 3),))  # imported by a sync
        runner.job_finished.emit(1, "orders", None)
        mug = next(r for r in tab.model.rows() if r.sku == "MUG-ENAMEL-GRN")
        assert mug.allocated == 0  # not inside the signal
        qtbot.waitUntil(lambda: tab.preview_model.rowCount() > 0)
        mug = next(r for r in tab.model.rows() if r.sku == "MUG-ENAMEL-GRN")
        assert (mug.allocated, mug.available) == (3, 7)
        sent = {(r[1], r[4]) for r in tab.preview_model._rows}
        assert ("MUG-ENAMEL-GRN", 7) in sent  # every store's mug listing will get 7
    finally:
        core.close()
