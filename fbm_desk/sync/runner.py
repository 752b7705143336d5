"""The job runner: one queue per store, at most one job per store at a time, on a ``QThreadPool``.

Threading rules (see the architecture notes, "Background work"):
- ``JobRunner`` lives on the GUI thread, and so does all queue bookkeeping (``_queues``, ``_running``): it is
  only touched by methods called on the GUI thread and by slots that workers reach through *queued* signals.
  Hence no locks.
- A worker looks up the store and calls the job function on its pool thread (peewee gives every thread its own
  SQLite connection, closed again when the job ends). Jobs contain no Qt; the worker reports back only through
  the runner's private signals, which Qt delivers on the GUI thread, where the public signals are emitted.
- Cancel sets a ``threading.Event`` the job checks between pages and the HTTP layer checks between requests.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from fbm_desk.db import stores as store_db
from fbm_desk.db.rows import StoreRow
from fbm_desk.db.states import StoreStatus, SyncRunStatus
from fbm_desk.db.transactions import close_thread_connection
from fbm_desk.foundation.errors import FbmError
from fbm_desk.sync.base import JobKind, ProgressFn, SyncResult

if TYPE_CHECKING:
    from fbm_desk.core import CoreServices

log = logging.getLogger(__name__)

PROGRESS_INTERVAL_S = 0.1  # at most ~10 progress signals per second per job reach the GUI thread


class RunJobFn(Protocol):
    """The signature of ``fbm_desk.sync.execute.run_job`` (tests inject a fake with the same shape)."""

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
    ) -> SyncResult: ...


@dataclass
class QueuedJob:
    """A job waiting or running for one store. Owned by the GUI thread; the worker only reads it."""

    store_id: int
    kind: JobKind
    trigger: str
    cancel: threading.Event = field(default_factory=threading.Event)
    started: float | None = None


def _default_job_fn() -> RunJobFn:
    from fbm_desk.sync.execute import run_job

    fn: RunJobFn = run_job
    return fn


class _Worker(QRunnable):
    def __init__(self, body: Callable[[], None]) -> None:
        super().__init__()
        self._body = body
        self.setAutoDelete(True)

    def run(self) -> None:
        self._body()


class JobRunner(QObject):
    """Runs sync jobs in the background. Create, use and delete it on the GUI thread.

    Signals (all emitted on the GUI thread):
    - ``job_started(store_id, kind)``
    - ``job_progress(store_id, kind, message, done, total)``; ``done``/``total`` are -1 when unknown
    - ``job_finished(store_id, kind, SyncResult)``: the run completed (``status`` "ok") or was cancelled
      (``status`` "canceled")
    - ``job_failed(store_id, kind, SyncResult)``: the run could not complete; ``result.error`` says why
    - ``store_needs_reconnect(store_id, message)``: Amazon refused the store's authorization
    - ``idle()``: no job is running or queued any more
    """

    job_started = Signal(int, str)
    job_progress = Signal(int, str, str, int, int)
    job_finished = Signal(int, str, object)
    job_failed = Signal(int, str, object)
    store_needs_reconnect = Signal(int, str)
    idle = Signal()

    # Worker -> GUI thread. The receiver (self) lives on the GUI thread, so these connections are queued.
    _w_started = Signal(object)
    _w_progress = Signal(object, str, int, int)
    _w_done = Signal(object, object, str)

    def __init__(
        self,
        core: CoreServices,
        *,
        job_fn: RunJobFn | None = None,
        max_threads: int = 4,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._core = core
        self._job_fn: RunJobFn = job_fn or _default_job_fn()
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max(1, max_threads))
        self._queues: dict[int, deque[QueuedJob]] = {}
        self._running: dict[int, QueuedJob] = {}
        self._closed = False
        self._w_started.connect(self._on_started)
        self._w_progress.connect(self._on_progress)
        self._w_done.connect(self._on_done)

    # ----- public API (GUI thread) -------------------------------------------------------------------------
    def sync_blocked(self) -> str:
        """Why this station cannot sync ("" when it can): a workspace station without the workspace key."""
        return self._core.credentials.sync_blocked()

    def enqueue(self, store_id: int, kind: JobKind | str, trigger: str = "manual") -> bool:
        """Queue ``kind`` for a store. False when the same job is already queued or running (coalesced)."""
        if self._closed:
            return False
        kind = JobKind(kind)
        current = self._running.get(store_id)
        if current is not None and current.kind == kind and not current.cancel.is_set():
            return False
        queue = self._queues.setdefault(store_id, deque())
        if any(job.kind == kind for job in queue):
            return False
        queue.append(QueuedJob(store_id=store_id, kind=kind, trigger=trigger))
        self._pump(store_id)
        return True

    def cancel(self, store_id: int, kind: JobKind | str | None = None) -> int:
        """Cancel the store's running job and drop its queued ones (only ``kind`` when given).

        Returns how many jobs were affected. The running job stops within one request and reports
        ``job_finished`` with status "canceled".
        """
        wanted = JobKind(kind) if kind is not None else None
        count = 0
        queue = self._queues.get(store_id)
        if queue:
            keep = deque(job for job in queue if wanted is not None and job.kind != wanted)
            count += len(queue) - len(keep)
            self._queues[store_id] = keep
        current = self._running.get(store_id)
        if current is not None and (wanted is None or current.kind == wanted) and not current.cancel.is_set():
            current.cancel.set()
            count += 1
        self._emit_idle_if_done()
        return count

    def is_busy(self, store_id: int) -> bool:
        return store_id in self._running or bool(self._queues.get(store_id))

    def running(self) -> dict[int, JobKind]:
        """The job running now per store id."""
        return {store_id: job.kind for store_id, job in self._running.items()}

    def queued(self, store_id: int) -> list[JobKind]:
        return [job.kind for job in self._queues.get(store_id, ())]

    def is_idle(self) -> bool:
        return not self._running and not any(self._queues.values())

    def shutdown(self, timeout: float = 10.0) -> bool:
        """Refuse new jobs, cancel all and wait up to ``timeout`` seconds. True when every worker ended."""
        self._closed = True
        for queue in self._queues.values():
            queue.clear()
        for job in self._running.values():
            job.cancel.set()
        done = bool(self._pool.waitForDone(max(0, int(timeout * 1000))))
        if not done:
            log.warning("Sync jobs still running after %.0f s at shutdown", timeout)
        return done

    # ----- scheduling (GUI thread) -------------------------------------------------------------------------
    def _pump(self, store_id: int) -> None:
        if self._closed or store_id in self._running:
            return
        queue = self._queues.get(store_id)
        if not queue:
            return
        job = queue.popleft()
        self._running[store_id] = job
        self._pool.start(_Worker(lambda: self._work(job)))

    def _emit_idle_if_done(self) -> None:
        if self.is_idle():
            self.idle.emit()

    @Slot(object)
    def _on_started(self, job: QueuedJob) -> None:
        self.job_started.emit(job.store_id, job.kind.value)

    @Slot(object, str, int, int)
    def _on_progress(self, job: QueuedJob, message: str, done: int, total: int) -> None:
        if self._running.get(job.store_id) is job:
            self.job_progress.emit(job.store_id, job.kind.value, message, done, total)

    @Slot(object, object, str)
    def _on_done(self, job: QueuedJob, result: SyncResult, reconnect_message: str) -> None:
        if self._running.get(job.store_id) is job:
            del self._running[job.store_id]
        if reconnect_message:  # first, so listeners know the failure that follows is an authorization one
            self.store_needs_reconnect.emit(job.store_id, reconnect_message)
        if result.status == "failed":
            self.job_failed.emit(job.store_id, job.kind.value, result)
        else:
            self.job_finished.emit(job.store_id, job.kind.value, result)
        self._pump(job.store_id)
        self._emit_idle_if_done()

    # ----- worker thread -----------------------------------------------------------------------------------
    def _work(self, job: QueuedJob) -> None:
        job.started = time.monotonic()
        self._w_started.emit(job)
        last_emit = 0.0

        def progress(message: str, done: int | None, total: int | None) -> None:
            nonlocal last_emit
            now = time.monotonic()
            final = done is not None and total is not None and done >= total
            if final or now - last_emit >= PROGRESS_INTERVAL_S:
                last_emit = now
                self._w_progress.emit(
                    job, message, -1 if done is None else done, -1 if total is None else total
                )

        store: StoreRow | None = None
        reconnect = ""
        try:
            store = store_db.get_store(job.store_id)
            if job.cancel.is_set():
                result = SyncResult(job=job.kind.value, store=store.name, status=SyncRunStatus.CANCELED)
            else:
                result = self._job_fn(
                    self._core, store, job.kind, trigger=job.trigger, cancel=job.cancel, progress=progress
                )
            if result.status == "failed":
                after = store_db.get_store(job.store_id)
                if after.status == StoreStatus.NEEDS_RECONNECT:
                    reconnect = after.status_message or result.error or "Reconnect the store."
        except FbmError as exc:
            result = SyncResult(
                job=job.kind.value,
                store=store.name if store else f"#{job.store_id}",
                status="failed",
                error=str(exc),
            )
        except Exception as exc:  # a bug: keep the runner alive, log the traceback, report the run as failed
            log.exception("Sync job %s for store #%d crashed", job.kind.value, job.store_id)
            result = SyncResult(
                job=job.kind.value,
                store=store.name if store else f"#{job.store_id}",
                status="failed",
                error=f"Internal error ({type(exc).__name__}); details are in the log file.",
            )
        finally:
            self._close_thread_connection()
        self._w_done.emit(job, result, reconnect)

    def _close_thread_connection(self) -> None:
        # Pool threads come and go; close this thread's SQLite connection rather than leak it.
        try:
            close_thread_connection()
        except Exception:  # pragma: no cover - closing must never turn a result into a crash
            log.debug("closing the worker's database connection failed", exc_info=True)
