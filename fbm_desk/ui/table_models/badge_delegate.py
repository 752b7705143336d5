"""Paints ``BADGE_ROLE`` data ``(text, background, foreground)`` as a small rounded, colored label."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

_COLORS: dict[str, QColor] = {}


def _color(name: str) -> QColor:
    """One parsed ``QColor`` per color name (the badges use a handful, on every paint)."""
    color = _COLORS.get(name)
    if color is None:
        color = _COLORS[name] = QColor(name)
    return color


class BadgeDelegate(QStyledItemDelegate):
    def __init__(self, role: int, parent: Any = None) -> None:
        super().__init__(parent)
        self._role = role

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        badge = index.data(self._role)
        if not badge or not badge[1]:
            super().paint(painter, option, index)
            return
        text, background, foreground = badge
        # Selection background first, then the badge on top of it. The view's option already holds what
        # that needs (state, rect, alternate row); ``initStyleOption`` would ask the model for seven more roles
        # of a cell whose text is not drawn (a badge column has no background of its own).
        widget = option.widget
        if widget is not None:
            widget.style().drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, widget)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = option.fontMetrics
        width = metrics.horizontalAdvance(text) + 14
        height = metrics.height() + 4
        rect = QRectF(option.rect.x() + 4, option.rect.center().y() - height / 2 + 1, width, height)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(_color(background))
        painter.drawRoundedRect(rect, height / 2, height / 2)
        painter.setPen(_color(foreground))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()
