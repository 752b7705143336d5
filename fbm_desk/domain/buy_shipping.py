"""Buy Shipping for an order: rates, purchase, reprint and void (``fbm-desk label …`` and the pack dialog).

Rates are asked for the order's unshipped, unpacked units in one package (box preset or typed size, weight
typed or summed from the products' weights plus the box), shipped from the order's warehouse. A rate is
*late* when its promised delivery ends after the order's latest delivery date; late rates sort last. The
default is the cheapest rate in time, narrowed by the rules' carrier/method and, for an expedited service
level, the earliest delivery. The quotes are stored (a purchase needs the request token, valid 10 minutes);
a purchase carries an idempotency key made from it, so asking again after a lost answer never buys twice.
The bought label is stored as a package Amazon already has (``db.buy_shipping``): never sent through
confirmShipment.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from fbm_desk.amazon.shipping_types import (
    DocumentSpec,
    Parcel,
    ParcelItem,
    RateQuote,
    ShipAddress,
    ShippingRate,
)
from fbm_desk.db import buy_shipping as store
from fbm_desk.db.domain_rows import OrderRow
from fbm_desk.db.holds import blocking_hold
from fbm_desk.db.orders import find_order, get_order, list_items
from fbm_desk.db.packages import next_reference_id, packed_quantities
from fbm_desk.db.states import OrderState
from fbm_desk.db.stores import get_store
from fbm_desk.db.transactions import transaction
from fbm_desk.domain.carriers import carrier_for
from fbm_desk.domain.order_rules import check_packable
from fbm_desk.foundation.errors import FbmError, InvalidInput
from fbm_desk.foundation.timestamps import iso_utc, parse_utc

if TYPE_CHECKING:
    from fbm_desk.core import CoreServices

FORMATS = ("pdf", "png", "zpl")
QUOTE_LIFETIME = timedelta(minutes=10)
_EXPEDITED = ("expedited", "second", "nextday", "next day", "priority", "oneday", "sameday", "scheduled")
_DIMS = re.compile(r"^\s*([\d.]+)\s*[x×*]\s*([\d.]+)\s*[x×*]\s*([\d.]+)\s*(?:-?\s*cm)?\s*$", re.I)


class NoRates(FbmError):
    """Amazon offers no service for this package."""


@dataclass(frozen=True)
class RateChoice:
    rate_id: str
    carrier: str
    service: str
    price: str
    currency: str
    promise: str | None  # end of the promised delivery window, ISO 8601 UTC
    late: bool

    def as_json(self) -> dict[str, object]:
        return asdict(self)

    @property
    def name(self) -> str:
        """Carrier and service for people ("UPS Ground", not "UPS UPS Ground")."""
        return self.service if self.service.startswith(self.carrier) else f"{self.carrier} {self.service}"


@dataclass(frozen=True)
class Rates:
    order: OrderRow
    rates: tuple[RateChoice, ...]  # in time first, then by price
    default_rate_id: str
    weight_g: int


@dataclass(frozen=True)
class BoughtLabel:
    tracking_number: str
    carrier: str
    service: str
    format: str  # PDF | PNG | ZPL
    document: bytes


def parse_dims(text: str) -> tuple[float, float, float]:
    """``30x20x10`` (centimetres; ``-cm`` may follow) → (30.0, 20.0, 10.0)."""
    match = _DIMS.match(text or "")
    try:
        dims = tuple(float(g) for g in match.groups()) if match else ()
    except ValueError:
        dims = ()
    if len(dims) != 3 or min(dims) <= 0 or max(dims) > 300:
        raise InvalidInput(f"'{text}' is not a box size: write length x width x height in cm, e.g. 30x20x10.")
    return dims[0], dims[1], dims[2]


def _order(order: int | str) -> OrderRow:
    return get_order(order) if isinstance(order, int) else find_order(order)


def _check_order(order: OrderRow) -> list[tuple[int, str, int, str]]:
    """The units still to ship (row id, Amazon item id, quantity, unit price); refuses ineligible orders."""
    name = order.amazon_order_id
    if order.state == OrderState.HELD:
        raise InvalidInput(f"Order {name} is not eligible for Buy Shipping yet: Amazon has not released it.")
    if order.state == OrderState.CANCELED:
        raise InvalidInput(f"Order {name} was canceled; it is not eligible for Buy Shipping.")
    if order.state == OrderState.SHIPPED:
        raise InvalidInput(f"Order {name} is already fully shipped; it is not eligible for Buy Shipping.")
    hold = blocking_hold(order.id)
    if hold is not None:
        raise InvalidInput(f"Order {name} is on {hold}. Release the hold before buying a label.")
    check_packable(order)
    packed = packed_quantities(order.id)
    units = [
        (i.id, i.order_item_id, i.unshipped - packed.get(i.id, 0), i.unit_price)
        for i in list_items([order.id])[order.id]
        if i.unshipped - packed.get(i.id, 0) > 0
    ]
    if not units:
        raise InvalidInput(f"Every unit of order {name} is already shipped or packed.")
    return units


def _ship_from(order: OrderRow) -> ShipAddress:
    house = store.order_warehouse(order.id)
    s = house.ship_from
    if not (s.address1 and s.city and s.postal_code and s.country):
        raise InvalidInput(
            f"Warehouse '{house.name}' has no complete ship-from address: set it in Settings → Warehouses (or "
            f'fbm-desk warehouse set "{house.name}" --ship-address1 … --ship-city … --ship-postal-code … '
            "--ship-country …) before buying labels."
        )
    return ShipAddress(
        name=s.name or house.name,
        address_line1=s.address1,
        address_line2=s.address2,
        city=s.city,
        state_or_region=s.state,
        postal_code=s.postal_code,
        country_code=s.country.upper(),
        phone=s.phone,
    )


def _box(order: OrderRow, box: str | None, dims: str | None) -> tuple[tuple[float, float, float], int]:
    if box and dims:
        raise InvalidInput("Give either a box preset or a box size, not both.")
    if dims:
        return parse_dims(dims), 0
    if not box:
        raise InvalidInput("Choose a box (--box NAME) or enter its size (--dims LxWxH in cm).")
    house = store.order_warehouse(order.id)
    found = store.find_box(house.id, box)
    if found is None:
        names = ", ".join(b.name for b in store.list_boxes(house.id)) or "none yet"
        raise InvalidInput(f"Warehouse '{house.name}' has no box '{box}' (boxes: {names}).")
    return (found.length_cm, found.width_cm, found.height_cm), found.tare_g


def _money_total(units: list[tuple[int, str, int, str]]) -> str:
    total = Decimal(0)
    for _, _, qty, price in units:
        try:
            total += Decimal(price or "0") * qty
        except InvalidOperation:
            continue
    return str(total.quantize(Decimal("0.01")))


def _is_late(rate: ShippingRate, order: OrderRow) -> bool:
    latest = parse_utc(order.latest_delivery_date or "")
    return latest is not None and rate.delivery_end is not None and rate.delivery_end > latest


def _default(choices: list[RateChoice], order: OrderRow, carrier: str, method: str) -> str:
    pool = [c for c in choices if not c.late] or choices
    for wanted, attr in ((carrier, "carrier"), (method, "service")):
        narrowed = [c for c in pool if wanted and wanted.casefold() in getattr(c, attr).casefold()]
        pool = narrowed or pool
    if any(word in order.service_level.casefold() for word in _EXPEDITED):
        pool = sorted(pool, key=lambda c: (c.promise or "9999", Decimal(c.price or "0")))
    return pool[0].rate_id if pool else ""


def _no_rates(quote: RateQuote) -> NoRates:
    why = "; ".join(
        f"{r.carrier_name} {r.service_name}: " + ", ".join(m or c for c, m in r.reasons)
        for r in quote.ineligible
    )
    return NoRates(
        "Amazon offers no shipping service for this package"
        + (f" ({why})" if why else "")
        + ". Check the weight and the box size, or ship it with your own carrier and record the tracking."
    )


def package_defaults(order_id: int) -> tuple[list[store.BoxRow], int | None]:
    """The box presets of the order's warehouse and the weight of its units still to ship (None: unknown)."""
    with transaction():
        order = get_order(order_id)
        packed = packed_quantities(order.id)
        units = [(i.id, i.unshipped - packed.get(i.id, 0)) for i in list_items([order.id])[order.id]]
        weight = store.items_weight_g((row, qty) for row, qty in units if qty > 0)
        return store.list_boxes(store.order_warehouse(order.id).id), weight


def get_rates(
    core: CoreServices,
    order_ref: int | str,
    *,
    weight_g: int | None,
    box: str | None = None,
    dims: str | None = None,
) -> Rates:
    """Ask Amazon for the services that can ship the order's package, store the quotes, pick a default."""
    with transaction():
        order = _order(order_ref)
        units = _check_order(order)
        ship_from = _ship_from(order)
        size, tare = _box(order, box, dims)
        if weight_g is None:
            items_weight = store.items_weight_g((row, qty) for row, _, qty, _ in units)
            if items_weight is None:
                raise InvalidInput("Enter the package weight: some items have no weight on record.")
            weight_g = items_weight + tare
        if weight_g <= 0 or weight_g > 150_000:
            raise InvalidInput("The weight must be between 1 g and 150 kg.")
        reference = f"{order.amazon_order_id}-{next_reference_id(order.id)}"
        defaults = store.order_defaults(order.id)
    parcel = Parcel(
        client_reference_id=reference,
        length_cm=size[0],
        width_cm=size[1],
        height_cm=size[2],
        weight_g=weight_g,
        insured_value=_money_total(units),
        currency=order.currency or "USD",
        items=tuple(ParcelItem(item_id, qty, price) for _, item_id, qty, price in units),
    )
    client = core.client_for(get_store(order.store_id))
    quote = client.shipping_rates(order.marketplace_id, order.amazon_order_id, ship_from, parcel)
    offered = [r for r in quote.rates if not r.requires_additional_inputs]  # inputs we cannot give (customs)
    if not offered:
        raise _no_rates(quote)
    now = iso_utc(datetime.now(UTC))
    rows = [
        store.QuoteRow(
            rate_id=r.rate_id,
            request_token=quote.request_token,
            carrier_id=r.carrier_id,
            carrier_name=r.carrier_name,
            service_id=r.service_id,
            service_name=r.service_name,
            price=r.price,
            currency=r.currency,
            promise=iso_utc(r.delivery_end) if r.delivery_end else None,
            late=_is_late(r, order),
            documents=json.dumps(
                {"documents": [asdict(d) for d in r.documents], "services": r.required_services}
            ),
            package_reference=reference,
            weight_g=weight_g,
            items=tuple((row, qty) for row, _, qty, _ in units),
            created_at=now,
        )
        for r in offered
    ]
    with transaction(immediate=True):
        store.replace_quotes(order.id, rows)
    choices = sorted(
        (
            RateChoice(q.rate_id, q.carrier_name, q.service_name, q.price, q.currency, q.promise, q.late)
            for q in rows
        ),
        key=lambda c: (c.late, Decimal(c.price or "0"), c.promise or ""),
    )
    return Rates(order, tuple(choices), _default(choices, order, *defaults), weight_g)


def _document_spec(quote: store.QuoteRow, fmt: str) -> DocumentSpec:
    """The label format to buy: the one asked for; a PDF asked for where Amazon offers only images and ZPL is
    bought as PNG (the caller writes it into a 4 × 6 PDF)."""
    specs = [DocumentSpec(**{**d, "dpis": tuple(d["dpis"]), "page_layouts": tuple(d["page_layouts"]),
                             "file_joining": tuple(d["file_joining"])})
             for d in json.loads(quote.documents)["documents"]]  # fmt: skip
    offered = [s for s in specs if s.format == fmt.upper()]
    if not offered and fmt.lower() == "pdf":
        offered = [s for s in specs if s.format == "PNG"]
    if not offered:
        kinds = ", ".join(sorted({s.format.lower() for s in specs})) or "none"
        raise InvalidInput(
            f"{quote.carrier_name} {quote.service_name} has no {fmt} label (it offers: {kinds})."
        )
    inch4x6 = [s for s in offered if s.unit == "INCH" and {s.width, s.length} == {4.0, 6.0}]
    return (inch4x6 or offered)[0]


def buy_label(core: CoreServices, order_ref: int | str, rate_id: str, fmt: str = "pdf") -> BoughtLabel:
    """Purchase a quoted rate; the label's package is recorded as Amazon's (the order ships)."""
    if fmt.lower() not in FORMATS:
        raise InvalidInput(f"Label format must be one of {', '.join(FORMATS)}.")
    with transaction():
        order = _order(order_ref)
        _check_order(order)
        quote = store.find_quote(order.id, rate_id)
        if quote is None:
            raise InvalidInput(
                f"Rate {rate_id} is not one of order {order.amazon_order_id}'s rates: get rates first."
            )
        created = parse_utc(quote.created_at)
        if created is not None and datetime.now(UTC) - created > QUOTE_LIFETIME:
            raise InvalidInput(
                "The rates have expired (Amazon keeps them for 10 minutes): get the rates again."
            )
        spec = _document_spec(quote, fmt)
    key = str(uuid.uuid5(uuid.NAMESPACE_URL, f"fbm-desk:{quote.request_token}:{rate_id}"))
    client = core.client_for(get_store(order.store_id))
    services = tuple(json.loads(quote.documents)["services"])
    bought = client.purchase_label(order.marketplace_id, quote.request_token, rate_id, spec, key, services)
    got = (bought.label.format or spec.format).upper()
    got = got if got in ("PDF", "PNG", "ZPL") else spec.format
    carrier = carrier_for(quote.carrier_name) or carrier_for(quote.carrier_id)
    code = carrier.amazon_code if carrier else "Other"
    name = "" if carrier and carrier.listed else (carrier.name if carrier else quote.carrier_name)
    with transaction(immediate=True):
        store.record_label(
            order.id,
            quote,
            shipment_id=bought.shipment_id,
            carrier_code=code,
            carrier_name=name,
            tracking_number=bought.tracking_id,
            label_format=got,
            document=bought.label.contents,
            now=iso_utc(datetime.now(UTC)),
        )
    return BoughtLabel(bought.tracking_id, quote.carrier_name, quote.service_name, got, bought.label.contents)


def label_document(core: CoreServices, order_ref: int | str, fmt: str | None = None) -> tuple[str, bytes]:
    """The order's label to reprint: as bought, or in another format from Amazon (getShipmentDocuments)."""
    with transaction():
        order = _order(order_ref)
        label = store.latest_label(order.id)
    if label is None:
        raise InvalidInput(f"Order {order.amazon_order_id} has no label bought with FBM Desk.")
    if fmt is None or fmt.upper() == label.format:
        return label.format, label.document
    client = core.client_for(get_store(order.store_id))
    doc = client.label_document(order.marketplace_id, label.shipment_id, label.package_reference, fmt.upper())
    return doc.format or fmt.upper(), doc.contents


def void_label(core: CoreServices, order_ref: int | str) -> store.LabelRow:
    """Cancel the order's label at Amazon (within its window); the package goes, the order is packable."""
    with transaction():
        order = _order(order_ref)
        label = store.latest_label(order.id)
    if label is None:
        raise InvalidInput(f"Order {order.amazon_order_id} has no label bought with FBM Desk to void.")
    core.client_for(get_store(order.store_id)).void_label(order.marketplace_id, label.shipment_id)
    with transaction(immediate=True):
        current = store.latest_label(order.id)  # read again under the write lock: voided once only
        if current is not None and current.package_id == label.package_id:
            store.void_label(current, iso_utc(datetime.now(UTC)))
    return label
