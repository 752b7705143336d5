"""Per-store sync cursors (``sync_cursor``): where each incremental job continues from."""

from __future__ import annotations

from datetime import datetime

from fbm_desk.db.models import SyncCursor, utcnow_iso
from fbm_desk.foundation.timestamps import iso_utc as iso_utc  # re-exported: bench/ imports it from here
from fbm_desk.foundation.timestamps import parse_utc


def get_cursor(store_id: int, job: str) -> datetime | None:
    """The stored cursor of ``job`` for a store, or None before the first completed run."""
    row = SyncCursor.get_or_none((SyncCursor.store == store_id) & (SyncCursor.job == job))
    return parse_utc(row.value) if row is not None else None


def set_cursor(store_id: int, job: str, value: datetime) -> None:
    """Store the cursor (callers do this in the same transaction as the data it covers)."""
    SyncCursor.insert(store=store_id, job=job, value=iso_utc(value), updated_at=utcnow_iso()).on_conflict(
        conflict_target=[SyncCursor.store, SyncCursor.job],
        update={SyncCursor.value: iso_utc(value), SyncCursor.updated_at: utcnow_iso()},
    ).execute()
