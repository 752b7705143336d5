"""Run one job for one store: the run log row, the client, error mapping and the API counters.

The same function serves the CLI (``fbm-desk sync``) and the GUI runner (on a worker thread). Known errors
(``FbmError``) end the run as failed with their user message; an Amazon authorization that was revoked or
denied puts the store into ``needs_reconnect``; anything else is a bug, logged with its traceback.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from fbm_desk.amazon.errors import AccessDenied, AuthorizationRevoked, Cancelled
from fbm_desk.db import stores as store_db
from fbm_desk.db import sync_runs
from fbm_desk.db.errors import StorageProblem, busy_error, classify, storage_error
from fbm_desk.db.job_locks import (
    Holder,
    LockWaitCancelled,
    LockWaitTimedOut,
    hold_store_job,
    runs_of_other_stores_here,
)
from fbm_desk.db.rows import StoreRow
from fbm_desk.db.states import StoreStatus, SyncRunStatus
from fbm_desk.db.station_locks import job_lock_backend
from fbm_desk.db.stock_summary import refresh_stock_summary_quietly
from fbm_desk.foundation.errors import DatabaseError, FbmError, NotFound
from fbm_desk.foundation.timestamps import iso_utc
from fbm_desk.sync.base import Counts, JobCancelled, JobContext, JobKind, ProgressFn, SyncResult, utcnow
from fbm_desk.sync.jobs import job_for

if TYPE_CHECKING:
    from fbm_desk.core import CoreServices

log = logging.getLogger(__name__)

__all__ = ["job_for", "run_job"]


def _inactive_message(store: StoreRow) -> str:
    if store.status == StoreStatus.DISABLED:
        return f"Store '{store.name}' is disabled; enable it to sync."
    detail = f" ({store.status_message})" if store.status_message else ""
    return f"Store '{store.name}' needs to be reconnected to Amazon{detail}. Use Reconnect on the Stores tab."


def _storage_error(exc: BaseException, store_id: int) -> DatabaseError | None:
    """A storage failure's user message; "busy" names our own other jobs when they were the writers."""
    if classify(exc) is StorageProblem.BUSY:
        try:
            return busy_error(own_jobs=runs_of_other_stores_here(store_id))
        except Exception:  # reading the lock table failed too: the general message
            return busy_error(own_jobs=False)
    return storage_error(exc)


def run_job(
    core: CoreServices,
    store: StoreRow,
    kind: JobKind,
    *,
    trigger: str = "manual",
    cancel: threading.Event | None = None,
    progress: ProgressFn | None = None,
    now: Callable[[], datetime] | None = None,
    on_wait: Callable[[Holder], None] | None = None,
) -> SyncResult:
    """Run ``kind`` for ``store`` and record it in ``sync_run``; never raises for known errors.

    At most one run of a store runs at a time in all processes (``db.job_locks``): this one waits for another
    run of the store; when that is a run of the same job, it covers this one (``covered_by_other_run``).
    """
    kind = JobKind(kind)
    cancel = cancel or threading.Event()
    try:
        fresh = store_db.get_store(store.id)  # the row may have changed since the caller read it
    except NotFound:
        return SyncResult(job=kind.value, store=store.name, status="failed", error="The store was removed.")
    failed = functools.partial(SyncResult, job=kind.value, store=fresh.name, status="failed")
    if fresh.removing:  # its token is gone and its rows are going (db/store_removal.py)
        return failed(error="The store is being removed from this computer.")
    try:
        with hold_store_job(
            fresh.id, kind.value, backend=job_lock_backend(), cancel=cancel, on_wait=on_wait
        ) as grant:
            if grant.covered and grant.other is not None:
                log.info(
                    "%s for store %s: covered by the run of pid %s", kind.value, fresh.id, grant.other.pid
                )
                return SyncResult(
                    job=kind.value,
                    store=fresh.name,
                    status="ok",
                    summary=f"Covered by the {grant.other.job} run started {grant.other.acquired_at} "
                    f"(process {grant.other.pid} on {grant.other.host}), which was running at the same time.",
                    covered_by_other_run=True,
                    covered_by_station=grant.other.host,
                )
            return _run_locked(core, fresh, kind, trigger, cancel, progress, now or utcnow)
    except LockWaitCancelled:
        return SyncResult(
            job=kind.value,
            store=fresh.name,
            status=SyncRunStatus.CANCELED,
            error="Stopped: the job was cancelled.",
        )
    except LockWaitTimedOut as exc:
        return failed(
            error=f"Another run of store '{fresh.name}' ({exc.holder.job}, process {exc.holder.pid}) is still "
            "running; try again when it has finished."
        )
    except Exception as exc:  # the lock's own transactions: full disk, read-only folder...
        known = _storage_error(exc, fresh.id)
        if known is None:
            raise
        return failed(error=known.user_message)


def _run_locked(
    core: CoreServices,
    fresh: StoreRow,
    kind: JobKind,
    trigger: str,
    cancel: threading.Event,
    progress: ProgressFn | None,
    clock: Callable[[], datetime],
) -> SyncResult:
    run_id = sync_runs.start_run(fresh.id, kind.value, trigger, iso_utc(clock()))
    counts = Counts()
    client = None
    status, error = "ok", ""
    try:
        if not fresh.is_active:
            raise FbmError(_inactive_message(fresh))
        client = core.client_for(fresh, cancel)
        ctx = JobContext(core=core, store=fresh, client=client, cancel=cancel, now=clock)
        if progress is not None:
            ctx.progress = progress
        job_for(kind).run(ctx, counts)
    except (JobCancelled, Cancelled):
        status, error = SyncRunStatus.CANCELED, "Stopped: the job was cancelled."
    except (AuthorizationRevoked, AccessDenied) as exc:
        status, error = "failed", exc.user_message
        store_db.set_status(fresh.id, StoreStatus.NEEDS_RECONNECT, exc.user_message)
        log.warning("%s for store %s: authorization problem, store needs reconnecting", kind.value, fresh.id)
    except FbmError as exc:
        status, error = "failed", exc.user_message
        log.info("%s for store %s failed: %s", kind.value, fresh.id, exc.user_message)
    except Exception as exc:
        status = "failed"
        known = _storage_error(exc, fresh.id)
        if known is not None:  # full disk, locked file...: the page in flight was rolled back
            error = known.user_message
            log.error("%s for store %s stopped: %s (%s)", kind.value, fresh.id, known.user_message, exc)
        else:
            error = f"Internal error ({type(exc).__name__}); details are in the log file."
            log.exception("Bug in %s job for store %s", kind.value, fresh.id)
    # What the job wrote (orders, listings, pushes) reaches the Inventory tab's kept rows here, off the GUI thread.
    refresh_stock_summary_quietly()
    stats = client.stats if client is not None else None
    summary = "; ".join(counts.notes)
    result = SyncResult(
        job=kind.value,
        store=fresh.name,
        status=status,
        fetched=counts.fetched,
        created=counts.created,
        updated=counts.updated,
        skipped=counts.skipped,
        rejected=counts.rejected,
        api_calls=stats.api_calls if stats else 0,
        throttled=stats.throttled if stats else 0,
        throttle_wait_s=round(stats.throttle_wait_s, 3) if stats else 0.0,
        error=error,
        summary=summary,
        run_id=run_id,
    )
    try:
        sync_runs.finish_run(
            run_id,
            status,
            fetched=result.fetched,
            created=result.created,
            updated=result.updated,
            skipped=result.skipped,
            rejected=result.rejected,
            api_calls=result.api_calls,
            throttled=result.throttled,
            throttle_wait_s=result.throttle_wait_s,
            request_ids=list(stats.request_ids) if stats else [],
            summary=summary,
            error=error,
        )
    except Exception:  # the run's outcome matters more than its log row
        log.exception("Could not record the end of run %s", run_id)
    return result
