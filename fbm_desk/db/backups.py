"""Buyer data in any SQLite file of ours: the live database's connection or a file in ``backups/`` (issue 14).

Raw ``sqlite3`` on purpose: a backup has the schema of the version that made it (older columns, no
``workspace`` table), and the same functions run on the live connection. ``seal_plain_rows`` encrypts every
plain buyer field; ``purge_rows`` empties the buyer fields of orders delivered before a cut-off. A rewritten
backup is vacuumed, so no free page keeps an old value, and names its workspace (``BACKUP_WORKSPACE_TABLE``) so
that restoring it on a station with that key opens its buyer data again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fbm_desk.db import dialect, pii
from fbm_desk.foundation.workspace_key import FieldCipher, WorkspaceKeyError, is_sealed

BACKUP_WORKSPACE_TABLE = "fbm_backup_workspace"
_DUE = "coalesce(latest_delivery_date, latest_ship_date, purchase_date)"


def _columns(conn: Any, wanted: tuple[str, ...]) -> list[str]:
    have = {row[1] for row in conn.execute("PRAGMA table_info(orders)").fetchall()}
    return [c for c in wanted if c in have]


def _opened(cipher: FieldCipher, column: str, stored: str | bytes) -> str:
    try:
        return cipher.decrypt(column, stored)
    except WorkspaceKeyError:  # sealed with a key this station lacks: left as it is, not searchable
        return ""


def seal_plain_rows(conn: Any, cipher: FieldCipher, *, index_names: bool) -> int:
    """Encrypt every plain buyer field of ``orders`` (inside the caller's transaction); returns how many."""
    columns = _columns(conn, pii.ENCRYPTED_COLUMNS)
    if not columns:
        return 0
    # the form the file keeps (fbm_desk.db.sealed_values): text on a PostgreSQL workspace, bytes in SQLite files
    pg = isinstance(conn, dialect.LiveConnection) and dialect.is_postgres()
    seal: Callable[[str, str], str | bytes] = cipher.encrypt if pg else cipher.encrypt_bytes
    sealed = 0
    updates: list[tuple[Any, ...]] = []
    tokens: list[tuple[int, int]] = []
    for row in conn.execute(f"SELECT id, {', '.join(columns)} FROM orders").fetchall():  # noqa: S608
        values = dict(zip(columns, row[1:], strict=True))
        plain = {c: _opened(cipher, c, v or "") for c, v in values.items()}
        if index_names:
            names = [plain[c] for c in pii.NAME_COLUMNS if c in plain]
            tokens.extend((int(row[0]), token) for token in sorted(cipher.name_tokens(*names)))
        todo = {c: v for c, v in values.items() if v and not is_sealed(v)}
        if todo:
            sealed += len(todo)
            updates.append((*(seal(c, str(v)) if c in todo else v for c, v in values.items()), row[0]))
    if updates:
        sets = ", ".join(f"{c} = ?" for c in columns)
        conn.executemany(f"UPDATE orders SET {sets} WHERE id = ?", updates)  # noqa: S608
    if index_names:
        conn.execute("DELETE FROM buyer_name_token")
        conn.executemany("INSERT INTO buyer_name_token (order_id, token) VALUES (?, ?)", tokens)
    return sealed


def purge_rows(conn: Any, cutoff: str, *, purged_at: str | None = None, days: int = 0) -> list[int]:
    """Empty the buyer fields of orders due before ``cutoff`` that still hold some; returns their ids.

    ``purged_at`` (the live database): also marks the orders and drops their name tokens."""
    columns = _columns(conn, pii.PURGED_COLUMNS)
    holding = " OR ".join(f"{c} <> ''" for c in columns)
    sql = f"SELECT id FROM orders WHERE {_DUE} < ? AND ({holding})"  # noqa: S608 - our column names only
    ids = [int(r[0]) for r in conn.execute(sql, (cutoff,)).fetchall()]
    if not ids:
        return ids
    blanks = ", ".join(f"{c} = ''" for c in columns)
    if conn.execute(
        "PRAGMA table_info(buyer_name_token)"
    ).fetchall():  # none in a backup older than the index
        # their name tokens, derived from the names: in one statement before the names go (the SQLite table has
        # no index by order), in the live database and in a backup alike
        conn.execute(f"DELETE FROM buyer_name_token WHERE order_id IN ({sql})", (cutoff,))  # noqa: S608
    if purged_at is not None:
        conn.executemany(
            f"UPDATE orders SET {blanks}, pii_purged_at = ?, pii_purged_days = ? WHERE id = ?",  # noqa: S608
            [(purged_at, days, oid) for oid in ids],
        )
    else:
        conn.executemany(f"UPDATE orders SET {blanks} WHERE id = ?", [(oid,) for oid in ids])  # noqa: S608
    return ids


def _rewrite(path: Path, work: Any) -> int:
    """Run ``work(conn) -> changed`` on a backup file in one transaction; vacuum it when anything changed."""
    conn = sqlite3.connect(str(path), isolation_level=None)
    try:
        conn.execute("PRAGMA secure_delete = ON")
        if not conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'orders'").fetchone()[0]:
            return 0
        conn.execute("BEGIN IMMEDIATE")
        try:
            changed = int(work(conn))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        if changed:
            conn.execute("VACUUM")
        return 1 if changed else 0
    finally:
        conn.close()


def seal_backup(path: Path, cipher: FieldCipher, workspace_id: str) -> int:
    """Encrypt a backup's plain buyer fields with this workspace's key; 1 when the file was rewritten."""

    def work(conn: Any) -> int:
        sealed = seal_plain_rows(conn, cipher, index_names=False)
        conn.execute(f"CREATE TABLE IF NOT EXISTS {BACKUP_WORKSPACE_TABLE} (workspace_id TEXT NOT NULL)")
        conn.execute(f"DELETE FROM {BACKUP_WORKSPACE_TABLE}")  # noqa: S608
        conn.execute(f"INSERT INTO {BACKUP_WORKSPACE_TABLE} VALUES (?)", (workspace_id,))  # noqa: S608
        return sealed

    return _rewrite(path, work)


def purge_backup(path: Path, cutoff: str) -> int:
    """Remove the buyer data of orders due before ``cutoff`` from a backup; 1 when the file was rewritten."""
    return _rewrite(path, lambda conn: len(purge_rows(conn, cutoff)))
