"""Units of work for callers outside ``fbm_desk.db`` (packing, store lifecycle, jobs), and the per-thread
connection.

Nothing outside ``fbm_desk.db`` touches peewee or the database handle: code that must group several db-layer
calls into one all-or-nothing step uses ``transaction()``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fbm_desk.db.models import database_proxy
from fbm_desk.db.pg_connection import WRITE_LOCK_KEY, PgDatabase


@contextmanager
def transaction(*, immediate: bool = False) -> Iterator[None]:
    """Run the block in one transaction: committed when it ends, rolled back when it raises.

    ``immediate`` takes SQLite's write lock at the start (``BEGIN IMMEDIATE``) instead of at the first write:
    use it for read-check-write steps, so what was read and checked cannot change before the write (another
    thread or process waits for the lock instead). Nested inside another transaction, the block becomes a
    savepoint of the outer one; on a shared workspace it then takes the workspace's write lock itself.
    """
    nested = immediate and database_proxy.in_transaction()
    with database_proxy.atomic(lock_type="IMMEDIATE" if immediate else None):
        if nested:
            _write_lock_in_savepoint()
        yield


def _write_lock_in_savepoint() -> None:
    """A nested immediate block is a savepoint: SQLite's outer transaction holds the write lock already (every
    transaction begins IMMEDIATE there); on a shared workspace the outer one may be a plain transaction, so the
    workspace's write lock is taken here, held until the outer transaction ends."""
    if isinstance(database_proxy.obj, PgDatabase):
        database_proxy.execute_sql("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK_KEY,))


def close_thread_connection() -> None:
    """Close the calling thread's SQLite connection, if it has one open.

    peewee keeps one connection per thread; a thread-pool thread that ran database work calls this when done,
    so its connection is not left open (the next call on that thread opens a new one).
    """
    db = database_proxy.obj
    if db is not None and not db.is_closed():
        db.close()
