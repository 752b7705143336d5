"""The shipping half of the pack dialog: carrier, tracking number, carrier name, service and ship date.

The carrier follows the tracking number's format (``fbm_desk.domain.packing.suggest_carrier``) until the packer
chooses one by hand; the carrier name is only editable for "Other".
"""

from __future__ import annotations

from PySide6.QtCore import QDate, QObject
from PySide6.QtWidgets import QComboBox, QDateEdit, QFormLayout, QLabel, QLineEdit, QWidget

from fbm_desk.db.domain_rows import PackageRow
from fbm_desk.domain import packing
from fbm_desk.domain.carriers import OTHER, carrier_for
from fbm_desk.ui.scan_flow import ScanLineEdit


class ShippingFields(QObject):
    """The shipping inputs of one package; ``add_rows`` puts them into the dialog's form."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.carrier_by_hand = False
        self._enabled = True
        self.carrier = QComboBox()
        self.carrier.setObjectName("carrier")
        for c in packing.CARRIERS:
            plain = c.name == c.code or c.code == OTHER  # "Other (enter the carrier name)" says it all
            self.carrier.addItem(c.name if plain else f"{c.name} ({c.code})", c.code)
        self.carrier.setCurrentIndex(-1)
        self.carrier.activated.connect(self._on_carrier_chosen)
        self.carrier.currentIndexChanged.connect(self._update_carrier_name)
        self.carrier_name = QLineEdit()
        self.carrier_name.setObjectName("carrierName")
        self.carrier_name.setPlaceholderText("Carrier name (required for Other)")
        self.tracking = ScanLineEdit()  # Enter is the dialog's: it saves, or asks for the number
        self.tracking.setObjectName("tracking")
        self.tracking.setPlaceholderText("Scan or type the tracking number, Enter saves")
        self.tracking.textChanged.connect(self._on_tracking_changed)
        self.carrier_hint = QLabel()
        self.carrier_hint.setObjectName("carrierHint")
        self.method = QLineEdit()
        self.method.setObjectName("shippingMethod")
        self.method.setPlaceholderText("Optional, e.g. Ground Advantage")
        self.ship_date = QDateEdit(QDate.currentDate())
        self.ship_date.setObjectName("shipDate")
        self.ship_date.setCalendarPopup(True)
        self.ship_date.setDisplayFormat("yyyy-MM-dd")

    def add_rows(self, form: QFormLayout) -> None:
        form.addRow("&Tracking number", self.tracking)
        form.addRow("&Carrier", self.carrier)
        form.addRow("", self.carrier_hint)
        form.addRow("Carrier &name", self.carrier_name)
        form.addRow("Service / &method", self.method)
        form.addRow("Ship &date", self.ship_date)

    def tab_chain(self) -> tuple[QWidget, ...]:
        """The inputs in keyboard order, from the tracking number on."""
        return (self.tracking, self.carrier, self.carrier_name, self.method, self.ship_date)

    def set_enabled(self, enabled: bool) -> None:
        for w in (self.carrier, self.carrier_name, self.tracking, self.method, self.ship_date):
            w.setEnabled(enabled)
        self._enabled = enabled
        self._update_carrier_name()

    def prefill(self, package: PackageRow) -> None:
        """The values of a stored package (being edited); its carrier counts as chosen by hand."""
        self.set_carrier(package.carrier_code)
        self.carrier_by_hand = True
        self.carrier_name.setText(package.carrier_name)
        self.tracking.setText(package.tracking_number)
        self.method.setText(package.shipping_method)
        date = QDate.fromString(package.ship_date[:10], "yyyy-MM-dd")
        if date.isValid():
            self.ship_date.setDate(date)

    def offer_defaults(self, carrier: str, method: str) -> None:
        """A rule's default carrier and shipping method (set_carrier / set_method), still changeable."""
        if carrier and self.carrier.findData(carrier) >= 0:
            self.set_carrier(carrier)
            self.carrier_by_hand = True  # a tracking number's format does not override the rule
            self.carrier_hint.setText(f"Default from a rule: {carrier}")
        if method:
            self.method.setText(method)

    def next_package(self) -> None:
        """Ready for the next package of the same order: a new tracking number suggests the carrier again."""
        self.tracking.clear()
        self.carrier_by_hand = False

    def set_carrier(self, code: str) -> None:
        index = self.carrier.findData(code)
        if index >= 0:
            self.carrier.setCurrentIndex(index)

    def choose_carrier(self, name_or_code: str) -> None:
        """As if chosen in the list (a carrier name scanned or typed into it)."""
        carrier = carrier_for(name_or_code)
        if carrier is not None:
            self.set_carrier(carrier.code)
            self._on_carrier_chosen(0)

    def carrier_code(self) -> str:
        return str(self.carrier.currentData() or "")

    def chosen_carrier_code(self) -> str:
        """The chosen carrier, else the one whose name was typed into the combo ('' when neither)."""
        code = self.carrier_code()
        if code:
            return code
        guess = carrier_for(self.carrier.currentText()) if self.carrier.currentText() else None
        return guess.code if guess is not None else ""

    def ship_date_value(self) -> str | None:
        date = self.ship_date.date()
        if date == QDate.currentDate():
            return None  # now: the exact time of packing
        return date.toString("yyyy-MM-dd")

    def _on_carrier_chosen(self, _index: int) -> None:
        self.carrier_by_hand = True
        self.carrier_hint.setText("")

    def _on_tracking_changed(self, text: str) -> None:
        if self.carrier_by_hand:
            return
        code = packing.suggest_carrier(text) if text.strip() else None
        if code:
            self.set_carrier(code)
            self.carrier_hint.setText(f"Suggested from the tracking number format: {code}")
        else:
            self.carrier.setCurrentIndex(-1)
            self.carrier_hint.setText("")

    def _update_carrier_name(self, *_args: object) -> None:
        is_other = self.carrier.currentData() == OTHER
        self.carrier_name.setEnabled(is_other and self._enabled)
