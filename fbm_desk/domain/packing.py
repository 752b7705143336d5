"""Recording packages (carrier, tracking, items) for the tracking push. Qt-free; used by the pack dialog and
``fbm-desk ship``.

Validation happens before anything is stored: the order exists and is released (not held, not canceled, not
fully shipped), quantities fit what is still unshipped and not already packed, the carrier is one of Amazon's
codes (``Other`` needs a carrier name) and the tracking number is plausible for that carrier. A valid package
is written in one transaction with its outbox row and a "packed" event, so nothing typed is lost, also
offline.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from fbm_desk.db import events
from fbm_desk.db.domain_rows import OrderItemRow, OrderRow, PackageRow
from fbm_desk.db.holds import blocking_hold
from fbm_desk.db.orders import find_order, get_order, list_items
from fbm_desk.db.packages import (
    get_package,
    insert_package,
    packed_quantities,
    remove_package,
    rewrite_package,
)
from fbm_desk.db.states import OrderState, PackageSource, PushState
from fbm_desk.db.transactions import transaction
from fbm_desk.domain.carriers import (
    CARRIERS,
    OTHER,
    Carrier,
    carrier_for,
    normalize_tracking,
    suggest_carrier,
)
from fbm_desk.domain.order_rules import check_packable
from fbm_desk.foundation.errors import InvalidInput
from fbm_desk.foundation.timestamps import iso_utc, parse_utc

if TYPE_CHECKING:
    from fbm_desk.core import CoreServices

__all__ = [
    "CARRIERS",
    "PackageDraft",
    "delete_package",
    "record_package",
    "requeue_package",
    "suggest_carrier",
    "update_package",
    "validate_package",
    "validate_tracking",
]

MAX_SHIP_DATE_AHEAD = timedelta(days=2)
MAX_SHIP_DATE_AGE = timedelta(days=60)
_EDITABLE = (PushState.QUEUED, PushState.REJECTED)  # not sent (or refused): the package can still change


@dataclass(frozen=True)
class PackageDraft:
    """A validated package, ready to store."""

    order: OrderRow
    carrier_code: str
    carrier_name: str
    shipping_method: str
    tracking_number: str  # normalized
    ship_date: str  # ISO 8601 UTC
    items: tuple[tuple[OrderItemRow, int], ...]


def validate_tracking(carrier: Carrier, tracking: str) -> str:
    """Normalized tracking number, or InvalidInput explaining what is wrong."""
    t = normalize_tracking(tracking)
    if not t:
        raise InvalidInput("Enter the tracking number.")
    if not carrier.plausible(t):
        hint = f" (for example {carrier.example})" if carrier.example else ""
        guess = suggest_carrier(t)
        also = f" It looks like a {guess} number." if guess and guess != carrier.code else ""
        raise InvalidInput(
            f"'{tracking.strip()}' does not look like a {carrier.name} tracking number{hint}.{also}"
        )
    return t


def _ship_date(value: datetime | str | None, now: datetime) -> str:
    if value is None or value == "":
        return iso_utc(now)
    if isinstance(value, str):
        text = value.strip()
        parsed = parse_utc(text if "T" in text else f"{text}T12:00:00Z")
        if parsed is None:
            raise InvalidInput(
                f"The ship date '{value}' is not a date (use e.g. 2026-11-24 or 2026-11-24T15:00:00Z)."
            )
        moment = parsed
    else:
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    if moment > now + MAX_SHIP_DATE_AHEAD:
        raise InvalidInput("The ship date is in the future.")
    if moment < now - MAX_SHIP_DATE_AGE:
        raise InvalidInput("The ship date is more than 60 days ago.")
    return iso_utc(moment)


def validate_package(
    order: OrderRow,
    carrier_code: str,
    tracking_number: str,
    *,
    carrier_name: str = "",
    shipping_method: str = "",
    ship_date: datetime | str | None = None,
    items: Mapping[str, int] | None = None,
    editing_package: int | None = None,
    now: datetime | None = None,
    override_cancel_request: bool = False,
) -> PackageDraft:
    """Check a package against the order; raises ``InvalidInput`` with a message staff can act on."""
    moment = now or datetime.now(UTC)
    if order.state == OrderState.HELD:
        raise InvalidInput(
            f"Order {order.amazon_order_id} is on hold: Amazon has not released it yet (payment hold). "
            "Wait for the release before shipping."
        )
    if order.state == OrderState.CANCELED:
        raise InvalidInput(f"Order {order.amazon_order_id} was canceled; it cannot be shipped.")
    hold = blocking_hold(order.id)  # read inside record_package's write transaction
    if hold is not None:
        raise InvalidInput(f"Order {order.amazon_order_id} is on {hold}. Release the hold before shipping.")
    if order.state == OrderState.SHIPPED:
        raise InvalidInput(f"Order {order.amazon_order_id} is already fully shipped.")
    check_packable(order, override_cancel_request=override_cancel_request)
    carrier = carrier_for(carrier_code)
    if carrier is None:
        raise InvalidInput(
            f"Unknown carrier '{carrier_code}'. Use one of Amazon's carrier codes "
            f"(e.g. {', '.join(c.code for c in CARRIERS[:6])}) or 'Other' with a carrier name."
        )
    name = " ".join(carrier_name.split())
    if not carrier.listed:  # not on Amazon's CarrierCode list: Amazon takes it as Other + its name
        name = name or carrier.name
    if carrier.code == OTHER and not name:
        raise InvalidInput("With carrier 'Other', enter the carrier's name.")
    if len(name) > 100 or len(shipping_method.strip()) > 100:
        raise InvalidInput("The carrier name and shipping method must be at most 100 characters.")
    tracking = validate_tracking(carrier, tracking_number)
    order_items = list_items([order.id])[order.id]
    packed = packed_quantities(order.id, exclude_package=editing_package)
    by_amazon_id = {i.order_item_id: i for i in order_items}
    chosen: list[tuple[OrderItemRow, int]] = []
    if items is None:
        for i in order_items:
            left = i.quantity - i.quantity_shipped - packed.get(i.id, 0)
            if left > 0:
                chosen.append((i, left))
        if not chosen:
            raise InvalidInput(f"Every unit of order {order.amazon_order_id} is already shipped or packed.")
    else:
        for item_id, qty in items.items():
            item = by_amazon_id.get(str(item_id).strip())
            if item is None:
                known = ", ".join(by_amazon_id) or "none"
                raise InvalidInput(f"Order {order.amazon_order_id} has no item '{item_id}' (items: {known}).")
            if not isinstance(qty, int) or qty < 0:
                raise InvalidInput(f"The quantity for item {item_id} must be a whole number of units.")
            if qty == 0:
                continue
            left = item.quantity - item.quantity_shipped - packed.get(item.id, 0)
            if qty > left:
                raise InvalidInput(
                    f"Item {item_id} ({item.seller_sku}): {qty} unit(s) requested but only {max(left, 0)} "
                    "still unshipped and not packed."
                )
            chosen.append((item, qty))
        if not chosen:
            raise InvalidInput("Put at least one unit in the package.")
    return PackageDraft(
        order=order,
        carrier_code=carrier.amazon_code,
        carrier_name=name,
        shipping_method=" ".join(shipping_method.split()),
        tracking_number=tracking,
        ship_date=_ship_date(ship_date, moment),
        items=tuple(chosen),
    )


def _describe(draft: PackageDraft) -> str:
    units = sum(q for _, q in draft.items)
    carrier = draft.carrier_name or draft.carrier_code
    return f"{units} unit(s), {carrier} {draft.tracking_number}"


def record_package(
    core: CoreServices | None,
    order: int | str,
    carrier_code: str,
    tracking_number: str,
    *,
    carrier_name: str = "",
    shipping_method: str = "",
    ship_date: datetime | str | None = None,
    items: Mapping[str, int] | None = None,
    override_cancel_request: bool = False,
) -> PackageRow:
    """Validate and store a package for an order; it is queued for the push.

    ``order``: the Amazon order id a user or script typed (never read as a row number), or the id of an
    ``OrderRow`` the caller got from the database (the pack dialog).

    ``items`` maps Amazon's orderItemId to a quantity; None = every unit still unshipped and not packed.
    Raises ``InvalidInput`` / ``NotFound`` (nothing stored).
    """
    del core  # the database is bound globally by open_database; kept for a uniform service signature
    # IMMEDIATE: take the write lock first, so the order is read as it is now (a sync on another thread may
    # have just canceled or shipped it) and cannot change between the checks and the insert.
    with transaction(immediate=True):
        row = get_order(order) if isinstance(order, int) else find_order(order)
        draft = validate_package(
            row,
            carrier_code,
            tracking_number,
            carrier_name=carrier_name,
            shipping_method=shipping_method,
            ship_date=ship_date,
            items=items,
            override_cancel_request=override_cancel_request,
        )
        stamp = iso_utc(datetime.now(UTC))
        package_id = insert_package(
            row.id,
            carrier_code=draft.carrier_code,
            carrier_name=draft.carrier_name,
            shipping_method=draft.shipping_method,
            tracking_number=draft.tracking_number,
            ship_date=draft.ship_date,
            items=[(i.id, q) for i, q in draft.items],
            store_id=row.store_id,
            now=stamp,
        )
        reference = get_package(package_id).package_reference_id
        events.add_event(row.id, events.PACKED, f"Package {reference}: {_describe(draft)}", stamp)
    return get_package(package_id)


def update_package(
    core: CoreServices | None,
    package_id: int,
    carrier_code: str,
    tracking_number: str,
    *,
    carrier_name: str = "",
    shipping_method: str = "",
    ship_date: datetime | str | None = None,
    items: Mapping[str, int] | None = None,
    override_cancel_request: bool = False,
) -> PackageRow:
    """Edit a queued or rejected package and (re-)queue it for the push.

    The push state is checked inside the write transaction (IMMEDIATE): the shipments job marks a package
    ``sent`` before calling Amazon, and an edit read before that mark would put it back to ``queued`` (sent
    twice)."""
    del core
    with transaction(immediate=True):
        current = _editable(package_id, "edited")
        order = get_order(current.order_id)
        wanted = items if items is not None else {i.order_item_id: i.quantity for i in current.items}
        draft = validate_package(
            order,
            carrier_code,
            tracking_number,
            carrier_name=carrier_name,
            shipping_method=shipping_method,
            ship_date=ship_date,
            items=wanted,
            editing_package=package_id,
            override_cancel_request=override_cancel_request,
        )
        stamp = iso_utc(datetime.now(UTC))
        rewrite_package(
            package_id,
            carrier_code=draft.carrier_code,
            carrier_name=draft.carrier_name,
            shipping_method=draft.shipping_method,
            tracking_number=draft.tracking_number,
            ship_date=draft.ship_date,
            items=[(i.id, q) for i, q in draft.items],
            store_id=order.store_id,
            now=stamp,
        )
        events.add_event(
            order.id,
            events.PACKAGE_EDITED,
            f"Package {current.package_reference_id} edited and queued again: {_describe(draft)}",
            stamp,
        )
    return get_package(package_id)


def _editable(package_id: int, verb: str) -> PackageRow:
    """The package, if it may still change (local, queued or rejected); call inside the write transaction."""
    current = get_package(package_id)
    if current.source != PackageSource.LOCAL or current.push_state not in _EDITABLE:
        raise InvalidInput(
            f"Package {current.package_reference_id} was already {current.push_state}; only queued or "
            f"rejected packages can be {verb}."
        )
    return current


def requeue_package(core: CoreServices | None, package_id: int) -> PackageRow:
    """Queue a rejected package again unchanged (e.g. after fixing the problem in Seller Central)."""
    current = get_package(package_id)
    return update_package(
        core,
        package_id,
        current.carrier_code,
        current.tracking_number,
        carrier_name=current.carrier_name,
        shipping_method=current.shipping_method,
        ship_date=current.ship_date if parse_utc(current.ship_date) else None,
        items={i.order_item_id: i.quantity for i in current.items},
    )


def delete_package(core: CoreServices | None, package_id: int) -> None:
    """Remove a package that was not sent (queued or rejected): its units can be packed again.

    Checked inside the write transaction, so a package the shipments job has just marked ``sent`` stays."""
    del core
    with transaction(immediate=True):
        current = _editable(package_id, "removed")
        remove_package(package_id)
        events.add_event(
            current.order_id, events.PACKAGE_DELETED, f"Package {current.package_reference_id} removed"
        )
