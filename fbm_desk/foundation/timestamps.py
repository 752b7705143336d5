"""ISO 8601 UTC timestamps, as Amazon sends them and as every timestamp column stores them (``...Z``).

One parser and one formatter for the app (the Amazon client, the database and the sync jobs); the built-in
sandbox keeps its own on purpose (it plays Amazon and imports nothing of the app).
"""

from __future__ import annotations

from datetime import UTC, datetime


def parse_utc(value: object) -> datetime | None:
    """ISO 8601 (``Z`` or offset, optional fraction) -> aware UTC datetime (naive text is taken as UTC).

    None for anything that is not such a text: None, empty, unparsable or not a string.
    """
    if not isinstance(value, str):
        return None
    raw = value.strip()
    if not raw:
        return None
    try:
        parsed = datetime.fromisoformat(raw.upper().replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def iso_utc(moment: datetime) -> str:
    """UTC ISO 8601 with a ``Z``, second precision (naive datetimes are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
