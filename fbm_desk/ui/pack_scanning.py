"""The pack dialog's scan flow: what each scan and each Enter does, so that no scan is ever lost.

- Item field: a code on the order counts one unit; a tracking number (however short: it is no product of ours
  and its format names a carrier, or it fits the carrier chosen) moves to the tracking field; anything else,
  or one unit too many, beeps, turns the field red and counts nothing. Enter on an empty field, or the last
  unit scanned → tracking.
- Tracking field: Enter saves; on an empty field it beeps and asks for the number, and stays there; a product
  code scanned there is an item scan (one too many beeps).
- Every later field (carrier, carrier name, service, date): Enter saves; a code typed into the carrier list or
  the date (which hold no text) is used as a carrier name, a date, or else the tracking number.
- A package that leaves units of the order unpacked asks first ("Ship 1 of 3 now?", No by default).
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QDate, QObject
from PySide6.QtWidgets import QComboBox, QMessageBox, QTableView, QWidget

from fbm_desk.db.pack_lookup import is_catalog_code
from fbm_desk.domain import packing
from fbm_desk.domain.carriers import carrier_for
from fbm_desk.ui.pack_shipping import ShippingFields
from fbm_desk.ui.pack_side import PackSide
from fbm_desk.ui.scan_flow import ScanLineEdit, beep, partial_question
from fbm_desk.ui.table_models.pack_lines_model import PackLinesModel

SCAN_ERROR_STYLE = "QLineEdit { background: #fdd; color: #9b1111; }"


class ScanHost(Protocol):
    """What the flow needs of the pack dialog."""

    item_scan: ScanLineEdit
    tracking: ScanLineEdit
    carrier: QComboBox
    shipping: ShippingFields
    lines: PackLinesModel
    lines_view: QTableView
    side: PackSide

    def show_message(self, text: str, *, error: bool = False) -> None: ...

    def save(self) -> bool: ...


class PackScanning(QObject):
    def __init__(self, host: ScanHost, parent: QWidget) -> None:
        super().__init__(parent)
        self.host = host
        self.dialog = parent

    def on_item_scanned(self, code: str) -> None:
        h = self.host
        text = code.strip()
        if not text:
            h.tracking.setFocus()
            h.tracking.selectAll()
            return
        result = h.lines.count_scan(text)
        if result.ok:
            h.show_message(result.message)
            self.set_scan_error(False)
            h.lines_view.selectRow(result.row)
            h.item_scan.clear()
            h.side.show_item(result.row)
            packed, total = h.lines.units()
            if packed == total:  # everything is in the box: the next scan is the label
                h.show_message(f"{result.message}. All {total} unit(s) scanned: scan the label.")
                h.tracking.setFocus()
                h.tracking.selectAll()
            return
        if self.is_tracking(text):
            # Not an item but a tracking number: the packer has moved on to the label.
            self.take_tracking(text)
            h.item_scan.clear()
            return
        beep()
        self.set_scan_error(True)
        h.show_message(result.message, error=True)
        h.item_scan.selectAll()

    def is_tracking(self, text: str) -> bool:
        """No product of ours, and a label's format (or one that fits the carrier chosen by hand)."""
        if is_catalog_code(text):
            return False
        s = self.host.shipping
        chosen = carrier_for(s.carrier_code()) if s.carrier_by_hand else None
        return packing.suggest_carrier(text) is not None or (chosen is not None and chosen.plausible(text))

    def take_tracking(self, text: str) -> None:
        self.host.tracking.setText(text)
        self.host.show_message("Tracking number scanned. Press Enter to save the package.")
        self.host.tracking.setFocus()

    def set_scan_error(self, error: bool) -> None:
        self.host.item_scan.setStyleSheet(SCAN_ERROR_STYLE if error else "")

    def on_tracking_entered(self, text: str) -> None:
        h = self.host
        if text.strip() and is_catalog_code(text):
            # An item scanned after the last one: count it if it fits, else beep; the label is still to come.
            h.tracking.clear()
            result = h.lines.count_scan(text)
            if not result.ok:
                beep()
            self.set_scan_error(not result.ok)
            h.show_message(result.message, error=not result.ok)
            return
        if text.strip():
            h.save()
            return
        beep()
        self.host.show_message(
            "Scan the tracking number from the label (Enter on an empty field does nothing).", error=True
        )
        self.host.tracking.setFocus()

    def on_enter(self, widget: QWidget, typed: str) -> None:
        """Enter in a field after the tracking number (``typed``: what was typed into a list or the date)."""
        s = self.host.shipping
        if typed and widget is s.ship_date:
            date = QDate.fromString(typed, "yyyy-MM-dd")
            if date.isValid():
                s.ship_date.setDate(date)
                typed = ""
        if typed and widget is s.carrier and carrier_for(typed) is not None:
            s.choose_carrier(typed)
            typed = ""
        if typed:
            self.take_tracking(typed)
        self.on_tracking_entered(self.host.tracking.text())

    def confirm_partial(self) -> bool:
        """Asked when units are left out of the package: No (the default, so a stray Enter is safe) goes back
        to scanning."""
        packed, total = self.host.lines.units()
        if packed >= total:
            return True
        answer = QMessageBox.question(
            self.dialog,
            "Ship part of the order?",
            f"{partial_question(packed, total)}\n\n{total - packed} unit(s) stay to pack in another package.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            self.host.show_message(
                f"Not saved: {packed} of {total} unit(s) in the package. Scan the rest.", error=True
            )
            return False
        return True
