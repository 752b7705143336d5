"""Storage failures the user can act on, classified by SQLite's error code or PostgreSQL's SQLSTATE (the one
place that does).

SQLite reports them as ``sqlite3.OperationalError``/``DatabaseError`` carrying ``sqlite_errorcode`` (the
extended code; its low byte is the primary code). peewee re-raises them with its own classes of the same
names, the original as ``args[0]`` and ``__context__``; ``storage_error`` finds the original and turns it into
a ``DatabaseError`` with a user message and action. Whatever was being written was inside a transaction, so it
was rolled back: nothing half-written stays behind.
"""

from __future__ import annotations

import errno
import shutil
import sqlite3
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path

import peewee as pw
import psycopg

from fbm_desk.db.models import database_proxy
from fbm_desk.foundation.errors import Action, DatabaseError


class StorageProblem(StrEnum):
    DISK_FULL = "disk_full"
    IO_ERROR = "io_error"
    READ_ONLY = "read_only"
    BUSY = "busy"
    CORRUPT = "corrupt"
    CANNOT_OPEN = "cannot_open"
    SERVER_GONE = "server_gone"  # a shared workspace's server stopped answering


# primary result code -> problem (extended codes such as SQLITE_IOERR_WRITE share their primary's low byte)
_BY_CODE: dict[int, StorageProblem] = {
    sqlite3.SQLITE_FULL: StorageProblem.DISK_FULL,
    sqlite3.SQLITE_IOERR: StorageProblem.IO_ERROR,
    sqlite3.SQLITE_READONLY: StorageProblem.READ_ONLY,
    sqlite3.SQLITE_BUSY: StorageProblem.BUSY,
    sqlite3.SQLITE_LOCKED: StorageProblem.BUSY,
    sqlite3.SQLITE_CORRUPT: StorageProblem.CORRUPT,
    sqlite3.SQLITE_NOTADB: StorageProblem.CORRUPT,
    sqlite3.SQLITE_CANTOPEN: StorageProblem.CANNOT_OPEN,
}

# OS errors met on the same paths (log file, backup copy, settings, WAL index): errno -> problem
_BY_ERRNO: dict[int, StorageProblem] = {
    errno.ENOSPC: StorageProblem.DISK_FULL,
    errno.EDQUOT: StorageProblem.DISK_FULL,
    errno.EROFS: StorageProblem.READ_ONLY,
    errno.EACCES: StorageProblem.READ_ONLY,
    errno.EPERM: StorageProblem.READ_ONLY,
    errno.EIO: StorageProblem.IO_ERROR,
}
# SQLite reports a failed write of its shared-memory index or journal as a disk I/O error, not as "full":
# with less free space than this in the database's folder, an I/O error is the full disk.
LOW_SPACE_BYTES = 1024 * 1024

_MESSAGES: dict[StorageProblem, tuple[str, Action]] = {
    StorageProblem.DISK_FULL: (
        "The disk is full: FBM Desk cannot save its data. Nothing was half-saved and the database is not "
        "damaged; free some disk space and try again.",
        Action.RETRY_LATER,
    ),
    StorageProblem.IO_ERROR: (
        "The disk reported an error while FBM Desk was saving. Nothing was half-saved; check the disk and retry.",
        Action.RETRY_LATER,
    ),
    StorageProblem.READ_ONLY: (
        "The database file is read-only, so FBM Desk cannot save. Check the data folder's permissions.",
        Action.CONTACT_SUPPORT,
    ),
    StorageProblem.BUSY: (
        "The database stayed busy: another FBM Desk window or command kept writing for too long. Nothing was "
        "lost; try again.",
        Action.RETRY_LATER,
    ),
    StorageProblem.CORRUPT: (
        "The database file is damaged. Quit FBM Desk and restore a backup (see README: Back up and restore).",
        Action.CONTACT_SUPPORT,
    ),
    StorageProblem.CANNOT_OPEN: (
        "FBM Desk cannot open its database file: the data folder is missing, not writable or on a drive that is "
        "not connected. Check the data folder and try again.",
        Action.CONTACT_SUPPORT,
    ),
    StorageProblem.SERVER_GONE: (
        "The shared workspace's server stopped answering (network or server down). Nothing was half-saved; "
        "try again when it is back (Settings → Workspace → Test connection).",
        Action.RETRY_LATER,
    ),
}
# PostgreSQL (a shared workspace): SQLSTATE -> problem
_BY_SQLSTATE: dict[str, StorageProblem] = {
    "55P03": StorageProblem.BUSY,  # lock_not_available: lock_timeout passed
    "40P01": StorageProblem.BUSY,  # deadlock_detected
    "53100": StorageProblem.DISK_FULL,  # disk_full
    "58030": StorageProblem.IO_ERROR,  # io_error
    "25006": StorageProblem.READ_ONLY,  # read_only_sql_transaction (a standby server)
    "57P01": StorageProblem.SERVER_GONE,  # admin_shutdown
    "08006": StorageProblem.SERVER_GONE,  # connection_failure
    "08003": StorageProblem.SERVER_GONE,  # connection_does_not_exist
}


def _sqlite_errors(exc: BaseException) -> Iterator[sqlite3.Error]:
    """The sqlite3 errors in ``exc``'s chain, outermost first (peewee's wrapper holds the original)."""
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, sqlite3.Error):
            yield current
        wrapped = [a for a in current.args[:1] if isinstance(a, BaseException)]
        orig = getattr(current, "orig", None)
        linked = [*wrapped, orig, current.__cause__, current.__context__]
        pending.extend(e for e in linked if isinstance(e, BaseException))


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        context = None if current.__suppress_context__ else current.__context__
        pending.extend(e for e in (current.__cause__, context) if isinstance(e, BaseException))


def _bound_database_dir() -> Path | None:
    db = database_proxy.obj
    name = getattr(db, "database", None)
    if isinstance(db, pw.PostgresqlDatabase):
        return None  # a shared workspace: the server's disk
    return Path(str(name).removeprefix("file:").split("?", 1)[0]).parent if name else None


def low_on_space(folder: Path | None) -> bool:
    """True when the disk holding ``folder`` has (almost) no free space left."""
    if folder is None:
        return False
    try:
        return shutil.disk_usage(folder).free < LOW_SPACE_BYTES
    except OSError:
        return False


def classify(exc: BaseException, folder: Path | None = None) -> StorageProblem | None:
    """The storage problem behind ``exc`` (searched along its chain), or None when it is something else.

    The chain matters: on a full disk SQLite rolls the transaction back itself, so the error that surfaces is
    peewee's "cannot rollback - no transaction is active" (a plain SQLITE_ERROR), raised while handling it.
    An I/O error on a disk without free space (``folder``, default the open database's) is the full disk.
    """
    problem: StorageProblem | None = None
    for err in _sqlite_errors(exc):
        code = getattr(err, "sqlite_errorcode", None)
        if isinstance(code, int) and (code & 0xFF) in _BY_CODE:
            problem = _BY_CODE[code & 0xFF]
            break
    if problem is None:
        problem = next(
            (
                _BY_SQLSTATE[e.sqlstate]
                for e in _chain(exc)
                if isinstance(e, psycopg.Error) and e.sqlstate in _BY_SQLSTATE
            ),
            None,
        )
    if problem is None and any(isinstance(e, psycopg.OperationalError) for e in _chain(exc)):
        problem = StorageProblem.SERVER_GONE  # connection lost: psycopg gives no SQLSTATE
    if problem is None:
        problem = next(
            (_BY_ERRNO[e.errno] for e in _chain(exc) if isinstance(e, OSError) and e.errno in _BY_ERRNO), None
        )
    if problem is StorageProblem.IO_ERROR and low_on_space(folder or _bound_database_dir()):
        return StorageProblem.DISK_FULL
    return problem


def problem_error(problem: StorageProblem) -> DatabaseError:
    """The user-facing error for a classified storage problem."""
    message, action = _MESSAGES[problem]
    return DatabaseError(message, action=action)


def busy_error(*, own_jobs: bool) -> DatabaseError:
    """The busy error, telling whether it was this app's own other jobs (not another window) that wrote."""
    if not own_jobs:
        return problem_error(StorageProblem.BUSY)
    return DatabaseError(
        "The database stayed busy while this window's other sync jobs were saving. Nothing was lost; the job "
        "runs again on its next schedule.",
        action=Action.RETRY_LATER,
    )


def storage_error(exc: BaseException, folder: Path | None = None) -> DatabaseError | None:
    """The user-facing error for a storage failure (SQLite or the OS), or None when ``exc`` is something else."""
    problem = classify(exc, folder)
    return None if problem is None else problem_error(problem)
