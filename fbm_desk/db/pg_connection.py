"""Open a shared workspace: a PostgreSQL database every station of a warehouse uses (``postgresql://...``).

Rules (see ARCHITECTURE.md, "Shared workspace"):
- Same migration history as the SQLite file (``connection.MIGRATIONS``), translated by ``dialect``. The schema
  version lives in the one-row table ``fbm_desk_schema`` (SQLite keeps it in ``PRAGMA user_version``). Each
  step runs in one transaction with its version bump (PostgreSQL's DDL is transactional), under an advisory
  lock, so two stations starting at once migrate once.
- A database that has tables but no ``fbm_desk_schema`` is not ours and is refused untouched; a newer schema is
  refused untouched.
- ``transaction(immediate=True)`` (read-check-write steps: packing, stock, holds, job leases) takes one
  transaction-scoped advisory lock, ``WRITE_LOCK_KEY``: the same single-writer guarantee SQLite's
  ``BEGIN IMMEDIATE`` gives, across every station of the workspace. Plain transactions run under READ
  COMMITTED with PostgreSQL's row locks.
- psycopg 3 through peewee (peewee speaks it natively; psycopg 3 is the maintained driver, ships binary wheels,
  and has LISTEN/NOTIFY as a generator on the connection, which the live screens use).
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import peewee as pw
import psycopg
from psycopg.adapt import Loader

from fbm_desk.db import dialect
from fbm_desk.db.connection import APPLICATION_ID, LATEST_VERSION, MIGRATIONS, OpenedDatabase, migration_sql
from fbm_desk.db.models import database_proxy
from fbm_desk.foundation.errors import DatabaseError

log = logging.getLogger(__name__)

WRITE_LOCK_KEY = 0x46424D44_0000_0001  # pg_advisory_xact_lock key of transaction(immediate=True)
MIGRATE_LOCK_KEY = 0x46424D44_0000_0002
CONNECT_TIMEOUT_S = 5
LOCK_TIMEOUT_S = 10.0
KEEPALIVE_IDLE_S = 10  # lock sessions: a silent peer is probed after 10 s, every 5 s, given up after 3 probes
KEEPALIVE_INTERVAL_S = 5
KEEPALIVE_COUNT = 3
DEAD_PEER_S = KEEPALIVE_IDLE_S + KEEPALIVE_INTERVAL_S * KEEPALIVE_COUNT  # 25 s: within the 60 s failover


def redact_url(url: str) -> str:
    """The URL without its password (for messages and logs)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def describe(url: str) -> str:
    """``host:port/dbname`` of a workspace URL, for messages."""
    parts = urlsplit(url)
    return f"{parts.hostname or 'localhost'}:{parts.port or 5432}{parts.path}"


class _NumberLoader(Loader):
    """``numeric`` -> int when whole, else float. PostgreSQL types SUM() over bigint columns as numeric; the app
    works with ints (SQLite returns them), and no column of the schema is numeric."""

    def load(self, data: Any) -> int | float:
        text = bytes(data).decode()
        try:
            return int(text)
        except ValueError:
            return float(text)


class _Cursor(psycopg.Cursor[Any]):
    """A statement without a result (INSERT, UPDATE...) fetches as empty, as with SQLite's cursor."""

    def fetchone(self) -> Any:
        return None if self.description is None else super().fetchone()

    def fetchall(self) -> list[Any]:
        return [] if self.description is None else super().fetchall()


class _Closer:
    """Closes a thread's connection when the thread (or the database object) goes away: peewee keeps one
    connection per thread in a thread-local and never closes the connection of a thread that just ends."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def __del__(self) -> None:
        if not self.conn.closed:
            self.conn.close()


class PgDatabase(pw.PostgresqlDatabase):
    """peewee's PostgreSQL database: ``lock_type="IMMEDIATE"`` takes the workspace's write lock."""

    def begin(self, lock_type: str | None = None, isolation_level: Any = None) -> None:  # type: ignore[override]
        super().begin(isolation_level)
        if lock_type == "IMMEDIATE":
            self.execute_sql("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK_KEY,))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._opened: weakref.WeakSet[Any] = weakref.WeakSet()
        self._opened_lock = threading.Lock()
        self._closers = threading.local()
        self._side: psycopg.Connection[Any] | None = None
        self._side_lock = threading.Lock()

    def execute_sql(self, sql: str, params: Any = None) -> Any:
        """peewee's own queries use ``%s``; hand-written SQLite-dialect text with ``?`` placeholders (tests,
        benches and tools holding the database handle) is translated by ``dialect``."""
        if "?" in sql:
            sql = dialect.to_postgres(sql)
        return super().execute_sql(sql, params)

    def _connect(self) -> Any:
        conn = super()._connect()  # type: ignore[misc]
        conn.adapters.register_loader("numeric", _NumberLoader)
        conn.cursor_factory = _Cursor
        # like SQLite's busy timeout: a lock held elsewhere is waited for this long, then "busy" (errors.py)
        conn.execute(f"SET lock_timeout = '{int(LOCK_TIMEOUT_S * 1000)}ms'")
        with self._opened_lock:
            self._opened.add(conn)
        self._closers.current = _Closer(conn)
        return conn

    @contextmanager
    def side_connection(self) -> Iterator[psycopg.Connection[Any]]:
        """This process's one extra connection (autocommit), for steps that must commit on their own whatever
        transaction the calling thread is in (the shared rate limiter). One caller at a time."""
        with self._side_lock:
            if self._side is None or self._side.closed or self._side.broken:
                self._side = psycopg.connect(
                    self.database, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S
                )
                self._opened.add(self._side)
            yield self._side

    def dedicated_connection(self) -> psycopg.Connection[Any]:
        """A new autocommit connection of the caller's own, registered so ``close_all`` closes it: the session
        that holds ``db.pg_job_locks``' advisory locks. TCP keepalives on both ends, so the server drops (and
        releases the locks of) a station that vanished without closing its connection within ``DEAD_PEER_S``."""
        conn = psycopg.connect(
            self.database,
            autocommit=True,
            connect_timeout=CONNECT_TIMEOUT_S,
            keepalives=1,
            keepalives_idle=KEEPALIVE_IDLE_S,
            keepalives_interval=KEEPALIVE_INTERVAL_S,
            keepalives_count=KEEPALIVE_COUNT,
            options=(
                f"-c tcp_keepalives_idle={KEEPALIVE_IDLE_S} -c tcp_keepalives_interval={KEEPALIVE_INTERVAL_S} "
                f"-c tcp_keepalives_count={KEEPALIVE_COUNT} -c tcp_user_timeout={DEAD_PEER_S * 1000}"
            ),
        )
        with self._opened_lock:
            self._opened.add(conn)
        return conn

    def close_all(self) -> None:
        """Close every thread's connection (peewee keeps one per thread; a worker thread's would otherwise stay
        open on the server until garbage-collected)."""
        if not self.is_closed():
            self.close()
        with self._opened_lock:
            remaining = list(self._opened)
            self._opened.clear()
        for conn in remaining:
            if not conn.closed:
                conn.close()


def _unreachable(url: str, exc: BaseException) -> DatabaseError:
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return DatabaseError(
        f"Cannot reach the shared workspace at {describe(url)}: {reason}. Check that the server is running and "
        "that this computer can reach it (Settings → Workspace → Test connection). Nothing was changed."
    )


def check_connection(url: str) -> str:
    """Connect once and return the server's version text; raises ``DatabaseError`` saying why it failed."""
    try:
        with psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_S) as conn:
            row = conn.execute("SHOW server_version").fetchone()
            return f"PostgreSQL {row[0] if row else '?'}"
    except psycopg.Error as exc:
        raise _unreachable(url, exc) from exc


def _schema_state(conn: psycopg.Connection[Any]) -> tuple[int, int]:
    """(version, application_id) of the workspace; (0, 0) for an empty database."""
    has_marker = conn.execute("SELECT to_regclass('fbm_desk_schema') IS NOT NULL").fetchone()
    if has_marker and has_marker[0]:
        row = conn.execute("SELECT version, application_id FROM fbm_desk_schema").fetchone()
        return (int(row[0]), int(row[1])) if row else (0, 0)
    tables = conn.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()"
    ).fetchone()
    return (0, -1) if tables and tables[0] else (0, 0)


def _reset_identities(conn: psycopg.Connection[Any]) -> None:
    """Identity columns continue after the largest id (rows a migration inserted with explicit ids)."""
    rows = conn.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND is_identity = 'YES'"
    ).fetchall()
    for table, column in rows:
        conn.execute(
            # names from the catalog, not input
            f'SELECT setval(pg_get_serial_sequence(%s, %s), coalesce(max("{column}"), 0) + 1, false) '  # noqa: S608
            f'FROM "{table}"',
            (table, column),
        )


def _migrate(conn: psycopg.Connection[Any], current: int) -> None:
    if current > 0:  # functions the SQL relies on, as this version defines them
        with conn.transaction():
            for statement in dialect.pg_preamble():
                conn.execute(statement)
    for index in range(current, LATEST_VERSION):
        step = MIGRATIONS[index]
        log.info("Migrating the shared workspace to version %d (%s)", index + 1, step)
        with conn.transaction():
            if index == 0:
                for statement in dialect.pg_preamble():
                    conn.execute(statement)
                conn.execute(
                    "CREATE TABLE fbm_desk_schema (id BIGINT PRIMARY KEY CHECK (id = 1), version BIGINT NOT NULL, "
                    "application_id BIGINT NOT NULL)"
                )
                conn.execute("INSERT INTO fbm_desk_schema VALUES (1, 0, %s)", (APPLICATION_ID,))
            for statement in migration_sql(step, postgres=True):
                conn.execute(dialect.ddl_to_postgres(statement).encode())
            _reset_identities(conn)
            conn.execute("UPDATE fbm_desk_schema SET version = %s", (index + 1,))


def prepare_workspace(url: str) -> int | None:
    """Create or migrate the workspace's schema; returns the version migrated from (None: already current)."""
    try:
        with psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_S, autocommit=True) as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", (MIGRATE_LOCK_KEY,))
            version, app_id = _schema_state(conn)
            if app_id == -1 or app_id not in (0, APPLICATION_ID):
                raise DatabaseError(
                    f"The database {describe(url)} holds tables of another application; it was left untouched. "
                    "Use an empty database for the FBM Desk workspace."
                )
            if version > LATEST_VERSION:
                raise DatabaseError(
                    f"This workspace was set up by a newer version of FBM Desk (schema {version}; this version "
                    f"understands up to {LATEST_VERSION}). Install the newer version on this station; the "
                    "workspace was left untouched."
                )
            if version == LATEST_VERSION:
                return None
            _migrate(conn, version)
            return version
    except psycopg.OperationalError as exc:
        raise _unreachable(url, exc) from exc
    except psycopg.Error as exc:
        raise DatabaseError(f"The shared workspace {describe(url)} could not be prepared: {exc}") from exc


def open_postgres(url: str) -> OpenedDatabase:
    """Open (creating or migrating) the shared workspace at ``url`` and bind the models to it."""
    migrated_from = prepare_workspace(url)
    db = PgDatabase(url, prefer_psycopg3=True, connect_timeout=CONNECT_TIMEOUT_S)
    database_proxy.initialize(db)
    try:
        db.connect(reuse_if_open=True)
    except pw.OperationalError as exc:
        raise _unreachable(url, exc) from exc
    return OpenedDatabase(
        db=db, path=None, version=LATEST_VERSION, migrated_from=migrated_from, backup=None, url=url
    )
