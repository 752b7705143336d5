"""Packages (tracking), their items and the outbox that pushes them to Amazon.

A local package is queued in the outbox when it is recorded; the shipments job marks it sent, then confirmed
(Amazon answered 204: ``fbm_desk.db.package_confirmation`` moves the units) or rejected (Amazon's message).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import peewee as pw

from fbm_desk.db import events
from fbm_desk.db.domain_rows import PackageItemRow, PackageRow
from fbm_desk.db.models import Order, OrderItem, Outbox, Package, PackageItem, utcnow_iso
from fbm_desk.db.states import UNCONFIRMED, OutboxState, PackageSource, PushState
from fbm_desk.db.transactions import transaction

OUTBOX_KIND = "confirm_shipment"


def normalize_tracking(tracking: str) -> str:
    return "".join(tracking.split()).upper()


def next_reference_id(order_id: int) -> int:
    """A positive integer unique among the order's packages."""
    top = Package.select(pw.fn.MAX(Package.package_reference_id)).where(Package.order == order_id).scalar()
    return int(top or 0) + 1


def insert_package(
    order_id: int,
    *,
    carrier_code: str,
    carrier_name: str,
    shipping_method: str,
    tracking_number: str,
    ship_date: str,
    items: Sequence[tuple[int, int]],  # (order_item row id, quantity)
    source: str = PackageSource.LOCAL,
    push_state: str = PushState.QUEUED,
    reference_id: int | None = None,
    store_id: int | None = None,
    now: str | None = None,
) -> int:
    """Insert a package with its items (and, for a queued local package, its outbox row).

    Runs in the caller's transaction."""
    stamp = now or utcnow_iso()
    ref = reference_id or next_reference_id(order_id)
    pkg = Package.create(
        order=order_id,
        package_reference_id=ref,
        carrier_code=carrier_code,
        carrier_name=carrier_name,
        shipping_method=shipping_method,
        tracking_number=tracking_number,
        ship_date=ship_date,
        source=source,
        push_state=push_state,
        pushed_at=stamp if push_state == PushState.CONFIRMED else None,
        created_at=stamp,
        updated_at=stamp,
        **({} if source == PackageSource.LOCAL else {"station": "", "os_user": ""}),  # Amazon's: nobody here
    )
    rows = [{"package": pkg.id, "order_item": item_id, "quantity": qty} for item_id, qty in items if qty > 0]
    if rows:
        PackageItem.insert_many(rows).execute()
    if push_state == PushState.QUEUED:
        if store_id is None:
            store_id = int(Order.get_by_id(order_id).store_id)
        enqueue(int(pkg.id), store_id, stamp)
    return int(pkg.id)


def enqueue(package_id: int, store_id: int, now: str | None = None) -> None:
    """(Re-)queue a package for the shipments push."""
    stamp = now or utcnow_iso()
    Outbox.insert(
        store=store_id,
        kind=OUTBOX_KIND,
        ref_id=package_id,
        state=OutboxState.PENDING,
        created_at=stamp,
        updated_at=stamp,
    ).on_conflict(
        conflict_target=[Outbox.kind, Outbox.ref_id],
        update={Outbox.state: OutboxState.PENDING, Outbox.last_error: "", Outbox.updated_at: stamp},
    ).execute()


def set_outbox(package_id: int, state: str, error: str = "", attempt: bool = False) -> None:
    fields: dict[object, object] = {
        Outbox.state: state,
        Outbox.last_error: error,
        Outbox.updated_at: utcnow_iso(),
    }
    if attempt:
        fields[Outbox.attempts] = Outbox.attempts + 1
    Outbox.update(fields).where((Outbox.kind == OUTBOX_KIND) & (Outbox.ref_id == package_id)).execute()


def mark_sent(package_id: int, now: str) -> PackageRow | None:
    """The push is about to send the package: committed before the call, so a crash leaves a trace.

    Conditional: only a local package still waiting (queued, or sent by a run that died) is marked, in one
    transaction with the read of what is sent. None when it was removed, rejected or confirmed meanwhile
    (the pack dialog may have changed it since the job listed it)."""
    with transaction(immediate=True):
        marked = (
            Package.update(push_state=PushState.SENT, push_message="", updated_at=now, pushed_at=now)
            .where(
                (Package.id == package_id)
                & (Package.source == PackageSource.LOCAL)
                & Package.push_state.in_(UNCONFIRMED)
            )
            .execute()
        )
        if not marked:
            return None
        set_outbox(package_id, OutboxState.IN_FLIGHT, attempt=True)
        return get_package(package_id)


def back_to_queue(package_id: int, now: str, reason: str, note: str = "") -> None:
    """The package did not reach Amazon (or nobody knows whether it did): queued again, nothing lost.

    ``note``: shown with the package (order view) until the next attempt, e.g. why it is sent again."""
    with transaction(immediate=True):
        set_push_state(package_id, PushState.QUEUED, note, now)
        set_outbox(package_id, OutboxState.PENDING, reason)


def rewrite_package(
    package_id: int,
    *,
    carrier_code: str,
    carrier_name: str,
    shipping_method: str,
    tracking_number: str,
    ship_date: str,
    items: Sequence[tuple[int, int]],  # (order item row id, quantity)
    store_id: int,
    now: str,
) -> None:
    """Replace a local package's tracking and items and queue it again. Runs in the caller's transaction."""
    Package.update(
        carrier_code=carrier_code,
        carrier_name=carrier_name,
        shipping_method=shipping_method,
        tracking_number=tracking_number,
        ship_date=ship_date,
        push_state=PushState.QUEUED,
        push_message="",
        updated_at=now,
    ).where(Package.id == package_id).execute()
    PackageItem.delete().where(PackageItem.package == package_id).execute()
    PackageItem.insert_many(
        [{"package": package_id, "order_item": item_id, "quantity": qty} for item_id, qty in items]
    ).execute()
    enqueue(package_id, store_id, now)


def drop_outbox(package_id: int) -> None:
    """Delete a package's push queue entry: Amazon confirmed the package (the entry's work is done: nothing
    reads a done entry, and one per package forever was ~100 B per order), or the package goes."""
    Outbox.delete().where((Outbox.kind == OUTBOX_KIND) & (Outbox.ref_id == package_id)).execute()


def remove_package(package_id: int) -> None:
    """Delete a package with its items and outbox row. Runs in the caller's transaction."""
    drop_outbox(package_id)
    Package.delete().where(Package.id == package_id).execute()


def pending_outbox(store_id: int) -> list[int]:
    """Ids of a store's packages waiting for the push (queued, or sent by a run that died), oldest first."""
    query = (
        Outbox.select(Outbox.ref_id)
        .join(Package, on=(Outbox.ref_id == Package.id))
        .where(
            (Outbox.store == store_id)
            & (Outbox.kind == OUTBOX_KIND)
            & Outbox.state.in_((OutboxState.PENDING, OutboxState.IN_FLIGHT))
            & Package.push_state.in_(UNCONFIRMED)
        )
        .order_by(Outbox.id)
    )
    return [int(o.ref_id) for o in query]


def set_push_state(package_id: int, state: str, message: str = "", now: str | None = None) -> None:
    stamp = now or utcnow_iso()
    fields: dict[str, object] = {"push_state": state, "push_message": message, "updated_at": stamp}
    if state in (PushState.SENT, PushState.CONFIRMED, PushState.REJECTED):
        fields["pushed_at"] = stamp
    Package.update(**fields).where(Package.id == package_id).execute()


def _item_rows(package_ids: Iterable[int]) -> dict[int, list[PackageItemRow]]:
    ids = list(package_ids)
    out: dict[int, list[PackageItemRow]] = {i: [] for i in ids}
    if not ids:
        return out
    query = (
        PackageItem.select(PackageItem, OrderItem.order_item_id.alias("amz_id"), OrderItem.seller_sku)
        .join(OrderItem, on=(PackageItem.order_item == OrderItem.id))
        .where(PackageItem.package.in_(ids))
        .order_by(PackageItem.id)
    )
    for pi in query.objects():
        out[int(pi.package_id)].append(
            PackageItemRow(
                order_item_row_id=int(pi.order_item_id),
                order_item_id=str(getattr(pi, "amz_id", "")),
                seller_sku=str(getattr(pi, "seller_sku", "")),
                quantity=int(pi.quantity),
            )
        )
    return out


def list_packages(order_ids: Iterable[int]) -> dict[int, list[PackageRow]]:
    """Packages per order (oldest first) with their items."""
    ids = list(order_ids)
    result: dict[int, list[PackageRow]] = {i: [] for i in ids}
    if not ids:
        return result
    pkgs: list[Package] = []
    for start in range(0, len(ids), 500):
        pkgs.extend(
            Package.select(Package, Order.amazon_order_id.alias("amz"))
            .join(Order, on=(Package.order == Order.id))
            .where(Package.order.in_(ids[start : start + 500]))
            .order_by(Package.order, Package.package_reference_id)
            .objects()
        )
    items = _item_rows(p.id for p in pkgs)
    for p in pkgs:
        result[int(p.order_id)].append(_row(p, str(getattr(p, "amz", "")), items.get(p.id, [])))
    return result


def get_package(package_id: int) -> PackageRow:
    p = (
        Package.select(Package, Order.amazon_order_id.alias("amz"))
        .join(Order, on=(Package.order == Order.id))
        .where(Package.id == package_id)
        .objects()
        .get()
    )
    return _row(p, str(getattr(p, "amz", "")), _item_rows([package_id])[package_id])


def _row(p: Package, amazon_order_id: str, items: list[PackageItemRow]) -> PackageRow:
    return PackageRow(
        id=p.id,
        order_id=p.order_id,
        amazon_order_id=amazon_order_id,
        package_reference_id=p.package_reference_id,
        carrier_code=p.carrier_code,
        carrier_name=p.carrier_name,
        shipping_method=p.shipping_method,
        tracking_number=p.tracking_number,
        ship_date=p.ship_date,
        source=p.source,
        push_state=p.push_state,
        push_message=p.push_message,
        pushed_at=p.pushed_at,
        created_at=p.created_at,
        updated_at=p.updated_at,
        items=tuple(items),
        station=p.station,
        os_user=p.os_user,
    )


def packed_quantities(order_id: int, exclude_package: int | None = None) -> dict[int, int]:
    """Units per order-item row in local packages not yet confirmed (queued or sent)."""
    query = (
        PackageItem.select(PackageItem.order_item, pw.fn.SUM(PackageItem.quantity).alias("n"))
        .join(Package, on=(PackageItem.package == Package.id))
        .where((Package.order == order_id) & Package.push_state.in_(UNCONFIRMED))
        .group_by(PackageItem.order_item)
    )
    if exclude_package is not None:
        query = query.where(Package.id != exclude_package)
    return {int(r.order_item_id): int(getattr(r, "n", 0) or 0) for r in query}


def unfit_packages(order_id: int) -> list[int]:
    """Local packages not yet confirmed (queued or sent) whose units no longer fit in what is unshipped, e.g.
    after Amazon reported units shipped elsewhere or lowered a quantity. Oldest first keep their units."""
    left = {
        int(i.id): int(i.quantity) - int(i.quantity_shipped)
        for i in OrderItem.select().where(OrderItem.order == order_id)
    }
    unfit: list[int] = []
    for pkg in (
        Package.select()
        .where(
            (Package.order == order_id)
            & (Package.source == PackageSource.LOCAL)
            & Package.push_state.in_(UNCONFIRMED)
        )
        .order_by(Package.id)
    ):
        wanted = [
            (int(pi.order_item_id), int(pi.quantity))
            for pi in PackageItem.select().where(PackageItem.package == pkg.id)
        ]
        if all(qty <= left.get(item, 0) for item, qty in wanted):
            for item, qty in wanted:
                left[item] -= qty
        else:
            unfit.append(int(pkg.id))
    return unfit


def reject_package(package_id: int, message: str, *, now: str | None = None) -> None:
    """Amazon (or the app) refused the package: it stays editable and can be re-queued."""
    stamp = now or utcnow_iso()
    with transaction(immediate=True):
        pkg = Package.get_by_id(package_id)
        set_push_state(package_id, PushState.REJECTED, message, stamp)
        set_outbox(package_id, OutboxState.FAILED, message)
        events.add_event(
            int(pkg.order_id),
            events.REJECTED,
            f"Package {pkg.package_reference_id} rejected: {message}",
            stamp,
        )
