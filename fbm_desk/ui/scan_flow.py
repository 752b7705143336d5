"""How the pack dialog's fields take a barcode scanner's keystrokes: no field traps a scan, Enter moves forward.

A USB scanner types the code and then Enter into whatever has the focus. Line edits keep their text; a field
that cannot hold a code (the carrier list, the ship date) collects what is typed instead of jumping through its
items, and on Enter hands the code to the dialog (a carrier name chooses the carrier, anything else is taken as
the tracking number). Enter never opens a popup. A wrong scan beeps: ``QApplication.beep`` (PySide6-Essentials
ships no QtMultimedia binaries, so no bundled sound).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
POPUP_KEYS = (Qt.Key.Key_F4, Qt.Key.Key_Space)


class ScanLineEdit(QLineEdit):
    """A line edit that keeps Enter for itself (emits ``scanned``) instead of pressing the default button."""

    scanned = Signal(str)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in ENTER_KEYS:
            self.scanned.emit(self.text())
            event.accept()
            return
        super().keyPressEvent(event)


class EnterMovesOn(QObject):
    """Installed on the fields after the tracking number: Enter calls ``on_enter(widget, typed)``, where
    ``typed`` is what was typed into a field that holds no text (``collecting``), else ''."""

    def __init__(
        self,
        parent: QObject,
        fields: tuple[QWidget, ...],
        collecting: tuple[QWidget, ...],
        on_enter: Callable[[QWidget, str], None],
    ) -> None:
        super().__init__(parent)
        self._collecting = collecting
        self._on_enter = on_enter
        self._typed: dict[QObject, str] = {}
        for widget in fields:
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if event.key() in ENTER_KEYS:
            typed = self._typed.pop(watched, "")
            if isinstance(watched, QWidget):
                self._on_enter(watched, typed.strip())
            return True
        if watched not in self._collecting:
            return False
        alt_down = event.key() == Qt.Key.Key_Down and event.modifiers() & Qt.KeyboardModifier.AltModifier
        if event.key() in POPUP_KEYS or alt_down:
            return True  # only the mouse opens the list: a scanner's keys never do
        text = event.text()
        plain = not event.modifiers() & (
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
        )
        if plain and len(text) == 1 and text.isprintable():
            self._typed[watched] = self._typed.get(watched, "") + text
            return True
        return False


def beep() -> None:
    """The wrong-scan sound (the desktop's bell)."""
    QApplication.beep()


def partial_question(packed: int, total: int) -> str:
    return f"Ship {packed} of {total} now?"
