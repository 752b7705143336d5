"""Draw the FBM Desk app icon (a parcel with a check badge) and write resources/icons/.

Usage: ``.venv/bin/python scripts/make_icon.py [OUT_DIR]``. Writes ``fbm-desk-<N>.png`` for every size in
``SIZES``, plus ``fbm-desk.png`` (256 px) and a multi-size ``fbm-desk.ico`` (PNG entries, Windows Vista+).
Each size is painted from the vector drawing at that size (not scaled down from 256 px); the smallest sizes
drop the tape detail so they stay readable.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, Qt
from PySide6.QtGui import QBrush, QColor, QGuiApplication, QImage, QPainter, QPainterPath, QPen, QPolygonF

SIZES = (16, 24, 32, 48, 64, 128, 256)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)

OUTLINE = QColor("#1f4e66")
TOP = QColor("#9ccbe0")
LEFT = QColor("#5b9cbf")
RIGHT = QColor("#3f7fa3")
TAPE = QColor("#efe2bd")
TAPE_EDGE = QColor("#c9b98c")
BADGE = QColor("#2f9e6e")
WHITE = QColor("#ffffff")


def _poly(*points: tuple[float, float]) -> QPolygonF:
    return QPolygonF([QPointF(x, y) for x, y in points])


def draw_icon(size: int) -> QImage:
    """Paint the icon on a transparent ``size`` x ``size`` image (drawing space is 256 x 256 units)."""
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    p.scale(size / 256.0, size / 256.0)
    # Thicker outlines at small sizes so the shape survives; thinner ones at large sizes look cleaner.
    line = 12.0 if size <= 24 else 9.0 if size <= 48 else 7.0
    pen = QPen(OUTLINE, line, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)

    # The parcel: an isometric cube.
    t0, t1, t2, t3 = (128.0, 22.0), (228.0, 70.0), (128.0, 118.0), (28.0, 70.0)
    b1, b2, b3 = (228.0, 184.0), (128.0, 234.0), (28.0, 184.0)
    p.setPen(pen)
    p.setBrush(QBrush(LEFT))
    p.drawPolygon(_poly(t3, t2, b2, b3))
    p.setBrush(QBrush(RIGHT))
    p.drawPolygon(_poly(t2, t1, b1, b2))
    p.setBrush(QBrush(TOP))
    p.drawPolygon(_poly(t0, t1, t2, t3))

    if size > 24:
        # Packing tape across the lid and down the right side.
        p.setPen(QPen(TAPE_EDGE, 3.0))
        p.setBrush(QBrush(TAPE))
        w = 13.0  # half width of the tape, measured along the lid edge (direction 100, -48)
        lid_tape = _poly(
            (78.0 - w, 46.0 + 0.48 * w),
            (78.0 + w, 46.0 - 0.48 * w),
            (178.0 + w, 94.0 - 0.48 * w),
            (178.0 - w, 94.0 + 0.48 * w),
        )
        p.drawPolygon(lid_tape)
        side_tape = _poly(
            (178.0 - w, 94.0 + 0.48 * w),
            (178.0 + w, 94.0 - 0.48 * w),
            (178.0 + w, 209.0 - 0.5 * w),
            (178.0 - w, 209.0 + 0.5 * w),
        )
        p.drawPolygon(side_tape)
        # Redraw the outline over the tape ends so the box edges stay crisp.
        p.setPen(pen)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawPolygon(_poly(t0, t1, b1, b2, b3, t3))
        p.drawPolyline(_poly(t3, t2, t1))
        p.drawLine(QPointF(*t2), QPointF(*b2))

    # The check badge: "handled".
    center, radius = QPointF(188.0, 190.0), 56.0 if size > 24 else 64.0
    p.setPen(QPen(WHITE, line + 2.0))
    p.setBrush(QBrush(BADGE))
    p.drawEllipse(center, radius, radius)
    check = QPainterPath(QPointF(center.x() - radius * 0.48, center.y() + radius * 0.02))
    check.lineTo(center.x() - radius * 0.12, center.y() + radius * 0.36)
    check.lineTo(center.x() + radius * 0.50, center.y() - radius * 0.34)
    p.setPen(
        QPen(WHITE, radius * 0.26, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
    )
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawPath(check)
    p.end()
    return image


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buf, "PNG"):
        raise RuntimeError("PNG encoding failed")
    buf.close()
    return bytes(data.data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """A Windows .ico with PNG-compressed entries (an ICONDIR, one ICONDIRENTRY per size, then the PNGs)."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = 6 + 16 * len(sizes)
    entries, payload = b"", b""
    for s in sizes:
        data = pngs[s]
        dim = 0 if s >= 256 else s  # 0 means 256 in the directory entry
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset + len(payload))
        payload += data
    return header + entries + payload


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent.parent / "resources" / "icons"
    out.mkdir(parents=True, exist_ok=True)
    _app = QGuiApplication.instance() or QGuiApplication([])
    pngs: dict[int, bytes] = {}
    for size in SIZES:
        pngs[size] = png_bytes(draw_icon(size))
        (out / f"fbm-desk-{size}.png").write_bytes(pngs[size])
    (out / "fbm-desk.png").write_bytes(pngs[256])
    (out / "fbm-desk.ico").write_bytes(ico_bytes({s: pngs[s] for s in ICO_SIZES}))
    print(f"wrote {len(SIZES)} PNGs, fbm-desk.png and fbm-desk.ico to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
