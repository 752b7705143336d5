"""Defensive readers for Amazon's JSON: missing or oddly typed optional fields are normal, not errors."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def obj(value: Any, key: str) -> dict[str, Any]:
    """``value[key]`` when it is an object, else ``{}``."""
    if isinstance(value, dict):
        found = value.get(key)
        if isinstance(found, dict):
            return found
    return {}


def arr(value: Any, key: str) -> list[Any]:
    if isinstance(value, dict):
        found = value.get(key)
        if isinstance(found, list):
            return found
    return []


def text(value: Any, key: str, default: str = "") -> str:
    if isinstance(value, dict):
        found = value.get(key)
        if isinstance(found, str):
            return found
        if isinstance(found, int | float) and not isinstance(found, bool):
            return str(found)
    return default


def integer(value: Any, key: str, default: int = 0) -> int:
    if isinstance(value, dict):
        found = value.get(key)
        if isinstance(found, bool):
            return default
        if isinstance(found, int):
            return found
        if isinstance(found, str | float):
            try:
                return int(float(found))
            except ValueError:
                return default
    return default


def parse_datetime(raw: str) -> datetime | None:
    """ISO 8601 (``Z`` or offset, optional fraction) -> aware UTC datetime; None when empty or unparsable."""
    raw = raw.strip()
    if not raw:
        return None
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def when(value: Any, key: str) -> datetime | None:
    return parse_datetime(text(value, key))


def iso_z(moment: datetime) -> str:
    """UTC ISO 8601 with a ``Z`` (naive datetimes are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
