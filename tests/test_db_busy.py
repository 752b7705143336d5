"""Issue 11 #4: two stores' jobs in one process collided with "database is busy".

A transaction that read first and wrote later failed at once (SQLITE_BUSY, whatever the busy timeout) when
another connection had written meanwhile. Now every transaction takes the write lock at BEGIN, waits for it
(busy timeout), and once more; a busy that still happens names our own jobs when they were the writers; and no
job holds a transaction while it waits on Amazon. Interleavings are driven with a second connection and
events, not with timing.
"""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
import requests

from fbm_desk.core import CoreServices
from fbm_desk.db import connection
from fbm_desk.db.errors import StorageProblem, classify
from fbm_desk.db.job_locks import Owner, SqliteJobLocks
from fbm_desk.db.models import Store, database_proxy
from fbm_desk.db.stores import get_store
from fbm_desk.db.transactions import close_thread_connection, transaction
from fbm_desk.domain.packing import record_package
from fbm_desk.foundation.paths import AppPaths
from fbm_desk.sandbox import RunningSandbox
from fbm_desk.sync import execute
from fbm_desk.sync.base import JobKind
from fbm_desk.sync.execute import run_job
from tests.support.sync_env import insert_us_store, make_store, merchant_skus, settle

pytestmark = pytest.mark.sqlite_only  # the SQLite file itself (a workspace: tests/test_workspace_schema.py)


def _other_connection(path: Path) -> sqlite3.Connection:
    """Another job's connection (store 2's orders job), refusing to wait for the lock."""
    return sqlite3.connect(str(path), timeout=0, isolation_level=None)


def test_a_read_then_write_transaction_is_not_refused_when_another_job_writes_meanwhile(
    db: connection.OpenedDatabase,
) -> None:
    first = insert_us_store("Store 1", "A1SELLER")
    insert_us_store("Store 2", "A2SELLER")
    with closing(_other_connection(db.path)) as other:
        with transaction():
            name = Store.get_by_id(first.id).name  # read first ...
            # ... store 2's job writes now: it must wait for us, not slip in and make our write impossible
            with pytest.raises(sqlite3.OperationalError) as refused:
                other.execute("UPDATE store SET status_message = 'x' WHERE id = 2")
            assert classify(refused.value) is StorageProblem.BUSY
            Store.update(status_message=f"{name} ok").where(Store.id == first.id).execute()  # ... then write
        other.execute("UPDATE store SET status_message = 'x' WHERE id = 2")  # its turn now
    assert get_store(first.id).status_message == "Store 1 ok"


def test_the_write_lock_is_waited_for_once_more_after_the_busy_timeout(
    app_paths: AppPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(connection, "BUSY_TIMEOUT_S", 0.05)  # the first wait runs out at once
    opened = connection.open_database(app_paths.db_file)
    try:
        store = insert_us_store("Store 1", "A1SELLER")
        other = _other_connection(opened.path)
        other.execute("BEGIN IMMEDIATE")  # a long write elsewhere
        first_wait_over = threading.Event()
        real_warning = connection.log.warning

        def warning(*args: Any) -> None:
            real_warning(*args)
            first_wait_over.set()
            other.execute("COMMIT")  # ... which ends before the second wait runs out

        monkeypatch.setattr(connection.log, "warning", warning)
        with transaction():
            Store.update(status_message="saved").where(Store.id == store.id).execute()
        assert first_wait_over.is_set()
        assert get_store(store.id).status_message == "saved"
        other.close()
    finally:
        opened.close()


def test_busy_names_our_own_jobs_when_they_were_writing(db: connection.OpenedDatabase) -> None:
    store1 = insert_us_store("Store 1", "A1SELLER")
    store2 = insert_us_store("Store 2", "A2SELLER")
    busy = sqlite3.OperationalError("database is locked")
    busy.sqlite_errorcode = sqlite3.SQLITE_BUSY  # type: ignore[attr-defined]
    elsewhere = execute._storage_error(busy, store1.id)
    assert elsewhere is not None
    assert "another FBM Desk window or command" in elsewhere.user_message
    assert SqliteJobLocks().try_claim(store2.id, "orders", Owner.current()) is None  # store 2's job, here
    ours = execute._storage_error(busy, store1.id)
    assert ours is not None
    assert "another FBM Desk window" not in ours.user_message
    assert "this window's other sync jobs" in ours.user_message


def test_no_job_holds_a_transaction_while_it_waits_on_amazon(
    quiet_core: CoreServices, quiet: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = make_store(quiet_core, quiet)
    sku = merchant_skus(quiet, 1)[0]
    order_id = quiet.world.add_order(skus={sku: 1})
    settle(quiet, order_id)
    in_transaction: list[tuple[str, bool]] = []
    real_send = requests.Session.send

    def send(session: requests.Session, request: requests.PreparedRequest, **kw: Any) -> requests.Response:
        in_transaction.append((str(request.url), database_proxy.obj.in_transaction()))
        return real_send(session, request, **kw)

    monkeypatch.setattr(requests.Session, "send", send)
    for kind in (JobKind.PRODUCTS_FULL, JobKind.ORDERS, JobKind.INVENTORY):
        assert run_job(quiet_core, get_store(store.id), kind).status == "ok"
    record_package(quiet_core, order_id, "UPS", "1Z999AA10123456784")
    worker_results: list[str] = []

    def on_worker_thread() -> None:  # as the GUI runner does
        try:
            worker_results.append(run_job(quiet_core, get_store(store.id), JobKind.SHIPMENTS).status)
        finally:
            close_thread_connection()

    thread = threading.Thread(target=on_worker_thread)
    thread.start()
    thread.join(60)
    assert worker_results == ["ok"]
    assert len(in_transaction) > 4
    assert [url for url, held in in_transaction if held] == []
