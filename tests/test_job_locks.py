"""Issue 11 #3: one job of a store at a time across processes, by a lock the database provides.

"Another process" is a real child process (a live pid with its own start time) whose lock row the test claims
and releases; the waiting run is told whom it waits for (``on_wait``), so every interleaving is driven by
events, not by timing.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest

from fbm_desk.core import CoreServices
from fbm_desk.db.job_locks import Holder, Owner, SqliteJobLocks, _process_start, hold_store_job
from fbm_desk.db.models import JobLock
from fbm_desk.db.stores import get_store
from fbm_desk.domain.packing import record_package
from fbm_desk.sandbox import RunningSandbox
from fbm_desk.sync.base import JobKind, SyncResult
from fbm_desk.sync.execute import run_job
from tests.support.sync_env import insert_us_store, make_store, merchant_skus, settle

# The SQLite backend (lease rows); the shared workspace's advisory locks: tests/test_workspace_locks.py.
pytestmark = pytest.mark.sqlite_only


def _owner_of(proc: subprocess.Popen[bytes]) -> Owner:
    return Owner(host=socket.gethostname(), pid=proc.pid, process_started=_process_start(proc.pid))


@pytest.fixture
def other() -> Iterator[Owner]:
    """Another FBM Desk process (alive until the test ends)."""
    proc = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    yield _owner_of(proc)
    assert proc.stdin is not None
    proc.stdin.close()
    proc.wait()


def _run_in_thread(
    core: CoreServices, store_id: int, kind: JobKind
) -> tuple[threading.Thread, threading.Event, list[SyncResult], list[Holder]]:
    waiting = threading.Event()
    results: list[SyncResult] = []
    seen: list[Holder] = []

    def on_wait(holder: Holder) -> None:
        seen.append(holder)
        waiting.set()

    def body() -> None:
        try:
            results.append(run_job(core, get_store(store_id), kind, on_wait=on_wait))
        finally:
            from fbm_desk.db.transactions import close_thread_connection

            close_thread_connection()

    thread = threading.Thread(target=body)
    thread.start()
    return thread, waiting, results, seen


def test_a_second_run_of_the_same_job_waits_and_is_covered_by_the_first(
    quiet_core: CoreServices, quiet: RunningSandbox, other: Owner
) -> None:
    store = make_store(quiet_core, quiet)
    order_id = quiet.world.add_order(skus={merchant_skus(quiet, 1)[0]: 1})
    settle(quiet, order_id)
    assert run_job(quiet_core, get_store(store.id), JobKind.ORDERS).status == "ok"
    record_package(quiet_core, order_id, "UPS", "1Z999AA10123456784")
    locks = SqliteJobLocks()
    assert locks.try_claim(store.id, "shipments", other) is None  # the other process's sync shipments runs

    thread, waiting, results, seen = _run_in_thread(quiet_core, store.id, JobKind.SHIPMENTS)
    assert waiting.wait(10)
    assert seen[0].pid == other.pid
    assert seen[0].job == "shipments"
    assert thread.is_alive()  # it waits instead of failing with "busy"
    locks.release(store.id, other)  # the other run ends
    thread.join(10)

    [result] = results
    assert (result.status, result.covered_by_other_run, result.api_calls) == ("ok", True, 0)
    assert result.to_json()["covered_by_other_run"] is True
    assert result.to_json()["status"] == "ok"
    assert quiet.world.pushed()["shipments"] == []  # nothing sent by the covered run
    assert JobLock.select().count() == 0


def test_a_run_of_another_job_waits_then_runs(
    quiet_core: CoreServices, quiet: RunningSandbox, other: Owner
) -> None:
    store = make_store(quiet_core, quiet)
    locks = SqliteJobLocks()
    assert locks.try_claim(store.id, "inventory", other) is None

    thread, waiting, results, _ = _run_in_thread(quiet_core, store.id, JobKind.ORDERS)
    assert waiting.wait(10)
    locks.release(store.id, other)
    thread.join(10)

    [result] = results
    assert (result.status, result.covered_by_other_run) == ("ok", False)
    assert result.api_calls > 0
    assert "covered_by_other_run" not in result.to_json()  # the existing contract, unchanged
    assert JobLock.select().count() == 0  # released after the run


def test_a_crashed_holder_is_taken_over_at_once(db: object) -> None:
    store = insert_us_store("Main", "A1SELLER")
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()  # the holder was SIGKILLed: its pid is gone
    dead = Owner(host=socket.gethostname(), pid=proc.pid, process_started=_process_start(proc.pid) or 1.0)
    locks = SqliteJobLocks()
    assert locks.try_claim(store.id, "shipments", dead) is None
    seen: list[Holder] = []
    with hold_store_job(store.id, "shipments", on_wait=seen.append) as grant:
        assert not grant.covered
        assert JobLock.get().pid == Owner.current().pid
    assert seen == []  # no waiting at all


def test_a_reused_pid_is_not_mistaken_for_the_holder(db: object, other: Owner) -> None:
    store = insert_us_store("Main", "A1SELLER")
    locks = SqliteJobLocks()
    impostor = Owner(host=other.host, pid=other.pid, process_started=other.process_started + 12345)
    assert locks.try_claim(store.id, "orders", impostor) is None
    assert locks.try_claim(store.id, "orders", Owner.current()) is None  # the recorded process is gone


def test_a_silent_holder_is_taken_over_when_its_lease_runs_out(db: object, other: Owner) -> None:
    store = insert_us_store("Main", "A1SELLER")
    now = [1_000.0]
    locks = SqliteJobLocks(clock=lambda: now[0], lease_s=60.0)
    assert locks.try_claim(store.id, "orders", other) is None
    mine = Owner.current()
    assert locks.try_claim(store.id, "orders", mine) == Holder(
        "orders", other.host, other.pid, JobLock.get().acquired_at
    )
    now[0] += 30.0
    assert locks.renew(store.id, other)  # the heartbeat keeps it
    now[0] += 50.0
    assert locks.try_claim(store.id, "orders", mine) is not None  # renewed at +30: still held at +80
    now[0] += 11.0
    assert locks.try_claim(store.id, "orders", mine) is None  # silent for 61 s: taken over
    assert not locks.renew(store.id, other)  # the old holder learns it lost the lock


def test_cancel_while_waiting_stops_the_run(
    quiet_core: CoreServices, quiet: RunningSandbox, other: Owner
) -> None:
    store = make_store(quiet_core, quiet)
    locks = SqliteJobLocks()
    assert locks.try_claim(store.id, "products-full", other) is None
    cancel = threading.Event()
    results: list[SyncResult] = []
    thread = threading.Thread(
        target=lambda: results.append(
            run_job(
                quiet_core, get_store(store.id), JobKind.ORDERS, cancel=cancel, on_wait=lambda h: cancel.set()
            )
        )
    )
    thread.start()
    thread.join(10)
    assert results[0].status == "canceled"
    assert JobLock.get().pid == other.pid  # the other run's lock is untouched
