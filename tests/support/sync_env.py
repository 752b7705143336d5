"""Helpers for sync tests: a core on a sandbox, a store for its demo seller (or an offline one), "settling"
Amazon changes.

Amazon lists a change about two minutes late, and the client never asks for anything younger than two minutes
(``lastUpdatedBefore`` >= 2 min in the past). ``settle`` moves an order's ``lastUpdatedTime`` three minutes
back in the sandbox, as if the change had happened three minutes ago: the next incremental sync must still see
it thanks to its overlap window (cursor - 5 min).
"""

from __future__ import annotations

from datetime import timedelta

from fbm_desk.core import CoreServices, build_core
from fbm_desk.db import stores as store_db
from fbm_desk.db.rows import StoreRow
from fbm_desk.domain.stores import StoreOptions, add_store
from fbm_desk.foundation.paths import AppPaths
from fbm_desk.sandbox import RunningSandbox


def make_core(app_paths: AppPaths, sandbox: RunningSandbox) -> CoreServices:
    return build_core(app_paths, spapi_config=sandbox.spapi_config())


def insert_us_store(name: str, seller: str, status: str = "connected") -> StoreRow:
    """A US store row straight in the database (no Amazon, no token): for runner, scheduler and health tests."""
    return store_db.insert_store(
        name=name, marketplace_id="ATVPDKIKX0DER", region="NA", selling_partner_id=seller, status=status
    )


def make_store(
    core: CoreServices, sandbox: RunningSandbox, name: str = "Demo US", **options: object
) -> StoreRow:
    return add_store(
        core,
        name=name,
        marketplace="US",
        selling_partner_id=sandbox.info.selling_partner_id,
        refresh_token=sandbox.info.refresh_token,
        options=StoreOptions(**options),  # type: ignore[arg-type]
    )


def settle(sandbox: RunningSandbox, *order_ids: str, minutes: float = 3.0) -> None:
    """Pretend the orders' latest change happened ``minutes`` ago (see the module docstring)."""
    world = sandbox.world
    with world.lock:
        for order_id in order_ids:
            order = world.orders[order_id]
            order.last_updated -= timedelta(minutes=minutes)
            order.created = min(order.created, order.last_updated)
            for package in order.packages:
                package.ship_time = min(package.ship_time, order.last_updated)


def merchant_skus(sandbox: RunningSandbox, count: int = 3) -> list[str]:
    """Active merchant-fulfilled SKUs of the sandbox seller."""
    listings = [lst for lst in sandbox.world.listings.values() if not lst.is_fba and lst.status == "Active"]
    return [lst.sku for lst in sorted(listings, key=lambda x: x.sku)[:count]]
