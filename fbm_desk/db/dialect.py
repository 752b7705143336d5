"""Everything that differs between the two backends, SQLite (embedded) and PostgreSQL (shared workspace).

The schema files and the db layer's hand-written SQL are written once, in SQLite's dialect (the embedded default
and what most developers run). On PostgreSQL they are translated here, and nowhere else:

- DDL (migrations): ``INTEGER`` -> ``BIGINT`` (SQLite's integers are 64-bit), ``REAL`` -> ``DOUBLE PRECISION``,
  ``BLOB`` -> ``BYTEA``, ``id INTEGER PRIMARY KEY`` -> an identity column, ``WITHOUT ROWID`` dropped,
  ``col COLLATE NOCASE`` in an index -> an index on ``lower(col)``.
- Queries: ``?`` placeholders -> ``%s`` (and a literal ``%`` doubled), ``col COLLATE NOCASE`` ->
  ``lower(col)`` (case-insensitive comparisons and sorts use the ``lower()`` indexes), ``LIKE`` -> ``ILIKE``
  (SQLite's LIKE ignores case), ``group_concat`` -> ``string_agg``, ``INSERT OR IGNORE`` ->
  ``ON CONFLICT DO NOTHING``, ``CAST(x AS INTEGER)`` -> ``BIGINT``, two-argument ``max``/``min`` (SQLite's
  scalar forms) -> ``GREATEST``/``LEAST``.
- Functions SQLite has and PostgreSQL lacks (``json_valid``, ``strftime`` for the forms used) are created on
  PostgreSQL by the first migration step (``_PG_FUNCTIONS``), so the same text runs on both.

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
_INSERT_OR_IGNORE = re.compile(r"^\s*INSERT\s+OR\s+IGNORE\s+INTO\b", re.IGNORECASE)
_TWO_ARG_MINMAX = re.compile(
    r"\b(max|min)\(([^(),]+(?:\([^()]*\))?[^(),]*),([^(),]+(?:\([^()]*\))?[^(),]*)\)"
)


def _translate_code(code: str) -> str:
    """Translate one stretch of SQL that holds no string literal."""
    code = code.replace("%", "%%")
    code = _NOCASE_EQ.sub(r"lower(\1) = lower(?)", code)
    code = _NOCASE.sub(r"lower(\1)", code)
    code = re.sub(r"\bLIKE\b", "ILIKE", code, flags=re.IGNORECASE)
    code = re.sub(r"\s+INDEXED\s+BY\s+\w+", "", code, flags=re.IGNORECASE)  # SQLite's index hint
    code = re.sub(r"\bgroup_concat\(", "string_agg(", code, flags=re.IGNORECASE)
    code = re.sub(r"\bAS\s+INTEGER\)", "AS BIGINT)", code, flags=re.IGNORECASE)
    code = re.sub(r"\bAS\s+REAL\)", "AS DOUBLE PRECISION)", code, flags=re.IGNORECASE)
    code = re.sub(r"\bifnull\(", "coalesce(", code, flags=re.IGNORECASE)
    code = _TWO_ARG_MINMAX.sub(lambda m: f"{'GREATEST' if m[1] == 'max' else 'LEAST'}({m[2]},{m[3]})", code)
    return code.replace("?", "%s")


@lru_cache(maxsize=2048)
def to_postgres(sql: str) -> str:
    """SQLite-dialect query text -> PostgreSQL (see the module docstring); string literals are left alone."""
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
)


def pg_preamble() -> tuple[str, ...]:
    """Statements the first migration step runs on PostgreSQL before the schema files."""
    return _PG_FUNCTIONS


def ddl_to_postgres(statement: str) -> str:
    """A migration statement (SQLite dialect) -> PostgreSQL DDL/DML."""
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
