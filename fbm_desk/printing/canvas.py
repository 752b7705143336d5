"""Page sizes and a small drawing surface in points (1/72 inch) over any Qt paged device.

The same drawing code serves a ``QPdfWriter`` (the CLI and "Save as PDF"), a ``QPrinter`` (print, preview) and,
in tests, a ``QImage``: the painter is scaled so one unit is one point whatever the device's resolution, and
fonts are sized in those units (``setPixelSize``), so text is the same size on every device.
"""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import QMarginsF, QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPen,
)

from fbm_desk.printing.code128 import QUIET_MODULES, module_widths


class PaperSize(StrEnum):
    LETTER = "letter"
    A4 = "a4"
    LABEL_4X6 = "4x6"  # a 4 × 6 inch thermal shipping label

    @property
    def label(self) -> str:
        return {"letter": "Letter", "a4": "A4", "4x6": "4×6 label"}[self.value]


def page_layout(size: PaperSize) -> QPageLayout:
    """The page size and margins (points) of a paper size; labels get narrow margins."""
    if size is PaperSize.LETTER:
        page = QPageSize(QPageSize.PageSizeId.Letter)
    elif size is PaperSize.A4:
        page = QPageSize(QPageSize.PageSizeId.A4)
    else:
        page = QPageSize(
            QSizeF(4.0, 6.0), QPageSize.Unit.Inch, "4x6 label", QPageSize.SizeMatchPolicy.ExactMatch
        )
    margin = 10.0 if size is PaperSize.LABEL_4X6 else 36.0
    return QPageLayout(page, QPageLayout.Orientation.Portrait, QMarginsF(margin, margin, margin, margin))


class Canvas:
    """A painter on a paged device, in points inside the page margins, with a running ``y``."""

    def __init__(
        self, device: QPagedPaintDevice | None, painter: QPainter, width_px: int, height_px: int, dpi: int
    ):
        self._device = device
        self.painter = painter
        self._scale = dpi / 72.0
        self.width = width_px / self._scale
        self.height = height_px / self._scale
        self.y = 0.0
        self.pages = 1
        self.small = self.width < 320  # a 4x6 label: tighter type
        self._metrics: dict[str, QFontMetricsF] = {}
        painter.scale(self._scale, self._scale)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)

    def new_page(self) -> None:
        if self._device is None:
            raise RuntimeError("an image has a single page")
        self._device.newPage()
        self.pages += 1
        self.y = 0.0

    def room(self, height: float) -> bool:
        return self.y + height <= self.height

    def font(self, size: float, *, bold: bool = False, mono: bool = False) -> QFont:
        font = QFont("DejaVu Sans Mono" if mono else "DejaVu Sans")
        if mono:
            font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPixelSize(max(1, round(size * (0.85 if self.small else 1.0))))
        font.setBold(bold)
        return font

    def _metrics_of(self, font: QFont) -> QFontMetricsF:
        key = font.key()
        metrics = self._metrics.get(key)
        if metrics is None:
            metrics = self._metrics[key] = QFontMetricsF(font)
        return metrics

    def advance(self, text: str, font: QFont) -> float:
        """The width ``text`` takes in ``font``."""
        return self._metrics_of(font).horizontalAdvance(text)

    def font_height(self, font: QFont) -> float:
        return self._metrics_of(font).height()

    def text(
        self,
        x: float,
        width: float,
        text: str,
        font: QFont,
        *,
        right: bool = False,
        center: bool = False,
        advance: bool = False,
    ) -> float:
        """Draw one line at ``y`` (elided to ``width``); returns its height, moving ``y`` on when ``advance``."""
        metrics = self._metrics_of(font)
        shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)
        self.painter.setFont(font)
        horizontal = Qt.AlignmentFlag.AlignLeft
        if right:
            horizontal = Qt.AlignmentFlag.AlignRight
        elif center:
            horizontal = Qt.AlignmentFlag.AlignHCenter
        align = horizontal | Qt.AlignmentFlag.AlignTop
        height = metrics.height()
        self.painter.drawText(QRectF(x, self.y, width, height), int(align), shown)
        if advance:
            self.y += height
        return height

    def rule(self, weight: float = 0.6) -> None:
        self.painter.setPen(QPen(QColor("black"), weight))
        self.painter.drawLine(QPointF(0, self.y), QPointF(self.width, self.y))

    def box(self, height: float, fill: str) -> None:
        self.painter.fillRect(QRectF(0, self.y, self.width, height), QColor(fill))

    def barcode(self, x: float, text: str, width: float, height: float) -> None:
        """A Code 128 symbol of ``text`` fitted into ``width`` (quiet zones included), bars ``height`` tall."""
        widths = module_widths(text)
        modules = sum(widths) + 2 * QUIET_MODULES
        # Whole device pixels per module keep every bar the same width on a printer or an image.
        module_px = max(1, int(width * self._scale / modules))
        left_px = round((x + (width - module_px * modules / self._scale) / 2) * self._scale)
        left_px += QUIET_MODULES * module_px
        black = QColor("black")
        for i, w in enumerate(widths):
            if i % 2 == 0:
                self.painter.fillRect(
                    QRectF(left_px / self._scale, self.y, w * module_px / self._scale, height), black
                )
            left_px += w * module_px
