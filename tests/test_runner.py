"""JobRunner: a queue per store, one job per store at a time, stores in parallel, coalescing, cancel, errors.

The job function is a fake with ``run_job``'s signature (the runner takes it as a constructor argument); it
runs on the runner's real QThreadPool and reads the real per-test database file from its worker thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

import pytest
from PySide6.QtCore import QCoreApplication, QThread

from fbm_desk.core import CoreServices
from fbm_desk.db import stores as store_db
from fbm_desk.db.rows import StoreRow
from fbm_desk.sync.base import JobKind, ProgressFn, SyncResult
from fbm_desk.sync.execute import run_job
from fbm_desk.sync.runner import JobRunner
from tests.support.sync_env import insert_us_store

WAIT_MS = 10_000  # generous: a limit for a hang, never a timing assertion


@dataclass
class FakeJobs:
    """A ``run_job`` stand-in. ``behaviour[kind]`` decides what a call does; every call is recorded."""

    behaviour: dict[JobKind, Callable[[StoreRow, threading.Event, ProgressFn], SyncResult]] = field(
        default_factory=dict
    )
    calls: list[tuple[int, JobKind, str]] = field(default_factory=list)
    threads: set[int] = field(default_factory=set)
    active: dict[int, int] = field(default_factory=dict)
    max_active_per_store: dict[int, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(
        self,
        core: CoreServices,
        store: StoreRow,
        kind: JobKind,
        *,
        trigger: str = "manual",
        cancel: threading.Event | None = None,
        progress: ProgressFn | None = None,
        now: Callable[[], datetime] | None = None,
    ) -> SyncResult:
        with self.lock:
            self.calls.append((store.id, kind, trigger))
            self.threads.add(threading.get_ident())
            self.active[store.id] = self.active.get(store.id, 0) + 1
            self.max_active_per_store[store.id] = max(
                self.max_active_per_store.get(store.id, 0), self.active[store.id]
            )
        try:
            action = self.behaviour.get(kind)
            if action is None:
                return SyncResult(job=kind.value, store=store.name, status="ok", fetched=1)
            return action(store, cancel or threading.Event(), progress or (lambda m, d, t: None))
        finally:
            with self.lock:
                self.active[store.id] -= 1


@pytest.fixture
def fake() -> FakeJobs:
    return FakeJobs()


@pytest.fixture
def runner(qtbot, core: CoreServices, fake: FakeJobs) -> Iterator[JobRunner]:
    jobs = JobRunner(core, job_fn=fake, max_threads=4)
    yield jobs
    jobs.shutdown(timeout=10)


def wait_idle(qtbot, runner: JobRunner) -> None:
    if not runner.is_idle():
        with qtbot.waitSignal(runner.idle, timeout=WAIT_MS):
            pass
    assert runner.is_idle()


def test_runs_a_job_on_a_worker_and_reports_on_the_gui_thread(
    qtbot, runner: JobRunner, fake: FakeJobs
) -> None:
    store = insert_us_store("Brand US", "A1")
    seen_threads: list[object] = []
    runner.job_started.connect(lambda *_: seen_threads.append(QThread.currentThread()))
    runner.job_finished.connect(lambda *_: seen_threads.append(QThread.currentThread()))

    with qtbot.waitSignal(runner.job_finished, timeout=WAIT_MS) as finished:
        assert runner.enqueue(store.id, JobKind.ORDERS)
        assert runner.is_busy(store.id)

    store_id, kind, result = finished.args
    assert (store_id, kind) == (store.id, "orders")
    assert isinstance(result, SyncResult)
    assert result.status == "ok"
    assert fake.calls == [(store.id, JobKind.ORDERS, "manual")]
    assert threading.get_ident() not in fake.threads  # the job ran off the GUI thread
    gui_thread = QCoreApplication.instance().thread()
    assert seen_threads
    assert all(t is gui_thread for t in seen_threads)
    wait_idle(qtbot, runner)
    assert not runner.is_busy(store.id)


def test_duplicate_requests_are_coalesced(qtbot, runner: JobRunner, fake: FakeJobs) -> None:
    store = insert_us_store("Brand US", "A1")
    gate = threading.Event()

    def blocked(store: StoreRow, cancel: threading.Event, progress: ProgressFn) -> SyncResult:
        gate.wait(10)
        return SyncResult(job="orders", store=store.name, status="ok")

    fake.behaviour[JobKind.ORDERS] = blocked
    with qtbot.waitSignal(runner.job_started, timeout=WAIT_MS):
        assert runner.enqueue(store.id, JobKind.ORDERS, "schedule") is True
    assert runner.enqueue(store.id, JobKind.ORDERS, "manual") is False  # already running
    assert runner.enqueue(store.id, JobKind.PRODUCTS) is True
    assert runner.enqueue(store.id, JobKind.PRODUCTS, "schedule") is False  # already queued
    assert runner.running() == {store.id: JobKind.ORDERS}
    assert runner.queued(store.id) == [JobKind.PRODUCTS]
    gate.set()
    wait_idle(qtbot, runner)
    assert fake.calls == [(store.id, JobKind.ORDERS, "schedule"), (store.id, JobKind.PRODUCTS, "manual")]
    # Once done, the same job can be requested again.
    with qtbot.waitSignal(runner.job_finished, timeout=WAIT_MS):
        assert runner.enqueue(store.id, JobKind.ORDERS) is True


def test_one_job_per_store_at_a_time_and_stores_in_parallel(qtbot, runner: JobRunner, fake: FakeJobs) -> None:
    a = insert_us_store("Brand US", "A1")
    b = insert_us_store("Brand DE", "B1")
    started = {a.id: threading.Event(), b.id: threading.Event()}
    overlap_seen: list[bool] = []

    def orders(store: StoreRow, cancel: threading.Event, progress: ProgressFn) -> SyncResult:
        started[store.id].set()
        other = b.id if store.id == a.id else a.id
        # Both stores' first jobs must be running at the same time: each waits for the other to start.
        overlap_seen.append(started[other].wait(10))
        return SyncResult(job="orders", store=store.name, status="ok")

    fake.behaviour[JobKind.ORDERS] = orders
    for store in (a, b):
        for kind in (JobKind.ORDERS, JobKind.PRODUCTS, JobKind.INVENTORY, JobKind.SHIPMENTS):
            assert runner.enqueue(store.id, kind)
    wait_idle(qtbot, runner)

    assert overlap_seen == [True, True]
    assert fake.max_active_per_store == {a.id: 1, b.id: 1}
    per_store = {s: [k for sid, k, _ in fake.calls if sid == s] for s in (a.id, b.id)}
    expected = [JobKind.ORDERS, JobKind.PRODUCTS, JobKind.INVENTORY, JobKind.SHIPMENTS]
    assert per_store == {a.id: expected, b.id: expected}  # FIFO per store


def test_cancel_stops_the_running_job_and_drops_the_queue(qtbot, runner: JobRunner, fake: FakeJobs) -> None:
    store = insert_us_store("Brand US", "A1")
    pages: list[int] = []

    def paging(store: StoreRow, cancel: threading.Event, progress: ProgressFn) -> SyncResult:
        for page in range(1, 10_000):
            if cancel.is_set():  # what JobContext.check_cancel does between pages
                return SyncResult(job="orders", store=store.name, status="canceled", fetched=len(pages))
            pages.append(page)
            progress(f"page {page}", page, None)
            cancel.wait(0.01)  # one "request"
        return SyncResult(job="orders", store=store.name, status="ok")

    fake.behaviour[JobKind.ORDERS] = paging
    with qtbot.waitSignal(runner.job_progress, timeout=WAIT_MS):
        runner.enqueue(store.id, JobKind.ORDERS)
    runner.enqueue(store.id, JobKind.PRODUCTS)
    runner.enqueue(store.id, JobKind.INVENTORY)
    failed: list[object] = []
    runner.job_failed.connect(lambda *args: failed.append(args))

    with qtbot.waitSignal(runner.job_finished, timeout=WAIT_MS) as finished:
        assert runner.cancel(store.id) == 3
    assert finished.args[2].status == "canceled"
    wait_idle(qtbot, runner)
    assert [k for _, k, _ in fake.calls] == [JobKind.ORDERS]  # queued jobs never ran
    assert failed == []  # a cancel is not a failure
    assert len(pages) < 9_999


def test_cancel_one_kind_keeps_the_others(qtbot, runner: JobRunner, fake: FakeJobs) -> None:
    store = insert_us_store("Brand US", "A1")
    gate = threading.Event()
    fake.behaviour[JobKind.ORDERS] = lambda s, c, p: (gate.wait(10), SyncResult("orders", s.name, "ok"))[1]
    with qtbot.waitSignal(runner.job_started, timeout=WAIT_MS):
        runner.enqueue(store.id, JobKind.ORDERS)
    runner.enqueue(store.id, JobKind.PRODUCTS)
    runner.enqueue(store.id, JobKind.INVENTORY)
    assert runner.cancel(store.id, JobKind.PRODUCTS) == 1
    assert runner.queued(store.id) == [JobKind.INVENTORY]
    gate.set()
    wait_idle(qtbot, runner)
    assert [k for _, k, _ in fake.calls] == [JobKind.ORDERS, JobKind.INVENTORY]


def test_failures_are_reported_and_the_queue_goes_on(qtbot, runner: JobRunner, fake: FakeJobs) -> None:
    store = insert_us_store("Brand US", "A1")

    def amazon_down(store: StoreRow, cancel: threading.Event, progress: ProgressFn) -> SyncResult:
        return SyncResult(job="orders", store=store.name, status="failed", error="Amazon is unreachable.")

    def bug(store: StoreRow, cancel: threading.Event, progress: ProgressFn) -> SyncResult:
        raise KeyError("boom")

    fake.behaviour[JobKind.ORDERS] = amazon_down
    fake.behaviour[JobKind.PRODUCTS] = bug
    failures: list[tuple[int, str, SyncResult]] = []
    finished: list[str] = []
    runner.job_failed.connect(lambda sid, kind, result: failures.append((sid, kind, result)))
    runner.job_finished.connect(lambda sid, kind, result: finished.append(kind))
    reconnects: list[object] = []
    runner.store_needs_reconnect.connect(lambda *a: reconnects.append(a))

    for kind in (JobKind.ORDERS, JobKind.PRODUCTS, JobKind.INVENTORY):
        runner.enqueue(store.id, kind)
    wait_idle(qtbot, runner)

    assert [(k, r.status) for _, k, r in failures] == [("orders", "failed"), ("products", "failed")]
    assert failures[0][2].error == "Amazon is unreachable."
    assert "Internal error" in failures[1][2].error
    assert "KeyError" in failures[1][2].error
    assert finished == ["inventory"]
    assert reconnects == []


def test_revoked_authorization_asks_for_reconnect(qtbot, runner: JobRunner, fake: FakeJobs) -> None:
    store = insert_us_store("Brand US", "A1")

    def revoked(store: StoreRow, cancel: threading.Event, progress: ProgressFn) -> SyncResult:
        # What run_job does on Amazon's invalid_grant: mark the store, report the run as failed.
        store_db.set_status(
            store.id, "needs_reconnect", "Amazon no longer accepts this store's authorization."
        )
        return SyncResult(job="orders", store=store.name, status="failed", error="Reconnect the store.")

    fake.behaviour[JobKind.ORDERS] = revoked
    reconnects: list[tuple[int, str]] = []
    runner.store_needs_reconnect.connect(lambda sid, message: reconnects.append((sid, message)))
    with qtbot.waitSignals([runner.job_failed, runner.store_needs_reconnect], timeout=WAIT_MS):
        runner.enqueue(store.id, JobKind.ORDERS)
    assert reconnects == [(store.id, "Amazon no longer accepts this store's authorization.")]


def test_a_deleted_store_fails_cleanly(qtbot, runner: JobRunner, fake: FakeJobs) -> None:
    with qtbot.waitSignal(runner.job_failed, timeout=WAIT_MS) as blocker:
        runner.enqueue(999, JobKind.ORDERS)
    assert "#999" in blocker.args[2].error
    assert fake.calls == []


def test_progress_reaches_the_gui_with_unknown_totals_as_minus_one(
    qtbot, runner: JobRunner, fake: FakeJobs
) -> None:
    store = insert_us_store("Brand US", "A1")

    def report(store: StoreRow, cancel: threading.Event, progress: ProgressFn) -> SyncResult:
        progress("Requesting the listings report", None, None)
        cancel.wait(0.2)
        progress("Imported 3 of 3 listings", 3, 3)
        return SyncResult(job="products-full", store=store.name, status="ok")

    fake.behaviour[JobKind.PRODUCTS_FULL] = report
    seen: list[tuple[int, str, str, int, int]] = []
    runner.job_progress.connect(lambda *args: seen.append(args))
    with qtbot.waitSignal(runner.job_finished, timeout=WAIT_MS):
        runner.enqueue(store.id, JobKind.PRODUCTS_FULL)
    assert seen[0] == (store.id, "products-full", "Requesting the listings report", -1, -1)
    assert seen[-1] == (store.id, "products-full", "Imported 3 of 3 listings", 3, 3)


def test_shutdown_cancels_waits_and_refuses_new_jobs(qtbot, core: CoreServices, fake: FakeJobs) -> None:
    store = insert_us_store("Brand US", "A1")
    observed_cancel: list[bool] = []
    entered = threading.Event()

    def long_job(store: StoreRow, cancel: threading.Event, progress: ProgressFn) -> SyncResult:
        entered.set()
        observed_cancel.append(cancel.wait(10))
        return SyncResult(job="orders", store=store.name, status="canceled")

    fake.behaviour[JobKind.ORDERS] = long_job
    jobs = JobRunner(core, job_fn=fake)
    jobs.enqueue(store.id, JobKind.ORDERS)
    jobs.enqueue(store.id, JobKind.PRODUCTS)
    assert entered.wait(10)
    assert jobs.shutdown(timeout=10) is True
    assert observed_cancel == [True]
    assert jobs.enqueue(store.id, JobKind.ORDERS) is False
    assert [k for _, k, _ in fake.calls] == [JobKind.ORDERS]


def test_default_job_function_is_run_job(core: CoreServices) -> None:
    jobs = JobRunner(core)
    assert jobs._job_fn is run_job
    jobs.shutdown(timeout=1)
