"""Building blocks of the store dialogs: store options, the "waiting for Amazon" and "connected" panels."""

from __future__ import annotations

from html import escape
from typing import TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from fbm_desk.amazon.marketplaces import Marketplace
from fbm_desk.domain.stores import StoreOptions

NOTE_STYLE = "QLabel { color: #555555; } QLabel:disabled { color: #a0a0a0; }"
W = TypeVar("W", bound=QWidget)


def named(widget: W, name: str) -> W:
    widget.setObjectName(name)
    return widget


def note(text: str) -> QLabel:
    """A grey explanatory line under a field."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(NOTE_STYLE)
    return label


class StoreOptionsBox(QGroupBox):
    """The per-store options of the seeds' Add Store window (also used by Store settings)."""

    def __init__(self, options: StoreOptions | None = None, parent: QWidget | None = None) -> None:
        super().__init__("Store options", parent)
        layout = QVBoxLayout(self)
        self.download_check = named(
            QCheckBox("Download products and orders that are created in Amazon"), "downloadCheck"
        )
        self.pending_check = named(QCheckBox("Import pending orders (with a payment hold)"), "pendingCheck")
        self.remove_stock_check = named(
            QCheckBox("Remove stock for fulfillments created in Amazon and not here"), "removeStockCheck"
        )
        layout.addWidget(self.download_check)
        layout.addWidget(self.pending_check)
        layout.addWidget(
            note(
                "Pending orders are not yet released by Amazon: they arrive without an address and stay on a "
                "payment hold (stock allocated) until Amazon releases them."
            )
        )
        layout.addWidget(self.remove_stock_check)
        layout.addWidget(QLabel("Starting inventory for primary warehouse:"))
        self.match_radio = named(QRadioButton("Match what is in Amazon"), "matchRadio")
        self.zero_radio = named(QRadioButton("Start at zero"), "zeroRadio")
        group = QButtonGroup(self)
        group.addButton(self.match_radio)
        group.addButton(self.zero_radio)
        radios = QHBoxLayout()
        radios.addWidget(self.match_radio)
        radios.addWidget(self.zero_radio)
        radios.addStretch(1)
        layout.addLayout(radios)
        layout.addWidget(
            note("Inventory is brought into your primary warehouse; other warehouses start at 0.")
        )
        self.set_options(options or StoreOptions())

    def set_options(self, options: StoreOptions) -> None:
        self.download_check.setChecked(options.download_products_orders)
        self.pending_check.setChecked(options.import_pending)
        self.remove_stock_check.setChecked(options.remove_stock_external)
        (self.zero_radio if options.starting_inventory == "zero" else self.match_radio).setChecked(True)

    def options(self) -> StoreOptions:
        return StoreOptions(
            download_products_orders=self.download_check.isChecked(),
            import_pending=self.pending_check.isChecked(),
            starting_inventory="zero" if self.zero_radio.isChecked() else "match",
            remove_stock_external=self.remove_stock_check.isChecked(),
        )


class WaitingPanel(QWidget):
    """ "Waiting for Amazon…" with the consent link (copyable) and Cancel."""

    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("waitingPanel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel()
        self.label.setWordWrap(True)
        layout.addWidget(self.label)
        row = QHBoxLayout()
        self.url_edit = named(QLineEdit(), "consentUrlEdit")
        self.url_edit.setReadOnly(True)
        self.copy_button = named(QPushButton("Copy link"), "copyUrlButton")
        self.copy_button.clicked.connect(self.copy_url)
        self.cancel_button = named(QPushButton("Cancel"), "cancelWaitButton")
        self.cancel_button.clicked.connect(self.cancel_requested)
        row.addWidget(self.url_edit, 1)
        row.addWidget(self.copy_button)
        row.addWidget(self.cancel_button)
        layout.addLayout(row)

    def start(self, url: str, browser_opened: bool) -> None:
        self.url_edit.setText(url)
        self.url_edit.setCursorPosition(0)
        if browser_opened:
            self.label.setText(
                "<b>Waiting for Amazon…</b> Sign in to Seller Central in your browser and confirm the "
                "authorization. If no browser opened, copy this link into one:"
            )
        else:
            self.label.setText(
                "<b>Waiting for Amazon…</b> Your browser could not be opened: copy this link into one."
            )

    def copy_url(self) -> None:
        QGuiApplication.clipboard().setText(self.url_edit.text())


class DonePanel(QWidget):
    """The result, plus the seller's other marketplaces of the same region to add as stores."""

    add_requested = Signal(list)  # marketplace codes

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("donePanel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = named(QLabel(), "doneLabel")
        self.label.setWordWrap(True)
        layout.addWidget(self.label)
        self.siblings_box = QGroupBox(
            "This authorization also covers these marketplaces — add them as stores?"
        )
        self._siblings = QVBoxLayout(self.siblings_box)
        self.add_button = named(QPushButton("Add selected marketplaces"), "addSiblingsButton")
        self.add_button.clicked.connect(lambda: self.add_requested.emit(self.selected_codes()))
        self._siblings.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.siblings_box)
        self.checks: list[QCheckBox] = []

    def show_result(self, html: str, others: list[Marketplace] | tuple[Marketplace, ...]) -> None:
        self.label.setText(html)
        for market in others:
            check = QCheckBox(f"{market.name} ({market.code})")
            check.setProperty("marketplace_code", market.code)
            self.checks.append(check)
            self._siblings.insertWidget(self._siblings.count() - 1, check)
        self.siblings_box.setVisible(bool(others))

    def selected_codes(self) -> list[str]:
        return [str(c.property("marketplace_code")) for c in self.checks if c.isChecked() and c.isEnabled()]

    def mark_added(self, text: str) -> None:
        for check in self.checks:
            if check.isChecked():
                check.setEnabled(False)
        self.add_button.setEnabled(any(c.isEnabled() for c in self.checks))
        self.label.setText(self.label.text() + f"<br>{escape(text)}")
