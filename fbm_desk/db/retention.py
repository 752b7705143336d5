"""Retention of buyer data (issue 14): an order's buyer fields are removed a set number of days after its latest
delivery date (default 30, the maximum Amazon's Data Protection Policy allows; 1..30 selectable per workspace),
from the database and from every backup. The order itself (ids, items, packages, tracking, timeline) stays and
shows ``pii.purged_text(days)`` where the address was. Orders without a delivery date count from their latest
ship date, then their purchase date.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from fbm_desk.db import checkpoints, dialect
from fbm_desk.db.backups import purge_backup, purge_rows
from fbm_desk.db.models import database_proxy
from fbm_desk.db.privacy_models import Workspace
from fbm_desk.foundation.errors import InvalidInput
from fbm_desk.foundation.timestamps import iso_utc

log = logging.getLogger(__name__)
DEFAULT_DAYS = 30
MAX_DAYS = 30


@dataclass(frozen=True)
class PurgeResult:
    orders_purged: int
    backups_rewritten: int
    retention_days: int
    cutoff: str


def retention_days() -> int:
    row = Workspace.get_or_none(Workspace.id == 1)
    return int(row.retention_days) if row is not None else DEFAULT_DAYS


def set_retention_days(days: int) -> None:
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput(f"Keep buyer data 1 to {MAX_DAYS} days after delivery (Amazon's maximum is 30).")
    with database_proxy.atomic(lock_type="IMMEDIATE"):
        if Workspace.update(retention_days=days).where(Workspace.id == 1).execute() != 1:
            raise InvalidInput("This database has no workspace yet: open it once with FBM Desk.")


def purge_buyer_data(now: datetime, backup_dir: Path | None) -> PurgeResult:
    """Remove the buyer data that is past the retention window at ``now``: one transaction on the database,
    then each backup holding such data is rewritten."""
    days = retention_days()
    cutoff = iso_utc(now - timedelta(days=days))
    with database_proxy.atomic(lock_type="IMMEDIATE"):
        ids = purge_rows(dialect.LiveConnection(), cutoff, purged_at=iso_utc(now), days=days)
    if ids and not dialect.is_postgres():
        # best effort: readers may hold frames (and not alongside the import's background checkpoint)
        with checkpoints.paused():
            database_proxy.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    rewritten = 0
    for backup in sorted(backup_dir.glob("*.sqlite3")) if backup_dir and backup_dir.is_dir() else []:
        rewritten += purge_backup(backup, cutoff)
    log.info("Retention: buyer data of %d order(s) removed, %d backup(s) rewritten", len(ids), rewritten)
    return PurgeResult(len(ids), rewritten, days, cutoff)
