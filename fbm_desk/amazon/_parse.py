"""Defensive readers for Amazon's JSON: missing or oddly typed optional fields are normal, not errors."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fbm_desk.foundation.timestamps import iso_utc, parse_utc

# Amazon's timestamps read and write like the stored ones (one implementation, in fbm_desk.foundation.timestamps).
parse_datetime = parse_utc
iso_z = iso_utc


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


def when(value: Any, key: str) -> datetime | None:
    return parse_utc(text(value, key))
