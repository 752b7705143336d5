"""The run log (``sync_run``): one row per job run and store, written by ``fbm_desk.sync.execute``.

Writes only; every read of the log (sync log, last runs, job health) is in ``fbm_desk.db.sync_runs_view``.
"""

from __future__ import annotations

import os
import socket
from typing import Any

from fbm_desk.db.models import SyncRun, utcnow_iso
from fbm_desk.db.states import SyncRunStatus
from fbm_desk.db.station_locks import job_running
from fbm_desk.foundation.process import process_start

MAX_REQUEST_IDS = 5  # the last few x-amzn-RequestId values, for support


def start_run(store_id: int | None, job: str, trigger: str, started_at: str | None = None) -> int:
    """Insert a ``running`` row; returns its id."""
    pid = os.getpid()
    run = SyncRun.create(
        store=store_id,
        job=job,
        trigger=trigger,
        started_at=started_at or utcnow_iso(),
        pid=pid,
        process_start=process_start(pid),
        host=socket.gethostname(),
    )
    return int(run.id)


def finish_run(run_id: int, status: str, **fields: Any) -> None:
    """Record the outcome (status ok|failed|canceled, counters, request ids, summary, error)."""
    ids = fields.pop("request_ids", None)
    if ids is not None and not isinstance(ids, str):
        fields["request_ids"] = " ".join(list(ids)[-MAX_REQUEST_IDS:])
    elif isinstance(ids, str):
        fields["request_ids"] = ids
    SyncRun.update(status=status, finished_at=utcnow_iso(), **fields).where(SyncRun.id == run_id).execute()


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    except OSError:  # e.g. Windows without that process
        return False
    return True


def _still_running(pid: int, started: str) -> bool:
    """Is the process that wrote the row still there? Its pid alone is not proof: once it ended, the pid may
    belong to another process, told apart by its start (where known)."""
    if not _alive(pid):
        return False
    if pid == os.getpid() or not started:
        return True
    now = process_start(pid)
    return not now or now == started


def _interrupted(pid: int, started: str, host: str, store_id: int | None) -> bool:
    """On this computer: its process is gone. Another station's run (a shared workspace): no session holds
    its store's job lock any more (a run holds it from start to end; the server drops the lock of a station
    that quit, crashed or vanished)."""
    if host in ("", socket.gethostname()):
        return not _still_running(pid, started)
    return store_id is not None and not job_running(store_id)


def mark_interrupted_runs() -> int:
    """Runs left ``running`` by a process that is gone: mark them failed. Called when the services open;
    runs of live processes (the app and a CLI sync side by side, other stations of a workspace) are left alone."""
    stale = [
        run.id
        for run in SyncRun.select(
            SyncRun.id, SyncRun.pid, SyncRun.process_start, SyncRun.host, SyncRun.store
        ).where(SyncRun.status == SyncRunStatus.RUNNING)
        if _interrupted(int(run.pid), str(run.process_start), str(run.host), run.store_id)
    ]
    if not stale:
        return 0
    return int(
        SyncRun.update(
            status=SyncRunStatus.FAILED,
            finished_at=utcnow_iso(),
            error="Interrupted (the app or command stopped).",
        )
        .where(SyncRun.id.in_(stale))
        .execute()
    )
