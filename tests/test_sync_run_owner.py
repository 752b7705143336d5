"""A run left "running" is marked interrupted even when its process id now belongs to another process (issue
11, item 10): the row records which process it was (its start), not only its pid."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest

from fbm_desk.db import OpenedDatabase
from fbm_desk.db.models import SyncRun
from fbm_desk.db.sync_runs import mark_interrupted_runs, start_run
from fbm_desk.foundation.process import process_start

pytestmark = pytest.mark.skipif(not process_start(1), reason="process start times need /proc (Linux)")


@pytest.fixture
def other_process() -> Iterator[int]:
    """A live process that is not us (waits on stdin until the test ends)."""
    proc = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    try:
        yield proc.pid
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=30)


def test_a_reused_pid_does_not_keep_a_dead_run_running(db: OpenedDatabase, other_process: int) -> None:
    boot = process_start(other_process).partition(":")[0]
    orphan = start_run(None, "shipments", "cli")
    # written by a process that had this pid before (started at another moment) and then died
    SyncRun.update(pid=other_process, process_start=f"{boot}:1").where(SyncRun.id == orphan).execute()
    live = start_run(None, "orders", "cli")
    SyncRun.update(pid=other_process, process_start=process_start(other_process)).where(
        SyncRun.id == live
    ).execute()
    mine = start_run(None, "inventory", "manual")
    assert mark_interrupted_runs() == 1
    assert SyncRun.get_by_id(orphan).status == "failed"
    assert SyncRun.get_by_id(live).status == "running"
    assert SyncRun.get_by_id(mine).status == "running"


def test_the_start_of_a_process_is_stable_and_differs_between_processes(other_process: int) -> None:
    import os

    assert process_start(os.getpid()) == process_start(os.getpid())
    assert process_start(other_process) not in ("", process_start(os.getpid()))


@pytest.mark.sqlite_only  # on a workspace the job lock is the server's: tests/test_workspace_locks.py
def test_a_run_of_another_computer_is_interrupted_only_when_its_store_lock_is_gone(
    db: OpenedDatabase,
) -> None:
    import time

    from fbm_desk.db.models import JobLock
    from tests.support.sync_env import insert_us_store

    store = insert_us_store("US", "A1SELLER")
    run = start_run(store.id, "orders", "schedule")
    SyncRun.update(host="station-b", pid=999999).where(SyncRun.id == run).execute()  # not a pid of ours
    JobLock.create(
        store=store.id, job="orders", owner="station-b:999999:1", host="station-b", pid=999999,
        process_started=1.0, acquired_at="2026-12-07T00:00:00Z", lease_until=time.time() + 60,
    )  # fmt: skip
    assert mark_interrupted_runs() == 0  # its station still holds the store's lock
    JobLock.update(lease_until=time.time() - 1).execute()  # it went silent: the lease ran out
    assert mark_interrupted_runs() == 1
    assert SyncRun.get_by_id(run).status == "failed"
