"""A 4×6 inch label as a 1-bit PNG at 203 dpi (812 × 1218 pixels), drawn with a 5×7 bitmap font.

Thermal label printers print 203 dpi; the PNG is what a carrier's API returns for "PNG". Text is upper case
(the font has digits, capitals and the punctuation of addresses); the barcode is the Code 128 of the tracking
number, 3 pixels per module.
"""

from __future__ import annotations

import struct
import zlib

WIDTH, HEIGHT = 812, 1218
# 5x7 glyphs: seven rows of five bits, written as hex digits per row (bit 4 = leftmost column)
_FONT: dict[str, str] = {
    " ": "00 00 00 00 00 00 00", "0": "0e 11 13 15 19 11 0e", "1": "04 0c 04 04 04 04 0e",
    "2": "0e 11 01 02 04 08 1f", "3": "1f 02 04 02 01 11 0e", "4": "02 06 0a 12 1f 02 02",
    "5": "1f 10 1e 01 01 11 0e", "6": "06 08 10 1e 11 11 0e", "7": "1f 01 02 04 08 08 08",
    "8": "0e 11 11 0e 11 11 0e", "9": "0e 11 11 0f 01 02 0c", "A": "0e 11 11 1f 11 11 11",
    "B": "1e 11 11 1e 11 11 1e", "C": "0e 11 10 10 10 11 0e", "D": "1c 12 11 11 11 12 1c",
    "E": "1f 10 10 1e 10 10 1f", "F": "1f 10 10 1e 10 10 10", "G": "0e 11 10 17 11 11 0f",
    "H": "11 11 11 1f 11 11 11", "I": "0e 04 04 04 04 04 0e", "J": "07 02 02 02 02 12 0c",
    "K": "11 12 14 18 14 12 11", "L": "10 10 10 10 10 10 1f", "M": "11 1b 15 15 11 11 11",
    "N": "11 11 19 15 13 11 11", "O": "0e 11 11 11 11 11 0e", "P": "1e 11 11 1e 10 10 10",
    "Q": "0e 11 11 11 15 12 0d", "R": "1e 11 11 1e 14 12 11", "S": "0f 10 10 0e 01 01 1e",
    "T": "1f 04 04 04 04 04 04", "U": "11 11 11 11 11 11 0e", "V": "11 11 11 11 11 0a 04",
    "W": "11 11 11 15 15 15 0a", "X": "11 11 0a 04 0a 11 11", "Y": "11 11 11 0a 04 04 04",
    "Z": "1f 01 02 04 08 10 1f", "-": "00 00 00 1f 00 00 00", ".": "00 00 00 00 00 0c 0c",
    ":": "00 0c 0c 00 0c 0c 00", ",": "00 00 00 00 0c 04 08", "#": "0a 0a 1f 0a 1f 0a 0a",
    "/": "00 01 02 04 08 10 00", "&": "0c 12 14 08 15 12 0d", "(": "02 04 08 08 08 04 02",
    ")": "08 04 02 02 02 04 08", "'": "0c 04 08 00 00 00 00", "?": "0e 11 01 02 04 00 04",
}  # fmt: skip
_BITS = bytes.maketrans(b"\x00\x01", b"10")
_GLYPHS = {ch: [int(row, 16) for row in rows.split()] for ch, rows in _FONT.items()}


class _Canvas:
    def __init__(self) -> None:
        self.rows = [bytearray(WIDTH) for _ in range(HEIGHT)]  # 1 = black

    def box(self, x: int, y: int, w: int, h: int) -> None:
        for row in self.rows[max(y, 0) : min(y + h, HEIGHT)]:
            row[max(x, 0) : min(x + w, WIDTH)] = b"\x01" * (min(x + w, WIDTH) - max(x, 0))

    def text(self, x: int, y: int, value: str, scale: int) -> None:
        for ch in value.upper():
            glyph = _GLYPHS.get(ch, _GLYPHS["?"])
            for r, bits in enumerate(glyph):
                for col in range(5):
                    if bits & (0x10 >> col):
                        self.box(x + col * scale, y + r * scale, scale, scale)
            x += 6 * scale

    def png(self) -> bytes:
        raw = bytearray()
        pad = b"1" * (-WIDTH % 8)
        for row in self.rows:  # 1-bit grayscale: a set bit is white
            bits = bytes(row).translate(_BITS) + pad
            raw += b"\x00" + int(bits, 2).to_bytes(len(bits) // 8, "big")

        def chunk(kind: bytes, data: bytes) -> bytes:
            return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

        header = struct.pack(">IIBBBBB", WIDTH, HEIGHT, 1, 0, 0, 0, 0)
        dpm = round(203 / 0.0254)
        return (
            b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", header)
            + chunk(b"pHYs", struct.pack(">IIB", dpm, dpm, 1))
            + chunk(b"IDAT", zlib.compress(bytes(raw), 9))
            + chunk(b"IEND", b"")
        )


def render_png(carrier: str, service: str, tracking: str, lines: list[str], modules: list[int]) -> bytes:
    canvas = _Canvas()
    canvas.text(40, 40, carrier, 7)
    canvas.text(40, 110, service, 4)
    canvas.box(40, 160, 732, 4)
    y = 190
    for line in lines:
        canvas.text(40, y, line[:42], 3)
        y += 30
    unit = max(1, min(3, 732 // sum(modules)))
    x = 40 + (732 - unit * sum(modules)) // 2
    top = max(y + 20, 860)
    for i, width in enumerate(modules):
        if i % 2 == 0:
            canvas.box(x, top, width * unit, 200)
        x += width * unit
    line = f"TRACKING # {tracking}"
    canvas.text(40, top + 230, line, 4 if len(line) * 24 <= 732 else 3)
    return canvas.png()
