"""Which product a seller SKU is: listings, SKU aliases and waiting order items.

A seller SKU (of one store) maps to a product (warehouse SKU) through ``sku_alias`` first (store-specific, then
global), otherwise the product with the same SKU. Order items imported before their SKU mapped wait with no
product (their order ``needs_mapping``); ``resolve_order_items`` maps them once a listing or alias appears.
"""

from __future__ import annotations

from collections.abc import Iterable

import peewee as pw

from fbm_desk.db import events
from fbm_desk.db.inventory import adjust_on_hand
from fbm_desk.db.models import (
    Listing,
    Order,
    OrderItem,
    Package,
    PackageItem,
    Product,
    SkuAlias,
    Store,
    utcnow_iso,
)
from fbm_desk.db.states import PackageSource, PushState
from fbm_desk.db.transactions import transaction
from fbm_desk.foundation.errors import InvalidInput, NotFound


def resolve_products(store_id: int, skus: Iterable[str]) -> dict[str, int]:
    """seller SKU -> product id for the SKUs that map (alias for this store, global alias, same SKU)."""
    wanted = sorted(set(skus))
    found: dict[str, int] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        for p in Product.select(Product.id, Product.sku).where(Product.sku.in_(chunk)):
            found[p.sku] = p.id
        # global aliases override same-SKU, store aliases override global ones
        for a in (
            SkuAlias.select(SkuAlias.seller_sku, SkuAlias.product, SkuAlias.store)
            .where(SkuAlias.seller_sku.in_(chunk) & (SkuAlias.store.is_null() | (SkuAlias.store == store_id)))
            .order_by(SkuAlias.store.asc(nulls="first"))
        ):
            found[a.seller_sku] = a.product_id
    return found


def add_alias(store_id: int | None, seller_sku: str, product_sku: str) -> None:
    """Map a seller SKU (of one store, or of every store when ``store_id`` is None) to a warehouse SKU: the
    alias, the listings with that SKU, then the order items waiting for it (``resolve_order_items``)."""
    product = Product.get_or_none(Product.sku == product_sku.strip())
    if product is None:
        raise NotFound(f"No product with SKU '{product_sku}'.")
    sku = seller_sku.strip()
    if not sku:
        raise InvalidInput("Enter the Amazon seller SKU to map.")
    with transaction(immediate=True):
        SkuAlias.delete().where(
            (SkuAlias.seller_sku == sku)
            & (SkuAlias.store.is_null() if store_id is None else SkuAlias.store == store_id)
        ).execute()
        SkuAlias.create(store=store_id, seller_sku=sku, product=product.id, created_at=utcnow_iso())
        query = Listing.update(product=product.id).where(Listing.seller_sku == sku)
        if store_id is not None:
            query = query.where(Listing.store == store_id)
        query.execute()
    for s in Store.select(Store.id):
        if store_id is None or s.id == store_id:
            resolve_order_items(int(s.id))


def _take_out_shipped_here(order_item_id: int, product_id: int, now: str) -> None:
    """Units of a just-mapped item that left in our confirmed packages while it had no product: they left
    this warehouse, so they leave the product's on-hand now (confirmation could not move them) unless the
    product was created after they left."""
    # a product created after the shipment (or in the same second: unknown order) got its starting stock after
    # the units had left: nothing to take
    since = str(Product.get_by_id(product_id).created_at or "")
    ours = (
        PackageItem.select(pw.fn.SUM(PackageItem.quantity))
        .join(Package, on=(PackageItem.package == Package.id))
        .where(
            (PackageItem.order_item == order_item_id)
            & (Package.source == PackageSource.LOCAL)
            & (Package.push_state == PushState.CONFIRMED)
            & (Package.pushed_at > since)
        )
        .scalar()
    )
    item = OrderItem.get_by_id(order_item_id)
    units = min(int(ours or 0), int(item.quantity_shipped))
    if units > 0:
        order = Order.get_by_id(item.order_id)
        reason = f"Shipped order {order.amazon_order_id} before its SKU {item.seller_sku} was mapped"
        wid = item.warehouse_id or order.warehouse_id  # where it was allocated
        adjust_on_hand(product_id, -units, reason, warehouse_id=wid, source="shipment", now=now)


def resolve_order_items(store_id: int) -> int:
    """Map waiting order items of a store to products (after new listings or aliases); clears needs_mapping.

    Returns how many orders were fully mapped by this call.
    """
    stamp = utcnow_iso()
    waiting = list(
        OrderItem.select(OrderItem.id, OrderItem.seller_sku, OrderItem.order)
        .join(Order, on=(OrderItem.order == Order.id))
        .where((Order.store == store_id) & OrderItem.product.is_null())
    )
    if not waiting:
        return 0
    mapping = resolve_products(store_id, [i.seller_sku for i in waiting])
    # Only an order with an item mapped just now can have become fully mapped: the others keep waiting
    # (a new store before its listings sync has thousands of those; don't query each of them).
    touched = {int(i.order_id) for i in waiting if i.seller_sku in mapping}
    if not touched:
        return 0
    cleared = 0
    with transaction(immediate=True):
        for item in waiting:
            pid = mapping.get(item.seller_sku)
            if pid is not None:
                OrderItem.update(product=pid).where(OrderItem.id == item.id).execute()
                _take_out_shipped_here(int(item.id), pid, stamp)
        for order_id in sorted(touched):
            missing = (
                OrderItem.select().where((OrderItem.order == order_id) & OrderItem.product.is_null()).count()
            )
            if missing == 0:
                changed = (
                    Order.update(needs_mapping=False, updated_at=stamp)
                    .where((Order.id == order_id) & (Order.needs_mapping == True))  # noqa: E712
                    .execute()
                )
                if changed:
                    events.add_event(order_id, events.MAPPED, "All items now map to products", stamp)
                    cleared += 1
    return cleared
