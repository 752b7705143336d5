"""Removing a store in steps, so no write transaction holds the database for long (issue 19).

Deleting a store of 100,000 orders in one transaction took 18 s at 200,000 orders: the write lock was held all
that time, so packing and the other stores' syncs waited and then failed as "busy". A removal now goes:

1. ``begin_removal`` stamps ``store.removing_since`` (``schema_store_removal.sql``). From then on the store is
   not active: the scheduler and "Sync now" skip it. Its token is forgotten by the caller right after.
2. ``remove_step`` deletes up to ``STEP_ROWS`` rows of the store's biggest tables per transaction: its orders
   (their items, packages, timeline cascade; their name tokens first, which have no foreign key on SQLite), its
   outbox, sync history and listings. Each step is a short transaction of its own.
3. ``finish_removal`` deletes the store row with whatever is left (cursors, aliases, settings) by cascade.

A crash between steps loses nothing that was meant to stay: the store keeps its stamp, and ``pending_removals``
tells whoever opens the database next to carry on. Two processes carrying on at once only share the work.
"""

from __future__ import annotations

from dataclasses import dataclass

from fbm_desk.db import dialect
from fbm_desk.db.models import Store, utcnow_iso
from fbm_desk.db.stores import delete_store
from fbm_desk.db.transactions import transaction

STEP_ROWS = 500  # orders per transaction: ~0.2 ms each with their items, packages and timeline (SQLite, 200k)
# The store's tables that grow with its history, each with the index its store_id lookup reads.
_BULK_TABLES = ("outbox", "sync_run", "listing")


@dataclass(frozen=True)
class RemovalProgress:
    """What is left of a store being removed: orders (the bulk of the work) and rows of its other tables."""

    store_id: int
    orders_left: int
    other_rows_left: int

    @property
    def done(self) -> bool:
        return self.orders_left == 0 and self.other_rows_left == 0


def begin_removal(store_id: int) -> None:
    """Mark the store as being removed (idempotent: a removal already under way keeps its first stamp)."""
    with transaction(immediate=True):
        Store.update(removing_since=utcnow_iso()).where(
            (Store.id == store_id) & Store.removing_since.is_null()
        ).execute()


def pending_removals() -> list[int]:
    """Stores whose removal was started and not finished (a crash, or the window closed meanwhile)."""
    return [
        s.id for s in Store.select(Store.id).where(Store.removing_since.is_null(False)).order_by(Store.id)
    ]


def _ids(table: str, store_id: int, limit: int) -> list[int]:
    rows = dialect.execute(
        f"SELECT id FROM {table} WHERE store_id = ? ORDER BY id LIMIT ?",  # noqa: S608 - a fixed table name
        [store_id, limit],
    ).fetchall()
    return [int(r[0]) for r in rows]


def _delete(table: str, column: str, ids: list[int]) -> None:
    marks = ",".join("?" for _ in ids)
    dialect.execute(f"DELETE FROM {table} WHERE {column} IN ({marks})", ids)  # noqa: S608 - placeholders only


def remove_step(store_id: int, limit: int = STEP_ROWS) -> int:
    """Delete up to ``limit`` rows of the store's orders (or, once they are gone, of one of its other bulk
    tables) in one transaction; returns how many were deleted, 0 when only the store row itself is left."""
    with transaction(immediate=True):
        ids = _ids("orders", store_id, limit)
        if ids:
            _delete("buyer_name_token", "order_id", ids)  # no foreign key to cascade by on SQLite
            _delete("orders", "id", ids)
            return len(ids)
        for table in _BULK_TABLES:
            ids = _ids(table, store_id, limit * 4)  # rows without children: cheaper per row
            if ids:
                _delete(table, "id", ids)
                return len(ids)
    return 0


def finish_removal(store_id: int) -> None:
    """Delete the store row and what is left of it (by cascade), in one transaction."""
    with transaction(immediate=True):
        delete_store(store_id)


def removal_progress(store_id: int) -> RemovalProgress:
    """How much of the store is left (index ranges: for progress shown off the window's thread)."""

    def count(table: str) -> int:
        sql = f"SELECT count(*) FROM {table} WHERE store_id = ?"  # noqa: S608 - a fixed table name
        return int(dialect.execute(sql, [store_id]).fetchone()[0])

    return RemovalProgress(store_id, count("orders"), sum(count(t) for t in _BULK_TABLES))
