"""Pack dialog: verify items by scanning, choose the carrier, scan the tracking number, Enter saves.

Made for a USB barcode scanner (a keyboard that types the code, then Enter), no mouse needed:
1. the focus starts in "Scan item"; each scan counts one unit of the matching line (a code that is not on the
   order, or one unit too many, beeps, shows red and counts nothing); Enter on an empty field moves on to the
   tracking number; scanning a tracking number there moves it to the tracking field. When the store requires
   it (the default), only scanned units go into the package;
2. the tracking number picks the carrier from its format (until the carrier is chosen by hand);
3. Enter in the tracking field (or anywhere but the item field) saves the package; Enter on an empty tracking
   field asks for the number and stays there (never into the carrier list: see ``scan_flow``). A package with
   units left over asks first ("Ship 1 of 3 now?").
Buy label… (Alt+L) buys the label from Amazon instead (Buy Shipping, ``buy_label_dialog``): Amazon has the
tracking number at once, nothing is queued. Saving calls ``fbm_desk.domain.packing.record_package`` (one transaction + outbox). The package is queued for the
next tracking push, so nothing is lost when Amazon is unreachable. When units are left, the dialog stays open
for the next package (partial shipments / several packages).
"""

from __future__ import annotations

import logging
from itertools import pairwise

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from fbm_desk.core import CoreServices
from fbm_desk.db.access_trail import record_access
from fbm_desk.db.domain_rows import OrderDetail, PackageRow
from fbm_desk.db.orders import get_order_detail
from fbm_desk.db.product_places import bins_for
from fbm_desk.db.product_views import barcodes_for
from fbm_desk.db.states import OrderState, PushState
from fbm_desk.db.stores import get_store
from fbm_desk.domain import packing
from fbm_desk.domain.order_rules import CancelRequested
from fbm_desk.foundation.errors import FbmError
from fbm_desk.foundation.image_cache import image_dir
from fbm_desk.ui.order_badges import (
    CANCEL_LINK,
    SELLER_CENTRAL_LINK,
    badges_html,
    notices_html,
    open_seller_central,
)
from fbm_desk.ui.order_rules_view import blocking_hold_text, marks_of, notes_html
from fbm_desk.ui.pack_label import add_label_button
from fbm_desk.ui.pack_scanning import PackScanning
from fbm_desk.ui.pack_shipping import ShippingFields
from fbm_desk.ui.pack_side import PackSide
from fbm_desk.ui.product_place_dialog import bins_html
from fbm_desk.ui.scan_flow import EnterMovesOn, ScanLineEdit
from fbm_desk.ui.table_models.formatting import local_time, state_label
from fbm_desk.ui.table_models.pack_lines_model import COL_PACK, COL_TITLE, PackLinesModel

log = logging.getLogger(__name__)

QUEUED_TEXT = "queued — will be sent with the next tracking push"


class PackDialog(QDialog):
    """``PackDialog(core, order_id)``; ``package`` = a queued/rejected package to edit instead of a new one.

    Emits ``saved(message)`` after each stored package.
    """

    saved = Signal(str)
    cancel_order_requested = Signal(int)  # the notice's "Cancel order at Amazon…"

    def __init__(
        self,
        core: CoreServices,
        order_id: int,
        parent: QWidget | None = None,
        *,
        package: PackageRow | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("packDialog")
        self.core = core
        self.order_id = order_id
        self.editing = package
        self.saved_packages: list[PackageRow] = []
        self.setWindowTitle("Edit package" if package else "Pack order")
        self.resize(900, 580)

        self.header = QLabel()
        self.header.setObjectName("packHeader")
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setWordWrap(True)
        self.header.linkActivated.connect(self._on_header_link)
        self.message = QLabel()
        self.message.setObjectName("packMessage")
        self.message.setWordWrap(True)
        self.message.hide()
        self.rule_notes = QLabel()  # a rule's packing notes (add_note)
        self.rule_notes.setObjectName("packRuleNotes")
        self.rule_notes.setTextFormat(Qt.TextFormat.RichText)
        self.rule_notes.setStyleSheet("background:#fff8d6; padding:4px")
        self.rule_notes.hide()

        self.lines = PackLinesModel(parent=self)
        self.lines_view = QTableView()
        self.lines_view.setObjectName("packLines")
        self.lines_view.setModel(self.lines)
        self.lines_view.verticalHeader().setVisible(False)
        self.lines_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.lines_view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.lines_view.horizontalHeader().setSectionResizeMode(COL_TITLE, QHeaderView.ResizeMode.Stretch)
        self.lines_view.setTabKeyNavigation(False)

        self.item_scan = ScanLineEdit()
        self.item_scan.setObjectName("itemScan")
        self.shipping = ShippingFields(self)
        self.tracking, self.carrier, self.method = (
            self.shipping.tracking,
            self.shipping.carrier,
            self.shipping.method,
        )
        self.side = PackSide(image_dir(core.paths.data_dir), self)  # the item's picture, the packing note
        self.scan_flow = PackScanning(self, self)
        self.item_scan.scanned.connect(self.scan_flow.on_item_scanned)
        self.tracking.scanned.connect(self.scan_flow.on_tracking_entered)
        s = self.shipping
        fields = (s.carrier, s.carrier_name, s.method, s.ship_date)
        EnterMovesOn(self, fields, (s.carrier, s.ship_date), self.scan_flow.on_enter)

        form = QFormLayout()
        form.addRow("Scan &item", self.item_scan)
        self.shipping.add_rows(form)

        self.buttons = QDialogButtonBox()
        self.save_button = QPushButton("Save package" if package is None else "Save and queue again")
        self.save_button.setObjectName("savePackage")
        self.save_button.setDefault(True)
        self.save_button.setAutoDefault(True)
        self.buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.close_button = self.buttons.addButton("Close", QDialogButtonBox.ButtonRole.RejectRole)
        self.close_button.setObjectName("closePack")
        self.close_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save)
        self.close_button.clicked.connect(self.reject)
        add_label_button(self)  # Buy Shipping (issue 18): Buy label… (Alt+L)

        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.message)
        layout.addWidget(self.rule_notes)
        middle = QHBoxLayout()
        middle.addWidget(self.lines_view, 1)
        middle.addWidget(self.side)
        layout.addLayout(middle, 1)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        chain = (self.item_scan, *self.shipping.tab_chain())
        for first, second in pairwise(chain):
            self.setTabOrder(first, second)

        self.detail: OrderDetail | None = None
        self._load()
        if package is not None:
            self._prefill(package)

    # --- loading -----------------------------------------------------------------------------------------

    def _load(self) -> None:
        try:
            self.detail = get_order_detail(self.order_id)
        except FbmError as exc:
            self._block(exc.user_message)
            return
        d = self.detail
        o = d.order
        if o.ship_to is not None:
            record_access("view", [o.id], "pack dialog")
        self.header.setText(
            f"<b style='font-size:13pt'>{o.amazon_order_id}</b> · {o.store_name} · {state_label(o.state)}"
            f" · ship by {local_time(o.latest_ship_date)}"
            + (f" · {o.service_level}" if o.service_level else "")
            + ("<br>" + badges_html(o.flags) if o.flags.badges() else "")
            + notices_html(o)
            + bins_html(d.items, bins_for(i.product_id for i in d.items if i.product_id is not None))
        )
        product_ids = [i.product_id for i in d.items if i.product_id is not None]
        codes = barcodes_for(product_ids)
        self.lines.scan_only = self.editing is None and get_store(o.store_id).require_item_scan
        self.item_scan.setPlaceholderText(
            ("Scan each unit's SKU or barcode" if self.lines.scan_only else "Optional: scan each unit")
            + "; Enter on empty → tracking"
        )
        self.side.show_order(d)
        self.lines.set_items(
            d.items,
            {row: codes.get(i.product_id, "") for row, i in enumerate(d.items) if i.product_id is not None},
        )
        self.lines_view.resizeColumnsToContents()
        self.lines_view.horizontalHeader().setSectionResizeMode(COL_TITLE, QHeaderView.ResizeMode.Stretch)
        marks = marks_of(o.id)
        self.rule_notes.setText(notes_html(marks))
        self.rule_notes.setVisible(bool(self.rule_notes.text()))
        if self.editing is not None:
            return
        if marks is not None:
            self.shipping.offer_defaults(marks.default_carrier, marks.default_method)
        held = blocking_hold_text(marks)
        blocked = f"Order {o.amazon_order_id} is on {held}. Release the hold before packing." if held else ""
        blocked = blocked or self._blocked_reason(d)
        if blocked:
            self._block(blocked)
        else:
            self._set_inputs_enabled(True)
            self.item_scan.setFocus()

    @staticmethod
    def _blocked_reason(d: OrderDetail) -> str:
        o = d.order
        if o.state == OrderState.HELD:
            return (
                f"Order {o.amazon_order_id} is held: Amazon has not released it yet (payment hold). "
                "Do not ship it; it can be packed once Amazon releases it."
            )
        if o.state == OrderState.CANCELED:
            return f"Order {o.amazon_order_id} was canceled. Do not ship it."
        if o.state == OrderState.SHIPPED:
            return f"Order {o.amazon_order_id} is already shipped. Nothing left to pack."
        if o.flags.is_easy_ship:
            return (
                f"Order {o.amazon_order_id} is an Easy Ship order: Amazon confirms it with its own tracking."
            )
        if not any(i.packable > 0 for i in d.items):
            return (
                f"Every unit of order {o.amazon_order_id} is already in a package "
                "(see the packages in the order's detail panel)."
            )
        return ""

    def _block(self, text: str) -> None:
        self.show_message(text, error=True)
        self._set_inputs_enabled(False)
        self.close_button.setFocus()

    def _set_inputs_enabled(self, enabled: bool) -> None:
        self.item_scan.setEnabled(enabled)
        self.lines_view.setEnabled(enabled)
        self.save_button.setEnabled(enabled)
        self.save_button.setDefault(enabled)
        self.shipping.set_enabled(enabled)

    def _prefill(self, package: PackageRow) -> None:
        self.lines_view.hide()
        self.item_scan.setEnabled(False)
        items = ", ".join(f"{i.quantity} × {i.seller_sku}" for i in package.items)
        text = f"Package {package.package_reference_id}: {items}."
        if package.push_message:
            text += f" Amazon said: {package.push_message}"
        self.show_message(text, error=package.push_state == PushState.REJECTED)
        self.shipping.prefill(package)
        self._set_inputs_enabled(True)
        self.item_scan.setEnabled(False)
        self.tracking.setFocus()
        self.tracking.selectAll()

    # --- interaction -------------------------------------------------------------------------------------

    def show_message(self, text: str, *, error: bool = False) -> None:
        color = "#9b1111" if error else "#1d6b34"
        self.message.setStyleSheet(f"QLabel {{ color: {color}; font-weight: bold; padding: 4px; }}")
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def carrier_code(self) -> str:
        return self.shipping.carrier_code()

    def _on_header_link(self, link: str) -> None:
        if link == CANCEL_LINK and self.detail is not None:
            self.cancel_order_requested.emit(self.detail.order.id)
        if link == SELLER_CENTRAL_LINK and self.detail is not None:
            open_seller_central(self.detail.order)

    def confirm_cancel_override(self, message: str) -> bool:
        """The explicit confirm step before packing an order the buyer asked to cancel."""
        answer = QMessageBox.warning(
            self,
            "Buyer asked to cancel",
            f"{message}\n\nShip this order anyway?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def save(self) -> bool:
        """Validate and store the package; when the buyer asked to cancel, only after an explicit confirm."""
        try:
            return self._save(override_cancel_request=False)
        except CancelRequested as exc:
            if not self.confirm_cancel_override(exc.user_message):
                self.show_message(exc.user_message, error=True)
                return False
            return self._save(override_cancel_request=True)

    def _save(self, *, override_cancel_request: bool) -> bool:
        """Validate and store the package (Enter does this). Returns True when a package was stored."""
        if not self.save_button.isEnabled() or self.detail is None:
            return False
        code = self.shipping.chosen_carrier_code()
        if not code:
            self.show_message(
                "Choose the carrier (Alt+C; it is suggested from the tracking number format).", error=True
            )
            self.tracking.setFocus()  # never the carrier list: the next scan would open it
            self.tracking.selectAll()  # and the next scan replaces the number
            return False
        shipping = self.shipping
        try:
            if self.editing is not None:
                package = packing.update_package(
                    self.core,
                    self.editing.id,
                    code,
                    self.tracking.text(),
                    carrier_name=shipping.carrier_name.text(),
                    shipping_method=shipping.method.text(),
                    ship_date=shipping.ship_date_value(),
                    override_cancel_request=override_cancel_request,
                )
            else:
                quantities = self.lines.quantities()
                if not quantities:
                    self.show_message(
                        "Scan the items first: nothing is in the package yet."
                        if self.lines.scan_only
                        else "Put at least one unit in the package (scan or type the quantities).",
                        error=True,
                    )
                    self.item_scan.setFocus()
                    return False
                if not self.scan_flow.confirm_partial():
                    self.item_scan.setFocus()
                    return False
                package = packing.record_package(
                    self.core,
                    self.order_id,
                    code,
                    self.tracking.text(),
                    carrier_name=shipping.carrier_name.text(),
                    shipping_method=shipping.method.text(),
                    ship_date=shipping.ship_date_value(),
                    items=quantities,
                    override_cancel_request=override_cancel_request,
                )
        except CancelRequested:
            raise  # ``save`` asks the user first
        except FbmError as exc:
            # Everything typed stays in the fields: fix and press Enter again.
            self.show_message(exc.user_message, error=True)
            self.tracking.setFocus()
            self.tracking.selectAll()
            return False
        self.saved_packages.append(package)
        units = sum(i.quantity for i in package.items)
        text = (
            f"Package {package.package_reference_id} saved: {units} unit(s), {package.carrier_code} "
            f"{package.tracking_number} — {QUEUED_TEXT}."
        )
        log.info("Package %s recorded for order %s", package.package_reference_id, package.amazon_order_id)
        self.saved.emit(text)
        if self.editing is not None:
            self.accept()
            return True
        self._load()
        if self.detail is not None and any(i.packable > 0 for i in self.detail.items):
            left = sum(i.packable for i in self.detail.items)
            self.show_message(f"{text} {left} unit(s) left: scan the items of the next package.")
            self.shipping.next_package()
            self.item_scan.setFocus()
        else:
            self.accept()
        return True

    def pack_quantity(self, row: int) -> int:
        return self.lines.quantity(row)

    def set_pack_quantity(self, row: int, quantity: int) -> bool:
        return self.lines.setData(self.lines.index(row, COL_PACK), quantity)
