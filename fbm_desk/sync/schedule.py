"""The documented sync schedule: the one table of job kind -> when it runs, plus due-time arithmetic.

This is the single place the intervals live (issue "Sync engine", table "Jobs and schedules"). Triggers are
APScheduler trigger *instances* (``IntervalTrigger``, ``CronTrigger(timezone=UTC)``), never trigger names:
name lookup goes through entry points, which are missing in frozen builds.

Every function takes ``now`` explicitly, so the scheduler and its tests run on a fake clock. ``time_scale``
(demo mode) divides every period: with 60, "every 30 min" becomes every 30 s and the cron entries turn into
plain intervals of their nominal period / 60 (a day -> 24 min).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from fbm_desk.sync.base import JobKind


@dataclass(frozen=True)
class ScheduleEntry:
    """One row of the schedule table.

    ``period`` is the nominal distance between two runs (for cron entries: the cron's spacing); ``cron`` holds
    the ``CronTrigger`` fields for wall-clock schedules, or ``None`` for a plain interval.
    """

    kind: JobKind
    period: timedelta
    cron: tuple[tuple[str, str], ...] | None
    when: str  # how the schedule reads to a person (Stores tab, docs)

    def trigger(self, *, now: datetime, time_scale: float = 1.0) -> BaseTrigger:
        """A fresh APScheduler trigger for this entry (an interval fires first one period after ``now``)."""
        scale = _check_scale(time_scale)
        if self.cron is not None and scale == 1.0:
            return CronTrigger(timezone=UTC, **dict(self.cron))
        interval = self.period / scale
        return IntervalTrigger(seconds=interval.total_seconds(), start_date=now + interval, timezone=UTC)


# Order matters: catch-up at start enqueues in this order, so a new store gets its listings before its orders.
SCHEDULE: tuple[ScheduleEntry, ...] = (
    ScheduleEntry(
        JobKind.PRODUCTS_FULL,
        timedelta(days=1),
        (("hour", "0"), ("minute", "0")),
        "daily at 00:00 UTC",
    ),
    ScheduleEntry(JobKind.PRODUCTS, timedelta(minutes=30), None, "every 30 min"),
    ScheduleEntry(JobKind.ORDERS, timedelta(minutes=30), None, "every 30 min"),
    ScheduleEntry(
        JobKind.ORDERS_SWEEP,
        timedelta(hours=6),
        (("hour", "0,6,12,18"), ("minute", "15")),
        "4 times a day (00:15, 06:15, 12:15, 18:15 UTC)",
    ),
    ScheduleEntry(JobKind.INVENTORY, timedelta(minutes=20), None, "every 20 min"),
    ScheduleEntry(JobKind.SHIPMENTS, timedelta(minutes=30), None, "every 30 min"),
)


def maintenance_trigger(*, now: datetime, time_scale: float = 1.0) -> BaseTrigger:
    """Not a store's job: buyer data retention (sync/retention_job.py), daily at 03:30 UTC for the database
    (demo pace: every 24 h / time_scale)."""
    scale = _check_scale(time_scale)
    if scale == 1.0:
        return CronTrigger(timezone=UTC, hour="3", minute="30")
    interval = timedelta(days=1) / scale
    return IntervalTrigger(seconds=interval.total_seconds(), start_date=now + interval, timezone=UTC)


SCHEDULE_BY_KIND: dict[JobKind, ScheduleEntry] = {entry.kind: entry for entry in SCHEDULE}


def _check_scale(time_scale: float) -> float:
    scale = float(time_scale)
    if scale <= 0:
        raise ValueError("time_scale must be positive")
    return scale


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def fire_times(trigger: BaseTrigger, start: datetime, end: datetime) -> Iterator[datetime]:
    """Every time ``trigger`` fires in ``(start, end]``, computed (no waiting), as UTC datetimes."""
    start, end = _utc(start), _utc(end)
    previous: datetime | None = None
    probe = start + timedelta(microseconds=1)
    while True:
        fire: datetime | None = trigger.get_next_fire_time(previous, probe)
        if fire is None:
            return
        fire = _utc(fire)
        if fire > end:
            return
        if fire > start:
            yield fire
        previous = fire
        probe = fire


def last_fire_time(entry: ScheduleEntry, now: datetime, *, time_scale: float = 1.0) -> datetime:
    """The most recent time ``entry`` was due at or before ``now``.

    For a cron entry that is the last cron fire (e.g. today 00:00 UTC for the daily import); for an interval
    entry it is ``now - period`` (a run older than one period is overdue).
    """
    now = _utc(now)
    scale = _check_scale(time_scale)
    if entry.cron is None or scale != 1.0:
        return now - entry.period / scale
    trigger = entry.trigger(now=now)
    # The last fire lies within one period (plus a margin for DST-free UTC rounding) before now.
    window_start = now - entry.period - timedelta(minutes=1)
    last = window_start
    for fire in fire_times(trigger, window_start, now):
        last = fire
    return last


def is_overdue(
    entry: ScheduleEntry, last_run: datetime | None, now: datetime, *, time_scale: float = 1.0
) -> bool:
    """True when a store whose last run of ``entry.kind`` started at ``last_run`` missed a scheduled run.

    Used once at start to catch up after the laptop slept or the app was closed: never run -> overdue; an
    interval job -> last run older than one period; a cron job -> last run before the last cron fire.
    """
    if last_run is None:
        return True
    threshold = last_fire_time(entry, now, time_scale=time_scale)
    return _utc(last_run) < threshold
