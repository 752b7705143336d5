"""Byte scans for buyer data (issue 14): does a copied file, folder or database dump reveal a buyer's name,
street or phone?

``pii_hits`` takes any bytes (a database file, its WAL, a backup, or the output of ``pg_dump`` for the
PostgreSQL workspace), so every storage backend is checked by the same function. A needle is searched as UTF-8
and as UTF-16 (SQLite may store text in either), case-insensitively.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path


def _forms(needle: str) -> set[bytes]:
    return {
        text.encode(enc) for text in (needle, needle.lower()) for enc in ("utf-8", "utf-16-le", "utf-16-be")
    }


def pii_hits(blob: bytes, needles: Iterable[str]) -> list[str]:
    """The needles found anywhere in ``blob`` (as written, or in lower case: ASCII letters of the blob are
    compared without case)."""
    lowered = blob.lower()
    found = []
    for needle in needles:
        if len(needle.strip()) < 4:
            raise ValueError(f"needle {needle!r} is too short to mean anything")
        if any(form in blob or form in lowered for form in _forms(needle)):
            found.append(needle)
    return found


def copy_and_scan(data_dir: Path, copy_to: Path, needles: Iterable[str]) -> dict[str, list[str]]:
    """Copy the data folder the way someone walking away with it would (while the app may run), then scan every
    byte of every file in the copy: {relative path: needles found}. Only files with hits are listed."""
    shutil.copytree(data_dir, copy_to)
    wanted = list(needles)
    hits: dict[str, list[str]] = {}
    for path in sorted(p for p in copy_to.rglob("*") if p.is_file()):
        found = pii_hits(path.read_bytes(), wanted)
        if found:
            hits[str(path.relative_to(copy_to))] = found
    return hits
