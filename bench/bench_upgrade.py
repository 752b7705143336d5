"""The upgrade after an update, with and without its progress window's reporting (issue 19).

    .venv/bin/python bench/bench_upgrade.py [--orders 200000] [--file OLD.sqlite3] [--runs 2]

Builds a file of N orders at the schema a million-order file of session 4 had (eight steps behind: every step of
``schema_sort_keys.sql`` onwards runs, ``orders`` is rebuilt with its sealed buyer fields as bytes, the file is
compacted), by raw SQL at that version, or copies ``--file`` (an older FBM Desk file; never written itself). Each
run migrates a fresh copy twice, in turns (which one goes first alternates from run to run):
- the floor, as before the progress window: no progress object, the backup in one step of SQLite's online backup
  API and each table rebuild in one ``INSERT … SELECT``;
- as the window does it: a ``MigrationProgress`` read every 50 ms by another thread, the backup in chunks of
  pages, the rebuild by id ranges.
Prints both totals, their ratio (target: no slower, within the machine's noise), and the stages' times as the
window saw them.
"""

from __future__ import annotations

import argparse
import base64
import os
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

FROM_STEP = "schema_sort_keys.sql"


def build_old_file(path: Path, orders: int) -> None:
    """N orders with items, timeline, packages, outbox rows and name tokens, at the schema before ``FROM_STEP``."""
    from fbm_desk.foundation.workspace_key import PREFIX
    from tests.support.old_schema import schema_with_store

    def sealed(k: int) -> str:
        return PREFIX + base64.b64encode(bytes(12) + os.urandom(15 + k % 10) + bytes(16)).decode()

    conn = sqlite3.connect(path, isolation_level=None)
    conn.create_function("sealed", 1, sealed)
    conn.create_function("iso", 1, lambda at: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(at)))
    conn.execute("BEGIN")
    schema_with_store(conn, FROM_STEP)
    conn.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?), "
        "t(i, at) AS (SELECT i, 1700000000 + i * 97 FROM n) "
        "INSERT INTO orders (id, store_id, amazon_order_id, marketplace_id, amazon_status, state, purchase_date, "
        "amazon_updated_at, earliest_ship_date, latest_ship_date, latest_delivery_date, service_level, is_prime, "
        "buyer_name, ship_name, ship_address1, ship_city, ship_state, ship_postal_code, ship_country, ship_phone, "
        "total_amount, currency, imported_at, updated_at) "
        "SELECT i, 1, printf('111-%07d-%07d', i, i * 7 % 9999999), 'ATVPDKIKX0DER', 'Shipped', "
        "CASE WHEN i % 10 = 0 THEN 'released' WHEN i % 23 = 0 THEN 'canceled' ELSE 'shipped' END, "
        "iso(at), iso(at + 500), iso(at + 86400), iso(at + 172800), iso(at + 600000), "
        "CASE WHEN i % 5 = 0 THEN 'Expedited' ELSE 'Standard' END, i % 3 = 0, sealed(i), sealed(i + 1), "
        "sealed(i + 2), 'Springfield', 'IL', printf('%05d', i % 99999), 'US', sealed(i + 3), "
        "printf('%.2f', i % 500 + 9.99), 'USD', iso(at + 600), iso(at + 900) "
        "FROM t",
        (orders,),
    )
    conn.execute(
        "INSERT INTO order_item (order_id, order_item_id, seller_sku, asin, title, quantity, quantity_shipped, "
        "unit_price) SELECT id, printf('%014d', id), printf('SKU-%04d', id % 2000), printf('B0%08d', id % 2000), "
        "'A product title of some length', 1 + id % 3, CASE WHEN state = 'shipped' THEN 1 + id % 3 ELSE 0 END, "
        "'12.50' FROM orders"
    )
    for kind in ("imported", "released", "packed", "confirmed"):
        conn.execute(
            "INSERT INTO order_event (order_id, at, kind, message, station, os_user) "
            "SELECT id, purchase_date, ?, 'What happened to the order, in words', 'Desk 1', 'sam' FROM orders",
            (kind,),
        )
    conn.execute(
        "INSERT INTO package (id, order_id, package_reference_id, carrier_code, carrier_name, shipping_method, "
        "tracking_number, ship_date, push_state, pushed_at, created_at, updated_at, station, os_user) "
        "SELECT id, id, 1, 'UPS', 'UPS', 'Ground', printf('1Z999AA1%010d', id), latest_ship_date, 'confirmed', "
        "updated_at, updated_at, updated_at, 'Desk 1', 'sam' FROM orders WHERE state = 'shipped'"
    )
    conn.execute(
        "INSERT INTO package_item (package_id, order_item_id, quantity) "
        "SELECT p.id, i.id, i.quantity FROM package p JOIN order_item i ON i.order_id = p.order_id"
    )
    conn.execute(
        "INSERT INTO outbox (store_id, kind, ref_id, state, created_at, updated_at) "
        "SELECT 1, 'confirm_shipment', id, 'done', created_at, updated_at FROM package"
    )
    conn.execute(
        "INSERT INTO buyer_name_token (token, order_id) SELECT id * 2654435761 % 4294967296, id FROM orders"
    )
    conn.execute("COMMIT")
    conn.close()


def migrate(source: Path, *, reporting: bool) -> tuple[float, list[tuple[float, str]]]:
    """Migrate a copy of ``source``; returns the seconds and, when reporting, when each stage was first seen."""
    from fbm_desk.db import migration_progress, table_rebuild
    from fbm_desk.db.connection import open_database

    folder = Path(tempfile.mkdtemp(prefix="fbm-bench-upgrade-"))
    chunks = (table_rebuild.ROWS_PER_CHUNK, migration_progress.BACKUP_PAGES_PER_CHUNK)
    try:
        shutil.copy(source, folder / "fbm-desk.sqlite3")
        progress = migration_progress.MigrationProgress() if reporting else None
        if not reporting:  # as before the window reported anything: one backup step, one INSERT per rebuild
            table_rebuild.ROWS_PER_CHUNK, migration_progress.BACKUP_PAGES_PER_CHUNK = 2**62, -1
        seen: list[tuple[float, str]] = []
        done = threading.Event()
        started = time.perf_counter()

        def watch() -> None:  # as the window's tick
            while progress is not None and not done.wait(0.05):
                now = progress.snapshot()
                updating = now.stage == "updating"
                stage = f"{now.stage} {now.step}/{now.steps}" if updating else str(now.stage)
                if not seen or seen[-1][1] != stage:
                    seen.append((time.perf_counter() - started, stage))

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        open_database(folder / "fbm-desk.sqlite3", progress=progress).close()
        took = time.perf_counter() - started
        done.set()
        watcher.join()
        return took, seen
    finally:
        table_rebuild.ROWS_PER_CHUNK, migration_progress.BACKUP_PAGES_PER_CHUNK = chunks
        shutil.rmtree(folder, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--orders", type=int, default=200_000)
    parser.add_argument("--file", type=Path, help="an older FBM Desk file to copy (never written itself)")
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="fbm-bench-upgrade-source-"))
    try:
        source = args.file
        if source is None:
            source = folder / "old.sqlite3"
            started = time.perf_counter()
            build_old_file(source, args.orders)
            print(
                f"built {args.orders:,} orders at the schema before {FROM_STEP} in {time.perf_counter() - started:.0f} s"
            )
        print(f"file: {source.stat().st_size / 1e6:,.0f} MB; load average {os.getloadavg()[0]:.1f}")
        floors, reported = [], []
        for run in range(1, args.runs + 1):  # in turns, each first every other run: the writes a run leaves
            if run % 2:  # to the disk's cache slow down the next one
                floor, _ = migrate(source, reporting=False)
                took, seen = migrate(source, reporting=True)
            else:
                took, seen = migrate(source, reporting=True)
                floor, _ = migrate(source, reporting=False)
            floors.append(floor)
            reported.append(took)
            print(f"run {run}: floor {floor:.1f} s, with progress {took:.1f} s ({took / floor:.2f}x)")
            print("  stages seen: " + ", ".join(f"{stage} at {at:.1f} s" for at, stage in seen))
        ratio = sum(reported) / sum(floors)
        print(
            f"floor {min(floors):.1f}-{max(floors):.1f} s, with progress {min(reported):.1f}-{max(reported):.1f} s: "
            f"{ratio:.2f}x (load average {os.getloadavg()[0]:.1f})"
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
