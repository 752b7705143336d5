"""Printing a bought shipping label (Buy Shipping): a PNG label on any printer through Qt at 4 × 6 inches, the
same as a 4 × 6 PDF (``QPdfWriter``), or a ZPL label sent raw to a thermal printer.

Qt draws raster labels; a thermal printer that speaks ZPL gets Amazon's commands untouched, through the CUPS
queue of that printer in raw mode (``lp -o raw``), since no driver must re-render them.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage
from PySide6.QtPrintSupport import QPrinter

from fbm_desk.foundation.errors import FbmError
from fbm_desk.printing.canvas import Canvas, PaperSize
from fbm_desk.printing.render import print_to, write_pdf


def label_image(label_format: str, document: bytes) -> QImage:
    """The label as an image (PNG labels; Qt has no PDF reader, so the app buys PNG for its printers)."""
    if label_format.upper() != "PNG":
        raise FbmError(f"A {label_format} label cannot be drawn here; print it as PNG or ZPL.")
    image = QImage.fromData(document)
    if image.isNull():
        raise FbmError("Amazon's label image could not be read; reprint it from the order.")
    return image


def _draw(image: QImage) -> Callable[[Canvas], None]:
    def draw(canvas: Canvas) -> None:
        # fill the printable area, keeping the label's proportions (4 × 6 on a 4 × 6 page)
        scale = min(canvas.width / image.width(), canvas.height / image.height())
        w, h = image.width() * scale, image.height() * scale
        canvas.painter.setRenderHint(canvas.painter.RenderHint.SmoothPixmapTransform, False)
        canvas.painter.drawImage(QRectF((canvas.width - w) / 2, 0, w, h), image)

    return draw


def print_label(printer: QPrinter, label_format: str, document: bytes) -> None:
    """Print a PNG label on a Qt printer at 4 × 6 inches."""
    image = label_image(label_format, document)
    printer.setFullPage(False)
    print_to(printer, PaperSize.LABEL_4X6, _draw(image))


def write_label_pdf(path: Path, label_format: str, document: bytes) -> None:
    """A 4 × 6 inch PDF of the label (PDF labels are written as Amazon sent them)."""
    if label_format.upper() == "PDF":
        path.write_bytes(document)
        return
    write_pdf(path, PaperSize.LABEL_4X6, _draw(label_image(label_format, document)))


def send_raw(printer_name: str, data: bytes) -> None:
    """ZPL to a thermal printer, untouched: ``lp -d PRINTER -o raw`` (CUPS)."""
    lp = shutil.which("lp")
    if lp is None:
        raise FbmError("Raw printing needs CUPS's 'lp' command, which is not installed on this computer.")
    done = subprocess.run(
        [lp, "-d", printer_name, "-o", "raw", "-t", "shipping label"],
        input=data,
        capture_output=True,
        timeout=30,
        check=False,
    )
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip() or f"exit {done.returncode}"
        raise FbmError(
            f"The printer '{printer_name}' did not take the label: {said}. Reprint it from the order."
        )
