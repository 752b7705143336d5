"""The run log (``sync_run``): one row per job run and store, written by ``fbm_desk.sync.execute``."""

from __future__ import annotations

from typing import Any

import peewee as pw

from fbm_desk.db.domain_rows import SyncRunRow
from fbm_desk.db.models import Store, SyncRun, utcnow_iso

MAX_REQUEST_IDS = 5  # the last few x-amzn-RequestId values, for support


def start_run(store_id: int | None, job: str, trigger: str, started_at: str | None = None) -> int:
    """Insert a ``running`` row; returns its id."""
    run = SyncRun.create(store=store_id, job=job, trigger=trigger, started_at=started_at or utcnow_iso())
    return int(run.id)


def finish_run(run_id: int, status: str, **fields: Any) -> None:
    """Record the outcome (status ok|failed|canceled, counters, request ids, summary, error)."""
    ids = fields.pop("request_ids", None)
    if ids is not None and not isinstance(ids, str):
        fields["request_ids"] = " ".join(list(ids)[-MAX_REQUEST_IDS:])
    elif isinstance(ids, str):
        fields["request_ids"] = ids
    SyncRun.update(status=status, finished_at=utcnow_iso(), **fields).where(SyncRun.id == run_id).execute()


def _row(r: SyncRun, store_name: str) -> SyncRunRow:
    return SyncRunRow(
        id=r.id,
        store_id=r.store_id,
        store_name=store_name,
        job=r.job,
        trigger=r.trigger,
        started_at=r.started_at,
        finished_at=r.finished_at,
        status=r.status,
        fetched=r.fetched,
        created=r.created,
        updated=r.updated,
        skipped=r.skipped,
        rejected=r.rejected,
        api_calls=r.api_calls,
        throttled=r.throttled,
        throttle_wait_s=float(r.throttle_wait_s),
        request_ids=r.request_ids,
        summary=r.summary,
        error=r.error,
    )


def get_run(run_id: int) -> SyncRunRow | None:
    r = SyncRun.get_or_none(SyncRun.id == run_id)
    if r is None:
        return None
    store = Store.get_or_none(Store.id == r.store_id) if r.store_id else None
    return _row(r, store.name if store else "")


def list_runs(store_id: int | None = None, job: str | None = None, limit: int = 100) -> list[SyncRunRow]:
    """Most recent runs first (optionally of one store and/or job)."""
    query = (
        SyncRun.select(SyncRun, Store.name.alias("store_name"))
        .join(Store, pw.JOIN.LEFT_OUTER, on=(SyncRun.store == Store.id))
        .order_by(SyncRun.started_at.desc(), SyncRun.id.desc())
        .limit(limit)
    )
    if store_id is not None:
        query = query.where(SyncRun.store == store_id)
    if job is not None:
        query = query.where(SyncRun.job == job)
    return [_row(r, getattr(r, "store_name", None) or "") for r in query.objects()]


def last_run(store_id: int, job: str, status: str | None = None) -> SyncRunRow | None:
    """The latest run of a job for a store (optionally only with a given status)."""
    query = SyncRun.select().where((SyncRun.store == store_id) & (SyncRun.job == job))
    if status is not None:
        query = query.where(SyncRun.status == status)
    r = query.order_by(SyncRun.started_at.desc(), SyncRun.id.desc()).first()
    if r is None:
        return None
    store = Store.get_or_none(Store.id == store_id)
    return _row(r, store.name if store else "")


def mark_interrupted_runs() -> int:
    """Runs left ``running`` by a process that died: mark them failed (called at start-up)."""
    return int(
        SyncRun.update(
            status="failed", finished_at=utcnow_iso(), error="Interrupted (the app or command stopped)."
        )
        .where(SyncRun.status == "running")
        .execute()
    )
