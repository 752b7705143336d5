"""The stored states, one enum per column. ``StrEnum``: each member equals the string stored in SQLite (and
printed by the CLI's JSON), so rows read back as plain strings still compare equal to the members.

The CHECK constraints in ``schema_v1.sql`` list the same values; ``tests/test_db_states.py`` checks they agree.
"""

from __future__ import annotations

from enum import StrEnum


class OrderState(StrEnum):
    """``orders.state``: our view of an order (Amazon's PENDING is held, UNSHIPPED is released, ...)."""

    HELD = "held"  # payment hold: Amazon has not released it yet
    RELEASED = "released"
    PARTIALLY_SHIPPED = "partially_shipped"
    SHIPPED = "shipped"
    CANCELED = "canceled"


# States whose unshipped units are allocated (held back from the stock pushed to Amazon).
OPEN_ORDER_STATES: tuple[OrderState, ...] = (
    OrderState.HELD,
    OrderState.RELEASED,
    OrderState.PARTIALLY_SHIPPED,
)
# How far an order has moved forward; canceled is off this scale (it never moves back).
ORDER_STATE_RANK: dict[str, int] = {
    OrderState.HELD: 0,
    OrderState.RELEASED: 1,
    OrderState.PARTIALLY_SHIPPED: 2,
    OrderState.SHIPPED: 3,
}


class PushState(StrEnum):
    """``package.push_state``: a package's way to Amazon (confirmShipment)."""

    QUEUED = "queued"
    SENT = "sent"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


UNCONFIRMED: tuple[PushState, ...] = (PushState.QUEUED, PushState.SENT)  # units packed, not yet shipped


class PackageSource(StrEnum):
    """``package.source``: recorded here, or read from Amazon (shipped outside FBM Desk)."""

    LOCAL = "local"
    AMAZON = "amazon"


class OutboxState(StrEnum):
    """``outbox.state``: the push queue entry of a package."""

    PENDING = "pending"
    IN_FLIGHT = "in_flight"
    DONE = "done"
    FAILED = "failed"


class ListingPushState(StrEnum):
    """``listing.push_state``: the last inventory push of a listing."""

    NONE = "none"
    SENT = "sent"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class StoreStatus(StrEnum):
    """``store.status``."""

    CONNECTED = "connected"
    NEEDS_RECONNECT = "needs_reconnect"
    DISABLED = "disabled"


class SyncRunStatus(StrEnum):
    """``sync_run.status``."""

    RUNNING = "running"
    OK = "ok"
    FAILED = "failed"
    CANCELED = "canceled"


class HoldKind(StrEnum):
    """``order_hold.kind``: holds set here (by hand or by a rule); Amazon's payment hold is ``orders.payment_hold``
    and shows as ``PAYMENT_HOLD`` in lists."""

    OPERATOR = "operator"
    ADDRESS = "address"
    FRAUD = "fraud"


PAYMENT_HOLD = "payment"  # Amazon's hold while the order is pending (not a row of order_hold)


class Priority(StrEnum):
    """``orders.priority``: set by a rule (``set_priority``)."""

    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"
