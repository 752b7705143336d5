"""Order queries: lists for the Orders tab and the CLI, one order's detail, state bookkeeping, SKU mapping.

Importing Amazon's pages lives in ``fbm_desk.db.order_import``.
"""

from __future__ import annotations

from collections.abc import Iterable

import peewee as pw

from fbm_desk.db import events
from fbm_desk.db.domain_rows import ORDER_STATES, OrderDetail, OrderItemRow, OrderRow, ShipTo
from fbm_desk.db.models import Order, OrderItem, Product, Store, database_proxy, utcnow_iso
from fbm_desk.errors import InvalidInput, NotFound

STATE_RANK = {"held": 0, "released": 1, "partially_shipped": 2, "shipped": 3}


def _ship_to(o: Order) -> ShipTo | None:
    ship = ShipTo(
        name=o.ship_name,
        company=o.ship_company,
        address_line1=o.ship_address1,
        address_line2=o.ship_address2,
        address_line3=o.ship_address3,
        city=o.ship_city,
        state_or_region=o.ship_state,
        postal_code=o.ship_postal_code,
        country_code=o.ship_country,
        phone=o.ship_phone,
    )
    return None if ship.is_blank() else ship


def _row(o: Order, store_name: str, units: int = 0, shipped: int = 0) -> OrderRow:
    return OrderRow(
        id=o.id,
        store_id=o.store_id,
        store_name=store_name,
        amazon_order_id=o.amazon_order_id,
        marketplace_id=o.marketplace_id,
        amazon_status=o.amazon_status,
        state=o.state,
        payment_hold=bool(o.payment_hold),
        needs_mapping=bool(o.needs_mapping),
        purchase_date=o.purchase_date,
        amazon_updated_at=o.amazon_updated_at,
        earliest_ship_date=o.earliest_ship_date,
        latest_ship_date=o.latest_ship_date,
        latest_delivery_date=o.latest_delivery_date,
        service_level=o.service_level,
        is_prime=bool(o.is_prime),
        is_business=bool(o.is_business),
        buyer_name=o.buyer_name,
        ship_to=_ship_to(o),
        total_amount=o.total_amount,
        currency=o.currency,
        imported_at=o.imported_at,
        updated_at=o.updated_at,
        units=units,
        units_shipped=shipped,
    )


def _filtered(store_id: int | None, state: str | None, search: str) -> pw.ModelSelect[Order]:
    query = Order.select(Order, Store.name.alias("store_name")).join(Store, on=(Order.store == Store.id))
    if store_id is not None:
        query = query.where(Order.store == store_id)
    if state:
        if state not in ORDER_STATES:
            raise InvalidInput(f"Unknown order state '{state}'. Use one of: {', '.join(ORDER_STATES)}.")
        query = query.where(Order.state == state)
    if search.strip():
        like = f"%{search.strip()}%"
        in_items = OrderItem.select(OrderItem.order).where(OrderItem.seller_sku**like)
        query = query.where(Order.amazon_order_id**like | Order.ship_name**like | Order.id.in_(in_items))
    return query


def list_orders(
    store_id: int | None = None,
    state: str | None = None,
    *,
    search: str = "",
    limit: int | None = None,
    offset: int = 0,
    newest_first: bool = True,
) -> list[OrderRow]:
    """Orders filtered by store/state/search text (order id, ship-to name, SKU), newest purchase first."""
    query = _filtered(store_id, state, search)
    order = (Order.purchase_date.desc(), Order.id.desc()) if newest_first else (Order.purchase_date, Order.id)
    query = query.order_by(*order)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    rows = list(query.objects())
    units = _units([o.id for o in rows])
    return [_row(o, getattr(o, "store_name", ""), *units.get(o.id, (0, 0))) for o in rows]


def count_orders(store_id: int | None = None, state: str | None = None, *, search: str = "") -> int:
    return int(_filtered(store_id, state, search).count())


def state_counts(store_id: int | None = None) -> dict[str, int]:
    """Number of orders per state (for the tab's filter buttons)."""
    query = Order.select(Order.state, pw.fn.COUNT(Order.id).alias("n")).group_by(Order.state)
    if store_id is not None:
        query = query.where(Order.store == store_id)
    counts = {s: 0 for s in ORDER_STATES}
    counts.update({r.state: int(getattr(r, "n", 0) or 0) for r in query})
    return counts


def _units(order_ids: list[int]) -> dict[int, tuple[int, int]]:
    out: dict[int, tuple[int, int]] = {}
    for start in range(0, len(order_ids), 500):
        query = (
            OrderItem.select(
                OrderItem.order,
                pw.fn.SUM(OrderItem.quantity).alias("q"),
                pw.fn.SUM(OrderItem.quantity_shipped).alias("s"),
            )
            .where(OrderItem.order.in_(order_ids[start : start + 500]))
            .group_by(OrderItem.order)
        )
        out.update(
            {int(r.order_id): (int(getattr(r, "q", 0) or 0), int(getattr(r, "s", 0) or 0)) for r in query}
        )
    return out


def get_order(order_id: int) -> OrderRow:
    rows = list(_filtered(None, None, "").where(Order.id == order_id).objects())
    if not rows:
        raise NotFound(f"Order #{order_id} does not exist.")
    o = rows[0]
    return _row(o, getattr(o, "store_name", ""), *_units([o.id]).get(o.id, (0, 0)))


def find_order(ref: str | int, store_id: int | None = None) -> OrderRow:
    """An order by Amazon order id (e.g. ``111-2223334-4445556``) or local number. Raises NotFound."""
    if isinstance(ref, int):
        return get_order(ref)
    text = ref.strip()
    query = Order.select(Order.id).where(Order.amazon_order_id == text)
    if store_id is not None:
        query = query.where(Order.store == store_id)
    ids = [o.id for o in query]
    if len(ids) > 1:
        raise InvalidInput(f"Order {text} exists in several stores; choose the store.")
    if ids:
        return get_order(ids[0])
    if text.isdigit() and Order.get_or_none(Order.id == int(text)) is not None:
        return get_order(int(text))
    raise NotFound(f"Unknown order '{text}': no imported order has this Amazon order id.")


def list_items(order_ids: Iterable[int]) -> dict[int, list[OrderItemRow]]:
    """Items per order (with packed-but-unconfirmed quantities), in Amazon's order."""
    from fbm_desk.db.models import Package, PackageItem
    from fbm_desk.db.packages import UNCONFIRMED

    ids = list(order_ids)
    out: dict[int, list[OrderItemRow]] = {i: [] for i in ids}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        packed: dict[int, int] = {
            int(r.order_item_id): int(getattr(r, "n", 0) or 0)
            for r in PackageItem.select(PackageItem.order_item, pw.fn.SUM(PackageItem.quantity).alias("n"))
            .join(Package, on=(PackageItem.package == Package.id))
            .where(Package.order.in_(chunk) & Package.push_state.in_(UNCONFIRMED))
            .group_by(PackageItem.order_item)
        }
        query = (
            OrderItem.select(OrderItem, Product.sku.alias("product_sku"))
            .join(Product, pw.JOIN.LEFT_OUTER, on=(OrderItem.product == Product.id))
            .where(OrderItem.order.in_(chunk))
            .order_by(OrderItem.order, OrderItem.id)
        )
        for i in query.objects():
            out[int(i.order_id)].append(
                OrderItemRow(
                    id=i.id,
                    order_id=i.order_id,
                    order_item_id=i.order_item_id,
                    seller_sku=i.seller_sku,
                    asin=i.asin,
                    title=i.title,
                    product_id=i.product_id,
                    product_sku=getattr(i, "product_sku", None),
                    quantity=i.quantity,
                    quantity_shipped=i.quantity_shipped,
                    unit_price=i.unit_price,
                    quantity_packed=packed.get(i.id, 0),
                )
            )
    return out


def get_order_detail(order_id: int) -> OrderDetail:
    """Order + items + packages + timeline (the order view and the pack dialog)."""
    from fbm_desk.db.packages import list_packages

    order = get_order(order_id)
    return OrderDetail(
        order=order,
        items=tuple(list_items([order_id])[order_id]),
        packages=tuple(list_packages([order_id])[order_id]),
        events=tuple(events.list_events(order_id)),
    )


def quantity_state(order_id: int) -> str | None:
    """shipped / partially_shipped from the items' shipped quantities, None when nothing shipped yet."""
    q, s = _units([order_id]).get(order_id, (0, 0))
    if q > 0 and s >= q:
        return "shipped"
    if s > 0:
        return "partially_shipped"
    return None


def refresh_order_state(order_id: int, *, now: str | None = None) -> str:
    """Move an open order forward to partially_shipped/shipped when its items say so; returns the state."""
    order = Order.get_by_id(order_id)
    if order.state == "canceled":
        return str(order.state)
    by_qty = quantity_state(order_id)
    if by_qty is not None and STATE_RANK[by_qty] > STATE_RANK.get(order.state, 0):
        Order.update(state=by_qty, payment_hold=False, updated_at=now or utcnow_iso()).where(
            Order.id == order_id
        ).execute()
        return by_qty
    return str(order.state)


def _take_out_shipped_here(order_item_id: int, product_id: int, now: str) -> None:
    """Units of a just-mapped item that left in our confirmed packages while it had no product: they left
    this warehouse, so they leave the product's on-hand now (confirmation could not move them) unless the
    product was created after they left."""
    from fbm_desk.db.inventory import adjust_on_hand
    from fbm_desk.db.models import Package, PackageItem

    # a product created after the shipment (or in the same second: unknown order) got its starting stock after
    # the units had left: nothing to take
    since = str(Product.get_by_id(product_id).created_at or "")
    ours = (
        PackageItem.select(pw.fn.SUM(PackageItem.quantity))
        .join(Package, on=(PackageItem.package == Package.id))
        .where(
            (PackageItem.order_item == order_item_id)
            & (Package.source == "local")
            & (Package.push_state == "confirmed")
            & (Package.pushed_at > since)
        )
        .scalar()
    )
    item = OrderItem.get_by_id(order_item_id)
    units = min(int(ours or 0), int(item.quantity_shipped))
    if units > 0:
        amazon_id = Order.get_by_id(item.order_id).amazon_order_id
        reason = f"Shipped order {amazon_id} before its SKU {item.seller_sku} was mapped"
        adjust_on_hand(product_id, -units, reason, source="shipment", now=now)


def resolve_order_items(store_id: int) -> int:
    """Map waiting order items of a store to products (after new listings or aliases); clears needs_mapping.

    Returns how many orders were fully mapped by this call.
    """
    from fbm_desk.db.listings import resolve_products

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
    with database_proxy.atomic():
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
