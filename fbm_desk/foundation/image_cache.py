"""Product pictures kept in the data folder (``<data>/images/<ASIN>.<ext>``), so packing never waits for the
network: the pack dialog only reads this cache; what fills it is the listings sync (``sync/listing_images``)."""

from __future__ import annotations

import re
from pathlib import Path

_ASIN_RE = re.compile(r"[A-Z0-9]{10}")
EXTENSIONS = (".jpg", ".png", ".webp")


def image_dir(data_dir: Path) -> Path:
    return data_dir / "images"


def cache_path(folder: Path, asin: str, extension: str = ".jpg") -> Path | None:
    """Where the picture of ``asin`` is kept (None for anything that is not an ASIN: no path tricks)."""
    clean = asin.strip().upper()
    if not _ASIN_RE.fullmatch(clean) or extension not in EXTENSIONS:
        return None
    return folder / f"{clean}{extension}"


def cached_image(folder: Path, asin: str) -> Path | None:
    """The cached picture of ``asin``, or None when there is none yet."""
    for extension in EXTENSIONS:
        path = cache_path(folder, asin, extension)
        if path is not None and path.is_file():
            return path
    return None
