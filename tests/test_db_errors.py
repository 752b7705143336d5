"""SQLite storage failures are classified by error code in one place (``fbm_desk.db.errors``): each class gets
its own message and action, whatever SQLite's message text says and whether peewee wrapped the error."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import peewee as pw
import psycopg
import pytest

from fbm_desk.db.errors import StorageProblem, classify, storage_error
from fbm_desk.foundation.errors import Action, DatabaseError

pytestmark = pytest.mark.sqlite_only  # the SQLite file itself (a workspace: tests/test_workspace_schema.py)


def _raised(fn: Callable[[], object]) -> BaseException:
    with pytest.raises((sqlite3.Error, pw.DatabaseError)) as info:
        fn()
    return info.value


def _table(path: Path, rows: int = 0) -> None:
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE t (x TEXT)")
        conn.executemany("INSERT INTO t VALUES (?)", [("x" * 200,) for _ in range(rows)])
        conn.commit()


@pytest.fixture
def peewee_db(tmp_path: Path) -> Iterator[pw.SqliteDatabase]:
    """A peewee database of its own (not the app's): its errors come wrapped in peewee's classes."""
    db = pw.SqliteDatabase(str(tmp_path / "wrapped.sqlite3"))
    db.connect()
    yield db
    db.close()


def test_full_disk_through_peewee(peewee_db: pw.SqliteDatabase) -> None:
    peewee_db.execute_sql("CREATE TABLE t (x TEXT)")
    pages = peewee_db.execute_sql("PRAGMA page_count").fetchone()[0]
    peewee_db.execute_sql(f"PRAGMA max_page_count = {pages + 1}")  # SQLite's own SQLITE_FULL

    def fill() -> None:
        with peewee_db.atomic():
            for _ in range(100):
                peewee_db.execute_sql("INSERT INTO t VALUES (?)", ("x" * 4000,))

    exc = _raised(fill)
    assert isinstance(exc, pw.DatabaseError)  # peewee's wrapper, the sqlite3 error inside
    assert classify(exc) is StorageProblem.DISK_FULL
    known = storage_error(exc)
    assert known is not None
    assert "disk is full" in known.user_message
    assert known.action is Action.RETRY_LATER


def test_read_only_file(tmp_path: Path) -> None:
    path = tmp_path / "ro.sqlite3"
    _table(path)
    with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as conn:
        exc = _raised(lambda: conn.execute("INSERT INTO t VALUES ('a')"))
    assert classify(exc) is StorageProblem.READ_ONLY
    known = storage_error(exc)
    assert known is not None
    assert "read-only" in known.user_message
    assert known.action is Action.CONTACT_SUPPORT


def test_locked_by_a_second_connection(tmp_path: Path) -> None:
    path = tmp_path / "busy.sqlite3"
    _table(path)
    with (
        closing(sqlite3.connect(path, isolation_level=None)) as writer,
        closing(sqlite3.connect(path, timeout=0, isolation_level=None)) as other,
    ):
        writer.execute("BEGIN IMMEDIATE")
        exc = _raised(lambda: other.execute("BEGIN IMMEDIATE"))
        writer.execute("ROLLBACK")
    assert classify(exc) is StorageProblem.BUSY
    known = storage_error(exc)
    assert known is not None
    assert "busy" in known.user_message
    assert known.action is Action.RETRY_LATER


def test_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "garbage.sqlite3"
    path.write_bytes(b"this is no database" * 300)
    with closing(sqlite3.connect(path)) as conn:
        exc = _raised(lambda: conn.execute("SELECT * FROM sqlite_master").fetchall())
    assert getattr(exc, "sqlite_errorname", "") == "SQLITE_NOTADB"
    assert classify(exc) is StorageProblem.CORRUPT


def test_damaged_page(tmp_path: Path) -> None:
    path = tmp_path / "damaged.sqlite3"
    _table(path, rows=200)
    data = bytearray(path.read_bytes())
    page = 4096
    data[page : page * 2] = b"\xff" * page  # the table's root page: garbage
    path.write_bytes(bytes(data))
    with closing(sqlite3.connect(path)) as conn:
        exc = _raised(lambda: conn.execute("SELECT count(*), max(x) FROM t").fetchall())
    assert getattr(exc, "sqlite_errorname", "") == "SQLITE_CORRUPT"
    assert classify(exc) is StorageProblem.CORRUPT
    known = storage_error(exc)
    assert known is not None
    assert "damaged" in known.user_message
    assert known.action is Action.CONTACT_SUPPORT


def test_cannot_open(tmp_path: Path) -> None:
    exc = _raised(lambda: sqlite3.connect(tmp_path / "missing-folder" / "db.sqlite3"))
    assert classify(exc) is StorageProblem.CANNOT_OPEN
    known = storage_error(exc)
    assert known is not None
    assert "cannot open" in known.user_message


def _injected(code: int, text: str) -> sqlite3.OperationalError:
    err = sqlite3.OperationalError(text)
    err.sqlite_errorcode = code  # type: ignore[attr-defined]  # what the sqlite3 module sets
    return err


def test_io_error_is_not_reported_as_a_full_disk() -> None:
    # SQLITE_IOERR_WRITE (an extended code) cannot be provoked portably: injected, with peewee's wrapping
    original = _injected(sqlite3.SQLITE_IOERR | (3 << 8), "disk I/O error")
    wrapped = pw.OperationalError(original)
    wrapped.__context__ = original
    assert classify(wrapped) is StorageProblem.IO_ERROR
    known = storage_error(wrapped)
    assert known is not None
    assert "full" not in known.user_message
    assert "disk reported an error" in known.user_message
    assert known.action is Action.RETRY_LATER


def test_the_code_decides_not_the_text() -> None:
    assert classify(_injected(sqlite3.SQLITE_BUSY, "database or disk is full")) is StorageProblem.BUSY
    assert classify(_injected(sqlite3.SQLITE_ERROR, "disk is full")) is None


def test_every_class_has_its_own_message() -> None:
    messages = set()
    for problem in StorageProblem:
        if problem is StorageProblem.SERVER_GONE:  # a shared workspace's server (psycopg), not SQLite
            gone = storage_error(psycopg.OperationalError("server closed the connection unexpectedly"))
            assert isinstance(gone, DatabaseError)
            messages.add(gone.user_message)
            continue
        err = {
            StorageProblem.DISK_FULL: sqlite3.SQLITE_FULL,
            StorageProblem.IO_ERROR: sqlite3.SQLITE_IOERR,
            StorageProblem.READ_ONLY: sqlite3.SQLITE_READONLY,
            StorageProblem.BUSY: sqlite3.SQLITE_LOCKED,
            StorageProblem.CORRUPT: sqlite3.SQLITE_CORRUPT,
            StorageProblem.CANNOT_OPEN: sqlite3.SQLITE_CANTOPEN,
        }[problem]
        known = storage_error(_injected(err, "x"))
        assert isinstance(known, DatabaseError)
        messages.add(known.user_message)
    assert len(messages) == len(StorageProblem)


def test_the_error_behind_a_later_one_is_found(peewee_db: pw.SqliteDatabase) -> None:
    """On a full disk SQLite rolls back by itself; what surfaces is a plain error raised while handling it."""
    full = _injected(sqlite3.SQLITE_FULL, "database or disk is full")

    def roll_back_after_full_disk() -> None:
        try:
            raise full
        except sqlite3.OperationalError:
            peewee_db.execute_sql("ROLLBACK")  # "cannot rollback - no transaction is active"

    surfaced = _raised(roll_back_after_full_disk)
    assert getattr(surfaced, "sqlite_errorname", None) is None  # peewee's own class
    assert classify(surfaced) is StorageProblem.DISK_FULL


def test_other_errors_are_not_storage_errors(peewee_db: pw.SqliteDatabase) -> None:
    assert storage_error(ValueError("disk is full")) is None
    assert storage_error(_raised(lambda: peewee_db.execute_sql("SELEKT 1"))) is None


def test_workspace_errors_are_classified_by_sqlstate() -> None:
    """A shared workspace's failures get the same messages: lock timeout = busy, disk full, server gone."""
    busy = psycopg.errors.LockNotAvailable("canceling statement due to lock timeout")
    assert classify(busy) is StorageProblem.BUSY
    assert classify(psycopg.errors.DiskFull("could not extend file")) is StorageProblem.DISK_FULL
    assert classify(psycopg.OperationalError("connection lost")) is StorageProblem.SERVER_GONE
    assert classify(ValueError("not storage")) is None
