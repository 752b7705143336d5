"""Rebuild one SQLite table in place of itself, inside a migration's transaction (issue 19, storage).

An ``UPDATE`` that shrinks every row leaves each page as many as before, partly empty: SQLite merges pages only
when they fall below a third full, and new rows go to the table's end, never into that room. A rebuild writes the
rows into fresh, full pages (and its indexes too, built at once). The copy keeps everything the table is: its
``CREATE TABLE`` text (generated columns included), its rows with their ids in order, and every index and
trigger on it (re-created from their own text): the file's schema text stays byte for byte the same. Triggers
and foreign keys of other tables that name it keep naming it. The old pages go to the file's free list, which
later writes reuse (no ``VACUUM``).

Used by ``schema_pii_binary.sql``'s step (``AFTER_STEP``, run by ``connection._apply_migrations``) for ``orders``,
whose definition has grown over many steps (16 indexes, triggers, generated sort keys): it is read from the
file, not written out again here.
"""

from __future__ import annotations

import sqlite3

from fbm_desk.db.migration_progress import MigrationProgress
from fbm_desk.db.pii import ENCRYPTED_COLUMNS
from fbm_desk.foundation.workspace_key import PREFIX

ROWS_PER_CHUNK = 10_000  # copied per statement, in rowid order: ~100 statements at a million rows
COPY_SHARE = 0.6  # of a rebuild's time, the copy (the rest: its indexes), measured on 200,000 orders


def rebuild_table(
    conn: sqlite3.Connection,
    table: str,
    expressions: dict[str, str],
    progress: MigrationProgress | None = None,
) -> None:
    """Copy ``table`` into a new one of the same definition, each column through ``expressions`` (SQL of the
    old row's columns; the column itself when absent). The caller holds the transaction and has foreign keys
    off (as ``connection._apply_migrations`` does). ``progress`` hears the rows copied and indexes built."""
    progress = progress or MigrationProgress()
    found = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).fetchone()
    if found is None:
        raise sqlite3.OperationalError(f"no table {table} to rebuild")
    dependants = conn.execute(
        "SELECT sql FROM sqlite_master WHERE tbl_name = ? AND type IN ('index', 'trigger') AND sql IS NOT NULL "
        "ORDER BY type = 'trigger', name",  # indexes first; the automatic ones (UNIQUE) come back with the table
        (table,),
    ).fetchall()
    # stored columns only: generated ones (hidden 2/3) are computed again
    columns = [str(r[1]) for r in conn.execute(f"PRAGMA table_xinfo({table})") if r[6] == 0]
    before = int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608 - our table names
    old = f"{table}_before_rebuild"
    conn.execute("PRAGMA legacy_alter_table = ON")  # what names the table elsewhere keeps naming it
    try:
        conn.execute(f"ALTER TABLE {table} RENAME TO {old}")  # its indexes and triggers go with it
    finally:
        conn.execute("PRAGMA legacy_alter_table = OFF")
    conn.execute(str(found[0]))  # the very text of its definition
    values = ", ".join(expressions.get(c, c) for c in columns)
    names = ", ".join(columns)
    copy = f"INSERT INTO {table} ({names}) SELECT {values} FROM {old} "  # noqa: S608
    copy += "WHERE rowid >= ? AND rowid < ? ORDER BY rowid"
    next_row = f"SELECT min(rowid) FROM {old} WHERE rowid >= ?"  # noqa: S608
    start, copied = conn.execute(next_row, (-(2**63),)).fetchone()[0], 0
    while start is not None:  # by id ranges, each starting at a row: sparse ids make no empty ranges
        copied += conn.execute(copy, (start, start + ROWS_PER_CHUNK)).rowcount
        progress.within_step(
            COPY_SHARE * copied / max(before, 1), f"{table}: {copied:,} of {before:,} rows copied"
        )
        start = conn.execute(next_row, (start + ROWS_PER_CHUNK,)).fetchone()[0]

    def made(built: int) -> str:
        return f"{table}: all {before:,} rows copied; indexes and triggers: {built} of {len(dependants)} made"

    progress.within_step(COPY_SHARE, made(0))
    conn.execute(f"DROP TABLE {old}")  # with its indexes and triggers; fires none (foreign keys off)
    for built, (sql,) in enumerate(dependants, start=1):
        conn.execute(sql)
        progress.within_step(COPY_SHARE + (1 - COPY_SHARE) * built / len(dependants), made(built))
    after = int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608
    if after != before:  # the caller's transaction rolls the whole step back
        raise sqlite3.OperationalError(f"the rebuilt {table} has {after} rows instead of {before}")


def _sealed_fields_as_bytes(conn: sqlite3.Connection, progress: MigrationProgress) -> None:
    """``schema_pii_binary.sql``: every ``pii1:`` text value of ``orders`` as bytes (``pii_binary``,
    ``sealed_values.py``), ``orders`` rebuilt at the same time. A file holding none (new, empty, or a station that
    never encrypted) is left as it is."""
    holding = " OR ".join(f"substr({c}, 1, {len(PREFIX)}) = '{PREFIX}'" for c in ENCRYPTED_COLUMNS)
    if conn.execute(f"SELECT 1 FROM orders WHERE {holding} LIMIT 1").fetchone() is None:  # noqa: S608
        return
    rebuild_table(conn, "orders", {c: f"pii_binary({c})" for c in ENCRYPTED_COLUMNS}, progress)


# Python a migration step runs after its SQL, in the same transaction (``connection._apply_migrations``).
AFTER_STEP = {"schema_pii_binary.sql": _sealed_fields_as_bytes}
