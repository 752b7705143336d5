"""The lock backends of the bound database: on this computer's SQLite file or on a shared workspace.

- ``job_lock_backend()``: the ``JobLockBackend`` ``execute.run_job`` holds a store's run with (SQLite: the
  ``job_lock`` lease rows; PostgreSQL: ``pg_job_locks.PgJobLocks``, one per process and database).
- ``schedule_locks()``: which stores' schedules this process runs (SQLite: every store, there is one
  computer; PostgreSQL: the stores whose schedule lock this station holds, see ``pg_job_locks``).
- ``job_running(store_id)``: is a run of the store going on in any process or station (``sync_runs`` uses it to
  tell another station's live run from one left behind by a crash).
"""

from __future__ import annotations

import socket
import time
import weakref
from typing import Protocol

from fbm_desk.db.job_locks import JobLockBackend, SqliteJobLocks, process_alive
from fbm_desk.db.models import JobLock, database_proxy
from fbm_desk.db.pg_connection import PgDatabase
from fbm_desk.db.pg_job_locks import PgJobLocks, PgScheduleLocks
from fbm_desk.db.pg_job_locks import job_running as pg_job_running

_job_locks: weakref.WeakKeyDictionary[PgDatabase, PgJobLocks] = weakref.WeakKeyDictionary()
_schedule_locks: weakref.WeakKeyDictionary[PgDatabase, PgScheduleLocks] = weakref.WeakKeyDictionary()


class ScheduleLocks(Protocol):
    shared: bool  # True: other stations may run some stores' schedules (poll to take them over)

    def claim(self, store_ids: list[int]) -> set[int]: ...

    def release_all(self) -> None: ...


class EveryStore:
    """One computer: this process runs the schedule of every store."""

    shared = False

    def claim(self, store_ids: list[int]) -> set[int]:
        return set(store_ids)

    def release_all(self) -> None:
        return None


def _workspace() -> PgDatabase | None:
    db = database_proxy.obj
    return db if isinstance(db, PgDatabase) else None


def job_lock_backend() -> JobLockBackend:
    db = _workspace()
    if db is None:
        return SqliteJobLocks()
    backend = _job_locks.get(db)
    if backend is None:
        backend = _job_locks[db] = PgJobLocks(db)
    return backend


def schedule_locks() -> ScheduleLocks:
    """One per process and database (its session is closed with the database, or by ``release_all``)."""
    db = _workspace()
    if db is None:
        return EveryStore()
    locks = _schedule_locks.get(db)
    if locks is None:
        locks = _schedule_locks[db] = PgScheduleLocks(db)
    return locks


def job_running(store_id: int) -> bool:
    if _workspace() is not None:
        return pg_job_running(store_id)
    row = JobLock.get_or_none(JobLock.store == store_id)
    if row is None or float(row.lease_until) < time.time():
        return False
    return str(row.host) != socket.gethostname() or process_alive(int(row.pid), float(row.process_started))
