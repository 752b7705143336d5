"""Storage failures the user can act on (full disk, locked or read-only file, damaged database).

SQLite reports them as ``OperationalError``/``DatabaseError`` (peewee re-raises them with its own classes of the
same names); ``storage_error`` turns them into a ``DatabaseError`` with a user message. Whatever was being
written was inside a transaction, so it was rolled back: nothing half-written stays behind.
"""

from __future__ import annotations

import sqlite3

import peewee as pw

from fbm_desk.errors import Action, DatabaseError

_KNOWN: tuple[tuple[str, str, Action], ...] = (
    (
        "disk is full",
        "The disk is full: FBM Desk could not save. Nothing was half-saved; free some disk space and try again.",
        Action.RETRY_LATER,
    ),
    (
        "database is locked",
        "The database is busy (another FBM Desk window or command is writing). Nothing was lost; try again.",
        Action.RETRY_LATER,
    ),
    (
        "readonly database",
        "The database file is read-only, so FBM Desk cannot save. Check the data folder's permissions.",
        Action.CONTACT_SUPPORT,
    ),
    (
        "disk i/o error",
        "The disk reported an error while FBM Desk was saving. Nothing was half-saved; check the disk and retry.",
        Action.RETRY_LATER,
    ),
    (
        "malformed",
        "The database file is damaged. Quit FBM Desk and restore a backup (see README: Back up and restore).",
        Action.CONTACT_SUPPORT,
    ),
)


def storage_error(exc: BaseException) -> DatabaseError | None:
    """The user-facing error for a SQLite storage failure, or None when ``exc`` is something else.

    The exception chain is searched too: on a full disk SQLite rolls the transaction back itself, so the
    error that surfaces is peewee's "cannot rollback - no transaction is active", raised while handling it.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, sqlite3.Error | pw.DatabaseError):
            text = str(current).lower()
            for needle, message, action in _KNOWN:
                if needle in text:
                    return DatabaseError(message, action=action)
        current = current.__cause__ or current.__context__
    return None
