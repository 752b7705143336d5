"""Shipments Amazon knows about: its packages on our orders, units shipped outside FBM Desk, and what that
does to stock (``remove stock for fulfillments created in Amazon``). Used by ``fbm_desk.db.order_import``
inside its page transaction."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from fbm_desk.amazon.types import AmazonOrder, AmazonPackage
from fbm_desk.db import events
from fbm_desk.db.inventory import adjust_on_hand
from fbm_desk.db.models import Order, OrderItem, Package, PackageItem
from fbm_desk.db.package_confirmation import confirm_package
from fbm_desk.db.packages import (
    insert_package,
    normalize_tracking,
    reject_package,
    set_outbox,
    set_push_state,
    unfit_packages,
)
from fbm_desk.db.rows import StoreRow
from fbm_desk.db.states import UNCONFIRMED, OutboxState, PackageSource, PushState
from fbm_desk.foundation.timestamps import iso_utc, parse_utc

NOT_SENT_SHIPPED_ELSEWHERE = (
    "Not sent: Amazon reports these units already shipped outside FBM Desk (e.g. in Seller Central). "
    "Check the order, then edit or remove this package."
)


def ts(moment: datetime | None) -> str | None:
    return iso_utc(moment) if moment is not None else None


def shipped_here_too(store: StoreRow, a: AmazonOrder) -> bool:
    """An order we never imported that was (partly) shipped in Seller Central after the store was added: its
    units left this warehouse's stock too when the store removes stock for outside fulfillments. (Older orders
    were already reflected in the starting inventory.)"""
    if not store.remove_stock_external or a.fulfillment_status not in ("SHIPPED", "PARTIALLY_SHIPPED"):
        return False
    added = parse_utc(store.created_at)
    return added is not None and a.created_time >= added


def remove_stock_for_new(
    store: StoreRow,
    order_id: int,
    a: AmazonOrder,
    mapping: dict[str, int],
    now: str,
    corrections: Counter[str],
) -> None:
    shipped = {i.order_item_id: i.quantity_shipped for i in a.items}
    if a.fulfillment_status == "SHIPPED" and not any(shipped.values()):
        shipped = {i.order_item_id: i.quantity_ordered for i in a.items}
    if a.fulfillment_status == "SHIPPED":
        OrderItem.update(quantity_shipped=OrderItem.quantity).where(OrderItem.order == order_id).execute()
    moved = 0
    for i in a.items:
        units = min(shipped.get(i.order_item_id, 0), i.quantity_ordered)
        product_id = mapping.get(i.seller_sku)
        if units > 0 and product_id is not None:
            adjust_on_hand(
                product_id, -units, f"Shipped outside FBM Desk: order {a.order_id}", source="amazon", now=now
            )
        moved += max(units, 0)
    if moved:
        note = f"{moved} unit(s) shipped outside FBM Desk; removed from on-hand stock"
        events.add_event(order_id, events.SHIPPED_ELSEWHERE, note, now)
        corrections["shipped_elsewhere"] += 1


def record_amazon_packages(order_id: int, store_id: int, packages: Sequence[AmazonPackage], now: str) -> int:
    """Amazon packages unknown locally become ``source='amazon'`` confirmed packages; local ones queued, sent
    or rejected that Amazon already has (same tracking number) are confirmed. A package without a tracking
    number (optional at Amazon) is recognized by its reference id or its items. Returns how many Amazon
    packages were new."""
    local = list(Package.select().where(Package.order == order_id))
    by_tracking = {normalize_tracking(p.tracking_number): p for p in local}
    items = {i.order_item_id: int(i.id) for i in OrderItem.select().where(OrderItem.order == order_id)}
    used_refs = {int(p.package_reference_id) for p in local}
    untracked = [
        p for p in local if p.source == PackageSource.AMAZON and not normalize_tracking(p.tracking_number)
    ]
    added = 0
    for ap in packages:
        key = normalize_tracking(ap.tracking_number)
        match = by_tracking.get(key) if key else _untracked_match(untracked, ap, items)
        if match is not None and not key:
            untracked.remove(match)
        if match is not None:
            if match.source == PackageSource.LOCAL and match.push_state in (*UNCONFIRMED, PushState.REJECTED):
                # ours (a rejected one too: e.g. a retried confirmShipment whose first attempt went through)
                confirm_package(int(match.id), message="Amazon already has this package", now=now)
            continue
        ref = int(ap.package_reference_id) if ap.package_reference_id.isdigit() else 0
        if ref > 0 and ref in used_refs:
            # Amazon already uses this reference for another package: a local package not yet confirmed that
            # carries it moves to a free number, or its push would edit Amazon's package instead
            clash = next(
                (p for p in local if int(p.package_reference_id) == ref and p.source == PackageSource.LOCAL),
                None,
            )
            if clash is not None and clash.push_state in (PushState.QUEUED, PushState.REJECTED):
                fresh = max(used_refs) + 1
                Package.update(package_reference_id=fresh).where(Package.id == clash.id).execute()
                used_refs.add(fresh)
                used_refs.discard(ref)
        if ref <= 0 or ref in used_refs:
            ref = max(used_refs, default=0) + 1
        used_refs.add(ref)
        pid = insert_package(
            order_id,
            carrier_code=ap.carrier or "Other",
            carrier_name=ap.carrier,
            shipping_method=ap.shipping_service,
            tracking_number=ap.tracking_number,
            ship_date=ts(ap.ship_time) or now,
            items=[(items[pi.order_item_id], pi.quantity) for pi in ap.items if pi.order_item_id in items],
            source=PackageSource.AMAZON,
            push_state=PushState.CONFIRMED,
            reference_id=ref,
            store_id=store_id,
            now=now,
        )
        by_tracking[key or f"#{pid}"] = Package.get_by_id(pid)
        added += 1
    return added


def _untracked_match(candidates: list[Package], ap: AmazonPackage, items: dict[str, int]) -> Package | None:
    """The stored Amazon package without tracking number that ``ap`` is: same reference id, else same items."""
    for p in candidates:
        if ap.package_reference_id.isdigit() and int(ap.package_reference_id) == int(p.package_reference_id):
            return p
    wanted = sorted((items.get(pi.order_item_id, 0), pi.quantity) for pi in ap.items)
    for p in candidates:
        have = sorted(
            (int(pi.order_item_id), int(pi.quantity))
            for pi in PackageItem.select().where(PackageItem.package == p.id)
        )
        if have == wanted:
            return p
    return None


def cancel_local_packages(order_id: int, now: str) -> None:
    for p in Package.select().where((Package.order == order_id) & Package.push_state.in_(UNCONFIRMED)):
        message = "Not sent: the order was canceled on Amazon."
        set_push_state(int(p.id), PushState.REJECTED, message, now)
        set_outbox(int(p.id), OutboxState.FAILED, message)


def apply_shipped(store: StoreRow, o: Order, a: AmazonOrder, now: str, corrections: Counter[str]) -> bool:
    """Units Amazon reports shipped beyond what we confirmed were shipped elsewhere (e.g. Seller Central).

    Their quantities are taken over (freeing the allocation) and, when the store removes stock for outside
    fulfillments, they leave on-hand stock: exactly once, because the shipped quantity rises in the same
    transaction as the adjustment.
    """
    amazon_shipped = {i.order_item_id: i.quantity_shipped for i in a.items}
    if a.fulfillment_status == "SHIPPED" and not any(amazon_shipped.values()):
        amazon_shipped = {i.order_item_id: i.quantity_ordered for i in a.items}  # no detail: all of it
    moved_total = 0
    for item in OrderItem.select().where(OrderItem.order == o.id):
        reported = min(int(amazon_shipped.get(item.order_item_id, 0)), int(item.quantity))
        extra = reported - int(item.quantity_shipped)
        if extra <= 0:
            continue
        OrderItem.update(quantity_shipped=reported).where(OrderItem.id == item.id).execute()
        moved_total += extra
        if store.remove_stock_external and item.product_id is not None:
            adjust_on_hand(
                int(item.product_id),
                -extra,
                f"Shipped outside FBM Desk: order {o.amazon_order_id}",
                warehouse_id=item.warehouse_id or o.warehouse_id,  # where it was allocated
                source="amazon",
                now=now,
            )
    if moved_total:
        note = f"{moved_total} unit(s) shipped outside FBM Desk"
        if store.remove_stock_external:
            note += "; removed from on-hand stock"
        events.add_event(int(o.id), events.SHIPPED_ELSEWHERE, note, now)
        corrections["shipped_elsewhere"] += 1
        for package_id in unfit_packages(int(o.id)):  # our packages for those units must not be pushed
            reject_package(package_id, NOT_SENT_SHIPPED_ELSEWHERE, now=now)
        return True
    return False
