"""The pictures behind the sandbox listings' ``summaries.mainImage.link``: a small PNG per ASIN, coloured
after the ASIN, served at ``/_images/<ASIN>.png`` on the sandbox host (Amazon's pictures come from its
media host, without the seller's token; so do these). Built with zlib/struct only: no Qt in the sandbox."""

from __future__ import annotations

import hashlib
import re
import struct
import zlib

from fbm_desk.sandbox.http_util import Request, Response

PREFIX = "/_images/"
SIZE = (
    64  # pixels; the listing summary still says 500x500 like Amazon's "main image" (the link is what counts)
)
_NAME = re.compile(r"([A-Z0-9]{10})\.png")


def link(base_url: str, asin: str) -> str:
    return f"{base_url}{PREFIX}{asin}.png"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def png_for(asin: str) -> bytes:
    """A valid RGB PNG: a colour from the ASIN's hash with a lighter square in the middle."""
    digest = hashlib.sha256(asin.encode("ascii")).digest()
    colour = bytes(64 + b % 160 for b in digest[:3])
    light = bytes(min(255, c + 70) for c in colour)
    rows = []
    for y in range(SIZE):
        inner_y = SIZE // 4 <= y < 3 * SIZE // 4
        row = b"".join(light if inner_y and SIZE // 4 <= x < 3 * SIZE // 4 else colour for x in range(SIZE))
        rows.append(b"\x00" + row)  # filter type 0 per scanline
    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + _chunk(b"IEND", b"")
    )


def serve(req: Request) -> Response:
    """GET/HEAD ``/_images/<ASIN>.png``; anything else under the prefix is not found."""
    found = _NAME.fullmatch(req.path[len(PREFIX) :])
    if req.method not in ("GET", "HEAD") or found is None:
        return Response(404, b"Not Found", "text/plain")
    return Response(200, png_for(found.group(1)), "image/png", {"Cache-Control": "max-age=86400"})
