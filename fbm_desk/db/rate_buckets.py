"""The SP-API token buckets of every process, in ``rate_bucket`` (structurally a ``ratelimit.SharedBuckets``).

Keys are ``seller|region|operation``; ``updated_at`` is the wall-clock time the token count refers to, so the
next taker refills the bucket for the time that passed. Each take is one ``BEGIN IMMEDIATE`` transaction on a
connection of its own (never a savepoint of a job's transaction, so it commits at once and other processes see
it), with a short busy timeout: pacing must never wait long on the database. On a shared workspace every
station's processes share the buckets the same way (``_update_postgres``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from fbm_desk.db.models import database_proxy
from fbm_desk.db.pg_connection import PgDatabase

BUSY_TIMEOUT_S = 2.0


class DbBucketStore:
    """Atomic read-change-write of one bucket, shared by every process that opens the database."""

    def update(
        self, key: str, change: Callable[[tuple[float, float] | None], tuple[float, float]]
    ) -> tuple[float, float]:
        db = database_proxy.obj
        if isinstance(db, PgDatabase):
            return _update_postgres(db, key, change)
        conn = sqlite3.connect(str(database_proxy.obj.database), timeout=BUSY_TIMEOUT_S, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                row = conn.execute(
                    "SELECT tokens, updated_at FROM rate_bucket WHERE key = ?", (key,)
                ).fetchone()
                tokens, at = change(None if row is None else (float(row[0]), float(row[1])))
                conn.execute(
                    "INSERT OR REPLACE INTO rate_bucket (key, tokens, updated_at) VALUES (?, ?, ?)",
                    (key, tokens, at),
                )
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:  # SQLite may have rolled back already (full disk)
                    conn.execute("ROLLBACK")
                raise
            return tokens, at
        finally:
            conn.close()


def _update_postgres(
    db: PgDatabase, key: str, change: Callable[[tuple[float, float] | None], tuple[float, float]]
) -> tuple[float, float]:
    """The same step on a shared workspace: the bucket's own advisory lock, on the process's side connection
    (commits at once, whatever transaction the calling thread is in)."""
    with db.side_connection() as conn, conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"rate_bucket|{key}",))
        row = conn.execute("SELECT tokens, updated_at FROM rate_bucket WHERE key = %s", (key,)).fetchone()
        tokens, at = change(None if row is None else (float(row[0]), float(row[1])))
        conn.execute(
            "INSERT INTO rate_bucket (key, tokens, updated_at) VALUES (%s, %s, %s) "
            "ON CONFLICT (key) DO UPDATE SET tokens = excluded.tokens, updated_at = excluded.updated_at",
            (key, tokens, at),
        )
    return tokens, at
