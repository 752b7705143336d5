"""Fast generator of realistic warehouse data straight into the database (tests, bench, screenshots).

``generate(db, orders=200_000)`` writes stores, products, listings, stock, orders with items, packages and
timeline events using ``executemany`` in a few big transactions: 200,000 orders take a few seconds.
Everything is invented and deterministic for a given ``seed``.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import peewee as pw

from fbm_desk.db import events, pii, stations
from fbm_desk.db.dialect import Dialect, dialect_of, to_postgres
from fbm_desk.db.name_index import store_name_tokens
from fbm_desk.db.stored_times import iso_sql, stored_seconds

FIRST = (
    "Olivia",
    "Liam",
    "Emma",
    "Noah",
    "Ava",
    "Mateo",
    "Chloé",
    "Zoë",
    "José",
    "Björn",
    "Priya",
    "Hiroshi",
)
LAST = ("Smith", "García", "Müller", "Nguyen", "O'Brien", "Kowalski", "Rossi", "Tanaka", "Johnson", "Dubois")
CITIES = (
    ("Seattle", "WA", "US"),
    ("Austin", "TX", "US"),
    ("Portland", "OR", "US"),
    ("Denver", "CO", "US"),
    ("Boston", "MA", "US"),
    ("Toronto", "ON", "CA"),
    ("Montréal", "QC", "CA"),
    ("Vancouver", "BC", "CA"),
)
PRODUCTS = (
    ("MUG-ENAMEL-GRN", "Enamel Camp Mug 12 oz, Forest Green"),
    ("SKILLET-CI-10", "Cast Iron Skillet 10 in, Pre-Seasoned"),
    ("CANDLE-PINE-8", "Pine Needle Scented Candle, 8 oz"),
    ("TOTE-CANVAS-NAT", "Canvas Tote Bag with Inner Pocket, Natural"),
    ("BOTTLE-750-SLT", "Insulated Water Bottle 750 ml, Slate"),
    ("WRAPS-BEES-6", "Beeswax Food Wraps, Assorted Sizes (6)"),
    ("HEADLAMP-350", "LED Headlamp Rechargeable, 350 lm"),
    ("SOAP-LAV-OAT", "Hand-Poured Soap Bar, Lavender & Oat"),
    ("YOGA-CORK-2", "Cork Yoga Block, Set of 2"),
    ("ESPRESSO-6C", "Stovetop Espresso Maker, 6 Cup"),
    ("NAPKIN-SAGE-4", "Linen Napkins, Sage, Set of 4"),
    ("SYRUP-MAPLE-3", "Maple Syrup Gift Set, Grade A Amber, 3 × 250 ml"),
)
SERVICE_LEVELS = ("Standard", "Expedited", "SecondDay", "NextDay")
CARRIERS = (("UPS", "1Z"), ("USPS", "9400"), ("FedEx", ""), ("Canada Post", ""))
STORES = (
    ("Maple & Pine US", "ATVPDKIKX0DER", "NA", "A2DEMOSELLER01"),
    ("Maple & Pine CA", "A2EUQ1WTGCTBG2", "NA", "A2DEMOSELLER01"),
)


@dataclass(frozen=True)
class DemoSummary:
    stores: int
    products: int
    listings: int
    orders: int
    order_ids: tuple[str, ...]  # a few Amazon order ids, one per state, for tests


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _package_times(conn: Any, row: tuple[Any, ...]) -> tuple[Any, ...]:
    """A package row as the model writes it (fbm_desk.db.time_fields): on SQLite its four times (ship date,
    pushed, created, updated) as whole seconds; a workspace keeps the ISO text."""
    if conn.pg:
        return row
    ship_date, push_state, message, pushed_at, created_at, updated_at = row[5:]
    times = [None if t is None else stored_seconds(t) for t in (ship_date, pushed_at, created_at, updated_at)]
    return (*row[:5], times[0], push_state, message, *times[1:])


def _order_id(rnd: random.Random, n: int) -> str:
    return f"{rnd.randint(111, 114):03d}-{n % 10_000_000:07d}-{rnd.randint(0, 9_999_999):07d}"


def _tracking(rnd: random.Random, carrier: str) -> str:
    if carrier == "UPS":
        return "1Z" + "".join(rnd.choice("0123456789ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(16))
    if carrier == "USPS":
        return "9400" + "".join(rnd.choice("0123456789") for _ in range(18))
    if carrier == "FedEx":
        return "".join(rnd.choice("0123456789") for _ in range(12))
    return "".join(rnd.choice("0123456789") for _ in range(16))


class _Sql:
    """The database's connection, with hand-written (SQLite-dialect) SQL translated when it is a PostgreSQL
    workspace; ``insert`` returns the new row's id on both."""

    def __init__(self, db: pw.Database) -> None:
        self.conn: Any = db.connection()
        self.pg = dialect_of(db) is Dialect.POSTGRESQL

    def execute(self, sql: str, params: Any = ()) -> Any:
        return self.conn.execute(to_postgres(sql) if self.pg else sql, params)

    def executemany(self, sql: str, rows: Any) -> None:
        if self.pg:
            with self.conn.cursor() as cur:
                cur.executemany(to_postgres(sql), list(rows))
        else:
            self.conn.executemany(sql, rows)

    def insert(self, sql: str, params: Any = ()) -> int:
        if self.pg:
            return int(self.execute(sql + " RETURNING id", params).fetchone()[0])
        return int(self.conn.execute(sql, params).lastrowid)

    def after_explicit_ids(self) -> None:
        """PostgreSQL: identity columns continue after the ids written explicitly."""
        if not self.pg:
            return
        rows = self.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND is_identity = 'YES'"
        ).fetchall()
        for table, column in rows:
            self.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "  # noqa: S608 - catalog names
                f"coalesce(max({column}), 0) + 1, false) FROM {table}"
            )


def generate(
    db: pw.Database,
    *,
    orders: int = 500,
    seed: int = 7,
    now: datetime | None = None,
    state_weights: dict[str, float] | None = None,
) -> DemoSummary:
    """Write demo stores/products/listings/stock and ``orders`` orders. Returns what was written."""
    rnd = random.Random(seed)
    now = now or datetime.now(UTC)
    stamp = _iso(now)
    conn = _Sql(db)
    weights = state_weights or {
        "held": 0.03,
        "released": 0.08,
        "partially_shipped": 0.01,
        "shipped": 0.84,
        "canceled": 0.04,
    }
    states = list(weights)
    cum = [sum(list(weights.values())[: i + 1]) for i in range(len(states))]
    total_w = cum[-1]

    with db.atomic():
        store_ids: list[int] = []
        for name, mkt, region, seller in STORES:
            row = conn.execute("SELECT id FROM store WHERE name = ?", (name,)).fetchone()
            if row is None:
                new_id = conn.insert(
                    "INSERT INTO store (name, marketplace_id, region, selling_partner_id, import_pending, "
                    "created_at) VALUES (?, ?, ?, ?, 1, ?)",
                    (name, mkt, region, seller, stamp),
                )
                store_ids.append(new_id)
            else:
                store_ids.append(int(row[0]))
        warehouse_id = int(conn.execute("SELECT id FROM warehouse WHERE is_primary = 1").fetchone()[0])
        product_ids: dict[str, int] = {}
        for sku, title in PRODUCTS:
            conn.execute(
                "INSERT OR IGNORE INTO product (sku, title, barcode, created_at) VALUES (?, ?, ?, ?)",
                (sku, title, f"0{zlib.crc32(sku.encode()) % 10**11:011d}", stamp),
            )
            product_ids[sku] = int(conn.execute("SELECT id FROM product WHERE sku = ?", (sku,)).fetchone()[0])
            conn.execute(
                "INSERT OR IGNORE INTO inventory_level (product_id, warehouse_id, on_hand, updated_at) "
                "VALUES (?, ?, ?, ?)",
                (product_ids[sku], warehouse_id, rnd.randint(0, 120), stamp),
            )
        listings = 0
        for s_index, store_id in enumerate(store_ids):
            for p_index, (sku, title) in enumerate(PRODUCTS):
                seen = _iso(now - timedelta(days=30 - p_index))
                pushed = rnd.randint(0, 100)
                conn.execute(
                    "INSERT OR IGNORE INTO listing (store_id, seller_sku, asin, title, fulfillment_channel, "
                    "status, amazon_quantity, product_id, first_seen_at, last_seen_at, pushed_quantity, "
                    "pushed_at, push_state) "
                    "VALUES (?, ?, ?, ?, 'DEFAULT', 'BUYABLE', ?, ?, ?, ?, ?, ?, 'accepted')",
                    (
                        store_id,
                        sku,
                        f"B0{s_index}{p_index:07d}",
                        title,
                        pushed,
                        product_ids[sku],
                        seen,
                        stamp,
                        pushed,
                        _iso(now - timedelta(minutes=25)),
                    ),
                )
                listings += 1
            # An Amazon listing whose SKU is not a warehouse SKU: orders for it need mapping.
            conn.execute(
                "INSERT OR IGNORE INTO listing (store_id, seller_sku, asin, title, status, amazon_quantity, "
                "first_seen_at, last_seen_at) VALUES (?, 'AMZ-MUG-GREEN-X', ?, ?, 'BUYABLE', 5, ?, ?)",
                (store_id, f"B0{s_index}9999999", "Enamel Camp Mug (old listing)", stamp, stamp),
            )
            listings += 1

        start_id = int(conn.execute("SELECT coalesce(max(id), 0) FROM orders").fetchone()[0]) + 1
        start_item = int(conn.execute("SELECT coalesce(max(id), 0) FROM order_item").fetchone()[0]) + 1
        start_pkg = int(conn.execute("SELECT coalesce(max(id), 0) FROM package").fetchone()[0]) + 1
        order_rows: list[tuple[Any, ...]] = []
        item_rows: list[tuple[Any, ...]] = []
        pkg_rows: list[tuple[Any, ...]] = []
        pkg_item_rows: list[tuple[Any, ...]] = []
        event_rows: list[tuple[Any, ...]] = []
        adjustment_rows: list[tuple[Any, ...]] = []
        examples: dict[str, str] = {}
        skus = [p[0] for p in PRODUCTS]
        titles = dict(PRODUCTS)
        item_id = start_item
        pkg_id = start_pkg
        for i in range(orders):
            oid = start_id + i
            store_id = store_ids[i % len(store_ids)]
            r = rnd.random() * total_w
            state = next(s for s, c in zip(states, cum, strict=True) if r <= c)
            # Open orders are recent; shipped/canceled ones spread over the last two years.
            age_h = (
                rnd.uniform(1, 72)
                if state in ("held", "released", "partially_shipped")
                else rnd.uniform(72, 17_000)
            )
            purchased = now - timedelta(hours=age_h)
            ship_by = purchased + timedelta(hours=rnd.choice((24, 48, 72)))
            city, region_code, country = rnd.choice(CITIES)
            held = state == "held"
            first, last = rnd.choice(FIRST), rnd.choice(LAST)
            amazon_status = {
                "held": "PENDING",
                "released": "UNSHIPPED",
                "partially_shipped": "PARTIALLY_SHIPPED",
                "shipped": "SHIPPED",
                "canceled": "CANCELED",
            }[state]
            amazon_order_id = _order_id(rnd, oid)
            examples.setdefault(state, amazon_order_id)
            n_lines = rnd.choice((1, 1, 1, 2, 2, 3))
            needs_mapping = 1 if rnd.random() < 0.004 else 0
            order_rows.append(
                (
                    oid,
                    store_id,
                    amazon_order_id,
                    STORES[i % len(store_ids)][1],
                    amazon_status,
                    state,
                    1 if held else 0,
                    needs_mapping,
                    _iso(purchased),
                    _iso(purchased + timedelta(minutes=5))[:-1] + f".{rnd.randint(0, 999):03d}Z",  # a version
                    _iso(purchased),
                    _iso(ship_by),
                    _iso(ship_by + timedelta(days=4)),
                    rnd.choice(SERVICE_LEVELS),
                    1 if rnd.random() < 0.3 else 0,
                    1 if rnd.random() < 0.1 else 0,
                    "" if held else f"{first} {last}",
                    "" if held else f"{first} {last}",
                    "" if held else f"{rnd.randint(1, 9999)} {rnd.choice(('Oak', 'Pine', 'Main', 'Elm'))} St",
                    "" if held else city,
                    "" if held else region_code,
                    "" if held else f"{rnd.randint(10000, 99999)}",
                    "" if held else country,
                    stamp,
                    stamp,
                    f"{rnd.randint(5, 180)}.{rnd.randint(0, 99):02d}",
                    "CAD" if country == "CA" else "USD",
                    "" if held else f"+1 {rnd.randint(200, 999)}-555-{rnd.randint(0, 9999):04d}",
                    "" if held else rnd.choice(("Residential", "Commercial")),
                )
            )
            # the timeline as the app's import writes it (fbm_desk.db.order_import): one event, who imported it
            imported_as = "with a payment hold (Amazon has not released it yet)" if held else "as released"
            event_rows.append(
                (
                    oid,
                    _iso(purchased + timedelta(minutes=20)),
                    events.IMPORTED,
                    f"Imported from Amazon {imported_as}",
                )
            )
            lines: list[tuple[int, int]] = []
            for line in range(n_lines):
                sku = "AMZ-MUG-GREEN-X" if needs_mapping and line == 0 else rnd.choice(skus)
                qty = rnd.choice((1, 1, 1, 2, 3))
                shipped_qty = (
                    qty if state == "shipped" else (qty if line == 0 and state == "partially_shipped" else 0)
                )
                item_rows.append(
                    (
                        item_id,
                        oid,
                        f"{rnd.randint(10**13, 10**14 - 1)}",
                        sku,
                        f"B0{zlib.crc32(sku.encode()) % 10**8:08d}",
                        titles.get(sku, "Enamel Camp Mug (old listing)"),
                        None if sku == "AMZ-MUG-GREEN-X" else product_ids[sku],
                        qty,
                        shipped_qty,
                        f"{rnd.randint(5, 60)}.{rnd.choice(('00', '50', '99'))}",
                    )
                )
                lines.append((item_id, shipped_qty))
                item_id += 1
            if state in ("shipped", "partially_shipped"):
                carrier, _ = rnd.choice(CARRIERS)
                r2 = rnd.random()
                push_state = "confirmed" if r2 < 0.97 else ("rejected" if r2 < 0.985 else "queued")
                message = "Tracking number already used on another order" if push_state == "rejected" else ""
                shipped_at = purchased + timedelta(hours=rnd.uniform(2, 30))
                tracking = _tracking(rnd, carrier)
                pushed_at = _iso(shipped_at + timedelta(minutes=30))
                # as packing and the push write it (db/packages.py): Amazon's answer stamps pushed_at and
                # updated_at; the station and user that packed it
                answered = push_state != "queued"
                pkg_rows.append(
                    (
                        pkg_id,
                        oid,
                        1,
                        carrier,
                        tracking,
                        _iso(shipped_at),
                        push_state,
                        message,
                        pushed_at if answered else None,
                        _iso(shipped_at),
                        pushed_at if answered else _iso(shipped_at),
                    )
                )
                units = 0
                for line_item_id, shipped_qty in lines:
                    if shipped_qty:
                        pkg_item_rows.append((pkg_id, line_item_id, shipped_qty))
                        units += shipped_qty
                # the timeline and stock history as packing and the confirmation write them
                event_rows.append(
                    (
                        oid,
                        _iso(shipped_at),
                        events.PACKED,
                        f"Package 1: {units} unit(s), {carrier} {tracking}",
                    )
                )
                if push_state == "confirmed":
                    event_rows.append(
                        (
                            oid,
                            pushed_at,
                            events.CONFIRMED,
                            f"Package 1 ({carrier} {tracking}) confirmed by Amazon",
                        )
                    )
                    for line_item_id, shipped_qty in lines:
                        product_id = next(r[6] for r in reversed(item_rows) if r[0] == line_item_id)
                        if shipped_qty and product_id is not None:
                            adjustment_rows.append(
                                (
                                    product_id,
                                    warehouse_id,
                                    -shipped_qty,
                                    rnd.randint(0, 120),
                                    f"Shipped order {amazon_order_id} (package 1)",
                                    pushed_at,
                                )
                            )
                elif push_state == "rejected":
                    event_rows.append((oid, pushed_at, events.REJECTED, message))
                pkg_id += 1
            elif state == "canceled":
                event_rows.append(
                    (
                        oid,
                        _iso(purchased + timedelta(hours=3)),
                        events.CANCELED,
                        "Canceled on Amazon; its allocation was freed",
                    )
                )

        sealer = _Sealer(pg=conn.pg)
        order_rows = [sealer.seal_row(row) for row in order_rows]
        conn.executemany(
            "INSERT INTO orders (id, store_id, amazon_order_id, marketplace_id, amazon_status, state, "
            "payment_hold, needs_mapping, purchase_date, amazon_updated_at, earliest_ship_date, "
            "latest_ship_date, "
            "latest_delivery_date, service_level, is_prime, is_business, buyer_name, ship_name, "
            "ship_address1, "
            "ship_city, ship_state, ship_postal_code, ship_country, imported_at, updated_at, total_amount, "
            "currency, ship_phone, ship_address_type) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            order_rows,
        )
        conn.executemany(
            "INSERT INTO order_item (id, order_id, order_item_id, seller_sku, asin, title, product_id, quantity, "
            "quantity_shipped, unit_price) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            item_rows,
        )
        who = stations.stamp()
        conn.executemany(
            "INSERT INTO package (id, order_id, package_reference_id, carrier_code, tracking_number, "
            "ship_date, push_state, push_message, pushed_at, created_at, updated_at, station, os_user) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(*_package_times(conn, p), who["station"], who["os_user"]) for p in pkg_rows],
        )
        conn.executemany(
            "INSERT INTO package_item (package_id, order_item_id, quantity) VALUES (?, ?, ?)", pkg_item_rows
        )
        created = "p.created_at" if conn.pg else iso_sql("p.created_at")  # seconds on SQLite: as ISO text
        conn.executemany(
            "INSERT INTO outbox (store_id, kind, ref_id, created_at, updated_at) "  # noqa: S608 - a constant
            f"SELECT o.store_id, 'confirm_shipment', p.id, {created}, {created} FROM package p "
            "JOIN orders o ON o.id = p.order_id WHERE p.push_state = 'queued' AND p.id >= ?",
            [(start_pkg,)],
        )
        conn.executemany(
            "INSERT INTO order_event (order_id, at, kind, message, station, os_user) VALUES (?, ?, ?, ?, ?, ?)",
            [(*e, who["station"], who["os_user"]) for e in event_rows],
        )
        conn.executemany(
            "INSERT INTO inventory_adjustment (product_id, warehouse_id, delta, on_hand_after, reason, source, "
            "created_at, station, os_user) VALUES (?, ?, ?, ?, ?, 'shipment', ?, ?, ?)",
            [(*a, who["station"], who["os_user"]) for a in adjustment_rows],
        )
        conn.executemany("INSERT INTO buyer_name_token (order_id, token) VALUES (?, ?)", sealer.tokens)
    conn.after_explicit_ids()
    if conn.pg:  # a workspace's server keeps statistics (autovacuum); the app's SQLite files keep none
        conn.execute("ANALYZE")
    return DemoSummary(
        stores=len(store_ids),
        products=len(product_ids),
        listings=listings,
        orders=orders,
        order_ids=tuple(examples.values()),
    )


class _Sealer:
    """Buyer fields of generated rows encrypted with the bound workspace key, as the app stores them
    (``fbm_desk.db.pii``: bytes on SQLite, ``pii1:`` text on PostgreSQL), and their blind-index rows. Test data
    only: equal values share one ciphertext and one token computation (200,000 orders stay fast); the app
    encrypts every value with its own nonce."""

    NAME, SHIP, STREET, PHONE = 16, 17, 18, 27  # positions in the generated order rows

    def __init__(self, *, pg: bool) -> None:
        self._cipher = pii.cipher()
        if self._cipher is None:
            raise RuntimeError("bind the workspace key first (fbm_desk.db.privacy.attach_workspace)")
        self._pg = pg
        self._sealed: dict[tuple[str, str], str | bytes] = {}
        self._names: dict[str, set[int]] = {}
        self.tokens: list[tuple[int, int]] = []

    def seal(self, column: str, value: str) -> str | bytes:
        key = (column, value)
        if key not in self._sealed and self._cipher is not None:
            sealed = self._cipher.encrypt if self._pg else self._cipher.encrypt_bytes
            self._sealed[key] = sealed(column, value) if value else value
        return self._sealed[key]

    def seal_row(self, row: tuple[Any, ...]) -> tuple[Any, ...]:
        out = list(row)
        name = str(row[self.NAME])
        if name:
            if name not in self._names:
                self._names[name] = self._cipher.name_tokens(name) if self._cipher else set()
            self.tokens.extend((int(row[0]), t) for t in self._names[name])
        for index, column in (
            (self.NAME, "buyer_name"),
            (self.SHIP, "ship_name"),
            (self.STREET, "ship_address1"),
            (self.PHONE, "ship_phone"),
        ):
            out[index] = self.seal(column, str(row[index]))
        return tuple(out)


def add_order(
    db: pw.Database,
    amazon_order_id: str,
    *,
    store_id: int | None = None,
    state: str = "released",
    items: tuple[tuple[str, int], ...] = (("MUG-ENAMEL-GRN", 1),),
    buyer_name: str = "Test Buyer",
    city: str = "Seattle",
    country: str = "US",
    purchase_date: str = "2026-11-20T10:00:00Z",
    latest_ship_date: str = "2026-11-30T10:00:00Z",
    needs_mapping: bool = False,
) -> int:
    """Insert one order with the given items (SKUs must exist as products unless ``needs_mapping``)."""
    conn = _Sql(db)
    status = {"held": "PENDING", "released": "UNSHIPPED", "partially_shipped": "PARTIALLY_SHIPPED"}.get(
        state, state.upper()
    )
    with db.atomic():
        if store_id is None:
            store_id = int(conn.execute("SELECT min(id) FROM store").fetchone()[0])
        held = state == "held"
        name = "" if held else buyer_name
        order_id = conn.insert(
            "INSERT INTO orders (store_id, amazon_order_id, amazon_status, state, payment_hold, "
            "needs_mapping, purchase_date, latest_ship_date, service_level, buyer_name, ship_name, "
            "ship_address1, ship_city, ship_postal_code, ship_country, imported_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'Standard', ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                store_id,
                amazon_order_id,
                status,
                state,
                1 if held else 0,
                1 if needs_mapping else 0,
                purchase_date,
                latest_ship_date,
                pii.seal("buyer_name", name),
                pii.seal("ship_name", name),
                pii.seal("ship_address1", "" if held else "1 Main St"),
                "" if held else city,
                "" if held else "98101",
                "" if held else country,
                purchase_date,
                purchase_date,
            ),
        )
        store_name_tokens({order_id: [name]}, replace=False)
        for n, (sku, qty) in enumerate(items):
            row = conn.execute("SELECT id, title FROM product WHERE sku = ?", (sku,)).fetchone()
            conn.execute(
                "INSERT INTO order_item (order_id, order_item_id, seller_sku, title, product_id, quantity, "
                "quantity_shipped) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    order_id,
                    f"{order_id:08d}{n:04d}",
                    sku,
                    row[1] if row else "",
                    row[0] if row else None,
                    qty,
                    qty if state == "shipped" else 0,
                ),
            )
        conn.execute(
            "INSERT INTO order_event (order_id, at, kind, message) VALUES (?, ?, 'imported', '')",
            (order_id, purchase_date),
        )
    return order_id


def template_folder(orders: int) -> Path:
    """Where the cached template of this schema lives: the folder name carries the migration list, so branches
    or versions with another schema never reuse (or upgrade) each other's template."""
    from fbm_desk.db.connection import MIGRATIONS

    tag = hashlib.sha256("|".join(MIGRATIONS).encode()).hexdigest()[:10]
    return Path(tempfile.gettempdir()) / f"fbm-bench-base-{orders}-{tag}"


def copy_template(template: Path, data_dir: Path) -> None:
    """A private copy of a template: its database plus what opens its buyer data (the settings naming the
    installation and, without a keyring, the fallback file holding its workspace key)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    for name in (template.name, "settings.json", "secrets-INSECURE.json"):
        if (template.parent / name).exists():
            shutil.copyfile(template.parent / name, data_dir / name)


def template_database(orders: int) -> Path:
    """A database file with ``orders`` demo orders, generated once and cached in the temp dir for the
    benchmarks (``bench_startup``, ``bench_gui_latency``); copy it with ``copy_template``. Its workspace key is
    kept in the template folder's fallback file, so every copy opens its buyer data."""
    from fbm_desk.core import build_core
    from fbm_desk.foundation.paths import AppPaths

    folder = template_folder(orders)
    paths = AppPaths(data_dir=folder, log_dir=folder / "logs")
    saved = os.environ.get("FBM_DESK_CREDENTIALS")
    os.environ["FBM_DESK_CREDENTIALS"] = "file"  # the key must outlive this process
    try:
        if (folder / "complete").exists() and paths.db_file.exists():
            build_core(paths).close()  # migrates a template made by an older schema once, not in timed runs
            return paths.db_file
        shutil.rmtree(folder, ignore_errors=True)
        started = time.perf_counter()
        core = build_core(paths)
        generate(core.db.db, orders=orders, seed=42)
        core.db.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        core.close()
    finally:
        if saved is None:
            os.environ.pop("FBM_DESK_CREDENTIALS", None)
        else:
            os.environ["FBM_DESK_CREDENTIALS"] = saved
    (folder / "complete").write_text("ok\n")
    took = time.perf_counter() - started
    print(f"generated the {orders:,}-order template {paths.db_file} in {took:.1f} s", file=sys.stderr)
    return paths.db_file
