"""Order holds set here (operator, address, fraud, optionally until a date) next to Amazon's payment hold.

A hold is active while it is not released and its ``until`` date (if any) is still ahead. An order with any
active hold cannot be packed (``fbm_desk.domain.packing`` asks ``blocking_hold`` inside its write
transaction). Placing and releasing write a timeline event in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from fbm_desk.db import dialect, events
from fbm_desk.db.mark_models import OrderHold
from fbm_desk.db.models import utcnow_iso
from fbm_desk.db.states import PAYMENT_HOLD, HoldKind
from fbm_desk.db.transactions import transaction
from fbm_desk.foundation.errors import InvalidInput


@dataclass(frozen=True)
class HoldRow:
    kind: str  # a HoldKind, or PAYMENT_HOLD for Amazon's
    until_at: str | None
    reason: str
    created_by: str
    created_at: str


def _active_sql(placeholders: str) -> str:
    return (
        "SELECT order_id, kind, until_at, reason, created_by, created_at FROM order_hold "  # noqa: S608
        f"WHERE order_id IN ({placeholders}) AND released_at IS NULL AND (until_at IS NULL OR until_at > ?) "
        "ORDER BY id"
    )


def active_holds(order_ids: Iterable[int], *, now: str | None = None) -> dict[int, list[HoldRow]]:
    """Active holds per order, Amazon's payment hold first (as ``PAYMENT_HOLD``)."""
    ids = list(order_ids)
    out: dict[int, list[HoldRow]] = {i: [] for i in ids}
    moment = now or utcnow_iso()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        for oid, at in dialect.execute(
            f"SELECT id, imported_at FROM orders WHERE payment_hold = 1 AND id IN ({marks})",  # noqa: S608
            chunk,
        ).fetchall():
            out[int(oid)].append(
                HoldRow(PAYMENT_HOLD, None, "Amazon has not released the order", "Amazon", at)
            )
        for r in dialect.execute(_active_sql(marks), [*chunk, moment]).fetchall():
            out[int(r[0])].append(HoldRow(str(r[1]), r[2], str(r[3]), str(r[4]), str(r[5])))
    return out


def describe(hold: HoldRow) -> str:
    """ "operator hold until 2026-12-24T00:00:00Z (set by Anna: address unclear)"."""
    text = f"{hold.kind} hold"
    if hold.until_at:
        text += f" until {hold.until_at}"
    detail = ": ".join(p for p in (hold.created_by, hold.reason) if p)
    return f"{text} ({detail})" if detail and hold.kind != PAYMENT_HOLD else text


def blocking_hold(order_id: int) -> str | None:
    """The first active hold set here, described (Amazon's payment hold is checked with the order state)."""
    for hold in active_holds([order_id])[order_id]:
        if hold.kind != PAYMENT_HOLD:
            return describe(hold)
    return None


def place_hold(
    order_id: int,
    kind: str,
    *,
    until: str | None = None,
    reason: str = "",
    by: str = "",
    now: str | None = None,
) -> bool:
    """Put the order on a hold of ``kind``; False when such a hold is already active (its date is updated).

    Call inside the caller's transaction when grouped with other writes (a rule's actions)."""
    if kind not in tuple(HoldKind):
        raise InvalidInput(f"Unknown hold type '{kind}'. Use one of: {', '.join(HoldKind)}.")
    stamp = now or utcnow_iso()
    with transaction(immediate=True):  # a savepoint inside the import's transaction
        current = (
            OrderHold.select()
            .where((OrderHold.order == order_id) & (OrderHold.kind == kind) & OrderHold.released_at.is_null())
            .first()
        )
        if current is not None and (current.until_at is None or current.until_at > stamp):
            if until != current.until_at:
                OrderHold.update(until_at=until).where(OrderHold.id == current.id).execute()
            return False
        if current is not None:  # a lapsed until-date hold: close it, then open the new one
            OrderHold.update(released_at=current.until_at, release_reason="date passed").where(
                OrderHold.id == current.id
            ).execute()
        OrderHold.create(
            order=order_id, kind=kind, until_at=until, reason=reason, created_by=by, created_at=stamp
        )
        text = f"Put on {kind} hold" + (f" until {until}" if until else "")
        detail = ": ".join(p for p in (by, reason) if p)
        events.add_event(order_id, events.HOLD, text + (f" ({detail})" if detail else ""), stamp)
    return True


def release_hold(order_id: int, kind: str, *, reason: str, by: str = "", now: str | None = None) -> None:
    """Release the order's active hold of ``kind`` (with a reason). ``InvalidInput`` when there is none."""
    if kind == PAYMENT_HOLD:
        raise InvalidInput("Amazon's payment hold is lifted by Amazon when it releases the order.")
    if kind not in tuple(HoldKind):
        raise InvalidInput(f"Unknown hold type '{kind}'. Use one of: {', '.join(HoldKind)}.")
    if not reason.strip():
        raise InvalidInput("Give a reason for releasing the hold.")
    stamp = now or utcnow_iso()
    with transaction(immediate=True):
        released = (
            OrderHold.update(released_at=stamp, released_by=by, release_reason=reason.strip())
            .where(
                (OrderHold.order == order_id)
                & (OrderHold.kind == kind)
                & OrderHold.released_at.is_null()
                & (OrderHold.until_at.is_null() | (OrderHold.until_at > stamp))
            )
            .execute()
        )
        if not released:
            raise InvalidInput(f"The order has no active {kind} hold.")
        events.add_event(order_id, events.HOLD_RELEASED, f"{kind} hold released: {reason.strip()}", stamp)


def hold_orders(order_ids: Iterable[int], kind: str, *, reason: str = "", by: str = "") -> int:
    """Put every order on a ``kind`` hold in one transaction; returns how many were newly held."""
    with transaction(immediate=True):
        return sum(place_hold(oid, kind, reason=reason, by=by) for oid in order_ids)


def release_orders(order_ids: Iterable[int], kind: str, *, reason: str, by: str = "") -> int:
    """Release the ``kind`` hold of every order that has one, in one transaction; returns how many."""
    if not reason.strip():
        raise InvalidInput("Give a reason for releasing the hold.")
    released = 0
    with transaction(immediate=True):
        for oid in order_ids:
            if any(h.kind == kind for h in active_holds([oid])[oid]):
                release_hold(oid, kind, reason=reason, by=by)
                released += 1
    return released
