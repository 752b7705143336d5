"""A SQLite file as an older version of FBM Desk left it: the tests of a migration step fill it with rows of that
time, then open it with the app, which migrates it."""

from __future__ import annotations

import sqlite3

from fbm_desk.db.connection import APPLICATION_ID, MIGRATIONS, migration_sql
from fbm_desk.db.sealed_values import register_functions


def schema_before(conn: sqlite3.Connection, step: str) -> int:
    """Apply every migration before ``step`` (a file of ``MIGRATIONS``) to the empty database of ``conn`` and mark
    it as FBM Desk's at that version; returns the version."""
    version = MIGRATIONS.index(step)
    register_functions(conn)  # the SQL functions a step may call (as connection._apply_migrations does)
    for name in MIGRATIONS[:version]:
        for statement in migration_sql(name):
            conn.execute(statement)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {version}")
    return version


def schema_with_store(conn: sqlite3.Connection, step: str) -> int:
    """``schema_before``, then the one store (id 1, 'Main US') that the rows a step's test writes belong to."""
    version = schema_before(conn, step)
    conn.execute(
        "INSERT INTO store (id, name, marketplace_id, region, selling_partner_id, created_at) "
        "VALUES (1, 'Main US', 'ATVPDKIKX0DER', 'NA', 'A1SELLER', '2026-01-01T00:00:00Z')"
    )
    return version
