"""The workspace key of this database: created with it, checked on every open, bound for ``pii`` (issue 14).

``attach_workspace`` runs once per process right after ``open_database`` (``core.build_core``; tests' ``db``
fixture):
- no workspace row yet (a new database, or one from before encryption): a new key is stored in the credentials
  layer first, then, in ONE write transaction, the workspace row with its check value is written, every plain
  buyer field is encrypted and the name index is built. Backups in ``backups/`` are then rewritten the same way
  (``backups.seal_backup``): no copy keeps plain buyer data;
- a workspace row: its key is read from the credentials layer and checked against the stored check value; a
  computer without it (or with a wrong one) opens the database anyway and shows buyer fields as ``pii.LOCKED``.
"""

from __future__ import annotations

import hmac
import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from fbm_desk.db import checkpoints, dialect, pii
from fbm_desk.db.backups import BACKUP_WORKSPACE_TABLE, seal_backup, seal_plain_rows
from fbm_desk.db.models import database_proxy, utcnow_iso
from fbm_desk.db.privacy_models import Workspace
from fbm_desk.foundation.credentials import Credentials
from fbm_desk.foundation.workspace_key import (
    FieldCipher,
    WorkspaceKey,
    load_workspace_key,
    new_workspace_key,
    save_workspace_key,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkspaceStatus:
    workspace_id: str
    has_key: bool
    message: str  # "" when the key is here and right; otherwise what to do
    encrypted_now: int = 0  # plain buyer fields encrypted by this open (the first one)
    backups_rewritten: int = 0


def workspace_row() -> Workspace | None:
    return Workspace.get_or_none(Workspace.id == 1)


def _check(key: WorkspaceKey, row: Workspace) -> bool:
    return hmac.compare_digest(key.check_value(), str(row.key_check))


def attach_workspace(
    credentials: Credentials, *, backup_dir: Path | None = None, read_only: bool = False
) -> WorkspaceStatus:
    """Find (or create) this database's workspace key and bind it for every buyer field."""
    row = workspace_row()
    if row is None and read_only:  # a database never opened writable since encryption: nothing is sealed
        pii.bind(None, "The data folder is read-only.")
        return WorkspaceStatus("", has_key=False, message="")
    if row is None:
        return _create(credentials, backup_dir)
    key = load_workspace_key(credentials, str(row.workspace_id))
    if key is None:
        message = (
            "This computer lacks the workspace key of this database: buyer names and addresses stay encrypted. "
            "Enter the key from a station that has it to read them."
        )
    elif not _check(key, row):
        key, message = None, "The workspace key stored on this computer is wrong for this database."
    else:
        message = ""
    if key is None:
        log.warning("Buyer data locked: %s", message)
        pii.bind(None, message)
        return WorkspaceStatus(str(row.workspace_id), has_key=False, message=message)
    pii.bind(FieldCipher(key))
    return WorkspaceStatus(key.workspace_id, has_key=True, message="")


def _restored_key(credentials: Credentials) -> WorkspaceKey | None:
    """The key of a restored backup sealed by ``seal_backup`` (it names its workspace), when this computer has it."""
    if dialect.is_postgres():
        return None  # backups of a workspace are pg_dump files, not rewritten SQLite copies
    conn = database_proxy.connection()
    if not conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", (BACKUP_WORKSPACE_TABLE,)
    ).fetchone()[0]:
        return None
    found = conn.execute(f"SELECT workspace_id FROM {BACKUP_WORKSPACE_TABLE}").fetchone()  # noqa: S608
    return load_workspace_key(credentials, str(found[0])) if found else None


def _create(credentials: Credentials, backup_dir: Path | None) -> WorkspaceStatus:
    key = _restored_key(credentials) or new_workspace_key()
    save_workspace_key(credentials, key)  # first: a key that cannot be kept must not seal anything
    cipher = FieldCipher(key)
    with database_proxy.atomic(lock_type="IMMEDIATE"):
        if workspace_row() is not None:  # another process created it meanwhile: use that one
            return attach_workspace(credentials, backup_dir=backup_dir)
        Workspace.insert(
            id=1, workspace_id=key.workspace_id, key_check=key.check_value(), created_at=utcnow_iso()
        ).execute()
        sealed = seal_plain_rows(dialect.LiveConnection(), cipher, index_names=True)
    pii.bind(cipher)
    if sealed and not dialect.is_postgres():
        log.info("Encrypted %d buyer fields of this database with its new workspace key", sealed)
        database_proxy.execute_sql("VACUUM")  # no plain value stays in a free page of the file
        with checkpoints.paused():  # a checkpoint running meanwhile would make this one return busy
            database_proxy.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")  # nor an old page image in the WAL
    rewritten = 0
    for backup in sorted(backup_dir.glob("*.sqlite3")) if backup_dir and backup_dir.is_dir() else []:
        try:
            rewritten += seal_backup(backup, cipher, key.workspace_id)
        except sqlite3.Error as exc:
            log.warning(
                "Backup %s could not be encrypted (%s): deleted, it held plain buyer data", backup, exc
            )
            backup.unlink(missing_ok=True)
    return WorkspaceStatus(key.workspace_id, True, "", encrypted_now=sealed, backups_rewritten=rewritten)
