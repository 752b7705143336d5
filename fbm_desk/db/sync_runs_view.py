"""Read queries over ``sync_run`` (written by ``fbm_desk.db.sync_runs``): the sync log, last runs (catch-up),
per-store job health.

Rows are frozen dataclasses; timestamps are parsed to aware UTC datetimes. No Qt, no HTTP.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fbm_desk.db import dialect
from fbm_desk.db.states import SyncRunStatus
from fbm_desk.foundation.timestamps import parse_utc


@dataclass(frozen=True)
class SyncRunRow:
    """One recorded job run (a line of the sync log)."""

    id: int
    store_id: int | None
    store_name: str
    job: str
    trigger: str
    started_at: datetime
    finished_at: datetime | None
    status: str  # running | ok | failed | canceled
    fetched: int
    created: int
    updated: int
    skipped: int
    rejected: int
    api_calls: int
    throttled: int
    throttle_wait_s: float
    summary: str
    error: str

    @property
    def duration_s(self) -> float | None:
        if self.finished_at is None:
            return None
        return max(0.0, (self.finished_at - self.started_at).total_seconds())


@dataclass(frozen=True)
class JobHealthRow:
    """Health of one job of one store: what the Stores tab shows per store and job."""

    store_id: int
    store_name: str
    job: str
    last_run: SyncRunRow | None  # the most recent run, whatever its result
    last_ok_at: datetime | None  # when the last successful run started
    next_run_at: datetime | None  # from the scheduler; None when not scheduled

    @property
    def result(self) -> str:
        """``never`` | ``running`` | ``ok`` | ``failed`` | ``canceled``."""
        return self.last_run.status if self.last_run else "never"


_RUN_COLUMNS = (
    "r.id, r.store_id, s.name, r.job, r.trigger, r.started_at, r.finished_at, r.status, "
    "r.fetched, r.created, r.updated, r.skipped, r.rejected, r.api_calls, r.throttled, "
    "r.throttle_wait_s, r.summary, r.error"
)


def _row(values: Sequence[Any]) -> SyncRunRow:
    return SyncRunRow(
        id=int(values[0]),
        store_id=None if values[1] is None else int(values[1]),
        store_name=str(values[2] or ""),
        job=str(values[3]),
        trigger=str(values[4]),
        started_at=parse_utc(values[5]) or datetime.fromtimestamp(0, UTC),
        finished_at=parse_utc(values[6]),
        status=str(values[7]),
        fetched=int(values[8]),
        created=int(values[9]),
        updated=int(values[10]),
        skipped=int(values[11]),
        rejected=int(values[12]),
        api_calls=int(values[13]),
        throttled=int(values[14]),
        throttle_wait_s=float(values[15]),
        summary=str(values[16]),
        error=str(values[17]),
    )


def _query(sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    cursor = dialect.execute(sql, tuple(params))
    return [tuple(row) for row in cursor.fetchall()]


def recent_runs(limit: int = 500, *, store_id: int | None = None, job: str | None = None) -> list[SyncRunRow]:
    """The newest ``limit`` runs, newest first (the sync log). One indexed query."""
    where: list[str] = []
    params: list[Any] = []
    if store_id is not None:
        where.append("r.store_id = ?")
        params.append(store_id)
    if job is not None:
        where.append("r.job = ?")
        params.append(job)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    params.append(max(0, limit))
    sql = (
        f"SELECT {_RUN_COLUMNS} FROM sync_run r LEFT JOIN store s ON s.id = r.store_id "  # noqa: S608 - fixed text
        f"{clause} ORDER BY r.started_at DESC, r.id DESC LIMIT ?"
    )
    return [_row(values) for values in _query(sql, params)]


def last_run_times(*, statuses: Iterable[str] = (SyncRunStatus.OK,)) -> dict[tuple[int, str], datetime]:
    """Start time of the latest run per (store id, job) among runs with one of ``statuses`` (catch-up)."""
    wanted = list(statuses)
    if not wanted:
        return {}
    marks = ", ".join("?" for _ in wanted)
    sql = (
        "SELECT store_id, job, MAX(started_at) FROM sync_run "  # noqa: S608 - placeholders only
        f"WHERE store_id IS NOT NULL AND status IN ({marks}) GROUP BY store_id, job"
    )
    out: dict[tuple[int, str], datetime] = {}
    for store_id, job, last in _query(sql, wanted):
        parsed = parse_utc(last)
        if parsed is not None:
            out[(int(store_id), str(job))] = parsed
    return out


def _latest_runs(store_id: int | None) -> dict[tuple[int, str], SyncRunRow]:
    clause = "WHERE store_id IS NOT NULL" if store_id is None else "WHERE store_id = ?"
    params: list[Any] = [] if store_id is None else [store_id]
    sql = (
        f"SELECT {_RUN_COLUMNS} FROM sync_run r JOIN store s ON s.id = r.store_id "  # noqa: S608 - fixed text
        f"WHERE r.id IN (SELECT MAX(id) FROM sync_run {clause} GROUP BY store_id, job)"
    )
    out: dict[tuple[int, str], SyncRunRow] = {}
    for values in _query(sql, params):
        row = _row(values)
        if row.store_id is not None:
            out[(row.store_id, row.job)] = row
    return out


def job_health(
    jobs: Iterable[str],
    *,
    next_runs: Mapping[str, datetime | None] | None = None,
    store_id: int | None = None,
) -> list[JobHealthRow]:
    """One row per store (all, or ``store_id``) and job, in ``jobs`` order: last run, last success, next run.

    ``next_runs`` maps a job name to its next scheduled time (the scheduler knows it; the database does not).
    Three queries in total, whatever the number of stores.
    """
    job_names = list(jobs)
    if store_id is None:
        stores = _query("SELECT id, name FROM store ORDER BY lower(name)")
    else:
        stores = _query("SELECT id, name FROM store WHERE id = ?", [store_id])
    latest = _latest_runs(store_id)
    last_ok = last_run_times(statuses=(SyncRunStatus.OK,))
    upcoming = dict(next_runs or {})
    rows: list[JobHealthRow] = []
    for sid, name in stores:
        for job in job_names:
            rows.append(
                JobHealthRow(
                    store_id=int(sid),
                    store_name=str(name),
                    job=job,
                    last_run=latest.get((int(sid), job)),
                    last_ok_at=last_ok.get((int(sid), job)),
                    next_run_at=upcoming.get(job),
                )
            )
    return rows
