"""The pack dialog's "Buy label…" button (Alt+L): Buy Shipping for the order (``buy_label_dialog``).

After a label is bought the order is shipped (Amazon has the tracking number), so the pack dialog reports it
like a saved package and closes; after a void it reloads, packable again.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QDialogButtonBox, QPushButton

from fbm_desk.ui.buy_label_dialog import BuyLabelDialog


def add_label_button(dialog: Any) -> None:
    """Add the button to a ``PackDialog``'s button box."""
    button = QPushButton("Buy &label…")
    button.setObjectName("buyLabel")
    button.setAutoDefault(False)
    dialog.buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)

    def open_label_dialog() -> None:
        labels = BuyLabelDialog(dialog.core, dialog.order_id, dialog)

        def finished(message: str) -> None:
            dialog.saved.emit(message)
            dialog._load()
            dialog.show_message(message)

        labels.label_changed.connect(finished)
        labels.open()

    button.clicked.connect(open_label_dialog)
