"""Everything that differs between the two backends, SQLite (embedded) and PostgreSQL (shared workspace).

The schema files and the db layer's hand-written SQL are written once, in SQLite's dialect (the embedded default
and what most developers run). On PostgreSQL they are translated here, and nowhere else:

- DDL (migrations): ``INTEGER`` -> ``BIGINT`` (SQLite's integers are 64-bit), ``REAL`` -> ``DOUBLE PRECISION``,
  ``BLOB`` -> ``BYTEA``, ``id INTEGER PRIMARY KEY`` -> an identity column, ``WITHOUT ROWID`` dropped,
  ``col COLLATE NOCASE`` in an index -> an index on ``lower(col)``.
- Queries: ``?`` placeholders -> ``%s`` (and a literal ``%`` doubled), ``col COLLATE NOCASE`` ->
  ``lower(col)`` (case-insensitive comparisons and sorts use the ``lower()`` indexes), ``col LIKE ?`` ->
  ``lower(col) LIKE lower(?)`` and any other ``LIKE`` -> ``ILIKE`` (SQLite's LIKE ignores case), ``group_concat`` -> ``string_agg``, ``INSERT OR IGNORE`` ->
  ``ON CONFLICT DO NOTHING``, ``CAST(x AS INTEGER)`` -> ``BIGINT``, ``WHERE 1`` -> ``WHERE TRUE``,
  ``CROSS JOIN t ON`` (SQLite's join-order hint) -> ``JOIN t ON``, ``INDEXED BY`` dropped, and SQLite's compact
  date sort keys ``purchase_ts``/``ship_by_ts`` (virtual columns, schema_sort_keys.sql) -> the ISO text columns
  ``purchase_date``/``latest_ship_date`` they are computed from, which sort the same and have the indexes.
- Functions SQLite has and PostgreSQL lacks (``json_valid``, the two-argument scalar ``max``/``min``,
  ``strftime`` for the one format the app stores) are created on PostgreSQL whenever the workspace is
  migrated (``_PG_FUNCTIONS``), so the same text runs on both.

Booleans are integer 0/1 columns on both backends (``models.FlagField``), so ``WHERE flag = 1`` is portable.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from enum import StrEnum
from functools import lru_cache
from typing import Any

import peewee as pw

from fbm_desk.db.models import database_proxy


class Dialect(StrEnum):
    SQLITE = "sqlite"
    POSTGRESQL = "postgresql"


def current() -> Dialect:
    """The dialect of the database the models are bound to."""
    return dialect_of(database_proxy.obj)


def dialect_of(db: object) -> Dialect:
    return Dialect.POSTGRESQL if isinstance(db, pw.PostgresqlDatabase) else Dialect.SQLITE


def is_postgres() -> bool:
    return current() is Dialect.POSTGRESQL


# --- queries --------------------------------------------------------------------------------------------

_QUOTED = re.compile(r"('(?:[^']|'')*')")
_NOCASE_EQ = re.compile(r"([\w.]+)\s*=\s*\?\s+COLLATE\s+NOCASE", re.IGNORECASE)
_NOCASE = re.compile(r"([\w.]+)\s+COLLATE\s+NOCASE", re.IGNORECASE)
_LIKE_PARAM = re.compile(r"([\w.]+)\s+LIKE\s+\?", re.IGNORECASE)
_INSERT_OR_IGNORE = re.compile(r"^\s*INSERT\s+OR\s+IGNORE\s+INTO\b", re.IGNORECASE)
_IS_NOT = re.compile(r"\bIS\s+NOT\s+(?!NULL\b|DISTINCT\b|TRUE\b|FALSE\b)", re.IGNORECASE)
_IS = re.compile(r"\bIS\s+(?!NOT\b|NULL\b|DISTINCT\b|TRUE\b|FALSE\b)", re.IGNORECASE)
_WHERE_ONE = re.compile(r"\bWHERE\s+1\b(?!\s*[=<>!])", re.IGNORECASE)
_CROSS_JOIN_ON = re.compile(r"\bCROSS\s+JOIN\s+(\w+(?:\s+(?:AS\s+)?\w+)?)\s+ON\b", re.IGNORECASE)

_SORT_KEY_COLUMNS = {"purchase_ts": "purchase_date", "ship_by_ts": "latest_ship_date"}
_SORT_KEY = re.compile(r"\b(purchase_ts|ship_by_ts)\b")


def _translate_code(code: str) -> str:
    """Translate one stretch of SQL that holds no string literal."""
    code = code.replace("%", "%%")
    code = _NOCASE_EQ.sub(r"lower(\1) = lower(?)", code)
    code = _NOCASE.sub(r"lower(\1)", code)
    # A column against a pattern: the pattern indexes on lower(col) serve it (a prefix search does not scan).
    code = _LIKE_PARAM.sub(r"lower(\1) LIKE lower(?)", code)
    code = re.sub(r"\bLIKE\b(?! lower\(\?\))", "ILIKE", code, flags=re.IGNORECASE)
    code = re.sub(r"\s+INDEXED\s+BY\s+\w+", "", code, flags=re.IGNORECASE)  # SQLite's index hint
    code = re.sub(r"\bgroup_concat\(", "string_agg(", code, flags=re.IGNORECASE)
    code = re.sub(r"\bAS\s+INTEGER\)", "AS BIGINT)", code, flags=re.IGNORECASE)
    code = re.sub(r"\bAS\s+REAL\)", "AS DOUBLE PRECISION)", code, flags=re.IGNORECASE)
    code = re.sub(r"\bifnull\(", "coalesce(", code, flags=re.IGNORECASE)
    code = _IS_NOT.sub("IS DISTINCT FROM ", code)  # SQLite's IS / IS NOT compare values too
    code = _IS.sub("IS NOT DISTINCT FROM ", code)
    code = _WHERE_ONE.sub("WHERE TRUE", code)
    code = _CROSS_JOIN_ON.sub(r"JOIN \1 ON", code)  # SQLite's join-order hint; PostgreSQL plans its own
    code = _SORT_KEY.sub(lambda m: _SORT_KEY_COLUMNS[m.group(1)], code)
    return code.replace("?", "%s")


_TABLE_INFO = re.compile(r"^\s*PRAGMA\s+table_info\((\w+)\)\s*$", re.IGNORECASE)


@lru_cache(maxsize=2048)
def to_postgres(sql: str) -> str:
    """SQLite-dialect query text -> PostgreSQL (see the module docstring); string literals are left alone.
    ``PRAGMA table_info(t)`` becomes the catalog query giving the same (position, name) first columns."""
    info = _TABLE_INFO.match(sql)
    if info:
        columns = "SELECT ordinal_position - 1, column_name FROM information_schema.columns WHERE table_schema = current_schema()"
        return f"{columns} AND table_name = '{info[1]}' ORDER BY ordinal_position"  # a \\w+ name
    ignore = bool(_INSERT_OR_IGNORE.match(sql))
    if ignore:
        sql = _INSERT_OR_IGNORE.sub("INSERT INTO", sql, count=1)
    parts = _QUOTED.split(sql)
    out = [part.replace("%", "%%") if i % 2 else _translate_code(part) for i, part in enumerate(parts)]
    text = "".join(out)
    if ignore:
        text = text.rstrip().rstrip(";") + " ON CONFLICT DO NOTHING"
    return text


def sql(text: str) -> str:
    """The query text for the bound database's dialect."""
    return to_postgres(text) if is_postgres() else text


def fragment(text: str, params: Sequence[Any] = ()) -> pw.SQL:
    """A hand-written piece (SQLite dialect) inside a peewee query, in the bound database's dialect: peewee's
    own placeholders are ``%s`` on PostgreSQL, so a ``?`` piece must be translated before it joins them."""
    return pw.SQL(sql(text), list(params))


def execute(text: str, params: Sequence[Any] = ()) -> Any:
    """Run one hand-written query (SQLite dialect) on the bound database; returns the DB-API cursor."""
    return database_proxy.execute_sql(sql(text), tuple(params))


def executemany(text: str, rows: Iterable[Sequence[Any]]) -> None:
    """Run one statement for many parameter rows, inside the caller's transaction."""
    statement = sql(text)
    cursor = database_proxy.cursor()
    try:
        cursor.executemany(statement, [tuple(row) for row in rows])
    finally:
        cursor.close()


class LiveConnection:
    """The bound database as a DB-API-like connection (``execute``/``executemany`` with SQLite-dialect SQL), for
    code that works the same on the live database and on an SQLite backup file (``backups.py``)."""

    def execute(self, text: str, params: Sequence[Any] = ()) -> Any:
        return execute(text, params)

    def executemany(self, text: str, rows: Iterable[Sequence[Any]]) -> None:
        executemany(text, rows)


# --- schema (migrations) --------------------------------------------------------------------------------

_PG_FUNCTIONS = (
    # SQLite's json_valid(text) for the CHECK constraints the schema files declare.
    """CREATE OR REPLACE FUNCTION json_valid(doc text) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    PERFORM doc::jsonb;
    RETURN true;
EXCEPTION WHEN others THEN
    RETURN false;
END $$""",
    # SQLite's scalar max(a, b) / min(a, b): NULL when either is NULL (GREATEST/LEAST would skip it).
    """CREATE OR REPLACE FUNCTION max(a anycompatible, b anycompatible) RETURNS anycompatible
LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN a IS NULL OR b IS NULL THEN NULL ELSE GREATEST(a, b) END $$""",
    """CREATE OR REPLACE FUNCTION min(a anycompatible, b anycompatible) RETURNS anycompatible
LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN a IS NULL OR b IS NULL THEN NULL ELSE LEAST(a, b) END $$""",
    # strftime('%Y-%m-%dT%H:%M:%SZ', 'now' | iso-text [, '+N minutes']): the timestamp format of every column.
    """CREATE OR REPLACE FUNCTION strftime(fmt text, at text, modifier text DEFAULT '0 seconds') RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF fmt <> '%Y-%m-%dT%H:%M:%SZ' THEN
        RAISE EXCEPTION 'strftime: only the format %%Y-%%m-%%dT%%H:%%M:%%SZ is provided, not %', fmt;
    END IF;
    IF at IS NULL THEN
        RETURN NULL;
    END IF;
    RETURN to_char(
        ((CASE WHEN at = 'now' THEN now() ELSE at::timestamptz END) + modifier::interval) AT TIME ZONE 'UTC',
        'YYYY-MM-DD"T"HH24:MI:SS"Z"');
END $$""",
)


def pg_preamble() -> tuple[str, ...]:
    """Statements the first migration step runs on PostgreSQL before the schema files."""
    return _PG_FUNCTIONS


_TRIGGER = re.compile(
    r"^\s*CREATE\s+TRIGGER\s+(\w+)\s+(.*?)\s+ON\s+(\w+)(?:\s+WHEN\s+(.*?))?\s+BEGIN\b(.*)\bEND\s*;?\s*$",
    re.IGNORECASE | re.DOTALL,
)


def _trigger_to_postgres(match: re.Match[str]) -> str:
    """SQLite's ``CREATE TRIGGER n <when> ON t [WHEN c] BEGIN ...; END`` -> a PL/pgSQL function and a row trigger
    (PostgreSQL runs a trigger's statements from a function). The function returns the row, so a BEFORE trigger
    lets the change happen, as SQLite's does."""
    name, timing, table, when, body = match.groups()
    statements = to_postgres(body.strip()).replace("%%", "%")
    condition = f" WHEN ({when.strip()})" if when else ""
    return (
        f"CREATE OR REPLACE FUNCTION {name}_fn() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n{statements}\n"
        f"RETURN coalesce(NEW, OLD);\nEND $$;\n"
        f"CREATE TRIGGER {name} {timing.strip()} ON {table} FOR EACH ROW{condition} EXECUTE FUNCTION {name}_fn()"
    )


def ddl_to_postgres(statement: str) -> str:
    """A migration statement (SQLite dialect) -> PostgreSQL DDL/DML."""
    statement = "\n".join(line for line in statement.splitlines() if not line.lstrip().startswith("--"))
    trigger = _TRIGGER.match(statement)
    if trigger:
        return _trigger_to_postgres(trigger)
    text = statement
    text = re.sub(
        r"\bid\s+INTEGER\s+PRIMARY\s+KEY\b", "id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", text
    )
    text = re.sub(r"\bINTEGER\b", "BIGINT", text)
    text = re.sub(r"\bREAL\b", "DOUBLE PRECISION", text)
    text = re.sub(r"\bBLOB\b", "BYTEA", text)
    text = re.sub(r"\)\s*WITHOUT\s+ROWID", ")", text, flags=re.IGNORECASE)
    text = re.sub(r"\bAUTOINCREMENT\b", "", text)
    if re.match(r"\s*CREATE\s+(UNIQUE\s+)?INDEX", text, re.IGNORECASE):
        return _NOCASE.sub(r"lower(\1)", text)
    if re.match(r"\s*(INSERT|UPDATE|DELETE|WITH)\b", text, re.IGNORECASE):
        return to_postgres(text).replace("%%", "%")  # run without parameters: no placeholder escaping
    return text
