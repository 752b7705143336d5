"""Job locks and schedule ownership on a shared workspace: PostgreSQL session-level advisory locks.

Why advisory locks and not lease rows (see ARCHITECTURE.md, "Shared workspace"): the server itself releases a
session's advisory locks the moment it sees the session end, so a station that quits or crashes frees its
stores at once, without a lease to wait out, a clock to trust or a heartbeat write every few seconds. A
station whose computer vanished (power, network) is noticed by TCP keepalives set on both ends of the lock
session (``pg_connection.DEAD_PEER_S``, 25 s), well inside the 60 s failover.

- ``PgJobLocks`` (a ``job_locks.JobLockBackend``): ``pg_try_advisory_lock(JOB_NS, store id)`` on one dedicated
  autocommit session per process. The ``job_lock`` row names the holder for the others (job, host, pid, and in
  ``owner`` the holding session's backend pid, so a row left behind by a crashed holder is told from the live
  one through ``pg_locks``). The heartbeat only checks that the session is alive.
- ``PgScheduleLocks``: ``pg_try_advisory_lock(SCHEDULE_NS, store id)`` on a second session: the station holding
  it runs the store's schedule; the others try again every ``CLAIM_EVERY_S`` and take over when it is free.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import psycopg

from fbm_desk.db import dialect
from fbm_desk.db.job_locks import Holder, Owner
from fbm_desk.db.models import utcnow_iso
from fbm_desk.db.pg_connection import PgDatabase

log = logging.getLogger(__name__)

JOB_NS = 0x46424D4A  # "FBMJ": pg_advisory_lock(JOB_NS, store id) = one job of the store at a time
SCHEDULE_NS = 0x46424D53  # "FBMS": pg_advisory_lock(SCHEDULE_NS, store id) = who runs the store's schedule

_HELD_BY = (
    "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = %s AND objid = %s AND objsubid = 2 "
    "AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
)


class _Session:
    """One dedicated lock session; reopened when it broke (every lock it held is then gone)."""

    def __init__(self, db: PgDatabase) -> None:
        self._db = db
        self._conn: psycopg.Connection[Any] | None = None
        self.mutex = threading.RLock()

    def alive(self) -> bool:
        if self._conn is None or self._conn.closed or self._conn.broken:
            return False
        try:
            self._conn.execute("SELECT 1")
        except psycopg.Error:
            return False
        return True

    def conn(self) -> psycopg.Connection[Any]:
        if self._conn is None or self._conn.closed or self._conn.broken:
            self._conn = self._db.dedicated_connection()
        return self._conn

    def close(self) -> None:
        if self._conn is not None and not self._conn.closed:
            self._conn.close()
        self._conn = None


class PgJobLocks:
    """``JobLockBackend`` on session advisory locks (one per store) of this process's lock session."""

    def __init__(self, db: PgDatabase) -> None:
        self._session = _Session(db)
        self._held: dict[int, str] = {}  # store id -> owner token written into the row

    def try_claim(self, store_id: int, job: str, owner: Owner) -> Holder | None:
        with self._session.mutex:
            if store_id in self._held and not self._session.alive():
                log.warning("The lock session to the workspace broke: its job locks are gone")
                self._held.clear()
            conn = self._session.conn()
            if store_id not in self._held:
                row = conn.execute("SELECT pg_try_advisory_lock(%s, %s)", (JOB_NS, store_id)).fetchone()
                if not (row and row[0]):
                    return self._holder(conn, store_id)
            token = f"{owner.token}@{conn.info.backend_pid}"
            self._held[store_id] = token
            conn.execute(
                "INSERT INTO job_lock (store_id, job, owner, host, pid, process_started, acquired_at, lease_until) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, 0) ON CONFLICT (store_id) DO UPDATE SET job = excluded.job, "
                "owner = excluded.owner, host = excluded.host, pid = excluded.pid, "
                "process_started = excluded.process_started, acquired_at = excluded.acquired_at",
                (store_id, job, token, owner.host, owner.pid, owner.process_started, utcnow_iso()),
            )
            return None

    @staticmethod
    def _holder(conn: psycopg.Connection[Any], store_id: int) -> Holder:
        """Who holds the store's lock: its row, when the row is the live holder's (else not written yet)."""
        holders = {int(r[0]) for r in conn.execute(_HELD_BY, (JOB_NS, store_id)).fetchall()}
        row = conn.execute(
            "SELECT job, host, pid, acquired_at, owner FROM job_lock WHERE store_id = %s", (store_id,)
        ).fetchone()
        if row is None or not any(str(row[4]).endswith(f"@{pid}") for pid in holders):
            return Holder(job="", host="", pid=0, acquired_at="")  # the holder writes its row next
        return Holder(job=str(row[0]), host=str(row[1]), pid=int(row[2]), acquired_at=str(row[3]))

    def renew(self, store_id: int, owner: Owner) -> bool:
        with self._session.mutex:
            if store_id not in self._held:
                return False
            if self._session.alive():
                return True
            self._held.clear()
            return False

    def release(self, store_id: int, owner: Owner) -> None:
        with self._session.mutex:
            token = self._held.pop(store_id, None)
            if token is None or not self._session.alive():
                return
            conn = self._session.conn()
            conn.execute("DELETE FROM job_lock WHERE store_id = %s AND owner = %s", (store_id, token))
            conn.execute("SELECT pg_advisory_unlock(%s, %s)", (JOB_NS, store_id))

    def close(self) -> None:
        with self._session.mutex:
            self._held.clear()
            self._session.close()


def job_running(store_id: int) -> bool:
    """True when some session of the workspace holds the store's job lock (a run is going on somewhere)."""
    row = dialect.execute(_HELD_BY.replace("%s", "?"), (JOB_NS, store_id)).fetchone()
    return row is not None


class PgScheduleLocks:
    """Which stores' schedules this station runs: those whose ``SCHEDULE_NS`` lock its session holds."""

    shared = True

    def __init__(self, db: PgDatabase) -> None:
        self._session = _Session(db)
        self._held: set[int] = set()

    def claim(self, store_ids: list[int]) -> set[int]:
        """Try to take the schedule of each store not yet ours; returns the stores this station runs now."""
        with self._session.mutex:
            try:
                if self._held and not self._session.alive():
                    log.warning("The schedule session to the workspace broke; claiming the stores again")
                    self._held.clear()
                conn = self._session.conn()
                for store_id in store_ids:
                    if store_id in self._held:
                        continue
                    row = conn.execute(
                        "SELECT pg_try_advisory_lock(%s, %s)", (SCHEDULE_NS, store_id)
                    ).fetchone()
                    if row and row[0]:
                        self._held.add(store_id)
                        log.info("This station now runs the schedule of store %s", store_id)
            except psycopg.Error:
                log.warning("Could not claim store schedules on the workspace", exc_info=True)
                self._held.clear()
            return set(self._held) & set(store_ids)

    def release_all(self) -> None:
        with self._session.mutex:
            self._held.clear()
            self._session.close()
