"""Removing a store in steps (``db/store_removal.py``): short transactions, resumable, never syncing meanwhile."""

from __future__ import annotations

import threading

import pytest
from pytestqt.qtbot import QtBot

from fbm_desk.core import CoreServices
from fbm_desk.db import dialect
from fbm_desk.db import store_removal as removal
from fbm_desk.db import stores as store_db
from fbm_desk.domain.stores import continue_removal, remove_store
from fbm_desk.sync.base import JobKind
from fbm_desk.sync.execute import run_job
from fbm_desk.ui import store_removal
from fbm_desk.ui.services import Services
from fbm_desk.ui.stores_tab import StoresTab
from fbm_desk.ui.table_models.stores_model import StoresTableModel
from tests.support.demo_data import generate

ORDERS = 120


def _count(sql: str, args: list[object] | None = None) -> int:
    return int(dialect.execute(sql, args or []).fetchone()[0])


def _store_with_most_orders() -> int:
    return int(
        dialect.execute("SELECT store_id FROM orders GROUP BY store_id ORDER BY count(*) DESC").fetchone()[0]
    )


@pytest.fixture
def world(core: CoreServices) -> tuple[CoreServices, int, int]:
    """Demo stores with orders; (core, the store to remove, its order count)."""
    generate(core.db.db, orders=ORDERS, seed=3)
    store_id = _store_with_most_orders()
    core.credentials.set_refresh_token(store_id, "Atzr|to-be-forgotten")
    return core, store_id, _count("SELECT count(*) FROM orders WHERE store_id = ?", [store_id])


def test_a_store_is_removed_in_steps_of_at_most_the_step_size(
    world: tuple[CoreServices, int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    core, store_id, orders = world
    others = _count("SELECT count(*) FROM orders WHERE store_id <> ?", [store_id])
    assert orders > 20
    assert others > 0
    steps: list[removal.Step] = []
    real_step = removal.remove_step

    def small_step(sid: int, _rows: int, after: removal.Step | None) -> removal.Step:
        steps.append(real_step(sid, 10, after))
        return steps[-1]

    monkeypatch.setattr(removal, "remove_step", small_step)
    reported: list[tuple[int, int]] = []
    assert remove_store(core, store_id, lambda done, total: reported.append((done, total)))

    sizes = [s.rows for s in steps]
    assert all(0 < n <= 40 for n in sizes[:-1])  # orders by 10, the other tables' rows by 40
    assert sizes[-1] == 0
    assert sizes[: orders // 10] == [10] * (orders // 10)
    assert [s.table for s in steps][: orders // 10] == ["orders"] * (orders // 10)
    order_ends = [s.last_id for s in steps if s.table == "orders"]
    assert order_ends == sorted(order_ends)  # each step carries on after the previous one
    assert reported[-1][0] == reported[-1][1] == sum(sizes)
    assert [done for done, _ in reported] == sorted(done for done, _ in reported)
    assert _count("SELECT count(*) FROM store WHERE id = ?", [store_id]) == 0
    assert _count("SELECT count(*) FROM orders WHERE store_id = ?", [store_id]) == 0
    assert _count("SELECT count(*) FROM orders") == others  # the other stores keep theirs
    assert (
        _count("SELECT count(*) FROM order_item i LEFT JOIN orders o ON o.id = i.order_id WHERE o.id IS NULL")
        == 0
    )
    assert (
        _count(
            "SELECT count(*) FROM buyer_name_token t LEFT JOIN orders o ON o.id = t.order_id WHERE o.id IS NULL"
        )
        == 0
    )
    assert core.credentials.get_refresh_token(store_id) is None


def test_a_store_being_removed_is_not_synced_and_its_removal_carries_on_after_a_crash(
    world: tuple[CoreServices, int, int],
) -> None:
    core, store_id, orders = world
    removal.begin_removal(store_id)
    assert removal.remove_step(store_id, limit=25).rows == 25  # then the process dies
    assert removal.pending_removals() == [store_id]
    store = store_db.get_store(store_id)
    assert store.removing
    assert not store.is_active
    assert store_id not in [s.id for s in store_db.list_stores() if s.is_active]  # the scheduler's choice
    result = run_job(core, store, JobKind.ORDERS, trigger="scheduled")
    assert result.status == "failed"
    assert "being removed" in (result.error or "")
    assert _count("SELECT count(*) FROM sync_run WHERE store_id = ?", [store_id]) == 0  # not even a run row
    left = removal.removal_progress(store_id)
    assert left.orders_left == orders - 25
    assert not left.done

    stops = iter([False, True])  # the window closes after one more step (the rest of the orders: < 500)
    assert not continue_removal(core, store_id, stop=lambda: next(stops))
    assert removal.removal_progress(store_id).orders_left == 0
    assert _count("SELECT count(*) FROM store WHERE id = ?", [store_id]) == 1
    assert removal.pending_removals() == [store_id]  # still marked: the next start carries on
    assert continue_removal(core, store_id)
    assert removal.pending_removals() == []
    assert _count("SELECT count(*) FROM store WHERE id = ?", [store_id]) == 0


def test_marking_twice_keeps_the_first_stamp(world: tuple[CoreServices, int, int]) -> None:
    _core, store_id, _orders = world
    removal.begin_removal(store_id)
    first = dialect.execute("SELECT removing_since FROM store WHERE id = ?", [store_id]).fetchone()[0]
    removal.begin_removal(store_id)
    assert dialect.execute("SELECT removing_since FROM store WHERE id = ?", [store_id]).fetchone()[0] == first


def test_the_stores_tab_removes_off_the_window_thread_and_shows_progress(
    qtbot: QtBot, world: tuple[CoreServices, int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    core, store_id, _orders = world
    gate, stepping = threading.Event(), threading.Event()
    real_step = removal.remove_step

    def held_step(sid: int, _rows: int, after: removal.Step | None) -> removal.Step:
        stepping.set()
        assert gate.wait(10)  # the first step waits until the test has looked at the window
        return real_step(sid, 10, after)

    monkeypatch.setattr(removal, "remove_step", held_step)
    monkeypatch.setattr(store_removal, "REPORT_EVERY_S", 0.0)
    tab = StoresTab(Services(core=core))
    qtbot.addWidget(tab)
    tab.select_store(store_id)
    tab._remove(store_db.get_store(store_id))
    assert stepping.wait(10)  # the worker is inside a step: the window's thread is not
    row = tab.model.row_of(store_id)
    assert _cell(tab, row, "Status").startswith("Removing")
    tab.refresh()
    assert store_db.get_store(store_id).removing
    assert not tab.remove_button.isEnabled()  # nothing else to do with it meanwhile
    assert not tab.settings_button.isEnabled()
    seen: list[str] = []
    tab.removals.progressed.connect(lambda *_: seen.append(_cell(tab, tab.model.row_of(store_id), "Status")))
    with qtbot.waitSignal(tab.removals.ended, timeout=20_000) as ended:
        gate.set()
    assert ended.args == [store_id, ""]
    assert any("% (" in text and "rows deleted" in text for text in seen)
    assert tab.model.row_of(store_id) == -1


def test_a_removal_left_unfinished_carries_on_when_the_stores_tab_opens(
    qtbot: QtBot, world: tuple[CoreServices, int, int]
) -> None:
    core, store_id, _orders = world
    removal.begin_removal(store_id)
    removal.remove_step(store_id, limit=10)  # then the app was closed (or crashed)
    tab = StoresTab(Services(core=core))
    qtbot.addWidget(tab)
    assert _cell(tab, tab.model.row_of(store_id), "Status") == "Removing…"
    with qtbot.waitSignal(tab.removals.ended, timeout=20_000):
        pass  # resumed when the tab was built
    assert removal.pending_removals() == []
    assert tab.model.row_of(store_id) == -1


def _cell(tab: StoresTab, row: int, column: str) -> str:
    return str(tab.model.index(row, StoresTableModel.COLUMNS.index(column)).data())


def test_steps_are_sized_to_take_a_tenth_of_a_second() -> None:
    assert removal.next_step_rows(200, 0.05) == 400  # twice as fast as wanted: twice as many rows
    assert removal.next_step_rows(200, 1.0) == 20  # a busy machine: far fewer
    assert removal.next_step_rows(2_000, 0.001) == removal.MAX_STEP_ROWS
