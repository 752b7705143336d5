"""Deterministic generation of the demo world's listings and orders from a ``random.Random``."""

from __future__ import annotations

import random
import string
from datetime import datetime, timedelta
from decimal import Decimal

from fbm_desk.sandbox import seed_data as sd
from fbm_desk.sandbox.model import Address, Listing, Order, OrderItem, Package

_ALNUM = string.ascii_uppercase + string.digits


def make_asin(rng: random.Random) -> str:
    return "B0" + "".join(rng.choice(_ALNUM) for _ in range(8))


def make_listings(rng: random.Random, now: datetime, count: int = 60) -> list[Listing]:
    listings: list[Listing] = []
    for i in range(count):
        title, product_type, price = sd.CATALOGUE[i % len(sd.CATALOGUE)]
        variant = sd.VARIANTS[(i // len(sd.CATALOGUE)) % len(sd.VARIANTS)]
        fba = i % 7 == 3  # about one in seven is fulfilled by Amazon
        prefix = "".join(ch for ch in product_type if ch.isalpha())[:3]
        sku = f"MP-{prefix}-{i + 1:03d}" + ("-FBA" if fba else "")
        created = now - timedelta(days=rng.randint(40, 700), minutes=rng.randint(0, 1439))
        unit = Decimal(price) + (Decimal("5.00") if variant else Decimal(0))
        listings.append(
            Listing(
                sku=sku,
                asin=make_asin(rng),
                title=title + variant,
                product_type=product_type,
                price=f"{unit:.2f}",
                fulfillment_channel="AMAZON_NA" if fba else "DEFAULT",
                quantity=0 if fba else rng.choice((0, 3, 8, 12, 25, 40, 60, 100)),
                created=created,
                last_updated=created + timedelta(days=rng.randint(0, 30)),
                status="Inactive" if i % 23 == 11 else "Active",
                listing_id=f"{rng.randint(10**9, 10**10 - 1):010d}"
                + "".join(rng.choice(_ALNUM) for _ in range(3)),
            )
        )
    return listings


def make_order_id(rng: random.Random, fba: bool = False) -> str:
    first = rng.choice(("111", "113", "114", "112")) if not fba else "702"
    return f"{first}-{rng.randint(0, 9999999):07d}-{rng.randint(0, 9999999):07d}"


def make_address(rng: random.Random, country: str) -> tuple[Address, str]:
    name = f"{rng.choice(sd.FIRST_NAMES)} {rng.choice(sd.LAST_NAMES)}"
    city, region, postal, area = rng.choice(sd.CITIES[country])
    if country == "CA":
        postal_code = f"{postal} {rng.randint(1, 9)}{rng.choice('ABCEGHJKLMNPRSTVWXYZ')}{rng.randint(1, 9)}"
    else:
        postal_code = f"{postal}{rng.randint(0, 99):02d}"
    line2 = f"Apt {rng.randint(1, 40)}" if rng.random() < 0.25 else ""
    address = Address(
        name=name,
        address_line1=f"{rng.randint(10, 9899)} {rng.choice(sd.STREETS)}",
        address_line2=line2,
        city=city,
        state_or_region=region,
        postal_code=postal_code,
        country_code=country,
        phone=f"+1 {area}-555-{rng.randint(100, 199):04d}",
        address_type="COMMERCIAL" if rng.random() < 0.1 else "RESIDENTIAL",
    )
    return address, name


def _price_for(listing: Listing, marketplace_id: str) -> str:
    price = Decimal(listing.price)
    if sd.CURRENCY[marketplace_id] == "CAD":
        price = (price * Decimal("1.35")).quantize(Decimal("0.01"))
    return f"{price:.2f}"


def make_tracking(rng: random.Random, carrier_prefix: str) -> str:
    return carrier_prefix + "".join(rng.choice(string.digits) for _ in range(16))


def make_order(
    rng: random.Random,
    *,
    created: datetime,
    marketplace_id: str,
    listings: list[Listing],
    status: str,
    fulfilled_by: str = "MERCHANT",
    item_specs: list[tuple[Listing, int]] | None = None,
) -> Order:
    """One order. ``item_specs`` picks the SKUs and quantities; otherwise 1–3 random lines."""
    fba = fulfilled_by == "AMAZON"
    created = created.replace(microsecond=created.microsecond // 1000 * 1000)  # Amazon: whole milliseconds
    if item_specs is None:
        pool = [lst for lst in listings if lst.is_fba == fba and lst.status == "Active"] or listings
        chosen = rng.sample(pool, k=min(len(pool), rng.choice((1, 1, 1, 1, 2, 2, 3))))
        item_specs = [(lst, rng.choice((1, 1, 1, 1, 2, 3))) for lst in chosen]
    items = [
        OrderItem(
            order_item_id=f"{rng.randint(10**13, 10**14 - 1)}",
            sku=lst.sku,
            asin=lst.asin,
            title=lst.title,
            quantity=qty,
            unit_price=_price_for(lst, marketplace_id),
        )
        for lst, qty in item_specs
    ]
    country = sd.COUNTRY[marketplace_id]
    address, buyer_name = make_address(rng, country)
    service = rng.choice(sd.SERVICE_LEVELS)
    days = {"NextDay": 1, "SecondDay": 2, "Expedited": 3}.get(service, 5)
    ship_by = (created + timedelta(hours=1), created + timedelta(days=2, hours=rng.randint(0, 8)))
    deliver_by = (ship_by[1] + timedelta(days=1), ship_by[1] + timedelta(days=days + 2))
    programs = [p for p, odds in (("PRIME", 0.35), ("AMAZON_BUSINESS", 0.08)) if rng.random() < odds]
    order = Order(
        order_id=make_order_id(rng, fba),
        marketplace_id=marketplace_id,
        created=created,
        last_updated=created,
        status=status,
        fulfilled_by=fulfilled_by,
        items=items,
        address=address,
        buyer_name=buyer_name,
        buyer_email="".join(rng.choice(string.ascii_lowercase + string.digits) for _ in range(14))
        + "@marketplace.amazon.com",
        service_level=service,
        ship_by=ship_by,
        deliver_by=deliver_by,
        shipping_price=rng.choice(("0.00", "0.00", "4.99", "7.49")),
        programs=programs,
        seller_order_id=f"MP{rng.randint(100000, 999999)}" if rng.random() < 0.2 else "",
    )
    if status in ("SHIPPED", "PARTIALLY_SHIPPED"):
        lines = order.items if status == "SHIPPED" or len(order.items) == 1 else order.items[:1]
        ship_time = created + timedelta(hours=rng.randint(2, 40))
        if status == "PARTIALLY_SHIPPED" and len(order.items) == 1 and order.items[0].quantity == 1:
            order.items[0].quantity = 2  # a partial shipment needs something left to ship
        package_items = []
        for line in lines:
            qty = line.quantity if status == "SHIPPED" else max(1, line.quantity - 1)
            line.shipped = qty
            package_items.append((line.order_item_id, qty))
        if status == "PARTIALLY_SHIPPED" and all(i.unshipped == 0 for i in order.items):
            order.items[0].shipped -= 1
            package_items[0] = (package_items[0][0], package_items[0][1] - 1)
        if not fba:
            carrier, prefix = rng.choice(sd.CARRIERS)
            order.packages.append(
                Package(
                    "1", carrier, make_tracking(rng, prefix), ship_time, ship_time, "Ground", package_items
                )
            )
        order.last_updated = ship_time
    elif status == "CANCELLED":
        order.last_updated = created + timedelta(minutes=rng.randint(5, 600))
    elif status in ("UNSHIPPED",):
        order.last_updated = created + timedelta(minutes=rng.randint(1, 30))
    return order


def pick_status(rng: random.Random, age_days: float, fulfilled_by: str) -> str:
    """A plausible fulfillment status for an order of this age."""
    roll = rng.random()
    if fulfilled_by == "AMAZON":
        return "SHIPPED" if age_days > 1 or roll < 0.5 else ("PENDING" if roll < 0.7 else "UNSHIPPED")
    if age_days < 0.15:
        return "PENDING" if roll < 0.4 else ("UNSHIPPED" if roll < 0.95 else "CANCELLED")
    if age_days < 3:
        return (
            "UNSHIPPED"
            if roll < 0.55
            else ("PARTIALLY_SHIPPED" if roll < 0.65 else ("SHIPPED" if roll < 0.93 else "CANCELLED"))
        )
    return "SHIPPED" if roll < 0.9 else ("CANCELLED" if roll < 0.97 else "UNSHIPPED")
