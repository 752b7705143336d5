"""The scheduler: APScheduler (pinned < 4) decides *when*; the runner does the work.

One APScheduler job per schedule entry (``fbm_desk.sync.schedule.SCHEDULE``). Its callable runs on
APScheduler's thread and only emits ``job_due``; Qt queues that signal to the GUI thread, where
``enqueue_due`` asks the runner to enqueue the job for every connected store (the runner coalesces duplicates
and runs one job per store at a time). At start, ``catch_up`` enqueues once every job a store missed while the
app was closed or the laptop slept.

Fake clock: everything that needs the time takes ``now`` (constructor argument or parameter). ``run_due(now)``
fires, in order, every trigger fire up to ``now`` computed from the same trigger instances APScheduler uses,
so tests walk through a simulated day without waiting.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Protocol

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_RUNNING
from apscheduler.triggers.base import BaseTrigger
from PySide6.QtCore import QObject, QTimer, Signal, Slot

from fbm_desk.db import stores as store_db
from fbm_desk.db import sync_runs_view
from fbm_desk.db.rows import StoreRow
from fbm_desk.db.station_locks import ScheduleLocks, schedule_locks
from fbm_desk.sync.base import JOB_TITLES, JobKind, utcnow
from fbm_desk.sync.schedule import SCHEDULE, ScheduleEntry, fire_times, is_overdue, maintenance_trigger

log = logging.getLogger(__name__)

TRIGGER_SCHEDULE = "schedule"
TRIGGER_CATCH_UP = "catch-up"
TRIGGER_PACKAGE_SAVED = "package saved"
CONFIRM_QUIET_S = 30.0  # Amazon seconds without another save before the tracking push starts
CONFIRM_MAX_WAIT_S = 45.0  # ... but never longer than this after the first unsent save
CONFIRM_RETRY_S = 5.0  # a push for the store is running: ask again this much later
CLAIM_EVERY_S = 10.0  # shared workspace: how often a station tries to take over schedules nobody runs


class Enqueuer(Protocol):
    def enqueue(self, store_id: int, kind: JobKind | str, trigger: str = "manual") -> bool: ...


def _active_stores() -> list[StoreRow]:
    return [store for store in store_db.list_stores() if store.is_active]


class SyncScheduler(QObject):
    """Triggers the documented schedule for every connected store. Create and use it on the GUI thread.

    ``time_scale`` divides every period (demo mode: 60 makes "every 30 min" every 30 s). ``now``, ``stores``
    and ``last_runs`` are injectable for tests; by default they read the clock and the database.
    """

    job_due = Signal(str)  # emitted on APScheduler's thread; delivered queued on the GUI thread
    enqueued = Signal(int, str, str)  # store_id, kind, trigger: a scheduled or catch-up job was queued

    def __init__(
        self,
        runner: Enqueuer,
        *,
        time_scale: float = 1.0,
        now: Callable[[], datetime] = utcnow,
        stores: Callable[[], list[StoreRow]] = _active_stores,
        last_runs: Callable[[], Mapping[tuple[int, str], datetime]] = sync_runs_view.last_run_times,
        schedule: tuple[ScheduleEntry, ...] = SCHEDULE,
        maintenance: Callable[[], object] | None = None,
        locks: ScheduleLocks | None = None,
        can_sync: Callable[[], bool] = lambda: True,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        if time_scale <= 0:
            raise ValueError("time_scale must be positive")
        self._runner = runner
        self._time_scale = float(time_scale)
        self._now = now
        self._stores = stores
        self._last_runs = last_runs
        self._schedule = schedule
        self._maintenance = maintenance  # the daily retention job (sync/retention_job.py), not per store
        self._triggers: dict[JobKind, BaseTrigger] = {}
        self._checked_until: datetime | None = None
        self._aps: BackgroundScheduler | None = None
        self._locks = locks
        self._can_sync = can_sync  # False: a workspace station without the workspace key runs no schedule
        self._owned: set[int] = set()
        self._claim_timer = QTimer(self)
        self._claim_timer.setInterval(int(CLAIM_EVERY_S * 1000))
        self._claim_timer.timeout.connect(self.claim_schedules)
        self.job_due.connect(self.enqueue_due)

    @property
    def time_scale(self) -> float:
        return self._time_scale

    @time_scale.setter
    def time_scale(self, value: float) -> None:
        """Change the pace before ``start`` (demo mode decides it after the scheduler was built)."""
        if value <= 0:
            raise ValueError("time_scale must be positive")
        if self.is_running:
            raise RuntimeError("set the time scale before starting the scheduler")
        self._time_scale = float(value)

    @property
    def triggers(self) -> dict[JobKind, BaseTrigger]:
        """The trigger instances in use (built by ``start``)."""
        return dict(self._triggers)

    @property
    def is_running(self) -> bool:
        return self._aps is not None and self._aps.running

    def start(self, *, catch_up: bool = True, paused: bool = False) -> list[tuple[int, JobKind]]:
        """Build the triggers, start APScheduler's thread, catch up missed runs. Returns what catch-up queued.

        ``paused`` starts APScheduler without letting it fire (tests drive ``run_due`` with a fake clock).
        """
        now = self._now()
        self._triggers = {
            entry.kind: entry.trigger(now=now, time_scale=self._time_scale) for entry in self._schedule
        }
        self._checked_until = now
        aps = BackgroundScheduler(
            timezone=UTC,
            # After a sleep: a missed job runs once (coalesce) however late (no grace), never twice at once.
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        for kind, trigger in self._triggers.items():
            aps.add_job(self._fire, trigger=trigger, args=[kind.value], id=kind.value, name=JOB_TITLES[kind])
        if self._maintenance is not None:  # on APScheduler's thread: daily, and once a minute after start
            aps.add_job(
                self._maintenance,
                trigger=maintenance_trigger(now=now, time_scale=self._time_scale),
                id="retention",
                name="Buyer data retention",
                next_run_time=now + timedelta(minutes=1) / self._time_scale,
            )
        aps.start(paused=paused)
        self._aps = aps
        log.info("Scheduler started (time scale %g)", self._time_scale)
        if self._locks is None:
            self._locks = schedule_locks()
        self._scheduled_stores()
        if self._locks.shared and not paused:
            self._claim_timer.start()
        return self.catch_up(now) if catch_up else []

    def shutdown(self) -> None:
        self._claim_timer.stop()
        if self._aps is not None and self._aps.running:
            self._aps.shutdown(wait=False)
        self._aps = None
        if self._locks is not None:
            self._locks.release_all()  # another station takes the schedules over at its next claim
        self._owned = set()

    def _scheduled_stores(self) -> list[StoreRow]:
        """The connected stores whose schedule this station runs (all of them on this computer's database;
        on a shared workspace those whose schedule lock it holds, see ``db.pg_job_locks``). None while this
        station cannot sync (no workspace key): it leaves the schedules to a station that can, and claims them
        once it joined."""
        stores = self._stores()
        if self._locks is None:
            return stores
        if not self._can_sync():
            if self._owned:
                self._locks.release_all()
            self._owned = set()
            return []
        self._owned = self._locks.claim([store.id for store in stores])
        return [store for store in stores if store.id in self._owned]

    @Slot()
    def claim_schedules(self) -> list[tuple[int, JobKind]]:
        """Take over the schedule of every store no station runs (the one that did quit or crashed) and catch
        up what it missed; returns what was queued."""
        before = set(self._owned)
        stores = self._scheduled_stores()
        queued: list[tuple[int, JobKind]] = []
        for store in stores:
            if store.id not in before:
                log.info("Taking over the schedule of store %s", store.id)
                queued += self.catch_up(store_id=store.id)
        return queued

    def _fire(self, kind: str) -> None:
        # APScheduler's thread: no bookkeeping here, only a (queued) signal to the GUI thread.
        self.job_due.emit(kind)

    @Slot(str)
    def enqueue_due(self, kind: str) -> list[int]:
        """Enqueue ``kind`` for every connected store (what a trigger fire does); returns those queued."""
        job = JobKind(kind)
        queued: list[int] = []
        for store in self._scheduled_stores():
            if self._runner.enqueue(store.id, job, TRIGGER_SCHEDULE):
                queued.append(store.id)
                self.enqueued.emit(store.id, job.value, TRIGGER_SCHEDULE)
        return queued

    def catch_up(
        self, now: datetime | None = None, *, store_id: int | None = None
    ) -> list[tuple[int, JobKind]]:
        """Enqueue once every job a connected store missed: its last successful run is older than one period
        (interval jobs) or than the last cron fire (daily / 4x-daily jobs), or it never ran."""
        now = now or self._now()
        last = self._last_runs()
        queued: list[tuple[int, JobKind]] = []
        for store in self._scheduled_stores():
            if store_id is not None and store.id != store_id:
                continue
            for entry in self._schedule:
                if not is_overdue(
                    entry, last.get((store.id, entry.kind.value)), now, time_scale=self._time_scale
                ):
                    continue
                if self._runner.enqueue(store.id, entry.kind, TRIGGER_CATCH_UP):
                    queued.append((store.id, entry.kind))
                    self.enqueued.emit(store.id, entry.kind.value, TRIGGER_CATCH_UP)
        if queued:
            log.info("Catch-up queued %d missed job(s)", len(queued))
        return queued

    def run_due(self, now: datetime) -> list[tuple[datetime, JobKind]]:
        """Fire, in time order, every trigger fire since the previous call (or ``start``) up to ``now``.

        The fake-clock driver: same triggers as APScheduler, no waiting. Returns the fires it handled.
        """
        if not self._triggers or self._checked_until is None:
            raise RuntimeError("start() the scheduler first")
        fires = sorted(
            (fire, kind)
            for kind, trigger in self._triggers.items()
            for fire in fire_times(trigger, self._checked_until, now)
        )
        self._checked_until = max(self._checked_until, now)
        for _fire, kind in fires:
            self.enqueue_due(kind.value)
        return fires

    def next_run_times(self, now: datetime | None = None) -> dict[str, datetime | None]:
        """Next scheduled time per job name (APScheduler's when running, else computed from the triggers)."""
        now = now or self._now()
        out: dict[str, datetime | None] = {}
        for entry in self._schedule:
            when: datetime | None = None
            if self._aps is not None and self._aps.running and self._aps.state == STATE_RUNNING:  # not paused
                aps_job = self._aps.get_job(entry.kind.value)
                when = aps_job.next_run_time if aps_job is not None else None
            if when is None:
                trigger = self._triggers.get(entry.kind) or entry.trigger(
                    now=now, time_scale=self._time_scale
                )
                when = trigger.get_next_fire_time(None, now)
            out[entry.kind.value] = when
        return out

    def health(self, store_id: int | None = None) -> list[sync_runs_view.JobHealthRow]:
        """Per store and job: last run, result, counts, API calls, throttling and the next scheduled run."""
        return sync_runs_view.job_health(
            [entry.kind.value for entry in self._schedule], next_runs=self.next_run_times(), store_id=store_id
        )


class RunningJobs(Enqueuer, Protocol):
    def running(self) -> dict[int, JobKind]: ...


class ConfirmSoon(QObject):
    """Saving a package schedules the store's tracking push within a minute (``package_saved``).

    Saves close together go in one run: the push starts ``CONFIRM_QUIET_S`` after the last save, at most
    ``CONFIRM_MAX_WAIT_S`` after the first (Amazon seconds, divided by ``time_scale``). A push already queued
    takes the package along; one already running may have read its outbox before the save, so the request is
    repeated after it. The push itself goes through the rate limiter like any run; the 30-minute schedule
    stays as the safety net for what failed.
    """

    def __init__(
        self,
        runner: RunningJobs,
        *,
        time_scale: float = 1.0,
        can_sync: Callable[[], bool] = lambda: True,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self.time_scale = time_scale
        self._can_sync = (
            can_sync  # False: no workspace key here; the store's scheduled push sends the package
        )
        self._timers: dict[int, QTimer] = {}
        self._deadlines: dict[int, float] = {}  # store id -> monotonic deadline (real seconds)

    def _ms(self, amazon_seconds: float) -> int:
        return max(int(amazon_seconds / self.time_scale * 1000), 1)

    def pending(self, store_id: int) -> bool:
        timer = self._timers.get(store_id)
        return timer is not None and timer.isActive()

    @Slot(int)
    def package_saved(self, store_id: int) -> None:
        if not self._can_sync():  # a push from here could only fail (and show as failed on every station)
            return
        now = time.monotonic()
        timer = self._timers.get(store_id)
        if timer is None:
            timer = QTimer(self)
            timer.setSingleShot(True)
            timer.timeout.connect(lambda sid=store_id: self._fire(sid))
            self._timers[store_id] = timer
        if not timer.isActive():
            self._deadlines[store_id] = now + self._ms(CONFIRM_MAX_WAIT_S) / 1000
        left_ms = int((self._deadlines[store_id] - now) * 1000)
        timer.start(max(min(self._ms(CONFIRM_QUIET_S), left_ms), 1))

    def _fire(self, store_id: int) -> None:
        if self._runner.enqueue(store_id, JobKind.SHIPMENTS, TRIGGER_PACKAGE_SAVED):
            log.info("Tracking push queued for store %s after a saved package", store_id)
            return
        if self._runner.running().get(store_id) == JobKind.SHIPMENTS:
            self._timers[store_id].start(self._ms(CONFIRM_RETRY_S))  # read its outbox before the save?
