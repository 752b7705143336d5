"""Packing against the shipments job: every read-check-write checks inside its write transaction (issue 11,
item 5).

The job marks a package ``sent`` (committed) before calling Amazon. An edit or a removal that checked the
push state before its own transaction could interleave with that mark: delete removed a package already on
its way, update put a ``sent`` package back to ``queued`` (confirmed twice). The interleaving is driven
deterministically: right after packing reads the package, the job's ``mark_sent`` runs on a second thread
(its own connection, no busy wait): it either gets in before packing's write lock, or is refused at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from fbm_desk.db import OpenedDatabase
from fbm_desk.db.domain_rows import PackageRow
from fbm_desk.db.models import database_proxy
from fbm_desk.db.packages import get_package, mark_sent
from fbm_desk.db.rows import StoreRow
from fbm_desk.db.transactions import close_thread_connection
from fbm_desk.domain import packing
from fbm_desk.foundation.errors import InvalidInput
from tests.test_packing import amazon_order, put
from tests.test_packing import store as store

ORDER = "111-0000002-0000002"
FIRST, EDITED = "1Z999AA10123456784", "1Z999AA10123456785"


def _job_marks_sent(package_id: int) -> bool:
    """The shipments job's mark, on its own thread and connection, not waiting for a lock: True if it got in."""
    done: list[bool] = []

    def job() -> None:
        try:
            database_proxy.execute_sql("PRAGMA busy_timeout = 0")
            done.append(mark_sent(package_id, "2026-11-24T10:00:00Z") is not None)
        except Exception:  # "database is locked": packing holds the write lock, the job would wait
            done.append(False)
        finally:
            close_thread_connection()

    thread = threading.Thread(target=job)
    thread.start()
    thread.join()
    return done[0]


def _interleave(monkeypatch: pytest.MonkeyPatch, package_id: int) -> Callable[[], bool]:
    """After packing's first read of the package, the job tries to mark it sent."""
    marked: list[bool] = []
    real = packing.get_package

    def read_then_job(pid: int) -> PackageRow:
        row = real(pid)
        if not marked:
            marked.append(_job_marks_sent(package_id))
        return row

    monkeypatch.setattr(packing, "get_package", read_then_job)
    return lambda: marked[0]


def test_an_edit_never_requeues_a_package_the_job_marked_sent(
    db: OpenedDatabase, store: StoreRow, monkeypatch: pytest.MonkeyPatch
) -> None:
    put(store, amazon_order(ORDER, items=(("2001", "SKU-A", 2),)))
    pkg = packing.record_package(None, ORDER, "UPS", FIRST)
    job_got_in = _interleave(monkeypatch, pkg.id)
    try:
        packing.update_package(None, pkg.id, "UPS", EDITED)
        edited = True
    except InvalidInput:
        edited = False
    if job_got_in():  # the job marked it first: the edit is refused and the package stays sent
        assert not edited
        assert get_package(pkg.id).push_state == "sent"
    else:  # the edit got the lock first: the job, running after it, sends the edited package
        assert edited
        sending = mark_sent(pkg.id, "2026-11-24T10:01:00Z")
        assert sending is not None
        assert (sending.push_state, sending.tracking_number) == ("sent", EDITED)


def test_a_delete_never_removes_a_package_the_job_marked_sent(
    db: OpenedDatabase, store: StoreRow, monkeypatch: pytest.MonkeyPatch
) -> None:
    put(store, amazon_order(ORDER, items=(("2001", "SKU-A", 2),)))
    pkg = packing.record_package(None, ORDER, "UPS", FIRST)
    job_got_in = _interleave(monkeypatch, pkg.id)
    try:
        packing.delete_package(None, pkg.id)
        deleted = True
    except InvalidInput:
        deleted = False
    if job_got_in():
        assert not deleted
        assert get_package(pkg.id).push_state == "sent"
    else:  # removed first: the job finds nothing to send
        assert deleted
        assert mark_sent(pkg.id, "2026-11-24T10:01:00Z") is None


def test_mark_sent_skips_a_rejected_or_removed_package(db: OpenedDatabase, store: StoreRow) -> None:
    from fbm_desk.db.packages import reject_package

    put(store, amazon_order(ORDER, items=(("2001", "SKU-A", 2),)))
    pkg = packing.record_package(None, ORDER, "UPS", FIRST)
    reject_package(pkg.id, "refused")
    assert mark_sent(pkg.id, "2026-11-24T10:00:00Z") is None
    assert get_package(pkg.id).push_state == "rejected"
