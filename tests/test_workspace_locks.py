"""Issue 13 item 2 on a real PostgreSQL server: one job of a store at a time across stations, schedules owned per
store with takeover, another station's live run not marked interrupted.

A "station" is a lock session of its own (a ``PgJobLocks`` / ``PgScheduleLocks`` instance, or a child process
holding the advisory lock); interleavings are driven by ``on_wait`` and by the server's ``pg_locks``, not timing.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from fbm_desk.db import OpenedDatabase, open_postgres
from fbm_desk.db.job_locks import Holder, Owner, hold_store_job
from fbm_desk.db.models import JobLock, SyncRun
from fbm_desk.db.pg_connection import PgDatabase
from fbm_desk.db.pg_job_locks import JOB_NS, SCHEDULE_NS, PgJobLocks, PgScheduleLocks
from fbm_desk.db.station_locks import job_lock_backend, job_running
from fbm_desk.db.sync_runs import mark_interrupted_runs, start_run
from fbm_desk.sync.base import JobKind
from fbm_desk.sync.scheduler import SyncScheduler
from tests.support.sync_env import insert_us_store

OTHER = Owner(host="station-b", pid=4242, process_started=1.0)


@pytest.fixture
def ws(pg_workspace: str) -> Iterator[OpenedDatabase]:
    opened = open_postgres(pg_workspace)
    yield opened
    opened.close()


def _pg(ws: OpenedDatabase) -> PgDatabase:
    assert isinstance(ws.db, PgDatabase)
    return ws.db


def _until(check: Any, timeout_s: float = 10.0) -> None:
    """Wait for the server to notice something (a closed session); polled, bounded."""
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, "the server did not get there in time"
        time.sleep(0.02)


def _holder_process(url: str, ns: int, key: int) -> subprocess.Popen[str]:
    """Another station: a process that takes an advisory lock on its own session, says so, and waits."""
    code = (
        "import sys, psycopg\n"
        f"c = psycopg.connect({url!r}, autocommit=True)\n"
        f"assert c.execute('SELECT pg_try_advisory_lock({ns}, {key})').fetchone()[0]\n"
        "print('held', flush=True)\n"
        "sys.stdin.read()\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "held"
    return proc


def _crash(proc: subprocess.Popen[str]) -> None:
    """The station crashes (SIGKILL): its session ends without unlocking anything."""
    proc.kill()
    proc.wait()
    for pipe in (proc.stdin, proc.stdout):
        if pipe is not None:
            pipe.close()


def test_two_stations_never_hold_a_store_at_once_and_the_holder_is_named(ws: OpenedDatabase) -> None:
    store = insert_us_store("US", "A1SELLER")
    here, there = PgJobLocks(_pg(ws)), PgJobLocks(_pg(ws))
    me = Owner.current()
    assert here.try_claim(store.id, "orders", me) is None
    holder = there.try_claim(store.id, "orders", OTHER)
    assert holder is not None
    assert (holder.job, holder.pid) == ("orders", me.pid)
    assert here.renew(store.id, me)
    here.release(store.id, me)
    assert there.try_claim(store.id, "shipments", OTHER) is None
    row = JobLock.get(JobLock.store == store.id)
    assert (row.job, row.host) == ("shipments", "station-b")
    there.release(store.id, OTHER)
    assert JobLock.get_or_none(JobLock.store == store.id) is None
    here.close()
    there.close()


def test_a_crashed_station_frees_the_store_at_once_and_its_leftover_row_names_nobody(
    ws: OpenedDatabase, pg_workspace: str
) -> None:
    store = insert_us_store("US", "A1SELLER")
    proc = _holder_process(pg_workspace, JOB_NS, store.id)
    JobLock.create(
        store=store.id, job="orders", owner="gone:1:1@1", host="gone", pid=1, process_started=1.0,
        acquired_at="2026-01-01T00:00:00Z", lease_until=0,
    )  # fmt: skip
    locks = PgJobLocks(_pg(ws))
    me = Owner.current()
    holder = locks.try_claim(store.id, "orders", me)
    assert holder == Holder(job="", host="", pid=0, acquired_at="")  # a row, but not the live holder's
    _crash(proc)  # the server ends its session and frees the lock
    _until(lambda: not job_running(store.id))
    assert locks.try_claim(store.id, "orders", me) is None
    assert JobLock.get(JobLock.store == store.id).host == me.host
    locks.release(store.id, me)
    locks.close()


def test_a_second_run_on_another_station_waits_and_is_covered(ws: OpenedDatabase) -> None:
    store = insert_us_store("US", "A1SELLER")
    there = PgJobLocks(_pg(ws))
    assert there.try_claim(store.id, "shipments", OTHER) is None  # station B's "sync shipments" runs
    waiting = threading.Event()
    grants: list[Any] = []

    def body() -> None:
        with hold_store_job(
            store.id, "shipments", backend=job_lock_backend(), on_wait=lambda _h: waiting.set()
        ) as grant:
            grants.append(grant)

    thread = threading.Thread(target=body)
    thread.start()
    assert waiting.wait(10)
    assert not grants
    there.release(store.id, OTHER)  # B's run ends
    thread.join(10)
    assert grants[0].covered
    assert grants[0].other.host == "station-b"
    assert not job_running(store.id)
    there.close()


def test_another_stations_live_run_is_not_marked_interrupted(ws: OpenedDatabase) -> None:
    store = insert_us_store("US", "A1SELLER")
    there = PgJobLocks(_pg(ws))
    assert there.try_claim(store.id, "orders", OTHER) is None
    run = start_run(store.id, "orders", "schedule")
    SyncRun.update(host="station-b", pid=999999).where(SyncRun.id == run).execute()  # its pid: not ours
    assert mark_interrupted_runs() == 0
    there.close()  # station B crashes mid-run
    _until(lambda: not job_running(store.id))
    assert mark_interrupted_runs() == 1
    assert SyncRun.get_by_id(run).status == "failed"


class _Runner:
    def __init__(self) -> None:
        self.queued: list[tuple[int, JobKind, str]] = []

    def enqueue(self, store_id: int, kind: JobKind | str, trigger: str = "manual") -> bool:
        self.queued.append((store_id, JobKind(kind), trigger))
        return True


def test_one_station_runs_a_stores_schedule_and_another_takes_over_when_it_crashes(
    ws: OpenedDatabase, pg_workspace: str, qapp: Any
) -> None:
    us = insert_us_store("US", "A1SELLER")
    uk = insert_us_store("UK", "A2SELLER")
    proc = _holder_process(pg_workspace, SCHEDULE_NS, us.id)  # station A runs US's schedule
    runner = _Runner()
    station_b = SyncScheduler(runner, locks=PgScheduleLocks(_pg(ws)))
    station_b.start(catch_up=False, paused=True)
    assert station_b.enqueue_due("orders") == [uk.id]  # B runs UK only
    runner.queued.clear()
    _crash(proc)
    started = time.monotonic()
    _until(lambda: bool(station_b.claim_schedules()))  # B's 10 s claim timer, driven by hand
    assert time.monotonic() - started < 60
    assert {(s, t) for s, _k, t in runner.queued} == {(us.id, "catch-up")}  # what US missed, never run
    assert sorted(station_b.enqueue_due("orders")) == sorted([us.id, uk.id])
    station_b.shutdown()
    with psycopg.connect(pg_workspace, autocommit=True) as other:  # B quit: A can take both back
        got = other.execute(
            "SELECT pg_try_advisory_lock(%s, %s) AND pg_try_advisory_lock(%s, %s)",
            (SCHEDULE_NS, us.id, SCHEDULE_NS, uk.id),
        ).fetchone()
        assert got is not None
        assert got[0]


def _schedule_free(url: str, store_id: int) -> bool:
    """Could another station take the store's schedule now? (Its lock is let go again on return.)"""
    with psycopg.connect(url, autocommit=True) as other:
        row = other.execute("SELECT pg_try_advisory_lock(%s, %s)", (SCHEDULE_NS, store_id)).fetchone()
    return bool(row and row[0])


def test_a_station_without_the_workspace_key_leaves_the_schedules_to_one_that_can_sync(
    ws: OpenedDatabase, pg_workspace: str, qapp: Any
) -> None:
    us = insert_us_store("US", "A1SELLER")
    has_key = [False]
    runner = _Runner()
    station = SyncScheduler(runner, locks=PgScheduleLocks(_pg(ws)), can_sync=lambda: has_key[0])
    station.start(paused=True)  # with catch-up: nothing, it cannot sync
    assert runner.queued == []
    assert station.enqueue_due("orders") == []
    assert station.claim_schedules() == []
    assert _schedule_free(pg_workspace, us.id)  # a station with the key runs it
    has_key[0] = True  # joined ('workspace-key join'): its next claim takes the store and catches up
    assert {s for s, _k in station.claim_schedules()} == {us.id}
    assert {(s, t) for s, _k, t in runner.queued} == {(us.id, "catch-up")}
    assert station.enqueue_due("orders") == [us.id]
    assert not _schedule_free(pg_workspace, us.id)
    has_key[0] = False  # the key no longer opens the workspace's tokens: it lets the schedule go
    assert station.enqueue_due("orders") == []
    assert _schedule_free(pg_workspace, us.id)
    station.shutdown()


def test_the_json_of_a_covered_run_names_the_station_and_keeps_the_contract() -> None:
    from fbm_desk.sync.base import SyncResult

    plain = SyncResult(job="orders", store="US", status="ok").to_json()
    assert list(plain) == [
        "job", "store", "status", "fetched", "created", "updated", "api_calls", "throttled", "error"
    ]  # fmt: skip
    covered = SyncResult(
        job="orders", store="US", status="ok", covered_by_other_run=True, covered_by_station="station-b"
    ).to_json()
    assert covered == plain | {"covered_by_other_run": True, "covered_by_station": "station-b"}
