"""Stock writes: on-hand per warehouse (with its history) and the outcomes of inventory pushes.

Every on-hand change writes an ``inventory_adjustment`` row with its reason. What is *read* from stock
(allocation, available, what Amazon last accepted, what the next push sends) is ``fbm_desk.db.stock``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fbm_desk.db.domain_rows import AdjustmentRow
from fbm_desk.db.models import (
    InventoryAdjustment,
    InventoryLevel,
    Listing,
    Product,
    SkuAlias,
    Warehouse,
    database_proxy,
    utcnow_iso,
)
from fbm_desk.db.rows import StoreRow
from fbm_desk.db.stock import StockRow, inventory_for
from fbm_desk.db.stored_times import iso_text
from fbm_desk.db.transactions import transaction
from fbm_desk.foundation.errors import InvalidInput, NotFound

MAX_ON_HAND = 10_000_000


def primary_warehouse_id() -> int:
    w = Warehouse.get_or_none(Warehouse.is_primary == True)  # noqa: E712 - peewee expression
    if w is None:
        w = Warehouse.select().order_by(Warehouse.id).first()
    if w is None:
        w = Warehouse.create(name="Primary warehouse", is_primary=True)
    return int(w.id)


def _on_hand(product_id: int, warehouse_id: int) -> int:
    level = InventoryLevel.get_or_none(
        (InventoryLevel.product == product_id) & (InventoryLevel.warehouse == warehouse_id)
    )
    return int(level.on_hand) if level is not None else 0


def _write_level(product_id: int, warehouse_id: int, on_hand: int, now: str) -> None:
    InventoryLevel.insert(
        product=product_id, warehouse=warehouse_id, on_hand=on_hand, updated_at=now
    ).on_conflict(
        conflict_target=[InventoryLevel.product, InventoryLevel.warehouse],
        update={InventoryLevel.on_hand: on_hand, InventoryLevel.updated_at: now},
    ).execute()


def adjust_on_hand(
    product_id: int,
    delta: int,
    reason: str,
    *,
    warehouse_id: int | None = None,
    source: str = "user",
    now: str | None = None,
    allow_negative: bool = False,
) -> int:
    """Change on-hand by ``delta`` (with an adjustment row); returns the new on-hand.

    Automatic removals (shipments) never take stock below zero unless ``allow_negative``.
    """
    stamp = now or utcnow_iso()
    wid = warehouse_id or primary_warehouse_id()
    with transaction(immediate=True):
        before = _on_hand(product_id, wid)
        after = before + delta
        if after < 0 and not allow_negative:
            after = 0
        real_delta = after - before
        _write_level(product_id, wid, after, stamp)
        InventoryAdjustment.create(
            product=product_id,
            warehouse=wid,
            delta=real_delta,
            on_hand_after=after,
            reason=reason,
            source=source,
            created_at=stamp,
        )
    return after


def set_starting_on_hand(product_id: int, quantity: int, store: StoreRow, now: str) -> None:
    """A new product's starting stock: primary warehouse only (others start at 0)."""
    how = "matched Amazon" if store.starting_inventory == "match" else "zero"
    wid = primary_warehouse_id()
    _write_level(product_id, wid, quantity, now)
    InventoryAdjustment.create(
        product=product_id,
        warehouse=wid,
        delta=quantity,
        on_hand_after=quantity,
        reason=f"Starting inventory ({how}) from store '{store.name}'",
        source="import",
        created_at=now,
    )


def find_product_id(sku: str) -> int:
    """Product for a warehouse SKU, or for an Amazon seller SKU that maps to one. Raises NotFound."""
    clean = sku.strip()
    p = Product.get_or_none(Product.sku == clean)
    if p is not None:
        return int(p.id)
    alias = SkuAlias.get_or_none(SkuAlias.seller_sku == clean)
    if alias is not None:
        return int(alias.product_id)
    lst = Listing.get_or_none((Listing.seller_sku == clean) & Listing.product.is_null(False))
    if lst is not None:
        return int(lst.product_id or 0)
    raise NotFound(f"Unknown SKU '{clean}': no product or Amazon listing has this SKU.")


def set_on_hand(
    sku: str, quantity: int, *, warehouse_id: int | None = None, reason: str = "", source: str = "user"
) -> StockRow:
    """Set the on-hand count of a SKU in a warehouse (default: primary). Raises InvalidInput / NotFound."""
    if quantity < 0:
        raise InvalidInput("The on-hand quantity cannot be negative.")
    if quantity > MAX_ON_HAND:
        raise InvalidInput(f"The on-hand quantity must be at most {MAX_ON_HAND:,}.")
    product_id = find_product_id(sku)
    with transaction(immediate=True):
        wid = _active_warehouse(warehouse_id)
        before = _on_hand(product_id, wid)
        if before != quantity:
            adjust_on_hand(
                product_id,
                quantity - before,
                reason or "Counted (set on hand)",
                warehouse_id=wid,
                source=source,
            )
    return inventory_for([product_id])[0]


def _active_warehouse(warehouse_id: int | None) -> int:
    if warehouse_id is None:
        return primary_warehouse_id()
    w = Warehouse.get_or_none(Warehouse.id == warehouse_id)
    if w is None:
        raise NotFound(f"Warehouse #{warehouse_id} does not exist.")
    if not w.active:
        raise InvalidInput(f"Warehouse '{w.name}' is inactive: activate it before putting stock in it.")
    return int(w.id)


def transfer_stock(
    sku: str, quantity: int, from_warehouse: int, to_warehouse: int, *, reason: str = "", source: str = "user"
) -> int:
    """Move units of a SKU between warehouses in one transaction: out of one, into the other, both in the
    history. The source must have the units on hand (checked inside the transaction); nothing changes when it
    does not. Returns the product id."""
    if quantity <= 0 or quantity > MAX_ON_HAND:
        raise InvalidInput(f"The quantity to transfer must be a whole number from 1 to {MAX_ON_HAND:,}.")
    if from_warehouse == to_warehouse:
        raise InvalidInput("Choose two different warehouses to transfer between.")
    product_id = find_product_id(sku)
    stamp = utcnow_iso()
    with transaction(immediate=True):
        names = {
            w.id: w.name for w in Warehouse.select().where(Warehouse.id.in_([from_warehouse, to_warehouse]))
        }
        _active_warehouse(to_warehouse)
        source_has = _on_hand(product_id, from_warehouse)
        if source_has < quantity:
            raise InvalidInput(
                f"'{names.get(from_warehouse, from_warehouse)}' has {source_has} unit(s) of '{sku.strip()}' on "
                f"hand, fewer than the {quantity} to transfer: nothing was moved."
            )
        note = f" ({reason.strip()})" if reason.strip() else ""
        for wid, delta, other in (
            (from_warehouse, -quantity, f"Transfer to '{names[to_warehouse]}'"),
            (to_warehouse, quantity, f"Transfer from '{names[from_warehouse]}'"),
        ):
            after = _on_hand(product_id, wid) + delta
            _write_level(product_id, wid, after, stamp)
            InventoryAdjustment.create(
                product=product_id,
                warehouse=wid,
                delta=delta,
                on_hand_after=after,
                reason=other + note,
                source=source,
                created_at=stamp,
            )
    return product_id


def list_adjustments(product_id: int, limit: int = 200) -> list[AdjustmentRow]:
    """Stock history of one product, newest first."""
    query = (
        InventoryAdjustment.select()
        .where(InventoryAdjustment.product == product_id)
        .order_by(InventoryAdjustment.created_at.desc(), InventoryAdjustment.id.desc())
        .limit(limit)
    )
    return [
        AdjustmentRow(
            id=a.id,
            product_id=product_id,
            warehouse_id=a.warehouse_id,
            delta=a.delta,
            on_hand_after=a.on_hand_after,
            reason=a.reason,
            source=a.source,
            created_at=iso_text(a.created_at),  # whole seconds on SQLite (stored_times.py)
            station=a.station,
            os_user=a.os_user,
        )
        for a in query
    ]


@dataclass(frozen=True)
class PushOutcome:
    """Amazon's answer to the push of one listing."""

    listing_id: int
    state: str  # accepted | rejected | sent (a feed still processing)
    quantity: int | None = None  # what Amazon accepted (kept for an accepted push), or what a feed carries
    issues: str = ""
    feed_id: str | None = None  # state sent: the feed Amazon is still processing
    feed_message_id: int | None = None  # the listing's message in that feed


def record_push_outcomes(outcomes: Sequence[PushOutcome], *, now: str | None = None) -> None:
    """Store push outcomes, all in one transaction: the listing's state, issues and, when Amazon accepted,
    ``pushed_quantity`` (what ``fbm_desk.db.stock`` compares the next push with)."""
    stamp = now or utcnow_iso()
    with database_proxy.atomic():
        for o in outcomes:
            fields: dict[str, object] = {"push_state": o.state, "push_issues": o.issues, "pushed_at": stamp}
            if o.state == "accepted" and o.quantity is not None:
                fields["pushed_quantity"] = o.quantity
            in_flight = o.state == "sent" and o.feed_id is not None
            fields["feed_id"] = o.feed_id if in_flight else None
            fields["feed_message_id"] = o.feed_message_id if in_flight else None
            fields["feed_quantity"] = o.quantity if in_flight else None
            Listing.update(**fields).where(Listing.id == o.listing_id).execute()


@dataclass(frozen=True)
class FeedMessage:
    """A listing whose quantity rides in a feed Amazon had not finished when the push last looked."""

    listing_id: int
    seller_sku: str
    feed_id: str
    message_id: int
    quantity: int


def feeds_in_flight(store_id: int) -> dict[str, list[FeedMessage]]:
    """The store's unfinished feeds (feed id -> its listings), to be polled before anything is sent again."""
    query = (
        Listing.select()
        .where((Listing.store == store_id) & (Listing.push_state == "sent") & Listing.feed_id.is_null(False))
        .order_by(Listing.feed_id, Listing.feed_message_id)
    )
    out: dict[str, list[FeedMessage]] = {}
    for lst in query:
        out.setdefault(str(lst.feed_id), []).append(
            FeedMessage(
                lst.id,
                lst.seller_sku,
                str(lst.feed_id),
                int(lst.feed_message_id or 0),
                int(lst.feed_quantity or 0),
            )
        )
    return out


def set_listing_product_type(listing_id: int, product_type: str) -> None:
    """Remember a listing's real product type (learnt from Amazon) for later pushes."""
    Listing.update(product_type=product_type).where(Listing.id == listing_id).execute()
