"""The documented schedule on a fake clock; catch-up after a gap; the APScheduler -> Qt signal wiring."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from PySide6.QtCore import QCoreApplication, QThread

from fbm_desk.core import CoreServices
from fbm_desk.db import stores as store_db
from fbm_desk.db.models import SyncRun
from fbm_desk.db.rows import StoreRow
from fbm_desk.db.station_locks import EveryStore
from fbm_desk.sync.base import JobKind, ProgressFn, SyncResult
from fbm_desk.sync.runner import JobRunner
from fbm_desk.sync.schedule import SCHEDULE, SCHEDULE_BY_KIND, fire_times, is_overdue, last_fire_time
from fbm_desk.sync.scheduler import SyncScheduler
from tests.support.sync_env import insert_us_store

START = datetime(2026, 11, 24, 9, 7, 30, tzinfo=UTC)
WAIT_MS = 10_000


class FakeClock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


class RecordingRunner:
    """Accepts everything; records (fake time, store, kind, trigger)."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.calls: list[tuple[datetime, int, JobKind, str]] = []

    def enqueue(self, store_id: int, kind: JobKind | str, trigger: str = "manual") -> bool:
        self.calls.append((self.clock.now, store_id, JobKind(kind), trigger))
        return True


def make_scheduler(
    runner: object, clock: FakeClock, stores: list[StoreRow], **kwargs: object
) -> SyncScheduler:
    # made-up stores (no database): this computer runs every store's schedule
    options: dict[str, object] = {
        "now": clock,
        "stores": lambda: stores,
        "last_runs": dict,
        "locks": EveryStore(),
    }
    options.update(kwargs)
    return SyncScheduler(runner, **options)  # type: ignore[arg-type]


def fake_store(store_id: int) -> StoreRow:
    return StoreRow(
        id=store_id, name=f"Store {store_id}", marketplace_id="ATVPDKIKX0DER", region="NA",
        selling_partner_id=f"S{store_id}", status="connected", download_products_orders=True,
        import_pending=False, starting_inventory="match", remove_stock_external=False,
        secret_storage="keyring", status_message="", token_updated_at=None, created_at="2026-11-01T00:00:00Z",
    )  # fmt: skip


def test_the_schedule_is_one_table_of_trigger_instances() -> None:
    assert [entry.kind for entry in SCHEDULE] == [
        JobKind.PRODUCTS_FULL, JobKind.PRODUCTS, JobKind.ORDERS, JobKind.ORDERS_SWEEP,
        JobKind.INVENTORY, JobKind.SHIPMENTS,
    ]  # fmt: skip
    assert set(SCHEDULE_BY_KIND) == set(JobKind)
    for entry in SCHEDULE:
        trigger = entry.trigger(now=START)
        if entry.kind in (JobKind.PRODUCTS_FULL, JobKind.ORDERS_SWEEP):
            assert isinstance(trigger, CronTrigger)
            assert str(trigger.timezone) == "UTC"
        else:
            assert isinstance(trigger, IntervalTrigger)


def test_each_job_fires_on_its_documented_schedule_over_a_simulated_day(qtbot) -> None:
    clock = FakeClock(START)
    runner = RecordingRunner(clock)
    scheduler = make_scheduler(runner, clock, [fake_store(1)])
    scheduler.start(catch_up=False, paused=True)
    try:
        # Walk a fake day minute by minute: each due job must be enqueued in the minute it is due.
        end = START + timedelta(days=1)
        while clock.now < end:
            clock.now += timedelta(minutes=1)
            scheduler.run_due(clock.now)
    finally:
        scheduler.shutdown()

    times: dict[JobKind, list[datetime]] = {kind: [] for kind in JobKind}
    for at, store_id, kind, trigger in runner.calls:
        assert (store_id, trigger) == (1, "schedule")
        times[kind].append(at)

    def gaps(kind: JobKind) -> set[timedelta]:
        return {b - a for a, b in zip(times[kind], times[kind][1:], strict=False)}

    assert len(times[JobKind.ORDERS]) == 48
    assert gaps(JobKind.ORDERS) == {timedelta(minutes=30)}
    assert len(times[JobKind.PRODUCTS]) == 48
    assert gaps(JobKind.PRODUCTS) == {timedelta(minutes=30)}
    assert len(times[JobKind.SHIPMENTS]) == 48
    assert gaps(JobKind.SHIPMENTS) == {timedelta(minutes=30)}
    assert len(times[JobKind.INVENTORY]) == 72
    assert gaps(JobKind.INVENTORY) == {timedelta(minutes=20)}
    # Interval jobs first fire one period after start (catch-up covers anything older).
    assert times[JobKind.ORDERS][0] == START + timedelta(minutes=30)
    # Four sweeps at hh:15 UTC, seen within the minute they are due (the fake clock ticks at :30).
    assert [t.strftime("%H:%M") for t in times[JobKind.ORDERS_SWEEP]] == ["12:15", "18:15", "00:15", "06:15"]
    # The full products import: once, just after midnight UTC.
    assert [t.isoformat() for t in times[JobKind.PRODUCTS_FULL]] == ["2026-11-25T00:00:30+00:00"]


def test_cron_fire_times_are_exact_utc() -> None:
    day = datetime(2026, 3, 29, 0, 0, tzinfo=UTC)  # a European DST change day: UTC must not care
    full = list(
        fire_times(SCHEDULE_BY_KIND[JobKind.PRODUCTS_FULL].trigger(now=day), day, day + timedelta(days=2))
    )
    sweep = list(
        fire_times(SCHEDULE_BY_KIND[JobKind.ORDERS_SWEEP].trigger(now=day), day, day + timedelta(days=1))
    )
    assert [t.isoformat() for t in full] == ["2026-03-30T00:00:00+00:00", "2026-03-31T00:00:00+00:00"]
    assert [t.strftime("%H:%M") for t in sweep] == ["00:15", "06:15", "12:15", "18:15"]


def test_each_fire_enqueues_every_connected_store(qtbot) -> None:
    clock = FakeClock(START)
    runner = RecordingRunner(clock)
    scheduler = make_scheduler(runner, clock, [fake_store(1), fake_store(2)])
    scheduler.start(catch_up=False, paused=True)
    try:
        clock.now = START + timedelta(minutes=20)
        scheduler.run_due(clock.now)
    finally:
        scheduler.shutdown()
    assert [(s, k) for _, s, k, _ in runner.calls] == [(1, JobKind.INVENTORY), (2, JobKind.INVENTORY)]


def test_scheduled_jobs_never_run_two_at_once_for_a_store(qtbot, core: CoreServices) -> None:
    a = insert_us_store("Brand US", "A1")
    b = insert_us_store("Brand CA", "B1")
    lock = threading.Lock()
    active: Counter[int] = Counter()
    peak: Counter[int] = Counter()
    calls: list[tuple[int, JobKind]] = []
    gate = threading.Event()

    def job_fn(
        core: CoreServices, store: StoreRow, kind: JobKind, *, trigger: str = "manual",
        cancel: threading.Event | None = None, progress: ProgressFn | None = None,
        now: Callable[[], datetime] | None = None,
    ) -> SyncResult:  # fmt: skip
        with lock:
            active[store.id] += 1
            peak[store.id] = max(peak[store.id], active[store.id])
            calls.append((store.id, kind))
        gate.wait(10)
        with lock:
            active[store.id] -= 1
        return SyncResult(job=kind.value, store=store.name, status="ok")

    runner = JobRunner(core, job_fn=job_fn)
    clock = FakeClock(START)
    scheduler = SyncScheduler(runner, now=clock, last_runs=dict)
    scheduler.start(catch_up=False, paused=True)
    queued: list[tuple[int, str]] = []
    scheduler.enqueued.connect(lambda sid, kind, trigger: queued.append((sid, kind)))
    try:
        # Six hours pass while the first jobs hang: every fire is offered, duplicates are coalesced.
        clock.now = START + timedelta(hours=6)
        fires = scheduler.run_due(clock.now)
        assert len(fires) > 40
        assert sorted(set(queued)) == sorted((s.id, k.value) for s in (a, b) for k in
                                             (JobKind.ORDERS, JobKind.PRODUCTS, JobKind.ORDERS_SWEEP,
                                              JobKind.INVENTORY, JobKind.SHIPMENTS))  # fmt: skip
        assert len(queued) == len(set(queued))  # each (store, job) queued once, however many fires
        gate.set()
        if not runner.is_idle():
            with qtbot.waitSignal(runner.idle, timeout=WAIT_MS):
                pass
    finally:
        scheduler.shutdown()
        runner.shutdown(timeout=10)
    assert peak == Counter({a.id: 1, b.id: 1})
    assert len(calls) == 10


def insert_run(store: StoreRow, job: JobKind, started: datetime, status: str = "ok") -> None:
    SyncRun.create(
        store=store.id, job=job.value, started_at=started.strftime("%Y-%m-%dT%H:%M:%SZ"),
        finished_at=(started + timedelta(seconds=5)).strftime("%Y-%m-%dT%H:%M:%SZ"), status=status,
    )  # fmt: skip


def test_catch_up_after_a_gap_enqueues_each_missed_job_once(qtbot, core: CoreServices) -> None:
    now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    fresh = insert_us_store("Fresh", "F1")  # never synced
    seen = insert_us_store("Seen", "S1")
    insert_us_store("Revoked", "R1", status="needs_reconnect")  # not connected: never scheduled
    insert_run(seen, JobKind.ORDERS, now - timedelta(hours=2))  # missed
    insert_run(seen, JobKind.ORDERS, now - timedelta(minutes=5), status="failed")  # a failure is no success
    insert_run(seen, JobKind.INVENTORY, now - timedelta(minutes=5))  # recent
    insert_run(seen, JobKind.PRODUCTS, now - timedelta(minutes=29))  # recent
    insert_run(seen, JobKind.SHIPMENTS, now - timedelta(minutes=31))  # missed
    insert_run(seen, JobKind.PRODUCTS_FULL, now - timedelta(hours=10))  # yesterday 23:00: missed 00:00
    insert_run(seen, JobKind.ORDERS_SWEEP, now - timedelta(hours=2, minutes=40))  # 06:20, after 06:15: fine

    clock = FakeClock(now)
    runner = RecordingRunner(clock)
    scheduler = SyncScheduler(runner, now=clock)
    queued = scheduler.start(paused=True)
    scheduler.shutdown()

    assert queued == [(fresh.id, entry.kind) for entry in SCHEDULE] + [
        (seen.id, JobKind.PRODUCTS_FULL), (seen.id, JobKind.ORDERS), (seen.id, JobKind.SHIPMENTS),
    ]  # fmt: skip
    assert {trigger for *_, trigger in runner.calls} == {"catch-up"}
    # Once caught up (the runs happened), a second start queues nothing.
    for store_id, kind in queued:
        insert_run(store_db.get_store(store_id), kind, now + timedelta(seconds=30))
    clock.now = now + timedelta(minutes=1)
    assert scheduler.catch_up() == []


def test_overdue_rules() -> None:
    now = datetime(2026, 11, 24, 12, 10, tzinfo=UTC)
    sweep = SCHEDULE_BY_KIND[JobKind.ORDERS_SWEEP]
    assert last_fire_time(sweep, now) == datetime(2026, 11, 24, 6, 15, tzinfo=UTC)
    assert last_fire_time(sweep, now.replace(hour=0, minute=15)) == datetime(2026, 11, 24, 0, 15, tzinfo=UTC)
    assert not is_overdue(sweep, datetime(2026, 11, 24, 6, 16, tzinfo=UTC), now)
    assert is_overdue(sweep, datetime(2026, 11, 24, 6, 14, tzinfo=UTC), now)
    assert is_overdue(SCHEDULE_BY_KIND[JobKind.ORDERS], None, now)


def test_time_scale_turns_the_schedule_into_short_intervals(qtbot) -> None:
    clock = FakeClock(START)
    runner = RecordingRunner(clock)
    scheduler = make_scheduler(runner, clock, [fake_store(1)], time_scale=60)
    scheduler.start(catch_up=False, paused=True)
    try:
        triggers = scheduler.triggers
        periods = {kind: trigger.interval for kind, trigger in triggers.items()}  # all intervals now
        assert periods == {
            JobKind.ORDERS: timedelta(seconds=30), JobKind.PRODUCTS: timedelta(seconds=30),
            JobKind.SHIPMENTS: timedelta(seconds=30), JobKind.INVENTORY: timedelta(seconds=20),
            JobKind.ORDERS_SWEEP: timedelta(minutes=6), JobKind.PRODUCTS_FULL: timedelta(minutes=24),
        }  # fmt: skip
        clock.now = START + timedelta(minutes=1)
        scheduler.run_due(clock.now)
        assert Counter(kind for _, _, kind, _ in runner.calls) == Counter(
            {JobKind.ORDERS: 2, JobKind.PRODUCTS: 2, JobKind.SHIPMENTS: 2, JobKind.INVENTORY: 3}
        )
    finally:
        scheduler.shutdown()
    orders = SCHEDULE_BY_KIND[JobKind.ORDERS]
    assert not is_overdue(orders, START - timedelta(seconds=29), START, time_scale=60)
    assert is_overdue(orders, START - timedelta(seconds=31), START, time_scale=60)


def test_next_run_times_from_the_fake_clock(qtbot) -> None:
    clock = FakeClock(START)
    scheduler = make_scheduler(RecordingRunner(clock), clock, [])
    scheduler.start(catch_up=False, paused=True)
    try:
        upcoming = scheduler.next_run_times()
    finally:
        scheduler.shutdown()
    assert upcoming["orders"] == START + timedelta(minutes=30)
    assert upcoming["inventory"] == START + timedelta(minutes=20)
    assert upcoming["orders-sweep"] == datetime(2026, 11, 24, 12, 15, tzinfo=UTC)
    assert upcoming["products-full"] == datetime(2026, 11, 25, 0, 0, tzinfo=UTC)


def test_apscheduler_fires_reach_the_gui_thread_as_enqueues(qtbot) -> None:
    """The real BackgroundScheduler on wall time (30 min scaled to 0.5 s): its thread only emits a signal."""
    clock = FakeClock(datetime.now(UTC))

    class GuiThreadRunner(RecordingRunner):
        threads: list[object] = []  # noqa: RUF012

        def enqueue(self, store_id: int, kind: JobKind | str, trigger: str = "manual") -> bool:
            self.threads.append(QThread.currentThread())
            return super().enqueue(store_id, kind, trigger)

    runner = GuiThreadRunner(clock)
    scheduler = SyncScheduler(runner, now=lambda: datetime.now(UTC), stores=lambda: [fake_store(7)],
                              last_runs=dict, time_scale=3600, locks=EveryStore())  # fmt: skip
    try:
        with qtbot.waitSignal(scheduler.enqueued, timeout=WAIT_MS) as blocker:
            scheduler.start(catch_up=False)
        assert scheduler.is_running
        assert blocker.args[0] == 7
        assert blocker.args[2] == "schedule"
        assert all(t is QCoreApplication.instance().thread() for t in runner.threads)
        assert scheduler.next_run_times()["orders"] is not None
    finally:
        scheduler.shutdown()
    assert not scheduler.is_running


def test_health_combines_runs_and_next_times(qtbot, core: CoreServices) -> None:
    store = insert_us_store("Brand US", "A1")
    insert_run(store, JobKind.ORDERS, START - timedelta(minutes=10))
    clock = FakeClock(START)
    scheduler = SyncScheduler(RecordingRunner(clock), now=clock)
    scheduler.start(catch_up=False, paused=True)
    try:
        rows = {row.job: row for row in scheduler.health(store.id)}
    finally:
        scheduler.shutdown()
    assert list(rows) == [entry.kind.value for entry in SCHEDULE]
    assert rows["orders"].result == "ok"
    assert rows["orders"].last_ok_at == START - timedelta(minutes=10)
    assert rows["orders"].next_run_at == START + timedelta(minutes=30)
    assert rows["products-full"].result == "never"
    assert rows["products-full"].next_run_at == datetime(2026, 11, 25, tzinfo=UTC)


def test_time_scale_can_be_set_before_start_only(qtbot) -> None:
    clock = FakeClock(START)
    scheduler = make_scheduler(RecordingRunner(clock), clock, [])
    scheduler.time_scale = 60
    with pytest.raises(ValueError):
        scheduler.time_scale = 0
    scheduler.start(catch_up=False)
    try:
        assert scheduler.triggers[JobKind.ORDERS].interval == timedelta(seconds=30)
        with pytest.raises(RuntimeError):
            scheduler.time_scale = 1
    finally:
        scheduler.shutdown()
