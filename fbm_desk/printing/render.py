"""Where the documents go: a PDF file (``QPdfWriter``), a printer or print preview (``QPrinter``), an image.

``write_pdf`` writes next to the target and renames at the end, so a failed run leaves no partial file and an
existing file is replaced only by a complete one.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QGuiApplication, QImage, QPainter, QPdfWriter
from PySide6.QtPrintSupport import QPrinter

from fbm_desk.foundation.errors import FbmError
from fbm_desk.printing.canvas import Canvas, PaperSize, page_layout

Draw = Callable[[Canvas], None]
PDF_DPI = 600


def headless_app() -> QCoreApplication:
    """The running Qt application, or a new offscreen ``QGuiApplication`` (fonts need one) for the CLI.

    Offscreen even when a display is set: the command shows no window, and a display that cannot be reached
    (an ssh session) must not stop it. ``QT_QPA_PLATFORM`` set by the user wins.
    """
    app = QCoreApplication.instance()
    if app is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QGuiApplication(["fbm-desk"])
    return app


def _paint(device: QPdfWriter | QPrinter, draw: Draw) -> int:
    painter = QPainter()
    if not painter.begin(device):
        raise FbmError("The document could not be started (the printer or file refused it).")
    try:
        canvas = Canvas(device, painter, device.width(), device.height(), device.resolution())
        draw(canvas)
        return canvas.pages
    finally:
        painter.end()


def write_pdf(path: Path, size: PaperSize, draw: Draw) -> int:
    """Draw into a PDF at ``path``; returns the number of pages."""
    target = path.resolve()
    partial = target.with_name(f".{target.name}.partial")
    writer = QPdfWriter(str(partial))
    writer.setPageLayout(page_layout(size))
    writer.setResolution(PDF_DPI)
    writer.setCreator("FBM Desk")
    try:
        pages = _paint(writer, draw)
        del writer  # closes the file
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return pages


def print_to(printer: QPrinter, size: PaperSize | None, draw: Draw) -> int:
    """Draw on a printer (or the printer a preview dialog hands over); ``size`` None keeps the printer's."""
    if size is not None:
        printer.setPageLayout(page_layout(size))
    return _paint(printer, draw)


def render_image(size: PaperSize, draw: Draw, dpi: int = 300) -> QImage:
    """The first page as a white image at ``dpi`` (margins included), e.g. to check the barcode."""
    layout = page_layout(size)
    full = layout.fullRectPoints()
    paint = layout.paintRectPoints()
    image = QImage(
        round(full.width() * dpi / 72), round(full.height() * dpi / 72), QImage.Format.Format_RGB32
    )
    image.fill(0xFFFFFF)
    painter = QPainter(image)
    try:
        painter.translate(paint.left() * dpi / 72, paint.top() * dpi / 72)
        width, height = round(paint.width() * dpi / 72), round(paint.height() * dpi / 72)
        draw(Canvas(None, painter, width, height, dpi))
    finally:
        painter.end()
    return image
