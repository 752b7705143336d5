"""Product pictures kept in the data folder (``<data>/images/<ASIN>.<ext>``), so packing never waits for the
network: the pack dialog reads this cache at once, and ``ui/picture_loader`` fills it off the GUI thread from
the listing's picture link (``download`` here: plain HTTP(S), no token, limited size and type)."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import requests

_ASIN_RE = re.compile(r"[A-Z0-9]{10}")
EXTENSIONS = (".jpg", ".png", ".webp")
CONTENT_TYPES = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}
MAX_BYTES = 2 * 1024 * 1024
TIMEOUT_S = (5.0, 10.0)  # connect, read


class PictureRefused(Exception):
    """The link did not give a picture we keep (scheme, status, type, size, network)."""


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


def download(url: str, *, max_bytes: int = MAX_BYTES) -> tuple[bytes, str]:
    """GET a picture: only http(s), no credentials or cookies sent, an ``image/*`` type we keep, at most
    ``max_bytes`` (read in chunks, so a lying or absent Content-Length cannot fill memory).
    Returns (bytes, file extension); raises PictureRefused otherwise."""
    if not url.lower().startswith(("https://", "http://")):
        raise PictureRefused("not an http(s) link")
    try:
        with requests.get(url, timeout=TIMEOUT_S, stream=True, headers={"Accept": "image/*"}) as resp:
            if resp.status_code != 200:
                raise PictureRefused(f"HTTP {resp.status_code}")
            kind = resp.headers.get("Content-Type", "").split(";")[0].strip().lower()
            extension = CONTENT_TYPES.get(kind)
            if extension is None:
                raise PictureRefused(f"not a picture ({kind or 'no type'})")
            if int(resp.headers.get("Content-Length") or 0) > max_bytes:
                raise PictureRefused("too large")
            data = bytearray()
            for chunk in resp.iter_content(64 * 1024):
                data += chunk
                if len(data) > max_bytes:
                    raise PictureRefused("too large")
    except (requests.RequestException, ValueError) as exc:
        raise PictureRefused(type(exc).__name__) from None
    return bytes(data), extension


def save_atomically(folder: Path, asin: str, data: bytes, extension: str) -> Path:
    """Write the picture under a temporary name and rename it into place (never a half-written file)."""
    path = cache_path(folder, asin, extension)
    if path is None:
        raise PictureRefused("not an ASIN")
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".part-", suffix=extension)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
