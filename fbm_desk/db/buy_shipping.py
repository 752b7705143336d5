"""Buy Shipping storage: box presets, product weights, Amazon's rate quotes and the labels bought.

A bought label becomes a local package that is already Amazon's: it is stored ``confirmed`` (the units ship,
stock leaves, the order moves on — ``package_confirmation``) with no outbox row, so the shipments push never
sends it through confirmShipment; its ``package_label`` row keeps the shipment id and the label document for
reprints. A void removes the package and gives its units back (stock returns, the order is packable again).
Writes run in the caller's transaction (``fbm_desk.domain.buy_shipping`` opens it).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import peewee as pw

from fbm_desk.db import events
from fbm_desk.db.inventory import adjust_on_hand
from fbm_desk.db.label_models import BoxPreset, LabelQuote, PackageLabel
from fbm_desk.db.models import Order, OrderItem, Package, PackageItem, Product
from fbm_desk.db.order_state import quantity_state
from fbm_desk.db.package_confirmation import confirm_package
from fbm_desk.db.packages import insert_package, remove_package
from fbm_desk.db.states import OrderState, PushState
from fbm_desk.db.warehouses import WarehouseRow, get_warehouse, primary
from fbm_desk.foundation.errors import InvalidInput

LABEL_BOUGHT = "label_bought"  # order_event kinds
LABEL_VOIDED = "label_voided"


@dataclass(frozen=True)
class BoxRow:
    name: str
    length_cm: float
    width_cm: float
    height_cm: float
    tare_g: int
    warehouse_id: int | None  # None: a preset of every warehouse


@dataclass(frozen=True)
class QuoteRow:
    rate_id: str
    request_token: str
    carrier_id: str
    carrier_name: str
    service_id: str
    service_name: str
    price: str
    currency: str
    promise: str | None  # ISO 8601 UTC, end of the promised delivery window
    late: bool
    documents: str  # JSON list of document specs
    package_reference: str
    weight_g: int
    items: tuple[tuple[int, int], ...]  # (order item row id, quantity)
    created_at: str


@dataclass(frozen=True)
class LabelRow:
    package_id: int
    order_id: int
    shipment_id: str
    carrier_id: str
    service_name: str
    price: str
    currency: str
    package_reference: str
    format: str
    document: bytes
    purchased_at: str
    tracking_number: str
    package_reference_id: int


# warehouses and boxes ---------------------------------------------------------------------------------------
def order_warehouse(order_id: int) -> WarehouseRow:
    """The warehouse an order ships from (its allocation; none = the primary)."""
    warehouse_id = Order.select(Order.warehouse_id).where(Order.id == order_id).scalar()
    return get_warehouse(int(warehouse_id)) if warehouse_id else primary()


def order_defaults(order_id: int) -> tuple[str, str]:
    """The carrier and shipping method the rules chose for the order ('' when none)."""
    o = Order.select(Order.default_carrier, Order.default_method).where(Order.id == order_id).get()
    return str(o.default_carrier), str(o.default_method)


def list_boxes(warehouse_id: int | None) -> list[BoxRow]:
    """Box presets of a warehouse: its own, then those of every warehouse not shadowed by name."""
    rows = (
        BoxPreset.select()
        .where(BoxPreset.warehouse.is_null() | (BoxPreset.warehouse == warehouse_id))
        .order_by(
            BoxPreset.warehouse.is_null(), BoxPreset.length_cm * BoxPreset.width_cm * BoxPreset.height_cm
        )
    )
    seen: set[str] = set()
    out: list[BoxRow] = []
    for b in rows:
        if b.name.casefold() in seen:
            continue
        seen.add(b.name.casefold())
        out.append(BoxRow(b.name, b.length_cm, b.width_cm, b.height_cm, b.tare_g, b.warehouse_id))
    return out


def find_box(warehouse_id: int | None, name: str) -> BoxRow | None:
    wanted = name.strip().casefold()
    return next((b for b in list_boxes(warehouse_id) if b.name.casefold() == wanted), None)


def save_box(warehouse_id: int | None, name: str, dims: tuple[float, float, float], tare_g: int = 0) -> None:
    """Add or change a preset (by name, per warehouse or for all)."""
    clean = name.strip()
    if not clean or len(clean) > 40:
        raise InvalidInput("A box needs a name of 1 to 40 characters.")
    if min(dims) <= 0 or max(dims) > 300 or tare_g < 0:
        raise InvalidInput("Box sizes must be between 0 and 300 cm, and its own weight 0 g or more.")
    match = (BoxPreset.warehouse == warehouse_id) if warehouse_id else BoxPreset.warehouse.is_null()
    existing = BoxPreset.get_or_none(match & (pw.fn.LOWER(BoxPreset.name) == clean.lower()))
    fields = {"length_cm": dims[0], "width_cm": dims[1], "height_cm": dims[2], "tare_g": tare_g}
    if existing is None:
        BoxPreset.create(warehouse=warehouse_id, name=clean, **fields)
    else:
        BoxPreset.update(**fields).where(BoxPreset.id == existing.id).execute()


def remove_box(warehouse_id: int | None, name: str) -> bool:
    match = (BoxPreset.warehouse == warehouse_id) if warehouse_id else BoxPreset.warehouse.is_null()
    return bool(
        BoxPreset.delete().where(match & (pw.fn.LOWER(BoxPreset.name) == name.strip().lower())).execute()
    )


# weights ----------------------------------------------------------------------------------------------------
def set_product_weight(sku: str, grams: int | None) -> bool:
    """One unit's weight of a warehouse product (None clears it); False when there is no such SKU."""
    if grams is not None and grams <= 0:
        raise InvalidInput("A weight must be more than 0 g.")
    return bool(Product.update(weight_g=grams).where(Product.sku == sku).execute())


def items_weight_g(items: Iterable[tuple[int, int]]) -> int | None:
    """The weight of (order item row id, quantity) lines from their products, None when one is unknown."""
    wanted = dict(items)
    if not wanted:
        return None
    rows = (
        OrderItem.select(OrderItem.id, Product.weight_g)
        .join(Product, pw.JOIN.LEFT_OUTER, on=(OrderItem.product == Product.id))
        .where(OrderItem.id.in_(list(wanted)))
        .objects()
    )
    total = 0
    for row in rows:
        weight = getattr(row, "weight_g", None)
        if not weight:
            return None
        total += int(weight) * wanted[int(row.id)]
    return total


# quotes -----------------------------------------------------------------------------------------------------
def replace_quotes(order_id: int, quotes: Sequence[QuoteRow]) -> None:
    """The order's quotes are the latest getRates answer only."""
    LabelQuote.delete().where(LabelQuote.order == order_id).execute()
    for q in quotes:
        LabelQuote.create(
            order=order_id,
            **{k: getattr(q, k) for k in QuoteRow.__dataclass_fields__ if k != "items"},
            items=json.dumps([list(i) for i in q.items]),
        )


def find_quote(order_id: int, rate_id: str) -> QuoteRow | None:
    q = LabelQuote.get_or_none((LabelQuote.order == order_id) & (LabelQuote.rate_id == rate_id))
    if q is None:
        return None
    fields = {k: getattr(q, k) for k in QuoteRow.__dataclass_fields__ if k != "items"}
    return QuoteRow(**fields, items=tuple((int(a), int(b)) for a, b in json.loads(q.items)))


# labels -----------------------------------------------------------------------------------------------------
def record_label(
    order_id: int,
    quote: QuoteRow,
    *,
    shipment_id: str,
    carrier_code: str,
    carrier_name: str,
    tracking_number: str,
    label_format: str,
    document: bytes,
    now: str,
) -> int:
    """Store a purchased label as a package Amazon already has; returns the package id. The same shipment
    recorded again (two processes bought the same rate: one idempotent purchase) keeps its one package."""
    existing = PackageLabel.get_or_none(PackageLabel.shipment_id == shipment_id)
    if existing is not None:
        return int(existing.package_id)
    package_id = insert_package(
        order_id,
        carrier_code=carrier_code,
        carrier_name=carrier_name,
        shipping_method=quote.service_name,
        tracking_number=tracking_number,
        ship_date=now,
        items=quote.items,
        push_state=PushState.SENT,  # not queued: no outbox row; confirmed just below
        now=now,
    )
    PackageLabel.create(
        package=package_id,
        shipment_id=shipment_id,
        carrier_id=quote.carrier_id,
        service_name=quote.service_name,
        price=quote.price,
        currency=quote.currency,
        package_reference=quote.package_reference,
        format=label_format,
        document=document,
        purchased_at=now,
    )
    message = f"{quote.carrier_name} {quote.service_name} label bought ({quote.price} {quote.currency})"
    confirm_package(package_id, now=now)
    events.add_event(order_id, LABEL_BOUGHT, f"{message}, tracking {tracking_number}", now)
    LabelQuote.delete().where(LabelQuote.order == order_id).execute()
    return package_id


def _label_query() -> pw.ModelSelect[PackageLabel]:
    return PackageLabel.select(
        PackageLabel,
        Package.order.alias("pkg_order"),
        Package.tracking_number.alias("pkg_tracking"),
        Package.package_reference_id.alias("pkg_ref"),
    ).join(Package, on=(PackageLabel.package == Package.id))


def _label_row(r: PackageLabel) -> LabelRow:
    return LabelRow(
        package_id=int(r.package_id),
        order_id=int(getattr(r, "pkg_order")),  # noqa: B009
        shipment_id=r.shipment_id,
        carrier_id=r.carrier_id,
        service_name=r.service_name,
        price=r.price,
        currency=r.currency,
        package_reference=r.package_reference,
        format=r.format,
        document=bytes(r.document),
        purchased_at=r.purchased_at,
        tracking_number=str(getattr(r, "pkg_tracking")),  # noqa: B009
        package_reference_id=int(getattr(r, "pkg_ref")),  # noqa: B009
    )


def latest_label(order_id: int) -> LabelRow | None:
    """The order's most recent label (reprint, void), None when it has none."""
    row = (
        _label_query()
        .where(Package.order == order_id)
        .order_by(PackageLabel.purchased_at.desc())
        .objects()
        .first()
    )
    return _label_row(row) if row is not None else None


def labelled_packages(package_ids: Iterable[int]) -> set[int]:
    """Which of these packages are Buy Shipping labels."""
    ids = list(package_ids)
    if not ids:
        return set()
    return {
        int(r.package_id)
        for r in PackageLabel.select(PackageLabel.package).where(PackageLabel.package.in_(ids))
    }


def void_label(label: LabelRow, now: str) -> None:
    """Amazon voided the label: the package goes, its units are unshipped and back in stock."""
    order = Order.get_by_id(label.order_id)
    for pi in PackageItem.select().where(PackageItem.package == label.package_id):
        item = OrderItem.get_by_id(pi.order_item_id)
        back = min(int(pi.quantity), int(item.quantity_shipped))
        if back <= 0:
            continue
        OrderItem.update(quantity_shipped=item.quantity_shipped - back).where(
            OrderItem.id == item.id
        ).execute()
        if item.product_id is not None:
            adjust_on_hand(
                int(item.product_id),
                back,
                f"Label voided, order {order.amazon_order_id} (package {label.package_reference_id})",
                warehouse_id=item.warehouse_id or order.warehouse_id,
                source="shipment",
                now=now,
            )
    remove_package(label.package_id)
    if order.state != OrderState.CANCELED:
        state = quantity_state(label.order_id) or OrderState.RELEASED
        Order.update(state=state, updated_at=now).where(Order.id == label.order_id).execute()
    events.add_event(
        label.order_id,
        LABEL_VOIDED,
        f"Label {label.tracking_number} voided at Amazon; the order can be packed again",
        now,
    )
