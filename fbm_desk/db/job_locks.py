"""One job of a store at a time, across every process that opens the database (the app and CLI commands).

The lock is the database's own: a ``job_lock`` row per store, claimed inside a ``BEGIN IMMEDIATE`` transaction
(so two claimers are serialised by SQLite's write lock), owned by (host, pid, process start time), renewed by a
heartbeat thread and released when the run ends. A holder is taken over when its lease ran out (it hung or its
computer went away) or, on this host, when its process is gone (crash, SIGKILL) — the start time tells a reused
pid from the holder.

``JobLockBackend`` is the interface the rest of the app depends on; ``SqliteJobLocks`` implements it on the
SQLite file. A PostgreSQL workspace replaces it with session advisory locks (``pg_try_advisory_lock(store id)``
plus a row naming the holder) behind the same three calls; ``hold_store_job`` (waiting, "covered by another
run", heartbeat) stays as it is.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from fbm_desk.db.models import JobLock, utcnow_iso
from fbm_desk.db.transactions import close_thread_connection, transaction

log = logging.getLogger(__name__)

LEASE_S = 60.0  # a holder that has not renewed for this long is taken over
HEARTBEAT_S = 15.0
POLL_S = 0.1  # how often a waiting run looks again (a claim is one short transaction)
DEFAULT_WAIT_S = 600.0  # how long a run waits for another run of its store before giving up


def _process_start(pid: int) -> float:
    """The start time of process ``pid`` in clock ticks since boot (Linux), 0.0 when unknown."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
        return float(fields[19])  # field 22 of stat; fields[0] is field 3 (state)
    except (OSError, IndexError, ValueError):
        return 0.0


def process_alive(pid: int, started: float) -> bool:
    """True when ``pid`` runs and (where the start time is known) is the same process that was recorded."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        pass
    except OSError:
        return False
    current = _process_start(pid)
    return not (started and current and current != started)


@dataclass(frozen=True)
class Owner:
    """Who claims a lock: this process (one owner per process; runs of one store never overlap within it)."""

    host: str
    pid: int
    process_started: float

    @property
    def token(self) -> str:
        return f"{self.host}:{self.pid}:{self.process_started:.0f}"

    @staticmethod
    def current() -> Owner:
        pid = os.getpid()
        return Owner(host=socket.gethostname(), pid=pid, process_started=_process_start(pid))


@dataclass(frozen=True)
class Holder:
    """The run that holds a store's lock, as another run sees it."""

    job: str
    host: str
    pid: int
    acquired_at: str

    @property
    def in_this_process(self) -> bool:
        return self.host == socket.gethostname() and self.pid == os.getpid()


class JobLockBackend(Protocol):
    """The database's lock primitive (SQLite rows today; PostgreSQL advisory locks for a shared workspace)."""

    def try_claim(self, store_id: int, job: str, owner: Owner) -> Holder | None:
        """Claim the store's lock for ``owner``; None when claimed, else the live holder."""
        ...

    def renew(self, store_id: int, owner: Owner) -> bool:
        """Extend ``owner``'s lease; False when the lock is no longer ``owner``'s."""
        ...

    def release(self, store_id: int, owner: Owner) -> None: ...


class SqliteJobLocks:
    """``JobLockBackend`` on the ``job_lock`` table; every call is one short write transaction."""

    def __init__(self, clock: Callable[[], float] = time.time, lease_s: float = LEASE_S) -> None:
        self._clock = clock
        self._lease_s = lease_s

    def _stale(self, row: JobLock, now: float) -> bool:
        if float(row.lease_until) < now:
            return True
        return str(row.host) == socket.gethostname() and not process_alive(
            int(row.pid), float(row.process_started)
        )

    def try_claim(self, store_id: int, job: str, owner: Owner) -> Holder | None:
        now = self._clock()
        with transaction(immediate=True):
            row = JobLock.get_or_none(JobLock.store == store_id)
            if row is not None and str(row.owner) != owner.token and not self._stale(row, now):
                return Holder(str(row.job), str(row.host), int(row.pid), str(row.acquired_at))
            if row is not None and str(row.owner) != owner.token:
                log.warning(
                    "Store %s: taking over the job lock of %s (pid %s on %s): its process is gone or silent",
                    store_id, row.job, row.pid, row.host,
                )  # fmt: skip
            JobLock.insert(
                store=store_id,
                job=job,
                owner=owner.token,
                host=owner.host,
                pid=owner.pid,
                process_started=owner.process_started,
                acquired_at=utcnow_iso(),
                lease_until=now + self._lease_s,
            ).on_conflict(
                conflict_target=[JobLock.store],
                preserve=[
                    JobLock.job,
                    JobLock.owner,
                    JobLock.host,
                    JobLock.pid,
                    JobLock.process_started,
                    JobLock.acquired_at,
                    JobLock.lease_until,
                ],
            ).execute()
        return None

    def renew(self, store_id: int, owner: Owner) -> bool:
        with transaction(immediate=True):
            changed = (
                JobLock.update(lease_until=self._clock() + self._lease_s)
                .where((JobLock.store == store_id) & (JobLock.owner == owner.token))
                .execute()
            )
        return bool(changed)

    def release(self, store_id: int, owner: Owner) -> None:
        with transaction(immediate=True):
            JobLock.delete().where((JobLock.store == store_id) & (JobLock.owner == owner.token)).execute()


def runs_of_other_stores_here(store_id: int) -> bool:
    """True when this process runs a job of another store right now (a "busy" database is then our own doing,
    not another window's)."""
    rows = JobLock.select().where(JobLock.store != store_id)
    return any(Holder(str(r.job), str(r.host), int(r.pid), str(r.acquired_at)).in_this_process for r in rows)


class LockWaitCancelled(Exception):
    """The run was cancelled while it waited for another run of its store."""


class LockWaitTimedOut(Exception):
    """Another run of the store (a different job) held the lock for longer than the wait allows."""

    def __init__(self, holder: Holder) -> None:
        super().__init__(f"{holder.job} (pid {holder.pid})")
        self.holder = holder


@dataclass(frozen=True)
class Grant:
    """What ``hold_store_job`` found: ``covered`` = a run of the same job ran meanwhile, so this one is not run."""

    covered: bool
    other: Holder | None  # the run this one waited for, if any


class _Heartbeat:
    def __init__(self, backend: JobLockBackend, store_id: int, owner: Owner, every_s: float) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run,
            args=(backend, store_id, owner, every_s),
            name=f"job-lock-{store_id}",
            daemon=True,
        )
        self._thread.start()

    def _run(self, backend: JobLockBackend, store_id: int, owner: Owner, every_s: float) -> None:
        try:
            while not self._stop.wait(every_s):
                try:
                    if not backend.renew(store_id, owner):
                        log.warning("Store %s: the job lock was taken over while this run held it", store_id)
                except Exception:  # a busy or full database: the next beat tries again
                    log.warning("Store %s: could not renew the job lock", store_id, exc_info=True)
        finally:
            close_thread_connection()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


@contextmanager
def hold_store_job(
    store_id: int,
    job: str,
    *,
    backend: JobLockBackend | None = None,
    wait_s: float = DEFAULT_WAIT_S,
    cancel: threading.Event | None = None,
    on_wait: Callable[[Holder], None] | None = None,
    heartbeat_s: float = HEARTBEAT_S,
) -> Iterator[Grant]:
    """Hold the store's job lock for the block (at most one run of a store at a time, in any process).

    When another run holds it, wait (polling, interruptible by ``cancel``; ``on_wait`` is told once whom we
    wait for). If that run is the same ``job``, its work covers this one: once it ends (or ``wait_s`` passed)
    the block gets ``Grant(covered=True)`` without the lock, and the caller does not run the job again. A
    different job is waited for up to ``wait_s``, then ``LockWaitTimedOut``.
    """
    locks = backend or SqliteJobLocks()
    owner = Owner.current()
    deadline = time.monotonic() + wait_s
    waited_for: Holder | None = None
    while True:
        holder = locks.try_claim(store_id, job, owner)
        if holder is None:
            break
        if waited_for is None:
            waited_for = holder
            log.info("Store %s: %s waits for the running %s (pid %s)", store_id, job, holder.job, holder.pid)
            if on_wait is not None:
                on_wait(holder)
        if holder.job == job and waited_for.job != job:
            waited_for = holder
        if time.monotonic() >= deadline:
            if holder.job == job:
                yield Grant(covered=True, other=holder)
                return
            raise LockWaitTimedOut(holder)
        if cancel is not None and cancel.wait(POLL_S):
            raise LockWaitCancelled()
        if cancel is None:
            time.sleep(POLL_S)
    if waited_for is not None and waited_for.job == job:
        locks.release(store_id, owner)
        yield Grant(covered=True, other=waited_for)
        return
    beat = _Heartbeat(locks, store_id, owner, heartbeat_s)
    try:
        yield Grant(covered=False, other=waited_for)
    finally:
        beat.stop()
        try:
            locks.release(store_id, owner)
        except Exception:  # the lease runs out on its own; the next run takes it over
            log.warning("Store %s: could not release the job lock", store_id, exc_info=True)
