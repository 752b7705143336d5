"""Buy label: the pack dialog's Buy Shipping step (``fbm_desk.domain.buy_shipping``), keyboard only.

Box (presets of the order's warehouse, or a typed size) → weight (from the items' weights plus the box when
known) → Enter gets Amazon's rates → the list opens on the suggested rate (late ones are marked and last) →
Enter buys it and prints at once: a 4 × 6 PNG label on the chosen printer through Qt, a 4 × 6 PDF in the labels
folder, or ZPL sent raw to a thermal printer. An order that already has a label offers Reprint and Void. Amazon
is called on the thread pool; the dialog stays responsive and shows Amazon's refusals in words.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from fbm_desk.core import CoreServices
from fbm_desk.db.buy_shipping import latest_label
from fbm_desk.db.orders import get_order
from fbm_desk.domain import buy_shipping
from fbm_desk.foundation.errors import FbmError
from fbm_desk.printing import shipping_label
from fbm_desk.ui.store_tasks import TaskSet
from fbm_desk.ui.table_models.formatting import local_time

CUSTOM = "__custom__"
PDF_FILE = ""  # the printer entry "4×6 PDF in the labels folder"


class BuyLabelDialog(QDialog):
    """``BuyLabelDialog(core, order_id)``; emits ``label_changed(message)`` after a label was bought (or voided)."""

    label_changed = Signal(str)

    def __init__(self, core: CoreServices, order_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("buyLabelDialog")
        self.setWindowTitle("Buy shipping label")
        self.core, self.order_id = core, order_id
        self.tasks = TaskSet()
        self.rates: buy_shipping.Rates | None = None
        self.printed_to: Path | None = None
        order = get_order(order_id)
        self.order = order
        due = f", deliver by {local_time(order.latest_delivery_date)}" if order.latest_delivery_date else ""
        self.header = QLabel(f"<b>{order.amazon_order_id}</b> — {order.service_level or 'Standard'}{due}")
        self.box = QComboBox()
        self.box.setObjectName("labelBox")
        self.size_edit = QLineEdit()
        self.size_edit.setObjectName("labelSize")
        self.size_edit.setPlaceholderText("L x W x H cm, e.g. 30x20x10")
        self.weight = QSpinBox()
        self.weight.setObjectName("labelWeight")
        self.weight.setRange(0, 150_000)
        self.weight.setSuffix(" g")
        self.printer = QComboBox()
        self.printer.setObjectName("labelPrinter")
        for name in QPrinterInfo.availablePrinterNames():
            self.printer.addItem(name, name)
        self.printer.addItem("4×6 PDF in the labels folder", PDF_FILE)
        self.label_format = QComboBox()
        self.label_format.setObjectName("labelFormat")
        self.label_format.addItem("4×6 label for any printer (PNG)", "png")
        self.label_format.addItem("ZPL, raw to a thermal printer", "zpl")
        self.rate_list = QListWidget()
        self.rate_list.setObjectName("labelRates")
        self.rate_list.itemActivated.connect(lambda _item: self.buy())
        self.status = QLabel("Choose the box and the weight, then Enter gets Amazon's rates.")
        self.status.setObjectName("labelStatus")
        self.status.setWordWrap(True)
        self.rates_button = QPushButton("&Get rates")
        self.buy_button = QPushButton("&Buy and print")
        self.reprint_button = QPushButton("&Reprint")
        self.void_button = QPushButton("&Void label")
        close = QPushButton("Close")
        for button, slot in ((self.rates_button, self.get_rates), (self.buy_button, self.buy),
                             (self.reprint_button, self.reprint), (self.void_button, self.void), (close, self.reject)):  # fmt: skip
            button.setAutoDefault(False)
            button.clicked.connect(slot)
        form = QFormLayout()
        form.addRow("B&ox", self.box)
        form.addRow("&Size", self.size_edit)
        form.addRow("&Weight", self.weight)
        form.addRow("&Printer", self.printer)
        form.addRow("&Label", self.label_format)
        buttons = QHBoxLayout()
        for b in (self.rates_button, self.buy_button, self.reprint_button, self.void_button, close):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addLayout(form)
        layout.addWidget(self.rate_list, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.box.currentIndexChanged.connect(self._on_box)
        self._fill_package()
        self._refresh_buttons()
        self.resize(720, 480)

    # --- package -----------------------------------------------------------------------------------------
    def _fill_package(self) -> None:
        boxes, self.items_weight = buy_shipping.package_defaults(self.order_id)
        for b in boxes:
            self.box.addItem(
                f"{b.name} ({b.length_cm:g}×{b.width_cm:g}×{b.height_cm:g} cm)", (b.name, b.tare_g)
            )
        self.box.addItem("Custom size…", (CUSTOM, 0))
        self._on_box()

    def _on_box(self, *_args: object) -> None:
        name, tare = self.box.currentData() or (CUSTOM, 0)
        self.size_edit.setEnabled(name == CUSTOM)
        if self.items_weight is not None:
            self.weight.setValue(self.items_weight + int(tare))

    def _refresh_buttons(self) -> None:
        has_label = latest_label(self.order_id) is not None
        can_buy = self.order.can_ship and not has_label
        self.rates_button.setEnabled(can_buy)
        self.buy_button.setEnabled(can_buy and self.rates is not None)
        self.reprint_button.setEnabled(has_label)
        self.void_button.setEnabled(has_label)
        if has_label and self.rates is None:
            self.status.setText("This order has a label: Reprint (Alt+R) or Void it (Alt+V).")

    def showEvent(self, event: Any) -> None:  # the keyboard starts at the box
        super().showEvent(event)
        self.box.setFocus()

    def keyPressEvent(self, event: Any) -> None:  # Enter: the next step, wherever the focus is
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self.rate_list.hasFocus() and self.buy_button.isEnabled():
                self.buy()
            elif self.rates_button.isEnabled():
                self.get_rates()
            elif self.reprint_button.isEnabled():
                self.reprint()
            return
        super().keyPressEvent(event)

    # --- Amazon on the pool ------------------------------------------------------------------------------
    def _busy(self, text: str, fn: Callable[[], Any], on_done: Callable[[Any], None]) -> None:
        self.status.setText(text)
        for b in (self.rates_button, self.buy_button, self.reprint_button, self.void_button):
            b.setEnabled(False)
        self.tasks.run(fn, on_done, self._failed)

    def _failed(self, exc: BaseException) -> None:
        self._refresh_buttons()
        if not isinstance(exc, FbmError):
            raise exc  # a bug: the error dialog shows it
        self.status.setText(f"<span style='color:#b00020'>{exc}</span>")

    def get_rates(self) -> None:
        name, _tare = self.box.currentData() or (CUSTOM, 0)
        box, dims = (None, self.size_edit.text()) if name == CUSTOM else (name, None)
        weight = self.weight.value() or None
        core, order_id = self.core, self.order_id
        self._busy(
            "Asking Amazon for rates…",
            lambda: buy_shipping.get_rates(core, order_id, weight_g=weight, box=box, dims=dims),
            self._show_rates,
        )

    def _show_rates(self, rates: buy_shipping.Rates) -> None:
        self.rates = rates
        self.rate_list.clear()
        for r in rates.rates:
            when = local_time(r.promise) if r.promise else "?"
            late = "  ·  LATE (after the order's delivery date)" if r.late else ""
            item = QListWidgetItem(f"{r.name}  ·  {r.price} {r.currency}  ·  delivery by {when}{late}")
            item.setData(Qt.ItemDataRole.UserRole, r.rate_id)
            if r.late:
                item.setForeground(QBrush(QColor("#b00020")))
            self.rate_list.addItem(item)
            if r.rate_id == rates.default_rate_id:
                self.rate_list.setCurrentItem(item)
        self._refresh_buttons()
        self.status.setText(
            f"{len(rates.rates)} rate(s) from Amazon. Enter buys the selected one and prints it."
        )
        self.rate_list.setFocus()

    def buy(self) -> None:
        item = self.rate_list.currentItem()
        if item is None or self.rates is None:
            return
        rate_id, fmt = str(item.data(Qt.ItemDataRole.UserRole)), str(self.label_format.currentData())
        if fmt == "zpl" and self.printer.currentData() == PDF_FILE:
            self.status.setText("ZPL goes raw to a thermal printer: choose the printer first.")
            return
        core, order_id = self.core, self.order_id
        self._busy(
            "Buying the label…",
            lambda: buy_shipping.buy_label(core, order_id, rate_id, fmt),
            self._bought,
        )

    def _bought(self, label: buy_shipping.BoughtLabel) -> None:
        message = f"Label bought: {label.carrier} {label.service}, tracking {label.tracking_number}"
        self.label_changed.emit(message)
        if self._print(label.format, label.document, message):
            self.accept()

    def reprint(self) -> None:
        fmt = "ZPL" if self.label_format.currentData() == "zpl" else "PNG"
        core, order_id = self.core, self.order_id
        self._busy(
            "Fetching the label…",
            lambda: buy_shipping.label_document(core, order_id, fmt),
            self._reprinted,
        )

    def _reprinted(self, found: tuple[str, bytes]) -> None:
        self._print(found[0], found[1], "Label printed again")

    def void(self) -> None:
        core, order_id = self.core, self.order_id
        self._busy(
            "Voiding the label at Amazon…", lambda: buy_shipping.void_label(core, order_id), self._voided
        )

    def _voided(self, label: Any) -> None:
        message = f"Label {label.tracking_number} voided; the order can be packed again"
        self.label_changed.emit(message)
        self.accept()

    # --- printing ----------------------------------------------------------------------------------------
    def _print(self, fmt: str, document: bytes, message: str) -> bool:
        target = str(self.printer.currentData())
        try:
            if fmt.upper() == "ZPL":
                shipping_label.send_raw(target, document)
                where = target
            elif target == PDF_FILE:
                folder = self.core.paths.data_dir / "labels"
                folder.mkdir(parents=True, exist_ok=True)
                self.printed_to = folder / f"{self.order.amazon_order_id}.pdf"
                shipping_label.write_label_pdf(self.printed_to, fmt, document)
                where = str(self.printed_to)
            else:
                printer = QPrinter(QPrinterInfo.printerInfo(target), QPrinter.PrinterMode.HighResolution)
                shipping_label.print_label(printer, fmt, document)
                where = target
        except FbmError as exc:
            self.status.setText(f"{message}, but printing failed: {exc}")
            self._refresh_buttons()
            return False
        self.status.setText(f"{message} → {where}")
        self._refresh_buttons()
        return True
