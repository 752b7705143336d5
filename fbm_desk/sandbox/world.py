"""The sandbox's stateful Amazon: one demo seller, its listings and orders, documents, reports and feeds.

Deterministic for a given seed (apart from absolute times, which are relative to "now"). Every change to an
order bumps its ``lastUpdatedTime`` so ``lastUpdatedAfter`` queries see it. The control methods here are the
Python face of the ``/_sandbox/…`` HTTP control API.

``alive=True`` (demo mode) lets the world move on its own: PENDING orders release (their address appears),
a few get cancelled, and new orders arrive every so often; all timers are scaled by the speed-up. With
``alive=False`` (tests) the orders only change through the API and the control methods.
"""

from __future__ import annotations

import random
import threading
import uuid
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from fbm_desk.sandbox import generate, seed_data
from fbm_desk.sandbox.auth import AuthState
from fbm_desk.sandbox.clock import Clock, iso
from fbm_desk.sandbox.documents import Presigner
from fbm_desk.sandbox.faults import FaultBook
from fbm_desk.sandbox.model import Document, Job, Listing, Order, Package
from fbm_desk.sandbox.order_controls import OrderDetailControls
from fbm_desk.sandbox.ratelimit import Throttle
from fbm_desk.sandbox.report_dialects import check_seed
from fbm_desk.sandbox.shipping_desk import ShippingControls

DEFAULT_ORDER_COUNT = 300
PENDING_RELEASE_SECONDS = (10 * 60, 45 * 60)  # Amazon seconds until a PENDING order is released
ARRIVAL_SECONDS = (4 * 60, 12 * 60)  # Amazon seconds between new orders (alive mode)
MAX_ARRIVALS_PER_TICK = 25
CANCEL_ODDS = 0.08  # of a PENDING order being cancelled instead of released (alive mode)


class World(OrderDetailControls, ShippingControls):
    def __init__(
        self,
        *,
        seed: int = 1,
        speedup: float = 1.0,
        rate_limits: bool = True,
        alive: bool = False,
        order_count: int | None = None,
        report_headers: str = "english",
        report_outcome: str = "DONE",
    ) -> None:
        check_seed(report_headers, report_outcome)
        self.report_headers = report_headers  # sandbox/report_dialects.py
        self.report_outcome = report_outcome  # how every listings report ends: DONE, CANCELLED or FATAL
        self.feed_processing_seconds = 4.0  # Amazon seconds a feed stays IN_PROGRESS (Amazon: minutes)
        self.lock = threading.RLock()
        self.seed = seed
        self.alive = alive
        self.clock = Clock(speedup)
        self.rng = random.Random(seed)
        self.seller_id = seed_data.SELLER_ID
        self.marketplace_ids = seed_data.MARKETPLACE_IDS
        self.auth = AuthState(self.clock, self.seller_id, seed)
        self.throttle = Throttle(self.clock, enabled=rate_limits)
        self.faults = FaultBook()
        self.documents: dict[str, Document] = {}
        self.presigner = Presigner(self.clock, f"sandbox-s3-{seed}".encode())
        self.reports: dict[str, Job] = {}
        self.feeds: dict[str, Job] = {}
        self.consents: dict[str, tuple[str, str]] = {}  # consent page id -> (state, redirect_uri)
        self.pushed_shipments: list[dict[str, Any]] = []
        self.pushed_patches: list[dict[str, Any]] = []
        self.pushed_feed_messages: list[dict[str, Any]] = []
        self.calls: Counter[str] = Counter()
        self.throttled: Counter[str] = Counter()
        self.base_url = ""  # set by the server once it listens (presigned URLs point at it)
        now = self.clock.now()
        self.listings: dict[str, Listing] = {lst.sku: lst for lst in generate.make_listings(self.rng, now)}
        self.orders: dict[str, Order] = {}
        self._seed_orders(DEFAULT_ORDER_COUNT if order_count is None else order_count, now)
        self._next_arrival = self.clock.mono() + self._arrival_gap()

    # --- generation ----------------------------------------------------------------------------------------
    def _seed_orders(self, count: int, now: datetime) -> None:
        listings = list(self.listings.values())
        for _ in range(count):
            age = timedelta(days=25) * (self.rng.random() ** 1.6)  # more recent orders than old ones
            created = now - age - timedelta(minutes=3)
            fulfilled_by = "AMAZON" if self.rng.random() < 0.12 else "MERCHANT"
            status = generate.pick_status(self.rng, age.total_seconds() / 86400, fulfilled_by)
            marketplace = (
                self.rng.choice(self.marketplace_ids) if self.rng.random() < 0.3 else "ATVPDKIKX0DER"
            )
            order = generate.make_order(
                self.rng,
                created=created,
                marketplace_id=marketplace,
                listings=listings,
                status=status,
                fulfilled_by=fulfilled_by,
            )
            self._clamp(order, now)
            self._schedule_release(order)
            self.orders[order.order_id] = order

    def _clamp(self, order: Order, now: datetime) -> None:
        """Seeded history must lie in the past (≥ 2 minutes, so ``*Before`` windows see it)."""
        latest = now - timedelta(minutes=2)
        if order.last_updated > latest:
            order.last_updated = max(order.created, latest)
        for package in order.packages:
            package.ship_time = min(package.ship_time, order.last_updated)
            package.created = package.ship_time

    def _schedule_release(self, order: Order) -> None:
        if order.status == "PENDING":
            order.release_at = self.clock.mono() + self.clock.scaled(
                self.rng.uniform(*PENDING_RELEASE_SECONDS)
            )

    def _arrival_gap(self) -> float:
        return self.clock.scaled(self.rng.uniform(*ARRIVAL_SECONDS))

    def touch(self, order: Order) -> None:
        """Record a change: lastUpdatedTime moves forward (strictly, so cursors never miss it)."""
        now = self.clock.now()
        order.last_updated = max(now, order.last_updated + timedelta(milliseconds=1))

    # --- time passing ------------------------------------------------------------------------------------
    def tick(self) -> None:
        """Apply everything that became due (alive mode only): releases, cancellations, new orders."""
        if not self.alive:
            return
        with self.lock:
            mono = self.clock.mono()
            for order in list(self.orders.values()):
                if order.status == "PENDING" and order.release_at is not None and order.release_at <= mono:
                    order.release_at = None
                    order.status = "CANCELLED" if self.rng.random() < CANCEL_ODDS else "UNSHIPPED"
                    self.touch(order)
            arrivals = 0
            while self._next_arrival <= mono:
                self._next_arrival += self._arrival_gap()
                arrivals += 1
                if arrivals > MAX_ARRIVALS_PER_TICK:  # a big ``advance`` must not flood the world
                    self._next_arrival = mono + self._arrival_gap()
                    break
                order_id = self.add_order(status="PENDING" if self.rng.random() < 0.5 else "UNSHIPPED")
                for item in self.orders[order_id].items:  # a sale takes the units off the offer, like Amazon
                    listing = self.listings[item.sku]
                    if not listing.is_fba:
                        listing.quantity = max(0, listing.quantity - item.quantity)

    # --- control: orders ---------------------------------------------------------------------------------
    def add_order(
        self,
        *,
        skus: list[str] | dict[str, int] | None = None,
        status: str = "UNSHIPPED",
        fulfilled_by: str = "MERCHANT",
        marketplace_id: str = "ATVPDKIKX0DER",
    ) -> str:
        """Create an order now. ``skus``: a list (1 unit each) or {sku: quantity}; default random lines.
        A SKU without a listing is allowed (an "unknown SKU" order for the app)."""
        with self.lock:
            specs = None
            if skus is not None:
                wanted = {s: 1 for s in skus} if isinstance(skus, list) else dict(skus)
                specs = [(self.listings.get(s) or self._unlisted(s), int(q)) for s, q in wanted.items()]
            if marketplace_id not in self.marketplace_ids:
                raise KeyError(f"the demo seller does not sell in marketplace {marketplace_id}")
            now = self.clock.now()
            order = generate.make_order(
                self.rng,
                created=now,
                marketplace_id=marketplace_id,
                listings=list(self.listings.values()),
                status=status,
                fulfilled_by=fulfilled_by,
                item_specs=specs,
            )
            order.last_updated = now
            for package in order.packages:
                package.ship_time = package.created = now
            self._schedule_release(order)
            self.orders[order.order_id] = order
            return order.order_id

    def _unlisted(self, sku: str) -> Listing:
        """An item the seller has no listing for (e.g. deleted since): orders can still carry it."""
        now = self.clock.now()
        return Listing(
            sku=sku,
            asin=generate.make_asin(self.rng),
            title=f"Unlisted item {sku}",
            product_type="PRODUCT",
            price="9.99",
            fulfillment_channel="DEFAULT",
            quantity=0,
            created=now,
            last_updated=now,
        )

    def add_orders(self, count: int, **kwargs: Any) -> list[str]:
        return [self.add_order(**kwargs) for _ in range(int(count))]

    def generate_orders(
        self, count: int, *, fulfilled_by: str = "MERCHANT", status: str = "UNSHIPPED"
    ) -> int:
        """Bulk orders for benchmarks: created over the last 20 days, all ≥ 3 minutes in the past."""
        with self.lock:
            now = self.clock.now()
            listings = [lst for lst in self.listings.values() if not lst.is_fba]
            for i in range(int(count)):
                created = now - timedelta(minutes=3) - timedelta(seconds=(i * 17) % (20 * 86400))
                order = generate.make_order(
                    self.rng,
                    created=created,
                    marketplace_id="ATVPDKIKX0DER",
                    listings=listings,
                    status=status,
                    fulfilled_by=fulfilled_by,
                )
                self._clamp(order, now)
                self.orders[order.order_id] = order
            return int(count)

    def _order(self, order_id: str) -> Order:
        order = self.orders.get(order_id)
        if order is None:
            raise KeyError(f"no such order {order_id}")
        return order

    def release_order(self, order_id: str) -> None:
        with self.lock:
            order = self._order(order_id)
            if order.status != "PENDING":
                raise ValueError(f"order {order_id} is {order.status}, not PENDING")
            order.status, order.release_at = "UNSHIPPED", None
            self.touch(order)

    def cancel_order(self, order_id: str) -> None:
        with self.lock:
            order = self._order(order_id)
            if order.status in ("SHIPPED", "CANCELLED"):
                raise ValueError(f"order {order_id} is {order.status} and cannot be cancelled")
            order.status, order.release_at = "CANCELLED", None
            self.touch(order)

    def ship_elsewhere(self, order_id: str, carrier: str = "UPS", tracking_number: str = "") -> str:
        """Ship every unshipped unit as if confirmed in Seller Central; returns the packageReferenceId."""
        with self.lock:
            order = self._order(order_id)
            if order.status not in ("UNSHIPPED", "PARTIALLY_SHIPPED"):
                raise ValueError(f"order {order_id} is {order.status} and cannot be shipped")
            now = self.clock.now()
            ref = str(len(order.packages) + 1)
            items = [(i.order_item_id, i.unshipped) for i in order.items if i.unshipped > 0]
            for item in order.items:
                item.shipped = item.quantity
            tracking = tracking_number or generate.make_tracking(self.rng, "1Z")
            order.packages.append(Package(ref, carrier, tracking, now, now, "Ground", items))
            order.status = "SHIPPED"
            self.touch(order)
            return ref

    def order_state(self, order_id: str) -> dict[str, Any]:
        with self.lock:
            order = self._order(order_id)
            return {
                "order_id": order.order_id,
                "status": order.status,
                "fulfilled_by": order.fulfilled_by,
                "marketplace_id": order.marketplace_id,
                "last_updated": iso(order.last_updated),
                "items": [
                    {
                        "order_item_id": i.order_item_id,
                        "sku": i.sku,
                        "quantity": i.quantity,
                        "shipped": i.shipped,
                    }
                    for i in order.items
                ],
                "packages": [
                    {
                        "package_reference_id": p.package_reference_id,
                        "carrier": p.carrier,
                        "tracking_number": p.tracking_number,
                        "items": [list(x) for x in p.items],
                    }
                    for p in order.packages
                ],
            }

    def order_ids(self, status: str | None = None, fulfilled_by: str | None = None) -> list[str]:
        with self.lock:
            return [
                o.order_id
                for o in self.orders.values()
                if (status is None or o.status == status)
                and (fulfilled_by is None or o.fulfilled_by == fulfilled_by)
            ]

    # --- control: listings -------------------------------------------------------------------------------
    def set_listing_quantity(self, sku: str, quantity: int) -> None:
        with self.lock:
            listing = self.listings[sku]
            listing.quantity = int(quantity)
            listing.last_updated = self.clock.now()

    def add_listing(
        self,
        sku: str,
        title: str,
        *,
        product_type: str = "PRODUCT",
        price: str = "19.99",
        quantity: int = 10,
        fulfillment_channel: str = "DEFAULT",
    ) -> str:
        """Add a listing created now (shows up in searchListingsItems createdAfter). Returns its ASIN."""
        with self.lock:
            if sku in self.listings:
                raise ValueError(f"SKU {sku} already exists")
            now = self.clock.now()
            listing = Listing(
                sku=sku,
                asin=generate.make_asin(self.rng),
                title=title,
                product_type=product_type,
                price=price,
                fulfillment_channel=fulfillment_channel,
                quantity=int(quantity),
                created=now,
                last_updated=now,
                listing_id=f"{self.rng.randint(10**9, 10**10 - 1)}NEW",
            )
            self.listings[sku] = listing
            return listing.asin

    def seed_reports(
        self, headers: str = "english", outcome: str = "DONE", feed_seconds: float | None = None
    ) -> None:
        """How later listings reports read (header dialect) and end (DONE, CANCELLED or FATAL); how long
        feeds stay IN_PROGRESS (Amazon seconds; Amazon sometimes takes very long)."""
        check_seed(headers, outcome)
        with self.lock:
            self.report_headers, self.report_outcome = headers, outcome
            if feed_seconds is not None:
                self.feed_processing_seconds = float(feed_seconds)

    def listing_quantity(self, sku: str) -> int:
        with self.lock:
            return self.listings[sku].quantity

    # --- control: faults, tokens, read-back ---------------------------------------------------------------
    def inject_fault(self, operation: str, kind: str, count: int = 1, delay: float = 2.0) -> None:
        self.faults.inject(operation, kind, int(count), float(delay))

    def clear_faults(self) -> None:
        self.faults.clear()

    def expire_access_tokens(self) -> int:
        return self.auth.expire_access_tokens()

    def revoke_refresh_token(self, refresh_token: str | None = None) -> int:
        return self.auth.revoke_refresh_token(refresh_token)

    def register_redirect_uri(self, uri: str) -> None:
        if not uri.startswith("https://"):
            raise ValueError("Amazon registers https redirect URIs only")
        self.auth.redirect_uris.append(uri)

    def advance(self, seconds: float) -> None:
        """Pretend ``seconds`` real seconds passed (timers, token/code/URL expiry), then apply what is due."""
        self.clock.advance(float(seconds))
        self.tick()

    def pushed(self) -> dict[str, list[dict[str, Any]]]:
        with self.lock:
            return {
                "shipments": list(self.pushed_shipments),
                "listing_patches": list(self.pushed_patches),
                "feed_messages": list(self.pushed_feed_messages),
            }

    def counters(self) -> dict[str, dict[str, int]]:
        with self.lock:
            return {"calls": dict(self.calls), "throttled": dict(self.throttled)}

    def reset_counters(self) -> None:
        with self.lock:
            self.calls.clear()
            self.throttled.clear()

    # --- documents -----------------------------------------------------------------------------------------
    def new_document(self, prefix: str) -> Document:
        doc = Document(document_id=f"{prefix}.{uuid.UUID(int=self.rng.getrandbits(128))}")
        self.documents[doc.document_id] = doc
        return doc
