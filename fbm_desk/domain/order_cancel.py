"""The seller cancels an order at Amazon (``fbm-desk orders cancel``, "Cancel order at Amazon…" in the GUI).

Amazon's supported route is the XML order acknowledgement feed (``fbm_desk.amazon.order_feeds``). The checks
that guard the send run inside one write transaction, which also records the "cancel_sent" event, so a package
recorded at the same moment cannot slip in (``order_rules.check_packable`` refuses packing while a
cancellation is on its way or accepted): the order must be known, not canceled, not shipped, and have no
package recorded or queued (a package on its way must be deleted first). Then the feed is sent once (never
again automatically: ``createFeed`` is not idempotent) and its processing report read; the outcome is
recorded on the order's timeline. The order shows Canceled after the next order sync, which also frees its
stock.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from fbm_desk.amazon.errors import OutcomeUnknown
from fbm_desk.db import events
from fbm_desk.db.domain_rows import OrderRow
from fbm_desk.db.orders import find_order, get_order, list_items
from fbm_desk.db.packages import list_packages
from fbm_desk.db.states import OrderState
from fbm_desk.db.stores import get_store
from fbm_desk.db.transactions import transaction
from fbm_desk.foundation.errors import FbmError, InvalidInput
from fbm_desk.foundation.timestamps import parse_utc

if TYPE_CHECKING:
    from fbm_desk.core import CoreServices

log = logging.getLogger(__name__)

# CLI value -> (Amazon's CancelReason, label for people)
REASONS: dict[str, tuple[str, str]] = {
    "buyer-canceled": ("BuyerCanceled", "Buyer canceled"),
    "no-inventory": ("NoInventory", "Out of stock"),
    "address-undeliverable": ("ShippingAddressUndeliverable", "Shipping address undeliverable"),
    "general-adjustment": ("GeneralAdjustment", "Other (general adjustment)"),
}
WAIT_S = 1800.0  # nominal seconds to wait for Amazon's processing report (Amazon: usually minutes)
IN_FLIGHT = timedelta(hours=1)  # a cancellation sent this recently without an answer is still on its way
_KINDS = (events.CANCEL_SENT, events.CANCEL_ACCEPTED, events.CANCEL_REFUSED)
CANCEL_UNKNOWN = "cancel_unknown"  # timeline only: the outcome could not be read (still counts as sent)


class CancellationRefused(FbmError):
    """Amazon refused the cancellation (or could not finish it); the message carries Amazon's words."""


@dataclass(frozen=True)
class CancelOutcome:
    amazon_order_id: str
    status: str  # "canceled": Amazon accepted the cancellation
    feed_id: str
    message: str


def cancellation_blocks_packing(order_id: int, now: datetime | None = None) -> str:
    """Why the order must not be packed because of a cancellation at Amazon ("" when nothing blocks)."""
    last = events.last_event_of(order_id, _KINDS)
    if last is None:
        return ""
    if last.kind == events.CANCEL_ACCEPTED:
        return "Amazon accepted the cancellation of this order; the next order sync shows it as canceled."
    sent = parse_utc(last.at)
    if last.kind == events.CANCEL_SENT and sent and sent > (now or datetime.now(UTC)) - IN_FLIGHT:
        return "A cancellation of this order was sent to Amazon and has no answer yet."
    return ""


def _claim(order: int | str, reason: str) -> tuple[OrderRow, list[str]]:
    """Check the order and record "cancel_sent" in one write transaction; returns the order and item ids."""
    if reason not in REASONS:
        raise InvalidInput(f"Unknown reason '{reason}'. Use one of: {', '.join(REASONS)}. Nothing was sent.")
    with transaction(immediate=True):
        row = get_order(order) if isinstance(order, int) else find_order(order)
        oid = row.amazon_order_id
        if row.state == OrderState.CANCELED:
            raise InvalidInput(f"Order {oid} is already canceled. Nothing was sent.")
        if row.state in (OrderState.SHIPPED, OrderState.PARTIALLY_SHIPPED):
            raise InvalidInput(
                f"Order {oid} has shipped; a shipped order cannot be canceled. Nothing was sent."
            )
        packages = list_packages([row.id]).get(row.id, [])
        if packages:
            refs = ", ".join(f"#{p.package_reference_id} ({p.tracking_number})" for p in packages)
            raise InvalidInput(
                f"Order {oid} has a package recorded ({refs}). A package on its way to Amazon must be deleted "
                "first (Orders tab, the order's packages); a parcel that has left cannot be canceled. "
                "Nothing was sent."
            )
        pending = cancellation_blocks_packing(row.id)
        if pending:
            raise InvalidInput(f"Order {oid}: {pending} Nothing was sent again.")
        items = [i.order_item_id for i in list_items([row.id]).get(row.id, [])]
        if not items:
            raise InvalidInput(f"Order {oid} has no items to cancel. Nothing was sent.")
        events.add_event(row.id, events.CANCEL_SENT, f"Cancellation sent to Amazon: {REASONS[reason][1]}")
    return row, items


def _record(order_id: int, kind: str, message: str) -> None:
    with transaction():
        events.add_event(order_id, kind, message)


def cancel_order(
    core: CoreServices,
    order: int | str,
    reason: str,
    *,
    wait_s: float = WAIT_S,
    cancel: threading.Event | None = None,
) -> CancelOutcome:
    """Cancel the order at Amazon. ``InvalidInput``/``NotFound``: nothing sent. ``CancellationRefused``: Amazon
    said no (its message) or did not finish in time. Other ``FbmError``s: Amazon could not be reached."""
    row, items = _claim(order, reason)
    amazon_reason, label = REASONS[reason]
    oid = row.amazon_order_id
    submitted: list[str] = []
    try:
        with core.client_for(get_store(row.store_id), cancel) as client:
            result = client.cancel_order(
                row.marketplace_id, oid, amazon_reason, items, wait_s=wait_s, on_submitted=submitted.append
            )
    except FbmError as exc:
        if not submitted and not isinstance(exc, OutcomeUnknown):  # Amazon never got it: may be sent again
            _record(row.id, events.CANCEL_REFUSED, f"Cancellation not sent: {exc.user_message}")
            raise
        # Amazon has (or may have) the feed: the order stays blocked and it is not sent again for now
        feed = f" (feed {submitted[0]})" if submitted else ""
        _record(row.id, CANCEL_UNKNOWN, f"Amazon's answer to the cancellation{feed} could not be read")
        raise CancellationRefused(
            f"Order {oid}: the cancellation reached Amazon or may have{feed}, but its outcome could not be read "
            f"({exc.user_message}). Do not send it again: the next order sync shows whether the order was "
            "canceled."
        ) from exc
    if result.accepted:
        _record(
            row.id,
            events.CANCEL_ACCEPTED,
            f"Amazon accepted the cancellation ({label}; feed {result.feed_id})",
        )
        log.info("order %s: cancellation accepted (feed %s)", oid, result.feed_id)
        return CancelOutcome(oid, "canceled", result.feed_id, f"Amazon canceled order {oid} ({label}).")
    if result.in_progress:
        raise CancellationRefused(
            f"Amazon has not finished processing the cancellation of order {oid} (feed {result.feed_id}). "
            "Do not send it again: the next order sync shows whether the order was canceled."
        )
    said = "; ".join(f"{e.message} ({e.code})" if e.code else e.message for e in result.errors)
    _record(row.id, events.CANCEL_REFUSED, f"Amazon refused the cancellation: {said}")
    raise CancellationRefused(f"Amazon refused to cancel order {oid}: {said}")
