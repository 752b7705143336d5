"""How an order's flags (``fbm_desk.db.order_flags.OrderFlags``) look in the Orders tab, the order detail and
the pack dialog: badges, the "Buyer asked to cancel" notice with its "Cancel order at Amazon…" action (and
the secondary Seller Central link), the address details a
packer needs (district, municipality, Brazil's extended fields, pickup point) and the delivery instructions."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

from fbm_desk.db.domain_rows import OrderRow
from fbm_desk.db.order_flags import OrderFlags
from fbm_desk.domain.order_rules import seller_central_order_url

CANCEL_LINK = "cancel-at-amazon:"
SELLER_CENTRAL_LINK = "open-in-seller-central:"
CANCEL_COLOR = "#c62828"
_EXTENDED_LABELS = {
    "streetName": "Street",
    "streetNumber": "Number",
    "complement": "Complement",
    "neighborhood": "Neighborhood",
}


def _span(text: str, bg: str, fg: str) -> str:
    return f'<span style="background:{bg}; color:{fg}; font-weight:bold">&nbsp;{escape(text)}&nbsp;</span>'


def badges_html(flags: OrderFlags) -> str:
    out = []
    for label in flags.badges():
        urgent = label == "Buyer asked to cancel"
        out.append(_span(label, "#fdd" if urgent else "#e3ecfa", CANCEL_COLOR if urgent else "#1b3a6b"))
    return " ".join(out)


def notices_html(order: OrderRow) -> str:
    """Paragraphs shown above the items: the cancellation request (with the way to cancel) and Easy Ship."""
    flags = order.flags
    parts = []
    if flags.cancel_requested:
        parts.append(
            f"<p style='color:{CANCEL_COLOR}'><b>{escape(flags.cancel_text)}.</b> Do not ship this order. "
            f"<a href='{CANCEL_LINK}'><b>Cancel order at Amazon…</b></a> (reason “Buyer canceled”); the next "
            f"order sync shows it as canceled. <a href='{SELLER_CENTRAL_LINK}'>Open in Seller Central</a></p>"
        )
    if flags.is_easy_ship:
        parts.append(
            "<p style='color:#7a4b00'><b>Easy Ship:</b> Amazon's carrier collects this order and Amazon "
            "confirms it with its own tracking; schedule the pickup and print the label in Seller Central.</p>"
        )
    if flags.delivery_instructions:
        parts.append(f"<p><b>Delivery instructions:</b> {escape(flags.delivery_instructions)}</p>")
    return "".join(parts)


def address_detail_lines(flags: OrderFlags) -> list[str]:
    """Address parts beyond the usual lines, in the order a label needs them."""
    lines = [f"{_EXTENDED_LABELS.get(k, k)}: {v}" for k, v in flags.extended]
    lines += [x for x in (flags.district, flags.municipality) if x]
    if flags.address_type == "PICKUP_POINT":
        lines.append("Pickup point (parcel locker / pickup location)")
    elif flags.address_type == "COMMERCIAL":
        lines.append("Business address")
    return lines


def open_seller_central(order: OrderRow) -> str:
    """Open the order's Seller Central page in the browser; returns the URL."""
    url = seller_central_order_url(order.marketplace_id, order.amazon_order_id)
    QDesktopServices.openUrl(QUrl(url))
    return url
