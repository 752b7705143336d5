"""Move from one computer to a shared workspace: copy this computer's SQLite file into an EMPTY PostgreSQL
workspace (``fbm-desk workspace migrate --to URL``).

Rules:
- The source is read in one read transaction (a consistent snapshot even if another process writes meanwhile),
  after ``open_database`` brought it to the latest schema (with its usual backup).
- The target is prepared with the same migration history (``pg_connection.prepare_workspace``) and must hold
  nothing but what the migrations themselves insert (the primary warehouse); anything else is refused and left
  untouched.
- Everything is written in ONE transaction: tables in foreign-key order (``COPY``), every table's row count
  compared with the source's, identity sequences continued after the copied ids; any difference rolls it all
  back.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from fbm_desk.db.connection import MIGRATIONS, migration_sql, open_database
from fbm_desk.db.pg_connection import (
    CONNECT_TIMEOUT_S,
    _reset_identities,
    _unreachable,
    describe,
    prepare_workspace,
)
from fbm_desk.db.pii import ENCRYPTED_COLUMNS
from fbm_desk.db.sealed_values import register_functions
from fbm_desk.db.stored_times import SECONDS_COLUMNS
from fbm_desk.foundation.errors import DatabaseError, InvalidInput

log = logging.getLogger(__name__)

_BATCH = 5000


@dataclass(frozen=True)
class CopyReport:
    """What was copied: rows per table (equal on both sides, checked inside the transaction)."""

    target: str  # host:port/dbname
    tables: dict[str, int]

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


# Sealed buyer fields the file keeps as bytes go over as their ``pii1:`` text (sealed_values.py; no key needed).
_CONVERTED = {**SECONDS_COLUMNS, **{("orders", c): f'pii_text("{c}")' for c in ENCRYPTED_COLUMNS}}

# References the SQLite schema keeps without a foreign key (schema_compact.sql); PostgreSQL's tables have one.
_KEPT_BY_CODE = {"buyer_name_token": {"orders"}}


def _tables_in_fk_order(conn: sqlite3.Connection) -> list[str]:
    """The schema's tables, each after the tables its foreign keys point to."""
    names = [
        str(r[0])
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    parents = {
        name: (
            {str(r[2]) for r in conn.execute(f'PRAGMA foreign_key_list("{name}")')}
            | _KEPT_BY_CODE.get(name, set())
        )
        - {name}
        for name in names
    }
    ordered: list[str] = []
    while len(ordered) < len(names):
        ready = [n for n in names if n not in ordered and parents[n] <= set(ordered)]
        if not ready:  # a cycle: the schema has none; keep going in name order rather than loop forever
            ready = [n for n in names if n not in ordered][:1]
        ordered.extend(ready)
    return ordered


def _seeded_counts() -> dict[str, int]:
    """Rows per table that the migrations themselves insert (in a fresh database)."""
    conn = sqlite3.connect(":memory:")
    register_functions(conn)
    try:
        for step in MIGRATIONS:
            for statement in migration_sql(step):
                conn.execute(statement)
        return {
            t: int(conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0])  # noqa: S608
            for t in _tables_in_fk_order(conn)
        }
    finally:
        conn.close()


def _count(conn: psycopg.Connection[Any], table: str) -> int:
    row = conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()  # noqa: S608 - names from the schema
    return int(row[0]) if row else 0


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [str(r[1]) for r in conn.execute(f'PRAGMA table_info("{table}")')]


def _copy_table(src: sqlite3.Connection, dst: psycopg.Connection[Any], table: str) -> None:
    columns = _columns(src, table)
    names = ", ".join(f'"{c}"' for c in columns)
    # times the file keeps as whole seconds go over as the ISO text they were written as (stored_times.py),
    # sealed buyer fields as text (_CONVERTED)
    selected = ", ".join(_CONVERTED.get((table, c), f'"{c}"') for c in columns)
    cursor = src.execute(f'SELECT {selected} FROM "{table}"')  # noqa: S608 - names from the schema
    with dst.cursor().copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
        while rows := cursor.fetchmany(_BATCH):
            for row in rows:
                copy.write_row(row)


def copy_to_workspace(db_file: Path, url: str, *, backup_dir: Path | None = None) -> CopyReport:
    """Copy the SQLite database ``db_file`` into the empty workspace at ``url`` (see the module docstring).

    Raises ``InvalidInput`` for a target that is not empty (nothing written), ``DatabaseError`` when the server
    cannot be reached or the copy fails (rolled back: the target stays as it was)."""
    if not url.startswith(("postgresql://", "postgres://")):
        raise InvalidInput(
            f"--to needs a PostgreSQL address (postgresql://user@host:port/dbname), not '{url}'."
        )
    if not db_file.exists():
        raise InvalidInput(f"There is no database on this computer to copy ({db_file}).")
    open_database(db_file, backup_dir=backup_dir).close()  # the latest schema (backed up first if migrated)
    prepare_workspace(url)  # creates the schema in an empty database; refuses a foreign or newer one
    seeded = _seeded_counts()
    src = sqlite3.connect(f"{db_file.as_uri()}?mode=ro", uri=True, isolation_level=None)
    register_functions(src)
    try:
        src.execute("BEGIN")  # one snapshot of the file for the whole copy
        tables = _tables_in_fk_order(src)
        expected = {t: int(src.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]) for t in tables}  # noqa: S608
        with psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_S, autocommit=True) as dst:
            used = {t: n for t in tables if (n := _count(dst, t)) != seeded.get(t, 0)}
            if used:
                listed = ", ".join(f"{t} ({n} rows)" for t, n in sorted(used.items())[:5])
                raise InvalidInput(
                    f"The workspace {describe(url)} is not empty ({listed}); nothing was copied. Copy into a new, "
                    "empty database (createdb), or keep using that workspace as it is."
                )
            with dst.transaction():
                for table in reversed(tables):  # what the migrations inserted makes way for the copied rows
                    if seeded.get(table):
                        dst.execute(f'DELETE FROM "{table}"')  # noqa: S608 - names from the schema
                for table in tables:  # the rows as they are: the schema's triggers must not add to them
                    dst.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')
                    _copy_table(src, dst, table)
                    dst.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER USER')
                copied = {t: _count(dst, t) for t in tables}
                wrong = {t: (expected[t], copied[t]) for t in tables if copied[t] != expected[t]}
                if wrong:
                    raise DatabaseError(
                        "The copy did not match the source ("
                        + ", ".join(f"{t}: {a} here, {b} there" for t, (a, b) in wrong.items())
                        + "); nothing was kept in the workspace."
                    )
                _reset_identities(dst)
            # A bulk load leaves the planner without statistics and no page marked all-visible: the Orders
            # tab's index-only reads would fall back to reading the table until autovacuum came by.
            dst.execute("VACUUM (ANALYZE)")
    except psycopg.OperationalError as exc:
        raise _unreachable(url, exc) from exc
    except psycopg.Error as exc:
        raise DatabaseError(
            f"The copy into {describe(url)} failed and was rolled back (the workspace is as it was): {exc}"
        ) from exc
    finally:
        src.close()
    log.info(
        "Copied %d rows in %d tables into the workspace %s",
        sum(expected.values()),
        len(tables),
        describe(url),
    )
    return CopyReport(target=describe(url), tables=expected)
