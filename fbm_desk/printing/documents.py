"""The two documents: a pick list for a batch of orders and one packing slip per order."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from PySide6.QtGui import QFont

from fbm_desk.db.paper import PickList, Slip
from fbm_desk.db.states import OrderState
from fbm_desk.printing.address import address_lines
from fbm_desk.printing.canvas import Canvas

HELD_NOTICE = "ADDRESS NOT RELEASED YET — payment hold: do not ship"
CANCELED_NOTICE = "CANCELED — do not ship"


def _stamp() -> str:
    return datetime.now(UTC).astimezone().strftime("%Y-%m-%d %H:%M")


def draw_pick_list(c: Canvas, pick: PickList) -> None:
    """Header, one row per SKU (bin, SKU, title, units, orders) sorted by bin, totals at the end."""
    title, body, bold = c.font(16, bold=True), c.font(9), c.font(9, bold=True)
    cols = _pick_columns(c.width)

    def header(first: bool) -> None:
        if first:
            c.text(0, c.width, "Pick list", title, advance=True)
            n = len(pick.order_ids)
            summary = f"{n} order(s) · {len(pick.lines)} SKU(s) · {pick.units} unit(s) · {_stamp()}"
            c.text(0, c.width, summary, body, advance=True)
            c.y += 6
        else:
            c.text(0, c.width, f"Pick list (continued) · page {c.pages}", body, advance=True)
        for name, (x, w, right) in cols.items():
            c.text(x, w, name, bold, right=right)
        c.y += c.font_height(bold) + 2
        c.rule()
        c.y += 3

    header(True)
    row = c.font_height(body) + 4
    for line in pick.lines:
        if not c.room(row):
            c.new_page()
            header(False)
        values = {
            "Bin": line.bin or "—",
            "SKU": line.sku if line.mapped else f"{line.sku} (not mapped)",
            "Title": line.title,
            "Qty": str(line.quantity),
            "Orders": str(line.orders),
        }
        for name, (x, w, right) in cols.items():
            c.text(x, w, values[name], bold if name in ("Bin", "Qty") else body, right=right)
        c.y += row
        c.painter.setOpacity(0.25)
        c.rule(0.3)
        c.painter.setOpacity(1.0)
    if not c.room(3 * row):
        c.new_page()
    c.y += 4
    c.rule(1.0)
    c.y += 4
    total = f"Total: {pick.units} unit(s) of {len(pick.lines)} SKU(s) for {len(pick.order_ids)} order(s)"
    c.text(0, c.width, total, bold, advance=True)
    _batch_orders(c, pick.order_ids, body, bold)


def _batch_orders(c: Canvas, order_ids: Sequence[str], body: QFont, bold: QFont) -> None:
    """The Amazon order ids of the batch, several per line, so the list can be matched with its slips."""
    if not order_ids:
        return
    mono = c.font(8, mono=True)
    cell = c.advance("000-0000000-0000000", mono) + 12
    per_line = max(1, int(c.width // cell))
    height = c.font_height(mono) + 1
    c.y += 8
    if not c.room(c.font_height(bold) + height):
        c.new_page()
    c.text(0, c.width, f"Orders in this batch ({len(order_ids)})", bold, advance=True)
    for start in range(0, len(order_ids), per_line):
        if not c.room(height):
            c.new_page()
            c.text(0, c.width, f"Pick list (continued) · page {c.pages}", body, advance=True)
        for n, order_id in enumerate(order_ids[start : start + per_line]):
            c.text(n * cell, cell, order_id, mono)
        c.y += height


def _pick_columns(width: float) -> dict[str, tuple[float, float, bool]]:
    bin_w, sku_w, qty_w, orders_w = width * 0.16, width * 0.26, width * 0.08, width * 0.10
    title_w = width - bin_w - sku_w - qty_w - orders_w - 16
    x_sku = bin_w + 4
    x_title = x_sku + sku_w + 4
    x_qty = x_title + title_w + 4
    return {
        "Bin": (0, bin_w, False),
        "SKU": (x_sku, sku_w, False),
        "Title": (x_title, title_w, False),
        "Qty": (x_qty, qty_w, True),
        "Orders": (x_qty + qty_w + 4, orders_w, True),
    }


def draw_slips(c: Canvas, slips: Sequence[Slip]) -> None:
    """One packing slip per page."""
    for index, slip in enumerate(slips):
        if index:
            c.new_page()
        draw_slip(c, slip)


def draw_slip(c: Canvas, slip: Slip) -> None:
    o = slip.order
    title, body, bold, big = c.font(14, bold=True), c.font(9), c.font(9, bold=True), c.font(11)
    c.text(0, c.width, "Packing slip", title, advance=True)
    c.text(0, c.width, f"{o.store_name} · Order {o.amazon_order_id}", body, advance=True)
    placed = (o.purchase_date or "")[:10]
    ship_by = (o.latest_ship_date or "")[:10]
    dates = f"Ordered {placed or '—'} · Ship by {ship_by or '—'} · {o.service_level or 'Standard'}"
    c.text(0, c.width, dates, body, advance=True)
    c.y += 4
    bar_h = 36.0 if c.small else 48.0
    c.barcode(0, o.amazon_order_id, min(c.width, 300.0), bar_h)
    c.y += bar_h + 2
    c.text(0, min(c.width, 300.0), o.amazon_order_id, c.font(10, mono=True), center=True, advance=True)
    c.y += 6
    notice = _notice(o.state, o.ship_to is None)
    if notice:
        h = c.font_height(bold) + 8
        c.box(h, "#dddddd")
        c.y += 4
        c.text(4, c.width - 8, notice, bold, advance=True)
        c.y += 8
    c.text(0, c.width, "Ship to", bold, advance=True)
    if o.ship_to is None:
        c.text(0, c.width, "(address not released by Amazon yet)", big, advance=True)
    else:
        for line in address_lines(o.ship_to):
            c.text(0, c.width, line, big, advance=True)
    c.y += 8
    _items(c, slip, body, bold)


def _notice(state: str, no_address: bool) -> str:
    if state == OrderState.CANCELED:
        return CANCELED_NOTICE
    if state == OrderState.HELD or no_address:
        return HELD_NOTICE
    return ""


def _items(c: Canvas, slip: Slip, body: QFont, bold: QFont) -> None:
    qty_w = 30.0
    sku_x = qty_w + 8
    widest = max((c.advance(i.sku, body) for i in slip.items), default=40.0)
    sku_w = min(widest + 2, c.width * 0.45)
    title_x = sku_x + sku_w + 8
    title_w = c.width - title_x
    c.text(0, qty_w, "Qty", bold, right=True)
    c.text(sku_x, sku_w, "SKU", bold)
    c.text(title_x, title_w, "Item", bold)
    c.y += c.font_height(bold) + 2
    c.rule()
    c.y += 3
    row = c.font_height(body) + 4
    units = 0
    for item in slip.items:
        if not c.room(row * 2):
            c.new_page()
            c.text(0, c.width, f"Packing slip {slip.order.amazon_order_id} (continued)", bold, advance=True)
        c.text(0, qty_w, str(item.quantity), bold, right=True)
        c.text(sku_x, sku_w, item.sku, body)
        c.text(title_x, title_w, item.title, body)
        c.y += row
        units += item.quantity
    c.rule()
    c.y += 3
    c.text(0, c.width, f"{units} unit(s) in {len(slip.items)} line(s)", bold, advance=True)
