"""A Code 128 reader for tests: decodes one scan line of a rendered image, as a scanner would (bar widths)."""

from __future__ import annotations

from PySide6.QtGui import QImage

from fbm_desk.printing.code128 import START_B, STOP, WIDTHS

_BY_PATTERN = {pattern: value for value, pattern in enumerate(WIDTHS)}


def runs(dark: list[bool]) -> list[int]:
    """Lengths of alternating dark/light runs from the first dark pixel to the last."""
    first = dark.index(True)
    last = len(dark) - 1 - dark[::-1].index(True)
    out: list[int] = []
    current, length = True, 0
    for d in dark[first : last + 1]:
        if d == current:
            length += 1
        else:
            out.append(length)
            current, length = d, 1
    out.append(length)
    return out


def decode(widths: list[int]) -> str:
    """The text of a set-B symbol given its bar/space widths in pixels; checks start, check value and stop."""
    if (len(widths) - 1) % 6 != 0:
        raise ValueError(f"{len(widths)} bars and spaces is not a whole number of symbols")
    values: list[int] = []
    for start in range(0, len(widths) - 7, 6):
        group = widths[start : start + 6]
        unit = sum(group) / 11
        pattern = "".join(str(max(1, round(w / unit))) for w in group)
        values.append(_BY_PATTERN[pattern])
    stop = widths[-7:]
    unit = sum(stop) / 13
    if _BY_PATTERN["".join(str(round(w / unit)) for w in stop)] != STOP:
        raise ValueError("no stop symbol")
    if values[0] != START_B:
        raise ValueError("not a set-B start")
    *data, check = values
    if (data[0] + sum(i * v for i, v in enumerate(data[1:], start=1))) % 103 != check:
        raise ValueError("check value does not match")
    return "".join(chr(v + 32) for v in data[1:])


def read_image(image: QImage) -> str | None:
    """The first Code 128 symbol found on a horizontal scan line of ``image`` (every other row tried)."""
    for y in range(0, image.height(), 2):
        dark = [image.pixelColor(x, y).lightness() < 128 for x in range(image.width())]
        if sum(dark) < 100:
            continue
        try:
            return decode(runs(dark))
        except (ValueError, KeyError):
            continue
    return None
