"""Live screens: learn that another station (or another process on this computer) changed the data.

- **PostgreSQL** (shared workspace): statement-level triggers on the tables the screens show send
  ``pg_notify('fbm_desk_changes', <table>)`` in the writing transaction, so a notice is delivered when, and
  only when, the change commits (several statements of one transaction: one notice per table).
  ``install_notify_triggers`` creates them (PostgreSQL-only DDL, idempotent, run when a station opens the
  workspace); ``PgChangeListener`` keeps one dedicated autocommit connection that LISTENs (psycopg 3's
  ``notifies()`` generator on a thread), reconnecting when the server comes back.
- **SQLite** (one computer, maybe a GUI and CLI commands at once): ``SqliteChangeProbe`` asks
  ``PRAGMA data_version`` on its own connection (it changes when another connection commits) and, only then,
  a fingerprint of cheap primary-key maxima: every package, release, stock change, hold or tag writes a
  timeline event or a stock adjustment, so the fingerprint moves with them and not with sync bookkeeping
  (rate buckets, job leases).

No Qt here: ``ui/live_updates.py`` turns both into one Qt signal on the GUI thread.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg

from fbm_desk.db.pg_connection import CONNECT_TIMEOUT_S, describe

log = logging.getLogger(__name__)

CHANNEL = "fbm_desk_changes"
NOTIFY_LOCK_KEY = 0x46424D44_0000_0013  # serializes the trigger DDL of stations opening the workspace at once
WATCHED_TABLES = (
    "orders",
    "order_item",
    "package",
    "package_item",
    "order_event",
    "order_hold",
    "order_tag",
    "order_note",
    "inventory_level",
    "inventory_adjustment",
    "listing",
    "product",
    "sku_alias",
    "store",
    "store_warehouse",
    "warehouse",
    "rule",
)  # fmt: skip  -- not job_lock, rate_bucket, sync_cursor, sync_run, outbox: bookkeeping while a sync runs
_FUNCTION = f"""CREATE OR REPLACE FUNCTION fbm_desk_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('{CHANNEL}', TG_TABLE_NAME);
    RETURN NULL;
END $$"""


def _trigger_name(table: str) -> str:
    return f"fbm_desk_notify_{table}"


def install_notify_triggers(url: str) -> bool:
    """Create the change-notice triggers of a shared workspace when missing; True when it created them."""
    with psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_S, autocommit=True) as conn:
        names = [_trigger_name(t) for t in WATCHED_TABLES]
        row = conn.execute(
            "SELECT count(DISTINCT tgname) FROM pg_trigger WHERE tgname = ANY(%s)", (names,)
        ).fetchone()
        if row and row[0] == len(names):
            return False
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (NOTIFY_LOCK_KEY,))
            conn.execute(_FUNCTION)
            for table in WATCHED_TABLES:
                conn.execute(
                    f'CREATE OR REPLACE TRIGGER "{_trigger_name(table)}" AFTER INSERT OR UPDATE OR DELETE '
                    f'ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION fbm_desk_notify_change()'
                )
        log.info("Change notices installed in the workspace %s", describe(url))
        return True


class PgChangeListener:
    """LISTENs on a dedicated connection in a daemon thread; ``on_change(tables)`` per burst of notices,
    ``on_state(reachable, message)`` when the server goes away or comes back (then a catch-up ``on_change``).
    """

    def __init__(
        self,
        url: str,
        on_change: Callable[[frozenset[str]], None],
        on_state: Callable[[bool, str], None],
        *,
        retry_s: float = 3.0,
    ) -> None:
        self._url = url
        self._on_change = on_change
        self._on_state = on_state
        self._retry_s = retry_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="fbm-desk-listen", daemon=True)
        self._conn: psycopg.Connection[Any] | None = None

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout_s)

    def _run(self) -> None:
        reachable = True
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    if not reachable:
                        reachable = True
                        self._on_state(True, "")
                        self._on_change(frozenset(WATCHED_TABLES))  # what others did meanwhile
                    self._listen(conn)
            except psycopg.Error as exc:
                if reachable:
                    reachable = False
                    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                    log.warning("Shared workspace %s unreachable: %s", describe(self._url), reason)
                    self._on_state(False, reason)
                self._stop.wait(self._retry_s)

    def _listen(self, conn: psycopg.Connection[Any]) -> None:
        while not self._stop.is_set():
            tables = {n.payload for n in conn.notifies(timeout=0.5, stop_after=1)}  # wakes at the first
            if tables:
                tables.update(
                    n.payload for n in conn.notifies(timeout=0.02)
                )  # the rest of that commit's burst
                self._on_change(frozenset(tables))
            elif conn.closed or conn.broken:
                raise psycopg.OperationalError("the connection to the server was lost")


_FINGERPRINT = (
    "SELECT (SELECT max(id) FROM order_event), (SELECT max(id) FROM inventory_adjustment), "
    "(SELECT max(id) FROM package), (SELECT finished_at FROM sync_run ORDER BY id DESC LIMIT 1)"
)


class SqliteChangeProbe:
    """``changed()`` -> True when another connection committed something the screens show (see the module)."""

    def __init__(self, path: Path) -> None:
        self._conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, check_same_thread=False)
        self._version = self._data_version()
        self._fingerprint = self._read_fingerprint()

    def _data_version(self) -> int:
        return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def _read_fingerprint(self) -> tuple[Any, ...]:
        return tuple(self._conn.execute(_FINGERPRINT).fetchone())

    def changed(self) -> bool:
        version = self._data_version()
        if version == self._version:
            return False
        self._version = version
        fingerprint = self._read_fingerprint()
        if fingerprint == self._fingerprint:
            return False
        self._fingerprint = fingerprint
        return True

    def close(self) -> None:
        self._conn.close()
