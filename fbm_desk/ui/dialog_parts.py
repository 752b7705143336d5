"""Pieces the small dialogs share: the error line and the standard button rows."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton

ERROR_COLOR = "#9b1111"


def error_label(name: str, color: str = ERROR_COLOR) -> QLabel:
    """An empty, word-wrapped label for a dialog's error message."""
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setStyleSheet(f"QLabel {{ color: {color}; }}")
    return label


def save_cancel_buttons(
    dialog: QDialog,
    save: Callable[[], object],
    ok: QDialogButtonBox.StandardButton = QDialogButtonBox.StandardButton.Save,
) -> QDialogButtonBox:
    """``ok`` (Save by default) runs ``save``, which accepts the dialog when it worked; Cancel rejects it."""
    buttons = QDialogButtonBox(ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(save)
    buttons.rejected.connect(dialog.reject)
    return buttons


def close_buttons(
    dialog: QDialog, action_text: str, action: Callable[[], object]
) -> tuple[QDialogButtonBox, QPushButton]:
    """Close, plus one action button (e.g. Refresh, Copy details) that runs ``action``."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    button = QPushButton(action_text)
    buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
    button.clicked.connect(action)
    buttons.rejected.connect(dialog.reject)
    return buttons, button
