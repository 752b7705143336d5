"""Order queries: lists for the Orders tab and the CLI, one order's detail (items, packages, timeline).

Reads only. Importing Amazon's pages lives in ``fbm_desk.db.order_import``, moving an order's state forward in
``fbm_desk.db.order_state``, mapping its items to products in ``fbm_desk.db.sku_resolution``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import peewee as pw

from fbm_desk.db import dialect, events
from fbm_desk.db.domain_rows import ORDER_STATES, OrderDetail, OrderItemRow, OrderRow, ShipTo
from fbm_desk.db.models import Order, OrderItem, Package, PackageItem, Product, Store
from fbm_desk.db.name_index import name_hits_sql
from fbm_desk.db.order_flags import flags_of
from fbm_desk.db.packages import list_packages
from fbm_desk.db.pii import purged_text, reveal
from fbm_desk.db.states import UNCONFIRMED
from fbm_desk.foundation.errors import InvalidInput, NotFound


def _ship_to(o: Order) -> ShipTo | None:
    if o.pii_purged_at:  # retention removed it: say so instead of blanks
        name = purged_text(int(o.pii_purged_days or 0))
        return ShipTo(name, "", "", "", "", "", o.ship_state, "", o.ship_country, "")
    ship = ShipTo(
        name=reveal("ship_name", o.ship_name),
        company=reveal("ship_company", o.ship_company),
        address_line1=reveal("ship_address1", o.ship_address1),
        address_line2=reveal("ship_address2", o.ship_address2),
        address_line3=reveal("ship_address3", o.ship_address3),
        city=o.ship_city,
        state_or_region=o.ship_state,
        postal_code=o.ship_postal_code,
        country_code=o.ship_country,
        phone=reveal("ship_phone", o.ship_phone),
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
        buyer_name=reveal("buyer_name", o.buyer_name),
        ship_to=_ship_to(o),
        total_amount=o.total_amount,
        currency=o.currency,
        imported_at=o.imported_at,
        updated_at=o.updated_at,
        units=units,
        units_shipped=shipped,
        flags=flags_of(o),
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
        match = Order.amazon_order_id**like | Order.id.in_(in_items)
        by_name = name_hits_sql(search.strip())  # names are encrypted: the blind index (db/name_index.py)
        if by_name is not None:
            match = match | Order.id.in_(dialect.fragment(f"({by_name[0]})", by_name[1]))
        query = query.where(match)
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
    units = unit_totals([o.id for o in rows])
    return [_row(o, getattr(o, "store_name", ""), *units.get(o.id, (0, 0))) for o in rows]


def count_orders(store_id: int | None = None, state: str | None = None, *, search: str = "") -> int:
    return int(_filtered(store_id, state, search).count())


def unit_totals(order_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(units ordered, units shipped) per order."""
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


def get_orders(order_ids: Iterable[int]) -> dict[int, OrderRow]:
    """Many orders by local id in a few queries (missing ids are left out): the packing slips of a batch."""
    ids = list(order_ids)
    out: dict[int, OrderRow] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = list(_filtered(None, None, "").where(Order.id.in_(chunk)).objects())
        units = unit_totals([o.id for o in rows])
        out.update({o.id: _row(o, getattr(o, "store_name", ""), *units.get(o.id, (0, 0))) for o in rows})
    return out


def get_order(order_id: int) -> OrderRow:
    rows = list(_filtered(None, None, "").where(Order.id == order_id).objects())
    if not rows:
        raise NotFound(f"Order #{order_id} does not exist.")
    o = rows[0]
    return _row(o, getattr(o, "store_name", ""), *unit_totals([o.id]).get(o.id, (0, 0)))


# Amazon order ids are three groups of ASCII digits (3-7-7, e.g. 114-9751614-5801292); [0-9], not \d, which
# would also take Arabic-Indic or fullwidth digits.
AMAZON_ORDER_ID = re.compile(r"[0-9]{3}-[0-9]{7}-[0-9]{7}")
MAX_ORDER_ID_LENGTH = 64


def find_order(ref: str, store_id: int | None = None) -> OrderRow:
    """An order by the Amazon order id a user or script typed (e.g. ``111-2223334-4445556``).

    Never by the local row number: a string of digits (a numeric barcode, a typo) is not an order id.
    Raises ``NotFound`` for an id no imported order has, ``InvalidInput`` for text that is not an order id.
    """
    text = ref.strip()
    if not text or len(text) > MAX_ORDER_ID_LENGTH or not text.isprintable():
        raise InvalidInput(_not_an_order_id(text))
    query = Order.select(Order.id).where(Order.amazon_order_id == text)
    if store_id is not None:
        query = query.where(Order.store == store_id)
    ids = [o.id for o in query]
    if len(ids) > 1:
        raise InvalidInput(f"Order {text} exists in several stores; choose the store.")
    if ids:
        return get_order(ids[0])
    if AMAZON_ORDER_ID.fullmatch(text) is None:
        raise InvalidInput(_not_an_order_id(text))
    raise NotFound(f"Unknown order '{text}': no imported order has this Amazon order id.")


def _not_an_order_id(text: str) -> str:
    shown = text if len(text) <= 40 and text.isprintable() else f"{text[:20]!r}…"
    return (
        f"'{shown}' is not an Amazon order id (they look like 114-9751614-5801292, three groups of digits); "
        "no order was changed."
    )


def list_items(order_ids: Iterable[int]) -> dict[int, list[OrderItemRow]]:
    """Items per order (with packed-but-unconfirmed quantities), in Amazon's order."""
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
    order = get_order(order_id)
    return OrderDetail(
        order=order,
        items=tuple(list_items([order_id])[order_id]),
        packages=tuple(list_packages([order_id])[order_id]),
        events=tuple(events.list_events(order_id)),
    )
