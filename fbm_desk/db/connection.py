"""Open the local SQLite database: checks, backup, migrations, pragmas.

Rules (see ARCHITECTURE.md):
- The schema version lives in ``PRAGMA user_version``; ``MIGRATIONS`` is an ordered, append-only list of SQL
  files. Each step runs in one transaction together with its ``user_version`` bump.
- Before migrating an existing file, it is copied to ``backups/`` with SQLite's online backup API.
- A database written by a newer FBM Desk is refused; a file that is not an FBM Desk database, or is corrupt, is
  refused. In both cases the file is never written to.
- Every connection uses WAL, foreign keys and a busy timeout. peewee keeps one connection per thread, so the
  sync workers on the thread pool and the GUI thread each get their own.
- Every transaction takes the write lock when it begins (``BEGIN IMMEDIATE``): a transaction that read first
  and then wanted to write could not wait for the lock (SQLite answers "busy" at once, whatever the timeout,
  when another connection wrote meanwhile). Taking the lock at BEGIN waits up to the busy timeout, and once
  more after that (``_Database.begin``); nothing else can fail with "busy" inside the transaction.
- A read-only data folder opens the file read-only (``read_only=True``): reading works, every write fails with
  SQLite's read-only error (``errors.py``); nothing is migrated.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import peewee as pw

from fbm_desk.db import checkpoints
from fbm_desk.db.errors import StorageProblem, classify, problem_error, storage_error
from fbm_desk.db.migration_progress import MigrationProgress, compact_after_migrating, copy_backup
from fbm_desk.db.models import database_proxy
from fbm_desk.db.sealed_values import register_functions
from fbm_desk.db.table_rebuild import AFTER_STEP
from fbm_desk.foundation.errors import DatabaseError

log = logging.getLogger(__name__)

APPLICATION_ID = 0x46424D44  # "FBMD": marks the file as ours (PRAGMA application_id)
MIGRATIONS: tuple[str, ...] = (
    "schema_v1.sql",
    "schema_v2.sql",
    "schema_v3.sql",
    "schema_v4.sql",
    "schema_v5.sql",
    "schema_stock_drift.sql",
    "schema_sync_run_process.sql",
    "schema_job_locks.sql",
    "schema_order_details.sql",
    "schema_rules.sql",
    "schema_bins_low_stock.sql",
    "schema_rules_speed.sql",
    "schema_packing_queue.sql",
    "schema_warehouses.sql",
    "schema_listing_images.sql",
    "schema_stock_summary.sql",
    "schema_stations.sql",
    "schema_privacy.sql",
    "schema_buy_shipping.sql",
    "schema_workspace_sync.sql",
    "schema_order_list_scale.sql",
    "schema_storage.sql",
    "schema_sort_keys.sql",
    "schema_stock_allocation.sql",
    "schema_compact.sql",
    "schema_cascade_indexes.sql",
    "schema_store_removal.sql",
    "schema_outbox_done.sql",
    "schema_package_times.sql",
    "schema_pii_binary.sql",
)
LATEST_VERSION = len(MIGRATIONS)
BUSY_TIMEOUT_S = 10.0
_SQLITE_HEADER = b"SQLite format 3\x00"


@dataclass(frozen=True)
class OpenedDatabase:
    """The opened database and what happened while opening it."""

    db: pw.Database
    path: Path | None  # the SQLite file; None for a shared workspace
    version: int
    migrated_from: int | None
    backup: Path | None
    url: str | None = None  # the shared workspace (postgresql://...); None for the SQLite file

    @property
    def shared(self) -> bool:
        """True on a shared workspace (PostgreSQL), False on this computer's SQLite file."""
        return self.url is not None

    def close(self) -> None:
        close_all = getattr(self.db, "close_all", None)  # a workspace: every thread's connection
        if close_all is not None:
            close_all()
            return
        checkpoints.stop(str(self.db.database))  # before the last connection closes (it empties the log)
        if not self.db.is_closed():
            self.db.close()

    def journal_mode(self) -> str:
        """SQLite's journal mode as the file has it (``wal`` once opened by this app); ``postgresql`` for a
        shared workspace (the server keeps its own write-ahead log)."""
        if self.shared:
            return "postgresql"
        return str(self.db.execute_sql("PRAGMA journal_mode").fetchone()[0]).lower()


def _sql(name: str) -> str:
    return resources.files("fbm_desk.db").joinpath(name).read_text(encoding="utf-8")


POSTGRES_ONLY = (
    "/*postgresql*/"  # a migration statement only a shared workspace runs (written for PostgreSQL)
)
SQLITE_ONLY = "/*sqlite*/"  # a migration statement only the embedded SQLite file runs (its storage layout)


def migration_sql(step: str, *, postgres: bool = False) -> list[str]:
    """The statements of one migration file, in order (SQLite dialect; ``dialect`` translates for PostgreSQL).
    A statement that begins with ``/*postgresql*/`` is PostgreSQL's own and only in the ``postgres`` list; one
    that begins with ``/*sqlite*/`` only in the SQLite list."""
    statements = [_without_leading_comments(s) for s in _split_sql(_sql(step))]
    if postgres:
        return [s.removeprefix(POSTGRES_ONLY) for s in statements if not s.startswith(SQLITE_ONLY)]
    return [s.removeprefix(SQLITE_ONLY) for s in statements if not s.startswith(POSTGRES_ONLY)]


def _without_leading_comments(statement: str) -> str:
    lines = statement.splitlines()
    while lines and (not lines[0].strip() or lines[0].lstrip().startswith("--")):
        lines.pop(0)
    return "\n".join(lines)


def _read_only_uri(path: Path) -> str:
    """A URI that reads ``path`` without writing: ``mode=ro``; on a read-only folder where SQLite cannot create
    the WAL index next to the file, ``immutable=1`` (nothing can change a file in such a folder meanwhile)."""
    uri = f"{path.as_uri()}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()
    except sqlite3.OperationalError as exc:
        cannot_open = classify(exc, path.parent) is StorageProblem.CANNOT_OPEN
        if cannot_open and (_read_only_folder(path.parent) or not os.access(path.parent, os.W_OK)):
            return f"{uri}&immutable=1"
    return uri


def _read_only_folder(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):
        return False


def _inspect_existing(path: Path, *, full_check: bool = False) -> tuple[int, int]:
    """Return (user_version, application_id) of an existing file, read-only. Raises DatabaseError if unusable.

    The header, the schema and the version are always read; SQLite's ``quick_check`` (every page: seconds at a
    million orders) only with ``full_check`` — before a migration writes to the file. A file opened as it is
    gets that check after start-up, off the start path (``integrity_problem``)."""
    try:
        with path.open("rb") as fh:
            header = fh.read(len(_SQLITE_HEADER))
    except OSError as exc:
        raise DatabaseError(f"Cannot read the database file {path}: {exc.strerror}.") from exc
    if header != _SQLITE_HEADER:
        raise DatabaseError(
            f"The file {path} is not an FBM Desk database (it may be damaged). "
            "It was left untouched; restore a backup from the 'backups' folder or move the file away."
        )
    try:
        conn = sqlite3.connect(_read_only_uri(path), uri=True)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the schema pages are readable
            check = conn.execute("PRAGMA quick_check").fetchone() if full_check else ("ok",)
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        problem = classify(exc, path.parent)
        if (
            problem is not None and problem is not StorageProblem.CORRUPT
        ):  # full disk, read-only...: not damage
            raise problem_error(problem) from exc
        raise DatabaseError(
            f"The database file {path} is damaged and cannot be opened ({exc}). "
            "It was left untouched; restore a backup from the 'backups' folder."
        ) from exc
    if check is None or check[0] != "ok":
        raise DatabaseError(
            f"The database file {path} failed its integrity check. "
            "It was left untouched; restore a backup from the 'backups' folder."
        )
    return version, app_id


def _backup(path: Path, version: int, backup_dir: Path, progress: MigrationProgress | None = None) -> Path:
    backup_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = backup_dir / f"{path.stem}-v{version}-{stamp}.sqlite3"
    src = sqlite3.connect(str(path))
    dst = sqlite3.connect(str(target))
    try:
        copy_backup(src, dst, progress or MigrationProgress())
    finally:
        dst.close()
        src.close()
    return target


def _apply_migrations(path: Path, current: int, progress: MigrationProgress) -> None:
    conn = sqlite3.connect(str(path), isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys = OFF")  # schema changes may rebuild tables
        register_functions(conn)  # pii_binary (schema_pii_binary.sql's step)
        progress.steps_pending(list(MIGRATIONS[current:]))
        for index in range(current, LATEST_VERSION):
            step, statements = MIGRATIONS[index], migration_sql(MIGRATIONS[index])
            log.info("Migrating database to version %d (%s)", index + 1, step)
            progress.step_started(index - current + 1, step, len(statements), step in AFTER_STEP)
            conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in statements:
                    conn.execute(statement)
                    progress.statement_done()
                if step in AFTER_STEP:  # what SQL alone cannot do (table_rebuild.py)
                    AFTER_STEP[step](conn, progress)
                conn.execute(f"PRAGMA user_version = {index + 1}")
                conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        if current > 0:
            compact_after_migrating(conn, progress)
        progress.finished()
    finally:
        conn.close()


def _split_sql(script: str) -> list[str]:
    """Split a migration script into statements (``sqlite3.complete_statement`` handles quotes)."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        if not buffer and line.strip().startswith("--"):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements


class _Database(pw.SqliteDatabase):
    """peewee's SQLite database whose transactions begin with the write lock and retry that once."""

    def begin(self, lock_type: str | None = None) -> None:
        try:
            super().begin(lock_type)
        except pw.OperationalError as exc:
            if classify(exc) is not StorageProblem.BUSY:
                raise
            log.warning("The database stayed locked for %.0f s; waiting once more", BUSY_TIMEOUT_S)
            super().begin(lock_type)


def pending_migration(path: Path) -> int | None:
    """The schema version of an existing FBM Desk file that opening it will migrate (it has fewer steps than
    this version), None otherwise: no file, current, or a file the open refuses (it says why itself)."""
    path = Path(path)
    try:
        if not path.exists() or path.stat().st_size == 0:
            return None
        version, app_id = _inspect_existing(path)
    except (OSError, DatabaseError):
        return None
    return version if app_id == APPLICATION_ID and 0 < version < LATEST_VERSION else None


def open_database(
    path: Path,
    *,
    backup_dir: Path | None = None,
    read_only: bool = False,
    progress: MigrationProgress | None = None,
) -> OpenedDatabase:
    """Open (creating or migrating) the database at ``path`` and bind the models to it; a migration reports its
    stages to ``progress`` (``migration_progress.py``) when one is given.

    Raises ``DatabaseError`` with a user-facing message when the file is damaged, foreign, newer than this
    version, or the disk is full. A refused file is never modified. ``read_only`` (a read-only data folder)
    opens an existing, current file for reading only.
    """
    if read_only:
        return _open_read_only(Path(path))
    path = Path(path)
    backup_dir = backup_dir or path.parent / "backups"
    migrated_from: int | None = None
    backup: Path | None = None
    progress = progress or MigrationProgress()  # nobody watches: the CLI, tests
    try:
        if path.exists() and path.stat().st_size > 0:
            version, app_id = _inspect_existing(path)
            if app_id not in (0, APPLICATION_ID):
                raise DatabaseError(f"The file {path} belongs to another application; it was left untouched.")
            if version > LATEST_VERSION:
                raise DatabaseError(
                    f"This database was written by a newer version of FBM Desk (schema {version}; this version "
                    f"understands up to {LATEST_VERSION}). Install the newer version; the file was left untouched."
                )
            if version == 0 and app_id == 0 and _has_tables(path):
                raise DatabaseError(f"The file {path} is not an FBM Desk database; it was left untouched.")
            if version < LATEST_VERSION:
                progress.checking()
                _inspect_existing(path, full_check=True)  # never migrate a damaged file
                if version > 0:
                    backup = _backup(path, version, backup_dir, progress)
                    log.info("Backed up database (schema %d) to %s", version, backup)
                migrated_from = version
                _apply_migrations(path, version, progress)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            migrated_from = 0
            _apply_migrations(path, 0, progress)
    except (sqlite3.Error, OSError) as exc:  # migration, backup copy, folder creation
        known = storage_error(exc, path.parent)
        raise (known or DatabaseError(f"The database {path} could not be opened: {exc}.")) from exc

    db = _Database(
        str(path),
        pragmas={
            "journal_mode": "wal",
            "foreign_keys": 1,
            "synchronous": "normal",
            "cache_size": -32000,
            "secure_delete": 1,  # removed buyer data is overwritten, not left in free pages (issue 14)
        },
        timeout=BUSY_TIMEOUT_S,
        lock_type="IMMEDIATE",
    )
    database_proxy.initialize(db)
    db.connect(reuse_if_open=True)
    return OpenedDatabase(
        db=db, path=path, version=LATEST_VERSION, migrated_from=migrated_from, backup=backup
    )


def _open_read_only(path: Path) -> OpenedDatabase:
    if not path.exists():
        raise DatabaseError(f"The data folder is read-only and holds no database yet ({path}).")
    version, app_id = _inspect_existing(path)
    if app_id != APPLICATION_ID or version != LATEST_VERSION:
        raise DatabaseError(
            f"The database {path} needs updating (schema {version} -> {LATEST_VERSION}), but its folder is "
            "read-only. Make the folder writable and run FBM Desk once."
        )
    db = _Database(_read_only_uri(path), uri=True, pragmas={"foreign_keys": 1}, timeout=BUSY_TIMEOUT_S)
    database_proxy.initialize(db)
    try:
        db.connect(reuse_if_open=True)
    except pw.DatabaseError as exc:
        raise (storage_error(exc, path.parent) or DatabaseError(f"Cannot read {path}: {exc}.")) from exc
    return OpenedDatabase(db=db, path=path, version=version, migrated_from=None, backup=None)


def _has_tables(path: Path) -> bool:
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        count: int = conn.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[0]
        return count > 0
    finally:
        conn.close()
