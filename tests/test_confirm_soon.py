"""Issue 12 item 4: a saved package is confirmed within a minute (demo time), packages saved together go in
one run, and a push already running is followed by another one."""

from __future__ import annotations

import time

import pytest

from fbm_desk.core import CoreServices
from fbm_desk.db.packages import list_packages
from fbm_desk.db.states import PushState
from fbm_desk.db.stores import get_store
from fbm_desk.domain.packing import record_package
from fbm_desk.sandbox import RunningSandbox
from fbm_desk.sync.base import JobKind
from fbm_desk.sync.execute import run_job
from fbm_desk.sync.runner import JobRunner
from fbm_desk.sync.scheduler import CONFIRM_MAX_WAIT_S, CONFIRM_QUIET_S, ConfirmSoon
from tests.support.sync_env import make_store, merchant_skus, settle

SCALE = 60.0  # demo pace: one Amazon minute is one real second


class FakeRunner:
    def __init__(self) -> None:
        self.calls: list[tuple[int, str, str]] = []
        self.busy: dict[int, JobKind] = {}

    def enqueue(self, store_id: int, kind: JobKind | str, trigger: str = "manual") -> bool:
        self.calls.append((store_id, str(kind), trigger))
        return store_id not in self.busy

    def running(self) -> dict[int, JobKind]:
        return dict(self.busy)


def test_saves_close_together_go_in_one_run(qtbot) -> None:
    runner = FakeRunner()
    soon = ConfirmSoon(runner, time_scale=SCALE)
    soon.package_saved(1)
    soon.package_saved(1)
    soon.package_saved(2)
    assert runner.calls == []  # not at once: waits for more saves
    qtbot.waitUntil(lambda: len(runner.calls) == 2, timeout=int(CONFIRM_MAX_WAIT_S / SCALE * 1000) + 2000)
    assert sorted(runner.calls) == [(1, "shipments", "package saved"), (2, "shipments", "package saved")]
    assert not soon.pending(1)


def test_a_stream_of_saves_does_not_delay_the_push_beyond_the_limit(qtbot) -> None:
    runner = FakeRunner()
    soon = ConfirmSoon(runner, time_scale=SCALE)
    started = time.monotonic()
    soon.package_saved(1)
    step = CONFIRM_QUIET_S / SCALE / 3  # a save every 10 Amazon seconds keeps the quiet period from ending
    while not runner.calls and time.monotonic() - started < 3 * CONFIRM_MAX_WAIT_S / SCALE:
        qtbot.wait(int(step * 1000))
        soon.package_saved(1)
    waited = (time.monotonic() - started) * SCALE
    assert runner.calls
    assert waited <= CONFIRM_MAX_WAIT_S + 15  # Amazon seconds (timer granularity on a busy machine)


def test_a_station_that_cannot_sync_leaves_the_push_to_one_that_can(qtbot) -> None:
    runner = FakeRunner()
    soon = ConfirmSoon(runner, time_scale=SCALE, can_sync=lambda: False)  # no workspace key on this station
    soon.package_saved(1)
    assert not soon.pending(1)
    qtbot.wait(int(CONFIRM_QUIET_S / SCALE * 1000) + 200)
    assert runner.calls == []  # the store's scheduled push, on a station with the key, sends it


def test_a_running_push_is_followed_by_another(qtbot) -> None:
    runner = FakeRunner()
    runner.busy[1] = JobKind.SHIPMENTS
    soon = ConfirmSoon(runner, time_scale=SCALE)
    soon.package_saved(1)
    qtbot.waitUntil(lambda: len(runner.calls) == 1, timeout=3000)
    assert soon.pending(1)  # asks again after the running push
    del runner.busy[1]
    qtbot.waitUntil(lambda: len(runner.calls) == 2, timeout=3000)
    assert not soon.pending(1)


@pytest.mark.e2e
def test_a_saved_package_is_confirmed_within_a_minute(
    qtbot, quiet_core: CoreServices, quiet: RunningSandbox
) -> None:
    store = make_store(quiet_core, quiet)
    order_id = quiet.world.add_order(skus={merchant_skus(quiet, 1)[0]: 1})
    settle(quiet, order_id)
    assert run_job(quiet_core, get_store(store.id), JobKind.ORDERS).status == "ok"
    runner = JobRunner(quiet_core)
    soon = ConfirmSoon(runner, time_scale=SCALE)
    try:
        package = record_package(quiet_core, order_id, "UPS", "1Z999AA10123456784")
        saved = time.monotonic()
        soon.package_saved(store.id)
        qtbot.waitUntil(
            lambda: bool(quiet.world.pushed()["shipments"]), timeout=int(60 / SCALE * 1000) + 3000
        )
        confirmed_after = (time.monotonic() - saved) * SCALE  # Amazon seconds
        assert confirmed_after <= 60
        qtbot.waitUntil(runner.is_idle, timeout=5000)
        (stored,) = list_packages([package.order_id])[package.order_id]
        assert stored.push_state == PushState.CONFIRMED
    finally:
        runner.shutdown(timeout=10)
