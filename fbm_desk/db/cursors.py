"""Per-store sync cursors (``sync_cursor``): where each incremental job continues from."""

from __future__ import annotations

from datetime import UTC, datetime

from fbm_desk.db.models import SyncCursor, utcnow_iso


def iso_utc(moment: datetime) -> str:
    """The ISO 8601 UTC text stored in every timestamp column (second precision, ``Z``)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_utc(value: str | None) -> datetime | None:
    """Parse a stored timestamp; None for empty or unparseable text."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


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


def clear_cursor(store_id: int, job: str) -> None:
    SyncCursor.delete().where((SyncCursor.store == store_id) & (SyncCursor.job == job)).execute()
