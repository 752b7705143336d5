"""The Inventory tab's "Why is available N?" panel: a SKU's numbers, its next push, the open orders holding it.

At a million orders a SKU can be held by thousands of open orders; a rich-text table of 500 rows takes ~0.3 s to
lay out on the window's thread (50: ~30 ms). The panel lists the ``SHOWN_HOLDERS`` most urgent and says how many
there are in all (an index count of ``held_units``).
"""

from __future__ import annotations

from html import escape

from fbm_desk.db.holding_orders import count_holding_orders, holding_orders
from fbm_desk.db.stock import StockRow, push_plan
from fbm_desk.db.stock_warehouses import warehouse_stock
from fbm_desk.foundation.wording import plural
from fbm_desk.ui.table_models.formatting import local_time, state_label

SHOWN_HOLDERS = 50


def why_available_html(row: StockRow) -> str:
    """The panel's rich text for one SKU's stock row."""
    parts = [
        f"<p><b>{escape(row.sku)}</b>: available <b>{row.available}</b> = on hand {row.on_hand} − "
        "allocated "
        f"{row.allocated}" + (" (never below 0)" if row.on_hand < row.allocated else "") + ".</p>",
        f"<p>Bin {escape(row.bin or '—')} · "
        + ("no low-stock alert" if row.low_stock is None else f"low stock at {row.low_stock}")
        + (" · <b style='color:#9b1111'>LOW</b>" if row.is_low else "")
        + "</p>",
    ]
    split = warehouse_stock([row.product_id]).get(row.product_id, ())
    if len(split) > 1:
        each = "; ".join(f"{escape(w.name)} {w.on_hand} on hand, {w.allocated} allocated" for w in split)
        parts.append(f"<p>Per warehouse: {each}.</p>")
    if row.pushed_quantity is not None:
        parts.append(
            f"<p>Amazon last accepted {row.pushed_quantity} ({escape(local_time(row.pushed_at))}).</p>"
        )
    if row.amazon_shows is not None:
        parts.append(
            f"<p>Amazon shows {row.amazon_shows} (read {escape(local_time(row.amazon_read_at))}"
            " by the last products import). When that differs from available, the next inventory push "
            "sends available again.</p>"
        )
    if row.push_issues:
        parts.append(f"<p style='color:#9b1111'>Amazon's issues: {escape(row.push_issues)}</p>")
    parts.append(_push_plan_html(row.product_id))
    parts.append(_holders_html(row))
    return "".join(parts)


def _holders_html(row: StockRow) -> str:
    holders = holding_orders(row.product_id, limit=SHOWN_HOLDERS + 1)  # one more: are there others?
    if not holders:
        return "<p>No open order holds units of this SKU.</p>"
    shown = holders[:SHOWN_HOLDERS]
    total = count_holding_orders(row.product_id) if len(holders) > SHOWN_HOLDERS else len(holders)
    head = f"{plural(total, 'open order')} hold {plural(row.allocated, 'unit')}"
    head += f"; the {len(shown)} most urgent:" if total > len(shown) else ":"
    lines = [f"<p>{head}</p><table cellpadding=2>"]
    for h in shown:
        hold = " · payment hold" if h.payment_hold else ""
        lines.append(
            f"<tr><td>{escape(h.amazon_order_id)}</td><td>{escape(h.store_name)}</td>"
            f"<td>{escape(state_label(h.state))}{hold}</td><td align=right>{plural(h.units, 'unit')}</td>"
            f"<td>ship by {escape(local_time(h.latest_ship_date))}</td></tr>"
        )
    lines.append("</table>")
    if total > len(shown):
        lines.append(
            f"<p>… and {plural(total - len(shown), 'other order')}: search the SKU in the Orders tab to see them"
            " all.</p>"
        )
    return "".join(lines)


def _push_plan_html(product_id: int) -> str:
    """Per listing: what the next inventory push sends, or why it sends nothing."""
    plan = push_plan(product_ids=[product_id])
    if not plan:
        return "<p>No Amazon listing is mapped to this SKU: nothing is pushed.</p>"
    lines = []
    for p in plan:
        what = f"will send <b>{p.quantity}</b>" if p.sends else "nothing to send"
        lines.append(
            f"<tr><td>{escape(p.store_name)}</td><td>{escape(p.seller_sku)}</td><td>{what}</td>"
            f"<td>{escape(p.explanation)}</td></tr>"
        )
    return "<p>Next inventory push:</p><table cellpadding=2>" + "".join(lines) + "</table>"
