"""An order's state follows its shipped quantities: partially shipped, then shipped (never backwards).

Used by the package confirmation (``fbm_desk.db.package_confirmation``) and the import of Amazon's pages
(``fbm_desk.db.order_import``), each inside its own transaction.
"""

from __future__ import annotations

from fbm_desk.db.models import Order, utcnow_iso
from fbm_desk.db.orders import unit_totals
from fbm_desk.db.states import ORDER_STATE_RANK, OrderState


def quantity_state(order_id: int) -> OrderState | None:
    """shipped / partially_shipped from the items' shipped quantities, None when nothing shipped yet."""
    q, s = unit_totals([order_id]).get(order_id, (0, 0))
    if q > 0 and s >= q:
        return OrderState.SHIPPED
    if s > 0:
        return OrderState.PARTIALLY_SHIPPED
    return None


def refresh_order_state(order_id: int, *, now: str | None = None) -> str:
    """Move an open order forward to partially_shipped/shipped when its items say so; returns the state."""
    order = Order.get_by_id(order_id)
    if order.state == OrderState.CANCELED:
        return str(order.state)
    by_qty = quantity_state(order_id)
    if by_qty is not None and ORDER_STATE_RANK[by_qty] > ORDER_STATE_RANK.get(order.state, 0):
        Order.update(state=by_qty, payment_hold=False, updated_at=now or utcnow_iso()).where(
            Order.id == order_id
        ).execute()
        return str(by_qty)
    return str(order.state)
