"""The detail panel under the Orders table: items, ship-to address, packages with push state, timeline.

Held orders show no address ("Amazon sends the address when it releases the order"). A rejected package
shows Amazon's message. The panel only reads (``fbm_desk.db.orders.get_order_detail``); "Pack…" asks the tab
to open the pack dialog.
"""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTextBrowser, QVBoxLayout, QWidget

from fbm_desk.db.access_trail import record_access
from fbm_desk.db.buy_shipping import labelled_packages
from fbm_desk.db.domain_rows import OrderDetail
from fbm_desk.db.orders import get_order_detail
from fbm_desk.db.states import OrderState, PackageSource, PushState
from fbm_desk.db.stations import describe_actor
from fbm_desk.domain.addresses import city_lines
from fbm_desk.domain.order_cancel import cancellation_blocks_packing
from fbm_desk.foundation.errors import FbmError
from fbm_desk.foundation.wording import amazon_status_words
from fbm_desk.ui.order_badges import (
    CANCEL_LINK,
    SELLER_CENTRAL_LINK,
    address_detail_lines,
    badges_html,
    notices_html,
    open_seller_central,
)
from fbm_desk.ui.order_rules_view import rules_html
from fbm_desk.ui.table_models.formatting import PUSH_BADGES, STATE_BADGES, local_time, ship_by_status

CANCELABLE = (OrderState.HELD, OrderState.RELEASED)  # not shipped, not canceled (packages: none)
HELD_ADDRESS_TEXT = "Amazon sends the address when it releases the order."

EVENT_LABELS = {
    "imported": "Imported",
    OrderState.HELD: "Held (payment hold)",
    OrderState.RELEASED: "Released by Amazon",
    OrderState.CANCELED: "Canceled",
    "shipped_elsewhere": "Shipped outside FBM Desk",
    "needs_mapping": "Needs SKU mapping",
    "mapped": "SKU mapped",
    "packed": "Packed",
    "package_edited": "Package edited",
    PushState.QUEUED: "Queued for tracking push",
    "pushed": "Tracking sent to Amazon",
    PushState.CONFIRMED: "Confirmed by Amazon",
    "push_confirmed": "Confirmed by Amazon",
    PushState.REJECTED: "Rejected by Amazon",
    "push_rejected": "Rejected by Amazon",
    "stock_removed": "Stock removed",
    "rule": "Rule",
    "rule_notify": "Rule notification",
    "hold": "Hold",
    "hold_released": "Hold released",
    "tagged": "Tagged",
}


def _badge(text: str, bg: str, fg: str) -> str:
    return f'<span style="background:{bg}; color:{fg}; font-weight:bold">&nbsp;{escape(text)}&nbsp;</span>'


class OrderDetailPanel(QWidget):
    """Shows one order; ``show_order(order_id)`` / ``clear()``. Emits ``pack_requested(order_id)``."""

    pack_requested = Signal(int)
    edit_package_requested = Signal(int, int)  # order id, package id
    cancel_order_requested = Signal(int)  # "Cancel order at Amazon…" (the Orders tab asks and runs it)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("orderDetail")
        self._detail: OrderDetail | None = None
        self.title = QLabel("Select an order to see its items, address, packages and timeline.")
        self.title.setObjectName("orderDetailTitle")
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.pack_button = QPushButton("&Pack…")
        self.pack_button.setObjectName("packButton")
        self.pack_button.setToolTip("Record a package with its tracking number (Ctrl+K scans an order id)")
        self.pack_button.setEnabled(False)
        self.pack_button.clicked.connect(self._on_pack)
        self.cancel_button = QPushButton("Cancel order at Amazon…")
        self.cancel_button.setObjectName("cancelOrderButton")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self._on_cancel)
        self.body = QTextBrowser()
        self.body.setObjectName("orderDetailBody")
        self.body.setOpenLinks(False)
        self.body.anchorClicked.connect(self._on_link)
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.cancel_button)
        header.addWidget(self.pack_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.body, 1)

    @property
    def detail(self) -> OrderDetail | None:
        return self._detail

    def clear(self) -> None:
        self._detail = None
        self.title.setText("Select an order to see its items, address, packages and timeline.")
        self.body.clear()
        self.pack_button.setEnabled(False)
        self.cancel_button.setEnabled(False)

    def show_order(self, order_id: int) -> None:
        try:
            detail = get_order_detail(order_id)
        except FbmError as exc:
            self.clear()
            self.title.setText(escape(exc.user_message))
            return
        self._detail = detail
        o = detail.order
        if o.ship_to is not None:
            record_access("view", [o.id], "order details")
        label, bg, fg = STATE_BADGES.get(o.state, (o.state, "#eee", "#000"))
        flags = [x for x, on in (("Prime", o.is_prime), ("Business", o.is_business)) if on]
        self.title.setText(
            f"<b style='font-size:14pt'>{escape(o.amazon_order_id)}</b> &nbsp; {_badge(label, bg, fg)}"
            + (" &nbsp;" + _badge("Payment hold", "#fde2b3", "#7a4b00") if o.payment_hold else "")
            + f" &nbsp; {escape(o.store_name)}"
            + (f" · {escape(', '.join(flags))}" if flags else "")
            + (" &nbsp;" + badges_html(o.flags) if o.flags.badges() else "")
        )
        self.pack_button.setEnabled(o.can_ship and any(i.packable > 0 for i in detail.items))
        self.cancel_button.setEnabled(
            o.state in CANCELABLE and not detail.packages and not cancellation_blocks_packing(o.id)
        )
        self.body.setHtml(self._html(detail))

    def _on_pack(self) -> None:
        if self._detail is not None:
            self.pack_requested.emit(self._detail.order.id)

    def _on_cancel(self) -> None:
        if self._detail is not None:
            self.cancel_order_requested.emit(self._detail.order.id)

    def _on_link(self, url: Any) -> None:
        text = url.toString()
        if self._detail is not None and text == CANCEL_LINK:
            self._on_cancel()
        if self._detail is not None and text == SELLER_CENTRAL_LINK:
            open_seller_central(self._detail.order)
        if self._detail is not None and text.startswith("edit-package:"):
            self.edit_package_requested.emit(self._detail.order.id, int(text.split(":", 1)[1]))

    def _html(self, d: OrderDetail) -> str:
        o = d.order
        due = ship_by_status(o.latest_ship_date, o.state)
        due_text = {
            "late": " <b style='color:#c62828'>LATE</b>",
            "today": " <b style='color:#b45f06'>due today</b>",
        }
        parts = [
            "<table cellspacing=0 cellpadding=2>",
            f"<tr><td>Purchased</td><td>{escape(local_time(o.purchase_date))}</td>"
            f"<td width=24></td><td>Ship by</td><td>{escape(local_time(o.latest_ship_date))}"
            f"{due_text.get(due, '')}"
            "</td></tr>",
            f"<tr><td>Service</td><td>{escape(o.service_level or '—')}</td><td></td>"
            f"<td>Amazon status</td><td>{escape(amazon_status_words(o.amazon_status))}</td></tr>",
            "</table>",
            notices_html(o),
        ]
        if o.needs_mapping:
            parts.append(
                "<p style='color:#9b1111'><b>Needs mapping:</b> an item's SKU is not a warehouse SKU. "
                "Map it in the Products tab (Map SKU…).</p>"
            )
        parts.append(rules_html(o.id))  # holds, tags, priority, "Rules: 2 applied, 1 skipped — ..."
        parts.append(
            "<h4>Items</h4><table cellspacing=0 cellpadding=3 border=1 style='border-collapse:collapse'>"
        )
        parts.append(
            "<tr><th>SKU</th><th>Title</th><th>Ordered</th><th>Shipped</th><th>In packages</th></tr>"
        )
        for i in d.items:
            sku = escape(i.seller_sku)
            if i.product_sku is None:
                sku += " <span style='color:#9b1111'>(not mapped)</span>"
            elif i.product_sku != i.seller_sku:
                sku += f" → {escape(i.product_sku)}"
            parts.append(
                f"<tr><td>{sku}</td><td>{escape(i.title)}</td><td align=right>{i.quantity}</td>"
                f"<td align=right>{i.quantity_shipped}</td><td align=right>{i.quantity_packed}</td></tr>"
            )
        parts.append("</table>")
        parts.append("<h4>Ship to</h4>")
        if o.ship_to is None:
            hint = HELD_ADDRESS_TEXT if o.state == OrderState.HELD else "No address from Amazon."
            parts.append(f"<p style='color:#666'><i>{escape(hint)}</i></p>")
        else:
            a = o.ship_to
            lines = [
                a.name,
                a.company,
                a.address_line1,
                a.address_line2,
                a.address_line3,
                *address_detail_lines(o.flags),
                *city_lines(a.country_code, a.city, a.state_or_region, a.postal_code),
                a.country_code,
                a.phone,
            ]
            parts.append("<p>" + "<br>".join(escape(x) for x in lines if x) + "</p>")
        parts.append("<h4>Packages</h4>")
        if not d.packages:
            parts.append("<p style='color:#666'>Nothing packed yet.</p>")
        labels = labelled_packages(p.id for p in d.packages)  # Buy Shipping (issue 18)
        for p in d.packages:
            text, bg, fg = PUSH_BADGES.get(p.push_state, (p.push_state, "#eee", "#000"))
            carrier = p.carrier_name if p.carrier_code == "Other" and p.carrier_name else p.carrier_code
            items = ", ".join(f"{x.quantity} × {escape(x.seller_sku)}" for x in p.items)
            line = (
                f"<p>#{p.package_reference_id} {escape(carrier)} <b>{escape(p.tracking_number)}</b> "
                f"· shipped {escape(p.ship_date[:10])} · {items} &nbsp; {_badge(text, bg, fg)}"
            )
            who = describe_actor(p.station, p.os_user) if p.source == PackageSource.LOCAL else ""
            if who:
                line += f" <span style='color:#666'>· packed on {escape(who)}</span>"
            if p.push_state == PushState.QUEUED:
                line += " <i>queued — will be sent with the next tracking push</i>"
            if p.id in labels:
                line += " <i>Buy Shipping label — Amazon has the tracking number (never pushed)</i>"
            if p.push_message:
                said = (
                    "Note" if p.push_state == PushState.QUEUED else "Amazon"
                )  # queued: our note, not Amazon's
                line += f"<br><span style='color:#9b1111'>{said}: {escape(p.push_message)}</span>"
            if p.source == PackageSource.LOCAL and p.push_state in (PushState.QUEUED, PushState.REJECTED):
                line += f" &nbsp;<a href='edit-package:{p.id}'>Edit and queue again…</a>"
            parts.append(line + "</p>")
        parts.append("<h4>Timeline</h4><table cellspacing=0 cellpadding=2>")
        for e in d.events:
            label = EVENT_LABELS.get(e.kind, e.kind.replace("_", " ").capitalize())
            message = f" — {escape(e.message)}" if e.message else ""
            who = describe_actor(e.station, e.os_user)
            parts.append(
                f"<tr><td>{escape(local_time(e.at))}</td><td>{escape(label)}{message}</td>"
                f"<td style='color:#666'>{escape(who)}</td></tr>"
            )
        parts.append("</table>")
        return "".join(parts)
