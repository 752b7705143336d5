"""One migration history, two backends: the translated schema on PostgreSQL matches the SQLite file, the query
translation keeps SQLite's meaning, and a workspace refuses what is not its own."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import peewee as pw
import psycopg
import pytest

from fbm_desk.db import LATEST_VERSION, open_database, open_postgres
from fbm_desk.db.dialect import ddl_to_postgres, to_postgres
from fbm_desk.db.label_models import LABEL_MODELS
from fbm_desk.db.mark_models import MARK_MODELS
from fbm_desk.db.models import ALL_MODELS, StockSummary, database_proxy
from fbm_desk.db.pg_connection import check_connection, prepare_workspace, redact_url
from fbm_desk.db.privacy_models import PRIVACY_MODELS
from fbm_desk.foundation.errors import DatabaseError
from tests.support.pg_server import PgServer


def _sqlite_columns(path: Path) -> dict[str, set[str]]:
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: {r[1] for r in conn.execute(f"PRAGMA table_info({t})")} for t in tables}
    finally:
        conn.close()


def _pg_columns(url: str) -> dict[str, set[str]]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'"
        ).fetchall()
    out: dict[str, set[str]] = {}
    for table, column in rows:
        out.setdefault(str(table), set()).add(str(column))
    return out


def test_the_same_migrations_give_the_same_tables_and_columns_on_both(
    pg_server: PgServer, tmp_path: Path
) -> None:
    open_database(tmp_path / "one.sqlite3").close()
    url = pg_server.create_database()
    try:
        assert prepare_workspace(url) == 0
        assert prepare_workspace(url) is None  # current: nothing to do
        pg = _pg_columns(url)
        pg.pop("fbm_desk_schema")  # where the workspace keeps its version (SQLite: PRAGMA user_version)
        assert pg == _sqlite_columns(tmp_path / "one.sqlite3")
        with psycopg.connect(url) as conn:
            row = conn.execute("SELECT version FROM fbm_desk_schema").fetchone()
        assert row == (LATEST_VERSION,)
    finally:
        pg_server.drop_database(url)


def test_a_workspace_gives_new_ids_after_the_ones_migrations_wrote(pg_workspace: str) -> None:
    opened = open_postgres(pg_workspace)
    try:
        # schema_v1 inserts the primary warehouse with its id; the next one must not collide with it
        cur = database_proxy.execute_sql(
            "INSERT INTO warehouse (name, is_primary) VALUES ('Back room', 0) RETURNING id"
        )
        assert int(cur.fetchone()[0]) == 2
    finally:
        opened.close()


def test_a_database_of_another_application_or_a_newer_version_is_refused_untouched(
    pg_server: PgServer,
) -> None:
    foreign = pg_server.create_database()
    newer = pg_server.create_database()
    try:
        with psycopg.connect(foreign, autocommit=True) as conn:
            conn.execute("CREATE TABLE invoices (id int)")
        with pytest.raises(DatabaseError, match="another application"):
            open_postgres(foreign)
        assert set(_pg_columns(foreign)) == {"invoices"}

        prepare_workspace(newer)
        with psycopg.connect(newer, autocommit=True) as conn:
            conn.execute("UPDATE fbm_desk_schema SET version = version + 1")
        with pytest.raises(DatabaseError, match="newer version of FBM Desk"):
            open_postgres(newer)
    finally:
        pg_server.drop_database(foreign)
        pg_server.drop_database(newer)


def test_an_unreachable_server_is_a_clear_message_without_the_password() -> None:
    url = "postgresql://fbm:s3cret-pw@127.0.0.1:1/warehouse"
    with pytest.raises(DatabaseError) as caught:
        check_connection(url)
    text = str(caught.value)
    assert "Cannot reach the shared workspace at 127.0.0.1:1/warehouse" in text
    assert "s3cret-pw" not in text
    assert "s3cret-pw" not in redact_url(url)


@pytest.mark.parametrize(
    ("sqlite", "postgres"),
    [
        (
            "SELECT id FROM t WHERE a = ? AND b LIKE ?",
            "SELECT id FROM t WHERE a = %s AND lower(b) LIKE lower(%s)",
        ),
        ("SELECT id FROM t WHERE coalesce(b, '') LIKE ?", "SELECT id FROM t WHERE coalesce(b, '') ILIKE %s"),
        ("SELECT 1 WHERE x LIKE '50%' AND y = '?'", "SELECT 1 WHERE x ILIKE '50%%' AND y = '?'"),
        ("SELECT 1 FROM o WHERE o.id = ? COLLATE NOCASE", "SELECT 1 FROM o WHERE lower(o.id) = lower(%s)"),
        ("SELECT 1 FROM o ORDER BY o.sku COLLATE NOCASE", "SELECT 1 FROM o ORDER BY lower(o.sku)"),
        ("INSERT OR IGNORE INTO t (a) VALUES (?)", "INSERT INTO t (a) VALUES (%s) ON CONFLICT DO NOTHING"),
        ("SELECT group_concat(k, ', ') FROM h", "SELECT string_agg(k, ', ') FROM h"),
        (
            "SELECT 1 FROM l WHERE l.c IS NOT 'DEFAULT'",
            "SELECT 1 FROM l WHERE l.c IS DISTINCT FROM 'DEFAULT'",
        ),
        ("SELECT 1 FROM l WHERE l.c IS NOT NULL", "SELECT 1 FROM l WHERE l.c IS NOT NULL"),
        ("SELECT 1 FROM t WHERE 1 AND a = 2", "SELECT 1 FROM t WHERE TRUE AND a = 2"),
        ("SELECT 1 FROM o CROSS JOIN i ON i.o = o.id", "SELECT 1 FROM o JOIN i ON i.o = o.id"),
        ("SELECT id FROM orders INDEXED BY orders_x WHERE a = 1", "SELECT id FROM orders WHERE a = 1"),
        ("SELECT CAST(x AS INTEGER)", "SELECT CAST(x AS BIGINT)"),
    ],
)
def test_query_translation(sqlite: str, postgres: str) -> None:
    assert to_postgres(sqlite) == postgres


def test_ddl_translation() -> None:
    ddl = ddl_to_postgres(
        "CREATE TABLE t (\n    id INTEGER PRIMARY KEY,\n    n INTEGER NOT NULL,\n    w REAL,\n    b BLOB\n) WITHOUT ROWID"
    )
    assert "id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY" in ddl
    assert "n BIGINT NOT NULL" in ddl
    assert "w DOUBLE PRECISION" in ddl
    assert "b BYTEA" in ddl
    assert "ROWID" not in ddl
    assert ddl_to_postgres("CREATE INDEX i ON o (store_id, sku COLLATE NOCASE)") == (
        "CREATE INDEX i ON o (store_id, lower(sku))"
    )


def test_sqlite_functions_the_queries_use_exist_on_the_workspace(pg_workspace: str) -> None:
    with psycopg.connect(pg_workspace) as conn:
        row = conn.execute(
            "SELECT max(0, 5 - 7), min(3, 9), max(1, NULL), json_valid('[1]'), json_valid('[1'), "
            "strftime('%Y-%m-%dT%H:%M:%SZ', '2026-11-20T10:00:00Z', '+30 minutes')"
        ).fetchone()
    assert row == (0, 3, None, True, False, "2026-11-20T10:30:00Z")


# peewee's field types and the PostgreSQL column types the translated migrations give them.
_PG_TYPES = {
    "AUTO": {"bigint", "integer"},
    "BIGAUTO": {"bigint"},
    "INT": {"bigint", "integer"},
    "BIGINT": {"bigint"},
    "TEXT": {"text"},
    "FLOAT": {"double precision", "real"},
    "DOUBLE": {"double precision"},
    "BLOB": {"bytea"},
}


def test_every_model_field_has_its_columns_type_on_the_workspace(pg_workspace: str) -> None:
    """A model field that binds a value of another type than its column fails only on PostgreSQL (SQLite takes
    anything): a yes/no field must be a ``FlagField`` (integer 0/1), never a ``BooleanField`` (a boolean)."""
    with psycopg.connect(pg_workspace) as conn:
        rows = conn.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'public'"
        ).fetchall()
    types = {(str(t), str(c)): str(d) for t, c, d in rows}
    wrong: list[str] = []
    for model in ALL_MODELS + MARK_MODELS + PRIVACY_MODELS + LABEL_MODELS + (StockSummary,):
        for field in model._meta.sorted_fields:
            kind = field.rel_field.field_type if isinstance(field, pw.ForeignKeyField) else field.field_type
            column = types.get((model._meta.table_name, field.column_name))
            if column not in _PG_TYPES.get(kind, set()):
                wrong.append(f"{model.__name__}.{field.name}: {kind} field on a {column} column")
    assert wrong == []
