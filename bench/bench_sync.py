"""Sync benchmark: SP-API calls per sync against the protocol minimum, and order-import throughput.

Part 1 — calls (the built-in sandbox with Amazon's real rate limits, app and sandbox both sped up by the same
factor, so the client's pacing meets the sandbox's buckets exactly as it would meet Amazon's):

* first ``orders`` sync of N open orders: ceil(N / 100) searchOrders pages, zero per-order calls;
* ``orders`` again after C orders changed (canceled / released / shipped elsewhere): ceil(C / 100) pages;
* ``orders`` with nothing changed: 1 page (the empty window);
* ``products-full``: createReport + getReport polls + getReportDocument;
* ``inventory`` after K on-hand changes (K <= 200): K patchListingsItem calls; again with nothing changed: 0;
* drift correction: ``products-full`` read after Amazon applied every push, then ``inventory``: 0 calls;
  D quantities changed on Amazon (Seller Central), ``products-full``, ``inventory``: D calls (only those SKUs);
* ``shipments`` after P packages were recorded: P confirmShipment calls; again: 0;
* 429 answers: 0 everywhere.

Part 2 — import throughput: the app's page writer (``apply_orders_page``: upserts, SKU mapping, events, one
transaction per 100-order page) on the same 10,000 parsed orders, next to a raw ``sqlite3`` ``executemany``
insert of the same order and item rows into the same schema (the floor), measured in the same run.

    .venv/bin/python bench/bench_sync.py [--orders 10000] [--changed 250] [--speedup 2000] [--json]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("FBM_DESK_CREDENTIALS", "memory")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fbm_desk.amazon.types import AmazonOrder
from fbm_desk.core import CoreServices, build_core
from fbm_desk.db import checkpoints, open_database
from fbm_desk.db.cursors import iso_utc
from fbm_desk.db.inventory import set_on_hand
from fbm_desk.db.models import database_proxy
from fbm_desk.db.order_import import apply_orders_page
from fbm_desk.db.privacy import attach_workspace
from fbm_desk.db.stock import pending_pushes
from fbm_desk.db.stores import get_store, insert_store
from fbm_desk.domain.packing import record_package
from fbm_desk.domain.stores import add_store
from fbm_desk.foundation.credentials import Credentials, MemoryStore
from fbm_desk.foundation.paths import AppPaths
from fbm_desk.sandbox import RunningSandbox, start_sandbox
from fbm_desk.sync.base import JobKind, SyncResult
from fbm_desk.sync.execute import run_job

PAGE = 100


def shift_back(sb: RunningSandbox, order_ids: list[str], minutes: float) -> None:
    """Amazon lists changes ~2 min late: date the changes back so the next window surely holds them."""
    with sb.world.lock:
        for order_id in order_ids:
            order = sb.world.orders[order_id]
            order.last_updated -= timedelta(minutes=minutes)
            order.created = min(order.created, order.last_updated)
            for package in order.packages:
                package.ship_time = min(package.ship_time, order.last_updated)


def time_passes(sb: RunningSandbox, store_id: int, minutes: float) -> None:
    """Let ``minutes`` pass for the orders job: every Amazon timestamp and the store's cursor move back.

    (The client never asks for anything younger than two minutes and the sync re-reads five minutes before
    its cursor, so back-to-back runs would otherwise keep re-reading the same fresh changes.)"""
    from fbm_desk.db.cursors import get_cursor, set_cursor

    shift_back(sb, list(sb.world.orders), minutes)
    cursor = get_cursor(store_id, "orders")
    if cursor is not None:
        set_cursor(store_id, "orders", cursor - timedelta(minutes=minutes))


def sync(core: CoreServices, store_id: int, kind: JobKind) -> tuple[SyncResult, float]:
    started = time.perf_counter()
    result = run_job(core, get_store(store_id), kind, trigger="bench")
    if result.status != "ok":
        raise SystemExit(f"{kind.value} failed: {result.error}")
    return result, time.perf_counter() - started


def part_calls(
    orders: int, changed: int, speedup: float, workdir: Path
) -> tuple[list[dict[str, Any]], list[Any]]:
    rows: list[dict[str, Any]] = []
    sb = start_sandbox(order_count=0, speedup=speedup, rate_limits=True)
    try:
        world = sb.world
        world.generate_orders(orders)
        shift_back(sb, list(world.orders), 60)  # nothing near the window edges
        data = workdir / "calls"
        core = build_core(AppPaths(data_dir=data, log_dir=data / "logs"), spapi_config=sb.spapi_config())
        store = add_store(
            core,
            name="Bench US",
            marketplace="US",
            selling_partner_id=sb.info.selling_partner_id,
            refresh_token=sb.info.refresh_token,
        )

        def record(name: str, result: SyncResult, seconds: float, minimum: int, what: str) -> None:
            rows.append(
                {
                    "step": name,
                    "api_calls": result.api_calls,
                    "minimum": minimum,
                    "throttled": result.throttled,
                    "fetched": result.fetched,
                    "created": result.created,
                    "updated": result.updated,
                    "seconds": round(seconds, 2),
                    "minimum_is": what,
                }
            )

        result, secs = sync(core, store.id, JobKind.PRODUCTS_FULL)
        # createReport + at least one getReport + getReportDocument (each poll is one more getReport)
        record("products-full (3 + report status polls)", result, secs, 3, "create + get + document")
        result, secs = sync(core, store.id, JobKind.ORDERS)
        record(
            f"orders (first, {orders} open)", result, secs, math.ceil(orders / PAGE), "1 page / 100 orders"
        )
        captured = [o for o in world.orders]
        time_passes(sb, store.id, 30)
        # C changes: a third canceled, a third shipped in Seller Central, the rest get a later update time
        ids = captured[:changed]
        for n, order_id in enumerate(ids):
            if n % 3 == 0:
                world.cancel_order(order_id)
            elif n % 3 == 1:
                world.ship_elsewhere(order_id)
            else:
                with world.lock:
                    world.touch(world.orders[order_id])
        for n, order_id in enumerate(ids):  # changes spread over the 30 minutes between two runs
            shift_back(sb, [order_id], 3 + 27 * n / max(1, len(ids)))
        result, secs = sync(core, store.id, JobKind.ORDERS)
        record(f"orders ({changed} changed)", result, secs, math.ceil(changed / PAGE), "1 page / 100 changes")
        time_passes(sb, store.id, 30)
        result, secs = sync(core, store.id, JobKind.ORDERS)
        record("orders (30 min later, nothing changed)", result, secs, 1, "1 empty page")
        result, secs = sync(core, store.id, JobKind.INVENTORY)
        first_push = result.api_calls
        record(
            "inventory (first: sends what differs)",
            result,
            secs,
            result.updated + result.rejected,
            "1/SKU sent",
        )
        result, secs = sync(core, store.id, JobKind.INVENTORY)
        record("inventory (nothing changed)", result, secs, 0, "0")
        skus = sorted(lst.sku for lst in world.listings.values() if not lst.is_fba)[:20]
        for n, sku in enumerate(skus):
            set_on_hand(sku, 100_000 + n)
        due = len(pending_pushes(store.id))
        result, secs = sync(core, store.id, JobKind.INVENTORY)
        record(f"inventory ({due} SKUs changed)", result, secs, due, "1 patch / changed SKU")
        _drift_steps(core, sb, store.id, record)
        open_ids = [o for o in captured[changed : changed + 30]]
        for order_id in open_ids:
            record_package(core, order_id, "UPS", f"1Z999AA1{abs(hash(order_id)) % 10**10:010d}")
        result, secs = sync(core, store.id, JobKind.SHIPMENTS)
        record(
            f"shipments ({len(open_ids)} packages)", result, secs, len(open_ids), "1 confirmShipment / pkg"
        )
        result, secs = sync(core, store.id, JobKind.SHIPMENTS)
        record("shipments (nothing queued)", result, secs, 0, "0")
        counters = world.counters()
        rows.append(
            {"step": "sandbox 429 answers (all operations)", "throttled": sum(counters["throttled"].values())}
        )
        del first_push
        pages = _capture_pages(sb)
        core.close()
        return rows, pages
    finally:
        sb.stop()


def _pushes_long_ago(minutes: int = 30) -> None:
    """Our pushes happened ``minutes`` ago: Amazon has applied them before the next report is read."""
    then = iso_utc(datetime.now(UTC) - timedelta(minutes=minutes))
    database_proxy.execute_sql("UPDATE listing SET pushed_at = ? WHERE pushed_at IS NOT NULL", [then])


def _drift_steps(core: CoreServices, sb: RunningSandbox, store_id: int, record: Any) -> None:
    """Drift correction costs calls only for the SKUs Amazon shows differently."""
    _pushes_long_ago()
    result, secs = sync(core, store_id, JobKind.PRODUCTS_FULL)
    record("products-full (daily report, no drift)", result, secs, 3, "create + get + document")
    result, secs = sync(core, store_id, JobKind.INVENTORY)
    record("inventory (after the report, no drift)", result, secs, 0, "0")
    drifted = sorted(lst.sku for lst in sb.world.listings.values() if not lst.is_fba)[-5:]
    for sku in drifted:
        sb.world.set_listing_quantity(sku, sb.world.listing_quantity(sku) + 40)  # changed in Seller Central
    _pushes_long_ago()
    result, secs = sync(core, store_id, JobKind.PRODUCTS_FULL)
    record("products-full (5 changed on Amazon)", result, secs, 3, "create + get + document")
    result, secs = sync(core, store_id, JobKind.INVENTORY)
    record(f"inventory ({len(drifted)} drifted SKUs)", result, secs, len(drifted), "1 patch / drifted SKU")


def _capture_pages(sb: RunningSandbox) -> list[Any]:
    """The parsed searchOrders pages of every order (rate limits off for this read)."""
    from fbm_desk.amazon.client import SpApiClient
    from fbm_desk.amazon.ratelimit import RateLimiter

    sb.world.throttle.enabled = False
    client = SpApiClient(
        sb.spapi_config(),
        refresh_token=sb.info.refresh_token,
        selling_partner_id=sb.info.selling_partner_id,
        region="NA",
        limiter=RateLimiter(speedup=1e9),
    )
    now = datetime.now(UTC)
    return [
        p.orders
        for p in client.search_orders(
            ["ATVPDKIKX0DER"], last_updated_after=now - timedelta(days=30), last_updated_before=now
        )
    ]


def part_throughput(pages: list[tuple[AmazonOrder, ...]], workdir: Path) -> dict[str, Any]:
    orders = [o for page in pages for o in page]
    items = sum(len(o.items) for o in orders)
    # the app's writer, page by page, into a fresh database
    app_db = workdir / "app.sqlite3"
    opened = open_database(app_db)
    attach_workspace(Credentials(MemoryStore()))  # buyer fields encrypted, as in the app
    store = insert_store(name="T", marketplace_id="ATVPDKIKX0DER", region="NA", selling_partner_id="S")
    stamp = iso_utc(datetime.now(UTC))
    started = time.perf_counter()
    for page in pages:
        apply_orders_page(store, page, now=stamp)
    # the pages' checkpoints run on a thread of their own: what they left is done within the timing
    with checkpoints.paused():
        database_proxy.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    app_s = time.perf_counter() - started
    started = time.perf_counter()
    for page in pages:  # the same pages again: the idempotent re-read of an overlap window
        apply_orders_page(store, page, now=stamp)
    reread_s = time.perf_counter() - started
    with database_proxy.atomic():
        imported = database_proxy.execute_sql("SELECT count(*) FROM orders").fetchone()[0]
    opened.close()
    # the floor: the same rows with one executemany per table into the same schema
    floor_db = workdir / "floor.sqlite3"
    open_database(floor_db).close()
    conn = sqlite3.connect(str(floor_db))
    conn.execute("PRAGMA journal_mode=wal")
    conn.execute("PRAGMA synchronous=normal")
    conn.execute(
        "INSERT INTO store (name, marketplace_id, region, selling_partner_id, created_at) "
        "VALUES ('T','M','NA','S','x')"
    )
    order_rows = [
        (
            1,
            o.order_id,
            o.marketplace_id,
            o.fulfillment_status,
            "released",
            iso_utc(o.created_time),
            iso_utc(o.last_updated_time),
            (o.address.name if o.address else ""),
            stamp,
            stamp,
        )
        for o in orders
    ]
    started = time.perf_counter()
    with conn:
        conn.executemany(
            "INSERT INTO orders (store_id, amazon_order_id, marketplace_id, amazon_status, state, "
            "purchase_date, amazon_updated_at, ship_name, imported_at, updated_at) "
            "VALUES (?,?,?,?,?,?,?,?,?,?)",
            order_rows,
        )
        ids = dict(conn.execute("SELECT amazon_order_id, id FROM orders"))
        conn.executemany(
            "INSERT INTO order_item (order_id, order_item_id, seller_sku, quantity) VALUES (?,?,?,?)",
            [
                (ids[o.order_id], i.order_item_id, i.seller_sku, i.quantity_ordered)
                for o in orders
                for i in o.items
            ],
        )
    floor_s = time.perf_counter() - started
    conn.close()
    return {
        "orders": len(orders),
        "items": items,
        "imported": imported,
        "app_import_s": round(app_s, 3),
        "app_orders_per_s": round(len(orders) / app_s),
        "app_reread_s": round(reread_s, 3),
        "raw_floor_s": round(floor_s, 3),
        "raw_floor_orders_per_s": round(len(orders) / floor_s),
        "ratio_app_to_floor": round(app_s / floor_s, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--changed", type=int, default=250)
    parser.add_argument("--speedup", type=float, default=2000.0, help="for the sandbox and the app alike")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="fbm-bench-sync-"))
    try:
        t0 = time.perf_counter()
        calls, pages = part_calls(args.orders, args.changed, args.speedup, workdir)
        throughput = part_throughput(pages, workdir)
        report = {
            "orders": args.orders,
            "speedup": args.speedup,
            "calls": calls,
            "throughput": throughput,
            "wall_s": round(time.perf_counter() - t0, 1),
        }
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"Sync API calls (real rate limits, speed-up x{args.speedup:g} on both sides)")
    print(f"{'step':42} {'calls':>6} {'min':>5} {'429s':>5} {'fetched':>8} {'secs':>7}")
    for row in calls:
        if "api_calls" not in row:
            print(f"{row['step']:42} {'':>6} {'':>5} {row['throttled']:>5}")
            continue
        polls = row["step"].startswith("products-full")  # (report status polls vary)
        ok = row["api_calls"] >= row["minimum"] if polls else row["api_calls"] == row["minimum"]
        flag = "" if ok else "  <-- above minimum"
        print(
            f"{row['step']:42} {row['api_calls']:>6} {row['minimum']:>5} {row['throttled']:>5} "
            f"{row['fetched']:>8} {row['seconds']:>7}{flag}"
        )
    t = throughput
    print()
    print(f"Import throughput ({t['orders']} orders, {t['items']} items)")
    print(f"  app page writer : {t['app_import_s']:>7} s  ({t['app_orders_per_s']} orders/s)")
    print(f"  re-read (no-op) : {t['app_reread_s']:>7} s")
    print(f"  raw executemany : {t['raw_floor_s']:>7} s  ({t['raw_floor_orders_per_s']} orders/s)")
    print(f"  ratio app/floor : {t['ratio_app_to_floor']}x")
    print(f"wall time {report['wall_s']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
