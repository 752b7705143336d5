"""Demo mode: the app on the built-in Amazon sandbox, with a connected demo store and live data.

``start_demo(core)`` starts the sandbox in-process (alive: new orders keep arriving, PENDING ones release or
get cancelled), points ``core.spapi_config`` at it and makes sure the store "Demo Brand US" exists and holds
the sandbox's refresh token. ``DemoHandle.first_syncs(runner)`` queues the full product import and then the
orders, so every screen has data within seconds; the scheduler then runs with ``DemoHandle.time_scale`` so a
person watches orders arrive and release. ``DemoHandle.stop()`` stops the sandbox (``Services.close``
calls it).

The demo keeps its own data dir, ``<default data dir>/demo``, unless ``--data-dir`` / ``FBM_DESK_DATA_DIR``
names one: a demo never mixes its orders into a real warehouse's database by accident.

Nothing here imports Qt; the runner is only used through its ``enqueue`` method.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from fbm_desk.core import CoreServices
from fbm_desk.db import stores as store_db
from fbm_desk.db.rows import StoreRow
from fbm_desk.db.warehouses import ShipFrom, primary, update_warehouse
from fbm_desk.domain.stores import StoreOptions, add_store, replace_token
from fbm_desk.foundation.errors import NotFound
from fbm_desk.foundation.paths import ENV_DATA_DIR, AppPaths, resolve_paths
from fbm_desk.sync.base import JobKind

if TYPE_CHECKING:
    from fbm_desk.sandbox import RunningSandbox, SandboxInfo, World

log = logging.getLogger(__name__)

DEMO_STORE_NAME = "Demo Brand US"
DEMO_MARKETPLACE = "US"
DEMO_SEED = 1
# The sandbox world's pace (divides Amazon's timings): new orders every ~0.5-1.5 min, PENDING orders
# released after ~1-6 min. The client's own waits (rate pacing, polling) are divided by the same factor.
DEMO_SPEEDUP = 8.0
# The scheduler's pace: "every 30 min" becomes every 30 s, inventory every 20 s, the sweep every 6 min.
DEMO_TIME_SCALE = 60.0
FIRST_SYNCS: tuple[JobKind, ...] = (JobKind.PRODUCTS_FULL, JobKind.ORDERS)
DEMO_TRIGGER = "demo"


class _Enqueuer(Protocol):
    def enqueue(self, store_id: int, kind: JobKind | str, trigger: str = "manual") -> bool: ...


SANDBOX_STATE_FILE = "sandbox-world.json"


def demo_paths(data_dir: str | os.PathLike[str] | None = None) -> AppPaths:
    """``--data-dir`` (or ``FBM_DESK_DATA_DIR``) when given, else ``<default data dir>/demo`` (+ logs)."""
    if data_dir or os.environ.get(ENV_DATA_DIR):
        return replace(resolve_paths(data_dir), database_url=None)  # the demo keeps its own SQLite file
    default = resolve_paths(None)
    return AppPaths(data_dir=default.data_dir / "demo", log_dir=default.log_dir / "demo")


@dataclass
class DemoHandle:
    """The running demo: the sandbox, the demo store, the scheduler pace to use."""

    sandbox: RunningSandbox
    store: StoreRow
    time_scale: float
    created_store: bool
    state_file: Path | None = None  # where the sandbox world is kept between runs

    def save_world(self) -> None:
        """Keep the demo's Amazon (orders, packages, listings, authorizations) with its data folder."""
        if self.state_file is not None:
            from fbm_desk.sandbox.persistence import save_world

            try:
                save_world(self.sandbox.world, self.state_file)
            except OSError as exc:
                log.warning("The demo's sandbox state could not be saved: %s", exc)

    @property
    def endpoint(self) -> str:
        return self.sandbox.info.endpoint

    def first_syncs(self, runner: _Enqueuer) -> list[JobKind]:
        """Queue the full product import, then the orders, for the demo store. Returns what was queued."""
        return [kind for kind in FIRST_SYNCS if runner.enqueue(self.store.id, kind, DEMO_TRIGGER)]

    def stop(self) -> None:
        """Stop the sandbox (idempotent), keeping its world for the next start. Stop the runner first: running
        jobs would see connection errors."""
        self.save_world()
        self.sandbox.stop()
        log.info("Demo sandbox stopped")


def start_demo(
    core: CoreServices,
    *,
    speedup: float = DEMO_SPEEDUP,
    time_scale: float = DEMO_TIME_SCALE,
    seed: int = DEMO_SEED,
    port: int = 0,
) -> DemoHandle:
    """Start the sandbox, point ``core`` at it and make sure the demo store exists and is connected.

    Call it before the first sync of the process: the shared rate limiter takes its pace from the config.
    Raises ``OSError`` when the sandbox cannot listen; ``FbmError`` when the store cannot be stored.
    """
    from fbm_desk.sandbox import start_sandbox
    from fbm_desk.sandbox.persistence import load_world

    sandbox = start_sandbox(port=port, seed=seed, speedup=speedup, alive=True)
    state_file = core.paths.data_dir / SANDBOX_STATE_FILE
    try:
        if not load_world(sandbox.world, state_file):  # a restart continues the same world
            _show_order_details(sandbox.world)
        info = sandbox.info
        core.spapi_config = replace(
            core.spapi_config,
            client_id=info.client_id,
            client_secret=info.client_secret,
            application_id=info.application_id,
            lwa_token_url=info.lwa_token_url,
            spapi_endpoint=info.endpoint,
            seller_central_url=info.seller_central_url,
            speedup=speedup,
        )
        store, created = _ensure_demo_store(core, info)
        _ensure_ship_from()
    except BaseException:
        sandbox.stop()
        raise
    log.info(
        "Demo mode: sandbox at %s, store #%d (%s)", info.endpoint, store.id, "new" if created else "kept"
    )
    return DemoHandle(
        sandbox=sandbox, store=store, time_scale=time_scale, created_store=created, state_file=state_file
    )


def _show_order_details(world: World) -> None:
    """Give a few open orders what real sellers meet (a buyer's cancellation request, Premium with a PO number,
    a replacement, a pickup-point address), as part of their seeded history (not a change just now)."""
    open_ids = sorted(world.order_ids("UNSHIPPED", "MERCHANT"))[:4]
    if len(open_ids) < 4:
        return
    cancel, premium, replacement, pickup = open_ids
    stamps = {oid: world.orders[oid].last_updated for oid in open_ids}
    world.request_cancellation(cancel, reason="Ordered the wrong size")
    world.set_order_details(premium, programs=["PREMIUM"], buyer_po_number="PO-20931")
    world.set_order_details(
        replacement,
        associated_orders=[{"orderId": cancel, "associationType": "REPLACEMENT_ORIGINAL_ID"}],
    )
    world.set_order_details(
        pickup,
        address={
            "addressType": "PICKUP_POINT",
            "deliveryPreference": {"dropOffLocation": "Parcel locker 12", "addressInstruction": "Code 4711"},
        },
    )
    with world.lock:
        for oid, stamp in stamps.items():
            world.orders[oid].last_updated = stamp


def _ensure_ship_from() -> None:
    """The demo warehouse ships from an invented address, so Buy label works at once (issue 18)."""
    house = primary()
    if not house.ship_from.address1:
        demo = ShipFrom("Maple & Pine Goods", "100 Main St", "", "Springfield", "IL", "62701", "US", "")
        update_warehouse(house.id, ship_from=demo)


def _ensure_demo_store(core: CoreServices, info: SandboxInfo) -> tuple[StoreRow, bool]:
    try:
        existing = store_db.find_store(DEMO_STORE_NAME)
    except NotFound:
        existing = None
    if existing is None:
        store = add_store(
            core,
            name=DEMO_STORE_NAME,
            marketplace=DEMO_MARKETPLACE,
            selling_partner_id=info.selling_partner_id,
            refresh_token=info.refresh_token,
            options=StoreOptions(import_pending=True, starting_inventory="match"),
        )
        return store, True
    if existing.selling_partner_id != info.selling_partner_id:
        # Only the demo store, found by name: a newer sandbox may use another seller id.
        existing = store_db.update_store(existing.id, selling_partner_id=info.selling_partner_id)
    token_ok = core.credentials.get_refresh_token(existing.id) == info.refresh_token
    if token_ok and existing.is_active:
        return existing, False
    return replace_token(core, existing.id, info.refresh_token, info.selling_partner_id), False


def describe(handle: DemoHandle, data_dir: Path) -> str:
    """One status-bar line for the main window."""
    return (
        f"Demo mode: built-in Amazon sandbox at {handle.endpoint} · store '{handle.store.name}' · "
        f"data in {data_dir}"
    )
