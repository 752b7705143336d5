"""Removing a store in steps, so no write transaction holds the database for long (issue 19).

Deleting a store of 100,000 orders in one transaction took 18 s at 200,000 orders: the write lock was held all
that time, so packing and the other stores' syncs waited and then failed as "busy". A removal now goes:

1. ``begin_removal`` stamps ``store.removing_since`` (``schema_store_removal.sql``). From then on the store is
   not active: the scheduler and "Sync now" skip it. Its token is forgotten by the caller right after.
2. ``remove_step`` deletes the next rows of the store's biggest tables in one transaction (as many as take
   ~``STEP_S``: ``next_step_rows``), walking them by id: its orders
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
from fbm_desk.db.name_index import delete_name_tokens
from fbm_desk.db.stores import delete_store
from fbm_desk.db.transactions import transaction

STEP_ROWS = 200  # orders in a first step: ~0.3 ms each with their items, packages and timeline (SQLite, 200k)
STEP_S = 0.1  # later steps are sized to take about this long: the longest another writer waits for the lock
MAX_STEP_ROWS = 2_000
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


def _ids(table: str, store_id: int, after: int, limit: int) -> list[int]:
    """The next ``limit`` rows of the store after id ``after``, in id order: the rows an import wrote one after
    the other share pages, so a step rewrites fewer of them. ``+store_id`` walks the table by id instead of
    the store's index (which would have to sort all the store's rows at every step)."""
    rows = dialect.execute(
        f"SELECT id FROM {table} WHERE +store_id = ? AND id > ? ORDER BY id LIMIT ?",  # noqa: S608 - fixed name
        [store_id, after, limit],
    ).fetchall()
    return [int(r[0]) for r in rows]


def _delete(table: str, column: str, ids: list[int]) -> None:
    marks = ",".join("?" for _ in ids)
    dialect.execute(f"DELETE FROM {table} WHERE {column} IN ({marks})", ids)  # noqa: S608 - placeholders only


def next_step_rows(rows: int, took_s: float) -> int:
    """The size of the next step, so that it takes about ``STEP_S`` on this machine and database."""
    return max(20, min(MAX_STEP_ROWS, int(rows * STEP_S / max(took_s, 1e-3))))


@dataclass(frozen=True)
class Step:
    """What one ``remove_step`` deleted: ``rows`` (0: only the store row itself is left) up to ``last_id`` of
    ``table``; pass it back as ``after`` to carry on from there."""

    table: str
    rows: int
    last_id: int


def remove_step(store_id: int, limit: int = STEP_ROWS, after: Step | None = None) -> Step:
    """Delete up to ``limit`` of the store's orders (once they are gone, rows of its other bulk tables) in one
    transaction, after where the previous step ``after`` stopped."""
    tables = ("orders", *_BULK_TABLES)
    start = tables.index(after.table) if after is not None else 0
    with transaction(immediate=True):
        for table in tables[start:]:
            last = after.last_id if after is not None and after.table == table else 0
            ids = _ids(
                table, store_id, last, limit if table == "orders" else limit * 4
            )  # the others: no children
            if not ids:
                continue
            if table == "orders":
                delete_name_tokens(ids)  # by key: no foreign key (nor index by order) on SQLite
            _delete(table, "id", ids)
            return Step(table, len(ids), ids[-1])
    return Step("", 0, 0)


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
