"""Order timeline events (``order_event``): imported, released, canceled, packed, confirmed, ..."""

from __future__ import annotations

from fbm_desk.db.domain_rows import OrderEventRow
from fbm_desk.db.models import OrderEvent, utcnow_iso
from fbm_desk.db.stored_times import iso_text

# Event kinds (the timeline shows them; tests and the UI match on them).
IMPORTED = "imported"
RELEASED = "released"
CANCELED = "canceled"
SHIPPED_ELSEWHERE = "shipped_elsewhere"
NEEDS_MAPPING = "needs_mapping"
MAPPED = "mapped"
PACKED = "packed"
PACKAGE_EDITED = "package_edited"
PACKAGE_DELETED = "package_deleted"
CONFIRMED = "confirmed"
REJECTED = "rejected"
STOCK_REMOVED = "stock_removed"
RULE = "rule"  # a rule fired (fbm_desk.db.rule_runs)
TAGGED = "tagged"  # a tag added by hand (batch action)
RULE_NOTIFY = "rule_notify"  # a rule's notify action: the GUI shows it as a desktop notification
HOLD = "hold"
HOLD_RELEASED = "hold_released"
CANCEL_SENT = "cancel_sent"  # the seller's cancellation sent to Amazon (order acknowledgement feed)
CANCEL_ACCEPTED = "cancel_accepted"
CANCEL_REFUSED = "cancel_refused"
WAREHOUSE = "warehouse"  # routed to, split over, or moved to a warehouse


def add_event(order_id: int, kind: str, message: str = "", at: str | None = None) -> None:
    OrderEvent.create(order=order_id, kind=kind, message=message, at=at or utcnow_iso())


def list_events(order_id: int) -> list[OrderEventRow]:
    """The timeline of one order, oldest first."""
    query = OrderEvent.select().where(OrderEvent.order == order_id).order_by(OrderEvent.at, OrderEvent.id)
    return [_row(e, order_id) for e in query]


def last_event_of(order_id: int, kinds: tuple[str, ...]) -> OrderEventRow | None:
    """The order's latest event among ``kinds`` (e.g. where its cancellation at Amazon stands), or None."""
    e = (
        OrderEvent.select()
        .where((OrderEvent.order == order_id) & OrderEvent.kind.in_(kinds))
        .order_by(OrderEvent.at.desc(), OrderEvent.id.desc())
        .first()
    )
    return None if e is None else _row(e, order_id)


def _row(e: OrderEvent, order_id: int) -> OrderEventRow:
    return OrderEventRow(
        id=e.id,
        order_id=order_id,
        at=iso_text(e.at),  # whole seconds on SQLite (stored_times.py)
        kind=e.kind,
        message=e.message,
        station=e.station,
        os_user=e.os_user,
    )
